# ruff: noqa: E501  (the English sentences before the catalog, each on one line)
"""The tool's own words in Welsh (issue 30): a gettext catalog per language, read with Babel.

English is unchanged (the msgids are the words it always printed); every message has a
Welsh translation whose {names} match its msgid's; Welsh plurals follow CLDR's six
categories; Welsh dates come from CLDR ("28 Mehefin 2010", no English ordinal); a
catalog a Welsh language unit has broken is refused at its line.
"""

from __future__ import annotations

import dataclasses
import gettext
import re
import shutil
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from psa_report import catalog, fieldtypes, wording
from psa_report.dates import long_date, parse_due
from psa_report.plan import DayParts
from psa_report.problems import Invalid
from psa_report.shape import default_shape

REPO = Path(__file__).resolve().parent.parent
PO = REPO / "psa_report/locale/cy/LC_MESSAGES/psa_report.po"
POT = REPO / "psa_report/locale/psa_report.pot"
#: CLDR's plural categories in the order gettext's forms are numbered
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _po(path: Path = PO):
    with path.open("rb") as f:
        return read_po(f, locale="cy")


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _messages(po) -> list:
    return [m for m in po if m.id]


# ------------------------------------------------------------------ English unchanged

#: What the English words printed before the catalog (psa_report/wording.py on main,
#: for the shipped default plan's kinds): the catalog must not change a byte of them.
BEFORE = [
    ('items', None,
     'data gaps and recommendations'),
    ('report_to', ('Safer Stockton Partnership',),
     'Report to the Safer Stockton Partnership'),
    ('section', ('3.2', 'Victims'),
     'Section 3.2: Victims'),
    ('section', ('3', ''),
     'Section 3'),
    ('section', ('1', 'Priority 1: Reduce violent crime'),
     'Priority 1: Reduce violent crime'),
    ('continued', ('3.2', 'Victims'),
     'Section 3.2: Victims, continued'),
    ('section_caption', ('data gap', '3.2'),
     'Data requirements from section 3.2 of the assessment, with progress and status'),
    ('part_caption', ('Recommendations',),
     'Recommendations, with progress and status'),
    ('due_on', ('September 2010',),
     'Due September 2010'),
    ('updates_received', ([('SBC', date(2010, 6, 28)), ('POL', date(2010, 7, 1))],),
     'Updates received from SBC (28 June), POL (1 July).'),
    ('overdue_by', (1,),
     'Overdue by 1 day'),
    ('overdue_by', (2,),
     'Overdue by 2 days'),
    ('overdue_by', (1234,),
     'Overdue by 1,234 days'),
    ('lead_is', ('SBC, POL',),
     'Lead: SBC, POL'),
    ('exceptions_intro', ('28 June 2010', ['off track', 'at risk']),
     'Actions off track, at risk or overdue as at 28 June 2010, each with its latest update; the full tables follow.'),
    ('exceptions_intro', ('28 June 2010', []),
     'Actions overdue as at 28 June 2010, each with its latest update; the full tables follow.'),
    ('no_exceptions', (True, ['off track']),
     'No action is off track or overdue, and none is worse than at the last meeting.'),
    ('no_exceptions', (False, []),
     'No action is overdue.'),
    ('counted', ('Off track', 3),
     'Off track (3)'),
    ('now', ('on track',),
     'now on track'),
    ('removed', (['R1', 'R2'],),
     'Removed from the plan since the last meeting: R1, R2.'),
    ('compared_with', ('as it was on 1 June 2010',),
     'Compared with the action plan as it was on 1 June 2010.'),
    ('meeting_name', ('Safer Stockton Partnership', '27 September 2010'),
     'Safer Stockton Partnership, 27 September 2010'),
    ('meeting_name', (None, '28 June 2010'),
     'Meeting of 28 June 2010'),
    ('the_meeting', (None, '28 June 2010'),
     'the meeting of 28 June 2010'),
    ('the_meeting', ('Safer Stockton Partnership', '27 September 2010'),
     'the meeting of the Safer Stockton Partnership on 27 September 2010'),
    ('the_meeting', ('The Safer Stockton Board', '27 September 2010'),
     'the meeting of The Safer Stockton Board on 27 September 2010'),
    ('as_it_was', (None, '28 June 2010'),
     'as it was at the meeting of 28 June 2010'),
    ('as_it_was', (None, '20 September 2010', False),
     'as it was on 20 September 2010'),
    ('nothing_changed', None,
     'No data gap or recommendation has changed.'),
    ('summary_caption', None,
     'Number of data gaps and recommendations by status, overall and by lead agency'),
    ('no_lead', (1,),
     '1 recommendation is for the whole partnership and has no lead agency.'),
    ('no_lead', (3,),
     '3 recommendations are for the whole partnership and have no lead agency.'),
    ('overdue_as_at', ('28 June 2010',),
     'Overdue actions as at 28 June 2010'),
    ('none_overdue', ('28 June 2010',),
     'No action is overdue as at 28 June 2010.'),
    ('chart_title', (1,),
     'Data gaps and recommendations by status'),
    ('chart_title', (5,),
     'Data gaps and recommendations by status at each of the last 5 meetings'),
    ('progress_caption', None,
     'Number of data gaps and recommendations by status at each meeting: the numbers in the chart'),
    ('progress_note', (8,),
     "The chart shows at most the last 8 meetings. Overdue: not complete and due before the meeting's date."),
    ('footer', ('Progress report', 'Safer Stockton Partnership', '28 June 2010'),
     'Progress report · Safer Stockton Partnership, 28 June 2010'),
    ('page_of', (),
     ('Page ', ' of ')),
    ('workbook_edition', ([],),
     'Edition: nothing in this workbook is exempt information, so it matches the public edition of the report.'),
    ('workbook_edition', ([1, 3],),
     'Exempt edition: NOT FOR PUBLICATION: exempt information under paragraphs 1 and 3 of Part 1 of Schedule 12A to the Local Government Act 1972. This workbook shows the whole text, which the public edition of the report leaves out: do not publish or forward it.'),
    ('exempt_sentence', (3,),
     'Exempt information: not for publication (Local Government Act 1972, Schedule 12A, paragraph 3)'),
    ('exempt_short', (3,),
     'Exempt (Schedule 12A, paragraph 3)'),
    ('exempt_not_counted', (1,),
     '1 action whose status or deadline is exempt information is not counted here.'),
    ('exempt_not_counted', (4,),
     '4 actions whose status or deadline is exempt information are not counted here.'),
    ('not_for_publication', ([7],),
     'NOT FOR PUBLICATION: exempt information under paragraph 7 of Part 1 of Schedule 12A to the Local Government Act 1972'),
    ('not_for_publication', ([1, 3, 7],),
     'NOT FOR PUBLICATION: exempt information under paragraphs 1, 3 and 7 of Part 1 of Schedule 12A to the Local Government Act 1972'),
    ('not_for_publication_short', ([1, 7],),
     'NOT FOR PUBLICATION: Schedule 12A, paragraphs 1 and 7'),
    ('uncounted', ('An action with several leads is counted under each of them.', 2),
     'An action with several leads is counted under each of them. 2 actions whose status or deadline is exempt information are not counted here.'),
    ('exception_title', ('Progress report',),
     'Progress report: exception report'),
    # (issue 27: the plan's exception statuses and kinds, not "actions that are off track")
    ('exception_report', ('published alongside it as progress-report (PDF, HTML and Word)', 1,
                          ['off track', 'at risk']),
     'This is the exception report: it shows only the data gaps and recommendations that are off track, at risk or overdue, or worse since the last meeting, in full, with the status summary and the direction of travel. The full report, with all data gaps and recommendations (1 in all), is published alongside it as progress-report (PDF, HTML and Word).'),
    ('exception_report', ('published alongside it as progress-report (PDF, HTML and Word)',
                          1200, []),
     'This is the exception report: it shows only the data gaps and recommendations that are overdue, or worse since the last meeting, in full, with the status summary and the direction of travel. The full report, with all data gaps and recommendations (1,200 in all), is published alongside it as progress-report (PDF, HTML and Word).'),
    ('full_report', ('progress-report',),
     'published alongside it as progress-report (PDF, HTML and Word)'),
]

