"""Direction of travel: how the plan moved from meeting to meeting, as data.

Pure logic over validated projects and planned rows: no git, no Jinja.  Reading
the plan at each meeting's tag is history.py's job; choosing the tags and the
last meeting is meetings.py's.  The chart is laid out here, as numbers, so the
template only writes them into SVG elements (no charting library: the chart is
a few dozen rectangles and labels, and SVG written by the template is inline in
the HTML, vector in WeasyPrint's PDF, and carries its own text alternative).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from .dates import _babel
from .fieldtypes import normal_word
from .project import Project
from .shape import Shape, StatusDef
from .wording import WORDS, Words


class Row(Protocol):
    """A report's row as the exceptions read it (:class:`psa_report.plan.Row`, which
    imports this module: named here by what it has, not imported)."""

    status: StatusDef | None
    overdue_days: int | None
    direction_kind: str | None


#: The shape beside the words for each kind of direction (never colour alone). ► rather
#: than ▶: U+25B6 is drawn as an emoji by some systems, and these four are in the common
#: fonts (Arial, Liberation Serif, DejaVu Sans).
GLYPHS = {"up": "▲", "down": "▼", "same": "►", "new": "●"}


@dataclass(frozen=True)
class Direction:
    kind: str  # "up", "down", "same" or "new"
    text: str  # "Improved (was at risk)", "Worse (was on track)", "No change", "New"
    was: StatusDef | None = None

    @property
    def glyph(self) -> str:
        return GLYPHS[self.kind]


def ranks(project: Project) -> dict[str, int]:
    """Each status's rank by its word, higher is further on: the order plan.yaml
    declares them in, best first (the default plan ranks "not started" below "at risk",
    which has begun, and above "off track", judged to be failing); a word in a status's
    ``also:`` ranks with it (any case), so a status renamed since an earlier meeting is
    compared as the status it became."""
    statuses = project.shape.statuses
    rank = {s.value: len(statuses) - 1 - i for i, s in enumerate(statuses)}
    for i, status in enumerate(statuses):  # a word renamed since, kept in also:
        for word in status.also:
            rank.setdefault(normal_word(word), len(statuses) - 1 - i)
    return rank


def direction(was, now, rank: dict[str, int], words: Words = WORDS,
              name: Callable[[Any], str] | None = None) -> Direction:
    """How an item moved from status ``was`` (None: it did not exist) to ``now``;
    ``rank`` by word (:func:`ranks`). A status given where there was none, or the other
    way round, or one the order does not know, is a change, not a direction. Worded in
    ``words``, the status it was named by ``name`` (its word, ``value``, by default)."""
    if was is None:
        return Direction("new", words.new)
    was_word = (words.no_status.lower() if was is _NONE
                else name(was) if name is not None else was.value)
    then = rank.get(was.value, rank.get(normal_word(was.value)))
    later = rank.get(now.value) if now is not None else None
    if then is None or later is None:
        same = (now is not None and was.value == now.value)
        return Direction("same", words.no_change if same else words.changed_from(was_word),
                         was)
    if later > then:
        return Direction("up", words.improved(was_word), was)
    if later < then:
        return Direction("down", words.got_worse(was_word), was)
    return Direction("same", words.no_change, was)


#: An item that had no status at the last meeting (a plan with status_required: false).
_NONE = type("NoStatus", (), {"value": "no status"})()


def directions(old: Project, new: Project, words: Words = WORDS,
               name: Callable[[Any], str] | None = None) -> dict[str, Direction]:
    """Every item of ``new`` by ref: how it moved since ``old`` (matched by ref), in
    ``words`` (``name``: see :func:`direction`)."""
    before = {item.ref: item.status or _NONE for item in old.items}
    rank = ranks(new)
    return {item.ref: direction(before.get(item.ref), item.status, rank, words, name)
            for item in new.items}


def removed(old: Project, new: Project) -> list[str]:
    """Refs of ``old`` that ``new`` no longer has, in ``old``'s order."""
    now = {item.ref for item in new.items}
    return [item.ref for item in old.items if item.ref not in now]


@dataclass(frozen=True)
class Travel:
    """What the directions in the report are measured against, said once."""

    #: the plan compared with, in words: "as it was at the meeting of 28 June 2010";
    #: None: there is nothing to compare with
    since: str | None
    sentence: str
    removed: list[str] = field(default_factory=list)


