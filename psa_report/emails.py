"""``requests --email`` and ``round --chase``: one draft email (.eml) per agency, never sent.

Each is a plain, editable message made with Python's :mod:`email` package: to
the agency's ``email:`` in agencies.yaml (when it gives one), saying by when to
reply, what to fill in and whom to ask, with the agency's workbook attached.
``X-Unsent: 1`` makes Outlook open it as a draft to check and send; Thunderbird
opens it with "Edit as new".  psa-report sends nothing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from . import fieldtypes
from .models import address_problem
from .partners import PARTNERSHIP, example_date, translated
from .problems import Invalid, Problem
from .wording import Words, words_in

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Column:
    """A column of the workbook to fill in, as a draft describes it."""

    title: str  # as headed in the workbook: "New Status"
    type: str  # its field's type (shape.FIELD_TYPES)


@dataclass(frozen=True)
class Draft:
    """Who a draft goes to and what it carries."""

    agency: str
    name: str  # the agency's full name
    email: str | None
    workbook: Path
    refs: tuple[str, ...]
    #: the workbook's sheets to fill in, and their columns to fill in (only these are
    #: described: a draft never names a column the workbook does not have)
    sheets: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    #: the language its workbook went out in (agencies.yaml's ``language:``, as the
    #: round's manifest records it): the draft is worded in it
    language: str = "en"
    #: the kinds of its items, in its language, as its workbook names them: (name,
    #: plural, how many), ("data gap", "data gaps", 3)
    kinds: tuple[tuple[str, str, int], ...] = ()
    #: the plan's done statuses, in its language, as a sentence names them ("complete",
    #: "delivered"); "" for the tool's own word
    done: str = ""

    @property
    def words(self) -> Words:
        words = words_in(self.language)
        return replace(words, done=self.done) if self.done else words

    def text(self, value: str) -> str:
        """A text of the plan in the draft's language (as written if it has none)."""
        return translated(value, self.language)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _address(draft: Draft) -> Address:
    """The draft's To: address, its domain in ASCII (IDNA) so the address stays valid."""
    email = draft.email or ""
    problem = address_problem(email)
    if problem is not None:
        raise Invalid([Problem("actions/agencies.yaml", None, None,
                               f"{draft.agency}: email: {problem}")])
    local, _, domain = email.rpartition("@")
    return Address(_one_line(draft.name), local, domain.encode("idna").decode("ascii"))


def _message(draft: Draft, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    if draft.email:
        message["To"] = _address(draft)
    message["Subject"] = _one_line(subject)
    message["X-Unsent"] = "1"  # Outlook: open as a draft, with a Send button
    message.set_content(body)
    message.add_attachment(draft.workbook.read_bytes(), maintype=XLSX[0], subtype=XLSX[1],
                           filename=draft.workbook.name)
    return message


def _body(*paragraphs: str) -> str:
    """Paragraphs wrapped at 72 characters, as a plain email is; a list line ("- ") kept."""
    out = []
    for paragraph in paragraphs:
        out.append("\n".join(
            textwrap.fill(line, 72, subsequent_indent="  " if line.startswith("- ") else "")
            for line in paragraph.split("\n")))
    return "\n\n".join(out) + "\n"


def request(draft: Draft, partnership: str, meeting: str, contact: str,
            reply_by: date | None) -> EmailMessage:
    """The update request: what it is, by when, what to fill in, whom to ask (in the
    draft's language)."""
    words = draft.words
    partnership, meeting, contact = (draft.text(partnership), draft.text(meeting),
                                     draft.text(contact))
    when = words.reply_when(words.long_date(reply_by) if reply_by else None)
    example = example_date(reply_by or date.today())
    fill = (words.what_to_fill_in(draft.sheets, [one for one, _, _ in draft.kinds]) + "\n"
            + "".join(f"- {c.title}: "
                      f"{words.column_what(fieldtypes.get(c.type).fill_in, example)}\n"
                      for c in draft.columns)
            if draft.columns else words.fill_in_as_instructed(words.instructions) + "\n")
    items = words._and([words.count_of(count, one, many) for one, many, count in draft.kinds]
                       ) or words.number(len(draft.refs))
    whole = draft.agency == PARTNERSHIP  # the items with no lead: the partnership's own
    intro = (words.request_intro_whole(items, len(draft.refs), partnership, draft.refs,
                                       meeting) if whole else
             words.request_intro(draft.name, items, len(draft.refs), partnership,
                                 draft.refs, meeting))
    body = _body(
        words.dear,
        intro,
        words.please_reply(when),
        f"{fill}{words.leave_blank}",
        words.ask_me(contact),
        words.thank_you(contact, partnership))
    subject = words.request_subject(partnership, words.whole_partnership if whole
                                    else draft.name, when)
    return _message(draft, subject, body)


def reminder(draft: Draft, partnership: str, contact: str, reply_by: date,
             days_late: int) -> EmailMessage:
    """A reminder to an agency whose return is late (in the draft's language)."""
    words = draft.words
    partnership, contact = draft.text(partnership), draft.text(contact)
    columns = [c.title for c in draft.columns]
    body = _body(
        words.dear,
        words.not_yet_received(draft.name, words.long_date(reply_by), days_late),
        words.fill_in_and_return(columns, draft.sheets, words.instructions),
        words.ask_me(contact),
        words.thank_you(contact, partnership))
    subject = words.reminder_subject(partnership, draft.name)
    return _message(draft, subject, body)


def eml_name(workbook: Path, suffix: str = "") -> str:
    """Police-update-request.xlsx -> Police-update-request.eml (or -reminder.eml)."""
    return f"{workbook.stem}{suffix}.eml"


def saver(message: EmailMessage) -> Callable[[Path], object]:
    data = message.as_bytes(policy=policy.SMTP)
    return lambda temp: temp.write_bytes(data)
