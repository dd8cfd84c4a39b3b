"""Crime figures from police.uk: street-level crime files read, counted and kept.

data.police.uk's downloads hold one CSV file per force and month
(``2024-01-cleveland-street.csv``), in folders or a .zip, each row a crime or an
anti-social behaviour incident with its month, its LSOA (a small area, named after
its local authority: "Stockton-on-Tees 014B") and its type.  ``import_crime``
keeps the rows of the partnership's area, counts them by month and type, and
merges them into ``figures/crime.csv`` (``month,crime_type,count``, sorted: a
small text file that git diffs well).  A month imported again replaces that
month's counts, so nothing is ever counted twice.

Speed and memory: each file is read as a stream, row by row by the csv module,
which finds and names every bad row, so memory stays flat whatever the size of a
file or of the history.  Nothing is read without a bound: a month's file (on disk
or in a .zip) is read up to :data:`MAX_FILE_BYTES`, an import up to
:data:`MAX_IMPORT_BYTES` in all, so a .zip that unpacks to gigabytes (a "zip bomb")
is refused at its member, not unpacked.  figures/crime.csv is read through the one
bounded reader and written under a lock, so two imports at once never lose a month.

Nothing here imports Jinja or WeasyPrint.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .chars import refused
from .digits import NotANumber, parse_count
from .digits import shown as quoted
from .files import Bounded, inside_project, open_regular, read_regular
from .output import locked, publish
from .problems import Invalid, Problem

FIGURES = "figures"
CRIME_FILE = f"{FIGURES}/crime.csv"
INDICATORS_FILE = f"{FIGURES}/indicators.yaml"
CRIME_HEADER = ("month", "crime_type", "count")

#: The header of a police.uk street-level crime file, exactly.
HEADER = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
          "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
          "Context")
HEADER_LINE = ",".join(HEADER)
#: Anti-social behaviour: incidents, not crimes; their rows have no Crime ID.
ASB = "Anti-social behaviour"
#: The other police.uk downloads, by their first columns, to name them when given.
OTHER_FILES = {
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Outcome type": "a police.uk outcomes file (…-outcomes.csv)",
    "Type,Date,Part of a policing operation": "a police.uk stop and search file "
    "(…-stop-and-search.csv)",
}
STREET_NAME = re.compile(r"([0-9]{4}-[0-9]{2})-.+-street\.csv", re.IGNORECASE)
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
#: The first year a month of figures may be in: there is no recorded crime before.
FIRST_YEAR = 1900
#: A month's file larger than this is refused, on disk or in a .zip (the Metropolitan
#: Police's largest month is about 30 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: All the files of one import, unpacked: about twelve years of every force.
MAX_IMPORT_BYTES = 4 * 1024 * 1024 * 1024
#: A .zip member that says it unpacks to more than this many times its packed size
#: is refused unread: a police.uk file packs to about a quarter, a "zip bomb" to a
#: thousandth.
MAX_ZIP_RATIO = 100
#: Longest line of a police.uk file (its lines are about 250 characters).
MAX_LINE_CHARS = 8192
#: Longest crime type, LSOA (area) name or force name (police.uk's are under 50).
MAX_NAME_CHARS = 200
#: The largest count of one crime type in one month figures/crime.csv may hold (the
#: Metropolitan Police records about 90,000 crimes a month, of every type).
MAX_COUNT = 10_000_000
#: figures/crime.csv's size limit (a century of months takes under 1 MB).
MAX_CRIME_BYTES = 16 * 1024 * 1024
#: Rows reported per file before the rest are summed up in one line.
MAX_ROW_PROBLEMS = 10


def year_problem(year: int) -> str | None:
    """Why a month of ``year`` cannot hold figures (None: it can)."""
    last = datetime.date.today().year + 1
    if FIRST_YEAR <= year <= last:
        return None
    return (f"the year {year:04d} is not a year figures can be for (they can be from "
            f"{FIRST_YEAR} to {last}): check the date was typed right")


def name_problem(text: str, what: str) -> str | None:
    """Why a crime type, area or force name cannot be kept (None: it can), by
    chars.py's rule for names and :data:`MAX_NAME_CHARS`."""
    if len(text) > MAX_NAME_CHARS:
        return (f"{what}: is {len(text):,} characters long, more than any police.uk "
                f"{what} (at most {MAX_NAME_CHARS}): was the file edited, or is it not a "
                "police.uk file?")
    bad = refused(text, name=True)
    if bad is not None:
        return f"{what}: {bad[1]}"
    return None


