"""Imported once by the kernel template (see reportlib.engine.template), and at kernel start by
every report kernel: everything a report needs, loaded before the first cell."""

import importlib

from reportlib.engine import collector

# Before the imports below, which make most of a kernel's objects.
collector.tune()

import ipykernel.ipkernel
import ipykernel.kernelapp  # noqa: F401
import IPython  # noqa: F401
import matplotlib.pyplot  # noqa: F401
import matplotlib_inline.backend_inline  # noqa: F401

import reportlib.inputs.cache
import reportlib.reports.weekly  # noqa: F401
from reportlib.content import figures

figures.warm()

# What ipykernel and IPython import while a kernel starts (the debugger, the history
# database, tornado's queues, ...) and the data cache's unpickling needs: imported here,
# once, instead of in every kernel forked from the template.
for _name in ("IPython.core.completerlib", "IPython.core.debugger", "IPython.core.logger",
              "IPython.core.oinspect", "IPython.extensions.storemagic", "IPython.utils.wildcard",
              "encodings.utf_8_sig", "faulthandler", "ipykernel.debugger", "pyarrow.pandas_compat",
              "pyarrow.vendored.version", "sqlite3", "tornado.platform.asyncio", "tornado.queues"):
    importlib.import_module(_name)
