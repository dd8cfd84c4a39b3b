"""A plan of its own shape edited with new, import and set (QA round "shape": F3, F4, F15,
F18): the editor's schema accepts what check accepts, a new kind's schema is written when
missing, set changes an agencies field, and an agency typed short is suggested."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import run

from psa_report import fieldtypes
from psa_report.loader import load_text
from psa_report.project import load_project
from psa_report.scaffold import kind_schema

FENLAND = Path(__file__).parent / "data" / "fenland"
PLAN = """\
statuses:
  - {name: delivered, colour: blue, done: true, also: [done]}
  - {name: progressing, colour: green}
  - {name: slipping, colour: amber, exception: true}
  - {name: not begun, colour: purple}
kinds:
  - name: action
    folder: actions
    heading: Delivery plan
    ref: "1.1"
    layout: table
    fields:
      - {name: description, label: What we will do, type: text}
      - {name: priority, label: Priority, type: choice, choices: [High, Medium risk, Low]}
      - {name: funded, label: Funded?, type: yes-no}
      - {name: lead, label: Lead partner, type: agencies}
      - {name: deadline, label: Deadline, type: due}
      - {name: rag, label: Position, type: status, partners: true}
"""
AGENCIES = "Housing Association: Harbour Homes\nPolice: Harbour Police\nCouncil: The Council\n"


@pytest.fixture
def harbour(tmp_path: Path) -> Path:
    """A project whose plan declares a kind with a choice and a yes-no field, no items
    and no schema folder (as after replacing init's plan.yaml with one of its own)."""
    root = tmp_path / "harbour"
    shutil.copytree(FENLAND, root)
    shutil.rmtree(root / "actions/actions")
    (root / "actions/plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "actions/agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    report = root / "actions/report.yaml"
    report.write_text(re.sub(r"(?ms)^sections:.*", 'sections:\n  "1": Safer streets\n',
                             report.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def schema_of(root: Path, path: Path) -> dict:
    """The schema an item file names on its first line, as an editor finds it."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    named = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert named, first
    return json.loads((path.parent / named[1]).read_text(encoding="utf-8"))


def test_new_and_import_write_the_missing_schema_which_accepts_their_files(
        runner, harbour, tmp_path):
    assert not (harbour / "schema").exists()
    made = run(runner, "new", "action", "--section", "1", "--project", str(harbour))
    assert made.exit_code == 0, made.output
    assert "wrote schema/action.schema.json: the schema an editor checks the new file " \
           "against" in made.stdout
    new_file = harbour / "actions/actions/1.1.yaml"
    text = new_file.read_text(encoding="utf-8")
    assert 'funded: "no"\n' in text and 'priority: "High"\n' in text
    # F16: the example text reads right whatever the label
    assert "description: \"Write the field's text here: What we will do.\"\n" in text
    schema = schema_of(harbour, new_file)
    assert schema == kind_schema(load_project(harbour).shape.kinds[0],
                                 load_project(harbour).shape)  # as `schema` writes it

    table = tmp_path / "table.csv"
    table.write_text("Ref,What we will do,Priority,Funded?,Lead partner,Deadline,Position\n"
                     "1.2,Patrols,medium RISK,Yes,Police,Q4 2026/27,Progressing\n"
                     "1.3,Cameras,low,TRUE,\"Council, Police\",ongoing,not-begun\n",
                     encoding="utf-8")
    imported = run(runner, "import", str(table), "--project", str(harbour))
    assert imported.exit_code == 0, imported.output
    assert "schema" not in imported.stdout  # it is there now: neither written nor named
    for path in sorted((harbour / "actions/actions").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        # an editor reads `funded: Yes` as a string (YAML 1.2, as psa-report does) and
        # `funded: TRUE` as a boolean: the schema takes both, as check does
        jsonschema.validate(load_text(text, path.name).data, schema_of(harbour, path))
        jsonschema.validate(yaml.safe_load(text), schema_of(harbour, path))
    assert run(runner, "check", "--project", str(harbour)).exit_code == 0

    # the schema refuses what check refuses
    properties = schema["properties"]
    for name, value in (("funded", "maybe"), ("funded", "yess"), ("funded", 1),
                        ("priority", "Urgent"), ("priority", "mediumrisk")):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({name: value}, {"type": "object", "properties": properties})
    # ... and takes what check takes, in any case and spacing
    definitions = {f.name: f for f in load_project(harbour).shape.kinds[0].fields}
    for name, value in (("funded", " n "), ("funded", "OFF"), ("funded", False),
                        ("priority", "MEDIUM_risk"), ("priority", "medium - risk")):
        jsonschema.validate({name: value}, {"type": "object", "properties": properties})
        if isinstance(value, str):
            fieldtypes.get(definitions[name].type).parse(value, definitions[name])


def test_an_existing_schema_is_left_as_it_is(runner, harbour):
    (harbour / "schema").mkdir()
    (harbour / "schema/action.schema.json").write_text("{}\n", encoding="utf-8")
    made = run(runner, "new", "action", "--section", "1", "--project", str(harbour))
    assert made.exit_code == 0, made.output
    assert "schema" not in made.stdout
    assert (harbour / "schema/action.schema.json").read_text(encoding="utf-8") == "{}\n"


def test_set_changes_an_agencies_field_checked_as_check_checks_it(runner, harbour, tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("Ref,What we will do,Priority,Funded?,Lead partner,Deadline,Position\n"
                     "1.1,Patrols,High,no,Police,Q4 2026/27,progressing\n"
                     "1.2,Cameras,Low,no,\"Council, Police\",ongoing,progressing\n",
                     encoding="utf-8")
    assert run(runner, "import", str(table), "--project", str(harbour)).exit_code == 0
    path = harbour / "actions/actions/1.1.yaml"
    before = path.read_text(encoding="utf-8")
    done = run(runner, "set", "1.1", "--lead", "Housing Association,Council", "--project",
               str(harbour))
    assert done.exit_code == 0, done.output
    assert "Lead partner: Police → Housing Association, Council" in done.stdout
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("lead: Police\n", "lead: Housing Association, Council\n")
    assert load_project(harbour).find("1.1").get("lead") == ["Housing Association", "Council"]

    # an agency typed short is refused, naming the one it may be (F18)
    short = run(runner, "set", "1.1", "--lead", "Housing", "--project", str(harbour))
    assert short.exit_code == 1
    assert ("actions/actions/1.1.yaml: lead: 'Housing' is not a known agency (Housing "
            "Association, Police, Council). Did you mean 'Housing Association'?") \
        in short.stderr
    assert path.read_text(encoding="utf-8") == after

    # a list of leads, one a line, is not rewritten: the user is told where to change it
    listed = harbour / "actions/actions/1.2.yaml"
    assert "lead:\n  - Council\n  - Police\n" in listed.read_text(encoding="utf-8")
    refused = run(runner, "set", "1.2", "--lead", "Police", "--project", str(harbour))
    assert refused.exit_code == 1
    assert "actions/actions/1.2.yaml: --lead: this file writes lead as a list" \
        in refused.stderr and "edit the list in the file" in refused.stderr

    # a required due field cannot be removed, and the message says where it is required
    due = run(runner, "set", "1.1", "--due", "", "--project", str(harbour))
    assert due.exit_code == 1
    assert "deadline: is required in actions/plan.yaml, so it cannot be removed" \
        in due.stderr
    assert path.read_text(encoding="utf-8") == after


def test_did_you_mean_offers_a_name_holding_the_words_typed():
    agencies = ["Youth Justice Service", "Fire and Rescue", "Police", "Housing Association"]
    assert fieldtypes.did_you_mean("Housing", agencies) == " Did you mean 'Housing Association'?"
    assert fieldtypes.did_you_mean("justice", agencies) == \
        " Did you mean 'Youth Justice Service'?"
    assert fieldtypes.did_you_mean("rescue", agencies) == " Did you mean 'Fire and Rescue'?"
    assert fieldtypes.did_you_mean("Polce", agencies) == " Did you mean 'Police'?"
    # a part of a word is no match, nor a word no name holds
    assert fieldtypes.did_you_mean("Hous", agencies) == ""
    assert fieldtypes.did_you_mean("Ambulance", agencies) == ""
