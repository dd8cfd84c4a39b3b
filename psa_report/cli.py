"""The ``psa-report`` command: a thin shell over load → validate → plan → render → print.

Exit status: 0 success, 1 invalid data or a failed build, 2 a usage error
(unknown option, bad option value: Click's own).  Bad input is never shown as a
traceback: every problem is printed as ``file:line:column: message`` on stderr.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import textwrap
from collections import Counter
from datetime import date
from pathlib import Path

import click

# psa-report uses no pydantic plugin; looking for them scans every installed
# package's metadata at the first model, which is most of a small check's time.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from .output import publish  # noqa: E402
from .problems import Invalid  # noqa: E402

FORMATS = ("html", "pdf", "both")
OUTPUT_STEM = "progress-report"


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        from .dates import parse_day

        try:
            return parse_day(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


DATE = DateParam()


class StatusParam(click.ParamType):
    name = "STATUS"

    def convert(self, value, param, ctx):
        from .models import Status, parse_status

        if isinstance(value, Status):
            return value
        try:
            return parse_status(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


STATUS = StatusParam()

lead_option = click.option("--lead", default=None, metavar="AGENCY",
                           help="Only this lead agency's actions.")


def check_lead(project, lead: str | None) -> None:
    if lead is not None and lead not in project.agencies:
        raise click.BadParameter(f"{lead!r} is not a known agency: use one of "
                                 f"{', '.join(project.agencies)}", param_hint="--lead")


def project_option(command):
    """``--project DIR`` on every command; the default is the current folder."""
    return click.option(
        "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
        default=".", show_default="the current folder",
        help="The project folder (the one holding actions/).")(command)


def report_problems(invalid: Invalid) -> None:
    for problem in invalid.problems:
        click.echo(str(problem), err=True)
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
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was changed.", err=True)
            ctx.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # a fault of ours: say so, plainly
            if os.environ.get("PSA_REPORT_DEBUG"):
                raise
            click.echo(f"psa-report: internal error ({type(error).__name__}: {error}). "
                       "This is a fault in psa-report, not in your files: please report "
                       "it with the command you ran (PSA_REPORT_DEBUG=1 shows the details).",
                       err=True)
            ctx.exit(1)


def load(project_dir: Path):
    from .project import load_project

    return load_project(project_dir)


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


@main.command()
@project_option
def check(project_dir: Path):
    """Validate every file in actions/ and report all problems at once."""
    project = load(project_dir)
    counts = Counter(item.status for item in project.items)
    from .models import Status

    by_status = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    click.echo(f"OK: {len(project.data_gaps)} data gaps, {len(project.recommendations)} "
               f"recommendations ({by_status}).")


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="both",
              show_default=True, help="What to write.")
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
def build(project_dir: Path, fmt: str, out_dir: Path | None, as_of: date | None,
          pdf_variant: str | None, since_rev: str | None, no_since: bool):
    """Build the progress report (HTML and PDF) from actions/ into out/."""
    from .render import template_dirs

    if fmt in ("pdf", "both"):
        from . import printer

        variant = pdf_variant or printer.DEFAULT_VARIANT
        if variant not in printer.variants():
            raise click.BadParameter(
                f"{variant!r} is not a PDF variant WeasyPrint knows: use one of "
                f"{', '.join(printer.variants())}", param_hint="--pdf-variant")
    dirs = template_dirs(project_dir)
    html = report_html(project_dir, dirs, as_of, since_rev, no_since=no_since)
    # Only the HTML text is still needed. Collect what the earlier stages left and
    # freeze the rest (imports, compiled templates) out of the collector's sight:
    # otherwise the cyclic collector runs its full passes less often during
    # WeasyPrint's layout, and the peak memory of a 3,000-action report grows by a
    # fifth (measured: 1,550 MB against 1,396 MB frozen; WeasyPrint alone 1,316 MB).
    gc.collect()
    gc.freeze()
    out_dir = out_dir or project_dir / "out"
    outputs = {}
    if fmt in ("html", "both"):
        outputs[out_dir / f"{OUTPUT_STEM}.html"] = lambda tmp: tmp.write_text(
            html, encoding="utf-8")
    if fmt in ("pdf", "both"):
        outputs[out_dir / f"{OUTPUT_STEM}.pdf"] = lambda tmp: printer.write_pdf(
            html, tmp, dirs, variant=variant)
    # The PDF is printed before anything is renamed into place, so the HTML and
    # the PDF in out/ are always a matching pair, and a failure changes nothing.
    for path in publish(outputs):
        click.echo(f"wrote {path}")


def report_html(project_dir: Path, dirs: list[Path], as_of: date | None,
                since_rev: str | None, *, no_since: bool = False) -> str:
    """Load, validate, plan and render: the report's HTML, marked against ``since_rev``
    (or report.yaml's last_meeting unless ``no_since``)."""
    from . import history
    from .changes import compare
    from .plan import plan_report
    from .render import render_html

    project = load(project_dir)
    since = changes = None
    since_rev = None if no_since else (since_rev or project.report.last_meeting)
    if since_rev:
        since = history.resolve(project_dir, since_rev)
        changes = compare(history.project_at(project_dir, since), project)
    plan = plan_report(project, as_of, provenance=history.provenance(project_dir),
                       since=since, changes=changes)
    return render_html(plan, dirs)


@main.command()
@project_option
@click.option("--as-of", type=DATE, default=None,
              help="Count deadlines before this date (YYYY-MM-DD).  [default: today]")
@lead_option
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table",
              show_default=True)
