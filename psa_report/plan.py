"""Stage 3, plan: everything the report says, computed in Python.

The plan is the only thing the renderers see (the Jinja templates and the Word
writer): every value is already worded (dates, leads, paragraphs), so no
template reaches back into the models.  The overdue table comes from
:mod:`psa_report.deadlines`, the engine of ``psa-report overdue`` too.  Nothing here
imports Jinja or WeasyPrint.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, Any

from . import bilingual, fieldtypes, ledger, wording
from .bilingual import Fallback, Text, lang_of
from .changes import Change
from .dates import day_suffix, long_date, month_year
from .deadlines import Overdue, is_done, overdue  # noqa: F401 - the report's overdue table
from .figures_view import FiguresView, link_indicators, number_text
from .history import Provenance, Revision
from .progress import (
    GLYPHS,
    Exceptions,
    ProgressView,
    Travel,
    directions,
    exceptions,
    progress_view,
    recount,
    removed,
    travel,
)
from .project import Project
from .shape import Item, Kind, StatusDef
from .wording import WORDS, Words

if TYPE_CHECKING:
    from .meetings import Comparison, MeetingHistory


def localise(value: Any, language: str, main: str = "en") -> Any:
    """A plan's text in the edition's ``language`` (:func:`psa_report.bilingual.in_language`):
    its translation, or its main language's text as a :class:`Fallback`. A value that is
    no text (a date, a number, a list) is returned as it is."""
    if isinstance(value, Text):
        text, lang = bilingual.in_language(value, language)
        return text if lang == language else Fallback(text, lang)
    if isinstance(value, str) and not isinstance(value, Fallback) and language != main:
        return Fallback(value, main)
    return value


def paragraphs(text: str) -> list[str]:
    """Text split into paragraphs (:func:`fieldtypes.paragraphs`), each keeping the
    language a text printed in its main language is marked with (a Fallback)."""
    lang = lang_of(text)
    found = fieldtypes.paragraphs(text)
    return [Fallback(p, lang) for p in found] if lang else found


@dataclass(frozen=True)
class DayParts:
    """A date split so a template can print "28<sup>th</sup> June 2010"."""

    day: int
    suffix: str
    month_year: str
    iso: str
    text: str  # "28 June 2010"

    @classmethod
    def of(cls, day: date, language: str = "en") -> DayParts:
        """``day`` in ``language``: "28th June 2010" in English, "28 Mehefin 2010" in
        Welsh (no suffix: Welsh writes no English ordinal)."""
        return cls(day.day, day_suffix(day.day, language), month_year(day, language),
                   day.isoformat(), long_date(day, language))


@dataclass(frozen=True)
class Lead:
    code: str  # "SBC"
    name: str  # "Stockton-on-Tees Borough Council"


@dataclass
class Row:
    """One data gap or recommendation as the report prints it."""

    ref: str
    anchor: str
    text: list[str]  # the gap (or the recommendation), paragraph by paragraph
    update: list[str]
    leads: list[Lead]
    status: StatusDef | None  # None: none given (status_required: false)
    due: str | None  # "September 2010"
    overdue_days: int | None
    changes: list[str] = field(default_factory=list)  # "Status: at risk → on track"
    new: bool = False  # added since the last meeting
    # Direction of travel since the last meeting (progress.direction): "Improved (was at
    # risk)"; its kind "up", "down", "same" or "new" picks the shape. None: first report.
    direction: str | None = None
    direction_kind: str | None = None
    words: Words = field(default=wording.WORDS, repr=False)
    figure: str | None = None  # its indicator's figure (figures_view.link_indicators)
    kind: str = ""  # "data gap", or a declared kind's name
    due_label: str = ""  # a declared due field's label ("Timescale"); "" for "Due ..."
    lead_label: str = ""  # its kind's label of its leads: "Lead", "Lead partner"
    #: the cells after the ref, in the kind's order (a table's columns, a block's lines)
    cells: list[Cell] = field(default_factory=list)
    #: said in place of the deadline when it is exempt (the public edition, editions.py)
    due_exempt: str | None = None
    #: a table row with so much text for its columns' widths that it may fill half a page
    #: or more: it starts where the last row ended and runs on (report.css), see mark_tall
    tall: bool = False
    #: the row the preview kept, of which this is a copy (KeptRows); None: planned afresh.
    #: The renderer keeps a kept row's markup from one save to the next (render.Fragments)
    origin: Row | None = field(default=None, compare=False, repr=False)

    @property
    def direction_glyph(self) -> str:
        return GLYPHS.get(self.direction_kind or "", "")

    @property
    def due_text(self) -> str | None:
        """"Due September 2010"; a declared deadline under its own label: "Timescale: Q3
        2024/25 (October to December 2024)"; the exempt sentence where it is exempt."""
        if self.due_exempt:
            return self.due_exempt
        if not self.due:
            return None
        return f"{self.due_label}: {self.due}" if self.due_label else self.words.due_on(self.due)

    @property
    def overdue_text(self) -> str | None:
        """"Overdue by 3 days"."""
        return None if self.overdue_days is None else self.words.overdue_by(self.overdue_days)

    @property
    def direction_text(self) -> str | None:
        """"Improved (was at risk)"; "New since the last meeting"."""
        if not self.direction:
            return None
        if self.direction_kind == "new":
            return f"{self.direction} {self.words.since_last_meeting}"
        return self.direction

    @property
    def lead_codes(self) -> str:
        """"SBC, Police", or "the whole partnership" when no agency leads."""
        return ", ".join(lead.code for lead in self.leads) or self.words.whole_partnership


