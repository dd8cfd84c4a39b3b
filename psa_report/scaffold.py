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

from pydantic import TypeAdapter, ValidationError

from .files import csv_reader, decode_utf8, read_regular
from .indicators import IndicatorsSchema
from .loader import load_text
from .models import Agencies, DataGap, Recommendation, Report, ref_key
from .problems import Invalid, Problem
from .project import ACTIONS, DATA_GAPS_DIR, PLACEHOLDERS, RECOMMENDATIONS_DIR, Project
from .shape import placeholder

SCHEMA_DIR = "schema"
SCHEMAS = {
    "data-gap": DataGap,
    "recommendation": Recommendation,
    "report": Report,
    "agencies": TypeAdapter(Agencies),
    "indicators": IndicatorsSchema,  # figures/indicators.yaml
}
KIND_FOLDER = {"data-gap": DATA_GAPS_DIR, "recommendation": RECOMMENDATIONS_DIR}


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


def modeline(kind: str, path: str) -> str:
    """The yaml-language-server line pointing an editor at the schema, relative to ``path``."""
    depth = path.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_DIR}/{kind}.schema.json\n"


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

def next_ref(project: Project, kind: str, section: str | None = None) -> str:
    if kind == "recommendation":
        numbers = [int(r.ref[1:]) for r in project.recommendations]
        return f"R{max(numbers, default=0) + 1}"
    gaps = project.data_gaps
    if section is None:
        section = gaps[-1].section if gaps else "1.1"
    last = [int(g.ref.rsplit(".", 1)[1]) for g in gaps if g.section == section]
    return f"{section}.{max(last, default=0) + 1}"


SKELETONS = {
    "data-gap": """\
# A data gap from the Partnership Strategic Assessment. Replace each text below,
# then run `psa-report check`. See the guide, docs/start.md.
ref: {ref}
# The gap, as the assessment words it.
gap: {gap_example}
# The lead agency, a short name from actions/agencies.yaml ({agencies}),
# or several:  lead: [SBC, Police]
lead: {lead}
# What the lead agency agreed to do.
action: {action_example}
# The latest progress. A long text can start on the next line after `>-`.
update: No update yet.
# One of: complete, on track, at risk, off track, not started.
status: not started
# Optional deadline: 2010-09-30, or 2010-09 for the end of that month.
# due: 2010-09
""",
    "recommendation": """\
# A recommendation put to the partnership. Replace each text below, then run
# `psa-report check`. See the guide, docs/start.md.
ref: {ref}
# The recommendation, as put to the partnership.
recommendation: {recommendation_example}
# The latest progress: printed after "UPDATE-" in the report.
update: No update yet.
# One of: complete, on track, at risk, off track, not started.
status: not started
# Optional: the lead agency ({agencies}); without one it is for the whole partnership.
# lead: SBC
# Optional deadline: 2010-09-30, or 2010-09 for the end of that month.
# due: 2010-09
""",
}


def fill_skeleton(kind: str, **values: str) -> str:
    """The skeleton of ``kind`` with ``values``, its example texts the very ones that
    ``check`` warns about (project.PLACEHOLDERS)."""
    examples = {f"{name}_example": text for name, text in PLACEHOLDERS.items()}
    return SKELETONS[kind].format(**examples, **values)


def skeleton(project: Project, kind: str, ref: str) -> tuple[str, str]:
    """(path, text) of a commented, valid new file for ``ref``."""
    path = f"{ACTIONS}/{KIND_FOLDER[kind]}/{ref}.yaml"
    text = modeline(kind, path) + fill_skeleton(
        kind, ref=ref, agencies=", ".join(project.agencies), lead=next(iter(project.agencies)))
    return path, text


