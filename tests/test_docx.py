"""The Word report: every word of the seed, accessible structure, the council's template,
text that stays text, and published with the HTML and PDF as one set."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import REPO, STATUS, edit, git, run
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from pypdf import PdfReader
from test_report_content import html_text, seed_cells, sentences, words

from psa_report.cli import main
from psa_report.docx_render import status_fill
from psa_report.report import build_plan as plan

DOCX = "progress-report.docx"
GAP_HEADER = ["Ref", "Data gap", "Lead", "Action", "Update", "Status"]
TEMPLATE_HEADER = "Stockton Council committee report"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ---------------------------------------------------------------- helpers

def blocks(document: Document) -> list[str]:
    """The body's text in reading order: each paragraph, each table cell's paragraphs."""
    found = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    found += [p.text for p in cell.paragraphs]
        else:
            found.append(block.text)
    return found


def docx_text(document: Document) -> str:
    return " ".join(" ".join(blocks(document)).split())


def part_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def to_pdf(docx_path: Path, workdir: Path) -> Path:
    """Convert with LibreOffice, a private profile so parallel runs do not clash."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: scripts/system-deps.sh --test")
    profile = workdir / "lo-profile"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(workdir), str(docx_path)],
        capture_output=True, text=True, timeout=180)
    pdf = workdir / (docx_path.stem + ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def build_docx(runner, project: Path, *extra: str) -> Path:
    result = run(runner, "build", "--project", str(project), "--format", "docx", *extra)
    assert result.exit_code == 0, result.output
    return project / "out" / DOCX


# ---------------------------------------------------------------- the shipped report

@pytest.fixture(scope="module")
def built_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docx")
    result = CliRunner().invoke(main, ["build", "--project", str(REPO), "--format", "docx",
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out / DOCX}"
    return out / DOCX


@pytest.fixture(scope="module")
def document(built_docx) -> Document:
    return docx.Document(str(built_docx))


@pytest.fixture(scope="module")
def converted(built_docx, tmp_path_factory) -> list[str]:
    return pdf_pages(to_pdf(built_docx, tmp_path_factory.mktemp("lo")))


def test_every_sentence_of_the_seed_is_in_the_docx(document, seed_text):
    text = docx_text(document)
    missing = [s for s in sentences(seed_cells(seed_text)) if s not in text]
    assert missing == []


def test_every_word_of_the_seed_is_in_the_docx_as_libreoffice_prints_it(converted,
                                                                        seed_text):
    seed = " ".join(seed_cells(seed_text))
    missing = sorted(words(seed) - words("\n".join(converted)))
    assert missing == []


def test_docx_reads_in_the_report_order(document):
    """The HTML's order: the exceptions (which name refs of the tables) come before the
    tables, so each marker is looked for after the one before it."""
    text = docx_text(document)
    order = ["Safer Stockton Partnership", "Members will recall", "Community Safety Analyst",
             "Exceptions", "Actions off track, at risk or overdue as at 28 June 2010",
             "Off track (3)", "3.2.1 (Lead: Police)", "At risk (2)",
             "Data requirements", "3.2.1", "3.2.5", "4.2.1", "5.2.2",
             "In addition to the data requirements", "UPDATE- ", "Status summary",
             "Overdue actions as at 28 June 2010", "Lead agencies",
             "Progress across meetings", "Prepared by the"]
    positions, start = [], 0
    for marker in order:
        start = text.find(marker, start)
        positions.append(start)
        assert start != -1, (marker, dict(zip(order, positions)))
    assert text.find("Data requirements") > text.find("Off track (3)")
    assert text.find("Progress across meetings") > text.find("Lead agencies")


def test_covering_paragraphs_are_a_real_numbered_list(document, built_docx):
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == 6
    assert numbered[0].text.startswith("Members will recall")
    assert numbered[-1].text.startswith("Members are asked")
    ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(ids) == 1 and all(p._p.pPr.numPr.ilvl.val == 0 for p in numbered)
    numbering = part_xml(built_docx, "word/numbering.xml")
    abstract = re.search(rf'<w:num w:numId="{ids.pop()}"[^>]*>\s*'
                         r'<w:abstractNumId w:val="(\d+)"', numbering)[1]
    definition = re.search(rf'<w:abstractNum [^>]*w:abstractNumId="{abstract}".*?'
                           r"</w:abstractNum>", numbering, re.S)[0]
    assert '<w:numFmt w:val="decimal"/>' in definition
    assert '<w:lvlText w:val="%1."/>' in definition


def runs_of(paragraph) -> list[tuple[str, bool]]:
    return [(run.text, bool(run.font.superscript)) for run in paragraph.runs]


def test_ordinals_are_superscript_as_in_the_html(document):
    signed = next(p for p in document.paragraphs if p.text == "28th June 2010")
    assert runs_of(signed) == [("28", False), ("th", True), (" June 2010", False)]
    first = next(p for p in document.paragraphs if p.text.startswith("Members will recall"))
    assert ("rd", True) in runs_of(first)
    assert "presented on 23rd March 2010." in first.text
    runs = runs_of(first)
    assert runs[runs.index(("rd", True)) - 1][0].endswith("23")


def test_headings_use_word_heading_styles(document):
    def headed(level: int) -> list[str]:
        return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]

    # The shipped plan's own folder: in git (progress shown), or not (only its note).
    progress = ["Progress across meetings"] if plan(REPO).plan.progress.shown else []
    assert headed(1) == ["Progress report on the Partnership Strategic Assessment",
                         "Exceptions", "Data requirements", "Recommendations",
                         "Status summary", *progress]
    assert headed(2) == ["Off track (3)", "At risk (2)",
                         "Section 3.2", "Section 4.2", "Section 5.2",
                         "Overdue actions as at 28 June 2010", "Lead agencies"]


def test_every_table_has_a_repeating_header_row_a_title_and_a_description(document):
    assert len(document.tables) == 4  # three sections of data gaps and the summary
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr is not None and rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None
                   for r in rows[1:])
        tblpr = table._tbl.tblPr
        for tag in ("w:tblCaption", "w:tblDescription"):
            assert tblpr.find(qn(tag)).get(qn("w:val")).strip(), tag
    gaps = document.tables[:3]
    for table in gaps:
        assert [c.text for c in table.rows[0].cells] == GAP_HEADER
    assert sum(len(t.rows) - 1 for t in gaps) == 10


