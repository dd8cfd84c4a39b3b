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
from typing import Any, cast

from . import fieldtypes
from .changes import Change, FieldChange
from .models import WHOLE_ITEM
from .plan import (
    Lead,
    Overdue,
    Part,
    ReportPlan,
    Row,
    exceptions_in,
    footer_line,
    mark_tall,
    statuses_in,
    summarise,
)
from .problems import BadOption
from .progress import count, recount
from .project import Project
from .shape import EXEMPT, INDICATOR, Kind, StatusDef, natural_key

#: The name of the current files' point in the meetings' counts (meetings.CURRENT).
CURRENT = "current"

EDITIONS = ("public", "exempt", "both")


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

    def hides_role(self, item: Any, role: str) -> bool:
        """Whether the item's status, deadline or lead (``role``: "status_field",
        "due_field", "lead_field": the first field of that type in its kind) is exempt."""
        found = getattr(item.kind, role, None) if item is not None else None
        return self.whole is not None or (found is not None and found.name in self.fields)

    def uncounts(self, item: Any) -> bool:
        """An item whose status or deadline is exempt is in no count: counting it would
        give its status away by difference."""
        return self.hides_role(item, "status_field") or self.hides_role(item, "due_field")


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


def _copy(plan: ReportPlan) -> ReportPlan:
    """An edition's own copy of the plan, to change freely; the rows' origins (the rows
    the preview kept, see render.Fragments) stay themselves, not copies."""
    return copy.deepcopy(plan, {id(row.origin): row.origin for part in plan.parts
                                for row in part.rows if row.origin is not None})


def _cell(row: Row, name: str):
    return next((cell for cell in row.cells if cell.name == name), None)


def _exempt_status(plan: ReportPlan, paragraph: int) -> StatusDef:
    """Said in place of a status: its word, "Exempt (Schedule 12A, paragraph 7)", on
    white (report.css: a dashed badge), never in a status's tint such as not-started grey."""
    return StatusDef("exempt", EXEMPT_COLOUR, label=plan.words.exempt_short(paragraph))


def _uncounted(project: Project, found: dict[str, Exemption]) -> set[str]:
    """The refs of the items of ``project`` whose status or deadline is exempt."""
    return {ref for ref, ex in found.items() if ex.uncounts(project.find(ref))}


def public(plan: ReportPlan, project: Project, *, old: Project | None = None,
           meetings: dict[str, Project] | None = None) -> ReportPlan:
    """The plan with every exempt word left out (a new plan when there is any; ``plan``
    is unchanged).

    Every field of the plan's own shape may be exempt, and is left out by its type. A
    field exempt now or in ``old`` (the plan at the meeting compared with) is quoted in
    no change and no direction of travel; an item whose status or deadline is exempt
    now, in ``old`` or at one of ``meetings`` (tag -> the plan at that meeting, the
    progress chart's) is in no meeting's count."""
    meetings = meetings or {}
    found = exemptions(project)
    before = exemptions(old) if old is not None else {}
    past = {tag: exemptions(then) for tag, then in meetings.items()}
    if not found and not before and not any(past.values()):
        return plan  # nothing to leave out: the plan as it is (it is public already)
    plan = _copy(plan)
    plan.edition = "public"
    words = plan.words
    changes = {change.ref: change for change in plan.changes}
    uncounted = _uncounted(project, found)
    published: dict[str, list[Published]] = {}
    items = {item.ref: item for item in project.items}
    earlier = {item.ref: item for item in old.items} if old is not None else {}
    for part in plan.parts:
        for row in part.rows:
            item, ex = items.get(row.ref), found.get(row.ref)
            if item is not None and ex is not None:
                if ex.whole is not None:
                    _whole(plan, part, row, ex.whole)
                    continue
                for name, paragraph in ex.fields.items():
                    _field(plan, part, row, item.kind, name, paragraph)
            then, was = earlier.get(row.ref), before.get(row.ref)
            if was is not None and was.hides_role(then, "status_field") \
                    and row.direction_kind not in (None, "new"):
                # what it was is exempt: neither quoted nor compared with
                row.direction, row.direction_kind = words.travel_exempt, "exempt"
            change = changes.get(row.ref)
            row.changes = [f.words for f in change.fields
                           if not _hidden(f.field, ex, was)] if change is not None else []
            if item is not None and was is not None:
                published[row.ref] = _published(item, ex, was, words)
                row.changes += [f.words for f in published[row.ref]]
    for part in plan.parts:  # how tall a row is says nothing of what was left out
        if not part.blocks:
            mark_tall(part.columns, part.rows)
    plan.changes = _changes(plan.changes, found, before, published, project, words)
    plan.overdue = [_overdue(late, project, found, words) for late in plan.overdue
                    if late.ref not in uncounted]
    main = project.languages[0]
    plan.exceptions = exceptions_in(rows(plan), statuses_in(project.statuses, plan.language,
                                                             main), words, main)
    _recount(plan, project, found, uncounted)
    left_out = (uncounted | (_uncounted(old, before) if old is not None else set())
                | set().union(*(_uncounted(meetings[tag], f) for tag, f in past.items())))
    _progress(plan, project, meetings, left_out)
    return plan


