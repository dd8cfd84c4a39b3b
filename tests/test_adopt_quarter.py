"""A quarter without surprises (issue 29): `init --from` a tracker like Northmoor's ASB plan
takes its Due column as the deadline (its Start is a date), reads the date words trackers
write, names the partnership from the banner, keeps the notes row out of the cover, and
puts the plan in git with a first commit."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import run
from openpyxl import Workbook
from test_partners import fill

from psa_report.dates import Due, parse_due
from psa_report.loader import load_file
from psa_report.project import load_project

BANNER = "Northmoor Community Safety Partnership - ASB Action Plan 2026/27"
NOTE = ("Notes: RAG as at 30 September 2026; dates are the financial year's quarters where "
        "no month is agreed.")
HEADERS = ["Ref", "Action", "Lead", "Start", "Due", "RAG", "Update"]
LEADS = ["Police", "Council", "Housing", "Fire and Rescue", "Youth Service"]

#: Each action's Start and Due as typed, and what the Due means (None: no date in it).
DUES: list[tuple[object, object, Due | None]] = [
    (datetime(2026, 4, 1), "End Mar 27", Due(date(2027, 3, 31), month_only=True)),
    (datetime(2026, 4, 1), "End Sep 26", Due(date(2026, 9, 30), month_only=True)),
    (datetime(2026, 1, 12), "Apr-26", Due(date(2026, 4, 30), month_only=True)),
    (datetime(2026, 5, 1), "Q1 27/28", Due(date(2027, 6, 30), period="quarter")),
    (datetime(2026, 6, 1), "Summer 2027", Due(date(2027, 8, 31), month_only=True)),
    (datetime(2026, 4, 1), "Quarterly", None),
    (datetime(2026, 7, 1), "TBC", None),
    (datetime(2026, 4, 15), "Mar 27", Due(date(2027, 3, 31), month_only=True)),
    (datetime(2026, 4, 1), "31.03.27", Due(date(2027, 3, 31))),
    (datetime(2026, 9, 1), "Q4", Due(date(2027, 3, 31), period="quarter")),
    (datetime(2026, 4, 1), "Ongoing", Due(date.max, period="ongoing")),
    (datetime(2026, 2, 1), datetime(2026, 6, 30), Due(date(2026, 6, 30))),
    (datetime(2026, 4, 1), datetime(2027, 1, 31), Due(date(2027, 1, 31))),
    (datetime(2026, 8, 1), "Winter 2026", Due(date(2027, 2, 28), month_only=True)),
    (datetime(2026, 4, 1), "Spring 2027", Due(date(2027, 5, 31), month_only=True)),
    (datetime(2026, 5, 20), "Autumn 2026", Due(date(2026, 11, 30), month_only=True)),
    (datetime(2026, 4, 1), "End Dec 26", Due(date(2026, 12, 31), month_only=True)),
    (datetime(2026, 3, 1), "Aug-26", Due(date(2026, 8, 31), month_only=True)),
    (datetime(2026, 4, 1), "Q2 26/27", Due(date(2026, 9, 30), period="quarter")),
    (datetime(2026, 6, 15), "Q3 2026/27", Due(date(2026, 12, 31), period="quarter")),
    (datetime(2026, 4, 1), "27/28", Due(date(2028, 3, 31), period="year")),
    ("Apr-26", "End Jun 27", Due(date(2027, 6, 30), month_only=True)),
    (datetime(2026, 4, 1), "30/11/2026", Due(date(2026, 11, 30))),
    (datetime(2026, 7, 1), "TBC", None),
    (datetime(2026, 4, 1), "Sept 2026", Due(date(2026, 9, 30), month_only=True)),
]
RAGS = ["G", "A", "R", "G", "G", "A", "G", "Complete", "G", "A", "G", "R", "G", "G", "A",
        "G", "G", "Complete", "A", "G", "G", "G", "R", "A", "G"]
REFS = [f"ASB{n:02d}" for n in range(1, 26)]


def northmoor_xlsx(path: Path) -> Path:
    """The issue's tracker: a banner, the header, a notes row, 25 actions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "ASB Action Plan"
    sheet.append([BANNER])
    sheet.merge_cells("A1:G1")
    sheet.append(HEADERS)
    sheet.append([NOTE])
    sheet.merge_cells("A3:G3")
    for n, ((start, due, _), rag) in enumerate(zip(DUES, RAGS, strict=True), 1):
        sheet.append([REFS[n - 1], f"ASB action {n}: patrols and outreach in ward {n}.",
                      LEADS[n % len(LEADS)], start, due, rag, f"Update for action {n}."])
    for row in sheet.iter_rows(min_row=4, min_col=4, max_col=5):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy"
    book.save(path)
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home whose git knows the analyst (as on a set-up PC)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Analyst\n\temail = analyst@example.org\n",
                                     encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def adopted(runner, tmp_path, home):
    tracker = northmoor_xlsx(tmp_path / "northmoor-asb.xlsx")
    folder = tmp_path / "asb-plan"
    result = run(runner, "init", str(folder), "--from", str(tracker))
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_the_due_column_is_the_deadline_and_start_a_date(adopted):
    folder, out = adopted
    fields = load_file(folder / "actions/plan.yaml", "plan.yaml").data["kinds"][0]["fields"]
    types = {f["label"]: f["type"] for f in fields}
    assert types["Due"] == "due" and types["Start"] == "date"
    assert [f["label"] for f in fields if f["type"] == "due"] == ["Due"]
    assert "the deadline: Due (column E) → due; Start is a date, not the deadline" in out
    assert "Start → start (date)" in out
    items = {i.ref: i for i in load_project(folder).kind_items["action"]}
    assert sorted(items) == REFS
    assert items["ASB01"].get("start") == date(2026, 4, 1)
    assert items["ASB22"].get("start_as_written") == "Apr-26"  # a month: kept as text
    for ref, (_, typed, meant) in zip(REFS, DUES, strict=True):
        item = items[ref]
        if meant is None:
            assert item.due is None and item.get("due_as_written") == typed, ref
        else:
            assert item.due == meant, (ref, typed, item.due)


