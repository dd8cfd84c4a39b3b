"""Change the values of an action file's fields in place, keeping everything else byte for byte.

An action file is the user's own text: comments explaining a status, the
editor's modeline on line 1, folded blocks wrapped where they chose.  Loading
and dumping it again would lose all of that, so this module edits the text:
it finds each value's characters with libyaml's composer (every node keeps
its start and end index) and replaces only those, writing the new value in
the form :func:`psa_report.scaffold.yaml_field` chooses.  The result is read
back through the loader and refused unless the edited fields hold exactly the
new values and every other field is unchanged.

Only top-level scalar fields are edited (``update``, ``status``, ``due``...);
that is all a partner's return or a quick edit needs. A text written in several
languages (``update: {en: ..., cy: ...}``, see :mod:`psa_report.bilingual`) is edited
in its main language only: the other languages' texts (and the day they were last
checked) stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import yaml

from .bilingual import is_translations
from .loader import hide_odd_breaks, load_text
from .problems import Invalid, Problem
from .scaffold import quoted, yaml_field

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# The header of a block scalar: its indicator (">-", "|", "|+", ">2-"), then
# anything after it on that line (spaces and perhaps a comment).
_BLOCK_HEADER = re.compile(r"([|>][0-9+-]*)(.*)")


@dataclass(frozen=True)
class _Span:
    """Where one value sits in the text.

    ``start``..``end`` is what is replaced: from the value's first character
    to the end of its last line, without that line's line break (so the break,
    and any blank or comment lines after it, stay).  ``trailer`` is the part
    of that range that is not the value: the spaces and comment after a
    quoted or plain value, or after a block's ``>-`` header; it is kept.
    """

    start: int
    end: int
    trailer: str
    line_start: int  # start of the line holding the field's key
    key_column: int


def replace_values(text: str, display: str, new: dict[str, str | None],
                   optional: Collection[str] = (), language: str = "en",
                   main: str | None = None) -> str:
    """``text`` with the top-level fields in ``new`` set to their values (None removes).

    A field not in the file is added after the last field; only the ``optional`` ones
    may be removed.  Raise :class:`Invalid` if a required field would be removed, a
    field is not a plain value, or the result would not read back exactly.

    With ``main`` (the plan's main language) and another ``language``, each value is a
    translation: written as that language's text of the field (a text written once
    becomes ``{main: as it was, language: new}``; a mapping without the language gets
    it), the main language's text left as it is.
    """
    if main is not None and language != main:
        return _translations(text, display, new, language, main)
    root = _root(text, display)
    before = load_text(text, display).data
    nl = "\r\n" if "\r\n" in text else "\n"
    spans = {key.value: _span(text, key, value) for key, value in root.value}
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    expected: dict[str, object] = dict(new)
    nodes = {key.value: value for key, value in root.value}
    for name, value in new.items():
        if (name in spans and value is not None and is_translations(before.get(name))
                and language in before[name]):
            # a text in several languages: its main language's text changes, and only it
            expected[name] = {**before[name], language: value}
            if before[name][language] != value:
                edits.append(_language_edit(text, nodes[name], language, value, nl))
            continue
        if name in spans and not isinstance(before.get(name), (str, type(None))):
            raise Invalid([Problem(display, None, None,
                f"{name}: holds a list or a group of fields; only plain values can be "
                "changed here")])
        if value is None:
            if name in optional:
                if name in spans:
                    edits.append(_removal(text, spans[name], nl))
                continue
            raise Invalid([Problem(display, None, None,
                f"{name}: is required, so it cannot be removed")])
        if before.get(name) == value:
            continue  # unchanged: leave its bytes alone
        if name in spans:
            edits.append(_replacement(text, spans[name], name, value, nl))
        else:
            appended.append(_field_text(name, value, 0, nl).rstrip("\r\n"))
    if appended:
        last = max(spans.values(), key=lambda s: s.end)
        edits.append((last.end, last.end, "".join(nl + a for a in appended)))
    # Apply from the end of the text backwards so earlier indexes stay right.
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    _check(text, display, before, expected)
    return text


def _language_edit(text: str, node: yaml.MappingNode, language: str, value: str,
                   nl: str) -> tuple[int, int, str]:
    """The edit setting one language's text of a text written in several languages."""
    key, old = next((k, v) for k, v in node.value if k.value == language)
    if node.flow_style:  # {en: ..., cy: ...}: the new text on the same line, quoted
        return old.start_mark.index, old.end_mark.index, _flow(value)
    return _replacement(text, _span(text, key, old), language, value, nl)


def _flow(value: str) -> str:
    """A text as a flow mapping's value: plain when it reads back so, else quoted."""
    plain = ("\n" not in value and not re.search(r"[:#,\[\]{}]|^\W", value)
             and value == value.strip())
    return value if plain else quoted(value)