def test_no_merged_cells_anywhere(built_docx):
    body = part_xml(built_docx, "word/document.xml")
    for tag in ("w:gridSpan", "w:vMerge", "w:hMerge"):
        assert f"<{tag}" not in body, tag


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two RRGGBB colours."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_status_is_a_word_in_a_shaded_cell_with_aa_contrast(document):
    labels = {s.label: s for s in STATUS.values()}
    for table in document.tables[:3]:
        for row in table.rows[1:]:
            cell = row.cells[-1]
            word = cell.paragraphs[0].text
            assert word in labels
            shading = cell._tc.tcPr.find(qn("w:shd"))
            assert shading.get(qn("w:fill")) == status_fill(labels[word])
    for status in STATUS.values():
        assert contrast(status_fill(status), "000000") >= 4.5, status


def test_text_colours_are_readable_on_white(document):
    """Word's checker flags hard-to-read text: every colour our paragraphs use passes AA."""
    used = {p.style.name for p in document.paragraphs}
    for table in document.tables:
        used |= {p.style.name for row in table.rows for c in row.cells for p in c.paragraphs}
    for name in used:
        colour = document.styles[name].font.color
        if colour.type is not None and colour.rgb is not None:
            assert contrast(str(colour.rgb), "FFFFFF") >= 4.5, (name, colour.rgb)


def test_no_repeated_blank_characters_or_empty_paragraphs(document):
    """Word's checker warns of runs of spaces or tabs and of empty paragraphs used for
    spacing: the only empty paragraphs are the two that carry a section break."""
    texts = blocks(document)
    assert not [t for t in texts if "  " in t or "\t\t" in t]
    empty = [p for p in document.paragraphs if not p.text]
    assert len(empty) == 2
    assert all(p._p.pPr is not None and p._p.pPr.sectPr is not None for p in empty)


def test_recommendations_carry_update_ref_lead_and_status(document):
    text = docx_text(document)
    assert text.count("UPDATE- ") == 5
    assert "UPDATE- An ASB profile was completed in May 2010." in text
    for ref in ("R1", "R2", "R3", "R4", "R5"):
        assert re.search(rf"\b{ref}\b", text)
    for word in ("Not started", "Complete", "On track", "At risk"):
        assert word in text
    # As the HTML: each led by its ref and status, then its text, then its update.
    paragraphs = [p.text for p in document.paragraphs]
    head = next(i for i, t in enumerate(paragraphs) if t.startswith("R1\t"))
    assert re.match(r"R1\t (On track|At risk|Off track|Complete|Not started) ",
                    paragraphs[head])
    assert paragraphs[head + 1].startswith("The Partnership could look at how key")
    assert paragraphs[head + 2].startswith("UPDATE- ")


def test_the_data_tables_are_landscape_and_the_rest_portrait(document):
    sections = document.sections
    assert [s.orientation.name for s in sections] == ["PORTRAIT", "LANDSCAPE", "PORTRAIT"]
    assert [s.page_width > s.page_height for s in sections] == [False, True, False]
    assert sections[0].page_width == sections[1].page_height  # the same paper turned
    # The three data gap tables sit in the landscape section, the summary after it.
    section, where = 0, []
    for element in document.element.body:
        if element.tag == f"{W}tbl":
            where.append(section)
        if element.find(f"{W}pPr/{W}sectPr") is not None:
            section += 1
    assert where == [1, 1, 1, 2]


def test_core_properties_and_language(document, built_docx):
    props = document.core_properties
    assert props.title == "Progress report on the Partnership Strategic Assessment"
    assert props.author == "Community Safety Analyst, Safer Stockton Partnership"
    assert props.subject == "Report to the Safer Stockton Partnership, 28 June 2010"
    assert props.keywords == ("community safety, partnership strategic assessment, "
                              "action plan, Stockton-on-Tees")
    assert props.language == "en-GB"
    styles = part_xml(built_docx, "word/styles.xml")
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S)[0]
    assert re.search(r'<w:lang w:val="en-GB"', defaults)


