"""The ``psa-report`` command: options in, the operations' results printed out.

Every command body parses its options, calls one operation from
:mod:`psa_report.commands` and prints what it returns (tables through
:func:`psa_report.emit.emit`).  Exit status: 0 success, 1 invalid data or a
failed build (or warnings under ``--strict``), 2 a usage error, 130 Ctrl-C.
Bad input is never shown as a traceback: every problem is printed as
``file:line:column: message`` on stderr.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from .dates import parse_day
from .emit import emit
from .problems import BadOption, Invalid, Problem


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value

        try:
            return parse_day(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


DATE = DateParam()

lead_option = click.option("--lead", default=None, metavar="AGENCY",
                           help="Only this lead agency's actions.")
tags_option = click.option("--tags", default=None, metavar="PATTERN",
                           help="The meetings' git tags, such as 'ssp-*'.  [default: "
                                "meeting_tags in report.yaml]")

strict_option = click.option("--strict", is_flag=True,
                             help="Treat warnings as errors (exit status 1).")


def _find_project(ctx: click.Context, param: click.Parameter | None, value: Path | None) -> Path:
    if value is not None:
        return value
    from .project import find_project

    here = Path.cwd()
    found = find_project(here)
    if found is None or found == here:
        return Path(".")  # (with none, the operation says there is no actions/ here)
    click.echo(f"Using the project in {found}", err=True)
    return Path(os.path.relpath(found, here))


def project_option(command):
    """``--project DIR`` on every command; the default is the project the current
    folder is in (found upwards, as git finds its repository)."""
    return click.option(
        "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=None, callback=_find_project,
        help="The project folder (the one holding actions/).  [default: the one the "
             "current folder is in]")(command)


def format_option(*choices: str):
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                        show_default=True, help="How to print the result.")


def echo_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def report_problems(invalid: Invalid) -> None:
    echo_problems(invalid.problems)
    count = len(invalid.problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed.",
               err=True)


class PsaReport(click.Group):
    """The command group: bad input and accidents end in a message, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Invalid as invalid:
            report_problems(invalid)
            ctx.exit(1)
        except BadOption as error:
            raise click.BadParameter(error.message, param_hint=error.option) from None
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was changed.", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`psa-report list | head -3`): stop quietly, as Unix
            # tools do; Click's own handler exits with status 1 and no message.
            raise
        except Exception as error:  # a fault of ours: say so, plainly
            if os.environ.get("PSA_REPORT_DEBUG"):
                raise
            click.echo(f"psa-report: internal error ({type(error).__name__}: {error}). "
                       "This is a fault in psa-report, not in your files: please report "
                       "it with the command you ran (PSA_REPORT_DEBUG=1 shows the details).",
                       err=True)
            ctx.exit(1)


@click.group(cls=PsaReport, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="psa-report")
def main():
    """Turn a partnership's action plan (YAML files in actions/) into its progress report.

    \b
    Typical use, before each partnership meeting:
      psa-report check      find mistakes in the YAML files
      psa-report build      write out/progress-report.html and .pdf
      psa-report overdue    list actions past their deadline
    """


def _before_print():
    """Set by the console entry point: what to do once the HTML is made, before printing."""
    ctx = click.get_current_context(silent=True)
    return ctx.find_root().obj.get("before_print") if ctx and ctx.find_root().obj else None


@main.command()
@project_option
@strict_option
def check(project_dir: Path, strict: bool):
    """Validate every file in actions/ and report all problems at once.

    Errors stop the report; warnings (text left as `new` wrote it, a section
    heading with no data gap, an open action long past its deadline) are printed
    and the check still passes, unless --strict is given.
    """
    from .commands.check import check as run_check

    result = run_check(project_dir)
    echo_problems(result.warnings)
    if strict and result.warnings:
        count = len(result.warnings)
        click.echo(f"{count} warning{'s' if count != 1 else ''}, and --strict makes them "
                   "errors.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(result.summary)


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(("html", "pdf", "both", "docx", "all")),
              default="both", show_default=True,
              help="What to write: both is HTML and PDF; all adds the Word document.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder.  [default: PROJECT/out]")
