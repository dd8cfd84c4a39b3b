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
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import bilingual
from .fieldtypes import did_you_mean
from .loader import Document, load_file
from .models import Refused, Report
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


@dataclass(frozen=True)
class Documents:
    """The files a project was read from: report.yaml, each item's (keyed as
    :attr:`Project.sources` is) and agencies.yaml if there is one."""

    report: Document
    items: dict[str, Document]
    agencies: Document | None = None


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
    #: things worth a look that do not stop the report, found in its files: filled in by
    #: whoever validates it (validate.validate, with validate.file_warnings)
    warnings: list[Problem] = field(default_factory=list)
    #: ref -> field name -> (line, column) of its value, for messages about an item
    marks: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    #: report.yaml's field name -> (line, column) of its value
    report_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    report_file: str = f"{ACTIONS}/{REPORT_FILE}"
    #: short name -> email address, for the agencies agencies.yaml gives one
    agency_emails: dict[str, str] = field(default_factory=dict)
    #: short name -> the language of an agency that gives one (agencies.yaml's
    #: ``language:``); see :meth:`agency_language`
    agency_languages: dict[str, str] = field(default_factory=dict)
    #: the files it was read from, for warnings at their lines (validate.file_warnings)
    documents: Documents | None = field(default=None, repr=False, compare=False)

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

    def agency_language(self, code: str) -> str:
        """The language an agency's update requests go out in: its ``language:`` in
        agencies.yaml, else the plan's main language (the partnership's own: the main)."""
        return self.agency_languages.get(code) or self.languages[0]

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


def translate(doc: Document, error: Refused, model: Any) -> list[Problem]:
    """Turn a record's refusal into problems at the user's lines, in the user's words."""
    problems = []
    fields = [f.name for f in model.FIELDS]
    for loc, kind, message in error.errors:
        name = ".".join(str(p) for p in loc if isinstance(p, str)) or "file"
        if kind == "unknown":
            message = (f"unknown field {loc[-1]!r}.{did_you_mean(str(loc[-1]), fields)} "
                       f"The fields are: {', '.join(fields)}")
            problems.append(doc.problem(loc, message, key=True))
            continue
        if kind == "missing":
            message = (f"missing field {loc[-1]!r}: add a line `{loc[-1]}: ...` "
                       f"(the fields are: {', '.join(fields)})")
            problems.append(doc.problem(loc[:-1], message))
            continue
        problem = doc.problem(loc, f"{name}: {message}")
        if message.startswith("is empty") and comment_on(doc, problem.line):
            problem = Problem(problem.file, problem.line, problem.column,
                f"{name}: is empty, because `#` after a space starts a comment in YAML, "
                f"so the rest of the line is not read: put the text in quotes, like "
                f"{loc[-1]}: \"{doc.lines[(problem.line or 1) - 1].partition(':')[2].strip()}\"")
        problems.append(problem)
    return problems


def _validate(doc: Document, model: Any, problems: list[Problem]):
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        problems.append(doc.problem((), f"the file holds {what}, but it must hold fields, "
                                    "one `name: value` per line (like `ref: 3.2.1`)"))
        return None
    try:
        return model.read(doc.data)
    except Refused as error:
        problems.extend(translate(doc, error, model))
        return None


def load_project(root: Path, kept: KeptFiles | None = None) -> Project:
    """Load and validate every file under ``root/actions``; raise :class:`Invalid`.
    With ``kept`` (the preview's), only the files changed since the last load are read
    and checked again (see :class:`KeptFiles`)."""
    root = Path(root)
    paths, problems = scan_actions(root)
    return build_project(root, paths, lambda path: load_file(root / path, path),
                         found_problems=problems, kept=kept)


