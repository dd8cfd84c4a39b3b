"""Every command and option of the core CLI, on the shipped plan and on broken copies."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import REPO, edit, run

GAP = "actions/data-gaps/3.2.1.yaml"


def line_of(project: Path, relative: str, needle: str) -> int:
    lines = (project / relative).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# ---------------------------------------------------------------- check

def test_check_passes_on_the_shipped_plan_with_a_summary(runner):
    result = run(runner, "check", "--project", str(REPO))
    assert result.exit_code == 0, result.output
    assert result.output == ("OK: 10 data gaps, 5 recommendations (1 complete, 7 on track, "
                             "2 at risk, 2 not started, 3 off track).\n")


def test_check_works_in_the_current_folder(runner, project, monkeypatch):
    monkeypatch.chdir(project)
    result = run(runner, "check")
    assert result.exit_code == 0
    assert result.output.startswith("OK: 10 data gaps")


def test_unknown_lead_is_reported_at_its_line_and_column(runner, project):
    edit(project, GAP, "lead: Police", "lead: Polce")
    line = line_of(project, GAP, "lead: Polce")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{GAP}:{line}:7: lead: 'Polce' is not a known agency (SBC, Police, A&E, JSU, Court, "
        "Probation). Did you mean 'Police'? New agencies are added in actions/agencies.yaml")
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_one_bad_lead_among_several_points_at_its_own_line(runner, project):
    relative = "actions/data-gaps/4.2.3.yaml"
    edit(project, relative, "  - Police", "  - Polise")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    line = line_of(project, relative, "- Polise")
    assert result.stderr.startswith(f"{relative}:{line}:5: lead: 'Polise' is not a known agency")


def test_all_problems_are_reported_together(runner, project):
    edit(project, GAP, "status: off track", "status: purple")
    edit(project, "actions/data-gaps/5.2.2.yaml", "due: 2010-09", "due: 2010-02-30")
    edit(project, "actions/recommendations/R1.yaml", "update:", "updte:")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{GAP}:") and "'purple' is not a status: use one of complete, "
               "on track, at risk, not started, off track" in line for line in lines)
    assert any(line.startswith("actions/data-gaps/5.2.2.yaml:") and
               "'2010-02-30' is not a real date: February 2010 has 28 days" in line
               for line in lines)
    assert any(line.startswith("actions/recommendations/R1.yaml:") and
               "unknown field 'updte'. Did you mean 'update'?" in line for line in lines)
    assert any("missing field 'update'" in line for line in lines)
    assert lines[-1] == "4 problems found; nothing was changed."


def test_duplicate_key_is_an_error_not_a_silent_overwrite(runner, project):
    path = project / GAP
    path.write_text(path.read_text() + "status: complete\n")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    first = line_of(project, GAP, "status: off track")
    assert f"'status' is given twice in the same place (first on line {first})" in result.stderr


def test_duplicate_ref_names_both_files(runner, project):
    copy = project / "actions/data-gaps/sub/3.2.1.yaml"
    copy.parent.mkdir()
    copy.write_text((project / GAP).read_text())
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    line = line_of(project, GAP, "ref: 3.2.1")
    assert (f"actions/data-gaps/sub/3.2.1.yaml:{line}:6: ref: 3.2.1 is also the ref of "
            f"{GAP}:{line}") in result.stderr


def test_missing_actions_folder_is_explained(runner, tmp_path):
    result = run(runner, "check", "--project", str(tmp_path))
    assert result.exit_code == 1
    assert "there is no actions/ folder here" in result.stderr


def test_commands_that_print_no_pdf_never_import_weasyprint_or_jinja(tmp_path):
    code = ("import sys\nfrom psa_report.cli import main\n"
            "try:\n    main(sys.argv[1:])\n"
            "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
            "heavy = [m for m in ('weasyprint', 'jinja2') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    for command in (["check"], ["overdue"], ["list"], ["show", "3.2.1"],
                    ["schema", "--out", str(tmp_path)]):
        done = subprocess.run([sys.executable, "-c", code, *command, "--project", str(REPO)],
                              capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)


# ---------------------------------------------------------------- build

def test_build_writes_html_and_pdf_into_out(runner, project):
    result = run(runner, "build", "--project", str(project))
    assert result.exit_code == 0, result.output
    html, pdf = project / "out/progress-report.html", project / "out/progress-report.pdf"
    assert result.output == f"wrote {html}\nwrote {pdf}\n"
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_build_html_only_to_another_folder(runner, project, tmp_path):
    out = tmp_path / "elsewhere"
    result = run(runner, "build", "--project", str(project), "--format", "html", "--out",
                 str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["progress-report.html"]
    assert not (project / "out").exists()


def test_build_pdf_only(runner, project):
    result = run(runner, "build", "--project", str(project), "--format", "pdf")
    assert result.exit_code == 0
    assert sorted(p.name for p in (project / "out").iterdir()) == ["progress-report.pdf"]


def test_build_as_of_lists_the_overdue_actions(runner, project):
    result = run(runner, "build", "--project", str(project), "--format", "html",
                 "--as-of", "2010-10-01")
    assert result.exit_code == 0
    html = (project / "out/progress-report.html").read_text()
    assert "Overdue actions as at 1 October 2010" in html
    overdue = html.split('class="overdue-list"')[1].split("</table>")[0]
    assert [r for r in ("3.2.5", "5.2.2", "3.2.1") if f">{r}</th>" in overdue] == [
        "3.2.5", "5.2.2"]
    assert "Overdue by 1 day" in html


def test_build_defaults_to_the_report_date_for_overdue(runner, project):
    run(runner, "build", "--project", str(project), "--format", "html")
    html = (project / "out/progress-report.html").read_text()
    assert "No action is overdue as at 28 June 2010." in html


def test_build_refuses_invalid_data_and_writes_nothing(runner, project):
    edit(project, GAP, "lead: Police", "lead: Polce")
    result = run(runner, "build", "--project", str(project))
    assert result.exit_code == 1
    assert "'Polce' is not a known agency" in result.stderr
    assert not (project / "out").exists()


def test_build_usage_errors_exit_2(runner, project):
    for args in (["--format", "odt"], ["--as-of", "2010-13-01"], ["--as-of", "soon"],
                 ["--pdf-variant", "pdf/z-9"]):
        result = run(runner, "build", "--project", str(project), *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_project_templates_override_the_defaults_file_by_file(runner, project):
    (project / "templates").mkdir()
    (project / "templates/colophon.html").write_text(
        '<footer class="colophon"><p>Our own colophon</p></footer>\n')
    run(runner, "build", "--project", str(project), "--format", "html")
    html = (project / "out/progress-report.html").read_text()
    assert "<p>Our own colophon</p>" in html
    assert "Made with psa-report" not in html
    assert "Members will recall" in html  # the other templates are still the defaults


def test_a_broken_project_template_is_reported_at_its_line(runner, project):
    (project / "templates").mkdir()
    (project / "templates/colophon.html").write_text("<footer>\n{% if %}\n</footer>\n")
    result = run(runner, "build", "--project", str(project), "--format", "html")
    assert result.exit_code == 1
    assert result.stderr.startswith("templates/colophon.html:2: template error:")


# ---------------------------------------------------------------- overdue

def overdue_json(runner, *args):
    result = run(runner, "overdue", "--project", str(REPO), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_overdue_after_the_september_deadlines(runner):
    items = overdue_json(runner, "--as-of", "2010-10-01")
    assert [i["ref"] for i in items] == ["3.2.5", "5.2.2"]
    assert items[0] == {"ref": "3.2.5", "kind": "data gap", "lead": ["SBC"],
                        "due": "2010-09-30", "days_overdue": 1, "status": "on track"}


def test_nothing_overdue_before_the_deadlines(runner):
    assert overdue_json(runner, "--as-of", "2010-08-01") == []
    assert overdue_json(runner, "--as-of", "2010-09-30") == []  # due that day: not late


def test_overdue_defaults_to_today(runner):
    items = overdue_json(runner)
    expected = (date.today() - date(2010, 9, 30)).days
    assert [(i["ref"], i["days_overdue"]) for i in items] == [("3.2.5", expected),
                                                              ("5.2.2", expected)]


def test_overdue_sorts_most_overdue_first_and_skips_complete(runner, project):
    edit(project, "actions/data-gaps/5.2.2.yaml", "due: 2010-09", "due: 2010-07-15")
    path = project / "actions/recommendations/R2.yaml"
    path.write_text(path.read_text() + "due: 2010-07-01\n")  # R2 is complete
    path = project / "actions/recommendations/R5.yaml"
    path.write_text(path.read_text() + "due: 2010-08-01\n")
    result = run(runner, "overdue", "--project", str(project), "--as-of", "2010-10-01",
                 "--format", "json")
    assert [(i["ref"], i["days_overdue"]) for i in json.loads(result.output)] == [
        ("5.2.2", 78), ("R5", 61), ("3.2.5", 1)]


def test_overdue_by_lead(runner):
    assert [i["ref"] for i in overdue_json(runner, "--as-of", "2010-10-01", "--lead", "SBC")
            ] == ["3.2.5", "5.2.2"]
    assert overdue_json(runner, "--as-of", "2010-10-01", "--lead", "Police") == []


def test_overdue_unknown_lead_is_a_usage_error(runner):
    result = run(runner, "overdue", "--project", str(REPO), "--lead", "Polce")
    assert result.exit_code == 2
    assert "'Polce' is not a known agency" in result.output


def test_overdue_table_and_csv(runner):
    table = run(runner, "overdue", "--project", str(REPO), "--as-of", "2010-10-01")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split() == ["Ref", "Lead", "Due", "Days", "overdue",
                                                    "Status"]
    assert "5.2.2  SBC   2010-09-30  1             not started" in table.output
    assert table.output.endswith("2 overdue as at 2010-10-01.\n")
    empty = run(runner, "overdue", "--project", str(REPO), "--as-of", "2010-08-01")
    assert empty.output == "No action is overdue as at 2010-08-01.\n"
    result = run(runner, "overdue", "--project", str(REPO), "--as-of", "2010-10-01",
                 "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [["ref", "lead", "due", "days_overdue", "status"],
                    ["3.2.5", "SBC", "2010-09-30", "1", "on track"],
                    ["5.2.2", "SBC", "2010-09-30", "1", "not started"]]


def test_overdue_on_invalid_data_exits_1(runner, project):
    edit(project, GAP, "status: off track", "status: no")
    result = run(runner, "overdue", "--project", str(project))
    assert result.exit_code == 1
    assert "'no' is not a status" in result.stderr