@click.option("--as-of", type=DATE, default=None,
              help="Date for the overdue list (YYYY-MM-DD).  [default: the report's date]")
@click.option("--pdf-variant", default=None, metavar="VARIANT",
              help="PDF flavour: pdf/ua-1 (tagged, accessible; the default) or an "
                   "archival one such as pdf/a-3b.")
@click.option("--since", "since_rev", default=None, metavar="REV",
              help="Mark what changed since this git tag or commit (the last meeting's). "
                   " [default: last_meeting in report.yaml, if set]")
@click.option("--no-since", is_flag=True, help="Do not compare with the last meeting.")
@tags_option
@click.option("--docx-template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="The council's Word template (.docx or .dotx) for the Word document: "
                   "its styles, headers, footers and logo are kept.  [default: "
                   "docx_template in report.yaml, if set]")
@click.option("--period", default=None, metavar="QUARTER",
              help="The quarter of the crime figures, such as 2025-Q2.  [default: the "
                   "latest quarter imported in full]")
@click.option("--edition", type=click.Choice(("public", "exempt", "both")), default="public",
              show_default=True,
              help="public leaves exempt information (exempt: in an action's file) out; "
                   "exempt is the whole paper, marked NOT FOR PUBLICATION; both writes "
                   "the two (progress-report and progress-report-exempt).")
@click.option("--exceptions-only", is_flag=True,
              help="The exception report (progress-report-exceptions): the covering page, "
                   "the exceptions in full, the status summary and the direction of travel.")
@click.option("--language", default=None, metavar="CODE",
              help="Build the edition in one of the plan's languages only, such as cy.  "
                   "[default: every language in report.yaml's languages: the main one as "
                   "progress-report, each other named by its code, progress-report.cy]")
@strict_option
def build(project_dir: Path, fmt: str, out_dir: Path | None, as_of: date | None,
          pdf_variant: str | None, since_rev: str | None, no_since: bool, tags: str | None,
          docx_template: Path | None, period: str | None, edition: str,
          exceptions_only: bool, language: str | None, strict: bool):
    """Build the progress report (HTML and PDF, and Word with --format docx or all)
    from actions/ into out/."""
    from .commands.build import build as run_build

    result = run_build(project_dir, fmt, out_dir, as_of=as_of, pdf_variant=pdf_variant,
                       since=since_rev, no_since=no_since, strict=strict, tags=tags,
                       before_print=_before_print(), docx_template=docx_template,
                       period=period, edition=edition, exceptions_only=exceptions_only,
                       language=language.strip().lower() if language else None)
    echo_problems(result.warnings)
    for path in result.outputs:
        click.echo(f"wrote {path}")
    if strict and result.warnings:  # left after writing: papers of an earlier build
        count = len(result.warnings)
        click.echo(f"{count} warning{'s' if count != 1 else ''}, and --strict makes them "
                   "errors (the files above were written).", err=True)
        raise click.exceptions.Exit(1)


@main.command()
@project_option
@click.option("--as-of", type=DATE, default=None,
              help="Count deadlines before this date (YYYY-MM-DD).  [default: today]")
@lead_option
@format_option("table", "csv", "json")
def overdue(project_dir: Path, as_of: date | None, lead: str | None, fmt: str):
    """List actions not complete whose deadline has passed, most overdue first."""
    from .commands.overdue import overdue as run_overdue

    as_of = as_of or date.today()
    found = run_overdue(project_dir, as_of, lead)
    records = found.records
    click.echo(emit(records, fmt, columns=found.columns,
                    empty=f"No action is overdue as at {as_of.isoformat()}.",
                    footer=f"{len(records)} overdue as at {as_of.isoformat()}."))


@main.command()
@project_option
@click.option("--since", "since_rev", default=None, metavar="REV",
              help="A git tag, branch or commit, such as ssp-2010-06 or HEAD~3.  "
                   "[default: last_meeting in report.yaml]")
