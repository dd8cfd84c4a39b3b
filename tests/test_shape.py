"""The plan's shape (issue 20): plan.yaml read and checked, refs by example, statuses,
agencies with spaces, and items validated generically against their kind."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, run

from psa_report.dates import Due
from psa_report.loader import load_file, load_text
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.shape import (
    MAX_REF_LENGTH,
    AmbiguousCell,
    FieldDef,
    Item,
    Kind,
    RefForm,
    Shape,
    StatusDef,
    check_agency_name,
    default_plan_text,
    default_shape,
    field_value,
    match_agencies,
    natural_key,
    read_agencies,
    shape_from_document,
    split_leads,
    validate_item,
)
from psa_report.validate import file_warnings

DEFAULT_SHAPE = default_shape()  # the shipped default plan.yaml's

FENLAND = Path(__file__).resolve().parent / "data" / "fenland"
AGENCIES = {"SBC": "x", "Police": "y", "A&E": "z", "JSU": "j", "Court": "c", "Probation": "p"}


def plan(text: str) -> Shape:
    return shape_from_document(load_text(text, "actions/plan.yaml"))


def plan_problems(text: str) -> list[str]:
    with pytest.raises(Invalid) as caught:
        plan(text)
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- the default shape


def test_the_default_shape_is_todays():
    gap, rec = DEFAULT_SHAPE.kinds
    assert (gap.name, gap.plural, gap.folder, gap.heading, gap.layout, gap.ref.example) == (
        "data gap", "data gaps", "data-gaps", "Data requirements", "table", "3.2.1")
    assert [(f.name, f.label, f.type, f.required) for f in gap.fields] == [
        ("gap", "Data gap", "text", True), ("lead", "Lead", "agencies", True),
        ("action", "Action", "text", True), ("update", "Update", "text", True),
        ("status", "Status", "status", True), ("due", "Due", "due", False)]
    assert (rec.name, rec.folder, rec.heading, rec.layout, rec.ref.example) == (
        "recommendation", "recommendations", "Recommendations", "blocks", "R1")
    assert [(f.name, f.label, f.required) for f in rec.fields] == [
        ("recommendation", "Recommendation", True), ("lead", "Lead", False),
        ("update", "UPDATE", True), ("status", "Status", True), ("due", "Due", False)]
    assert gap.field_names[-2:] == rec.field_names[-2:] == ("indicator", "exempt")  # implied
    assert [f.name for f in gap.fields if f.partners] == ["update", "status", "due"]
    assert DEFAULT_SHAPE.status_required
    assert DEFAULT_SHAPE.source == "psa-report's default plan.yaml"
    assert DEFAULT_SHAPE.sections_of == "the assessment"
    assert (gap.label_fields, rec.label_fields) == (True, False)


def test_default_statuses_are_todays_best_first():
    shape = DEFAULT_SHAPE
    assert [s.name for s in shape.statuses] == [
        "complete", "on track", "at risk", "not started", "off track"]
    assert {s.name: s.colour for s in shape.statuses} == {
        "complete": "blue", "on track": "green", "at risk": "amber", "not started": "grey",
        "off track": "red"}
    assert {s.name: shape.rank(s) for s in shape.statuses} == {
        "complete": 4, "on track": 3, "at risk": 2, "not started": 1, "off track": 0}
    assert [(s.label, s.slug) for s in shape.statuses][1] == ("On track", "on-track")
    assert [s.name for s in shape.done] == ["complete"]
    assert [s.name for s in shape.exceptions] == ["at risk", "off track"]


@pytest.mark.parametrize("word, name", [
    ("green", "on track"), ("Amber", "at risk"), ("RED", "off track"), ("blue", "complete"),
    ("On-Track", "on track"), ("not_started", "not started"), ("  off   track ", "off track")])
def test_status_words_as_today(word, name):
    assert DEFAULT_SHAPE.status(word).name == name


def test_a_wrong_status_names_the_plans_statuses():
    with pytest.raises(ValueError) as mine:
        DEFAULT_SHAPE.status("done")
    assert str(mine.value) == ("'done' is not a status: use one of complete, on track, at "
                               "risk, not started, off track (or blue, green, amber, red)")


# ---------------------------------------------------------------- plan.yaml

ISSUE_PLAN = """\
statuses:                  # best first
  - {name: complete, colour: blue, done: true}
  - {name: on track, colour: green, also: [green]}
  - {name: at risk, colour: amber, exception: true, also: [amber]}
  - {name: not started, colour: grey}
  - {name: off track, colour: red, exception: true, also: [red]}
status_required: true
kinds:
  - name: data gap
    folder: data-gaps
    heading: Data requirements
    intro: The following data requirements were highlighted in the main document.
    ref: "3.2.1"
    layout: table
    fields:
      - {name: gap, label: Data gap, type: text}
      - {name: lead, label: Lead, type: agencies}
      - {name: action, label: Action, type: text}
      - {name: update, label: Update, type: text, partners: true}
      - {name: status, label: Status, type: status, partners: true}
      - {name: due, label: Due, type: due, required: false, partners: true}
  - name: recommendation
    folder: recommendations
    heading: Recommendations
    ref: "R1"
    layout: blocks
    fields:
      - {name: recommendation, label: Recommendation, type: text}
      - {name: lead, label: Lead, type: agencies, required: false}
      - {name: update, label: UPDATE, type: text, partners: true}
      - {name: status, label: Status, type: status, partners: true}
      - {name: due, label: Due, type: due, required: false, partners: true}
