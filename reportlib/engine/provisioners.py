"""How a report's kernel process is started: two jupyter_client kernel provisioners.

jupyter_client asks a provisioner (its door for this, registered under the entry-point group
`jupyter_client.kernel_provisioners`, chosen by the kernel spec's
`metadata.kernel_provisioner.provisioner_name`, see reportlib.engine.kernelspec) to launch,
signal, poll and kill a kernel. Both of these run ipykernel on the connection file the kernel
manager wrote, in the caller's process group, and tie its life to the process that started it:

- `FreshKernel` ("reportlib-fresh") runs `python -m reportlib.engine.kernel`: a new
  interpreter, which imports everything as it starts;
- `ForkedKernel` ("reportlib-forked") forks it from this process's kernel template (see
  reportlib.engine.template), which imported everything once, so the kernel starts warm.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import KernelProvisionerBase

# ipykernel imports debugpy, which warns on every import that Python's frozen modules may hide
# breakpoints from it; report kernels are never debugged, and debugpy's own switch silences it.
QUIET_DEBUGGER = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}


class _ReportKernel(KernelProvisionerBase):
    """What both provisioners share: a kernel process this one started and can signal."""

    pid: int | None = None
    _child_of_caller = True  # the kernel's parent is this process (else the template)

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    def _exit_code(self) -> int | None:
        raise NotImplementedError

    def _forget(self) -> None:
        """Release what the process left once it has ended (its zombie, its descriptors)."""

    async def poll(self) -> int | None:
        return 0 if self.pid is None else self._exit_code()

    async def wait(self) -> int | None:
        # The manager bounds this wait with its own timeout (then kills the kernel).
        while self.pid is not None and self._exit_code() is None:
            await asyncio.sleep(0.02)
        code = self._exit_code() if self.pid is not None else 0
        self._forget()
        self.pid = None
        return code

    async def send_signal(self, signum: int) -> None:
        if self.pid is not None and self._exit_code() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def cleanup(self, restart: bool = False) -> None:
        pass

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        assert km is not None  # jupyter_client makes each provisioner with its kernel manager as parent
        extra = kwargs.pop("extra_arguments", [])
        km.write_connection_file()
        self.connection_info = km.get_connection_info()
        if self._child_of_caller:
            # ipykernel's own watch on its parent, beside the death signal the kernel asks for
            # as it starts (reportlib.engine.kernel).
            extra = [*extra, f"--IPKernelApp.parent_handle={os.getpid()}"]
        kwargs = await super().pre_launch(cmd=km.format_kernel_cmd(extra_arguments=extra), **kwargs)
        kwargs["env"].update(QUIET_DEBUGGER)
        return kwargs

    async def get_provisioner_info(self) -> dict[str, Any]:
        info = await super().get_provisioner_info()
        info["pid"] = self.pid
        return info

    async def load_provisioner_info(self, provisioner_info: dict) -> None:
        await super().load_provisioner_info(provisioner_info)
        self.pid = provisioner_info.get("pid")


class FreshKernel(_ReportKernel):
    """A kernel in a new interpreter: `python -m reportlib.engine.kernel -f FILE`."""

    _process: subprocess.Popen | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        # Not a session of its own (as jupyter_client's local provisioner makes): the kernel
        # belongs to the build, in its process group, and ends with it.
        self._process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=kwargs.get("stdout"), stderr=kwargs.get("stderr"),
            cwd=kwargs.get("cwd"), env=kwargs.get("env"), close_fds=True)
        self.pid = self._process.pid
        return self.connection_info

    def _exit_code(self) -> int | None:
        return self._process.poll() if self._process is not None else 0

    def _forget(self) -> None:
        self._process = None


class ForkedKernel(_ReportKernel):
    """A kernel forked from this process's warm kernel template."""

    _process = None  # a multiprocessing.Process
    _child_of_caller = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        from . import template  # here, not at the top: template imports this module

        km = self.parent
        assert km is not None  # jupyter_client makes each provisioner with its kernel manager as parent
        arguments = [arg for arg in cmd if arg.startswith("--")]
        self._process = template.fork_kernel(km.connection_file, str(kwargs.get("cwd") or os.getcwd()),
                                             dict(kwargs.get("env") or os.environ), arguments,
                                             name=f"kernel-{self.kernel_id}")
        self.pid = self._process.pid
        return self.connection_info

    def _exit_code(self) -> int | None:
        return self._process.exitcode if self._process is not None else 0

    def _forget(self) -> None:
        if self._process is not None:
            self._process.join(0)
            with contextlib.suppress(ValueError):
                self._process.close()
        self._process = None
