"""Issue 28, round four: the print under the render's budget, Word templates whatever
their encoding or zip, tag names shown as stored, ASCII refs, stale locks and papers."""

from __future__ import annotations

import os
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import git, run
from test_docx_template_trust import complex_field, template_with
from test_template_trust import own_report_template

from psa_report import output, printer, render
from psa_report.chars import MAX_WORD, refused, shown
from psa_report.problems import Invalid

GAP = "actions/data-gaps/3.2.1.yaml"


def refused_print(runner, project: Path, body: str, message: str) -> str:
    own_report_template(project, body)
    result = run(runner, "build", "--format", "both", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("templates/: refused to print: the templates made "
                                    "a report"), result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert not list((project / "out").glob("progress-report*"))  # nothing published
    return result.stderr


# ---------------------------------------------------------------- 1-3: the print's budget

def test_a_template_writing_too_many_elements_is_refused_before_printing(runner, project):
    refused_print(runner, project, "{% for i in range(500) %}{% for j in range(400) %}"
                  "<p>x</p>{% endfor %}{% endfor %}",
                  "of about 200,00")  # the paragraphs and the page's own few
    with pytest.raises(Invalid):
        printer.check_printable("<p>x</p>" * (printer.MAX_PRINT_ELEMENTS + 1))
    printer.check_printable("<p>x</p>" * 1000)  # a large plan's worth is printed


def test_printing_is_stopped_at_its_time_budget(runner, project, monkeypatch):
    monkeypatch.setattr(render, "PRINT_TIME_BUDGET", 0.001)
    result = run(runner, "build", "--format", "pdf", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert "that took longer than 0.001 seconds to print, and was stopped" in result.stderr
    assert not (project / "out/progress-report.pdf").exists()


def test_twenty_thousand_nested_boxes_are_refused_plainly(runner, project):
    refused_print(runner, project, "{% for i in range(20000) %}<div>{% endfor %}x"
                                   "{% for i in range(20000) %}</div>{% endfor %}",
                  f"nested more than {printer.MAX_PRINT_DEPTH} deep")
    printer.check_printable("<div>" * 90 + "x" + "</div>" * 90)  # deep, but printable
    with pytest.raises(Invalid):
        printer.check_printable("<div>" * (printer.MAX_PRINT_DEPTH + 1))


def test_a_word_too_long_to_break_is_refused_at_print_and_at_its_line(runner, project):
    refused_print(runner, project, "<p>{{ 'x' * 200000 }}</p>",
                  "a word of 200,000 letters with no space in it")
    text = (project / GAP).read_text(encoding="utf-8")
    (project / GAP).write_text(text.rstrip("\n") + "\nnote: " + "y" * 200_000 + "\n",
                               encoding="utf-8")
    line = text.rstrip("\n").count("\n") + 2
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert f"{GAP}:{line}:7: " in result.stderr, result.stderr
    assert "a word of 200,000 letters with no space in it" in result.stderr
    assert refused("a " + "z" * MAX_WORD + " b") is None  # the longest word allowed


# ---------------------------------------------------------------- 4: Word templates

def utf16_header(template: Path) -> Path:
    """``template`` with its header part saved as UTF-16 (a byte-order mark and a
    declaration saying so), as some editors save it."""
    out = template.with_name("utf16.docx")
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/header1.xml":
                text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
                data = text.encode("utf-16")
                assert b"DDEAUTO" not in data and data.startswith(b"\xff\xfe")
            target.writestr(info, data)
    return out


def test_fields_in_a_utf16_header_are_cleaned(runner, project, tmp_path):
    template = utf16_header(template_with(tmp_path / "council.docx", dict(
        header=complex_field('DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"', "DDE")
        + '<w:fldSimple w:instr=\' INCLUDEPICTURE "http://evil.example/p.png" \\d \'>'
          '<w:r><w:t>SHOWN-PICTURE</w:t></w:r></w:fldSimple>')))
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(template))
    assert result.exit_code == 0, result.output
    assert "a DDEAUTO field (in word/header1.xml)" in result.stderr
    assert "an INCLUDEPICTURE field (in word/header1.xml)" in result.stderr
    published = zipfile.ZipFile(project / "out/progress-report.docx")
    header = published.read("word/header1.xml").decode("utf-8")
    assert "DDEAUTO" not in header and "INCLUDEPICTURE" not in header
    assert "SHOWN-PICTURE" in header and "Council header" in header


def test_a_part_that_is_not_xml_refuses_the_template(runner, project, tmp_path):
    template = template_with(tmp_path / "council.docx", {})
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[:-20] if info.filename == "word/header1.xml" else data)
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(broken))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{broken}: cannot be read as a Word file "
                                    "(word/header1.xml is not well-formed XML")