def shaped_skeleton(project: Project, kind, ref: str) -> tuple[str, str]:
    """(path, text) of a commented, valid new file of a kind declared in plan.yaml: each
    field with an example, the optional ones commented out."""
    statuses = project.shape.statuses
    calm = [s for s in statuses if not (s.done or s.exception)]
    status = (calm or [s for s in statuses if not s.done] or list(statuses))[-1].name
    agencies = list(project.agencies)
    examples = {"text": None, "line": None, "agencies": agencies[0] if agencies else "",
                "status": status, "due": "ongoing", "date": date.today().isoformat(),
                "number": "0", "yes-no": "no"}
    hints = {"agencies": f"one or several of {', '.join(agencies)}, separated by commas",
             "status": "one of " + ", ".join(s.name for s in statuses),
             "due": "a date (2025-03-31), a month (2025-03), a quarter (Q3 2024/25), "
                    "a financial year (2024/25) or ongoing",
             "date": "a date such as 2025-03-31", "number": "a number",
             "yes-no": "yes or no"}
    lines = [f"# A new {kind.name} of this plan (see actions/plan.yaml). Replace each "
             "example below,", "# then run `psa-report check`."]
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
    name = ref if kind.ref.style != "none" else str(ref)
    return f"{ACTIONS}/{kind.folder}/{name}.yaml", "\n".join(lines) + "\n"


# ---------------------------------------------------------------- import

#: Column headers (any case) -> field. A table of data gaps has a "Data gap" column;
#: a table of recommendations a "Recommendation" column.
COLUMNS = {"ref": "ref", "data gap": "gap", "gap": "gap", "recommendation": "recommendation",
           "lead": "lead", "action": "action", "update": "update", "status": "status",
           "due": "due"}
REQUIRED = {"data-gap": ("ref", "gap", "lead", "action", "update", "status"),
            "recommendation": ("ref", "recommendation", "update", "status")}
HEADERS = {"data-gap": "Ref, Data gap, Lead, Action, Update and Status (and optionally Due)",
           "recommendation": "Ref, Recommendation, Update and Status (and optionally Lead "
                             "and Due)"}


@dataclass
class ImportedRow:
    line: int
    item: DataGap | Recommendation
    path: str
    text: str


@dataclass
class Table:
    kind: str  # "data-gap" or "recommendation"
    headers: dict[str, str]  # field -> the column's header as the table spells it
    rows: list[tuple[int, dict[str, str]]]  # (line, {field: text})
    problems: list[Problem]  # rows that could not be read at all


#: Largest table ``import`` reads (a few thousand rows of text).
MAX_TABLE_BYTES = 4 * 1024 * 1024


