"""A quarter without surprises (issue 29): a report is for one meeting (report.yaml's
meeting_date, else its date) and is measured against the last meeting tagged before it,
however the plan was edited or committed since; what still names a past meeting is
warned about."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import edit, git, run

from psa_report import history
from psa_report.validate import ROLL_FORWARD, validate

JUNE = "Direction of travel is measured against the plan as it was at the meeting of " \
       "28 June 2010."


def september(repo: Path, tag: str) -> Path:
    """The September paper: 4.2.1 at risk -> off track, report.yaml rolled forward to
    27 September 2010, committed on 20 September and tagged as that meeting's."""
    edit(repo, "actions/data-gaps/4.2.1.yaml", "status: at risk", "status: off track")
    edit(repo, "actions/report.yaml", "date: 2010-06-28", "date: 2010-09-27")
    git(repo, "commit", "-q", "-am", "Plan for the September meeting", when="2010-09-20")
    git(repo, "tag", tag)
    return repo


def html_of(runner, root: Path) -> str:
    result = run(runner, "build", "--project", str(root), "--format", "html")
    assert result.exit_code == 0, result.output
    return (root / "out/progress-report.html").read_text(encoding="utf-8")


def status_cell(html: str, anchor: str) -> str:
    row = re.search(rf'<tr id="{anchor}"[^>]*>(.*?)</tr>', html, re.S)[1]
    return re.search(r'<td class="status-cell"[^>]*>(.*?)</td>', row, re.S)[1]


# ---------------------------------------------------------------- the baseline

# ssp-2010-09-27 is dated by its name, the day of the report; ssp-2010-09 (a month
# alone) by its commit, 20 September, a week before the meeting its report.yaml is for.
@pytest.mark.parametrize("tag", ["ssp-2010-09-27", "ssp-2010-09"])
@pytest.mark.parametrize("committed", [True, False])
def test_a_paper_reissued_after_its_tag_is_measured_against_the_meeting_before(
        runner, repo, tag, committed):
    september(repo, tag)
    # After the tag: one item marked exempt, and the paper rebuilt.
    edit(repo, "actions/data-gaps/3.2.2.yaml", "status: off track",
         "status: off track\nexempt: {update: 1}")
    if committed:
        git(repo, "commit", "-q", "-am", "3.2.2's update is exempt", when="2010-09-22")
    html = html_of(runner, repo)
    assert "Worse (was at risk)</span>" in status_cell(html, "data-gap-4-2-1")
    assert JUNE in html
    assert "27 September 2010." not in re.search(r"Direction of travel is measured[^<]*",
                                                 html)[0]
    exceptions = re.search(r'<section id="exceptions".*?</section>', html, re.S)[0]
    worse = re.search(r'<ul class="worse-list">(.*?)</ul>', exceptions, re.S)[1]
    assert 'href="#data-gap-4-2-1"' in worse
    # changes, with no option, compares with June too.
    data = json.loads(run(runner, "changes", "--project", str(repo), "--format",
                          "json").stdout)
    assert data["since"]["rev"] == "ssp-2010-06"
    fields = next(c["fields"] for c in data["changes"] if c["ref"] == "4.2.1")
    assert {"field": "status", "old": "at risk", "new": "off track"} in fields


def test_done_when_the_september_paper_reissued_with_a_committed_edit(runner, repo):
    """The issue's own scenario: June tagged, the September version tagged, a committed
    edit after the tag, rebuilt."""
    september(repo, "ssp-2010-09-27")
    edit(repo, "actions/data-gaps/3.2.3.yaml", "status: on track",
         "status: on track\nexempt: 7")
    git(repo, "commit", "-q", "-am", "3.2.3 is exempt", when="2010-09-23")
    html = html_of(runner, repo)
    assert 'aria-hidden="true">▼</span> Worse (was at risk)</span>' in status_cell(
        html, "data-gap-4-2-1")
    assert JUNE in html
    assert "Worse since the last meeting (1)" in html
    # progress: the meetings by date, the current files last.
    data = json.loads(run(runner, "progress", "--project", str(repo), "--format",
                          "json").stdout)
    assert [(r["meeting"], r["date"]) for r in data] == [
        ("ssp-2010-06", "2010-06-28"), ("ssp-2010-09-27", "2010-09-27"),
        ("current", "2010-09-27")]


