"""Adopting an existing tracker (issue 24): `psa-report init FOLDER --from FILE` infers the
plan's shape from an Excel or CSV tracker and writes a whole project from it."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import REPO, run
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from psa_report.adopt import rag_colour, split_leads
from psa_report.loader import load_file
from psa_report.project import load_project

GREEN, AMBER, RED = "00B050", "FFC000", "FF0000"


def _fill(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color="FF" + rgb, end_color="FF" + rgb)


# ---------------------------------------------------------------- three trackers

FENLAND_HEADERS = ["Ref", "Priority", "Action", "Lead", "Timescale", "Progress update", "RAG"]
FENLAND_ROWS = [
    ["1.1", "Reduce violent crime", "Deliver a night-time economy patrol plan with licensed "
     "premises in the town centre.", "Police", datetime(2025, 9, 30),
     "Patrols agreed with the pub watch.\nFirst joint operation held in June.", "G"],
    ["1.2", "Reduce violent crime", "Commission a domestic abuse perpetrator programme.",
     "Council, Police", "Q3 2025/26", "Tender out; three bids received.", "A"],
    ["1.3", "Reduce violent crime", "Fire safety visits for repeat victims.",
     "Fire and Rescue", "Ongoing", "42 visits made this quarter.", "G"],
    ["2.1", "Protect young people", "Youth diversion sessions in the summer holidays.",
     "Youth Offending Service", datetime(2025, 8, 31), "Venue lost in May.\n\n"
     "Looking for a new one with the Council.", "R"],
    ["2.2", "Protect young people", "Joint training on exploitation for school staff.",
     "Council and Police", "2025/26", "Two sessions held.", "Complete"],
    ["2.3", "Protect young people", "Review the referral pathway to early help.",
     "Police/Probation", "TBC", "Not started: waiting for the new pathway.", "A"],
    ["3.1", "Reduce reoffending", "Accommodation for prison leavers.", "Probation",
     datetime(2026, 3, 31), "Two new bed spaces.", "G"],
]


def fenland_xlsx(path: Path) -> Path:
    """Title rows with merged title cells, a blank row, G/A/R letters and date cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    sheet["A1"] = "Safer Fenland Community Safety Action Plan 2025/26"
    sheet.merge_cells("A1:G1")
    sheet["A2"] = "Progress as at the end of Quarter 1"
    sheet.merge_cells("A2:G2")
    sheet.append([])
    sheet.append(FENLAND_HEADERS)
    for row in FENLAND_ROWS:
        sheet.append(row)
    notes = book.create_sheet("Notes")
    notes["A1"] = "Kept for the officers' own use"
    book.save(path)
    return path


SALFORD_CSV = (
    "Community Safety Partnership Delivery Plan 2025-2028,,,,,,,\r\n"
    ",,,,,,,\r\n"
    "No.,Objective,Action,Delivery Led By,Resources Allocated,Target Date,Status,Comments\r\n"
    "DA-01,Tackle domestic abuse,\"Refresh the domestic abuse strategy.\r\nConsult "
    "survivors.\",Council,5000,31/03/2026,On Target,Draft shared with the board.\r\n"
    "DA-02,Tackle domestic abuse,Train frontline staff in DASH risk assessment.,"
    "\"Council, Police\",12000,March 2026,Progressing,80 staff trained.\r\n"
    "DA-03,Tackle domestic abuse,Sanctuary scheme for victims.,Housing,2500,Q4 2025/26,"
    "Not Resourced,No budget this year.\r\n"
    "DA-04,Reduce anti-social behaviour,Hotspot patrols in the precinct.,Police,0,"
    "Ongoing,Complete,\"Patrols ran all summer.\r\n\r\nCalls down by a fifth.\"\r\n"
    "DA-05,Reduce anti-social behaviour,Youth outreach on Friday nights.,"
    "Youth Service,8000,When funding allows,Overdue,Funding bid refused.\r\n"
)
SALFORD_HEADERS = ["No.", "Objective", "Action", "Delivery Led By", "Resources Allocated",
                   "Target Date", "Status", "Comments"]