@click.option("--since-date", type=DATE, default=None,
              help="Compare with the last commit before this date (YYYY-MM-DD).")
@format_option("table", "markdown", "json")
def changes(project_dir: Path, since_rev: str | None, since_date: date | None, fmt: str):
    """List what was added, removed or changed in actions/ since a git revision."""
    from .commands.changes import ChangeRecord
    from .commands.changes import changes as run_changes

    result = run_changes(project_dir, since_rev, since_date)
    title = result.title if fmt == "markdown" else f"{result.title}: {result.summary}."
    click.echo(emit(result.records, fmt, columns=ChangeRecord.COLUMNS, title=title,
                    empty="No changes." if fmt == "markdown" else "",
                    json_data=result.as_dict()))
    if fmt != "json" and result.pending_lines:  # a plan in two languages
        click.echo("\n" + "\n".join(("- " if fmt == "markdown" else "") + line
                                    for line in result.pending_lines))


@main.command()
@project_option
@tags_option
@format_option("table", "csv", "json")
def progress(project_dir: Path, tags: str | None, fmt: str):
    """Count the actions by status at each meeting (a git tag) and in the current files:
    the meetings in date order, the current files last."""
    from .commands.progress import progress as run_progress

    result = run_progress(project_dir, tags)
    echo_problems(result.warnings)
    if result.note:
        click.echo(f"Only the current files are counted: {result.note}.", err=True)
    click.echo(emit(result.records, fmt, columns=result.columns))


@main.command(name="import")
@project_option
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--status", default=None, metavar="STATUS",
              help="Status for rows whose status cell is empty (one of the plan's "
                   "statuses, such as 'not started').")
@click.option("--section", default=None, metavar="N.N",
              help="Where refs are numbered in sections (3.2.1): the section to number "
                   "the rows with an empty Ref in, such as 4.2.  [default: each row's "
                   "Section cell]")
def import_(project_dir: Path, table: Path, status: str | None, section: str | None):
    """Write one file per row of a table of items of one kind of the plan, pasted
    from Word or Excel.

    TABLE is tab-separated (as pasted from Word) or CSV; its header is the labels of
    one kind's fields (any case), with a Ref column: for the shipped plan, data gaps
    (Ref, Data gap, Lead, Action, Update, Status, optionally Due) or recommendations
    (Ref, Recommendation, Update, Status, optionally Lead and Due); for a plan with
    its own shape, a kind declared in actions/plan.yaml.  A row with an empty Ref gets
    the next free one (in its Section cell's section, or --section).  Every problem is
    reported at once by its line; nothing is written unless every row is valid, and no
    existing file is ever overwritten.
    """
    from .commands.new import import_rows, imported, schema_written

    rows, schema_path = import_rows(project_dir, table, status, section)
    for row in rows:
        click.echo(f"wrote {row.path} ({row.item.ref}, from line {row.line})")
    if schema_path:
        click.echo(schema_written(schema_path))
    click.echo(imported(rows))


@main.command()
@project_option
@click.argument("kind", metavar="KIND")
@click.argument("ref", required=False)
@click.option("--section", default=None, metavar="N.N",
              help="Where refs are numbered in sections (3.2.1): the section for the "
                   "next free ref, such as 4.2.")
def new(project_dir: Path, kind: str, ref: str | None, section: str | None):
    """Write a commented skeleton for a new item of a kind of the plan.

    KIND is a kind of the plan, by its name (any case, - for a space), plural or
    folder: data-gap or recommendation, or a kind declared in actions/plan.yaml.

    The ref is the next free one (in the last section, or in --section) unless
    REF is given.  An existing file is never overwritten.
    """
    from .commands.new import new as run_new
    from .commands.new import schema_written

    made = run_new(project_dir, kind, ref, section)
    if made.chosen:
        click.echo(f"{made.ref} is {made.chosen}.")
    click.echo(f"wrote {made.path}: fill in its text, "
               "then run `psa-report check`.")
    if made.schema:
        click.echo(schema_written(made.schema))


@main.command(name="list")
@project_option
@lead_option
@click.option("--status", default=None, metavar="STATUS",
              help="Only actions with this status (one of the plan's statuses).")
