"""``collect``: the returned workbooks (or CSV exports) read and checked against what was sent.

The record of what was issued is ``manifest.json`` in the project's
out/requests/ (written by :mod:`psa_report.workbook_out`), never anything a
partner can edit: the hidden Issued sheet only says which agency a workbook
claims to be.  Every file is bounded before it is parsed; every problem is
reported at once, by file and cell; nothing is written here.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from . import fieldtypes, ledger, xlsx
from .bilingual import name_of
from .changes import FieldChange, as_written_cleared
from .chars import refused
from .dates import ACCEPTED_FORMS, Due, financial_year, long_date, parse_due
from .files import csv_reader, decode_utf8, is_regular, parse_json, read_regular
from .partners import (
    DUE,
    HEADERS,
    ISSUED,
    ISSUED_COLUMNS,
    ISSUED_FIRST_ROW,
    ISSUED_MARK,
    MANIFEST,
    MAX_COLUMNS,
    MAX_RETURN_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    NEW_DUE,
    NEW_FIELDS,
    NEW_UPDATE,
    PARTNERSHIP,
    REF,
    REQUESTS_DIR,
    UPDATES,
    CollectResult,
    FileUpdate,
    Joint,
    Returned,
    Sent,
    ShapedSent,
    Waiting,
    current_in,
    header_labels,
    new_label,
    partner_fields,
    partner_label,
    read_update,
    shaped_headers,
    take_option,
)
from .problems import Invalid, Problem
from .project import Project
from .shape import field_value as typed_value
from .shape import natural_key, written_text
from .wording import words_in


@dataclass(frozen=True)
class _Spec:
    """The columns of one Updates sheet: today's nine, or a declared kind's own."""

    headers: tuple[str, ...]  # as partners.py names them
    labels: dict[str, str]  # header -> as worded in the workbook
    new: dict[str, tuple[str, Callable[[Any], str]]]  # column to fill in -> (field, reader)
    hint: str  # the column to put comments in
    kind: str = ""  # the kind's name ("" for the one Updates sheet of earlier rounds)
    #: the language the workbook was sent in ("" : the plan's main language)
    language: str = ""


#: A date in a return more than this many years before its round was issued (or the
#: report's date, if earlier) is a slip,
#: refused at its cell: a year typed in a date cell ("2027") reads as a day in 1905.
OLDEST_YEARS = 10


def _issued_on(manifest: dict | None, project: Project) -> date | None:
    """The day a date in a return is judged from: the earlier of the day the round was
    issued (its manifest's ``issued``) and the report's date (report.yaml's ``date``),
    so that a plan kept for an earlier year takes that year's dates."""
    try:
        issued = date.fromisoformat(str((manifest or {}).get("issued")))
    except ValueError:
        return project.report.date
    return min(issued, project.report.date)


def _dated(read: Callable[[Any], str], issued: date | None, periods: bool
           ) -> Callable[[Any], str]:
    """``read`` of a date or deadline column, refusing a number in a cell not formatted as
    a date (read as what was typed: "2027" is not a date) and a date more than
    :data:`OLDEST_YEARS` before the round was issued (``periods``: a deadline, which may
    be a quarter or a year too)."""
    def check(value: Any) -> str:
        number = (value if isinstance(value, (int, float)) and not isinstance(value, bool)
                  else value.strip() if isinstance(value, str) and _NUMBER.match(value.strip())
                  else None)
        if number is not None:
            raise ValueError(f"holds the number {_number_text(number)}, not a date: type "
                             + _type_a_date(number, issued, periods))
        text = read(value)
        day = _day_of(text)
        if issued is None or day is None or day >= _years_before(issued, OLDEST_YEARS):
            return text
        typed = _serial(value)  # 2027 typed in a date cell: shown as 19 July 1905
        slip = f" (the number {typed} in a date cell)" if typed is not None else ""
        raise ValueError(f"reads as {long_date(day)}{slip}, more than {OLDEST_YEARS} years "
                         f"before the plan's dates ({long_date(issued)}): type "
                         + _type_a_date(typed, issued, periods))
    return check


_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?\Z")


def _number_text(number: Any) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _type_a_date(number: Any, issued: date | None, periods: bool) -> str:
    """"a date such as 31/03/2027, or a period such as 2026/27": for a number that reads
    as a year, that year's; else the financial year the round was issued in."""
    try:
        year = int(float(str(number).replace(",", ".")))
    except ValueError:
        year = 0
    if not (1990 <= year <= 2199 and float(str(number).replace(",", ".")) == year):
        year = int(financial_year(issued or date.today())[:4]) + 1
    text = f"a date such as 31/03/{year}"
    return text + (f", or a period such as {year - 1}/{year % 100:02d}" if periods else "")


def _day_of(text: str) -> date | None:
    """The day a date or deadline as written to YAML falls on (None: ongoing)."""
    try:
        due = parse_due(text, periods=True)
    except ValueError:
        return None
    return None if due.period == "ongoing" else due.day


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=28 if day.month == 2 and day.day == 29
                       else day.day)


def _serial(value: Any) -> int | None:
    """The number a date cell holds, when it reads as a year typed in it (2027)."""
    if not isinstance(value, datetime):
        return None
    from openpyxl.utils.datetime import to_excel

    serial = to_excel(value)
    return int(serial) if float(serial).is_integer() and 1990 <= serial <= 2199 else None


def _one_sheet_spec(shape, issued: date | None = None) -> _Spec:
    """The one Updates sheet of the workbooks issued before each kind had a sheet of its
    own (format 1 and 2 manifests with no ``sheets``): still read back, so a return of
    a round sent before then lands as it would have. Its columns were the 2010 plan's,
    and their new values go into the fields of those names."""
    def status(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be one of {', '.join(s.name for s in shape.statuses)}")
        return shape.status(value).name

    readers = {"update": read_update, "status": status,
               "due": _dated(_read_due, issued, periods=True)}
    return _Spec(HEADERS, {}, {h: (n, readers[n]) for h, n in NEW_FIELDS.items()}, NEW_UPDATE)


def _kind_spec(kind, shape, language: str = "", issued: date | None = None) -> _Spec:
    """The columns of a kind's sheet; ``language``: the workbook's, when it was sent in
    another than the plan's main one (its headers worded in it); ``issued``: the day its
    round was issued (a date long before it is refused)."""
    given, new = shaped_headers(kind)
    labels = header_labels(kind, language or None, words_in(language) if language else None)
    fields = partner_fields(kind)
    texts = [f for f in fields if fieldtypes.get(f.type).running_text]
    hint = new_label(texts[0].label) if texts else new[0] if new else REF
    return _Spec((*given, *new), labels,
                 {new_label(f.label): (f.name, _typed_reader(f, shape, issued))
                  for f in fields},
                 labels.get(hint, hint), kind.name, language)


def _typed_reader(definition, shape, issued: date | None = None) -> Callable[[Any], str]:
    """A cell of a declared field read by its type, as written to YAML (a date or a
    deadline checked by :func:`_dated`)."""
    def read(value: Any) -> str:  # running text: a number or a date is a slip
        cell = fieldtypes.get(definition.type).from_cell(value)
        return cast(str, written_text(definition, typed_value(definition, cell, shape)))
    type_ = fieldtypes.get(definition.type)
    return _dated(read, issued, type_.is_due) if type_.dated else read


@dataclass
class _Cell:
    value: Any
    where: str  # "Police-update-request.xlsx: sheet Updates, cell H7"
    formula: bool = False
    error: bool = False  # an Excel error value such as #REF!, never text


@dataclass
class _Return:
    """One returned file: whose it is, what was sent, and its filled rows."""

    display: str
    agency: str  # from the hidden sheet, or for a CSV from the manifest
    sent: dict[str, Sent | ShapedSent]
    rows: list[dict[str, _Cell]] = field(default_factory=list)
    specs: list[_Spec] = field(default_factory=list)  # the columns of each row's sheet
    received: str = ""  # ISO date the file was last saved
    filled: list[str] = field(default_factory=list)  # the refs of its filled rows

    def add(self, row: dict[str, _Cell], spec: _Spec) -> None:
        """Keep ``row`` (read with ``spec``'s columns) if any cell of it is filled."""
        if any(not _blank(c.value) for c in row.values()):
            self.rows.append(row)
            self.specs.append(spec)


@dataclass
class _Proposal:
    value: str
    where: str
    agency: str
    sent: Sent | ShapedSent
    #: the language of the workbook it came from ("": the plan's main language): a text
    #: in another language is written as the text's translation into it
    language: str = ""


#: Chooses one agency's value for a joint row's status or date: (ref, field, [(agency,
#: value)]) -> the agency, or None to let the row wait.
Chooser = Callable[[str, str, list[tuple[str, str]]], "str | None"]


def collect_returns(project: Project, paths: Iterable[Path], take: dict[str, str] | None = None,
                    choose: Chooser | None = None) -> CollectResult:
    """Read and check the returned workbooks / CSV files; raise :class:`Invalid` with every problem.

    A joint action (several leads) updated by more than one of them keeps every lead's
    update text, each under its agency's name, unless ``take`` names the agency whose
    values to take ("3.2.1": its status and date; "3.2.1:update": its text); where
    they give different statuses or dates and neither ``take`` nor ``choose`` settles it,
    the row waits and the others go on.
    """
    problems: list[Problem] = []
    paths = [Path(p) for p in paths]
    notes: list[str] = []
    files = _return_files(paths, problems, notes)
    manifest_path = _find_manifest(paths, project.root)
    manifest = _read_manifest(manifest_path, problems) if manifest_path else None
    returns: list[_Return] = []
    for path in files:
        try:
            if path.suffix.lower() == ".csv":
                returns.append(_read_csv(project, path, manifest, problems))
            else:
                returns.append(_read_xlsx(project, path, manifest, problems))
        except Invalid as invalid:  # this file cannot be read at all; go on with the others
            problems.extend(invalid.problems)
    returns = _once_each(project, returns, problems)
    proposals: dict[str, dict[str, list[_Proposal]]] = {}
    for ret in returns:
        _check_rows(project, ret, proposals, problems)
    round_id = str((manifest or {}).get("round") or "")
    before = ledger.earlier(ledger.for_round(manifest_path.parent, round_id)
                            if manifest_path else None)
    expected = [book["agency"] for book in (manifest or {}).get("workbooks", [])]
    order = [*project.agencies, PARTNERSHIP]

    def rank(agency: str) -> int:
        return order.index(agency) if agency in order else len(order)

    given: dict[str, dict[str, dict[str, str]]] = {ret.agency: {} for ret in returns}
    for ref, fields in proposals.items():
        for name, found in fields.items():
            for proposal in found:
                given[proposal.agency].setdefault(ref, {})[name] = proposal.value
    _add_earlier(proposals, before, manifest or {}, {r.agency for r in returns},
                 project.languages[0])
    _check_take(take or {}, proposals, problems)
    chosen: dict[str, dict[str, str]] = {}
    updates, joint, waiting = _updates_from(project, proposals, problems, take or {}, choose,
                                            before, rank, chosen)
    if problems:
        raise Invalid(problems)
    returned = tuple(sorted(dict.fromkeys(r.agency for r in returns),
                            key=lambda a: expected.index(a) if a in expected else len(expected)))
    missing = tuple(code for code in expected
                    if code not in returned and code not in before.returned)
    read = tuple(Returned(r.agency, r.display, r.received, tuple(dict.fromkeys(r.filled)))
                 for r in sorted(returns, key=lambda r: rank(r.agency)))
    return CollectResult(tuple(updates), returned, missing, manifest_path, tuple(notes),
                         tuple(joint), tuple(waiting), read, round_id, given, chosen)


def _once_each(project: Project, returns: list[_Return], problems: list[Problem]
               ) -> list[_Return]:
    """The returns, each agency's workbook once: copies of one workbook that read the same
    (a re-sent attachment saved twice) are read once; copies that differ ("Police-update-
    request.xlsx" and "Police-update-request (1).xlsx") are refused at each file, since
    only the analyst can tell which one to use (never merged as two leads' updates)."""
    by_agency: dict[str, list[_Return]] = {}
    for ret in returns:
        by_agency.setdefault(ret.agency, []).append(ret)
    kept = []
    for agency, copies in by_agency.items():
        differing = list({_content(ret): ret for ret in copies}.values())
        if len(differing) == 1:
            kept.append(copies[0])
            continue
        names = [ret.display for ret in copies]
        named = ", ".join(names[:-1]) + " and " + names[-1]
        times = "twice" if len(names) == 2 else f"{len(names)} times"
        for ret in copies:
            problems.append(Problem(ret.display, None, None,
                f"{agency}'s workbook is here {times}: {named}, which differ: keep the one "
                "to use, or move the other out of the folder, and collect again"))
            _check_rows(project, ret, {}, problems)  # its cells' own problems too
    return kept


def _content(ret: _Return) -> tuple:
    """What a return says: its filled rows' cells, as typed (not where they are)."""
    return tuple(tuple((header, repr(cell.value)) for header, cell in sorted(row.items()))
                 for row in ret.rows)


def _add_earlier(proposals: dict[str, dict[str, list[_Proposal]]], before: ledger.Earlier,
                 manifest: dict, now: set[str], main: str = "en") -> None:
    """The values another lead of a joint action gave in an earlier run of this round, so
    that a return collected later is merged with them as if both came back together."""
    books = {b.get("agency"): b for b in manifest.get("workbooks", []) if isinstance(b, dict)}
    for agency, refs in before.given.items():
        if agency in now or agency not in books:
            continue  # its return is read again now: that wins
        try:
            sent = _sent_rows(books[agency])
        except Invalid:
            continue
        for ref, fields in refs.items():
            if ref not in proposals or ref not in sent:
                continue
            language = books[agency].get("language")
            for name, value in fields.items():
                proposals[ref].setdefault(name, []).append(_Proposal(
                    value, f"{agency}'s return (applied earlier in this round)", agency,
                    sent[ref], language if language and language != main else ""))


def _check_take(take: dict[str, str], proposals: dict[str, dict[str, list[_Proposal]]],
                problems: list[Problem]) -> None:
    for key, agency in take.items():
        ref = key.split(":", 1)[0]
        givers = list(dict.fromkeys(p.agency for found in proposals.get(ref, {}).values()
                                    for p in found))
        if len(givers) < 2 or agency not in givers:
            problems.append(Problem(take_option(key, agency), None, None,
                f"{ref} is not a joint row that {agency} updated in these returns"
                + (f" (it was updated by {', '.join(givers)})" if givers else
                   " (no return updates it)")
                + (": choose with " + " or ".join(take_option(key, g) for g in givers)
                   if len(givers) > 1 else
                   ": give --take REF=AGENCY for a row two leads updated")))


#: Files a partner may send back instead of the .xlsx, skipped with a word.
_OTHER_SPREADSHEETS = {
    ".ods": "a LibreOffice spreadsheet: open it and save it as Excel Workbook (.xlsx)",
    ".xlsm": "a workbook with macros, which are never opened: save it as Excel Workbook "
             "(.xlsx)",
    ".xls": "an old Excel workbook: save it as Excel Workbook (.xlsx)",
}


def _return_files(paths: list[Path], problems: list[Problem], notes: list[str]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(p for p in path.iterdir()
                             if not p.name.startswith((".", "~$")))  # ~$ = Excel's lock file
            inside = [p for p in entries if p.suffix.lower() in (".xlsx", ".csv")
                      and is_regular(p)]
            notes += [f"Skipped {p}: {_OTHER_SPREADSHEETS[p.suffix.lower()]}"
                      for p in entries if p.suffix.lower() in _OTHER_SPREADSHEETS]
            if not inside:
                problems.append(Problem(str(path), None, None,
                                        "holds no .xlsx or .csv returns"))
            found += inside
        elif not path.exists():
            problems.append(Problem(str(path), None, None, "no such file or folder"))
        elif not is_regular(path):
            problems.append(Problem(str(path), None, None,
                "this is not an ordinary file, so it was not read (a device or pipe): give "
                "the returned workbook"))
        elif path.suffix.lower() not in (".xlsx", ".csv"):
            problems.append(Problem(str(path), None, None,
                "not an .xlsx workbook or a .csv file: save the return as Excel Workbook "
                "(.xlsx), or its Updates sheet as CSV"))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _find_manifest(paths: list[Path], root: Path) -> Path | None:
    """The project's out/requests/manifest.json; only if there is none, one next to the returns.

    A manifest.json that came back with the returns never overrides the project's own.
    """
    folders = [p if p.is_dir() else p.parent for p in paths]
    for folder in [Path(root) / REQUESTS_DIR, *folders]:
        if (folder / MANIFEST).is_file():
            return folder / MANIFEST
    return None


def _read_manifest(path: Path, problems: list[Problem]) -> dict | None:
    try:
        raw = read_regular(path, str(path), MAX_RETURN_BYTES,
                           lambda size: f"is {size:,} bytes, too large")
        manifest = parse_json(raw)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("workbooks"), list):
            raise ValueError("it has no list of workbooks")
        return manifest
    except Invalid as invalid:
        problems.extend(invalid.problems)
        return None
    except (OSError, ValueError) as error:
        problems.append(Problem(str(path), None, None,
            f"the list of requests sent cannot be read ({error}): issue the requests again "
            "or remove this file"))
        return None


def _where(display: str, cell: str, sheet: str = UPDATES) -> str:
    return f"{display}: sheet {sheet}, cell {cell}"


def _read_return(path: Path, display: str) -> bytes:
    """The file's bytes: a regular file within the size of a return, else refused unread."""
    return read_regular(path, display, MAX_RETURN_BYTES, lambda size: (
        f"the file is {size:,} bytes, over the limit of {MAX_RETURN_BYTES:,} for a return: "
        "check it is the workbook that was sent"))


def _check_bounds(data: bytes, display: str) -> None:
    """Refuse a workbook with more rows, columns or text than a request holds, before
    openpyxl loads it: every sheet is streamed by the bounded reader
    (:mod:`psa_report.xlsx`), which stops at the first cell past the bounds, so a small
    file describing a huge sheet (or one very wide row) costs little."""
    most = MAX_ROWS + ISSUED_FIRST_ROW  # the hidden sheet's rows start lower down
    xlsx.check(data, display, xlsx.Limits(
        rows=most, columns=MAX_COLUMNS, cells=most * MAX_COLUMNS,
        total=MAX_UNZIPPED_BYTES, what="an update request",
        beyond="more than an update request ever holds",
        fix="return the workbook that was sent, with its rows and columns as they were"))


def _read_xlsx(project: Project, path: Path, manifest: dict | None,
               problems: list[Problem]) -> _Return:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    display = path.name
    data = _read_return(path, display)
    received = _saved_on(path)
    try:
        _check_bounds(data, display)
        with warnings.catch_warnings():  # openpyxl warns of extensions it drops
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), data_only=False, read_only=False,
                                 keep_vba=False)
    except Invalid:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to parse an outside file
        raise xlsx.broken(display, error) from None
    def need(names: Iterable[str]) -> None:
        missing = [name for name in names if name not in book.sheetnames]
        if missing:
            raise Invalid([Problem(display, None, None,
                f"has no sheet named {' or '.join(missing)}: return the workbook that was "
                "sent, with its sheets as they were")])

    need([ISSUED])
    agency, key = _read_issued(book[ISSUED], display)  # whose it says, checked below
    if manifest is None:
        raise Invalid([Problem(display, None, None,
            f"cannot find the record of the requests sent ({REQUESTS_DIR.as_posix()}/"
            f"{MANIFEST}): collect in the project the requests were issued from, or put the "
            f"{MANIFEST} written with them next to the returns")])
    # The manifest is the record of what was sent, never the partner-editable hidden sheet.
    entry = _issued_entry(path, agency, manifest, key)
    sent = _sent_rows(entry)
    sheets = _sheets(project, entry, display, _issued_on(manifest, project))
    need(sheets)
    result = _Return(display, agency, sent, received=received)
    for title, spec in sheets.items():
        sheet = book[title]
        if sheet.max_row > MAX_ROWS + 1 or sheet.max_column > MAX_COLUMNS:
            raise Invalid([Problem(f"{display}: sheet {title}", None, None,
                f"has {sheet.max_row:,} rows and {sheet.max_column} columns, more than an "
                "update request ever holds")])
        columns = _header(
            {get_column_letter(c.column): c.value for c in sheet[1] if c.value not in (None, "")},
            lambda letter, title=title: _where(display, f"{letter}1", title), "A", problems,
            spec)
        if columns is None:
            continue
        for cells in sheet.iter_rows(min_row=2, max_col=sheet.max_column):
            row = {}
            for cell in cells:
                header = columns.get(get_column_letter(cell.column))
                if header is not None:
                    # A formula is kept as its text, never evaluated, and refused below.
                    row[header] = _Cell(cell.value, _where(display, cell.coordinate, title),
                                        cell.data_type == "f", cell.data_type == "e")
            result.add(row, spec)
    return result


