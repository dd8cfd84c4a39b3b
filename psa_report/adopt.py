"""Adopting an existing tracker: an Excel or CSV action plan read as data, its shape
inferred, and a whole project (plan.yaml, agencies.yaml, report.yaml, one file per row)
made from it. ``psa-report init FOLDER --from FILE`` (commands/init.py) runs it.

The stages:

* :func:`read_tracker`: the cells of one sheet (or of a CSV/TSV file), as typed: text,
  numbers, date cells, and the fill colour of each cell. A workbook is streamed through
  the bounded reader (:mod:`psa_report.xlsx`) as data only: no formula is ever run and
  nothing outside the file is followed; the cached value of a formula is its value.
* :func:`infer`: the header row (title rows, merged title cells and blank rows above it
  skipped), each column's field and type, the statuses, the agencies, the refs; every
  cell placed somewhere, and every choice said in :attr:`Adoption.notes`. Then the text
  of every file, each value written by scaffold's writers (which read it back through
  the loader) and each item checked against the inferred shape before anything is written.
"""

from __future__ import annotations

import colorsys
import csv
import io
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import takewhile
from pathlib import Path
from typing import Any, cast

from . import fieldtypes, xlsx
from .changes import AS_WRITTEN
from .chars import refused
from .dates import Due, parse_day, parse_due
from .files import decode_utf8, delimiter, read_regular
from .loader import load_text
from .problems import Invalid, Problem
from .scaffold import _reads_back, quoted, yaml_field
from .shape import (
    EXEMPT,
    INDICATOR,
    PLAN_FILE,
    RefForm,
    StatusDef,
    check_agency_name,
    normal_word,
    shape_from_document,
    validate_item,
)
from .xlsx import column_letter

#: Largest tracker read (a workbook of a few thousand rows, with its styles).
MAX_TRACKER_BYTES = 20 * 1024 * 1024
#: A workbook unpacking to more than this is not a tracker (a zip bomb inflates far).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 5000
#: The last column read (BH): a value beyond it is refused at its cell, never dropped.
MAX_COLUMNS = 60
#: The bounds every tracker workbook is streamed within (:mod:`psa_report.xlsx`).
TRACKER_LIMITS = xlsx.Limits(
    rows=MAX_ROWS, columns=MAX_COLUMNS, cells=MAX_ROWS * MAX_COLUMNS,
    total=MAX_UNZIPPED_BYTES, what="a tracker", beyond="more than a tracker is read with",
    fix="save only the plan's rows and columns, or name the plan's sheet with --sheet")
#: How far down the header row is looked for.
HEADER_SEARCH_ROWS = 40
#: The kind every row becomes.
KIND_NAME, KIND_FOLDER = "action", "actions"
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt")


# ---------------------------------------------------------------- cells


#: One cell as typed (text, a number, a date or None) and its solid fill as RRGGBB: the
#: bounded reader's own, a CSV file's cells made as text.
Cell = xlsx.XCell


@dataclass
class Grid:
    """The cells of one sheet, row by row (rows numbered as the user sees them)."""

    display: str  # the file's name
    sheet: str | None  # the sheet's name; None for a CSV file
    rows: dict[int, dict[int, Cell]]
    other_sheets: list[str] = field(default_factory=list)
    #: merged cells: (first row, first column, last row, last column)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def where(self, row: int | None = None, column: int | None = None,
              header: str | None = None) -> str:
        """"tracker.xlsx: sheet Plan, row 7, column E (Timescale)"."""
        parts = [f"sheet {self.sheet}"] if self.sheet is not None else []
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column_letter(column)}" + (f" ({header})" if header else ""))
        return f"{self.display}: {', '.join(parts)}" if parts else self.display

    def problem(self, message: str, row: int | None = None, column: int | None = None,
                header: str | None = None) -> Problem:
        return Problem(self.where(row, column, header), None, None, message)


def read_tracker(path: Path, sheet: str | None = None) -> Grid:
    """The cells of the tracker at ``path``: one sheet of a workbook (``sheet``, or the
    first that holds a table), or a CSV/TSV file."""
    path = Path(path)
    display, suffix = path.name, path.suffix.lower()
    if suffix not in SUFFIXES:
        what = {".xls": "an Excel 97-2003 workbook (.xls)", ".ods": "an OpenDocument "
                "spreadsheet (.ods)"}.get(suffix, f"a {suffix} file" if suffix else
                                           "a file with no extension")
        raise Invalid([Problem(display, None, None,
            f"this is {what}, which psa-report does not read: save it from Excel or "
            "LibreOffice as Excel Workbook (.xlsx) or CSV UTF-8 (.csv), and name that")])
    raw = read_regular(path, display, MAX_TRACKER_BYTES, lambda size: (
        f"the tracker is {size:,} bytes, over the limit of {MAX_TRACKER_BYTES:,} bytes: "
        "check it is the right file, or save only the sheet of the plan"),
        fix="name the tracker's .xlsx or .csv file")
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(raw, display, sheet)
    if sheet is not None:
        raise Invalid([Problem(display, None, None,
            f"--sheet {sheet} names a sheet, but a CSV file has none: leave --sheet out")])
    return _read_csv(raw, display)


def _read_csv(raw: bytes, display: str) -> Grid:
    text = decode_utf8(raw, lambda line, column, byte: Invalid([Problem(
        f"{display}: line {line}, character {column}", None, None,
        f"byte 0x{byte:02X} is not UTF-8 text: in Excel use Save As, 'CSV UTF-8', and "
        "name that file")]))
    # The separator is guessed from the first line that has one (title rows exported
    # from a sheet may hold a single cell).
    lines = [line for line in text.split("\n")[:40] if line.strip()]
    sample = max(lines, key=lambda line: max(line.count(s) for s in "\t;,"), default="")
    separator = "\t" if display.lower().endswith(".tsv") else delimiter(sample)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: dict[int, dict[int, Cell]] = {}
    try:
        for number, cells in enumerate(reader, 1):
            if number > MAX_ROWS:
                raise Invalid([Problem(display, None, None,
                    f"has more than {MAX_ROWS:,} rows, more than an action plan holds: "
                    "check it is the right file")])
            if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
                raise Invalid([Problem(f"{display}: row {number}", None, None,
                    f"has {len(cells)} columns, more than the {MAX_COLUMNS} a tracker is "
                    "read with: check the separator, or save only the plan's columns")])
            rows[number] = {i: Cell(number, i, value) for i, value in enumerate(cells, 1)
                            if value.strip()}
    except csv.Error as error:
        raise Invalid([Problem(f"{display}: row {reader.line_num}", None, None,
                               f"the file cannot be read as CSV: {error}")]) from None
    return Grid(display, None, rows)


