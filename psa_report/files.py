"""Reading the user's files with bounds, and guessing a pasted table's separator.

One place for what every reader of a file named by the user needs: a regular
file only (a FIFO or a device is refused without being opened for reading, so
nothing hangs), a bound on its size, and UTF-8 text with a plain complaint at
the line where it is not.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .problems import Invalid, Problem


def decode_utf8(raw: bytes, complain: Callable[[int, int, int], Exception]) -> str:
    """``raw`` as text (a byte-order mark dropped), or raise ``complain(line, column, byte)``.

    ``line`` and ``column`` are 1-based and name the first byte that is not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise complain(line, column, raw[error.start]) from None


def read_regular(path: Path, display: str, limit: int,
                 too_big: Callable[[int], str],
                 fix: str = "name an ordinary file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, through
    the one bounded reader (:func:`psa_report.loader.read_bounded`): a FIFO, device or
    folder is refused unopened. ``too_big(size)`` words the refusal of a file over the
    limit; ``fix`` says what to give instead of what is not a file."""
    from .loader import read_bounded  # (the loader imports this module)

    raw, size = read_bounded(path, limit, display, fix=fix)
    if size > limit:
        raise Invalid([Problem(display, None, None, too_big(size))])
    return raw


def is_regular(path: Path) -> bool:
    """``path`` is a regular file (following links), checked without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def delimiter(text: str) -> str:
    """The separator of a pasted table or CSV export: tab, semicolon or comma, from its first line."""
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")


def csv_reader(text: str):
    """A csv reader over ``text`` with the separator its first line shows."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
