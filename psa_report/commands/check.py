"""``check``: validate the plan; errors stop, warnings are reported."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .. import history
from ..figures import FIGURES
from ..figures_view import check_indicator_names, load_figures
from ..models import Status
from ..problems import Problem, sort_problems, warning
from ..project import Project
from .common import load

#: An open action this long past its deadline, with no change since, is worth a warning.
STALE_AFTER = timedelta(days=90)


@dataclass
class CheckResult:
    project: Project
    warnings: list[Problem]

    @property
    def summary(self) -> str:
        """"OK: 10 data gaps, 5 recommendations (1 complete, 7 on track, ...)."."""
        project = self.project
        counts = Counter(item.status for item in project.items)
        by_status = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        gaps, recs = len(project.data_gaps), len(project.recommendations)
        text = (f"OK: {gaps} data gap{'s' if gaps != 1 else ''}, {recs} "
                f"recommendation{'s' if recs != 1 else ''}")
        return text + (f" ({by_status})." if by_status else ".")


def check(root: Path) -> CheckResult:
    """Load and validate every file (raises Invalid on errors); return the warnings too."""
    project = load(root)
    indicators = load_figures(root)[1] if (Path(root) / FIGURES).is_dir() else None
    check_indicator_names(project, indicators)  # an item's indicator: is in indicators.yaml
    return CheckResult(project, sort_problems(project.warnings + stale(project)))


def stale(project: Project) -> list[Problem]:
    """Open actions whose deadline is long past (as at the report's date) and whose
    file has not changed since that deadline (by git; outside git, by date alone)."""
    report = project.report
    as_of = report.meeting_date or report.date
    late = [i for i in project.items if i.due is not None and i.status is not Status.COMPLETE
            and i.due.day + STALE_AFTER < as_of]
    if not late:
        return []
    changed = history.last_changed(project.root)
    found = []
    for item in late:
        source = project.sources[item.ref]
        last = None if changed is None else changed.get(source.path)
        if last is not None and last > item.due.day:
            continue
        since = "" if last is None else f", and its file has not changed since {last:%-d %B %Y}"
        found.append(warning(*project.where(item.ref, "due"),
            f"{item.ref} was due {item.due.long} and is still {item.status.value}"
            f"{since}: record the progress in `update:` and set a new `due:`, or mark "
            "it complete"))
    return found
