"""Partners' updates: editing action files in place, and the update-request workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psa_report.loader import load_text
from psa_report.problems import Invalid
from psa_report.yamledit import replace_values

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "actions").glob("*/*.yaml"))


def lines_outside(text: str, fields: set[str]) -> list[str]:
    """The file's lines, leaving out each named field: its key's line to its value's last text line."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    lines = text.splitlines(keepends=True)
    skip: set[int] = set()
    for key, value in root.value:
        if key.value not in fields:
            continue
        first = key.start_mark.line
        last = value.end_mark.line
        # A block's end mark is after its trailing blank lines (and may be at the
        # start of the next line): step back to its last line holding text.
        if value.end_mark.column == 0 and last > first:
            last -= 1
        while last > first and not lines[last].strip():
            last -= 1
        skip.update(range(first, last + 1))
    return [line for number, line in enumerate(lines) if number not in skip]


# ---------------------------------------------------------------- yamledit

def test_replace_keeps_comments_modeline_and_order():
    path = REPO / "actions/data-gaps/3.2.1.yaml"
    text = path.read_text(encoding="utf-8")
    new = replace_values(text, "3.2.1.yaml", {"status": "on track",
                                              "update": "Ethnicity: now on the template.",
                                              "due": "2010-09"})
    assert new.startswith("# yaml-language-server: $schema=../../schema/data-gap.schema.json\n")
    data = load_text(new, "x").data
    assert data["status"] == "on track"
    assert data["update"] == "Ethnicity: now on the template."
    assert data["due"] == "2010-09"
    assert list(data) == ["ref", "gap", "lead", "action", "update", "status", "due"]
    assert lines_outside(new, {"status", "update", "due"}) == lines_outside(
        text, {"status", "update", "due"})
    # The comment explaining the status still sits right above it.
    assert "# monitoring \"is not possible until this data is available\".\nstatus: on track\n" in new


def test_unchanged_value_leaves_the_file_identical():
    text = (REPO / "actions/data-gaps/4.2.2.yaml").read_text(encoding="utf-8")
    assert replace_values(text, "4.2.2.yaml", {"status": "off track"}) == text


def test_trailing_comment_and_empty_value_kept():
    text = "ref: R9\nupdate: old  # said at the meeting\n\n# why\nstatus: at risk\ndue:   # none yet\n"
    new = replace_values(text, "R9.yaml", {"update": "new", "due": "2011-03"})
    assert new == ("ref: R9\nupdate: new  # said at the meeting\n\n# why\nstatus: at risk\n"
                   "due: 2011-03   # none yet\n")
    # A plain value that becomes a folded block keeps its comment on the header line.
    long = "word " * 30
    new = replace_values(text, "R9.yaml", {"update": long.strip()})
    assert new.startswith("ref: R9\nupdate: >-  # said at the meeting\n  word word")
    assert new.endswith("\n\n# why\nstatus: at risk\ndue:   # none yet\n")


def test_remove_due_deletes_only_its_lines():
    text = "ref: R9\nupdate: x\n# the deadline\ndue: >-\n  2010-09\n\n# last words\nstatus: on track\n"
    new = replace_values(text, "R9.yaml", {"due": None})
    assert new == "ref: R9\nupdate: x\n# the deadline\n\n# last words\nstatus: on track\n"
    # Removing a field that is not there changes nothing.
    assert replace_values(new, "R9.yaml", {"due": None}) == new


def test_required_field_cannot_be_removed():
    text = "ref: R9\nupdate: x\nstatus: on track\n"
    with pytest.raises(Invalid, match="status: is required"):
        replace_values(text, "R9.yaml", {"status": None})


def test_list_fields_are_refused():
    text = "ref: 1.1.1\nlead:\n  - SBC\n  - Police\n"
    with pytest.raises(Invalid, match="only plain values"):
        replace_values(text, "1.1.1.yaml", {"lead": "SBC"})


def test_windows_line_endings_are_kept():
    text = "ref: R9\r\nupdate: x\r\n# c\r\nstatus: on track\r\n"
    new = replace_values(text, "R9.yaml", {"update": "word " * 25 + "end"})
    assert "\n" not in new.replace("\r\n", "")
    assert new.endswith("\r\n# c\r\nstatus: on track\r\n")


#: Text as partners type it: colons, hashes, quotes, line breaks, any script.
partner_text = st.lists(
    st.one_of(st.sampled_from([": ", " #", "#", "'", '"', "\n", "\r\n", "\t", "- ", "|", ">",
                               "{", "[", ",", "&", "*", "!", "%", "@", "`", "\\", "é", "😀",
                               "\u2028", "\x85", "\ufeff", " ", "  ", "word"]),
              st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)),
    max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(SHIPPED), field=st.sampled_from(["update", "status", "due", "ref"]),
       value=partner_text)
def test_any_text_round_trips_exactly(path: Path, field: str, value: str):
    text = path.read_text(encoding="utf-8")
    new = replace_values(text, path.name, {field: value})
    data = load_text(new, "x").data
    assert data[field] == value
    before = load_text(text, "x").data
    assert {k: v for k, v in data.items() if k != field} == {
        k: v for k, v in before.items() if k != field}
    assert lines_outside(new, {field}) == lines_outside(text, {field})
