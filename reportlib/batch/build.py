"""Building one period's report: execute the notebook on its kernel, export the page, print
the PDF, then put the files in place atomically under the period's lock with their manifest.

The stages, and what bounds each: the notebook (every cell runs at most the task's timeout,
the kernel must answer within START_TIMEOUT), the HTML export and the PDF printing (each at
most the task's timeout: reportlib.batch.deadline here, or the batch's command from outside).
Whatever stops a build, the previous report and its manifest stay as they were; the executed
notebook is kept as report.failed.ipynb when the build failed after running it or was
stopped while it ran.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..content.sentences import key_figures
from ..engine import kernels
from ..errors import BuildError, NotebookExecutionError, environment_problem
from ..files import sha256_file, write_atomic
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import format_long
from ..render import pdf
from ..render.execute import execute
from ..render.printer import Printer
from ..reports.blocks import notebook_warnings
from . import deadline, guard, manifest, outputs, quick
from .plan import Result, Task, notebook_parameters, task_key

# The review copy of a report (`reportlib build --review`): not a published file, so neither
# the manifest nor the archive lists it; once written, every later build of the period
# rewrites it.
REVIEW_FILE = "review.html"


def build_period(task: Task, data: Dataset | None = None, kernel: kernels.Kernel | None = None,
                 printer=None, log: Callable[[str], None] | None = None,
                 after_execute: Callable[[], None] | None = None,
                 on_stage: Callable[[str, Path, float | None], None] | None = None,
                 explain_published: bool = True) -> Result:
    """Build one period, or skip it if its manifest says it is up to date. Raises
    ReportlibError on failure (EnvironmentProblem when the machine stopped it); the previous
    good report stays. `kernel` is a started kernel (one is started if not), closed when the
    build ends; `printer` (a publish.printer.Printer) prints the PDF if given, else this
    process does. With `on_stage`, each stage is announced to whoever bounds it (a batch's
    command): on_stage(stage, staging folder, limit in seconds or None); else this process
    bounds the HTML export and the printing itself. A published issue's report that now
    differs from the published one, its data unchanged (a new notebook or code), is built and
    said so on stderr (guard.published_note), unless `explain_published` is false."""
    started = time.perf_counter()
    try:
        data = data or load(task.data_dir)
        folder = task.folder
        outputs.clear_dead(folder)
        view = data.select(task.period, task.trend_weeks)
        guard.check(data, [view], Path(task.notebook).name)
        inputs, key = task_key(task, data, view)
        if not task.force and manifest.up_to_date(folder, key):
            _remember_quick(folder, task, data)
            if task.review:
                with outputs.locked(folder):
                    _write_review(folder, nbformat.read(str(folder / "report.ipynb"), as_version=4), data, task,
                                  inputs)
            return Result(task.label, "skipped", time.perf_counter() - started, "inputs unchanged")
        with outputs.locked(folder), outputs.staging(folder) as stage:
            if kernel is None:
                km = kernels.manager(forked=task.forked_kernels)
                kernel = kernels.Kernel(kernels.start(km, Path(task.notebook).resolve().parent))
            build = Build(task, data, view, inputs, key, folder, stage, kernel, printer, log or _quiet, log or _stderr,
                          after_execute, on_stage, started)
            build.run()
        note = guard.published_note(data, view, Path(task.notebook).name, folder, inputs) \
            if explain_published else None
        if note:
            print(note, file=sys.stderr, flush=True)
    except (OSError, BuildError) as exc:
        problem = environment_problem(exc, task.folder)
        if problem is not None:
            raise problem from None
        raise
    finally:
        if kernel is not None:
            kernel.release()
    return Result(task.label, "built", time.perf_counter() - started, "", None, None, build.timings)


def page_only(task: Task, data: Dataset, kernel: kernels.Kernel, log: Callable[[str], None] | None = None) -> str:
    """The period's page alone, as `reportlib preview` shows it: the notebook run on
    `kernel` (closed afterwards) and exported to HTML in a staging folder of task.folder. No
    PDF, no manifest, nothing published; a published issue the data would change is refused
    as a build refuses it. Raises ReportlibError as build_period does."""
    folder = task.folder
    folder.mkdir(parents=True, exist_ok=True)
    try:
        view = data.select(task.period, task.trend_weeks)
        guard.check(data, [view], Path(task.notebook).name)
        inputs, key = task_key(task, data, view)
        with outputs.staging(folder) as stage:
            build = Build(task, data, view, inputs, key, folder, stage, kernel, printer=None, log=log or _quiet,
                          warn=log or _stderr, after_execute=None, on_stage=None, started=time.perf_counter(),
                          print_pdf=False)
            page = build._export(build._execute())
            timings = build.timings
            (log or _quiet)(f"{task.label}: notebook {timings['execute']:.2f} s, page {timings['html']:.2f} s")
            return page
    finally:
        kernel.close()


def _quiet(message: str) -> None:
    pass


def _stderr(message: str) -> None:
    """Where warnings go when no log is given (a batch's worker): its command's stderr."""
    print(message, file=sys.stderr, flush=True)


_MAKES = {"execute": "report.ipynb", "html": "report.html", "pdf": "report.pdf"}


@dataclass
class Build:
    """One period's build as it goes: what it reads, where it writes, what runs it."""

    task: Task
    data: Dataset
    view: PeriodData
    inputs: dict
    key: str
    folder: Path  # outputs/<period end>
    stage: Path  # the staging folder inside it, renamed into place at the end
    kernel: kernels.Kernel
    printer: Printer | None
    log: Callable[[str], None]  # progress
    warn: Callable[[str], None]  # what the analyst should fix; heard even where progress is not
    after_execute: Callable[[], None] | None
    on_stage: Callable[[str, Path, float | None], None] | None
    started: float
    timings: dict = field(default_factory=dict)
    print_pdf: bool = True  # False: the page alone (a preview), so the printer is never readied

    @property
    def executed(self) -> Path:
        return self.stage / "report.ipynb"

    @contextlib.contextmanager
    def _stage(self, name: str, limit: float | None):
        """Time a stage, and bound it: here, or by whoever `on_stage` tells. An error of the
        machine names the file the stage makes."""
        if self.on_stage is not None:
            self.on_stage(name, self.stage, limit)
        t, cpu = time.perf_counter(), time.process_time()
        kernel = kernels.cpu_seconds(self.kernel.km) if name == "execute" else None
        try:
            with deadline.bounded(name, limit if self.on_stage is None else None):
                deadline.stall_if_asked(name, self.task.label)
                yield
        except (OSError, BuildError) as exc:
            problem = environment_problem(exc, self.folder / _MAKES[name])
            if problem is None:
                raise
            raise problem from None
        self.timings[name] = time.perf_counter() - t
        # Processor seconds, for `make bench`: this process's (all its threads) and, while the
        # notebook runs, the kernel's; the PDF's only when this process prints it.
        if name != "pdf" or self.printer is None:
            self.timings[f"{name}_cpu"] = time.process_time() - cpu
        if kernel is not None and (after := kernels.cpu_seconds(self.kernel.km)) is not None:
            self.timings["kernel_cpu"] = after - kernel

    def run(self) -> None:
        nb = self._execute()
        if self.after_execute:
            self.after_execute()
        try:
            page = self._export(nb)
            self._print(page)
        except BaseException:
            # The notebook ran: keep it to debug the export or printing that failed.
            with contextlib.suppress(OSError):
                outputs.keep_failed(self.executed, self.folder)
            raise
        self.timings["total"] = time.perf_counter() - self.started
        self._put_in_place()
        # Once asked for, the review copy is kept current by every later build of the period
        # (a correction's included), never left stale or removed.
        if self.task.review or (self.folder / REVIEW_FILE).exists():
            _write_review(self.folder, nb, self.data, self.task, self.inputs)

    def _execute(self):
        html = _html()
        task = self.task
        notebook = Path(task.notebook).resolve()
        self.log(f"{task.label}: executing {notebook.name}")
        with self._stage("execute", None):
            running = self.kernel.run(functools.partial(execute, keep_kernel=self.kernel.reusable), notebook,
                                      self.executed, notebook_parameters(task), task.timeout)
            try:
                # The kernel runs the notebook in its own process; meanwhile this one loads the
                # HTML (and, unless a printer prints, the PDF) machinery, so both cores work.
                html.prepare()
                if self.printer is None and self.print_pdf:
                    pdf.prepare()
                if self.printer is not None:  # a single build, which writes the archive page next
                    _prepare_archive()
                nb = running.result()
            except NotebookExecutionError as exc:
                kept = outputs.keep_failed(self.executed, self.folder)
                exc.notebook_path = str(kept) if kept else None
                raise
            except BaseException:
                # Interrupted: stop the kernel so that the notebook's thread ends now, then keep
                # what the notebook had done (the engine saves it when execution stops).
                kernels.kill(self.kernel.km)
                with contextlib.suppress(BaseException):
                    running.result()
                with contextlib.suppress(OSError):
                    outputs.keep_failed(self.executed, self.folder)
                raise
        for warning in notebook_warnings(nb):  # e.g. a figure shown without a caption
            self.warn(f"{task.label}: warning: {warning}")
        return nb

    def _export(self, nb) -> str:
        html = _html()
        with self._stage("html", self.task.timeout):
            _normalise_notebook(nb)
            nbformat.write(nb, str(self.executed))
            meta = html.page_meta(self.data.monitor, self.task.period, self.inputs["package"]["version"])
            page = html.export_html(nb, meta, warn=lambda message: self.log(f"{self.task.label}: {message}"))
            (self.stage / "report.html").write_text(page, encoding="utf-8")
        return page

    def _print(self, page: str) -> None:
        self.log(f"{self.task.label}: printing PDF")
        with self._stage("pdf", self.task.timeout):
            (self.printer or pdf).write_pdf(page, self.stage / "report.pdf", self.folder)

    def _put_in_place(self) -> None:
        data, task = self.data, self.task
        # The bytes the build read, hashed as the loader read them (not read again now).
        files = [{"path": str(path.relative_to(data.root)), "sha256": data.digests.get(path) or sha256_file(path)}
                 for path in data.files if path in data.digests or path.exists()]
        record = manifest.record(self.stage, self.key, self.inputs, files, self.timings,
                                 _summary(data, task, self.view), _quick_record(task, data))
        (self.stage / manifest.NAME).write_text(manifest.dumps(record), encoding="utf-8")
        if self.on_stage is not None:
            self.on_stage("place", self.stage, None)
        outputs.put_in_place(self.stage, self.folder)


def _prepare_archive() -> None:
    """Load the archive page's machinery (its chart's matplotlib), written after the report.
    A single build loads it while the notebook runs: then the kernel runs the cells on one
    core and this process waits, whereas at the start three processes (this one, the kernel
    and the printer) share two cores importing their stacks. A batch's command loads it at
    its end, and its workers never do."""
    from ..render import archive  # noqa: F401


def _quick_record(task: Task, data: Dataset) -> dict | None:
    """What the quick check compares (reportlib.batch.quick); the digest was taken before the
    data was read, so a change made during the build can only make the check fall back."""
    if not task.quick_key:
        return None
    return {"key": task.quick_key, "requests": quick.requests_for(data, task.period)}


def _remember_quick(folder: Path, task: Task, data: Dataset) -> None:
    """The full check found the report up to date after the quick one could not tell (a file
    no report reads changed): record the new digest, so that the next check is quick."""
    record = manifest.read(folder)
    current = _quick_record(task, data)
    if record is None or current is None or record.get("quick") == current:
        return
    record["quick"] = current
    with contextlib.suppress(OSError), outputs.unlocked(folder) as free:
        if free:
            write_atomic(folder / manifest.NAME, manifest.dumps(record).encode("utf-8"))


def _write_review(folder: Path, nb, data: Dataset, task: Task, inputs: dict) -> None:
    """review.html beside the report, from the executed notebook's provenance outputs."""
    html = _html()
    meta = html.page_meta(data.monitor, task.period, inputs["package"]["version"])
    page = html.export_html(nb, meta, template_name=html.REVIEW_TEMPLATE_NAME)
    write_atomic(folder / REVIEW_FILE, page.encode("utf-8"))


def _summary(data: Dataset, task: Task, view: PeriodData) -> dict:
    """What the archive page shows for this report, so it never re-reads the data."""
    period = task.period
    return {"title": data.monitor.name, "period": format_long(period), "start": task.start,
            "end": task.end, "synthetic": data.monitor.synthetic,
            # A span no issue declares: the archive does not list it as an issue.
            "ad_hoc": not data.is_declared(period),
            "key_figures": key_figures(view)}


def _html():
    """The page exporter, reportlib.render.html. Lazy: nbconvert's import, 1.9 s of a single
    build at load 12 on 2 cores (python -X importtime), is made while the kernel runs the notebook (Build._execute),
    not before the kernel can start; a batch's command has it loaded before forking."""
    from ..render import html

    return html


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