def _sheets(project: Project, entry: dict, display: str = MANIFEST,
            issued: date | None = None) -> dict[str, _Spec]:
    """The Updates sheets a workbook was sent with (sheet title -> its columns), in the
    language the manifest says it was sent in (whatever agencies.yaml says now)."""
    named = entry.get("sheets")
    if not named:
        return {UPDATES: _one_sheet_spec(project.shape, issued)}
    language = entry.get("language") or project.languages[0]
    if not isinstance(language, str) or language not in project.languages:
        raise Invalid([Problem(display, None, None,
            f"this workbook was sent in {name_of(str(language))} ({language}), which is no "
            f"longer one of the plan's languages ({', '.join(project.languages)}, in "
            "report.yaml's `languages:`): add it back to read this return, or issue a new "
            "request")])
    other = language if language != project.languages[0] else ""
    sheets = {}
    for kind_name, title in named.items() if isinstance(named, dict) else ():
        kind = project.shape.kind(str(kind_name))
        if kind is None:
            raise Invalid([Problem(MANIFEST, None, None,
                f"the requests were sent for a kind of item ({kind_name}) that "
                "actions/plan.yaml no longer declares: issue a new request")])
        sheets[str(title)] = _kind_spec(kind, project.shape, other, issued)
    return sheets


