"""Problems found in the user's files: where they are, what is wrong, how to fix it.

Every stage reports bad input as :class:`Problem` values collected in an
:class:`Invalid` exception, never as a traceback.  The CLI prints them one per
line as ``file:line:column: message``, the form editors and CI logs understand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file. ``line``/``column`` are 1-based, or None."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class Invalid(Exception):
    """Raised with every problem found, so the user can fix them all in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: Problem):
    return (problem.file, problem.line or 0, problem.column or 0, problem.message)