def travel(as_it_was: str | None, removed_refs: list[str], words: Words = WORDS) -> Travel:
    """``as_it_was``: the plan compared with, in words (:meth:`Words.as_it_was`)."""
    if as_it_was is None:
        return Travel(None, words.first_report)
    return Travel(as_it_was, words.measured_against(as_it_was), list(removed_refs))


# ---------------------------------------------------------------- counts per meeting

@dataclass(frozen=True)
class Point:
    """The plan at one point in time: a meeting's tag, or the current files."""

    meeting: str  # the tag, or "current"
    day: date
    #: every status of the plan then (zeros included, in its order) -> number, and None
    #: -> its items of no status, if any; as shown (:func:`recount`), a later plan's
    #: statuses and the :class:`Column` s it needs
    counts: dict
    overdue: int  # not complete and due before ``day``
    items: int
    commit: str | None = None
    title: str | None = None  # the meeting's name from its annotated tag, if it gives one


def count(project: Project, meeting: str, day: date, commit: str | None = None,
          title: str | None = None) -> Point:
    """The plan's items by status (those of no status under None, when there are any:
    :func:`recount` gives them a column), overdue, and in all."""
    counts: dict = {status: 0 for status in project.statuses}
    late = 0
    for item in project.items:
        counts[item.status] = counts.get(item.status, 0) + 1
        done = item.status is not None and item.status.done
        if item.due is not None and not done and item.due.day < day:
            late += 1
    return Point(meeting, day, counts, late, len(project.items), commit, title)


#: The counts' columns that are no status of the plan: the items of no status, and those
#: of a status the plan has no word for now (renamed since, with no ``also:``).
NO_STATUS, OTHER = "no status", "other"


@dataclass(frozen=True)
class Column(StatusDef):
    """A column of the counts that is no status of the plan (:data:`NO_STATUS` or
    :data:`OTHER`, its ``holds``), drawn and printed as a status is."""

    holds: str = OTHER


def _column(holds: str, words: Words, statuses: list) -> Column:
    """The column that ``holds`` :data:`NO_STATUS` or :data:`OTHER`, labelled in
    ``words``; its word (its key in ``progress --format json``) is ``holds``, unless a
    status of the plan has that word."""
    taken = {w.casefold() for s in statuses for w in (s.value, *s.also)}
    return Column(holds if holds not in taken else f"{holds} items", "#FFFFFF",
                  label=words.no_status if holds == NO_STATUS else words.other_status,
                  holds=holds)


def _finder(statuses: list) -> Callable[[StatusDef], StatusDef | None]:
    """The status of ``statuses`` a status of an earlier plan is counted under: the one
    its word names, as check reads a word (any case, or an ``also:`` word), else the one
    an ``also:`` word of it names; None when they name none."""
    find = Shape(tuple(s for s in statuses if not isinstance(s, Column)), ()).find_status
    return lambda status: next(filter(None, map(find, (status.value, *status.also))), None)


def recount(point: Point, statuses: list, words: Words = WORDS) -> Point:
    """``point``'s counts under ``statuses`` (a later plan's, and the columns of
    :func:`recount_all`), matched by word: a meeting counted when the plan had other
    statuses is shown in today's columns. Its items of no status, and those of a status
    no word of ``statuses`` names, are counted in a column of their own (worded in
    ``words``: "No status", "Other"), so the counts add up to its items."""
    columns = {s.holds: s for s in statuses if isinstance(s, Column)}
    find = _finder(statuses)
    counts = {s: 0 for s in statuses}
    for status, n in point.counts.items():
        match: StatusDef | None
        if isinstance(status, Column):  # counted so before: kept, zero or not
            match = columns.setdefault(status.holds, status)
            counts[match] = counts.get(match, 0) + n
            continue
        if status is None or (match := find(status)) is None:
            holds = NO_STATUS if status is None else OTHER
            match = columns.setdefault(holds, _column(holds, words, statuses))
        if n or match in counts:
            counts[match] = counts.get(match, 0) + n
    return Point(point.meeting, point.day, counts, point.overdue, point.items,
                 point.commit, point.title)


def recount_all(points: list[Point], statuses: list, words: Words = WORDS) -> list[Point]:
    """Each point :func:`recount` under ``statuses``, every one with the same columns:
    a column of its own ("Other") that one point needs is in every row."""
    counted = [recount(p, statuses, words) for p in points]
    columns = list(dict.fromkeys(s for p in counted for s in p.counts))
    return [replace(p, counts={s: p.counts.get(s, 0) for s in columns}) for p in counted]


