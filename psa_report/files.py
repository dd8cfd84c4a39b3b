"""Reading the user's files with bounds, and guessing a pasted table's separator.

One place for what every reader of a file named by the user needs: a regular
file only (a FIFO or a device is refused without being opened for reading, so
nothing hangs), a bound on its size, and UTF-8 text with a plain complaint at
the line where it is not.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
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


def not_a_file(mode: int, fix: str = "remove it from actions/ (only .yaml text files "
               "belong there)") -> str:
    """Why a path that is not a regular file (a pipe, socket, device) is not read."""
    kind = ("a folder" if stat.S_ISDIR(mode) else
            "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
    return f"this is {kind}, not an ordinary file, so it was not read: {fix}"


#: Flags for opening a file to read: binary on Windows; non-blocking, so that even a
#: pipe swapped in after the check below could not make the read wait for ever.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_bounded(path: Path, limit: int, display: str | None = None, *,
                 fix: str = "name an ordinary file") -> tuple[bytes, int]:
    """(at most ``limit`` + 1 bytes of ``path``, the size it claims): the one reader of
    every file psa-report is given, in actions/ or named on the command line.

    Only a regular file is opened: a FIFO would make the read wait for ever and
    /dev/zero never ends, so what is not a regular file is refused by what it is,
    without being opened (``fix`` says what to do instead).  Never more than one
    byte over the limit is read, whatever the size says: a file can grow while it is
    read, or report a size it does not have.
    """
    display = display or str(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise Invalid([Problem(display, None, None, not_a_file(mode, fix))])
        with os.fdopen(os.open(path, _READ_FLAGS), "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):  # swapped since the look above
                raise Invalid([Problem(display, None, None, not_a_file(info.st_mode, fix))])
            raw = file.read(limit + 1)
    except OSError as error:
        raise Invalid([Problem(display, None, None,
                               f"cannot be read: {error.strerror or error}")]) from None
    return raw, max(info.st_size, len(raw))


def read_regular(path: Path, display: str, limit: int,
                 too_big: Callable[[int], str],
                 fix: str = "name an ordinary file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, through
    the one bounded reader (:func:`read_bounded`): a FIFO, device or
    folder is refused unopened. ``too_big(size)`` words the refusal of a file over the
    limit; ``fix`` says what to give instead of what is not a file."""
    raw, size = read_bounded(path, limit, display, fix=fix)
    if size > limit:
        raise Invalid([Problem(display, None, None, too_big(size))])
    return raw


class Bounded(io.RawIOBase):
    """A binary stream read from ``raw`` that raises ``over(read)`` once more than
    ``limit`` bytes have come from it (``read``: how many), so that a file whose size
    says nothing true (a .zip member, a file growing as it is read) is never read
    far past its bound.  ``budgets``: shared counters (``[used, limit, over]``) of
    bytes read from several streams, each with its own refusal."""

    def __init__(self, raw, limit: int, over: Callable[[int], Exception],
                 budgets: tuple[list, ...] = ()):
        super().__init__()
        self._raw, self._limit, self._over, self._budgets = raw, limit, over, budgets
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        got = self._raw.readinto(buffer)
        if not got:
            return 0
        self.count += got
        if self.count > self._limit:
            raise self._over(self.count)
        for budget in self._budgets:
            budget[0] += got
            if budget[0] > budget[1]:
                raise budget[2](budget[0])
        return got


def open_regular(path: Path, display: str, fix: str = "name an ordinary file"):
    """``path`` opened to read in binary, if it is a regular file: the checks of the one
    bounded reader (:func:`read_bounded`) for a file too large to hold
    whole, to be read through :class:`Bounded`. Raises :class:`Invalid`."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise Invalid([Problem(display, None, None, not_a_file(mode, fix))])
        file = os.fdopen(os.open(path, _READ_FLAGS), "rb", buffering=0)
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):  # swapped since the look above
            file.close()
            raise Invalid([Problem(display, None, None, not_a_file(info.st_mode, fix))])
    except OSError as error:
        raise Invalid([Problem(display, None, None,
                               f"cannot be read: {error.strerror or error}")]) from None
    return file


def inside_project(root: Path, relative: str) -> Path:
    """``root/relative``, refused (:class:`Invalid`) if it is a link, or lies in a
    folder linked, to somewhere outside the project folder: only the project's own
    files are read."""
    path = Path(root) / relative
    real = os.path.realpath(path)
    project = os.path.realpath(root)
    try:
        inside = os.path.commonpath([project, real]) == project
    except ValueError:  # another drive, on Windows
        inside = False
    if not inside:
        raise Invalid([Problem(relative, None, None,
            f"this is a link to {real}, outside the project folder, so it is not read: "
            "copy the file into the project instead of linking to it (the report must be "
            "made from the project's own files)")])
    return path


#: The deepest nesting of lists and objects a JSON file of psa-report's own may have
#: (a manifest or a round's ledger is five deep): deeper is damage, refused before
#: Python's parser would run out of stack (RecursionError).
MAX_JSON_DEPTH = 32

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}\n]")


def parse_json(raw: bytes, depth: int = MAX_JSON_DEPTH) -> object:
    """``raw`` (UTF-8) as JSON, nested at most ``depth`` deep; else ValueError saying why
    (and at which line the nesting goes too deep)."""
    level, line = 0, 1
    for found in _JSON_BRACKET.finditer(_JSON_STRING.sub(lambda m: b"\"" + b"\n" *
                                                         m[0].count(b"\n") + b"\"", raw)):
        mark = found[0]
        if mark == b"\n":
            line += 1
        elif mark in b"[{":
            level += 1
            if level > depth:
                raise ValueError(f"at line {line} it is nested more than {depth} deep, "
                                 "deeper than psa-report ever writes")
        else:
            level -= 1
    return json.loads(raw.decode("utf-8"))


def read_json(path: Path, display: str, limit: int, too_big: Callable[[int], str],
              what: str, fix: str, depth: int = MAX_JSON_DEPTH) -> object:
    """The JSON in ``path`` (a regular file of at most ``limit`` bytes, read through
    :func:`read_regular`), nested at most ``depth`` deep; else refused plainly:
    "``display``: ``what`` cannot be read (why): ``fix``"."""
    raw = read_regular(path, display, limit, too_big)
    try:
        return parse_json(raw, depth)
    except ValueError as error:
        raise Invalid([Problem(display, None, None,
                               f"{what} cannot be read ({error}): {fix}")]) from None


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
