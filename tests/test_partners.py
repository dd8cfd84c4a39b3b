"""Partners' updates: editing action files in place, and the update-request workbooks."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psa_report import returns
from psa_report.changes import FieldChange
from psa_report.chars import refused
from psa_report.edit import apply_returns, set_fields
from psa_report.loader import load_text
from psa_report.partners import CollectResult, FileUpdate, partner_label
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.request_plan import plan_requests
from psa_report.returns import collect_returns
from psa_report.workbook_out import issue_requests
from psa_report.yamledit import replace_values

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "actions").glob("*/*.yaml"))


def lines_outside(text: str, fields: set[str]) -> list[str]:
    """The file's lines, leaving out each named field: its key's line to its value's last text line."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    lines = text.splitlines(keepends=True)
    skip: set[int] = set()
    for key, value in root.value:
        if key.value not in fields:
            continue
        first = key.start_mark.line
        last = value.end_mark.line
        # A block's end mark is after its trailing blank lines (and may be at the
        # start of the next line): step back to its last line holding text.
        if value.end_mark.column == 0 and last > first:
            last -= 1
        while last > first and not lines[last].strip():
            last -= 1
        skip.update(range(first, last + 1))
    return [line for number, line in enumerate(lines) if number not in skip]


# ---------------------------------------------------------------- yamledit

def test_replace_keeps_comments_modeline_and_order():
    path = REPO / "actions/data-gaps/3.2.1.yaml"
    text = path.read_text(encoding="utf-8")
    new = replace_values(text, "3.2.1.yaml", {"status": "on track",
                                              "update": "Ethnicity: now on the template.",
                                              "due": "2010-09"})
    assert new.startswith("# yaml-language-server: $schema=../../schema/data-gap.schema.json\n")
    data = load_text(new, "x").data
    assert data["status"] == "on track"
    assert data["update"] == "Ethnicity: now on the template."
    assert data["due"] == "2010-09"
    assert list(data) == ["ref", "gap", "lead", "action", "update", "status", "due"]
    assert lines_outside(new, {"status", "update", "due"}) == lines_outside(
        text, {"status", "update", "due"})
    # The comment explaining the status still sits right above it.
    assert "# monitoring \"is not possible until this data is available\".\nstatus: on track\n" in new


def test_unchanged_value_leaves_the_file_identical():
    text = (REPO / "actions/data-gaps/4.2.2.yaml").read_text(encoding="utf-8")
    assert replace_values(text, "4.2.2.yaml", {"status": "off track"}) == text


def test_trailing_comment_and_empty_value_kept():
    text = "ref: R9\nupdate: old  # said at the meeting\n\n# why\nstatus: at risk\ndue:   # none yet\n"
    new = replace_values(text, "R9.yaml", {"update": "new", "due": "2011-03"})
    assert new == ("ref: R9\nupdate: new  # said at the meeting\n\n# why\nstatus: at risk\n"
                   "due: 2011-03   # none yet\n")
    # A plain value that becomes a folded block keeps its comment on the header line.
    long = "word " * 30
    new = replace_values(text, "R9.yaml", {"update": long.strip()})
    assert new.startswith("ref: R9\nupdate: >-  # said at the meeting\n  word word")
    assert new.endswith("\n\n# why\nstatus: at risk\ndue:   # none yet\n")


def test_remove_due_deletes_only_its_lines():
    text = "ref: R9\nupdate: x\n# the deadline\ndue: >-\n  2010-09\n\n# last words\nstatus: on track\n"
    new = replace_values(text, "R9.yaml", {"due": None}, optional={"due"})
    assert new == "ref: R9\nupdate: x\n# the deadline\n\n# last words\nstatus: on track\n"
    # Removing a field that is not there changes nothing.
    assert replace_values(new, "R9.yaml", {"due": None}, optional={"due"}) == new


def test_required_field_cannot_be_removed():
    text = "ref: R9\nupdate: x\nstatus: on track\n"
    with pytest.raises(Invalid, match="status: is required"):
        replace_values(text, "R9.yaml", {"status": None})


def test_list_fields_are_refused():
    text = "ref: 1.1.1\nlead:\n  - SBC\n  - Police\n"
    with pytest.raises(Invalid, match="only plain values"):
        replace_values(text, "1.1.1.yaml", {"lead": "SBC"})


