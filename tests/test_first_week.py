"""An analyst's first week: starting a plan, finding the project, words a user reads."""

from __future__ import annotations

import json
import re
import shutil

from conftest import REPO, run

from psa_report.project import load_project


def test_init_writes_a_valid_commented_project(runner, tmp_path):
    folder = tmp_path / "new-plan"
    result = run(runner, "init", str(folder))
    assert result.exit_code == 0, result.output
    for name in ("actions/report.yaml", "actions/agencies.yaml",
                 "actions/data-gaps/1.1.1.yaml", "actions/recommendations/R1.yaml",
                 ".gitignore", "schema/data-gap.schema.json"):
        assert (folder / name).is_file(), name
        assert f"wrote {name}" in result.stdout
    project = load_project(folder)
    assert [g.ref for g in project.kind_items["data gap"]] == ["1.1.1"]
    assert [r.ref for r in project.kind_items["recommendation"]] == ["R1"]
    assert (folder / "actions/plan.yaml").is_file()  # the plan's shape, spelt out
    assert "out/" in (folder / ".gitignore").read_text()
    report = (folder / "actions/report.yaml").read_text()
    assert report.startswith("# yaml-language-server: $schema=../schema/report.schema.json\n")
    assert report.count("\n# ") >= 8  # commented for a first-time user
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0 and checked.stdout.startswith(
        "OK: 1 data gap, 1 recommendation (2 not started).")
    assert "still the example text" in checked.stderr
    assert run(runner, "build", "--format", "html", "--project", str(folder)).exit_code == 0
    again = run(runner, "init", str(folder))
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_check_warns_about_every_example_text_init_writes(runner, tmp_path):
    """Every text `init` writes for the user to replace is a warning, at its line, in
    report.yaml and agencies.yaml as in the items, so `check --strict` refuses a new
    project; replacing them all makes it pass."""
    folder = tmp_path / "new-plan"
    assert run(runner, "init", str(folder)).exit_code == 0
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0
    warned = {}
    for line in checked.stderr.splitlines():
        found = re.match(r"(actions/[\w./-]+):(\d+):\d+: warning: ([^:]+):", line)
        if found:
            warned[(found[1], found[3])] = int(found[2])
    report = (folder / "actions/report.yaml").read_text().splitlines()
    agencies = (folder / "actions/agencies.yaml").read_text().splitlines()
    gap = (folder / "actions/data-gaps/1.1.1.yaml").read_text().splitlines()
    rec = (folder / "actions/recommendations/R1.yaml").read_text().splitlines()

    def line_of(lines: list[str], text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if text in line)

    assert warned == {
        ("actions/report.yaml", "partnership"): line_of(report, "Our Community Safety"),
        ("actions/report.yaml", "meeting"): line_of(report, "meeting: Community Safety"),
        ("actions/report.yaml", "sections"): line_of(report, "Example section"),
        ("actions/report.yaml", "paragraphs"): line_of(report, "Members are asked"),
        ("actions/agencies.yaml", "Council"): line_of(agencies, "The Borough Council"),
        ("actions/agencies.yaml", "Police"): line_of(agencies, "The Police"),
        ("actions/data-gaps/1.1.1.yaml", "gap"): line_of(gap, 'gap: "Describe'),
        ("actions/data-gaps/1.1.1.yaml", "action"): line_of(gap, 'action: "Describe'),
        ("actions/data-gaps/1.1.1.yaml", "update"): line_of(gap, 'update: "Write'),
        ("actions/recommendations/R1.yaml", "recommendation"): line_of(rec, "Describe"),
        ("actions/recommendations/R1.yaml", "update"): line_of(rec, 'update: "Write'),
    }, checked.stderr
    # Both covering paragraphs are examples; each is named.
    assert "paragraph 1 is still the example text" in checked.stderr
    assert "paragraph 2 is still the example text" in checked.stderr
    assert "'The Police' that psa-report wrote" in checked.stderr
    strict = run(runner, "check", "--strict", "--project", str(folder))
    assert strict.exit_code == 1 and "12 warnings, and --strict makes them errors." in strict.stderr

    # Written in: no warning left.
    for path, old, new in (
            ("actions/report.yaml", "Our Community Safety Partnership", "Safer Tees"),
            ("actions/report.yaml", "meeting: Community Safety Partnership",
             "meeting: Safer Tees Board"),
            ("actions/report.yaml", "Example section", "Victims"),
            ("actions/report.yaml", "This report details", "The report sets out"),
            ("actions/report.yaml", "Members are asked to review", "Members review"),
            ("actions/agencies.yaml", "The Borough Council", "Tees Borough Council"),
            ("actions/agencies.yaml", "The Police", "Cleveland Police"),
            ("actions/data-gaps/1.1.1.yaml", "Describe the data gap here.", "Victims' ages."),
            ("actions/data-gaps/1.1.1.yaml", "Describe the agreed action here.", "Ask."),
            ("actions/data-gaps/1.1.1.yaml", "Write the field's text here: Update.",
             "Begun."),
            ("actions/recommendations/R1.yaml", "Describe the recommendation here.",
             "Review.")):
        target = folder / path
        assert old in target.read_text(), (path, old)
        target.write_text(target.read_text().replace(old, new, 1))
    target = folder / "actions/recommendations/R1.yaml"  # its update, as its label words it
    target.write_text(re.sub(r"(?m)^update: .*$", 'update: "Agreed."', target.read_text()))
    clean = run(runner, "check", "--strict", "--project", str(folder))
    assert clean.exit_code == 0 and clean.stderr == "", clean.output


