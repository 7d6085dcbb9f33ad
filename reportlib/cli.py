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
            from .batch.outputs import environment_problem

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
    from .inputs.dataset import load

    data = load(data_dir)
    for warning in data.warnings:
        _err(str(warning))
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
    from .publish.execute import refuse_owned

    refuse_owned(params)
    return params


@main.command(context_settings=CONTEXT)
@click.option("--period-end", "period_end", metavar="DATE",
              help="Build the declared period ending on DATE (YYYY-MM-DD).")
@click.option("--start", metavar="DATE", help="First day of an explicit period (with --end).")
@click.option("--end", metavar="DATE", help="Last day of an explicit period (with --start).")
@click.option("--from", "first", metavar="DATE", help="Build every period ending on or after DATE (with --to).")
@click.option("--to", "last", metavar="DATE", help="... and on or before DATE.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Worker processes for --from/--to (default: the number of cores).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Send the periods to a running Dask scheduler; its workers must see --data and --out.")
@_data_option
@click.option("--out", "out_root", default="outputs", show_default=True,
              type=click.Path(file_okay=False), help="Where outputs/<period-end>/ folders go.")
@click.option("--notebook", default="notebooks/weekly_report.ipynb", show_default=True,
              type=click.Path(dir_okay=False, exists=True), help="The report notebook to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Extra notebook parameter (checked against the notebook's parameters cell).")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@click.option("--timeout", default=600, show_default=True, metavar="SECONDS",
              help="Longest a notebook cell, the HTML export or the PDF printing may run.")
@click.option("--kernels", type=click.Choice(["forked", "fresh"]), default="forked", show_default=True,
              help="For batches: fork each report's kernel from a warm template, or start each from scratch.")
def build(period_end, start, end, first, last, jobs, scheduler, data_dir, out_root, notebook, params, force,
          timeout, kernels):
    """Build reports: outputs/<period-end>/report.{ipynb,html,pdf} and manifest.json.

    \b
    With no period, builds the latest period declared in the data.
    Examples:
      reportlib build
      reportlib build --period-end 2020-12-03
      reportlib build --start 2020-11-26 --end 2020-12-03 --force
      reportlib build --from 2020-01-01 --to 2020-12-31 --jobs 2
    A period whose inputs and outputs are unchanged since its last build is skipped
    (--force rebuilds). Each report runs in its own kernel; a failed period does not stop
    the others. -p sets a parameter the notebook declares, checked against its type;
    period_end, period_start and data_dir are the build's own.
    \b
    Exit status: 0 built or up to date; 1 a build failed (the previous report stays);
    2 bad data or arguments (nothing written); 3 the machine stopped the build (a read-only
    folder, a full disk: the path and reason are printed); 130 interrupted.
    """
    from .batch import quick
    from .engine import scratch

    chosen = [bool(period_end), bool(start or end), bool(first or last)]
    if sum(chosen) > 1:
        raise UsageError("give one of --period-end, --start/--end or --from/--to")
    if bool(start) != bool(end):
        raise UsageError("--start and --end go together")
    if bool(first) != bool(last):
        raise UsageError("--from and --to go together")
    if (jobs or scheduler) and not first:
        raise UsageError("--jobs and --scheduler are for batches (--from and --to)")
    given = _parse_params(params)
    root = report_root(Path(out_root), Path(notebook))
    data_path, notebook_path = Path(data_dir).resolve(), Path(notebook).resolve()
    # What dead builds left in the temp folder goes first. Then, unless forced, the quick
    # check: from bytes on disk alone, before any kernel or heavy import (batch/quick.py).
    scratch.clear_dead()

    def digest() -> str:
        """The quick check's digest of every input, taken before anything reads them."""
        try:
            return quick.key(data_path, notebook_path, given)
        except OSError:
            return ""

    quick_key = None
    if not first and not force:
        quick_key = digest()
        request = quick.Request("span", end, start) if start else quick.Request("end" if period_end else "latest",
                                                                                 period_end or "")
        folder = quick.up_to_date(request, data_path, root, quick_key) if quick_key else None
        if folder is not None:
            from .batch.outputs import clear_dead

            clear_dead(folder)
            click.echo(f"{folder.name}: up to date (inputs unchanged); --force rebuilds. {folder}/")
            return
    from .publish.execute import typed_parameters

    typed = typed_parameters(notebook_path, given)

    def task_for(period, quick_key: str):
        from .batch.plan import Task

        return Task(data_dir=str(data_path), start=period.start.isoformat(), end=period.end.isoformat(),
                    out_root=str(root.resolve()), notebook=str(notebook_path), parameters=typed, timeout=timeout,
                    force=force, forked_kernels=kernels == "forked", given=given, quick_key=quick_key)

    # A forced build or a batch takes the digest after starting its processes, but still
    # before the data is read.
    if first:
        _batch_between(data_dir, first, last, task_for, digest, jobs, scheduler, root)
        return
    result = _single(data_dir, period_end, start, end, notebook_path, task_for,
                     (lambda: quick_key) if quick_key is not None else digest)
    if result.status == "built" or not (root / "index.html").exists():
        _write_archive(root)
    folder = root / result.label
    if result.status == "skipped":
        click.echo(f"{result.label}: up to date (inputs unchanged); --force rebuilds. {folder}/")
        return
    click.echo(f"{result.label}: built in {result.seconds:.1f} s -> {folder}/report.pdf")