@dataclass
class Cell:
    """One field of a row as printed: its words by paragraph, or its leads, or (a
    ``status`` cell) the row's status with its notes."""

    name: str  # the field's name: "gap"
    label: str  # its label: "Data gap"
    type: str  # the field's type (shape.FIELD_TYPES)
    paragraphs: list[str] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)

    @property
    def lang(self) -> str:
        """The language its words are in when not the edition's (an untranslated text)."""
        return lang_of(self.paragraphs[0]) if self.paragraphs else ""

    # What its field's type is for (psa_report/fieldtypes.py), for the renderers, which
    # never compare a type's name.
    @property
    def is_status(self) -> bool:
        return fieldtypes.get(self.type).is_status

    @property
    def is_agencies(self) -> bool:
        return fieldtypes.get(self.type).is_agencies

    @property
    def running_text(self) -> bool:
        return fieldtypes.get(self.type).running_text

    @property
    def apart(self) -> bool:
        """The leads or the status: printed in their own places (a block's head), not
        among the lines of its other fields."""
        return self.is_status or self.is_agencies


@dataclass(frozen=True)
class Heading:
    anchor: str
    title: str
    level: int


#: The width a column of each type of field asks for, in characters of the table's text
#: ("ref": the refs' column). The one measure of every output: the printed and on-screen
#: tables' column widths (report.css), the Word tables' (docx_render), and whether a
#: table needs a landscape page. A column is never narrower than its longest word (its
#: label's, a status's, an agency's code; see :func:`lay_out`), so no such word is broken.
COLUMN_WEIGHTS = {"ref": 6, "text": 24, "line": 14, "agencies": 10, "status": 13, "due": 12,
                  "date": 11, "number": 9, "choice": 12, "yes-no": 6}
#: The characters of table text a page's width holds: a table whose columns ask for more
#: than a portrait page holds is printed on landscape pages.
PAGE_WIDTHS = {"portrait": 100, "landscape": 160}
#: The least a column of running text (text, line) is squeezed to when there are too
#: many columns for the page; its words are then hyphenated, never broken anywhere.
LEAST_TEXT_WEIGHT = 10
#: The most a column is widened to hold its longest word (a longer word is hyphenated).
MOST_WORD_WEIGHT = 22


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str = "line"  # the field's type, "ref" for the refs' column
    weight: float = 0  # the characters it asks for (COLUMN_WEIGHTS, widened to its words)
    percent: float = 0  # its share of the table's width
    #: the characters a line of it holds: a longer word is hyphenated (report.css)
    fits: int = 0
    #: the least it may be squeezed to (:func:`fit`): its longest word, never broken;
    #: running text no less than LEAST_TEXT_WEIGHT (its other words are hyphenated)
    least: float = 0


@dataclass
class Section:
    number: str
    heading: str
    anchor: str
    rows: list[Row]
    title: str = ""  # "Section 3.2: Crime and disorder"
    caption: str = ""  # what the section's table holds
    continued: str = ""  # at the top of a page the table continues on
    #: headings of the sections this one is in, each printed once, before its first
    #: section ("Section 1: Outcome 1: Reduce violent crime")
    parents: list[Heading] = field(default_factory=list)
    level: int = 3  # its heading's level: 3, or deeper under its parents' headings


@dataclass
class Part:
    """One kind's part of the report: "Data requirements", "Recommendations", or a
    declared kind's heading; a table of rows (in sections) or blocks."""

    kind: str
    heading: str
    intro: str
    anchor: str  # "data-requirements"
    layout: str  # "table" or "blocks"
    columns: list[Column]  # the table's columns, the ref first
    sections: list[Section]  # a table's sections (one without a heading when there are none)
    rows: list[Row]  # every row, in order
    title_field: str = ""  # the field a block starts with (the recommendation's text)
    update_field: str = ""  # the field of the latest update (a block's "UPDATE- ...")
    update_label: str = ""  # its label: "UPDATE"
    update_prefix: str = ": "  # after it: "Progress update: "; unlabelled blocks: "UPDATE- "
    #: blocks name every field by its label (plan.yaml's ``label_fields``; the default
    #: plan's recommendations print the text alone, and the update after "UPDATE- ")
    labelled: bool = True
    title_label: str = ""
    status_label: str = ""
    lead_label: str = ""
    #: the printed page: "landscape" (a table whose columns need the width, or a kind's
    #: ``page: landscape``) or "portrait" (blocks, narrow tables); see :func:`lay_out`
    page: str = "portrait"

    @property
    def blocks(self) -> bool:
        return self.layout == "blocks"

    @property
    def selector(self) -> str:
        """Its section as a CSS selector: "#data-requirements" (a leading digit escaped)."""
        first = self.anchor[:1]
        return f"#\\3{first} {self.anchor[1:]}" if first.isdigit() else f"#{self.anchor}"


@dataclass
class SummaryLine:
    name: str  # agency short name, or "All data gaps and recommendations"
    full_name: str
    counts: list[int]  # per status, in the plan's order (then "No status", if any)
    total: int


@dataclass
class Summary:
    statuses: list[StatusDef]  # the plan's, and "No status" when an item has none
    overall: SummaryLine
    by_lead: list[SummaryLine]
    no_lead: int  # recommendations with no lead agency (the whole partnership)
    #: the table's columns (the lead's, a status's each, the total's), sized by their
    #: words as the item tables' are; see :func:`lay_out_summary`
    columns: list[Column] = field(default_factory=list)
    page: str = "portrait"  # "landscape" when its columns need more than a portrait page
    width: float = 100  # its share of the page's width, in percent


