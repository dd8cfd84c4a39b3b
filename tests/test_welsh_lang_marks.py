"""The Welsh edition marks every text it prints in English (the plan gives no Welsh for
it) as English, in HTML (``lang="en"``), in the tagged PDF (``/Lang (en)`` on the
structure elements made from those elements) and in Word (``w:lang`` en-GB), also where
the English is inside a Welsh sentence: "Adran 3.2: " before a section's heading with no
Welsh, an indicator's name before its figure in an action's status cell, an agency's
full name in the list of lead agencies (docs/welsh.md, "The Welsh edition")."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import edit, run
from pypdf import PdfReader
from test_welsh_editions import FALLBACK, WELSH_UPDATE, in_welsh
from test_welsh_figures import with_figures

from psa_report.bilingual import Fallback, Mixed, formatted, joined, lang_of, parts_of
from psa_report.wording import words_in

HEADING = "Victims and offenders"  # section 3.2's heading, in English alone
WELSH_HEADING = "Data trosedd"  # section 3's, in Welsh
AGENCY = "Stockton-on-Tees Borough Council"  # SBC's full name, in English alone
INDICATOR = "Assaults seen at A&E"  # 3.2.1's indicator (figures/indicators.yaml)
R1_UPDATE = "This will be taken into consideration"  # R1's update, in English alone
MEETING, AUTHOR = "Safer Stockton Partnership", "Community Safety Analyst"  # no Welsh


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The shipped plan in two languages, with figures (3.2.1 names an indicator) and
    sections 3 (in Welsh too) and 3.2 (in English alone), built in every format."""
    root = in_welsh(with_figures(tmp_path_factory.mktemp("lang-marks") / "plan"))
    edit(root, "actions/report.yaml", "meeting_tags:",
         f'sections:\n  "3": {{en: Crime data, cy: {WELSH_HEADING}}}\n'
         f'  "3.2": {HEADING}\nmeeting_tags:')
    result = run(CliRunner(), "build", "--format", "all", "--project", str(root))
    assert result.exit_code == 0, result.output
    return root / "out"


# ---------------------------------------------------------------- the words

def test_a_message_keeps_an_english_value_marked_inside_its_welsh():
    heading = Fallback(HEADING, "en")
    section = words_in("cy").section("3.2", heading)
    assert section == f"Adran 3.2: {HEADING}"
    assert isinstance(section, Mixed)
    assert [(str(p), lang_of(p)) for p in parts_of(section)] == [
        ("Adran 3.2: ", ""), (HEADING, "en")]
    continued = words_in("cy").continued("3.2", heading)
    assert [lang_of(p) for p in parts_of(continued)] == ["", "en", ""]
    # a plain value, or a plain edition, makes a plain str, exactly as before
    plain = words_in("en").section("3.2", HEADING)
    assert type(plain) is str and plain == f"Section 3.2: {HEADING}"
    assert type(formatted("{a}: {b:>3}", {"a": "x", "b": 7})) is str
    # a value with a format of its own is formatted as str.format does
    assert formatted("{a}: {b:>3}", {"a": Fallback("x", "en"), "b": 7}) == "x:   7"
    # one English text alone stays the one Fallback; pieces join with their languages
    assert lang_of(joined(["", Fallback("x", "en")])) == "en"
    assert [(p, lang_of(p)) for p in parts_of(joined(
        [Fallback("a", "en"), Fallback("b", "en"), "c"], "; "))] == [
            ("a", "en"), ("; ", ""), ("b", "en"), ("; c", "")]


# ---------------------------------------------------------------- HTML

def test_a_section_heading_with_no_welsh_is_marked_english_after_the_welsh_adran(built):
    page = (built / "progress-report.cy.html").read_text(encoding="utf-8")
    marked = f'Adran 3.2: <span lang="en">{HEADING}</span>'
    assert f'<a href="#section-3-2">{marked}</a>' in page  # the contents
    assert re.search(rf'<h(\d) id="section-3-2-heading">{marked}</h\1>', page)
    # the Welsh heading is not marked
    assert re.search(rf'<h(\d) id="section-3-heading" class="parent-heading">Adran 3: '
                     rf'{WELSH_HEADING}</h\1>', page)
    english = (built / "progress-report.html").read_text(encoding="utf-8")
    assert re.search(rf'<h(\d) id="section-3-2-heading">Section 3.2: {HEADING}</h\1>',
                     english)
    assert ' lang="en"' not in english and "<span lang" not in english


def test_the_meetings_and_authors_english_names_are_marked_in_the_welsh_sentences(built):
    page = (built / "progress-report.cy.html").read_text(encoding="utf-8")
    assert (f'<p class="addressee">Adroddiad i: <span lang="en">{MEETING}</span></p>'
            in page)
    assert (f'<p>Paratowyd yr adroddiad hwn gan: <span lang="en">{AUTHOR}</span>, ar gyfer '
            f'<span lang="en">{MEETING}</span>.</p>') in page
    found = runs(built / "progress-report.cy.docx")
    assert ("Adroddiad i: ", "") in found and (MEETING, "en-GB") in found


def test_the_indicator_line_marks_the_indicators_english_name(built):
    page = (built / "progress-report.cy.html").read_text(encoding="utf-8")
    line = re.search(r'<span class="figure">(.*?)</span>\n', page)
    assert line is not None
    assert line[1].startswith('<span lang="en">Assaults seen at A&amp;E</span>: 90 yn ystod ')
    english = (built / "progress-report.html").read_text(encoding="utf-8")
    assert '<span class="figure">Assaults seen at A&amp;E: 90 in ' in english