def _read_workbook(raw: bytes, display: str, wanted: str | None) -> Grid:
    """One sheet of a workbook, through the bounded reader (:mod:`psa_report.xlsx`): data
    only (a formula's value last saved, never the formula run), nothing outside the file
    followed, and a cell beyond the bounds refused at that cell."""
    book = xlsx.Book(raw, display, TRACKER_LIMITS)
    try:
        sheets = [s for s in book.sheets if s.state == "visible"]
        names = [s.title for s in book.sheets]
        if wanted is not None:
            found = book.sheet(wanted) or next(
                (s for s in book.sheets if normal_word(s.title) == normal_word(wanted)),
                None)
            if found is None:
                raise Invalid([Problem(display, None, None,
                    f"has no sheet named {wanted!r}: its sheets are "
                    f"{', '.join(repr(n) for n in names)}")])
            sheets = [found]
        # The first sheet that holds a table, else the first.
        grid = None
        for sheet in sheets:
            read = _sheet_grid(book, sheet, display)
            if grid is None:
                grid = read
            if _find_header(read) is not None:
                grid = read
                break
        if grid is None:
            raise Invalid([Problem(display, None, None, "has no sheet to read")])
        grid.other_sheets = [n for n in names if n != grid.sheet]
        return grid
    finally:
        book.close()


def _sheet_grid(book: xlsx.Book, sheet: xlsx.Sheet, display: str) -> Grid:
    rows: dict[int, dict[int, Cell]] = {}
    for number, cells in book.rows(sheet):
        row: dict[int, Cell] = {}
        for cell in cells:
            if cell.value == "":
                cell.value = None
            if isinstance(cell.value, datetime) and _month_format(cell.number_format):
                # shown as Mar-26: a month
                cell.value = f"{cell.value.year:04d}-{cell.value.month:02d}"
            if cell.value is not None or cell.fill is not None:
                row[cell.column] = cell
        if row:
            rows[number] = row
    return Grid(display, sheet.title, rows, merged=list(sheet.merged))


def _month_format(number_format: str) -> bool:
    """A date cell shown as a month (mmm-yy, mmmm yyyy): its number format has no day."""
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format or "").lower()
    return "m" in plain and "y" in plain and "d" not in plain and "h" not in plain


# ---------------------------------------------------------------- values


def cell_text(value: Any) -> str:
    """A filled cell's value as text: dates as 2025-03-31, whole numbers without ".0",
    line breaks as "\\n"."""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    # Line breaks inside a cell part paragraphs: blank lines between them are one break.
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


# ---------------------------------------------------------------- statuses

#: The usual status words, best first: name, colour, done, exception, words and letters.
USUAL = (
    ("complete", "blue", True, False,
     ("complete", "completed", "done", "closed", "achieved", "finished", "blue", "b", "c")),
    ("green", "green", False, False,
     ("green", "g", "on track", "on target", "on schedule", "good progress")),
    ("amber", "amber", False, True,
     ("amber", "a", "at risk", "some concerns", "slipping", "minor issues")),
    ("not started", "grey", False, False,
     ("not started", "not yet started", "grey", "gray", "not begun", "to start")),
    ("red", "red", False, True,
     ("red", "r", "off track", "not on track", "significant concerns", "major issues")),
)
_GROUP_OF = {normal_word(word): group for group, *_, words in USUAL for word in words}
_LETTERS = {"b", "c", "g", "a", "r"}
#: Other words, placed by what they mean (the group they stand nearest to).
_MEANING = (
    (("ongoing", "in progress", "progressing", "started", "underway", "under way",
      "on going", "continuing", "business as usual"), "green"),
    (("delayed", "behind", "partially", "partial", "some progress", "limited progress",
      "at risk", "review", "under review", "paused"), "amber"),
    (("overdue", "not resourced", "stopped", "blocked", "failed", "not achieved",
      "cancelled", "withdrawn", "no progress", "not progressing"), "red"),
    (("not yet due", "pending", "planned", "future", "not due", "on hold", "deferred",
      "tbc", "tbd"), "not started"),
    (("closed", "superseded", "merged", "ended"), "complete"),
)
#: A status column's header: RAG, Status, RAG status, Status (RAG), Rating, BRAG...
_RAG_HEADER = re.compile(r"\b(rag|r a g|b?rag|status|rating)\b")


def rag_colour(rgb: str) -> str | None:
    """The usual RAG group a fill colour is (green, amber, red, complete for blue,
    not started for grey), or None."""
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    if sat < 0.15 or light > 0.97:
        return "not started" if 0.3 < light < 0.95 and sat < 0.15 else None
    # The band of hues (in degrees) the colour is in: red runs round past 360.
    bands = ((20, "red"), (65, "amber"), (170, "green"), (260, "complete"), (330, None),
             (360, "red"))
    return next(group for limit, group in bands if hue * 360 < limit)


def _meaning(word: str) -> str | None:
    text = normal_word(word)
    for usual, group in sorted(_GROUP_OF.items(), key=lambda kv: -len(kv[0])):
        if usual not in _LETTERS and re.search(rf"\b{re.escape(usual)}\b", text):
            return group  # "Green - ahead of plan"
    for words, group in _MEANING:
        if text in words:
            return group
    for words, group in _MEANING:
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return group
    return None


# ---------------------------------------------------------------- agencies

_SPLIT = re.compile(r"\s*[,;/\n]\s*")
_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
#: A lead column's header: Lead, Lead agency, Owner(s), Responsible, Delivery led by...
_LEAD_HEADER = re.compile(r"\b(lead|leads|owners?|responsib\w*|led|accountable)\b")
#: ...or, where no column is headed so, Agency, Partner(s).
_AGENCY_HEADER = re.compile(r"\b(agency|agencies|partners?|organisations?|organizations?)\b")


def split_leads(cells: list[str]) -> dict[str, list[str]]:
    """Each lead cell -> the agencies it names: split on commas, semicolons, slashes and
    line breaks; on "and" or "&" only where every part is a lead on its own elsewhere or
    the parts repeat across cells ("Fire and Rescue" stays whole)."""
    parts_of = {cell: [p for p in _SPLIT.split(cell) if p.strip()] for cell in cells}
    alone = {normal_word(p) for parts in parts_of.values() for p in parts
             if not _AND.search(p)}
    pieces = Counter(normal_word(piece) for part in {p for ps in parts_of.values() for p in ps}
                     if _AND.search(part) for piece in _AND.split(part))
    found = {}
    for cell, parts in parts_of.items():
        names = []
        for part in parts:
            pieces_here = _AND.split(part)
            if len(pieces_here) > 1 and all(normal_word(p) in alone or pieces[normal_word(p)] > 1
                                            for p in pieces_here):
                names += pieces_here
            else:
                names.append(part)
        found[cell] = [" ".join(n.split()) for n in names if n.strip()]
    return found


# ---------------------------------------------------------------- the inference


@dataclass
class Column:
    """One column of the tracker, and the field it becomes."""

    number: int
    header: str  # as the header cell says (or "Column F" for a blank one)
    name: str = ""  # the field's name
    type: str = "line"
    required: bool = False
    partners: bool = False
    ref: bool = False  # the Ref column, whose values are the items' refs
    #: field name of the text field holding this column's cells that fit no type
    spill: str | None = None
    spill_rows: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Adoption:
    """What :func:`infer` made of a tracker: the files to write and what it said."""

    plan_yaml: str
    files: dict[str, str]  # path relative to the project -> text
    notes: list[str]  # what was inferred, column by column
    unmapped: list[str]  # what was not mapped, by sheet, row and column, and where it went
    rows: int