@format_option("table", "csv", "json")
def list_(project_dir: Path, lead: str | None, status, fmt: str):
    """List the plan's items, optionally by lead or status."""
    from .commands.listing import list_items

    listing = list_items(project_dir, lead, status)
    click.echo(emit(listing.records, fmt, columns=listing.columns,
                    footer=listing.footer))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--from", "tracker", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="Make the project from an existing tracker (.xlsx, .csv or .tsv): its "
                   "columns become the plan's fields, each row an item.")
@click.option("--sheet", default=None, metavar="NAME",
              help="With --from: the workbook's sheet to read.  [default: the first "
                   "sheet holding a table]")
@click.option("--dry-run", is_flag=True,
              help="With --from: print the inferred plan.yaml, write nothing.")
@click.option("--no-git", "no_git", is_flag=True,
              help="Do not start a git repository.  [default: where FOLDER is in none, "
                   "start one with a first commit of the plan]")
def init(folder: Path, tracker: Path | None, sheet: str | None, dry_run: bool, no_git: bool):
    """Start a new project in FOLDER (default: here): a commented report.yaml and
    agencies.yaml, one example data gap and recommendation, and a .gitignore; or,
    with --from, the whole plan of an existing tracker.  Unless FOLDER is in a git
    repository already (or --no-git), it is put in a new one with a first commit."""
    from .commands.init import start_git

    if tracker is None:
        if sheet is not None or dry_run:
            raise click.UsageError("--sheet and --dry-run go with --from FILE")
        from .commands.init import init as run_init

        written = run_init(folder)
        for path in written:
            click.echo(f"wrote {path}")
        if not no_git:
            for line in start_git(folder, written):
                click.echo(line)
        click.echo("Replace the example text in each file, then run `psa-report check`.")
        return
    from .commands.init import adopt

    adopted = adopt(folder, tracker, sheet, dry_run)
    for note in adopted.notes:
        click.echo(note)
    if adopted.unmapped:
        click.echo("Not mapped as a field (kept where said):")
        for line in adopted.unmapped:
            click.echo(f"  {line}")
    if dry_run:
        click.echo("")
        click.echo(adopted.plan_yaml, nl=False)
        return
    for path in adopted.written:
        click.echo(f"wrote {path}")
    if not no_git:
        for line in start_git(folder, adopted.written):
            click.echo(line)
    click.echo(f"{adopted.rows} rows became items. Check the statuses and types in "
               "actions/plan.yaml, then run `psa-report check`.")


@main.command()
@project_option
@click.argument("ref")
def show(project_dir: Path, ref: str):
    """Show one item of the plan in full, every field under its label."""
    from .commands.listing import show as run_show

    click.echo(run_show(project_dir, ref))


@main.command()
@project_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the schema files.  [default: PROJECT/schema]")
def schema(project_dir: Path, out_dir: Path | None):
    """Write JSON Schema for the YAML files, for editors that validate as you type."""
    from .commands.schema import schema as run_schema

    for path in run_schema(project_dir, out_dir):
        click.echo(f"wrote {path}")


@main.command()
@project_option
@click.option("--lead", "leads", multiple=True, metavar="AGENCY",
              help="Only this agency's workbook (repeat for several; Partnership for the "
                   "items with no lead).  [default: every agency with open actions]")
@click.option("--reply-by", type=DATE, default=None,
              help="The date partners are asked to reply by, printed in each workbook "
                   "(a date already past is warned of).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the workbooks.  [default: PROJECT/out/requests]")
@click.option("--email", is_flag=True,
              help="Also write a draft email (.eml) per agency with its workbook attached, "
                   "to the agency's email: in agencies.yaml.  Nothing is sent.")