def test_windows_line_endings_are_kept():
    text = "ref: R9\r\nupdate: x\r\n# c\r\nstatus: on track\r\n"
    new = replace_values(text, "R9.yaml", {"update": "word " * 25 + "end"})
    assert "\n" not in new.replace("\r\n", "")
    assert new.endswith("\r\n# c\r\nstatus: on track\r\n")


#: Text as partners type it: colons, hashes, quotes, line breaks, any script.
partner_text = st.lists(
    st.one_of(st.sampled_from([": ", " #", "#", "'", '"', "\n", "\r\n", "\t", "- ", "|", ">",
                               "{", "[", ",", "&", "*", "!", "%", "@", "`", "\\", "é", "😀",
                               "\u2028", "\x85", "\ufeff", " ", "  ", "word"]),
              st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)),
    max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(SHIPPED), field=st.sampled_from(["update", "status", "due", "ref"]),
       value=partner_text)
def test_any_text_round_trips_exactly(path: Path, field: str, value: str):
    text = path.read_text(encoding="utf-8")
    if refused(value, name=field == "ref") is not None:  # a character no text may hold
        with pytest.raises(Invalid, match="holds U\\+"):
            replace_values(text, path.name, {field: value})
        return
    new = replace_values(text, path.name, {field: value})
    data = load_text(new, "x").data
    assert data[field] == value
    before = load_text(text, "x").data
    assert {k: v for k, v in data.items() if k != field} == {
        k: v for k, v in before.items() if k != field}
    assert lines_outside(new, {field}) == lines_outside(text, {field})


# ---------------------------------------------------------------- workbooks

ISSUED_ON = date(2010, 7, 1)
REPLY_BY = date(2010, 9, 30)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "actions").rglob("*")) if p.is_file()}


def issue(root: Path, leads: list[str] | None = None, **kwargs) -> dict[str, Path]:
    """Issue the requests into out/requests/; return agency -> workbook path."""
    books = issue_requests(plan_requests(load_project(root), leads), root / "out" / "requests",
                           reply_by=REPLY_BY, commit="abc1234", issued_on=ISSUED_ON, **kwargs)
    return {book.agency: book.path for book in books}


#: The Updates sheet of each kind of the shipped plan (two kinds: a sheet each, named by
#: the kind's heading), and the columns of a data gap's sheet.
DATA_SHEET, RECOMMENDATION_SHEET = "Data requirements", "Recommendations"
DATA_HEADERS = ["Ref", "Data gap", "Lead", "Action", "Current Update", "Current Status",
                "Current Due", "New Update", "New Status", "New Due"]


def updates_sheets(book) -> list:
    """The sheets to fill in: all but the Instructions and the hidden Issued sheet."""
    return [book[name] for name in book.sheetnames if name not in ("Instructions", "Issued")]


def fill(path: Path, rows: dict[str, dict[str, object]], save_as: Path | None = None) -> Path:
    """Type into the Updates sheets as a partner would: {ref: {column header: value}}."""
    book = openpyxl.load_workbook(path)
    for sheet in updates_sheets(book):
        columns = {cell.value: cell.column for cell in sheet[1]}
        for row in sheet.iter_rows(min_row=2):
            for header, value in rows.get(row[0].value, {}).items():
                sheet.cell(row[0].row, columns[header]).value = value
    target = save_as or path
    book.save(target)
    return target


def sheet_of(path: Path):
    """A one-kind workbook's one sheet to fill in."""
    (sheet,) = updates_sheets(openpyxl.load_workbook(path))
    return sheet


def row_of(path: Path, ref: str) -> int:
    sheet = sheet_of(path)
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == ref)