#: The English fields before the catalog.
BEFORE_FIELDS = {
    "yes": "Yes", "no": "No", "no_statuses": "No statuses are given in this plan.",
    "contents": "Contents", "skip_link": "Skip to the report", "draft": "Draft:",
    "draft_sentence": "built from changes to the action plan that have not yet been saved, "
                      "so it does not match any saved version of the plan.",
    "meeting_of": "meeting of", "exceptions": "Exceptions", "overdue": "Overdue",
    "past_due": "Past their due date", "worse": "Worse since the last meeting",
    "whole_partnership": "the whole partnership", "lead": "Lead", "ref": "Ref",
    "status": "Status", "due": "Due", "days_overdue": "Days overdue", "total": "Total",
    "meeting": "Meeting", "date": "Date", "new": "New",
    "since_last_meeting": "since the last meeting",
    "changed_since": "Changed since the last meeting:",
    "changes": "Changes since the last meeting", "summary": "Status summary",
    "several_leads": "An action with several leads is counted under each of them.",
    "lead_agencies": "Lead agencies",
    "overdue_caption": "Actions not complete whose deadline has passed, most overdue first",
    "progress": "Progress across meetings", "update_prefix": "- ", "labelled_prefix": ": ",
    "no_status": "No status", "category": "Committee report",
    "public_edition": "Public edition: exempt information is left out",
    "exempt_edition": "Exempt edition: NOT FOR PUBLICATION",
}


