"""``psa-report serve``: the report from memory, rebuilt on save, reloaded by the page.

Each server runs as a real ``psa-report serve --port 0`` subprocess on 127.0.0.1
(it prints the URL it bound); every wait is bounded in time.
"""

from __future__ import annotations

import gc
import html
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pypdf
import pytest
from conftest import edit

from psa_report.commands.build import build
from psa_report.commands.serve import exposure_warning
from psa_report.problems import Invalid
from psa_report.project import KeptFiles
from psa_report.render import environment, template_dirs
from psa_report.report import html_builder
from psa_report.serve import (
    POLICY,
    SCRIPT_HASH,
    Preview,
    Watcher,
    exposed,
    inject,
    inject_bytes,
    watched_folders,
    widen_policy,
)
from psa_report.wording import words_in

BROWSER = Path(__file__).parent / "browser"
GAP = "actions/data-gaps/3.2.1.yaml"
UPDATE = "A major problem persists in that analysts cannot access"
T = TypeVar("T")


def wait_until(probe: Callable[[], T], timeout: float = 5.0, what: str = "") -> T:
    """Call ``probe`` until it returns something true, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class Served:
    """A ``psa-report serve`` subprocess and what it printed."""

    def __init__(self, project: Path, *args: str, env: dict[str, str] | None = None,
                 ignoring_sigint: bool = False):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "psa_report", "serve", "--project", str(project),
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})},
            # as a script's background job (`&`) starts it: SIGINT ignored
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if ignoring_sigint else None)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, lines), daemon=True).start()
        line = wait_until(lambda: next((line for line in self.out if "http://" in line), None),
                          30, "serve printed its URL")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        self.port = int(found.group(1))
        self.url = found.group(0)

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def get(self, path: str = "/", method: str = "GET",
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def page(self) -> str:
        status, _, body = self.get("/")
        assert status == 200
        return body.decode("utf-8")

    def page_with(self, text: str) -> str | None:
        page = self.page()
        return page if text in page else None

    def version(self) -> int:
        return int(self.get("/", "HEAD")[1]["X-Psa-Report-Version"])

    def stop(self, how: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(how)
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    yield server
    server.stop(signal.SIGKILL)


def without_script(page: str) -> str:
    return re.sub(r'<script data-version="[^"]*">\n.*?\n</script>\n', "", page, flags=re.S)


# ------------------------------------------------------------------ the page


def test_the_report_is_served_from_memory_with_only_the_reload_script_added(
        served, project, tmp_path):
    status, headers, body = served.get("/")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert served.get("/index.html")[2] == body
    # The build's own HTML, plus the one inline script and nothing else.
    built = build(project, "html", tmp_path / "built").outputs[0].read_text(encoding="utf-8")
    assert without_script(page) == built
    assert page.count("<script") == 1 and "src=" not in page.split("<script", 1)[1][:80]
    # The page's policy allows exactly that script (by its hash) and /events.
    assert headers["Content-Security-Policy"] == POLICY
    assert f"script-src '{SCRIPT_HASH}'" in POLICY and "connect-src 'self'" in POLICY
    assert 'http-equiv="Content-Security-Policy"' not in built  # no meta policy to widen
    assert not (project / "out").exists()  # nothing was written
    assert not any("Warning" in line for line in served.out)  # 127.0.0.1: no one else


@pytest.mark.parametrize("name, old, new", [
    (GAP, UPDATE, "Edited while serving: the templates now show ethnicity"),
    ("actions/report.yaml", "Some good progress has been made",
     "Edited while serving, some good progress has been made"),
])
def test_an_edit_shows_in_the_page_within_seconds(served, project, name, old, new):
    before = served.version()
    assert new not in served.page()
    started = time.monotonic()
    edit(project, name, old, new)
    wait_until(lambda: new in served.page(), 5, "the edit in the served page")
    assert time.monotonic() - started < 5
    assert served.version() > before


def test_a_broken_file_shows_its_problem_escaped_and_a_fix_recovers(served, project):
    edit(project, GAP, "status: off track", "status: <b>done</b>")
    problem = ("actions/data-gaps/3.2.1.yaml:19:9: status: '<b>done</b>' is not a status")
    page = wait_until(lambda: served.page_with("could not be built: 1 problem"), 5, "the problems page")
    assert html.escape(problem) in page
    assert "<b>done</b>" not in page  # the user's text is never markup
    assert "Data requirements" not in page and UPDATE not in page  # no stale report
    assert page.count("<script") == 1  # and it reloads by itself when fixed
    status, _, body = served.get("/report.pdf")
    assert status == 409 and html.escape(problem).encode() in body
    edit(project, GAP, "status: <b>done</b>", "status: off track")
    page = wait_until(lambda: served.page_with(UPDATE), 5,
                      "the report back once the file is fixed")
    assert "in the action plan</h1>" not in page


def test_a_template_folder_made_while_serving_is_watched(served, project):
    own = project / "templates"
    own.mkdir()
    (own / "colophon.html").write_text("<footer>First colophon</footer>\n")
    wait_until(lambda: "First colophon" in served.page(), 5, "the project's template used")
    (own / "colophon.html").write_text("<footer>Second colophon, longer</footer>\n")
    wait_until(lambda: "Second colophon" in served.page(), 5, "the edited template used")


# ------------------------------------------------------------------ the PDF


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_report_pdf_is_the_pdf_of_the_files_now_and_cached_until_a_change(served, project):
    status, headers, first = served.get("/report.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert first.startswith(b"%PDF-")
    assert "A major problem persists" in pdf_text(first)
    started = time.monotonic()
    again = served.get("/report.pdf")[2]
    assert again == first and time.monotonic() - started < 1  # cached, not printed again
    edit(project, GAP, UPDATE, "Printed again after an edit; analysts cannot access")
    wait_until(lambda: "Printed again" in served.page(), 5, "the edit served")
    changed = served.get("/report.pdf")[2]
    assert changed != first and "Printed again after an edit" in pdf_text(changed)


def test_preview_without_a_server(project):
    gc.unfreeze()
    preview = Preview(project, html_builder(project))
    assert preview.version == 0
    preview.rebuild()
    assert preview.version == 1 and UPDATE in preview.html and preview.problems == []
    # Every rebuild uses the process's one Jinja environment and its compiled templates.
    env = environment(template_dirs(project))
    compiled = env.get_template("report.html")
    edit(project, GAP, UPDATE, "Rebuilt in the same process")
    preview.rebuild()
    assert preview.version == 2 and "Rebuilt in the same process" in preview.html
    assert environment(template_dirs(project)) is env
    assert env.get_template("report.html") is compiled
    edit(project, GAP, "# Status off track", "# A comment, which the report does not show;")
    preview.rebuild()
    assert preview.version == 2  # the page is the same: no reload for nothing
    pdf = preview.pdf()
    assert pdf.startswith(b"%PDF-") and preview.pdf() is pdf  # printed once per version
    edit(project, GAP, "status: off track", "status: nonsense")
    preview.rebuild()
    assert preview.version == 3 and "3.2.1.yaml:19:9: status: &#x27;nonsense&#x27;" \
        in preview.html
    with pytest.raises(Invalid):
        preview.pdf()
    assert gc.get_freeze_count() == 0  # only the console entry point freezes


def test_after_each_save_the_preview_is_a_fresh_builds_page(meetings, tmp_path, monkeypatch):
    """What the preview keeps between saves (each file as read and checked, each item's
    planned row) gives the very page a fresh build of the same files gives, and only
    the rows of the files saved are planned again. The plan has meetings, so its rows
    carry the changes and the direction of travel the report sets on them."""
    from psa_report import plan

    planned: list[str] = []
    real_row = plan._row

    def counted(item, *args, **kwargs):
        planned.append(item.ref)
        return real_row(item, *args, **kwargs)

    monkeypatch.setattr(plan, "_row", counted)
    project, builds = meetings, iter(range(100))

    def same_as_a_fresh_build(*saved: str) -> list[str]:
        """The rows planned again for the page, after ``saved`` were written."""
        if saved:  # kept from one build to the next
            _saved_long_ago(project, *saved)
        planned.clear()
        page = preview_build()[0]
        again = list(planned)
        fresh = build(project, "html", tmp_path / f"built-{next(builds)}")
        assert page == fresh.outputs[0].read_text(encoding="utf-8")
        return again

    preview_build = html_builder(project)
    first = same_as_a_fresh_build(*(project / "actions").rglob("*.yaml"))
    assert len(first) == len(set(first)) > 10  # every row, once
    assert same_as_a_fresh_build() == []  # nothing saved: no row planned again
    edit(project, "actions/data-gaps/3.2.2.yaml", "No source of BME populations",
         "Saved while previewing: no source of BME populations")
    assert same_as_a_fresh_build("actions/data-gaps/3.2.2.yaml") == ["3.2.2"]
    edit(project, "actions/data-gaps/3.2.4.yaml", "status: off track", "status: on track")
    assert same_as_a_fresh_build("actions/data-gaps/3.2.4.yaml") == ["3.2.4"]
    (project / "actions/data-gaps/3.2.6.yaml").write_text(
        "ref: 3.2.6\ngap: Added while previewing.\nlead: SBC\naction: Source it.\n"
        "update: Not yet begun.\nstatus: not started\n", encoding="utf-8")
    assert "3.2.6" in same_as_a_fresh_build("actions/data-gaps/3.2.6.yaml")
    (project / "actions/data-gaps/3.2.3.yaml").unlink()
    # the files after it have moved up a place among the data gaps: checked again
    assert {"3.2.1", "3.2.2", "3.2.3"}.isdisjoint(same_as_a_fresh_build())
    edit(project, "actions/report.yaml", "Some good progress has been made",
         "Saved while previewing, some good progress has been made")
    again = same_as_a_fresh_build("actions/report.yaml")  # every item is checked again
    assert sorted(again) == sorted(set(first) - {"3.2.3"} | {"3.2.6"})


def _saved_long_ago(root: Path, *paths: str | Path) -> None:
    """Files as saved long before the build (every file of actions/ with no paths), so
    the preview keeps them (a file saved within KeptFiles.RECENT is read again)."""
    old = time.time_ns() - 10 * KeptFiles.RECENT
    for path in paths or list((root / "actions").rglob("*.yaml")):
        os.utime(root / path, ns=(old, old))


def _rows_rendered(monkeypatch) -> list[str]:
    """The refs of the rows the renderer lays out (not taken from render.Fragments)."""
    from psa_report import render

    rendered: list[str] = []
    real = render.Fragments._piece

    def counted(self, where, values, caller):
        def body():
            if not isinstance(values[0], list):  # a row (a list of rows: its section)
                rendered.append(values[0].ref)
            return caller()
        return real(self, where, values, body)

    monkeypatch.setattr(render.Fragments, "_piece", counted)
    return rendered


def test_a_save_renders_again_only_the_rows_that_changed(meetings, monkeypatch):
    """The preview keeps each kept row's markup (render.Fragments): a save renders again
    the saved item's row (in its table and in the exceptions) and nothing else, and the
    page is still the one the rows make."""
    rendered = _rows_rendered(monkeypatch)

    def rebuilt(*saved: str) -> tuple[str, list[str]]:
        if saved:
            _saved_long_ago(meetings, *saved)
        rendered.clear()
        return preview_build()[0], sorted(set(rendered))

    _saved_long_ago(meetings)
    preview_build = html_builder(meetings)
    first, refs = rebuilt()
    assert len(refs) > 10  # every row, the first time
    assert rebuilt() == (first, [])  # nothing saved: no row rendered again
    edit(meetings, "actions/data-gaps/3.2.4.yaml", "status: off track", "status: on track")
    page, refs = rebuilt("actions/data-gaps/3.2.4.yaml")
    assert refs == ["3.2.4"] and page != first
    assert page.count('<span class="status status-on-track') == \
        first.count('<span class="status status-on-track') + 1


def test_a_plan_in_two_languages_keeps_each_editions_rows(meetings, monkeypatch):
    """Both languages' pages keep their rows' markup side by side: a second build renders
    no row again in either."""
    rendered = _rows_rendered(monkeypatch)
    edit(meetings, "actions/report.yaml", "partnership: Safer Stockton Partnership",
         "languages: [en, cy]\npartnership: Safer Stockton Partnership")
    _saved_long_ago(meetings)
    preview_build = html_builder(meetings)
    first = preview_build()
    assert len(rendered) > 20 and "cy" in first[3]
    rendered.clear()
    assert preview_build()[::3] == first[::3] and rendered == []


def test_the_public_editions_preview_keeps_rows_and_leaves_exempt_text_out(project, tmp_path):
    """The preview of the public edition (its own copy of the plan, with what is exempt
    left out) gives the fresh public paper after every save, its kept rows too, and
    never shows exempt text."""
    edit(project, "actions/data-gaps/3.2.2.yaml", "update: >-\n", "update: >-\n  KIWIMARROW\n")
    edit(project, "actions/data-gaps/3.2.2.yaml", "status: off track",
         "status: off track\nexempt: {update: 1}")
    _saved_long_ago(project)
    preview_build = html_builder(project)
    for number, (path, before, after) in enumerate([
            (None, None, None),
            ("actions/data-gaps/3.2.4.yaml", "status: on track", "status: at risk"),
            ("actions/data-gaps/3.2.2.yaml", "KIWIMARROW", "KIWIMARROW MANGOSTEEN")]):
        if path is not None:
            edit(project, path, before, after)
            _saved_long_ago(project, path)
        page = preview_build()[0]
        fresh = build(project, "html", tmp_path / f"public-{number}").outputs[0]
        assert page == fresh.read_text(encoding="utf-8")
        assert "KIWIMARROW" not in page and "MANGOSTEEN" not in page


def test_the_exempt_editions_preview_lays_out_again_only_the_saved_row(project, tmp_path,
                                                                      monkeypatch):
    """The exempt edition's own copy of the plan keeps the rows' origins too: after a
    save only that row is laid out again, and the page is the fresh exempt paper."""
    edit(project, "actions/data-gaps/3.2.2.yaml", "status: off track",
         "status: off track\nexempt: {update: 1}")
    _saved_long_ago(project)
    rendered = _rows_rendered(monkeypatch)
    preview_build = html_builder(project, edition="exempt")
    preview_build()
    edit(project, "actions/data-gaps/3.2.4.yaml", "status: on track", "status: at risk")
    _saved_long_ago(project, "actions/data-gaps/3.2.4.yaml")
    rendered.clear()
    page = preview_build()[0]
    assert sorted(set(rendered)) == ["3.2.4"]
    fresh = build(project, "html", tmp_path / "exempt", edition="exempt").outputs[0]
    assert page == fresh.read_text(encoding="utf-8")


# ------------------------------------------------------------------ a plan in two languages


def in_two_languages(project: Path) -> Path:
    """The project's plan in English and Welsh (its texts have no Welsh yet: they are
    printed in English in the Welsh edition, the tool's own words in Welsh)."""
    edit(project, "actions/report.yaml", "partnership: Safer Stockton Partnership",
         "languages: [en, cy]\npartnership: Safer Stockton Partnership")
    return project


