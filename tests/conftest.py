"""Shared fixtures: a fresh copy of the shipped project for every test that changes files."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from psa_report.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED_COPY = Path(__file__).resolve().parent / "data" / "seed-2010-06.txt"


#: What makes a test slow: a second client (LibreOffice, Chromium), or a large plan.
SLOW = re.compile(r"soffice|chromium|check-page\.mjs|serve-reload\.mjs|sized_plan|"
                  r"browser_check|node_modules|mkdocs")


def pytest_collection_modifyitems(config, items):
    """Mark as ``slow`` every test that starts LibreOffice or Chromium or builds a large
    plan, by its own code, its fixtures' and the helpers its module defines for it, so
    `make test-fast` (pytest -m "not slow") skips them and a new test is classified by
    what it does, not by remembering a marker."""
    for item in items:
        function = getattr(item, "function", None)
        if function is None or item.get_closest_marker("slow"):
            continue
        sources = [inspect.getsource(function)]
        for name in item.fixturenames:
            defs = item._fixtureinfo.name2fixturedefs.get(name) or ()
            sources += [inspect.getsource(d.func) for d in defs if d.func is not None]
        module = inspect.getmodule(function)
        called = set(re.findall(r"\b(\w+)\(", "".join(sources)))
        for name in called:
            helper = getattr(module, name, None)
            if inspect.isfunction(helper) and helper.__module__ == module.__name__:
                sources.append(inspect.getsource(helper))
        if any(SLOW.search(s) for s in sources):
            item.add_marker(pytest.mark.slow)


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


# ---------------------------------------------------------------- git repositories

ENV = {**os.environ, "GIT_AUTHOR_NAME": "Analyst", "GIT_AUTHOR_EMAIL": "analyst@example.org",
       "GIT_COMMITTER_NAME": "Analyst", "GIT_COMMITTER_EMAIL": "analyst@example.org",
       "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = dict(ENV)
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when}T12:00:00+00:00"
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def edit(project: Path, relative: str, old: str, new: str) -> None:
    """Replace the first ``old`` in one file of the project with ``new``."""
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def repo(project: Path) -> Path:
    """The shipped plan committed and tagged as sent to the June 2010 meeting."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan as sent to the SSP, June 2010", when="2010-06-28")
    git(project, "tag", "ssp-2010-06")
    return project


@pytest.fixture
def meetings(project: Path) -> Path:
    """Three meetings, then the plan as it is now, committed and not yet tagged.

    ssp-2010-06-28 (light tag; the date is in its name): the shipped plan.
    ssp-sept (annotated; its message starts "2010-09-27", its commit is of 20 September):
      3.2.1 off track -> on track, R1 not started -> on track, 3.2.3 on track -> at risk.
    ssp-2010-12 (light; a month only, so dated by its commit, 6 December 2010):
      3.2.2 off track -> at risk, 5.2.3 added (not started).
    Now (committed 10 March 2011, report of 14 March for the meeting of 21 March 2011):
      3.2.3 at risk -> on track, 3.2.4 on track -> off track, 5.2.3 not started -> at risk,
      R6 added (not started), R5 removed; 3.2.5 unchanged.
    """
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan for the June meeting", when="2010-06-28")
    git(project, "tag", "ssp-2010-06-28")

    edit(project, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
    edit(project, "actions/recommendations/R1.yaml", "status: not started", "status: on track")
    edit(project, "actions/data-gaps/3.2.3.yaml", "status: on track", "status: at risk")
    git(project, "commit", "-q", "-am", "September updates", when="2010-09-20")
    git(project, "tag", "-a", "-m", "2010-09-27 Safer Stockton Partnership\n\nSent on 20th.",
        "ssp-sept", when="2010-09-20")

    edit(project, "actions/data-gaps/3.2.2.yaml", "status: off track", "status: at risk")
    (project / "actions/data-gaps/5.2.3.yaml").write_text(
        "ref: 5.2.3\ngap: Night-time economy data.\nlead: SBC\naction: Source it.\n"
        "update: Not yet begun.\nstatus: not started\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "December updates", when="2010-12-06")
    git(project, "tag", "ssp-2010-12")

    edit(project, "actions/data-gaps/3.2.3.yaml", "status: at risk", "status: on track")
    edit(project, "actions/data-gaps/3.2.4.yaml", "status: on track", "status: off track")
    edit(project, "actions/data-gaps/5.2.3.yaml", "status: not started", "status: at risk")
    edit(project, "actions/data-gaps/5.2.3.yaml", "Not yet begun.", "Begun, but short of staff.")
    (project / "actions/recommendations/R6.yaml").write_text(
        "ref: R6\nrecommendation: Review the night-time economy.\n"
        "update: Agreed in principle.\nstatus: not started\n")
    git(project, "rm", "-q", "actions/recommendations/R5.yaml")
    edit(project, "actions/report.yaml", "date: 2010-06-28",
         "date: 2011-03-14\nmeeting_date: 2011-03-21")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "March updates", when="2011-03-10")
    return project


#: The shipped default plan.yaml's statuses, by name (the shape of the plan in actions/).
def _statuses():
    from psa_report.shape import default_shape

    return {s.name: s for s in default_shape().statuses}


STATUS = _statuses()


def issue_on(monkeypatch, day) -> None:
    """`psa-report requests` issues its round on ``day`` (a date), not today: the shipped
    2010 plan's round is asked for replies by a day of 2010, and a reply-by date before
    the day of issue is refused."""
    from psa_report.commands import partners

    monkeypatch.setattr(partners, "issue_day", lambda: day)
