"""Scaffold the files of a new period (see `reportlib new-period`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def scaffold(data_dir: Path, end: dt.date, start: dt.date | None = None) -> list[str]:
    raise NotImplementedError("reportlib new-period is not available yet")
