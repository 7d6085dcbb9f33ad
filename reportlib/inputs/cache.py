"""Validated data folders kept on disk, so that every process after the first to load the
same folder (a build's kernel after the command, each report kernel of a batch) reads the
result in a few milliseconds instead of parsing and checking every file again.

An entry's key is the bytes of every file the loader reads (the one list of them is
`DataFolder.files`), the date validation judges by and the code that validates: any edit,
even one that keeps a file's size and time, is a different key, and a file cannot be read
without being hashed. Only clean loads are kept (a folder with errors is checked afresh each
time and its errors printed), folders over CACHE_LIMIT bytes are not kept (pickling them
would cost more than it saves), and an unreadable entry is ignored. The cache lives in
$REPORTLIB_CACHE_DIR, else $XDG_CACHE_HOME/reportlib, else ~/.cache/reportlib; setting
REPORTLIB_CACHE_DIR to "off" turns it off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ..errors import DataError
from .datafolder import DataFolder

CACHE_LIMIT = 32 * 2**20
KEEP = 16  # entries kept, newest first: a year of weekly edits does not fill the disk


def folder() -> Path | None:
    setting = os.environ.get("REPORTLIB_CACHE_DIR", "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reportlib"


@functools.cache
def _code_identity() -> str:
    """The package's code and reference tables, by name, size and time: validation is theirs."""
    root = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *root.glob("inputs/reference/*")]):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def key(data: DataFolder, today: dt.date) -> str | None:
    """The entry name for this folder as it is now: the bytes of the files on the loader's
    own list (`DataFolder.files`), kept for the loader to parse; None when the folder is too
    big to keep or a file is refused (the loader then says why)."""
    files = data.files()
    try:
        if sum(os.stat(path).st_size for path in files) > CACHE_LIMIT:
            return None
        digest = hashlib.sha256(f"{_code_identity()}|{data.root}|{today.isoformat()}".encode())
        for path in files:
            raw = data.read(path, keep=True)
            digest.update(f"|{path.relative_to(data.root)}|{len(raw)}|{data.digests[path]}".encode())
    except (OSError, DataError):
        return None
    return digest.hexdigest()


def get(name: str):
    place = folder()
    if place is None:
        return None
    try:
        with open(place / f"{name}.pickle", "rb") as stream:
            return pickle.load(stream)
    except Exception:  # missing, partly written by a killed process, or from another version
        return None


def put(name: str, value) -> None:
    place = folder()
    if place is None:
        return
    with contextlib.suppress(OSError):
        place.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=place, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, place / f"{name}.pickle")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        entries = sorted(place.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