def salford_csv(path: Path) -> Path:
    """A CSV exported from a tracker: a title row and a blank row as empty cells,
    prefixed refs, the partnership's own statuses, line breaks inside cells."""
    path.write_bytes(SALFORD_CSV.encode("utf-8"))
    return path


FILL_HEADERS = ["Action", "Owner", "Due", "Status", "Notes"]
FILL_ROWS = [
    ("Street lighting survey of the park.", "Council", datetime(2025, 6, 30), GREEN,
     "Survey done."),
    ("CCTV camera at the station.", "Police", datetime(2025, 12, 31), AMBER,
     "Waiting for the network link."),
    ("Knife bins in three wards.", "Council", datetime(2025, 10, 31), RED,
     "Sites refused by the landlord."),
    ("Victim support drop-in.", "Victim Support", datetime(2026, 1, 31), "Complete",
     "Running weekly."),
    ("Neighbourhood watch relaunch.", "Police", datetime(2026, 2, 28), ("Stalled", AMBER),
     "Co-ordinator left."),
]


def fill_xlsx(path: Path) -> Path:
    """A status shown only by the cell's fill colour (no text), no Ref column."""
    book = Workbook()
    sheet = book.active
    sheet.append(FILL_HEADERS)
    for number, (action, owner, due, status, notes) in enumerate(FILL_ROWS, 2):
        sheet.append([action, owner, due, None, notes])
        if status in (GREEN, AMBER, RED):
            sheet.cell(number, 4).fill = _fill(status)
        elif isinstance(status, tuple):  # a word of its own, in a RAG fill
            sheet.cell(number, 4).value = status[0]
            sheet.cell(number, 4).fill = _fill(status[1])
        else:
            sheet.cell(number, 4).value = status
    book.save(path)
    return path


# ---------------------------------------------------------------- helpers


def _adopt(runner, tracker: Path, folder: Path, *extra: str):
    result = run(runner, "init", str(folder), "--from", str(tracker), *extra)
    assert result.exit_code == 0, result.output
    return result


