"""``changes``: what moved in the plan since a git revision, item by item."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from ..bilingual import name_of
from ..changes import Change
from ..dates import long_date
from ..meetings import (
    Comparison,
    MeetingHistory,
    baseline,
    compare_with,
    meeting_history,
    pattern_for,
    report_day,
)
from ..problems import BadOption
from ..progress import MAX_BARS
from ..project import Project
from ..validate import ROLL_FORWARD, Pending, pending_translations
from .common import load


@dataclass(frozen=True)
class ChangeRecord:
    COLUMNS: ClassVar = (("ref", "Ref"), ("change", "Change"), ("what", "What"))
    change: Change

    def cells(self) -> dict[str, str | list[str]]:
        c = self.change
        return {"ref": c.ref, "change": c.change,
                "what": c.summaries or [c.path or c.old_path or ""]}

    def as_dict(self) -> dict[str, Any]:
        return self.change.as_dict()


@dataclass
class ChangesResult:
    comparison: Comparison
    #: texts whose translation may be out of date (see validate.pending_translations)
    pending: list[Pending] = field(default_factory=list)
    main: str = "en"  # the plan's main language

    @property
    def pending_lines(self) -> list[str]:
        """"Translation pending: 3.2.1 update (English changed 21 September 2010)"; the
        other way round, "(Welsh changed ...)": the English may lag a Welsh update."""
        if not self.pending:
            return []
        return [f"Translation pending: {p.text.name} "
                f"({name_of(p.language if p.stale else self.main)} changed "
                f"{long_date(p.changed if p.stale else p.main_changed)})"
                for p in self.pending]

    @property
    def records(self) -> list[ChangeRecord]:
        return [ChangeRecord(c) for c in self.comparison.changes]

    @property
    def title(self) -> str:
        since = self.comparison.since
        return f"Changes since {since.name} ({since.short}, {since.day.isoformat()})"

    @property
    def summary(self) -> str:
        counts = Counter(c.change for c in self.comparison.changes)
        return ", ".join(f"{counts[k]} {k}" for k in ("changed", "added", "removed")
                         if counts[k]) or "no changes"

    def as_dict(self) -> dict[str, Any]:
        since = self.comparison.since
        return {"since": {"rev": since.name, "commit": since.commit,
                          "date": since.day.isoformat()},
                "changes": [c.as_dict() for c in self.comparison.changes],
                **({"translation_pending": [
                    {"text": p.text.name, "file": p.text.file, "language": p.language,
                     "main_changed": p.main_changed.isoformat(),
                     "changed": p.changed.isoformat(),
                     "out_of_date": p.stale or p.language} for p in self.pending]}
                   if self.pending else {})}


def changes(root: Path, since: str | None = None, since_date: date | None = None,
            tags: str | None = None) -> ChangesResult:
    """Compared with ``since`` (a revision) or the last commit before ``since_date``;
    with neither, with the last meeting, found as ``build`` finds it (report.yaml's
    ``last_meeting``, else the newest meeting tag the current files descend from that
    is before the meeting the report is for)."""
    if since is not None and since_date is not None:
        raise BadOption("--since", "give one of --since REV or --since-date DATE, not both")
    root = Path(root)
    project = load(root)
    if since is None and since_date is None:
        found = meeting_history(root, project, pattern_for(project, tags), limit=MAX_BARS)
        comparison = baseline(root, project, found,
                              hint="or give --since REV or --since-date DATE")
        if comparison is None:
            raise BadOption("--since", _nothing_to_compare(project, found, tags))
        return ChangesResult(comparison, pending_translations(project),
                             project.languages[0])
    return ChangesResult(compare_with(root, project, since, before=since_date),
                         pending_translations(project), project.languages[0])


#: How to compare with a version when no meeting will do.
GIVE_SINCE = "give --since REV or --since-date DATE to compare with an earlier version"


def _nothing_to_compare(project: Project, found: MeetingHistory, tags: str | None) -> str:
    """Why there is no last meeting to compare with, and only the advice that applies
    (``tags``: the --tags given, else None)."""
    if not found.named:
        return ("give --since REV or --since-date DATE, or set last_meeting: in "
                "actions/report.yaml (or meeting_tags:, to compare with the last meeting "
                "tagged)")
    if not found.in_git:  # --since would not help either
        return found.note or "the plan is not in git"
    if not found.meetings:
        pattern = ("--tags" if tags is not None
                   else "meeting_tags: in actions/report.yaml")
        return (f"{found.note or 'no meeting is tagged'} (or correct the pattern, "
                f"{pattern}); or {GIVE_SINCE}")
    tagged = [found.plans[p.meeting][0] for p in found.meetings]
    named = ", ".join(f"{m.tag} ({long_date(m.day)})" for m in tagged)
    if len(tagged) == 1 and found.current_is_last:
        return (f"the only meeting tagged, {named}, is the current version of the plan, "
                f"so there is no earlier meeting to compare with: {GIVE_SINCE}")
    return (f"no meeting tagged before the meeting this report is for "
            f"({long_date(report_day(project))}, by actions/report.yaml) is one the "
            f"current files grew from; the meetings tagged are {named}. If the report is "
            f"for a later meeting, {ROLL_FORWARD}; else {GIVE_SINCE}")
