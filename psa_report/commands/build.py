"""``build``: the report from the files, as HTML, PDF and Word, published as a set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import history
from ..changes import Change, compare
from ..loader import not_a_file
from ..output import Writer, publish
from ..plan import ReportPlan, plan_report
from ..problems import BadOption, Invalid, Problem
from ..progress import MAX_BARS, Travel, directions, exceptions, progress_view, removed, travel
from ..project import Project
from ..render import render_html, template_dirs
from .check import check
from .progress import ProgressResult, last_meeting, meeting_history, pattern_for

#: "both" is HTML and PDF (the default); "all" adds the Word document.
FORMATS = ("html", "pdf", "both", "docx", "all")
HTML_FORMATS = ("html", "both", "all")
PDF_FORMATS = ("pdf", "both", "all")
DOCX_FORMATS = ("docx", "all")
OUTPUT_STEM = "progress-report"


@dataclass
class Comparison:
    """The plan at an earlier revision set against today's: what the report marks."""

    since: history.Revision
    changes: list[Change]
    old: Project | None = None  # the plan at ``since``


def compare_with(root: Path, project: Project, rev: str | None = None, *,
                 before: date | None = None) -> Comparison:
    """Changes from ``rev`` (or the last commit before ``before``) to ``project``."""
    since = history.resolve(root, rev, before=before)
    old = history.project_at(root, since)
    return Comparison(since, compare(old, project), old)


def compare_with_last_meeting(root: Path, project: Project,
                              hint: str = "or build with --no-since to leave the "
                              "comparison with the last meeting out") -> Comparison | None:
    """Changes since report.yaml's last_meeting (None when it is not set); a problem
    with it is reported at its line in report.yaml, with how to go on."""
    if project.report.last_meeting is None:
        return None
    try:
        return compare_with(root, project, project.report.last_meeting)
    except Invalid as invalid:
        line, column = project.report_marks.get("last_meeting", (None, None))
        raise Invalid([Problem(project.report_file, line, column,
                               f"last_meeting: {p.message} ({hint})")
                       for p in invalid.problems]) from None


@dataclass
class Report:
    """A planned report and what was found on the way."""

    project: Project
    plan: ReportPlan
    warnings: list[Problem] = field(default_factory=list)


def plan(root: Path, *, as_of: date | None = None, since: str | None = None,
         no_since: bool = False, strict: bool = False, tags: str | None = None) -> Report:
    """Load, validate and plan; marked against ``since`` (or report.yaml's
    last_meeting, unless ``no_since``). With ``strict``, warnings stop it.

    Each row's direction of travel is measured against ``since`` (or last_meeting, or
    else the latest meeting tag before the current files); the progress section counts
    the meetings whose tags match ``tags`` (or report.yaml's meeting_tags). A meeting
    whose plan no longer validates is a warning that ``strict`` leaves a warning: a
    tag's files cannot be corrected."""
    checked = check(root)
    refuse_warnings(checked.warnings, strict)
    project = checked.project
    if no_since:
        comparison = None
    elif since is not None:
        comparison = compare_with(root, project, since)
    else:
        comparison = compare_with_last_meeting(root, project)
    planned = plan_report(project, as_of, provenance=history.provenance(root),
                          since=comparison and comparison.since,
                          changes=comparison and comparison.changes)
    pattern = pattern_for(project, tags)
    meetings = meeting_history(root, project, pattern, limit=MAX_BARS)
    _direction_of_travel(root, project, planned, meetings, comparison, no_since,
                         named=pattern is not None)
    return Report(project, planned, checked.warnings + meetings.warnings)


