"""Stage 4, render for Word: the planned report as an accessible .docx.

Fed by the plan only, as the HTML templates are, and saying what they say word
for word.  Accessibility (what Word's accessibility checker looks for): headings
in the real Heading 1 and Heading 2 styles, so the navigation pane lists them;
every table with a header row that repeats on each page, no merged cell, and a
title and description; status as a word in a shaded cell (the colour never
alone); the document's title, author, subject and keywords; language en-GB.

Text is text: every value from the data goes into a run as literal characters,
so nothing in the plan becomes a field, hyperlink or markup.  The only fields
are our own, in the footer (PAGE and NUMPAGES).

A council's template (.docx or .dotx) is the starting document: its styles,
headers, footers and logo are kept and its body is replaced by the report.
"""

from __future__ import annotations

import io
import math
import re
import weakref
import zipfile
import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import cast

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.table import CT_Tbl
from docx.parts.numbering import NumberingPart
from docx.section import Section
from docx.shared import Cm, Emu, Inches, Length, Mm, Pt, RGBColor, Twips
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .bilingual import joined, parts_of
from .docx_clean import MAX_TEMPLATE_BYTES, OLE_SIGNATURE, Unreadable, clean, repack
from .figures_view import number_text
from .files import read_bounded
from .plan import Column, ReportPlan, Row, fit, lang_of
from .plan import Part as ReportPart
from .problems import Invalid, Problem
from .shape import StatusDef

LANGUAGE = "en-GB"
#: Each edition's language as Word marks it (styles' w:lang, the core properties)
WORD_LANGUAGES = {"en": LANGUAGE, "cy": "cy-GB"}


def word_language(code: str) -> str:
    """"en-GB" for en, "cy-GB" for cy; another language by its code."""
    return WORD_LANGUAGES.get(code, code)

HEADER_FILL = "E8EDF2"


def status_fill(status) -> str:
    """A status cell's tint, by its colour (shape.COLOURS, as report.css); white for an
    item with no status."""
    return status.fill if status is not None else "FFFFFF"
ACCENT = RGBColor(0x1D, 0x3F, 0x66)
MUTED = RGBColor(0x4A, 0x4A, 0x4A)

#: plan.py's unit of a column's weight, a character of the PDF's tables (8.6pt text, 100
#: to the 493pt of a portrait page's lines), per point of the text's size: the Word
#: tables' text (the Normal style's, 10.5pt by default) is larger, so a page holds fewer.
WEIGHT_UNIT = 493 / 100 / 8.6
#: The widest a chart is on a landscape page, above a table that needs the page's
#: width (progress.css), so that the table and what follows share the page.
LANDSCAPE_CHART = Mm(160)
#: A list's indent per level, in twips (the bullet hangs in it).
LIST_INDENT = 420

# Same pattern as render.ordinals: 23rd -> 23 and a superscript "rd".
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")

#: The main part's content type in a .dotx (python-docx knows only the .docx one).
WML_TEMPLATE_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
UNREADABLE = ("cannot be read as a Word file ({}): open it in Word and save it again as .docx "
              "or .dotx")


# ---------------------------------------------------------------- the template

def _bad_template(path: Path, message: str) -> Invalid:
    return Invalid([Problem(str(path), None, None, message)])


