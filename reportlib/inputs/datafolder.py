"""The files of a data folder: which ones the loader reads, and how any data file is read
and written.

There is one list (`DataFolder`): the loader parses the files on it and the data cache
hashes the same files, so a file cannot be loaded without being part of the cache key. And
there is one way to read a file (`read_file`), which every reader of data uses: CSV
sheets, YAML files, the cache key, and the file given to `reportlib import`. It reads only
regular files and, in the data folder, only files that lie inside it once links are
followed; a named pipe would block the read forever, a device such as /dev/zero would never
end, and a link to /etc/passwd would put another file's lines in an error message.

Writing goes the same way: `write_file` replaces (or creates) a file whole and
`open_append` opens one to add lines to (the send log), and both write only a regular file
that lies inside the data folder once links are followed. A publication record, a kept
report, an imported sheet and the send log are written through them, so a link planted in
the data folder cannot make reportlib write to another file.

    >>> folder = DataFolder(Path("data"))        # doctest: +SKIP
    >>> [folder.shown(p) for p in folder.files()]  # doctest: +SKIP
    ['data/monitor.yaml', 'data/sources.csv', 'data/incidents.csv', ..., 'data/issues/2020-12-03.yaml']
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

from ..errors import DataError, Problem
from ..files import sha256_bytes, write_atomic, write_new
from .schema import ACLED_TYPES, INCIDENTS, INDICATORS, SOURCES, Table

MONITOR_FILE = "monitor.yaml"
ISSUES_DIR = "issues"
TABLES = (SOURCES, INCIDENTS, INDICATORS)  # in the order the loader reads them

_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def read_file(path: Path, shown: str, inside: Path | None = None) -> bytes:
    """The bytes of the regular file at `path`; with `inside` (a resolved folder), only if
    the file, links followed, is in that folder. Anything else raises DataError with one
    Problem naming the file and the reason; nothing but a regular file is ever opened."""

    def refused(reason: str) -> DataError:
        return DataError([Problem(shown, None, None, None, reason)])

    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            raise refused(f"is a link to {os.readlink(path)}, which does not exist") from None
        raise refused("does not exist") from None
    except (OSError, RuntimeError) as exc:  # a loop of links, a folder that cannot be searched
        raise refused(f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if inside is not None and not target.is_relative_to(inside):
        raise refused(f"is a link to {target}, outside the data folder {inside}; only files inside "
                      "the data folder are read (copy the file in instead)")
    try:
        before = os.stat(target)
        if not stat.S_ISREG(before.st_mode):
            kind = _KINDS.get(stat.S_IFMT(before.st_mode), "not a regular file")
            raise refused(f"is {kind}, not a regular file; only regular files are read")
        # O_NONBLOCK: should a pipe take the file's place after the check, opening it
        # returns at once instead of waiting for a writer, and fstat below refuses it.
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as stream:
            now = os.fstat(fd)
            if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
                raise refused("was replaced while it was being read; run the command again")
            return stream.read()
    except OSError as exc:
        raise refused(f"cannot be read: {exc.strerror}") from None


def _target(path: Path, shown: str, inside: Path) -> Path:
    """Where a write to `path` lands, links followed: a regular file or no file yet, in
    `inside` (a resolved folder); anything else raises DataError naming the file."""

    def refused(reason: str) -> DataError:
        return DataError([Problem(shown, None, None, None, reason)])

    if os.path.islink(path) and not path.exists():
        raise refused(f"is a link to {os.readlink(path)}, which does not exist; only regular files are written")
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise refused(f"cannot be written: {getattr(exc, 'strerror', None) or exc}") from None
    if not target.is_relative_to(inside):
        raise refused(f"leads to {target}, outside the data folder {inside}; reportlib writes only inside "
                      "the data folder (remove the link)")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise refused(f"cannot be written: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise refused(f"is {kind}, not a regular file; only regular files are written")
    return target


def write_file(path: Path, data: bytes, shown: str, inside: Path, replace: bool = True) -> Path:
    """Write `data` as the whole file at `path`, in the data folder `inside` (resolved): in
    one step (a crash leaves the old file or the new one), only to a regular file inside
    the folder (see `_target`). With `replace=False` an existing file is left as it is and
    FileExistsError raised. The path written, links followed."""
    target = _target(path, shown, inside)
    if replace:
        write_atomic(target, data)
        return target
    write_new(target, data)
    return target


def open_append(path: Path, shown: str, inside: Path) -> TextIO:
    """The file at `path` opened to read and to add to at its end (text, UTF-8), created if
    missing: only a regular file inside the data folder `inside` (see `_target`); a link or
    a pipe put in its place after the check is refused when opened."""
    target = _target(path, shown, inside)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                 0o666)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DataError([Problem(shown, None, None, None, "was replaced while it was being opened; "
                                                          "run the command again")])
    os.set_blocking(fd, True)
    return os.fdopen(fd, "a+", encoding="utf-8")


class DataFolder:
    """The files the loader reads from one data folder, listed once: `monitor.yaml`, each
    table's main file and the `*.csv` sheets in the folder of the table's name (dot-named
    ones included), and `issues/*.yaml`. A broken link or a pipe is on the list, so that
    it is refused with a clear line rather than skipped.

    `read` reads a file of the list; with `keep=True` it keeps the bytes for the next
    `read` of the same file, so the cache key is computed from exactly the bytes that are
    then parsed, even if a file changes in between. Each file's bytes are hashed once, as
    they are read (`digests`): the cache key and the build's manifest take them from there."""

    def __init__(self, root: Path, leave_out: frozenset[Path] = frozenset()):
        self.root = Path(root).resolve()
        self.monitor = self.root / MONITOR_FILE
        # `leave_out`: the files of periods set aside (see inputs.dataset.load), not read.
        self.sheets: dict[str, list[Path]] = {
            table.name: [p for p in _sheets(self.root, table) if p not in leave_out] for table in TABLES}
        self.issues = [p for p in _listed(self.root / ISSUES_DIR, ".yaml") if p not in leave_out]
        # Optional: how this folder maps ACLED's event types, before the shipped table.
        types = self.root / ACLED_TYPES.file
        self.acled_types = types if os.path.lexists(types) else None
        self._kept: dict[Path, bytes] = {}
        self.digests: dict[Path, str] = {}  # sha256 of the bytes read, by file

    def files(self) -> list[Path]:
        """Every file the loader reads, in the order it reads them."""
        monitor = [self.monitor] if os.path.lexists(self.monitor) else []
        types = [self.acled_types] if self.acled_types else []
        return monitor + [path for table in TABLES for path in self.sheets[table.name]] + types + self.issues

    def shown(self, path: Path) -> str:
        """How messages name a file: from the data folder's own name, as in data/incidents.csv."""
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, path: Path, keep: bool = False) -> bytes:
        """The bytes of one file of the list; DataError if it is refused (see read_file)."""
        raw = self._kept.pop(path, None)
        if raw is None:
            raw = read_file(path, self.shown(path), self.root)
            self.digests[path] = sha256_bytes(raw)
        if keep:
            self._kept[path] = raw
        return raw

    def read_mapping(self, path: Path, problems: list[Problem]):
        """A YAML file of the list (monitor.yaml, an issue file) as its top-level mapping, or
        None with its problems added to `problems` (see yamlreader.parse)."""
        from . import yamlreader  # here, not at the top: yamlreader reads files with this module

        raw = self.read_or_report(path, problems)
        if raw is None:
            return None
        data, found = yamlreader.parse(raw, self.shown(path))
        problems += found
        return data

    def read_or_report(self, path: Path, problems: list[Problem]) -> bytes | None:
        """`read`, with a refusal added to `problems` instead of raised."""
        try:
            return self.read(path)
        except DataError as exc:
            problems += exc.problems
            return None


def period_files(root: Path, label: str) -> list[Path]:
    """The files of one period, as `reportlib new-period` makes them: its issue file and the
    week's incidents and indicators sheets."""
    return [root / ISSUES_DIR / f"{label}.yaml", root / INCIDENTS.name / f"{label}.csv",
            root / INDICATORS.name / f"{label}.csv"]


def _sheets(root: Path, table: Table) -> list[Path]:
    """A table is its main file plus any sheets in the folder of the same name, so a week's
    incidents or an import can be a file of its own."""
    main = root / table.file
    return ([main] if os.path.lexists(main) else []) + _listed(root / table.name, ".csv")


def _listed(folder: Path, suffix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        return sorted(Path(entry.path) for entry in entries if entry.name.endswith(suffix))