def test_footer_has_the_title_and_our_page_fields(document, converted):
    footer = document.sections[0].footer
    assert not footer.is_linked_to_previous
    assert all(s.footer.is_linked_to_previous for s in document.sections[1:])
    xml = footer._element.xml
    assert re.findall(r"<w:instrText[^>]*> (\w+) </w:instrText>", xml) == ["PAGE",
                                                                           "NUMPAGES"]
    assert "Progress report on the Partnership Strategic Assessment · Safer Stockton " \
           "Partnership, 28 June 2010" in "\n".join(p.text for p in footer.paragraphs)
    total = len(converted)
    for number, page in enumerate(converted, 1):
        assert f"Page {number} of {total}" in page
        assert "Progress report on the Partnership Strategic Assessment" in page


def test_libreoffice_prints_the_tables_on_landscape_pages(built_docx, tmp_path):
    pdf = PdfReader(to_pdf(built_docx, tmp_path))
    wide = [page.mediabox.width > page.mediabox.height for page in pdf.pages]
    assert wide[0] is False and wide[-1] is False and True in wide
    first, last = wide.index(True), len(wide) - 1 - wide[::-1].index(True)
    assert all(wide[first:last + 1])  # one landscape run: exceptions, data requirements
    assert "Exceptions" in pdf.pages[first].extract_text()
    assert pdf.pages[first + 1].extract_text().startswith("Data requirements")


def test_overdue_actions_are_a_table_when_there_are_some(runner, project):
    document = docx.Document(str(build_docx(runner, project, "--as-of", "2010-10-01")))
    headed = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Overdue actions as at 1 October 2010" in headed
    assert "No action is overdue" not in docx_text(document)
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Ref", "Lead", "Due", "Days overdue",
                                                     "Status"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["3.2.5", "SBC", "September 2010", "1", "On track"],
        ["5.2.2", "SBC", "September 2010", "1", "Not started"],
    ]
    assert "Due September 2010 Overdue by 1 day" in docx_text(document)


def test_the_meeting_date_is_on_the_covering_page_and_dates_the_overdue_list(runner,
                                                                            project):
    edit(project, "actions/report.yaml", "date: 2010-06-28", "date: 2010-06-28\n"
         "meeting_date: 2010-10-04")
    document = docx.Document(str(build_docx(runner, project)))
    text = docx_text(document)
    assert "Report to the Safer Stockton Partnership, meeting of 4 October 2010" in text
    assert "Overdue actions as at 4 October 2010" in text
    footer = "\n".join(p.text for p in document.sections[0].footer.paragraphs)
    assert "Safer Stockton Partnership, 4 October 2010" in footer


# ---------------------------------------------------------------- text is text

def test_field_codes_markup_and_links_in_data_stay_literal_text(runner, project):
    hostile = '{ PAGE } and <b>bold?</b> and HYPERLINK "x" and { NUMPAGES \\* MERGEFORMAT }'
    (project / "actions/data-gaps/3.2.3.yaml").write_text(
        f"ref: 3.2.3\nlead: Police\nstatus: on track\ngap: '{hostile}'\n"
        "action: Check the record.\nupdate: Checked.\n", encoding="utf-8")
    path = build_docx(runner, project)
    assert hostile in docx_text(docx.Document(str(path)))
    body = part_xml(path, "word/document.xml")
    for element in ("w:fldChar", "w:instrText", "w:fldSimple", "w:hyperlink", "<b>"):
        assert element not in body, element
    assert "&lt;b&gt;bold?&lt;/b&gt;" in body


# ---------------------------------------------------------------- the council's template

def make_template(path: Path) -> Path:
    """A council template: Georgia headings, its own header, a body to be replaced."""
    template = docx.Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.sections[0].header.paragraphs[0].text = TEMPLATE_HEADER
    template.add_paragraph("Template body text that the report replaces.")
    template.save(str(path))
    return path


def as_dotx(docx_path: Path, dotx_path: Path) -> Path:
    """What Word's Save as Word Template writes: the main part is a template."""
    source = zipfile.ZipFile(docx_path)
    with zipfile.ZipFile(dotx_path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            out.writestr(info, data)
    return dotx_path


def heading_font(document: Document) -> str | None:
    return document.styles["Heading 1"].font.name


@pytest.mark.parametrize("suffix", [".docx", ".dotx"])
def test_the_councils_template_keeps_its_header_and_heading_font(runner, project, tmp_path,
                                                                  suffix):
    template = make_template(tmp_path / "council.docx")
    if suffix == ".dotx":
        template = as_dotx(template, tmp_path / "council.dotx")
        with pytest.raises(ValueError):  # python-docx alone cannot open a .dotx
            docx.Document(str(template))
    path = build_docx(runner, project, "--docx-template", str(template))
    document = docx.Document(str(path))
    assert heading_font(document) == "Georgia"
    assert document.sections[0].header.paragraphs[0].text == TEMPLATE_HEADER
    assert all(s.header.is_linked_to_previous for s in document.sections[1:])
    text = docx_text(document)
    assert "Template body text" not in text
    assert text.startswith("Safer Stockton Partnership Progress report on the Partnership")
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][0] == \
        "Progress report on the Partnership Strategic Assessment"
    assert "PAGE" in document.sections[0].footer._element.xml
    content_types = part_xml(path, "[Content_Types].xml")
    assert "document.main+xml" in content_types and "template.main+xml" not in content_types
    assert ooxml_findings(path) == []
    pages = pdf_pages(to_pdf(path, tmp_path))
    assert all(TEMPLATE_HEADER in page for page in pages)


