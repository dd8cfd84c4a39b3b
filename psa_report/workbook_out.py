"""``requests``: one update-request workbook per lead agency, and the manifest of what was sent.

Every text is written as a string cell (:func:`psa_report.sheets.put`), never a
formula, whatever the plan or agencies.yaml holds; a plan larger than a return
may be is refused before anything is written, as ``collect`` would refuse it.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from . import fieldtypes
from .dates import financial_year, long_date, quarter_of
from .ledger import new_round_id
from .output import publish
from .partners import (
    FORMAT,
    INSTRUCTIONS,
    INSTRUCTIONS_WIDTH,
    ISSUED,
    ISSUED_FIRST_ROW,
    ISSUED_MARK,
    LINE_HEIGHT,
    MANIFEST,
    MAX_RETURN_BYTES,
    PARTNERSHIP,
    UPDATES,
    IssuedWorkbook,
    ShapedSent,
    example_date,
    given_fields,
    header_labels,
    new_label,
    partner_fields,
    partner_label,
    shaped_headers,
    translated,
)
from .problems import Invalid, Problem
from .request_plan import Request, Requests
from .shape import Kind, Shape
from .sheets import put
from .wording import WORDS, Words, words_in

#: Excel serial day numbers of 1 January 2000 and 31 December 2099: the range the
#: date drop-down accepts (serial numbers read the same in Excel and LibreOffice).
_FIRST_DAY, _LAST_DAY = 36526, 73050
_DATE_FORMAT = "d mmmm yyyy"


def issue_requests(plan: Requests, out_dir: Path, reply_by: date | None = None,
                   commit: str | None = None, *, issued_on: date | None = None,
                   round_id: str | None = None) -> list[IssuedWorkbook]:
    """Write the workbooks ``plan`` gives (:func:`psa_report.request_plan.plan_requests`),
    and manifest.json, into ``out_dir``.

    ``round_id`` names this round in the manifest (and in its ledger, :mod:`psa_report.ledger`).
    """
    issued_on = issued_on or date.today()
    round_id = round_id or new_round_id(issued_on)
    out_dir = Path(out_dir)
    issued: list[IssuedWorkbook] = []
    entries: list[dict] = []
    outputs: dict[Path, Callable[[Path], None]] = {}
    used: set[str] = set()
    for request in plan.requests:
        code, name, language = request.code, request.name, request.language
        # a workbook in another language than the plan's main one: its words and texts
        other = language if language != plan.main else None
        words = words_in(language)
        shown_name = translated(name, language) if other else name
        path = out_dir / _file_name(code, used)
        rows = [ShapedSent.of(item, other, words) for item in request.items]
        kinds = [kind for kind in plan.kinds if any(r.kind == kind.name for r in rows)]
        titles = sheet_names(plan.shape, other, words)
        sheets = {kind.name: titles[kind.name] for kind in kinds}
        # the workbook's key, in its hidden sheet and the manifest: ``collect`` knows a
        # return by its key, which only the agency it was sent to has, so a partner who
        # edits the hidden sheet cannot pass as another agency
        key = secrets.token_urlsafe(24)
        book = _workbook(plan, request, shown_name, kinds, sheets, rows, reply_by, commit,
                         issued_on, key, words)
        outputs[path] = _saver(book, code)
        issued.append(IssuedWorkbook(code, name, path, tuple(row.ref for row in rows)))
        entries.append({"agency": code, "name": name, "file": path.name, "key": key,
                        "refs": [row.ref for row in rows], "sheets": sheets,
                        "language": language,
                        "rows": [row.as_dict() for row in rows]})
    manifest = {
        "format": FORMAT, "round": round_id, "partnership": plan.report.partnership,
        "meeting": plan.report.meeting, "issued": issued_on.isoformat(),
        "reply_by": reply_by.isoformat() if reply_by else None, "commit": commit,
        "shape": plan.shape.source, "workbooks": entries,
    }
    outputs[out_dir / MANIFEST] = _manifest_saver(manifest)
    publish(outputs)  # the workbooks and their manifest together, or none
    return issued


def _pairs(sheet, first: int, pairs: Iterable[tuple]) -> None:
    """Rows of two text cells, from row ``first``: the hidden sheet's record."""
    for number, (key, value) in enumerate(pairs, first):
        put(sheet, number, 1, key)
        put(sheet, number, 2, value)


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


