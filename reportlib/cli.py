"""The `reportlib` command: a thin layer over reportlib.api. Every subcommand has an example
in its help; errors are one clear line each (`error: ...` on stderr) with an exit code, never
a traceback:

    0  success            1  a build failed            2  bad data or bad arguments
    3  the machine stopped it (a read-only or full disk: the line names the path and reason)
    130  interrupted (Ctrl-C, SIGTERM)

Options mean one thing everywhere: --period-end DATE an issue's last day, --from/--to a
range, --data the data folder, --out the outputs folder. Old spellings (new-period --end,
import owid --since/--until, demo-data --out) still work for this release, hidden from the
help, with a warning.

No process the command starts outlives it, however it ends (see reportlib.engine.lifetime).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from importlib.metadata import entry_points

import click

from . import api
from .clitypes import CONTEXT, DATE, DATES, IMPORTERS, warn_old
from .engine import collector, lifetime
from .errors import DataError, NotebookExecutionError, ReportlibError, UsageError, environment_problem

# The command's own clock: "built in N s" is the whole command's time, not one stage's.
STARTED = time.perf_counter()
# -q: only results and errors; -v: also each stage's time, and the traceback of a bug.
_verbosity = 0


def _err(message: str) -> None:
    click.echo(message, err=True)


def _log(message: str) -> None:
    """Progress and warnings, on stderr: what -q silences."""
    if _verbosity >= 0:
        _err(message)


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
            _err(f"  failing {exc.failure.where}:")
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


# click 8.2 and later raise this for a group given no command; 8.1 prints the help itself.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(click.Group):
    def main(self, args=None, prog_name=None, **extra):
        """click's own usage errors (a missing or unknown option, a bad choice) in the same
        one-line style as reportlib's: `error: ...`, then where the help is; exit status 2."""
        extra.pop("standalone_mode", None)
        try:
            # Named as users call it, also when run as `python -m reportlib` (help, errors,
            # --version and the completion variable _REPORTLIB_COMPLETE).
            code = super().main(args, prog_name or "reportlib", standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:
            # A group given no command (`reportlib import`): its help, as bare `reportlib` gives.
            click.echo(exc.format_message())
            sys.exit(0)
        except click.ClickException as exc:
            _err(f"error: {exc.format_message()}")
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                _err(f"  `{exc.ctx.command_path} --help` lists the options, with examples")
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _err("interrupted; the previous report, if any, is unchanged.")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

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
            problem = environment_problem(exc) if isinstance(exc, OSError) else None
            if problem is not None:
                ctx.exit(report_error(problem))
            if os.environ.get("REPORTLIB_DEBUG") or _verbosity > 0:
                import traceback  # only here: 8 ms of every command's start otherwise (-X importtime)

                traceback.print_exc()
            _err(f"error: unexpected failure: {type(exc).__name__}: {exc}")
            _err("  this is a bug in reportlib, not in your data; run again with -v to see the traceback, "
                 "and report it with the command you ran.")
            ctx.exit(1)


def _data_option(f):
    return click.option("--data", "data_dir", default="data", show_default=True,
                        type=click.Path(file_okay=False), help="The data folder.")(f)


def _out_option(f):
    return click.option("--out", "out_root", default="outputs", show_default=True,
                        type=click.Path(file_okay=False), help="The outputs folder (outputs/<period-end>/ ...).")(f)


def _print_lines(lines) -> None:
    for line in lines:
        click.echo(line)


@click.group(cls=_Group, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(None, "-V", "--version", package_name="reportlib")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors, no progress or warnings.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage's time, and the traceback of a bug.")
@click.pass_context
def main(ctx, quiet, verbose):
    """Build the weekly security and humanitarian monitor from curated data.

    \b
    The week's routine:
      reportlib new-period --period-end 2020-12-10   # scaffold the week's files
      reportlib validate                             # check them
      reportlib build                                # outputs/2020-12-10/report.{html,pdf}
      reportlib publish --period-end 2020-12-10      # site/, and the issue stays as published
      reportlib send --period-end 2020-12-10         # mail it to the distribution list
    \b
    Shell completion (click's): add to ~/.bashrc
      eval "$(_REPORTLIB_COMPLETE=bash_source reportlib)"
    (zsh: zsh_source in ~/.zshrc; fish: fish_source).
    """
    global _verbosity
    if quiet and verbose:
        raise UsageError("give -q or -v, not both")
    _verbosity = -1 if quiet else 1 if verbose else 0
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command(context_settings=CONTEXT)
@_data_option
def validate(data_dir):
    """Check every file of the data folder; list each problem with file, line and column.

    \b
    Example:
      reportlib validate --data data
    Exit status 0 when the data is good, 2 when it has problems.
    """
    data = api.validate(data_dir, log=_log)
    counts = [(len(data.issues), "period"), (len(data.incidents), "incident row"),
              (len(data.indicators), "indicator value"), (len(data.sources), "source")]
    summary = ", ".join(f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in counts)
    click.echo(f"{data_dir}: OK: {summary}.")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """-p NAME=VALUE as given, as text; typed against the notebook later (render.execute)."""
    params = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"parameter {item!r} must be NAME=VALUE")
        name, value = item.split("=", 1)
        params[name.strip()] = value
    return params


def _timings(timings: dict) -> None:
    if _verbosity > 0 and timings:
        _err("  stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", type=DATE, metavar="DATE",
              help=f"Build the declared period ending on DATE ({DATES}).")
@click.option("--start", type=DATE, metavar="DATE", help=f"First day of an explicit period (with --end; {DATES}).")
@click.option("--end", type=DATE, metavar="DATE", help=f"Last day of an explicit period (with --start; {DATES}).")
@click.option("--from", "first", type=DATE, metavar="DATE",
              help=f"Build every period ending on or after DATE (with --to; {DATES}).")
@click.option("--to", "last", type=DATE, metavar="DATE", help=f"... and on or before DATE ({DATES}).")
@click.option("-j", "--jobs", type=int, default=None, metavar="N",
              help="Worker processes for --from/--to (default: the number of cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Send the periods to a running Dask scheduler; its workers must see --data and --out.")
@_data_option
@_out_option
@click.option("--notebook", metavar="PATH|NAME",
              help="The report notebook to run: a file, or the name of an installed report type "
                   "(weekly_report, trends_report). Default: the weekly report that ships with reportlib.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Extra notebook parameter (checked against the notebook's parameters cell).")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@click.option("--timeout", type=int, default=api.BuildOptions.timeout, show_default=True, metavar="SECONDS",
              help="Longest a notebook cell, the HTML export or the PDF printing may run (above 0).")
@click.option("--kernels", type=click.Choice(["forked", "fresh"]), default="forked", show_default=True,
              help="For batches: fork each report's kernel from a warm template, or start each from scratch.")
@click.option("--review", is_flag=True,
              help="Also write review.html beside the report: every computed figure shows the data rows "
                   "(file:line) and sources it comes from. report.html and report.pdf are unchanged.")
def build(period_end, start, end, first, last, data_dir, out_root, params, **options):
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
    if sum([bool(period_end), bool(start or end), bool(first or last)]) > 1:
        raise UsageError("give one of --period-end, --start/--end or --from/--to")
    if bool(first) != bool(last):
        raise UsageError("--from and --to go together")
    if (options["jobs"] or options["scheduler"]) and not first:
        raise UsageError("--jobs and --scheduler are for batches (--from and --to)")
    if options["review"] and first:
        raise UsageError("--review is for one period (--period-end or --start/--end)")
    # Every option checked (BuildOptions refuses --timeout 0) before anything starts.
    opts = api.BuildOptions(data=data_dir, out=out_root, params=_parse_params(params), **options)
    if first:
        try:
            batch = api.build_range(first, last, options=opts, log=_log)
        except api.BatchFailed as exc:
            click.echo(exc.batch.summary(time.perf_counter() - STARTED))
            raise click.exceptions.Exit(exc.exit_code) from None
        click.echo(batch.summary(time.perf_counter() - STARTED))
        return
    built = api.build(period_end, start=start, end=end, options=opts, log=_log)
    click.echo(built.summary(time.perf_counter() - STARTED))
    _timings(built.timings)


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE",
              help=f"Preview the declared period ending on DATE ({DATES}); default: the latest.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1 to serve on (0: any free one, printed).")
