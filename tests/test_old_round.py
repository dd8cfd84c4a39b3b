"""Returns of a round issued before each kind had a sheet of its own (issue 27): the one
Updates sheet of format 1 and 2 manifests, still read back by returns._one_sheet_spec, so
a partner's return of a round sent before the change lands as it would have."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from psa_report.commands.partners import collect
from psa_report.dates import parse_due
from psa_report.partners import HEADERS, ISSUED_COLUMNS
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.shape import written_text

REPO = Path(__file__).resolve().parent.parent
REFS = ("3.2.1", "3.2.3")


def _old_round(tmp_path: Path, change=None) -> tuple[Path, Workbook]:
    """The shipped plan with a format-1 round to the Police (3.2.1 and 3.2.3) issued, and
    the workbook as it came back: 3.2.1 with a new update, status and due date, 3.2.3
    with a new due date typed as a date."""
    root = tmp_path / "plan"
    shutil.copytree(REPO / "actions", root / "actions")
    requests = root / "out/requests"
    requests.mkdir(parents=True)
    project = load_project(root)

    def now(ref: str, name: str):
        item = project.find(ref)
        assert item is not None
        return written_text(item.kind.field(name), item.get(name))

    rows = [{"ref": ref, "update": now(ref, "update"), "status": now(ref, "status"),
             "due": now(ref, "due"), "text": "The gap." if ref == "3.2.1" else "Gap two.",
             "action": "Do it." if ref == "3.2.1" else None} for ref in REFS]
    (requests / "manifest.json").write_text(json.dumps({
        "format": 1, "partnership": "Safer Stockton Partnership", "issued": "2010-08-01",
        "reply_by": "2010-09-01", "commit": None,
        "workbooks": [{"agency": "Police", "name": "Cleveland Police",
                       "file": "Police-update-request.xlsx", "refs": list(REFS),
                       "rows": rows}]}), encoding="utf-8")
    book = Workbook()
    book.active.title = "Instructions"
    updates = book.create_sheet("Updates")
    updates.append(list(HEADERS))
    shown = {r["ref"]: [r["ref"], r["text"], r["action"] or "", r["update"],
                        r["status"][:1].upper() + r["status"][1:],
                        parse_due(r["due"]).long if r["due"] else ""] for r in rows}
    updates.append(shown["3.2.1"] + ["New words\r\nhere", "on track", "30/09/2010"])
    updates.append(shown["3.2.3"] + [None, None, datetime(2010, 10, 31)])
    issued = book.create_sheet("Issued")
    for row, (key, value) in enumerate([("psa-report update request", 1),
                                        ("agency", "Police"), ("commit", ""),
                                        ("issued", "2010-08-01")], 1):
        issued.cell(row, 1, key)
        issued.cell(row, 2, value)
    for column, heading in enumerate(ISSUED_COLUMNS, 1):
        issued.cell(6, column, heading)
    for row, sent in enumerate(rows, 7):
        for column, heading in enumerate(ISSUED_COLUMNS, 1):
            issued.cell(row, column, sent[heading])
    if change is not None:
        change(book)
    (root / "returns").mkdir()
    return root, book


def test_a_return_of_a_round_before_sheets_per_kind_lands_as_it_would_have(tmp_path):
    root, book = _old_round(tmp_path)
    book.save(root / "returns/Police-update-request.xlsx")
    done = collect(root, [root / "returns"], apply=True)
    assert "  Status: off track → on track" in done.lines
    assert "  Due: none → 2010-09-30" in done.lines
    assert "3.2.3 (actions/data-gaps/3.2.3.yaml), from Police:" in done.lines
    written = (root / "actions/data-gaps/3.2.1.yaml").read_text(encoding="utf-8")
    assert "New words" in written and "status: on track" in written
    assert "due: 2010-10-31" in (root / "actions/data-gaps/3.2.3.yaml").read_text(
        encoding="utf-8")
    load_project(root)  # the files still check


@pytest.mark.parametrize("change, expected", [
    (lambda book: book["Updates"].__setitem__("H2", 5),
     "Police-update-request.xlsx: sheet Updates, cell H2: New status: must be one of "
     "complete, on track, at risk, not started, off track"),
    (lambda book: book["Updates"].__setitem__("I3", "Q3 2010/11"),
     "Police-update-request.xlsx: sheet Updates, cell I3: New due date: 'Q3 2010/11' is "
     "not a date this tool can read"),
    (lambda book: book["Updates"].__setitem__("D2", "typed over"),
     "Police-update-request.xlsx: sheet Updates, cell D2: Current update was changed: this "
     "column is as sent and is not read back"),
    (lambda book: book["Issued"].__setitem__("D7", "bogus"),
     "Police-update-request.xlsx: the hidden record of what was sent is missing or changed"),
])
def test_a_mistake_in_an_old_return_is_named_at_its_cell(tmp_path, change, expected):
    root, book = _old_round(tmp_path, change)
    book.save(root / "returns/Police-update-request.xlsx")
    before = (root / "actions/data-gaps/3.2.1.yaml").read_bytes()
    with pytest.raises(Invalid) as raised:
        collect(root, [root / "returns"], apply=True)
    assert any(expected in str(problem) for problem in raised.value.problems), \
        raised.value.problems
    assert (root / "actions/data-gaps/3.2.1.yaml").read_bytes() == before


def _export_csv(root: Path, book: Workbook) -> None:
    """The Updates sheet saved as CSV by the partner, into the returns folder."""
    with open(root / "returns/Police-update-request - Updates.csv", "w", newline="",
              encoding="utf-8") as out:
        writer = csv.writer(out)
        for row in book["Updates"].iter_rows(values_only=True):
            writer.writerow(["" if value is None else value for value in row])


def test_an_old_returns_csv_export_is_read_by_the_same_columns(tmp_path):
    def dated_as_text(book):  # a CSV keeps what the cell showed
        book["Updates"]["I3"] = "31/10/2010"

    root, book = _old_round(tmp_path, dated_as_text)
    _export_csv(root, book)
    done = collect(root, [root / "returns"])
    assert "  Status: off track → on track" in done.lines
    assert "  Due: none → 2010-10-31" in done.lines


def test_a_mistake_in_an_old_returns_csv_is_named_once_at_its_line(tmp_path):
    def bad_date(book):
        book["Updates"]["I3"] = "sometime"

    root, book = _old_round(tmp_path, bad_date)
    _export_csv(root, book)
    with pytest.raises(Invalid) as raised:
        collect(root, [root / "returns"])
    said = [str(problem) for problem in raised.value.problems]
    assert any(text.startswith("Police-update-request - Updates.csv: line 3, column 9: New "
                               "due date: 'sometime' is not a date") for text in said), said
