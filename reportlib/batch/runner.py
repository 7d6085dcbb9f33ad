"""Many periods at once: worker processes on this machine, or the workers of a Dask cluster.

Local workers are forked from the command once it is ready to build: the data loaded, the HTML
and PDF machinery loaded and a page printed (publish.pdf.warm_up), its objects frozen out
of the garbage collector (gc.freeze); every worker inherits all of it. Each worker starts its
own kernel template (reportlib.engine.template) as it starts and forks one kernel from it,
which serves the worker's reports in turn: once a report's notebook has run, the kernel is
put back as it was before its first report (reportlib.engine.isolation) while the worker
exports and prints, so that neither a kernel start nor the reset is on the critical path. A
kernel whose report failed, or that could not be put back, is replaced by a new one.

The command hands out one period at a time over a pipe and each worker tells it which stage it
is in; the command bounds the HTML export and the printing of each report from outside: a
worker whose stage runs past the task's timeout is killed (work stuck in a C library stops
too), its executed notebook kept as report.failed.ipynb, and a fresh worker takes its place.
A worker that dies fails its period and is replaced likewise.

Stopping: interrupted (Ctrl-C, SIGTERM), the command asks every worker to stop (SIGTERM: each
cleans up as a single build does), kills those still running after STOP_GRACE seconds, and
returns only when none is left. Killed outright (SIGKILL), the command takes its workers with
it: each dies with its parent (reportlib.engine.lifetime), its template with it, and each
kernel with its template.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import signal
import tempfile
import time
import typing
from collections.abc import Callable
from pathlib import Path

from ..engine import collector, kernels, lifetime, scratch, template
from ..errors import NotebookExecutionError, ReportlibError, UsageError, environment_problem
from ..inputs.dataset import Dataset, load
from . import deadline, outputs
from .build import build_period
from .plan import Result, Task

STOP_GRACE = 5.0
# Reports one kernel serves before a new one takes over: what a reset cannot put back (memory
# the kernel's allocator keeps, caches inside libraries) stays bounded.
REUSE_LIMIT = 26


def run_batch(tasks: list[Task], jobs: int, scheduler: str | None = None,
              on_result: Callable[[Result], None] | None = None, data: Dataset | None = None) -> list[Result]:
    """Build tasks in parallel (on the Dask cluster at `scheduler`, if given); every result
    comes back, failed ones included. `data` is the tasks' data, already loaded."""
    if not tasks:
        return []
    on_result = on_result or (lambda result: None)
    if scheduler:
        return _on_dask(scheduler, tasks, on_result)
    return _Pool(min(jobs, len(tasks)), any(t.forked_kernels for t in tasks), data).run(tasks, on_result)


# -- the worker side --------------------------------------------------------------------------

class _Worker:
    """Per-process state of a worker: the data (loaded once, or inherited from the command),
    and a kernel started ahead for the next report."""

    data: typing.ClassVar[dict[str, Dataset]] = {}
    next_kernel: kernels.Kernel | None = None

    @classmethod
    def dataset(cls, data_dir: str) -> Dataset:
        if data_dir not in cls.data:
            cls.data[data_dir] = load(data_dir)
        return cls.data[data_dir]

    @classmethod
    def kernel(cls, task: Task) -> kernels.Kernel:
        kernel, cls.next_kernel = cls.next_kernel, None
        if kernel is not None and kernel.km.has_kernel and (not kernel.reusable or (
                kernel.cwd == _folder(task) and kernel.ready())):
            return kernel
        if kernel is not None:
            kernel.close()
        return cls.new_kernel(task)

    @classmethod
    def new_kernel(cls, task: Task) -> kernels.Kernel:
        # Dask runs tasks in daemonic processes, which may not have children of their own.
        forked = task.forked_kernels and not multiprocessing.current_process().daemon
        km = kernels.start(kernels.manager(forked=forked), _folder(task))
        return kernels.Kernel(km, reusable=forked and _reuse(), cwd=_folder(task))

    @classmethod
    def after_execute(cls, task: Task, kernel: kernels.Kernel) -> None:
        """The notebook has run: ready the kernel for the next report while this one is
        exported and printed: the same kernel, reset, or a new one."""
        if kernel.reusable and kernel.reports + 1 < REUSE_LIMIT:
            kernel.recycle()
            cls.next_kernel = kernel
        else:
            cls.next_kernel = cls.new_kernel(task)

    @classmethod
    def close(cls) -> None:
        kernel, cls.next_kernel = cls.next_kernel, None
        if kernel is not None:
            kernel.close()


