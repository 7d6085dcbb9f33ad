"""manifest.json, the record of one period's build: what went in (the key, the inputs and
their hashes), what came out (each file's hash and size), the environment, the timings, what
the archive page shows, and what the quick up-to-date check compares (reportlib.batch.quick).

A folder is up to date when its manifest's key is the key of the inputs now and every output
still has the hash the manifest records: a report.pdf or report.html changed in place, even
to the same size, is rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..files import sha256_file
from .digest import environment

NAME = "manifest.json"
OUTPUTS = ("report.ipynb", "report.html", "report.pdf")

# Fields of the executed notebook that change from run to run; everything else is the same
# for the same inputs. The manifest names them so that a diff can ignore them.
VOLATILE_NOTEBOOK_FIELDS = [
    "metadata.papermill.start_time",
    "metadata.papermill.end_time",
    "metadata.papermill.duration",
    "metadata.papermill.environment_variables",
    "cells[*].metadata.papermill.start_time",
    "cells[*].metadata.papermill.end_time",
    "cells[*].metadata.papermill.duration",
    "cells[*].metadata.execution",
]


def read(folder: Path) -> dict | None:
    """The folder's manifest, or None if it has none that can be read."""
    try:
        manifest = json.loads((folder / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def outputs_intact(folder: Path, manifest: dict) -> bool:
    """Every output the manifest lists is there with the hash it records."""
    produced = manifest.get("outputs")
    if not isinstance(produced, dict) or set(produced) != set(OUTPUTS):
        return False
    for name, info in produced.items():
        target = folder / name
        try:
            if not isinstance(info, dict) or sha256_file(target) != info.get("sha256"):
                return False
        except OSError:
            return False
    return True


def up_to_date(folder: Path, key: str) -> bool:
    """The folder holds a complete build whose inputs hashed to `key`, its outputs intact."""
    manifest = read(folder)
    return manifest is not None and manifest.get("key") == key and outputs_intact(folder, manifest)


def record(stage: Path, key: str, inputs: dict, files: list[dict], timings: dict, summary: dict,
           quick: dict | None) -> dict:
    """The manifest of the files built in `stage`."""
    produced = {}
    for name in OUTPUTS:
        path = stage / name
        produced[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    return {
        "key": key,
        "inputs": {**inputs, "files": files},
        "environment": environment(),
        "outputs": produced,
        "volatile_notebook_fields": VOLATILE_NOTEBOOK_FIELDS,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "summary": summary,
        "quick": quick,
    }


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"
