"""Issue 31: each command imports only what it uses, and the preview re-reads only the
files that changed (structural tests: what is imported, what is read; never timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: What `check`, `overdue` and `list` never need: the planner's rendering parts, the
#: figures' view, the template engine, the PDF printer and the Office writers; nor
#: pydantic (the files are checked by the records of psa_report/models.py).
NEVER = ("weasyprint", "jinja2", "psa_report.plan", "psa_report.progress",
         "psa_report.figures_view", "psa_report.render", "psa_report.report",
         "openpyxl", "docx", "pydantic", "pydantic_core")

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


@pytest.mark.parametrize("command", [["overdue", "--as-of", "2011-06-28"], ["list"]])
def test_git_name_rules_do_not_need_history(meetings, command):
    """report.yaml's meeting_tags and last_meeting are checked by the rules in gitnames.py:
    a command that runs no git imports no git runner (and the models no module that
    imports them back: no import circle)."""
    from psa_report.models import Report

    path = meetings / "actions/report.yaml"
    report = path.read_text(encoding="utf-8")
    assert "meeting_tags:" in report and "last_meeting:" not in report
    path.write_text(report + "last_meeting: ssp-2010-12\n", encoding="utf-8")
    assert {f.name for f in Report.FIELDS} >= {"meeting_tags", "last_meeting"}
    modules = imported(meetings, *command)
    assert "psa_report.gitnames" in modules
    assert "psa_report.history" not in modules and "subprocess" not in modules


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
    default plan.yaml is read when a plan without its own is loaded, not before."""
    code = ("import builtins, io, os\nseen = []\nopen_, os_open = io.open, os.open\n"
            "def spy(file, *a, **k):\n    seen.append(str(file))\n    return open_(file, *a, **k)\n"
            "def os_spy(file, *a, **k):\n    seen.append(str(file))\n"
            "    return os_open(file, *a, **k)\n"
            "builtins.open = io.open = spy\nos.open = os_spy\n"
            "import psa_report.cli, psa_report.project, psa_report.validate, "
            "psa_report.commands.check, psa_report.commands.overdue, "
            "psa_report.commands.listing, psa_report.glyphs, psa_report.history\n"
            "assert not seen, seen\n"
            "from psa_report import shape\nassert shape._default_shape.cache_info().currsize == 0\n"
            "shape.default_shape()\nassert any(f.endswith('default.yaml') for f in seen), seen\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- the preview's kept files

GAP = "actions/data-gaps/3.2.1.yaml"


@pytest.fixture
def reads(monkeypatch, project):
    """The files read through the project's loader, in order (each read is counted).
    The project's files are dated an hour ago, as files not just saved are."""
    from psa_report import project as project_module

    for path in (project / "actions").rglob("*"):
        os.utime(path, ns=(HOUR_AGO, HOUR_AGO))

    seen: list[str] = []
    real = project_module.load_file

    def counting(path, display):
        seen.append(display)
        return real(path, display)

    monkeypatch.setattr(project_module, "load_file", counting)
    return seen


HOUR_AGO = time.time_ns() - 3600 * 10**9


def rewrite(project: Path, relative: str, old: str, new: str, *, when: int | None = None
            ) -> None:
    """Edit a file as a save does; dated ``when`` (else a second after it was, so its
    date differs on any clock and it is not one saved in the last seconds)."""
    path = project / relative
    when = path.stat().st_mtime_ns + 10**9 if when is None else when
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(when, when))


def same_as_fresh(loaded, root: Path) -> None:
    """What was loaded with kept files equals a fresh load, item by item."""
    from psa_report.project import load_project

    fresh = load_project(root)
    assert loaded.items == fresh.items
    assert [i.marks for i in loaded.items] == [i.marks for i in fresh.items]
    assert loaded.kind_items == fresh.kind_items
    assert loaded.sources == fresh.sources
    assert loaded.marks == fresh.marks
    assert loaded.report == fresh.report and loaded.agencies == fresh.agencies
    assert loaded.warnings == fresh.warnings
    assert loaded.shape == fresh.shape


