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

They also run under a budget (:class:`Budget`), so a template cannot stop the
build or the preview by never finishing or by filling the memory: every loop
turn and every call looks at a deadline (:data:`TIME_BUDGET` seconds), ``*``,
``+``, ``%``, ``**`` and ``~`` refuse to make a text or list longer than
:data:`MAX_VALUE`, every block's output and the whole page are kept under
:data:`MAX_OUTPUT` characters, and (on Linux and macOS) the memory the process
may take while rendering is capped, so whatever else grows (``'a'.center(10**10)``)
ends as a message.  Each stops the build at the template's file and line.

The shipped templates compile once per machine, not once per run: their compiled
code is kept in the user's cache folder (:class:`ShippedBytecode`), checked
against each template's text before use, so an edited template is compiled again
and a project's own templates are always compiled from their text.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
import stat
import sys
import threading
import time
import types
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import fields, is_dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import cast

import jinja2
from jinja2 import nodes
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from . import plan as planned
from .bilingual import Mixed
from .dates import long_date
from .deadlines import Overdue
from .figures_view import number_text
from .files import decode_utf8, read_bounded
from .plan import ReportPlan, lang_of, paragraphs
from .problems import Invalid, Problem
from .shape import StatusDef

REPORT_TEMPLATE = "report.html"
#: Largest template file accepted (the shipped ones are a few KB).
MAX_TEMPLATE_BYTES = 1024 * 1024
#: Seconds a report may take to render (the shipped one takes a few milliseconds).
TIME_BUDGET = 20.0
#: Longest text or list a template expression may make (characters or items).
MAX_VALUE = 10_000_000
#: Largest rendered page, and largest block of it ({% set %}, a macro), in characters.
MAX_OUTPUT = 50_000_000
#: Memory the process may take on top of what it had when rendering began (bytes).
MAX_RENDER_MEMORY = 2 * 1024 ** 3
#: Largest whole number a template may compute (bits): 2**100000 has 30,103 digits.
MAX_INT_BITS = 100_000
#: Seconds the PDF of a report may take to print (see :mod:`psa_report.printer`): a
#: plan of 3,000 actions prints in two or three minutes, the shipped one in seconds.
PRINT_TIME_BUDGET = 600.0


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


def lang(text: object) -> Markup:
    """` lang="en"` for a plan's text printed in an edition of another language (it has
    no translation: :class:`psa_report.plan.Fallback`), else nothing."""
    code = lang_of(text)
    return Markup(' lang="{}"').format(code) if code else Markup("")


def marked(text: object) -> Markup:
    """A text inside a sentence, in ``<span lang="en">`` when it is in another language
    than the edition's (see :func:`lang`); a sentence with such a passage inside it (a
    :class:`psa_report.bilingual.Mixed`), with that passage so."""
    if isinstance(text, Mixed):
        return Markup("").join(marked(part) for part in text.parts)
    code = lang_of(text)
    if not code:
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(code, text)


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
            # the one bounded reader: a regular file only (a pipe or device refused
            # unopened), never more than the bound read
            raw, _ = read_bounded(real, MAX_TEMPLATE_BYTES, f"templates/{template}",
                                  fix="put a template file there, not a folder, device "
                                      "or pipe")
            mtime = _mtime(real)
            if len(raw) > MAX_TEMPLATE_BYTES:
                raise template_problem(template, None,
                    f"is over {MAX_TEMPLATE_BYTES:,} bytes, too large for a template")
            source = decode_utf8(raw, lambda line, column, byte: template_problem(
                template, line, "is not UTF-8 text: save it as UTF-8 in your editor"))  # noqa: B023
            return source, str(real), _uptodate(real, mtime)
        raise jinja2.TemplateNotFound(template)