def _content_types(path: Path, archive: zipfile.ZipFile) -> str:
    try:
        with archive.open("[Content_Types].xml") as member:  # bounded: sizes can lie
            return member.read(MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise _bad_template(path, UNREADABLE.format(error)) from None
    except KeyError:
        raise _bad_template(path, "is a zip archive but not a Word file: save the "
                            "template from Word as .docx or .dotx") from None


def _template_bytes(path: Path) -> tuple[bytes, list[str]]:
    """The template as a .docx package (a .dotx has its main part relabelled) without
    its active parts (:mod:`psa_report.docx_clean`), and what was removed."""
    raw, _ = read_bounded(path, MAX_TEMPLATE_BYTES, str(path),
                          fix="name a Word file (.docx or .dotx)")
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise _bad_template(path, f"is over {MAX_TEMPLATE_BYTES // 2**20} MB, too large "
                            "for a Word template")
    if raw.startswith(OLE_SIGNATURE):
        raise _bad_template(path, "is an old Word .doc/.dot or a password-protected file: "
                            "save it from Word as .docx or .dotx, without a password")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _bad_template(path, "is not a Word file (.docx or .dotx): it is not a zip "
                            "archive") from None
    if unpacked > MAX_TEMPLATE_BYTES:
        raise _bad_template(path, f"unpacks to over {MAX_TEMPLATE_BYTES // 2**20} MB, "
                            "too large for a Word template")
    types = _content_types(path, archive)
    if "macroEnabled" in types or "vbaProject" in types:
        raise _bad_template(path, "is a macro-enabled Word file (.docm or .dotm): macros "
                            "are not accepted; save the template as .docx or .dotx")
    try:
        raw, removed = clean(archive, raw)
    except Unreadable as error:
        raise _bad_template(path, UNREADABLE.format(error)) from None
    archive = zipfile.ZipFile(io.BytesIO(raw))
    types = _content_types(path, archive)
    if CT.WML_DOCUMENT_MAIN in types:
        return raw, removed
    if WML_TEMPLATE_MAIN in types:
        return _as_document(archive, types), removed
    raise _bad_template(path, "is not a Word document or template (.docx or .dotx)")


def _as_document(archive: zipfile.ZipFile, types: str) -> bytes:
    """A .dotx repacked as a .docx: only [Content_Types].xml changes."""
    data = {info.filename: archive.read(info) for info in archive.infolist()}
    data["[Content_Types].xml"] = types.replace(WML_TEMPLATE_MAIN, CT.WML_DOCUMENT_MAIN).encode()
    return repack(archive, data, list(data))


def check_template(path: Path) -> list[Problem]:
    """Stop with a problem naming the file if it is no Word document or template;
    warnings naming each active or outward-pointing part that the report leaves out."""
    removed = _open_template(path)[1]
    return [Problem(str(path), None, None,
                    f"removed from the template, so not in the report: {what}")
            for what in dict.fromkeys(removed)]


def open_template(path: Path | None) -> Document:
    """The starting document: the council's template with its body emptied, or
    python-docx's own default set up for A4."""
    if path is None:
        document = docx.Document()
        _default_look(document)
        return document
    return _open_template(path)[0]


def _open_template(path: Path) -> tuple[Document, list[str]]:
    raw, removed = _template_bytes(path)
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as error:  # a damaged package: python-docx, lxml or zipfile
        raise _bad_template(path, UNREADABLE.format(error)) from None
    body = document.element.body
    body.clear_content()  # keeps the final w:sectPr, with its headers and footers
    body.get_or_add_sectPr()
    return document, removed


def _default_look(document: Document) -> None:
    """A4, the HTML's fonts and colours, for a report made without a template."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = section.top_margin = Cm(1.8)
    section.bottom_margin = Cm(2.0)
    styles = document.styles
    for fonts in styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts"):
        _no_theme_font(fonts)
        for key in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(key), "Arial")
    _font(styles["Normal"], "Arial", 10.5)
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        _font(styles[name], "Arial", size)
        styles[name].font.color.rgb = ACCENT
    # The default caption is light blue (under 4.5:1 on white): muted and italic, as
    # the HTML's captions.
    caption = styles["Caption"].font
    caption.color.rgb, caption.bold, caption.italic = MUTED, False, True


def _font(style, name: str, size: float) -> None:
    """Set a style's typeface; a theme font named in the style would win, so it goes."""
    style.font.name = name
    style.font.size = Pt(size)
    _no_theme_font(style.element.rPr.rFonts)


def _no_theme_font(fonts) -> None:
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


# ---------------------------------------------------------------- styles and language

class _Lookups:
    """What python-docx would otherwise look up again for every paragraph and table,
    each a walk over every style or over the whole body: kept per document."""

    def __init__(self):
        self.styles: dict[tuple[str, WD_STYLE_TYPE], BaseStyle | None] = {}
        self.style_ids: dict[object, str | None] = {}
        self.headings: dict[str | None, bool] = {}  # by paragraph style id


_LOOKUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # document part -> _Lookups


def _lookups(document: Document) -> _Lookups:
    return _LOOKUPS.setdefault(document.part, _Lookups())


def _find_style(document: Document, name: str, kind: WD_STYLE_TYPE) -> BaseStyle | None:
    """The style of that name, however the file spells a built-in one ("caption" as
    Word writes it, "Caption" as LibreOffice does)."""
    key = (name.lower(), kind)
    styles = _lookups(document).styles
    if key not in styles:
        styles[key] = next((style for style in document.styles if style.type == kind
                            and style.name is not None and style.name.lower() == key[0]),
                           None)
    return styles[key]


def _style_id(document: Document, style: BaseStyle) -> str | None:
    """The id a paragraph names ``style`` by (None for the default paragraph style), as
    ``paragraph.style = style`` works it out, once per style."""
    ids = _lookups(document).style_ids
    if style.element not in ids:
        ids[style.element] = document.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
    return ids[style.element]


def _style(document: Document, name: str, outline: int | None = None) -> BaseStyle:
    """The paragraph style ``name``; added, based on Normal, if the document lacks it."""
    found = _find_style(document, name, WD_STYLE_TYPE.PARAGRAPH)
    if found is not None:
        return found
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    _lookups(document).styles[(name.lower(), WD_STYLE_TYPE.PARAGRAPH)] = style
    style.base_style = _find_style(document, "Normal", WD_STYLE_TYPE.PARAGRAPH)
    if outline is not None:  # a heading: what the navigation pane lists
        style.font.bold = True
        style.font.size = Pt(16 - 3 * outline)
        style.paragraph_format.keep_with_next = True
        style.element.get_or_add_pPr().get_or_add_outlineLvl().val = outline
    return style


def set_language(document: Document, language: str = LANGUAGE) -> None:
    """The proofing language on the default run properties (styles.xml docDefaults)."""
    root = document.styles.element
    defaults = _child(root, "w:docDefaults")
    rpr_default = _child(defaults, "w:rPrDefault")
    rpr = _child(rpr_default, "w:rPr")
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.insert_element_before(_el("w:lang"), "w:eastAsianLayout", "w:specVanish",
                                         "w:oMath")
    lang.set(qn("w:val"), language)
    normal = document.styles["Normal"].element.rPr
    if normal is not None and normal.find(qn("w:lang")) is not None:
        normal.find(qn("w:lang")).set(qn("w:val"), language)


def _el(tag: str, **values: str):
    """A new element with these w: attributes, in this order."""
    return OxmlElement(tag, {qn(f"w:{name}"): value for name, value in values.items()})


def _child(parent, tag: str):
    """The ``tag`` child, added first (where the schema puts each of these) if missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert(0, found)
    return found


def set_properties(document: Document, plan: ReportPlan) -> None:
    props = document.core_properties
    props.title = plan.title
    props.author = f"{plan.author}, {plan.partnership}"
    props.last_modified_by = plan.author
    props.subject = f"{plan.addressee}, {plan.signed.text}"
    props.keywords = ", ".join(plan.keywords)
    props.language = word_language(plan.language)
    props.comments = ""
    props.category = plan.words.category
    signed = datetime.fromisoformat(plan.signed.iso)
    props.created = props.modified = signed
    props.revision = 1
    if plan.marking:  # the exempt edition: NOT FOR PUBLICATION, in its properties too
        props.subject = f"{plan.marking}. {props.subject}"
        props.content_status = plan.marking


# ---------------------------------------------------------------- numbered and bulleted lists

def _numbering_root(document: Document):
    part = document.part
    try:
        return cast(NumberingPart, part.part_related_by(RT.NUMBERING)).element  # numbering.xml
    except KeyError:
        xml = f'<w:numbering {nsdecls("w")}/>'
        # numbering.xml, the name Word gives it (and validators look for)
        taken = {str(p.partname) for p in part.package.iter_parts()}
        name = PackURI("/word/numbering.xml") if "/word/numbering.xml" not in taken \
            else part.package.next_partname("/word/numbering%d.xml")
        numbering = NumberingPart(name, CT.WML_NUMBERING, parse_xml(xml), part.package)
        part.relate_to(numbering, RT.NUMBERING)
        return numbering.element


def _new_list(document: Document, levels: list[tuple[str, str]]) -> int:
    """A numbering definition of our own (format, text per level); its numId."""
    root = _numbering_root(document)
    ids = [int(n) for n in root.xpath("./w:abstractNum/@w:abstractNumId")]
    abstract_id = max(ids, default=-1) + 1
    abstract = _el("w:abstractNum", abstractNumId=str(abstract_id))
    kind = "hybridMultilevel" if len(levels) > 1 else "singleLevel"
    abstract.append(_el("w:multiLevelType", val=kind))
    for level, (fmt, text) in enumerate(levels):
        abstract.append(_level(level, fmt, text))
    # Every w:abstractNum comes before the first w:num (the schema's order).
    root.insert_element_before(abstract, "w:num")
    return root.add_num(abstract_id).numId


def _level(level: int, fmt: str, text: str):
    lvl = _el("w:lvl", ilvl=str(level))
    for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text),
                       ("w:lvlJc", "left")):
        lvl.append(_el(tag, val=value))
    ppr = OxmlElement("w:pPr")
    ppr.append(_el("w:ind", left=str(LIST_INDENT * (level + 1)), hanging=str(LIST_INDENT)))
    lvl.append(ppr)
    return lvl


def _number(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = level
    numpr.get_or_add_numId().val = num_id


# ---------------------------------------------------------------- runs and paragraphs

def _text(paragraph: Paragraph, text: str, *, bold: bool = False,
          italic: bool = False, ordinals: bool = False) -> None:
    """Literal text; with ``ordinals``, 23rd is 23 and a superscript "rd". A passage in
    another language than the edition's (a plan's text with no translation into it, a
    :class:`~psa_report.bilingual.Fallback`, alone or inside a sentence) is a run of its
    own, in that language (its proofing language)."""
    for part in parts_of(text):
        lang = lang_of(part)
        pieces = _ORDINAL.split(part) if ordinals else [part]
        # split() with two groups gives: text, number, suffix, text, number, suffix, ...
        for index, piece in enumerate(pieces):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            run.bold = bold or None
            run.italic = italic or None
            if lang:  # a run in another language than the document's
                run._r.get_or_add_rPr().insert_element_before(
                    _el("w:lang", val=word_language(lang)), "w:eastAsianLayout",
                    "w:specVanish", "w:oMath")
            if ordinals and index % 3 == 2:
                run.font.superscript = True


#: What follows w:shd in a run's properties, then in a cell's (the schema's order).
_AFTER_SHADING = ("w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                  "w:eastAsianLayout", "w:specVanish", "w:oMath", "w:noWrap", "w:tcMar",
                  "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                  "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def _shade(target: Run | _Cell, fill: str) -> None:
    """A run's or cell's one w:shd (the schema allows one: a later fill replaces it)."""
    properties = (target._tc.get_or_add_tcPr() if isinstance(target, _Cell)
                  else target._r.get_or_add_rPr())
    for old in properties.findall(qn("w:shd")):
        properties.remove(old)
    properties.insert_element_before(_el("w:shd", val="clear", color="auto", fill=fill),
                                     *_AFTER_SHADING)


def _into_body(body, element) -> None:
    """Add a paragraph or table at the end of the body, before its closing w:sectPr, as
    python-docx does but without its search of the whole body for that w:sectPr on
    every paragraph (which made a long report's Word output quadratic; python-docx
    issue #408): it is the body's last child, always (open_template makes sure of one,
    and python-docx's add_section keeps one there)."""
    body[-1].addprevious(element)  # lxml finds the last child from the end


def _add_paragraph(document: Document, style: BaseStyle | None = None) -> Paragraph:
    """``document.add_paragraph(style=style)``, in time independent of the body's length."""
    body = document._body
    paragraph = Paragraph(body._element._new_p(), body)
    _into_body(body._element, paragraph._p)
    if style is not None:
        paragraph._p.style = _style_id(document, style)
    return paragraph


def _last_section(body, part) -> Section:
    """``document.sections[-1]``: the body's closing w:sectPr, found without a search."""
    return Section(body[-1], part)


def _para(document: Document, text: str = "", style: BaseStyle | None = None,
          **text_options) -> Paragraph:
    paragraph = _add_paragraph(document, style)
    _text(paragraph, text, **text_options)
    return paragraph


def _heading(document: Document, text: str, level: int) -> Paragraph:
    return _para(document, text, _style(document, f"Heading {level}", level - 1))


# ---------------------------------------------------------------- tables

def _table(document: Document, header: Iterable[str], caption: str, description: str
           ) -> Table:
    """A table with its header row (repeated on every page), title and description,
    under its description as its visible caption."""
    _caption(document, description)
    header = list(header)
    table = _new_table(document, len(header))
    style = _find_style(document, "Table Grid", WD_STYLE_TYPE.TABLE)
    if style is not None:
        table.style = style  # type: ignore[assignment]  # a table style: found by its type
    else:
        _borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, word in zip(table.rows[0].cells, header):
        _shade(cell, HEADER_FILL)
        _text(cell.paragraphs[0], word, bold=True)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        trpr.insert_element_before(OxmlElement(tag), "w:tblCellSpacing", "w:jc",
                                   "w:hidden", "w:ins", "w:del", "w:trPrChange")
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", description)):
        table._tbl.tblPr.insert_element_before(_el(tag, val=value), "w:tblPrChange")
    return table


def _new_table(document: Document, columns: int) -> Table:
    """``document.add_table(rows=1, cols=columns)``, without its two searches of the
    whole body (for the last section's width, and for the closing w:sectPr)."""
    width = _text_width(_last_section(document.element.body, document.part))
    body = document._body
    table = Table(CT_Tbl.new_tbl(1, columns, Emu(width)), body)
    _into_body(body._element, table._tbl)
    return table


def _borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="8A8A8A"))
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar",
                                           "w:tblLook", "w:tblCaption",
                                           "w:tblDescription", "w:tblPrChange")