def test_a_template_from_libreoffice_lacking_word_styles_and_numbering(runner, project,
                                                                       tmp_path, seed_text):
    """A template made elsewhere has no numbering part, no List Number, no Heading 1 and
    no Table Grid: they are made, and the report is whole."""
    (tmp_path / "letterhead.txt").write_text("Council letterhead\n")
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: scripts/system-deps.sh --test")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path),
                    str(tmp_path / "letterhead.txt")], capture_output=True, timeout=180)
    template = tmp_path / "letterhead.docx"
    names = zipfile.ZipFile(template).namelist()
    assert "word/numbering.xml" not in names
    path = build_docx(runner, project, "--docx-template", str(template))
    document = docx.Document(str(path))
    numbered = [p for p in document.paragraphs if p.style is not None
                and p.style.name == "List Number"]
    assert len(numbered) == 6 and all(p._p.pPr.numPr is not None for p in numbered)
    numbering = document.part.numbering_part.element  # KeyError inside if none
    definition = numbering.num_having_numId(numbered[0]._p.pPr.numPr.numId.val)
    assert definition.abstractNumId.val in [
        int(n) for n in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
    headings = [p.text for p in document.paragraphs if p.style is not None
                and p.style.name == "Heading 1"]
    assert headings[:3] == ["Progress report on the Partnership Strategic Assessment",
                            "Exceptions", "Data requirements"]
    assert document.styles["Heading 1"].element.pPr.outlineLvl.val == 0
    assert all(t._tbl.tblPr.find(qn("w:tblBorders")) is not None for t in document.tables)
    seed = " ".join(seed_cells(seed_text))
    assert sorted(words(seed) - words(docx_text(document))) == []
    assert "Council letterhead" not in docx_text(document)
    assert ooxml_findings(path) == []  # a numbering part and a theme are added


def docm(path: Path, good: Path) -> Path:
    """A macro-enabled document: what Word writes for .docm."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"officedocument.wordprocessingml.document.main+xml",
                                    b"ms-word.document.macroEnabled.main+xml")
            out.writestr(info, data)
    return path


def bad_template(kind: str, folder: Path) -> Path:
    if kind == "text":
        path = folder / "council.docx"
        path.write_text("not a Word file at all\n")
    elif kind == "zip":
        path = folder / "council.docx"
        with zipfile.ZipFile(path, "w") as out:
            out.writestr("hello.txt", "a zip, but no Word in it")
    elif kind == "doc":
        path = folder / "council.doc"
        path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    elif kind == "docm":
        path = docm(folder / "council.docm", make_template(folder / "good.docx"))
    else:  # a Word package with its main part missing
        path = folder / "broken.docx"
        source = zipfile.ZipFile(make_template(folder / "good.docx"))
        with zipfile.ZipFile(path, "w") as out:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    out.writestr(info, source.read(info.filename))
    return path


@pytest.mark.parametrize("kind, message", [
    ("text", "not a zip archive"),
    ("zip", "not a Word file"),
    ("doc", "old Word .doc/.dot or a password-protected file"),
    ("docm", "macro-enabled"),
    ("damaged", "cannot be read as a Word file"),
])
def test_a_bad_template_is_a_problem_naming_the_file(runner, project, tmp_path, kind,
                                                     message):
    template = bad_template(kind, tmp_path)
    result = run(runner, "build", "--project", str(project), "--format", "all",
                 "--docx-template", str(template))
    assert result.exit_code == 1
    assert f"{template}: " in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not (project / "out").exists() or not any((project / "out").iterdir())


# ---------------------------------------------------------------- published as one set

def test_format_all_writes_html_pdf_and_docx(runner, project):
    result = run(runner, "build", "--project", str(project), "--format", "all")
    assert result.exit_code == 0, result.output
    out = project / "out"
    names = ["progress-report.html", "progress-report.pdf", DOCX]
    assert result.output.split() == [w for name in names for w in ("wrote", str(out / name))]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert "Data requirements" in docx_text(docx.Document(str(out / DOCX)))


@pytest.fixture
def previous(runner, project) -> dict[str, bytes]:
    result = run(runner, "build", "--project", str(project), "--format", "all")
    assert result.exit_code == 0
    edit(project, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
    return {p.name: p.read_bytes() for p in (project / "out").iterdir()}


def unchanged(project: Path, previous: dict[str, bytes]) -> bool:
    now = {p.name: p.read_bytes() for p in (project / "out").iterdir()}
    return now == previous  # same files, same bytes, no temporary files left


def test_a_failure_writing_the_docx_leaves_all_three(runner, project, previous, monkeypatch):
    from psa_report import docx_render

    def half_written(plan, target, template=None):
        Path(target).write_bytes(b"PK half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(docx_render, "write_docx", half_written)
    with pytest.raises(RuntimeError):
        run(runner, "build", "--project", str(project), "--format", "all")
    assert unchanged(project, previous)


def test_a_failure_printing_the_pdf_leaves_all_three(runner, project, previous, monkeypatch):
    from psa_report import printer

    def half_written(html, target, dirs, **options):
        Path(target).write_bytes(b"%PDF-1.7 half")
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(printer, "write_pdf", half_written)
    with pytest.raises(RuntimeError):
        run(runner, "build", "--project", str(project), "--format", "all")
    assert unchanged(project, previous)


def test_a_bad_template_leaves_all_three(runner, project, previous, tmp_path):
    template = bad_template("docm", tmp_path)
    result = run(runner, "build", "--project", str(project), "--format", "all",
                 "--docx-template", str(template))
    assert result.exit_code == 1
    assert unchanged(project, previous)


# ---------------------------------------------------------------- word for word the HTML

@pytest.mark.parametrize("in_git", [False, True])
def test_the_docx_says_every_word_the_html_says(runner, project, in_git):
    """Both from one build, with overdue actions (and, in git, changes since a tag and a
    draft): only the screen's "Contents" box and "Skip to the report" link are left out,
    as the PDF leaves them out."""
    extra = ["--as-of", "2010-10-01"]
    if in_git:
        git(project, "init", "-q", "-b", "main")
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", "Plan as sent to the SSP", when="2010-06-28")
        git(project, "tag", "ssp-2010-06")
        edit(project, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
        extra += ["--since", "ssp-2010-06"]
    result = run(runner, "build", "--project", str(project), "--format", "all", *extra)
    assert result.exit_code == 0, result.output
    html = html_text((project / "out/progress-report.html").read_text(encoding="utf-8"))
    text = docx_text(docx.Document(str(project / "out" / DOCX)))
    assert words(html) - words(text) == {"Contents", "Skip"}
    assert words(text) - words(html) == set()


# ---------------------------------------------------------------- changes since the meeting

def test_changes_since_the_last_meeting_are_in_the_docx(runner, project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan as sent to the SSP", when="2010-06-28")
    git(project, "tag", "ssp-2010-06")
    edit(project, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
    (project / "actions/data-gaps/5.2.3.yaml").write_text(
        "ref: 5.2.3\ngap: Night-time economy data.\nlead: SBC\naction: Source it.\n"
        "update: Not yet begun.\nstatus: not started\n")
    document = docx.Document(str(build_docx(runner, project, "--since", "ssp-2010-06")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-3:] == ["Changes since the last meeting", "Status summary",
                             "Progress across meetings"]
    text = docx_text(document)
    assert "Compared with the action plan as it was at the meeting of 28 June 2010." in text
    assert "3.2.1 data gap: changed Status: off track → on track" in text
    assert "Changed since the last meeting: Status: off track → on track" in text
    assert "5.2.3 data gap: added" in text
    # Added since the tag: its direction of travel says New, so (as status.html) the
    # cell has the shape and the words once, and no second "New" line.
    cell = next(row.cells[-1] for t in document.tables for row in t.rows
                if row.cells[0].text == "5.2.3")
    assert [p.text for p in cell.paragraphs] == ["Not started",
                                                 "● New since the last meeting"]
    assert [(r.text, bool(r.bold)) for r in cell.paragraphs[1].runs] == [
        ("●", False), (" New since the last meeting", True)]
    for line in plan(project, since="ssp-2010-06").plan.colophon:  # the HTML's sentences
        assert line in text
    assert "Changes are marked against the plan as it was at the meeting of 28 June 2010." \
        in text
    assert "(a draft)" in text
    assert text.startswith("Safer Stockton Partnership Draft: built from changes to the "
                           "action plan that have not yet been saved")


# ---------------------------------------------------------------- direction of travel



@pytest.fixture
def travelled(runner, meetings) -> tuple[str, Document, Path]:
    """The meetings' report built once as HTML and Word: (html, document, docx path)."""
    result = run(runner, "build", "--project", str(meetings), "--format", "all")
    assert result.exit_code == 0, result.output
    out = meetings / "out"
    return ((out / "progress-report.html").read_text(encoding="utf-8"),
            docx.Document(str(out / DOCX)), out / DOCX)


def word_list(text: str) -> list[str]:
    """The words in order (as words(), which is a set), so sections compare in order."""
    return re.findall(r"[A-Za-z0-9&]+", re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1 \2", text))


def between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin)]