def unmatched(point: Point, statuses: list) -> list[str]:
    """The words of ``point``'s statuses that hold items and that no status of
    ``statuses`` (a later plan's) names, nor lists in ``also:``."""
    find = _finder(statuses)
    return [s.value for s, n in point.counts.items()
            if n and s is not None and not isinstance(s, Column) and find(s) is None]


# ---------------------------------------------------------------- exceptions

@dataclass
class ExceptionGroup:
    slug: str  # "off-track", "overdue"
    heading: str  # "Off track"
    rows: list[Any]  # plan.Row (a Row, as this module reads it)


@dataclass
class Exceptions:
    """The short list before the full tables: what the committee should look at first."""

    #: the rows of each status marked ``exception`` (worst first: off track, at risk),
    #: then those overdue and of no such status (the others say so there)
    groups: list[ExceptionGroup]
    worse: list[Any]  # worse since the last meeting (plan.Row)
    statuses: list[str] = field(default_factory=list)  # the exception statuses' words

    @property
    def none(self) -> bool:
        return not (any(g.rows for g in self.groups) or self.worse)


#: The exceptions section's own headings' ids (exceptions-overdue, exceptions-worse...):
#: a status of that name is given another (exceptions-status-overdue).
_OWN_GROUPS = ("heading", "overdue", "worse")


def exceptions(rows: Sequence[Row], statuses: list, words: Words = WORDS) -> Exceptions:
    """From the report's rows, in report order (overdue: most overdue first); the plan's
    ``statuses`` are best first, so the worst exception comes first. A status of the
    plan named like the section's own groups ("overdue") keeps its own id and heading."""
    flagged = [s for s in reversed(statuses) if s.exception]
    groups = [ExceptionGroup(f"status-{s.slug}" if s.slug in _OWN_GROUPS else s.slug,
                             s.label, [r for r in rows if r.status == s])
              for s in flagged]
    late = sorted((r for r in rows if r.overdue_days is not None
                   and not (r.status is not None and r.status.exception)),
                  key=lambda r: -(r.overdue_days or 0))
    taken = {s.label.casefold() for s in flagged}
    heading = words.overdue if words.overdue.casefold() not in taken else words.past_due
    groups.append(ExceptionGroup("overdue", heading, late))
    return Exceptions(groups, [r for r in rows if r.direction_kind == "down"],
                      [s.value for s in flagged])


# ---------------------------------------------------------------- the chart

#: A bar's segment takes its status's tint, the very one of the tables' status cells
#: (shape.COLOURS, report.css, the Word cells), with near-black numbers on it (above 7:1
#: on every tint). Each segment is outlined in near-black (#0b0c0c), so neighbours stand
#: apart whatever their tints, and is named by the key and by the table under the chart.
INK = "#0B0C0C"
#: Patterns over the colour, so the chart reads in black and white too: the statuses
#: that need attention (the exceptions, in turn) and those grey (not begun) are marked.
EXCEPTION_PATTERNS = ("stripes", "hatch")
#: A status with no colour of the palette (#RRGGBB), or no status at all.
NO_STATUS_BAR = ("#FFFFFF", "#0B0C0C")


def _look(status, statuses: list) -> tuple[str, str, str | None]:
    """(bar colour, ink, pattern) of a status, by its colour; an exception is marked
    with a pattern (stripes, then hatch, in the plan's order), a grey one with dots."""
    colour = getattr(status, "colour", "")
    fill, ink = ("#" + status.fill, INK) if colour else NO_STATUS_BAR
    if getattr(status, "exception", False):
        flagged = [s for s in statuses if getattr(s, "exception", False)]
        return fill, ink, EXCEPTION_PATTERNS[flagged.index(status) % 2]
    return fill, ink, "dots" if colour in ("grey", "gray") else None


MAX_BARS = 8
WIDTH, HEIGHT = 720, 306
LEFT, RIGHT, TOP, PLOT_HEIGHT = 46, 16, 58, 200
BAR_WIDTH_MAX, SLOT_MAX = 52, 110
LABEL_INSIDE = 15  # segments at least this tall carry their number inside
LABEL_STEP = 12  # numbers beside the bar are at least this far apart


@dataclass(frozen=True)
class Segment:
    status: StatusDef
    count: int
    y: float
    height: float
    fill: str
    pattern: str | None
    ink: str  # the number's colour
    label_x: float
    label_y: float  # baseline-centred (dominant-baseline: central)
    inside: bool  # the number is on the bar; else beside it, with a leader line
    leader_y: float  # where the leader line meets the segment (its middle)


