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
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .loader import Document, load_file
from .models import (
    REC_PATTERN,
    REF_PATTERN,
    Agencies,
    DataGap,
    Recommendation,
    Report,
    Status,
    ref_key,
    split_agencies,
)
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
    DEFAULT_KINDS,
    DEFAULT_SHAPE,
    DEFAULT_STATUSES,
    PLAN_FILE,
    Item,
    Kind,
    Shape,
    comment_on,
    read_agencies,
    shape_from_document,
    sort_items,
    validate_item,
)

DATA_GAPS_DIR = "data-gaps"
RECOMMENDATIONS_DIR = "recommendations"

_AGENCIES = TypeAdapter(Agencies)

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
    data_gaps: list[DataGap]
    recommendations: list[Recommendation]
    #: ref -> the file it came from
    sources: dict[str, Source] = field(default_factory=dict)
    #: things worth a look that do not stop the report (see :func:`_warnings`)
    warnings: list[Problem] = field(default_factory=list)
    #: ref -> field name -> (line, column) of its value, for messages about an item
    marks: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    #: report.yaml's field name -> (line, column) of its value
    report_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    report_file: str = f"{ACTIONS}/{REPORT_FILE}"
    #: the plan's shape: actions/plan.yaml's, or the default one
    shape: Shape = DEFAULT_SHAPE
    #: kind name -> its items, in ref order, for a shape today's models cannot hold
    #: (other statuses or kinds, or no status required); empty for the default shape,
    #: whose items are in ``data_gaps`` and ``recommendations``
    kind_items: dict[str, list[Item]] = field(default_factory=dict)
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
    def kinds(self) -> list[tuple[Kind, list]]:
        """Each kind of the plan's shape with its items (today's models for the default
        shape, :class:`shape.Item` for a declared one: both have ref, lead, status, due,
        kind and get(field))."""
        if not self.kind_items:
            return list(zip(self.shape.kinds, (self.data_gaps, self.recommendations),
                            strict=True))
        return [(kind, self.kind_items.get(kind.name, [])) for kind in self.shape.kinds]

    @property
    def statuses(self) -> list:
        """The plan's statuses, best first: today's Status for the default shape."""
        return list(Status) if not self.kind_items and self.shape.status_required \
            else list(self.shape.statuses)

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


def _misfiled(kind: str, doc: Document) -> Problem | None:
    """A recommendation saved in data-gaps/, or a data gap in recommendations/."""
    if not isinstance(doc.data, dict):
        return None
    ref = doc.data.get("ref")
    ref = ref.strip() if isinstance(ref, str) else ""
    if kind == "data_gap":
        what, field, other, here, there = ("a recommendation", "recommendation", "gap",
                                           DATA_GAPS_DIR, RECOMMENDATIONS_DIR)
        by_ref = re.fullmatch(REC_PATTERN, ref)
    else:
        what, field, other, here, there = ("a data gap", "gap", "recommendation",
                                           RECOMMENDATIONS_DIR, DATA_GAPS_DIR)
        by_ref = re.fullmatch(REF_PATTERN, ref)
    if by_ref:
        why = f"its ref is {ref}"
    elif field in doc.data and other not in doc.data:
        why = f"it has a `{field}:` field"
    else:
        return None
    return doc.problem(("ref",) if by_ref else (field,),
        f"this is {what} ({why}), but it is saved in {ACTIONS}/{here}/: move the file "
        f"to {ACTIONS}/{there}/", key=not by_ref)


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
    """
    refused = {problem.file for problem in found_problems}
    shape = _read_plan(paths, read, refused, found_problems)
    found, problems = classify(paths, refused, shape)
    problems.extend(found_problems)
    if not models_fit(shape):
        return _build_shaped(root, shape, found, read, revision, problems)

    load = _loader(read, problems)

    report = agencies = report_doc = None
    for path in found["report"]:
        if report_doc := load(path):
            report = _validate(report_doc, Report, None, problems)
    agencies_doc = None
    for path in found["agencies"]:
        if doc := load(path):
            agencies, agencies_doc = _validate(doc, _AGENCIES, None, problems), doc
    agency_emails: dict[str, str] = {}
    if agencies is not None:
        agencies, agency_emails = split_agencies(agencies)
    context = {"agencies": agencies} if agencies is not None else None

    items: dict[str, list[tuple[Any, Document, str]]] = {"data_gap": [],
                                                         "recommendation": []}
    for kind, model in (("data_gap", DataGap), ("recommendation", Recommendation)):
        for path in found[kind]:
            doc = load(path)
            if doc is None:
                continue
            if misfiled := _misfiled(kind, doc):
                problems.append(misfiled)
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
    project = Project(root, report, agencies, data_gaps, recommendations, sources,
                      shape=shape, agency_emails=agency_emails)
    return _finish(project, report_doc, docs, agencies_doc)


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
    """actions/plan.yaml's shape (DEFAULT_SHAPE without one). A mistake in it is
    reported before anything else is checked: :class:`Invalid` with its problems only."""
    path = f"{ACTIONS}/{PLAN_FILE}"
    if path in refused:  # there, but not read (a link leading outside, say)
        raise Invalid([p for p in found_problems if p.file == path])
    if path not in paths:
        return DEFAULT_SHAPE
    return shape_from_document(read(path))


def _validation_shape(kinds: tuple[Kind, ...]) -> tuple:
    """What decides how items are checked: not the words (labels, headings, intros),
    nor whether deadlines may be quarters."""
    return tuple((k.name, k.folder, k.ref, tuple((f.name, f.type, f.required, f.choices)
                                                 for f in k.fields)) for k in kinds)


def models_fit(shape: Shape) -> bool:
    """Whether today's models (DataGap, Recommendation, Status) hold this shape's items:
    the default shape, give or take its words."""
    if shape is DEFAULT_SHAPE:
        return True
    # today's Status reads every word of these statuses as the same status
    words_fit = [s.name for s in shape.statuses] == [s.name for s in DEFAULT_STATUSES] and all(
        DEFAULT_SHAPE.find_status(word) == DEFAULT_SHAPE.find_status(status.name)
        for status in shape.statuses for word in status.also)
    return (shape.status_required and words_fit
            and _validation_shape(shape.kinds) == _validation_shape(DEFAULT_KINDS))


def _build_shaped(root: Path, shape: Shape, found: dict[str, list[str]],
                  read: Callable[[str], Document], revision: str | None,
                  problems: list[Problem]) -> Project:
    """A project whose plan.yaml declares a shape of its own: items of each kind,
    validated by :func:`shape.validate_item`, in ``Project.kind_items``."""

    load = _loader(read, problems)

    report = agencies = report_doc = None
    agency_emails = {}
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
    project = Project(root, report, agencies, [], [], sources, shape=shape,
                      kind_items={name: sort_items(items) for name, items in kind_items.items()},
                      agency_emails=agency_emails)
    return _finish(project, report_doc, docs, agencies_doc)
