"""Building reports: plan which periods need it, build each one (execute, export, print,
publish atomically, record the manifest), and run many at once.

A batch runs periods in worker processes, one kernel per report. Each worker keeps a kernel
template (see reportlib.kernels) and starts the next report's kernel while it prints the
current report's PDF, so kernel start and imports are off the critical path.
"""

from __future__ import annotations

import concurrent.futures as futures
import json
import multiprocessing
import multiprocessing.util
import os
import sys
import tempfile
import time
import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from ..engine import kernels
from ..errors import NotebookExecutionError, ReportlibError, UsageError
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import Period, parse_date, weeks_ending_between
from . import fingerprint, outputs

DEFAULT_TIMEOUT = 600
# The review copy of a report (`reportlib build --review`): not a published file, so neither
# the manifest nor the archive lists it; a build without --review removes an older one.
REVIEW_FILE = "review.html"

# Fields of the executed notebook that change from run to run; everything else is the same
# for the same inputs. The manifest names them so that a diff can ignore them.
VOLATILE_NOTEBOOK_FIELDS = [
    "metadata.papermill.start_time",
    "metadata.papermill.end_time",
    "metadata.papermill.duration",
    "metadata.papermill.environment_variables",
    "cells[*].metadata.papermill.start_time",
    "cells[*].metadata.papermill.end_time",
    "cells[*].metadata.papermill.duration",
    "cells[*].metadata.execution",
]


@dataclass
class Task:
    """One period to build; plain data, so it can go to another process or machine."""

    data_dir: str
    start: str
    end: str
    out_root: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT
    force: bool = False
    trend_weeks: int | None = None
    forked_kernels: bool = False
    review: bool = False  # also write review.html, the page with every figure's provenance

    @property
    def period(self) -> Period:
        return Period(parse_date(self.start), parse_date(self.end))

    @property
    def label(self) -> str:
        return self.end


@dataclass
class Result:
    label: str
    status: str  # built | skipped | failed
    seconds: float = 0.0
    message: str = ""
    failed_notebook: str | None = None
    failure: dict | None = None  # cell index, source, error name and value
    timings: dict = field(default_factory=dict)


def notebook_parameters(task: Task) -> dict:
    params = {"period_end": task.end, "period_start": task.start, "data_dir": task.data_dir}
    if task.trend_weeks is not None:
        params["trend_weeks"] = task.trend_weeks
    params.update(task.parameters)
    return params


def manifest_matches(folder: Path, key: str) -> bool:
    """The folder holds a complete build whose inputs hashed to `key`."""
    path = folder / "manifest.json"
    if not path.exists():
        return False
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("key") != key:
        return False
    for name, info in manifest.get("outputs", {}).items():
        target = folder / name
        if not target.exists() or target.stat().st_size != info.get("bytes"):
            return False
    return True


def task_key(task: Task, data: Dataset, view: PeriodData | None = None) -> tuple[dict, str]:
    notebook = Path(task.notebook).resolve()
    view = view or data.select(task.period, task.trend_weeks)
    inputs = fingerprint.period_inputs(data, view, notebook, notebook_parameters(task))
    return inputs, fingerprint.cache_key(inputs)


# -- one period ---------------------------------------------------------------------------------