def _uptodate(path: Path, mtime: int | None) -> Callable[[], bool]:
    """Whether the template's file is as it was read: looked at once per render (a
    template included in every row of a 1,000-row table is asked for 1,000 times)."""
    seen: list = [None, True]  # the render last looked in, and what was found

    def uptodate() -> bool:
        render = getattr(_render, "number", None)
        if render is None or seen[0] != render:
            seen[:] = [render, _mtime(path) == mtime]
        return seen[1]

    return uptodate


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class OverBudget(Exception):
    """A template went over its time or size budget.  Raised inside the template's
    own code, so the traceback carries the template's file and line."""


class BudgetCodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``~`` bounded as ``+`` is (see :meth:`Sandbox.call_binop`)."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


BUDGET_FILTER = "psa_report_budget"


@jinja2.pass_context
def _budgeted(context, iterable: Iterable) -> Iterator:
    """The loop's items, the clock looked at before each."""
    deadline = getattr(_render, "deadline", None)
    if deadline is None:
        yield from iterable
        return
    clock = time.monotonic
    for item in iterable:
        if clock() > deadline:
            _check_deadline()  # raises, naming the budget
        yield item


_render = threading.local()  # .deadline: the clock time the render under way must end by
_renders = itertools.count()  # .number: which render it is


def _check_deadline() -> None:
    deadline = getattr(_render, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise OverBudget(
            f"refused: the report took longer than {TIME_BUDGET:g} seconds to render, "
            "and was stopped here (a loop, or a macro calling itself, that runs too long); "
            "the shipped report renders in a fraction of a second")


def _too_long(size: int, what: str = "a text or list") -> OverBudget:
    return OverBudget(f"refused: this would make {what} of {size:,} characters or items, "
                      f"over the limit of {MAX_VALUE:,} for one value in a template")


def _length(value) -> int | None:
    if isinstance(value, (str, list, tuple, bytes)):
        return len(value)
    return None


def _plain_names(cls: type) -> frozenset[str]:
    """A plain data class's fields and properties (what a template reads of it), none
    starting with ``_``."""
    names = {f.name for f in fields(cls)}
    names.update(name for klass in cls.__mro__ for name, value in vars(klass).items()
                 if isinstance(value, property))
    return frozenset(name for name in names if not name.startswith("_"))


#: The report's own data: the plan's data classes (and the statuses and overdue rows it
#: holds), by type, with the names a template reads of each.  Reading one of those names
#: is always allowed by the sandbox (the object is plain data of ours, the name does not
#: start with ``_``), so :meth:`Sandbox.getattr` answers it without asking again: over
#: 50,000 reads for a report of 1,000 actions.  What such a read returns (a list, a text)
#: is guarded as anything else is; any other name goes through the sandbox.
PLAIN_DATA: dict[type, frozenset[str]] = {
    cls: _plain_names(cls)
    for cls in (*(value for value in vars(planned).values() if isinstance(value, type)
                  and is_dataclass(value) and value.__module__ == planned.__name__),
                StatusDef, Overdue)}
#: What the sandbox wraps when read (``str.format``) is never answered without it.
_METHODS = (types.MethodType, types.BuiltinMethodType)

_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d+)?(?:\.(\d+))?")
_WIDENING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _origins(value: object) -> tuple | None:
    """The kept rows a row, or a list of rows, was copied from (None: one was not)."""
    if isinstance(value, list | tuple):
        found = tuple(getattr(row, "origin", None) for row in value)
        return None if not found or None in found else found
    origin = getattr(value, "origin", None)
    return None if origin is None else (origin,)


