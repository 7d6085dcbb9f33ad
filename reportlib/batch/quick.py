"""The quick up-to-date check of a single build: decided from bytes on disk, before pandas,
papermill or a kernel is loaded, in a few tens of milliseconds.

The full check (reportlib.batch.plan) loads and validates the data, selects the rows the
period's report reads and hashes them with everything else the report depends on: sound, but
a second or more of imports and work. This check is a sound shortcut to the same answer. Each
build records in its manifest a digest of everything the full key is computed from, taken
coarser: the bytes of every file in the data folder (whether the loader reads it or not), the
notebook, the -p values as given, the package's files and the tools' versions; and the ways of
asking for a period that resolve to this one (the latest period, its end date, its span). If
the request is one of those, the digest is the same now and every output still has its
recorded hash, the full check would find the same key and intact outputs: the report is up to
date. Any difference, even in a file no report reads, falls back to the full check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..files import sha256_file
from ..inputs.periods import Period
from . import manifest
from .digest import environment, package_hash
from .outputs import period_dir

VERSION = 1


@dataclass(frozen=True)
class Request:
    """How the command asked for a period, its dates read once at the command line or the
    public API: the latest declared one, the declared one ending on `end`, or exactly the
    period `span`."""

    kind: str  # latest | end | span
    end: dt.date | None = None
    span: Period | None = None

    @property
    def last_day(self) -> str:
        """The end asked for, as the folder and the manifest write it; '' for the latest."""
        day = self.span.end if self.span is not None else self.end
        return day.isoformat() if day is not None else ""


def requests_for(data, period) -> list[str]:
    """The kinds of request that resolve to `period` with this data (a loaded Dataset)."""
    kinds = ["span"]
    try:
        declared = data.period_ending(period.end) == period
    except UsageError:  # no issue declares a period ending then: an ad hoc span
        declared = False
    if declared:
        kinds.append("end")
    if data.periods() and data.latest_period() == period:
        kinds.append("latest")
    return kinds


def data_digest(root: Path) -> str:
    """Every entry of the data folder, hidden ones and subfolders included: a regular file by
    its bytes, a link by its target (and the bytes there, if a regular file), anything else by
    its kind alone (a FIFO or a device is never opened)."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            entry = os.path.relpath(path, root)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path)
                content = sha256_file(Path(path)) if os.path.isfile(path) else ""
                digest.update(f"link|{entry}|{target}|{content}\n".encode())
            elif stat.S_ISREG(info.st_mode):
                digest.update(f"file|{entry}|{sha256_file(Path(path))}\n".encode())
            else:
                digest.update(f"special|{entry}|{stat.S_IFMT(info.st_mode)}\n".encode())
    return digest.hexdigest()


def key(data_dir: Path, notebook: Path, parameters: Mapping[str, str]) -> str:
    """The digest a build records and this check compares; `parameters` are the -p values as
    given, as text."""
    content = {
        "version": VERSION,
        "data": data_digest(data_dir),
        "notebook": [notebook.name, sha256_file(notebook)],
        "parameters": sorted(parameters.items()),
        "package": package_hash(),
        "tools": environment()["packages"],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def digest(data_dir: Path, notebook: Path, parameters: Mapping[str, str]) -> str:
    """key(), taken before anything reads the inputs; '' when a file cannot be read (the
    full check then decides). It is the one hash of the data folder's bytes a build takes:
    the loader's cache and the build's key hash what they read, row by row."""
    try:
        return key(data_dir, notebook, parameters)
    except OSError:
        return ""


def latest_end(data_dir: Path) -> str | None:
    """The end of the latest declared period, as the issue files are named; the manifest
    found there confirms it (or the full check decides)."""
    names = sorted(path.stem for path in (data_dir / "issues").glob("*.yaml"))
    return names[-1] if names else None


def up_to_date(request: Request, data_dir: Path, out_root: Path, digest: str) -> Path | None:
    """The folder of the requested period if it is certainly up to date; None if this check
    cannot tell (the full check then decides). `digest` is key() of the inputs now."""
    end = request.last_day or latest_end(data_dir)
    if not end:
        return None
    try:
        folder = period_dir(out_root, end)
    except Exception:
        return None
    recorded = manifest.read(folder)
    if not recorded:
        return None
    quick = recorded.get("quick")
    if not isinstance(quick, dict) or request.kind not in quick.get("requests", ()):
        return None
    period = recorded.get("inputs", {}).get("period", {})
    if period.get("end") != end or (request.span is not None and period.get("start") != request.span.start.isoformat()):
        return None
    if quick.get("key") != digest:
        return None
    return folder if manifest.outputs_intact(folder, recorded) else None
