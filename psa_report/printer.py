"""Stage 5, print: WeasyPrint turns the report's HTML into a PDF.

This is the only module that imports WeasyPrint (about 1.3 s on its own), and
only ``build`` imports this module.

WeasyPrint is given a URL fetcher that loads nothing but files inside the
template folders (and ``data:`` URLs, which carry their content inline).  Any
other URL, whether ``http:``, ``ftp:`` or a ``file:`` outside the templates,
stops the build with a clear message: no text or template can make the report
reach the network or read other files.

Printing runs under the render's budget (:mod:`psa_report.render`): a template can
write a page that renders in the budget but would take WeasyPrint hours and
gigabytes to lay out (300,000 paragraphs, 20,000 nested boxes, one word of 200,000
letters).  So before WeasyPrint sees the HTML it is measured, at C speed: at most
:data:`MAX_PRINT_ELEMENTS` elements, nested at most :data:`MAX_PRINT_DEPTH` deep, no
word longer than :data:`psa_report.chars.MAX_WORD` letters; then WeasyPrint runs
under the render's memory cap and (in the main thread, on Unix) a deadline of
:data:`psa_report.render.PRINT_TIME_BUDGET` seconds.  Each ends as a message.

WeasyPrint hyphenates a word (``hyphens: auto``) with pyphen's dictionary of the
element's ``lang``; pyphen has none for Welsh, so the hyphenation patterns psa-report
ships (``psa_report/hyphenation/``: Welsh, hyph-utf8's, under the MIT licence) are
registered with pyphen before printing, for the languages pyphen lacks only.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import pyphen
from weasyprint import HTML
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from . import render
from .chars import MAX_WORD
from .problems import BadOption, Invalid, Problem

DEFAULT_VARIANT = "pdf/ua-1"
#: Most elements a printed report may hold: the shipped report has about 450, a
#: plan of 3,000 actions about 57,000 (and prints in two or three minutes).
MAX_PRINT_ELEMENTS = 150_000
#: Deepest nesting of elements: the shipped report's is 13; WeasyPrint fails (its own
#: code calling itself too deep) somewhere past 200.
MAX_PRINT_DEPTH = 100
_START_TAG = re.compile(r"<[A-Za-z]")
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))  # noqa: UP031 (regex braces)
#: Hyphenation dictionaries (pyphen's format, ``hyph_<language>.dic``) for languages
#: pyphen has none for: Welsh's (see the LICENCE file there).
HYPHENATION = Path(__file__).resolve().parent / "hyphenation"
_FIX = ("look at the loops in your project's templates/ folder (or remove the folder "
        "to use the shipped templates)")


def _too_big(what: str) -> Invalid:
    return Invalid([Problem("templates/", None, None,
        f"refused to print: the templates made a report {what}; {_FIX}")])


def check_printable(html: str) -> None:
    """Refuse a page WeasyPrint could not print in time or in memory (see the module's
    docstring), before it parses it: its parser alone takes minutes over deep nesting."""
    elements = sum(1 for _ in _START_TAG.finditer(html))  # at most this many
    if elements > MAX_PRINT_ELEMENTS:
        raise _too_big(f"of about {elements:,} elements (paragraphs, cells, boxes), too "
                       f"large to print: the limit is {MAX_PRINT_ELEMENTS:,} (a plan of "
                       "3,000 actions makes about 57,000)")
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return  # nothing to measure (an empty page): WeasyPrint prints it blank
    depth = 0
    # iterwalk is not recursive; libxml2 itself stops nesting at 256 levels.
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > MAX_PRINT_DEPTH:
            raise _too_big(f"with elements nested more than {MAX_PRINT_DEPTH} deep (a "
                           "box in a box in a box...), which the printer cannot lay out")
        texts: tuple[str | None, ...]
        if element.tag in ("style", "script") or not isinstance(element.tag, str):
            texts = (element.tail,)
        else:
            texts = (element.text, element.tail)
        for text in texts:
            if text and len(text) > MAX_WORD and (long := _LONG_WORD.search(text)):
                raise _too_big(
                    f"holding a word of {len(long[0]):,} letters with no space in it "
                    f"({long[0][:20]!r}...), longer than the {MAX_WORD:,} a printed line "
                    "can break, and which would take the printer many minutes")


def register_hyphenation() -> list[str]:
    """Make pyphen (and so WeasyPrint, which looks a ``lang`` up with
    ``pyphen.language_fallback``) know the languages of :data:`HYPHENATION` it has no
    dictionary for; a language pyphen has (English) keeps its own. The languages added."""
    added = []
    for path in sorted(HYPHENATION.glob("hyph_*.dic")):
        code = path.name[len("hyph_"):-len(".dic")]
        if pyphen.language_fallback(code) is None:
            pyphen.LANGUAGES[code] = path
            pyphen.LANGUAGES_LOWERCASE[code.lower()] = code
            added.append(code)
    return added


def _page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf's ``PDF.page_references`` (``b"12 0 R"`` for each page), made once for each
    number of pages. WeasyPrint's tagging (``weasyprint/pdf/tags.py``) reads it for every
    structure element it makes, and pydyf builds the tuple of all the pages each time:
    time growing with the elements times the pages, the quadratic part of a tagged
    print (a 1,500-action plan: 17.6 s to write the PDF, 12.5 s with this; the same
    bytes). Pages are only ever added (``PDF.add_page``), so the count says whether the
    tuple kept is still the one pydyf would build."""
    kids = pdf.pages["Kids"]
    held = pdf.__dict__.get("_psa_page_references")
    if held is None or held[0] != len(kids):
        held = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_psa_page_references"] = held
    return held[1]


