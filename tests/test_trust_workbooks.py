"""Trust, round four (issue 28): reading workbooks and adopting trackers.

One bounded reader of .xlsx sheets (psa_report/xlsx.py) for collect and init --from,
stopping at the first cell past the bounds; no column beyond the last one read is
dropped silently; a tracker column headed Exempt; odd folders for init, and a
failing init leaving nothing; agency matching without exponential backtracking; a
control character in a CSV return caught when it is read.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import run
from test_adopt import fenland_xlsx
from test_partners import export_csv, issue

from psa_report import xlsx
from psa_report.adopt import read_tracker
from psa_report.editions import exemptions
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.returns import collect_returns
from psa_report.shape import AmbiguousCell, _readings, match_agencies, normal_word

#: The most a refused wide workbook may take while it is read (openpyxl took gigabytes).
SMALL = 40 * 2**20


def inject(path: Path, sheet: str, rows_xml: str) -> Path:
    """Add ``rows_xml`` at the end of ``sheet``'s data, inside the workbook's zip."""
    with zipfile.ZipFile(path) as source:
        part = xlsx.Book(path.read_bytes(), path.name, xlsx.Limits(10**6, 10**5, 10**9)
                         ).sheet(sheet).part
        items = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == part:
                data = data.replace(b"</sheetData>", rows_xml.encode() + b"</sheetData>")
            out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return path


def wide_rows(first: int, count: int, columns: int = 16_000, text: str | None = None) -> str:
    """``count`` rows from row ``first``, each of ``columns`` cells: blank, or ``text``."""
    rows = []
    for number in range(first, first + count):
        cell = (f'<c t="inlineStr"><is><t>{text}</t></is></c>' if text is not None
                else '<c s="0"/>')
        rows.append(f'<row r="{number}">' + cell * columns + "</row>")
    return "".join(rows)


def peak(call) -> tuple[object, int]:
    """What ``call()`` returns (or the Invalid it raises), and the most memory it took."""
    tracemalloc.start()
    try:
        try:
            result: object = call()
        except Invalid as invalid:
            result = invalid
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def problems_of(result: object) -> str:
    assert isinstance(result, Invalid), result
    return "\n".join(str(p) for p in result.problems)


# ---------------------------------------------------------------- 1. wide rows, bounded


def in_a_process(code: str) -> tuple[str, int]:
    """Run ``code`` in a fresh Python; what it printed, and its peak memory in bytes (its
    own, so nothing else the tests did counts)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", code + "\nimport resource\n"
                           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                          capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent)
    *lines, rss = done.stdout.strip().splitlines()
    return "\n".join(lines), int(rss) * (1 if sys.platform == "darwin" else 1024)


#: Python with openpyxl loaded takes some tens of MB (about 400 MB when the whole suite's
#: environment is in force); openpyxl read these in 2.6 to 4.6 GB.
SMALL_PROCESS = 640 * 2**20


def test_a_tracker_of_wide_rows_is_refused_with_little_memory(tmp_path: Path):
    # ~1.3 million blank cells in rows of 16,000: a file of some tens of kilobytes.
    tracker = inject(fenland_xlsx(tmp_path / "wide.xlsx"), "Action plan",
                     wide_rows(20, 80))
    assert tracker.stat().st_size < 200_000
    said, most = in_a_process(
        "from psa_report.adopt import read_tracker\nfrom psa_report.problems import Invalid\n"
        f"try:\n    read_tracker({str(tracker)!r})\nexcept Invalid as refused:\n"
        "    print(refused.problems[0])")
    assert said.startswith("wide.xlsx: sheet Action plan: has more than 300,000 cells")
    assert most < SMALL_PROCESS


def test_one_wide_row_of_values_is_refused_at_its_first_cell_past_the_bounds(tmp_path: Path):
    tracker = inject(fenland_xlsx(tmp_path / "wide.xlsx"), "Action plan",
                     wide_rows(20, 1, text="x"))
    result, most = peak(lambda: read_tracker(tracker))
    text = problems_of(result)
    assert "wide.xlsx: sheet Action plan" in text
    assert "more than 60 columns (cell BI20 holds 'x', beyond column BH)" in text
    assert most < SMALL


def test_one_wide_row_of_blank_cells_is_read_within_bounds(tmp_path: Path):
    tracker = inject(fenland_xlsx(tmp_path / "wide.xlsx"), "Action plan",
                     wide_rows(20, 1))
    grid, most = peak(lambda: read_tracker(tracker))
    assert not isinstance(grid, Invalid), problems_of(grid)
    assert most < SMALL
    assert grid.rows[5][1].value == "1.1"  # the plan itself read as before
    assert max(column for row in grid.rows.values() for column in row) <= 60


