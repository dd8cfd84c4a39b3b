"""Direction of travel: progress across meetings (git tags), against real temporary
repositories with dated commits and tags."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
from conftest import STATUS, edit, git, run
from pypdf import PdfReader

from psa_report.commands.build import build
from psa_report.commands.progress import progress
from psa_report.progress import direction, ranks
from psa_report.project import load_project
from psa_report.report import build_plan as plan

SVG = "{http://www.w3.org/2000/svg}"


def counts(complete: int, on_track: int, at_risk: int, off_track: int,
           not_started: int) -> dict[str, int]:
    return {"complete": complete, "on track": on_track, "at risk": at_risk,
            "off track": off_track, "not started": not_started}


def commit_of(root: Path, tag: str) -> str:
    return git(root, "rev-parse", f"{tag}^{{commit}}").strip()


# ---------------------------------------------------------------- the progress command

def test_progress_counts_every_meeting_then_the_current_files(runner, meetings):
    result = run(runner, "progress", "--project", str(meetings), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {"meeting": "ssp-2010-06-28", "current": False, "title": None, "date": "2010-06-28",
         "commit": commit_of(meetings, "ssp-2010-06-28"),
         "counts": counts(1, 7, 2, 3, 2), "overdue": 0, "items": 15},
        # dated by its message (27 September), not its commit (20 September), and
        # titled by the words after that date
        {"meeting": "ssp-sept", "current": False, "title": "Safer Stockton Partnership",
         "date": "2010-09-27", "commit": commit_of(meetings, "ssp-sept"),
         "counts": counts(1, 8, 3, 2, 1), "overdue": 0, "items": 15},
        # a month alone is not a day: dated by its commit; 3.2.5 and 5.2.2 were due
        # in September 2010
        {"meeting": "ssp-2010-12", "current": False, "title": None, "date": "2010-12-06",
         "commit": commit_of(meetings, "ssp-2010-12"),
         "counts": counts(1, 8, 4, 1, 2), "overdue": 2, "items": 16},
        # as at the meeting_date of report.yaml
        {"meeting": "current", "current": True, "title": None, "date": "2011-03-21",
         "commit": None, "counts": counts(1, 8, 3, 2, 2), "overdue": 2, "items": 16},
    ]


def test_progress_as_a_table_and_as_csv(runner, meetings):
    table = run(runner, "progress", "--project", str(meetings)).stdout.splitlines()
    assert re.match(r"Meeting\s+Date\s+Complete\s+On track\s+At risk\s+Not started\s+"
                    r"Off track\s+Overdue\s+Items$", table[0])
    assert re.match(r"ssp-sept\s+2010-09-27\s+1\s+8\s+3\s+1\s+2\s+0\s+15$", table[3])
    csv = run(runner, "progress", "--project", str(meetings), "--format", "csv").stdout
    assert csv.splitlines() == [
        "meeting,date,complete,on_track,at_risk,not_started,off_track,overdue,items",
        "ssp-2010-06-28,2010-06-28,1,7,2,2,3,0,15",
        "ssp-sept,2010-09-27,1,8,3,1,2,0,15",
        "ssp-2010-12,2010-12-06,1,8,4,2,1,2,16",
        "current files,2011-03-21,1,8,3,2,2,2,16"]


def test_progress_lists_the_current_files_last(runner, meetings):
    """A report dated before the last meeting tagged is still listed last, as the current
    files (not as a meeting); check warns of its date."""
    edit(meetings, "actions/report.yaml", "date: 2011-03-14\nmeeting_date: 2011-03-21",
         "date: 2010-11-01")
    data = json.loads(run(runner, "progress", "--project", str(meetings),
                          "--format", "json").stdout)
    assert [(r["meeting"], r["date"], r["current"]) for r in data] == [
        ("ssp-2010-06-28", "2010-06-28", False), ("ssp-sept", "2010-09-27", False),
        ("ssp-2010-12", "2010-12-06", False), ("current", "2010-11-01", True)]
    table = run(runner, "progress", "--project", str(meetings)).stdout.splitlines()
    assert [line.split("  ")[0] for line in table[2:]] == [
        "ssp-2010-06-28", "ssp-sept", "ssp-2010-12", "current files"]


def test_tags_option_overrides_meeting_tags_and_is_checked(runner, meetings):
    git(meetings, "tag", "board-2010-07-01", "ssp-2010-06-28")
    data = json.loads(run(runner, "progress", "--project", str(meetings), "--tags", "board-*",
                          "--format", "json").stdout)
    assert [(r["meeting"], r["date"]) for r in data] == [("board-2010-07-01", "2010-07-01"),
                                                         ("current", "2011-03-21")]
    none = run(runner, "progress", "--project", str(meetings), "--tags", "agm-*")
    assert none.exit_code == 0
    assert "no git tag matches 'agm-*'" in none.stderr
    bad = run(runner, "progress", "--project", str(meetings), "--tags", "--upload-pack=x")
    assert bad.exit_code == 2 and "is not a pattern of tag names" in bad.stderr
    edit(meetings, "actions/report.yaml", 'meeting_tags: "ssp-*"', 'meeting_tags: "a b"')
    wrong = run(runner, "check", "--project", str(meetings))
    assert wrong.exit_code == 1 and "meeting_tags" in wrong.stderr


def test_a_meeting_whose_plan_does_not_validate_is_left_out_with_a_warning(runner, meetings):
    edit(meetings, "actions/data-gaps/3.2.1.yaml", "status: on track", "status: sideways")
    git(meetings, "commit", "-q", "-am", "A slip", when="2011-03-11")
    git(meetings, "tag", "ssp-2011-03-broken")
    edit(meetings, "actions/data-gaps/3.2.1.yaml", "status: sideways", "status: on track")
    git(meetings, "commit", "-q", "-am", "Fixed", when="2011-03-12")

    result = progress(meetings)
    assert [r.point.meeting for r in result.records] == [
        "ssp-2010-06-28", "ssp-sept", "ssp-2010-12", "current"]
    assert len(result.warnings) == 1
    assert result.warnings[0].file == "ssp-2011-03-broken"
    assert "does not validate" in result.warnings[0].message
    assert "'sideways' is not a status" in result.warnings[0].message

    cli = run(runner, "progress", "--project", str(meetings), "--format", "json")
    assert cli.exit_code == 0
    assert cli.stderr.startswith("ssp-2011-03-broken: warning: the plan at this meeting tag "
                                 "does not validate")
    assert len(json.loads(cli.stdout)) == 4
    # The report is still built, and says so too.
    built = run(runner, "build", "--project", str(meetings), "--format", "html")
    assert built.exit_code == 0 and "ssp-2011-03-broken: warning:" in built.stderr


def test_outside_git_only_the_current_files_and_why(runner, project):
    result = run(runner, "progress", "--project", str(project), "--format", "json")
    assert result.exit_code == 0
    assert [r["meeting"] for r in json.loads(result.stdout)] == ["current"]
    assert "not in a git repository" in result.stderr

    assert run(runner, "build", "--project", str(project), "--format", "html").exit_code == 0
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    assert "<svg" not in html and 'id="progress"' not in html
    assert 'href="#progress"' not in html
    assert re.findall(r'<p class="progress-note">([^<]*)</p>', html) == [
        "Progress across meetings is not shown: the action plan is not kept under version "
        "control, so the plan as it was sent to each meeting cannot be read."]
    assert html.count("First report") == 1
    assert 'class="direction' not in html


# ---------------------------------------------------------------- direction of travel

def test_the_rank_of_statuses_orders_better_and_worse(project):
    """The default plan.yaml's order, best first: not started below at risk (begun) and
    above off track (judged to be failing)."""
    rank = ranks(load_project(project))
    assert sorted(STATUS.values(), key=lambda s: rank[s.value], reverse=True) == [
        STATUS["complete"], STATUS["on track"], STATUS["at risk"], STATUS["not started"],
        STATUS["off track"]]
    assert direction(STATUS["off track"], STATUS["not started"], rank).kind == "up"
    assert direction(STATUS["on track"], STATUS["not started"], rank).text == \
        "Worse (was on track)"
    assert direction(STATUS["at risk"], STATUS["at risk"], rank).text == "No change"
    assert direction(None, STATUS["complete"], rank).text == "New"


def test_directions_since_the_last_meeting_tag(meetings):
    planned = plan(meetings).plan
    rows = {row.ref: row for section in planned.sections for row in section.rows}
    rows.update({row.ref: row for row in planned.recommendations})
    found = {ref: (row.direction, row.direction_kind) for ref, row in rows.items()}
    assert found["3.2.3"] == ("Improved (was at risk)", "up")
    assert found["3.2.4"] == ("Worse (was on track)", "down")
    assert found["3.2.5"] == ("No change", "same")
    assert found["5.2.3"] == ("Improved (was not started)", "up")
    assert found["R6"] == ("New", "new")
    assert "R5" not in found
    assert planned.travel.removed == ["R5"]
    assert planned.travel.since == "as it was at the meeting of 6 December 2010"
    moved = {ref for ref, (_, kind) in found.items() if kind != "same"}
    assert moved == {"3.2.3", "3.2.4", "5.2.3", "R6"}

    exceptions = planned.exceptions
    groups = {g.slug: [r.ref for r in g.rows] for g in exceptions.groups}
    assert list(groups) == ["off-track", "at-risk", "overdue"]  # worst first
    assert groups["off-track"] == ["3.2.4", "4.2.2"]
    assert groups["at-risk"] == ["3.2.2", "4.2.1", "5.2.3"]
    assert groups["overdue"] == ["3.2.5", "5.2.2"]  # as at 14 March 2011
    assert [r.ref for r in exceptions.worse] == ["3.2.4"]

    unmarked = plan(meetings, no_since=True).plan
    assert unmarked.travel.since is None and "not compared" in unmarked.travel.sentence
    assert all(r.direction is None for s in unmarked.sections for r in s.rows)
    assert unmarked.exceptions.worse == []


def test_directions_in_the_report_are_a_shape_and_words(meetings, tmp_path):
    html = build(meetings, "html", tmp_path).outputs[0].read_text(encoding="utf-8")

    def status_cell(anchor: str) -> str:
        row = re.search(rf'<tr id="{anchor}"[^>]*>(.*?)</tr>', html, re.S)[1]
        return re.search(r'<td class="status-cell"[^>]*>(.*?)</td>', row, re.S)[1]

    assert ('<span class="direction direction-down"><span class="direction-glyph" '
            'aria-hidden="true">▼</span> Worse (was on track)</span>') in status_cell("data-gap-3-2-4")
    assert ('aria-hidden="true">▲</span> Improved (was at risk)</span>'
            in status_cell("data-gap-3-2-3"))
    assert 'aria-hidden="true">►</span> No change</span>' in status_cell("data-gap-3-2-5")
    r6 = re.search(r'<li id="recommendation-R6".*?</li>', html, re.S)[0]
    assert 'aria-hidden="true">●</span> New since the last meeting</span>' in r6
    assert 'id="recommendation-R5"' not in html
    assert "First report" not in html

    exceptions = re.search(r'<section id="exceptions".*?</section>', html, re.S)[0]
    assert html.index('id="exceptions"') < html.index('id="data-requirements"')
    headings = re.findall(r"<h3[^>]*>(.*?)</h3>", exceptions)
    assert headings == ["Off track (2)", "At risk (3)", "Overdue (2)",
                        "Worse since the last meeting (1)"]
    assert "Direction of travel is measured against the plan as it was at the meeting of " \
           "6 December 2010." in exceptions
    at_risk = re.search(r'href="#data-gap-5-2-3">5\.2\.3</a>(.*?)</li>', exceptions, re.S)[1]
    assert "SBC" in at_risk and "Begun, but short of staff." in at_risk
    worse = re.search(r'<ul class="worse-list">(.*?)</ul>', exceptions, re.S)[1]
    assert re.findall(r"<li>.*?</li>", worse, re.S) == [
        '<li><a href="#data-gap-3-2-4">3.2.4</a>: now off track; <span class="direction '
        'direction-down"><span class="direction-glyph" aria-hidden="true">▼</span> Worse '
        '(was on track)</span></li>']
    assert "Removed from the plan since the last meeting: R5." in exceptions


def test_the_report_of_a_tagged_meeting_compares_with_the_meeting_before(meetings):
    git(meetings, "tag", "ssp-2011-03-21")  # the current files are this meeting's
    planned = plan(meetings).plan
    assert planned.travel.since == "as it was at the meeting of 6 December 2010"
    names = [bar.name for bar in planned.progress.chart.bars]
    assert names == ["Meeting of 28 June 2010", "Safer Stockton Partnership, 27 September 2010",
                     "Meeting of 6 December 2010", "Meeting of 21 March 2011 (this report)"]
    assert [bar.lines for bar in planned.progress.chart.bars] == [
        ("28 Jun 2010",), ("27 Sep 2010",), ("6 Dec 2010",), ("21 Mar 2011", "(this report)")]
    # With last_meeting set, that is the comparison instead.
    edit(meetings, "actions/report.yaml", "meeting_date: 2011",
         "last_meeting: ssp-sept\nmeeting_date: 2011")
    planned = plan(meetings).plan
    assert planned.travel.since == ("as it was at the meeting of the Safer Stockton "
                                    "Partnership on 27 September 2010")
    rows = {r.ref: r for s in planned.sections for r in s.rows}
    assert rows["5.2.3"].direction == "New"
    assert rows["3.2.2"].direction == "Improved (was off track)"


def test_one_meeting_is_a_first_report_said_once(runner, project):
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan for the June meeting", when="2010-06-28")
    git(project, "tag", "ssp-2010-06-28")
    assert run(runner, "build", "--project", str(project), "--format", "html").exit_code == 0
    html = (project / "out/progress-report.html").read_text(encoding="utf-8")
    assert html.count("First report") == 1
    assert 'class="direction' not in html
    section = re.search(r'<section id="progress".*?</section>', html, re.S)[0]
    assert "<svg" not in section and "<table" not in section
    assert re.findall(r"<p>(.*?)</p>", section) == [
        "The chart of progress across meetings starts once the plans sent to two meetings "
        "have been saved; one has been so far (the meeting of 28 June 2010)."]


# ---------------------------------------------------------------- the chart

def chart_numbers(html: str) -> tuple[dict[str, dict[str, int]], ET.Element]:
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S)[0])
    bars = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "bar":
            bars[group.get("data-meeting")] = {
                text.get("data-status"): int(text.text) for text in group.iter(f"{SVG}text")
                if text.get("class") == "count"}
    return bars, svg


def table_numbers(html: str) -> dict[str, dict[str, int]]:
    table = re.search(r'<table class="progress-table">.*?</table>', html, re.S)[0]
    rows = {}
    for name, cells in re.findall(r'<tr data-meeting="([^"]+)">(.*?)</tr>', table, re.S):
        rows[name] = {status: int(n) for status, n
                      in re.findall(r'<td data-status="([a-z-]+)">(\d+)</td>', cells)}
    return rows


def test_the_chart_shows_the_numbers_of_its_table(meetings, tmp_path):
    html = build(meetings, "html", tmp_path).outputs[0].read_text(encoding="utf-8")
    bars, svg = chart_numbers(html)
    table = table_numbers(html)
    assert list(bars) == list(table) == [
        "Meeting of 28 June 2010", "Safer Stockton Partnership, 27 September 2010",
        "Meeting of 6 December 2010", "This report"]
    for name, labels in bars.items():
        # every status with a count has its number on (or beside) the bar; zeros none
        assert labels == {s: n for s, n in table[name].items() if n}, name
    assert table["This report"] == {"complete": 1, "on-track": 8, "at-risk": 3,
                                    "off-track": 2, "not-started": 2}
    assert table["Meeting of 6 December 2010"] == {"complete": 1, "on-track": 8, "at-risk": 4,
                                    "off-track": 1, "not-started": 2}

    # A text alternative: role="img" named by its title, described by the caption,
    # which is the <desc> text shown as well.
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title").text, svg.find(f"{SVG}desc").text
    assert title == "Data gaps and recommendations by status at each of the last 4 meetings"
    assert desc.startswith("Stacked bar chart of the number of data gaps and recommendations")
    assert desc.startswith(
        "Stacked bar chart of the number of data gaps and recommendations in each status, "
        "from the meeting of 28 June 2010 to this report (21 March 2011). At the meeting of "
        "28 June 2010: 15 in all, ")
    assert "In this report (21 March 2011): 16 in all, 1 complete, 8 on track, 3 at risk, " \
           "2 not started, 2 off track." in desc
    caption = re.search(r'<figcaption id="progress-chart-caption">(.*?)</figcaption>', html)[1]
    assert caption == desc.replace("&", "&amp;")
    assert 'aria-describedby="progress-chart-caption"' in html
    assert html.index('id="summary"') < html.index('id="progress"')
    assert '<li><a href="#progress">Progress across meetings</a></li>' in html


def test_the_chart_has_at_most_eight_bars(meetings):
    for month in range(1, 9):  # eight more meetings in 2012
        edit(meetings, "actions/data-gaps/3.2.5.yaml", "status: ", f"# month {month}\nstatus: ")
        git(meetings, "commit", "-q", "-am", f"month {month}", when=f"2012-0{month}-01")
        git(meetings, "tag", f"ssp-2012-0{month}-02")
    planned = plan(meetings).plan
    names = [bar.name for bar in planned.progress.chart.bars]
    assert len(names) == 8
    # The last meeting is the current files' commit: shown once, as this report.
    assert names[0] == "Meeting of 2 January 2012"
    assert names[-1] == "Meeting of 2 August 2012 (this report)"
    assert [name for name, _ in planned.progress.rows] == names
    edit(meetings, "actions/data-gaps/3.2.5.yaml", "status: ", "# edited\nstatus: ")
    names = [bar.name for bar in plan(meetings).plan.progress.chart.bars]
    assert names[0] == "Meeting of 2 February 2012" and names[-1] == "This report"


def test_the_pdf_carries_the_section_and_the_charts_text_alternative(meetings, tmp_path):
    out = build(meetings, "pdf", tmp_path).outputs[0]
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "Progress across meetings" in text
    assert "Stacked bar chart of the number of data gaps and recommendations in each " \
           "status, from the meeting of 28 June 2010 to this report (21 March 2011)." in text
    with pikepdf.open(out) as pdf:
        figures = []

        def walk(node):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/Figure":
                    figures.append(node)
                if "/K" in node:
                    walk(node.K)

        walk(pdf.Root.StructTreeRoot.K)
        assert [str(f.Alt) for f in figures] == [
            "Data gaps and recommendations by status at each of the last 4 meetings"]


def test_a_meetings_date_comes_from_its_name_its_message_or_its_commit():
    from datetime import date

    from psa_report.history import meeting_day

    commit = date(2010, 6, 20)
    assert meeting_day("ssp-2010-06-28", "2010-07-01 SSP", commit) == (date(2010, 6, 28),
                                                                      "tag name")
    assert meeting_day("ssp-2010-06", "28 June 2010: SSP", commit) == (date(2010, 6, 28),
                                                                      "tag message")
    assert meeting_day("ssp-2010-06", "2010-06-29 SSP", commit) == (date(2010, 6, 29),
                                                                   "tag message")
    assert meeting_day("ssp-2010-06", None, commit) == (commit, "commit")
    assert meeting_day("ssp-2010-02-30", "12 items moved 2010", commit) == (commit, "commit")


def test_the_page_with_the_chart_passes_axe_and_fits_a_phone(meetings, tmp_path):
    """axe-core (WCAG 2.1 A and AA) in Debian's Chromium stays clean with the chart, the
    exceptions and the directions on the page, at phone and desktop width."""
    import json
    import subprocess

    from conftest import REPO

    from psa_report.commands.build import build

    html = build(meetings, "html", tmp_path / "out").outputs[0]
    assert "<svg" in html.read_text(encoding="utf-8")
    done = subprocess.run(["node", str(REPO / "tests/browser/check-page.mjs"), str(html),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for width, page in json.loads(done.stdout).items():
        assert page["violations"] == [], (width, page["violations"])
        assert page["scrollWidth"] <= page["clientWidth"], width
        assert page["requests"] == []


def test_changes_finds_the_last_meeting_as_build_does(runner, meetings):
    """One rule decides the last meeting: with meeting_tags and no last_meeting, changes
    compares with the newest meeting tag the files descend from (ssp-2010-12), as the
    report's direction of travel does."""
    data = json.loads(run(runner, "changes", "--project", str(meetings),
                          "--format", "json").stdout)
    assert data["since"]["rev"] == "ssp-2010-12"
    assert {(c["ref"], c["change"]) for c in data["changes"]} == {
        ("3.2.3", "changed"), ("3.2.4", "changed"), ("5.2.3", "changed"),
        ("R6", "added"), ("R5", "removed")}
    planned = plan(meetings).plan
    assert planned.travel.since == "as it was at the meeting of 6 December 2010"
    edit(meetings, "actions/report.yaml", 'meeting_tags: "ssp-*"', 'meeting_tags: "agm-*"')
    none = run(runner, "changes", "--project", str(meetings))
    assert none.exit_code == 2 and "meeting_tags" in none.stderr


