"""Building reports from Python: what `reportlib build` does, for a scheduler (Airflow, cron,
a notebook). The command line calls these same two functions.

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
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportlibError, UsageError

# Where the weekly report of a span no issue declares goes: outputs/ad-hoc/<end>/.
AD_HOC_DIR = "ad-hoc"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Built:
    """One period's outcome: `status` built or skipped (up to date), its folder, whether it
    is an ad hoc span (no issue declares it) and where the review copy is, if asked for."""

    label: str
    status: str
    folder: Path
    seconds: float = 0.0
    ad_hoc: bool = False
    review: Path | None = None

    def summary(self) -> str:
        note = " (ad hoc: not an issue; not in the archive)" if self.ad_hoc else ""
        if self.review is not None:
            note += f"; review copy {self.review}"
        if self.status == "skipped":
            return f"{self.label}: up to date (inputs unchanged); --force rebuilds. {self.folder}/{note}"
        return f"{self.label}: built in {self.seconds:.1f} s -> {self.folder}/report.pdf{note}"


@dataclass
class Batch:
    """A range's outcome: a plan.Result per period (built, skipped or failed)."""

    results: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list:
        return sorted((r for r in self.results if r.status == "failed"), key=lambda r: r.label)

    def summary(self) -> str:
        return (f"built {self.count('built')}, skipped {self.count('skipped')}, failed {self.count('failed')} "
                f"in {self.seconds:.1f} s")


