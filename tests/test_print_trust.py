"""What the printed report can be trusted with: any text, any script, any length,
and an out/ folder whose HTML and PDF always belong together."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import run

GAP = "actions/data-gaps/3.2.1.yaml"
REC = "actions/recommendations/R1.yaml"


def edit(project: Path, relative: str, **fields: str) -> None:
    """Replace some text fields of one YAML file (its comments are lost: no matter)."""
    path = project / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=10**6), encoding="utf-8")


def build(runner, project: Path, out: Path) -> dict[str, Path]:
    result = run(runner, "build", "--project", str(project), "--out", str(out), "--no-since")
    assert result.exit_code == 0, result.output
    return {"html": out / "progress-report.html", "pdf": out / "progress-report.pdf"}


# Appended to a copy of the report: lists every table wider than its box and every
# cell or paragraph whose text runs out of it, for Chromium's --dump-dom to show.
OVERFLOW_PROBE = """<script>
const found = [];
for (const table of document.querySelectorAll("table")) {
  if (table.offsetWidth > table.parentElement.clientWidth) found.push("table");
}
for (const element of document.querySelectorAll("th, td, p, li")) {
  if (element.scrollWidth > element.clientWidth + 1) found.push(element.tagName);
}
if (document.documentElement.scrollWidth > document.documentElement.clientWidth) {
  found.push("page");
}
document.body.dataset.overflow = found.join(" ") || "none";
</script>"""


def html_overflow(html: Path, width: int) -> str:
    """What overflows in the HTML report shown by Chromium at ``width`` pixels."""
    probe = html.with_name("probe.html")
    probe.write_text(html.read_text(encoding="utf-8") + OVERFLOW_PROBE, encoding="utf-8")
    dom = subprocess.run(
        [os.environ.get("CHROMIUM", "/usr/bin/chromium"), "--headless", "--no-sandbox",
         "--disable-gpu", "--no-first-run", f"--window-size={width},900", "--dump-dom",
         probe.as_uri()], check=True, capture_output=True, text=True, timeout=60).stdout
    return re.search(r'data-overflow="([^"]*)"', dom).group(1)


def pdf_pages(pdf: Path) -> list[str]:
    """The text printed on each page, as poppler's pdftotext reads it.

    pdftotext keeps only characters that fall inside the page: text pushed off
    its right edge is missing here (pypdf would still return it, from the
    content stream, so it cannot tell clipped text from printed text).
    """
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


# ---------- 1. Long unbroken words wrap inside their cell ----------

def long_word(seed: str) -> str:
    """A distinct 250-character word with no break opportunity (no space, no hyphen)."""
    word = (seed * 250)[:250]
    assert len(word) == 250 and not re.search(r"[\s-]", word)
    return word


def test_long_unbroken_words_wrap_and_the_status_column_stays_on_the_page(
        runner, project, tmp_path):
    words = {
        "gap": long_word("Gapword"), "action": long_word("Actionword"),
        "update": long_word("Updateword"), "recommendation": long_word("Recommendword"),
        "rec_update": long_word("Recupdateword"),
    }
    edit(project, GAP, gap=words["gap"], action=words["action"], update=words["update"])
    edit(project, REC, recommendation=words["recommendation"], update=words["rec_update"])
    out = build(runner, project, tmp_path / "out")
    html = out["html"].read_text(encoding="utf-8")
    text = re.sub(r"\s+", "", "".join(pdf_pages(out["pdf"])))
    for name, word in words.items():
        assert word in html, name
        # Text clipped at the page edge is not in the PDF's text; wrapped text is,
        # in pieces that join up again once the line breaks are taken out.
        assert word in text, f"the {name} word is cut off in the PDF"
    statuses = {"Complete", "On track", "At risk", "Off track", "Not started"}
    shown = {s for s in statuses if f">{s}</span>" in html}
    assert "Off track" in shown  # 3.2.1's own status, in the row with the long words
    for status in shown:
        assert status.replace(" ", "") in text, f"{status} is off the page"
    # On screen, at desktop width, every table fits its box and no text leaves its cell.
    assert html_overflow(out["html"], 1280) == "none"