class Fragments(Extension):
    """``{% cache rows, value, ... %}...{% endcache %}``: the markup of a row (or of a list
    of rows) kept from one render to the next (the preview's, issue 31), so that a save
    renders again only the rows that changed. It is kept only for rows the preview
    planned from kept items (their ``origin``, see :class:`psa_report.plan.KeptRows`),
    and used again only while the rows and every value named are equal and of the same
    types as last time; anything else is rendered as usual (a fresh ``build`` renders
    every row). The shipped templates name each value the part inside the tag reads
    besides the row."""

    tags = {"cache"}
    #: renders an unused piece is kept for (a save renders a page per language of the
    #: plan, and the preview's PDF one more)
    KEEP = 4

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        #: (template:line, the rows' origins' ids, the hashable values) -> (the render
        #: it was last used in, the origins (held, so that no id of theirs is reused
        #: while the key stands), the values, the markup)
        self.kept: dict[tuple, tuple[int, tuple, tuple, str]] = {}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        where = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_piece", [where, nodes.List(values)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _piece(self, where: str, values: list, caller: Callable[[], str]) -> str:
        number, origin = getattr(_render, "number", None), _origins(values[0])
        if origin is None or number is None:
            return caller()
        key = (where, tuple(map(id, origin)),
               tuple(v for v in values[1:] if type(v) in (str, bool, int, type(None))))
        held = self.kept.get(key)  # (a key found: the very origins of last time)
        if (held is not None and len(held[2]) == len(values)
                and all(type(a) is type(b) and a == b for a, b in zip(held[2], values))):
            markup = held[3]
        else:
            markup = caller()
        self.kept[key] = (number, origin, tuple(values), markup)
        return markup

    def forget(self, number: int) -> None:
        """Let go of the pieces no render has used lately."""
        for key in [k for k, held in self.kept.items() if number - held[0] > self.KEEP]:
            del self.kept[key]


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a time and size budget (see the module's docstring)."""

    code_generator_class = BudgetCodeGenerator
    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        # Every turn of every loop looks at the clock: the iterable goes through a
        # filter (called directly, unlike a function, and never worked out as a
        # constant while compiling, as it takes the context).
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, BUDGET_FILTER, [], [], None, None,
                                     lineno=loop.iter.lineno)
        return tree

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        # Jinja's answer depends only on the object's class and the name (isinstance
        # checks, never the value), so it is worked out once per pair, not at every
        # attribute read: that was half the time of rendering a 1,000-action report.
        # An object whose __class__ is not its type is asked every time.
        cls = type(obj)
        if obj.__class__ is not cls:
            return super().is_safe_attribute(obj, attr, value)
        safe = self._safe_attributes.get((cls, attr))
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe_attributes) < 10_000:
                self._safe_attributes[cls, attr] = safe
        return safe

    def getattr(self, obj, attribute: str):
        # The plan's own data (PLAIN_DATA), its fields and properties: the sandbox's
        # answer is known (allowed), so it is not worked out at each of the thousands of
        # reads a report makes. Any other object or name, and a method, as Jinja's.
        names = PLAIN_DATA.get(type(obj))
        if names is not None and attribute in names:
            value = getattr(obj, attribute)
            if type(value) not in _METHODS:
                return value
        return super().getattr(obj, attribute)

    def bounded(self, value):
        size = _length(value)
        if size is not None and size > MAX_VALUE:
            raise _too_long(size)
        return value

    def concat(self, pieces) -> str:  # every block's output
        if isinstance(pieces, list):
            _check_deadline()
            try:
                size = sum(map(len, pieces))
            except TypeError:
                size = 0
            if size > MAX_OUTPUT:
                raise OverBudget(f"refused: this part of the report would be {size:,} "
                                 f"characters long, over the limit of {MAX_OUTPUT:,}")
        return "".join(pieces)

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _length(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_VALUE:
                    raise _too_long(size * times)
            if isinstance(left, int) and isinstance(right, int) \
                    and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise OverBudget("refused: this would make a number too large to show")
        elif operator == "+":
            a, b = _length(left), _length(right)
            if a is not None and b is not None and a + b > MAX_VALUE:
                raise _too_long(a + b)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                    and right * math.log2(abs(left)) > MAX_INT_BITS:
                raise OverBudget("refused: this would make a number too large to show")
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right)
        return self.bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (as Jinja's)
        _check_deadline()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            if name in _WIDENING:
                for value in (*args, *kwargs.values()):
                    if isinstance(value, int) and value > MAX_VALUE:
                        raise _too_long(value)
            elif name == "replace" and len(args) >= 2 \
                    and isinstance(args[0], str) and isinstance(args[1], str):
                grows = len(args[1]) - len(args[0])
                if grows > 0:
                    times = owner.count(args[0]) if args[0] else len(owner) + 1
                    if len(owner) + times * grows > MAX_VALUE:
                        raise _too_long(len(owner) + times * grows)
        return __self.bounded(super().call(__context, __obj, *args, **kwargs))


def _check_format(text: str, values) -> None:
    """``'%9999999999s' % x`` (and ``%*s``) would pad to that width before any check."""
    for found in _PERCENT_WIDTH.finditer(text):
        for number in found.groups():
            if number and len(number) > 7 and int(number) > MAX_VALUE:
                raise _too_long(int(number))
    for value in values if isinstance(values, tuple) else (values,):
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_VALUE \
                and "*" in text:
            raise _too_long(value)


class _MemoryCap:
    """Caps the process's address space while a report renders (Linux; elsewhere
    nothing), so a template that makes something huge fails with MemoryError rather
    than taking the computer's memory.  Nested and concurrent renders share one cap."""

    def __init__(self):
        self.lock = threading.Lock()
        self.users = 0
        self.saved = None

    def __enter__(self):
        with self.lock:
            self.users += 1
            if self.users == 1:
                self.saved = _cap_memory()
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.saved is not None:
                import resource
                resource.setrlimit(resource.RLIMIT_AS, self.saved)
                self.saved = None


def _cap_memory():
    try:
        import resource
        with open("/proc/self/statm", "rb") as handle:
            in_use = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = in_use + MAX_RENDER_MEMORY
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft <= cap:
            return None  # already capped at least as tightly
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        return soft, hard
    except (ImportError, OSError, ValueError):
        return None


_memory_cap = _MemoryCap()


def memory_cap() -> _MemoryCap:
    """The render's memory cap, for printing under the same budget: ``with memory_cap():``."""
    return _memory_cap


#: Largest compiled template read back from the cache (the shipped ones are a few KB).
MAX_CACHED_BYTES = 4 * 1024 * 1024


def _code_fingerprint() -> str:
    """What the compiled code of a template depends on besides its text: this module
    (the sandbox, its code generator and the environment's options), Jinja's version
    and Python's. A change to any gives the cache a new folder."""
    digest = hashlib.sha256()
    try:
        with open(__file__, "rb") as handle:
            digest.update(handle.read())
    except OSError:  # no source beside the module: its compiled code stands for it
        digest.update(repr(sorted(Sandbox.__dict__)).encode())
    digest.update(f"|{jinja2.__version__}|{sys.version}|{sys.implementation.cache_tag}"
                  .encode())
    return digest.hexdigest()[:16]


def cache_folder() -> Path | None:
    """Where the shipped templates' compiled code is kept: ``$XDG_CACHE_HOME`` (or
    ``~/.cache``)/psa-report/<version>, made private to the user (0700) if missing.
    None (no cache, templates compiled each run) when it cannot be made, is not a
    folder of the user's own, or others could write in it."""
    try:
        base = os.environ.get("XDG_CACHE_HOME", "")
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        folder = root / "psa-report" / _code_fingerprint()
        for made in (root, folder.parent, folder):
            try:
                os.mkdir(made, 0o700)
            except FileExistsError:
                pass
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode):
            return None
        if hasattr(os, "getuid"):
            if info.st_uid != os.getuid():
                return None
            if stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(folder, 0o700)
                if stat.S_IMODE(os.lstat(folder).st_mode) & 0o077:
                    return None
        return folder
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None


