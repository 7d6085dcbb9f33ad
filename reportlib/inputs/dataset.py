"""The data folder as typed tables: load every file, validate all of it, and select what one
period's report reads."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, UsageError
from . import csvreader, textrules, yamlreader
from .periods import Period, parse_date, week_ending, weekday_number
from .schema import INCIDENTS, INDICATORS, SOURCES, Table

MONITOR_FILE = "monitor.yaml"
ISSUES_DIR = "issues"
DEFAULT_TREND_WEEKS = 8


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Monitor:
    name: str
    country: str
    language: str
    weekday: int
    sections: tuple[Section, ...]
    synthetic: bool
    trend_weeks: int

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


@dataclass(frozen=True)
class Event:
    date: dt.date | None
    text: str
    section: str
    reference: str


@dataclass
class Issue:
    """One published issue: its period, a headline per section and the dated events."""

    period: Period
    reference: str
    headlines: dict[str, str]
    events: list[Event]
    file: str

    def section_events(self, section_id: str) -> list[Event]:
        """Events of a section in date order; an undated event keeps its place after the
        dated event that precedes it in the file."""
        keyed, last = [], dt.date.min
        for position, event in enumerate(e for e in self.events if e.section == section_id):
            last = event.date or last
            keyed.append((last, position, event))
        return [e for _, _, e in sorted(keyed, key=lambda k: (k[0], k[1]))]


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
        for issue in self.issues:
            if issue.period.end == end:
                return issue.period
        raise UsageError(
            f"no period ends on {end.isoformat()} in {self.root / ISSUES_DIR}; declared period ends: "
            + (", ".join(p.label for p in self.periods()[-6:]) or "none")
            + ". Give --start and --end for an undeclared period.")

    def resolve_period(self, period_end: str = "", period_start: str = "") -> Period:
        """A declared period ending on period_end; with period_start, exactly that span; an
        undeclared end gives the week ending on it; no end, the latest declared period."""
        if not period_end:
            return self.latest_period()
        end = parse_date(period_end, "period_end")
        if period_start:
            return Period(parse_date(period_start, "period_start"), end)
        try:
            return self.period_ending(end)
        except UsageError:
            return week_ending(end)

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

    monitor = _load_monitor(root / MONITOR_FILE, shown(root / MONITOR_FILE), problems)
    files.append(root / MONITOR_FILE)

    sources, source_files, sources_read = _load_table(root, SOURCES, shown, today, None, problems)
    files += source_files
    if not source_files:
        problems.append(Problem(shown(root / SOURCES.file), None, None, None,
                                "missing: every data folder needs sources.csv (reference, title, publisher, "
                                "published); every row and issue cites a document listed there"))
    # When sources.csv cannot be read no reference can be judged; calling every one unknown
    # would bury the one real problem under a line per row.
    references = set(sources["reference"]) if sources_read else None
    incidents, incident_files, _ = _load_table(root, INCIDENTS, shown, today, references, problems)
    indicators, indicator_files, _ = _load_table(root, INDICATORS, shown, today, references, problems)
    files += incident_files + indicator_files

    issues = []
    issue_dir = root / ISSUES_DIR
    if issue_dir.is_dir():
        for path in sorted(issue_dir.glob("*.yaml")):
            files.append(path)
            if monitor is not None:
                issue = _load_issue(path, shown(path), monitor, references, today, problems)
                if issue is not None:
                    issues.append(issue)
    issues.sort(key=lambda i: i.period.end)
    _check_issue_overlaps(issues, problems)

    problems.sort(key=lambda p: (p.file, p.line or 0))
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    return Dataset(root, monitor, issues, incidents, indicators, sources, files,
                   [p for p in problems if p.severity == "warning"])


def table_files(root: Path, table: Table) -> list[Path]:
    """A table is its main file plus any sheets in the folder of the same name, so a week's
    incidents or an import can be a file of its own."""
    paths = []
    main = root / table.file
    if main.exists():
        paths.append(main)
    folder = root / table.name
    if folder.is_dir():
        paths += sorted(folder.glob("*.csv"))
    return paths


def _load_table(root, table, shown, today, references, problems):
    """The table from all its sheets, the sheets, and whether every sheet could be read."""
    frames, origins = [], []
    paths = table_files(root, table)
    for path in paths:
        frame, found, lines = csvreader.read_table(path, table, shown(path), today, references)
        problems += found
        if frame is not None:
            frames.append(frame)
            origins.append((shown(path), lines, len(frame)))
    complete = len(frames) == len(paths) and bool(paths)
    if not frames:
        empty = {c.name: csvreader._empty(c, 0) for c in table.columns}
        return pd.DataFrame(empty), paths, complete
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    _check_keys(table, data, origins, problems)
    return data, paths, complete


def _key_text(value) -> str:
    """A key value as the file writes it: dates as YYYY-MM-DD, missing values empty."""
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _check_keys(table: Table, data: pd.DataFrame, origins, problems: list[Problem]) -> None:
    keys = data[list(table.key)]
    if len(table.key) == 1:
        dup = keys.iloc[:, 0].duplicated(keep=False).to_numpy()
    else:
        dup = keys.astype(str).duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    offsets = np.cumsum([0] + [n for _, _, n in origins])

    def where(position: int) -> tuple[str, int]:
        part = int(np.searchsorted(offsets, position, side="right") - 1)
        name, lines, _ = origins[part]
        return name, lines(position - int(offsets[part]))

    first_seen: dict[tuple, tuple[str, int]] = {}
    reported = 0
    for position in np.flatnonzero(dup):
        key = tuple(_key_text(v) for v in keys.iloc[position])
        if key not in first_seen:
            first_seen[key] = where(int(position))
            continue
        if reported >= csvreader.MAX_PER_COLUMN:
            continue
        reported += 1
        name, line = where(int(position))
        first_name, first_line = first_seen[key]
        shown_key = ", ".join(k for k in key if k)
        also = f"line {first_line}" if first_name == name else f"{first_name}:{first_line}"
        label = "duplicate id" if len(table.key) == 1 else f"duplicate row for ({', '.join(table.key)})"
        problems.append(Problem(name, line, ",".join(table.key), shown_key,
                                f"{label}; already on {also}"))


def _load_monitor(path: Path, shown: str, problems: list[Problem]) -> Monitor | None:
    if not path.exists():
        problems.append(Problem(shown, None, None, None,
                                "missing: every data folder needs monitor.yaml (name, country, sections)"))
        return None
    data, found = yamlreader.load(path, shown)
    problems += found
    if data is None:
        return None
    ok = True

    def need(key: str, kind=str):
        nonlocal ok
        value = data.get(key)
        if value is None or (kind is str and not str(value).strip()):
            problems.append(Problem(shown, data.line, key, None, "required key is missing"))
            ok = False
            return None
        if not isinstance(value, kind):
            problems.append(Problem(shown, data.line_of(key), key, str(value),
                                    f"must be a {kind.__name__}"))
            ok = False
            return None
        return value

    name, country = need("name"), need("country")
    raw_sections = need("sections", list)
    sections = []
    for i, item in enumerate(raw_sections or []):
        line = raw_sections.lines[i]
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            problems.append(Problem(shown, line, "sections", str(item),
                                    "each section needs an id and a title"))
            ok = False
            continue
        sections.append(Section(str(item["id"]), str(item["title"])))
    weekday = 3
    if "period_weekday" in data:
        try:
            weekday = weekday_number(str(data["period_weekday"]))
        except UsageError as exc:
            problems.append(Problem(shown, data.line_of("period_weekday"), "period_weekday",
                                    str(data["period_weekday"]), str(exc)))
            ok = False
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(Problem(shown, data.line_of("synthetic"), "synthetic", str(synthetic),
                                "must be true or false"))
        ok = False
    trend_weeks = data.get("trend_weeks", DEFAULT_TREND_WEEKS)
    if not isinstance(trend_weeks, int) or isinstance(trend_weeks, bool) or not 0 <= trend_weeks <= 104:
        problems.append(Problem(shown, data.line_of("trend_weeks"), "trend_weeks", str(trend_weeks),
                                "must be a whole number of weeks from 0 to 104"))
        ok = False
    for key in ("name", "country"):
        for reason in textrules.problems(str(data.get(key, ""))):
            problems.append(Problem(shown, data.line_of(key), key, str(data[key]), reason))
            ok = False
    if not ok:
        return None
    return Monitor(str(name), str(country), str(data.get("language", "en")), weekday,
                   tuple(sections), synthetic, trend_weeks)


def _load_issue(path, shown, monitor, references, today, problems) -> Issue | None:
    data, found = yamlreader.load(path, shown)
    problems += found
    if data is None:
        return None
    before = len(problems)

    def date_of(mapping, key, required=True):
        value = mapping.get(key)
        if value is None or str(value).strip() == "":
            if required:
                problems.append(Problem(shown, mapping.line, key, None, "required key is missing"))
            return None
        text = str(value).strip()
        try:
            return parse_date(text, key)
        except UsageError as exc:
            # parse_date names the key and value; the Problem names them already.
            reason = str(exc).replace(f"{key} {text!r} is ", "")
            problems.append(Problem(shown, mapping.line_of(key), key, text, reason))
            return None

    start, end = date_of(data, "period_start"), date_of(data, "period_end")
    period = None
    if start and end:
        if end < start:
            problems.append(Problem(shown, data.line_of("period_end"), "period_end", str(end),
                                    f"period end is before its start ({start.isoformat()})"))
        else:
            period = Period(start, end)
    if end is not None and path.stem != end.isoformat():
        problems.append(Problem(shown, data.line_of("period_end"), "period_end", str(end),
                                f"the file must be named {end.isoformat()}.yaml after its period end"))
    elif end is None and not _is_date(path.stem):
        # The period end names the output folder; a file name that is no date is a sign
        # that the period end is not one either.
        problems.append(Problem(shown, data.line_of("period_end"), "period_end", None,
                                f"the file name {path.name!r} is not a period end date; issue files are "
                                "named after their period end, as in 2020-12-03.yaml"))
    # An empty `reference:` is YAML's null, which must read as empty, not as the text "None".
    reference = "" if data.get("reference") is None else str(data["reference"]).strip()
    if "reference" not in data:
        problems.append(Problem(shown, data.line, "reference", None,
                                "required key is missing (the id in sources.csv this issue comes from)"))
    elif not reference:
        problems.append(Problem(shown, data.line_of("reference"), "reference", None,
                                "reference is empty; add the issue's document to sources.csv and write "
                                "its reference here"))
    elif references is not None and reference not in references:
        problems.append(Problem(shown, data.line_of("reference"), "reference", reference,
                                "unknown reference; add it to sources.csv"))
    sections = data.get("sections")
    headlines: dict[str, str] = {}
    events: list[Event] = []
    if not isinstance(sections, dict):
        problems.append(Problem(shown, data.line_of("sections"), "sections", None,
                                "must be a mapping of section id to headline and events"))
        sections = {}
    known = [s.id for s in monitor.sections]
    for section_id, body in sections.items():
        line = sections.line_of(section_id)
        if section_id not in known:
            problems.append(Problem(shown, line, "sections", str(section_id),
                                    f"unknown section; the monitor's sections are {', '.join(known)}"))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(shown, line, section_id, None,
                                    "must be a mapping with a headline and events"))
            continue
        headline = body.get("headline")
        if headline is None or not str(headline).strip():
            problems.append(Problem(shown, body.line_of("headline"), f"{section_id}.headline", None,
                                    "headline is empty; write the section's headline"))
        else:
            headline = str(headline).strip()
            for reason in textrules.problems(headline, markdown=True):
                problems.append(Problem(shown, body.line_of("headline"),
                                        f"{section_id}.headline", headline, reason))
            headlines[section_id] = headline
        items = body.get("events") or []
        if not isinstance(items, list):
            problems.append(Problem(shown, body.line_of("events"), f"{section_id}.events", None,
                                    "must be a list of events"))
            continue
        for i, item in enumerate(items):
            event = _event(item, items.lines[i], section_id, reference, period, references,
                           today, shown, date_of, problems)
            if event:
                events.append(event)
    if len(problems) > before or period is None:
        return None
    return Issue(period, reference, headlines, events, shown)


def _event(item, line, section_id, default_reference, period, references, today, shown,
           date_of, problems) -> Event | None:
    where = f"{section_id}.events"
    if not isinstance(item, dict):
        problems.append(Problem(shown, line, where, str(item),
                                "each event must be a mapping with date and text"))
        return None
    text = str(item.get("text") or "").strip()
    if not text:
        problems.append(Problem(shown, item.line, f"{where}.text", None, "event text is empty"))
        return None
    for reason in textrules.problems(text, markdown=True):
        problems.append(Problem(shown, item.line_of("text"), f"{where}.text", text, reason))
    day = date_of(item, "date", required=False)
    if day is not None:
        if day > today:
            problems.append(Problem(shown, item.line_of("date"), f"{where}.date", day.isoformat(),
                                    f"date is in the future (today is {today.isoformat()})"))
        elif period is not None and not period.contains(day):
            problems.append(Problem(shown, item.line_of("date"), f"{where}.date", day.isoformat(),
                                    f"event date is outside the issue's period ({period})"))
    reference = str(item.get("reference") or default_reference)
    if item.get("reference") and references is not None and reference not in references:
        problems.append(Problem(shown, item.line_of("reference"), f"{where}.reference", reference,
                                "unknown reference; add it to sources.csv"))
    return Event(day, text, section_id, reference)


def _is_date(text: str) -> bool:
    try:
        parse_date(text)
    except UsageError:
        return False
    return True


def _check_issue_overlaps(issues: list[Issue], problems: list[Problem]) -> None:
    for before, after in itertools.pairwise(issues):
        # Consecutive issues share their boundary day (Thursday to Thursday), no more.
        if after.period.start < before.period.end:
            problems.append(Problem(after.file, None, "period_start", after.period.start.isoformat(),
                                    f"period overlaps the previous issue ({before.file}, {before.period})"))
