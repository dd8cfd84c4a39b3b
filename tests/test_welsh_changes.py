"""What changed since the last meeting, in the Welsh edition (QA F14): the changes
section and the rows' notes say every word in the edition's language (the tool's from
the catalog; kinds, labels and statuses from plan.yaml), the English edition as before;
and a quarter's deadline is "Ch3" in Welsh (QA F11)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import edit, git, run
from test_welsh_editions import make_bilingual

from psa_report.dates import parse_due
from psa_report.wording import WORDS, words_in

TAG = "ssp-2010-03-23"


def _text(html: str, between: str = " ") -> str:
    """The words of a page, its tags taken out (``between``: what each becomes) and its
    spaces made single."""
    words = re.sub(r"<[^>]+>", between, html).replace("&#39;", "'").replace("&gt;", ">")
    return " ".join(words.split())


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    """The bilingual plan tagged as sent to the meeting of 23 March 2010, then 3.2.1's
    status, action and deadline changed, R1's file moved and R6 added; built in both
    languages, in HTML and Word, against that meeting."""
    root = make_bilingual(tmp_path_factory.mktemp("changes") / "plan")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Plan for March", when="2010-03-23")
    git(root, "tag", TAG)
    edit(root, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: at risk\ndue: Q3 2010/11")
    edit(root, "actions/data-gaps/3.2.1.yaml", "action: >-\n  Police to ensure that the "
         "importance of recording victim ethnicity is reiterated to\n  all staff.",
         "action:\n  en: Police to make sure that all staff record victim ethnicity.\n"
         "  cy: Yr Heddlu i sicrhau bod pob aelod o staff yn cofnodi ethnigrwydd dioddefwyr.")
    (root / "actions/recommendations/old").mkdir()
    git(root, "mv", "actions/recommendations/R1.yaml", "actions/recommendations/old/R1.yaml")
    (root / "actions/recommendations/R6.yaml").write_text(
        "ref: R6\nrecommendation: Review the night-time economy.\n"
        "update: Agreed in principle.\nstatus: not started\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "June updates", when="2010-06-20")
    for format_ in ("html", "docx"):
        result = run(CliRunner(), "build", "--project", str(root), "--format", format_,
                     "--since", TAG)
        assert result.exit_code == 0, result.output
    return root


def _changes_section(html: str) -> str:
    start = html.index('<section id="changes"')
    return _text(html[start:html.index("</section>", start)])


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    return " ".join(" ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).split()
                    ).replace("&#39;", "'")


def test_the_welsh_edition_says_what_changed_in_welsh(changed):
    html = (changed / "out/progress-report.cy.html").read_text(encoding="utf-8")
    section = _changes_section(html)
    assert "3.2.1 bwlch data: wedi newid" in section
    assert "Statws: oddi ar y trywydd → mewn perygl" in section
    assert "Cam gweithredu: testun wedi newid" in section
    assert "Erbyn: dim → Ch3 2010/11" in section
    assert ("ffeil wedi symud: actions/recommendations/R1.yaml → "
            "actions/recommendations/old/R1.yaml") in section
    assert "R6 argymhelliad: wedi'i ychwanegu" in section
    for english in ("data gap", "changed", "off track", "at risk", "Action", "none",
                    "Q3", "file moved", "recommendation:", "added"):
        assert english not in section, english
    # the row's note, in the table
    assert ("Wedi newid ers y cyfarfod diwethaf: Statws: oddi ar y trywydd → mewn perygl; "
            "Erbyn: dim → Ch3 2010/11; Cam gweithredu: wedi'i ddiwygio") in _text(html, "")
    # the Word document says the same
    document = _docx_text(changed / "out/progress-report.cy.docx")
    assert "3.2.1 bwlch data: wedi newid" in document
    assert "Statws: oddi ar y trywydd → mewn perygl" in document
    assert "Cam gweithredu: testun wedi newid" in document
    assert "Statws: oddi ar y trywydd → mewn perygl; Erbyn: dim → Ch3 2010/11; Cam " \
        "gweithredu: wedi'i ddiwygio" in document
    assert "data gap: changed" not in document and "off track →" not in document


def test_the_english_edition_says_what_changed_as_before(changed):
    html = (changed / "out/progress-report.html").read_text(encoding="utf-8")
    section = _changes_section(html)
    for line in ("3.2.1 data gap: changed", "Status: off track → at risk",
                 "Action text changed", "Due: none → Q3 2010/11",
                 "file moved: actions/recommendations/R1.yaml → "
                 "actions/recommendations/old/R1.yaml", "R6 recommendation: added"):
        assert line in section, line
    assert ("Changed since the last meeting: Status: off track → at risk; Due: none → Q3 "
            "2010/11; Action revised") in _text(html, "")
    document = _docx_text(changed / "out/progress-report.docx")
    assert "3.2.1 data gap: changed" in document and "Action text changed" in document


def test_the_plans_own_labels_and_statuses_word_the_welsh_changes(tmp_path):
    """A plan's own shape (plan.yaml's kinds, labels and statuses in both languages):
    its Welsh words, not its names, in the Welsh edition's changes."""
    root = make_bilingual(tmp_path / "plan")
    (root / "actions/plan.yaml").write_text(
        "statuses:\n"
        "  - {name: green, colour: green, label: {en: Green, cy: Gwyrdd}}\n"
        "  - {name: amber, colour: amber, exception: true, label: {en: Amber, cy: Ambr}}\n"
        "kinds:\n"
        "  - name: {en: action, cy: cam gweithredu}\n"
        "    plural: {en: actions, cy: camau gweithredu}\n"
        "    folder: data-gaps\n"
        "    heading: {en: Action plan, cy: Cynllun gweithredu}\n"
        '    ref: "3.2.1"\n'
        "    layout: table\n"
        "    fields:\n"
        "      - {name: gap, label: {en: Gap, cy: Bwlch}, type: text}\n"
        "      - {name: lead, label: {en: Lead, cy: Arweinydd}, type: agencies}\n"
        "      - {name: action, label: {en: Action, cy: Cam}, type: text}\n"
        "      - {name: update, label: {en: Update, cy: Diweddariad}, type: text}\n"
        "      - {name: rag, label: {en: RAG, cy: Statws RAG}, type: status}\n"
        "      - {name: due, label: {en: Due, cy: Erbyn}, type: due, required: false}\n"
        "      - {name: done, label: {en: Done, cy: Wedi gwneud}, type: yes-no,"
        " required: false}\n", encoding="utf-8")
    for path in (root / "actions/recommendations").iterdir():
        path.unlink()
    for path in (root / "actions/data-gaps").iterdir():
        text = re.sub(r"(?m)^status: .*$", "rag: green", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Plan for March", when="2010-03-23")
    git(root, "tag", TAG)
    edit(root, "actions/data-gaps/3.2.1.yaml", "rag: green", "rag: amber\ndone: yes")
    git(root, "commit", "-q", "-am", "June updates", when="2010-06-20")
    result = run(CliRunner(), "build", "--project", str(root), "--format", "html",
                 "--since", TAG)
    assert result.exit_code == 0, result.output
    welsh = _changes_section((root / "out/progress-report.cy.html").read_text("utf-8"))
    assert "3.2.1 cam gweithredu: wedi newid" in welsh
    assert "Statws RAG: gwyrdd → ambr" in welsh
    assert f"Wedi gwneud: dim → {words_in('cy').yes.lower()}" in welsh
    english = _changes_section((root / "out/progress-report.html").read_text("utf-8"))
    assert "3.2.1 action: changed" in english
    assert "RAG: green → amber" in english and "Done: none → yes" in english


@pytest.mark.parametrize(("written", "english", "welsh"), [
    ("Q3 2024/25", "Q3 2024/25", "Ch3 2024/25"), ("Q1 2025/26", "Q1 2025/26", "Ch1 2025/26"),
    ("ongoing", "ongoing", "parhaus"), ("2010-09", "2010-09", "2010-09"),
    ("2024/25", "2024/25", "2024/25"),
])
def test_a_deadline_as_written_is_in_the_language(written, english, welsh):
    due = parse_due(written, periods=True)
    assert WORDS.deadline_written(due) == english == str(due)
    assert words_in("cy").deadline_written(due) == welsh


def test_the_welsh_edition_prints_a_quarter_as_ch(tmp_path):
    root = make_bilingual(tmp_path / "plan")
    edit(root, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: off track\ndue: Q4 2009/10")
    result = run(CliRunner(), "build", "--project", str(root), "--format", "html")
    assert result.exit_code == 0, result.output
    welsh = _text((root / "out/progress-report.cy.html").read_text(encoding="utf-8"))
    assert "Ch4 2009/10 (Ionawr – Mawrth 2010)" in welsh
    assert "Q4 2009/10" not in welsh
    english = _text((root / "out/progress-report.html").read_text(encoding="utf-8"))
    assert "Q4 2009/10 (January to March 2010)" in english
