"""Update requests: a workbook out to each lead agency, their returns checked, then written to YAML.

The round trip:

1. :func:`issue_requests` writes one ``.xlsx`` per lead agency listing the
   actions it leads that are not complete, with three columns to fill in (New
   update, New status, New due date) and a hidden sheet recording what was sent.
2. :func:`collect_returns` reads the workbooks (or CSV exports of them) that
   came back and checks every row against what was sent and the plan as it is
   now.  Every problem is reported at once, by file and cell; nothing is written.
3. :func:`apply_returns` writes the changes into the action files in place
   (see :mod:`psa_report.yamledit`), after validating the whole plan as it
   would be.

A workbook from outside is untrusted input: formulas are refused, never
evaluated; files and rows are bounded; nothing in a return can name a file to
write, since changes are keyed by ref and written to the file the plan says.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .changes import FieldChange, field_value
from .dates import ACCEPTED_FORMS, Due, long_date, parse_due
from .loader import load_file, load_text
from .models import STATUS_WORDS, DataGap, Recommendation, Status, parse_status, ref_key
from .problems import Invalid, Problem
from .project import Project, build_project, list_action_files, load_project
from .yamledit import replace_values

#: The workbook of the items that have no lead agency (recommendations for all).
PARTNERSHIP = "Partnership"
MANIFEST = "manifest.json"
REQUESTS_DIR = Path("out") / "requests"  # where the CLI is expected to issue them

INSTRUCTIONS, UPDATES, ISSUED = "Instructions", "Updates", "Issued"
GIVEN = ("Ref", "Data gap / recommendation", "Action", "Current update", "Current status",
         "Due")
NEW = ("New update", "New status", "New due date")
HEADERS = GIVEN + NEW
#: The YAML field each column to fill in changes.
NEW_FIELDS = {"New update": "update", "New status": "status", "New due date": "due"}
#: Column widths in characters: the texts wide, the rest narrow, so that A4
#: landscape still prints them at a readable size (about 65%).
WIDTHS = (8, 32, 28, 42, 11, 14, 42, 12, 14)
INSTRUCTIONS_WIDTH = 80  # fits A4 portrait at full size
LINE_HEIGHT = 15  # points per line of 11-point text

#: Bounds on a returned file: a workbook of one agency's actions is a few tens of KB.
MAX_RETURN_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb inflates far beyond its size
MAX_ROWS = 5000
MAX_COLUMNS = 50

FORMAT = 1  # of the hidden sheet and the manifest
# Excel serial day numbers of 1 January 2000 and 31 December 2099: the range the
# date drop-down accepts (serial numbers read the same in Excel and LibreOffice).
_FIRST_DAY, _LAST_DAY = 36526, 73050
_DATE_FORMAT = "d mmmm yyyy"


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class IssuedWorkbook:
    agency: str  # the short name from agencies.yaml, or "Partnership"
    agency_name: str
    path: Path
    refs: tuple[str, ...]


@dataclass(frozen=True)
class FileUpdate:
    """What a return (or a quick edit) changes in one action file."""

    path: str  # relative to the project: actions/data-gaps/3.2.1.yaml
    ref: str
    changes: tuple[FieldChange, ...]
    #: where each change came from: "Police-update-request.xlsx: sheet Updates, cell G3"
    origins: tuple[str, ...] = ()

    @property
    def values(self) -> dict[str, str | None]:
        """The new values to write, by field."""
        return {change.field: change.new for change in self.changes}

    @property
    def summaries(self) -> list[str]:
        """One line per field, worded as changes.FieldChange.summary: "status: at risk → on track"."""
        return [change.summary for change in self.changes]


@dataclass(frozen=True)
class CollectResult:
    updates: tuple[FileUpdate, ...]
    returned: tuple[str, ...]  # agencies whose workbook came back
    not_returned: tuple[str, ...]  # agencies in the manifest whose workbook did not
    manifest: Path | None

    @property
    def not_returned_line(self) -> str | None:
        """ "Not yet returned: Court, Probation", or None when all are in."""
        if not self.not_returned:
            return None
        return "Not yet returned: " + ", ".join(self.not_returned)


# ---------------------------------------------------------------- what is sent

@dataclass(frozen=True)
class _Sent:
    """One row as it was issued: the canonical values, and what the Updates sheet showed."""

    ref: str
    update: str
    status: str  # Status value, "off track"
    due: str | None  # str(Due): "2010-09" or "2010-09-30"
    text: str  # the gap or the recommendation
    action: str | None

    @classmethod
    def of(cls, item: DataGap | Recommendation) -> _Sent:
        return cls(item.ref, item.update, item.status.value,
                   str(item.due) if item.due else None,
                   item.gap if isinstance(item, DataGap) else item.recommendation,
                   getattr(item, "action", None))

    def shown(self) -> dict[str, str]:
        """The given columns as printed in the workbook."""
        due = parse_due(self.due).long if self.due else ""
        return dict(zip(GIVEN, (self.ref, self.text, self.action or "", self.update,
                                Status(self.status).label, due)))

    def issued(self, name: str) -> str | None:
        return {"update": self.update, "status": self.status, "due": self.due}[name]

    def as_dict(self) -> dict[str, str | None]:
        return {"ref": self.ref, "update": self.update, "status": self.status,
                "due": self.due, "text": self.text, "action": self.action}


_ISSUED_COLUMNS = ("ref", "update", "status", "due", "text", "action")
_ISSUED_FIRST_ROW = 7  # rows 1-5 hold the metadata, row 6 the header


# ---------------------------------------------------------------- issue

def issue_requests(project: Project, out_dir: Path, leads: Iterable[str] | None = None,
                   reply_by: date | None = None, commit: str | None = None, *,
                   issued_on: date | None = None) -> list[IssuedWorkbook]:
    """Write one update-request workbook per lead agency, and manifest.json, into ``out_dir``."""
    issued_on = issued_on or date.today()
    groups = _groups(project)
    if leads is not None:
        leads = list(leads)
        unknown = [code for code in leads if code not in project.agencies
                   and code != PARTNERSHIP]
        if unknown:
            raise Invalid([Problem("actions/agencies.yaml", None, None,
                f"{', '.join(unknown)}: not a lead agency here (the agencies are "
                f"{', '.join(project.agencies)}, and {PARTNERSHIP} for the items with no lead)")])
        groups = {code: items for code, items in groups.items() if code in leads}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    issued: list[IssuedWorkbook] = []
    used: set[str] = set()
    for code, items in groups.items():
        name = project.agencies.get(code, f"the {project.report.partnership}")
        path = out_dir / _file_name(code, used)
        rows = [_Sent.of(item) for item in items]
        _workbook(project, code, name, rows, reply_by, commit, issued_on).save(path)
        issued.append(IssuedWorkbook(code, name, path, tuple(row.ref for row in rows)))
    manifest = {
        "format": FORMAT, "partnership": project.report.partnership,
        "meeting": project.report.meeting, "issued": issued_on.isoformat(),
        "reply_by": reply_by.isoformat() if reply_by else None, "commit": commit,
        "workbooks": [{"agency": book.agency, "name": book.agency_name,
                       "file": book.path.name, "refs": list(book.refs),
                       "rows": [_Sent.of(project.find(ref)).as_dict() for ref in book.refs]}
                      for book in issued],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    return issued


def _groups(project: Project) -> dict[str, list[DataGap | Recommendation]]:
    """Agency -> its open items, in agencies.yaml's order; an item with several leads is in each."""
    groups: dict[str, list] = {code: [] for code in [*project.agencies, PARTNERSHIP]}
    for item in sorted(project.items, key=lambda i: ref_key(i.ref)):
        if item.status is Status.COMPLETE:
            continue
        for code in item.lead or [PARTNERSHIP]:
            groups[code].append(item)
    return {code: items for code, items in groups.items() if items}


