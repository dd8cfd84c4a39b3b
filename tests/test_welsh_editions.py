"""Welsh and English papers from one plan (issue 30): with report.yaml's `languages: [en,
cy]` build writes an edition in each language, in every format asked, as one set; each is
marked up in its language, says on its cover where the other is, and prints a text that
has no Welsh in English, marked lang="en"."""

from __future__ import annotations

import http.client
import re
import shutil
import threading
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner
from conftest import REPO, edit, run
from test_pdf import claimed_content, marked_content, parents, structure

from psa_report.dates import long_date
from psa_report.validate import validate
from psa_report.wording import words_for, words_in

WELSH_UPDATE = "Ni nodwyd ffynhonnell o boblogaethau BME fesul ward hyd yma."
ENGLISH_UPDATE = "No source of BME populations by ward has been identified so far."
WELSH_TITLE = "Adroddiad cynnydd ar Asesiad Strategol y Bartneriaeth"
WELSH_PARAGRAPH = "Bydd yr Aelodau'n cofio'r asesiad a gyflwynwyd ym mis Chwefror."
WELSH_INTRO = "Amlygwyd y gofynion data canlynol yn y brif ddogfen."
#: 3.2.1's update, which stays in English alone: the Welsh edition's fallback
FALLBACK = "A major problem persists in that analysts cannot access the ethnicity"


def make_bilingual(root: Path) -> Path:
    """The shipped plan in two languages (a copy at ``root``): see :func:`in_welsh`."""
    shutil.copytree(REPO / "actions", root / "actions")
    return in_welsh(root)


def in_welsh(root: Path) -> Path:
    """The plan at ``root`` in two languages: report.yaml's title, a paragraph, an intro
    and the partnership in both, the Police's name, and 3.2.2's update; the rest English."""
    edit(root, "actions/report.yaml", "partnership: Safer Stockton Partnership\n"
         "title: Progress report on the Partnership Strategic Assessment",
         "languages: [en, cy]\npartnership: {en: Safer Stockton Partnership, "
         "cy: Partneriaeth Stockton Mwy Diogel}\n"
         f"title:\n  en: Progress report on the Partnership Strategic Assessment\n"
         f"  cy: {WELSH_TITLE}")
    edit(root, "actions/report.yaml", "paragraphs:\n",
         "paragraphs:\n  - en: Members will recall the assessment presented in February.\n"
         f"    cy: \"{WELSH_PARAGRAPH}\"\n")
    edit(root, "actions/report.yaml",
         "data_gaps_intro: The following data requirements were highlighted in the main "
         "document.", "data_gaps_intro:\n  en: The following data requirements were "
         f"highlighted in the main document.\n  cy: {WELSH_INTRO}")
    edit(root, "actions/agencies.yaml", "Police: Cleveland Police",
         "Police: {en: Cleveland Police, cy: Heddlu Cleveland}")
    path = root / "actions/data-gaps/3.2.2.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"update: >-\n(  .*\n)+",
                  f"update:\n  en: {ENGLISH_UPDATE}\n  cy: {WELSH_UPDATE}\n", text)
    path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory) -> Path:
    """The bilingual copy built once in every format: {"root", "out"}."""
    root = make_bilingual(tmp_path_factory.mktemp("welsh") / "plan")
    result = run(CliRunner(), "build", "--project", str(root), "--format", "all")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    return make_bilingual(tmp_path / "plan")