#: pydyf's own, kept for the test that the print is the same with either
PYDYF_PAGE_REFERENCES = pydyf.PDF.page_references
pydyf.PDF.page_references = property(_page_references)


def _language_of(box) -> str:
    """The language of the HTML element a box was made from (its ``lang``, inherited:
    WeasyPrint's computed ``lang``), lower case; "" when none is given."""
    style = getattr(box, "style", None)
    try:
        found = style["lang"] if style is not None else None
    except (KeyError, TypeError):
        found = None
    return str(found).lower() if found else ""


def _box_tree_with_languages(box, parent, pdf, *rest):
    """WeasyPrint's ``weasyprint.pdf.tags._build_box_tree``, noting the language of the
    box each structure element is made from, for :func:`mark_languages`.

    WeasyPrint makes one structure element for a box (or none, for the page, ``<html>``
    and ``<body>``, whose children's elements it passes up), calling itself, through its
    module's name, for each child box; an element passed up was noted by the call that
    made it, so an element not yet noted is this box's. The tag tree is not changed."""
    noted = pdf.__dict__.setdefault("_psa_languages", {})
    for element in _WEASYPRINT_BOX_TREE(box, parent, pdf, *rest):
        if id(element) not in noted:
            noted[id(element)] = (element, _language_of(box))
        yield element


#: WeasyPrint's own, which :func:`_box_tree_with_languages` wraps
_WEASYPRINT_BOX_TREE = weasyprint_tags._build_box_tree
weasyprint_tags._build_box_tree = _box_tree_with_languages


class _PrintTooSlow(BaseException):
    """Raised by the print's alarm: a BaseException, so no ``except Exception`` in
    WeasyPrint swallows it."""


