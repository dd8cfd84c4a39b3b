"""``build``: the report from the files, as HTML, PDF and Word, published as a set."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import editions
from ..editions import EDITIONS
from ..files import not_a_file, read_json
from ..output import Writer, earlier_outputs, publish
from ..problems import BadOption, Invalid, Problem
from ..project import Project
from ..render import cache_folder, render_html, template_dirs
from ..report import build_plan, link
from ..validate import refuse_warnings, words_to_translate

#: "both" is HTML and PDF (the default); "all" adds the Word document.
FORMATS = ("html", "pdf", "both", "docx", "all")
HTML_FORMATS = ("html", "both", "all")
PDF_FORMATS = ("pdf", "both", "all")
DOCX_FORMATS = ("docx", "all")
OUTPUT_STEM = "progress-report"


def _template_from_report(root: Path, project: Project) -> Path | None:
    """report.yaml's docx_template, which must be a file inside the project folder."""
    name = project.report.docx_template
    if name is None:
        return None
    line, column = project.report_marks.get("docx_template", (None, None))
    path = (Path(root) / name).resolve()
    if not path.is_relative_to(Path(root).resolve()):
        raise Invalid([Problem(project.report_file, line, column,
            f"docx_template: {name!r} is outside the project folder: copy the template "
            "into the project (for example templates/report.dotx) and name it from there")])
    if path.exists() and not path.is_file():  # a folder, FIFO or device: never opened
        raise Invalid([Problem(project.report_file, line, column,
            f"docx_template: {name!r}: " + not_a_file(path.stat().st_mode,
                                                      "name a Word file (.docx or .dotx)"))])
    if not path.is_file():
        raise Invalid([Problem(project.report_file, line, column,
            f"docx_template: there is no file {name!r} in the project folder: check the "
            "name (it is relative to the folder holding actions/)")])
    return path


@dataclass
class BuildResult:
    outputs: list[Path]
    warnings: list[Problem]


def stem_of(edition: str = "public", exceptions_only: bool = False,
            language: str | None = None) -> str:
    """progress-report, progress-report-exempt, progress-report-exceptions...; an edition
    in a language other than the plan's main one has its code before the extension:
    progress-report.cy, progress-report-exempt.cy."""
    return (OUTPUT_STEM + ("-exceptions" if exceptions_only else "")
            + ("-exempt" if edition == "exempt" else "")
            + (f".{language}" if language else ""))


def _other_file(stem: str, fmt: str) -> str:
    """The file an edition in the other language is, as its cover names it: the PDF when
    one is written, else the HTML, else the Word document."""
    extension = ("pdf" if fmt in PDF_FORMATS else "html" if fmt in HTML_FORMATS
                 else "docx")
    return f"{stem}.{extension}"


