"""The tool's own words in another language: a gettext message catalog per language.

English is the source: every message's ``msgid`` is the English :mod:`psa_report.wording`
prints. Another language's words are the ``msgstr`` of its catalog,
``psa_report/locale/<language>/LC_MESSAGES/psa_report.po``, read as it is at run time
with Babel (no compile step), so the file a Welsh language unit edits is the file the
tool reads. ``scripts/update-catalog.sh`` refreshes the template (``psa_report.pot``) and
the catalogs after words are added (see docs/welsh.md).

A message with values names them (``"Overdue by {days} days"``); a translation must use
the same names, or the catalog is refused at the line of the message. A message about a
count has a form per plural category of the language (Welsh has six), chosen by the
catalog's ``Plural-Forms`` header.
"""

from __future__ import annotations

import gettext
import io
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .files import decode_utf8, read_regular
from .problems import Invalid, Problem

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "psa_report"
#: the languages psa-report has words in: English (the msgids) and these catalogs'
LANGUAGES = ("en", "cy")
#: Babel's (CLDR's) locale of each language, for its dates and numbers
LOCALES = {"en": "en_GB", "cy": "cy_GB"}
#: a catalog is a few hundred messages: far more is not a catalog
MAX_CATALOG_BYTES = 2_000_000


def placeholders(text: str) -> set[str]:
    """The ``{names}`` in a message (raise ValueError if its braces do not pair up)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


@dataclass(frozen=True)
class Messages:
    """One language's messages: ``gettext`` and ``ngettext`` as gettext has them, plus
    the language's numbers (CLDR's, through Babel). English has no catalog: each
    message is its msgid."""

    language: str = "en"
    texts: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural_index: Callable[[int], int] = _english_plural
    #: how many of the catalog's messages have no translation yet (empty, or marked
    #: fuzzy): printed in English (:func:`untranslated` lists them)
    todo: int = 0

    @property
    def locale(self) -> str:
        return LOCALES.get(self.language, self.language)

    def gettext(self, message: str) -> str:
        return self.texts.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular)
        if forms and all(forms):
            return forms[min(self.plural_index(n), len(forms) - 1)]
        return singular if n == 1 else plural

    def number(self, n: int) -> str:
        """A count as the language writes it: "1,234" (thousands separated)."""
        if self.language == "en":
            return f"{n:,}"  # "5,402 days": as Babel writes en_GB, without loading it
        from babel.numbers import format_decimal

        return format_decimal(n, locale=self.locale)


ENGLISH = Messages()


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _display(path: Path) -> str:
    try:
        return f"psa_report/{path.relative_to(LOCALE_DIR.parent).as_posix()}"
    except ValueError:
        return str(path)


def catalog_display(language: str) -> str:
    """Where a language's catalog is, as messages name it: psa_report/locale/cy/..."""
    return _display(catalog_path(language))


def messages(language: str) -> Messages:
    """The messages of ``language`` ("en" or "cy"); an unknown language refused."""
    if language == "en":
        return ENGLISH
    if language not in LANGUAGES:
        raise Invalid([Problem("actions/report.yaml", None, None,
                               f"language {language!r}: psa-report has words in "
                               f"{' and '.join(LANGUAGES)} only: write one of them")])
    return _cached(language)


@cache
def _cached(language: str) -> Messages:
    return read_catalog(catalog_path(language), language)


def read_catalog(path: Path, language: str) -> Messages:
    """A catalog (.po) as :class:`Messages`: each problem in it refused at its line."""
    catalog = _read_po(path, language)
    return _messages_of(catalog, _display(path), language)


def _read_po(path: Path, language: str):
    """A catalog as Babel reads it, through the one bounded reader; a file that is not a
    catalog refused at its line."""
    from babel.messages.pofile import PoFileError, read_po

    display = _display(path)

    def complain(line: int, column: int, byte: int) -> Invalid:
        return Invalid([Problem(display, line, column, f"byte 0x{byte:02x} is not UTF-8: "
                                "save the catalog as UTF-8 (Poedit and Virtaal do)")])

    raw = read_regular(path, display, MAX_CATALOG_BYTES,
                       lambda size: f"is {size:,} bytes, more than a catalog's "
                                    f"{MAX_CATALOG_BYTES:,}: is it the right file?")
    text = decode_utf8(raw, complain)
    try:
        catalog = read_po(io.StringIO(text), locale=language, domain=DOMAIN,
                          abort_invalid=True)
    except PoFileError as error:
        raise Invalid([Problem(display, getattr(error, "lineno", None), None,
                               f"not a message catalog Babel can read ({error}): "
                               "compare the lines around it with the template "
                               "psa_report/locale/psa_report.pot")]) from None
    return catalog


