"""Imported once by the kernel template (see reportlib.kernels), and at kernel start by
every report kernel: everything a report needs, loaded before the first cell."""

import os

from reportlib import collector

collector.tune()  # before the imports below, which make most of a kernel's objects

# debugpy warns on import when Python uses frozen modules; the kernels never attach a debugger.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

import ipykernel.debugger
import ipykernel.ipkernel
import ipykernel.kernelapp  # noqa: F401
import IPython  # noqa: F401

import reportlib.report  # noqa: F401
from reportlib import figures

figures.warm()