def run_task(task: Task, on_stage=None) -> Result:
    """Build one period in a worker; failures come back as results, not exceptions."""
    started = time.perf_counter()
    try:
        data = _Worker.dataset(task.data_dir)
        kernel = _Worker.kernel(task)
        return build_period(task, data, kernel=kernel, after_execute=lambda: _Worker.after_execute(task, kernel),
                            on_stage=on_stage)
    except NotebookExecutionError as exc:
        failure = dataclasses.asdict(exc.failure) if exc.failure else None
        return Result(task.label, "failed", time.perf_counter() - started, str(exc), exc.notebook_path, failure,
                      exit_code=exc.exit_code)
    except ReportlibError as exc:
        return Result(task.label, "failed", time.perf_counter() - started, str(exc), exit_code=exc.exit_code)
    except Exception as exc:  # one broken period must not stop the others
        problem = environment_problem(exc, task.folder)
        if problem is not None:
            return Result(task.label, "failed", time.perf_counter() - started, str(problem),
                          exit_code=problem.exit_code)
        return Result(task.label, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}",
                      exit_code=1)


def _folder(task: Task) -> Path:
    return Path(task.notebook).resolve().parent


def _reuse() -> bool:
    """Whether a worker's kernel serves several reports in turn (reportlib.engine.isolation);
    REPORTLIB_KERNEL_REUSE=0 gives every report a kernel of its own."""
    return os.environ.get("REPORTLIB_KERNEL_REUSE", "1") != "0"


def _stop_as_interrupted(signum, frame):
    raise KeyboardInterrupt


def _serve(conn, forked: bool, command: int) -> None:
    """Body of a local worker: build the periods the command sends until it sends None."""
    lifetime.die_with_parent(command)
    # Ctrl-C reaches every process in the terminal's process group; the command decides, and
    # stops the workers with SIGTERM, which cleans up as an interrupt does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_as_interrupted)
    # Temporary files of this process, multiprocessing's among them (the template's socket),
    # go to its scratch folder, which a later build clears if this process is killed.
    tempfile.tempdir = str(scratch.folder())
    try:
        if forked:
            template.start()
        while True:
            try:
                task = conn.recv()
            except EOFError:
                break
            if task is None:
                break

            def on_stage(stage: str, folder: Path, limit: float | None) -> None:
                conn.send(("stage", stage, str(folder), limit))

            conn.send(("result", run_task(task, on_stage)))
            collector.between_reports()
    except KeyboardInterrupt:
        pass
    finally:
        # The scratch folder stays for the command to clear once this process has ended:
        # multiprocessing removes its own folder in it as the process exits.
        _Worker.close()


# -- the command side -------------------------------------------------------------------------

@dataclasses.dataclass
class _Handle:
    """The command's view of one worker."""

    process: multiprocessing.process.BaseProcess  # a fork context's Process
    conn: multiprocessing.connection.Connection
    task: Task | None = None
    stage: str = ""
    staging: Path | None = None
    limit: float | None = None
    deadline: float | None = None

    def give(self, task: Task) -> bool:
        """Send the worker a task; False if it has died."""
        self.task, self.stage, self.staging, self.deadline = task, "", None, None
        try:
            self.conn.send(task)
        except OSError:
            return False
        return True


