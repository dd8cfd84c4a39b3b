"""Deadlines: which items are overdue as at a day.

The engine of ``psa-report overdue`` and of the report's overdue table
(:mod:`psa_report.plan`). It needs only the validated items, so the ``overdue``
command starts without the planner's rendering parts (issue 31).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dates import Due
from .project import Project
from .shape import StatusDef, natural_key


@dataclass(frozen=True)
class Overdue:
    ref: str
    kind: str  # the item's kind: "data gap"
    lead: list[str]
    due: Due
    days_overdue: int
    status: StatusDef | None


def overdue(project: Project, as_of: date, lead: str | None = None) -> list[Overdue]:
    """Actions not complete whose deadline is before ``as_of``, most overdue first."""
    found = []
    for item in project.items:
        if item.due is None or is_done(item) or item.due.day >= as_of:
            continue
        if lead is not None and lead not in item.lead:
            continue
        found.append(Overdue(item.ref, item.kind.name, list(item.lead), item.due,
                             (as_of - item.due.day).days, item.status))
    return sorted(found, key=lambda o: (-o.days_overdue, natural_key(o.ref)))


def is_done(item) -> bool:
    """Complete (a status marked ``done``): never overdue, never an exception."""
    return item.status is not None and item.status.done
