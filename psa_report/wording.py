"""Every word the reader sees, once: headings, column labels, notes and sentences.

The plan (:mod:`psa_report.plan`) carries one :class:`Words` and the sentences worded
from it; the HTML templates, the Word writer and the partner workbooks lay them out and
add no words of their own. A label changed here (or, for a plan that declares its own
shape, in actions/plan.yaml) changes the HTML, the PDF, the Word file and the workbooks
alike.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, cast

from . import bilingual, catalog, dates
from .catalog import ENGLISH, Messages


def N_(message: str) -> str:
    """Marks an English message for the catalog (scripts/update-catalog.sh finds it);
    :meth:`Words.for_language` translates it."""
    return message


def plural(count: int, one: str, many: str | None = None) -> str:
    """"1 day", "3 days", "5,402 days"; ``many`` when the plural is not ``one`` + "s"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class KindWords:
    """The words of one kind of item (a data gap, a recommendation)."""

    name: str  # "data gap"
    plural: str  # "data gaps"
    heading: str  # "Data requirements"
    #: column (or block) labels by field name, in the order the report shows them
    labels: dict[str, str] = field(default_factory=dict)
    #: the kind's name as the plan knows it (its main language), where ``name`` is
    #: translated: what :meth:`Words.kind` finds it by
    key: str = ""