@_data_option
@click.option("--notebook", metavar="PATH|NAME", help="The report notebook, as for build.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="As for build.")
@click.option("--timeout", type=click.IntRange(min=1), default=api.BuildOptions.timeout, show_default=True,
              metavar="SECONDS", help="As for build.")
def preview(period_end, port, data_dir, notebook, params, timeout):
    """Serve a period's page on localhost and rebuild it as the data, the notebook or the
    templates change; the open page reloads itself.

    \b
    Examples:
      reportlib preview                       # then open http://127.0.0.1:8000/
      reportlib preview --period-end 2020-12-03 --port 8001
    The page alone is rebuilt (no PDF), in a folder of its own: outputs/ is not touched.
    A data problem or a failing cell shows in the page's place until it is fixed.
    Ctrl-C stops it.
    """
    # Lazy: the server and the file watcher load for this command only (every other command
    # starts without them).
    from . import preview as live

    live.run(data_dir, period_end, port, notebook, _parse_params(params), timeout, log=_err)


@main.command(name="new-period", context_settings=CONTEXT)
@click.option("--period-end", "period_end", type=DATE, metavar="DATE",
              help=f"Last day of the new period ({DATES}).")
@click.option("--start", type=DATE, metavar="DATE",
              help="First day (default: the end of the latest period, or a week before --period-end).")
@_data_option
@click.option("--end", "old_end", type=DATE, hidden=True, callback=warn_old("--end", "--period-end"))
def new_period(period_end, start, data_dir, old_end):
    """Scaffold the files of a new period and say what to fill in.

    \b
    Example:
      reportlib new-period --period-end 2020-12-10
    Creates data/issues/2020-12-10.yaml (the sections with empty headlines),
    data/incidents/2020-12-10.csv (the header) and data/indicators/2020-12-10.csv
    (the indicators with empty values). Then fill them in, run `reportlib validate` until
    it says OK, and `reportlib build`.
    """
    if period_end and old_end:
        raise UsageError("give --period-end once (--end is its old name)")
    if not (period_end or old_end):
        raise UsageError("give --period-end DATE, the last day of the new period")
    _print_lines(api.new_period(period_end or old_end, start=start, data=data_dir))


@main.command(name="demo-data", context_settings=CONTEXT)
@click.option("--weeks", type=click.IntRange(1, 5000), required=True, help="How many weekly periods.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False),
              help="New folder to write the data into.")
@click.option("--incidents-per-week", type=click.IntRange(0, 10_000_000), default=40, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option("--period-end", "period_end", type=DATE, metavar="DATE",
              help=f"Last day of the last week ({DATES}; by default a Thursday, 2021-12-30).")
@click.option("--out", "old_out", type=click.Path(file_okay=False), hidden=True,
              callback=warn_old("demo-data --out", "--data (--out is the outputs folder everywhere)"))
@click.option("--end", "old_end", type=DATE, hidden=True, callback=warn_old("--end", "--period-end"))
def demo_data(weeks, data_dir, incidents_per_week, seed, period_end, old_out, old_end):
    """Write a complete, valid data folder of SYNTHETIC data for demos and benchmarks.

    \b
    Example:
      reportlib demo-data --weeks 52 --data /tmp/demo
      reportlib build --data /tmp/demo --out /tmp/demo-out --from 2021-01-01 --to 2021-12-31
    Every report built from it says "Synthetic data" on every page.
    """
    folder = data_dir or old_out
    if not folder or (data_dir and old_out):
        raise UsageError("give --data DIR, the new folder to write the data into")
    counts = api.demo_data(folder, weeks, incidents_per_week=incidents_per_week, seed=seed,
                           period_end=period_end or old_end)
    click.echo(f"wrote synthetic data to {folder}: {counts['weeks']} weeks "
               f"({counts['first']} to {counts['last']}), {counts['incidents']:,} incidents, "
               f"{counts['indicators']:,} indicator values")


class _Importers(click.Group):
    """The importers installed, found through the entry-point group reportlib.importers when
    `reportlib import` runs (not when another command does)."""

    def _points(self) -> dict:
        return {point.name: point for point in entry_points(group=IMPORTERS)}

    def list_commands(self, ctx):
        return sorted(self._points())

    def get_command(self, ctx, name):
        point = self._points().get(name)
        if point is None:
            return None
        command = point.load()
        if not isinstance(command, click.Command):
            raise UsageError(f"the importer {name!r} ({point.value}) is not a command; make it with "
                             "reportlib.importing.importer")
        return command


@main.group(name="import", cls=_Importers, context_settings=CONTEXT)
def import_():
    """Add rows from formats analysts already have (ACLED, Our World in Data, and any
    importer another package installs).

    \b
    Example:
      reportlib import acled acled_iraq_2020.csv
    Each import writes a sheet of its own (data/incidents/acled.csv,
    data/indicators/owid-<country>.csv), adds its source to sources.csv, validates what it
    wrote, and skips rows already in the data, so running it twice adds nothing. An import
    that would change a period already built under --out lists those periods and writes
    nothing (exit 2) unless given --allow-changes.
    """


# -- publishing --------------------------------------------------------------------------------

def _site_option(f):
    return click.option("--site", default="site", show_default=True, type=click.Path(file_okay=False),
                        help="The public archive folder the site is written to.")(f)


def _notebook_option(f):
    return click.option("--notebook", metavar="PATH|NAME",
                        help="The report notebook the issue is built with (default: the weekly report "
                             "that ships with reportlib).")(f)


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", type=DATE, metavar="DATE", help="The declared issue to publish.")
@click.option("--rebuild-site", is_flag=True, help="Only make the site again from the publication records.")
@click.option("--date", "on", type=DATE, metavar="DATE", help="The day of publication (default: today).")
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
    _print_lines(api.publish(period_end, data=data_dir, out=out_root, site=site, notebook=notebook, date=on,
                             rebuild_site=rebuild_site))


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", type=DATE, metavar="DATE", required=True,
              help="The published issue to correct.")
@click.option("--note", metavar="TEXT", help="What was corrected and why, as readers will see it.")
@click.option("--date", "on", type=DATE, metavar="DATE", help="The day of the correction (default: today).")
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
    _print_lines(api.correct(period_end, note, data=data_dir, out=out_root, site=site, notebook=notebook, date=on,
                             draft=draft, withdraw=withdraw, log=_log))


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", type=DATE, metavar="DATE", required=True,
              help="The published issue to send.")
