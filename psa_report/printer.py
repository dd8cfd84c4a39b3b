"""Stage 5, print: WeasyPrint turns the report's HTML into a PDF.

This is the only module that imports WeasyPrint (about 1.3 s on its own), and
only ``build`` imports this module.

WeasyPrint is given a URL fetcher that loads nothing but files inside the
template folders (and ``data:`` URLs, which carry their content inline).  Any
other URL, whether ``http:``, ``ftp:`` or a ``file:`` outside the templates,
stops the build with a clear message: no text or template can make the report
reach the network or read other files.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .problems import Invalid, Problem

DEFAULT_VARIANT = "pdf/ua-1"


class TemplateOnlyFetcher(URLFetcher):
    """Serve files from the template folders (project's first); refuse everything else."""

    def __init__(self, dirs: list[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                         fail_on_errors=True, timeout=1)
        self.dirs = [d.resolve() for d in dirs]
        #: the last URL not served, and why: "refused" (outside) or "missing"
        self.failure: tuple[str, str] | None = None

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            relative = next((path.relative_to(d) for d in self.dirs
                             if path.is_relative_to(d)), None)
            if relative is not None:
                for d in self.dirs:  # file by file: the project's own copy wins
                    if (d / relative).is_file():
                        return super().fetch((d / relative).as_uri(), headers)
                self.failure = (relative.as_posix(), "missing")
                raise FileNotFoundError(relative.as_posix())
        self.failure = (url, "refused")
        raise ValueError(f"refused to load {url}")


def add_header_scope(document, pdf) -> None:
    """Give every table header cell its /Scope, which WeasyPrint leaves out (#2508).

    Screen readers use /Scope to announce the header with each cell.  A header
    in a THead row heads its column; one in a TBody or TFoot row heads its row
    (as ``<th scope="row">`` does in the templates).
    """
    def parent(element):
        reference = element.get("P")
        return pdf.objects[int(reference.split()[0])] if reference else None

    for element in pdf.objects:
        if not isinstance(element, dict) or element.get("S") != "/TH":
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
        attributes["Scope"] = scope


def base_url(dirs: list[Path]) -> str:
    """Relative URLs in templates resolve inside the first template folder."""
    return dirs[0].as_uri() + "/"


def write_pdf(html: str, target: Path, dirs: list[Path], *, variant: str = DEFAULT_VARIANT,
              identifier: bytes | None = None) -> None:
    """Render ``html`` to the PDF file ``target`` (written by the caller's temp path)."""
    fetcher = TemplateOnlyFetcher(dirs)
    # WeasyPrint reports unsupported CSS and failed fetches on its logger; keep
    # the terminal clean, and the fetcher has already recorded what it refused.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        document = HTML(string=html, base_url=base_url(dirs), url_fetcher=fetcher)
        document.write_pdf(target, pdf_variant=variant, pdf_identifier=identifier,
                           finisher=add_header_scope)
    except FatalURLFetchingError as error:
        url, why = fetcher.failure or (str(error.__cause__ or error), "failed")
        if why == "missing":
            message = (f"the report uses {url}, which could not be found in "
                       f"{' or '.join(str(d) for d in fetcher.dirs)}: put the file in "
                       "your project's templates/ folder, or remove the reference")
        elif why == "refused":
            message = (f"the report refers to {url}, which psa-report will not load: "
                       "only files inside the templates folders can be used (no web "
                       "addresses, no other files); copy the file into templates/ and "
                       "refer to it by its name")
        else:
            message = f"the report could not load {url}"
        raise Invalid([Problem("templates/", None, None, message)]) from None


def variants() -> list[str]:
    """The PDF flavours WeasyPrint can write (its "debug" is a developer's tool, not one)."""
    from weasyprint.pdf import VARIANTS

    return sorted(v for v in VARIANTS if v.startswith("pdf/"))