# ---------------------------------------------------------------- the files given

@dataclass(frozen=True)
class Source:
    """One street-level file to read: on disk, or a member of a .zip."""

    display: str  # as named to the user: "2024-01/2024-01-cleveland-street.csv"
    path: Path  # the file, or the .zip holding it
    member: str | None = None  # the name inside the .zip

    @property
    def name(self) -> str:
        return (self.member or self.path.name).rsplit("/", 1)[-1]

    @contextmanager
    def open(self, budget: list | None = None) -> Iterator[io.BufferedReader[Bounded]]:
        """The file's bytes as a stream that raises :class:`_TooBig` past
        :data:`MAX_FILE_BYTES`, and past ``budget`` (``[used, limit, refusal]``)."""
        budgets = (budget,) if budget is not None else ()
        if self.member is None:
            raw = open_regular(self.path, self.display,
                               fix="name the police.uk .csv file itself")
            with raw, io.BufferedReader(Bounded(raw, MAX_FILE_BYTES, _TooBig, budgets)) \
                    as stream:
                yield stream
            return
        with zipfile.ZipFile(self.path) as archive:
            info = archive.getinfo(self.member)
            if info.file_size > MAX_FILE_BYTES:
                raise _TooBig(info.file_size)
            if info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1024):
                raise _TooBig(info.file_size, packed=info.compress_size)
            with archive.open(info) as member, \
                    io.BufferedReader(Bounded(member, MAX_FILE_BYTES, _TooBig, budgets)) \
                    as stream:
                yield stream


class _TooBig(Exception):
    def __init__(self, size: int, packed: int | None = None):
        self.size = size
        self.packed = packed

    def sentence(self) -> str:
        if self.packed is not None:
            return (f"unpacks to {self.size:,} bytes from {self.packed:,}, which no "
                    "police.uk file does (a file built to fill the disk), so it was not "
                    "read: download the data again from data.police.uk")
        return (f"is more than {MAX_FILE_BYTES:,} bytes, more than any month of police.uk "
                "data, so it was not read: check it is the right file")


class _TooMuch(Exception):
    """The import's files hold more than :data:`MAX_IMPORT_BYTES` in all."""

    def __init__(self, size: int):
        self.size = size


@dataclass
class Found:
    """The street-level files among the paths given, and what else was there."""

    sources: list[Source] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # kind -> files left unread
    problems: list[Problem] = field(default_factory=list)


def _kind(name: str) -> str:
    lower = name.lower()
    for ending, kind in (("-outcomes.csv", "outcomes files"),
                         ("-stop-and-search.csv", "stop and search files")):
        if lower.endswith(ending):
            return kind
    return "other files"


def find_sources(paths: list[Path], shown: Callable[[Path], str] = str) -> Found:
    """The street-level files named, in folders (at any depth) or in .zip files.

    A file named on its own is always read (and refused if it is not such a file);
    inside a folder or a .zip only ``…-street.csv`` files are read and the rest are
    counted as left out, since a police.uk download also holds outcomes and stop and
    search files."""
    found = Found()

    def add_zip(path: Path) -> None:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, OSError) as error:
            found.problems.append(Problem(shown(path), None, None,
                f"cannot be read as a .zip file ({getattr(error, 'strerror', None) or error}):"
                " download it again from data.police.uk"))
            return
        for name in sorted(names):
            base = name.rsplit("/", 1)[-1]
            if STREET_NAME.fullmatch(base):
                found.sources.append(Source(f"{shown(path)}:{name}", path, name))
            else:
                found.skipped[_kind(base)] += 1

    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            found.problems.append(Problem(shown(path), None, None,
                                          f"cannot be read: {error.strerror or error}"))
            continue
        if stat.S_ISDIR(mode):
            for child in sorted(p for p in Path(path).rglob("*") if p.is_file()):
                if child.name.startswith((".", "~$")):
                    continue
                if child.suffix.lower() == ".zip":
                    add_zip(child)
                elif STREET_NAME.fullmatch(child.name):
                    found.sources.append(Source(shown(child), child))
                else:
                    found.skipped[_kind(child.name)] += 1
        elif not stat.S_ISREG(mode):
            found.problems.append(Problem(shown(path), None, None,
                "is not an ordinary file (a pipe or a device), so it was not read"))
        elif zipfile.is_zipfile(path):
            add_zip(Path(path))
        else:
            found.sources.append(Source(shown(path), Path(path)))
    return found