def test_issue_writes_one_locked_printable_workbook_per_lead(project: Path):
    books = issue(project)
    # Complete items (3.2.4 is not; R2 is) are left out; an item with several leads
    # (4.2.3) is in each lead's workbook; recommendations with no lead go to the Partnership.
    assert list(books) == ["SBC", "Police", "A&E", "JSU", "Court", "Probation", "Partnership"]
    assert books["A&E"].name == "A-and-E-update-request.xlsx"
    loaded = load_project(project)
    for code, path in books.items():
        book = openpyxl.load_workbook(path)
        # One Updates sheet per kind the workbook holds, named by the kind's heading.
        kind_sheet = RECOMMENDATION_SHEET if code == "Partnership" else DATA_SHEET
        assert book.sheetnames == ["Instructions", kind_sheet, "Issued"]
        refs = [row[0] for row in book[kind_sheet].iter_rows(min_row=2, values_only=True)]
        for ref in refs:
            item = loaded.find(ref)
            assert item.status.value != "complete"
            assert (code in item.lead) if code != "Partnership" else not item.lead
    assert "R2" not in refs and loaded.find("R2").status.value == "complete"
    book = openpyxl.load_workbook(books["Police"])
    words = " ".join(c.value for c in book["Instructions"]["A"] if c.value)
    assert "Safer Stockton Partnership" in words and "30 September 2010" in words
    assert "Cleveland Police" in words
    # The instructions name only the columns the workbook has, with example dates from
    # the round's own reply-by date.
    assert "New Due column: a date such as 30/09/2010, a quarter such as Q2 2010/11" in words
    assert "New due date" not in words and "2025" not in words
    sheet = book[DATA_SHEET]
    refs = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert refs == ["3.2.1", "3.2.3", "4.2.3"]
    assert [c.value for c in sheet[1]] == DATA_HEADERS
    assert sheet.freeze_panes == "B2"
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    # as many pages wide as its text needs to print at 7.7 points or more, Ref on each
    assert sheet.page_setup.fitToWidth == 2 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_cols == "$A:$A"
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet["E2"].alignment.wrap_text and sheet.column_dimensions["E"].width >= 36
    assert sheet.column_dimensions["H"].width >= 40  # the new update
    for row in sheet.iter_rows(min_row=2):
        assert all(c.protection.locked for c in row[:7])
        assert not any(c.protection.locked for c in row[7:])
    assert sheet["J2"].number_format == "d mmmm yyyy"
    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert validations["list"].formula1 == '"complete,on track,at risk,not started,off track"'
    assert str(validations["list"].sqref) == "I2:I4"
    assert validations["date"].formula1 and str(validations["date"].sqref) == "J2:J4"
    assert "30/09/2010" in validations["date"].prompt
    issued = book["Issued"]
    assert issued.sheet_state == "veryHidden"
    assert issued["B2"].value == "Police" and issued["B3"].value == "abc1234"
    assert [r[0] for r in issued.iter_rows(min_row=7, values_only=True)] == refs
    manifest = json.loads((project / "out/requests/manifest.json").read_text())
    assert manifest["commit"] == "abc1234" and manifest["issued"] == "2010-07-01"
    assert [b["agency"] for b in manifest["workbooks"]] == list(books)
    assert manifest["workbooks"][1]["refs"] == refs


def test_issue_for_some_leads_only(project: Path):
    books = issue(project, leads=["Court", "Partnership"])
    assert list(books) == ["Court", "Partnership"]
    with pytest.raises(Invalid, match="Fire: not a lead agency"):
        issue(project, leads=["Fire"])
    # the items with no lead are the whole partnership's, not "led by" it
    lines = [row[0] for row in openpyxl.load_workbook(books["Partnership"])["Instructions"].iter_rows(
        values_only=True)]
    assert lines[0] == ("Safer Stockton Partnership: update request for the whole "
                        "partnership")
    assert lines[1].startswith("This workbook lists the recommendations for the whole "
                               "partnership in the action plan of the Safer Stockton "
                               "Partnership that are not yet complete."), lines[1]


#: What the partners type in the round-trip tests.
POLICE = {"3.2.1": {"New Update": "Ethnicity: now a mandatory field # on the template.\n"
                                  "Monitoring starts in August.",
                    "New Status": "on track", "New Due": datetime(2010, 12, 31)}}
SBC = {"5.2.2": {"New Update": "Research 'started' in July, with \"quotes\" and ünïcode."},
       "3.2.5": {"New Due": "October 2010", "New Status": "Amber"}}