def test_the_welsh_page_lists_the_problems_while_a_file_has_one_and_comes_back(project):
    """While a file has a mistake /report.cy.html is the problems page, with its reload
    script, as / is (it was a plain-text 404 naming the very address it was on, which
    never reloaded); once the file is fixed it is the Welsh report again."""
    server = Served(in_two_languages(project))
    try:
        assert f"{server.url}report.cy.html" in "\n".join(server.out)  # named on starting
        status, _, body = server.get("/report.cy.html")
        assert status == 200 and '<html lang="cy">' in body.decode("utf-8")
        edit(project, GAP, "status: off track", "status: <b>done</b>")
        problem = html.escape("actions/data-gaps/3.2.1.yaml:19:9: status: '<b>done</b>' "
                              "is not a status")
        page = wait_until(lambda: server.page_with("could not be built: 1 problem"), 5,
                          "the problems page at /")
        status, headers, body = server.get("/report.cy.html")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert body.decode("utf-8") == page and problem in page  # the same page as /
        broken = headers["X-Psa-Report-Version"]
        assert page.count("<script") == 1 and f'-{broken}">' in page  # it reloads
        status, _, body = server.get("/report.cy.pdf")
        assert status == 409 and problem.encode() in body
        edit(project, GAP, "status: <b>done</b>", "status: off track")
        status, headers, body = wait_until(
            lambda: (lambda got: got if b'<html lang="cy">' in got[2] else None)(
                server.get("/report.cy.html")), 5, "the Welsh report back once fixed")
        assert status == 200 and int(headers["X-Psa-Report-Version"]) > int(broken)
        assert b"could not be built" not in body
    finally:
        server.stop(signal.SIGKILL)


