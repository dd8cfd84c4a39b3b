"""The printed report: tagged and accessible, well laid out, archivable."""

from __future__ import annotations

import re

import pikepdf
import pytest
from conftest import REPO, run
from pypdf import PdfReader

TITLE = "Progress report on the Partnership Strategic Assessment"


@pytest.fixture(scope="module")
def pdf(built):
    with pikepdf.open(built["pdf"]) as document:
        yield document


@pytest.fixture(scope="module")
def pages_text(built) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(built["pdf"]).pages]


def structure(pdf) -> list[pikepdf.Dictionary]:
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def test_tagged_pdf_with_language_and_title_in_the_title_bar(pdf):
    assert pdf.Root.Lang == "en-GB"
    assert pdf.Root.MarkInfo.Marked is True
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    tags = [str(e.S) for e in structure(pdf)]
    for tag in ("/Document", "/H1", "/H2", "/H3", "/Table", "/THead", "/TH", "/TD", "/Caption",
                "/L", "/LI", "/P"):
        assert tag in tags, tag
    assert "pdfuaid" in str(pdf.open_metadata())


def test_every_table_header_cell_has_a_scope(pdf):
    elements = structure(pdf)
    scopes = [str(e.A.Scope) for e in elements if e.S == "/TH"]
    # 3 data-gap tables of 6 column headers + the summary's 7 (a header repeated on a
    # later page is an artifact, not more header cells); 10 ref row headers + 6
    # agencies and the total in the summary.
    assert scopes.count("/Column") == 3 * 6 + 7
    assert scopes.count("/Row") == 10 + 7
    assert len(scopes) == scopes.count("/Column") + scopes.count("/Row")


def test_outline_has_every_section(pdf):
    with pdf.open_outline() as outline:
        tree = [(item.title, [child.title for child in item.children])
                for item in outline.root]
    assert tree == [
        (TITLE, []),
        ("Exceptions", ["Off track (3)", "At risk (2)"]),
        ("Data requirements", ["Section 3.2", "Section 4.2", "Section 5.2"]),
        ("Recommendations", []),
        ("Status summary", ["Overdue actions as at 28 June 2010", "Lead agencies"]),
        ("Progress across meetings", []),
    ]


def test_metadata(pdf):
    info = pdf.docinfo
    assert str(info.Title) == f"{TITLE}: Safer Stockton Partnership, 28 June 2010"
    assert str(info.Author) == "Community Safety Analyst, Safer Stockton Partnership"
    assert str(info.Subject) == "Report to the Safer Stockton Partnership, 28 June 2010"
    assert "community safety" in str(info.Keywords)
    assert str(info.CreationDate).startswith("D:20100628")
    assert str(info.ModDate).startswith("D:20100628")
    assert "/viewport" not in info


def orientation(page) -> str:
    box = [float(v) for v in page.MediaBox]
    width, height = box[2] - box[0], box[3] - box[1]
    assert {round(width), round(height)} == {595, 842}  # A4
    return "landscape" if width > height else "portrait"


def test_parts_and_orientation(pdf, pages_text):
    layout = [orientation(page) for page in pdf.pages]
    assert layout[0] == "portrait" and "Members will recall" in pages_text[0]
    # The exceptions open the landscape pages; the tables follow straight on.
    assert layout[1] == "landscape" and pages_text[1].startswith("Exceptions")
    tables = [i for i, text in enumerate(pages_text) if re.search(r"\b\d\.\d\.\d\b", text)
              and "Data gap" in text]
    assert tables and all(layout[i] == "landscape" for i in tables)
    assert tables[0] in (1, 2)
    recommendations = next(i for i, t in enumerate(pages_text)
                           if t.startswith("Recommendations"))
    assert layout[recommendations] == "portrait"
    assert layout[-1] == "portrait" and "Status summary" in pages_text[-1]
    landscape = len(set(tables) | {1})
    assert layout == ["portrait"] + ["landscape"] * landscape + ["portrait"] * (
        len(layout) - 1 - landscape)


def test_table_header_repeats_on_every_table_page(pages_text):
    for text in pages_text:
        if re.search(r"\b\d\.\d\.\d\b", text) and "Data gap" in text:
            assert "Ref Data gap Lead Action Update Status" in text


def test_running_footer_on_every_page(pages_text):
    total = len(pages_text)
    for number, text in enumerate(pages_text, 1):
        assert f"Page {number} of {total}" in text
        assert f"{TITLE} · Safer Stockton Partnership, 28 June 2010" in text


def test_only_the_named_fonts_are_used_and_all_are_embedded(pdf):
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            fonts[str(font.BaseFont).split("+")[-1]] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert set(fonts) == {"Liberation-Sans", "Liberation-Sans-Bold", "Liberation-Sans-Italic"}
    assert all(fonts.values())


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_colours_pass_wcag_aa_contrast():
    css = (REPO / "templates/report.css").read_text()
    colours = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    ink = luminance(colours["ink"])
    for rag in ("blue", "green", "amber", "red", "grey"):
        background = luminance(colours[rag])
        ratio = (max(ink, background) + 0.05) / (min(ink, background) + 0.05)
        assert ratio >= 4.5, (rag, ratio)
        assert f"background: var(--{rag})" in css


def test_archival_variant(runner, project, tmp_path):
    result = run(runner, "build", "--project", str(project), "--format", "pdf",
                 "--pdf-variant", "pdf/a-3b", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    with pikepdf.open(tmp_path / "progress-report.pdf") as document:
        xmp = str(document.open_metadata())
        assert re.search(r"pdfaid:part[^0-9]*3", xmp)
        assert re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
        assert "/OutputIntents" in document.Root
        assert document.Root.Lang == "en-GB"


def _tables(pdf_path):
    with pikepdf.open(pdf_path) as document:
        elements = structure(document)
        tables = [e for e in elements if e.S == "/Table"]
        header_ids = {bytes(e.ID) for e in elements if e.S == "/TH" and "/ID" in e}
        dangling = [h for e in elements if e.S == "/TD" and "/A" in e
                    for h in e.A.get("/Headers", []) if bytes(h) not in header_ids]
        rows = [sum(len(part.K) for part in table.K if part.S == "/TBody")
                for table in tables]
        heads = [sum(1 for part in table.K if part.S == "/THead") for table in tables]
        artifacts = sum(len(re.findall(rb"/Artifact\s*<<\s*/Type\s*/Pagination",
                                       page.Contents.read_bytes()))
                        for page in document.pages)
    return tables, rows, heads, dangling, artifacts


@pytest.mark.parametrize("size", [0, 40])
def test_a_screen_reader_meets_each_table_once(sized_plan, built, size):
    """One /Table per HTML table, with all its rows and one header; the header repeated
    on later pages is a pagination artifact; every cell's headers exist."""
    if size:
        html_path, pdf_path = sized_plan(size)["html"], sized_plan(size)["pdf"]
    else:
        html_path, pdf_path = built["html"], built["pdf"]
    html = html_path.read_text(encoding="utf-8")
    tables, rows, heads, dangling, artifacts = _tables(pdf_path)
    assert len(tables) == html.count("<table")
    expected_rows = [len(re.findall(r"<tr[ >]", body))
                     for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S)]
    assert rows == expected_rows
    assert heads == [1] * len(tables)
    assert dangling == []
    if size:  # at 40 items tables run over pages: their repeated headers are artifacts
        assert artifacts >= 6
