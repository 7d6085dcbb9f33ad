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
# JupyterLab writes a notebook and its jupytext twin in one save, a fraction of a second
# apart; a twin changed later than this after its notebook was edited on its own.
SAME_SAVE_SECONDS = 2.0


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
        return check_twin(notebook(DEFAULT))
    path = Path(value)
    if path.is_file():
        return check_twin(path)
    if path.suffix != ".ipynb" and len(path.parts) == 1 and path.name in names():
        return check_twin(notebook(path.name))
    raise UsageError(f"--notebook {value}: no such notebook file, and no report type of that name "
                     f"(installed: {', '.join(names())})")


def check_twin(path: Path) -> Path:
    """The notebook, unless its jupytext twin (X.py beside X.ipynb) was edited after it and
    says something else: the build runs the .ipynb, so an edit made in the twin alone would
    be ignored while the build said "up to date". That is refused, naming the first cell that
    differs and the command that brings the edit into the notebook. Only a twin newer than
    its notebook is read, so the check costs two stat calls on every other build."""
    twin = path.with_suffix(".py")
    if path.suffix != ".ipynb" or not twin.is_file():
        return path
    if twin.stat().st_mtime <= path.stat().st_mtime + SAME_SAVE_SECONDS:
        return path
    difference = _twin_difference(path, twin)
    if difference:
        raise UsageError(
            f"{twin} was edited after {path.name} and {difference}; the build runs {path.name}, so bring "
            f"the edit into it first: jupytext --sync {path} (or open the notebook in JupyterLab and save it)")
    return path


def _twin_difference(path: Path, twin: Path) -> str:
    """'' when the twin and the notebook have the same cells, else where they first differ."""
    try:
        import jupytext
    except ImportError:
        return "jupytext, which would compare them, is not installed"
    try:
        ours, theirs = jupytext.read(path), jupytext.read(twin)
    except Exception as exc:  # a twin that does not parse is a difference too
        return f"cannot be compared with it ({type(exc).__name__}: {exc})"

    def cells(nb):
        return [(c.cell_type, c.source.strip(), c.metadata.get("tags", [])) for c in nb.cells]

    a, b = cells(ours), cells(theirs)
    for number, (mine, twins) in enumerate(zip(a, b, strict=False), start=1):
        if mine != twins:
            return f"says something else in cell {number}"
    if len(a) != len(b):
        return f"has {len(b)} cells where the notebook has {len(a)}"
    return ""
