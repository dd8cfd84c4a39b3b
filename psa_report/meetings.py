"""Stage code over git: the plan at an earlier revision set against today's, and the
plan at each meeting (a git tag). The report builder and the ``changes`` and
``progress`` operations all ask here, so one rule decides what "the last meeting" is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import history
from .changes import Change, compare
from .problems import BadOption, Invalid, Problem, warning
from .progress import Point, count, unmatched
from .project import Project
from .shape import ACTIONS, PLAN_FILE
from .validate import meeting_left_out
from .wording import WORDS

#: The name of the current files' point in the meetings' counts.
CURRENT = "current"


@dataclass
class Comparison:
    """The plan at an earlier revision set against today's: what the report marks."""

    since: history.Revision
    changes: list[Change]
    old: Project | None = None  # the plan at ``since``
    day: date | None = None  # the meeting's date, when ``since`` is a meeting
    #: the meeting ``since`` is (its date and title name it in the report); None: a
    #: saved version that is no meeting's, named by its date
    meeting: history.Meeting | None = None


def compare_with(root: Path, project: Project, rev: str | None = None, *,
                 before: date | None = None) -> Comparison:
    """Changes from ``rev`` (or the last commit before ``before``) to ``project``."""
    since = history.resolve(root, rev, before=before)
    old = history.project_at(root, since)
    return Comparison(since, compare(old, project), old, since.day)


def compare_with_last_meeting(root: Path, project: Project, hint: str) -> Comparison | None:
    """Changes since report.yaml's last_meeting (None when it is not set); a problem
    with it is reported at its line in report.yaml, with how to go on (``hint``)."""
    if project.report.last_meeting is None:
        return None
    name = project.report.last_meeting
    try:
        comparison = compare_with(root, project, name)
    except Invalid as invalid:
        line, column = project.report_marks.get("last_meeting", (None, None))
        raise Invalid([Problem(project.report_file, line, column,
                               f"last_meeting: {p.message} ({hint})")
                       for p in invalid.problems]) from None
    # last_meeting names the last meeting: a tag of it dates and titles it as
    # meeting_tags would, even when no meeting_tags are named.
    comparison.meeting = _tagged(root, name)
    return comparison


def _tagged(root: Path, name: str) -> history.Meeting | None:
    """The meeting tagged ``name``; None when ``name`` is not a tag on a commit."""
    try:
        found, _ = history.meetings(root, history.tag_pattern(name))
    except (ValueError, history.GitError):
        return None
    return next((m for m in found if m.tag == name), None)


@dataclass
class MeetingHistory:
    """The plan counted at each meeting (oldest first), then the current files."""

    points: list[Point]  # the meetings, then the current files last
    warnings: list[Problem] = field(default_factory=list)
    #: why there are no meetings (outside git, no pattern, no tag matched); else None
    note: str | None = None
    #: the meetings read, by tag, with the plan at each
    plans: dict[str, tuple[history.Meeting, Project]] = field(default_factory=dict)
    #: the commit the current files are, when nothing in actions/ is edited
    current_commit: str | None = None
    in_git: bool = True
    named: bool = True  # False: no meeting tags are named (report.yaml or --tags)

    @property
    def meetings(self) -> list[Point]:
        return self.points[:-1]

    @property
    def current(self) -> Point:
        return self.points[-1]

    @property
    def current_is_last(self) -> bool:
        """The current files are the last meeting's commit, unedited."""
        last = self.meetings[-1].commit if self.meetings else None
        return last is not None and last == self.current_commit


def pattern_for(project: Project, tags: str | None) -> str | None:
    """--tags PATTERN, else report.yaml's meeting_tags (None: neither is set)."""
    if tags is None:
        return project.report.meeting_tags
    try:
        return history.tag_pattern(tags)
    except ValueError as error:
        raise BadOption("--tags", str(error)) from None


