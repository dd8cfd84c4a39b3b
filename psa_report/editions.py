"""Editions of the paper, made from the plan before anything is rendered.

An item, or some of its fields, may be exempt information under Schedule 12A to the
Local Government Act 1972 (``exempt: 7`` in its file for the whole item, ``exempt:
{update: 1}`` for a field). From one plan (:class:`psa_report.plan.ReportPlan`):

* the **public** edition (:func:`public`) has no exempt word: where exempt text was, it
  says that it is exempt and under which paragraph; an exempt item keeps only its ref
  and that sentence. An item whose status or deadline is exempt is in no count, list or
  chart (the status summary, the overdue list, the exceptions, the direction of travel,
  the changes, the current bar of progress across meetings), and the summary's note says
  how many are left out: counting it would give its status away by difference;
* the **exempt** edition (:func:`exempt`) is the whole paper, marked "NOT FOR
  PUBLICATION" with the paragraphs on the covering page, in the running footer of every
  page and in the document's properties;
* the **exception report** (:func:`exceptions_only`) keeps the covering page, the
  exceptions with their full rows, the status summary and the direction of travel, and
  says where the full report is. It is cut from an edition already made, so the public
  exception report lists only what the public edition shows as an exception.

The renderers see only the plan; nothing here imports Jinja, python-docx or WeasyPrint.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from .models import WHOLE_ITEM
from .plan import Lead, ReportPlan, Row, footer_line, summarise
from .problems import BadOption
from .progress import THIS_REPORT, count, exceptions
from .project import Project
from .shape import EXEMPT, StatusDef

EDITIONS = ("public", "exempt", "both")
#: The item fields each row shows as paragraphs.
#: The text fields of today's shape, and the Row attribute printing each (an action is
#: printed from its cell alone).
TEXT_FIELDS = {"gap": "text", "recommendation": "text", "action": None, "update": "update"}


@dataclass(frozen=True)
class Exemption:
    """What of one item is exempt: the whole item, or fields, each with its paragraph."""

    whole: int | None
    fields: dict[str, int]

    @property
    def paragraphs(self) -> set[int]:
        return {self.whole} if self.whole is not None else set(self.fields.values())

    def hides(self, name: str) -> bool:
        return self.whole is not None or name in self.fields


def exemption(item: Any) -> Exemption | None:
    """The item's exemption (a model's ``exempt``, or a generic item's value)."""
    values = item.__dict__.get("values") if hasattr(item, "__dict__") else None
    raw = values.get(EXEMPT) if isinstance(values, dict) else getattr(item, EXEMPT, None)
    if not raw:
        return None
    whole = raw.get(WHOLE_ITEM)
    return Exemption(whole, {k: v for k, v in raw.items() if k != WHOLE_ITEM})


def exemptions(project: Project) -> dict[str, Exemption]:
    """ref -> exemption, for every item marked exempt."""
    items = [*project.items, *(i for kind in project.kind_items.values() for i in kind)]
    return {item.ref: found for item in items if (found := exemption(item)) is not None}


def paragraphs(project: Project) -> list[int]:
    """The paragraphs of Schedule 12A the plan's exempt information falls under."""
    return sorted(set().union(*(e.paragraphs for e in exemptions(project).values())))


def rows(plan: ReportPlan) -> list[Row]:
    return plan.rows


#: The exempt badge's colour: white, no status's tint (its own style in report.css).
EXEMPT_COLOUR = "#FFFFFF"


def _cell(row: Row, name: str):
    return next((cell for cell in row.cells if cell.name == name), None)


def _exempt_status(plan: ReportPlan, paragraph: int) -> StatusDef:
    """Said in place of a status: its word, "Exempt (Schedule 12A, paragraph 7)", on
    white (report.css: a dashed badge), never in a status's tint such as not-started grey."""
    return StatusDef("exempt", EXEMPT_COLOUR, label=plan.words.exempt_short(paragraph))


def public(plan: ReportPlan, project: Project) -> ReportPlan:
    """The plan with every exempt word left out (a new plan when there is any; ``plan``
    is unchanged)."""
    found = exemptions(project)
    if not found:  # nothing to leave out: the plan as it is (it is public already)
        return plan
    plan = copy.deepcopy(plan)
    plan.edition = "public"
    words = plan.words
    changes = {change.ref: change for change in plan.changes}
    uncounted = {ref for ref, ex in found.items()
                 if ex.whole is not None or {"status", "due"} & set(ex.fields)}
    for row in rows(plan):
        ex = found.get(row.ref)
        if ex is None:
            continue
        if ex.whole is not None:
            _whole(plan, row, ex.whole)
            continue
        for name, paragraph in ex.fields.items():
            sentence = words.exempt_sentence(paragraph)
            if name in TEXT_FIELDS:
                if TEXT_FIELDS[name]:
                    setattr(row, TEXT_FIELDS[name], [sentence])
                if (cell := _cell(row, name)) is not None:
                    cell.paragraphs = [sentence]
            elif name == "lead":
                row.leads = [Lead(words.exempt_short(paragraph), sentence)]
                if (cell := _cell(row, name)) is not None:
                    cell.leads = row.leads
            elif name == "status":
                row.status = _exempt_status(plan, paragraph)
                row.direction = row.direction_kind = None
                row.overdue_days = None
            elif name == "due":
                row.due = row.due_exempt = words.exempt_short(paragraph)
                row.overdue_days = None
            elif name == "indicator":
                row.figure = None
        change = changes.get(row.ref)
        row.changes = [f.words for f in change.fields
                       if not ex.hides(f.field)] if change is not None else []
    plan.changes = _changes(plan.changes, found)
    plan.overdue = [replace(late, lead=[words.exempt_short(found[late.ref].fields["lead"])])
                    if late.ref in found and "lead" in found[late.ref].fields else late
                    for late in plan.overdue if late.ref not in uncounted]
    plan.exceptions = exceptions(rows(plan), project.statuses, words)
    _recount(plan, project, found, uncounted)
    return plan


