"""Imported once by the kernel template (see reportlib.kernels), and at kernel start by
every report kernel: everything a report needs, loaded before the first cell."""

from reportlib import collector, kernel

# Before the imports below, which make most of a kernel's objects and would import debugpy.
collector.tune()
kernel.without_debugger()

import ipykernel.ipkernel
import ipykernel.kernelapp  # noqa: F401
import IPython  # noqa: F401

import reportlib.report  # noqa: F401
from reportlib import figures

figures.warm()
