"""``requests``: one update-request workbook per lead agency, and the manifest of what was sent.

Every text is written as a string cell (:func:`psa_report.sheets.put`), never a
formula, whatever the plan or agencies.yaml holds; a plan larger than a return
may be is refused before anything is written, as ``collect`` would refuse it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from . import wording
from .dates import long_date
from .editions import exemptions
from .ledger import new_round_id
from .models import STATUS_WORDS, DataGap, Recommendation, Status, ref_key
from .output import publish
from .partners import (
    FORMAT,
    GIVEN,
    HEADERS,
    INSTRUCTIONS,
    INSTRUCTIONS_WIDTH,
    ISSUED,
    ISSUED_COLUMNS,
    ISSUED_FIRST_ROW,
    ISSUED_MARK,
    LINE_HEIGHT,
    MANIFEST,
    MAX_RETURN_BYTES,
    MAX_ROWS,
    NEW,
    NEW_DUE,
    NEW_STATUS,
    NEW_UPDATE,
    PARTNERSHIP,
    UPDATES,
    WIDTHS,
    IssuedWorkbook,
    Sent,
    ShapedSent,
    given_fields,
    new_label,
    partner_fields,
    shaped_headers,
)
from .problems import Invalid, Problem
from .project import Project
from .shape import Kind, Shape
from .sheets import put
from .wording import WORDS

#: Excel serial day numbers of 1 January 2000 and 31 December 2099: the range the
#: date drop-down accepts (serial numbers read the same in Excel and LibreOffice).
_FIRST_DAY, _LAST_DAY = 36526, 73050
_DATE_FORMAT = "d mmmm yyyy"


def issue_requests(project: Project, out_dir: Path, leads: Iterable[str] | None = None,
                   reply_by: date | None = None, commit: str | None = None, *,
                   issued_on: date | None = None, round_id: str | None = None,
                   ) -> list[IssuedWorkbook]:
    """Write one update-request workbook per lead agency, and manifest.json, into ``out_dir``.

    ``round_id`` names this round in the manifest (and in its ledger, :mod:`psa_report.ledger`).
    """
    issued_on = issued_on or date.today()
    round_id = round_id or new_round_id(issued_on)
    if project.kind_items:  # a plan.yaml of its own: its kinds' own columns
        return _issue_shaped(project, out_dir, leads, reply_by, commit, issued_on, round_id)
    groups = _only(project, _groups(project), leads)
    _check_issuable(project, groups)  # before anything is written
    out_dir = Path(out_dir)
    issued: list[IssuedWorkbook] = []
    outputs: dict[Path, Callable[[Path], None]] = {}
    used: set[str] = set()
    keys: dict[str, str] = {}
    for code, items in groups.items():
        name = project.agencies.get(code, f"the {project.report.partnership}")
        path = out_dir / _file_name(code, used)
        rows = [Sent.of(item) for item in items]
        book = _workbook(project, code, name, rows, reply_by, commit, issued_on)
        keys[code] = _bind(book)
        outputs[path] = _saver(book, code)
        issued.append(IssuedWorkbook(code, name, path, tuple(row.ref for row in rows)))
    manifest = {
        "format": FORMAT, "round": round_id, "partnership": project.report.partnership,
        "meeting": project.report.meeting, "issued": issued_on.isoformat(),
        "reply_by": reply_by.isoformat() if reply_by else None, "commit": commit,
        "workbooks": [{"agency": book.agency, "name": book.agency_name,
                       "file": book.path.name, "key": keys[book.agency],
                       "refs": list(book.refs),
                       "rows": [Sent.of(project.find(ref)).as_dict() for ref in book.refs]}
                      for book in issued],
    }
    outputs[out_dir / MANIFEST] = _manifest_saver(manifest)
    publish(outputs)  # the workbooks and their manifest together, or none
    return issued


def _only(project: Project, groups: dict[str, list], leads: Iterable[str] | None
          ) -> dict[str, list]:
    """The groups of the agencies asked for (all if None); an unknown agency refused."""
    if leads is None:
        return groups
    leads = list(leads)
    unknown = [code for code in leads if code not in project.agencies
               and code != PARTNERSHIP]
    if unknown:
        raise Invalid([Problem("actions/agencies.yaml", None, None,
            f"{', '.join(unknown)}: not a lead agency here (the agencies are "
            f"{', '.join(project.agencies)}, and {PARTNERSHIP} for the items with no lead)")])
    return {code: items for code, items in groups.items() if code in leads}


#: The hidden sheet's row holding the workbook's key (rows 1-4: mark, agency, commit, day).
KEY_ROW = 5


def _bind(book) -> str:
    """Give the workbook a key of its own, in its hidden sheet, and return it for the
    manifest: ``collect`` knows a return by its key, which only the agency it was sent
    to has, so a partner who edits the hidden sheet cannot pass as another agency."""
    key = secrets.token_urlsafe(24)
    sheet = book[ISSUED]
    put(sheet, KEY_ROW, 1, "key")
    put(sheet, KEY_ROW, 2, key)
    return key


def _manifest_saver(manifest: dict) -> Callable[[Path], None]:
    """Save the manifest, refusing one larger than ``collect`` reads back."""
    data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def save(temp: Path) -> None:  # after the workbooks, each checked as it is saved
        if len(data) > MAX_RETURN_BYTES:
            raise Invalid([Problem(MANIFEST, None, None,
                f"the list of requests would be {len(data):,} bytes, more than the "
                f"{MAX_RETURN_BYTES:,} collect reads, so nothing was written: send "
                "requests for fewer actions (use --lead), or shorten the longest updates")])
        temp.write_bytes(data)
    return save


def _saver(book, code: str) -> Callable[[Path], None]:
    """Save ``book``, refusing a file larger than ``collect`` reads back."""
    def save(temp: Path) -> None:
        book.save(temp)
        size = temp.stat().st_size
        if size > MAX_RETURN_BYTES:
            raise Invalid([Problem("actions/agencies.yaml", None, None,
                f"{code}: the workbook would be {size:,} bytes, more than the "
                f"{MAX_RETURN_BYTES:,} a return may be: send requests for fewer actions "
                "(use --lead), or shorten the longest updates")])
    return save


def _check_issuable(project: Project, groups: dict[str, list[DataGap | Recommendation]],
                    values: Callable = lambda item: Sent.of(item).as_dict().items()) -> None:
    """Refuse what ``collect`` would refuse, or a workbook cannot hold, before writing anything."""
    problems: list[Problem] = []
    for code, items in groups.items():
        if len(items) > MAX_ROWS:
            problems.append(Problem("actions/agencies.yaml", None, None,
                f"{code}: {len(items):,} open actions, more than the {MAX_ROWS:,} rows a "
                "returned workbook may hold: send requests for fewer (use --lead, or mark "
                "finished actions complete)"))
    texts = [("actions/report.yaml", name, value) for name, value in
             (("partnership", project.report.partnership), ("meeting", project.report.meeting))]
    texts += [("actions/agencies.yaml", code, f"{code} {name}")
              for code, name in project.agencies.items()]
    issued = {item.ref: item for items in groups.values() for item in items}
    for item in issued.values():  # the items written, once each
        path = project.sources[item.ref].path if item.ref in project.sources else item.ref
        texts += [(path, name, value) for name, value in values(item)
                  if isinstance(value, str)]
    for path, name, value in texts:
        bad = _CONTROL.search(value)
        if bad:
            problems.append(Problem(path, None, None,
                f"{name}: holds a control character (U+{ord(bad[0]):04X}) that a workbook "
                "cannot hold: remove it"))
    if problems:
        raise Invalid(problems)


#: What openpyxl refuses in a cell (the C0 controls but tab and line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


def _workbook(project: Project, code: str, name: str, rows: list[Sent],
              reply_by: date | None, commit: str | None, issued_on: date):
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    # A workbook goes to the partner who leads its actions, not to the public: it shows
    # the whole text, exempt or not, and says which edition that is.
    found = exemptions(project)
    paragraphs = sorted(set().union(*(found[r.ref].paragraphs for r in rows
                                      if r.ref in found)))
    _instructions(book.active, project, name, reply_by, issued_on, paragraphs)
    if paragraphs:
        book.properties.subject = WORDS.not_for_publication(paragraphs)
        book.properties.keywords = "NOT FOR PUBLICATION"
    _updates(book.create_sheet(UPDATES), rows)
    _issued_sheet(book.create_sheet(ISSUED), code, commit, issued_on, rows)
    book.active = 0
    # No password: the lock stops sheets being renamed or moved by accident,
    # not a determined partner (collect_returns checks everything anyway).
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _instructions(sheet, project: Project, name: str, reply_by: date | None,
                  issued_on: date, edition_paragraphs: list[int]) -> None:
    report = project.report
    meeting = report.meeting + (f" on {long_date(report.meeting_date)}"
                                if report.meeting_date else "")
    when = (f"Please reply by {long_date(reply_by)}." if reply_by
            else "Please reply as soon as you can.")
    labels = wording.WORDS.workbook_columns()
    lines = [
        (f"{report.partnership}: update request for {name}", "title"),
        (f"This workbook lists the actions that {name} leads in the action plan of the "
         f"{report.partnership}, and that are not yet complete. The updates you give will "
         f"go into the progress report to the {meeting}.", None),
        (when, "bold"),
        (WORDS.workbook_edition(edition_paragraphs), "bold"),
        ("What to do", "bold"),
        (f"1. Open the {UPDATES} sheet. Each row is one "
         f"{' or '.join(k.name for k in wording.WORDS.kinds)}.", None),
        (f"2. Type the latest progress in the {labels[NEW_UPDATE]} column. Leave a row blank "
         "if nothing has changed.", None),
        (f"3. Choose the {labels[NEW_STATUS]} from the drop-down list: {STATUS_WORDS}.", None),
        (f"4. If the deadline has moved, type the new date in the {labels[NEW_DUE]} column, "
         "such as 30/09/2010.", None),
        ("5. Please do not change the other columns, add rows, or move or rename the sheets: "
         "the workbook is read back automatically, and a changed row is sent back to you.",
         None),
        ("6. Save the workbook as it is (.xlsx) and return it to whoever sent it to you.",
         None),
        (f"If you use another spreadsheet program, you may instead save the {UPDATES} sheet as "
         "a CSV file (UTF-8) with its header row, keep the file's name, and write dates as "
         "30 September 2010.", None),
        (f"Sent on {long_date(issued_on)}.", None),
    ]
    _write_instructions(sheet, lines)


def _write_instructions(sheet, lines: list[tuple[str, str | None]]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = INSTRUCTIONS
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for number, (text, style) in enumerate(lines, 1):
        cell = put(sheet, number, 1, text)
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


def _updates(sheet, rows: list[Sent]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    fill_in = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill in, pale yellow
    wrap = Alignment(wrap_text=True, vertical="top")
    labels = wording.WORDS.workbook_columns()  # the report's words (wording.py)
    for column, (title, width) in enumerate(zip(HEADERS, WIDTHS), 1):
        cell = put(sheet, 1, column, labels.get(title, title))
        cell.font, cell.alignment = Font(bold=True), wrap
        cell.fill = fill_in if title in NEW else header_fill
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, 2):
        for column, value in enumerate(row.shown().values(), 1):
            # Every value is written as text (never "=..." read as a formula).
            put(sheet, number, column, value).alignment = wrap
        for column in range(len(GIVEN) + 1, len(HEADERS) + 1):
            cell = sheet.cell(number, column)
            cell.protection, cell.fill, cell.alignment = Protection(locked=False), fill_in, wrap
        sheet.cell(number, len(HEADERS)).number_format = _DATE_FORMAT
        sheet.row_dimensions[number].height = _height(list(zip(row.shown().values(), WIDTHS)))
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT  # "Current status" takes two lines
    last = len(rows) + 1
    status = DataValidation(
        type="list", formula1='"' + ",".join(s.value for s in Status) + '"', allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorTitle=NEW_STATUS,
        error=f"Choose one of: {STATUS_WORDS}.", promptTitle=NEW_STATUS,
        prompt="Choose from the list, or leave blank if the status has not changed.")
    due = DataValidation(
        type="date", operator="between", formula1=str(_FIRST_DAY), formula2=str(_LAST_DAY),
        allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorTitle=NEW_DUE, error="Type a date, such as 30/09/2010.",
        promptTitle=NEW_DUE, prompt="Type the new deadline, such as 30/09/2010, "
        "or leave blank if it has not moved.")
    status.add(f"H2:H{last}")
    due.add(f"I2:I{last}")
    sheet.add_data_validation(status)
    sheet.add_data_validation(due)
    _print_and_protect(sheet, "A2")


def _print_and_protect(sheet, freeze: str) -> None:
    """An Updates sheet's header kept in view (panes frozen at ``freeze``) and repeated
    on every printed page, landscape A4 one page wide; protected with no password, so
    rows and columns may still be resized."""
    sheet.freeze_panes = freeze
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
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
                  rows: list[Sent]) -> None:
    meta = [(ISSUED_MARK, FORMAT), ("agency", code), ("commit", commit or ""),
            ("issued", issued_on.isoformat())]
    for number, (key, value) in enumerate(meta, 1):
        put(sheet, number, 1, key)
        put(sheet, number, 2, value)
    for column, title in enumerate(ISSUED_COLUMNS, 1):
        put(sheet, ISSUED_FIRST_ROW - 1, column, title)
    for number, row in enumerate(rows, ISSUED_FIRST_ROW):
        for column, value in enumerate(row.as_dict().values(), 1):
            put(sheet, number, column, value)
    sheet.sheet_state = "veryHidden"  # not even listed under Unhide in Excel
    sheet.protection.sheet = True


# ---------------------------------------------------------------- a plan's own shape

#: Column widths by field type (characters); a column to fill in with text is wider.
_TYPE_WIDTHS = {"text": 36, "line": 24, "agencies": 16, "status": 12, "due": 16,
                "date": 14, "number": 10, "choice": 14, "yes-no": 8}
_NEW_TEXT_WIDTH = 42
#: Excel's limit on the text of a drop-down list given in the validation itself.
_LIST_LIMIT = 255


def shaped_sheet_names(shape: Shape) -> dict[str, str]:
    """Kind name -> the title of its Updates sheet: "Updates" when the plan has one kind,
    else the kind's heading (as a sheet may be named: at most 31 characters, no []:*?/\\)."""
    if len(shape.kinds) == 1:
        return {shape.kinds[0].name: UPDATES}
    names: dict[str, str] = {}
    for kind in shape.kinds:
        title = re.sub(r"[\[\]:*?/\\]+", " ", kind.heading).strip()[:31].strip() or UPDATES
        while title.lower() in {n.lower() for n in names.values()} or title in (
                INSTRUCTIONS, ISSUED):
            title = f"{title[:28]} {len(names) + 1}"
        names[kind.name] = title
    return names


