"""Stage 2a, validate one file: the pydantic models of the files in ``actions/``.

Every model forbids unknown fields, so a misspelt field name is reported
instead of silently dropped.  Values arrive as the text the user typed (see
:mod:`psa_report.loader`); validators turn them into refs, dates, statuses and
agencies, and say in plain words what is wrong when they cannot.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .chars import refused
from .dates import ACCEPTED_FORMS, DAY_FORMS, Due, parse_day, parse_due


class Status(str, Enum):
    """The closed status vocabulary, always printed as a word (colour only as well)."""

    COMPLETE = "complete"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NOT_STARTED = "not started"

    @property
    def label(self) -> str:
        """As printed: "On track"."""
        return self.value.capitalize()

    @property
    def slug(self) -> str:
        return self.value.replace(" ", "-")

    @property
    def css(self) -> str:
        """Its CSS class: "status-on-track"."""
        return f"status-{self.slug}"

    @property
    def done(self) -> bool:
        """Never overdue, and not sent to partners (shape.StatusDef has the same)."""
        return self is Status.COMPLETE

    @property
    def exception(self) -> bool:
        """Listed in the report's exceptions."""
        return self in (Status.AT_RISK, Status.OFF_TRACK)


#: Words accepted for a status besides the canonical ones (RAG colours).
STATUS_ALIASES = {"green": Status.ON_TRACK, "amber": Status.AT_RISK,
                  "red": Status.OFF_TRACK, "blue": Status.COMPLETE}
STATUS_WORDS = ", ".join(s.value for s in Status)


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


def parse_status(text: str) -> Status:
    """A status from its word (any case, hyphens or underscores) or its RAG colour."""
    word = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    if word in STATUS_ALIASES:
        return STATUS_ALIASES[word]
    try:
        return Status(word)
    except ValueError:
        raise ValueError(f"{text!r} is not a status: use one of {STATUS_WORDS} "
                         "(or green, amber, red)") from None


def _status(value: Any) -> Status:
    if isinstance(value, Status):
        return value
    try:
        return parse_status(_text(value))
    except ValueError as error:
        raise _error(str(error)) from None


StatusField = Annotated[Status, BeforeValidator(_status),
                        WithJsonSchema({"type": "string", "enum": [
                            *[s.value for s in Status], *STATUS_ALIASES]})]


def _due(value: Any) -> Due | None:
    if value is None or isinstance(value, Due):
        return value
    if not isinstance(value, str):
        raise _error(f"must be a date written as {ACCEPTED_FORMS}")
    try:
        return parse_due(value)
    except ValueError as error:
        raise _error(str(error)) from None


DueField = Annotated[Due | None, BeforeValidator(_due),
                     WithJsonSchema({"type": "string",
                                     "description": f"Deadline: {ACCEPTED_FORMS}"})]


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


def _known_agency(lead: str, info: ValidationInfo) -> str:
    agencies = (info.context or {}).get("agencies")
    if agencies is not None and lead not in agencies:
        raise _error(_unknown_agency(lead, agencies))
    return lead


def _distinct(leads: list[str]) -> list[str]:
    for i, lead in enumerate(leads):
        if lead in leads[:i]:
            raise _error(f"{lead!r} is listed twice")
    return leads


