"""Stage 3, plan: everything the report says, computed in Python.

The plan is the only thing the renderers see (the Jinja templates and the Word
writer): every value is already worded (dates, leads, paragraphs), so no
template reaches back into the models.  ``overdue`` is also the engine of the
``psa-report overdue`` command.  Nothing here imports Jinja or WeasyPrint.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING

from . import wording
from .changes import Change
from .dates import Due, long_date, ordinal_suffix
from .figures_view import FiguresView, link_indicators
from .history import Provenance, Revision
from .models import DataGap, Recommendation, Status, kind_of, ref_key
from .progress import (
    GLYPHS,
    Exceptions,
    ProgressView,
    Travel,
    directions,
    exceptions,
    progress_view,
    removed,
    travel,
)
from .project import Project
from .wording import Words

if TYPE_CHECKING:
    from .meetings import Comparison, MeetingHistory


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at its line breaks.

    In a ``>-`` block a single line break is folded into a space, so a line
    break that survives is one the user meant: a blank line in the YAML.
    """
    return [p.strip() for p in text.split("\n") if p.strip()]


@dataclass(frozen=True)
class Overdue:
    ref: str
    kind: str  # "data gap" or "recommendation"
    lead: list[str]
    due: Due
    days_overdue: int
    status: Status

    @property
    def lead_text(self) -> str:
        return ", ".join(self.lead) or "Partnership"


def overdue(project: Project, as_of: date, lead: str | None = None) -> list[Overdue]:
    """Actions not complete whose deadline is before ``as_of``, most overdue first."""
    found = []
    for item in project.items:
        if item.due is None or item.status is Status.COMPLETE or item.due.day >= as_of:
            continue
        if lead is not None and lead not in item.lead:
            continue
        found.append(Overdue(item.ref, kind_of(item), list(item.lead), item.due,
                             (as_of - item.due.day).days, item.status))
    return sorted(found, key=lambda o: (-o.days_overdue, ref_key(o.ref)))


@dataclass(frozen=True)
class DayParts:
    """A date split so a template can print "28<sup>th</sup> June 2010"."""

    day: int
    suffix: str
    month_year: str
    iso: str
    text: str  # "28 June 2010"

    @classmethod
    def of(cls, day: date) -> DayParts:
        return cls(day.day, ordinal_suffix(day.day),
                   f"{calendar.month_name[day.month]} {day.year}", day.isoformat(),
                   long_date(day))


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
    action: list[str]  # empty for a recommendation
    update: list[str]
    leads: list[Lead]
    status: Status
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
    #: said in place of the deadline when it is exempt (the public edition, editions.py)
    due_exempt: str | None = None

    @property
    def direction_glyph(self) -> str:
        return GLYPHS.get(self.direction_kind or "", "")

    @property
    def due_text(self) -> str | None:
        """"Due September 2010"."""
        if self.due_exempt:
            return self.due_exempt
        return self.words.due_on(self.due) if self.due else None

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
class Section:
    number: str
    heading: str
    anchor: str
    rows: list[Row]
    title: str = ""  # "Section 3.2: Crime and disorder"
    caption: str = ""  # what the section's table holds
    continued: str = ""  # at the top of a page the table continues on


@dataclass
class SummaryLine:
    name: str  # agency short name, or "All actions"
    full_name: str
    counts: list[int]  # per status, in Status order
    total: int


