"""import, new, list, show, schema and the pre-commit hook."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO, SEED_COPY, run
from hypothesis import given, settings
from hypothesis import strategies as st

from psa_report.chars import refused
from psa_report.loader import load_text
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.scaffold import json_schemas, kind_schema, schema_name, yaml_field


@pytest.fixture
def empty(project: Path) -> Path:
    """A project with its report and agencies but no data gap yet."""
    shutil.rmtree(project / "actions/data-gaps")
    (project / "actions/data-gaps").mkdir()
    return project


def seed_table(tmp_path: Path) -> Path:
    """The seed's own data-requirements table, tab-separated as in the Word document."""
    lines = SEED_COPY.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("Ref\t") or
            re.match(r"\d+\.\d+\.\d+\t", line)]
    assert len(rows) == 11
    table = tmp_path / "seed-table.tsv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return table


# ---------------------------------------------------------------- import

def test_importing_the_seed_table_gives_the_shipped_data_gaps(runner, empty, tmp_path):
    result = run(runner, "import", "--project", str(empty), str(seed_table(tmp_path)),
                 "--status", "not started")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ("wrote actions/data-gaps/3.2.1.yaml (3.2.1, from "
                                             "line 2)")
    assert result.output.endswith("imported 10 data gaps; `psa-report check` passes.\n")
    imported, shipped = load_project(empty), load_project(REPO)
    gaps = imported.kind_items["data gap"]
    assert [g.ref for g in gaps] == [g.ref for g in shipped.kind_items["data gap"]]
    for new, old in zip(gaps, shipped.kind_items["data gap"]):
        for name in ("gap", "lead", "action", "update"):
            assert getattr(new, name) == getattr(old, name), (new.ref, name)
        assert new.status.value == "not started"
    assert run(runner, "check", "--project", str(empty)).exit_code == 0
    text = (empty / "actions/data-gaps/4.2.3.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/data-gap.schema.json\n")
    assert "lead:\n  - SBC\n  - Police\n  - Probation\n" in text


def test_empty_status_cells_need_a_decision(runner, empty, tmp_path):
    result = run(runner, "import", "--project", str(empty), str(seed_table(tmp_path)))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith("seed-table.tsv:2: row 3.2.1: the Status cell is empty: fill it "
                             "in, or give --status to use one status (such as 'not started') "
                             "for every empty cell")
    assert lines[-1] == "10 problems found; nothing was changed."
    assert list((empty / "actions/data-gaps").iterdir()) == []


QUOTED = ('Ref,Data gap,Lead,Action,Update,Status,Due\n'
          '6.1.1,"A gap with a comma, ""quotes"" and\nsecond paragraph",SBC Police,'
          '"Action: with colon # and hash",Update,at risk,2011-03\n'
          '\n'
          '6.1.2,Another gap,"A&E, JSU",Act,"Line one\nLine two",green,\n')


# The same table as Excel puts it on the clipboard: tab-separated, multi-line cells quoted.
QUOTED_TSV = ('Ref\tData gap\tLead\tAction\tUpdate\tStatus\tDue\n'
              '6.1.1\t"A gap with a comma, ""quotes"" and\nsecond paragraph"\tSBC Police\t'
              'Action: with colon # and hash\tUpdate\tat risk\t2011-03\n'
              '\n'
              '6.1.2\tAnother gap\tA&E, JSU\tAct\t"Line one\nLine two"\tgreen\t\n')


@pytest.mark.parametrize("text", [QUOTED, QUOTED_TSV], ids=["csv", "tab-separated"])
def test_quoted_multi_line_cells(runner, empty, tmp_path, text):
    table = tmp_path / "pasted.txt"
    table.write_text(text, encoding="utf-8")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 0, result.output
    assert "wrote actions/data-gaps/6.1.2.yaml (6.1.2, from line 5)" in result.output
    project = load_project(empty)
    first, second = project.kind_items["data gap"]
    assert first.gap == 'A gap with a comma, "quotes" and\nsecond paragraph'
    assert first.action == "Action: with colon # and hash"
    assert first.lead == ["SBC", "Police"] and str(first.due) == "2011-03"
    assert second.lead == ["A&E", "JSU"] and second.status.value == "on track"
    assert second.update == "Line one\nLine two"