def _project_values(folder: Path) -> list[str]:
    """Every value in every YAML file of the project, as loaded."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for k, v in value.items():
                found.append(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None:
            found.append(str(value))

    for path in sorted((folder / "actions").rglob("*.yaml")):
        walk(load_file(path, path.name).data)
    return found


def _assert_every_cell_found(folder: Path, cells: list, skip_leads: int | None = None):
    values = set(_project_values(folder))
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, datetime):
            wanted = [cell.date().isoformat()]
        else:
            # line breaks part paragraphs; blank lines between them are one break
            wanted = [re.sub(r"\n+", "\n", str(cell).replace("\r\n", "\n"))]
        for piece in wanted:  # a whole value of some file, not a part of one
            assert piece in values, piece


def _plan_labels(folder: Path) -> list[str]:
    doc = load_file(folder / "actions/plan.yaml", "plan.yaml")
    return [f["label"] for f in doc.data["kinds"][0]["fields"]]


# ---------------------------------------------------------------- tests


def test_an_excel_tracker_with_title_rows_becomes_a_project(runner, tmp_path):
    tracker = fenland_xlsx(tmp_path / "fenland.xlsx")
    folder = tmp_path / "plan"
    result = _adopt(runner, tracker, folder)
    out = result.output
    assert "sheet Action plan: header on row 4; 7 rows of the plan (rows 5-11)" in out
    assert "Ref → refs like 1.1" in out
    assert "Timescale → timescale (due); 1 cell not a date or period: row 10" in out
    assert "G → green" in out and "A → amber" in out and "R → red" in out
    assert "fenland.xlsx: sheet 'Notes' not read (only sheet 'Action plan')" in out
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    project = load_project(folder)
    items = project.kind_items["action"]
    assert [i.ref for i in items] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1"]
    # the tracker's own column names, labels exactly as the headers
    assert [x for x in _plan_labels(folder) if "as written" not in x] == [
        "Priority", "Action", "Lead", "Timescale",
        "Progress update", "RAG"]
    by_ref = {i.ref: i for i in items}
    assert by_ref["1.2"].lead == ["Council", "Police"]
    assert by_ref["2.2"].lead == ["Council", "Police"]  # "and" between known agencies
    assert by_ref["1.3"].lead == ["Fire and Rescue"]  # kept whole
    assert by_ref["2.3"].lead == ["Police", "Probation"]
    assert by_ref["1.1"].due.day == date(2025, 9, 30)  # a date cell
    assert by_ref["1.3"].due.period == "ongoing"
    assert by_ref["1.2"].due.period == "quarter"
    assert by_ref["2.3"].get("timescale_as_written") == "TBC"  # kept, as text
    assert by_ref["2.1"].status.name == "red" and by_ref["2.1"].status.exception
    assert by_ref["2.2"].status.done
    assert by_ref["1.1"].get("progress_update") == (
        "Patrols agreed with the pub watch.\nFirst joint operation held in June.")
    report = load_file(folder / "actions/report.yaml", "report.yaml").data
    assert report["title"] == "Safer Fenland Community Safety Action Plan 2025/26"
    # a title row under the first is a note to the analyst, not a paragraph of the cover
    assert "Progress as at the end of Quarter 1" not in report["paragraphs"]
    assert ("#   fenland.xlsx: sheet Action plan, row 2: Progress as at the end of Quarter 1"
            in (folder / "actions/report.yaml").read_text(encoding="utf-8"))
    agencies = load_file(folder / "actions/agencies.yaml", "agencies.yaml").data
    assert set(agencies) == {"Council", "Fire and Rescue", "Police", "Probation",
                             "Youth Offending Service"}
    _assert_every_cell_found(folder, [c for row in FENLAND_ROWS for c in row if
                                      c not in ("Council, Police", "Council and Police",
                                                "Police/Probation")])


def test_a_csv_exported_from_a_tracker_becomes_a_project(runner, tmp_path):
    tracker = salford_csv(tmp_path / "delivery-plan.csv")
    folder = tmp_path / "plan"
    out = _adopt(runner, tracker, folder).output
    assert "delivery-plan.csv: header on row 3; 5 rows of the plan (rows 4-8)" in out
    assert "No. → refs like DA-01" in out
    assert ("Target Date → target_date (due); 1 cell not a date or period: row 8 (kept as "
            "text in target_date_as_written)") in out
    assert "delivery-plan.csv: row 8, column F (Target Date): not a date or period" in out
    assert "Progressing → a status of its own, placed with green by its meaning" in out
    assert "Not Resourced → a status of its own, placed with red by its meaning" in out
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    project = load_project(folder)
    items = {i.ref: i for i in project.kind_items["action"]}
    assert list(items) == ["DA-01", "DA-02", "DA-03", "DA-04", "DA-05"]
    assert [s.name for s in project.shape.statuses] == [
        "complete", "on target", "progressing", "not resourced", "overdue"]
    assert project.shape.status("Not Resourced").exception
    assert project.shape.status("not resourced").label == "Not Resourced"  # as typed
    assert items["DA-01"].get("action") == ("Refresh the domestic abuse strategy.\n"
                                            "Consult survivors.")
    assert items["DA-04"].get("comments") == "Patrols ran all summer.\nCalls down by a fifth."
    assert items["DA-02"].get("resources_allocated") == 12000
    assert items["DA-02"].due.day == date(2026, 3, 31)
    assert items["DA-04"].due.period == "ongoing"
    assert items["DA-05"].get("target_date_as_written") == "When funding allows"
    assert items["DA-02"].lead == ["Council", "Police"]
    assert [x for x in _plan_labels(folder) if "as written" not in x] == SALFORD_HEADERS[1:]
    rows = list(csv.reader(io.StringIO(SALFORD_CSV, newline="")))[3:]
    cells = [c for row in rows for c in row if c and c != "Council, Police"]
    _assert_every_cell_found(folder, cells)


def test_a_status_only_in_fill_colours_is_read_and_said(runner, tmp_path):
    tracker = fill_xlsx(tmp_path / "tracker.xlsx")
    folder = tmp_path / "plan"
    out = _adopt(runner, tracker, folder).output
    assert "no Ref column: the items are numbered 1, 2, 3..." in out
    assert ("3 statuses read from the cell's fill colour (no text): rows 2, 3, 4") in out
    assert ("tracker.xlsx: sheet Sheet, row 3, column D (Status): no text; status read "
            "from the fill colour as 'amber'") in out
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    project = load_project(folder)
    items = project.kind_items["action"]
    assert "Stalled → a status of its own, placed with amber by its fill colour" in out
    assert [(i.ref, i.status.name) for i in items] == [
        ("1", "green"), ("2", "amber"), ("3", "red"), ("4", "complete"), ("5", "stalled")]
    assert [s.name for s in load_project(folder).shape.statuses] == [
        "complete", "green", "amber", "stalled", "red"]
    assert _plan_labels(folder) == FILL_HEADERS
    assert items[3].lead == ["Victim Support"]
    _assert_every_cell_found(folder, [c if not isinstance(c, tuple) else c[0]
                                      for row in FILL_ROWS for c in row
                                      if c not in (GREEN, AMBER, RED)])


def test_dry_run_prints_the_inferred_plan_and_writes_nothing(runner, tmp_path):
    tracker = fenland_xlsx(tmp_path / "fenland.xlsx")
    folder = tmp_path / "plan"
    result = run(runner, "init", str(folder), "--from", str(tracker), "--dry-run")
    assert result.exit_code == 0, result.output
    assert not folder.exists()
    plan = result.output[result.output.index("# The shape of this plan"):]
    assert '      - {name: progress_update, label: "Progress update", type: text, ' \
           'partners: true}' in plan
    assert "  - {name: green, colour: green, also: [G]}" in plan


def test_what_init_from_writes_is_never_over_a_project(runner, tmp_path, project):
    tracker = fill_xlsx(tmp_path / "tracker.xlsx")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    result = run(runner, "init", str(project), "--from", str(tracker))
    assert result.exit_code == 1
    assert "already exists: this folder holds a project already" in result.output
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


@pytest.mark.parametrize("make, expected", [
    (lambda p: _sheet(p, [["Just a title"], [], ["Some words here"]]),
     "bad.xlsx: sheet Sheet: no header row found in rows 1-3"),
    (lambda p: _sheet(p, [["Action", "Lead", "Status"]]),
     "bad.xlsx: sheet Sheet, row 1: has no rows of data under the header row"),
    (lambda p: p.write_bytes(b"not a zip at all"),
     "bad.xlsx: cannot be read as an Excel workbook"),
])
def test_a_bad_tracker_is_reported_by_sheet_row_and_column(runner, tmp_path, make, expected):
    tracker = tmp_path / "bad.xlsx"
    make(tracker)
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tracker))
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "plan" / "actions").exists()


def test_a_bad_csv_and_a_wrong_sheet_are_reported(runner, tmp_path):
    tracker = tmp_path / "bad.csv"
    tracker.write_bytes(b"Action,Lead\nFix,Council\nCaf\xe9,Police\n")
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tracker))
    assert result.exit_code == 1
    assert "bad.csv: line 3, character 4: byte 0xE9 is not UTF-8 text" in result.output
    book = fenland_xlsx(tmp_path / "fenland.xlsx")
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(book), "--sheet",
                 "Plan")
    assert result.exit_code == 1
    assert "has no sheet named 'Plan': its sheets are 'Action plan', 'Notes'" in result.output
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tmp_path / "old.xls"))
    assert result.exit_code == 1
    assert "Excel 97-2003 workbook (.xls), which psa-report does not read" in result.output


def test_a_cell_that_cannot_be_text_is_named_by_row_and_column(runner, tmp_path):
    tracker = tmp_path / "bad.csv"
    tracker.write_text("Action,Lead,Status\nFix the lights,Council,G\n"
                       "Mend the \x07fence,Police,A\n", encoding="utf-8")
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tracker))
    assert result.exit_code == 1, result.output
    assert "bad.csv: row 3, column A (Action): the text holds U+0007 BELL" in result.output
    assert not (tmp_path / "plan" / "actions").exists()


def _sheet(path: Path, rows: list[list]) -> None:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


# ---------------------------------------------------------------- build and requests
# (these follow the declared shape once the report and the partner workbooks do)


@pytest.mark.parametrize("make", [fenland_xlsx, salford_csv, fill_xlsx])
def test_an_adopted_tracker_builds_with_every_row_and_its_own_columns(runner, tmp_path, make):
    tracker = make(tmp_path / ("tracker.csv" if make is salford_csv else "tracker.xlsx"))
    folder = tmp_path / "plan"
    _adopt(runner, tracker, folder)
    out = tmp_path / "out"
    result = run(runner, "build", "--project", str(folder), "--format", "html", "--out",
                 str(out))
    assert result.exit_code == 0, result.output
    page = (out / "progress-report.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    plan = load_file(folder / "actions/plan.yaml", "plan.yaml").data
    for label in (f["label"] for f in plan["kinds"][0]["fields"]
                  if "as written" not in f["label"]):
        assert label in text, label
    items = load_project(folder).kind_items["action"]
    assert len(items) == {fenland_xlsx: 7, salford_csv: 5, fill_xlsx: 5}[make]
    for item in items:  # every row, by its action and its ref
        assert " ".join(item.get("action").split()) in text, item.ref
        assert item.ref in text, item.ref


@pytest.mark.parametrize("make", [fenland_xlsx, salford_csv])
def test_an_adopted_tracker_goes_out_to_partners_in_its_own_columns(runner, tmp_path, make):
    tracker = make(tmp_path / ("tracker.csv" if make is salford_csv else "tracker.xlsx"))
    folder = tmp_path / "plan"
    _adopt(runner, tracker, folder)
    result = run(runner, "requests", "--project", str(folder), "--out", str(tmp_path / "req"))
    assert result.exit_code == 0, result.output
    books = sorted((tmp_path / "req").glob("*.xlsx"))
    assert books
    plan = load_file(folder / "actions/plan.yaml", "plan.yaml").data
    partner_labels = [f["label"] for f in plan["kinds"][0]["fields"] if f.get("partners")]
    headers = set()
    for path in books:
        sheet = load_workbook(path, read_only=True).worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            headers.update(str(v) for v in row if isinstance(v, str))
    for label in partner_labels:
        assert any(label in h for h in headers), (label, sorted(headers))


def sections_xlsx(path: Path) -> Path:
    """Heading rows inside the table, a cell merged down over rows, refs of two forms,
    a note below the table, and status words with more to say."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["Ref", "Theme", "Action", "Lead officer", "2025", "Status"])
    sheet.append(["Outcome 1: Safer streets"])
    sheet.merge_cells("A2:F2")
    sheet.append(["SS1", "Night-time economy", "Taxi marshals on Saturdays.", "Council",
                  12, "Green - ahead of plan"])
    sheet.append(["SS2", None, "Street pastors at weekends.", "Churches Together", 8,
                  "Amber"])
    sheet.merge_cells("B3:B4")
    sheet.append([None, None, "Community speed watch."])  # a new row: its action only
    sheet.append(["Outcome 2: Safer homes"])
    sheet.append(["1a", "Burglary", "Target hardening for repeat victims.", "Police", 30,
                  "Paused"])
    sheet.append([])
    sheet.append(["Key: Green on track, Amber at risk."])
    book.save(path)
    return path


