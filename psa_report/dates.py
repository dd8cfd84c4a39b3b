"""Dates as analysts write them, and as committee reports print them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

#: The forms a deadline may take (a month alone means the end of that month).
ACCEPTED_FORMS = ("2010-09-30, 30/09/2010 (day first), 30 September 2010 (or 30 Sept "
                  "2010), or a month alone: 2010-09, September 2010 or Sep 2010")
#: The forms a day may take (a report date, --as-of): a month alone is not a day.
DAY_FORMS = "2010-09-30, 30/09/2010 (day first) or 30 September 2010"

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # always day first, as in the UK
_WORDS_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_WORDS_MONTH = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")


@dataclass(frozen=True, order=True)
class Due:
    """A deadline. ``month_only`` deadlines (``2010-09``) fall on the month's last day."""

    day: date
    month_only: bool = False

    def __str__(self) -> str:  # as written back to YAML / JSON
        return self.day.strftime("%Y-%m") if self.month_only else self.day.isoformat()

    @property
    def long(self) -> str:
        """As printed in the report: "September 2010" or "30 September 2010"."""
        if self.month_only:
            return f"{calendar.month_name[self.day.month]} {self.day.year}"
        return long_date(self.day)


def _make(year: int, month: int, day: int | None, text: str) -> Due:
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has month {month}, which does not exist")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return Due(date(year, month, last), month_only=True)
    if not 1 <= day <= last:
        raise ValueError(f"{text!r} is not a real date: {calendar.month_name[month]} "
                         f"{year} has {last} days")
    return Due(date(year, month, day))


def parse_due(text: str) -> Due:
    """Parse a deadline; raise ValueError with a message fit for the user."""
    text = text.strip()
    if m := _ISO_DAY.fullmatch(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _ISO_MONTH.fullmatch(text):
        return _make(int(m[1]), int(m[2]), None, text)
    if m := _UK_DAY.fullmatch(text):
        return _make(int(m[3]), int(m[2]), int(m[1]), text)
    if m := _WORDS_DAY.fullmatch(text):
        if (month := MONTHS.get(m[2].lower())) is not None:
            return _make(int(m[3]), month, int(m[1]), text)
    if m := _WORDS_MONTH.fullmatch(text):
        if (month := MONTHS.get(m[1].lower())) is not None:
            return _make(int(m[2]), month, None, text)
    raise ValueError(f"{text!r} is not a date this tool can read: write it as {ACCEPTED_FORMS}")


def parse_day(text: str) -> date:
    """Parse a full date (a report date, an --as-of); a month alone is refused."""
    try:
        due = parse_due(text)
    except ValueError as error:
        if "is not a date this tool can read" in str(error):
            raise ValueError(f"{text.strip()!r} is not a date this tool can read: write "
                             f"it as {DAY_FORMS}") from None
        raise
    if due.month_only:
        raise ValueError(f"{text!r} names a month, not a day: write the day too, "
                         f"like {due.day.isoformat()} or {long_date(due.day)}")
    return due.day


def ordinal_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def long_date(day: date) -> str:
    """28 June 2010 (the ordinal form is made by the template from its parts)."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"
