"""Git-native workflow, against real temporary repositories: provenance and changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import edit, git, run


@pytest.fixture
def moved_on(repo: Path) -> Path:
    """Three months later: statuses moved, a file renamed, one item removed, one added."""
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
    edit(repo, "actions/data-gaps/3.2.2.yaml", "No source of BME populations",
         "A source of BME populations")
    edit(repo, "actions/data-gaps/3.2.5.yaml", "due: 2010-09", "due: 2010-12")
    edit(repo, "actions/data-gaps/4.2.2.yaml", "lead: Court", "lead: [Court, Police]")
    (repo / "actions/data-gaps/section-4").mkdir()
    git(repo, "mv", "actions/data-gaps/4.2.1.yaml", "actions/data-gaps/section-4/4.2.1.yaml")
    git(repo, "rm", "-q", "actions/recommendations/R5.yaml")
    (repo / "actions/data-gaps/5.2.3.yaml").write_text(
        "ref: 5.2.3\ngap: Night-time economy data.\nlead: SBC\naction: Source it.\n"
        "update: Not yet begun.\nstatus: not started\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "September updates", when="2010-09-27")
    return repo


EXPECTED = [
    {"ref": "3.2.1", "kind": "data gap", "change": "changed",
     "fields": [{"field": "status", "old": "off track", "new": "on track"}],
     "path": "actions/data-gaps/3.2.1.yaml", "old_path": "actions/data-gaps/3.2.1.yaml"},
    {"ref": "3.2.2", "change": "changed", "fields": ["update"]},
    {"ref": "3.2.5", "change": "changed",
     "fields": [{"field": "due", "old": "2010-09", "new": "2010-12"}]},
    {"ref": "4.2.1", "change": "changed", "fields": [],
     "path": "actions/data-gaps/section-4/4.2.1.yaml",
     "old_path": "actions/data-gaps/4.2.1.yaml"},
    {"ref": "4.2.2", "change": "changed",
     "fields": [{"field": "lead", "old": "Court", "new": "Court, Police"}]},
    {"ref": "5.2.3", "kind": "data gap", "change": "added", "fields": [],
     "path": "actions/data-gaps/5.2.3.yaml", "old_path": None},
    {"ref": "R5", "kind": "recommendation", "change": "removed", "fields": [],
     "path": None, "old_path": "actions/recommendations/R5.yaml"},
]


def matches(found: dict, expected: dict) -> bool:
    for key, value in expected.items():
        if key == "fields" and value and isinstance(value[0], str):
            if [f["field"] for f in found["fields"]] != value:
                return False
        elif found[key] != value:
            return False
    return True


def test_changes_since_a_tag_field_by_field_with_a_rename_and_a_deletion(runner, moved_on):
    result = run(runner, "changes", "--project", str(moved_on), "--since", "ssp-2010-06",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["since"]["rev"] == "ssp-2010-06" and data["since"]["date"] == "2010-06-28"
    assert len(data["changes"]) == len(EXPECTED)
    for found, expected in zip(data["changes"], EXPECTED):
        assert matches(found, expected), (found, expected)
    update = data["changes"][1]["fields"][0]
    assert update["old"].startswith("No source") and update["new"].startswith("A source")


def test_changes_as_a_table_and_as_markdown(runner, moved_on):
    table = run(runner, "changes", "--project", str(moved_on), "--since", "HEAD~1").output
    assert table.splitlines()[0].startswith("Changes since HEAD~1 (")
    assert table.splitlines()[0].endswith("2010-06-28): 5 changed, 1 added, 1 removed.")
    assert re.search(r"3\.2\.1\s+changed\s+Status: off track → on track", table)
    assert re.search(r"3\.2\.2\s+changed\s+Update text changed", table)
    assert re.search(r"4\.2\.1\s+changed\s+file moved: actions/data-gaps/4\.2\.1\.yaml → "
                     r"actions/data-gaps/section-4/4\.2\.1\.yaml", table)
    assert re.search(r"R5\s+removed\s+actions/recommendations/R5\.yaml", table)
    markdown = run(runner, "changes", "--project", str(moved_on), "--since", "ssp-2010-06",
                   "--format", "markdown").output
    assert "| 3.2.5 | changed | Due: 2010-09 → 2010-12 |" in markdown
    assert "| 5.2.3 | added | actions/data-gaps/5.2.3.yaml |" in markdown


def test_changes_since_a_date(runner, moved_on):
    result = run(runner, "changes", "--project", str(moved_on), "--since-date", "2010-07-01",
                 "--format", "json")
    data = json.loads(result.output)
    assert data["since"]["rev"] == "the last commit before 2010-07-01"
    assert len(data["changes"]) == len(EXPECTED)
    early = run(runner, "changes", "--project", str(moved_on), "--since-date", "2010-01-01")
    assert early.exit_code == 1
    assert "no commit was made before 2010-01-01" in early.stderr


def test_uncommitted_edits_are_part_of_the_changes(runner, repo):
    edit(repo, "actions/recommendations/R1.yaml", "status: not started", "status: on track")
    data = json.loads(run(runner, "changes", "--project", str(repo), "--since", "HEAD",
                          "--format", "json").output)
    assert [(c["ref"], c["fields"][0]["new"]) for c in data["changes"]] == [("R1", "on track")]


def test_changes_usage_and_bad_revisions(runner, repo, project):
    assert run(runner, "changes", "--project", str(repo)).exit_code == 2
    assert run(runner, "changes", "--project", str(repo), "--since", "HEAD",
               "--since-date", "2010-01-01").exit_code == 2
    bad = run(runner, "changes", "--project", str(repo), "--since", "ssp-2099-01")
    assert bad.exit_code == 1
    assert "'ssp-2099-01' is not a tag, branch or commit of this repository" in bad.stderr


def test_changes_outside_git_is_explained(runner, project):
    result = run(runner, "changes", "--project", str(project), "--since", "HEAD")
    assert result.exit_code == 1
    assert "not in a git repository" in result.stderr


def test_an_old_revision_that_does_not_validate_names_the_revision(runner, repo):
    edit(repo, "actions/data-gaps/3.2.1.yaml", "lead: Police", "lead: Polce")
    git(repo, "commit", "-q", "-am", "typo", when="2010-07-01")
    git(repo, "tag", "broken")
    edit(repo, "actions/data-gaps/3.2.1.yaml", "lead: Polce", "lead: Police")
    result = run(runner, "changes", "--project", str(repo), "--since", "broken")
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(
        (repo / "actions/data-gaps/3.2.1.yaml").read_text().splitlines(), 1) if "lead:" in text)
    assert result.stderr.startswith(f"broken:actions/data-gaps/3.2.1.yaml:{line}:7: "
                                    "lead: 'Polce'")
    assert "(in the plan as it was at broken;" in result.stderr


# ---------------------------------------------------------------- the report

def built_html(runner, project: Path, *args: str) -> str:
    result = run(runner, "build", "--project", str(project), "--format", "html", *args)
    assert result.exit_code == 0, result.output
    return (project / "out/progress-report.html").read_text()


def row(html: str, anchor: str) -> str:
    return re.search(rf'<tr id="{anchor}"[^>]*>(.*?)</tr>', html, re.S)[1]


def test_build_since_marks_changed_rows_and_lists_the_changes(runner, moved_on):
    html = built_html(runner, moved_on, "--since", "ssp-2010-06")
    assert ("<strong>Changed since the last meeting:</strong> <span class=\"change\">"
            "Status: off track → on track</span>") in row(html, "data-gap-3-2-1")
    assert "Update revised" in row(html, "data-gap-3-2-2")
    assert "Due: 2010-09 → 2010-12" in row(html, "data-gap-3-2-5")
    assert "●</span> New since the last meeting" in row(html, "data-gap-5-2-3")
    assert "since the last meeting" not in row(html, "data-gap-3-2-3")
    assert "since the last meeting" not in row(html, "data-gap-4-2-1")  # moved, not changed
    changes = re.search(r'<section id="changes".*?</section>', html, re.S)[0]
    assert "Compared with the action plan as it was at the meeting of 28 June 2010." in changes
    assert "<strong>R5</strong> recommendation: removed" in changes
    assert "Status: off track → on track" in changes
    assert '<a href="#changes">' in html


def test_last_meeting_in_report_yaml_is_the_default(runner, moved_on):
    path = moved_on / "actions/report.yaml"
    path.write_text(path.read_text() + "last_meeting: ssp-2010-06\n")
    assert 'id="changes"' in built_html(runner, moved_on)
    assert 'id="changes"' not in built_html(runner, moved_on, "--no-since")
    path.write_text(path.read_text().replace("ssp-2010-06", "ssp-1999-01"))
    result = run(runner, "build", "--project", str(moved_on), "--format", "html")
    assert result.exit_code == 1 and "'ssp-1999-01' is not a tag" in result.stderr


def test_provenance_of_a_clean_build(runner, repo):
    short = git(repo, "rev-parse", "--short", "HEAD").strip()
    html = built_html(runner, repo)
    assert "Prepared from the action plan as saved on 28 June 2010." in html
    assert "Draft:" not in html
    # The commit is in the page's properties, never in what the committee reads.
    full = git(repo, "rev-parse", "HEAD").strip()
    assert f'<meta name="psa-report.version" content="{full}">' in html
    assert short not in html.split("</head>", 1)[1]


def test_a_save_date_after_the_report_date_is_not_printed(runner, repo):
    """The colophon never contradicts the report's own date (28 June 2010)."""
    git(repo, "commit", "-q", "--allow-empty", "-m", "later", when="2010-07-02")
    short = git(repo, "rev-parse", "--short", "HEAD").strip()
    html = built_html(runner, repo)
    assert "Prepared from a saved version of the action plan." in html
    assert "July 2010" not in html and short not in html.split("</head>", 1)[1]


