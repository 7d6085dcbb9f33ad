"""Humanitarian and COVID-19 statistics: the value for a period, the one before it, weekly
averages from a daily cumulative series, and the sentences that state them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..inputs import reference
from ..inputs.periods import Period, format_day, short_day
from . import words


@dataclass(frozen=True)
class Reading:
    indicator: str
    date: dt.date
    value: float
    source: str


def _national(indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = indicators.loc[(indicators["indicator"] == indicator) & (indicators["admin1"] == "")]
    return rows.sort_values("date", kind="stable")


# One indicator's country-wide readings, oldest first; readings of the same day keep the
# order of the data, so the last of them is the one that counts.
Readings = list[Reading]


def national_readings(indicators: pd.DataFrame) -> dict[str, Readings]:
    """Every indicator's country-wide readings (those without an admin1). A report looks up
    a dozen indicators a few times each: reading the frame once into plain values costs less
    than a single pandas filter, let alone one per lookup."""
    readings: dict[str, Readings] = {}
    columns = (indicators[c].tolist() for c in ("indicator", "admin1", "date", "value", "source"))
    for name, admin1, day, value, source in zip(*columns, strict=True):
        if admin1 == "":
            readings.setdefault(name, []).append(Reading(name, day.date(), float(value), source))
    for series in readings.values():
        series.sort(key=lambda r: r.date)  # stable: same-day readings stay in data order
    return readings


def _latest(series: Readings, keep: Callable[[dt.date], bool]) -> Reading | None:
    return next((r for r in reversed(series) if keep(r.date)), None)


def value_on(series: Readings, day: dt.date) -> Reading | None:
    return _latest(series, lambda d: d == day)


def current(series: Readings, period: Period) -> Reading | None:
    """The latest value reported within the period."""
    return _latest(series, period.counts)


def previous(series: Readings, period: Period) -> Reading | None:
    """The latest value on or before the period's first day (the previous issue's end)."""
    return _latest(series, lambda d: d <= period.start)


def weekly_average(indicators: pd.DataFrame, day: dt.date) -> Reading | None:
    """Daily new cases averaged over the week ending `day`: from the daily cumulative series
    where it has both ends of the week (the 7-day change divided by 7), otherwise the
    curated weekly figure as published."""
    return _weekly_average(national_readings(indicators), day)


def _weekly_average(readings: dict[str, Readings], day: dt.date) -> Reading | None:
    totals = readings.get("covid_cases_total", [])
    end = value_on(totals, day)
    begin = value_on(totals, day - dt.timedelta(days=7))
    if end and begin:
        return Reading("covid_new_cases_7d_avg", day, (end.value - begin.value) / 7, end.source)
    return value_on(readings.get("covid_new_cases_7d_avg", []), day)


def weekly_averages(indicators: pd.DataFrame) -> pd.Series:
    """Every weekly average the data supports, by the date the week ends: computed from the
    daily cumulative series where both ends of the week are present, otherwise as published
    (the same rule as weekly_average, for all days at once)."""
    totals = _national(indicators, "covid_cases_total").drop_duplicates("date", keep="last")
    totals = totals.set_index("date")["value"]
    week_before = totals.reindex(totals.index - pd.Timedelta(days=7)).to_numpy()
    computed = pd.Series((totals.to_numpy() - week_before) / 7, index=totals.index).dropna()
    published = _national(indicators, "covid_new_cases_7d_avg").drop_duplicates("date", keep="last")
    published = published.set_index("date")["value"]
    combined = computed.combine_first(published) if len(published) else computed
    return combined.sort_index().astype("float64")


def daily_new_cases(indicators: pd.DataFrame) -> pd.Series:
    """New cases a day: the reported daily figure, or the day-to-day change of the cumulative
    count where consecutive days are present."""
    reported = _national(indicators, "covid_new_cases").set_index("date")["value"]
    totals = _national(indicators, "covid_cases_total").set_index("date")["value"]
    totals = totals[~totals.index.duplicated(keep="last")]
    derived = totals.diff()
    consecutive = totals.index.to_series().diff() == pd.Timedelta(days=1)
    derived = derived[consecutive.to_numpy()]
    combined = derived.combine_first(reported) if len(reported) else derived
    return combined.sort_index().astype("float64")


@dataclass(frozen=True)
class Change:
    indicator: str
    label: str
    unit: str
    current: Reading | None
    previous: Reading | None

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current.value - self.previous.value

    @property
    def percent(self) -> float | None:
        if self.delta is None or not self.previous.value:
            return None
        return 100 * self.delta / self.previous.value


def period_changes(indicators: pd.DataFrame, period: Period) -> list[Change]:
    """Each indicator with a value in the period, beside the value before it."""
    readings = national_readings(indicators)
    out = []
    for name, info in reference.indicators().items():
        series = readings.get(name, [])
        now, before = current(series, period), previous(series, period)
        if name == "covid_new_cases_7d_avg":
            # The week's average at each end of the period where the data gives one; the
            # latest published figure otherwise.
            now = _weekly_average(readings, period.end) or now
            before = _weekly_average(readings, period.start) or before
        if now is None:
            continue
        out.append(Change(name, info.label, info.unit, now, before))
    return out


def _figure(value: float, unit: str) -> str:
    text = words.thousands(value, 0 if float(value).is_integer() or value >= 100 else 1)
    return f"{text}/day" if unit == "cases/day" else text


def _change_verb(change: Change, kind: str, growing: bool) -> str:
    if change.previous is None:
        if kind == "cumulative":
            return "increased to" if growing else "reached"
        return "stood at"
    if change.delta > 0:
        return "increased to"
    if change.delta < 0:
        return "decreased to"
    return "remained at"


def _clause(change: Change, country: str, growing: bool) -> str:
    info = reference.indicators()[change.indicator]
    value = _figure(change.current.value, info.unit)
    if info.kind == "average":
        if change.previous is not None and change.delta != 0:
            verb = "decreased" if change.delta < 0 else "increased"
            previous_value = _figure(change.previous.value, info.unit)
            change_text = (f"{verb} from {previous_value} during the week ending "
                           f"{short_day(change.previous.date)} to {value} this week")
        else:
            change_text = f"was {value} this week"
        return info.sentence.replace("{change} {value}/day", change_text).format(country=country)
    return info.sentence.format(value=value, country=country,
                                change=_change_verb(change, info.kind, growing))


# How the monitor groups the COVID-19 figures into sentences.
_COVID_SENTENCES = (
    ("", ("covid_deaths_total", "covid_hospitalised"), " while "),
    ("To date, ", ("covid_recovered_total", "covid_tests_total"), " and "),
    ("", ("covid_new_cases_7d_avg",), ""),
)


def covid_paragraph(indicators: pd.DataFrame, period: Period, country: str) -> str:
    """The monitor's COVID-19 paragraph, from whichever figures the period has."""
    changes = {c.indicator: c for c in period_changes(indicators, period)}
    average = changes.get("covid_new_cases_7d_avg")
    growing = bool(average and average.current.value > 0)
    sentences = []
    cases = changes.get("covid_cases_total")
    if cases:
        reporter = cases.current.source
        sentences.append(f"On {format_day(cases.current.date)}, {reporter} reported that "
                         f"{_clause(cases, country, growing)}.")
    for prefix, names, joiner in _COVID_SENTENCES:
        parts = [_clause(changes[n], country, growing) for n in names if n in changes]
        if parts:
            sentences.append(words.capitalise(prefix + joiner.join(parts)) + ".")
    return " ".join(sentences)