def build_period(task: Task, data: Dataset | None = None, km=None, log=None,
                 after_execute: Callable[[], None] | None = None, printer=None) -> Result:
    """Build one period. Raises ReportlibError on failure; the previous good report stays.
    `km` is a kernel manager whose kernel is already starting; one is started if not.
    `printer` (a publish.printer.Printer) prints the PDF if given; else this process does."""
    started = time.perf_counter()
    log = log or (lambda message: None)
    notebook = Path(task.notebook).resolve()
    try:
        data = data or load(task.data_dir)
        params = notebook_parameters(task)
        from ..publish.execute import check_parameters

        check_parameters(notebook, params)
        folder = outputs.period_dir(Path(task.out_root), task.label)
        view = data.select(task.period, task.trend_weeks)
        from ..publish import guard  # published issues stay as published

        guard.check(data, [view], notebook.name)
        inputs, key = task_key(task, data, view)
        if not task.force and manifest_matches(folder, key):
            if task.review:
                with outputs.locked(folder):
                    _write_review(folder, nbformat.read(str(folder / "report.ipynb"), as_version=4), data, task,
                                  inputs)
            return Result(task.label, "skipped", time.perf_counter() - started, "inputs unchanged")
        with outputs.locked(folder), outputs.staging(folder) as stage:
            if km is None:
                km = kernels.start(kernels.manager(stage, forked=task.forked_kernels), notebook.parent)
            timings = _build_into(stage, folder, task, data, view, notebook, params, inputs, key, km,
                                  log, after_execute, started, printer)
    finally:
        kernels.stop(km)
    return Result(task.label, "built", time.perf_counter() - started, "", None, None, timings)


