"""The plan's git history: where a report was built from, and the plan at an earlier revision.

git is run as a program (``git`` on PATH) with argument lists, never through a
shell.  Old versions of the files are read with one ``git cat-file --batch``
and go through the very same loader and validator as the files on disk, so an
old revision and today's plan are compared as validated items, matched by ref
(a renamed or moved file is the same item).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .loader import load_bytes
from .problems import Invalid, Problem, warning
from .project import ACTIONS, Project, build_project


class GitError(Exception):
    pass


class GitMissing(GitError):
    pass


def _git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=input,
                              capture_output=True, check=False)
    except FileNotFoundError:
        raise GitMissing("git is not installed") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


@dataclass(frozen=True)
class Provenance:
    """What a report was built from."""

    in_git: bool
    commit: str = ""
    short: str = ""
    day: date | None = None
    dirty: bool = False  # actions/ differs from the commit (edited, added or removed files)
    #: why git could not say, when it is there but could not be asked ("" otherwise)
    unknown: str = ""


def provenance(root: Path) -> Provenance:
    try:
        if _git(root, "rev-parse", "--is-inside-work-tree").strip() != b"true":
            return Provenance(False)
    except GitMissing:
        return Provenance(False, unknown="git is not installed on this computer")
    except GitError as error:
        if "dubious ownership" in str(error):
            return Provenance(False, unknown="git refuses this folder because another "
                              "user owns it (see `git config safe.directory`)")
        return Provenance(False)
    try:
        commit, short, stamp = _git(root, "log", "-1", "--format=%H %h %cI").decode().split()
    except GitError:  # a repository with no commit yet
        return Provenance(True, dirty=True)
    status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ACTIONS)
    return Provenance(True, commit, short, datetime.fromisoformat(stamp).date(),
                      dirty=bool(status.strip()))


@dataclass(frozen=True)
class Revision:
    name: str  # as the user gave it: a tag, HEAD~3, "the last commit before 2010-06-01"
    commit: str
    short: str
    day: date


def resolve(root: Path, rev: str | None = None, *, before: date | None = None) -> Revision:
    """Turn a revision (or "the last commit before a date") into a commit, or explain."""
    if rev is not None:
        _check_revision(root, rev)
    try:
        _git(root, "rev-parse", "--is-inside-work-tree")
    except GitError as error:
        raise Invalid([Problem(str(root), None, None, _no_repository(root, error))]) from None
    if not _has_commits(root):
        raise Invalid([Problem(str(root), None, None,
            "this repository has no commits yet: commit the plan first "
            f"(`git add {ACTIONS}` then `git commit`)")])
    if before is not None:
        found = _git(root, "rev-list", "-1", f"--before={before.isoformat()} 00:00",
                     "HEAD", "--").decode().strip()
        if not found:
            raise Invalid([Problem(str(root), None, None,
                f"no commit was made before {before.isoformat()}: choose a later date")])
        rev, name = found, f"the last commit before {before.isoformat()}"
    else:
        name = rev
    try:
        # --verify: exactly one commit; --end-of-options: rev is never read as an option.
        commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                      f"{rev}^{{commit}}").decode().strip()
        _, short, stamp = _git(root, "log", "-1", "--format=%H %h %cI", "--end-of-options",
                               commit, "--").decode().split()
    except (GitError, ValueError):
        raise Invalid([Problem(str(root), None, None,
            f"{rev!r} is not a tag, branch or commit of this repository: list the tags "
            "with `git tag`, or give a commit such as HEAD~1")]) from None
    return Revision(name, commit, short, datetime.fromisoformat(stamp).date())


def _check_revision(root: Path, rev: str) -> None:
    """Refuse, before git sees it, what git would take as an option or as a range."""
    if rev.startswith("-"):
        raise Invalid([Problem(str(root), None, None,
            f"{rev!r} is not a revision: a tag, branch or commit never starts with '-'; "
            "give a tag such as ssp-2010-06, or a commit such as HEAD~1")])
    if ".." in rev or rev.startswith("^") or re.search(r"\^[@!-]", rev):
        raise Invalid([Problem(str(root), None, None,
            f"{rev!r} is a range of commits: give one revision, not a range, such as "
            "the tag of the last meeting (ssp-2010-06) or a commit such as HEAD~1")])


def _no_repository(root: Path, error: GitError) -> str:
    """Why git cannot read the history here, in the analyst's words."""
    text = str(error)
    if isinstance(error, GitMissing):
        return ("git is not installed, so there is no history to compare with: install "
                "it (on Debian or Ubuntu, `sudo apt-get install git`) and try again")
    if "dubious ownership" in text:
        found = re.search(r"repository at '(.*)'", text)
        where = found[1] if found else str(root)
        return (f"git refuses to read the repository at {where} because it belongs to "
                "another user: if you trust it, run "
                f"`git config --global --add safe.directory {where}` and try again")
    return ("this project is not in a git repository, so there is no history to compare "
            "with: run `git init` and commit the plan first")


