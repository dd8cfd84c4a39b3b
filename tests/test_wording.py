"""Every word once: a label changed in the one wording place changes every output."""

from __future__ import annotations

import dataclasses

import docx
import pytest
from pypdf import PdfReader

from psa_report import wording
from psa_report.commands.build import build
from psa_report.shape import default_plan_text


def _renamed(project) -> wording.Words:
    """The kinds' words renamed in the one place they are worded, the plan's plan.yaml
    (here the shipped default's, edited), and the tool's own words in wording.WORDS."""
    text = default_plan_text()
    gap, rec = text.split("  - name: {en: recommendation")
    gap = (gap.replace("heading: {en: Data requirements,", "heading: {en: Information needs,")
           .replace("label: {en: Data gap,", "label: {en: Data need,")
           .replace("label: {en: Status,", "label: {en: RAG,"))
    rec = rec.replace("label: {en: UPDATE,", "label: {en: PROGRESS,")
    (project / "actions/plan.yaml").write_text(gap + "  - name: {en: recommendation" + rec,
                                               encoding="utf-8")
    return dataclasses.replace(wording.WORDS, summary="Position at a glance",
                               lead_agencies="Who leads")


def _docx_text(path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_a_label_changed_in_the_wording_changes_every_output(project, tmp_path, monkeypatch):
    monkeypatch.setattr(wording, "WORDS", _renamed(project))
    out = tmp_path / "out"
    result = build(project, "all", out, no_since=True)
    html = (out / "progress-report.html").read_text(encoding="utf-8")
    pdf = "\n".join(page.extract_text() for page in PdfReader(out / "progress-report.pdf").pages)
    word = _docx_text(out / "progress-report.docx")
    assert len(result.outputs) == 3
    for name, text in (("html", html), ("pdf", pdf), ("docx", word)):
        for new in ("Information needs", "Data need", "RAG", "PROGRESS- ",
                    "Position at a glance", "Who leads"):
            assert new in text, (name, new)
        for old in ("Data requirements", "Data gap\n", "UPDATE- ", "Status summary",
                    "Lead agencies"):
            assert old not in text, (name, old)


def test_the_same_labels_head_the_partner_workbooks(project, tmp_path, monkeypatch, runner):
    """The workbooks' columns are worded from the same labels, and a return headed so
    is read back."""
    import openpyxl
    from conftest import run

    monkeypatch.setattr(wording, "WORDS", _renamed(project))
    out = tmp_path / "req"
    issued = run(runner, "requests", "--project", str(project), "--out", str(out))
    assert issued.exit_code == 0, issued.output
    book = out / "Police-update-request.xlsx"
    sheet = openpyxl.load_workbook(book)["Information needs"]  # the kind's heading
    headers = [c.value for c in sheet[1]]
    assert headers == ["Ref", "Data need", "Lead", "Action", "Current Update", "Current RAG",
                       "Current Due", "New Update", "New RAG", "New Due"]
    instructions = " ".join(str(c.value) for row in openpyxl.load_workbook(book)[
        "Instructions"].iter_rows() for c in row if c.value)
    assert "New RAG" in instructions and "New Status" not in instructions
    assert "Information needs sheet" in instructions
    sheet["I2"] = "on track"
    filled = tmp_path / "returns"
    filled.mkdir()
    sheet.parent.save(filled / book.name)
    (filled / "manifest.json").write_bytes((out / "manifest.json").read_bytes())
    collected = run(runner, "collect", str(filled), "--project", str(project))
    assert collected.exit_code == 0, collected.output
    assert "RAG: off track → on track" in collected.output


@pytest.mark.parametrize(("number", "heading", "printed"), [
    ("3.2", "Victims", "Section 3.2: Victims"),
    ("1", "Priority 1: Reduce violent crime", "Priority 1: Reduce violent crime"),
    ("1.2", "Objective 1.2 Safer streets", "Objective 1.2 Safer streets"),
    ("1", "Priority 12: Other", "Section 1: Priority 12: Other"),
    ("1", "", "Section 1"),
])
def test_a_heading_naming_its_number_is_never_doubled(number, heading, printed):
    assert wording.WORDS.section(number, heading) == printed


def test_the_example_text_of_any_label_reads_right():
    """QA F16: "Describe the what we will do here." read wrong; any label now reads right,
    and the texts earlier versions wrote are still known (check warns of them)."""
    from psa_report.shape import placeholder, placeholders

    assert placeholder("What we will do") == "Write the field's text here: What we will do."
    assert placeholder("Funded?") == "Write the field's text here: Funded?"
    assert placeholders("UPDATE")[1:] == ("Describe the update here.",)
    assert placeholders("Data gap") == ("Write the field's text here: Data gap.",
                                        "Describe the data gap here.")
