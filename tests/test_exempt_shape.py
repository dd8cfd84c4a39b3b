"""Exempt information in a plan of its own shape (issue 28, "Trust, round four"): every
field of every kind may be exempt, and the public edition (HTML, PDF, Word, the
exception report, the preview) leaves it out by its type; a value exempt at the meeting
compared with is quoted in no change and no direction of travel; and no bar of progress
across meetings can be subtracted from another to find an exempt status."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import REPO, edit, git, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from psa_report.commands.build import build
from psa_report.report import html_builder
from psa_report.wording import WORDS

FENLAND = Path(__file__).resolve().parent / "data" / "fenland"
SENTENCE = WORDS.exempt_sentence(7)
SHORT = WORDS.exempt_short(7)


@pytest.fixture
def fenland(tmp_path: Path) -> Path:
    root = tmp_path / "fenland"
    shutil.copytree(FENLAND, root)
    return root


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _public(root: Path, runner) -> dict[str, str]:
    """The public edition's HTML and Word text, and its exception report's HTML."""
    for fmt, more in (("html", ()), ("docx", ()), ("html", ("--exceptions-only",))):
        result = run(runner, "build", "--project", str(root), "--format", fmt,
                     "--as-of", "2025-01-10", *more)
        assert result.exit_code == 0, result.output
    out = root / "out"
    return {"progress-report": (out / "progress-report.html").read_text(encoding="utf-8"),
            "docx": _docx_text(out / "progress-report.docx"),
            "progress-report-exceptions": (out / "progress-report-exceptions.html")
            .read_text(encoding="utf-8")}


def _row(html: str, anchor: str) -> str:
    found = re.search(rf'<tr id="{anchor}".*?</tr>', html, re.S)
    assert found, anchor
    return found.group(0)


def _section(html: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', html, re.S)
    return found.group(0) if found else ""


# ---------------------------------------------------------------- 1. every field of the shape

#: Each field of the Fenland plan's action, the two values written into 1.1.2 (no
#: other action has them: a status of its own, an agency leading nothing else, an
#: overdue deadline), and how the public edition says it is exempt.
FIELDS = {
    "objective": (("ZEBRAOBJECTIVE", "OKAPIOBJECTIVE"), SENTENCE),
    "action": (("ZEBRAACTION", "OKAPIACTION"), SENTENCE),
    "measure": (("ZEBRAMEASURE", "OKAPIMEASURE"), SENTENCE),
    "baseline": (("987654", "123"), SHORT),
    "target": (("876543", "45.5"), SHORT),
    "milestones": (("ZEBRAMILESTONE", "OKAPIMILESTONE"), SENTENCE),
    "lead": (("SecretSquad", "Police, Council"), SHORT),
    "timescale": (("2019-03", "Q1 2020/21"), SENTENCE),
    "progress": (("ZEBRAPROGRESS", "OKAPIPROGRESS " * 200), SENTENCE),
    "rag": (("clandestine", "red"), SHORT),
}
#: How the first values would be printed, were they published (the status and the
#: agency are also named in the summary's columns and the list of agencies, so the two
#: plans' public papers are compared to find them).
PRINTED = ["ZEBRA", "987,654", "876,543", "March 2019", "OKAPI", "45.5", "April 2020"]


def _fenland_item(root: Path, exempt: str, variant: int = 0) -> None:
    """1.1.2 with a distinctive value in every field and ``exempt``: the first of
    :data:`FIELDS`, or the second in each exempt field."""
    plan = root / "actions/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    if "clandestine" not in text:
        plan.write_text(text.replace(
            "  - {name: not yet started, colour: grey}",
            "  - {name: not yet started, colour: grey}\n"
            "  - {name: clandestine, colour: purple, exception: true}"), encoding="utf-8")
        agencies = root / "actions/agencies.yaml"
        agencies.write_text(agencies.read_text(encoding="utf-8") + "SecretSquad: Hush Unit\n",
                            encoding="utf-8")
    hidden = set(FIELDS) if exempt == "7" else set(re.findall(r"(\w+): 7", exempt))
    values = "\n".join(f"{name}: {pair[variant if name in hidden else 0]}"
                       for name, (pair, _) in FIELDS.items())
    (root / "actions/actions/1.1.2.yaml").write_text(
        f"ref: 1.1.2\n{values}\nexempt: {exempt}\n", encoding="utf-8")


@pytest.mark.parametrize("name", [*FIELDS, "whole"])
def test_any_field_of_a_plans_own_shape_is_left_out(fenland: Path, runner, name):
    exempt = "7" if name == "whole" else f"{{{name}: 7}}"
    _fenland_item(fenland, exempt, variant=1)
    other = _public(fenland, runner)
    _fenland_item(fenland, exempt)
    out = _public(fenland, runner)
    # the public papers do not depend on the exempt value at all
    for what, text in out.items():
        assert text == other[what], what
    if name == "whole":
        for what, text in out.items():
            assert [word for word in PRINTED if word in text] == [], what
    elif FIELDS[name][1] == SENTENCE or name in ("baseline", "target"):
        first = FIELDS[name][0][0]
        shown = {"baseline": "987,654", "target": "876,543", "timescale": "March 2019"}
        for what, text in out.items():
            assert shown.get(name, first) not in text, what
    html = out["progress-report"]
    row = _row(html, "action-1-1-2")
    said = SENTENCE if name == "whole" else FIELDS[name][1]
    assert said in row and said in out["docx"]
    uncounted = name in ("whole", "rag", "timescale")
    # an exempt status or deadline is in no count, no overdue list, no exception
    overall = re.search(r"<tfoot>.*?</tfoot>", _section(html, "summary"), re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", overall)[-1] == ("2" if uncounted else "3")
    assert (WORDS.exempt_not_counted(1) in html) == uncounted
    late = re.search(r'<table class="overdue-list">.*?</table>', html, re.S)
    assert (late is not None and ">1.1.2<" in late.group(0)) == (not uncounted)
    # clandestine is an exception: so listed unless the status is exempt
    listed = name not in ("whole", "rag")
    assert ("action-1-1-2" in _section(html, "exceptions")) == listed
    assert ("action-1-1-2" in out["progress-report-exceptions"]) == listed
    # an exempt lead is in no agency's line of the summary, and said exempt in the list
    summary = _section(html, "summary")
    assert ('<abbr title="Hush Unit">' in summary) == (name != "lead" and not uncounted)
    if name == "lead":
        assert f"<td>{SHORT}</td>" in late.group(0)
    if name not in ("whole", "objective"):  # the rest of the row is published
        assert "ZEBRAOBJECTIVE" in row


def test_the_pdf_leaves_the_fields_of_a_plans_own_shape_out(fenland: Path, runner):
    _fenland_item(fenland, "{objective: 7, progress: 7, measure: 7, target: 7, lead: 7, "
                           "rag: 7, timescale: 7}")
    result = run(runner, "build", "--project", str(fenland), "--format", "pdf",
                 "--as-of", "2025-01-10")
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in
                     PdfReader(fenland / "out/progress-report.pdf").pages)
    flat = "".join(text.split())  # a narrow column breaks words anywhere
    for printed in ("ZEBRAOBJECTIVE", "ZEBRAPROGRESS", "ZEBRAMEASURE", "876,543",
                    "March2019"):
        assert printed not in flat, printed
    assert "Exemptinformation:notforpublication" in flat and "Schedule12A,paragraph7" in flat
    assert "ZEBRAACTION" in flat  # not exempt: published


def test_the_preview_leaves_the_fields_of_a_plans_own_shape_out(fenland: Path):
    _fenland_item(fenland, "{progress: 7, rag: 7}")
    html, _, _ = html_builder(fenland)()
    assert "ZEBRAPROGRESS" not in html and SENTENCE in html
    assert "Clandestine" not in _row(html, "action-1-1-2")
    exempt, _, _ = html_builder(fenland, edition="exempt")()
    assert "ZEBRAPROGRESS" in exempt


def test_the_shipped_plan_leaves_out_a_field_the_seed_did_not_name(project: Path, runner):
    """The default plan read like any plan.yaml: its due field and a whole recommendation
    go by their types too (the due as the sentence, never overdue)."""
    edit(project, "actions/data-gaps/3.2.5.yaml", "ref: 3.2.5", "ref: 3.2.5\nexempt: {due: 7}")
    edit(project, "actions/recommendations/R1.yaml", "ref: R1", "ref: R1\nexempt: 7")
    for fmt in ("html", "docx"):
        result = run(runner, "build", "--project", str(project), "--format", fmt,
                     "--as-of", "2010-10-01")
        assert result.exit_code == 0, result.output
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    status = re.search(r'<td class="status-cell".*?</td>', _row(html, "data-gap-3-2-5"),
                       re.S).group(0)
    assert SENTENCE in status and "Overdue" not in status and "September" not in status
    late = re.search(r'<table class="overdue-list">.*?</table>', html, re.S).group(0)
    assert ">3.2.5<" not in late and ">5.2.2<" in late
    block = re.search(r'<li id="recommendation-R1".*?</li>', html, re.S).group(0)
    original = (REPO / "actions/recommendations/R1.yaml").read_text(encoding="utf-8")
    words = re.search(r"recommendation: >-\n\s+(\w+ \w+ \w+)", original).group(1)
    assert words not in block and SENTENCE in block
    text = _docx_text(project / "out/progress-report.docx")
    assert words not in text


# ---------------------------------------------------------------- 2. and 3. meetings

def _meeting(root: Path, tag: str, day: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Plan for {tag}", when=day)
    git(root, "tag", tag)


@pytest.fixture
def fenland_meetings(fenland: Path) -> Path:
    """Fenland at two meetings: 1.1.2's lead (SecretSquad) and status (green) exempt at
    the October meeting, both public and changed (Police, red) now; 2.1.1's status
    exempt at the October meeting only (amber then, not yet started now)."""
    agencies = fenland / "actions/agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8") + "SecretSquad: Hush Unit\n",
                        encoding="utf-8")
    edit(fenland, "actions/report.yaml", "date: 2025-01-10",
         "date: 2024-07-01\nmeeting_tags: \"csp-*\"")
    git(fenland, "init", "-q", "-b", "main")
    _meeting(fenland, "csp-2024-07-01", "2024-07-01")
    item = fenland / "actions/actions/1.1.2.yaml"
    edit(fenland, "actions/actions/1.1.2.yaml", "lead:\n  - Council\n  - Youth Offending Service",
         "lead: SecretSquad")
    edit(fenland, "actions/actions/1.1.2.yaml", "rag: Amber", "rag: green")
    item.write_text(item.read_text(encoding="utf-8") + "exempt: {lead: 7, rag: 7}\n",
                    encoding="utf-8")
    edit(fenland, "actions/actions/2.1.1.yaml", "rag: not-yet-started",
         "rag: amber\nexempt: {rag: 7}")
    edit(fenland, "actions/report.yaml", "date: 2024-07-01", "date: 2024-10-01")
    _meeting(fenland, "csp-2024-10-01", "2024-10-01")
    edit(fenland, "actions/actions/1.1.2.yaml", "lead: SecretSquad", "lead: Police")
    edit(fenland, "actions/actions/1.1.2.yaml", "rag: green", "rag: red")
    edit(fenland, "actions/actions/1.1.2.yaml", "exempt: {lead: 7, rag: 7}\n", "")
    edit(fenland, "actions/actions/2.1.1.yaml", "rag: amber\nexempt: {rag: 7}",
         "rag: not-yet-started")
    edit(fenland, "actions/report.yaml", "date: 2024-10-01", "date: 2025-01-10")
    git(fenland, "commit", "-q", "-am", "January updates", when="2025-01-08")
    return fenland


def test_a_value_exempt_at_the_last_meeting_is_never_quoted(fenland_meetings: Path, runner):
    out = _public(fenland_meetings, runner)
    html = out["progress-report"]
    for what, text in out.items():
        assert "SecretSquad →" not in text and "SecretSquad ->" not in text, what
        assert "was green" not in text and "was amber" not in text, what
        assert "Improved (was" not in text and "Worse (was" not in text, what
    # the changes say that 1.1.2's lead and status, and 2.1.1's status, are published
    # now, as they would if they had not changed, and quote no value
    changes = _section(html, "changes")
    lifted = [WORDS.exempt_published("Lead"), WORDS.exempt_published("RAG")]
    assert re.findall(r"<li>([^<]*)</li>", changes) == [*lifted, lifted[1]]
    assert "SecretSquad" not in changes and "Police" not in changes
    row = _row(html, "action-1-1-2")
    assert WORDS.travel_exempt in row and all(line in row for line in lifted)
    assert WORDS.travel_exempt in _row(html, "action-2-1-1")
    assert WORDS.travel_exempt in out["docx"]
    # red now: an exception by its status, and not "worse" (that would say it was better)
    exceptions = _section(html, "exceptions")
    assert "exceptions-worse" not in exceptions and "action-1-1-2" in exceptions
    assert "No change" in _row(html, "action-1-1-1")  # directions are shown


def _progress_rows(html: str) -> dict[str, list[int]]:
    """Meeting -> its counts: the statuses in the plan's order, the total, the overdue."""
    return {m: [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)]
            for m, row in re.findall(r'<tr data-meeting="([^"]+)">(.*?)</tr>', html, re.S)}


