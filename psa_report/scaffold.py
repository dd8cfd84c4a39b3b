"""Writing action files: skeletons for ``new``, tables for ``import``, JSON Schema for editors.

Every YAML file written here is read back through the loader before it is
kept, so what lands on disk holds exactly the text it was given: a long text
is written as a folded block (``>-``, wrapped, easy to edit), unless only a
quoted string can carry it exactly (leading spaces, tabs, control characters).
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import fieldtypes
from .files import csv_reader, decode_utf8, read_regular
from .indicators import indicators_schema
from .loader import load_text
from .models import TRANSLATIONS_SCHEMA, Report, agencies_schema
from .output import publish
from .problems import Invalid, Problem
from .project import ACTIONS, PLACEHOLDERS, Project
from .shape import (
    MAX_REF_LENGTH,
    FieldDef,
    Item,
    Kind,
    Shape,
    field_value,
    match_agencies,
    normal_word,
    placeholder,
    required,
    validate_item,
)

SCHEMA_DIR = "schema"
#: The schemas of the files every plan has; each kind of item has its own (kind_schema).
SCHEMAS: dict[str, Any] = {  # -> a function giving its JSON Schema
    "report": Report.json_schema,
    "agencies": agencies_schema,
    "indicators": indicators_schema,  # figures/indicators.yaml
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
    # In a folded block each blank line is one line break of the value: a run of n line
    # breaks ("A\n\nB", two leads' updates kept both) is n blank lines between the text.
    lines: list[str] = []
    for number, paragraph in enumerate(value.split("\n")):
        if number:
            lines.append("")
        lines += textwrap.wrap(paragraph, width - 2, break_long_words=False,
                               break_on_hyphens=False)
    candidates.append(f"{key}: >-\n" + "".join(f"  {line}\n" if line else "\n"
                                               for line in lines or [""]))
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

def skeleton_status(shape: Shape) -> str:
    """The status a new item starts with: the last of the plan's that is neither done nor
    an exception ("not started")."""
    return fieldtypes.starting_status(shape)


def skeleton(shape: Shape, agencies: dict[str, str], kind: Kind, ref: str
             ) -> tuple[str, str]:
    """(path, text) of a commented, valid new file of a kind of the plan: each field
    with an example (the text ``check`` warns about until it is replaced), the optional
    ones commented out."""
    leads, today = list(agencies), date.today()
    name = ref if kind.ref.style != "none" else str(ref)
    path = f"{ACTIONS}/{kind.folder}/{name}.yaml"
    lines = [modeline(schema_name(kind), path).rstrip("\n"),
             f"# A new {kind.name} of this plan. Replace each example below,",
             "# then run `psa-report check`."]
    if kind.ref.style != "none":
        lines.append(f"ref: {quoted(ref)}")
    for field in kind.fields:
        example, hint = fieldtypes.get(field.type).example(field, shape, leads, today)
        if not example:  # the very text check warns about (validate.warnings)
            example = PLACEHOLDERS.get(field.name) or placeholder(field.label)
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
    the kind, every problem said at once by line, in the table's own words (its columns,
    never a file's fields); what to write, or Invalid.

    The refs the table gives are kept for their rows first; a row with an empty Ref is
    numbered after them, in its Section cell's section or ``section``. Where the kind's
    refs are in numbered sections (3.2.1) and neither is given, the row is refused at its
    line, never filed in a section by guess.
    """
    reader = csv_reader(_table_text(table, display))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid([Problem(display, 1, None, "the table is empty")]) from None

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
    # Every problem of the header at once: each unknown or repeated column, and the
    # columns missing (the rows are read only if none is).
    fields: list[str | None] = []
    headers: dict[str, str] = {}  # field -> its column's header as the table spells it
    where: dict[str, int] = {}
    for number, title in enumerate(header, 1):
        name = known.get(normal_word(title)) if title.strip() else None
        if title.strip() and name is None:
            problems.append(Problem(display, 1, None, f"column {number} is headed "
                f"{title!r}, which is not one of the columns of {_a(kind.name)}: "
                f"{', '.join(labels)}"))
        elif name in headers:
            problems.append(Problem(display, 1, None, f"column {number} is headed "
                f"{title!r}, as column {where[name]} is ({headers[name]!r}): keep one of "
                "the two columns"))
            name = None
        elif name is not None:
            headers[name], where[name] = " ".join(title.split()), number
        fields.append(name)
    status_field = kind.status_field
    missing = [f.label for f in kind.fields if required(f, project.shape)
               and f.name not in headers and not (f is status_field and status)]
    if missing:
        needed = labels[:len(labels) - len(kind.fields)] + [
            f.label for f in kind.fields if required(f, project.shape)]
        optional = [f.label for f in kind.fields if not required(f, project.shape)]
        problems.append(Problem(display, 1, None, f"the header has no column for "
            f"{', '.join(missing)}: a table of {kind.plural} needs {_and(needed)}"
            + (f" (and optionally {_and(optional)})" if optional else "")))
        raise Invalid(problems)
    table_rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if any(c.strip() for c in cells[len(fields):]):
                problems.append(Problem(display, line, None,
                    f"this row has {len(cells)} cells but the header has {len(fields)} "
                    "columns: check for a tab or comma inside a cell that is not quoted"))
                continue
            # Line breaks typed in Excel on Windows arrive as CR LF: keep plain ones.
            table_rows.append((line, {name: cell.replace("\r\n", "\n").replace("\r", "\n")
                                      .strip() for name, cell in zip(fields, cells)
                                      if name and cell.strip()}))
    except csv.Error as error:
        problems.append(Problem(display, reader.line_num, None,
                                f"the table cannot be read: {error}"))
    existing = [item.ref for item in project.kind_items.get(kind.name, [])]
    given: dict[str, int] = {}  # the refs the table gives, reserved first: ref -> line
    for line, values in table_rows:
        if kind.ref.style != "none" and values.get("ref") and kind.ref.valid(values["ref"]):
            given.setdefault(kind.ref.parse(values["ref"]), line)
    made: list[ImportedRow] = []
    for line, values in table_rows:
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
        row = f"row {ref}" if len(ref) <= MAX_REF_LENGTH else f"row {ref[:MAX_REF_LENGTH]}..."
        cell_problems = []
        body = [f"ref: {quoted(ref)}\n"] if kind.ref.style != "none" else []
        for field in kind.fields:
            column = headers.get(field.name, field.label)
            value: str | list[str] | None = values.get(field.name)
            if value is None:
                if required(field, project.shape):
                    cell_problems.append(f"{row}: {_empty_cell(field, column, project.shape)}")
                continue
            try:
                if fieldtypes.get(field.type).is_agencies and isinstance(value, str):  # a cell
                    value = match_agencies(value, project.agencies)
                field_value(field, value, project.shape, project.agencies)
            except ValueError as error:  # AmbiguousCell too
                cell_problems.append(f"{row}: {column}: {error}")
                continue
            body.append(yaml_field(field.name, value))
        if cell_problems:
            problems += [Problem(display, line, None, message) for message in cell_problems]
            continue
        path = f"{ACTIONS}/{kind.folder}/{ref}.yaml"
        text = (modeline(schema_name(kind), path)
                + f"# Imported from {display}, line {line}.\n" + "".join(body))
        try:
            item = validate_item(load_text(text, path), kind, project.shape, project.agencies,
                                 source=path)
        except Invalid as invalid:  # the ref itself: each cell was checked above
            problems += [Problem(display, line, None,
                                 f"{row}: {_in_table_words(p.message, kind, headers)}")
                         for p in invalid.problems]
            continue
        earlier = given.get(item.ref)
        if item.ref in existing or (project.root / path).exists():
            problems.append(Problem(display, line, None, f"{row}: "
                f"{project.sources.get(item.ref, path)} already exists, and import never "
                "overwrites a file: remove the row from the table, or the file first"))
            continue
        if any(r.item.ref == item.ref for r in made) or (earlier is not None
                                                           and earlier != line):
            first = earlier if earlier is not None and earlier != line else next(
                r.line for r in made if r.item.ref == item.ref)
            problems.append(Problem(display, line, None, f"{row}: the ref {item.ref} is "
                                    f"also on line {first} of the table: give another, or "
                                    "leave the Ref cell empty"))
            continue
        made.append(ImportedRow(line, item, path, text))
    if problems:
        raise Invalid(problems)
    return sorted(made, key=lambda r: kind.ref.key(r.item.ref))


