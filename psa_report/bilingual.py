"""Texts in more than one language: the plan written in English and Welsh.

report.yaml's ``languages: [en, cy]`` names the plan's languages, its main one first.
Any text a person reads (report.yaml's, agencies.yaml's full names, plan.yaml's headings
and labels, an item's text and line fields) may then be written once, or as a mapping
``{en: ..., cy: ...}``. It is read into a :class:`Text`: a ``str`` equal to the main
language's text, so every reader of the plan keeps working with the main language, which
also carries every translation (``.translations``). :func:`in_language` gives a text in
a language, falling back to the main one and saying so (for ``lang="en"`` in a Welsh
page).

A mapping may also hold ``cy_checked: 2010-09-30``: the day the Welsh was last reviewed
against the English (``check`` then no longer says the Welsh may be out of date); and
``en_checked:``, the day the English was last reviewed against a newer Welsh (a Welsh
partner's update, say: ``check`` then no longer says the English may be out of date).

Refs, field names, agencies' short names, dates and statuses' names stay in one language.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from .dates import parse_day

#: The languages of the plan being read, the main one first (report.yaml's ``languages``).
LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar("psa_languages", default=("en",))
#: Whether the plan's languages are unknown (report.yaml cannot be read): a text is then
#: read in whatever languages it is written in, none refused for not being the plan's,
#: so that report.yaml's own mistake is the one reported.
EVERY: ContextVar[bool] = ContextVar("psa_every_language", default=False)
#: How many languages a plan may have for now.
MAX_LANGUAGES = 2
CHECKED = "_checked"

#: ISO 639-1: every two-letter language code.
ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
yo za zh zu""".split())

#: Languages' names in English, for messages (others are named by their code).
NAMES = {"en": "English", "cy": "Welsh", "ga": "Irish", "gd": "Scottish Gaelic",
         "gv": "Manx", "kw": "Cornish", "fr": "French", "de": "German", "es": "Spanish",
         "pl": "Polish", "pa": "Punjabi", "ur": "Urdu", "ar": "Arabic", "so": "Somali"}


def name_of(code: str) -> str:
    """"Welsh" for cy; "the xx" for a language this table does not name."""
    return NAMES.get(code, f"{code!r}")


class Fallback(str):
    """A text printed in an edition of another language: it has no translation into the
    edition's language, so it is printed in ``lang`` (the plan's main language; for the
    crime figures, police.uk's English), and the renderers mark it so (``lang="en"`` in
    HTML, ``w:lang`` in Word). (:mod:`psa_report.plan` makes most of them.)"""

    lang: str

    def __new__(cls, text: str, lang: str = "") -> Fallback:
        self = super().__new__(cls, text)
        self.lang = lang
        return self


def lang_of(text: Any) -> str:
    """The language a printed text is in when it is not the edition's ("" when it is)."""
    return getattr(text, "lang", "") if isinstance(text, Fallback) else ""


class Mixed(str):
    """A text in the edition's language with a passage in another inside it: the Welsh
    "Adran 2.1: " before a section's heading printed in English. ``parts``: the text
    piece by piece, each a plain ``str`` (the edition's language) or a :class:`Fallback`,
    so that the renderers mark each passage (``<span lang="en">``, an ``w:lang`` run).
    Made by :func:`formatted` and :func:`joined`, never when every part is plain."""

    parts: tuple[str, ...]

    def __new__(cls, text: str = "", parts: tuple[str, ...] = ()) -> Mixed:
        self = super().__new__(cls, text)
        self.parts = tuple(parts) or (str(text),)
        return self


def parts_of(text: Any) -> tuple[str, ...]:
    """A printed text piece by piece (:class:`Mixed`), or whole: each piece marked with
    its language by :func:`lang_of`."""
    return text.parts if isinstance(text, Mixed) else (text,)


def joined(pieces: Any, sep: str = "") -> str:
    """``sep.join(pieces)`` keeping the language of each piece printed in another language
    than the edition's (a :class:`Fallback`, or a :class:`Mixed`'s): a plain ``str`` when
    there is none (the edition in the plan's main language reads exactly as before), the
    one Fallback when it is all there is, else a :class:`Mixed`."""
    parts: list[str] = []
    for index, piece in enumerate(pieces):
        for part in (sep, *parts_of(piece)) if index and sep else parts_of(piece):
            if not part:
                continue
            if parts and lang_of(parts[-1]) == lang_of(part):  # one run per language
                part = Fallback(parts[-1] + part, lang_of(part)) if lang_of(part) \
                    else parts[-1] + part
                parts.pop()
            parts.append(part)
    text = "".join(parts)
    if not any(lang_of(part) for part in parts):
        return text
    if len(parts) == 1:
        return parts[0]
    return Mixed(text, tuple(parts))