def requests(project_dir: Path, leads: tuple[str, ...], reply_by: date | None,
             out_dir: Path | None, email: bool):
    """Write an update-request workbook (.xlsx) for each lead agency to fill in.

    Each holds that agency's items that are not complete, on a sheet for each kind
    of item, with a New ... column for each field partners fill in (the fields the
    plan marks `partners: true`).  Send them out; read the replies back with
    `psa-report collect`; see who has replied with `psa-report round`.  A new
    `requests` starts a new round.
    """
    from .commands.partners import requests as run_requests

    issued = run_requests(project_dir, list(leads), reply_by, out_dir, email)
    echo_problems(issued.warnings)
    for book in issued.workbooks:
        count = len(book.refs)
        click.echo(f"wrote {book.path} ({book.agency}: {count} action"
                   f"{'s' if count != 1 else ''})")
    click.echo(f"wrote {issued.manifest}")
    for path in issued.emails:
        click.echo(f"wrote {path}")
    if issued.no_address:
        click.echo(f"Note: no email address for {', '.join(issued.no_address)}: add "
                   "`email:` to the agency in actions/agencies.yaml, or fill in To in the "
                   "draft.", err=True)
    if issued.left_open:
        click.echo("The last round left open: " + "; ".join(issued.left_open) + ".",
                   err=True)
    if issued.draft:
        click.echo("Note: the plan has changes not yet committed to git; commit them so "
                   "the returns can be traced to a saved version.", err=True)


def _choose_in_terminal(ref: str, name: str, options: list[tuple[str, str]]) -> str | None:
    """Ask which lead's value to take for a joint row (Enter: let the row wait)."""
    click.echo(f"{ref} {name}: " + ", ".join(f"{a} gives {v!r}" for a, v in options))
    agencies = [a for a, _ in options]
    answer = click.prompt(f"  Take whose {name}? ({', '.join(agencies)}; Enter to leave it "
                          "waiting)", default="", show_default=False)
    match = [a for a in agencies if a.lower() == answer.strip().lower()]
    return match[0] if match else None


@main.command()
@project_option
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--apply", "apply_", is_flag=True,
              help="Write the new values into the YAML files.  [default: only show them]")
@click.option("--take", "takes", multiple=True, metavar="REF=AGENCY",
              help="For a joint action two leads updated differently, take this agency's "
                   "status and due date (REF:update=AGENCY: its update text); repeat for "
                   "several rows.  [default: keep both update texts, each under its "
                   "agency's name; a row whose status or date differ waits]")
@click.option("--commit", "commit_", is_flag=True,
              help="With --apply: commit the changed files in one git commit naming each "
                   "return (agency, workbook, date, refs).")
@format_option("table", "markdown", "html")
def collect(project_dir: Path, paths: tuple[Path, ...], apply_: bool, takes: tuple[str, ...],
            commit_: bool, fmt: str):
    """Read returned update workbooks (or CSV files, or folders of them).

    Every filled row is checked (ref, status, date, the given columns unchanged, no
    edit made since the workbook was issued), every problem is reported by its cell,
    and nothing is written unless all are right.  Without --apply, it shows what
    would change, with the partners' new words; --format markdown or html gives a
    page to read or send for sign-off.
    """
    import sys

    from .commands.partners import collect as run_collect

    ask = _choose_in_terminal if sys.stdin.isatty() and sys.stdout.isatty() else None
    done = run_collect(project_dir, list(paths), apply=apply_, take=list(takes), choose=ask,
                       commit=commit_, fmt=fmt)
    result = done.result
    if done.page is not None:
        click.echo(done.page, nl=False)
        out = lambda text: click.echo(text, err=True)  # noqa: E731 - the page is stdout
    else:
        out = click.echo
        for line in done.lines:
            click.echo(line)
        if not result.updates:
            click.echo("No changes: every filled row says what the plan says already."
                       if not result.waiting else "No other changes.")
        if result.not_returned_line:
            click.echo(result.not_returned_line)
    for note in result.notes:
        out(note)
    if apply_ and done.applied:
        count = len(done.applied)
        if done.commit:
            out(f"changed {count} file{'s' if count != 1 else ''} and committed "
                f"{'it' if count == 1 else 'them'} ({done.commit[:7]}), naming each return.")
        else:
            out(f"changed {count} file{'s' if count != 1 else ''}. Record this round of "
                "updates with:\n  git commit -am \"Updates from partners\"")
    elif result.updates:
        out("Nothing was written: run again with --apply to write these changes.")
    if result.waiting:
        one = len(result.waiting) == 1
        out(f"{len(result.waiting)} row{'' if one else 's'} wait{'s' if one else ''} for a "
            "choice" + ((" and was" if one else " and were") + " not written" if apply_
                        else "") + ": collect again with --take REF=AGENCY.")