# ---------------------------------------------------------------- a status renamed since

AT_RISK = ("  - {name: at risk, colour: amber, exception: true, also: [amber],\n"
           "     label: {en: At risk, cy: Mewn perygl}}")


def rename_at_risk(root: Path, also: str = "") -> None:
    """actions/plan.yaml: the shipped plan with "at risk" renamed "behind" (with
    ``also``, its also: list), the current items changed to it, all committed."""
    shipped = (Path(__file__).parent.parent / "psa_report/plans/default.yaml").read_text(
        encoding="utf-8")
    assert AT_RISK in shipped
    behind = (f"  - {{name: behind, colour: amber, exception: true{also},\n"
              "     label: {en: Behind, cy: Ar ei hôl hi}}")
    (root / "actions/plan.yaml").write_text(shipped.replace(AT_RISK, behind),
                                            encoding="utf-8")
    for path in (root / "actions").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("status: at risk", "status: behind"), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "At risk is now behind", when="2011-03-12")


def test_a_status_renamed_since_a_meeting_is_counted_as_other_with_advice(runner, meetings):
    before = json.loads(run(runner, "progress", "--project", str(meetings),
                            "--format", "json").stdout)
    rename_at_risk(meetings)
    result = run(runner, "progress", "--project", str(meetings), "--format", "json")
    assert result.exit_code == 0
    after = json.loads(result.stdout)
    for then, now in zip(before, after):
        # every row adds up to its items: the old word in a column of its own
        assert sum(now["counts"].values()) == now["items"] == then["items"]
        assert list(now["counts"]) == ["complete", "on track", "behind", "not started",
                                       "off track", "other"]
        if now["current"]:
            assert (now["counts"]["behind"], now["counts"]["other"]) == (
                then["counts"]["at risk"], 0)
        else:
            assert (now["counts"]["behind"], now["counts"]["other"]) == (
                0, then["counts"]["at risk"])
    # warned once, naming the word, the meetings and the fix
    assert result.stderr.splitlines() == [
        "actions/plan.yaml: warning: 'at risk' is a status at the meetings tagged "
        "ssp-2010-06-28, ssp-sept, ssp-2010-12, and no status of this plan now, so those "
        "items are counted as \"Other\" in the progress across meetings: add "
        "`also: [at risk]` to the status it became, in actions/plan.yaml"]
    table = run(runner, "progress", "--project", str(meetings)).stdout.splitlines()
    assert re.match(r"Meeting\s+Date\s+Complete\s+On track\s+Behind\s+Not started\s+"
                    r"Off track\s+Other\s+Overdue\s+Items$", table[0])

    # The report: the same column in the table and on the chart, and the same warning.
    built = run(runner, "build", "--project", str(meetings), "--format", "html")
    assert built.exit_code == 0
    assert built.stderr.count("'at risk' is a status at the meetings tagged") == 1
    html = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    table_rows, (bars, _) = table_numbers(html), chart_numbers(html)
    head = re.search(r'<table class="progress-table">.*?</thead>', html, re.S)[0]
    assert re.findall(r'<th scope="col">(.*?)</th>', head)[2:] == [
        "Complete", "On track", "Behind", "Not started", "Off track", "Other", "Total",
        "Overdue"]
    for name, then in zip(table_rows, before):
        assert table_rows[name]["other"] == (0 if then["current"]
                                             else then["counts"]["at risk"])
        assert sum(table_rows[name].values()) == then["items"]
        assert bars[name] == {s: n for s, n in table_rows[name].items() if n}
    described = chart_numbers(html)[1].find(f"{SVG}desc").text
    assert f"{before[0]['counts']['at risk']} other. In this report" in described
    assert described.endswith("2 off track, 0 other. The numbers for every meeting are in "
                              "the table that follows.")


