"""Stage 2b, validate the whole plan: find the files, check each, then check across files.

A project is a folder holding ``actions/``::

    actions/report.yaml            the covering page and metadata
    actions/agencies.yaml          lead agencies: short name -> full name
    actions/data-gaps/*.yaml       one data gap per file, named after its ref (3.2.1.yaml)
    actions/recommendations/*.yaml one recommendation per file (R1.yaml)

Sub-folders inside ``data-gaps/`` and ``recommendations/`` are allowed for the
user's own filing.  Hidden files (``.gitkeep``) are skipped; anything else that is
not a ``.yaml``/``.yml`` file is an error, so nothing the user put there is
silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .loader import Document, load_file
from .models import Agencies, DataGap, Recommendation, Report
from .problems import Invalid, Problem

ACTIONS = "actions"
REPORT_FILE = "report.yaml"
AGENCIES_FILE = "agencies.yaml"
DATA_GAPS_DIR = "data-gaps"
RECOMMENDATIONS_DIR = "recommendations"
YAML_SUFFIXES = (".yaml", ".yml")

_AGENCIES = TypeAdapter(Agencies)


@dataclass
class Project:
    """A validated action plan."""

    root: Path
    report: Report
    agencies: dict[str, str]
    data_gaps: list[DataGap]
    recommendations: list[Recommendation]
    #: ref -> the file it came from, as shown to the user
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> list[DataGap | Recommendation]:
        return [*self.data_gaps, *self.recommendations]

    def find(self, ref: str) -> DataGap | Recommendation | None:
        return next((item for item in self.items if item.ref == ref), None)


def display_path(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def find_action_files(root: Path) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Map each kind of file to its paths; report files that do not belong."""
    actions = root / ACTIONS
    problems: list[Problem] = []
    found: dict[str, list[Path]] = {"report": [], "agencies": [], "data_gap": [],
                                    "recommendation": []}
    if not actions.is_dir():
        raise Invalid([Problem(str(root), None, None,
            f"there is no {ACTIONS}/ folder here: run psa-report inside a project "
            "folder, or name one with --project DIR")])

    def stray(path: Path, why: str) -> None:
        # A whole file is pointed at its first line (editors jump there); a folder has none.
        line = None if path.is_dir() else 1
        problems.append(Problem(display_path(root, path), line, line, why))

    for entry in sorted(actions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if entry.name in (DATA_GAPS_DIR, RECOMMENDATIONS_DIR):
                kind = "data_gap" if entry.name == DATA_GAPS_DIR else "recommendation"
                for path in sorted(entry.rglob("*")):
                    if any(part.startswith(".") for part in path.relative_to(entry).parts):
                        continue
                    if path.is_dir():
                        continue
                    if path.suffix.lower() in YAML_SUFFIXES:
                        found[kind].append(path)
                    else:
                        stray(path, "not a YAML file: only .yaml files belong in actions/ "
                              "(move this file elsewhere, or rename it to .yaml if it "
                              "is an action)")
            else:
                near = get_close_matches(entry.name, [DATA_GAPS_DIR, RECOMMENDATIONS_DIR], 1)
                hint = f" (did you mean {near[0]}/?)" if near else ""
                stray(entry, f"unexpected folder{hint}: actions/ holds only "
                      f"{DATA_GAPS_DIR}/, {RECOMMENDATIONS_DIR}/, {REPORT_FILE} and "
                      f"{AGENCIES_FILE}")
        elif entry.name == REPORT_FILE:
            found["report"].append(entry)
        elif entry.name == AGENCIES_FILE:
            found["agencies"].append(entry)
        elif entry.suffix.lower() in YAML_SUFFIXES:
            stray(entry, f"unexpected file: data gaps go in actions/{DATA_GAPS_DIR}/ and "
                  f"recommendations in actions/{RECOMMENDATIONS_DIR}/; the only files "
                  f"directly in actions/ are {REPORT_FILE} and {AGENCIES_FILE}")
        else:
            stray(entry, "not a YAML file: only .yaml files belong in actions/ "
                  "(move this file elsewhere)")
    for kind, name in (("report", REPORT_FILE), ("agencies", AGENCIES_FILE)):
        if not found[kind]:
            problems.append(Problem(f"{ACTIONS}/{name}", None, None,
                "this file is missing: every project needs it (see README.md, "
                "'The files in actions/')"))
    return found, problems


def _fields_hint(model: type) -> str:
    return ", ".join(model.model_fields)


def translate(doc: Document, error: ValidationError, model: Any) -> list[Problem]:
    """Turn pydantic's errors into problems at the user's lines, in the user's words."""
    problems = []
    fields = list(getattr(model, "model_fields", {}))
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        kind = detail["type"]
        key = False
        if loc and loc[-1] == "[key]":  # a dict key was refused
            loc, key = loc[:-1], True
        name = ".".join(str(p) for p in loc if isinstance(p, str)) or "file"
        if kind == "extra_forbidden":
            near = get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            message = (f"unknown field {loc[-1]!r}.{hint} The fields are: {', '.join(fields)}")
            problems.append(doc.problem(loc, message, key=True))
            continue
        if kind == "missing":
            message = (f"missing field {loc[-1]!r}: add a line `{loc[-1]}: ...` "
                       f"(the fields are: {', '.join(fields)})")
            problems.append(doc.problem(loc[:-1], message))
            continue
        if kind == "psa":
            message = detail["msg"]
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            message = "must be a group of `name: value` lines"
        elif kind == "list_type":
            message = "must be a list, one item per line starting with '- '"
        elif kind == "too_short":
            message = "must not be empty"
        else:
            message = detail["msg"]
        problems.append(doc.problem(loc, f"{name}: {message}", key=key))
    return problems


def _validate(doc: Document, model: Any, context: dict | None, problems: list[Problem]):
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        problems.append(doc.problem((), f"the file holds {what}, but it must hold fields, "
                                    "one `name: value` per line (like `ref: 3.2.1`)"))
        return None
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(doc.data, context=context)
        return model.model_validate(doc.data, context=context)
    except ValidationError as error:
        problems.extend(translate(doc, error, model))
        return None


def load_project(root: Path) -> Project:
    """Load and validate every file under ``root/actions``; raise :class:`Invalid`."""
    root = Path(root)
    found, problems = find_action_files(root)

    def load(path: Path) -> Document | None:
        try:
            return load_file(path, display_path(root, path))
        except Invalid as invalid:
            problems.extend(invalid.problems)
            return None

    report = agencies = report_doc = None
    for path in found["report"]:
        if report_doc := load(path):
            report = _validate(report_doc, Report, None, problems)
    for path in found["agencies"]:
        if doc := load(path):
            agencies = _validate(doc, _AGENCIES, None, problems)
    context = {"agencies": agencies} if agencies is not None else None

    items: dict[str, list[tuple[Any, Document]]] = {"data_gap": [], "recommendation": []}
    for kind, model in (("data_gap", DataGap), ("recommendation", Recommendation)):
        for path in found[kind]:
            doc = load(path)
            if doc is None:
                continue
            item = _validate(doc, model, context, problems)
            if item is None:
                continue
            if path.stem != item.ref:
                problems.append(doc.problem(("ref",),
                    f"ref: the file is named {path.name} but its ref is {item.ref}: "
                    f"rename the file to {item.ref}{path.suffix} or correct the ref"))
            items[kind].append((item, doc))

    sources: dict[str, str] = {}
    refs: dict[str, Document] = {}
    for item, doc in items["data_gap"] + items["recommendation"]:
        if item.ref in refs:
            first = refs[item.ref]
            line = first.mark(("ref",))[0]
            problems.append(doc.problem(("ref",),
                f"ref: {item.ref} is also the ref of {first.display}:{line}; each data "
                "gap and recommendation needs its own ref: change one of them"))
        else:
            refs[item.ref] = doc
            sources[item.ref] = doc.display

    data_gaps = sorted((i for i, _ in items["data_gap"]), key=lambda g: g.sort_key)
    recommendations = sorted((i for i, _ in items["recommendation"]),
                             key=lambda r: r.sort_key)
    if report is not None:
        sections = {gap.section for gap in data_gaps}
        for number in report.sections:
            if number not in sections:
                problems.append(report_doc.problem(("sections", number),
                    f"sections: no data gap is in section {number}, so its heading would "
                    "never print: correct the number or remove the heading", key=True))
    if problems:
        raise Invalid(problems)
    return Project(root, report, agencies, data_gaps, recommendations, sources)
