"""Errors reportlib raises. Every one derives from ReportlibError so the CLI can turn any of
them into a clear message and an exit code instead of a traceback."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = "error"  # "error" stops a build; "warning" is printed and ignored

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column:
            noun = "key" if self.file.endswith((".yaml", ".yml", ".json")) else "column"
            parts.append(f"{noun} {self.column}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            parts.append(f"value {shown!r}")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{': '.join(parts)}: {prefix}{self.message}"


class ReportlibError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = 1


class DataError(ReportlibError):
    """The data folder has problems; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem], notes: Iterable[str] = ()):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity == "warning"]
        self.notes = list(notes)  # what the problems stop and what they do not
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the data")


class UsageError(ReportlibError):
    """A command-line argument or parameter is wrong (bad period, unknown parameter...)."""

    exit_code = 2


class BuildError(ReportlibError):
    """Rendering failed outside the notebook (HTML export, PDF printing, writing files)."""

    exit_code = 1


class EnvironmentProblem(ReportlibError):
    """The machine stopped the build: a folder that cannot be written (read-only, no
    permission), a full disk. The message names the path and the reason."""

    exit_code = 3


class LockedError(ReportlibError):
    """Another build holds the lock on this period's output folder."""

    exit_code = 1


@dataclass
class CellFailure:
    """Where a notebook stopped: enough to find and fix the cell without opening Jupyter."""

    cell_index: int  # in the notebook as executed (papermill's count, from 0)
    source: str
    ename: str
    evalue: str
    traceback: list[str] = field(default_factory=list)
    # Where a reader finds it in the kept notebook (report.failed.ipynb, which papermill
    # opens with a cell of its own about the failure): its place from 1, and its In [N].
    position: int | None = None
    execution_count: int | None = None

    @property
    def where(self) -> str:
        """'cell 7 (In [5])': the cell as Jupyter shows the kept notebook."""
        place = f"cell {self.position if self.position is not None else self.cell_index + 1}"
        return f"{place} (In [{self.execution_count}])" if self.execution_count else place


class NotebookExecutionError(ReportlibError):
    """A cell raised, the kernel died or a cell timed out; the executed notebook is kept."""

    exit_code = 1

    def __init__(self, message: str, failure: CellFailure | None, notebook_path: str | None):
        self.failure = failure
        self.notebook_path = notebook_path
        super().__init__(message)


class PublishedIssueError(ReportlibError):
    """A build, an import or a publication would change an issue already published; the
    message names the issue and what would change. Nothing is built or written."""

    exit_code = 2


# What the machine says when it will not let a build write: the folder is read-only, not
# ours, the disk or quota is full, the device fails. Other OSErrors are reportlib's own bugs.
_ENVIRONMENT = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
                errno.EPERM: "the operation is not permitted (an immutable folder?)",
                errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
                errno.EIO: "the device failed (input/output error)", errno.EFBIG: "the file is too large",
                errno.EMFILE: "too many open files", errno.ENFILE: "too many open files in the system"}


def environment_problem(exc: BaseException, where: Path | None = None) -> EnvironmentProblem | None:
    """The EnvironmentProblem an OSError (or an error caused by one) stands for, if any;
    `where` names the place when the error does not (a write to a full disk names no file)."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
    if cause is None or cause.errno not in _ENVIRONMENT:
        return None
    place = cause.filename or where
    return EnvironmentProblem(f"{f'{place}: ' if place else ''}{_ENVIRONMENT[cause.errno]} ({cause.strerror}); "
                              "the previous report, if any, is unchanged")
