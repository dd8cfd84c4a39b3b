"""Live preview: the report rebuilt in memory on every save, served to a browser.

:class:`Preview` is the core and needs no server: it plans and renders the
report in this process (the Jinja environment of :mod:`psa_report.render` is
kept, so templates compile once and an edited one compiles again), keeps the
HTML (or, while the files have problems, a page listing them), counts versions
and prints the PDF on demand with WeasyPrint imported once, caching it until
the next change.

:class:`Watcher` is told of every save by ``watchfiles`` (inotify on Linux);
its docstring says why that and not a polling loop.

:func:`make_server` serves a Preview with the standard library's
``ThreadingHTTPServer``: ``/`` and ``/index.html`` (the report, with a small
inline script that reloads the page when the report changes), ``/report.pdf``,
for a plan in two languages the other edition's ``/report.cy.html`` and
``/report.cy.pdf``, and ``/events`` (server-sent events); every other path is 404.
Nothing is read from disk to answer a request, so no path can reach a file.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import ipaddress
import re
import secrets
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .bilingual import name_of
from .problems import BadOption, Invalid, Problem

#: The build function a Preview is handed (see :func:`psa_report.report.html_builder`):
#: called for each rebuild, it returns (HTML, warnings, template folders), and for a plan
#: in two languages the other editions' pages too ({"cy": HTML}), or raises Invalid /
#: BadOption. The server imports no operation: it is given what to run.
Builder = Callable[[], tuple]
#: The page, or the PDF, of the edition in another of the plan's languages:
#: /report.cy.html, /report.cy.pdf
OTHER_PAGE = re.compile(r"/report\.([a-z]{2})\.(html|pdf)")

# --- the preview ---------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """One rebuild's result, swapped in whole so a reader never sees half of two."""

    version: int
    html: str  # the report, or the problems page
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    dirs: tuple[Path, ...] = ()
    seconds: float = 0.0
    #: the editions in the plan's other languages, by code: {"cy": HTML}
    pages: tuple[tuple[str, str], ...] = ()

    def page(self, language: str | None = None) -> str | None:
        """The page of the edition in ``language`` (None: the main one), or None if the
        plan has no such edition.  While the files have problems every edition's page is
        the problems page: the plan's languages cannot be known then (the mistake may be
        in report.yaml), and an open page of any edition lists them and reloads."""
        if language is None or self.problems:
            return self.html
        return dict(self.pages).get(language)


class NoEdition(LookupError):
    """The plan has no edition in the language asked for (not one of report.yaml's
    ``languages``, or its main one)."""


