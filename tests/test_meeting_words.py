"""Meetings in words: a committee paper names a meeting by its date (and the title its
annotated tag gives), never by a git tag, and names no commit, no git and no HEAD in its
body (HTML, PDF text, Word text). The commit may stay in the document's properties.
`build` and `changes` agree on the last meeting and on what changed since."""

from __future__ import annotations

import html as htmlib
import json
import re
import zipfile
from pathlib import Path

from conftest import edit, git, run
from pypdf import PdfReader

from psa_report.history import meeting_title

#: Words of git a committee should never read: the tool, its objects and its names.
GIT_WORDS = re.compile(r"\b(git|commits?|committed|tags?|tagged)\b",
                       re.IGNORECASE)
CASED = re.compile(r"\bHEAD\b")
TAG_NAMES = ("ssp-2010-06-28", "ssp-sept", "ssp-2010-12", "ssp-")


def hashes(root: Path) -> list[str]:
    """Every commit of the repository, in full and short."""
    full = git(root, "rev-list", "--all").split()
    return full + [c[:7] for c in full]


def git_words_in(text: str, root: Path) -> list[str]:
    found = [m[0] for m in GIT_WORDS.finditer(text)] + CASED.findall(text)
    found += [name for name in TAG_NAMES if name in text]
    found += [h for h in hashes(root) if h in text]
    return found


def html_body(page: str) -> str:
    """All that the page shows or says: everything after <head>, tags' attributes too."""
    return htmlib.unescape(page.split("</head>", 1)[1])


def html_words(page: str) -> str:
    return " ".join(htmlib.unescape(re.sub(r"<[^>]+>", " ", page.split("</head>", 1)[1]))
                    .split())


def pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(path).pages)


def docx_parts(path: Path) -> tuple[str, str]:
    """(the text of every w:t in the body, headers and footers; every alt text and
    picture name) of a Word file: what its reader sees and hears."""
    texts, alts = [], []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                continue
            xml = archive.read(name).decode("utf-8")
            texts += re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
            alts += re.findall(r'\b(?:descr|title|name)="([^"]*)"', xml)
    return (" ".join(htmlib.unescape(" ".join(texts)).split()),
            " ".join(htmlib.unescape(a) for a in alts))


def build_all(runner, root: Path, *args: str) -> dict[str, Path]:
    result = run(runner, "build", "--project", str(root), "--format", "all", *args)
    assert result.exit_code == 0, result.output
    out = root / "out"
    return {kind: out / f"progress-report.{kind}" for kind in ("html", "pdf", "docx")}


def test_no_git_word_reaches_any_paper_and_meetings_are_named_in_words(runner, meetings):
    paths = build_all(runner, meetings)
    page = paths["html"].read_text(encoding="utf-8")
    body, shown = html_body(page), html_words(page)
    pdf = pdf_text(paths["pdf"])
    word, alts = docx_parts(paths["docx"])
    for name, text in (("HTML", body), ("PDF", pdf), ("Word", word), ("Word alt text", alts)):
        assert git_words_in(text, meetings) == [], name

    # The progress table names each meeting by its date, and the one whose annotated tag
    # gives a title by that title too.
    rows = re.findall(r'<tr data-meeting="[^"]*"><th scope="row">([^<]*)</th>', page)
    assert rows == ["Meeting of 28 June 2010", "Safer Stockton Partnership, 27 September 2010",
                    "Meeting of 6 December 2010", "This report"]
    # The bars: a meeting's date (a title would not fit under a bar).
    bars = re.findall(r'<g class="bar" data-meeting="([^"]*)">', page)
    assert bars == rows
    sentences = [
        "Direction of travel is measured against the plan as it was at the meeting of "
        "6 December 2010.",
        "Compared with the action plan as it was at the meeting of 6 December 2010.",
        "Changes are marked against the plan as it was at the meeting of 6 December 2010.",
        "Safer Stockton Partnership, 27 September 2010",
        "from the meeting of 28 June 2010 to this report (21 March 2011).",
    ]
    for sentence in sentences:
        assert sentence in shown, sentence
        assert sentence in pdf, sentence
        assert sentence in word, sentence
    assert "Prepared from the action plan as saved on 10 March 2011." in shown
    # The commit stays in the page's properties.
    head = git(meetings, "rev-parse", "HEAD").strip()
    assert f'<meta name="psa-report.version" content="{head}">' in page