def _said(words: wording.Words, name: str, args):
    value = getattr(words, name)
    return value if args is None else value(*args)


@pytest.mark.parametrize(("name", "args", "printed"), BEFORE)
def test_english_sentences_are_worded_as_before(name, args, printed):
    assert _said(wording.words_for(default_shape()), name, args) == printed
    assert _said(wording.words_for(default_shape(), "en"), name, args) == printed


def test_english_fields_are_as_before_and_words_in_en_is_words():
    assert wording.words_in("en") is wording.WORDS
    for name, text in BEFORE_FIELDS.items():
        assert getattr(wording.WORDS, name) == text, name
    # for_language("en") goes through the catalog machinery and changes nothing
    assert wording.WORDS.for_language("en") == wording.WORDS
    assert dataclasses.asdict(wording.WORDS.for_language("en")) == dataclasses.asdict(
        wording.WORDS)


# ------------------------------------------------------------------ every word translated

def test_every_message_has_a_welsh_translation():
    untranslated = []
    for message in _messages(_po()):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(form.strip() for form in forms):
            untranslated.append(message.id)
    assert untranslated == [], f"not translated (or fuzzy) in {PO.name}: {untranslated}"


def test_the_catalog_holds_every_message_the_code_words():
    """Every message marked in wording.py (and figures_view.py, the crime figures' words)
    is in the template and in the Welsh catalog, and neither holds a message the code no
    longer has (run scripts/update-catalog.sh)."""
    used = {(m[1] if isinstance(m[1], str) else m[1][0])
            for name in ("wording.py", "figures_view.py")
            for m in extract_from_file("python", REPO / "psa_report" / name)}
    assert len(used) > 80
    for path in (POT, PO):
        with path.open("rb") as f:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
        assert used - ids == set(), f"{path.name} lacks these: run scripts/update-catalog.sh"
        assert ids - used == set(), f"{path.name} has messages the code no longer words"


def test_every_welsh_word_differs_from_the_english_one():
    """The Welsh Words have every field translated (not the English fallback), and the
    sentences come out in Welsh."""
    cy = wording.words_in("cy")
    assert cy.language == "cy"
    for name in wording._MESSAGE_FIELDS:
        assert getattr(cy, name) != getattr(wording.WORDS, name), name
    assert (cy.summary, cy.contents, cy.lead_agencies) == (
        "Crynodeb statws", "Cynnwys", "Asiantaethau arweiniol")
    welsh = wording.words_for(default_shape(), "cy")
    # the kinds are the plan's own words, as the plan gives them (bilingual plans: later)
    assert [k.name for k in welsh.kinds] == [k.name for k in wording.words_for(
        default_shape()).kinds]
    assert welsh.kind(welsh.kinds[0].name).labels["ref"] == "Cyf"
    assert welsh.page_of() == ("Tudalen ", " o ")
    assert welsh.exempt_short(3) == "Eithriedig (Atodlen 12A, paragraff 3)"
    for name, args, printed in BEFORE:
        said = _said(welsh, name, args)
        # the words of a sentence made only of its values ("{title}, {day}") are theirs
        own = set(re.findall(r"[^\W\d]+", str(printed))) - set(re.findall(
            r"[^\W\d]+", str(args)))
        if name not in ("lead_is", "due_on") and own:
            assert said != printed, (name, said)


