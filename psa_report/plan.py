"""Stage 3, plan: everything the report says, computed in Python.

The templates only display what is planned here: sections in natural order,
status counts, overdue actions, dates already worded.  ``overdue`` is also the
engine of the ``psa-report overdue`` command.  Nothing here imports Jinja or
WeasyPrint.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from .dates import Due, long_date, ordinal_suffix
from .models import DataGap, Recommendation, Status, ref_key
from .project import Project


@dataclass(frozen=True)
class Overdue:
    ref: str
    kind: str  # "data gap" or "recommendation"
    lead: list[str]
    due: Due
    days_overdue: int
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "kind": self.kind, "lead": list(self.lead),
                "due": self.due.day.isoformat(), "days_overdue": self.days_overdue,
                "status": self.status.value}


def kind_of(item: DataGap | Recommendation) -> str:
    return "data gap" if isinstance(item, DataGap) else "recommendation"


def overdue(project: Project, as_of: date, lead: str | None = None) -> list[Overdue]:
    """Actions not complete whose deadline is before ``as_of``, most overdue first."""
    found = []
    for item in project.items:
        if item.due is None or item.status is Status.COMPLETE or item.due.day >= as_of:
            continue
        if lead is not None and lead not in item.lead:
            continue
        found.append(Overdue(item.ref, kind_of(item), item.lead, item.due,
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
    def of(cls, day: date) -> "DayParts":
        return cls(day.day, ordinal_suffix(day.day),
                   f"{calendar.month_name[day.month]} {day.year}", day.isoformat(),
                   long_date(day))


@dataclass
class Row:
    item: DataGap | Recommendation
    kind: str
    leads: list[str]
    status: Status
    due: str | None  # "September 2010"
    overdue_days: int | None
    anchor: str
    changes: list[str] = field(default_factory=list)  # "status: at risk → on track"
    new: bool = False  # added since the last meeting


@dataclass
class Section:
    number: str
    heading: str
    anchor: str
    rows: list[Row]


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
    project: Project
    title: str
    partnership: str
    meeting: str
    author: str
    signed: DayParts
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
    statuses: list[Status]
    meta: dict[str, str] = field(default_factory=dict)
    provenance: Any = None  # history.Provenance, or None when not asked for
    since: Any = None  # history.Revision compared with, or None
    changes: list = field(default_factory=list)  # changes.Change, in ref order


def summarise(project: Project) -> Summary:
    statuses = list(Status)

    def line(name: str, full: str, items: list) -> SummaryLine:
        counts = [sum(1 for i in items if i.status is s) for s in statuses]
        return SummaryLine(name, full, counts, len(items))

    items = project.items
    by_lead = [line(code, full, [i for i in items if code in i.lead])
               for code, full in project.agencies.items()]
    return Summary(statuses, line("All actions", "All data gaps and recommendations", items),
                   [b for b in by_lead if b.total], sum(1 for i in items if not i.lead))


def _row(item: DataGap | Recommendation, as_of: date) -> Row:
    late = None
    if item.due is not None and item.status is not Status.COMPLETE and item.due.day < as_of:
        late = (as_of - item.due.day).days
    anchor = ("gap-" if isinstance(item, DataGap) else "rec-") + item.ref.replace(".", "-")
    return Row(item, kind_of(item), list(item.lead), item.status,
               item.due.long if item.due else None, late, anchor)


def plan_report(project: Project, as_of: date | None = None, *, provenance: Any = None,
                since: Any = None, changes: list | None = None) -> ReportPlan:
    """The whole report as data. ``as_of`` defaults to the report's own date.

    With ``changes`` (from changes.compare against the revision ``since``), rows
    changed or added since then are marked and the changes are listed.
    """
    report = project.report
    as_of = as_of or report.date
    changes = changes or []
    by_ref = {c.ref: c for c in changes}

    def row(item) -> Row:
        planned = _row(item, as_of)
        change = by_ref.get(item.ref)
        if change is not None:
            planned.new = change.change == "added"
            planned.changes = [f.summary for f in change.fields]
        return planned

    sections = []
    for number, gaps in groupby(project.data_gaps, key=lambda g: g.section):
        heading = report.sections.get(number, "")
        sections.append(Section(number, heading, "section-" + number.replace(".", "-"),
                                [row(g) for g in gaps]))
    plan = ReportPlan(
        project=project,
        title=report.title,
        partnership=report.partnership,
        meeting=report.meeting,
        author=report.author,
        signed=DayParts.of(report.date),
        footer_date=DayParts.of(report.meeting_date or report.date),
        as_of=DayParts.of(as_of),
        paragraphs=list(report.paragraphs),
        data_gaps_intro=report.data_gaps_intro,
        recommendations_intro=report.recommendations_intro,
        sections=sections,
        recommendations=[row(r) for r in project.recommendations],
        summary=summarise(project),
        overdue=overdue(project, as_of),
        agencies=dict(project.agencies),
        keywords=list(report.keywords),
        statuses=list(Status),
        provenance=provenance,
        since=since,
        changes=changes,
    )
    plan.meta = {
        "author": f"{report.author}, {report.partnership}",
        "description": f"Report to the {report.meeting}, {plan.signed.text}",
        "keywords": ", ".join(report.keywords),
        "dcterms.created": report.date.isoformat(),
        "dcterms.modified": report.date.isoformat(),
    }
    return plan
