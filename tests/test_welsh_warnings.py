"""What `check` and `build` say of a plan in two languages (QA F6, F13, F15, F8): plan.yaml's
texts with no Welsh warned at their lines like report.yaml's; the tool's own Welsh words
still to translate said once; a report.yaml that cannot be read reported alone, not with
every Welsh text called foreign; a Welsh text out of date on the day it was written said
plainly."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, edit, git, run
from test_welsh_editions import ENGLISH_UPDATE, make_bilingual

from psa_report import catalog
from psa_report.dates import long_date

PLAN = """\
statuses:
  - {name: green, colour: green, label: {en: Green, cy: Gwyrdd}}
  - {name: amber, colour: amber, exception: true, label: Amber}
  - {name: red, colour: red, exception: true}
sections_of: {en: the strategy, cy: y strategaeth}
kinds:
  - name: {en: action, cy: cam gweithredu}
    plural: actions
    folder: data-gaps
    heading: {en: Action plan, cy: Cynllun gweithredu}
    ref: "3.2.1"
    layout: table
    fields:
      - {name: gap, label: {en: Gap, cy: Bwlch}, type: text}
      - {name: lead, label: {en: Lead, cy: Arweinydd}, type: agencies}
      - {name: action, label: Action, type: text}
      - {name: update, type: text}
      - {name: rag, label: {en: RAG, cy: Statws RAG}, type: status}
      - {name: due, label: {en: Due, cy: Erbyn}, type: due, required: false}
"""


def own_shape(root: Path, plan: str = PLAN) -> Path:
    """The bilingual plan at ``root`` in the shape ``plan`` (its data gaps as actions,
    each green; no recommendations)."""
    (root / "actions/plan.yaml").write_text(plan, encoding="utf-8")
    for path in (root / "actions/recommendations").iterdir():
        path.unlink()
    for path in (root / "actions/data-gaps").iterdir():
        text = re.sub(r"(?m)^status: .*$", "rag: green", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    return root


def _warnings(output: str, file: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(file)]


def test_plan_yaml_texts_with_no_welsh_are_warned_at_their_lines(tmp_path):
    root = own_shape(make_bilingual(tmp_path / "plan"))
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 0, result.output
    fallback = ("no Welsh text: it is printed in English in the Welsh edition (write it as "
                "{en: ..., cy: ...})")
    made = "no Welsh text: it is printed in English in the Welsh edition (give `{key}: " \
           "{{en: ..., cy: ...}}` in the entry)"
    assert _warnings(result.output, "actions/plan.yaml") == [
        f"actions/plan.yaml:3:58: warning: statuses: amber: label: {fallback}",
        "actions/plan.yaml:4:5: warning: statuses: red: label: " + made.format(key="label"),
        f"actions/plan.yaml:8:13: warning: kinds: action: plural: {fallback}",
        f"actions/plan.yaml:16:31: warning: kinds: action: action: label: {fallback}",
        "actions/plan.yaml:17:9: warning: kinds: action: update: label: "
        + made.format(key="label"),
    ]
    # --strict refuses them, at the same lines
    strict = run(CliRunner(), "check", "--strict", "--project", str(root))
    assert strict.exit_code == 1
    assert "actions/plan.yaml:3:58: warning: statuses: amber: label: no Welsh text" \
        in strict.output


def test_a_plan_yaml_in_both_languages_or_in_one_is_not_warned(tmp_path):
    welsh = PLAN.replace("label: Amber", "label: {en: Amber, cy: Ambr}").replace(
        "exception: true}", "exception: true, label: {en: Red, cy: Coch}}").replace(
        "plural: actions", "plural: {en: actions, cy: camau gweithredu}").replace(
        "label: Action,", "label: {en: Action, cy: Cam},").replace(
        "{name: update, type: text}", "{name: update, label: {en: Update, cy: "
        "Diweddariad}, type: text}")
    root = own_shape(make_bilingual(tmp_path / "both"), welsh)
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 0, result.output
    assert _warnings(result.output, "actions/plan.yaml") == []
    # a plan in English alone: nothing to translate
    shutil.copytree(REPO / "actions", tmp_path / "english" / "actions")
    english = own_shape(tmp_path / "english", PLAN)
    result = run(CliRunner(), "check", "--project", str(english))
    assert result.exit_code == 0, result.output
    assert "Welsh" not in result.output


# ------------------------------------------------------------------ the tool's own words

def _fuzzy(tmp_path: Path, monkeypatch, *msgids: str) -> None:
    """The Welsh catalog as a reviewer left it: ``msgids`` marked fuzzy (unsure)."""
    text = catalog.catalog_path("cy").read_text(encoding="utf-8")
    for msgid in msgids:
        assert f'\nmsgid "{msgid}"\n' in text
        text = text.replace(f'\nmsgid "{msgid}"\n', f'\n#, fuzzy\nmsgid "{msgid}"\n', 1)
    path = tmp_path / "psa_report.po"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalog, "_cached", lambda language: catalog.read_catalog(
        path, language))


UNTRANSLATED = ("psa_report/locale/cy/LC_MESSAGES/psa_report.po: warning: the tool's Welsh "
                "catalog has {count} untranslated {messages} (with no Welsh yet, or marked "
                "fuzzy): {they} printed in English in the Welsh edition; `python -m "
                "psa_report.catalog cy` lists {them}, each at its line, for your Welsh "
                "language unit to translate (see docs/welsh.md)")


def test_build_and_check_say_the_welsh_catalog_has_words_to_translate(tmp_path, monkeypatch):
    root = make_bilingual(tmp_path / "plan")
    _fuzzy(tmp_path, monkeypatch, "Status summary", "Contents")
    said = UNTRANSLATED.format(count=2, messages="messages", they="they are", them="them")
    for args in (("build", "--format", "html"), ("build", "--format", "html", "--language",
                                                  "cy"), ("check",)):
        result = run(CliRunner(), *args, "--project", str(root))
        assert result.exit_code == 0, result.output
        assert result.output.count(said) == 1, (args, result.output)
    welsh = (root / "out/progress-report.cy.html").read_text(encoding="utf-8")
    assert ">Status summary<" in welsh  # what the warning is about
    # the English edition alone prints none of the Welsh words: nothing to say
    result = run(CliRunner(), "build", "--format", "html", "--language", "en", "--project",
                 str(root))
    assert result.exit_code == 0 and "catalog" not in result.output, result.output


def test_one_message_to_translate_is_said_in_the_singular(tmp_path, monkeypatch):
    root = make_bilingual(tmp_path / "plan")
    _fuzzy(tmp_path, monkeypatch, "Contents")
    result = run(CliRunner(), "check", "--project", str(root))
    assert UNTRANSLATED.format(count=1, messages="message", they="it is", them="it") \
        in result.output


def test_a_plan_in_english_alone_or_a_translated_catalog_is_not_warned(tmp_path, monkeypatch):
    root = make_bilingual(tmp_path / "plan")
    result = run(CliRunner(), "check", "--project", str(root))
    assert "catalog" not in result.output  # the shipped catalog is translated
    _fuzzy(tmp_path, monkeypatch, "Contents")
    shutil.copytree(REPO / "actions", tmp_path / "english" / "actions")
    result = run(CliRunner(), "check", "--project", str(tmp_path / "english"))
    assert result.exit_code == 0 and "catalog" not in result.output, result.output


# ------------------------------------------------------------------ report.yaml unread

def test_a_report_yaml_that_cannot_be_read_is_the_one_problem_reported(tmp_path):
    """Its languages unknown, no Welsh text anywhere is called foreign to the plan, nor
    a status given by its Welsh label unknown: report.yaml's own mistake is said alone."""
    root = make_bilingual(tmp_path / "plan")
    edit(root, "actions/data-gaps/3.2.1.yaml", "status: off track",
         "status: Oddi ar y trywydd")
    edit(root, "actions/agencies.yaml", "SBC: Stockton-on-Tees Borough Council",
         "SBC: {name: Stockton-on-Tees Borough Council, language: cy}")
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 0, result.output  # all of it right, as written
    edit(root, "actions/report.yaml", "languages: [en, cy]", "languages: [en, cy")
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "actions/report.yaml:4:12: this line cannot be read: check the quotes, colons and "
        "indentation on this line and the one above",
        "1 problem found; nothing was changed."]
    # a language report.yaml's line gets wrong: that line alone
    edit(root, "actions/report.yaml", "languages: [en, cy", "languages: [en, cym]")
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 1
    (problem, last) = result.output.splitlines()
    assert problem.startswith("actions/report.yaml:3:12: languages:") and "'cym'" in problem
    assert last == "1 problem found; nothing was changed."


