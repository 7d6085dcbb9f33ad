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

from .errors import UsageError


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


def _written_beside(path: Path, data: bytes) -> str:
    """A temporary file next to `path` holding `data` whole, with the mode a new file gets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), _file_mode())
            stream.write(data)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return temp


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file next to its final name and rename it into place."""
    temp = _written_beside(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create a file whole, never replacing one: FileExistsError if the name is taken, even
    by a file made while this one was being written."""
    temp = _written_beside(path, data)
    try:
        os.link(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def separate_folders(folders: dict[str, str | Path | None]) -> None:
    """Refuse (UsageError, exit 2) the folders a command is given, by option name, when one
    is or lies inside another, once links are followed: a site written into outputs/ would
    replace the built reports and the archive page, and outputs or a site inside the data
    folder would fill the committed data with generated files. Also refused: a name that is
    a file, or a link that leads nowhere (a folder could not be made there)."""
    places = {}
    for option, given in folders.items():
        if given is None:
            continue
        path = Path(given)
        if path.is_symlink() and not path.exists():
            raise UsageError(f"{option} {given} is a link to {os.readlink(path)}, which does not exist; "
                             "remove the link or make the folder it points to")
        if path.exists() and not path.is_dir():
            raise UsageError(f"{option} {given} is a file, not a folder")
        places[option] = (given, path.resolve())
    options = list(places)
    for i, first in enumerate(options):
        for second in options[i + 1:]:
            (a, pa), (b, pb) = places[first], places[second]
            if pa == pb or pa.is_relative_to(pb) or pb.is_relative_to(pa):
                how = "are the same folder" if pa == pb else "overlap: one lies inside the other"
                raise UsageError(f"{first} {a} and {second} {b} {how}; the data, the outputs and the site "
                                 "must be separate folders (by default data, outputs and site), so that "
                                 "nothing one command writes replaces another's files; nothing was written")
