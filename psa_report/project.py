"""Stage 2b, validate the whole plan: find the files, check each, then check across files.

A project is a folder holding ``actions/``::

    actions/report.yaml            the covering page and metadata
    actions/agencies.yaml          lead agencies: short name -> full name
    actions/data-gaps/*.yaml       one data gap per file, named after its ref (3.2.1.yaml)
    actions/recommendations/*.yaml one recommendation per file (R1.yaml)

Sub-folders inside ``data-gaps/`` and ``recommendations/`` are allowed for the
user's own filing.  Hidden files (``.gitkeep``) and Office lock files (``~$x.docx``)
are skipped; anything else that is not a ``.yaml``/``.yml`` file is an error, so
nothing the user put there is silently ignored.

Only the project's own files are read: a link (symlink) is followed only while
it leads somewhere inside the project folder, a folder that cannot be read is an
error (never "0 data gaps"), and pipes, sockets and devices are never opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import bilingual
from .loader import Document, load_file
from .models import Report
from .problems import Invalid, Problem
from .scan import (  # noqa: F401 - the names other modules import from here
    ACTIONS,
    AGENCIES_FILE,
    REPORT_FILE,
    YAML_SUFFIXES,
    classify,
    ignored,
    scan_actions,
)
from .shape import (
    PLAN_FILE,
    Item,
    Kind,
    Shape,
    StatusDef,
    comment_on,
    default_shape,
    read_agencies,
    shape_from_document,
    sort_items,
    validate_item,
)

#: The texts ``psa-report new`` writes for the user to replace. Left as they are,
#: they would reach the committee, so ``check`` warns about them.
PLACEHOLDERS = {
    "gap": "Describe the data gap here.",
    "action": "Describe the agreed action here.",
    "recommendation": "Describe the recommendation here.",
}

#: The example texts ``psa-report init`` writes into report.yaml and agencies.yaml for
#: the user to replace: what only the partnership can know (its name, its meeting, its
#: sections' headings, its agencies' names, its covering paragraphs). ``check`` warns
#: about each left as written. The title, the author and the two intros init writes are
#: words a real plan keeps as they are (the shipped plan does), so they are not examples.
REPORT_EXAMPLES = {
    "partnership": "Our Community Safety Partnership",
    "meeting": "Community Safety Partnership",
}
SECTION_EXAMPLE = "Example section"
PARAGRAPH_EXAMPLES = (
    "This report details the progress made against the data requirements and "
    "recommendations which form the action plan for the Partnership Strategic Assessment.",
    "Members are asked to review the progress report.",
)
AGENCY_EXAMPLES = {"Council": "The Borough Council", "Police": "The Police"}


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
    #: the plan's shape: actions/plan.yaml's, or the shipped default one
    shape: Shape
    #: kind name -> its items, in ref order
    kind_items: dict[str, list[Item]] = field(default_factory=dict)
    #: ref -> the file it came from
    sources: dict[str, Source] = field(default_factory=dict)
    #: things worth a look that do not stop the report (see :func:`_warnings`)
    warnings: list[Problem] = field(default_factory=list)
    #: ref -> field name -> (line, column) of its value, for messages about an item
    marks: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    #: report.yaml's field name -> (line, column) of its value
    report_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    report_file: str = f"{ACTIONS}/{REPORT_FILE}"
    #: short name -> email address, for the agencies agencies.yaml gives one
    agency_emails: dict[str, str] = field(default_factory=dict)

    def where(self, ref: str, name: str) -> tuple[str, int | None, int | None]:
        """(file, line, column) of a field of an item, for a Problem."""
        line, column = self.marks.get(ref, {}).get(name, (None, None))
        return str(self.sources[ref]), line, column

    @property
    def items(self) -> list:
        """Every item, kind by kind in the shape's order, each kind in ref order."""
        return [item for _, items in self.kinds for item in items]

    @property
    def kinds(self) -> list[tuple[Kind, list[Item]]]:
        """Each kind of the plan's shape with its items."""
        return [(kind, self.kind_items.get(kind.name, [])) for kind in self.shape.kinds]

    @property
    def statuses(self) -> list[StatusDef]:
        """The plan's statuses, best first, as plan.yaml declares them."""
        return list(self.shape.statuses)

    @property
    def languages(self) -> tuple[str, ...]:
        """The plan's languages, its main one first (report.yaml's ``languages``)."""
        return self.report.languages

    def find(self, ref: str):
        return next((item for item in self.items if item.ref == ref), None)


