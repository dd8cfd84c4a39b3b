"""Stage 1, load: YAML text to plain values that remember their file and line.

Design choices (each one protects something the user wrote):

* libyaml's C composer (``yaml.CSafeLoader``) builds the node tree, so every
  value keeps its line and column; no Python object is ever constructed from
  a tag, so no text in a data file can run code.
* Every scalar is kept as the exact text the user typed.  YAML 1.1 would read
  ``ref: 3.10`` as the number 3.1, ``status: no`` as False and ``due: 2010-09-30``
  as a date; here they stay ``"3.10"``, ``"no"`` and ``"2010-09-30"`` and the
  models decide what they mean.  Only an empty value (or ``~`` / ``null``) is None.
* A key given twice in one mapping is an error (plain PyYAML keeps the last one
  silently, losing the first).
* Anchors and aliases are refused: they are never needed in an action plan,
  and an alias bomb ("billion laughs") is stopped before anything is expanded.
* Only a regular file is opened (never a pipe or a device, which could block or
  never end), and at most :data:`MAX_FILE_BYTES` + 1 bytes are read from it; a
  larger file is refused before it is parsed.
* A Word or Excel document (even renamed to .yaml) is named as such.
* A plain ``=`` or ``<<`` value is text (libyaml would tag it "value" or "merge").
* The marker lines of a git merge conflict left in a file (``<<<<<<<``, ``=======``,
  ``>>>>>>>``) are named as such, at their lines, with how to finish the merge.
* U+2028, U+2029 and U+0085 are kept in the text but do not count as line
  breaks, so line numbers are those an editor shows (counted by ``\n``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .chars import describe, refused
from .files import decode_utf8, read_bounded
from .problems import Invalid, Problem

#: Largest YAML file accepted. One action is about 2 KB; the limit leaves room
#: for long updates while stopping a stray export or a binary from being parsed.
MAX_FILE_BYTES = 256 * 1024
#: Deepest nesting accepted (an action file needs 3 levels at most).
MAX_DEPTH = 20

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = "tag:yaml.org,2002:null"
#: libyaml gives a plain `=` the tag "value" and a plain `<<` the tag "merge";
#: as a value (not a key) either is just text the user typed.
_TEXT_TAGS = {"tag:yaml.org,2002:value": "=", "tag:yaml.org,2002:merge": "<<"}
#: Characters libyaml counts as line breaks but editors (and ``\n``) do not.
_ODD_BREAKS = "\u2028\u2029\x85"
_KNOWN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

Path_ = tuple  # a path into the data: ("lead", 1)


@dataclass
class Document:
    """A YAML file's data as plain dicts, lists, strings and None, with marks."""

    path: Path
    display: str  # the name shown to the user, relative to the project
    data: Any
    #: (line, column), 1-based, of each value, keyed by its path
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: (line, column) of each mapping key, keyed by the path of its value
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: the file's text, line by line (split at "\n" only), for messages that quote it
    lines: list[str] = field(default_factory=list)

    def mark(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The best mark for ``path``: its own, or its nearest parent's."""
        path = tuple(path)
        while True:
            if key and path in self.key_marks:
                return self.key_marks[path]
            if path in self.value_marks:
                return self.value_marks[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        line, column = self.mark(path, key=key)
        return Problem(self.display, line, column, message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_NOT_A_FILE_FIX = "remove it from actions/ (only .yaml text files belong there)"


def _too_big(display: str, size: int) -> Problem:
    return Problem(display, 1, 1,
        f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for one "
        "action file: check it is the right file, or split it")


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one YAML file; raise :class:`Invalid` with every problem."""
    display = display or str(path)
    raw, size = read_bounded(path, MAX_FILE_BYTES, display,
                             fix=_NOT_A_FILE_FIX)
    return load_bytes(raw, display, path, size=size)


#: The first bytes of Office files: a zip (.docx, .xlsx, .odt) or an old OLE2 file.
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _office_document(raw: bytes) -> str | None:
    """What kind of Office document ``raw`` is, or None if it is not one."""
    if raw.startswith(_OLE2):
        return "an old-style Word or Excel document (.doc or .xls)"
    if not raw.startswith(_ZIP):
        return None
    # A zip names its parts in plain bytes near its start: word/document.xml, ...
    for part, what in ((b"word/", "a Word document"), (b"xl/", "an Excel workbook"),
                       (b"ppt/", "a PowerPoint presentation")):
        if part in raw:
            return what
    return "an Office document (or another zip file)"


def load_bytes(raw: bytes, display: str, path: Path | None = None, *,
               size: int | None = None) -> Document:
    """Parse a file's bytes; ``size`` is the file's whole size if ``raw`` was cut short."""
    office = _office_document(raw)
    if office:
        raise Invalid([Problem(display, 1, 1,
            f"this is {office}, not a YAML file: an action file is plain text. Copy its "
            "fields into a file made in a text editor (such as Notepad) and saved as "
            ".yaml, and move this document out of actions/")])
    size = max(size or 0, len(raw))
    if size > MAX_FILE_BYTES:
        raise Invalid([_too_big(display, size)])
    # A byte-order mark from Windows is fine.
    text = decode_utf8(raw, lambda line, column, byte: Invalid([Problem(display, line, column,
        f"this is not UTF-8 text (byte 0x{byte:02x}): save the file "
        "as UTF-8 in your editor (in Notepad: Save As, Encoding: UTF-8)")]))
    return load_text(text, display, path)


def load_text(text: str, display: str, path: Path | None = None) -> Document:
    """Parse YAML text (already decoded) into a :class:`Document`."""
    doc = Document(path or Path(display), display, None, lines=text.split("\n"))
    conflicts = _conflicts(display, text, parsed=True)
    if conflicts:
        raise Invalid(conflicts)
    source, restore = hide_odd_breaks(text)
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise Invalid(_conflicts(display, text, parsed=False)
                      or [_syntax_problem(display, text, error)]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        raise Invalid([Problem(display, line, column,
            f"the file holds {describe(chr(error.character))}, a control character that is "
            "not text: delete it (it may be invisible in your editor; retype the words "
            "around it)")]) from None
    except yaml.YAMLError as error:  # pragma: no cover - libyaml always marks errors
        raise Invalid([Problem(display, None, None, f"YAML syntax error: {error}")]) from None
    except RecursionError:
        raise Invalid([Problem(display, None, None,
                               "the file is nested too deeply to be an action file")]) from None
    if root is None:
        what = "is empty" if not text.strip() else "holds only comments"
        raise Invalid([Problem(display, 1, 1,
            f"the file {what}: it should hold fields such as `ref: 3.2.1`, one per line")])
    problems: list[Problem] = []
    try:
        doc.data = _convert(root, (), doc, problems, set(), 0, source, restore)
    except _Stop:
        pass
    if problems:
        raise Invalid(problems)
    return doc


def hide_odd_breaks(text: str) -> tuple[str, dict[int, str] | None]:
    """Swap U+2028, U+2029 and U+0085 for placeholders libyaml reads as plain text.

    libyaml counts these as line breaks, so every problem after one would be
    reported a line too low (and a double-quoted one would become a space).
    Each becomes a private-use character that is not already in the text, one
    character for one, so columns do not move either; ``restore`` maps them back.
    """
    if not any(char in text for char in _ODD_BREAKS):
        return text, None
    spare = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    swap = {char: next(spare) for char in _ODD_BREAKS if char in text}
    return (text.translate({ord(char): stand_in for char, stand_in in swap.items()}),
            {ord(stand_in): char for char, stand_in in swap.items()})


def _convert(node: yaml.Node, path: tuple, doc: Document, problems: list[Problem],
             seen: set[int], depth: int, source: str,
             restore: dict[int, str] | None) -> Any:
    line, column = _mark(node)
    doc.value_marks[path] = (line, column)
    if id(node) in seen:
        # The C composer resolves an alias to the very node its anchor names.
        problems.append(Problem(doc.display, line, column,
            "YAML anchors and aliases (&name, *name) are not allowed in action files: "
            "write the text out in full"))
        raise _Stop
    seen.add(id(node))
    if depth > MAX_DEPTH:
        problems.append(Problem(doc.display, line, column,
                                "values are nested too deeply for an action file"))
        raise _Stop
    if (isinstance(node, yaml.ScalarNode) and _TEXT_TAGS.get(node.tag) == node.value
            and not node.style
            and "!" not in source[node.start_mark.index:node.end_mark.index]):
        return node.value  # a plain `=` or `<<` value, with no tag written before it
    if node.tag not in _KNOWN_TAGS:
        problems.append(Problem(doc.display, line, column,
            f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not "
            "allowed: remove it and write plain text"))
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL:  # only plain empty, ~ or null resolve to null
            return None
        _check_chars(node, source, doc, problems,
                     name=bool(path) and (path[-1] == "ref" or path[0] == "lead"),
                     field=".".join(p for p in path if isinstance(p, str)))
        return node.value.translate(restore) if restore else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), doc, problems, seen, depth + 1, source, restore)
                for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key_mark = _mark(key_node)
        if id(key_node) in seen or id(value_node) in seen:
            problems.append(Problem(doc.display, *key_mark,
                "YAML anchors and aliases (&name, *name, <<) are not allowed in action "
                "files: write the text out in full"))
            raise _Stop
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _NULL:
            problems.append(Problem(doc.display, *key_mark,
                "a field name must be plain text followed by a colon, like `status:`"))
            continue
        key = key_node.value.translate(restore) if restore else key_node.value
        if _check_chars(key_node, source, doc, problems, name=True):
            continue
        if key in first_seen:
            problems.append(Problem(doc.display, *key_mark,
                f"{key!r} is given twice in the same place (first on line "
                f"{first_seen[key][0]}): keep one of them, nothing is merged"))
            continue
        first_seen[key] = key_mark
        doc.key_marks[path + (key,)] = key_mark
        result[key] = _convert(value_node, path + (key,), doc, problems, seen, depth + 1,
                               source, restore)
    return result


#: How a double-quoted YAML string writes a character by escape, besides \\x, \\u, \\U.
_SHORT_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f",
                  "\x1b": "\\e", "\x85": "\\N"}


def _check_chars(node: yaml.ScalarNode, source: str, doc: Document,
                 problems: list[Problem], name: bool, field: str = "") -> bool:
    """Report the first character the value may not hold (see :mod:`psa_report.chars`)
    at its own line and column: where it is in the file, or where its escape is."""
    found = refused(node.value, name)
    if found is None:
        return False
    char = node.value[found[0]]
    start, end = node.start_mark.index, node.end_mark.index
    segment = source[start:end]
    at = segment.find(char)
    if at < 0:
        escapes = [f"\\x{ord(char):02x}", f"\\u{ord(char):04x}", f"\\U{ord(char):08x}"]
        escapes += [_SHORT_ESCAPES[char]] if char in _SHORT_ESCAPES else []
        lowered = segment.lower()
        hits = [lowered.find(e.lower()) for e in escapes]
        hits = [h for h in hits if h >= 0]
        at = min(hits) if hits else 0
    index = start + at
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    problems.append(Problem(doc.display, line, column,
                            f"{field}: {found[1]}" if field else found[1]))
    return True


class _Stop(Exception):
    """Abandon a file at once (alias bomb, runaway nesting)."""


_HINTS = [
    ("mapping values are not allowed",
     "either a value contains ': ' (colon and space), so put the whole value in quotes "
     "or start it on the next line after `>-`; or this line is indented more than the "
     "one above"),
    ("could not find expected ':'",
     "it is not a `field: value` line: if it goes on from the text above, indent it "
     "like the lines above it; otherwise add the colon after its field name"),
    ("did not find expected key",
     "check the indentation of this line and the one above: fields of one item must "
     "start in the same column"),
    ("but found another document", "a file holds one item: remove the second `---`"),
    ("found undefined alias", "YAML aliases (*name) are not allowed: write the text out"),
    ("found unexpected end of stream",
     "a quote or bracket opened here is never closed: close it, or remove it"),
    ("found unknown escape character",
     "a backslash in double quotes starts an escape: use single quotes, or write \\\\"),
    ("special characters are not allowed",
     "the file holds a control character that is not text: delete it (it may be "
     "invisible in your editor)"),
]


#: The lines git writes around a merge conflict it leaves in a file: ``<<<<<<< HEAD``,
#: ``|||||||`` (with merge.conflictStyle diff3), ``=======`` and ``>>>>>>> branch``.
_CONFLICT_MARKER = re.compile(r"(<{7}|\|{7}|={7}|>{7})(?: .*)?")


def _conflicts(display: str, text: str, *, parsed: bool) -> list[Problem]:
    """A problem at each git conflict left in the file (at its ``<<<<<<<`` line).

    Before parsing, only the opening and closing markers count (a YAML value can never
    start a line with them); once the file has failed to parse, a lone ``=======``
    left behind counts too."""
    markers = [(number, found[1][0]) for number, line in enumerate(text.split("\n"), 1)
               if (found := _CONFLICT_MARKER.fullmatch(line.rstrip("\r")))]
    if not markers or (parsed and not any(kind in "<>" for _, kind in markers)):
        return []
    opening = [number for number, kind in markers if kind == "<"] or [markers[0][0]]
    return [Problem(display, number, 1,
        "a git merge conflict was left in this file: the lines between <<<<<<< and "
        ">>>>>>> hold two versions of the same lines (one above =======, the other "
        "below). Keep the version you want, or combine them, delete the marker lines "
        "(<<<<<<<, ======= and >>>>>>>), save, then `git add` the file and finish the "
        "merge with `git commit`") for number in opening]


def _syntax_problem(display: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    if error.context_mark is not None and "end of stream" in (error.problem or ""):
        mark = error.context_mark  # where the unclosed quote or bracket was opened
    if (error.context_mark is not None and "simple key" in (error.context or "")
            and error.context_mark.line < (mark.line if mark else 0)):
        mark = error.context_mark  # the line that is not a field, not the one after it
    what = " ".join(part for part in (error.context, error.problem) if part)
    hint = next((h for needle, h in _HINTS if needle in what), None)
    lines = text.split("\n")  # not splitlines(): it also splits at U+2028 and friends
    if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
        hint = ("this line holds a tab character: YAML indents with spaces only, so "
                "replace the tab with spaces")
    if hint is None:
        hint = "check the quotes, colons and indentation on this line and the one above"
    # libyaml's own words ("while scanning a simple key") are a parser's, not the
    # user's: the message says what to do, in plain words.
    message = f"this line cannot be read: {hint}"
    if mark is None:  # pragma: no cover
        return Problem(display, None, None, message)
    if mark.line >= len(lines):  # the end of the file: point at its last line
        last = len(lines) - 1
        while last > 0 and not lines[last].strip():
            last -= 1
        return Problem(display, max(last, 0) + 1, len(lines[last]) + 1 if lines else 1,
                       message)
    return Problem(display, mark.line + 1, mark.column + 1, message)
