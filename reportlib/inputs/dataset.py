"""The data folder as typed tables: load every file, validate all of it, and select what one
period's report reads."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem, UsageError
from . import cache, citations, owners
from .datafolder import ISSUES_DIR, DataFolder, period_files
from .issues import Issue, check_overlaps, load_issue
from .monitor import Monitor, load_monitor
from .periods import Period, parse_date
from .reference import acled_type_rules
from .schema import INCIDENTS, INDICATORS, SOURCES
from .tables import load_table


@dataclass
class Dataset:
    root: Path
    monitor: Monitor
    issues: list[Issue]
    incidents: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame
    files: list[Path]
    warnings: list[Problem] = field(default_factory=list)
    digests: dict[Path, str] = field(default_factory=dict)  # sha256 of each file's bytes, as loaded
    # Periods whose own files have problems, left out of this load (see load): label -> problems.
    set_aside: dict[str, list[Problem]] = field(default_factory=dict)

    def periods(self) -> list[Period]:
        return [issue.period for issue in self.issues]

    def issue(self, period: Period) -> Issue | None:
        for issue in self.issues:
            if issue.period == period:
                return issue
        return None

    def latest_period(self) -> Period:
        if not self.issues:
            raise UsageError(f"{self.root} declares no periods (no files in {ISSUES_DIR}/); "
                             "give --start and --end, or add one with `reportlib new-period --period-end DATE`")
        return self.issues[-1].period

    def period_ending(self, end: dt.date) -> Period:
        """The declared period ending on `end`; refused, naming the nearest declared periods,
        when no issue declares one."""
        for issue in self.issues:
            if issue.period.end == end:
                return issue.period
        periods = self.periods()
        before = [p for p in periods if p.end < end][-1:]
        after = [p for p in periods if p.end > end][:1]
        nearest = before + after
        named = " and ".join(f"{p.label} ({p})" for p in nearest)
        raise UsageError(
            f"no issue declares a period ending on {end.isoformat()} (in {self.root / ISSUES_DIR}); "
            + (f"the nearest declared periods end on {named}. " if nearest else "the data declares no periods. ")
            + "Build a declared period with --period-end, or give --start and --end for an ad hoc report "
              "(it is not listed in the archive as an issue).")

    def is_declared(self, period: Period) -> bool:
        """Whether an issue declares exactly this period."""
        return period in self.periods()

    def resolve_period(self, period_end: str = "", period_start: str = "") -> Period:
        """A declared period ending on period_end; with period_start, exactly that span
        (declared or ad hoc); no end, the latest declared period. An end no issue declares,
        without a start, is refused (see period_ending)."""
        if not period_end:
            return self.latest_period()
        end = parse_date(period_end, "period_end")
        if period_start:
            return Period(parse_date(period_start, "period_start"), end)
        return self.period_ending(end)

    @functools.cached_property
    def _counted(self) -> pd.DataFrame:
        """The incident rows that count. A row flagged as a repeat of another (`duplicate_of`)
        never does: leaving it out where a period's rows are selected leaves it out of every
        tally, table, chart and fingerprint at once. Computed once: a copy of a million rows
        costs a fifth of a second."""
        flagged = (self.incidents["duplicate_of"] != "").to_numpy(dtype=bool)
        return self.incidents.loc[~flagged] if flagged.any() else self.incidents

    @functools.cached_property
    def row_owners(self) -> owners.Owners:
        return owners.Owners.of(self.issues)

    @functools.cached_property
    def _counted_on(self) -> pd.Series:
        """The counting day of each counted row: the one date by which every period selects
        it (see inputs.owners)."""
        return self.row_owners.counted_on(self._counted)

    @functools.cached_property
    def indicator_counting_days(self) -> pd.Series:
        """The counting day of each indicator row (see inputs.owners)."""
        return self.row_owners.indicator_counted_on(self.indicators)

    def select(self, period: Period, trend_weeks: int | None = None) -> PeriodData:
        weeks = self.monitor.trend_weeks if trend_weeks is None else trend_weeks
        window_start = pd.Timestamp(period.window_start(weeks))
        end = pd.Timestamp(period.end)
        counted = self._counted
        reported = self._counted_on
        in_window = (reported >= window_start) & (reported <= end)
        window = counted.loc[in_window]
        counted_on = reported.loc[in_window]
        in_period = owners.counted_mask(counted_on, period)
        indicator_window = owners.readings_seen(self.indicators, self.indicator_counting_days,
                                                window_start.date(), period.end)
        return PeriodData(
            monitor=self.monitor, period=period, issue=self.issue(period),
            incidents=window.loc[in_period].copy(), trend_incidents=window.copy(), counted_on=counted_on.copy(),
            indicators=indicator_window.copy(), sources=self.sources, trend_weeks=weeks,
            neighbours=self.neighbours(period),
            issue_periods=tuple(p for p in self.periods() if p.end >= window_start.date() and p.start <= period.end),
        )

    def neighbours(self, period: Period) -> tuple[Period | None, Period | None]:
        periods = self.periods()
        if period not in periods:
            return None, None
        i = periods.index(period)
        return (periods[i - 1] if i > 0 else None,
                periods[i + 1] if i + 1 < len(periods) else None)


@dataclass
class PeriodData:
    """Everything one report reads and nothing more (the cache key hashes the same rows)."""

    monitor: Monitor
    period: Period
    issue: Issue | None
    incidents: pd.DataFrame  # rows the period counts (see inputs.owners)
    trend_incidents: pd.DataFrame  # rows counted within the trend window, period included
    # Indicator values within the trend window that the period reads: none a later issue
    # reports, and of a day's revised figure the one counted last (owners.readings_seen).
    indicators: pd.DataFrame
    sources: pd.DataFrame
    trend_weeks: int
    neighbours: tuple[Period | None, Period | None] = (None, None)
    issue_periods: tuple[Period, ...] = ()  # declared periods that overlap the trend window, oldest first
    # The counting day of each row of trend_incidents (same index): see inputs.owners.
    counted_on: pd.Series | None = None

    def counted_in(self, period: Period) -> pd.DataFrame:
        """The rows of the trend window that `period` counts (an issue of the window, a week):
        the rows its source reports, and rows no issue reports by their date."""
        days = self.counted_on
        if days is None:
            days = self.trend_incidents["end_date"].fillna(self.trend_incidents["event_date"])
        return self.trend_incidents.loc[owners.counted_mask(days, period)]


def load(root: str | Path, today: dt.date | None = None, period_end: dt.date | None = None) -> Dataset:
    """Load and validate a data folder; raise DataError listing every problem found. A
    folder loaded before with the same bytes comes from the cache (see inputs.cache).

    With `period_end` (a build of that period), the problems of another period's own files
    (its issue file and week sheets, see datafolder.period_files) do not stop it: such a
    period is set aside, its files and the rows of its document left out, and named in
    `Dataset.set_aside`. Only a period that ends after `period_end`, or before its trend
    window, is set aside; the problems of any other file stop every build."""
    root = Path(root).resolve()
    today = today or dt.date.today()
    if not root.is_dir():
        raise UsageError(f"data folder {root} does not exist")
    folder = DataFolder(root)
    name = cache.key(folder, today)
    data = cache.get(name) if name else None
    if isinstance(data, Dataset):
        return data
    try:
        data = _load(folder, today)
    except DataError as exc:
        if period_end is None:
            raise
        aside = by_period(folder, exc.problems)
        if aside is None or period_end.isoformat() in aside:
            raise
        blocking = [label for label in aside if not _apart_from(label, period_end, folder)]
        if blocking:
            raise DataError(exc.problems + [Problem(
                folder.shown(root / ISSUES_DIR / f"{label}.yaml"), None, None, None,
                f"the issue ending on {label} has problems (above) and falls in the trend window of the "
                f"period ending on {period_end.isoformat()}, whose charts read it; fix them first")
                for label in blocking]) from None
        return load_without(folder, today, aside)
    if name:
        cache.put(name, data)
    return data


def by_period(folder: DataFolder, problems: list[Problem]) -> dict[str, list[Problem]] | None:
    """The errors by the period whose own files hold them (datafolder.period_files), or None
    when an error is in a file of no single period (monitor.yaml, sources.csv, a shared
    sheet): that one stops everything."""
    owned: dict[str, str] = {}
    for path in folder.issues:
        for file in period_files(folder.root, path.stem):
            owned[folder.shown(file)] = path.stem
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity != "error":
            continue
        label = owned.get(problem.file)
        if label is None:
            return None
        out.setdefault(label, []).append(problem)
    return out


def _apart_from(label: str, period_end: dt.date, folder: DataFolder) -> bool:
    """Whether the period ending on `label` is outside the data a build of `period_end`
    reads: after it, or before its trend window."""
    try:
        end = parse_date(label)
    except UsageError:
        return False
    if end > period_end:
        return True
    monitor = load_monitor(folder, [])
    weeks = monitor.trend_weeks if monitor is not None else 104
    return end < period_end - dt.timedelta(weeks=weeks + 1)


def load_without(folder: DataFolder, today: dt.date, aside: dict[str, list[Problem]]) -> Dataset:
    """The data with the periods `aside` left out: their files, and the rows in other sheets
    that their issue's document reports (so that no other period counts them by date)."""
    leave_out = frozenset(f for label in aside for f in period_files(folder.root, label))
    references = set()
    for label in aside:
        path = folder.root / ISSUES_DIR / f"{label}.yaml"
        found = folder.read_mapping(path, []) if path.exists() else None
        value = found.get("reference") if isinstance(found, dict) else None
        if isinstance(value, str) and value.strip():
            references.add(value.strip())
    data = _load(DataFolder(folder.root, leave_out), today, references)
    data.set_aside = aside
    return data