def _saved_on(path: Path) -> str:
    """The day a return was saved (into the folder of returns, or by the partner)."""
    try:
        return date.fromtimestamp(path.stat().st_mtime).isoformat()
    except (OSError, ValueError, OverflowError):
        return date.today().isoformat()


def _read_issued(sheet, display: str) -> tuple[str, str | None]:
    """The agency the hidden sheet names and the workbook's key (row 5; None if issued
    without one); its rows as sent (of a round before the manifest had them) must read,
    or the hidden record was changed."""
    def value(row: int, column: int) -> str | None:
        cell = sheet.cell(row, column)
        if cell.data_type == "f":
            raise Invalid([Problem(display, None, None, _TAMPERED)])
        return None if _blank(cell.value) else str(cell.value)

    if value(1, 1) != ISSUED_MARK or not (agency := value(2, 2)):
        raise Invalid([Problem(display, None, None, _TAMPERED)])
    mark, key = value(5, 1), value(5, 2)
    key = (key or "") if mark == "key" else None
    if value(ISSUED_FIRST_ROW - 1, 2) == "kind":  # a plan's own shape: the manifest has it
        return agency, key
    for number in range(ISSUED_FIRST_ROW, min(sheet.max_row, MAX_ROWS + ISSUED_FIRST_ROW) + 1):
        values = [value(number, column) for column in range(1, len(ISSUED_COLUMNS) + 1)]
        if values[0] is None:
            continue
        try:  # its status and due must read
            Sent(**dict(zip(ISSUED_COLUMNS, values))).shown()  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise Invalid([Problem(display, None, None, _TAMPERED)]) from None
    return agency, key


