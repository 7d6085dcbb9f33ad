"""Tallies and sentences in the monitor's voice, computed from incident records.

    "Between November 21 – December 3, ten IEDs killed at least five Iraqis and wounded 20
    more in Ninewa, Salah ad-Din, Diyala, and Kirkuk."

A sentence is generated only for rows no event of the issue states (an ACLED import,
synthetic data): the issue's own sentences are its events, in its words. Rules
(table-driven tests in tests/content/test_sentences.py hold each one):

- victims of violence and militants killed in operations (`casualty_group`) are never added:
  a tally keeps each group's killed and wounded apart, and a sentence states one group;
- numbers one to ten in words, larger ones in digits with thousands separators;
- "at least" before a count when any row gives a minimum, or when some rows give the count
  and others leave it empty (the sum is then a lower bound);
- places in order of first mention: rows in date order, and within a row in the order the
  source names them; a row's `location` replaces its governorates when it has one, and a
  governorate placed by inference (`inferred` names admin1) is never named as fact;
- the span is the earliest start to the latest end of the rows, in the monitor's format;
- a type with no rows at all says so ("no IEDs were reported").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from ..inputs import reference
from ..inputs.periods import Period, format_span
from ..inputs.schema import CASUALTY_GROUPS, DEFAULT_CASUALTY_GROUP
from . import indicators, words

# Whom a sentence names as hit when the rows give no `target`: the casualty group's own word
# for militants; for the others none, so that a sentence never adds "people" the rows do not
# hold ("left 15 dead and 40 wounded").
DEFAULT_TARGET = {"victims": "", "militants": "militants", "unattributed": ""}


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
    group: str = DEFAULT_CASUALTY_GROUP  # casualty_group, empty read as victims
    inferred: frozenset[str] = frozenset()  # columns whose value is an inference
    event_id: str = ""
    origin: str = ""  # file:line the row was read from
    source: str = ""
    reference: str = ""


def _values(column: pd.Series) -> list:
    """A column's values with every kind of missing value (NaN, NaT, pd.NA) as None."""
    return [None if missing else v for v, missing in zip(column.tolist(), column.isna().tolist(), strict=True)]


def _texts(incidents: pd.DataFrame, name: str) -> list[str]:
    return [str(v) for v in incidents[name].tolist()] if name in incidents else [""] * len(incidents)


def incident_rows(incidents: pd.DataFrame) -> list[IncidentRow]:
    """The frame's rows in their order, as IncidentRows."""
    starts = [day.date() for day in incidents["event_date"].tolist()]
    ends = [start if end is None else end.date()
            for start, end in zip(starts, _values(incidents["end_date"]), strict=True)]
    text = [incidents[c].tolist() for c in ("incident_type", "admin1", "location", "actor1", "target")]
    counts = [_values(incidents[c]) for c in ("incidents", "fatalities", "fatalities_min", "wounded", "wounded_min")]
    groups = [g or DEFAULT_CASUALTY_GROUP for g in _texts(incidents, "casualty_group")]
    inferred = [frozenset(v.split(";")) - {""} for v in _texts(incidents, "inferred")]
    lines = incidents["line"].tolist() if "line" in incidents else [""] * len(incidents)
    origins = [f"{f}:{n}" if f else "" for f, n in zip(_texts(incidents, "file"), lines, strict=True)]
    extra = zip(groups, inferred, _texts(incidents, "event_id_cnty"), origins, _texts(incidents, "source"),
                _texts(incidents, "reference"), strict=True)
    return [IncidentRow(*values, *more) for values, more in
            zip(zip(starts, ends, *text, *counts, strict=True), extra, strict=True)]


def _as_rows(rows: pd.DataFrame | Sequence[IncidentRow]) -> Sequence[IncidentRow]:
    return incident_rows(rows) if isinstance(rows, pd.DataFrame) else rows


@dataclass(frozen=True)
class Casualties:
    """The killed and wounded of one casualty group, with what is known about each count."""

    killed: int | None  # None: no row gives a figure
    killed_min: bool
    wounded: int | None
    wounded_min: bool


NO_CASUALTIES = Casualties(0, False, 0, False)