def _load(folder: DataFolder, today: dt.date, withheld: AbstractSet[str] = frozenset()) -> Dataset:
    """Every file on the folder's list, and nothing else, parsed and checked; rows of the
    documents `withheld` (of periods set aside) are left out."""
    problems: list[Problem] = []
    root = folder.root
    monitor = load_monitor(folder, problems)

    sources, source_files, sources_read = load_table(folder, SOURCES, today, None, problems)
    if not source_files:
        problems.append(Problem(folder.shown(root / SOURCES.file), None, None, None,
                                "missing: every data folder needs sources.csv (reference, title, publisher, "
                                "published); every row and issue cites a document listed there"))
    # When sources.csv cannot be read no reference can be judged; calling every one unknown
    # would bury the one real problem under a line per row.
    references = set(sources["reference"]) if sources_read else None
    incidents, _, _ = load_table(folder, INCIDENTS, today, references, problems)
    indicators, _, _ = load_table(folder, INDICATORS, today, references, problems)
    if withheld:
        incidents = incidents.loc[~incidents["reference"].isin(list(withheld))]
        indicators = indicators.loc[~indicators["reference"].isin(list(withheld))]

    if folder.acled_types is not None:
        raw = folder.read_or_report(folder.acled_types, problems)
        if raw is not None:
            acled_type_rules(folder.acled_types, folder.shown(folder.acled_types), today, problems, raw=raw)

    issues = []
    if monitor is not None:
        for path in folder.issues:
            issue = load_issue(folder, path, monitor, references, today, problems)
            if issue is not None:
                issues.append(issue)
    issues.sort(key=lambda i: i.period.end)
    check_overlaps(issues, problems)
    # Citations are judged only against data without errors: a row refused, or missing from a
    # sheet that failed to load, is wrong for a reason already reported.
    if not any(p.severity == "error" for p in problems):
        problems += citations.check(issues, incidents, indicators)
        problems += owners.check(issues, incidents)
        problems += owners.check_indicators(issues, indicators)
        problems += owners.uncited(issues, incidents)

    problems.sort(key=lambda p: (p.file, p.line or 0))
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    assert monitor is not None  # load_monitor returns None only with an error in problems
    return Dataset(root, monitor, issues, incidents, indicators, sources, folder.files(),
                   [p for p in problems if p.severity == "warning"], dict(folder.digests))
