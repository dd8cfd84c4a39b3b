"""The field types a plan's fields may have: one object per type, the one place it is known.

A field declared in ``actions/plan.yaml`` has one of these types (``type: due``). Each
type knows, for a value of its own:

* how it is read from YAML and checked (:meth:`FieldType.parse`: the typed value, or
  :class:`Bad` with its message in plain words);
* how it is written back as YAML text (:meth:`FieldType.written_text`) and shown to a
  person (:meth:`FieldType.shown_text`), and the paragraphs of its report cell
  (:meth:`FieldType.cell_words`);
* how a partner's workbook cell of it is read (:meth:`FieldType.from_cell`), its
  drop-down list (:meth:`FieldType.drop_down`), whether the cell holds a date
  (:attr:`FieldType.dated`), the column's width;
* its JSON Schema (:meth:`FieldType.json_schema`) and the example and hint that
  ``psa-report new`` writes (:meth:`FieldType.example`).

Code elsewhere asks the type (``fieldtypes.get(f.type).running_text``), never compares
a type's name. This module imports nothing of the plan's shape, so :mod:`.shape` builds
on it: a status is parsed through the ``shape`` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any

from . import bilingual, models
from .dates import ACCEPTED_FORMS, PERIOD_FORMS, Due, long_date, parse_due
from .digits import NotANumber, parse_decimal
from .models import Bad as Bad  # a value refused: raised by the checks of models too

YES, NO = ("true", "yes", "on", "y"), ("false", "no", "off", "n")


def normal_word(text: str) -> str:
    """A word as compared: any case, hyphens and underscores as spaces, spaces collapsed."""
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" for the nearest of ``choices``, or "": the one it names in
    another case, else the closest spelt, else one whose name starts with the word (or
    words) typed, else one holding them as whole words ('Housing' for 'Housing
    Association'), the first of these found."""
    choices = list(choices)
    lowered = {normal_word(c): c for c in choices}
    typed = normal_word(word)
    if typed in lowered:
        return f" Did you mean {lowered[typed]!r}?"
    near = get_close_matches(word, choices, n=1, cutoff=0.6)
    if not near and typed:
        near = ([c for n, c in lowered.items() if n.startswith(typed + " ")]
                or [c for n, c in lowered.items() if f" {typed} " in f" {n} "])
    return f" Did you mean {near[0]!r}?" if near else ""


def unknown_agency(lead: str, agencies: Iterable[str]) -> str:
    """What a lead that is no agency of actions/agencies.yaml is told."""
    agencies = list(agencies)
    return (f"{lead!r} is not a known agency ({', '.join(agencies)})."
            f"{did_you_mean(lead, agencies)} New agencies are added in actions/agencies.yaml")


def split_leads(value: Any) -> Any:
    """A lead value as written: several names separated by commas become a list."""
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at its line breaks.

    In a ``>-`` block a single line break is folded into a space, so a line
    break that survives is one the user meant: a blank line in the YAML.
    """
    return [p.strip() for p in text.split("\n") if p.strip()]


def any_case(word: str) -> str:
    """A regular expression matching ``word`` in any case, with - or _ for a space."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else
                   "[ _-]" if c in " _-" else re.escape(c) for c in word)


def words_pattern(words: Iterable[str], between: str = r"[\s_-]") -> str:
    """A JSON Schema ``pattern`` matching a text that is one of ``words`` as
    :func:`normal_word` compares them: any case, hyphens, underscores and spaces alike
    and as many, and at either end (``between``: only blanks, for words read in any
    case alone), so an editor accepts what ``check`` reads."""
    def letters(word: str) -> str:  # escaped as both Python's re and ECMAScript's read
        return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() and len(
            c.lower()) == len(c.upper()) == 1 else "\\" + c if c in "\\^$.|?*+()[]{}/"
            else c for c in word)

    alternatives = dict.fromkeys(f"{between}+".join(map(letters, normal_word(w).split()))
                                 for w in words)
    return f"^{between}*(?:{'|'.join(alternatives)}){between}*$"


