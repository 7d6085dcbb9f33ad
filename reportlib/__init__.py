"""reportlib: curated monitor data to a reproducible weekly report in HTML and PDF.

    >>> import reportlib
    >>> data = reportlib.load("data")
    >>> view = data.select(data.latest_period())
    >>> reportlib.build("2020-12-03", data="data", out="outputs")   # as `reportlib build`
    >>> reportlib.build_range("2020-11-01", "2020-12-31", jobs=2)
    >>> reportlib.publishing("2020-12-03")                              # as `reportlib publish`

The functions of the command line (build, build_range, publish, correct, send, validate,
new_period, demo_data, load) are documented, with examples, in reportlib.api; how a build
runs is one value, reportlib.BuildOptions. A report notebook opens its report with
`Report.open(data_dir, period_end)` (the weekly report, reportlib.reports.weekly) or
`TrendsReport.open(...)` (reportlib.reports.trends).

The names below are loaded on first use, so that `import reportlib.engine.kernels` (the first
thing a build does, to start its kernel early) does not wait for pandas.
"""

from importlib import import_module

__version__ = "0.1.0"
__all__ = ["Batch", "BatchFailed", "BuildOptions", "Built", "DataError", "Dataset", "Period", "PeriodData",
           "Report", "ReportlibError", "TrendsReport", "build", "build_range", "correct", "demo_data", "load",
           "new_period", "publish", "send", "validate"]

_WHERE = {
    **dict.fromkeys(["build", "build_range", "publish", "correct", "send", "validate", "new_period", "demo_data",
                     "load", "Built", "Batch", "BatchFailed", "BuildOptions"], "api"),
    "DataError": "errors",
    "ReportlibError": "errors",
    "Dataset": "inputs.dataset",
    "PeriodData": "inputs.dataset",
    "Period": "inputs.periods",
    "Report": "reports.weekly",
    "TrendsReport": "reports.trends",
}


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'reportlib' has no attribute {name!r}")
