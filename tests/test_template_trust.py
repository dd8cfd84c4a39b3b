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


@pytest.mark.parametrize("body, message", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "took longer than 0.5 seconds to render"),
    ("{% for i in range(100000) %}{% for j in range(100000) if false %}{% endfor %}"
     "{% endfor %}", "took longer than 0.5 seconds"),
    ("{% for i in range(100000) if range(100000)|list|length < 0 %}{% endfor %}",
     "took longer than 0.5 seconds"),
    ("{% macro f(n) %}{% for i in range(2) %}{{ f(n) }}{% endfor %}{% endmacro %}{{ f(1) }}",
     "calls itself"),
    ("{{ 'a' * 4000000000 }}", "4,000,000,000 characters or items, over the limit"),
    ("{{ [1] * 4000000000 }}", "4,000,000,000 characters or items"),
    ("{{ ('a' * 9000000) + ('a' * 9000000) }}", "18,000,000 characters or items"),
    ("{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
     "{% endfor %}", "over the limit of 10,000,000"),
    ("{{ 'a'.center(4000000000) }}", "4,000,000,000 characters"),
    ("{{ 'ab'.replace('a', 'a' * 9000000).replace('a', 'a' * 9000000) }}", "over the limit"),
    ("{{ '%9999999999s' % 1 }}", "9,999,999,999 characters"),
    ("{{ 7 ** 100000000 }}", "a number too large"),
    ("{{ 'a'|center(4000000000) }}", "more memory than a report may take"),
    ("{{ '{:>9999999999}'.format(1) }}", "more memory than a report may take"),
    ("{% set x %}{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}{% endset %}",
     "this part of the report would be 100,000,000 characters long"),
    ("{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}",
     "the report would be over 50,000,000 characters long"),
])
def test_a_template_that_never_ends_or_grows_without_end_is_stopped_at_its_line(
        runner, project, monkeypatch, body, message):
    import resource

    from psa_report import render
    if "took longer" in message:  # the others must not depend on the machine's speed
        monkeypatch.setattr(render, "TIME_BUDGET", 0.5)
    limits = resource.getrlimit(resource.RLIMIT_AS)
    own_report_template(project, body)
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("templates/report.html:3: "), result.stderr
    assert message in result.stderr, result.stderr
    assert "internal error" not in result.stderr
    assert not (project / "out/progress-report.html").exists()
    assert resource.getrlimit(resource.RLIMIT_AS) == limits  # the cap is lifted again


def test_loops_keep_their_loop_variable_under_the_budget(runner, project):
    own_report_template(project, "{% for i in 'abc' %}{{ loop.index }}/{{ loop.length }}"
                                 "{% if loop.last %}!{% endif %}{% endfor %}"
                                 "{% for x in [[1], [2]] recursive %}<{{ loop(x) if x is "
                                 "iterable else x }}>{% endfor %}")
    result = run(runner, "build", "--format", "html", "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "1/32/33/3!<<1>><<2>>" in (project / "out/progress-report.html").read_text()


def test_a_template_that_is_a_pipe_is_refused_unopened(runner, project):
    """Templates are read through the one bounded reader: a FIFO would make an open()
    wait for ever; it is refused by what it is."""
    (project / "templates").mkdir()
    os.mkfifo(project / "templates" / "colophon.html")
    result = run(runner, "build", "--project", str(project), "--format", "html")
    assert result.exit_code == 1
    assert "templates/colophon.html" in result.stderr
    assert "named pipe (FIFO), not an ordinary file" in result.stderr
    assert "Traceback" not in result.output
