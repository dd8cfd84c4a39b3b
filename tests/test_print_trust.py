"""What the printed report can be trusted with: any text, any script, any length,
and an out/ folder whose HTML and PDF always belong together."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import REPO, run
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

GAP = "actions/data-gaps/3.2.1.yaml"
REC = "actions/recommendations/R1.yaml"


def set_fields(project: Path, relative: str, **fields: str) -> None:
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
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is needed: run `make test` "
                    "(scripts/system-deps.sh --test installs it)")
    probe = html.with_name("probe.html")
    probe.write_text(html.read_text(encoding="utf-8") + OVERFLOW_PROBE, encoding="utf-8")
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--window-size={width},900", "--dump-dom", probe.as_uri()],
        check=True, capture_output=True, text=True, timeout=60).stdout
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
    set_fields(project, GAP, gap=words["gap"], action=words["action"], update=words["update"])
    set_fields(project, REC, recommendation=words["recommendation"], update=words["rec_update"])
    out = build(runner, project, tmp_path / "out")
    html = out["html"].read_text(encoding="utf-8")
    # (a word longer than its column is hyphenated: U+2010 at each line's end)
    text = re.sub(r"\s+|\u2010", "", "".join(pdf_pages(out["pdf"])))
    for name, word in words.items():
        assert word in html, name
        # Text clipped at the page edge is not in the PDF's text; wrapped text is,
        # in pieces that join up again once the line breaks and hyphens are taken out.
        assert word in text, f"the {name} word is cut off in the PDF"
    statuses = {"Complete", "On track", "At risk", "Off track", "Not started"}
    shown = {s for s in statuses if f">{s}</span>" in html}
    assert "Off track" in shown  # 3.2.1's own status, in the row with the long words
    for status in shown:
        assert status.replace(" ", "") in text, f"{status} is off the page"
    # On screen, at desktop width, every table fits its box and no text leaves its cell.
    assert html_overflow(out["html"], 1280) == "none"


# ---------- 2. Every script prints with a real glyph ----------

SCRIPTS = {"Chinese": "数据缺口", "Korean": "데이터 격차", "Arabic": "فجوة البيانات",
           "emoji": "📊"}


def to_unicode(font: pikepdf.Dictionary) -> list[tuple[int, str]]:
    """The (glyph id, text) pairs of a font's /ToUnicode CMap, as WeasyPrint writes it."""
    cmap = font.ToUnicode.read_bytes().decode("ascii")
    pairs = []
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            pairs.append((int(glyph, 16), bytes.fromhex(text).decode("utf-16-be")))
    return pairs


def printed_with(pdf_path: Path) -> dict[str, set[str]]:
    """Each character the PDF maps to a glyph, and the fonts that print it.

    A glyph is real when its id lies inside the embedded font and is not 0 (a
    character no font has gets an id past the font's last glyph from WeasyPrint,
    and viewers draw .notdef, the empty box, for it), and when it has ink: an
    outline, or, for a colour emoji, its bitmap drawn on the page as the image
    WeasyPrint names after the font and the glyph.  A font that maps the
    character to a glyph that is not real is listed as "FONT (no glyph)".
    """
    found = defaultdict(set)
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            images = {str(name) for name, xobject in page.Resources.get("/XObject", {}).items()
                      if xobject.get("/Subtype") == "/Image"}
            for font in page.Resources.get("/Font", {}).values():
                tag, _, family = str(font.BaseFont).lstrip("/").partition("+")
                descriptor = font.DescendantFonts[0].FontDescriptor
                embedded = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                ttfont = TTFont(io.BytesIO(embedded.read_bytes()))
                glyphs = ttfont.getGlyphSet()
                for glyph, text in to_unicode(font):
                    real = 0 < glyph < len(ttfont.getGlyphOrder())
                    if real:
                        pen = BoundsPen(glyphs)
                        glyphs[ttfont.getGlyphName(glyph)].draw(pen)
                        real = pen.bounds is not None or any(
                            re.fullmatch(rf"/i{tag}{glyph}[01]", name) for name in images)
                    for character in text:
                        found[character].add(family if real else f"{family} (no glyph)")
    return found