def _widths(table: Table, widths: Iterable[float]) -> None:
    """Share the text width between the columns in these proportions (once the rows
    are in: each cell carries its width, as Word and LibreOffice both read it)."""
    widths = list(widths)
    table.autofit = False
    total = sum(widths)
    tbl = table._tbl
    text_width = _text_width(_last_section(tbl.getparent(), table.part))
    columns = []
    for column, share in zip(tbl.tblGrid.gridCol_lst, widths):
        column.w = Length(int(text_width * share / total))
        columns.append(column.w)
    # Row by row (no cell is merged, so a row's n-th cell is in the n-th column).
    for row in tbl.tr_lst:
        for cell, width in zip(row.tc_lst, columns):
            cell.width = width


def _weighed(document: Document, table: Table, columns: list[Column],
             printed: float | None = None) -> None:
    """The columns' widths from their weights (plan.py's, as the PDF's), fitted to the
    page in the size of the document's text: no column narrower than its longest word
    (a header's, a status's) where the page can hold them all. ``printed``: the size
    the PDF prints the table's text in; where the page cannot hold every column's
    longest word in the document's size, the table's text is the largest that it can
    (in Word's half points), no smaller than the PDF's."""
    normal = document.styles["Normal"].font.size
    size = normal.pt if normal is not None else 10.5
    width = _text_width(_last_section(table._tbl.getparent(), table.part))
    least = sum(c.least for c in columns)
    if printed is not None and least * Pt(WEIGHT_UNIT * size) > width:
        size = max(printed, math.floor(2 * width / Pt(WEIGHT_UNIT * least)) / 2)
        for run in table._tbl.iter(qn("w:r")):
            Run(run, table).font.size = Pt(size)
    _widths(table, fit(columns, width / Pt(WEIGHT_UNIT * size)))