def _single(data_dir, period_end, start, end, notebook: Path, task_for, digest):
    """One period. Its printing process and kernel start first (the printer forked while
    this process is small and has no threads), so that readying WeasyPrint, starting the
    kernel and, here, loading and checking the data run side by side."""
    from .engine import scratch
    from .publish.printer import Printer

    printer = Printer()
    kernel = None
    try:
        from .engine import kernels as kernel_pool

        kernel = kernel_pool.Kernel(kernel_pool.start(kernel_pool.manager(), notebook.parent))
        quick_key = digest()
        # Only now the heavy imports (pandas among them), while the kernel starts.
        from .batch.build import build_period
        from .inputs.dataset import load
        from .inputs.periods import Period, parse_date

        data = load(data_dir)
        _print_warnings(data)
        if start:
            period = Period(parse_date(start, "--start"), parse_date(end, "--end"))
        else:
            period = data.resolve_period(period_end or "")
        return build_period(task_for(period, quick_key), data, kernel=kernel, log=_err, printer=printer)
    finally:
        printer.close()
        if kernel is not None:
            kernel.close()
        scratch.remove()


def _batch_between(data_dir, first, last, task_for, digest, jobs, scheduler, root: Path) -> None:
    from .batch.plan import periods_between
    from .inputs.dataset import load
    from .inputs.periods import parse_date

    lo, hi = parse_date(first, "--from"), parse_date(last, "--to")
    if hi < lo:
        raise UsageError(f"--to {hi} is before --from {lo}")
    quick_key = digest()
    data = load(data_dir)
    _print_warnings(data)
    periods = periods_between(data, lo, hi)
    if not periods:
        raise UsageError(f"no periods end between {lo} and {hi} in {data_dir}")
    results = []
    try:
        _batch(data, [task_for(p, quick_key) for p in periods], jobs, scheduler, results)
    finally:
        # Reports built before an interrupt are listed too.
        if any(r.status == "built" for r in results) or not (root / "index.html").exists():
            _write_archive(root)


def report_root(out_root: Path, notebook: Path) -> Path:
    """The weekly report fills outputs/<period-end>/; another report type gets a folder of
    its own, outputs/<notebook name>/<period-end>/, so that types never overwrite each other."""
    return out_root if notebook.stem == "weekly_report" else out_root / notebook.stem


def _write_archive(root: Path) -> None:
    """Rebuild outputs/index.html after every build; a failure here loses no report."""
    from .publish.archive import write_index

    try:
        index = write_index(root)
    except (OSError, ValueError) as exc:
        _err(f"warning: the archive page could not be rebuilt: {exc}")
        return
    if index is not None:
        _err(f"archive: {index}")


def _print_warnings(data) -> None:
    for warning in data.warnings:
        _err(str(warning))


def _batch(data, tasks, jobs, scheduler, results: list) -> None:
    """Plan, build what needs it, summarise, collecting the results as they come; exits 1 if
    a period failed, 3 if the machine stopped one."""
    import time

    from .batch.plan import default_jobs, plan
    from .batch.progress import Progress
    from .batch.runner import run_batch

    started = time.perf_counter()
    jobs = min(jobs or default_jobs(), len(tasks))
    todo, skipped = plan(data, tasks)
    workers = min(jobs, len(todo))
    where = f"on {scheduler}" if scheduler else f"with {workers} worker(s)"
    _err(f"{len(tasks)} period(s): {len(todo)} to build {where}, {len(skipped)} up to date")
    progress = Progress(len(todo))

    def update(result):
        results.append(result)
        progress.update(result)

    try:
        run_batch(todo, jobs, scheduler, on_result=update, data=data)
    finally:
        progress.close()
    failed = [r for r in results if r.status == "failed"]
    for result in sorted(failed, key=lambda r: r.label):
        _err(f"{result.label}: FAILED: {result.message}")
        if result.failed_notebook:
            _err(f"  the executed notebook is kept: {result.failed_notebook}")
    built = sum(r.status == "built" for r in results)
    elapsed = time.perf_counter() - started
    click.echo(f"built {built}, skipped {len(skipped)}, failed {len(failed)} in {elapsed:.1f} s")
    if failed:
        raise click.exceptions.Exit(3 if any(r.exit_code == 3 for r in failed) else 1)


@main.command(name="new-period", context_settings=CONTEXT)
@click.option("--end", required=True, metavar="DATE", help="Last day of the new period (YYYY-MM-DD).")
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
@click.option("--end", metavar="DATE", help="Last day of the last week (a Thursday by default: 2021-12-30).")
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
    from .inputs.importers.acled import import_acled as run

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
    from .inputs.importers.owid import import_owid as run
    from .inputs.periods import parse_date

    report = run(Path(file), Path(data_dir), country,
                 parse_date(since, "--since") if since else None,
                 parse_date(until, "--until") if until else None)
    for line in report.lines():
        click.echo(line)


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