class KeptFiles:
    """What the preview keeps between saves (issue 31): each file of a project as last
    read (its :class:`Document`, by path, size, mtime_ns and inode) and what checking it
    found (its item, or its problems), so a save re-reads and re-checks only the files
    that changed. The checks across files (a ref given twice, a file named after
    another ref, the sections and the example texts) run on every load, on the kept
    values. plan.yaml, report.yaml and agencies.yaml are what every item is checked
    against: a change to any of them drops everything kept. A file gone is forgotten; a
    file changed in the last two seconds is not kept (see :attr:`RECENT`)."""

    SHARED = tuple(f"{ACTIONS}/{name}" for name in (PLAN_FILE, REPORT_FILE, AGENCIES_FILE))
    #: A file changed this recently (nanoseconds) may change again within the same tick
    #: of the file system's clock, at the same size: it is read again next time, as git
    #: does with its "racily clean" files (FAT's clock ticks every 2 seconds).
    RECENT = 2_000_000_000

    def __init__(self, root: Path):
        self.root = Path(root)
        self._folder = os.fspath(self.root)
        self._docs: dict[str, tuple[tuple[int, int, int], Document]] = {}
        #: path -> (the Document checked, its number, its item or its problems)
        self._checked: dict[str, tuple[Document, int, Item | list[Problem]]] = {}
        self._shape: tuple[Document, Shape] | None = None
        self._shared: tuple | None = None

    def _stamp(self, path: str) -> tuple[int, int, int] | None:
        try:
            found = os.stat(os.path.join(self._folder, path))  # (no Path: 1,000 of them)
        except OSError:  # gone since the scan: read as usual (which says why)
            return None
        return found.st_size, found.st_mtime_ns, found.st_ino

    def reader(self, paths: list[str], read: Callable[[str], Document]
               ) -> Callable[[str], Document]:
        """``read``, answering from what is kept for a file unchanged since it was read."""
        now = time.time_ns()
        shared = tuple(self._stamp(path) if path in paths else None for path in self.SHARED)
        if shared != self._shared or any(stamp is not None and stamp[1] > now - self.RECENT
                                         for stamp in shared):
            self._docs.clear()
            self._checked.clear()
            self._shape = None
            self._shared = shared
        present = set(paths)
        for gone in [path for path in self._docs if path not in present]:
            del self._docs[gone]
            self._checked.pop(gone, None)

        def kept_read(path: str) -> Document:
            stamp = self._stamp(path)  # before reading: a change while reading is seen next time
            held = self._docs.get(path)
            if stamp is not None and held is not None and held[0] == stamp:
                return held[1]
            doc = read(path)
            if stamp is not None and stamp[1] <= now - self.RECENT:
                self._docs[path] = (stamp, doc)
            else:
                self._docs.pop(path, None)
            return doc

        return kept_read

    def shape(self, doc: Document, make: Callable[[Document], Shape]) -> Shape:
        """plan.yaml's shape, made once for the Document read (the kept items' kinds
        are this shape's)."""
        if self._shape is None or self._shape[0] is not doc:
            self._shape = (doc, make(doc))
        return self._shape[1]

    def checked(self, path: str, doc: Document, number: int) -> Item | list[Problem] | None:
        """What checking ``doc`` found last time; None if the file was read again since
        (or its place among its kind's files moved)."""
        held = self._checked.get(path)
        if held is None or held[0] is not doc or held[1] != number:
            return None
        return held[2]

    def keep(self, path: str, doc: Document, number: int,
             found: Item | list[Problem]) -> None:
        self._checked[path] = (doc, number, found)


def read_report(root: Path) -> Report:
    """report.yaml alone, read in the plan's languages as a whole load reads it (for the
    commands that need nothing else: the figures)."""
    display = f"{ACTIONS}/{REPORT_FILE}"
    path = Path(root) / display
    if not path.is_file():
        raise Invalid([Problem(str(root), None, None,
            f"there is no {display} here: run psa-report inside a project folder, or name "
            "one with --project DIR")])
    doc = load_file(path, display)
    problems: list[Problem] = []
    with bilingual.languages(_languages([display], lambda _: doc, ())):
        report = _validate(doc, Report, problems)
    if problems:
        raise Invalid(problems)
    return report


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
                  found_problems: Collection[Problem] = (),
                  kept: KeptFiles | None = None) -> Project:
    """Validate the files at ``paths`` (relative to ``root``), each parsed by ``read``.

    The files may come from the folder or from a git ``revision`` (see history.py).
    ``found_problems`` are those met while finding the files (see :func:`scan_actions`).
    ``kept``: what an earlier load of the same folder kept (see :class:`KeptFiles`).
    Every text is read in the plan's languages (report.yaml's ``languages``, see
    bilingual.py), plan.yaml's too, so report.yaml's is read first.
    """
    if kept is not None:  # the preview's files as kept: read again only when changed
        read = kept.reader(paths, read)
    read = _once(read)
    with bilingual.languages(_languages(paths, read, found_problems)):
        return _build_project(root, paths, read, revision, found_problems=found_problems,
                              kept=kept)


