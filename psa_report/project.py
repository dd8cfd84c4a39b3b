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

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .loader import Document, load_file
from .models import Agencies, DataGap, Recommendation, Report, ref_key
from .problems import Invalid, Problem, warning

ACTIONS = "actions"
REPORT_FILE = "report.yaml"
AGENCIES_FILE = "agencies.yaml"
DATA_GAPS_DIR = "data-gaps"
RECOMMENDATIONS_DIR = "recommendations"
YAML_SUFFIXES = (".yaml", ".yml")

_AGENCIES = TypeAdapter(Agencies)

#: The texts ``psa-report new`` writes for the user to replace. Left as they are,
#: they would reach the committee, so ``check`` warns about them.
PLACEHOLDERS = {
    "gap": "Describe the data gap here.",
    "action": "Describe the agreed action here.",
    "recommendation": "Describe the recommendation here.",
}


@dataclass(frozen=True)
class Source:
    """Where an item came from: a file of the project, on disk or at a git revision."""

    path: str  # relative to the project: actions/data-gaps/3.2.1.yaml
    revision: str | None = None  # the git revision it was read at; None: the files on disk

    def __str__(self) -> str:
        return self.path if self.revision is None else f"{self.revision}:{self.path}"


@dataclass
class Project:
    """A validated action plan."""

    root: Path
    report: Report
    agencies: dict[str, str]
    data_gaps: list[DataGap]
    recommendations: list[Recommendation]
    #: ref -> the file it came from
    sources: dict[str, Source] = field(default_factory=dict)
    #: things worth a look that do not stop the report (see :func:`_warnings`)
    warnings: list[Problem] = field(default_factory=list)
    #: ref -> field name -> (line, column) of its value, for messages about an item
    marks: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def where(self, ref: str, name: str) -> tuple[str, int | None, int | None]:
        """(file, line, column) of a field of an item, for a Problem."""
        line, column = self.marks.get(ref, {}).get(name, (None, None))
        return str(self.sources[ref]), line, column

    @property
    def items(self) -> list[DataGap | Recommendation]:
        return [*self.data_gaps, *self.recommendations]

    def find(self, ref: str) -> DataGap | Recommendation | None:
        return next((item for item in self.items if item.ref == ref), None)


def find_project(start: Path) -> Path | None:
    """The nearest folder, ``start`` or above it, holding ``actions/report.yaml``."""
    for folder in (start, *start.parents):
        if (folder / ACTIONS / REPORT_FILE).is_file():
            return folder
    return None


