"""Report types: a name and the notebook that makes the report, found through the entry-point
group `reportlib.reports` (the two that ship with reportlib register there too, in
pyproject.toml), so that `reportlib build --notebook NAME` builds any installed type:

    >>> from reportlib.reports.shipped import notebook, names
    >>> names()
    ['trends_report', 'weekly_report']
    >>> notebook("weekly_report").name
    'weekly_report.ipynb'

A package adds one with a ReportType in its pyproject.toml:

    [project.entry-points."reportlib.reports"]
    casualties = "monitor_extras.reports:CASUALTIES"   # ReportType("casualties", Path(...))

An installed reportlib carries its notebooks as reportlib/notebooks/ (pyproject.toml maps the
source tree's notebooks/ there); in the source tree, and in an editable install of it, they
are notebooks/ itself, the folder analysts edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from ..errors import UsageError

GROUP = "reportlib.reports"
DEFAULT = "weekly_report"
_PACKAGE = Path(__file__).resolve().parent.parent


def folder() -> Path:
    installed = _PACKAGE / "notebooks"
    return installed if installed.is_dir() else _PACKAGE.parent / "notebooks"


@dataclass(frozen=True)
class ReportType:
    """A kind of report: its name (for --notebook NAME, and its outputs folder) and notebook."""

    name: str
    notebook: Path


WEEKLY = ReportType("weekly_report", folder() / "weekly_report.ipynb")
TRENDS = ReportType("trends_report", folder() / "trends_report.ipynb")


def types() -> dict[str, ReportType]:
    """Every report type installed, by name: reportlib's and other packages'."""
    found = {}
    for point in entry_points(group=GROUP):
        kind = point.load()
        if isinstance(kind, ReportType):
            found[point.name] = kind
    return found


def names() -> list[str]:
    return sorted(types())


def notebook(name: str = DEFAULT) -> Path:
    if name == DEFAULT:  # the default needs no look-up: `reportlib build`'s quick check stays quick
        return WEEKLY.notebook
    kind = types().get(name)
    if kind is None or not kind.notebook.is_file():
        raise UsageError(f"no report type {name!r} is installed; installed: {', '.join(names()) or 'none'}")
    return kind.notebook


def resolve(value: str | Path | None) -> Path:
    """What a --notebook option names: nothing (the weekly report), a notebook file, or the
    name of an installed report type (`trends_report`)."""
    if value is None or str(value) == "":
        return notebook(DEFAULT)
    path = Path(value)
    if path.is_file():
        return path
    if path.suffix != ".ipynb" and len(path.parts) == 1 and path.name in names():
        return notebook(path.name)
    raise UsageError(f"--notebook {value}: no such notebook file, and no report type of that name "
                     f"(installed: {', '.join(names())})")