def _messages_of(catalog, display: str, language: str) -> Messages:
    plural_index = _plural_index(catalog, display)
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    todo = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        if message.fuzzy:
            todo += 1
            continue  # marked for review (gettext's "#, fuzzy"): the English is printed
        line = message.lineno
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        try:
            named = [placeholders(text) for text in ids]
        except ValueError as error:
            problems.append(Problem(display, line, None, f"msgid: {error}"))
            continue
        found = message.string if isinstance(message.string, tuple) else (message.string,)
        todo += not all(found)
        for form in found:
            if not form:
                continue
            try:
                names = placeholders(form)
            except ValueError as error:
                problems.append(Problem(display, line, None, f"msgstr {form!r}: {error}: "
                                        "write a value's name in braces, like {days}"))
                continue
            if not allowed(names, named):
                problems.append(Problem(display, line, None, _mismatch(form, names, named)))
        if isinstance(message.id, tuple):
            # Babel gives each form the header's Plural-Forms asks for, "" where none is
            # written: a form left out of a translated message is refused, not printed
            # as English for the counts it is for
            missing = [i for i, form in enumerate(found) if not form]
            if any(found) and missing:
                problems.append(Problem(display, line, None,
                    f"msgstr[{missing[0]}] is empty, where Plural-Forms asks for "
                    f"{catalog.num_plurals} forms (msgstr[0] to "
                    f"msgstr[{catalog.num_plurals - 1}]): give every form, for the counts "
                    "the header's plural expression sends to it"))
            plurals[message.id[0]] = tuple(found)
        else:
            texts[message.id] = message.string
    if problems:
        raise Invalid(problems)
    return Messages(language, texts, plurals, plural_index, todo)


def allowed(names: set[str], named: list[set[str]]) -> bool:
    """Whether a translation's ``{names}`` match its msgid's (``named``: the names of the
    msgid and, for a plural, of its msgid_plural): the same names; for a plural form,
    every name both English forms have, and only names one of them has ("{count}
    {item}" in a language that puts the singular after a number)."""
    if len(named) == 1:
        return names == named[0]
    return set.intersection(*named) <= names <= set.union(*named)


def _mismatch(form: str, names: set[str], named: list[set[str]]) -> str:
    def listed(found: set[str]) -> str:
        return ", ".join("{" + n + "}" for n in sorted(found)) or "none"

    wanted = (listed(named[0]) if len(named) == 1 else
              f"{listed(set[str].intersection(*named))} (and may have "
              f"{listed(set[str].union(*named) - set[str].intersection(*named))})")
    return (f"msgstr {form!r} has the values {listed(names)} where the msgid has "
            f"{wanted}: keep each {{name}} as the msgid writes it (in English), "
            "moving it where the sentence needs it")


def _plural_index(catalog, display: str) -> Callable[[int], int]:
    """The header's Plural-Forms expression as a function of the count."""
    try:
        return gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError) as error:
        raise Invalid([Problem(display, None, None,
                               f"Plural-Forms: {catalog.plural_expr!r} is not a plural "
                               f"expression gettext can read ({error})")]) from None


def untranslated(path: Path, language: str) -> list[Problem]:
    """The messages of a catalog with no translation yet (or marked fuzzy), each at its
    line: what a review has still to do."""
    catalog = _read_po(path, language)
    _messages_of(catalog, _display(path), language)  # refuses what is broken first
    todo = []
    for message in catalog:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy:
            todo.append(Problem(_display(path), message.lineno, None,
                                f"{english!r} is marked fuzzy: check the translation, then "
                                "delete the '#, fuzzy' line above it"))
        elif not all(forms):
            todo.append(Problem(_display(path), message.lineno, None,
                                f"{english!r} has no translation yet"))
    return todo


def main(argv: list[str] | None = None) -> int:
    """``python -m psa_report.catalog cy``: check a language's catalog after editing it;
    every problem and every message still to translate is printed at its line."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    language = args[0] if args else "cy"
    if language not in LANGUAGES or language == "en":
        print(f"usage: python -m psa_report.catalog LANGUAGE (one of "
              f"{', '.join(LANGUAGES[1:])})", file=sys.stderr)
        return 2
    path = catalog_path(language)
    try:
        todo = untranslated(path, language)
    except Invalid as error:
        print(error, file=sys.stderr)
        return 1
    for problem in todo:
        print(problem, file=sys.stderr)
    if todo:
        return 1
    print(f"{_display(path)}: every message is translated, and each keeps its msgid's "
          "{names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