# ---------------------------------------------------------------- counting one file

@dataclass
class FileCount:
    """What one file held: the area's rows counted by (month, crime type), and the rest."""

    source: Source
    counts: Counter = field(default_factory=Counter)
    rows: int = 0
    other_areas: int = 0
    no_location: int = 0
    areas: set[str] = field(default_factory=set)  # LSOA names seen outside the area (a few)
    problems: list[Problem] = field(default_factory=list)
    first: tuple[str, str] | None = None  # (month, force) of the first row
    stop: bool = False  # too big: no more files are read


def _header_problem(display: str, first_line: str) -> Problem:
    first_line = first_line.rstrip("\r")
    if not first_line.strip():
        return Problem(display, 1, None, "the file is empty, or its first line is blank: "
                       f"a police.uk street-level crime file starts with the line {HEADER_LINE}")
    for start, what in OTHER_FILES.items():
        if first_line.startswith(start):
            return Problem(display, 1, None, f"this is {what}, not a street-level crime "
                           "file: import the …-street.csv files (they hold every crime and "
                           "anti-social behaviour incident)")
    got = next(csv.reader([first_line]), [])
    for index, (want, have) in enumerate(zip(HEADER, got)):
        if want != have:
            return Problem(display, 1, None, f"this is not a police.uk street-level crime "
                           f"file: its column {index + 1} is {have!r} where the download has "
                           f"{want!r}. The first line must be exactly: {HEADER_LINE}")
    return Problem(display, 1, None, f"this is not a police.uk street-level crime file: "
                   f"its first line has {len(got)} columns, the download's has {len(HEADER)}. "
                   f"The first line must be exactly: {HEADER_LINE}")


def count_file(source: Source, area: str, budget: list | None = None) -> FileCount:
    """Count one street-level file's rows of ``area`` by (month, crime type), reading it
    as a stream. ``budget``: the import's bytes read so far, its limit and the refusal
    (:class:`_TooMuch`, raised) when it is passed."""
    result = FileCount(source)
    try:
        with source.open(budget) as stream:
            if b"\0" in stream.peek(8192)[:8192]:
                result.problems.append(Problem(source.display, 1, None,
                    "this is not a text file (it holds binary data): a police.uk "
                    "street-level crime file is a .csv text file"))
                return result
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            try:
                _count(text, area, result)
            except UnicodeDecodeError:
                line, byte = _bad_utf8(source)
                result = FileCount(source)
                result.problems.append(Problem(source.display, line, None,
                    f"this line is not UTF-8 text (byte 0x{byte:02x}): police.uk files "
                    "are UTF-8; download the file again rather than saving it from Excel"))
    except _TooBig as big:
        result = FileCount(source)
        result.problems.append(Problem(source.display, None, None, big.sentence()))
        result.stop = True
    except (OSError, zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile) as error:
        result = FileCount(source)
        result.problems.append(Problem(source.display, None, None,
            f"cannot be read: {getattr(error, 'strerror', None) or error}"))
    except Invalid as invalid:
        result = FileCount(source)
        result.problems.extend(invalid.problems)
    return result


def _bad_utf8(source: Source) -> tuple[int, int]:
    """The line of the first byte of ``source`` that is not UTF-8, and that byte (read
    again as a stream: the text reader decodes ahead of the rows)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with source.open() as stream:
        for chunk in iter(lambda: stream.read(65536), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                start = max(error.start, 0)
                return line + chunk.count(b"\n", 0, start), chunk[min(start, len(chunk) - 1)]
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return line, error.object[max(error.start, 0)]
    return line, 0  # pragma: no cover - the text reader found one


class _LongLine(Exception):
    pass


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The lines of ``text``, none held longer than :data:`MAX_LINE_CHARS`."""
    readline = text.readline
    while line := readline(MAX_LINE_CHARS):
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise _LongLine
        yield line


