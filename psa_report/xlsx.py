"""The one bounded reader of .xlsx sheets: a workbook from outside read as data, within bounds.

A workbook of a few kilobytes can describe a row of 16,000 cells; openpyxl builds
every cell of a row before a column bound is looked at (4.6 GB for a 41 KB file).
So every workbook a user names (a partner's return read by ``collect``, a tracker
read by ``init --from``) is first streamed here, part by part, from the zip:

* each part's unpacked size is bounded before it is read (the zip's own sizes are
  enforced while unpacking), and the XML is parsed by defusedxml (no DTD, no entity);
* the shared strings are bounded in number and in characters;
* each sheet is walked cell by cell, and the walk stops at the first cell with a
  value beyond the bounds (its row, its column, its text's length) or past the bound
  on cells in all, with a plain :class:`Invalid` naming that cell.

Values are read as openpyxl reads them (:class:`XCell`): shared, inline and formula
strings, numbers (dates by the cell's number format and the workbook's 1904 flag),
booleans, ISO dates, errors; a formula is kept as a flag, never run. Each cell's
solid fill and number format come from the workbook's styles; merged cells and each
sheet's visibility are read too.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .problems import Invalid, Problem

#: Excel's own limit on the text of a cell.
MAX_CELL_TEXT = 32_767


@dataclass(frozen=True)
class Limits:
    """The bounds a workbook is read within."""

    rows: int  # the last row that may hold a value
    columns: int  # the last column that may hold a value
    cells: int  # <c> elements in one sheet, blank or not
    part: int = 50 * 1024 * 1024  # unpacked bytes of one part (a sheet, the strings)
    total: int = 100 * 1024 * 1024  # unpacked bytes of the whole workbook
    text: int = MAX_CELL_TEXT  # characters of one cell
    strings: int = 20_000_000  # characters of all the shared strings together
    what: str = "a workbook"  # "an update request", "a tracker": in the refusals
    beyond: str = "more than a workbook is read with"  # said of a cell past the bounds
    fix: str = "check it is the right file"


@dataclass
class XCell:
    """One cell: ``value`` as openpyxl reads it (text, int, float, bool, datetime, an
    error's text, or None); ``formula`` if the cell holds one (its value is the result
    last saved); ``fill`` its solid fill as RRGGBB; ``number_format`` its format."""

    row: int
    column: int
    value: Any
    formula: bool = False
    error: bool = False
    fill: str | None = None
    number_format: str = "General"

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def coordinate(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


@dataclass
class Sheet:
    """A worksheet of the workbook (chart sheets are not worksheets)."""

    title: str
    part: str  # its path in the zip
    state: str = "visible"  # visible, hidden or veryHidden
    #: merged cells (first row, first column, last row, last column), once read
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _Style:
    number_format: str
    fill: str | None
    date: bool
    duration: bool


class Book:
    """An opened workbook: its sheets, shared strings and styles, read within bounds."""

    def __init__(self, data: bytes, display: str, limits: Limits):
        self.display, self.limits = display, limits
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise Invalid([Problem(display, None, None,
                "cannot be read as an Excel workbook: open it in Excel or LibreOffice and "
                "save it as Excel Workbook (.xlsx), not .xls or .ods")]) from None
        if sum(info.file_size for info in infos) > limits.total:
            raise Invalid([Problem(display, None, None,
                f"the workbook unpacks to more than {limits.total // 2**20} MB, more than "
                f"{limits.what} holds: {limits.fix}")])
        self.names = {info.filename for info in infos}
        self._sizes = {info.filename: info.file_size for info in infos}
        try:
            self._open()
        except Invalid:
            raise
        except Exception as error:  # noqa: BLE001 - any fault in a file from outside
            raise broken(display, error) from None

    # ------------------------------------------------------------ parts

    def _parse(self, name: str, events=("end",)):
        """iterparse over one part, its unpacked size bounded first; no DTD, no entity."""
        from defusedxml.ElementTree import iterparse

        if name not in self.names:
            raise ValueError(f"no part {name}")
        if self._sizes[name] > self.limits.part:
            raise Invalid([Problem(self.display, None, None,
                f"a part of the workbook ({name}) unpacks to {self._sizes[name]:,} bytes, "
                f"more than {self.limits.what} holds: {self.limits.fix}")])
        return iterparse(self.archive.open(name), events=events, forbid_dtd=True)

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) for ``part``."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if rels not in self.names:
            return found
        for _, element in self._parse(rels):
            if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
                target = element.get("Target") or ""
                path = (target.lstrip("/") if target.startswith("/")
                        else posixpath.normpath(posixpath.join(folder, target)))
                found[element.get("Id") or ""] = (element.get("Type") or "", path)
        return found

    def _open(self) -> None:
        main = next((path for kind, path in self._rels("").values()
                     if kind.endswith("/officeDocument")), "xl/workbook.xml")
        rels = self._rels(main)
        self.date1904 = False
        self.sheets: list[Sheet] = []
        for _, element in self._parse(main):
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.date1904 = (element.get("date1904") or "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, path = rels.get(rid, ("", ""))
                if kind.endswith("/worksheet") and path in self.names:
                    self.sheets.append(Sheet(element.get("name") or "", path,
                                             element.get("state") or "visible"))
        by_kind = {kind.rsplit("/", 1)[-1]: path for kind, path in rels.values()}
        self.strings = self._strings(by_kind.get("sharedStrings"))
        self.styles = self._styles(by_kind.get("styles"))

    def _strings(self, part: str | None) -> list[str]:
        strings: list[str] = []
        if part is None or part not in self.names:
            return strings
        total = 0
        for _, element in self._parse(part):
            if _local(element.tag) != "si":
                continue
            text = _text(element).replace("x005F_", "")
            element.clear()
            total += len(text)
            if len(text) > self.limits.text or total > self.limits.strings:
                raise Invalid([Problem(self.display, None, None,
                    f"its shared text (the strings of its cells) is longer than "
                    f"{self.limits.what} holds: {self.limits.fix}")])
            strings.append(text)
        return strings

    def _styles(self, part: str | None) -> list[_Style]:
        from openpyxl.styles.numbers import (
            BUILTIN_FORMATS,
            is_date_format,
            is_timedelta_format,
        )

        if part is None or part not in self.names:
            return []
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        fills: list[str | None] = []
        xfs: list[tuple[int, int]] = []
        where: list[str] = []
        for event, element in self._parse(part, ("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                where.append(tag)
                continue
            where.pop()
            if tag == "numFmt" and "numFmts" in where:
                try:
                    formats[int(element.get("numFmtId") or "")] = element.get("formatCode") or ""
                except ValueError:
                    pass
            elif tag == "fill" and "fills" in where:
                fills.append(_solid(element))
                element.clear()
            elif tag == "xf" and "cellXfs" in where:
                xfs.append((_int(element.get("numFmtId")), _int(element.get("fillId"))))
                element.clear()
        styles = []
        for number, fill in xfs:
            code = formats.get(number, "General")
            styles.append(_Style(code, fills[fill] if 0 <= fill < len(fills) else None,
                                 is_date_format(code), is_timedelta_format(code)))
        return styles

    # ------------------------------------------------------------ sheets

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def rows(self, sheet: Sheet, formulas: bool = False) -> Iterator[tuple[int, list[XCell]]]:
        """(row number, its cells with a value or a fill), row by row, within the
        bounds: the first cell beyond them is refused, by sheet and cell. ``formulas``:
        a formula cell's value is its text ("=SUM(A1:A3)"), else the result last saved.
        """
        try:
            yield from self._rows(sheet, formulas)
        except Invalid:
            raise
        except Exception as error:  # noqa: BLE001 - a sheet's XML broken inside the file
            raise Invalid([Problem(self.display, None, None,
                f"a sheet cannot be read (sheet {sheet.title}, {type(error).__name__}): "
                "open the workbook in Excel or LibreOffice and save it again as .xlsx")]
                ) from None

    def _rows(self, sheet: Sheet, formulas: bool) -> Iterator[tuple[int, list[XCell]]]:
        from openpyxl.utils.datetime import (
            CALENDAR_MAC_1904,
            CALENDAR_WINDOWS_1900,
            from_excel,
            from_ISO8601,
        )

        limits, epoch = self.limits, (CALENDAR_MAC_1904 if self.date1904
                                      else CALENDAR_WINDOWS_1900)
        sheet.merged = []
        count = row_number = column = 0
        parent = row_element = None
        cells: list[XCell] = []
        for event, element in self._parse(sheet.part, ("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = element
                elif tag == "row":
                    row_element, cells, column = element, [], 0
                    row_number = _int(element.get("r"), row_number + 1)
                continue
            if tag == "c":
                count += 1
                if count > limits.cells:
                    raise Invalid([Problem(f"{self.display}: sheet {sheet.title}", None, None,
                        f"has more than {limits.cells:,} cells, more than {limits.what} "
                        f"holds: {limits.fix}")])
                ref = element.get("r")
                if ref:
                    found = _COORDINATE.match(ref)
                    if found is None:
                        raise ValueError(f"cell reference {ref!r}")
                    column = _column_number(found[1])
                    row_number = int(found[2]) if found[2] else row_number
                else:
                    column += 1
                cell = self._cell(element, row_number, column, formulas, epoch,
                                  from_excel, from_ISO8601)
                if row_element is not None:
                    row_element.remove(element)  # nothing kept of a row but its values
                element.clear()
                if cell is None:
                    continue
                if not cell.blank and (column > limits.columns or row_number > limits.rows):
                    self._beyond(sheet, cell)
                if (column <= limits.columns and row_number <= limits.rows
                        and (not cell.blank or cell.fill is not None)):
                    cells.append(cell)
            elif tag == "row":
                if cells:
                    yield row_number, cells
                cells = []
                if parent is not None:
                    parent.remove(element)
                element.clear()
                row_element = None
            elif tag == "mergeCell" and len(sheet.merged) < 10_000:
                merged = _range(element.get("ref") or "")
                if merged is not None:
                    sheet.merged.append(merged)

    def _beyond(self, sheet: Sheet, cell: XCell) -> None:
        limits = self.limits
        text = str(cell.value)
        shown = text if len(text) <= 40 else text[:37] + "..."
        if cell.column > limits.columns:
            what = (f"has more than {limits.columns} columns (cell {cell.coordinate} holds "
                    f"{shown!r}, beyond column {column_letter(limits.columns)})")
        else:
            what = (f"has more than {limits.rows:,} rows (cell {cell.coordinate} holds "
                    f"{shown!r})")
        raise Invalid([Problem(f"{self.display}: sheet {sheet.title}", None, None,
                               f"{what}, {limits.beyond}: {limits.fix}")])

    def _cell(self, element, row: int, column: int, formulas: bool, epoch,
              from_excel, from_iso) -> XCell | None:
        kind = element.get("t") or "n"
        style_id = _int(element.get("s"))
        style = self.styles[style_id] if 0 <= style_id < len(self.styles) else None
        value: Any = None
        formula_element = error = None
        raw = None
        for child in element:
            name = _local(child.tag)
            if name == "v":
                raw = child.text
            elif name == "f":
                formula_element = child
            elif name == "is" and kind == "inlineStr":
                value = _text(child)
        has_formula = formula_element is not None
        if raw is not None and len(raw) > self.limits.text:
            self._long(row, column)
        if formula_element is not None and formulas:
            value = "=" + (formula_element.text or "")
        elif raw not in (None, "") and kind != "inlineStr":
            if kind == "n":
                value = float(raw) if any(c in raw for c in ".eE") else int(raw)
                if style is not None and style.date:
                    try:
                        value = from_excel(value, epoch, timedelta=style.duration)
                    except (OverflowError, ValueError):
                        value, error = "#VALUE!", True
            elif kind == "s":
                index = int(raw)
                if not 0 <= index < len(self.strings):
                    raise ValueError(f"shared string {index}")
                value = self.strings[index]
            elif kind == "b":
                value = bool(int(raw))
            elif kind == "str":
                value = raw
            elif kind == "d":
                value = from_iso(raw)
            elif kind == "e":
                value, error = raw, True
            else:
                raise ValueError(f"cell type {kind!r}")
        if isinstance(value, str) and len(value) > self.limits.text:
            self._long(row, column)
        return XCell(row, column, value, has_formula, bool(error),
                     style.fill if style else None,
                     style.number_format if style else "General")

    def _long(self, row: int, column: int) -> None:
        raise Invalid([Problem(f"{self.display}: cell {column_letter(column)}{row}", None, None,
            f"holds more than {self.limits.text:,} characters, more than a cell of "
            f"{self.limits.what} holds: {self.limits.fix}")])

    def close(self) -> None:
        self.archive.close()


def broken(display: str, error: Exception) -> Invalid:
    return Invalid([Problem(display, None, None,
        f"cannot be read as an Excel workbook ({type(error).__name__}): open it in Excel "
        "or LibreOffice and save it again as .xlsx")])


def check(data: bytes, display: str, limits: Limits) -> None:
    """Refuse a workbook with any sheet beyond ``limits``, streaming every sheet once (the
    cheap check run before the workbook is given to openpyxl)."""
    book = Book(data, display, limits)
    try:
        for sheet in book.sheets:
            for _ in book.rows(sheet):
                pass
    finally:
        book.close()


# ---------------------------------------------------------------- helpers

_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d*)\Z")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _text(element) -> str:
    """The text of a string item (<si> or <is>): its <t>, or its runs' <t>; no phonetics."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [g.text or "" for g in child if _local(g.tag) == "t"]
    return "".join(parts)


def _solid(fill) -> str | None:
    """A <fill>'s solid colour as RRGGBB (theme and indexed colours are not resolved)."""
    pattern = next((c for c in fill if _local(c.tag) == "patternFill"), None)
    if pattern is None or pattern.get("patternType") != "solid":
        return None
    colour = next((c for c in pattern if _local(c.tag) == "fgColor"), None)
    rgb = colour.get("rgb") if colour is not None else None
    if isinstance(rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}", rgb):
        rgb = rgb[-6:].upper()
        return None if rgb == "FFFFFF" else rgb
    return None


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def column_letter(column: int) -> str:
    """Column 1 -> A, 28 -> AB."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """"B2:D4" -> (2, 2, 4, 4), as (first row, first column, last row, last column)."""
    ends = ref.split(":")
    found = [m for end in ends if (m := _COORDINATE.match(end))]
    if len(ends) not in (1, 2) or len(found) != len(ends) or not all(m[2] for m in found):
        return None
    first, last = found[0], found[-1]
    return (int(first[2]), _column_number(first[1]), int(last[2]), _column_number(last[1]))