PARTNERSHIP = {"R1": {"New Status": "on track"}}
#: The changes, in the kind's field order, each named by its field's label as written.
EXPECTED = {
    "actions/data-gaps/3.2.1.yaml": ["Update text changed", "Status: off track → on track",
                                     "Due: none → 2010-12-31"],
    "actions/data-gaps/3.2.5.yaml": ["Status: on track → at risk", "Due: 2010-09 → 2010-10"],
    "actions/data-gaps/5.2.2.yaml": ["Update text changed"],
    "actions/recommendations/R1.yaml": ["Status: not started → on track"],
}


def check_applied(project: Path, before: dict[str, bytes], changed: list[str]) -> None:
    """Only the changed files changed, and in them only the changed fields' lines."""
    after = snapshot(project)
    assert sorted(changed) == sorted(EXPECTED)
    assert {p for p in after if after[p] != before[p]} == set(EXPECTED)
    loaded = load_project(project)  # the plan is still valid
    assert loaded.find("3.2.1").update.startswith("Ethnicity: now a mandatory field # on")
    assert str(loaded.find("3.2.1").due) == "2010-12-31"
    assert loaded.find("3.2.5").status.value == "at risk"
    assert loaded.find("5.2.2").update == SBC["5.2.2"]["New Update"]
    for path in EXPECTED:
        old, new = before[path].decode(), after[path].decode()
        assert lines_outside(new, {"update", "status", "due"}) == lines_outside(
            old, {"update", "status", "due"}), path
        assert old.splitlines()[0] == new.splitlines()[0]  # the modeline
        comments = [line for line in old.splitlines() if line.startswith("#")]
        assert comments == [line for line in new.splitlines() if line.startswith("#")]


def test_round_trip_issue_fill_collect_apply(project: Path):
    books = issue(project)
    fill(books["Police"], POLICE)
    fill(books["SBC"], SBC)
    fill(books["Partnership"], PARTNERSHIP)
    before = snapshot(project)
    returned = project / "returned"
    returned.mkdir()
    for code in ("Police", "SBC", "Partnership"):
        shutil.copy(books[code], returned)
    result = collect_returns(load_project(project), [returned])
    assert {u.path: u.summaries for u in result.updates} == EXPECTED
    assert result.returned == ("SBC", "Police", "Partnership")
    assert result.not_returned_line == "Not yet returned: A&E, JSU, Court, Probation"
    assert snapshot(project) == before  # collecting writes nothing
    check_applied(project, before, apply_returns(project, result))


def soffice_convert(source: Path, out: Path, profile: Path) -> Path:
    """Open and save the workbook in LibreOffice, as a partner using it would."""
    out.mkdir(exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out / source.name


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: run "
                           "scripts/system-deps.sh --test for libreoffice-calc-nogui")
def test_round_trip_through_libreoffice(project: Path, tmp_path: Path):
    books = issue(project)
    filled = tmp_path / "filled"
    filled.mkdir()
    for code, rows in (("Police", POLICE), ("SBC", SBC), ("Partnership", PARTNERSHIP)):
        fill(books[code], rows, filled / books[code].name)
    saved = [soffice_convert(filled / books[code].name, tmp_path / "lo", tmp_path / "profile")
             for code in ("Police", "SBC", "Partnership")]
    # LibreOffice keeps the record of what was sent, the lock and the drop-downs.
    book = openpyxl.load_workbook(saved[0])
    assert book["Issued"].sheet_state in ("hidden", "veryHidden")
    assert book[DATA_SHEET].protection.sheet
    assert {dv.type for dv in book[DATA_SHEET].data_validations.dataValidation} >= {"list",
                                                                                    "date"}
    assert isinstance(book[DATA_SHEET].cell(row_of(saved[0], "3.2.1"), 10).value, datetime)
    before = snapshot(project)
    result = collect_returns(load_project(project), saved)
    assert {u.path: u.summaries for u in result.updates} == EXPECTED
    check_applied(project, before, apply_returns(project, result))


def police_problems(project: Path, books: dict[str, Path]) -> list:
    before = snapshot(project)
    with pytest.raises(Invalid) as caught:
        collect_returns(load_project(project), [books["Police"]])
    assert snapshot(project) == before
    return caught.value.problems


def unlock(path: Path):
    """The partner unprotects the sheet (there is no password) to type anywhere."""
    book = openpyxl.load_workbook(path)
    (sheet,) = updates_sheets(book)
    sheet.protection.sheet = False
    return book, sheet