def _field_name(header: str, taken: set[str]) -> str:
    ascii_ = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")[:40].strip("_")
    if not name or not name[0].isalpha():
        name = f"column_{name}" if name else "column"
    if name in ("ref", INDICATOR, EXEMPT):  # names psa-report gives a meaning of its own
        name = f"tracker_{name}"
    base, number = name, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def _header_cell(cell: Cell) -> bool:
    """Could be a column's name: short text (or a number, such as a year)."""
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        return True
    return (isinstance(cell.value, str) and cell.value.strip() != ""
            and len(cell.value.strip()) <= 200)


def _find_header(grid: Grid) -> int | None:
    """The header row: the first row of several short text cells, at least half as
    wide as the rows of data below it, with data under it."""
    numbers = sorted(grid.rows)
    for number in numbers[:HEADER_SEARCH_ROWS]:
        row = grid.rows[number]
        filled = [c for c in row.values() if not c.blank]
        if (len(filled) < 2 or not all(_header_cell(c) for c in filled)
                or sum(isinstance(c.value, str) for c in filled) * 2 < len(filled)):
            continue
        if len({normal_word(c.value) for c in filled}) < len(filled) * 0.7:
            continue
        below = [r for r in numbers if r > number][:20]
        widths = [sum(1 for c in grid.rows[r].values() if not c.blank) for r in below]
        if not widths or max(widths) < 2:
            continue
        columns = {c.column for c in filled}
        under = sum(1 for r in below for c in grid.rows[r].values()
                    if not c.blank and c.column in columns)
        if len(filled) * 2 >= max(widths) and under >= len(below):
            return number
    return None


def _looks_like_ref_header(header: str, exact: bool = False) -> bool:
    """Ref, Ref No., No., #, ID...; or (not ``exact``) any header with the word ref."""
    word = normal_word(header).rstrip(".")
    if not exact and re.search(r"\b(ref|refs|reference)\b", word):
        return True
    return word in ("ref", "ref no", "ref number", "reference", "no", "number", "#", "id",
                    "action ref", "action no", "action number", "item", "item no",
                    "action id", "refs", "action reference")


def _usual_statuses(values: list[str]) -> bool:
    """Mostly the usual status words or letters (letters alone only as G, A, R...)."""
    known = [normal_word(v) for v in values if normal_word(v) in _GROUP_OF]
    if not values or len(known) < 0.6 * len(values):
        return False
    if all(k in _LETTERS for k in known):
        return bool({"g", "r"} & set(known))
    return True


