"""The layers of psa_report, checked on its source (docs/development.md, "Layers"):
no import cycle, no psa_report module imported inside a function unless that keeps a
heavy library out of start-up, and the contract of who may import whom."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "psa_report"

#: Third-party libraries slow enough to import that a module may import them, or a
#: psa_report module that imports them, inside the function that needs them: a
#: start-up matter (``psa-report check`` never loads the PDF printer).
HEAVY = {"weasyprint", "pydyf", "openpyxl", "docx", "jinja2", "watchfiles", "PIL", "pypdf",
         "hypothesis", "duckdb", "pyphen"}

#: The layers' contract: (who, may not import, why). A name ending in "." is every
#: module under it. Only imports that run count here (not those under TYPE_CHECKING).
RENDERERS = ("psa_report.render", "psa_report.docx_render", "psa_report.workbook_out",
             "psa_report.printer")
FORBIDDEN = [
    *((renderer, ("psa_report.project", "psa_report.loader", "psa_report.validate"),
       "a renderer takes the plan made for it: it never loads or validates a project")
      for renderer in RENDERERS),
]
#: The one module the command line is: it parses options, runs one command (an
#: operation under commands/), and prints what it returns.
CLI_MAY_IMPORT = ("psa_report.commands.", "psa_report.emit", "psa_report.problems",
                  "psa_report.dates",  # --as-of and other dates given as options
                  "psa_report.project")  # find_project: which folder --project means

#: What is still to be done to meet the contract, each listed so that it is seen (and
#: the list itself is checked: an entry that no longer applies must be taken off).
#: (importer, imported): why it is left.
CONTRACT_LEFT: dict[tuple[str, str], str] = {}
#: Import cycles still to break (each as the sorted modules of the cycle).
CYCLES_LEFT: list[tuple[str, ...]] = []
#: Function-level imports of psa_report modules still to move to the top (importer,
#: imported): none of these keeps a heavy library out of start-up.
LAZY_LEFT: dict[tuple[str, str], str] = {}
#: Function-level imports kept because they were measured (docs/development.md).
MEASURED_LAZY = {
    ("psa_report.validate", "psa_report.figures"): "`check` imports the crime figures' "
        "view only when there are figures (it was 7% slower while it always did)",
    ("psa_report.validate", "psa_report.figures_view"): "the same",
    ("psa_report.cli", "psa_report.commands.figures"): "every command started 22 ms "
        "(13%) slower while the CLI imported the figures' commands at its top "
        "(python -X importtime, `check` on the shipped plan)",
    # (lazy for pydantic until it went; measured then, median of 15 runs:)
    **{("psa_report.cli", f"psa_report.{name}"): "`import psa_report.cli, "
       "psa_report.commands.check` took 0.19 s, not 0.10 s, with every command's module "
       "(and the ledger and figures' view `round` and `figures` print) imported too"
       for name in ("commands.changes", "commands.check", "commands.init", "commands.listing",
                    "commands.new", "commands.overdue", "commands.partners",
                    "commands.progress", "commands.schema", "commands.serve")},
    ("psa_report.cli", "psa_report.project"): "`import psa_report.cli` (--help, --version) "
        "took 0.11 s, not 0.06 s, with the project's modules imported too",
    ("psa_report.commands.figures", "psa_report.figures_view"): "`figures import` needs no "
        "figures' view: 0.12 to 0.14 s, not 0.115 s, with it",
}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names: psa_report's by their full names, any
    other by its top-level package."""
    if isinstance(node, ast.Import):
        return [a.name if a.name.startswith("psa_report") else a.name.split(".")[0]
                for a in node.names]
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        origin = ".".join(p for p in (base, node.module or "") if p)
    else:
        origin = node.module or ""
        if not origin.startswith("psa_report"):
            return [origin.split(".")[0]]
    found = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in MODULES else origin
             for a in node.names]
    return list(dict.fromkeys(found))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> list[tuple[str, str, int]]:
    """(imported module, where: "top", "function" or "type", line) of every import."""
    found = []

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, where, child.lineno) for t in _targets(module, child))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, "function")
            elif isinstance(child, ast.If) and _is_type_checking(child) and where == "top":
                visit(child, "type")
            else:
                visit(child, where)

    visit(ast.parse(MODULES[module].read_text(encoding="utf-8")), "top")
    return found


IMPORTS = {module: _imports(module) for module in MODULES}


def _own(target: str) -> bool:
    return target in MODULES