@dataclass(frozen=True)
class Published:
    """A field exempt at the meeting compared with and public now, as a change says it:
    said whether or not its value changed, which would give the value then away."""

    field: str
    words: str
    old = new = None
    text = False

    @property
    def summary(self) -> str:
        return self.words

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": None, "new": None}


def _published(item: Any, now: Exemption | None, was: Exemption, words) -> list[Published]:
    """What of ``item`` was exempt at the meeting compared with and is public now."""
    if now is not None and now.whole is not None:
        return []
    if was.whole is not None and now is None:
        return [Published("", words.exempt_published(""))]
    names = [f.name for f in item.kind.fields] if was.whole is not None else list(was.fields)
    found = []
    for name in names:
        if now is None or not now.hides(name):
            field = item.kind.field(name)
            label = words.kind(item.kind.name).labels.get(name, field.label if field else name)
            found.append(Published(name, words.exempt_published(label)))
    return found


def _hidden(name: str, now: Exemption | None, was: Exemption | None) -> bool:
    """A field exempt now or at the meeting compared with: never quoted as changed."""
    return any(ex is not None and ex.hides(name) for ex in (now, was))


def _field(plan: ReportPlan, part: Part, row: Row, kind: Kind, name: str,
           paragraph: int) -> None:
    """One exempt field left out of its row, by its type: text says it is exempt; a
    status, a lead or a number says so shortly; a status or deadline is no longer late."""
    words = plan.words
    sentence, short = words.exempt_sentence(paragraph), words.exempt_short(paragraph)
    if name == INDICATOR:
        row.figure = None
        return
    found, cell = kind.field(name), _cell(row, name)
    if found is None:
        return
    said = [short]
    type_ = fieldtypes.get(found.type)
    if type_.wording:
        said = [sentence]
        if name == part.title_field:
            row.text = said
        if name == part.update_field:
            row.update = said
    elif type_.is_agencies:
        leads = [Lead(short, sentence)]
        if kind.lead_field is not None and name == kind.lead_field.name:
            row.leads = leads
        if cell is not None:
            cell.leads = leads
        return
    elif type_.is_status and kind.status_field is not None \
            and name == kind.status_field.name:
        row.status = _exempt_status(plan, paragraph)
        row.direction = row.direction_kind = None
        row.overdue_days = None
    elif type_.is_due:
        said = [sentence]
        if kind.due_field is not None and name == kind.due_field.name:
            row.due = row.due_exempt = sentence
            row.overdue_days = None
    if cell is not None:
        cell.paragraphs = said


def _whole(plan: ReportPlan, part: Part, row: Row, paragraph: int) -> None:
    """A wholly exempt item: its ref and the sentence saying it is exempt, nothing else."""
    row.text = [plan.words.exempt_sentence(paragraph)]
    row.update, row.changes = [], []
    # a table's lead cell says so too (a block with none shows no lead line)
    row.leads = ([Lead(plan.words.exempt_short(paragraph), row.text[0])]
                 if part.layout == "table" else [])
    row.status = _exempt_status(plan, paragraph)
    row.due = row.due_exempt = row.overdue_days = row.figure = None
    row.direction = row.direction_kind = None
    said = part.title_field or next((c.name for c in row.cells if not c.apart), "")
    for cell in row.cells:  # what the table and the blocks print
        cell.paragraphs = row.text if cell.name == said else []
        cell.leads = row.leads if cell.is_agencies else []


def _overdue(late: Overdue, project: Project, found: dict[str, Exemption],
             words) -> Overdue:
    """An overdue action as listed: an exempt lead said to be exempt."""
    ex, item = found.get(late.ref), project.find(late.ref)
    if ex is None or not ex.hides_role(item, "lead_field"):
        return late
    paragraph = ex.whole if ex.whole is not None else ex.fields[item.kind.lead_field.name]
    return replace(late, lead=[words.exempt_short(paragraph)])


