"""``init``: a new, valid, commented project for a partnership starting from nothing,
or (``init --from``) one made from the partnership's existing tracker."""

from __future__ import annotations

import os
import shutil
import tempfile
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
from ..scaffold import SCHEMA_DIR, modeline, skeleton, write_new, write_schemas
from ..shape import PLAN_FILE, default_plan_text, default_shape

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
    """Write the files of a new project into ``folder``; return them, relative to it."""
    folder = Path(folder)
    if (folder / ACTIONS).exists():
        raise Invalid([Problem(str(folder / ACTIONS), None, None,
            "already exists: this folder holds a project already (run `psa-report check` "
            "there), so nothing was written")])
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
    if not (folder / ".gitignore").exists():
        files[".gitignore"] = GITIGNORE
    for path, text in files.items():
        write_new(folder, path, text)
    load_project(folder)  # what init writes must pass check
    written = list(files)
    # The JSON Schemas, so an editor validates the files as they are typed.
    written += [path.relative_to(folder).as_posix()
                for path in write_schemas(folder / SCHEMA_DIR, shape)]
    return written


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
    if not dry_run and (folder / ACTIONS).exists():
        raise Invalid([Problem(str(folder / ACTIONS), None, None,
            "already exists: this folder holds a project already (run `psa-report check` "
            "there), so nothing was written: name a new folder")])
    grid = read_tracker(Path(tracker), sheet)
    made = infer(grid, Path(tracker).name)
    result = Adopted(made.notes, made.unmapped, made.plan_yaml, rows=made.rows)
    if dry_run:
        return result
    files = dict(made.files)
    if not (folder / ".gitignore").exists():
        files[".gitignore"] = GITIGNORE
    # Written aside, checked as a whole project, then moved into place: a project that
    # would not pass check is never left half written.
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".psa-init-", dir=folder))
    try:
        for path, text in files.items():
            write_new(staging, path, text)
        load_project(staging)
        os.replace(staging / ACTIONS, folder / ACTIONS)
        if ".gitignore" in files:
            os.replace(staging / ".gitignore", folder / ".gitignore")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.written = list(files)
    return result
