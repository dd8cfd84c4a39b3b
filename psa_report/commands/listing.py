"""``list`` and ``show``: the items of the plan, filtered, or one in full."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .. import fieldtypes
from ..problems import BadOption
from ..project import Project
from ..shape import Item, shown_text
from ..wording import plural
from .common import agency, headings, leads_text, load
from .common import item as find_item


@dataclass(frozen=True)
class ItemRecord:
    COLUMNS: ClassVar = (("ref", "Ref"), ("kind", "Kind"), ("lead", "Lead"),
                         ("status", "Status"), ("due", "Due"))
    ref: str
    kind: str
    lead: list[str]
    status: str
    due: str | None
    file: str

    def cells(self) -> dict[str, str | list[str]]:
        return {"ref": self.ref, "kind": self.kind,
                "lead": leads_text(self.lead),
                "status": self.status, "due": self.due or ""}

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "kind": self.kind, "lead": list(self.lead),
                "status": self.status, "due": self.due, "file": self.file}


@dataclass
class Listing:
    records: list[ItemRecord]
    total: int  # items in the plan
    columns: tuple[tuple[str, str], ...]  # headed in the plan's words
    footer: str  # "5 of 15: 4 data gaps, 1 recommendation."


def _footer(project: Project, items: list[Item]) -> str:
    """How many are listed, of how many, in the plan's kinds."""
    kinds = project.shape.kinds
    if len(kinds) == 1:
        return f"{len(items):,} of {plural(len(project.items), kinds[0].name, kinds[0].plural)}."
    counts = [plural(n, kind.name, kind.plural) for kind in kinds
              if (n := sum(i.kind.name == kind.name for i in items))]
    return f"{len(items):,} of {len(project.items):,}: {', '.join(counts) or 'none'}."


def _status(project: Project, word) -> str | None:
    """--status: one of the plan's statuses (any case, or a word it also accepts), as
    the word it is counted under; BadOption naming the statuses otherwise."""
    if word is None:
        return None
    found = project.shape.find_status(word)
    if found is None:
        raise BadOption("--status", f"{word!r} is not a status of this plan: use one of "
                        f"{', '.join(s.value for s in project.statuses)}")
    return found.value


def list_items(root: Path, lead: str | None = None, status=None) -> Listing:
    project = load(root)
    lead = agency(project, lead)
    wanted = _status(project, status)
    items = [i for i in project.items if (lead is None or lead in i.lead)
             and (wanted is None or (i.status is not None and i.status.value == wanted))]
    return Listing([ItemRecord(i.ref, i.kind.name, list(i.lead),
                               i.status.value if i.status is not None else "",
                               str(i.due) if i.due else None, str(project.sources[i.ref]))
                    for i in items], len(project.items),
                   headings(project.shape, ItemRecord.COLUMNS), _footer(project, items))


def show(root: Path, ref: str) -> str:
    """One item in full, as text for the terminal."""
    project = load(root)
    return describe(project, find_item(project, ref))


def describe(project: Project, item: Item) -> str:
    """Every field of the item under its label, in the kind's order: the short ones on a
    line each, running text below its label; a field left out said to be so."""
    lines = [f"{item.ref} ({item.kind.name}): {project.sources[item.ref]}"]
    for field in item.kind.fields:
        value = item.get(field.name)
        if fieldtypes.get(field.type).is_agencies:
            text = ", ".join(f"{code} ({project.agencies.get(code, code)})"
                             for code in value or []) or "none given"
        elif value is None or value == "":
            text = "none given"
        else:
            text = shown_text(field, value)
        if fieldtypes.get(field.type).running_text and value:
            lines += ["", f"{field.label}:"]
            for paragraph in text.split("\n"):
                lines += textwrap.wrap(paragraph, 88, initial_indent="  ",
                                       subsequent_indent="  ") or [""]
        else:
            lines.append(f"{field.label}: {text}")
    return "\n".join(lines)
