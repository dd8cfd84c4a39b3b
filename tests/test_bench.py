"""The benchmark (bench/run.py) still runs: a smoke test at its smallest size.

The benchmark itself is not part of the suite (a full run takes many minutes);
this checks that its synthetic projects are valid plans, that memory is read
per child, and that a tiny run writes the JSON the benchmark table in docs/development.md is made from.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from conftest import REPO, run

from psa_report.project import load_project

BENCH = REPO / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("psa_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [15, 150])
def test_synthetic_project_is_a_valid_plan(bench, tmp_path, runner, size):
    info = bench.make_project(tmp_path / "plan", size)
    project = load_project(tmp_path / "plan")
    gaps = project.kind_items["data gap"]
    assert len(gaps) == info["data_gaps"]
    assert len(project.kind_items["recommendation"]) == info["recommendations"]
    assert len(project.items) == size
    # the mix the issue asks for: several sections, several leads, every status, some due dates
    assert len({gap.section for gap in gaps}) >= 2
    assert any(len(item.lead) > 1 for item in project.items)
    assert {item.status for item in project.items} == set(project.shape.statuses)
    assert any(item.due for item in project.items)
    assert run(runner, "check", "--project", str(tmp_path / "plan")).exit_code == 0


def test_peak_memory_is_each_childs_own(tmp_path):
    # Measured from a small process of its own, as bench/run.py is: Linux counts the
    # memory a child had before exec (its parent's, when forked from a large test run).
    script = (f"import importlib.util, sys\n"
              f"spec = importlib.util.spec_from_file_location('b', {str(BENCH)!r})\n"
              "b = importlib.util.module_from_spec(spec); spec.loader.exec_module(b)\n"
              f"log = {str(tmp_path / 'log')!r}\n"
              "from pathlib import Path\n"
              "_, big = b.measure([sys.executable, '-c', \"x = bytearray(200 * 2**20); "
              "x[::4096] = b'1' * len(x[::4096])\"], Path(log))\n"
              "_, small = b.measure([sys.executable, '-c', 'pass'], Path(log))\n"
              "print(big, small)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    big, small = map(int, done.stdout.split())
    assert big > 200 * 2**20
    assert small < 100 * 2**20  # not the maximum over every child so far


def test_failed_command_stops_the_bench(bench, tmp_path):
    with pytest.raises(SystemExit, match="exit 3"):
        bench.measure([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path / "log")


def test_smallest_run_writes_table_and_json(tmp_path):
    out = tmp_path / "latest.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "15", "--runs", "1", "--json", str(out),
         "--commands", "startup,check,overdue,html"],
        capture_output=True, text=True, timeout=60, check=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"date", "machine", "runs", "commands", "sizes", "targets"}
    assert report["machine"]["cores"] >= 1
    size = report["sizes"]["15"]
    assert size["actions"] == 15 and size["html_bytes"] > 10_000
    assert set(size["results"]) == {"startup", "check", "overdue", "html"}
    for measured in size["results"].values():
        assert 0 < measured["min_s"] <= measured["median_s"] <= measured["max_s"]
        assert measured["peak_rss_mb"] > 1
    statuses = {t["target"]: t["status"] for t in report["targets"]}
    # The verdict follows from the two medians and the limit, whichever it is here.
    floor = {t["target"]: t for t in report["targets"]}["check on 15 actions / start-up floor"]
    ratio = size["results"]["check"]["median_s"] / size["results"]["startup"]["median_s"]
    assert floor["measured"] == pytest.approx(ratio, rel=0.02)
    assert floor["status"] == ("PASS" if floor["measured"] <= floor["limit"] else "FAIL")
    assert statuses["build pdf / WeasyPrint alone, 1,000 actions"] == "SKIP"
    # the table printed has one line per command
    assert "| check " in result.stdout and "| html " in result.stdout


def test_the_police_files_of_the_bench_import_and_duckdb_runs_the_same_query(bench, tmp_path,
                                                                            runner, project):
    import csv
    from collections import Counter

    folder = tmp_path / "police-uk"
    bench.make_police_files(folder, months=2, rows=300)
    files = sorted(folder.rglob("*-street.csv"))
    assert [p.name for p in files] == ["2022-01-cleveland-street.csv",
                                       "2022-02-cleveland-street.csv"]
    result = run(runner, "figures", "import", str(folder), "--area", bench.FIGURES_AREA,
                 "--project", str(project))
    assert result.exit_code == 0, result.output
    expected = Counter()
    for path in files:
        for row in csv.DictReader(open(path, encoding="utf-8")):
            if row["LSOA name"].startswith(bench.FIGURES_AREA + " "):
                expected[(row["Month"], row["Crime type"])] += 1
    rows = list(csv.reader(open(project / "figures/crime.csv", encoding="utf-8")))[1:]
    assert {(m, k): int(n) for m, k, n in rows} == dict(expected)
    duckdb = pytest.importorskip("duckdb")
    query = bench.DUCKDB_QUERY.format(glob=f"{folder}/*/*-street.csv", area=bench.FIGURES_AREA)
    assert {(m, k): n for m, k, n in duckdb.sql(query).fetchall()} == dict(expected)