def _count(text: io.TextIOWrapper, area: str, result: FileCount) -> None:
    """Read row by row, naming every row that breaks the format (at its line)."""
    display = result.source.display
    source = result.source
    prefix = area + " "
    lines = _lines(text)
    reader = csv.reader(lines)
    bad = 0
    good_months: set[str] = set()
    good_names: set[str] = set()

    def problem(message: str, line: int | None = None) -> None:
        nonlocal bad
        bad += 1
        if bad <= MAX_ROW_PROBLEMS:
            result.problems.append(Problem(display, line or reader.line_num, None, message))

    def bad_name(text: str, what: str) -> bool:
        if text in good_names:
            return False
        wrong = name_problem(text, what)
        if wrong is not None:
            problem(wrong)
            return True
        if len(good_names) < 10_000:
            good_names.add(text)
        return False

    try:
        header = next(reader, None)
    except (csv.Error, _LongLine):
        result.problems.append(Problem(display, 1, None, "this is not a police.uk "
            f"street-level crime file: its first line is not CSV of at most "
            f"{MAX_LINE_CHARS:,} characters. The first line must be exactly: {HEADER_LINE}"))
        return
    if header != list(HEADER):
        first = ",".join(header) if header is not None else ""
        result.problems.append(_header_problem(display, first))
        return
    name_month = STREET_NAME.fullmatch(source.name)
    expected = name_month.group(1) if name_month else None
    try:
        for row in reader:
            if not row:
                continue  # a blank line
            result.rows += 1
            if len(row) != len(HEADER):
                problem(f"this row has {len(row)} values where a police.uk street-level "
                        f"file has {len(HEADER)} (Crime ID to Context): was the file edited, "
                        "or cut short?")
                continue
            crime_id, month, force = row[0], row[1], row[2]
            name, kind = row[8], row[9]
            if month not in good_months:
                if not MONTH.fullmatch(month):
                    problem(f"Month: {quoted(month)} is not a month written as police.uk "
                            "writes it (YYYY-MM, such as 2024-01)")
                    continue
                if (wrong := year_problem(int(month[:4]))) is not None:
                    problem(f"Month: {wrong}")
                    continue
                if expected is not None and month != expected:
                    problem(f"Month: this row is of {month}, but the file's name says "
                            f"{expected}: a police.uk file holds one month")
                    continue
                good_months.add(month)
            if not kind.strip():
                problem("Crime type: this row has none (every police.uk row names its crime "
                        "type, or Anti-social behaviour)")
                continue
            if bad_name(kind, "Crime type") or bad_name(name, "LSOA name"):
                continue
            if not crime_id and kind != ASB:
                problem(f"Crime ID: this {kind!r} row has none; in police.uk files only "
                        "anti-social behaviour rows have no Crime ID")
                continue
            if result.first is None:
                if bad_name(force, "Reported by"):
                    continue
                result.first = (month, force)
            if not name:
                result.no_location += 1
            elif name.startswith(prefix):
                result.counts[(month, kind)] += 1
            else:
                result.other_areas += 1
                if len(result.areas) < 2000:
                    result.areas.add(name)
    except _LongLine:
        problem(f"this line is longer than {MAX_LINE_CHARS:,} characters, which no line "
                "of a police.uk file is: was the file edited, or is it not a police.uk "
                "file?", reader.line_num + 1)
    except csv.Error as error:
        problem(f"this line cannot be read as CSV ({error}): was the file edited?")
    if bad > MAX_ROW_PROBLEMS:
        result.problems.append(Problem(display, None, None,
            f"and {bad - MAX_ROW_PROBLEMS:,} more rows like these"))


def count_files(sources: list[Source], area: str) -> Iterator[FileCount]:
    """Each file's counts, in the order given, one file at a time; the files read
    are bounded together by :data:`MAX_IMPORT_BYTES`, and reading stops at the first
    file too large (a .zip of many, say), which is reported."""
    budget = [0, MAX_IMPORT_BYTES, _TooMuch]
    for source in sources:
        try:
            done = count_file(source, area, budget)
        except _TooMuch as much:
            done = FileCount(source)
            done.problems.append(Problem(source.display, None, None,
                f"the files given hold more than {MAX_IMPORT_BYTES:,} bytes of data by this "
                f"one ({much.size:,} read), more than an import takes, so reading stopped "
                "here: import fewer months at a time, or only your own force's files"))
            done.stop = True
        yield done
        if done.stop:
            return


# ---------------------------------------------------------------- figures/crime.csv

Counts = dict[tuple[str, str], int]  # (month, crime type) -> count


