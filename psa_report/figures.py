"""Crime figures from police.uk: street-level crime files read, counted and kept.

data.police.uk's downloads hold one CSV file per force and month
(``2024-01-cleveland-street.csv``), in folders or a .zip, each row a crime or an
anti-social behaviour incident with its month, its LSOA (a small area, named after
its local authority: "Stockton-on-Tees 014B") and its type.  ``import_crime``
keeps the rows of the partnership's area, counts them by month and type, and
merges them into ``figures/crime.csv`` (``month,crime_type,count``, sorted: a
small text file that git diffs well).  A month imported again replaces that
month's counts, so nothing is ever counted twice.

Speed and memory: each file is read whole (one month of one force, a few MB),
counted and dropped, so memory is bounded by the largest month's file, never by
the history.  A file that is plain (no quoted values, every row 12 values) is
counted with C-level string operations over its lines; any other file, or one
whose fast checks fail, is read row by row by the csv module, which finds and
names every bad row.  Both give the same counts (a test holds them to it).

Nothing here imports pydantic, Jinja or WeasyPrint.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, methodcaller
from pathlib import Path

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
STREET_NAME = re.compile(r"(\d{4}-\d{2})-.+-street\.csv", re.IGNORECASE)
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
#: A month's file larger than this is refused unread (the Metropolitan Police's
#: largest month is about 30 MB).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Rows reported per file before the rest are summed up in one line.
MAX_ROW_PROBLEMS = 10


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

    def read(self) -> bytes:
        if self.member is None:
            with open(self.path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise _TooBig(size)
                return handle.read(MAX_FILE_BYTES + 1)
        with zipfile.ZipFile(self.path) as archive:
            info = archive.getinfo(self.member)
            if info.file_size > MAX_FILE_BYTES:
                raise _TooBig(info.file_size)
            with archive.open(info) as handle:
                return handle.read(MAX_FILE_BYTES + 1)


class _TooBig(Exception):
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


_COMMAS = methodcaller("count", ",")
_TAIL = methodcaller("rsplit", ",", 4)  # [..., LSOA name, Crime type, outcome, context]
_HEAD = methodcaller("split", ",", 3)  # [Crime ID, Month, Reported by, rest]
_SECOND, _THIRD, _FIRST = itemgetter(1), itemgetter(2), itemgetter(0)
_NO_ID = methodcaller("startswith", ",")
_HAS_GAP = methodcaller("__contains__", ",,")


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


def count_file(source: Source, area: str) -> FileCount:
    """Count one street-level file's rows of ``area`` by (month, crime type)."""
    result = FileCount(source)
    try:
        raw = source.read()
    except _TooBig as big:
        result.problems.append(Problem(source.display, None, None,
            f"is {big.size:,} bytes, more than any month of police.uk data, so it was not "
            "read: check it is the right file"))
        return result
    except (OSError, zipfile.BadZipFile, KeyError) as error:
        result.problems.append(Problem(source.display, None, None,
                                       f"cannot be read: {getattr(error, 'strerror', None) or error}"))
        return result
    if b"\0" in raw[:8192]:
        result.problems.append(Problem(source.display, 1, None,
            "this is not a text file (it holds binary data): a police.uk street-level "
            "crime file is a .csv text file"))
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        result.problems.append(Problem(source.display, line, None,
            f"this line is not UTF-8 text (byte 0x{raw[error.start]:02x}): police.uk files "
            "are UTF-8; download the file again rather than saving it from Excel"))
        return result
    del raw
    end = text.find("\n")
    header = text[:end if end >= 0 else len(text)].rstrip("\r")
    if header != HEADER_LINE:
        result.problems.append(_header_problem(source.display, header))
        return result
    name_month = STREET_NAME.fullmatch(source.name)
    expected = name_month.group(1) if name_month else None
    if '"' not in text and _fast(text, area, expected, result):
        return result
    return _slow(text, area, expected, FileCount(source))