@click.option("--recipients", metavar="FILE", help="The distribution list (default: mail.recipients in monitor.yaml).")
@click.option("--dry-run", is_flag=True,
              help="Write the messages as .eml files (in OUT/mail/<period-end>-v<version>/) instead of sending them.")
@click.option("--eml", "eml_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Where --dry-run writes instead (default: OUT/mail/<period-end>-v<version>/).")
@click.option("--resend-unknown", "resend_unknown", metavar="ADDRESS|all", multiple=True,
              help="Send again to a recipient whose delivery is unknown (repeatable; all for every one).")
@_data_option
@_out_option
def send(period_end, recipients, dry_run, eml_dir, resend_unknown, data_dir, out_root):
    """Mail a published issue to its distribution list, each recipient once per version.

    \b
    Examples:
      reportlib send --period-end 2020-12-03 --dry-run
      REPORTLIB_SMTP_PASSWORD=... reportlib send --period-end 2020-12-03
    Settings come from mail: in monitor.yaml (host, port, username, sender, ...); the password
    from the environment variable mail.password_env names, never from a file. Every attempt
    goes to data/publications/<period-end>/sends.jsonl before the message is handed over, so
    running the command again after a failure sends only to those who did not get the issue.
    When the server's answer to a message is lost (a timeout, a dropped connection, a run
    killed), the delivery is unknown: it is reported, and sent again only with
    --resend-unknown ADDRESS (or all), at the risk of a second copy. Exit status 0 when every
    recipient has it, 1 when any failed or is unknown.
    """
    outcome = api.send(period_end, data=data_dir, out=out_root, recipients=recipients, dry_run=dry_run,
                       eml=eml_dir, resend_unknown=resend_unknown, log=_log)
    label = period_end.isoformat()
    if dry_run:
        folder = outcome.written[0].parent if outcome.written else eml_dir or "(no recipients)"
        click.echo(f"{label} version {outcome.version}: wrote {len(outcome.written)} message(s) to {folder}/")
        return
    for line in outcome.summary():
        click.echo(line)
    for line in outcome.advice():
        _err(line)
    if outcome.failed or outcome.unknown:
        raise click.exceptions.Exit(1)


def run() -> None:
    """The console entry point. No process the command started outlives it: each one it
    forks dies with it however it ends, orphans below it are adopted, and all of them have
    ended before it returns (reportlib.engine.lifetime)."""
    collector.tune()
    lifetime.adopt_orphans()
    lifetime.forks_die_with_this_process()
    try:
        main()
        code: int | str | None = 0  # as SystemExit.code
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
