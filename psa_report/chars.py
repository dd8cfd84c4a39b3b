"""Which characters a text may hold: the rule ``check`` applies to every value.

* No control characters in any text: C0 (U+0000 to U+001F, but tab, line feed and
  carriage return) and C1 (U+0080 to U+009F, but U+0085 NEXT LINE, a line break),
  and DELETE; nor U+FFFE, U+FFFF, which are not characters at all.  None of them
  is text: a Word file cannot hold them, nor can a workbook.
* In running text (a gap, an update, a paragraph), nothing that hides what the
  words say: U+202D and U+202E, which override the direction text is shown in (so
  it reads differently from what is stored), U+200B ZERO WIDTH SPACE, U+2060 WORD
  JOINER and U+FEFF (a byte order mark inside the text).  Joiners (U+200C, U+200D:
  emoji sequences, Indic and Arabic scripts), direction marks, embeddings and
  isolates (U+200E, U+200F, U+202A to U+202C, U+2066 to U+2069, which right-to-left
  text needs) and the soft hyphen stay.
* In running text, no word longer than :data:`MAX_WORD` characters (a run with no
  space in it): a printed line cannot break it, and a word of 200,000 letters takes
  the PDF printer many minutes.
* In names (refs, agency short names, leads, field names, statuses and kinds, and a
  git tag's name where it is shown), no invisible character at all: every format
  character (Unicode category Cf: the joiners U+200C and U+200D, direction marks,
  embeddings, overrides and isolates, the soft hyphen and the rest), the variation
  selectors (U+FE00 to U+FE0F: U+FE0F turns a character into an emoji), and the
  blank-looking fillers U+034F, U+115F, U+1160, U+2800, U+3164, U+FFA0; two names
  that look the same are the same name.  :func:`shown` escapes them for display.
"""

from __future__ import annotations

import re
import unicodedata

_C0 = ("NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
       "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
       "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
       "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO",
       "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
       "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM",
       "SUBSTITUTE", "ESCAPE", "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
       "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE")
_ALLOWED_CONTROLS = frozenset("\t\n\r\x85")
_HIDING = frozenset("\u202d\u202e\u200b\u2060\ufeff")
_FILLERS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0\u180b\u180c\u180d\u180f"
                     + "".join(map(chr, range(0xFE00, 0xFE10)))
                     + "".join(map(chr, range(0xE0100, 0xE01F0))))
#: Longest word (characters with no space between them) running text may hold.
MAX_WORD = 1000
_LONG_WORD = re.compile(r"[^\s\u200b]{%d,}" % (MAX_WORD + 1))  # noqa: UP031 (regex braces)
_REFUSED_IN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff"
    "\u202d\u202e\u200b\u2060\ufeff]")


def describe(char: str) -> str:
    """``U+000C FORM FEED``: the code and the name of a character."""
    code = ord(char)
    name = (_C0[code] if code < 0x20 else "DELETE" if code == 0x7F else
            unicodedata.name(char, ""))
    return f"U+{code:04X} {name}".rstrip()


def invisible(char: str) -> bool:
    """``char`` is invisible or blank-looking, so a name holding it looks like another:
    a format character (joiners, bidi controls), a variation selector or a filler."""
    return unicodedata.category(char) == "Cf" or char in _FILLERS or char in _HIDING


def shown(name: str) -> str:
    """``name`` for a message or a report: each control, invisible or direction
    character written as ``<U+202E>``, so what is shown is what is stored (a git tag's
    name, which no check of psa-report's has seen)."""
    if name.isascii() and name.isprintable():
        return name
    return "".join(f"<U+{ord(c):04X}>" if _is_control(c) or invisible(c)
                   or unicodedata.category(c) in ("Zl", "Zp") else c for c in name)


def _is_control(char: str) -> bool:
    code = ord(char)
    return ((code < 0x20 or 0x7F <= code <= 0x9F) and char not in _ALLOWED_CONTROLS) \
        or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF


def refused(text: str, name: bool = False) -> tuple[int, str] | None:
    """(index, message) of the first character ``text`` may not hold, or None.
    ``name``: the stricter rule of refs, agency short names and field names."""
    if not name:
        found = _REFUSED_IN_TEXT.search(text)  # at C speed: running text can be long
        long = _LONG_WORD.search(text) if len(text) > MAX_WORD else None
        if long is not None and (found is None or long.start() < found.start()):
            return long.start(), (
                f"the text holds a word of {len(long[0]):,} letters with no space in it "
                f"({long[0][:20]!r}...), longer than the {MAX_WORD:,} a printed line can "
                "break: add spaces, or shorten it (a long web address: give the site's "
                "address and the page's title instead)")
        if found is None:
            return None
        text = text[:found.end()]
    elif text.isascii() and text.isprintable():
        return None
    for index, char in enumerate(text):
        if _is_control(char):
            return index, (f"the text holds {describe(char)}, a control character that "
                           "is not text: delete it (it may be invisible in your editor; "
                           "retype the words around it)")
        if name and invisible(char):
            return index, (f"the name holds {describe(char)}, an invisible character, "
                           "so it would look like a different name: delete it (retype "
                           "the name)")
        if char in _HIDING:
            what = ("changes the direction the text is shown in, so it would read "
                    "differently from what is stored" if char in "\u202d\u202e" else
                    "is invisible")
            return index, (f"the text holds {describe(char)}, which {what}: delete it "
                           "(it may be invisible in your editor; retype the words "
                           "around it)")
    return None