def test_a_return_with_a_wide_row_is_refused_without_openpyxl(project: Path, monkeypatch):
    books = issue(project)
    inject(books["Police"], "Data requirements", wide_rows(40, 1, text="x"))
    loads = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loads.append(1))
    result, most = peak(lambda: collect_returns(load_project(project), [books["Police"]]))
    text = problems_of(result)
    assert "Police-update-request.xlsx: sheet Data requirements" in text
    assert "more than 50 columns (cell AY40 holds 'x', beyond column AX)" in text
    assert "more than an update request ever holds" in text
    assert loads == [] and most < SMALL


def test_a_return_of_many_wide_blank_rows_is_refused(project: Path):
    books = issue(project)
    inject(books["Police"], "Data requirements", wide_rows(40, 30))
    said, most = in_a_process(
        "from psa_report.returns import collect_returns\n"
        "from psa_report.project import load_project\n"
        "from psa_report.problems import Invalid\n"
        f"try:\n    collect_returns(load_project({str(project)!r}), "
        f"[{str(books['Police'])!r}])\n"
        "except Invalid as refused:\n    print(refused.problems[0])")
    assert said.startswith("Police-update-request.xlsx: sheet Data requirements: has more than "
                           "250,350 cells, more than an update request holds")
    assert most < SMALL_PROCESS


def test_the_bounded_reader_reads_values_as_typed(tmp_path: Path):
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(["text", 3, 2.5, True, datetime(2025, 3, 31), "=1+2"])
    sheet["E1"].number_format = "mmm-yy"
    sheet["A1"].fill = openpyxl.styles.PatternFill("solid", start_color="FFFF0000")
    sheet.merge_cells("A3:C3")
    hidden = book.create_sheet("Old")
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "t.xlsx")
    opened = xlsx.Book((tmp_path / "t.xlsx").read_bytes(), "t.xlsx",
                       xlsx.Limits(rows=10, columns=10, cells=100))
    assert [(s.title, s.state) for s in opened.sheets] == [("Plan", "visible"),
                                                           ("Old", "hidden")]
    (number, cells), = list(opened.rows(opened.sheet("Plan"), formulas=True))
    assert number == 1
    assert [c.value for c in cells] == ["text", 3, 2.5, True, datetime(2025, 3, 31), "=1+2"]
    assert cells[0].fill == "FF0000" and cells[4].number_format == "mmm-yy"
    assert cells[5].formula and opened.sheet("Plan").merged == [(3, 1, 3, 3)]


# ---------------------------------------------------------------- 2. no silent drop


def test_a_value_beyond_column_bh_is_refused_by_its_cell(tmp_path: Path, runner):
    tracker = fenland_xlsx(tmp_path / "fen.xlsx")
    book = openpyxl.load_workbook(tracker)
    book["Action plan"]["BJ6"] = "a note far to the right"
    book.save(tracker)
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tracker))
    assert result.exit_code == 1, result.output
    assert ("fen.xlsx: sheet Action plan: has more than 60 columns (cell BJ6 holds 'a note "
            "far to the right', beyond column BH)") in result.output
    assert "Traceback" not in result.output and not (tmp_path / "plan").exists()


def test_a_column_at_bh_is_read(tmp_path: Path, runner):
    tracker = fenland_xlsx(tmp_path / "fen.xlsx")
    book = openpyxl.load_workbook(tracker)
    sheet = book["Action plan"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Ref")
    sheet.cell(header, 60).value = "Far note"
    sheet.cell(header + 1, 60).value = "kept"
    book.save(tracker)
    result = run(runner, "init", str(tmp_path / "plan"), "--from", str(tracker))
    assert result.exit_code == 0, result.output
    assert "Far note → far_note" in result.output
    assert "far_note: kept" in (tmp_path / "plan/actions/actions/1.1.yaml").read_text()


# ---------------------------------------------------------------- 3. Exempt column


def test_a_column_headed_exempt_becomes_a_plain_field(tmp_path: Path, runner):
    tracker = tmp_path / "t.csv"
    tracker.write_text("Ref,Action,Lead,Status,Exempt\n1,Do a thing,Police,Green,no\n"
                       "2,Do another,Council,Red,yes\n", encoding="utf-8")
    folder = tmp_path / "plan"
    result = run(runner, "init", str(folder), "--from", str(tracker))
    assert result.exit_code == 0, result.output
    assert re.search(r"Exempt → tracker_exempt \(line\); named tracker_exempt, not exempt",
                     result.output)
    project = load_project(folder)
    assert exemptions(project) == {}  # nothing marked exempt, and no crash reading it
    assert "tracker_exempt: yes" in (folder / "actions/actions/2.yaml").read_text()
    built = run(runner, "build", "--project", str(folder), "--format", "html")
    assert built.exit_code == 0, built.output
    assert "internal error" not in built.output


# ---------------------------------------------------------------- 4. init's folder


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) + sorted(
        p.name for p in folder.iterdir() if p.is_symlink())


