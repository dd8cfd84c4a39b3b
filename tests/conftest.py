"""Shared fixtures: a fresh copy of the shipped project for every test that changes files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from psa_report.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED_COPY = Path(__file__).resolve().parent / "data" / "seed-2010-06.txt"


@pytest.fixture(autouse=True)
def no_internal_error_handler(monkeypatch):
    """An unexpected exception fails the test instead of becoming exit status 1, so a
    test asserting ``exit_code == 1`` cannot pass on a crash. A test of the handler
    itself deletes this variable."""
    monkeypatch.setenv("PSA_REPORT_DEBUG", "1")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped actions/ in a temporary project folder."""
    root = tmp_path / "plan"
    shutil.copytree(REPO / "actions", root / "actions")
    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str):
    """Invoke psa-report; exceptions other than SystemExit fail the test loudly."""
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_COPY.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The shipped project built once per test session: {"html": path, "pdf": path}."""
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["build", "--project", str(REPO), "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {"html": out / "progress-report.html", "pdf": out / "progress-report.pdf"}


@pytest.fixture(scope="session")
def sized_plan(tmp_path_factory):
    """sized_plan(n): a synthetic plan of n items (the benchmark's generator), built once
    per test session into HTML and PDF: {"root", "html", "pdf"}."""
    import importlib.util

    made: dict[int, dict[str, Path]] = {}

    def make(size: int) -> dict[str, Path]:
        if size not in made:
            spec = importlib.util.spec_from_file_location("psa_bench", REPO / "bench/run.py")
            bench = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(bench)
            root = tmp_path_factory.mktemp(f"plan{size}") / "plan"
            bench.make_project(root, size)
            result = CliRunner().invoke(main, ["build", "--project", str(root)],
                                        catch_exceptions=False)
            assert result.exit_code == 0, result.output
            made[size] = {"root": root, "html": root / "out/progress-report.html",
                          "pdf": root / "out/progress-report.pdf"}
        return made[size]

    return make
