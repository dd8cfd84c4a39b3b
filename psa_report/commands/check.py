"""``check``: validate the plan; errors stop, warnings are reported."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problem
from ..project import Project
from ..validate import validate, words_to_translate
from ..wording import plural


@dataclass
class CheckResult:
    project: Project
    warnings: list[Problem]

    @property
    def summary(self) -> str:
        """"OK: 10 data gaps, 5 recommendations (1 complete, 7 on track, ...)."; the items
        with no status (status_required: false) counted too, so the numbers add up."""
        project = self.project
        counts = Counter(item.status for item in project.items)
        by_status = ", ".join([f"{counts[s]} {s.value}" for s in project.statuses if counts[s]]
                              + ([f"{counts[None]} with no status"]
                                 if counts[None] and len(counts) > 1 else []))
        text = "OK: " + ", ".join(plural(len(items), kind.name, kind.plural)
                                  for kind, items in project.kinds)
        return text + (f" ({by_status})." if by_status else ".")


def check(root: Path) -> CheckResult:
    """Load and validate every file (raises Invalid on errors); return the warnings too
    (a plan in two languages: with the tool's own words still to translate into one)."""
    checked = validate(root)
    languages = checked.project.languages
    return CheckResult(checked.project, checked.warnings + (
        words_to_translate(languages) if len(languages) > 1 else []))