def _a(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def import_shaped(project: Project, table: Path, display: str,
                  status: str | None) -> list[ImportedRow]:
    """A pasted table of items of a kind declared in plan.yaml, its header the kind's
    labels (or field names, any case): every row checked against the kind, every
    problem said at once by line and column; what to write, or Invalid."""
    from .shape import AmbiguousCell, match_agencies, normal_word, validate_item

    rows = list(csv_reader(_table_text(table, display)))
    if not rows:
        raise Invalid([Problem(display, 1, None, "the table is empty")])
    header = rows[0]

    def columns_of(kind) -> dict[str, str]:
        names = {normal_word(f.label): f.name for f in kind.fields}
        names.update({normal_word(f.name): f.name for f in kind.fields})
        if kind.ref.style != "none":
            names["ref"] = "ref"
        return names

    kind = max(project.shape.kinds, key=lambda k: sum(normal_word(h) in columns_of(k)
                                                        for h in header))
    known = columns_of(kind)
    labels = (["Ref"] if kind.ref.style != "none" else []) + [f.label for f in kind.fields]
    problems: list[Problem] = []
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
    existing = [item.ref for item in project.kind_items.get(kind.name, [])]
    made: list[ImportedRow] = []
    for line, cells in enumerate(rows[1:], 2):
        if not any(c.strip() for c in cells):
            continue
        values = {name: cell.replace("\r\n", "\n").strip()
                  for name, cell in zip(fields, cells) if name and cell.strip()}
        status_field = kind.status_field
        if status and status_field and status_field.name not in values:
            values[status_field.name] = status
        ref = values.pop("ref", None) or kind.ref.next_ref(existing + [r.item.ref for r in made])
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
        text = "".join(body)
        try:
            item = validate_item(load_text(text, path), kind, project.shape, project.agencies,
                                 source=path)
        except Invalid as invalid:
            problems += [Problem(display, line, None, f"row {ref}: {p.message}")
                         for p in invalid.problems]
            continue
        if item.ref in existing or any(r.item.ref == item.ref for r in made):
            problems.append(Problem(display, line, None, f"row {ref}: the ref {item.ref} is "
                                    "already used: give another, or leave the Ref cell empty"))
            continue
        made.append(ImportedRow(line, item, path, text))
    if problems:
        raise Invalid(problems)
    return made


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


def read_table(path: Path, display: str) -> Table:
    """Rows of a pasted table (tab-separated or CSV) as (line, {field: text})."""
    reader = csv_reader(_table_text(path, display))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid([Problem(display, 1, None, "the table is empty")]) from None
    # Every problem of the header at once: each unknown or repeated column, and the
    # columns missing. Rows are still checked unless a column they need is missing.
    fields: list[str | None] = []
    headers: dict[str, str] = {}
    where: dict[str, int] = {}
    problems: list[Problem] = []
    for number, name in enumerate(header, 1):
        key = " ".join(name.lower().split())
        fields.append(None)
        if not key:
            continue
        if key not in COLUMNS:
            problems.append(Problem(display, 1, None,
                f"column {number} is headed {name!r}, which is not one of the columns: "
                f"{HEADERS['data-gap']}; or, for recommendations, "
                f"{HEADERS['recommendation']}"))
            continue
        field_name = COLUMNS[key]
        if field_name in headers:
            problems.append(Problem(display, 1, None,
                f"column {number} is headed {name!r}, as column {where[field_name]} is "
                f"({headers[field_name]!r}): keep one of the two columns"))
            continue
        fields[-1] = field_name
        headers[field_name] = " ".join(name.split())
        where[field_name] = number
    kind = "recommendation" if "recommendation" in headers else "data-gap"
    missing = [c for c in REQUIRED[kind] if c not in headers]
    if missing:
        problems.append(Problem(display, 1, None,
            f"the header has no column for {', '.join(missing)}: a table of "
            f"{kind.replace('-', ' ')}s needs {HEADERS[kind]}"))
        raise Invalid(problems)
    rows = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            extra = [c for c in cells[len(fields):] if c.strip()]
            if extra:
                problems.append(Problem(display, line, None,
                    f"this row has {len(cells)} cells but the header has {len(fields)} "
                    "columns: check for a tab or comma inside a cell that is not quoted"))
                continue
            # Line breaks typed in Excel on Windows arrive as CR LF: keep plain ones.
            rows.append((line, {f: c.replace("\r\n", "\n").replace("\r", "\n").strip()
                                for f, c in zip(fields, cells) if f}))
    except csv.Error as error:
        problems.append(Problem(display, reader.line_num, None,
                                f"the table cannot be read: {error}"))
    return Table(kind, headers, rows, problems)


def import_table(project: Project, table: Path, display: str,
                 status: str | None) -> list[ImportedRow]:
    """Validate every row; return what to write, or raise every problem at once."""
    read = read_table(table, display)
    problems: list[Problem] = list(read.problems)
    imported: list[ImportedRow] = []
    seen: dict[str, int] = {}
    model = DataGap if read.kind == "data-gap" else Recommendation
    folder = KIND_FOLDER[read.kind]
    for line, cells in read.rows:
        ref = cells.get("ref", "")
        where = f"row {ref}" if ref else "this row"
        data: dict[str, Any] = {k: v for k, v in cells.items() if v != "" or k == "status"}
        leads = [part for part in re.split(r"[\s,;/]+", cells.get("lead", "")) if part]
        if leads or read.kind == "data-gap":
            data["lead"] = leads
        no_status = not data.get("status") and status is None
        if no_status:
            problems.append(Problem(display, line, None,
                f"{where}: the Status cell is empty: fill it in, or give --status to "
                "use one status (such as 'not started') for every empty cell"))
            data["status"] = "not started"  # only so the row's other cells are checked
        elif not data.get("status"):
            data["status"] = status
        try:
            item = model.model_validate(data, context={"agencies": project.agencies})
        except ValidationError as error:
            problems += [Problem(display, line, None, f"{where}: {message}")
                         for message in _cell_messages(error, read.headers)]
            continue
        if no_status:
            continue
        if item.ref in seen:
            problems.append(Problem(display, line, None,
                f"{where}: ref {item.ref} is also on line {seen[item.ref]} of the table"))
            continue
        seen[item.ref] = line
        path = f"{ACTIONS}/{folder}/{item.ref}.yaml"
        if item.ref in project.sources or (project.root / path).exists():
            existing = project.sources.get(item.ref, path)
            problems.append(Problem(display, line, None,
                f"{where}: {existing} already exists, and import never overwrites a file: "
                "remove the row from the table, or the file first"))
            continue
        imported.append(ImportedRow(line, item, path, item_yaml(item, path, display, line)))
    if problems:
        raise Invalid(problems)
    return sorted(imported, key=lambda r: ref_key(r.item.ref))


def _cell_messages(error: ValidationError, headers: dict[str, str]) -> list[str]:
    """pydantic's errors in the table's own words: the column's header, never a field."""
    messages = []
    for detail in error.errors(include_url=False):
        name = str(detail["loc"][0]) if detail["loc"] else ""
        column = headers.get(name, name.replace("_", " ").capitalize())
        if detail["type"] == "missing" or (detail["type"] == "psa"
                                           and detail["msg"].startswith("is empty")):
            messages.append(f"the {column} cell is empty: fill it in")
        elif detail["type"] == "too_short" or detail["msg"].startswith("must name a lead"):
            messages.append(f"the {column} cell is empty: name the lead agency (or "
                            "several, separated by spaces or commas)")
        else:
            messages.append(f"{column}: {detail['msg']}")
    return messages


def item_yaml(item: DataGap | Recommendation, path: str, source: str, line: int) -> str:
    kind = "data-gap" if isinstance(item, DataGap) else "recommendation"
    text = modeline(kind, path)
    text += f"# Imported from {source}, line {line}.\n"
    text += yaml_field("ref", item.ref)
    if isinstance(item, DataGap):
        text += yaml_field("gap", item.gap) + yaml_field("lead", list(item.lead))
        text += yaml_field("action", item.action)
    else:
        text += yaml_field("recommendation", item.recommendation)
        if item.lead:
            text += yaml_field("lead", list(item.lead))
    text += yaml_field("update", item.update) + yaml_field("status", item.status.value)
    if item.due is not None:
        text += yaml_field("due", str(item.due))
    return text


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


def write_schemas(out_dir: Path, shape=None) -> list[Path]:
    """Publish the JSON Schemas into ``out_dir`` as one set; the paths written. A plan
    with kinds of its own (``shape``) gets one for each kind too, named by its folder."""
    from .output import publish

    def writer(text: str):
        return lambda tmp: tmp.write_text(text, "utf-8")

    texts = json_schemas()
    if shape is not None and shape.source is not None:
        from .shape import default_words

        if not default_words(shape):
            texts.update({f"{kind.folder}.schema.json":
                          json.dumps(kind_schema(kind, shape), indent=2, ensure_ascii=False)
                          + "\n" for kind in shape.kinds})
    return publish({out_dir / name: writer(text) for name, text in texts.items()})
