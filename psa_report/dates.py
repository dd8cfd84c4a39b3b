"""Dates as analysts write them, and as committee reports print them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .catalog import LOCALES

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

#: The forms a deadline may take (a month alone means the end of that month).
ACCEPTED_FORMS = ("2010-09-30, 30/09/2010 (day first), 30 September 2010 (or 30 Sept "
                  "2010), or a month alone: 2010-09, September 2010 or Sep 2010")
#: The forms a day may take (a report date, --as-of): a month alone is not a day.
DAY_FORMS = "2010-09-30, 30/09/2010 (day first) or 30 September 2010"
#: The periods a deadline may also be, where a plan declares its own shape (plan.yaml).
PERIOD_FORMS = ("a quarter of the financial year (Q3 2024/25), a financial year (2024/25), "
                "or ongoing (never overdue)")
#: The months of each quarter of the UK financial year (April to March).
QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # always day first, as in the UK
_WORDS_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_WORDS_MONTH = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")
_QUARTER = re.compile(r"Q\s*(\d)\s+(\d{4})\s*[/-]\s*(\d{2}|\d{4})", re.IGNORECASE)
# 2024/25, 2024/2025 or 2024-2025 (never 2024-25, which is a month: 2024-09)
_YEAR = re.compile(r"(?:FY\s*)?(\d{4})\s*(?:/\s*(\d{2}|\d{4})|-\s*(\d{4}))", re.IGNORECASE)
_ONGOING = {"ongoing", "on going", "on-going"}

# The words trackers write for a deadline (read as the month, day or period they name):
# "End Mar 27", "By March 2027", "Apr-26", "Sep'26", "31.03.27", "Summer 2027", and with
# periods "Q1 27/28" (the financial year 2027/28's first quarter) or "27/28".
_LEADING = re.compile(r"(?:by\s+)?(?:the\s+)?(?:end\s+(?:of\s+)?)?(?=\S)", re.IGNORECASE)
_SHORT_MONTH = re.compile(r"([A-Za-z]+)\.?\s*[-/'\u2019 ]\s*(\d{2}|\d{4})")
_SHORT_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
_SHORT_WORDS_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?[\s-]+(\d{2})")
_SHORT_QUARTER = re.compile(r"Q\s*(\d)\s*(?:FY\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})|"
                            r"(?:FY\s*)?(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*Q\s*(\d)",
                            re.IGNORECASE)
_SHORT_YEAR = re.compile(r"(?:FY\s*)?(\d{2})\s*/\s*(\d{2})", re.IGNORECASE)
_QUARTER_ALONE = re.compile(r"Q\s*(\d)", re.IGNORECASE)
#: A season is its last month; winter runs into the next year (Winter 2026 is
#: December 2026 to February 2027, so February 2027).
SEASONS = {"spring": (5, 0), "summer": (8, 0), "autumn": (11, 0), "fall": (11, 0),
           "winter": (2, 1)}
_SEASON = re.compile(r"(spring|summer|autumn|fall|winter)\s*[-/'\u2019 ]?\s*(\d{2}|\d{4})",
                     re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Due:
    """A deadline. ``month_only`` deadlines (``2010-09``) fall on the month's last day.

    ``period`` is "quarter" (``Q3 2024/25``: the quarter's last day), "year" (``2024/25``:
    31 March 2025) or "ongoing" (never overdue: ``deadline`` is None, and ``day`` is
    ``date.max`` so that an ongoing item sorts last and no ``day < as_of`` holds).
    """

    day: date
    month_only: bool = False
    period: str | None = None

    def __str__(self) -> str:  # as written back to YAML / JSON
        if self.period == "ongoing":
            return "ongoing"
        if self.period == "quarter":
            return f"Q{quarter_of(self.day)} {financial_year(self.day)}"
        if self.period == "year":
            return financial_year(self.day)
        return self.day.strftime("%Y-%m") if self.month_only else self.day.isoformat()

    @property
    def long(self) -> str:
        """As printed in the report: "September 2010", "30 September 2010",
        "Q3 2024/25 (October to December 2024)", "2024/25 (April 2024 to March 2025)"
        or "ongoing"."""
        if self.period == "ongoing":
            return "ongoing"
        if self.period == "quarter":
            first = QUARTER_MONTHS[quarter_of(self.day)][0]
            return (f"{self} ({calendar.month_name[first]} to "
                    f"{calendar.month_name[self.day.month]} {self.day.year})")
        if self.period == "year":
            return f"{self} (April {self.day.year - 1} to March {self.day.year})"
        if self.month_only:
            return f"{calendar.month_name[self.day.month]} {self.day.year}"
        return long_date(self.day)

    @property
    def deadline(self) -> date | None:
        """The last day it may be done by; None for ongoing (never overdue)."""
        return None if self.period == "ongoing" else self.day

    def overdue(self, as_of: date) -> bool:
        """Whether the deadline has passed by ``as_of`` (never, for ongoing)."""
        return self.deadline is not None and self.deadline < as_of


ONGOING = Due(date.max, period="ongoing")


def quarter_of(day: date) -> int:
    """The quarter of the UK financial year a day is in: April-June is Q1."""
    return (day.month - 4) % 12 // 3 + 1


def financial_year(day: date) -> str:
    """The UK financial year a day is in, as written: 2024/25 (April 2024 to March 2025)."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _financial_years(first: str, second: str, text: str) -> int:
    """The year a financial year starts in, from its two halves ("2024", "25")."""
    start = int(first)
    if int(second) % 100 != (start + 1) % 100 or (len(second) == 4 and int(second) != start + 1):
        raise ValueError(f"{text!r} is not a financial year: the second year must be the "
                         f"one after the first, like {start}/{(start + 1) % 100:02d}")
    return start


