"""Building reports from Python: what `reportlib build` does, for a scheduler (Airflow, cron,
a notebook). The command line calls these same two functions (through reportlib.api).

    >>> import reportlib
    >>> built = reportlib.build(data="data", out="outputs")                   # the latest issue
    >>> built.status, built.folder
    ('built', PosixPath('outputs/2020-12-03'))
    >>> batch = reportlib.build_range("2020-01-01", "2020-12-31", data="data", out="outputs", jobs=2)
    >>> [r.status for r in batch.results]
    ['built', 'skipped', ...]

Same outputs, archive page and up-to-date checks as the command; the same errors, as
exceptions whose `exit_code` is the command's exit status: DataError and UsageError (2, bad
data or arguments, nothing written), BuildError and NotebookExecutionError (1, the previous
report stays), EnvironmentProblem (3, a read-only folder, a full disk), and for a range
BatchFailed (1 or 3) once every period has been tried, carrying the results.

This module decides what a build needs from bytes on disk (the quick check, batch/quick.py)
and imports only what that takes; the rest of the work is in batch/work.py, loaded once the
check could not answer (see the comments at its imports).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..engine import scratch
from ..errors import UsageError
from ..files import separate_folders
from ..inputs.periods import Period, as_date
from ..render.execute import refuse_owned, typed_parameters
from ..reports import shipped
from . import outputs, quick
from .options import BuildOptions, options_from
from .results import AD_HOC_DIR, Batch, BatchFailed, Built, report_root

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(period_end: str | dt.date | None = None, *, start: str | dt.date | None = None,
          end: str | dt.date | None = None, options: BuildOptions | None = None, log: Log = _stderr,
          **changes: Any) -> Built:
    """Build one period: the declared issue ending on `period_end`, the span `start`..`end`,
    or (neither) the latest declared issue. Dates are `datetime.date`s or YYYY-MM-DD text,
    read here once. How it builds is `options` (a BuildOptions), with keywords naming its
    fields changing it (`data=`, `out=`, `notebook=`, `params=`, `force=`, `review=`,
    `timeout=`). Progress and warnings go to `log`. Raises ReportlibError (see the module).

        >>> built = reportlib.build("2020-12-03", data="data", out="outputs")
        >>> built.status, built.folder
        ('built', PosixPath('outputs/2020-12-03'))
        >>> reportlib.build(datetime.date(2020, 12, 3), options=reportlib.BuildOptions(timeout=300)).status
        'skipped'
    """
    opts = options_from(options, changes)
    separate_folders({"--data": opts.data, "--out": opts.out})
    request = request_for(period_end, start, end)
    refuse_owned(opts.params)
    notebook = shipped.resolve(opts.notebook).resolve()
    root = report_root(opts.out, notebook)
    data_path = opts.data.resolve()
    # What dead builds left in the temp folder goes first. Then, unless forced, the quick
    # check: from bytes on disk alone, before any kernel or heavy import (batch/quick.py).
    scratch.clear_dead()
    quick_key = None
    # A review copy is written from the full check's answer, so --review never stops here.
    if not opts.force and not opts.review:
        quick_key = quick.digest(data_path, notebook, opts.params)
        found = _quick(request, data_path, root, opts.out, quick_key)
        if found is not None:
            return found
    typed = typed_parameters(notebook, opts.params)
    # The printing process and the kernel start before pandas and the rest are imported, so
    # that readying WeasyPrint, starting the kernel and loading the data run side by side.
    # Lazy, as kernels below: the printer's module and render.pdf's, 5 ms of an up-to-date
    # check (python -X importtime) that never prints.
    from ..render.printer import Printer

    printer = Printer()
    kernel = None
    try:
        # Lazy: jupyter_client, 0.09 s, which an up-to-date check does without
        # (python -X importtime, min of 3, 2026-12-04 on 2 cores at load 12).
        from ..engine import kernels

        kernel = kernels.Kernel(kernels.start(kernels.manager(), notebook.parent))
        # Lazy: pandas, nbformat, matplotlib and the build itself, 3.8 s under that load,
        # loaded while the kernel starts, and never by an up-to-date check.
        from . import work

        return work.build_one(request, opts, notebook, root, typed, quick_key, kernel, printer, log)
    finally:
        printer.close()
        if kernel is not None:
            kernel.close()
        scratch.remove()


def build_range(first: str | dt.date, last: str | dt.date, *, options: BuildOptions | None = None,
                log: Log = _stderr, **changes: Any) -> Batch:
    """Build every declared period ending from `first` to `last` (weeks ending on the
    monitor's weekday if the data declares none), `jobs` at a time (default: the cores), or
    on a Dask `scheduler` (tcp://HOST:PORT). `options` and keywords as for `build`, plus
    `jobs=`, `scheduler=` and `kernels=`. Periods whose inputs are unchanged are skipped;
    a failed period does not stop the others. Raises BatchFailed if any failed.

        >>> batch = reportlib.build_range("2020-11-01", "2020-12-31", data="data", jobs=2)
        >>> batch.summary()
        'built 2, skipped 0, failed 0 in 14.2 s'
    """
    opts = options_from(options, changes)
    separate_folders({"--data": opts.data, "--out": opts.out})
    lo, hi = as_date(first, "--from"), as_date(last, "--to")
    if hi < lo:
        raise UsageError(f"--to {hi} is before --from {lo}")
    refuse_owned(opts.params)
    notebook = shipped.resolve(opts.notebook).resolve()
    scratch.clear_dead()
    typed = typed_parameters(notebook, opts.params)
    # A batch takes the digest after starting its processes, still before the data is read.
    quick_key = quick.digest(opts.data.resolve(), notebook, opts.params)
    # Lazy for the same reason as in build: the command's other paths do without it.
    from . import work

    return work.build_range(lo, hi, opts, notebook, report_root(opts.out, notebook), typed, quick_key, log)


def request_for(period_end: str | dt.date | None, start: str | dt.date | None,
                end: str | dt.date | None) -> quick.Request:
    """What was asked for, its dates read once: every date judged before a kernel starts or a
    file is read."""
    if period_end and (start or end):
        raise UsageError("give one of --period-end or --start/--end")
    if bool(start) != bool(end):
        raise UsageError("--start and --end go together")
    if start and end:
        return quick.Request("span", span=Period(as_date(start, "--start"), as_date(end, "--end")))
    if period_end:
        return quick.Request("end", end=as_date(period_end, "--period-end"))
    return quick.Request("latest")


def _quick(request: quick.Request, data_path: Path, root: Path, out_root: Path, key: str) -> Built | None:
    if not key:
        return None
    # An ad hoc span's report is in the ad hoc folder; the recorded digest of the data
    # tells which of the two it is, as a span is declared or not for the same data.
    roots = [root, root / AD_HOC_DIR] if request.kind == "span" and root == out_root else [root]
    for where in roots:
        folder = quick.up_to_date(request, data_path, where, key)
        if folder is not None:
            outputs.clear_dead(folder)
            # The folder as the caller named it, as a build reports it.
            return Built(folder.name, "skipped", where / folder.name, ad_hoc=where != root)
    return None


__all__ = ["AD_HOC_DIR", "Batch", "BatchFailed", "BuildOptions", "Built", "build", "build_range", "report_root"]
