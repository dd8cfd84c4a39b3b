"""The partner commands as an analyst types them: requests, collect (--apply), set."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import issue_on, run
from test_partners import fill, snapshot

from psa_report.project import load_project


@pytest.fixture(autouse=True)
def _issued_then(monkeypatch):
    """The round is issued on 2010, 7, 1 (before its reply-by date)."""
    issue_on(monkeypatch, date(2010, 7, 1))



def test_requests_collect_and_apply_from_the_command_line(runner, project: Path):
    issued = run(runner, "requests", "--project", str(project), "--reply-by", "30/09/2010")
    assert issued.exit_code == 0, issued.output
    assert re.search(r"wrote .*Police-update-request\.xlsx \(Police: 3 actions\)", issued.stdout)
    assert "manifest.json" in issued.stdout
    books = project / "out/requests"
    fill(books / "Police-update-request.xlsx",
         {"3.2.1": {"New Status": "At risk", "New Update": "Ethnicity now recorded: 40%."}})
    before = snapshot(project)
    shown = run(runner, "collect", "--project", str(project),
                str(books / "Police-update-request.xlsx"))
    assert shown.exit_code == 0, shown.output
    # The preview shows the partner's words, as a word-level difference.
    # In the kind's field order, each named by its label as written.
    assert "3.2.1 (actions/data-gaps/3.2.1.yaml), from Police:\n  Update: [-" in shown.stdout
    assert "\n  Status: off track → at risk\n" in shown.stdout
    assert "{+Ethnicity now recorded: 40%.+}" in shown.stdout
    assert "Not yet returned: SBC, A&E, JSU, Court, Probation, Partnership" in shown.stdout
    assert "run again with --apply" in shown.stdout
    assert snapshot(project) == before  # showing writes nothing
    applied = run(runner, "collect", "--apply", "--project", str(project), str(books))
    assert applied.exit_code == 0, applied.output
    assert "changed 1 file." in applied.stdout and "git commit -am" in applied.stdout
    gap = load_project(project).find("3.2.1")
    assert (gap.status.value, gap.update) == ("at risk", "Ethnicity now recorded: 40%.")
    assert run(runner, "check", "--project", str(project)).exit_code == 0


def test_a_bad_return_names_the_cell_and_exits_1(runner, project: Path):
    run(runner, "requests", "--project", str(project), "--lead", "police")
    book = project / "out/requests/Police-update-request.xlsx"
    fill(book, {"3.2.1": {"New Status": "nearly done"}})
    before = snapshot(project)
    result = run(runner, "collect", "--apply", "--project", str(project), str(book))
    assert result.exit_code == 1
    assert re.match(r"Police-update-request\.xlsx: sheet Data requirements, cell I\d+: ",
                    result.stderr)
    assert "nothing was changed" in result.stderr
    assert snapshot(project) == before


def test_set_changes_only_the_values_given(runner, project: Path):
    path = project / "actions/data-gaps/3.2.1.yaml"
    old = path.read_text(encoding="utf-8").splitlines()
    result = run(runner, "set", "3.2.1", "--status", "amber", "--due", "Dec 2010",
                 "--project", str(project))
    assert result.exit_code == 0, result.output
    assert result.stdout == ("changed actions/data-gaps/3.2.1.yaml:\n"
                             "  Status: off track → at risk\n  Due: none → 2010-12\n")
    new = path.read_text(encoding="utf-8").splitlines()
    assert new == [("status: at risk" if line == "status: off track" else line)
                   for line in old] + ["due: 2010-12"]
    (project / "update.txt").write_text("First paragraph.\r\n\r\nSecond paragraph.\r\n")
    result = run(runner, "set", "r1", "--update-file", str(project / "update.txt"),
                 "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "R1" in run(runner, "show", "r1", "--project", str(project)).stdout
    again = run(runner, "set", "R1", "--update-file", str(project / "update.txt"),
                "--project", str(project))
    assert "no change" in again.stdout
    assert run(runner, "set", "3.2.1", "--project", str(project)).exit_code == 2
    bad = run(runner, "set", "3.2.1", "--due", "someday", "--project", str(project))
    assert bad.exit_code == 1 and "someday" in bad.stderr


def test_changes_shows_exactly_the_partners_edits(runner, project: Path):
    import json

    from conftest import git

    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan as sent", when="2010-06-28")
    assert run(runner, "requests", "--lead", "SBC", "--project", str(project)).exit_code == 0
    book = project / "out/requests/SBC-update-request.xlsx"
    fill(book, {"3.2.2": {"New Status": "At risk", "New Due": "31/12/2010"},
                "3.2.5": {"New Update": "First audit done: 80% recorded."}})
    assert run(runner, "collect", "--apply", str(book), "--project",
               str(project)).exit_code == 0
    assert run(runner, "check", "--strict", "--project", str(project)).exit_code == 0
    result = run(runner, "changes", "--since", "HEAD", "--format", "json",
                 "--project", str(project))
    found = {c["ref"]: {f["field"]: f["new"] for f in c["fields"]}
             for c in json.loads(result.stdout)["changes"]}
    assert found == {"3.2.2": {"status": "at risk", "due": "2010-12-31"},
                     "3.2.5": {"update": "First audit done: 80% recorded."}}


def test_the_same_workbook_returned_twice_is_named_at_both_files(runner, project: Path):
    """A re-sent attachment saved as "Police-update-request (1).xlsx": two copies of one
    agency's workbook that differ are never read as a joint action of "Police and
    Police"; both files are named, nothing is written. Two copies alike are read once."""
    run(runner, "requests", "--project", str(project), "--lead", "police")
    book = project / "out/requests/Police-update-request.xlsx"
    returns = project / "returns"
    returns.mkdir()
    first = fill(book, {"3.2.1": {"New Status": "at risk"},
                        "3.2.3": {"New Update": "Reviewed monthly."}},
                 returns / "Police-update-request.xlsx")
    second = fill(book, {"3.2.1": {"New Status": "complete"},
                         "3.2.3": {"New Update": "Reviewed weekly."}},
                  returns / "Police-update-request (1).xlsx")
    before = snapshot(project)
    result = run(runner, "collect", "--apply", "--project", str(project), str(returns))
    assert result.exit_code == 1, result.output
    both = f"{second.name} and {first.name}"
    for copy in (first, second):
        assert (f"{copy.name}: Police's workbook is here twice: {both}, which differ: keep "
                "the one to use, or move the other out of the folder") in result.stderr
    assert "Police and Police" not in result.output and "Police: " not in result.stdout
    assert snapshot(project) == before
    fill(first, {"3.2.1": {"New Status": "complete"},
                 "3.2.3": {"New Update": "Reviewed weekly."}})  # now the same as the copy
    result = run(runner, "collect", "--apply", "--project", str(project), str(returns))
    assert result.exit_code == 0, result.output
    assert load_project(project).find("3.2.3").update == "Reviewed weekly."
    assert load_project(project).find("3.2.1").status.value == "complete"


def test_a_reply_by_date_before_the_day_of_issue_is_warned_of(runner, project: Path):
    """A slip of the year (28/06/2010 issued on 1 July 2010) makes every agency late from
    the start: said, naming the date and what to do; the round is issued as asked (a
    clerk may be recording a round already sent)."""
    result = run(runner, "requests", "--project", str(project), "--reply-by", "28/06/2010")
    assert result.exit_code == 0, result.output
    assert ("--reply-by: warning: 28 June 2010 is before today (1 July 2010), the day the "
            "requests are issued, so every agency is late at once") in result.stderr
    same_day = run(runner, "requests", "--project", str(project), "--reply-by", "01/07/2010")
    assert same_day.exit_code == 0, same_day.output
    assert "before today" not in same_day.stderr


def test_requests_help_describes_the_columns_of_any_plan(runner):
    """The columns to fill in are a plan's own (plan.yaml's `partners: true`), not the
    default plan's three."""
    shown = " ".join(run(runner, "requests", "--help").output.split())
    assert "with a New ... column for each field partners fill in" in shown
    assert "three columns" not in shown and "New due date" not in shown
