"""The plan's shape: its kinds of item, their fields, its statuses and refs.

A project may declare its own shape in ``actions/plan.yaml`` (see the guide, "Your
plan's own shape"); without one it has :func:`default_shape`, the shipped
``plans/default.yaml``'s, read the same way: data gaps
(3.2.1) in a table and recommendations (R1) as blocks, with five statuses.

This module holds three stages for the shape itself:

* the typed shape (:class:`Shape`, :class:`Kind`, :class:`FieldDef`, :class:`StatusDef`,
  :class:`RefForm`), with the lookups the report needs (``shape.status(word)``,
  ``kind.lead_field``, ``form.key(ref)``...);
* reading ``plan.yaml`` (:func:`read_shape`, :func:`shape_from_document`): every
  mistake at its file:line:column, in plain words, with the allowed values;
* validating one item file against its kind (:func:`validate_item`), giving a generic
  :class:`Item`, each field by its type's validator (fieldtypes.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from . import bilingual, catalog, fieldtypes, models
from .chars import describe
from .dates import Due
from .fieldtypes import FIELD_TYPES, normal_word
from .fieldtypes import NO as _NO
from .fieldtypes import YES as _YES
from .fieldtypes import Bad as _Bad
from .fieldtypes import did_you_mean as _did_you_mean
from .fieldtypes import split_leads as split_leads  # where it was first
from .files import inside_project
from .loader import Document, load_file
from .problems import Invalid, Problem

ACTIONS = "actions"
PLAN_FILE = "plan.yaml"
#: Files directly in actions/, which no kind's folder may be named like.
RESERVED_NAMES = ("report.yaml", "agencies.yaml", PLAN_FILE)
#: Names no kind may have (they name those files when the files are sorted by kind).
RESERVED_KINDS = ("report", "agencies", "plan")

#: Every kind may also name one of the partnership's indicators (figures/indicators.yaml),
#: as ``ref`` is implied: the item's row then shows the indicator's figure.
INDICATOR = "indicator"
#: Every kind may also be marked exempt from publication, wholly (`exempt: 7`) or field by
#: field (`exempt: {update: 1}`), with its paragraph of Schedule 12A to the Local
#: Government Act 1972 (see psa_report/editions.py); implied as ``indicator`` is.
EXEMPT = "exempt"
LAYOUTS = ("table", "blocks")
#: The colours a status may have, with the light tint a status cell is shaded with (dark
#: text on each keeps a contrast above 7:1). A colour may also be written #RRGGBB.
COLOURS = {"blue": "C9DEF5", "green": "C3E6CB", "amber": "FFE08A", "red": "F5C2C0",
           "grey": "E2E2E2", "gray": "E2E2E2", "purple": "E1D5F0", "orange": "FFD2B0",
           "yellow": "FFF3B0", "pink": "F8D0E4"}
#: The longest ref accepted (a ref names a file and fits a table's first column).
MAX_REF_LENGTH = 20
_NUMBER_WORDS = {1: "one number", 2: "two numbers", 3: "three numbers", 4: "four numbers",
                 5: "five numbers", 6: "six numbers"}


@dataclass(frozen=True)
class StatusDef:
    """One declared status: its word (``name``, also ``value``), its ``label`` as
    printed, its ``slug`` and colour for CSS, whether it is done or an exception."""

    name: str
    colour: str
    done: bool = False  # never overdue, not sent to partners
    exception: bool = False  # listed in the report's exceptions
    also: tuple[str, ...] = ()  # other words accepted for it
    label: str = ""  # as printed; the name with a capital by default

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.name[:1].upper() + self.name[1:])

    @property
    def value(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        """For CSS classes and anchors: "on-track"."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "status"

    @property
    def css(self) -> str:
        """Its CSS classes: its own and its colour's ("status-green colour-green")."""
        return f"status-{self.slug} colour-{self.colour.lower().lstrip('#')}"

    @property
    def fill(self) -> str:
        """The tint of a status cell, as RRGGBB."""
        return COLOURS.get(self.colour.lower()) or self.colour.lstrip("#").upper()

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- refs


@lru_cache(maxsize=1 << 16)
def _parsed_ref(form: RefForm, text: str, what: str) -> str:
    return form._parse(text, what)