def _full_year(year: str) -> int:
    """A year as written: 27 is 2027 (a tracker's two-digit years are this century's)."""
    return int(year) if len(year) == 4 else 2000 + int(year)


def _period(text: str, year: int | None = None) -> Due | None:
    """A quarter, a financial year or ongoing; None if ``text`` is none of them. ``year``:
    the year the financial year a quarter alone ("Q4") is in starts (2026 for 2026/27)."""
    if " ".join(text.lower().split()) in _ONGOING:
        return ONGOING
    quarter_year = None
    if m := _QUARTER.fullmatch(text):
        quarter_year = (m[1], m[2], m[3])
    elif m := _SHORT_QUARTER.fullmatch(text):
        quarter_year = (m[1], m[2], m[3]) if m[1] else (m[6], m[4], m[5])
        quarter_year = (quarter_year[0], str(_full_year(quarter_year[1])), quarter_year[2])
    elif year is not None and (m := _QUARTER_ALONE.fullmatch(text)):
        quarter_year = (m[1], str(year), f"{(year + 1) % 100:02d}")
    if quarter_year is not None:
        start = _financial_years(quarter_year[1], quarter_year[2], text)
        quarter = int(quarter_year[0])
        if quarter not in QUARTER_MONTHS:
            raise ValueError(f"{text!r} names quarter {quarter}, which does not exist: a "
                             "financial year has quarters Q1 (April to June) to Q4 "
                             "(January to March)")
        last = QUARTER_MONTHS[quarter][1]
        year = start + 1 if quarter == 4 else start
        return Due(date(year, last, calendar.monthrange(year, last)[1]), period="quarter")
    if m := _YEAR.fullmatch(text):
        start = _financial_years(m[1], m[2] or m[3], text)
        return Due(date(start + 1, 3, 31), period="year")
    if m := _SHORT_YEAR.fullmatch(text):
        start = _financial_years(str(_full_year(m[1])), m[2], text)
        return Due(date(start + 1, 3, 31), period="year")
    return None


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