def _file_name(code: str, used: set[str]) -> str:
    """A file name that is safe anywhere and in an email: "A&E" -> "A-and-E-update-request.xlsx"."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", code.replace("&", " and ")).strip("-") or "agency"
    name, number = f"{stem}-update-request.xlsx", 1
    while name.lower() in used:  # "A&E" and "A-and-E" would clash
        number += 1
        name = f"{stem}-{number}-update-request.xlsx"
    used.add(name.lower())
    return name


def _workbook(project: Project, code: str, name: str, rows: list[_Sent],
              reply_by: date | None, commit: str | None, issued_on: date):
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    _instructions(book.active, project, name, reply_by, issued_on)
    _updates(book.create_sheet(UPDATES), rows)
    _issued_sheet(book.create_sheet(ISSUED), code, commit, issued_on, rows)
    book.active = 0
    # No password: the lock stops sheets being renamed or moved by accident,
    # not a determined partner (collect_returns checks everything anyway).
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _instructions(sheet, project: Project, name: str, reply_by: date | None,
                  issued_on: date) -> None:
    from openpyxl.styles import Alignment, Font

    report = project.report
    meeting = report.meeting + (f" on {long_date(report.meeting_date)}"
                                if report.meeting_date else "")
    when = (f"Please reply by {long_date(reply_by)}." if reply_by
            else "Please reply as soon as you can.")
    lines = [
        (f"{report.partnership}: update request for {name}", "title"),
        (f"This workbook lists the actions that {name} leads in the action plan of the "
         f"{report.partnership}, and that are not yet complete. The updates you give will "
         f"go into the progress report to the {meeting}.", None),
        (when, "bold"),
        ("What to do", "bold"),
        ("1. Open the Updates sheet. Each row is one data gap or recommendation.", None),
        ("2. Type the latest progress in the New update column. Leave a row blank if "
         "nothing has changed.", None),
        (f"3. Choose the New status from the drop-down list: {STATUS_WORDS}.", None),
        ("4. If the deadline has moved, type the new date in the New due date column, "
         "such as 30/09/2010.", None),
        ("5. Please do not change the other columns, add rows, or move or rename the sheets: "
         "the workbook is read back automatically, and a changed row is sent back to you.",
         None),
        ("6. Save the workbook as it is (.xlsx) and return it to whoever sent it to you.",
         None),
        ("If you use another spreadsheet program, you may instead save the Updates sheet as "
         "a CSV file (UTF-8) with its header row, keep the file's name, and write dates as "
         "30 September 2010.", None),
        (f"Sent on {long_date(issued_on)}.", None),
    ]
    sheet.title = INSTRUCTIONS
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for number, (text, style) in enumerate(lines, 1):
        cell = sheet.cell(number, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        title = style == "title"
        if style:
            cell.font = Font(bold=True, size=14 if title else 11)
        sheet.row_dimensions[number].height = _height(
            [(text, INSTRUCTIONS_WIDTH * (0.75 if title else 1))]) * (1.3 if title else 1)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True


def _updates(sheet, rows: list[_Sent]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    fill_in = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill in, pale yellow
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (title, width) in enumerate(zip(HEADERS, WIDTHS), 1):
        cell = sheet.cell(1, column, title)
        cell.font, cell.alignment = Font(bold=True), wrap
        cell.fill = fill_in if title in NEW else header_fill
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, 2):
        for column, value in enumerate(row.shown().values(), 1):
            # Every value is written as text (never "=..." read as a formula).
            sheet.cell(number, column).value = value
            sheet.cell(number, column).data_type = "s"
            sheet.cell(number, column).alignment = wrap
        for column in range(len(GIVEN) + 1, len(HEADERS) + 1):
            cell = sheet.cell(number, column)
            cell.protection, cell.fill, cell.alignment = Protection(locked=False), fill_in, wrap
        sheet.cell(number, len(HEADERS)).number_format = _DATE_FORMAT
        sheet.row_dimensions[number].height = _height(list(zip(row.shown().values(), WIDTHS)))
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT  # "Current status" takes two lines
    last = len(rows) + 1
    status = DataValidation(
        type="list", formula1='"' + ",".join(s.value for s in Status) + '"', allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorTitle="New status",
        error=f"Choose one of: {STATUS_WORDS}.", promptTitle="New status",
        prompt="Choose from the list, or leave blank if the status has not changed.")
    due = DataValidation(
        type="date", operator="between", formula1=str(_FIRST_DAY), formula2=str(_LAST_DAY),
        allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorTitle="New due date", error="Type a date, such as 30/09/2010.",
        promptTitle="New due date", prompt="Type the new deadline, such as 30/09/2010, "
        "or leave blank if it has not moved.")
    status.add(f"H2:H{last}")
    due.add(f"I2:I{last}")
    sheet.add_data_validation(status)
    sheet.add_data_validation(due)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Protected with no password; rows and columns may still be resized.
    sheet.protection.sheet = True
    sheet.protection.formatRows = sheet.protection.formatColumns = False


def _height(cells: list[tuple[str, float]]) -> float:
    """A row height (points) showing every wrapped text in full.

    Neither Excel nor LibreOffice fits a row to wrapped text in a file they did
    not write themselves, so the height is estimated: about 1.1 characters per
    unit of column width, one line more than that for the variation in letters.
    """
    lines = 1
    for text, width in cells:
        per_line = max(1, int(width * 1.1))
        count = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, count + (1 if count > 1 else 0))
    return min(409, lines * LINE_HEIGHT)  # 409 points is the tallest row Excel allows


def _issued_sheet(sheet, code: str, commit: str | None, issued_on: date,
                  rows: list[_Sent]) -> None:
    meta = [("psa-report update request", FORMAT), ("agency", code), ("commit", commit or ""),
            ("issued", issued_on.isoformat())]
    for number, (key, value) in enumerate(meta, 1):
        sheet.cell(number, 1, key)
        sheet.cell(number, 2, value)
    for column, title in enumerate(_ISSUED_COLUMNS, 1):
        sheet.cell(_ISSUED_FIRST_ROW - 1, column, title)
    for number, row in enumerate(rows, _ISSUED_FIRST_ROW):
        for column, value in enumerate(row.as_dict().values(), 1):
            sheet.cell(number, column).value = value
            sheet.cell(number, column).data_type = "s"
    sheet.sheet_state = "veryHidden"  # not even listed under Unhide in Excel
    sheet.protection.sheet = True


# ---------------------------------------------------------------- collect

@dataclass
class _Cell:
    value: Any
    where: str  # "Police-update-request.xlsx: sheet Updates, cell H7"
    formula: bool = False


@dataclass
class _Return:
    """One returned file: whose it is, what was sent, and its filled rows."""

    display: str
    agency: str  # from the hidden sheet, or for a CSV from the manifest
    sent: dict[str, _Sent]
    rows: list[dict[str, _Cell]] = field(default_factory=list)


@dataclass
class _Proposal:
    value: str
    where: str
    agency: str
    sent: _Sent


def collect_returns(project: Project, paths: Iterable[Path]) -> CollectResult:
    """Read and check the returned workbooks / CSV files; raise :class:`Invalid` with every problem."""
    problems: list[Problem] = []
    paths = [Path(p) for p in paths]
    files = _return_files(paths, problems)
    manifest_path = _find_manifest(paths, project.root)
    manifest = _read_manifest(manifest_path, problems) if manifest_path else None
    returns: list[_Return] = []
    for path in files:
        try:
            if path.suffix.lower() == ".csv":
                returns.append(_read_csv(path, manifest, problems))
            else:
                returns.append(_read_xlsx(path, problems))
        except Invalid as invalid:  # this file cannot be read at all; go on with the others
            problems.extend(invalid.problems)
    proposals: dict[str, dict[str, list[_Proposal]]] = {}
    for ret in returns:
        _check_rows(project, ret, proposals, problems)
    updates = _updates_from(project, proposals, problems)
    if problems:
        raise Invalid(problems)
    expected = [book["agency"] for book in (manifest or {}).get("workbooks", [])]
    returned = tuple(sorted(dict.fromkeys(r.agency for r in returns),
                            key=lambda a: expected.index(a) if a in expected else len(expected)))
    missing = tuple(code for code in expected if code not in returned)
    return CollectResult(tuple(updates), returned, missing, manifest_path)


def _return_files(paths: list[Path], problems: list[Problem]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file()
                            and p.suffix.lower() in (".xlsx", ".csv")
                            and not p.name.startswith((".", "~$")))  # ~$ = Excel's lock file
            if not inside:
                problems.append(Problem(str(path), None, None,
                                        "holds no .xlsx or .csv returns"))
            found += inside
        elif not path.is_file():
            problems.append(Problem(str(path), None, None, "no such file or folder"))
        elif path.suffix.lower() not in (".xlsx", ".csv"):
            problems.append(Problem(str(path), None, None,
                "not an .xlsx workbook or a .csv file: save the return as Excel Workbook "
                "(.xlsx), or its Updates sheet as CSV"))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _find_manifest(paths: list[Path], root: Path) -> Path | None:
    """manifest.json next to the returns (or in a folder given), else in out/requests/."""
    folders = [p if p.is_dir() else p.parent for p in paths]
    for folder in [*folders, Path(root) / REQUESTS_DIR]:
        if (folder / MANIFEST).is_file():
            return folder / MANIFEST
    return None


def _read_manifest(path: Path, problems: list[Problem]) -> dict | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("workbooks"), list):
            raise ValueError("it has no list of workbooks")
        return manifest
    except (OSError, ValueError) as error:
        problems.append(Problem(str(path), None, None,
            f"the list of requests sent cannot be read ({error}): issue the requests again "
            "or remove this file"))
        return None


def _where(display: str, cell: str) -> str:
    return f"{display}: sheet {UPDATES}, cell {cell}"


def _check_size(path: Path, display: str) -> None:
    size = path.stat().st_size
    if size > MAX_RETURN_BYTES:
        raise Invalid([Problem(display, None, None,
            f"the file is {size:,} bytes, over the limit of {MAX_RETURN_BYTES:,} for a return: "
            "check it is the workbook that was sent")])


def _read_xlsx(path: Path, problems: list[Problem]) -> _Return:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    display = path.name
    _check_size(path, display)
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise Invalid([Problem(display, None, None,
            "cannot be read as an Excel workbook: save it as Excel Workbook (.xlsx), not "
            ".xls or .ods")]) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise Invalid([Problem(display, None, None,
            "the workbook unpacks to more than 100 MB: it is not the workbook that was sent")])
    try:
        with warnings.catch_warnings():  # openpyxl warns of extensions it drops
            warnings.simplefilter("ignore")
            book = load_workbook(path, data_only=False, read_only=False, keep_vba=False)
    except Exception as error:  # noqa: BLE001 - any failure to parse an outside file
        raise Invalid([Problem(display, None, None,
            f"cannot be read as an Excel workbook ({type(error).__name__}): open it in "
            "Excel or LibreOffice and save it again as .xlsx")]) from None
    missing = [name for name in (UPDATES, ISSUED) if name not in book.sheetnames]
    if missing:
        raise Invalid([Problem(display, None, None,
            f"has no sheet named {' or '.join(missing)}: return the workbook that was sent, "
            "with its sheets as they were")])
    agency, sent = _read_issued(book[ISSUED], display)
    sheet = book[UPDATES]
    if sheet.max_row > MAX_ROWS + 1 or sheet.max_column > MAX_COLUMNS:
        raise Invalid([Problem(f"{display}: sheet {UPDATES}", None, None,
            f"has {sheet.max_row:,} rows and {sheet.max_column} columns, more than an "
            "update request ever holds")])
    result = _Return(display, agency, sent)
    columns = _header(
        {get_column_letter(c.column): c.value for c in sheet[1] if c.value not in (None, "")},
        lambda letter: _where(display, f"{letter}1"), "A", problems)
    if columns is None:
        return result
    for cells in sheet.iter_rows(min_row=2, max_col=sheet.max_column):
        row = {}
        for cell in cells:
            title = columns.get(get_column_letter(cell.column))
            if title is not None:
                # A formula is kept as its text, never evaluated, and refused below.
                row[title] = _Cell(cell.value, _where(display, cell.coordinate),
                                   cell.data_type == "f")
        if any(not _blank(c.value) for c in row.values()):
            result.rows.append(row)
    return result


def _read_issued(sheet, display: str) -> tuple[str, dict[str, _Sent]]:
    """The agency and the rows as sent, from the hidden sheet."""
    def value(row: int, column: int) -> str | None:
        cell = sheet.cell(row, column)
        if cell.data_type == "f":
            raise Invalid([Problem(display, None, None, _TAMPERED)])
        return None if _blank(cell.value) else str(cell.value)

    if value(1, 1) != "psa-report update request" or not value(2, 2):
        raise Invalid([Problem(display, None, None, _TAMPERED)])
    sent: dict[str, _Sent] = {}
    for number in range(_ISSUED_FIRST_ROW, min(sheet.max_row, MAX_ROWS + _ISSUED_FIRST_ROW) + 1):
        values = [value(number, column) for column in range(1, len(_ISSUED_COLUMNS) + 1)]
        if values[0] is None:
            continue
        row = dict(zip(_ISSUED_COLUMNS, values))
        try:
            sent[values[0]] = _Sent(**row)  # type: ignore[arg-type]
            sent[values[0]].shown()  # its status and due must read
        except (TypeError, ValueError):
            raise Invalid([Problem(display, None, None, _TAMPERED)]) from None
    return value(2, 2), sent


_TAMPERED = ("the hidden record of what was sent is missing or changed: return the "
             "workbook that was sent (or issue a new request)")


def _header(titles: dict[Any, Any], where, first: Any,
            problems: list[Problem]) -> dict[Any, str] | None:
    """Column letter (or CSV position) -> header, checked: all nine columns, nothing else.

    ``where(column)`` names a header cell for a problem; ``first`` is the first column.
    """
    columns: dict[str, str] = {}
    known = {_words(h): h for h in HEADERS}
    ok = True
    for letter, title in titles.items():
        header = known.get(_words(str(title)))
        if header is None or header in columns.values():
            problems.append(Problem(where(letter), None, None,
                f"the column headed {str(title)!r} is not one of the columns sent "
                f"({', '.join(HEADERS)}): put comments in New update, and keep the header "
                "row as it was"))
            ok = False
        else:
            columns[letter] = header
    missing = [h for h in HEADERS if h not in columns.values()]
    if missing:
        problems.append(Problem(where(first), None, None,
            f"the header row has no column {', '.join(missing)}: keep the header row as sent"))
        ok = False
    return columns if ok else None


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(path: Path, manifest: dict | None, problems: list[Problem]) -> _Return:
    display = path.name
    _check_size(path, display)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid([Problem(display, None, None,
            "this is not UTF-8 text: save the sheet as 'CSV UTF-8' (in Excel: Save As, "
            "CSV UTF-8)")]) from None
    book = _manifest_entry(path, manifest)
    if book is None:
        raise Invalid([Problem(display, None, None,
            "cannot tell which agency's request this CSV answers: keep the file name the "
            "workbook was sent with (such as Police-update-request.csv), and keep "
            f"{MANIFEST} from the requests next to it")])
    try:
        sent = {row["ref"]: _Sent(**row) for row in book["rows"]}
    except (KeyError, TypeError):
        raise Invalid([Problem(MANIFEST, None, None, _TAMPERED)]) from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    result = _Return(display, book["agency"], sent)
    try:
        header = next(reader, [])
        columns = _header({n: t for n, t in enumerate(header, 1) if not _blank(t)},
                          lambda n: f"{display}: line 1, column {n}", 1, problems)
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
                # Text starting with "=" was a formula in the partner's spreadsheet.
                row[header] = _Cell(value, f"{display}: line {number}, {header}",
                                    bool(value) and value.startswith("="))
            if any(not _blank(c.value) for c in row.values()):
                result.rows.append(row)
    except csv.Error as error:
        raise Invalid([Problem(display, reader.line_num, None,
                               f"the CSV cannot be read: {error}")]) from None
    return result


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
    for row in ret.rows:
        formulas = [c for c in row.values() if c.formula]
        for cell in formulas:
            problems.append(Problem(cell.where, None, None,
                f"holds a formula ({str(cell.value)[:40]}): formulas are not read; type the "
                "text or date itself"))
        ref_cell = row["Ref"]
        if ref_cell.formula:
            continue
        ref = "" if _blank(ref_cell.value) else str(ref_cell.value).strip()
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
        _check_given(row, sent, problems)
        for header, name in NEW_FIELDS.items():
            cell = row[header]
            if cell.formula or _blank(cell.value):
                continue
            try:
                value = _READERS[name](cell.value)
            except ValueError as error:
                problems.append(Problem(cell.where, None, None, f"{header}: {error}"))
                continue
            proposals.setdefault(ref, {}).setdefault(name, []).append(
                _Proposal(value, cell.where, ret.agency, sent))


def _not_sent(project: Project, ref: str) -> str:
    if project.find(ref) is None:
        return (f"{ref} is not a ref in the action plan: the Ref column must stay as sent, "
                "and rows cannot be added")
    return (f"{ref} was not in this workbook when it was sent: rows cannot be added, and the "
            "Ref column must stay as sent (send updates for other actions to their lead)")


def _check_given(row: dict[str, _Cell], sent: _Sent, problems: list[Problem]) -> None:
    """The given columns must read as sent: a change there is a partner typing in the wrong place."""
    for header, shown in sent.shown().items():
        cell = row[header]
        if cell.formula:
            continue
        if _plain(cell.value) != _plain(shown):
            problems.append(Problem(cell.where, None, None,
                f"{header} was changed: this column is as sent and is not read back; "
                f"put the new text in {'New update' if header != 'Due' else 'New due date'} "
                f"and keep this cell as it was ({_short(shown)})"))


def _plain(value: Any) -> str:
    """A cell as text, for comparing with what was sent (line endings and ends ignored)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(value).replace("\r\n", "\n").strip()


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _read_update(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text (this cell holds a number or a date)")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_status(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be one of {STATUS_WORDS}")
    return parse_status(value).value