@dataclass(frozen=True)
class RefForm:
    """The form of a kind's refs, given by example: "3.2.1", "R1", "DA-02" or ""."""

    example: str
    style: str  # "dotted", "prefixed" or "none"
    parts: int = 0  # dotted: how many numbers
    prefix: str = ""  # prefixed: the letters before the number, as in the example
    width: int = 1  # prefixed: the number's digits in the example (zero padding kept)

    @classmethod
    def from_example(cls, example: str) -> RefForm:
        """The form an example shows; ValueError (in plain words) if it shows none."""
        text = example.strip()
        if not text:
            return cls("", "none")
        if not text.isascii():
            raise ValueError(_not_ascii(text))
        if len(text) > MAX_REF_LENGTH:
            raise ValueError(f"{text!r} is too long for a ref (at most {MAX_REF_LENGTH} "
                             "characters)")
        if re.fullmatch(r"\d+(?:\.\d+)*", text):
            return cls(text, "dotted", parts=text.count(".") + 1)
        if m := re.fullmatch(r"([A-Za-z][A-Za-z_-]*)(\d+)", text):
            return cls(text, "prefixed", prefix=m[1], width=len(m[2]))
        raise ValueError(
            f"{text!r} is not a form of ref this tool knows: give an example ref, either "
            "numbers with dots (\"1.1\", \"3.2.1\"), letters and a number (\"R1\", "
            "\"DA-02\"), or \"\" for no refs (items numbered in file order)")

    @property
    def how(self) -> str:
        """How to write a ref of this form, for messages."""
        if self.style == "dotted":
            count = _NUMBER_WORDS.get(self.parts, f"{self.parts} numbers")
            if self.parts == 1:
                return f"write a number, like {self.example}"
            return (f"write {count} with dots, like {self.example} (quote it if your "
                    "editor changes it)")
        if self.style == "prefixed":
            return f"write {self.prefix} and a number, like {self.example}"
        return "this kind has no refs: its items are numbered in file order"

    def parse(self, text: str, what: str = "a ref") -> str:
        """The ref in its canonical form (any case accepted); ValueError if not this form.
        (Kept per form and text: a preview's save sorts and checks every ref again.)"""
        return _parsed_ref(self, text, what)

    def _parse(self, text: str, what: str) -> str:
        text = text.strip()
        if len(text) > MAX_REF_LENGTH:
            raise ValueError(f"{text[:MAX_REF_LENGTH]!r}... is too long for a ref "
                             f"({len(text)} characters; at most {MAX_REF_LENGTH})")
        if not text.isascii():
            raise ValueError(_not_ascii(text))
        if self.style == "dotted":
            if re.fullmatch(_dotted(self.parts), text):
                return text
        elif self.style == "prefixed":
            m = re.fullmatch(re.escape(self.prefix) + r"(\d+)", text, re.IGNORECASE)
            if m and len(self.prefix + str(int(m[1])).zfill(self.width)) <= MAX_REF_LENGTH:
                return self.prefix + str(int(m[1])).zfill(self.width)
        elif re.fullmatch(r"\d+", text):
            return str(int(text))
        raise ValueError(f"{text!r} is not {what}: {self.how}")

    def valid(self, text: str) -> bool:
        try:
            self.parse(text)
        except ValueError:
            return False
        return True

    def key(self, ref: str) -> tuple:
        """Natural order: 3.2.10 after 3.2.9, R10 after R9 (refs not of the form last)."""
        try:
            ref = self.parse(ref)
        except ValueError:
            return (1, *natural_key(ref))
        if self.style == "dotted":
            return (0, *(int(part) for part in ref.split(".")))
        return (0, int(re.sub(r"\D", "", ref)))

    def sections(self, ref: str) -> tuple[str, ...]:
        """The section numbers a ref is under, outermost first: 3.2.1 -> ("3", "3.2")."""
        if self.style != "dotted":
            return ()
        parts = ref.strip().split(".")
        return tuple(".".join(parts[:i]) for i in range(1, len(parts)))

    def section(self, ref: str) -> str | None:
        """The innermost section of a ref (3.2.1 -> 3.2), or None."""
        sections = self.sections(ref)
        return sections[-1] if sections else None

    def next_ref(self, existing: Iterable[str], section: str | None = None) -> str:
        """The next free ref: after the highest in ``section`` (dotted forms; by default
        the section of the highest ref), or after the highest of all."""
        refs = sorted((self.parse(r) for r in existing if self.valid(r)), key=self.key)
        if self.style == "dotted":
            if self.parts == 1:
                return str(max((int(r) for r in refs), default=0) + 1)
            if section is None:
                section = self.section(refs[-1]) if refs else ".".join(["1"] * (self.parts - 1))
            section = (section or "").strip()
            if not re.fullmatch(_dotted(self.parts - 1), section):
                raise ValueError(f"{section!r} is not a section of refs like {self.example}")
            last = max((int(r.rsplit(".", 1)[1]) for r in refs
                        if self.section(r) == section), default=0)
            return f"{section}.{last + 1}"
        number = max((self.key(r)[1] for r in refs), default=0) + 1
        if self.style == "prefixed":
            return self.prefix + str(number).zfill(self.width)
        return str(number)


def _not_ascii(text: str) -> str:
    """Why a ref holding a character outside ASCII (a full-width digit) is refused."""
    char = next(c for c in text if not c.isascii())
    return (f"{text!r} holds {describe(char)}: a ref is written with the plain digits "
            "0-9 and letters A-Z (a full-width digit from a Japanese or Chinese keyboard "
            "looks the same but is another character): retype it")


def _dotted(parts: int) -> str:
    """The pattern of ``parts`` numbers with dots."""
    return r"\d+(?:\.\d+){%s}" % (parts - 1)  # noqa: UP031 - braces of a regex


def natural_key(text: str) -> tuple:
    """Any text in natural order: the numbers in it compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower())
                 for part in re.findall(r"\d+|\D+", text))


# ---------------------------------------------------------------- fields and kinds


@dataclass(frozen=True)
class FieldDef:
    """One declared field of a kind of item."""

    name: str
    label: str
    type: str  # one of FIELD_TYPES
    required: bool = True
    partners: bool = False  # in the partners' update workbooks
    choices: tuple[str, ...] = ()  # a choice field's choices


@dataclass(frozen=True)
class Kind:
    """One kind of item: its folder under actions/, its ref form, its fields, its words."""

    name: str
    folder: str
    ref: RefForm
    fields: tuple[FieldDef, ...]
    plural: str = ""
    heading: str = ""
    intro: str | None = None
    layout: str = "table"
    #: blocks: whether the title and status are named by their labels (see default.yaml)
    label_fields: bool = True
    #: the printed page of a table: "landscape", "portrait", or "" (by its columns)
    page: str = ""

    def __post_init__(self):
        if not self.plural:
            object.__setattr__(self, "plural", self.name + "s")
        if not self.heading:
            object.__setattr__(self, "heading", self.plural[:1].upper() + self.plural[1:])

    @property
    def key(self) -> str:
        """A name for code: "data_gap"."""
        return re.sub(r"\W+", "_", self.name.lower()).strip("_")

    @property
    def field_names(self) -> tuple[str, ...]:
        """Every field an item file may hold, ``ref`` first (unless there are no refs)."""
        names = tuple(f.name for f in self.fields)
        if INDICATOR not in names:
            names += (INDICATOR,)
        if EXEMPT not in names:
            names += (EXEMPT,)
        return names if self.ref.style == "none" else ("ref", *names)

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def _first(self, type_: str) -> FieldDef | None:
        return next((f for f in self.fields if f.type == type_), None)

    @cached_property  # asked for every item's lead, status and due
    def lead_field(self) -> FieldDef | None:
        """The first agencies field: whose workbook an item goes in, --lead, the leads' key."""
        return self._first("agencies")

    @cached_property
    def status_field(self) -> FieldDef | None:
        return self._first("status")

    @cached_property
    def due_field(self) -> FieldDef | None:
        return self._first("due")

    @property
    def title_field(self) -> FieldDef | None:
        """The first text or line field: what an item is about."""
        return next((f for f in self.fields if fieldtypes.get(f.type).wording), None)


