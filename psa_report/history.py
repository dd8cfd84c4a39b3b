"""The plan's git history: where a report was built from, and the plan at an earlier revision.

git is run as a program (``git`` on PATH) with argument lists, never through a
shell, and always through :func:`_git`, which neutralises every setting of the
repository's own that would run a program (a project folder copied from a share
must be safe to open).  Only commands that read commits, trees and tags are run:
the files on disk are compared with a commit by hashing them here
(:func:`changed_files`), never with ``git status``, which runs filters and
fsmonitor and writes the index.  Names given to git (revisions, tag patterns)
follow one set of rules (:mod:`psa_report.gitnames`).

Old versions of the files are read with one ``git cat-file --batch``
and go through the very same loader and validator as the files on disk, so an
old revision and today's plan are compared as validated items, matched by ref
(a renamed or moved file is the same item).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import stat
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .chars import refused, shown
from .dates import parse_day
from .gitnames import revision_problem
from .gitnames import tag_pattern as tag_pattern  # where it was first
from .loader import load_bytes
from .problems import Invalid, Problem, warning
from .project import ACTIONS, Project, build_project, ignored


class GitError(Exception):
    pass


class GitMissing(GitError):
    pass


class NotAWorkTree(GitError):
    """The folder is in a git repository that has no working files (a bare one)."""


# ---------------------------------------------------------------- running git

#: Configuration that would make git run a program (or write somewhere), each set on
#: the command line, which wins over every configuration file: a project folder copied
#: from a share or a zip carries its own .git/config, and opening it must run nothing
#: of it. Settings whose name holds a name of the repository's choosing (filter.NAME.clean,
#: diff.NAME.textconv, merge.NAME.driver) cannot all be named here, so psa-report runs
#: only commands that never use them: it reads commits, trees and blobs, and compares
#: the files on disk with the commit itself (see :func:`changed_files`), never with `git
#: status` or `git diff`, which run clean filters and core.fsmonitor and write the index.
SAFE_CONFIG = (
    ("core.fsmonitor", "false"),  # a program run on every look at the working files
    ("core.useBuiltinFSMonitor", "false"),
    ("core.hooksPath", os.devnull),  # no hook (post-index-change, post-checkout...)
    ("core.pager", "cat"),
    ("core.editor", ":"),  # ":" is git's own "no editor"
    ("sequence.editor", ":"),
    ("core.askPass", ""),
    ("credential.helper", ""),  # an empty value empties the list of helpers
    ("core.sshCommand", "false"),
    ("core.alternateRefsCommand", ""),
    ("core.attributesFile", os.devnull),
    ("diff.external", ""),
    ("interactive.diffFilter", ""),
    ("log.showSignature", "false"),  # would run gpg.program on a signed commit
    ("merge.verifySignatures", "false"),
    ("gpg.program", "false"),
    ("gpg.openpgp.program", "false"),
    ("gpg.x509.program", "false"),
    ("gpg.ssh.program", "false"),
    ("gpg.ssh.defaultKeyCommand", "false"),
    ("gc.auto", "0"),  # no background housekeeping
    ("maintenance.auto", "false"),
    ("submodule.recurse", "false"),
    ("protocol.allow", "never"),  # no transport (see also GIT_ALLOW_PROTOCOL)
    ("color.ui", "false"),  # output is parsed: no colour codes in it
    ("core.quotePath", "false"),
)

#: What git is given of psa-report's own environment: nothing of the caller's GIT_*
#: (GIT_DIR, GIT_INDEX_FILE, GIT_EXTERNAL_DIFF, GIT_TRACE...), which would point git at
#: other files or programs; only what it needs to find itself and the user's own
#: ~/.gitconfig (where safe.directory is kept).
_KEEP_ENVIRONMENT = ("PATH", "HOME", "XDG_CONFIG_HOME", "SYSTEMROOT", "WINDIR", "USERPROFILE",
                     "HOMEDRIVE", "HOMEPATH", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA",
                     "TMPDIR", "TEMP", "TMP", "COMSPEC", "PATHEXT")
_ENVIRONMENT = {
    "LC_ALL": "C", "LANGUAGE": "C",  # git's messages in English, as explain() reads them
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_LAZY_FETCH": "1",  # a partial clone must not fetch what it lacks
    "GIT_ALLOW_PROTOCOL": "",  # an empty list: no transport at all, whatever the config
    "GIT_PAGER": "cat", "GIT_EDITOR": ":",
}


def git_command(root: Path, *args: str, index: Path | None = None,
                config: tuple[tuple[str, str], ...] = ()) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment for running ``git args`` on ``root`` safely.

    ``index`` names an index file of psa-report's own (GIT_INDEX_FILE) in place of the
    repository's; ``config`` adds settings of any name, given through GIT_CONFIG_COUNT
    (a name of the repository's choosing, such as filter.NAME.clean, may hold "=")."""
    command = ["git", "--no-pager", "--no-optional-locks"]
    for key, value in SAFE_CONFIG:
        command += ["-c", f"{key}={value}"]
    environment = {k: os.environ[k] for k in _KEEP_ENVIRONMENT if k in os.environ}
    environment.update(_ENVIRONMENT)
    if index is not None:
        environment["GIT_INDEX_FILE"] = str(index)
    if config:
        environment["GIT_CONFIG_COUNT"] = str(len(config))
        for number, (key, value) in enumerate(config):
            environment[f"GIT_CONFIG_KEY_{number}"] = key
            environment[f"GIT_CONFIG_VALUE_{number}"] = value
    return [*command, "-C", str(root), *args], environment