@dataclass(frozen=True)
class Tally:
    """Totals of a group of incident rows. Incidents are counted over all of them; killed
    and wounded per casualty group, never summed across groups."""

    rows: int
    incidents: int | None  # None: no row gives a count
    incidents_min: bool
    start: dt.date | None
    end: dt.date | None
    groups: dict[str, Casualties] = field(default_factory=dict)  # groups with rows, in CASUALTY_GROUPS order
    origins: tuple[str, ...] = ()  # file:line of the rows tallied

    def of(self, group: str) -> Casualties:
        """The killed and wounded of one group (zeros when no row belongs to it)."""
        return self.groups.get(group, NO_CASUALTIES)

    def _single(self) -> Casualties:
        if len(self.groups) > 1:
            raise ValueError("these rows count casualties of several groups (victims, militants ...), which are "
                             "never added; ask for one group with Tally.of(group)")
        return next(iter(self.groups.values()), NO_CASUALTIES)

    @property
    def killed(self) -> int | None:
        """Killed, for rows of one casualty group (an error for rows of several)."""
        return self._single().killed

    @property
    def killed_min(self) -> bool:
        return self._single().killed_min

    @property
    def wounded(self) -> int | None:
        return self._single().wounded

    @property
    def wounded_min(self) -> bool:
        return self._single().wounded_min


def _total(counts: list[tuple[int | None, bool]]) -> tuple[int | None, bool]:
    """The sum of (count, is a minimum) pairs: a minimum when any count summed is one, or
    when some rows give no count."""
    known = [(n, minimum) for n, minimum in counts if n is not None]
    if not known:
        return None, False
    partial = len(known) < len(counts)
    return int(sum(n for n, _ in known)), partial or any(minimum for _, minimum in known)


def casualties(rows: Sequence[IncidentRow]) -> Casualties:
    """Killed and wounded summed over rows, which the caller has taken from one group."""
    killed, killed_min = _total([(r.fatalities, r.fatalities_min) for r in rows])
    wounded, wounded_min = _total([(r.wounded, r.wounded_min) for r in rows])
    return Casualties(killed, killed_min, wounded, wounded_min)


def tally(rows: pd.DataFrame | Sequence[IncidentRow]) -> Tally:
    rows = _as_rows(rows)
    if not rows:
        return Tally(0, 0, False, None, None)
    incidents, incidents_min = _total([(r.incidents, False) for r in rows])
    groups = {g: casualties([r for r in rows if r.group == g]) for g in CASUALTY_GROUPS
              if any(r.group == g for r in rows)}
    return Tally(len(rows), incidents, incidents_min, min(r.event_date for r in rows), max(r.end for r in rows),
                 groups, tuple(r.origin for r in rows if r.origin))


def _count(n: int, minimum: bool) -> str:
    return ("at least " if minimum else "") + words.number(n)


def inferred_places(row: IncidentRow) -> set[str]:
    """The governorates of a row placed by inference (`inferred` names admin1): those the
    place the source names (`location`) does not name itself ("south of Kirkuk" names
    Kirkuk; "Makhmour" names no governorate)."""
    if "admin1" not in row.inferred:
        return set()
    named = reference.name_key(row.location)
    return {p for p in row.admin1.split(";") if p and reference.name_key(p) not in named}


def places(rows: Sequence[IncidentRow]) -> list[str]:
    """Where the rows happened, as the source names it: a row's location where it has one,
    else its governorates; a governorate placed by inference is not named."""
    seen: dict[str, None] = {}
    for row in sorted(rows, key=lambda r: r.event_date):  # stable: same-day rows in data order
        if row.location:
            names = row.location.split(";")
        else:
            guessed = inferred_places(row)
            names = [p for p in row.admin1.split(";") if p not in guessed]
        for name in names:
            name = name.strip()
            if name:
                seen.setdefault(name, None)
    return list(seen)


def _shared(values: list[str]) -> str:
    distinct = [v for v in dict.fromkeys(values) if v]
    return distinct[0] if len(distinct) == 1 and all(values) else ""


def _opening(t: Tally) -> str:
    assert t.start is not None and t.end is not None  # type_sentence states only a tally of rows
    if t.start == t.end:
        return f"On {format_span(t.start, t.end)}, "
    return f"Between {format_span(t.start, t.end)}, "


