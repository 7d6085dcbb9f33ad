"""reportlib: curated monitor data to a reproducible weekly report in HTML and PDF.

    >>> import reportlib
    >>> data = reportlib.load("data")
    >>> view = data.select(data.latest_period())
    >>> reportlib.build("2020-12-03", data="data", out="outputs")   # as `reportlib build`
    >>> reportlib.build_range("2020-11-01", "2020-12-31", jobs=2)

build and build_range are documented in reportlib.batch.api, with their errors and results.
A report notebook opens its report with `Report.open(data_dir, period_end)` (the weekly
report, reportlib.reports.weekly) or `TrendsReport.open(...)` (reportlib.reports.trends).

The names below are loaded on first use, so that `import reportlib.engine.kernels` (the first
thing a build does, to start its kernel early) does not wait for pandas.
"""

from importlib import import_module

__version__ = "0.1.0"
__all__ = ["Batch", "BatchFailed", "Built", "DataError", "Dataset", "Period", "PeriodData", "Report",
           "ReportlibError", "TrendsReport", "build", "build_range", "load"]

_WHERE = {
    "build": "batch.api",
    "build_range": "batch.api",
    "Built": "batch.api",
    "Batch": "batch.api",
    "BatchFailed": "batch.api",
    "DataError": "errors",
    "ReportlibError": "errors",
    "Dataset": "inputs.dataset",
    "PeriodData": "inputs.dataset",
    "load": "inputs.dataset",
    "Period": "inputs.periods",
    "Report": "reports.weekly",
    "TrendsReport": "reports.trends",
}


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'reportlib' has no attribute {name!r}")