@main.command(name="round")
@project_option
@click.option("--as-of", type=DATE, default=None,
              help="Count days late as at this date.  [default: today]")
@click.option("--chase", is_flag=True,
              help="Write a reminder (.eml, with the workbook attached) to each agency whose "
                   "return is late.  Nothing is sent.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None,
              help="The folder the requests were written to.  [default: PROJECT/out/requests]")
@format_option("table", "csv", "json", "markdown")
def round_(project_dir: Path, as_of: date | None, chase: bool, out_dir: Path | None, fmt: str):
    """Show the update round: per agency, issued, returned, applied and days late.

    Read from the round's ledger, which `requests` starts and each `collect --apply`
    adds to.
    """
    from .commands.partners import round_status

    done = round_status(project_dir, as_of, chase, out_dir)
    reply = f", reply by {done.reply_by}" if done.reply_by else ""
    click.echo(emit(done.rows, fmt, columns=done.columns,
                    title=f"Update round issued {done.issued}{reply}",
                    footer=f"Round issued {done.issued}{reply}."))
    for path in done.reminders:
        click.echo(f"wrote {path}", err=fmt != "table")
    if chase and not done.reminders:
        click.echo("Nobody is late: no reminder written.", err=fmt != "table")
    if done.no_address:
        click.echo(f"Note: no email address for {', '.join(done.no_address)}: add `email:` "
                   "to the agency in actions/agencies.yaml, or fill in To in the draft.",
                   err=True)


@main.command(name="set", context_settings={"ignore_unknown_options": True,
                                             "allow_extra_args": True})
@project_option
@click.argument("ref")
@click.option("--status", default=None, metavar="STATUS",
              help="The new status (one of the plan's statuses).")
@click.option("--update", default=None, metavar="TEXT", help="The new update text.")
@click.option("--update-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Read the new update text from this UTF-8 text file.")
@click.option("--due", default=None, metavar="DATE",
              help="The new deadline, such as 2010-12 or 31/12/2010 (empty: no deadline).")
@click.pass_context
def set_(ctx: click.Context, project_dir: Path, ref: str, status, update: str | None,
         update_file: Path | None, due: str | None):
    """Change one item's status, update or deadline in its YAML file.

    For a plan with its own shape (actions/plan.yaml), any field by its name too:
    --progress TEXT, --target 40.  Only those values change: every comment, blank line
    and other field of the file stays exactly as it was.
    """
    from .commands.partners import set_item

    fields = {}
    extra = list(ctx.args)
    while extra:
        option = extra.pop(0)
        name, _, value = option.partition("=")
        if not name.startswith("--") or len(name) < 3 or (not value and not extra):
            raise click.UsageError(f"{option!r}: give each field as --NAME VALUE")
        fields[name[2:]] = value if "=" in option else extra.pop(0)
    changed = set_item(project_dir, ref, status, update, update_file, due, fields)
    if not changed.changes:
        click.echo(f"{changed.ref}: no change ({changed.path} already says so).")
        return
    click.echo(f"changed {changed.path}:")
    for line in changed.summaries:
        click.echo(f"  {line}")


@main.command()
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer's own address "
                   "lets others on the network read the plan.")
@click.option("--open", "open_browser", is_flag=True, help="Open the report in a browser.")
@click.option("--edition", type=click.Choice(("public", "exempt")), default="public",
              show_default=True,
              help="public leaves exempt information out; exempt shows all of it, marked "
                   "NOT FOR PUBLICATION.")
