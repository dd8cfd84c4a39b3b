"""The layers: operations callable without Click, a plan with no models in it, one Jinja
environment, warnings as a tier, and a command reference that cannot drift."""

from __future__ import annotations

import ast
import dataclasses
import gc
import re
from datetime import date

from conftest import REPO, edit, git, run

from psa_report.commands.build import build
from psa_report.commands.check import check
from psa_report.commands.overdue import overdue
from psa_report.models import Record
from psa_report.render import environment, template_dirs
from psa_report.report import build_plan as plan

# ---------------------------------------------------------------- operations

def test_operations_run_without_click_and_return_what_they_wrote(project, tmp_path):
    out = tmp_path / "out"
    result = build(project, "html", out)
    assert result.outputs == [out / "progress-report.html"]
    assert "Data requirements" in result.outputs[0].read_text(encoding="utf-8")
    assert result.warnings == []
    records = overdue(project, date(2010, 10, 1)).records
    assert [r.item.ref for r in records] == ["3.2.5", "5.2.2"]
    assert records[0].as_dict()["days_overdue"] == 1


def test_library_calls_leave_the_garbage_collector_alone(project, tmp_path):
    gc.unfreeze()
    build(project, "html", tmp_path / "out")
    assert gc.get_freeze_count() == 0  # the freeze belongs to the console entry point only


def test_the_cli_holds_no_pipeline_or_formatting_logic():
    source = (REPO / "psa_report/cli.py").read_text(encoding="utf-8")
    for word in ("plan_report", "render_html", "compare(", "json.dumps", "csv.writer",
                 "load_project", "gc."):
        if word == "gc.":
            assert source.count("gc.") == 2  # only freeze_before_print's two calls
        else:
            assert word not in source, word


def _imports(path) -> set[str]:
    """Every module a source file imports, relative imports made absolute."""
    package = "psa_report" + ("" if path.parent.name == "psa_report" else ".commands")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_operation_imports_another_and_the_server_imports_none():
    commands = sorted((REPO / "psa_report/commands").glob("*.py"))
    names = {f"psa_report.commands.{p.stem}" for p in commands} - {
        "psa_report.commands.__init__", "psa_report.commands.common"}
    assert len(names) >= 10
    for path in commands:
        own = f"psa_report.commands.{path.stem}"
        assert not (_imports(path) & (names - {own})), path.name
    served = _imports(REPO / "psa_report/serve.py")
    assert not any(m.startswith("psa_report.commands") for m in served), served
    for path in (REPO / "psa_report").glob("*.py"):  # no stage reaches up to an operation
        if path.name != "cli.py":
            assert not any(m.startswith("psa_report.commands") for m in _imports(path)), path


def test_the_report_builder_leaves_nothing_to_fill(repo):
    planned = plan(repo).plan
    for name in ("travel", "exceptions", "progress", "provenance"):
        assert getattr(planned, name) is not None, name
    assert planned.travel.sentence.startswith("First report")


# ---------------------------------------------------------------- the plan

def _reachable(value, seen=None):
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _reachable(getattr(value, f.name), seen)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _reachable(k, seen)
            yield from _reachable(v, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _reachable(v, seen)


def test_the_plan_holds_no_model_and_templates_name_no_model_attribute(project):
    planned = plan(project).plan
    models = [v for v in _reachable(planned) if isinstance(v, Record)]
    assert models == []
    for template in (REPO / "templates").glob("*.html"):
        assert not re.search(r"\brow\.item\b|\.item\.", template.read_text()), template


def test_a_recommendation_update_in_two_paragraphs_prints_as_two(runner, project):
    path = project / "actions/recommendations/R1.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^update:.*?(?=^\w+:)",
                  "update: |-\n  First paragraph of the update.\n\n"
                  "  Second paragraph of the update.\n", text)
    path.write_text(text, encoding="utf-8")
    assert run(runner, "build", "--format", "html", "--project", str(project)).exit_code == 0
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    assert re.search(r"<p class=\"update\"><strong>UPDATE- First paragraph of the update."
                     r"</strong></p>\s*<p class=\"update\"><strong>Second paragraph of the "
                     r"update.</strong></p>", html)