def cell_text(value: Any) -> str:
    """Running text as typed in a cell or on the command line, line endings made plain;
    :class:`ValueError` if the cell holds a number or a date."""
    if not isinstance(value, str):
        raise ValueError("must be text (this cell holds a number or a date)")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _empty(value: Any) -> bool:
    return value is None or value == ""


def starting_status(shape: Any) -> str:
    """The status a new item starts with: the last of the plan's that is neither done nor
    an exception ("not started")."""
    statuses = shape.statuses
    calm = [s for s in statuses if not (s.done or s.exception)]
    return (calm or [s for s in statuses if not s.done] or list(statuses))[-1].name


class FieldType:
    """One type of field. The flags say what the type is for; the methods convert."""

    name = ""
    #: paragraphs of prose (a report cell's paragraphs, compared in full by `changes`)
    running_text = False
    #: words (text or line): what an item is about, an update partners write
    wording = False
    #: the agencies leading an item (whose workbook it goes in)
    is_agencies = False
    is_status = False
    #: a deadline (a date, a month, a quarter, a year or ongoing)
    is_due = False
    #: a day (not a deadline): Start, Date raised
    is_date = False
    is_number = False
    #: its values are the field's declared ``choices``
    has_choices = False
    #: a workbook cell of it holds a date
    dated = False
    #: partners may fill it in (an agencies field decides whose workbook it is)
    partner_fillable = True
    #: what a partner is asked to put in a column of it (wording.Words.column_what
    #: words each): "progress", "choose", "moved", "changed", "number" or "yes-no"
    fill_in = "progress"
    #: its column's width in a workbook, in characters, as given and to fill in
    width = 16
    new_width = 16

    def parse(self, value: Any, definition: Any = None, shape: Any = None,
              agencies: dict[str, str] | None = None) -> Any:
        """The typed value of a YAML value; :class:`Bad` if it is not one."""
        return models._text(value)

    def written_text(self, value: Any) -> str | None:
        """A typed value as it is written to YAML (and kept in a round's manifest)."""
        if value is None:
            return None
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    def shown_text(self, value: Any) -> str:
        """A typed value as a person reads it (a workbook, `changes`, `show`)."""
        if value is None:
            return ""
        return self.written_text(value) or ""

    def cell_words(self, value: Any, words: Any) -> list[str]:
        """The paragraphs of a report's cell (``words``: the report's wording)."""
        return [] if _empty(value) else [str(value)]

    def said(self, value: Any, words: Any) -> str | None:
        """A value as the report's changes since the last meeting quote it ("Due: 2010-09
        → 2010-12"), in ``words``' language: as it is written (:meth:`written_text`),
        what the tool writes of it in the language (a text's translation where it has one;
        a status by its label: psa_report.plan)."""
        return self.written_text(value)

    def from_cell(self, value: Any) -> Any:
        """A partner's workbook cell as the YAML value :meth:`parse` reads: a date cell
        as its day, a number as its digits, a true/false cell as yes or no."""
        if isinstance(value, datetime):  # a date cell: read with a time of 00:00
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (int, float)):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value

    def drop_down(self, definition: Any, shape: Any) -> list[str] | None:
        """The words of a workbook column's drop-down list, or None (no list)."""
        return None

    def json_schema(self, definition: Any, shape: Any) -> dict[str, Any]:
        return {"type": "string"}

    def example(self, definition: Any, shape: Any, leads: list[str], today: date
                ) -> tuple[str | None, str]:
        """(the example value, the hint) a new item's skeleton gives; an example of None
        or "" is the field's placeholder (the text ``check`` warns about)."""
        return None, "text"


    def __repr__(self) -> str:
        return f"<field type {self.name}>"


def _in_languages(value: Any, one: Callable[[Any], str]) -> Any:
    """A text or line field's value, written once or in the plan's languages
    (``{en: ..., cy: ...}``, see bilingual.py)."""
    try:
        return bilingual.read(value, one)
    except bilingual.BadText as bad:
        raise Bad(bad.message, bad.at) from None