@dataclass(frozen=True)
class Shape:
    """The whole shape of a plan: its statuses (best first) and its kinds of item."""

    statuses: tuple[StatusDef, ...]
    kinds: tuple[Kind, ...]
    status_required: bool = True
    #: where it was declared ("actions/plan.yaml", or the shipped default plan.yaml)
    source: str | None = None
    #: where the numbered sections come from ("the assessment"), for table captions
    sections_of: str = ""

    @cached_property
    def _words(self) -> dict[str, StatusDef]:
        words: dict[str, StatusDef] = {}
        for status in self.statuses:
            for word in (status.name, *status.also):
                words.setdefault(normal_word(word), status)
        for status in self.statuses:  # its label in any of the plan's languages
            for word in bilingual.translations(status.label).values():
                words.setdefault(normal_word(word), status)
        return words

    def find_status(self, word: str) -> StatusDef | None:
        """The status a word names (any case, hyphens or underscores, or an ``also``
        word), or None."""
        return self._words.get(normal_word(word))

    def status(self, word: str) -> StatusDef:
        """The status a word names; ValueError in plain words if it names none."""
        found = self.find_status(word)
        if found is not None:
            return found
        names = ", ".join(s.name for s in self.statuses)
        also = [w for s in self.statuses for w in s.also]
        other = f" (or {', '.join(also)})" if also else ""
        hint = _did_you_mean(word.strip(), [w for s in self.statuses
                                            for w in (s.name, *s.also)])
        raise ValueError(f"{word!r} is not a status: use one of {names}{other}.{hint}"
                         .rstrip("."))

    def rank(self, status: StatusDef | str) -> int:
        """Better or worse: a higher rank is further on (the first status ranks highest).
        (progress.ranks gives the same by word.)"""
        found = status if isinstance(status, StatusDef) else self.status(status)
        return len(self.statuses) - 1 - self.statuses.index(found)

    @property
    def done(self) -> tuple[StatusDef, ...]:
        return tuple(s for s in self.statuses if s.done)

    def label_of(self, role: str, language: str = "en") -> str:
        """The label the kinds give the field of a ``role`` ("lead_field", "status_field",
        "due_field"), in ``language``, for a column that lists items of every kind: two
        kinds' different labels joined ("Lead / Lead partner"); "" when no kind has one."""
        labels = dict.fromkeys(bilingual.in_language(found.label, language)[0]
                               for kind in self.kinds
                               if (found := getattr(kind, role)) is not None)
        return " / ".join(labels)

    @property
    def exceptions(self) -> tuple[StatusDef, ...]:
        return tuple(s for s in self.statuses if s.exception)

    def kind(self, name: str) -> Kind | None:
        """A kind by its name (any case), its plural, its key or its folder."""
        word = normal_word(name)
        return next((k for k in self.kinds if word in (
            normal_word(k.name), normal_word(k.plural), normal_word(k.key),
            normal_word(k.folder))), None)

    @property
    def folders(self) -> dict[str, Kind]:
        """Folder under actions/ -> the kind whose items it holds."""
        return {kind.folder: kind for kind in self.kinds}


# ---------------------------------------------------------------- the default shape

#: The shape of a plan without actions/plan.yaml: the 2010 report's data gaps and
#: recommendations with five statuses, shipped as a plan.yaml and read like any other
#: (as mkdocs ships its themes as mkdocs_theme.yml). ``init`` writes it out.
DEFAULT_PLAN = Path(__file__).resolve().parent / "plans" / "default.yaml"
DEFAULT_PLAN_DISPLAY = "psa-report's default plan.yaml"


@lru_cache(maxsize=1)
def default_plan_text() -> str:
    """The shipped default plan.yaml, as ``init`` writes it into a new plan."""
    return "".join(line + "\n" for line in load_file(DEFAULT_PLAN, DEFAULT_PLAN_DISPLAY).lines
                   ).rstrip("\n") + "\n"


def default_shape() -> Shape:
    """The shape a plan without actions/plan.yaml has: the shipped default plan.yaml's
    (its texts in the languages of the plan being read, see bilingual.py)."""
    return _default_shape(bilingual.LANGUAGES.get(), bilingual.EVERY.get())


@lru_cache(maxsize=4)
def _default_shape(languages: tuple[str, ...], every: bool = False) -> Shape:
    return shape_from_document(load_file(DEFAULT_PLAN, DEFAULT_PLAN_DISPLAY))


def placeholder(label: str) -> str:
    """The example text `new` writes in a kind's text field (check warns of it), worded
    so that any label reads right: "Write the field's text here: What we will do."."""
    return f"Write the field's text here: {label}" + ("" if label[-1:] in ".?!" else ".")


def placeholders(label: str) -> tuple[str, ...]:
    """Every example text `new` has written in a text field of this label, today's
    first: earlier versions wrote "Describe the data gap here." (a label in capitals,
    UPDATE, in small letters)."""
    word = label.lower() if label.isupper() else label[:1].lower() + label[1:]
    return placeholder(label), f"Describe the {word} here."


# ---------------------------------------------------------------- reading plan.yaml

_TOP_KEYS = ("statuses", "status_required", "sections_of", "kinds")
_STATUS_KEYS = ("name", "colour", "done", "exception", "also", "label")
_KIND_KEYS = ("name", "plural", "folder", "heading", "intro", "ref", "layout", "page",
              "label_fields", "fields")
PAGES = ("landscape", "portrait")
_FIELD_KEYS = ("name", "label", "type", "required", "partners", "choices")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")


