"""Trust on the partner surfaces (issue 19): workbooks and CSV never carry a live formula,
the manifest is the record of what was sent, two edits at once never lose one, files
named by the user are bounded, and returns that are not quite right are named plainly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pytest
from conftest import edit, run
from test_partners import fill, snapshot

from psa_report import request_plan, workbook_out
from psa_report.edit import set_fields
from psa_report.emit import emit
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.request_plan import plan_requests
from psa_report.returns import collect_returns
from psa_report.sheets import csv_text
from psa_report.workbook_out import issue_requests

HYPERLINK = '=HYPERLINK("http://x/?"&"'
DDE = "=cmd|' /C calc'!A0"


def hostile(project: Path) -> None:
    """Texts a spreadsheet would read as formulas, in report.yaml, agencies.yaml and a lead."""
    edit(project, "actions/report.yaml", "partnership: Safer Stockton Partnership",
         "partnership: '" + HYPERLINK.replace("'", "''") + "'")
    edit(project, "actions/report.yaml", "meeting: Safer Stockton Partnership",
         'meeting: "' + DDE + '"')
    edit(project, "actions/agencies.yaml", "Police: Cleveland Police",
         'Police: \'x","Click")\'\n"=1+1": "=2+2"')
    edit(project, "actions/data-gaps/3.2.1.yaml", "lead: Police", 'lead: ["=1+1"]')


def test_no_text_becomes_a_formula_in_a_workbook(project: Path):
    hostile(project)
    books = issue_requests(plan_requests(load_project(project)), project / "out/requests")
    assert any(book.agency == "=1+1" for book in books)
    formulas = []
    for book in books:
        loaded = openpyxl.load_workbook(book.path)
        for sheet in loaded.worksheets:
            for row in sheet.iter_rows():
                formulas += [f"{book.path.name}!{sheet.title}!{c.coordinate}: {c.value}"
                             for c in row if c.data_type == "f"]
    assert formulas == []
    police = openpyxl.load_workbook(next(b.path for b in books if b.agency == "Police"))
    assert police["Instructions"]["A1"].value.startswith(HYPERLINK)
    assert police["Instructions"]["A1"].data_type == "s"
    evil = openpyxl.load_workbook(next(b.path for b in books if b.agency == "=1+1"))
    assert evil["Issued"]["B2"].value == "=1+1" and evil["Issued"]["B2"].data_type == "s"


@pytest.mark.parametrize("text", ["=1+1", "+1+cmd", "-5+A1", "-2+3+cmd|' /C calc'!A0",
                                  "@SUM(A1)", "\t=1", "\r=1", "-", DDE])
def test_csv_cells_that_a_spreadsheet_would_evaluate_are_quoted(text):
    assert csv_text(text) == "'" + text
    assert csv_text("3.2.1") == "3.2.1" and csv_text("") == ""


@pytest.mark.parametrize("number", ["-5", "-60", "-20.0", "+3", "-0.5"])
def test_a_plain_number_is_left_as_a_number(number):
    """A signed number is no formula (a spreadsheet reads it as the number it is): figures
    such as a change of -60 stay numbers in the CSV."""
    assert csv_text(number) == number


def test_list_and_overdue_csv_print_no_formula(runner, project: Path):
    hostile(project)
    edit(project, "actions/data-gaps/3.2.5.yaml", "lead: SBC", 'lead: ["=1+1"]')
    listed = run(runner, "list", "--project", str(project), "--format", "csv")
    assert listed.exit_code == 0, listed.output
    assert "3.2.1,data gap,'=1+1,off track" in listed.stdout
    overdue = run(runner, "overdue", "--project", str(project), "--format", "csv")
    assert overdue.exit_code == 0, overdue.output
    assert "3.2.5,'=1+1," in overdue.stdout
    for line in listed.stdout.splitlines() + overdue.stdout.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line


def test_emit_csv_quotes_every_cell(project: Path):
    class Row:
        COLUMNS = (("a", "A"), ("b", "B"))

        def cells(self):
            return {"a": "-5+A1", "b": ["@x", "y"]}

        def as_dict(self):
            return {}

    text = emit([Row()], "csv", columns=Row.COLUMNS)
    assert text.splitlines() == ["a,b", "'-5+A1,'@x; y"]


def test_a_workbook_never_crashes_on_a_control_character(runner, project: Path):
    path = project / "actions/data-gaps/3.2.1.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("update: ", "update: form\ffeed ", 1), encoding="utf-8")
    result = run(runner, "requests", "--project", str(project))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "U+000C" in result.stderr and "3.2.1" in result.stderr
    assert not (project / "out/requests").exists()  # nothing issued


# ---------------------------------------------------------------- the manifest is the record

def issued_row(sheet, ref: str) -> int:
    return next(r for r in range(7, sheet.max_row + 1) if sheet.cell(r, 1).value == ref)


def test_a_tampered_issued_sheet_cannot_overwrite_a_later_edit(project: Path):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    set_fields(project, "3.2.1", status="at risk")  # the officer, after issuing
    book = openpyxl.load_workbook(books["Police"])
    issued = book["Issued"]
    issued.cell(issued_row(issued, "3.2.1"), 3).value = "at risk"  # as if sent so
    book.save(books["Police"])
    fill(books["Police"], {"3.2.1": {"New Status": "On track"}})
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [books["Police"]])
    assert "conflict" in str(refused.value.problems[0])


def test_a_manifest_beside_the_returns_does_not_override_the_projects(project: Path,
                                                                      tmp_path: Path):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    set_fields(project, "3.2.1", status="at risk")
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(books["Police"], {"3.2.1": {"New Status": "On track"}},
         save_as=returns / books["Police"].name)
    manifest = json.loads((project / "out/requests/manifest.json").read_text())
    for book in manifest["workbooks"]:
        for row in book["rows"]:
            if row["ref"] == "3.2.1":
                row["current"]["status"] = "at risk"
    (returns / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [returns])
    assert "conflict" in str(refused.value.problems[0])


def test_a_workbook_under_another_agencys_name_is_named(project: Path, tmp_path: Path):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    returns = tmp_path / "returns"
    returns.mkdir()
    fill(books["Police"], {"3.2.1": {"New Status": "At risk"}},
         save_as=returns / books["Court"].name)
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [returns])
    message = str(refused.value.problems[0])
    assert "sent to Police" in message and "Court-update-request.xlsx" in message


def test_other_spreadsheets_in_a_folder_are_skipped_with_a_word(runner, project: Path,
                                                                tmp_path: Path):
    run(runner, "requests", "--project", str(project), "--lead", "Police")
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(project / "out/requests/Police-update-request.xlsx", returns)
    (returns / "Court-update-request.ods").write_bytes(b"PK")
    (returns / "SBC-update-request.xlsm").write_bytes(b"PK")
    result = run(runner, "collect", "--project", str(project), str(returns))
    assert result.exit_code == 0, result.output
    assert "Court-update-request.ods: a LibreOffice spreadsheet" in result.stdout
    assert "SBC-update-request.xlsm: a workbook with macros" in result.stdout


def test_a_ref_in_another_case_matches(project: Path):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    book = openpyxl.load_workbook(books["Partnership"])
    sheet = book["Recommendations"]  # row[7]: New Status (this kind has no Action column)
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "R1")
    row[0].value = "r1"
    row[7].value = "At risk"
    book.save(books["Partnership"])
    result = collect_returns(load_project(project), [books["Partnership"]])
    assert [(u.ref, u.values) for u in result.updates] == [("R1", {"status": "at risk"})]


@pytest.mark.parametrize("error", ["#REF!", "#N/A", "#VALUE!"])
def test_an_error_cell_is_reported_not_published(project: Path, error: str):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    fill(books["Police"], {"3.2.1": {"New Update": error}})
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [books["Police"]])
    problems = [str(p) for p in refused.value.problems]
    assert any("sheet Data requirements, cell H" in p and error in p for p in problems), \
        problems


# ---------------------------------------------------------------- bounds

def test_requests_refuses_more_rows_than_collect_reads(runner, project: Path, monkeypatch):
    monkeypatch.setattr(request_plan, "MAX_ROWS", 2)  # Police has 3 open actions
    result = run(runner, "requests", "--project", str(project))
    assert result.exit_code == 1
    assert "Police: 3 open actions, more than the 2 rows" in result.stderr
    assert not (project / "out/requests").exists()


def test_a_huge_sheet_is_refused_before_it_is_loaded(project: Path, monkeypatch):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    book = openpyxl.load_workbook(books["Police"])
    sheet = book["Data requirements"]
    for number in range(5, 5010):
        sheet.cell(number, 8).value = "x"
    book.save(books["Police"])
    loads = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        loads.append(kwargs.get("read_only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [books["Police"]])
    assert "rows" in str(refused.value.problems[0])
    assert loads == []  # only the bounded reader's streaming look, never openpyxl


def test_a_sheet_that_understates_its_size_is_still_bounded(project: Path, tmp_path: Path):
    import re
    import zipfile

    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    book = openpyxl.load_workbook(books["Police"])
    for number in range(5, 5010):
        book["Data requirements"].cell(number, 8).value = "x"
    book.save(tmp_path / "big.xlsx")
    lying = tmp_path / books["Police"].name
    with zipfile.ZipFile(tmp_path / "big.xlsx") as source, \
            zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:J4"/>', data)
            out.writestr(info, data)
    with pytest.raises(Invalid) as refused:
        collect_returns(load_project(project), [lying])
    assert "has more than 5,007 rows" in str(refused.value.problems[0])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_or_device_is_refused_without_reading(runner, project: Path, tmp_path: Path):
    fifo = tmp_path / "Police-update-request.xlsx"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = run(runner, "collect", "--project", str(project), str(path))
        assert result.exit_code == 1
        assert "not an ordinary file, so it was not read" in result.stderr
    result = run(runner, "set", "3.2.1", "--update-file", str(fifo), "--project", str(project))
    assert result.exit_code == 1 and "not an ordinary file, so it was not read" in result.stderr


def test_a_closed_stdout_ends_quietly(project: Path):
    for args in (["list"], ["requests"], ["overdue", "--format", "csv"]):
        command = [sys.executable, "-m", "psa_report", *args, "--project", str(project)]
        env = {k: v for k, v in os.environ.items() if k != "PSA_REPORT_DEBUG"}
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env)
        child.stdout.close()  # the reader went away, as `| head` does
        stderr = child.stderr.read()
        child.wait(timeout=120)
        assert "internal error" not in stderr and "Traceback" not in stderr, stderr


# ---------------------------------------------------------------- writing the user's files

def test_two_edits_at_once_never_lose_one(project: Path):
    path = project / "actions/data-gaps/3.2.1.yaml"
    original = path.read_bytes()
    for _trial in range(20):
        path.write_bytes(original)
        outcome: dict[str, object] = {}

        def change(name: str, outcome=outcome, **values) -> None:
            try:
                set_fields(project, "3.2.1", **values)
                outcome[name] = "changed"
            except Invalid as invalid:
                outcome[name] = str(invalid.problems[0])

        threads = [threading.Thread(target=change, args=("status",),
                                    kwargs={"status": "at risk"}),
                   threading.Thread(target=change, args=("due",), kwargs={"due": "2011-03"})]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        item = load_project(project).find("3.2.1")
        landed = {"status": item.status.value == "at risk", "due": str(item.due) == "2011-03"}
        for name in ("status", "due"):
            if outcome[name] == "changed":
                assert landed[name], (name, outcome)  # never a silent loss
            else:
                assert "run the command again" in outcome[name]
                assert not landed[name]


def test_two_set_processes_at_once_never_lose_one(project: Path):
    path = project / "actions/data-gaps/3.2.1.yaml"
    original = path.read_bytes()
    command = [sys.executable, "-m", "psa_report", "set", "3.2.1", "--project", str(project)]
    for _trial in range(4):
        path.write_bytes(original)
        children = [subprocess.Popen(command + ["--status", "at risk"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True),
                    subprocess.Popen(command + ["--due", "2011-03"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)]
        results = [child.communicate(timeout=120) + (child.returncode,) for child in children]
        item = load_project(project).find("3.2.1")
        landed = [item.status.value == "at risk", str(item.due) == "2011-03"]
        for (out, err, code), there in zip(results, landed):
            assert "internal error" not in err
            if code == 0:
                assert "changed" in out and there, (out, err)
            else:
                assert "run the command again" in err or "another psa-report" in err, err


def test_a_change_made_meanwhile_is_not_overwritten(project: Path, monkeypatch):
    from psa_report import edit as edit_module

    path = project / "actions/data-gaps/3.2.1.yaml"
    sneaky = path.read_text().replace("lead: Police", "lead: Police  # edited meanwhile")
    original_publish = edit_module.publish

    def publish(outputs, **kwargs):  # another editor saves just before the rename
        path.write_text(sneaky)
        return original_publish(outputs, **kwargs)

    monkeypatch.setattr(edit_module, "publish", publish)
    with pytest.raises(Invalid, match="changed by someone else"):
        set_fields(project, "3.2.1", status="at risk")
    assert path.read_text() == sneaky  # the other edit kept
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_temp_files_of_a_killed_edit_are_removed_and_never_read(runner, project: Path):
    folder = project / "actions/data-gaps"
    dead = dead_pid()
    stale = [folder / f".3.2.1.yaml.{dead}.abcdefgh.tmp",
             folder / f".3.2.2.yaml.{dead}.abcdefgh.tmp",
             folder / f".3.2.1.yaml.{dead}.abcdefgh.old.tmp"]
    for temp in stale:
        temp.write_text("ref: 3.2.1\nhalf")
    old_style = folder / ".3.2.1.yaml.k3j_x9qa.tmp"  # named without a pid, a day old
    old_style.write_text("half")
    os.utime(old_style, (0, 0))
    lock = folder / ".3.2.1.yaml.lock.tmp"
    lock.write_text(str(dead))  # left by a killed set
    assert run(runner, "check", "--project", str(project)).exit_code == 0
    result = run(runner, "set", "3.2.1", "--status", "at risk", "--project", str(project))
    assert result.exit_code == 0, result.output
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert left == [], left


def test_symlinks_and_hard_links_are_written_through(project: Path):
    folder = project / "actions/data-gaps"
    store = project / "store"
    store.mkdir()
    shutil.move(folder / "3.2.1.yaml", store / "3.2.1.yaml")
    (folder / "3.2.1.yaml").symlink_to(Path("../../store/3.2.1.yaml"))
    set_fields(project, "3.2.1", status="at risk")
    assert (folder / "3.2.1.yaml").is_symlink()
    assert "status: at risk" in (store / "3.2.1.yaml").read_text()
    other = project / "copy-of-3.2.2.yaml"
    os.link(folder / "3.2.2.yaml", other)
    before = os.stat(other).st_ino
    set_fields(project, "3.2.2", status="at risk")
    assert os.stat(folder / "3.2.2.yaml").st_ino == before
    assert "status: at risk" in other.read_text()


def test_collect_apply_refuses_a_file_changed_meanwhile(project: Path, monkeypatch):
    from psa_report.edit import apply_returns

    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    fill(books["Police"], {"3.2.1": {"New Status": "At risk"}})
    result = collect_returns(load_project(project), [books["Police"]])
    set_fields(project, "3.2.1", status="complete")  # someone else, meanwhile
    before = snapshot(project)
    with pytest.raises(Invalid, match="changed since the returns were collected"):
        apply_returns(project, result)
    assert snapshot(project) == before


def test_without_the_manifest_a_workbook_is_not_trusted(project: Path):
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    fill(books["Police"], {"3.2.1": {"New Status": "At risk"}})
    (project / "out/requests/manifest.json").unlink()
    with pytest.raises(Invalid, match="cannot find the record of the requests sent"):
        collect_returns(load_project(project), [books["Police"]])


def test_requests_refuses_a_workbook_larger_than_collect_reads(runner, project: Path,
                                                               monkeypatch):
    monkeypatch.setattr(workbook_out, "MAX_RETURN_BYTES", 1000)
    result = run(runner, "requests", "--project", str(project))
    assert result.exit_code == 1
    assert "more than the 1,000 a return may be" in result.stderr
    folder = project / "out/requests"
    assert not folder.exists() or list(folder.iterdir()) == []  # nothing issued, no temps


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_import_refuses_a_fifo_or_device(runner, project: Path, tmp_path: Path):
    fifo = tmp_path / "table.csv"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = run(runner, "import", str(path), "--project", str(project))
        assert result.exit_code == 1, result.output
        assert "not an ordinary file, so it was not read" in result.stderr


def test_a_plain_file_is_replaced_whole_never_rewritten_in_place(project: Path):
    """A file with no other hard link is replaced by a rename, so a reader meets the old
    text or the new, never half of one (the backup kept while writing is itself a hard
    link, and once made the file look linked and be rewritten in place)."""
    path = project / "actions/data-gaps/3.2.1.yaml"
    before = path.stat().st_ino
    set_fields(project, "3.2.1", status="at risk")
    assert path.stat().st_ino != before and path.stat().st_nlink == 1
    twin = project / "twin.yaml"
    os.link(path, twin)
    linked = path.stat().st_ino
    set_fields(project, "3.2.1", status="on track")
    assert path.stat().st_ino == linked and "status: on track" in twin.read_text()