def _has_commits(root: Path) -> bool:
    try:
        _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return False
    return True


#: Entries of a tree that are not files: git stores a symbolic link as the text of its
#: target, and a submodule as a commit of another repository.
_NOT_FILES = {"120000": "a symbolic link", "160000": "a git submodule"}


def _prefix(root: Path) -> str:
    """The project folder's path inside its repository, as git names files: "" at the
    top, else "plans/stockton/"."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    prefix = Path(root).resolve().relative_to(top.resolve()).as_posix()
    return "" if prefix == "." else prefix + "/"


def project_at(root: Path, revision: Revision) -> Project:
    """The plan as committed at ``revision``, validated like the files on disk."""
    prefix = _prefix(root)
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", revision.commit, "--",
                   f"{prefix}{ACTIONS}").split(b"\0")
    blobs: dict[str, str] = {}
    problems = []
    for entry in filter(None, listing):
        info, path = entry.decode("utf-8", "replace").split("\t", 1)
        mode, _, object_id = info.split()
        path = path[len(prefix):]
        if any(part.startswith(".") for part in path.split("/")):
            continue
        if mode in _NOT_FILES:
            problems.append(Problem(f"{revision.name}:{path}", None, None,
                f"is {_NOT_FILES[mode]} in the commit; psa-report reads only real files "
                "from git history: commit the files themselves in its place"))
        elif mode.startswith("100"):  # 100644, 100755: a file
            blobs[path] = object_id
    if problems:
        raise Invalid(problems)
    paths = sorted(blobs)
    contents = _cat_blobs(root, [blobs[p] for p in paths])
    if not paths:
        raise Invalid([Problem(str(root), None, None,
            f"{revision.name} ({revision.short}) has no {ACTIONS}/ folder to compare with")])

    def read(path: str):
        return load_bytes(contents[blobs[path]], f"{revision.name}:{path}")

    try:
        return build_project(root, paths, read, revision=revision.name)
    except Invalid as invalid:
        raise Invalid([Problem(p.file, p.line, p.column,
                               f"{p.message} (in the plan as it was at {revision.name}; "
                               "compare with a later revision, or fix it there)")
                       for p in invalid.problems]) from None


def _cat_blobs(root: Path, ids: list[str]) -> dict[str, bytes]:
    if not ids:
        return {}
    out = _git(root, "cat-file", "--batch", input="".join(f"{i}\n" for i in ids).encode())
    blobs, position = {}, 0
    for blob_id in ids:
        header_end = out.index(b"\n", position)
        _, _, size = out[position:header_end].decode().split()
        start = header_end + 1
        blobs[blob_id] = out[start:start + int(size)]
        position = start + int(size) + 1
    return blobs


def last_changed(root: Path) -> dict[str, date] | None:
    """When each file under actions/ last changed (today for uncommitted edits), by
    its path relative to ``root``; None when the project is not in git."""
    try:
        prefix = _prefix(root)
        log = _git(root, "log", "--format=%x00%cs", "--name-only", "--", ACTIONS)
        status = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--",
                      ACTIONS)
    except GitError:
        return None
    changed: dict[str, date] = {}
    day = None
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("\0"):
            day = date.fromisoformat(line[1:])
        elif line and day is not None and line.startswith(prefix):
            changed.setdefault(line[len(prefix):], day)
    for entry in status.decode("utf-8", "replace").split("\0"):
        if len(entry) > 3 and entry[3:].startswith(prefix):
            changed[entry[3:][len(prefix):]] = date.today()
    return changed


@dataclass(frozen=True)
class Meeting:
    """A partnership meeting: a git tag on the commit of the report sent to it."""

    tag: str
    commit: str
    short: str
    committed: datetime  # when the tagged commit was made: meetings are in this order
    day: date  # the meeting's date (see :func:`meeting_day`)
    dated_by: str  # where the date came from: "tag name", "tag message" or "commit"

    @property
    def revision(self) -> Revision:
        return Revision(self.tag, self.commit, self.short, self.day)


_NAME_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MESSAGE_DAY = re.compile(r"\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\.?,?"
                          r"\s+\d{4})(?![\w-])")


def meeting_day(tag: str, message: str | None, committed: date) -> tuple[date, str]:
    """The date of the meeting a tag marks, and where it came from.

    A full date in the tag's name wins (ssp-2010-06-28); then a date at the start of an
    annotated tag's message ("2010-06-28 Safer Stockton Partnership", "28 June 2010:
    ..."); else the day the tagged commit was made. A month alone (ssp-2010-06) does
    not name a day, so such a tag is dated by its message or its commit.
    """
    from .dates import parse_day

    for found in _NAME_DAY.finditer(tag):
        try:
            return date(int(found[1]), int(found[2]), int(found[3])), "tag name"
        except ValueError:
            continue
    if message and (found := _MESSAGE_DAY.match(message)):
        try:
            return parse_day(found[1]), "tag message"
        except ValueError:
            pass
    return committed, "commit"


def meetings(root: Path, pattern: str) -> tuple[list[Meeting], list[Problem]]:
    """The tags matching ``pattern`` (checked by models.tag_pattern), oldest commit first.

    A tag that is not on a commit (a tag of a tree, or of another tag) is left out with
    a warning naming it. Raises GitError outside a repository.
    """
    fields = ("%(refname:strip=2)", "%(objecttype)", "%(objectname)", "%(*objecttype)",
              "%(*objectname)", "%(committerdate:iso-strict)",
              "%(*committerdate:iso-strict)", "%(contents:subject)")
    listing = _git(root, "for-each-ref", "--format=" + "%00".join(fields),
                   "--end-of-options", f"refs/tags/{pattern}")
    found, problems = [], []
    for line in listing.decode("utf-8", "replace").splitlines():
        tag, kind, target, peeled_kind, peeled, stamp, peeled_stamp, subject = line.split("\0")
        annotated = kind == "tag"
        if annotated and peeled_kind == "commit":
            target, stamp = peeled, peeled_stamp
        elif kind != "commit":
            problems.append(warning(tag, None, None,
                "this tag does not mark a commit, so it is not read as a meeting: tag the "
                "commit of the report sent to the meeting"))
            continue
        committed = datetime.fromisoformat(stamp)
        day, dated_by = meeting_day(tag, subject if annotated else None, committed.date())
        found.append(Meeting(tag, target, target[:7], committed, day, dated_by))
    found.sort(key=lambda m: (m.committed, m.day, m.tag))
    return found, problems


def explain(root: Path, error: GitError) -> str:
    """Why git cannot read the history here, as a sentence for the analyst."""
    return _no_repository(root, error)


def is_ancestor(root: Path, commit: str, of: str = "HEAD") -> bool:
    """Whether ``commit`` is ``of`` or one of the commits it descends from."""
    try:
        _git(root, "merge-base", "--is-ancestor", commit, of)
    except GitError:
        return False
    return True
