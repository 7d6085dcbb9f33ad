"""General helpers every layer uses, with the standard library only: files written whole or
not at all, and their digests.

    >>> write_atomic(Path("out/index.html"), b"<!doctype html>")
    >>> sha256_bytes(b"abc")[:12]
    'ba7816bf8f01'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _file_mode() -> int:
    """The mode open() would give a new file: mkstemp makes files only their owner can read,
    which would hide a rewritten index.html or data sheet from a web server or a colleague."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file next to its final name and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), _file_mode())
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create a file whole, never replacing one: FileExistsError if the name is taken, even
    by a file made while this one was being written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), _file_mode())
            stream.write(data)
        os.link(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
