"""Editions (issue 22): exempt information under Schedule 12A, the public edition that
leaves it out, the exempt edition marked NOT FOR PUBLICATION, both as one set, and the
exception report."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import edit, run
from pypdf import PdfReader

from psa_report.loader import load_text
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.request_plan import plan_requests
from psa_report.shape import default_shape, validate_item
from psa_report.workbook_out import issue_requests

#: Words written into exempt fields only: none may reach a public paper.
MARKERS = ("ZEBRAPLUM", "QUINCEHARBOUR", "KIWIMARROW", "FIGLANTERN", "PLUMWAGON",
           "OKAPIGRAVEL")


def _exempt_plan(project: Path) -> Path:
    """The shipped plan with exempt information of every kind, a marker word in each
    exempt text: 3.2.1 (off track) wholly exempt; 3.2.2's update; R2's recommendation
    and update (two paragraphs); 4.2.2's status, lead and deadline (overdue)."""
    edit(project, "actions/data-gaps/3.2.1.yaml", "update: >-\n", "update: >-\n  ZEBRAPLUM\n")
    edit(project, "actions/data-gaps/3.2.1.yaml", "gap: >-\n", "gap: >-\n  QUINCEHARBOUR\n")
    edit(project, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: off track\nexempt: 7")
    edit(project, "actions/data-gaps/3.2.2.yaml", "update: >-\n", "update: >-\n  KIWIMARROW\n")
    edit(project, "actions/data-gaps/3.2.2.yaml", "status: off track",
         "status: off track\nexempt: {update: 1}")
    edit(project, "actions/recommendations/R2.yaml", "update: >-\n",
         "update: >-\n  FIGLANTERN\n")
    edit(project, "actions/recommendations/R2.yaml", "recommendation: >-\n",
         "recommendation: >-\n  PLUMWAGON\n")
    edit(project, "actions/recommendations/R2.yaml", "status: complete",
         "status: complete\nexempt:\n  update: 1\n  recommendation: 7")
    edit(project, "actions/data-gaps/4.2.2.yaml", "status: off track",
         "status: off track\ndue: 2010-03\nexempt: {status: 7, lead: 7, due: 7}")
    return project


def _pdf(path: Path) -> tuple[list[str], str]:
    """The text of each page; the metadata (document info and XMP) with every alt text
    and actual text of the structure tree."""
    import pikepdf

    reader = PdfReader(path)
    hidden = [str(dict(reader.metadata))]
    with pikepdf.open(path) as pdf:
        hidden.append(pdf.open_metadata().__str__())
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                hidden += [str(obj[key]) for key in ("/Alt", "/ActualText", "/T", "/E")
                           if key in obj]
    return [page.extract_text() for page in reader.pages], "\n".join(hidden)


def _docx(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    props = document.core_properties
    parts += [str(getattr(props, name)) for name in ("title", "subject", "keywords", "comments",
                                                     "category", "content_status", "author")]
    # alt texts (the chart's description, table descriptions) are in the XML
    parts.append(document.element.xml)
    return "\n".join(parts)


def _outputs(out: Path, stem: str) -> dict[str, str]:
    pages, meta = _pdf(out / f"{stem}.pdf")
    return {"html": (out / f"{stem}.html").read_text(encoding="utf-8"),
            "pdf": "\n".join(pages), "pdf metadata": meta, "docx": _docx(out / f"{stem}.docx")}


def _section(html: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def compared(repo: Path) -> Path:
    """The shipped plan saved for the June meeting, then made exempt with changes since
    (statuses, updates), so the changes section, the directions of travel and the
    exceptions all have exempt items to leave out."""
    _exempt_plan(repo)
    edit(repo, "actions/data-gaps/4.2.2.yaml", "status: off track", "status: at risk")
    edit(repo, "actions/data-gaps/3.2.2.yaml", "status: off track", "status: at risk")
    return repo


def test_no_exempt_word_reaches_the_public_edition(compared: Path, runner):
    out = compared / "out"
    result = run(runner, "build", "--project", str(compared), "--format", "all",
                 "--edition", "both", "--since", "ssp-2010-06", "--as-of", "2010-06-28")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "progress-report-exempt.docx", "progress-report-exempt.html",
        "progress-report-exempt.pdf", "progress-report.docx", "progress-report.html",
        "progress-report.pdf"]
    public = _outputs(out, "progress-report")
    for what, text in public.items():
        assert [m for m in MARKERS if m in text] == [], what
        assert "NOT FOR PUBLICATION" not in text, what
    html = public["html"]
    # where the exempt text was, the sentence saying so, with its paragraph
    sentence = ("Exempt information: not for publication (Local Government Act 1972, "
                "Schedule 12A, paragraph 7)")
    assert sentence in html and sentence in public["pdf"].replace("\n", " ")
    assert sentence in public["docx"]
    assert "Schedule 12A, paragraph 1)" in html  # 3.2.2's and R2's updates
    row = re.search(r'<tr id="data-gap-3-2-1".*?</tr>', html, re.S).group(0)
    assert "Exempt (Schedule 12A, paragraph 7)" in row and "Police" not in row
    # the wholly exempt 3.2.1 (off track) and 4.2.2 (exempt status, lead, deadline) are
    # in no list that would give their status away
    for ident in ("exceptions", "changes", "summary"):
        part = _section(html, ident)
        assert part, ident
        assert ">3.2.1<" not in part and ">4.2.2<" not in part, ident
    assert ">3.2.2<" in _section(html, "changes")  # its status change is public
    assert "update text changed" not in _section(html, "changes")  # its update is not
    row = re.search(r'<tr id="data-gap-4-2-2".*?</tr>', html, re.S).group(0)
    assert ">Court<" not in row and "Overdue" not in row and "Improved" not in row
    assert "Due" not in row and "March 2010" not in row
    assert "2 actions whose status or deadline is exempt information are not counted" in html
    overall = re.search(r"<tfoot>.*?</tfoot>", _section(html, "summary"), re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", overall)[-1] == "13"  # 15 less 3.2.1 and 4.2.2
    # the exempt edition has every word, marked on every page and in its properties
    exempt = _outputs(out, "progress-report-exempt")
    for what, text in exempt.items():
        assert all(m in text for m in MARKERS[:5]) or what == "pdf metadata", what
        assert "NOT FOR PUBLICATION" in text, what
    pages, meta = _pdf(out / "progress-report-exempt.pdf")
    assert all("NOT FOR PUBLICATION: Schedule 12A, paragraphs 1 and 7" in p for p in pages)
    assert "paragraphs 1 and 7 of Part 1 of Schedule 12A" in meta
    props = docx.Document(str(out / "progress-report-exempt.docx")).core_properties
    assert props.subject.startswith("NOT FOR PUBLICATION") and props.content_status
    footer = docx.Document(str(out / "progress-report-exempt.docx")).sections[0].footer
    assert "NOT FOR PUBLICATION" in " ".join(p.text for p in footer.paragraphs)


def test_the_public_exception_report_has_no_exempt_word(compared: Path, runner):
    out = compared / "out"
    result = run(runner, "build", "--project", str(compared), "--format", "all",
                 "--exceptions-only", "--edition", "both", "--since", "ssp-2010-06")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        f"progress-report-exceptions{e}.{f}" for e in ("-exempt", "")
        for f in ("docx", "html", "pdf")]
    public = _outputs(out, "progress-report-exceptions")
    for what, text in public.items():
        assert [m for m in MARKERS if m in text] == [], what
    assert "data-gap-3-2-1" not in public["html"]  # exempt, so not an exception in public
    exempt = _outputs(out, "progress-report-exceptions-exempt")
    assert 'id="data-gap-3-2-1"' in exempt["html"] and "ZEBRAPLUM" in exempt["html"]


def test_the_exception_report(project: Path, runner):
    out = project / "out"
    result = run(runner, "build", "--project", str(project), "--format", "all",
                 "--exceptions-only")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "progress-report-exceptions.docx", "progress-report-exceptions.html",
        "progress-report-exceptions.pdf"]
    html = (out / "progress-report-exceptions.html").read_text(encoding="utf-8")
    full = load_project(project)
    exceptional = {i.ref for i in full.items if i.status.value in ("off track", "at risk")}
    assert exceptional  # the shipped plan has some
    shown = set(re.findall(r'<tr id="data-gap-([0-9-]+)"', html))
    shown = {s.replace("-", ".") for s in shown} | set(
        re.findall(r'<li id="recommendation-(R\d+)"', html))
    assert shown == exceptional
    # every row in full: its action and update, not only the first paragraph
    item = next(i for i in full.kind_items["data gap"] if i.ref in exceptional)
    assert item.action.split()[0] in _section(html, f"section-{item.section.replace('.', '-')}")
    assert _section(html, "summary") and _section(html, "exceptions")
    assert "changes" not in re.findall(r'<section id="([a-z-]+)"', html)
    assert 'id="progress"' not in html
    assert "it shows only the data gaps and recommendations that are off track, at risk or " \
           "overdue, or worse since the last meeting" in html
    assert "The full report, with all data gaps and recommendations (15 in all), is " \
           "published alongside it as progress-report (PDF, HTML and Word)." in html
    assert ": exception report" in html
    pages, meta = _pdf(out / "progress-report-exceptions.pdf")
    assert "The full report" in "\n".join(pages) and "exception report" in meta
    text = _docx(out / "progress-report-exceptions.docx")
    assert "The full report, with all data gaps and recommendations (15 in all)" in text
    assert "3.2.4" not in [c.text for t in docx.Document(
        str(out / "progress-report-exceptions.docx")).tables for r in t.rows
        for c in r.cells[:1]]  # on track: not an exception


def test_no_exempt_edition_without_exempt_information(project: Path, runner):
    result = run(runner, "build", "--project", str(project), "--format", "html",
                 "--edition", "exempt")
    assert result.exit_code == 2
    assert "no action is marked exempt" in result.output
    assert not (project / "out").exists()


@pytest.mark.parametrize(("line", "where", "message"), [
    ("exempt: 9", ":{n}:9:", "'9' is not a paragraph of Schedule 12A: write a number from 1 to 7"),
    ("exempt: {updte: 1}", ":{n}:10:", "exempt.updte: 'updte' is not a field of a data gap. "
     "Did you mean 'update'?"),
    ("exempt:\n  update: 1\n  gap: eight", ":{n2}:8:", "exempt.gap: 'eight' is not a "
     "paragraph of Schedule 12A"),
    ("exempt:", ":{n}:", "exempt: is empty: write the paragraph of Schedule 12A"),
])
def test_a_bad_exemption_is_named_at_its_line(project: Path, runner, line, where, message):
    path = project / "actions/data-gaps/3.2.5.yaml"
    text = path.read_text(encoding="utf-8")
    n = len(text.splitlines()) + 1  # the exemption's first line
    where = where.format(n=n, n2=n + 2)
    path.write_text(text + line + "\n", encoding="utf-8")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert f"actions/data-gaps/3.2.5.yaml{where}" in result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_exemption_of_a_kind_of_its_own_is_checked():
    shape = default_shape()
    gap = shape.kinds[0]
    base = ("ref: 3.2.1\ngap: g\nlead: SBC\naction: a\nupdate: u\nstatus: on track\n")
    item = validate_item(load_text(base + "exempt: {update: 1, gap: 7}\n", "x.yaml"), gap, shape)
    assert item.values["exempt"] == {"update": 1, "gap": 7}
    assert validate_item(load_text(base + "exempt: 7\n", "x.yaml"), gap, shape).values["exempt"] \
        == {"": 7}
    with pytest.raises(Invalid) as raised:
        validate_item(load_text(base + "exempt:\n  updat: 1\n  gap: 0\n", "x.yaml"), gap, shape)
    messages = [str(p) for p in raised.value.problems]
    assert messages[0].startswith("x.yaml:8:3: exempt.updat: 'updat' is not a field of a "
                                  "data gap. Did you mean 'update'?")
    assert messages[1].startswith("x.yaml:9:8: exempt.gap: '0' is not a paragraph")


def test_a_partners_workbook_says_which_edition_it_shows(project: Path):
    _exempt_plan(project)
    books = {b.agency: b.path for b in issue_requests(plan_requests(load_project(project)),
                                                       project / "out/requests")}
    police = openpyxl.load_workbook(books["Police"])  # 3.2.1, wholly exempt
    words = " ".join(c.value for c in police["Instructions"]["A"] if c.value)
    assert "Exempt edition: NOT FOR PUBLICATION" in words and "paragraph 7" in words
    # a sheet per kind, named by its heading: 3.2.1 is a data gap
    updates = " ".join(str(c.value) for row in police["Data requirements"].iter_rows()
                       for c in row)
    assert "ZEBRAPLUM" in updates  # the lead wrote it, and updates it
    assert police.properties.subject.startswith("NOT FOR PUBLICATION")
    sbc = openpyxl.load_workbook(books["JSU"])
    words = " ".join(c.value for c in sbc["Instructions"]["A"] if c.value)
    assert "nothing in this workbook is exempt information" in words


def test_the_preview_shows_the_public_edition_unless_asked(project: Path):
    from psa_report.report import html_builder

    _exempt_plan(project)
    html, _, _ = html_builder(project)()
    assert not any(m in html for m in MARKERS)
    html, _, _ = html_builder(project, edition="exempt")()
    assert "ZEBRAPLUM" in html and "NOT FOR PUBLICATION" in html


def test_the_exempt_status_sits_in_a_shaded_word_cell(project: Path, runner):
    _exempt_plan(project)
    result = run(runner, "build", "--project", str(project), "--format", "docx")
    assert result.exit_code == 0, result.output
    document = docx.Document(str(project / "out/progress-report.docx"))
    cells = [c for t in document.tables for r in t.rows for c in r.cells
             if c.text.startswith("Exempt (Schedule 12A")]
    # 3.2.1 and 4.2.2: the lead cell says so, and the status cell, shaded white (its
    # own look: never a status's tint such as not-started grey)
    assert len(cells) == 4
    assert ['w:fill="FFFFFF"' in cell._tc.xml for cell in cells] == [False, True] * 2
    assert not any('w:fill="E2E2E2"' in cell._tc.xml for cell in cells)


def test_git_is_not_needed(project: Path, runner):
    """The editions do not depend on the meetings: a plan not in git builds both."""
    _exempt_plan(project)
    result = run(runner, "build", "--project", str(project), "--format", "html",
                 "--edition", "both")
    assert result.exit_code == 0, result.output
    assert "ZEBRAPLUM" not in (project / "out/progress-report.html").read_text("utf-8")
    assert "ZEBRAPLUM" in (project / "out/progress-report-exempt.html").read_text("utf-8")


def test_the_current_bar_leaves_out_an_exempt_status(meetings: Path, runner):
    """Progress across meetings: every meeting's counts leave 3.2.4 (off track now,
    wholly exempt) out of the public edition, so no bar can be subtracted from the next
    to find its status (issue 28); the note says one action is not counted."""
    edit(meetings, "actions/data-gaps/3.2.4.yaml", "status: off track",
         "status: off track\nexempt: 7")
    result = run(runner, "build", "--project", str(meetings), "--format", "html",
                 "--edition", "both")
    assert result.exit_code == 0, result.output

    def rows(name: str) -> dict[str, list[str]]:
        html = (meetings / "out" / name).read_text(encoding="utf-8")
        return {m: re.findall(r"<td[^>]*>([^<]*)</td>", row) for m, row in re.findall(
            r'<tr data-meeting="([^"]+)">(.*?)</tr>', html, re.S)}

    public, exempt = rows("progress-report.html"), rows("progress-report-exempt.html")
    assert list(public) == list(exempt) and len(public) >= 3
    *earlier, now = public
    # Date, five statuses in the plan's order (off track last), total, overdue: 3.2.4 was
    # on track at the earlier meetings and is off track now; each total is one fewer
    for meeting in earlier:
        assert int(public[meeting][2]) == int(exempt[meeting][2]) - 1, meeting
        assert int(public[meeting][6]) == int(exempt[meeting][6]) - 1, meeting
    assert int(public[now][5]) == int(exempt[now][5]) - 1
    assert int(public[now][6]) == int(exempt[now][6]) - 1
    html = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    note = re.search(r'<section id="progress".*?</section>', html, re.S).group(0)
    assert "1 action whose status or deadline is exempt information is not counted" in note


def test_both_editions_are_written_together_or_not_at_all(project: Path, runner, monkeypatch):
    """The exempt edition's Word file fails: the public edition is not written either,
    and what was in out/ before is kept."""
    import psa_report.docx_render as docx_render

    _exempt_plan(project)
    (project / "out").mkdir()
    (project / "out/progress-report.html").write_text("the last good report", "utf-8")
    real = docx_render.write_docx

    def failing(plan, target, template=None):
        if plan.edition == "exempt":
            raise OSError(28, "No space left on device")
        real(plan, target, template)

    monkeypatch.setattr(docx_render, "write_docx", failing)
    monkeypatch.delenv("PSA_REPORT_DEBUG")
    result = run(runner, "build", "--project", str(project), "--format", "all",
                 "--edition", "both")
    assert result.exit_code != 0
    assert sorted(p.name for p in (project / "out").iterdir()) == ["progress-report.html"]
    assert (project / "out/progress-report.html").read_text("utf-8") == "the last good report"


def test_an_exempt_lead_is_in_no_agencys_line(project: Path, runner):
    """3.2.3's lead (Police) is exempt, its status and deadline are not: it is counted
    overall and listed as overdue, under no agency."""
    edit(project, "actions/data-gaps/3.2.3.yaml", "status: on track",
         "status: on track\ndue: 2010-03\nexempt: {lead: 2}")
    result = run(runner, "build", "--project", str(project), "--format", "html")
    assert result.exit_code == 0, result.output
    html = (project / "out/progress-report.html").read_text("utf-8")
    late = re.search(r'<table class="overdue-list">.*?</table>', html, re.S).group(0)
    assert re.search(r"<th scope=\"row\">3.2.3</th><td>Exempt \(Schedule 12A, paragraph 2\)"
                     r"</td>", late)
    summary = _section(html, "summary")
    police = re.search(r'<abbr title="Cleveland Police">Police</abbr></th>(.*?)</tr>',
                       summary, re.S).group(1)
    overall = re.search(r"<tfoot>.*?</tfoot>", summary, re.S).group(0)
    full = load_project(project)
    police_items = [i for i in full.items if "Police" in i.lead]
    assert re.findall(r"<td>(\d+)</td>", police)[-1] == str(len(police_items) - 1)
    assert re.findall(r"<td>(\d+)</td>", overall)[-1] == str(len(full.items))
    assert "not counted here" not in summary
