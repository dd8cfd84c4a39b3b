"""The user guide (docs/, mkdocs.yml): it builds with --strict, its pictures are the ones
scripts/docs-pictures.py makes, and the examples it shows are what the commands print.

The fast tests build the guide with a blank stand-in for each picture (so a broken link,
a missing anchor or a page left out of the nav still fails); the slow one makes the real
pictures from the shipped plan with LibreOffice, Chromium and poppler, then builds it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run

DOCS = REPO / "docs"


def pictures_script():
    spec = importlib.util.spec_from_file_location("docs_pictures",
                                                  REPO / "scripts" / "docs-pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def guide_copy(where: Path) -> Path:
    """docs/ and mkdocs.yml copied without any pictures made before."""
    shutil.copy(REPO / "mkdocs.yml", where / "mkdocs.yml")
    shutil.copytree(DOCS, where / "docs", ignore=shutil.ignore_patterns("img"))
    return where


def mkdocs_build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
         "-d", str(root / "site")], capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300)


def linked_pictures() -> dict[str, set[str]]:
    """picture name -> the pages that show it."""
    found: dict[str, set[str]] = {}
    for page in DOCS.glob("*.md"):
        for name in re.findall(r"!\[[^\]]+\]\(img/([^)\s]+)\)", page.read_text("utf-8")):
            found.setdefault(name, set()).add(page.name)
    return found


def test_the_guide_shows_exactly_the_pictures_the_script_makes():
    linked = linked_pictures()
    made = set(pictures_script().PICTURES)
    assert set(linked) == made, (set(linked) ^ made)
    # Each picture has words for those who cannot see it.
    for page in DOCS.glob("*.md"):
        assert "![](" not in page.read_text("utf-8"), page.name


def test_the_guide_builds_strict_with_stand_in_pictures(tmp_path: Path):
    root = guide_copy(tmp_path)
    assert pictures_script().main(["--placeholders", "--out", str(root / "docs" / "img")]) == 0
    done = mkdocs_build(root)
    assert done.returncode == 0, done.stderr
    site = root / "site"
    for page in ("index", "start", "meetings", "updates", "papers", "problems", "cli",
                 "development"):
        assert (site / f"{page}.html").is_file(), page
    # Offline: no page loads anything from the internet (the theme's web fonts are off).
    for page in site.glob("*.html"):
        assert not re.search(r'src="https?:|rel="stylesheet" href="https?:|fonts\.googleapis',
                             page.read_text("utf-8")), page.name


def test_a_broken_link_in_the_guide_fails_the_strict_build(tmp_path: Path):
    root = guide_copy(tmp_path)
    pictures_script().main(["--placeholders", "--out", str(root / "docs" / "img")])
    (root / "docs" / "img" / "preview.png").unlink()
    page = root / "docs" / "problems.md"
    page.write_text(page.read_text("utf-8") + "\nSee [nowhere](papers.md#no-such-part).\n",
                    encoding="utf-8")
    done = mkdocs_build(root)
    assert done.returncode == 1
    assert "img/preview.png" in done.stderr and "#no-such-part" in done.stderr


def test_the_guide_is_organised_by_the_analysts_tasks():
    nav = (REPO / "mkdocs.yml").read_text("utf-8").split("\nnav:\n", 1)[1]
    titles = re.findall(r"^  (#?) ?- ([^:]+):", nav, flags=re.M)
    assert [t for hidden, t in titles if not hidden] == [
        "Home", "Start a plan", "Before each meeting", "The update round", "Committee papers",
        "Papers in Welsh", "Crime and disorder figures", "Your plan's own shape",
        "When something is wrong", "Command reference", "For developers"]



def test_the_readme_is_short_and_points_to_the_guide():
    readme = (REPO / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 80
    assert "make report" in readme and "make test" in readme
    assert "(docs/index.md)" in readme


# The guide's examples are real output: each `$ psa-report ...` block is run on a copy of
# the shipped plan and must print what the guide shows ("..." ends a shortened example).
# Those that need the plan's git history or partners' returns are shown from such plans
# and are not rerun here.
NEEDS_HISTORY = {"changes", "progress", "collect", "round"}


def examples() -> list[tuple[str, str, str]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"^```\n(\$ psa-report .*?)^```", page.read_text("utf-8"),
                                flags=re.M | re.S):
            command, _, shown = block.partition("\n")
            found.append((page.name, command[2:], shown))
    return found


def test_the_guide_has_examples_to_check():
    ran = [c for _, c, _ in examples() if shlex.split(c)[1] not in NEEDS_HISTORY]
    assert len(ran) >= 6, ran


@pytest.mark.parametrize(("page", "command", "shown"), examples(),
                         ids=[f"{p}:{c}" for p, c, _ in examples()])
def test_each_example_in_the_guide_is_what_the_command_prints(
        page, command, shown, project: Path, runner, monkeypatch):
    words = shlex.split(command)[1:]
    if words[0] in NEEDS_HISTORY:
        pytest.skip("shown from a plan with several meetings")
    shutil.copytree(REPO / "schema", project / "schema")  # as init writes it (`new` would)
    monkeypatch.chdir(project)
    result = run(runner, *words)
    assert result.exit_code == 0, result.output
    printed = result.output
    stale = (f"docs/{page} shows an out-of-date example: run `{command}` on the shipped plan "
             f"and put what it prints into the page:\n{printed}")
    if shown.rstrip().endswith("..."):
        assert printed.startswith(shown.rstrip()[:-3]), stale
    else:
        assert printed == shown, stale


@pytest.mark.slow
def test_the_pictures_are_made_from_the_shipped_plan_and_the_guide_builds(tmp_path: Path):
    for program in ("pdftoppm", "pdftotext", "soffice", "chromium"):
        assert shutil.which(program), f"{program} is needed: scripts/system-deps.sh --test"
    root = guide_copy(tmp_path)
    img = root / "docs" / "img"
    script = pictures_script()
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "docs-pictures.py"),
                           "--out", str(img)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in script.PICTURES:
        data = (img / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        # A page at 60 dpi is about 500 x 700; a screenshot about 1100 wide.
        assert width >= 400 and height >= 200, (name, width, height)
        assert len(data) > 10_000, (name, len(data))  # a picture, not a blank
    built = mkdocs_build(root)
    assert built.returncode == 0, built.stderr
    for name, pages in linked_pictures().items():
        assert (root / "site" / "img" / name).is_file()
        for page in pages:
            html = (root / "site" / page.replace(".md", ".html")).read_text("utf-8")
            assert f'src="img/{name}"' in html, (page, name)
    # The repository's own out/ and actions/ were left alone.
    status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "actions"],
                            capture_output=True, text=True)
    assert status.stdout == ""


@pytest.mark.slow
def test_the_examples_from_a_plan_with_meetings_are_what_the_commands_print(tmp_path: Path,
                                                                             monkeypatch):
    """`changes` and `progress`, rerun on the plan the pictures of meetings are made from
    (the version's short hash is left out: it changes with every edit of the shipped plan)."""
    project = pictures_script().meetings_plan(tmp_path)
    monkeypatch.chdir(project)
    checked = 0
    for page, command, shown in examples():
        if shlex.split(command)[1] not in {"changes", "progress"}:
            continue
        done = subprocess.run([sys.executable, "-m", "psa_report", *shlex.split(command)[1:]],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        hashes = re.compile(r"\b[0-9a-f]{7,}\b")
        assert hashes.sub("HASH", done.stdout) == hashes.sub("HASH", shown), (page, command)
        checked += 1
    assert checked >= 2