def status_cells(document: Document) -> dict[str, list[str]]:
    """Each data gap's status cell, paragraph by paragraph, by ref."""
    return {row.cells[0].text: [p.text for p in row.cells[-1].paragraphs]
            for table in document.tables if table.rows[0].cells[0].text == "Ref"
            and len(table.columns) == len(GAP_HEADER) for row in table.rows[1:]}


def test_the_docx_has_each_rows_direction_of_travel_as_a_shape_and_words(travelled):
    html, document, _ = travelled
    cells = status_cells(document)
    # The direction, then (found by the meeting tags as by last_meeting) what changed.
    assert cells["3.2.3"][-2:] == ["▲ Improved (was at risk)",
                                   "Changed since the last meeting: Status: at risk → on track"]
    assert cells["3.2.4"][-2:] == ["▼ Worse (was on track)", "Changed since the last "
                                   "meeting: Status: on track → off track"]
    assert cells["3.2.5"] == ["On track", "Due September 2010", "Overdue by 172 days",
                              "► No change"]
    assert cells["5.2.3"][-2:] == ["▲ Improved (was not started)", "Changed since the last "
                                   "meeting: Status: not started → at risk; Update revised"]
    # The shape alone is not bold, the words are (as progress.css); never colour alone.
    worse = next(row.cells[-1] for t in document.tables for row in t.rows
                 if row.cells[0].text == "3.2.4").paragraphs[-2]
    assert [(r.text, bool(r.bold)) for r in worse.runs] == [
        ("▼", False), (" Worse (was on track)", True)]
    # Every row says what the HTML's status cell says, in the same words.
    for ref, paragraphs in cells.items():
        anchor = "data-gap-" + ref.replace(".", "-")
        row = re.search(rf'<tr id="{anchor}"[^>]*>(.*?)</tr>', html, re.S)[1]
        cell = re.search(r'<td class="status-cell"[^>]*>(.*?)</td>', row, re.S)[1]
        assert word_list(html_text(cell)) == word_list(" ".join(paragraphs)), ref
    # The recommendations: the direction on the head line, after the status.
    heads = {p.text.split("\t")[0]: p.text for p in document.paragraphs
             if re.match(r"R\d+\t", p.text)}
    assert sorted(heads) == ["R1", "R2", "R3", "R4", "R6"]  # R5 was removed
    assert heads["R6"] == "R6\t Not started \t● New since the last meeting"
    assert heads["R1"].endswith("\t► No change")
    assert "New since the last meeting" not in [p.text for p in document.paragraphs]