def overdue(project_dir: Path, as_of: date | None, lead: str | None, fmt: str):
    """List actions not complete whose deadline has passed, most overdue first."""
    from .plan import overdue as find_overdue

    project = load(project_dir)
    check_lead(project, lead)
    as_of = as_of or date.today()
    items = find_overdue(project, as_of, lead)
    if fmt == "json":
        click.echo(json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False))
        return
    rows = [[i.ref, " ".join(i.lead) or "Partnership", i.due.day.isoformat(),
             str(i.days_overdue), i.status.value] for i in items]
    header = ["ref", "lead", "due", "days_overdue", "status"]
    if fmt == "csv":
        emit_csv(header, rows)
        return
    if not items:
        click.echo(f"No action is overdue as at {as_of.isoformat()}.")
        return
    click.echo(format_table(["Ref", "Lead", "Due", "Days overdue", "Status"], rows))
    click.echo(f"{len(items)} overdue as at {as_of.isoformat()}.")


@main.command()
@project_option
@click.option("--since", "since_rev", default=None, metavar="REV",
              help="A git tag, branch or commit, such as ssp-2010-06 or HEAD~3.")
@click.option("--since-date", type=DATE, default=None,
              help="Compare with the last commit before this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(("table", "markdown", "json")),
              default="table", show_default=True)
def changes(project_dir: Path, since_rev: str | None, since_date: date | None, fmt: str):
    """List what was added, removed or changed in actions/ since a git revision."""
    from . import history
    from .changes import compare

    if (since_rev is None) == (since_date is None):
        raise click.UsageError("give one of --since REV or --since-date DATE")
    project = load(project_dir)
    since = history.resolve(project_dir, since_rev, before=since_date)
    found = compare(history.project_at(project_dir, since), project)
    title = f"Changes since {since.name} ({since.short}, {since.day.isoformat()})"
    if fmt == "json":
        click.echo(json.dumps({"since": {"rev": since.name, "commit": since.commit,
                                         "date": since.day.isoformat()},
                               "changes": [c.as_dict() for c in found]},
                              indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        lines = [f"## {title}", ""]
        if found:
            lines += ["| Ref | Change | What |", "|---|---|---|"]
            lines += [f"| {c.ref} | {c.change} | {'; '.join(c.summaries) or '-'} |"
                      for c in found]
        else:
            lines.append("No changes.")
        click.echo("\n".join(lines))
        return
    counts = Counter(c.change for c in found)
    summary = ", ".join(f"{counts[k]} {k}" for k in ("changed", "added", "removed")
                        if counts[k]) or "no changes"
    click.echo(f"{title}: {summary}.")
    rows = []
    for change in found:
        what = change.summaries or [change.path or change.old_path or ""]
        rows.append([change.ref, change.change, what[0]])
        rows += [["", "", line] for line in what[1:]]
    if rows:
        click.echo(format_table(["Ref", "Change", "What"], rows))


@main.command(name="import")
@project_option
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--status", type=STATUS, default=None,
              help="Status for rows whose Status cell is empty, such as 'not started'.")
def import_(project_dir: Path, table: Path, status: str | None):
    """Write one data-gap file per row of a table pasted from Word or Excel.

    TABLE is tab-separated (as pasted from Word) or CSV, with the header Ref, Data
    gap, Lead, Action, Update, Status (and optionally Due).  Nothing is written
    unless every row is valid, and no existing file is ever overwritten.
    """
    from .scaffold import import_table, write_new

    project = load(project_dir)
    rows = import_table(project, table, str(table), status and status.value)
    for row in rows:
        write_new(project_dir, row.path, row.text)
        click.echo(f"wrote {row.path} ({row.gap.ref}, from line {row.line})")
    load(project_dir)  # the result must pass check
    click.echo(f"imported {len(rows)} data gap{'s' if len(rows) != 1 else ''}; "
               "`psa-report check` passes.")


@main.command()
@project_option
@click.argument("kind", type=click.Choice(("data-gap", "recommendation")))
@click.argument("ref", required=False)
@click.option("--section", default=None, metavar="N.N",
              help="For a data gap: the section for the next free ref, such as 4.2.")
def new(project_dir: Path, kind: str, ref: str | None, section: str | None):
    """Write a commented skeleton for a new data gap or recommendation.

    The ref is the next free one (in the last section, or in --section) unless
    REF is given.  An existing file is never overwritten.
    """
    from .models import REC_PATTERN, REF_PATTERN
    from .scaffold import next_ref, skeleton, write_new

    project = load(project_dir)
    pattern = REF_PATTERN if kind == "data-gap" else REC_PATTERN
    if section is not None and not re.fullmatch(r"\d+\.\d+", section):
        raise click.BadParameter(f"{section!r} is not a section: write it like 4.2",
                                 param_hint="--section")
    ref = ref or next_ref(project, kind, section)
    if not re.fullmatch(pattern, ref):
        example = "3.2.6" if kind == "data-gap" else "R6"
        raise click.BadParameter(f"{ref!r} is not a {kind} ref: write it like {example}",
                                 param_hint="REF")
    if ref in project.sources:
        raise click.BadParameter(f"{ref} is already used by {project.sources[ref]}",
                                 param_hint="REF")
    path, text = skeleton(project, kind, ref)
    write_new(project_dir, path, text)
    click.echo(f"wrote {path}: fill in its text, then run `psa-report check`.")


@main.command(name="list")
@project_option
@lead_option
@click.option("--status", type=STATUS, default=None, help="Only actions with this status.")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")), default="table",
              show_default=True)
