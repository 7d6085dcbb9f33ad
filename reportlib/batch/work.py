"""The part of reportlib.build and reportlib.build_range that runs once the quick check could
not answer: the data loaded once, the period resolved to the Period the task carries, the
build or the batch, and the archive page. batch/api.py loads this module only then, so that
an up-to-date check never imports pandas, nbformat or matplotlib."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from ..content.indicators import disagreement_problems
from ..engine import kernels
from ..errors import NotebookExecutionError, UsageError
from ..inputs.dataset import Dataset, load
from .build import build_period
from .options import BuildOptions
from .plan import Task, default_jobs, periods_between, plan
from .progress import Progress
from .quick import Request, digest
from .results import AD_HOC_DIR, Batch, BatchFailed, Built
from .runner import run_batch

Log = Callable[[str], None]


def build_one(request: Request, opts: BuildOptions, notebook: Path, root: Path, typed: dict,
              quick_key: str | None, kernel: kernels.Kernel, printer, log: Log) -> Built:
    """One period, on the kernel and printer the caller started: the data loaded (once), the
    period resolved, the report built, the archive page made again."""
    if quick_key is None:  # a forced build takes it now, while the kernel starts
        quick_key = digest(opts.data.resolve(), notebook, opts.params)
    # Another week's unfinished files do not stop this one's build (inputs.dataset.load).
    built_end = request.end or (request.span.end if request.span is not None else None)
    data = load(opts.data, period_end=built_end)
    print_warnings(data, log)
    period = resolve(data, request)
    # An ad hoc span of the weekly report is no issue: it gets a folder of its own, which
    # the archive of issues (outputs/index.html) does not read.
    into = root / AD_HOC_DIR if not data.is_declared(period) and root == opts.out else root
    task = Task(data_dir=str(data.root), period=period, out_root=str(into.resolve()), notebook=str(notebook),
                parameters=typed, timeout=opts.timeout, force=opts.force, given=opts.params, quick_key=quick_key,
                review=opts.review)
    try:
        result = build_period(task, data, kernel=kernel, log=log, printer=printer)
    except NotebookExecutionError as exc:
        exc.notebook_path = as_given(exc.notebook_path, into)
        raise
    if result.status == "built" or not (root / "index.html").exists():
        write_archive(root, log)
    folder = into / result.label
    return Built(result.label, result.status, folder, result.seconds, into != root,
                 folder / "review.html" if opts.review else None, result.timings)


def resolve(data: Dataset, request: Request):
    """The Period a request names: the span as given, the declared period ending on the day
    (refused, naming the nearest declared ones, if none does), or the latest declared one."""
    if request.span is not None:
        return request.span
    if request.end is not None:
        return data.period_ending(request.end)
    return data.latest_period()


def build_range(lo: dt.date, hi: dt.date, opts: BuildOptions, notebook: Path, root: Path, typed: dict,
                quick_key: str, log: Log) -> Batch:
    dataset = load(opts.data)
    print_warnings(dataset, log)
    periods = periods_between(dataset, lo, hi)
    if not periods:
        raise UsageError(f"no periods end between {lo} and {hi} in {opts.data}")
    tasks = [Task(data_dir=str(dataset.root), period=p, out_root=str(root.resolve()), notebook=str(notebook),
                  parameters=typed, timeout=opts.timeout, force=opts.force, forked_kernels=opts.kernels == "forked",
                  given=opts.params, quick_key=quick_key)
             for p in periods]
    batch = Batch()
    try:
        _run_batch(dataset, tasks, opts.jobs, opts.scheduler, batch, log, root)
    finally:
        # Reports built before an interrupt are listed too.
        if batch.count("built") or not (root / "index.html").exists():
            write_archive(root, log)
    if batch.failed:
        raise BatchFailed(batch)
    return batch


def _run_batch(data: Dataset, tasks: list[Task], jobs: int | None, scheduler: str | None, batch: Batch,
               log: Log, root: Path) -> None:
    """Plan, build what needs it, report progress, collecting the results as they come."""
    started = time.perf_counter()
    jobs = min(jobs or default_jobs(), len(tasks))
    todo, skipped = plan(data, tasks)
    batch.results.extend(skipped)
    workers = min(jobs, len(todo))
    where = f"on {scheduler}" if scheduler else f"with {workers} worker(s)"
    log(f"{len(tasks)} period(s): {len(todo)} to build {where}, {len(skipped)} up to date")
    progress = Progress(len(todo))

    def update(result):
        batch.results.append(result)
        progress.update(result)

    try:
        run_batch(todo, jobs, scheduler, on_result=update, data=data)
    finally:
        progress.close()
        batch.seconds = time.perf_counter() - started
    for result in batch.failed:
        log(f"{result.label}: FAILED: {result.message}")
        if result.failed_notebook:
            log(f"  the executed notebook is kept: "
                f"{as_given(result.failed_notebook, Path(tasks[0].out_root), root)}")


def as_given(path: str | None, folder: Path, given: Path | None = None) -> str | None:
    """A path under `folder` (which builds use resolved) written under the folder as the
    user named it (`given`, or `folder` itself): messages print paths as given."""
    if path is None:
        return None
    given = folder if given is None else given
    try:
        return str(given / Path(path).relative_to(folder.resolve()))
    except ValueError:
        return path


def write_archive(root: Path, log: Log) -> None:
    """Rebuild outputs/index.html after every build; a failure here loses no report."""
    # Here, not at the top: the archive's chart needs matplotlib, which the command loads only
    # for this page (a single build while its notebook runs: build._prepare_archive).
    from ..render.archive import write_index
    try:
        index = write_index(root)
    except (OSError, ValueError) as exc:
        log(f"warning: the archive page could not be rebuilt: {exc}")
        return
    if index is not None:
        log(f"archive: {index}")


def print_warnings(data: Dataset, log: Log) -> None:
    """The data's warnings, and every week whose published average of new cases differs from
    the one its daily series gives (the report prints the published figure)."""
    averages = disagreement_problems(data.indicators, data.monitor.rounding, data.indicator_counting_days)
    for warning in [*data.warnings, *averages]:
        log(str(warning))
    for label, problems in data.set_aside.items():
        n = len(problems)
        log(f"note: the issue ending on {label} has {n} problem{'s' if n != 1 else ''} in its own files "
            f"(`reportlib validate` lists them); this build does not read that issue, which is left out")
