"""The plan in two languages (issue 30): report.yaml's `languages: [en, cy]`, texts
written {en: ..., cy: ...} everywhere a text is allowed, check's warnings about a text
with no Welsh and about Welsh left behind by a later English edit, and `set` keeping the
Welsh of a text whose English it changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, edit, git, run

from psa_report.bilingual import Text, in_language
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.shape import default_plan_text
from psa_report.validate import validate

WELSH_UPDATE = "Mae problem fawr yn parhau gan na all dadansoddwyr weld ethnigrwydd dioddefwyr."


@pytest.fixture
def welsh(tmp_path: Path) -> Path:
    """The shipped plan made bilingual: languages, Welsh in report.yaml, plan.yaml (the
    shipped default's, with its Welsh labels), agencies.yaml and two items."""
    root = tmp_path / "plan"
    shutil.copytree(REPO / "actions", root / "actions")
    edit(root, "actions/report.yaml", "partnership: Safer Stockton Partnership",
         "languages: [en, cy]\npartnership: {en: Safer Stockton Partnership, "
         "cy: Partneriaeth Stockton Mwy Diogel}")
    edit(root, "actions/report.yaml",
         "data_gaps_intro: The following data requirements were highlighted in the main "
         "document.",
         "data_gaps_intro:\n  en: The following data requirements were highlighted in the "
         "main document.\n  cy: Amlygwyd y gofynion data canlynol yn y brif ddogfen.")
    (root / "actions/plan.yaml").write_text(default_plan_text(), encoding="utf-8")
    edit(root, "actions/agencies.yaml", "Police: Cleveland Police",
         "Police: {en: Cleveland Police, cy: Heddlu Cleveland}")
    edit(root, "actions/data-gaps/3.2.1.yaml", "update: >-\n",
         f"update:\n  cy: {WELSH_UPDATE}\n  en: >-\n")
    text = (root / "actions/data-gaps/3.2.1.yaml").read_text(encoding="utf-8")
    # the English under `en:` indented one step further
    head, _, rest = text.partition("  en: >-\n")
    body, _, tail = rest.partition("# Status")
    body = "".join("  " + line if line.strip() else line
                   for line in body.splitlines(keepends=True))
    (root / "actions/data-gaps/3.2.1.yaml").write_text(head + "  en: >-\n" + body
                                                       + "# Status" + tail,
                                                       encoding="utf-8")
    edit(root, "actions/recommendations/R1.yaml", "status: not started",
         "status: Heb ddechrau")
    return root


def _warnings(root: Path) -> list[str]:
    return [f"{w.file}:{w.line}: {w.message}" for w in validate(root).warnings]


def test_a_bilingual_plan_reads_each_text_in_the_main_language_with_its_welsh(welsh):
    project = load_project(welsh)
    assert project.languages == ("en", "cy")
    assert project.report.partnership == "Safer Stockton Partnership"
    assert isinstance(project.report.partnership, Text)
    assert in_language(project.report.partnership, "cy") == (
        "Partneriaeth Stockton Mwy Diogel", "cy")
    update = project.find("3.2.1").update
    assert update.startswith("A major problem persists")
    assert in_language(update, "cy") == (WELSH_UPDATE, "cy")
    # a text with no Welsh falls back to English, and says so
    gap = project.find("3.2.1").gap
    assert in_language(gap, "cy") == (str(gap), "en")
    assert in_language(project.agencies["Police"], "cy") == ("Heddlu Cleveland", "cy")
    assert in_language(project.agencies["SBC"], "cy")[1] == "en"
    # the plan's shape in Welsh: the shipped plan.yaml's names and labels
    kind = project.shape.kinds[0]
    assert in_language(kind.heading, "cy") == ("Gofynion data", "cy")
    assert in_language(kind.name, "cy") == ("bwlch data", "cy")
    assert in_language(kind.field("update").label, "cy") == ("Diweddariad", "cy")
    assert in_language(project.shape.kinds[1].field("update").label, "cy")[0] == "DIWEDDARIAD"
    assert [in_language(s.label, "cy")[0] for s in project.statuses] == [
        "Wedi'i gwblhau", "Ar y trywydd iawn", "Mewn perygl", "Heb ddechrau",
        "Oddi ar y trywydd"]
    # a status given by its Welsh label is the same status
    assert project.find("R1").status.name == "not started"


def test_check_passes_and_warns_of_each_text_with_no_welsh_at_its_line(welsh, runner):
    warnings = _warnings(welsh)
    gap_line = next(i for i, line in enumerate(
        (welsh / "actions/data-gaps/3.2.1.yaml").read_text().splitlines(), 1)
        if line.startswith("gap:"))
    assert (f"actions/data-gaps/3.2.1.yaml:{gap_line}: 3.2.1 gap: no Welsh text: it is "
            "printed in English in the Welsh edition (write it as {en: ..., cy: ...})"
            in warnings)
    assert not any("3.2.1 update: no Welsh" in w for w in warnings)
    assert any(w.startswith("actions/agencies.yaml:") and "SBC: no Welsh text" in w
               for w in warnings)
    assert not any("Police: no Welsh" in w for w in warnings)
    assert any(w.startswith("actions/report.yaml:") and "title: no Welsh text" in w
               for w in warnings)
    assert not any("partnership: no Welsh" in w or "data_gaps_intro: no Welsh" in w
                   for w in warnings)
    result = run(runner, "check", "--project", str(welsh))
    assert result.exit_code == 0, result.output
    assert "3.2.1 gap: no Welsh text" in result.output
    strict = run(runner, "check", "--project", str(welsh), "--strict")
    assert strict.exit_code == 1
    assert "3.2.1 gap: no Welsh text" in strict.output


def test_a_plan_in_english_alone_has_no_welsh_warnings(project):
    assert not any("Welsh" in w for w in _warnings(project))


@pytest.mark.parametrize(("written", "expected"), [
    ("{en: On time, welsh: Ar amser}", "update: 'welsh' is not a language"),
    ("{en: On time, fr: A l'heure}", "update: fr: French (fr) is not one of the plan's "
     "languages (en, cy): add it to report.yaml's `languages:`"),
    ("{en: On time, cy: ''}", "update: cy: is empty"),
    ("{en: On time, cy: {text: Ar amser}}", "update: cy: must be text, not a group of "
     "fields"),
    ("{cy: Ar amser}", "update: has no English text (`en:`): English is the plan's main "
     "language"),
    ("{en: On time, cy: Ar amser, cy_checked: soon}", "update: cy_checked: 'soon' is not "
     "a date"),
])
def test_a_malformed_text_is_refused_at_its_line(welsh, runner, written, expected):
    path = welsh / "actions/data-gaps/3.2.2.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("update:")
    end = text.index("\nstatus:", start) if "\nstatus:" in text[start:] else len(text)
    path.write_text(text[:start] + f"update: {written}" + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    with pytest.raises(Invalid) as refused:
        load_project(welsh)
    found = [p for p in refused.value.problems if expected in p.message]
    assert found, [p.message for p in refused.value.problems]
    assert (found[0].file, found[0].line) == ("actions/data-gaps/3.2.2.yaml", line)
    result = run(runner, "check", "--project", str(welsh))
    assert result.exit_code == 1
    assert f"actions/data-gaps/3.2.2.yaml:{line}" in result.output


def test_a_language_outside_languages_and_bad_languages_are_refused(project, runner):
    edit(project, "actions/report.yaml",
         "title: Progress report on the Partnership Strategic Assessment",
         "title: {en: Progress report, cy: Adroddiad cynnydd}")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert "title: cy: Welsh (cy) is not one of the plan's languages (en)" in result.output
    edit(project, "actions/report.yaml", "partnership:", "languages: [en, cy, ga]\npartnership:")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert "actions/report.yaml:3" in result.output
    assert "languages: names 3 languages, but a plan may have at most 2" in result.output
    edit(project, "actions/report.yaml", "[en, cy, ga]", "[en, welsh]")
    result = run(runner, "check", "--project", str(project))
    assert "'welsh' is not a language's two-letter code (ISO 639-1)" in result.output


def _commit(root: Path, message: str, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


def test_welsh_left_behind_by_an_english_edit_is_warned_of_until_checked(welsh, runner):
    git(welsh, "init", "-q", "-b", "main")
    _commit(welsh, "The plan in English and Welsh", "2010-06-28")
    assert not any("may be out of date" in w for w in _warnings(welsh))
    edit(welsh, "actions/data-gaps/3.2.1.yaml", "A major problem persists",
         "A major problem still persists")
    _commit(welsh, "September update", "2010-09-21")
    path = "actions/data-gaps/3.2.1.yaml"
    line = next(i for i, text in enumerate((welsh / path).read_text().splitlines(), 1)
                if text.startswith("update:"))
    stale = [w for w in _warnings(welsh) if "may be out of date" in w]
    assert stale == [
        f"{path}:{line}: 3.2.1 update: the English changed on 21 September 2010, the Welsh "
        "last on 28 June 2010: the Welsh may be out of date: bring it up to date, or, if it "
        f"is still right, add `cy_checked: {__import__('datetime').date.today()}` to the "
        "text's languages"]
    result = run(runner, "check", "--project", str(welsh), "--strict")
    assert result.exit_code == 1
    assert "3.2.1 update: the English changed on 21 September 2010" in result.output
    # `changes` lists it as a translation pending
    changes = run(runner, "changes", "--project", str(welsh), "--since", "HEAD~1")
    assert changes.exit_code == 0, changes.output
    assert ("Translation pending: 3.2.1 update (English changed 21 September 2010)"
            in changes.output)
    # reviewed before the English changed: still warned of
    edit(welsh, path, f"  cy: {WELSH_UPDATE}\n", f"  cy: {WELSH_UPDATE}\n  cy_checked: "
         "2010-09-20\n")
    assert any("3.2.1 update: the English changed" in w for w in _warnings(welsh))
    # reviewed on or after it: cleared, without touching the text
    edit(welsh, path, "cy_checked: 2010-09-20", "cy_checked: 2010-09-30")
    assert not any("may be out of date" in w for w in _warnings(welsh))
    # the Welsh brought up to date in a later commit: no warning either
    edit(welsh, path, "  cy_checked: 2010-09-30\n", "")
    edit(welsh, path, "Mae problem fawr yn parhau", "Mae problem fawr yn dal i barhau")
    _commit(welsh, "Welsh brought up to date", "2010-10-01")
    assert not any("may be out of date" in w for w in _warnings(welsh))


def test_an_english_edit_not_yet_committed_counts_as_today(welsh):
    git(welsh, "init", "-q", "-b", "main")
    _commit(welsh, "The plan in English and Welsh", "2010-06-28")
    edit(welsh, "actions/report.yaml", "were highlighted in the main", "were raised in the main")
    stale = [w for w in _warnings(welsh) if "may be out of date" in w]
    assert len(stale) == 1 and "data_gaps_intro: the English changed on" in stale[0]
    assert "the Welsh last on 28 June 2010" in stale[0]


def test_outside_git_there_is_no_stale_welsh_warning(welsh):
    edit(welsh, "actions/data-gaps/3.2.1.yaml", "A major problem persists", "A problem")
    assert not any("may be out of date" in w for w in _warnings(welsh))


def test_set_changes_the_english_and_keeps_the_welsh(welsh, runner):
    path = welsh / "actions/data-gaps/3.2.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        f"  cy: {WELSH_UPDATE}\n", f"  cy: {WELSH_UPDATE}\n  cy_checked: 2010-06-30\n"),
        encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    result = run(runner, "set", "3.2.1", "--update", "Templates altered in August.",
                 "--project", str(welsh))
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    assert f"  cy: {WELSH_UPDATE}\n  cy_checked: 2010-06-30\n" in after
    assert "  en: Templates altered in August.\n" in after
    assert "A major problem persists" not in after
    assert after.splitlines()[:2] == before.splitlines()[:2]
    item = load_project(welsh).find("3.2.1")
    assert item.update == "Templates altered in August."
    assert in_language(item.update, "cy") == (WELSH_UPDATE, "cy")


def test_set_changes_the_english_of_a_flow_mapping_and_keeps_the_welsh(welsh, runner):
    edit(welsh, "actions/data-gaps/3.2.2.yaml", "status:", "status:")  # present
    path = welsh / "actions/data-gaps/3.2.2.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("update:")
    end = text.index("\nstatus:", start)
    path.write_text(text[:start] + "update: {en: Old words, cy: Hen eiriau}" + text[end:],
                    encoding="utf-8")
    result = run(runner, "set", "3.2.2", "--update", "New words: agreed in May",
                 "--project", str(welsh))
    assert result.exit_code == 0, result.output
    item = load_project(welsh).find("3.2.2")
    assert item.update == "New words: agreed in May"
    assert in_language(item.update, "cy") == ("Hen eiriau", "cy")


def test_the_english_report_of_the_shipped_plan_is_unchanged(project, runner, tmp_path):
    """The shipped plan (no `languages`) reads every text as the plain str it always was."""
    loaded = load_project(project)
    assert loaded.languages == ("en",)
    assert type(loaded.report.partnership) is str
    assert type(loaded.find("3.2.1").update) is str
    assert all(type(kind.heading) is str for kind in loaded.shape.kinds)
    assert all(type(s.label) is str for s in loaded.statuses)


def test_a_bilingual_plan_builds_its_english_report_and_partner_workbooks(welsh, runner):
    built = run(runner, "build", "--project", str(welsh), "--format", "html", "--no-since")
    assert built.exit_code == 0, built.output
    html = (welsh / "out/progress-report.html").read_text(encoding="utf-8")
    assert "Safer Stockton Partnership" in html and "Data requirements" in html
    assert "Partneriaeth Stockton" not in html  # the Welsh edition is another paper
    sent = run(runner, "requests", "--project", str(welsh))
    assert sent.exit_code == 0, sent.output


def test_the_schema_accepts_a_text_in_two_languages(welsh):
    import json

    import jsonschema
    import yaml

    schema = json.loads((REPO / "schema/data-gap.schema.json").read_text(encoding="utf-8"))
    item = yaml.load((welsh / "actions/data-gaps/3.2.1.yaml").read_text(encoding="utf-8"),
                     Loader=yaml.BaseLoader)
    jsonschema.validate(item, schema)
    report = json.loads((REPO / "schema/report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.load((welsh / "actions/report.yaml").read_text(
        encoding="utf-8"), Loader=yaml.BaseLoader), report)
