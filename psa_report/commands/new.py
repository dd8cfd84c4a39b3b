"""``new`` and ``import``: add items to the plan as new files, never overwriting one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..models import REC_PATTERN, REF_PATTERN, parse_status, ref_too_long
from ..problems import BadOption
from ..scaffold import (
    ImportedRow,
    import_shaped,
    import_table,
    next_ref,
    shaped_skeleton,
    skeleton,
    write_new,
)
from ..shape import default_words
from .common import load


@dataclass
class NewItem:
    path: str  # relative to the project: actions/data-gaps/4.2.4.yaml
    ref: str
    chosen: str | None  # why this ref, when psa-report chose it


def new(root: Path, kind: str, ref: str | None = None, section: str | None = None) -> NewItem:
    """Write a commented skeleton for a new data gap or recommendation (or an item of a
    kind declared in actions/plan.yaml)."""
    project = load(root)
    if project.kind_items and not default_words(project.shape):
        return _new_of_kind(root, project, kind, ref, section)
    if kind not in ("data-gap", "recommendation"):
        raise BadOption("KIND", f"{kind!r} is not a kind of item: use data-gap or "
                        "recommendation")
    pattern = REF_PATTERN if kind == "data-gap" else REC_PATTERN
    if section is not None and not re.fullmatch(r"\d+\.\d+", section):
        raise BadOption("--section", f"{section!r} is not a section: write it like 4.2")
    chosen = None
    if ref is None:
        ref = next_ref(project, kind, section)
        if kind == "recommendation":
            chosen = "the next free recommendation number"
        else:
            chosen = (f"the next free ref in section {section}" if section else
                      "the next free ref in the last section (--section N.N for another)")
    elif kind == "recommendation":
        ref = ref.upper()
    if ref_too_long(ref):
        raise BadOption("REF", ref_too_long(ref))
    if not re.fullmatch(pattern, ref):
        example = "3.2.6" if kind == "data-gap" else "R6"
        raise BadOption("REF", f"{ref!r} is not a {kind} ref: write it like {example}")
    if ref in project.sources:
        raise BadOption("REF", f"{ref} is already used by {project.sources[ref]}")
    path, text = skeleton(project, kind, ref)
    write_new(root, path, text)
    return NewItem(path, ref, chosen)


def _new_of_kind(root: Path, project, name: str, ref: str | None,
                 section: str | None) -> NewItem:
    """``new`` for a plan of its own shape: the kind by its name (any case, its plural
    or its folder), the ref in its declared form."""
    kind = project.shape.kind(name)
    if kind is None:
        raise BadOption("KIND", f"{name!r} is not a kind of item of this plan: use "
                        f"{' or '.join(k.name.replace(' ', '-') for k in project.shape.kinds)}")
    existing = [item.ref for item in project.kind_items.get(kind.name, [])]
    chosen = None
    try:
        if ref is None:
            ref = kind.ref.next_ref(existing, section)
            chosen = (f"the next free ref in section {section}" if section else
                      f"the next free {kind.name} ref")
        elif kind.ref.style != "none":
            ref = kind.ref.parse(ref)
    except ValueError as error:
        # REF when it was given (and read), else the --section the next ref was sought in.
        raise BadOption("REF" if ref is not None else "--section", str(error)) from None
    if ref in existing:
        raise BadOption("REF", f"{ref} is already used by {project.sources[ref]}")
    path, text = shaped_skeleton(project, kind, ref)
    write_new(root, path, text)
    return NewItem(path, ref, chosen)


def import_rows(root: Path, table: Path, status: str | None = None) -> list[ImportedRow]:
    """Write one data-gap file per row of ``table``; all rows valid, or nothing written."""
    project = load(root)
    shaped = project.kind_items and not default_words(project.shape)
    if status is not None:  # one of the plan's statuses, as it is written
        try:
            status = (project.shape.status(status).name if shaped
                      else parse_status(status).value)
        except ValueError as error:
            raise BadOption("--status", str(error)) from None
    rows = (import_shaped if shaped else import_table)(project, table, str(table), status)
    for row in rows:
        write_new(root, row.path, row.text)
    load(root)  # the result must pass check
    return rows
