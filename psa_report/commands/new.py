"""``new`` and ``import``: add items to the plan as new files, never overwriting one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..problems import BadOption
from ..scaffold import ImportedRow, import_table, skeleton, write_missing_schema, write_new
from ..wording import plural
from .common import load


@dataclass
class NewItem:
    path: str  # relative to the project: actions/data-gaps/4.2.4.yaml
    ref: str
    chosen: str | None  # why this ref, when psa-report chose it
    schema: str | None = None  # the kind's schema, when it was missing and so written


def new(root: Path, name: str, ref: str | None = None, section: str | None = None
        ) -> NewItem:
    """Write a commented skeleton for a new item of a kind of the plan (by its name in
    any case, its plural or its folder: data-gap, recommendation), with its ref in the
    kind's form: the next free one unless ``ref`` is given."""
    project = load(root)
    kind = project.shape.kind(name)
    if kind is None:
        raise BadOption("KIND", f"{name!r} is not a kind of item of this plan: use "
                        f"{' or '.join(k.name.replace(' ', '-') for k in project.shape.kinds)}")
    existing = [item.ref for item in project.kind_items.get(kind.name, [])]
    chosen = None
    try:
        if ref is None:
            ref = kind.ref.next_ref(existing, section)
            if section:
                chosen = f"the next free ref in section {section}"
            elif kind.ref.style == "dotted" and kind.ref.parts > 1:
                chosen = (f"the next free ref in the last section (--section "
                          f"{'.'.join(['N'] * (kind.ref.parts - 1))} for another)")
            else:
                chosen = f"the next free {kind.name} ref"
        elif kind.ref.style != "none":
            ref = kind.ref.parse(ref, f"a {kind.name} ref")
    except ValueError as error:
        # REF when it was given (and read), else the --section the next ref was sought in.
        raise BadOption("REF" if ref is not None else "--section", str(error)) from None
    if ref in project.sources:
        raise BadOption("REF", f"{ref} is already used by {project.sources[ref]}")
    path, text = skeleton(project.shape, project.agencies, kind, ref)
    write_new(root, path, text)
    return NewItem(path, ref, chosen, write_missing_schema(Path(root), kind, project.shape))


def import_rows(root: Path, table: Path, status: str | None = None,
                section: str | None = None) -> tuple[list[ImportedRow], str | None]:
    """Write one item file per row of ``table``; all rows valid, or nothing written.
    ``section``: where rows with an empty Ref are numbered (refs in sections only).
    The rows written, and the kind's schema if it was missing and so written."""
    project = load(root)
    if status is not None:  # one of the plan's statuses, as it is written
        try:
            status = project.shape.status(status).name
        except ValueError as error:
            raise BadOption("--status", str(error)) from None
    rows = import_table(project, table, str(table), status, section)
    for row in rows:
        write_new(root, row.path, row.text)
    load(root)  # the result must pass check
    return rows, write_missing_schema(Path(root), rows[0].item.kind,
                                      project.shape) if rows else None


def schema_written(path: str) -> str:
    """What `new` and `import` say of the kind's schema they wrote (it was missing)."""
    return (f"wrote {path}: the schema an editor checks the new file against (its first "
            "line names it); `psa-report schema` writes them all")


def imported(rows: list[ImportedRow]) -> str:
    """What `import` says it did: "imported 3 data gaps; `psa-report check` passes."."""
    kind = rows[0].item.kind if rows else None
    what = plural(len(rows), kind.name, kind.plural) if kind else "0 items"
    return f"imported {what}; `psa-report check` passes."
