"""The kernel specs report kernels start from, and the spec manager that knows them.

A kernel spec is jupyter_client's description of a kernel: the command that runs it and, in
its metadata, the provisioner that starts it. Report kernels are the IPython kernel run
through reportlib.engine.kernel, started by one of reportlib's provisioners (see
reportlib.engine.provisioners): `reportlib-fresh` in a new interpreter, `reportlib-forked`
forked from a warm template. They are served by this spec manager instead of being installed
as spec files, so that no install step and no user's Jupyter folder can change them; every
other name is looked up as jupyter_client looks it up.
"""

from __future__ import annotations

import sys

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

FRESH = "reportlib-fresh"
FORKED = "reportlib-forked"


def spec(name: str) -> KernelSpec:
    """The spec of a report kernel; `name` is FRESH or FORKED."""
    return KernelSpec(
        argv=[sys.executable, "-m", "reportlib.engine.kernel", "-f", "{connection_file}"],
        display_name="Python 3 (report kernel)", language="python", interrupt_mode="signal",
        metadata={"kernel_provisioner": {"provisioner_name": name, "config": {}}})


class ReportKernelSpecs(KernelSpecManager):
    """jupyter_client's spec manager, plus the two report kernels."""

    def find_kernel_specs(self) -> dict[str, str]:
        return {**super().find_kernel_specs(), FRESH: "", FORKED: ""}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name in (FRESH, FORKED):
            return spec(kernel_name)
        return super().get_kernel_spec(kernel_name)
