"""A Word template's active and outward-pointing parts, removed before it is used.

A council's template (``build --docx-template``, report.yaml's ``docx_template``)
comes from someone else, and what it holds goes into the published report.  So
before python-docx opens it, everything in it that runs, fetches or opens
something when the report is opened, printed or clicked is taken out, and each
removal is named in a warning:

* macros: any part whose name or bytes say VBA or OLE (``vbaProject.bin``
  declared as ``application/octet-stream`` too), ActiveX controls, embedded OLE
  objects (their picture stays), key-map customisations;
* ``altChunk`` parts (a file, HTML or RTF, that Word imports as it opens);
* every relationship leaving the package (an attached template on a web server
  or share, a linked picture at ``\\\\server\\share`` or ``http://``, a linked
  sub-document or frame, a mail-merge data source), except a hyperlink to a web
  page or an e-mail address (``http:``, ``https:``, ``mailto:``), which goes
  nowhere until it is clicked; a hyperlink to a file, a share or another program
  loses its link and keeps its text;
* fields other than the passive ones (:data:`KEPT_FIELDS`: page numbers,
  dates, document properties, cross-references, tables of contents): an
  ``INCLUDEPICTURE``, ``INCLUDETEXT``, ``DDE``, ``DDEAUTO``, ``LINK``, ``IMPORT``,
  ``MACROBUTTON``, ``FILLIN``... whether written as ``w:fldSimple`` or as
  ``w:fldChar``/``w:instrText`` runs, is removed and the text it last showed
  stays as plain text;
* the attached template and mail-merge settings in ``settings.xml``.

Every XML part is parsed and cleaned whatever its encoding (UTF-8 or UTF-16, said
by a byte-order mark or the XML declaration); a part that is not well-formed XML
refuses the template.  Members are read in pieces, the total bounded: a zip whose
directory lies about a member's size is refused, never unpacked without end.

A macro-enabled template (.docm, .dotm) is refused outright, as before.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

from lxml import etree

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: How an OLE compound file begins: a .doc, .dot or password-protected Word file, VBA.
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: A template larger than this, packed or unpacked (all its members), is refused.
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024

#: Fields that only show something from the document itself.
KEPT_FIELDS = frozenset("""
    PAGE NUMPAGES SECTIONPAGES SECTION DATE TIME CREATEDATE SAVEDATE PRINTDATE EDITTIME
    FILENAME FILESIZE TITLE SUBJECT AUTHOR KEYWORDS COMMENTS LASTSAVEDBY NUMWORDS NUMCHARS
    REVNUM TEMPLATE DOCPROPERTY DOCVARIABLE INFO STYLEREF REF PAGEREF NOTEREF SEQ TOC TC
    TOA TA INDEX XE RD QUOTE SYMBOL EQ ADVANCE LISTNUM AUTONUM AUTONUMLGL AUTONUMOUT
    BIDIOUTLINE IF COMPARE SET BOOKMARK FORMTEXT FORMCHECKBOX FORMDROPDOWN HYPERLINK
    USERINITIALS USERNAME BARCODE DISPLAYBARCODE
