"""Trust, round four (issue 28) for the figures: figures/ files read only through the
bounded reader and only inside the project, .zip imports bounded, numbers bounded and
ASCII, names checked at import, crime.csv locked while it is rewritten, impossible
months refused; and (issue 27) one streaming counter whose memory stays flat."""

from __future__ import annotations

import os
import stat
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, run
from test_figures import AREA, HEADER_LINE, INDICATORS, street_rows, two_years, write_street

from psa_report import figures
from psa_report.figures import Source, count_file, import_crime, read_crime


def in_a_subprocess(project: Path, *args: str, seconds: float = 30):
    """psa-report in another process, with a time and a memory limit, so that a
    regression (a FIFO waited on, /dev/zero read) fails the test instead of hanging it."""
    import resource
    import subprocess

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "psa_report", *args, "--project",
                           str(project)], capture_output=True, text=True, timeout=seconds,
                          preexec_fn=limit_memory, cwd=REPO)


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return stderr


# ---------------------------------------------------------------- 1. files read bounded

@pytest.mark.parametrize("command", [("check",), ("build", "--format", "html"), ("figures",)])
def test_a_fifo_as_crime_csv_is_refused_not_waited_on(project, command):
    two_years(project)
    (project / "figures/crime.csv").unlink()
    os.mkfifo(project / "figures/crime.csv")
    done = in_a_subprocess(project, *command)
    assert done.returncode == 1, done.stderr
    assert ("figures/crime.csv: this is a named pipe (FIFO), not an ordinary file, so it "
            "was not read") in one_line(done.stderr)


@pytest.mark.parametrize("command", [("check",), ("build", "--format", "html"), ("figures",)])
def test_a_link_to_dev_zero_as_crime_csv_is_refused(project, command):
    two_years(project)
    (project / "figures/crime.csv").unlink()
    (project / "figures/crime.csv").symlink_to("/dev/zero")
    done = in_a_subprocess(project, *command)
    assert done.returncode == 1, done.stderr
    assert ("figures/crime.csv: this is a link to /dev/zero, outside the project folder, so "
            "it is not read") in one_line(done.stderr)


def test_a_fifo_indicators_file_is_refused(project):
    two_years(project)
    (project / "figures/indicators.yaml").unlink()
    os.mkfifo(project / "figures/indicators.yaml")
    done = in_a_subprocess(project, "figures")
    assert done.returncode == 1
    assert "figures/indicators.yaml: this is a named pipe (FIFO)" in one_line(done.stderr)