class _Reader:
    """Checks plan.yaml's values one by one, collecting every problem at its mark."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Problem] = []

    def say(self, path: tuple, message: str, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def mapping(self, path: tuple, value: Any, keys: tuple[str, ...], what: str,
                required: tuple[str, ...] = ()) -> dict | None:
        if not isinstance(value, dict):
            self.say(path, f"{what} must be a group of `name: value` lines (such as "
                     f"`{keys[0]}: ...`)")
            return None
        for name in value:
            if name not in keys:
                self.say(path + (name,), f"unknown key {name!r} in {what}."
                         f"{_did_you_mean(name, keys)} The keys are: {', '.join(keys)}",
                         key=True)
        for name in required:
            if name not in value:
                self.say(path, f"{what} has no `{name}:`: add a line `{name}: ...` (the "
                         f"keys are: {', '.join(keys)})")
        return value

    def items(self, path: tuple, value: Any, what: str) -> list:
        if not isinstance(value, list):
            self.say(path, f"{path[-1]}: must be a list of {what}, one per line starting "
                     "with '- '")
            return []
        return value

    def text(self, path: tuple, value: Any, name: bool = False) -> str | None:
        """A text value; ``name``: held to the rule of names (no invisible characters)."""
        try:
            return models._text(value, name)
        except _Bad as error:
            self.say(path, f"{path[-1]}: {error.message}")
            return None

    def words(self, path: tuple, value: Any, name: bool = False) -> str | None:
        """A text a person reads: written once, or in several languages ({en: ..., cy:
        ...}, see bilingual.py)."""
        try:
            return bilingual.read(value, lambda v: models._text(v, name), shared=True)
        except _Bad as error:
            self.say(path, f"{path[-1]}: {error.message}")
        except bilingual.BadText as bad:
            self.say(path + bad.at, f"{path[-1]}: {bad.message}", key=bool(bad.at))
        return None

    def flag(self, path: tuple, value: Any, default: bool) -> bool:
        if value is None:
            self.say(path, f"{path[-1]}: is empty: write true or false")
            return default
        word = value.strip().lower() if isinstance(value, str) else ""
        if word in _YES:
            return True
        if word in _NO:
            return False
        self.say(path, f"{path[-1]}: {value!r} must be true or false")
        return default

    def word_list(self, path: tuple, value: Any, name: bool = False) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.say(path, f"{path[-1]}: must be a word, or a list of words like [a, b]")
            return ()
        found = []
        for i, word in enumerate(value):
            text = self.text(path + (i,), word, name)
            if text is not None:
                found.append(text)
        return tuple(found)

    def choose(self, path: tuple, value: Any, allowed: tuple[str, ...], what: str
               ) -> str | None:
        text = self.text(path, value)
        if text is None:
            return None
        if text.lower() in allowed:
            return text.lower()
        self.say(path, f"{path[-1]}: {text!r} is not {what}.{_did_you_mean(text, allowed)} "
                 f"Use one of: {', '.join(allowed)}")
        return None


def _flag(reader: _Reader, path: tuple, data: dict, name: str, default: bool) -> bool:
    if name not in data:
        return default
    return reader.flag(path + (name,), data[name], default)


def _read_status(reader: _Reader, path: tuple, data: Any) -> StatusDef | None:
    data = reader.mapping(path, data, _STATUS_KEYS, "a status", ("name", "colour"))
    if data is None:
        return None
    name = reader.text(path + ("name",), data["name"], True) if "name" in data else None
    colour = None
    if "colour" in data:
        colour = reader.text(path + ("colour",), data["colour"])
        if colour is not None and colour.lower() not in COLOURS and not re.fullmatch(
                r"#[0-9A-Fa-f]{6}", colour):
            reader.say(path + ("colour",), f"colour: {colour!r} is not a colour this tool "
                       f"knows.{_did_you_mean(colour, COLOURS)} Use one of: "
                       f"{', '.join(COLOURS)}, or #RRGGBB")
            colour = None
    also = reader.word_list(path + ("also",), data["also"], True) if "also" in data else ()
    label = reader.words(path + ("label",), data["label"]) if "label" in data else None
    done = _flag(reader, path, data, "done", False)
    exception = _flag(reader, path, data, "exception", False)
    if name is None or colour is None:
        return None
    return StatusDef(name, colour.lower() if colour.lower() in COLOURS else colour,
                     done, exception, also, label or "")


def _read_statuses(reader: _Reader, value: Any) -> tuple[StatusDef, ...]:
    statuses: list[StatusDef] = []
    words: dict[str, tuple] = {}  # normal word -> path of its first use
    entries = reader.items(("statuses",), value, "statuses")
    if isinstance(value, list) and not value:
        reader.say(("statuses",), "statuses: the list is empty: declare at least one "
                   "status, or remove `statuses:` to keep the usual five")
    for i, entry in enumerate(entries):
        path = ("statuses", i)
        status = _read_status(reader, path, entry)
        if status is None:
            continue
        for j, word in enumerate((status.name, *status.also)):
            where = path + (("name",) if j == 0 else ("also", j - 1 if isinstance(
                entry.get("also"), list) else None))
            where = tuple(p for p in where if p is not None)
            first = words.get(normal_word(word))
            if first is not None:
                line = reader.doc.mark(first)[0]
                reader.say(where, f"{where[2] if len(where) > 2 else 'name'}: {word!r} "
                           f"already names a status (line {line}): each word may name "
                           "one status only")
            else:
                words[normal_word(word)] = where
        statuses.append(status)
    return tuple(statuses)


def _read_field(reader: _Reader, path: tuple, data: Any) -> FieldDef | None:
    data = reader.mapping(path, data, _FIELD_KEYS, "a field", ("name", "type"))
    if data is None:
        return None
    name = reader.text(path + ("name",), data["name"]) if "name" in data else None
    if name is not None:
        if name == "ref":
            reader.say(path + ("name",), "name: 'ref' is not declared: every kind has its "
                       "ref (its form is the kind's `ref:`); remove this field")
            name = None
        elif not _FIELD_NAME.fullmatch(name):
            reader.say(path + ("name",), f"name: {name!r} cannot be a field's name: use "
                       "one word of letters, digits, '_' or '-', starting with a letter "
                       "(the label is what the report prints)")
            name = None
    type_ = reader.choose(path + ("type",), data["type"], FIELD_TYPES,
                          "a field type") if "type" in data else None
    label = reader.words(path + ("label",), data["label"]) if "label" in data else None
    required = _flag(reader, path, data, "required", True)
    partners = _flag(reader, path, data, "partners", False)
    choices: tuple[str, ...] = ()
    if "choices" in data:
        choices = reader.word_list(path + ("choices",), data["choices"])
        if type_ is not None and not fieldtypes.get(type_).has_choices:
            reader.say(path + ("choices",), f"choices: only a field of type choice has "
                       f"choices, and this one is {type_}: remove them, or write "
                       "`type: choice`", key=True)
        seen: set[str] = set()
        for i, choice in enumerate(choices):
            if normal_word(choice) in seen:
                reader.say(path + ("choices", i), f"choices: {choice!r} is given twice")
            seen.add(normal_word(choice))
    elif type_ is not None and fieldtypes.get(type_).has_choices:
        reader.say(path + ("type",), "type: a choice field needs its choices: add a line "
                   "`choices: [first, second]`")
    if name is None or type_ is None:
        return None
    return FieldDef(name, label or name.replace("_", " ").capitalize(), type_, required,
                    partners, choices)


def _read_kind(reader: _Reader, path: tuple, data: Any) -> Kind | None:
    data = reader.mapping(path, data, _KIND_KEYS, "a kind of item", ("name", "ref",
                                                                       "fields"))
    if data is None:
        return None
    texts = {key: (reader.text if key == "folder" else reader.words)(
                 path + (key,), data[key], key in ("name", "plural", "folder"))
             for key in ("name", "plural", "folder", "heading", "intro") if key in data}
    ref = None
    if "ref" in data:
        example = data["ref"]
        if example is None:
            example = ""
        if not isinstance(example, str):
            reader.say(path + ("ref",), "ref: must be an example ref in quotes, like "
                       "\"3.2.1\", \"R1\" or \"\"")
        else:
            try:
                ref = RefForm.from_example(example)
            except ValueError as error:
                reader.say(path + ("ref",), f"ref: {error}")
    layout = reader.choose(path + ("layout",), data["layout"], LAYOUTS,
                           "a layout") if "layout" in data else "table"
    page = reader.choose(path + ("page",), data["page"], PAGES,
                         "a page") if "page" in data else ""
    label_fields = _flag(reader, path, data, "label_fields", True)
    fields: list[FieldDef] = []
    if "fields" in data:
        entries = reader.items(path + ("fields",), data["fields"], "fields")
        if isinstance(data["fields"], list) and not entries:
            reader.say(path + ("fields",), "fields: the list is empty: declare at least "
                       "one field")
        names: dict[str, int] = {}
        for i, entry in enumerate(entries):
            found = _read_field(reader, path + ("fields", i), entry)
            if found is None:
                continue
            if found.name in names:
                line = reader.doc.mark(path + ("fields", names[found.name]))[0]
                reader.say(path + ("fields", i, "name"), f"name: {found.name!r} is already "
                           f"a field of this kind (line {line}): each field needs its "
                           "own name")
                continue
            names[found.name] = i
            fields.append(found)
        statuses = [i for i, e in enumerate(entries) if isinstance(e, dict)
                    and isinstance(e.get("type"), str) and e["type"].strip().lower() == "status"]
        for i in statuses[1:]:
            reader.say(path + ("fields", i, "type"), "type: this kind already has a status "
                       f"field (line {reader.doc.mark(path + ('fields', statuses[0]))[0]}): "
                       "a kind has one status at most; make this one a choice field")
    name = texts.get("name")
    if name is not None and re.sub(r"\W+", "_", name.lower()).strip("_") in RESERVED_KINDS:
        reader.say(path + ("name",), f"name: {name!r} cannot name a kind of item: "
                   f"{', '.join(RESERVED_KINDS)} are the names of the files in {ACTIONS}/; "
                   "choose another name")
        name = None
    folder = texts.get("folder")
    if name is not None and "folder" not in data:
        folder = re.sub(r"[^a-z0-9]+", "-", (texts.get("plural") or name + "s").lower()
                        ).strip("-")
    if folder is not None and (not _FOLDER.fullmatch(folder) or len(folder) > 60
                               or folder.lower() in RESERVED_NAMES):
        reader.say(path + ("folder",), f"folder: {folder!r} cannot be a folder under "
                   f"{ACTIONS}/: use one name of letters, digits, spaces, '-' or '_' "
                   "(such as data-gaps), not a path")
        folder = None
    if name is None or folder is None or ref is None or layout is None \
            or "fields" not in data or not fields:
        return None
    return Kind(name, folder, ref, tuple(fields), texts.get("plural") or "",
                texts.get("heading") or "", texts.get("intro"), layout, label_fields,
                page or "")


def _read_kinds(reader: _Reader, value: Any) -> tuple[Kind, ...]:
    kinds: list[Kind] = []
    entries = reader.items(("kinds",), value, "kinds of item")
    if isinstance(value, list) and not value:
        reader.say(("kinds",), "kinds: the list is empty: declare at least one kind of "
                   "item, or remove `kinds:` to keep data gaps and recommendations")
    seen: dict[tuple[str, str], int] = {}  # (what, name, plural or folder) -> index
    for i, entry in enumerate(entries):
        kind = _read_kind(reader, ("kinds", i), entry)
        if kind is None:
            continue
        clash = False
        for what, word in (("name", normal_word(kind.name)),
                           ("name", normal_word(kind.plural)),
                           ("folder", kind.folder.lower())):
            if (what, word) in seen:
                other = seen[(what, word)]
                line = reader.doc.mark(("kinds", other, what))[0]
                key = "plural" if what == "name" and word == normal_word(kind.plural) \
                    and "plural" in entry else what
                reader.say(("kinds", i, key if key in entry else "name"),
                           f"{what}: {word!r} is also the {what} of the kind on line "
                           f"{line}: each kind needs its own {what}")
                clash = True
            seen[(what, word)] = i
        # names that differ only in their punctuation ("data.gap", "data gap") would
        # share one key, and each kind's items be checked against the other kind
        if not clash and ("key", kind.key) in seen:
            line = reader.doc.mark(("kinds", seen[("key", kind.key)], "name"))[0]
            reader.say(("kinds", i, "name"), f"name: {kind.name!r} differs from the name "
                       f"of the kind on line {line} only in its punctuation: give each kind "
                       "a name of its own words")
            clash = True
        seen[("key", kind.key)] = i
        if not clash:
            kinds.append(kind)
    return tuple(kinds)


def shape_from_document(doc: Document) -> Shape:
    """The shape ``plan.yaml`` declares; :class:`Invalid` with every mistake in it."""
    reader = _Reader(doc)
    data = reader.mapping((), doc.data, _TOP_KEYS, "plan.yaml")
    if data is None:
        raise Invalid(reader.problems)
    statuses = (_read_statuses(reader, data["statuses"]) if "statuses" in data
                else default_shape().statuses)
    required = _flag(reader, (), data, "status_required", True)
    sections_of = (reader.words(("sections_of",), data["sections_of"]) or ""
                   if "sections_of" in data else "")
    kinds = _read_kinds(reader, data["kinds"]) if "kinds" in data else default_shape().kinds
    if reader.problems:
        raise Invalid(reader.problems)
    return Shape(statuses, kinds, required, doc.display, sections_of)


def plan_path(root: Path) -> Path:
    return Path(root) / ACTIONS / PLAN_FILE


def read_shape(root: Path) -> Shape:
    """The shape of the project at ``root``: its plan.yaml's, or :func:`default_shape`."""
    path = plan_path(root)
    if not path.exists() and not path.is_symlink():
        return default_shape()
    relative = f"{ACTIONS}/{PLAN_FILE}"
    return shape_from_document(load_file(inside_project(root, relative), relative))


