"""Fast at every size, and still right: the shipped templates' compiled code kept
between runs is never stale and never in the way, and the Word document written by
the fast paths is the one python-docx's own calls write."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import zipfile
from pathlib import Path

import docx
import jinja2.bccache
import pytest
from conftest import REPO
from docx.oxml.document import CT_Body, CT_Document
from docx.section import Sections
from docx.shared import Length

from psa_report import docx_render, render
from psa_report.commands.build import build
from psa_report.docx_render import write_docx
from psa_report.report import build_plan

BENCH = REPO / "bench" / "run.py"

# ---------------------------------------------------------------- the template cache


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped templates standing in for them (so a test may edit one),
    and a cache folder of the test's own."""
    copy = tmp_path / "shipped"
    shutil.copytree(render.PACKAGE_TEMPLATES, copy)
    monkeypatch.setattr(render, "PACKAGE_TEMPLATES", copy.resolve())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    render._environment.cache_clear()
    yield copy
    render._environment.cache_clear()


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The names of the templates compiled from their text (not taken from the cache)."""
    names: list[str] = []
    original = render.Sandbox.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(render.Sandbox, "compile", counting)
    return names


def html(project: Path, out: Path) -> str:
    """Build the HTML in a fresh process's state: a new Jinja environment."""
    render._environment.cache_clear()
    return build(project, "html", out).outputs[0].read_text(encoding="utf-8")


def entries(folder: Path | None) -> list[Path]:
    return sorted(folder.glob("*.cache")) if folder is not None else []


def test_the_shipped_templates_compile_once_into_a_private_folder(
        shipped, compiled, project, tmp_path):
    first = html(project, tmp_path / "a")
    assert "report.html" in compiled and "colophon.html" in compiled
    folder = render.cache_folder()
    assert folder is not None and folder.parent == tmp_path / "cache" / "psa-report"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert len(entries(folder)) == len(set(compiled))
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in entries(folder))
    compiled.clear()
    assert html(project, tmp_path / "b") == first
    assert compiled == []  # every template came from the cache


def test_an_edited_shipped_template_is_compiled_again(shipped, compiled, project, tmp_path):
    assert "Edited colophon" not in html(project, tmp_path / "a")
    colophon = shipped / "colophon.html"
    colophon.write_text("<footer>Edited colophon</footer>\n" + colophon.read_text())
    compiled.clear()
    assert "Edited colophon" in html(project, tmp_path / "b")
    assert compiled == ["colophon.html"]
    # Edited back: the old text's code is not served for the new text, nor the other way.
    colophon.write_text(colophon.read_text().replace("Edited colophon", "Third colophon"))
    page = html(project, tmp_path / "c")
    assert "Third colophon" in page and "Edited colophon" not in page


def test_a_project_template_is_never_cached_nor_served_from_the_cache(
        shipped, compiled, project, tmp_path):
    html(project, tmp_path / "a")
    folder = render.cache_folder()
    before = {p.name: p.read_bytes() for p in entries(folder)}
    own = project / "templates"
    own.mkdir()
    # The same name as a shipped template: the project's copy is served, from its text.
    (own / "colophon.html").write_text("<footer>Our colophon</footer>\n")
    compiled.clear()
    page = html(project, tmp_path / "b")
    assert "Our colophon" in page
    assert "colophon.html" in compiled
    assert {p.name: p.read_bytes() for p in entries(folder)} == before  # nothing cached
    (own / "colophon.html").write_text("<footer>Our second colophon</footer>\n")
    compiled.clear()
    assert "Our second colophon" in html(project, tmp_path / "c")
    assert compiled == ["colophon.html"]


