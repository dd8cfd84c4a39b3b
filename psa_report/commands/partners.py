"""``requests``, ``collect`` and ``set``: updates from partners, and quick edits.

The workbooks themselves (openpyxl) and the in-place YAML writer live in
:mod:`psa_report.partners` and :mod:`psa_report.yamledit`; these operations add
the project around them: which agencies, which commit, where the files go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import history
from ..loader import read_bounded
from ..partners import (
    MANIFEST,
    PARTNERSHIP,
    CollectResult,
    FileUpdate,
    IssuedWorkbook,
    apply_returns,
    collect_returns,
    issue_requests,
    set_fields,
)
from ..problems import BadOption, Invalid, Problem
from .common import agency, item, load

#: Largest --update-file accepted (an update is a paragraph or two).
MAX_UPDATE_BYTES = 64 * 1024


@dataclass
class Issued:
    workbooks: list[IssuedWorkbook]
    manifest: Path
    commit: str | None  # the commit the values were taken from; None if not in git
    draft: bool  # the plan had uncommitted changes when the workbooks were made


def requests(root: Path, leads: list[str] | None = None, reply_by: date | None = None,
             out_dir: Path | None = None) -> Issued:
    """One update-request workbook per lead agency (only ``leads`` if given)."""
    project = load(root)
    if leads:  # agencies.yaml's spelling (any case), or the partnership's own workbook
        leads = [PARTNERSHIP if code.lower() == PARTNERSHIP.lower()
                 else agency(project, code) for code in leads]
    source = history.provenance(root)
    out_dir = out_dir or Path(root) / "out" / "requests"
    books = issue_requests(project, out_dir, leads or None, reply_by, source.commit or None)
    return Issued(books, out_dir / MANIFEST, source.commit or None, source.dirty)


@dataclass
class Collected:
    result: CollectResult
    applied: list[str] = field(default_factory=list)  # files written, with --apply


def collect(root: Path, paths: list[Path], apply: bool = False) -> Collected:
    """Read returned workbooks (or CSV); with ``apply``, write their values into the YAML."""
    project = load(root)
    result = collect_returns(project, paths)
    applied = apply_returns(root, result) if apply and result.updates else []
    return Collected(result, applied)


def set_item(root: Path, ref: str, status: str | None = None, update: str | None = None,
             update_file: Path | None = None, due: str | None = None) -> FileUpdate:
    """One quick edit of an item's status, update or deadline, in place."""
    if update is not None and update_file is not None:
        raise BadOption("--update-file", "give --update TEXT or --update-file FILE, not both")
    if status is None and update is None and update_file is None and due is None:
        raise BadOption("REF", "say what to change: --status, --update, --update-file or --due")
    if update_file is not None:
        update = _read_update_file(update_file)
    project = load(root)
    found = item(project, ref)
    return set_fields(root, found.ref, status=status, update=update, due=due)


def _read_update_file(path: Path) -> str:
    raw, _ = read_bounded(path, MAX_UPDATE_BYTES,
                          fix="give a text file holding the update")
    if len(raw) > MAX_UPDATE_BYTES:
        raise Invalid([Problem(str(path), None, None,
            f"is over {MAX_UPDATE_BYTES:,} bytes: an update is a paragraph or two")])
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n").strip()
    except UnicodeDecodeError:
        raise Invalid([Problem(str(path), None, None,
            "is not UTF-8 text: save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")]) \
            from None