def _translations(text: str, display: str, new: dict[str, str | None], language: str,
                  main: str) -> str:
    """:func:`replace_values` for the texts of ``language``, another than ``main``."""
    root = _root(text, display)
    before = load_text(text, display).data
    nl = "\r\n" if "\r\n" in text else "\n"
    nodes = {key.value: (key, value) for key, value in root.value}
    edits: list[tuple[int, int, str]] = []
    expected: dict[str, object] = {}
    for name, value in new.items():
        old = before.get(name)
        if value is None or name not in nodes or not (
                isinstance(old, str) or is_translations(old)):
            raise Invalid([Problem(display, None, None,
                f"{name}: a text in {language} is written as the translation of the "
                f"{main} text, and this field has no {main} text (or is not a text): write "
                "its text first, then collect again")])
        key, node = nodes[name]
        if isinstance(old, dict) and language in old:
            expected[name] = {**old, language: value}
            if old[language] != value:
                edits.append(_language_edit(text, node, language, value, nl))
        elif isinstance(old, dict):  # a mapping without this language: it is added
            expected[name] = {**old, language: value}
            last_key, last = node.value[-1]
            if node.flow_style:
                edits.append((last.end_mark.index, last.end_mark.index,
                              f", {language}: {_flow(value)}"))
            else:
                column = last_key.start_mark.column
                end = _span(text, last_key, last).end
                edits.append((end, end, nl + " " * column + _field_text(
                    language, value, column, nl).rstrip("\r\n")))
        else:  # a text written once: its languages, the main one as it was
            expected[name] = {main: old, language: value}
            span = _span(text, key, node)
            column = span.key_column + 2
            entries = nl.join(" " * column + _field_text(code, words, column, nl).rstrip("\r\n")
                              for code, words in ((main, old), (language, value)))
            trailer = span.trailer.rstrip() if span.trailer.strip() else ""
            edits.append((key.end_mark.index, span.end, ":" + trailer + nl + entries))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    _check(text, display, before, expected)
    return text


def _root(text: str, display: str) -> yaml.MappingNode:
    # U+2028 and friends are line breaks to libyaml but not to editors: hide them one
    # character for one, so indexes and columns match the text as the user sees it.
    hidden, _ = hide_odd_breaks(text)
    try:
        root = yaml.compose(hidden, Loader=_Loader)
    except yaml.YAMLError:
        load_text(text, display)  # raises Invalid with the loader's own words
        raise  # pragma: no cover - the loader refuses whatever compose refuses
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise Invalid([Problem(display, 1, 1,
            "the file must hold fields, one `name: value` per line, to be edited")])
    return root


def _line_end(text: str, index: int) -> int:
    """The index of the line break ending the line that holds ``index`` (or the text's end)."""
    end = text.find("\n", index)
    if end == -1:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _span(text: str, key: yaml.Node, node: yaml.Node) -> _Span:
    start, stop = node.start_mark.index, node.end_mark.index
    line_start = text.rfind("\n", 0, key.start_mark.index) + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        header_end = _line_end(text, start)
        header = _BLOCK_HEADER.fullmatch(text[start:header_end])
        trailer = header[2] if header else ""
        # The block's end mark falls after its trailing blank lines: stop at its
        # last line holding text, so blank lines and comments after it stay.
        end = header_end
        for match in re.finditer(r"[^\r\n]*\S[^\r\n]*", text[header_end:stop]):
            end = header_end + match.end()
        return _Span(start, end, trailer, line_start, key.start_mark.column)
    end = _line_end(text, stop)
    return _Span(start, end, text[stop:end], line_start, key.start_mark.column)


def _field_text(name: str, value: str, indent: int, nl: str) -> str:
    """``name: value`` as yaml_field writes it, each continuation line indented by ``indent``."""
    lines = yaml_field(name, value).split("\n")
    return nl.join([lines[0]] + [" " * indent + line if line else "" for line in lines[1:]])


def _replacement(text: str, span: _Span, name: str, value: str, nl: str) -> tuple[int, int, str]:
    entry = _field_text(name, value, span.key_column, nl)
    written = entry[len(name) + 2:]  # yaml_field always writes "name: value"
    head, _, body = written.partition(nl)
    body = body.rstrip("\r\n")  # the line break after the value stays where it is
    if span.start == span.end - len(span.trailer) and text[span.start - 1:span.start] == ":":
        head = " " + head  # an empty value ("due:"): the new one needs its space
    # A block keeps the old trailer (a comment) on its header line; a plain or
    # quoted value keeps it after the value.
    replacement = head + span.trailer + (nl + body if body else "")
    return span.start, span.end, replacement


def _removal(text: str, span: _Span, nl: str) -> tuple[int, int, str]:
    """Delete the field's lines: from its key's line to its value's line break."""
    end = span.end + len(nl) if text.startswith(nl, span.end) else span.end
    start = span.line_start
    if end == len(text) and not text.startswith(nl, span.end) and start > 0:
        start -= len(nl) if text[:start].endswith(nl) else 0  # the last line: take the break before
    return start, end, ""


def _check(text: str, display: str, before: dict, new: dict[str, object]) -> None:
    """Refuse the edit unless the result holds exactly what was asked and nothing else moved."""
    try:
        after = load_text(text, display).data
    except Invalid as invalid:
        raise Invalid([Problem(display, None, None,
            f"the edit would break the file ({invalid.problems[0].message}); nothing "
            "was written")]) from None
    expected = dict(before)
    for name, value in new.items():
        if value is None:
            expected.pop(name, None)
        else:
            expected[name] = value
    if after != expected or list(after) != [k for k in expected]:
        wrong = sorted(k for k in expected.keys() | after.keys()
                       if after.get(k) != expected.get(k)) or ["the order of the fields"]
        raise Invalid([Problem(display, None, None,
            f"the edit would not read back exactly ({', '.join(wrong)}); nothing was "
            "written")])