def test_chinese_korean_arabic_and_emoji_print_with_real_glyphs(runner, project, tmp_path):
    gap = "Gap in " + ", ".join(f"{name}: {text}" for name, text in SCRIPTS.items()) + "."
    set_fields(project, GAP, gap=gap, update="Update 2010: in Chinese 数据缺口.")
    out = build(runner, project, tmp_path / "out")
    assert gap in out["html"].read_text(encoding="utf-8")
    fonts = printed_with(out["pdf"])
    expected = {"Chinese": "Noto-Sans-CJK-SC", "Korean": "Noto-Sans-CJK-SC",
                "Arabic": "Noto-Sans-Arabic", "emoji": "Noto-Color-Emoji"}
    for name, text in SCRIPTS.items():
        for character in text.replace(" ", ""):
            # The font the style sheet names, not whichever fallback fontconfig likes.
            assert fonts.get(character) == {expected[name]}, (
                f"{name} {character} printed with {fonts.get(character)}: are the fonts "
                "installed? (scripts/system-deps.sh)")
    # Latin letters and digits stay in Liberation Sans, whatever else is installed.
    for character in "Gap in Update 2010".replace(" ", ""):
        assert all(re.fullmatch(r"Liberation-Sans(-\w+)?", f) for f in fonts[character]), (
            character, fonts[character])


def test_scripts_system_deps_installs_every_font_the_style_sheet_names():
    css = (REPO / "templates/report.css").read_text(encoding="utf-8")
    families = re.findall(r'"([^"]+)"', re.search(r"html \{ font-family:([^;]+);", css)[1])
    script = (REPO / "scripts/system-deps.sh").read_text(encoding="utf-8")
    base = re.search(r"^packages=\(([^)]*)\)", script, re.M)[1].split()
    for family in families:
        if family in ("Arial", "Helvetica"):
            continue  # for readers' browsers; on Debian, aliases of Liberation Sans
        files = subprocess.run(["fc-list", family, "file"], capture_output=True,
                               text=True, check=True).stdout.split()
        assert files, f"{family} is not installed"
        owner = subprocess.run(["dpkg", "-S", files[0].rstrip(":")], capture_output=True,
                               text=True, check=True).stdout.split(":")[0]
        assert owner in base, (family, owner)


# ---------- 3. A row taller than a page keeps the table header on every page ----------

def test_a_row_longer_than_a_page_keeps_the_header_on_every_page_it_crosses(
        runner, project, tmp_path):
    update = "\n".join(f"Long paragraph {n}: the partners met again and agreed more work "
                       "on the records, the analysts and the templates." for n in range(1, 41))
    set_fields(project, "actions/data-gaps/3.2.3.yaml", update=update)
    out = build(runner, project, tmp_path / "out")
    pages = [" ".join(text.split()) for text in pdf_pages(out["pdf"])]
    crossed = [number for number, text in enumerate(pages, 1) if "Long paragraph" in text]
    assert len(crossed) >= 3, "the row should run over more than two pages"
    for n in range(1, 41):  # the whole update is printed, each paragraph once
        assert sum(f"Long paragraph {n}:" in text for text in pages) == 1, n
    for number in crossed:
        assert "Ref Data gap Lead Action Update Status" in pages[number - 1], (
            f"page {number} continues the table without its header")


# ---------- 4. The HTML and the PDF in out/ are always a pair ----------

def test_a_pdf_that_cannot_be_replaced_leaves_the_html_alone(runner, project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "progress-report.html").write_bytes(b"<p>the last good report</p>")
    (out / "progress-report.pdf").mkdir()  # in the way: no file can be renamed onto it
    result = run(runner, "build", "--project", str(project), "--out", str(out))
    assert result.exit_code == 1
    assert "progress-report.pdf" in result.stderr
    assert "nothing was changed" in result.stderr
    assert (out / "progress-report.html").read_bytes() == b"<p>the last good report</p>"
    assert sorted(p.name for p in out.iterdir()) == ["progress-report.html",
                                                     "progress-report.pdf"]


