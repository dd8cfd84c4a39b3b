"""``overdue``: actions not complete whose deadline has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from ..deadlines import Overdue
from ..deadlines import overdue as find_overdue
from .common import agency, headings, leads_text, load


@dataclass(frozen=True)
class OverdueRecord:
    COLUMNS: ClassVar = (("ref", "Ref"), ("lead", "Lead"), ("due", "Due"),
                         ("days_overdue", "Days overdue"), ("status", "Status"))
    item: Overdue

    def cells(self) -> dict[str, str | list[str]]:
        i = self.item
        return {"ref": i.ref, "lead": leads_text(i.lead) or "Partnership",
                "due": i.due.day.isoformat(), "days_overdue": str(i.days_overdue),
                "status": i.status.value if i.status is not None else ""}

    def as_dict(self) -> dict[str, Any]:
        i = self.item
        return {"ref": i.ref, "kind": i.kind, "lead": list(i.lead),
                "due": i.due.day.isoformat(), "days_overdue": i.days_overdue,
                "status": i.status.value if i.status is not None else ""}


@dataclass(frozen=True)
class OverdueList:
    records: list[OverdueRecord]  # most overdue first
    columns: tuple[tuple[str, str], ...]  # headed in the plan's words


def overdue(root: Path, as_of: date | None = None, lead: str | None = None) -> OverdueList:
    """Most overdue first, as at ``as_of`` (default: today)."""
    project = load(root)
    lead = agency(project, lead)
    return OverdueList([OverdueRecord(i) for i in find_overdue(project, as_of or date.today(),
                                                                lead)],
                       headings(project.shape, OverdueRecord.COLUMNS))