_TAMPERED = ("the hidden record of what was sent is missing or changed: return the "
             "workbook that was sent (or issue a new request)")


def _header(titles: dict[Any, Any], where, first: Any,
            problems: list[Problem], spec: _Spec) -> dict[Any, str] | None:
    """Column letter (or CSV position) -> header, checked: every column sent, nothing else.

    ``where(column)`` names a header cell for a problem; ``first`` is the first column.
    """
    columns: dict[str, str] = {}
    labels, headers = spec.labels, spec.headers
    known = {_words(h): h for h in headers} | {_words(labels.get(h, h)): h for h in headers}
    shown = [labels.get(h, h) for h in headers]
    ok = True
    for letter, title in titles.items():
        header = known.get(_words(str(title)))
        if header is None or header in columns.values():
            problems.append(Problem(where(letter), None, None,
                f"the column headed {str(title)!r} is not one of the columns sent "
                f"({', '.join(shown)}): put comments in {spec.hint}, "
                "and keep the header row as it was"))
            ok = False
        else:
            columns[letter] = header
    missing = [labels.get(h, h) for h in headers if h not in columns.values()]
    if missing:
        problems.append(Problem(where(first), None, None,
            f"the header row has no column {', '.join(missing)}: keep the header row as sent"))
        ok = False
    return columns if ok else None


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(project: Project, path: Path, manifest: dict | None,
              problems: list[Problem]) -> _Return:
    display = path.name
    raw = _read_return(path, display)
    text = decode_utf8(raw, lambda line, column, byte: Invalid([Problem(display, None, None,
        "this is not UTF-8 text: save the sheet as 'CSV UTF-8' (in Excel: Save As, "
        "CSV UTF-8)")]))
    book = _manifest_entry(path, manifest)
    if book is None:
        raise Invalid([Problem(display, None, None,
            "cannot tell which agency's request this CSV answers: keep the file name the "
            "workbook was sent with (such as Police-update-request.csv), and keep "
            f"{MANIFEST} from the requests next to it")])
    sent = _sent_rows(book)
    sheets = _sheets(project, book, display, _issued_on(manifest, project))
    if len(sheets) > 1:
        raise Invalid([Problem(display, None, None,
            f"the workbook was sent with {len(sheets)} sheets of updates "
            f"({', '.join(sheets)}), and a CSV file holds one: return the workbook itself "
            "(.xlsx)")])
    (spec,) = sheets.values()
    reader = csv_reader(text)
    result = _Return(display, book["agency"], sent, received=_saved_on(path))
    try:
        first_line: list[str] = next(reader, [])
        columns = _header({n: t for n, t in enumerate(first_line, 1) if not _blank(t)},
                          lambda n: f"{display}: line 1, column {n}", 1, problems, spec)
        if columns is None:
            return result
        for number, cells in enumerate(reader, 2):
            if number > MAX_ROWS + 1:
                raise Invalid([Problem(display, number, None, "more rows than were sent")])
            if any(not _blank(v) for n, v in enumerate(cells, 1) if n not in columns):
                problems.append(Problem(f"{display}: line {number}", None, None,
                    "this row has a cell outside the columns of the header: check for a "
                    "comma or tab inside a cell that is not quoted"))
            row = {}
            for n, header in columns.items():
                value = cells[n - 1] if n <= len(cells) else None
                bad = refused(value) if value else None
                if bad is not None:  # caught here, by cell, not when the change is applied
                    problems.append(Problem(f"{display}: line {number}, column {n} "
                        f"({spec.labels.get(header, header)})", None, None,
                        f"{bad[1]}, then save the CSV again"))
                    value = None
                # Text starting with "=" was a formula in the partner's spreadsheet.
                # (named as a workbook's cell is: its messages say the column's label)
                row[header] = _Cell(value, f"{display}: line {number}, column {n}",
                                    bool(value and value.startswith("=")),
                                    bool(value and value.strip() in _ERRORS))
            result.add(row, spec)
    except csv.Error as error:
        raise Invalid([Problem(display, reader.line_num, None,
                               f"the CSV cannot be read: {error}")]) from None
    return result


