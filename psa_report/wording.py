"""Every word the reader sees, once: headings, column labels, notes and sentences.

The plan (:mod:`psa_report.plan`) carries one :class:`Words` and the sentences worded
from it; the HTML templates, the Word writer and the partner workbooks lay them out and
add no words of their own. A label changed here (or, for a plan that declares its own
shape, in actions/plan.yaml) changes the HTML, the PDF, the Word file and the workbooks
alike.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field, replace


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 day", "3 days", "5,402 days"; ``many`` when the plural is not ``one`` + "s"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _paragraphs(numbers: list[int]) -> str:
    """"paragraph 7", "paragraphs 1 and 7"."""
    if len(numbers) == 1:
        return f"paragraph {numbers[0]}"
    return f"paragraphs {', '.join(str(n) for n in numbers[:-1])} and {numbers[-1]}"


@dataclass(frozen=True)
class KindWords:
    """The words of one kind of item (a data gap, a recommendation)."""

    name: str  # "data gap"
    plural: str  # "data gaps"
    heading: str  # "Data requirements"
    #: column (or block) labels by field name, in the order the report shows them
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Words:
    """The report's fixed words. Methods word the sentences that hold a number or a name."""

    #: the kinds' names, headings and labels: the plan's shape's (shape.py)
    kinds: tuple[KindWords, ...] = ()
    #: after "Data requirements from section 3.2": where the plan's sections are from
    #: (plan.yaml's ``sections_of``: " of the assessment")
    of_assessment: str = ""
    yes: str = "Yes"
    no: str = "No"
    no_statuses: str = "No statuses are given in this plan."
    contents: str = "Contents"
    skip_link: str = "Skip to the report"
    draft: str = "Draft:"
    draft_sentence: str = ("built from changes to the action plan that have not yet been "
                           "saved, so it does not match any saved version of the plan.")
    meeting_of: str = "meeting of"
    exceptions: str = "Exceptions"
    overdue: str = "Overdue"
    #: the exceptions' overdue group where the plan has a status called "Overdue"
    past_due: str = "Past their due date"
    worse: str = "Worse since the last meeting"
    whole_partnership: str = "the whole partnership"
    lead: str = "Lead"
    ref: str = "Ref"
    status: str = "Status"
    due: str = "Due"
    days_overdue: str = "Days overdue"
    total: str = "Total"
    meeting: str = "Meeting"
    date: str = "Date"
    new: str = "New"
    since_last_meeting: str = "since the last meeting"
    changed_since: str = "Changed since the last meeting:"
    changes: str = "Changes since the last meeting"
    summary: str = "Status summary"
    several_leads: str = "An action with several leads is counted under each of them."
    lead_agencies: str = "Lead agencies"
    overdue_caption: str = "Actions not complete whose deadline has passed, most overdue first"
    progress: str = "Progress across meetings"
    update_prefix: str = "- "  # after the update label of blocks not labelled: "UPDATE- "
    labelled_prefix: str = ": "  # after a label in blocks that name their fields
    no_status: str = "No status"  # the summary's column of items with no status
    category: str = "Committee report"  # the Word file's category

    # ---------------------------------------------------------------- the kinds

    @property
    def items(self) -> str:
        """"data gaps and recommendations": every kind, by its plural."""
        names = [k.plural for k in self.kinds]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def kind(self, name: str) -> KindWords:
        return next(k for k in self.kinds if k.name == name)

    def label(self, kind: str, field_name: str) -> str:
        return self.kind(kind).labels[field_name]

    # ---------------------------------------------------------------- sentences

    def report_to(self, meeting: str) -> str:
        return f"Report to the {meeting}"

    def section(self, number: str, heading: str) -> str:
        """"Section 3.2: Victims"; a heading that names its number already ("Priority 1:
        Reduce violent crime", "Objective 1.2 Safer streets") is printed as it is, never
        doubled ("Section 1: Priority 1: ...")."""
        if heading and re.match(rf"[^\W\d][\w' -]*?\s+{re.escape(number)}(?![\d.])", heading):
            return heading
        return f"Section {number}" + (f": {heading}" if heading else "")

    def continued(self, number: str, heading: str) -> str:
        return f"{self.section(number, heading)}, continued"

    def section_caption(self, kind: str, number: str) -> str:
        heading = self.kind(kind).heading
        return (f"{heading} from section {number}{self.of_assessment}, with progress and "
                "status")

    def part_caption(self, heading: str) -> str:
        return f"{heading}, with progress and status"

    def due_on(self, due: str) -> str:
        return f"{self.due} {due}"

    def updates_received(self, returns: list[tuple[str, datetime.date]]) -> str:
        """The colophon's line on the partners' returns behind this report's updates."""
        parts = ", ".join(f"{agency} ({day.day} {calendar.month_name[day.month]})"
                          for agency, day in returns)
        return f"Updates received from {parts}."

    def overdue_by(self, days: int) -> str:
        return f"Overdue by {plural(days, 'day')}"

    def lead_is(self, leads: str) -> str:
        return f"{self.lead}: {leads}"

    def _flagged(self, statuses: list[str]) -> str:
        """"off track, at risk or overdue": the exception statuses, worst first."""
        return ", ".join(statuses) + (" or " if statuses else "") + "overdue"

    def exceptions_intro(self, as_of: str, statuses: list[str]) -> str:
        return (f"Actions {self._flagged(statuses)} as at {as_of}, each with its latest "
                "update; the full tables follow.")

    def no_exceptions(self, since: bool, statuses: list[str]) -> str:
        worse = ", and none is worse than at the last meeting" if since else ""
        return f"No action is {self._flagged(statuses)}{worse}."

    def counted(self, heading: str, count: int) -> str:
        return f"{heading} ({count})"

    def now(self, status: str) -> str:
        return f"now {status}"

    def removed(self, refs: list[str]) -> str:
        return f"Removed from the plan since the last meeting: {', '.join(refs)}."

    def compared_with(self, as_it_was: str) -> str:
        """"Compared with the action plan as it was at the meeting of 28 June 2010."."""
        return f"Compared with the action plan {as_it_was}."

    # ------------------------------------------------- meetings, named as a committee does

    def meeting_name(self, title: str | None, day: str) -> str:
        """A meeting as a heading or a table names it: "Safer Stockton Partnership,
        27 September 2010" when its tag gives a title, else "Meeting of 28 June 2010"."""
        return f"{title}, {day}" if title else f"Meeting of {day}"

    def the_meeting(self, title: str | None, day: str) -> str:
        """A meeting in a sentence: "the meeting of 28 June 2010", "the meeting of the
        Safer Stockton Partnership on 27 September 2010"."""
        if not title:
            return f"the meeting of {day}"
        the = "" if title.lower().startswith("the ") else "the "
        return f"the meeting of {the}{title} on {day}"

    def as_it_was(self, title: str | None, day: str, meeting: bool = True) -> str:
        """The plan compared with: "as it was at the meeting of 28 June 2010"; for a
        saved version that is no meeting's, "as it was on 20 September 2010"."""
        if not meeting:
            return f"as it was on {day}"
        return f"as it was at {self.the_meeting(title, day)}"

    @property
    def nothing_changed(self) -> str:
        names = [k.name for k in self.kinds]
        joined = names[0] if len(names) == 1 else " or ".join([", ".join(names[:-1]),
                                                              names[-1]])
        return f"No {joined} has changed."

    @property
    def summary_caption(self) -> str:
        return f"Number of {self.items} by status, overall and by lead agency"

    def no_lead(self, count: int) -> str:
        """Items of the last kind (the recommendations) with no lead agency."""
        kind = self.kinds[-1]
        many = count != 1
        return (f"{plural(count, kind.name, kind.plural)} {'are' if many else 'is'} for the "
                f"whole partnership and {'have' if many else 'has'} no lead agency.")

    def overdue_as_at(self, as_of: str) -> str:
        return f"Overdue actions as at {as_of}"

    def none_overdue(self, as_of: str) -> str:
        return f"No action is overdue as at {as_of}."

    def chart_title(self, meetings: int) -> str:
        """The progress chart's heading: "Data gaps and recommendations by status"."""
        items = self.items[:1].upper() + self.items[1:]
        if meetings > 1:
            return f"{items} by status at each of the last {meetings} meetings"
        return f"{items} by status"

    @property
    def progress_caption(self) -> str:
        return f"Number of {self.items} by status at each meeting: the numbers in the chart"

    def progress_note(self, max_bars: int) -> str:
        note = (f"The chart shows at most the last {max_bars} meetings. Overdue: not "
                "complete and due before the meeting's date.")
        if self.progress_uncounted:  # the public edition (editions.py)
            note += " " + self.exempt_not_counted(self.progress_uncounted)
        return note

    def footer(self, title: str, meeting: str, day: str) -> str:
        return f"{title} · {meeting}, {day}"

    def footer_short(self, title: str, day: str) -> str:
        """The running footer without the meeting, where the whole would not fit a line."""
        return f"{title} · {day}"

    def page_of(self) -> tuple[str, str]:
        """"Page N of M" around its two numbers."""
        return "Page ", " of "

    # ---------------------------------------------------------------- editions

    #: what each edition is called, where a preview or a workbook says which it shows
    public_edition: str = "Public edition: exempt information is left out"
    exempt_edition: str = "Exempt edition: NOT FOR PUBLICATION"
    #: the direction of travel of an item whose status was exempt at the last meeting:
    #: neither "Improved" nor "No change", which would give that status away
    travel_exempt: str = "Not compared: its status at the last meeting was exempt information"
    #: actions left out of every meeting's counts in the public edition's progress chart
    progress_uncounted: int = 0

    def workbook_edition(self, paragraphs: list[int]) -> str:
        """Which edition a partner's workbook shows: always the whole text its lead wrote."""
        if not paragraphs:
            return ("Edition: nothing in this workbook is exempt information, so it matches "
                    "the public edition of the report.")
        return (f"Exempt edition: {self.not_for_publication(paragraphs)}. This workbook shows "
                "the whole text, which the public edition of the report leaves out: do not "
                "publish or forward it.")

    def exempt_sentence(self, paragraph: int) -> str:
        """Where exempt text was, in the public edition."""
        return ("Exempt information: not for publication (Local Government Act 1972, "
                f"Schedule 12A, paragraph {paragraph})")

    def exempt_short(self, paragraph: int) -> str:
        """In a status, lead or deadline left out of the public edition."""
        return f"Exempt (Schedule 12A, paragraph {paragraph})"

    def exempt_published(self, label: str) -> str:
        """A change note, in the public edition, for a field (``label``; "" for the whole
        item) exempt at the last meeting and public now: said whether or not it changed."""
        if not label:
            return "Exempt information at the last meeting, published now"
        return f"{label}: exempt information at the last meeting, published now"

    def exempt_not_counted(self, count: int) -> str:
        """After the status summary's note, in the public edition."""
        many = count != 1
        return (f"{plural(count, 'action')} whose status or deadline is exempt information "
                f"{'are' if many else 'is'} not counted here.")

    def not_for_publication(self, paragraphs: list[int]) -> str:
        """The exempt edition's marking, on every page and in its properties."""
        return (f"NOT FOR PUBLICATION: exempt information under {_paragraphs(paragraphs)} of Part 1 of "
                "Schedule 12A to the Local Government Act 1972")

    def not_for_publication_short(self, paragraphs: list[int]) -> str:
        """The marking in the running footer of every page."""
        return f"NOT FOR PUBLICATION: Schedule 12A, {_paragraphs(paragraphs)}"

    def uncounted(self, sentence: str, count: int) -> str:
        """The status summary's note, with the actions it leaves out said."""
        return f"{sentence} {self.exempt_not_counted(count)}"

    def exception_title(self, title: str) -> str:
        return f"{title}: exception report"

    def exception_report(self, full: str, count: int) -> str:
        """The exception report's line saying where the full report is."""
        return ("This is the exception report: it shows only the actions that are off "
                "track, at risk, overdue or worse since the last meeting, in full, with the "
                f"status summary and the direction of travel. The full report, with all "
                f"{plural(count, 'action')}, is {full}.")

    def full_report(self, stem: str) -> str:
        """Where the full report is, for the exception report's line."""
        return f"published alongside it as {stem} (PDF, HTML and Word)"


def kind_words(shape) -> tuple[KindWords, ...]:
    """The words of a shape's kinds (shape.Shape): names, headings and field labels."""
    return tuple(KindWords(k.name, k.plural, k.heading,
                           {"ref": "Ref", **{f.name: f.label for f in k.fields}})
                 for k in shape.kinds)


def words_for(shape) -> Words:
    """The words of a plan of this shape: its kinds' names, headings and labels, and
    where its sections come from (plan.yaml, or the shipped default plan.yaml)."""
    return replace(WORDS, kinds=kind_words(shape),
                   of_assessment=f" of {shape.sections_of}" if shape.sections_of else "")


#: The tool's own words, with no kinds: :func:`words_for` adds a plan's.
WORDS = Words()