# ---------------------------------------------------------------- agencies


def check_agency_name(text: str) -> str:
    """A short name for agencies.yaml: words (spaces allowed), no commas, semicolons or
    slashes (they separate several leads); ValueError in plain words."""
    name = " ".join(text.split())
    if not name or re.search(r"[,;/]", name):
        raise ValueError(f"{text!r} cannot be an agency's short name: use no commas, "
                         "semicolons or slashes (such as SBC, A&E or Youth Offending "
                         "Service)")
    return name


def read_agencies(doc: Document, with_emails: bool = False,
                  languages: dict[str, str] | None = None):
    """agencies.yaml (short name -> full name), short names with spaces allowed.

    An agency may be written with its details, ``Police: {name: ..., email: ...,
    language: cy}``; ``with_emails`` adds the third result, short name -> email address;
    ``languages`` (a dict) is filled in with short name -> the language of an agency that
    gives one (one of the plan's languages, else refused at its line).
    """
    problems: list[Problem] = []
    found: tuple[dict[str, str] | None, list[Problem]]
    if not isinstance(doc.data, dict) or not doc.data:
        found = None, [doc.problem((), "the file must hold the agencies, one `short name: "
                                   "full name` per line")]
        return (*found, {}) if with_emails else found
    agencies: dict[str, str] = {}
    emails: dict[str, str] = {}
    for key, value in doc.data.items():
        try:
            name = check_agency_name(key)
            if name in agencies:
                raise ValueError(f"{name!r} is given twice (spaces aside): keep one")
        except ValueError as error:
            problems.append(doc.problem((key,), str(error), key=True))
            continue
        try:
            if bilingual.is_translations(value):
                agencies[name] = models._words(value)
            elif isinstance(value, dict):
                entry = models.AgencyEntry.read(value)
                agencies[name] = entry.name
                if entry.email:
                    emails[name] = entry.email
                if entry.language:
                    plan = bilingual.LANGUAGES.get()
                    if not bilingual.is_plans(entry.language):
                        problems.append(doc.problem((key, "language"),
                            f"{key}: language: {bilingual.name_of(entry.language)} "
                            f"({entry.language}) is not one of the plan's languages "
                            f"({', '.join(plan)}): write one of them, or add it to "
                            "report.yaml's `languages:` (like `languages: "
                            f"[{plan[0]}, {entry.language}]`)"))
                    elif entry.language not in catalog.LANGUAGES:
                        problems.append(doc.problem((key, "language"),
                            f"{key}: language: psa-report has its own words (a workbook's "
                            f"instructions, an e-mail) in {' and '.join(catalog.LANGUAGES)} "
                            f"only, not {bilingual.name_of(entry.language)}: write one of "
                            "them, or leave `language:` out"))
                    elif languages is not None:
                        languages[name] = entry.language
            else:
                agencies[name] = models._text(value)
        except _Bad as error:
            problems.append(doc.problem((key,), f"{key}: {error.message}"))
        except models.Refused as refused:
            fields = [f.name for f in models.AgencyEntry.FIELDS]
            for loc, kind, message in refused.errors:
                if kind == "unknown":
                    message = f"unknown field {loc[0]!r}.{_did_you_mean(str(loc[0]), fields)}"
                elif kind == "missing":
                    message = f"missing field {loc[0]!r}: add a line `{loc[0]}: ...`"
                else:
                    message = f"{'.'.join(map(str, loc))}: {message}"
                problems.append(doc.problem((key, *loc[:1]),
                    f"{key}: {message} (an agency is written `short name: full name`, or "
                    "with `name:`, `email:` and `language:` below it)", key=kind == "unknown"))
    found = (None if problems else agencies), problems
    return (*found, emails) if with_emails else found