def find_project(start: Path) -> Path | None:
    """The nearest folder, ``start`` or above it, holding ``actions/report.yaml``."""
    for folder in (start, *start.parents):
        if (folder / ACTIONS / REPORT_FILE).is_file():
            return folder
    return None


def list_action_files(root: Path) -> list[str]:
    """Every file under ``root/actions`` as a posix path relative to ``root``.

    Raises :class:`Invalid` if anything there cannot be read (see :func:`scan_actions`).
    """
    paths, problems = scan_actions(root)
    if problems:
        raise Invalid(problems)
    return paths


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
        problem = doc.problem(loc, f"{name}: {message}", key=key)
        if message.startswith("is empty") and comment_on(doc, problem.line):
            problem = Problem(problem.file, problem.line, problem.column,
                f"{name}: is empty, because `#` after a space starts a comment in YAML, "
                f"so the rest of the line is not read: put the text in quotes, like "
                f"{loc[-1]}: \"{doc.lines[problem.line - 1].partition(':')[2].strip()}\"")
        problems.append(problem)
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
    paths, problems = scan_actions(root)
    return build_project(root, paths, lambda path: load_file(root / path, path),
                         found_problems=problems)


def _loader(read: Callable[[str], Document],
            problems: list[Problem]) -> Callable[[str], Document | None]:
    """``read``, with a file that cannot be read noted in ``problems`` (and None)."""
    def load(path: str) -> Document | None:
        try:
            return read(path)
        except Invalid as invalid:
            problems.extend(invalid.problems)
            return None

    return load


def build_project(root: Path, paths: list[str], read: Callable[[str], Document],
                  revision: str | None = None, *,
                  found_problems: Collection[Problem] = ()) -> Project:
    """Validate the files at ``paths`` (relative to ``root``), each parsed by ``read``.

    The files may come from the folder or from a git ``revision`` (see history.py).
    ``found_problems`` are those met while finding the files (see :func:`scan_actions`).
    Every text is read in the plan's languages (report.yaml's ``languages``, see
    bilingual.py), plan.yaml's too, so report.yaml's is read first.
    """
    read = _once(read)
    with bilingual.languages(_languages(paths, read, found_problems)):
        return _build_project(root, paths, read, revision, found_problems=found_problems)


def _once(read: Callable[[str], Document]) -> Callable[[str], Document]:
    """``read``, each file read once (report.yaml is looked at before the rest)."""
    done: dict[str, Document] = {}

    def once(path: str) -> Document:
        if path not in done:
            done[path] = read(path)
        return done[path]

    return once


def _languages(paths: list[str], read: Callable[[str], Document],
               found_problems: Collection[Problem]) -> tuple[str, ...]:
    """report.yaml's ``languages`` (English alone when it gives none, or cannot be read:
    the mistake is reported at its line when report.yaml is checked)."""
    path = f"{ACTIONS}/{REPORT_FILE}"
    if path not in paths or path in {problem.file for problem in found_problems}:
        return ("en",)
    try:
        data = read(path).data
    except Invalid:
        return ("en",)
    if not isinstance(data, dict) or data.get("languages") is None:
        return ("en",)
    try:
        return bilingual.check_languages(data["languages"])
    except ValueError:
        return ("en",)