def test_a_build_from_a_dirty_tree_says_so(runner, repo):
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: at risk")
    html = built_html(runner, repo)
    assert "<strong>Draft:</strong> built from changes to the action plan that have not yet " \
        "been saved, so it does not match any saved version of the plan." in html
    assert re.search(r'<meta name="psa-report.version" content="[0-9a-f]{40} \(draft\)">', html)
    assert ", with later changes not yet saved (a draft)." in html


def test_an_untracked_new_file_also_makes_it_a_draft(runner, repo):
    (repo / "actions/recommendations/R6.yaml").write_text(
        "ref: R6\nrecommendation: More.\nupdate: None yet.\nstatus: not started\n")
    assert "<strong>Draft:</strong>" in built_html(runner, repo)


def test_a_build_outside_git_still_works_and_says_so(runner, project):
    html = built_html(runner, project)
    assert "Prepared from action plan files that are not kept under version control, so " \
        "this report cannot be traced to a saved version of the plan." in html
    assert '<meta name="psa-report.version" content="not in git">' in html
    assert "Draft:" not in html


def test_a_last_meeting_git_cannot_find_is_reported_at_its_line(runner, repo):
    path = repo / "actions/report.yaml"
    path.write_text(path.read_text() + "last_meeting: ssp-1999-01\n")
    line = len(path.read_text().splitlines())
    built = run(runner, "build", "--format", "html", "--project", str(repo))
    assert built.exit_code == 1
    assert built.stderr.startswith(f"actions/report.yaml:{line}:15: last_meeting: "
                                   "'ssp-1999-01' is not a tag")
    assert "build with --no-since" in built.stderr
    assert run(runner, "build", "--format", "html", "--no-since",
               "--project", str(repo)).exit_code == 0
    listed = run(runner, "changes", "--project", str(repo))
    assert listed.exit_code == 1 and f"actions/report.yaml:{line}:15:" in listed.stderr
    assert "or give --since REV or --since-date DATE" in listed.stderr


def test_last_meeting_outside_git_explains_no_since(runner, project):
    path = project / "actions/report.yaml"
    path.write_text(path.read_text() + "last_meeting: ssp-2010-06\n")
    built = run(runner, "build", "--format", "html", "--project", str(project))
    assert built.exit_code == 1
    assert "last_meeting: this project is not in a git repository" in built.stderr
    assert "(or build with --no-since to leave the comparison" in built.stderr


def test_changes_without_options_uses_last_meeting(runner, moved_on):
    path = moved_on / "actions/report.yaml"
    path.write_text(path.read_text() + "last_meeting: ssp-2010-06\n")
    result = run(runner, "changes", "--project", str(moved_on))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Changes since ssp-2010-06 (")
