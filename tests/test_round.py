"""The update round end to end: joint actions, the preview's words, the ledger, emails, git."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from conftest import edit, git, issue_on, run
from test_partners import fill, snapshot

from psa_report.project import load_project


@pytest.fixture(autouse=True)
def _issued_then(monkeypatch):
    """The round is issued on 2010, 7, 1 (before its reply-by date)."""
    issue_on(monkeypatch, date(2010, 7, 1))


REPLY_BY = "30/09/2010"


def returned(project: Path, agency: str, rows: dict, on: str) -> Path:
    """The agency's workbook, filled in and saved into returns/ on the day ``on``."""
    source = project / "out/requests" / f"{agency}-update-request.xlsx"
    folder = project.parent / f"returns-{on}"
    folder.mkdir(exist_ok=True)
    target = fill(source, rows, save_as=folder / source.name)
    stamp = time.mktime(date.fromisoformat(on).timetuple()) + 12 * 3600
    os.utime(target, (stamp, stamp))
    return target


def issue(runner, project: Path, *more: str):
    done = run(runner, "requests", "--project", str(project), "--reply-by", REPLY_BY, *more)
    assert done.exit_code == 0, done.output
    return done


def collect(runner, project: Path, *args: str):
    return run(runner, "collect", "--project", str(project), *map(str, args))


