"""``requests``, ``collect`` and ``set``: updates from partners, and quick edits.

The workbooks themselves (openpyxl) live in :mod:`psa_report.workbook_out` and
:mod:`psa_report.returns`, the in-place edits in :mod:`psa_report.edit`; these operations add
the project around them: which agencies, which commit, where the files go.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .. import emails, history, ledger, record, review
from ..dates import long_date
from ..edit import apply_returns, set_fields
from ..files import decode_utf8, read_json, read_regular
from ..output import publish
from ..partners import (
    MANIFEST,
    MAX_RETURN_BYTES,
    NEW_FIELDS,
    PARTNERSHIP,
    REQUESTS_DIR,
    UPDATES,
    CollectResult,
    FileUpdate,
    IssuedWorkbook,
    example_date,
    header_labels,
    new_label,
    partner_fields,
    translated,
)
from ..problems import WARNING, BadOption, Invalid, Problem
from ..request_plan import plan_requests
from ..returns import Chooser, collect_returns
from ..shape import ACTIONS, PLAN_FILE
from ..validate import meeting_passed
from ..wording import words_for, words_in
from ..workbook_out import issue_requests
from .common import agency, item, load

#: Largest --update-file accepted (an update is a paragraph or two).
MAX_UPDATE_BYTES = 64 * 1024


@dataclass
class Issued:
    workbooks: list[IssuedWorkbook]
    manifest: Path
    commit: str | None  # the commit the values were taken from; None if not in git
    draft: bool  # the plan had uncommitted changes when the workbooks were made
    ledger: Path | None = None  # the round's ledger (round.json)
    #: what the previous round left open: "Court: not returned"
    left_open: list[str] = field(default_factory=list)
    emails: list[Path] = field(default_factory=list)  # with --email, the drafts written
    #: agencies whose draft has no address (no `email:` in agencies.yaml)
    no_address: list[str] = field(default_factory=list)
    #: what the workbooks tell partners that should be looked at: a meeting that has
    #: passed (validate.meeting_passed)
    warnings: list[Problem] = field(default_factory=list)


def requests(root: Path, leads: list[str] | None = None, reply_by: date | None = None,
             out_dir: Path | None = None, email: bool = False) -> Issued:
    """One update-request workbook per lead agency (only ``leads`` if given), a new round's
    ledger, and with ``email`` one draft email per agency with its workbook attached."""
    project = load(root)
    _today_s_shape(project, "requests")
    if leads:  # agencies.yaml's spelling (any case), or the partnership's own workbook
        leads = [PARTNERSHIP if code.lower() == PARTNERSHIP.lower()
                 else agency(project, code) for code in leads]
    source = history.provenance(root)
    out_dir = out_dir or Path(root) / REQUESTS_DIR
    issued_on = issue_day()
    warnings = meeting_passed(project, issued_on, reply_by)  # the meeting they are told
    if reply_by is not None and reply_by < issued_on:  # a slip of the year: 2025 for 2027
        warnings.append(Problem("--reply-by", None, None,
            f"{long_date(reply_by)} is before today ({long_date(issued_on)}), the day the "
            "requests are issued, so every agency is late at once: if that is a slip, issue "
            "the requests again with the day partners are to reply by, such as "
            f"{example_date(issued_on + timedelta(days=28))}", WARNING))
    with ledger.locked(out_dir):  # a collect --apply of the last round finishes first
        aside = (f"move it out of {out_dir} (to keep the last round's history), then "
                 "issue the requests")
        previous = ledger.read(out_dir, fix=aside)
        if previous is not None:  # the last round's ledger is kept, by its id, never lost
            ledger.write(out_dir / ledger.ROUNDS, previous,
                         f"round-{previous.get('round') or previous.get('issued') or 'old'}"
                         ".json", fix=f"the last round's ledger, {ledger.LEDGER}, is too "
                         f"large to keep under rounds/: {aside}")
        books = issue_requests(plan_requests(project, leads or None), out_dir, reply_by,
                               source.commit or None, issued_on=issued_on)
        manifest = read_json(out_dir / MANIFEST, str(out_dir / MANIFEST), MAX_RETURN_BYTES,
                             lambda size: f"is {size:,} bytes, too large",
                             "the list of requests just written",
                             "check that nothing else writes to this folder")
        assert isinstance(manifest, dict)  # issue_requests has just written it
        kept = ledger.write(out_dir, ledger.start(manifest, project.agency_emails))
    issued = Issued(books, out_dir / MANIFEST, source.commit or None, source.dirty, kept,
                    ledger.left_open(previous), warnings=warnings)
    if email:
        outputs = {}
        sheets = {b["agency"]: b.get("sheets") for b in manifest["workbooks"]}
        languages = {b["agency"]: b.get("language") for b in manifest["workbooks"]}
        for book in books:
            draft = _draft(project, book.agency, book.agency_name, book.path, book.refs,
                           sheets.get(book.agency), language=languages.get(book.agency))
            message = emails.request(draft, project.report.partnership, project.report.meeting,
                                     project.report.author, reply_by)
            target = out_dir / emails.eml_name(book.path)
            outputs[target] = emails.saver(message)
            issued.emails.append(target)
            if not draft.email:
                issued.no_address.append(book.agency)
        publish(outputs)
    return issued


def issue_day() -> date:
    """The day requests are issued: today (a test of the shipped 2010 plan sets a day
    of 2010)."""
    return date.today()


def _today_s_shape(project, command: str) -> None:
    """`requests` and `collect` take a declared kind in its own columns, but need refs
    to read partners' returns back by: a kind without refs is told so plainly."""
    unnumbered = [kind.plural for kind in project.shape.kinds
                  if kind.ref.style == "none" and project.kind_items.get(kind.name)]
    if unnumbered:
        raise Invalid([Problem(f"{ACTIONS}/{PLAN_FILE}", None, None,
            f"`psa-report {command}` needs refs to read partners' returns back by, and "
            f"the {' and '.join(unnumbered)} have none (`ref: \"\"`): give the kind a "
            "form of ref in plan.yaml (such as ref: \"1\") and a ref in each item's "
            "file")])


