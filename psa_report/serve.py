"""Live preview: the report rebuilt in memory on every save, served to a browser.

:class:`Preview` is the core and needs no server: it plans and renders the
report in this process (the Jinja environment of :mod:`psa_report.render` is
kept, so templates compile once and an edited one compiles again), keeps the
HTML (or, while the files have problems, a page listing them), counts versions
and prints the PDF on demand with WeasyPrint imported once, caching it until
the next change.

:class:`Watcher` polls the files with ``os.scandir`` (stdlib, no dependency);
see its docstring for why polling and not inotify.

:func:`make_server` serves a Preview with the standard library's
``ThreadingHTTPServer``: ``/`` and ``/index.html`` (the report, with a small
inline script that reloads the page when the report changes), ``/report.pdf``
and ``/events`` (server-sent events); every other path is 404.  Nothing is read
from disk to answer a request, so no path can reach a file.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import ipaddress
import os
import re
import secrets
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .problems import BadOption, Invalid, Problem

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


class Preview:
    """The report of the files as they are now, rebuilt on demand, held in memory.

    ``version`` goes up by one each time :meth:`rebuild` changes what the page
    shows (an edit that leaves the report as it was, such as a YAML comment,
    does not count), so an open page reloads only when there is something new.
    """

    def __init__(self, root: Path, *, as_of: date | None = None,
                 pdf_variant: str | None = None):
        self.root = Path(root)
        self.as_of = as_of
        self.pdf_variant = pdf_variant
        self._snapshot = Snapshot(0, problems_page([]))
        self._lock = threading.Lock()  # one rebuild at a time
        self._pdf_lock = threading.Lock()  # one print at a time
        self._pdf: tuple[int, bytes] | None = None
        self._changed = threading.Condition()

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

    def rebuild(self) -> None:
        """Plan and render the files as they are now; never raises for bad files."""
        from .commands.build import plan
        from .render import render_html, template_dirs

        with self._lock:
            start = time.perf_counter()
            problems: list[Problem] = []
            warnings: list[Problem] = []
            dirs: list[Path] = []
            try:
                dirs = template_dirs(self.root)
                report = plan(self.root, as_of=self.as_of)
                html = render_html(report.plan, dirs)
                warnings = report.warnings
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
            if problems:
                html = problems_page(problems)
            old = self._snapshot
            version = old.version + (html != old.html or old.version == 0)
            self._snapshot = Snapshot(version, html, tuple(problems), tuple(warnings),
                                      tuple(dirs), time.perf_counter() - start)
        if version != old.version:
            with self._changed:
                self._changed.notify_all()

    def wait(self, version: int, timeout: float) -> int:
        """Block until the version is no longer ``version`` (or ``timeout`` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.version != version, timeout)
        return self._snapshot.version

    def wake(self) -> None:
        """Wake every :meth:`wait` (when the server stops)."""
        with self._changed:
            self._changed.notify_all()

    def pdf(self) -> bytes:
        """The PDF of the current report, printed once per version.

        Raises :class:`Invalid` while the files have problems (or if the print
        itself finds one, such as a missing font file).
        """
        snapshot = self._snapshot
        if snapshot.problems:
            raise Invalid(list(snapshot.problems))
        with self._pdf_lock:
            if self._pdf is not None and self._pdf[0] == snapshot.version:
                return self._pdf[1]
            data = print_pdf(snapshot.html, list(snapshot.dirs), self.pdf_variant)
            self._pdf = (snapshot.version, data)
            return data


def print_pdf(html: str, dirs: list[Path], variant: str | None = None) -> bytes:
    """WeasyPrint's PDF of ``html``, through :mod:`psa_report.printer` (imported once)."""
    from . import printer
    from .commands.build import check_variant

    with tempfile.TemporaryDirectory(prefix="psa-serve-") as folder:
        target = Path(folder) / "report.pdf"
        printer.write_pdf(html, target, dirs, variant=check_variant(variant))
        return target.read_bytes()


def problems_page(problems: list[Problem]) -> str:
    """A small page listing each problem as ``file:line:col: message``, escaped."""
    if problems:
        count = len(problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the action plan"
        items = "\n".join(f"<li><code>{html_lib.escape(str(p))}</code></li>"
                          for p in problems)
        body = (f"<h1>{heading}</h1>\n<p>The report is shown again as soon as these are "
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
    STEP_MS = 5
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
    """actions/ (report.yaml is in it) and the template folders, the shipped ones too."""
    from .render import template_dirs

    return [Path(root) / "actions", *template_dirs(Path(root))]