def serve(project_dir: Path, port: int, host: str, open_browser: bool, edition: str):
    """Show the report in a browser and rebuild it on every save (nothing is written).

    The page reloads by itself when a file in actions/ or templates/ is saved;
    while the files have problems it lists them. /report.pdf is the PDF of the
    files as they are now; a plan in two languages has its other edition at
    /report.cy.html and /report.cy.pdf. Ctrl-C stops it.
    """
    from .commands.serve import serve as run_serve

    run_serve(project_dir, host, port, open_browser=open_browser, say=click.echo,
              say_err=lambda line: click.echo(line, err=True),
              after_warm_up=_before_print(), edition=edition)


@main.group(invoke_without_command=True)
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="The project folder (the one holding actions/).  "
              "[default: the one the current folder is in]")
@click.option("--period", default=None, metavar="QUARTER",
              help="The calendar quarter, such as 2025-Q2 (April to June).  [default: the "
                   "latest quarter whose three months are imported]")
@format_option("table", "csv", "json")
@click.pass_context
def figures(ctx: click.Context, project_dir: Path | None, period: str | None, fmt: str):
    """Crime and disorder figures: the quarter's table (police.uk crime by type against
    the same quarter last year, the last twelve months, rates per 1,000), then the
    partnership's indicators against their targets.

    `psa-report figures import PATH...` brings in police.uk street-level files.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .commands.figures import figures as run_figures  # measured: see test_layers

    view = run_figures(_find_project(ctx, None, project_dir), period)
    if fmt == "json":
        click.echo(emit([], "json", columns=view.columns, json_data=view.as_dict()))
        return
    if fmt == "csv":  # plain numbers, for a spreadsheet
        click.echo(emit(view.plain_rows, "csv", columns=view.plain_columns))
        return
    title = (f"{view.heading}: {view.area or 'the area'}, {view.period}" if view.quarter
             else None)
    click.echo(emit(view.rows, fmt, columns=view.columns,
                    title=title if fmt == "table" else None))
    if fmt == "table":
        for line in view.notes:
            click.echo(line)
        if view.indicators:
            click.echo("")
            click.echo(emit(view.indicators, "table", columns=INDICATOR_COLUMNS,
                            title=view.indicator_intro))


#: The indicators' table as `figures` prints it: (attribute, heading).
INDICATOR_COLUMNS = (("name", "Indicator"), ("value", "Quarter"),
                     ("last_year", "Same quarter last year"), ("direction", "Direction"),
                     ("target", "Target"), ("status", "Against target"))


@figures.command(name="import")
@project_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--area", default=None, metavar="NAME",
              help="Keep the rows whose LSOA name starts with NAME, such as "
                   "Stockton-on-Tees.  [default: area in report.yaml]")
def figures_import(project_dir: Path, paths: tuple[Path, ...], area: str | None):
    """Count police.uk street-level crime files into figures/crime.csv.

    PATHS are the files as downloaded from data.police.uk (2024-01-cleveland-street.csv),
    folders of them, or the downloaded .zip. The rows of the area are counted by month
    and crime type; a month imported again replaces that month's counts (it is never
    counted twice). Every problem is reported by file and line, and nothing is
    written unless every file is right.
    """
    from .commands.figures import import_figures  # measured: see test_layers

    done = import_figures(project_dir, list(paths), area)
    for line in done.lines:
        click.echo(line)
    click.echo(f"wrote {done.path}")


def freeze_before_print() -> None:
    """Only the HTML text is still needed when the PDF is printed. Collect what the
    earlier stages left and freeze the rest (imports, compiled templates) out of the
    collector's sight: otherwise the cyclic collector runs its full passes less often
    during WeasyPrint's layout, and the peak memory of a 3,000-action report grows by
    a fifth (measured: 1,550 MB against 1,396 MB frozen; WeasyPrint alone 1,316 MB).
    Process-wide, so only the console entry point asks for it."""
    import gc

    gc.collect()
    gc.freeze()


def run() -> None:
    """The console entry point: process-wide settings, then the command group."""
    main(prog_name="psa-report", obj={"before_print": freeze_before_print})


if __name__ == "__main__":  # pragma: no cover
    run()