class AmbiguousCell(ValueError):
    """A table cell that names agencies in more than one way."""

    def __init__(self, message: str, candidates: list[list[str]]):
        super().__init__(message)
        self.candidates = candidates


def match_agencies(cell: str, agencies: Iterable[str]) -> list[str]:
    """The agencies an imported table cell names, as their short names.

    Names separated by commas, semicolons or slashes are taken one by one; within each
    part, space-separated words are matched against the known short names (any case),
    longest first. A part that reads as more than one list of agencies raises
    :class:`AmbiguousCell` naming the readings; one that names no known agency raises
    ValueError with the nearest names.
    """
    known = list(agencies)
    by_words = {tuple(normal_word(a).split()): a for a in known}
    longest = max((len(w) for w in by_words), default=0)
    found: list[str] = []
    for part in re.split(r"[,;/]", cell):
        words = normal_word(part).split()
        if not words:
            continue
        readings = _readings(tuple(words), by_words, longest)
        if not readings:
            rest = _unmatched(tuple(words), by_words, longest)
            hint = _did_you_mean(rest, known)
            raise ValueError(f"{part.strip()!r} names no known agency at {rest!r}.{hint} "
                             f"The agencies are: {', '.join(known)}")
        if len(readings) > 1:
            shown = "; or ".join(" + ".join(r) for r in readings[:5])
            raise AmbiguousCell(f"{part.strip()!r} can be read as {shown}: separate the "
                                "agencies with commas", readings[:5])
        found.extend(readings[0])
    return list(dict.fromkeys(found))


