"""Partners in their language (issue 30): an agency given `language: cy` in agencies.yaml
has its update-request workbook and its e-mails in Welsh, and its returned Welsh update is
written as the item's Welsh text (the English kept, and then said to be maybe out of
date); an English agency of the same plan is as it always was."""

from __future__ import annotations

import email
import json
import shutil
from datetime import date
from email import policy
from pathlib import Path

import pytest
from conftest import REPO, edit, git, issue_on, run
from openpyxl import load_workbook

from psa_report.bilingual import in_language
from psa_report.commands.partners import round_status
from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.shape import default_plan_text
from psa_report.validate import validate
from psa_report.yamledit import replace_values


@pytest.fixture(autouse=True)
def _issued_then(monkeypatch):
    """The round is issued on 2010, 7, 1 (before its reply-by date)."""
    issue_on(monkeypatch, date(2010, 7, 1))


WELSH_ACTION = "Yr Heddlu i bwysleisio pwysigrwydd cofnodi ethnigrwydd wrth yr holl staff."
WELSH_UPDATE = "Mae problem fawr yn parhau gan na all dadansoddwyr weld ethnigrwydd dioddefwyr."
NEW_WELSH = "Mae'r templedi wedi'u newid ym mis Awst, felly gellir gweld ethnigrwydd."
ITEM = f"""\
# yaml-language-server: $schema=../../schema/data-gap.schema.json
ref: 3.2.1
gap: >-
  More accurate recording of the ethnicity of crime victims and vulnerable people is
  essential.
lead: Police
action:
  en: Police to ensure that the importance of recording victim ethnicity is reiterated.
  cy: {WELSH_ACTION}
update:
  en: >-
    A major problem persists in that analysts cannot access the ethnicity of victims on
    the computer programmes used.
  cy: {WELSH_UPDATE}
# Status off track: analysts cannot see victim ethnicity at all.
status: off track
due: 2010-12-31
"""
POLICE = ("Police: {name: {en: Cleveland Police, cy: Heddlu Cleveland}, "
          "email: updates@police.example.org, language: cy}")


def _bilingual(root: Path, police: str) -> Path:
    shutil.copytree(REPO / "actions", root / "actions")
    edit(root, "actions/report.yaml", "partnership: Safer Stockton Partnership",
         "languages: [en, cy]\npartnership: {en: Safer Stockton Partnership, "
         "cy: Partneriaeth Stockton Mwy Diogel}")
    (root / "actions/plan.yaml").write_text(default_plan_text(), encoding="utf-8")
    edit(root, "actions/agencies.yaml", "Police: Cleveland Police", police)
    edit(root, "actions/agencies.yaml", "SBC: Stockton-on-Tees Borough Council",
         "SBC: {name: Stockton-on-Tees Borough Council, email: sbc@stockton.example.org}")
    (root / "actions/data-gaps/3.2.1.yaml").write_text(ITEM, encoding="utf-8")
    return root


@pytest.fixture
def welsh(tmp_path: Path) -> Path:
    """The shipped plan in English and Welsh, the Police's requests in Welsh."""
    return _bilingual(tmp_path / "plan", POLICE)


