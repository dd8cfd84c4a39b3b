"""Editing items in place: ``set`` (one quick edit) and ``collect --apply`` (a round of returns).

Each file is changed only in the fields given (:mod:`psa_report.yamledit`), the
whole plan is validated as it would be, and the files are replaced through
:func:`psa_report.output.replace_user_files`: under a lock, and only if nobody
changed them since they were read, so two edits at once never lose one.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path

from . import fieldtypes
from .changes import FieldChange, as_written_cleared, field_value
from .loader import MAX_FILE_BYTES, load_file, load_text
from .output import locked, publish, remove_stale_temps_in
from .partners import CollectResult, FileUpdate, current_in, read_update
from .problems import Invalid, Problem
from .project import Project, build_project, list_action_files, load_project
from .shape import Item, required, written_text
from .shape import field_value as shape_field_value
from .yamledit import replace_values


def apply_returns(project_root: Path, result: CollectResult) -> list[str]:
    """Write the collected changes into the action files; return the files changed."""
    return _write_updates(Path(project_root), list(result.updates))


def set_fields(project_root: Path, ref: str, status: str | None = None,
               update: str | None = None, due: str | None = None,
               fields: dict[str, str] | None = None) -> FileUpdate:
    """Change one item's status, update or due date in place (``due=""`` removes the date).

    Returns what changed (no changes: nothing was written).
    """
    root = Path(project_root)
    project = load_project(root)
    item = project.find(ref)
    if item is None:
        raise Invalid([Problem(str(root / "actions"), None, None,
            f"no {' or '.join(k.name for k in project.shape.kinds)} has the ref {ref!r}")])
    path = project.sources[ref].path
    wanted = _wanted(project, item, path, status, update, due, fields or {})
    changes = tuple(as_written_cleared(item, [
        FieldChange(name, old, new, item.kind.field(name).label,
                    fieldtypes.get(item.kind.field(name).type).running_text)
        for name, new in wanted.items() if (old := field_value(item, name)) != new]))
    result = FileUpdate(path, ref, changes)
    if changes:
        _write_updates(root, [result], project, again="look at the file and run the command again")
    return result


def _wanted(project: Project, item: Item, path: str, status: str | None,
                   update: str | None, due: str | None,
                   fields: dict[str, str]) -> dict[str, str | None]:
    """The fields --status, --due and --update set on an item: its kind's status field,
    its due field, and its first text field that partners fill in; and any field by its
    own name (``--progress TEXT``, ``--target 40``)."""
    kind, problems = item.kind, []
    texts = [f for f in kind.fields if f.partners and fieldtypes.get(f.type).running_text]
    asked = [("--status", status, kind.status_field, "a status field"),
             ("--due", due, kind.due_field, "a due field"),
             ("--update", update, texts[0] if texts else None,
              "a text field that partners fill in (`partners: true`)")]
    for name, given in fields.items():
        definition = kind.field(name.replace("-", "_")) or kind.field(name)
        if definition is None:
            names = [f.name for f in kind.fields]
            near = get_close_matches(name, names, n=1)
            hint = f" Did you mean --{near[0]}?" if near else ""
            article = "an" if kind.name[:1].lower() in "aeiou" else "a"
            problems.append(Problem(path, None, None, f"--{name}: {article} {kind.name} has "
                                    "no field "
                                    f"{name!r}.{hint} Its fields: {', '.join(names)}"))
            continue
        if fieldtypes.get(definition.type).is_agencies and isinstance(
                load_file(project.root / path, path).data.get(definition.name), list):
            problems.append(Problem(path, None, None, f"--{name}: this file writes "
                f"{definition.name} as a list (`- name`, one a line), which set does not "
                "change: edit the list in the file, or write it on one line "
                f"({definition.name}: {', '.join(list(project.agencies)[:2])}) and run "
                "set again"))
            continue
        asked.append((f"--{name}", given, definition, ""))
    wanted: dict[str, str | None] = {}
    for option, value, definition, what in asked:
        if value is None:
            continue
        if definition is None:
            problems.append(Problem(path, None, None,
                f"{option}: a {kind.name} has no {what} in actions/plan.yaml, so there is "
                "nothing for it to change"))
            continue
        try:
            if fieldtypes.get(definition.type).is_due and not value.strip():
                if required(definition, project.shape):
                    raise ValueError(f"is required in {project.shape.source}, so it "
                                     "cannot be removed: give a new one, or make the "
                                     "field `required: false` there")
                wanted[definition.name] = None
                continue
            if fieldtypes.get(definition.type).running_text:
                if not value.strip():
                    raise ValueError("the update is empty: write the text")
                value = read_update(value)
            typed = shape_field_value(definition, value, project.shape, project.agencies)
        except ValueError as error:
            problems.append(Problem(path, None, None, f"{definition.name}: {error}"))
            continue
        wanted[definition.name] = written_text(definition, typed)
    if problems:
        raise Invalid(problems)
    return wanted


def _write_updates(root: Path, updates: list[FileUpdate], project: Project | None = None,
                   again: str = "collect them again") -> list[str]:
    """Edit every file, validate the plan as it would be, then replace the files together.

    The files are locked while this runs, read again under the lock, and replaced
    only if they still hold the bytes read: an edit made meanwhile by anyone is
    never lost, this one is refused instead.
    """
    targets = [root / update.path for update in updates]
    for folder in {target.parent for target in targets}:
        remove_stale_temps_in(folder)  # left by a set or collect --apply that was killed
    with locked(targets, lambda target: target.relative_to(root).as_posix()):
        return _write_locked(root, updates, project, again)


def _write_locked(root: Path, updates: list[FileUpdate], seen: Project | None,
                  again: str) -> list[str]:
    project = load_project(root)  # as it is now, under the lock
    problems: list[Problem] = []
    texts: dict[str, tuple[bytes, str]] = {}  # path -> (the bytes read, the new text)
    for update in updates:
        item = project.find(update.ref)
        moved = [c.field for c in update.changes
                 if item is None or _now(item, c.field, update.languages) != c.old]
        source = project.sources.get(update.ref)
        if moved or source is None or source.path != update.path:
            if seen is not None:  # a quick edit: the file changed since it was read
                problems.append(Problem(update.path, None, None,
                    f"{update.ref} was changed by someone else while this edit was being "
                    f"made ({', '.join(moved) or 'its file moved'}): nothing was written; "
                    f"{again}"))
            else:
                problems.append(Problem(update.path, None, None,
                    f"{update.ref} changed since the returns were collected "
                    f"({', '.join(moved) or 'its file moved'}): {again}"))
            continue
        raw = (root / update.path).read_bytes()
        text = raw.decode("utf-8-sig")
        try:
            optional = ([f.name for f in item.kind.fields
                         if not required(f, project.shape)] if item is not None else [])
            main = project.languages[0]
            values = update.values
            # the main language's values, then each text returned in another language
            # (a Welsh agency's update) as that text's translation, the main one kept
            new = replace_values(text, update.path, {
                name: value for name, value in values.items()
                if update.languages.get(name, main) == main}, optional, language=main)
            for language in dict.fromkeys(update.languages.values()):
                if language != main:
                    new = replace_values(new, update.path, {
                        name: values[name] for name, code in update.languages.items()
                        if code == language}, optional, language=language, main=main)
        except Invalid as invalid:
            problems.extend(invalid.problems)
            continue
        size = len(new.encode("utf-8")) + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        if size > MAX_FILE_BYTES:  # every later command would refuse the file
            where = ", ".join(update.origins) or "this edit"
            problems.append(Problem(update.path, None, None,
                f"{update.ref}: with the text from {where} the file would be {size:,} "
                f"bytes, over the limit of {MAX_FILE_BYTES:,} for one action file, so "
                "nothing was written: shorten that text (or move earlier text out of the "
                "file) and run the command again"))
            continue
        texts[update.path] = (raw, new)
    if problems:
        raise Invalid(problems)

    def read(path: str):
        if path in texts:
            return load_text(texts[path][1], path, root / path)
        return load_file(root / path, path)

    build_project(root, list_action_files(root), read)  # raises Invalid: nothing written
    outputs, expected = {}, {}
    for path, (raw, text) in texts.items():
        data = (("\ufeff" if raw.startswith(b"\xef\xbb\xbf") else "") + text).encode("utf-8")
        outputs[root / path] = lambda temp, data=data: temp.write_bytes(data)
        expected[root / path] = raw
    try:
        publish(outputs, expected=expected, user_files=True)
    except Invalid as invalid:  # name the file as the project does
        raise Invalid([Problem(_shown(root, problem.file), problem.line, problem.column,
                               problem.message) for problem in invalid.problems]) from None
    return list(texts)


def _now(item: Item, name: str, languages: dict[str, str]) -> str | None:
    """A field's value now, as a change to it was worked out: in the language its new
    text is in (its translation), else as written (:func:`changes.field_value`)."""
    if name in languages:
        return current_in(item.kind.field(name), item.get(name), languages[name])
    return field_value(item, name)


def _shown(root: Path, file: str) -> str:
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return file