def _read_due(value: Any) -> str:
    if isinstance(value, datetime):  # a date cell: openpyxl reads it with a time of 00:00
        return str(Due(value.date()))
    if isinstance(value, date):
        return str(Due(value))
    if not isinstance(value, str):
        raise ValueError(f"is not a date: type a date such as 30/09/2010, or write "
                         f"{ACCEPTED_FORMS}")
    return str(parse_due(value))


_READERS = {"update": _read_update, "status": _read_status, "due": _read_due}


def _updates_from(project: Project, proposals: dict[str, dict[str, list[_Proposal]]],
                  problems: list[Problem]) -> list[FileUpdate]:
    """The changes to make, after refusing disagreements and conflicts."""
    updates = []
    for ref in sorted(proposals, key=ref_key):
        item = project.find(ref)
        changes, origins = [], []
        for name in ("status", "due", "update"):  # the order changes.FIELDS reports them
            given = proposals[ref].get(name)
            if not given:
                continue
            first = given[0]
            for other in given[1:]:
                if other.value != first.value:
                    problems.append(Problem(other.where, None, None,
                        f"{ref} {name}: {other.agency} gives {_short(other.value)} but "
                        f"{first.agency} gave {_short(first.value)} ({first.where}): agree "
                        "one, correct a return, and collect again"))
            current = field_value(item, name)
            if first.value == current:
                continue  # already so: nothing to write
            sent = first.sent.issued(name)
            if sent != current:
                problems.append(Problem(first.where, None, None,
                    f"{ref} {name}: conflict: the plan has changed since the request was sent "
                    f"(sent {_short(sent or 'none')}, now {_short(current or 'none')}), and the "
                    f"return gives {_short(first.value)}: decide which is right, correct the "
                    "action file or the return, and collect again"))
                continue
            changes.append(FieldChange(name, current, first.value))
            origins.append(first.where)
        if changes:
            updates.append(FileUpdate(project.sources[ref].path, ref, tuple(changes), tuple(origins)))
    return updates