def ledger(project: Path) -> dict:
    return json.loads((project / "out/requests/round.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- joint actions

POLICE_423 = "40 high crime causers now monitored weekly."
SBC_423 = "Council research into repeat offenders starts in October."


def test_a_joint_action_updated_by_both_leads_completes_without_editing_a_workbook(
        runner, project: Path):
    issue(runner, project)
    police = returned(project, "Police", {"4.2.3": {"New Update": POLICE_423,
                                                    "New Status": "at risk"},
                                          "3.2.1": {"New Status": "on track"}}, "2010-09-28")
    sbc = returned(project, "SBC", {"4.2.3": {"New Update": SBC_423,
                                              "New Status": "off track"}}, "2010-09-30")
    books = {p: p.read_bytes() for p in (police, sbc)}

    # Side by side; the status differs, so 4.2.3 waits, and 3.2.1 goes on.
    shown = collect(runner, project, police, sbc)
    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "4.2.3 is a joint action updated by SBC and Police:" in out
    assert f"    SBC    | {SBC_423}" in out and f"    Police | {POLICE_423}" in out
    assert "SBC    | off track" in out and "Police | at risk" in out
    assert "Waiting: 4.2.3 waits (Status: SBC gives 'off track', Police gives 'at risk'): " \
           "choose with --take 4.2.3=SBC or --take 4.2.3=Police" in out
    assert "3.2.1 (actions/data-gaps/3.2.1.yaml), from Police:" in out

    # --apply writes the others and says which row waits.
    before = snapshot(project)
    applied = collect(runner, project, police, sbc, "--apply")
    assert applied.exit_code == 0, applied.output
    assert "1 row waits for a choice and was not written" in applied.output
    after = snapshot(project)
    assert {p for p in after if after[p] != before[p]} == {"actions/data-gaps/3.2.1.yaml"}
    assert ledger(project)["agencies"]["SBC"]["waiting"] == ["4.2.3"]

    # One command settles it: the update texts kept, each under its agency's name.
    settled = collect(runner, project, police, sbc, "--take", "4.2.3=Police", "--apply")
    assert settled.exit_code == 0, settled.output
    item = load_project(project).find("4.2.3")
    assert item.status.value == "at risk"
    assert item.update == f"SBC: {SBC_423}\n\nPolice: {POLICE_423}"
    assert {p: p.read_bytes() for p in books} == books  # no workbook was touched
    entry = ledger(project)["agencies"]
    assert entry["SBC"]["waiting"] == [] and entry["SBC"]["applied"]
    assert entry["SBC"]["changed"] == ["4.2.3"] and entry["Police"]["changed"] == [
        "3.2.1", "4.2.3"]


def test_take_names_a_lead_that_updated_the_row(runner, project: Path):
    issue(runner, project)
    police = returned(project, "Police", {"4.2.3": {"New Status": "at risk"}}, "2010-09-28")
    sbc = returned(project, "SBC", {"4.2.3": {"New Status": "off track"}}, "2010-09-28")
    bad = collect(runner, project, police, sbc, "--take", "4.2.3=Probation")
    assert bad.exit_code == 1
    assert "--take 4.2.3=Probation: 4.2.3 is not a joint row that Probation updated" in \
        bad.stderr
    assert collect(runner, project, police, sbc, "--take", "4.2.3").exit_code == 2


def test_one_leads_update_text_can_be_taken(runner, project: Path):
    issue(runner, project)
    police = returned(project, "Police", {"4.2.3": {"New Update": POLICE_423}}, "2010-09-28")
    sbc = returned(project, "SBC", {"4.2.3": {"New Update": SBC_423}}, "2010-09-28")
    assert collect(runner, project, police, sbc, "--take", "4.2.3:update=SBC",
                   "--apply").exit_code == 0
    assert load_project(project).find("4.2.3").update == SBC_423


def test_a_chooser_settles_a_joint_status_as_a_terminal_would(runner, project: Path):
    from psa_report.returns import collect_returns

    issue(runner, project)
    police = returned(project, "Police", {"4.2.3": {"New Status": "at risk"}}, "2010-09-28")
    sbc = returned(project, "SBC", {"4.2.3": {"New Status": "off track"}}, "2010-09-28")
    asked = []

    def choose(ref, name, options):
        asked.append((ref, name, options))
        return "SBC"

    result = collect_returns(load_project(project), [police, sbc], choose=choose)
    assert asked == [("4.2.3", "status", [("SBC", "off track"), ("Police", "at risk")])]
    assert [u.summaries for u in result.updates] == [["Status: on track → off track"]]
    assert result.joint[0].settled["status"] == "taken from SBC"
    assert not collect_returns(load_project(project), [police, sbc],
                               choose=lambda *_: None).updates  # Enter: it waits


# ---------------------------------------------------------------- the preview

def test_the_preview_shows_the_new_words(runner, project: Path):
    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {
        "New Update": "Ethnicity is now a mandatory field on the template. Monitoring starts "
                      "in August.", "New Status": "on track"}}, "2010-09-28")
    old = load_project(project).find("3.2.1").update
    shown = collect(runner, project, police)
    # The changes in the kind's field order, each named by its label as written.
    assert "\n  Status: off track → on track\n" in shown.stdout
    assert shown.stdout.index("  Update: ") < shown.stdout.index("  Status: ")
    # Mostly rewritten: the old text taken out, the new put in, each whole.
    assert f"  Update: [-{old}-]{{+Ethnicity is now a mandatory field on the template. " \
           "Monitoring starts in August.+}\n" in shown.stdout

    page = collect(runner, project, police, "--format", "markdown")
    assert page.exit_code == 0, page.output
    assert page.stdout.startswith("# Updates from partners for the Safer Stockton Partnership")
    assert "## 3.2.1, from Police" in page.stdout and "**Update:**" in page.stdout
    assert "August.**" in page.stdout and "~~" in page.stdout
    assert "- Status: off track → on track" in page.stdout

    page = collect(runner, project, police, "--format", "html")
    assert page.stdout.startswith("<!DOCTYPE html>")
    assert "<ins>" in page.stdout and "August.</ins>" in page.stdout and "<del>" in page.stdout
    # Nothing is written by a preview, in any form.
    assert not (project / "out/requests/round.json").read_text().count('"applied": "')


def test_word_diff_keeps_the_words_that_stay():
    from psa_report.review import terminal, word_diff

    assert terminal(word_diff("Data is not shared yet.", "Data is shared weekly now.")) == (
        "Data is [-not shared yet.-]{+shared weekly now.+}")
    assert terminal(word_diff("Ethnicity is not recorded on the template.",
                              "Ethnicity is now a mandatory field on the template.")) == (
        "Ethnicity is [-not recorded-]{+now a mandatory field+} on the template.")
    assert terminal(word_diff("", "New text.")) == "{+New text.+}"


# ---------------------------------------------------------------- the ledger, in git