def _file_name(code: str, used: set[str]) -> str:
    """A file name that is safe anywhere and in an email: "A&E" -> "A-and-E-update-request.xlsx"."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", code.replace("&", " and ")).strip("-") or "agency"
    name, number = f"{stem}-update-request.xlsx", 1
    while name.lower() in used:  # "A&E" and "A-and-E" would clash
        number += 1
        name = f"{stem}-{number}-update-request.xlsx"
    used.add(name.lower())
    return name


def _write_instructions(sheet, lines: list[tuple[str, str | None]],
                        name: str = INSTRUCTIONS) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = name
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for number, (text, style) in enumerate(lines, 1):
        cell = put(sheet, number, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        title = style == "title"
        if style:
            cell.font = Font(bold=True, size=14 if title else 11)
        sheet.row_dimensions[number].height = _height(
            [(text, INSTRUCTIONS_WIDTH * (0.75 if title else 1))]) * (1.3 if title else 1)
    _print_and_protect(sheet)


#: The width, in points, an A4 landscape page prints at 100% (Excel's default margins),
#: and the least a sheet is scaled to fit it: its 11-point text printed at 7.7 points.
_PAGE_POINTS, _LEAST_SCALE = 740, 0.7


def _pages_wide(widths: Sequence[float]) -> int:
    """How many A4 landscape pages across the columns of ``widths`` (Excel's units: about
    7 pixels each, and 5 more a column) print on, their text never scaled below
    :data:`_LEAST_SCALE`."""
    points = sum(7 * width + 5 for width in widths) * 0.75
    return max(1, math.ceil(points * _LEAST_SCALE / _PAGE_POINTS))


def _print_and_protect(sheet, freeze: str | None = None, widths: Sequence[float] | None = None,
                       ) -> None:
    """A sheet printed on A4 one page wide, protected; with ``freeze``, an Updates
    sheet's: its header kept in view (panes frozen at ``freeze``) and repeated on every
    printed page, landscape, as many pages wide as its columns (``widths``) need to be
    read (the Ref column repeated on each), protected with no password, so rows and
    columns may still be resized."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    across = _pages_wide(widths) if widths else 1
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = across, 0
    if across > 1:
        sheet.print_title_cols = "A:A"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True
    if freeze:
        sheet.freeze_panes = freeze
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
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


#: Excel's limit on the text of a drop-down list given in the validation itself.
_LIST_LIMIT = 255


def sheet_names(shape: Shape, language: str | None = None, words: Words = WORDS
                ) -> dict[str, str]:
    """Kind name -> the title of its Updates sheet: "Updates" when the plan has one kind,
    else the kind's heading (as a sheet may be named: at most 31 characters, no []:*?/\\);
    in ``language`` (the heading's translation, the tool's ``words``) if given."""
    updates = words.updates if language else UPDATES
    if len(shape.kinds) == 1:
        return {shape.kinds[0].name: updates}
    names: dict[str, str] = {}
    for kind in shape.kinds:
        heading = translated(kind.heading, language) if language else kind.heading
        title = re.sub(r"[\[\]:*?/\\]+", " ", heading).strip()[:31].strip() or updates
        while title.lower() in {n.lower() for n in names.values()} or title in (
                INSTRUCTIONS, ISSUED, words.instructions):
            title = f"{title[:28]} {len(names) + 1}"
        names[kind.name] = title
    return names


def _workbook(plan: Requests, request: Request, name: str, kinds: list[Kind],
              sheets: dict[str, str], rows: list[ShapedSent], reply_by: date | None,
              commit: str | None, issued_on: date, key: str, words: Words = WORDS):
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    book = Workbook()
    language, paragraphs = request.language, request.paragraphs
    whole = request.code == PARTNERSHIP  # the items with no lead: the partnership's own
    _write_instructions(book.active, _lines(plan, None if whole else name, kinds, sheets,
                                            reply_by,
                                            issued_on, paragraphs, language, words),
                        words.instructions)
    if paragraphs:
        book.properties.subject = words.not_for_publication(paragraphs)
        book.properties.keywords = "NOT FOR PUBLICATION"
    for kind in kinds:
        _updates(book.create_sheet(sheets[kind.name]), kind, plan.shape,
                 [row for row in rows if row.kind == kind.name], reply_by or issued_on,
                 language if language != plan.main else None, words)
    sheet = book.create_sheet(ISSUED)
    _pairs(sheet, 1, [(ISSUED_MARK, FORMAT), ("agency", request.code), ("commit", commit or ""),
                      ("issued", issued_on.isoformat()), ("key", key)])  # rows 1-5
    _pairs(sheet, ISSUED_FIRST_ROW - 1, [("ref", "kind"), *((r.ref, r.kind) for r in rows)])
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)
    return book


def _lines(plan: Requests, name: str | None, kinds: list[Kind], sheets: dict[str, str],
                  reply_by: date | None, issued_on: date,
                  edition_paragraphs: list[int], language: str = "en",
                  words: Words = WORDS) -> list[tuple[str, str | None]]:
    """The Instructions sheet, worded from the plan's shape (plan.yaml), in ``language``
    (the tool's ``words`` in it, the plan's texts' translations into it); ``name`` None:
    the workbook of the items for the whole partnership (no lead agency)."""
    report, shape = plan.report, plan.shape
    other = language != plan.main

    def tr(text: str) -> str:
        return translated(text, language) if other else text

    def day(when: date) -> str:
        return words.long_date(when) if other else long_date(when)

    partnership = tr(report.partnership)
    meeting = words.meeting_on(tr(report.meeting), day(report.meeting_date)
                               if report.meeting_date else None)
    titles = [sheets[kind.name] for kind in kinds]
    steps = [words.open_sheets(titles, [tr(kind.name) for kind in kinds])]
    seen: set[str] = set()
    example = reply_by or issued_on
    for kind in kinds:
        for definition in partner_fields(kind):
            label = partner_label(tr(definition.label))
            column = words.new_label(label) if other else new_label(label)
            if column in seen:
                continue
            seen.add(column)
            steps.append(_step(definition, column, shape, example, language if other
                               else None, words))
    steps += [words.do_not_change, words.save_and_return]
    return [
        (words.update_request(partnership, name or words.whole_partnership), "title"),
        (words.workbook_lists([tr(kind.plural) for kind in kinds], name, partnership,
                              [_lower(tr(s.label)) if other else s.name for s in shape.done],
                              meeting), None),
        (words.reply_by(day(reply_by) if reply_by else None), "bold"),
        (words.workbook_edition(edition_paragraphs), "bold"),
        (words.what_to_do, "bold"),
        *((f"{number}. {text}", None) for number, text in enumerate(steps, 1)),
        (words.sent_on(day(issued_on)), None),
    ]