def read_crime(root: Path) -> Counts:
    """figures/crime.csv as counts; every bad line named. Empty when there is no file.
    Read through the one bounded reader: a regular file of the project's own, of at
    most :data:`MAX_CRIME_BYTES`."""
    path = inside_project(root, CRIME_FILE)
    if not os.path.lexists(path):
        return {}
    raw = read_regular(path, CRIME_FILE, MAX_CRIME_BYTES, lambda size: (
        f"is {size:,} bytes, more than figures/crime.csv can be (at most "
        f"{MAX_CRIME_BYTES:,}: a century of months is under 1 MB): restore it from git, "
        "or import the police.uk files again"),
        fix="restore figures/crime.csv from git, or import the police.uk files again")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid([Problem(CRIME_FILE, raw.count(b"\n", 0, error.start) + 1, None,
            f"is not UTF-8 text ({error.reason}): restore it from git, or import the "
            "police.uk files again")]) from None
    del raw
    counts: Counts = {}
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    first: dict[tuple[str, str], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if line == 1:
                if tuple(row) != CRIME_HEADER:
                    problems.append(Problem(CRIME_FILE, 1, None,
                        f"the first line must be exactly {','.join(CRIME_HEADER)}: this "
                        "file is written by `psa-report figures import`; restore it from git"))
                    break
                continue
            if not row:
                continue
            if len(row) != 3:
                problems.append(Problem(CRIME_FILE, line, None,
                    f"this line has {len(row)} values; each line is month,crime_type,count"))
                continue
            month, kind, number = row
            if not MONTH.fullmatch(month):
                problems.append(Problem(CRIME_FILE, line, None,
                    f"month: {quoted(month)} is not a month written as YYYY-MM (such as "
                    "2024-01)"))
                continue
            if (wrong := year_problem(int(month[:4]))) is not None:
                problems.append(Problem(CRIME_FILE, line, None, f"month: {wrong}"))
                continue
            if not kind.strip():
                problems.append(Problem(CRIME_FILE, line, None, "crime_type: is empty"))
                continue
            if (wrong := name_problem(kind, "crime_type")) is not None:
                problems.append(Problem(CRIME_FILE, line, None, wrong))
                continue
            try:
                count = parse_count(number, MAX_COUNT)
            except NotANumber as bad:
                problems.append(Problem(CRIME_FILE, line, None, f"count: {bad.message}"))
                continue
            if (month, kind) in first:
                problems.append(Problem(CRIME_FILE, line, None,
                    f"{month} {kind} is also on line {first[(month, kind)]}: each month and "
                    "crime type has one line; keep one of them"))
                continue
            first[(month, kind)] = line
            counts[(month, kind)] = count
    except csv.Error as error:
        problems.append(Problem(CRIME_FILE, reader.line_num, None,
                                f"this line cannot be read as CSV ({error})"))
    if problems:
        raise Invalid(problems)
    return counts


def crime_text(counts: Counts) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CRIME_HEADER)
    for (month, kind), number in sorted(counts.items()):
        writer.writerow((month, kind, number))
    return buffer.getvalue()


def crime_bytes(counts: Counts) -> bytes:
    """figures/crime.csv's text for ``counts``, refused if over :data:`MAX_CRIME_BYTES`
    (checked before anything is written)."""
    data = crime_text(counts).encode("utf-8")
    if len(data) > MAX_CRIME_BYTES:
        raise Invalid([Problem(CRIME_FILE, None, None,
            f"would be {len(data):,} bytes, more than figures/crime.csv can be (at most "
            f"{MAX_CRIME_BYTES:,}), so nothing was written: import fewer months")])
    return data


def _publish(path: Path, data: bytes, publish) -> None:
    try:
        publish({path: lambda temp: temp.write_bytes(data)}, user_files=True)
    except Invalid as invalid:  # name the file as the project does
        raise Invalid([Problem(CRIME_FILE, p.line, p.column, p.message)
                       for p in invalid.problems]) from None


def merge_crime(root: Path, counts: Counts) -> tuple[Counts, Path]:
    """figures/crime.csv read again and its months in ``counts`` replaced, all under the
    lock, so that two imports at once each keep the other's months. Returns the counts
    before, and the file."""
    path = inside_project(root, CRIME_FILE)
    months = {month for month, _ in counts}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise Invalid([Problem(f"{FIGURES}/", None, None,
            f"cannot be made ({error.strerror or error}): check that the project folder "
            "can be written to; nothing was written")]) from None
    with locked([path], lambda _: CRIME_FILE):
        existing = read_crime(root)
        merged = {key: n for key, n in existing.items() if key[0] not in months}
        merged.update(counts)
        _publish(path, crime_bytes(merged), publish)
    return existing, path


# ---------------------------------------------------------------- the import

