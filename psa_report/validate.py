"""Stage 2, validate: the one home of every warning about the plan.

Errors stop a file as it is read (:mod:`psa_report.project`, :mod:`psa_report.models`);
warnings are things that are valid but should not reach the committee unnoticed, and are
all made here, so ``check --strict`` and ``build --strict`` refuse exactly the same
things: example text left as written, a section heading with no data gap, an open action
long past its deadline with no change since, a character no installed font can print,
a report.yaml still for a meeting already tagged (and, for ``requests``, a meeting
whose date has passed), and (never an error, since a tag's files cannot be corrected)
a meeting tag whose plan no longer validates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import cast

from . import catalog, fieldtypes, history
from .bilingual import Text, is_translations, name_of, translations
from .dates import long_date
from .files import inside_project
from .glyphs import missing_glyphs
from .loader import MAX_FILE_BYTES, Document, load_bytes, load_file, read_bounded
from .problems import Invalid, Problem, sort_problems, warning
from .project import (
    AGENCY_EXAMPLES,
    PARAGRAPH_EXAMPLES,
    PLACEHOLDERS,
    REPORT_EXAMPLES,
    SECTION_EXAMPLE,
    KeptFiles,
    Project,
    load_project,
)
from .scan import ACTIONS, AGENCIES_FILE
from .shape import PLAN_FILE, Shape, placeholders

#: An open action this long past its deadline, with no change since, is worth a warning.
STALE_AFTER = timedelta(days=90)


@dataclass
class Checked:
    """A project that validates, and every warning about it."""

    project: Project
    warnings: list[Problem]


def validate(root: Path, kept: KeptFiles | None = None) -> Checked:
    """Load and validate every file (raises Invalid on errors); with every warning.
    ``kept``: the preview's files kept from its last build (see project.KeptFiles)."""
    project = load_project(Path(root), kept)
    if (Path(root) / "figures").is_dir() or any(i.get("indicator") for i in project.items):
        from .figures import FIGURES  # only with figures: `check` is 7% faster without
        from .figures_view import check_indicator_names, load_figures

        indicators = load_figures(root)[1] if (Path(root) / FIGURES).is_dir() else None
        check_indicator_names(project, indicators)  # an item's indicator: in indicators.yaml
    project.warnings = file_warnings(project)
    return Checked(project, sort_problems(project.warnings + stale(project)
                                          + stale_translations(project)
                                          + missing_glyphs(project)
                                          + still_for_a_held_meeting(project)))


def words_to_translate(languages: Iterable[str]) -> list[Problem]:
    """A warning for each of ``languages`` (an edition's, or a plan's) whose catalog of
    the tool's own words has messages not yet translated (empty, or marked fuzzy): the
    edition prints them in English. English is the messages themselves."""
    found = []
    for code in dict.fromkeys(languages):
        if code == "en" or code not in catalog.LANGUAGES:
            continue
        todo = catalog.messages(code).todo
        if todo:
            language = name_of(code)
            found.append(warning(catalog.catalog_display(code), None, None,
                f"the tool's {language} catalog has {todo} untranslated "
                f"message{'s' if todo > 1 else ''} (with no {language} yet, or marked "
                f"fuzzy): {'they are' if todo > 1 else 'it is'} printed in English in the "
                f"{language} edition; `python -m psa_report.catalog {code}` lists "
                f"{'them' if todo > 1 else 'it'}, each at its line, for your {language} "
                "language unit to translate (see docs/welsh.md)"))
    return found


def refuse_warnings(warnings: list[Problem], strict: bool) -> None:
    """With --strict, every warning is an error: nothing is written."""
    if strict and warnings:
        raise Invalid([Problem(p.file, p.line, p.column,
                               f"{p.message} (an error with --strict)") for p in warnings])