# ---------------------------------------------------------------- write

def apply_returns(project_root: Path, result: CollectResult) -> list[str]:
    """Write the collected changes into the action files; return the files changed."""
    return _write_updates(Path(project_root), list(result.updates))


def set_fields(project_root: Path, ref: str, status: str | None = None,
               update: str | None = None, due: str | None = None) -> FileUpdate:
    """Change one item's status, update or due date in place (``due=""`` removes the date).

    Returns what changed (no changes: nothing was written).
    """
    root = Path(project_root)
    project = load_project(root)
    item = project.find(ref)
    if item is None:
        raise Invalid([Problem(str(root / "actions"), None, None,
            f"no data gap or recommendation has the ref {ref!r}")])
    path = project.sources[ref].path
    wanted: dict[str, str | None] = {}
    try:
        if status is not None:
            wanted["status"] = parse_status(status).value
        if due is not None:
            wanted["due"] = str(parse_due(due)) if due.strip() else None
        if update is not None:
            if not update.strip():
                raise ValueError("the update is empty: write the text")
            wanted["update"] = _read_update(update)
    except ValueError as error:
        raise Invalid([Problem(path, None, None, str(error))]) from None
    changes = tuple(FieldChange(name, old, new) for name, new in wanted.items()
                    if (old := field_value(item, name)) != new)
    result = FileUpdate(path, ref, changes)
    if changes:
        _write_updates(root, [result], project)
    return result


