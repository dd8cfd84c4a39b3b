"""Stage 2a, validate one file: the pydantic models of the files in ``actions/``.

Every model forbids unknown fields, so a misspelt field name is reported
instead of silently dropped.  Values arrive as the text the user typed (see
:mod:`psa_report.loader`); validators turn them into refs, dates, statuses and
agencies, and say in plain words what is wrong when they cannot.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .bilingual import ISO_639_1, BadText, check_languages, is_translations, read
from .chars import refused
from .dates import DAY_FORMS, parse_day
from .gitnames import revision_problem, tag_pattern


def _error(message: str) -> PydanticCustomError:
    # PydanticCustomError keeps our message as it is (no "Value error, " prefix); with no
    # context it fills in no {placeholder}, so braces in a value are printed as they are.
    return PydanticCustomError("psa", message)


def _text(value: Any, name: bool = False) -> str:
    """Plain text: strip the ends; refuse lists, mappings, emptiness and characters that
    are not text (``name``: the stricter rule of refs and agency names)."""
    if value is None:
        raise _error("is empty: write the text, or remove the field if it is optional")
    if isinstance(value, list):
        raise _error("must be text, not a list: remove the leading '- ', or put the "
                     "whole text in quotes")
    if isinstance(value, dict):
        raise _error("must be text, not a group of fields: if the text contains ': ', "
                     "put it in quotes or use `>-` and start it on the next line")
    if not isinstance(value, str):
        raise _error("must be text")
    value = value.strip()
    if not value:
        raise _error("is empty: write the text, or remove the field if it is optional")
    _refuse_chars(value, name)
    return value


def _refuse_chars(value: str, name: bool = False) -> None:
    """Text from a table, a workbook or the command line: the characters YAML files
    are held to by the loader (see :mod:`psa_report.chars`)."""
    found = refused(value, name)
    if found is not None:
        raise _error(found[1])


Text = Annotated[str, BeforeValidator(_text)]


def _words(value: Any) -> str:
    """A text a person reads, written once or in the plan's languages (``{en: ..., cy:
    ...}``, see :mod:`psa_report.bilingual`): a str equal to the main language's text."""
    try:
        return read(value, _text)
    except BadText as bad:
        raise _error(bad.message) from None


#: Text in one language or several: kept as bilingual.Text (Any: pydantic would turn
#: the str subclass into a plain str).
#: A text written in several languages, in a JSON Schema.
TRANSLATIONS_SCHEMA = {
    "type": "object", "description": "The text in each of the plan's languages, such as "
    "{en: ..., cy: ...}; cy_checked: the day the Welsh was last checked", "patternProperties": {
        "^[a-z]{2}$": {"type": "string"}, "^[a-z]{2}_checked$": {"type": "string"}},
    "additionalProperties": False}
Words = Annotated[Any, BeforeValidator(_words), WithJsonSchema({"anyOf": [
    {"type": "string"}, TRANSLATIONS_SCHEMA]})]


def _languages(value: Any) -> tuple[str, ...]:
    try:
        return check_languages(value)
    except ValueError as error:
        raise _error(str(error)) from None


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _error(f"must be a date written as {DAY_FORMS}")
    try:
        return parse_day(value)
    except ValueError as error:
        raise _error(str(error)) from None


DayField = Annotated[date, BeforeValidator(_day),
                     WithJsonSchema({"type": "string", "format": "date"})]