def _shaped_groups(project: Project) -> dict[str, list]:
    """Agency -> its items not done, in agencies.yaml's order (kind by kind, ref order)."""
    groups: dict[str, list] = {code: [] for code in [*project.agencies, PARTNERSHIP]}
    for item in project.items:
        if item.status is not None and item.status.done:
            continue
        for code in item.lead or [PARTNERSHIP]:
            groups[code].append(item)
    return {code: items for code, items in groups.items() if items}


def _issue_shaped(project: Project, out_dir: Path, leads: Iterable[str] | None,
                  reply_by: date | None, commit: str | None, issued_on: date,
                  round_id: str) -> list[IssuedWorkbook]:
    """issue_requests for a plan whose plan.yaml declares its own kinds."""
    groups = _only(project, _shaped_groups(project), leads)
    _check_issuable(project, groups, lambda item: ShapedSent.of(item).given.items())
    titles = shaped_sheet_names(project.shape)
    out_dir = Path(out_dir)
    issued: list[IssuedWorkbook] = []
    entries: list[dict] = []
    outputs: dict[Path, Callable[[Path], None]] = {}
    used: set[str] = set()
    for code, items in groups.items():
        name = project.agencies.get(code, f"the {project.report.partnership}")
        path = out_dir / _file_name(code, used)
        rows = [ShapedSent.of(item) for item in items]
        kinds = [kind for kind, _ in project.kinds if any(r.kind == kind.name for r in rows)]
        sheets = {kind.name: titles[kind.name] for kind in kinds}
        book = _shaped_workbook(project, code, name, kinds, sheets, rows, reply_by, commit,
                                issued_on)
        key = _bind(book)
        outputs[path] = _saver(book, code)
        issued.append(IssuedWorkbook(code, name, path, tuple(row.ref for row in rows)))
        entries.append({"agency": code, "name": name, "file": path.name, "key": key,
                        "refs": [row.ref for row in rows], "sheets": sheets,
                        "rows": [row.as_dict() for row in rows]})
    manifest = {
        "format": FORMAT, "round": round_id, "partnership": project.report.partnership,
        "meeting": project.report.meeting, "issued": issued_on.isoformat(),
        "reply_by": reply_by.isoformat() if reply_by else None, "commit": commit,
        "shape": project.shape.source, "workbooks": entries,
    }
    outputs[out_dir / MANIFEST] = _manifest_saver(manifest)
    publish(outputs)
    return issued