def infer(grid: Grid, source: str) -> Adoption:
    """The project a tracker becomes; :class:`Invalid` naming the sheet, row and column
    of anything that cannot be written at all."""
    header_row = _find_header(grid)
    if header_row is None:
        first = sorted(grid.rows)[:HEADER_SEARCH_ROWS]
        if not first:
            raise Invalid([grid.problem("is empty: there is no table to read")])
        last = grid.rows[sorted(grid.rows)[-1]]
        filled = [c for c in last.values() if not c.blank]
        if len(filled) >= 2 and all(_header_cell(c) for c in filled):
            raise Invalid([grid.problem("has no rows of data under the header row: add "
                                        "the plan's rows, or name the right sheet with "
                                        "--sheet", sorted(grid.rows)[-1])])
        raise Invalid([grid.problem(
            f"no header row found in rows {first[0]}-{first[-1]}: psa-report looks for a "
            "row of two or more column names (short text, such as Ref, Action, Lead, "
            "Status) above the rows of the plan. Check this is the plan's sheet (name "
            "another with --sheet), or type the column names in one row")])
    notes: list[str] = []
    unmapped: list[str] = []
    # A second header row under cells merged across ("Milestones" over Q1, Q2...).
    labels, sub_row = _labels(grid, header_row)
    last_header = sub_row or header_row
    # A cell merged down over several rows of the plan holds the value of each of them.
    for low_row, low_col, high_row, _ in sorted(grid.merged):
        top = grid.rows.get(low_row, {}).get(low_col)
        if low_row <= last_header or high_row == low_row or top is None or top.blank:
            continue
        for r in range(low_row + 1, min(high_row, low_row + MAX_ROWS) + 1):
            if r in grid.rows and (grid.rows[r].get(low_col) is None
                                   or grid.rows[r][low_col].blank):
                grid.rows[r][low_col] = Cell(r, low_col, top.value, fill=top.fill)
        unmapped.append(f"{grid.where(low_row, low_col, labels.get(low_col))}: merged down to row "
                        f"{high_row}: its value is given to each of rows {low_row}-{high_row}")
    # A character that is not text (a control character pasted in) cannot be kept.
    problems = [grid.problem(refusal[1], r, c.column,
                             labels.get(c.column) if r > last_header else None)
                for r in sorted(grid.rows) for c in grid.rows[r].values()
                if not c.blank and (refusal := refused(cell_text(c.value))) is not None]
    if problems:
        raise Invalid(problems)
    data_numbers = [r for r in sorted(grid.rows) if r > last_header
                    and any(not c.blank for c in grid.rows[r].values())]
    # Columns: every header, and any column holding data under no header.
    used = sorted({c.column for r in data_numbers for c in grid.rows[r].values()
                   if not c.blank} | set(labels))
    columns = [Column(n, labels.get(n) or f"Column {column_letter(n)}") for n in used]
    unmapped += [f"{grid.where(header_row, c.number)}: no header above data: kept as a "
                 f"field labelled {c.header!r}" for c in columns if c.number not in labels]
    taken: set[str] = set()

    # Title rows above the header.
    titles = []
    for r in sorted(grid.rows):
        if r >= header_row:
            break
        texts = [cell_text(c.value) for c in sorted(grid.rows[r].values(),
                                                      key=lambda c: c.column) if not c.blank]
        if texts:
            titles.append((r, " ".join(texts)))

    # Section heading rows inside the table: one text cell in a row where rows have many.
    typical = sorted(k for r in data_numbers
                     if (k := sum(1 for c in grid.rows[r].values() if not c.blank)) > 1)
    median = typical[len(typical) // 2] if typical else 0  # of the rows of several cells
    headings: dict[int, str] = {}
    notes_below: list[tuple[int, str]] = []  # one-cell rows below the last row of data
    notes_inside: list[tuple[int, str]] = []  # one-cell rows that are notes to the reader
    item_rows: list[int] = []
    # A heading or a note is a row of one cell, in the first column or merged across
    # (a new row with only its action typed is an item); and not a ref alone.
    across = {(low_row, low_col) for low_row, low_col, _, high_col in grid.merged
              if high_col > low_col}
    first_column = min((c.column for c in grid.rows[header_row].values() if not c.blank),
                       default=1)
    single: dict[int, Cell] = {}  # row -> its one cell
    for r in data_numbers:
        only = _one_cell(grid.rows[r]) if median >= 3 else None
        if only is not None and (only.column <= first_column or (r, only.column) in across) \
                and not re.fullmatch(r"[A-Za-z]*[-.]?\d+(\.\d+)*[a-z]?", only.value.strip()):
            single[r] = only
    for r in data_numbers:
        if r not in single:
            item_rows.append(r)
        elif not any(n > r and n not in single for n in data_numbers):
            notes_below.append((r, cell_text(single[r].value)))
        elif _note_row(text := cell_text(single[r].value)):
            notes_inside.append((r, text))
        else:
            headings[r] = text
    for where, notes_there in (("below", notes_below), ("inside", notes_inside)):
        unmapped += [f"{grid.where(r)}: a note {where} the table: kept as a comment in "
                     "report.yaml" for r, _ in notes_there]
    # The financial year the tracker is for (a quarter alone, "Q4", is of it).
    year = tracker_year([t for _, t in titles] + [grid.sheet or "", Path(grid.display).stem])
    if not item_rows:
        raise Invalid([grid.problem("has no rows of data under the header row: add the "
                                    "plan's rows, or name the right sheet with --sheet",
                                    header_row)])

    def cell(r: int, column: Column) -> Cell | None:
        return grid.rows[r].get(column.number)

    def values(column: Column) -> list[tuple[int, Cell]]:
        return [(r, c) for r in item_rows if (c := cell(r, column)) is not None
                and not c.blank]

    def blank_fills(column: Column) -> list[tuple[int, Cell]]:
        """The cells of no text but a fill colour (a status shown by its colour)."""
        return [(r, c) for r in item_rows if (c := cell(r, column)) is not None
                and c.blank and c.fill]

    # The Ref column.
    ref_column = next((c for c in columns if _looks_like_ref_header(c.header, exact=True)),
                      None) or next((c for c in columns if _looks_like_ref_header(c.header)),
                                    None)
    ref_form: RefForm | None = None
    refs: dict[int, str] = {}
    if ref_column is not None:
        by_row = {r: cell_text(c.value) for r, c in values(ref_column)}
        try:  # the form of the first ref ("" if none: no form)
            form: RefForm | None = RefForm.from_example(next(iter(by_row.values()), ""))
        except ValueError:
            form = None
        if form is not None and form.style != "none" and all(
                form.valid(v) and form.parse(v) == v for v in by_row.values()) and len(
                set(by_row.values())) == len(by_row) and len(by_row) * 2 > len(item_rows):
            ref_form, refs = form, dict(by_row)
            ref_column.ref = True
            notes.append(f"{ref_column.header} → refs like {form.example}")
            # A row with no ref yet (a new action) is given the next free one.
            for r in item_rows:
                if r not in refs:
                    refs[r] = form.next_ref(refs.values())
                    unmapped.append(f"{grid.where(r, ref_column.number, ref_column.header)}"
                                    f": no ref: given {refs[r]}, the next free one")
        else:
            why = ("most rows have none" if len(by_row) * 2 <= len(item_rows) else
                   "two rows share a ref" if len(set(by_row.values())) < len(by_row) else
                   "they are not all of one form psa-report knows (numbers with dots, or "
                   "letters and a number)")
            notes.append(f"{ref_column.header}: not used as refs ({why}): kept as a field; "
                         "the items are numbered 1, 2, 3... in the tracker's order")
    if ref_form is None:
        ref_form = RefForm.from_example("1")
        refs = {r: str(i) for i, r in enumerate(item_rows, 1)}
        if ref_column is None:
            notes.append("no Ref column: the items are numbered 1, 2, 3... in the "
                         "tracker's order")

    # Each other column: its type.
    item_values: dict[int, dict[str, Any]] = {r: {} for r in item_rows}
    status_words: dict[str, list[int]] = {}
    fills_read: dict[int, str] = {}  # row -> the usual group of its fill (no text)
    agencies: dict[str, str] = {}

    def spill(column: Column, r: int, text: str) -> None:
        """A cell that does not fit its column's type: kept as text of its column."""
        if column.spill is None:
            column.spill = _field_name(f"{column.name}_as_written", taken)
        column.spill_rows.append(r)
        item_values[r][column.spill] = text

    # The lead column: the first headed Lead, Owner...; or else Agency, Partners...
    lead_like = next((c for c in columns if not c.ref and _LEAD_HEADER.search(
        normal_word(c.header))), None) or next((c for c in columns if not c.ref and
                                                _AGENCY_HEADER.search(normal_word(c.header))),
                                               None)
    status_column = _status_column([c for c in columns if not c.ref and c is not lead_like],
                                   values, blank_fills)
    # The deadline: the column headed like one (Due, Deadline, Target date...); never
    # a Start, Raised or Last updated column, which are dates.
    deadline = _deadline_column([c for c in columns if not c.ref and c is not status_column
                                 and c is not lead_like], values, year)
    # each text typed in the deadline column -> what it means, its rows, whether the
    # tracker's year was needed to read it
    words_read: dict[str, tuple[Due, list[int], bool]] = {}
    for column in columns:
        if column.ref:
            continue
        column.name = _field_name(column.header, taken)
        found = values(column)
        texts = [cell_text(c.value) for _, c in found]
        word = normal_word(column.header)
        if column is status_column:
            column.type = "status"
        elif (column is lead_like and texts and all(len(t) <= 120 for t in texts)):
            column.type = "agencies"
        elif column is deadline:
            column.type = "due"
        elif texts and (all(isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
                            for _, c in found)
                        or all(re.fullmatch(_NUMBER, t) for t in texts)):
            column.type = "number"
        elif texts and (all(_day_text(c.value) is not None for _, c in found) or (
                _start_header(word) and sum(_day_text(c.value) is not None
                                            for _, c in found) * 2 >= len(found))):
            column.type = "date"  # Start, Date raised, Last updated: not the deadline
        elif any("\n" in t or len(t) > 100 for t in texts) or _UPDATE_HEADER.search(word):
            column.type = "text"
        else:
            column.type = "line"

        # Place each cell.
        read_note = ""  # the date words a deadline column was read with
        guessed = fieldtypes.get(column.type)
        if guessed.is_agencies:
            split = split_leads(texts)
            # Each agency as it is most often written (of equals, the first written).
            counts = Counter(name for names in split.values() for name in names)
            canonical = {normal_word(n): n for n, _ in reversed(counts.most_common())}
            splits = sorted({t for t, names in split.items() if len(names) > 1})
            for (r, _), text in zip(found, texts, strict=True):
                names = [canonical[normal_word(n)] for n in split[text]]
                try:
                    names = [check_agency_name(n) for n in names]
                    for n in names:
                        if refused(n, True) is not None or len(n) > 80:
                            raise ValueError(n)
                except ValueError:
                    spill(column, r, text)
                    continue
                item_values[r][column.name] = list(dict.fromkeys(names))
                for n in names:
                    agencies.setdefault(n, n)
            names = sorted(agencies, key=str.lower)
            note = (f"{column.header} → {column.name} (agencies: "
                    + (", ".join(names) if len(names) <= 12 else f"{len(names)} found"))
            if splits:
                shown = "; ".join(f"{s!r} as {', '.join(split[s])}" for s in splits[:4])
                note += f"; read {shown}" + ("..." if len(splits) > 4 else "")
            column.note = note + ")"
        elif guessed.is_status:
            for r, c in found:
                text = cell_text(c.value)
                if len(text) > 40 or "\n" in text:
                    spill(column, r, text)
                    continue
                status_words.setdefault(" ".join(text.split()), []).append(r)
                item_values[r][column.name] = " ".join(text.split())
            for r, c in blank_fills(column):
                if (group := rag_colour(c.fill or "")) is not None:
                    fills_read[r] = group
                    item_values[r][column.name] = group  # named once the statuses are
        elif guessed.is_due:
            for r, c in found:
                read = _due_read(c.value, year)
                if read is None:
                    spill(column, r, cell_text(c.value))
                    continue
                item_values[r][column.name] = read[0]
                if isinstance(c.value, str):
                    typed = " ".join(c.value.split())
                    words_read.setdefault(typed, (read[1], [], read[0] != typed))[1].append(r)
            column.note = f"{column.header} → {column.name} (due)"
            words = [f"{t!r} as {due.long}" + (" (its year from the tracker's title)"
                                                  if needed else "")
                     + f" (row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))})"
                     for t, (due, rows, needed) in words_read.items()
                     if not re.fullmatch(r"\d{4}-\d\d(-\d\d)?", t)]
            if words:
                read_note = "; read " + "; ".join(words[:30]) + (
                    f"; and {len(words) - 30} more" if len(words) > 30 else "")
        else:  # a date, a number, a line or a text
            for r, c in found:
                text = cell_text(c.value)
                written = (_day_text(c.value) if guessed.is_date else None
                           if guessed.is_number and not re.fullmatch(_NUMBER, text) else text)
                if written is None:
                    spill(column, r, text)
                else:
                    item_values[r][column.name] = written
            column.note = f"{column.header} → {column.name} ({column.type})"
        if column.spill_rows and column.spill is not None:
            rows = ", ".join(str(r) for r in column.spill_rows)
            what = {"due": "not a date or period", "number": "not a number",
                    "agencies": "not agency names", "status": "not a status word",
                    "date": "not a day"}[column.type]
            count = len(column.spill_rows)
            column.note += (f"; {count} cell{'s' if count != 1 else ''} {what}: row"
                            f"{'s' if count != 1 else ''} {rows} (kept as text in "
                            f"{column.spill})")
            if guessed.dated:
                kept = Counter(item_values[r][column.spill] for r in column.spill_rows)
                short = [t for t in kept if len(t) <= 40 and "\n" not in t]
                if short:
                    column.note += ("; no date in " + ", ".join(repr(t) for t in short[:12])
                                    + (", ..." if len(short) > 12 else "") + ": kept as written")
            for r in column.spill_rows:
                unmapped.append(f"{grid.where(r, column.number, column.header)}: "
                                f"{what}: kept as text in {column.spill}")
        column.note += read_note
        column.required = all(column.name in item_values[r] for r in item_rows)

    # Statuses.
    status_fills = {} if status_column is None else {
        r: s.fill for r in item_rows if (s := cell(r, status_column)) is not None and s.fill}
    statuses, status_notes, words_to_status = _statuses(status_words, status_fills,
                                                        set(fills_read.values()))
    if status_column is not None:
        for r, group in fills_read.items():
            item_values[r][status_column.name] = words_to_status[group]
        status_column.note = (f"{status_column.header} → {status_column.name} (status: "
                              + "; ".join(status_notes) + ")" + status_column.note)
        if fills_read:
            rows = ", ".join(str(r) for r in fills_read)
            status_column.note += (f"; {len(fills_read)} status{'es' if len(fills_read) != 1 else ''} "
                                   f"read from the cell's fill colour (no text): rows {rows}")
            for r in fills_read:
                unmapped.append(f"{grid.where(r, status_column.number, status_column.header)}"
                                f": no text; status read from the fill colour as "
                                f"{item_values[r][status_column.name]!r}")

    # Which column is the deadline, said first.
    dates = [c.header for c in columns if fieldtypes.get(c.type).is_date]
    if deadline is not None:
        said = (f"the deadline: {deadline.header} (column {column_letter(deadline.number)}) → "
                f"{deadline.name}")
    else:
        said = ("no deadline: no column is headed Due, Deadline, Target date, Timescale, By "
                "when or Completion date over dates; give one field `type: due` in "
                "actions/plan.yaml if the plan has one")
    if dates:
        said += (f"; {', '.join(dates)} {'is a date' if len(dates) == 1 else 'are dates'}, "
                 "not the deadline")
    notes.append(said)
    for column in columns:
        # Partners fill in the update, the status and the deadline.
        guessed = fieldtypes.get(column.type)
        column.partners = guessed.is_status or column is deadline or (
            guessed.running_text and _UPDATE_HEADER.search(normal_word(column.header)) is not None)
        if column.ref:
            continue
        if column.name == f"tracker_{EXEMPT}":
            column.note += (f"; named {column.name}, not {EXEMPT}: in psa-report `{EXEMPT}:` "
                            "marks information exempt from publication (`exempt: 7`), so "
                            "this column is kept as a plain field")
        notes.append(column.note)
    sections = _sections(headings, item_rows, refs, ref_form) if headings else None
    section = None
    found_headings = (f"{len(headings)} heading row{'s' if len(headings) != 1 else ''} "
                      f"inside the table (rows {', '.join(map(str, headings))}) → ")
    if sections:
        notes.append(f"{found_headings}report.yaml's sections {', '.join(sections)}")
    elif headings:
        section = _field_name("Section", taken)
        notes.append(f"{found_headings}{section} (line) of the items under each")
        current = None
        for r in sorted([*headings, *item_rows]):
            if r in headings:
                current = headings[r]
            elif current is not None:
                item_values[r][section] = current

    partnership, title = (banner_parts(titles[0][1]) if titles else
                          (None, Path(grid.display).stem))
    if titles:
        notes.insert(0, f"row {titles[0][0]} → report.yaml's "
                     + (f"partnership ({partnership}) and title ({title})" if partnership
                        else "title (it names no partnership apart: write the "
                        "partnership's name in report.yaml)"))
        for r, _ in titles[1:]:
            unmapped.append(f"{grid.where(r)}: above the header: kept as a comment in "
                            "report.yaml")
    if grid.other_sheets:
        others = grid.other_sheets
        unmapped.append(f"{grid.display}: sheet{'s' if len(others) != 1 else ''} "
                        f"{', '.join(repr(s) for s in others)} not read (only sheet "
                        f"{grid.sheet!r}): name another with --sheet")

    plan_yaml = _plan_yaml(grid, source, columns, ref_form, statuses, section,
                           all(status_column is None or status_column.name in item_values[r]
                               for r in item_rows), bool(sections))
    shape = shape_from_document(load_text(plan_yaml, f"actions/{PLAN_FILE}"))
    kind = shape.kinds[0]
    files = {f"actions/{PLAN_FILE}": plan_yaml,
             "actions/agencies.yaml": _agencies_yaml(agencies, source),
             "actions/report.yaml": _report_yaml(
                 title, sorted([*titles[1:], *notes_inside, *notes_below]), source,
                 sections or {}, partnership, grid)}
    for r in item_rows:
        path = f"actions/{kind.folder}/{refs[r]}.yaml"
        text = _item_yaml(kind, refs[r], item_values[r], grid, r)
        try:
            validate_item(load_text(text, path), kind, shape, agencies or None, source=path)
        except Invalid as invalid:
            problems += [grid.problem(f"cannot be kept as it is ({p.message})", r)
                         for p in invalid.problems]
            continue
        files[path] = text
    if problems:
        raise Invalid(list(dict.fromkeys(problems)))  # each said once
    header = (f"header on row {header_row}" if sub_row is None else
              f"header on rows {header_row}-{sub_row}") + f"; {len(item_rows)} rows of the plan " \
             f"(rows {item_rows[0]}-{item_rows[-1]})"
    notes.insert(0, f"{grid.where()}: {header}")
    return Adoption(plan_yaml, files, notes, unmapped, len(item_rows))


def _labels(grid: Grid, header_row: int) -> tuple[dict[int, str], int | None]:
    """Each column's label, and the row of a second header row if there is one: short
    text under cells of the header merged across ("Milestones" over Q1, Q2, Q3), each
    label then the two joined ("Milestones Q1")."""
    def text(cell: Cell) -> str:
        return " ".join(cell_text(cell.value).split())

    top = {c.column: text(c) for c in grid.rows[header_row].values() if not c.blank}
    below = [r for r in sorted(grid.rows) if r > header_row]
    if not below:
        return top, None
    sub_row = below[0]
    sub = {c.column: c for c in grid.rows[sub_row].values() if not c.blank}
    spans = [(low_col, high_col) for low_row, low_col, high_row, high_col in grid.merged
             if low_row <= header_row <= high_row and high_col > low_col
             and low_row == header_row]
    merged = bool(spans)
    if not merged:
        # No merged cells (a CSV file, or a sheet centred across the columns): a header
        # cell with blank header cells to its right spans them ("Milestones,," over
        # ",Q1,Q2"), up to the next header cell or the last label under it.
        last = max([*top, *sub])
        for col in sorted(top):
            high = next((c - 1 for c in sorted(top) if c > col), last)
            if high > col:
                spans.append((col, high))
    under = {col for col in sub for low, high in spans if low <= col <= high}
    if (sub_row != header_row + 1 or len(under) < 2 or not all(
            _header_cell(c) and isinstance(c.value, str) for c in sub.values())
            or any(col not in under and col in top for col in sub)
            # spans read from blanks: every label under one, some under a blank
            or not merged and (set(sub) - under or all(col in top for col in under))):
        return top, None
    labels = dict(top)
    for col, cell in sub.items():
        parent = next((top.get(low) for low, high in spans if low <= col <= high), None)
        labels[col] = f"{parent} {text(cell)}" if parent and parent != text(cell) \
            else text(cell)
    return labels, sub_row


def _sections(headings: dict[int, str], item_rows: list[int], refs: dict[int, str],
              form: RefForm) -> dict[str, str] | None:
    """report.yaml's sections from heading rows above refs with dots: each run of
    heading rows (Outcome, then Objective) names the sections the refs under it share,
    innermost last, or the one whose number it holds. None where they do not fit (then
    the headings are a field of each item)."""
    if form.style != "dotted" or form.parts < 2:
        return None
    rows = sorted([*headings, *item_rows])
    found: dict[str, str] = {}
    run: list[str] = []
    for i, r in enumerate(rows):
        if r in headings:
            run.append(headings[r])
            continue
        if not run:
            continue
        under = [form.sections(refs[n]) for n in takewhile(lambda n: n not in headings,
                                                            rows[i:])]
        shared = os.path.commonprefix(under)  # the sections every ref under the run is in
        # A heading naming one of the sections ("Outcome 2: ...") is that one; the
        # others take the innermost sections left, in order.
        left = list(shared)
        given: list[str | None] = [None] * len(run)
        for k, text in enumerate(run):
            named = [n for n in shared if n in re.findall(r"\d+(?:\.\d+)*", text)]
            if len(named) == 1 and named[0] in left:
                given[k] = named[0]
                left.remove(named[0])
        for k in reversed(range(len(run))):
            if given[k] is None:
                if not left:
                    return None
                given[k] = left.pop()
        for number, text in zip(cast(list[str], given), run, strict=True):  # all given now
            if found.get(number, text) != text:
                return None
            found[number] = text
        run = []
    return found if not run else None


def _status_column(columns: list[Column], values, blank_fills) -> Column | None:
    """The column of statuses: of the usual words or letters (or of RAG fills alone)
    under a header like RAG or Status, else of those words under any header, else of
    a few short words under such a header; the first of the best."""
    best, score = None, 0
    for column in columns:
        every = [cell_text(c.value) for _, c in values(column)]
        texts = [t for t in every if len(t) <= 40 and "\n" not in t]
        word = normal_word(column.header)
        short = len(texts) * 2 > len(every)  # a long text or two is kept beside it
        distinct = len(set(map(normal_word, texts)))
        rag_fills = {rag_colour(c.fill) for _, c in blank_fills(column)} - {None}
        headed = bool(_RAG_HEADER.search(word)) and short and distinct <= 12
        usual = bool(texts) and short and _usual_statuses(texts) and distinct <= 8
        found = (4 if headed and (usual or rag_fills) else
                 3 if usual and distinct >= 2 and not _UPDATE_HEADER.search(word) else
                 2 if not every and len(rag_fills) >= 2 else
                 1 if headed and texts else 0)
        if found > score:
            best, score = column, found
    return best


def _one_cell(row: dict[int, Cell]) -> Cell | None:
    """The only filled cell of a heading or note row (one line of text), or None."""
    filled = [c for c in row.values() if not c.blank]
    if len(filled) == 1 and isinstance(filled[0].value, str) and len(
            filled[0].value.strip()) <= 300:
        return filled[0]
    return None


#: A number as typed that reads back the same (no leading zero, as in a phone number).
_NUMBER = r"-?(0|[1-9]\d*)(\.\d+)?"


#: A header that names the deadline whatever its cells hold: Due, Due date, Deadline,
#: Target date, Target completion date, Timescale, By when, Completion date, End date.
_DEADLINE_HEADER = re.compile(
    r"\b(due|deadlines?|time ?scales?|by when|completion date|date of completion|"
    r"target (?:completion |end )?date|target completion|end date|finish date|"
    r"(?:to be )?complete[d]? by|date to be completed|target deadline)\b")
#: A date that is not the deadline: when it started, was raised, agreed or updated.
_START_HEADER = re.compile(
    r"\b(start|starts|started|starting|begin|begins|began|beginning|commence[ds]?|"
    r"commencement|raised|opened|logged|created|added|identified|agreed|reported|"
    r"received|updated?|last updated?|reviewed|review date|date of review|last review|"
    r"date of update|entered|submitted|issued)\b")
#: A header of a deadline where half its cells are deadlines (Target, Completion, End)...
_DEADLINE_WORD = re.compile(r"\b(due|deadline|timescales?|target|by when|completion|end|"
                            r"timeframe|time frame)\b")
#: ...or Date, When (four in five are deadlines under any other header).
_DUE_WORD = re.compile(r"\b(due|deadline|timescales?|target date|by when|completion|"
                       r"date|when|timeframe|time frame|end date|target)\b")
#: A column partners write in: the progress, update or comments.
_UPDATE_HEADER = re.compile(r"\b(update|updates|progress|commentary|comments?|notes?)\b")


def _start_header(word: str) -> bool:
    """Start, Start date, Date raised, Last updated...: a date, never the deadline."""
    return bool(_START_HEADER.search(word)) and not _DEADLINE_HEADER.search(word)


def _deadline_column(columns: list[Column], values, year: int | None) -> Column | None:
    """The column of deadlines: the first headed Due, Deadline, Target date, Timescale,
    By when, Completion date... holding a deadline; else the first headed Target,
    Completion, End... or Date, When, mostly of deadlines; else the first of deadlines
    only (four in five). Never one headed Start, Raised, Last updated (dates)."""
    best, rank = None, 0
    for column in columns:
        word = normal_word(column.header)
        found = values(column)
        if not found or _start_header(word) or all(
                isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
                for _, c in found):
            continue
        share = sum(_due_read(c.value, year) is not None for _, c in found) / len(found)
        found_rank = (3 if _DEADLINE_HEADER.search(word) and share > 0 else
                      2 if _DEADLINE_WORD.search(word) and share >= 0.5 else
                      1 if share >= (0.5 if _DUE_WORD.search(word) else 0.8) else 0)
        if found_rank > rank:
            best, rank = column, found_rank
    return best


def _due_read(value: Any, year: int | None = None) -> tuple[str, Due] | None:
    """A deadline as it will be written (date cells as 2025-03-31, text as typed where
    check reads it so; a quarter alone, read with the tracker's ``year``, as Q4 2026/27)
    and what it means; None if it is no date or period."""
    if isinstance(value, (datetime, date)):
        day = value.date() if isinstance(value, datetime) else value
        return day.isoformat(), Due(day)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    try:
        return text, parse_due(text, periods=True)
    except ValueError:
        pass
    if year is None:
        return None
    try:
        due = parse_due(text, periods=True, year=year)
    except ValueError:
        return None
    return str(due), due


def _day_text(value: Any) -> str | None:
    """A whole day as it will be written in a date field (date cells as 2025-03-31, text
    as typed), or None."""
    if not isinstance(value, str):
        read = _due_read(value)  # a date cell: its day
        return read[0] if read is not None else None
    text = " ".join(value.split())
    try:
        parse_day(text)
    except ValueError:
        return None
    return text


#: A financial year in a tracker's title: 2026/27, 2026-27, 2026/2027, FY26/27.
_TITLE_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*[/-]\s*(\d\d(?:\d\d)?)(?!\d)|"
                         r"\bFY\s*(\d\d)\s*[/-]?\s*(\d\d)(?!\d)", re.IGNORECASE)


