"""Writing the report without ever losing the last good one.

Every output is first written to a temporary file beside its target; only when
all of them are complete are they renamed into place (``os.replace`` is atomic
on one file system).  A build that fails part way, for invalid data, a template
error, a PDF error or Ctrl-C, leaves the previous files untouched and no
temporary files behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .problems import Invalid, Problem

Writer = Callable[[Path], None]


def _cannot_write(folder: Path, error: OSError) -> Invalid:
    return Invalid([Problem(str(folder), None, None,
        f"cannot write the report here ({error.strerror or error}): choose another "
        "folder with --out, or check that this one can be written to")])


def publish(outputs: dict[Path, Writer]) -> list[Path]:
    """Run each writer on a temporary file, then rename them all into place."""
    temps: dict[Path, Path] = {}
    try:
        for target, write in outputs.items():
            folder = target.parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                                suffix=".tmp")
                os.close(handle)
            except OSError as error:
                raise _cannot_write(folder, error) from None
            temps[target] = Path(name)
            try:
                write(temps[target])
            except OSError as error:
                raise _cannot_write(folder, error) from None
        for target, temp in temps.items():
            try:
                os.chmod(temp, 0o644)
                os.replace(temp, target)
            except OSError as error:
                raise _cannot_write(target.parent, error) from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)  # already renamed, or abandoned
    return list(outputs)