def _fast(text: str, area: str, expected: str | None, result: FileCount) -> bool:
    """Count a plain file with C-level operations over its lines. False when any check
    fails: the csv reader then reads it row by row and names the bad rows.

    Only some lines are split: a row whose LSOA name or crime type is empty has two
    commas side by side, a row of the area holds ",AREA ", and a row with no Crime ID
    starts with a comma; every other row is checked by its number of commas alone."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    del text
    lines.pop(0)  # the header
    if "" in lines:
        lines = list(filter(None, lines))
    if not lines:
        return True
    if set(map(_COMMAS, lines)) != {len(HEADER) - 1}:
        return False
    # Rows with an empty field: those with no location, and any with no crime type.
    gaps = list(map(_TAIL, compress(lines, map(_HAS_GAP, lines))))
    if "" in set(map(_THIRD, gaps)):
        return False
    no_location = list(map(_SECOND, gaps)).count("")
    # Rows with no Crime ID must be anti-social behaviour.
    if set(map(_THIRD, map(_TAIL, compress(lines, map(_NO_ID, lines))))) - {ASB}:
        return False
    prefix = area + " "
    near = list(compress(lines, map(methodcaller("__contains__", "," + prefix), lines)))
    tails = list(map(_TAIL, near))
    chosen = list(map(methodcaller("startswith", prefix), map(_SECOND, tails)))
    months = list(map(_SECOND, map(_HEAD, compress(near, chosen))))
    distinct = set(months)
    if not all(MONTH.fullmatch(m) for m in distinct):
        return False
    if expected is not None and distinct - {expected}:
        return False
    kept = len(months)
    result.counts.update(zip(months, map(_THIRD, compress(tails, chosen))))
    result.rows = len(lines)
    result.no_location = no_location
    result.other_areas = len(lines) - kept - no_location
    if result.other_areas:
        result.areas = set(map(_SECOND, map(_TAIL, lines[:500]))) - {""}
    head = lines[0].split(",", 3)
    result.first = (head[1], head[2])
    return True


def _slow(text: str, area: str, expected: str | None, result: FileCount) -> FileCount:
    """Read row by row, naming every row that breaks the format (at its line)."""
    display = result.source.display
    prefix = area + " "
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    bad = 0
    good_months: set[str] = set()

    def problem(message: str) -> None:
        nonlocal bad
        bad += 1
        if bad <= MAX_ROW_PROBLEMS:
            result.problems.append(Problem(display, reader.line_num, None, message))

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
                    problem(f"Month: {month!r} is not a month written as police.uk writes "
                            "it (YYYY-MM, such as 2024-01)")
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
            if not crime_id and kind != ASB:
                problem(f"Crime ID: this {kind!r} row has none; in police.uk files only "
                        "anti-social behaviour rows have no Crime ID")
                continue
            if result.first is None:
                result.first = (month, force)
            if not name:
                result.no_location += 1
            elif name.startswith(prefix):
                result.counts[(month, kind)] += 1
            else:
                result.other_areas += 1
                if len(result.areas) < 2000:
                    result.areas.add(name)
    except csv.Error as error:
        problem(f"this line cannot be read as CSV ({error}): was the file edited?")
    except UnicodeError as error:  # pragma: no cover - decoded above
        problem(f"cannot be read: {error}")
    if bad > MAX_ROW_PROBLEMS:
        result.problems.append(Problem(display, None, None,
            f"and {bad - MAX_ROW_PROBLEMS:,} more rows like these"))
    return result


def count_files(sources: list[Source], area: str, workers: int = 1) -> Iterator[FileCount]:
    """Each file's counts, in the order given; with ``workers`` > 1, files are counted
    in that many processes at once (each holding one file at a time)."""
    if workers <= 1 or len(sources) < 4:
        for source in sources:
            yield count_file(source, area)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(count_file, sources, [area] * len(sources), chunksize=1)


def default_workers() -> int:
    """One process per core, at most four; PSA_REPORT_FIGURES_WORKERS=1 counts in one."""
    given = os.environ.get("PSA_REPORT_FIGURES_WORKERS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


# ---------------------------------------------------------------- figures/crime.csv

Counts = dict[tuple[str, str], int]  # (month, crime type) -> count


def read_crime(root: Path) -> Counts:
    """figures/crime.csv as counts; every bad line named. Empty when there is no file."""
    path = Path(root) / CRIME_FILE
    if not path.exists():
        return {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid([Problem(CRIME_FILE, None, None,
            f"is not UTF-8 text ({error.reason}): restore it from git, or import the "
            "police.uk files again")]) from None
    except OSError as error:
        raise Invalid([Problem(CRIME_FILE, None, None,
                               f"cannot be read: {error.strerror or error}")]) from None
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
                    f"month: {month!r} is not a month written as YYYY-MM (such as 2024-01)"))
                continue
            if not kind.strip():
                problems.append(Problem(CRIME_FILE, line, None, "crime_type: is empty"))
                continue
            if not number.isdigit():
                problems.append(Problem(CRIME_FILE, line, None,
                    f"count: {number!r} is not a whole number of 0 or more"))
                continue
            if (month, kind) in first:
                problems.append(Problem(CRIME_FILE, line, None,
                    f"{month} {kind} is also on line {first[(month, kind)]}: each month and "
                    "crime type has one line; keep one of them"))
                continue
            first[(month, kind)] = line
            counts[(month, kind)] = int(number)
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


def write_crime(root: Path, counts: Counts) -> Path:
    """Replace figures/crime.csv atomically (a temporary file renamed into place)."""
    path = Path(root) / CRIME_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".crime.csv.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(crime_text(counts))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


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
                 shown: Callable[[Path], str] = str, workers: int | None = None
                 ) -> ImportResult:
    """Count the area's rows in the police.uk files at ``paths`` and merge the months
    found into figures/crime.csv. Every problem is reported and nothing is written
    unless every file is right."""
    existing = read_crime(root)  # a broken crime.csv stops the import before reading
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
    workers = default_workers() if workers is None else workers
    for done in count_files(found.sources, area, workers):
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
    totals_before = Counter()
    for (month, _), n in existing.items():
        totals_before[month] += n
    merged = {key: n for key, n in existing.items() if key[0] not in months}
    merged.update(counts)
    changes = []
    for month in months:
        after = sum(n for (m, _), n in counts.items() if m == month)
        changes.append(MonthChange(month, totals_before.get(month), after))
    path = write_crime(root, merged)
    return ImportResult(path, area, len(found.sources), rows, sum(counts.values()), other,
                        no_location, changes, dict(found.skipped), empty)
