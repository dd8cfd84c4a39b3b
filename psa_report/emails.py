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
from dataclasses import dataclass
from datetime import date
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from . import fieldtypes
from .dates import long_date
from .models import address_problem
from .problems import Invalid, Problem

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


def _and(words) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def _what(column: Column, example: str) -> str:
    """What to put in one column to fill in."""
    return fieldtypes.get(column.type).fill_in(example)


def _example(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


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
    """The update request: what it is, by when, what to fill in, whom to ask."""
    count = len(draft.refs)
    when = f"by {long_date(reply_by)}" if reply_by else "as soon as you can"
    example = _example(reply_by or date.today())
    sheets = f"the {_and(draft.sheets)} sheet{'s' if len(draft.sheets) > 1 else ''}"
    fill = (f"What to fill in, on {sheets}, one row per action:\n"
            + "".join(f"- {c.title}: {_what(c, example)}\n" for c in draft.columns)
            if draft.columns else "What to fill in is on the Instructions sheet.\n")
    body = _body(
        "Dear colleague,",
        f"Please find attached the update request for {draft.name}: the {count} "
        f"action{'s' if count != 1 else ''} that {draft.name} leads in the {partnership}'s "
        f"action plan and that are not yet complete ({', '.join(draft.refs)}). The updates "
        f"you give will go into the progress report to the {meeting}.",
        f"Please reply {when}, returning the workbook as it is (.xlsx).",
        f"{fill}"
        "Leave a row blank if nothing has changed, and please do not change the other "
        "columns or add rows.",
        f"If anything is unclear, please ask me, the {contact}, by replying to this email.",
        f"Thank you,\n{contact}\n{partnership}")
    subject = f"{partnership}: update request for {draft.name}, reply {when}"
    return _message(draft, subject, body)


def reminder(draft: Draft, partnership: str, contact: str, reply_by: date,
             days_late: int) -> EmailMessage:
    """A reminder to an agency whose return is late."""
    columns = [c.title for c in draft.columns]
    fill = (f"Please fill in the {_and(columns)} column{'s' if len(columns) > 1 else ''} "
            f"on the {_and(draft.sheets)} sheet{'s' if len(draft.sheets) > 1 else ''} "
            if columns else "Please fill in the workbook as its Instructions sheet says ")
    body = _body(
        "Dear colleague,",
        f"We have not yet received the update request for {draft.name}, which was due by "
        f"{long_date(reply_by)} ({days_late} day{'s' if days_late != 1 else ''} ago). The "
        "workbook is attached again.",
        f"{fill}and return the workbook as it is (.xlsx), as soon as you can.",
        f"If anything is unclear, please ask me, the {contact}, by replying to this email.",
        f"Thank you,\n{contact}\n{partnership}")
    subject = f"Reminder: {partnership} update request for {draft.name}"
    return _message(draft, subject, body)


def eml_name(workbook: Path, suffix: str = "") -> str:
    """Police-update-request.xlsx -> Police-update-request.eml (or -reminder.eml)."""
    return f"{workbook.stem}{suffix}.eml"


def saver(message: EmailMessage) -> Callable[[Path], object]:
    data = message.as_bytes(policy=policy.SMTP)
    return lambda temp: temp.write_bytes(data)