#: The columns of a data gap's sheet (DATA_HEADERS): E-G as sent, H-J to fill in.
BAD = {
    "status typed over the drop-down": (lambda s, r: s.cell(r, 9, "nearly done"), "I",
                                        "'nearly done' is not a status"),
    "ref changed": (lambda s, r: s.cell(r, 1, "3.2.4"), "A",
                    "3.2.4 was not in this workbook when it was sent"),
    "ref made up": (lambda s, r: s.cell(r, 1, "9.9.9"), "A", "9.9.9 is not a ref"),
    "date that cannot be read": (lambda s, r: s.cell(r, 10, "after the summer"), "J",
                                 "'after the summer' is not a date"),
    "number as an update": (lambda s, r: s.cell(r, 8, 42), "H", "must be text"),
    "formula": (lambda s, r: s.cell(r, 8, "=E2&\" and more\""), "H", "holds a formula"),
    "locked cell edited": (lambda s, r: s.cell(r, 5, "Typed over the current update"), "E",
                           "Current Update was changed"),
    "locked status edited": (lambda s, r: s.cell(r, 6, "On track"), "F",
                             "Current Status was changed"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_return_names_the_cell_and_writes_nothing(project: Path, case: str):
    books = issue(project)
    change, column, message = BAD[case]
    book, sheet = unlock(books["Police"])
    row = row_of(books["Police"], "3.2.1")
    change(sheet, row)
    book.save(books["Police"])
    problems = police_problems(project, books)
    assert len(problems) == 1, problems
    assert problems[0].file == (f"Police-update-request.xlsx: sheet {DATA_SHEET}, "
                                f"cell {column}{row}")
    assert message in problems[0].message


def test_added_row_is_refused(project: Path):
    books = issue(project)
    book, sheet = unlock(books["Police"])
    sheet.append(["3.2.4", "", "", "", "", "", "", "Our A&E update", "on track", None])
    book.save(books["Police"])
    (problem,) = police_problems(project, books)
    assert problem.file.endswith(f"cell A{sheet.max_row}")
    assert "rows cannot be added" in problem.message


def test_every_bad_cell_is_reported_at_once(project: Path):
    books = issue(project)
    book, sheet = unlock(books["Police"])
    for case in ("status typed over the drop-down", "date that cannot be read",
                 "locked cell edited"):
        BAD[case][0](sheet, row_of(books["Police"], "3.2.1"))
    BAD["formula"][0](sheet, row_of(books["Police"], "3.2.3"))
    sheet.cell(row_of(books["Police"], "4.2.3"), 8, "A fine update")  # good rows are fine
    book.save(books["Police"])
    cells = sorted(p.file.rsplit(" ", 1)[-1] for p in police_problems(project, books))
    assert cells == ["E2", "H3", "I2", "J2"]


def test_a_formula_is_never_evaluated(project: Path):
    books = issue(project)
    fill(books["Police"], {"3.2.1": {"New Status": '=IF(1,"on track","off track")'}})
    (problem,) = police_problems(project, books)
    assert problem.file.endswith("cell I2") and "formula" in problem.message


def test_conflict_with_a_change_since_issue_is_refused(project: Path):
    books = issue(project)
    set_fields(project, "3.2.1", status="at risk")  # the analyst changed it meanwhile
    fill(books["Police"], {"3.2.1": {"New Status": "on track"},
                           "3.2.3": {"New Update": "Unrelated rows are fine."}})
    (problem,) = police_problems(project, books)
    assert problem.file.endswith("cell I2")
    assert "conflict" in problem.message
    assert "'off track'" in problem.message and "'at risk'" in problem.message
    assert "'on track'" in problem.message
    # A field the partner left alone does not conflict; the same value is no change.
    fill(books["Police"], {"3.2.1": {"New Status": "at risk", "New Update": "Still stuck."}})
    result = collect_returns(load_project(project), [books["Police"]])
    assert [(u.ref, u.summaries) for u in result.updates] == [
        ("3.2.1", ["Update text changed"]), ("3.2.3", ["Update text changed"])]


def test_leads_of_a_shared_item_who_disagree_make_the_row_wait(project: Path):
    books = issue(project)
    fill(books["Police"], {"4.2.3": {"New Status": "at risk"}, "3.2.1": {"New Status": "complete"}})
    fill(books["SBC"], {"4.2.3": {"New Status": "off track"}})
    fill(books["Probation"], {"4.2.3": {"New Status": "at risk"}})
    result = collect_returns(load_project(project), [books["Police"], books["SBC"],
                                                      books["Probation"]])
    # The row waits, side by side; the others go on.
    assert [u.ref for u in result.updates] == ["3.2.1"]
    (waiting,) = result.waiting
    assert waiting.ref == "4.2.3" and waiting.agencies == ("SBC", "Police", "Probation")
    assert "SBC gives 'off track'" in waiting.line and "--take 4.2.3=Police" in waiting.line
    (joint,) = result.joint
    assert joint.given["status"] == (("SBC", "off track"), ("Police", "at risk"),
                                     ("Probation", "at risk"))
    taken = collect_returns(load_project(project), [books["Police"], books["SBC"]],
                            take={"4.2.3": "SBC"})
    assert [u.summaries for u in taken.updates if u.ref == "4.2.3"] == [
        ["Status: on track → off track"]]
    assert not taken.waiting
    # Two leads giving the same value is one change.
    fill(books["SBC"], {"4.2.3": {"New Status": "at risk"}})
    result = collect_returns(load_project(project), [books["Police"], books["SBC"]])
    assert [u.summaries for u in result.updates if u.ref == "4.2.3"] == [
        ["Status: on track → at risk"]]


def export_csv(book_path: Path, target: Path, rows: dict[str, dict[str, object]]) -> Path:
    """A one-kind workbook's one Updates sheet saved as CSV from another spreadsheet, with
    the partner's typing."""
    sheet = sheet_of(book_path)
    headers = [cell.value for cell in sheet[1]]
    with open(target, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        for number, values in enumerate(sheet.iter_rows(values_only=True)):
            values = ["" if v is None else v for v in values]
            if number:
                for header, value in rows.get(values[0], {}).items():
                    values[headers.index(header)] = value
            writer.writerow(values)
    return target


def test_csv_return(project: Path):
    books = issue(project)
    csv_path = export_csv(books["Police"], project / "out/requests/Police-update-request.csv",
                          {"3.2.1": {"New Status": "On Track", "New Due": "31 December 2010",
                                     "New Update": "Line one,\nline two: \"quoted\""}})
    before = snapshot(project)
    result = collect_returns(load_project(project), [csv_path])
    assert result.returned == ("Police",)
    assert [u.summaries for u in result.updates] == [
        ["Update text changed", "Status: off track → on track", "Due: none → 2010-12-31"]]
    apply_returns(project, result)
    item = load_project(project).find("3.2.1")
    assert item.update == "Line one,\nline two: \"quoted\"" and str(item.due) == "2010-12-31"
    assert [p for p in snapshot(project) if snapshot(project)[p] != before[p]] == [
        "actions/data-gaps/3.2.1.yaml"]


def test_a_csv_return_of_a_workbook_with_two_sheets_is_refused(project: Path):
    """A lead of both kinds gets a sheet for each; a CSV holds one, so only the workbook
    itself can come back. Its workbook still round-trips as .xlsx."""
    path = project / "actions/recommendations/R1.yaml"
    path.write_text(path.read_text().replace("update: >-", "lead: Police\nupdate: >-", 1))
    books = issue(project)
    book = openpyxl.load_workbook(books["Police"])
    assert book.sheetnames == ["Instructions", DATA_SHEET, RECOMMENDATION_SHEET, "Issued"]
    words = " ".join(c.value for c in book["Instructions"]["A"] if c.value)
    assert "Open the Data requirements and Recommendations sheets" in words
    sheet = book[DATA_SHEET]
    target = project / "out/requests/Police-update-request.csv"
    with open(target, "w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(["" if v is None else v for v in row]
                                  for row in sheet.iter_rows(values_only=True))
    with pytest.raises(Invalid, match=r"sent with 2 sheets of updates \(Data requirements, "
                                      r"Recommendations\).*return the workbook itself"):
        collect_returns(load_project(project), [target])
    fill(books["Police"], {"R1": {"New Status": "on track"}, "3.2.3": {"New Status": "at risk"}})
    result = collect_returns(load_project(project), [books["Police"]])
    assert {u.ref: u.summaries for u in result.updates} == {
        "3.2.3": ["Status: on track → at risk"], "R1": ["Status: not started → on track"]}


def test_bad_csv_return_names_line_and_column(project: Path):
    books = issue(project)
    csv_path = export_csv(books["Police"], project / "out/requests/Police-update-request.csv",
                          {"3.2.1": {"New Due": "31/09/2010", "New Status": "=A1"}})
    with pytest.raises(Invalid) as caught:
        collect_returns(load_project(project), [csv_path])
    assert sorted(p.file for p in caught.value.problems) == [
        "Police-update-request.csv: line 2, column 10",
        "Police-update-request.csv: line 2, column 9"]
    said = sorted(str(p) for p in caught.value.problems)
    assert said[0].startswith("Police-update-request.csv: line 2, column 10: New Due: "
                              "'31/09/2010' is not a real date")  # the label said once


def test_not_yet_returned(project: Path):
    books = issue(project)
    result = collect_returns(load_project(project), [books["Court"], books["Police"]])
    assert result.updates == ()
    assert result.not_returned == ("SBC", "A&E", "JSU", "Probation", "Partnership")
    assert result.not_returned_line == ("Not yet returned: SBC, A&E, JSU, Probation, "
                                        "Partnership")


def test_not_a_workbook(project: Path):
    issue(project)
    fake = project / "out/requests/Police-update-request.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(Invalid, match="cannot be read as an Excel workbook"):
        collect_returns(load_project(project), [fake])


def test_oversized_returns_are_refused_unread(project: Path, monkeypatch):
    books = issue(project)
    huge = project / "out/requests/huge.xlsx"
    with open(huge, "wb") as out:
        out.truncate(returns.MAX_RETURN_BYTES + 1)
    with pytest.raises(Invalid, match="over the limit"):
        collect_returns(load_project(project), [huge])
    monkeypatch.setattr(returns, "MAX_ROWS", 2)  # the Police workbook has 3 rows
    with pytest.raises(Invalid, match="more than an update request ever holds"):
        collect_returns(load_project(project), [books["Police"]])


def test_apply_validates_the_plan_before_writing(project: Path):
    before = snapshot(project)
    # A good change and a bad one (collect_returns would never make it): neither lands.
    good = FileUpdate("actions/data-gaps/3.2.2.yaml", "3.2.2",
                      (FieldChange("status", "off track", "on track"),))
    bad = FileUpdate("actions/data-gaps/3.2.1.yaml", "3.2.1",
                     (FieldChange("status", "off track", "soon"),))
    with pytest.raises(Invalid, match="'soon' is not a status"):
        apply_returns(project, CollectResult((good, bad), (), (), None))
    assert snapshot(project) == before


def test_apply_refuses_a_stale_result(project: Path):
    books = issue(project)
    fill(books["Police"], {"3.2.1": {"New Status": "on track"}})
    result = collect_returns(load_project(project), [books["Police"]])
    set_fields(project, "3.2.1", status="at risk")
    before = snapshot(project)
    with pytest.raises(Invalid, match="changed since the returns were collected"):
        apply_returns(project, result)
    assert snapshot(project) == before


def test_set_fields(project: Path):
    path = project / "actions/data-gaps/3.2.5.yaml"
    original = path.read_text()
    # "green" is on track already: only the date changes.
    edit = set_fields(project, "3.2.5", status="green", due="2010-11")
    assert edit.summaries == ["Due: 2010-09 → 2010-11"]
    assert load_project(project).find("3.2.5").due.long == "November 2010"
    edit = set_fields(project, "3.2.5", due="")
    assert edit.summaries == ["Due: 2010-11 → none"]
    assert load_project(project).find("3.2.5").due is None
    assert lines_outside(path.read_text(), {"due"}) == lines_outside(original, {"due"})
    before = snapshot(project)
    with pytest.raises(Invalid, match="'later' is not a status"):
        set_fields(project, "3.2.5", status="later")
    with pytest.raises(Invalid, match="no data gap or recommendation has the ref"):
        set_fields(project, "9.9.9", status="on track")
    with pytest.raises(Invalid, match="the update is empty"):
        set_fields(project, "3.2.5", update="  ")
    assert snapshot(project) == before


def test_a_number_in_a_due_cell_is_not_read_as_a_day_count(project: Path):
    """A partner's "2027" typed in New Due: in the date-formatted cell Excel keeps the
    number, which reads as 19 July 1905; in a cell not formatted as a date it is the number
    as typed. Neither is a deadline: each is refused at its cell, saying what to type, as
    is any date more than 10 years before the round was issued (1 July 2010) or the
    report's date (28 June 2010), whichever is earlier."""
    books = issue(project, ["Court"])
    row = row_of(books["Court"], "4.2.2")
    cases = {  # the value typed, its cell's format -> what collect says
        (2027, None): "New Due: reads as 19 July 1905 (the number 2027 in a date cell), "
                      "more than 10 years before the plan's dates (28 June 2010): "
                      "type a date such as 31/03/2027, or a period such as 2026/27",
        (2027, "General"): "New Due: holds the number 2027, not a date: type a date such "
                           "as 31/03/2027, or a period such as 2026/27",
        (45000.5, "General"): "New Due: holds the number 45000.5, not a date: type a date "
                              "such as 31/03/2011, or a period such as 2010/11",
        ("2027", None): "New Due: holds the number 2027, not a date",
        (datetime(1999, 1, 2), None): "New Due: reads as 2 January 1999, more than 10 "
                                      "years before the plan's dates (28 June 2010)",
    }
    for (value, number_format), message in cases.items():
        book = openpyxl.load_workbook(books["Court"])
        (sheet,) = updates_sheets(book)
        cell = sheet.cell(row, 10, value)
        if number_format:
            cell.number_format = number_format
        book.save(books["Court"])
        before = snapshot(project)
        with pytest.raises(Invalid) as caught:
            collect_returns(load_project(project), [books["Court"]])
        (problem,) = caught.value.problems
        assert problem.file == f"Court-update-request.xlsx: sheet {DATA_SHEET}, cell J{row}"
        assert problem.message.startswith(message), problem.message
        assert snapshot(project) == before
    fill(books["Court"], {"4.2.2": {"New Due": datetime(2001, 3, 31)}})  # within 10 years
    result = collect_returns(load_project(project), [books["Court"]])
    assert [u.summaries for u in result.updates] == [["Due: none → 2001-03-31"]]


def test_a_label_in_capitals_is_said_in_sentence_case_to_partners(project: Path):
    """The recommendations' `UPDATE` is the 2010 report's print style: the partners'
    workbook, its instructions and collect say "Update", as the data gaps' sheet does."""
    books = issue(project, ["Partnership"])
    book = openpyxl.load_workbook(books["Partnership"])
    (sheet,) = updates_sheets(book)
    header = [cell.value for cell in sheet[1]]
    assert "Current Update" in header and "New Update" in header
    steps = [row[0] for row in book["Instructions"].iter_rows(values_only=True) if row[0]]
    assert "2. Type the latest Update in the New Update column. Leave it blank if nothing " \
           "has changed." in steps
    assert not [text for text in [*header, *steps] if "UPDATE" in str(text)]
    fill(books["Partnership"], {"R1": {"New Update": "Agreed by the board."}})
    (update,) = collect_returns(load_project(project), [books["Partnership"]]).updates
    assert [change.label for change in update.changes] == ["Update"]
    # A word of three capitals is an abbreviation, kept: "RAG"
    assert [partner_label(label) for label in ("UPDATE", "RAG", "RAG STATUS", "Due")] == [
        "Update", "RAG", "RAG status", "Due"]


def test_the_guide_shows_the_workbook_and_the_message_the_tool_writes(project: Path):
    """docs/updates.md names the shipped plan's sheets and columns as written, and its
    sample problem is the one collect gives for that cell."""
    guide = " ".join((REPO / "docs/updates.md").read_text(encoding="utf-8").split())
    books = issue(project, ["Police", "Partnership"])
    assert f"`{DATA_SHEET}` sheet" in guide and f"`{RECOMMENDATION_SHEET}` sheet" in guide
    assert all(f"**{column}**" in guide for column in DATA_HEADERS)
    fill(books["Police"], {"3.2.1": {"New Status": "nearly done"}})
    (problem,) = police_problems(project, books)
    assert f"{problem.file}: {problem.message}" in guide