@dataclass(frozen=True)
class Words:
    """The report's fixed words. Methods word the sentences that hold a number or a name.

    Each field's default is its English message (marked ``N_`` for the catalog);
    :meth:`for_language` gives the same words in another language, from its catalog
    (:mod:`psa_report.catalog`)."""

    #: the kinds' names, headings and labels: the plan's shape's (shape.py)
    kinds: tuple[KindWords, ...] = ()
    #: after "Data requirements from section 3.2": where the plan's sections are from
    #: (plan.yaml's ``sections_of``: " of the assessment")
    of_assessment: str = ""
    #: the plan's done statuses, as a sentence names them: "complete", "delivered" (""
    #: before a plan's words are added: the tool's own word, :attr:`done_word`)
    done: str = ""
    yes: str = N_("Yes")
    no: str = N_("No")
    no_statuses: str = N_("No statuses are given in this plan.")
    contents: str = N_("Contents")
    skip_link: str = N_("Skip to the report")
    draft: str = N_("Draft:")
    draft_sentence: str = N_("built from changes to the action plan that have not yet been "
                             "saved, so it does not match any saved version of the plan.")
    meeting_of: str = N_("meeting of")
    exceptions: str = N_("Exceptions")
    overdue: str = N_("Overdue")
    #: the exceptions' overdue group where the plan has a status called "Overdue"
    past_due: str = N_("Past their due date")
    worse: str = N_("Worse since the last meeting")
    whole_partnership: str = N_("the whole partnership")
    lead: str = N_("Lead")
    ref: str = N_("Ref")
    status: str = N_("Status")
    due: str = N_("Due")
    days_overdue: str = N_("Days overdue")
    total: str = N_("Total")
    meeting: str = N_("Meeting")
    date: str = N_("Date")
    new: str = N_("New")
    since_last_meeting: str = N_("since the last meeting")
    changed_since: str = N_("Changed since the last meeting:")
    changes: str = N_("Changes since the last meeting")
    summary: str = N_("Status summary")
    several_leads: str = N_("An action with several leads is counted under each of them.")
    lead_agencies: str = N_("Lead agencies")
    progress: str = N_("Progress across meetings")
    update_prefix: str = "- "  # after the update label of blocks not labelled: "UPDATE- "
    labelled_prefix: str = ": "  # after a label in blocks that name their fields
    no_status: str = N_("No status")  # the summary's column of items with no status
    #: progress across meetings: the column of a meeting's items in a status the plan
    #: has no word for now (renamed since, with no ``also:``)
    other_status: str = N_("Other")
    category: str = N_("Committee report")  # the Word file's category
    #: the language's messages, which the methods word their sentences from
    messages: Messages = field(default=ENGLISH, repr=False, compare=False)

    # ---------------------------------------------------------------- the language

    @property
    def language(self) -> str:
        """"en" or "cy": the language these words are in."""
        return self.messages.language

    def for_language(self, language: str) -> Words:
        """These words in ``language`` ("en", "cy"): every field the tool words, from
        the language's catalog; the kinds (the plan's own words) as they are."""
        messages = catalog.messages(language)
        worded: dict[str, Any] = {f.name: messages.gettext(cast(str, f.default))
                                  for f in fields(Words) if f.name in _MESSAGE_FIELDS}
        return replace(self, messages=messages, **worded)

    def _(self, message: str, **values) -> str:
        """A message in these words' language, its ``{names}`` filled in."""
        text = self.messages.gettext(message)
        return bilingual.formatted(text, values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values) -> str:
        """A message about ``count`` things, in the form the language gives that count;
        ``{count}`` is the count as the language writes numbers."""
        text = self.messages.ngettext(singular, plural, count)
        return bilingual.formatted(text, {"count": self.number(count), **values})

    def number(self, n: int) -> str:
        return self.messages.number(n)

    def long_date(self, day: datetime.date) -> str:
        """"28 June 2010", "28 Mehefin 2010"."""
        return dates.long_date(day, language=self.language)

    def deadline(self, due: dates.Due) -> str:
        """A deadline as the report prints it (:attr:`psa_report.dates.Due.long` in
        English): "30 September 2010", "September 2010", "Q3 2024/25 (October to December
        2024)", "2024/25 (April 2024 to March 2025)", "ongoing"; in Welsh "30 Medi 2010",
        "Ch3 2024/25 (Hydref – Rhagfyr 2024)", "parhaus"."""
        language = self.language
        if due.period == "ongoing":
            return self._("ongoing")
        if due.period == "quarter":
            first = date(due.day.year, dates.QUARTER_MONTHS[dates.quarter_of(due.day)][0], 1)
            return self._("{period} ({first} to {last})", period=self.quarter(due),
                          first=dates.month_name(first, language),
                          last=dates.month_year(due.day, language))
        if due.period == "year":
            return self._("{period} ({first} to {last})", period=str(due),
                          first=dates.month_year(date(due.day.year - 1, 4, 1), language),
                          last=dates.month_year(due.day, language))
        if due.month_only:
            return dates.month_year(due.day, language)
        return dates.long_date(due.day, language)

    def quarter(self, due: dates.Due) -> str:
        """A quarter of the financial year as written: "Q3 2024/25" (Welsh "Ch3 2024/25",
        Chwarter)."""
        # TRANSLATORS: a quarter of the financial year ("Q3 2024/25"); {year} is 2024/25
        return self._("Q{number} {year}", number=dates.quarter_of(due.day),
                      year=dates.financial_year(due.day))

    def deadline_written(self, due: dates.Due) -> str:
        """A deadline as it is written in a file ("2010-09-30", "2010-09", "Q3 2024/25",
        "2024/25", "ongoing"), in the language: "Ch3 2024/25", "parhaus"."""
        if due.period == "ongoing":
            return self._("ongoing")
        if due.period == "quarter":
            return self.quarter(due)
        return str(due)

    def _and(self, names: list[str]) -> str:
        """"a", "a and b", "a, b and c"."""
        if len(names) <= 1:
            return "".join(names)
        if names[-1][:1].lower() in _VOWELS:
            # TRANSLATORS: the last name begins with a vowel (Welsh "ac", not "a")
            return self._("{items} and {vowel_first}", items=", ".join(names[:-1]),
                          vowel_first=names[-1])
        return self._("{items} and {last}", items=", ".join(names[:-1]), last=names[-1])

    def _or(self, names: list[str]) -> str:
        """"a", "a or b", "a, b or c"."""
        if len(names) <= 1:
            return "".join(names)
        return self._("{items} or {last}", items=", ".join(names[:-1]), last=names[-1])

    def _paragraphs(self, numbers: list[int]) -> str:
        """"paragraph 7", "paragraphs 1 and 7"."""
        if len(numbers) == 1:
            return self._("paragraph {number}", number=numbers[0])
        return self._("paragraphs {numbers} and {last}",
                      numbers=", ".join(str(n) for n in numbers[:-1]), last=numbers[-1])

    # ---------------------------------------------------------------- the kinds

    @property
    def items(self) -> str:
        """"data gaps and recommendations": every kind, by its plural."""
        return self._and([k.plural for k in self.kinds])

    def kind(self, name: str) -> KindWords:
        return next(k for k in self.kinds if (k.key or k.name) == name)

    def kind_if_any(self, name: str) -> KindWords | None:
        """:meth:`kind`, or None where the plan has no kind ``name`` (an item's at an
        earlier meeting, of a kind since taken out of plan.yaml)."""
        return next((k for k in self.kinds if (k.key or k.name) == name), None)

    def label(self, kind: str, field_name: str) -> str:
        return self.kind(kind).labels[field_name]

    # ---------------------------------------------------------------- sentences

    def report_to(self, meeting: str) -> str:
        return self._("Report to the {meeting}", meeting=meeting)

    def section(self, number: str, heading: str) -> str:
        """"Section 3.2: Victims"; a heading that names its number already ("Priority 1:
        Reduce violent crime", "Objective 1.2 Safer streets") is printed as it is, never
        doubled ("Section 1: Priority 1: ...")."""
        if heading and re.match(rf"[^\W\d][\w' -]*?\s+{re.escape(number)}(?![\d.])", heading):
            return heading
        if heading:
            return self._("Section {number}: {heading}", number=number, heading=heading)
        return self._("Section {number}", number=number)

    def continued(self, number: str, heading: str) -> str:
        return self._("{section}, continued", section=self.section(number, heading))

    def section_caption(self, kind: str, number: str) -> str:
        heading = self.kind(kind).heading
        return self._("{heading} from section {number}{of_assessment}, with progress and "
                      "status", heading=heading, number=number,
                      of_assessment=self.of_assessment)

    def part_caption(self, heading: str) -> str:
        return self._("{heading}, with progress and status", heading=heading)

    def due_on(self, due: str) -> str:
        return f"{self.due} {due}"

    def updates_received(self, returns: list[tuple[str, datetime.date]]) -> str:
        """The colophon's line on the partners' returns behind this report's updates."""
        parts = ", ".join(self._("{agency} ({day})", agency=agency,
                                 day=dates.day_month(day, language=self.language))
                          for agency, day in returns)
        return self._("Updates received from {agencies}.", agencies=parts)

    def overdue_by(self, days: int) -> str:
        return self.ngettext("Overdue by {count} day", "Overdue by {count} days", days)

    def lead_is(self, leads: str) -> str:
        return f"{self.lead}: {leads}"

    def _flagged(self, statuses: list[str]) -> str:
        """"off track, at risk or overdue": the exception statuses, worst first."""
        if not statuses:
            return self._("overdue")
        return self._("{statuses} or overdue", statuses=", ".join(statuses))

    def exceptions_intro(self, as_of: str, statuses: list[str]) -> str:
        return self._("Actions {flagged} as at {as_of}, each with its latest update; the "
                      "full tables follow.", flagged=self._flagged(statuses), as_of=as_of)

    def no_exceptions(self, since: bool, statuses: list[str]) -> str:
        if since:
            return self._("No action is {flagged}, and none is worse than at the last "
                          "meeting.", flagged=self._flagged(statuses))
        return self._("No action is {flagged}.", flagged=self._flagged(statuses))

    def counted(self, heading: str, count: int) -> str:
        return self._("{heading} ({count})", heading=heading, count=self.number(count))

    def now(self, status: str) -> str:
        return self._("now {status}", status=status)

    def removed(self, refs: list[str]) -> str:
        return self._("Removed from the plan since the last meeting: {refs}.",
                      refs=", ".join(refs))

    def compared_with(self, as_it_was: str) -> str:
        """"Compared with the action plan as it was at the meeting of 28 June 2010."."""
        return self._("Compared with the action plan {as_it_was}.", as_it_was=as_it_was)

    def item_changed(self, change: str) -> str:
        """How an item changed since the last meeting (``change``: "added", "removed" or
        "changed"), after its kind's name in the changes section: "data gap: changed"."""
        if change == "added":
            # TRANSLATORS: after a kind's name ("data gap: added"): the item is new
            return self._("added")
        if change == "removed":
            # TRANSLATORS: after a kind's name ("data gap: removed")
            return self._("removed")
        # TRANSLATORS: after a kind's name ("data gap: changed")
        return self._("changed")

    def field_changed(self, label: str, old: str | None, new: str | None,
                      text: bool = False, note: bool = False) -> str:
        """One field's change since the last meeting, by its ``label``: "Status: off track
        → at risk" (a value given or taken away: "none"); a running ``text`` changed is
        said to be, not quoted: "Action text changed" in the changes section, "Action
        revised" in a row's note (``note``)."""
        if text and old and new:
            if note:
                return self._("{label} revised", label=label)
            return self._("{label} text changed", label=label)
        # TRANSLATORS: a field that had no value, or has none now ("Due: none → 2010-09")
        none = self._("none")
        return f"{label}: {old or none} → {new or none}"

    def file_moved(self, old: str, new: str) -> str:
        """An item's file renamed or moved since the last meeting."""
        return self._("file moved: {old} → {new}", old=old, new=new)

    # ------------------------------------------------- direction of travel

    no_change: str = N_("No change")
    first_report: str = N_("First report: there is no earlier meeting to compare with, so "
                           "no direction of travel is shown.")
    not_compared: str = N_("This report is not compared with the last meeting, so no "
                           "direction of travel is shown.")
    #: the progress chart's bar (and table row) of the current plan
    this_report: str = N_("This report")
    progress_not_kept: str = N_("Progress across meetings is not shown: the action plan is "
                                "not kept under version control, so the plan as it was sent "
                                "to each meeting cannot be read.")

    def improved(self, was: str) -> str:
        """"Improved (was at risk)": ``was`` the status at the last meeting."""
        return self._("Improved (was {status})", status=was)

    def got_worse(self, was: str) -> str:
        return self._("Worse (was {status})", status=was)

    def changed_from(self, was: str) -> str:
        """A status the plan's order does not rank, given or taken away."""
        return self._("Changed (was {status})", status=was)

    def measured_against(self, as_it_was: str) -> str:
        """``as_it_was``: :meth:`as_it_was` ("as it was at the meeting of 28 June 2010")."""
        return self._("Direction of travel is measured against the plan {as_it_was}.",
                      as_it_was=as_it_was)

    def chart_starts(self, meeting: str | None = None, why: str | None = None) -> str:
        """Why there is no chart yet: one meeting's plan saved (``meeting``: as a sentence
        names it), or none (``why``: in the committee's words, if known)."""
        if meeting:
            return self._("The chart of progress across meetings starts once the plans sent "
                          "to two meetings have been saved; one has been so far ({meeting}).",
                          meeting=meeting)
        if why:
            return self._("The chart of progress across meetings starts once the plans sent "
                          "to two meetings have been saved; {why}.", why=why)
        return self._("The chart of progress across meetings starts once the plans sent to "
                      "two meetings have been saved; none has been yet.")

    def chart_shows(self, first: str, last: str) -> str:
        """The progress chart's text alternative's first sentence (``first``, ``last``:
        the first and last bars as a sentence names them)."""
        return self._("Stacked bar chart of the number of {items} in each status, from "
                      "{first} to {last}.", items=self.items, first=first, last=last)

    def chart_at(self, name: str, count: int, statuses: str, this: bool = False) -> str:
        """What one bar shows: ``statuses`` "3 on track, 1 at risk"; ``this``: the bar
        is this report's ("In this report (21 March 2011): ...")."""
        if this:
            return self._("In {name}: {count} in all, {statuses}.", name=name,
                          count=self.number(count), statuses=statuses)
        return self._("At {name}: {count} in all, {statuses}.", name=name,
                      count=self.number(count), statuses=statuses)

    chart_table_follows: str = N_("The numbers for every meeting are in the table that "
                                  "follows.")

    # ------------------------------------------------- the colophon

    #: the overdue list's lead of an item with no lead agency
    partnership: str = N_("Partnership")
    not_versioned: str = N_("Prepared from action plan files that are not kept under "
                            "version control, so this report cannot be traced to a saved "
                            "version of the plan.")
    never_saved: str = N_("Prepared from an action plan of which no version has been saved "
                          "yet.")

    def prepared_by(self, author: str, meeting: str) -> str:
        return self._("Prepared by the {author} for the {meeting}.", author=author,
                      meeting=meeting)

    def prepared_from(self, saved: str | None, draft: bool) -> str:
        """The version the report was made from: ``saved`` the day it was saved, as
        :meth:`long_date` writes it (None: later than the report's date, so not said);
        ``draft``: with changes not yet saved."""
        if saved and draft:
            return self._("Prepared from the action plan as saved on {day}, with later "
                          "changes not yet saved (a draft).", day=saved)
        if saved:
            return self._("Prepared from the action plan as saved on {day}.", day=saved)
        if draft:
            return self._("Prepared from a saved version of the action plan, with later "
                          "changes not yet saved (a draft).")
        return self._("Prepared from a saved version of the action plan.")

    def marked_against(self, as_it_was: str) -> str:
        return self._("Changes are marked against the plan {as_it_was}.",
                      as_it_was=as_it_was)

    # ------------------------------------------------- meetings, named as a committee does

    def meeting_name(self, title: str | None, day: str) -> str:
        """A meeting as a heading or a table names it: "Safer Stockton Partnership,
        27 September 2010" when its tag gives a title, else "Meeting of 28 June 2010"."""
        if title:
            return self._("{title}, {day}", title=title, day=day)
        return self._("Meeting of {day}", day=day)

    def the_meeting(self, title: str | None, day: str) -> str:
        """A meeting in a sentence: "the meeting of 28 June 2010", "the meeting of the
        Safer Stockton Partnership on 27 September 2010"."""
        if not title:
            return self._("the meeting of {day}", day=day)
        if title.lower().startswith("the "):
            # TRANSLATORS: {title} begins with "the" here ("The Safer Stockton Board")
            return self._("the meeting of {title} on {day}", title=title, day=day)
        return self._("the meeting of the {title} on {day}", title=title, day=day)

    def as_it_was(self, title: str | None, day: str, meeting: bool = True) -> str:
        """The plan compared with: "as it was at the meeting of 28 June 2010"; for a
        saved version that is no meeting's, "as it was on 20 September 2010"."""
        if not meeting:
            return self._("as it was on {day}", day=day)
        return self._("as it was at {meeting}", meeting=self.the_meeting(title, day))

    @property
    def nothing_changed(self) -> str:
        return self._("No {kinds} has changed.", kinds=self._or([k.name for k in self.kinds]))

    @property
    def summary_caption(self) -> str:
        return self._("Number of {items} by status, overall and by lead agency",
                      items=self.items)

    @property
    def all_items(self) -> str:
        """The status summary's first row, in full: "All data gaps and recommendations"."""
        return self._("All {items}", items=self.items)

    def no_lead(self, count: int) -> str:
        """Items of the last kind (the recommendations) with no lead agency."""
        kind = self.kinds[-1]
        # TRANSLATORS: {item} is the kind's name ("recommendation"), {items} its plural
        return self.ngettext(
            "{count} {item} is for the whole partnership and has no lead agency.",
            "{count} {items} are for the whole partnership and have no lead agency.",
            count, item=kind.name, items=kind.plural)

    def overdue_as_at(self, as_of: str) -> str:
        return self._("Overdue actions as at {as_of}", as_of=as_of)

    def none_overdue(self, as_of: str) -> str:
        return self._("No action is overdue as at {as_of}.", as_of=as_of)

    def chart_title(self, meetings: int) -> str:
        """The progress chart's heading: "Data gaps and recommendations by status"."""
        if meetings > 1:
            # TRANSLATORS: only printed for two meetings or more
            text = self.ngettext("{items} by status at the last {count} meeting",
                                 "{items} by status at each of the last {count} meetings",
                                 meetings, items=self.items)
        else:
            text = self._("{items} by status", items=self.items)
        return text[:1].upper() + text[1:]

    @property
    def progress_caption(self) -> str:
        return self._("Number of {items} by status at each meeting: the numbers in the chart",
                      items=self.items)

    @property
    def done_word(self) -> str:
        """The plan's done statuses as a sentence names them, or the tool's "complete"."""
        return self.done or self._("complete")

    @property
    def overdue_caption(self) -> str:
        return self._("Actions not {done} whose deadline has passed, most overdue first",
                      done=self.done_word)

    def progress_note(self, max_bars: int) -> str:
        note = self.ngettext(
            "The chart shows at most the last {count} meeting. Overdue: not {done} and "
            "due before the meeting's date.",
            "The chart shows at most the last {count} meetings. Overdue: not {done} and "
            "due before the meeting's date.", max_bars, done=self.done_word)
        if self.progress_uncounted:  # the public edition (editions.py)
            note += " " + self.exempt_not_counted(self.progress_uncounted)
        return note

    def footer(self, title: str, meeting: str, day: str) -> str:
        return self._("{title} · {meeting}, {day}", title=title, meeting=meeting, day=day)

    def footer_short(self, title: str, day: str) -> str:
        """The running footer without the meeting, where the whole would not fit a line."""
        return f"{title} · {day}"

    def page_of(self) -> tuple[str, str]:
        """"Page N of M" around its two numbers."""
        text = self._("Page {page} of {pages}")
        before, _, rest = text.partition("{page}")
        return before, rest.partition("{pages}")[0]

    # ---------------------------------------------------------------- editions

    #: what each edition is called, where a preview or a workbook says which it shows
    public_edition: str = N_("Public edition: exempt information is left out")
    exempt_edition: str = N_("Exempt edition: NOT FOR PUBLICATION")
    #: the direction of travel of an item whose status was exempt at the last meeting:
    #: neither "Improved" nor "No change", which would give that status away
    travel_exempt: str = N_("Not compared: its status at the last meeting was exempt "
                            "information")
    #: actions left out of every meeting's counts in the public edition's progress chart
    progress_uncounted: int = 0

    def workbook_edition(self, paragraphs: list[int]) -> str:
        """Which edition a partner's workbook shows: always the whole text its lead wrote."""
        if not paragraphs:
            return self._("Edition: nothing in this workbook is exempt information, so it "
                          "matches the public edition of the report.")
        return self._("Exempt edition: {marking}. This workbook shows the whole text, which "
                      "the public edition of the report leaves out: do not publish or "
                      "forward it.", marking=self.not_for_publication(paragraphs))

    def exempt_sentence(self, paragraph: int) -> str:
        """Where exempt text was, in the public edition."""
        return self._("Exempt information: not for publication (Local Government Act 1972, "
                      "Schedule 12A, paragraph {paragraph})", paragraph=paragraph)

    def exempt_short(self, paragraph: int) -> str:
        """In a status, lead or deadline left out of the public edition."""
        return self._("Exempt (Schedule 12A, paragraph {paragraph})", paragraph=paragraph)

    def exempt_published(self, label: str) -> str:
        """A change note, in the public edition, for a field (``label``; "" for the whole
        item) exempt at the last meeting and public now: said whether or not it changed."""
        if not label:
            return self._("Exempt information at the last meeting, published now")
        return self._("{label}: exempt information at the last meeting, published now",
                      label=label)

    def exempt_not_counted(self, count: int) -> str:
        """After the status summary's note, in the public edition."""
        return self.ngettext(
            "{count} action whose status or deadline is exempt information is not counted "
            "here.",
            "{count} actions whose status or deadline is exempt information are not "
            "counted here.", count)

    def not_for_publication(self, paragraphs: list[int]) -> str:
        """The exempt edition's marking, on every page and in its properties."""
        return self._("NOT FOR PUBLICATION: exempt information under {paragraphs} of Part 1 "
                      "of Schedule 12A to the Local Government Act 1972",
                      paragraphs=self._paragraphs(paragraphs))

    def not_for_publication_short(self, paragraphs: list[int]) -> str:
        """The marking in the running footer of every page."""
        return self._("NOT FOR PUBLICATION: Schedule 12A, {paragraphs}",
                      paragraphs=self._paragraphs(paragraphs))

    def uncounted(self, sentence: str, count: int) -> str:
        """The status summary's note, with the actions it leaves out said."""
        return f"{sentence} {self.exempt_not_counted(count)}"

    def exception_title(self, title: str) -> str:
        return self._("{title}: exception report", title=title)

    def exception_report(self, full: str, count: int, statuses: list[str]) -> str:
        """The exception report's line saying what it shows (the plan's exception
        ``statuses``, worst first) and where the full report is."""
        return self._(
            "This is the exception report: it shows only the {items} that are {flagged}, or "
            "worse since the last meeting, in full, with the status summary and the direction "
            "of travel. The full report, with all {items} ({count} in all), is {full}.",
            items=self.items, flagged=self._flagged(statuses), count=self.number(count),
            full=full)

    def full_report(self, stem: str) -> str:
        """Where the full report is, for the exception report's line."""
        return self._("published alongside it as {stem} (PDF, HTML and Word)", stem=stem)

    def also_available(self, language: str, name: str) -> str:
        """On the covering page, under the addressee: the edition in the plan's other
        language, by its file's name."""
        if language == "cy":
            return self._("This report is also available in Welsh ({file}).", file=name)
        if language == "en":
            return self._("This report is also available in English ({file}).", file=name)
        return self._("This report is also available in another language ({file}).",
                      file=name)

    # ------------------------------------------------------- the partners' workbooks

    #: the Instructions sheet's heading of its steps, and its last two steps
    what_to_do: str = N_("What to do")
    do_not_change: str = N_("Please do not change the other columns, add rows, or move or "
                            "rename the sheets: the workbook is read back automatically, and "
                            "a changed row is sent back to you.")
    save_and_return: str = N_("Save the workbook as it is (.xlsx) and return it to whoever "
                              "sent it to you.")
    #: a drop-down's prompt
    choose_from_list: str = N_("Choose from the list, or leave blank if it has not changed.")
    #: the workbook's sheet of instructions, and its one sheet of updates (a plan with
    #: one kind of item; with more, each kind's sheet is titled by its heading)
    instructions: str = N_("Instructions")
    updates: str = N_("Updates")

    def current_label(self, label: str) -> str:
        """A column as sent: "Current Status" ({label}: the field's label)."""
        # TRANSLATORS: a workbook's column of a field's value as sent ("Current Status")
        return self._("Current {label}", label=label)

    def new_label(self, label: str) -> str:
        """A column to fill in: "New Status"."""
        # TRANSLATORS: a workbook's column to fill in with a field's new value ("New Status")
        return self._("New {label}", label=label)

    def _each_and(self, names: list[str]) -> str:
        """"a", "a and b", "a and b and c" (the workbook's joins)."""
        text = names[0] if names else ""
        for name in names[1:]:
            text = self._("{items} and {last}", items=text, last=name)
        return text

    def _each_or(self, names: list[str]) -> str:
        """"a", "a or b", "a or b or c"."""
        text = names[0] if names else ""
        for name in names[1:]:
            text = self._("{items} or {last}", items=text, last=name)
        return text

    def update_request(self, partnership: str, name: str) -> str:
        """A workbook's title, and its e-mail's subject: "Safer Stockton Partnership:
        update request for Cleveland Police"."""
        return self._("{partnership}: update request for {name}", partnership=partnership,
                      name=name)

    def meeting_on(self, meeting: str, day: str | None) -> str:
        """"Safer Stockton Partnership on 27 September 2010" (the meeting's day if known)."""
        return self._("{meeting} on {day}", meeting=meeting, day=day) if day else meeting

    def workbook_lists(self, plurals: list[str], name: str | None, partnership: str,
                       done: list[str], meeting: str) -> str:
        """The Instructions sheet's first sentence: what the workbook lists (``name``
        None: the items for the whole partnership, with no lead agency), and where the
        updates go."""
        items = self._each_and(plurals)
        if name is None and done:
            return self._("This workbook lists the {items} for the whole partnership in the "
                          "action plan of the {partnership} that are not yet {done}. The "
                          "updates you give will go into the progress report to the "
                          "{meeting}.", items=items, partnership=partnership,
                          done=self._each_or(done), meeting=meeting)
        if name is None:
            return self._("This workbook lists the {items} for the whole partnership in the "
                          "action plan of the {partnership}. The updates you give will go "
                          "into the progress report to the {meeting}.", items=items,
                          partnership=partnership, meeting=meeting)
        if done:
            return self._("This workbook lists the {items} that {name} leads in the action "
                          "plan of the {partnership}, and that are not yet {done}. The "
                          "updates you give will go into the progress report to the "
                          "{meeting}.", items=items, name=name,
                          partnership=partnership, done=self._each_or(done), meeting=meeting)
        return self._("This workbook lists the {items} that {name} leads in the action plan "
                      "of the {partnership}. The updates you give will go into the progress "
                      "report to the {meeting}.", items=items, name=name,
                      partnership=partnership, meeting=meeting)

    def reply_by(self, day: str | None) -> str:
        if day:
            return self._("Please reply by {day}.", day=day)
        return self._("Please reply as soon as you can.")

    def open_sheets(self, titles: list[str], kinds: list[str]) -> str:
        """The first step: which sheets to open, and what a row is."""
        return self.ngettext("Open the {sheets} sheet. Each row is one {kinds}.",
                             "Open the {sheets} sheets. Each row is one {kinds}.",
                             len(titles), sheets=self._each_and(titles),
                             kinds=self._each_or(kinds))

    def sent_on(self, day: str) -> str:
        return self._("Sent on {day}.", day=day)

    def step(self, kind: str, label: str, column: str, *, day: str = "", quarter: str = "",
             year: str = "", choices: Sequence[str] = (), typed: dict[str, str] | None = None
             ) -> str:
        """What to do in one column to fill in, by its field's type: ``day``, ``quarter``
        and ``year`` are examples; ``choices`` the drop-down's words; ``typed`` the words
        a partner types that the tool reads back ("yes", "no", "ongoing"), which stay
        as they are in any language."""
        typed = {"yes": "yes", "no": "no", "ongoing": "ongoing", **(typed or {})}
        if kind in ("status", "choice"):
            listed = self._or(list(choices)) if kind == "status" else ", ".join(choices)
            if kind == "status":
                return self._("Choose the {column} from the drop-down list: {choices}. Leave "
                              "it blank if it has not changed.", column=column, choices=listed)
            return self._("Choose the {column} from the drop-down list: {choices}.",
                          column=column, choices=listed)
        if kind == "due":
            return self._("If the deadline has moved, type the new one in the {column} "
                          "column: a date such as {day}, a quarter such as {quarter}, a year "
                          "such as {year}, or {ongoing}.", column=column, day=day,
                          quarter=quarter, year=year, ongoing=typed["ongoing"])
        if kind == "date":
            return self._("If the {label} has changed, type the new date in the {column} "
                          "column, such as {day}.", label=label, column=column, day=day)
        if kind == "number":
            return self._("Type the new {label} in the {column} column, as a number (digits "
                          "only).", label=label, column=column)
        if kind == "yes-no":
            return self._("Type {yes} or {no} in the {column} column.", column=column,
                          yes=typed["yes"], no=typed["no"])
        return self._("Type the latest {label} in the {column} column. Leave it blank if "
                      "nothing has changed.", label=label, column=column)

    def choose_one_of(self, words: list[str]) -> str:
        """A drop-down's error: "Choose one of: on track, at risk."."""
        return self._("Choose one of: {choices}.", choices=", ".join(words))

    def type_a_date(self, day: str, quarter: str = "", year: str = "",
                    ongoing: str = "") -> str:
        """A date column's error; with ``quarter``, a deadline's (a period too)."""
        if quarter:
            return self._("Type a date, such as {day}, or a quarter ({quarter}), a year "
                          "({year}) or {ongoing}.", day=day, quarter=quarter, year=year,
                          ongoing=ongoing)
        return self._("Type a date, such as {day}.", day=day)

    def type_new_date(self, day: str) -> str:
        """A date column's prompt."""
        return self._("Type the new one, such as {day}, or leave blank if it has not "
                      "moved.", day=day)

    # ---------------------------------------------------------------- the e-mails

    dear: str = N_("Dear colleague,")
    leave_blank: str = N_("Leave a row blank if nothing has changed, and please do not change "
                          "the other columns or add rows.")

    def thank_you(self, contact: str, partnership: str) -> str:
        return self._("Thank you,\n{contact}\n{partnership}", contact=contact,
                      partnership=partnership)

    def ask_me(self, contact: str) -> str:
        return self._("If anything is unclear, please ask me, the {contact}, by replying to "
                      "this email.", contact=contact)

    def reply_when(self, day: str | None) -> str:
        """"by 1 September 2010", "as soon as you can": after "Please reply"."""
        return self._("by {day}", day=day) if day else self._("as soon as you can")

    def please_reply(self, when: str) -> str:
        return self._("Please reply {when}, returning the workbook as it is (.xlsx).",
                      when=when)

    def request_subject(self, partnership: str, name: str, when: str) -> str:
        return self._("{request}, reply {when}",
                      request=self.update_request(partnership, name), when=when)

    def count_of(self, count: int, kind: str, kinds: str) -> str:
        """"3 data gaps", "1 recommendation": a count of a kind's items (``kind``,
        ``kinds``: its name and plural, as the plan gives them)."""
        # TRANSLATORS: {kind} is a kind of item's name ("data gap"), {kinds} its plural
        return self.ngettext("{count} {kind}", "{count} {kinds}", count, kind=kind,
                             kinds=kinds)

    def request_intro(self, name: str, items: str, count: int, partnership: str,
                      refs: Sequence[str], meeting: str) -> str:
        """The update request's first paragraph (``items``: what it holds, by kind, "2 data
        gaps and 1 recommendation"; ``count``: how many in all)."""
        return self.ngettext(
            "Please find attached the update request for {name}: the {items} that {name} "
            "leads in the {partnership}'s action plan and that is not yet {done} "
            "({refs}). The updates you give will go into the progress report to the "
            "{meeting}.",
            "Please find attached the update request for {name}: the {items} that {name} "
            "leads in the {partnership}'s action plan and that are not yet {done} "
            "({refs}). The updates you give will go into the progress report to the "
            "{meeting}.", count, name=name, items=items, partnership=partnership,
            refs=", ".join(refs), meeting=meeting, done=self.done_word)

    def request_intro_whole(self, items: str, count: int, partnership: str,
                            refs: Sequence[str], meeting: str) -> str:
        """The first paragraph of the update request for the items with no lead."""
        return self.ngettext(
            "Please find attached the update request for the {items} for the whole "
            "partnership in the {partnership}'s action plan that is not yet {done} "
            "({refs}). The updates you give will go into the progress report to the "
            "{meeting}.",
            "Please find attached the update request for the {items} for the whole "
            "partnership in the {partnership}'s action plan that are not yet {done} "
            "({refs}). The updates you give will go into the progress report to the "
            "{meeting}.", count, items=items, partnership=partnership,
            refs=", ".join(refs), meeting=meeting, done=self.done_word)

    def the_sheets(self, sheets: Sequence[str]) -> str:
        """"the Data gaps sheet", "the Data gaps and Recommendations sheets"."""
        return self.ngettext("the {sheets} sheet", "the {sheets} sheets",
                             max(len(sheets), 1), sheets=self._and(list(sheets)))

    def what_to_fill_in(self, sheets: Sequence[str], kinds: Sequence[str]) -> str:
        """The head of the e-mail's list of columns (``kinds``: the names of the kinds of
        item its rows are, "data gap")."""
        return self._("What to fill in, on {sheets}, one row per {kinds}:",
                      sheets=self.the_sheets(sheets), kinds=self._or(list(kinds)))

    def fill_in_as_instructed(self, instructions: str) -> str:
        """Where to look when the e-mail lists no columns."""
        return self._("What to fill in is on the {sheet} sheet.", sheet=instructions)

    def column_what(self, fill_in: str, example: str, typed: dict[str, str] | None = None
                    ) -> str:
        """What to put in one column to fill in (after its title in the e-mail), by what
        its field type asks for (``fieldtypes.FieldType.fill_in``)."""
        typed = {"yes": "yes", "no": "no", **(typed or {})}
        if fill_in == "choose":
            return self._("choose from the drop-down list.")
        if fill_in == "moved":
            return self._("only if the deadline has moved, such as {example}.",
                          example=example)
        if fill_in == "changed":
            return self._("only if it has changed, such as {example}.", example=example)
        if fill_in == "number":
            return self._("a number (digits only).")
        if fill_in == "yes-no":
            return self._("{yes} or {no}.", yes=typed["yes"], no=typed["no"])
        return self._("the latest progress, in a sentence or two.")

    def not_yet_received(self, name: str, day: str, days_late: int) -> str:
        """A reminder's first paragraph."""
        return self.ngettext(
            "We have not yet received the update request for {name}, which was due by "
            "{day} ({count} day ago). The workbook is attached again.",
            "We have not yet received the update request for {name}, which was due by "
            "{day} ({count} days ago). The workbook is attached again.", days_late,
            name=name, day=day)

    def fill_in_and_return(self, columns: Sequence[str], sheets: Sequence[str],
                           instructions: str) -> str:
        """A reminder's second paragraph: what to fill in, and to send it back."""
        if not columns:
            return self._("Please fill in the workbook as its {sheet} sheet says and return "
                          "the workbook as it is (.xlsx), as soon as you can.",
                          sheet=instructions)
        return self.ngettext(
            "Please fill in the {columns} column on {sheets} and return the workbook as it "
            "is (.xlsx), as soon as you can.",
            "Please fill in the {columns} columns on {sheets} and return the workbook as it "
            "is (.xlsx), as soon as you can.", len(columns),
            columns=self._and(list(columns)), sheets=self.the_sheets(sheets))

    def reminder_subject(self, partnership: str, name: str) -> str:
        return self._("Reminder: {partnership} update request for {name}",
                      partnership=partnership, name=name)


