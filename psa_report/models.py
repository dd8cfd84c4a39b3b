"""Stage 2a, validate one file: report.yaml, an agency's details and the indicators are
records whose one table of fields (:data:`field`) both checks a file (:meth:`Record.read`)
and writes its JSON Schema (:meth:`Record.json_schema`).  Unknown fields are refused, so a
misspelt field name is reported, never dropped.  Values arrive as the text the user typed
(see :mod:`psa_report.loader`); the checks turn them into dates, texts and agencies, or
say in plain words what is wrong (:class:`Bad`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from inspect import cleandoc
from typing import Any

from .bilingual import ISO_639_1, BadText, check_languages, read
from .chars import refused
from .dates import DAY_FORMS, parse_day
from .gitnames import revision_problem, tag_pattern


class Refused(Exception):
    """Values refused: (path, kind, message) of each mistake, the kind one of "bad",
    "missing" and "unknown" (a field not declared)."""

    def __init__(self, errors: list[tuple[tuple, str, str]]):
        super().__init__(errors)
        self.errors = errors


class Bad(Refused):
    """A value refused: the message, and where in the value (a list's place) it is wrong."""

    def __init__(self, message: str, at: tuple = ()):
        super().__init__([(at, "bad", message)])
        self.args, self.message, self.at = (message,), message, at


class Field:
    """A record's field: ``check`` turns the value as written into its value (or raises
    :class:`Bad`); no ``default``: required; a default of None: may be left empty; a
    callable default (``dict``) is called for each record. Declared with :data:`field`."""

    def __init__(self, check: Callable[[Any], Any], schema: dict, default: Any = ...,
                 description: str | None = None):
        self.check, self.schema, self.default, self.description = check, schema, default, description
        self.required, self.name = default is ..., ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def json_schema(self) -> dict[str, Any]:
        schema = ({"anyOf": [*self.schema.get("anyOf", [self.schema]), {"type": "null"}]}
                  if self.default is None else dict(self.schema))  # None: may be left empty
        if not self.required and not callable(self.default):
            schema["default"] = self.default
        return {**schema, **({"description": self.description} if self.description else {}),
                "title": self.name.replace("_", " ").title()}


#: A field as declared: ``name: its type = field(...)`` (Any, so the attribute has its type).
field: Callable[..., Any] = Field


class Record:
    """A file's mapping, checked field by field (see the module's doc); frozen."""

    FIELDS: tuple[Field, ...] = ()

    def __init_subclass__(cls) -> None:
        cls.FIELDS = tuple(v for v in vars(cls).values() if isinstance(v, Field))

    def __init__(self, **values: Any):
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @classmethod
    def read(cls, data: dict) -> Any:
        """The record of a mapping as loaded, or :class:`Refused` with every mistake."""
        values: dict[str, Any] = {}
        errors: list[tuple[tuple, str, str]] = []
        for f in cls.FIELDS:
            if f.name not in data:
                if f.required:
                    errors.append(((f.name,), "missing", "Field required"))
                else:
                    values[f.name] = f.default() if callable(f.default) else f.default
                continue
            try:
                value = data[f.name]
                values[f.name] = None if value is None and f.default is None else f.check(value)
            except Refused as inner:  # (or Bad)
                errors += [((f.name, *path), kind, text) for path, kind, text in inner.errors]
        errors += [((key,), "unknown", "Extra inputs are not permitted")
                   for key in data if not isinstance(getattr(cls, str(key), None), Field)]
        if errors:
            raise Refused(errors)
        return cls(**values)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        return sorted_schema({
            "type": "object", "title": cls.__name__, "additionalProperties": False,
            "properties": {f.name: f.json_schema() for f in cls.FIELDS},
            "required": [f.name for f in cls.FIELDS if f.required],
            **({"description": cleandoc(cls.__doc__)} if cls.__doc__ else {})})


def sorted_schema(value: Any, parent: str = "") -> Any:
    """A JSON Schema with its keys in order (a record's properties in their own)."""
    if isinstance(value, dict):
        keys = value if parent == "properties" else sorted(value)
        return {key: sorted_schema(value[key], key) for key in keys}
    return [sorted_schema(v) for v in value] if isinstance(value, list) else value


def listed(check: Callable[[Any], Any], least: int = 0) -> Callable[[Any], list]:
    """The check of a list whose items each pass ``check`` (every mistake at its place)."""
    return lambda value: list(_each(check, value, list, least).values())


def mapped(check: Callable[[Any], Any]) -> Callable[[Any], dict]:
    """The check of a group of `name: value` lines whose values each pass ``check``."""
    return lambda value: _each(check, value, dict)


def _each(check: Callable[[Any], Any], value: Any, kind: Any, least: int = 0) -> dict:
    if not isinstance(value, kind):
        raise Bad("must be a list, one item per line starting with '- '" if kind is list
                  else "must be a group of `name: value` lines")
    if len(value) < least:
        raise Bad("must not be empty")
    found, errors = {}, []
    for at, one in enumerate(value) if kind is list else value.items():
        try:
            found[str(at).strip() if kind is dict else at] = check(one)
        except Refused as inner:
            errors += [((at, *path), kind, text) for path, kind, text in inner.errors]
    if errors:
        raise Refused(errors)
    return found


def _text(value: Any, name: bool = False) -> str:
    """Plain text: strip the ends; refuse lists, mappings, emptiness and characters that
    are not text (``name``: the stricter rule of refs and agency names)."""
    if value is None:
        raise Bad("is empty: write the text, or remove the field if it is optional")
    if isinstance(value, list):
        raise Bad("must be text, not a list: remove the leading '- ', or put the "
                  "whole text in quotes")
    if isinstance(value, dict):
        raise Bad("must be text, not a group of fields: if the text contains ': ', "
                  "put it in quotes or use `>-` and start it on the next line")
    if not isinstance(value, str):
        raise Bad("must be text")
    value = value.strip()
    if not value:
        raise Bad("is empty: write the text, or remove the field if it is optional")
    _refuse_chars(value, name)
    return value


def _refuse_chars(value: str, name: bool = False) -> None:
    """Text from a table, a workbook or the command line: the characters YAML files
    are held to by the loader (see :mod:`psa_report.chars`)."""
    found = refused(value, name)
    if found is not None:
        raise Bad(found[1])


def _words(value: Any) -> str:
    """A text a person reads, written once or in the plan's languages (``{en: ..., cy:
    ...}``, see :mod:`psa_report.bilingual`): a str equal to the main language's text."""
    try:
        return read(value, _text)
    except BadText as bad:
        raise Bad(bad.message) from None


#: A text; a text written in several languages; either (a text a person reads): JSON Schemas.
TEXT_SCHEMA: dict[str, Any] = {"type": "string"}
TRANSLATIONS_SCHEMA = {
    "type": "object", "description": "The text in each of the plan's languages, such as "
    "{en: ..., cy: ...}; cy_checked: the day the Welsh was last checked", "patternProperties": {
        "^[a-z]{2}$": {"type": "string"}, "^[a-z]{2}_checked$": {"type": "string"}},
    "additionalProperties": False}
WORDS_SCHEMA = {"anyOf": [TEXT_SCHEMA, TRANSLATIONS_SCHEMA]}
DAY_SCHEMA = {"type": "string", "format": "date"}


def _languages(value: Any) -> tuple[str, ...]:
    try:
        return check_languages(value)
    except ValueError as error:
        raise Bad(str(error)) from None


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise Bad(f"must be a date written as {DAY_FORMS}")
    try:
        return parse_day(value)
    except ValueError as error:
        raise Bad(str(error)) from None


def _leads(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise Bad("must name a lead agency, or list several, one per line "
                  "starting with '- '")
    return value


#: The paragraphs of Schedule 12A to the Local Government Act 1972 (descriptions of
#: exempt information): 7 is "the prevention, investigation or prosecution of crime".
SCHEDULE_12A = range(1, 8)
#: The key under which a whole item's paragraph is kept in ``exempt`` (a field's name
#: can never be empty).
WHOLE_ITEM = ""


def _paragraph(value: Any) -> int:
    """A paragraph of Schedule 12A, 1 to 7."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value)
    if not text.isdigit() or int(text) not in SCHEDULE_12A:
        raise Bad(f"{text!r} is not a paragraph of Schedule 12A: write a number from 1 "
                  "to 7 (7 is the prevention, investigation or prosecution of crime)")
    return int(text)


def _tag_pattern(value: Any) -> str:
    try:
        return tag_pattern(_text(value))
    except ValueError as error:
        raise Bad(str(error)) from None


def _one_revision(value: Any) -> str:
    """One revision name, such as a tag or HEAD~3, checked without running git by the
    rules every revision given to git follows (gitnames.revision_problem)."""
    if (problem := revision_problem(text := _text(value))) is not None:
        raise Bad(problem)
    return text


class Report(Record):
    """actions/report.yaml: the covering page and the report's metadata."""

    partnership: Any = field(_words, WORDS_SCHEMA, description="The partnership the report goes to")
    title: Any = field(_words, WORDS_SCHEMA)
    meeting: Any = field(_words, WORDS_SCHEMA, description="The meeting the report is for")
    meeting_date: date | None = field(
        _day, DAY_SCHEMA, None, "Date of the meeting (YYYY-MM-DD); printed in the footer")
    author: Any = field(_words, WORDS_SCHEMA,
                        description="The author's role, as signed under the covering page")
    date: date = field(_day, DAY_SCHEMA, description="Date the report is signed (YYYY-MM-DD)")
    paragraphs: list[Any] = field(listed(_words, 1),
                                  {"type": "array", "items": WORDS_SCHEMA, "minItems": 1})
    #: the sentences above the data gaps' and the recommendations' parts (a kind's
    #: ``intro`` in plan.yaml says the same for any kind; see :meth:`intro`)
    data_gaps_intro: Any = field(_words, WORDS_SCHEMA, None)
    recommendations_intro: Any = field(_words, WORDS_SCHEMA, None)
    sections: dict[str, Any] = field(mapped(_words), {"type": "object", "additionalProperties":
        WORDS_SCHEMA}, dict, "Optional headings for sections, e.g. 3.2: Victims")
    last_meeting: str | None = field(_one_revision, TEXT_SCHEMA, None,
                                     "Git tag or commit of the report sent to the last meeting")
    keywords: list[Any] = field(listed(_words), {"type": "array", "items": WORDS_SCHEMA}, list)
    docx_template: str | None = field(_text, TEXT_SCHEMA, None, "The council's Word template "
        "(.docx or .dotx) for build --format docx, relative to the project folder")
    area: str | None = field(_text, TEXT_SCHEMA, None, "The area the crime figures are for, "
        "as police.uk's LSOA names start (Stockton-on-Tees): psa-report figures import keeps "
        "its rows")
    population: int | None = field(lambda v: _population(v), {"anyOf": [
        {"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^[0-9][0-9,]*$"}]},
        None, "Residents of the area, for crime rates per 1,000 (such as 197,300)")
    #: the plan's languages, its main one first (see psa_report/bilingual.py)
    languages: tuple[str, ...] = field(_languages, {
        "type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}, "minItems": 1,
        "maxItems": 2}, ("en",), "The plan's languages by their two-letter codes, its main "
        "language first, such as [en, cy]")
    meeting_tags: str | None = field(_tag_pattern, TEXT_SCHEMA, None, "Git tags of the "
        "meetings, as a pattern such as ssp-*: the report charts the plan at each and says "
        "how each action moved since the last")

    def intro(self, folder: str) -> str | None:
        """The intro report.yaml gives for the kind kept in ``folder`` (its
        ``<folder>_intro``, such as ``data_gaps_intro``), if any."""
        return getattr(self, re.sub(r"\W+", "_", folder) + "_intro", None)


def _population(value: Any) -> int | None:
    """The number of residents: a whole number, commas allowed (197,300)."""
    if value is None:
        return None
    text = _text(value)
    plain = text.replace(",", "").replace(" ", "")
    if not plain.isdigit() or int(plain) == 0:
        raise Bad(f"{text!r} is not a number of residents: write a whole number such as "
                  "197300 or 197,300 (the ONS mid-year estimate for the area)")
    return int(plain)


EMAIL = r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\]]+$"


