"""scan.py: the files under actions/ found and sorted by kind (the walk split out of
project.py in small functions, its messages unchanged)."""

from __future__ import annotations

import os

import pytest

from psa_report.problems import Invalid
from psa_report.project import load_project
from psa_report.scan import classify, scan_actions
from psa_report.shape import default_shape


def test_the_walk_finds_every_file_in_order(project):
    (project / "actions/data-gaps/old").mkdir()
    (project / "actions/data-gaps/old/9.9.9.yaml").write_text("x: y\n", encoding="utf-8")
    (project / "actions/data-gaps/.gitkeep").write_text("", encoding="utf-8")
    (project / "actions/data-gaps/~$lock.yaml").write_text("", encoding="utf-8")
    paths, problems = scan_actions(project)
    assert problems == []
    assert paths == sorted(paths) and len(paths) == 18
    assert "actions/data-gaps/old/9.9.9.yaml" in paths
    assert not any(".gitkeep" in p or "~$" in p for p in paths)


def test_links_pipes_and_loops_are_reported_not_read(project, tmp_path):
    actions = project / "actions"
    os.symlink("nowhere.yaml", actions / "data-gaps/broken.yaml")
    os.symlink(tmp_path, actions / "recommendations/outside")
    os.symlink("..", actions / "data-gaps/up")
    os.mkfifo(actions / "data-gaps/pipe.yaml")
    paths, problems = scan_actions(project)
    said = {p.file: p.message for p in problems}
    assert said["actions/data-gaps/broken.yaml"] == (
        "this link points to nowhere.yaml, which does not exist (a broken link): remove it, "
        "or put the files themselves here")
    assert said["actions/recommendations/outside"].startswith(
        f"this link points to {os.path.realpath(tmp_path)}, outside the project folder")
    assert said["actions/data-gaps/up"].startswith("this is the same folder as actions:")
    assert said["actions/data-gaps/pipe.yaml"].startswith(
        "this is a named pipe (FIFO), not an ordinary file")
    assert all(p.line is None for p in problems)
    assert not any("broken" in p or "pipe" in p for p in paths)


def test_no_actions_folder(tmp_path):
    with pytest.raises(Invalid) as caught:
        scan_actions(tmp_path)
    assert "there is no actions/ folder here" in caught.value.problems[0].message


def test_a_plan_yaml_that_is_not_read_stops_the_check_at_once(project, tmp_path):
    outside = tmp_path / "plan.yaml"
    outside.write_text("status_required: false\n", encoding="utf-8")
    os.symlink(outside, project / "actions/plan.yaml")
    (project / "actions/data-gaps/3.2.1.yaml").write_text("ref: 1\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        load_project(project)
    assert [p.file for p in caught.value.problems] == ["actions/plan.yaml"]
    assert "outside the project folder" in caught.value.problems[0].message


def test_classify_by_the_shipped_plan_without_a_plan_yaml():
    found, problems = classify(["actions/report.yaml", "actions/notes.txt", "actions/x.yml",
                                "actions/data-gap/1.yaml", "actions/data-gap/2.yaml",
                                "actions/recommendations/R1.yaml",
                                "actions/recommendations/R1.docx"], (), default_shape())
    assert found["recommendation"] == ["actions/recommendations/R1.yaml"]
    assert found["data_gap"] == [] and found["plan"] == []
    assert [str(p) for p in problems] == [
        "actions/notes.txt:1:1: not a YAML file: only .yaml files belong in actions/ (move "
        "this file elsewhere)",
        "actions/x.yml:1:1: unexpected file: data gaps go in actions/data-gaps/ and "
        "recommendations in actions/recommendations/; the only files directly in actions/ "
        "are report.yaml, agencies.yaml and plan.yaml",
        "actions/data-gap: unexpected folder (did you mean data-gaps/?): actions/ holds "
        "only data-gaps/, recommendations/, report.yaml and agencies.yaml",
        "actions/recommendations/R1.docx:1:1: not a YAML file: only .yaml files belong in "
        "actions/ (move this file elsewhere, or rename it to .yaml if it is an action)",
        "actions/agencies.yaml: this file is missing: every project needs it (see "
        "the guide, docs/start.md, 'The files in actions/')"]
