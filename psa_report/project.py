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

import errno
import os
import re
import stat
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .loader import Document, load_file, not_a_file
from .models import REC_PATTERN, REF_PATTERN, Agencies, DataGap, Recommendation, Report, ref_key
from .problems import Invalid, Problem

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
    #: report.yaml's field name -> (line, column) of its value
    report_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    report_file: str = f"{ACTIONS}/{REPORT_FILE}"

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


def ignored(name: str) -> bool:
    """Hidden files (.gitkeep, LibreOffice's .~lock.x#) and Word's lock files (~$x.docx)."""
    return name.startswith((".", "~$"))


def list_action_files(root: Path) -> list[str]:
    """Every file under ``root/actions`` as a posix path relative to ``root``.

    Raises :class:`Invalid` if anything there cannot be read (see :func:`scan_actions`).
    """
    paths, problems = scan_actions(root)
    if problems:
        raise Invalid(problems)
    return paths


def scan_actions(root: Path) -> tuple[list[str], list[Problem]]:
    """The files to read under ``root/actions`` (relative to ``root``), and what is wrong there.

    Walks with os.scandir rather than os.walk, which skips unreadable folders
    and links to folders without a word.  Each folder is read once, by its real
    path, so a link back to a folder above it cannot loop.
    """
    root = Path(root)
    project = os.path.realpath(root)
    found: list[str] = []
    problems: list[Problem] = []
    read: dict[str, str] = {}  # real path of each folder read -> as shown to the user

    def target(path: str, shown: str) -> str | None:
        """Where the link at ``path`` leads, if that is inside the project; else say why not."""
        try:
            real = os.path.realpath(path, strict=True)
        except OSError as error:
            if error.errno == errno.ELOOP:
                message = ("this link leads round a loop of links and never reaches a file "
                           "or folder: remove it")
            elif error.errno in (errno.ENOENT, errno.ENOTDIR):
                message = (f"this link points to {os.readlink(path)}, which does not exist "
                           "(a broken link): remove it, or put the files themselves here")
            else:  # a folder on the way cannot be searched, say
                message = (f"this link cannot be followed ({error.strerror or error}): "
                           "remove it, or put the files themselves here")
            problems.append(Problem(shown, None, None, message))
            return None
        try:
            inside = os.path.commonpath([project, real]) == project
        except ValueError:  # another drive, on Windows
            inside = False
        if not inside:
            problems.append(Problem(shown, None, None,
                f"this link points to {real}, outside the project folder, so it is not "
                "read: copy the files into the project instead of linking to them (the "
                "report must be made from the project's own files)"))
            return None
        return real

    actions = str(root / ACTIONS)
    if os.path.islink(actions) and target(actions, ACTIONS) is None:
        raise Invalid(problems)
    if not os.path.isdir(actions):
        raise Invalid([Problem(str(root), None, None,
            f"there is no {ACTIONS}/ folder here: run psa-report inside a project "
            "folder, or name one with --project DIR")])

    folders = [(actions, ACTIONS)]  # still to read: (path, as shown)
    while folders:
        folder, shown = folders.pop()
        real = os.path.realpath(folder)
        if real in read:
            problems.append(Problem(shown, None, None,
                f"this is the same folder as {read[real]}: a link leads from one to the "
                "other (a link to a folder above it makes a loop), so it is read only "
                "once: remove the link"))
            continue
        read[real] = shown
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name, reverse=True)
        except OSError as error:
            problems.append(Problem(shown, None, None,
                f"this folder cannot be read ({error.strerror or error}), so its files "
                "would be left out: give yourself permission to read it, or move it out "
                f"of {ACTIONS}/"))
            continue
        for entry in entries:  # in reverse, so that the stack pops them in order
            if ignored(entry.name):
                continue
            path, name = entry.path, f"{shown}/{entry.name}"
            try:
                if entry.is_symlink():
                    leads_to = target(path, name)
                    if leads_to is None:
                        continue
                    mode = os.stat(leads_to).st_mode
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as error:
                problems.append(Problem(name, None, None,
                                        f"cannot be read: {error.strerror or error}"))
                continue
            if stat.S_ISDIR(mode):
                folders.append((path, name))
            elif stat.S_ISREG(mode):
                found.append(name)
            else:  # a pipe would block the read, a device would never end
                problems.append(Problem(name, None, None, not_a_file(mode)))
    return sorted(found), problems


def classify(paths: list[str], refused: Collection[str] = ()
             ) -> tuple[dict[str, list[str]], list[Problem]]:
    """Sort the files of ``actions/`` by kind; report every file that does not belong.

    ``refused`` names files and folders that are there but were not read (a problem
    already says why), so the files in them are not reported missing as well.
    """
    problems: list[Problem] = []
    found: dict[str, list[str]] = {"report": [], "agencies": [], "data_gap": [],
                                   "recommendation": []}
    folders_reported: set[str] = set()
    for path in paths:
        parts = path.split("/")[1:]  # below actions/
        name = parts[-1]
        if ignored(name):  # a lock file committed to git, say
            continue
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
        path = f"{ACTIONS}/{name}"
        if not found[kind] and not any(path == r or path.startswith(r + "/")
                                       for r in refused):
            problems.append(Problem(f"{ACTIONS}/{name}", None, None,
                "this file is missing: every project needs it (see the guide, docs/start.md, "
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
        problem = doc.problem(loc, f"{name}: {message}", key=key)
        if message.startswith("is empty") and _comment_on(doc, problem.line):
            problem = Problem(problem.file, problem.line, problem.column,
                f"{name}: is empty, because `#` after a space starts a comment in YAML, "
                f"so the rest of the line is not read: put the text in quotes, like "
                f"{loc[-1]}: \"{doc.lines[problem.line - 1].partition(':')[2].strip()}\"")
        problems.append(problem)
    return problems


def _comment_on(doc: Document, line: int | None) -> bool:
    """Whether the value on this line is a comment (`update: #5 done`)."""
    if line is None or not 0 < line <= len(doc.lines):
        return False
    _, colon, value = doc.lines[line - 1].partition(":")
    return bool(colon) and value.lstrip().startswith("#")


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


def build_project(root: Path, paths: list[str], read: Callable[[str], Document],
                  revision: str | None = None, *,
                  found_problems: Collection[Problem] = ()) -> Project:
    """Validate the files at ``paths`` (relative to ``root``), each parsed by ``read``.

    The files may come from the folder or from a git ``revision`` (see history.py).
    ``found_problems`` are those met while finding the files (see :func:`scan_actions`).
    """
    found, problems = classify(paths, {problem.file for problem in found_problems})
    problems.extend(found_problems)

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
    project = Project(root, report, agencies, data_gaps, recommendations, sources)
    project.marks = {ref: {path[0]: mark for path, mark in doc.value_marks.items()
                           if len(path) == 1} for ref, doc in docs.items()}
    project.report_marks = {path[0]: mark for path, mark in report_doc.value_marks.items()
                            if len(path) == 1}
    project.report_file = report_doc.display
    from .validate import file_warnings  # the one home of warnings (it imports this module)

    project.warnings = file_warnings(project, report_doc, docs)
    return project