@dataclass
class ReportPlan:
    words: Words  # every fixed word of the report; the renderers add none
    title: str
    partnership: str
    meeting: str
    addressee: str  # "Report to the Safer Stockton Partnership"
    footer: str  # the line at the foot of every printed page
    author: str
    signed: DayParts
    meeting_day: DayParts | None  # the meeting's date, when report.yaml gives it
    footer_date: DayParts
    as_of: DayParts
    paragraphs: list[str]
    summary: Summary
    overdue: list[Overdue]
    agencies: dict[str, str]
    keywords: list[str]
    meta: dict[str, str] = field(default_factory=dict)
    colophon: list[str] = field(default_factory=list)  # sentences, in the clerk's words
    provenance: Provenance | None = None  # None when not asked for
    since: Revision | None = None  # the revision compared with
    #: the plan compared with, in words: "as it was at the meeting of 28 June 2010"
    since_words: str = ""
    changes: list[Change] = field(default_factory=list)  # in ref order
    travel: Travel | None = None  # what the directions are measured against
    exceptions: Exceptions | None = None  # off track, at risk, overdue, worse
    progress: ProgressView | None = None  # the "Progress across meetings" section
    figures: FiguresView | None = None  # "Crime and disorder"; None: no figures/ folder
    #: the columns of the progress table, the crime figures' and the indicators', sized
    #: by their words (:func:`lay_out_progress`, :func:`lay_out_figures`)
    progress_table: TableLayout | None = None
    crime_table: TableLayout | None = None
    indicators_table: TableLayout | None = None
    #: each kind's part, in the shape's order (the default: data requirements, then
    #: the recommendations)
    parts: list[Part] = field(default_factory=list)
    #: "No statuses are given" when the plan has none (status_required: false)
    status_note: str | None = None

    @property
    def figures_page(self) -> str:
        """The crime figures' page: landscape where one of their tables needs it."""
        tables = (self.crime_table, self.indicators_table)
        return "landscape" if any(t and t.page == "landscape" for t in tables) else "portrait"

    @property
    def rows(self) -> list[Row]:
        return [row for part in self.parts for row in part.rows]

    @property
    def sections(self) -> list[Section]:
        """The sections of every part laid out as tables (today's data requirements)."""
        return [s for part in self.parts if not part.blocks for s in part.sections]

    @property
    def recommendations(self) -> list[Row]:
        """The rows of every part laid out as blocks (today's recommendations)."""
        return [r for part in self.parts if part.blocks for r in part.rows]
    #: "public" (exempt information left out), "exempt" (all of it, not for publication)
    edition: str = "public"
    #: the exempt edition's marking, on every page and in the properties; "" when public
    marking: str = ""
    #: sentences shown under the addressee on the covering page (the exempt edition's
    #: marking, the exception report's line saying where the full report is)
    notices: list[str] = field(default_factory=list)
    #: the language of this edition ("en", "cy"): its words, and the plan's texts in it
    language: str = "en"
    #: under the addressee: "This report is also available in Welsh (progress-report.cy.pdf)."
    also_available: str = ""
    #: where the HTML links it to: the other edition's file (beside this one), or page
    also_available_href: str = ""
    also_available_lang: str = ""  # the other edition's language

    @property
    def lang(self) -> str:
        """The edition's language as its HTML, PDF and Word mark it: en-GB, cy."""
        return LANGUAGE_TAGS.get(self.language, self.language)


#: How each edition's language is marked in HTML, PDF and Word (a British English plan).
LANGUAGE_TAGS = {"en": "en-GB"}


def exceptions_in(rows: list[Row], statuses: list[StatusDef], words: Words, main: str,
                  ) -> Exceptions:
    """The exceptions (:func:`psa_report.progress.exceptions`) of an edition whose
    ``statuses`` are in its language: in a language other than the main one, its sentence
    names the statuses by their labels there ("oddi ar y trywydd"), not by the plan's
    names."""
    found = exceptions(rows, statuses, words)
    if words.language != main:
        found.statuses = [s.label.lower() for s in reversed(statuses) if s.exception]
    return found


def no_status(words: Words) -> StatusDef:
    """The summary's column of items that have no status (status_required: false)."""
    return StatusDef(words.no_status.lower(), "#FFFFFF", label=words.no_status)


def statuses_in(statuses: list[StatusDef], language: str, main: str = "en",
                ) -> list[StatusDef]:
    """The plan's statuses with their labels in the edition's ``language``."""
    if language == main and not any(isinstance(s.label, Text) for s in statuses):
        return list(statuses)
    return [replace(s, label=localise(s.label, language, main)) for s in statuses]


def summarise(project: Project, words: Words, main: str | None = None) -> Summary:
    """The status summary, in ``words``' language (``main``: the plan's main language)."""
    items = project.items
    language, main = words.language, main or words.language
    statuses = statuses_in(project.statuses, language, main)
    if any(i.status is None for i in items):
        statuses = [*statuses, no_status(words)]

    def line(name: str, full: str, items: list[Item]) -> SummaryLine:
        counted = Counter((i.status or statuses[-1]).name for i in items)  # one pass
        counts = [counted[s.name] for s in statuses]
        return SummaryLine(name, full, counts, len(items))

    by_lead = [line(code, localise(full, language, main), [i for i in items if code in i.lead])
               for code, full in project.agencies.items()]
    page, columns, width = lay_out_summary(words, statuses, list(project.agencies))
    return Summary(statuses, line(words.all_items, words.all_items, items),
                   [b for b in by_lead if b.total], sum(1 for i in items if not i.lead),
                   columns, page, width)