def _sent_rows(book: dict) -> dict[str, Sent | ShapedSent]:
    """The rows a workbook was sent with, from its entry in the manifest."""
    try:
        return {row["ref"]: ShapedSent(**row) if "kind" in row else Sent(**row)
                for row in book["rows"]}
    except (KeyError, TypeError):
        raise Invalid([Problem(MANIFEST, None, None, _TAMPERED)]) from None


def _issued_entry(path: Path, agency: str, manifest: dict, key: str | None = None) -> dict:
    """The manifest's entry for a returned workbook whose hidden sheet names ``agency``.

    A round issued with keys (each workbook's own, in the manifest and its hidden
    sheet) knows a return by its key alone: a key the manifest does not hold, none at
    all, or a hidden sheet naming another agency than the key's is refused. A round
    issued before keys (no key in its manifest) is matched by the agency and the file
    name, as then."""
    books = [b for b in manifest.get("workbooks", []) if isinstance(b, dict)]
    if any("key" in b for b in books) or key is not None:
        return _keyed_entry(path, agency, manifest, books, key)
    named = _manifest_entry(path, manifest)
    if named is not None and named.get("agency") != agency:
        raise _misnamed(path, agency, named)
    entry = named or next((b for b in books if b.get("agency") == agency), None)
    if entry is None:
        raise Invalid([Problem(path.name, None, None,
            f"this is a workbook sent to {agency}, but the requests last issued "
            f"({REQUESTS_DIR.as_posix()}/{MANIFEST}) hold none for {agency}: issue a new "
            "request")])
    return entry