def test_a_rename_that_fails_half_way_puts_back_what_was_replaced(tmp_path, monkeypatch):
    from psa_report import output

    old = tmp_path / "a.html"
    old.write_text("old")
    new = tmp_path / "b.pdf"  # did not exist before
    last = tmp_path / "c.txt"
    renamed = []

    def replace(source, target):
        if Path(target) == last:
            raise PermissionError(13, "Permission denied")
        os.rename(source, target)
        if not str(source).endswith(".old.tmp"):  # not a backup put back
            renamed.append(Path(target))

    monkeypatch.setattr(output.os, "replace", replace)
    writers = {path: (lambda tmp: tmp.write_text("new")) for path in (old, new, last)}
    with pytest.raises(output.Invalid) as failure:
        output.publish(writers)
    assert "Permission denied" in str(failure.value.problems[0])
    assert renamed == [old, new]  # two were really replaced before the third failed
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html"]


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(runner, project,
                                                                   tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = dead_pid()
    stale = [f".progress-report.html.{dead}.k3j_x9qa.tmp",  # as publish names them
             f".progress-report.pdf.{dead}.0abcdefg.tmp",
             f".progress-report.html.{dead}.0abcdefg.old"]
    kept = [f".progress-report.pdf.{os.getpid()}.zzzzzzzz.tmp",  # a build still running
            f".other-report.html.{dead}.k3j_x9qa.tmp",  # not one of this build's names
            "notes.tmp"]
    for name in stale + kept:
        (out / name).write_bytes(b"half")
    # Named by an earlier psa-report, without a pid: removed once an hour old.
    (out / ".progress-report.html.abcdefgh.tmp").write_bytes(b"half")
    os.utime(out / ".progress-report.html.abcdefgh.tmp", (0, 0))
    (out / ".progress-report.pdf.abcdefgh.tmp").write_bytes(b"half")  # maybe running
    kept.append(".progress-report.pdf.abcdefgh.tmp")
    build(runner, project, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        kept + ["progress-report.html", "progress-report.pdf"])


def test_a_character_no_font_has_is_a_warning_at_its_line(runner, project):
    # U+F0001 is in a private-use plane: no font installed here draws it.
    result = run(runner, "set", "3.2.2", "--update", "Private \U000F0001 sign; Han 数据",
                 "--project", str(project))
    assert result.exit_code == 0, result.output
    line = next(n for n, text in enumerate(
        (project / "actions/data-gaps/3.2.2.yaml").read_text().splitlines(), 1)
        if text.startswith("update:"))
    built = run(runner, "build", "--format", "pdf", "--project", str(project))
    assert built.exit_code == 0, built.output
    assert (f"actions/data-gaps/3.2.2.yaml:{line}:9: warning: update: no font on this "
            "computer can print U+F0001") in built.stderr
    assert "U+6570" not in built.stderr  # the Chinese has its font
    strict = run(runner, "build", "--format", "pdf", "--strict", "--project", str(project))
    assert strict.exit_code == 1 and "(an error with --strict)" in strict.stderr
    # Warnings have one home (the validation stage): check --strict refuses the same
    # thing, and every format of build reports it.
    checked = run(runner, "check", "--project", str(project))
    assert checked.exit_code == 0
    assert f"3.2.2.yaml:{line}:9: warning: update: no font" in checked.stderr
    strict_check = run(runner, "check", "--strict", "--project", str(project))
    assert strict_check.exit_code == 1
    assert "U+F0001" in strict_check.stderr and "--strict makes them errors" in strict_check.stderr
    for fmt in ("html", "docx"):
        other = run(runner, "build", "--format", fmt, "--strict", "--project", str(project))
        assert other.exit_code == 1 and "U+F0001" in other.stderr, fmt