def lie_about_sizes(template: Path, member: str, size: int) -> Path:
    """``template`` with the central directory giving ``member`` a false size."""
    data = bytearray(template.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02" + b"")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == name:
            struct.pack_into("<I", data, at + 24, size)  # uncompressed size
            break
        at = data.find(b"PK\x01\x02", at + 4)
    assert at >= 0
    out = template.with_name("lying.docx")
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("member", ["word/header1.xml", "[Content_Types].xml"])
def test_a_zip_lying_about_sizes_is_refused_plainly(runner, project, tmp_path, member):
    template = lie_about_sizes(template_with(tmp_path / "council.docx", {}), member, 10)
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(template))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{template}: cannot be read as a Word file ("), \
        result.stderr
    assert "save it again as .docx or .dotx" in result.stderr
    assert not (project / "out/progress-report.docx").exists()


@pytest.mark.parametrize("field", [
    '<w:fldSimple w:instr=\' HYPERLINK "\\\\\\\\server\\\\share\\\\run.exe" \'>'
    '<w:r><w:t>SHOWN-SHARE</w:t></w:r></w:fldSimple>',
    complex_field('HYPERLINK \\\\\\\\server\\\\share\\\\run.exe', "SHOWN-SHARE"),
    complex_field('HYPERLINK "file:///c:/windows/run.exe"', "SHOWN-SHARE"),
])
def test_a_hyperlink_field_to_a_share_or_file_is_removed_its_text_kept(runner, project,
                                                                      tmp_path, field):
    template = template_with(tmp_path / "council.docx", dict(
        header=field + complex_field('HYPERLINK \\l "top"', "SHOWN-BOOKMARK")))
    result = run(runner, "build", "--project", str(project), "--format", "docx",
                 "--docx-template", str(template))
    assert result.exit_code == 0, result.output
    assert "a HYPERLINK field (in word/header1.xml)" in result.stderr
    header = zipfile.ZipFile(project / "out/progress-report.docx").read("word/header1.xml")
    assert b"server" not in header and b"run.exe" not in header
    assert b"SHOWN-SHARE" in header
    assert b'HYPERLINK \\l "top"' in header and b"SHOWN-BOOKMARK" in header  # in-document
    docx.Document(str(project / "out/progress-report.docx"))


# ---------------------------------------------------------------- 5-6: names and refs

def test_a_tag_name_is_shown_as_stored(runner, repo):
    tag = "ssp-2010-07\u202egnp.exe"
    git(repo, "tag", tag)
    result = run(runner, "progress", "--project", str(repo), "--tags", "ssp-*",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output
    assert "ssp-2010-07<U+202E>gnp.exe" in result.stdout
    assert shown("a\u200db\ufe0f\u2800c") == "a<U+200D>b<U+FE0F><U+2800>c"
    assert shown("Dún Laoghaire ssp-2010") == "Dún Laoghaire ssp-2010"


@pytest.mark.parametrize("char", ["\ufe0f", "\u2800", "\u200d", "\u202e"])
def test_invisible_characters_are_refused_in_names_and_status_words(runner, project, char):
    assert refused(f"on track{char}", name=True) is not None
    (project / "actions/plan.yaml").write_text(
        "statuses:\n"
        "  - name: not started\n    colour: grey\n"
        f"  - name: \"on track{char}\"\n    colour: green\n"
        "  - name: complete\n    colour: blue\n    done: true\n", encoding="utf-8")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert f"U+{ord(char):04X}" in result.stderr, result.stderr
    assert "actions/plan.yaml:4:" in result.stderr, result.stderr


def test_a_full_width_digit_in_a_ref_is_refused_at_its_line(runner, project):
    text = (project / GAP).read_text(encoding="utf-8")
    assert "ref: 3.2.1" in text or "ref: '3.2.1'" in text or 'ref: "3.2.1"' in text
    line = text[:text.index("3.2.1")].count("\n") + 1
    (project / GAP).write_text(text.replace("3.2.1", "\uff13.2.1", 1), encoding="utf-8")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert f"{GAP}:{line}:" in result.stderr, result.stderr
    assert "'\uff13.2.1' holds U+FF13 FULLWIDTH DIGIT THREE" in result.stderr, result.stderr
    # Every kind's refs (plan.yaml's, the default's) are held to the same rule.
    from psa_report.shape import RefForm

    for form, ref in (("3.2.1", "\uff13.2.1"), ("R1", "R\uff11"), ("DA-02", "DA-\uff10\uff12")):
        with pytest.raises(ValueError, match="FULLWIDTH DIGIT"):
            RefForm.from_example(form).parse(ref)
    with pytest.raises(ValueError, match="FULLWIDTH DIGIT"):
        RefForm.from_example("R\uff11")


# ---------------------------------------------------------------- 7: stale locks

def test_a_lock_naming_this_process_is_taken_over(runner, project):
    lock = project / "actions/data-gaps/.3.2.1.yaml.lock.tmp"
    lock.write_text(str(os.getpid()))  # a container's earlier run had the same id
    result = run(runner, "set", "3.2.1", "--status", "at risk", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert not lock.exists()
    assert "status: at risk" in (project / GAP).read_text()


def test_a_lock_held_by_a_running_process_names_its_file_and_age(runner, project,
                                                                 monkeypatch):
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.1)
    other = subprocess.Popen(["sleep", "30"])
    try:
        lock = project / "actions/data-gaps/.3.2.1.yaml.lock.tmp"
        lock.write_text(str(other.pid))
        made = time.time() - 3 * 3600 - 60
        os.utime(lock, (made, made))
        before = (project / GAP).read_text()
        result = run(runner, "set", "3.2.1", "--status", "at risk", "--project",
                     str(project))
    finally:
        other.kill()
        other.wait()
    assert result.exit_code == 1, result.output
    assert f"(process {other.pid})" in result.stderr
    assert f"lock file {lock} behind (made 3 hours ago)" in result.stderr, result.stderr
    assert "if no other psa-report is running, delete that file" in result.stderr
    assert (project / GAP).read_text() == before and lock.exists()


# ---------------------------------------------------------------- 8: stale papers

def test_papers_of_an_earlier_build_are_named(runner, project):
    first = run(runner, "build", "--format", "docx", "--project", str(project))
    assert first.exit_code == 0, first.output
    old = project / "out/progress-report.docx"
    os.utime(old, (time.time() - 60, time.time() - 60))
    same = run(runner, "build", "--format", "html", "--project", str(project))
    assert same.exit_code == 0 and "earlier build" not in same.stderr, same.stderr  # same plan
    assert run(runner, "set", "3.2.1", "--status", "at risk", "--project",
               str(project)).exit_code == 0
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert (f"{old}: warning: is from an earlier build, so it may not match the files "
            "just written: delete it, or build it again (--format all") in result.stderr
    assert old.exists()  # named, not removed
    again = run(runner, "build", "--format", "docx", "--project", str(project))
    assert "earlier build" not in again.stderr  # the HTML is of the same plan
    assert run(runner, "set", "3.2.1", "--status", "on track", "--project",
               str(project)).exit_code == 0
    os.utime(project / "out/progress-report.html", (time.time() - 60, time.time() - 60))
    strict = run(runner, "build", "--format", "docx", "--strict", "--project", str(project))
    assert "progress-report.html: warning" in strict.stderr  # now the HTML is the older one
    assert "progress-report.docx: warning" not in strict.stderr
    assert strict.exit_code == 1 and "--strict makes them errors" in strict.stderr


def test_the_full_and_exception_reports_of_one_plan_do_not_name_each_other(runner, project):
    """As the guide publishes them, side by side: built one after the other from the same
    files, neither is "from an earlier build"; after a change, the other one is, and the
    advice names the command that rebuilds it."""
    assert run(runner, "build", "--project", str(project)).exit_code == 0
    for path in (project / "out").glob("progress-report.*"):
        os.utime(path, (time.time() - 60, time.time() - 60))
    exceptions = run(runner, "build", "--exceptions-only", "--project", str(project))
    assert exceptions.exit_code == 0 and "earlier build" not in exceptions.stderr, \
        exceptions.stderr
    assert run(runner, "set", "3.2.1", "--status", "at risk", "--project",
               str(project)).exit_code == 0
    for path in (project / "out").glob("progress-report*"):
        os.utime(path, (time.time() - 60, time.time() - 60))
    full = run(runner, "build", "--project", str(project))
    assert "progress-report-exceptions.pdf: warning: is from an earlier build" in full.stderr
    assert "build it again (--exceptions-only --format all" in full.stderr