def test_figures_files_linked_outside_the_project_are_refused_not_read(runner, project,
                                                                       tmp_path):
    two_years(project)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("crime.csv", "indicators.yaml"):
        (project / "figures" / name).rename(outside / name)
        (project / "figures" / name).symlink_to(outside / name)
    result = run(runner, "figures", "--project", str(project))
    assert result.exit_code == 1
    for name in ("crime.csv", "indicators.yaml"):
        assert (f"figures/{name}: this is a link to {outside / name}, outside the project "
                "folder, so it is not read: copy the file into the project") in result.stderr
    # a figures/ folder linked outside: the same
    for name in ("crime.csv", "indicators.yaml"):
        (project / "figures" / name).unlink()
    (project / "figures").rmdir()
    (project / "figures").symlink_to(outside)
    result = run(runner, "figures", "--project", str(project))
    assert result.exit_code == 1
    assert f"figures/crime.csv: this is a link to {outside / 'crime.csv'}" in result.stderr
    # nor does an import write through such a link
    month = write_street(tmp_path / "2024-01-cleveland-street.csv",
                         street_rows("2024-01", 50, 1))
    before = (outside / "crime.csv").read_bytes()
    result = run(runner, "figures", "import", str(month), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1 and "outside the project folder" in result.stderr
    assert (outside / "crime.csv").read_bytes() == before


def test_a_link_inside_the_project_is_read(runner, project):
    two_years(project)
    (project / "figures/crime.csv").rename(project / "crime-kept.csv")
    (project / "figures/crime.csv").symlink_to("../crime-kept.csv")
    result = run(runner, "figures", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "October to December 2023" in result.output


def test_import_refuses_a_fifo_crime_csv_without_waiting(project, tmp_path):
    (project / "figures").mkdir()
    os.mkfifo(project / "figures/crime.csv")
    month = write_street(tmp_path / "2024-01-cleveland-street.csv",
                         street_rows("2024-01", 50, 1))
    done = in_a_subprocess(project, "figures", "import", str(month), "--area", AREA)
    assert done.returncode == 1
    assert "figures/crime.csv: this is a named pipe (FIFO)" in one_line(done.stderr)


def test_a_month_file_over_the_bound_is_refused_as_it_is_read(monkeypatch, tmp_path):
    path = write_street(tmp_path / "2024-01-cleveland-street.csv",
                        street_rows("2024-01", 200, 1))
    monkeypatch.setattr(figures, "MAX_FILE_BYTES", path.stat().st_size // 2)
    done = count_file(Source(path.name, path), AREA)
    assert [p.message for p in done.problems] == [
        f"is more than {path.stat().st_size // 2:,} bytes, more than any month of police.uk "
        "data, so it was not read: check it is the right file"]
    assert not done.counts


# ---------------------------------------------------------------- 2. zip bombs

def newline_bomb(path: Path, members: int = 2, size: int = 30 << 20) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as packed:
        for index in range(members):
            with packed.open(f"2024-0{index + 1}/2024-0{index + 1}-cleveland-street.csv",
                             "w", force_zip64=True) as member:
                chunk = b"\n" * (1 << 20)
                for _ in range(size >> 20):
                    member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_at_its_member_unread(runner, project, tmp_path):
    bomb = newline_bomb(tmp_path / "police-uk.zip")
    assert bomb.stat().st_size < 200_000
    import tracemalloc

    tracemalloc.start()
    try:
        result = run(runner, "figures", "import", str(bomb), "--area", AREA,
                     "--project", str(project))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1
    lines = one_line(result.stderr).splitlines()
    assert lines[0].startswith(
        f"{os.path.relpath(bomb)}:2024-01/2024-01-cleveland-street.csv: unpacks to "
        "31,457,280 bytes from ")
    assert "which no police.uk file does" in lines[0]
    assert not any("2024-02" in line for line in lines)  # reading stopped at the first
    assert peak < 8 << 20
    assert not (project / "figures").exists()


def test_a_zip_member_over_the_bound_is_refused_by_name(monkeypatch, runner, project,
                                                        tmp_path):
    path = write_street(tmp_path / "2024-01-cleveland-street.csv",
                        street_rows("2024-01", 400, 1))
    archive = tmp_path / "one.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(path, f"2024-01/{path.name}")
    monkeypatch.setattr(figures, "MAX_FILE_BYTES", path.stat().st_size - 1)
    result = run(runner, "figures", "import", str(archive), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    assert (f"{os.path.relpath(archive)}:2024-01/{path.name}: is more than "
            f"{path.stat().st_size - 1:,} bytes, more than any month of police.uk data, so "
            "it was not read") in one_line(result.stderr)


def test_an_import_is_bounded_in_all(monkeypatch, runner, project, tmp_path):
    folder = tmp_path / "download"
    for index in range(4):
        month = f"2024-0{index + 1}"
        write_street(folder / f"{month}-cleveland-street.csv", street_rows(month, 200, index))
    size = (folder / "2024-01-cleveland-street.csv").stat().st_size
    monkeypatch.setattr(figures, "MAX_IMPORT_BYTES", int(size * 2.5))
    result = run(runner, "figures", "import", str(folder), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    problems = [line for line in one_line(result.stderr).splitlines() if ": " in line]
    assert len(problems) == 1, result.stderr
    assert "2024-03-cleveland-street.csv: the files given hold more than" in problems[0]
    assert "import fewer months at a time" in problems[0]
    assert not (project / "figures").exists()


# ---------------------------------------------------------------- 3. numbers

def test_a_5000_digit_target_is_refused_plainly_by_check_and_build(runner, project):
    two_years(project)
    # 900 digits: the digit bound says so; 5,000: refused as a word no line can hold,
    # before any number is read (chars.refused), as plainly, at the same place
    for digits, words in ((900, "target: '999999999999999999999999…' has 900 digits, more "
                                "than any figure needs (at most 15)"),
                          (5000, "the text holds a word of 5,000 letters with no space")):
        (project / "figures/indicators.yaml").write_text(
            INDICATORS.replace("target: 100", "target: " + "9" * digits, 1),
            encoding="utf-8")
        for command in (("check",), ("build", "--format", "html"), ("figures",)):
            result = run(runner, *command, "--project", str(project))
            assert result.exit_code == 1, (command, result.output)
            assert "figures/indicators.yaml:5:13: " in result.stderr, command
            assert words in result.stderr, (command, result.stderr)
            assert "9" * 100 not in result.stderr


@pytest.mark.parametrize(("value", "words"), [
    ("1e5000", "'1e5000' is not a number: write it with the digits 0 to 9"),
    ("'٣٤'", "'٣٤' is not a number: write it with the digits 0 to 9"),
    ("'²'", "'²' is not a number"),
])
def test_indicator_figures_are_ascii_digits(runner, project, value, words):
    two_years(project)
    (project / "figures/indicators.yaml").write_text(
        INDICATORS.replace("2022-11: 40", f"2022-11: {value}", 1), encoding="utf-8")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert f"figures/indicators.yaml:10:16: values.2022-11: {words}" in result.stderr \
        or f"figures/indicators.yaml:10:16: {words}" in result.stderr, result.stderr


@pytest.mark.parametrize(("count", "words"), [
    ("²", "count: '²' is not a whole number of 0 or more: write it with the digits 0 to 9"),
    ("٣", "count: '٣' is not a whole number of 0 or more"),
    ("1" + "0" * 20, "count: '100000000000000000000' is more than 10,000,000"),
    ("9" * 5000, "count: '999999999999999999999999…' is more than 10,000,000"),
])
def test_crime_counts_are_ascii_and_bounded(runner, project, count, words):
    two_years(project)
    path = project / "figures/crime.csv"
    path.write_text(path.read_text().replace("2022-03,Drugs,20", f"2022-03,Drugs,{count}"),
                    encoding="utf-8")
    for command in (("check",), ("build", "--format", "html"), ("figures",)):
        result = run(runner, *command, "--project", str(project))
        assert result.exit_code == 1, (command, result.output)
        assert f"figures/crime.csv:10: {words}" in one_line(result.stderr), result.stderr


def test_a_plans_number_field_is_bounded_and_ascii():
    from psa_report.shape import FieldDef, default_shape, field_value

    DEFAULT_SHAPE = default_shape()  # noqa: N806 - the shipped default plan.yaml's

    field = FieldDef("n", "N", "number")
    with pytest.raises(ValueError) as caught:
        field_value(field, "9" * 900, DEFAULT_SHAPE)
    assert "has 900 digits, more than any figure needs (at most 15)" in str(caught.value)
    with pytest.raises(ValueError) as caught:  # refused as a word no line can hold
        field_value(field, "9" * 5000, DEFAULT_SHAPE)
    assert "a word of 5,000 letters" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        field_value(field, "٣", DEFAULT_SHAPE)
    assert "is not a number" in str(caught.value)
    assert [field_value(field, t, DEFAULT_SHAPE) for t in ("12", "1,200", "0.5", "-4")] == [
        12, 1200, 0.5, -4]


# ---------------------------------------------------------------- 4. names at import

@pytest.mark.parametrize(("kind", "words"), [
    ("Burglary" * 40, "Crime type: is 320 characters long, more than any police.uk "
     "Crime type (at most 200)"),
    ("X" * 200_000, "this line is longer than 8,192 characters"),
    ("Burg\x0blary", "Crime type: the text holds U+000B LINE TABULATION, a control character"),
    ("Burg\x1blary", "Crime type: the text holds U+001B ESCAPE"),
])
def test_bad_crime_types_are_refused_at_their_row(runner, project, tmp_path, kind, words):
    rows = street_rows("2024-01", 20, 3)
    rows[5][8], rows[5][9] = f"{AREA} 001A", kind
    path = write_street(tmp_path / "2024-01-cleveland-street.csv", rows)
    result = run(runner, "figures", "import", str(path), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    assert f"{os.path.relpath(path)}:7: {words}" in one_line(result.stderr), result.stderr
    assert not (project / "figures").exists()


def test_a_long_area_name_in_a_row_is_refused(runner, project, tmp_path):
    rows = street_rows("2024-01", 20, 3)
    rows[2][8] = "Z" * 500
    path = write_street(tmp_path / "2024-01-cleveland-street.csv", rows)
    result = run(runner, "figures", "import", str(path), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    assert f"{os.path.relpath(path)}:4: LSOA name: is 500 characters long" in result.stderr


@pytest.mark.parametrize(("area", "words"), [
    ("S" * 300, "--area: is 300 characters long, longer than any area's name"),
    ("Stockton\x07", "--area: the text holds U+0007 BELL, a control character"),
])
def test_a_bad_area_is_refused(runner, project, tmp_path, area, words):
    path = write_street(tmp_path / "2024-01-cleveland-street.csv",
                        street_rows("2024-01", 20, 3))
    result = run(runner, "figures", "import", str(path), "--area", area,
                 "--project", str(project))
    assert result.exit_code == 2
    assert words in result.output


def test_a_control_character_in_crime_csv_is_named_not_built(runner, project):
    two_years(project)
    path = project / "figures/crime.csv"
    path.write_text(path.read_text().replace("2022-03,Drugs,", "2022-03,Dr\x0cugs,"),
                    encoding="utf-8")
    result = run(runner, "build", "--format", "docx", "--project", str(project))
    assert result.exit_code == 1
    assert ("figures/crime.csv:10: crime_type: the text holds U+000C FORM FEED, a control "
            "character") in one_line(result.stderr)


# ---------------------------------------------------------------- 5. two imports at once

def test_two_imports_at_once_keep_both_months(monkeypatch, project, tmp_path):
    """Each import reads crime.csv, waits, then writes: without the lock both read the
    file before either writes, and one month is lost."""
    first = write_street(tmp_path / "a/2024-01-cleveland-street.csv",
                         street_rows("2024-01", 100, 1))
    second = write_street(tmp_path / "b/2024-02-cleveland-street.csv",
                          street_rows("2024-02", 100, 2))
    reading = threading.Barrier(2)
    real = figures.read_crime
    calls = []

    def slow_read(root):
        counts = real(root)
        calls.append(threading.current_thread().name)
        if calls.count(threading.current_thread().name) == 2:  # under the lock
            try:
                reading.wait(timeout=1)  # both here at once only without the lock
            except threading.BrokenBarrierError:
                pass
        return counts

    monkeypatch.setattr(figures, "read_crime", slow_read)
    errors = []

    def one(path):
        try:
            import_crime(project, [path], AREA)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(p,), name=p.parent.name)
               for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {m for m, _ in real(project)} == {"2024-01", "2024-02"}


def test_crime_csv_keeps_its_mode_and_a_new_one_is_0644(runner, project, tmp_path):
    month = write_street(tmp_path / "2024-01-cleveland-street.csv",
                         street_rows("2024-01", 50, 1))
    old = os.umask(0o022)
    try:
        assert run(runner, "figures", "import", str(month), "--area", AREA,
                   "--project", str(project)).exit_code == 0
    finally:
        os.umask(old)
    path = project / "figures/crime.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    again = write_street(tmp_path / "2024-02-cleveland-street.csv",
                         street_rows("2024-02", 50, 2))
    assert run(runner, "figures", "import", str(again), "--area", AREA,
               "--project", str(project)).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {m for m, _ in read_crime(project)} == {"2024-01", "2024-02"}


def test_crime_csv_is_size_checked_before_it_is_written(monkeypatch, runner, project,
                                                        tmp_path):
    month = write_street(tmp_path / "2024-01-cleveland-street.csv",
                         street_rows("2024-01", 50, 1))
    monkeypatch.setattr(figures, "MAX_CRIME_BYTES", 100)
    result = run(runner, "figures", "import", str(month), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    assert "figures/crime.csv: would be " in result.stderr
    assert "more than figures/crime.csv can be (at most 100), so nothing was written" \
        in result.stderr
    assert not (project / "figures/crime.csv").exists()


# ---------------------------------------------------------------- 6. impossible months

@pytest.mark.parametrize("month", ["0000-01", "1899-12", "9999-01"])
def test_impossible_months_are_refused(runner, project, tmp_path, month):
    two_years(project)
    path = project / "figures/crime.csv"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("2022-03,Drugs", f"{month},Drugs"), encoding="utf-8")
    result = run(runner, "figures", "--project", str(project))
    assert result.exit_code == 1
    assert f"figures/crime.csv:10: month: the year {month[:4]} is not a year figures can " \
        "be for (they can be from 1900 to" in one_line(result.stderr)
    # in a police.uk file
    path.write_text(good, encoding="utf-8")
    rows = street_rows(month, 20, 3)
    street = write_street(tmp_path / f"{month}-cleveland-street.csv", rows)
    result = run(runner, "figures", "import", str(street), "--area", AREA,
                 "--project", str(project))
    assert result.exit_code == 1
    assert f"{os.path.relpath(street)}:2: Month: the year {month[:4]}" in result.stderr
    assert path.read_text(encoding="utf-8") == good
    # in indicators.yaml, and as --period
    (project / "figures/indicators.yaml").write_text(
        INDICATORS.replace("2022-11: 40", f"{month}: 40", 1), encoding="utf-8")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert f"the year {month[:4]} is not a year figures can be for" in result.stderr
    (project / "figures/indicators.yaml").write_text(INDICATORS, encoding="utf-8")
    result = run(runner, "figures", "--period", f"{month[:4]}-Q1", "--project", str(project))
    assert result.exit_code == 2
    assert f"--period: the year {month[:4]} is not a year" in result.output


# ---------------------------------------------------------------- 7. one streaming counter

def test_counting_a_large_file_keeps_memory_flat(tmp_path):
    rows = street_rows("2024-01", 2000, 9)
    path = tmp_path / "2024-01-cleveland-street.csv"
    body = "".join(",".join(row) + "\n" for row in rows).encode()
    with open(path, "wb") as out:
        out.write((HEADER_LINE + "\n").encode())
        for _ in range(40):  # 80,000 rows
            out.write(body)
    size = path.stat().st_size
    assert size > 15 << 20
    import tracemalloc

    tracemalloc.start()
    try:
        done = count_file(Source(path.name, path), AREA)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.problems == [] and done.rows == 80_000
    assert sum(done.counts.values()) == 40 * sum(
        1 for r in rows if r[8].startswith(AREA + " "))
    assert peak < size / 8, (peak, size)


def test_good_figures_still_build_and_import(runner, project, tmp_path):
    two_years(project)
    for command in (("check",), ("figures",), ("build", "--format", "html")):
        result = run(runner, *command, "--project", str(project))
        assert result.exit_code == 0, (command, result.output)


def test_a_file_of_one_endless_line_is_refused_at_line_1(tmp_path):
    path = tmp_path / "2024-01-cleveland-street.csv"
    path.write_bytes(b"x" * (1 << 20))
    done = count_file(Source(path.name, path), AREA)
    assert [(p.line, p.message[:60]) for p in done.problems] == [
        (1, "this is not a police.uk street-level crime file: its first l")]
    assert "at most 8,192 characters" in done.problems[0].message