def test_the_docx_opens_with_the_exceptions_in_the_htmls_words(travelled):
    html, document, _ = travelled
    headed = [(p.style.name, p.text) for p in document.paragraphs
              if p.style.name.startswith("Heading")]
    assert headed[:7] == [
        ("Heading 1", "Progress report on the Partnership Strategic Assessment"),
        ("Heading 1", "Exceptions"), ("Heading 2", "Off track (2)"),
        ("Heading 2", "At risk (3)"), ("Heading 2", "Overdue (2)"),
        ("Heading 2", "Worse since the last meeting (1)"),
        ("Heading 1", "Data requirements")]
    text = docx_text(document)
    section = between(text, "Exceptions", "Data requirements")
    assert section.startswith("Exceptions Actions off track, at risk or overdue as at 21 "
                              "March 2011, each with its latest update; the full tables "
                              "follow. Direction of travel is measured against the plan "
                              "as it was at the meeting of 6 December 2010.")
    assert "5.2.3 (Lead: SBC) Begun, but short of staff." in section
    assert "3.2.5 (Lead: SBC) Overdue by 172 days." in section
    assert "3.2.4: now off track; ▼ Worse (was on track)" in section
    assert section.endswith("Removed from the plan since the last meeting: R5. ")
    # Word for word, in order, the HTML's section.
    exceptions = re.search(r'<section id="exceptions".*?</section>', html, re.S)[0]
    assert word_list(html_text(exceptions)) == word_list(section)
    # A real bulleted list, one bullet per action; the update below it, not bulleted.
    paragraphs = document.paragraphs
    tables_at = next(i for i, p in enumerate(paragraphs) if p.text == "Data requirements")
    items = [p for p in paragraphs[:tables_at] if p.style.name == "List Paragraph"
             and p._p.pPr.numPr is not None]
    assert [p.text.split(" ")[0] for p in items] == [
        "3.2.4", "4.2.2", "3.2.2", "4.2.1", "5.2.3", "3.2.5", "5.2.2", "3.2.4:"]
    # They open the landscape pages, before the first data table.
    body = list(document.element.body)
    first_break = next(i for i, e in enumerate(body)
                       if e.find(f"{W}pPr/{W}sectPr") is not None)
    exceptions_at = next(i for i, e in enumerate(body)
                         if e.tag == f"{W}p" and "".join(e.xpath(".//w:t/text()")) ==
                         "Exceptions")
    first_table = next(i for i, e in enumerate(body) if e.tag == f"{W}tbl")
    assert first_break < exceptions_at < first_table
    assert [s.orientation.name for s in document.sections] == ["PORTRAIT", "LANDSCAPE",
                                                               "PORTRAIT"]


