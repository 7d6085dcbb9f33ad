"""Which issue counts each incident row: the one whose source reports it.

Consecutive issues share their boundary day (3 December ends one issue and starts the next),
so a row's date alone cannot say which of two issues reports an incident of that day. The
row's `reference` can: a row belongs to

1. the issue one of whose events cites it (`incidents:`), else
2. the issue whose document it was transcribed from: its `reference` is the issue's
   `reference`, or the `reference` of an event of exactly one issue;
3. only a row that no issue's source reports (an import) falls back to its date: it counts
   in the issue whose period holds its last day (`end_date`, else `event_date`); on a day two
   issues share, in the earlier one.

Every consumer reads this through one date a row, its *counting day* (`counted_on`): its last
day, except for a row dated an issue's first day that the issue counts (by rules 1 and 2, or
by rule 3 when no issue ends that day), which is counted on the day after. A period counts the
rows whose counting day it counts (Period.counts: from the day after its first), so that
tables, key figures, the map, the charts, the trend of later issues, the exports and the build
key all agree, and a row counts in exactly one issue, a backfilled issue included.

`check` refuses what would make the owner unclear: a row its issue's document reports but
dated outside that issue's period, and an event citing a row another issue reports.

Indicator rows count by rules 2 and 3, their `date` being their last day
(`Owners.indicator_counted_on`). The report of a period reads the rows counted on or before
its end (`readings_seen`): its current values are the rows it counts; its values *before* (of
its first day and earlier) are its own source's figure of its first day where it gives one,
else rows counted in earlier issues or by date. One indicator, day and place may have two rows
only as two issues' figures (a later issue's revision of a day, or its figure beside an
import's); `check_indicators` refuses two that count in the same issue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import Problem
from .citations import stating_event
from .issues import Issue
from .periods import Period
from .schema import INDICATORS


@dataclass(frozen=True)
class Owners:
    """Owning issues by reference and by citation; `issues` are the data's issues."""

    by_reference: dict[str, Issue] = field(default_factory=dict)
    by_citation: dict[str, Issue] = field(default_factory=dict)
    # First days of issues that no other issue ends on: rule 3 counts them in the issue.
    open_starts: frozenset[dt.date] = frozenset()

    @classmethod
    def of(cls, issues: list[Issue]) -> Owners:
        primary: dict[str, list[Issue]] = {}
        for issue in issues:
            primary.setdefault(issue.reference, []).append(issue)
        by_reference = {ref: found[0] for ref, found in primary.items() if ref and len(found) == 1}
        # A document an event cites besides the issue's own (a UN report, a ministry's
        # statement) reports the rows of that one issue only when no other issue cites it.
        secondary: dict[str, set[int]] = {}
        for k, issue in enumerate(issues):
            for event in issue.events:
                if event.reference and event.reference not in primary:
                    secondary.setdefault(event.reference, set()).add(k)
        for ref, which in secondary.items():
            if len(which) == 1:
                by_reference[ref] = issues[next(iter(which))]
        by_citation = {i: issue for issue in issues for e in issue.events for i in e.incidents}
        ends = {issue.period.end for issue in issues}
        open_starts = frozenset(i.period.start for i in issues if i.period.days > 1 and i.period.start not in ends)
        return cls(by_reference, by_citation, open_starts)

    def owner(self, event_id: str, reference: str) -> Issue | None:
        return self.by_citation.get(event_id) or self.by_reference.get(reference)

    def counted_on(self, incidents: pd.DataFrame) -> pd.Series:
        """Each row's counting day (see the module's docstring), aligned with the frame."""
        last = incidents["end_date"].fillna(incidents["event_date"])
        if not (self.by_reference or self.by_citation or self.open_starts) or incidents.empty:
            return last
        owner_first = self._owner_starts(incidents["event_id_cnty"], self.by_citation).fillna(
            self._owner_starts(incidents["reference"], self.by_reference))
        return self._moved(last, owner_first)

    def indicator_counted_on(self, indicators: pd.DataFrame) -> pd.Series:
        """Each indicator row's counting day, by rules 2 and 3 with its one `date` as its last
        day. Rule 1 does not apply: an event cites a reading by indicator and date, a key that a
        later issue's revision of the day shares, so only the row's `reference` tells them apart."""
        last = indicators["date"]
        if not (self.by_reference or self.open_starts) or indicators.empty:
            return last
        return self._moved(last, self._owner_starts(indicators["reference"], self.by_reference))

    @staticmethod
    def _owner_starts(column: pd.Series, owners: dict) -> pd.Series:
        """The first day of each row's owning issue (NaT where none)."""
        # A one-day issue counts its one day as it is: no day to move the row to.
        if not owners:  # a million rows need no lookup in an empty table
            return pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
        days = {k: pd.Timestamp(i.period.start) if i.period.days > 1 else pd.Timestamp.max
                for k, i in owners.items()}
        return pd.to_datetime(column.astype(object).map(days))

    def _moved(self, last: pd.Series, owner_first: pd.Series) -> pd.Series:
        """`last`, a day later for a row dated the first day of the issue that counts it."""
        owned = owner_first.notna().to_numpy(dtype=bool)
        on_first = owned & (last == owner_first).to_numpy(dtype=bool)
        if self.open_starts:
            opens = last.isin([pd.Timestamp(d) for d in self.open_starts]).to_numpy(dtype=bool)
            on_first |= ~owned & opens
        if not on_first.any():
            return last
        out = last.copy()
        out.loc[on_first] = last.loc[on_first] + pd.Timedelta(days=1)
        return out


