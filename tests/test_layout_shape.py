"""Layout from the plan's shape (issue 27): a plan of its own fields prints on landscape
table pages with every word whole, rows packed, in few pages; and the papers' loose ends
(footer on one line, figures' wording, thousands in day counts, one status palette, the
exempt badge, empty fields on the phone cards)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pytest
from conftest import REPO, edit, run
from pypdf import PdfReader

from psa_report import editions, plan, progress, wording
from psa_report.figures_view import CrimeRow, direction
from psa_report.shape import COLOURS, StatusDef, default_shape

STATUSES = ["complete", "green", "amber", "red", "not started"]
STATUS_LABELS = ["Complete", "Green", "Amber", "Red", "Not started"]
AGENCIES = {
    "Police": "Cambridgeshire Constabulary",
    "Fire and Rescue": "Cambridgeshire Fire and Rescue Service",
    "Youth Offending Service": "Cambridgeshire Youth Offending Service",
    "Community Safety Team": "Fenland District Council Community Safety Team",
    "Public Health": "Cambridgeshire County Council Public Health",
    "Probation": "Probation Service, East of England",
}
LABELS = ["Ref", "Action", "Lead officer", "Lead agency", "Supporting partners",
          "Milestones", "RAG", "Funding", "Measure of success", "Update"]
MEASURES = ["Fewer repeat victims", "More referrals", "Public confidence",
            "Fewer incidents"]
PLAN_YAML = """\
statuses:
  - {name: complete, colour: blue, done: true}
  - {name: green, colour: green}
  - {name: amber, colour: amber, exception: true}
  - {name: red, colour: red, exception: true}
  - {name: not started, colour: grey}
kinds:
  - name: action
    folder: actions
    heading: Delivery plan
    ref: "1.1.1"
    layout: table
    fields:
      - {name: action, label: Action, type: text}
      - {name: officer, label: Lead officer, type: line}
      - {name: lead, label: Lead agency, type: agencies}
      - {name: partners, label: Supporting partners, type: agencies, required: false}
      - {name: milestones, label: Milestones, type: text, required: false}
      - {name: target, label: Target date, type: due}
      - {name: rag, label: RAG, type: status, partners: true}
      - {name: funding, label: Funding, type: number, required: false}
      - name: measure
        label: Measure of success
        type: choice
        choices: [MEASURES]
      - {name: update, label: Update, type: text, partners: true}
