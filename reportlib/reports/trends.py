"""What the trends report notebook calls: incidents, casualties and COVID-19 figures week by
week over a range of dates, one method per block, each returning a Fragment of report HTML
as reportlib.report does for the weekly report.

    from reportlib.trends import TrendsReport
    trends = TrendsReport.open("../data", period_end="2020-12-03", period_start="2020-11-19")
    trends.title_block()

The range counts like an issue: a figure counts from the day after its first day (which
closes the issue before) to its last day, and a total the source gives over a span counts in
the week the span ends. Weeks end on the range's last day and every seventh day before it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..content import figures, indicators, sentences, tables
from ..content.provenance import Trace
from ..content.tables import Cell, Row
from ..inputs import reference
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import Period, format_day, format_long, format_span, parse_date
from ..inputs.schema import CASUALTY_GROUPS, INCIDENTS
from . import blocks
from .blocks import Fragment, Tracer, title_block
from .figureblock import FigureBlock, Figures, no_chart, show_in_kernel
from .weekly import Report

# Without a first day, the range is this many weeks before its end, or from the first
# declared issue on if the data starts later.
DEFAULT_WEEKS = 12
AVERAGE = indicators.AVERAGE
MINIMUM_NOTE = tables.MINIMUM_NOTE
# The casualty columns beside incidents: people killed and wounded (the victims rows: attacks,
# violence at protests …; the weeks differ in what they hold, so the heading names no kind) always; militants and
# unattributed casualties in columns of their own when the range has them, never added in.
_GROUP_HEADINGS = {"victims": ("People killed", "People wounded"),
                   "militants": ("Militants killed", "Militants wounded"),
                   "unattributed": ("Killed, side not reported", "Wounded, side not reported")}


def trend_range(data: Dataset, period_end: str = "", period_start: str = "") -> Period:
    """The range a trends report covers: the given days; no end, the latest declared
    period's end; no start, DEFAULT_WEEKS before the end, but not before the data's first
    issue."""
    end = parse_date(period_end, "period_end") if period_end else data.latest_period().end
    if period_start:
        return Period(parse_date(period_start, "period_start"), end)
    start = end - dt.timedelta(weeks=DEFAULT_WEEKS)
    first_issue = [p.start for p in data.periods() if p.start < end]
    if first_issue and first_issue[0] > start:
        start = first_issue[0]
    return Period(start, end)


def week_ends(period: Period) -> list[dt.date]:
    """The last day of each week of the range, oldest first: its end and every seventh day
    before it that is still after its first day (a one-day range is its one day)."""
    ends = [period.end]
    while ends[-1] - dt.timedelta(days=7) > period.start:
        ends.append(ends[-1] - dt.timedelta(days=7))
    return ends[::-1]


class TrendsReport:
    def __init__(self, view: PeriodData):
        self.view = view
        self.period = view.period
        self.monitor = view.monitor
        self.weeks = week_ends(self.period)
        self.tracer = Tracer.for_sources(view.sources)
        self.figures = Figures()
        # The weekly report's blocks, numbering their traces and figures with this report's.
        self._weekly = Report(view, self.tracer, figures=self.figures)

    @classmethod
    def open(cls, data_dir: str | Path, period_end: str = "", period_start: str = "",
             today: str = "") -> TrendsReport:
        data = load(data_dir, parse_date(today) if today else None,
                    parse_date(period_end, "period_end") if period_end else None)
        # One week of figures before the range, so that the first week's COVID-19 average
        # can be computed from a daily series; incidents are those counted in the range.
        trends = cls(data.select(trend_range(data, period_end, period_start), trend_weeks=1))
        show_in_kernel(trends.figures)
        return trends

    def figure(self, fig, caption: str = "", alt: str = "") -> FigureBlock:
        """An analyst's matplotlib figure (or a pandas plot's Axes) as the report's next
        numbered figure; see Report.figure."""
        return self.figures.of(fig, caption, alt)

    # -- what the blocks read ------------------------------------------------------------

    def week_span(self, end: dt.date) -> Period:
        """The days of the week ending on `end` that count in the range."""
        if self.period.days == 1:
            return self.period
        return Period(max(end - dt.timedelta(days=7), self.period.start), end)

    def week_rows(self, end: dt.date) -> pd.DataFrame:
        """Incident rows counted in the week ending on `end`."""
        return self.view.counted_in(self.week_span(end))

    def covid_averages(self) -> pd.Series:
        """The weekly averages of new cases at the end of each week of the range, on its first
        day (the week before it, for comparison) and wherever one was published within it;
        by the weekly report's rule: as published, else computed from a daily cumulative
        series and rounded by the monitor's rule."""
        readings = self._average_readings()
        return pd.Series({pd.Timestamp(r.date): r.value for r in readings}, dtype="float64")

    def _average_readings(self) -> list:
        values = self.view.indicators
        every = indicators.weekly_average_readings(values, self.monitor.rounding)
        published = values.loc[(values["indicator"] == AVERAGE) & (values["admin1"] == ""), "date"]
        days = {d for d in [self.period.start, *self.weeks]} | {d.date() for d in published}
        return [r for r in every if r.date in days and self.period.start <= r.date <= self.period.end]

    def _columns(self) -> list[tuple[str, str, str]]:
        """(group, killed or wounded, heading) of the casualty columns: killed and wounded in
        attacks always; those of another group when the range has rows of it that give them."""
        every = sentences.incident_rows(self.view.incidents)
        out = []
        for group in CASUALTY_GROUPS:
            c = sentences.casualties([r for r in every if r.group == group])
            killed, wounded = _GROUP_HEADINGS[group]
            if group == "victims" or c.killed is not None:
                out.append((group, "killed", killed))
            if group == "victims" or c.wounded is not None:
                out.append((group, "wounded", wounded))
        return out

    def _counts(self, rows: list, label: str, css: str = "num") -> list[Cell]:
        """Cells of the incidents, and the killed and wounded of each group, of some rows; a
        group with no rows among them gets an empty cell, not a zero."""
        t = sentences.tally(rows)
        cells = [tables.count_cell(t.incidents, t.incidents_min, css,
                                   Trace.of(f"{label}: incidents", rows, "incidents summed"))]
        for group, what, _ in self._columns():
            part = [r for r in rows if r.group == group]
            if not part:
                cells.append(Cell("", css))
                continue
            c = sentences.casualties(part)
            value, minimum = (c.killed, c.killed_min) if what == "killed" else (c.wounded, c.wounded_min)
            cells.append(tables.count_cell(value, minimum, css, Trace.of(
                f"{label}: {what} ({group})", part, f"{what} summed over the rows whose casualty_group is {group}")))
        return cells

    def _count_headings(self) -> list[tuple[str, str]]:
        return [(INCIDENTS.column("incidents").heading, "num")] + [(h, "num") for _, _, h in self._columns()]

    def _apart(self) -> bool:
        return any(group != "victims" for group, _, _ in self._columns())

    # -- blocks -------------------------------------------------------------------------

    def title_block(self) -> Fragment:
        n = len(self.weeks)
        return title_block(self.monitor, self.period, f"Trends over {n} week{'s' if n != 1 else ''}")

    def key_figures(self) -> Fragment:
        return self._weekly.key_figures()

    def weekly_table(self) -> Fragment:
        """Incidents, killed and wounded in each week, minimums marked; a week with no rows
        says so rather than showing zeros."""
        headings = [("Week", "dates"), *self._count_headings()]
        width = len(headings)
        rows: list[list[Cell] | Row] = []
        for end in self.weeks:
            part = sentences.incident_rows(self.week_rows(end))
            span = self.week_span(end)
            first = min(span.start + dt.timedelta(days=1), span.end)
            label = format_span(first, span.end)
            if not part:
                rows.append([Cell(label, "dates"), Cell("no incidents recorded", "num na", span=width - 1)])
                continue
            rows.append([Cell(label, "dates"), *self._counts(part, label)])
        every = sentences.incident_rows(self.view.incidents)
        rows.append(Row((Cell("Total", "total"), *self._counts(every, "Total", "num total")), "total"))
        notes = [MINIMUM_NOTE, "A total the source gives over a span of days counts in the week its span ends; a row "
                               "dated the first day of an issue that reports it, in that issue's week."]
        if self._apart():
            notes.append(tables.GROUPS_NOTE)
        body = blocks.table(tables.table("Incidents and casualties per week", headings, rows, notes), self.tracer)
        return blocks.headed(2, "weekly", "Week by week") + body

    def chart_marks(self) -> tuple[list[Period], str]:
        """What the weekly chart draws a bar for: each declared issue wholly inside the range,
        over the days it covers, or, in data that declares no issue there, each week."""
        issues = [p for p in self.view.issue_periods if self.period.start <= p.start and p.end <= self.period.end]
        return (issues, "issue") if issues else ([self.week_span(end) for end in self.weeks], "week")

    def _mark_traces(self, marks: list[Period], unit: str) -> list[tuple[str, str, Trace]]:
        """What the weekly chart draws for each of its marks, for the review copy."""
        out = []
        for mark in marks:
            rows = sentences.incident_rows(self.view.counted_in(mark))
            if not rows:
                continue
            label = f"{unit.capitalize()} ending {format_day(mark.end)}"
            t = sentences.tally(rows)
            out.append((f"{label}, incidents", tables.count_text(t.incidents, t.incidents_min),
                        Trace.of(f"{label}: incidents", rows, "incidents summed")))
            victims = [r for r in rows if r.group == "victims"]
            c = sentences.casualties(victims)
            for what, value, minimum in (("killed", c.killed, c.killed_min), ("wounded", c.wounded, c.wounded_min)):
                out.append((f"{label}, people {what}", tables.count_text(value, minimum),
                            Trace.of(f"{label}: people {what}", victims, f"{what} of the victims rows summed")))
        return out

    def weekly_chart(self) -> Fragment:
        marks, unit = self.chart_marks()
        chart = figures.issue_trend(self.view.incidents, marks, self.period, wounded=True,
                                    counted_on=self.view.counted_on)
        return self.figures.chart(chart, "weekly_chart", f"Incidents, people killed and people wounded in each {unit} "
                                                         "of the range.",
                                  traces=self._mark_traces(marks, unit), tracer=self.tracer)

    def type_summary(self) -> Fragment:
        said = sentences.security_statements(self.view.incidents, self.period)
        statements = [(s.text, Trace.of("Sentence computed from the rows", s.rows,
                                        "counts summed over the rows; places as the rows name them")) for s in said]
        return blocks.headed(2, "by-type", "Incidents by type") + blocks.summary(statements, self.tracer)

    def type_table(self) -> Fragment:
        """Incidents, killed and wounded per type over the range, minimums marked; the weekly
        report's table by type and governorate would run to pages over months."""
        kinds = reference.incident_types()
        headings = [(INCIDENTS.column("incident_type").heading, ""), *self._count_headings()]
        every = sentences.incident_rows(self.view.incidents)
        rows: list[list[Cell] | Row] = []
        for name, kind in kinds.items():
            part = [r for r in every if r.incident_type == name]
            if part:
                label = kind.plural[:1].upper() + kind.plural[1:]
                rows.append([Cell(label, "type"), *self._counts(part, label)])
        if not rows:
            rows = [[Cell("No incidents recorded in this range.", "empty", span=len(headings))]]
        else:
            rows.append(Row((Cell("Total", "total"), *self._counts(every, "Total", "num total")), "total"))
        notes = [MINIMUM_NOTE] + ([tables.GROUPS_NOTE] if self._apart() else [])
        return blocks.table(tables.table("Incidents by type over the range", headings, rows, notes), self.tracer)

    def type_chart(self) -> Fragment:
        chart = figures.by_type(self.view.incidents)
        if chart is None:
            return Fragment(no_chart("No incidents were recorded in this range, so there is no chart by type."))
        return self.figures.chart(chart, "type_chart", "Incidents, people killed and people wounded by type of "
                                                       "incident over the range.",
                                  traces=self._weekly._type_traces(), tracer=self.tracer)

    def governorate_table(self) -> Fragment:
        """Incidents per governorate from rows naming it alone, and the totals it shares with
        other governorates, counted, never split."""
        every = sentences.incident_rows(self.view.incidents)
        lines = []
        for name in reference.governorates():
            alone = [r for r in every if r.admin1 == name]
            shared = [r for r in every if ";" in r.admin1 and name in r.admin1.split(";")]
            if alone or shared:
                t = sentences.tally(alone)
                lines.append((t.incidents if alone else 0, t.incidents_min, len(shared), name, alone, shared))
        lines.sort(key=lambda line: (-(line[0] or 0), -line[2]))
        headings = [(INCIDENTS.column("admin1").heading, ""), ("Incidents in it alone", "num"),
                    ("Shared totals naming it", "num")]
        def inferred(name, rows):
            return any(name in sentences.inferred_places(r) for r in rows)

        rows = [[Cell(name, mark=tables.INFERRED_PLACE_MARK if inferred(name, alone + shared) else ""),
                 tables.count_cell(incidents, minimum, "num",
                                                Trace.of(f"{name}: incidents in it alone", alone, "incidents summed")),
                 tables.count_cell(count, False, "num",
                                   Trace.of(f"{name}: shared totals naming it", shared, "rows counted, not split"))]
                for incidents, minimum, count, name, alone, shared in lines]
        if not rows:
            rows = [[Cell("No incidents recorded in this range.", "empty", span=3)]]
        notes = ["A total the source gives for several governorates together is not split between them: "
                 "it counts once under “shared totals” for each governorate it names."]
        if any(inferred(name, alone + shared) for *_, name, alone, shared in lines):
            notes.append(f"{tables.INFERRED_PLACE_MARK} named by inference for some of its rows: the source names "
                         "a place in it, not the governorate.")
        body = blocks.table(tables.table("Incidents by governorate", headings, rows, notes), self.tracer)
        return blocks.headed(2, "by-governorate", "Where incidents were reported") + body

    def governorate_chart(self) -> Fragment:
        return self._weekly.governorate_chart()

    def covid_table(self) -> Fragment:
        readings = self._average_readings()
        heading = blocks.headed(2, "covid", "COVID-19")
        if not readings:
            return heading + blocks.summary([], self.tracer, empty="No COVID-19 weekly averages were recorded "
                                                                   "for this range.")
        label = reference.indicators()[AVERAGE].label
        rule = self.monitor.rounding
        rows = [[Cell(f"Week ending {format_day(r.date, with_year=True)}", "dates"),
                 Cell(indicators.figure(r.value, AVERAGE), "num",
                      trace=Trace.of(f"{label}, week ending {format_day(r.date, with_year=True)}", [r],
                                     indicators.how_computed(r, rule)))] for r in readings]
        notes = ["As published where the monitor published the week's figure; otherwise computed from the daily "
                 "count of confirmed cases (the change over the week divided by 7). The first line may be the "
                 "week that ends on the range's first day."]
        return heading + blocks.table(tables.table("COVID-19 new cases a day, week by week",
                                                   [("Week", "dates"), (label, "num")], rows, notes), self.tracer)

    def covid_chart(self) -> Fragment:
        averages = self.covid_averages()
        start = pd.Timestamp(self.period.start - dt.timedelta(days=6))
        daily = indicators.daily_new_cases(self.view.indicators)
        daily = daily[(daily.index >= start) & (daily.index <= pd.Timestamp(self.period.end))]
        chart = figures.covid_cases(daily, averages, self.period, band="the range")
        if chart is None:
            return Fragment("")
        rule = self.monitor.rounding
        traces = [(f"Week ending {format_day(r.date)}", indicators.figure(r.value, AVERAGE),
                   Trace.of(f"New cases a day, week ending {format_day(r.date)}", [r],
                            indicators.how_computed(r, rule)))
                  for r in self._average_readings()]
        return self.figures.chart(chart, "covid_chart", traces=traces, tracer=self.tracer)

    def sources(self) -> Fragment:
        return self._weekly.sources()

    def colophon(self) -> Fragment:
        p = self.period
        return blocks.colophon(f"Range {format_long(p)}, in weeks ending on "
                               f"{p.end:%A}s. Figures are counted from the day after the range's first day, which "
                               "closes the issue before it.")
