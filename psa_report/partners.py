"""Update requests to partners: what every part of the round trip shares.

The round trip, one module each:

1. :mod:`psa_report.workbook_out` (``requests``) writes one ``.xlsx`` per lead
   agency listing the actions it leads that are not complete, with three columns
   to fill in (New update, New status, New due date), and ``manifest.json``, the
   record of what was issued.
2. :mod:`psa_report.returns` (``collect``) reads the workbooks (or CSV exports of
   them) that came back and checks every row against the manifest and the plan as
   it is now.  Every problem is reported at once, by file and cell; nothing is
   written.
3. :mod:`psa_report.edit` (``collect --apply`` and ``set``) writes changes into
   the action files in place (see :mod:`psa_report.yamledit`), after validating
   the whole plan as it would be.

This module holds what they share: the workbook's sheet names and column
labels (the one place they are worded), the bounds on a return, and the record
of one row as it was sent.

A workbook from outside is untrusted input: formulas are refused, never
evaluated; files and rows are bounded; nothing in a return can name a file to
write, since changes are keyed by ref and written to the file the plan says.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import fieldtypes
from .bilingual import Text, in_language, translations
from .changes import FieldChange
from .dates import parse_due
from .shape import shown_text, written_text

#: The workbook of the items that have no lead agency (recommendations for all).
PARTNERSHIP = "Partnership"
MANIFEST = "manifest.json"
REQUESTS_DIR = Path("out") / "requests"  # where the CLI is expected to issue them

# The words of the workbooks: sheet names and column labels, worded here only.
INSTRUCTIONS, UPDATES, ISSUED = "Instructions", "Updates", "Issued"
REF, TEXT, ACTION = "Ref", "Data gap / recommendation", "Action"
CURRENT_UPDATE, CURRENT_STATUS, DUE = "Current update", "Current status", "Due"
NEW_UPDATE, NEW_STATUS, NEW_DUE = "New update", "New status", "New due date"
#: The columns as sent, not read back (a change there is refused).
GIVEN = (REF, TEXT, ACTION, CURRENT_UPDATE, CURRENT_STATUS, DUE)
#: The columns to fill in, and the YAML field each changes.
NEW_FIELDS = {NEW_UPDATE: "update", NEW_STATUS: "status", NEW_DUE: "due"}
HEADERS = GIVEN + tuple(NEW_FIELDS)
#: The first cell of the hidden Issued sheet.
ISSUED_MARK = "psa-report update request"
INSTRUCTIONS_WIDTH = 80  # fits A4 portrait at full size
LINE_HEIGHT = 15  # points per line of 11-point text

#: Bounds on a returned file: a workbook of one agency's actions is a few tens of KB.
MAX_RETURN_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb inflates far beyond its size
MAX_ROWS = 5000
MAX_COLUMNS = 50

FORMAT = 1  # of the hidden sheet and the manifest


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class IssuedWorkbook:
    agency: str  # the short name from agencies.yaml, or "Partnership"
    agency_name: str
    path: Path
    refs: tuple[str, ...]


@dataclass(frozen=True)
class FileUpdate:
    """What a return (or a quick edit) changes in one action file."""

    path: str  # relative to the project: actions/data-gaps/3.2.1.yaml
    ref: str
    changes: tuple[FieldChange, ...]
    #: where each change came from: "Police-update-request.xlsx: sheet Updates, cell G3"
    origins: tuple[str, ...] = ()
    #: the agencies whose returns gave these values (a joint action: more than one)
    agencies: tuple[str, ...] = ()
    #: field -> the language its new text is in, for a text returned in another language
    #: than the plan's main one (a Welsh agency's update): written as its translation
    languages: dict[str, str] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, str | None]:
        return {change.field: change.new for change in self.changes}

    @property
    def summaries(self) -> list[str]:  # "status: at risk → on track", one per field
        return [change.summary for change in self.changes]


@dataclass(frozen=True)
class Joint:
    """An action with several leads that more than one of them updated: each one's values."""

    ref: str
    path: str
    #: field -> [(agency, value)], in agencies.yaml's order: every value given
    given: dict[str, tuple[tuple[str, str], ...]]
    #: field -> how it was settled: "kept both", "taken from Police", "the same"
    settled: dict[str, str]
    #: field -> its label, as partners read it ("Progress update", "RAG")
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        """A field of the row by its label (its name if it has none)."""
        return self.labels.get(name, name)

    @property
    def agencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for values in self.given.values() for a, _ in values))


