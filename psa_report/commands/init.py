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
from ..scaffold import SCHEMA_DIR, fill_skeleton, modeline, write_new, write_schemas
from ..shape import DEFAULT_PLAN_YAML, PLAN_FILE

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
        f"{ACTIONS}/{PLAN_FILE}": DEFAULT_PLAN_YAML,
        f"{ACTIONS}/{REPORT_FILE}": modeline("report", f"{ACTIONS}/{REPORT_FILE}")
        + REPORT.format(today=today.isoformat(), year=today.year, section=SECTION_EXAMPLE,
                        **REPORT_EXAMPLES),
        f"{ACTIONS}/{AGENCIES_FILE}": modeline("agencies", f"{ACTIONS}/{AGENCIES_FILE}")
        + AGENCIES.format(agencies="".join(f"{code}: {name}\n"
                                           for code, name in AGENCY_EXAMPLES.items())),
        f"{ACTIONS}/data-gaps/1.1.1.yaml": modeline("data-gap", f"{ACTIONS}/data-gaps/x.yaml")
        + fill_skeleton("data-gap", ref="1.1.1", agencies="Council, Police",
                      lead="Council"),
        f"{ACTIONS}/recommendations/R1.yaml": modeline("recommendation",
                                                       f"{ACTIONS}/recommendations/x.yaml")
        + fill_skeleton("recommendation", ref="R1", agencies="Council, Police"),
    }
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
                            for p in write_schemas(staging / SCHEMA_DIR)]
            elif schemas:  # the folder's own schema folder: psa-report's files refreshed
                written += [p.relative_to(folder).as_posix() for p in write_schemas(schema_dir)]
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