def action_files(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in (project / "actions").rglob("*")
                  if p.is_file())


def test_a_save_of_one_item_rereads_only_that_file(project, reads):
    from psa_report.project import KeptFiles, load_project

    kept = KeptFiles(project)
    first = load_project(project, kept)
    assert sorted(reads) == action_files(project)  # the first build reads everything
    reads.clear()
    again = load_project(project, kept)
    assert reads == []  # nothing changed: nothing read
    same_as_fresh(again, project)

    rewrite(project, GAP, "update: >-\n", "update: >-\n  Kept files test. ")
    reads.clear()
    edited = load_project(project, kept)
    assert reads == [GAP]
    assert edited.find("3.2.1").update.startswith("Kept files test.")
    assert edited.find("3.2.2") is first.find("3.2.2")  # the others are the kept items
    reads.clear()
    same_as_fresh(edited, project)


@pytest.mark.parametrize("shared", ["actions/report.yaml", "actions/agencies.yaml",
                                    "actions/plan.yaml"])
def test_a_change_to_plan_report_or_agencies_rereads_everything(project, reads, shared):
    from psa_report.project import KeptFiles, load_project
    from psa_report.shape import DEFAULT_PLAN

    if shared.endswith("plan.yaml"):  # the shipped plan has none: give it the default's
        (project / shared).write_text(DEFAULT_PLAN.read_text(encoding="utf-8"))
        os.utime(project / shared, ns=(HOUR_AGO, HOUR_AGO))
    kept = KeptFiles(project)
    load_project(project, kept)
    path = project / shared
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))
    reads.clear()
    loaded = load_project(project, kept)
    assert sorted(reads) == action_files(project)
    reads.clear()
    same_as_fresh(loaded, project)


def test_plan_yaml_added_rereads_everything_with_its_shape(project, reads):
    from psa_report.project import KeptFiles, load_project
    from psa_report.shape import DEFAULT_PLAN

    kept = KeptFiles(project)
    load_project(project, kept)
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    old = "heading: {en: Data requirements, cy: Gofynion data}"
    assert old in text
    (project / "actions/plan.yaml").write_text(text.replace(old, "heading: Gaps in the data", 1))
    reads.clear()
    loaded = load_project(project, kept)
    assert sorted(reads) == action_files(project)
    assert loaded.shape.kinds[0].heading == "Gaps in the data"
    assert all(item.kind is loaded.shape.kind(item.kind.name) for item in loaded.items)


def test_a_deleted_file_disappears(project, reads):
    from psa_report.project import KeptFiles, load_project

    kept = KeptFiles(project)
    assert load_project(project, kept).find("3.2.1") is not None
    (project / GAP).unlink()
    reads.clear()
    loaded = load_project(project, kept)
    assert reads == []
    assert loaded.find("3.2.1") is None and "3.2.1" not in loaded.sources
    same_as_fresh(loaded, project)


def test_a_file_saved_twice_in_one_tick_is_read_again(project, reads):
    """Two saves of the same size within one tick of the file system's clock leave the
    same size and date: a file saved in the last seconds is never answered from what
    was kept, so the second save is seen (and a shared file's drops all that was kept)."""
    from psa_report.project import KeptFiles, load_project

    kept = KeptFiles(project)
    load_project(project, kept)
    now = time.time_ns()
    rewrite(project, GAP, "update: >-\n", "update: >-\n  First. ", when=now)
    assert load_project(project, kept).find("3.2.1").update.startswith("First. ")
    rewrite(project, GAP, "First. ", "Again. ", when=now)  # same size, same date
    reads.clear()
    assert load_project(project, kept).find("3.2.1").update.startswith("Again. ")
    assert reads == [GAP]

    path = project / "actions/agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# note\n", encoding="utf-8")
    os.utime(path, ns=(now, now))
    load_project(project, kept)
    reads.clear()
    load_project(project, kept)  # nothing saved since, but agencies.yaml only just was
    assert sorted(reads) == action_files(project)


