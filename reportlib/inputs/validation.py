"""`reportlib validate`: every problem of the data folder, and which periods they stop.

A problem in a period's own files (its issue file and week sheets, as `reportlib new-period`
makes them) stops that period's build only; the other periods are then checked as a build of
them would check them, so that their problems are listed too (an event's citations, for
instance, are judged only on data without errors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..errors import DataError, Problem
from .datafolder import DataFolder
from .dataset import Dataset, by_period, load, load_without


def validate_all(data_dir: str | Path, log: Callable[[str], None] = print, today: dt.date | None = None) -> Dataset:
    """The loaded data when it has no problem; else DataError with every problem found and
    notes that say which periods can still be built."""
    try:
        return load(data_dir, today)
    except DataError as exc:
        folder = DataFolder(Path(data_dir).resolve())
        aside = by_period(folder, exc.problems)
        if not aside:
            raise
        problems = list(exc.problems)
        built: list[str] = []
        try:
            rest = load_without(folder, today or dt.date.today(), aside)
            built = [p.label for p in rest.periods()]
        except DataError as more:
            # Problems of the other periods too: none of them can be built as it is.
            problems += [p for p in more.problems if p not in problems]
        raise DataError(sorted(problems, key=lambda p: (p.file, p.line or 0)) + exc.warnings,
                        _notes(aside, built)) from None


def _notes(aside: dict[str, list[Problem]], built: list[str]) -> list[str]:
    notes = []
    for label, found in sorted(aside.items()):
        n = len(found)
        notes.append(f"the issue ending on {label}: {n} problem{'s' if n != 1 else ''} in its own files; "
                     "they stop its build only")
    if built:
        notes.append("the other issues can be built as they are: "
                     + ", ".join(f"reportlib build --period-end {label}" for label in built))
    return notes
