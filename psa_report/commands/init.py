"""``init``: a new, valid, commented project for a partnership starting from nothing,
or (``init --from``) one made from the partnership's existing tracker."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..adopt import infer, read_tracker
from ..files import read_regular
from ..history import GitError, GitMissing, _git, explain
from ..problems import Invalid, Problem
from ..project import (
    ACTIONS,
    AGENCIES_FILE,
    AGENCY_EXAMPLES,
    REPORT_EXAMPLES,
    REPORT_FILE,
    SECTION_EXAMPLE,
    load_project,
)
from ..scaffold import SCHEMA_DIR, modeline, skeleton, write_new, write_schemas
from ..shape import PLAN_FILE, default_plan_text, default_shape, read_shape

REPORT = """\
# The covering page of the progress report, and the facts the report prints.
# Replace each text below with your own, then run `psa-report check`.
partnership: {partnership}
title: Progress report on the Partnership Strategic Assessment
# The meeting the report goes to, and its date once it is set (YYYY-MM-DD).
meeting: {meeting}
# meeting_date: {today}
# Signed at the foot of the covering page, with the date the report is signed.
author: Community Safety Analyst
date: {today}
# The numbered paragraphs of the covering page, in order. A long paragraph can
# start on the next line after `>-`.
paragraphs:
  - >-
    This report details the progress made against the data requirements and
    recommendations which form the action plan for the Partnership Strategic Assessment.
  - Members are asked to review the progress report.
# The sentence above the data requirements tables.
data_gaps_intro: The following data requirements were highlighted in the assessment.
# The sentence above the recommendations.
recommendations_intro: >-
  In addition to the data requirements a number of recommendations were put forward
  for consideration by the Partnership:
# Optional headings for the sections of the assessment the data gaps come from.
sections:
  "1.1": {section}
