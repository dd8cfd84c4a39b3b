"""A project folder copied from a share or a zip is safe to open: its own git
configuration (.git/config, .git/info/attributes, .gitattributes, hooks) never makes
psa-report run a program, and every command still works.

Each setting below points git at a script that appends a line to a canary file outside
the project; every command that reads git is run, and the canary must never appear.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import ENV, edit, git, run

from psa_report import history
from psa_report.report import html_builder
from psa_report.serve import Preview

COMMANDS = {
    "build": ("build", "--format", "html"),
    "changes": ("changes", "--since", "ssp-2010-06"),
    "progress": ("progress",),
    "requests": ("requests",),
    "check": ("check",),
}


@pytest.fixture
def shared(repo: Path) -> Path:
    """The plan committed and tagged ssp-2010-06, then a second commit (last_meeting set,
    a meeting date long after the due dates, so check asks git when files changed), and
    an edit not yet committed, so that git would look at the working files."""
    edit(repo, "actions/report.yaml", "date: 2010-06-28",
         "date: 2010-06-28\nmeeting_date: 2011-06-27\nlast_meeting: ssp-2010-06")
    git(repo, "commit", "-q", "-am", "Set the meeting", when="2010-07-01")
    edit(repo, "actions/data-gaps/3.2.1.yaml", "status: off track", "status: at risk")
    return repo


def canary_script(tmp_path: Path) -> tuple[Path, Path]:
    """(script, canary): the script records that it ran, then passes its input on."""
    canary = tmp_path / "canary"
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{canary}"\ncat\n')
    script.chmod(0o755)
    return script, canary


def fsmonitor(root: Path, script: Path) -> None:
    git(root, "config", "core.fsmonitor", str(script))


def filter_in_info_attributes(root: Path, script: Path) -> None:
    (root / ".git/info").mkdir(exist_ok=True)
    (root / ".git/info/attributes").write_text("*.yaml filter=any-name\n")
    git(root, "config", "filter.any-name.clean", str(script))
    git(root, "config", "filter.any-name.smudge", str(script))


def filter_in_gitattributes(root: Path, script: Path) -> None:
    (root / ".gitattributes").write_text("* filter=chosen-by-the-sender\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-q", "-m", "attributes", when="2010-07-02")
    git(root, "config", "filter.chosen-by-the-sender.clean", str(script))
    git(root, "config", "filter.chosen-by-the-sender.smudge", str(script))
    git(root, "config", "filter.chosen-by-the-sender.required", "true")


def filter_process(root: Path, script: Path) -> None:
    (root / ".git/info").mkdir(exist_ok=True)
    (root / ".git/info/attributes").write_text("*.yaml filter=lfs-ish\n")
    git(root, "config", "filter.lfs-ish.process", str(script))


HOOKS = ("post-index-change", "post-checkout", "post-commit", "post-merge",
         "reference-transaction", "pre-auto-gc", "post-rewrite", "fsmonitor-watchman")


def hooks_path(root: Path, script: Path) -> None:
    folder = root.parent / "hooks"
    folder.mkdir()
    for name in HOOKS:
        (folder / name).symlink_to(script)
        (root / ".git/hooks" / name).symlink_to(script)
    git(root, "config", "core.hooksPath", str(folder))


def signed_head(root: Path, script: Path) -> None:
    """HEAD becomes a commit carrying a gpgsig header (made by hand: no gpg needed)."""
    head = git(root, "rev-parse", "HEAD").strip()
    tree = git(root, "rev-parse", "HEAD^{tree}").strip()
    body = (f"tree {tree}\nparent {head}\n"
            "author Analyst <analyst@example.org> 1278000000 +0000\n"
            "committer Analyst <analyst@example.org> 1278000000 +0000\n"
            "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAA\n"
            " =AAAA\n -----END PGP SIGNATURE-----\n\nSigned plan\n")
    done = subprocess.run(["git", "-C", str(root), "hash-object", "-t", "commit", "-w",
                           "--stdin"], input=body.encode(), capture_output=True, env=ENV)
    assert done.returncode == 0, done.stderr
    git(root, "update-ref", "refs/heads/main", done.stdout.decode().strip())
    assert "gpgsig" in git(root, "cat-file", "commit", "HEAD")
    for key in ("gpg.program", "gpg.openpgp.program", "gpg.x509.program", "gpg.ssh.program"):
        git(root, "config", key, str(script))
    git(root, "config", "log.showSignature", "true")


def pagers(root: Path, script: Path) -> None:
    git(root, "config", "core.pager", str(script))
    for command in ("log", "status", "diff", "show", "for-each-ref", "rev-parse",
                    "ls-tree", "cat-file", "rev-list", "merge-base", "tag", "branch"):
        git(root, "config", f"pager.{command}", str(script))


def external_diffs(root: Path, script: Path) -> None:
    (root / ".git/info").mkdir(exist_ok=True)
    (root / ".git/info/attributes").write_text("*.yaml diff=shown-nicely\n")
    git(root, "config", "diff.external", str(script))
    git(root, "config", "diff.shown-nicely.command", str(script))
    git(root, "config", "diff.shown-nicely.textconv", str(script))
    git(root, "config", "diff.shown-nicely.cachetextconv", "true")


SETTINGS = {f.__name__: f for f in (fsmonitor, filter_in_info_attributes,
                                     filter_in_gitattributes, filter_process, hooks_path,
                                     signed_head, pagers, external_diffs)}


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_repository_configuration_runs_nothing(runner, shared, tmp_path, setting):
    script, canary = canary_script(tmp_path)
    SETTINGS[setting](shared, script)
    for name, args in COMMANDS.items():
        result = run(runner, args[0], "--project", str(shared), *args[1:])
        assert result.exit_code == 0, f"{name}: {result.output}"
        assert not canary.exists(), f"{name} ran {canary.read_text()}"
        if name == "build":
            page = (shared / "out/progress-report.html").read_text(encoding="utf-8")
            assert "Draft" in page  # 3.2.1 is edited: git was still asked, and answered
        if name == "changes":
            assert "3.2.1" in result.output and "off track → at risk" in result.output
    preview = Preview(shared, html_builder(shared))  # serve's rebuild
    preview.rebuild()
    assert preview.problems == [] and "Draft" in preview.html
    assert not canary.exists(), f"serve ran {canary.read_text()}"


def test_the_callers_git_variables_do_not_redirect_git(runner, shared, tmp_path,
                                                       monkeypatch):
    """GIT_DIR naming another repository, GIT_TRACE writing a file, an external diff:
    none of the caller's GIT_* reach the git psa-report runs."""
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    (other / "x").write_text("x")
    git(other, "add", "x")
    git(other, "commit", "-q", "-m", "another repository", when="2001-01-01")
    script, canary = canary_script(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_TRACE", str(canary))
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", str(script))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.fsmonitor={script}'")
    head = git(shared, "--git-dir", str(shared / ".git"), "rev-parse", "--short", "HEAD")
    result = run(runner, "build", "--project", str(shared), "--format", "html")
    assert result.exit_code == 0, result.output
    assert not canary.exists()
    page = (shared / "out/progress-report.html").read_text(encoding="utf-8")
    assert f'<meta name="psa-report.version" content="{head.strip()}' in page