@pytest.mark.parametrize("adopting", [False, True])
def test_a_dangling_actions_link_is_refused_before_writing(tmp_path: Path, runner, adopting):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "actions").symlink_to(tmp_path / "nowhere")
    before = listing(folder)
    extra = ["--from", str(fenland_xlsx(tmp_path / "fen.xlsx"))] if adopting else []
    result = run(runner, "init", str(folder), *extra)
    assert result.exit_code == 1, result.output
    assert f"{folder / 'actions'}: is a link to nothing: remove it" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert listing(folder) == before and not (tmp_path / "nowhere").exists()


def test_a_folder_inside_a_file_is_refused(tmp_path: Path, runner):
    (tmp_path / "f").write_text("a file")
    result = run(runner, "init", str(tmp_path / "f" / "p"))
    assert result.exit_code == 1, result.output
    assert f"{tmp_path / 'f'}: is not a folder" in result.output
    assert "internal error" not in result.output


def test_a_schema_file_in_the_way_is_refused_before_writing(tmp_path: Path, runner):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "schema").write_text("mine")
    result = run(runner, "init", str(folder))
    assert result.exit_code == 1, result.output
    assert "schema: is not a plain folder" in result.output
    assert listing(folder) == ["schema"]


@pytest.mark.parametrize("exists", [False, True])
def test_an_init_that_fails_midway_leaves_nothing(tmp_path: Path, runner, monkeypatch,
                                                  exists):
    import psa_report.commands.init as init_module

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(init_module, "write_schemas", full)
    folder = tmp_path / "p" / "q"
    if exists:
        folder.mkdir(parents=True)
    result = run(runner, "init", str(folder))
    assert result.exit_code == 1, result.output
    assert "the project cannot be written here (No space left on device)" in result.output
    assert "nothing was changed" in result.output
    if exists:
        assert listing(folder) == []  # no actions/, no .gitignore, no staging folder
    else:
        assert not (tmp_path / "p").exists()


def test_init_still_writes_a_whole_project(tmp_path: Path, runner):
    folder = tmp_path / "p"
    result = run(runner, "init", str(folder))
    assert result.exit_code == 0, result.output
    load_project(folder)
    assert (folder / "schema/report.schema.json").is_file()
    assert (folder / ".gitignore").is_file()
    assert not [p for p in tmp_path.rglob(".psa-init-*")]
    assert oct(folder.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- 5. agency matching


def _old_readings(words, by_words, longest, limit=6):
    """The recursive search match_agencies used (exponential with no reading), as the
    reference for which readings, in which order."""
    if not words:
        return [[]]
    found = []
    for size in range(min(longest, len(words)), 0, -1):
        name = by_words.get(words[:size])
        if name is None:
            continue
        for rest in _old_readings(words[size:], by_words, longest, limit):
            found.append([name, *rest])
            if len(found) >= limit:
                return found
    return found


AGENCIES = ["Youth", "Offending", "Youth Offending", "Youth Offending Service", "Police",
            "Council"]


@pytest.mark.parametrize("cell", [
    "Youth Offending", "Youth Offending Service", "Youth Offending Police",
    "Youth Offending Youth Offending", "Police Council Youth", "Offending Youth Offending",
    "Youth Offending Zzz", "Council Youth Offending Service Youth", "Police",
])
def test_readings_are_those_of_the_old_search(cell: str):
    by_words = {tuple(normal_word(a).split()): a for a in AGENCIES}
    words = tuple(normal_word(cell).split())
    assert _readings(words, by_words, 3) == _old_readings(words, by_words, 3)


def test_a_long_cell_that_names_no_agency_is_refused_in_few_steps():
    cell = " ".join(["Youth Offending"] * 24) + " Zzz"
    steps = 0

    def count(frame, event, arg):
        nonlocal steps
        if frame.f_code.co_name == "_readings":
            steps += 1
            if steps > 50_000:  # the old search took millions: stop it, and fail
                raise RuntimeError("too many steps")
        return count

    sys.settrace(count)
    try:
        with pytest.raises(ValueError, match="names no known agency at 'zzz'"):
            match_agencies(cell, AGENCIES)
    finally:
        sys.settrace(None)
    assert 0 < steps <= 50_000
    with pytest.raises(AmbiguousCell) as ambiguous:
        match_agencies(" ".join(["Youth Offending"] * 24), AGENCIES)
    assert len(ambiguous.value.candidates) == 5


# ---------------------------------------------------------------- 6. control characters


def test_a_nul_in_a_csv_return_is_refused_when_collected(project: Path):
    books = issue(project)
    target = project / "out/requests/Police-update-request.csv"
    export_csv(books["Police"], target, {"3.2.1": {"New Update": "Line one\x00 two"}})
    with open(target, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    column = header.index("New Update") + 1
    with pytest.raises(Invalid) as caught:
        collect_returns(load_project(project), [target])
    (problem,) = [p for p in caught.value.problems if "U+0000" in p.message]
    assert problem.file == f"Police-update-request.csv: line 2, column {column} (New Update)"
    assert "control character" in problem.message and "save the CSV again" in problem.message