# Once the plan is in git: the tag of the report sent to the last meeting, so the
# next report marks what changed since (see the guide, docs/meetings.md).
# last_meeting: csp-{year}-06
"""

AGENCIES = """\
# The lead agencies. The short name on the left is what a data gap's or a
# recommendation's `lead:` names; the full name is printed in the report's key.
# Short names are one word: no spaces, commas or slashes.
{agencies}"""

GITIGNORE = """\
# The built report: made again by `psa-report build`, so not kept in git.
out/
.venv/
"""


def init(folder: Path) -> list[str]:
    """Write the files of a new project into ``folder``; return them, relative to it.

    Everything is made in a folder beside it and checked as a project, then renamed
    into place: a failure leaves nothing behind."""
    folder = Path(folder)
    _check_target(folder)
    today = date.today()
    files = {
        # The plan's shape, spelt out and commented, for the analyst to change.
        f"{ACTIONS}/{PLAN_FILE}": default_plan_text(),
        f"{ACTIONS}/{REPORT_FILE}": modeline("report", f"{ACTIONS}/{REPORT_FILE}")
        + REPORT.format(today=today.isoformat(), year=today.year, section=SECTION_EXAMPLE,
                        **REPORT_EXAMPLES),
        f"{ACTIONS}/{AGENCIES_FILE}": modeline("agencies", f"{ACTIONS}/{AGENCIES_FILE}")
        + AGENCIES.format(agencies="".join(f"{code}: {name}\n"
                                           for code, name in AGENCY_EXAMPLES.items())),
    }
    shape = default_shape()
    # an example item of each kind, as `new` writes it (check warns until it is replaced)
    for kind in shape.kinds:
        path, text = skeleton(shape, AGENCY_EXAMPLES, kind, kind.ref.next_ref([]))
        files[path] = text
    if not os.path.lexists(folder / ".gitignore"):
        files[".gitignore"] = GITIGNORE
    # The JSON Schemas too, so an editor validates the files as they are typed.
    return _place(folder, files, schemas=True)


def _check_target(folder: Path, hint: str = "") -> None:
    """Refuse, before anything is written, a folder a project cannot be made in."""
    def refuse(path: Path, message: str) -> None:
        raise Invalid([Problem(str(path), None, None, message + ", so nothing was written"
                               + hint)])

    if os.path.lexists(folder) and not folder.is_dir():
        refuse(folder, "is not a folder (a file, or a link to nothing): name a new folder")
    for parent in folder.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                refuse(parent, "is not a folder, so no project can be made inside it: "
                       "name a folder that is not inside a file")
            break
    if os.path.lexists(folder / ACTIONS):
        if (folder / ACTIONS).is_symlink() and not (folder / ACTIONS).exists():
            refuse(folder / ACTIONS, "is a link to nothing: remove it (or name a new "
                   "folder)")
        refuse(folder / ACTIONS, "already exists: this folder holds a project already (run "
               "`psa-report check` there)")
    schema = folder / SCHEMA_DIR
    if os.path.lexists(schema) and (schema.is_symlink() or not schema.is_dir()):
        refuse(schema, "is not a plain folder (a file or a link): psa-report writes the "
               "schemas there; move it aside (or name a new folder)")


def _place(folder: Path, files: dict[str, str], schemas: bool = False) -> list[str]:
    """Write ``files`` (relative to ``folder``) into a new folder next to their place, check
    them as a project, then rename them into place: a failure leaves nothing made.
    ``schemas``: the JSON Schemas too. The paths written, relative to ``folder``."""
    exists = folder.is_dir()
    made: list[Path] = []  # folders above ``folder`` this made, removed on failure
    staging: Path | None = None
    placed: list[tuple[Path, Path]] = []  # (from, to) renames done, undone on failure
    try:
        try:
            if not exists:
                for parent in reversed(folder.parents):
                    if not os.path.lexists(parent):
                        parent.mkdir()
                        made.append(parent)
            home = folder if exists else folder.parent
            staging = home / f".psa-init-{secrets.token_hex(6)}"
            staging.mkdir()
            for path, text in files.items():
                write_new(staging, path, text)
            load_project(staging)  # what init writes must pass check
            written = list(files)
            schema_dir = folder / SCHEMA_DIR
            if schemas and not (exists and schema_dir.is_dir()):
                written += [p.relative_to(staging).as_posix()
                            for p in write_schemas(staging / SCHEMA_DIR, read_shape(staging))]
            elif schemas:  # the folder's own schema folder: psa-report's files refreshed
                written += [p.relative_to(folder).as_posix()
                            for p in write_schemas(schema_dir, read_shape(staging))]
            if not exists:
                os.rename(staging, folder)
                staging = None
            else:
                for name in dict.fromkeys(Path(p).parts[0] for p in written):
                    if os.path.lexists(staging / name):
                        os.rename(staging / name, folder / name)  # a folder: never merged
                        placed.append((folder / name, staging / name))
            return written
        except OSError as error:
            raise Invalid([Problem(str(folder), None, None,
                f"the project cannot be written here ({error.strerror or error}): name a "
                "folder you can write in, so nothing was written")]) from None
    except BaseException:
        for now, before in reversed(placed):
            with contextlib.suppress(OSError):
                os.rename(now, before)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(made):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


@dataclass
class Adopted:
    """What ``init --from`` inferred, and the files it wrote (none with ``dry_run``)."""

    notes: list[str]  # what each column became, and the statuses and agencies read
    unmapped: list[str]  # what was not mapped, by sheet, row and column, and where it went
    plan_yaml: str
    written: list[str] = field(default_factory=list)
    rows: int = 0


def adopt(folder: Path, tracker: Path, sheet: str | None = None,
          dry_run: bool = False) -> Adopted:
    """Make a project in ``folder`` from an existing tracker (.xlsx, .csv or .tsv): its
    shape inferred (adopt.py), every row an item; nothing written with ``dry_run``."""
    folder = Path(folder)
    if not dry_run:
        _check_target(folder, hint=": name a new folder")
    grid = read_tracker(Path(tracker), sheet)
    made = infer(grid, Path(tracker).name)
    result = Adopted(made.notes, made.unmapped, made.plan_yaml, rows=made.rows)
    if dry_run:
        return result
    files = dict(made.files)
    if not os.path.lexists(folder / ".gitignore"):
        files[".gitignore"] = GITIGNORE
    # Written aside, checked as a whole project, then moved into place: a project that
    # would not pass check is never left half written.
    _place(folder, files)
    result.written = list(files)
    return result


#: Who signs the first commit where git is not told who the user is.
FALLBACK_IDENTITY = (("user.name", "psa-report"), ("user.email", "psa-report@localhost"))
FIRST_COMMIT = "The plan, as psa-report init wrote it"


def start_git(folder: Path, written: list[str]) -> list[str]:
    """Put a new project in git: a repository started in ``folder`` (unless it is in one
    already) and a first commit of the files ``written`` (relative to it). Returns what
    to tell the analyst. The commit is made with git's plumbing through history's one
    runner (no hook, filter or signing program runs, as for ``collect --commit``)."""
    folder = Path(folder)
    try:
        _git(folder, "rev-parse", "--is-inside-work-tree")
    except GitMissing:
        return ["git is not installed, so the plan is not in git: install it, then run "
                f"`git init` in {folder} and commit the plan (git add -A; git commit -m "
                "\"The plan\")"]
    except GitError as error:
        if "not a git repository" not in str(error):
            return [f"the plan was not put in git: {explain(folder, error)}"]
    else:
        top = os.fsdecode(_git(folder, "rev-parse", "--show-toplevel").strip()) or str(folder)
        return [f"{folder} is inside the git repository at {top}: commit the plan there "
                f"(git -C {top} add -A; git -C {top} commit -m \"The plan\")"]
    said: list[str] = []
    try:
        _git(folder, "init", "--quiet", "--template=")
        who: list[str] = []
        for key, value in FALLBACK_IDENTITY:
            try:
                known = _git(folder, "config", "--get", key).strip()
            except GitError:
                known = b""
            if not known:
                who += ["-c", f"{key}={value}"]
        for path in sorted(written):
            data = read_regular(folder / path, path, 64 * 1024 * 1024,
                                lambda size: f"is {size:,} bytes, too large to commit")
            blob = _git(folder, "hash-object", "-w", "--no-filters", "--stdin",
                        input=data).decode().strip()
            _git(folder, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
        tree = _git(folder, "write-tree").decode().strip()
        commit = _git(folder, *who, "commit-tree", "--no-gpg-sign", "-F", "-", tree,
                      input=(FIRST_COMMIT + "\n").encode()).decode().strip()
        _git(folder, "update-ref", "-m", "psa-report init", "HEAD", commit)
    except GitError as error:
        return [f"the files were written, but the plan could not be put in git ({error}): "
                f"run `git init` in {folder}, then git add -A; git commit -m \"The plan\""]
    said.append(f"started a git repository in {folder}, with a first commit of the plan "
                f"({commit[:7]}); `psa-report collect --apply` and `build` use its history")
    if who:
        said.append("git does not know who you are, so the first commit is signed "
                    "psa-report: before your next commit, run git config --global user.name "
                    "\"Your Name\" and git config --global user.email you@example.org")
    others = sorted(p.name for p in folder.iterdir()
                    if p.name != ".git" and p.name not in {w.split("/")[0] for w in written})
    if others:
        said.append(f"not in the first commit (they were here before): {', '.join(others)}: "
                    "git add those you want kept with the plan")
    return said