def _issue(runner, root: Path, *more: str) -> Path:
    result = run(runner, "requests", "--project", str(root), "--reply-by", "2010-09-01",
                 *more)
    assert result.exit_code == 0, result.output
    return root / "out/requests"


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path)
    return {name: [tuple(row) for row in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames}


def _header(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


# ---------------------------------------------------------------- agencies.yaml


def test_an_agency_s_language_is_read_and_kept_by_the_project(welsh):
    project = load_project(welsh)
    assert project.agency_languages == {"Police": "cy"}
    assert project.agency_language("Police") == "cy"
    assert project.agency_language("SBC") == "en"  # the plan's main language
    assert project.agency_language("Partnership") == "en"


@pytest.mark.parametrize("language, expected", [
    ("fr", "Police: language: French (fr) is not one of the plan's languages (en, cy)"),
    ("xx", "'xx' is not a language's two-letter code"),
])
def test_a_language_the_plan_has_not_is_refused_at_its_line(tmp_path, runner, language,
                                                            expected):
    root = _bilingual(tmp_path / "plan", POLICE.replace("language: cy",
                                                        f"language: {language}"))
    result = run(runner, "check", "--project", str(root))
    assert result.exit_code == 1
    assert "actions/agencies.yaml:5:" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_a_language_psa_report_has_no_words_in_is_refused(tmp_path, runner):
    root = _bilingual(tmp_path / "plan", POLICE.replace("language: cy", "language: fr"))
    edit(root, "actions/report.yaml", "languages: [en, cy]", "languages: [en, fr]")
    edit(root, "actions/report.yaml", "cy: Partneriaeth Stockton Mwy Diogel",
         "fr: Partenariat")
    (root / "actions/plan.yaml").unlink()  # the shipped plan.yaml's Welsh: not read
    (root / "actions/data-gaps/3.2.1.yaml").write_text(ITEM.replace("  cy: ", "  fr: "),
                                                     encoding="utf-8")
    edit(root, "actions/agencies.yaml", "cy: Heddlu Cleveland", "fr: Police de Cleveland")
    result = run(runner, "check", "--project", str(root))
    assert result.exit_code == 1
    assert ("actions/agencies.yaml:5:" in result.output and "Police: language: psa-report "
            "has its own words" in result.output and "in en and cy only, not French"
            in result.output)


def test_welsh_for_an_agency_of_a_plan_in_english_alone_is_refused(project, runner):
    edit(project, "actions/agencies.yaml", "Police: Cleveland Police",
         "Police: {name: Cleveland Police, language: cy}")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 1
    assert ("actions/agencies.yaml:5:" in result.output
            and "Welsh (cy) is not one of the plan's languages (en)" in result.output)
    assert "report.yaml's `languages:`" in result.output


# ---------------------------------------------------------------- the workbook


def test_the_welsh_agency_s_workbook_is_in_welsh(welsh, runner):
    out = _issue(runner, welsh)
    book = load_workbook(out / "Police-update-request.xlsx")
    assert book.sheetnames == ["Cyfarwyddiadau", "Gofynion data", "Issued"]
    lines = [row[0] for row in book["Cyfarwyddiadau"].iter_rows(values_only=True)]
    assert lines[0] == ("Partneriaeth Stockton Mwy Diogel: cais am ddiweddariad gan "
                        "Heddlu Cleveland")
    assert "Atebwch erbyn 1 Medi 2010, os gwelwch yn dda." in lines
    assert "1. Agorwch y daflen Gofynion data. Un bwlch data yw pob rhes." in lines
    statuses = ("Wedi'i gwblhau, Ar y trywydd iawn, Mewn perygl, Heb ddechrau neu Oddi ar "
                "y trywydd")
    assert any(statuses in line and "Statws newydd" in line for line in lines)
    assert not any("Update" in line or "Status" in line for line in lines)
    sheet = book["Gofynion data"]
    assert _header(sheet) == [
        "Cyf", "Bwlch data", "Arweinydd", "Cam gweithredu", "Diweddariad presennol",
        "Statws presennol", "Erbyn presennol", "Diweddariad newydd", "Statws newydd",
        "Erbyn newydd"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "3.2.1")
    # the Welsh where the item gives it, the English where it does not
    assert row[1].startswith("More accurate recording")
    assert row[3:7] == (WELSH_ACTION, WELSH_UPDATE, "Oddi ar y trywydd", "31 Rhagfyr 2010")
    checks = {str(check.sqref)[0]: check for check in sheet.data_validations.dataValidation}
    status = checks["I"]
    assert status.formula1 == ('"Wedi\'i gwblhau,Ar y trywydd iawn,Mewn perygl,Heb ddechrau,'
                               'Oddi ar y trywydd"')
    assert status.promptTitle == "Statws newydd"
    assert status.prompt == "Dewiswch o'r rhestr, neu gadewch yn wag os nad yw wedi newid."
    assert status.error.startswith("Dewiswch un o'r rhain: Wedi'i gwblhau")
    assert checks["J"].prompt.startswith("Teipiwch yr un newydd")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    languages = {b["agency"]: b["language"] for b in manifest["workbooks"]}
    assert languages["Police"] == "cy" and languages["SBC"] == "en"
    assert languages["Partnership"] == "en"


def test_an_english_agency_in_the_same_plan_is_unchanged(welsh, tmp_path, runner):
    english = _bilingual(tmp_path / "english", POLICE.replace(", language: cy", ""))
    for root in (welsh, english):
        _issue(runner, root, "--email")
    for name in ("SBC", "Partnership", "Probation"):
        cymraeg = _cells(welsh / f"out/requests/{name}-update-request.xlsx")
        plain = _cells(english / f"out/requests/{name}-update-request.xlsx")
        del cymraeg["Issued"], plain["Issued"]  # its key is its own
        assert cymraeg == plain
        assert list(cymraeg)[0] == "Instructions"
    sbc = [(p / "out/requests/SBC-update-request.eml").read_bytes() for p in (welsh, english)]
    body = [_body(email.message_from_bytes(b, policy=policy.default)) for b in sbc]
    assert body[0] == body[1] and body[0].startswith("Dear colleague,")
    # and the Police's, in English when agencies.yaml gives it no language
    police = load_workbook(english / "out/requests/Police-update-request.xlsx")
    assert police.sheetnames == ["Instructions", "Data requirements", "Issued"]


# ---------------------------------------------------------------- the e-mails


def _message(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _body(message) -> str:
    return message.get_body().get_content().replace("\r\n", "\n")


def test_the_welsh_agency_s_email_draft_is_in_welsh(welsh, runner):
    out = _issue(runner, welsh, "--email")
    message = _message(out / "Police-update-request.eml")
    assert message["Subject"] == ("Partneriaeth Stockton Mwy Diogel: cais am ddiweddariad "
                                  "gan Heddlu Cleveland, atebwch erbyn 1 Medi 2010")
    assert message["To"].addresses[0].display_name == "Heddlu Cleveland"
    body = _body(message)
    assert body.startswith("Annwyl gydweithiwr,\n")
    assert "Beth i'w lenwi, ar y daflen Gofynion data" in body
    assert "- Diweddariad newydd: y cynnydd diweddaraf" in body
    assert "- Statws newydd: dewiswch o'r gwymplen." in body
    assert "Dear colleague" not in body and "New Update" not in body
    attached = next(message.iter_attachments())
    assert attached.get_filename() == "Police-update-request.xlsx"


def test_a_reminder_to_the_welsh_agency_is_in_welsh(welsh, runner):
    out = _issue(runner, welsh)
    done = round_status(welsh, date(2010, 9, 10), chase=True)
    assert out / "Police-update-request-reminder.eml" in done.reminders
    message = _message(out / "Police-update-request-reminder.eml")
    assert message["Subject"] == ("Nodyn atgoffa: cais Partneriaeth Stockton Mwy Diogel am "
                                  "ddiweddariad gan Heddlu Cleveland")
    body = _body(message)
    assert body.startswith("Annwyl gydweithiwr,\n") and "1 Medi 2010" in body
    assert "Diweddariad newydd" in body
    english = _message(out / "SBC-update-request-reminder.eml")
    assert _body(english).startswith("Dear colleague,")


# ---------------------------------------------------------------- the return


def _fill(path: Path, target: Path, values: dict[tuple[str, str], str]) -> Path:
    """The workbook at ``path`` with cells filled in, by (ref, column header)."""
    book = load_workbook(path)
    for (ref, header), value in values.items():
        for sheet in book.worksheets[1:-1]:
            headers = _header(sheet)
            for row in sheet.iter_rows(min_row=2):
                if row[0].value == ref:
                    row[headers.index(header)].value = value
    book.save(target)
    return target


def _commit(root: Path, message: str, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


def _warnings(root: Path) -> list[str]:
    return [f"{w.file}:{w.line}: {w.message}" for w in validate(root).warnings
            if "may be out of date" in w.message]


def test_a_welsh_return_lands_in_the_welsh_text_and_the_english_is_flagged(welsh, runner,
                                                                          tmp_path):
    git(welsh, "init", "-q", "-b", "main")
    _commit(welsh, "The plan in English and Welsh", "2010-06-28")
    out = _issue(runner, welsh)
    returned = _fill(out / "Police-update-request.xlsx", tmp_path / "Police-update-request.xlsx",
                     {("3.2.1", "Diweddariad newydd"): NEW_WELSH,
                      ("3.2.1", "Statws newydd"): "Ar y trywydd iawn"})
    path = welsh / "actions/data-gaps/3.2.1.yaml"
    before = path.read_text(encoding="utf-8")
    result = run(runner, "collect", str(returned), "--apply", "--project", str(welsh))
    assert result.exit_code == 0, result.output
    assert "Update (Welsh):" in result.output
    after = path.read_text(encoding="utf-8")
    # the new text under cy:, the status by its name; every other byte as it was
    assert after == before.replace(f"  cy: {WELSH_UPDATE}\n", f"  cy: {NEW_WELSH}\n").replace(
        "status: off track", "status: on track")
    item = load_project(welsh).find("3.2.1")
    assert str(item.update).startswith("A major problem persists")
    assert in_language(item.update, "cy") == (NEW_WELSH, "cy")
    assert item.status.name == "on track"
    # check: the English may now be out of date
    line = next(i for i, text in enumerate(after.splitlines(), 1) if text == "update:")
    today = date.today()
    assert _warnings(welsh) == [
        f"actions/data-gaps/3.2.1.yaml:{line}: 3.2.1 update: the Welsh changed on "
        f"{today.day} {today:%B %Y}, the English last on 28 June 2010: the English may be "
        f"out of date: bring it up to date, or, if it is still right, add `en_checked: "
        f"{today.isoformat()}` to the text's languages"]
    checked = run(runner, "check", "--project", str(welsh), "--strict")
    assert checked.exit_code == 1 and "the English may be out of date" in checked.output
    # reviewed: cleared by en_checked, without touching the texts
    edit(welsh, "actions/data-gaps/3.2.1.yaml", f"  cy: {NEW_WELSH}\n",
         f"  cy: {NEW_WELSH}\n  en_checked: {today.isoformat()}\n")
    assert _warnings(welsh) == []
    # or the English brought up to date: cleared too, and the Welsh not flagged for it
    edit(welsh, "actions/data-gaps/3.2.1.yaml", f"  en_checked: {today.isoformat()}\n", "")
    _commit(welsh, "Welsh update", "2010-09-02")
    assert len(_warnings(welsh)) == 1
    edit(welsh, "actions/data-gaps/3.2.1.yaml", "A major problem persists",
         "The templates were changed in August; a problem persists")
    _commit(welsh, "English brought up to date", "2010-09-03")
    assert _warnings(welsh) == []


def test_a_welsh_update_to_a_text_written_in_english_only_keeps_the_english(welsh, runner,
                                                                           tmp_path):
    out = _issue(runner, welsh)
    returned = _fill(out / "Police-update-request.xlsx", tmp_path / "Police-update-request.xlsx",
                     {("3.2.3", "Diweddariad newydd"): NEW_WELSH})
    path = welsh / "actions/data-gaps/3.2.3.yaml"
    english = str(load_project(welsh).find("3.2.3").update)
    before = path.read_text(encoding="utf-8")
    result = run(runner, "collect", str(returned), "--apply", "--project", str(welsh))
    assert result.exit_code == 0, result.output
    after = path.read_text(encoding="utf-8")
    update = load_project(welsh).find("3.2.3").update
    assert str(update) == english
    assert in_language(update, "cy") == (NEW_WELSH, "cy")
    assert "update:\n  en: >-\n    MSV offences are now reviewed" in after
    assert after.split("update:")[0] == before.split("update:")[0]
    assert after.split("# Status")[1] == before.split("# Status")[1]


def test_the_manifest_s_language_reads_the_return_after_agencies_yaml_changes(welsh, runner,
                                                                             tmp_path):
    out = _issue(runner, welsh)
    returned = _fill(out / "Police-update-request.xlsx", tmp_path / "Police-update-request.xlsx",
                     {("3.2.1", "Diweddariad newydd"): NEW_WELSH,
                      ("3.2.1", "Statws newydd"): "Mewn perygl"})
    edit(welsh, "actions/agencies.yaml", ", language: cy", "")  # in English from now on
    result = run(runner, "collect", str(returned), "--apply", "--project", str(welsh))
    assert result.exit_code == 0, result.output
    item = load_project(welsh).find("3.2.1")
    assert in_language(item.update, "cy") == (NEW_WELSH, "cy")
    assert str(item.update).startswith("A major problem persists")
    assert item.status.name == "at risk"


def test_a_changed_welsh_cell_is_refused_under_its_welsh_header(welsh, runner, tmp_path):
    out = _issue(runner, welsh)
    returned = _fill(out / "Police-update-request.xlsx", tmp_path / "Police-update-request.xlsx",
                     {("3.2.1", "Cam gweithredu"): "Rhywbeth arall"})
    result = run(runner, "collect", str(returned), "--project", str(welsh))
    assert result.exit_code == 1
    assert "Cam gweithredu was changed" in result.output
    assert "Diweddariad newydd" in result.output
    assert "Traceback" not in result.output


def test_a_joint_action_updated_in_welsh_and_english_waits_for_a_choice(welsh, runner,
                                                                         tmp_path):
    out = _issue(runner, welsh)
    police = _fill(out / "Police-update-request.xlsx", tmp_path / "Police-update-request.xlsx",
                   {("4.2.3", "Diweddariad newydd"): NEW_WELSH})
    sbc = _fill(out / "SBC-update-request.xlsx", tmp_path / "SBC-update-request.xlsx",
                {("4.2.3", "New Update"): "Repeat offenders identified in July."})
    path = welsh / "actions/data-gaps/4.2.3.yaml"
    before = path.read_bytes()
    result = run(runner, "collect", str(police), str(sbc), "--apply", "--project", str(welsh))
    assert "4.2.3 waits (Update: SBC gives" in result.output
    assert "in Welsh" in result.output and "in English" in result.output
    assert path.read_bytes() == before  # neither put over the other
    taken = run(runner, "collect", str(police), str(sbc), "--apply", "--take", "4.2.3=Police",
                "--project", str(welsh))
    assert taken.exit_code == 0, taken.output
    update = load_project(welsh).find("4.2.3").update
    assert str(update).startswith("HCC continue to be monitored")
    assert in_language(update, "cy") == (NEW_WELSH, "cy")


# ---------------------------------------------------------------- yamledit


@pytest.mark.parametrize("written, expected", [
    ("update: {en: Old words}\n", "update: {en: Old words, cy: 'Geiriau newydd, eto'}\n"),
    ("update:\n  en: Old words  # kept\n", "update:\n  en: Old words  # kept\n"
                                          "  cy: Geiriau newydd, eto\n"),
    ("update: Old words  # kept\n", "update:  # kept\n  en: Old words\n"
                                    "  cy: Geiriau newydd, eto\n"),
])
def test_a_translation_is_added_to_a_text_keeping_its_english(written, expected):
    text = f"ref: 3.2.1\n{written}status: on track\n"
    new = replace_values(text, "x.yaml", {"update": "Geiriau newydd, eto"}, language="cy",
                         main="en")
    import yaml
    assert yaml.safe_load(new)["update"] == {"en": "Old words", "cy": "Geiriau newydd, eto"}
    assert new.replace('"', "'") == f"ref: 3.2.1\n{expected}status: on track\n"


def test_a_translation_of_a_field_with_no_text_is_refused():
    with pytest.raises(Invalid) as refused:
        replace_values("ref: 3.2.1\nstatus: on track\n", "x.yaml", {"update": "Geiriau"},
                       language="cy", main="en")
    assert "update: a text in cy is written as the translation" in str(
        refused.value.problems[0].message)