def test_no_bar_gives_an_exempt_status_away(fenland_meetings: Path, runner):
    """1.1.2 and 2.1.1 had exempt statuses at the October meeting: they are in no
    meeting's counts, in the chart or the table, and the note says so."""
    for fmt in ("html", "docx"):
        result = run(runner, "build", "--project", str(fenland_meetings), "--format",
                     fmt, "--as-of", "2025-01-10")
        assert result.exit_code == 0, result.output
    html = (fenland_meetings / "out/progress-report.html").read_text("utf-8")
    public = _progress_rows(html)
    assert len(public) == 3  # July, October, this report
    for meeting, counts in public.items():
        # the statuses (5), the total, the overdue: only 1.1.1 is counted, green
        assert counts[:6] == [0, 1, 0, 0, 0, 1], meeting
    note = WORDS.exempt_not_counted(2)
    assert note in _section(html, "progress")
    chart = re.search(r"<svg.*?</svg>", _section(html, "progress"), re.S).group(0)
    assert re.findall(r'<text class="total"[^>]*>(\d+)</text>', chart) == ["1", "1", "1"]
    assert note in _docx_text(fenland_meetings / "out/progress-report.docx")
    # this report's summary counts them: their statuses are public now
    overall = re.search(r"<tfoot>.*?</tfoot>", _section(html, "summary"), re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", overall)[-1] == "3"


def test_the_shipped_plan_quotes_no_status_exempt_at_the_last_meeting(repo: Path, runner):
    """The shipped plan at the June meeting with 3.2.1's status (off track) exempt;
    on track now and public: no "Improved (was off track)", no "off track → on track",
    and 3.2.1 in no bar."""
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: off track\nexempt: {status: 7}")
    git(repo, "commit", "-q", "-am", "3.2.1's status is exempt", when="2010-06-28")
    git(repo, "tag", "-f", "ssp-2010-06")
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track\nexempt: {status: 7}",
         "status: on track")
    edit(repo, "actions/report.yaml", "date: 2010-06-28", "date: 2010-09-20")
    git(repo, "commit", "-q", "-am", "September", when="2010-09-20")
    git(repo, "tag", "ssp-2010-09-27")
    result = run(runner, "build", "--project", str(repo), "--format", "html",
                 "--since", "ssp-2010-06")
    assert result.exit_code == 0, result.output
    html = (repo / "out/progress-report.html").read_text("utf-8")
    row = _row(html, "data-gap-3-2-1")
    assert "was off track" not in html and "Off track → On track" not in html.replace(
        "off track", "Off track").replace("on track", "On track")
    assert WORDS.travel_exempt in row
    changes = _section(html, "changes")
    assert "<li>Status: exempt information at the last meeting, published now</li>" in changes
    assert "No change" in html  # the others' directions are shown
    assert WORDS.exempt_published("Status") in row
    # the June and September (this report's) meetings: 15 actions each, less 3.2.1
    assert [row[5] for row in _progress_rows(html).values()] == [14, 14]
    assert WORDS.exempt_not_counted(1) in _section(html, "progress")