def slug(text: str) -> str:
    """For anchors and CSS classes: "Data requirements" -> "data-requirements"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "part"


def _words_of(value: Any, type_: str, words: Words, main: str = "en") -> list[str]:
    """A field's value as the paragraphs a cell prints, in ``words``' language: a text
    with no translation into it in the main language, each paragraph a :class:`Fallback`;
    a date or a deadline worded in the language."""
    typed = fieldtypes.get(type_)
    if value is not None and typed.is_due:
        return [words.deadline(value)]
    if value is not None and typed.is_date:
        return [words.long_date(value)]
    if typed.wording:
        value = localise(value, words.language, main)
    found = typed.cell_words(value, words)
    lang = lang_of(value)
    return [Fallback(p, lang) for p in found] if lang else found


def _row(item: Item, kind: Kind, as_of: date, agencies: dict[str, str], words: Words,
         main: str = "en", statuses: dict[str, StatusDef] | None = None) -> Row:
    late = None
    if item.due is not None and not is_done(item) and item.due.day < as_of:
        late = (as_of - item.due.day).days
    title, update = kind.title_field, _update_field(kind)
    labels = words.kind(kind.name).labels
    cells = []
    for f in kind.fields:
        if fieldtypes.get(f.type).is_due and kind.status_field is not None:
            continue  # printed in the status cell: "Due September 2010"
        value = item.get(f.name)
        if fieldtypes.get(f.type).is_agencies:
            cells.append(Cell(f.name, labels.get(f.name, f.label), f.type,
                              leads=[Lead(code, agencies.get(code, code)) for code in value or []]))
        else:
            cells.append(Cell(f.name, labels.get(f.name, f.label), f.type,
                              _words_of(value, f.type, words, main)))
    prefix = slug(kind.name) + "-"
    text = _words_of(item.get(title.name), title.type, words, main) if title else []
    status = item.status
    if status is not None and statuses is not None:
        status = statuses.get(status.name, status)
    return Row(item.ref, prefix + re.sub(r"[^A-Za-z0-9_]+", "-", item.ref), text,
               _words_of(item.get(update.name), update.type, words, main) if update else [],
               [Lead(code, agencies.get(code, code)) for code in item.lead],
               status, words.deadline(item.due) if item.due else None, late, words=words,
               kind=kind.name, cells=cells,
               due_label=_due_label(kind, labels, words.language),
               lead_label=labels.get(kind.lead_field.name, "") if kind.lead_field else "")


def _due_label(kind: Kind, labels: dict[str, str], language: str) -> str:
    """A deadline's own label ("Timescale"), or "" where it is the tool's "Due"."""
    tools = _tools_due(language)
    label = labels.get(kind.due_field.name, tools) if kind.due_field else tools
    return "" if label == tools else label


@functools.cache
def _tools_due(language: str) -> str:
    """The tool's own word for a deadline in ``language`` ("Due", "Dyddiad cau")."""
    return wording.words_in(language).due


def _update_field(kind: Kind):
    """The field holding the latest update: the first text field partners fill in."""
    return next((f for f in kind.fields if fieldtypes.get(f.type).wording and f.partners
                 and f is not kind.title_field), None)


def _sections(kind: Kind, rows: list[Row], sections: dict[str, str], words: Words,
              ) -> list[Section]:
    """A table's rows in their sections (refs such as 3.2.1 are in section 3.2, which is
    in section 3); without such refs, one section with no heading."""
    if kind.ref.style != "dotted" or not rows or kind.ref.parts < 2:
        return [Section("", "", slug(kind.heading) + "-all", rows,
                        caption=words.part_caption(words.kind(kind.name).heading))]
    found: list[Section] = []
    printed: set[str] = set()
    for number, group in groupby(rows, key=lambda r: r.ref.rsplit(".", 1)[0]):
        grouped = list(group)
        heading = sections.get(number, "")
        parts = number.split(".")
        parents = []
        for depth in range(1, len(parts)):
            parent = ".".join(parts[:depth])
            if parent in sections and parent not in printed:
                printed.add(parent)
                parents.append(Heading("section-" + parent.replace(".", "-"),
                                       words.section(parent, sections[parent]),
                                       3 + sum(".".join(parts[:d]) in sections
                                               for d in range(1, depth))))
        level = 3 + sum(".".join(parts[:d]) in sections for d in range(1, len(parts)))
        found.append(Section(number, heading, "section-" + number.replace(".", "-"),
                             grouped, words.section(number, heading),
                             words.section_caption(kind.name, number),
                             words.continued(number, heading), parents,
                             min(level, 6)))
    return found


def _word_weight(word: str) -> float:
    """The characters a word needs (bold, with the cell's padding)."""
    return min(MOST_WORD_WEIGHT, _text_weight(word)) if word else 0


def _text_weight(text: str) -> float:
    """The characters a text needs on one line (bold, with the cell's padding)."""
    return len(text) * 1.1 + 3


#: The widest word a column of these types prints, whatever the values: a date's month
#: ("September"), a deadline's quarter, a number of millions, "Yes".
WIDEST_WORDS = {"date": ["September"], "due": ["September", "2024/25"], "number": ["1,000,000"],
                "yes-no": ["Yes"]}


def _column_words(column: Column, kind: Kind, statuses: list[StatusDef],
                  agencies: dict[str, str]) -> list[str]:
    """The words of a column that must never break: its label's, and those the column may
    print, from the plan's vocabulary, never from the items (so a value left out of the
    public edition cannot change a width): every status's label whole, so its badge keeps
    to one line ("Not started"); every agency's code; every choice."""
    found = column.label.split()
    definition = kind.field(column.name)
    typed = _column_type(column)
    if typed.is_status:
        found += [s.label for s in statuses]
    elif typed.is_agencies:
        found += [word for code in agencies for word in code.split()]
    elif typed.has_choices and definition is not None:
        found += [word for choice in definition.choices for word in choice.split()]
    else:
        found += WIDEST_WORDS.get(column.type, [])
    return found


def _column_type(column: Column) -> fieldtypes.FieldType:
    """A column's field type; the ref's column is of none (every flag false)."""
    return fieldtypes.TYPES.get(column.type) or fieldtypes.FieldType()


def lay_out(kind: Kind, columns: list[Column], statuses: list[StatusDef],
            agencies: dict[str, str]) -> tuple[str, list[Column]]:
    """A table's page and its columns' widths, from its fields' types (COLUMN_WEIGHTS),
    each column widened to its longest word: landscape when the columns ask for more
    than a portrait page holds (or when the kind says ``page:``). Where they ask for
    more than the page holds, the columns of running text give way first."""
    weighed, least = [], []
    for column in columns:
        weight = COLUMN_WEIGHTS.get(column.type, COLUMN_WEIGHTS["line"])
        widest = max(_word_weight(words)
                     for words in _column_words(column, kind, statuses, agencies) or [""])
        # a status cell's word sits in a badge: its padding and border too
        widest += 2 if _column_type(column).is_status else 0
        weighed.append(max(weight, widest))
        least.append(max(LEAST_TEXT_WEIGHT, widest) if _column_type(column).wording
                     else widest)
    page = kind.page or ("landscape" if sum(weighed) > PAGE_WIDTHS["portrait"]
                         else "portrait")
    room = PAGE_WIDTHS[page]
    # only the columns of running text give way on the printed page, each alike
    floors = [LEAST_TEXT_WEIGHT if _column_type(c).wording else w
              for c, w in zip(columns, weighed)]
    return page, _columns(columns, squeeze(weighed, floors, room), least, room)