def tracker_year(texts: list[str]) -> int | None:
    """The year the financial year a tracker is for starts (2026 for "ASB Action Plan
    2026/27"), from its title rows; None where they name none."""
    for text in texts:
        for m in _TITLE_YEAR.finditer(text):
            first, second = (m[1], m[2]) if m[1] else ("20" + m[3], m[4])
            if int(second) % 100 == (int(first) + 1) % 100 and (
                    len(second) == 2 or int(second) == int(first) + 1):
                return int(first)
    return None


#: What names a partnership in a banner ("Northmoor Community Safety Partnership").
_PARTNERSHIP_WORDS = re.compile(r"\b(partnership|csp|community safety|safer|board)\b",
                                re.IGNORECASE)
_BANNER_SEPARATOR = re.compile(r"\s+[-\u2013\u2014|:]\s+|:\s+")
_PLAN_WORDS = re.compile(r"\b(plan|report|tracker|strategy|20\d\d)\b", re.IGNORECASE)


def banner_parts(text: str) -> tuple[str | None, str]:
    """The partnership a banner names and the plan's title: "Northmoor Community Safety
    Partnership - ASB Action Plan 2026/27" -> ("Northmoor Community Safety Partnership",
    "ASB Action Plan 2026/27"); (None, the banner) where it names no partnership apart."""
    text = " ".join(text.split())
    parts = _BANNER_SEPARATOR.split(text)
    if len(parts) >= 2:
        for i, part in enumerate(parts):
            rest = [p for j, p in enumerate(parts) if j != i]
            if (_PARTNERSHIP_WORDS.search(part) and _named(part)
                    and not _PLAN_WORDS.search(part) and any(_PLAN_WORDS.search(p) for p in rest)):
                return part, " - ".join(rest)
    m = re.fullmatch(r"(.*?\b(?:partnership|CSP))\s+(.*\S)", text, re.IGNORECASE)
    if m and _named(m[1]) and not _PLAN_WORDS.search(m[1]) and _PLAN_WORDS.search(m[2]):
        return m[1], m[2]
    return None, text