def _text_width(section: Section) -> int:
    """The width inside the page's margins."""
    return int((section.page_width or Inches(8.5)) - (section.left_margin or Inches(1))
               - (section.right_margin or Inches(1)))  # (Word's, where a template sets none)


def _fill(cell: _Cell, paragraphs: list[str], bold: bool = False, right: bool = False
          ) -> None:
    """The cell's paragraphs, the first in the one it starts with; ``right``-aligned."""
    for index, text in enumerate(paragraphs):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _text(paragraph, text, bold=bold)
    if right:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


#: A line after the status word, as status.html words it: runs of (text, bold).
Note = list[tuple[str, bool]]


def _runs(paragraph: Paragraph, runs: Note) -> None:
    for text, bold in runs:
        _text(paragraph, text, bold=bold)


def _status_cell(cell: _Cell, status: StatusDef | None, notes: list[Note],
                 no_status: str = "") -> None:
    """The status word, bold, in a cell shaded its colour ("No status" on white when
    there is none); then the notes."""
    _shade(cell, status_fill(status))
    if status is not None:
        _text(cell.paragraphs[0], status.label, bold=True)
    else:
        _text(cell.paragraphs[0], no_status)
    for note in notes:
        _runs(cell.add_paragraph(), note)


def status_notes(row: Row) -> list[Note]:
    """What status.html prints after the word: when due, how late, the direction of
    travel, what changed."""
    changed = changed_note(row)
    return head_notes(row) + ([changed] if changed is not None else [])


def head_notes(row: Row) -> list[Note]:
    """When due, how late and the direction of travel: status.html's lines before
    what changed."""
    notes = []
    if row.due_text:
        notes.append([(row.due_text, False)])
    if row.overdue_text:
        notes.append([(row.overdue_text, True)])
    if row.direction:
        notes.append(direction_note(row))
    if row.figure:
        notes.append([(row.figure, False)])
    return notes


def direction_note(row: Row, new_since: bool = True) -> Note:
    """The direction of travel: its shape, then always its words (never colour alone),
    e.g. "▲ Improved (was at risk)"; "● New since the last meeting"."""
    words = (row.direction_text if new_since else row.direction) or ""
    return [(row.direction_glyph, False), (" " + words, True)]


def changed_note(row: Row) -> Note | None:
    """New (when the direction does not already say so) or what changed, as status.html."""
    if row.new and not row.direction:
        return [(row.words.new, True), (" " + row.words.since_last_meeting, False)]
    if row.changes:
        return [(row.words.changed_since, True),
                (" " + "; ".join(row.changes), False)]
    return None


# ---------------------------------------------------------------- sections and footer

def _new_section(document: Document, landscape: bool) -> Section:
    """A page break into a section of this orientation, same paper, no first-page footer."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = section.page_width, section.page_height
    if width is not None and height is not None and (width > height) != landscape:
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.different_first_page_header_footer = False
    return section


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """One of our own fields (PAGE, NUMPAGES) as Word writes them."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            code = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
            code.text = f" {instruction} "
            run._r.append(code)
        elif kind == "text":
            run.text = shown
        else:
            run._r.append(_el("w:fldChar", fldCharType=kind))


