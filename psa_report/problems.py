"""Problems found in the user's files: where they are, what is wrong, how to fix it.

Every stage reports bad input as :class:`Problem` values collected in an
:class:`Invalid` exception, never as a traceback.  The CLI prints them one per
line as ``file:line:column: message``, the form editors and CI logs understand.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file. ``line``/``column`` are 1-based, or None.

    An error stops the build; a warning (``severity=WARNING``) is printed and the
    build goes on, unless ``--strict`` makes warnings errors (as mkdocs does).
    """

    file: str
    line: int | None
    column: int | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        tier = "warning: " if self.severity == WARNING else ""
        return f"{where}: {tier}{self.message}"


def warning(file: str, line: int | None, column: int | None, message: str) -> Problem:
    return Problem(file, line, column, message, WARNING)


def sort_problems(problems) -> list[Problem]:
    return sorted(set(problems), key=_sort_key)


class Invalid(Exception):
    """Raised with every problem found, so the user can fix them all in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: Problem):
    return (problem.file, problem.line or 0, problem.column or 0, problem.message)


class BadOption(Exception):
    """An option or argument the user gave cannot be used (exit status 2, as Click's own)."""

    def __init__(self, option: str, message: str):
        self.option = option
        self.message = message
        super().__init__(f"{option}: {message}")
