"""reportlib: curated monitor data to a reproducible weekly report in HTML and PDF.

    >>> import reportlib
    >>> data = reportlib.load("data")
    >>> view = data.select(data.latest_period())
"""

from .dataset import Dataset, PeriodData, load
from .exceptions import DataError, ReportlibError
from .periods import Period

__version__ = "0.1.0"
__all__ = ["DataError", "Dataset", "Period", "PeriodData", "ReportlibError", "load"]
