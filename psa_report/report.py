"""The report builder: from a project folder and options, the complete report as typed
data (:class:`psa_report.plan.ReportPlan`), with nothing left to fill in.

It runs the stages in order: validate (every error and warning,
:mod:`psa_report.validate`), read the meetings and the revision compared with
(:mod:`psa_report.meetings`), then plan (:mod:`psa_report.plan`). The ``build`` and
``serve`` operations render what it returns; nothing here imports Jinja, python-docx
or WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import editions, history
from .figures_view import plan_figures
from .meetings import baseline, meeting_history, pattern_for
from .plan import KeptRows, ReportPlan, plan_report
from .problems import BadOption, Problem
from .progress import MAX_BARS
from .project import KeptFiles, Project
from .validate import refuse_warnings, validate

#: What a report compared with a revision that cannot be used should say to go on.
NO_SINCE_HINT = "or build with --no-since to leave the comparison with the last meeting out"


@dataclass
class PlannedReport:
    """A planned report and what was found on the way."""

    project: Project
    plan: ReportPlan
    warnings: list[Problem] = field(default_factory=list)


def build_plan(root: Path, *, as_of: date | None = None, since: str | None = None,
               no_since: bool = False, strict: bool = False,
               tags: str | None = None, period: str | None = None,
               edition: str = "public", exceptions_only: str | None = None,
               kept: KeptFiles | None = None, language: str | None = None,
               rows: KeptRows | None = None) -> PlannedReport:
    """Load, validate and plan; marked against ``since`` (or report.yaml's
    last_meeting, unless ``no_since``). With ``strict``, warnings stop it.

    Each row's direction of travel is measured against the last meeting (see
    :func:`psa_report.meetings.baseline`); the progress section counts the meetings
    whose tags match ``tags`` (or report.yaml's meeting_tags); the crime and disorder
    figures are for the quarter ``period`` (else the latest complete one). A meeting whose plan no
    longer validates is a warning that ``strict`` leaves a warning: a tag's files
    cannot be corrected.

    ``edition`` is "public" (exempt information left out) or "exempt" (all of it,
    marked not for publication); with ``exceptions_only`` (where the full report is, as
    the exception report says it) the plan is the exception report (see
    :mod:`psa_report.editions`). ``kept``: the preview's files from its last build, so
    only those changed since are read again (:class:`psa_report.project.KeptFiles`);
    ``rows``: its rows, so only theirs are planned again (:class:`psa_report.plan.KeptRows`).
    ``language``: the edition's, one of report.yaml's ``languages`` (the main one by
    default): the tool's words and the plan's texts in it."""
    root = Path(root)
    checked = validate(root, kept)
    refuse_warnings(checked.warnings, strict)
    project = checked.project
    check_language(project, language)
    found = meeting_history(root, project, pattern_for(project, tags), limit=MAX_BARS)
    comparison = baseline(root, project, found, since=since, no_since=no_since,
                          hint=NO_SINCE_HINT)
    main = project.languages[0]
    figures = plan_figures(root, project.report.area, project.report.population, period,
                           language=language or main, main=main)
    planned = plan_report(project, as_of, provenance=history.provenance(root),
                          comparison=comparison, meetings=found, no_since=no_since,
                          figures=figures, language=language, kept=rows)
    planned = editions.edition(planned, project, edition,
                               old=comparison.old if comparison is not None else None,
                               meetings={tag: then for tag, (_, then) in found.plans.items()})
    if exceptions_only is not None:
        planned = editions.exceptions_only(planned, exceptions_only)
    return PlannedReport(project, planned, checked.warnings + found.warnings)


def link(plan: ReportPlan, language: str, name: str) -> None:
    """The cover's sentence naming the edition in ``language``, and its link."""
    plan.also_available = plan.words.also_available(language, name)
    plan.also_available_href, plan.also_available_lang = name, language


def check_language(project: Project, language: str | None) -> None:
    """A language asked for must be one of the plan's (report.yaml's ``languages``)."""
    if language is not None and language not in project.languages:
        listed = ", ".join(project.languages)
        raise BadOption("--language", f"{language!r} is not one of the plan's languages "
                        f"({listed}): report.yaml's `languages:` names them, like "
                        f"`languages: [{project.languages[0]}, {language}]`")


#: The preview's page of each language's edition: the main one's, and another's by code
PREVIEW_PAGE, PREVIEW_OTHER_PAGE = "report.html", "report.{code}.html"


def html_builder(root: Path, *, as_of: date | None = None, edition: str = "public",
                 ) -> Callable[[], tuple]:
    """The preview's build function for the project at ``root``: the public edition
    unless the exempt one is asked for. It keeps each file as read and checked between
    builds, so a save re-reads only the files that changed (:class:`KeptFiles`) and plans
    again only their rows (:class:`psa_report.plan.KeptRows`); the
    Jinja environment is kept too (:func:`psa_report.render.environment`).

    A plan in two languages (report.yaml's ``languages``) is previewed in both: the main
    one's page, and each other's ({"cy": HTML}, served at /report.cy.html, a fourth value
    returned only then), each linking to the other."""
    from .render import render_html, template_dirs

    kept, rows = KeptFiles(root), KeptRows()

    def build() -> tuple:
        dirs = template_dirs(root)
        report = build_plan(root, as_of=as_of, edition=edition, kept=kept, rows=rows)
        languages = report.project.languages
        main, others = languages[0], {}
        for code in languages[1:]:
            other = build_plan(root, as_of=as_of, edition=edition, kept=kept, language=code,
                               rows=rows)
            link(other.plan, main, PREVIEW_PAGE)
            others[code] = render_html(other.plan, dirs)
        if len(languages) > 1:
            link(report.plan, languages[1], PREVIEW_OTHER_PAGE.format(code=languages[1]))
        if others:
            return render_html(report.plan, dirs), report.warnings, dirs, others
        return render_html(report.plan, dirs), report.warnings, dirs  # as it always has

    return build
