"""The built report carries every word of the June 2010 report it replaces."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader


class _Text(HTMLParser):
    """Visible text of an HTML page, a space between elements (not inside <sup>)."""

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag != "sup":
            self.chunks.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag != "sup":
            self.chunks.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.chunks).split())


def seed_cells(seed: str) -> list[str]:
    """The seed's text, cell by cell and line by line, markdown and markup removed."""
    cells = []
    for line in seed.splitlines():
        line = re.sub(r"</?sup>|\*\*|^#+\s*", "", line.strip())
        for cell in line.split("\t"):
            cell = re.sub(r"^(?:- |\d+\. )", "", cell.strip()).strip()
            if cell:
                cells.append(" ".join(cell.split()))
    return cells


def sentences(cells: list[str]) -> list[str]:
    found = []
    for cell in cells:
        found += [s for s in re.split(r"(?<=[.:])\s+(?=[A-Z])", cell) if s]
    return found


def test_seed_is_read_as_expected(seed_text):
    cells = seed_cells(seed_text)
    # The covering paragraphs, the table header, ten rows of five cells, five
    # recommendations with five updates: a broken splitter would fail here.
    assert "Ref" in cells and "Community Safety Analyst" in cells
    assert sum(1 for c in cells if re.fullmatch(r"\d+\.\d+\.\d+", c)) == 10
    assert sum(1 for c in cells if c.startswith("UPDATE- ")) == 5
    assert len(sentences(cells)) > 60


def test_every_sentence_of_the_seed_is_in_the_html(built, seed_text):
    text = html_text(built["html"].read_text(encoding="utf-8"))
    missing = [s for s in sentences(seed_cells(seed_text)) if s not in text]
    assert missing == []


def words(text: str) -> set[str]:
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1 \2", text)
    return set(re.findall(r"[A-Za-z0-9&]+", text))


@pytest.fixture(scope="module")
def pdf_text(built) -> str:
    reader = PdfReader(built["pdf"])
    return "\n".join(page.extract_text() for page in reader.pages)


def test_every_word_of_the_seed_is_in_the_pdf(pdf_text, seed_text):
    seed = " ".join(seed_cells(seed_text))
    missing = sorted(words(seed) - words(pdf_text))
    assert missing == []


def test_pdf_reads_in_the_report_order(pdf_text):
    # The Exceptions page names refs before the tables: each marker is looked for after
    # the one before it.
    order = ["Members will recall", "Community Safety Analyst", "Exceptions",
             "The following data requirements", "3.2.1", "3.2.5", "4.2.1", "5.2.2",
             "In addition to the data requirements", "Status summary",
             "Progress across meetings"]
    positions, at = [], 0
    for marker in order:
        at = pdf_text.find(marker, at)
        positions.append(at)
    assert -1 not in positions, dict(zip(order, positions))


def test_covering_page_is_signed_and_dated_with_an_ordinal(built):
    html = built["html"].read_text(encoding="utf-8")
    assert '<time datetime="2010-06-28">28<sup>th</sup> June 2010</time>' in html
    assert "presented on 23<sup>rd</sup> March 2010." in html
    paragraphs = re.findall(r"<ol class=\"paragraphs\">(.*?)</ol>", html, re.S)[0]
    assert paragraphs.count("<li>") == 6
    assert paragraphs.index("Members will recall") < paragraphs.index("Members are asked")


def test_data_gaps_are_grouped_by_section_in_natural_order(built):
    html = built["html"].read_text(encoding="utf-8")
    sections = re.findall(r'<section id="section-([\d-]+)"', html)
    assert sections == ["3-2", "4-2", "5-2"]
    refs = re.findall(r'<tr id="data-gap-([\d-]+)"[ >]', html)
    assert refs == ["3-2-1", "3-2-2", "3-2-3", "3-2-4", "3-2-5", "4-2-1", "4-2-2", "4-2-3",
                    "5-2-1", "5-2-2"]
    header = re.findall(r"<thead>\s*<tr>(.*?)</tr>", html, re.S)[0]
    assert re.findall(r">([^<>]+)</th>", header) == ["Ref", "Data gap", "Lead", "Action",
                                                      "Update", "Status"]


def test_each_recommendation_has_its_update_and_status(built):
    text = html_text(built["html"].read_text(encoding="utf-8"))
    assert text.count("UPDATE- ") == 5
    assert "UPDATE- An ASB profile was completed in May 2010." in text
    for word in ("Not started", "Complete", "On track", "At risk"):
        assert word in text


def test_the_meeting_date_is_on_the_covering_page_and_dates_the_overdue_list(runner,
                                                                              project):
    from conftest import run

    path = project / "actions/report.yaml"
    path.write_text(path.read_text().replace("date: 2010-06-28",
                                             "date: 2010-06-28\nmeeting_date: 2010-10-14"))
    assert run(runner, "build", "--format", "html", "--project", str(project)).exit_code == 0
    html = (project / "out/progress-report.html").read_text()
    assert ('Report to the Safer Stockton Partnership, meeting of <time datetime="2010-10-14">'
            '14 October 2010</time>') in html
    # 3.2.5 and 5.2.2 were due by September 2010: overdue by the meeting, not by 28 June.
    assert "Overdue actions as at 14 October 2010" in html
    assert re.search(r"<th scope=\"row\">3\.2\.5</th><td>SBC</td><td>September 2010</td>"
                     r"<td>14</td>", html)


def test_without_git_on_the_computer_the_page_says_so_and_its_properties_why(
        runner, project, monkeypatch, tmp_path):
    from conftest import run

    monkeypatch.setenv("PATH", str(tmp_path))  # no git to be found
    assert run(runner, "build", "--format", "html", "--project", str(project)).exit_code == 0
    html = (project / "out/progress-report.html").read_text()
    assert "Prepared from action plan files that are not kept under version control" in html
    assert ('<meta name="psa-report.version" content="not in git: git is not installed on '
            "this computer") in html


def test_each_recommendation_leads_with_its_number_and_status(built):
    html = built["html"].read_text()
    item = re.search(r'<li id="recommendation-R1" class="block">(.*?)</li>', html, re.S)[1]
    head, _, rest = item.partition("</p>")
    assert '<span class="ref">R1</span>' in head and 'class="status status-' in head
    assert "UPDATE-" in rest and "UPDATE-" not in head
    text = " ".join(PdfReader(built["pdf"]).pages[-3].extract_text().split()) + " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(built["pdf"]).pages)
    assert re.search(r"R1 (On track|At risk|Off track|Complete|Not started)", text)
