"""Issue 31: each command imports only what it uses, and the preview re-reads only the
files that changed (structural tests: what is imported, what is read; never timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: What `check`, `overdue` and `list` never need: the planner's rendering parts, the
#: figures' view, the template engine, the PDF printer and the Office writers.
NEVER = ("weasyprint", "jinja2", "psa_report.plan", "psa_report.progress",
         "psa_report.figures_view", "psa_report.render", "psa_report.report",
         "openpyxl", "docx")

PROBE = """\
import json, sys
from psa_report.cli import main
try:
    main(sys.argv[1:])
except SystemExit as end:
    assert end.code in (0, None), end.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported(project: Path, *command: str) -> set[str]:
    """The modules loaded by one run of ``psa-report <command>`` in a fresh Python."""
    done = subprocess.run([sys.executable, "-c", PROBE, *command, "--project", str(project)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in NEVER or m.split(".")[0] in NEVER)


@pytest.mark.parametrize("command", [["check"], ["overdue", "--as-of", "2010-06-28"],
                                     ["list"], ["show", "3.2.1"]])
def test_reading_commands_import_no_rendering_part(project, command):
    modules = imported(project, *command)
    assert "psa_report.project" in modules  # the probe saw the command run
    assert heavy(modules) == []


@pytest.mark.parametrize("command", [["check"], ["overdue", "--as-of", "2011-06-28"],
                                     ["list"]])
def test_nor_in_git_with_meetings_tagged(meetings, command):
    """In git, with meeting tags and last_meeting (history's code runs), the same."""
    modules = imported(meetings, *command)
    assert "psa_report.project" in modules
    assert heavy(modules) == []


def test_overdue_finds_what_it_did_through_the_plan(project):
    """`overdue` no longer goes through psa_report.plan: the same rows as the report's."""
    from psa_report.deadlines import overdue
    from psa_report.plan import plan_report
    from psa_report.project import load_project

    loaded = load_project(project)
    as_of = __import__("datetime").date(2011, 6, 28)
    rows = overdue(loaded, as_of)
    assert rows, "the shipped plan has actions overdue in June 2011"
    assert plan_report(loaded, as_of).overdue == rows


def test_nothing_is_read_at_import():
    """Importing what these commands load reads no file and builds no shape: the
    default plan.yaml is read when a plan without its own is loaded, not before. (With
    pydantic's plugin search off, as the console entry point sets it.)"""
    code = ("import builtins, io, os\nseen = []\nopen_, os_open = io.open, os.open\n"
            "def spy(file, *a, **k):\n    seen.append(str(file))\n    return open_(file, *a, **k)\n"
            "def os_spy(file, *a, **k):\n    seen.append(str(file))\n"
            "    return os_open(file, *a, **k)\n"
            "builtins.open = io.open = spy\nos.open = os_spy\n"
            "import psa_report.cli, psa_report.project, psa_report.validate, "
            "psa_report.commands.check, psa_report.commands.overdue, "
            "psa_report.commands.listing, psa_report.glyphs, psa_report.history\n"
            "assert not seen, seen\n"
            "from psa_report import shape\nassert shape.default_shape.cache_info().currsize == 0\n"
            "shape.default_shape()\nassert any(f.endswith('default.yaml') for f in seen), seen\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"})
    assert done.returncode == 0, done.stderr