def _git(root: Path, *args: str, input: bytes | None = None, index: Path | None = None,
         config: tuple[tuple[str, str], ...] = ()) -> bytes:
    """Run one git command on ``root`` and return what it printed; every git psa-report
    runs goes through here. Revisions from the user come after ``--end-of-options``."""
    command, environment = git_command(root, *args, index=index, config=config)
    try:
        done = subprocess.run(command, input=input, capture_output=True, check=False,
                              env=environment,
                              stdin=subprocess.DEVNULL if input is None else None)
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
        _work_tree(root)
    except GitMissing:
        return Provenance(False, unknown="git is not installed on this computer")
    except NotAWorkTree:
        return Provenance(False, unknown="git sees this folder as part of a bare "
                          "repository, one with no working files")
    except GitError as error:
        if "dubious ownership" in str(error):
            return Provenance(False, unknown="git refuses this folder because another "
                              "user owns it (see `git config safe.directory`)")
        return Provenance(False)
    try:
        commit, short, stamp = _git(root, "log", "-1", "--no-show-signature",
                                    "--format=%H %h %cI").decode().split()
    except GitError:  # a repository with no commit yet
        return Provenance(True, dirty=True)
    try:
        dirty = bool(changed_files(root, commit))
    except GitError:  # the commit's tree cannot be read: it cannot be said to match
        dirty = True
    return Provenance(True, commit, short, datetime.fromisoformat(stamp).date(), dirty=dirty)


def _work_tree(root: Path) -> None:
    """Return if ``root`` is among the working files of a git repository; else raise
    GitError (NotAWorkTree, saying what to do, inside a bare repository).

    Outside any repository (no ``.git`` here or above, nor a folder that is a bare
    repository's: HEAD, objects/ and refs/) git is not run: it would only say so, and
    the preview asks on every save (GIT_DIR and the like are never passed to git, so
    those are the only ways it finds one)."""
    folder = Path(root).resolve()
    if not any((here / ".git").exists() or ((here / "HEAD").is_file() and (here / "objects")
                                            .is_dir() and (here / "refs").is_dir())
               for here in (folder, *folder.parents)):
        if shutil.which("git") is None:
            raise GitMissing("git is not installed")
        raise GitError("fatal: not a git repository (or any of the parent directories): .git")
    inside, *_ = _git(root, "rev-parse", "--is-inside-work-tree").split() or [b""]
    if inside == b"true":
        return
    git_dir = _git(root, "rev-parse", "--absolute-git-dir").decode("utf-8", "replace").strip()
    if Path(git_dir).resolve() == (Path(root) / ".git").resolve():
        raise NotAWorkTree(
            "the git repository here is marked bare (`core.bare = true` in .git/config), "
            "so git does not take the files in this folder as its working files: if this "
            "folder is your working copy, run `git config core.bare false` and try again")
    raise NotAWorkTree(
        f"this project folder is inside the git repository at {git_dir}, which keeps "
        "only the history (a bare repository, such as a server's copy) and no working "
        f"files: clone it (`git clone {shlex.quote(git_dir)} plan`) and run psa-report "
        "in the clone")


# ---------------------------------------------------------------- the files on disk

#: A file larger than this under actions/ is taken as changed without reading it all
#: (the loader refuses it anyway).
_HASH_LIMIT = 16 * 1024 * 1024