def _write_updates(root: Path, updates: list[FileUpdate],
                   project: Project | None = None) -> list[str]:
    """Edit every file, validate the plan as it would be, then replace each file atomically."""
    project = project or load_project(root)
    problems: list[Problem] = []
    texts: dict[str, tuple[bool, str]] = {}  # path -> (had a byte-order mark, new text)
    for update in updates:
        item = project.find(update.ref)
        moved = [c.field for c in update.changes
                 if item is None or field_value(item, c.field) != c.old]
        source = project.sources.get(update.ref)
        if moved or source is None or source.path != update.path:
            problems.append(Problem(update.path, None, None,
                f"{update.ref} changed since the returns were collected "
                f"({', '.join(moved) or 'its file moved'}): collect them again"))
            continue
        raw = (root / update.path).read_bytes()
        text = raw.decode("utf-8-sig")
        try:
            new = replace_values(text, update.path, update.values)
        except Invalid as invalid:
            problems.extend(invalid.problems)
            continue
        texts[update.path] = (raw.startswith(b"\xef\xbb\xbf"), new)
    if problems:
        raise Invalid(problems)

    def read(path: str):
        if path in texts:
            return load_text(texts[path][1], path, root / path)
        return load_file(root / path, path)

    build_project(root, list_action_files(root), read)  # raises Invalid: nothing written
    for path, (bom, text) in texts.items():
        _replace_file(root / path, ("\ufeff" if bom else "") + text)
    return list(texts)


def _replace_file(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` so that a crash leaves the old file or the new one, never half."""
    # The temporary file is hidden, so the project loader skips one left by a crash.
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, target.stat().st_mode & 0o7777)  # mkstemp makes it 0600
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