def _columns(columns: list[Column], weighed: list[float], least: list[float], room: float,
             ) -> list[Column]:
    """The columns with their weights, shares of the table and what a line holds."""
    total = sum(weighed) or 1
    # a line holds the column's share of the page's characters, less its padding's
    return [Column(c.name, c.label, c.type, round(w, 1), round(100 * w / total, 2),
                   max(4, int(room * w / max(total, room) - 3)), round(min(w, least_w), 1))
            for c, w, least_w in zip(columns, weighed, least)]


def squeeze(weights: list[float], least: list[float], room: float) -> list[float]:
    """``weights`` made to fit ``room``: where they ask for more, each column gives way in
    proportion to what it has above its ``least``, never below it."""
    excess = sum(weights) - room
    give = sum(max(0.0, w - floor) for w, floor in zip(weights, least))
    if excess <= 0 or give <= 0:
        return list(weights)
    share = min(1.0, excess / give)
    return [w - max(0.0, w - floor) * share for w, floor in zip(weights, least)]


def fit(columns: list[Column], room: float) -> list[float]:
    """The columns' weights on a page that holds ``room`` characters of table text (a
    Word page, whose text is larger than the PDF's): the columns of running text give way
    first, then every column, down to its longest word (Column.least); a word is broken
    only where the page cannot hold every column's longest word."""
    weights = [c.weight for c in columns]
    weights = squeeze(weights, [c.least if _column_type(c).wording else w
                                for c, w in zip(columns, weights)], room)
    return squeeze(weights, [c.least for c in columns], room)


#: The widest count the status summary prints (a plan of up to 9,999 items): the same
#: in every edition, whatever it leaves uncounted.
WIDEST_COUNT = "9999"


def lay_out_summary(words: Words, statuses: list[StatusDef], codes: list[str],
                    ) -> tuple[str, list[Column], float]:
    """The status summary's page, columns and share of the page's width, as
    :func:`lay_out` sizes the item tables: each column at least its longest word (a
    status's in its badge), where there is room a status's label whole (its badge on one
    line) and the lead's as wide as the longest agency code; landscape only where a
    portrait page cannot hold every column's words."""
    count = _word_weight(WIDEST_COUNT)
    lead_words = [*words.lead.split(), *words.all_items.split(),
                  *(w for code in codes for w in code.split())]
    least = [max(map(_word_weight, lead_words)),
             *(max(count, 2 + max(map(_word_weight, s.label.split() or [""])))
               for s in statuses),
             max(count, *map(_word_weight, words.total.split()))]
    weighed = [max(least[0], COLUMN_WEIGHTS["agencies"], *map(_word_weight, codes)),
               *(max(floor, 2 + _word_weight(s.label)) for floor, s in zip(least[1:], statuses)),
               least[-1]]
    columns = [Column("lead", words.lead, "agencies"),
               *(Column(s.name, s.label, "status") for s in statuses),
               Column("total", words.total, "number")]
    return size_columns(columns, least, weighed)


#: The size of the printed tables' text (report.css), in points: PAGE_WIDTHS's
#: characters are of this size.
TABLE_SIZE = 8.6


def size_columns(columns: list[Column], least: list[float], wanted: list[float],
                 size: float = TABLE_SIZE) -> tuple[str, list[Column], float]:
    """A table's page, its columns sized and its share of the page's width, from what
    each column needs (``least``: its longest word) and asks for where there is room
    (``wanted``), in characters of the printed tables' text, the table's being ``size``
    points: landscape only where a portrait page cannot hold every column's words."""
    scale = TABLE_SIZE / size
    page = "landscape" if sum(least) > PAGE_WIDTHS["portrait"] * scale else "portrait"
    room = PAGE_WIDTHS[page] * scale
    weighed = squeeze(wanted, least, room)
    return (page, _columns(columns, weighed, least, room),
            round(min(100.0, 100 * sum(weighed) / room), 2))


@dataclass
class TableLayout:
    """The page, columns and width of a table of the later sections (progress across
    meetings, the crime figures), sized by the words it prints: see :func:`lay_out_words`."""

    page: str = "portrait"  # "landscape" when its columns need more than a portrait page
    columns: list[Column] = field(default_factory=list)
    width: float = 100  # its share of the page's width, in percent
    size: float = TABLE_SIZE  # its text's size when printed, in points


def lay_out_words(columns: list[Column], cells: list[list[str]], whole: list[list[str]],
                  size: float = TABLE_SIZE) -> TableLayout:
    """A table sized as :func:`lay_out_summary` sizes the status summary, from what it
    prints: each column at least its longest word (of its header, or of ``cells``, its
    texts), and where there is room each of its ``whole`` texts on one line (a status's
    label, a meeting's name, a crime type)."""
    least = [max((_word_weight(word) for text in [column.label, *texts]
                  for word in text.split()), default=0)
             for column, texts in zip(columns, cells)]
    wanted = [max([floor, *map(_text_weight, texts)]) for floor, texts in zip(least, whole)]
    return TableLayout(*size_columns(columns, least, wanted, size), size)


def lay_out_progress(view: ProgressView, words: Words) -> TableLayout:
    """The "progress across meetings" table: the meeting's name, its date, each
    status's count (its label whole where there is room), the total and the overdue."""
    dates = [words.long_date(point.day) for point in view.points]
    counts = [WIDEST_COUNT]
    statuses = view.statuses
    columns = [Column("meeting", words.meeting), Column("date", words.date, "date"),
               *(Column(s.name, s.label, "number") for s in statuses),
               Column("total", words.total, "number"),
               Column("overdue", words.overdue, "number")]
    return lay_out_words(columns, [view.names, dates, *([counts] * (len(statuses) + 2))],
                         [view.names, dates, *([s.label] for s in statuses), [], []])