""".replace("MEASURES", ", ".join(MEASURES))
ACTIONS = [
    "Run joint licensing visits to late-night premises in Wisbech and March, with the "
    "licensing officers of the council and the police's licensing team.",
    "Commission a domestic abuse outreach service for the rural villages.",
    "Train door staff in spotting vulnerability and in safeguarding referrals.",
    "Deliver the healthy relationships programme in every secondary school of the district, "
    "with a session for parents each term and a survey of the pupils before and after.",
    "Map hot spots of anti-social behaviour each month and share them with partners.",
]
UPDATES = [
    "28 joint visits made by the end of November; two premises warned in writing.",
    "Procurement completed in October. The provider starts in January, later than "
    "planned because the first tender drew no bids; the service will run until March "
    "2026 and report each quarter to the board.",
    "On track.",
    "The programme has reached eleven of the fourteen schools. The remaining three are "
    "booked for the spring term. Feedback from pupils has been positive and teachers have "
    "asked for a second session on online harms, which the provider is designing.",
    "Delayed: the analyst post was vacant from July to September.",
]


def make_plan(root: Path, actions: int = 26) -> Path:
    """A plan of its own shape: actions numbered 1.1.1 under priorities (1) and
    objectives (1.1), ten fields, agencies whose names have spaces."""
    folder = root / "actions" / "actions"
    folder.mkdir(parents=True)
    (root / "actions/plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (root / "actions/agencies.yaml").write_text(
        "".join(f"{code}: {name}\n" for code, name in AGENCIES.items()), encoding="utf-8")
    sections = {}
    codes = list(AGENCIES)
    for i in range(actions):
        priority, objective, number = i // 9 + 1, (i // 3) % 3 + 1, i % 3 + 1
        sections[str(priority)] = f"Priority {priority}: Protect people from harm"
        sections[f"{priority}.{objective}"] = (
            f"Objective {priority}.{objective}: Reduce violence and keep victims safe")
        ref = f"{priority}.{objective}.{number}"
        partners = [codes[(i + 2) % 6], codes[(i + 3) % 6]] if i % 4 else []
        lines = [
            f"ref: {ref}",
            f"action: {ACTIONS[i % 5]!r}",
            f"officer: {['Community Safety Manager', 'Inspector J. Smith', 'Head of Service'][i % 3]}",
            f"lead: {codes[i % 6]}",
            *([f"partners: {', '.join(partners)}"] if partners else []),
            *(["milestones: |-", "  Q1: plan agreed.", "  Q3: half delivered."] if i % 2 else []),
            f"target: Q{i % 4 + 1} 2024/25",
            f"rag: {STATUSES[i % 5]}",
            *([f"funding: {12000 + 1500 * i}"] if i % 3 else []),
            f"measure: {MEASURES[i % 4]}",
            f"update: {UPDATES[i % 5]!r}",
        ]
        (folder / f"{ref}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return write_report(root, sections,
                        "partnership: Fenland Community Safety Partnership\n"
                        "title: Community Safety Delivery Plan 2024/25, progress report\n"
                        "meeting: Fenland Community Safety Partnership Board\n"
                        "author: Community Safety Manager\n"
                        "date: 2024-12-10\n"
                        "paragraphs:\n  - This report sets out progress against the "
                        "delivery plan.\n")


def write_report(root: Path, sections: dict[str, str], head: str) -> Path:
    """report.yaml: ``head``, then the sections' headings."""
    (root / "actions/report.yaml").write_text(
        head + "sections:\n" + "".join(f"  {k!r}: {v!r}\n" for k, v in sections.items()),
        encoding="utf-8")
    return root


def build(runner, root: Path, fmt: str = "pdf") -> Path:
    result = run(runner, "build", "--format", fmt, "--project", str(root))
    assert result.exit_code == 0, result.output
    return root / f"out/progress-report.{fmt}"


def read_pages(pdf_path: Path) -> list[dict]:
    """Per page: landscape or not (its media box, pypdf), its words (pdfplumber,
    ligatures undone) and its text."""
    found = []
    boxes = [page.mediabox for page in PdfReader(pdf_path).pages]
    with pdfplumber.open(pdf_path) as pdf:
        for page, box in zip(pdf.pages, boxes):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
            for w in words:
                # ligatures undone; a hyphenation point is printed as U+2010
                w["text"] = unicodedata.normalize("NFKC", w["text"]).replace("\u2010", "-")
            found.append({"landscape": box.width > box.height, "words": words,
                          "height": float(page.height),
                          "text": " ".join(w["text"] for w in words)})
    return found


def table_pages(found: list[dict], first_label: str) -> list[dict]:
    """The pages holding a table: its header row starts "Ref <first label>"."""
    return [page for page in found if f"Ref {first_label}" in page["text"]]


def header_words(page: dict, labels: list[str]) -> list[str]:
    """The words printed in the table's header row on this page (between the top of
    "Ref" and the first row's ref), in reading order."""
    ref = next(w for w in page["words"] if w["text"] == labels[0])
    first_row = min((w["top"] for w in page["words"] if w["top"] > ref["top"] + 2
                     and re.fullmatch(r"\d+(\.\d+)+|R\d+", w["text"])
                     and w["x0"] <= ref["x0"] + 2), default=page["height"])
    return [w["text"] for w in page["words"] if ref["top"] - 2 <= w["top"] < first_row - 2]