_FORMATTER = string.Formatter()


def formatted(message: str, values: dict[str, Any]) -> str:
    """``message.format(**values)``, keeping the language of each value printed in another
    language than the edition's (see :func:`joined`): "Adran {number}: {heading}" with an
    English heading is Welsh with the heading marked English."""
    if not any(isinstance(v, (Fallback, Mixed)) for v in values.values()):
        return message.format(**values)
    pieces: list[str] = []
    for literal, name, spec, conversion in _FORMATTER.parse(message):
        pieces.append(literal)
        if name is None:
            continue
        value = _FORMATTER.get_field(name, (), values)[0]
        if isinstance(value, (Fallback, Mixed)) and not spec and not conversion:
            pieces.append(value)
        else:
            pieces.append(_FORMATTER.format_field(
                _FORMATTER.convert_field(value, conversion), spec or ""))
    return joined(pieces)


class Text(str):
    """A text with its translations: equal to (and printed as) its main language's text.

    ``translations``: language code -> text, every language it is written in;
    ``language``: the language of the text itself (the plan's main language);
    ``checked``: language code -> the day its translation was last reviewed."""

    translations: dict[str, str]
    language: str
    checked: dict[str, date]

    def __new__(cls, text: str, translations: dict[str, str] | None = None,
                language: str = "en", checked: dict[str, date] | None = None) -> Text:
        self = super().__new__(cls, text)
        self.translations = dict(translations) if translations else {language: str(text)}
        self.language = language
        self.checked = dict(checked or {})
        return self

    def __repr__(self) -> str:
        return f"Text({str(self)!r}, {self.translations!r})"


def main_language() -> str:
    return LANGUAGES.get()[0]


@contextmanager
def languages(codes: tuple[str, ...] | None) -> Iterator[None]:
    """Read the texts of a plan whose languages are ``codes`` (main first); None: not
    known (report.yaml cannot be read), every text read in its own languages
    (:data:`EVERY`), English taken as the main one."""
    token = LANGUAGES.set(tuple(codes or ()) or ("en",))
    every = EVERY.set(codes is None)
    try:
        yield
    finally:
        EVERY.reset(every)
        LANGUAGES.reset(token)


def is_plans(code: str) -> bool:
    """Whether ``code`` is one of the plan's languages (any is, while they are unknown)."""
    return code in LANGUAGES.get() or EVERY.get()


def in_language(value: Any, code: str) -> tuple[str, str]:
    """(the text of ``value`` in language ``code``, the language it is in): the main
    language's text when there is no translation into ``code``, so a renderer can mark
    it (``lang="en"`` in the Welsh edition)."""
    if isinstance(value, Text):
        found = value.translations.get(code)
        if found is not None:
            return found, code
        return str(value), value.language
    return ("" if value is None else str(value)), main_language()


def translations(value: Any) -> dict[str, str]:
    """Every language a text is written in (a text written once: the main language)."""
    if isinstance(value, Text):
        return value.translations
    return {} if value is None else {main_language(): str(value)}


class BadText(ValueError):
    """A text mapping that is not right; ``at``: the key it is about (or ())."""

    def __init__(self, message: str, at: tuple = ()):
        super().__init__(message)
        self.message, self.at = message, at


def is_translations(value: Any) -> bool:
    """Whether a value as the loader read it is written as a mapping of languages
    (every key a two-letter code or a code's ``_checked``)."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and (k in ISO_639_1 or (k.endswith(CHECKED)
                                                   and k[:-len(CHECKED)] in ISO_639_1))
        for k in value)


def check_languages(value: Any) -> tuple[str, ...]:
    """report.yaml's ``languages``, checked; ValueError in plain words."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list) or not value:
        raise ValueError("must list the plan's languages by their two-letter codes, the "
                         "main one first, like [en, cy]")
    codes: list[str] = []
    for code in value:
        if not isinstance(code, str) or code.strip().lower() not in ISO_639_1:
            raise ValueError(f"{code!r} is not a language's two-letter code (ISO 639-1), "
                             "such as en for English or cy for Welsh: write [en, cy]")
        code = code.strip().lower()
        if code in codes:
            raise ValueError(f"{code} is listed twice: keep one")
        codes.append(code)
    if len(codes) > MAX_LANGUAGES:
        raise ValueError(f"names {len(codes)} languages, but a plan may have at most "
                         f"{MAX_LANGUAGES} for now (its main language first, like [en, cy])")
    return tuple(codes)