class _Pool:
    def __init__(self, jobs: int, forked: bool, data: Dataset | None):
        # Lazy: nbconvert (see build._html) is loaded only by a batch, not by every build that imports
        # this module; here, before forking, so that every worker inherits it loaded.
        from ..render import html, pdf

        self.jobs, self.forked = jobs, forked
        if data is not None:
            _Worker.data[str(data.root)] = data
        html.prepare()
        pdf.warm_up()
        # What the workers inherit stays out of their garbage collections, and its memory shared.
        collector.freeze()
        self.context = multiprocessing.get_context("fork")
        self.started = 0

    def _start_worker(self) -> _Handle:
        mine, theirs = self.context.Pipe()
        self.started += 1
        process = self.context.Process(target=_serve, args=(theirs, self.forked, os.getpid()),
                                       name=f"reportlib-worker-{self.started}")
        process.start()
        theirs.close()
        return _Handle(process, mine)

    def run(self, tasks: list[Task], on_result: Callable[[Result], None]) -> list[Result]:
        queue = collections.deque(tasks)
        results: list[Result] = []
        workers: list[_Handle] = []

        def finish(worker: _Handle, result: Result) -> None:
            worker.task = None
            results.append(result)
            on_result(result)

        try:
            workers = [self._start_worker() for _ in range(self.jobs)]
            while queue or any(w.task for w in workers):
                for worker in list(workers):
                    if worker.task is None and queue and not worker.give(queue.popleft()):
                        finish(worker, self._replace(workers, worker, "the worker process died", bool(queue)))
                busy = [w for w in workers if w.task is not None]
                deadlines = [w.deadline for w in busy if w.deadline is not None]
                wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = multiprocessing.connection.wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy], wait)
                for worker in busy:
                    lost = None
                    if worker.conn in ready:
                        try:
                            message = worker.conn.recv()
                        except (EOFError, OSError):
                            lost = "the worker process died"
                        else:
                            if message[0] == "result":
                                finish(worker, message[1])
                                continue
                            _, worker.stage, staging, worker.limit = message
                            worker.staging = Path(staging)
                            worker.deadline = time.monotonic() + worker.limit if worker.limit else None
                    if lost is None and worker.process.sentinel in ready and not worker.conn.poll():
                        lost = "the worker process died"
                    if (lost is None and worker.deadline is not None and worker.limit is not None
                            and time.monotonic() > worker.deadline):  # a deadline comes with a limit
                        lost = deadline.describe(worker.stage, worker.limit)
                    if lost is not None:
                        finish(worker, self._replace(workers, worker, lost, bool(queue)))
        except BaseException:
            self._stop(workers)
            raise
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        self._join(workers, STOP_GRACE)
        scratch.clear_dead()
        return results

    def _replace(self, workers: list[_Handle], worker: _Handle, reason: str, more: bool) -> Result:
        """Stop a worker that died or overran, keep what its build left, start another if
        there is more to build; the failed result of its period."""
        task = worker.task
        assert task is not None  # only a worker given a task (give sets it first) is replaced
        worker.process.kill()
        worker.process.join()
        code = worker.process.exitcode
        if reason == "the worker process died" and code is not None and code < 0:
            reason += f" (signal {-code})"
        kept = outputs.salvage(task.folder, worker.staging) if worker.staging else None
        scratch.clear_dead()
        workers.remove(worker)
        worker.conn.close()
        if more:
            workers.append(self._start_worker())
        return Result(task.label, "failed", 0.0, f"{reason}; the previous report, if any, is unchanged",
                      str(kept) if kept else None, exit_code=1)

    def _stop(self, workers: list[_Handle]) -> None:
        """Interrupted: stop every worker and wait until none is left (signals that come
        meanwhile wait too: the workers must be gone before the command returns)."""
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for worker in workers:
                with contextlib.suppress(OSError):
                    worker.process.terminate()
            self._join(workers, STOP_GRACE)
            for worker in workers:
                if worker.task is not None and worker.staging is not None:
                    outputs.salvage(worker.task.folder, worker.staging)
            scratch.clear_dead()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    @staticmethod
    def _join(workers: list[_Handle], grace: float) -> None:
        end = time.monotonic() + grace
        for worker in workers:
            worker.process.join(max(0.0, end - time.monotonic()))
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


# -- Dask -------------------------------------------------------------------------------------

def _on_dask(address: str, tasks: list[Task], on_result: Callable[[Result], None]) -> list[Result]:
    """The same tasks on a Dask cluster's workers, which must see the same data and output
    folders. Stages there are bounded by the cell timeout only (Dask runs tasks in threads,
    which no timer can interrupt)."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'reportlib[dask]'") from None
    try:
        client = Client(address, timeout="3s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    results = []
    with client:
        pending = {client.submit(run_task, task, pure=False): task for task in tasks}
        for future in as_completed(pending):
            try:
                result = future.result()
            except Exception as exc:  # a worker process died (killed, out of memory)
                result = Result(pending[future].label, "failed", 0.0, f"worker failed: {type(exc).__name__}: {exc}",
                                exit_code=1)
            results.append(result)
            on_result(result)
    return results