def stale(project: Project) -> list[Problem]:
    """Open actions whose deadline is long past (as at the report's date) and whose
    file has not changed since that deadline (by git; outside git, by date alone)."""
    report = project.report
    as_of = report.meeting_date or report.date
    late = [i for i in project.items if i.due is not None and i.due.day < as_of - STALE_AFTER
            and not (i.status is not None and i.status.done)]
    if not late:
        return []
    changed = history.last_changed(project.root)
    found = []
    for item in late:
        source = project.sources[item.ref]
        last = None if changed is None else changed.get(source.path)
        if last is not None and last > item.due.day:
            continue
        since = "" if last is None else f", and its file has not changed since {last:%-d %B %Y}"
        still = f"still {item.status.value}" if item.status is not None else "not done"
        found.append(warning(*project.where(item.ref, item.kind.due_field.name),
            f"{item.ref} was due {item.due.long} and is {still}"
            f"{since}: record the progress in `update:` and set a new `due:`, or mark "
            "it complete"))
    return found


ROLL_FORWARD = ("roll report.yaml forward for the next meeting: meeting_date, date, "
                "paragraphs")


def still_for_a_held_meeting(project: Project) -> list[Problem]:
    """report.yaml still for a meeting that has been held: its meeting_date (else its
    date) on or before the last meeting tagged (by report.yaml's meeting_tags, or the
    tag its last_meeting names). Warned at that line. Outside git, git is not run."""
    report = project.report
    patterns = [report.meeting_tags] if report.meeting_tags else []
    if report.last_meeting is not None:
        try:
            patterns.append(history.tag_pattern(report.last_meeting))
        except ValueError:  # a commit such as HEAD~1: no meeting's date
            pass
    if not patterns or not history.maybe_in_git(project.root):
        return []
    tagged = []
    for pattern in patterns:
        try:
            tagged += history.meetings(project.root, pattern)[0]
        except history.GitError:
            return []
    if not tagged:
        return []
    last = max(tagged, key=lambda m: (m.day, m.committed))
    key = "meeting_date" if report.meeting_date is not None else "date"
    day = report.meeting_date or report.date
    if day > last.day:
        return []
    line, column = project.report_marks.get(key, (None, None))
    when = "the day of" if day == last.day else "before"
    return [warning(project.report_file, line, column,
        f"{key}: {long_date(day)} is {when} the last meeting tagged ({last.tag}, "
        f"{long_date(last.day)}), so this report is still for a meeting that has been "
        f"held: {ROLL_FORWARD} (a paper re-issued for that meeting is measured against "
        "the meeting before it)")]


def meeting_passed(project: Project, issued_on: date, reply_by: date | None) -> list[Problem]:
    """Before ``requests`` tells partners which meeting their updates go to: that
    meeting's date (report.yaml's meeting_date) has passed, or comes before the replies
    are asked for; or report.yaml is still for a meeting already tagged
    (:func:`still_for_a_held_meeting`)."""
    report = project.report
    found = still_for_a_held_meeting(project)
    meeting = report.meeting_date
    if meeting is not None and meeting < (reply_by or issued_on):
        line, column = project.report_marks.get("meeting_date", (None, None))
        if meeting < issued_on:
            why = f"has passed (today is {long_date(issued_on)}): {ROLL_FORWARD}"
        else:
            why = (f"comes before the replies asked for by {long_date(reply_by or issued_on)}: give "
                   f"an earlier --reply-by, or {ROLL_FORWARD}")
        found.append(warning(project.report_file, line, column,
            f"meeting_date: the workbooks tell partners their updates go into the report "
            f"to the meeting on {long_date(meeting)}, which {why}; then issue the "
            "requests again"))
    return sort_problems(found)


def meeting_left_out(tag: str, first: object) -> Problem:
    """A meeting tag whose plan does not validate: left out of the counts, with a warning."""
    return warning(tag, None, None,
                   "the plan at this meeting tag does not validate, so the meeting is left "
                   f"out of the progress counts: {first}")