def type_sentence(incident_type: str, rows: pd.DataFrame | Sequence[IncidentRow],
                  period: Period | None = None, other: bool = False) -> str:
    """One sentence for rows of one incident type and one casualty group."""
    kind = reference.incident_types()[incident_type]
    rows = _as_rows(rows)
    t = tally(rows)
    if t.rows == 0:
        span = f" between {format_span(period.start, period.end)}" if period else ""
        return f"No {kind.plural} were reported{span}."
    group = rows[0].group
    if any(r.group != group for r in rows):
        raise ValueError("a sentence states the casualties of one group; split the rows by casualty_group")
    actor = _shared([r.actor1 for r in rows])
    target = _shared([r.target for r in rows]) or DEFAULT_TARGET[group]
    found = places(rows)
    where = f" in {words.join(found)}" if found else ""
    noun = words.plural(t.incidents or 0, kind.singular, kind.plural)
    if other and t.incidents is not None:
        noun = f"other {noun}"

    if kind.voice == "actor" and actor and t.incidents is not None:
        subject = f"{actor} carried out {_count(t.incidents, t.incidents_min)} {noun}"
        if target and target != DEFAULT_TARGET[group]:
            subject += f" against {target}"
        return f"{_opening(t)}{subject}{where}{_participles(t, group)}."
    if t.incidents is not None:
        subject = f"{_count(t.incidents, t.incidents_min)} {noun}"
    else:
        subject = f"{actor} {kind.plural}" if actor else kind.plural
    return f"{_opening(t)}{subject}{_predicate(t, target, group)}{where}."


def _predicate(t: Tally, target: str, group: str) -> str:
    c = t.of(group)
    k = c.killed if c.killed else None
    w = c.wounded if c.wounded else None
    if (group == "unattributed" or not target) and (k or w):
        # The source does not say on which side they fell, or whom: no one is named as killed by anyone.
        who = f" {target}" if target else ""
        parts = ([f"{_count(k, c.killed_min)}{who} dead"] if k else []) + (
            [f"{_count(w, c.wounded_min)}{'' if k else who} wounded"] if w else [])
        return " left " + " and ".join(parts)
    if k and w:
        return (f" killed {_count(k, c.killed_min)} {target}"
                f" and wounded {_count(w, c.wounded_min)} more")
    if k:
        return f" killed {_count(k, c.killed_min)} {target}"
    if w:
        return f" wounded {_count(w, c.wounded_min)} {target}"
    if c.killed == 0 and c.wounded == 0 and not (c.killed_min or c.wounded_min):
        return " caused no casualties"
    return " were reported" if (t.incidents or 0) != 1 else " was reported"


def _participles(t: Tally, group: str) -> str:
    c = t.of(group)
    parts = []
    if c.killed:
        parts.append(f"killing {_count(c.killed, c.killed_min)}")
    if c.wounded:
        parts.append(f"wounding {_count(c.wounded, c.wounded_min)}")
    return ", " + " and ".join(parts) if parts else ""


@dataclass(frozen=True)
class Statement:
    """A generated sentence and the rows it states."""

    text: str
    rows: tuple[IncidentRow, ...]


def security_statements(incidents: pd.DataFrame, period: Period, cited: Iterable[str] = (),
                        always: tuple[str, ...] = ("IED",)) -> list[Statement]:
    """Sentences for the rows of the period that no event states (`cited`: the ids the
    issue's events state), one per type and casualty group in the reference order; the types
    in `always` get a sentence when the period has no row of them at all."""
    every = incident_rows(incidents)
    cited = set(cited)
    out = []
    present = {r.incident_type for r in every}
    for name, kind in reference.incident_types().items():
        rows = [r for r in every if r.incident_type == name]
        if not rows:
            if name in always:
                out.append(Statement(type_sentence(name, [], period), ()))
            continue
        other = bool(kind.other_after) and kind.other_after in present
        for group in CASUALTY_GROUPS:
            part = [r for r in rows if r.group == group and r.event_id not in cited]
            if part:
                out.append(Statement(type_sentence(name, part, period, other=other), tuple(part)))
    return out


