"""Control and invisible characters: refused at their file, line and column by `check`,
so no later command (a Word report, a partner workbook) meets them; refs are short."""

from __future__ import annotations

import re

import pytest
from conftest import edit, run

GAP = "actions/data-gaps/3.2.1.yaml"
FORM_FEED = "actions/data-gaps/3.2.1.yaml:3:11: gap: the text holds U+000C FORM FEED"


@pytest.mark.parametrize("command", [
    ("check",), ("build", "--format", "docx"), ("build", "--format", "html"),
    ("requests",), ("list",), ("overdue", "--format", "csv"),
])
def test_a_form_feed_stops_every_command_at_its_place(runner, project, command):
    path = project / GAP
    path.write_text(re.sub(r"gap: >-\n(  .*\n)+", 'gap: "form\\\\ffeed"\n', path.read_text()))
    result = run(runner, *command, "--project", str(project))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(FORM_FEED), result.stderr
    assert "internal error" not in result.stderr
    assert not (project / "out").exists()


@pytest.mark.parametrize("cell, message", [
    ("form\fon track", "U+000C FORM FEED, a control character"),
    ("Reads \u202ebackwards", "U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_import_refuses_the_same_characters_in_a_cell(runner, project, tmp_path, cell,
                                                     message):
    table = tmp_path / "t.tsv"
    table.write_text("Ref\tData gap\tLead\tAction\tUpdate\tStatus\n"
                     f"9.9.9\tA gap\tSBC\tAn action\t{cell}\ton track\n", encoding="utf-8")
    result = run(runner, "import", "--project", str(project), str(table))
    assert result.exit_code == 1, result.output
    assert message in result.stderr and f"{table}:2" in result.stderr, result.stderr
    assert not (project / "actions/data-gaps/9.9.9.yaml").exists()


def test_import_refuses_an_invisible_character_in_a_ref(runner, project, tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text("Ref\tData gap\tLead\tAction\tUpdate\tStatus\n"
                     "9.9.9\u200b\tA gap\tSBC\tAn action\tDone\ton track\n", encoding="utf-8")
    result = run(runner, "import", "--project", str(project), str(table))
    assert result.exit_code == 1, result.output
    assert "U+200B ZERO WIDTH SPACE, an invisible character" in result.stderr
    assert not list((project / "actions/data-gaps").glob("9.9.9*"))


def test_set_refuses_a_control_character_and_writes_nothing(runner, project):
    before = (project / GAP).read_bytes()
    result = run(runner, "set", "3.2.1", "--update", "form\ffeed", "--project", str(project))
    assert result.exit_code == 1
    assert "U+000C FORM FEED" in result.stderr and "internal error" not in result.stderr
    assert (project / GAP).read_bytes() == before


@pytest.mark.parametrize("length", [21, 245, 255, 300])
def test_a_ref_too_long_is_refused_plainly_by_new_set_and_check(runner, project, length):
    ref = "3.2." + "1" * (length - 4)
    message = f"{ref[:20]!r}... is too long for a ref ({length:,} characters; at most 20)"
    made = run(runner, "new", "data-gap", ref, "--project", str(project))
    assert made.exit_code == 2 and message in made.stderr, made.output
    changed = run(runner, "set", ref, "--status", "on track", "--project", str(project))
    assert changed.exit_code == 2 and message in changed.stderr, changed.output
    edit(project, GAP, "ref: 3.2.1", f"ref: {ref}")
    checked = run(runner, "check", "--project", str(project))
    assert checked.exit_code == 1 and message in checked.stderr
    assert f"{GAP}:2:6: ref: {ref[:20]!r}... is too long" in checked.stderr
    assert "internal error" not in checked.stderr + made.stderr + changed.stderr


def test_import_refuses_a_ref_too_long_plainly(runner, project, tmp_path):
    table = tmp_path / "t.tsv"
    ref = "9.9." + "9" * 251
    table.write_text("Ref\tData gap\tLead\tAction\tUpdate\tStatus\n"
                     f"{ref}\tA gap\tSBC\tAn action\tDone\ton track\n", encoding="utf-8")
    result = run(runner, "import", "--project", str(project), str(table))
    assert result.exit_code == 1, result.output
    assert (f"t.tsv:2: row {ref[:20]}...: Ref: {ref[:20]!r}... is too long for a ref (255 "
            "characters; at most 20)") in result.stderr, result.stderr
    assert "internal error" not in result.stderr


def test_a_control_character_in_last_meeting_is_refused_at_its_line(runner, project):
    """(Before the character rule it was refused as "not a revision name".)"""
    path = project / "actions/report.yaml"
    text = path.read_text()
    line = len(text.splitlines()) + 1
    path.write_text(text + 'last_meeting: "t0\\x01"\n')
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"actions/report.yaml:{line}:18: last_meeting: the text "
                                    "holds U+0001 START OF HEADING"), result.stderr