def file_warnings(project: Project) -> list[Problem]:
    """What is valid but should not reach the committee unnoticed, found file by file
    (in the files the project was read from): a section heading with no item in it,
    example text as psa-report wrote it (in an item, in report.yaml or in agencies.yaml)."""
    documents = project.documents
    if documents is None:  # a project made in code, not read from files: nothing to look at
        return []
    report_doc, docs, agencies_doc = documents.report, documents.items, documents.agencies
    found = examples(project, report_doc, agencies_doc)
    if len(project.report.languages) > 1:
        by_file = {project.sources[key].path: doc for key, doc in docs.items()}
        by_file[report_doc.display] = report_doc
        if agencies_doc is not None:
            by_file[agencies_doc.display] = agencies_doc
        plan_doc = _plan_document(project)
        if plan_doc is not None:
            by_file[plan_doc.display] = plan_doc
        found += untranslated(project, texts(
            project, report_doc.display, agencies_doc.display if agencies_doc else None,
            agencies_doc.data if agencies_doc else None)
            + (plan_texts(project.shape, plan_doc) if plan_doc is not None else []),
            lambda f, p: by_file[f].mark(p))
    sections = {s for item in project.items for s in item.sections}
    # the kinds whose refs are in numbered sections ("data gap")
    dotted = [k.name for k in project.shape.kinds if k.ref.style == "dotted"]
    what = dotted[0] if len(dotted) == 1 else "item"
    # the sections whose items are all of kinds laid out as blocks, which print no
    # section headings
    tabled = {s for item in project.items if item.kind.layout == "table"
              for s in item.sections}
    for number in project.report.sections:
        if number not in sections:
            line, column = report_doc.mark(("sections", number), key=True)
            found.append(warning(report_doc.display, line, column,
                f"sections: no {what} is in section {number}, so its heading will not "
                f"print: correct the number, add the {what}s, or remove the heading"))
        elif number not in tabled:
            kinds = sorted({i.kind.name for i in project.items if number in i.sections})
            line, column = report_doc.mark(("sections", number), key=True)
            found.append(warning(report_doc.display, line, column,
                f"sections: section {number}'s heading will not print: the "
                f"{' and '.join(kinds)} items in it are laid out as blocks, which print no "
                "section headings: make the kind `layout: table` in actions/plan.yaml to "
                "print it, or remove the heading"))
    for item in project.items:
        # a kind without refs is keyed "kind 1" (project.build_project)
        doc = docs[item.ref if item.ref in docs else f"{item.kind.name} {item.ref}"]
        # what earlier versions' `new` wrote, and today's
        wrote = {name: (text,) for name, text in PLACEHOLDERS.items()}
        wrote.update({f.name: placeholders(f.label) for f in item.kind.fields
                      if fieldtypes.get(f.type).wording and f.name not in PLACEHOLDERS})
        for name, examples_of in wrote.items():
            if (text := item.get(name)) in examples_of:
                line, column = doc.mark((name,))
                found.append(warning(doc.display, line, column,
                    f"{name}: still the example text {text!r} that psa-report wrote: "
                    "replace it with the real text before the report goes out"))
    return found


def examples(project: Project, report_doc: Document,
             agencies_doc: Document | None) -> list[Problem]:
    """The example texts ``init`` wrote into report.yaml and agencies.yaml, each where
    it still stands as written."""
    report = project.report
    found = []
    replace = "replace it with the real text before the report goes out"
    for name, text in REPORT_EXAMPLES.items():
        if getattr(report, name, None) == text:
            line, column = report_doc.mark((name,))
            found.append(warning(report_doc.display, line, column,
                f"{name}: still the example text {text!r} that psa-report wrote: {replace}"))
    for number, heading in report.sections.items():
        if heading == SECTION_EXAMPLE:
            line, column = report_doc.mark(("sections", number))
            found.append(warning(report_doc.display, line, column,
                f"sections: {number}: still the example heading {heading!r} that psa-report "
                "wrote: write the heading of that section of your assessment, or remove it"))
    for index, text in enumerate(report.paragraphs):
        if text in PARAGRAPH_EXAMPLES:
            line, column = report_doc.mark(("paragraphs", index))
            found.append(warning(report_doc.display, line, column,
                f"paragraphs: paragraph {index + 1} is still the example text that "
                f"psa-report wrote ('{' '.join(text.split()[:5])} ...'): write the covering "
                "report's own paragraph"))
    if agencies_doc is not None:
        for code, full in AGENCY_EXAMPLES.items():
            if project.agencies.get(code) == full:
                line, column = agencies_doc.mark((code,))
                found.append(warning(agencies_doc.display, line, column,
                    f"{code}: still the example name {full!r} that psa-report wrote: "
                    "write the agency's full name, as the report's key prints it (and "
                    "the short name on the left as your partnership uses it)"))
        written = agencies_doc.data if isinstance(agencies_doc.data, dict) else {}
        for code, full in project.agencies.items():
            # `init --from` writes each lead a tracker names as its own full name
            # (`Council: Council`), for the user to replace; the long form
            # (`Council: {name: Council}`) says the short name is the full one
            if full == code and isinstance(written.get(code), str):
                line, column = agencies_doc.mark((code,))
                found.append(warning(agencies_doc.display, line, column,
                    f"{code}: the full name is still the short name {code!r}, as psa-report "
                    "init wrote it: write the agency's full name on the right, as the "
                    f"report's key prints it (or `{code}: {{name: {code}}}` if {code!r} is "
                    "its full name)"))
    return found


