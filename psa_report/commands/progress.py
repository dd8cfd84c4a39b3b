"""``progress``: the plan at each meeting (a git tag) and in the current files, by date."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..meetings import CURRENT, meeting_history, pattern_for
from ..problems import Problem
from ..progress import Point, recount_all
from .common import load

#: How the table names the current files' row.
CURRENT_FILES = "current files"


def columns(statuses: list) -> tuple:
    """The table's columns: meeting, date, one per status of the plan, overdue, items."""
    return (("meeting", "Meeting"), ("date", "Date"),
            *((s.value.replace(" ", "_"), s.label) for s in statuses),
            ("overdue", "Overdue"), ("items", "Items"))


@dataclass(frozen=True)
class MeetingRecord:
    COLUMNS: ClassVar = columns([])  # the statuses' columns are the plan's (columns())
    point: Point

    @property
    def current(self) -> bool:
        return self.point.meeting == CURRENT

    def cells(self) -> dict[str, str | list[str]]:
        p = self.point
        # The analyst's own view: a meeting by its tag; the current files said as such.
        return {"meeting": CURRENT_FILES if self.current else p.meeting,
                "date": p.day.isoformat(),
                **{s.value.replace(" ", "_"): str(n) for s, n in p.counts.items()},
                "overdue": str(p.overdue), "items": str(p.items)}

    def as_dict(self) -> dict[str, Any]:
        p = self.point
        return {"meeting": p.meeting, "current": self.current, "title": p.title,
                "date": p.day.isoformat(), "commit": p.commit,
                "counts": {s.value: n for s, n in p.counts.items()},
                "overdue": p.overdue, "items": p.items}


@dataclass
class ProgressResult:
    records: list[MeetingRecord]  # the meetings by date, then the current files
    warnings: list[Problem] = field(default_factory=list)
    #: why there are no meetings (outside git, no pattern, no tag matched); else None
    note: str | None = None
    columns: tuple = MeetingRecord.COLUMNS  # with the plan's own statuses

    @property
    def meetings(self) -> list[MeetingRecord]:
        return [r for r in self.records if r.point.meeting != CURRENT]


def progress(root: Path, tags: str | None = None) -> ProgressResult:
    """One record per meeting, in date order, then one for the current files
    (``meeting: "current"``, dated by the report: its meeting_date, else its date),
    always last: a report whose date was not rolled forward is still the current files,
    not the oldest point (``check`` warns of its date). A meeting whose plan does not
    validate is left out with a warning."""
    project = load(root)
    found = meeting_history(Path(root), project, pattern_for(project, tags))
    # sorted() keeps the meetings' own order among equal dates.
    points = [*sorted(found.meetings, key=lambda p: p.day), found.current]
    # Each under the plan's statuses now, by word; "Other" and "No status" where needed.
    points = recount_all(points, project.statuses)
    return ProgressResult([MeetingRecord(p) for p in points],
                          found.warnings, found.note, columns(list(points[-1].counts)))