def _keyed_entry(path: Path, agency: str, manifest: dict, books: list[dict],
                 key: str | None) -> dict:
    entry = next((b for b in books if key and isinstance(b.get("key"), str)
                  and secrets.compare_digest(b["key"].encode(), key.encode())), None)
    last = f"the requests last issued ({REQUESTS_DIR.as_posix()}/{MANIFEST})"
    if entry is None:
        why = ("carries no key in its hidden record" if not key else
               "carries a key that is not one of " + last)
        raise Invalid([Problem(path.name, None, None,
            f"this workbook {why}, so it cannot be told which agency it was sent to: its "
            "hidden record was changed, or it was sent in another round. Ask the agency "
            "for the workbook sent in this round, or issue a new request")])
    if entry.get("agency") != agency:
        raise Invalid([Problem(path.name, None, None,
            f"this is the workbook sent to {entry.get('agency')} ({entry.get('file')}), "
            f"but its hidden record was changed to name {agency}: nothing of it is taken. "
            f"Ask {entry.get('agency')} for the workbook as it was sent")])
    named = _manifest_entry(path, manifest)
    if named is not None and named is not entry:
        raise _misnamed(path, agency, named)
    return entry


def _misnamed(path: Path, agency: str, named: dict) -> Invalid:
    return Invalid([Problem(path.name, None, None,
        f"this is the workbook sent to {agency} (its hidden sheet says so), returned "
        f"under the file name of {named.get('agency')}'s ({named.get('file')}): check "
        f"who sent it back, and keep each agency's workbook under its own name")])


def _manifest_entry(path: Path, manifest: dict | None) -> dict | None:
    """The workbook a CSV answers, by name: "Police-update-request - Updates.csv" -> Police."""
    stem = path.stem.lower()
    books = [b for b in (manifest or {}).get("workbooks", [])
             if stem.startswith(Path(str(b.get("file", ""))).stem.lower())]
    return max(books, key=lambda b: len(b["file"]), default=None)


