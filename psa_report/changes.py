"""What moved between two versions of the plan, item by item and field by field.

Items are matched by ref, so a file that was renamed or moved into a sub-folder
is the same item.  This module compares validated projects; reading an old
revision from git is history.py's job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from . import fieldtypes
from .project import Project, Source
from .shape import Item, Kind, natural_key, written_text
from .wording import WORDS, Words


def compared(kind: Kind) -> list[tuple[str, str, bool]]:
    """(name, label, is running text) of the fields of a kind that are compared, in the
    order they are reported: the status, the deadline and the leads, then the rest."""
    first = [f for f in (kind.status_field, kind.due_field, kind.lead_field) if f]
    rest = [f for f in kind.fields if f not in first]
    return [(f.name, f.label, fieldtypes.get(f.type).running_text) for f in first + rest]


def field_value(item, name: str) -> str | None:
    """A field's value as it is written in the item's file (a status by its name, a
    deadline as 2010-09, leads joined by commas)."""
    definition = item.kind.field(name)
    value = item.get(name)
    if value is None or definition is None:
        return None
    return written_text(definition, value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None
    label: str = ""  # as the report names it: "Data gap", "Progress update"
    text: bool = False  # running text (said to be revised, not quoted)
    #: the language it is said in (a report's edition's words, :func:`psa_report.plan.
    #: said_changes`, with ``label``, ``old`` and ``new`` in it); English by default
    wording: Words = dataclasses.field(default=WORDS, repr=False, compare=False)

    @property
    def is_text(self) -> bool:
        return self.text

    @property
    def summary(self) -> str:
        """One line: "Status: at risk → on track", "Update text changed"."""
        return self.wording.field_changed(self.label or self.field, self.old, self.new,
                                          self.is_text)

    @property
    def words(self) -> str:
        """As the report says it: "Status: at risk → on track", "Update revised"."""
        return self.wording.field_changed(self.label or self.field, self.old, self.new,
                                          self.is_text, note=True)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


#: What ``init --from`` adds to a column's label for the text field beside it that keeps
#: the cells its type cannot read: "Due (as written)" holds a deadline typed "TBC".
AS_WRITTEN = " (as written)"


def as_written_cleared(item: Item, changes: list[FieldChange]) -> list[FieldChange]:
    """``changes`` to an item, and, where they give its deadline a value, the removal of
    the deadline's words as the tracker wrote them (its ``Due (as written)`` field, see
    :data:`AS_WRITTEN`): once a real deadline is set, "TBC" beside it would mislead."""
    due = item.kind.due_field
    if due is None or not any(c.field == due.name and c.new for c in changes):
        return changes
    found = next((f for f in item.kind.fields if f.label == due.label + AS_WRITTEN
                  and fieldtypes.get(f.type).running_text and not f.required), None)
    if found is None or any(c.field == found.name for c in changes):
        return changes
    old = field_value(item, found.name)
    return changes if old is None else [*changes, FieldChange(
        found.name, old, None, found.label, fieldtypes.get(found.type).running_text)]


@dataclass(frozen=True)
class Change:
    ref: str
    kind: str  # the item's kind: "data gap" (a report's: in its edition's language)
    change: str  # "added", "removed" or "changed" (a report's: as its edition says it)
    fields: tuple[FieldChange, ...] = ()
    path: str | None = None  # the file now (None when removed)
    old_path: str | None = None  # the file then (None when added)
    #: the language it is said in (a report's, with ``kind`` and ``change`` in it)
    wording: Words = dataclasses.field(default=WORDS, repr=False, compare=False)

    @property
    def moved(self) -> bool:
        return self.path is not None and self.old_path is not None and self.path != self.old_path

    @property
    def summaries(self) -> list[str]:
        lines = [f.summary for f in self.fields]
        if self.moved:
            lines.append(self.wording.file_moved(str(self.old_path), str(self.path)))
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "kind": self.kind, "change": self.change,
                "fields": [f.as_dict() for f in self.fields], "path": self.path,
                "old_path": self.old_path}


def compare(old: Project, new: Project) -> list[Change]:
    """Every item added, removed or changed from ``old`` to ``new``, in ref order."""
    before = {item.ref: item for item in old.items}
    after = {item.ref: item for item in new.items}
    changes = []
    for ref in sorted(before.keys() | after.keys(), key=natural_key):
        then, now = before.get(ref), after.get(ref)
        path, old_path = _path(new.sources.get(ref)), _path(old.sources.get(ref))
        if then is None:
            changes.append(Change(ref, after[ref].kind.name, "added", path=path))
        elif now is None:
            changes.append(Change(ref, before[ref].kind.name, "removed", old_path=old_path))
        else:
            fields = tuple(FieldChange(name, a, b, label, text)
                           for name, label, text in compared(now.kind)
                           if (a := field_value(then, name)) != (b := field_value(now, name)))
            if fields or path != old_path:
                changes.append(Change(ref, now.kind.name, "changed", fields, path, old_path))
    return changes


def _path(source: Source | None) -> str | None:
    # Only the path: the same file at two revisions has not moved.
    return None if source is None else source.path