def _build_into(stage, folder, task, data, view, notebook, params, inputs, key, km, log, after_execute,
                started, printer) -> dict:
    from ..publish import html, pdf
    from ..publish.execute import execute

    timings = {}
    executed = stage / "report.ipynb"
    log(f"{task.label}: executing {notebook.name}")
    t = time.perf_counter()
    # The kernel runs the notebook in its own process; meanwhile this one loads the HTML
    # and PDF machinery, so both cores work.
    with futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(execute, notebook, executed, params, task.timeout, km)
        try:
            html.prepare()
            if printer is None:
                pdf.prepare()
            nb = running.result()
        except NotebookExecutionError as exc:
            kept = outputs.keep_failed(executed, folder)
            exc.notebook_path = str(kept) if kept else None
            raise
        except BaseException:
            # Interrupted: stop the kernel so the execution thread ends now, then keep what
            # the notebook had done (the engine saves it when execution stops).
            kernels.kill(km)
            futures.wait([running])
            outputs.keep_failed(executed, folder)
            raise
    timings["execute"] = time.perf_counter() - t
    if after_execute:
        after_execute()
    from ..reports.figureblock import notebook_warnings

    for warning in notebook_warnings(nb):  # e.g. a figure shown without a caption
        print(f"{task.label}: warning: {warning}", file=sys.stderr, flush=True)

    t = time.perf_counter()
    _normalise_notebook(nb)
    nbformat.write(nb, str(executed))
    # Until the new report is published, its executed notebook waits beside the old report
    # under the failed name: a build killed while printing leaves it there to debug, and
    # publishing removes it.
    outputs.write_atomic(folder / outputs.FAILED_NOTEBOOK, executed.read_bytes())
    meta = html.page_meta(data.monitor, task.period, inputs["package"]["version"])
    page = html.export_html(nb, meta, warn=lambda message: log(f"{task.label}: {message}"))
    (stage / "report.html").write_text(page, encoding="utf-8")
    timings["html"] = time.perf_counter() - t

    log(f"{task.label}: printing PDF")
    t = time.perf_counter()
    (printer or pdf).write_pdf(page, stage / "report.pdf", folder)
    timings["pdf"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started

    manifest = _manifest(key, inputs, data, stage, timings)
    manifest["summary"] = _summary(data, task, view)
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
    outputs.publish(stage, folder)
    if task.review:
        _write_review(folder, nb, data, task, inputs)
    else:
        (folder / REVIEW_FILE).unlink(missing_ok=True)
    return timings


def _write_review(folder: Path, nb, data: Dataset, task: Task, inputs: dict) -> None:
    """review.html beside the report, from the executed notebook's provenance outputs."""
    from ..publish import html

    meta = html.page_meta(data.monitor, task.period, inputs["package"]["version"])
    page = html.export_html(nb, meta, template_name=html.REVIEW_TEMPLATE_NAME)
    outputs.write_atomic(folder / REVIEW_FILE, page.encode("utf-8"))


def _summary(data: Dataset, task: Task, view: PeriodData) -> dict:
    """What the archive page shows for this report, so it never re-reads the data."""
    from ..content.sentences import key_figures
    from ..inputs.periods import format_long

    period = task.period
    return {"title": data.monitor.name, "period": format_long(period), "start": task.start,
            "end": task.end, "synthetic": data.monitor.synthetic,
            # A span no issue declares: the archive does not list it as an issue.
            "ad_hoc": not data.is_declared(period),
            "key_figures": key_figures(view)}


def _normalise_notebook(nb) -> None:
    """Keep what papermill records about the run but not what differs between machines or
    runs for the same inputs: absolute paths become names, and the parameters cell papermill
    inserts gets a fixed id instead of a random one."""
    meta = nb.metadata.get("papermill", {})
    params = meta.get("parameters", {})
    if "data_dir" in params:
        params["data_dir"] = Path(params["data_dir"]).name
    if meta.get("input_path"):
        meta["input_path"] = Path(meta["input_path"]).name
    if meta.get("output_path"):
        meta["output_path"] = "report.ipynb"
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def _manifest(key: str, inputs: dict, data: Dataset, stage: Path, timings: dict) -> dict:
    files = [{"path": str(path.relative_to(data.root)), "sha256": fingerprint.sha256_file(path)}
             for path in data.files if path.exists()]
    produced = {}
    for name in ("report.ipynb", "report.html", "report.pdf"):
        path = stage / name
        produced[name] = {"sha256": fingerprint.sha256_file(path), "bytes": path.stat().st_size}
    return {
        "key": key,
        "inputs": {**inputs, "files": files},
        "environment": fingerprint.environment(),
        "outputs": produced,
        "volatile_notebook_fields": VOLATILE_NOTEBOOK_FIELDS,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


# -- many periods -----------------------------------------------------------------------------

def periods_between(data: Dataset, first, last) -> list[Period]:
    """Declared periods ending within [first, last]; weeks ending on the monitor's weekday
    when the data declares none."""
    declared = [p for p in data.periods() if first <= p.end <= last]
    if declared or data.periods():
        return declared
    return weeks_ending_between(first, last, data.monitor.weekday)


def plan(data: Dataset, tasks: list[Task], on_first: Callable[[], None] | None = None,
         ) -> tuple[list[Task], list[Result]]:
    """Split tasks into those to build and those whose inputs are unchanged; `on_first` is
    called as soon as one is found to build (to start workers while planning goes on)."""
    from ..publish import guard  # published issues stay as published: refuse before building any

    guard.check_tasks(data, tasks)
    todo, skipped = [], []
    for task in tasks:
        folder = outputs.period_dir(Path(task.out_root), task.label)
        _, key = task_key(task, data)
        if not task.force and manifest_matches(folder, key):
            skipped.append(Result(task.label, "skipped", 0.0, "inputs unchanged"))
        else:
            if on_first and not todo:
                on_first()
            todo.append(task)
    return todo, skipped


class _Worker:
    """Per-process state of a batch worker: the data (loaded once), a kernel started ahead
    for the next report, and a folder for kernel sockets."""

    data: typing.ClassVar[dict[str, Dataset]] = {}
    next_kernel = None
    sockets: Path | None = None

    @classmethod
    def dataset(cls, data_dir: str) -> Dataset:
        if data_dir not in cls.data:
            cls.data[data_dir] = load(data_dir)
        return cls.data[data_dir]

    @classmethod
    def kernel(cls, task: Task):
        km, cls.next_kernel = cls.next_kernel, None
        if km is not None and km.has_kernel:
            return km
        return cls.new_kernel(task)

    @classmethod
    def new_kernel(cls, task: Task):
        if cls.sockets is None:
            cls.sockets = Path(tempfile.mkdtemp(prefix="reportlib-kernels-"))
        folder = Path(tempfile.mkdtemp(dir=cls.sockets))
        forked = task.forked_kernels and not multiprocessing.current_process().daemon
        return kernels.start(kernels.manager(folder, forked=forked), Path(task.notebook).resolve().parent)


    @classmethod
    def close(cls) -> None:
        km, cls.next_kernel = cls.next_kernel, None
        kernels.stop(km)


def _init_worker(forked: bool) -> None:
    # A worker exits through multiprocessing, which joins its child processes first: the
    # kernel started ahead for a report that never came must be shut down before that.
    multiprocessing.util.Finalize(None, _Worker.close, exitpriority=10)
    if forked:
        kernels.warm_up()


def run_task(task: Task) -> Result:
    """Build one period in a worker; failures come back as results, not exceptions."""
    started = time.perf_counter()
    km = None
    try:
        data = _Worker.dataset(task.data_dir)
        km = _Worker.kernel(task)

        def start_next():
            _Worker.next_kernel = _Worker.new_kernel(task)

        return build_period(task, data, km=km, after_execute=start_next)
    except NotebookExecutionError as exc:
        failure = asdict(exc.failure) if exc.failure else None
        return Result(task.label, "failed", time.perf_counter() - started, str(exc),
                      exc.notebook_path, failure)
    except ReportlibError as exc:
        return Result(task.label, "failed", time.perf_counter() - started, str(exc))
    except Exception as exc:  # one broken period must not stop the others
        return Result(task.label, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    finally:
        kernels.stop(km)


def local_executor(jobs: int, forked: bool) -> futures.ProcessPoolExecutor:
    """Worker processes forked from this one once it is ready to build: the kernel template
    started, the HTML and PDF machinery loaded and a page printed (pdf.warm_up). Every
    worker inherits all of it instead of each paying for it again."""
    from ..engine import collector
    from ..publish import html, pdf

    if forked:
        kernels.warm_up()
    html.prepare()
    pdf.warm_up()
    # What the workers inherit stays out of their garbage collections, and its memory shared.
    collector.freeze()
    return futures.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("fork"),
                                       initializer=_init_worker, initargs=(forked,))


def run_batch(tasks: list[Task], jobs: int, scheduler: str | None = None,
              on_result: Callable[[Result], None] | None = None,
              executor: futures.Executor | None = None) -> list[Result]:
    """Build tasks in parallel, on `executor` if given; every result comes back, failed
    ones included."""
    results = []
    if not tasks:
        if executor is not None:
            executor.shutdown(wait=True)
        return results
    if executor is None and scheduler:
        executor = _dask_executor(scheduler)
    elif executor is None:
        executor = local_executor(min(jobs, len(tasks)), any(t.forked_kernels for t in tasks))
    try:
        pending = {executor.submit(run_task, task): task for task in tasks}
        for done in futures.as_completed(pending):
            try:
                result = done.result()
            except Exception as exc:  # a worker process died (killed, out of memory)
                result = Result(pending[done].label, "failed", 0.0, f"worker failed: {type(exc).__name__}: {exc}")
            results.append(result)
            if on_result:
                on_result(result)
    except BaseException:
        abandon(executor)
        raise
    executor.shutdown(wait=True)
    return results


def abandon(executor: futures.Executor) -> None:
    """Interrupted: drop the queued periods and stop the workers; each one's staged files
    are cleaned up by its own interrupt handling or by the next build of that period."""
    executor.shutdown(wait=False, cancel_futures=True)
    for process in (getattr(executor, "_processes", None) or {}).values():
        process.terminate()


def _dask_executor(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'reportlib[dask]'") from None
    try:
        client = Client(address, timeout="3s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    executor = client.get_executor()
    close = executor.shutdown

    def shutdown(wait=True, **kwargs):
        close(wait=wait)
        client.close()

    executor.shutdown = shutdown
    return executor


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