# ---------------------------------------------------------------- any shape: a property

TEXT_TYPES = ("text", "line")
OTHER_TYPES = ("agencies", "due", "date", "number", "choice", "yes-no")
AGENCIES = {"Police": "Constabulary", "Council": "District Council",
            "Hushone": "Unit one", "Hushtwo": "Unit two"}


def _value(type_: str, secret: int | None, serial: int) -> str:
    """A field's value as written: a public one, or (``secret`` 0 or 1) one of the two
    distinctive values an exempt field takes in the two plans compared."""
    if secret is None:
        return {"text": f"Plain text {serial}.", "line": f"Plain line {serial}",
                "agencies": "Police", "status": "going", "due": "2031-06",
                "date": "2030-05-04", "number": str(100 + serial), "choice": "first",
                "yes-no": "yes"}[type_]
    marker = f"Secret{'AB'[secret]}{serial}x"
    return {"text": marker + (" padding" * 300 if secret else ""), "line": marker,
            "agencies": ["Hushone", "Hushtwo, Council"][secret],
            "status": ["clandestine", "hushed"][secret],
            "due": ["2037-11", "Q2 2038/39"][secret],
            "date": ["2036-02-29", "2035-12-25"][secret],
            "number": ["9876501", "8765409"][secret] + str(serial % 10),
            "choice": ["obsidian", "onyx"][secret], "yes-no": ["yes", "no"][secret]}[type_]


