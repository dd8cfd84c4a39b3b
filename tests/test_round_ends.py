"""The round's loose ends (issue 29): a joint update written as a readable block, collecting
again after --take says "applied", the exceptions page shows every lead's words, and every
--take hint can be pasted into a shell, on a Fenland-like plan (agencies with spaces in
their names) and the shipped plan."""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
from conftest import edit, issue_on, run
from pypdf import PdfReader
from test_partners import fill

from psa_report.loader import load_text
from psa_report.partners import take_option
from psa_report.project import load_project
from psa_report.returns import collect_returns
from psa_report.scaffold import yaml_field


@pytest.fixture(autouse=True)
def _issued_then(monkeypatch):
    """The round is issued on 2024, 12, 1 (before its reply-by date)."""
    issue_on(monkeypatch, date(2024, 12, 1))


FENLAND = Path(__file__).parent / "data" / "fenland"

FIRE = "Fire crews joined 12 of the visits.\nTwo more are booked for December."
POLICE = "30 joint visits made by the end of December."
JOINT = f"Fire and Rescue: {FIRE}\n\nPolice: {POLICE}"


@pytest.fixture
def fenland(tmp_path: Path) -> Path:
    """A copy of the Fenland-like plan: 1.1.1 is led by Fire and Rescue and Police."""
    root = tmp_path / "fenland"
    shutil.copytree(FENLAND, root)
    return root


def issue(runner, root: Path) -> None:
    done = run(runner, "requests", "--project", str(root), "--reply-by", "30/12/2024")
    assert done.exit_code == 0, done.output


def give(root: Path, agency: str, rows: dict) -> Path:
    """The agency's workbook as it came back, filled in, in returns/."""
    name = agency.replace(" ", "-").replace("&", "and") + "-update-request.xlsx"
    folder = root.parent / "returns"
    folder.mkdir(exist_ok=True)
    return fill(root / "out/requests" / name, rows, save_as=folder / name)


def collect(runner, root: Path, *args: str):
    return run(runner, "collect", "--project", str(root), *map(str, args))


def both_return(runner, fenland: Path) -> list[Path]:
    """Fire and Rescue and Police both update 1.1.1, with different RAGs."""
    issue(runner, fenland)
    return [give(fenland, "Fire and Rescue", {"1.1.1": {"New Progress update": FIRE,
                                                        "New RAG": "red"}}),
            give(fenland, "Police", {"1.1.1": {"New Progress update": POLICE,
                                               "New RAG": "amber"}})]


def waiting_hint(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("Waiting: 1.1.1"))
    return line.split("choose with ", 1)[1]


# ---------------------------------------------------------------- the YAML

def test_a_joint_update_is_written_as_a_readable_block(runner, fenland: Path):
    returns = both_return(runner, fenland)
    done = collect(runner, fenland, *returns, "--take", "1.1.1=Fire and Rescue", "--apply")
    assert done.exit_code == 0, done.output
    text = (fenland / "actions/actions/1.1.1.yaml").read_text(encoding="utf-8")
    assert "\\n" not in text and '"' not in text  # no escaped line, nothing quoted
    assert ("progress: >-\n"
            "  Fire and Rescue: Fire crews joined 12 of the visits.\n\n"
            "  Two more are booked for December.\n\n\n"
            "  Police: 30 joint visits made by the end of December.\n"
            "rag: red\n") in text
    assert load_project(fenland).find("1.1.1").get("progress") == JOINT  # exactly


def test_the_shipped_plans_joint_update_is_a_block_too(runner, project: Path):
    issue(runner, project)
    police = give(project, "Police", {"4.2.3": {"New Update": POLICE}})
    sbc = give(project, "SBC", {"4.2.3": {"New Update": FIRE}})
    assert collect(runner, project, police, sbc, "--apply").exit_code == 0
    text = (project / "actions/data-gaps/4.2.3.yaml").read_text(encoding="utf-8")
    assert "\\n" not in text
    assert re.search(r"^update: >-\n  SBC: Fire crews joined 12 of the visits\.\n\n"
                     r"  Two more are booked for December\.\n\n\n"
                     r"  Police: 30 joint visits made", text, re.M), text
    assert load_project(project).find("4.2.3").update == f"SBC: {FIRE}\n\nPolice: {POLICE}"


@pytest.mark.parametrize("value", [
    "SBC: one.\n\nPolice: two.", "A\n\n\nB", "A\nB\n\nC", "\nA",
    "A\n\nB\n\nC and " + " ".join(["word"] * 40),
])
def test_runs_of_line_breaks_are_written_as_blank_lines_of_a_block(value: str):
    written = yaml_field("update", value)
    assert written.startswith("update: >-\n"), written
    assert load_text(written, "t").data == {"update": value}


