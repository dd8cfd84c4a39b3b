"""A tracker adopted and then used for a round (QA round F7-F10, F19): its heading rows
print in the report, a CSV's two-row header is one header, the placeholders init writes
into agencies.yaml are flagged, and a deadline given later replaces the tracker's words."""

from __future__ import annotations

import csv
import html
import re
from datetime import datetime
from pathlib import Path

from conftest import run
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from test_partners import fill

from psa_report.loader import load_file
from psa_report.project import load_project

BANNER = "Northmoor Community Safety Partnership - ASB Action Plan 2026/27"
HEADINGS = ["Priority 1: Tackle anti-social behaviour in town centres",
            "Priority 2: Support victims"]
#: The rows under the two-row header (Ref ... Update merged down, Milestones over Q1, Q2).
ROWS: list[list] = [
    [HEADINGS[0]],
    ["1.1", "Set up a town-centre ASB task group", "Council and Police",
     datetime(2027, 3, 31), "G", "Task group met in May and July.\nTerms of reference agreed.",
     "Group formed", "First report"],
    ["1.2", "Extend CCTV coverage to the bus station", "Council", "end of March 2027", "A",
     "Funding bid submitted.", None, "Cameras installed"],
    ["1.3", "Youth diversion sessions on Friday nights", "Youth Service/Police", "Q3", "R",
     "Venue not yet found; two providers approached.", None, None],
    [],
    [HEADINGS[1]],
    ["2.1", "Victim contact within 48 hours of a report", "Police", datetime(2026, 9, 30),
     "C", "Achieved since June: 96% contacted within 48 hours.", None, None],
    ["2.2", "Review the ASB case review (community trigger) process", "Council; Housing",
     "Ongoing", "A", "Review started.", None, None],
    ["2.3", "Publish a victims' leaflet", "Fire and Rescue", "TBC", "Amber", "Draft written.",
     None, None],
    [],
    ["Notes: RAG reviewed at each board meeting."],
]


def northmoor_xlsx(path: Path) -> Path:
    """The tracker of the QA round: a banner, a key, a header of two rows (Milestones merged
    over Q1, Q2; the other headers merged down), two priority heading rows merged across."""
    book = Workbook()
    sheet = book.active
    sheet.title = "ASB Action Plan"
    sheet["A1"] = BANNER
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Key: G = on track, A = at risk, R = off track, C = complete"
    for column, header in enumerate(["Ref", "Action", "Lead", "Due", "RAG", "Update"], 1):
        sheet.cell(4, column).value = header
        sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    sheet["G4"], sheet["G5"], sheet["H5"] = "Milestones", "Q1", "Q2"
    sheet.merge_cells("G4:H4")
    for number, row in enumerate(ROWS, 6):
        for column, value in enumerate(row, 1):
            sheet.cell(number, column).value = value
        if len(row) == 1 and row[0] in HEADINGS:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=8)
        if len(row) > 4:
            sheet.cell(number, 5).fill = PatternFill("solid", fgColor="FF00B050")
    book.save(path)
    return path


def northmoor_csv(path: Path) -> Path:
    """The same tracker saved as CSV, as Excel writes it: the merged header's second row
    is a row of its own (``,,,,,,Q1,Q2``)."""
    lines = [[BANNER], ["Key: G = on track, A = at risk, R = off track, C = complete"], [],
             ["Ref", "Action", "Lead", "Due", "RAG", "Update", "Milestones", ""],
             ["", "", "", "", "", "", "Q1", "Q2"], *ROWS]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in lines:
            cells = ["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, datetime)
                     else v for v in row]
            writer.writerow(cells + [""] * (8 - len(cells)))
    return path


def _adopt(runner, tracker: Path, folder: Path) -> str:
    result = run(runner, "init", str(folder), "--from", str(tracker), "--no-git")
    assert result.exit_code == 0, result.output
    return result.output


def _plan(folder: Path) -> dict:
    return load_file(folder / "actions/plan.yaml", "plan.yaml").data


# ---------------------------------------------------------------- F8


def test_a_csv_trackers_second_header_row_is_read_as_the_header(runner, tmp_path):
    folder = tmp_path / "plan"
    out = _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    assert "tracker.csv: header on rows 4-5; 6 rows of the plan (rows 7-14)" in out
    assert "no ref" not in out and "Column H" not in out
    kind = _plan(folder)["kinds"][0]
    assert [f["label"] for f in kind["fields"]] == [
        "Action", "Lead", "Due", "Due (as written)", "RAG", "Update", "Milestones Q1",
        "Milestones Q2"]
    required = {f["name"] for f in kind["fields"] if f.get("required", True)}
    assert {"action", "lead", "rag", "update"} <= required
    assert "status_required: true" in (folder / "actions/plan.yaml").read_text(encoding="utf-8")
    items = load_project(folder).kind_items["action"]
    assert [i.ref for i in items] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    assert [(i.get("milestones_q1"), i.get("milestones_q2")) for i in items[:2]] == [
        ("Group formed", "First report"), (None, "Cameras installed")]
    # read as the .xlsx of the same tracker is
    xlsx = tmp_path / "from-xlsx"
    _adopt(runner, northmoor_xlsx(tmp_path / "tracker.xlsx"), xlsx)
    assert [f["label"] for f in _plan(xlsx)["kinds"][0]["fields"]] == [
        f["label"] for f in kind["fields"]]


def test_a_first_row_of_data_is_never_taken_for_a_second_header_row(runner, tmp_path):
    tracker = tmp_path / "plan.csv"
    tracker.write_text("Ref,Action,Lead,RAG\n1,Fix the lights,Council,G\n"
                       "2,Mend the fence,Police,A\n", encoding="utf-8")
    out = _adopt(runner, tracker, tmp_path / "plan")
    assert "header on row 1; 2 rows of the plan (rows 2-3)" in out


