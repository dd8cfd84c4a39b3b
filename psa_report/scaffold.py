"""Writing action files: skeletons for ``new``, tables for ``import``, JSON Schema for editors.

Every YAML file written here is read back through the loader before it is
kept, so what lands on disk holds exactly the text it was given: a long text
is written as a folded block (``>-``, wrapped, easy to edit), unless only a
quoted string can carry it exactly (leading spaces, tabs, control characters).
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .files import csv_reader, decode_utf8, read_regular
from .indicators import IndicatorsSchema
from .loader import load_text
from .models import Agencies, Report
from .problems import Invalid, Problem
from .project import ACTIONS, Project
from .shape import (
    AmbiguousCell,
    Item,
    Kind,
    Shape,
    match_agencies,
    normal_word,
    placeholder,
    validate_item,
)

SCHEMA_DIR = "schema"
#: The schemas of the files every plan has; each kind of item has its own (kind_schema).
SCHEMAS = {
    "report": Report,
    "agencies": TypeAdapter(Agencies),
    "indicators": IndicatorsSchema,  # figures/indicators.yaml
}


def schema_name(kind: Kind) -> str:
    """The name of a kind's schema file, without .schema.json: "data-gap"."""
    return re.sub(r"[^a-z0-9]+", "-", kind.name.lower()).strip("-") or "item"


# ---------------------------------------------------------------- YAML text

def _reads_back(text: str, key: str, value: Any) -> bool:
    try:
        return load_text(text, "check").data == {key: value}
    except Invalid:
        return False


def quoted(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value``, any character escaped if need be."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029)
              or 0xE000 <= code <= 0xFFFD and code != 0xFEFF or code >= 0x10000):
            out.append(char)
        else:  # control characters and YAML 1.1 line breaks
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out) + '"'


def yaml_field(key: str, value: str | list[str], width: int = 88) -> str:
    """One ``key: value`` entry, in the most readable form that keeps ``value`` exactly."""
    if isinstance(value, list):
        candidate = f"{key}: {value[0]}\n" if len(value) == 1 else (
            f"{key}:\n" + "".join(f"  - {v}\n" for v in value))
        if _reads_back(candidate, key, value[0] if len(value) == 1 else value):
            return candidate
        return f"{key}: [{', '.join(quoted(v) for v in value)}]\n"
    if any(char in value for char in "\u2028\u2029\x85"):
        return f"{key}: {quoted(value)}\n"  # escaped: editors show these as line breaks
    candidates = []
    if "\n" not in value and len(key) + len(value) + 2 <= width:
        candidates.append(f"{key}: {value}\n")
    lines: list[str] = []
    for number, paragraph in enumerate(value.split("\n")):
        if number:
            lines.append("")
        lines += textwrap.wrap(paragraph, width - 2, break_long_words=False,
                               break_on_hyphens=False) or [""]
    candidates.append(f"{key}: >-\n" + "".join(f"  {line}\n" if line else "\n"
                                               for line in lines))
    for candidate in candidates:
        if _reads_back(candidate, key, value):
            return candidate
    return f"{key}: {quoted(value)}\n"


def modeline(name: str, path: str) -> str:
    """The yaml-language-server line pointing an editor at the schema, relative to ``path``."""
    depth = path.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_DIR}/{name}.schema.json\n"