@pytest.mark.parametrize("value", ["A\n", "A\n \nB", " A\n\nB", "A\t\n\nB"])
def test_what_a_block_cannot_carry_is_still_quoted_exactly(value: str):
    written = yaml_field("update", value)
    assert written.startswith('update: "')
    assert load_text(written, "t").data == {"update": value}


# ---------------------------------------------------------------- collecting again

def test_collecting_again_after_take_says_applied_not_waiting(runner, fenland: Path):
    returns = both_return(runner, fenland)
    first = collect(runner, fenland, *returns, "--apply")
    assert "1 row waits for a choice and was not written" in first.output
    taken = collect(runner, fenland, *returns, "--take", "1.1.1=Fire and Rescue", "--apply")
    assert taken.exit_code == 0, taken.output
    before = (fenland / "actions/actions/1.1.1.yaml").read_bytes()

    again = collect(runner, fenland, *returns)
    assert again.exit_code == 0, again.output
    assert "RAG (applied: taken from Fire and Rescue):" in again.stdout
    assert "Progress update (applied: kept both, each under its agency's name):" in again.stdout
    assert "wait" not in again.output.lower()
    assert "No changes: every filled row says what the plan says already." in again.stdout

    # --apply again changes nothing and leaves the ledger saying the row is applied
    applied = collect(runner, fenland, *returns, "--apply")
    assert applied.exit_code == 0 and "wait" not in applied.output.lower()
    assert (fenland / "actions/actions/1.1.1.yaml").read_bytes() == before
    table = run(runner, "round", "--project", str(fenland), "--format", "json")
    rows = {row["agency"]: row for row in __import__("json").loads(table.stdout)}
    for agency in ("Fire and Rescue", "Police"):
        assert rows[agency]["waiting"] == [] and rows[agency]["applied"]

    # a terminal is not asked again either
    asked = []
    result = collect_returns(load_project(fenland), returns,
                             choose=lambda *options: asked.append(options))
    assert asked == [] and not result.waiting and not result.updates


def test_an_update_taken_from_one_lead_stays_taken(runner, fenland: Path):
    returns = both_return(runner, fenland)
    taken = collect(runner, fenland, *returns, "--take", "1.1.1=Police",
                    "--take", "1.1.1:update=Police", "--apply")
    assert taken.exit_code == 0, taken.output
    assert load_project(fenland).find("1.1.1").get("progress") == POLICE
    result = collect_returns(load_project(fenland), returns)
    assert not result.updates and not result.waiting  # not both put back
    assert result.joint[0].settled == {"progress": "applied: taken from Police",
                                       "rag": "applied: taken from Police"}


def test_a_value_changed_by_hand_since_is_not_called_applied(runner, fenland: Path):
    returns = both_return(runner, fenland)
    assert collect(runner, fenland, *returns, "--take", "1.1.1=Fire and Rescue",
                   "--apply").exit_code == 0
    edit(fenland, "actions/actions/1.1.1.yaml", "rag: red", "rag: green")
    again = collect(runner, fenland, *returns)
    assert "applied: taken" not in again.stdout
    assert "RAG (waits for a choice):" in again.stdout


def test_a_lead_alone_first_is_no_choice_made(runner, fenland: Path):
    """Police's return applied alone, then Fire and Rescue's: nobody has chosen yet, so the
    RAG waits, however often it is collected, until someone does."""
    issue(runner, fenland)
    police = give(fenland, "Police", {"1.1.1": {"New Progress update": POLICE,
                                                "New RAG": "amber"}})
    assert collect(runner, fenland, police, "--apply").exit_code == 0
    fire = give(fenland, "Fire and Rescue", {"1.1.1": {"New Progress update": FIRE,
                                                       "New RAG": "red"}})
    for _ in range(2):
        later = collect(runner, fenland, fire, "--apply")
        assert later.exit_code == 0, later.output
        assert "RAG (waits for a choice):" in later.stdout and "applied" not in later.stdout
    both = collect(runner, fenland, police, fire)
    assert "RAG (waits for a choice):" in both.stdout
    assert "--take '1.1.1=Fire and Rescue'" in both.stdout
    # named by the plan's labels, as the lines of changes are, in every format
    assert "1.1.1 waits (RAG: Fire and Rescue gives 'red', Police gives 'amber')" in both.stdout
    page = collect(runner, fenland, police, fire, "--format", "html").stdout
    assert "<tr><td>Progress update</td>" in page and "<tr><td>RAG</td>" in page
    assert "<td>rag</td>" not in page and "<td>progress</td>" not in page


def test_a_choice_made_in_the_terminal_stands(fenland: Path, runner):
    from psa_report.commands.partners import collect as run_collect

    returns = both_return(runner, fenland)
    run_collect(fenland, returns, apply=True, choose=lambda ref, name, options: "Police")
    assert load_project(fenland).find("1.1.1").status.value == "amber"
    asked = []
    again = run_collect(fenland, returns, apply=True,
                        choose=lambda *options: asked.append(options))
    assert asked == [] and not again.result.waiting
    assert again.result.joint[0].settled["rag"] == "applied: taken from Police"