def parse_due(text: str, *, periods: bool = False, year: int | None = None) -> Due:
    """Parse a deadline; raise ValueError with a message fit for the user.

    With ``periods`` (a plan that declares its own shape), a quarter of the UK financial
    year (``Q3 2024/25``, ``Q1 27/28``), a financial year (``2024/25``, ``27/28``) and
    ``ongoing`` are deadlines too; with ``year`` (adopting a tracker whose title names its
    year), a quarter alone (``Q4``) is that financial year's. The words trackers write
    for a month or a day are read too: ``End Mar 27``, ``Apr-26``, ``31.03.27``,
    ``Summer 2027`` (a season is its last month: see :data:`SEASONS`).
    """
    text = text.strip()
    if periods and (due := _period(text, year)) is not None:
        return due
    if (due := _written(text)) is not None:
        return due
    bare = _LEADING.sub("", text, count=1).strip()
    if bare and bare != text and not _LEADING.fullmatch(text):
        if periods and (due := _period(bare, year)) is not None and due.period != "ongoing":
            return due
        if (due := _written(bare)) is not None:
            return due
    if (due := _tracker_words(text)) is not None:
        return due
    forms = f"{ACCEPTED_FORMS}; or {PERIOD_FORMS}" if periods else ACCEPTED_FORMS
    raise ValueError(f"{text!r} is not a date this tool can read: write it as {forms}")


def _tracker_words(text: str) -> Due | None:
    """A month or a day in the short forms trackers use: Apr-26, Mar 27, 31.03.27,
    31 Mar 27, Summer 2027 (with End or By before any of them)."""
    bare = _LEADING.sub("", text, count=1).strip()
    if m := _SHORT_DAY.fullmatch(bare):
        return _make(_full_year(m[3]), int(m[2]), int(m[1]), text)
    if m := _SHORT_WORDS_DAY.fullmatch(bare):
        if (month := MONTHS.get(m[2].lower())) is not None:
            return _make(_full_year(m[3]), month, int(m[1]), text)
    if m := _SEASON.fullmatch(bare):
        month, later = SEASONS[m[1].lower()]
        return _make(_full_year(m[2]) + later, month, None, text)
    if m := _SHORT_MONTH.fullmatch(bare):
        if (month := MONTHS.get(m[1].lower())) is not None:
            return _make(_full_year(m[2]), month, None, text)
    return None


def _written(text: str) -> Due | None:
    """A deadline in one of :data:`ACCEPTED_FORMS`, or None."""
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
    return None


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


def _babel(day: date, pattern: str, language: str) -> str:
    """``day`` in a CLDR pattern, in ``language``'s words (Babel's CLDR data)."""
    from babel.dates import format_date

    return format_date(day, pattern, locale=LOCALES.get(language, language))


def long_date(day: date, language: str = "en") -> str:
    """28 June 2010; in Welsh (``language="cy"``) 28 Mehefin 2010 (the ordinal form of
    an English date is made by the template from its parts)."""
    if language == "en":
        return f"{day.day} {calendar.month_name[day.month]} {day.year}"
    return _babel(day, "d MMMM y", language)


def month_year(day: date, language: str = "en") -> str:
    """June 2010; Mehefin 2010."""
    if language == "en":
        return f"{calendar.month_name[day.month]} {day.year}"
    return _babel(day, "LLLL y", language)


def month_name(day: date, language: str = "en") -> str:
    """June; Mehefin (the month alone, as a heading or a range names it)."""
    if language == "en":
        return calendar.month_name[day.month]
    return _babel(day, "LLLL", language)


def day_month(day: date, language: str = "en") -> str:
    """28 June; 28 Mehefin."""
    if language == "en":
        return f"{day.day} {calendar.month_name[day.month]}"
    return _babel(day, "d MMMM", language)


def day_suffix(day: int, language: str = "en") -> str:
    """The ordinal suffix printed after a day: "th" in "28th June 2010"; none in Welsh,
    whose committee papers write "28 Mehefin 2010"."""
    return ordinal_suffix(day) if language == "en" else ""
