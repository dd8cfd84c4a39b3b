"""Stage 4, render: the planned report through Jinja to one self-contained HTML file.

Templates are looked up file by file: first in the project's own ``templates/``
folder, then in the defaults shipped inside the package, so a user can override
``report.css`` alone and keep the rest (as an mkdocs theme is overridden).

Trust: templates are code someone else may have written (a shared repository),
so they run in Jinja's immutable sandbox: no attribute starting with ``_``, no
method that changes a value, so ``lipsum.__globals__``, ``self.__init__`` or
``''.__class__.__subclasses__()`` stop the build with the template's name and
line.  They may include or extend only regular files inside the template
folders (no ``../``, no symbolic link leading out).  Data never becomes template
source: it is passed as values and HTML-escaped on output (``autoescape``).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from .dates import long_date
from .figures_view import number_text
from .files import decode_utf8
from .plan import ReportPlan, paragraphs
from .problems import Invalid, Problem

REPORT_TEMPLATE = "report.html"
#: Largest template file accepted (the shipped ones are a few KB).
MAX_TEMPLATE_BYTES = 1024 * 1024


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


def template_problem(name: str, line: int | None, message: str) -> Invalid:
    return Invalid([Problem(f"templates/{name}", line, None, message)])


class TemplateFolders(jinja2.BaseLoader):
    """Regular files inside the template folders, the first folder's copy first."""

    def __init__(self, dirs: list[Path]):
        self.dirs = [d.resolve() for d in dirs]

    def get_source(self, environment, template):
        parts = template.replace("\\", "/").split("/")
        if template.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise template_problem(template, None,
                "refused: a template may only include files inside the templates "
                "folder, by a plain name such as \"status.html\" (no ../ or /)")
        for folder in self.dirs:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            real = path.resolve()
            if not any(real.is_relative_to(d) for d in self.dirs):
                raise template_problem(template, None,
                    f"refused: it is a link to {real}, outside the templates folders: "
                    "copy the file into templates/ instead")
            try:
                info = os.stat(real)
                if not stat.S_ISREG(info.st_mode):
                    raise template_problem(template, None,
                        "refused: not a regular file (a folder, device or pipe)")
                with open(real, "rb") as handle:
                    raw = handle.read(MAX_TEMPLATE_BYTES + 1)
            except OSError as error:
                raise template_problem(template, None,
                    f"cannot be read: {error.strerror or error}") from None
            if len(raw) > MAX_TEMPLATE_BYTES:
                raise template_problem(template, None,
                    f"is over {MAX_TEMPLATE_BYTES:,} bytes, too large for a template")
            source = decode_utf8(raw, lambda line, column, byte: template_problem(
                template, line, "is not UTF-8 text: save it as UTF-8 in your editor"))  # noqa: B023
            mtime = info.st_mtime_ns
            return source, str(real), lambda: _mtime(real) == mtime  # noqa: B023 (returns)
        raise jinja2.TemplateNotFound(template)


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(
        loader=TemplateFolders(list(dirs)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,  # a template edited while `serve` runs is compiled again
    )
    for name in ("lipsum", "cycler", "joiner"):  # not needed; less to reach for
        env.globals.pop(name, None)
    env.filters["ordinals"] = ordinals
    env.filters["paragraphs"] = paragraphs  # for a project's own templates
    env.filters["long_date"] = long_date
    env.filters["number"] = number_text  # 1,234; "–" for no figure
    return env


def environment(dirs: list[Path]) -> jinja2.Environment:
    """One environment per set of folders, kept for the process: templates compile once."""
    return _environment(tuple(d.resolve() for d in dirs))


def render_html(plan: ReportPlan, dirs: list[Path]) -> str:
    """Render the report; a broken or unsafe template is reported at its file and line."""
    env = environment(dirs)
    try:
        return env.get_template(REPORT_TEMPLATE).render(plan=plan)
    except Invalid:
        raise
    except jinja2.TemplateSyntaxError as error:
        raise Invalid([Problem(_template_name(error.filename, dirs), error.lineno, None,
                               f"template error: {error.message}")]) from None
    except jinja2.TemplateNotFound as error:
        raise Invalid([Problem("templates/", None, None,
                               f"template {error.name!r} not found in "
                               f"{', '.join(str(d) for d in dirs)}")]) from None
    except SecurityError as error:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None,
            f"refused: the template tried something templates may not do ({error}); "
            "templates can only show the report's values")]) from None
    except RecursionError:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None,
            "template error: templates include each other (or one includes itself) "
            "without end: remove the include that loops")]) from None
    except jinja2.UndefinedError as error:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None, f"template error: {error.message}")]) \
            from None
    except jinja2.TemplateError as error:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None, f"template error: {error}")]) from None
    except Exception as error:  # a template's own expression failed ({{ 1/0 }})
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None,
            f"template error: {type(error).__name__}: {error}")]) from None


def _where(tb, dirs: list[Path]) -> tuple[str, int | None]:
    """The innermost template frame of a traceback: (templates/NAME, line)."""
    found: tuple[str, int | None] = ("templates/", None)
    roots = [d.resolve() for d in dirs]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(Path(filename).is_relative_to(d) for d in roots):
            found = (_template_name(filename, dirs), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _template_name(filename: str | None, dirs: list[Path]) -> str:
    if not filename:
        return "templates/"
    path = Path(filename)
    for d in dirs:
        if path.is_relative_to(d.resolve()):
            return f"templates/{path.relative_to(d.resolve()).as_posix()}"
    return str(path)