@dataclass
class Summary:
    statuses: list[Status]
    overall: SummaryLine
    by_lead: list[SummaryLine]
    no_lead: int  # recommendations with no lead agency (the whole partnership)


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
    data_gaps_intro: str
    recommendations_intro: str
    sections: list[Section]
    recommendations: list[Row]
    summary: Summary
    overdue: list[Overdue]
    agencies: dict[str, str]
    keywords: list[str]
    meta: dict[str, str] = field(default_factory=dict)
    colophon: list[str] = field(default_factory=list)  # sentences, in the clerk's words
    provenance: Provenance | None = None  # None when not asked for
    since: Revision | None = None  # the revision compared with
    changes: list[Change] = field(default_factory=list)  # in ref order
    travel: Travel | None = None  # what the directions are measured against
    exceptions: Exceptions | None = None  # off track, at risk, overdue, worse
    progress: ProgressView | None = None  # the "Progress across meetings" section
    figures: FiguresView | None = None  # "Crime and disorder"; None: no figures/ folder
    #: "public" (exempt information left out), "exempt" (all of it, not for publication)
    edition: str = "public"
    #: the exempt edition's marking, on every page and in the properties; "" when public
    marking: str = ""
    #: sentences shown under the addressee on the covering page (the exempt edition's
    #: marking, the exception report's line saying where the full report is)
    notices: list[str] = field(default_factory=list)


def summarise(project: Project, words: Words) -> Summary:
    statuses = list(Status)

    def line(name: str, full: str, items: list[DataGap | Recommendation]) -> SummaryLine:
        counts = [sum(1 for i in items if i.status is s) for s in statuses]
        return SummaryLine(name, full, counts, len(items))

    items = project.items
    by_lead = [line(code, full, [i for i in items if code in i.lead])
               for code, full in project.agencies.items()]
    return Summary(statuses, line("All actions", f"All {words.items}", items),
                   [b for b in by_lead if b.total], sum(1 for i in items if not i.lead))


def _row(item: DataGap | Recommendation, as_of: date, agencies: dict[str, str],
         words: Words) -> Row:
    late = None
    if item.due is not None and item.status is not Status.COMPLETE and item.due.day < as_of:
        late = (as_of - item.due.day).days
    if isinstance(item, DataGap):
        anchor, text, action = "gap-", item.gap, paragraphs(item.action)
    else:
        anchor, text, action = "rec-", item.recommendation, []
    return Row(item.ref, anchor + item.ref.replace(".", "-"), paragraphs(text), action,
               paragraphs(item.update), [Lead(code, agencies[code]) for code in item.lead],
               item.status, item.due.long if item.due else None, late, words=words)


def plan_report(project: Project, as_of: date | None = None, *,
                provenance: Provenance | None = None, comparison: Comparison | None = None,
                meetings: MeetingHistory | None = None, no_since: bool = False,
                figures: FiguresView | None = None) -> ReportPlan:
    """The whole report as data, complete. ``as_of`` defaults to the report's own date.

    ``comparison`` is the last meeting's plan set against this one (see
    :func:`psa_report.meetings.baseline`): every row carries its direction of travel
    since then and, when the revision was named (``--since`` or ``last_meeting``), rows
    changed or added are marked and the changes listed. ``meetings`` (the plan at each
    meeting) makes the "Progress across meetings" section; ``no_since`` says that the
    report is not compared with the last meeting on purpose. ``figures`` is the "Crime and
    disorder" section; a row whose item names an indicator shows its figure.
    """
    report = project.report
    # Members ask about what was due before the meeting: as at its date, if known.
    as_of = as_of or report.meeting_date or report.date
    words = wording.WORDS
    marked = comparison is not None and not comparison.by_tags
    since = comparison.since if marked else None
    changes = comparison.changes if marked else []
    by_ref = {c.ref: c for c in changes}

    def row(item: DataGap | Recommendation) -> Row:
        planned = _row(item, as_of, project.agencies, words)
        change = by_ref.get(item.ref)
        if change is not None:
            planned.new = change.change == "added"
            planned.changes = [f.words for f in change.fields]
        return planned

    sections = []
    for number, gaps in groupby(project.data_gaps, key=lambda g: g.section):
        heading = report.sections.get(number, "")
        sections.append(Section(number, heading, "section-" + number.replace(".", "-"),
                                [row(g) for g in gaps], words.section(number, heading),
                                words.section_caption("data gap", number),
                                words.continued(number, heading)))
    signed = DayParts.of(report.date)
    recommendations = [row(r) for r in project.recommendations]
    rows = [r for section in sections for r in section.rows] + recommendations
    footer_date = DayParts.of(report.meeting_date or report.date)
    planned = ReportPlan(
        words=words,
        title=report.title,
        partnership=report.partnership,
        meeting=report.meeting,
        addressee=words.report_to(report.meeting),
        footer=words.footer(report.title, report.meeting, footer_date.text),
        author=report.author,
        signed=signed,
        meeting_day=DayParts.of(report.meeting_date) if report.meeting_date else None,
        footer_date=footer_date,
        as_of=DayParts.of(as_of),
        paragraphs=list(report.paragraphs),
        data_gaps_intro=report.data_gaps_intro,
        recommendations_intro=report.recommendations_intro,
        sections=sections,
        recommendations=recommendations,
        summary=summarise(project, words),
        overdue=overdue(project, as_of),
        agencies=dict(project.agencies),
        keywords=list(report.keywords),
        meta={
            "author": f"{report.author}, {report.partnership}",
            "description": f"{words.report_to(report.meeting)}, {signed.text}",
            "keywords": ", ".join(report.keywords),
            "dcterms.created": report.date.isoformat(),
            "dcterms.modified": report.date.isoformat(),
        },
        colophon=colophon(report.author, report.meeting, report.meeting_date or report.date,
                          provenance, since),
        provenance=provenance,
        since=since,
        changes=changes,
        travel=_travel(project, rows, comparison, no_since),
        exceptions=exceptions(rows),
        progress=_progress(meetings),
        figures=figures,
    )
    link_indicators(planned, project)
    return planned


