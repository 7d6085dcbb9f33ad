"""What a period's report is made of, reduced to one key: the data rows it reads, the
notebook, the parameters, the template, the package and the versions of the tools that
render it. A period whose key is unchanged does not need rebuilding."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..inputs.dataset import Dataset, PeriodData
from ..publish.records import notices
from .digest import environment, package_hash, sha256_bytes, sha256_file


def frame_hash(frame: pd.DataFrame) -> str:
    """Order-sensitive hash of rows; pandas' row hash uses a fixed key, so it is stable
    between runs and machines."""
    if frame.empty:
        return sha256_bytes(",".join(frame.columns).encode())
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return sha256_bytes(",".join(frame.columns).encode() + rows.tobytes())


def period_inputs(data: Dataset, view: PeriodData, notebook: Path, parameters: dict) -> dict:
    """The inputs of one period's report (`view`, what it reads), each with its hash."""
    return {
        **data_inputs(data, view),
        "notebook": {"path": notebook.name, "sha256": sha256_file(notebook)},
        "parameters": {k: parameters[k] for k in sorted(parameters) if k != "data_dir"},
        "package": {"version": environment()["packages"]["reportlib"], "sha256": package_hash()},
        "tools": environment()["packages"],
    }


def data_inputs(data: Dataset, view: PeriodData) -> dict:
    """The part of a period's inputs that comes from the data folder (an import asks
    whether it changes a built period with this)."""
    period = view.period
    issue_file = data.root / "issues" / f"{period.label}.yaml"
    before, after = view.neighbours
    files = {
        "monitor.yaml": sha256_file(data.root / "monitor.yaml"),
        "sources": frame_hash(data.sources),
    }
    if issue_file.exists():
        files[f"issues/{issue_file.name}"] = sha256_file(issue_file)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "trend_weeks": view.trend_weeks},
        "data_files": files,
        "rows": {
            "incidents": {"count": len(view.trend_incidents), "sha256": frame_hash(view.trend_incidents)},
            "indicators": {"count": len(view.indicators), "sha256": frame_hash(view.indicators)},
        },
        "neighbours": [p.label if p else None for p in (before, after)],
        # A correction of a published issue is printed in its title block.
        "corrections": notices(data.root, period),
        # The trend chart draws one mark per declared issue in the window.
        "issue_periods": [str(p) for p in view.issue_periods],
    }


def cache_key(inputs: dict) -> str:
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode())