@dataclass(frozen=True)
class Bar:
    name: str  # "Meeting of 28 June 2010", "This report"
    date_text: str  # "28 Jun 2010"
    x: float
    width: float
    total: int
    total_y: float
    segments: list[Segment]
    #: the label under the bar, line by line: a meeting's date (a name would not fit
    #: under a bar; the table names it in full), "This report" and its date
    lines: tuple[str, ...] = ()

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Key:
    status: StatusDef
    fill: str
    pattern: str | None
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    baseline: float  # y of zero
    bars: list[Bar]
    ticks: list[Tick]
    keys: list[Key]
    title: str
    description: str
    name_size: int = 11  # font size of the names under the bars (smaller when many)


def _step(top: int) -> int:
    """A round tick step giving at most five ticks up to ``top``."""
    for power in range(0, 8):
        for base in (1, 2, 5):
            step = base * 10 ** power
            if math.ceil(top / step) <= 5:
                return step
    return 10 ** 8


def short_day(day: date, words: Words = WORDS) -> str:
    """A bar's date under the chart: "28 Jun 2010"; in Welsh "28 Meh 2010"."""
    if words.language == "en":
        return day.strftime("%-d %b %Y")
    return _babel(day, "d MMM y", words.language)


def chart(points: list[Point], names: list[str], labels: list[tuple[str, ...]] | None = None,
          nouns: list[str] | None = None, words: Words = WORDS) -> Chart:
    """Stacked bars of the statuses at each point (the last :data:`MAX_BARS`).

    ``names`` name the points ("Meeting of 28 June 2010", "This report"); ``labels``
    are the lines under each bar (else its name and date); ``nouns`` name them in the
    text alternative ("the meeting of 28 June 2010"; else the names); ``words`` name
    the plan's kinds in the title and the text alternative.
    """
    points, names = points[-MAX_BARS:], names[-MAX_BARS:]
    labels = (labels or [(n, short_day(p.day, words)) for n, p in zip(names, points)])
    labels = labels[-MAX_BARS:]
    nouns = (nouns or names)[-MAX_BARS:]
    largest = max((p.items for p in points), default=0) or 1
    step = _step(largest)
    top = step * math.ceil(largest / step)
    unit = PLOT_HEIGHT / top
    base = TOP + PLOT_HEIGHT
    room = WIDTH - LEFT - RIGHT
    slot = min(SLOT_MAX, room / max(len(points), 1))
    width = min(BAR_WIDTH_MAX, slot * 0.55)
    start = LEFT + (room - slot * len(points)) / 2  # the bars centred on the axis
    bars = []
    for index, (point, name, label) in enumerate(zip(points, names, labels)):
        x = start + index * slot + (slot - width) / 2
        y, beside = float(base), float(base) + LABEL_STEP
        segments = []
        for status, n in point.counts.items():
            if not n:
                continue
            height = n * unit
            y -= height
            middle = y + height / 2
            inside = height >= LABEL_INSIDE
            if inside:
                label_x, label_y = x + width / 2, middle
            else:  # beside the bar, clear of the number below it
                beside = min(middle, beside - LABEL_STEP)
                label_x, label_y = x + width + 9, beside
            fill, ink, pattern = _look(status, list(point.counts))
            segments.append(Segment(status, n, round(y, 2), round(height, 2),
                                    fill, pattern, ink if inside else "#0B0C0C",
                                    round(label_x, 2), round(label_y, 2), inside,
                                    round(middle, 2)))
        bars.append(Bar(name, short_day(point.day, words), round(x, 2), round(width, 2),
                        point.items, round(y - 7, 2), segments, tuple(label)))
    ticks = [Tick(v, round(base - v * unit, 2)) for v in range(0, top + 1, step)]
    keys, x = [], float(LEFT)
    for status in (points[0].counts if points else ()):
        fill, _, pattern = _look(status, list(points[0].counts))
        keys.append(Key(status, fill, pattern, x, 14.0))
        x += 22 + 7.2 * len(status.label) + 18
    first, last = points[0], points[-1]
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, base, bars, ticks, keys,
                 words.chart_title(len(points)),
                 describe(first, nouns[0], last, nouns[-1], words),
                 11 if len(points) <= 6 else 10)