"""


def test_the_issues_plan_yaml_declares_the_default_shape():
    shape = plan(ISSUE_PLAN)
    assert [(s.name, s.colour, s.done, s.exception) for s in shape.statuses] == [
        (s.name, s.colour, s.done, s.exception) for s in DEFAULT_SHAPE.statuses]
    assert shape.kinds[0].intro.startswith("The following data requirements")
    for mine, default in zip(shape.kinds, DEFAULT_SHAPE.kinds, strict=True):
        assert (mine.name, mine.folder, mine.heading, mine.ref, mine.layout) == (
            default.name, default.folder, default.heading, default.ref, default.layout)
        assert [(f.name, f.label, f.type, f.required, f.partners) for f in mine.fields] == [
            (f.name, f.label, f.type, f.required, f.partners) for f in default.fields]
    assert shape.source == "actions/plan.yaml"


def test_plan_yaml_may_say_only_what_differs():
    shape = plan("status_required: false\n")
    assert not shape.status_required
    assert shape.statuses == DEFAULT_SHAPE.statuses and shape.kinds == DEFAULT_SHAPE.kinds


def test_defaults_of_a_kind_and_a_field():
    shape = plan('kinds:\n  - name: priority action\n    ref: "PA1"\n'
                 '    fields:\n      - {name: measure_of_success, type: line}\n')
    kind = shape.kinds[0]
    assert (kind.plural, kind.folder, kind.heading, kind.layout) == (
        "priority actions", "priority-actions", "Priority actions", "table")
    assert kind.fields[0] == FieldDef("measure_of_success", "Measure of success", "line")
    assert kind.field_names == ("ref", "measure_of_success", "indicator", "exempt")


@pytest.mark.parametrize("text, expected", [
    ("kind:\n  - name: x\n",
     "actions/plan.yaml:1:1: unknown key 'kind' in plan.yaml. Did you mean 'kinds'? "
     "The keys are: statuses, status_required, sections_of, kinds"),
    ("statuses:\n  - {name: done, colour: greeen}\n",
     "actions/plan.yaml:2:26: colour: 'greeen' is not a colour this tool knows. Did you "
     "mean 'green'?"),
    ("statuses:\n  - {name: done, color: green}\n",
     "actions/plan.yaml:2:18: unknown key 'color' in a status. Did you mean 'colour'?"),
    ("statuses:\n  - {name: done, colour: green, done: maybe}\n",
     "actions/plan.yaml:2:39: done: 'maybe' must be true or false"),
    ("statuses:\n  - {name: done, colour: blue}\n  - {name: ok, colour: green, also: [DONE]}\n",
     "actions/plan.yaml:3:38: also: 'DONE' already names a status (line 2)"),
    ("statuses: []\n", "statuses: the list is empty"),
    ("status_required: sometimes\n",
     "actions/plan.yaml:1:18: status_required: 'sometimes' must be true or false"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: x, type: txt}\n",
     "actions/plan.yaml:5:25: type: 'txt' is not a field type. Did you mean 'text'? Use one "
     "of: text, line, agencies, status, due, date, number, choice, yes-no"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: x, type: choice}\n",
     "actions/plan.yaml:5:25: type: a choice field needs its choices"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: x, type: text, "
     "choices: [a]}\n", "choices: only a field of type choice has choices"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: s, type: status}\n"
     "      - {name: t, type: status}\n",
     "actions/plan.yaml:6:25: type: this kind already has a status field (line 5)"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: x, type: text}\n"
     "      - {name: x, type: line}\n",
     "actions/plan.yaml:6:16: name: 'x' is already a field of this kind (line 5)"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: ref, type: text}\n",
     "name: 'ref' is not declared"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: due date, type: due}\n",
     "name: 'due date' cannot be a field's name"),
    ("kinds:\n  - name: a\n    ref: '1a'\n    fields:\n      - {name: x, type: text}\n",
     "actions/plan.yaml:3:10: ref: '1a' is not a form of ref this tool knows"),
    ("kinds:\n  - name: a\n    ref: '3.2.x'\n    fields:\n      - {name: x, type: text}\n",
     "ref: '3.2.x' is not a form of ref"),
    ("kinds:\n  - name: a\n    ref: R1\n    layout: grid\n    fields:\n"
     "      - {name: x, type: text}\n",
     "actions/plan.yaml:4:13: layout: 'grid' is not a layout. Use one of: table, blocks"),
    ("kinds:\n  - name: a\n    fields:\n      - {name: x, type: text}\n",
     "actions/plan.yaml:2:5: a kind of item has no `ref:`"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields: []\n", "fields: the list is empty"),
    ("kinds:\n  - name: a\n    ref: R1\n    fields:\n      - {name: x, type: text}\n"
     "  - name: A\n    ref: R1\n    fields:\n      - {name: x, type: text}\n",
     "actions/plan.yaml:6:11: name: 'a' is also the name of the kind on line 2"),
    ("kinds:\n  - name: a\n    folder: items\n    ref: R1\n    fields:\n"
     "      - {name: x, type: text}\n  - name: b\n    folder: Items\n    ref: B1\n"
     "    fields:\n      - {name: x, type: text}\n",
     "actions/plan.yaml:8:13: folder: 'items' is also the folder of the kind on line 3"),
    ("kinds:\n  - name: a\n    folder: ../elsewhere\n    ref: R1\n    fields:\n"
     "      - {name: x, type: text}\n", "folder: '../elsewhere' cannot be a folder"),
    ("kinds:\n  - name: a\n    folder: plan.yaml\n    ref: R1\n    fields:\n"
     "      - {name: x, type: text}\n", "folder: 'plan.yaml' cannot be a folder"),
    ("- statuses\n", "actions/plan.yaml:1:1: plan.yaml must be a group of `name: value`"),
    ("statuses:\n  - {name: a, colour: red, done: }\n",
     "actions/plan.yaml:2:34: done: is empty: write true or false"),
    ("kinds:\n  - name: Report\n    ref: R1\n    fields:\n      - {name: x, type: text}\n",
     "actions/plan.yaml:2:11: name: 'Report' cannot name a kind of item"),
])
def test_a_mistake_in_plan_yaml_is_reported_at_its_line(text, expected):
    problems = plan_problems(text)
    assert any(expected in p for p in problems), problems


def test_every_mistake_in_plan_yaml_is_reported_at_once():
    problems = plan_problems("statuses:\n  - {name: a, colour: pink-ish}\nkinds:\n"
                             "  - name: k\n    ref: '?'\n    fields:\n"
                             "      - {name: x, type: numbr}\n")
    assert [p.split(":")[1] for p in problems] == ["2", "5", "7"]


# ---------------------------------------------------------------- refs


@pytest.mark.parametrize("example, style, valid, invalid", [
    ("3.2.1", "dotted", ["3.2.1", "10.20.30", " 4.2.1 "], ["3.2", "3.2.1.1", "R1", "3.2.a"]),
    ("1.1", "dotted", ["1.1", "12.3"], ["1", "1.1.1"]),
    ("R1", "prefixed", ["R1", "r7", "R10"], ["R", "1", "RR1", "R1.1"]),
    ("DA-02", "prefixed", ["DA-02", "da-2", "DA-100"], ["DA02", "DB-01"]),
    ("", "none", ["1", "12"], ["R1", "1.1"]),
])
def test_ref_forms_by_example(example, style, valid, invalid):
    form = RefForm.from_example(example)
    assert form.style == style
    for ref in valid:
        assert form.valid(ref), ref
    for ref in invalid:
        assert not form.valid(ref), ref


def test_refs_come_back_in_their_canonical_form():
    assert RefForm.from_example("DA-02").parse("da-2") == "DA-02"
    assert RefForm.from_example("DA-02").parse("DA-007") == "DA-07"
    assert RefForm.from_example("R1").parse("r01") == "R1"
    assert RefForm.from_example("3.2.1").parse(" 3.2.10 ") == "3.2.10"


def test_a_ref_not_of_the_form_says_how_to_write_one():
    with pytest.raises(ValueError) as caught:
        RefForm.from_example("3.2.1").parse("3.2", "a data-gap ref")
    assert str(caught.value) == ("'3.2' is not a data-gap ref: write three numbers with "
                                 "dots, like 3.2.1 (quote it if your editor changes it)")
    with pytest.raises(ValueError) as caught:
        RefForm.from_example("DA-02").parse("X1")
    assert str(caught.value) == "'X1' is not a ref: write DA- and a number, like DA-02"


def test_refs_have_a_maximum_length():
    long = "1" + ".1" * 15
    with pytest.raises(ValueError, match="too long for a ref"):
        RefForm.from_example("1." * 15 + "1")
    form = RefForm.from_example("R1")
    with pytest.raises(ValueError, match=f"at most {MAX_REF_LENGTH}"):
        form.parse("R" + "9" * 30)
    assert len(long) > MAX_REF_LENGTH


@pytest.mark.parametrize("example", ["1a", "3.2.x", "R1.1", "-1", "1.", "R-"])
def test_unknown_ref_examples_are_refused(example):
    with pytest.raises(ValueError, match="is not a form of ref this tool knows"):
        RefForm.from_example(example)


def test_refs_sort_naturally():
    dotted = RefForm.from_example("3.2.1")
    assert sorted(["3.2.10", "3.10.1", "3.2.9", "4.1.1", "3.2.1"], key=dotted.key) == [
        "3.2.1", "3.2.9", "3.2.10", "3.10.1", "4.1.1"]
    prefixed = RefForm.from_example("DA-02")
    assert sorted(["DA-10", "DA-02", "da-3"], key=prefixed.key) == ["DA-02", "da-3", "DA-10"]
    assert sorted(["item 10", "item 9"], key=natural_key) == ["item 9", "item 10"]


def test_the_sections_of_a_ref_at_every_level():
    form = RefForm.from_example("1.1.1")
    assert form.sections("1.2.3") == ("1", "1.2")
    assert form.section("1.2.3") == "1.2"
    assert RefForm.from_example("1.1").sections("4.5") == ("4",)
    assert RefForm.from_example("R1").sections("R4") == ()
    assert RefForm.from_example("R1").section("R4") is None


def test_the_next_free_ref():
    dotted = RefForm.from_example("3.2.1")
    refs = ["3.2.1", "3.2.2", "4.2.1", "3.2.10"]
    assert dotted.next_ref(refs, "3.2") == "3.2.11"
    assert dotted.next_ref(refs, "5.1") == "5.1.1"
    assert dotted.next_ref(refs) == "4.2.2"  # after the highest
    assert dotted.next_ref([]) == "1.1.1"
    with pytest.raises(ValueError):
        dotted.next_ref(refs, "3")
    assert RefForm.from_example("R1").next_ref(["R1", "R5", "R2"]) == "R6"
    assert RefForm.from_example("DA-02").next_ref(["DA-01", "DA-09"]) == "DA-10"
    assert RefForm.from_example("DA-02").next_ref([]) == "DA-01"
    assert RefForm.from_example("").next_ref(["1", "2"]) == "3"


# ---------------------------------------------------------------- statuses


def test_a_plans_own_statuses():
    shape = plan("statuses:\n  - {name: Complete, colour: blue, done: true}\n"
                 "  - {name: Progressing and On Target, colour: green, also: [green, on "
                 "target]}\n  - {name: Not Resourced, colour: '#AA00CC', exception: true, "
                 "label: Not resourced yet}\n  - {name: Overdue, colour: red, exception: "
                 "true}\n")
    assert shape.status("on_target").name == "Progressing and On Target"
    assert shape.status("progressing-and-on-target").name == "Progressing and On Target"
    assert shape.status("not resourced").label == "Not resourced yet"
    assert shape.status("not resourced").fill == "AA00CC"
    assert shape.status("not resourced").slug == "not-resourced"
    assert shape.status("complete").fill == "C9DEF5"
    assert [shape.rank(s) for s in shape.statuses] == [3, 2, 1, 0]
    assert [s.name for s in shape.exceptions] == ["Not Resourced", "Overdue"]
    with pytest.raises(ValueError) as caught:
        shape.status("overdeu")
    assert str(caught.value) == (
        "'overdeu' is not a status: use one of Complete, Progressing and On Target, Not "
        "Resourced, Overdue (or green, on target). Did you mean 'Overdue'?")


# ---------------------------------------------------------------- due


@pytest.mark.parametrize("text, day, written, long", [
    ("Q1 2024/25", date(2024, 6, 30), "Q1 2024/25", "Q1 2024/25 (April to June 2024)"),
    ("Q3 2024/25", date(2024, 12, 31), "Q3 2024/25",
     "Q3 2024/25 (October to December 2024)"),
    ("q4 2024/2025", date(2025, 3, 31), "Q4 2024/25", "Q4 2024/25 (January to March 2025)"),
    ("2024/25", date(2025, 3, 31), "2024/25", "2024/25 (April 2024 to March 2025)"),
    ("1999/00", date(2000, 3, 31), "1999/00", "1999/00 (April 1999 to March 2000)"),
    ("2024-2025", date(2025, 3, 31), "2024/25", "2024/25 (April 2024 to March 2025)"),
    ("2024-09", date(2024, 9, 30), "2024-09", "September 2024"),  # a month, as before
])
def test_quarters_and_financial_years(text, day, written, long):
    from psa_report.dates import parse_due
    due = parse_due(text, periods=True)
    assert (due.day, str(due), due.long, due.deadline) == (day, written, long, day)
    assert due.overdue(day + (date(2000, 1, 2) - date(2000, 1, 1)))
    assert not due.overdue(day)


def test_ongoing_is_never_overdue():
    from psa_report.dates import parse_due
    due = parse_due("Ongoing", periods=True)
    assert (str(due), due.long, due.deadline) == ("ongoing", "ongoing", None)
    assert not due.overdue(date(2999, 1, 1))
    assert not due.day < date(2999, 1, 1)  # code comparing days sees no deadline passed
    assert sorted([due, parse_due("2024/25", periods=True)])[-1] == due


@pytest.mark.parametrize("text, message", [
    ("Q5 2024/25", "'Q5 2024/25' names quarter 5, which does not exist"),
    ("Q2 2024/26", "'Q2 2024/26' is not a financial year: the second year must be the one "
     "after the first, like 2024/25"),
    ("2024/2026", "is not a financial year"),
    ("soon", "or a quarter of the financial year (Q3 2024/25), a financial year (2024/25), "
     "or ongoing (never overdue)"),
])
def test_periods_wrongly_written(text, message):
    from psa_report.dates import parse_due
    with pytest.raises(ValueError) as caught:
        parse_due(text, periods=True)
    assert message in str(caught.value)


def test_without_periods_deadlines_read_as_today():
    from psa_report.dates import ACCEPTED_FORMS, parse_due
    for text in ("Q3 2024/25", "2024/25", "ongoing"):
        with pytest.raises(ValueError) as caught:
            parse_due(text)
        assert str(caught.value) == (f"{text!r} is not a date this tool can read: write it "
                                     f"as {ACCEPTED_FORMS}")
    assert parse_due("2010-09") == Due(date(2010, 9, 30), month_only=True)


# ---------------------------------------------------------------- agencies


def test_agency_short_names_may_hold_spaces():
    doc = load_text("Youth Offending Service: Cambridgeshire YOS\nFire  and Rescue: CFRS\n"
                    "Police/Council: both\n", "actions/agencies.yaml")
    agencies, problems = read_agencies(doc)
    assert agencies is None
    assert [str(p) for p in problems] == [
        "actions/agencies.yaml:3:1: 'Police/Council' cannot be an agency's short name: use "
        "no commas, semicolons or slashes (such as SBC, A&E or Youth Offending Service)"]
    agencies, problems = read_agencies(load_text(
        "Youth Offending Service: Cambridgeshire YOS\nFire  and Rescue: CFRS\n", "a.yaml"))
    assert problems == [] and list(agencies) == ["Youth Offending Service", "Fire and Rescue"]
    assert check_agency_name("  Council ") == "Council"
    with pytest.raises(ValueError):
        check_agency_name("SBC, Police")


def test_a_lead_names_several_separated_by_commas():
    assert split_leads("Fire and Rescue, Youth Offending Service") == [
        "Fire and Rescue", "Youth Offending Service"]
    assert split_leads("Police") == "Police"
    assert split_leads(["Police", "SBC"]) == ["Police", "SBC"]
    lead = FieldDef("lead", "Lead", "agencies")
    known = {"Fire and Rescue": "", "Youth Offending Service": "", "Council": ""}
    assert field_value(lead, "Council, Fire and Rescue", DEFAULT_SHAPE, known) == [
        "Council", "Fire and Rescue"]
    assert field_value(lead, "Youth  Offending Service", DEFAULT_SHAPE, known) == [
        "Youth Offending Service"]
    with pytest.raises(ValueError, match="'Council' is listed twice"):
        field_value(lead, "Council, Council", DEFAULT_SHAPE, known)
    with pytest.raises(ValueError, match="Did you mean 'Fire and Rescue'"):
        field_value(lead, "Fire & Rescue", DEFAULT_SHAPE, known)


KNOWN = ["Youth Offending Service", "Fire and Rescue", "Council", "Police", "Youth"]


@pytest.mark.parametrize("cell, leads", [
    ("Youth Offending Service Council", ["Youth Offending Service", "Council"]),
    ("fire and rescue police", ["Fire and Rescue", "Police"]),
    ("Council, Youth", ["Council", "Youth"]),
    ("Police / Fire and Rescue; Council", ["Police", "Fire and Rescue", "Council"]),
    ("Police Police", ["Police"]),
    ("Youth", ["Youth"]),
])
def test_agencies_in_a_table_cell_longest_first(cell, leads):
    assert match_agencies(cell, KNOWN) == leads


def test_an_ambiguous_cell_names_the_readings():
    with pytest.raises(AmbiguousCell) as caught:
        match_agencies("Youth Offending Service", ["Youth", "Offending Service",
                                                   "Youth Offending Service"])
    assert caught.value.candidates == [["Youth Offending Service"],
                                       ["Youth", "Offending Service"]]
    assert str(caught.value) == (
        "'Youth Offending Service' can be read as Youth Offending Service; or Youth + "
        "Offending Service: separate the agencies with commas")


def test_a_cell_naming_no_known_agency_says_which_words():
    with pytest.raises(ValueError) as caught:
        match_agencies("Police Fire Rescue", KNOWN)
    assert "names no known agency at 'fire rescue'" in str(caught.value)
    assert "Did you mean 'Fire and Rescue'?" in str(caught.value)
    assert not isinstance(caught.value, AmbiguousCell)


# ---------------------------------------------------------------- items


def _shipped_docs():
    for kind in DEFAULT_SHAPE.kinds:
        for path in sorted((REPO / "actions" / kind.folder).rglob("*.yaml")):
            yield kind, load_file(path, path.relative_to(REPO).as_posix())


BAD_ITEMS = [
    "ref: 3.2.1\ngap: x\nlead: Police\naction: y\nupdate: z\nstatus: done\n",
    "ref: 3.2.1\ngap: x\nlead: Polise\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\ngap: x\nlead: [Police, SBC, Police]\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\ngap:\nlead: Police\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\ngap: x\nlead: Police\naction: y\nupdate: #5 done\nstatus: red\n",
    "ref: 3.2.1\ngap: [a, b]\nlead: Police\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\ngap: x\nlead: Police\naction: y\nupdate: z\nstatus: red\ndue: soon\n",
    "ref: 3.2.1\ngap: x\nlead: Police\naction: y\nupdate: z\nstatus: red\ndue: 2010-13\n",
    "ref: 3.2.1\ngap: x\nlead: Police\naction: y\nupdate: z\nstatus: red\ndue: [1]\n",
    "ref: 3.2\ngap: x\nlead: Police\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\ngapp: x\nlead: Police\naction: y\nupdate: z\nstatus: red\n",
    "ref: 3.2.1\nlead: Police\naction: y\nupdate: z\n",
    "ref: 3.2.1\ngap: x\nlead:\naction: y\nupdate: z\nstatus: red\n",
    "- a list\n",
]


@pytest.mark.parametrize("text", BAD_ITEMS)
def test_a_bad_data_gap_is_told_at_its_line(text):
    doc = load_text(text, "actions/data-gaps/3.2.1.yaml")
    with pytest.raises(Invalid) as caught:
        validate_item(doc, DEFAULT_SHAPE.kinds[0], DEFAULT_SHAPE, AGENCIES)
    assert caught.value.problems and all(p.file == doc.display and p.line
                                         for p in caught.value.problems)


@pytest.mark.parametrize("text", [
    "ref: R1\nrecommendation: x\nupdate: z\nstatus: red\nlead: [SBC, SBC]\n",
    "ref: r1x\nrecommendation: x\nupdate: z\nstatus: red\n",
    "ref: R1\nrecommendation: x\nupdate: z\nstatus: purple\n",
    "ref: R1\nrecommendation: x\nupdate: z\nstatus: red\nlead:\n",
])
def test_a_bad_recommendation_is_told_at_its_line(text):
    doc = load_text(text, "actions/recommendations/R1.yaml")
    with pytest.raises(Invalid) as caught:
        validate_item(doc, DEFAULT_SHAPE.kinds[1], DEFAULT_SHAPE, AGENCIES)
    assert caught.value.problems and all(p.file == doc.display and p.line
                                         for p in caught.value.problems)


def test_a_recommendation_without_a_lead_is_for_the_whole_partnership():
    doc = load_text("ref: R1\nrecommendation: x\nupdate: z\nstatus: green\n", "R1.yaml")
    item = validate_item(doc, DEFAULT_SHAPE.kinds[1], DEFAULT_SHAPE, AGENCIES)
    assert item.lead == [] and item.due is None and "due" not in item.values


def _kind(*fields: FieldDef, ref: str = "R1") -> Kind:
    return Kind("thing", "things", RefForm.from_example(ref), tuple(fields))


def _item(kind: Kind, text: str, shape: Shape | None = None, **kw) -> Item:
    return validate_item(load_text(text, "actions/things/x.yaml"), kind, shape or DEFAULT_SHAPE,
                         **kw)


def _errors(kind: Kind, text: str, shape: Shape | None = None) -> list[str]:
    with pytest.raises(Invalid) as caught:
        _item(kind, text, shape)
    return [str(p) for p in caught.value.problems]


def test_every_field_type():
    kind = _kind(FieldDef("title", "Title", "line"), FieldDef("n", "N", "number"),
                 FieldDef("when", "When", "date"), FieldDef("size", "Size", "choice",
                                                             choices=("Small", "Large")),
                 FieldDef("funded", "Funded", "yes-no"), FieldDef("due", "Due", "due"))
    item = _item(kind, "ref: R2\ntitle: A line\nn: '-3.5'\nwhen: 1 April 2024\n"
                 "size: large\nfunded: Yes\ndue: Q2 2024/25\n")
    assert item.values == {"title": "A line", "n": -3.5, "when": date(2024, 4, 1),
                           "size": "Large", "funded": True,
                           "due": Due(date(2024, 9, 30), period="quarter")}
    assert item.title == "A line" and item.due.long == "Q2 2024/25 (July to September 2024)"
    assert item.status is None and item.lead == [] and item.section is None
    errors = _errors(kind, "ref: R2\ntitle: |-\n  two\n  lines\nn: 12%\nwhen: 2024-04\n"
                     "size: medium\nfunded: perhaps\ndue: soon\n")
    assert errors == [
        "actions/things/x.yaml:2:8: title: must be one line: join the lines, or ask for a "
        "text field in plan.yaml",
        "actions/things/x.yaml:5:4: n: '12%' is not a number: write digits only, like 12 "
        "or 3.5 (a unit such as % belongs in the field's label)",
        "actions/things/x.yaml:6:7: when: '2024-04' names a month, not a day: write the "
        "day too, like 2024-04-30 or 30 April 2024",
        "actions/things/x.yaml:7:7: size: 'medium' is not one of the choices. Use one of: "
        "Small, Large",
        "actions/things/x.yaml:8:9: funded: 'perhaps' must be yes or no",
        "actions/things/x.yaml:9:6: due: 'soon' is not a date this tool can read: write it "
        "as 2010-09-30, 30/09/2010 (day first), 30 September 2010 (or 30 Sept 2010), or a "
        "month alone: 2010-09, September 2010 or Sep 2010; or a quarter of the financial "
        "year (Q3 2024/25), a financial year (2024/25), or ongoing (never overdue)"]


def test_numbers_as_plans_write_them():
    field = FieldDef("n", "N", "number")
    assert [field_value(field, t, DEFAULT_SHAPE) for t in ("12", "1,200", "0.5", "-4")] == [
        12, 1200, 0.5, -4]
    for text in ("1,20", "twelve", "1.2.3"):
        with pytest.raises(ValueError):
            field_value(field, text, DEFAULT_SHAPE)


def test_an_unknown_field_suggests_the_kinds_own():
    kind = _kind(FieldDef("measure", "Measure of success", "line"),
                 FieldDef("timescale", "Timescale", "due", required=False))
    assert _errors(kind, "ref: R1\nmeasure: m\ntimescales: 2024/25\n") == [
        "actions/things/x.yaml:3:1: unknown field 'timescales'. Did you mean 'timescale'? "
        "The fields are: ref, measure, timescale, indicator, exempt"]
    assert _errors(kind, "ref: R1\n") == [
        "actions/things/x.yaml:1:1: missing field 'measure': add a line `measure: ...` "
        "(the fields are: ref, measure, timescale, indicator, exempt)"]


def test_a_status_is_optional_when_the_plan_says_so():
    kind = _kind(FieldDef("what", "What", "text"), FieldDef("status", "Status", "status"))
    relaxed = plan("status_required: false\n")
    for text in ("ref: R1\nwhat: x\n", "ref: R1\nwhat: x\nstatus:\n"):
        item = _item(kind, text, relaxed)
        assert item.status is None and "status" not in item.values
    assert _item(kind, "ref: R1\nwhat: x\nstatus: amber\n", relaxed).status.name == "at risk"
    assert "missing field 'status'" in _errors(kind, "ref: R1\nwhat: x\n")[0]


def test_a_kind_without_refs_numbers_its_items_in_file_order():
    kind = _kind(FieldDef("what", "What", "text"), ref="")
    item = _item(kind, "what: x\n", number=4)
    assert item.ref == "4" and kind.field_names == ("what", "indicator", "exempt")
    assert "have no refs" in _errors(kind, "ref: 1\nwhat: x\n")[0]


def test_a_prefixed_ref_is_stored_in_its_canonical_form():
    kind = _kind(FieldDef("what", "What", "text"), ref="DA-02")
    assert _item(kind, "ref: da-7\nwhat: x\n").ref == "DA-07"
    assert _errors(kind, "ref: DB-7\nwhat: x\n") == [
        "actions/things/x.yaml:1:6: ref: 'DB-7' is not a thing ref: write DA- and a "
        "number, like DA-02"]


# ---------------------------------------------------------------- projects


def test_the_fenland_style_plan_loads(tmp_path):
    project = load_project(FENLAND)
    assert project.shape.source == "actions/plan.yaml" and file_warnings(project) == []
    assert list(project.kind_items) == ["action"]  # its own kind only, not the default's
    items = project.kind_items["action"]
    assert [i.ref for i in items] == ["1.1.1", "1.1.2", "2.1.1"]
    first, second, third = items
    assert first.lead == ["Fire and Rescue", "Police"]
    assert second.lead == ["Council", "Youth Offending Service"]
    assert (first.values["baseline"], first.values["target"], second.values["target"]) == (
        12, 40, 1200)
    assert "baseline" not in second.values
    assert [i.due.long for i in items] == ["Q3 2024/25 (October to December 2024)",
                                           "2024/25 (April 2024 to March 2025)", "ongoing"]
    assert [i.status.label for i in items] == ["Green", "Amber", "Not yet started"]
    assert [i.sections for i in items] == [("1", "1.1"), ("1", "1.1"), ("2", "2.1")]
    assert str(project.sources["2.1.1"]) == "actions/actions/2.1.1.yaml"
    kind = project.shape.kinds[0]
    assert (kind.lead_field.name, kind.status_field.name, kind.due_field.name) == (
        "lead", "rag", "timescale")
    assert [f.name for f in kind.fields if f.partners] == ["progress", "rag"]


def test_list_and_overdue_head_their_columns_in_the_plans_words(runner):
    listed = run(runner, "list", "--project", str(FENLAND)).output.splitlines()
    assert listed[0].split() == ["Ref", "Kind", "Lead", "RAG", "Timescale"]
    assert "Council, Youth Offending Service" in listed[3]  # joint leads: commas throughout
    assert "Fire and Rescue, Police" in listed[2]
    assert listed[-1] == "3 of 3 actions."
    late = run(runner, "overdue", "--project", str(FENLAND), "--as-of", "2025-06-01").output
    assert late.splitlines()[0].split() == ["Ref", "Lead", "Timescale", "Days", "overdue", "RAG"]
    csv_head = run(runner, "overdue", "--project", str(FENLAND), "--as-of", "2025-06-01",
                   "--format", "csv").output.splitlines()[0]
    assert csv_head == "ref,lead,due,days_overdue,status"  # the CSV's keys stay


def _copy(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "plan"
    shutil.copytree(source / "actions", root / "actions")
    return root


def test_a_wrong_plan_yaml_is_reported_before_anything_else(tmp_path, runner):
    root = _copy(FENLAND, tmp_path)
    (root / "actions/actions/1.1.1.yaml").write_text("ref: 9\n", encoding="utf-8")
    (root / "actions/stray.yaml").write_text("x: 1\n", encoding="utf-8")
    plan_file = root / "actions/plan.yaml"
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace(
        "type: number, required", "type: numbr, required", 1), encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        load_project(root)
    assert [str(p) for p in caught.value.problems] == [
        "actions/plan.yaml:21:49: type: 'numbr' is not a field type. Did you mean "
        "'number'? Use one of: text, line, agencies, status, due, date, number, choice, "
        "yes-no"]
    result = run(runner, "check", "--project", str(root))
    assert result.exit_code != 0
    assert "actions/plan.yaml:21:49: type: 'numbr'" in result.output
    assert "stray.yaml" not in result.output and "1.1.1" not in result.output


def test_a_shaped_projects_items_are_checked_against_their_kind(tmp_path):
    root = _copy(FENLAND, tmp_path)
    item = root / "actions/actions/1.1.2.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("rag: Amber", "rag: Ambre")
                    .replace("target: 1,200", "targett: 1,200"), encoding="utf-8")
    (root / "actions/actions/1.1.3.yaml").write_text(
        (root / "actions/actions/2.1.1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "actions/outcomes").mkdir()
    (root / "actions/outcomes/x.yaml").write_text("a: b\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        load_project(root)
    assert [str(p) for p in caught.value.problems] == [
        "actions/actions/1.1.2.yaml:5:1: unknown field 'targett'. Did you mean 'target'? "
        "The fields are: ref, objective, action, measure, baseline, target, milestones, "
        "lead, timescale, progress, rag, indicator, exempt",
        "actions/actions/1.1.2.yaml:11:6: rag: 'Ambre' is not a status: use one of "
        "complete, green, amber, red, not yet started (or on track). Did you mean 'amber'?",
        "actions/actions/1.1.3.yaml:1:6: ref: the file is named 1.1.3.yaml but its ref is "
        "2.1.1: rename the file to 2.1.1.yaml or correct the ref",
        "actions/actions/2.1.1.yaml:1:6: ref: 2.1.1 is also the ref of "
        "actions/actions/1.1.3.yaml:1; each item needs its own ref: change one of them",
        "actions/outcomes: unexpected folder: actions/ holds only "
        "actions/, report.yaml and agencies.yaml"]


def test_the_seed_with_its_status_column_blank(tmp_path):
    root = _copy(REPO, tmp_path)
    (root / "actions/plan.yaml").write_text(
        "# The 2010 report's Status column is blank.\nstatus_required: false\n",
        encoding="utf-8")
    for path in (root / "actions").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "status:" in text:
            path.write_text("\n".join(line for line in text.split("\n")
                                      if not line.startswith("status:")), encoding="utf-8")
    project = load_project(root)
    assert not project.shape.status_required
    items = project.kind_items["data gap"] + project.kind_items["recommendation"]
    assert len(items) == 15 and all(item.status is None for item in items)
    assert [i.ref for i in project.kind_items["recommendation"]] == [
        "R1", "R2", "R3", "R4", "R5"]
    assert file_warnings(project) == []  # every section of report.yaml still has its items
    # without plan.yaml, the same files are refused as today
    (root / "actions/plan.yaml").unlink()
    with pytest.raises(Invalid) as caught:
        load_project(root)
    assert {p.message for p in caught.value.problems} == {
        "missing field 'status': add a line `status: ...` (the fields are: ref, gap, lead, "
        "action, update, status, due, indicator, exempt)",
        "missing field 'status': add a line `status: ...` (the fields are: ref, "
        "recommendation, lead, update, status, due, indicator, exempt)"}


def test_a_plan_yaml_of_the_default_shape_keeps_todays_project(tmp_path):
    root = _copy(REPO, tmp_path)
    # the shipped default plan.yaml, written as the project's own
    (root / "actions/plan.yaml").write_text(default_plan_text(), encoding="utf-8")
    project, today = load_project(root), load_project(REPO)
    assert project.shape.source == "actions/plan.yaml"
    assert project.kind_items == today.kind_items
    assert load_project(REPO).shape is DEFAULT_SHAPE


def test_classify_by_the_shapes_folders():
    from psa_report.scan import classify
    shape = plan('kinds:\n  - name: action\n    folder: plan-actions\n    ref: "1.1.1"\n'
                 '    fields:\n      - {name: x, type: text}\n')
    found, problems = classify(["actions/report.yaml", "actions/agencies.yaml",
                                "actions/plan.yaml", "actions/plan-actions/1.1.1.yaml",
                                "actions/plan-actions/sub/1.2.1.yaml", "actions/x.yaml",
                                "actions/data-gaps/3.2.1.yaml"], (), shape)
    assert found == {"report": ["actions/report.yaml"], "agencies": ["actions/agencies.yaml"],
                     "plan": ["actions/plan.yaml"],
                     "action": ["actions/plan-actions/1.1.1.yaml",
                                "actions/plan-actions/sub/1.2.1.yaml"]}
    assert [str(p) for p in problems] == [
        "actions/x.yaml:1:1: unexpected file: actions go in actions/plan-actions/; the only "
        "files directly in actions/ are report.yaml, agencies.yaml and plan.yaml",
        "actions/data-gaps: unexpected folder: actions/ holds only plan-actions/, "
        "report.yaml and agencies.yaml"]


def test_status_def_reads_like_status():
    status = StatusDef("not yet started", "grey")
    assert (status.value, status.label, status.slug, str(status), status.fill) == (
        "not yet started", "Not yet started", "not-yet-started", "not yet started", "E2E2E2")


def test_an_older_meeting_is_read_with_the_plan_yaml_of_its_own_revision(tmp_path):
    from conftest import edit, git

    from psa_report.history import project_at, resolve
    root = _copy(FENLAND, tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Plan as sent", when="2025-01-10")
    git(root, "tag", "csp-2025-01")
    # between meetings a status is renamed, in plan.yaml and in the items using it
    edit(root, "actions/plan.yaml", "{name: amber, colour: amber,",
         "{name: at risk, colour: amber, also: [amber],")
    edit(root, "actions/actions/1.1.2.yaml", "rag: Amber", "rag: at risk")
    now = load_project(root)
    then = project_at(root, resolve(root, "csp-2025-01"))
    assert now.kind_items["action"][1].status.name == "at risk"
    assert then.kind_items["action"][1].status.name == "amber"
    assert [s.name for s in then.shape.statuses][2] == "amber"
    assert str(then.sources["1.1.2"]) == "csp-2025-01:actions/actions/1.1.2.yaml"


def test_the_default_plan_yaml_declares_the_default_shape():
    """init writes the very file psa-report reads for a plan without one."""
    from psa_report.shape import default_plan_text
    shape = plan(default_plan_text())
    assert shape.statuses == DEFAULT_SHAPE.statuses and shape.kinds == DEFAULT_SHAPE.kinds
    assert shape.sections_of == DEFAULT_SHAPE.sections_of


def test_read_shape_of_a_project_folder():
    from psa_report.shape import read_shape
    assert read_shape(REPO) is DEFAULT_SHAPE
    fenland = read_shape(FENLAND)
    assert fenland.source == "actions/plan.yaml"
    assert fenland.kind("actions") is fenland.kinds[0] is fenland.folders["actions"]
    assert [s.name for s in fenland.done] == ["complete"]


def test_two_kinds_whose_names_differ_only_in_punctuation_are_refused():
    """They would share one key, and each kind's items be checked against the other."""
    with pytest.raises(Invalid) as caught:
        plan('kinds:\n  - name: data gap\n    ref: "3.2.1"\n    fields:\n'
             '      - {name: gap, type: text}\n'
             '  - name: data.gap\n    folder: others\n    ref: "R1"\n    fields:\n'
             '      - {name: other, type: text}\n')
    assert [str(p) for p in caught.value.problems] == [
        "actions/plan.yaml:6:11: name: 'data.gap' differs from the name of the kind on line "
        "2 only in its punctuation: give each kind a name of its own words"]


def test_schema_refuses_a_plan_yaml_linked_outside_the_project(tmp_path, runner):
    from conftest import run

    root = _copy(REPO, tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("status_required: false\n", encoding="utf-8")
    (root / "actions/plan.yaml").symlink_to(outside)
    result = run(runner, "schema", "--project", str(root))
    assert result.exit_code == 1
    assert "actions/plan.yaml: this is a link to" in result.stderr
    assert "outside the project folder, so it is not read" in result.stderr
    assert not (root / "schema").exists() or not any((root / "schema").iterdir())
