"""Text bound for a spreadsheet, kept as text: never read as a formula.

A spreadsheet program reads a CSV cell, or a typed cell, that starts with
``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or carriage return) as a
formula: ``=HYPERLINK(...)`` becomes a link, ``=cmd|' /C calc'!A0`` a DDE call.
Every writer of a CSV or a workbook goes through these functions:

- :func:`csv_text` prefixes such a cell with an apostrophe (the OWASP rule for
  CSV injection), so the program shows it as the text it is;
- :func:`put` writes a workbook cell as a string cell (openpyxl's data type
  ``s``), which no spreadsheet evaluates, and turns a character a workbook
  cannot hold (a control character) into a plain :class:`Invalid`.
"""

from __future__ import annotations

import re
from typing import Any

from .problems import Invalid, Problem

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: A signed number ("-60", "+2.5"): a spreadsheet reads it as that number, not a formula.
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")


def csv_text(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet reads as a formula: "=1+1" -> "'=1+1". A
    plain signed number ("-60", a change in the crime figures) stays the number it is."""
    if value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def put(sheet, row: int, column: int, value: Any, where: str = ""):
    """Set a workbook cell; text is always a string cell, never a formula.  Return the cell."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    cell = sheet.cell(row, column)
    try:
        cell.value = value
    except IllegalCharacterError:
        bad = next(c for c in str(value) if ord(c) < 32 and c not in "\t\n\r")
        raise Invalid([Problem(where or f"{sheet.title}!{cell.coordinate}", None, None,
            f"holds a control character (U+{ord(bad):04X}) that a workbook cannot hold: "
            "remove it from the text")]) from None
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
