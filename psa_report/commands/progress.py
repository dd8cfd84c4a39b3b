"""``progress``: the plan at each meeting (a git tag), then the current files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .. import history
from ..models import Status
from ..problems import BadOption, Invalid, Problem, warning
from ..progress import Point, count
from ..project import Project
from .common import load

CURRENT = "current"


@dataclass(frozen=True)
class MeetingRecord:
    COLUMNS: ClassVar = (("meeting", "Meeting"), ("date", "Date"),
                         *((s.value.replace(" ", "_"), s.label) for s in Status),
                         ("overdue", "Overdue"), ("items", "Items"))
    point: Point

    def cells(self) -> dict[str, str | list[str]]:
        p = self.point
        return {"meeting": p.meeting, "date": p.day.isoformat(),
                **{s.value.replace(" ", "_"): str(n) for s, n in p.counts.items()},
                "overdue": str(p.overdue), "items": str(p.items)}

    def as_dict(self) -> dict[str, Any]:
        p = self.point
        return {"meeting": p.meeting, "date": p.day.isoformat(), "commit": p.commit,
                "counts": {s.value: n for s, n in p.counts.items()},
                "overdue": p.overdue, "items": p.items}


@dataclass
class ProgressResult:
    records: list[MeetingRecord]  # oldest meeting first, the current files last
    warnings: list[Problem] = field(default_factory=list)
    #: why there are no meetings (outside git, no pattern, no tag matched); else None
    note: str | None = None
    #: the meetings read, by tag, with the plan at each (for the report's comparisons)
    plans: dict[str, tuple[history.Meeting, Project]] = field(default_factory=dict)
    #: the commit the current files are, when nothing in actions/ is edited
    current_commit: str | None = None
    in_git: bool = True

    @property
    def meetings(self) -> list[MeetingRecord]:
        return [r for r in self.records if r.point.meeting != CURRENT]


def pattern_for(project: Project, tags: str | None) -> str | None:
    """--tags PATTERN, else report.yaml's meeting_tags (None: neither is set)."""
    if tags is None:
        return project.report.meeting_tags
    try:
        return history.tag_pattern(tags)
    except ValueError as error:
        raise BadOption("--tags", str(error)) from None


def progress(root: Path, tags: str | None = None) -> ProgressResult:
    """One record per meeting, oldest first, then the current files (``meeting:
    "current"``). A meeting whose plan does not validate is left out with a warning."""
    project = load(root)
    return meeting_history(Path(root), project, pattern_for(project, tags))


def meeting_history(root: Path, project: Project, pattern: str | None,
                    limit: int | None = None) -> ProgressResult:
    """The plan counted at each meeting matching ``pattern`` (the last ``limit`` that
    validate, if given), then ``project`` as the current row."""
    report = project.report
    current = count(project, CURRENT, report.meeting_date or report.date)
    if pattern is None:
        return ProgressResult([MeetingRecord(current)], note=(
            "no meetings are named: add `meeting_tags: \"ssp-*\"` (the pattern of your "
            "meeting tags) to actions/report.yaml, or give --tags PATTERN"))
    try:
        found, warnings = history.meetings(root, pattern)
    except history.GitError as error:
        return ProgressResult([MeetingRecord(current)], note=history.explain(root, error),
                              in_git=False)
    if not found:
        return ProgressResult([MeetingRecord(current)], warnings, note=(
            f"no git tag matches {pattern!r}: tag the commit of each report as it is sent, "
            f"such as `git tag {pattern.replace('*', '2010-06-28')}`"))
    points: list[Point] = []
    plans: dict[str, tuple[history.Meeting, Project]] = {}
    for meeting in reversed(found):
        if limit is not None and len(points) == limit:
            break
        try:
            then = history.project_at(root, meeting.revision)
        except (Invalid, history.GitError) as error:
            first = error.problems[0] if isinstance(error, Invalid) else error
            warnings.append(warning(meeting.tag, None, None,
                "the plan at this meeting tag does not validate, so the meeting is left "
                f"out of the progress counts: {first}"))
            continue
        plans[meeting.tag] = (meeting, then)
        points.append(count(then, meeting.tag, meeting.day, meeting.commit))
    points.reverse()
    here = history.provenance(root)
    return ProgressResult([MeetingRecord(p) for p in [*points, current]], warnings,
                          plans=plans, current_commit=None if here.dirty else here.commit or None)


def last_meeting(root: Path, result: ProgressResult) -> tuple[history.Meeting, Project] | None:
    """The latest meeting before the current files: the newest meeting tag on a commit
    the current files descend from, leaving out the meeting the current files are."""
    for record in reversed(result.meetings):
        meeting, then = result.plans[record.point.meeting]
        if meeting.commit == result.current_commit:
            continue
        if history.is_ancestor(root, meeting.commit):
            return meeting, then
    return None
