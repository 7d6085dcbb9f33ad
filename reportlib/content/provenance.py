"""Where a computed figure comes from: the data rows it is read or computed from (file:line),
the documents behind them and how it is computed. The report's blocks carry a Trace beside
every figure they show; the published page leaves them out, the review copy shows them on
hover and in its appendix (`reportlib build --review`).

    >>> from reportlib.content.provenance import Trace
    >>> Trace("People killed in attacks", ("data/incidents.csv:2",), (("EPIC", "ishm-2020-12-03"),),
    ...       "killed summed over the rows of victims").rows
    ('data/incidents.csv:2',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Trace:
    label: str  # what the figure is
    rows: tuple[str, ...]  # file:line of each row
    sources: tuple[tuple[str, str], ...]  # (who reported it, reference in sources.csv), distinct
    how: str = ""  # how the figure is computed from the rows
    # What a reviewer checks first: "composed" (a sentence the report wrote from rows no event
    # cites) or "counted" (a total no event states, counted from the rows); "" otherwise.
    flag: str = ""

    def flagged(self, flag: str) -> Trace:
        return replace(self, flag=flag)

    @classmethod
    def of(cls, label: str, rows: Iterable, how: str = "") -> Trace:
        """A trace of incident rows (IncidentRow) or indicator readings (Reading)."""
        rows = list(rows)
        origins: list[str] = []
        for row in rows:
            origins += [row.origin] if hasattr(row, "origin") else list(row.rows)
        sources = dict.fromkeys((row.source, row.reference) for row in rows if row.source)
        return cls(label, tuple(o for o in dict.fromkeys(origins) if o), tuple(sources), how)