def test_date_words_are_read_and_said(adopted):
    folder, out = adopted
    due_line = next(line for line in out.splitlines() if line.startswith("Due → due (due)"))
    assert "'End Mar 27' as March 2027 (row 4)" in due_line
    assert "'Q1 27/28' as Q1 2027/28 (April to June 2027) (row 7)" in due_line
    assert "'Summer 2027' as August 2027 (row 8)" in due_line
    assert "'Q4' as Q4 2026/27 (January to March 2027) (its year from the tracker's title)" \
        in due_line
    assert "no date in 'Quarterly', 'TBC': kept as written" in due_line
    assert "3 cells not a date or period: rows 9, 10, 27 (kept as text in due_as_written)" \
        in due_line
    # A quarter alone is written with its year, so the file means the same to check.
    text = (folder / "actions/actions/ASB10.yaml").read_text(encoding="utf-8")
    assert "due: Q4 2026/27\n" in text
    # Each due as written reads back through the one parser as what was inferred.
    for ref, (_, _, meant) in zip(REFS, DUES, strict=True):
        data = load_file(folder / f"actions/actions/{ref}.yaml", ref).data
        if meant is not None:
            assert parse_due(str(data["due"]), periods=True) == meant


def test_check_passes_and_overdue_goes_by_the_due_column(runner, adopted):
    folder, _ = adopted
    checked = run(runner, "check", "--project", str(folder))
    assert checked.exit_code == 0, checked.output
    late = run(runner, "overdue", "--project", str(folder), "--as-of", "2026-10-01",
               "--format", "csv")
    assert late.exit_code == 0, late.output
    listed = {line.split(",")[0] for line in late.stdout.splitlines()[1:] if line.strip()}
    expected = {ref for ref, (_, _, meant), rag in zip(REFS, DUES, RAGS, strict=True)
                if meant is not None and meant.overdue(date(2026, 10, 1)) and rag != "Complete"}
    assert expected == {"ASB02", "ASB03", "ASB12", "ASB19", "ASB25"}
    assert listed == expected
    # By their Start dates, 24 of them would be (the surprise).
    assert sum(isinstance(s, datetime) and s < datetime(2026, 10, 1) for s, _, _ in DUES) > 20