def test_the_ledger_after_three_collect_runs_and_the_commits_naming_each_return(
        runner, repo: Path):
    git(repo, "config", "user.name", "Analyst")
    git(repo, "config", "user.email", "analyst@example.org")
    (repo / ".gitignore").write_text("out/\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "Ignore out/")
    issue(runner, repo)

    # Run 1: Police, with its half of the joint action 4.2.3.
    police = returned(repo, "Police", {"3.2.1": {"New Update": "Ethnicity now recorded."},
                                       "4.2.3": {"New Update": POLICE_423}}, "2010-09-28")
    first = collect(runner, repo, police, "--apply", "--commit")
    assert first.exit_code == 0, first.output
    assert "Not yet returned: SBC, A&E, JSU, Court, Probation, Partnership" in first.stdout
    assert "changed 2 files and committed them" in first.stdout

    # Run 2: SBC; Police is not "not yet returned"; the joint row is merged with run 1's.
    sbc = returned(repo, "SBC", {"4.2.3": {"New Update": SBC_423},
                                 "3.2.5": {"New Status": "at risk"}}, "2010-09-30")
    second = collect(runner, repo, sbc, "--apply", "--commit")
    assert second.exit_code == 0, second.output
    assert "Not yet returned: A&E, JSU, Court, Probation, Partnership" in second.stdout
    assert load_project(repo).find("4.2.3").update == f"SBC: {SBC_423}\n\nPolice: {POLICE_423}"

    # Run 3: Court, late; nothing to change is still a return.
    court = returned(repo, "Court", {"4.2.2": {"New Status": "off track"}}, "2010-10-04")
    third = collect(runner, repo, court, "--apply", "--commit")
    assert third.exit_code == 0, third.output
    assert "No changes" in third.stdout and "committed" not in third.stdout
    assert "Not yet returned: A&E, JSU, Probation, Partnership" in third.stdout

    table = run(runner, "round", "--project", str(repo), "--as-of", "2010-10-10",
                "--format", "json")
    assert table.exit_code == 0, table.output
    rows = {row["agency"]: row for row in json.loads(table.stdout)}
    assert rows["Police"]["returned"] == "2010-09-28" and rows["Police"]["applied"]
    assert rows["Police"]["days_late"] is None
    assert rows["SBC"]["returned"] == "2010-09-30" and rows["SBC"]["applied"]
    assert rows["Court"]["returned"] == "2010-10-04" and rows["Court"]["days_late"] == 4
    assert rows["JSU"]["returned"] is None and rows["JSU"]["applied"] is None
    assert rows["JSU"]["days_late"] == 10
    assert all(row["issued"] == "2010-07-01" for row in rows.values())
    shown = run(runner, "round", "--project", str(repo), "--as-of", "2010-10-10")
    assert "JSU" in shown.stdout and "Days late" in shown.stdout

    # git log names the return behind each update.
    log = git(repo, "log", "--format=%B%x00", "--", "actions/data-gaps/3.2.1.yaml")
    assert "Police: Police-update-request.xlsx, returned 28 September 2010; changed 3.2.1" \
        in log
    assert "Update-From: Police; Police-update-request.xlsx; 2010-09-28; 3.2.1 4.2.3" in log
    log = git(repo, "log", "--format=%B%x00", "--", "actions/data-gaps/4.2.3.yaml")
    assert "Update-From: SBC; SBC-update-request.xlsx; 2010-09-30; 3.2.5 4.2.3" in log
    assert "Update-From: Police;" in log
    assert "4.2.3 is a joint action of SBC and Police: update kept both" in log
    subjects = git(repo, "log", "--format=%s").splitlines()
    assert subjects[:3] == [f"Updates from partners: {who} (round issued 1 July 2010)"
                            for who in ("SBC", "Police")] + ["Ignore out/"]
    assert git(repo, "status", "--porcelain", "--", "actions") == ""

    # The report's colophon says whose updates it holds.
    built = run(runner, "build", "--project", str(repo), "--format", "html")
    assert built.exit_code == 0, built.output
    html = (repo / "out/progress-report.html").read_text(encoding="utf-8")
    assert ("Updates received from Police (28 September), SBC (30 September), "
            "Court (4 October).") in html

    # A new round says what the last one left open.
    again = issue(runner, repo, "--lead", "JSU")
    assert "The last round left open: A&E: not returned; JSU: not returned; Probation: " \
           "not returned; Partnership: not returned." in again.stderr
    assert list(ledger(repo)["agencies"]) == ["JSU"]
    (kept,) = (repo / "out/requests/rounds").glob("round-*.json")
    assert json.loads(kept.read_text())["agencies"]["Police"]["changed"] == ["3.2.1", "4.2.3"]
    # The next report (October, after the June meeting) still names the returns of the
    # round before, issued since that meeting: their words are in it.
    edit(repo, "actions/report.yaml", "date: 2010-06-28", "date: 2010-10-11")
    built = run(runner, "build", "--project", str(repo), "--format", "html")
    assert built.exit_code == 0, built.output
    html = (repo / "out/progress-report.html").read_text(encoding="utf-8")
    assert ("Updates received from Police (28 September), SBC (30 September), "
            "Court (4 October).") in html


def test_commit_refuses_to_credit_the_analysts_own_edits_to_a_partner(runner, repo: Path):
    issue(runner, repo)
    path = repo / "actions/data-gaps/3.2.1.yaml"
    path.write_text(path.read_text() + "# a note of mine\n")
    police = returned(repo, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    before = snapshot(repo)
    refused = collect(runner, repo, police, "--apply", "--commit")
    assert refused.exit_code == 1
    assert "actions/data-gaps/3.2.1.yaml has changes not yet committed" in refused.stderr
    assert snapshot(repo) == before
    assert collect(runner, repo, police, "--commit").exit_code == 2  # --commit needs --apply


# ---------------------------------------------------------------- emails

def with_emails(project: Path) -> None:
    path = project / "actions/agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Police: Cleveland Police",
        "Police:\n  name: Cleveland Police\n  email: updates@cleveland.police.example"),
        encoding="utf-8")