def list_(project_dir: Path, lead: str | None, status, fmt: str):
    """List the data gaps and recommendations, optionally by lead or status."""
    project = load(project_dir)
    check_lead(project, lead)
    items = [i for i in project.items if (lead is None or lead in i.lead)
             and (status is None or i.status is status)]
    records = [{"ref": i.ref, "kind": kind_of(i), "lead": list(i.lead),
                "status": i.status.value, "due": str(i.due) if i.due else None,
                "file": project.sources[i.ref]} for i in items]
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    rows = [[r["ref"], r["kind"], " ".join(r["lead"]), r["status"], r["due"] or ""]
            for r in records]
    if fmt == "csv":
        emit_csv(["ref", "kind", "lead", "status", "due"], rows)
        return
    click.echo(format_table(["Ref", "Kind", "Lead", "Status", "Due"], rows))
    click.echo(f"{len(rows)} of {len(project.items)} actions.")


@main.command()
@project_option
@click.argument("ref")
def show(project_dir: Path, ref: str):
    """Show one data gap or recommendation in full."""
    from difflib import get_close_matches

    project = load(project_dir)
    item = project.find(ref)
    if item is None:
        near = get_close_matches(ref, list(project.sources), n=1)
        hint = f" Did you mean {near[0]}?" if near else ""
        raise click.BadParameter(f"no data gap or recommendation has the ref {ref!r}.{hint}",
                                 param_hint="REF")
    lines = [f"{item.ref} ({kind_of(item)}): {project.sources[item.ref]}",
             f"Status: {item.status.value}",
             "Lead: " + (", ".join(f"{code} ({project.agencies[code]})" for code in item.lead)
                         or "the whole partnership"),
             f"Due: {item.due.long if item.due else 'no deadline'}"]
    texts = (("Data gap", "gap"), ("Recommendation", "recommendation"), ("Action", "action"),
             ("Update", "update"))
    for title, name in texts:
        if getattr(item, name, None):
            lines += ["", f"{title}:", *textwrap.wrap(getattr(item, name), 88,
                                                     initial_indent="  ",
                                                     subsequent_indent="  ")]
    click.echo("\n".join(lines))


@main.command()
@project_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the schema files.  [default: PROJECT/schema]")
def schema(project_dir: Path, out_dir: Path | None):
    """Write JSON Schema for the YAML files, for editors that validate as you type."""
    from .scaffold import SCHEMA_DIR, json_schemas

    out_dir = out_dir or project_dir / SCHEMA_DIR
    texts = json_schemas()
    outputs = {out_dir / name: (lambda text: lambda tmp: tmp.write_text(text, "utf-8"))(text)
               for name, text in texts.items()}
    for path in publish(outputs):
        click.echo(f"wrote {path}")


def kind_of(item) -> str:
    from .plan import kind_of as plan_kind_of

    return plan_kind_of(item)


def emit_csv(header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    click.echo(buffer.getvalue(), nl=False)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
             for row in [header, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