def test_a_meeting_tagged_on_or_after_the_report_s_date_is_never_the_baseline(runner, repo):
    # The September version tagged by a date after the report's own: not the baseline.
    september(repo, "ssp-2010-10-04")
    edit(repo, "actions/data-gaps/3.2.3.yaml", "status: on track", "status: at risk")
    git(repo, "commit", "-q", "-am", "later", when="2010-09-25")
    html = html_of(runner, repo)
    assert JUNE in html
    assert "Worse (was on track)</span>" in status_cell(html, "data-gap-3-2-3")
    # --since still compares with what it names.
    since = run(runner, "build", "--project", str(repo), "--format", "html",
                "--since", "ssp-2010-10-04")
    assert since.exit_code == 0, since.output
    text = (repo / "out/progress-report.html").read_text(encoding="utf-8")
    assert "Worse (was at risk)" not in status_cell(text, "data-gap-4-2-1")
    assert "measured against the plan as it was at the meeting of 4 October 2010" in text


def test_the_next_paper_is_measured_against_the_meeting_just_tagged(runner, repo):
    september(repo, "ssp-2010-09-27")
    edit(repo, "actions/report.yaml", "date: 2010-09-27", "date: 2010-12-06")
    edit(repo, "actions/data-gaps/4.2.1.yaml", "status: off track", "status: on track")
    html = html_of(runner, repo)
    assert "Improved (was off track)</span>" in status_cell(html, "data-gap-4-2-1")
    assert "at the meeting of 27 September 2010." in html


# ---------------------------------------------------------------- progress

def test_progress_lists_the_current_files_last_whatever_their_date(runner, meetings):
    # A report whose date was not rolled forward (June) is still the current files.
    edit(meetings, "actions/report.yaml", "date: 2011-03-14\nmeeting_date: 2011-03-21",
         "date: 2010-06-28")
    data = json.loads(run(runner, "progress", "--project", str(meetings),
                          "--format", "json").stdout)
    assert [(r["meeting"], r["current"]) for r in data] == [
        ("ssp-2010-06-28", False), ("ssp-sept", False), ("ssp-2010-12", False),
        ("current", True)]
    table = run(runner, "progress", "--project", str(meetings)).stdout.splitlines()
    assert table[-1].startswith("current files")


# ---------------------------------------------------------------- check warns

def line_of(root: Path, key: str) -> int:
    lines = (root / "actions/report.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:"))


def test_a_report_dated_before_the_last_meeting_is_warned_at_its_date(runner, repo):
    september(repo, "ssp-2010-09-27")
    edit(repo, "actions/report.yaml", "date: 2010-09-27", "date: 2010-09-01")
    result = run(runner, "check", "--project", str(repo))
    assert result.exit_code == 0
    line = line_of(repo, "date")
    found = re.search(rf"^actions/report\.yaml:{line}:\d+: warning: date: 1 September 2010 "
                      r"is before the last meeting tagged \(ssp-2010-09-27, 27 September "
                      r"2010\)(.*)$", result.stderr, re.M)
    assert found and ROLL_FORWARD in found[1]
    assert ROLL_FORWARD == ("roll report.yaml forward for the next meeting: meeting_date, "
                            "date, paragraphs")
    assert run(runner, "check", "--strict", "--project", str(repo)).exit_code == 1
    built = run(runner, "build", "--project", str(repo), "--format", "html")
    assert ROLL_FORWARD in built.stderr
    # On the meeting's own day: still the meeting that has been held.
    edit(repo, "actions/report.yaml", "date: 2010-09-01", "date: 2010-09-27")
    assert "is the day of the last meeting tagged" in run(
        runner, "check", "--project", str(repo)).stderr
    # Rolled forward: no warning.
    edit(repo, "actions/report.yaml", "date: 2010-09-27", "date: 2010-12-06")
    assert run(runner, "check", "--strict", "--project", str(repo)).stderr == ""


def test_the_warning_is_at_meeting_date_when_it_is_given(runner, meetings):
    edit(meetings, "actions/report.yaml", "meeting_date: 2011-03-21",
         "meeting_date: 2010-12-06")
    warnings = validate(meetings).warnings
    assert [(w.file, w.line) for w in warnings] == [
        ("actions/report.yaml", line_of(meetings, "meeting_date"))]
    assert warnings[0].message.startswith(
        "meeting_date: 6 December 2010 is the day of the last meeting tagged (ssp-2010-12")
    assert ROLL_FORWARD in warnings[0].message