def test_unknown_agency_is_reported_at_its_table_line_not_guessed(runner, empty, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("Ref,Data gap,Lead,Action,Update,Status\n"
                     "6.1.1,Gap,SBC Polce,Act,Upd,at risk\n"
                     "6.1.2,Gap,SBC,Act,Upd,at risk\n")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 1
    assert (f"{table}:2: row 6.1.1: Lead: 'SBC Polce' names no known agency at 'polce'. "
            "Did you mean 'Police'?") in result.stderr
    assert "field" not in result.stderr
    assert list((empty / "actions/data-gaps").iterdir()) == []


def test_import_never_overwrites(runner, project, tmp_path):
    before = (project / "actions/data-gaps/3.2.1.yaml").read_bytes()
    result = run(runner, "import", "--project", str(project), str(seed_table(tmp_path)),
                 "--status", "at risk")
    assert result.exit_code == 1
    assert ("row 3.2.1: actions/data-gaps/3.2.1.yaml already exists, and import never "
            "overwrites a file") in result.stderr
    assert (project / "actions/data-gaps/3.2.1.yaml").read_bytes() == before


def test_a_bad_table_header_is_explained(runner, empty, tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("Ref\tGap\tOwner\tAction\tUpdate\tStatus\n")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 1
    assert "column 3 is headed 'Owner'" in result.stderr


def test_every_problem_of_a_table_is_reported_in_one_run(runner, empty, tmp_path):
    """Each unknown or repeated column, and in each row every empty or wrong cell: the
    empty Status with the empty Update beside it, not one run per problem."""
    table = tmp_path / "t.csv"
    table.write_text("Ref,Data gap,Owner,Lead,Action,Update,Status,Notes,status\n"
                     "6.1.1,Gap,x,SBC,Act,,,n,\n"
                     "6.1.2,Gap,x,Polce,Act,Upd,sideways,n,\n"
                     "6.1.3,Gap,x,SBC,Act,Upd,at risk,n,\n")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 1
    problems = [line.split(": ", 1)[1] for line in result.stderr.splitlines()[:-1]]
    assert [p.split(",")[0].split(":")[0] for p in problems] == [
        "column 3 is headed 'Owner'", "column 8 is headed 'Notes'",
        "column 9 is headed 'status'", "row 6.1.1", "row 6.1.1", "row 6.1.2", "row 6.1.2"]
    assert "as column 7 is ('Status'): keep one of the two columns" in problems[2]
    assert problems[3].endswith("the Status cell is empty: fill it in, or give --status to "
                                "use one status (such as 'not started') for every empty cell")
    assert problems[4] == "row 6.1.1: the Update cell is empty: fill it in"
    assert "Lead: 'Polce' names no known agency at 'polce'. Did you mean 'Police'?" \
        in problems[5]
    assert "'sideways' is not a status" in problems[6]
    assert result.stderr.splitlines()[-1] == "7 problems found; nothing was changed."
    assert list((empty / "actions/data-gaps").iterdir()) == []


def test_a_header_missing_columns_says_so_with_its_unknown_ones(runner, empty, tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("Ref\tGap\tOwner\tAction\tUpdate\tState\n6.1.1\tGap\tSBC\tAct\tUpd\tx\n")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "column 3 is headed 'Owner'" in lines[0] and "column 6 is headed 'State'" in lines[1]
    assert lines[2].endswith("the header has no column for Lead, Status: a table of data "
                             "gaps needs Ref, Data gap, Lead, Action, Update and Status (and "
                             "optionally Due)")
    assert lines[3] == "3 problems found; nothing was changed."


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
               max_size=300))
def test_any_text_is_written_so_it_reads_back_exactly(text):
    """...or, if it holds a character no text may (psa_report.chars), is refused."""
    written = yaml_field("update", text)
    if refused(text) is None:
        assert load_text(written, "x.yaml").data == {"update": text}
    else:
        with pytest.raises(Invalid, match="the text holds U\\+"):
            load_text(written, "x.yaml")


def test_long_plain_text_is_written_as_a_wrapped_folded_block():
    text = " ".join(["word"] * 60)
    written = yaml_field("update", text)
    assert written.startswith("update: >-\n  word word")
    assert max(len(line) for line in written.splitlines()) <= 88


# ---------------------------------------------------------------- new

def test_new_data_gap_takes_the_next_free_ref_and_is_valid(runner, project):
    result = run(runner, "new", "data-gap", "--project", str(project))
    assert result.output == ("5.2.3 is the next free ref in the last section (--section N.N "
                             "for another).\nwrote actions/data-gaps/5.2.3.yaml: fill in its "
                             "text, then run `psa-report check`.\nwrote "
                             "schema/data-gap.schema.json: the schema an editor checks the "
                             "new file against (its first line names it); `psa-report "
                             "schema` writes them all\n")
    text = (project / "actions/data-gaps/5.2.3.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/data-gap.schema.json")
    assert 'ref: "5.2.3"\n' in text and 'gap: "Describe the data gap here."\n' in text
    assert "# Status: one of complete, on track, at risk, not started, off track\n" in text
    assert run(runner, "check", "--project", str(project)).exit_code == 0
    assert "4.2.4.yaml" in run(runner, "new", "data-gap", "--section", "4.2", "--project",
                               str(project)).output
    assert "R6.yaml" in run(runner, "new", "recommendation", "--project", str(project)).output
    assert "9.1.1.yaml" in run(runner, "new", "data-gap", "9.1.1", "--project",
                               str(project)).output
    checked = run(runner, "check", "--project", str(project))
    assert checked.exit_code == 0
    assert checked.stdout.startswith("OK: 13 data gaps, 6 recommendations")
    # The untouched skeletons are valid, but their placeholder text is warned about,
    # at its line, and --strict refuses it.
    assert ("actions/data-gaps/5.2.3.yaml:6:6: warning: gap: still the example text "
            "'Describe the data gap here.'") in checked.stderr
    assert "actions/recommendations/R6.yaml:6:17: warning: recommendation:" in checked.stderr
    strict = run(runner, "check", "--strict", "--project", str(project))
    assert strict.exit_code == 1 and "--strict makes them errors" in strict.stderr
    built = run(runner, "build", "--strict", "--format", "html", "--project", str(project))
    assert built.exit_code == 1 and "(an error with --strict)" in built.stderr
    assert not (project / "out").exists()


def test_new_never_overwrites_and_checks_the_ref(runner, project):
    before = (project / "actions/data-gaps/3.2.1.yaml").read_bytes()
    taken = run(runner, "new", "data-gap", "3.2.1", "--project", str(project))
    assert taken.exit_code == 2 and "3.2.1 is already used by" in taken.output
    assert (project / "actions/data-gaps/3.2.1.yaml").read_bytes() == before
    (project / "actions/recommendations/R6.yaml").write_text("not yet valid\n")
    clash = run(runner, "new", "recommendation", "R7", "--project", str(project))
    assert clash.exit_code == 1  # the plan itself is invalid: fix that first
    bad = run(runner, "new", "recommendation", "3.2.9", "--project", str(REPO))
    assert bad.exit_code == 2 and "not a recommendation ref" in bad.output


# ---------------------------------------------------------------- list and show

def test_list_filters_and_formats(runner):
    result = run(runner, "list", "--project", str(REPO), "--lead", "SBC", "--status", "amber",
                 "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == []
    records = json.loads(run(runner, "list", "--project", str(REPO), "--status", "off track",
                             "--format", "json").output)
    assert [r["ref"] for r in records] == ["3.2.1", "3.2.2", "4.2.2"]
    assert records[0] == {"ref": "3.2.1", "kind": "data gap", "lead": ["Police"],
                          "status": "off track", "due": None,
                          "file": "actions/data-gaps/3.2.1.yaml"}
    table = run(runner, "list", "--project", str(REPO), "--lead", "SBC").output
    assert table.splitlines()[-1] == "5 of 15: 5 data gaps."
    assert re.search(r"3\.2\.5\s+data gap\s+SBC\s+on track\s+2010-09", table)
    csv_text = run(runner, "list", "--project", str(REPO), "--format", "csv").output
    assert csv_text.splitlines()[0] == "ref,kind,lead,status,due"
    assert len(csv_text.splitlines()) == 16
    assert run(runner, "list", "--project", str(REPO), "--status", "done").exit_code == 2
    assert run(runner, "list", "--project", str(REPO), "--lead", "Nobody").exit_code == 2


def test_show(runner):
    result = run(runner, "show", "4.2.3", "--project", str(REPO))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "4.2.3 (data gap): actions/data-gaps/4.2.3.yaml"
    # Every field under its label, in the kind's order; running text below its label.
    assert lines[1:4] == ["", "Data gap:", "  Analysis into re-offending should be "
                          "considered in the coming year."]
    assert lines[4].startswith("Lead: SBC (Stockton-on-Tees Borough Council), Police (")
    assert lines[-2:] == ["Status: On track", "Due: none given"]
    assert "Research into High Crime Causers" in result.output
    missing = run(runner, "show", "3.2.9", "--project", str(REPO))
    assert missing.exit_code == 2 and "Did you mean" in missing.output


# ---------------------------------------------------------------- schema and editors

def test_the_committed_schema_is_the_one_the_models_make(runner, tmp_path):
    result = run(runner, "schema", "--project", str(REPO), "--out", str(tmp_path))
    assert result.exit_code == 0
    made = {p.name: p.read_text() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_text() for p in (REPO / "schema").iterdir()}
    assert made == committed
    # The plan's own files, and one schema for each kind of the plan, named by the kind.
    shape = load_project(REPO).shape
    kinds = {f"{schema_name(k)}.schema.json": kind_schema(k, shape) for k in shape.kinds}
    assert set(kinds) == {"data-gap.schema.json", "recommendation.schema.json"}
    assert set(made) == set(json_schemas()) | set(kinds)
    assert all(json.loads(made[name]) == schema for name, schema in kinds.items())
    assert all(made[name] == text for name, text in json_schemas().items())


def test_every_shipped_file_names_a_schema_that_accepts_it():
    for path in sorted((REPO / "actions").rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        schema_file = (path.parent / match[1]).resolve()
        assert schema_file.parent == REPO / "schema"
        schema = json.loads(schema_file.read_text())
        # Editors see the values as YAML 1.2 reads them: dates and refs as strings.
        data = load_text(path.read_text(), str(path)).data
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"ref": "3.2", "status": "finished"},
                            json.loads((REPO / "schema/data-gap.schema.json").read_text()))



def test_the_schemas_and_the_checks_come_from_one_table_of_fields():
    """report.yaml's and agencies.yaml's schemas say what their checks say: the same
    required fields, an optional field left empty, an agency named in two languages or
    with its details; a record read is frozen."""
    from psa_report.bilingual import LANGUAGES
    from psa_report.models import AgencyEntry, Refused, Report
    from psa_report.shape import read_agencies

    schemas = {name: json.loads(text) for name, text in json_schemas().items()}
    with pytest.raises(Refused) as refused:
        Report.read({})
    missing = [loc[0] for loc, kind, _ in refused.value.errors if kind == "missing"]
    assert missing == schemas["report.schema.json"]["required"]
    assert [f.name for f in Report.FIELDS] == list(schemas["report.schema.json"]["properties"])
    report = load_text((REPO / "actions/report.yaml").read_text() + "population:\n", "r").data
    jsonschema.validate(report, schemas["report.schema.json"])
    assert Report.read(report).population is None
    with pytest.raises(AttributeError):
        Report.read(report).title = "Changed"

    text = ("SBC: {en: Stockton Council, cy: Cyngor Stockton}\n"
            "Police: {name: Cleveland Police, email: a@police.example.org}\n")
    token = LANGUAGES.set(("en", "cy"))
    try:
        names, problems = read_agencies(load_text(text, "agencies.yaml"))
    finally:
        LANGUAGES.reset(token)
    assert problems == [] and names == {"SBC": "Stockton Council", "Police": "Cleveland Police"}
    agencies = schemas["agencies.schema.json"]
    jsonschema.validate(yaml.safe_load(text), agencies)
    assert list(agencies["$defs"]["AgencyEntry"]["properties"]) == [
        f.name for f in AgencyEntry.FIELDS]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"Police": {"name": "Cleveland Police", "phone": "999"}}, agencies)


