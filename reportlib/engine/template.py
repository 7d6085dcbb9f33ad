"""The kernel template: a process that imports everything a report kernel needs once, and
forks each report's kernel from itself, ready to run.

It is multiprocessing's fork server, through its public API: a "forkserver" context whose
preload list names reportlib.engine.templateprocess. A kernel costs about a second before its
first cell when it starts from nothing (Python, ipykernel, pandas, pyarrow, reportlib); forked
from the template it is ready in milliseconds. The template never runs report code, so each
kernel starts from the same pristine state; a batch worker's kernel then serves several
reports, put back to that state between them (reportlib.engine.isolation).

Each process that forks kernels has a template of its own (a batch worker starts its own as
it starts): multiprocessing keeps one fork server per process and offers no way to share it.
The template ends with that process (PR_SET_PDEATHSIG), and each kernel with the template.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import signal

# The template's imports, and the command's own module: multiprocessing imports the parent's
# __main__ (reportlib's command) in every process it forks from the template.
PRELOAD = ["reportlib.engine.templateprocess", "reportlib.cli"]


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start() -> None:
    """Start this process's template now, so that its imports overlap other work."""
    # Imports of reportlib here, not at the top: this module is what the fork server loads
    # first, before PRELOAD, and provisioners (jupyter_client) imports it.
    from .provisioners import QUIET_DEBUGGER

    _context()
    saved = {name: os.environ.get(name) for name in QUIET_DEBUGGER}
    os.environ.update(QUIET_DEBUGGER)  # the template imports debugpy (see provisioners)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fork_kernel(connection_file: str, cwd: str, env: dict, arguments: list[str], name: str):
    """A started process (multiprocessing.Process) that becomes ipykernel on `connection_file`."""
    start()
    log = os.path.join(os.path.dirname(connection_file), "kernel.log")
    process = _context().Process(target=_run_kernel, args=(connection_file, cwd, env, arguments, log),
                                 name=name)
    process.start()
    return process


def _run_kernel(connection_file: str, cwd: str, env: dict, arguments: list[str], log: str) -> None:
    """Body of a forked kernel process: become an ordinary ipykernel on the given socket."""
    from . import collector, lifetime  # in the kernel: see start()

    lifetime.die_with_parent()
    template = os.getppid()
    collector.freeze()
    _redirect(log)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from ipykernel.kernelapp import IPKernelApp

    # parent_handle: ipykernel's own watch on its parent, beside the death signal.
    IPKernelApp.launch_instance(argv=["-f", connection_file, f"--IPKernelApp.parent_handle={template}", *arguments])


def _redirect(log: str) -> None:
    """Send the kernel's own stdout and stderr (not the notebook's: those go to the
    notebook) to a log beside its socket, so a kernel shut down mid-import or crashing
    never prints into the user's terminal."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