def test_build_marks_what_changed_since_the_tagged_meeting_as_changes_lists(runner, meetings,
                                                                            tmp_path):
    """No last_meeting: the last meeting is found by its tag (ssp-2010-12), and the report
    marks the changed rows and lists the changes that `changes` lists."""
    listed = json.loads(run(runner, "changes", "--project", str(meetings),
                            "--format", "json").stdout)
    assert listed["since"]["rev"] == "ssp-2010-12"
    build = run(runner, "build", "--project", str(meetings), "--format", "html")
    assert build.exit_code == 0, build.output
    page = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="changes".*?</section>', page, re.S)[0]
    in_report = re.findall(r"<li><strong>([^<]+)</strong> [a-z ]+: (\w+)", section)
    assert sorted(in_report) == sorted((c["ref"], c["change"]) for c in listed["changes"])
    row = re.search(r'<tr id="data-gap-5-2-3"[^>]*>(.*?)</tr>', page, re.S)[1]
    assert "Update revised" in row and "Changed since the last meeting:" in row
    assert '<a href="#changes">' in page


def test_last_meeting_by_a_titled_tag_and_a_version_that_is_no_meeting(runner, meetings):
    # last_meeting names an annotated tag, with no meeting_tags: its message dates and
    # titles it all the same.
    edit(meetings, "actions/report.yaml", 'meeting_tags: "ssp-*"', "last_meeting: ssp-sept")
    run(runner, "build", "--project", str(meetings), "--format", "html")
    shown = html_words((meetings / "out/progress-report.html").read_text(encoding="utf-8"))
    assert ("Compared with the action plan as it was at the meeting of the Safer Stockton "
            "Partnership on 27 September 2010.") in shown
    assert git_words_in(shown, meetings) == []
    # --since a saved version no meeting was tagged on: named by the day it was saved.
    edit(meetings, "actions/report.yaml", "last_meeting: ssp-sept", 'meeting_tags: "ssp-*"')
    run(runner, "build", "--project", str(meetings), "--format", "html", "--since", "HEAD")
    page = (meetings / "out/progress-report.html").read_text(encoding="utf-8")
    shown = html_words(page)
    assert "Compared with the action plan as it was on 10 March 2011." in shown
    assert "Direction of travel is measured against the plan as it was on 10 March " \
           "2011." in shown
    assert git_words_in(html_body(page), meetings) == []


def test_a_plan_outside_git_is_said_in_plain_words(runner, project):
    run(runner, "build", "--project", str(project), "--format", "html")
    page = (project / "out/progress-report.html").read_text(encoding="utf-8")
    shown = html_words(page)
    assert ("Prepared from action plan files that are not kept under version control, so "
            "this report cannot be traced to a saved version of the plan.") in shown
    assert GIT_WORDS.findall(html_body(page)) == []


def test_a_draft_is_said_without_git(runner, meetings):
    edit(meetings, "actions/data-gaps/3.2.5.yaml", "status: ", "# edited\nstatus: ")
    paths = build_all(runner, meetings)
    page = paths["html"].read_text(encoding="utf-8")
    assert ("Draft: built from changes to the action plan that have not yet been saved, so "
            "it does not match any saved version of the plan.") in html_words(page)
    for text in (html_body(page), pdf_text(paths["pdf"]), docx_parts(paths["docx"])[0]):
        assert git_words_in(text, meetings) == []


def test_a_tags_title_is_the_words_after_the_date_its_message_starts_with():
    assert meeting_title("2010-09-27 Safer Stockton Partnership") == \
        "Safer Stockton Partnership"
    assert meeting_title("28 June 2010: SSP Board") == "SSP Board"
    assert meeting_title("27th September 2010 - Cabinet") == "Cabinet"
    assert meeting_title("2010-09-27") is None  # a date alone: no title
    assert meeting_title("Sent on the 20th") is None  # a note, not the meeting's name
    assert meeting_title(None) is None
    assert meeting_title("2010-09-27 Safer\x07 Stockton") is None  # not plain text
    assert meeting_title("2010-09-27 " + "A note that runs on " * 5) is None  # too long
