"""The report's "Crime and disorder" section as data: every number and sentence.

From figures/crime.csv (police.uk counts by month and type) and
figures/indicators.yaml: for one calendar quarter (the latest whose three months
are all imported, or the one asked for) each crime type and all crime with the
count, the same quarter a year before, the change and % change, the last twelve
months against the twelve before, the rate per 1,000 residents, and the direction
as a shape and words ("▼ Down 12% (better)"); the indicators against their
targets; and the monthly all-crime counts of the last 24 months, laid out here as
a chart for the template to draw in SVG (as progress.py does).  Where the history
is too short, a sentence says so and no comparison is made up.

Every word is in the edition's language (:class:`FigureWords`, from the catalog as
:mod:`psa_report.wording`'s): its months and numbers as the language writes them, and
police.uk's crime types by their names on police.uk's Welsh pages; a type the catalog
does not know is printed in English, marked so (:class:`psa_report.bilingual.Fallback`).

No Jinja, no WeasyPrint; the templates and the Word writer only print this.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, cast

from . import catalog, dates
from .bilingual import Fallback, formatted, joined
from .catalog import ENGLISH, Messages
from .digits import shown
from .figures import ASB, FIGURES, Counts, read_crime, year_problem
from .indicators import Indicator, load_indicators
from .problems import BadOption, Invalid, Problem
from .wording import N_

HEADING = N_("Crime and disorder")
ALL_CRIME = N_("All crime")
#: police.uk's crime types (its street-level files' "Crime type"), for the catalog: each
#: is printed by its name on police.uk's Welsh pages in the Welsh edition
CRIME_TYPES = (N_("Anti-social behaviour"), N_("Bicycle theft"), N_("Burglary"),
               N_("Criminal damage and arson"), N_("Drugs"), N_("Other crime"),
               N_("Other theft"), N_("Possession of weapons"), N_("Public order"),
               N_("Robbery"), N_("Shoplifting"), N_("Theft from the person"),
               N_("Vehicle crime"), N_("Violence and sexual offences"))
#: Shapes beside the words (never colour alone), as progress.GLYPHS.
GLYPHS = {"up": "▲", "down": "▼", "same": "►", "none": ""}


# ---------------------------------------------------------------- months and quarters

def month_index(key: str) -> int:
    year, month = key.split("-")
    return int(year) * 12 + int(month) - 1


def month_key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_name(index: int, short: bool = False) -> str:
    names = calendar.month_abbr if short else calendar.month_name
    return f"{names[index % 12 + 1]} {index // 12}"


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: Q1 is January to March."""

    year: int
    number: int

    @classmethod
    def of(cls, month: int) -> Quarter:
        return cls(month // 12, month % 12 // 3 + 1)

    @property
    def first(self) -> int:  # month index
        return self.year * 12 + (self.number - 1) * 3

    @property
    def last(self) -> int:
        return self.first + 2

    @property
    def months(self) -> list[int]:
        return [self.first, self.first + 1, self.first + 2]

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        """"April to June 2025"."""
        return (f"{calendar.month_name[(self.number - 1) * 3 + 1]} to "
                f"{calendar.month_name[self.number * 3]} {self.year}")

    def back(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.number - 1 - quarters
        return Quarter(index // 4, index % 4 + 1)


# ---------------------------------------------------------------- the section's words

def _day(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class FigureWords:
    """The section's fixed words (its headings and the tables' headers), and its
    sentences, in one language: each field's default is its English message (marked
    ``N_`` for the catalog); :meth:`in_language` gives them in another."""

    heading: str = HEADING
    crime_type: str = N_("Crime type")
    quarter: str = N_("Quarter")
    same_quarter: str = N_("Same quarter last year")
    change: str = N_("Change")
    direction: str = N_("Direction")
    last_12: str = N_("Last 12 months")
    before_12: str = N_("12 months before")
    rate: str = N_("Rate per 1,000 residents")
    indicators: str = N_("Indicators")
    indicators_caption: str = N_("The partnership's indicators against their targets")
    indicator: str = N_("Indicator")
    target: str = N_("Target")
    against_target: str = N_("Against target")
    baseline: str = N_("Baseline")
    source: str = N_("Source")
    by_month: str = N_("All crime by month")
    by_month_caption: str = N_("All crime by month: the numbers in the chart")
    month_heading: str = N_("Month")
    all_crime: str = ALL_CRIME
    earlier_months: str = N_("Earlier months")
    messages: Messages = field(default=ENGLISH, repr=False, compare=False)

    @classmethod
    def in_language(cls, language: str = "en") -> FigureWords:
        """The words in ``language`` ("en", "cy"), from its catalog."""
        messages = catalog.messages(language)
        worded: dict[str, Any] = {f.name: messages.gettext(cast(str, f.default))
                                  for f in fields(cls) if f.name != "messages"}
        return replace(cls(), messages=messages, **worded)

    @property
    def language(self) -> str:
        return self.messages.language

    def _(self, message: str, **values) -> str:
        """A message in the language, its ``{names}`` filled in."""
        text = self.messages.gettext(message)
        return formatted(text, values) if values else text

    def number(self, n: int) -> str:
        return self.messages.number(n)

    @property
    def percent_change(self) -> str:
        """"% change" (a message without a bare "%", which gettext would read as a
        printf format)."""
        return self._("{percent} change", percent="%")

    def crime(self, name: str) -> str:
        """A police.uk crime type's name in the language; in English, marked so, where
        the catalog has no name for it (a type police.uk added since)."""
        worded = self.messages.gettext(name)
        if self.language != "en" and worded == name:
            return Fallback(name, "en")
        return worded

    def month(self, index: int) -> str:
        """"April 2025"; "Ebrill 2025"."""
        return dates.month_year(_day(index), self.language)

    def month_short(self, index: int) -> str:
        """"Apr"; "Ebr" (a bar's label under the chart)."""
        if self.language == "en":
            return calendar.month_abbr[index % 12 + 1]
        from babel.dates import format_date

        return format_date(_day(index), "LLL", locale=self.messages.locale)

    def period(self, quarter: Quarter) -> str:
        """"April to June 2025"; "Ebrill – Mehefin 2025"."""
        return self._("{first} to {last}",
                      first=dates.month_name(_day(quarter.first), self.language),
                      last=self.month(quarter.last))


FIGURE_WORDS = FigureWords()


PERIOD_FORMS = "a calendar quarter such as 2025-Q2 (April to June 2025)"


def parse_period(text: str) -> Quarter:
    """--period: 2025-Q2 (or q2), or a month, meaning the quarter it falls in."""
    text = text.strip()
    match = re.fullmatch(r"([0-9]{4})-?[Qq]([1-4])", text) or \
        re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", text)
    if match is None:
        raise BadOption("--period", f"{shown(text)} is not {PERIOD_FORMS}")
    if (wrong := year_problem(int(match.group(1)))) is not None:
        raise BadOption("--period", wrong)
    if "q" in text.lower():
        return Quarter(int(match.group(1)), int(match.group(2)))
    return Quarter.of(month_index(text))


# ---------------------------------------------------------------- words and numbers

def number_text(value: int | Decimal | float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP):,}"


def signed(value: int | Decimal) -> str:
    """+12, −5 (a true minus sign), 0."""
    if value > 0:
        return f"+{number_text(value)}"
    if value < 0:
        return f"−{number_text(-value)}"
    return "0"


@dataclass(frozen=True)
class Direction:
    """Which way a figure moved and whether that is good news, as a shape and words."""

    kind: str  # "up", "down", "same" or "none" (nothing to compare with)
    text: str  # "Down 12% (better)"

    @property
    def glyph(self) -> str:
        return GLYPHS[self.kind]

    @property
    def words(self) -> str:
        """Shape and words together, for plain text: "▼ Down 12% (better)"."""
        return f"{self.glyph} {self.text}" if self.glyph else self.text


#: The share of a change too small to print as a whole percent
LESS_THAN_1 = "less than 1%"


def percent(now: Decimal | int, before: Decimal | int) -> str | None:
    """The change as a percentage of ``before``, worded: "12%", "less than 1%"
    (:data:`LESS_THAN_1`, which a language words with its direction)."""
    if before == 0:
        return None
    share = abs(Decimal(now - before) * 100 / Decimal(before))
    rounded = share.quantize(Decimal(1), ROUND_HALF_UP)
    return LESS_THAN_1 if rounded == 0 else f"{rounded:,}%"


def direction(now: Decimal | int | None, before: Decimal | int | None, better: str = "lower",
              words: FigureWords = FIGURE_WORDS, points: bool = False) -> Direction:
    """"▼ Down 12% (better)": up or down, by how much, and good or bad by ``better``;
    with ``points`` (a figure that is itself a percentage) by how many points: "▼ Down
    3.2 points (better)", the difference of the figures as printed, never a percentage
    of a percentage."""
    if now is None or before is None:
        return Direction("none", words._("No comparison"))
    if now == before:
        return Direction("same", words._("No change"))
    kind = "up" if now > before else "down"
    good = (kind == "down") == (better == "lower")
    verdict = words._("better") if good else words._("worse")
    if points:
        def shown(value: Decimal | int) -> Decimal:  # as the table prints it
            return Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
        moved = number_text(abs(shown(now) - shown(before)))
        return Direction(kind, words._("Up {points} points ({verdict})", points=moved,
                                       verdict=verdict) if kind == "up" else
                         words._("Down {points} points ({verdict})", points=moved,
                                 verdict=verdict))
    share = percent(now, before)
    if share is None:
        return Direction(kind, words._("Up from none ({verdict})", verdict=verdict))
    if share == LESS_THAN_1:
        return Direction(kind, words._("Up less than 1% ({verdict})", verdict=verdict)
                         if kind == "up" else
                         words._("Down less than 1% ({verdict})", verdict=verdict))
    return Direction(kind, words._("Up {share} ({verdict})", share=share, verdict=verdict)
                     if kind == "up" else
                     words._("Down {share} ({verdict})", share=share, verdict=verdict))


# ---------------------------------------------------------------- the crime table

@dataclass(frozen=True)
class CrimeRow:
    """One line of the quarter's table: a crime type, all crime, or ASB."""

    name: str
    kind: str  # "type", "total" (all crime) or "asb"
    count: int
    last_year: int | None  # the same quarter a year before; None: not imported
    rolling: int | None  # the last twelve months; None: not all imported
    rolling_before: int | None  # the twelve months before those
    rate: str | None  # per 1,000 residents over the last twelve months, "45.2"
    direction: Direction  # this quarter against the same quarter last year
    #: the crime type's name as printed (in the edition's language); ``name`` is
    #: police.uk's, as figures/crime.csv and the JSON have it
    label: str = ""
    words: FigureWords = field(default=FIGURE_WORDS, repr=False, compare=False)

    @property
    def change(self) -> int | None:
        return None if self.last_year is None else self.count - self.last_year

    @property
    def change_text(self) -> str:
        return "–" if self.change is None else signed(self.change)

    @property
    def percent_text(self) -> str:
        if self.last_year is None:
            return "–"
        if self.change == 0:
            return "0%"
        share = percent(self.count, self.last_year)
        if share is None:
            return self.words._("new")
        if share == LESS_THAN_1:  # said with its direction
            return self.words._("up less than 1%") if (self.change or 0) > 0 else \
                self.words._("down less than 1%")
        return ("+" if (self.change or 0) > 0 else "−") + share

    COLUMNS = (("crime_type", "Crime type"), ("count", "Quarter"),
               ("last_year", "Same quarter last year"), ("change", "Change"),
               ("percent", "% change"), ("direction", "Direction"),
               ("last_12_months", "Last 12 months"), ("previous_12_months", "12 months before"),
               ("rate", "Rate per 1,000"))

    def cells(self) -> dict[str, str]:
        return {"crime_type": self.name, "count": number_text(self.count),
                "last_year": number_text(self.last_year), "change": self.change_text,
                "percent": self.percent_text, "direction": self.direction.words,
                "last_12_months": number_text(self.rolling),
                "previous_12_months": number_text(self.rolling_before),
                "rate": self.rate or "–"}

    def as_dict(self) -> dict:
        return {"crime_type": self.name, "kind": self.kind, "count": self.count,
                "same_quarter_last_year": self.last_year, "change": self.change,
                "percent_change": self.percent_text if self.last_year is not None else None,
                "direction": self.direction.text, "direction_kind": self.direction.kind,
                "last_12_months": self.rolling, "previous_12_months": self.rolling_before,
                "rate_per_1000": self.rate}


@dataclass(frozen=True)
class PlainRow:
    """A crime row for CSV: plain numbers (empty where there is no figure), for Excel."""

    row: CrimeRow
    COLUMNS = (("crime_type", "crime_type"), ("count", "count"),
               ("same_quarter_last_year", "same_quarter_last_year"), ("change", "change"),
               ("percent_change", "percent_change"), ("direction", "direction"),
               ("last_12_months", "last_12_months"),
               ("previous_12_months", "previous_12_months"), ("rate_per_1000", "rate_per_1000"))

    def cells(self) -> dict[str, str]:
        row = self.row
        share = None
        if row.last_year:
            share = (Decimal(row.count - row.last_year) * 100 / row.last_year).quantize(
                Decimal("0.1"), ROUND_HALF_UP)
        values = {"crime_type": row.name, "count": row.count,
                  "same_quarter_last_year": row.last_year, "change": row.change,
                  "percent_change": share, "direction": row.direction.text,
                  "last_12_months": row.rolling, "previous_12_months": row.rolling_before,
                  "rate_per_1000": row.rate}
        return {key: "" if value is None else str(value) for key, value in values.items()}

    def as_dict(self) -> dict:
        return self.row.as_dict()


# ---------------------------------------------------------------- indicators

@dataclass(frozen=True)
class IndicatorRow:
    name: str
    unit: str  # "count", "rate", "%"
    value: str  # this quarter's figure, worded ("41", "12.5%"), or "–"
    last_year: str
    direction: Direction
    target: str  # "120 or fewer", "No target"
    status: str  # "Target met", "Target not met", "No target", "No figure"
    baseline: str
    source: str
    note: str | None = None  # "Average of the quarter's three months"
    #: how it stands against its target: "met", "missed" or "none" (``status`` words it)
    verdict: str = "none"

    def cells(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "last_year": self.last_year,
                "direction": self.direction.words, "target": self.target,
                "status": self.status}

    def as_dict(self) -> dict:
        return {"name": self.name, "unit": self.unit, "value": self.value,
                "same_quarter_last_year": self.last_year,
                "direction": self.direction.text, "target": self.target,
                "status": self.status, "baseline": self.baseline, "source": self.source}

    @property
    def status_kind(self) -> str:
        return self.verdict


def _unit(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    return number_text(value) + ("%" if unit == "%" else "")


def indicator_value(indicator: Indicator, quarter: Quarter, words: FigureWords = FIGURE_WORDS
                    ) -> tuple[Decimal | None, str | None]:
    """The indicator's figure for the quarter, and how it was made from months."""
    if indicator.by_quarter:
        return indicator.values.get(quarter.key), None
    months = [v for m in quarter.months if (v := indicator.values.get(month_key(m))) is not None]
    if len(months) < len(quarter.months):
        return None, None
    if indicator.unit == "count":
        return sum(months, Decimal(0)), words._("Sum of the quarter's three months")
    return sum(months, Decimal(0)) / 3, words._("Average of the quarter's three months")


def indicator_row(indicator: Indicator, quarter: Quarter, words: FigureWords = FIGURE_WORDS,
                  main: str = "en") -> IndicatorRow:
    """The indicator's line for the quarter; its name and source (figures/indicators.yaml's,
    in the plan's ``main`` language) marked so in an edition of another language."""
    now, how = indicator_value(indicator, quarter, words)
    before, _ = indicator_value(indicator, quarter.back(4))
    unit = indicator.unit
    verdict = "none"
    if indicator.target is None:
        target = status = words._("No target")
    else:
        limit = _unit(indicator.target, unit)
        lower = indicator.better == "lower"
        if unit == "count":
            target = words._("{value} or fewer", value=limit) if lower else \
                words._("{value} or more", value=limit)
        else:
            target = words._("{value} or lower", value=limit) if lower else \
                words._("{value} or higher", value=limit)
        if now is None:
            status = words._("No figure")
        elif (now <= indicator.target) if lower else (now >= indicator.target):
            status, verdict = words._("Target met"), "met"
        else:
            status, verdict = words._("Target not met"), "missed"
    note = how
    if now is None:
        note = words._("No figure for {quarter}", quarter=words.period(quarter))

    def own(text: str) -> str:
        return Fallback(text, main) if text and words.language != main else text

    return IndicatorRow(own(indicator.name), unit, _unit(now, unit), _unit(before, unit),
                        direction(now, before, indicator.better, words, points=unit == "%"),
                        target, status,
                        _unit(indicator.baseline, unit), own(indicator.source), note,
                        verdict)


# ---------------------------------------------------------------- the chart

WIDTH, HEIGHT = 720, 262
LEFT, RIGHT, TOP, PLOT_HEIGHT = 52, 14, 34, 180
PERIOD_FILL, OTHER_FILL = "#12436D", "#6BACE6"  # dark blue, light blue (progress.py's)


@dataclass(frozen=True)
class MonthBar:
    month: str  # "2025-04"
    name: str  # "April 2025"
    count: int | None  # None: not imported
    x: float
    width: float
    y: float
    height: float
    fill: str
    label: str | None  # under the bar: "Jan" at each quarter's start
    year: str | None  # under the label: "2025" at January and at the first bar

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class CrimeChart:
    width: int
    height: int
    left: float
    right: float
    baseline: float
    bars: list[MonthBar]
    ticks: list[Tick]
    title: str
    description: str
    key_period: str  # "April to June 2025, the quarter reported"
    key_other: str


def _step(top: int) -> int:
    for power in range(0, 9):
        for base in (1, 2, 5):
            step = base * 10 ** power
            if math.ceil(top / step) <= 5:
                return step
    return 10 ** 9


def chart(months: list[tuple[int, int | None]], quarter: Quarter,
          words: FigureWords = FIGURE_WORDS) -> CrimeChart:
    """Bars of all crime by month (oldest first); the quarter reported in dark blue."""
    largest = max((n or 0 for _, n in months), default=0) or 1
    step = _step(largest)
    top = step * math.ceil(largest / step)
    unit = PLOT_HEIGHT / top
    base = TOP + PLOT_HEIGHT
    slot = (WIDTH - LEFT - RIGHT) / len(months)
    width = round(slot * 0.7, 2)
    bars = []
    year_shown = False
    for index, (month, n) in enumerate(months):
        x = LEFT + index * slot + (slot - width) / 2
        height = (n or 0) * unit
        period = month in quarter.months
        label = words.month_short(month) if month % 3 == 0 else None
        year = None
        if label and (month % 12 == 0 or not year_shown):  # each January, and the first
            year, year_shown = str(month // 12), True
        bars.append(MonthBar(month_key(month), words.month(month), n, round(x, 2), width,
                             round(base - height, 2), round(height, 2),
                             PERIOD_FILL if period else OTHER_FILL, label, year))
    ticks = [Tick(v, round(base - v * unit, 2)) for v in range(0, top + 1, step)]
    known = [(m, n) for m, n in months if n is not None]
    first, last = months[0][0], months[-1][0]
    low = min(known, key=lambda p: p[1])
    high = max(known, key=lambda p: p[1])
    missing = [m for m, n in months if n is None]
    sentences = [
        words._("Bar chart of all crime recorded in each month, from {first} to {last}.",
                first=words.month(first), last=words.month(last)),
        words._("The lowest month was {low} ({low_count}) and the highest {high} "
                "({high_count}).", low=words.month(low[0]), low_count=words.number(low[1]),
                high=words.month(high[0]), high_count=words.number(high[1])),
        words._("The three months of {quarter}, the quarter reported, are in dark blue.",
                quarter=words.period(quarter))]
    if missing:
        sentences.append(words._(
            "No figures were imported for {count} of the months ({months}); they have no "
            "bar.", count=words.number(len(missing)),
            months=", ".join(words.month(m) for m in missing[:6])
            + (", …" if len(missing) > 6 else "")))
    sentences.append(words._("The numbers for every month are in the table that follows."))
    return CrimeChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, base, bars, ticks,
                      words._("All crime by month, {first} to {last}",
                              first=words.month(first), last=words.month(last)),
                      " ".join(sentences),
                      words._("{quarter} (the quarter reported)",
                              quarter=words.period(quarter)),
                      words.earlier_months)


# ---------------------------------------------------------------- the section

@dataclass
class FiguresView:
    """The "Crime and disorder" section, and the table `psa-report figures` prints."""

    heading: str
    area: str | None
    quarter: Quarter | None
    intro: list[str]  # sentences before the table
    rows: list[CrimeRow]
    notes: list[str]  # after the table: too little history, rates, sources
    indicators: list[IndicatorRow] = field(default_factory=list)
    indicator_intro: str | None = None
    indicator_period: str | None = None  # the quarter the indicators are shown for
    chart: CrimeChart | None = None
    chart_note: str | None = None  # why there is no chart
    months: list[tuple[str, str]] = field(default_factory=list)  # (month, count) as shown
    has_rates: bool = False
    caption: str = ""
    #: the section's words (its headings and the tables' headers), in its language
    words: FigureWords = field(default=FIGURE_WORDS, repr=False, compare=False)

    @property
    def period(self) -> str | None:
        return self.words.period(self.quarter) if self.quarter else None

    @property
    def plain_rows(self) -> list[PlainRow]:
        return [PlainRow(row) for row in self.rows]

    #: the table `psa-report figures` prints, and its plain CSV: (attribute, heading)
    columns = CrimeRow.COLUMNS
    plain_columns = PlainRow.COLUMNS

    def as_dict(self) -> dict:
        return {"area": self.area, "period": self.quarter.key if self.quarter else None,
                "period_name": self.period, "crime": [r.as_dict() for r in self.rows],
                "indicators": [i.as_dict() for i in self.indicators],
                "notes": self.intro + self.notes}


def latest_quarter(present: set[int]) -> Quarter | None:
    """The latest calendar quarter whose three months are all imported."""
    for month in sorted(present, reverse=True):
        quarter = Quarter.of(month)
        if all(m in present for m in quarter.months):
            return quarter
    return None


def _sum(totals: dict[int, int], months: range | list[int]) -> int | None:
    months = list(months)
    if not all(m in totals for m in months):
        return None
    return sum(totals[m] for m in months)


def figures_view(counts: Counts, indicators: list[Indicator], *, area: str | None,
                 population: int | None, period: Quarter | None = None,
                 words: FigureWords = FIGURE_WORDS, main: str = "en") -> FiguresView:
    """The section from crime.csv's counts and the indicators, for ``period`` (or the
    latest complete quarter), in the language of ``words`` (``main``: the plan's main
    language, which the indicators' names are written in)."""
    by_month: dict[int, dict[str, int]] = {}
    for (month, kind), n in counts.items():
        by_month.setdefault(month_index(month), {})[kind] = n
    present = set(by_month)
    quarter: Quarter | None
    if period is not None:
        missing = [m for m in period.months if m not in present]
        if missing:
            raise BadOption("--period", f"the police.uk figures for {period.label} are not "
                            f"all imported ({', '.join(month_name(m) for m in missing)} "
                            "missing): import them with `psa-report figures import`, or "
                            "choose another quarter")
        quarter = period
    else:
        quarter = latest_quarter(present)
    if quarter is None:
        note = (words._("No complete quarter of police.uk figures has been imported yet, so "
                        "the quarter's table is not shown: import the street-level files of "
                        "three months of one quarter with `psa-report figures import`.")
                if counts else words._("No police.uk figures have been imported yet "
                                       "(figures/crime.csv): import them with `psa-report "
                                       "figures import`."))
        view = FiguresView(words.heading, area, None, [], [], [note], words=words)
        _indicators(view, indicators, None, main)
        return view

    def total(months, kinds=None) -> dict[int, int]:
        out = {}
        for m in months:
            if m in by_month:
                out[m] = sum(n for k, n in by_month[m].items()
                             if (kinds is None and k != ASB) or (kinds and k in kinds))
        return out

    end = quarter.last
    window = range(end - 23, end + 1)
    kinds = sorted({k for m in window if m in by_month for k in by_month[m]} - {ASB})
    last_year = quarter.back(4)
    rows = []
    lines: list[tuple[str, str, set[str] | None]] = [(name, "type", {name}) for name in kinds]
    lines.append((ALL_CRIME, "total", None))
    if any(ASB in by_month.get(m, {}) for m in window):
        lines.append((ASB, "asb", {ASB}))
    for name, kind, selected in lines:
        totals = total(window, selected)
        # A month imported with no row of this type had none of it.
        totals = {m: totals.get(m, 0) for m in window if m in by_month}
        now = _sum(totals, quarter.months) or 0
        before = _sum(totals, last_year.months)
        rolling = _sum(totals, range(end - 11, end + 1))
        rolling_before = _sum(totals, range(end - 23, end - 11))
        rate = None
        if population and rolling is not None:
            rate = f"{Decimal(rolling * 1000) / population:.1f}"
        rows.append(CrimeRow(name, kind, now, before, rolling, rolling_before, rate,
                             direction(now, before, words=words), words.crime(name), words))
    named = words.period(quarter)
    if area:
        intro = [words._("Crime and anti-social behaviour recorded by the police in {area} in "
                         "{quarter}, from police.uk's street-level data, against the same "
                         "quarter a year before and over the last twelve months.",
                         area=area, quarter=named)]
    else:
        intro = [words._("Crime and anti-social behaviour recorded by the police in "
                         "{quarter}, from police.uk's street-level data, against the same "
                         "quarter a year before and over the last twelve months.",
                         quarter=named)]
    notes = []
    if any(m not in present for m in last_year.months):
        notes.append(words._("There is no comparison with the same quarter last year: the "
                             "police.uk figures for {quarter} have not been imported.",
                             quarter=words.period(last_year)))
    if any(m not in present for m in range(end - 11, end + 1)):
        notes.append(words._("The last twelve months are not shown: not every month from "
                             "{first} to {last} has been imported.",
                             first=words.month(end - 11), last=words.month(end)))
    elif any(m not in present for m in range(end - 23, end - 11)):
        notes.append(words._("The twelve months before are not shown: not every month from "
                             "{first} to {last} has been imported.",
                             first=words.month(end - 23), last=words.month(end - 12)))
    if population:
        notes.append(words._("Rates are per 1,000 residents over the last twelve months, for "
                             "a population of {population}.",
                             population=words.number(population)))
    else:
        notes.append(words._("Rates per 1,000 residents are shown once the area's population "
                             "is given in actions/report.yaml (population:)."))
    notes.append(words._("All crime leaves out anti-social behaviour, which police.uk records "
                         "as incidents, not crimes. Direction compares the quarter with the "
                         "same quarter last year; for crime, down is better. Crimes with no "
                         "location are not in any area's figures."))
    caption = (words._("Crime and anti-social behaviour in {area}, {quarter}", area=area,
                       quarter=named) if area else
               words._("Crime and anti-social behaviour, {quarter}", quarter=named))
    view = FiguresView(words.heading, area, quarter, intro, rows, notes,
                       has_rates=bool(population), caption=caption, words=words)
    all_crime = total(window)
    series = [(m, all_crime.get(m)) for m in window]
    shown = [p for p in series if p[1] is not None]
    view.months = [(words.month(m), number_text(n)) for m, n in series]
    if len(shown) >= 2:
        # Months before the first imported are left off the chart, not drawn as gaps.
        start = next(i for i, (_, n) in enumerate(series) if n is not None)
        view.chart = chart(series[start:], quarter, words)
        view.months = view.months[start:]
    else:
        view.chart_note = words._("The chart of all crime by month starts once two months "
                                  "are imported.")
    _indicators(view, indicators, quarter, main)
    return view


def _indicators(view: FiguresView, indicators: list[Indicator], quarter: Quarter | None,
                main: str = "en") -> None:
    words = view.words
    if not indicators:
        return
    if quarter is None:
        # With no police.uk quarter, the latest quarter any indicator has a figure for.
        found = []
        for indicator in indicators:
            for key in indicator.values:
                found.append(Quarter(int(key[:4]), int(key[-1])) if "Q" in key
                             else Quarter.of(month_index(key)))
        if not found:
            view.indicator_intro = words._("No indicator has a figure yet.")
            view.indicators = []
            return
        quarter = max(found)
    view.indicators = [indicator_row(i, quarter, words, main) for i in indicators]
    view.indicator_period = words.period(quarter)
    view.indicator_intro = words._("The partnership's own indicators for {quarter}, against "
                                   "their targets and the same quarter last year. Whether a "
                                   "change is better or worse follows each indicator's own "
                                   "direction.", quarter=words.period(quarter))


def load_figures(root: Path) -> tuple[Counts, list[Indicator]]:
    """figures/crime.csv and figures/indicators.yaml, validated together (every problem
    of both at once). Raises Invalid."""
    problems = []
    counts, indicators = {}, []
    try:
        counts = read_crime(root)
    except Invalid as invalid:
        problems += invalid.problems
    try:
        indicators = load_indicators(root)
    except Invalid as invalid:
        problems += invalid.problems
    if problems:
        raise Invalid(problems)
    return counts, indicators


def plan_figures(root: Path, area: str | None, population: int | None,
                 period: str | Quarter | None = None, language: str = "en",
                 main: str = "en") -> FiguresView | None:
    """The section for the project at ``root``, in ``language`` (the edition's; ``main``
    the plan's); None when it has no figures/ folder (the report is then exactly as
    without this feature)."""
    if not (Path(root) / FIGURES).is_dir():
        if period is not None:
            raise BadOption("--period", "there are no figures in this project (no figures/ "
                            "folder): import police.uk files with `psa-report figures import`")
        return None
    counts, indicators = load_figures(root)
    quarter = parse_period(period) if isinstance(period, str) else period
    return figures_view(counts, indicators, area=area, population=population, period=quarter,
                        words=FigureWords.in_language(language), main=main)


# ---------------------------------------------------------------- an item's indicator

def check_indicator_names(project, indicators: list[Indicator] | None) -> None:
    """Every ``indicator:`` an action names must be in figures/indicators.yaml (None:
    there is no figures/ folder). Raises Invalid, at the item's line."""
    names = {i.name.lower(): i.name for i in indicators or []}
    problems = []
    for item in project.items:
        if item.indicator is None or item.indicator.lower() in names:
            continue
        file, line, column = project.where(item.ref, "indicator")
        if indicators is None:
            message = (f"indicator: {item.indicator!r} names an indicator, but this project "
                       "has no figures/indicators.yaml: add the indicator there, or remove "
                       "this line")
        else:
            known = ", ".join(repr(n) for n in names.values()) or "none yet"
            message = (f"indicator: {item.indicator!r} is not an indicator in "
                       f"figures/indicators.yaml (its names are: {known}): use one of them, "
                       "as written there")
        problems.append(Problem(file, line, column, message))
    if problems:
        raise Invalid(problems)


def link_indicators(planned, project) -> None:
    """Each row whose item names an indicator gets that indicator's figure, worded as in
    the section's table: "Assaults seen at A&E: 114 in October to December 2023; ▼ Down
    16% (better); Target met"."""
    view = planned.figures
    by_name = {i.name.lower(): i for i in (view.indicators if view else [])}
    items: dict = {}
    for each in project.items:  # as project.find, the first of a ref, without a search a row
        items.setdefault(each.ref, each)
    for row in planned.rows:
        item = items.get(row.ref)
        name = getattr(item, "indicator", None)
        found = by_name.get(name.lower()) if name else None
        if found is None:
            continue
        words = view.words
        if found.value == "–":
            note = found.note or words._("no figure")
            row.figure = joined([found.name, ": ", note])
            continue
        parts = [words._("{indicator}: {value} in {quarter}", indicator=found.name,
                         value=found.value, quarter=view.indicator_period)]
        if found.direction.kind != "none":
            parts.append(found.direction.words)
        if found.status_kind != "none":
            parts.append(found.status)
        row.figure = joined(parts, "; ")