#: What an exempt value of each plan would print like, were it published (the statuses
#: and the agencies are also named in the summary and the agencies list: the comparison
#: of the two plans' public papers finds those).
def _printed(secret: int) -> list[str]:
    return [f"Secret{'AB'[secret]}", ["2037", "2038"][secret], ["2036", "2035"][secret],
            ["9,876,50", "8,765,40"][secret], ["Obsidian", "Onyx"][secret],
            ["obsidian", "onyx"][secret]]


@st.composite
def plans(draw):
    """A random shape (one or two kinds, each its fields of random types, a table or
    blocks), random items, and random exempt marks on random fields or whole items."""
    kinds = []
    for k in range(draw(st.integers(1, 2))):
        types = draw(st.lists(st.sampled_from(TEXT_TYPES + OTHER_TYPES), min_size=0,
                              max_size=5))
        types = [draw(st.sampled_from(TEXT_TYPES)), *types]
        if draw(st.booleans()):
            types.insert(draw(st.integers(0, len(types))), "status")
        fields = [(f"f{k}{i}", t) for i, t in enumerate(types)]
        layout = draw(st.sampled_from(("table", "blocks")))
        items = []
        for n in range(draw(st.integers(1, 3))):
            whole = draw(st.integers(0, 5)) == 0
            marked = [] if whole else draw(st.lists(st.sampled_from(
                [name for name, _ in fields] + ["indicator"]), unique=True, max_size=3))
            items.append((f"{'AB'[k]}{n + 1}", whole, marked))
        kinds.append((k, fields, layout, items))
    return kinds


