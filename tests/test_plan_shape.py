"""A plan's own shape (actions/plan.yaml) followed by every output: the Fenland-style
plan (outcomes, objectives, its own fields and statuses), the 2010 seed with its Status
column blank, and direction of travel across two tagged meetings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import REPO, edit, git, run
from openpyxl import load_workbook
from pypdf import PdfReader

from psa_report.loader import load_text
from psa_report.shape import default_plan_text

FENLAND = Path(__file__).parent / "data" / "fenland"
#: Words of today's shape that must not appear where a plan declared its own.
DEFAULT_WORDS = ("Data requirements", "Data gap", "Recommendations", "UPDATE-",
                 "of the assessment", "data gaps and recommendations", "On track")


@pytest.fixture
def fenland(tmp_path: Path) -> Path:
    root = tmp_path / "fenland"
    shutil.copytree(FENLAND, root)
    return root


def texts(out: Path) -> dict[str, str]:
    html = (out / "progress-report.html").read_text(encoding="utf-8")
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    pdf = " ".join(p.extract_text() for p in PdfReader(out / "progress-report.pdf").pages)
    document = docx.Document(str(out / "progress-report.docx"))
    word = [p.text for p in document.paragraphs]
    word += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return {"html": html, "pdf": re.sub(r"\s+", " ", pdf), "docx": " ".join(word)}


def test_a_fenland_style_plan_checks_and_builds_in_its_own_words(runner, fenland):
    checked = run(runner, "check", "--project", str(fenland))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == "OK: 3 actions (1 green, 1 amber, 1 not yet started)."
    built = run(runner, "build", "--project", str(fenland), "--format", "all")
    assert built.exit_code == 0, built.output
    for name, text in texts(fenland / "out").items():
        for words in ("Action plan", "Measure of success", "Progress update", "RAG",
                      "Outcome 1: Reduce violent crime",
                      "Section 1.1: Objective: Reduce alcohol-related violence",
                      "Youth Offending Service", "Not yet started", "Amber (1)",
                      "Actions red, amber or overdue"):
            assert words in text, (name, words)
        for words in DEFAULT_WORDS:
            assert words not in text, (name, words)
        assert "Section 1: Outcome 1" not in text, name  # a heading is never doubled
    html = (fenland / "out/progress-report.html").read_text(encoding="utf-8")
    # the table's columns are the kind's fields, the deadline in the status cell
    head = re.search(r"<thead>\s*<tr>(.*?)</tr>", html, flags=re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]*)</th>', head) == [
        "Ref", "Objective", "Action", "Measure of success", "Baseline", "Target",
        "Milestones", "Lead", "Progress update", "RAG"]
    assert "Timescale: Q3 2024/25 (October to December 2024)" in html
    assert "Timescale: ongoing" in html  # never overdue
    assert html.count('class="overdue"') == 2  # 1.1.1 only: in its cell and the exceptions
    # the status summary has one column per declared status, in order
    summary = html.split('id="summary-caption"')[1]
    assert re.findall(r'<span class="status [^"]*">([^<]*)</span>', summary)[:5] == [
        "Complete", "Green", "Amber", "Red", "Not yet started"]
    assert 'class="status status-amber colour-amber"' in html


def test_the_seed_with_its_status_column_blank(runner, project):
    (project / "actions/plan.yaml").write_text("status_required: false\n", encoding="utf-8")
    for path in (project / "actions").rglob("*.yaml"):
        if path.name in ("plan.yaml", "report.yaml", "agencies.yaml"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(x for x in lines if not x.startswith("status:")) + "\n",
                        encoding="utf-8")
    checked = run(runner, "check", "--project", str(project))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == "OK: 10 data gaps, 5 recommendations."
    built = run(runner, "build", "--project", str(project), "--format", "all")
    assert built.exit_code == 0, built.output
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="status-cell" data-label="Status">(.*?)</td>', html,
                       flags=re.S)
    assert len(cells) == 10 and all("class=\"status " not in c for c in cells)
    for name, text in texts(project / "out").items():
        assert "No statuses are given in this plan." in text, name
        assert "Data requirements" in text and "UPDATE- " in text, name  # today's words


def test_direction_of_travel_in_a_plans_own_statuses(runner, fenland):
    edit(fenland, "actions/report.yaml", "date: 2025-01-10", 'date: 2025-01-10\n'
         'meeting_tags: "board-*"')
    git(fenland, "init", "-q", "-b", "main")
    git(fenland, "add", "-A")
    git(fenland, "commit", "-q", "-m", "January", when="2025-01-10")
    git(fenland, "tag", "board-2025-01-13")
    edit(fenland, "actions/actions/1.1.2.yaml", "rag: Amber", "rag: green")
    edit(fenland, "actions/actions/1.1.1.yaml", "rag: green", "rag: red")
    edit(fenland, "actions/report.yaml", "date: 2025-01-10", "date: 2025-04-10")
    git(fenland, "commit", "-q", "-am", "April", when="2025-04-10")
    git(fenland, "tag", "board-2025-04-14")
    edit(fenland, "actions/actions/2.1.1.yaml", "rag: not-yet-started", "rag: Amber")
    edit(fenland, "actions/report.yaml", "date: 2025-04-10", "date: 2025-07-10")
    git(fenland, "commit", "-q", "-am", "July", when="2025-07-10")
    built = run(runner, "build", "--project", str(fenland), "--format", "all")
    assert built.exit_code == 0, built.output
    html = (fenland / "out/progress-report.html").read_text(encoding="utf-8")
    assert "Improved (was not yet started)" in html  # 2.1.1, since the April meeting
    progress = run(runner, "progress", "--project", str(fenland), "--format", "csv")
    assert progress.stdout.splitlines()[0] == (
        "meeting,date,complete,green,amber,red,not_yet_started,overdue,items")
    assert progress.stdout.splitlines()[1].startswith("board-2025-01-13,2025-01-13,0,1,1,0,1")
    assert progress.stdout.splitlines()[2].startswith("board-2025-04-14,2025-04-14,0,1,0,1,1")
    changes = run(runner, "changes", "--project", str(fenland))
    assert changes.exit_code == 0, changes.output
    assert "RAG: not yet started → amber" in changes.stdout  # the field's label


def test_a_wrong_plan_yaml_is_reported_at_its_line(runner, fenland):
    edit(fenland, "actions/plan.yaml", "type: number, required: false}",
         "type: numbr, required: false}")
    result = run(runner, "build", "--project", str(fenland))
    assert result.exit_code == 1
    assert re.search(r"actions/plan.yaml:\d+:\d+: type: 'numbr' is not a field type. "
                     r"Did you mean 'number'\?", result.stderr)
    assert not (fenland / "out").exists()


def test_without_plan_yaml_the_shipped_report_is_as_before(built):
    html = built["html"].read_text(encoding="utf-8")
    head = re.search(r"<thead>\s*<tr>(.*?)</tr>", html, flags=re.S).group(1)
    assert re.findall(r'<th scope="col">([^<]*)</th>', head) == [
        "Ref", "Data gap", "Lead", "Action", "Update", "Status"]
    assert '<col class="c-ref"><col class="c-gap"><col class="c-lead">' in html
    assert 'id="data-gap-3-2-1"' in html and 'id="recommendation-R1"' in html
    assert "UPDATE- " in html
    # one path: the default's statuses are declared ones too, classed by their colour
    assert 'class="status status-off-track colour-red"' in html.split("</style>")[1]
    assert REPO.joinpath("actions/plan.yaml").exists() is False


def test_set_changes_a_plans_own_fields_in_its_own_words(runner, fenland):
    path = fenland / "actions/actions/1.1.1.yaml"
    before = path.read_text(encoding="utf-8")
    result = run(runner, "set", "1.1.1", "--status", "Amber", "--due", "q4 2024/25",
                 "--update", "Now 30 visits.", "--project", str(fenland))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == before.replace(
        "timescale: Q3 2024/25\nprogress: 28 joint visits made by the end of November.\n"
        "rag: green\n", "timescale: Q4 2024/25\nprogress: Now 30 visits.\nrag: amber\n")
    wrong = run(runner, "set", "1.1.1", "--status", "at risk", "--project", str(fenland))
    assert wrong.exit_code == 1
    assert "rag: 'at risk' is not a status: use one of complete, green, amber, red, not " \
           "yet started" in wrong.stderr
    assert "Traceback" not in wrong.output
    assert "rag: amber" in path.read_text(encoding="utf-8")
    assert run(runner, "check", "--project", str(fenland)).exit_code == 0


def test_requests_refuse_a_kind_without_refs_plainly(runner, fenland):
    """Returns are read back by ref: a kind numbered in file order cannot go out."""
    edit(fenland, "actions/plan.yaml", 'ref: "1.1.1"', 'ref: ""')
    for name in ("1.1.1", "1.1.2", "2.1.1"):
        edit(fenland, f"actions/actions/{name}.yaml", f"ref: {name}\n", "")
    assert run(runner, "check", "--project", str(fenland)).exit_code == 0
    for args in (("requests",), ("collect", str(fenland))):
        result = run(runner, *args, "--project", str(fenland))
        assert result.exit_code == 1, args
        assert "needs refs to read partners' returns back by, and the actions have none" \
            in result.stderr, args
        assert "Traceback" not in result.output
    assert not (fenland / "out").exists()


def test_requests_go_out_in_a_plans_own_columns_and_statuses(runner, fenland):
    (fenland / "actions/actions/3.1.1.yaml").write_text(
        "ref: 3.1.1\nobjective: Done already.\naction: Finished work.\nmeasure: None\n"
        "lead: Council\ntimescale: 2024/25\nprogress: Finished.\nrag: complete\n",
        encoding="utf-8")
    result = run(runner, "requests", "--project", str(fenland))
    assert result.exit_code == 0, result.output
    out = fenland / "out/requests"
    book = load_workbook(out / "Youth-Offending-Service-update-request.xlsx")
    assert book.sheetnames == ["Instructions", "Updates", "Issued"]
    sheet = book["Updates"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Ref", "Objective", "Action", "Measure of success", "Baseline",
                       "Target", "Milestones", "Lead", "Timescale", "Current Progress update",
                       "Current RAG", "New Progress update", "New RAG"]
    assert [row[0] for row in rows[1:]] == ["1.1.2", "2.1.1"]
    assert rows[1][5] == "1,200" and rows[1][8] == "2024/25 (April 2024 to March 2025)"
    assert rows[1][9:] == ["The course is written; the first sessions are booked.", "Amber",
                           None, None]
    # thirteen columns print two landscape pages wide, the Ref column on each, at a
    # readable size (one page wide, LibreOffice printed them at 4 to 5 points)
    assert (sheet.page_setup.fitToWidth, sheet.print_title_cols) == (2, "$A:$A")
    (check,) = sheet.data_validations.dataValidation
    assert str(check.sqref) == "M2:M3"
    assert check.formula1 == '"complete,green,amber,red,not yet started"'
    words = " ".join(str(r[0]) for r in book["Instructions"].iter_rows(values_only=True))
    assert "New Progress update column" in words
    assert "complete, green, amber, red or not yet started" in words
    for default_word in ("Data gap", "recommendation", "New status", "New due date"):
        assert default_word not in words + " ".join(map(str, rows[0]))
    # a complete action is not sent to anybody
    council = load_workbook(out / "Council-update-request.xlsx")["Updates"]
    assert [row[0] for row in council.iter_rows(min_row=2, values_only=True)] == ["1.1.2"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "3.1.1" not in {ref for book in manifest["workbooks"] for ref in book["refs"]}
    police = next(b for b in manifest["workbooks"] if b["agency"] == "Police")
    assert police["rows"][0]["current"] == {
        "progress": "28 joint visits made by the end of November.", "rag": "green"}


def test_requests_give_a_partners_due_field_a_date_check(runner, fenland):
    plan = fenland / "actions/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "{name: timescale, label: Timescale, type: due}",
        "{name: timescale, label: Timescale, type: due, partners: true}"), encoding="utf-8")
    result = run(runner, "requests", "--project", str(fenland))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(fenland / "out/requests/Police-update-request.xlsx")["Updates"]
    header = [cell.value for cell in sheet[1]]
    assert header[-3:] == ["New Timescale", "New Progress update", "New RAG"]
    assert "Current Timescale" in header and "Timescale" not in header
    dates = [v for v in sheet.data_validations.dataValidation if v.type == "date"]
    assert [str(v.sqref) for v in dates] == ["L2"]  # New Timescale
    assert dates[0].errorStyle == "warning"  # a quarter or "ongoing" may be typed


def test_a_return_in_a_plans_own_columns_is_collected_and_applied(runner, fenland, tmp_path):
    """Fenland-style plan -> requests -> a partner fills in a new RAG and a new Progress
    update -> collect --apply: the item file holds exactly the new values."""
    assert run(runner, "requests", "--project", str(fenland)).exit_code == 0
    sent = fenland / "out/requests/Youth-Offending-Service-update-request.xlsx"
    book = load_workbook(sent)
    sheet = book["Updates"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, 1).value == "1.1.2"
    sheet.cell(2, header.index("New Progress update") + 1).value = \
        "First 40 door staff trained\r\nin December."
    sheet.cell(2, header.index("New RAG") + 1).value = "Green"
    sheet.cell(3, header.index("New RAG") + 1).value = "red"
    returns = tmp_path / "returns"
    returns.mkdir()
    book.save(returns / sent.name)
    before = (fenland / "actions/actions/1.1.2.yaml").read_text(encoding="utf-8")
    preview = run(runner, "collect", str(returns), "--project", str(fenland))
    assert preview.exit_code == 0, preview.output
    assert "RAG: amber → green" in preview.stdout  # the field's label
    assert (fenland / "actions/actions/1.1.2.yaml").read_text(encoding="utf-8") == before
    applied = run(runner, "collect", str(returns), "--project", str(fenland), "--apply")
    assert applied.exit_code == 0, applied.output
    after = (fenland / "actions/actions/1.1.2.yaml").read_text(encoding="utf-8")
    kept = before.split("progress:")[0]
    assert after.startswith(kept)  # every other line as it was, byte for byte
    assert after.split("rag:")[1] == " green\n"
    assert load_text(after, "1.1.2.yaml").data == {
        **load_text(before, "1.1.2.yaml").data,
        "progress": "First 40 door staff trained\nin December.", "rag": "green"}
    assert "rag: red" in (fenland / "actions/actions/2.1.1.yaml").read_text(encoding="utf-8")
    checked = run(runner, "check", "--project", str(fenland))
    assert checked.exit_code == 0, checked.output
    assert "OK: 3 actions (2 green, 1 red)." in checked.stdout


def test_a_return_of_a_plans_own_kind_is_read_by_each_fields_type(runner, fenland, tmp_path):
    plan = fenland / "actions/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "{name: timescale, label: Timescale, type: due}",
        "{name: timescale, label: Timescale, type: due, partners: true}"), encoding="utf-8")
    assert run(runner, "requests", "--project", str(fenland)).exit_code == 0
    sent = fenland / "out/requests/Youth-Offending-Service-update-request.xlsx"
    book = load_workbook(sent)
    sheet = book["Updates"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(2, header.index("New Timescale") + 1).value = "q4 2024/25"
    sheet.cell(3, header.index("New Timescale") + 1).value = __import__("datetime").datetime(
        2025, 6, 30)
    sheet.cell(3, header.index("New RAG") + 1).value = "purple"
    sheet.cell(2, header.index("Objective") + 1).value = "Something else"
    returns = tmp_path / "returns"
    returns.mkdir()
    book.save(returns / sent.name)
    wrong = run(runner, "collect", str(returns), "--project", str(fenland))
    assert wrong.exit_code == 1
    assert "cell N3: New RAG: 'purple' is not a status: use one of complete, green" \
        in wrong.stderr
    assert "cell B2: Objective was changed" in wrong.stderr
    sheet.cell(3, header.index("New RAG") + 1).value = None
    sheet.cell(2, header.index("Objective") + 1).value = \
        "Reduce alcohol-related violence in the night-time economy."
    book.save(returns / sent.name)
    applied = run(runner, "collect", str(returns), "--project", str(fenland), "--apply")
    assert applied.exit_code == 0, applied.output
    assert "timescale: Q4 2024/25\n" in (fenland / "actions/actions/1.1.2.yaml").read_text(
        encoding="utf-8")
    assert "timescale: 2025-06-30\n" in (fenland / "actions/actions/2.1.1.yaml").read_text(
        encoding="utf-8")
    assert run(runner, "check", "--project", str(fenland)).exit_code == 0


def test_list_show_and_overdue_in_a_plans_own_words(runner, fenland):
    listed = run(runner, "list", "--project", str(fenland), "--status", "Amber",
                 "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [(r["ref"], r["kind"], r["status"]) for r in __import__("json").loads(
        listed.stdout)] == [("1.1.2", "action", "amber")]
    wrong = run(runner, "list", "--project", str(fenland), "--status", "on hold")
    assert wrong.exit_code == 2
    assert "not a status of this plan: use one of complete, green, amber, red, " \
           "not yet started" in wrong.stderr
    shown = run(runner, "show", "1.1.2", "--project", str(fenland))
    assert "Measure of success: Door staff trained" in shown.stdout  # short: on its line
    assert "Timescale: 2024/25 (April 2024 to March 2025)" in shown.stdout  # its label
    late = run(runner, "overdue", "--project", str(fenland), "--as-of", "2025-02-01")
    assert re.search(r"1\.1\.1\s+Fire and Rescue, Police\s+2024-12-31\s+32\s+green", late.stdout)
    assert "2.1.1" not in late.stdout  # ongoing: never overdue


def test_new_writes_a_skeleton_of_a_declared_kind(runner, fenland):
    made = run(runner, "new", "action", "--section", "1.1", "--project", str(fenland))
    assert made.exit_code == 0, made.output
    assert "1.1.3 is the next free ref in section 1.1." in made.stdout
    text = (fenland / "actions/actions/1.1.3.yaml").read_text(encoding="utf-8")
    assert "# Measure of success: text" in text and 'rag: "not yet started"' in text
    assert '# target: "0"' in text  # optional fields are offered, commented out
    checked = run(runner, "check", "--project", str(fenland))
    assert checked.exit_code == 0, checked.output
    assert "1.1.3.yaml:10:10: warning: measure: still the example text \"Write the " \
           "field's text here: Measure of success.\"" in checked.stderr
    assert run(runner, "check", "--strict", "--project", str(fenland)).exit_code == 1
    wrong = run(runner, "new", "widget", "--project", str(fenland))
    assert wrong.exit_code == 2 and "not a kind of item of this plan: use action" in wrong.stderr


def test_schema_describes_a_declared_kind(runner, fenland):
    import json

    import jsonschema
    import yaml

    made = run(runner, "schema", "--project", str(fenland))
    assert made.exit_code == 0, made.output
    schema = json.loads((fenland / "schema/action.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["rag"]["examples"][:3] == ["complete", "green", "on track"]
    assert schema["properties"]["measure"]["title"] == "Measure of success"
    for path in (fenland / "actions/actions").glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"ref": "1.1.9", "rag": "purple"}, schema)


def test_import_a_table_headed_with_a_kinds_labels(runner, fenland, tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("Ref,Objective,Action,Measure of success,Lead,Timescale,"
                     "Progress update,RAG\r\n"
                     '1.2.1,Reduce harm,"Patrol the town centre\r\non Fridays",Patrols,'
                     '"Council, Police",Q4 2024/25,Begun,Amber\r\n'
                     ",Reduce harm,Another,Visits,Youth Offending Service,ongoing,Not begun,\r\n",
                     encoding="utf-8")
    # the row with no ref is numbered in the section given (refused without one)
    made = run(runner, "import", str(table), "--status", "Not yet started",
               "--section", "2.1", "--project", str(fenland))
    assert made.exit_code == 0, made.output
    assert "imported 2 actions" in made.stdout
    text = (fenland / "actions/actions/1.2.1.yaml").read_text(encoding="utf-8")
    assert "lead:\n  - Council\n  - Police\n" in text and "timescale: Q4 2024/25" in text
    assert "Patrol the town centre\n" in text  # the line break kept, as typed
    assert 'rag: not yet started' in (fenland / "actions/actions/2.1.2.yaml").read_text(
        encoding="utf-8")
    assert run(runner, "check", "--project", str(fenland)).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("Ref,Objectiv,RAG,RAG\n", encoding="utf-8")
    refused = run(runner, "import", str(bad), "--project", str(fenland))
    assert refused.exit_code == 1
    assert "column 2 is headed 'Objectiv', which is not one of the columns" in refused.stderr
    assert "column 4 is headed 'RAG', as column 3 is ('RAG')" in refused.stderr
    assert "the header has no column for Objective, Action" in refused.stderr


def test_a_plan_of_two_kinds_goes_out_on_a_sheet_per_kind_and_comes_back(runner, tmp_path):
    """The default kinds with a status of the plan's own ("paused"): a workbook holding
    both kinds has a sheet for each, named by its heading, and both are read back."""
    from psa_report.shape import default_plan_text

    root = tmp_path / "plan"
    shutil.copytree(REPO / "actions", root / "actions")
    (root / "actions/plan.yaml").write_text(default_plan_text().replace(
        "     label: {en: Off track, cy: Oddi ar y trywydd}}\n",
        "     label: {en: Off track, cy: Oddi ar y trywydd}}\n"
        "  - {name: paused, colour: grey}\n"), encoding="utf-8")
    r1 = root / "actions/recommendations/R1.yaml"
    text = r1.read_text(encoding="utf-8")
    r1.write_text(text.replace("\nupdate:", "\nlead: Police\nupdate:", 1), encoding="utf-8")
    result = run(runner, "requests", "--project", str(root))
    assert result.exit_code == 0, result.output
    sent = root / "out/requests/Police-update-request.xlsx"
    book = load_workbook(sent)
    assert book.sheetnames == ["Instructions", "Data requirements", "Recommendations",
                               "Issued"]
    gaps, recs = book["Data requirements"], book["Recommendations"]
    assert [c.value for c in recs[1]] == [
        "Ref", "Recommendation", "Lead", "Current Update", "Current Status", "Current Due",
        "New Update", "New Status", "New Due"]
    assert recs.cell(2, 1).value == "R1"
    gap_header = [c.value for c in gaps[1]]
    gaps.cell(2, gap_header.index("New Status") + 1).value = "Paused"
    recs.cell(2, 8).value = "on track"
    recs.cell(2, 7).value = "Agreed at the January board."
    returns = tmp_path / "returns"
    returns.mkdir()
    book.save(returns / sent.name)
    applied = run(runner, "collect", str(returns), "--project", str(root), "--apply")
    assert applied.exit_code == 0, applied.output
    assert "status: paused" in (root / f"actions/data-gaps/{gaps.cell(2, 1).value}.yaml"
                                ).read_text(encoding="utf-8")
    after = r1.read_text(encoding="utf-8")
    assert "update: Agreed at the January board.\n" in after
    checked = run(runner, "check", "--project", str(root))
    assert checked.exit_code == 0, checked.output
    assert "1 paused" in checked.stdout


def test_a_return_fills_in_numbers_and_yes_no_fields_of_a_plans_own(runner, fenland, tmp_path):
    edit(fenland, "actions/plan.yaml",
         "{name: target, label: Target, type: number, required: false}",
         "{name: target, label: Target, type: number, required: false, partners: true}\n"
         "      - {name: funded, label: Funded, type: yes-no, required: false, "
         "partners: true}")
    assert run(runner, "requests", "--project", str(fenland)).exit_code == 0
    sent = fenland / "out/requests/Council-update-request.xlsx"
    book = load_workbook(sent)
    sheet = book["Updates"]
    header = [cell.value for cell in sheet[1]]
    assert header[-4:] == ["New Target", "New Funded", "New Progress update", "New RAG"]
    assert sheet.cell(2, header.index("Current Target") + 1).value == "1,200"
    assert [v.formula1 for v in sheet.data_validations.dataValidation][0] == '"yes,no"'
    sheet.cell(2, header.index("New Target") + 1).value = 1500  # a number cell
    sheet.cell(2, header.index("New Funded") + 1).value = "Yes"
    sheet.cell(2, header.index("New RAG") + 1).value = "amber"  # as it is: no change
    returns = tmp_path / "returns"
    returns.mkdir()
    book.save(returns / sent.name)
    applied = run(runner, "collect", str(returns), "--project", str(fenland), "--apply")
    assert applied.exit_code == 0, applied.output
    assert "rag:" not in applied.stdout
    text = (fenland / "actions/actions/1.1.2.yaml").read_text(encoding="utf-8")
    assert "target: 1500\n" in text and text.endswith("rag: Amber\nfunded: yes\n")
    assert run(runner, "check", "--project", str(fenland)).exit_code == 0


def test_set_changes_any_field_of_a_declared_kind_by_its_name(runner, fenland):
    path = fenland / "actions/actions/1.1.2.yaml"
    before = path.read_text(encoding="utf-8")
    done = run(runner, "set", "1.1.2", "--progress", "Forty staff trained.", "--target=60",
               "--rag", "Green", "--project", str(fenland))
    assert done.exit_code == 0, done.output
    after = path.read_text(encoding="utf-8")
    assert after == (before.replace("progress: The course is written; the first sessions "
                                    "are booked.", "progress: Forty staff trained.")
                     .replace("target: 1,200", "target: 60").replace("rag: Amber", "rag: green"))
    wrong = run(runner, "set", "1.1.2", "--targit", "5", "--project", str(fenland))
    assert wrong.exit_code == 1
    assert "--targit: an action has no field 'targit'. Did you mean --target?" in wrong.stderr
    assert path.read_text(encoding="utf-8") == after
    usage = run(runner, "set", "1.1.2", "--progress", "--project", str(fenland))
    assert usage.exit_code != 0


def test_an_overdue_item_with_no_status_builds_and_the_totals_add_up(runner, project):
    """A tracker with blank statuses on overdue rows (status_required: false): the summary
    has a "No status" column, its totals are the sum of its columns, and the overdue list
    shows a plain cell, in HTML, PDF and Word; check counts every item."""
    (project / "actions/plan.yaml").write_text(
        default_plan_text().replace("status_required: true", "status_required: false"),
        encoding="utf-8")
    edit(project, "actions/data-gaps/3.2.5.yaml", "due: 2010-09", "due: 2010-01")
    path = project / "actions/data-gaps/3.2.5.yaml"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8")
                            .splitlines(keepends=True) if not line.startswith("status:")),
                    encoding="utf-8")
    checked = run(runner, "check", "--project", str(project))
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip().endswith("3 off track, 1 with no status).")
    built = run(runner, "build", "--project", str(project), "--format", "all")
    assert built.exit_code == 0, built.output
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    summary = html.split('id="summary"')[1].split("</table>")[0]
    assert ">No status<" in summary
    first = re.search(r"<tr>\s*<th[^>]*>All data gaps and recommendations</th>(.*?)</tr>",
                      summary, re.S)
    numbers = [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", first[1])]
    assert sum(numbers[:-1]) == numbers[-1] == 15, numbers
    overdue = html.split('id="overdue-caption"')[1].split("</table>")[0]
    assert "3.2.5" in overdue
    for name, text in texts(project / "out").items():
        assert "No status" in text, name
    # its own row still says when it was due and how late it is, and that it has no status
    row = html.split('id="data-gap-3-2-5"')[1].split("</tr>")[0]
    cell = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.split('class="status-cell"')[1]))
    assert "No status" in cell and "Due January 2010" in cell and "Overdue by" in cell, cell
    document = docx.Document(str(project / "out/progress-report.docx"))
    cells = next(r.cells for t in document.tables for r in t.rows if r.cells[0].text == "3.2.5")
    assert "No status" in cells[-1].text and "Due January 2010" in cells[-1].text, \
        [c.text for c in cells]


def test_the_reports_lists_of_every_kind_are_headed_in_the_plans_words(runner, fenland):
    """The overdue table, the status summary and the exceptions name the plan's own lead,
    status and deadline labels and its done status, in HTML, PDF and Word (issue 27)."""
    edit(fenland, "actions/plan.yaml", "{name: lead, label: Lead, type: agencies}",
         "{name: lead, label: Lead partner, type: agencies}")
    edit(fenland, "actions/plan.yaml", "{name: complete, colour: blue, done: true}",
         "{name: delivered, colour: blue, done: true}")
    built = run(runner, "build", "--project", str(fenland), "--format", "all")
    assert built.exit_code == 0, built.output
    html = (fenland / "out/progress-report.html").read_text(encoding="utf-8")
    overdue = html.split('id="overdue-caption"')[1].split("</thead>")[0]
    assert re.findall(r'<th scope="col">([^<]*)</th>', overdue) == [
        "Ref", "Lead partner", "Timescale", "Days overdue", "RAG"]
    summary = html.split('id="summary-caption"')[1].split("</thead>")[0]
    assert re.findall(r'<th scope="col">([^<]*)</th>', summary)[0] == "Lead partner"
    for name, text in texts(fenland / "out").items():
        assert "Actions not delivered whose deadline has passed" in text, name
        assert "(Lead partner: " in text, name  # an exception's leads
        assert "not complete" not in text and "All actions" in text, name  # its one kind


def test_the_exception_reports_cover_names_the_plans_statuses_and_kinds(runner, fenland):
    built = run(runner, "build", "--project", str(fenland), "--exceptions-only")
    assert built.exit_code == 0, built.output
    html = (fenland / "out/progress-report-exceptions.html").read_text(encoding="utf-8")
    assert "it shows only the actions that are red, amber or overdue, or worse since the " \
           "last meeting" in html
    assert "The full report, with all actions (3 in all)," in html
    assert "off track" not in html and "at risk" not in html


def test_the_request_email_names_the_plans_done_status(runner, fenland):
    """"...that are not yet delivered": the e-mail says what the workbook's items are not
    yet by the plan's own done status, not the tool's "complete"."""
    edit(fenland, "actions/plan.yaml", "{name: complete, colour: blue, done: true}",
         "{name: delivered, colour: blue, done: true}")
    result = run(runner, "requests", "--project", str(fenland), "--email")
    assert result.exit_code == 0, result.output
    draft = (fenland / "out/requests/Police-update-request.eml").read_bytes().decode(
        "utf-8", "replace")
    text = " ".join(draft.replace("=\n", "").split())
    assert "not yet delivered" in text and "not yet complete" not in text
