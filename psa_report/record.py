"""``collect --apply --commit``: one git commit of a round, naming whose words each update is.

The commit is made with git's plumbing (``hash-object --no-filters``,
``update-index --cacheinfo``, ``write-tree``, ``commit-tree``, ``update-ref``),
all through :func:`psa_report.history._git`, which neutralises every setting of
the repository that would run a program (hooks, fsmonitor, signing programs):
no ``git add`` or ``git commit`` runs, since they would run the repository's
clean filters and hooks.  Only the action files the round changed go into the
commit, and only if nothing else is staged and they held no uncommitted edits of
the analyst's before the round was applied (those would be credited to a partner).

Its message names, per agency, the workbook, the day it was returned and the
refs it changed, as git trailers too (``Update-From: Police;
Police-update-request.xlsx; 2010-09-28; 3.2.1 3.2.3``), so ``git log --
actions/data-gaps/3.2.1.yaml`` says whose words an update is.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import history
from .dates import long_date
from .history import GitError, _git, _prefix
from .partners import CollectResult
from .problems import Invalid, Problem

TRAILER = "Update-From"


@dataclass(frozen=True)
class Ready:
    """The repository, checked before the round is applied."""

    top: Path
    prefix: str  # the project's folder inside the repository: "" or "plans/stockton/"
    head: str


def _refuse(message: str) -> Invalid:
    return Invalid([Problem("--commit", None, None, message)])


def check(root: Path, paths: list[str]) -> Ready:
    """Refuse ``--commit`` before anything is written, if the commit could not be honest."""
    try:
        history._work_tree(root)
        prefix = _prefix(root)
        top = Path(os.fsdecode(_git(root, "rev-parse", "--show-toplevel").strip()))
    except GitError as error:
        raise _refuse(f"the plan is not in a git repository where a commit can be made "
                      f"({history.explain(root, error)}): collect without --commit") from None
    try:
        head = _git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
    except GitError:
        raise _refuse("the repository has no commit yet: commit the plan first "
                      "(git add -A; git commit -m \"The plan\"), then collect") from None
    names = _git(top, "diff-index", "--cached", "--name-only", "-z", "--end-of-options",
                 head).split(b"\0")
    staged = [os.fsdecode(name) for name in names if name]
    if staged:
        raise _refuse(f"other changes are staged for commit in git ({', '.join(staged[:5])}"
                      f"{', ...' if len(staged) > 5 else ''}): commit or unstage them first "
                      "(git restore --staged FILE), so the round's commit holds only the "
                      "partners' updates")
    dirty = sorted(set(paths) & history.changed_files(root, head))
    if dirty:
        raise _refuse(f"{', '.join(dirty)} has changes not yet committed: commit them first "
                      "(they are yours, not a partner's), then collect again with --commit")
    return Ready(top, prefix, head)


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _plain(text: object) -> str:
    """``text`` on one line of the message as it is, each line break, control or other
    unprintable character written as an escape (``\\n``, ``\\x1b``, ``\\u2028``) and a
    backslash doubled: a return's file name holding a line break can add no line (no
    forged ``Update-From:`` or ``Signed-off-by:`` trailer) to the commit message."""
    out = []
    for char in str(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == " " or char.isprintable():
            out.append(char)
        else:
            out.append(f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}")
    return "".join(out)


def message(result: CollectResult, issued: str | None) -> str:
    """The commit message: a subject, one line per return, and a trailer per return.

    Every name and file name in it is written by :func:`_plain`, so each line is one
    line whatever the names hold."""
    changed: dict[str, list[str]] = {}
    for update in result.updates:
        for agency in update.agencies:
            changed.setdefault(agency, []).append(_plain(update.ref))
    returns = [r for r in result.returns if changed.get(r.agency)]
    names = ", ".join(_plain(r.agency) for r in returns)
    round_of = f" (round issued {long_date(date.fromisoformat(issued))})" if issued else ""
    lines = [f"Updates from partners: {names}{round_of}", ""]
    for ret in returns:
        lines.append(f"{_plain(ret.agency)}: {_plain(ret.file)}, returned "
                     f"{long_date(date.fromisoformat(ret.received))}; changed "
                     f"{', '.join(changed[ret.agency])}")
    joint = [j for j in result.joint if any(u.ref == j.ref for u in result.updates)]
    for item in joint:
        how = "; ".join(f"{_plain(name)} {_plain(how)}" for name, how in item.settled.items())
        lines.append(f"{_plain(item.ref)} is a joint action of "
                     f"{' and '.join(map(_plain, item.agencies))}: {how}")
    lines.append("")
    for ret in returns:
        lines.append(f"{TRAILER}: {_plain(ret.agency)}; {_plain(ret.file)}; "
                     f"{_plain(ret.received)}; {' '.join(changed[ret.agency])}")
    return "\n".join(lines) + "\n"


def _no_filters(top: Path) -> tuple[tuple[str, str], ...]:
    """Settings that empty every filter the repository's configuration names
    (filter.NAME.clean, .smudge, .process), so that no git run here could start one,
    whatever .gitattributes says; the commit below never asks git to filter anyway."""
    try:
        listing = _git(top, "config", "-z", "--get-regexp", r"^filter\.")
    except GitError:  # none set (git config exits 1)
        return ()
    names = []
    for entry in filter(None, listing.split(b"\0")):
        key = os.fsdecode(entry.split(b"\n", 1)[0])
        name = key[len("filter."):key.rfind(".")]
        if name and name not in names:
            names.append(name)
    return tuple((f"filter.{name}.{setting}", value) for name in names
                 for setting, value in (("clean", ""), ("smudge", ""), ("process", ""),
                                        ("required", "false")))


def commit(root: Path, ready: Ready, paths: list[str], text: str) -> str:
    """Commit the files ``paths`` (relative to the project) as they are now; return the commit.

    The commit is built in an index file of its own, read from HEAD's tree, so git never
    looks at the working files (a fresh clone's index holds entries git would check
    again by running the repository's clean filter). The repository's index is then
    read from the new commit's tree, which runs nothing either: git's next look at the
    working files (git status) hashes them again, once."""
    extra = _no_filters(ready.top)
    try:
        with tempfile.TemporaryDirectory(prefix="psa-report-commit-") as folder:
            index = Path(folder) / "index"

            def run(*args: str, data: bytes | None = None, own: bool = True) -> bytes:
                return _git(ready.top, *args, input=data, index=index if own else None,
                            config=extra)

            run("read-tree", "--end-of-options", f"{ready.head}^{{tree}}")
            entries = []
            for path in paths:
                name = ready.prefix + path
                data = (Path(root) / path).read_bytes()
                blob = run("hash-object", "-w", "--no-filters", "--stdin",
                           data=data).decode().strip()
                listed = run("ls-tree", "-z", "--full-tree", "--end-of-options",
                             ready.head, "--", name).split(b"\0")[0]
                mode = listed.split()[0].decode() if listed else "100644"
                if mode not in ("100644", "100755"):
                    mode = "100644"
                entries.append(f"{mode} {blob}\t{name}\0")
            run("update-index", "-z", "--index-info", data="".join(entries).encode("utf-8"))
            tree = run("write-tree").decode().strip()
            new = run("commit-tree", "--no-gpg-sign", "-p", ready.head, "-F", "-", tree,
                      data=text.encode("utf-8")).decode().strip()
            run("update-ref", "-m", "psa-report collect --commit", "HEAD", new, ready.head)
    except GitError as error:
        said = str(error)
        if "tell me who you are" in said or "empty ident" in said:
            said = ("git does not know who you are: run git config --global user.name "
                    "\"Your Name\" and git config --global user.email you@example.org")
        raise Invalid([Problem("--commit", None, None,
            f"the files were written, but the commit failed ({said}): commit them yourself "
            "(git commit -am \"Updates from partners\")")]) from None
    try:
        # The repository's own index, as the new commit (nothing else was staged).
        _git(ready.top, "read-tree", "--end-of-options", tree, config=extra)
    except GitError as error:
        raise Invalid([Problem("--commit", None, None,
            f"the round was committed ({new[:7]}), but git's index could not be brought "
            f"up to date ({error}): run `git reset` to do so (it keeps your files)")]) from None
    return new