def _write_plan(root: Path, kinds, secret: int) -> None:
    """The plan's files, each exempt value the ``secret`` one (0 or 1)."""
    if root.exists():
        shutil.rmtree(root)
    actions = root / "actions"
    actions.mkdir(parents=True)
    (actions / "report.yaml").write_text(
        "partnership: Test Partnership\ntitle: Plan\nmeeting: Board\nauthor: Officer\n"
        "date: 2034-01-10\nparagraphs:\n  - A report.\n", encoding="utf-8")
    (actions / "agencies.yaml").write_text(
        "".join(f"{code}: {name}\n" for code, name in AGENCIES.items()), encoding="utf-8")
    lines = ["statuses:", "  - {name: done, colour: blue, done: true}",
             "  - {name: going, colour: green}",
             "  - {name: clandestine, colour: red, exception: true}",
             "  - {name: hushed, colour: amber}", "status_required: false", "kinds:"]
    serial = 0
    for k, fields, layout, items in kinds:
        lines += [f"  - name: kind{k}", f"    folder: kind{k}", f"    ref: \"{'AB'[k]}1\"",
                  f"    layout: {layout}", "    fields:"]
        for name, type_ in fields:
            choices = ", choices: [first, obsidian, onyx]" if type_ == "choice" else ""
            lines.append(f"      - {{name: {name}, type: {type_}, required: false"
                         f"{', partners: true' if type_ in ('text', 'status') else ''}"
                         f"{choices}}}")
        folder = actions / f"kind{k}"
        folder.mkdir()
        for ref, whole, marked in items:
            body = [f"ref: {ref}"]
            for name, type_ in fields:
                serial += 1
                hidden = whole or name in marked
                body.append(f"{name}: {_value(type_, secret if hidden else None, serial)}")
            if whole:
                body.append("exempt: 7")
            elif marked:
                body.append("exempt: {" + ", ".join(f"{m}: 7" for m in marked) + "}")
            (folder / f"{ref}.yaml").write_text("\n".join(body) + "\n", encoding="utf-8")
    (actions / "plan.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _papers(root: Path) -> dict[str, str]:
    """The public edition's HTML and Word text, and its exception report's HTML."""
    out = root / "out"
    build(root, "html", out)
    build(root, "docx", out)
    build(root, "html", out, exceptions_only=True)
    return {"html": (out / "progress-report.html").read_text(encoding="utf-8"),
            "docx": _docx_text(out / "progress-report.docx"),
            "exceptions": (out / "progress-report-exceptions.html").read_text("utf-8")}


#: The strategy, made once (a composite strategy has no source for conftest's marking).
PLANS = plans()


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kinds=PLANS)
def test_no_exempt_value_of_any_shape_reaches_a_public_paper(tmp_path: Path, kinds):
    """Two plans alike but for their exempt values print the same public papers, and
    none of those values is in them."""
    papers = []
    for secret in (0, 1):
        root = tmp_path / "plan"
        _write_plan(root, kinds, secret)
        papers.append(_papers(root))
        for what, text in papers[-1].items():
            found = [word for word in _printed(secret) if word in text]
            assert found == [], (what, found)
    for what in papers[0]:
        assert papers[0][what] == papers[1][what], what
    if any(whole or marked for _, _, _, items in kinds for _, whole, marked in items
           if whole or set(marked) - {"indicator"}):
        assert "Schedule 12A" in papers[0]["html"]