def changed_files(root: Path, commit: str | None) -> set[str]:
    """The files under actions/ (relative to ``root``) that differ from ``commit``:
    edited, added or removed. None for ``commit``: every file.

    The bytes on disk are hashed as git hashes a file, and compared with the commit's
    tree, so that neither ``git status`` nor ``git diff`` runs: they would run the
    repository's clean filters and core.fsmonitor, and write the index. Files the
    project ignores (hidden ones, such as a writer's ``.3.2.1.yaml.x8k2.tmp`` left by a
    killed process, and Office lock files) are not changes. A file whose only
    difference is Windows line endings (core.autocrlf) is not changed either.
    """
    committed: dict[str, str] = {}
    if commit is not None:
        prefix = _prefix(root)
        listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options",
                       commit, "--", f"{prefix}{ACTIONS}")
        for entry in filter(None, listing.split(b"\0")):
            info, raw_path = entry.split(b"\t", 1)
            _, _, object_id = info.decode().split()
            path = os.fsdecode(raw_path)[len(prefix):]
            if not any(ignored(part) for part in path.split("/")):
                committed[path] = object_id
    algorithm = "sha256" if commit is not None and len(commit) == 64 else "sha1"
    on_disk = _files_on_disk(Path(root))
    changed = set(committed) ^ set(on_disk)
    for path in set(committed) & set(on_disk):
        if committed[path] not in _object_ids(Path(root) / path, algorithm):
            changed.add(path)
    return changed


def _files_on_disk(root: Path) -> set[str]:
    """Every file under root/actions (relative to root) that is not ignored, as git
    would list them: a symbolic link is a file, whatever it points to."""
    found: set[str] = set()
    folders = [ACTIONS]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(root / folder) as listing:
                entries = list(listing)
        except OSError:
            continue  # the project's scan says so, with what to do
        for entry in entries:
            if ignored(entry.name):
                continue
            path = f"{folder}/{entry.name}"
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            (folders.append if is_folder else found.add)(path)
    return found


def _object_ids(path: Path, algorithm: str) -> set[str]:
    """The ids git could have stored this file under (none for what git cannot store,
    such as a pipe, or a file too big to hash here)."""
    try:
        if os.path.islink(path):
            return {_blob_id(os.fsencode(os.readlink(path)), algorithm)}
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return set()
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return set()  # a pipe would block the read, a device would never end
        data = file.read(_HASH_LIMIT + 1)
    if len(data) > _HASH_LIMIT:
        return set()
    ids = {_blob_id(data, algorithm)}
    if b"\r\n" in data:  # stored with plain line breaks (core.autocrlf, eol=crlf)
        ids.add(_blob_id(data.replace(b"\r\n", b"\n"), algorithm))
    return ids


def _blob_id(data: bytes, algorithm: str) -> str:
    return hashlib.new(algorithm, b"blob %d\0" % len(data) + data).hexdigest()


# ---------------------------------------------------------------- names given to git

def check_revision(root: Path, rev: str) -> None:
    """Refuse, before git sees it, what git would take as anything but one revision."""
    problem = revision_problem(rev)
    if problem is not None:
        raise Invalid([Problem(str(root), None, None, problem)])


@dataclass(frozen=True)
class Revision:
    name: str  # as the user gave it: a tag, HEAD~3, "the last commit before 2010-06-01"
    commit: str
    short: str
    day: date


def resolve(root: Path, rev: str | None = None, *, before: date | None = None) -> Revision:
    """Turn a revision (or "the last commit before a date") into a commit, or explain."""
    if rev is not None:
        check_revision(root, rev)
    try:
        _work_tree(root)
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
                f"no commit was made before {before.isoformat()}"
                + (_SHALLOW if _shallow(root) else ": choose a later date"))])
        rev, name = found, f"the last commit before {before.isoformat()}"
    else:
        rev = rev or "HEAD"  # neither given: the last commit
        name = shown(rev)
    try:
        # --verify: exactly one commit; --end-of-options: rev is never read as an option.
        commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                      f"{rev}^{{commit}}").decode().strip()
        _, short, stamp = _git(root, "log", "-1", "--format=%H %h %cI", "--end-of-options",
                               commit, "--").decode().split()
    except (GitError, ValueError):
        if _shallow(root):
            raise Invalid([Problem(str(root), None, None,
                f"{rev!r} is not a tag, branch or commit in this copy of the repository"
                + _SHALLOW)]) from None
        raise Invalid([Problem(str(root), None, None,
            f"{rev!r} is not a tag, branch or commit of this repository: list the tags "
            "with `git tag`, or give a commit such as HEAD~1")]) from None
    return Revision(name, commit, short, datetime.fromisoformat(stamp).date())


