"""What a period's report is made of, reduced to one key: the data rows it reads, the
notebook, the parameters, the template, the package and the versions of the tools that
render it. A period whose key is unchanged does not need rebuilding."""

from __future__ import annotations

import json
from pathlib import Path

from ..files import sha256_bytes, sha256_file
from ..inputs.dataset import Dataset, PeriodData
from ..inputs.fingerprint import data_inputs
from .digest import environment, package_hash


def period_inputs(data: Dataset, view: PeriodData, notebook: Path, parameters: dict) -> dict:
    """The inputs of one period's report (`view`, what it reads), each with its hash."""
    return {
        **data_inputs(data, view),
        "notebook": {"path": notebook.name, "sha256": sha256_file(notebook)},
        "parameters": {k: parameters[k] for k in sorted(parameters) if k != "data_dir"},
        "package": {"version": environment()["packages"]["reportlib"], "sha256": package_hash()},
        "tools": environment()["packages"],
    }


def cache_key(inputs: dict) -> str:
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode())