# ---------------------------------------------------------------- texts in two languages

#: report.yaml's texts a person reads (each may be written in the plan's languages).
REPORT_TEXTS = ("partnership", "title", "meeting", "author", "paragraphs", "data_gaps_intro",
                "recommendations_intro", "sections", "keywords")


@dataclass(frozen=True)
class TextAt:
    """One text of the plan, where it is: its file, its path in the file, its name in
    messages ("3.2.1 update", "paragraphs: paragraph 2") and its value; ``given``:
    written in the file (else made by the tool: a status's label from its name, a
    kind's plural from its name), at the mark of the entry it would be in."""

    file: str
    path: tuple
    name: str
    value: object
    given: bool = True


def texts(project: Project, report_file: str, agencies_file: str | None,
          agencies_data: object = None) -> list[TextAt]:
    """Every text a person reads in report.yaml, agencies.yaml and the items (plan.yaml's
    are the plan's shape, read before the plan's own texts)."""
    found: list[TextAt] = []
    report = project.report
    for name in REPORT_TEXTS:
        value = getattr(report, name, None)
        if isinstance(value, list):
            what = "paragraph" if name == "paragraphs" else "keyword"
            found += [TextAt(report_file, (name, i), f"{name}: {what} {i + 1}", v)
                      for i, v in enumerate(value)]
        elif isinstance(value, dict):
            found += [TextAt(report_file, (name, key), f"{name}: {key}", v)
                      for key, v in value.items()]
        elif value is not None:
            found.append(TextAt(report_file, (name,), name, value))
    if agencies_file is not None:
        raw = agencies_data if isinstance(agencies_data, dict) else {}
        for code, full in project.agencies.items():
            written = raw.get(code)
            detailed = isinstance(written, dict) and "name" in written
            found.append(TextAt(agencies_file, (code, "name") if detailed else (code,),
                                code, full))
    for item in project.items:
        source = project.sources[item.ref if item.ref in project.sources
                                 else f"{item.kind.name} {item.ref}"]
        for definition in item.kind.fields:
            if fieldtypes.get(definition.type).wording and item.get(definition.name) is not None:
                found.append(TextAt(source.path, (definition.name,),
                                    f"{item.ref} {definition.name}", item.get(definition.name)))
    return found


