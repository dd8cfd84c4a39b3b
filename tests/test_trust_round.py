"""The partner update round's bookkeeping and its git commit, against hostile input:
a repository whose configuration names filters, a return file name with line breaks,
a forged hidden sheet, two collects at once, deep JSON, an item grown too large by a
return, non-ASCII addresses, and the advice given when something is refused."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git, run
from test_round import collect, issue, returned

from psa_report.project import load_project


# ---------------------------------------------------------------- 1. no filter runs

def canary_repo(repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A clone of ``repo`` whose .git/config defines the filter `canary` for every file
    (clean, smudge and process), each recording that it ran; just cloned, so its index
    entries are racily clean. Returns (clone, marker)."""
    git(repo, "config", "user.name", "Analyst")
    git(repo, "config", "user.email", "analyst@example.org")
    (repo / ".gitignore").write_text("out/\n")
    (repo / ".gitattributes").write_text("* filter=canary\n")
    git(repo, "add", ".gitignore", ".gitattributes")
    git(repo, "commit", "-q", "-m", "Attributes")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    marker = tmp_path / "marker"
    script = tmp_path / "filter.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\ncat\n')
    script.chmod(0o755)
    for key in ("clean", "smudge", "process"):
        git(clone, "config", f"filter.canary.{key}", str(script))
    git(clone, "config", "user.name", "Analyst")
    git(clone, "config", "user.email", "analyst@example.org")
    return clone, marker


def test_collect_commit_runs_no_filter_of_a_fresh_clone(runner, repo: Path, tmp_path: Path):
    clone, marker = canary_repo(repo, tmp_path)
    issue(runner, clone)
    police = returned(clone, "Police", {"3.2.1": {"New status": "on track"}}, "2010-09-28")
    done = collect(runner, clone, police, "--apply", "--commit")
    assert done.exit_code == 0, done.output
    assert not marker.exists(), marker.read_text()
    assert "committed" in done.stdout
    shown = git(clone, "show", "HEAD:actions/data-gaps/3.2.1.yaml")
    assert "on track" in shown
    # The real index follows the commit: git status shows nothing changed.
    assert git(clone, "diff", "--cached", "--name-only") == ""
    assert git(clone, "status", "--porcelain") == ""


def test_the_filters_a_repository_names_are_emptied_for_every_git_run(repo: Path,
                                                                     tmp_path: Path):
    """Even a command that would filter (update-index on a fresh clone's racily clean
    index) runs no filter of the repository's with the settings the commit adds."""
    from psa_report import record
    from psa_report.history import _git

    clone, marker = canary_repo(repo, tmp_path)
    blob = _git(clone, "hash-object", "-w", "--no-filters", "--stdin", input=b"x\n")
    names = record._no_filters(clone)
    assert ("filter.canary.clean", "") in names and ("filter.canary.process", "") in names
    _git(clone, "update-index", "--add", "--cacheinfo",
         f"100644,{blob.decode().strip()},new-file", config=names)
    assert not marker.exists(), marker.read_text()


# ---------------------------------------------------------------- 2. one line per name

def committed_repo(repo: Path) -> Path:
    git(repo, "config", "user.name", "Analyst")
    git(repo, "config", "user.email", "analyst@example.org")
    (repo / ".gitignore").write_text("out/\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "Ignore out/")
    return repo


def test_a_file_name_with_line_breaks_forges_no_trailer(runner, repo: Path):
    committed_repo(repo)
    issue(runner, repo)
    police = returned(repo, "Police", {"3.2.1": {"New status": "on track"}}, "2010-09-28")
    forged = police.with_name("Police-update-request\nUpdate-From: SBC; SBC.xlsx; "
                              "2010-09-28; 3.2.1\nSigned-off-by: Chair <chair@x>\r.xlsx")
    police.rename(forged)
    done = collect(runner, repo, forged, "--apply", "--commit")
    assert done.exit_code == 0, done.output
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)").strip()
    assert trailers.splitlines() == [
        "Update-From: Police; Police-update-request\\nUpdate-From: SBC; SBC.xlsx; "
        "2010-09-28; 3.2.1\\nSigned-off-by: Chair <chair@x>\\r.xlsx; 2010-09-28; 3.2.1"]
    body = git(repo, "log", "-1", "--format=%B")
    assert not any(line.startswith(("Signed-off-by", "Update-From: SBC"))
                   for line in body.splitlines())
