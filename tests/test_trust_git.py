"""Revisions from the user or from report.yaml cannot steer git, and every git failure
ends in a message an analyst can act on (never "internal error")."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ENV, edit, git, run


@pytest.fixture
def repo(project: Path) -> Path:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Plan as sent to the SSP, June 2010", when="2010-06-28")
    git(project, "tag", "t0")
    return project


def refused(result, *words: str) -> None:
    """Exit 1 with a message containing ``words``, and no traceback or internal error."""
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr


def no_pwned_file(project: Path) -> None:
    assert not [p for p in project.rglob("*") if "pwned" in p.name]
    assert not [p for p in Path.cwd().glob("*") if "pwned" in p.name]


# ---------------------------------------------------------------- 1. no option injection

def test_changes_since_an_option_is_refused_before_git_runs(runner, repo):
    result = run(runner, "changes", "--project", str(repo), "--since", "--output=pwned")
    refused(result, "'--output=pwned' is not a revision", "never starts with '-'")
    no_pwned_file(repo)


def test_build_since_an_option_is_refused_before_git_runs(runner, repo):
    result = run(runner, "build", "--project", str(repo), "--since", "--output=pwned",
                 "--format", "html")
    refused(result, "'--output=pwned' is not a revision")
    no_pwned_file(repo)


def test_last_meeting_that_is_an_option_is_refused(runner, repo):
    path = repo / "actions/report.yaml"
    path.write_text(path.read_text() + "last_meeting: --output=pwned\n")
    result = run(runner, "build", "--project", str(repo), "--format", "html")
    refused(result, "--output=pwned")
    no_pwned_file(repo)


# ---------------------------------------------------------------- 3 and 7. ranges

@pytest.mark.parametrize("rev", ["t0..HEAD", "t0...HEAD", "^t0", "HEAD...HEAD", "HEAD^!",
                                 "HEAD^@"])
def test_a_range_is_refused_not_compared_with_head(runner, repo, rev):
    result = run(runner, "changes", "--project", str(repo), "--since", rev)
    refused(result, f"{rev!r} is not a revision name but a range of commits: give one "
            "revision, not a range")


def test_build_since_a_range_is_refused(runner, repo):
    result = run(runner, "build", "--project", str(repo), "--since", "HEAD...HEAD",
                 "--format", "html")
    refused(result, "give one revision, not a range")


# ---------------------------------------------------------------- 4. accurate messages

def test_git_not_installed_says_how_to_install_it(runner, repo, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run(runner, "changes", "--project", str(repo), "--since", "t0")
    refused(result, "git is not installed", "sudo apt-get install git")
    assert "git init" not in result.stderr


def test_a_repository_of_another_user_names_safe_directory(runner, repo, monkeypatch):
    real_run = subprocess.run

    def dubious(command, **kwargs):
        if command[:1] == ["git"]:
            return subprocess.CompletedProcess(command, 128, b"", (
                f"fatal: detected dubious ownership in repository at '{repo}'\n"
                "To add an exception for this directory, call:\n\n"
                f"\tgit config --global --add safe.directory {repo}\n").encode())
        return real_run(command, **kwargs)

    monkeypatch.setattr("psa_report.history.subprocess.run", dubious)
    result = run(runner, "changes", "--project", str(repo), "--since", "t0")
    refused(result, f"git config --global --add safe.directory {repo}")
    assert "git init" not in result.stderr


def test_outside_a_repository_still_says_git_init(runner, project):
    refused(run(runner, "changes", "--project", str(project), "--since", "HEAD"),
            "not in a git repository", "git init")


# ---------------------------------------------------------------- 5 and 7. no commits

@pytest.mark.parametrize("args", [("--since-date", "2010-07-01"), ("--since", "HEAD"),
                                  ("--since", "t0")])
def test_a_repository_with_no_commits(runner, project, args):
    git(project, "init", "-q", "-b", "main")
    result = run(runner, "changes", "--project", str(project), *args)
    refused(result, "this repository has no commits yet: commit the plan first")


# ---------------------------------------------------------------- 2. last_meeting in check

@pytest.mark.parametrize("value", ["--output=pwned", "'ssp 2010 06'", "t0..HEAD", "'^t0'",
                                   "'HEAD:actions'", "'HEAD@{yesterday}'",
                                   "'t0\\tHEAD'", "'.hidden'", "HEAD^!"])
def test_check_reports_a_last_meeting_that_is_not_a_revision_name(runner, project, value):
    path = project / "actions/report.yaml"
    text = path.read_text()
    line = len(text.splitlines()) + 1
    path.write_text(text + f'last_meeting: {value.replace(chr(39), chr(34))}\n')
    result = run(runner, "check", "--project", str(project))
    refused(result, f"actions/report.yaml:{line}:", "last_meeting: ",
            "is not a revision name", "tag", "such as ssp-2010-06", "commit")


@pytest.mark.parametrize("value", ["ssp-2010-06", "HEAD~3", "HEAD^2", "v1.2/final", "4d07777",
                                   "main"])
def test_check_accepts_plain_revision_names(runner, project, value):
    path = project / "actions/report.yaml"
    path.write_text(path.read_text() + f"last_meeting: {value}\n")
    result = run(runner, "check", "--project", str(project))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- 6. symbolic links in git

def committed_then_replaced(project: Path, relative: str, target: str) -> None:
    """Commit ``relative`` as a symbolic link to ``target``, tag t0, then put the real
    files back in the working tree (so only the old revision holds the link)."""
    real = project / relative
    kept = project.parent / "kept"
    real.rename(kept)
    real.symlink_to(target)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "with a link", when="2010-06-28")
    git(project, "tag", "t0")
    real.unlink()
    kept.rename(real)


def test_a_committed_symlinked_actions_folder_is_refused(runner, project):
    committed_then_replaced(project, "actions", "../elsewhere")
    result = run(runner, "changes", "--project", str(project), "--since", "t0")
    refused(result, "t0:actions: is a symbolic link in the commit; psa-report reads only "
            "real files from git history")


def test_a_committed_symlinked_action_file_is_refused(runner, project):
    committed_then_replaced(project, "actions/recommendations/R5.yaml", "R4.yaml")
    result = run(runner, "build", "--project", str(project), "--since", "t0",
                 "--format", "html")
    refused(result, "t0:actions/recommendations/R5.yaml: is a symbolic link in the commit")


def test_a_committed_submodule_in_actions_is_refused(runner, repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},actions/data-gaps/more")
    git(repo, "commit", "-q", "-m", "a submodule", when="2010-07-01")
    result = run(runner, "changes", "--project", str(repo), "--since", "HEAD")
    refused(result, "HEAD:actions/data-gaps/more: is a git submodule in the commit")


# ---------------------------------------------------------------- bare and shallow

@pytest.mark.parametrize("args", [("changes", "--since", "t0"), ("build", "--since", "t0",
                                                                  "--format", "html")])
def test_a_repository_marked_bare_says_how_to_unmark_it(runner, repo, args):
    git(repo, "config", "core.bare", "true")
    result = run(runner, args[0], "--project", str(repo), *args[1:])
    refused(result, "marked bare", "git config core.bare false")


def test_a_project_inside_a_bare_repository_says_to_clone_it(runner, repo, tmp_path):
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    shutil.copytree(repo / "actions", bare / "plan/actions")
    result = run(runner, "changes", "--project", str(bare / "plan"), "--since", "t0")
    refused(result, "bare repository", f"git clone {bare.resolve()}")


def test_a_bare_repository_builds_as_not_in_git_with_one_sentence(runner, repo):
    git(repo, "config", "core.bare", "true")
    for command in (("build", "--format", "html"), ("progress",), ("check",),
                    ("requests",)):
        result = run(runner, command[0], "--project", str(repo), *command[1:])
        assert result.exit_code == 0, result.output
    page = (repo / "out/progress-report.html").read_text(encoding="utf-8")
    assert "Prepared from action plan files that are not kept under version control" in page
    # Why, for the analyst, in the page's properties (the paper names no git).
    assert ('<meta name="psa-report.version" content="not in git: git sees this folder as '
            "part of a bare repository") in page


@pytest.fixture
def shallow(repo: Path, tmp_path: Path) -> Path:
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: at risk")
    git(repo, "commit", "-q", "-am", "September", when="2010-09-20")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    return clone


@pytest.mark.parametrize("args", [("--since", "HEAD~1"), ("--since", "t0"),
                                  ("--since-date", "2010-07-01")])
def test_a_shallow_clone_says_how_to_fetch_the_history(runner, shallow, args):
    result = run(runner, "changes", "--project", str(shallow), *args)
    refused(result, "shallow clone", "git fetch --unshallow")
    assert "give a commit such as HEAD~1" not in result.stderr


# ---------------------------------------------------------------- one set of name rules

@pytest.mark.parametrize("value", ["HEAD@{1}", "t0:actions", "t0 HEAD", ".hidden", "t0*",
                                   "--output=pwned", "t0..HEAD"])
def test_since_and_last_meeting_follow_the_same_name_rules(runner, repo, value,
                                                           monkeypatch):
    ran = []
    real_run = subprocess.run
    monkeypatch.setattr("psa_report.history.subprocess.run",
                        lambda command, **kw: ran.append(command) or real_run(command, **kw))
    since = run(runner, "changes", "--project", str(repo), "--since", value)
    refused(since, f"{value!r} is not a revision name")
    assert not [c for c in ran if any(value in word for word in c)]  # git never saw it
    path = repo / "actions/report.yaml"
    path.write_text(path.read_text() + f"last_meeting: '{value}'\n")
    checked = run(runner, "check", "--project", str(repo))
    refused(checked, since.stderr.splitlines()[0].split(": ", 1)[1])


@pytest.mark.parametrize("value", ["ssp-*", "refs/tags/ssp-2010-0[6-9]", "board/*"])
def test_tag_patterns_are_checked_by_the_same_rules_as_names(runner, repo, value):
    result = run(runner, "progress", "--project", str(repo), "--tags", value)
    assert result.exit_code == 0, result.output
    for bad in ("ssp-*..HEAD", "-ssp", "ssp~1", "ssp:*", "ssp *"):
        result = run(runner, "progress", "--project", str(repo), "--tags", bad)
        assert result.exit_code == 2 and "is not a pattern of tag names" in result.output


# ---------------------------------------------------------------- merge conflicts

def conflicted(repo: Path, style: str = "merge") -> Path:
    """A real merge conflict in 3.2.1's status, left in the file by git merge."""
    git(repo, "checkout", "-q", "-b", "police")
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: at risk")
    git(repo, "commit", "-q", "-am", "Police's update", when="2010-07-01")
    git(repo, "checkout", "-q", "main")
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: on track")
    git(repo, "commit", "-q", "-am", "Analyst's update", when="2010-07-02")
    done = subprocess.run(["git", "-C", str(repo), "-c", f"merge.conflictStyle={style}",
                           "merge", "police"], capture_output=True, env=ENV)
    assert done.returncode == 1, done.stdout
    path = repo / "actions/data-gaps/3.2.1.yaml"
    assert "<<<<<<< HEAD" in path.read_text()
    return path


@pytest.mark.parametrize("style", ["merge", "diff3"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_merge_conflict_left_in_a_file_is_named_at_its_line(runner, repo, style, command):
    path = conflicted(repo, style)
    line = path.read_text().split("\n").index("<<<<<<< HEAD") + 1
    result = run(runner, command, "--project", str(repo))
    refused(result, f"actions/data-gaps/3.2.1.yaml:{line}:1: a git merge conflict was "
            "left in this file", "delete the marker lines", "git add", "git commit")
    assert "indent it like the lines above" not in result.stderr


def test_a_lone_separator_left_after_a_merge_is_named_too(runner, repo):
    path = conflicted(repo)
    lines = [line for line in path.read_text().split("\n")
             if not line.startswith(("<<<<<<<", ">>>>>>>"))]
    path.write_text("\n".join(lines))
    line = lines.index("=======") + 1
    refused(run(runner, "check", "--project", str(repo)),
            f"actions/data-gaps/3.2.1.yaml:{line}:1: a git merge conflict was left")