def html_progress_rows(html: str) -> list[list[str]]:
    """The HTML progress table's rows as text, cell by cell (header row first)."""
    table = re.search(r'<table class="progress-table">.*?</table>', html, re.S)[0]
    return [[html_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def test_the_docx_has_the_progress_tables_numbers_and_the_charts_description(travelled):
    html, document, path = travelled
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "Progress across meetings"
    table = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == html_progress_rows(html)
    assert rows[0] == ["Meeting", "Date", "Complete", "On track", "At risk", "Not started",
                       "Off track", "Total", "Overdue"]
    assert rows[1:] == [
        ["Meeting of 28 June 2010", "28 June 2010", "1", "7", "2", "2", "3", "15", "0"],
        ["Safer Stockton Partnership, 27 September 2010", "27 September 2010", "1", "8", "3",
         "1", "2", "15", "0"],
        ["Meeting of 6 December 2010", "6 December 2010", "1", "8", "4", "2", "1", "16", "2"],
        ["This report", "21 March 2011", "1", "8", "3", "2", "2", "16", "2"]]
    # An accessible table like the others: the header row repeats, nothing merged, a
    # title and a description, a visible caption above it.
    rows_xml = table._tbl.tr_lst
    assert rows_xml[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows_xml[1:])
    caption = ("Number of data gaps and recommendations by status at each meeting: the "
               "numbers in the chart")
    tblpr = table._tbl.tblPr
    assert tblpr.find(qn("w:tblCaption")).get(qn("w:val")) == "Progress across meetings"
    assert tblpr.find(qn("w:tblDescription")).get(qn("w:val")) == caption
    for tag in ("w:gridSpan", "w:vMerge", "w:hMerge"):
        assert f"<{tag}" not in part_xml(path, "word/document.xml"), tag
    # The chart's text alternative is the caption paragraph, word for word the HTML's.
    figcaption = html_text(re.search(r'<figcaption id="progress-chart-caption">(.*?)'
                                     r"</figcaption>", html, re.S)[1])
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[-2:] == [figcaption, caption]
    assert figcaption.startswith("Stacked bar chart of the number of data gaps and "
                                 "recommendations in each status, from the meeting of 28 "
                                 "June 2010 to this report (21 March 2011).")
    text = docx_text(document)
    assert "The chart shows at most the last 8 meetings. Overdue: not complete and due " \
           "before the meeting's date." in text
    assert text.index("Lead agencies") < text.index("Progress across meetings") < \
        text.index("Prepared by the")


def test_without_git_the_docx_has_the_progress_note_alone(runner, project):
    document = docx.Document(str(build_docx(runner, project)))
    assert "Progress across meetings" not in [p.text for p in document.paragraphs
                                              if p.style.name.startswith("Heading")]
    paragraphs = [p.text for p in document.paragraphs]
    note = ("Progress across meetings is not shown: the action plan is not kept under "
            "version control, so the plan as it was sent to each meeting cannot be read.")
    assert paragraphs.index(note) == paragraphs.index("Lead agencies") + \
        len(plan(project).plan.agencies) + 1
    assert docx_text(document).count("First report") == 1
    assert not any(glyph in docx_text(document) for glyph in "▲▼►●")


def test_status_notes_follow_status_html():
    """New is said once: as the direction when there is one, else as a New line; what
    changed is said as well as the direction."""
    from psa_report.docx_render import status_notes
    from psa_report.plan import Row

    def row(**fields) -> Row:
        return Row("3.2.1", "data-gap-3-2-1", [], [], [], STATUS["on track"], None, None,
                   **fields)

    def said(r: Row) -> list[str]:
        return ["".join(text for text, _ in note) for note in status_notes(r)]

    assert said(row(new=True)) == ["New since the last meeting"]
    assert said(row(new=True, direction="New", direction_kind="new")) == [
        "● New since the last meeting"]
    assert said(row(changes=["Status: at risk → on track"], direction="Improved (was at "
                    "risk)", direction_kind="up")) == [
        "▲ Improved (was at risk)", "Changed since the last meeting: Status: at risk → on track"]
    assert said(row(direction="No change", direction_kind="same")) == ["► No change"]
    assert said(row()) == []


def test_libreoffice_prints_the_shapes_the_exceptions_and_the_progress_table(travelled,
                                                                            tmp_path):
    _, _, path = travelled
    pdf = to_pdf(path, tmp_path)
    pages = pdf_pages(pdf)
    text = " ".join(" ".join(page.split()) for page in pages)
    for words_ in ("▼ Worse (was on track)", "▲ Improved (was at risk)", "► No change",
                   "● New since the last meeting", "Worse since the last meeting (1)",
                   "Removed from the plan since the last meeting: R5.",
                   "This report 21 March 2011 1 8 3 2 2 16 2"):
        assert words_ in text, words_
    exceptions = next(i for i, page in enumerate(pages) if "Off track (2)" in page)
    box = PdfReader(pdf).pages[exceptions].mediabox
    assert box.width > box.height  # the exceptions open the landscape pages


def test_the_template_named_in_report_yaml_is_used(runner, project, tmp_path):
    make_template(project / "council.dotx.docx")
    as_dotx(project / "council.dotx.docx", project / "council.dotx")
    report = project / "actions/report.yaml"
    report.write_text(report.read_text() + "docx_template: council.dotx\n")
    document = docx.Document(str(build_docx(runner, project)))
    assert heading_font(document) == "Georgia"
    assert document.sections[0].header.paragraphs[0].text == TEMPLATE_HEADER
    # A path leaving the project, or a file that is not there, is named at its line.
    line = len(report.read_text().splitlines())
    outside = make_template(tmp_path / "elsewhere.docx")
    for value, expected in ((str(outside), "is outside the project folder"),
                            ("missing.dotx", "there is no file 'missing.dotx'")):
        report.write_text(report.read_text().rsplit("docx_template:", 1)[0]
                          + f"docx_template: {value}\n")
        result = run(runner, "build", "--format", "docx", "--project", str(project))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"actions/report.yaml:{line}:16: docx_template: ")
        assert expected in result.stderr


# ---------------------------------------------------------------- Word equal to the PDF

def ooxml_findings(path: Path) -> list[str]:
    """What openxml-audit (the Open XML SDK's schemas and rules, packaged for Python)
    finds wrong with the file, as Word 2010 and Microsoft 365 read it."""
    from openxml_audit import FileFormat, OpenXmlValidator

    found = []
    for version in (FileFormat.OFFICE_2010, FileFormat.MICROSOFT_365):
        result = OpenXmlValidator(file_format=version, max_errors=0).validate(str(path))
        found += [f"{version.name}: {error}" for error in result.errors]
    return found


def test_the_docx_is_valid_ooxml(built_docx):
    assert ooxml_findings(built_docx) == []
    xml = part_xml(built_docx, "word/document.xml")
    # The two faults found before: a second w:shd in a shaded header cell (status
    # summary, progress), and w:zoom without the w:percent ISO/IEC 29500 requires.
    assert not re.search(r"<w:tcPr>(?:(?!</w:tcPr>).)*<w:shd(?:(?!</w:tcPr>).)*<w:shd",
                         xml, re.S)
    zoom = re.search(r"<w:zoom [^>]*>", part_xml(built_docx, "word/settings.xml"))[0]
    assert 'w:percent="100"' in zoom
    with zipfile.ZipFile(built_docx) as archive:
        assert "word/stylesWithEffects.xml" not in archive.namelist()


def test_the_docx_with_meetings_and_a_chart_is_valid_ooxml(travelled):
    assert ooxml_findings(travelled[2]) == []


def test_every_table_row_is_kept_whole_and_headings_stay_with_what_follows(document):
    tables = document.tables
    assert len(tables) >= 4  # three sections of data gaps, the status summary
    for table in tables:
        for row in table._tbl.tr_lst:
            assert row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None
        # the header row goes to the next page with the first row under it
        assert all(p.paragraph_format.keep_with_next for p in
                   (p for cell in table.rows[0].cells for p in cell.paragraphs))
    body = list(document.iter_inner_content())
    for block, after in zip(body, body[1:]):
        if isinstance(block, Table):
            continue
        if block.style.name.startswith("Heading") or isinstance(after, Table):
            assert block.paragraph_format.keep_with_next, block.text
    # The data requirements begin a page, as in the PDF, never at the foot of the
    # exceptions.
    heading = next(p for p in document.paragraphs if p.text == "Data requirements")
    assert heading.paragraph_format.page_break_before


def test_libreoffice_keeps_each_row_on_one_page_and_starts_the_data_requirements_on_one(
        converted):
    pages = [" ".join(page.split()) for page in converted]
    start = next(i for i, page in enumerate(pages) if "Data requirements" in page)
    assert "Exceptions" not in pages[start]
    # Each data gap's ref and the end of its update are printed on the same page.
    for item in plan(REPO).plan.sections:
        for row in item.rows:
            tail = " ".join(" ".join(row.update).split()[-4:])
            on = [i for i, page in enumerate(pages) if tail in page]
            assert on, (row.ref, tail)
            assert any(re.search(rf"(^|\s){re.escape(row.ref)}\s", pages[i]) for i in on), \
                row.ref


def test_the_chart_is_a_picture_described_by_its_text_alternative(travelled, tmp_path):
    html, document, path = travelled
    figcaption = html_text(re.search(r'<figcaption id="progress-chart-caption">(.*?)'
                                     r"</figcaption>", html, re.S)[1])
    title = html_text(re.search(r'<title id="progress-chart-title">(.*?)</title>',
                                html, re.S)[1])
    pictures = document.inline_shapes
    assert len(pictures) == 1
    properties = pictures[0]._inline.docPr
    assert properties.get("descr") == figcaption  # Word's Alt Text
    assert properties.get("name") == title
    # The picture is under the heading, above its caption, the width of the text.
    body = list(document.iter_inner_content())
    at = next(i for i, b in enumerate(body) if not isinstance(b, Table)
              and b._p.xpath(".//pic:pic"))
    assert body[at - 1].text == "Progress across meetings"
    assert body[at + 1].text == figcaption
    section = document.sections[-1]
    assert pictures[0].width == section.page_width - section.left_margin - \
        section.right_margin
    # A real PNG of the chart: wide, in the statuses' colours (on track's green tint, the
    # very one of its table cells: shape.COLOURS).
    from PIL import Image

    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("word/media/"))
        image = Image.open(io.BytesIO(archive.read(name)))
    assert image.format == "PNG" and image.width > 2000
    assert (0xC3, 0xE6, 0xCB) in {colour for _, colour in image.getcolors(1 << 20)}
    # LibreOffice prints it: the converted page with the table also holds an image.
    pdf = to_pdf(path, tmp_path)
    reader = PdfReader(pdf)
    page = next(p for p in reader.pages if "Progress across meetings" in p.extract_text())
    assert len(page.images) == 1
