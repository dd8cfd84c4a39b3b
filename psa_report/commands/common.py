"""What several operations share: loading the project and naming agencies and refs."""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import overload

from ..problems import BadOption
from ..project import Project, load_project
from ..shape import MAX_REF_LENGTH, Item, Shape


def load(root: Path) -> Project:
    return load_project(Path(root))


@overload
def agency(project: Project, lead: str, option: str = ...) -> str: ...
@overload
def agency(project: Project, lead: None, option: str = ...) -> None: ...
@overload
def agency(project: Project, lead: str | None, option: str = ...) -> str | None: ...


def agency(project: Project, lead: str | None, option: str = "--lead") -> str | None:
    """The agency's short name as agencies.yaml spells it (any case), or BadOption."""
    if lead is None or lead in project.agencies:
        return lead
    by_case = {code.lower(): code for code in project.agencies}
    if lead.lower() in by_case:
        return by_case[lead.lower()]
    raise BadOption(option, f"{lead!r} is not a known agency: use one of "
                            f"{', '.join(project.agencies)}")


def item(project: Project, ref: str, option: str = "REF") -> Item:
    """The item with this ref (any case: r6 is R6), or BadOption with the nearest ref."""
    if len(ref) > MAX_REF_LENGTH:
        raise BadOption(option, f"{ref[:MAX_REF_LENGTH]!r}... is too long for a ref "
                        f"({len(ref):,} characters; at most {MAX_REF_LENGTH})")
    found = project.find(ref) or project.find(ref.upper())
    if found is not None:
        return found
    near = get_close_matches(ref.upper(), list(project.sources), n=1)
    hint = f" Did you mean {near[0]}?" if near else ""
    raise BadOption(option, f"no {' or '.join(k.name for k in project.shape.kinds)} has "
                    f"the ref {ref!r}.{hint}")


def headings(shape: Shape, columns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A listing's columns headed in the plan's words, as the report heads them: its lead,
    status and due columns under the labels the plan's kinds give those fields ("Lead
    partner", "RAG": Shape.label_of). CSV keys stay."""
    roles = {"lead": "lead_field", "status": "status_field", "due": "due_field"}
    return tuple((key, (shape.label_of(roles[key]) or heading) if key in roles else heading)
                 for key, heading in columns)


def leads_text(lead: list[str]) -> str:
    """Joint leads as the plan writes them: "Police, Housing Association"."""
    return ", ".join(lead)
