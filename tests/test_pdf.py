"""The printed report: tagged and accessible, well laid out, archivable."""

from __future__ import annotations

import re
from pathlib import Path

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


# ---------------------------------------------------------------- PDF/UA structure

def marked_content(document: pikepdf.Pdf) -> list[tuple[int, str, int | None, bool]]:
    """Every marked-content sequence of every page, as (page, tag, MCID, inside an
    artifact); painting outside any sequence is listed with the tag "unmarked"."""
    painting = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*",
                "sh", "BI"}
    found = []
    for number, page in enumerate(document.pages):
        stack: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                properties = operands[1] if op == "BDC" else None
                mcid = (int(properties.MCID) if isinstance(properties, pikepdf.Dictionary)
                        and "/MCID" in properties else None)
                stack.append(str(operands[0]))
                found.append((number, stack[-1], mcid, "/Artifact" in stack))
            elif op == "EMC":
                stack.pop()
            elif op in painting and not stack:
                found.append((number, "unmarked", None, False))
    return found


def claimed_content(document: pikepdf.Pdf) -> set[tuple[int, int]]:
    """(page, MCID) of the content the elements of the structure tree hold."""
    pages = {page.objgen: number for number, page in enumerate(document.pages)}
    claimed = set()

    def walk(node, page):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, int):
            claimed.add((pages.get(page), int(node)))
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/Type") == "/MCR":
                claimed.add((pages.get(node.Pg.objgen if "/Pg" in node else page),
                             int(node.MCID)))
            elif "/S" in node and "/K" in node:
                walk(node.K, node.Pg.objgen if "/Pg" in node else page)

    walk(document.Root.StructTreeRoot.K, None)
    return claimed


def parents(document: pikepdf.Pdf) -> list[tuple[str, str, list[str]]]:
    """(tag, parent's tag, kids' tags) of every element reached from the root."""
    found = []

    def walk(node, parent):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, parent)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            kids = node.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            found.append((str(node.S), parent, [str(k.S) for k in kids
                                                if isinstance(k, pikepdf.Dictionary)
                                                and "/S" in k]))
            if "/K" in node:
                walk(node.K, str(node.S))

    walk(document.Root.StructTreeRoot.K, "StructTreeRoot")
    return found


@pytest.fixture(scope="module")
def with_meetings(tmp_path_factory) -> Path:
    """The three meetings' plan built as a PDF: exceptions, changes, the chart."""
    import shutil

    from conftest import meetings as make_meetings

    root = tmp_path_factory.mktemp("meetings") / "plan"
    shutil.copytree(REPO / "actions", root / "actions")
    make_meetings.__wrapped__(root)
    with pikepdf.open(run_build(root)) as document:
        yield document


def run_build(root: Path) -> Path:
    from click.testing import CliRunner

    result = run(CliRunner(), "build", "--project", str(root), "--format", "pdf")
    assert result.exit_code == 0, result.output
    return root / "out/progress-report.pdf"


@pytest.fixture(params=["shipped", "meetings", "40 items"])
def either(request) -> pikepdf.Pdf:
    """The shipped report; the meetings' (exceptions, changes, chart); 40 items (tables
    and rows running over pages)."""
    if request.param == "shipped":
        return request.getfixturevalue("pdf")
    if request.param == "meetings":
        return request.getfixturevalue("with_meetings")
    opened = pikepdf.open(request.getfixturevalue("sized_plan")(40)["pdf"])
    request.addfinalizer(opened.close)
    return opened


def test_all_content_is_in_the_structure_tree_or_an_artifact(either, pages_text):
    """PDF/UA: the running footer, "Page N of M" and the "continued" line are
    artifacts; everything else is held by an element of the tree."""
    sequences = marked_content(either)
    claimed = claimed_content(either)
    assert [s for s in sequences if s[1] == "unmarked"] == []
    loose = [(page + 1, tag, mcid) for page, tag, mcid, artifact in sequences
             if not artifact and (mcid is None or (page, mcid) not in claimed)]
    assert loose == []
    # The footer is still printed on every page, as an artifact.
    assert all("Page " in text for text in pages_text)
    artifacts = [s for s in sequences if s[1] == "/Artifact"]
    assert len({page for page, *_ in artifacts}) == len(either.pages)


def test_every_list_item_is_in_a_list_with_a_label_and_a_body(either):
    elements = parents(either)
    items = [e for e in elements if e[0] == "/LI"]
    assert items
    assert [e for e in items if e[1] != "/L"] == []
    assert [e for e in items if not set(e[2]) <= {"/Lbl", "/LBody"} or "/LBody" not in e[2]
            ] == []
    assert [e for e in elements if e[0] in ("/Lbl", "/LBody") and e[1] != "/LI"] == []
    # The lead agencies (a <dl>): one item per agency, the code its label and the name
    # its body.
    agencies = [e for e in elements if e[0] == "/L" and e[2] == ["/LI"] * 6]
    assert agencies, "the lead-agency list of 6 items"


def test_the_id_tree_names_every_id_and_every_header_it_is_given(either):
    root = either.Root.StructTreeRoot
    assert "/IDTree" in root
    names = root.IDTree.Names
    keys = [bytes(names[i]) for i in range(0, len(names), 2)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    tree = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    ids, headers = [], []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if "/ID" in node:
                ids.append(node)
            attributes = node.get("/A")
            if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                headers.extend(bytes(h) for h in attributes.Headers)
            if "/K" in node:
                walk(node.K)

    walk(root.K)
    assert len(ids) >= 25
    assert sorted(bytes(e.ID) for e in ids) == keys
    for element in ids:
        assert tree[bytes(element.ID)].objgen == element.objgen
    assert headers and set(headers) <= set(tree)
