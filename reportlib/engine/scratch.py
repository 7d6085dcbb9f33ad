"""Private folders in the system temp folder (the kernels' sockets and logs), each owned by
the process that made it for as long as it runs.

The owner holds a lock on its folder (flock on the folder itself), which the system releases
however the owner ends, SIGKILL included; a marker file says the folder is one of these. A
folder whose lock can be taken belongs to a process that has ended, and `clear_dead` removes
it: never a live build's folder, and never a folder of any other kind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "reportlib-kernel-"  # kept short: kernels' sockets live in these folders
_MARKER = ".reportlib-owner"

_mine: dict[int, tuple[Path, int]] = {}  # pid -> (folder, locked descriptor), one per process


def folder() -> Path:
    """This process's folder, made on first use (a forked child makes its own)."""
    pid = os.getpid()
    if pid not in _mine:
        path = Path(tempfile.mkdtemp(prefix=PREFIX))
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Marked only once locked: a folder is never both marked and free while its owner lives.
        (path / _MARKER).write_text(f"{pid}\n", encoding="ascii")
        _mine[pid] = (path, fd)
    return _mine[pid][0]


def subfolder(name: str) -> Path:
    """A fresh folder inside this process's folder."""
    return Path(tempfile.mkdtemp(prefix=name + "-", dir=folder()))


def remove() -> None:
    """Remove this process's folder, if it made one."""
    entry = _mine.pop(os.getpid(), None)
    if entry is not None:
        path, fd = entry
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def clear_dead(root: Path | None = None) -> list[Path]:
    """Remove the folders whose owners have ended; return them."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(PREFIX + "*"):
        if not (path / _MARKER).is_file() or any(path == mine for mine, _ in _mine.values()):
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its owner is running
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
    return removed