def write_new(root: Path, path: str, text: str) -> Path:
    """Create ``root/path``; never overwrite."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise Invalid([Problem(path, None, None,
            "already exists, and psa-report never overwrites a file: edit it, or "
            "choose another ref")]) from None
    return target


# ---------------------------------------------------------------- new

def skeleton(shape: Shape, agencies: dict[str, str], kind: Kind, ref: str
             ) -> tuple[str, str]:
    """(path, text) of a commented, valid new file of a kind of the plan: each field
    with an example (the text ``check`` warns about until it is replaced), the optional
    ones commented out."""
    statuses = shape.statuses
    calm = [s for s in statuses if not (s.done or s.exception)]
    status = (calm or [s for s in statuses if not s.done] or list(statuses))[-1].name
    leads = list(agencies)
    examples = {"text": None, "line": None, "agencies": leads[0] if leads else "",
                "status": status, "due": "ongoing", "date": date.today().isoformat(),
                "number": "0", "yes-no": "no"}
    hints = {"agencies": f"one or several of {', '.join(leads)}, separated by commas",
             "status": "one of " + ", ".join(s.name for s in statuses),
             "due": "a date (2025-03-31), a month (2025-03), a quarter (Q3 2024/25), "
                    "a financial year (2024/25) or ongoing",
             "date": "a date such as 2025-03-31", "number": "a number",
             "yes-no": "yes or no"}
    name = ref if kind.ref.style != "none" else str(ref)
    path = f"{ACTIONS}/{kind.folder}/{name}.yaml"
    lines = [modeline(schema_name(kind), path).rstrip("\n"),
             f"# A new {kind.name} of this plan. Replace each example below,",
             "# then run `psa-report check`."]
    if kind.ref.style != "none":
        lines.append(f"ref: {quoted(ref)}")
    for field in kind.fields:
        if field.type == "choice":
            example, hint = field.choices[0], "one of " + ", ".join(field.choices)
        else:
            example = examples.get(field.type) or placeholder(field.label)
            hint = hints.get(field.type, "text")
        lines.append(f"# {field.label}: {hint}" + ("" if field.required else " (optional)"))
        line = f"{field.name}: {quoted(example)}"
        lines.append(line if field.required else f"# {line}")
    return path, "\n".join(lines) + "\n"


# ---------------------------------------------------------------- import

@dataclass
class ImportedRow:
    line: int
    item: Item
    path: str
    text: str


#: Largest table ``import`` reads (a few thousand rows of text).
MAX_TABLE_BYTES = 4 * 1024 * 1024


def _a(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def import_table(project: Project, table: Path, display: str, status: str | None,
                 section: str | None = None) -> list[ImportedRow]:
    """A pasted table of items of one kind of the plan, its header the kind's labels (or
    field names, any case), and optionally a Section column: every row checked against
    the kind, every problem said at once by line and column; what to write, or Invalid.

    The refs the table gives are kept for their rows first; a row with an empty Ref is
    numbered after them, in its Section cell's section or ``section``. Where the kind's
    refs are in numbered sections (3.2.1) and neither is given, the row is refused at its
    line, never filed in a section by guess.
    """
    rows = list(csv_reader(_table_text(table, display)))
    if not rows:
        raise Invalid([Problem(display, 1, None, "the table is empty")])
    header = rows[0]

    def columns_of(kind: Kind) -> dict[str, str]:
        names = {normal_word(f.label): f.name for f in kind.fields}
        names.update({normal_word(f.name): f.name for f in kind.fields})
        if kind.ref.style != "none":
            names["ref"] = "ref"
        if _sectioned(kind):
            names[SECTION] = SECTION
        return names

    kind = max(project.shape.kinds, key=lambda k: sum(normal_word(h) in columns_of(k)
                                                        for h in header))
    known = columns_of(kind)
    labels = (["Ref"] if kind.ref.style != "none" else []) + [f.label for f in kind.fields]
    problems: list[Problem] = []
    if section is not None:
        section = _section_option(kind, section)
    fields: list[str | None] = []
    for number, title in enumerate(header, 1):
        name = known.get(normal_word(title)) if title.strip() else None
        if title.strip() and (name is None or name in fields):
            problems.append(Problem(display, 1, number, f"column {number} is headed "
                f"{title!r}, which is {'given twice' if name else 'not one of the columns'}"
                f" of {_a(kind.name)}: {', '.join(labels)}"))
            name = None
        fields.append(name)
    missing = [f.label for f in kind.fields if f.required and f.name not in fields
               and not (f.type == "status" and (status or not project.shape.status_required))]
    if missing:
        problems.append(Problem(display, 1, None, f"the table has no column "
                                f"{', '.join(missing)}: {_a(kind.name)} needs it"))
        raise Invalid(problems)
    table_rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in enumerate(rows[1:], 2):
        if any(c.strip() for c in cells):
            table_rows.append((line, {name: cell.replace("\r\n", "\n").strip()
                                      for name, cell in zip(fields, cells)
                                      if name and cell.strip()}))
    existing = [item.ref for item in project.kind_items.get(kind.name, [])]
    given: dict[str, int] = {}  # the refs the table gives, reserved first: ref -> line
    for line, values in table_rows:
        if kind.ref.style != "none" and values.get("ref") and kind.ref.valid(values["ref"]):
            given.setdefault(kind.ref.parse(values["ref"]), line)
    made: list[ImportedRow] = []
    for line, values in table_rows:
        status_field = kind.status_field
        if status and status_field and status_field.name not in values:
            values[status_field.name] = status
        in_section = values.pop(SECTION, None)
        ref = values.pop("ref", None)
        if ref is None:
            try:
                ref = _free_ref(kind, existing + list(given) + [r.item.ref for r in made],
                                in_section or section, display, line)
            except Invalid as invalid:
                problems += invalid.problems
                continue
        body = [f"ref: {quoted(ref)}\n"] if kind.ref.style != "none" else []
        for field in kind.fields:
            if field.name not in values:
                continue
            value: str | list[str] = values[field.name]
            if field.type == "agencies":
                try:
                    value = match_agencies(value, project.agencies)
                except (AmbiguousCell, ValueError) as error:
                    problems.append(Problem(display, line, fields.index(field.name) + 1,
                                            f"{field.label}: {error}"))
                    continue
            body.append(yaml_field(field.name, value))
        path = f"{ACTIONS}/{kind.folder}/{ref}.yaml"
        text = (modeline(schema_name(kind), path)
                + f"# Imported from {display}, line {line}.\n" + "".join(body))
        try:
            item = validate_item(load_text(text, path), kind, project.shape, project.agencies,
                                 source=path)
        except Invalid as invalid:
            problems += [Problem(display, line, None, f"row {ref}: {p.message}")
                         for p in invalid.problems]
            continue
        earlier = given.get(item.ref)
        if item.ref in existing or (project.root / path).exists():
            problems.append(Problem(display, line, None, f"row {ref}: "
                f"{project.sources.get(item.ref, path)} already exists, and import never "
                "overwrites a file: remove the row from the table, or the file first"))
            continue
        if any(r.item.ref == item.ref for r in made) or (earlier is not None
                                                           and earlier != line):
            first = earlier if earlier is not None and earlier != line else next(
                r.line for r in made if r.item.ref == item.ref)
            problems.append(Problem(display, line, None, f"row {ref}: the ref {item.ref} is "
                                    f"also on line {first} of the table: give another, or "
                                    "leave the Ref cell empty"))
            continue
        made.append(ImportedRow(line, item, path, text))
    if problems:
        raise Invalid(problems)
    return sorted(made, key=lambda r: kind.ref.key(r.item.ref))


#: The optional column of a table to import that says which section a row with no
#: ref is numbered in.
SECTION = "section"


def _sectioned(kind: Kind) -> bool:
    """Whether the kind's refs are numbered within sections (3.2.1 is in 3.2)."""
    return kind.ref.style == "dotted" and kind.ref.parts > 1


