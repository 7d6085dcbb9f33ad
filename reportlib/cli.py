"""The `reportlib` command. Every subcommand has an example in its help; errors are one
clear line each with an exit code, never a traceback:

    0  success            1  a build failed            2  bad data or bad arguments
    3  the machine stopped it (a read-only or full disk: the line names the path and reason)
    130  interrupted (Ctrl-C, SIGTERM)

No process the command starts outlives it, however it ends (see reportlib.engine.lifetime).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from pathlib import Path

import click

from .errors import DataError, NotebookExecutionError, ReportlibError, UsageError
from .inputs.periods import DATE_RANGE

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Every date option is read by inputs.periods.parse_date: this form, this range, else exit 2.
DATES = f"YYYY-MM-DD, {DATE_RANGE}"


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
        for note in exc.notes:
            _err(note)
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


def _terminate_as_interrupt(signum, frame):
    raise KeyboardInterrupt


class _Group(click.Group):
    def invoke(self, ctx):
        # `kill` (SIGTERM) cleans up like Ctrl-C: staged files removed, old report kept.
        signal.signal(signal.SIGTERM, _terminate_as_interrupt)
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
            from .errors import environment_problem

            problem = environment_problem(exc) if isinstance(exc, OSError) else None
            if problem is not None:
                ctx.exit(report_error(problem))
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
      reportlib publish --period-end 2020-12-10   # site/, and the issue stays as published
      reportlib send --period-end 2020-12-10      # mail it to the distribution list
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
    from .inputs.validation import validate_all

    data = validate_all(data_dir, _err)
    _print_warnings(data)
    counts = [(len(data.issues), "period"), (len(data.incidents), "incident row"),
              (len(data.indicators), "indicator value"), (len(data.sources), "source")]
    summary = ", ".join(f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in counts)
    click.echo(f"{data_dir}: OK: {summary}.")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """-p NAME=VALUE as given, as text; typed against the notebook later (publish.execute)."""
    params = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"parameter {item!r} must be NAME=VALUE")
        name, value = item.split("=", 1)
        params[name.strip()] = value
    return params


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE",
              help=f"Build the declared period ending on DATE ({DATES}).")
@click.option("--start", metavar="DATE", help=f"First day of an explicit period (with --end; {DATES}).")
@click.option("--end", metavar="DATE", help=f"Last day of an explicit period (with --start; {DATES}).")
@click.option("--from", "first", metavar="DATE",
              help=f"Build every period ending on or after DATE (with --to; {DATES}).")
@click.option("--to", "last", metavar="DATE", help=f"... and on or before DATE ({DATES}).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Worker processes for --from/--to (default: the number of cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Send the periods to a running Dask scheduler; its workers must see --data and --out.")
@_data_option
@click.option("--out", "out_root", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Where outputs/<period-end>/ folders go.")
@click.option("--notebook", metavar="PATH|NAME",
              help="The report notebook to run: a file, or the name of one that ships with reportlib "
                   "(weekly_report, trends_report). Default: the weekly report that ships with it.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Extra notebook parameter (checked against the notebook's parameters cell).")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@click.option("--timeout", default=600, show_default=True, metavar="SECONDS",
              help="Longest a notebook cell, the HTML export or the PDF printing may run.")
@click.option("--kernels", type=click.Choice(["forked", "fresh"]), default="forked", show_default=True,
              help="For batches: fork each report's kernel from a warm template, or start each from scratch.")
@click.option("--review", is_flag=True,
              help="Also write review.html beside the report: every computed figure shows the data rows "
                   "(file:line) and sources it comes from. report.html and report.pdf are unchanged.")
def build(period_end, start, end, first, last, jobs, scheduler, data_dir, out_root, notebook, params, force,
          timeout, kernels, review):
    """Build reports: outputs/<period-end>/report.{ipynb,html,pdf} and manifest.json.

    \b
    With no period, builds the latest period declared in the data.
    Examples:
      reportlib build
      reportlib build --period-end 2020-12-03
      reportlib build --start 2020-11-26 --end 2020-12-03 --force
      reportlib build --from 2020-01-01 --to 2020-12-31 --jobs 2
      reportlib build --review        # and outputs/2020-12-03/review.html, for checking
    --period-end takes only a period an issue declares. A --start/--end span no issue
    declares is an ad hoc report: it goes to outputs/ad-hoc/<end>/, not into the archive.
    A period whose inputs and outputs are unchanged since its last build is skipped
    (--force rebuilds). Each report runs in its own kernel; a failed period does not stop
    the others. -p sets a parameter the notebook declares, checked against its type;
    period_end, period_start and data_dir are the build's own.
    \b
    Exit status: 0 built or up to date; 1 a build failed (the previous report stays);
    2 bad data or arguments (nothing written); 3 the machine stopped the build (a read-only
    folder, a full disk: the path and reason are printed); 130 interrupted.
    """
    from .batch import api

    if sum([bool(period_end), bool(start or end), bool(first or last)]) > 1:
        raise UsageError("give one of --period-end, --start/--end or --from/--to")
    if bool(first) != bool(last):
        raise UsageError("--from and --to go together")
    if (jobs or scheduler) and not first:
        raise UsageError("--jobs and --scheduler are for batches (--from and --to)")
    if review and first:
        raise UsageError("--review is for one period (--period-end or --start/--end)")
    given = _parse_params(params)
    if first:
        try:
            batch = api.build_range(first, last, data=data_dir, out=out_root, notebook=notebook, params=given,
                                    force=force, jobs=jobs, scheduler=scheduler, timeout=timeout, kernels=kernels,
                                    log=_err)
        except api.BatchFailed as exc:
            click.echo(exc.batch.summary())
            raise click.exceptions.Exit(exc.exit_code) from None
        click.echo(batch.summary())
        return
    built = api.build(period_end, start=start, end=end, data=data_dir, out=out_root, notebook=notebook,
                      params=given, force=force, review=review, timeout=timeout, log=_err)
    click.echo(built.summary())


def _print_warnings(data) -> None:
    from .batch.api import print_warnings

    print_warnings(data, _err)


@main.command(name="new-period", context_settings=CONTEXT)
@click.option("--end", required=True, metavar="DATE", help=f"Last day of the new period ({DATES}).")
@click.option("--start", metavar="DATE",
              help="First day (default: the end of the latest period, or a week before --end).")
@_data_option
def new_period(end, start, data_dir):
    """Scaffold the files of a new period and say what to fill in.

    \b
    Example:
      reportlib new-period --end 2020-12-10
    Creates data/issues/2020-12-10.yaml (the sections with empty headlines),
    data/incidents/2020-12-10.csv (the header) and data/indicators/2020-12-10.csv
    (the indicators with empty values). Then fill them in, run `reportlib validate` until
    it says OK, and `reportlib build`.
    """
    from .inputs.periods import parse_date
    from .inputs.scaffold import scaffold

    for line in scaffold(Path(data_dir), parse_date(end, "--end"), parse_date(start, "--start") if start else None):
        click.echo(line)


@main.command(name="demo-data", context_settings=CONTEXT)
@click.option("--weeks", type=click.IntRange(1, 5000), required=True, help="How many weekly periods.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="New folder to write the data into.")
@click.option("--incidents-per-week", type=click.IntRange(0, 10_000_000), default=40, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option("--end", metavar="DATE", help=f"Last day of the last week ({DATES}; by default a Thursday, 2021-12-30).")
def demo_data(weeks, out_dir, incidents_per_week, seed, end):
    """Write a complete, valid data folder of SYNTHETIC data for demos and benchmarks.

    \b
    Example:
      reportlib demo-data --weeks 52 --out /tmp/demo
      reportlib build --data /tmp/demo --out /tmp/demo-out --from 2021-01-01 --to 2021-12-31
    Every report built from it says "Synthetic data" on every page.
    """
    from .inputs.demo import DEFAULT_END, write_demo
    from .inputs.periods import parse_date

    counts = write_demo(Path(out_dir), weeks, incidents_per_week, seed,
                        parse_date(end, "--end") if end else DEFAULT_END)
    click.echo(f"wrote synthetic data to {out_dir}: {counts['weeks']} weeks "
               f"({counts['first']} to {counts['last']}), {counts['incidents']:,} incidents, "
               f"{counts['indicators']:,} indicator values")


@main.group(name="import", context_settings=CONTEXT)
def import_():
    """Add rows from formats analysts already have (ACLED, Our World in Data).

    Each import writes a sheet of its own (data/incidents/acled.csv,
    data/indicators/owid-<country>.csv), adds its source to sources.csv, validates what it
    wrote, and skips rows already in the data, so running it twice adds nothing. An import
    that would change a period already built under --out lists those periods and writes
    nothing (exit 2) unless given --allow-changes.
    """


def _import_options(f):
    f = click.option("--allow-changes", is_flag=True,
                     help="Write even if the import changes periods already built under --out.")(f)
    f = click.option("--out", "out_root", default="outputs", show_default=True, type=click.Path(file_okay=False),
                     help="Where built reports are; an import that would change one is refused.")(f)
    return _data_option(f)


@import_.command(name="acled", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_import_options
@click.option("--type-map", "type_map", multiple=True, metavar="'SUB EVENT=TYPE'",
              help="Map an ACLED sub-event type to an incident type, or to 'skip' (before the type tables).")
def import_acled(file, data_dir, out_root, allow_changes, type_map):
    """Import an ACLED export (any version: columns matched by name) into incidents.

    \b
    Example:
      reportlib import acled acled_iraq_2020.csv
      reportlib import acled export.csv --type-map 'Peaceful protest=skip'
      reportlib import acled export.csv --allow-changes
    Types map through data/acled-types.csv (if any), then the shipped table
    reportlib/inputs/reference/acled_types.csv; a sub-event type they leave without an
    incident type is an error to fix, never dropped silently. A row that repeats an event
    already in the data is written with duplicate_of and counted once.
    """
    from .inputs.importers.acled import import_acled as run

    mapping = {}
    for item in type_map:
        if "=" not in item:
            raise UsageError(f"--type-map {item!r} must be 'SUB EVENT=TYPE'")
        sub, target = item.rsplit("=", 1)
        mapping[sub] = target.strip()
    from .batch.guard import guard_import

    with guard_import(data_dir):
        report = run(Path(file), Path(data_dir), mapping, out_root=Path(out_root), allow_changes=allow_changes)
    _print_import(report)


def _print_import(report) -> None:
    for line in report.warnings:
        _err(line)
    for line in report.lines():
        click.echo(line)


@import_.command(name="owid", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--country", required=True, help="Country name or ISO code as OWID writes it.")
@_import_options
@click.option("--since", metavar="DATE", help=f"Only days from DATE on ({DATES}).")
@click.option("--until", metavar="DATE", help=f"Only days up to DATE ({DATES}).")
def import_owid(file, country, data_dir, out_root, allow_changes, since, until):
    """Import Our World in Data's COVID-19 CSV for one country into indicators.

    \b
    Example:
      reportlib import owid owid-covid-data.csv --country Iraq --since 2020-09-01
      reportlib import owid owid-covid-data.csv --country Iraq --allow-changes
    Imports total and new cases, deaths, tests and the 7-day average of new cases.
    """
    from .batch.guard import guard_import
    from .inputs.importers.owid import import_owid as run
    from .inputs.periods import parse_date

    with guard_import(data_dir):
        report = run(Path(file), Path(data_dir), country,
                     parse_date(since, "--since") if since else None,
                     parse_date(until, "--until") if until else None,
                     out_root=Path(out_root), allow_changes=allow_changes)
    _print_import(report)


# -- publishing --------------------------------------------------------------------------------

def _site_option(f):
    return click.option("--site", default="site", show_default=True, type=click.Path(file_okay=False),
                        help="The public archive folder the site is written to.")(f)


def _out_option(f):
    return click.option("--out", "out_root", default="outputs", show_default=True,
                        type=click.Path(file_okay=False), help="Where the builds are (outputs/<period-end>/).")(f)


def _notebook_option(f):
    return click.option("--notebook", metavar="PATH|NAME",
                        help="The report notebook the issue is built with (default: the weekly report "
                             "that ships with reportlib).")(f)


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE", help="The declared issue to publish.")
@click.option("--rebuild-site", is_flag=True, help="Only make the site again from the publication records.")
@click.option("--date", "on", metavar="DATE", help="The day of publication (default: today).")
@_site_option
@_data_option
@_out_option
@_notebook_option
def publish(period_end, rebuild_site, on, site, data_dir, out_root, notebook):
    """Publish a built issue: record it in the data folder and put it on the archive site.

    \b
    Examples:
      reportlib build --period-end 2020-12-03
      reportlib publish --period-end 2020-12-03
      reportlib publish --rebuild-site
    The build must be up to date and of a declared issue. The report's files and the HXL
    exports of its incidents and indicators are kept in data/publications/<period-end>/ and
    copied to the site under dated names (publish.name in monitor.yaml); the site's pages and
    feed.xml are made again from the records. From then on a build or import that would
    change the issue is refused (exit 2); `reportlib correct` issues a correction.
    """
    from .publish import release
    from .reports import shipped

    if rebuild_site:
        if period_end or on:
            raise UsageError("--rebuild-site takes no --period-end or --date: it makes the site from the records")
        lines = release.rebuild_site(data_dir, Path(site))
    else:
        if not period_end:
            raise UsageError("give --period-end DATE (the issue to publish), or --rebuild-site")
        lines = release.publish_issue(data_dir, period_end, Path(out_root), shipped.resolve(notebook), Path(site),
                                      on)
    for line in lines:
        click.echo(line)


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE", required=True, help="The published issue to correct.")
@click.option("--note", metavar="TEXT", help="What was corrected and why, as readers will see it.")
@click.option("--date", "on", metavar="DATE", help="The day of the correction (default: today).")
@click.option("--draft", is_flag=True, help="Build the corrected report with its notice, but do not publish it yet.")
@click.option("--withdraw", is_flag=True, help="Drop a pending (drafted or failed) correction.")
@_site_option
@_data_option
@_out_option
@_notebook_option
def correct(period_end, note, on, draft, withdraw, site, data_dir, out_root, notebook):
    """Issue a correction of a published issue, after changing its data.

    \b
    Example:
      reportlib correct --period-end 2020-12-03 --note "The Kut clash killed three, not two."
    The report is rebuilt with a visible "Corrected on DATE" notice (the note and the key
    figures that changed) and published as the issue's next version; the earlier version
    stays on the site under its own name, the feed announces the correction and the record
    keeps the history. --draft stops before publishing, to review the rebuilt report.
    """
    from .publish import release
    from .reports import shipped

    if withdraw:
        if note or draft:
            raise UsageError("--withdraw takes no --note or --draft")
        lines = release.withdraw_correction(data_dir, period_end)
    else:
        if not note:
            raise UsageError('give --note "what was corrected and why"')
        lines = release.correct_issue(data_dir, period_end, note, Path(out_root), shipped.resolve(notebook), Path(site),
                                      on, draft, log=_err)
    for line in lines:
        click.echo(line)


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE", required=True, help="The published issue to send.")
@click.option("--recipients", metavar="FILE", help="The distribution list (default: mail.recipients in monitor.yaml).")
@click.option("--dry-run", is_flag=True, help="Write the messages as .eml files instead of sending them.")
@click.option("--eml", "eml_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Where --dry-run writes (default: outputs/mail/<period-end>-v<version>/).")
@_data_option
def send(period_end, recipients, dry_run, eml_dir, data_dir):
    """Mail a published issue to its distribution list, each recipient once per version.

    \b
    Examples:
      reportlib send --period-end 2020-12-03 --dry-run
      REPORTLIB_SMTP_PASSWORD=... reportlib send --period-end 2020-12-03
    Settings come from mail: in monitor.yaml (host, port, username, sender, ...); the password
    from the environment variable mail.password_env names, never from a file. Every attempt
    and the server's answer go to data/publications/<period-end>/sends.jsonl, so running the
    command again after a failure sends only to those who did not get the issue. Exit status
    0 when every recipient has it, 1 when any failed.
    """
    from .publish import mail

    if eml_dir and not dry_run:
        raise UsageError("--eml is for --dry-run")
    target = None
    if dry_run:
        from .inputs.periods import parse_date
        from .inputs.records import read

        period_end = parse_date(period_end, "--period-end").isoformat()
        record = read(Path(data_dir).resolve(), period_end)
        version = record.latest.number if record and record.published else 0
        target = Path(eml_dir) if eml_dir else Path("outputs") / "mail" / f"{period_end}-v{version}"
    outcome = mail.send_issue(data_dir, period_end, recipients, target, log=_err)
    if dry_run:
        click.echo(f"{period_end} version {outcome.version}: wrote {len(outcome.written)} message(s) to {target}/")
        return
    click.echo(f"{period_end} version {outcome.version}: {len(outcome.delivered)} delivered now, "
               f"{len(outcome.already)} had it already, {len(outcome.failed)} failed")
    for address, kind, answer in outcome.failed:
        click.echo(f"  FAILED ({kind}): {address}: {answer}")
    if outcome.failed:
        _err("run the same command again to retry those not delivered; nobody gets the issue twice.")
        raise click.exceptions.Exit(1)


def run() -> None:
    """The console entry point. No process the command started outlives it: each one it
    forks dies with it however it ends, orphans below it are adopted, and all of them have
    ended before it returns (reportlib.engine.lifetime)."""
    from .engine import collector, lifetime

    collector.tune()
    lifetime.adopt_orphans()
    lifetime.forks_die_with_this_process()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        try:
            lifetime.end_children()
        except KeyboardInterrupt:
            lifetime.end_children(grace=0)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        _err(str(code))
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    # The objects of Jupyter, pandas and WeasyPrint stay out of the interpreter's last
    # collections as it exits (a third of a second otherwise); atexit handlers still run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
