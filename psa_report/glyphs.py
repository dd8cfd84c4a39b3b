"""Which characters of the plan no installed font can print.

Pango (under WeasyPrint) falls back through every font fontconfig knows, so a
character prints with a real glyph when any installed font covers it; one that no
font covers prints as an empty box.  ``fc-list`` lists each font's character set
in one quick call (about 20 ms); text in Latin-1 and common punctuation, which
Liberation Sans covers, skips even that.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from . import fieldtypes
from .problems import Problem, warning
from .project import Project

REPORT_FIELDS = ("partnership", "title", "meeting", "author", "data_gaps_intro",
                 "recommendations_intro")


def _plain(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x2000 <= code < 0x2070 or char in "€™"


#: A character that is not :func:`_plain`, found at C speed: most texts have none, and a
#: Python call per character was a quarter of the preview's rebuild at 1,000 actions.
_NOT_PLAIN = re.compile("[^\x00-\u024f\u2000-\u206f\u20ac\u2122]")


@lru_cache(maxsize=1)
def _coverage() -> tuple[list[int], list[int]] | None:
    """Merged (starts, ends) of every installed font's characters; None without fontconfig."""
    try:
        done = subprocess.run(["fc-list", "--format=%{charset}\\n"], capture_output=True,
                              check=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = []
    for part in done.stdout.decode("ascii", "replace").split():
        low, _, high = part.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for first, last in ranges:
        if ends and first <= ends[-1] + 1:
            ends[-1] = max(ends[-1], last)
        else:
            starts.append(first)
            ends.append(last)
    return starts, ends


def _covered(char: str, coverage: tuple[list[int], list[int]]) -> bool:
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Mn", "Me"):
        return True  # not drawn on their own (controls, joiners, combining marks)
    starts, ends = coverage
    index = bisect_right(starts, ord(char)) - 1
    return index >= 0 and ord(char) <= ends[index]


def missing_glyphs(project: Project) -> list[Problem]:
    """A warning at each field holding characters that no installed font can print."""
    places: list[tuple[tuple[str, int | None, int | None], str, str]] = []
    for item in project.items:
        for name in [f.name for f in item.kind.fields if fieldtypes.get(f.type).wording]:
            text = item.get(name)
            if text and _NOT_PLAIN.search(text):
                places.append((project.where(item.ref, name), name, text))
    report = project.report
    texts = [(name, getattr(report, name)) for name in REPORT_FIELDS]
    texts += [("paragraphs", p) for p in report.paragraphs]
    for name, text in texts:
        if text and _NOT_PLAIN.search(text):
            places.append((("actions/report.yaml", None, None), name, text))
    if not places:
        return []
    coverage = _coverage()
    if coverage is None:
        return []
    found = []
    for where, name, text in places:
        lost = sorted({c for c in text if not _plain(c) and not _covered(c, coverage)})
        if lost:
            shown = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}"
                              for c in lost[:5])
            more = f" and {len(lost) - 5} more" if len(lost) > 5 else ""
            found.append(warning(*where,
                f"{name}: no font on this computer can print {shown}{more}, so the PDF "
                "shows an empty box: install a font that has it (Debian's fonts-noto-* "
                "packages cover most scripts), or write it another way"))
    return found


