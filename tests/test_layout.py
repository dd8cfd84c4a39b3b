"""The printed report a clerk sends unchanged: no page left mostly blank by the layout,
nothing running into the footer, the colophon never alone, continued tables labelled.

Measured on the shipped plan, on the plan after an ordinary round of updates, and on
synthetic plans of 12, 20 and 40 items (the benchmark's generator), from the words'
boxes in the PDF (pdfplumber)."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from conftest import run

MM = 72 / 25.4
BOTTOM_MARGIN = {"portrait": 20 * MM, "landscape": 17 * MM}  # report.css's @page
TOP_MARGIN = {"portrait": 18 * MM, "landscape": 14 * MM}
LEAST_FILL = 0.2  # a page whose text covers less than this much of its height is "blank"


def pages(pdf_path):
    """Per page: (orientation, body words, footer words, usable height)."""
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            turn = "landscape" if page.width > page.height else "portrait"
            limit = page.height - BOTTOM_MARGIN[turn]
            words = page.extract_words()
            body = [w for w in words if w["top"] < limit]
            footer = [w for w in words if w["top"] >= limit]
            yield turn, body, footer, limit - TOP_MARGIN[turn], limit


def check_layout(pdf_path):
    found = list(pages(pdf_path))
    for number, (_turn, body, footer, usable, limit) in enumerate(found, 1):
        text = " ".join(w["text"] for w in body)
        assert body, f"page {number} is empty"
        lowest = max(w["bottom"] for w in body)
        highest = min(w["top"] for w in body)
        assert lowest <= limit, f"page {number}: text runs into the footer: {text[-80:]}"
        fill = (lowest - highest) / usable
        assert fill >= LEAST_FILL, f"page {number} is {1 - fill:.0%} blank: {text[:120]}"
        assert any(w["text"] == "Page" for w in footer), f"page {number} has no footer"
        if "Prepared by the" in text:
            before = text.split("Prepared by the")[0].strip()
            assert len(before.split()) > 10, f"page {number}: the colophon stands alone"
    return found


def build_pdf(runner, root):
    result = run(runner, "build", "--format", "pdf", "--project", str(root))
    assert result.exit_code == 0, result.output
    return root / "out/progress-report.pdf"


def test_the_shipped_report(runner, project):
    found = check_layout(build_pdf(runner, project))
    # The heading and intro of the data requirements stay with their first table.
    page = next(" ".join(w["text"] for w in body) for _, body, *_ in found
                if "Data requirements The following" in " ".join(w["text"] for w in body))
    assert "3.2.1" in page.split("Data requirements The following")[1]


def fill(path, **texts: str) -> None:
    """Each field's example line (`gap: "Describe the data gap here."`) given real text."""
    text = path.read_text()
    for name, value in texts.items():
        text, n = re.subn(rf'(?m)^{name}: "?(?:Describe the .* here\.|Write the field.s '
                          r'text here: .*)"?$', f"{name}: {value}", text)
        assert n == 1, (name, text)
    path.write_text(text)


def test_after_an_ordinary_round_of_updates(runner, project):
    """Two statuses changed, a data gap and a recommendation added with `new` and filled
    in, and a table of three data gaps imported: the 9-page report of the issue."""
    assert run(runner, "set", "3.2.1", "--status", "at risk", "--project",
               str(project)).exit_code == 0
    assert run(runner, "set", "R3", "--status", "complete", "--project",
               str(project)).exit_code == 0
    for kind in ("data-gap", "recommendation"):
        assert run(runner, "new", kind, "--project", str(project)).exit_code == 0
    gap, rec = project / "actions/data-gaps/5.2.3.yaml", project / "actions/recommendations/R6.yaml"
    words = ("Partners should share the night-time economy incident data monthly so that "
             "the hot spots can be mapped. ") * 3
    # each example text `new` wrote (check --strict refuses them) replaced, by field
    fill(gap, gap=words[:200], action=words[:150], update=words[:160])
    fill(rec, recommendation=words, update=words[:160])
    table = project / "table.tsv"
    table.write_text("Ref\tData gap\tLead\tAction\tUpdate\tStatus\n" + "".join(
        f"5.2.{n}\t{words[:180]}\tPolice\t{words[:120]}\t{words[:160]}\ton track\n"
        for n in (4, 5, 6)))
    assert run(runner, "import", str(table), "--project", str(project)).exit_code == 0
    assert run(runner, "check", "--strict", "--project", str(project)).exit_code == 0
    check_layout(build_pdf(runner, project))


@pytest.mark.parametrize("size", [12, 20, 40])
def test_plans_of_many_sizes(sized_plan, size):
    found = check_layout(sized_plan(size)["pdf"])
    # A page that starts inside a section's table says which section continues there.
    for number, (turn, body, _, _, _) in enumerate(found, 1):
        text = " ".join(w["text"] for w in body)
        if turn == "landscape" and text.startswith("Ref Data gap"):
            pytest.fail(f"page {number} continues a table without saying which")
    assert any(", continued Ref Data gap" in " ".join(w["text"] for w in body)
               for _, body, *_ in found) or size == 12
