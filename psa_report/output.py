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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .problems import WARNING, Invalid, Problem

Writer = Callable[[Path], object]  # what it returns is not used

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
    own = re.compile(rf"\.{re.escape(target.name)}\.(?:(\d+)\.)?[a-z0-9_]+\.(?:tmp|old|old\.tmp)")
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


#: A temporary file of psa-report's: ``.NAME.PID.XXXXXXXX.tmp`` (or ``.old``), PID optional.
_TEMP = re.compile(r"\.(.+?)\.(?:(\d+)\.)?[a-z0-9_]+\.(?:tmp|old|old\.tmp)")


def remove_stale_temps_in(folder: Path) -> None:
    """Remove every temporary file in ``folder`` left by a writer that was killed (not locks)."""
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.name.startswith(".") and entry.name.endswith((".tmp", ".old"))]
    except OSError:
        return
    for name in names:
        match = _TEMP.fullmatch(name)
        if match and not name.endswith(".lock.tmp"):
            remove_stale_temps(folder / match[1])


def _keep_old(target: Path, backup: Path) -> None:
    """Keep the current version of ``target`` as ``backup``, to put back on failure."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)  # a file system without hard links (FAT, some shares)


def publish(outputs: Mapping[Path, Writer], *, expected: dict[Path, bytes] | None = None,
            user_files: bool = False) -> list[Path]:
    """Run each writer on a temporary file, then rename them all into place, or none.

    With ``user_files`` (the user's own files, such as action files) a target that
    is a symbolic link is written through to the file it points to, a file with
    other hard links is rewritten in place (so every name keeps the new text), and
    each keeps its permissions.  ``expected`` maps a target to the bytes it held
    when it was read: if it holds anything else just before the rename, someone
    changed it meanwhile, and nothing is written.
    """
    expected = expected or {}
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    replaced: list[Path] = []
    real = {target: _real(target) if user_files else target for target in outputs}
    # Whether a file has other hard links is decided before anything is done: the backup
    # below is itself a hard link, and must not make a plain file look linked (it would
    # then be rewritten in place, and a reader could meet it half written).
    linked = {target: user_files and _linked(real[target]) for target in outputs}
    cannot_write = _cannot_write_file if user_files else _cannot_write
    try:
        for target, write in outputs.items():
            folder = real[target].parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
                remove_stale_temps(real[target])
                handle, name = tempfile.mkstemp(
                    dir=folder, prefix=f".{real[target].name}.{os.getpid()}.", suffix=".tmp")
                os.close(handle)
            except OSError as error:
                raise cannot_write(folder, error) from None
            temps[target] = Path(name)
            try:
                write(temps[target])
                mode = 0o644
                if user_files and real[target].exists():
                    mode = real[target].stat().st_mode & 0o7777
                os.chmod(temps[target], mode)
            except OSError as error:
                raise cannot_write(folder, error) from None
        # Nothing is renamed until every target is known to be replaceable.
        for target, temp in temps.items():
            try:
                if real[target].is_dir():
                    raise IsADirectoryError(errno.EISDIR, "a folder of that name is in the way")
                if target in expected and _bytes(real[target]) != expected[target]:
                    raise Invalid([Problem(str(target), None, None,
                        "was changed by someone else while this edit was being made, so "
                        "nothing was written: run the command again")])
                if real[target].exists():
                    backups[target] = temp.with_suffix(".old.tmp")
                    if linked[target]:
                        shutil.copy2(real[target], backups[target])  # rewritten in place
                    else:
                        _keep_old(real[target], backups[target])
            except OSError as error:
                raise cannot_write(target, error) from None
        for target, temp in temps.items():
            try:
                if linked[target]:
                    _write_in_place(temp, real[target])
                else:
                    os.replace(temp, real[target])
            except OSError as error:
                raise cannot_write(target, error) from None
            replaced.append(target)
        replaced = []  # all in place: nothing to undo
    finally:
        for target in reversed(replaced):  # a later one failed: undo the earlier ones
            if target in backups:
                if linked[target]:
                    _write_in_place(backups[target], real[target])
                else:
                    os.replace(backups[target], real[target])
            else:
                real[target].unlink(missing_ok=True)
        for temp in [*temps.values(), *backups.values()]:
            temp.unlink(missing_ok=True)  # already renamed, or abandoned
    return list(outputs)


#: The files a build writes, whose earlier copies :func:`earlier_outputs` names.
_PAPER_SUFFIXES = (".html", ".pdf", ".docx")


def earlier_outputs(written: list[Path], stem: str,
                    same_plan: Callable[[str], bool] = lambda name: False) -> list[Problem]:
    """A warning for each ``STEM*.html/.pdf/.docx`` beside the files just written that this
    build did not write and that is older than them: another format or edition (or the
    exception report) from an earlier build, which no longer matches the plan.  They are
    named, not removed: one may be the paper that was sent, kept on purpose. A file
    ``same_plan`` says was built from the very files this build read (by its name) is
    not named: the full report and the exception report are published together."""
    written_set = {Path(p) for p in written}
    found: list[Problem] = []
    for folder in dict.fromkeys(Path(p).parent for p in written):
        try:
            written_at = min(os.stat(p).st_mtime for p in written_set if p.parent == folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = folder / entry.name
            if not (entry.name.startswith(stem) and entry.name.endswith(_PAPER_SUFFIXES)) \
                    or path in written_set or same_plan(entry.name):
                continue
            try:
                if not entry.is_file() or entry.stat().st_mtime >= written_at:
                    continue
            except OSError:
                continue
            again = "--exceptions-only --format all" if "-exceptions" in entry.name \
                else "--format all"
            found.append(Problem(str(path), None, None,
                "is from an earlier build, so it may not match the files just written: "
                f"delete it, or build it again ({again}, with the same --edition)",
                WARNING))
    return found


def _cannot_write_file(path: Path, error: OSError) -> Invalid:
    return Invalid([Problem(str(path), None, None,
        f"cannot be written ({error.strerror or error}): check that it can be written to; "
        "nothing was written")])


def _real(target: Path) -> Path:
    """The file a symbolic link points to (the link itself stays a link)."""
    return Path(os.path.realpath(target))


def _linked(path: Path) -> bool:
    """``path`` has other hard links, which a rename would leave with the old text."""
    try:
        return path.stat().st_nlink > 1
    except OSError:
        return False


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_in_place(source: Path, target: Path) -> None:
    """Overwrite ``target``'s own bytes with ``source``'s, keeping its inode and links."""
    data = source.read_bytes()
    with open(target, "r+b") as out:
        out.write(data)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())


# ---------------------------------------------------------------- locks

#: How long a writer waits for another psa-report to finish with a file.
LOCK_WAIT_SECONDS = 10.0


def lock_path(target: Path) -> Path:
    """The lock of ``target``: ``.NAME.lock.tmp`` beside the file it (or its link) names."""
    real = _real(target)
    return real.parent / f".{real.name}.lock.tmp"


@contextmanager
def locked(targets: list[Path], display: Callable[[Path], str] = str) -> Iterator[None]:
    """Hold an exclusive lock on each of ``targets`` (a lock file made with O_EXCL).

    Another psa-report holding one is waited for (up to :data:`LOCK_WAIT_SECONDS`),
    then refused with a message naming the lock file and its age; a lock left by a
    process that is gone (or one naming this very process, which does not hold it: a
    process id used again, as in a container) is taken over.
    """
    held: list[Path] = []
    try:
        for target in sorted(dict.fromkeys(targets), key=lambda t: str(_real(t))):
            lock = lock_path(target)
            _acquire(lock, display(target))
            held.append(lock)
        yield
    finally:
        for lock in reversed(held):
            lock.unlink(missing_ok=True)
            _HELD.discard(lock)


#: The locks this process holds (a lock naming this process but not here is stale).
_HELD: set[Path] = set()


def _acquire(lock: Path, shown: str) -> None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(lock)
            if owner is None or not _running(owner) or (
                    owner == os.getpid() and lock not in _HELD and _has_pid(lock)):
                lock.unlink(missing_ok=True)  # left by a process that was killed
                continue
            if time.monotonic() > deadline:
                raise Invalid([Problem(shown, None, None,
                    f"is being changed by another psa-report (process {owner}), or one "
                    f"that stopped left its lock file {lock} behind ({_age(lock)}): try "
                    "again when it has finished; if no other psa-report is running, "
                    "delete that file and run the command again. Nothing was written")]
                    ) from None
            time.sleep(0.05)
            continue
        except OSError as error:
            raise _cannot_write_file(lock.parent, error) from None
        _HELD.add(lock)  # before its process id is written: another thread may look
        with os.fdopen(handle, "w") as out:
            out.write(str(os.getpid()))
        return


def _has_pid(lock: Path) -> bool:
    try:
        return lock.read_text().strip().isdigit()
    except OSError:
        return False


def _age(lock: Path) -> str:
    """How long ago ``lock`` was made, in words: "made 3 hours ago"."""
    try:
        seconds = max(0, int(time.time() - lock.stat().st_mtime))
    except OSError:
        return "now gone"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"made {count} {unit}{'s' if count != 1 else ''} ago"
    return f"made {seconds} second{'s' if seconds != 1 else ''} ago"


def _owner(lock: Path) -> int | None:
    """The process id written in a lock file; None if it is unreadable or too old to trust."""
    try:
        text = lock.read_text().strip()
        if text.isdigit():
            return int(text)
        # Just made, its process id not yet written: give it a moment.
        return os.getpid() if time.time() - lock.stat().st_mtime < 2 else None
    except OSError:
        return None