def display_path(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def list_action_files(root: Path) -> list[str]:
    """Every file under ``root/actions`` as a posix path relative to ``root``, hidden ones left out."""
    actions = root / ACTIONS
    if not actions.is_dir():
        raise Invalid([Problem(str(root), None, None,
            f"there is no {ACTIONS}/ folder here: run psa-report inside a project "
            "folder, or name one with --project DIR")])
    found = []
    for folder, subfolders, files in os.walk(actions):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        base = Path(folder).relative_to(root)
        found += [(base / name).as_posix() for name in files if not name.startswith(".")]
    return sorted(found)


def classify(paths: list[str]) -> tuple[dict[str, list[str]], list[Problem]]:
    """Sort the files of ``actions/`` by kind; report every file that does not belong."""
    problems: list[Problem] = []
    found: dict[str, list[str]] = {"report": [], "agencies": [], "data_gap": [],
                                   "recommendation": []}
    folders_reported: set[str] = set()
    for path in paths:
        parts = path.split("/")[1:]  # below actions/
        name = parts[-1]
        is_yaml = name.lower().endswith(YAML_SUFFIXES)
        if len(parts) == 1:
            if name == REPORT_FILE:
                found["report"].append(path)
            elif name == AGENCIES_FILE:
                found["agencies"].append(path)
            elif is_yaml:
                problems.append(Problem(path, 1, 1,
                    f"unexpected file: data gaps go in actions/{DATA_GAPS_DIR}/ and "
                    f"recommendations in actions/{RECOMMENDATIONS_DIR}/; the only files "
                    f"directly in actions/ are {REPORT_FILE} and {AGENCIES_FILE}"))
            else:
                problems.append(Problem(path, 1, 1, "not a YAML file: only .yaml files "
                                        "belong in actions/ (move this file elsewhere)"))
        elif parts[0] in (DATA_GAPS_DIR, RECOMMENDATIONS_DIR):
            if is_yaml:
                found["data_gap" if parts[0] == DATA_GAPS_DIR else "recommendation"].append(
                    path)
            else:
                problems.append(Problem(path, 1, 1,
                    "not a YAML file: only .yaml files belong in actions/ (move this file "
                    "elsewhere, or rename it to .yaml if it is an action)"))
        elif parts[0] not in folders_reported:
            folders_reported.add(parts[0])
            near = get_close_matches(parts[0], [DATA_GAPS_DIR, RECOMMENDATIONS_DIR], 1)
            hint = f" (did you mean {near[0]}/?)" if near else ""
            problems.append(Problem(f"{ACTIONS}/{parts[0]}", None, None,
                f"unexpected folder{hint}: actions/ holds only {DATA_GAPS_DIR}/, "
                f"{RECOMMENDATIONS_DIR}/, {REPORT_FILE} and {AGENCIES_FILE}"))
    for kind, name in (("report", REPORT_FILE), ("agencies", AGENCIES_FILE)):
        if not found[kind]:
            problems.append(Problem(f"{ACTIONS}/{name}", None, None,
                "this file is missing: every project needs it (see README.md, "
                "'The files in actions/')"))
    return found, problems


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
    return build_project(root, list_action_files(root),
                         lambda path: load_file(root / path, path))


def build_project(root: Path, paths: list[str], read: Callable[[str], Document],
                  revision: str | None = None) -> Project:
    """Validate the files at ``paths`` (relative to ``root``), each parsed by ``read``.

    The files may come from the folder or from a git ``revision`` (see history.py).
    """
    found, problems = classify(paths)

    def load(path: str) -> Document | None:
        try:
            return read(path)
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

    items: dict[str, list[tuple[Any, Document, str]]] = {"data_gap": [],
                                                         "recommendation": []}
    for kind, model in (("data_gap", DataGap), ("recommendation", Recommendation)):
        for path in found[kind]:
            doc = load(path)
            if doc is None:
                continue
            item = _validate(doc, model, context, problems)
            if item is None:
                continue
            stem, suffix = os.path.splitext(path.rsplit("/", 1)[-1])
            if stem != item.ref:
                problems.append(doc.problem(("ref",),
                    f"ref: the file is named {stem}{suffix} but its ref is {item.ref}: "
                    f"rename the file to {item.ref}{suffix} or correct the ref"))
            items[kind].append((item, doc, path))

    sources: dict[str, Source] = {}
    refs: dict[str, Document] = {}
    docs: dict[str, Document] = {}
    for item, doc, path in items["data_gap"] + items["recommendation"]:
        if item.ref in refs:
            first = refs[item.ref]
            line = first.mark(("ref",))[0]
            problems.append(doc.problem(("ref",),
                f"ref: {item.ref} is also the ref of {first.display}:{line}; each data "
                "gap and recommendation needs its own ref: change one of them"))
        else:
            refs[item.ref] = docs[item.ref] = doc
            sources[item.ref] = Source(path, revision)

    data_gaps = sorted((i for i, _, _ in items["data_gap"]), key=lambda g: ref_key(g.ref))
    recommendations = sorted((i for i, _, _ in items["recommendation"]),
                             key=lambda r: ref_key(r.ref))
    if problems:
        raise Invalid(problems)
    project = Project(root, report, agencies, data_gaps, recommendations, sources)
    project.marks = {ref: {path[0]: mark for path, mark in doc.value_marks.items()
                           if len(path) == 1} for ref, doc in docs.items()}
    project.warnings = _warnings(project, report_doc, docs)
    return project


def _warnings(project: Project, report_doc: Document,
              docs: dict[str, Document]) -> list[Problem]:
    """What is valid but should not reach the committee unnoticed."""
    found = []
    sections = {gap.section for gap in project.data_gaps}
    for number in project.report.sections:
        if number not in sections:
            line, column = report_doc.mark(("sections", number), key=True)
            found.append(warning(report_doc.display, line, column,
                f"sections: no data gap is in section {number}, so its heading will not "
                "print: correct the number, add the data gaps, or remove the heading"))
    for item in project.items:
        doc = docs[item.ref]
        for name, text in PLACEHOLDERS.items():
            if getattr(item, name, None) == text:
                line, column = doc.mark((name,))
                found.append(warning(doc.display, line, column,
                    f"{name}: still the example text {text!r} that psa-report wrote: "
                    "replace it with the real text before the report goes out"))
    return found
