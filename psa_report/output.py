"""Writing the report without ever losing the last good one.

Every output is first written to a temporary file beside its target; only when
all of them are complete are they renamed into place (``os.replace`` is atomic
on one file system).  A build that fails part way, for invalid data, a template
error, a PDF error or Ctrl-C, leaves the previous files untouched and no
temporary files behind.

The outputs are replaced all together or not at all, so the HTML and the PDF in
out/ always belong to the same build: every target is checked, and a link to its
old version kept, before the first rename; if a later rename fails the earlier
targets get their old versions back.

Temporary names carry the builder's process id (``.progress-report.html.PID.
XXXXXXXX.tmp``).  A build killed outright (SIGKILL, a power cut) cannot clean up,
so each publish first removes the temporary files of its own targets whose
process is no longer running.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .problems import Invalid, Problem

Writer = Callable[[Path], None]

#: Temporary files named without a process id (by earlier versions of psa-report)
#: are taken as abandoned once they are this old.
STALE_AFTER_SECONDS = 3600


def _cannot_write(folder: Path, error: OSError) -> Invalid:
    return Invalid([Problem(str(folder), None, None,
        f"cannot write the report here ({error.strerror or error}): choose another "
        "folder with --out, or check that this one can be written to")])


def _running(pid: int) -> bool:
    if os.name != "posix":
        return True  # cannot tell safely: keep the file
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        pass  # PermissionError: it exists, as another user
    return True


def remove_stale_temps(target: Path) -> None:
    """Remove temporary files for ``target`` left by a build that was killed."""
    own = re.compile(rf"\.{re.escape(target.name)}\.(?:(\d+)\.)?[a-z0-9_]+\.(?:tmp|old)")
    for path in target.parent.glob(f".{target.name}.*"):
        match = own.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            if match[1] is not None:
                abandoned = not _running(int(match[1]))
            else:
                abandoned = time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
            if abandoned:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: not worth failing the build


def _keep_old(target: Path, backup: Path) -> None:
    """Keep the current version of ``target`` as ``backup``, to put back on failure."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)  # a file system without hard links (FAT, some shares)


def publish(outputs: dict[Path, Writer]) -> list[Path]:
    """Run each writer on a temporary file, then rename them all into place, or none."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    replaced: list[Path] = []
    try:
        for target, write in outputs.items():
            folder = target.parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
                remove_stale_temps(target)
                handle, name = tempfile.mkstemp(
                    dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
                os.close(handle)
            except OSError as error:
                raise _cannot_write(folder, error) from None
            temps[target] = Path(name)
            try:
                write(temps[target])
                os.chmod(temps[target], 0o644)
            except OSError as error:
                raise _cannot_write(folder, error) from None
        # Nothing is renamed until every target is known to be replaceable.
        for target, temp in temps.items():
            try:
                if target.is_dir():
                    raise IsADirectoryError(errno.EISDIR, "a folder of that name is in the way")
                if target.exists():
                    backups[target] = temp.with_suffix(".old")
                    _keep_old(target, backups[target])
            except OSError as error:
                raise _cannot_write(target, error) from None
        for target, temp in temps.items():
            try:
                os.replace(temp, target)
            except OSError as error:
                raise _cannot_write(target, error) from None
            replaced.append(target)
        replaced = []  # all in place: nothing to undo
    finally:
        for target in reversed(replaced):  # a later one failed: undo the earlier ones
            if target in backups:
                os.replace(backups[target], target)
            else:
                target.unlink(missing_ok=True)
        for temp in [*temps.values(), *backups.values()]:
            temp.unlink(missing_ok=True)  # already renamed, or abandoned
    return list(outputs)