def _section_option(kind: Kind, section: str) -> str:
    """``--section`` checked against the kind's refs: 3.2 for refs like 3.2.1."""
    if not _sectioned(kind) or not kind.ref.valid(f"{section.strip()}.1"):
        raise Invalid([Problem("--section", None, None,
            f"{section!r} is not a section of {kind.plural}' refs (like "
            f"{kind.ref.example}): write it like {kind.ref.example.rsplit('.', 1)[0]}"
            if _sectioned(kind) else f"{kind.plural} are not numbered in sections: "
            "leave out --section")])
    return section.strip()


def _free_ref(kind: Kind, taken: list[str], section: str | None, display: str,
              line: int) -> str:
    """The next free ref for a row with no ref, in ``section`` where refs have sections."""
    if _sectioned(kind) and section is None:
        example = kind.ref.example.rsplit(".", 1)[0]
        raise Invalid([Problem(display, line, None,
            f"the Ref cell is empty, and {kind.plural} are numbered within sections: give "
            f"the ref, or a Section column (such as {example}), or --section {example} to "
            "number the rows with no ref in that section")])
    try:
        return kind.ref.next_ref(taken, section)
    except ValueError as error:
        raise Invalid([Problem(display, line, None, f"Section: {error}")]) from None


def _table_text(path: Path, display: str) -> str:
    """The text of a table given to ``import``: a regular file of bounded size (a FIFO
    or /dev/zero is refused, never read), in UTF-8."""
    raw = read_regular(path, display, MAX_TABLE_BYTES, lambda size: (
        f"the table is {size:,} bytes, over the limit of {MAX_TABLE_BYTES:,} bytes for one "
        "import: check it is the right file, or import it in parts"),
        fix="save the table as a .csv or .txt file and name that")
    return decode_utf8(raw, lambda line, column, byte: Invalid([Problem(display, line, None,
        "this is not UTF-8 text: in Excel use Save As, 'CSV UTF-8', or paste the "
        "table into a text editor and save it as UTF-8")]))