#: The size of the crime figures' tables' text when printed (figures.css), in points
FIGURES_SIZE = 8


def lay_out_figures(view: FiguresView) -> tuple[TableLayout, TableLayout]:
    """The crime figures' table and the indicators', as figures.html prints them (at
    :data:`FIGURES_SIZE`): a crime type's or an indicator's name, a direction's shape
    and words, an indicator's target, verdict and source whole where there is room."""
    words = view.words

    def direction(moved) -> str:
        return f"{moved.glyph} {moved.text}" if moved.glyph else moved.text

    rows = view.rows
    labels = [row.label for row in rows]
    moved = [direction(row.direction) for row in rows]
    crime = [(words.crime_type, labels, labels),
             (view.period or words.quarter, [number_text(r.count) for r in rows], []),
             (words.same_quarter, [number_text(r.last_year) for r in rows], []),
             (words.change, [r.change_text for r in rows], []),
             (words.percent_change, [r.percent_text for r in rows], []),
             (words.direction, moved, moved),
             (words.last_12, [number_text(r.rolling) for r in rows], []),
             (words.before_12, [number_text(r.rolling_before) for r in rows], [])]
    if view.has_rates:
        crime.append((words.rate, [r.rate or "–" for r in rows], []))
    items = view.indicators
    names = [i.name for i in items]
    moved = [direction(i.direction) for i in items]
    indicators = [(words.indicator, [*names, *(i.note or "" for i in items)], names),
                  (words.quarter, [i.value for i in items], []),
                  (words.same_quarter, [i.last_year for i in items], []),
                  (words.direction, moved, moved),
                  (words.target, targets := [i.target for i in items], targets),
                  (words.against_target, verdicts := [i.status for i in items], verdicts),
                  (words.baseline, [i.baseline for i in items], []),
                  (words.source, sources := [i.source for i in items], sources)]

    def sized(table: list[tuple[str, list[str], list[str]]]) -> TableLayout:
        return lay_out_words([Column(str(n), label) for n, (label, _, _) in enumerate(table)],
                             [cells for _, cells, _ in table],
                             [whole for _, _, whole in table], FIGURES_SIZE)

    return sized(crime), sized(indicators)


#: The characters the running footer may have, so it fits one line of a portrait page
#: (report.css gives it 86% of the page's width, at 8.5pt) and its date is never split.
FOOTER_CHARS = 100


def footer_line(words: Words, title: str, meeting: str, day: str, mark: str = "") -> str:
    """The running footer: title, meeting and date (after ``mark``, the exempt edition's
    marking); without the meeting where that is too long for one line, and then with the
    title cut at a word (the covering page has it whole)."""
    lead = f"{mark} · " if mark else ""
    whole = lead + words.footer(title, meeting, day)
    if len(whole) <= FOOTER_CHARS:
        return whole
    room = FOOTER_CHARS - len(lead) - len(words.footer_short("", day))
    if len(title) > room:
        title = (title[:room].rsplit(" ", 1)[0] or title[:room - 1]).rstrip(" ,:;") + "…"
    return lead + words.footer_short(title, day)


#: A cell of more than this many characters for each percent of the table's width its
#: column has may fill half a landscape page (about 1.85 characters a line per percent,
#: 35 lines to a page, and a margin for the paragraphs' ends).
TALL_CHARS = 28


def mark_tall(columns: list[Column], rows: list[Row]) -> None:
    """Mark the rows that may fill half a page or more: kept whole, such a row would move
    to the next page and leave this one mostly blank, and one taller than a page splits
    anyway (without its header, WeasyPrint issue #2679, when it avoided breaks)."""
    for row in rows:
        row.tall = any(sum(len(p) for p in cell.paragraphs) > TALL_CHARS * column.percent
                       for cell, column in zip(row.cells, columns[1:]))


class KeptRows:
    """The rows the preview planned last time, by item (issue 31), so that a save plans
    again only the rows of the items whose file changed.

    An item whose file did not change is the very same object from one build to the
    next (:class:`psa_report.project.KeptFiles` keeps it), so its row is found by the
    item itself, as long as everything else a row is made of is equal too: the date it
    is as at, the agencies' names, the words, the statuses and the main language (kept
    apart for each edition's language). Anything of those changed plans every row again.
    Each build is handed a copy of the row, as the steps after planning set its
    attributes (the changes since the last meeting, the direction of
    travel, an indicator's figure, what an edition leaves out)."""

    def __init__(self) -> None:
        #: language -> (what every row is made of, {id(item): (item, kind, row)})
        self._by_language: dict[str, tuple[tuple, dict[int, tuple[Item, Kind, Row]]]] = {}

    def planner(self, language: str, context: tuple,
                plan: Callable[[Item, Kind], Row]) -> Callable[[Item, Kind], Row]:
        """``plan``, answering with a copy of the row kept for an item unchanged."""
        held, rows = self._by_language.get(language, ((), {}))
        if held != context:
            rows = {}
        kept: dict[int, tuple[Item, Kind, Row]] = {}
        self._by_language[language] = (context, kept)

        def planned(item: Item, kind: Kind) -> Row:
            found = rows.get(id(item))
            if found is None or found[0] is not item or found[1] is not kind:
                found = (item, kind, plan(item, kind))
            kept[id(item)] = found
            return _copied(found[2])

        return planned


def _copied(row: Row) -> Row:
    """A copy of the row, sharing its (never changed) cells and lists: the steps after
    planning set the row's attributes; the public edition changes cells only in its own
    deep copy of the plan (editions.py)."""
    copy = object.__new__(Row)
    copy.__dict__.update(row.__dict__)
    copy.origin = row
    return copy