# ---------------------------------------------------------------- pre-commit

def test_pre_commit_hook_definitions():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks == [{"id": "psa-report-check", "name": "psa-report check",
                      "description": hooks[0]["description"], "entry": "psa-report check",
                      "language": "python", "pass_filenames": False, "files": "^actions/"}]
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    assert hook["id"] == "psa-report-check" and hook["files"] == "^actions/"
    # The local hook's command works from the repository root, as pre-commit runs it.
    done = subprocess.run([sys.executable, *hook["entry"].split()[1:]], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 10 data gaps")


def test_every_problem_in_a_table_at_once_in_its_own_words(runner, empty, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("Ref,Data gap,Lead,Action,Update,Status,Due\n"
                     "6.1.1,,SBC,Act,Upd,at risk,\n"
                     "6.1.2,Gap,SBC,Act,Upd,nearly,\n"
                     "6.1.3,Gap,,Act,Upd,on track,someday\n"
                     "6.1.4,Gap,SBC,Act,Upd,on track,x,extra\n")
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"{table}:2: row 6.1.1: the Data gap cell is empty: fill it in",
        f"{table}:3: row 6.1.2: Status: 'nearly' is not a status: use one of complete, on "
        "track, at risk, not started, off track (or blue, green, amber, red)",
        f"{table}:4: row 6.1.3: Due: 'someday' is not a date this tool can read: write it "
        "as 2010-09-30, 30/09/2010 (day first), 30 September 2010 (or 30 Sept 2010), or a "
        "month alone: 2010-09, September 2010 or Sep 2010; or a quarter of the financial "
        "year (Q3 2024/25), a financial year (2024/25), or ongoing (never overdue)",
        f"{table}:4: row 6.1.3: the Lead cell is empty: name the lead agency (or several, "
        "separated by spaces or commas)",
        f"{table}:5: this row has 8 cells but the header has 7 columns: check for a tab or "
        "comma inside a cell that is not quoted",
        "5 problems found; nothing was changed."]
    assert "add a line" not in result.stderr and "field" not in result.stderr


def test_windows_line_breaks_in_cells_become_plain_ones(runner, empty, tmp_path):
    table = tmp_path / "t.csv"
    table.write_bytes(b'Ref,Data gap,Lead,Action,Update,Status\r\n'
                      b'6.1.1,"First line\r\nSecond line",SBC,Act,"Upd\r\n\r\nMore",on track\r\n')
    result = run(runner, "import", "--project", str(empty), str(table))
    assert result.exit_code == 0, result.output
    gap = load_project(empty).kind_items["data gap"][0]
    assert gap.gap == "First line\nSecond line" and gap.update == "Upd\n\nMore"
    text = (empty / "actions/data-gaps/6.1.1.yaml").read_text(encoding="utf-8")
    assert "\\u000d" not in text and "\r" not in text


def test_recommendations_can_be_imported(runner, project, tmp_path):
    table = tmp_path / "recs.tsv"
    table.write_text("Ref\tRecommendation\tUpdate\tStatus\tLead\n"
                     "R6\tShare the night-time economy data.\tAgreed in May.\tgreen\tPolice\n"
                     "R7\tReview the plan yearly.\tNot yet begun.\tnot started\t\n")
    result = run(runner, "import", "--project", str(project), str(table))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("imported 2 recommendations; `psa-report check` passes.\n")
    r6, r7 = load_project(project).kind_items["recommendation"][-2:]
    assert (r6.ref, r6.lead, r6.status.value) == ("R6", ["Police"], "on track")
    assert (r7.ref, r7.lead) == ("R7", [])
    text = (project / "actions/recommendations/R6.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/recommendation")
