"""The loader and validator on their own: marks, typed text, alias bombs, and any input at all."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psa_report.loader import load_bytes, load_text
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.shape import default_shape, validate_item

AGENCIES = {"SBC": "Council", "Police": "Police"}


def test_values_are_kept_as_typed_with_their_marks():
    doc = load_text("ref: 3.10\nstatus: no\ndue: 2010-09-30\nlead:\n  - SBC\n  - Police\n"
                    "empty:\nquoted: ''\n", "x.yaml")
    assert doc.data == {"ref": "3.10", "status": "no", "due": "2010-09-30",
                        "lead": ["SBC", "Police"], "empty": None, "quoted": ""}
    assert doc.mark(("lead", 1)) == (6, 5)
    assert doc.mark(("status",), key=True) == (2, 1)
    assert doc.mark(("status",)) == (2, 9)
    assert doc.mark(("nowhere", 3)) == (1, 1)


def test_billion_laughs_is_refused_at_once_without_memory():
    bomb = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
    for name, prev in zip("bcdefghijklm", "abcdefghijkl"):
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    # Expanded, this would be 9**13 strings (2.5e12).
    tracemalloc.start()
    started = time.perf_counter()
    try:
        load_text(bomb, "bomb.yaml")
    except Invalid as invalid:
        message = str(invalid)
    else:  # pragma: no cover
        raise AssertionError("an alias bomb was accepted")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "aliases" in message
    assert elapsed < 1.0
    assert peak < 5_000_000


def test_a_byte_order_mark_is_accepted():
    doc = load_bytes("\ufeffref: 3.2.1\n".encode("utf-8"), "bom.yaml")
    assert doc.data == {"ref": "3.2.1"}


# ---------------------------------------------------------------- any input at all

def _outcome(text: str) -> None:
    """Load and validate: the result must be a model or Invalid, nothing else."""
    try:
        doc = load_text(text, "fuzz.yaml")
    except Invalid as invalid:
        assert invalid.problems and all(p.file == "fuzz.yaml" for p in invalid.problems)
        return
    shape = default_shape()
    for kind in shape.kinds:
        try:
            validate_item(doc, kind, shape, AGENCIES)
        except Invalid as invalid:
            assert invalid.problems
            for problem in invalid.problems:
                assert problem.file == "fuzz.yaml" and problem.message


FIELDS = st.sampled_from(["ref", "gap", "lead", "action", "update", "status", "due",
                          "recommendation", "leed", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates().map(str),
                    st.sampled_from(["3.2.1", "R1", "on track", "no", "2010-09", "2010-02-30",
                                     "September 2010", "SBC", "Polce", "{{ 7*7 }}", "<b>"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
DOCUMENTS = st.dictionaries(FIELDS, VALUES, max_size=8)
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=200))
def test_any_text_gives_a_model_or_problems(text):
    _outcome(text)


@FAST
@given(DOCUMENTS)
def test_any_yaml_document_gives_a_model_or_problems(document):
    _outcome(yaml.safe_dump(document, allow_unicode=True))


@FAST
@given(st.binary(max_size=120))
def test_any_bytes_give_a_model_or_problems(raw):
    try:
        load_bytes(raw, "fuzz.yaml")
    except Invalid as invalid:
        # (a lone carriage return is a line break to YAML and to editors alike)
        _located(invalid, "fuzz.yaml", raw.count(b"\n") + raw.count(b"\r") + 1)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_any_document_in_a_whole_project_gives_a_project_or_problems(project, document):
    (project / "actions/data-gaps/3.2.1.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    try:
        load_project(Path(project))
    except Invalid as invalid:
        text = (project / "actions/data-gaps/3.2.1.yaml").read_text(encoding="utf-8")
        _located(invalid, "actions/data-gaps/3.2.1.yaml", text.count("\n") + 1)


def _located(invalid: Invalid, name: str, lines: int) -> None:
    """Every problem names the file it is in, a line inside it, and says something."""
    assert invalid.problems
    for problem in invalid.problems:
        assert problem.file == name, problem
        assert problem.line is None or 1 <= problem.line <= lines, problem
        assert len(problem.message) > 10, problem