def assert_whole_headers(found: list[dict], labels: list[str]) -> None:
    """Every table page's header row has each label's words whole: a label broken at a
    letter ("Lea", "d offi", "cer") prints other words than the labels'."""
    pages = table_pages(found, labels[1])
    assert pages, "no table page"
    want = Counter(word for label in labels for word in label.split())
    for page in pages:
        got = Counter(header_words(page, labels))
        assert got == want, f"the header row reads {sorted(got)}, not {sorted(want)}"


def row_refs(page: dict) -> list[str]:
    """The refs starting rows on this page (the first column's dotted numbers)."""
    left = min(w["x0"] for w in page["words"])
    return [w["text"] for w in page["words"] if re.fullmatch(r"\d+\.\d+\.\d+", w["text"])
            and w["x0"] < left + 20]


@pytest.fixture(scope="module")
def own_shape(tmp_path_factory) -> dict:
    """The 26-action plan of its own shape, built once into HTML and PDF."""
    from click.testing import CliRunner
    root = make_plan(tmp_path_factory.mktemp("own") / "plan")
    runner = CliRunner()
    return {"root": root, "pdf": build(runner, root), "html": build(runner, root, "html")}


def test_a_plan_of_its_own_shape_prints_in_few_landscape_pages(own_shape):
    found = read_pages(own_shape["pdf"])
    assert len(found) <= 16, f"{len(found)} pages for 26 actions"
    tables = table_pages(found, "Action")
    assert tables and all(page["landscape"] for page in tables)
    # every row is printed, and the rows are packed: never one row to a page
    refs = [ref for page in tables for ref in row_refs(page)]
    assert sorted(set(refs)) == sorted(p.stem for p in
                                       (own_shape["root"] / "actions/actions").glob("*.yaml"))
    assert all(len(row_refs(page)) >= 2 for page in tables), [row_refs(p) for p in tables]


def test_a_plan_of_its_own_shape_prints_every_word_whole(own_shape):
    found = read_pages(own_shape["pdf"])
    assert_whole_headers(found, LABELS)
    tables = table_pages(found, "Action")
    words = Counter(w["text"] for page in tables for w in page["words"])
    rows = Counter(STATUS_LABELS[i % 5] for i in range(26))
    for label, count in rows.items():
        for word in label.split():  # "Green", "Not" and "started", never "Gre", "en"
            assert words[word] >= count, (word, words[word], count)
    # no word of the table pages but the plan's and the report's own: the HTML's words
    html = own_shape["html"].read_text(encoding="utf-8")
    text = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S))
    known = set(re.findall(r"[\w'’/-]+", unicodedata.normalize("NFKC", text)))
    known |= {"Page", "of"}  # "Page 7 of 13", printed by report.css
    for page in tables:
        pieces = [word for w in page["words"] for word in re.findall(r"[\w'’/-]+", w["text"])]
        # a word wrapped at its own hyphen ("anti-", "social") or hyphenated by the
        # language's rules at a line's end ("antidis-", "establishmentarianism")
        heads = {word for word in pieces if word.endswith("-") and word not in known}
        for word in pieces:
            whole = word in known or word.isdigit() or (word.endswith("-") and any(
                k.startswith(word[:-1]) for k in known)) or any(
                head + word in known or head[:-1] + word in known for head in heads)
            assert whole, f"{word!r} is no word of the plan: a word broken in two"


def test_the_columns_come_from_the_fields_types(own_shape):
    html = own_shape["html"].read_text(encoding="utf-8")
    widths = [float(w) for w in re.findall(
        r'#delivery-plan col:nth-child\(\d+\) \{ width: ([\d.]+)%; \}', html)]
    assert len(widths) == len(LABELS) and abs(sum(widths) - 100) < 0.5
    by_label = dict(zip(LABELS, widths))
    # a status, an agency's code and a short line have room for their words
    assert by_label["RAG"] > 8 and by_label["Lead agency"] > 7 and by_label["Funding"] > 5
    assert by_label["Action"] == by_label["Update"] == max(widths)
    assert 'class="part part-table page-landscape"' in html