def outputs(root: Path, fmt: str = "both", out_dir: Path | None = None, *,
            as_of: date | None = None, pdf_variant: str | None = None,
            since: str | None = None, no_since: bool = False, strict: bool = False,
            tags: str | None = None, before_print: Callable[[], None] | None = None,
            docx_template: Path | None = None, period: str | None = None,
            edition: str = "public", exceptions_only: bool = False,
            language: str | None = None,
            ) -> tuple[dict[Path, Writer], list[Problem], str]:
    """What ``build`` would write: target path -> writer of a temporary file; the
    warnings; a digest of the files the plan was read from.

    ``edition`` is "public", "exempt" or "both" (the two, published as one set); with
    ``exceptions_only``, the exception report of each (see psa_report/editions.py).
    Each is written in every language of the plan (report.yaml's ``languages``), the
    main one under the usual names and each other named by its code
    (progress-report.cy.pdf), all published as one set; ``language`` builds one."""
    if fmt not in FORMATS:
        raise BadOption("--format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    if edition not in EDITIONS:
        raise BadOption("--edition", f"{edition!r} is not one of {', '.join(EDITIONS)}")
    if fmt in PDF_FORMATS:
        from ..printer import check_variant  # WeasyPrint: only when a PDF is asked for

        variant = check_variant(pdf_variant)
    else:
        variant = None
    dirs = template_dirs(root)
    names = ("public", "exempt") if edition == "both" else (edition,)

    def planned(name: str, code: str | None):
        return build_plan(root, as_of=as_of, since=since, no_since=no_since, strict=strict,
                          tags=tags, period=period, edition=name, language=code)

    first = planned(names[0], language)
    plan_languages = first.project.languages
    main = plan_languages[0]
    codes = (first.plan.language,) if language else plan_languages
    reports = []
    for name in names:
        for code in codes:
            report = first if (name, code) == (names[0], first.plan.language) else \
                planned(name, code)
            suffix = None if code == main else code
            if exceptions_only:
                report.plan = editions.exceptions_only(report.plan, report.plan.words.full_report(
                    stem_of(name, language=suffix)))
            others = [other for other in plan_languages if other != code]
            if others:  # the cover names the edition in the plan's other language
                other = others[0]
                stem = stem_of(name, exceptions_only, None if other == main else other)
                link(report.plan, other, _other_file(stem, fmt))
            reports.append((name, suffix, report))
    warnings = reports[0][2].warnings
    untranslated = words_to_translate(codes)  # the tool's words each edition prints
    refuse_warnings(untranslated, strict)
    warnings += untranslated
    if fmt in DOCX_FORMATS:
        docx_template = docx_template or _template_from_report(root, reports[0][2].project)
        if docx_template is not None:
            from ..docx_render import check_template

            # A bad template stops before anything is printed; what is taken out of
            # it (macros, links, fields that fetch files) is said.
            removed = check_template(docx_template)
            refuse_warnings(removed, strict)
            warnings += removed
    out_dir = out_dir or Path(root) / "out"
    writers: dict[Path, Writer] = {}
    for name, suffix, report in reports:
        stem = stem_of(name, exceptions_only, suffix)
        writers.update(_writers(report.plan, fmt, out_dir / stem, dirs, variant,
                                before_print, docx_template))
    return writers, warnings, _digest(reports[0][2].project)


def _writers(plan, fmt: str, target: Path, dirs: list[Path], variant: str | None,
             before_print: Callable[[], None] | None, docx_template: Path | None,
             ) -> dict[Path, Writer]:
    """The writers of one paper, its files named ``target`` + .html, .pdf, .docx."""
    # The Word document is written from the plan: only HTML and PDF need the HTML.
    html = render_html(plan, dirs) if fmt != "docx" else ""
    writers: dict[Path, Writer] = {}
    if fmt in HTML_FORMATS:
        writers[target.with_name(target.name + ".html")] = lambda tmp: tmp.write_text(
            html, encoding="utf-8")
    if variant is not None:
        def write_pdf(tmp: Path) -> None:
            from .. import printer

            if before_print is not None:
                before_print()
            printer.write_pdf(html, tmp, dirs, variant=variant)

        writers[target.with_name(target.name + ".pdf")] = write_pdf
    if fmt in DOCX_FORMATS:
        def write_docx(tmp: Path) -> None:
            from ..docx_render import write_docx as write  # python-docx: only when asked

            write(plan, tmp, docx_template)

        writers[target.with_name(target.name + ".docx")] = write_docx
    return writers


#: The largest record of earlier builds read (see :func:`_record_path`).
_MAX_BUILDS_BYTES = 1024 * 1024


def build(root: Path, fmt: str = "both", out_dir: Path | None = None, **options,
          ) -> BuildResult:
    """Build and publish the report: every output is written, or none is."""
    writers, warnings, digest = outputs(root, fmt, out_dir, **options)
    written = publish(writers)
    record_path = _record_path(written[0].parent) if written else None
    record = _record(record_path)
    # An older paper beside them (another format, edition or the exception report) is
    # named, so a stale PDF is not sent with a new HTML; one from the same files is not.
    earlier = earlier_outputs(written, OUTPUT_STEM, lambda name: record.get(name) == digest)
    if record_path is not None:
        record.update({path.name: digest for path in written})
        try:
            record_path.write_text(json.dumps(dict(sorted(record.items())), indent=1),
                                   encoding="utf-8")
        except OSError:
            pass  # the record only spares warnings
    return BuildResult(written, warnings + earlier)


def _record_path(out: Path) -> Path | None:
    """Where the record of what each paper in ``out`` was built from is kept (by a
    digest of the files read), so that a paper built from the same files as the one
    just written (the exception report beside the full report) is not named as from
    an earlier build: in the user's own cache folder (render.cache_folder), out/ itself
    holding the papers alone. None where there is no cache folder."""
    folder = cache_folder()
    if folder is None:
        return None
    key = hashlib.sha256(os.fsencode(os.path.realpath(out))).hexdigest()[:24]
    return folder / f"builds-{key}.json"


def _record(path: Path | None) -> dict[str, str]:
    """The record of what each paper was built from; empty if there is none or it
    cannot be read (it only spares warnings)."""
    if path is None or not path.is_file():
        return {}
    try:
        found = read_json(path, str(path), _MAX_BUILDS_BYTES, lambda size: "too large",
                          "the record of earlier builds", "delete it")
    except Invalid:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, str)}


def _digest(project: Project) -> str:
    """A digest of the files a project was read from (report.yaml, agencies.yaml, the
    items): two builds of the same saved plan have the same."""
    found = hashlib.sha256()
    documents = project.documents
    if documents is not None:
        for doc in (documents.report, documents.agencies, *documents.items.values()):
            if doc is not None:
                found.update(doc.display.encode("utf-8", "surrogatepass") + b"\0")
                found.update("\n".join(doc.lines).encode("utf-8", "surrogatepass") + b"\0")
    return found.hexdigest()
