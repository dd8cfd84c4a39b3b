"""``list`` and ``show``: the items of the plan, filtered, or one in full."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..models import DataGap, Recommendation, Status, kind_of
from ..project import Project
from .common import agency, load
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
        return {"ref": self.ref, "kind": self.kind, "lead": " ".join(self.lead),
                "status": self.status, "due": self.due or ""}

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "kind": self.kind, "lead": list(self.lead),
                "status": self.status, "due": self.due, "file": self.file}


@dataclass
class Listing:
    records: list[ItemRecord]
    total: int  # items in the plan

    @property
    def footer(self) -> str:
        return f"{len(self.records)} of {self.total} actions."


def list_items(root: Path, lead: str | None = None, status: Status | None = None) -> Listing:
    project = load(root)
    lead = agency(project, lead)
    items = [i for i in project.items if (lead is None or lead in i.lead)
             and (status is None or i.status is status)]
    return Listing([ItemRecord(i.ref, kind_of(i), list(i.lead), i.status.value,
                               str(i.due) if i.due else None, str(project.sources[i.ref]))
                    for i in items], len(project.items))


def show(root: Path, ref: str) -> str:
    """One item in full, as text for the terminal."""
    project = load(root)
    return describe(project, find_item(project, ref))


def describe(project: Project, item: DataGap | Recommendation) -> str:
    lines = [f"{item.ref} ({kind_of(item)}): {project.sources[item.ref]}",
             f"Status: {item.status.value}",
             "Lead: " + (", ".join(f"{code} ({project.agencies[code]})" for code in item.lead)
                         or "the whole partnership"),
             f"Due: {item.due.long if item.due else 'no deadline'}"]
    texts = (("Data gap", "gap"), ("Recommendation", "recommendation"), ("Action", "action"),
             ("Update", "update"))
    for title, name in texts:
        if getattr(item, name, None):
            lines += ["", f"{title}:", *textwrap.wrap(getattr(item, name), 88,
                                                     initial_indent="  ",
                                                     subsequent_indent="  ")]
    return "\n".join(lines)