class ShippedBytecode(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, for the shipped templates only.

    Jinja keys a template's entry on its name and file (so the project's own
    ``report.html`` never meets the shipped one's) and keeps the SHA-1 of its text
    with the code, compiling again whenever the text differs (``Bucket.load_bytecode``).
    A project's own templates get no entry at all: they are compiled from their text
    each run. Whatever goes wrong with the folder (gone, unwritable, a damaged file)
    means compiling as if there were no cache, never an error."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if filename is None or not Path(filename).is_relative_to(PACKAGE_TEMPLATES):
            return ""  # not a shipped template: not cached
        return super().get_cache_key(name, filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        if not bucket.key:
            return
        path = self._get_cache_filename(bucket)
        try:
            handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return
        try:
            with os.fdopen(handle, "rb") as file:
                info = os.fstat(file.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHED_BYTES or (
                        hasattr(os, "getuid") and info.st_uid != os.getuid()):
                    return
                bucket.bytecode_from_string(file.read(MAX_CACHED_BYTES))
        except Exception:  # a damaged entry: compiled again, and written afresh
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not bucket.key:
            return
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # the folder is gone or not writable: no cache this time


def _bytecode_cache() -> ShippedBytecode | None:
    folder = cache_folder()
    return None if folder is None else ShippedBytecode(str(folder))


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = Sandbox(
        loader=TemplateFolders(list(dirs)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,  # a template edited while `serve` runs is compiled again
        extensions=[Fragments],
    )
    for name in ("lipsum", "cycler", "joiner"):  # not needed; less to reach for
        env.globals.pop(name, None)
    env.filters["ordinals"] = ordinals
    env.filters["lang"] = lang
    env.filters["marked"] = marked
    env.filters["paragraphs"] = paragraphs  # for a project's own templates
    env.filters["long_date"] = long_date
    env.filters["number"] = number_text  # 1,234; "–" for no figure
    env.filters[BUDGET_FILTER] = _budgeted
    return env


def environment(dirs: list[Path]) -> jinja2.Environment:
    """One environment per set of folders, kept for the process: templates compile once."""
    return _environment(tuple(d.resolve() for d in dirs))


def render_html(plan: ReportPlan, dirs: list[Path]) -> str:
    """Render the report; a broken or unsafe template is reported at its file and line."""
    env = environment(dirs)
    try:
        try:
            return _render_bounded(env, plan)
        except (Invalid, jinja2.TemplateSyntaxError, jinja2.TemplateNotFound):
            raise
        except Exception:
            env.handle_exception()  # the traceback rewritten to the templates' lines
    except Invalid:
        raise
    except OverBudget as error:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None, str(error))]) from None
    except MemoryError:
        name, line = _where(sys.exc_info()[2], dirs)
        raise Invalid([Problem(name, line, None,
            f"refused: this needs more memory than a report may take "
            f"({MAX_RENDER_MEMORY // 1024 ** 3} GB): something in the template grows "
            "too large")]) from None
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
            "template error: templates include each other (or one includes itself), or "
            "a macro calls itself, without end: remove the include or call that loops")]) from None
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