def test_a_tall_row_starts_where_the_last_ended(runner, tmp_path):
    """A row taller than half a page runs on from where the last row ended, under the
    repeated header, and never leaves a page holding one short row."""
    root = make_plan(tmp_path / "plan", actions=9)
    long = "The partners met again and agreed the next steps for the programme. " * 30
    edit(root, "actions/actions/1.2.2.yaml", "update: ", f"update: {long.strip()!r}\n#: ")
    found = read_pages(build(runner, root))
    tables = table_pages(found, "Action")
    holding = next(page for page in tables if "1.2.1" in row_refs(page))
    assert "1.2.2" in row_refs(holding), "the tall row was pushed to the next page"
    assert len(tables) >= 3 and all("Ref Action Lead officer" in p["text"] for p in tables)


def test_a_word_longer_than_its_column_is_hyphenated(runner, tmp_path):
    root = make_plan(tmp_path / "plan", actions=3)
    word = "antidisestablishmentarianism"
    edit(root, "actions/actions/1.1.1.yaml", "update: '", f"update: 'The {word} grant. ")
    found = read_pages(build(runner, root))
    pieces = [w["text"] for page in found for w in page["words"]
              if w["text"].rstrip("-") and word.startswith(w["text"].rstrip("-"))
              and w["text"].endswith("-")]
    assert pieces, "the long word was not hyphenated"


def test_the_shipped_plan_and_fenland_print_whole_words_on_landscape_pages(runner, project,
                                                                              tmp_path):
    found = read_pages(build(runner, project))
    tables = table_pages(found, "Data gap")
    assert tables and all(page["landscape"] for page in tables)
    assert_whole_headers(found, ["Ref", "Data gap", "Lead", "Action", "Update", "Status"])
    fenland = tmp_path / "fenland"
    shutil.copytree(Path(__file__).parent / "data/fenland", fenland)
    found = read_pages(build(runner, fenland))
    tables = table_pages(found, "Objective")
    assert tables and all(page["landscape"] for page in tables)
    assert_whole_headers(found, ["Ref", "Objective", "Action", "Measure of success",
                                 "Baseline", "Target", "Milestones", "Lead",
                                 "Progress update", "RAG"])
    words = Counter(w["text"] for page in tables for w in page["words"])
    assert words["Green"] >= 1 and words["started"] + words["Amber"] + words["Red"] >= 1
    # the status summary after the last table is on a portrait page, not over its foot
    summary = next(page for page in found if page["text"].startswith("Status summary")
                   or " Status summary " in page["text"])
    assert not summary["landscape"]


# ---------------------------------------------------------------- the loose ends