def _leads(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _error("must name a lead agency, or list several, one per line "
                     "starting with '- '")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _unknown_agency(lead: str, agencies: dict[str, str]) -> str:
    from difflib import get_close_matches

    known = ", ".join(agencies)
    near = get_close_matches(lead, list(agencies), n=1, cutoff=0.6)
    lowered = {a.lower(): a for a in agencies}
    if lead.lower() in lowered:
        near = [lowered[lead.lower()]]
    hint = f" Did you mean {near[0]!r}?" if near else ""
    return (f"{lead!r} is not a known agency ({known}).{hint} "
            "New agencies are added in actions/agencies.yaml")


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
        raise _error(f"{text!r} is not a paragraph of Schedule 12A: write a number from 1 "
                     "to 7 (7 is the prevention, investigation or prosecution of crime)")
    return int(text)


class Report(_Strict):
    """actions/report.yaml: the covering page and the report's metadata."""

    partnership: Words = Field(description="The partnership the report goes to")
    title: Words
    meeting: Words = Field(description="The meeting the report is for")
    meeting_date: DayField | None = Field(
        default=None, description="Date of the meeting (YYYY-MM-DD); printed in the footer")
    author: Words = Field(description="The author's role, as signed under the covering page")
    date: DayField = Field(description="Date the report is signed (YYYY-MM-DD)")
    paragraphs: Annotated[list[Words], Field(min_length=1)]
    #: the sentences above the data gaps' and the recommendations' parts (a kind's
    #: ``intro`` in plan.yaml says the same for any kind; see :meth:`intro`)
    data_gaps_intro: Words | None = None
    recommendations_intro: Words | None = None
    sections: dict[str, Words] = Field(
        default_factory=dict, description="Optional headings for sections, e.g. 3.2: Victims")
    last_meeting: Text | None = Field(
        default=None, description="Git tag or commit of the report sent to the last meeting")
    keywords: list[Words] = Field(default_factory=list)
    docx_template: Text | None = Field(
        default=None, description="The council's Word template (.docx or .dotx) for "
        "build --format docx, relative to the project folder")
    area: Text | None = Field(
        default=None, description="The area the crime figures are for, as police.uk's LSOA "
        "names start (Stockton-on-Tees): psa-report figures import keeps its rows")
    population: Annotated[int | None, BeforeValidator(lambda v: _population(v)),
                          WithJsonSchema({"anyOf": [
                              {"type": "integer", "minimum": 1},
                              {"type": "string", "pattern": r"^[0-9][0-9,]*$"}],
                              "description": "Residents of the area, for crime rates per "
                              "1,000 (such as 197,300)"})] = None
    #: the plan's languages, its main one first (see psa_report/bilingual.py)
    languages: Annotated[tuple[str, ...], BeforeValidator(_languages), WithJsonSchema({
        "type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"},
        "minItems": 1, "maxItems": 2, "description": "The plan's languages by their "
        "two-letter codes, its main language first, such as [en, cy]"})] = ("en",)
    meeting_tags: Text | None = Field(
        default=None, description="Git tags of the meetings, as a pattern such as ssp-*: "
        "the report charts the plan at each and says how each action moved since the last")

    def intro(self, folder: str) -> str | None:
        """The intro report.yaml gives for the kind kept in ``folder`` (its
        ``<folder>_intro``, such as ``data_gaps_intro``), if any."""
        return getattr(self, re.sub(r"\W+", "_", folder) + "_intro", None)

    @field_validator("meeting_tags")
    @classmethod
    def _tag_pattern(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            return tag_pattern(text)
        except ValueError as error:
            raise _error(str(error)) from None

    @field_validator("last_meeting")
    @classmethod
    def _one_revision(cls, text: str | None) -> str | None:
        """One revision name, such as a tag or HEAD~3, checked without running git by
        the rules every revision given to git follows (gitnames.revision_problem)."""
        if text is not None and (problem := revision_problem(text)) is not None:
            raise _error(problem)
        return text


def _population(value: Any) -> int | None:
    """The number of residents: a whole number, commas allowed (197,300)."""
    if value is None:
        return None
    text = _text(value)
    plain = text.replace(",", "").replace(" ", "")
    if not plain.isdigit() or int(plain) == 0:
        raise _error(f"{text!r} is not a number of residents: write a whole number such as "
                     "197300 or 197,300 (the ONS mid-year estimate for the area)")
    return int(plain)


AGENCY_ID = r"^[^\s,;/]+$"


def _agency_id(value: Any) -> str:
    text = _text(value, name=True)
    if not re.fullmatch(AGENCY_ID, text):
        raise _error(f"{text!r} cannot be an agency's short name: use one word with no "
                     "spaces, commas or slashes (such as SBC or A&E)")
    return text


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
        raise _error(f"{text!r} is not an email address: write one address such as "
                     "updates@police.example.org")
    problem = address_problem(text)
    if problem is not None:
        raise _error(problem)
    return text


def _language(value: Any) -> str:
    """An agency's language: a two-letter code (whether the plan has it is checked where
    agencies.yaml is read, :func:`psa_report.shape.read_agencies`)."""
    text = _text(value, name=True).lower()
    if text not in ISO_639_1:
        raise _error(f"{text!r} is not a language's two-letter code: write the language "
                     "its update requests go out in, such as cy for Welsh or en for English")
    return text


class AgencyEntry(BaseModel):
    """An agency written with its details: ``Police: {name: Cleveland Police, email: ...,
    language: cy}``."""

    model_config = ConfigDict(extra="forbid")
    name: Words
    #: where ``requests --email`` addresses its update request
    email: Annotated[str, BeforeValidator(_email)] | None = None
    #: the language its workbook and e-mails are in (one of report.yaml's ``languages``;
    #: left out: the plan's main language)
    language: Annotated[str, BeforeValidator(_language), WithJsonSchema({
        "type": "string", "pattern": "^[a-z]{2}$", "description": "The language its update "
        "requests go out in: one of report.yaml's languages, such as cy"})] | None = None


#: actions/agencies.yaml: short name (as used in `lead`) -> full name, or its details
#: (name and an optional email address).
def _agency_value(value: Any) -> Any:
    """An agency's full name, or its details (a group of fields: name and email)."""
    if not isinstance(value, dict) or is_translations(value):
        return _words(value)
    try:
        return AgencyEntry.model_validate(value)
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(map(str, detail["loc"]))
        raise _error(f"{where}: {detail['msg']} (an agency is written `short name: full "
                     "name`, or with `name:`, `email:` and `language:` below it)") from None


Agencies = Annotated[dict[Annotated[str, BeforeValidator(_agency_id)],
                          Annotated[str | AgencyEntry, BeforeValidator(_agency_value)]],
                     Field(min_length=1)]


def split_agencies(agencies: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(short name -> full name, short name -> email) from agencies.yaml as validated."""
    names = {code: value if isinstance(value, str) else value.name
             for code, value in agencies.items()}
    emails = {code: value.email for code, value in agencies.items()
              if isinstance(value, AgencyEntry) and value.email}
    return names, emails