# ---------------------------------------------------------------- schema

def json_schemas() -> dict[str, str]:
    """File name -> JSON Schema text, made from the pydantic models."""
    out = {}
    for kind, model in SCHEMAS.items():
        schema = (model.json_schema() if isinstance(model, TypeAdapter)
                  else model.model_json_schema())
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
                  "title": f"psa-report {kind.replace('-', ' ')} file"}
        out[f"{kind}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


_FIELD_SCHEMAS = {
    "text": {"type": "string"}, "line": {"type": "string"}, "indicator": {"type": "string"},
    "due": {"type": "string", "description": "2025-03-31, 2025-03, Q3 2024/25, 2024/25 or "
                                             "ongoing"},
    "date": {"type": "string", "description": "a date such as 2025-03-31"},
    "number": {"anyOf": [{"type": "number"}, {"type": "string"}]},
    "yes-no": {"type": "boolean"},
}


def _any_case(word: str) -> str:
    """A regular expression matching ``word`` in any case, with - or _ for a space."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else
                   "[ _-]" if c in " _-" else re.escape(c) for c in word)


def kind_schema(kind, shape) -> dict:
    """The JSON Schema of one item file of a kind declared in actions/plan.yaml."""
    words = [w for s in shape.statuses for w in (s.name, *s.also)]
    properties: dict[str, Any] = {}
    if kind.ref.style != "none":
        properties["ref"] = {"type": "string", "description": f"like {kind.ref.example}"}
    for field in kind.fields:
        if field.type == "status":  # any case, spaces or hyphens: as check reads them
            schema: dict[str, Any] = {"type": "string", "examples": words,
                                      "pattern": "^(?:" + "|".join(map(_any_case, words))
                                      + ")$"}
        elif field.type == "choice":
            schema = {"type": "string", "enum": list(field.choices)}
        elif field.type == "agencies":
            schema = {"anyOf": [{"type": "string"},
                                {"type": "array", "items": {"type": "string"}}]}
        else:
            schema = dict(_FIELD_SCHEMAS[field.type])
        properties[field.name] = {**schema, "title": field.label}
    properties.setdefault("indicator", {"type": "string"})
    properties["exempt"] = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 7},
                                      {"type": "object"}]}
    required = (["ref"] if kind.ref.style != "none" else []) + [
        f.name for f in kind.fields if f.required
        and not (f.type == "status" and not shape.status_required)]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"psa-report {kind.name} file", "type": "object",
            "additionalProperties": False, "properties": properties, "required": required}


def write_schemas(out_dir: Path, shape: Shape) -> list[Path]:
    """Publish the JSON Schemas into ``out_dir`` as one set; the paths written: the
    report's, the agencies', the indicators' and one for each kind of the plan, named
    after the kind ("data-gap.schema.json")."""
    from .output import publish

    def writer(text: str):
        return lambda tmp: tmp.write_text(text, "utf-8")

    texts = json_schemas()
    texts.update({f"{schema_name(kind)}.schema.json":
                  json.dumps(kind_schema(kind, shape), indent=2, ensure_ascii=False) + "\n"
                  for kind in shape.kinds})
    return publish({out_dir / name: writer(text) for name, text in texts.items()})