def plan_texts(shape: Shape, doc: Document) -> list[TextAt]:
    """Every text of plan.yaml (``doc``, read as ``shape``) the report prints: its
    statuses' labels, where the sections come from, and its kinds' names, plurals,
    headings, introductions and fields' labels; a label, plural or heading the plan does
    not give is made by the tool from a name, in the main language (``given`` False)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    found: list[TextAt] = []

    def add(path: tuple, name: str, value: object, entry: object, key: str) -> None:
        given = isinstance(entry, dict) and key in entry
        found.append(TextAt(doc.display, path + ((key,) if given else ()), f"{name}: {key}",
                            value, given))

    if "sections_of" in data and shape.sections_of:
        found.append(TextAt(doc.display, ("sections_of",), "sections_of", shape.sections_of))
    entries = data.get("statuses")
    if isinstance(entries, list):
        for i, (entry, status) in enumerate(zip(entries, shape.statuses)):
            add(("statuses", i), f"statuses: {status.name}", status.label, entry, "label")
    entries = data.get("kinds")
    if isinstance(entries, list):
        for i, (entry, kind) in enumerate(zip(entries, shape.kinds)):
            path, name = ("kinds", i), f"kinds: {kind.name}"
            found.append(TextAt(doc.display, path + ("name",), f"{name}: name", kind.name))
            for key in ("plural", "heading"):
                add(path, name, getattr(kind, key), entry, key)
            if kind.intro:
                add(path, name, kind.intro, entry, "intro")
            fields = entry.get("fields") if isinstance(entry, dict) else None
            for j, (written, field) in enumerate(zip(fields if isinstance(fields, list)
                                                     else [], kind.fields)):
                add(path + ("fields", j), f"{name}: {field.name}", field.label, written,
                    "label")
    return found


def untranslated(project: Project, found: list[TextAt], marks) -> list[Problem]:
    """A text with no translation into one of the plan's other languages: printed in the
    main language in that language's edition."""

    main, *others = project.report.languages
    problems = []
    for text in found:
        written = translations(text.value)
        for code in others:
            if code not in written:
                line, column = marks(text.file, text.path)
                fix = (f"write it as {{{main}: ..., {code}: ...}}" if text.given else
                       f"give `{text.name.rpartition(': ')[2]}: {{{main}: ..., {code}: "
                       "...}` in the entry")
                problems.append(warning(text.file, line, column,
                    f"{text.name}: no {name_of(code)} text: it is printed in "
                    f"{name_of(main)} in the {name_of(code)} edition ({fix})"))
    return problems


@dataclass(frozen=True)
class Pending:
    """A translation that may be out of date: its main language changed after it; or
    (``stale`` the main language) the main language's text that may be: the translation
    changed after it (a Welsh partner's update, written as the Welsh)."""

    text: TextAt
    language: str  # the translation's
    main_changed: date  # the main language's text's last change
    changed: date  # the translation's last change
    #: the language whose text may be out of date: the translation's (""), or the main's
    stale: str = ""
    #: the newer text's change is an edit not yet committed (dated today)
    unsaved: bool = False


def pending_translations(project: Project) -> list[Pending]:
    """The translations whose main-language text changed after them (by the plan's git
    history: the last commits of each file holding such a text, and the files' edits not
    yet committed), unless the mapping's ``<code>_checked`` day is on or after that
    change; and, the other way round, the main-language texts whose translation changed
    after them (a translation changed, not first written: a Welsh partner's update),
    unless ``<main>_checked`` is on or after it. A text brought up to date clears its
    warning. Nothing outside git."""
    if len(project.report.languages) < 2 or not history.maybe_in_git(project.root):
        return []
    main = project.report.languages[0]
    by_file: dict[str, list[TextAt]] = {}
    for text in texts(project, project.report_file, _agencies_file(project),
                      _agencies_data(project)):
        if isinstance(text.value, Text) and len(text.value.translations) > 1:
            by_file.setdefault(text.file, []).append(text)
    found: list[Pending] = []
    for file, bilingual in by_file.items():
        versions = history.file_versions(project.root, file)
        if not versions:
            continue
        on_disk = _read_raw(project.root, file)
        committed = len(versions)
        if on_disk is not None and on_disk != versions[-1][1]:
            versions.append((date.today(), on_disk))
        datas = []
        for i, (day, raw) in enumerate(versions):
            try:
                datas.append((day, load_bytes(raw, file).data, i >= committed))
            except Invalid:
                continue  # a version that did not read: skipped
        for text in bilingual:
            value_now = cast(Text, text.value)  # a text in two languages, as read
            for code in value_now.translations:
                if code == main:
                    continue
                last: tuple = (None, None)
                changed: dict[str, date] = {}
                unsaved: dict[str, bool] = {}  # the change is not yet committed
                stale: str | None = None  # the language that may be out of date
                for day, data, edited in datas:
                    value = _at(data, text.path)
                    now = ((_plain(cast(dict, value).get(main)),
                            _plain(cast(dict, value).get(code)))
                           if is_translations(value) else (_plain(value), None))
                    main_moved = now[0] is not None and now[0] != last[0]
                    code_moved = now[1] is not None and now[1] != last[1]
                    for which, moved in ((main, main_moved), (code, code_moved)):
                        if moved:
                            changed[which], unsaved[which] = day, edited
                    if main_moved and code_moved:  # both at once: in step
                        stale = None
                    elif main_moved:  # the main caught up, or left the translation behind
                        stale = None if stale == main or now[1] is None else code
                    elif code_moved:  # caught up, a first translation, or a newer text
                        stale = None if stale == code or last[1] is None else main
                    last = now
                if stale is None or main not in changed or code not in changed:
                    continue
                newer = changed[main] if stale == code else changed[code]
                checked = value_now.checked.get(stale)
                if checked is not None and checked >= newer:
                    continue
                found.append(Pending(text, code, changed[main], changed[code],
                                     "" if stale == code else stale,
                                     unsaved[main if stale == code else code]))
    return found