def _changes(changes: list, found: dict[str, Exemption], before: dict[str, Exemption],
             published: dict[str, list[Published]], project: Project, words) -> list:
    """The changes section without a wholly exempt item, nor a field exempt now or at
    the meeting compared with; a field exempt then and public now is said to be."""
    kept = []
    for change in changes:
        ex, was = found.get(change.ref), before.get(change.ref)
        if ex is None and was is None:
            kept.append(change)
        elif ex is None or ex.whole is None:
            fields = (*(f for f in change.fields if not _hidden(f.field, ex, was)),
                      *published.pop(change.ref, ()))
            if fields or not change.fields or change.moved:
                kept.append(replace(change, fields=fields))
    for ref, said in published.items():  # public now, its value unchanged or not
        item = project.find(ref)
        if said and item is not None:
            source = project.sources.get(ref)
            path = None if source is None else source.path
            # a Published reads as a FieldChange does (field, words, summary, as_dict)
            named = words.kind_if_any(item.kind.name)
            kept.append(Change(ref, named.name if named else item.kind.name,
                               words.item_changed("changed"),
                               cast("tuple[FieldChange, ...]", tuple(said)), path, path,
                               words))
    return sorted(kept, key=lambda change: natural_key(change.ref))


def _like(**fields: Any) -> Project:
    """A stand-in for the project with only the fields summarise and count read."""
    return cast(Project, SimpleNamespace(**fields))


def _recount(plan: ReportPlan, project: Project, found: dict[str, Exemption],
             uncounted: set[str]) -> None:
    """The status summary without the items whose status or deadline is exempt; an
    exempt lead is in no agency's line."""
    if not project.items:  # nothing to count
        return
    counted = [i for i in project.items if i.ref not in uncounted]
    statuses = project.statuses
    overall = summarise(_like(items=counted, agencies=project.agencies,
                                        statuses=statuses), plan.words,
                        project.languages[0])
    led = [i for i in counted if not (i.ref in found and found[i.ref].hides_role(i, "lead_field"))]
    by_lead = summarise(_like(items=led, agencies=project.agencies,
                                        statuses=statuses), plan.words,
                        project.languages[0])
    plan.summary = replace(overall, by_lead=by_lead.by_lead, no_lead=by_lead.no_lead)
    if uncounted:
        plan.words = replace(plan.words, several_leads=plan.words.uncounted(
            plan.words.several_leads, len(uncounted)))


def _progress(plan: ReportPlan, project: Project, meetings: dict[str, Project],
              left_out: set[str]) -> None:
    """Progress across meetings with every meeting counted again without the items
    whose status or deadline is exempt now or at any meeting compared (else the bars'
    difference would give it away); the note says how many are not counted."""
    view = plan.progress
    if view is None or not view.points or not left_out:
        return
    statuses = list(view.points[-1].counts)
    kept_at, present = [], set()
    for index, point in enumerate(view.points):
        then = project if point.meeting == CURRENT else meetings.get(point.meeting)
        if then is None:  # a meeting that cannot be counted again is not shown
            continue
        present |= {i.ref for i in then.items}
        kept = [i for i in then.items if i.ref not in left_out]
        view.points[index] = recount(count(_like(items=kept, statuses=then.statuses),
                                           point.meeting, point.day, point.commit,
                                           point.title), statuses)
        kept_at.append(index)
    if len(kept_at) < len(view.points):
        view.points, view.names = ([view.points[i] for i in kept_at],
                                   [view.names[i] for i in kept_at])
        view.labels = [view.labels[i] for i in kept_at if i < len(view.labels)]
        view.nouns = [view.nouns[i] for i in kept_at if i < len(view.nouns)]
    if present & left_out:
        plan.words = replace(plan.words, progress_uncounted=len(present & left_out))
        view.words = replace(view.words, progress_uncounted=len(present & left_out))
    view.redraw()


def exempt(plan: ReportPlan, project: Project) -> ReportPlan:
    """The whole paper, marked NOT FOR PUBLICATION with its paragraphs on the covering
    page, in every page's footer and in the document properties."""
    found = paragraphs(project)
    if not found:
        raise BadOption("--edition", "no action is marked exempt (`exempt: 7` in its file, "
                        "or `exempt: {update: 7}` for one field), so there is no exempt "
                        "edition: the public edition is the whole paper")
    plan = _copy(plan)
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


def edition(plan: ReportPlan, project: Project, name: str, *, old: Project | None = None,
            meetings: dict[str, Project] | None = None) -> ReportPlan:
    """``name`` is "public" or "exempt"; ``old`` and ``meetings`` are the plans compared
    with (see :func:`public`)."""
    if name == "exempt":
        return exempt(plan, project)
    return public(plan, project, old=old, meetings=meetings)


def exceptions_only(plan: ReportPlan, full: str) -> ReportPlan:
    """The exception report: the covering page (titled as such, saying where the ``full``
    report is), the exceptions with their full rows, the status summary with the overdue
    list, and the direction of travel. Made from an edition already made."""
    plan = _copy(plan)
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
    plan.notices = [*plan.notices, words.exception_report(
        full, total, found.statuses if found is not None else [])]
    plan.since, plan.changes = None, []
    plan.progress = plan.figures = None
    return plan