@dataclass(frozen=True)
class MonthChange:
    month: str
    before: int | None  # the month's total before (None: not there before)
    after: int

    @property
    def sentence(self) -> str:
        if self.before is None:
            return f"{self.month}: added, {_rows(self.after)}"
        if self.before == self.after:
            return (f"{self.month}: imported again and replaced; its counts are unchanged "
                    f"({_rows(self.after)})")
        return (f"{self.month}: imported again and replaced: {_rows(self.before)} before, "
                f"{_rows(self.after)} now")


def _rows(n: int) -> str:
    return f"{n:,} crime{'s' if n != 1 else ''} and ASB incidents"


@dataclass
class ImportResult:
    path: Path
    area: str
    files: int
    rows: int
    kept: int
    other_areas: int
    no_location: int
    months: list[MonthChange]
    skipped: dict[str, int]
    empty_files: list[str]  # files with no row of the area

    @property
    def lines(self) -> list[str]:
        """What the import did, sentence by sentence."""
        said = [month.sentence for month in self.months]
        files = f"{self.files} file{'' if self.files == 1 else 's'}"
        said.append(f"Read {files}, {self.rows:,} rows: kept {self.kept:,} in {self.area}.")
        left = []
        if self.other_areas:
            left.append(f"{self.other_areas:,} in other areas (their LSOA name does not "
                        f"start with {self.area!r})")
        if self.no_location:
            left.append(f"{self.no_location:,} with no location (no LSOA, so no area)")
        if left:
            said.append(f"Left out {self.other_areas + self.no_location:,} rows: "
                        + "; ".join(left) + ".")
        for name in self.empty_files:
            said.append(f"{name}: no row is in {self.area}, so it changed nothing.")
        if self.skipped:
            what = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items()))
            said.append(f"Not read: {what} (only …-street.csv files hold street-level crime).")
        return said


def import_crime(root: Path, paths: list[Path], area: str, *,
                 shown: Callable[[Path], str] = str) -> ImportResult:
    """Count the area's rows in the police.uk files at ``paths`` and merge the months
    found into figures/crime.csv. Every problem is reported and nothing is written
    unless every file is right."""
    read_crime(root)  # a broken crime.csv stops the import before reading (read again
    # under the lock before it is written)
    found = find_sources(paths, shown)
    problems = list(found.problems)
    if not found.sources and not problems:
        problems.append(Problem(", ".join(shown(p) for p in paths), None, None,
            "no police.uk street-level crime file (…-street.csv) was found here"))
    names: dict[str, str] = {}
    for source in found.sources:
        if source.name.lower() in names and STREET_NAME.fullmatch(source.name):
            problems.append(Problem(source.display, None, None,
                f"is the same file as {names[source.name.lower()]} (the same name): it would "
                "be counted twice; give it once"))
        names.setdefault(source.name.lower(), source.display)
    if problems:
        raise Invalid(problems)
    counts: Counter = Counter()
    rows = other = no_location = 0
    areas: set[str] = set()
    empty: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for done in count_files(found.sources, area):
        problems += done.problems
        if done.problems:
            continue
        if done.first is not None:
            if done.first in seen:
                problems.append(Problem(done.source.display, None, None,
                    f"holds {done.first[1]}'s rows for {done.first[0]}, as "
                    f"{seen[done.first]} does: the same month's file given twice would be "
                    "counted twice; give it once"))
            seen.setdefault(done.first, done.source.display)
        counts.update(done.counts)
        rows += done.rows
        other += done.other_areas
        no_location += done.no_location
        if done.rows and not done.counts:
            empty.append(done.source.display)
            areas |= done.areas
    if problems:
        raise Invalid(problems)
    if rows and not counts:
        near = sorted({name.rsplit(" ", 1)[0] for name in areas})[:12]
        raise Invalid([Problem(shown(paths[0]) if len(paths) == 1 else "the files given",
            None, None, f"no row is in the area {area!r} (no LSOA name starts with "
            f"'{area} '): check the spelling of the area (--area, or area: in "
            f"actions/report.yaml); these files hold {', '.join(near)}")])
    months = sorted({month for month, _ in counts})
    existing, path = merge_crime(root, dict(counts))
    totals_before: Counter[str] = Counter()
    for (month, _), n in existing.items():
        totals_before[month] += n
    changes = []
    for month in months:
        after = sum(n for (m, _), n in counts.items() if m == month)
        changes.append(MonthChange(month, totals_before.get(month), after))
    return ImportResult(path, area, len(found.sources), rows, sum(counts.values()), other,
                        no_location, changes, dict(found.skipped), empty)
