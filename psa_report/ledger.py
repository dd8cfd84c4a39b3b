"""The round's ledger: what went to whom, which returns came back, when, and which were applied.

``requests`` starts a round: it writes ``round.json`` next to ``manifest.json``
(out/requests/), one entry per agency.  Each ``collect --apply`` adds what it
read and wrote, so ``psa-report round`` can say, across any number of
``collect`` runs, who was asked, who replied, whose updates are in the plan and
who is late.  The ledger is psa-report's own record, never read from a return;
it is matched to its manifest by the round's id, so a ledger left from an
earlier round is never taken for this one.

The values each agency gave are kept, so a joint action answered by one lead
today and the other next week is merged as if both had come back together.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, cast

from .files import parse_json, read_regular
from .output import locked as output_locked
from .output import publish
from .partners import MANIFEST, REQUESTS_DIR, CollectResult
from .problems import Invalid, Problem

LEDGER = "round.json"
#: Where earlier rounds' ledgers are kept, by their ids, under the requests folder.
ROUNDS = "rounds"
FORMAT = 1
MAX_LEDGER_BYTES = 20 * 1024 * 1024


def new_round_id(issued_on: date) -> str:
    """A round's id: the day it was issued and a few random letters (two rounds a day differ)."""
    return f"{issued_on.isoformat()}-{secrets.token_hex(3)}"


#: What to do about a damaged ledger, said by every command but ``requests``.
AGAIN = ("issue the requests again (psa-report requests), or remove this file (the "
         "round's history is then lost)")


def read(folder: Path, fix: str = AGAIN, name: str = LEDGER) -> dict | None:
    """The ledger in ``folder`` (None if there is none); a damaged one is refused by name,
    saying ``fix``."""
    path = Path(folder) / name
    if not path.is_file():
        return None
    raw = read_regular(path, str(path), MAX_LEDGER_BYTES,
                       lambda size: f"is {size:,} bytes, too large for a round's ledger")
    try:
        ledger = parse_json(raw)
        _check(ledger)
    except ValueError as error:
        raise Invalid([Problem(str(path), None, None,
            f"the round's ledger cannot be read ({error}): {fix}")]) from None
    return cast(dict, ledger)  # _check made sure it is one


def _check(ledger: object) -> None:
    """Raise ValueError unless ``ledger`` has the shape this module writes."""
    def day(value: object) -> None:
        if value is not None:
            date.fromisoformat(value if isinstance(value, str) else "")

    def texts(value: object, depth: int) -> bool:
        if depth == 0:
            return isinstance(value, str)
        return isinstance(value, dict) and all(
            isinstance(k, str) and texts(v, depth - 1) for k, v in value.items())

    if not isinstance(ledger, dict) or not isinstance(ledger.get("agencies"), dict):
        raise ValueError("it holds no agencies")
    for key in ("issued", "reply_by"):
        day(ledger.get(key))
    if not texts(ledger.get("written") or {}, 2):
        raise ValueError("its values written are not a list of texts")
    if not texts(ledger.get("chosen") or {}, 2):
        raise ValueError("its choices of joint values are not a list of texts")
    for code, entry in ledger["agencies"].items():
        if not isinstance(entry, dict) or not texts(entry.get("given") or {}, 2):
            raise ValueError(f"its entry for {code} is damaged")
        for key in ("returned", "applied"):
            day(entry.get(key))
        for key in ("refs", "changed", "waiting"):
            if not all(isinstance(r, str) for r in entry.get(key) or []):
                raise ValueError(f"its entry for {code} is damaged")
        for key in ("name", "file", "email", "return_file", "language"):
            if not isinstance(entry.get(key) or "", str):
                raise ValueError(f"its entry for {code} is damaged")