def address_problem(text: str) -> str | None:
    """Why ``text`` (one address, already of the form local@domain) cannot be written into
    a draft's To: line as a valid address, or None. An internationalised domain is
    written in its ASCII form (IDNA, punycode); a local part (before the @) must be
    plain ASCII, since mail systems differ on any other and an encoded-word (RFC 2047)
    is not valid inside an address."""
    local, _, domain = text.rpartition("@")
    if not local.isascii():
        return (f"{text!r}: the part before the @ has letters that are not plain ASCII, "
                "which many mail systems cannot deliver to: ask the agency for an "
                "address written in plain letters (such as updates@police.example.org)")
    try:
        domain.encode("idna")
    except UnicodeError:
        return (f"{text!r}: the part after the @ ({domain}) is not a domain name an "
                "email can be sent to (an empty, too long or invalid part between the "
                "dots): check its spelling")
    return None


def _email(value: Any) -> str:
    text = _text(value, name=True)
    if not re.fullmatch(EMAIL, text):
        raise Bad(f"{text!r} is not an email address: write one address such as "
                  "updates@police.example.org")
    problem = address_problem(text)
    if problem is not None:
        raise Bad(problem)
    return text


def _language(value: Any) -> str:
    """An agency's language: a two-letter code (whether the plan has it is checked where
    agencies.yaml is read, :func:`psa_report.shape.read_agencies`)."""
    text = _text(value, name=True).lower()
    if text not in ISO_639_1:
        raise Bad(f"{text!r} is not a language's two-letter code: write the language "
                  "its update requests go out in, such as cy for Welsh or en for English")
    return text


class AgencyEntry(Record):
    """An agency written with its details: ``Police: {name: Cleveland Police, email: ...,
    language: cy}``."""

    name: Any = field(_words, WORDS_SCHEMA)
    #: where ``requests --email`` addresses its update request
    email: str | None = field(_email, TEXT_SCHEMA, None)
    #: the language its workbook and e-mails are in (one of report.yaml's ``languages``;
    #: left out: the plan's main language)
    language: str | None = field(_language, {
        "type": "string", "pattern": "^[a-z]{2}$", "description": "The language its update "
        "requests go out in: one of report.yaml's languages, such as cy"}, None)


def agencies_schema() -> dict[str, Any]:
    """actions/agencies.yaml's JSON Schema: short name (as used in `lead`) -> full name
    (once or in the plan's languages), or its details."""
    return sorted_schema({"type": "object", "minProperties": 1, "$defs": {
        "AgencyEntry": AgencyEntry.json_schema()}, "additionalProperties": {
            "anyOf": [*WORDS_SCHEMA["anyOf"], {"$ref": "#/$defs/AgencyEntry"}]}})
