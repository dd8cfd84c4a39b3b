"""Numbers as a user types them: ASCII digits only, and not too many of them.

One parser for every figure a user writes (an indicator's figures and target, a
plan's own ``number`` fields, the counts of figures/crime.csv), so that none of
them ends in an internal error: Python's int() refuses more than 4,300 digits, and
a number with thousands of digits, or 10^20 crimes in a month, would make a chart
or a sum run for ever.  Digits that are not 0 to 9 (a superscript ², Arabic-Indic
٣) are refused plainly, not read as numbers by some readers and not by others.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Digits a figure may have in all (before and after the point): as many as a
#: floating-point number holds exactly, far more than any real figure needs.
MAX_DIGITS = 15

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class NotANumber(ValueError):
    """``message`` says plainly why the text is not a number the tool takes."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def shown(text: str, limit: int = 24) -> str:
    """The text quoted, cut short if it is long (a 5,000-digit number is not repeated)."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_decimal(text: str, max_digits: int = MAX_DIGITS) -> Decimal:
    """``text`` (already stripped of units and thousands separators) as a Decimal.

    Only ASCII digits, an optional sign and one decimal point; at most ``max_digits``
    digits.  Raises :class:`NotANumber` with a plain message."""
    if not _NUMBER.fullmatch(text):
        raise NotANumber(f"{shown(text)} is not a number: write it with the digits 0 to 9, "
                         "such as 41 or 12.5")
    digits = sum(char.isdigit() for char in text)
    if digits > max_digits:
        raise NotANumber(f"{shown(text)} has {digits:,} digits, more than any figure needs "
                         f"(at most {max_digits}): check it was typed or pasted right")
    return Decimal(text)


def parse_count(text: str, maximum: int) -> int:
    """A count: ASCII digits only, 0 to ``maximum``. Raises :class:`NotANumber`."""
    if not text.isascii() or not text.isdigit():
        raise NotANumber(f"{shown(text)} is not a whole number of 0 or more: write it with "
                         "the digits 0 to 9")
    if len(text) > len(str(maximum)) or int(text) > maximum:
        raise NotANumber(f"{shown(text)} is more than {maximum:,}, far more than any "
                         "count can be: check it was typed or pasted right")
    return int(text)