def security_sentences(incidents: pd.DataFrame, period: Period, cited: Iterable[str] = (),
                       always: tuple[str, ...] = ("IED",)) -> list[str]:
    """The texts of security_statements."""
    return [s.text for s in security_statements(incidents, period, cited, always)]


@dataclass(frozen=True)
class KeyFigure:
    """A figure for the report's boxes and the archive page."""

    name: str
    label: str
    value: float | None  # None: unknown
    minimum: bool
    rows: tuple[str, ...]  # file:line of the rows it is computed from
    how: str  # how it is computed, for the review copy

    def as_dict(self) -> dict:
        """What the manifest records (and the archive page shows)."""
        return {"name": self.name, "label": self.label, "value": self.value, "minimum": self.minimum}


# Each group's figures: name and label of its killed and its wounded. "{kinds}" is what the
# counted rows' types are counted as (incident_types.csv, `counted_as`), so that a label is
# true of every row it sums: protest violence is not an attack.
_GROUP_FIGURES = {
    "victims": (("killed", "People killed in {kinds}"), ("wounded", "People wounded in {kinds}")),
    "militants": (("militants_killed", "Militants killed in {kinds}"),
                  ("militants_wounded", "Militants wounded in {kinds}")),
    "unattributed": (("unattributed_killed", "Killed in {kinds}, side not reported"),
                     ("unattributed_wounded", "Wounded in {kinds}, side not reported")),
}
# What a group's label names when it counts no row.
_NO_ROWS_KINDS = {"victims": "attacks", "militants": "operations", "unattributed": "attacks"}


def counted_as(rows: Sequence[IncidentRow], group: str = "victims") -> str:
    """What the rows' casualties were counted in, in the order of incident_types.csv:

    >>> from reportlib.content.sentences import counted_as
    >>> counted_as([])
    'attacks'
    """
    types = reference.incident_types()
    kinds = sorted({types[r.incident_type].counted_as for r in rows if r.incident_type in types},
                   key=lambda kind: min(t.order for t in types.values() if t.counted_as == kind))
    return words.join(kinds) if kinds else _NO_ROWS_KINDS[group]


def key_figures(view) -> list[dict]:
    """The key figures as the manifest records them and the archive page shows them: each
    with a name, a label, a value (None when unknown) and whether it is a minimum."""
    return [f.as_dict() for f in key_figure_records(view)]


def key_figure_records(view) -> list[KeyFigure]:
    """The figures a reader looks for first: incidents; people killed and wounded (in attacks, at
    protests …: each label names what its rows' types are counted as); and,
    apart from them, militants killed in operations and casualties whose side the source does
    not give; the latest COVID-19 figures (averages rounded by the monitor's rule)."""
    every = incident_rows(view.incidents)
    t = tally(every)
    figures = [KeyFigure("incidents", "Incidents recorded", t.incidents, t.incidents_min, t.origins,
                         "the incidents of every row of the period, summed; at least where a row gives no count")]
    for group, ((killed_name, killed_label), (wounded_name, wounded_label)) in _GROUP_FIGURES.items():
        rows = [r for r in every if r.group == group]
        if group != "victims" and not rows:
            continue
        c = casualties(rows)
        origins = tuple(r.origin for r in rows if r.origin)
        kinds = counted_as(rows, group)
        killed_label, wounded_label = killed_label.format(kinds=kinds), wounded_label.format(kinds=kinds)
        how = f"summed over the rows whose casualty_group is {group}"
        figures.append(KeyFigure(killed_name, killed_label, c.killed, c.killed_min, origins, "killed " + how))
        if group == "victims" or c.wounded:
            figures.append(KeyFigure(wounded_name, wounded_label, c.wounded, c.wounded_min, origins,
                                     "wounded " + how))
    rule = view.monitor.rounding
    changes = {c.indicator: c for c in indicators.period_changes(view.indicators, view.period, rule)}
    for name, label in (("covid_cases_total", "COVID-19 cases to date"),
                        ("covid_deaths_total", "COVID-19 deaths to date"),
                        (indicators.AVERAGE, "New cases a day, 7-day average")):
        if name in changes:
            reading = changes[name].current
            how = indicators.how_computed(reading, rule)
            figures.append(KeyFigure(name, label, reading.value, False, reading.rows, how))
    return figures