def meeting_history(root: Path, project: Project, pattern: str | None,
                    limit: int | None = None) -> MeetingHistory:
    """The plan counted at each meeting matching ``pattern`` (the last ``limit`` that
    validate, if given), then ``project`` as the current point. A meeting whose plan
    does not validate is left out with a warning."""
    report = project.report
    current = count(project, CURRENT, report.meeting_date or report.date)
    if pattern is None:
        return MeetingHistory([current], named=False, note=(
            "no meetings are named: add `meeting_tags: \"ssp-*\"` (the pattern of your "
            "meeting tags) to actions/report.yaml, or give --tags PATTERN"))
    try:
        found, warnings = history.meetings(root, pattern)
    except history.GitError as error:
        return MeetingHistory([current], note=history.explain(root, error), in_git=False)
    if not found:
        return MeetingHistory([current], warnings, note=(
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
            warnings.append(meeting_left_out(meeting.tag, first))
            continue
        plans[meeting.tag] = (meeting, then)
        points.append(count(then, meeting.tag, meeting.day, meeting.commit, meeting.title))
    points.reverse()
    here = history.provenance(root)
    warnings += renamed(project, points)
    return MeetingHistory([*points, current], warnings, plans=plans,
                          current_commit=None if here.dirty else here.commit or None)


def renamed(project: Project, points: list[Point]) -> list[Problem]:
    """A warning for each status word of a meeting that no status of ``project`` names
    (nor lists in ``also:``), naming the meetings: their items in it are counted as
    "Other" until plan.yaml says which status it became."""
    found: dict[str, list[str]] = {}
    for point in points:
        for word in unmatched(point, project.statuses):
            found.setdefault(word, []).append(point.meeting)
    return [warning(f"{ACTIONS}/{PLAN_FILE}", None, None,
                    f"{word!r} is a status at the meeting{'s' if len(tags) > 1 else ''} "
                    f"tagged {', '.join(tags)}, and no status of this plan now, so those "
                    f"items are counted as \"{WORDS.other_status}\" in the progress across "
                    f"meetings: add `also: [{word}]` to the status it became, in "
                    f"{ACTIONS}/{PLAN_FILE}")
            for word, tags in found.items()]


def report_day(project: Project) -> date:
    """The day of the meeting the report is for: report.yaml's meeting_date, else its
    date."""
    return project.report.meeting_date or project.report.date


def last_meeting(root: Path, found: MeetingHistory,
                 before: date | None = None) -> tuple[history.Meeting, Project] | None:
    """The latest meeting before the current files: the newest meeting tag on a commit
    the current files descend from, leaving out the meeting the current files are.

    With ``before`` (the day of the meeting the report is for), only a meeting before
    it: never one dated on or after it, nor one whose tagged report.yaml was already
    for that meeting or a later one (a tag dated by its commit, made before the
    meeting). So a paper edited, rebuilt or committed again after its own meeting was
    tagged is still measured against the meeting before."""
    for point in reversed(found.meetings):
        meeting, then = found.plans[point.meeting]
        if meeting.commit == found.current_commit:
            continue
        if before is not None and (meeting.day >= before or report_day(then) >= before):
            continue
        if history.is_ancestor(root, meeting.commit):
            return meeting, then
    return None


def baseline(root: Path, project: Project, found: MeetingHistory, *, since: str | None = None,
             since_date: date | None = None, no_since: bool = False,
             hint: str = "") -> Comparison | None:
    """What "since the last meeting" means, decided once for every command: ``since``
    (a revision) or ``since_date``; else report.yaml's last_meeting; else the newest
    meeting tag the current files descend from that is dated before the meeting the
    report is for (see :func:`last_meeting` and :func:`report_day`). None with
    ``no_since``, or when there is nothing to compare with."""
    if no_since:
        return None
    comparison: Comparison | None
    if since is not None or since_date is not None:
        comparison = compare_with(root, project, since, before=since_date)
    else:
        comparison = compare_with_last_meeting(root, project, hint)
    if comparison is not None:
        by_commit = {m.commit: m for m, _ in found.plans.values()}
        meeting = by_commit.get(comparison.since.commit) or comparison.meeting
        if meeting is not None and meeting.commit == comparison.since.commit:
            comparison.day, comparison.meeting = meeting.day, meeting
        return comparison
    latest = last_meeting(root, found, report_day(project))
    if latest is None:
        return None
    meeting, old = latest
    return Comparison(meeting.revision, compare(old, project), old, meeting.day,
                      meeting=meeting)