def test_a_status_renamed_with_its_old_word_in_also_counts_the_old_meetings(runner,
                                                                             meetings):
    before = json.loads(run(runner, "progress", "--project", str(meetings),
                            "--format", "json").stdout)
    rename_at_risk(meetings, also=", also: [At-Risk]")  # any case, as check reads it
    result = run(runner, "progress", "--project", str(meetings), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    after = json.loads(result.stdout)
    assert [list(r["counts"].values()) for r in after] == [
        list(r["counts"].values()) for r in before]
    assert all(list(r["counts"])[2] == "behind" for r in after)
    planned = plan(meetings).plan
    view = planned.progress
    assert [s.label for s in view.statuses] == [
        "Complete", "On track", "Behind", "Not started", "Off track"]
    assert [p.counts[view.statuses[2]] for p in view.points] == [
        r["counts"]["at risk"] for r in before]
    # and the direction of travel compares the old word as the status it became
    rows = {r.ref: r for section in planned.sections for r in section.rows}
    assert rows["3.2.2"].direction == "No change"  # at risk then, behind now
    assert rows["3.2.3"].direction == "Improved (was at risk)"


def test_items_of_no_status_are_counted_so_every_row_adds_up(meetings):
    plan_yaml = (Path(__file__).parent.parent / "psa_report/plans/default.yaml").read_text(
        encoding="utf-8")
    (meetings / "actions/plan.yaml").write_text(
        plan_yaml.replace("status_required: true", "status_required: false"),
        encoding="utf-8")
    edit(meetings, "actions/recommendations/R6.yaml", "status: not started\n", "")
    result = progress(meetings)
    assert result.warnings == []
    current = result.records[-1].as_dict()
    assert current["counts"]["no status"] == 1
    assert sum(current["counts"].values()) == current["items"]
    assert all(r.as_dict()["counts"]["no status"] == 0 for r in result.meetings)
    assert result.columns[-3] == ("no_status", "No status")