# ------------------------------------------------------------------ placeholders

def test_the_catalog_parses_and_its_placeholders_match_the_msgids():
    po = _po()
    assert po.locale == Locale("cy")
    assert [error for _, errors in po.check() for error in errors] == []
    for message in _messages(po):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        named = [_names(text) for text in ids]
        for form in forms:
            if len(ids) == 1:
                assert _names(form) == named[0], (message.id, form)
            else:  # every name both English forms share; none neither has
                assert set.intersection(*named) <= _names(form) <= set.union(*named), form
            form.format(**{name: "x" for name in _names(form)})  # braces pair up
        assert "python-brace-format" in message.flags or not named[-1], message.id


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = PO.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "psa_report.po"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_translation_with_a_renamed_value_is_refused_at_its_line(tmp_path):
    path = _broken(tmp_path, 'msgstr "Adran {number}: {heading}"',
                   'msgstr "Adran {rhif}: {heading}"')
    line = path.read_text(encoding="utf-8").splitlines().index(
        'msgstr "Adran {rhif}: {heading}"')  # the msgid's line (1-based) is the one above
    with pytest.raises(Invalid) as raised:
        catalog.read_catalog(path, "cy")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert "{rhif}" in problem.message and "{number}" in problem.message


def test_a_translation_with_unpaired_braces_or_missing_forms_is_refused(tmp_path):
    path = _broken(tmp_path, 'msgstr "Cyfarfod {day}"', 'msgstr "Cyfarfod {day"')
    with pytest.raises(Invalid, match="write a value's name in braces"):
        catalog.read_catalog(path, "cy")
    text = PO.read_text(encoding="utf-8")
    start = text.index('msgid "Overdue by {count} day"')
    fewer = text[:start] + text[start:].replace('msgstr[5] "Yn hwyr o {count} diwrnod"\n',
                                                "", 1)
    path.write_text(fewer, encoding="utf-8")
    with pytest.raises(Invalid, match=r"msgstr\[5\] is empty, where Plural-Forms asks for 6"):
        catalog.read_catalog(path, "cy")


def test_a_fuzzy_translation_prints_in_english(tmp_path):
    """A message a reviewer marks fuzzy (unsure) is printed as its English, as gettext
    does, and the completeness test above names it."""
    path = _broken(tmp_path, 'msgid "Status summary"', '#, fuzzy\nmsgid "Status summary"')
    messages = catalog.read_catalog(path, "cy")
    assert messages.gettext("Status summary") == "Status summary"
    assert messages.gettext("Contents") == "Cynnwys"


def test_an_unknown_language_is_refused_plainly():
    with pytest.raises(Invalid, match="'fr'.*en and cy"):
        wording.words_in("fr")


# ------------------------------------------------------------------ plurals

def test_the_welsh_plural_forms_are_cldrs_six():
    po = _po()
    assert po.num_plurals == 6
    choose = gettext.c2py(po.plural_expr)
    rule = Locale("cy").plural_form
    for n in range(0, 1001):
        assert CATEGORIES[choose(n)] == rule(n), n


@pytest.mark.parametrize(("count", "said"), [
    (0, "Yn hwyr o 0 diwrnod"), (1, "Yn hwyr o 1 diwrnod"), (2, "Yn hwyr o 2 ddiwrnod"),
    (3, "Yn hwyr o 3 diwrnod"), (6, "Yn hwyr o 6 diwrnod"), (11, "Yn hwyr o 11 diwrnod"),
    (1234, "Yn hwyr o 1,234 diwrnod"),
])
def test_welsh_counts_take_their_plural_form_and_thousands_separators(count, said):
    assert wording.words_in("cy").overdue_by(count) == said


def test_each_welsh_plural_form_is_the_one_for_its_count():
    """The form printed for a count is the catalog's form for that count's category:
    "2 gam" (two), "3 cham" (few), "6 cham" (many), "5 cam" (other)."""
    welsh = wording.words_in("cy")
    po = _po()
    (message,) = [m for m in po if m.id and m.id[0].startswith("{count} action whose")]
    for n in (0, 1, 2, 3, 5, 6, 7, 1234):
        form = message.string[CATEGORIES.index(Locale("cy").plural_form(n))]
        assert welsh.exempt_not_counted(n) == form.format(count=welsh.number(n))
    assert "2 gam gweithredu" in welsh.exempt_not_counted(2)
    assert "3 cham gweithredu" in welsh.exempt_not_counted(3)
    assert "5 cam gweithredu" in welsh.exempt_not_counted(5)