def _named(part: str) -> bool:
    """A partnership's own name, not the words every one has ("Community Safety
    Partnership" alone names none)."""
    generic = {"the", "community", "safety", "partnership", "csp", "safer", "board", "and",
               "of", "&", "our"}
    return any(word.lower() not in generic for word in part.split())


#: A row of one cell that is a note to the reader, not a heading of the rows under it.
_NOTE_WORDS = re.compile(r"\s*(?:notes?|nb|n\.b\.?|key|please|guidance|source|sources|"
                         r"last updated|updated|as at|rag key|rag ratings?|\*)\b|\s*\*",
                         re.IGNORECASE)


def _note_row(text: str) -> bool:
    return bool(_NOTE_WORDS.match(text)) or len(text) > 120


def _statuses(words: dict[str, list[int]], fills: dict[int, str], fill_groups: set[str]
              ) -> tuple[list[StatusDef], list[str], dict[str, str]]:
    """The statuses of plan.yaml (best first), what was read, and usual group -> the
    status's name. ``words``: each word typed -> its rows; ``fills``: row -> fill."""
    groups: dict[str, list[str]] = {}  # usual group -> the words typed for it
    others: list[tuple[str, str, str]] = []  # (word, group it is placed with, why)
    spellings: dict[str, list[str]] = {}  # one status however it is capitalised
    for word in sorted(words, key=lambda w: -len(words[w])):
        spellings.setdefault(normal_word(word), []).append(word)
    for word, rows in words.items():
        group = _GROUP_OF.get(normal_word(word))
        if group is not None:
            groups.setdefault(group, []).append(word)
            continue
        if spellings[normal_word(word)][0] != word:
            continue  # "In progress" after "In Progress": the same status
        rows = [r for w in spellings[normal_word(word)] for r in words[w]]
        colours = Counter(colour for r in rows
                          if r in fills and (colour := rag_colour(fills[r])) is not None)
        if colours:
            placed, why = colours.most_common(1)[0][0], "its fill colour"
        elif (meant := _meaning(word)) is not None:
            placed, why = meant, "its meaning"
        else:
            placed, why = "not started", "nothing (no fill colour, no usual meaning)"
        others.append((word, placed, why))
    for group in fill_groups:
        groups.setdefault(group, [])
    statuses: list[StatusDef] = []
    notes: list[str] = []
    names: dict[str, str] = {}
    for group, colour, done, exception, _usual in USUAL:
        typed = groups.get(group)
        if typed is not None:
            full = sorted((w for w in typed if normal_word(w) not in _LETTERS),
                          key=lambda w: -len(words.get(w, [])))
            name = _status_name(full[0]) if full else group
            also: list[str] = []
            for word in (*sorted(typed, key=normal_word), group):
                if normal_word(word) != name and normal_word(word) not in map(normal_word,
                                                                                also):
                    also.append(word)
            statuses.append(StatusDef(name, colour, done, exception, tuple(also),
                                      " ".join(full[0].split()) if full else ""))
            names[group] = name
            notes.append(f"{', '.join(typed)} → {name}" if typed else
                         f"{name} (from fill colours only)")
        for word, placed, why in others:
            if placed == group:
                statuses.append(StatusDef(_status_name(word), colour, done, exception,
                                          label=" ".join(word.split())))
                notes.append(f"{word} → a status of its own, placed with {group} by {why}")
    if not any(s.done for s in statuses):
        statuses.insert(0, StatusDef("complete", "blue", done=True))
        notes.append("complete added (no status meant done)")
    return statuses, notes, names


