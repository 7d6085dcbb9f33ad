"""The `reportlib` command. Every subcommand has an example in its help; errors are one
clear line each with an exit code, never a traceback:

    0  success            1  a build failed            2  bad data or bad arguments
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .exceptions import DataError, NotebookExecutionError, ReportlibError, UsageError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _data_option(f):
    return click.option("--data", "data_dir", default="data", show_default=True,
                        type=click.Path(file_okay=False),
                        help="The data folder.")(f)


def _err(message: str) -> None:
    click.echo(message, err=True)


def report_error(exc: ReportlibError) -> int:
    """Print an error the way a user can act on it; return the exit code."""
    if isinstance(exc, DataError):
        for problem in exc.problems + exc.warnings:
            _err(str(problem))
        _err(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found; "
             "nothing was written. Fix the lines above and run the command again.")
    elif isinstance(exc, NotebookExecutionError):
        _err(f"error: the notebook failed: {exc}")
        if exc.failure is not None:
            source = exc.failure.source.strip().splitlines()
            _err(f"  failing cell {exc.failure.cell_index}:")
            for line in source[:12]:
                _err(f"    | {line}")
            if len(source) > 12:
                _err(f"    | ... ({len(source) - 12} more lines)")
            if exc.failure.ename:
                _err(f"  {exc.failure.ename}: {exc.failure.evalue}")
        if exc.notebook_path:
            _err(f"  the executed notebook is kept for debugging: {exc.notebook_path}")
        _err("  the previous report, if any, is unchanged.")
    else:
        _err(f"error: {exc}")
    return exc.exit_code


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReportlibError as exc:
            ctx.exit(report_error(exc))
        except KeyboardInterrupt:
            _err("interrupted; the previous report, if any, is unchanged.")
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("REPORTLIB_DEBUG"):
                raise
            _err(f"error: unexpected failure: {type(exc).__name__}: {exc}")
            _err("  this is a bug in reportlib, not in your data; run again with REPORTLIB_DEBUG=1 "
                 "to see the traceback, and report it with the command you ran.")
            ctx.exit(1)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(package_name="reportlib")
def main():
    """Build the weekly security and humanitarian monitor from curated data.

    \b
    The week's routine:
      reportlib new-period --end 2020-12-10   # scaffold the week's files
      reportlib validate                      # check them
      reportlib build                         # outputs/2020-12-10/report.{html,pdf}
    """


@main.command(context_settings=CONTEXT)
@_data_option
def validate(data_dir):
    """Check every file of the data folder; list each problem with file, line and column.

    \b
    Example:
      reportlib validate --data data
    Exit status 0 when the data is good, 2 when it has problems.
    """
    from .dataset import load

    data = load(data_dir)
    for warning in data.warnings:
        _err(str(warning))
    counts = [(len(data.issues), "period"), (len(data.incidents), "incident row"),
              (len(data.indicators), "indicator value"), (len(data.sources), "source")]
    summary = ", ".join(f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in counts)
    click.echo(f"{data_dir}: OK: {summary}.")


def _parse_params(values: tuple[str, ...]) -> dict:
    params = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"parameter {item!r} must be NAME=VALUE")
        name, value = item.split("=", 1)
        try:
            params[name.strip()] = int(value)
        except ValueError:
            params[name.strip()] = value
    return params


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE",
              help="Build the declared period ending on DATE (YYYY-MM-DD).")
@click.option("--start", metavar="DATE", help="First day of an explicit period (with --end).")
@click.option("--end", metavar="DATE", help="Last day of an explicit period (with --start).")
@_data_option
@click.option("--out", "out_root", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Where outputs/<period-end>/ folders go.")
@click.option("--notebook", default="notebooks/weekly_report.ipynb", show_default=True,
              type=click.Path(dir_okay=False, exists=True), help="The report notebook to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Extra notebook parameter (checked against the notebook's parameters cell).")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@click.option("--timeout", default=600, show_default=True, metavar="SECONDS",
              help="Longest a single notebook cell may run.")
def build(period_end, start, end, data_dir, out_root, notebook, params, force, timeout):
    """Build a period's report: outputs/<period-end>/report.{ipynb,html,pdf} and manifest.json.

    \b
    With no period, builds the latest period declared in the data.
    Examples:
      reportlib build
      reportlib build --period-end 2020-12-03
      reportlib build --start 2020-11-26 --end 2020-12-03 --force
    A period whose inputs are unchanged since its last build is skipped (--force rebuilds).
    """
    from .build import Task, build_period
    from .dataset import load
    from .periods import parse_date
    from .report import resolve_period

    if (start or end) and period_end:
        raise UsageError("give either --period-end or --start and --end, not both")
    if bool(start) != bool(end):
        raise UsageError("--start and --end go together")
    data = load(data_dir)
    for warning in data.warnings:
        _err(str(warning))
    if start:
        from .periods import Period

        period = Period(parse_date(start, "--start"), parse_date(end, "--end"))
    else:
        period = resolve_period(data, period_end or "")
    task = Task(data_dir=str(Path(data_dir).resolve()), start=period.start.isoformat(),
                end=period.end.isoformat(), out_root=str(Path(out_root)),
                notebook=str(notebook), parameters=_parse_params(params), timeout=timeout,
                force=force)
    result = build_period(task, data, log=lambda m: _err(m))
    folder = Path(out_root) / result.label
    if result.status == "skipped":
        click.echo(f"{result.label}: up to date (inputs unchanged); --force rebuilds. {folder}/")
        return
    click.echo(f"{result.label}: built in {result.seconds:.1f} s -> {folder}/report.pdf")


@main.group(name="import", context_settings=CONTEXT)
def import_():
    """Add rows from formats analysts already have (ACLED, Our World in Data).

    Each import writes a sheet of its own (data/incidents/acled.csv,
    data/indicators/owid-<country>.csv), adds its source to sources.csv, validates what it
    wrote, and skips rows already in the data, so running it twice adds nothing.
    """


@import_.command(name="acled", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_data_option
@click.option("--type-map", "type_map", multiple=True, metavar="'SUB EVENT=TYPE'",
              help="Map an ACLED sub-event type to an incident type, or to 'skip'.")
def import_acled(file, data_dir, type_map):
    """Import an ACLED export (any version: columns matched by name) into incidents.

    \b
    Example:
      reportlib import acled acled_iraq_2020.csv
      reportlib import acled export.csv --type-map 'Peaceful protest=skip'
    Sub-event types without an incident type are errors to fix, never dropped silently.
    """
    from .importers.acled import import_acled as run

    mapping = {}
    for item in type_map:
        if "=" not in item:
            raise UsageError(f"--type-map {item!r} must be 'SUB EVENT=TYPE'")
        sub, target = item.rsplit("=", 1)
        mapping[sub] = target.strip()
    report = run(Path(file), Path(data_dir), mapping)
    for line in report.lines():
        click.echo(line)


@import_.command(name="owid", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--country", required=True, help="Country name or ISO code as OWID writes it.")
@_data_option
@click.option("--since", metavar="DATE", help="Only days from DATE on.")
@click.option("--until", metavar="DATE", help="Only days up to DATE.")
def import_owid(file, country, data_dir, since, until):
    """Import Our World in Data's COVID-19 CSV for one country into indicators.

    \b
    Example:
      reportlib import owid owid-covid-data.csv --country Iraq --since 2020-09-01
    Imports total and new cases, deaths, tests and the 7-day average of new cases.
    """
    from .importers.owid import import_owid as run
    from .periods import parse_date

    report = run(Path(file), Path(data_dir), country,
                 parse_date(since, "--since") if since else None,
                 parse_date(until, "--until") if until else None)
    for line in report.lines():
        click.echo(line)


if __name__ == "__main__":
    sys.exit(main())
