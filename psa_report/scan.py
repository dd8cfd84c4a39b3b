"""Stage 1a, find the files: what is under ``actions/``, and which kind each file holds.

:func:`scan_actions` walks the folder; :func:`classify` sorts what it found by the
plan's shape (its kinds' folders; the shipped default plan.yaml's when there is none).

Only the project's own files are read: a link (symlink) is followed only while
it leads somewhere inside the project folder, a folder that cannot be read is an
error (never "0 data gaps"), and pipes, sockets and devices are never opened.
Walks with os.scandir rather than os.walk, which skips unreadable folders and
links to folders without a word. Each folder is read once, by its real path, so
a link back to a folder above it cannot loop.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

from .files import not_a_file
from .problems import Invalid, Problem
from .shape import PLAN_FILE, Shape

ACTIONS = "actions"
REPORT_FILE = "report.yaml"
AGENCIES_FILE = "agencies.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def ignored(name: str) -> bool:
    """Hidden files (.gitkeep, LibreOffice's .~lock.x#) and Word's lock files (~$x.docx)."""
    return name.startswith((".", "~$"))


# ---------------------------------------------------------------- scanning


@dataclass
class _Walk:
    """One walk of ``actions/``: what was found, what is wrong, which folders were read."""

    project: str  # the project folder's real path
    found: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read: dict[str, str] = field(default_factory=dict)  # real path -> as shown

    def say(self, shown: str, message: str) -> None:
        self.problems.append(Problem(shown, None, None, message))


def scan_actions(root: Path) -> tuple[list[str], list[Problem]]:
    """The files to read under ``root/actions`` (relative to ``root``), and what is wrong there."""
    root = Path(root)
    walk = _Walk(os.path.realpath(root))
    actions = str(root / ACTIONS)
    _check_actions_folder(walk, root, actions)
    folders = [(actions, ACTIONS)]  # still to read: (path, as shown)
    while folders:
        folder, shown = folders.pop()
        entries = _read_folder(walk, folder, shown)
        for entry in entries:  # in reverse, so that the stack pops them in order
            child = _visit(walk, entry, f"{shown}/{entry.name}")
            if child is not None:
                folders.append(child)
    return sorted(walk.found), walk.problems


def _check_actions_folder(walk: _Walk, root: Path, actions: str) -> None:
    """Raise :class:`Invalid` if ``actions/`` is missing, or a link leading outside."""
    if os.path.islink(actions) and _link_target(walk, actions, ACTIONS) is None:
        raise Invalid(walk.problems)
    if not os.path.isdir(actions):
        raise Invalid([Problem(str(root), None, None,
            f"there is no {ACTIONS}/ folder here: run psa-report inside a project "
            "folder, or name one with --project DIR")])


def _read_folder(walk: _Walk, folder: str, shown: str) -> list[os.DirEntry]:
    """A folder's entries, last name first; [] (and a problem) if it was read already
    or cannot be read."""
    real = os.path.realpath(folder)
    if real in walk.read:
        walk.say(shown, f"this is the same folder as {walk.read[real]}: a link leads from "
                 "one to the other (a link to a folder above it makes a loop), so it is "
                 "read only once: remove the link")
        return []
    walk.read[real] = shown
    try:
        with os.scandir(folder) as listing:
            return sorted((e for e in listing if not ignored(e.name)),
                          key=lambda entry: entry.name, reverse=True)
    except OSError as error:
        walk.say(shown, f"this folder cannot be read ({error.strerror or error}), so its "
                 "files would be left out: give yourself permission to read it, or move "
                 f"it out of {ACTIONS}/")
        return []


def _visit(walk: _Walk, entry: os.DirEntry, name: str) -> tuple[str, str] | None:
    """Note a file as found (or say why not); return a folder still to read."""
    mode = _mode(walk, entry, name)
    if mode is None:
        return None
    if stat.S_ISDIR(mode):
        return (entry.path, name)
    if stat.S_ISREG(mode):
        walk.found.append(name)
    else:  # a pipe would block the read, a device would never end
        walk.say(name, not_a_file(mode))
    return None


def _mode(walk: _Walk, entry: os.DirEntry, name: str) -> int | None:
    """What an entry is (a link: what it leads to), or None if it is not to be read."""
    try:
        if entry.is_symlink():
            leads_to = _link_target(walk, entry.path, name)
            return None if leads_to is None else os.stat(leads_to).st_mode
        return entry.stat(follow_symlinks=False).st_mode
    except OSError as error:
        walk.say(name, f"cannot be read: {error.strerror or error}")
        return None


def _link_target(walk: _Walk, path: str, shown: str) -> str | None:
    """Where the link at ``path`` leads, if that is inside the project; else say why not."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError as error:
        walk.say(shown, _broken_link(error, path))
        return None
    if not _inside(walk.project, real):
        walk.say(shown, f"this link points to {real}, outside the project folder, so it "
                 "is not read: copy the files into the project instead of linking to them "
                 "(the report must be made from the project's own files)")
        return None
    return real


def _broken_link(error: OSError, path: str) -> str:
    if error.errno == errno.ELOOP:
        return ("this link leads round a loop of links and never reaches a file "
                "or folder: remove it")
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return (f"this link points to {os.readlink(path)}, which does not exist "
                "(a broken link): remove it, or put the files themselves here")
    # a folder on the way cannot be searched, say
    return (f"this link cannot be followed ({error.strerror or error}): "
            "remove it, or put the files themselves here")


def _inside(project: str, real: str) -> bool:
    try:
        return os.path.commonpath([project, real]) == project
    except ValueError:  # another drive, on Windows
        return False


# ---------------------------------------------------------------- sorting by kind


def classify(paths: list[str], refused: Collection[str], shape: Shape
             ) -> tuple[dict[str, list[str]], list[Problem]]:
    """Sort the files of ``actions/`` by kind; report every file that does not belong.

    The result maps "report", "agencies" and "plan" to the files directly in
    ``actions/``, and each kind's ``key`` ("data_gap") to the files in its folder.
    ``refused`` names files and folders that are there but were not read (a problem
    already says why), so the files in them are not reported missing as well.
    """
    found: dict[str, list[str]] = {"report": [], "agencies": [], "plan": [],
                                   **{kind.key: [] for kind in shape.kinds}}
    problems: list[Problem] = []
    folders_reported: set[str] = set()
    folders = {kind.folder: kind.key for kind in shape.kinds}
    for path in paths:
        parts = path.split("/")[1:]  # below actions/
        if ignored(parts[-1]):  # a lock file committed to git, say
            continue
        if len(parts) == 1:
            problem = _top_file(path, parts[0], found, shape)
        elif parts[0] in folders:
            problem = _item_file(path, parts[-1], found[folders[parts[0]]])
        elif parts[0] not in folders_reported:
            folders_reported.add(parts[0])
            problem = _unexpected_folder(parts[0], shape)
        else:
            problem = None
        if problem is not None:
            problems.append(problem)
    problems.extend(_missing(found, refused))
    return found, problems


def _is_yaml(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


def _top_file(path: str, name: str, found: dict[str, list[str]], shape: Shape
              ) -> Problem | None:
    """A file directly in actions/: report.yaml, agencies.yaml, plan.yaml or a mistake."""
    for key, file in (("report", REPORT_FILE), ("agencies", AGENCIES_FILE),
                      ("plan", PLAN_FILE)):
        if name == file:
            found[key].append(path)
            return None
    if not _is_yaml(name):
        return Problem(path, 1, 1, "not a YAML file: only .yaml files belong in actions/ "
                       "(move this file elsewhere)")
    places = [f"{kind.plural} go in actions/{kind.folder}/" if i == 0 else
              f"{kind.plural} in actions/{kind.folder}/" for i, kind in enumerate(shape.kinds)]
    files = [REPORT_FILE, AGENCIES_FILE] + ([PLAN_FILE] if shape.source else [])
    return Problem(path, 1, 1, f"unexpected file: {_and(places)}; the only files directly "
                   f"in actions/ are {_and(files)}")


def _item_file(path: str, name: str, found: list[str]) -> Problem | None:
    if _is_yaml(name):
        found.append(path)
        return None
    return Problem(path, 1, 1, "not a YAML file: only .yaml files belong in actions/ "
                   "(move this file elsewhere, or rename it to .yaml if it is an action)")


def _unexpected_folder(folder: str, shape: Shape) -> Problem:
    names = [kind.folder for kind in shape.kinds]
    near = get_close_matches(folder, names, 1)
    hint = f" (did you mean {near[0]}/?)" if near else ""
    held = [f"{name}/" for name in names] + [REPORT_FILE, AGENCIES_FILE]
    return Problem(f"{ACTIONS}/{folder}", None, None,
                   f"unexpected folder{hint}: actions/ holds only {_and(held)}")


def _missing(found: dict[str, list[str]], refused: Collection[str]) -> list[Problem]:
    """report.yaml and agencies.yaml, if missing (and not merely refused)."""
    problems = []
    for kind, name in (("report", REPORT_FILE), ("agencies", AGENCIES_FILE)):
        path = f"{ACTIONS}/{name}"
        if not found[kind] and not any(path == r or path.startswith(r + "/")
                                       for r in refused):
            problems.append(Problem(path, None, None,
                "this file is missing: every project needs it (see the guide, docs/start.md, "
                "'The files in actions/')"))
    return problems


def _and(words: list[str]) -> str:
    """"a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
