"""``requests``, planned: which agency gets which items, in which language, with which
exempt paragraphs, checked before anything is written (as ``collect`` would refuse it).
:mod:`psa_report.workbook_out` lays the plan out; it never reads the project."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .editions import exemptions
from .models import Report
from .partners import MAX_ROWS, PARTNERSHIP, ShapedSent, translated
from .problems import Invalid, Problem
from .project import Project
from .shape import Item, Kind, Shape
from .wording import words_in


@dataclass(frozen=True)
class Request:
    """One agency's workbook: the agency, the language it is written in, its items."""
    code: str
    name: str  # as agencies.yaml gives it ("the Safer Stockton Partnership" for none)
    language: str
    items: list[Item]
    paragraphs: list[int]  # of Schedule 12A, its exempt items'


@dataclass(frozen=True)
class Requests:
    """Every workbook of a round, and what each is worded from."""
    report: Report
    shape: Shape
    kinds: list[Kind]  # the plan's kinds, in its order
    main: str  # the plan's main language
    requests: list[Request]


def plan_requests(project: Project, leads: Iterable[str] | None = None) -> Requests:
    """The round's workbooks, one per lead agency with items not done (``leads``: only
    these); refused with every problem a workbook could not hold."""
    groups = _only(project, _groups(project), leads)
    _check_issuable(project, groups)
    found = exemptions(project)
    requests = [Request(code, project.agencies.get(code, f"the {project.report.partnership}"),
                        project.agency_language(code), items,
                        sorted(set().union(*(found[i.ref].paragraphs for i in items
                                             if i.ref in found))))
                for code, items in groups.items()]
    return Requests(project.report, project.shape, [kind for kind, _ in project.kinds],
                    project.languages[0], requests)


def _groups(project: Project) -> dict[str, list[Item]]:
    """Agency -> its items not done, in agencies.yaml's order (kind by kind, ref order)."""
    groups: dict[str, list] = {code: [] for code in [*project.agencies, PARTNERSHIP]}
    for item in project.items:
        if item.status is not None and item.status.done:
            continue
        for code in item.lead or [PARTNERSHIP]:
            groups[code].append(item)
    return {code: items for code, items in groups.items() if items}


def _only(project: Project, groups: dict[str, list], leads: Iterable[str] | None
          ) -> dict[str, list]:
    """The groups of the agencies asked for (all if None); an unknown agency refused."""
    if leads is None:
        return groups
    leads = list(leads)
    unknown = [code for code in leads if code not in project.agencies
               and code != PARTNERSHIP]
    if unknown:
        raise Invalid([Problem("actions/agencies.yaml", None, None,
            f"{', '.join(unknown)}: not a lead agency here (the agencies are "
            f"{', '.join(project.agencies)}, and {PARTNERSHIP} for the items with no lead)")])
    return {code: items for code, items in groups.items() if code in leads}


def _check_issuable(project: Project, groups: dict[str, list[Item]]) -> None:
    """Refuse what ``collect`` would refuse, or a workbook cannot hold, before writing anything."""
    problems: list[Problem] = []
    for code, items in groups.items():
        if len(items) > MAX_ROWS:
            problems.append(Problem("actions/agencies.yaml", None, None,
                f"{code}: {len(items):,} open actions, more than the {MAX_ROWS:,} rows a "
                "returned workbook may hold: send requests for fewer (use --lead, or mark "
                "finished actions complete)"))
    # every language a workbook goes out in: its texts' translations are written too
    others = {code: words_in(code) for code in {project.agency_language(c) for c in groups}
              if code != project.languages[0]}
    texts = [("actions/report.yaml", name, shown) for name, value in
             (("partnership", project.report.partnership), ("meeting", project.report.meeting))
             for shown in (value, *(translated(value, code) for code in others))]
    texts += [("actions/agencies.yaml", code, f"{code} {shown}")
              for code, name in project.agencies.items()
              for shown in (name, *(translated(name, language) for language in others))]
    issued = {item.ref: item for items in groups.values() for item in items}
    for item in issued.values():  # the items written, once each
        path = project.sources[item.ref].path if item.ref in project.sources else item.ref
        for sent in (ShapedSent.of(item), *(ShapedSent.of(item, code, words)
                                            for code, words in others.items())):
            texts += [(path, name, value) for name, value in sent.given.items()
                      if isinstance(value, str)]
    for path, name, value in dict.fromkeys(texts):  # a text untranslated: once
        bad = _CONTROL.search(value)
        if bad:
            problems.append(Problem(path, None, None,
                f"{name}: holds a control character (U+{ord(bad[0]):04X}) that a workbook "
                "cannot hold: remove it"))
    if problems:
        raise Invalid(problems)


#: What openpyxl refuses in a cell (the C0 controls but tab and line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