def parse(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_requests_email_writes_a_draft_per_agency_that_parses_back(runner, project: Path):
    with_emails(project)
    done = issue(runner, project, "--email")
    drafts = sorted((project / "out/requests").glob("*.eml"))
    assert len(drafts) == 7
    assert "Note: no email address for SBC, A&E, JSU, Court, Probation, Partnership" in \
        done.stderr
    for draft in drafts:
        message = parse(draft)
        assert message["X-Unsent"] == "1"
        (attachment,) = list(message.iter_attachments())
        workbook = draft.with_suffix(".xlsx")
        assert attachment.get_filename() == workbook.name
        assert attachment.get_content_type() == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert attachment.get_content() == workbook.read_bytes()  # byte-identical
    police = parse(project / "out/requests/Police-update-request.eml")
    assert police["To"] == "Cleveland Police <updates@cleveland.police.example>"
    assert police["Subject"] == ("Safer Stockton Partnership: update request for Cleveland "
                                 "Police, reply by 30 September 2010")
    body = " ".join(police.get_body(("plain",)).get_content().split())
    assert "Please reply by 30 September 2010" in body
    assert "(3.2.1, 3.2.3, 4.2.3)" in body and "New Update" in body
    # Only the columns the workbook has, with example dates from the round's reply-by date.
    assert ("the 3 data gaps that Cleveland Police leads in the Safer Stockton Partnership's "
            "action plan and that are not yet complete (3.2.1, 3.2.3, 4.2.3)") in body
    assert ("on the Data requirements sheet, one row per data gap: - New Update: the latest "
            "progress, in a sentence or two. - New Status: choose from the drop-down list. "
            "- New Due: only if the deadline has moved, such as 30/09/2010.") in body
    assert "New due date" not in body
    partnership = parse(project / "out/requests/Partnership-update-request.eml")
    body = " ".join(partnership.get_body(("plain",)).get_content().split())
    # The items with no lead: the whole partnership's, named once; no label in capitals.
    assert partnership["Subject"] == ("Safer Stockton Partnership: update request for the "
                                      "whole partnership, reply by 30 September 2010")
    assert ("Please find attached the update request for the 4 recommendations for the "
            "whole partnership in the Safer Stockton Partnership's action plan that are not "
            "yet complete (R1, R3, R4, R5).") in body
    assert ("on the Recommendations sheet, one row per recommendation: - New Update: the "
            "latest progress") in body
    assert "UPDATE" not in body and "action" not in body.replace("action plan", "")
    assert "please ask me, the Community Safety Analyst" in body
    assert parse(project / "out/requests/SBC-update-request.eml")["To"] is None


def test_chase_writes_reminders_only_to_those_late(runner, project: Path):
    with_emails(project)
    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    assert collect(runner, project, police, "--apply").exit_code == 0
    early = run(runner, "round", "--project", str(project), "--as-of", "2010-09-29", "--chase")
    assert early.exit_code == 0 and "Nobody is late" in early.stdout
    late = run(runner, "round", "--project", str(project), "--as-of", "2010-10-03", "--chase")
    assert late.exit_code == 0, late.output
    reminders = sorted(p.name for p in (project / "out/requests").glob("*-reminder.eml"))
    assert "Police-update-request-reminder.eml" not in reminders
    assert reminders == sorted(f"{stem}-update-request-reminder.eml" for stem in
                               ("SBC", "A-and-E", "JSU", "Court", "Probation", "Partnership"))
    message = parse(project / "out/requests/Court-update-request-reminder.eml")
    assert message["X-Unsent"] == "1" and message["Subject"].startswith("Reminder:")
    body = " ".join(message.get_body(("plain",)).get_content().split())
    assert "which was due by 30 September 2010 (3 days ago)" in body
    assert ("Please fill in the New Update, New Status and New Due columns on the Data "
            "requirements sheet and return the workbook") in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content() == (
        project / "out/requests/Court-update-request.xlsx").read_bytes()


@pytest.mark.parametrize("damage", ['{"agencies": {"Police": 3}}', '[1]',
                                    '{"agencies": {"Police": {"returned": "yesterday"}}}'])
def test_a_damaged_ledger_is_named_never_a_traceback(runner, project: Path, damage: str):
    issue(runner, project)
    (project / "out/requests/round.json").write_text(damage)
    done = run(runner, "round", "--project", str(project))
    assert done.exit_code == 1
    assert "out/requests/round.json: the round's ledger cannot be read" in done.stderr


def test_round_with_no_requests_says_to_issue_them(runner, project: Path):
    done = run(runner, "round", "--project", str(project))
    assert done.exit_code == 1 and "no round has been issued here" in done.stderr


@pytest.mark.parametrize("email", ["not an address", "a@b"])
def test_a_bad_agency_email_is_named(runner, project: Path, email: str):
    path = project / "actions/agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Police: Cleveland Police", f"Police:\n  name: Cleveland Police\n  email: {email}"),
        encoding="utf-8")
    done = run(runner, "check", "--project", str(project))
    assert done.exit_code == 1
    # Named at the address itself (line 7, where `email:` gives it).
    assert f"actions/agencies.yaml:7:10: Police: email: '{email}' is not an email address" in \
        done.stderr