""".split())
#: Relationship types (the last part of the URI) removed wherever they point.
REMOVED_TYPES = {
    "vbaProject": "a macro (VBA) project",
    "vbaProjectSignature": "a macro (VBA) signature",
    "wordVbaData": "macro (VBA) data",
    "keyMapCustomizations": "keyboard customisations that run macros",
    "oleObject": "an embedded or linked OLE object",
    "package": "an embedded package",
    "control": "an ActiveX control",
    "activeXControlBinary": "an ActiveX control",
    "aFChunk": "an altChunk (a file Word imports as it opens the report)",
    "attachedTemplate": "an attached template",
    "subDocument": "a linked sub-document",
    "frame": "a frame showing another file",
    "mailMergeSource": "a mail-merge data source",
    "mailMergeHeaderSource": "a mail-merge header source",
    "recipientData": "mail-merge recipients",
}
#: Elements that only carry what was removed; they go with it.
REMOVED_ELEMENTS = {f"{{{W}}}{name}" for name in (
    "altChunk", "attachedTemplate", "subDoc", "control", "mailMerge")} | {
    "{urn:schemas-microsoft-com:office:office}OLEObject"}
SAFE_LINK = re.compile(r"(?i)^\s*(https?://|mailto:)")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_blank_text=False)


class Unreadable(Exception):
    """A part that should be XML is not, or the zip cannot be unpacked."""


def read_members(archive: zipfile.ZipFile, limit: int = MAX_TEMPLATE_BYTES) -> dict[str, bytes]:
    """Every member's bytes, read in pieces with the total bounded by ``limit``
    whatever sizes the zip's directory claims; Unreadable if a member is damaged or
    the total goes over."""
    data: dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        pieces = []
        try:
            with archive.open(info) as member:
                while piece := member.read(1024 * 1024):
                    total += len(piece)
                    if total > limit:
                        raise Unreadable(f"it unpacks to over {limit // 2**20} MB (at "
                                         f"{info.filename}), too large for a Word template")
                    pieces.append(piece)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                RuntimeError, ValueError, OSError) as error:
            raise Unreadable(f"{info.filename} is damaged in the zip ({error})") from None
        data[info.filename] = b"".join(pieces)
    return data


def clean(archive: zipfile.ZipFile, raw: bytes) -> tuple[bytes, list[str]]:
    """The package (``raw``, opened as ``archive``) without its active parts, and what
    was removed (one line each)."""
    names = [info.filename for info in archive.infolist()]
    data = read_members(archive)
    types = _parse(data.get("[Content_Types].xml", b""), "[Content_Types].xml")
    removed: list[str] = []
    gone: set[str] = set()

    for name in names:
        why = _active_part(name, data[name], _content_type(types, name))
        if why:
            gone.add(name)
            removed.append(f"{why} ({name})")

    xml: dict[str, etree._Element] = {}
    changed: set[str] = set()
    dropped_ids: dict[str, set[str]] = {}  # part -> relationship ids removed from it
    for name in names:
        if name in gone or not name.endswith(".rels"):
            continue
        rels = xml[name] = _parse(data[name], name)
        source = _source_of(name)
        for rel in list(rels):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            target = rel.get("Target", "")
            external = rel.get("TargetMode", "") == "External"
            inside = None if external else _resolve(source, target)
            why = None
            if kind in REMOVED_TYPES:
                why = REMOVED_TYPES[kind]
                if external:
                    why += f" at {target!r}"
            elif external and not (kind == "hyperlink" and SAFE_LINK.match(target)):
                why = (f"a link to {target!r}" if kind == "hyperlink" else
                       f"{'a linked picture' if kind == 'image' else 'a ' + kind} at "
                       f"{target!r}, which Word would fetch")
            elif inside in gone:
                why = f"a reference to the removed {inside}"
            if why is None:
                continue
            rels.remove(rel)
            changed.add(name)
            dropped_ids.setdefault(source, set()).add(rel.get("Id", ""))
            if inside and inside in data and inside not in gone and kind in REMOVED_TYPES:
                gone.add(inside)
            if not why.startswith("a reference to the removed"):
                removed.append(f"{why} (in {source or 'the package'})")

    for name in names:
        if name in gone or name in xml or not _is_xml(name, types):
            continue
        # Every part is parsed: a look at its bytes for "fld" would miss a part saved
        # as UTF-16 (a header), where each letter is two bytes.
        root = xml[name] = _parse(data[name], name)
        before = len(removed)
        _drop_elements(root, dropped_ids.get(name, set()), name, removed)
        _drop_fields(root, name, removed)
        if len(removed) != before or name in dropped_ids:
            changed.add(name)

    if gone:
        for override in list(types):
            part = override.get("PartName", "").lstrip("/")
            if part in gone:
                types.remove(override)
        xml["[Content_Types].xml"] = types
        changed.add("[Content_Types].xml")
    if not changed and not gone:
        return raw, []
    for name in changed:
        data[name] = etree.tostring(xml[name], xml_declaration=True, encoding="UTF-8",
                                    standalone=True)
    return repack(archive, data, [n for n in names if n not in gone]), removed


def repack(archive: zipfile.ZipFile, data: dict[str, bytes], names: list[str]) -> bytes:
    """The members ``names`` with these bytes, each as ``archive`` has it (its date)."""
    out = io.BytesIO()
    infos = {info.filename: info for info in archive.infolist()}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for name in names:
            packed.writestr(infos[name], data[name], zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _parse(raw: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as error:
        raise Unreadable(f"{name} is not well-formed XML ({error})") from None


def _content_type(types: etree._Element, name: str) -> str:
    for override in types.iter(f"{{{TYPES}}}Override"):
        if override.get("PartName", "").lstrip("/").lower() == name.lower():
            return override.get("ContentType", "")
    ext = name.rsplit(".", 1)[-1].lower()
    for default in types.iter(f"{{{TYPES}}}Default"):
        if default.get("Extension", "").lower() == ext:
            return default.get("ContentType", "")
    return ""


def _is_xml(name: str, types: etree._Element) -> bool:
    return name.endswith(".xml") or _content_type(types, name).endswith("xml")


def _active_part(name: str, data: bytes, content_type: str) -> str | None:
    lowered, kind = name.lower(), content_type.lower()
    if "vba" in lowered or "vba" in kind or "keymapcustomizations" in kind:
        return "a macro (VBA) part"
    if data.startswith(OLE_SIGNATURE):
        return "an embedded OLE object (a file holding other files or macros)"
    if "activex" in lowered or "activex" in kind:
        return "an ActiveX control"
    if "oleobject" in lowered or "oleobject" in kind:
        return "an embedded OLE object"
    return None


def _source_of(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` -> ``word/document.xml`` ("" for the package)."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base[:-len(".rels")]).lstrip("/")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _drop_elements(root: etree._Element, ids: set[str], part: str,
                   removed: list[str]) -> None:
    """Elements naming a removed relationship, and those that only carry active
    content.  A hyperlink keeps its text; a picture keeps any embedded image."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag in REMOVED_ELEMENTS:
            _remove(element)
            if element.tag.endswith("}mailMerge"):
                removed.append(f"mail-merge settings (in {part})")
            continue
        for attribute, value in list(element.attrib.items()):
            if not attribute.startswith(f"{{{REL}}}") or value not in ids:
                continue
            if element.tag == f"{{{W}}}hyperlink" or attribute == f"{{{REL}}}link":
                del element.attrib[attribute]
            else:
                _remove(element)
                break