def _shaped_workbook(project: Project, code: str, name: str, kinds: list[Kind],
                     sheets: dict[str, str], rows: list[ShapedSent], reply_by: date | None,
                     commit: str | None, issued_on: date):
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    found = exemptions(project)
    paragraphs = sorted(set().union(*(found[r.ref].paragraphs for r in rows
                                      if r.ref in found)))
    _write_instructions(book.active, _shaped_lines(project, name, kinds, sheets, reply_by,
                                                   issued_on, paragraphs))
    if paragraphs:
        book.properties.subject = WORDS.not_for_publication(paragraphs)
        book.properties.keywords = "NOT FOR PUBLICATION"
    for kind in kinds:
        _shaped_updates(book.create_sheet(sheets[kind.name]), kind, project.shape,
                        [row for row in rows if row.kind == kind.name])
    sheet = book.create_sheet(ISSUED)
    meta = [(ISSUED_MARK, FORMAT), ("agency", code), ("commit", commit or ""),
            ("issued", issued_on.isoformat())]
    for number, (key, value) in enumerate(meta, 1):
        put(sheet, number, 1, key)
        put(sheet, number, 2, value)
    put(sheet, ISSUED_FIRST_ROW - 1, 1, "ref")
    put(sheet, ISSUED_FIRST_ROW - 1, 2, "kind")
    for number, row in enumerate(rows, ISSUED_FIRST_ROW):
        put(sheet, number, 1, row.ref)
        put(sheet, number, 2, row.kind)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _status_words(shape: Shape) -> str:
    names = [s.name for s in shape.statuses]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def _shaped_lines(project: Project, name: str, kinds: list[Kind], sheets: dict[str, str],
                  reply_by: date | None, issued_on: date,
                  edition_paragraphs: list[int]) -> list[tuple[str, str | None]]:
    """The Instructions sheet of a workbook in a plan's own shape, worded from plan.yaml."""
    report, shape = project.report, project.shape
    meeting = report.meeting + (f" on {long_date(report.meeting_date)}"
                                if report.meeting_date else "")
    when = (f"Please reply by {long_date(reply_by)}." if reply_by
            else "Please reply as soon as you can.")
    plurals = " and ".join(kind.plural for kind in kinds)
    done = [s.name for s in shape.done]
    not_done = f", and that are not yet {' or '.join(done)}" if done else ""
    titles = [sheets[kind.name] for kind in kinds]
    steps = [f"Open the {' and '.join(titles)} sheet{'s' if len(titles) > 1 else ''}. Each "
             f"row is one {' or '.join(kind.name for kind in kinds)}."]
    seen: set[str] = set()
    for kind in kinds:
        for definition in partner_fields(kind):
            column = new_label(definition.label)
            if column in seen:
                continue
            seen.add(column)
            steps.append(_step(definition, column, shape))
    steps += ["Please do not change the other columns, add rows, or move or rename the "
              "sheets: the workbook is read back automatically, and a changed row is sent "
              "back to you.",
              "Save the workbook as it is (.xlsx) and return it to whoever sent it to you."]
    return [
        (f"{report.partnership}: update request for {name}", "title"),
        (f"This workbook lists the {plurals} that {name} leads in the action plan of the "
         f"{report.partnership}{not_done}. The updates you give will go into the progress "
         f"report to the {meeting}.", None),
        (when, "bold"),
        (WORDS.workbook_edition(edition_paragraphs), "bold"),
        ("What to do", "bold"),
        *((f"{number}. {text}", None) for number, text in enumerate(steps, 1)),
        (f"Sent on {long_date(issued_on)}.", None),
    ]