def test_the_cache_key_names_template_and_file_and_checks_the_text(shipped):
    cache = render.ShippedBytecode(str(shipped))
    path = str(shipped / "colophon.html")
    assert cache.get_cache_key("colophon.html", path) != cache.get_cache_key("colophon.html")
    assert cache.get_cache_key("colophon.html", "/elsewhere/templates/colophon.html") == ""
    env = render.environment([shipped])
    bucket = cache.get_bucket(env, "colophon.html", path, "one")
    bucket.code = compile("x = 1", "colophon.html", "exec")
    cache.set_bucket(bucket)
    assert cache.get_bucket(env, "colophon.html", path, "one").code is not None
    assert cache.get_bucket(env, "colophon.html", path, "two").code is None


def test_a_cache_folder_that_cannot_be_made_means_no_cache(
        shipped, compiled, project, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert render.cache_folder() is None
    assert "Data requirements" in html(project, tmp_path / "a")
    compiled.clear()
    html(project, tmp_path / "b")
    assert "report.html" in compiled  # compiled each run, no error


def test_an_unwritable_or_vanished_cache_folder_still_builds(
        shipped, project, tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", refused)
        assert "Data requirements" in html(project, tmp_path / "a")
    assert entries(render.cache_folder()) == []
    # The folder removed while the environment lives (a cleaner, another user's tool).
    render._environment.cache_clear()
    env = render.environment(render.template_dirs(project))
    shutil.rmtree(render.cache_folder())
    assert env.get_template("report.html") is not None


def test_a_damaged_cache_entry_is_compiled_again(shipped, compiled, project, tmp_path):
    first = html(project, tmp_path / "a")
    for entry in entries(render.cache_folder()):
        entry.write_bytes(entry.read_bytes()[:40])
    compiled.clear()
    assert html(project, tmp_path / "b") == first
    assert "report.html" in compiled


def test_a_cache_folder_others_can_write_in_is_made_private(shipped, tmp_path):
    folder = render.cache_folder()
    os.chmod(folder, 0o777)
    assert render.cache_folder() == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a folder to another user needs root")
def test_a_cache_folder_of_another_user_is_not_used(shipped, project, tmp_path):
    folder = render.cache_folder()
    os.chown(folder, 65534, 65534)
    assert render.cache_folder() is None
    assert "Data requirements" in html(project, tmp_path / "a")
    assert entries(folder) == []


def test_a_relative_xdg_cache_home_is_ignored(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    folder = render.cache_folder()
    assert folder is not None and folder.is_relative_to(tmp_path / "home" / ".cache")


# ---------------------------------------------------------------- Word, in linear time

def _reference_widths(table, widths) -> None:
    """docx_render._widths as python-docx's column API writes it (column by column,
    each column's cells found through the whole table)."""
    widths = list(widths)
    table.autofit = False
    total = sum(widths)
    section = table.part.document.sections[-1]
    text_width = int(section.page_width - section.left_margin - section.right_margin)
    for column, share in zip(table.columns, widths):
        column.width = Length(int(text_width * share / total))
        for cell in column.cells:
            cell.width = column.width


@pytest.fixture
def stock_python_docx(monkeypatch):
    """docx_render with its shortcuts replaced by python-docx's own calls and no
    lookup kept: the document python-docx's API writes."""
    def use():
        monkeypatch.setattr(docx_render, "_lookups", lambda document: docx_render._Lookups())
        monkeypatch.setattr(docx_render, "_add_paragraph",
                            lambda document, style=None: document.add_paragraph(style=style))
        monkeypatch.setattr(docx_render, "_new_table",
                            lambda document, columns: document.add_table(rows=1, cols=columns))
        monkeypatch.setattr(docx_render, "_last_section",
                            lambda body, part: Sections(body.getparent(), part)[-1])
        monkeypatch.setattr(docx_render, "_widths", _reference_widths)
    return use


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def council_template(path: Path) -> Path:
    template = docx.Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.sections[0].header.paragraphs[0].text = "Council header"
    template.add_paragraph("Template body text that the report replaces.")
    template.save(str(path))
    return path


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("psa_bench_speed", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", ["shipped", "council template", "120 actions"])
def test_the_word_document_is_the_one_python_docx_writes(
        case, project, tmp_path, stock_python_docx, bench):
    if case == "120 actions":
        project = tmp_path / "bigger"
        bench.make_project(project, 120)
    template = council_template(tmp_path / "council.docx") if case == "council template" \
        else None
    planned = build_plan(project).plan
    fast = tmp_path / "fast.docx"
    write_docx(planned, fast, template)
    stock_python_docx()
    stock = tmp_path / "stock.docx"
    write_docx(planned, stock, template)
    fast_parts, stock_parts = parts(fast), parts(stock)
    assert fast_parts.keys() == stock_parts.keys()
    for name in stock_parts:
        assert fast_parts[name] == stock_parts[name], f"{name} differs"
    assert b"<w:tbl>" in fast_parts["word/document.xml"]


def test_word_output_never_searches_the_whole_body_per_paragraph(
        tmp_path, monkeypatch, bench):
    """python-docx's whole-body searches (for the closing w:sectPr, for the sections)
    are made a fixed number of times, whatever the size of the plan: no paragraph,
    table or column costs a walk over what is already written."""
    searches: list[str] = []
    original_insert = CT_Body.insert_element_before
    original_sections = CT_Document.sectPr_lst

    def insert(self, element, *tagnames):
        searches.append("insert")
        return original_insert(self, element, *tagnames)

    monkeypatch.setattr(CT_Body, "insert_element_before", insert)
    monkeypatch.setattr(CT_Document, "sectPr_lst", property(
        lambda self: searches.append("sections") or original_sections.fget(self)))
    counts = []
    for size in (20, 120):
        bench.make_project(tmp_path / str(size), size)
        planned = build_plan(tmp_path / str(size)).plan
        searches.clear()
        write_docx(planned, tmp_path / f"{size}.docx")
        counts.append(len(searches))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- an honest bench

def test_bench_ratios_are_taken_round_by_round_on_wall_and_cpu(bench):
    # Round 2 was slow for both sides (a busy machine): the ratio of the medians would
    # be 5.5 / 3; the rounds' own ratios are 1 and 2 (wall) and 2 and 2 (CPU).
    slow = {"rounds_s": [1.0, 10.0], "rounds_cpu_s": [1.0, 10.0]}
    fast = {"rounds_s": [1.0, 5.0], "rounds_cpu_s": [0.5, 5.0]}
    assert bench.paired(slow, fast) == (1.5, 2.0)
    assert bench.paired(slow, None) == (None, None)
    # A growth target is judged on CPU time, a floor on wall time.
    growth = {"measured": 3.0, "cpu": 3.5, "judged": "cpu", "limit": 3.3}
    assert bench.verdict(growth) == "FAIL"
    assert bench.verdict({**growth, "judged": "wall"}) == "PASS"
    assert bench.verdict({**growth, "cpu": None}) == "SKIP"


def test_bench_counts_pdf_pages_and_measures_word(tmp_path):
    import json
    import subprocess
    import sys

    from pypdf import PdfReader

    out, keep = tmp_path / "latest.json", tmp_path / "kept"
    subprocess.run([sys.executable, str(BENCH), "--sizes", "15", "--runs", "1", "--json",
                    str(out), "--keep", str(keep), "--commands", "html,pdf,docx"],
                   capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    size = report["sizes"]["15"]
    pdf = keep / "plan-15" / "out" / "progress-report.pdf"
    assert size["pdf_pages"] == len(PdfReader(pdf).pages) > 1
    docx_row = size["results"]["docx"]
    assert docx_row["cpu_median_s"] > 0 and len(docx_row["rounds_cpu_s"]) == 1
    growth = {t["target"]: t for t in report["targets"]}["docx: 3,000 / 1,000 actions"]
    assert growth["judged"] == "cpu" and growth["status"] == "SKIP"