def test_problems_are_kept_and_cross_file_checks_run_on_kept_files(project, reads):
    """A file with a mistake is reported on every build until it is corrected; a new
    file giving a kept file's ref is caught (the check across files runs every time)."""
    from psa_report.problems import Invalid
    from psa_report.project import KeptFiles, load_project

    kept = KeptFiles(project)
    load_project(project, kept)
    rewrite(project, GAP, "status: off track", "status: sideways")
    for _ in range(2):
        with pytest.raises(Invalid) as caught:
            load_project(project, kept)
        with pytest.raises(Invalid) as fresh:
            load_project(project)
        assert caught.value.problems == fresh.value.problems
        assert any("sideways" in p.message for p in caught.value.problems)
    reads.clear()
    rewrite(project, GAP, "status: sideways", "status: off track")
    load_project(project, kept)
    assert reads == [GAP]

    copy = project / "actions/data-gaps/sub/3.2.1.yaml"
    copy.parent.mkdir()
    copy.write_text((project / GAP).read_text(encoding="utf-8"), encoding="utf-8")
    reads.clear()
    with pytest.raises(Invalid) as caught:
        load_project(project, kept)
    assert reads == ["actions/data-gaps/sub/3.2.1.yaml"]
    assert any("ref: 3.2.1 is also the ref of" in p.message for p in caught.value.problems)


def test_the_preview_build_rereads_only_the_saved_file(project, reads):
    """The preview's build function (what `serve` is handed) keeps its files."""
    from psa_report.report import html_builder

    build = html_builder(project)
    html, _, _ = build()
    assert "Data requirements" in html and "Saved in the preview." not in html
    assert sorted(reads) == action_files(project)
    rewrite(project, GAP, "update: >-\n", "update: >-\n  Saved in the preview. ")
    reads.clear()
    html, _, _ = build()
    assert reads == [GAP]
    assert "Saved in the preview." in html


# ---------------------------------------------------------------- rebuild costs at 1,000

def test_glyph_search_finds_what_the_character_test_finds():
    """glyphs' search at C speed and its character test agree on every character."""
    from psa_report.glyphs import _NOT_PLAIN, _plain

    differ = [hex(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000
              and (_NOT_PLAIN.search(chr(code)) is None) != _plain(chr(code))]
    assert differ == []


def test_missing_glyph_warned_at_its_field(project, monkeypatch):
    from psa_report import glyphs
    from psa_report.project import load_project

    rewrite(project, GAP, "update: >-\n", "update: >-\n  Łódź \u1e9e. ")
    monkeypatch.setattr(glyphs, "_coverage", lambda: ([0], [0x24F]))  # Latin only
    found = glyphs.missing_glyphs(load_project(project))
    assert [(w.file, "U+1E9E" in w.message, "U+0141" in w.message) for w in found] == [
        (GAP, True, False)]


def test_sandbox_answers_as_jinja_when_asked_again():
    """The sandbox keeps Jinja's answer per (type, name): the same answers, every time."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from psa_report.render import Sandbox

    class Lying:
        __class__ = property(lambda self: list)  # noqa: F811 - isinstance sees a list

    jinja, ours = ImmutableSandboxedEnvironment(), Sandbox()
    objects = [[], {}, set(), "text", 3, Lying(), str, len, (lambda: 0), GAP.split, Path(".")]
    names = ["append", "clear", "pop", "upper", "mro", "__class__", "_x", "keys",
             "__globals__", "__code__", "name", "update", "add", "format"]
    for _ in range(2):
        for obj in objects:
            for name in names:
                value = getattr(obj, name, None)
                assert ours.is_safe_attribute(obj, name, value) == \
                    jinja.is_safe_attribute(obj, name, value), (obj, name)
    assert not ours.is_safe_attribute(Lying(), "append", None)  # asked as Jinja asks