class Elements(HTMLParser):
    """Each element's text, with the languages it is inside (innermost last)."""

    VOID = {"meta", "br", "img", "col", "input", "link", "hr", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.runs: list[tuple[str, str]] = []  # (text, its language)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in self.VOID:
            self.stack.append((tag, attrs.get("lang")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not any(t in ("style", "script", "title") for t, _ in self.stack):
            language = next((lang for _, lang in reversed(self.stack) if lang), "")
            self.runs.append((" ".join(data.split()), language))


def elements(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_both_editions_in_every_format_under_their_names(bilingual):
    out = bilingual / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "progress-report.cy.docx", "progress-report.cy.html", "progress-report.cy.pdf",
        "progress-report.docx", "progress-report.html", "progress-report.pdf"]


def test_the_welsh_html_is_marked_cy_with_the_plans_welsh_and_the_catalogs_words(bilingual):
    welsh = elements(bilingual / "out/progress-report.cy.html")
    english = elements(bilingual / "out/progress-report.html")
    assert welsh.tags[0] == ("html", {"lang": "cy"})
    assert english.tags[0] == ("html", {"lang": "en-GB"})
    text = " ".join(t for t, _ in welsh.runs)
    cy = words_for(validate(bilingual).project.shape, "cy")
    en = words_in("en")
    # the tool's headings from the catalog, none of the English ones
    for name in ("contents", "summary", "exceptions", "lead_agencies", "skip_link"):
        english_word, welsh_word = getattr(en, name), getattr(cy, name)
        assert welsh_word != english_word, name
        assert welsh_word in text.replace("&#39;", "'") or welsh_word in text, name
        assert english_word not in text, name
    # the plan's Welsh texts
    for written in (WELSH_TITLE, WELSH_PARAGRAPH, WELSH_INTRO, WELSH_UPDATE, "Heddlu Cleveland",
                    "Partneriaeth Stockton Mwy Diogel"):
        assert written in text, written
    assert ENGLISH_UPDATE not in text
    # the kinds' Welsh headings and the statuses' Welsh labels (the default plan.yaml's)
    assert cy.kinds[0].heading in text and "Oddi ar y trywydd" in text
    # dates in Welsh: no English month, no English ordinal suffix
    assert long_date(date(2010, 6, 28), "cy") == "28 Mehefin 2010"
    assert "28 Mehefin 2010" in text and "June" not in text
    assert "<sup>th</sup>" not in (bilingual / "out/progress-report.cy.html").read_text()
    # the English edition is the English one
    english_text = " ".join(t for t, _ in english.runs)
    assert ENGLISH_UPDATE in english_text and WELSH_UPDATE not in english_text
    assert "Status summary" in english_text and "28" in english_text


def test_the_welsh_html_has_the_english_ones_landmarks_and_table_semantics(bilingual):
    """tests/test_html.py's checks, on the Welsh edition: the same structure."""
    welsh = elements(bilingual / "out/progress-report.cy.html")
    tags = [tag for tag, _ in welsh.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags
    links = [a["href"] for tag, a in welsh.tags if tag == "a"]
    ids = {a["id"] for _, a in welsh.tags if "id" in a}
    for target in ("#covering", "#data-requirements", "#section-3-2", "#recommendations",
                   "#summary"):
        assert target in links and target[1:] in ids
    assert tags.count("table") == tags.count("caption") == 4
    assert all(a.get("scope") in ("col", "row") for tag, a in welsh.tags if tag == "th")
    # self-contained: the one link out of the page is to the English edition beside it
    assert [h for h in links if not h.startswith("#")] == ["progress-report.pdf"]
    assert not any(tag in ("link", "script", "img", "iframe", "object") for tag in tags)


def test_a_text_with_no_welsh_is_printed_in_english_marked_lang_en(bilingual):
    welsh = elements(bilingual / "out/progress-report.cy.html")
    fallbacks = [lang for text, lang in welsh.runs if text.startswith(FALLBACK)]
    assert fallbacks and set(fallbacks) == {"en"}  # the table and the exceptions
    # the covering page's untranslated paragraphs, the recommendations' texts too
    assert {lang for text, lang in welsh.runs
            if text.startswith("Some good progress has been made")} == {"en"}
    assert {lang for text, lang in welsh.runs if text == "Heddlu Cleveland"} == {"cy"}
    assert {lang for text, lang in welsh.runs if text.startswith("Stockton-on-Tees Borough")
            } == {"en"}
    # the Welsh texts are not marked: they are in the page's language
    assert {lang for text, lang in welsh.runs if WELSH_UPDATE in text} == {"cy"}
    assert {lang for text, lang in welsh.runs if WELSH_TITLE == text} == {"cy"}
    # nothing is marked in the English edition
    english = elements(bilingual / "out/progress-report.html")
    assert {lang for _, lang in english.runs} == {"en-GB"}


def test_each_cover_names_the_other_edition(bilingual):
    cy, en = words_in("cy"), words_in("en")
    welsh = elements(bilingual / "out/progress-report.cy.html")
    english = elements(bilingual / "out/progress-report.html")
    to_english = cy.also_available("en", "progress-report.pdf")
    to_welsh = en.also_available("cy", "progress-report.cy.pdf")
    assert to_welsh == "This report is also available in Welsh (progress-report.cy.pdf)."
    assert to_english == "Mae'r adroddiad hwn ar gael yn Saesneg hefyd (progress-report.pdf)."
    assert (to_english, "cy") in welsh.runs and (to_welsh, "en-GB") in english.runs
    assert ("a", {"href": "progress-report.pdf", "hreflang": "en"}) in welsh.tags
    assert ("a", {"href": "progress-report.cy.pdf", "hreflang": "cy"}) in english.tags
    assert to_welsh in docx_text(bilingual / "out/progress-report.docx")
    assert to_english in docx_text(bilingual / "out/progress-report.cy.docx")


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_each_pdfs_link_to_the_other_edition_opens_the_file_beside_it(bilingual):
    """The cover's link is the other PDF by its name (GoTo-remote), never a file: address
    in the templates folder WeasyPrint resolved the HTML's relative link against."""
    for name, other in (("progress-report.pdf", "progress-report.cy.pdf"),
                        ("progress-report.cy.pdf", "progress-report.pdf")):
        raw = (bilingual / "out" / name).read_bytes()
        assert b"file:" not in raw, name
        with pikepdf.open(bilingual / "out" / name) as pdf:
            actions = [annot.A for page in pdf.pages for annot in page.get("/Annots", [])
                       if "/A" in annot and annot.A.get("/S") != "/URI"]
            assert [(str(a.S), str(a.F)) for a in actions] == [("/GoToR", other)], name


def test_the_welsh_pdf_is_tagged_cy_titled_in_welsh_and_passes_the_structure_checks(
        bilingual):
    with pikepdf.open(bilingual / "out/progress-report.cy.pdf") as pdf:
        assert pdf.Root.Lang == "cy"
        assert str(pdf.docinfo.Title).startswith(WELSH_TITLE)
        assert "28 Mehefin 2010" in str(pdf.docinfo.Title)
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        tags = [str(e.S) for e in structure(pdf)]
        for tag in ("/Document", "/H1", "/H2", "/H3", "/Table", "/THead", "/TH", "/TD",
                    "/Caption", "/L", "/LI", "/P"):
            assert tag in tags, tag
        assert "pdfuaid" in str(pdf.open_metadata())
        # PDF/UA: every piece of content in the structure tree, or an artifact
        sequences = marked_content(pdf)
        claimed = claimed_content(pdf)
        assert [s for s in sequences if s[1] == "unmarked"] == []
        assert [(p, t, m) for p, t, m, artifact in sequences
                if not artifact and (m is None or (p, m) not in claimed)] == []
        found = parents(pdf)
        assert [e for e in found if e[0] == "/LI" and e[1] != "/L"] == []
        scopes = [str(e.A.Scope) for e in structure(pdf) if e.S == "/TH"]
        assert scopes.count("/Column") == 3 * 6 + 7  # as the English edition's
    with pikepdf.open(bilingual / "out/progress-report.pdf") as pdf:
        assert pdf.Root.Lang == "en-GB"
        assert str(pdf.docinfo.Title).startswith("Progress report on the Partnership")


def test_the_welsh_word_document_is_marked_cy_gb_and_its_english_runs_en_gb(bilingual):
    path = bilingual / "out/progress-report.cy.docx"
    document = docx.Document(str(path))
    assert document.core_properties.language == "cy-GB"
    assert document.core_properties.title == WELSH_TITLE
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
        body = archive.read("word/document.xml").decode("utf-8")
    assert re.search(r'<w:rPrDefault>.*?<w:lang w:val="cy-GB"', styles, re.S)
    # a run of the untranslated 3.2.1 update carries English as its language
    assert re.search(r'<w:r>(?:(?!</w:r>).)*<w:lang w:val="en-GB"/>(?:(?!</w:r>).)*'
                     + re.escape(FALLBACK[:30]), body, re.S)
    assert not re.search(r'<w:lang w:val="en-GB"/>(?:(?!</w:r>).)*'
                         + re.escape(WELSH_UPDATE[:30]), body, re.S)
    english = docx.Document(str(bilingual / "out/progress-report.docx"))
    assert english.core_properties.language == "en-GB"
    with zipfile.ZipFile(bilingual / "out/progress-report.docx") as archive:
        assert "<w:lang" not in archive.read("word/document.xml").decode("utf-8")


def test_language_builds_one_edition_and_a_language_not_the_plans_is_refused(fresh, runner):
    result = run(runner, "build", "--project", str(fresh), "--format", "html",
                 "--language", "cy")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (fresh / "out").iterdir()) == ["progress-report.cy.html"]
    result = run(runner, "build", "--project", str(fresh), "--format", "html",
                 "--language", "en")
    assert result.exit_code == 0, result.output
    assert "wrote " + str(fresh / "out/progress-report.html") in result.output
    assert [line for line in result.output.splitlines() if line.startswith("wrote")] == [
        "wrote " + str(fresh / "out/progress-report.html")]
    result = run(runner, "build", "--project", str(fresh), "--language", "fr")
    assert result.exit_code == 2
    assert "'fr' is not one of the plan's languages (en, cy)" in result.output
    assert "report.yaml's `languages:`" in result.output


def test_a_plan_in_one_language_builds_as_it_always_has(project, runner):
    result = run(runner, "build", "--project", str(project), "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "out").iterdir()) == ["progress-report.html"]
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    assert "also available" not in html and ' lang="en"' not in html
    result = run(runner, "build", "--project", str(project), "--language", "cy")
    assert result.exit_code == 2
    assert "'cy' is not one of the plan's languages (en)" in result.output


def test_editions_and_the_exception_report_in_both_languages(fresh, runner):
    edit(fresh, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: off track\nexempt: 7")
    result = run(runner, "build", "--project", str(fresh), "--format", "html",
                 "--edition", "both", "--exceptions-only")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (fresh / "out").iterdir())
    assert names == ["progress-report-exceptions-exempt.cy.html",
                     "progress-report-exceptions-exempt.html",
                     "progress-report-exceptions.cy.html", "progress-report-exceptions.html"]
    cy = words_in("cy")
    welsh = " ".join(t for t, _ in elements(
        fresh / "out/progress-report-exceptions-exempt.cy.html").runs)
    # the exception report says where its full report is: the Welsh one, in Welsh
    assert cy.full_report("progress-report-exempt.cy") in welsh
    assert cy.also_available("en", "progress-report-exceptions-exempt.html") in welsh
    assert cy.not_for_publication([7]) in welsh
    public = (fresh / "out/progress-report-exceptions.cy.html").read_text("utf-8")
    assert FALLBACK not in public  # 3.2.1 is exempt: left out of the public edition
    assert '<html lang="cy">' in public


def test_a_failure_in_one_edition_leaves_no_half_set(fresh, runner, monkeypatch):
    from psa_report import docx_render
    from psa_report.problems import Invalid, Problem

    written = docx_render.write_docx

    def failing(plan, target, template=None):
        if plan.language == "cy":
            raise Invalid([Problem("progress-report.cy.docx", None, None, "cannot write")])
        written(plan, target, template)

    monkeypatch.setattr(docx_render, "write_docx", failing)
    result = run(runner, "build", "--project", str(fresh), "--format", "all")
    assert result.exit_code == 1
    assert "cannot write" in result.output
    assert not (fresh / "out").exists() or list((fresh / "out").iterdir()) == []


def test_check_warns_of_english_fallbacks_and_strict_refuses_in_check_and_build(fresh,
                                                                                  runner):
    result = run(runner, "check", "--project", str(fresh))
    assert result.exit_code == 0
    assert ("actions/data-gaps/3.2.1.yaml:11:9: warning: 3.2.1 update: no Welsh text: it "
            "is printed in English in the Welsh edition") in result.output
    result = run(runner, "check", "--project", str(fresh), "--strict")
    assert result.exit_code == 1
    result = run(runner, "build", "--project", str(fresh), "--format", "html", "--strict")
    assert result.exit_code == 1
    assert "3.2.1 update: no Welsh text" in result.output
    assert not (fresh / "out").exists()


def test_the_preview_serves_both_editions_each_linking_to_the_other(fresh):
    from psa_report.report import html_builder
    from psa_report.serve import Preview, make_server

    preview = Preview(fresh, html_builder(fresh))
    preview.rebuild()
    assert preview.problems == [] and dict(preview.snapshot.pages).keys() == {"cy"}
    server = make_server(preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")

    try:
        status, welsh = get("/report.cy.html")
        assert status == 200 and '<html lang="cy">' in welsh and WELSH_UPDATE in welsh
        assert '<a href="report.html" hreflang="en">' in welsh
        assert "<script" in welsh  # it reloads on a save, as the main page does
        for path in ("/", "/report.html"):
            status, english = get(path)
            assert status == 200 and '<html lang="en-GB">' in english
            assert '<a href="report.cy.html" hreflang="cy">' in english
        assert get("/report.fr.html")[0] == 404
        edit(fresh, "actions/data-gaps/3.2.2.yaml", WELSH_UPDATE, "Diweddariad newydd.")
        preview.rebuild()
        assert "Diweddariad newydd." in get("/report.cy.html")[1]
    finally:
        server.shutdown()
        server.stop()


def test_the_progress_chart_counts_meetings_under_the_welsh_statuses_and_dates(meetings,
                                                                                 runner):
    in_welsh(meetings)
    result = run(runner, "build", "--project", str(meetings), "--format", "html",
                 "--language", "cy", "--since", "ssp-2010-12")
    assert result.exit_code == 0, result.output
    page = (meetings / "out/progress-report.cy.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="progress"'):]
    section = section[:section.index("</section>")]
    cy = words_in("cy")
    assert cy.progress in section
    for welsh, english in (("Oddi ar y trywydd", "Off track"), ("Mewn perygl", "At risk"),
                           ("Medi 2010", "September")):
        assert welsh in section and english not in section, welsh
    # the key of the chart (an SVG text) and the table's heading name the Welsh status
    assert re.search(r"<text[^>]*>Oddi ar y trywydd</text>", section)
    assert re.search(r'<th scope="col">Oddi ar y trywydd</th>', section)
    # every date in Welsh (the overdue list's deadlines, the meetings'): an English month
    # is only in the plan's own English texts, marked lang="en"
    months = re.compile(r"\b(January|February|March|April|May|June|July|August|September|"
                        r"October|November|December)\b")
    runs = elements(meetings / "out/progress-report.cy.html").runs
    assert [text for text, lang in runs if lang == "cy" and months.search(text)] == []
    assert "Hwyr o" in page or "hwyr" in page  # there is an overdue list to look at
    assert "<sup></sup>" not in page
    # the English edition's are as they were
    result = run(runner, "build", "--project", str(meetings), "--format", "html",
                 "--language", "en", "--since", "ssp-2010-12")
    english = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    section = english[english.index('<section id="progress"'):]
    assert "Off track" in section[:section.index("</section>")]


def test_where_the_sections_come_from_is_said_in_welsh(bilingual):
    """The default plan's `sections_of` is in both languages, as its other words are."""
    welsh = (bilingual / "out/progress-report.cy.html").read_text(encoding="utf-8")
    english = (bilingual / "out/progress-report.html").read_text(encoding="utf-8")
    assert "adran 3.2 yn yr asesiad" in welsh
    assert "3.2 of the assessment" not in welsh  # (the plan's own English texts may say it)
    assert "section 3.2 of the assessment" in english


def test_the_welsh_edition_has_no_wcag_22_aa_violations(bilingual, tmp_path):
    """axe-core's WCAG 2.2 A and AA rules in Debian's Chromium, at phone and desktop
    width, on the Welsh edition as on the English one (tests/test_html.py)."""
    import json
    import subprocess

    browser = REPO / "tests" / "browser"
    if not (browser / "node_modules" / "axe-core").is_dir():
        pytest.fail("the browser test packages are missing: run `make test`")
    done = subprocess.run(["node", str(browser / "check-page.mjs"),
                           str(bilingual / "out/progress-report.cy.html"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for width in ("phone", "desktop"):
        assert result[width]["violations"] == [], width
        assert result[width]["passes"] > 10  # axe really ran its rules


def test_the_welsh_editions_direction_of_travel_and_colophon_are_welsh(meetings, runner):
    """The direction of travel (each row's, and what it is measured against), the
    progress chart's "this report" and the colophon come from the Welsh catalog in the
    Welsh edition, marked Welsh (no longer lang="en"); the English edition's are as
    they were."""
    in_welsh(meetings)
    result = run(runner, "build", "--project", str(meetings), "--format", "html",
                 "--since", "ssp-2010-12")
    assert result.exit_code == 0, result.output
    runs = elements(meetings / "out/progress-report.cy.html").runs
    welsh = " ".join(text for text, lang in runs if lang == "cy")
    english_runs = " ".join(text for text, lang in runs if lang == "en")
    # 3.2.4 on track -> off track; 3.2.3 at risk -> on track; R6 added; 3.2.5 unchanged:
    # the status it was named by its Welsh label
    for words in ("Wedi gwaethygu (statws blaenorol: ar y trywydd iawn)",
                  "Wedi gwella (statws blaenorol: mewn perygl)", "Dim newid",
                  "Newydd ers y cyfarfod diwethaf",
                  "Mesurir y cyfeiriad teithio yn erbyn y cynllun fel yr oedd adeg cyfarfod",
                  "Yr adroddiad hwn",
                  "Paratowyd yr adroddiad hwn gan:",
                  "Nodir y newidiadau o'u cymharu â'r cynllun fel yr oedd adeg cyfarfod",
                  # the chart's text alternative, its statuses by their Welsh labels
                  "Siart bar wedi'i bentyrru o nifer y bylchau data", "Y cyntaf: cyfarfod 28",
                  "Yn yr adroddiad hwn (", " i gyd, ", " ar y trywydd iawn,",
                  "Mae'r ffigurau ar gyfer pob cyfarfod yn y tabl sy'n dilyn."):
        assert words in welsh, words
    assert re.search(r"Paratowyd o.r cynllun gweithredu fel y.i cadwyd ar \d+ [A-Z]\w+ "
                     r"20\d\d, gyda newidiadau diweddarach heb eu cadw eto \(drafft\)\.",
                     welsh)
    page = (meetings / "out/progress-report.cy.html").read_text(encoding="utf-8")
    for english in ("Improved (was", "Worse (was", "No change", "Direction of travel is",
                    "This report", "Prepared by", "Prepared from", "Changes are marked",
                    "Stacked bar chart", " on track,", "table that follows"):
        assert english not in page, english
        assert english not in english_runs
    # the English edition says it as before
    page = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    for english in ("Worse (was on track)", "Improved (was at risk)", "No change",
                    "Direction of travel is measured against the plan as it was at the "
                    "meeting of", "This report", "Prepared by the", "Changes are marked "
                    "against the plan as it was at the meeting of",
                    "Stacked bar chart of the number of data gaps and recommendations in "
                    "each status, from the meeting of", "In this report (", " on track,"):
        assert english in page, english
    assert "Wedi gwella" not in page and "Paratowyd" not in page


def test_the_first_report_and_a_plan_not_in_git_are_said_in_welsh():
    """The sentences said when there is nothing to compare with, no chart yet, or no
    version saved: each from the Welsh catalog, and each as before in English."""
    from psa_report.history import Provenance
    from psa_report.plan import colophon
    from psa_report.progress import Point, _progress_view, direction, travel

    cy, en = words_in("cy"), words_in("en")
    assert travel(None, [], cy).sentence.startswith("Adroddiad cyntaf: nid oes cyfarfod")
    assert travel(None, [], en).sentence.startswith("First report: there is no earlier")
    assert travel("fel yr oedd ar 1 Mai 2010", ["R5"], cy).sentence == (
        "Mesurir y cyfeiriad teithio yn erbyn y cynllun fel yr oedd ar 1 Mai 2010.")
    note = _progress_view([], Point("current", date(2011, 3, 14), {}, 0, 0), in_git=False,
                          current_is_last=False, why=None, words=cy).note
    assert note.startswith("Ni ddangosir y cynnydd dros y cyfarfodydd")
    june = Point("ssp", date(2010, 6, 28), {}, 0, 0)
    note = _progress_view([june], Point("current", date(2011, 3, 14), {}, 0, 0),
                          in_git=True, current_is_last=False, why=None, words=cy).note
    assert note.endswith("mae un wedi'i gadw hyd yma (cyfarfod 28 Mehefin 2010).")
    lines = colophon("Swyddog Diogelwch Cymunedol", "Partneriaeth Stockton",
                     date(2011, 3, 14), Provenance(in_git=False), None, cy)
    assert lines == ["Paratowyd yr adroddiad hwn gan: Swyddog Diogelwch Cymunedol, ar "
                     "gyfer Partneriaeth Stockton.",
                     "Paratowyd o ffeiliau cynllun gweithredu nad ydynt yn cael eu cadw dan "
                     "reolaeth fersiynau, felly ni ellir olrhain yr adroddiad hwn i fersiwn "
                     "o'r cynllun a gadwyd."]
    assert colophon("officer", "SSP", date(2011, 3, 14), Provenance(in_git=True), None,
                    )[1] == ("Prepared from an action plan of which no version has been "
                             "saved yet.")
    status = type("S", (), {"value": "odd"})()
    assert direction(status, None, {}, cy).text == "Wedi newid (statws blaenorol: odd)"
    assert direction(status, None, {}).text == "Changed (was odd)"
    assert cy.partnership == "Y Bartneriaeth" and en.partnership == "Partnership"
    # an item that had no status at the last meeting (status_required: false)
    from psa_report.progress import _NONE
    on_track = type("S", (), {"value": "on track"})()
    assert direction(_NONE, on_track, {"on track": 1}, en).text == \
        "Changed (was no status)"
    assert direction(_NONE, on_track, {"on track": 1}, cy).text == \
        f"Wedi newid (statws blaenorol: {cy.no_status.lower()})"
    assert cy.no_status != en.no_status
    # the public edition's note on a field exempt at the last meeting and public now
    assert en.exempt_published("Status") == \
        "Status: exempt information at the last meeting, published now"
    assert cy.exempt_published("Statws") == \
        "Statws: gwybodaeth eithriedig yn y cyfarfod diwethaf, a gyhoeddir yn awr"
    assert cy.exempt_published("").startswith("Gwybodaeth eithriedig yn y cyfarfod")