def _check_rows(project: Project, ret: _Return, proposals: dict[str, dict[str, list[_Proposal]]],
                problems: list[Problem]) -> None:
    """Check each filled row of one return; add its new values to ``proposals``."""
    seen: dict[str, str] = {}
    for row, spec in zip(ret.rows, ret.specs, strict=True):
        for cell in (c for c in row.values() if c.formula):
            problems.append(Problem(cell.where, None, None,
                f"holds a formula ({str(cell.value)[:40]}): formulas are not read; type the "
                "text or date itself"))
        for cell in row.values():
            if cell.error:
                problems.append(Problem(cell.where, None, None,
                    f"holds the spreadsheet error {cell.value}: type the text or date itself"))
        ref_cell = row[REF]
        if ref_cell.formula or ref_cell.error:
            continue
        ref = "" if _blank(ref_cell.value) else str(ref_cell.value).strip()
        ref = _canonical(ref, [*ret.sent, *(item.ref for item in project.items)])
        if not ref:
            problems.append(Problem(ref_cell.where, None, None,
                "this row has no Ref: rows cannot be added, and the Ref column must stay "
                "as sent"))
            continue
        if ref in seen:
            problems.append(Problem(ref_cell.where, None, None,
                f"{ref} is also on {seen[ref]}: each row must stay as sent, once"))
            continue
        seen[ref] = ref_cell.where.split(": ", 1)[-1]
        sent = ret.sent.get(ref)
        if sent is None:
            problems.append(Problem(ref_cell.where, None, None, _not_sent(project, ref)))
            continue
        item = project.find(ref)
        if item is None:
            problems.append(Problem(ref_cell.where, None, None,
                f"{ref} is no longer in the action plan (its file was removed or its ref "
                "changed since the request was sent)"))
            continue
        if (ret.agency == PARTNERSHIP and item.lead) or (
                ret.agency != PARTNERSHIP and ret.agency not in item.lead):
            problems.append(Problem(ref_cell.where, None, None,
                f"{ref} is no longer led by {ret.agency} (its lead is now "
                f"{', '.join(item.lead) or 'the whole partnership'}): issue a new request"))
            continue
        if isinstance(sent, ShapedSent) != bool(spec.kind) or (
                spec.kind and isinstance(sent, ShapedSent) and sent.kind != spec.kind):
            problems.append(Problem(ref_cell.where, None, None,
                f"{ref} was sent on another sheet: rows cannot be moved between sheets"))
            continue
        _check_given(row, sent, problems, spec)
        ret.filled.append(ref)
        for header, (name, read) in spec.new.items():
            cell = row[header]
            if cell.formula or cell.error or _blank(cell.value):
                continue
            try:
                value = read(cell.value)
            except ValueError as error:
                problems.append(Problem(cell.where, None, None,
                                        f"{spec.labels.get(header, header)}: {error}"))
                continue
            proposals.setdefault(ref, {}).setdefault(name, []).append(
                _Proposal(value, cell.where, ret.agency, sent, spec.language))


#: Excel's error values: in a CSV export they are the text of an error cell.
_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                     "#GETTING_DATA", "#SPILL!", "#CALC!"})


def _canonical(ref: str, known: list[str]) -> str:
    """``ref`` as the plan spells it if it matches one in any case ("r1" -> "R1")."""
    if ref in known:
        return ref
    return next((k for k in known if k.lower() == ref.lower()), ref)


def _not_sent(project: Project, ref: str) -> str:
    if project.find(ref) is None:
        return (f"{ref} is not a ref in the action plan: the Ref column must stay as sent, "
                "and rows cannot be added")
    return (f"{ref} was not in this workbook when it was sent: rows cannot be added, and the "
            "Ref column must stay as sent (send updates for other actions to their lead)")


def _check_given(row: dict[str, _Cell], sent: Sent | ShapedSent, problems: list[Problem],
                 spec: _Spec) -> None:
    """The given columns must read as sent: a change there is a partner typing in the wrong place."""
    for header, shown in sent.shown().items():
        cell = row[header]
        if cell.formula or cell.error:
            continue
        same = (_plain(cell.value).lower() == _plain(shown).lower() if header == REF
                else _plain(cell.value) == _plain(shown))  # refs match in any case
        if not same:
            problems.append(Problem(cell.where, None, None,
                f"{spec.labels.get(header, header)} was changed: this column is as sent "
                f"and is not read back; put the new text in {_new_column(header, spec)} "
                f"and keep this cell as it was ({_short(shown)})"))


def _new_column(header: str, spec: _Spec) -> str:
    """Where the new value of a given column goes."""
    if not spec.kind:
        return NEW_UPDATE if header != DUE else NEW_DUE
    found = new_label(header.removeprefix("Current "))
    return spec.labels.get(found, found) if found in spec.new else spec.hint