class _Text(FieldType):
    name = "text"
    running_text = wording = True
    width, new_width = 36, 42

    def parse(self, value, definition=None, shape=None, agencies=None):
        return _in_languages(value, models._text)

    def cell_words(self, value, words):
        return [] if _empty(value) else paragraphs(value)

    def said(self, value, words):
        return None if value is None else bilingual.in_language(value, words.language)[0]

    def from_cell(self, value):  # running text: a number or a date is a slip
        return cell_text(value)


class _Line(FieldType):
    name = "line"
    wording = True
    width, new_width = 24, 42

    def parse(self, value, definition=None, shape=None, agencies=None):
        return _in_languages(value, self.one_line)

    said = _Text.said

    @staticmethod
    def one_line(value: Any) -> str:
        """A line in one language (an item's ``indicator`` is always so)."""
        text = models._text(value)
        if "\n" in text:
            raise Bad("must be one line: join the lines, or ask for a text field in plan.yaml")
        return text


class _Agencies(FieldType):
    name = "agencies"
    is_agencies = True
    partner_fillable = False

    def parse(self, value, definition=None, shape=None, agencies=None):
        value = split_leads(value)
        listed = isinstance(value, list)
        leads = models._leads(value)
        found = []
        for i, lead in enumerate(leads):
            at = (i,) if listed else ()
            try:
                lead = " ".join(models._text(lead).split())
            except Bad as error:
                raise Bad(error.message, at) from None
            if agencies is not None and lead not in agencies:
                raise Bad(unknown_agency(lead, agencies), at)
            if lead in found:  # at the list, as today's model says it
                raise Bad(f"{lead!r} is listed twice")
            found.append(lead)
        return found

    def written_text(self, value):
        return None if value is None else ", ".join(value) or None

    def json_schema(self, definition, shape):
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

    def example(self, definition, shape, leads, today):
        return (leads[0] if leads else "",
                f"one or several of {', '.join(leads)}, separated by commas")


class _Status(FieldType):
    name = "status"
    fill_in = "choose"
    is_status = True
    width = new_width = 12

    def parse(self, value, definition=None, shape=None, agencies=None):
        text = models._text(value)
        try:
            return shape.status(text)
        except ValueError as error:
            raise Bad(str(error)) from None

    def written_text(self, value):
        return None if value is None else value.name

    def shown_text(self, value):
        return "" if value is None else value.label

    def cell_words(self, value, words):
        return []  # the status cell is printed from the row's status

    def drop_down(self, definition, shape):
        return [s.name for s in shape.statuses]

    def json_schema(self, definition, shape):  # any case, spaces or hyphens: as check reads
        words = [w for s in shape.statuses for w in (s.name, *s.also)]
        return {"type": "string", "examples": words,
                "pattern": "^(?:" + "|".join(map(any_case, words)) + ")$"}

    def example(self, definition, shape, leads, today):
        return starting_status(shape), "one of " + ", ".join(s.name for s in shape.statuses)



class _Due(FieldType):
    name = "due"
    fill_in = "moved"
    is_due = dated = True

    def parse(self, value, definition=None, shape=None, agencies=None) -> Due:
        if not isinstance(value, str):
            raise Bad(f"must be a date written as {ACCEPTED_FORMS}; or {PERIOD_FORMS}")
        try:
            return parse_due(value, periods=True)
        except ValueError as error:
            raise Bad(str(error)) from None

    def shown_text(self, value):
        return "" if value is None else value.long

    def cell_words(self, value, words):
        return [] if _empty(value) else [value.long]

    def said(self, value, words):
        return None if value is None else words.deadline_written(value)

    def json_schema(self, definition, shape):
        return {"type": "string",
                "description": "2025-03-31, 2025-03, Q3 2024/25, 2024/25 or ongoing"}

    def example(self, definition, shape, leads, today):
        return "ongoing", ("a date (2025-03-31), a month (2025-03), a quarter (Q3 2024/25), "
                           "a financial year (2024/25) or ongoing")