def test_a_tag_named_by_last_meeting_counts_without_meeting_tags(runner, repo):
    edit(repo, "actions/report.yaml", 'meeting_tags: "ssp-*"', "last_meeting: ssp-2010-06")
    assert ROLL_FORWARD in run(runner, "check", "--project", str(repo)).stderr


def test_outside_git_check_runs_no_git(runner, project, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("git was run outside git")

    monkeypatch.setattr(history, "_git", refuse)
    assert not history.maybe_in_git(project)
    assert validate(project).warnings == []


# ---------------------------------------------------------------- requests warns

def test_requests_warns_before_naming_a_meeting_that_has_passed(runner, project, tmp_path):
    edit(project, "actions/report.yaml", "date: 2010-06-28",
         "date: 2010-06-28\nmeeting_date: 2010-06-28")
    result = run(runner, "requests", "--project", str(project), "--out",
                 str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    line = line_of(project, "meeting_date")
    assert re.search(rf"^actions/report\.yaml:{line}:\d+: warning: meeting_date: the "
                     r"workbooks tell partners their updates go into the report to the "
                     r"meeting on 28 June 2010, which has passed", result.stderr, re.M)
    assert ROLL_FORWARD in result.stderr
    # A meeting to come, but before the replies are asked for.
    soon = date.today() + timedelta(days=10)
    edit(project, "actions/report.yaml", "meeting_date: 2010-06-28",
         f"meeting_date: {soon.isoformat()}")
    later = (soon + timedelta(days=7)).isoformat()
    result = run(runner, "requests", "--project", str(project), "--out",
                 str(tmp_path / "b"), "--reply-by", later)
    assert "which comes before the replies asked for by" in result.stderr
    assert "give an earlier --reply-by" in result.stderr
    # A meeting to come, replies before it: nothing to warn of.
    result = run(runner, "requests", "--project", str(project), "--out",
                 str(tmp_path / "c"), "--reply-by", (soon - timedelta(days=3)).isoformat())
    assert result.exit_code == 0 and "meeting_date" not in result.stderr


def test_requests_warns_of_a_report_still_for_a_tagged_meeting(runner, repo, tmp_path):
    result = run(runner, "requests", "--project", str(repo), "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "date: 28 June 2010 is the day of the last meeting tagged (ssp-2010-06" \
        in result.stderr


# ---------------------------------------------------------------- changes

def test_changes_says_plainly_when_the_only_meeting_is_the_current_version(runner, repo):
    result = run(runner, "changes", "--project", str(repo))
    assert result.exit_code == 2
    assert ("the only meeting tagged, ssp-2010-06 (28 June 2010), is the current version "
            "of the plan, so there is no earlier meeting to compare with") in result.stderr
    assert "give --since REV or --since-date DATE" in result.stderr
    assert "meeting_tags:" not in result.stderr and "last_meeting:" not in result.stderr


def test_changes_says_why_no_meeting_is_before_the_report(runner, repo):
    edit(repo, "actions/data-gaps/4.2.1.yaml", "status: at risk", "status: off track")
    result = run(runner, "changes", "--project", str(repo))
    assert result.exit_code == 2
    assert "no meeting tagged before the meeting this report is for (28 June 2010" \
        in result.stderr
    assert "the meetings tagged are ssp-2010-06 (28 June 2010)" in result.stderr
    assert ROLL_FORWARD in result.stderr


# ---------------------------------------------------------------- the schema

def test_the_schema_of_report_yaml_has_meeting_date(runner, project, tmp_path):
    result = run(runner, "schema", "--project", str(project), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "report.schema.json").read_text(encoding="utf-8"))
    assert "meeting_date" in schema["properties"]
    assert "meeting_date" not in schema.get("required", [])
    shipped = json.loads(Path(__file__).parent.parent.joinpath(
        "schema/report.schema.json").read_text(encoding="utf-8"))
    assert "meeting_date" in shipped["properties"]


def test_the_guide_says_what_to_roll_forward():
    guide = (Path(__file__).parent.parent / "docs/meetings.md").read_text(encoding="utf-8")
    before = guide.split("\n## ", 1)[0]
    assert "Roll report.yaml forward" in before
    assert all(key in before for key in ("`meeting_date`", "`date`", "`paragraphs`"))