def _status_name(word: str) -> str:
    """A status's name as typed, in small letters: "Green - ahead" -> "green - ahead"."""
    return " ".join(word.lower().split())


def _word(text: str) -> str:
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", text) and text.lower() not in (
        "y", "n", "yes", "no", "on", "off", "true", "false", "null") and not text.endswith(" ")
    return text if plain else quoted(text)


def _plan_yaml(grid: Grid, source: str, columns: list[Column], ref_form: RefForm,
               statuses: list[StatusDef], section: str | None, status_required: bool,
               sectioned: bool = False) -> str:
    """plan.yaml's text. ``sectioned``: the tracker's heading rows are report.yaml's
    sections, which only a table prints (as headings over its rows): so a table, however
    many its columns (else blocks where there are more than six)."""
    heading = grid.sheet if grid.sheet and not re.fullmatch(r"(?i)sheet\s*\d*", grid.sheet) \
        else "Actions"
    lines = [
        f"# The shape of this plan, inferred from {source} by `psa-report init --from`.",
        "# Each field is a column of the tracker: its label is the column's header. Change",
        "# a type, a label or a status here, then run `psa-report check`. See the guide,",
        "# docs/start.md (\"A plan from your existing tracker\").",
        "",
        "# The statuses, best first (direction of travel follows this order).",
        "statuses:",
    ]
    for s in statuses:
        entry = f"  - {{name: {_word(s.name)}, colour: {s.colour}"
        if s.done:
            entry += ", done: true"
        if s.exception:
            entry += ", exception: true"
        if s.also:
            entry += f", also: [{', '.join(map(_word, s.also))}]"
        if s.label != StatusDef(s.name, s.colour).label:
            entry += f", label: {quoted(s.label)}"  # as the tracker writes it
        lines.append(entry + "}")
    lines.append(f"status_required: {'true' if status_required else 'false'}")
    fields = []
    for column in columns:
        if column.ref:
            continue
        entry = (f"      - {{name: {column.name}, label: {quoted(column.header)}, "
                 f"type: {column.type}")
        if not column.required:
            entry += ", required: false"
        if column.partners:
            entry += ", partners: true"
        fields.append(entry + "}")
        if column.spill:
            fields.append(f"      - {{name: {column.spill}, label: "
                          f"{quoted(column.header + AS_WRITTEN)}, type: text, "
                          "required: false}")
    if section:
        fields.append(f"      - {{name: {section}, label: Section, type: line, "
                      "required: false}")
    lines += [
        "",
        "kinds:",
        f"  - name: {KIND_NAME}",
        f"    folder: {KIND_FOLDER}",
        f"    heading: {quoted(heading)}",
        f"    ref: {quoted(ref_form.example)}",
        f"    layout: {'table' if sectioned or len(fields) <= 6 else 'blocks'}",
        "    # One field per column, in the tracker's order; a type that is wrong is yours",
        "    # to change: text, line, agencies, status, due, date, number, choice (with",
        "    # `choices: [...]`) or yes-no. partners: true puts it in the update workbooks.",
        "    fields:",
        *fields,
    ]
    return "\n".join(lines) + "\n"