def _direction_of_travel(root: Path, project: Project, planned: ReportPlan,
                         meetings: ProgressResult, comparison: Comparison | None,
                         no_since: bool, named: bool) -> None:
    """Fill the plan's directions, exceptions and progress section."""
    rows = [row for section in planned.sections for row in section.rows]
    rows += planned.recommendations
    by_commit = {m.commit: m for m, _ in meetings.plans.values()}
    baseline = None
    if comparison is not None and comparison.old is not None:
        meeting = by_commit.get(comparison.since.commit)
        baseline = (comparison.since.name, meeting.day if meeting else comparison.since.day,
                    comparison.old)
    elif not no_since and (found := last_meeting(root, meetings)) is not None:
        baseline = (found[0].tag, found[0].day, found[1])
    if no_since:
        planned.travel = Travel(None, "This report is not compared with the last meeting, "
                                "so no direction of travel is shown.")
    elif baseline is None:
        planned.travel = travel(None, None, [])
    else:
        name, day, old = baseline
        moved = directions(old, project)
        for row in rows:
            row.direction, row.direction_kind = moved[row.ref].text, moved[row.ref].kind
        planned.travel = travel(name, day, removed(old, project))
    planned.exceptions = exceptions(rows)
    points = [r.point for r in meetings.meetings]
    last = meetings.meetings[-1].point.commit if meetings.meetings else None
    planned.progress = progress_view(
        points, meetings.records[-1].point, in_git=meetings.in_git,
        current_is_last=last is not None and last == meetings.current_commit,
        why=None if named else "no meeting tags are named in actions/report.yaml "
        "(meeting_tags)")


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


def refuse_warnings(warnings: list[Problem], strict: bool) -> None:
    """With --strict, every warning is an error: nothing is written."""
    if strict and warnings:
        raise Invalid([Problem(p.file, p.line, p.column,
                               f"{p.message} (an error with --strict)") for p in warnings])


def check_variant(variant: str | None) -> str:
    from .. import printer  # WeasyPrint: only when a PDF is asked for

    variant = variant or printer.DEFAULT_VARIANT
    if variant not in printer.variants():
        raise BadOption("--pdf-variant", f"{variant!r} is not a PDF variant WeasyPrint "
                        f"knows: use one of {', '.join(printer.variants())}")
    return variant


@dataclass
class BuildResult:
    outputs: list[Path]
    warnings: list[Problem]


def outputs(root: Path, fmt: str = "both", out_dir: Path | None = None, *,
            as_of: date | None = None, pdf_variant: str | None = None,
            since: str | None = None, no_since: bool = False, strict: bool = False,
            tags: str | None = None, before_print: Callable[[], None] | None = None,
            docx_template: Path | None = None,
            ) -> tuple[dict[Path, Writer], list[Problem]]:
    """What ``build`` would write: target path -> writer of a temporary file."""
    if fmt not in FORMATS:
        raise BadOption("--format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    variant = check_variant(pdf_variant) if fmt in PDF_FORMATS else None
    dirs = template_dirs(root)
    report = plan(root, as_of=as_of, since=since, no_since=no_since, strict=strict,
                  tags=tags)
    if fmt in DOCX_FORMATS:
        docx_template = docx_template or _template_from_report(root, report.project)
        if docx_template is not None:
            from ..docx_render import check_template

            # A bad template stops before anything is printed; what is taken out of
            # it (macros, links, fields that fetch files) is said.
            removed = check_template(docx_template)
            refuse_warnings(removed, strict)
            report.warnings += removed
    if variant is not None:
        from ..glyphs import missing_glyphs

        lost = missing_glyphs(report.project)
        refuse_warnings(lost, strict)
        report.warnings += lost
    # The Word document is written from the plan: only HTML and PDF need the HTML.
    html = render_html(report.plan, dirs) if fmt != "docx" else ""
    out_dir = out_dir or Path(root) / "out"
    writers: dict[Path, Writer] = {}
    if fmt in HTML_FORMATS:
        writers[out_dir / f"{OUTPUT_STEM}.html"] = lambda tmp: tmp.write_text(
            html, encoding="utf-8")
    if variant is not None:
        def write_pdf(tmp: Path) -> None:
            from .. import printer

            if before_print is not None:
                before_print()
            printer.write_pdf(html, tmp, dirs, variant=variant)

        writers[out_dir / f"{OUTPUT_STEM}.pdf"] = write_pdf
    if fmt in DOCX_FORMATS:
        def write_docx(tmp: Path) -> None:
            from ..docx_render import write_docx as write  # python-docx: only when asked

            write(report.plan, tmp, docx_template)

        writers[out_dir / f"{OUTPUT_STEM}.docx"] = write_docx
    return writers, report.warnings


def build(root: Path, fmt: str = "both", out_dir: Path | None = None, **options,
          ) -> BuildResult:
    """Build and publish the report: every output is written, or none is."""
    writers, warnings = outputs(root, fmt, out_dir, **options)
    return BuildResult(publish(writers), warnings)