def _remove(element: etree._Element) -> None:
    """Take the element out; the text after it stays."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _field_is_kept(instruction: str, part: str, removed: list[str]) -> bool:
    """Whether a field is passive; one that is not is named in ``removed``."""
    words = instruction.split()
    name = words[0].upper().lstrip("\\") if words else ""
    kept = name in KEPT_FIELDS
    if name == "HYPERLINK":
        link = _hyperlink_address(instruction)
        kept = not link or bool(SAFE_LINK.match(link))
    if not kept:
        name = name or "blank"
        removed.append(f"{'an' if name[0] in 'AEIOU' else 'a'} {name} field (in {part})")
    return kept


#: HYPERLINK's switches that take an argument (\l bookmark, \o tip, \t frame).
_LINK_SWITCHES_WITH_ARGUMENT = frozenset("lot")


def _hyperlink_address(instruction: str) -> str:
    """The address a HYPERLINK field opens ("" for a link to a bookmark of the document
    itself, ``HYPERLINK \\l "name"``).  Quoted "\\\\server\\share" is an address
    (a network share), not a switch."""
    tokens = re.findall(r'"([^"]*)"?|(\S+)', instruction)
    words = tokens[1:]  # after the field's name
    index = 0
    while index < len(words):
        quoted, bare = words[index]
        if bare and re.fullmatch(r"\\[A-Za-z]", bare):
            index += 2 if bare[1].lower() in _LINK_SWITCHES_WITH_ARGUMENT else 1
            continue
        return quoted if not bare else bare
    return ""


def _drop_fields(root: etree._Element, part: str, removed: list[str]) -> None:
    """Active fields, simple or complex, removed; the text they last showed stays."""
    for simple in list(root.iter(f"{{{W}}}fldSimple")):
        instruction = simple.get(f"{{{W}}}instr", "")
        if _field_is_kept(instruction, part, removed):
            continue
        for child in list(simple):
            simple.addprevious(child)
        _remove(simple)
    stack: list[dict] = []
    fields: list[dict] = []
    for element in root.iter(f"{{{W}}}fldChar", f"{{{W}}}instrText",
                             f"{{{W}}}delInstrText"):
        kind = element.get(f"{{{W}}}fldCharType")
        if element.tag.endswith("}fldChar") and kind == "begin":
            stack.append({"parts": [element], "text": []})
        elif not stack:
            continue  # a stray piece of a field: left as it is
        elif element.tag.endswith("}fldChar"):
            stack[-1]["parts"].append(element)
            if kind == "end":
                fields.append(stack.pop())
        else:
            stack[-1]["parts"].append(element)
            stack[-1]["text"].append(element.text or "")
    while stack:  # never ended: treated as a field all the same
        fields.append(stack.pop())
    for field in fields:
        instruction = "".join(field["text"])
        if _field_is_kept(instruction, part, removed):
            continue
        for element in field["parts"]:
            _remove(element)