def _once(read: Callable[[str], Document]) -> Callable[[str], Document]:
    """``read``, each file read once (report.yaml is looked at before the rest)."""
    done: dict[str, Document] = {}

    def once(path: str) -> Document:
        if path not in done:
            done[path] = read(path)
        return done[path]

    return once


def _languages(paths: list[str], read: Callable[[str], Document],
               found_problems: Collection[Problem]) -> tuple[str, ...] | None:
    """report.yaml's ``languages`` (English alone when there is no report.yaml or it
    gives none); None when they cannot be known, report.yaml or its ``languages`` not
    read: the mistake is reported at its line when report.yaml is checked, and the other
    files' texts are read in every language (bilingual.EVERY), none refused against a
    guess."""
    path = f"{ACTIONS}/{REPORT_FILE}"
    if path not in paths:
        return ("en",)
    if path in {problem.file for problem in found_problems}:
        return None
    try:
        data = read(path).data
    except Invalid:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("languages") is None:
        return ("en",)
    try:
        return bilingual.check_languages(data["languages"])
    except ValueError:
        return None


def _build_project(root: Path, paths: list[str], read: Callable[[str], Document],
                   revision: str | None = None, *,
                   found_problems: Collection[Problem] = (),
                   kept: KeptFiles | None = None) -> Project:
    refused = {problem.file for problem in found_problems}
    shape = _read_plan(paths, read, refused, found_problems, kept)
    found, problems = classify(paths, refused, shape)
    problems.extend(found_problems)
    load = _loader(read, problems)

    report = agencies = report_doc = None
    agency_emails: dict[str, str] = {}
    agency_languages: dict[str, str] = {}
    for path in found["report"]:
        if report_doc := load(path):
            report = _validate(report_doc, Report, problems)
    agencies_doc = None
    for path in found["agencies"]:
        if doc := load(path):
            agencies, bad, agency_emails = read_agencies(doc, with_emails=True,
                                                          languages=agency_languages)
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
            item = None if kept is None else kept.checked(path, doc, number)
            if item is None:
                item = _check_item(shape, kind, doc, agencies, path, number)
                if kept is not None:
                    kept.keep(path, doc, number, item)
            if isinstance(item, list):
                problems.extend(item)
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
    # Each file missing or wrong is a problem raised above.
    assert report is not None and agencies is not None and report_doc is not None
    project = Project(root, report, agencies, shape,
                      {name: sort_items(items) for name, items in kind_items.items()},
                      sources, agency_emails=agency_emails,
                      agency_languages=agency_languages)
    return _finish(project, report_doc, docs, agencies_doc)


def _check_item(shape: Shape, kind: Kind, doc: Document, agencies: dict[str, str] | None,
                path: str, number: int) -> Item | list[Problem]:
    """One item's file on its own: its item, or what is wrong with it."""
    if misfiled := _misfiled(shape, kind, doc):
        return [misfiled]
    try:
        return validate_item(doc, kind, shape, agencies, source=path, number=number)
    except Invalid as invalid:
        return list(invalid.problems)


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
    """Where each value of each file is (for messages), and the files themselves (for
    the warnings validate.file_warnings finds in them)."""
    project.marks = {ref: {path[0]: mark for path, mark in doc.value_marks.items()
                           if len(path) == 1} for ref, doc in docs.items()}
    project.report_marks = {path[0]: mark for path, mark in report_doc.value_marks.items()
                            if len(path) == 1}
    project.report_file = report_doc.display
    project.documents = Documents(report_doc, docs, agencies_doc)
    return project


# ---------------------------------------------------------------- the plan's own shape


def _read_plan(paths: list[str], read: Callable[[str], Document], refused: Collection[str],
               found_problems: Collection[Problem], kept: KeptFiles | None = None) -> Shape:
    """actions/plan.yaml's shape (the shipped default without one). A mistake in it is
    reported before anything else is checked: :class:`Invalid` with its problems only."""
    path = f"{ACTIONS}/{PLAN_FILE}"
    if path in refused:  # there, but not read (a link leading outside, say)
        raise Invalid([p for p in found_problems if p.file == path])
    if path not in paths:
        return default_shape()
    if kept is not None:
        return kept.shape(read(path), shape_from_document)
    return shape_from_document(read(path))