@pytest.mark.parametrize("details, expected", [
    ("  name: Cleveland Police\n  emial: updates@police.example.org",
     "actions/agencies.yaml:7:3: Police: unknown field 'emial'. Did you mean 'email'?"),
    ("  email: updates@police.example.org",
     "actions/agencies.yaml:6:3: Police: missing field 'name': add a line `name: ...`"),
])
def test_a_mistake_in_an_agencys_details_is_said_in_plain_words(runner, project: Path,
                                                               details, expected):
    path = project / "actions/agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Police: Cleveland Police", f"Police:\n{details}"), encoding="utf-8")
    done = run(runner, "check", "--project", str(project))
    assert done.exit_code == 1 and expected in done.stderr, done.stderr
    assert "Field required" not in done.stderr and "Extra inputs" not in done.stderr


def test_an_agency_with_its_details_is_one_agency(project: Path):
    with_emails(project)
    loaded = load_project(project)
    assert loaded.agencies["Police"] == "Cleveland Police"
    assert loaded.agency_emails == {"Police": "updates@cleveland.police.example"}
    shutil.rmtree(project / "out", ignore_errors=True)


def test_round_as_csv_leaves_the_cells_of_returns_not_yet_in_empty(runner, project: Path):
    """A CSV has no text prefix: the table's "-" for nothing is an empty cell, never
    "'-" (which a spreadsheet shows as it is)."""
    issue(runner, project, "--lead", "Court")
    done = run(runner, "round", "--project", str(project), "--as-of", "2010-10-10",
               "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == ["agency,issued,returned,applied,late",
                                        "Court,2010-07-01,,,10"]