class Preview:
    """The report of the files as they are now, rebuilt on demand, held in memory.

    ``version`` goes up by one each time :meth:`rebuild` changes what the page
    shows (an edit that leaves the report as it was, such as a YAML comment,
    does not count), so an open page reloads only when there is something new.
    """

    def __init__(self, root: Path, builder: Builder, *, pdf_variant: str | None = None,
                 after_warm_up: Callable[[], None] | None = None):
        """``after_warm_up`` is called after the first rebuild and after the first
        print, when what stays for good (the modules) is loaded: the console
        entry point freezes the garbage collector's view there (as before a build's
        print), so its full passes no longer scan all of it on every rebuild and
        print.  Library callers leave it out."""
        self.root = Path(root)
        self.builder = builder  # builds the page anew, as mkdocs' LiveReloadServer(builder=)
        self.pdf_variant = pdf_variant
        self.after_warm_up = after_warm_up
        self._snapshot = Snapshot(0, problems_page([]))
        self._lock = threading.Lock()  # one rebuild at a time
        self._pdf_lock = threading.Lock()  # one print at a time
        #: each edition's PDF (None: the main one's) as (version, PDF), this version's only
        self._pdfs: dict[str | None, tuple[int, bytes]] = {}
        self._printed = False
        self._changed = threading.Condition()
        self._slow = False  # a rebuild has run for over SLOW seconds and is not done

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def version(self) -> int:
        return self._snapshot.version

    @property
    def html(self) -> str:
        """The report's HTML, or a page listing the problems while there are some."""
        return self._snapshot.html

    @property
    def problems(self) -> list[Problem]:
        return list(self._snapshot.problems)

    @property
    def warnings(self) -> list[Problem]:
        return list(self._snapshot.warnings)

    #: seconds to look again before the page changes from the report to problems
    SETTLE = 0.15
    #: seconds a rebuild may take before the page says the report is being rebuilt
    SLOW = 1.0

    @property
    def state(self) -> tuple[int, bool]:
        """(version, whether a rebuild has been running for over :attr:`SLOW` seconds)."""
        return self._snapshot.version, self._slow

    def _mark_slow(self) -> None:
        with self._changed:
            self._slow = True
            self._changed.notify_all()

    def rebuild(self) -> None:
        """Plan and render the files as they are now; never raises for bad files.

        A report that builds is shown at once.  Problems where the page showed
        the report are looked at again after :attr:`SETTLE` seconds, and shown
        only if they are still there: an editor that saves in steps (vim renames
        the file to ``3.2.1.yaml~``, then writes it anew) passes through states
        that are not worth a flash of the problems page.
        """
        with self._lock:
            start = time.perf_counter()
            old = self._snapshot
            timer = threading.Timer(self.SLOW, self._mark_slow)
            timer.daemon = True
            timer.start()
            try:
                html, problems, warnings, dirs, pages = self._build()
                if problems and not old.problems and old.version:
                    time.sleep(self.SETTLE)
                    html, problems, warnings, dirs, pages = self._build()
                version = old.version + (html != old.html or pages != old.pages
                                         or old.version == 0)
                self._snapshot = Snapshot(version, html, tuple(problems), tuple(warnings),
                                          tuple(dirs), time.perf_counter() - start, pages)
            finally:
                timer.cancel()
                with self._changed:
                    was_slow, self._slow = self._slow, False
        if version != old.version or was_slow:
            with self._changed:
                self._changed.notify_all()
        if old.version == 0 and self.after_warm_up is not None:
            self.after_warm_up()

    def _build(self) -> tuple[str, list[Problem], list[Problem], list[Path],
                              tuple[tuple[str, str], ...]]:
        """(page, problems, warnings, template folders, the other languages' pages) of
        the files as they are now."""
        problems: list[Problem] = []
        try:
            html, warnings, dirs, *others = self.builder()
            pages = tuple(sorted(others[0].items())) if others else ()
            return html, [], warnings, dirs, pages
        except Invalid as invalid:
            problems = invalid.problems
        except BadOption as error:
            problems = [Problem(str(self.root), None, None, str(error))]
        except Exception as error:  # a fault of ours: show it, keep serving
            traceback.print_exc(file=sys.stderr)
            problems = [Problem("psa-report", None, None,
                                f"internal error ({type(error).__name__}: {error}). "
                                "This is a fault in psa-report, not in your files: "
                                "please report it.")]
        return problems_page(problems), problems, [], [], ()

    def wait(self, version: int, timeout: float) -> int:
        """Block until the version is no longer ``version`` (or ``timeout`` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.version != version, timeout)
        return self._snapshot.version

    def wait_state(self, state: tuple[int, bool], timeout: float,
                   stop: threading.Event | None = None) -> tuple[int, bool]:
        """Block until :attr:`state` is no longer ``state``, ``stop`` is set (looked at
        under the same lock :meth:`wake` takes, so a stop between a caller's own look and
        this wait is never missed), or ``timeout`` seconds have passed."""
        with self._changed:
            self._changed.wait_for(lambda: self.state != state
                                   or (stop is not None and stop.is_set()), timeout)
        return self.state

    def wake(self) -> None:
        """Wake every :meth:`wait` (when the server stops)."""
        with self._changed:
            self._changed.notify_all()

    def pdf(self, language: str | None = None) -> bytes:
        """The PDF of the current report, or of its edition in ``language`` (one of the
        plan's other languages), printed on request once per version.

        Raises :class:`Invalid` while the files have problems (or if the print
        itself finds one, such as a missing font file), :class:`NoEdition` if the plan
        has no edition in ``language``.
        """
        snapshot = self._snapshot
        if snapshot.problems:
            raise Invalid(list(snapshot.problems))
        html = snapshot.page(language)
        if html is None:
            raise NoEdition(language)
        with self._pdf_lock:
            kept = self._pdfs.get(language)
            if kept is not None and kept[0] == snapshot.version:
                return kept[1]
            first, self._printed = not self._printed, True
            data = print_pdf(html, list(snapshot.dirs), self.pdf_variant)
            self._pdfs = {code: found for code, found in self._pdfs.items()
                          if found[0] == snapshot.version}
            self._pdfs[language] = (snapshot.version, data)
        if first and self.after_warm_up is not None:
            self.after_warm_up()  # WeasyPrint is loaded now
        return data


def print_pdf(html: str, dirs: list[Path], variant: str | None = None) -> bytes:
    """WeasyPrint's PDF of ``html``, through :mod:`psa_report.printer` (imported once)."""
    from . import printer

    with tempfile.TemporaryDirectory(prefix="psa-serve-") as folder:
        target = Path(folder) / "report.pdf"
        printer.write_pdf(html, target, dirs, variant=printer.check_variant(variant))
        return target.read_bytes()


def problems_page(problems: list[Problem]) -> str:
    """A small page listing each problem as ``file:line:col: message``, escaped."""
    if problems:
        count = len(problems)
        heading = (f"The report could not be built: {count} "
                   f"problem{'s' if count != 1 else ''} in the action plan or templates")
        items = "\n".join(f"<li><code>{html_lib.escape(str(p))}</code></li>"
                          for p in problems)
        body = (f"<h1>{heading}</h1>\n<p>This page does not show the last report that "
                "built: it would be out of date.  The report is shown again as soon as these are "
                f"fixed: save the file and this page reloads by itself.</p>\n"
                f"<ul>\n{items}\n</ul>")
    else:
        heading = "Building the report"
        body = f"<h1>{heading}</h1>"
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>psa-report: {heading}</title>\n<style>\n"
            "body { font-family: \"Liberation Sans\", Arial, sans-serif; margin: 2rem; "
            "line-height: 1.4; }\n"
            "h1 { color: #8b0000; font-size: 1.4rem; }\n"
            "ul { padding-left: 1.2rem; } li { margin: 0.5rem 0; }\n"
            "code { white-space: pre-wrap; overflow-wrap: anywhere; }\n"
            f"</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


# --- watching the files ----------------------------------------------------------------


class Watcher:
    """Calls ``on_change`` soon after a file under the watched folders changes.

    Uses ``watchfiles`` (Rust's notify: inotify on Linux, FSEvents on macOS,
    ReadDirectoryChangesW on Windows) rather than a polling loop of
    ``os.scandir``, because a preview is left open for hours:

    * an idle preview costs no CPU at all, where polling a 100-file plan often
      enough to see a save within 20 ms takes about 5% of a core, and a
      1,000-file plan either a third of one or a fifth of a second's delay;
    * a save is seen within milliseconds whatever the size of the plan;
    * on WSL it polls by itself (inotify sees nothing there written from
      Windows), and ``WATCHFILES_FORCE_POLLING=1`` makes it poll on a network
      share.

    Hidden files and folders (``.3.2.1.yaml.swp``, ``.git``) are ignored, as the
    loader ignores them.  Every second it looks whether a watched folder has
    appeared or gone (``templates/`` made while serving) and watches anew.
    """

    #: after a change, how long to wait for the rest of the same save (ms)
    STEP_MS = 2
    #: how often to look for folders that appeared or went (ms)
    RECHECK_MS = 1000

    def __init__(self, folders: Callable[[], list[Path]], on_change: Callable[[], None]):
        self.folders = folders
        self.on_change = on_change
        self.stopped = threading.Event()
        self.watching = threading.Event()  # set once the first watch is in place
        self.thread = threading.Thread(target=self._run, name="psa-watch", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=5)

    def existing(self) -> list[Path]:
        return [folder for folder in self.folders() if folder.is_dir()]

    def _changed(self) -> None:
        try:
            self.on_change()
        except Exception:  # the watcher must outlive any one rebuild
            traceback.print_exc(file=sys.stderr)

    def _run(self) -> None:
        from watchfiles import watch

        while not self.stopped.is_set():
            folders = self.existing()
            if not folders:
                self.stopped.wait(self.RECHECK_MS / 1000)
                continue

            def wanted(change: object, path: str, folders: list[Path] = folders) -> bool:
                return visible(Path(path), folders)

            first = True
            try:
                for changes in watch(*folders, watch_filter=wanted, step=self.STEP_MS,
                                     stop_event=self.stopped, rust_timeout=self.RECHECK_MS,
                                     yield_on_timeout=True, raise_interrupt=False):
                    if self.stopped.is_set():
                        return
                    # The first answer (a change, or a second of quiet) also covers a
                    # save made while the watch was being set up, or while a folder
                    # appeared: rebuild then whatever it says; an unchanged report
                    # keeps its version, so no page reloads for nothing.
                    if changes or first:
                        self._changed()
                    first = False
                    if self.existing() != folders:
                        break
            except OSError:  # a folder went while being set up
                self.stopped.wait(0.1)


def visible(path: Path, folders: list[Path]) -> bool:
    """Not a hidden file, nor inside a hidden folder, of the watched folders: the
    loader skips those (``.3.2.1.yaml.swp``, ``.git``)."""
    for folder in folders:
        if path.is_relative_to(folder):
            return not any(p.startswith(".") for p in path.relative_to(folder).parts)
    return not path.name.startswith(".")


def watched_folders(root: Path) -> list[Path]:
    """actions/ (report.yaml is in it), figures/ (crime.csv, indicators.yaml; once it is
    there) and the template folders, the shipped ones too."""
    from .render import template_dirs

    return [Path(root) / "actions", Path(root) / "figures", *template_dirs(Path(root))]


# --- serving -----------------------------------------------------------------------------

#: Reloads the page when the report changes: the server sends the current version
#: on /events when the page connects and again after every change.  The version
#: is read from the script's own data-version, so the text (and its CSP hash)
#: never changes.  The scroll position is kept across the reload.
RELOAD_SCRIPT = """(() => {
  const version = document.currentScript.dataset.version;
  const key = "psa-report-scroll";
  try {
    const saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      window.scrollTo(0, Number(saved));
    }
  } catch (error) {}
  const events = new EventSource("/events");
  events.onmessage = (event) => {
    if (event.data === version) return;
    events.close();
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (error) {}
    location.reload();
  };
})();"""
#: The script element's text exactly as served: the hash covers every character.
SCRIPT_TEXT = f"\n{RELOAD_SCRIPT}\n"
SCRIPT_HASH = "sha256-" + base64.b64encode(
    hashlib.sha256(SCRIPT_TEXT.encode("utf-8")).digest()).decode("ascii")

#: The served pages may run the reload script and connect to /events, nothing more:
#: the report itself is self-contained (inline CSS, no script, no request).
POLICY = (f"default-src 'none'; script-src '{SCRIPT_HASH}'; connect-src 'self'; "
          "style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
          "form-action 'none'; frame-ancestors 'none'")

_META_CSP = re.compile(
    r"""<meta\b[^>]*\bhttp-equiv\s*=\s*["']?content-security-policy["']?[^>]*>""", re.I)
_CONTENT = re.compile(r"""(\bcontent\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.I)
_BODY_END = re.compile(r"</body\s*>", re.I)
_HEAD_END = re.compile(r"</head>", re.I | re.A)
_BODY_START = re.compile(r"<body\b[^>]*>", re.I)

#: Put at the top of the last report while a rebuild has run for over Preview.SLOW seconds.
REBUILDING_BANNER = (
    '<div role="status" style="position: sticky; top: 0; z-index: 2147483647; '
    'margin: 0; padding: 0.6rem 1rem; background: #fff3cd; color: #000; '
    'border-bottom: 2px solid #8b6d00; font: bold 1rem/1.4 sans-serif">'
    "The report is being rebuilt after a change: what is shown below is the report "
    "from before it, and this page reloads by itself when the new one is ready.</div>\n")


def with_banner(page: str) -> str:
    """The page with :data:`REBUILDING_BANNER` at the start of its body."""
    found = _BODY_START.search(page)
    at = found.end() if found else 0
    return page[:at] + REBUILDING_BANNER + page[at:]


def widen_policy(policy: str) -> str:
    """A page's own Content-Security-Policy, widened just enough for the reload
    script (by its hash) and its connection to /events."""
    directives = [d.split() for d in policy.split(";") if d.split()]
    names = {d[0].lower() for d in directives}
    needs = {"script-src": f"'{SCRIPT_HASH}'", "script-src-elem": f"'{SCRIPT_HASH}'",
             "connect-src": "'self'"}
    for directive in directives:
        source = needs.get(directive[0].lower())
        if source is not None:
            directive[1:] = [s for s in directive[1:] if s.lower() != "'none'"] + [source]
    for name in ("script-src", "connect-src"):
        if name not in names and "default-src" in names:
            directives.append([name, needs[name]])
    return "; ".join(" ".join(d) for d in directives)


def inject(page: str, token: str) -> str:
    """The page with the reload script before ``</body>``; a Content-Security-Policy
    in its meta tags (a project's own template may have one) widened to allow it."""
    page, at, script = _injection(page, token)
    return page[:at] + script + page[at:]


def inject_bytes(page: str, token: str) -> bytes:
    """:func:`inject`, encoded as served: the page encoded once and the script put in
    its bytes (no copy of a page of megabytes as text, which a save would wait for)."""
    page, at, script = _injection(page, token)
    data, tail = page.encode("utf-8"), page[at:].encode("utf-8")
    cut = len(data) - len(tail)
    return data[:cut] + script.encode("utf-8") + data[cut:]


#: how far from the end of a page its ``</body>`` is looked for first
_TAIL = 1 << 16


def _injection(page: str, token: str) -> tuple[str, int, str]:
    """(the page, its head's policy widened; where the script goes; the script)."""
    def widen(meta: re.Match) -> str:
        def content(found: re.Match) -> str:
            policy = html_lib.unescape(found.group(2) if found.group(2) is not None
                                       else found.group(3))
            return f'{found.group(1)}"{html_lib.escape(widen_policy(policy))}"'
        return _CONTENT.sub(content, meta.group(0), count=1)

    found = _HEAD_END.search(page)  # (not page.lower(): a copy of a page of megabytes)
    head_end = len(page) if found is None else found.start()
    if _META_CSP.search(page, 0, head_end):
        page = _META_CSP.sub(widen, page[:head_end]) + page[head_end:]
    script = f'<script data-version="{html_lib.escape(token)}">{SCRIPT_TEXT}</script>\n'
    # the last </body>: in the page's last 64 KB if it is there at all, else anywhere
    ends = list(_BODY_END.finditer(page, max(0, len(page) - _TAIL))) \
        or list(_BODY_END.finditer(page))
    return page, ends[-1].start() if ends else len(page), script


class PreviewServer(ThreadingHTTPServer):
    """Serves one :class:`Preview`; a thread per connection, none waited for at exit."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, preview: Preview, host: str, port: int):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.preview = preview
        #: a new value per server, so a page from an earlier run always reloads
        self.boot = secrets.token_hex(4)
        self.stopping = threading.Event()
        #: each edition's page as served (None: the main one's, and the problems page)
        self._pages: dict[str | None, tuple[int, bytes]] = {}
        self._page_lock = threading.Lock()
        super().__init__((host, port), PreviewHandler)
        self.port = self.server_address[1]
        #: Host headers answered; None when serving to the network.  Refusing other
        #: names stops a web page from reading the plan through DNS rebinding.
        self.allowed_hosts: set[str] | None = None
        if not exposed(host):
            names = {"127.0.0.1", "localhost", "[::1]", host if ":" not in host
                     else f"[{host}]"}
            self.allowed_hosts = ({f"{name}:{self.port}".lower() for name in names}
                                  | {name.lower() for name in names})

    def token(self, version: int, slow: bool = False) -> str:
        return f"{self.boot}-{version}" + ("-rebuilding" if slow else "")

    def page(self, language: str | None = None) -> tuple[int, bytes] | None:
        """(version, the page as served) of the edition in ``language`` (None: the main
        one; see :meth:`Snapshot.page`), the script put in once per version; None if the
        plan has no such edition.  While a rebuild has run for long the last report is
        served under a banner saying so."""
        slow = self.preview.state[1]
        snapshot = self.preview.snapshot
        html = snapshot.page(language)
        if html is None:
            return None
        version = snapshot.version
        if slow:
            return version, inject(with_banner(html), self.token(version, True)).encode("utf-8")
        key = None if snapshot.problems else language
        with self._page_lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] != version:
                self._pages = {code: found for code, found in self._pages.items()
                               if found[0] == version}
                kept = self._pages[key] = (version, inject_bytes(html, self.token(version)))
            return kept

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away: nothing to report
        super().handle_error(request, client_address)

    def stop(self) -> None:
        """End the event streams and close the listening socket (serve_forever has
        returned, or :meth:`shutdown` is called from another thread)."""
        self.stopping.set()
        self.preview.wake()
        self.server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    """``/`` and ``/index.html``, ``/report.pdf``, ``/events``, and for a plan in two
    languages ``/report.cy.html`` and ``/report.cy.pdf``; anything else is 404.

    The request path is compared as sent, never decoded or joined to a folder,
    and nothing is read from disk, so ``/../actions/report.yaml`` is just 404.
    """

    server: PreviewServer
    server_version = "psa-report"
    sys_version = ""
    #: seconds between keep-alive comments on /events (and checks for stopping)
    KEEP_ALIVE = 15.0

    def do_GET(self) -> None:
        self.answer(head=False)

    def do_HEAD(self) -> None:
        self.answer(head=True)

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal shows the rebuilds; requests would drown them

    def answer(self, head: bool) -> None:
        allowed = self.server.allowed_hosts
        host = self.headers.get("Host")
        if allowed is not None and host is not None and host.lower() not in allowed:
            self.send(HTTPStatus.FORBIDDEN, "text/plain",
                      f"This preview answers only at http://127.0.0.1:{self.server.port}/\n",
                      head)
            return
        path = self.path.split("?", 1)[0]
        other = OTHER_PAGE.fullmatch(path)
        if path in ("/", "/index.html", "/report.html"):
            self.page(None, head)
        elif path == "/report.pdf":
            self.pdf(None, head)
        elif other is not None and other.group(2) == "html":
            self.page(other.group(1), head)
        elif other is not None:
            self.pdf(other.group(1), head)
        elif path == "/events" and not head:
            self.events()
        else:
            self.not_found(head)

    def not_found(self, head: bool) -> None:
        """404, naming the addresses there are (the other editions' as the plan is now)."""
        codes = [code for code, _ in self.server.preview.snapshot.pages]
        others = "".join(f"; the {name_of(code)} edition at /report.{code}.html and its PDF "
                         f"at /report.{code}.pdf" for code in codes)
        if not codes:
            others = (" (a plan in two languages, such as report.yaml's `languages: [en, "
                      "cy]`, has the other edition at /report.cy.html and /report.cy.pdf)")
        self.send(HTTPStatus.NOT_FOUND, "text/plain",
                  f"Not found: {self.path[:200]}: psa-report serve shows the report at / "
                  f"and its PDF at /report.pdf{others}, nothing else.\n", head)

    def page(self, language: str | None, head: bool) -> None:
        """The report's page, or its edition's in another of the plan's languages."""
        found = self.server.page(language)
        if found is None:
            self.not_found(head)
            return
        version, body = found
        self.send(HTTPStatus.OK, "text/html; charset=utf-8", body, head, version=version)

    def pdf(self, language: str | None, head: bool) -> None:
        preview = self.server.preview
        version = preview.version
        try:
            data = preview.pdf(language)
        except Invalid as invalid:
            body = inject(problems_page(invalid.problems), self.server.token(version))
            self.send(HTTPStatus.CONFLICT, "text/html; charset=utf-8", body, head,
                      version=version)
            return
        except NoEdition:
            self.not_found(head)
            return
        name = "progress-report" + (f".{language}" if language else "") + ".pdf"
        self.send(HTTPStatus.OK, "application/pdf", data, head, version=version,
                  extra={"Content-Disposition": f'inline; filename="{name}"'})

    def events(self) -> None:
        """Server-sent events: the current version at once, then each new one."""
        server, preview = self.server, self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = preview.state
        try:
            self.wfile.write(f"retry: 500\ndata: {server.token(*state)}\n\n".encode())
            self.wfile.flush()
            while not server.stopping.is_set():
                now = preview.wait_state(state, self.KEEP_ALIVE, server.stopping)
                if server.stopping.is_set():
                    break
                if now != state:
                    state = now
                    self.wfile.write(f"data: {server.token(*state)}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (ConnectionError, TimeoutError, ValueError):
            pass  # the page was closed or reloaded

    def send(self, status: HTTPStatus, kind: str, body: str | bytes, head: bool, *,
             version: int | None = None, extra: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if version is not None:
            self.send_header("X-Psa-Report-Version", str(version))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(data)


def exposed(host: str) -> bool:
    """Whether serving on ``host`` lets other computers connect (not loopback)."""
    if host.lower() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return True
    return not all(ipaddress.ip_address(info[4][0]).is_loopback for info in found)


def make_server(preview: Preview, host: str = "127.0.0.1", port: int = 0) -> PreviewServer:
    """Bind (port 0: any free port); :meth:`PreviewServer.serve_forever` serves."""
    return PreviewServer(preview, host, port)
