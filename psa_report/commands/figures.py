"""``figures``: police.uk crime files imported into figures/crime.csv, and the quarter's
table of crime and disorder (the same table the report prints)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..chars import refused
from ..figures import MAX_NAME_CHARS, ImportResult, import_crime
from ..problems import BadOption, Invalid, Problem
from ..project import ACTIONS, REPORT_FILE, read_report

if TYPE_CHECKING:
    from ..figures_view import FiguresView


def import_figures(root: Path, paths: list[Path], area: str | None = None) -> ImportResult:
    """Count the area's rows of the police.uk street-level files at ``paths`` into
    figures/crime.csv. The area is ``area``, else report.yaml's ``area:``."""
    if area is None:
        if not (Path(root) / ACTIONS).is_dir():
            raise BadOption("--area", "name the area (such as --area Stockton-on-Tees): there "
                            "is no project here whose report.yaml could name it")
        area = read_report(root).area
        if area is None:
            raise BadOption("--area", "no area is named: give --area NAME (the start of "
                            "the area's LSOA names, such as Stockton-on-Tees) or add "
                            f"`area: Stockton-on-Tees` to {ACTIONS}/{REPORT_FILE}")
    area = area.strip()
    if not area:
        raise BadOption("--area", "is empty: give the start of the area's LSOA names, such as "
                        "Stockton-on-Tees")
    if len(area) > MAX_NAME_CHARS:
        raise BadOption("--area", f"is {len(area):,} characters long, longer than any area's "
                        f"name (at most {MAX_NAME_CHARS}): give the start of the area's LSOA "
                        "names, such as Stockton-on-Tees")
    if (wrong := refused(area, name=True)) is not None:
        raise BadOption("--area", wrong[1])
    here = Path.cwd()

    def shown(path: Path) -> str:
        try:
            return os.path.relpath(path, here)
        except ValueError:  # another drive, on Windows
            return str(path)

    return import_crime(Path(root), [Path(p) for p in paths], area, shown=shown)


def figures(root: Path, period: str | None = None) -> FiguresView:
    """The quarter's crime table and indicators, as the report shows them."""
    from ..figures_view import plan_figures

    report = read_report(root)
    view = plan_figures(Path(root), report.area, report.population, period)
    if view is None:
        raise Invalid([Problem("figures/", None, None,
            "there are no figures in this project yet: import police.uk street-level files "
            "with `psa-report figures import PATH`")])
    return view