# ---------------------------------------------------------------- Word

def runs(path: Path) -> list[tuple[str, str]]:
    """Each run of the Word document's body: (its text, its own w:lang or "")."""
    with zipfile.ZipFile(path) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    found = []
    for run_xml in re.findall(r"<w:r>.*?</w:r>", body, re.S):
        lang = re.search(r'<w:lang w:val="([^"]+)"', run_xml)
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", run_xml))
        found.append((text.replace("&amp;", "&"), lang[1] if lang else ""))
    return found


def test_a_blocks_tool_label_stays_welsh_before_its_english_update(built):
    """R1's update has no Welsh: the label before it ("DIWEDDARIAD- ") is Welsh, so only
    the update is marked English, not the whole paragraph with its label."""
    page = (built / "progress-report.cy.html").read_text(encoding="utf-8")
    found = re.search(r'<p class="update"[^>]*><strong>([^<]*)<span lang="en">'
                      + re.escape(R1_UPDATE), page)
    assert found and found[1].startswith("DIWEDDARIAD"), found
    assert not re.search(r'<p class="update" lang="en"><strong>DIWEDDARIAD', page)


def test_word_marks_the_heading_the_agency_and_the_indicator_english(built):
    found = runs(built / "progress-report.cy.docx")
    assert ("Adran 3.2: ", "") in found and (HEADING, "en-GB") in found
    assert (AGENCY, "en-GB") in found  # the lead agencies' list
    assert (INDICATOR, "en-GB") in found  # the status cell's indicator line
    assert any(text.startswith(": 90 yn ystod ") and not lang for text, lang in found)
    assert (f"Adran 3: {WELSH_HEADING}", "") in found
    # a recommendation's update with no Welsh, after the tool's Welsh label
    update = next(i for i, (text, _) in enumerate(found) if text.startswith(R1_UPDATE))
    assert found[update][1] == "en-GB" and found[update - 1][1] == ""
    assert found[update - 1][0].strip()
    assert {lang for _, lang in runs(built / "progress-report.docx")} == {""}


# ---------------------------------------------------------------- the tagged PDF

def texts_by_mcid(path: Path) -> dict[tuple[int, int], str]:
    """(page, MCID) -> the text painted in that marked content."""
    found: dict[tuple[int, int], str] = {}
    for number, page in enumerate(PdfReader(path).pages):
        for mcid, piece in _painted(page):
            found[(number, mcid)] = found.get((number, mcid), "") + piece
    return {key: " ".join(value.split()) for key, value in found.items()}


def _painted(page) -> list[tuple[int, str]]:
    """(MCID, text) of each piece of text a page paints inside marked content."""
    stack: list[int | None] = []
    pieces: list[tuple[int, str]] = []

    def before(operator, operands, cm, tm):
        if operator == b"BDC":
            properties = operands[1]
            stack.append(properties.get("/MCID") if hasattr(properties, "get") else None)
        elif operator == b"BMC":
            stack.append(None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(piece, cm, tm, font, size):
        if stack and stack[-1] is not None:
            pieces.append((int(stack[-1]), piece))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return pieces


def languages(path: Path) -> tuple[dict[tuple[int, int], str], list[tuple[str, str, str]]]:
    """({(page, MCID): the language its structure elements give it}, [(the tag, /Lang,
    the parent's language) of each element carrying a /Lang])."""
    content: dict[tuple[int, int], str] = {}
    carrying: list[tuple[str, str, str]] = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}

        def walk(node, page, around):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid, page, around)
            elif isinstance(node, int):
                content[(pages[page], int(node))] = around
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/Type") == "/MCR":
                    content[(pages[node.Pg.objgen if "/Pg" in node else page],
                             int(node.MCID))] = around
                elif "/S" in node:
                    own = str(node.Lang) if "/Lang" in node else around
                    if "/Lang" in node:
                        carrying.append((str(node.S), own, around))
                    if "/K" in node:
                        walk(node.K, node.Pg.objgen if "/Pg" in node else page, own)

        walk(pdf.Root.StructTreeRoot.K, None, str(pdf.Root.Lang))
    return content, carrying


def test_the_tagged_pdf_gives_the_english_passages_lang_en_and_nothing_else(built):
    path = built / "progress-report.cy.pdf"
    content, carrying = languages(path)
    texts = texts_by_mcid(path)
    english = " ".join(texts.get(key, "") for key, lang in sorted(content.items())
                       if lang == "en")
    welsh = " ".join(texts.get(key, "") for key, lang in sorted(content.items())
                     if lang == "cy")
    for passage in (HEADING, AGENCY, INDICATOR, FALLBACK[:30], MEETING, AUTHOR):
        assert passage in english, passage
        assert passage not in welsh, passage
    for passage in ("Adran 3.2:", WELSH_UPDATE[:30], WELSH_HEADING, "yn ystod", "Adroddiad i:"):
        assert passage in welsh, passage
        assert passage not in english, passage
    # only the elements where the language changes carry one, and only English
    assert carrying and {lang for _, lang, _ in carrying} == {"en"}
    assert {around for _, _, around in carrying} == {"cy"}
    assert {tag for tag, _, _ in carrying} >= {"/Span", "/P", "/LBody"}
    # the English edition: the catalog's language alone
    content, carrying = languages(built / "progress-report.pdf")
    assert carrying == [] and set(content.values()) == {"en-GB"}
