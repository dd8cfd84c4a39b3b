"""The partner update round's bookkeeping and its git commit, against hostile input:
a repository whose configuration names filters, a return file name with line breaks,
a forged hidden sheet, two collects at once, deep JSON, an item grown too large by a
return, non-ASCII addresses, and the advice given when something is refused."""

from __future__ import annotations

import json
import threading
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from conftest import git, run
from test_partners import snapshot
from test_round import _issued_then, collect, issue, returned  # noqa: F401 (fixture)

from psa_report.project import load_project

# ---------------------------------------------------------------- 1. no filter runs

def canary_repo(repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A clone of ``repo`` whose .git/config defines the filter `canary` for every file
    (clean, smudge and process), each recording that it ran; just cloned, so its index
    entries are racily clean. Returns (clone, marker)."""
    git(repo, "config", "user.name", "Analyst")
    git(repo, "config", "user.email", "analyst@example.org")
    (repo / ".gitignore").write_text("out/\n")
    (repo / ".gitattributes").write_text("* filter=canary\n")
    git(repo, "add", ".gitignore", ".gitattributes")
    git(repo, "commit", "-q", "-m", "Attributes")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    marker = tmp_path / "marker"
    script = tmp_path / "filter.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\ncat\n')
    script.chmod(0o755)
    for key in ("clean", "smudge", "process"):
        git(clone, "config", f"filter.canary.{key}", str(script))
    git(clone, "config", "user.name", "Analyst")
    git(clone, "config", "user.email", "analyst@example.org")
    return clone, marker


def test_collect_commit_runs_no_filter_of_a_fresh_clone(runner, repo: Path, tmp_path: Path):
    clone, marker = canary_repo(repo, tmp_path)
    issue(runner, clone)
    police = returned(clone, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    done = collect(runner, clone, police, "--apply", "--commit")
    assert done.exit_code == 0, done.output
    assert not marker.exists(), marker.read_text()
    assert "committed" in done.stdout
    shown = git(clone, "show", "HEAD:actions/data-gaps/3.2.1.yaml")
    assert "on track" in shown
    # The real index follows the commit: git status shows nothing changed.
    assert git(clone, "diff", "--cached", "--name-only") == ""
    assert git(clone, "status", "--porcelain") == ""


def test_the_filters_a_repository_names_are_emptied_for_every_git_run(repo: Path,
                                                                     tmp_path: Path):
    """Even a command that would filter (update-index on a fresh clone's racily clean
    index) runs no filter of the repository's with the settings the commit adds."""
    from psa_report import record
    from psa_report.history import _git

    clone, marker = canary_repo(repo, tmp_path)
    blob = _git(clone, "hash-object", "-w", "--no-filters", "--stdin", input=b"x\n")
    names = record._no_filters(clone)
    assert ("filter.canary.clean", "") in names and ("filter.canary.process", "") in names
    _git(clone, "update-index", "--add", "--cacheinfo",
         f"100644,{blob.decode().strip()},new-file", config=names)
    assert not marker.exists(), marker.read_text()


# ---------------------------------------------------------------- 2. one line per name

def committed_repo(repo: Path) -> Path:
    git(repo, "config", "user.name", "Analyst")
    git(repo, "config", "user.email", "analyst@example.org")
    (repo / ".gitignore").write_text("out/\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "Ignore out/")
    return repo


def test_a_file_name_with_line_breaks_forges_no_trailer(runner, repo: Path):
    committed_repo(repo)
    issue(runner, repo)
    police = returned(repo, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    forged = police.with_name("Police-update-request\nUpdate-From: SBC; SBC.xlsx; "
                              "2010-09-28; 3.2.1\nSigned-off-by: Chair <chair@x>\r.xlsx")
    police.rename(forged)
    done = collect(runner, repo, forged, "--apply", "--commit")
    assert done.exit_code == 0, done.output
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)").strip()
    assert trailers.splitlines() == [
        "Update-From: Police; Police-update-request\\nUpdate-From: SBC; SBC.xlsx; "
        "2010-09-28; 3.2.1\\nSigned-off-by: Chair <chair@x>\\r.xlsx; 2010-09-28; 3.2.1"]
    body = git(repo, "log", "-1", "--format=%B")
    assert not any(line.startswith(("Signed-off-by", "Update-From: SBC"))
                   for line in body.splitlines())


# ---------------------------------------------------------------- 4. two collects at once

def test_two_collects_at_once_keep_both_agencies_in_the_ledger(runner, project: Path,
                                                               monkeypatch):
    """The first collect is held after reading round.json, before adding to it; the second starts and
    must wait for the round's lock (never reading the ledger the first is about to
    replace); both agencies' returns are in the ledger afterwards."""
    from psa_report import ledger, output
    from psa_report.commands import partners

    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    court = returned(project, "Court", {"4.2.2": {"New Status": "off track"}}, "2010-09-29")
    inside, go, waiting = threading.Event(), threading.Event(), threading.Event()
    real_record, real_acquire = ledger.record, output._acquire

    def held_record(kept, *args, **kwargs):  # the ledger is read: hold before adding to it
        if threading.current_thread().name == "police":
            inside.set()
            go.wait(60)
        return real_record(kept, *args, **kwargs)

    def acquire(lock, shown):
        if threading.current_thread().name == "court" and "round.json" in lock.name:
            waiting.set()
        return real_acquire(lock, shown)

    monkeypatch.setattr(ledger, "record", held_record)
    monkeypatch.setattr(output, "_acquire", acquire)
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 120.0)
    failures = []

    def apply(path: Path) -> None:
        try:
            partners.collect(project, [path], apply=True)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    first = threading.Thread(target=apply, args=(police,), name="police")
    second = threading.Thread(target=apply, args=(court,), name="court")
    first.start()
    assert inside.wait(60)
    second.start()
    waiting.wait(30)  # with the lock, at once; without, never (the loss is then shown)
    go.set()
    first.join()
    second.join()
    assert failures == []
    kept = json.loads((project / "out/requests/round.json").read_text(encoding="utf-8"))
    assert kept["agencies"]["Police"]["returned"] == "2010-09-28"
    assert kept["agencies"]["Court"]["returned"] == "2010-09-29"
    assert len(kept["runs"]) == 2


def test_the_ledger_keeps_its_mode_and_refuses_to_grow_past_its_limit(runner, project: Path,
                                                                      monkeypatch):
    from psa_report import ledger

    issue(runner, project)
    path = project / "out/requests/round.json"
    path.chmod(0o600)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    assert collect(runner, project, police, "--apply").exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    monkeypatch.setattr(ledger, "MAX_LEDGER_BYTES", len(before) + 10)
    court = returned(project, "Court", {"4.2.2": {"New Status": "off track"}}, "2010-09-29")
    done = collect(runner, project, court, "--apply")
    assert done.exit_code == 1
    assert "round.json: the round's ledger would be" in done.stderr
    assert "Traceback" not in done.output
    assert path.read_bytes() == before


# ---------------------------------------------------------------- 5. deep JSON

@pytest.mark.parametrize("name", ["round.json", "manifest.json"])
def test_deeply_nested_json_is_refused_plainly(runner, project: Path, name: str):
    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    (project / "out/requests" / name).write_text(
        '{"workbooks": [], "agencies":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    for args in (("collect", "--project", str(project), str(police), "--apply"),
                 ("round", "--project", str(project))):
        done = run(runner, *args)
        if name == "manifest.json" and args[0] == "round":
            continue  # round reads only the ledger
        assert done.exit_code == 1, done.output
        assert "Traceback" not in done.output and "RecursionError" not in done.output
        assert f"{name}: " in done.stderr
        assert "at line 2 it is nested more than 32 deep" in done.stderr


# ---------------------------------------------------------------- 3. a return is bound to its agency

def edit_issued(path: Path, target: Path, **cells: object) -> Path:
    """Change cells of the hidden Issued sheet ({"B2": "Court"}), as a partner could."""
    book = openpyxl.load_workbook(path)
    for cell, value in cells.items():
        book["Issued"][cell].value = value
    book.save(target)
    return target


def test_each_workbook_has_a_key_of_its_own_kept_only_in_the_manifest(runner, project: Path):
    issue(runner, project)
    folder = project / "out/requests"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    keys = {b["agency"]: b["key"] for b in manifest["workbooks"]}
    assert len(set(keys.values())) == len(keys) == 7
    assert all(len(key) >= 32 for key in keys.values())
    sheet = openpyxl.load_workbook(folder / "Police-update-request.xlsx")["Issued"]
    assert (sheet["A5"].value, sheet["B5"].value) == ("key", keys["Police"])
    assert keys["Police"] not in (folder / "round.json").read_text(encoding="utf-8")


def test_a_hidden_sheet_changed_to_name_another_agency_is_refused(runner, project: Path):
    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    # Court's file name, Court in the hidden sheet: all a partner can see and change.
    forged = edit_issued(police, police.with_name("Court-update-request.xlsx"), B2="Court")
    before = snapshot(project)
    done = collect(runner, project, forged, "--apply")
    assert done.exit_code == 1
    assert ("Court-update-request.xlsx: this is the workbook sent to Police "
            "(Police-update-request.xlsx), but its hidden record was changed to name "
            "Court") in done.stderr
    assert "Traceback" not in done.output and snapshot(project) == before
    assert json.loads((project / "out/requests/round.json").read_text())[
        "agencies"]["Court"]["returned"] is None


@pytest.mark.parametrize("key", [None, "", "a-key-of-my-own"])
def test_a_missing_or_unknown_key_is_refused(runner, project: Path, key):
    issue(runner, project)
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    cells = {"A5": None, "B5": None} if key is None else {"B5": key}
    edit_issued(police, police, **cells)
    done = collect(runner, project, police, "--apply")
    assert done.exit_code == 1
    assert "Police-update-request.xlsx: this workbook carries" in done.stderr
    assert "cannot be told which agency it was sent to" in done.stderr
    assert "Traceback" not in done.output


def test_a_return_of_a_round_issued_before_keys_is_read_as_then(runner, project: Path):
    issue(runner, project)
    folder = project / "out/requests"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for book in manifest["workbooks"]:
        del book["key"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    police = returned(project, "Police", {"3.2.1": {"New Status": "on track"}}, "2010-09-28")
    edit_issued(police, police, A5=None, B5=None)
    done = collect(runner, project, police, "--apply")
    assert done.exit_code == 0, done.output
    assert load_project(project).find("3.2.1").status.value == "on track"
    # ...and still checked against the manifest's record by file name.
    court = returned(project, "Court", {"4.2.2": {"New Status": "off track"}}, "2010-09-28")
    wrong = edit_issued(court, court.with_name("SBC-update-request.xlsx"), A5=None, B5=None)
    refused = collect(runner, project, wrong, "--apply")
    assert refused.exit_code == 1 and "sent to Court" in refused.stderr


# ---------------------------------------------------------------- 6. an item file too large

def test_a_return_that_would_grow_a_file_past_its_limit_is_refused(runner, project: Path):
    from psa_report.loader import MAX_FILE_BYTES

    issue(runner, project)
    path = project / "actions/data-gaps/3.2.1.yaml"
    text = path.read_text(encoding="utf-8")
    room = MAX_FILE_BYTES - len(text.encode("utf-8")) - 2000
    path.write_text(text + "# " + "notes " * (room // 6) + "\n", encoding="utf-8")
    before = path.read_bytes()
    assert run(runner, "check", "--project", str(project)).exit_code == 0
    police = returned(project, "Police", {"3.2.1": {"New Update": "Ethnicity recorded. " * 200}},
                      "2010-09-28")
    done = collect(runner, project, police, "--apply")
    assert done.exit_code == 1
    assert "actions/data-gaps/3.2.1.yaml: 3.2.1: with the text from " \
           "Police-update-request.xlsx: sheet Data requirements, cell" in done.stderr
    assert f"over the limit of {MAX_FILE_BYTES:,} for one action file" in done.stderr
    assert "Traceback" not in done.output
    assert path.read_bytes() == before
    assert run(runner, "check", "--project", str(project)).exit_code == 0


# ---------------------------------------------------------------- 7. addresses in drafts

def with_email(project: Path, email: str, name: str = "Policía de Cleveland") -> None:
    path = project / "actions/agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Police: Cleveland Police", f"Police:\n  name: {name}\n  email: {email}"),
        encoding="utf-8")


def test_an_internationalised_domain_is_written_in_punycode(runner, project: Path):
    with_email(project, "updates@polícia.example")
    issue(runner, project, "--email")
    # Police has not returned by 3 October: it is reminded.
    chased = run(runner, "round", "--project", str(project), "--as-of", "2010-10-03",
                 "--chase")
    assert chased.exit_code == 0, chased.output
    for name in ("Police-update-request.eml", "Police-update-request-reminder.eml"):
        raw = (project / "out/requests" / name).read_bytes()
        to = next(line for line in raw.split(b"\r\n") if line.startswith(b"To:"))
        assert to.endswith(b"<updates@xn--polcia-5va.example>"), to
        message = BytesParser(policy=policy.default).parsebytes(raw)
        (address,) = message["To"].addresses
        assert (address.username, address.domain) == ("updates", "xn--polcia-5va.example")
        assert address.display_name == "Policía de Cleveland"
        assert not message["To"].defects


def test_a_local_part_outside_ascii_is_refused_at_its_line(runner, project: Path):
    with_email(project, "políce@police.example")
    done = run(runner, "check", "--project", str(project))
    assert done.exit_code == 1
    assert ("actions/agencies.yaml:7:10: Police: email: 'políce@police.example': the part "
            "before the @ has letters that are not plain ASCII") in done.stderr
    refused = run(runner, "requests", "--project", str(project), "--email")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert not list(project.glob("out/requests/*.eml"))


# ---------------------------------------------------------------- 8. advice that fits

def test_a_damaged_ledger_met_by_requests_says_to_move_it_not_to_run_requests(
        runner, project: Path):
    issue(runner, project)
    (project / "out/requests/round.json").write_text("[1]")
    done = run(runner, "requests", "--project", str(project))
    assert done.exit_code == 1
    said = done.stderr.split("round.json: ", 1)[1]
    assert said.startswith("the round's ledger cannot be read (it holds no agencies): move "
                           "it out of")
    assert "issue the requests again" not in said
    assert (project / "out/requests/round.json").read_text() == "[1]"  # kept as it was
    elsewhere = run(runner, "round", "--project", str(project))
    assert elsewhere.exit_code == 1 and "issue the requests again" in elsewhere.stderr


def test_new_blames_the_section_given_not_a_ref_never_given(runner, tmp_path: Path):
    import shutil

    fenland = tmp_path / "fenland"
    shutil.copytree(Path(__file__).parent / "data" / "fenland", fenland)
    done = run(runner, "new", "action", "--section", "9", "--project", str(fenland))
    assert done.exit_code == 2
    assert "--section" in done.stderr and "REF" not in done.stderr
    assert "'9' is not a section of refs like 1.1.1" in done.stderr
    bad_ref = run(runner, "new", "action", "x.y", "--project", str(fenland))
    assert bad_ref.exit_code == 2 and "REF" in bad_ref.stderr
