"""What moved between two versions of the plan, item by item and field by field.

Items are matched by ref, so a file that was renamed or moved into a sub-folder
is the same item.  This module compares validated projects; reading an old
revision from git is history.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import kind_of, ref_key
from .project import Project, Source

#: Today's fields compared, in the order they are reported.
FIELDS = ("status", "due", "lead", "gap", "recommendation", "action", "update")
TEXT_FIELDS = {"gap", "recommendation", "action", "update"}


def compared(kind) -> list[tuple[str, str, bool]]:
    """(name, label, is running text) of the fields of a kind that are compared, in the
    order they are reported: the status, the deadline and the leads, then the rest."""
    first = [f for f in (kind.status_field, kind.due_field, kind.lead_field) if f]
    rest = [f for f in kind.fields if f not in first]
    label = {"gap": "Data gap"}  # today's words ("Data gap revised")
    return [(f.name, label.get(f.name, f.label[:1].upper() + f.label[1:].lower()
                               if f.label.isupper() else f.label), f.type == "text")
            for f in first + rest]


def field_value(item, name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if hasattr(value, "done"):  # a status (today's Status, or a declared one)
        return value.value
    if isinstance(value, list):
        return ", ".join(value) or None
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None
    label: str = ""  # as the report names it: "Data gap", "Progress update"
    text: bool | None = None  # running text (said to be revised, not quoted); None: by name

    @property
    def is_text(self) -> bool:
        return self.field in TEXT_FIELDS if self.text is None else self.text

    @property
    def summary(self) -> str:
        """One line: "status: at risk → on track", "update text changed"."""
        if self.is_text and self.old and self.new:
            return f"{self.field} text changed"
        return f"{self.field}: {self.old or 'none'} → {self.new or 'none'}"

    @property
    def words(self) -> str:
        """As the report says it: "Status: at risk → on track", "Update revised"."""
        name = self.label or ("Data gap" if self.field == "gap" else self.field.capitalize())
        if self.is_text and self.old and self.new:
            return f"{name} revised"
        return f"{name}: {self.old or 'none'} → {self.new or 'none'}"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Change:
    ref: str
    kind: str  # "data gap" or "recommendation"
    change: str  # "added", "removed" or "changed"
    fields: tuple[FieldChange, ...] = ()
    path: str | None = None  # the file now (None when removed)
    old_path: str | None = None  # the file then (None when added)

    @property
    def moved(self) -> bool:
        return self.path is not None and self.old_path is not None and self.path != self.old_path

    @property
    def summaries(self) -> list[str]:
        lines = [f.summary for f in self.fields]
        if self.moved:
            lines.append(f"file moved: {self.old_path} → {self.path}")
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
    for ref in sorted(before.keys() | after.keys(), key=ref_key):
        then, now = before.get(ref), after.get(ref)
        path, old_path = _path(new.sources.get(ref)), _path(old.sources.get(ref))
        if then is None:
            changes.append(Change(ref, kind_of(now), "added", path=path))
        elif now is None:
            changes.append(Change(ref, kind_of(then), "removed", old_path=old_path))
        else:
            fields = tuple(FieldChange(name, a, b, label, text)
                           for name, label, text in compared(now.kind)
                           if (a := field_value(then, name)) != (b := field_value(now, name)))
            if fields or path != old_path:
                changes.append(Change(ref, kind_of(now), "changed", fields, path, old_path))
    return changes


def _path(source: Source | None) -> str | None:
    # Only the path: the same file at two revisions has not moved.
    return None if source is None else source.path