def _plain(value: Any) -> str:
    """A cell as text, for comparing with what was sent (line endings and ends ignored)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(value).replace("\r\n", "\n").strip()


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _read_due(value: Any) -> str:
    if isinstance(value, datetime):  # a date cell: openpyxl reads it with a time of 00:00
        return str(Due(value.date()))
    if isinstance(value, date):
        return str(Due(value))
    if not isinstance(value, str):
        raise ValueError(f"is not a date: type a date such as 30/09/2010, or write "
                         f"{ACCEPTED_FORMS}")
    return str(parse_due(value))


#: The field names --take knows (commands.partners._takes), by the type of field they mean.
_TAKE_NAMES = {"text": "update", "status": "status", "due": "due"}


def _updates_from(project: Project, proposals: dict[str, dict[str, list[_Proposal]]],
                  problems: list[Problem], take: dict[str, str], choose: Chooser | None,
                  before: ledger.Earlier, rank: Callable[[str], int],
                  picks: dict[str, dict[str, str]],
                  ) -> tuple[list[FileUpdate], list[Joint], list[Waiting]]:
    """The changes to make, the joint rows (several leads' values) and the rows that wait;
    the lead taken for each joint field settled by a choice is added to ``picks``."""
    updates, joints, waiting = [], [], []
    written = before.written
    item_main = project.languages[0]
    for ref in sorted(proposals, key=natural_key):
        item = project.find(ref)
        path = project.sources[ref].path
        given = {name: sorted(found, key=lambda p: rank(p.agency))
                 for name, found in proposals[ref].items()}
        agencies = tuple(sorted({p.agency for found in given.values() for p in found},
                                key=rank))
        reasons: list[str]
        first: _Proposal | None
        changes, origins, reasons, settled, choices = [], [], [], {}, {}
        languages: dict[str, str] = {}
        for definition in partner_fields(item.kind):
            name, type_ = definition.name, fieldtypes.get(definition.type)
            found = given.get(name)
            if not found:
                continue
            values = list(dict.fromkeys(p.value for p in found))
            # REF:update, REF:status, REF:due name a plan's own field by its type
            # ("progress", "rag"), as the --take help words it
            alias = _TAKE_NAMES.get(definition.type)
            # a text returned in two languages (a joint row's Welsh and English leads):
            # one of them is chosen (--take REF=AGENCY too), or the row waits (neither
            # is put over the other, nor kept both in one language's text)
            spoken = list(dict.fromkeys(p.language for p in found)) if type_.wording else [""]
            wanted = (take.get(f"{ref}:{name}") or (take.get(f"{ref}:{alias}") if alias else None)
                      or (take.get(ref) if not type_.running_text or len(spoken) > 1
                          else None))
            chosen = next((p for p in found if p.agency == wanted), None)
            if len(spoken) > 1 and chosen is None:
                reasons.append(f"{partner_label(definition.label)}: " + ", ".join(
                    f"{p.agency} gives {_short(p.value)} in "
                    f"{name_of(p.language or item_main)}" for p in found))
                settled[name] = "waits for a choice"
                continue
            language = chosen.language if chosen is not None else spoken[0]
            # as written to YAML, by the field's type (shape.written_text); a text
            # returned in another language: its translation into it (None if none)
            current = current_in(definition, item.get(name), language or None)
            # this round already wrote the plan's value (the ledger says so)
            applied = name in written.get(ref, {}) and written[ref][name] == current
            # a lead chosen in an earlier run of the round (--take, or in the terminal),
            # whose value the plan still holds: that choice stands, never asked again
            earlier = next((p for p in found if p.value == current and p.agency
                            == before.chosen.get(ref, {}).get(name)), None)
            if len(values) == 1:
                first, value = found[0], values[0]
                settled[name] = "the same" if len({p.agency for p in found}) > 1 else "one lead"
            elif chosen is not None:
                first, value = chosen, chosen.value
                settled[name] = f"taken from {chosen.agency}"
                choices[name] = chosen.agency
            elif earlier is not None:
                first, value, applied = earlier, earlier.value, True
                settled[name] = f"taken from {earlier.agency}"
            elif type_.running_text:
                first, value = found[0], _keep_both(found)
                settled[name] = "kept both, each under its agency's name"
            else:
                options = [(p.agency, p.value) for p in found]
                picked = choose(ref, name, options) if choose else None
                first = next((p for p in found if p.agency == picked), None)
                if first is None:
                    reasons.append(f"{partner_label(definition.label)}: " + ", ".join(
                        f"{p.agency} gives {_short(p.value)}" for p in found))
                    settled[name] = "waits for a choice"
                    continue
                value = first.value
                settled[name] = f"taken from {first.agency}"
                choices[name] = first.agency
            if value == current:
                if applied:
                    settled[name] = f"applied: {settled[name]}"
                continue  # already so: nothing to write
            sent = first.sent.issued(name)
            if sent != current and current != written.get(ref, {}).get(name):
                problems.append(Problem(first.where, None, None,
                    f"{ref} {name}: conflict: the plan has changed since the request was sent "
                    f"(sent {_short(sent or 'none')}, now {_short(current or 'none')}), and the "
                    f"return gives {_short(value)}: decide which is right, correct the "
                    "action file or the return, and collect again"))
                continue
            label = partner_label(definition.label)  # "UPDATE", a print style: "Update"
            if language:  # "Update (Welsh)": its Welsh text changes
                label = f"{label} ({name_of(language)})"
            changes.append(FieldChange(name, current, value, label, type_.running_text))
            origins.append(first.where)
            if language:
                languages[name] = language
        if len(agencies) > 1:
            joints.append(Joint(ref, path, {name: tuple((p.agency, p.value) for p in found)
                                             for name, found in given.items()}, settled,
                                {f.name: partner_label(f.label) for f in item.kind.fields
                                 if f.name in given}))
        if reasons:  # the whole row waits, so it is settled at once, later
            waiting.append(Waiting(ref, path, tuple(reasons), agencies))
            continue
        if choices:
            picks[ref] = choices
        if changes:
            updates.append(FileUpdate(path, ref, tuple(as_written_cleared(item, changes)),
                                      tuple(origins), agencies, languages))
    return updates, joints, waiting


def _keep_both(found: list[_Proposal]) -> str:
    """Every lead's update text, each under its agency's name, in agencies.yaml's order."""
    by_text: dict[str, list[str]] = {}
    for proposal in found:
        by_text.setdefault(proposal.value, []).append(proposal.agency)
    return "\n\n".join(f"{' and '.join(agencies)}: {text}" for text, agencies in by_text.items())