def _step(definition, column: str, shape: Shape) -> str:
    """What to do in one column to fill in."""
    kind, label = definition.type, definition.label
    if kind == "status":
        return (f"Choose the {column} from the drop-down list: {_status_words(shape)}. Leave "
                "it blank if it has not changed.")
    if kind == "due":
        forms = ", a quarter such as Q3 2025/26, a year such as 2025/26, or ongoing" \
            if definition.periods else ""
        return (f"If the {label} has moved, type the new one in the {column} column: a date "
                f"such as 30/09/2025{forms}.")
    if kind == "date":
        return f"If the {label} has changed, type the new date in the {column} column, such " \
               "as 30/09/2025."
    if kind == "number":
        return f"Type the new {label} in the {column} column, as a number (digits only)."
    if kind == "choice":
        return f"Choose the {column} from the drop-down list: {', '.join(definition.choices)}."
    if kind == "yes-no":
        return f"Type yes or no in the {column} column."
    return (f"Type the latest {label} in the {column} column. Leave it blank if nothing "
            "has changed.")


def _shaped_updates(sheet, kind: Kind, shape: Shape, rows: list[ShapedSent]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    fill_in = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    given, new = shaped_headers(kind)
    partners = partner_fields(kind)
    types = ["ref", *(f.type for f in given_fields(kind)), *(f.type for f in partners)]
    widths = [8 if t == "ref" else _TYPE_WIDTHS.get(t, 16) for t in types]
    widths += [_NEW_TEXT_WIDTH if f.type in ("text", "line") else _TYPE_WIDTHS[f.type]
               for f in partners]
    for column, (title, width) in enumerate(zip((*given, *new), widths, strict=True), 1):
        cell = put(sheet, 1, column, title)
        cell.font, cell.alignment = Font(bold=True), wrap
        cell.fill = fill_in if column > len(given) else header_fill
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, 2):
        shown = [row.given.get(title, "") for title in given]
        for column, value in enumerate(shown, 1):
            put(sheet, number, column, value).alignment = wrap
        for offset, definition in enumerate(partners, len(given) + 1):
            cell = sheet.cell(number, offset)
            cell.protection, cell.fill, cell.alignment = Protection(locked=False), fill_in, wrap
            if definition.type in ("due", "date"):
                cell.number_format = _DATE_FORMAT
        sheet.row_dimensions[number].height = _height(list(zip(shown, widths)))
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT
    last = len(rows) + 1
    for offset, definition in enumerate(partners, len(given) + 1):
        letter, title = get_column_letter(offset), new_label(definition.label)
        check = _validation(definition, shape, title, DataValidation)
        if check is not None:
            check.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(check)
    _print_and_protect(sheet, "B2")