def test_every_git_command_is_a_reading_one_with_the_overrides(runner, shared,
                                                               monkeypatch):
    """Every git run goes through one runner: the overrides, no pager, no optional
    locks, a minimal environment, and only commands that read (none that runs filters,
    fsmonitor or hooks, or writes the index)."""
    seen = []
    real_run = subprocess.run

    def spy(command, **kwargs):
        if command[:1] == ["git"]:
            seen.append((command, kwargs.get("env")))
        return real_run(command, **kwargs)

    monkeypatch.setattr("psa_report.history.subprocess.run", spy)
    monkeypatch.setenv("GIT_INDEX_FILE", "/nonexistent")
    for args in COMMANDS.values():
        assert run(runner, args[0], "--project", str(shared), *args[1:]).exit_code == 0
    assert len(seen) > 10
    reading = {"rev-parse", "log", "ls-tree", "cat-file", "for-each-ref", "merge-base",
               "rev-list"}
    for command, env in seen:
        assert command[1:3] == ["--no-pager", "--no-optional-locks"], command
        overrides = {command[i + 1] for i, word in enumerate(command) if word == "-c"}
        for setting in ("core.fsmonitor=false", f"core.hooksPath={os.devnull}",
                        "log.showSignature=false", "diff.external=", "core.pager=cat",
                        "credential.helper=", "protocol.allow=never"):
            assert setting in overrides, (setting, command)
        verb = command[command.index("-C") + 2]
        assert verb in reading, command
        assert env is not None and not {k for k in env if k.startswith("GIT_")} - {
            "GIT_CONFIG_NOSYSTEM", "GIT_ATTR_NOSYSTEM", "GIT_TERMINAL_PROMPT",
            "GIT_OPTIONAL_LOCKS", "GIT_NO_LAZY_FETCH", "GIT_ALLOW_PROTOCOL", "GIT_PAGER",
            "GIT_EDITOR"}, env
        assert env["GIT_ALLOW_PROTOCOL"] == "" and env["GIT_CONFIG_NOSYSTEM"] == "1"
    since = [c for c, _ in seen if any("ssp-2010-06" in word for word in c)]
    assert since and all(c.index("--end-of-options") < next(
        i for i, w in enumerate(c) if "ssp-2010-06" in w) for c in since if "rev-parse" in c)