def _phrase(point: Point, words: Words = WORDS) -> str:
    """"3 on track, 1 at risk": each status by its word, or in another language than
    English by its label in it (where it has one)."""
    def word(status) -> str:
        label: object = getattr(status, "label", None)
        fallback = getattr(label, "lang", None)  # a label left in the main language
        if words.language == "en" or not label or fallback:
            return status.value
        return str(label).lower()
    return ", ".join(f"{n} {word(s)}" for s, n in point.counts.items())


def describe(first: Point, first_name: str, last: Point, last_name: str,
             words: Words = WORDS) -> str:
    """The chart's text alternative: what it shows, from the first bar to the last.
    The names are as a sentence says them: "the meeting of 28 June 2010", "this report
    (21 March 2011)"."""
    this = words.this_report.lower()
    return " ".join((
        words.chart_shows(first_name, last_name),
        words.chart_at(first_name, first.items, _phrase(first, words),
                       first_name.startswith(this)),
        words.chart_at(last_name, last.items, _phrase(last, words),
                       last_name.startswith(this)),
        words.chart_table_follows))


@dataclass
class ProgressView:
    """The report's "Progress across meetings" section."""

    shown: bool  # False: no section, only the note (the plan is not in git)
    points: list[Point]  # oldest first: the chart's bars and the table's rows
    names: list[str]  # each point's name as printed
    chart: Chart | None  # None with fewer than two meetings
    note: str | None  # why there is no chart
    #: the lines under each bar and each point as a sentence names it (for the chart)
    labels: list[tuple[str, ...]] = field(default_factory=list)
    nouns: list[str] = field(default_factory=list)
    words: Words = field(default=WORDS, repr=False)

    def redraw(self) -> None:
        """The chart again from the points as they now are (an edition that leaves some
        items out recounts them): the same short labels and words as the first."""
        self.chart = (chart(self.points, self.names, self.labels or None,
                            self.nouns or None, self.words) if self.chart else None)

    @property
    def rows(self) -> list[tuple[str, Point]]:
        return list(zip(self.names, self.points))

    @property
    def statuses(self) -> list:
        """The plan's statuses, as every point is counted (the current plan's)."""
        return list(self.points[-1].counts) if self.points else []

    @property
    def max_bars(self) -> int:
        return MAX_BARS


THIS_REPORT = WORDS.this_report


def progress_view(meetings: list[Point], current: Point, *, in_git: bool,
                  current_is_last: bool, why: str | None,
                  words: Words = WORDS) -> ProgressView:
    """The section, every meeting counted under the current plan's statuses (see
    :func:`_progress_view`)."""
    statuses = [s for s in current.counts if s is not None]  # the current plan's
    *meetings, current = recount_all([*meetings, current], statuses, words)
    return _progress_view(meetings, current, in_git=in_git, current_is_last=current_is_last,
                          why=why, words=words)


def _progress_view(meetings: list[Point], current: Point, *, in_git: bool,
                   current_is_last: bool, why: str | None,
                   words: Words = WORDS) -> ProgressView:
    """The section from the meetings' counts (oldest first) and the current files'.

    Each meeting is named in words, by its date and the title its tag gives (never by
    the tag). When the current files are the last meeting's commit, unedited, that
    meeting is this report's, and is not shown twice. ``why`` says why there are no
    meetings, in the committee's words.
    """
    if not in_git:
        return ProgressView(False, [], [], None, words.progress_not_kept)
    points = list(meetings)
    names = [words.meeting_name(p.title, words.long_date(p.day)) for p in meetings]
    nouns = [words.the_meeting(p.title, words.long_date(p.day)) for p in meetings]
    labels: list[tuple[str, ...]] = [(short_day(p.day, words),) for p in meetings]
    this = words.this_report.lower()
    if current_is_last and points:
        names[-1] = f"{names[-1]} ({this})"
        nouns[-1] = f"{nouns[-1]} ({this})"
        labels[-1] = (*labels[-1], f"({this})")
    else:
        points.append(current)
        names.append(words.this_report)
        nouns.append(f"{this} ({words.long_date(current.day)})")
        labels.append((words.this_report, short_day(current.day, words)))
    points, names = points[-MAX_BARS:], names[-MAX_BARS:]
    labels, nouns = labels[-MAX_BARS:], nouns[-MAX_BARS:]
    if len(meetings) < 2:
        first = meetings[0] if meetings else None
        then = words.the_meeting(first.title, words.long_date(first.day)) if first else ""
        return ProgressView(True, points, names, None, words.chart_starts(then, why))
    return ProgressView(True, points, names, chart(points, names, labels, nouns, words),
                        None, labels, nouns, words)