def _lower(label: str) -> str:
    """A status's label inside a sentence: "wedi'i gwblhau" (as the English its name)."""
    return label[:1].lower() + label[1:]


def _step(definition, column: str, shape: Shape, example: date, language: str | None = None,
          words: Words = WORDS) -> str:
    """What to do in one column to fill in; its examples taken from ``example`` (the
    round's reply-by date), so that none is in another decade than the plan; in
    ``language`` if given (another than the plan's main one)."""
    year = financial_year(example)
    choices = (_status_words(shape, language)
               if fieldtypes.get(definition.type).is_status else list(definition.choices))
    label = partner_label(translated(definition.label, language) if language
                          else definition.label)
    return words.step(definition.type, label, column, day=example_date(example),
                      quarter=f"Q{quarter_of(example)} {year}", year=year, choices=choices)


def _status_words(shape: Shape, language: str | None) -> list[str]:
    """The statuses as a workbook's drop-down lists them: by name, or in another language
    than the plan's main one by their labels in it (read back as the same statuses)."""
    if language is None:
        return [s.name for s in shape.statuses]
    return [translated(s.label, language) for s in shape.statuses]


def _updates(sheet, kind: Kind, shape: Shape, rows: list[ShapedSent], example: date,
             language: str | None = None, words: Words = WORDS) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor="D9D9D9")
    fill_in = PatternFill("solid", fgColor="FFF2CC")
    wrap = Alignment(wrap_text=True, vertical="top")
    given, new = shaped_headers(kind)
    labels = header_labels(kind, language, words)
    partners = partner_fields(kind)
    widths = [8, *(fieldtypes.get(f.type).width for f in (*given_fields(kind), *partners)),
              *(fieldtypes.get(f.type).new_width for f in partners)]  # Ref: 8
    for column, (title, width) in enumerate(zip((*given, *new), widths, strict=True), 1):
        cell = put(sheet, 1, column, labels.get(title, title))
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
            if fieldtypes.get(definition.type).dated:
                cell.number_format = _DATE_FORMAT
        sheet.row_dimensions[number].height = _height(list(zip(shown, widths)))
    sheet.row_dimensions[1].height = 2 * LINE_HEIGHT
    for offset, definition in enumerate(partners, len(given) + 1):
        letter = get_column_letter(offset)
        title = labels.get(new_label(definition.label), new_label(definition.label))
        check = _validation(definition, shape, title, DataValidation, example, language,
                            words)
        if check is not None:
            check.add(f"{letter}2:{letter}{len(rows) + 1}")
            sheet.add_data_validation(check)
    _print_and_protect(sheet, "B2", widths)


def _validation(definition, shape: Shape, title: str, DataValidation,  # noqa: N803
                example: date, language: str | None = None, words: Words = WORDS):
    """The drop-down or date check of a column to fill in, or None (its example dates
    from ``example``, the round's reply-by date); in ``language`` if given."""
    type_ = fieldtypes.get(definition.type)
    listed = type_.drop_down(definition, shape)
    if listed is not None and type_.is_status and language:
        listed = _status_words(shape, language)
    shared = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True,
              "errorTitle": title, "promptTitle": title}
    if listed is not None:
        formula = '"' + ",".join(listed) + '"'
        if any("," in w or '"' in w for w in listed) or len(formula) > _LIST_LIMIT:
            return None  # Excel cannot list these: the words are checked on collect
        return DataValidation(type="list", formula1=formula, error=words.choose_one_of(listed),
                              prompt=words.choose_from_list, **shared)
    if type_.dated:
        periods = type_.is_due  # a due date may be a quarter, a year or ongoing
        day, year = example_date(example), financial_year(example)
        return DataValidation(
            type="date", operator="between", formula1=str(_FIRST_DAY),
            formula2=str(_LAST_DAY), prompt=words.type_new_date(day), **shared,
            # a quarter, a year or "ongoing" is text: a warning lets it be kept
            errorStyle="warning" if periods else "stop",
            error=(words.type_a_date(day, f"Q{quarter_of(example)} {year}", year, "ongoing")
                   if periods else words.type_a_date(day)))
    return None
