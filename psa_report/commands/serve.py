"""``serve``: the report in a browser, rebuilt in memory on every save.

Nothing is written: not out/, not a temporary HTML file.  The page reloads by
itself (server-sent events); while the files have problems it lists them, and
the report comes back once they are fixed.  A plan in two languages is served in
both: the other edition at /report.cy.html, its PDF at /report.cy.pdf.  Runs until
Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import errno
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..bilingual import name_of
from ..problems import BadOption, Problem
from ..report import html_builder
from ..serve import Preview, PreviewServer, Watcher, exposed, make_server, watched_folders
from ..wording import WORDS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

Say = Callable[[str], None]


def url_of(server: PreviewServer, host: str) -> str:
    """The address to open on this computer."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://{f'[{host}]' if ':' in host else host}:{server.port}/"


def bind(preview: Preview, host: str, port: int) -> PreviewServer:
    try:
        return make_server(preview, host, port)
    except socket.gaierror as error:
        raise BadOption("--host", f"{host!r} is not an address of this computer "
                                  f"({error.strerror})") from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise BadOption("--port", f"port {port} is already in use: choose another "
                                      "with --port, or --port 0 for any free one") from None
        if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            raise BadOption("--host", f"cannot listen on {host!r}: it is not an address "
                                      "of this computer") from None
        if error.errno == errno.EACCES:
            raise BadOption("--port", f"port {port} needs administrator rights: use one "
                                      "above 1023, such as 8000") from None
        raise


def exposure_warning(host: str, port: int) -> str | None:
    """What to say when ``host`` lets other computers in (None for this one alone)."""
    if not exposed(host):
        return None
    return (f"Warning: listening on {host or 'every address'}, so anyone on the network "
            f"who can reach this computer at port {port} can read the action plan and "
            "the report. Leave out --host to keep it to this computer.")


def describe(preview: Preview, shown_warnings: tuple[Problem, ...] = ()
             ) -> tuple[str, list[str]]:
    """One line for the terminal after a rebuild, and the problems (or the warnings,
    when they are not the ones shown last time)."""
    snapshot = preview.snapshot
    stamp = time.strftime("%H:%M:%S")
    took = f"{snapshot.seconds * 1000:.0f} ms"
    if snapshot.problems:
        count = len(snapshot.problems)
        return (f"{stamp} {count} problem{'s' if count != 1 else ''} ({took}); the page "
                "lists them until they are fixed:", [str(p) for p in snapshot.problems])
    line = f"{stamp} report rebuilt in {took} (version {snapshot.version})"
    if snapshot.warnings and snapshot.warnings == shown_warnings:
        count = len(snapshot.warnings)
        return f"{line}; {count} warning{'s' if count != 1 else ''} as before", []
    return line, [str(w) for w in snapshot.warnings]


def serve(root: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          open_browser: bool = False, say: Say = print, say_err: Say = print,
          after_warm_up: Callable[[], None] | None = None, edition: str = "public") -> None:
    """Serve the report of ``root`` until Ctrl-C; ``say`` prints progress.
    ``after_warm_up``: see :class:`Preview` (the console entry point's GC freeze).
    ``edition``: "public" (exempt information left out) or "exempt"; said on starting."""
    root = Path(root)
    preview = Preview(root, html_builder(root, edition=edition),
                      after_warm_up=after_warm_up)
    shown = 0
    shown_warnings: tuple[Problem, ...] = ()

    def report() -> None:
        nonlocal shown, shown_warnings
        shown = preview.version
        line, details = describe(preview, shown_warnings)
        say(line)
        for detail in details:
            say_err(detail)
        shown_warnings = preview.snapshot.warnings

    def rebuild() -> None:
        preview.rebuild()
        if preview.version != shown:
            report()

    watcher = Watcher(lambda: watched_folders(root), rebuild)
    server: PreviewServer | None = None
    restore = _stop_on_sigterm()
    try:  # Ctrl-C at any moment from here on stops cleanly
        preview.rebuild()
        report()
        server = bind(preview, host, port)
        url = url_of(server, host)
        watcher.start()
        say(f"Serving the report at {url} (press Ctrl-C to stop)")
        for code, _ in preview.snapshot.pages:
            say(f"The {name_of(code)} edition is at {url}report.{code}.html, its PDF at "
                f"{url}report.{code}.pdf")
        say(WORDS.exempt_edition if edition == "exempt" else WORDS.public_edition)
        warning = exposure_warning(host, server.port)
        if warning:
            say(warning)
        if open_browser:
            def open_page() -> None:
                if not webbrowser.open(url):
                    say(f"No web browser could be started: open {url} yourself.")

            threading.Thread(target=open_page, daemon=True).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server is not None:
            server.stop()
        restore()
    say("Stopped serving; nothing was written.")


def _stop_on_sigterm() -> Callable[[], object]:
    """SIGTERM and SIGINT stop the server as Ctrl-C does (only possible in the main
    thread). SIGINT is set too: a program started in the background by a script (`&`)
    begins with SIGINT ignored, and Python then leaves it ignored."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = {number: signal.signal(number, interrupt)
           for number in (signal.SIGTERM, signal.SIGINT)}
    return lambda: [signal.signal(number, handler) for number, handler in old.items()]