def plan_report(project: Project, as_of: date | None = None, *,
                provenance: Provenance | None = None, comparison: Comparison | None = None,
                meetings: MeetingHistory | None = None, no_since: bool = False,
                figures: FiguresView | None = None, language: str | None = None,
                kept: KeptRows | None = None) -> ReportPlan:
    """The whole report as data, complete. ``as_of`` defaults to the report's own date.

    ``comparison`` is the last meeting's plan set against this one (see
    :func:`psa_report.meetings.baseline`): every row carries its direction of travel
    since then, and rows changed or added are marked and the changes listed, however the
    last meeting was found (so ``build`` and ``changes`` agree); a meeting is named in
    words (its date, and the title its tag gives), never by its tag. ``meetings`` (the plan at each
    meeting) makes the "Progress across meetings" section; ``no_since`` says that the
    report is not compared with the last meeting on purpose. ``figures`` is the "Crime and
    disorder" section; a row whose item names an indicator shows its figure.

    ``language`` (one of the plan's languages; its main one by default) is the edition's:
    the tool's words from its catalog, the plan's texts in it (a text with no translation
    in the main language, marked as such: :class:`Fallback`), the dates in it.

    ``kept``: the preview's rows from its last build, so that only the rows of items
    changed since are planned again (:class:`KeptRows`).
    """
    report = project.report
    main = project.languages[0]
    language = language or main
    # Members ask about what was due before the meeting: as at its date, if known.
    as_of = as_of or report.meeting_date or report.date
    words = wording.words_for(project.shape, language)

    def text(value: Any) -> Any:
        return localise(value, language, main)

    statuses = statuses_in(project.statuses, language, main)
    by_name = {s.name: s for s in statuses}
    agencies = {code: text(full) for code, full in project.agencies.items()}
    since = comparison.since if comparison is not None else None
    changes = said_changes(comparison, project, words,
                           _status_word(statuses, language, main)) if comparison else []
    as_it_was = _as_it_was(words, comparison)
    by_ref = {c.ref: c for c in changes}
    added = {c.ref for c in comparison.changes if c.change == "added"} if comparison else set()

    def planning(item: Item, kind: Kind) -> Row:
        return _row(item, kind, as_of, agencies, words, main, by_name)

    plan_row: Callable[[Item, Kind], Row] = planning
    if kept is not None:
        plan_row = kept.planner(language, (as_of, agencies, words, main, by_name), planning)

    def row(item, kind: Kind) -> Row:
        planned = plan_row(item, kind)
        change = by_ref.get(item.ref)
        if change is not None:
            planned.new = change.ref in added
            planned.changes = [f.words for f in change.fields]
        return planned

    parts = []
    for kind, items in project.kinds:
        rows_of = [row(item, kind) for item in items]
        named = words.kind(kind.name)
        update = _update_field(kind)
        part = Part(kind.name, named.heading,
                    text(kind.intro or report.intro(kind.folder) or ""),
                    slug(kind.heading), kind.layout,
                    [Column("ref", named.labels.get("ref", "Ref"), "ref")]
                    + [Column(c.name, c.label, c.type)
                       for c in (rows_of[0].cells if rows_of else [])],
                    [], rows_of)
        if kind.layout == "table":
            part.page, part.columns = lay_out(kind, part.columns, statuses, agencies)
            mark_tall(part.columns, rows_of)
        part.title_field = kind.title_field.name if kind.title_field else ""
        part.update_field = update.name if update else ""
        part.update_label = named.labels.get(part.update_field, "") if update else ""
        part.labelled = kind.label_fields
        part.update_prefix = words.labelled_prefix if part.labelled else words.update_prefix
        part.title_label = named.labels.get(part.title_field, "")
        part.status_label = (named.labels.get(kind.status_field.name, "")
                             if kind.status_field else "")
        part.lead_label = (named.labels.get(kind.lead_field.name, words.lead)
                           if kind.lead_field else words.lead)
        if kind.layout == "table":
            part.sections = _sections(kind, rows_of, {n: text(h) for n, h in
                                                      report.sections.items()}, words)
        parts.append(part)
    signed = DayParts.of(report.date, language)
    rows = [r for part in parts for r in part.rows]
    footer_date = DayParts.of(report.meeting_date or report.date, language)
    title, meeting, author = text(report.title), text(report.meeting), text(report.author)
    partnership = text(report.partnership)
    keywords = [text(k) for k in report.keywords]
    planned = ReportPlan(
        words=words,
        title=title,
        partnership=partnership,
        meeting=meeting,
        addressee=words.report_to(meeting),
        footer=footer_line(words, title, meeting, footer_date.text),
        author=author,
        signed=signed,
        meeting_day=(DayParts.of(report.meeting_date, language) if report.meeting_date
                     else None),
        footer_date=footer_date,
        as_of=DayParts.of(as_of, language),
        paragraphs=[text(p) for p in report.paragraphs],
        summary=summarise(project, words, main),
        overdue=[replace(late, status=by_name.get(late.status.name, late.status))
                 if late.status is not None else late for late in overdue(project, as_of)],
        agencies=agencies,
        keywords=keywords,
        meta={
            "author": f"{author}, {partnership}",
            "description": f"{words.report_to(meeting)}, {signed.text}",
            "keywords": ", ".join(keywords),
            "dcterms.created": report.date.isoformat(),
            "dcterms.modified": report.date.isoformat(),
            **_version_meta(provenance),
        },
        colophon=colophon(author, meeting, report.meeting_date or report.date, provenance,
                          as_it_was, words)
        + ledger.received(project.root, words, since.day if since is not None else None),
        provenance=provenance,
        since=since,
        since_words=as_it_was or "",
        changes=changes,
        travel=_travel(project, rows, comparison, no_since, as_it_was, words,
                       _status_word(statuses, language, main)),
        exceptions=exceptions_in(rows, statuses, words, main),
        progress=_progress(meetings, words, statuses if language != main else None),
        figures=figures,
        parts=parts,
        status_note=None if any(i.status is not None for i in project.items)
        or not project.items else words.no_statuses,
        language=language,
    )
    if planned.progress is not None and planned.progress.chart is not None:  # its table
        planned.progress_table = lay_out_progress(planned.progress, words)
    if figures is not None:
        planned.crime_table, planned.indicators_table = lay_out_figures(figures)
    link_indicators(planned, project)
    return planned