def _travel(project: Project, rows: list[Row], comparison: Comparison | None,
            no_since: bool) -> Travel:
    """Each row's direction of travel since the last meeting, and what it is measured
    against, said once."""
    if no_since:
        return Travel(None, "This report is not compared with the last meeting, "
                      "so no direction of travel is shown.")
    if comparison is None or comparison.old is None:
        return travel(None, None, [])
    moved = directions(comparison.old, project)
    for row in rows:
        row.direction, row.direction_kind = moved[row.ref].text, moved[row.ref].kind
    return travel(comparison.since.name, comparison.day or comparison.since.day,
                  removed(comparison.old, project))


def _progress(meetings: MeetingHistory | None) -> ProgressView | None:
    """The "Progress across meetings" section (None when the meetings were not read)."""
    if meetings is None:
        return None
    return progress_view(
        meetings.meetings, meetings.current, in_git=meetings.in_git,
        current_is_last=meetings.current_is_last,
        why=None if meetings.named else "no meeting tags are named in actions/report.yaml "
        "(meeting_tags)")


def colophon(author: str, meeting: str, day: date, provenance: Provenance | None,
             since: Revision | None) -> list[str]:
    """Where the report came from, as a clerk would say it. A saved date later than the
    report's own is left out, so the colophon never contradicts the report's date."""
    lines = [f"Prepared by the {author} for the {meeting}."]
    if provenance is None:
        return lines
    if not provenance.in_git:
        why = f" ({provenance.unknown})" if provenance.unknown else ""
        lines.append("Prepared from action plan files that are not kept in git"
                     f"{why}, so this report cannot be traced to a saved version of the plan.")
    elif not provenance.commit:
        lines.append("Prepared from an action plan that has not yet been saved to git.")
    else:
        saved = (f" as saved on {long_date(provenance.day)}"
                 if provenance.day and provenance.day <= day else "")
        draft = (", with later changes not yet saved (a draft)" if provenance.dirty else "")
        lines.append(f"Prepared from the action plan{saved}, version {provenance.short}"
                     f"{draft}.")
    if since is not None:
        lines.append(f"Changes are marked against the plan as it was at {since.name} "
                     f"({long_date(since.day)}).")
    return lines