def test_heading_rows_merged_cells_and_notes_are_kept(runner, tmp_path):
    tracker = sections_xlsx(tmp_path / "plan.xlsx")
    folder = tmp_path / "plan"
    out = _adopt(runner, tracker, folder).output
    assert "Ref: not used as refs (they are not all of one form" in out
    assert "2 heading rows inside the table (rows 2, 6) → section" in out
    assert ("plan.xlsx: sheet Sheet1, row 3, column B (Theme): merged down to row 4: its "
            "value is given to each of rows 3-4") in out
    assert "plan.xlsx: sheet Sheet1, row 9: a note below the table" in out
    assert "Green - ahead of plan → a status of its own, placed with green" in out
    assert "  - {name: \"green - ahead of plan\", colour: green}" in (
        folder / "actions/plan.yaml").read_text(encoding="utf-8")
    assert "Paused → a status of its own, placed with amber by its meaning" in out
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    items = load_project(folder).kind_items["action"]
    assert [(i.ref, i.get("tracker_ref"), i.get("theme"), i.get("section")) for i in items] == [
        ("1", "SS1", "Night-time economy", "Outcome 1: Safer streets"),
        ("2", "SS2", "Night-time economy", "Outcome 1: Safer streets"),
        ("3", None, None, "Outcome 1: Safer streets"),
        ("4", "1a", "Burglary", "Outcome 2: Safer homes")]
    assert items[2].get("action") == "Community speed watch."
    assert items[0].get("column_2025") == 12
    assert "Lead officer" in _plan_labels(folder) and "2025" in _plan_labels(folder)
    report = load_file(folder / "actions/report.yaml", "report.yaml").data
    assert report["title"] == "plan"
    assert "Key: Green on track, Amber at risk." not in report["paragraphs"]
    assert "row 9: Key: Green on track, Amber at risk." in (
        folder / "actions/report.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("cells, expected", [
    (["Council and Police", "Council", "Police"], [["Council", "Police"], ["Council"],
                                                   ["Police"]]),
    (["Fire and Rescue", "Fire and Rescue"], [["Fire and Rescue"]]),
    (["Health & Police", "Probation & Police", "Health", "Police and Probation and Health"],
     [["Health", "Police"], ["Probation", "Police"], ["Health"],
      ["Police", "Probation", "Health"]]),
    (["Health & Police", "Probation & Police"],  # Probation is named nowhere else
     [["Health & Police"], ["Probation & Police"]]),
    (["Police/Probation; Council", "Youth Offending Service"],
     [["Police", "Probation", "Council"], ["Youth Offending Service"]]),
])
def test_leads_split_only_where_the_parts_are_known_or_repeat(cells, expected):
    found = split_leads(cells)
    assert [found[c] for c in dict.fromkeys(cells)] == expected