def _no_repository(root: Path, error: GitError) -> str:
    """Why git cannot read the history here, in the analyst's words."""
    text = str(error)
    if isinstance(error, NotAWorkTree):
        return text
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


_SHALLOW = (", which is a shallow clone: it holds only the latest commits, so earlier "
            "ones and their tags are not here. Fetch the whole history with `git fetch "
            "--unshallow --tags` and try again")


def _shallow(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true"
    except GitError:
        return False


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
    top = Path(os.fsdecode(_git(root, "rev-parse", "--show-toplevel").strip()))
    try:
        prefix = Path(root).resolve().relative_to(top.resolve()).as_posix()
    except ValueError:  # core.worktree names another folder
        raise GitError(f"git takes {top} as the working files of this repository, "
                       "not this folder") from None
    return "" if prefix == "." else prefix + "/"


def project_at(root: Path, revision: Revision) -> Project:
    """The plan as committed at ``revision``, validated like the files on disk."""
    try:
        prefix = _prefix(root)
        listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options",
                       revision.commit, "--", f"{prefix}{ACTIONS}").split(b"\0")
    except GitError as error:
        raise Invalid([Problem(str(root), None, None, _unreadable(revision, error))]) from None
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
    try:
        contents = _cat_blobs(root, [blobs[p] for p in paths])
    except GitError as error:
        raise Invalid([Problem(str(root), None, None, _unreadable(revision, error))]) from None
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


def _unreadable(revision: Revision, error: GitError) -> str:
    """Why the files of ``revision`` cannot be read, in the analyst's words."""
    text = str(error)
    if "promisor" in text or "lazy fetch" in text:
        return (f"the files of {revision.name} ({revision.short}) are not in this copy of "
                "the repository: it is a partial clone (made with --filter), which fetches "
                "old files only when asked, and psa-report never lets git reach the "
                "network. Fetch them once with `git config --unset "
                "remote.origin.partialclonefilter` then `git fetch --refetch origin`, and "
                "try again")
    first = text.splitlines()[-1] if text else "no reason given"
    return (f"git cannot read the files of {revision.name} ({revision.short}) ({first}): "
            "check the repository with `git fsck`")


def _cat_blobs(root: Path, ids: list[str]) -> dict[str, bytes]:
    if not ids:
        return {}
    out = _git(root, "cat-file", "--batch", input="".join(f"{i}\n" for i in ids).encode())
    blobs, position = {}, 0
    for blob_id in ids:
        header_end = out.find(b"\n", position)
        header = out[position:header_end].decode("utf-8", "replace").split()
        if header_end < 0 or len(header) != 3 or not header[2].isdigit():
            raise GitError(f"object {blob_id} is missing")
        size = header[2]
        start = header_end + 1
        blobs[blob_id] = out[start:start + int(size)]
        position = start + int(size) + 1
    return blobs


