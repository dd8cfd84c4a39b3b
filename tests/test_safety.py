"""Text is text, nothing is fetched from outside, and a failed build loses nothing."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import run
from pypdf import PdfReader

HOSTILE = {
    "gap": "<script>alert('gap')</script> and <img src=x onerror=alert(1)>",
    "action": "{{ 7*7 }} then {% include 'report.css' %} and {# hidden #}",
    "update": "background: url(http://example.invalid/track.png); <b>bold?</b> &amp; done",
}


def hostile_project(project: Path) -> Path:
    gap = project / "actions/data-gaps/3.2.3.yaml"
    lines = ["ref: 3.2.3\nlead: Police\nstatus: on track\n"]
    for field, text in HOSTILE.items():
        lines.append(f"{field}: \"{text}\"\n")
    gap.write_text("".join(lines), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    import shutil

    from click.testing import CliRunner
    from conftest import REPO

    project = tmp_path_factory.mktemp("hostile") / "plan"
    shutil.copytree(REPO / "actions", project / "actions")
    hostile_project(project)
    result = CliRunner().invoke(__import__("psa_report.cli").cli.main,
                                ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    return project / "out"


def test_html_and_jinja_in_data_print_literally_in_the_html(hostile_build):
    html = (hostile_build / "progress-report.html").read_text(encoding="utf-8")
    row = re.search(r'<tr id="data-gap-3-2-3">(.*?)</tr>', html, re.S)[1]
    assert "&lt;script&gt;alert(&#39;gap&#39;)&lt;/script&gt;" in row
    assert "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "{{ 7*7 }} then {% include &#39;report.css&#39; %} and {# hidden #}" in row
    assert "url(http://example.invalid/track.png); &lt;b&gt;bold?&lt;/b&gt; &amp;amp; done" in row
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert ">49" not in html


def test_html_and_jinja_in_data_print_literally_in_the_pdf(hostile_build):
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(hostile_build / "progress-report.pdf").pages).split())
    for fragment in ("<script>alert('gap')</script>", "<img src=x onerror=alert(1)>",
                     "{{ 7*7 }} then {% include 'report.css' %}", "{# hidden #}",
                     "url(http://example.invalid/track.png);", "<b>bold?</b> &amp; done"):
        # a line may break inside a long fragment (after the / of the address): compared
        # without the spaces the lines were joined with
        assert "".join(fragment.split()) in "".join(text.split()), fragment


# ---------------------------------------------------------------- no reach outside

def override(project: Path, css: str) -> None:
    templates = project / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "extra.css").write_text(css)
    (templates / "colophon.html").write_text(
        '<footer class="colophon"><p>ours</p><style>{% include "extra.css" %}</style>'
        '</footer>\n')


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/logo.png", "https://example.invalid/x.css",
                                 "file:///etc/passwd", "../../outside.png",
                                 "ftp://example.invalid/x.png"])
def test_a_template_cannot_reach_outside_its_folders(runner, project, url):
    (project / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    override(project, f'.colophon {{ background: url("{url}"); }}')
    result = run(runner, "build", "--project", str(project), "--format", "pdf")
    assert result.exit_code == 1
    assert "which psa-report will not load: only files inside the templates folders" in \
        result.stderr
    assert not (project / "out/progress-report.pdf").exists()


def test_data_cannot_make_the_report_fetch_anything(runner, project):
    # Inline text is escaped, so it never becomes a URL to fetch in the first place.
    hostile_project(project)
    result = run(runner, "build", "--project", str(project), "--format", "pdf")
    assert result.exit_code == 0


def test_files_inside_the_templates_folder_are_used(runner, project):
    (project / "templates").mkdir()
    png = Path(__file__).parent / "data" / "pixel.png"
    (project / "templates" / "pixel.png").write_bytes(png.read_bytes())
    override(project, '.colophon { background: url("pixel.png"); }')
    result = run(runner, "build", "--project", str(project), "--format", "pdf")
    assert result.exit_code == 0, result.output


def test_a_missing_file_inside_templates_is_named(runner, project):
    override(project, '.colophon { background: url("logo.png"); }')
    result = run(runner, "build", "--project", str(project), "--format", "pdf")
    assert result.exit_code == 1
    assert "logo.png" in result.stderr and "could not be found" in result.stderr


# ---------------------------------------------------------------- nothing lost on output

@pytest.fixture
def previous(runner, project) -> dict[str, bytes]:
    result = run(runner, "build", "--project", str(project))
    assert result.exit_code == 0
    return {p.name: p.read_bytes() for p in (project / "out").iterdir()}


def unchanged(project: Path, previous: dict[str, bytes]) -> bool:
    now = {p.name: p.read_bytes() for p in (project / "out").iterdir()}
    return now == previous  # same files, same bytes, no temporary files left


def test_invalid_data_leaves_the_last_report(runner, project, previous):
    (project / "actions/data-gaps/3.2.1.yaml").write_text("ref: 3.2.1\nstatus: [\n")
    assert run(runner, "build", "--project", str(project)).exit_code == 1
    assert unchanged(project, previous)


def test_a_template_error_leaves_the_last_report(runner, project, previous):
    (project / "templates").mkdir()
    (project / "templates/summary.html").write_text("{{ plan.no_such_thing }}\n")
    result = run(runner, "build", "--project", str(project))
    assert result.exit_code == 1
    assert "template error" in result.stderr
    assert unchanged(project, previous)


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError("disk on fire")])
def test_a_failure_while_printing_leaves_the_last_pair(runner, project, previous,
                                                       monkeypatch, failure):
    from psa_report import printer

    def half_written(html, target, dirs, **options):
        Path(target).write_bytes(b"%PDF-1.7 half")
        raise failure

    monkeypatch.setattr(printer, "write_pdf", half_written)
    monkeypatch.delenv("PSA_REPORT_DEBUG")  # this test is of the handler itself
    result = runner.invoke(__import__("psa_report.cli").cli.main,
                           ["build", "--project", str(project)])
    assert result.exit_code == (130 if failure is KeyboardInterrupt else 1)
    assert "Traceback" not in result.output
    expected = ("Interrupted: nothing was changed." if failure is KeyboardInterrupt
                else "internal error (RuntimeError: disk on fire)")
    assert expected in result.stderr
    # The HTML was rendered first, but nothing replaces the old pair until both are done.
    assert unchanged(project, previous)


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(runner, project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(runner, "build", "--project", str(project), "--format", "html",
                 "--out", str(blocker / "out"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{blocker / 'out'}: cannot write the report here")
    assert "choose another folder with --out" in result.stderr


def test_a_read_only_output_folder_is_a_clear_error(runner, project):
    out = project / "out"
    out.mkdir()
    # root writes through file modes, so as root the folder is made immutable instead
    # (chattr +i: not even root may add a file to it).
    root = os.geteuid() == 0
    if root:
        subprocess.run(["chattr", "+i", str(out)], check=True)
    else:
        out.chmod(0o500)
    try:
        result = run(runner, "build", "--project", str(project), "--format", "html")
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(out)], check=True)
        else:
            out.chmod(0o700)
    assert result.exit_code == 1
    assert ("cannot write the report here (Permission denied)" in result.stderr
            or "cannot write the report here (Operation not permitted)" in result.stderr)


# ---------------------------------------------------------------- exit codes

@pytest.mark.parametrize("command", ["check", "build", "overdue"])
def test_exit_codes(runner, project, command):
    fmt = ["--format", "html"] if command == "build" else []
    assert run(runner, command, "--project", str(project), *fmt).exit_code == 0
    assert run(runner, command, "--project", str(project), "--no-such-option").exit_code == 2
    (project / "actions/data-gaps/3.2.1.yaml").write_text("ref: 3.2.1\n")
    assert run(runner, command, "--project", str(project), *fmt).exit_code == 1