def readings_seen(indicators: pd.DataFrame, counted_on: pd.Series, first: dt.date, end: dt.date) -> pd.DataFrame:
    """The indicator rows that the report of a period ending on `end` reads, dated from
    `first` (its trend window) on: those counted on or before `end`, so that no row a later
    issue reports reaches it. Of the rows of one indicator, date and governorate (a later
    issue's revision of a day beside the earlier issue's reading), the one counted last is
    read, so an issue reads its own source's figure, and the readings of issues before it
    otherwise. Rows keep the data's order."""
    dates = indicators["date"]
    seen = ((dates >= pd.Timestamp(first)) & (counted_on <= pd.Timestamp(end))).to_numpy(dtype=bool)
    frame = indicators.loc[seen]
    keys = frame[list(INDICATORS.key)]
    if not keys.duplicated().any():
        return frame
    latest = counted_on.loc[frame.index].sort_values(kind="stable")
    kept = keys.loc[latest.index].drop_duplicates(keep="last").index
    return frame.loc[frame.index.isin(kept)]


def check_indicators(issues: list[Issue], indicators: pd.DataFrame) -> list[Problem]:
    """Indicator rows whose owner would be unclear or wrong: a row its issue's document
    reports dated outside that issue's period, and two rows of one indicator, date and
    governorate that count in the same issue (by their references or their dates): a row may
    repeat the key of another row only as another issue's figure (a revision of the day)."""
    if indicators.empty:
        return []
    owners = Owners.of(issues)
    periods = [i.period for i in issues]
    problems: list[Problem] = []
    if owners.by_reference:
        # Vectorised: every row of a weekly monitor is its issue's, and only the wrong ones are read.
        refs = indicators["reference"].astype(object)
        firsts = pd.to_datetime(refs.map({k: pd.Timestamp(i.period.start) for k, i in owners.by_reference.items()}))
        lasts = pd.to_datetime(refs.map({k: pd.Timestamp(i.period.end) for k, i in owners.by_reference.items()}))
        outside = (firsts.notna() & ((indicators["date"] < firsts) | (indicators["date"] > lasts))).to_numpy(dtype=bool)
        for row in indicators.loc[outside].itertuples(index=False):
            day, reporting = row.date.date(), owners.by_reference[row.reference]
            problems.append(Problem(row.file, int(row.line), "date", day.isoformat(),
                                    _outside(row.reference, reporting, f"is dated {day.isoformat()}")))
    # Only rows that share their key with another are judged: most rows share it with none.
    shared = indicators.loc[indicators[list(INDICATORS.key)].duplicated(keep=False).to_numpy(dtype=bool)]
    seen: dict[tuple, tuple[str, int]] = {}
    for row, counted in zip(shared.itertuples(index=False), owners.indicator_counted_on(shared), strict=True):
        day = row.date.date()
        period = counting_period(counted.date(), periods)
        key = (row.indicator, day, row.admin1, period or counted)
        if key not in seen:
            seen[key] = (row.file, int(row.line))
            continue
        file, line = seen[key]
        where = f"line {line}" if file == row.file else f"{file}:{line}"
        counts = f"count in the issue of {period}" if period else "count on the same day, in no declared issue"
        problems.append(Problem(
            row.file, int(row.line), "reference", row.reference,
            f"{row.indicator} of {day.isoformat()}{' in ' + row.admin1 if row.admin1 else ''} is already on "
            f"{where}, and both rows {counts} (by their references, or by their dates where no issue's "
            "document is theirs), so the issue would have two figures for it; keep one, or give a later "
            "issue's revision of the figure the reference of that issue"))
    return problems


