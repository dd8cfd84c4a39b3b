"""`pip install .` (not editable) gives a working tool: the default templates travel in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_the_wheel_carries_the_templates_and_builds_a_report(tmp_path: Path, project: Path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("psa_report", "templates"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "--no-index", "-q", "-w", str(wheels),
                           str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wheel = next(wheels.glob("psa_report-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(p.name for p in (REPO / "templates").iterdir() if p.is_file())
    for name in templates:
        assert f"psa_report/templates/{name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    # the Welsh hyphenation patterns and their licence (printer.register_hyphenation)
    shipped = sorted(p.name for p in (REPO / "psa_report/hyphenation").iterdir())
    assert "hyph_cy.dic" in shipped and "LICENCE" in shipped
    for name in shipped:
        assert f"psa_report/hyphenation/{name}" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Run from the wheel's files alone, away from the repository's templates/.
    script = ("import sys, psa_report.render as r; print(r.PACKAGE_TEMPLATES);"
              "from psa_report.cli import main; main(sys.argv[1:])")
    done = subprocess.run(
        [sys.executable, "-c", script, "build", "--project", str(project), "--format", "html"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(site / "psa_report" / "templates")
    html = (project / "out" / "progress-report.html").read_text()
    assert "Members will recall" in html and "<style>" in html
    # pyphen finds Welsh in the wheel's own copy of the patterns
    script = ("import pyphen, psa_report.printer as p; p.register_hyphenation();"
              "print(pyphen.LANGUAGES['cy']); print(pyphen.Pyphen(lang='cy-GB', left=2, "
              "right=3).inserted('partneriaeth'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(site / "psa_report/hyphenation/hyph_cy.dic"),
                                   "part-ner-iaeth"]