def _pair(key: str, value: str) -> str:
    """``key: value`` for a mapping of names (agencies.yaml), each read back exactly."""
    lines = [f"{k}: {v}\n" for k in (key, quoted(key)) for v in (value, quoted(value))]
    return next((line for line in lines if _reads_back(line, key, value)), lines[-1])


def _agencies_yaml(agencies: dict[str, str], source: str) -> str:
    text = (f"# The lead agencies found in {source}: the short name on the left is what\n"
            "# an item's lead names; write each one's full name on the right, for the\n"
            "# report's key.\n")
    if not agencies:
        agencies = {"Partnership": "The Community Safety Partnership"}
        text += "# (The tracker names no lead: this one is an example.)\n"
    return text + "".join(_pair(short, full) for short, full in
                          sorted(agencies.items(), key=lambda kv: kv[0].lower()))


def _report_yaml(title: str, notes: list[tuple[int, str]], source: str,
                 sections: dict[str, str], partnership: str | None, grid: Grid) -> str:
    today = date.today()
    text = (f"# The covering page of the progress report, made from {source}.\n"
            "# Replace each text below with your own, then run `psa-report check`.\n")
    if notes:
        text += "# The tracker's notes, kept here for you (not printed in the report):\n"
        for r, note in notes:
            lines = re.sub("[\u2028\u2029\x85]", " ", note).split("\n")
            text += f"#   {grid.where(r)}: {lines[0]}\n"
            text += "".join(f"#     {line}\n" for line in lines[1:])
    text += yaml_field("partnership", partnership or "Our Community Safety Partnership")
    text += yaml_field("title", title)
    text += yaml_field("meeting", "Community Safety Partnership")
    text += "# meeting_date: " + today.isoformat() + "\n"
    text += yaml_field("author", "Community Safety Analyst")
    text += yaml_field("date", today.isoformat())
    text += "# The numbered paragraphs of the covering page, in order.\n"
    text += "paragraphs:\n"
    text += f"  - {quoted('Members are asked to review the progress report.')}\n"
    # No data_gaps_intro or recommendations_intro: those are the intros of the default
    # plan's kinds, and this plan has one kind of its own (its intro is plan.yaml's).
    if sections:
        text += "# The headings of the sections, from the tracker's heading rows.\nsections:\n"
        for number, heading in sections.items():
            text += f"  {quoted(number)}: {quoted(heading)}\n"
    return text


def _item_yaml(kind, ref: str, values: dict[str, Any], grid: Grid, row: int) -> str:
    return f"# From {grid.where(row)}.\n" + yaml_field("ref", ref) + "".join(
        yaml_field(f.name, values[f.name]) for f in kind.fields
        if values.get(f.name) not in (None, []))
