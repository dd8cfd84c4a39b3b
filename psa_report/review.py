"""What ``collect`` would change, to review before ``--apply``: the partners' new words.

Every changed text is shown as a word-level difference (what was taken out, what
was put in), with the status and date changes, joint actions side by side and
the rows that wait.  Three forms: ``table`` for a terminal (``[-old-]{+new+}``,
as ``git diff --word-diff`` prints), ``markdown`` and ``html`` for a page to read
or send for sign-off.
"""

from __future__ import annotations

import difflib
import re
from html import escape

from .partners import CollectResult, FileUpdate

_TOKEN = re.compile(r"\s+|[^\s]+")
#: Below this share of words in common, a text is shown as rewritten, not word by word.
_REWRITTEN = 0.5
#: Words in common this few between two changes are shown inside one change.
_SMALL = 2


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)]: op "=" kept, "-" taken out, "+" put in; by whole words.

    Two changed runs of words with at most two words between them are joined, and a text
    mostly rewritten is shown whole, taken out and put in, so it reads as sentences.
    """
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    blocks: list[list] = []  # ["=", text] or ["~", taken out, put in]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            blocks.append(["=", "".join(a[i1:i2])])
        else:
            blocks.append(["~", "".join(a[i1:i2]), "".join(b[j1:j2])])
    if a and b and matcher.ratio() < _REWRITTEN:  # rewritten: one out, one in, to read
        return [("-", old), ("+", new)]
    merged: list[list] = []
    for block in blocks:
        if (block[0] == "~" and len(merged) >= 2 and merged[-1][0] == "="
                and len(merged[-1][1].split()) <= _SMALL and merged[-2][0] == "~"):
            space = merged.pop()[1]
            last = merged[-1]
            last[1] += space + block[1]
            last[2] += space + block[2]
        else:
            merged.append(block)
    pieces: list[tuple[str, str]] = []
    for block in merged:
        if block[0] == "=":
            pieces.append(("=", block[1]))
            continue
        if block[1]:
            pieces.append(("-", block[1]))
        if block[2]:
            pieces.append(("+", block[2]))
    return pieces


def terminal(pieces: list[tuple[str, str]]) -> str:
    marks = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}
    return "".join(f"{marks[op][0]}{text}{marks[op][1]}" for op, text in pieces)


def markdown(pieces: list[tuple[str, str]]) -> str:
    def md(text: str) -> str:
        return re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", text).replace("\n", "  \n")

    out = []
    for op, text in pieces:
        if op == "=" or not text.strip():
            out.append(md(text))
        else:
            core = text.strip()
            lead, tail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            out.append(f"{md(lead)}{'~~' if op == '-' else '**'}{md(core)}"
                       f"{'~~' if op == '-' else '**'}{md(tail)}")
    return "".join(out)


def html(pieces: list[tuple[str, str]]) -> str:
    tags = {"=": ("", ""), "-": ("<del>", "</del>"), "+": ("<ins>", "</ins>")}
    return "".join(f"{tags[op][0]}{escape(text)}{tags[op][1]}"
                   for op, text in pieces).replace("\n", "<br>\n")


def _who(update: FileUpdate) -> str:
    return f", from {' and '.join(update.agencies)}" if update.agencies else ""


def as_table(result: CollectResult) -> list[str]:
    """The lines ``collect`` prints in a terminal."""
    lines: list[str] = []
    for update in result.updates:
        lines.append(f"{update.ref} ({update.path}){_who(update)}:")
        for change in update.changes:
            if change.is_text and change.old and change.new:
                lines.append(f"  {change.label or change.field}: "
                             + terminal(word_diff(change.old, change.new)).replace(
                                 "\n", "\n    "))
            elif change.is_text and change.new:
                lines.append(f"  {change.label or change.field}: {{+{change.new}+}}".replace(
                    "\n", "\n    "))
            else:
                lines.append(f"  {change.summary}")
    for joint in result.joint:
        lines.append(f"{joint.ref} is a joint action updated by "
                     f"{' and '.join(joint.agencies)}:")
        for name, given in joint.given.items():
            width = max(len(a) for a, _ in given)
            lines.append(f"  {joint.label(name)} ({joint.settled.get(name, '')}):")
            for agency, value in given:
                lines.append(f"    {agency.ljust(width)} | " + value.replace(
                    "\n", "\n    " + " " * width + " | "))
    for waiting in result.waiting:
        lines.append(f"Waiting: {waiting.line}")
    return lines


def as_markdown(result: CollectResult, title: str) -> str:
    out = [f"# {title}", ""]
    for update in result.updates:
        out += [f"## {update.ref}{_who(update)}", "", f"`{update.path}`", ""]
        for change in update.changes:
            if change.is_text:
                out += [f"**{change.label or change.field}:** "
                        + markdown(word_diff(change.old or "", change.new or "")), ""]
            else:
                out += [f"- {change.summary}", ""]
    for joint in result.joint:
        out += [f"## {joint.ref}: a joint action of {' and '.join(joint.agencies)}", "",
                "| Field | " + " | ".join(joint.agencies) + " | Settled |",
                "|---|" + "---|" * len(joint.agencies) + "---|"]
        for name, given in joint.given.items():
            values = dict(given)
            cells = [markdown([("=", values.get(a, ""))]).replace("  \n", "<br>")
                     for a in joint.agencies]
            out.append(f"| {joint.label(name)} | " + " | ".join(cells)
                       + f" | {joint.settled.get(name, '')} |")
        out.append("")
    if result.waiting:
        out += ["## Waiting for a choice", ""]
        out += [f"- {markdown([('=', w.line)])}" for w in result.waiting]
        out.append("")
    if result.not_returned_line:
        out += [result.not_returned_line, ""]
    return "\n".join(out)


def as_html(result: CollectResult, title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           f"<title>{escape(title)}</title>",
           "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto;"
           "line-height:1.5}del{background:#fdd;color:#900}ins{background:#dfd;"
           "color:#060;text-decoration:none}table{border-collapse:collapse}"
           "td,th{border:1px solid #999;padding:.3rem;vertical-align:top}</style>",
           "</head>", "<body>", f"<h1>{escape(title)}</h1>"]
    for update in result.updates:
        out.append(f"<h2>{escape(update.ref + _who(update))}</h2>")
        out.append(f"<p><code>{escape(update.path)}</code></p>")
        for change in update.changes:
            if change.is_text:
                out.append(f"<p><strong>{escape(change.label or change.field)}:</strong> "
                           + html(word_diff(change.old or "", change.new or "")) + "</p>")
            else:
                out.append(f"<p>{escape(change.summary)}</p>")
    for joint in result.joint:
        out.append(f"<h2>{escape(joint.ref)}: a joint action of "
                   f"{escape(' and '.join(joint.agencies))}</h2>")
        out.append("<table><tr><th>Field</th>" + "".join(
            f"<th>{escape(a)}</th>" for a in joint.agencies) + "<th>Settled</th></tr>")
        for name, given in joint.given.items():
            values = dict(given)
            out.append(f"<tr><td>{escape(joint.label(name))}</td>" + "".join(
                f"<td>{html([('=', values.get(a, ''))])}</td>" for a in joint.agencies)
                + f"<td>{escape(joint.settled.get(name, ''))}</td></tr>")
        out.append("</table>")
    if result.waiting:
        out.append("<h2>Waiting for a choice</h2><ul>")
        out += [f"<li>{escape(w.line)}</li>" for w in result.waiting]
        out.append("</ul>")
    if result.not_returned_line:
        out.append(f"<p>{escape(result.not_returned_line)}</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