def _validation(definition, shape: Shape, title: str, DataValidation):  # noqa: N803
    """The drop-down or date check of a column to fill in, or None."""
    if definition.type in ("status", "choice", "yes-no"):
        words = ([s.name for s in shape.statuses] if definition.type == "status"
                 else list(definition.choices) if definition.type == "choice"
                 else ["yes", "no"])
        formula = '"' + ",".join(words) + '"'
        if any("," in w or '"' in w for w in words) or len(formula) > _LIST_LIMIT:
            return None  # Excel cannot list these: the words are checked on collect
        return DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
            showInputMessage=True, errorTitle=title, error=f"Choose one of: "
            f"{', '.join(words)}.", promptTitle=title,
            prompt="Choose from the list, or leave blank if it has not changed.")
    if definition.type in ("due", "date"):
        periods = definition.type == "due" and definition.periods
        return DataValidation(
            type="date", operator="between", formula1=str(_FIRST_DAY),
            formula2=str(_LAST_DAY), allow_blank=True, showErrorMessage=True,
            showInputMessage=True, errorTitle=title,
            # a quarter, a year or "ongoing" is text: a warning lets it be kept
            errorStyle="warning" if periods else "stop",
            error=("Type a date, such as 30/09/2025" + (", or a quarter (Q3 2025/26), a "
                   "year (2025/26) or ongoing" if periods else "") + "."),
            promptTitle=title, prompt="Type the new one, such as 30/09/2025, or leave "
            "blank if it has not moved.")
    return None
