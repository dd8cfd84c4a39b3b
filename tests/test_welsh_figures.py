"""The Welsh edition's "Crime and disorder" section in Welsh (issue 30): every word the
tool writes there comes from the catalog (headings, tables' headers, sentences, the
chart's title and text alternative, months, directions), police.uk's crime types by their
names on police.uk's Welsh pages; a type the catalog does not know, and the indicators'
own (English) names, are printed in English marked lang="en" (w:lang in Word). The
English edition is as it was."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import REPO, run
from docx.oxml.ns import qn
from test_figures import AREA, months, two_years, write_street
from test_welsh_editions import in_welsh

from psa_report.figures_view import CRIME_TYPES, FIGURE_WORDS, FigureWords, direction

UNKNOWN = "Wildlife crime"  # a crime type the catalog has no Welsh for
#: police.uk's names on its Welsh pages (cy.police.uk)
WELSH_TYPES = {"Anti-social behaviour": "Ymddygiad gwrthgymdeithasol",
               "Burglary": "Byrgleriaeth", "Drugs": "Cyffuriau", "All crime": "Pob trosedd"}


def with_figures(root: Path) -> Path:
    """The shipped plan at ``root``, with two years of figures (test_figures.two_years:
    burglary, drugs, ASB; two indicators) and one crime type police.uk's Welsh pages do
    not name; an action names an indicator."""
    shutil.copytree(REPO / "actions", root / "actions")
    two_years(root)
    with open(root / "figures/crime.csv", "a", encoding="utf-8") as handle:
        handle.write(f"2023-11,{UNKNOWN},4\n")
    gap = root / "actions/data-gaps/3.2.1.yaml"
    gap.write_text(gap.read_text(encoding="utf-8") + "indicator: assaults seen at A&E\n",
                   encoding="utf-8")
    return root


def build(root: Path) -> None:
    for fmt in ("html", "docx"):
        result = run(CliRunner(), "build", "--format", fmt, "--project", str(root))
        assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> dict[str, Path]:
    """{"plain": a plan in English alone, "bilingual": the same plan in English and Welsh},
    each built in HTML and Word."""
    base = tmp_path_factory.mktemp("welsh-figures")
    plain = with_figures(base / "plain")
    bilingual = in_welsh(with_figures(base / "bilingual"))
    build(plain)
    build(bilingual)
    return {"plain": plain, "bilingual": bilingual}


def section(root: Path, name: str) -> str:
    page = (root / "out" / name).read_text(encoding="utf-8")
    start = page.index('<section id="figures"')
    return page[start:page.index("</section>", start)]


class Texts(HTMLParser):
    """A section's text: outside any element marked lang="en" (``own``), and inside
    (``english``); the SVG's title and description count as text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # for each open element: inside lang="en"?
        self.own: list[str] = []
        self.english: list[str] = []

    def handle_starttag(self, tag, attrs):
        inside = bool(self.stack and self.stack[-1]) or dict(attrs).get("lang") == "en"
        if tag not in ("rect", "line", "br", "meta", "col"):  # void or self-closed
            self.stack.append(inside)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        (self.english if self.stack and self.stack[-1] else self.own).append(data)


def texts(html: str) -> Texts:
    parser = Texts()
    parser.feed(html)
    return parser


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-zÀ-ÿŵŷŴŶ'’]+", text))


def test_the_welsh_sections_words_are_welsh_and_english_only_where_marked(editions):
    welsh = texts(section(editions["bilingual"], "progress-report.cy.html"))
    english = texts(section(editions["plain"], "progress-report.html"))
    own = " ".join(welsh.own)
    # No word of the English edition's section (the tool's words) is left in the Welsh
    # one's own text, but for the names both share (the area, police.uk, the command,
    # report.yaml's key) and the Welsh words spelt as English ones ("a": and, "bar")
    shared = words_of(own) & words_of(" ".join(english.own))
    assert shared <= {"Stockton", "on", "Tees", "police", "uk", "psa", "report", "figures",
                      "import", "actions", "yaml", "population", "a", "bar"}, shared
    for english_words in (FIGURE_WORDS.crime_type, FIGURE_WORDS.same_quarter,
                          "October to December", "better", "worse", "Down", "Up"):
        assert english_words not in own
    # the crime types by police.uk's Welsh names, numbers and months in Welsh
    for name, cy in WELSH_TYPES.items():
        assert f">{cy}</th>" in section(editions["bilingual"], "progress-report.cy.html")
        assert name not in own
    assert "Hydref – Rhagfyr 2023" in own
    assert "Gostyngiad o 20% (gwell)" in own and "Cynnydd o 50% (gwaeth)" in own
    assert "ar gyfer poblogaeth o 10,000" in own
    assert "Pob trosedd fesul mis, Ionawr 2022 – Rhagfyr 2023" in own  # the chart's title
    assert "Y mis isaf oedd" in own  # its text alternative
    assert re.search(r">Ion</text>", section(editions["bilingual"], "progress-report.cy.html"))
    # English only where marked: the unknown type, the indicators' own names and sources
    assert sorted(set(welsh.english)) == sorted(
        {UNKNOWN, "Assaults seen at A&E", "Victims satisfied", "North Tees A&E",
         "Victim survey"})


