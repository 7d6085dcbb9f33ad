"""Humanitarian and COVID-19 statistics: the value for a period, the one before it, weekly
averages, and the sentences that state figures no event of the issue states.

One definition per figure, one rounding rule per monitor (`monitor.yaml` `rounding`):

- a weekly average of new cases is the figure the monitor published for that week where it
  published one; otherwise the 7-day change of the daily cumulative count divided by 7,
  rounded by the monitor's rule (words.rounded). Where both exist and disagree,
  `disagreements` names both values and the published one is what the report prints.
- every reading carries the rows it was computed from (file:line), for the review copy.

    >>> from reportlib.content import indicators
    >>> averages = indicators.weekly_averages(view.indicators, view.monitor.rounding)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import pandas as pd

from ..errors import Problem
from ..inputs import owners, reference
from ..inputs.periods import Period, format_day, short_day
from ..inputs.schema import INDICATORS
from . import words

AVERAGE = "covid_new_cases_7d_avg"
TOTAL_CASES = "covid_cases_total"


@dataclass(frozen=True)
class Reading:
    """One figure: its value as published (rounded by the monitor's rule where computed),
    who reported it, and the rows it comes from."""

    indicator: str
    date: dt.date
    value: float
    source: str
    rows: tuple[str, ...] = ()  # file:line of every row the value is read or computed from
    reference: str = ""
    computed: bool = False  # computed from a daily series rather than read as published
    span: str = ""  # the source's words for the span of a flow it does not date
    inferred_date: bool = False  # the date is an inference (`inferred` names date), not the source's

    @property
    def key(self) -> tuple[str, dt.date]:
        return self.indicator, self.date


def _column(indicators: pd.DataFrame, name: str, default="") -> list:
    return indicators[name].tolist() if name in indicators else [default] * len(indicators)


# One indicator's country-wide readings, oldest first; readings of the same day keep the
# order of the data, so the last of them is the one that counts.
Readings = list[Reading]


def national_readings(indicators: pd.DataFrame) -> dict[str, Readings]:
    """Every indicator's country-wide readings (those without an admin1). A report looks up
    a dozen indicators a few times each: reading the frame once into plain values costs less
    than a single pandas filter, let alone one per lookup."""
    readings: dict[str, Readings] = {}
    columns = (indicators[c].tolist() for c in ("indicator", "admin1", "date", "value", "source"))
    files, lines = _column(indicators, "file"), _column(indicators, "line", 0)
    references, spans = _column(indicators, "reference"), _column(indicators, "span")
    inferred = _column(indicators, "inferred")
    for (name, admin1, day, value, source), file, line, ref, span, guessed in zip(
            zip(*columns, strict=True), files, lines, references, spans, inferred, strict=True):
        if admin1 == "":
            rows = (f"{file}:{line}",) if file else ()
            readings.setdefault(name, []).append(
                Reading(name, day.date(), float(value), source, rows, ref, False, span or "",
                        "date" in str(guessed or "").split(";")))
    for series in readings.values():
        series.sort(key=lambda r: r.date)  # stable: same-day readings stay in data order
    return readings


def _latest(series: Readings, keep: Callable[[dt.date], bool]) -> Reading | None:
    return next((r for r in reversed(series) if keep(r.date)), None)


def value_on(series: Readings, day: dt.date) -> Reading | None:
    return _latest(series, lambda d: d == day)


def current(series: Readings, period: Period) -> Reading | None:
    """The latest value dated within the period after its first day. Given the readings a
    period's report reads (PeriodData.indicators, see inputs.owners.readings_seen), these are
    the readings the issue counts: its own source's, or those no issue reports, by date."""
    return _latest(series, period.counts)


def previous(series: Readings, period: Period) -> Reading | None:
    """The latest value on or before the period's first day (the previous issue's end): the
    issue's own source's figure for that day where it gives one (a revision), else a reading
    of an earlier issue (or of no issue, by date). A later issue's readings never reach it."""
    return _latest(series, lambda d: d <= period.start)


def _computed_average(readings: dict[str, Readings], day: dt.date, rule: str) -> Reading | None:
    totals = readings.get(TOTAL_CASES, [])
    end = value_on(totals, day)
    begin = value_on(totals, day - dt.timedelta(days=7))
    if end is None or begin is None:
        return None
    value = words.rounded((end.value - begin.value) / 7, rule)
    return Reading(AVERAGE, day, value, end.source, begin.rows + end.rows, end.reference, True)


def _weekly_average(readings: dict[str, Readings], day: dt.date, rule: str) -> Reading | None:
    published = value_on(readings.get(AVERAGE, []), day)
    if published is None:
        return _computed_average(readings, day, rule)
    # A curated figure is whole already; an imported average (OWID's smoothed column) is
    # published by the same rule as one computed here.
    return replace(published, value=words.rounded(published.value, rule))


def weekly_average(indicators: pd.DataFrame, day: dt.date, rule: str) -> Reading | None:
    """Daily new cases averaged over the week ending `day`: the figure published for that
    week, else computed from the daily cumulative series where it has both ends of the week
    (the 7-day change divided by 7, rounded by `rule`)."""
    return _weekly_average(national_readings(indicators), day, rule)


def weekly_average_readings(indicators: pd.DataFrame, rule: str) -> list[Reading]:
    """Every weekly average the data supports, oldest first, as weekly_average gives it
    (published first, computed and rounded by `rule` otherwise), with the rows of each."""
    readings = national_readings(indicators)
    days = {r.date for r in readings.get(TOTAL_CASES, [])} | {r.date for r in readings.get(AVERAGE, [])}
    found = (_weekly_average(readings, day, rule) for day in sorted(days))
    return [r for r in found if r is not None]


def weekly_averages(indicators: pd.DataFrame, rule: str) -> pd.Series:
    """weekly_average_readings as values by the date each week ends. The charts draw these
    values and the tables print them: one value each."""
    return pd.Series({pd.Timestamp(r.date): r.value for r in weekly_average_readings(indicators, rule)},
                     dtype="float64")


def disagreements(indicators: pd.DataFrame, rule: str,
                  counted_on: pd.Series | None = None) -> list[tuple[Reading, Reading]]:
    """(published, computed) for every week whose published average differs from the one
    computed from the daily series, both rounded by `rule`. With `counted_on` (each row's
    counting day, inputs.owners) and a figure of a day that two issues give, each published
    average is compared with the series as the issue that counts it reads it: a later issue's
    revision of a total does not enter."""
    if counted_on is None or not indicators[list(INDICATORS.key)].duplicated().any():
        return _disagreements(national_readings(indicators), rule)
    out: dict[tuple[str, ...], tuple[Reading, Reading]] = {}
    published = (indicators["indicator"] == AVERAGE).to_numpy(dtype=bool)
    for day in sorted(set(counted_on.loc[published])):
        seen = owners.readings_seen(indicators, counted_on, (day - pd.Timedelta(days=8)).date(), day.date())
        for pair in _disagreements(national_readings(seen), rule):
            out.setdefault(pair[0].rows, pair)
    return sorted(out.values(), key=lambda pair: pair[0].date)


def _disagreements(readings: dict[str, Readings], rule: str) -> list[tuple[Reading, Reading]]:
    out = []
    for published in readings.get(AVERAGE, []):
        computed = _computed_average(readings, published.date, rule)
        if computed is not None and computed.value != words.rounded(published.value, rule):
            out.append((published, computed))
    return out


def disagreement_problems(indicators: pd.DataFrame, rule: str,
                          counted_on: pd.Series | None = None) -> list[Problem]:
    """disagreements as warnings for `reportlib validate`, each on the published row."""
    problems = []
    for published, computed in disagreements(indicators, rule, counted_on):
        file, _, line = (published.rows[0] if published.rows else ":").rpartition(":")
        problems.append(Problem(
            file or "indicators", int(line) if line.isdigit() else None, "value", figure(published.value, AVERAGE),
            f"the week ending {published.date.isoformat()} was published as {figure(published.value, AVERAGE)}, "
            f"but the daily series ({', '.join(computed.rows)}) gives {figure(computed.value, AVERAGE)} "
            f"({words.rule_said(rule)}); the report prints the published figure", "warning"))
    return problems


def how_computed(reading: Reading, rule: str) -> str:
    """How a reading's value was had, for its trace."""
    if not reading.computed:
        return "as published"
    return f"computed from the daily cumulative count: the 7-day change divided by 7, {words.rule_said(rule)}"


def daily_new_cases(indicators: pd.DataFrame) -> pd.Series:
    """New cases a day: the reported daily figure, or the day-to-day change of the cumulative
    count where consecutive days are present."""
    national = indicators.loc[indicators["admin1"] == ""].sort_values("date", kind="stable")
    reported = national.loc[national["indicator"] == "covid_new_cases"].set_index("date")["value"]
    totals = national.loc[national["indicator"] == TOTAL_CASES].set_index("date")["value"]
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
    current: Reading  # period_changes makes a Change only for an indicator with a reading
    previous: Reading | None
    rule: str = "round"

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current.value - self.previous.value

    @property
    def percent(self) -> float | None:
        """The change in percent, one decimal, by the monitor's rule."""
        if self.delta is None or self.previous is None or not self.previous.value:
            return None
        return words.rounded(100 * self.delta / self.previous.value, self.rule, 1)


def period_changes(indicators: pd.DataFrame, period: Period, rule: str) -> list[Change]:
    """Each indicator with a value in the period, beside the value before it."""
    readings = national_readings(indicators)
    out = []
    for name, info in reference.indicators().items():
        series = readings.get(name, [])
        now, before = current(series, period), previous(series, period)
        if name == AVERAGE:
            # The week's average at each end of the period where the data gives one; the
            # latest published figure otherwise.
            now = _weekly_average(readings, period.end, rule) or now
            before = _weekly_average(readings, period.start, rule) or before
        if now is None:
            continue
        out.append(Change(name, info.label, info.unit, now, before, rule))
    return out


def figure(value: float, indicator: str) -> str:
    """A value as the monitor writes it: thousands separated, '/day' for a daily average.
    The value is already what the monitor publishes (see words.rounded)."""
    unit = reference.indicators()[indicator].unit
    text = words.thousands(value, 0 if float(value).is_integer() else 1)
    return f"{text}/day" if unit == "cases/day" else text


def _change_verb(change: Change, kind: str, growing: bool) -> str:
    if change.previous is None or change.delta is None:
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
    value = figure(change.current.value, change.indicator)
    if info.kind == "average":
        if change.previous is not None and change.delta:
            verb = "decreased" if change.delta < 0 else "increased"
            previous_value = figure(change.previous.value, change.indicator)
            # "Nov 19": the words of the ministry's statement this sentence stands for (test_fidelity).
            change_text = (f"{verb} from {previous_value} during the week ending "
                           f"{short_day(change.previous.date)} to {value} this week")
        else:
            change_text = f"was {value} this week"
        return info.sentence.replace("{change} {value}/day", change_text).format(country=country)
    return info.sentence.format(value=words.thousands(change.current.value), country=country,
                                change=_change_verb(change, info.kind, growing))


# How the monitor groups the COVID-19 figures into sentences.
_COVID_SENTENCES = (
    ("", ("covid_deaths_total", "covid_hospitalised"), " while "),
    ("To date, ", ("covid_recovered_total", "covid_tests_total"), " and "),
    ("", (AVERAGE,), ""),
)


@dataclass(frozen=True)
class Statement:
    """A generated sentence and the readings whose figures it states."""

    text: str
    readings: tuple[Reading, ...]


def covid_statements(indicators: pd.DataFrame, period: Period, country: str, rule: str,
                     cited: Collection[tuple[str, dt.date]] = frozenset()) -> list[Statement]:
    """The monitor's COVID-19 sentences for the figures of the period that no event states
    (`cited`: the (indicator, date) keys the issue's events state)."""
    changes = {c.indicator: c for c in period_changes(indicators, period, rule) if c.current.key not in cited}
    average = changes.get(AVERAGE)
    growing = bool(average and average.current.value > 0)
    out = []

    def used(*names):
        found = [changes[n] for n in names if n in changes]
        return tuple(r for c in found for r in (c.current, c.previous) if r is not None)

    cases = changes.get(TOTAL_CASES)
    if cases:
        reporter = cases.current.source
        out.append(Statement(f"On {format_day(cases.current.date)}, {reporter} reported that "
                             f"{_clause(cases, country, growing)}.", used(TOTAL_CASES)))
    for prefix, names, joiner in _COVID_SENTENCES:
        parts = [_clause(changes[n], country, growing) for n in names if n in changes]
        if parts:
            out.append(Statement(words.capitalise(prefix + joiner.join(parts)) + ".", used(*names)))
    return out


def covid_paragraph(indicators: pd.DataFrame, period: Period, country: str, rule: str,
                    cited: Collection[tuple[str, dt.date]] = frozenset()) -> str:
    """covid_statements as one paragraph."""
    return " ".join(s.text for s in covid_statements(indicators, period, country, rule, cited))