def _and(words: list[str]) -> str:
    """"A, B and C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _empty_cell(field: FieldDef, column: str, shape: Shape) -> str:
    """What a row with no value for a required field is told, in the table's words."""
    if fieldtypes.get(field.type).is_agencies:
        return (f"the {column} cell is empty: name the lead agency (or several, separated "
                "by spaces or commas)")
    if fieldtypes.get(field.type).is_status:
        return (f"the {column} cell is empty: fill it in, or give --status to use one "
                f"status (such as {skeleton_status(shape)!r}) for every empty cell")
    return f"the {column} cell is empty: fill it in"


def _in_table_words(message: str, kind: Kind, headers: dict[str, str]) -> str:
    """A message about a field (``ref: ...``) as one about the table's column."""
    name, colon, rest = message.partition(": ")
    if colon and name == "ref":
        return f"Ref: {rest}"
    if colon and (field := kind.field(name)) is not None:
        return f"{headers.get(name, field.label)}: {rest}"
    return message


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
    """File name -> JSON Schema text, made from the declared records (models.py)."""
    out = {}
    for kind, made in SCHEMAS.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **made(),
                  "title": f"psa-report {kind.replace('-', ' ')} file"}
        out[f"{kind}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def kind_schema(kind, shape) -> dict:
    """The JSON Schema of one item file of a kind declared in actions/plan.yaml."""
    properties: dict[str, Any] = {}
    if kind.ref.style != "none":
        properties["ref"] = {"type": "string", "description": f"like {kind.ref.example}"}
    for field in kind.fields:
        schema = fieldtypes.get(field.type).json_schema(field, shape)
        if fieldtypes.get(field.type).wording:  # or in the plan's languages
            schema = {"anyOf": [schema, TRANSLATIONS_SCHEMA]}
        properties[field.name] = {**schema, "title": field.label}
    properties.setdefault("indicator", {"type": "string"})
    paragraph = [{"type": "integer", "minimum": 1, "maximum": 7},
                 {"type": "string", "pattern": "^[1-7]$"}]
    properties["exempt"] = {
        "anyOf": [*paragraph, {"type": "object", "additionalProperties": {"anyOf": paragraph},
                               "propertyNames": {"enum": [n for n in kind.field_names
                                                          if n not in ("ref", "exempt")]}}],
        "description": "Exempt information under Schedule 12A to the Local Government Act "
                       "1972: the paragraph (1-7) for the whole item, or field: paragraph "
                       "for some of its fields; left out of the public edition"}
    required = (["ref"] if kind.ref.style != "none" else []) + [
        f.name for f in kind.fields if f.required
        and not (fieldtypes.get(f.type).is_status and not shape.status_required)]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"psa-report {kind.name} file", "type": "object",
            "additionalProperties": False, "properties": properties, "required": required}


def write_schemas(out_dir: Path, shape: Shape) -> list[Path]:
    """Publish the JSON Schemas into ``out_dir`` as one set; the paths written: the
    report's, the agencies', the indicators' and one for each kind of the plan, named
    after the kind ("data-gap.schema.json")."""
    texts = json_schemas()
    texts.update({f"{schema_name(kind)}.schema.json": _kind_schema_text(kind, shape)
                  for kind in shape.kinds})
    return publish({out_dir / name: _writer(text) for name, text in texts.items()})


def _writer(text: str):
    return lambda tmp: tmp.write_text(text, "utf-8")


def _kind_schema_text(kind: Kind, shape: Shape) -> str:
    return json.dumps(kind_schema(kind, shape), indent=2, ensure_ascii=False) + "\n"


def write_missing_schema(root: Path, kind: Kind, shape: Shape) -> str | None:
    """Write the kind's schema into the project's schema folder, as ``schema`` writes it,
    if it is not there (the file a new item's first line names); the path written,
    relative to the project, or None."""
    name = f"{SCHEMA_DIR}/{schema_name(kind)}.schema.json"
    if (root / name).exists():
        return None
    publish({root / name: _writer(_kind_schema_text(kind, shape))})
    return name
