"""Hashes of files and of the installed code and tools, with nothing heavier than the standard
library: the quick up-to-date check (reportlib.batch.quick) uses them before pandas or Jupyter
is imported, and the full key (reportlib.batch.fingerprint) uses the same ones."""

from __future__ import annotations

import functools
import hashlib
import platform
import sys
from importlib import metadata
from pathlib import Path

from ..files import sha256_file

KEY_PACKAGES = ("reportlib", "papermill", "nbclient", "nbconvert", "ipykernel", "pandas",
                "pyarrow", "weasyprint", "pydyf", "nh3", "mistune", "matplotlib")


@functools.cache
def package_hash() -> str:
    """Every file of the installed package (code, templates, fonts, reference tables): a
    change to any of them can change the report, whatever the version number says."""
    root = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(sha256_file(path).encode())
    return digest.hexdigest()


@functools.cache
def environment() -> dict:
    versions: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": sys.version.split()[0], "implementation": platform.python_implementation(),
            "platform": platform.platform(), "packages": versions}