def _draft(project, code: str, name: str, workbook: Path, refs, sheets: dict | None,
           address: str | None = None, language: str | None = None) -> emails.Draft:
    """A draft to ``code``, describing the columns its workbook has to fill in, in the
    language its workbook went out in (as the round recorded it; a round recorded before
    workbooks had languages: the plan's main one)."""
    language = language if isinstance(language, str) and language in project.languages \
        else project.languages[0]
    if language != project.languages[0] and code in project.agencies:
        name = translated(project.agencies[code], language)  # its name in its language
    titles, columns = _to_fill(project, sheets, language)
    counts = Counter(found.kind.name for ref in refs if (found := project.find(ref)))
    kinds = tuple((translated(kind.name, language), translated(kind.plural, language),
                   counts[kind.name]) for kind, _ in project.kinds if counts[kind.name])
    return emails.Draft(code, name, address or project.agency_emails.get(code), workbook,
                        tuple(refs), titles, columns, language, kinds,
                        words_for(project.shape, language).done)


def _to_fill(project, sheets: dict | None, language: str = "en"
             ) -> tuple[tuple[str, ...], tuple]:
    """The sheets of a workbook (kind name -> sheet, as the manifest records them) and
    their columns to fill in, each once, as the workbook in ``language`` heads them; a
    workbook of a round issued before each kind had its own sheet has the one Updates
    sheet and its three columns."""
    if not sheets:
        return (UPDATES,), tuple(emails.Column(title, type_) for title, type_ in
                                 zip(NEW_FIELDS, ("text", "status", "due"), strict=True))
    kinds = {kind.name: kind for kind, _ in project.kinds}
    other = language if language != project.languages[0] else None
    columns: dict[str, emails.Column] = {}
    for name in sheets:
        if name not in kinds:
            continue
        labels = header_labels(kinds[name], other, words_in(language))
        for definition in partner_fields(kinds[name]):
            title = labels.get(new_label(definition.label), new_label(definition.label))
            columns.setdefault(title, emails.Column(title, definition.type))
    return tuple(sheets.values()), tuple(columns.values())


@dataclass
class Collected:
    result: CollectResult
    applied: list[str] = field(default_factory=list)  # files written, with --apply
    commit: str | None = None  # with --commit, the commit made
    ledger: Path | None = None  # the round's ledger, when --apply recorded the run
    #: the preview as a page (--format markdown or html), else None
    page: str | None = None
    lines: list[str] = field(default_factory=list)  # the preview, for a terminal


def collect(root: Path, paths: list[Path], apply: bool = False, take: list[str] | None = None,
            choose: Chooser | None = None, commit: bool = False, fmt: str = "table",
            today: date | None = None) -> Collected:
    """Read returned workbooks (or CSV); with ``apply``, write their values into the YAML
    and record the run in the round's ledger; with ``commit``, commit them in one git
    commit naming each return."""
    if commit and not apply:
        raise BadOption("--commit", "--commit records what --apply writes: give both")
    project = load(root)
    _today_s_shape(project, "collect")
    today = today or date.today()
    result = collect_returns(project, paths, _takes(take or []), choose)
    title = f"Updates from partners for the {project.report.meeting}"
    done = Collected(result, lines=review.as_table(result))
    if fmt == "markdown":
        done.page = review.as_markdown(result, title)
    elif fmt == "html":
        done.page = review.as_html(result, title)
    if not apply:
        return done
    if result.manifest is None:
        _apply(root, result, commit, today, done)
        return done
    # The round's ledger is read, added to and written under its lock: two collect
    # --apply at once take turns, and neither loses the other's returns.
    with ledger.locked(result.manifest.parent):
        _apply(root, result, commit, today, done)
    return done


