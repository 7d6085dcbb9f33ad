"""The part of a period's key that comes from the data folder: the rows the period reads, its
issue file, the sources and the corrections printed in it. The build's key
(reportlib.batch.fingerprint) adds the notebook, the code and the tools; an import asks with
this part alone whether it would change a built period."""

from __future__ import annotations

import pandas as pd

from ..files import sha256_bytes, sha256_file
from .dataset import Dataset, PeriodData
from .records import notices


def frame_hash(frame: pd.DataFrame) -> str:
    """Order-sensitive hash of rows; pandas' row hash uses a fixed key, so it is stable
    between runs and machines."""
    if frame.empty:
        return sha256_bytes(",".join(frame.columns).encode())
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return sha256_bytes(",".join(frame.columns).encode() + rows.tobytes())


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
            # Which issue of the window counts each row (inputs.owners) moves with other issues' files.
            "counted_on": frame_hash(view.counted_on.to_frame()) if view.counted_on is not None else None,
            "indicators": {"count": len(view.indicators), "sha256": frame_hash(view.indicators)},
        },
        "neighbours": [p.label if p else None for p in (before, after)],
        # A correction of a published issue is printed in its title block.
        "corrections": notices(data.root, period),
        # The trend chart draws one mark per declared issue in the window.
        "issue_periods": [str(p) for p in view.issue_periods],
    }