@pytest.mark.parametrize("rgb, group", [
    ("00B050", "green"), ("92D050", "green"), ("C6EFCE", "green"), ("FFC000", "amber"),
    ("FFFF00", "amber"), ("FFEB9C", "amber"), ("FF0000", "red"), ("C00000", "red"),
    ("FFC7CE", "red"), ("0070C0", "complete"), ("BFBFBF", "not started"),
    ("FFFFFF", None)])
def test_the_usual_rag_fills(rgb, group):
    assert rag_colour(rgb) == group


def test_a_second_date_column_is_a_date_and_numbers_keep_their_zeros(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Action,Phone,Date raised,Deadline,RAG\n"
                       "Fix the lights,01642 100200,01/04/2025,Q2 2025/26,G\n"
                       "Mend the fence,01642 100300,02/04/2025,Ongoing,A\n"
                       "Paint the bench,0164200,03/04/2025,30/09/2025,R\n", encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan").output
    assert "Date raised → date_raised (date)" in out
    assert "Deadline → deadline (due)" in out
    assert "Phone → phone (line)" in out
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert items[2].get("phone") == "0164200"
    assert items[0].due.period == "quarter"
    assert items[0].get("date_raised") == date(2025, 4, 1)


def test_a_new_row_with_no_ref_yet_is_given_the_next_free_one(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Ref,Action,Lead,RAG\n1.1,Fix the lights,Council,G\n"
                       "1.2,Mend the fence,Police,A\n,Paint the bench,Council,R\n",
                       encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan").output
    assert "plan.csv: row 4, column A (Ref): no ref: given 1.3, the next free one" in out
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert [(i.ref, i.get("action")) for i in items] == [
        ("1.1", "Fix the lights"), ("1.2", "Mend the fence"), ("1.3", "Paint the bench")]


def test_a_workbook_is_read_as_data_never_its_formulas(runner, tmp_path):
    tracker = tmp_path / "plan.xlsx"
    _sheet(tracker, [["Action", "Lead", "Notes"],
                     ["Fix the lights", "Council", '=WEBSERVICE("http://example.invalid/x")'],
                     ["Mend the fence", "Police", "Done"]])
    _adopt(runner, tracker, tmp_path / "plan")
    written = "\n".join(p.read_text(encoding="utf-8")
                        for p in (tmp_path / "plan/actions").rglob("*.yaml"))
    assert "WEBSERVICE" not in written and "example.invalid" not in written
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert [i.get("notes") for i in items] == [None, "Done"]  # no saved value: blank


def test_the_status_column_is_the_one_of_status_words(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Action ref,Action,Risk rating,Partners involved,Owner(s),"
                       "Status (RAG)\n"
                       "A1,Fix the lights,High,Council,Council,Green\n"
                       "A2,Mend the fence,Low,Police,Police,Amber\n"
                       "A3,Paint the bench,Medium,Council,Council,On track\n",
                       encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan").output
    assert "Action ref → refs like A1" in out
    assert "Risk rating → risk_rating (line)" in out
    assert "Partners involved → partners_involved (line)" in out
    assert "Owner(s) → owner_s (agencies: Council, Police)" in out
    assert "Status (RAG) → status_rag (status: Green, On track → green; Amber → amber" in out


def test_heading_rows_above_refs_with_dots_become_the_reports_sections(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text(
        "Ref,Action,Lead,RAG\n"
        "Outcome 1: Reduce violent crime,,,\n"
        "Objective: Reduce alcohol-related violence,,,\n"
        "1.1.1,Taxi marshals,Council,G\n1.1.2,Pub watch,Police,A\n"
        "Objective: Reduce domestic abuse,,,\n"
        "1.2.1,Perpetrator programme,Council,R\n"
        "Outcome 2: Safer homes,,,\n"
        "2.1.1,Target hardening,Police,G\n", encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan").output
    assert "4 heading rows inside the table (rows 2, 3, 6, 8) → report.yaml's sections " \
           "1, 1.1, 1.2, 2" in out
    report = load_file(tmp_path / "plan/actions/report.yaml", "report.yaml").data
    assert report["sections"] == {"1": "Outcome 1: Reduce violent crime",
                                  "1.1": "Objective: Reduce alcohol-related violence",
                                  "1.2": "Objective: Reduce domestic abuse",
                                  "2": "Outcome 2: Safer homes"}
    checked = run(runner, "check", "--project", str(tmp_path / "plan"))
    assert checked.exit_code == 0, checked.output


def test_a_long_text_in_the_status_column_is_kept_beside_it(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Action,RAG\nFix the lights,G\nMend the fence,A\nPaint the bench,"
                       "\"Waiting for the council's decision on the budget for next year\"\n",
                       encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan").output
    assert ("RAG → rag (status: G → green; A → amber; complete added (no status meant "
            "done)); 1 cell not a status word: row 4 (kept as text in rag_as_written)") in out
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert items[2].status is None
    assert items[2].get("rag_as_written").startswith("Waiting for the council's")


def test_the_guides_example_is_what_init_from_prints(runner, tmp_path):
    guide = (REPO / "docs/start.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(tracker\.xlsx: sheet Action plan: .*?)```", guide, re.S)[1]
    out = _adopt(runner, fenland_xlsx(tmp_path / "tracker.xlsx"), tmp_path / "my-plan").output
    # the first commit's id differs from run to run: the guide's is an example
    # (and the folder is named by its whole path here)
    printed = [re.sub(r"in \S*my-plan, with a first commit of the plan \([0-9a-f]{7}\)",
                      "in my-plan, with a first commit of the plan (19c3b29)", line)
               for line in out.splitlines()]
    shown = [line for line in block.splitlines() if line != "..."]
    assert [line for line in printed if line in shown] == shown


def test_a_second_header_row_under_merged_cells_joins_its_labels(runner, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Ref", "Action", "Lead", "Milestones", None, None, "RAG"])
    sheet.append([None, None, None, "Q1", "Q2", "Q3", None])
    for cells in ("A1:A2", "B1:B2", "C1:C2", "D1:F1", "G1:G2"):
        sheet.merge_cells(cells)
    sheet.append(["1", "Fix the lights", "Council", "Survey", "Order", "Fit", "G"])
    sheet.append(["2", "Mend the fence", "Police", "Quote", None, None, "A"])
    book.save(tmp_path / "plan.xlsx")
    out = _adopt(runner, tmp_path / "plan.xlsx", tmp_path / "plan").output
    assert "sheet Sheet: header on rows 1-2; 2 rows of the plan (rows 3-4)" in out
    assert _plan_labels(tmp_path / "plan") == ["Action", "Lead", "Milestones Q1",
                                               "Milestones Q2", "Milestones Q3", "RAG"]
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert [i.get("milestones_q2") for i in items] == ["Order", None]


def test_a_date_cell_shown_as_a_month_is_that_month(runner, tmp_path):
    tracker = tmp_path / "plan.xlsx"
    _sheet(tracker, [["Action", "Lead", "Due"],
                     ["Fix the lights", "Council", datetime(2026, 3, 1)],
                     ["Mend the fence", "Police", datetime(2026, 3, 1)]])
    book = load_workbook(tracker)
    book.active["C2"].number_format = "mmm-yy"
    book.save(tracker)
    _adopt(runner, tracker, tmp_path / "plan")
    items = load_project(tmp_path / "plan").kind_items["action"]
    assert [(i.due.day, i.due.month_only) for i in items] == [
        (date(2026, 3, 31), True), (date(2026, 3, 1), False)]


def test_a_workbook_broken_inside_is_refused_in_plain_words(runner, tmp_path):
    import zipfile

    good = fill_xlsx(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off mid-sheet
            target.writestr(info, data)
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(bad))
    assert result.exit_code == 1, result.output
    assert "bad.xlsx: a sheet cannot be read" in result.output
    assert "Traceback" not in result.output


def test_a_word_typed_two_ways_is_one_status(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Action,Status\nFix the lights,In Progress\nMend the fence,"
                       "In progress\nPaint the bench,in progress\nSweep,Complete\n",
                       encoding="utf-8")
    _adopt(runner, tracker, tmp_path / "plan")
    project = load_project(tmp_path / "plan")
    assert [s.name for s in project.shape.statuses] == ["complete", "in progress"]
    assert [i.status.name for i in project.kind_items["action"]] == [
        "in progress", "in progress", "in progress", "complete"]