def test_the_banner_names_the_partnership_and_the_notes_row_is_a_comment(adopted):
    folder, out = adopted
    report = load_file(folder / "actions/report.yaml", "report.yaml").data
    assert report["partnership"] == "Northmoor Community Safety Partnership"
    assert report["title"] == "ASB Action Plan 2026/27"
    assert report["paragraphs"] == ["Members are asked to review the progress report."]
    text = (folder / "actions/report.yaml").read_text(encoding="utf-8")
    assert f"#   northmoor-asb.xlsx: sheet ASB Action Plan, row 3: {NOTE}\n" in text
    assert ("row 1 → report.yaml's partnership (Northmoor Community Safety Partnership) and "
            "title (ASB Action Plan 2026/27)") in out
    assert "row 3: a note inside the table: kept as a comment in report.yaml" in out
    items = load_project(folder).kind_items["action"]
    assert all(i.get("section") is None for i in items)  # the note heads no section


def test_the_plan_is_in_git_and_the_suggested_commit_works(runner, adopted):
    folder, out = adopted
    assert "started a git repository in" in out and "git does not know" not in out
    log = _git(folder, "log", "--format=%an|%s").splitlines()
    assert log == ["Analyst|The plan, as psa-report init wrote it"]
    assert _git(folder, "status", "--porcelain") == ""
    assert "actions/actions/ASB01.yaml" in _git(folder, "ls-files")
    # A round of updates, applied: the commit collect suggests then runs as written.
    issued = run(runner, "requests", "--project", str(folder), "--lead", "Council")
    assert issued.exit_code == 0, issued.output
    book = folder / "out/requests/Council-update-request.xlsx"
    headers = [c.value for c in openpyxl.load_workbook(book)["Updates"][1]]
    update = next(h for h in headers if h and "Update" in h and h.startswith("New"))
    ref = next(r for r, lead in zip(REFS, [LEADS[n % 5] for n in range(1, 26)], strict=True)
               if lead == "Council" and RAGS[REFS.index(r)] != "Complete")
    fill(book, {ref: {update: "Patrols doubled in October."}})
    applied = run(runner, "collect", "--apply", "--project", str(folder), str(book))
    assert applied.exit_code == 0, applied.output
    suggested = applied.stdout.split("Record this round of updates with:\n")[1].strip()
    assert suggested == 'git commit -am "Updates from partners"'
    done = subprocess.run([*suggested.split(" ", 3)[:3], "Updates from partners"],
                          cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    assert len(_git(folder, "log", "--format=%s").splitlines()) == 2


def test_no_identity_still_commits_and_says_so(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # a .gitconfig naming nobody
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    folder = tmp_path / "plan"
    result = run(runner, "init", str(folder))
    assert result.exit_code == 0, result.output
    assert "git does not know who you are, so the first commit is signed psa-report" in \
        result.output
    assert _git(folder, "log", "--format=%an <%ae>") == "psa-report <psa-report@localhost>\n"
    assert _git(folder, "status", "--porcelain") == ""
    assert _git(folder, "config", "--local", "--list").count("user.") == 0  # not kept


def test_no_git_and_a_folder_already_in_git(runner, tmp_path, home):
    tracker = northmoor_xlsx(tmp_path / "t.xlsx")
    plain = tmp_path / "plain"
    assert run(runner, "init", str(plain), "--from", str(tracker), "--no-git").exit_code == 0
    assert not (plain / ".git").exists()
    outer = tmp_path / "outer"
    outer.mkdir()
    _git(outer, "init", "-q")
    result = run(runner, "init", str(outer / "plan"))
    assert result.exit_code == 0, result.output
    assert not (outer / "plan/.git").exists()
    assert f"is inside the git repository at {outer}" in result.output