def test_an_unknown_crime_type_is_marked_english_in_html_and_word(editions):
    html = section(editions["bilingual"], "progress-report.cy.html")
    assert f'<th scope="row" lang="en">{UNKNOWN}</th>' in html
    assert '<span lang="en">Assaults seen at A&amp;E</span>' in html
    document = docx.Document(str(editions["bilingual"] / "out/progress-report.cy.docx"))
    runs = {run.text: run for table in document.tables for row in table.rows
            for cell in row.cells for paragraph in cell.paragraphs for run in paragraph.runs}
    marked = runs[UNKNOWN]._r.find(qn("w:rPr")).find(qn("w:lang"))
    assert marked is not None and marked.get(qn("w:val")) == "en-GB"
    welsh = runs["Byrgleriaeth"]._r.find(qn("w:rPr"))
    assert welsh is None or welsh.find(qn("w:lang")) is None  # in the document's Welsh
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Trosedd ac anhrefn" in headings and "Pob trosedd fesul mis" in headings
    assert "Crime and disorder" not in headings and "Indicators" not in headings
    header = [cell.text for table in document.tables for cell in table.rows[0].cells]
    assert "Math o drosedd" in header and "Yn erbyn y targed" in header
    assert not {"Crime type", "Change", "Direction", "Target", "Month"} & set(header)


def test_the_english_edition_is_as_a_plan_in_english_alone_prints_it(editions):
    english = section(editions["bilingual"], "progress-report.html")
    assert english == section(editions["plain"], "progress-report.html")
    assert ' lang="' not in english
    assert '<th scope="row">Burglary</th>' in english
    assert f'<th scope="row">{UNKNOWN}</th>' in english
    assert '<th scope="col">Crime type</th>' in english
    assert "Down 20% (better)" in english


def test_every_crime_type_and_word_has_its_welsh():
    welsh = FigureWords.in_language("cy")
    for name in CRIME_TYPES:
        assert welsh.crime(name) != name and not hasattr(welsh.crime(name), "lang")
    assert welsh.crime("Anti-social behaviour") == "Ymddygiad gwrthgymdeithasol"
    assert welsh.crime("Violence and sexual offences") == "Trais a throseddau rhywiol"
    assert welsh.crime(UNKNOWN) == UNKNOWN and welsh.crime(UNKNOWN).lang == "en"
    assert FIGURE_WORDS.crime(UNKNOWN) == UNKNOWN and not hasattr(
        FIGURE_WORDS.crime(UNKNOWN), "lang")
    assert direction(1001, 1000, words=welsh).text == "Cynnydd o lai nag 1% (gwaeth)"
    assert direction(7, 0, words=welsh).text == "Cynnydd o ddim (gwaeth)"
    assert direction(5, None, words=welsh).text == "Dim cymhariaeth"
    for name in ("heading", "crime_type", "rate", "by_month", "earlier_months"):
        assert getattr(welsh, name) != getattr(FIGURE_WORDS, name)


def test_the_figures_commands_read_a_bilingual_plans_report_yaml(tmp_path):
    """`figures import` and `figures` read report.yaml in the plan's languages, as `check`
    does: a {en:, cy:} text is not refused as "Welsh is not one of the plan's languages"."""
    shutil.copytree(REPO / "actions", tmp_path / "plan" / "actions")
    root = in_welsh(tmp_path / "plan")
    with open(root / "actions/report.yaml", "a", encoding="utf-8") as handle:
        handle.write(f"area: {AREA}\n")
    row = ["", "", "Cleveland Police", "Cleveland Police", "-1.3", "54.5", "On or near Road",
           "E01012345", f"{AREA} 001A", "Burglary", "", ""]
    files = [write_street(tmp_path / "police" / f"{m}-cleveland-street.csv",
                          [[f"id{m}", m, *row[2:]]]) for m in months(3)]
    imported = run(CliRunner(), "figures", "import", *map(str, files), "--project", str(root))
    assert imported.exit_code == 0, imported.output
    table = run(CliRunner(), "figures", "--project", str(root))
    assert table.exit_code == 0, table.output
    assert re.search(r"Burglary\s+3\b", table.output), table.output
