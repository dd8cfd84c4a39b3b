"""figures/indicators.yaml: the partnership's own performance indicators.

Loaded with the same loader as the action files (every value keeps its line) and
validated as declared records (see :mod:`psa_report.models`), so a mistake is reported
at its file and line::

    indicators:
      - name: Assaults seen at A&E (Cardiff Model)
        unit: count            # count, rate or %
        better: lower          # lower or higher: which way is good news
        target: 120            # optional: the figure for a quarter to reach
        baseline: 150          # optional
        source: University Hospital of North Tees, A&E data sharing
        values:                # by month (2025-04) or by quarter (2025-Q2), not both
          2025-04: 41
          2025-05: 38

Quarters are calendar quarters: 2025-Q2 is April to June 2025.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from .digits import NotANumber, parse_decimal, shown
from .figures import INDICATORS_FILE, year_problem
from .files import inside_project
from .loader import Document, load_file
from .models import TEXT_SCHEMA, Bad, Record, Refused, _text, field, listed, mapped
from .problems import Invalid, Problem
from .project import translate

UNITS = ("count", "rate", "%")
BETTER = ("lower", "higher")
MONTH_KEY = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
QUARTER_KEY = re.compile(r"([0-9]{4})-Q([1-4])", re.IGNORECASE)


def parse_number(value: Any) -> Decimal:
    """A figure as typed: 41, 12.5, 1,234 (a % sign is allowed after a percentage)."""
    if isinstance(value, Decimal):
        return value
    if value is None:
        raise Bad("is empty: write the figure, or remove the line")
    if not isinstance(value, str):
        raise Bad("must be a number, such as 41 or 12.5")
    text = value.strip().rstrip("%").replace(",", "").strip()
    try:
        return parse_decimal(text)
    except NotANumber as bad:
        raise Bad(bad.message) from None


NUMBER_SCHEMA = {"anyOf": [{"type": "number"}, {"type": "string"}]}


def _choice(choices: tuple[str, ...], what: str) -> Any:
    """A field holding one of ``choices`` (any case)."""
    def check(value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            shown = value.strip() if isinstance(value, str) else value
            raise Bad(f"{shown!r} is not {what}: use one of {', '.join(choices)}")
        return value.strip().lower()

    return field(check, {"type": "string", "enum": list(choices)})


def period_key(text: str) -> str | None:
    """'2025-04' or '2025-Q2' as written, normalised; None if it is neither."""
    text = text.strip()
    if MONTH_KEY.fullmatch(text):
        return text
    if match := QUARTER_KEY.fullmatch(text):
        return f"{match.group(1)}-Q{match.group(2)}"
    return None


def _periods(values: Any) -> dict[str, Decimal]:
    """An indicator's figures: by month (2025-04) or by quarter (2025-Q2), not both."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise Bad("must be a group of `period: figure` lines, such as `2025-04: 41` "
                  "(a month) or `2025-Q2: 120` (a quarter)")
    keys = {}
    for key, number in values.items():
        normal = period_key(str(key))
        if normal is None:
            raise Bad(f"{shown(str(key))} is not a month (2025-04) or a calendar "
                      "quarter (2025-Q2, April to June)")
        if (wrong := year_problem(int(normal[:4]))) is not None:
            raise Bad(f"{normal}: {wrong}")
        keys[normal] = number
    kinds = {"quarter" if "Q" in k else "month" for k in keys}
    if len(kinds) > 1:
        raise Bad("mixes months and quarters: give an indicator's figures either by "
                  "month (2025-04) or by quarter (2025-Q2), not both")
    return mapped(parse_number)(keys)


class Indicator(Record):
    """One indicator the partnership follows, with its figures."""

    name: str = field(_text, TEXT_SCHEMA)
    unit: str = _choice(UNITS, "a unit")
    better: str = _choice(BETTER, "which way is better")
    source: str = field(_text, TEXT_SCHEMA)
    target: Decimal | None = field(parse_number, NUMBER_SCHEMA, None)
    baseline: Decimal | None = field(parse_number, NUMBER_SCHEMA, None)
    values: dict[str, Decimal] = field(
        _periods, {"type": "object", "additionalProperties": NUMBER_SCHEMA}, dict)

    @property
    def by_quarter(self) -> bool:
        return any("Q" in key for key in self.values)


class IndicatorsFile(Record):
    """The file as an editor sees it (schema/indicators.schema.json); the loader checks
    each indicator alone, so a mistake in one is reported at its own lines."""

    indicators: list[Any] = field(listed(lambda data: data, 1), {  # each an Indicator
        "type": "array", "items": {"$ref": "#/$defs/Indicator"}, "minItems": 1})


def indicators_schema() -> dict[str, Any]:
    """figures/indicators.yaml's JSON Schema."""
    return {"$defs": {"Indicator": Indicator.json_schema()}, **IndicatorsFile.json_schema()}


def _part(doc: Document, index: int, data: Any) -> Document:
    """The document seen from one indicator, so its problems keep their lines."""
    prefix = ("indicators", index)
    cut = len(prefix)
    return Document(doc.path, doc.display, data,
                    {k[cut:]: v for k, v in doc.value_marks.items() if k[:cut] == prefix},
                    {k[cut:]: v for k, v in doc.key_marks.items() if k[:cut] == prefix},
                    doc.lines)


def load_indicators(root: Path) -> list[Indicator]:
    """figures/indicators.yaml, validated; [] when there is none. Raises Invalid."""
    path = inside_project(root, INDICATORS_FILE)
    if not os.path.lexists(path):
        return []
    doc = load_file(path, INDICATORS_FILE)
    problems: list[Problem] = []
    if not isinstance(doc.data, dict):
        raise Invalid([doc.problem((), "the file must start with `indicators:` and list "
                                   "the indicators under it, each starting with `- name:`")])
    try:
        top = IndicatorsFile.read(doc.data)
    except Refused as error:
        raise Invalid(translate(doc, error, IndicatorsFile)) from None
    found: list[Indicator] = []
    names: dict[str, int] = {}
    for index, data in enumerate(top.indicators):
        part = _part(doc, index, data)
        if not isinstance(data, dict):
            problems.append(part.problem((), "each indicator is a group of fields starting "
                                         "with `- name:`"))
            continue
        try:
            indicator = Indicator.read(data)
        except Refused as error:
            problems += translate(part, error, Indicator)
            continue
        line = part.mark(("name",))[0]
        if indicator.name.lower() in names:
            problems.append(part.problem(("name",), f"name: {indicator.name!r} is also the "
                                         f"name of the indicator on line "
                                         f"{names[indicator.name.lower()]}: give each its own"))
        names.setdefault(indicator.name.lower(), line)
        found.append(indicator)
    if problems:
        raise Invalid(problems)
    return found