def write_footer(document: Document, plan: ReportPlan) -> None:
    """Below whatever footer the template has: the title line and "Page N of M"."""
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    paragraphs = footer.paragraphs
    line = paragraphs[0] if len(paragraphs) == 1 and not paragraphs[0].text \
        else footer.add_paragraph()
    style = _find_style(document, "Footer", WD_STYLE_TYPE.PARAGRAPH)
    line.style = style
    _text(line, plan.footer)
    pages = footer.add_paragraph(style=style)  # type: ignore[arg-type]  # a paragraph style
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    before, between = plan.words.page_of()
    _text(pages, before)
    _field(pages, "PAGE", "1")
    _text(pages, between)
    _field(pages, "NUMPAGES", "1")
    for paragraph in (line, pages):
        for run in paragraph.runs:
            run.font.size = Pt(8.5)


# ---------------------------------------------------------------- the report, part by part

def write_masthead(document: Document, plan: ReportPlan) -> None:
    _para(document, plan.partnership, bold=True)
    if plan.provenance and plan.provenance.dirty:
        warning = _para(document, plan.words.draft, bold=True)
        _text(warning, " " + plan.words.draft_sentence)


def write_covering(document: Document, plan: ReportPlan) -> None:
    _heading(document, plan.title, 1)
    addressee = plan.addressee
    if plan.meeting_day is not None:
        addressee = joined([addressee, f", {plan.words.meeting_of} {plan.meeting_day.text}"])
    _para(document, addressee)
    if plan.also_available:
        _para(document, plan.also_available)
    for notice in plan.notices:
        _para(document, notice, bold=True)
    numbers = _new_list(document, [("decimal", "%1.")])
    style = _style(document, "List Number")
    for text in plan.paragraphs:
        _number(_para(document, text, style, ordinals=True), numbers)
    author = _para(document, plan.author)
    author.paragraph_format.space_before = Pt(24)
    author.paragraph_format.keep_with_next = True
    signed = _para(document, str(plan.signed.day))
    if plan.signed.suffix:  # English: 28th; Welsh writes no such suffix
        signed.add_run(plan.signed.suffix).font.superscript = True
    _text(signed, f" {plan.signed.month_year}")


def write_exceptions(document: Document, plan: ReportPlan) -> None:
    """What needs the committee's attention first, as exceptions.html says it: the
    intro, the off track, at risk and overdue actions with their update, those
    worse since the last meeting, and what was removed."""
    found = plan.exceptions
    if found is None:
        return
    words = plan.words
    _heading(document, words.exceptions, 1)
    intro = words.exceptions_intro(plan.as_of.text, found.statuses)
    if plan.travel:
        intro += f" {plan.travel.sentence}"
    _para(document, intro)
    if found.none:
        since = plan.travel is not None and plan.travel.since
        _para(document, words.no_exceptions(bool(since), found.statuses))
    style = _style(document, "List Paragraph")
    bullets = None
    for group in found.groups:
        heading, rows = group.heading, group.rows
        if not rows:
            continue
        _heading(document, words.counted(heading, len(rows)), 2)
        bullets = bullets or _new_list(document, [("bullet", "•")])
        for row in rows:
            _exception_item(document, row, style, bullets)
    if found.worse:
        _heading(document, words.counted(words.worse, len(found.worse)), 2)
        bullets = bullets or _new_list(document, [("bullet", "•")])
        for row in found.worse:
            assert row.status is not None  # (worse: its status ranks lower than it did)
            item = _para(document, row.ref, style, bold=True)
            _text(item, f": {words.now(row.status.value)}; ")
            _runs(item, direction_note(row, new_since=False))
            _number(item, bullets)
    if plan.travel and plan.travel.removed:
        note = _para(document, words.removed(plan.travel.removed))
        note.paragraph_format.space_before = Pt(6)


def _exception_item(document: Document, row: Row, style: BaseStyle, bullets: int) -> None:
    """One bullet: the ref, its lead and how late; its update below, indented, every
    paragraph of it (a joint action's: every lead's words)."""
    item = _para(document, row.ref, style, bold=True)
    _text(item, f" ({row.lead_label or row.words.lead}: {row.lead_codes})")
    if row.overdue_text:
        _text(item, f" {row.overdue_text}.", bold=True)
    _number(item, bullets)
    if row.update:
        item.paragraph_format.keep_with_next = True
    for index, text in enumerate(row.update):
        update = _para(document, text, style)
        update.paragraph_format.left_indent = Twips(LIST_INDENT)
        if index < len(row.update) - 1:  # the lead's words kept together on a page
            update.paragraph_format.keep_with_next = True
        for run in update.runs:
            run.font.color.rgb = MUTED


def write_table_part(document: Document, plan: ReportPlan, part: ReportPart,
                     page_break: bool) -> None:
    """A kind laid out as tables (the data requirements): its sections, each a table
    whose columns are the kind's fields."""
    heading = _heading(document, part.heading, 1)
    # On a page of their own, as in the PDF: never begun at the foot of the exceptions.
    heading.paragraph_format.page_break_before = page_break
    # Kept with the first section's heading and table: after the exceptions, never
    # left alone at the foot of their page.
    if part.intro:
        _para(document, part.intro).paragraph_format.keep_with_next = True
    # the columns' shares of the width, as the PDF's (plan.py's COLUMN_WEIGHTS)
    for section in part.sections:
        for parent in section.parents:
            _heading(document, parent.title, min(parent.level - 1, 9))
        if section.title:
            _heading(document, section.title, min(section.level - 1, 9))
        table = _table(document, [c.label for c in part.columns],
                       section.title or part.heading, section.caption)
        for row in section.rows:
            _gap_row(table, row)
        _weighed(document, table, part.columns)