def last_changed(root: Path) -> dict[str, date] | None:
    """When each file under actions/ last changed (today for uncommitted edits), by
    its path relative to ``root``; None when the project is not in git."""
    try:
        _work_tree(root)
        prefix = _prefix(root)
        log = _git(root, "log", "--no-show-signature", "--no-ext-diff", "--no-textconv",
                   "--format=%x00%cs", "--name-only", "--", ACTIONS)
        head = _git(root, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()
        edited = changed_files(root, head)
    except GitError:
        return None
    changed: dict[str, date] = {}
    day = None
    for line in map(os.fsdecode, log.split(b"\n")):
        if line.startswith("\0"):
            day = date.fromisoformat(line[1:])
        elif line and day is not None and line.startswith(prefix):
            changed.setdefault(line[len(prefix):], day)
    for path in edited:
        changed[path] = date.today()
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
    #: the meeting's name in words, from an annotated tag's message after its date
    #: ("2010-09-27 Safer Stockton Partnership"); None when the tag gives none
    title: str | None = None

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
    for found in _NAME_DAY.finditer(tag):
        try:
            return date(int(found[1]), int(found[2]), int(found[3])), "tag name"
        except ValueError:
            continue
    if message and (said := _MESSAGE_DAY.match(message)):
        try:
            return parse_day(said[1]), "tag message"
        except ValueError:
            pass
    return committed, "commit"


def meeting_title(message: str | None) -> str | None:
    """The meeting's name an annotated tag's message gives after the date it starts
    with ("2010-09-27 Safer Stockton Partnership", "28 June 2010: SSP"); None when the
    message does not start with a date or names nothing after it. Only a message that
    starts with the meeting's date is read as naming the meeting: any other message
    ("Sent on the 20th") is the analyst's note, not the committee's name."""
    if not message or not (found := _MESSAGE_DAY.match(message)):
        return None
    title = " ".join(message[found.end():].split()).strip(" :;,.-\u2013\u2014")
    # A committee's name is short and plain: a long subject is a note, and a control or
    # hidden character would not print (nor is a paper the place for it).
    if not title or len(title) > MAX_TITLE or refused(title) is not None:
        return None
    return title


#: The longest title read from a tag's message: a committee's or board's name.
MAX_TITLE = 80


def meetings(root: Path, pattern: str) -> tuple[list[Meeting], list[Problem]]:
    """The tags matching ``pattern`` (checked by :func:`tag_pattern`), oldest commit first.

    A tag that is not on a commit (a tag of a tree, or of another tag) is left out with
    a warning naming it. Raises GitError outside a repository.
    """
    fields = ("%(refname:strip=2)", "%(objecttype)", "%(objectname)", "%(*objecttype)",
              "%(*objectname)", "%(committerdate:iso-strict)",
              "%(*committerdate:iso-strict)", "%(contents:subject)")
    _work_tree(root)
    listing = _git(root, "for-each-ref", "--format=" + "%00".join(fields),
                   "--end-of-options", f"refs/tags/{pattern}")
    found, problems = [], []
    for line in listing.decode("utf-8", "replace").splitlines():
        name, kind, target, peeled_kind, peeled, stamp, peeled_stamp, subject = line.split("\0")
        # The name as shown in papers and messages: a direction override or an invisible
        # character in it written out (<U+202E>), so it reads as it is stored.
        tag = shown(name)
        annotated = kind == "tag"
        if annotated and peeled_kind == "commit":
            target, stamp = peeled, peeled_stamp
        elif kind != "commit":
            problems.append(warning(tag, None, None,
                "this tag does not mark a commit, so it is not read as a meeting: tag the "
                "commit of the report sent to the meeting"))
            continue
        committed = datetime.fromisoformat(stamp)
        day, dated_by = meeting_day(name, subject if annotated else None, committed.date())
        found.append(Meeting(tag, target, target[:7], committed, day, dated_by,
                             meeting_title(subject) if annotated else None))
    found.sort(key=lambda m: (m.committed, m.day, m.tag))
    return found, problems


def explain(root: Path, error: GitError) -> str:
    """Why git cannot read the history here, as a sentence for the analyst."""
    return _no_repository(root, error)


def is_ancestor(root: Path, commit: str, of: str = "HEAD") -> bool:
    """Whether ``commit`` is ``of`` or one of the commits it descends from."""
    try:
        _git(root, "merge-base", "--is-ancestor", "--end-of-options", commit, of)
    except GitError:
        return False
    return True


def maybe_in_git(root: Path) -> bool:
    """Whether the project folder could be in a git repository: a ``.git`` in it or in
    a folder above it. Nothing is run, so a folder outside git costs no git at all."""
    folder = Path(root).resolve()
    return any((here / ".git").exists() for here in (folder, *folder.parents))


#: How far back the versions of one file are read (see :func:`file_versions`).
MAX_VERSIONS = 50


def file_versions(root: Path, path: str, limit: int = MAX_VERSIONS) -> list[tuple[date, bytes]]:
    """The committed versions of one file of the project (``path`` relative to ``root``),
    oldest first, each with the day of its commit: the last ``limit`` commits that
    touched it (a commit that removed it left out). Empty outside git or when git
    cannot say."""
    if not maybe_in_git(root):
        return []
    try:
        _work_tree(root)
        prefix = _prefix(root)
        log = _git(root, "log", "--no-show-signature", f"--max-count={limit}",
                   "--format=%H %cs", "--end-of-options", "HEAD", "--", f"{prefix}{path}")
    except GitError:
        return []
    commits = [line.split() for line in log.decode("utf-8", "replace").splitlines()
               if len(line.split()) == 2]
    if not commits:
        return []
    names = [f"{commit}:{prefix}{path}" for commit, _ in commits]
    try:
        out = _git(root, "cat-file", "--batch", input="".join(f"{n}\n" for n in names).encode())
    except GitError:
        return []
    versions: list[tuple[date, bytes]] = []
    position = 0
    for _, day in commits:
        header_end = out.find(b"\n", position)
        if header_end < 0:
            break
        header = out[position:header_end].split()
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            position = header_end + 1  # "<name> missing": the commit removed the file
            continue
        start = header_end + 1
        versions.append((date.fromisoformat(day), out[start:start + int(header[2])]))
        position = start + int(header[2]) + 1
    return versions[::-1]