def _span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _issue_name(issue: Issue) -> str:
    return f"the issue of {issue.period} ({issue.file})"


def _outside(reference: str, reporting: Issue, dated: str) -> str:
    """Why a row its issue's document reports cannot be dated as it is."""
    return (f"the row's document ({reference}) is the source of {_issue_name(reporting)}, but the row {dated}, "
            "outside that period; correct its date, or give it the reference of the issue that reports it")


def counting_period(day: dt.date, periods: list[Period]) -> Period | None:
    """The declared period a row no issue reports counts in by its date (rule 3)."""
    return next((p for p in periods if p.counts(day)), None)


def check(issues: list[Issue], incidents: pd.DataFrame) -> list[Problem]:
    """Rows whose owner would be unclear or wrong; see the module's docstring."""
    if not issues or incidents.empty:
        return []
    owners = Owners.of(issues)
    problems: list[Problem] = []
    refs = incidents["reference"].isin(list(owners.by_reference)).to_numpy(dtype=bool)
    cited = incidents["event_id_cnty"].isin(list(owners.by_citation)).to_numpy(dtype=bool)
    rows = incidents.loc[refs | cited]
    periods = [i.period for i in issues]
    for row in rows.itertuples(index=False):
        first = row.event_date.date()
        last = first if pd.isna(row.end_date) else row.end_date.date()
        where = f"{row.file}:{row.line}"
        reporting = owners.by_reference.get(row.reference)
        citing = owners.by_citation.get(row.event_id_cnty)
        if reporting is not None and not reporting.period.contains(last):
            problems.append(Problem(
                row.file, int(row.line), "end_date" if not pd.isna(row.end_date) else "event_date", last.isoformat(),
                _outside(row.reference, reporting, f"ends on {last.isoformat()}")))
            continue
        if citing is None or citing is reporting:
            continue
        event = next(e for e in citing.events if row.event_id_cnty in e.incidents)
        key = f"{event.section}.events.incidents"
        if reporting is not None:
            problems.append(Problem(
                citing.file, event.line, key, row.event_id_cnty,
                f"the row ({where}, {_span(first, last)}) is reported by {_issue_name(reporting)}: its reference "
                f"is {row.reference}; this event is in {_issue_name(citing)}. A row counts in one issue: cite it "
                f"from an event of the issue of {reporting.period}, or, if this issue's source reports it, give "
                f"the row this issue's reference ({citing.reference})"))
        elif not citing.period.contains(last):
            counted = counting_period(last, periods)
            there = f"the issue of {counted}" if counted else "no issue"
            problems.append(Problem(
                citing.file, event.line, key, row.event_id_cnty,
                f"the row ({where}) ends on {last.isoformat()}, outside this issue's period ({citing.period}); "
                f"by its date it counts in {there}. Cite it from an event of that issue, or correct the row's "
                "date"))
    return problems


def counted_mask(counted_on: pd.Series, period: Period) -> np.ndarray:
    """Rows whose counting day the period counts (Period.counts, vectorised)."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    if period.days == 1:
        return (counted_on == start).to_numpy(dtype=bool)
    return ((counted_on > start) & (counted_on <= end)).to_numpy(dtype=bool)


def uncited(issues: list[Issue], incidents: pd.DataFrame) -> list[Problem]:
    """A warning for each row an issue's document reports that no event of the issue cites:
    the report states it in a sentence it composes, marked as compiled from the data, where
    the issue's own words may already tell it. Rows of other sources (imports) are many and
    expected to be uncited; they are not listed."""
    owners = Owners.of(issues)
    if not owners.by_reference or incidents.empty:
        return []
    refs = incidents["reference"].isin(list(owners.by_reference)).to_numpy(dtype=bool)
    left = incidents.loc[refs & ~incidents["event_id_cnty"].isin(list(owners.by_citation)).to_numpy(dtype=bool)]
    left = left.loc[(left["duplicate_of"] == "").to_numpy(dtype=bool)] if "duplicate_of" in left else left
    out = []
    for row in left.itertuples(index=False):
        issue = owners.by_reference[row.reference]
        event = stating_event(issue, row)
        if event is not None:
            said = (f"the event on line {event.line} of {issue.file} seems to state its figures, so the report "
                    "composes no sentence for it; cite the row there (incidents: [...])")
        else:
            said = ("the report states it in a sentence compiled from the data, marked as such. If the issue's "
                    "text tells it, cite the row from that event (incidents: [...])")
        out.append(Problem(row.file, int(row.line), "event_id_cnty", row.event_id_cnty,
                           f"no event of the issue of {issue.period} ({issue.file}) cites this row: {said}",
                           severity="warning"))
    return out
