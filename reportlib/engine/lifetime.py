"""No process of a build outlives the command that started it.

A build is a tree of processes: the command, its printing process or batch workers, each
worker's kernel template (multiprocessing's fork server) and resource tracker, and the report
kernels. Whatever way the command ends, none of them may go on running (and writing report
folders) after it. Linux gives the means, through prctl(2):

- PR_SET_PDEATHSIG: a process asks to be killed when its parent ends, SIGKILL of the parent
  included. `die_with_parent` sets it in a process; `forks_die_with_this_process` makes every
  process this one forks from its main thread set it (os.register_at_fork), so that the
  command's workers and printer, and each template's kernels, end with their parent.
- PR_SET_CHILD_SUBREAPER: processes orphaned below the command (a worker's fork server and
  resource tracker, which end by themselves moments after the worker) become the command's
  children instead of init's, so that `end_children` can wait for them before the command
  exits, and no helper is left in the caller's process group.

The death signal is tied to the parent *thread*: a child forked from a thread that ends would
be killed with it, so only forks from the main thread get it. Elsewhere than Linux these are
no-ops.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_LINUX = sys.platform.startswith("linux")


def _prctl(option: int, value: int) -> bool:
    if not _LINUX:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0


def die_with_parent(parent: int | None = None) -> None:
    """Be killed (SIGKILL) when the parent ends. With `parent`, the pid the parent had: if it
    has already ended (so this process was adopted before it could ask), end now."""
    if not _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL):
        return
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


_fork = threading.local()
_hooked = False


def _before_fork() -> None:
    _fork.from_main = threading.current_thread() is threading.main_thread()
    _fork.parent = os.getpid()


def _after_fork_in_child() -> None:
    # The forking thread is the child's only thread, and its thread-local values came along.
    if getattr(_fork, "from_main", False):
        die_with_parent(_fork.parent)


def forks_die_with_this_process() -> None:
    """Every process forked from this one's main thread from now on ends when this one does.
    (subprocess.Popen runs no fork hooks: a program it starts must ask for itself, as the
    report kernel does in reportlib.engine.kernel.)"""
    global _hooked
    if _LINUX and not _hooked:
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
        _hooked = True


def adopt_orphans() -> None:
    """Become the parent of every process orphaned below this one."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def children() -> list[int]:
    """The pids of this process's children, zombies included."""
    if not _LINUX:
        return []
    me = os.getpid()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields after it are fixed.
        fields = stat[stat.rfind(b")") + 2:].split()
        if int(fields[1]) == me:
            found.append(int(name))
    return found


def end_children(grace: float = 5.0) -> list[int]:
    """Wait for every child of this process to end, adopted orphans included; kill those
    still running after `grace` seconds. Returns the pids that had to be killed. Call it once
    every child this process knows of has been joined: it reaps whatever is left."""
    deadline = time.monotonic() + grace
    killed: list[int] = []
    while True:
        left = []
        for pid in children():
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if not done:
                left.append(pid)
        if not left:
            return killed
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                if pid not in killed:
                    killed.append(pid)
        time.sleep(0.01)
