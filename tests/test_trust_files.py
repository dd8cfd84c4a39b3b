"""Only the user's own text files are read, and what they typed is what they get.

Links, unreadable folders, pipes and devices, Office files and misfiled items in
actions/ are each named plainly; odd characters in the text do not move line
numbers or turn text into YAML machinery.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run

from psa_report.loader import load_text
from psa_report.problems import Invalid

GAP = ("ref: {ref}\ngap: {gap}\nlead: SBC\naction: Check the records.\n"
       "update: {update}\nstatus: {status}\n")


def gap_text(ref="3.2.1", gap="Ages are not recorded.", update="Agreed.",
             status="on track") -> str:
    return GAP.format(ref=ref, gap=gap, update=update, status=status)


def check(runner, project: Path):
    result = run(runner, "check", "--project", str(project))
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------- 4. `=` and `<<` are plain text

def test_a_value_that_is_just_equals_or_chevrons_is_text():
    doc = load_text("update: =\naction: <<\nlead:\n  - =\n  - <<\n", "x.yaml")
    assert doc.data == {"update": "=", "action": "<<", "lead": ["=", "<<"]}


def test_a_merge_key_and_an_explicit_tag_are_still_refused():
    for text in ("base: &b {lead: SBC}\n<<: *b\n", "update: !!value =\n"):
        try:
            load_text(text, "x.yaml")
        except Invalid as invalid:
            assert "not allowed" in str(invalid)
        else:  # pragma: no cover
            raise AssertionError(f"accepted: {text!r}")


def test_check_accepts_an_update_of_just_equals(runner, project):
    path = project / "actions/data-gaps/3.2.1.yaml"
    path.write_text(gap_text(update="="), encoding="utf-8")
    result = check(runner, project)
    assert result.exit_code == 0, result.output


# ------------------------------------- 5. Unicode line separators do not move lines

def test_line_separators_in_text_do_not_move_later_line_numbers(runner, project):
    gap = "Ages\u2028are not\u2029recorded\x85at all."
    path = project / "actions/data-gaps/3.2.1.yaml"
    path.write_text(gap_text(gap=gap, status="sideways"), encoding="utf-8")
    assert path.read_text(encoding="utf-8").split("\n")[5] == "status: sideways"
    result = check(runner, project)
    assert result.exit_code == 1
    assert result.stderr.startswith("actions/data-gaps/3.2.1.yaml:6:9: status:"), result.stderr


def test_line_separators_come_back_exactly_in_the_data():
    text = 'gap: Ages\u2028are\x85not recorded\nquoted: "a\u2029b"\nlate: x\u2028\n'
    doc = load_text(text, "x.yaml")
    assert doc.data == {"gap": "Ages\u2028are\x85not recorded", "quoted": "a\u2029b",
                        "late": "x\u2028"}
    assert doc.mark(("late",)) == (3, 7)


def test_a_placeholder_character_already_in_the_text_is_kept_too():
    text = "gap: a\ue000b\u2028c\n"
    assert load_text(text, "x.yaml").data == {"gap": "a\ue000b\u2028c"}