def _readings(words: tuple[str, ...], by_words: dict, longest: int, limit: int = 6
              ) -> list[list[str]]:
    """Every way of reading ``words`` as known names, longest names first (at most
    ``limit``). Which word positions can still be read to the end is worked out first,
    from the last word back, so the search never enters a dead end: the time grows with
    the number of words times the longest name, never exponentially."""
    count = len(words)
    readable = [False] * count + [True]  # readable[i]: words[i:] reads as known names
    for start in range(count - 1, -1, -1):
        readable[start] = any(readable[start + size] and words[start:start + size]
                              in by_words
                              for size in range(1, min(longest, count - start) + 1))
    found: list[list[str]] = []
    path: list[tuple[int, int]] = []  # (first word, words taken) of each name so far
    start, size = 0, min(longest, count)
    while True:  # depth first, longest name first, without recursion (a cell may be long)
        if start == count:
            found.append([by_words[words[s:s + z]] for s, z in path])
            if len(found) >= limit:
                break
        while size > 0 and not (readable[start + size]
                                and words[start:start + size] in by_words):
            size -= 1
        if size > 0:
            path.append((start, size))
            start += size
            size = min(longest, count - start)
            continue
        if not path:
            break
        start, size = path.pop()
        size -= 1
    return found


def _unmatched(words: tuple[str, ...], by_words: dict, longest: int) -> str:
    """The words from the first one that no reading gets past."""
    start = 0
    while start < len(words):
        size = next((s for s in range(min(longest, len(words) - start), 0, -1)
                     if words[start:start + s] in by_words), None)
        if size is None:
            break
        start += size
    return " ".join(words[start:])


# ---------------------------------------------------------------- items


@dataclass(frozen=True, eq=False)
class Item:
    """One item of any kind: its ref and its values, typed by its kind's fields
    (text: str, agencies: list[str], status: StatusDef, due: Due, date: date, number:
    int or float, choice: str, yes-no: bool). A field left out is not in ``values``."""

    kind: Kind
    ref: str
    values: dict[str, Any]
    source: str | None = None  # the file, relative to the project
    #: field name -> (line, column) of its value
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __getattr__(self, name: str) -> Any:
        # item.gap, item.update...: a field by its name (None when left out)
        if not name.startswith("_") and name not in ("kind", "values"):
            kind = self.__dict__.get("kind")
            if kind is not None and (kind.field(name) is not None or name == INDICATOR):
                return self.values.get(name)
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Item) and (self.kind.name, self.ref, self.values)
                == (other.kind.name, other.ref, other.values))

    __hash__ = None  # type: ignore[assignment]

    @property
    def lead(self) -> list[str]:
        found = self.kind.lead_field
        return list(self.values.get(found.name) or []) if found else []

    @property
    def status(self) -> StatusDef | None:
        found = self.kind.status_field
        return self.values.get(found.name) if found else None

    @property
    def due(self) -> Due | None:
        found = self.kind.due_field
        return self.values.get(found.name) if found else None

    @property
    def section(self) -> str | None:
        return self.kind.ref.section(self.ref)

    @property
    def sections(self) -> tuple[str, ...]:
        return self.kind.ref.sections(self.ref)

    @property
    def title(self) -> str:
        found = self.kind.title_field
        value = self.values.get(found.name) if found else None
        return value if isinstance(value, str) else self.ref


def field_value(definition: FieldDef, value: Any, shape: Shape,
                agencies: dict[str, str] | None = None) -> Any:
    """One field's value, typed; :class:`ValueError` (its message in plain words)."""
    try:
        return _field_value(definition, value, shape, agencies)
    except _Bad as bad:
        raise ValueError(bad.message) from None


def _field_value(definition: FieldDef, value: Any, shape: Shape,
                 agencies: dict[str, str] | None) -> Any:
    return fieldtypes.get(definition.type).parse(value, definition, shape, agencies)


def required(definition: FieldDef, shape: Shape) -> bool:
    """Whether an item must give this field (a status only if the plan requires one)."""
    if fieldtypes.get(definition.type).is_status and not shape.status_required:
        return False
    return definition.required


def comment_on(doc: Document, line: int | None) -> bool:
    """Whether the value on this line is a comment (`update: #5 done`)."""
    if line is None or not 0 < line <= len(doc.lines):
        return False
    _, colon, value = doc.lines[line - 1].partition(":")
    return bool(colon) and value.lstrip().startswith("#")