def _whole(plan: ReportPlan, row: Row, paragraph: int) -> None:
    """A wholly exempt item: its ref and the sentence saying it is exempt, nothing else."""
    row.text = [plan.words.exempt_sentence(paragraph)]
    row.update, row.changes = [], []
    # a table's lead cell says so too (a recommendation with none shows no lead line)
    row.leads = ([Lead(plan.words.exempt_short(paragraph), row.text[0])]
                 if any(r is row for section in plan.sections for r in section.rows) else [])
    row.status = _exempt_status(plan, paragraph)
    row.due = row.due_exempt = row.overdue_days = row.figure = None
    row.direction = row.direction_kind = None
    for cell in row.cells:  # what the table and the blocks print
        cell.paragraphs = row.text if cell.name in ("gap", "recommendation") else []
        cell.leads = row.leads if cell.type == "agencies" else []


def _changes(changes: list, found: dict[str, Exemption]) -> list:
    """The changes section without a wholly exempt item or an exempt field."""
    kept = []
    for change in changes:
        ex = found.get(change.ref)
        if ex is None:
            kept.append(change)
        elif ex.whole is None:
            fields = tuple(f for f in change.fields if not ex.hides(f.field))
            if fields or not change.fields or change.moved:
                kept.append(replace(change, fields=fields))
    return kept


def _recount(plan: ReportPlan, project: Project, found: dict[str, Exemption],
             uncounted: set[str]) -> None:
    """The status summary and the current bar of progress, without the items whose
    status or deadline is exempt; an exempt lead is in no agency's line."""
    if not project.items:  # nothing to count
        return
    counted = [i for i in project.items if i.ref not in uncounted]
    statuses = project.statuses
    overall = summarise(SimpleNamespace(items=counted, agencies=project.agencies,
                                        statuses=statuses), plan.words)
    led = [i for i in counted if not (i.ref in found and found[i.ref].hides("lead"))]
    by_lead = summarise(SimpleNamespace(items=led, agencies=project.agencies,
                                        statuses=statuses), plan.words)
    plan.summary = replace(overall, by_lead=by_lead.by_lead, no_lead=by_lead.no_lead)
    if uncounted:
        plan.words = replace(plan.words, several_leads=plan.words.uncounted(
            plan.words.several_leads, len(uncounted)))
    view = plan.progress
    if uncounted and view is not None and view.points:
        last = view.points[-1]
        if last.meeting == "current" or view.names[-1].endswith(f"({THIS_REPORT.lower()})") \
                or view.names[-1] == THIS_REPORT:
            view.points[-1] = count(SimpleNamespace(items=counted, statuses=statuses),
                                    last.meeting, last.day, last.commit, last.title)
            view.redraw()


def exempt(plan: ReportPlan, project: Project) -> ReportPlan:
    """The whole paper, marked NOT FOR PUBLICATION with its paragraphs on the covering
    page, in every page's footer and in the document properties."""
    found = paragraphs(project)
    if not found:
        raise BadOption("--edition", "no action is marked exempt (`exempt: 7` in its file, "
                        "or `exempt: {update: 7}` for one field), so there is no exempt "
                        "edition: the public edition is the whole paper")
    plan = copy.deepcopy(plan)
    plan.edition = "exempt"
    words = plan.words
    plan.marking = words.not_for_publication(found)
    plan.notices = [plan.marking, *plan.notices]
    plan.footer = footer_line(words, plan.title, plan.meeting, plan.footer_date.text,
                              words.not_for_publication_short(found))
    plan.meta = {**plan.meta,
                 "description": f"{plan.marking}. {plan.meta.get('description', '')}",
                 "keywords": ", ".join(["NOT FOR PUBLICATION", *plan.keywords]),
                 "dcterms.accessRights": plan.marking}
    plan.keywords = ["NOT FOR PUBLICATION", *plan.keywords]
    return plan


def edition(plan: ReportPlan, project: Project, name: str) -> ReportPlan:
    """``name`` is "public" or "exempt"."""
    return exempt(plan, project) if name == "exempt" else public(plan, project)


def exceptions_only(plan: ReportPlan, full: str) -> ReportPlan:
    """The exception report: the covering page (titled as such, saying where the ``full``
    report is), the exceptions with their full rows, the status summary with the overdue
    list, and the direction of travel. Made from an edition already made."""
    plan = copy.deepcopy(plan)
    found = plan.exceptions
    total = len(rows(plan))
    keep = set()
    if found is not None:
        keep = {id(row) for group in (*(g.rows for g in found.groups), found.worse)
                for row in group}
    for part in plan.parts:
        part.rows = [row for row in part.rows if id(row) in keep]
        for section in part.sections:
            section.rows = [row for row in section.rows if id(row) in keep]
        part.sections = [section for section in part.sections if section.rows]
    plan.parts = [part for part in plan.parts if part.rows]
    words = plan.words
    plan.title = words.exception_title(plan.title)
    mark = plan.footer.split(" · ")[0] if plan.edition == "exempt" else ""
    plan.footer = footer_line(words, plan.title, plan.meeting, plan.footer_date.text, mark)
    plan.notices = [*plan.notices, words.exception_report(full, total)]
    plan.since, plan.changes = None, []
    plan.progress = plan.figures = None
    return plan
