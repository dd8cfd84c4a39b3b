"""Stage 4, render: the planned report through Jinja to one self-contained HTML file.

Templates are looked up file by file: first in the project's own ``templates/``
folder, then in the defaults shipped inside the package, so a user can override
``report.css`` alone and keep the rest (as an mkdocs theme is overridden).

Data never becomes template source: it is passed to the templates as values and
HTML-escaped on output (``autoescape``), so text that looks like HTML or Jinja
(``<script>``, ``{{ 7*7 }}``) prints literally.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .dates import long_date
from .plan import ReportPlan
from .problems import Invalid, Problem

REPORT_TEMPLATE = "report.html"


def _package_templates() -> Path:
    # Installed from a wheel the defaults are psa_report/templates; in a source
    # checkout (or an editable install) they are the repository's templates/.
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / REPORT_TEMPLATE).is_file():
            return candidate
    raise RuntimeError(f"psa-report's default templates are missing beside {here}")


PACKAGE_TEMPLATES = _package_templates()


def template_dirs(project_root: Path) -> list[Path]:
    """The folders templates are looked up in, the project's own first."""
    dirs = []
    own = (project_root / "templates").resolve()
    if own.is_dir():
        dirs.append(own)
    if PACKAGE_TEMPLATES not in dirs:
        dirs.append(PACKAGE_TEMPLATES)
    return dirs


_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")


def ordinals(text: str) -> Markup:
    """Escape ``text`` and raise ordinal suffixes: 23rd -> 23<sup>rd</sup>."""
    return Markup(_ORDINAL.sub(r"\1<sup>\2</sup>", str(escape(text))))


def paragraphs(text: str) -> list[str]:
    """Split text into paragraphs at its line breaks.

    In a ``>-`` block a single line break is folded into a space, so a line
    break that survives is one the user meant: a blank line in the YAML.
    """
    return [p.strip() for p in text.split("\n") if p.strip()]


def environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ordinals"] = ordinals
    env.filters["paragraphs"] = paragraphs
    env.filters["long_date"] = long_date
    return env


def render_html(plan: ReportPlan, dirs: list[Path], **extra) -> str:
    """Render the report; a broken template is reported at its file and line."""
    env = environment(dirs)
    try:
        return env.get_template(REPORT_TEMPLATE).render(plan=plan, **extra)
    except jinja2.TemplateSyntaxError as error:
        raise Invalid([Problem(_template_name(error.filename, dirs), error.lineno, None,
                               f"template error: {error.message}")]) from None
    except jinja2.TemplateNotFound as error:
        raise Invalid([Problem("templates/", None, None,
                               f"template {error.name!r} not found in "
                               f"{', '.join(str(d) for d in dirs)}")]) from None
    except jinja2.TemplateError as error:
        raise Invalid([Problem("templates/", None, None,
                               f"template error: {error}")]) from None


def _template_name(filename: str | None, dirs: list[Path]) -> str:
    if not filename:
        return "templates/"
    path = Path(filename)
    for d in dirs:
        if path.is_relative_to(d):
            return f"templates/{path.relative_to(d).as_posix()}"
    return str(path)