def test_an_item_under_a_folder_with_a_colon_has_not_moved(runner, project):
    folder = project / "actions/data-gaps/a:b"
    folder.mkdir()
    (project / "actions/data-gaps/3.2.1.yaml").rename(folder / "3.2.1.yaml")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "plan", when="2010-06-28")
    edit(project, "actions/data-gaps/a:b/3.2.1.yaml", "status: off track", "status: on track")
    result = run(runner, "changes", "--since", "HEAD", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "file moved" not in result.output
    assert re.search(r"3\.2\.1\s+changed\s+Status: off track → on track", result.output)


# ---------------------------------------------------------------- rendering

def test_one_jinja_environment_compiles_each_template_once(project):
    dirs = template_dirs(project)
    env = environment(dirs)
    assert environment(template_dirs(project)) is env
    first = env.get_template("report.html")
    assert env.get_template("report.html") is first


def test_an_edited_project_template_is_used_at_once(project, tmp_path):
    own = project / "templates"
    own.mkdir()
    (own / "colophon.html").write_text("<footer>First colophon</footer>\n")
    assert "First colophon" in build(project, "html", tmp_path / "a").outputs[0].read_text()
    (own / "colophon.html").write_text("<footer>Second colophon, longer</footer>\n")
    assert "Second colophon" in build(project, "html", tmp_path / "b").outputs[0].read_text()


# ---------------------------------------------------------------- warnings

def test_a_section_heading_with_no_data_gap_is_a_warning(runner, project):
    edit(project, "actions/report.yaml", "keywords:", "sections:\n  9.9: Nothing here\nkeywords:")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 0
    assert re.search(r"^actions/report\.yaml:44:3: warning: sections: no data gap is in "
                     r"section 9\.9", result.stderr, re.M)
    assert run(runner, "check", "--strict", "--project", str(project)).exit_code == 1


def test_an_open_action_long_past_due_with_no_change_since_is_a_warning(runner, project):
    edit(project, "actions/report.yaml", "date: 2010-06-28", "date: 2011-06-28")
    # Outside git: by the dates alone.
    outside = check(project)
    assert [(w.file, w.line) for w in outside.warnings] == [
        ("actions/data-gaps/3.2.5.yaml", 18), ("actions/data-gaps/5.2.2.yaml", 15)]
    assert "3.2.5 was due September 2010 and is still on track" in outside.warnings[0].message
    # In git: 3.2.5 was committed in 2010 and not touched since; 5.2.2 changed later.
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "plan", when="2010-06-28")
    edit(project, "actions/data-gaps/5.2.2.yaml", "status:", "# progress checked\nstatus:")
    git(project, "commit", "-q", "-am", "later", when="2011-01-05")
    inside = check(project)
    assert [w.file for w in inside.warnings] == ["actions/data-gaps/3.2.5.yaml"]
    assert "its file has not changed since 28 June 2010" in inside.warnings[0].message
    # A complete item long past its deadline is fine.
    edit(project, "actions/data-gaps/3.2.5.yaml", "status: on track", "status: complete")
    assert check(project).warnings == []


def test_the_shipped_plan_has_no_warning(runner):
    result = run(runner, "check", "--strict", "--project", str(REPO))
    assert result.exit_code == 0 and result.stderr == ""


# ---------------------------------------------------------------- the reference

def test_the_command_reference_is_what_the_commands_say():
    from psa_report.clidoc import reference

    committed = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    assert committed == reference(), "docs/cli.md is out of date: run `make docs`"
    from psa_report.cli import main
    for name in main.commands:
        assert f"## psa-report {name}\n" in committed