def _apply(root: Path, result: CollectResult, commit: bool, today: date,
           done: Collected) -> None:
    paths_changed = [update.path for update in result.updates]
    ready = record.check(root, paths_changed) if commit and paths_changed else None
    done.applied = apply_returns(root, result) if result.updates else []
    kept = ledger.for_round(result.manifest.parent, result.round) if result.manifest else None
    if ready is not None:
        done.commit = record.commit(root, ready, done.applied,
                                    record.message(result, (kept or {}).get("issued")))
    if kept is not None and result.manifest is not None:
        done.ledger = ledger.write(result.manifest.parent,
                                   ledger.record(kept, result, today, done.commit))


def _takes(given: list[str]) -> dict[str, str]:
    """--take 3.2.1=Police (its status and date), --take 3.2.1:update=SBC (its update text)."""
    takes: dict[str, str] = {}
    for text in given:
        key, sign, code = text.partition("=")
        ref, colon, name = key.partition(":")
        if not sign or not ref.strip() or not code.strip() or (
                colon and name.strip() not in ("status", "due", "update")):
            raise BadOption("--take", f"{text!r}: write REF=AGENCY (its status and date), "
                            "or REF:update=AGENCY (its update text), such as --take "
                            "3.2.1=Police")
        takes[f"{ref.strip()}:{name.strip()}" if colon else ref.strip()] = code.strip()
    return takes


ROUND_COLUMNS = ledger.AgencyRound.COLUMNS


@dataclass
class Round:
    rows: list[ledger.AgencyRound]
    ledger: Path
    issued: str | None
    reply_by: str | None
    reminders: list[Path] = field(default_factory=list)  # with --chase
    no_address: list[str] = field(default_factory=list)
    #: the table `round` prints: (attribute, heading)
    columns = ROUND_COLUMNS


def round_status(root: Path, today: date | None = None, chase: bool = False,
                 folder: Path | None = None) -> Round:
    """Per agency: issued, returned, applied, days late; with ``chase``, a reminder (.eml)
    to each agency whose return is late."""
    today = today or date.today()
    project = load(root)
    folder = folder or Path(root) / REQUESTS_DIR
    kept = ledger.read(folder)
    if kept is None:
        raise Invalid([Problem(str(folder / ledger.LEDGER), None, None,
            "no round has been issued here (the ledger is written by `psa-report requests`): "
            "issue the requests first, or give --out the folder they were written to")])
    rows = ledger.status(kept, today)
    done = Round(rows, folder / ledger.LEDGER, kept.get("issued"), kept.get("reply_by"))
    if chase:
        reply_by = date.fromisoformat(kept["reply_by"]) if kept.get("reply_by") else None
        if reply_by is None:
            raise BadOption("--chase", "the round has no reply-by date, so nobody is late: "
                            "issue the requests with --reply-by")
        outputs = {}
        for row in rows:
            if row.returned or not row.late:
                continue
            workbook = folder / row.file
            if not workbook.is_file():
                raise Invalid([Problem(str(workbook), None, None,
                    f"the workbook sent to {row.agency} is gone, so it cannot be attached "
                    "to the reminder: issue the requests again")])
            address = project.agency_emails.get(row.agency) or row.email
            entry = kept["agencies"].get(row.agency) or {}
            draft = _draft(project, row.agency, row.name, workbook, (),
                           entry.get("sheets") if isinstance(entry, dict) else None, address,
                           entry.get("language") if isinstance(entry, dict) else None)
            target = folder / emails.eml_name(workbook, "-reminder")
            outputs[target] = emails.saver(emails.reminder(
                draft, project.report.partnership, project.report.author, reply_by, row.late))
            done.reminders.append(target)
            if not address:
                done.no_address.append(row.agency)
        if outputs:
            publish(outputs)
    return done


def set_item(root: Path, ref: str, status: str | None = None, update: str | None = None,
             update_file: Path | None = None, due: str | None = None,
             fields: dict[str, str] | None = None) -> FileUpdate:
    """One quick edit of an item's status, update or deadline (or, for a plan's own
    kind, any field by its name), in place."""
    if update is not None and update_file is not None:
        raise BadOption("--update-file", "give --update TEXT or --update-file FILE, not both")
    if status is None and update is None and update_file is None and due is None \
            and not fields:
        raise BadOption("REF", "say what to change: --status, --update, --update-file or --due")
    if update_file is not None:
        update = _read_update_file(update_file)
    project = load(root)
    found = item(project, ref)
    return set_fields(root, found.ref, status=status, update=update, due=due, fields=fields)


def _read_update_file(path: Path) -> str:
    raw = read_regular(path, str(path), MAX_UPDATE_BYTES, lambda size: (
        f"is over {MAX_UPDATE_BYTES:,} bytes: an update is a paragraph or two"))
    return decode_utf8(raw, lambda line, column, byte: Invalid([Problem(str(path), None, None,
        "is not UTF-8 text: save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8)")])
    ).replace("\r\n", "\n").strip()