def _caption(document: Document, text: str) -> None:
    """The visible caption above a table, kept on its page."""
    style = _find_style(document, "Caption", WD_STYLE_TYPE.PARAGRAPH)
    _para(document, text, style).paragraph_format.keep_with_next = True


def _gap_row(table: Table, row: Row) -> None:
    cells = table.add_row().cells
    _fill(cells[0], [row.ref], bold=True)
    for cell, planned in zip(cells[1:], row.cells, strict=True):
        if planned.is_status:
            _status_cell(cell, row.status, status_notes(row), row.words.no_status)
        elif planned.is_agencies:
            _fill(cell, [lead.code for lead in planned.leads])
        else:
            _fill(cell, planned.paragraphs)


def write_blocks_part(document: Document, plan: ReportPlan, part: ReportPart) -> None:
    """A kind laid out as blocks (the recommendations): each led by its ref and status,
    then its text, its other fields and its update."""
    _heading(document, part.heading, 1)
    if part.intro:
        _para(document, part.intro)
    for row in part.rows:
        _recommendation_head(document, row, part)
        for index, text in enumerate(row.text):
            first = part.labelled and index == 0
            line = _para(document, f"{part.title_label}: " if first else text, bold=first)
            if first:
                _text(line, text)
            line.paragraph_format.keep_with_next = True
        for cell in row.cells:
            if (cell.name in (part.title_field, part.update_field) or not cell.paragraphs
                    or cell.apart):
                continue
            line = _para(document, f"{cell.label}:", bold=True)
            _text(line, joined([" ", joined(cell.paragraphs, " ")]))
            line.paragraph_format.keep_with_next = True
        for index, text in enumerate(row.update):
            label = part.update_label + part.update_prefix
            update = _para(document, joined([label if index == 0 else "", text]), bold=True)
            update.paragraph_format.left_indent = Cm(0.5)
            update.paragraph_format.keep_with_next = index < len(row.update) - 1


def _recommendation_head(document: Document, row: Row, part: ReportPart) -> None:
    """Ref, status, due and lead on one line, a tab between each (one blank
    character, never a run of spaces: Word's checker flags repeated blanks); what
    changed since the last meeting on the line below."""
    head = _add_paragraph(document)
    head.paragraph_format.space_before = Pt(12)
    head.paragraph_format.keep_with_next = True
    ref = head.add_run(row.ref)
    ref.bold, ref.font.size = True, Pt(12)
    _text(head, "\t")
    if part.labelled and part.status_label:
        _text(head, f"{part.status_label}:")
    if row.status is not None:
        status = head.add_run(f" {row.status.label} ")
        status.bold = True
        _shade(status, status_fill(row.status))
    elif part.status_label:  # a kind with a status field, this item without one
        _text(head, f" {row.words.no_status}")
    changed = changed_note(row)
    for note in head_notes(row):
        _text(head, "\t")
        _runs(head, note)
    if row.leads:
        _text(head, f"\t{part.lead_label}: " + ", ".join(lead.code for lead in row.leads))
    if changed is not None:
        line = _add_paragraph(document)
        line.paragraph_format.keep_with_next = True
        _runs(line, changed)


def write_changes(document: Document, plan: ReportPlan) -> None:
    if plan.since is None:
        return
    _heading(document, plan.words.changes, 1)
    _para(document, plan.words.compared_with(plan.since_words))
    if not plan.changes:
        _para(document, plan.words.nothing_changed)
        return
    bullets = _new_list(document, [("bullet", "•"), ("bullet", "–")])
    style = _style(document, "List Paragraph")
    for change in plan.changes:
        item = _para(document, change.ref, style, bold=True)
        _text(item, f" {change.kind}: {change.change}")
        _number(item, bullets)
        for line in change.summaries:
            _number(_para(document, line, style), bullets, level=1)


def write_summary(document: Document, plan: ReportPlan) -> None:
    summary = plan.summary
    words = plan.words
    _heading(document, words.summary, 1)
    header = [words.lead, *(s.label for s in summary.statuses), words.total]
    table = _table(document, header, words.summary, words.summary_caption)
    for cell, status in zip(table.rows[0].cells[1:], summary.statuses):
        _shade(cell, status_fill(status))
    for line in [*summary.by_lead, summary.overall]:
        bold = line is summary.overall
        cells = table.add_row().cells
        _fill(cells[0], [line.name], bold=True)
        for cell, number in zip(cells[1:], [*line.counts, line.total]):
            _fill(cell, [str(number)], bold=bold, right=True)
    _weighed(document, table, summary.columns)  # each as wide as its words, as the PDF's
    if plan.status_note:
        _para(document, plan.status_note).paragraph_format.space_before = Pt(6)
    note = words.several_leads
    if summary.no_lead:
        note += " " + words.no_lead(summary.no_lead)
    _para(document, note).paragraph_format.space_before = Pt(6)
    write_overdue(document, plan)
    write_agencies(document, plan)


def write_overdue(document: Document, plan: ReportPlan) -> None:
    words = plan.words
    heading = words.overdue_as_at(plan.as_of.text)
    _heading(document, heading, 2)
    if not plan.overdue:
        _para(document, words.none_overdue(plan.as_of.text))
        return
    header = (words.ref, words.lead, words.due, words.days_overdue, words.status)
    table = _table(document, header, heading, words.overdue_caption)
    for late in plan.overdue:
        cells = table.add_row().cells
        _fill(cells[0], [late.ref], bold=True)
        _fill(cells[1], [", ".join(late.lead) or words.partnership])
        _fill(cells[2], [words.deadline(late.due)])  # in the edition's language
        _fill(cells[3], [str(late.days_overdue)])
        _status_cell(cells[4], late.status, [])
    _widths(table, (10, 30, 22, 16, 22))


