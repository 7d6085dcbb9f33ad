"""Sentences in the monitor's voice, computed from incident records.

    "Between November 21 – December 3, ten IEDs killed at least five Iraqis and wounded 20
    more in Ninewa, Salah ad-Din, Diyala, and Kirkuk."

Rules (table-driven tests in tests/test_summarise.py hold each one):
- numbers one to ten in words, larger ones in digits with thousands separators;
- "at least" before a count when any row gives a minimum, or when some rows give the count
  and others leave it empty (the sum is then a lower bound);
- places in order of first mention: rows in date order, and within a row in the order the
  source names them; a row's `location` replaces its governorates when it has one;
- the span is the earliest start to the latest end of the rows, in the monitor's format;
- a type with no rows says so ("no IEDs were reported").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from ..inputs import reference
from ..inputs.periods import Period, format_span
from . import words

DEFAULT_TARGET = "people"


class IncidentRow(NamedTuple):
    """One incident row in plain Python values. A period has tens of rows: summing and
    grouping them in Python costs a fraction of what a pandas call does on so few."""

    event_date: dt.date
    end: dt.date  # the last day of the span the row covers: end_date, else event_date
    incident_type: str
    admin1: str
    location: str
    actor1: str
    target: str
    incidents: int | None  # None: not given
    fatalities: int | None
    fatalities_min: bool
    wounded: int | None
    wounded_min: bool


def _values(column: pd.Series) -> list:
    """A column's values with every kind of missing value (NaN, NaT, pd.NA) as None."""
    return [None if missing else v for v, missing in zip(column.tolist(), column.isna().tolist(), strict=True)]


def incident_rows(incidents: pd.DataFrame) -> list[IncidentRow]:
    """The frame's rows in their order, as IncidentRows."""
    starts = [day.date() for day in incidents["event_date"].tolist()]
    ends = [start if end is None else end.date()
            for start, end in zip(starts, _values(incidents["end_date"]), strict=True)]
    text = [incidents[c].tolist() for c in ("incident_type", "admin1", "location", "actor1", "target")]
    counts = [_values(incidents[c]) for c in ("incidents", "fatalities", "fatalities_min", "wounded", "wounded_min")]
    return [IncidentRow(*values) for values in zip(starts, ends, *text, *counts, strict=True)]


def _as_rows(rows: pd.DataFrame | Sequence[IncidentRow]) -> Sequence[IncidentRow]:
    return incident_rows(rows) if isinstance(rows, pd.DataFrame) else rows


@dataclass(frozen=True)
class Tally:
    """Totals of a group of incident rows, with what is known about each count."""

    rows: int
    incidents: int | None  # None: no row gives a count
    incidents_min: bool
    killed: int | None
    killed_min: bool
    wounded: int | None
    wounded_min: bool
    start: dt.date | None
    end: dt.date | None


def _total(counts: list[tuple[int | None, bool]]) -> tuple[int | None, bool]:
    """The sum of (count, is a minimum) pairs: a minimum when any count summed is one, or
    when some rows give no count."""
    known = [(n, minimum) for n, minimum in counts if n is not None]
    if not known:
        return None, False
    partial = len(known) < len(counts)
    return int(sum(n for n, _ in known)), partial or any(minimum for _, minimum in known)


def tally(rows: pd.DataFrame | Sequence[IncidentRow]) -> Tally:
    rows = _as_rows(rows)
    if not rows:
        return Tally(0, 0, False, 0, False, 0, False, None, None)
    incidents, incidents_min = _total([(r.incidents, False) for r in rows])
    killed, killed_min = _total([(r.fatalities, r.fatalities_min) for r in rows])
    wounded, wounded_min = _total([(r.wounded, r.wounded_min) for r in rows])
    return Tally(len(rows), incidents, incidents_min, killed, killed_min, wounded, wounded_min,
                 min(r.event_date for r in rows), max(r.end for r in rows))


def _count(n: int, minimum: bool) -> str:
    return ("at least " if minimum else "") + words.number(n)