def test_a_damaged_record_of_choices_is_named(runner, fenland: Path):
    import json

    returns = both_return(runner, fenland)
    assert collect(runner, fenland, *returns, "--take", "1.1.1=Police", "--apply").exit_code == 0
    kept = fenland / "out/requests/round.json"
    ledger = json.loads(kept.read_text(encoding="utf-8"))
    assert ledger["chosen"] == {"1.1.1": {"rag": "Police"}}
    ledger["chosen"] = {"1.1.1": ["Police"]}
    kept.write_text(json.dumps(ledger), encoding="utf-8")
    done = run(runner, "round", "--project", str(fenland))
    assert done.exit_code == 1
    assert "round.json: the round's ledger cannot be read (its choices of joint values are " \
           "not a list of texts)" in done.stderr


# ---------------------------------------------------------------- the exceptions page

def test_the_exceptions_page_shows_every_leads_words(runner, fenland: Path):
    returns = both_return(runner, fenland)
    assert collect(runner, fenland, *returns, "--take", "1.1.1=Fire and Rescue",
                   "--apply").exit_code == 0
    built = run(runner, "build", "--project", str(fenland), "--format", "all")
    assert built.exit_code == 0, built.output
    out = fenland / "out"
    html = (out / "progress-report.html").read_text(encoding="utf-8")
    exceptions = html.split('<section id="exceptions"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<p class="exception-update">([^<]*)</p>', exceptions)[:3] == [
        "Fire and Rescue: Fire crews joined 12 of the visits.",
        "Two more are booked for December.",
        "Police: 30 joint visits made by the end of December."]

    pages = [page.extract_text() for page in PdfReader(out / "progress-report.pdf").pages]
    first = next(p for p in pages if p.startswith("Exceptions"))
    listed = first.split("Action plan\n", 1)[0]  # before the tables begin
    for words in ("Fire and Rescue: Fire crews joined 12 of the visits.",
                  "Two more are booked for December.",
                  "Police: 30 joint visits made by the end of December."):
        assert words in listed, listed

    paragraphs = [p.text for p in docx.Document(str(out / "progress-report.docx")).paragraphs]
    at = next(i for i, p in enumerate(paragraphs) if p.startswith("1.1.1 (Lead: "))
    assert paragraphs[at + 1:at + 4] == [
        "Fire and Rescue: Fire crews joined 12 of the visits.",
        "Two more are booked for December.",
        "Police: 30 joint visits made by the end of December."]


# ---------------------------------------------------------------- the hints

def test_the_take_hint_for_a_name_with_spaces_can_be_pasted(runner, fenland: Path):
    returns = both_return(runner, fenland)
    shown = collect(runner, fenland, *returns)
    hint = waiting_hint(shown.stdout)
    assert hint == "--take '1.1.1=Fire and Rescue' or --take 1.1.1=Police"
    pasted = shlex.split(hint.split(" or ")[0])  # as a shell reads it
    assert pasted == ["--take", "1.1.1=Fire and Rescue"]
    done = collect(runner, fenland, *returns, *pasted, "--apply")
    assert done.exit_code == 0, done.output
    assert load_project(fenland).find("1.1.1").status.value == "red"

    # the page for sign-off says it the same way
    page = collect(runner, fenland, *returns, "--format", "markdown")
    assert "--take '1.1.1=Fire and Rescue'" not in page.stdout  # applied now: no hint
    assert "applied: taken from Fire and Rescue" in page.stdout


def test_a_wrong_take_names_the_ones_that_can_be_pasted(runner, fenland: Path):
    returns = both_return(runner, fenland)
    bad = collect(runner, fenland, *returns, "--take", "1.1.1=Fire & Rescue")
    assert bad.exit_code == 1
    assert ("--take '1.1.1=Fire & Rescue': 1.1.1 is not a joint row that Fire & Rescue "
            "updated in these returns (it was updated by Fire and Rescue, Police): choose "
            "with --take '1.1.1=Fire and Rescue' or --take 1.1.1=Police") in bad.stderr
    update = collect(runner, fenland, *returns, "--take", "1.1.1:update=Fire")
    assert "choose with --take '1.1.1:update=Fire and Rescue' or --take " \
           "1.1.1:update=Police" in update.stderr


@pytest.mark.parametrize(("agency", "shown"), [
    ("Police", "--take 4.2.3=Police"), ("A&E", "--take '4.2.3=A&E'"),
    ("Northmoor County Council", "--take '4.2.3=Northmoor County Council'"),
    ("O'Neill Trust", "--take '4.2.3=O'\"'\"'Neill Trust'"),
])
def test_take_option_reads_back_as_one_argument(agency: str, shown: str):
    assert take_option("4.2.3", agency) == shown
    assert shlex.split(shown) == ["--take", f"4.2.3={agency}"]