def test_commands_find_the_project_from_a_sub_folder(runner, project, monkeypatch):
    monkeypatch.chdir(project / "actions/data-gaps")
    result = run(runner, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 15
    assert result.stderr == f"Using the project in {project}\n"
    monkeypatch.chdir(project)
    here = run(runner, "check")
    assert here.exit_code == 0 and here.stderr == ""


def test_refs_and_agencies_in_any_case(runner, project):
    shown = run(runner, "show", "r5", "--project", str(project))
    assert shown.exit_code == 0 and shown.stdout.startswith("R5 (recommendation)")
    listed = run(runner, "list", "--lead", "sbc", "--format", "json", "--project", str(project))
    assert listed.exit_code == 0
    assert {r["ref"] for r in json.loads(listed.stdout)} >= {"3.2.2", "3.2.5"}
    wrong = run(runner, "show", "3.2.9", "--project", str(project))
    assert wrong.exit_code == 2 and "Did you mean" in wrong.stderr


def test_counts_are_worded_for_one_and_for_none(runner, project):
    for path in (project / "actions/recommendations").glob("*.yaml"):
        if path.name != "R1.yaml":
            path.unlink()
    one = run(runner, "check", "--project", str(project))
    assert ", 1 recommendation (" in one.stdout
    shutil.rmtree(project / "actions/data-gaps")
    (project / "actions/data-gaps").mkdir()
    (project / "actions/recommendations/R1.yaml").unlink()
    path = project / "actions/report.yaml"
    none = run(runner, "check", "--project", str(project))
    assert none.stdout == "OK: 0 data gaps, 0 recommendations.\n", none.output
    assert "()" not in none.stdout


def test_make_report_installs_the_tool_alone():
    """`make report` installs psa-report without the test tools; `make test` with them."""
    makefile = (REPO / "Makefile").read_text()
    tool = re.search(r"^\$\(TOOL\):.*?(?=^\S)", makefile, re.M | re.S)[0]
    tests = re.search(r"^\$\(TESTS\):.*?(?=^\S)", makefile, re.M | re.S)[0]
    assert re.search(r"\$\(PIP\) install \.( |$)", tool, re.M) and "[test]" not in tool
    assert "install -e '.[test]'" in tests
    assert re.search(r"^report: \$\(TOOL\)$", makefile, re.M)
    assert re.search(r"^test: \$\(TESTS\) test-deps$", makefile, re.M)