def take_option(key: str, agency: str) -> str:
    """``--take REF=AGENCY`` as it can be pasted into a shell: quoted where the name has
    spaces or other characters a shell reads (``--take '3.2.1=Fire and Rescue'``)."""
    return f"--take {shlex.quote(f'{key}={agency}')}"


@dataclass(frozen=True)
class Waiting:
    """A row held back: its leads disagree on a status or date and nobody chose."""

    ref: str
    path: str
    #: "status: Police gives 'at risk', SBC gives 'off track'"
    reasons: tuple[str, ...]
    agencies: tuple[str, ...]

    @property
    def line(self) -> str:
        takes = " or ".join(take_option(self.ref, a) for a in self.agencies)
        return f"{self.ref} waits ({'; '.join(self.reasons)}): choose with {takes}"


@dataclass(frozen=True)
class Returned:
    """One return read: whose, which file, when it was saved, the refs it filled."""

    agency: str
    file: str
    received: str  # ISO date: the day the file was last saved
    refs: tuple[str, ...]


@dataclass(frozen=True)
class CollectResult:
    updates: tuple[FileUpdate, ...]
    returned: tuple[str, ...]  # agencies whose workbook came back
    not_returned: tuple[str, ...]  # agencies in the manifest whose workbook did not
    manifest: Path | None
    notes: tuple[str, ...] = ()  # files skipped, and why: "Skipped x.ods: ..."
    joint: tuple[Joint, ...] = ()  # joint actions updated by more than one lead
    waiting: tuple[Waiting, ...] = ()  # rows held back until someone chooses
    returns: tuple[Returned, ...] = ()  # the files read, one per agency
    #: the round's id (from the manifest), to match its ledger; "" for an old manifest
    round: str = ""
    #: agency -> ref -> field -> the value its return gave (kept in the round's ledger)
    given: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    #: ref -> field -> the lead whose value was taken for a joint row (kept in the ledger)
    chosen: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def not_returned_line(self) -> str | None:
        """ "Not yet returned: Court, Probation", or None when all are in."""
        if not self.not_returned:
            return None
        return "Not yet returned: " + ", ".join(self.not_returned)


# ---------------------------------------------------------------- what is sent

@dataclass(frozen=True)
class Sent:
    """One row as it was issued on the one Updates sheet that workbooks had before every
    plan's kinds had a sheet each (read back from returns of such rounds)."""

    ref: str
    update: str
    status: str  # Status value, "off track"
    due: str | None  # str(Due): "2010-09" or "2010-09-30"
    text: str  # the gap or the recommendation
    action: str | None

    def shown(self) -> dict[str, str]:
        """The given columns as printed in the workbook."""
        due = parse_due(self.due).long if self.due else ""
        return dict(zip(GIVEN, (self.ref, self.text, self.action or "", self.update,
                                self.status[:1].upper() + self.status[1:], due)))

    def issued(self, name: str) -> str | None:
        return {"update": self.update, "status": self.status, "due": self.due}[name]


ISSUED_COLUMNS = ("ref", "update", "status", "due", "text", "action")
ISSUED_FIRST_ROW = 7  # rows 1-5 hold the metadata, row 6 the header


#: An update's text as typed in a cell or on the command line, line endings made plain.
read_update = fieldtypes.cell_text


# ---------------------------------------------------------------- a plan's own shape
#
# A plan whose actions/plan.yaml declares kinds of its own goes out in its own columns:
# Ref, the kind's fields that partners do not fill in (as given), then for each field
# marked ``partners: true`` its current value ("Current <label>") and a column to fill
# in ("New <label>").  Each kind with items in a workbook has its own sheet.

def current_label(label: str) -> str:
    return f"Current {label}"


def new_label(label: str) -> str:
    return f"New {label}"


def partner_fields(kind) -> tuple:
    """The fields of ``kind`` partners fill in, in the kind's order."""
    return tuple(f for f in kind.fields
                 if f.partners and fieldtypes.get(f.type).partner_fillable)


def given_fields(kind) -> tuple:
    """The fields of ``kind`` shown as given (not filled in by partners: an agencies
    field decides whose workbook an item is in, so it is given even if marked)."""
    fillable = partner_fields(kind)
    return tuple(f for f in kind.fields if f not in fillable)


