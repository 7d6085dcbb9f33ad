"""The report notebooks that ship with reportlib, so that `reportlib build` needs no
--notebook wherever it runs:

    >>> from reportlib.reports.shipped import notebook, names
    >>> names()
    ['trends_report', 'weekly_report']
    >>> notebook("weekly_report").name
    'weekly_report.ipynb'

An installed package carries them as reportlib/notebooks/ (pyproject.toml maps the source
tree's notebooks/ there); in the source tree, and in an editable install of it, they are
notebooks/ itself, the folder analysts edit.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

DEFAULT = "weekly_report"
_PACKAGE = Path(__file__).resolve().parent.parent


def folder() -> Path:
    installed = _PACKAGE / "notebooks"
    return installed if installed.is_dir() else _PACKAGE.parent / "notebooks"


def names() -> list[str]:
    return sorted(path.stem for path in folder().glob("*.ipynb"))


def notebook(name: str = DEFAULT) -> Path:
    path = folder() / f"{name}.ipynb"
    if not path.is_file():
        raise UsageError(f"no report notebook {name!r} ships with reportlib; shipped: {', '.join(names()) or 'none'}")
    return path


def resolve(value: str | Path | None) -> Path:
    """What a --notebook option names: nothing (the weekly report), a notebook file, or the
    name of a shipped notebook (`trends_report`)."""
    if value is None or str(value) == "":
        return notebook(DEFAULT)
    path = Path(value)
    if path.is_file():
        return path
    if path.suffix != ".ipynb" and len(path.parts) == 1 and path.name in names():
        return notebook(path.name)
    raise UsageError(f"--notebook {value}: no such notebook file, and no shipped report of that name "
                     f"(shipped: {', '.join(names())})")