def stale_translations(project: Project) -> list[Problem]:
    """:func:`pending_translations`, each a warning at its text's line."""

    main = project.report.languages[0]
    problems = []
    marks = _raw_marks(project)
    for pending in pending_translations(project):
        text = pending.text
        line, column = marks(text.file, text.path)
        if pending.stale == main:  # the translation is newer: the main language may lag
            problems.append(warning(text.file, line, column,
                f"{text.name}: {_newer(pending, pending.language, main)}: the "
                f"{name_of(main)} may be out of date: bring it up to date, or, if it is "
                f"still right, add `{main}_checked: {date.today().isoformat()}` to the "
                "text's languages"))
            continue
        problems.append(warning(text.file, line, column,
            f"{text.name}: {_newer(pending, main, pending.language)}: the "
            f"{name_of(pending.language)} may be out of date: bring it up to date, or, if it "
            f"is still right, add `{pending.language}_checked: {date.today().isoformat()}` "
            "to the text's languages"))
    return problems


def _newer(pending: Pending, newer: str, older: str) -> str:
    """That the text in ``newer`` changed after the one in ``older``: "the English
    changed on 21 September 2010, the Welsh last on 28 June 2010"; on the same day,
    "the English has changed since the Welsh was last changed (both on 8 December
    2026)", or, not yet committed, "the English has changes not yet saved in git, made
    since the Welsh was last changed (on 8 December 2026)"."""
    main = newer != pending.language
    newer_day, older_day = ((pending.main_changed, pending.changed) if main
                            else (pending.changed, pending.main_changed))
    new, old = name_of(newer), name_of(older)
    if newer_day != older_day:
        return (f"the {new} changed on {long_date(newer_day)}, the {old} last on "
                f"{long_date(older_day)}")
    if pending.unsaved:
        return (f"the {new} has changes not yet saved in git, made since the {old} was last "
                f"changed (on {long_date(older_day)})")
    return (f"the {new} has changed since the {old} was last changed (both on "
            f"{long_date(newer_day)})")


def _plain(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) else None


def _at(data: object, path: tuple) -> object:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _plan_document(project: Project) -> Document | None:
    """actions/plan.yaml as read (None: the plan has none, and the shipped default's
    texts are in every language psa-report has words in)."""
    path = f"{ACTIONS}/{PLAN_FILE}"
    return _load(project.root, path) if project.shape.source == path else None


def _agencies_file(project: Project) -> str | None:

    path = f"{ACTIONS}/{AGENCIES_FILE}"
    return path if (Path(project.root) / path).is_file() else None


def _agencies_data(project: Project) -> object:
    file = _agencies_file(project)
    return None if file is None else _load(project.root, file).data


def _load(root: Path, file: str) -> Document:
    return load_file(inside_project(root, file), file)


def _read_raw(root: Path, file: str) -> bytes | None:
    try:
        return read_bounded(inside_project(root, file), MAX_FILE_BYTES, file)[0]
    except Invalid:  # a file that cannot be read now: its history alone
        return None


def _raw_marks(project: Project):
    """(file, path) -> (line, column), each file read once (by the bounded reader)."""
    docs: dict[str, Document] = {}

    def marks(file: str, path: tuple) -> tuple[int | None, int | None]:
        if file not in docs:
            docs[file] = _load(project.root, file)
        return docs[file].mark(path, key=True)

    return marks