def test_the_running_footer_is_one_line_with_its_date_whole(own_shape):
    with pdfplumber.open(own_shape["pdf"]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            foot = [w for w in page.extract_words() if w["top"] > page.height - 60]
            assert foot, f"page {number} has no footer"
            assert len({round(w["top"]) for w in foot}) == 1, \
                f"page {number}: the footer wraps: {[w['text'] for w in foot]}"
            assert "10 December 2024" in " ".join(w["text"] for w in foot)


def test_a_long_footer_drops_the_meeting_then_cuts_the_title_at_a_word():
    words = wording.words_for(default_shape())
    short = plan.footer_line(words, "Progress report", "Board", "1 May 2025")
    assert short == "Progress report · Board, 1 May 2025"
    title = "Community Safety Delivery Plan 2024/25, progress report"
    meeting = "Fenland Community Safety Partnership Board"
    assert plan.footer_line(words, title, meeting, "10 December 2024") == \
        f"{title} · 10 December 2024"
    mark = "NOT FOR PUBLICATION: Schedule 12A, paragraph 7"
    cut = plan.footer_line(words, title, meeting, "10 December 2024", mark)
    assert len(cut) <= plan.FOOTER_CHARS and cut.startswith(mark + " · Community Safety")
    assert cut.endswith("… · 10 December 2024")
    assert cut.split(" · ")[1].rstrip("…") in title  # cut at a word, not in one


def test_a_figure_up_by_less_than_one_percent_says_so_in_words():
    row = CrimeRow("Burglary", "type", 1001, 1000, None, None, None,
                   direction(1001, 1000))
    assert row.percent_text == "up less than 1%"
    row = CrimeRow("Burglary", "type", 999, 1000, None, None, None, direction(999, 1000))
    assert row.percent_text == "down less than 1%"
    row = CrimeRow("Burglary", "type", 1200, 1000, None, None, None, direction(1200, 1000))
    assert row.percent_text == "+20%"


def test_days_overdue_have_thousands_separated():
    assert wording.WORDS.overdue_by(5402) == "Overdue by 5,402 days"
    assert wording.WORDS.overdue_by(1) == "Overdue by 1 day"
    assert wording.plural(1200, "action") == "1,200 actions"


def test_the_chart_and_the_tables_share_one_palette():
    css = (REPO / "templates/report.css").read_text(encoding="utf-8")
    tints = dict(re.findall(r"--(\w+): #([0-9a-fA-F]{6});", css))
    statuses = default_shape().statuses
    for status in statuses:
        # the table cell's tint (report.css, the Word cell's fill) is the bar's colour
        assert tints[status.colour].upper() == COLOURS[status.colour] == status.fill
        fill, ink, _ = progress._look(status, list(statuses))
        assert fill == "#" + status.fill and ink == progress.INK


def test_the_exempt_badge_has_its_own_look(runner, project):
    edit(project, "actions/data-gaps/4.2.2.yaml", "status: ", "exempt: {status: 7}\nstatus: ")
    html = build(runner, project, "html").read_text(encoding="utf-8")
    badge = re.search(r'<span class="status ([^"]*)">Exempt \(Schedule 12A', html)
    assert badge and "status-exempt" in badge[1] and "colour-grey" not in badge[1]
    status = editions._exempt_status(SimpleNamespace(words=wording.WORDS), 7)
    assert status.fill not in COLOURS.values()  # no status's tint: not not-started grey
    rule = re.search(r"\.status\.status-exempt \{([^}]*)\}", html)
    assert rule and "background: #fff" in rule[1] and "dashed" in rule[1]


def test_empty_fields_leave_no_bare_label_on_the_phone_cards(own_shape):
    html = own_shape["html"].read_text(encoding="utf-8")
    # 1.1.1 has no funding, no milestones and no supporting partners: empty cells
    row = re.search(r'<tr id="action-1-1-1"[^>]*>(.*?)</tr>', html, re.S)[1]
    for label in ("Supporting partners", "Milestones", "Funding"):
        assert re.search(rf'data-label="{label}"></td>', row), label
    narrow = html.split("@media screen and (max-width: 48rem)")[1].split("</style>")[0]
    assert re.search(r"table\.items td:empty \{ display: none; \}", narrow)
    assert re.search(r'data-label="Action"><p>', row)  # a filled one keeps its label


NARROW = """\
kinds:
  - name: action
    folder: actions
    heading: Delivery plan
    ref: "A1"
    layout: table
PAGE
    fields:
      - {name: action, label: Action, type: text}
      - {name: lead, label: Lead agency, type: agencies}
      - {name: status, label: Status, type: status, partners: true}
"""


@pytest.mark.parametrize("page", ["", "landscape"])
def test_a_narrow_table_prints_portrait_unless_its_kind_says_landscape(runner, tmp_path,
                                                                       page):
    root = tmp_path / "plan"
    (root / "actions/actions").mkdir(parents=True)
    (root / "actions/plan.yaml").write_text(
        NARROW.replace("PAGE\n", f"    page: {page}\n" if page else ""), encoding="utf-8")
    (root / "actions/agencies.yaml").write_text("Police: Constabulary\n", encoding="utf-8")
    (root / "actions/report.yaml").write_text(
        "partnership: P\ntitle: Progress\nmeeting: Board\nauthor: Manager\n"
        "date: 2024-12-10\nparagraphs:\n  - Progress.\n", encoding="utf-8")
    for n in range(1, 4):
        (root / f"actions/actions/A{n}.yaml").write_text(
            f"ref: A{n}\naction: Patrol the town centre.\nlead: Police\nstatus: on track\n",
            encoding="utf-8")
    found = read_pages(build(runner, root))
    tables = table_pages(found, "Action")
    assert tables and all(p["landscape"] == (page == "landscape") for p in tables)
    html = build(runner, root, "html").read_text(encoding="utf-8")
    assert f'page-{page or "portrait"}"' in html
    # the Word document turns its pages as the PDF does
    import docx
    document = docx.Document(str(build(runner, root, "docx")))
    wide = [s.page_width > s.page_height for s in document.sections]
    assert any(wide) == (page == "landscape")


# ---------------------------------------------------------------- the status summary and
# the last rows (a plan of six statuses of its own, agencies named in words)

HARBOUR_STATUSES = ["delivered", "progressing", "slipping", "stalled", "paused", "not begun"]
HARBOUR_COLOURS = ["blue", "green", "amber", "red", "orange", "purple", "grey", "yellow",
                   "pink"]
HARBOUR_AGENCIES = ["Youth Justice Service", "Fire and Rescue", "Police",
                    "Housing Association", "Council"]
HARBOUR_LABELS = ["Ref", "What we will do", "Priority", "Funded?", "Target (people)",
                  "Started on", "Lead partner", "Deadline", "Progress this quarter",
                  "Officer notes", "Position"]
HARBOUR_KINDS = """\
kinds:
  - name: action
    folder: actions
    heading: Delivery plan
    ref: "1.1"
    layout: table
    fields:
      - {name: description, label: What we will do, type: text}
      - {name: priority, label: Priority, type: choice, choices: [High, Medium, Low]}
      - {name: funded, label: Funded?, type: yes-no}
      - {name: target, label: Target (people), type: number, required: false}
      - {name: started, label: Started on, type: date, required: false}
      - {name: lead, label: Lead partner, type: agencies}
      - {name: deadline, label: Deadline, type: due}
      - {name: progress, label: Progress this quarter, type: text, partners: true}
      - {name: officer_notes, label: Officer notes, type: text, required: false}
      - {name: rag, label: Position, type: status, partners: true}
  - name: pledge
    folder: pledges
    heading: Partnership pledges
    ref: "PL-01"
    layout: blocks
    fields:
      - {name: pledge, label: Pledge, type: text}
      - {name: lead, label: Lead partner, type: agencies, required: false}
      - {name: progress, label: Progress this quarter, type: text, partners: true}
      - {name: rag, label: Position, type: status, partners: true}
"""


def make_harbour(root: Path, statuses: list[str] = HARBOUR_STATUSES, themes: int = 9,
                 agencies: list[str] = HARBOUR_AGENCIES) -> Path:
    """A plan of its own statuses and two kinds: actions in themes of two rows each, of
    differing heights (so that page breaks fall at many places in a theme), and
    pledges in blocks after them."""
    (root / "actions/actions").mkdir(parents=True)
    (root / "actions/pledges").mkdir()
    (root / "actions/plan.yaml").write_text(
        "statuses:\n" + "".join(
            f"  - {{name: {name}, colour: {HARBOUR_COLOURS[i]}"
            f"{', done: true' if i == 0 else ''}{', exception: true' if i == 2 else ''}}}\n"
            for i, name in enumerate(statuses)) + HARBOUR_KINDS, encoding="utf-8")
    (root / "actions/agencies.yaml").write_text(
        "".join(f"{code}: Harbourside {code}\n" for code in agencies), encoding="utf-8")
    sections = {}
    for i in range(themes * 2):
        theme, number = i // 2 + 1, i % 2 + 1
        sections[str(theme)] = f"Theme {theme}: Safer streets and homes"
        words = UPDATES[i % 5] + " " + ACTIONS[(i * 3) % 5] * (i % 3)
        (root / f"actions/actions/{theme}.{number}.yaml").write_text(
            f'ref: "{theme}.{number}"\n'
            f"description: {ACTIONS[i % 5]!r}\n"
            f"priority: {['High', 'Medium', 'Low'][i % 3]}\n"
            f"funded: {['yes', 'no'][i % 2]}\n"
            f"lead: {agencies[i % len(agencies)]}, {agencies[(i + 2) % len(agencies)]}\n"
            f"deadline: Q{i % 4 + 1} 2026/27\n"
            f"progress: {words!r}\n"
            f"rag: {statuses[i % len(statuses)]}\n", encoding="utf-8")
    for n in (1, 2):
        (root / f"actions/pledges/PL-0{n}.yaml").write_text(
            f'ref: "PL-0{n}"\npledge: Answer every report of anti-social behaviour.\n'
            f"progress: On course.\nrag: {statuses[n]}\n", encoding="utf-8")
    return write_report(root, sections,
                        "partnership: Harbourside Safer Communities Partnership\n"
                        "title: Delivery plan progress 2026/27\n"
                        "meeting: Safer Communities Board\n"
                        "author: Partnership Analyst\ndate: 2027-01-12\n"
                        "paragraphs:\n  - Progress against the plan.\n")


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> dict:
    from click.testing import CliRunner
    root = make_harbour(tmp_path_factory.mktemp("harbour") / "plan")
    runner = CliRunner()
    return {"root": root, "pdf": build(runner, root), "docx": build(runner, root, "docx")}


def summary_page(pdf_path: Path) -> tuple[dict, float, float, float, float]:
    """The page of the status summary (its words), the left and right margins (where
    the footer's line starts and ends: "Page 7 of 8" ends at the right margin), and
    the left and right ends of the summary's table (its rules)."""
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            text = " ".join(w["text"] for w in words)
            if not text.startswith("Status summary") and " Status summary " not in text:
                continue
            foot = [w for w in words if w["top"] > page.height - 60]
            rules = [*page.rects, *page.lines]
            return ({"words": words, "text": text, "width": float(page.width)},
                    min(w["x0"] for w in foot), max(w["x1"] for w in foot),
                    min(r["x0"] for r in rules), max(r["x1"] for r in rules))
    raise AssertionError("no status summary page")


def assert_summary_within_margins(pdf_path: Path, labels: list[str]) -> dict:
    page, text_left, text_right, table_left, table_right = summary_page(pdf_path)
    assert table_left >= text_left - 6 and table_right <= text_right + 1, (
        f"the summary table spans {table_left:.0f}-{table_right:.0f}pt, the text "
        f"{text_left:.0f}-{text_right:.0f}pt of a {page['width']:.0f}pt page")
    words = Counter(w["text"] for w in page["words"])
    for label in labels:  # each status word whole in the header
        for word in label.split():
            assert words[word] >= 1, f"{word!r} is not printed whole in the summary"
    return page


def test_the_status_summary_of_six_statuses_keeps_within_the_margins(harbour):
    assert_summary_within_margins(harbour["pdf"], [s.capitalize() for s in HARBOUR_STATUSES])


def test_nine_statuses_and_long_agency_names_keep_within_the_margins(runner, tmp_path):
    statuses = [*HARBOUR_STATUSES, "withdrawn", "merged elsewhere", "under review"]
    agencies = [*HARBOUR_AGENCIES, "Community Rehabilitation Company",
                "Integrated Offender Management"]
    root = make_harbour(tmp_path / "plan", statuses, themes=4, agencies=agencies)
    page = assert_summary_within_margins(build(runner, root),
                                         [s.capitalize() for s in statuses])
    for code in agencies:
        assert all(word in page["text"] for word in code.split())


@pytest.mark.parametrize("count", range(3, 10))
def test_the_summary_columns_hold_their_words_with_any_number_of_statuses(count):
    """As many statuses as a plan may have: every column at least its longest word (a
    status's in its badge), the lead's its longest code's, and landscape only when a
    portrait page cannot hold them."""
    names = [*HARBOUR_STATUSES, "withdrawn", "merged elsewhere", "under review"][:count]
    statuses = [StatusDef(name, "#FFFFFF") for name in names]
    words = wording.words_for(default_shape())
    codes = [*HARBOUR_AGENCIES, "Integrated Offender Management"]
    page, columns, width = plan.lay_out_summary(words, statuses, codes)
    room = plan.PAGE_WIDTHS[page]
    needs = [max(plan._word_weight(w) for w in
                 [*words.lead.split(), *words.all_items.split(),
                  *(w for c in codes for w in c.split())])]
    needs += [2 + max(plan._word_weight(w) for w in s.label.split()) for s in statuses]
    needs += [max(plan._word_weight(w) for w in words.total.split())]
    assert len(columns) == len(needs) == count + 2
    assert width <= 100
    for column, need in zip(columns, needs):
        # its share of the table, of the table's share of the page's characters
        assert column.percent * width * room / 1e4 >= need - 0.1, (column.label, need)
    portrait = sum(needs) <= plan.PAGE_WIDTHS["portrait"]
    assert page == ("portrait" if portrait else "landscape")


def test_no_page_holds_one_row_of_a_table(harbour):
    """A table's last row is never alone on a page under its repeated header: every
    theme's two rows are on one page, wherever the page breaks fall."""
    found = read_pages(harbour["pdf"])
    tables = table_pages(found, "What")
    assert len(tables) >= 3, "the themes should run over several pages"
    seen = Counter()
    for page in tables:
        left = min(w["x0"] for w in page["words"] if w["text"] == "Ref")
        refs = [w["text"] for w in page["words"] if re.fullmatch(r"\d+\.\d", w["text"])
                and w["x0"] < left + 10]
        themes = Counter(ref.split(".")[0] for ref in refs)
        assert all(n == 2 for n in themes.values()), f"a theme split over pages: {refs}"
        seen.update(refs)
    assert len(seen) == 18 and set(seen.values()) == {1}


def _bold_widths() -> Callable[[str], float] | None:
    """The advance of a word in Liberation Sans Bold (Arial's metrics, as LibreOffice
    sets Word's Arial), in em; None where the font is not installed."""
    from fontTools.ttLib import TTFont
    fonts = [p for p in Path("/usr/share/fonts").rglob("LiberationSans-Bold.ttf")]
    if not fonts:
        return None
    font = TTFont(str(fonts[0]))
    cmap, advances = font.getBestCmap(), font["hmtx"].metrics
    per_em = font["head"].unitsPerEm
    return lambda word: sum(advances[cmap[ord(c)]][0] for c in word) / per_em


def test_word_columns_are_wide_enough_for_every_header_word(harbour, project, runner):
    """Word breaks a word longer than its cell's line at a letter ("Progressi", "ng";
    "Funded", "?"): every column of the Word tables (the item tables and the status
    summary) holds each word of its header, in the document's bold table text."""
    import docx
    width_of = _bold_widths()
    if width_of is None:
        pytest.skip("Liberation Sans is not installed: scripts/system-deps.sh")
    for path, words in ((harbour["docx"], {"Progressing", "Total", *" ".join(HARBOUR_LABELS).split()}),
                        (build(runner, project, "docx"), {"Status", "Lead", "Total"})):
        document = docx.Document(str(path))
        size = document.styles["Normal"].font.size.pt
        checked = set()
        for table in document.tables:
            grid = [col.w.pt for col in table._tbl.tblGrid.gridCol_lst]
            header = [cell.text for cell in table.rows[0].cells]
            for text, width in zip(header, grid):
                for word in text.split():
                    # the cell's margins: 0.19 cm each side (Word's and python-docx's)
                    need = width_of(word) * size + 2 * 5.4
                    assert need <= width, (
                        f"{path.name}: {word!r} needs {need:.0f}pt, its column is {width:.0f}pt")
                    checked.add(word)
        assert words <= checked, words - checked