def test_the_index_is_never_written(runner, shared):
    index = shared / ".git/index"
    before = (index.stat().st_mtime_ns, index.read_bytes())
    os.utime(shared / "actions/data-gaps/3.2.2.yaml")  # stale stat data git would refresh
    for args in COMMANDS.values():
        assert run(runner, args[0], "--project", str(shared), *args[1:]).exit_code == 0
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before


# ---------------------------------------------------------------- draft or not

def test_a_writers_temp_file_left_by_a_killed_process_is_not_a_draft(runner, repo):
    """set and collect --apply write .NAME.RANDOM.tmp beside the file; a killed writer
    leaves one behind. It is not the user's change, so the report is not a draft."""
    (repo / "actions/data-gaps/.3.2.1.yaml.k2j3h4ab.tmp").write_text("ref: 3.2.1\nhalf")
    (repo / "actions/.report.yaml.1234.x9y8z7.tmp").write_text("partial")
    result = run(runner, "build", "--project", str(repo), "--format", "html")
    assert result.exit_code == 0, result.output
    page = (repo / "out/progress-report.html").read_text(encoding="utf-8")
    assert "Draft" not in page and "not yet saved" not in page
    assert history.provenance(repo).dirty is False
    assert run(runner, "check", "--project", str(repo)).exit_code == 0


@pytest.mark.parametrize("change", ["edit", "add", "remove", "crlf only"])
def test_uncommitted_changes_are_still_a_draft(repo, change):
    path = repo / "actions/data-gaps/3.2.2.yaml"
    if change == "edit":
        edit(repo, "actions/data-gaps/3.2.2.yaml", "status: off track", "status: at risk")
    elif change == "add":
        (repo / "actions/data-gaps/6.1.1.yaml").write_text("ref: 6.1.1\n")
    elif change == "remove":
        path.unlink()
    else:  # Windows line breaks, as core.autocrlf writes them: not a change
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert history.provenance(repo).dirty is (change != "crlf only")
    changed = history.last_changed(repo)
    assert (changed["actions/data-gaps/3.2.2.yaml"].year > 2010) is (change in ("edit", "remove"))


def test_a_pipe_in_actions_does_not_hang_the_draft_check(repo):
    os.mkfifo(repo / "actions/data-gaps/9.9.9.yaml")
    assert history.provenance(repo).dirty is True
    assert stat.S_ISFIFO(os.stat(repo / "actions/data-gaps/9.9.9.yaml").st_mode)


def test_only_history_py_runs_git():
    """One runner: no other module starts a program named git."""
    from conftest import REPO

    for path in (REPO / "psa_report").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "history.py":
            assert "subprocess" not in text or path.name == "glyphs.py", path
            assert '"git"' not in text and "'git'" not in text, path
    glyphs = (REPO / "psa_report/glyphs.py").read_text(encoding="utf-8")
    assert glyphs.count("subprocess.run(") == 1 and '["fc-list"' in glyphs


def test_a_partial_clone_never_fetches_and_says_how_to(runner, shared, tmp_path):
    """A blobless clone fetches old files from its remote when asked, running the
    remote's upload-pack (which the clone's config may name). psa-report never lets git
    reach a remote, and says how to fetch the files once."""
    git(shared, "commit", "-q", "-am", "September", when="2010-09-20")
    git(shared, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{shared}", str(clone))
    script, canary = canary_script(tmp_path)
    git(clone, "config", "remote.origin.uploadpack", str(script))
    result = run(runner, "changes", "--project", str(clone), "--since", "ssp-2010-06")
    assert result.exit_code == 1, result.output
    assert "partial clone" in result.stderr and "git fetch --refetch" in result.stderr
    assert not canary.exists()
    result = run(runner, "build", "--project", str(clone), "--no-since", "--format", "html")
    assert result.exit_code == 0, result.output
    assert not canary.exists()