#: the fields whose value is a message of the catalog (the rest: the plan's words, or
#: punctuation)
_MESSAGE_FIELDS = frozenset(
    f.name for f in fields(Words)
    if isinstance(f.default, str) and f.default.strip(" -:")
    and f.name not in ("of_assessment", "done"))


def kind_words(shape, ref: str = N_("Ref"), language: str | None = None,
               ) -> tuple[KindWords, ...]:
    """The words of a shape's kinds (shape.Shape): names, headings and field labels
    (``ref``: the reference's label, the tool's word), in ``language`` where plan.yaml
    gives them in it (else as written)."""
    def text(value: Any) -> str:
        return value if language is None else bilingual.in_language(value, language)[0]

    return tuple(KindWords(text(k.name), text(k.plural), text(k.heading),
                           {"ref": ref, **{f.name: text(f.label) for f in k.fields}},
                           str(k.name))
                 for k in shape.kinds)


#: The letters a name may begin with that some languages join differently ("ac" in Welsh)
_VOWELS = frozenset("aeiouwyâêîôûŵŷáéíóúàèìòù")


def words_for(shape, language: str = "en") -> Words:
    """The words of a plan of this shape: its kinds' names, headings and labels, and
    where its sections come from (plan.yaml, or the shipped default plan.yaml), with
    the tool's own words in ``language`` ("en" or "cy"). The columns that list items of
    every kind (the status summary's, the overdue table's) are headed with the plan's
    labels of its lead, status and deadline fields ("Lead partner", "RAG", "Timescale";
    two kinds' different labels joined: "Lead / Lead partner")."""
    words = words_in(language)

    done = [bilingual.in_language(s.label, language)[0] for s in shape.statuses if s.done]
    return replace(words, kinds=kind_words(shape, words.ref, language),
                   done=words._or([d[:1].lower() + d[1:] for d in done]),
                   lead=shape.label_of("lead_field", language) or words.lead,
                   status=shape.label_of("status_field", language) or words.status,
                   due=shape.label_of("due_field", language) or words.due,
                   of_assessment=(words._(" of {sections}", sections=(
                       shape.sections_of if language == "en" else
                       bilingual.in_language(shape.sections_of, language)[0]))
                                  if shape.sections_of else ""))


def words_in(language: str = "en") -> Words:
    """The tool's own words, with no kinds, in ``language``: "en" (the English
    messages, :data:`WORDS`) or "cy" (Welsh: every msgstr of
    psa_report/locale/cy/LC_MESSAGES/psa_report.po)."""
    return WORDS if language == "en" else WORDS.for_language(language)


#: The tool's own words, with no kinds: :func:`words_for` adds a plan's.
WORDS = Words()
