"""The command-line reference (docs/cli.md), made from the commands' own --help.

    python -m psa_report.clidoc > docs/cli.md      (or: make docs)

A test compares docs/cli.md with what this prints, so the reference cannot drift
from the code (as sqlite-utils does with cog).
"""

from __future__ import annotations

import click

from .cli import main

HEADER = """\
# psa-report command reference

Made from each command's `--help` by `make docs` (`python -m psa_report.clidoc`);
a test fails when this file and the code disagree, so it is never out of date.
"""


def help_text(command: click.Command, name: str, parent: click.Context | None = None) -> str:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=88,
                        max_content_width=88, help_option_names=["-h", "--help"])
    return command.get_help(ctx)


def reference() -> str:
    parts = [HEADER, "## psa-report\n", "```", help_text(main, "psa-report"), "```\n"]
    root = click.Context(main, info_name="psa-report", help_option_names=["-h", "--help"])
    for name in sorted(main.commands):
        command = main.commands[name]
        parts += [f"## psa-report {name}\n", "```",
                  help_text(command, name, root), "```\n"]
        if isinstance(command, click.Group):  # figures import, ...
            group = click.Context(command, info_name=name, parent=root,
                                  help_option_names=["-h", "--help"])
            for sub in sorted(command.commands):
                parts += [f"## psa-report {name} {sub}\n", "```",
                          help_text(command.commands[sub], sub, group), "```\n"]
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    print(reference(), end="")
