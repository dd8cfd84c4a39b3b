"""Templates cannot run code, reach outside the template folders, or crash the build."""

from __future__ import annotations

import os
import re

import pytest
from conftest import run

ATTACKS = [
    '{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}',
    '{{ cycler.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ joiner.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ namespace.__init__.__globals__.os.popen("touch MARKER").read() }}',
    '{{ self.__init__.__globals__.__builtins__.__import__("os").popen("touch MARKER") }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ plan.__class__.__init__.__globals__ }}',
    '{% set x = plan.paragraphs.append("injected") %}{{ x }}',
    '{{ plan.paragraphs.clear() }}',
]


def own_report_template(project, body: str) -> None:
    own = project / "templates"
    own.mkdir(exist_ok=True)
    (own / "report.html").write_text(f"<!DOCTYPE html>\n<title>t</title>\n{body}\n",
                                     encoding="utf-8")


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_template_cannot_run_code_or_change_values(runner, project, attack, monkeypatch):
    monkeypatch.chdir(project)
    own_report_template(project, attack)
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert not (project / "MARKER").exists()
    assert re.match(r"templates/report\.html:3: ", result.stderr), result.stderr
    assert "internal error" not in result.stderr
    assert not (project / "out/progress-report.html").exists()


@pytest.mark.parametrize("body, message", [
    ('{% include "../actions/report.yaml" %}', "refused: a template may only include"),
    ('{% include "/etc/passwd" %}', "refused: a template may only include"),
    ('{% include "secret.html" %}', "refused: it is a link to"),
    ("{{ 1/0 }}", "template error: ZeroDivisionError"),
    ('{% include "report.html" %}', "include each other"),
    ('{{ no_such_value }}', "'no_such_value' is undefined"),
])
def test_template_mistakes_are_messages_at_their_line(runner, project, tmp_path, body,
                                                      message):
    outside = tmp_path / "outside.html"
    outside.write_text("SECRET OUTSIDE THE PROJECT")
    own_report_template(project, body)
    os.symlink(outside, project / "templates/secret.html")
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("templates/")
    assert "SECRET" not in result.output


def test_a_template_that_is_not_utf8_is_named(runner, project):
    own = project / "templates"
    own.mkdir()
    (own / "colophon.html").write_bytes(b"<footer>caf\xe9</footer>\n")
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 1
    assert result.stderr.startswith("templates/colophon.html:1: is not UTF-8 text")


def test_a_link_inside_the_template_folders_is_followed(runner, project):
    own = project / "templates"
    own.mkdir()
    (own / "my-colophon.html").write_text("<footer>Our own colophon</footer>\n")
    os.symlink(own / "my-colophon.html", own / "colophon.html")
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "Our own colophon" in (project / "out/progress-report.html").read_text()


def test_text_that_looks_like_a_template_is_text(runner, project):
    own_report_template(project, "{{ plan.paragraphs[0] }}")
    (project / "actions/report.yaml").write_text(
        (project / "actions/report.yaml").read_text().replace(
            "paragraphs:\n", "paragraphs:\n  - \"{{ 7*7 }} <script>x</script>\"\n", 1))
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 0, result.output
    html = (project / "out/progress-report.html").read_text()
    assert "{{ 7*7 }} &lt;script&gt;x&lt;/script&gt;" in html and "49" not in html


@pytest.mark.parametrize("variant", ["debug", "pdf/z-9", "--output=x"])
def test_an_unknown_pdf_variant_is_a_usage_error(runner, project, variant):
    result = run(runner, "build", "--pdf-variant", variant, "--project", str(project))
    assert result.exit_code == 2
    assert "is not a PDF variant WeasyPrint knows: use one of pdf/a-1a" in result.stderr
    assert "debug," not in result.stderr
