"""The same event reported twice: an imported incident that repeats a row already in the
data (from another document, or earlier in the same import) is written with
`duplicate_of` naming that row, and is never counted.

The rule (data/README.md states it for analysts). A new row repeats a row R when:

- R stands for one incident on one day: no span (`end_date` empty or the same day), an
  `incidents` count of 1 or none, and R is not itself flagged;
- they have the same `incident_type` and the same `event_date`;
- they are in the same place: the same single governorate, and, when both name a
  `location`, a place in common (spelling-insensitive);
- their counts are compatible, killed and wounded each: equal, either one not reported, or
  one given as "at least n" and the other n or more.

The first row that qualifies, in data order, is the one named. A row a source gives as a
total over a span is never matched: no single event can be told apart inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..reference import name_key


@dataclass(frozen=True)
class _Event:
    id: str
    day: dt.date
    incident_type: str
    admin1: str
    location: str
    places: frozenset[str]
    fatalities: int | None
    fatalities_min: bool
    wounded: int | None
    wounded_min: bool

    def describe(self) -> str:
        where = self.admin1 + (f": {self.location}" if self.location else "")
        return f"{self.day.isoformat()}, {self.incident_type}, {where}"


def _count(value) -> int | None:
    """A count as typed by the loader or as text an import writes; None when not given (or
    not a number, which validation then reports)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return int(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _places(text: str) -> frozenset[str]:
    return frozenset(name_key(p) for p in str(text).split(";") if p.strip())


def _compatible(a: int | None, a_min: bool, b: int | None, b_min: bool) -> bool:
    if a is None or b is None or a == b:
        return True
    return (a_min and b >= a) or (b_min and a >= b)


def _repeats(new: _Event, old: _Event) -> bool:
    return (new.admin1 == old.admin1
            and (not new.places or not old.places or bool(new.places & old.places))
            and _compatible(new.fatalities, new.fatalities_min, old.fatalities, old.fatalities_min)
            and _compatible(new.wounded, new.wounded_min, old.wounded, old.wounded_min))


class Finder:
    """Rows that count, by day and type; `check` answers for a new row and remembers it."""

    def __init__(self, incidents: pd.DataFrame):
        self._by_day: dict[tuple[dt.date, str], list[_Event]] = {}
        single_day = incidents["end_date"].isna() | (incidents["end_date"] == incidents["event_date"])
        one = incidents["incidents"].isna() | (incidents["incidents"] == 1)
        counted = incidents["duplicate_of"] == ""
        candidates = incidents.loc[single_day & one & counted & ~incidents["admin1"].str.contains(";")]
        for row in candidates.itertuples(index=False):
            self._add(_Event(row.event_id_cnty, row.event_date.date(), row.incident_type, row.admin1,
                             row.location, _places(row.location), _count(row.fatalities), bool(row.fatalities_min),
                             _count(row.wounded), bool(row.wounded_min)))

    def _add(self, event: _Event) -> None:
        self._by_day.setdefault((event.day, event.incident_type), []).append(event)

    def check(self, values: dict[str, str]) -> tuple[str, str] | None:
        """(id of the row this one repeats, a line saying so), or None; a row that repeats
        none becomes a row later ones may repeat."""
        event = _Event(values["event_id_cnty"], dt.date.fromisoformat(values["event_date"]),
                       values["incident_type"], values["admin1"], values.get("location", ""),
                       _places(values.get("location", "")),
                       _count(values.get("fatalities")), values.get("fatalities_min") == "true",
                       _count(values.get("wounded")), values.get("wounded_min") == "true")
        for old in self._by_day.get((event.day, event.incident_type), []):
            if _repeats(event, old):
                return old.id, f"{event.id} repeats {old.id} ({old.describe()})"
        self._add(event)
        return None