def _cycles(edges: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Every set of modules that import each other, round and round (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def _edges(kinds=("top", "function", "type")) -> dict[str, set[str]]:
    return {m: {t for t, where, _ in IMPORTS[m] if _own(t) and t != m and where in kinds}
            for m in MODULES}


def _closure(module: str) -> set[str]:
    """Everything importing ``module`` loads: the modules and libraries it imports at its
    top, and theirs."""
    seen, todo = set(), [module]
    while todo:
        m = todo.pop()
        for target, where, _ in IMPORTS.get(m, []):
            if where == "top" and target not in seen:
                seen.add(target)
                if _own(target):
                    todo.append(target)
    return seen


# ---------------------------------------------------------------- (a) no cycle

def test_the_module_graph_has_no_import_cycle():
    cycles = _cycles(_edges())
    new = [c for c in cycles if c not in CYCLES_LEFT]
    assert not new, "import cycles (break each: see docs/development.md, Layers):\n" + "\n".join(
        " <-> ".join(c) for c in new)
    gone = [c for c in CYCLES_LEFT if c not in cycles]
    assert not gone, f"no longer a cycle, take it off CYCLES_LEFT: {gone}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# ---------------------------------------------------------------- (b) imports at the top

def _lazy() -> dict[tuple[str, str], int]:
    """(importer, imported) -> line, for each psa_report module imported inside a function
    that brings in no heavy library the importer does not already load."""
    found = {}
    for module, imports in IMPORTS.items():
        loaded = _closure(module) & HEAVY
        for target, where, line in imports:
            if where != "function" or not _own(target) or target == module:
                continue
            brings = ({target} | _closure(target)) & HEAVY
            if not brings - loaded:
                found.setdefault((module, target), line)
    return found


def test_psa_report_modules_are_imported_at_the_top_unless_that_loads_a_heavy_library():
    lazy = _lazy()
    new = {k: v for k, v in lazy.items() if k not in LAZY_LEFT and k not in MEASURED_LAZY}
    assert not new, ("imported inside a function, though that keeps no heavy library out "
                     "of start-up: import at the top of the module\n" + "\n".join(
                         f"{MODULES[m].relative_to(PACKAGE.parent)}:{line}: {t}"
                         for (m, t), line in sorted(new.items())))
    gone = [k for k in (*LAZY_LEFT, *MEASURED_LAZY) if k not in lazy]
    assert not gone, f"take these off LAZY_LEFT: {gone}"


def test_a_lazy_import_of_a_heavy_module_is_allowed():
    # commands/build loads the PDF printer (weasyprint) only to print a PDF
    assert ("psa_report.commands.build", "psa_report.printer") not in _lazy()
    assert {"weasyprint", "pydyf"} <= _closure("psa_report.printer")
    assert ("psa_report.cli", "psa_report.commands.build") not in _lazy()
    assert {"jinja2"} <= _closure("psa_report.render")


# ---------------------------------------------------------------- (c) the contract

def _runtime(module: str) -> set[str]:
    return {t for t, where, _ in IMPORTS[module] if _own(t) and where != "type"}


def _under(name: str, prefixes) -> bool:
    return any(name == p or (p.endswith(".") and name.startswith(p)) for p in prefixes)


def _breaches() -> dict[tuple[str, str], str]:
    found = {}
    commands = {m for m in MODULES if m.startswith("psa_report.commands.")
                and m != "psa_report.commands.common"}
    for command in commands:
        for target in _runtime(command) & (commands - {command}):
            found[(command, target)] = "commands never import each other (share through " \
                                        "commands/common.py or a module below)"
    for target in _runtime("psa_report.cli"):
        if not _under(target, CLI_MAY_IMPORT) and target != "psa_report.commands":
            found[("psa_report.cli", target)] = "cli imports only the commands, emit, " \
                                                 "problems and what parses its options"
    for who, banned, why in FORBIDDEN:
        for target in _runtime(who) & set(banned):
            found[(who, target)] = why
    return found


def test_the_layers_contract_holds():
    breaches = _breaches()
    new = {k: v for k, v in breaches.items() if k not in CONTRACT_LEFT}
    assert not new, "\n".join(f"{a} imports {b}: {why}" for (a, b), why in sorted(new.items()))
    gone = [k for k in CONTRACT_LEFT if k not in breaches]
    assert not gone, f"take these off CONTRACT_LEFT: {gone}"


@pytest.mark.parametrize("row", ["Renderers", "commands/*", "cli"])
def test_the_guide_gives_the_same_layers(row):
    guide = (PACKAGE.parent / "docs/development.md").read_text(encoding="utf-8")
    assert "## Layers" in guide and f"| {row} |" in guide
