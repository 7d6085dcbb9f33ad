"""Kernels for report notebooks.

A kernel costs about a second before the first cell runs: starting Python, importing
ipykernel, then pandas, pyarrow and reportlib in the first cell. In a batch
that cost is paid once instead of once per report: a template process imports everything
once (multiprocessing's fork server, preloaded), and each report gets a kernel forked from
it; the batch's workers share it. The template never runs report code, so every kernel starts from the same
pristine state, runs one notebook and exits; nothing passes from one report to the next.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import signal
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync

# Modules the template imports before forking: what a kernel and the report notebook need,
# and the command's own module, which multiprocessing imports in each process it forks
# from the template (as the parent's __main__).
PRELOAD = ["reportlib.engine.warm", "reportlib.cli"]

_context = None


def _fork_context():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _run_kernel(connection_file: str, cwd: str, env: dict, extra: list[str], log: str) -> None:
    """Body of a forked kernel process: become an ordinary ipykernel on the given socket."""
    from . import collector

    collector.freeze()
    _redirect(log)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from ipykernel.kernelapp import IPKernelApp

    # parent_handle: exit when the template does (it exits with the worker that owns it).
    argv = ["-f", connection_file, f"--IPKernelApp.parent_handle={os.getppid()}", *extra]
    IPKernelApp.launch_instance(argv=argv)


class _ForkedProcess:
    """The slice of subprocess.Popen that jupyter_client's provisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, process):
        self._process = process
        self.pid = process.pid

    def poll(self):
        return self._process.exitcode

    def wait(self, timeout=None):
        self._process.join(timeout)
        return self._process.exitcode

    def send_signal(self, signum):
        # A kernel already killed once its notebook ran: there is nothing left to signal.
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def terminate(self):
        self._process.terminate()

    def kill(self):
        self._process.kill()


class ForkedProvisioner(LocalProvisioner):
    """Launches the kernel by forking the warm template instead of running a command."""

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        extra = [arg for arg in cmd if arg.startswith("--")]
        log = str(Path(km.connection_file).with_name("kernel.log"))
        process = _fork_context().Process(target=_run_kernel, args=(km.connection_file, cwd, env, extra, log),
                                          name=f"kernel-{km.kernel_id}")
        process.start()
        self.process = _ForkedProcess(process)
        self.pid = process.pid
        # Signals go to the kernel alone: its process group is the template's.
        self.pgid = None
        self.cwd = cwd
        return self.connection_info


class ReadyClient(AsyncKernelClient):
    """The kernel client nbclient runs the notebook with. jupyter_client's own wait for a
    ready kernel ends by draining IOPub until 0.2 s pass without a message, which put a
    fifth of a second on every report's critical path. The messages it drains are the
    kernel's status from before the first cell, and nbclient ignores every message that
    does not answer the cell it runs, so a drain of 10 ms does the same."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # the reply's busy status on IOPub shows that IOPub is connected too
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


def manager(socket_dir: Path, forked: bool = False, kernel_name: str = "python3") -> AsyncKernelManager:
    """A kernel manager on Unix sockets in a private folder (no TCP ports to race for when
    kernels start side by side, papermill#511), forked from the template if asked."""
    # The asynchronous manager: with it nbclient keeps checking, while a cell runs, that the
    # kernel is alive (a blocking client would wait forever on a kernel that died).
    km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=str(socket_dir / "kernel"),
                            client_class="reportlib.engine.kernels.ReadyClient")
    # ipykernel's launcher, as the kernel spec names it, becomes reportlib.kernel: the same
    # kernel, started without the debugger.
    argv = km.kernel_spec.argv
    km.kernel_spec.argv = ["reportlib.engine.kernel" if arg == "ipykernel_launcher" else arg for arg in argv]
    if forked:
        km.kernel_id = str(uuid.uuid4())
        km.provisioner = ForkedProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    return km


# No IPython history database, which parallel kernels would otherwise contend for (nbclient
# passes the same to kernels it starts); and the report's imports done while the kernel
# boots, before the build is ready to send the first cell.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.exec_lines=import reportlib.engine.warm"]


def _redirect(log: str) -> None:
    """Send the kernel's own stdout and stderr (not the notebook's: those go to the
    notebook) to a log beside its socket, so a kernel shut down mid-import or crashing
    never prints into the user's terminal."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def start(km: AsyncKernelManager, cwd: Path) -> AsyncKernelManager:
    """Start the kernel in the notebook's folder (so relative paths in the notebook work as
    in Jupyter) without touching this process's working directory; its own output goes to
    kernel.log beside its socket."""
    log_path = Path(km.ip).with_name("kernel.log")
    with open(log_path, "ab") as log:
        run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS, stdout=log, stderr=log)
    return km


def kill(km: AsyncKernelManager) -> None:
    """Kill the kernel process outright, from any thread: the thread running the notebook
    then sees a dead kernel and ends. (The manager's own shutdown belongs to the event loop
    of that thread and cannot be called from another.)"""
    pid = getattr(km.provisioner, "pid", None)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stop(km: AsyncKernelManager | None) -> None:
    """Shut the kernel down at once if it is running; a kernel serves one report."""
    if km is not None and km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)
    if km is not None:
        run_sync(km.cleanup_resources)()


def warm_up() -> None:
    """Start the template now, so that its imports overlap other work. In a process forked
    after its parent did this (a batch worker), use the parent's template: one template
    serves every worker, which saves each worker a second of imports."""
    _fork_context()
    from multiprocessing import forkserver

    server = forkserver._forkserver
    if server._forkserver_pid is not None and not _is_child(server._forkserver_pid):
        server.ensure_running = functools.partial(_check_template, server._forkserver_pid)
    server.ensure_running()


def _is_child(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def _check_template(pid: int) -> None:
    # multiprocessing checks its fork server with waitpid, which only the process that
    # started it may call; a worker sharing its parent's template checks it is there.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise RuntimeError("the kernel template process has ended") from None
