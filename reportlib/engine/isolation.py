"""The kernel side of a report kernel that serves several reports in turn (a batch worker's):
what one report may change in the kernel is put back before the next one runs.

`snapshot()` runs once, when the kernel has started and before its first report: it records
the state below. `reset()` runs after each report: it puts every part of it back, then
compares the whole of it with the record and raises if anything still differs, in which case
the caller discards the kernel and starts a new one. So a report finds the kernel as the
first report found it, whatever the reports before it did to:

- its namespace: IPython's own reset (variables, In/Out, the history session, the execution
  count back to 1);
- imports: modules a report added to sys.modules are dropped (imported afresh by the next
  report that needs them), modules it removed or replaced are put back; sys.path too;
- matplotlib: open figures closed, every rcParam, the backend;
- warnings: the filters (through warnings.catch_warnings, which also forgets which warnings
  were already shown, so a warning is shown again in the next report as in a new kernel);
- the process: environment variables, working folder, locale, numpy's error and print
  settings, the random generators of numpy and of `random`, pandas' options;
- IPython: callbacks registered on its events, printers registered with its display
  formatters.

It does not undo what a report does to objects that were there before it ran (a module's
attributes rebound, a class patched, files written): a report that does such things is
not isolated by this, and a batch whose reports must not trust each other that far runs
each in a kernel of its own (`reportlib build --kernels fresh`, or REPORTLIB_KERNEL_REUSE=0).
"""

from __future__ import annotations

import locale
import os
import random
import sys
import time
import warnings

import matplotlib
import numpy
import pandas
from IPython import get_ipython
from matplotlib import pyplot

_baseline: dict | None = None
_warnings = None  # the open warnings.catch_warnings of the current report


def _shell():
    return get_ipython()


def _formatters(shell) -> dict:
    formatters = dict(shell.display_formatter.formatters)
    formatters["ipython_display"] = shell.display_formatter.ipython_display_formatter
    formatters["mimebundle"] = shell.display_formatter.mimebundle_formatter
    return formatters


def _state(shell) -> dict:
    """Everything reset() puts back, in a form that compares with ==."""
    return {
        "namespace": sorted(shell.user_ns), "execution_count": shell.execution_count,
        "modules": dict(sys.modules), "path": list(sys.path),
        "figures": pyplot.get_fignums(), "rc": dict(matplotlib.rcParams), "backend": matplotlib.get_backend(),
        "warnings": list(warnings.filters),
        "environ": dict(os.environ), "cwd": os.getcwd(), "locale": locale.setlocale(locale.LC_ALL),
        "numpy_err": numpy.geterr(), "numpy_print": numpy.get_printoptions(),
        "numpy_random": _random_key(numpy.random.get_state()), "random": random.getstate(),
        "pandas": _pandas_options(),
        "events": {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()},
        "formatters": {name: (dict(f.type_printers), dict(f.deferred_printers))
                       for name, f in _formatters(shell).items()},
    }


def _random_key(state) -> tuple:
    kind, keys, pos, has_gauss, cached = state
    return kind, keys.tobytes(), pos, has_gauss, cached


def _pandas_options() -> dict:
    """Every pandas option by its dotted name, walked through `pandas.options`."""
    found = {}

    def walk(node, prefix):
        for name in dir(node):
            value = getattr(node, name)
            if type(value) is type(pandas.options):
                walk(value, f"{prefix}{name}.")
            else:
                found[prefix + name] = repr(value)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated options warn when read
        walk(pandas.options, "")
    return found


def snapshot() -> None:
    """Record the kernel's state before its first report (see the module's docstring)."""
    global _baseline, _warnings
    shell = _shell()
    _baseline = _state(shell)
    _baseline["numpy_random_state"] = numpy.random.get_state()
    _baseline["random_state"] = random.getstate()
    _baseline["namespace_values"] = dict(shell.user_ns)
    _baseline["formatter_objects"] = {name: (dict(f.type_printers), dict(f.deferred_printers))
                                      for name, f in _formatters(shell).items()}
    _warnings = warnings.catch_warnings()
    _warnings.__enter__()


def reset() -> None:
    """Put the kernel back as snapshot() found it; raise RuntimeError naming what could not be."""
    global _warnings
    if _baseline is None:
        raise RuntimeError("no snapshot was taken")
    shell = _shell()
    base = _baseline
    # The namespace first: the report's objects go before the modules they came from.
    shell.reset(new_session=True)
    # IPython's reset leaves `_` and its kin defined and takes the module's own dunders away;
    # a new kernel has the opposite.
    for name in set(shell.user_ns) - set(base["namespace"]):
        del shell.user_ns[name]
    for name, value in base["namespace_values"].items():
        shell.user_ns.setdefault(name, value)
    pyplot.close("all")
    sys.path[:] = base["path"]
    if matplotlib.get_backend() != base["backend"]:
        pyplot.switch_backend(base["backend"])
    if dict(matplotlib.rcParams) != base["rc"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated names, set back as they were
            matplotlib.rcParams.update(base["rc"])
    if _warnings is not None:
        _warnings.__exit__(None, None, None)
    _warnings = warnings.catch_warnings()
    _warnings.__enter__()
    if dict(os.environ) != base["environ"]:
        tz = os.environ.get("TZ")
        for name in set(os.environ) - set(base["environ"]):
            del os.environ[name]
        os.environ.update(base["environ"])
        if os.environ.get("TZ") != tz:
            time.tzset()
    if os.getcwd() != base["cwd"]:
        os.chdir(base["cwd"])
    if locale.setlocale(locale.LC_ALL) != base["locale"]:
        locale.setlocale(locale.LC_ALL, base["locale"])
    numpy.seterr(**base["numpy_err"])
    numpy.set_printoptions(**base["numpy_print"])
    numpy.random.set_state(base["numpy_random_state"])
    random.setstate(base["random_state"])
    if _pandas_options() != base["pandas"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    for name, callbacks in shell.events.callbacks.items():
        callbacks[:] = base["events"].get(name, [])
    for name, formatter in _formatters(shell).items():
        types, deferred = base["formatter_objects"][name]
        formatter.type_printers = dict(types)
        formatter.deferred_printers = dict(deferred)
    # Modules last: putting the rest back may import some (pandas' plotting backend).
    for name in set(sys.modules) - set(base["modules"]):
        del sys.modules[name]
    for name, module in base["modules"].items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
    now = _state(shell)
    differ = [_difference(name, now[name], base[name]) for name in now if now[name] != base[name]]
    if differ:
        raise RuntimeError(f"the kernel could not be reset: {'; '.join(differ)}")


def _difference(name: str, now, then) -> str:
    if isinstance(now, dict) and isinstance(then, dict):
        keys = sorted(k for k in {*now, *then} if now.get(k, _MISSING) != then.get(k, _MISSING))
        return f"{name} differ in {', '.join(map(str, keys[:5]))}"
    if isinstance(now, list) and isinstance(then, list) and all(isinstance(x, str) for x in [*now, *then]):
        return f"{name} differ: {sorted(set(now) ^ set(then))[:5]}"
    return f"{name} differ"


_MISSING = object()