def write_agencies(document: Document, plan: ReportPlan) -> None:
    _heading(document, plan.words.lead_agencies, 2)
    for code, name in plan.agencies.items():
        line = _para(document, code, bold=True)
        line.paragraph_format.tab_stops.add_tab_stop(Cm(2.5))
        line.paragraph_format.space_after = Pt(2)
        _text(line, joined(["\t", name]))


def write_progress(document: Document, plan: ReportPlan) -> None:
    """Progress across meetings, as progress.html: the heading, the chart as a
    picture (painted from the same layout, its text alternative as the picture's
    description) with that text as its caption, then the numbers of the chart as a
    table; or the one sentence saying why there is no chart."""
    view = plan.progress
    if view is None:
        return
    if not view.shown:
        _para(document, view.note or "").paragraph_format.space_before = Pt(12)
        return
    words = plan.words
    _heading(document, words.progress, 1)
    chart = view.chart
    if chart is None:
        _para(document, view.note or "")
        return
    _chart_picture(document, chart)
    _caption(document, chart.description)
    header = [words.meeting, words.date, *(s.label for s in view.statuses), words.total,
              words.overdue]
    table = _table(document, header, words.progress, words.progress_caption)
    for cell, status in zip(table.rows[0].cells[2:], view.statuses):
        _shade(cell, status_fill(status))
    for name, point in view.rows:
        cells = table.add_row().cells
        _fill(cells[0], [name], bold=True)
        _fill(cells[1], [words.long_date(point.day)])
        numbers = [point.counts[s] for s in view.statuses] + [point.items, point.overdue]
        for cell, number in zip(cells[2:], numbers):
            _fill(cell, [str(number)], right=True)
    if plan.progress_table is not None:  # each column as wide as its words, as the PDF's
        _weighed(document, table, plan.progress_table.columns, plan.progress_table.size)
    _para(document, words.progress_note(view.max_bars)).paragraph_format.space_before = Pt(6)


def _chart_picture(document: Document, chart) -> None:
    """The chart as a PNG the width of the text, described by its text alternative
    (wp:docPr descr, what Word's Alt Text pane shows) and kept with its caption."""
    from .chart_picture import chart_png

    section = _last_section(document.element.body, document.part)
    width = _text_width(section)
    if section.orientation == WD_ORIENT.LANDSCAPE:  # with a wide table: as the PDF's
        width = min(width, LANDSCAPE_CHART)
    paragraph = _add_paragraph(document)
    paragraph.paragraph_format.keep_with_next = True
    shape = paragraph.add_run().add_picture(io.BytesIO(chart_png(chart)), width=Length(width))
    properties = shape._inline.docPr
    properties.set("name", chart.title)
    properties.set("descr", chart.description)


def write_figures(document: Document, plan: ReportPlan) -> None:
    """Crime and disorder, as figures.html: the quarter's table, the notes, the
    indicators against their targets, then the chart's text alternative and its
    numbers as a table (Word gets no picture of the chart)."""
    view = plan.figures
    if view is None:
        return
    words = view.words
    _heading(document, view.heading, 1)
    for line in view.intro:
        _para(document, line)
    if view.rows:
        header = [words.crime_type, view.period or words.quarter, words.same_quarter,
                  words.change, words.percent_change, words.direction, words.last_12,
                  words.before_12]
        if view.has_rates:
            header.append(words.rate)
        table = _table(document, header, view.heading, view.caption)
        for row in view.rows:
            cells = table.add_row().cells
            bold = row.kind == "total"
            _fill(cells[0], [row.label], bold=True)
            values = [number_text(row.count), number_text(row.last_year), row.change_text,
                      row.percent_text, number_text(row.rolling),
                      number_text(row.rolling_before), row.rate or "–"]
            # (the rate only where the table has its column)
            for cell, value in zip(cells[1:5] + cells[6:], values):
                _fill(cell, [value], bold=bold, right=True)
            _runs(cells[5].paragraphs[0], _direction(row.direction))
        if plan.crime_table is not None:  # each column as wide as its words, as the PDF's
            _weighed(document, table, plan.crime_table.columns, plan.crime_table.size)
    for line in view.notes:
        _para(document, line).paragraph_format.space_before = Pt(4)
    if view.indicators:
        _heading(document, words.indicators, 2)
        _para(document, view.indicator_intro or "")
        header = [words.indicator, words.quarter, words.same_quarter, words.direction,
                  words.target, words.against_target, words.baseline, words.source]
        table = _table(document, header, words.indicators, words.indicators_caption)
        for item in view.indicators:
            cells = table.add_row().cells
            _fill(cells[0], [item.name], bold=True)
            if item.note:
                _text(cells[0].add_paragraph(), item.note, italic=True)
            for cell, value in zip(cells[1:3], (item.value, item.last_year)):
                _fill(cell, [value])
            _runs(cells[3].paragraphs[0], _direction(item.direction))
            _fill(cells[4], [item.target])
            _fill(cells[5], [item.status], bold=item.status_kind != "none")
            _fill(cells[6], [item.baseline])
            _fill(cells[7], [item.source])
        if plan.indicators_table is not None:
            _weighed(document, table, plan.indicators_table.columns,
                     plan.indicators_table.size)
    elif view.indicator_intro:
        _para(document, view.indicator_intro)
    if view.chart is not None:
        _heading(document, words.by_month, 2)
        _caption(document, view.chart.description)
        table = _table(document, [words.month_heading, words.all_crime], words.by_month,
                       words.by_month_caption)
        for month, count in view.months:
            cells = table.add_row().cells
            _fill(cells[0], [month], bold=True)
            _fill(cells[1], [count], right=True)
        _widths(table, (60, 40))
    elif view.chart_note:
        _para(document, view.chart_note)


