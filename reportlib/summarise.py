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
from dataclasses import dataclass

import pandas as pd

from . import reference, words
from .periods import Period, format_span

DEFAULT_TARGET = "people"


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


def _total(values: pd.Series, flags: pd.Series | None) -> tuple[int | None, bool]:
    known = values.dropna()
    if known.empty:
        return None, False
    partial = len(known) < len(values)
    flagged = bool(flags.loc[known.index].any()) if flags is not None else False
    return int(known.sum()), partial or flagged


def tally(rows: pd.DataFrame) -> Tally:
    if rows.empty:
        return Tally(0, 0, False, 0, False, 0, False, None, None)
    incidents, incidents_min = _total(rows["incidents"], None)
    killed, killed_min = _total(rows["fatalities"], rows["fatalities_min"])
    wounded, wounded_min = _total(rows["wounded"], rows["wounded_min"])
    ends = rows["end_date"].fillna(rows["event_date"])
    return Tally(len(rows), incidents, incidents_min, killed, killed_min, wounded, wounded_min,
                 rows["event_date"].min().date(), ends.max().date())


def _count(n: int, minimum: bool) -> str:
    return ("at least " if minimum else "") + words.number(n)


def places(rows: pd.DataFrame) -> list[str]:
    ordered = rows.sort_values("event_date", kind="stable")
    seen: dict[str, None] = {}
    for admin1, location in zip(ordered["admin1"], ordered["location"], strict=True):
        names = location if location else admin1
        for name in str(names).split(";"):
            name = name.strip()
            if name:
                seen.setdefault(name, None)
    return list(seen)


def _shared(values: pd.Series) -> str:
    distinct = [v for v in dict.fromkeys(values) if v]
    return distinct[0] if len(distinct) == 1 and values.astype(bool).all() else ""


def _opening(t: Tally) -> str:
    if t.start == t.end:
        return f"On {format_span(t.start, t.end)}, "
    return f"Between {format_span(t.start, t.end)}, "


def type_sentence(incident_type: str, rows: pd.DataFrame, period: Period | None = None,
                  other: bool = False) -> str:
    """One sentence for all rows of one incident type."""
    kind = reference.incident_types()[incident_type]
    t = tally(rows)
    if t.rows == 0:
        span = f" between {format_span(period.start, period.end)}" if period else ""
        return f"No {kind.plural} were reported{span}."
    actor = _shared(rows["actor1"])
    target = _shared(rows["target"]) or DEFAULT_TARGET
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
    sentences = []
    said: set[str] = set()
    for name, kind in reference.incident_types().items():
        rows = incidents.loc[incidents["incident_type"] == name]
        if rows.empty and name not in always:
            continue
        other = bool(kind.other_after) and kind.other_after in said
        sentences.append(type_sentence(name, rows, period, other=other))
        if not rows.empty:
            said.add(name)
    return sentences


def key_figures(view) -> list[dict]:
    """The figures a reader looks for first, for the report's boxes and the archive page:
    each with a label, a value (None when unknown) and whether it is a minimum."""
    from . import stats

    t = tally(view.incidents)
    figures = [
        {"name": "incidents", "label": "Incidents recorded", "value": t.incidents, "minimum": t.incidents_min},
        {"name": "killed", "label": "People killed", "value": t.killed, "minimum": t.killed_min},
        {"name": "wounded", "label": "People wounded", "value": t.wounded, "minimum": t.wounded_min},
    ]
    changes = {c.indicator: c for c in stats.period_changes(view.indicators, view.period)}
    for name, label in (("covid_cases_total", "COVID-19 cases to date"),
                        ("covid_deaths_total", "COVID-19 deaths to date"),
                        ("covid_new_cases_7d_avg", "New cases a day, 7-day average")):
        if name in changes:
            value = changes[name].current.value
            figures.append({"name": name, "label": label, "value": round(value, 1), "minimum": False})
    return figures
