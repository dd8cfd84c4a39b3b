"""One way to print records as a table, CSV, JSON or Markdown, for every command.

A record is a dataclass with ``COLUMNS`` (key, heading), ``cells()`` (the text
of each column; a list of lines continues the row below) and ``as_dict()`` (its
JSON form).  CSV headers are the keys, table and Markdown headers the headings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .sheets import csv_text

FORMATS = ("table", "csv", "json", "markdown")


class Record(Protocol):
    # COLUMNS is passed to emit() as ``columns`` (a class attribute cannot be
    # matched by a protocol: each record's tuple has its own length).

    def cells(self) -> Mapping[str, str | list[str]]: ...

    def as_dict(self) -> dict[str, Any]: ...


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def emit(records: Sequence[Record], fmt: str, *,
         columns: tuple[tuple[str, str], ...], title: str | None = None,
         empty: str | None = None, footer: str | None = None,
         json_data: Any = None) -> str:
    """The text to print for ``records`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return to_json(json_data if json_data is not None
                       else [r.as_dict() for r in records])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([csv_text(key) for key, _ in columns])
        for record in records:
            cells = record.cells()
            # Never a formula in whatever spreadsheet opens it (see sheets.csv_text); a
            # table's "-" for nothing is an empty cell (not the text "'-").
            writer.writerow([csv_text(text) if (text := _joined(cells[key], "; ")) != "-"
                             else "" for key, _ in columns])
        return buffer.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = [f"## {title}", ""] if title else []
        if records:
            lines.append("| " + " | ".join(h for _, h in columns) + " |")
            lines.append("|" + "---|" * len(columns))
            for record in records:
                cells = record.cells()
                lines.append("| " + " | ".join(
                    _joined(cells[key], "; ").replace("|", "\\|") or "-"
                    for key, _ in columns) + " |")
        else:
            lines.append(empty or "None.")
        return "\n".join(lines)
    lines = [title] if title else []
    if records or empty is None:
        rows = []
        for record in records:
            cells = record.cells()
            texts = [cell if isinstance(cell := cells[key], list) else [cell]
                     for key, _ in columns]
            depth = max(len(t) for t in texts) or 1
            rows += [[t[i] if i < len(t) else "" for t in texts] for i in range(depth)]
        lines.append(format_table([h for _, h in columns], rows))
    elif empty:
        lines.append(empty)
    if footer and (records or empty is None):
        lines.append(footer)
    return "\n".join(lines)


def _joined(value: str | list[str], separator: str) -> str:
    return separator.join(value) if isinstance(value, list) else value


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in [header, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)
