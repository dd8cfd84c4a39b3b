"""The later sections' tables sized by their words, as the status summary is
(test_layout_shape.py): "Progress across meetings" with a plan's own statuses and an
"Other" column, and the crime figures' tables in English and Welsh, each within the
PDF's margins with every header word whole (landscape only where a portrait page cannot
hold every column's longest word), and Word's columns wide enough for each header word."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import docx
import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import git, run
from test_layout_shape import HARBOUR_STATUSES, _bold_widths, make_harbour
from test_welsh_editions import in_welsh
from test_welsh_figures import with_figures

from psa_report import plan, report, wording
from psa_report.shape import StatusDef, default_shape

#: The harbour plan's statuses at its first meeting: one more, since taken out of
#: plan.yaml with no `also:`, so its items then are counted under "Other".
DROPPED = "deferred"


def build_all(root: Path) -> None:
    result = run(CliRunner(), "build", "--format", "all", "--project", str(root))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Path:
    """A plan of six statuses of its own at two meetings (board-2026-07, board-2026-10)
    and now: at the first a seventh status, dropped since (its items counted as
    "Other"), built in PDF and Word."""
    root = make_harbour(tmp_path_factory.mktemp("harbour") / "plan",
                        [*HARBOUR_STATUSES, DROPPED], themes=4)
    report_yaml = root / "actions/report.yaml"
    report_yaml.write_text(report_yaml.read_text(encoding="utf-8")
                           + 'meeting_tags: "board-*"\n', encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Plan for July", when="2026-07-06")
    git(root, "tag", "board-2026-07")
    plan_yaml = root / "actions/plan.yaml"
    plan_yaml.write_text(re.sub(rf"  - {{name: {DROPPED}.*\n", "",
                                plan_yaml.read_text(encoding="utf-8")), encoding="utf-8")
    for item in (root / "actions/actions").glob("*.yaml"):
        item.write_text(item.read_text(encoding="utf-8").replace(
            f"rag: {DROPPED}", "rag: paused"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Plan for October", when="2026-10-05")
    git(root, "tag", "board-2026-10")
    item = root / "actions/actions/1.1.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace(
        f"rag: {HARBOUR_STATUSES[0]}", f"rag: {HARBOUR_STATUSES[1]}"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Plan for January", when="2027-01-05")
    build_all(root)
    return root


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> Path:
    """The shipped plan in English and Welsh with two years of crime figures and two
    indicators (test_welsh_figures), built in PDF and Word in both languages."""
    root = in_welsh(with_figures(tmp_path_factory.mktemp("figures") / "plan"))
    build_all(root)
    return root


def table_on_page(pdf_path: Path, first: str) -> tuple[dict, list[str]]:
    """The table whose header starts with the word ``first`` (at a rule, its left
    border): its page's margins (the footer's line: "Page 7 of 8" ends at the right
    one), its left and right ends (the rules across its header row), the words of its
    header row (down to the rule under it) and those of its last column's cells (down
    to where its left border ends)."""
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            upright = page.vertical_edges
            for head in (w for w in words if w["text"] == first):
                across = [e for e in upright if e["top"] <= head["top"] <= e["bottom"]]
                if not any(head["x0"] - 12 < e["x0"] < head["x0"] for e in across):
                    continue
                left = min(e["x0"] for e in across)
                right = max(e["x1"] for e in across)
                under = min(e["top"] for e in page.horizontal_edges
                            if e["top"] > head["bottom"] and left - 1 <= e["x0"] <= right)
                bottom = head["top"]
                for edge in sorted((e for e in upright if abs(e["x0"] - left) < 1),
                                   key=lambda e: e["top"]):
                    if head["top"] - 10 < edge["top"] <= bottom + 2:
                        bottom = max(bottom, edge["bottom"])
                header = [w for w in words if head["top"] - 3 <= w["top"] < under
                          and left <= w["x0"] < right]
                last = max(header, key=lambda w: w["x0"])
                foot = [w for w in words if w["top"] > page.height - 60]
                return ({"landscape": page.width > page.height,
                         "text_left": min(w["x0"] for w in foot),
                         "text_right": max(w["x1"] for w in foot),
                         "left": left, "right": right,
                         "cells": [w["text"] for w in words if under < w["top"] < bottom
                                   and w["x0"] >= last["x0"] - 2]},
                        [w["text"] for w in header])
    raise AssertionError(f"no table headed {first!r} in {pdf_path.name}")


def assert_fits(pdf_path: Path, labels: list[str]) -> dict:
    """The table headed by ``labels`` is within the margins and prints each word of
    its header whole (a header cut at the margin, "Over", or broken, "Progressi" "ng",
    prints other words)."""
    found, header = table_on_page(pdf_path, labels[0].split()[0])
    assert found["left"] >= found["text_left"] - 6 and found["right"] <= found["text_right"] + 1, (
        f"{pdf_path.name}: the table spans {found['left']:.0f}-{found['right']:.0f}pt, "
        f"the text {found['text_left']:.0f}-{found['text_right']:.0f}pt")
    want = Counter(word for label in labels for word in label.split())
    assert Counter(header) == want, f"the header reads {header}, not {sorted(want)}"
    return found


def planned(root: Path, language: str | None = None) -> plan.ReportPlan:
    return report.build_plan(root, language=language).plan


# ---------------------------------------------------------------- progress across meetings

def test_the_progress_table_of_a_plans_own_statuses_is_within_the_margins(harbour):
    """Six statuses of the plan's own and "Other": every column on the page, its header
    words whole and the overdue counts printed (they were cut off at the page's edge)."""
    layout = planned(harbour).progress_table
    labels = [c.label for c in layout.columns]
    assert labels[2:] == [*(s.capitalize() for s in HARBOUR_STATUSES), "Other", "Total",
                          "Overdue"]
    found = assert_fits(harbour / "out/progress-report.pdf", labels)
    assert len(found["cells"]) == 3 and all(c.isdigit() for c in found["cells"]), found["cells"]
    # its columns' longest words ask for more than a portrait page holds
    assert sum(c.least for c in layout.columns) > plan.PAGE_WIDTHS["portrait"]
    assert layout.page == "landscape" and found["landscape"]


def test_the_shipped_plans_progress_table_is_portrait_within_the_margins(runner, meetings):
    """The shipped plan's five statuses (a data gap's "Not started", Overdue) on its
    portrait page, as the rest of the section."""
    result = run(runner, "build", "--project", str(meetings))
    assert result.exit_code == 0, result.output
    layout = planned(meetings).progress_table
    found = assert_fits(meetings / "out/progress-report.pdf", [c.label for c in layout.columns])
    assert layout.page == "portrait" and not found["landscape"]
    assert len(found["cells"]) == 4, found["cells"]  # three meetings and this report


@pytest.mark.parametrize("count", range(3, 10))
def test_the_progress_columns_hold_their_words_with_any_number_of_statuses(count):
    """Every column at least its longest word (its label's, a meeting's name's, a
    date's, the widest count), and landscape only when a portrait page cannot hold them."""
    names = [*HARBOUR_STATUSES, "withdrawn", "merged elsewhere", "under review"][:count]
    words = wording.words_for(default_shape())
    meetings = ["Meeting of 8 December 2026", "Safer Stockton Partnership, 27 September 2010",
                "This report"]
    days = [date(2026, 12, 8), date(2010, 9, 27), date(2027, 1, 20)]
    view = SimpleNamespace(names=meetings, points=[SimpleNamespace(day=d) for d in days],
                           statuses=[StatusDef(name, "#FFFFFF") for name in names])
    layout = plan.lay_out_progress(view, words)  # type: ignore[arg-type]
    weight = plan._word_weight
    needs = [max(weight(w) for w in [words.meeting, *meetings] for w in w.split()),
             max(weight(w) for w in [words.date, *map(words.long_date, days)]
                 for w in w.split()),
             *(max(weight(plan.WIDEST_COUNT), *map(weight, s.split())) for s in names),
             *(max(weight(plan.WIDEST_COUNT), weight(w)) for w in (words.total, words.overdue))]
    room = plan.PAGE_WIDTHS[layout.page]
    assert len(layout.columns) == len(needs) == count + 4 and layout.width <= 100
    for column, need in zip(layout.columns, needs):
        assert column.percent * layout.width * room / 1e4 >= need - 0.1, (column.label, need)
    portrait = sum(needs) <= plan.PAGE_WIDTHS["portrait"]
    assert layout.page == ("portrait" if portrait else "landscape")


# ---------------------------------------------------------------- the crime figures

@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_crime_tables_are_within_the_margins_in_both_languages(figures, language):
    """The crime figures and the indicators (Welsh words are longer: "drigolion",
    "gwrthgymdeithasol"): within the margins, every header word whole."""
    planning = planned(figures, language)
    name = "progress-report.pdf" if language == "en" else "progress-report.cy.pdf"
    for layout in (planning.crime_table, planning.indicators_table):
        found = assert_fits(figures / "out" / name, [c.label for c in layout.columns])
        assert found["landscape"] == (planning.figures_page == "landscape")
        least = sum(c.least for c in layout.columns)
        # landscape only where a portrait page cannot hold every column's words
        portrait = least <= plan.PAGE_WIDTHS["portrait"] * plan.TABLE_SIZE / layout.size
        assert layout.page == ("portrait" if portrait else "landscape")


# ---------------------------------------------------------------- Word

def assert_word_words_fit(path: Path) -> set[str]:
    """Every column of every table of the Word document holds each word of its header
    and of its first column (a crime type, a meeting's name), in Liberation Sans Bold
    at the size of the table's text: the words checked."""
    width_of = _bold_widths()
    if width_of is None:
        pytest.skip("Liberation Sans is not installed: scripts/system-deps.sh")
    document = docx.Document(str(path))
    normal = document.styles["Normal"].font.size.pt
    checked = set()
    for table in document.tables:
        grid = [col.w.pt for col in table._tbl.tblGrid.gridCol_lst]
        texts = [(cell, width) for cell, width in zip(table.rows[0].cells, grid)]
        texts += [(row.cells[0], grid[0]) for row in table.rows[1:]]
        for cell, width in texts:
            runs = [r for p in cell.paragraphs for r in p.runs]
            size = next((r.font.size.pt for r in runs if r.font.size is not None), normal)
            for word in cell.text.split():
                # the cell's margins: 0.19 cm each side (Word's and python-docx's)
                need = width_of(word) * size + 2 * 5.4
                assert need <= width, (
                    f"{path.name}: {word!r} needs {need:.0f}pt, its column is {width:.0f}pt")
                checked.add(word)
    return checked


def test_word_columns_hold_the_progress_tables_words(harbour, meetings, runner):
    """The progress table's headers were broken at a letter ("Prog/ressi/ng",
    "Overdu/e"): each column now holds its words, with the plan's own statuses and the
    shipped plan's."""
    checked = assert_word_words_fit(harbour / "out/progress-report.docx")
    assert {"Progressing", "Other", "Overdue", "October"} <= checked
    result = run(runner, "build", "--format", "docx", "--project", str(meetings))
    assert result.exit_code == 0, result.output
    checked = assert_word_words_fit(meetings / "out/progress-report.docx")
    assert {"started", "Overdue", "Partnership,"} <= checked


@pytest.mark.parametrize("language", ["en", "cy"])
def test_word_columns_hold_the_crime_tables_words(figures, language):
    """The crime figures' headers were broken at a letter ("Octobe|r", "Chan|ge",
    "residen|ts"; in Welsh "Rhagfy|r", "Newi|d", "drigolio|n", the summary's
    "Cyfansw|m"): each column now holds its words in both languages."""
    name = "progress-report.docx" if language == "en" else "progress-report.cy.docx"
    planning = planned(figures, language)
    checked = assert_word_words_fit(figures / "out" / name)
    for layout in (planning.crime_table, planning.indicators_table):
        assert {w for c in layout.columns for w in c.label.split()} <= checked
    assert planning.words.total in checked
