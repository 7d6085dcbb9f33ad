"""Report kernels: start one, connect to it while the caller does other work, stop it.

A kernel runs one report and is shut down after it, except in a batch worker, where it serves
the worker's reports in turn and is put back between them (Kernel.recycle,
reportlib.engine.isolation). Kernels talk
over Unix sockets in a private folder (reportlib.engine.scratch), so parallel kernels never
race for TCP ports (papermill#511). A kernel is started fresh (a new interpreter) or forked
from this process's warm template (reportlib.engine.template), through the kernel specs and
provisioners of reportlib.engine.kernelspec and reportlib.engine.provisioners.

    km = start(manager(forked=False), notebook_folder)
    kernel = Kernel(km)          # connects and waits for the kernel in a thread of its own
    ...                          # meanwhile: load the data, ready the exporter
    nb = kernel.run(execute, notebook, output, ...).result()
    kernel.close()
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty

from jupyter_client import protocol_version_info
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from ..errors import NotebookExecutionError
from . import kernelspec, scratch

# No IPython history database, which parallel kernels would otherwise contend for (nbclient
# passes the same to kernels it starts); and the report's imports done while the kernel
# boots, before the build is ready to send the first cell.
#
# The inline backend is set up as the kernel starts (IPython's own --matplotlib option), as the
# report's first cell would otherwise do: so a kernel that serves several reports starts each
# from the same matplotlib state (reportlib.engine.isolation), and the imported name goes
# again, so that a report's namespace starts empty whichever kernel runs it.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.matplotlib=inline",
                    "--IPKernelApp.exec_lines=import reportlib.engine.warm; del reportlib"]
START_TIMEOUT = 120


def manager(forked: bool = False) -> AsyncKernelManager:
    """A kernel manager for one report kernel, on Unix sockets in a folder of its own.
    The asynchronous manager: with it the notebook client keeps checking, while a cell runs,
    that the kernel is alive (a blocking client would wait forever on one that died)."""
    # Short names: a Unix socket's path may not exceed about 100 bytes.
    sockets = scratch.subfolder("k")
    return AsyncKernelManager(kernel_name=kernelspec.FORKED if forked else kernelspec.FRESH,
                              kernel_spec_manager=kernelspec.ReportKernelSpecs(), transport="ipc",
                              ip=str(sockets / "k"), connection_file=str(sockets / "kernel.json"))


def start(km: AsyncKernelManager, cwd: Path) -> AsyncKernelManager:
    """Start the kernel in the notebook's folder (so relative paths in the notebook work as
    in Jupyter) without touching this process's working directory; its own output goes to
    kernel.log beside its socket. Call it from the main thread: a kernel started from another
    thread would be killed when that thread ends (see reportlib.engine.lifetime)."""
    log_path = Path(km.connection_file).with_name("kernel.log")
    with open(log_path, "ab") as log:
        run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS, stdout=log, stderr=log)
    return km


def pid(km: AsyncKernelManager | None) -> int | None:
    """The kernel's process id, while it runs."""
    provisioner = km.provisioner if km is not None else None
    return getattr(provisioner, "pid", None)


def cpu_seconds(km: AsyncKernelManager | None) -> float | None:
    """The processor seconds the kernel process has used so far (Linux; None elsewhere or
    when it is not running)."""
    kernel = pid(km)
    if not kernel:
        return None
    try:
        with open(f"/proc/{kernel}/stat", encoding="ascii") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kill(km: AsyncKernelManager | None) -> None:
    """Kill the kernel process outright, from any thread: a client waiting on it then sees a
    dead kernel and ends. (The manager's own shutdown belongs to the thread that started it.)"""
    kernel = pid(km)
    if kernel:
        with contextlib.suppress(ProcessLookupError):
            os.kill(kernel, signal.SIGKILL)


def stop(km: AsyncKernelManager | None) -> None:
    """Shut the kernel down at once if it is running; a kernel serves one report."""
    if km is None:
        return
    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)
    run_sync(km.cleanup_resources)()