def _render_bounded(env: jinja2.Environment, plan: ReportPlan) -> str:
    """The page, rendered piece by piece under the time, output and memory budget
    (compiling too: Jinja works out constant expressions such as
    ``'a'|center(10**10)`` as it compiles)."""
    pieces: list[str] = []
    size = 0
    _render.deadline = time.monotonic() + TIME_BUDGET
    _render.number = next(_renders)  # (the templates' files are looked at once in it)
    try:
        with _memory_cap:
            template = env.get_template(REPORT_TEMPLATE)
            context = template.new_context({"plan": plan})
            # (a generator: throw() stops it where the template is, below)
            stream = cast(Generator[str, None, None], template.root_render_func(context))
            # A few hundred pieces at a time, measured and joined at C speed; the
            # loops in the template look at the clock themselves.
            while chunk := list(islice(stream, 256)):
                size += sum(map(len, chunk))
                if size > MAX_OUTPUT:  # stopped inside the template: its line is known
                    stream.throw(OverBudget(
                        f"refused: the report would be over {MAX_OUTPUT:,} characters long "
                        "(the shipped one is about 40,000): a loop writes too much"))
                pieces.append("".join(chunk))
    finally:
        fragments = env.extensions.get(Fragments.identifier)
        if isinstance(fragments, Fragments) and _render.number is not None:
            fragments.forget(_render.number)
        _render.deadline = _render.number = None
    return "".join(pieces)


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
