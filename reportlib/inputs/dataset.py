"""The data folder as typed tables: load every file, validate all of it, and select what one
period's report reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem, UsageError
from . import citations
from .issues import ISSUES_DIR, Issue, check_overlaps, load_issue
from .monitor import MONITOR_FILE, Monitor, load_monitor
from .periods import Period, parse_date
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
                             "give --end DATE or add one with `reportlib new-period --end DATE`")
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

    def select(self, period: Period, trend_weeks: int | None = None) -> PeriodData:
        weeks = self.monitor.trend_weeks if trend_weeks is None else trend_weeks
        window_start = pd.Timestamp(period.window_start(weeks))
        end = pd.Timestamp(period.end)
        reported = self.incidents["end_date"].fillna(self.incidents["event_date"])
        in_window = (reported >= window_start) & (reported <= end)
        window = self.incidents.loc[in_window]
        first = pd.Timestamp(period.start) + (pd.Timedelta(days=1) if period.days > 1 else pd.Timedelta(0))
        in_period = reported.loc[in_window] >= first
        dates = self.indicators["date"]
        indicator_window = self.indicators.loc[(dates >= window_start) & (dates <= end)]
        return PeriodData(
            monitor=self.monitor, period=period, issue=self.issue(period),
            incidents=window.loc[in_period].copy(), trend_incidents=window.copy(),
            indicators=indicator_window.copy(), sources=self.sources, trend_weeks=weeks,
            neighbours=self.neighbours(period),
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
    incidents: pd.DataFrame  # rows reported within the period (see Period.counts)
    trend_incidents: pd.DataFrame  # rows reported within the trend window, period included
    indicators: pd.DataFrame  # indicator values within the trend window
    sources: pd.DataFrame
    trend_weeks: int
    neighbours: tuple[Period | None, Period | None] = (None, None)


def load(root: str | Path, today: dt.date | None = None) -> Dataset:
    """Load and validate a data folder; raise DataError listing every problem found. A
    folder loaded before with the same bytes comes from the cache (see reportlib.datacache)."""
    from . import cache

    root = Path(root).resolve()
    today = today or dt.date.today()
    if not root.is_dir():
        raise UsageError(f"data folder {root} does not exist")
    name = cache.key(root, today)
    data = cache.get(name) if name else None
    if isinstance(data, Dataset):
        return data
    data = _load(root, today)
    if name:
        cache.put(name, data)
    return data


def _load(root: Path, today: dt.date) -> Dataset:
    problems: list[Problem] = []
    files: list[Path] = []

    def shown(path: Path) -> str:
        try:
            return str(path.relative_to(root.parent))
        except ValueError:
            return str(path)

    monitor = load_monitor(root / MONITOR_FILE, shown(root / MONITOR_FILE), problems)
    files.append(root / MONITOR_FILE)

    sources, source_files, sources_read = load_table(root, SOURCES, shown, today, None, problems)
    files += source_files
    if not source_files:
        problems.append(Problem(shown(root / SOURCES.file), None, None, None,
                                "missing: every data folder needs sources.csv (reference, title, publisher, "
                                "published); every row and issue cites a document listed there"))
    # When sources.csv cannot be read no reference can be judged; calling every one unknown
    # would bury the one real problem under a line per row.
    references = set(sources["reference"]) if sources_read else None
    incidents, incident_files, _ = load_table(root, INCIDENTS, shown, today, references, problems)
    indicators, indicator_files, _ = load_table(root, INDICATORS, shown, today, references, problems)
    files += incident_files + indicator_files

    issues = []
    issue_dir = root / ISSUES_DIR
    if issue_dir.is_dir():
        for path in sorted(issue_dir.glob("*.yaml")):
            files.append(path)
            if monitor is not None:
                issue = load_issue(path, shown(path), monitor, references, today, problems)
                if issue is not None:
                    issues.append(issue)
    issues.sort(key=lambda i: i.period.end)
    check_overlaps(issues, problems)
    # Citations are judged only against data without errors: a row refused, or missing from a
    # sheet that failed to load, is wrong for a reason already reported.
    if not any(p.severity == "error" for p in problems):
        problems += citations.check(issues, incidents, indicators)

    problems.sort(key=lambda p: (p.file, p.line or 0))
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    return Dataset(root, monitor, issues, incidents, indicators, sources, files,
                   [p for p in problems if p.severity == "warning"])