def places(rows: Sequence[IncidentRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in sorted(rows, key=lambda r: r.event_date):  # stable: same-day rows in data order
        names = row.location if row.location else row.admin1
        for name in str(names).split(";"):
            name = name.strip()
            if name:
                seen.setdefault(name, None)
    return list(seen)


def _shared(values: list[str]) -> str:
    distinct = [v for v in dict.fromkeys(values) if v]
    return distinct[0] if len(distinct) == 1 and all(values) else ""


def _opening(t: Tally) -> str:
    if t.start == t.end:
        return f"On {format_span(t.start, t.end)}, "
    return f"Between {format_span(t.start, t.end)}, "


def type_sentence(incident_type: str, rows: pd.DataFrame | Sequence[IncidentRow],
                  period: Period | None = None, other: bool = False) -> str:
    """One sentence for all rows of one incident type."""
    kind = reference.incident_types()[incident_type]
    rows = _as_rows(rows)
    t = tally(rows)
    if t.rows == 0:
        span = f" between {format_span(period.start, period.end)}" if period else ""
        return f"No {kind.plural} were reported{span}."
    actor = _shared([r.actor1 for r in rows])
    target = _shared([r.target for r in rows]) or DEFAULT_TARGET
    where = words.join(places(rows))
    noun = words.plural(t.incidents or 0, kind.singular, kind.plural)
    if other and t.incidents is not None:
        noun = f"other {noun}"

    if kind.voice == "actor" and actor and t.incidents is not None:
        subject = f"{actor} carried out {_count(t.incidents, t.incidents_min)} {noun}"
        if target != DEFAULT_TARGET:
            subject += f" against {target}"
        clause = _participles(t)
        return f"{_opening(t)}{subject} in {where}{clause}."
    if t.incidents is not None:
        subject = f"{_count(t.incidents, t.incidents_min)} {noun}"
    else:
        subject = f"{actor} {kind.plural}" if actor else kind.plural
    return f"{_opening(t)}{subject}{_predicate(t, target)} in {where}."


def _predicate(t: Tally, target: str) -> str:
    k = t.killed if t.killed else None
    w = t.wounded if t.wounded else None
    if k and w:
        return (f" killed {_count(k, t.killed_min)} {target}"
                f" and wounded {_count(w, t.wounded_min)} more")
    if k:
        return f" killed {_count(k, t.killed_min)} {target}"
    if w:
        return f" wounded {_count(w, t.wounded_min)} {target}"
    if t.killed == 0 and t.wounded == 0 and not (t.killed_min or t.wounded_min):
        return " caused no casualties"
    return " were reported" if (t.incidents or 0) != 1 else " was reported"


def _participles(t: Tally) -> str:
    parts = []
    if t.killed:
        parts.append(f"killing {_count(t.killed, t.killed_min)}")
    if t.wounded:
        parts.append(f"wounding {_count(t.wounded, t.wounded_min)}")
    return ", " + " and ".join(parts) if parts else ""


def security_sentences(incidents: pd.DataFrame, period: Period,
                       always: tuple[str, ...] = ("IED",)) -> list[str]:
    """Sentences for every type present, in the reference order; the types in `always` get
    a sentence even when nothing was reported."""
    every = incident_rows(incidents)
    sentences = []
    said: set[str] = set()
    for name, kind in reference.incident_types().items():
        rows = [r for r in every if r.incident_type == name]
        if not rows and name not in always:
            continue
        other = bool(kind.other_after) and kind.other_after in said
        sentences.append(type_sentence(name, rows, period, other=other))
        if rows:
            said.add(name)
    return sentences


def key_figures(view) -> list[dict]:
    """The figures a reader looks for first, for the report's boxes and the archive page:
    each with a label, a value (None when unknown) and whether it is a minimum."""
    from . import indicators

    t = tally(view.incidents)
    figures = [
        {"name": "incidents", "label": "Incidents recorded", "value": t.incidents, "minimum": t.incidents_min},
        {"name": "killed", "label": "People killed", "value": t.killed, "minimum": t.killed_min},
        {"name": "wounded", "label": "People wounded", "value": t.wounded, "minimum": t.wounded_min},
    ]
    changes = {c.indicator: c for c in indicators.period_changes(view.indicators, view.period)}
    for name, label in (("covid_cases_total", "COVID-19 cases to date"),
                        ("covid_deaths_total", "COVID-19 deaths to date"),
                        ("covid_new_cases_7d_avg", "New cases a day, 7-day average")):
        if name in changes:
            value = changes[name].current.value
            figures.append({"name": name, "label": label, "value": round(value, 1), "minimum": False})
    return figures