def write(folder: Path, ledger: dict, name: str = LEDGER,
          fix: str = "issue a new round (psa-report requests), which starts a new "
                     "ledger") -> Path:
    """Write the ledger whole (a file of the same name replaced at once, keeping its
    permissions), refusing one larger than :func:`read` takes back, saying ``fix``."""
    path = Path(folder) / re.sub(r"[^A-Za-z0-9._-]", "-", name)
    data = (json.dumps(ledger, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if len(data) > MAX_LEDGER_BYTES:
        raise Invalid([Problem(str(path), None, None,
            f"the round's ledger would be {len(data):,} bytes, more than the "
            f"{MAX_LEDGER_BYTES:,} it may be, so it was not written: {fix}")])
    # A link is replaced by the file, never written through; a file keeps its mode.
    publish({path: lambda temp: temp.write_bytes(data)}, user_files=not path.is_symlink())
    return path


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the round's ledger and manifest in ``folder`` for a read, change and write:
    two ``collect --apply`` (or a ``requests``) at once take turns, so neither loses
    what the other recorded. Read the ledger again inside."""
    folder = Path(folder)
    made = [f for f in (folder, *folder.parents) if not f.exists()]  # made for the locks
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise Invalid([Problem(str(folder), None, None,
            f"cannot be written ({error.strerror or error}): check that it can be written "
            "to, or give --out another folder; nothing was written")]) from None
    try:
        with output_locked([folder / LEDGER, folder / MANIFEST]):
            yield
    finally:
        for made_here in made:  # nothing written in them: leave no empty folder behind
            try:
                made_here.rmdir()
            except OSError:
                break


def for_round(folder: Path, round_id: str) -> dict | None:
    """The ledger of this round, or None (none kept, or it is of another round)."""
    if not round_id:
        return None
    ledger = read(folder)
    return ledger if ledger and ledger.get("round") == round_id else None


def start(manifest: dict, emails: dict[str, str]) -> dict:
    """A new round's ledger, from the manifest ``requests`` just wrote."""
    return {
        "format": FORMAT, "round": manifest.get("round", ""),
        "issued": manifest.get("issued"), "reply_by": manifest.get("reply_by"),
        "agencies": {book["agency"]: {
            "name": book["name"], "file": book["file"], "refs": list(book["refs"]),
            "sheets": dict(book.get("sheets") or {}),
            "language": book.get("language"),
            "email": emails.get(book["agency"]), "returned": None, "return_file": None,
            "applied": None, "changed": [], "waiting": [], "given": {},
        } for book in manifest["workbooks"]},
        "written": {}, "runs": [],
    }


def left_open(ledger: dict | None) -> list[str]:
    """What a round left open, agency by agency: "Court: not returned"."""
    if not ledger:
        return []
    lines = []
    for code, entry in ledger["agencies"].items():
        if not entry.get("returned"):
            lines.append(f"{code}: not returned")
        elif entry.get("waiting"):
            lines.append(f"{code}: returned, waiting on {', '.join(entry['waiting'])}")
        elif not entry.get("applied"):
            lines.append(f"{code}: returned, not applied")
    return lines


@dataclass(frozen=True)
class Earlier:
    """What earlier ``collect --apply`` runs of this round recorded."""

    #: agency -> ref -> field -> the value it gave
    given: dict[str, dict[str, dict[str, str]]]
    #: ref -> field -> the value this round wrote into the plan
    written: dict[str, dict[str, str]]
    returned: tuple[str, ...]  # agencies whose return was applied
    #: ref -> field -> the lead whose value was taken for a joint row (--take, or in the
    #: terminal), so a choice made once is not asked for again
    chosen: dict[str, dict[str, str]] = field(default_factory=dict)


NOTHING = Earlier({}, {}, ())


def earlier(ledger: dict | None) -> Earlier:
    if not ledger:
        return NOTHING
    agencies = ledger["agencies"]
    return Earlier({code: e.get("given") or {} for code, e in agencies.items()},
                   ledger.get("written") or {},
                   tuple(code for code, e in agencies.items() if e.get("returned")),
                   ledger.get("chosen") or {})


def record(ledger: dict, result: CollectResult, today: date, commit: str | None = None) -> dict:
    """Add one ``collect --apply`` run to the ledger (the returns read, the values written)."""
    agencies = ledger["agencies"]
    waiting = {w.ref for w in result.waiting}
    changed = {u.ref: u for u in result.updates}
    for ret in result.returns:
        entry = agencies.setdefault(ret.agency, {
            "name": ret.agency, "file": ret.file, "refs": [], "email": None, "returned": None,
            "return_file": None, "applied": None, "changed": [], "waiting": [], "given": {}})
        entry["returned"] = ret.received
        entry["return_file"] = ret.file
        entry["given"] = result.given.get(ret.agency) or entry.get("given") or {}
        entry["waiting"] = sorted(r for r in ret.refs if r in waiting)
        mine = [r for r in ret.refs if r in changed and ret.agency in changed[r].agencies]
        entry["changed"] = sorted(set(entry.get("changed") or []) | set(mine))
        entry["applied"] = None if entry["waiting"] else today.isoformat()
    for update in result.updates:
        ledger.setdefault("written", {}).setdefault(update.ref, {}).update(update.values)
    for ref, fields in result.chosen.items():
        ledger.setdefault("chosen", {}).setdefault(ref, {}).update(fields)
    ledger.setdefault("runs", []).append({
        "on": today.isoformat(), "returns": [r.agency for r in result.returns],
        "changed": [u.ref for u in result.updates], "waiting": sorted(waiting),
        "commit": commit})
    return ledger


# ---------------------------------------------------------------- the round, as a table

@dataclass(frozen=True)
class AgencyRound:
    agency: str
    name: str
    email: str | None
    file: str
    issued: str | None
    returned: str | None
    applied: str | None
    waiting: tuple[str, ...]
    late: int | None  # days past the reply-by date: not yet returned, or returned late

    COLUMNS: ClassVar = (("agency", "Agency"), ("issued", "Issued"), ("returned", "Returned"),
                         ("applied", "Applied"), ("late", "Days late"))

    def cells(self) -> dict[str, str | list[str]]:
        applied = self.applied or (f"waiting: {', '.join(self.waiting)}" if self.waiting
                                   else "-")
        return {"agency": self.agency, "issued": self.issued or "-",
                "returned": self.returned or "-", "applied": applied,
                "late": str(self.late) if self.late else "-"}

    def as_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "name": self.name, "email": self.email,
                "workbook": self.file, "issued": self.issued, "returned": self.returned,
                "applied": self.applied, "waiting": list(self.waiting),
                "days_late": self.late}


def status(ledger: dict, today: date) -> list[AgencyRound]:
    reply_by = date.fromisoformat(ledger["reply_by"]) if ledger.get("reply_by") else None
    rows = []
    for code, entry in ledger["agencies"].items():
        returned = entry.get("returned")
        when = date.fromisoformat(returned) if returned else today
        late = (when - reply_by).days if reply_by and when > reply_by else None
        rows.append(AgencyRound(code, entry.get("name") or code, entry.get("email"),
                                entry.get("file") or "", ledger.get("issued"), returned,
                                entry.get("applied"), tuple(entry.get("waiting") or ()),
                                late))
    return rows


def received(root: Path, words, since: date | None = None) -> list[str]:
    """The colophon's line on the applied returns behind this report's updates (from the
    project's ledger), as ``words`` (:class:`psa_report.wording.Words`) says it: this
    round's, and with ``since`` (the last meeting's day) those of every earlier round
    issued since then (kept under rounds/), each agency once, at its latest return;
    none when there is no round."""
    folder = Path(root) / REQUESTS_DIR
    try:
        ledgers = [read(folder)]
    except Invalid:
        return []
    kept = folder / ROUNDS
    if since is not None and kept.is_dir():
        for path in sorted(kept.glob("round-*.json")):
            issued = path.name[len("round-"):len("round-") + 10]
            try:
                if date.fromisoformat(issued) < since:
                    continue
                ledgers.append(read(kept, name=path.name))
            except (ValueError, Invalid):
                continue  # an old round's ledger the colophon can do without
    latest: dict[str, str] = {}
    for found in ledgers:
        for code, entry in (found or {}).get("agencies", {}).items():
            if entry.get("returned") and entry.get("applied"):
                latest[code] = max(latest.get(code, ""), entry["returned"])
    got = sorted((day, code) for code, day in latest.items())
    return [words.updates_received([(code, date.fromisoformat(day)) for day, code in got])
            ] if got else []