def _problem(doc: Document, name: str, bad: _Bad) -> Problem:
    problem = doc.problem((name, *bad.at), f"{name}: {bad.message}")
    if bad.message.startswith("is empty") and comment_on(doc, problem.line):
        problem = Problem(problem.file, problem.line, problem.column,
            f"{name}: is empty, because `#` after a space starts a comment in YAML, "
            f"so the rest of the line is not read: put the text in quotes, like "
            f"{name}: \"{doc.lines[(problem.line or 1) - 1].partition(':')[2].strip()}\"")
    return problem


def validate_item(doc: Document, kind: Kind, shape: Shape,
                  agencies: dict[str, str] | None = None, *, source: str | None = None,
                  number: int | None = None) -> Item:
    """One item file checked against its kind; :class:`Invalid` with every problem.

    ``agencies`` (short name -> full name) are the known leads (None: not checked);
    ``number`` is the item's place in file order, its ref when the kind has no refs.
    """
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        first = (f"ref: {kind.ref.example}" if kind.ref.style != "none"
                 else f"{kind.fields[0].name}: ...")
        raise Invalid([doc.problem((), f"the file holds {what}, but it must hold fields, "
                                   f"one `name: value` per line (like `{first}`)")])
    names = kind.field_names
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key in doc.data:
        if key == "ref" and kind.ref.style == "none":
            problems.append(doc.problem((key,), f"unknown field 'ref': {kind.plural} have "
                                        "no refs (plan.yaml gives `ref: \"\"`), so they are "
                                        "numbered in file order: remove this line",
                                        key=True))
        elif key not in names:
            problems.append(doc.problem((key,), f"unknown field {key!r}."
                                        f"{_did_you_mean(str(key), names)} The fields "
                                        f"are: {', '.join(names)}", key=True))
    ref = None
    if kind.ref.style == "none":
        ref = str(number) if number is not None else ""
    elif "ref" not in doc.data:
        problems.append(doc.problem((), "missing field 'ref': add a line `ref: ...` (the "
                                    f"fields are: {', '.join(names)})"))
    else:
        try:
            text = models._text(doc.data["ref"])
            ref = kind.ref.parse(text, f"a {kind.name.replace(' ', '-')} ref")
        except (_Bad, ValueError) as error:  # (a Bad's text is its message)
            problems.append(_problem(doc, "ref", _Bad(str(error))))
    for definition in kind.fields:
        name = definition.name
        value = doc.data.get(name)
        if name not in doc.data or (value is None and not required(definition, shape)
                                    and not fieldtypes.get(definition.type).is_agencies):
            if required(definition, shape):
                problems.append(doc.problem((), f"missing field {name!r}: add a line "
                                            f"`{name}: ...` (the fields are: "
                                            f"{', '.join(names)})"))
            elif fieldtypes.get(definition.type).is_agencies:
                values[name] = []
            continue
        try:
            values[name] = _field_value(definition, value, shape, agencies)
        except _Bad as bad:
            problems.append(_problem(doc, name, bad))
    if kind.field(INDICATOR) is None and doc.data.get(INDICATOR) is not None:
        try:
            values[INDICATOR] = fieldtypes.one_line(doc.data[INDICATOR])
        except _Bad as bad:
            problems.append(_problem(doc, INDICATOR, bad))
    if kind.field(EXEMPT) is None and EXEMPT in doc.data:
        exempt = exempt_value(doc, kind, problems)
        if exempt is not None:
            values[EXEMPT] = exempt
    if problems:
        raise Invalid(problems)
    assert ref is not None  # else a problem was raised above
    marks = {path[0]: mark for path, mark in doc.value_marks.items() if len(path) == 1}
    return Item(kind, ref, values, source or doc.display, marks)


def exempt_value(doc: Document, kind: Kind, problems: list[Problem]) -> dict[str, int] | None:
    """An item's ``exempt``: field name -> paragraph of Schedule 12A, the whole item under
    :data:`models.WHOLE_ITEM`; each mistake at its line, added to ``problems``."""
    value = doc.data[EXEMPT]
    fields = tuple(n for n in kind.field_names if n not in ("ref", EXEMPT))
    what = kind.name
    example = "update" if "update" in fields else fields[0]
    if not isinstance(value, dict):
        if value is None:
            problems.append(doc.problem((EXEMPT,), "exempt: is empty: write the paragraph of "
                                        f"Schedule 12A (1 to 7), such as `exempt: 7` for the "
                                        f"whole {what} or `exempt: {{{example}: 7}}` for one "
                                        "field, or remove the line"))
            return None
        try:
            return {models.WHOLE_ITEM: models._paragraph(value)}
        except _Bad as bad:
            problems.append(_problem(doc, EXEMPT, bad))
            return None
    if not value:
        problems.append(doc.problem((EXEMPT,), f"exempt: names no field: write `exempt: "
                                    f"{{{example}: 7}}` (the field and the paragraph of "
                                    f"Schedule 12A), or `exempt: 7` for the whole {what}"))
        return None
    found: dict[str, int] = {}
    for name, paragraph in value.items():
        if name not in fields:
            hint = _did_you_mean(str(name), fields)
            problems.append(doc.problem((EXEMPT, name), f"exempt.{name}: {str(name)!r} is not "
                                        f"a field of a {what}.{hint} The fields that may be "
                                        f"exempt are: {', '.join(fields)}", key=True))
            continue
        try:
            found[name] = models._paragraph(paragraph)
        except _Bad as bad:
            problems.append(doc.problem((EXEMPT, name), f"exempt.{name}: {bad.message}"))
    return found


def written_text(definition: FieldDef, value: Any) -> str | None:
    """A typed field value as it is written to YAML (and kept in a round's manifest)."""
    return fieldtypes.get(definition.type).written_text(value)


def shown_text(definition: FieldDef, value: Any) -> str:
    """A typed field value as a person reads it (a workbook, `changes`, `show`)."""
    return fieldtypes.get(definition.type).shown_text(value)


def sort_items(items: Iterable[Item]) -> list[Item]:
    """Items in natural order of their refs (file order for kinds with no refs)."""
    return sorted(items, key=lambda item: item.kind.ref.key(item.ref))