def read(value: Any, one: Callable[[Any], str], *, shared: bool = False) -> Any:
    """A text as written: once (``one`` checks it, as every text is checked) or as a
    mapping of languages, read into a :class:`Text`. :class:`BadText` says what is wrong
    (``one``'s own errors pass through for a text written once).

    ``shared``: plan.yaml's texts, which may hold languages the plan does not use (the
    shipped plan.yaml carries Welsh); their main language falls back to English."""
    codes = LANGUAGES.get()
    if isinstance(value, dict) and value and not any(
            _code(str(key)) in ISO_639_1 for key in value):
        value = one(value)  # no language in it: a text with ': ' in it, say (one says so)
    if not isinstance(value, dict):
        text = one(value)
        if len(codes) == 1:
            return text  # a plan in one language reads exactly as it always has
        return Text(text, {codes[0]: text}, codes[0])
    main = codes[0]
    example = "{" + ", ".join(f"{c}: ..." for c in (codes if len(codes) > 1
                                                   else (main, "cy"))) + "}"
    if not value:
        raise BadText(f"is empty: write the text, or its languages like {example}")
    found: dict[str, str] = {}
    checked: dict[str, date] = {}
    for key, text in value.items():
        key_text = str(key)
        code = _code(key_text)
        if code not in ISO_639_1:
            raise BadText(f"{key_text!r} is not a language: a text in several languages is "
                          f"written {example} (two-letter codes; or `cy_checked:` with the "
                          "day the Welsh was last checked)", (key,))
        if not (shared or is_plans(code)):
            listed = ", ".join(codes)
            raise BadText(f"{key_text}: {name_of(code)} ({code}) is not one of the plan's "
                          f"languages ({listed}): add it to report.yaml's `languages:` "
                          f"(like `languages: [{main}, {code}]`), or remove it", (key,))
        if key_text.endswith(CHECKED):  # the main language's: reviewed against the others
            checked[code] = _day(key_text, text)
            continue
        if isinstance(text, (dict, list)):
            what = "list" if isinstance(text, list) else "group of fields"
            raise BadText(f"{key_text}: must be text, not a {what}: write the "
                          f"{name_of(code)} text itself", (key,))
        try:
            found[code] = one(text)
        except Exception as error:  # the one text check's own words
            raise BadText(f"{key_text}: {error}", (key,)) from None
    if main not in found:
        if shared and "en" in found:
            main = "en"
        elif EVERY.get() and found:  # the plan's main language is not known
            main = next(iter(found))
        else:
            raise BadText(f"has no {name_of(main)} text (`{main}:`): {name_of(main)} is the "
                          f"plan's main language (the first of report.yaml's languages), "
                          f"so every text needs it: write {example}")
    for code in checked:
        if code not in found:
            raise BadText(f"{code}{CHECKED}: there is no {name_of(code)} text to have "
                          f"checked: add `{code}: ...`, or remove it", (f"{code}{CHECKED}",))
    if shared:  # plan.yaml: only the plan's own languages are read
        if len(codes) == 1 and not EVERY.get():
            return found[main]  # a plan in one language reads exactly as it always has
        found = {c: t for c, t in found.items() if is_plans(c) or c == main}
        checked = {c: d for c, d in checked.items() if c in found}
    ordered = {main: found[main], **{c: t for c, t in found.items() if c != main}}
    return Text(found[main], ordered, main, checked)


def _code(key: str) -> str:
    """The language a key of a text's mapping is about: cy for cy and cy_checked."""
    return key[:-len(CHECKED)] if key.endswith(CHECKED) else key


def _day(key: str, value: Any) -> date:

    if isinstance(value, date):
        return value
    try:
        return parse_day(value) if isinstance(value, str) else parse_day("")
    except ValueError:
        raise BadText(f"{key}: {value!r} is not a date: write the day the translation was "
                      "last checked, like 2010-09-30", (key,)) from None