def _direction(direction) -> Note:
    """The shape, then always the words: "▼ Down 12% (better)"."""
    if not direction.glyph:
        return [(direction.text, False)]
    return [(direction.glyph, False), (" " + direction.text, True)]


def write_colophon(document: Document, plan: ReportPlan) -> None:
    """Where the report came from, in the plan's own sentences."""
    for index, text in enumerate(plan.colophon):
        paragraph = _para(document, text)
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(24)
        for run in paragraph.runs:
            run.font.size = Pt(8.5)


def write_docx(plan: ReportPlan, target: Path, template: Path | None = None) -> None:
    """The whole report as a Word document: covering page and blocks in portrait, each
    table on the page its part asks for (plan.py's Part.page: landscape when wide)."""
    document = open_template(template)
    set_language(document, word_language(plan.language))
    set_properties(document, plan)
    write_footer(document, plan)
    write_masthead(document, plan)
    write_covering(document, plan)
    # the exceptions open the first part's pages: landscape where its table needs them
    landscape = bool(plan.parts) and plan.parts[0].page == "landscape"
    _new_section(document, landscape=landscape)
    write_exceptions(document, plan)
    first = True
    for part in plan.parts:  # each on its page: wide tables landscape, the rest portrait
        turned = (part.page == "landscape") != landscape
        if turned:
            _new_section(document, landscape=not landscape)
            landscape = not landscape
        if part.blocks:
            write_blocks_part(document, plan, part)
        else:  # a new section is a new page; otherwise a page break
            write_table_part(document, plan, part, page_break=not turned
                             and (not first or plan.exceptions is not None))
        first = False
    # the summary on the page its columns need (plan.py's Summary.page): a landscape
    # one of its own, the colophon after it unless figures or progress come between
    wide = plan.summary.page == "landscape"
    if landscape and (plan.since is not None or not wide):
        _new_section(document, landscape=False)
    write_changes(document, plan)
    if wide:
        _new_section(document, landscape=True)
    write_summary(document, plan)
    # the figures and the progress table each on the page its tables need (plan.py's
    # lay_out_figures, lay_out_progress)
    progress = plan.progress_table.page if plan.progress_table is not None else "portrait"
    for page, write in (((plan.figures_page if plan.figures is not None else None),
                         write_figures),
                        (progress if plan.progress is not None else None, write_progress)):
        if page is not None and (page == "landscape") != wide:
            wide = page == "landscape"
            _new_section(document, landscape=wide)
        write(document, plan)
    write_colophon(document, plan)
    keep_together(document)
    conform(document)
    document.save(str(target))


# ---------------------------------------------------------------- layout and schema

def keep_together(document: Document) -> None:
    """Pages as the PDF breaks them: every table row kept whole on its page (Word and
    LibreOffice still split a row taller than a page), the header row kept with the
    first row under it, the last row with the one before it, and every heading and
    every paragraph just before a table (an intro, a caption) kept with what follows."""
    body = document.element.body
    blocks = list(body.iterchildren(qn("w:p"), qn("w:tbl")))
    headings = _lookups(document).headings
    for block, after in zip(blocks, [*blocks[1:], None]):
        if block.tag == qn("w:tbl"):
            for index, row in enumerate(block.tr_lst):
                trpr = row.get_or_add_trPr()
                if trpr.find(qn("w:cantSplit")) is None:
                    trpr.insert_element_before(OxmlElement("w:cantSplit"), "w:trHeight",
                                               "w:tblHeader", "w:tblCellSpacing", "w:jc",
                                               "w:hidden", "w:ins", "w:del", "w:trPrChange")
                # the header with the first row, and the last row never alone on a page
                # (with the one before it), as the PDF's tables (report.css)
                if index in (0, len(block.tr_lst) - 2) and len(block.tr_lst) > 1:
                    for paragraph in row.iter(qn("w:p")):
                        # (no parent: only its format is set)
                        Paragraph(paragraph, None).paragraph_format.keep_with_next = True  # type: ignore[arg-type]
            continue
        paragraph = Paragraph(block, document._body)
        if after is None:
            continue
        if after.tag != qn("w:tbl"):
            style_id = block.style
            if style_id not in headings:
                headings[style_id] = _is_heading(paragraph)
            if not headings[style_id]:
                continue
        paragraph.paragraph_format.keep_with_next = True


def _is_heading(paragraph: Paragraph) -> bool:
    style = paragraph.style
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.find(qn("w:outlineLvl")) is not None:
            return True
        if style.name and style.name.lower().startswith("heading"):
            return True
        style = style.base_style
    return False


def conform(document: Document) -> None:
    """Parts as ISO/IEC 29500 and Word expect them, whatever the template brought:
    w:zoom carries the w:percent the schema requires; a theme part (Word's documents
    have one, a LibreOffice one may not); and no stale stylesWithEffects.xml (Word
    2010's copy of the styles, which no longer matches styles.xml once the report's
    styles are set and which Word then reads as damaged; Word writes a fresh one)."""
    settings = document.settings.element
    for zoom in settings.findall(qn("w:zoom")):
        if zoom.get(qn("w:percent")) is None:
            zoom.set(qn("w:percent"), "100")
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            part.drop_rel(rid)
    if not any(rel.reltype == RT.THEME for rel in part.rels.values()):
        # A template saved by LibreOffice has no theme, which Word's documents carry:
        # python-docx's default one (Office's), which no style of such a template names.
        default = docx.Document().part.part_related_by(RT.THEME)
        theme = Part(PackURI("/word/theme/theme1.xml"), CT.OFC_THEME, default.blob,
                     part.package)
        part.relate_to(theme, RT.THEME)
