"""Names given to git: the one set of rules for every revision and tag pattern.

A revision (``--since``, report.yaml's ``last_meeting``) and a pattern of tag names
(``meeting_tags``, ``--tags``) are checked here before git sees them, by the models
(report.yaml's fields, at their lines) and by :mod:`psa_report.history`, which runs
git. Nothing here runs git or imports the rest of psa-report, so the models use these
rules without importing history (which imports the models: issue 27, no import circle).
"""

from __future__ import annotations

import re

#: What no revision name or tag pattern may hold, by git check-ref-format's rules
#: (loosely): git would read it as a range, a path inside a commit, an entry of the
#: reflog or an escape, not as a name.
_NEVER_IN_A_NAME = ("..", ":", "@{", "//", "\\")


def _not_a_name(text: str) -> bool:
    return (not text or text.startswith(("/", ".")) or text.endswith(("/", ".", ".lock"))
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text)
            or any(part in text for part in _NEVER_IN_A_NAME)
            or any(part.startswith(".") for part in text.split("/")))


def revision_problem(text: str) -> str | None:
    """Why ``text`` cannot be given to git as one revision (a tag, a branch, a commit,
    HEAD~3), or None if it can. The one set of rules for --since, last_meeting in
    report.yaml (checked by ``check`` at its line) and every revision psa-report gives
    git: nothing git could read as an option or a range, only a plain name."""
    if text.startswith("-"):
        return (f"{text!r} is not a revision name: a tag, branch or commit never starts "
                "with '-'; give a tag such as ssp-2010-06, or a commit such as HEAD~1")
    if ".." in text or text.startswith("^") or re.search(r"\^[@!-]", text):
        return (f"{text!r} is not a revision name but a range of commits: give one "
                "revision, not a range, such as ssp-2010-06 (the tag of the last "
                "meeting's report) or a commit such as HEAD~1")
    if _not_a_name(text) or any(c in text for c in "?*["):
        return (f"{text!r} is not a revision name: write the git tag of the last "
                "meeting's report, such as ssp-2010-06, or a commit, such as HEAD~3 or "
                "4d07777 (one word: no spaces, no '-' at the start, not a range such as "
                "a..b)")
    return None


def tag_pattern(text: str) -> str:
    """A pattern of git tag names (``ssp-*``), as given to ``meeting_tags:`` or --tags.

    The rules of :func:`revision_problem`'s names, with the glob characters
    ``* ? [ ]`` allowed and ``^ ~`` (which pick a commit, not a tag) not; a leading
    ``refs/tags/`` is dropped, since git's listing adds it. Raises ValueError."""
    text = text.strip()
    if text.startswith("refs/tags/"):
        text = text[len("refs/tags/"):]
    if text.startswith("-") or _not_a_name(text) or any(c in text for c in "^~"):
        raise ValueError(f"{text!r} is not a pattern of tag names: write the part of the "
                         "meeting tags they share and * for the rest, such as ssp-* "
                         "(no spaces, no '-' at the start)")
    return text