def test_the_welsh_pdf_is_printed_on_request_at_report_cy_pdf(project):
    server = Served(in_two_languages(project))
    try:
        status, headers, welsh = server.get("/report.cy.pdf")
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"] == 'inline; filename="progress-report.cy.pdf"'
        assert pypdf.PdfReader(io.BytesIO(welsh)).trailer["/Root"]["/Lang"] == "cy"
        in_welsh = words_in("cy").summary  # "Status summary" in Welsh
        assert in_welsh in pdf_text(welsh) and "A major problem persists" in pdf_text(welsh)
        english = server.get("/report.pdf")[2]
        assert in_welsh not in pdf_text(english) and words_in().summary in pdf_text(english)
        edit(project, GAP, UPDATE, "Printed again after an edit; analysts cannot access")
        wait_until(lambda: "Printed again" in server.page(), 5, "the edit served")
        assert "Printed again after an edit" in pdf_text(server.get("/report.cy.pdf")[2])
        status, _, body = server.get("/report.fr.pdf")  # not one of the plan's languages
        assert status == 404 and b"the Welsh edition at /report.cy.html and its PDF at " \
            b"/report.cy.pdf" in body
    finally:
        server.stop(signal.SIGKILL)


def test_a_slow_rebuild_shows_its_banner_on_the_welsh_page_too(project):
    """The Welsh page carries the rebuilding banner and version as / does: without them
    its script, told on /events of a version its page did not carry, reloaded the page
    again and again until the rebuild was done. Its PDF is printed once per version."""
    from psa_report.serve import NoEdition, make_server

    build_now, gate = html_builder(in_two_languages(project)), threading.Event()
    gate.set()
    preview = Preview(project, lambda: (gate.wait(10), build_now())[1])
    preview.SLOW = 0.2
    preview.rebuild()
    server = make_server(preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()

    def get(path: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", path)
        return connection.getresponse().read().decode("utf-8")

    try:
        gate.clear()
        rebuilding = threading.Thread(target=preview.rebuild)
        rebuilding.start()
        wait_until(lambda: preview.state[1], 2, "the rebuild taking long")
        page = get("/report.cy.html")
        assert '<html lang="cy">' in page and "being rebuilt" in page
        assert f'data-version="{server.boot}-1-rebuilding"' in page
        gate.set()
        rebuilding.join(10)
        page = get("/report.cy.html")
        assert "being rebuilt" not in page and f'data-version="{server.boot}-1"' in page
    finally:
        server.shutdown()
        server.stop()
    welsh = preview.pdf("cy")
    assert preview.pdf("cy") is welsh and preview.pdf() is not welsh
    assert preview.pdf("cy") is welsh  # printing the other edition keeps this one's
    with pytest.raises(NoEdition):
        preview.pdf("fr")


# ------------------------------------------------------------------ nothing else


@pytest.mark.parametrize("path", [
    "/actions/report.yaml", "/report.yaml", "/actions/", "/out/progress-report.html",
    "/index.htm", "/favicon.ico", "/report.pdf/", "/events/", "//etc/passwd",
    "/%2e%2e/actions/report.yaml", "/..%2factions%2freport.yaml", "/templates/report.css",
])
def test_any_other_path_is_404(served, path):
    status, _, body = served.get(path)
    assert status == 404 and b"partnership" not in body


@pytest.mark.parametrize("target", ["/../actions/report.yaml", "../actions/report.yaml",
                                    "/./index.html", "/%2E%2E/%2E%2E/etc/passwd"])
def test_dot_dot_sent_raw_is_404(served, target):
    # http.client and browsers normalise "/../"; a raw socket sends it as it is.
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n"
                     .encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 404 "), answer[:100]
    assert b"Safer Stockton" not in answer and b"partnership:" not in answer


def test_other_methods_and_foreign_host_names_are_refused(served):
    assert served.get("/", "POST")[0] == 501
    assert served.get("/", "PUT")[0] == 501
    # A web page that rebinds its own name to 127.0.0.1 cannot read the plan.
    status, _, body = served.get("/", headers={"Host": f"attacker.example:{served.port}"})
    assert status == 403 and b"Safer Stockton" not in body
    assert served.get("/", headers={"Host": f"localhost:{served.port}"})[0] == 200


# ------------------------------------------------------------------ events and stopping


def read_event(stream) -> str:
    """The data of the next server-sent event (comments and retry skipped)."""
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the event stream ended")
        if line.startswith(b"data: "):
            return line[6:].strip().decode()


def test_events_announce_each_new_version(served, project):
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(f"GET /events HTTP/1.0\r\nHost: 127.0.0.1:{served.port}\r\n\r\n"
                     .encode())
        stream = sock.makefile("rb")
        assert stream.readline().startswith(b"HTTP/1.0 200")
        first = read_event(stream)
        assert first.endswith(f"-{served.version()}")
        edit(project, GAP, UPDATE, "Announced: analysts cannot access")
        second = read_event(stream)  # within the socket's 10 s timeout
        assert second != first and second.endswith(f"-{served.version()}")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_the_server_stops_cleanly_with_exit_0(project, how):
    server = Served(project)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /events HTTP/1.0\r\n\r\n")  # an open stream does not hold it
        assert sock.recv(100).startswith(b"HTTP/1.0 200")
        assert server.stop(how) == 0
    wait_until(lambda: any("Stopped serving" in line for line in server.out), 5,
               "the goodbye message")
    assert not any("Traceback" in line for line in server.err), server.err
    assert not (project / "out").exists()


def test_open_asks_the_browser_for_the_page(project, tmp_path):
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with the URL in place of %s
    browser = f'{sys.executable} -c "import sys; open(sys.argv[1], \'w\').write(sys.argv[2])" ' \
              f"{opened} %s"
    server = Served(project, "--open", env={"BROWSER": browser})
    try:
        wait_until(opened.exists, 10, "the browser command run")
        assert wait_until(opened.read_text, 5, "the URL written") == server.url
    finally:
        server.stop(signal.SIGKILL)


def test_a_port_in_use_is_a_usage_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "psa_report", "serve", "--project",
                               str(project), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"port {port} is already in use" in done.stderr


# ------------------------------------------------------------------ the parts


def test_only_loopback_addresses_are_private_and_others_are_warned_of():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert not exposed(host), host
        assert exposure_warning(host, 8000) is None
    for host in ("0.0.0.0", "::", "", "192.168.1.20", "10.0.0.1"):
        assert exposed(host), host
        assert "anyone on the network who can reach this computer at port 8000 can read " \
               "the action plan" in exposure_warning(host, 8000)


def test_a_meta_policy_is_widened_for_the_script_only():
    page = ('<html><head><meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\"></head>"
            "<body><p>x</p></body></html>")
    served = inject(page, "abc-3")
    assert f"script-src &#x27;{SCRIPT_HASH}&#x27;; connect-src &#x27;self&#x27;" in served
    assert served.index('<script data-version="abc-3">') < served.index("</body>")
    assert widen_policy("script-src 'none'; img-src data:") == \
        f"script-src '{SCRIPT_HASH}'; img-src data:"
    assert widen_policy("img-src data:") == "img-src data:"  # scripts were not limited
    assert inject("<p>no body end", "v-1").endswith("</script>\n")


@pytest.mark.parametrize("page", [
    "<html><head><meta http-equiv='content-security-policy' content=\"default-src 'none'\">"
    "</head><body><p>Cydweithio – é</p></body></html>",
    "<html><head></head><body><p>" + "Ymddygiad – " * 20_000 + "</p></body>\n</html>",
    "<html><head></head><body><p>x</p></body><p>" + "é" * 100_000 + "</p></BODY >",
    "<html><head></head><body><p>" + "ŵ" * 100_000 + "</p></body>" + "ŷ" * 70_000,
    "<p>no body end, ŵ",
])
def test_the_served_bytes_are_the_page_with_its_script(page):
    """The preview serves inject_bytes (encoded once, the script put in its bytes): the
    page inject() makes, byte for byte, the script before the last </body> however far
    from the end it is."""
    assert inject_bytes(page, "v-2") == inject(page, "v-2").encode("utf-8")
    served = inject(page, "v-2")
    assert served.count('<script data-version="v-2">') == 1
    if "</body" in page.lower():
        last = max(served.lower().rfind("</body>"), served.lower().rfind("</body >"))
        assert served.index('<script data-version="v-2">') < last
        assert "</body" not in served[last + 1:].lower()


def test_the_watcher_sees_a_save_at_once_and_ignores_hidden_files(project):
    seen: list[float] = []
    watcher = Watcher(lambda: watched_folders(project), lambda: seen.append(time.monotonic()))
    watcher.start()
    try:
        wait_until(lambda: seen, 3, "the first look after the watch is set up")
        seen.clear()
        (project / "actions/data-gaps/.3.2.1.yaml.swp").write_bytes(b"vim")
        time.sleep(0.3)
        assert seen == []
        started = time.monotonic()
        edit(project, GAP, UPDATE, "Watched")
        wait_until(lambda: seen, 1, "the save seen")
        assert seen[0] - started < 0.5
    finally:
        watcher.stop()
    assert not watcher.thread.is_alive()


# ------------------------------------------------------------------ in a browser


def test_the_open_page_reloads_itself_after_a_save(served, project):
    if not (BROWSER / "node_modules" / "playwright-core").is_dir():
        pytest.fail("the browser test packages are missing: run `make test` (it runs "
                    "npm ci in tests/browser)")
    if shutil.which("node") is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("Node.js and Debian's chromium are needed: run `make test`")
    new = "Reloaded by itself: the page saw this edit"
    node = subprocess.Popen(["node", str(BROWSER / "serve-reload.mjs"), served.url, new,
                             "15000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines: list[str] = []
        reader = threading.Thread(target=Served._read, args=(node.stdout, lines),
                                  daemon=True)
        reader.start()
        wait_until(lambda: "ready" in lines or node.poll() is not None, 60,
                   "Chromium loaded the page")
        assert "ready" in lines, node.stderr.read() if node.stderr else ""
        edit(project, GAP, UPDATE, new)
        node.wait(timeout=60)
        reader.join(timeout=5)
        assert node.returncode == 0, node.stderr.read() if node.stderr else ""
    finally:
        if node.poll() is None:
            node.kill()
            node.wait(timeout=10)
    result = json.loads(lines[-1])
    assert result["textBefore"] is False
    assert result["found"] is True  # the new text appeared ...
    assert result["markerAfter"] is None  # ... in a new load of the page ...
    assert result["loads"] >= 2  # ... that the page made itself (the script navigates once)
    assert result["errors"] == []  # no CSP violation, no script error
    assert set(result["requests"]) <= {"/", "/events"}


def test_a_passing_broken_state_does_not_flash_the_problems_page(project, monkeypatch):
    # An editor saving in steps: the first look finds a broken file, which is whole
    # again by the second look a moment later.
    preview = Preview(project, html_builder(project))
    preview.rebuild()
    edit(project, GAP, "status: off track", "status: half-writ")
    looks: list[int] = []
    build_once = Preview._build

    def look(self):
        found = build_once(self)
        looks.append(len(found[1]))
        if len(looks) == 1:
            edit(project, GAP, "status: half-writ", "status: off track")
        return found

    monkeypatch.setattr(Preview, "_build", look)
    preview.rebuild()
    assert looks == [1, 0]  # a problem at the first look, none at the second
    assert preview.version == 1 and preview.problems == []


def test_the_bench_times_serve(tmp_path):
    """bench/run.py's serve row still runs: the smallest size, one round."""
    out = tmp_path / "latest.json"
    subprocess.run([sys.executable, str(Path(__file__).parent.parent / "bench" / "run.py"),
                    "--sizes", "15", "--runs", "1", "--commands", "serve", "--json",
                    str(out)], capture_output=True, text=True, timeout=120, check=True)
    serve = json.loads(out.read_text(encoding="utf-8"))["sizes"]["15"]["results"]["serve"]
    assert serve["samples"] == 10 and 0 < serve["min_s"] <= serve["median_s"] < 5


# ------------------------------------------------------------------ never silently stale


def test_a_slow_rebuild_is_announced_and_a_failed_one_replaces_the_old_report(
        project, monkeypatch):
    """While a rebuild runs long the page says so above the last report (and its event
    stream tells an open page to reload); when it fails, the page lists the problem
    rather than keeping the old report."""
    from psa_report import render
    from psa_report.serve import make_server

    monkeypatch.setattr(render, "TIME_BUDGET", 3.0)
    preview = Preview(project, html_builder(project))
    preview.SLOW = 0.2
    preview.rebuild()
    server = make_server(preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()

    def get(path: str = "/") -> str:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", path)
        return connection.getresponse().read().decode("utf-8")

    try:
        assert UPDATE in get() and "being rebuilt" not in get()
        (project / "templates").mkdir()
        (project / "templates/report.html").write_text(
            "<!DOCTYPE html>\n<body>\n{% for i in range(100000) %}{% for j in range(100000) %}"
            "{% endfor %}{% endfor %}\n</body>\n")
        rebuilding = threading.Thread(target=preview.rebuild)
        rebuilding.start()
        page = wait_until(lambda: (lambda p: p if "being rebuilt" in p else None)(get()),
                          2, "the rebuilding banner")
        assert UPDATE in page  # the last report, under the banner
        assert f'data-version="{server.boot}-1-rebuilding"' in page
        rebuilding.join(10)
        assert not rebuilding.is_alive()
        page = get()
        assert "being rebuilt" not in page and UPDATE not in page
        assert "The report could not be built: 1 problem" in page
        assert "templates/report.html:3: refused: the report took longer than 3 seconds" \
            in html.unescape(page)
    finally:
        server.shutdown()
        server.stop()


def test_a_stop_between_an_event_streams_look_and_its_wait_is_not_missed(project):
    """The /events loop looks at `stopping`, then waits for a change: a stop (and its
    wake) in between used to be missed, the stream held for its 15 s keep-alive, and the
    server's stop outlived a SIGTERM's grace (a flaky test under load). The wait now
    looks at the stop under the same lock as the wake."""
    import threading

    preview = Preview(project, html_builder(project))
    preview.rebuild()
    stop = threading.Event()
    stop.set()  # set, and woken, before the wait began
    preview.wake()
    waited = threading.Event()

    def wait() -> None:
        preview.wait_state(preview.state, 600, stop)
        waited.set()

    threading.Thread(target=wait, daemon=True).start()
    assert waited.wait(5), "the wait missed a stop made before it began"


def test_the_server_stops_on_sigint_when_started_with_it_ignored(project):
    """A script's background job (and a pytest-xdist worker) starts programs with SIGINT
    ignored, and Python leaves it so: the server sets its own handler, and stops."""
    server = Served(project, ignoring_sigint=True)
    assert server.stop(signal.SIGINT) == 0
    wait_until(lambda: any("Stopped serving" in line for line in server.out), 5,
               "the goodbye message")