# ---------------------------------------------------------------- F7


def test_the_trackers_heading_rows_print_in_the_report(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_xlsx(tmp_path / "tracker.xlsx"), folder)
    report = load_file(folder / "actions/report.yaml", "report.yaml").data
    assert list(report["sections"].values()) == HEADINGS
    # eight fields: a table all the same, since only a table prints the sections
    assert len(_plan(folder)["kinds"][0]["fields"]) == 8
    assert _plan(folder)["kinds"][0]["layout"] == "table"
    out = tmp_path / "out"
    built = run(runner, "build", "--project", str(folder), "--format", "html", "--out",
                str(out))
    assert built.exit_code == 0, built.output
    page = (out / "progress-report.html").read_text(encoding="utf-8")
    # each a heading over its rows, as in the tracker
    headings = [html.unescape(h) for h in re.findall(r"<h3[^>]*>([^<]*)</h3>", page)]
    assert [h for h in headings if h.startswith("Priority")] == HEADINGS
    text = html.unescape(page)
    assert text.index(f">{HEADINGS[0]}</h3>") < text.index("Set up a town-centre") < \
        text.index(f">{HEADINGS[1]}</h3>") < text.index("Publish a victims' leaflet")


def test_check_warns_of_sections_a_layout_of_blocks_would_not_print(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    assert "sections:" not in run(runner, "check", "--project", str(folder)).output
    plan = folder / "actions/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("layout: table",
                                                             "layout: blocks"), "utf-8")
    checked = run(runner, "check", "--strict", "--project", str(folder))
    assert checked.exit_code == 1
    lines = (folder / "actions/report.yaml").read_text(encoding="utf-8").splitlines()
    for number in ("1", "2"):
        line = next(n for n, text in enumerate(lines, 1) if text.startswith(f'  "{number}":'))
        assert (f"actions/report.yaml:{line}:3: warning: sections: section {number}'s heading "
                "will not print: the action items in it are laid out as blocks, which print "
                "no section headings: make the kind `layout: table`") in checked.output


# ---------------------------------------------------------------- F19


def test_report_yaml_has_no_key_the_adopted_plan_does_not_use(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    report = load_file(folder / "actions/report.yaml", "report.yaml").data
    assert "data_gaps_intro" not in report and "recommendations_intro" not in report
    assert set(report) == {"partnership", "title", "meeting", "author", "date",
                           "paragraphs", "sections"}


# ---------------------------------------------------------------- F9


def test_an_agency_whose_full_name_is_still_its_short_name_is_warned_of(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    agencies = folder / "actions/agencies.yaml"
    lines = agencies.read_text(encoding="utf-8").splitlines()
    at = {line.split(":")[0]: number for number, line in enumerate(lines, 1)
          if not line.startswith("#")}
    assert set(at) == {"Council", "Fire and Rescue", "Housing", "Police", "Youth Service"}
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    for code, number in at.items():
        assert (f"actions/agencies.yaml:{number}:{len(code) + 3}: warning: {code}: the full "
                f"name is still the short name {code!r}, as psa-report init wrote it: write "
                "the agency's full name") in checked.output
    strict = run(runner, "check", "--strict", "--project", str(folder))
    assert strict.exit_code == 1
    # a full name written, or the short name said to be the full one: no warning
    text = agencies.read_text(encoding="utf-8").replace(
        "Council: Council", "Council: Northmoor District Council").replace(
        "Police: Police", "Police: {name: Police}")
    agencies.write_text(text, encoding="utf-8")
    again = run(runner, "check", "--project", str(folder)).output
    assert "Council: the full name" not in again and "Police: the full name" not in again
    assert "Housing: the full name is still the short name" in again


# ---------------------------------------------------------------- F10


def _due_words(folder: Path) -> tuple[object, object]:
    item = load_project(folder).find("2.3")
    return item.get("due"), item.get("due_as_written")


def test_a_deadline_set_replaces_the_trackers_words_for_it(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    assert _due_words(folder) == (None, "TBC")
    # a deadline removed (none was given) keeps them
    kept = run(runner, "set", "2.1", "--due", "", "--project", str(folder))
    assert kept.exit_code == 0, kept.output
    assert "as written" not in kept.output
    done = run(runner, "set", "2.3", "--due", "June 2027", "--project", str(folder))
    assert done.exit_code == 0, done.output
    assert "Due: none → 2027-06\n  Due (as written): TBC → none" in done.output
    assert str(_due_words(folder)[0]) == "2027-06" and _due_words(folder)[1] is None
    assert "TBC" not in (folder / "actions/actions/2.3.yaml").read_text(encoding="utf-8")


def test_a_partners_new_deadline_replaces_the_trackers_words_for_it(runner, tmp_path):
    folder = tmp_path / "plan"
    _adopt(runner, northmoor_csv(tmp_path / "tracker.csv"), folder)
    issued = run(runner, "requests", "--project", str(folder), "--lead", "Fire and Rescue",
                 "--out", str(tmp_path / "req"))
    assert issued.exit_code == 0, issued.output
    book = fill(tmp_path / "req/Fire-and-Rescue-update-request.xlsx",
                {"2.3": {"New Due": "end of June 2027"}})
    preview = run(runner, "collect", "--project", str(folder), str(book))
    assert preview.exit_code == 0, preview.output
    assert "Due (as written): TBC → none" in preview.output
    applied = run(runner, "collect", "--apply", "--project", str(folder), str(book))
    assert applied.exit_code == 0, applied.output
    assert str(_due_words(folder)[0]) == "2027-06" and _due_words(folder)[1] is None