class _Date(FieldType):
    name = "date"
    fill_in = "changed"
    is_date = dated = True
    width = new_width = 14

    def parse(self, value, definition=None, shape=None, agencies=None) -> date:
        return models._day(value)

    def cell_words(self, value, words):
        return [] if _empty(value) else [long_date(value)]

    def json_schema(self, definition, shape):
        return {"type": "string", "description": "a date such as 2025-03-31"}

    def example(self, definition, shape, leads, today):
        return today.isoformat(), "a date such as 2025-03-31"



class _Number(FieldType):
    name = "number"
    fill_in = "number"
    is_number = True
    width = new_width = 10

    def parse(self, value, definition=None, shape=None, agencies=None) -> int | float:
        text = models._text(value)
        plain = text.replace(",", "") if re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?",
                                                       text) else text
        if re.fullmatch(r"-?[0-9]*\.?[0-9]+", plain):
            try:
                number = parse_decimal(plain)  # digits bounded: never int()'s 4,300-digit error
            except NotANumber as bad:
                raise Bad(bad.message) from None
            return float(number) if "." in plain else int(number)
        raise Bad(f"{text!r} is not a number: write digits only, like 12 or 3.5 (a unit such "
                  "as % belongs in the field's label)")

    def shown_text(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().shown_text(value)

    def cell_words(self, value, words):
        if _empty(value):
            return []
        return [f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0")
                .rstrip(".")]

    def json_schema(self, definition, shape):
        return {"anyOf": [{"type": "number"}, {"type": "string"}]}

    def example(self, definition, shape, leads, today):
        return "0", "a number"



class _Choice(FieldType):
    name = "choice"
    fill_in = "choose"
    has_choices = True
    width = new_width = 14

    def parse(self, value, definition=None, shape=None, agencies=None) -> str:
        choices = definition.choices
        text = models._text(value)
        for choice in choices:
            if normal_word(choice) == normal_word(text):
                return choice
        raise Bad(f"{text!r} is not one of the choices.{did_you_mean(text, choices)} Use "
                  f"one of: {', '.join(choices)}")

    def drop_down(self, definition, shape):
        return list(definition.choices)

    def json_schema(self, definition, shape):  # any case, as check reads a choice
        return {"type": "string", "examples": list(definition.choices),
                "pattern": words_pattern(definition.choices)}

    def example(self, definition, shape, leads, today):
        return definition.choices[0], "one of " + ", ".join(definition.choices)



class _YesNo(FieldType):
    name = "yes-no"
    fill_in = "yes-no"
    width = new_width = 8

    def parse(self, value, definition=None, shape=None, agencies=None) -> bool:
        text = models._text(value)
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise Bad(f"{text!r} must be yes or no")

    def written_text(self, value):
        return None if value is None else "yes" if value else "no"

    def cell_words(self, value, words):
        return [] if _empty(value) else [words.yes if value else words.no]

    def said(self, value, words):
        return None if value is None else (words.yes if value else words.no).lower()

    def drop_down(self, definition, shape):
        return ["yes", "no"]

    def json_schema(self, definition, shape):  # true/false to an editor, or a word
        return {"anyOf": [{"type": "boolean"}, {
            "type": "string", "examples": ["yes", "no"], "pattern": words_pattern(YES + NO, r"\s")}]}

    def example(self, definition, shape, leads, today):
        return "no", "yes or no"



#: Every field type by its name, in the order the guide lists them.
TYPES: dict[str, FieldType] = {t.name: t for t in (
    _Text(), _Line(), _Agencies(), _Status(), _Due(), _Date(), _Number(), _Choice(),
    _YesNo())}
#: The names a field's ``type:`` may give.
FIELD_TYPES = tuple(TYPES)
#: An item's ``indicator`` (implied by every kind) is read as a line, in one language.
one_line = _Line.one_line


def get(name: str) -> FieldType:
    """The field type of this name (plan.yaml's types are checked when it is read)."""
    return TYPES[name]