def shaped_headers(kind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the columns as sent, the columns to fill in) of a kind's Updates sheet."""
    partners = partner_fields(kind)
    given = (REF, *(f.label for f in given_fields(kind)),
             *(current_label(f.label) for f in partners))
    return given, tuple(new_label(f.label) for f in partners)


def partner_label(label: str) -> str:
    """A field's label as partners read it (workbooks, e-mails, ``collect``): a label
    written in capitals as a print style ("UPDATE") in sentence case ("Update"); a word
    of up to three capitals is an abbreviation and kept ("RAG", "RAG STATUS" -> "RAG
    status")."""
    if label != label.upper() or label == label.lower():
        return label  # not all capitals
    words = [word.lower() if sum(c.isalpha() for c in word) > 3 else word
             for word in label.split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def header_labels(kind, language: str | None, words: Any) -> dict[str, str]:
    """The headers of a kind's Updates sheet (:func:`shaped_headers`) as a workbook in
    ``language`` heads them (the fields' labels in it, "Current" and "New" in the tool's
    ``words``); for the plan's main language (None), only the headers whose label is
    written in capitals, in sentence case (:func:`partner_label`: "New Update"), the
    others being as named."""
    if not language:
        return {header: header.removesuffix(label) + partner_label(label)
                for definition in kind.fields
                if partner_label(label := definition.label) != label
                for header in (label, current_label(label), new_label(label))}
    labels = {REF: words.ref}
    for definition in given_fields(kind):
        labels[definition.label] = partner_label(translated(definition.label, language))
    for definition in partner_fields(kind):
        label = partner_label(translated(definition.label, language))
        labels[current_label(definition.label)] = words.current_label(label)
        labels[new_label(definition.label)] = words.new_label(label)
    return labels


def example_date(day: date) -> str:
    """A date as a partner types it, for the examples: 30/09/2010."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def translated(value: Any, language: str) -> str:
    """A text of the plan in ``language``: its translation, else as written."""
    return in_language(value, language)[0]


def shown_in(definition, value: Any, language: str | None, words: Any) -> str:
    """A typed field value as a person reads it in ``language`` (None: the plan's main
    language, :func:`shown_text`): a text's translation, a status's label and a deadline
    in that language."""
    if language is None or value is None:
        return shown_text(definition, value)
    kind = fieldtypes.get(definition.type)
    if kind.wording:
        return translated(value, language)
    if kind.is_status:
        return translated(value.label, language)
    if kind.is_due:
        return words.deadline(value)
    if kind.is_date:
        return words.long_date(value)
    return shown_text(definition, value)


def current_in(definition, value: Any, language: str | None) -> str | None:
    """A field's value as written to YAML, in ``language`` (None: the plan's main one):
    a text field's translation into it, or None if it has none; any other field as it is
    (a status, a date: the same in every language)."""
    if language is None or not fieldtypes.get(definition.type).wording:
        return written_text(definition, value)
    return translations(value).get(language) if isinstance(value, Text) else None


@dataclass(frozen=True)
class ShapedSent:
    """One item of a declared kind as it was issued: its current values of the fields
    partners fill in (as written in YAML), and the given columns as shown."""

    ref: str
    kind: str
    current: dict[str, str | None]  # field name -> its value, as in the YAML
    given: dict[str, str]  # header -> the text shown

    @classmethod
    def of(cls, item, language: str | None = None, words: Any = None) -> ShapedSent:
        """``item`` as sent; with ``language`` (an agency's other than the plan's main
        one, and ``words``, the tool's words in it), as its workbook shows it in that
        language: its texts' translations (the main language's where it has none), its
        status's label and its deadline in that language; the current value of a text
        field is then its translation (None if it has none), which a return changes."""
        kind = item.kind
        given = {REF: item.ref}
        partners = partner_fields(kind)

        def shown(definition) -> str:
            return shown_in(definition, item.get(definition.name), language, words)

        given.update((f.label, shown(f)) for f in given_fields(kind))
        given.update((current_label(f.label), shown(f)) for f in partners)
        return cls(item.ref, kind.name, {f.name: current_in(f, item.get(f.name), language)
                                         for f in partners}, given)

    def shown(self) -> dict[str, str]:
        return dict(self.given)

    def issued(self, name: str) -> str | None:
        return self.current.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "kind": self.kind, "current": dict(self.current),
                "given": dict(self.given)}