def _status_word(statuses: list[StatusDef], language: str, main: str
                 ) -> Callable[[StatusDef], str] | None:
    """How a direction of travel names the status an item was ("Improved (was at risk)"):
    by its word in the main language; in another, by the label the plan's status of that
    word has in it (``statuses``: the edition's, :func:`statuses_in`), in lower case as
    the word is, where plan.yaml gives one; else by its word."""
    if language == main:
        return None
    labels = {s.value: s.label for s in statuses}

    def name(status: StatusDef) -> str:
        label = labels.get(status.value)
        if not label or lang_of(label):
            return status.value
        return str(label).lower()
    return name


def said_changes(comparison: Comparison, project: Project, words: Words,
                 status_name: Callable[[StatusDef], str] | None = None) -> list[Change]:
    """The changes since the last meeting as the edition says them, in ``words``'
    language: each item's kind by its name and how it changed ("bwlch data: wedi
    newid"), each field by its label in the plan, its values as the tool writes them in
    the language (:meth:`psa_report.fieldtypes.FieldType.said`; a status by
    ``status_name``, :func:`_status_word`, else by its name as written)."""
    old = comparison.old
    said = []
    for change in comparison.changes:
        named = words.kind_if_any(change.kind)
        now = project.find(change.ref) if change.fields else None
        then = old.find(change.ref) if change.fields and old is not None else None
        fields = []
        for f in change.fields:
            label = named.labels.get(f.field, f.label) if named is not None else f.label
            fields.append(replace(f, label=label, wording=words,
                                  old=_said_value(then, f.field, f.old, words, status_name),
                                  new=_said_value(now, f.field, f.new, words, status_name)))
        said.append(replace(change, kind=named.name if named is not None else change.kind,
                            change=words.item_changed(change.change), fields=tuple(fields),
                            wording=words))
    return said


def _said_value(item: Item | None, name: str, written: str | None, words: Words,
                status_name: Callable[[StatusDef], str] | None) -> str | None:
    """The value of the field ``name`` of ``item`` (then or now) in a change, in
    ``words``' language (``written``: as its file writes it)."""
    definition = item.kind.field(name) if item is not None else None
    value = item.get(name) if item is not None else None
    if written is None or value is None or definition is None:
        return written
    typed = fieldtypes.get(definition.type)
    if typed.is_status:
        return written if status_name is None else status_name(value)
    return typed.said(value, words)


def _as_it_was(words: Words, comparison: Comparison | None) -> str | None:
    """The plan compared with, in words: at a meeting by its date and title, else (a
    saved version that is no meeting's) by the day it was saved."""
    if comparison is None:
        return None
    meeting = comparison.meeting
    if meeting is not None:
        return words.as_it_was(meeting.title, words.long_date(meeting.day))
    return words.as_it_was(None, words.long_date(comparison.since.day), meeting=False)


def _version_meta(provenance: Provenance | None) -> dict[str, str]:
    """The git commit the report was made from (or why there is none), for the HTML's
    <meta> only: the paper itself names no commit and no git (see :func:`colophon`)."""
    if provenance is None:
        return {}
    if not provenance.in_git:
        why = f": {provenance.unknown}" if provenance.unknown else ""
        return {"psa-report.version": f"not in git{why}"}
    if not provenance.commit:
        return {"psa-report.version": "no commit yet (a draft)"}
    return {"psa-report.version": provenance.commit + (" (draft)" if provenance.dirty else "")}


def _travel(project: Project, rows: list[Row], comparison: Comparison | None,
            no_since: bool, as_it_was: str | None, words: Words,
            name: Callable[[StatusDef], str] | None = None) -> Travel:
    """Each row's direction of travel since the last meeting, and what it is measured
    against, said once, in ``words`` (``name``: see :func:`psa_report.progress.direction`)."""
    if no_since:
        return Travel(None, words.not_compared)
    if comparison is None or comparison.old is None:
        return travel(None, [], words)
    moved = directions(comparison.old, project, words, name)
    for row in rows:
        row.direction, row.direction_kind = moved[row.ref].text, moved[row.ref].kind
    return travel(as_it_was, removed(comparison.old, project), words)


def _progress(meetings: MeetingHistory | None, words: Words,
              statuses: list[StatusDef] | None = None) -> ProgressView | None:
    """The "Progress across meetings" section (None when the meetings were not read);
    ``statuses``: the plan's in an edition's language, the chart's and table's words."""
    if meetings is None:
        return None
    view = progress_view(meetings.meetings, meetings.current, in_git=meetings.in_git,
                         current_is_last=meetings.current_is_last, why=None, words=words)
    if statuses and view.points:
        view.points = [recount(point, statuses) for point in view.points]
        view.redraw()
    return view


def colophon(author: str, meeting: str, day: date, provenance: Provenance | None,
             as_it_was: str | None, words: Words = WORDS) -> list[str]:
    """Where the report came from, as a clerk would say it: the day the plan was saved,
    never a version's hash or the name of the tool that keeps the versions (the HTML's
    <meta> carries the version). A saved date later than the report's own is left out,
    so the colophon never contradicts the report's date."""
    lines = [words.prepared_by(author, meeting)]
    if provenance is None:
        return lines
    if not provenance.in_git:
        lines.append(words.not_versioned)
    elif not provenance.commit:
        lines.append(words.never_saved)
    else:
        saved = (words.long_date(provenance.day)
                 if provenance.day and provenance.day <= day else None)
        lines.append(words.prepared_from(saved, provenance.dirty))
    if as_it_was is not None:
        lines.append(words.marked_against(as_it_was))
    return lines