# ------------------------------------------------------------------ dates and numbers

def test_welsh_dates_read_as_cldr_writes_them():
    day = date(2010, 6, 28)
    assert long_date(day) == "28 June 2010"
    assert long_date(day, language="en") == "28 June 2010"
    assert long_date(day, language="cy") == "28 Mehefin 2010"
    assert long_date(date(2011, 2, 1), language="cy") == "1 Chwefror 2011"
    english, welsh = DayParts.of(day), DayParts.of(day, "cy")
    assert (english.day, english.suffix, english.month_year, english.text) == (
        28, "th", "June 2010", "28 June 2010")
    assert (welsh.day, welsh.suffix, welsh.month_year, welsh.text) == (
        28, "", "Mehefin 2010", "28 Mehefin 2010")
    assert DayParts.of(date(2010, 7, 1), "cy").suffix == ""
    assert wording.words_in("cy").updates_received([("SBC", day)]) == (
        "Daeth diweddariadau i law gan SBC (28 Mehefin).")


@pytest.mark.parametrize(("written", "welsh"), [
    ("2010-09-30", "30 Medi 2010"), ("2010-09", "Medi 2010"), ("2011-02", "Chwefror 2011"),
    ("Q3 2024/25", "Ch3 2024/25 (Hydref – Rhagfyr 2024)"),
    ("Q4 2024/25", "Ch4 2024/25 (Ionawr – Mawrth 2025)"),
    ("2024/25", "2024/25 (Ebrill 2024 – Mawrth 2025)"), ("ongoing", "parhaus"),
])
def test_deadlines_are_worded_in_the_language(written, welsh):
    due = parse_due(written, periods=True)
    assert wording.WORDS.deadline(due) == due.long  # English: as the report prints it
    assert wording.words_in("cy").deadline(due) == welsh


def test_counts_print_with_thousands_separated_in_both_languages():
    assert wording.WORDS.number(12345) == "12,345"  # "5,402 days" (issue 27)
    assert wording.words_in("cy").number(12345) == "12,345"


# ------------------------------------------------------------------ the developer's refresh