@contextmanager
def _deadline(seconds: float):
    """SIGALRM after ``seconds`` (only the main thread can take a signal; elsewhere, as
    in ``serve``, the other bounds must do)."""
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise _PrintTooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TemplateOnlyFetcher(URLFetcher):
    """Serve files from the template folders (project's first); refuse everything else."""

    def __init__(self, dirs: list[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                         fail_on_errors=True, timeout=1)
        self.dirs = [d.resolve() for d in dirs]
        #: the last URL not served, and why: "refused" (outside) or "missing"
        self.failure: tuple[str, str] | None = None

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            relative = next((path.relative_to(d) for d in self.dirs
                             if path.is_relative_to(d)), None)
            if relative is not None:
                for d in self.dirs:  # file by file: the project's own copy wins
                    if (d / relative).is_file():
                        return super().fetch((d / relative).as_uri(), headers)
                self.failure = (relative.as_posix(), "missing")
                raise FileNotFoundError(relative.as_posix())
        self.failure = (url, "refused")
        raise ValueError(f"refused to load {url}")


def add_header_scope(document, pdf) -> None:
    """Give every table header cell its /Scope, which WeasyPrint leaves out (#2508).

    Screen readers use /Scope to announce the header with each cell.  A header
    in a THead row heads its column; one in a TBody or TFoot row heads its row
    (as ``<th scope="row">`` does in the templates).
    """
    def parent(element):
        reference = element.get("P")
        return pdf.objects[int(reference.split()[0])] if reference else None

    for element in pdf.objects:
        if not isinstance(element, dict) or element.get("S") != "/TH":
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
        attributes["Scope"] = scope


def merge_split_tables(document, pdf) -> None:
    """One /Table in the structure tree for each table of the HTML.

    WeasyPrint tags each page's part of a table as a table of its own, with the
    repeated header row as a second header: a screen reader would meet one table per
    page.  Every table in the report has a caption, so a /Table without one is the
    continuation of the table before it: its rows are moved into that table's body,
    its repeated header becomes a pagination artifact (PDF/UA), its cells' /Headers
    point at the first table's header cells, and its now empty wrappers go.
    """
    tree = _tree(pdf)
    if tree is None:  # an untagged variant (PDF/A-3b, ...)
        return
    obj, kids, root = tree
    tables: list[pydyf.Dictionary] = []

    def walk(element):
        for reference in kids(element):
            child = obj(reference)
            if not isinstance(child, dict):
                continue
            if child.get("S") == "/Table":
                tables.append(child)
            else:
                walk(child)

    walk(root)
    nums = obj(root["ParentTree"])["Nums"]
    mapping = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    pages = {ref: index for index, ref in enumerate(pdf.page_references)}
    body_rows = _body_rows_by_page(document)
    seen_on_page: dict[int | None, int] = {}
    first = None
    last_row = None  # the HTML row that ended the table's previous part
    for table in tables:
        page = pages.get(table.get("Pg"))
        index = seen_on_page.get(page, 0)
        seen_on_page[page] = index + 1
        rows = (body_rows[page][index] if page is not None and page < len(body_rows)
                and index < len(body_rows[page]) else [])
        parts = [obj(r) for r in kids(table)]
        if any(part.get("S") == "/Caption" for part in parts) or first is None:
            first, last_row = table, (rows[-1] if rows else None)
            continue
        if rows and last_row is not None and rows[0] is last_row:
            # A row split over the page: its cells' second halves join the first.
            _join_split_row(first, parts, obj, kids, pdf.page_references[page], page,
                            mapping)
        if rows:
            last_row = rows[-1]
        ids = _header_ids(first, obj, kids)
        renamed: dict[bytes, object] = {}
        for part in parts:
            if part.get("S") == "/THead":
                for position, cell_id in enumerate(_header_ids_of(part, obj, kids)):
                    if position < len(ids):
                        renamed[_key(cell_id)] = ids[position]
                _make_artifact(part, obj, kids, pages, mapping, pdf)
            else:
                target = next((obj(r) for r in reversed(kids(first))
                               if obj(r).get("S") == part.get("S")), None)
                if target is None:
                    first["K"].append(part.reference)
                    part["P"] = first.reference
                    continue
                for row in kids(part):
                    target["K"].append(row)
                    obj(row)["P"] = target.reference
        _rename_headers(table, obj, kids, renamed)
        _remove(table, obj, kids, root)


def _body_rows_by_page(document) -> list[list[list]]:
    """For each page, for each table on it in order, the HTML rows of its body there."""
    from weasyprint.formatting_structure import boxes

    found = []
    for page in document.pages:
        tables: list[list] = []

        def walk(box):
            if isinstance(box, boxes.TableBox):
                tables.append([row.element for group in box.children  # noqa: B023
                               if not (group.is_header or group.is_footer)  # (walk runs
                               for row in group.children])  # within its own loop turn)
                return
            for child in getattr(box, "children", ()):
                walk(child)

        walk(page._page_box)
        found.append(tables)
    return found


def _join_split_row(first, parts, obj, kids, page_reference, page, mapping) -> None:
    """Move the first body row of a table's later part into the last row of ``first``,
    cell by cell: its marked content becomes references from the other page."""
    bodies = [obj(r) for r in kids(first) if obj(r).get("S") == "/TBody"]
    later = next((p for p in parts if p.get("S") == "/TBody"), None)
    if not bodies or later is None or not kids(bodies[-1]) or not kids(later):
        return
    target_row, source_row = obj(kids(bodies[-1])[-1]), obj(kids(later)[0])
    for target, source in zip([obj(r) for r in kids(target_row)],
                              [obj(r) for r in kids(source_row)]):
        found = source.get("K")
        items = found if isinstance(found, list) else [found] if found is not None else []
        if not isinstance(target.get("K"), list):
            target["K"] = pydyf.Array([] if target.get("K") is None else [target["K"]])
        for item in items:
            if isinstance(item, int):
                target["K"].append(pydyf.Dictionary(
                    {"Type": "/MCR", "Pg": page_reference, "MCID": item}))
                if page in mapping and item < len(mapping[page]):
                    mapping[page][item] = target.reference
            else:
                target["K"].append(item)
                obj(item)["P"] = target.reference
    later["K"] = pydyf.Array(kids(later)[1:])


def _key(value) -> bytes:
    """A header cell's ID as bytes, whichever pydyf type holds it."""
    return value.data if hasattr(value, "data") else bytes(str(value), "utf-8")


def _header_ids(table, obj, kids) -> list:
    heads = [obj(r) for r in kids(table) if obj(r).get("S") == "/THead"]
    return _header_ids_of(heads[0], obj, kids) if heads else []


def _header_ids_of(head, obj, kids) -> list:
    return [obj(cell).get("ID") for row in kids(head) for cell in kids(obj(row))
            if obj(cell).get("S") == "/TH"]


def _rename_headers(element, obj, kids, renamed: dict[bytes, object]) -> None:
    attributes = element.get("A")
    if isinstance(attributes, dict) and "Headers" in attributes:
        attributes["Headers"] = pydyf.Array(
            [renamed.get(_key(h), h) for h in attributes["Headers"]])
    for reference in kids(element):
        _rename_headers(obj(reference), obj, kids, renamed)


def _make_artifact(element, obj, kids, pages, mapping, pdf) -> None:
    """Mark the content of ``element`` (and below) as a pagination artifact."""
    page = pages.get(element.get("Pg"))
    found = element.get("K")
    items = found if isinstance(found, list) else [found]
    mcids = [k for k in items if isinstance(k, int)]
    if mcids and page is not None:
        stream = obj(obj(pdf.page_references[page])["Contents"])
        for index, item in enumerate(stream.stream):
            if isinstance(item, dict) and item.get("MCID") in mcids and index > 0:
                stream.stream[index - 1] = "/Artifact"
                stream.stream[index] = pydyf.Dictionary({"Type": "/Pagination"})
        for mcid in mcids:
            if page in mapping and mcid < len(mapping[page]):
                mapping[page][mcid] = b"null"
    for reference in kids(element):
        _make_artifact(obj(reference), obj, kids, pages, mapping, pdf)


def _remove(element, obj, kids, root) -> None:
    """Take ``element`` out of its parent, and any wrapper left empty by that."""
    parent = obj(element["P"])
    parent["K"] = pydyf.Array([k for k in kids(parent) if k != element.reference]
                              + [k for k in (parent.get("K") or []) if isinstance(k, int)])
    if parent is not root and parent.get("S") != "/Document" and not parent["K"]:
        _remove(parent, obj, kids, root)


def _tree(pdf):
    """(obj, kids, root) for walking the structure tree, or None for an untagged PDF."""
    if "StructTreeRoot" not in pdf.catalog:
        return None

    def obj(reference):
        return pdf.objects[int(reference.split()[0])]

    def kids(element):
        """The references among an element's kids (the others are MCIDs)."""
        found = element.get("K")
        if found is None:
            return []
        items = found if isinstance(found, list) else [found]
        return [k for k in items if isinstance(k, (bytes, str))]

    return obj, kids, obj(pdf.catalog["StructTreeRoot"])


def _elements(root, obj, kids):
    """Every structure element reachable from the root, parents before children."""
    found, stack = [], list(reversed(kids(root)))
    while stack:
        element = obj(stack.pop())
        if isinstance(element, dict) and "S" in element:
            found.append(element)
            stack.extend(reversed(kids(element)))
    return found


def standard_lists(document, pdf) -> None:
    """Lists in the standard structure, L > LI > Lbl + LBody (ISO 32000-1, 14.8.4.3.3;
    PDF/UA: every LI's parent is an L).

    WeasyPrint tags a ``<dl>`` as L, each ``<div>`` in it as Div and each ``<dt>`` and
    ``<dd>`` as an LI of its own: the Div becomes the LI, the term's body its Lbl and
    the description's its LBody.  In a ``<li>``, a block after the marker and the text
    (the exceptions' update paragraph) becomes part of the item's LBody.
    """
    tree = _tree(pdf)
    if tree is None:
        return
    obj, kids, root = tree
    for element in _elements(root, obj, kids):
        if element.get("S") == "/L":
            for reference in kids(element):
                child = obj(reference)
                items = [obj(k) for k in kids(child)]
                if child.get("S") != "/Div" or not items or \
                        any(item.get("S") != "/LI" for item in items):
                    continue
                child["S"] = "/LI"
                parts = []
                for position, item in enumerate(items):
                    for body in (obj(k) for k in kids(item)):
                        if position == 0 and body.get("S") == "/LBody":
                            body["S"] = "/Lbl"
                        body["P"] = child.reference
                        parts.append(body.reference)
                child["K"] = pydyf.Array(parts)
        elif element.get("S") == "/LI":
            parts = [obj(k) for k in kids(element)]
            bodies = [part for part in parts if part.get("S") == "/LBody"]
            strays = [part for part in parts if part.get("S") not in ("/Lbl", "/LBody")]
            if not bodies or not strays:
                continue
            body = bodies[-1]
            if not isinstance(body.get("K"), list):
                body["K"] = pydyf.Array([] if body.get("K") is None else [body["K"]])
            for stray in strays:
                body["K"].append(stray.reference)
                stray["P"] = body.reference
            element["K"] = pydyf.Array(
                [k for k in (element.get("K") or []) if not isinstance(k, (bytes, str))
                 or obj(k) not in strays])


def running_content_as_artifacts(document, pdf) -> None:
    """Marked content that no element of the structure tree claims becomes a
    pagination artifact (PDF/UA: content is either real content, in the tree, or an
    artifact).  That is what the page margins hold: the running footer, "Page N of M"
    and the "continued" line at the top of a page that starts inside a table, which
    WeasyPrint tags as elements outside the tree."""
    tree = _tree(pdf)
    if tree is None:
        return
    obj, kids, root = tree
    claimed: set[tuple[bytes, int]] = set()
    for element in _elements(root, obj, kids):
        found = element.get("K")
        for item in found if isinstance(found, list) else [found]:
            if isinstance(item, int) and not isinstance(item, bool):
                claimed.add((bytes(element.get("Pg") or b""), item))
            elif isinstance(item, dict) and item.get("Type") == "/MCR":
                claimed.add((bytes(item.get("Pg") or element.get("Pg") or b""),
                             item["MCID"]))
    nums = obj(root["ParentTree"])["Nums"]
    mapping = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for index, page_reference in enumerate(pdf.page_references):
        page = obj(page_reference)
        stream = obj(page["Contents"])
        for position, item in enumerate(stream.stream):
            if not (isinstance(item, dict) and "MCID" in item and position > 0):
                continue
            mcid = item["MCID"]
            if (bytes(page_reference), mcid) in claimed:
                continue
            stream.stream[position - 1] = "/Artifact"
            stream.stream[position] = pydyf.Dictionary({"Type": "/Pagination"})
            if index in mapping and mcid < len(mapping[index]):
                mapping[index][mcid] = b"null"


def add_id_tree(document, pdf) -> None:
    """The /IDTree the structure tree root needs when its elements carry /ID (ISO
    32000-1, 14.7.2): a name tree from each ID to its element.  WeasyPrint gives every
    table header cell an ID, which data cells name in /Headers."""
    tree = _tree(pdf)
    if tree is None:
        return
    obj, kids, root = tree
    named = {_key(e["ID"]): e for e in _elements(root, obj, kids) if "ID" in e}
    if not named:
        return
    names = pydyf.Array()
    for key in sorted(named, key=_string_bytes):  # a name tree's keys in byte order
        names.extend([named[key]["ID"], named[key].reference])
    id_tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(id_tree)
    root["IDTree"] = id_tree.reference


def _string_bytes(key: bytes) -> bytes:
    """The bytes a PDF string literal as pydyf writes it, ``(...)``, stands for."""
    if key.startswith(b"(") and key.endswith(b")"):
        return key[1:-1].replace(b"\\(", b"(").replace(b"\\)", b")")
    return key


def mark_languages(document, pdf) -> None:
    """Each structure element made from an HTML element in another language than the
    one around it (``<span lang="en">`` in the Welsh edition) carries that language,
    ``/Lang (en)``, so a screen reader reads it as such (ISO 32000-1, 14.9.2: an
    element's /Lang holds for all below it; the document's, in the catalog, for all).
    WeasyPrint writes the catalog's alone. Run last, on the tree as the steps before
    left it: only where the language changes, so no other element has a /Lang."""
    tree = _tree(pdf)
    noted = pdf.__dict__.pop("_psa_languages", {})
    if tree is None or not noted:
        return
    obj, kids, root = tree
    language = pdf.catalog.get("Lang")
    outer = str(getattr(language, "string", "") or "").lower()
    stack = [(obj(reference), outer) for reference in reversed(kids(root))]
    while stack:
        element, around = stack.pop()
        if not isinstance(element, dict) or "S" not in element:
            continue
        found = noted.get(id(element))
        own = found[1] if found is not None and found[0] is element and found[1] else around
        if own != around:
            element["Lang"] = pydyf.String(own)
        stack.extend((obj(reference), own) for reference in reversed(kids(element)))


def relative_file_links(document, pdf) -> None:
    """A link to a file beside the report (the cover's link to the edition in the other
    language, written relative in the HTML) points at that file by its name: WeasyPrint
    resolves it against the templates folder, which would put that folder's absolute
    path in the paper and a link that leads nowhere. A PDF is opened with GoTo-remote
    (beside this one, never run); another file by its name alone."""
    for found in pdf.objects:
        if not (isinstance(found, dict) and found.get("Subtype") == "/Link"):
            continue
        action = found.get("A")
        if not (isinstance(action, dict) and action.get("S") == "/URI"):
            continue
        target = action.get("URI")
        text = getattr(target, "string", target)
        if not (isinstance(text, str) and text.lower().startswith("file:")):
            continue
        name = unquote(urlsplit(text).path).rsplit("/", 1)[-1]
        if name.lower().endswith(".pdf"):
            found["A"] = pydyf.Dictionary({"Type": "/Action", "S": "/GoToR",
                                           "F": pydyf.String(name),
                                           "D": pydyf.Array([0, "/Fit"]),
                                           "NewWindow": "true"})
        else:
            action["URI"] = pydyf.String(name)


def finish(document, pdf) -> None:
    relative_file_links(document, pdf)
    add_header_scope(document, pdf)
    merge_split_tables(document, pdf)
    standard_lists(document, pdf)
    running_content_as_artifacts(document, pdf)
    add_id_tree(document, pdf)
    mark_languages(document, pdf)


def base_url(dirs: list[Path]) -> str:
    """Relative URLs in templates resolve inside the first template folder."""
    return dirs[0].as_uri() + "/"


def write_pdf(html: str, target: Path, dirs: list[Path], *, variant: str = DEFAULT_VARIANT,
              identifier: bytes | None = None) -> None:
    """Render ``html`` to the PDF file ``target`` (written by the caller's temp path),
    within the print's budget (see the module's docstring)."""
    check_printable(html)
    register_hyphenation()
    fetcher = TemplateOnlyFetcher(dirs)
    # WeasyPrint reports unsupported CSS and failed fetches on its logger; keep
    # the terminal clean, and the fetcher has already recorded what it refused.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        with _deadline(render.PRINT_TIME_BUDGET), render.memory_cap():
            document = HTML(string=html, base_url=base_url(dirs), url_fetcher=fetcher)
            document.write_pdf(target, pdf_variant=variant, pdf_identifier=identifier,
                               finisher=finish)
    except _PrintTooSlow:
        raise _too_big(f"that took longer than {render.PRINT_TIME_BUDGET:g} seconds to "
                       "print, and was stopped") from None
    except MemoryError:
        raise _too_big(f"that needs more memory to print than a report may take "
                       f"({render.MAX_RENDER_MEMORY // 1024 ** 3} GB)") from None
    except RecursionError:
        raise _too_big("nested too deeply for the printer to lay out") from None
    except FatalURLFetchingError as error:
        url, why = fetcher.failure or (str(error.__cause__ or error), "failed")
        if why == "missing":
            message = (f"the report uses {url}, which could not be found in "
                       f"{' or '.join(str(d) for d in fetcher.dirs)}: put the file in "
                       "your project's templates/ folder, or remove the reference")
        elif why == "refused":
            message = (f"the report refers to {url}, which psa-report will not load: "
                       "only files inside the templates folders can be used (no web "
                       "addresses, no other files); copy the file into templates/ and "
                       "refer to it by its name")
        else:
            message = f"the report could not load {url}"
        raise Invalid([Problem("templates/", None, None, message)]) from None


def variants() -> list[str]:
    """The PDF flavours WeasyPrint can write (its "debug" is a developer's tool, not one)."""
    from weasyprint.pdf import VARIANTS

    return sorted(v for v in VARIANTS if v.startswith("pdf/"))


def check_variant(variant: str | None) -> str:
    """``--pdf-variant``: one WeasyPrint knows, or BadOption; None is the default."""
    variant = variant or DEFAULT_VARIANT
    if variant not in variants():
        raise BadOption("--pdf-variant", f"{variant!r} is not a PDF variant WeasyPrint "
                        f"knows: use one of {', '.join(variants())}")
    return variant