Leads = Annotated[
    list[Annotated[str, BeforeValidator(_text), AfterValidator(_known_agency)]],
    BeforeValidator(_leads), AfterValidator(_distinct),
    WithJsonSchema({"anyOf": [{"type": "string"},
                              {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                    "description": "Lead agency, or a list of them (see agencies.yaml)"})]


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


def ref_key(ref: str) -> tuple:
    """Data gaps (3.2.1) in natural order (3.2.10 after 3.2.9), then R1, R2, ... R10;
    any other ref (a declared kind's: DA-02, 1a) after them, in natural order."""
    if re.fullmatch(r"R\d+", ref):
        return (1, int(ref[1:]))
    if re.fullmatch(r"\d+(\.\d+)*", ref):
        return (0, *(int(part) for part in ref.split(".")))
    return (2, *(((0, int(p), "") if p.isdigit() else (1, 0, p.lower()))
                 for p in re.findall(r"\d+|\D+", ref)))


REF_PATTERN = r"^\d+\.\d+\.\d+$"
REC_PATTERN = r"^R\d+$"


#: Longest ref: a ref is also its file's name, and a name has to fit in a path.
MAX_REF_LENGTH = 20


def ref_too_long(ref: str) -> str | None:
    """Why ``ref`` is too long to be a ref (None if it is not)."""
    if len(ref) <= MAX_REF_LENGTH:
        return None
    return (f"the ref {ref[:12] + '...'!r} is {len(ref):,} characters long: a ref is at "
            f"most {MAX_REF_LENGTH}, such as 3.2.1 or R12")


def _ref(pattern: str, what: str) -> BeforeValidator:
    def check(value: Any) -> str:
        text = _text(value, name=True)
        if ref_too_long(text):
            raise _error(ref_too_long(text))
        if not re.fullmatch(pattern, text, re.ASCII):  # \d: 0-9, not a full-width ３
            raise _error(f"{text!r} is not {what}")
        return text

    return BeforeValidator(check)


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


def _exempt(fields: tuple[str, ...], what: str):
    """``exempt: 7`` (the whole item) or ``exempt: {update: 1}`` (some of its fields),
    kept as field name -> paragraph, the whole item under :data:`WHOLE_ITEM`."""

    def whole_or_fields(value: Any) -> Any:
        if isinstance(value, dict):
            if not value:
                raise _error("names no field: write `exempt: {update: 7}` (the field and "
                             "the paragraph of Schedule 12A), or `exempt: 7` for the whole "
                             f"{what}")
            if WHOLE_ITEM in value:
                raise _error("names a field with no name: write the field's name, such as "
                             "`exempt: {update: 7}`")
            return value
        if value is None:
            raise _error("is empty: write the paragraph of Schedule 12A (1 to 7), such as "
                         f"`exempt: 7` for the whole {what} or `exempt: {{update: 7}}` for "
                         "one field, or remove the line")
        return {WHOLE_ITEM: _paragraph(value)}

    def known(name: Any) -> str:
        if name == WHOLE_ITEM:
            return name
        if not isinstance(name, str) or name not in fields:
            from difflib import get_close_matches

            near = get_close_matches(str(name), fields, n=1, cutoff=0.6)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise _error(f"{str(name)!r} is not a field of a {what}.{hint} The fields that "
                         f"may be exempt are: {', '.join(fields)}")
        return name

    return Annotated[
        dict[Annotated[Any, BeforeValidator(known)],
             Annotated[int, BeforeValidator(_paragraph)]] | None,
        BeforeValidator(whole_or_fields),
        WithJsonSchema({"anyOf": [
            {"type": "integer", "minimum": 1, "maximum": 7},
            {"type": "string", "pattern": "^[1-7]$"},
            {"type": "object", "propertyNames": {"enum": list(fields)},
             "additionalProperties": {"anyOf": [
                 {"type": "integer", "minimum": 1, "maximum": 7},
                 {"type": "string", "pattern": "^[1-7]$"}]}}],
            "description": "Exempt information under Schedule 12A to the Local Government "
            "Act 1972: the paragraph (1-7) for the whole item, or field: paragraph for some "
            "of its fields; left out of the public edition"})]


class DataGap(_Strict):
    """One data requirement from the assessment (a row of the data-gaps table)."""

    ref: Annotated[str, _ref(REF_PATTERN, "a data-gap ref: write three numbers with dots, "
                             "like 3.2.1 (quote it if your editor changes it)"),
                   Field(description="Section reference such as 3.2.1",
                         json_schema_extra={"pattern": REF_PATTERN})]
    gap: Text
    lead: Leads
    action: Text
    update: Text
    status: StatusField
    due: DueField = None
    indicator: Text | None = Field(
        default=None, description="The name of an indicator in figures/indicators.yaml: the "
        "row shows its figure for the quarter reported")

    exempt: _exempt(("gap", "lead", "action", "update", "status", "due", "indicator"),
                    "data gap") = None

    @property
    def section(self) -> str:
        return self.ref.rsplit(".", 1)[0]

    @property
    def kind(self):
        """Its kind in the default shape (shape.Kind), as a generic item has."""
        from .shape import DEFAULT_KINDS

        return DEFAULT_KINDS[0]

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default) if name in type(self).model_fields else default



class Recommendation(_Strict):
    """One recommendation put to the partnership, with its latest UPDATE."""

    ref: Annotated[str, _ref(REC_PATTERN, "a recommendation ref: write R and a number, "
                             "like R1"),
                   Field(description="R followed by a number: R1, R2, ...",
                         json_schema_extra={"pattern": REC_PATTERN})]
    recommendation: Text
    update: Text
    status: StatusField
    # A recommendation is for the whole partnership unless a lead is named.
    lead: Leads = []
    due: DueField = None
    indicator: Text | None = Field(
        default=None, description="The name of an indicator in figures/indicators.yaml: the "
        "row shows its figure for the quarter reported")
    exempt: _exempt(("recommendation", "update", "status", "lead", "due", "indicator"),
                    "recommendation") = None

    @property
    def kind(self):
        """Its kind in the default shape (shape.Kind), as a generic item has."""
        from .shape import DEFAULT_KINDS

        return DEFAULT_KINDS[1]

    get = DataGap.get


def kind_of(item) -> str:
    """The name of an item's kind: "data gap", "recommendation", or a declared kind's."""
    return item.kind.name


class Report(_Strict):
    """actions/report.yaml: the covering page and the report's metadata."""

    partnership: Text = Field(description="The partnership the report goes to")
    title: Text
    meeting: Text = Field(description="The meeting the report is for")
    meeting_date: DayField | None = Field(
        default=None, description="Date of the meeting (YYYY-MM-DD); printed in the footer")
    author: Text = Field(description="The author's role, as signed under the covering page")
    date: DayField = Field(description="Date the report is signed (YYYY-MM-DD)")
    paragraphs: Annotated[list[Text], Field(min_length=1)]
    data_gaps_intro: Text | None = None  # today's shape: the sentences above each part
    recommendations_intro: Text | None = None
    sections: dict[str, Text] = Field(
        default_factory=dict, description="Optional headings for sections, e.g. 3.2: Victims")
    last_meeting: Text | None = Field(
        default=None, description="Git tag or commit of the report sent to the last meeting")
    keywords: list[Text] = Field(default_factory=list)
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
    meeting_tags: Text | None = Field(
        default=None, description="Git tags of the meetings, as a pattern such as ssp-*: "
        "the report charts the plan at each and says how each action moved since the last")

    @field_validator("meeting_tags")
    @classmethod
    def _tag_pattern(cls, text: str | None) -> str | None:
        from .history import tag_pattern  # the one set of git-name rules (history.py)

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
        the rules every revision given to git follows (history.revision_problem)."""
        from .history import revision_problem

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


def _email(value: Any) -> str:
    text = _text(value, name=True)
    if not re.fullmatch(EMAIL, text):
        raise _error(f"{text!r} is not an email address: write one address such as "
                     "updates@police.example.org")
    from .emails import address_problem  # (emails needs the models loaded first)

    problem = address_problem(text)
    if problem is not None:
        raise _error(problem)
    return text


class AgencyEntry(BaseModel):
    """An agency written with its details: ``Police: {name: Cleveland Police, email: ...}``."""

    model_config = ConfigDict(extra="forbid")
    name: Text
    #: where ``requests --email`` addresses its update request
    email: Annotated[str, BeforeValidator(_email)] | None = None


#: actions/agencies.yaml: short name (as used in `lead`) -> full name, or its details
#: (name and an optional email address).
def _agency_value(value: Any) -> Any:
    """An agency's full name, or its details (a group of fields: name and email)."""
    if not isinstance(value, dict):
        return _text(value)
    try:
        return AgencyEntry.model_validate(value)
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(map(str, detail["loc"]))
        raise _error(f"{where}: {detail['msg']} (an agency is written `short name: full "
                     "name`, or with `name:` and `email:` below it)") from None


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