def _build_project(root: Path, paths: list[str], read: Callable[[str], Document],
                   revision: str | None = None, *,
                   found_problems: Collection[Problem] = ()) -> Project:
    refused = {problem.file for problem in found_problems}
    shape = _read_plan(paths, read, refused, found_problems)
    found, problems = classify(paths, refused, shape)
    problems.extend(found_problems)
    load = _loader(read, problems)

    report = agencies = report_doc = None
    agency_emails: dict[str, str] = {}
    for path in found["report"]:
        if report_doc := load(path):
            report = _validate(report_doc, Report, None, problems)
    agencies_doc = None
    for path in found["agencies"]:
        if doc := load(path):
            agencies, bad, agency_emails = read_agencies(doc, with_emails=True)
            agencies_doc = doc
            problems.extend(bad)

    kind_items: dict[str, list[Item]] = {}
    docs: dict[str, Document] = {}
    sources: dict[str, Source] = {}
    for kind in shape.kinds:
        kind_items[kind.name] = []
        for number, path in enumerate(found[kind.key], 1):
            doc = load(path)
            if doc is None:
                continue
            if misfiled := _misfiled(shape, kind, doc):
                problems.append(misfiled)
                continue
            try:
                item = validate_item(doc, kind, shape, agencies, source=path, number=number)
            except Invalid as invalid:
                problems.extend(invalid.problems)
                continue
            stem, suffix = os.path.splitext(path.rsplit("/", 1)[-1])
            if kind.ref.style != "none" and not (kind.ref.valid(stem)
                                                 and kind.ref.parse(stem) == item.ref):
                problems.append(doc.problem(("ref",),
                    f"ref: the file is named {stem}{suffix} but its ref is {item.ref}: "
                    f"rename the file to {item.ref}{suffix} or correct the ref"))
            if kind.ref.style != "none" and item.ref in docs:
                first = docs[item.ref]
                problems.append(doc.problem(("ref",),
                    f"ref: {item.ref} is also the ref of {first.display}:"
                    f"{first.mark(('ref',))[0]}; each item needs its own ref: change one "
                    "of them"))
                continue
            key = item.ref if kind.ref.style != "none" else f"{kind.name} {item.ref}"
            docs[key] = doc
            sources[key] = Source(path, revision)
            kind_items[kind.name].append(item)
    if problems:
        raise Invalid(problems)
    project = Project(root, report, agencies, shape,
                      {name: sort_items(items) for name, items in kind_items.items()},
                      sources, agency_emails=agency_emails)
    return _finish(project, report_doc, docs, agencies_doc)


def _misfiled(shape: Shape, kind: Kind, doc: Document) -> Problem | None:
    """An item of another kind saved in this kind's folder: its ref has the other
    kind's form and not this one's, or it has a field only the other kind has."""
    if not isinstance(doc.data, dict):
        return None
    ref = doc.data.get("ref")
    ref = ref.strip() if isinstance(ref, str) else ""
    own = set(kind.field_names)
    for other in shape.kinds:
        if other is kind:
            continue
        why = None
        if (ref and other.ref.style != "none" and kind.ref.style != "none"
                and other.ref.valid(ref) and not kind.ref.valid(ref)):
            why, at, key = f"its ref is {ref}", ("ref",), False
        else:
            theirs = [name for name in doc.data if isinstance(name, str)
                      and name not in own and other.field(name) is not None]
            mine = [name for name in doc.data if isinstance(name, str) and name in own
                    and other.field(name) is None and name not in other.field_names]
            if theirs and not mine:
                why, at, key = f"it has a `{theirs[0]}:` field", (theirs[0],), True
        if why is not None:
            return doc.problem(at, f"this is a {other.name} ({why}), but it is saved in "
                               f"{ACTIONS}/{kind.folder}/: move the file to "
                               f"{ACTIONS}/{other.folder}/", key=key)
    return None


def _finish(project: Project, report_doc: Document, docs: dict[str, Document],
            agencies_doc: Document | None) -> Project:
    """Where each value of each file is (for messages), and the files' warnings."""
    from .validate import file_warnings  # the one home of warnings (it imports this module)

    project.marks = {ref: {path[0]: mark for path, mark in doc.value_marks.items()
                           if len(path) == 1} for ref, doc in docs.items()}
    project.report_marks = {path[0]: mark for path, mark in report_doc.value_marks.items()
                            if len(path) == 1}
    project.report_file = report_doc.display
    project.warnings = file_warnings(project, report_doc, docs, agencies_doc)
    return project


# ---------------------------------------------------------------- the plan's own shape


def _read_plan(paths: list[str], read: Callable[[str], Document], refused: Collection[str],
               found_problems: Collection[Problem]) -> Shape:
    """actions/plan.yaml's shape (the shipped default without one). A mistake in it is
    reported before anything else is checked: :class:`Invalid` with its problems only."""
    path = f"{ACTIONS}/{PLAN_FILE}"
    if path in refused:  # there, but not read (a link leading outside, say)
        raise Invalid([p for p in found_problems if p.file == path])
    if path not in paths:
        return default_shape()
    return shape_from_document(read(path))