# ------------------------------------------------------------------ stale Welsh, same day

def _stale(root: Path) -> list[str]:
    result = run(CliRunner(), "check", "--project", str(root))
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if "may be out of date" in line]


def _commit(root: Path, when: str | None = None) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Updates", when=when)


def test_welsh_left_behind_on_the_day_it_was_written_is_said_plainly(tmp_path):
    root = make_bilingual(tmp_path / "plan")
    git(root, "init", "-q", "-b", "main")
    _commit(root, "2010-09-21")
    edit(root, "actions/data-gaps/3.2.2.yaml", ENGLISH_UPDATE, "A source has been found.")
    _commit(root, "2010-09-21")  # the English changed the same day, after the Welsh
    (warned,) = _stale(root)
    assert ("3.2.2 update: the English has changed since the Welsh was last changed (both "
            "on 21 September 2010): the Welsh may be out of date") in warned
    assert "changed on 21 September 2010, the Welsh last on 21 September 2010" not in warned


def test_an_english_edit_not_yet_saved_on_the_day_the_welsh_was_is_said_so(tmp_path):
    root = make_bilingual(tmp_path / "plan")
    git(root, "init", "-q", "-b", "main")
    _commit(root)  # today
    edit(root, "actions/data-gaps/3.2.2.yaml", ENGLISH_UPDATE, "A source has been found.")
    (warned,) = _stale(root)
    today = long_date(date.today())
    assert ("3.2.2 update: the English has changes not yet saved in git, made since the "
            f"Welsh was last changed (on {today}): the Welsh may be out of date") in warned
    # saved: the same day, after the Welsh
    _commit(root)
    (warned,) = _stale(root)
    assert ("the English has changed since the Welsh was last changed (both on "
            f"{today})") in warned