class Kernel:
    """A started kernel and the thread that talks to it. The thread connects a client as
    soon as the kernel is started and waits until it answers, so that the wait overlaps the
    caller's own work; the notebook then runs in the same thread, with the same client.

    The wait is the messaging protocol's own handshake, through the client's public methods:
    ask for kernel_info until a reply comes on the shell channel and the kernel's status for
    it on IOPub (so IOPub is connected too, and no output can be missed). jupyter_client's
    wait_for_ready does the same, then drains IOPub until it has been quiet for 0.2 s: on the
    critical path whenever the kernel is the last to be ready, and of no use here, where the
    notebook's client ignores every message that does not answer its own requests."""

    def __init__(self, km: AsyncKernelManager, startup_timeout: float = START_TIMEOUT, reusable: bool = False,
                 cwd: Path | None = None):
        self.km = km
        self.reusable, self.cwd = reusable, cwd
        self._thread = futures.ThreadPoolExecutor(1, thread_name_prefix="kernel-client")
        self._client = self._thread.submit(self._connect, startup_timeout)
        self._reset: futures.Future | None = None
        self.reports = 0  # reports run on it so far
        self.reset_problem = ""  # why it could not be put back, if it could not

    def _connect(self, timeout: float):
        kc = self.km.client()
        # No heartbeat channel: the client asks its manager whether the kernel lives (a client
        # made by a KernelManager does), and a heartbeat's unanswered ping to a kernel killed
        # at the end of a build held the client's shutdown for up to its one-second beat
        # (0.57 s of a single build's 4.2 s, in most runs).
        kc.start_channels(hb=False)
        try:
            run_sync(self._handshake)(kc, timeout)
            kc.allow_stdin = False
            if self.reusable:
                # Before its first report: what every later report must find again.
                run_sync(_request)(kc, "snapshot", RESET_TIMEOUT)
        except BaseException:
            kc.stop_channels()
            raise
        return kc

    async def _handshake(self, kc, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            kc.kernel_info()
            try:
                reply = await kc.get_shell_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await kc.get_iopub_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    major = int(reply["content"]["protocol_version"].split(".")[0])
                    if major != protocol_version_info[0]:
                        kc.session.adapt_version = major
                    return
            if not await kc.is_alive():
                raise RuntimeError("the kernel died before it answered")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not answer in {timeout:.0f} s")

    def recycle(self) -> None:
        """The report's notebook has run: put the kernel back as it was before its first
        report (reportlib.engine.isolation), in the kernel's thread, while the caller exports
        and prints. The kernel stays up for the next report; see `ready`."""
        def reset():
            run_sync(_request)(self._client.result(), "reset", RESET_TIMEOUT)
        self.reports += 1
        self._reset = self._thread.submit(reset)

    def ready(self) -> bool:
        """Whether a recycled kernel was put back and can run another report (it waits for
        the reset); False means it must be closed and another started."""
        if self._closed or self._reset is None:
            return False
        try:
            self._reset.result()
        except Exception as exc:
            self.reset_problem = str(exc)
            return False
        self._reset = None
        return True

    def release(self) -> None:
        """A build is done with the kernel: close it, unless it was recycled for another."""
        if self._reset is None:
            self.close()

    def run(self, function: Callable, *args) -> futures.Future:
        """Call function(*args, km=..., kc=...) in the kernel's thread, once the kernel has
        answered; a kernel that never did is a NotebookExecutionError."""
        def call():
            try:
                kc = self._client.result()
            except Exception as exc:
                raise NotebookExecutionError(f"the notebook did not run: the kernel did not start: {exc}",
                                             None, None) from None
            return function(*args, km=self.km, kc=kc)

        return self._thread.submit(call)

    def close(self) -> None:
        """Kill the kernel, let the thread end, shut the manager down (once; again is a no-op)."""
        if self._closed:
            return
        self._closed = True
        kill(self.km)
        self._thread.submit(self._disconnect)
        self._thread.shutdown(wait=True)
        stop(self.km)

    _closed = False

    def _disconnect(self) -> None:
        with contextlib.suppress(Exception):
            self._client.result().stop_channels()


RESET_TIMEOUT = 30


async def _request(kc, what: str, timeout: float) -> None:
    """Run reportlib.engine.isolation's `what` in the kernel, silently (no execution count,
    no history, no output to the notebook); raise RuntimeError if it failed or timed out."""
    msg_id = kc.execute(f"__import__('reportlib.engine.isolation').engine.isolation.{what}()", silent=True,
                        store_history=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = await kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        except Empty:
            raise RuntimeError(f"the kernel's {what} took more than {timeout:.0f} s") from None
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(f"the kernel's {what} failed: {content.get('ename')}: {content.get('evalue')}")
