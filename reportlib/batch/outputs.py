"""The output folder of one period: where files go, how they are replaced atomically, the
lock that keeps two builds of the same period apart, and the clearing of what a build that
died left there.

A build holds the period's lock (flock on .lock) from its first file to its last; the system
releases it however the build ends. A staging folder in a period folder whose lock is free
belongs to a build that has ended: `clear_dead` removes such folders, and never touches those
of a build that is running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import LockedError, UsageError

REPORT_FILES = ("report.ipynb", "report.html", "report.pdf", "manifest.json")
FAILED_NOTEBOOK = "report.failed.ipynb"
STAGING_PREFIX = ".staging-"


def period_dir(out_root: Path, label: str) -> Path:
    """outputs/<label>, refusing any label that would land elsewhere ('../../etc')."""
    root = out_root.resolve()
    target = (root / label).resolve()
    if target.parent != root or not label or label.startswith("."):
        raise UsageError(f"period label {label!r} would write outside {root}; "
                         "labels are period end dates such as 2020-12-03")
    return target


@contextlib.contextmanager
def unlocked(folder: Path):
    """Yield True while holding the folder's lock, if no build holds it; else yield False."""
    try:
        handle = open(folder / ".lock", "a")  # noqa: SIM115 - held for the with-block
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def clear_dead(folder: Path) -> bool:
    """Remove the staging folders builds that ended left in `folder` (none, if a build of it
    is running). True if there was something to remove."""
    leftovers = list(folder.glob(STAGING_PREFIX + "*"))
    if not leftovers:
        return False
    with unlocked(folder) as free:
        if not free:
            return False
        for old in leftovers:
            shutil.rmtree(old, ignore_errors=True)
    return True


def salvage(folder: Path, stage: Path) -> Path | None:
    """After the process building into `stage` was stopped: keep its executed notebook as
    report.failed.ipynb and remove the rest. Returns the kept notebook, if any."""
    with unlocked(folder) as free:
        if not free or not stage.is_dir():
            return None
        try:
            kept = keep_failed(stage / "report.ipynb", folder)
        except OSError:
            kept = None
        shutil.rmtree(stage, ignore_errors=True)
        return kept


@contextlib.contextmanager
def locked(folder: Path):
    """Hold an exclusive lock on the period folder for the whole build; a second build of
    the same period refuses at once instead of interleaving files."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / ".lock", "a+")  # noqa: SIM115 - held for the with-block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            raise LockedError(
                f"another build of {folder.name} is running ({owner}); wait for it to finish "
                "and run the command again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def staging(folder: Path):
    """A private folder beside the outputs; files are built there and renamed into place
    only when all of them exist. Leftovers of killed builds are removed first (the caller
    holds the lock, so nobody else is using them)."""
    for old in folder.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(old, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def put_in_place(stage: Path, folder: Path) -> None:
    """Rename each staged file over the old one (atomic per file), the manifest last so a
    manifest always describes files that are already in place."""
    for name in REPORT_FILES:
        source = stage / name
        if source.exists():
            os.replace(source, folder / name)
    with contextlib.suppress(FileNotFoundError):
        (folder / FAILED_NOTEBOOK).unlink()


def keep_failed(notebook: Path, folder: Path) -> Path | None:
    if not notebook.exists():
        return None
    target = folder / FAILED_NOTEBOOK
    os.replace(notebook, target)
    return target