def test_refreshing_the_catalog_keeps_every_translation(tmp_path):
    """scripts/update-catalog.sh (pybabel extract, update) on a copy of the repository's
    files: the Welsh catalog comes back with the same messages and translations."""
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent))
    assert pybabel is not None
    copy = tmp_path / "repo"
    for relative in ("scripts/update-catalog.sh", "psa_report/wording.py",
                     "psa_report/workbook_out.py", "psa_report/emails.py",
                     "psa_report/figures_view.py", "psa_report/locale"):
        source, target = REPO / relative, copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    done = subprocess.run(["sh", str(copy / "scripts/update-catalog.sh")], capture_output=True,
                          text=True, env={"PYBABEL": pybabel, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    before = {m.id: m.string for m in _messages(_po())}
    after = {m.id: m.string for m in _messages(_po(copy / PO.relative_to(REPO)))}
    assert after == before


def test_the_reviewers_check_names_each_message_still_to_do(tmp_path, capsys):
    """``python -m psa_report.catalog cy``: the shipped catalog passes; one with a
    message marked fuzzy and one left empty names each at its line."""
    assert catalog.main(["cy"]) == 0
    assert "every message is translated" in capsys.readouterr().out
    path = _broken(tmp_path, 'msgid "Status summary"', '#, fuzzy\nmsgid "Status summary"')
    text = path.read_text(encoding="utf-8").replace('msgstr "Cynnwys"', 'msgstr ""')
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    said = {p.line: p.message for p in catalog.untranslated(path, "cy")}
    assert said == {
        lines.index('msgid "Status summary"') + 1: "'Status summary' is marked fuzzy: check "
        "the translation, then delete the '#, fuzzy' line above it",
        lines.index('msgid "Contents"') + 1: "'Contents' has no translation yet"}


# ------------------------------------------------------------------ workbooks and e-mails

#: The partners' workbooks' and e-mails' English before their words moved into Words
#: (workbook_out.py and emails.py on main), and what each says now.
PARTNER_WORDS = [
    (lambda w: w.update_request("Safer Stockton Partnership", "Cleveland Police"),
     "Safer Stockton Partnership: update request for Cleveland Police"),
    (lambda w: w.workbook_lists(["data gaps"], "Cleveland Police", "Safer Stockton Partnership",
                                ["complete"], "Safer Stockton Partnership"),
     "This workbook lists the data gaps that Cleveland Police leads in the action plan of the Safer Stockton Partnership, and that are not yet complete. The updates you give will go into the progress report to the Safer Stockton Partnership."),
    (lambda w: w.workbook_lists(["data gaps", "recommendations", "risks"], "Police", "SSP", [],
                                w.meeting_on("SSP", "27 September 2010")),
     "This workbook lists the data gaps and recommendations and risks that Police leads in the action plan of the SSP. The updates you give will go into the progress report to the SSP on 27 September 2010."),
    (lambda w: w.reply_by("1 September 2010"), "Please reply by 1 September 2010."),
    (lambda w: w.reply_by(None), "Please reply as soon as you can."),
    (lambda w: w.open_sheets(["Data requirements"], ["data gap"]),
     "Open the Data requirements sheet. Each row is one data gap."),
    (lambda w: w.open_sheets(["Data requirements", "Recommendations"],
                             ["data gap", "recommendation"]),
     "Open the Data requirements and Recommendations sheets. Each row is one data gap or recommendation."),
    (lambda w: w.step("status", "Status", "New Status", choices=["complete", "on track", "off track"]),
     "Choose the New Status from the drop-down list: complete, on track or off track. Leave it blank if it has not changed."),
    (lambda w: w.step("choice", "Update", "New Update", choices=["a", "b"]),
     "Choose the New Update from the drop-down list: a, b."),
    (lambda w: w.step("due", "Due", "New Due", day="01/09/2010", quarter="Q2 2010/11", year="2010/11"),
     "If the deadline has moved, type the new one in the New Due column: a date such as 01/09/2010, a quarter such as Q2 2010/11, a year such as 2010/11, or ongoing."),
    (lambda w: w.step("date", "Update", "New Update", day="01/09/2010"),
     "If the Update has changed, type the new date in the New Update column, such as 01/09/2010."),
    (lambda w: w.step("number", "Update", "New Update"),
     "Type the new Update in the New Update column, as a number (digits only)."),
    (lambda w: w.step("yes-no", "Update", "New Update"), "Type yes or no in the New Update column."),
    (lambda w: w.step("text", "Update", "New Update"),
     "Type the latest Update in the New Update column. Leave it blank if nothing has changed."),
    (lambda w: w.choose_one_of(["yes", "no"]), "Choose one of: yes, no."),
    (lambda w: w.type_a_date("01/09/2010", "Q2 2010/11", "2010/11", "ongoing"),
     "Type a date, such as 01/09/2010, or a quarter (Q2 2010/11), a year (2010/11) or ongoing."),
    (lambda w: w.type_a_date("01/09/2010"), "Type a date, such as 01/09/2010."),
    (lambda w: w.type_new_date("01/09/2010"),
     "Type the new one, such as 01/09/2010, or leave blank if it has not moved."),
    (lambda w: w.sent_on("1 August 2010"), "Sent on 1 August 2010."),
    (lambda w: w.request_intro("Cleveland Police", w.count_of(1, "data gap", "data gaps"), 1,
                               "Safer Stockton Partnership", ["3.2.1"], "SSP"),
     "Please find attached the update request for Cleveland Police: the 1 data gap that Cleveland Police leads in the Safer Stockton Partnership's action plan and that is not yet complete (3.2.1). The updates you give will go into the progress report to the SSP."),
    (lambda w: w.request_intro_whole(w.count_of(4, "recommendation", "recommendations"), 4,
                                     "Safer Stockton Partnership", ["R1", "R3", "R4", "R5"], "SSP"),
     "Please find attached the update request for the 4 recommendations for the whole partnership in the Safer Stockton Partnership's action plan that are not yet complete (R1, R3, R4, R5). The updates you give will go into the progress report to the SSP."),
    (lambda w: w.request_subject("SSP", "Cleveland Police", w.reply_when(None)),
     "SSP: update request for Cleveland Police, reply as soon as you can"),
    (lambda w: w.please_reply(w.reply_when("1 September 2010")),
     "Please reply by 1 September 2010, returning the workbook as it is (.xlsx)."),
    (lambda w: w.what_to_fill_in(["Data gaps", "Recommendations"], ["data gap", "recommendation"]),
     "What to fill in, on the Data gaps and Recommendations sheets, one row per data gap or recommendation:"),
    (lambda w: w.fill_in_as_instructed("Instructions"), "What to fill in is on the Instructions sheet."),
    (lambda w: w.column_what(fieldtypes.get("due").fill_in, "01/09/2010"), "only if the deadline has moved, such as 01/09/2010."),
    (lambda w: w.column_what(fieldtypes.get("yes-no").fill_in, ""), "yes or no."),
    (lambda w: w.not_yet_received("Cleveland Police", "1 September 2010", 1),
     "We have not yet received the update request for Cleveland Police, which was due by 1 September 2010 (1 day ago). The workbook is attached again."),
    (lambda w: w.fill_in_and_return(["Status col"], ["Data gaps"], "Instructions"),
     "Please fill in the Status col column on the Data gaps sheet and return the workbook as it is (.xlsx), as soon as you can."),
    (lambda w: w.fill_in_and_return(["A", "B"], ["Data gaps", "Recommendations"], "Instructions"),
     "Please fill in the A and B columns on the Data gaps and Recommendations sheets and return the workbook as it is (.xlsx), as soon as you can."),
    (lambda w: w.fill_in_and_return([], [], "Instructions"),
     "Please fill in the workbook as its Instructions sheet says and return the workbook as it is (.xlsx), as soon as you can."),
    (lambda w: w.reminder_subject("SSP", "Cleveland Police"),
     "Reminder: SSP update request for Cleveland Police"),
    (lambda w: w.thank_you("officer", "SSP"), "Thank you,\nofficer\nSSP"),
    (lambda w: w.ask_me("officer"),
     "If anything is unclear, please ask me, the officer, by replying to this email."),
]


@pytest.mark.parametrize(("say", "english"), PARTNER_WORDS)
def test_the_workbooks_and_emails_words_are_as_before_in_english_and_welsh_in_cy(say, english):
    assert say(wording.WORDS) == english
    welsh = say(wording.words_in("cy"))
    assert welsh != english and welsh.strip()


def test_a_welsh_update_request_reads_in_welsh():
    """The e-mail's and the workbook's Welsh words: mutations by count, typed words kept."""
    cy = wording.words_in("cy")
    gaps = cy.count_of(2, "bwlch data", "bylchau data")  # a count takes the singular
    assert cy.request_intro("Heddlu", gaps, 2, "Partneriaeth", ["R1", "R2"], "y Bwrdd"
                            ).startswith("Amgaeir y cais am ddiweddariad gan Heddlu: mae "
                                         "Heddlu yn arwain 2 bwlch data")
    assert cy.not_yet_received("Heddlu", "1 Medi 2010", 2).endswith(
        "(2 ddiwrnod yn ôl). Mae'r llyfr gwaith wedi'i atodi eto.")
    # what a partner types is read back as written: it stays in the words the tool reads
    assert cy.step("yes-no", "Diweddariad", "Diweddariad Newydd") == (
        "Teipiwch yes neu no yng ngholofn Diweddariad Newydd.")
    assert cy.the_sheets(["Bylchau data"]) == "y daflen Bylchau data"
    assert cy.the_sheets(["A", "B"]) == "y taflenni A a B"


def test_the_catalogs_travel_in_the_wheel():
    """pyproject.toml's package data names the template and every language's catalog."""
    import fnmatch
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["psa_report"]
    for path in (PO, POT):
        relative = path.relative_to(REPO / "psa_report").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative
    assert any(d.startswith("babel") for d in data["project"]["dependencies"])


def test_welsh_joins_a_last_name_beginning_with_a_vowel_with_ac():
    cy, en = wording.words_in("cy"), wording.words_in("en")
    assert cy._and(["bylchau data", "argymhellion"]) == "bylchau data ac argymhellion"
    assert cy._and(["argymhellion", "bylchau data"]) == "argymhellion a bylchau data"
    assert en._and(["data gaps", "recommendations"]) == "data gaps and recommendations"
    assert en._and(["recommendations", "actions"]) == "recommendations and actions"