def test_an_action_wholly_exempt_at_the_last_meeting(repo: Path, runner):
    """R1 (not started) wholly exempt at the June meeting, on track and public now: one
    line says so, with no field quoted and no direction."""
    edit(repo, "actions/recommendations/R1.yaml", "ref: R1", "ref: R1\nexempt: 7")
    git(repo, "commit", "-q", "-am", "R1 is exempt", when="2010-06-28")
    git(repo, "tag", "-f", "ssp-2010-06")
    edit(repo, "actions/recommendations/R1.yaml", "ref: R1\nexempt: 7", "ref: R1")
    edit(repo, "actions/recommendations/R1.yaml", "status: not started", "status: on track")
    edit(repo, "actions/report.yaml", "date: 2010-06-28", "date: 2010-09-20")
    git(repo, "commit", "-q", "-am", "September", when="2010-09-20")
    result = run(runner, "build", "--project", str(repo), "--format", "html",
                 "--since", "ssp-2010-06")
    assert result.exit_code == 0, result.output
    html = (repo / "out/progress-report.html").read_text("utf-8")
    changes = _section(html, "changes")
    entry = re.search(r"<li><strong>R1</strong>.*?</li>\s*</ul>", changes, re.S).group(0)
    assert re.findall(r"<li>([^<]*)</li>", entry) == [WORDS.exempt_published("")]
    block = re.search(r'<li id="recommendation-R1".*?</li>', html, re.S).group(0)
    assert WORDS.travel_exempt in block
    assert "was not started" not in html and "not started →" not in html.lower()