class BatchFailed(ReportlibError):
    """Some periods of a range failed (the others were built); `batch` has every result."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.exit_code = 3 if any(r.exit_code == 3 for r in batch.failed) else 1
        super().__init__(f"{len(batch.failed)} of {len(batch.results)} period(s) failed: "
                         + ", ".join(r.label for r in batch.failed))


def report_root(out_root: Path, notebook: Path) -> Path:
    """The weekly report fills outputs/<period-end>/; another report type gets a folder of
    its own, outputs/<notebook name>/<period-end>/, so that types never overwrite each other."""
    return out_root if notebook.stem == "weekly_report" else out_root / notebook.stem


def build(period_end: str | None = None, *, start: str | None = None, end: str | None = None,
          data: str | Path = "data", out: str | Path = "outputs", notebook: str | Path | None = None,
          params: Mapping[str, str] | None = None, force: bool = False, review: bool = False,
          timeout: int = 600, log: Callable[[str], None] = _stderr) -> Built:
    """Build one period: the declared issue ending on `period_end`, the span `start`..`end`,
    or (neither) the latest declared issue. `notebook`: a notebook file or the name of a
    shipped one (default: the weekly report); `params`: notebook parameters as text, as -p
    gives them. Progress and warnings go to `log`. Raises ReportlibError (see the module)."""
    from ..engine import scratch
    from ..inputs.periods import parse_date
    from ..reports import shipped
    from . import quick

    if period_end and (start or end):
        raise UsageError("give one of --period-end or --start/--end")
    if bool(start) != bool(end):
        raise UsageError("--start and --end go together")
    for option, value in (("--period-end", period_end), ("--start", start), ("--end", end)):
        if value:  # every date judged before a kernel starts or a file is read
            parse_date(value, option)
    given = _given(params)
    out_root = Path(out)
    notebook_path = shipped.resolve(notebook).resolve()
    root = report_root(out_root, notebook_path)
    data_path = Path(data).resolve()
    # What dead builds left in the temp folder goes first. Then, unless forced, the quick
    # check: from bytes on disk alone, before any kernel or heavy import (batch/quick.py).
    scratch.clear_dead()
    quick_key = None
    # A review copy is written from the full check's answer, so --review never stops here.
    if not force and not review:
        quick_key = _digest(data_path, notebook_path, given)
        request = quick.Request("span", end, start) if start else quick.Request("end" if period_end else "latest",
                                                                                 period_end or "")
        # An ad hoc span's report is in the ad hoc folder; the recorded digest of the data
        # tells which of the two it is, as a span is declared or not for the same data.
        roots = [root, root / AD_HOC_DIR] if start and root == out_root else [root]
        for where in roots if quick_key else ():
            folder = quick.up_to_date(request, data_path, where, quick_key)
            if folder is not None:
                from .outputs import clear_dead

                clear_dead(folder)
                # The folder as the caller named it, as a build reports it.
                return Built(folder.name, "skipped", where / folder.name, ad_hoc=where != root)
    from ..render.execute import typed_parameters

    typed = typed_parameters(notebook_path, given)
    result, into = _single(data, period_end, start, end, notebook_path, root, out_root, typed, given, force,
                           review, timeout, log, quick_key)
    if result.status == "built" or not (root / "index.html").exists():
        write_archive(root, log)
    folder = into / result.label
    return Built(result.label, result.status, folder, result.seconds, into != root,
                 folder / "review.html" if review else None)


def build_range(first: str, last: str, *, data: str | Path = "data", out: str | Path = "outputs",
                notebook: str | Path | None = None, params: Mapping[str, str] | None = None,
                force: bool = False, jobs: int | None = None, scheduler: str | None = None, timeout: int = 600,
                kernels: str = "forked", log: Callable[[str], None] = _stderr) -> Batch:
    """Build every declared period ending from `first` to `last` (weeks ending on the
    monitor's weekday if the data declares none), `jobs` at a time (default: the cores), or
    on a Dask `scheduler` (tcp://HOST:PORT). Periods whose inputs are unchanged are skipped;
    a failed period does not stop the others. Raises BatchFailed if any failed."""
    from ..engine import scratch
    from ..inputs.dataset import load
    from ..inputs.periods import parse_date
    from ..reports import shipped
    from .plan import Task, periods_between

    lo, hi = parse_date(first, "--from"), parse_date(last, "--to")
    if hi < lo:
        raise UsageError(f"--to {hi} is before --from {lo}")
    if kernels not in ("forked", "fresh"):
        raise UsageError(f"kernels must be 'forked' or 'fresh', not {kernels!r}")
    given = _given(params)
    notebook_path = shipped.resolve(notebook).resolve()
    root = report_root(Path(out), notebook_path)
    data_path = Path(data).resolve()
    scratch.clear_dead()
    from ..render.execute import typed_parameters

    typed = typed_parameters(notebook_path, given)
    # A batch takes the digest after starting its processes, still before the data is read.
    quick_key = _digest(data_path, notebook_path, given)
    dataset = load(data)
    print_warnings(dataset, log)
    periods = periods_between(dataset, lo, hi)
    if not periods:
        raise UsageError(f"no periods end between {lo} and {hi} in {data}")
    tasks = [Task(data_dir=str(data_path), start=p.start.isoformat(), end=p.end.isoformat(),
                  out_root=str(root.resolve()), notebook=str(notebook_path), parameters=typed, timeout=timeout,
                  force=force, forked_kernels=kernels == "forked", given=given, quick_key=quick_key)
             for p in periods]
    batch = Batch()
    try:
        _run_batch(dataset, tasks, jobs, scheduler, batch, log)
    finally:
        # Reports built before an interrupt are listed too.
        if batch.count("built") or not (root / "index.html").exists():
            write_archive(root, log)
    if batch.failed:
        raise BatchFailed(batch)
    return batch


def _given(params: Mapping[str, str] | None) -> dict[str, str]:
    from ..render.execute import refuse_owned

    given = {str(k): str(v) for k, v in (params or {}).items()}
    refuse_owned(given)
    return given


def _digest(data_path: Path, notebook_path: Path, given: dict) -> str:
    """The quick check's digest of every input, taken before anything reads them."""
    from . import quick

    try:
        return quick.key(data_path, notebook_path, given)
    except OSError:
        return ""


def _single(data_dir, period_end, start, end, notebook: Path, root: Path, out_root: Path, typed: dict,
            given: dict, force: bool, review: bool, timeout: int, log, quick_key: str | None):
    """One period. Its printing process and kernel start first (the printer forked while
    this process is small and has no threads), so that readying WeasyPrint, starting the
    kernel and, here, loading and checking the data run side by side."""
    from ..engine import scratch
    from ..render.printer import Printer

    printer = Printer()
    kernel = None
    try:
        from ..engine import kernels as kernel_pool

        kernel = kernel_pool.Kernel(kernel_pool.start(kernel_pool.manager(), notebook.parent))
        if quick_key is None:  # a forced build takes it now, while the kernel starts
            quick_key = _digest(Path(data_dir).resolve(), notebook, given)
        # Only now the heavy imports (pandas among them), while the kernel starts.
        from ..inputs.dataset import load
        from ..inputs.periods import Period, parse_date
        from .build import build_period
        from .plan import Task

        built_end = period_end or end
        data = load(data_dir, period_end=parse_date(built_end) if built_end else None)
        print_warnings(data, log)
        if start:
            period = Period(parse_date(start, "--start"), parse_date(end, "--end"))
        else:
            # A date no issue declares is refused, naming the nearest declared periods.
            period = data.resolve_period(period_end or "")
        # An ad hoc span of the weekly report is no issue: it gets a folder of its own, which
        # the archive of issues (outputs/index.html) does not read.
        into = root / AD_HOC_DIR if not data.is_declared(period) and root == out_root else root
        task = Task(data_dir=str(data.root), start=period.start.isoformat(), end=period.end.isoformat(),
                    out_root=str(into.resolve()), notebook=str(notebook), parameters=typed, timeout=timeout,
                    force=force, given=given, quick_key=quick_key, review=review)
        return build_period(task, data, kernel=kernel, log=log, printer=printer), into
    finally:
        printer.close()
        if kernel is not None:
            kernel.close()
        scratch.remove()


def _run_batch(data, tasks, jobs, scheduler, batch: Batch, log) -> None:
    """Plan, build what needs it, report progress, collecting the results as they come."""
    from .plan import default_jobs, plan
    from .progress import Progress
    from .runner import run_batch

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
            log(f"  the executed notebook is kept: {result.failed_notebook}")


def write_archive(root: Path, log: Callable[[str], None] = _stderr) -> None:
    """Rebuild outputs/index.html after every build; a failure here loses no report."""
    from ..render.archive import write_index

    try:
        index = write_index(root)
    except (OSError, ValueError) as exc:
        log(f"warning: the archive page could not be rebuilt: {exc}")
        return
    if index is not None:
        log(f"archive: {index}")


def print_warnings(data, log: Callable[[str], None] = _stderr) -> None:
    """The data's warnings, and every week whose published average of new cases differs from
    the one its daily series gives (the report prints the published figure)."""
    from ..content.indicators import disagreement_problems

    for warning in [*data.warnings, *disagreement_problems(data.indicators, data.monitor.rounding)]:
        log(str(warning))
    for label, problems in data.set_aside.items():
        n = len(problems)
        log(f"note: the issue ending on {label} has {n} problem{'s' if n != 1 else ''} in its own files "
            f"(`reportlib validate` lists them); this build does not read that issue, which is left out")


__all__ = ["AD_HOC_DIR", "Batch", "BatchFailed", "Built", "build", "build_range", "report_root"]
