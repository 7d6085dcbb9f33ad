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
from ..content.markup import text
from ..inputs import reference
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import Period, format_day, format_span, parse_date
from ..inputs.schema import INCIDENTS
from .figureblock import FigureBlock, Figures, no_chart, show_in_kernel
from .weekly import Fragment, Report, governorate_figure, title_block

# Without a first day, the range is this many weeks before its end, or from the first
# declared issue on if the data starts later.
DEFAULT_WEEKS = 12
AVERAGE = "covid_new_cases_7d_avg"
MINIMUM_NOTE = (f"{tables.MIN_MARK} a minimum: the source says “at least”, or some of the rows summed give no "
                "figure. – not reported.")


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


def _counts(rows: pd.DataFrame, css: str = "num") -> list[tuple[str, str]]:
    """Table cells of the incidents, killed and wounded of some incident rows, minimums marked."""
    return tables.tally_cells(sentences.tally(rows), css)


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
        self.figures = Figures()

    @classmethod
    def open(cls, data_dir: str | Path, period_end: str = "", period_start: str = "",
             today: str = "") -> TrendsReport:
        data = load(data_dir, parse_date(today) if today else None)
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

    def _reported(self) -> pd.Series:
        incidents = self.view.incidents
        return incidents["end_date"].fillna(incidents["event_date"])

    def week_span(self, end: dt.date) -> Period:
        """The days of the week ending on `end` that count in the range."""
        if self.period.days == 1:
            return self.period
        return Period(max(end - dt.timedelta(days=7), self.period.start), end)

    def week_rows(self, end: dt.date) -> pd.DataFrame:
        """Incident rows counted in the week ending on `end`."""
        span, reported = self.week_span(end), self._reported()
        inside = reported <= pd.Timestamp(span.end)
        if span.days > 1:
            inside &= reported > pd.Timestamp(span.start)
        return self.view.incidents.loc[inside]

    def covid_averages(self) -> pd.Series:
        """The weekly averages of new cases at the end of each week of the range, on its first
        day (the week before it, for comparison) and wherever one was published within it;
        by the weekly report's rule: computed from a daily cumulative series, else as
        published."""
        values = self.view.indicators
        averages = indicators.weekly_averages(values)
        published = values.loc[(values["indicator"] == AVERAGE) & (values["admin1"] == ""), "date"]
        days = {pd.Timestamp(d) for d in [self.period.start, *self.weeks]} | set(published)
        start, end = pd.Timestamp(self.period.start), pd.Timestamp(self.period.end)
        keep = averages.index.isin(list(days)) & (averages.index >= start) & (averages.index <= end)
        return averages[keep]

    # -- blocks -------------------------------------------------------------------------

    def title_block(self) -> Fragment:
        n = len(self.weeks)
        return title_block(self.monitor, self.period, f"Trends over {n} week{'s' if n != 1 else ''}")

    def key_figures(self) -> Fragment:
        return Report(self.view).key_figures()

    def weekly_table(self) -> Fragment:
        """Incidents, killed and wounded in each week, minimums marked; a week with no rows
        says so rather than showing zeros."""
        col = INCIDENTS.column
        headings = [("Week", "dates"), (col("incidents").heading, "num"),
                    (col("fatalities").heading, "num"), (col("wounded").heading, "num")]
        rows = []
        for end in self.weeks:
            part = self.week_rows(end)
            span = self.week_span(end)
            first = min(span.start + dt.timedelta(days=1), span.end)
            label = text(format_span(first, span.end))
            if part.empty:
                rows.append([(label, "dates"), ('<span class="na">no incidents recorded</span>', "num"),
                             ("", "num"), ("", "num")])
                continue
            rows.append([(label, "dates"), *_counts(part)])
        rows.append([("Total", "total"), *_counts(self.view.incidents, "num total")])
        notes = [MINIMUM_NOTE, "A total the source gives over a span of days counts in the week its span ends."]
        body = tables.table("Incidents and casualties per week", headings, rows, notes)
        return Fragment('<h2 id="weekly">Week by week</h2>' + body)

    def weekly_chart(self) -> FigureBlock:
        """One bar per declared issue wholly inside the range, over the days it covers; in
        data that declares no issue there, one per week of the range."""
        issues = [p for p in self.view.issue_periods if self.period.start <= p.start and p.end <= self.period.end]
        marks = issues or [self.week_span(end) for end in self.weeks]
        chart = figures.issue_trend(self.view.incidents, marks, self.period, wounded=True)
        unit = "issue" if issues else "week"
        return self.figures.chart(chart, "weekly_chart", f"Incidents, people killed and people wounded in each {unit} "
                                                         "of the range.")

    def type_summary(self) -> Fragment:
        said = sentences.security_sentences(self.view.incidents, self.period)
        return Fragment('<h2 id="by-type">Incidents by type</h2>'
                        f'<p class="summary">{text(" ".join(said))}</p>')

    def type_table(self) -> Fragment:
        """Incidents, killed and wounded per type over the range, minimums marked; the weekly
        report's table by type and governorate would run to pages over months."""
        kinds = reference.incident_types()
        col = INCIDENTS.column
        headings = [(col("incident_type").heading, ""), (col("incidents").heading, "num"),
                    (col("fatalities").heading, "num"), (col("wounded").heading, "num")]
        incidents = self.view.incidents
        rows = []
        for name, kind in kinds.items():
            part = incidents.loc[incidents["incident_type"] == name]
            if part.empty:
                continue
            rows.append([(text(kind.plural[:1].upper() + kind.plural[1:]), "type"), *_counts(part)])
        if not rows:
            rows = [[("No incidents recorded in this range.", "empty"), ("", ""), ("", ""), ("", "")]]
        else:
            rows.append([("Total", "total"), *_counts(incidents, "num total")])
        return Fragment(tables.table("Incidents by type over the range", headings, rows, [MINIMUM_NOTE]))

    def type_chart(self) -> Fragment | FigureBlock:
        chart = figures.by_type(self.view.incidents)
        if chart is None:
            return Fragment(no_chart("No incidents were recorded in this range, so there is no chart by type."))
        return self.figures.chart(chart, "type_chart", "Incidents, people killed and people wounded by type of "
                                                       "incident over the range.")

    def governorate_table(self) -> Fragment:
        """Incidents per governorate from rows naming it alone, and the totals it shares with
        other governorates, counted, never split."""
        counts = figures.governorate_counts(self.view.incidents)
        counts = counts.loc[(counts["alone"] > 0) | (counts["shared"] > 0)]
        counts = counts.sort_values(["alone", "shared"], ascending=False, kind="stable")
        headings = [(INCIDENTS.column("admin1").heading, ""), ("Incidents in it alone", "num"),
                    ("Shared totals naming it", "num")]
        rows = [[(text(name), ""), (f"{alone:,}", "num"), (f"{shared:,}", "num")]
                for name, alone, shared in zip(counts.index, counts["alone"], counts["shared"], strict=True)]
        if not rows:
            rows = [[("No incidents recorded in this range.", "empty"), ("", ""), ("", "")]]
        notes = ["A total the source gives for several governorates together is not split between them: "
                 "it counts once under “shared totals” for each governorate it names."]
        body = tables.table("Incidents by governorate", headings, rows, notes)
        return Fragment('<h2 id="by-governorate">Where incidents were reported</h2>' + body)

    def governorate_chart(self) -> Fragment | FigureBlock:
        return governorate_figure(self.figures, self.view.incidents)

    def covid_table(self) -> Fragment:
        averages = self.covid_averages()
        heading = '<h2 id="covid">COVID-19</h2>'
        if averages.empty:
            return Fragment(heading + '<p class="summary">No COVID-19 weekly averages were recorded '
                                      "for this range.</p>")
        label = reference.indicators()[AVERAGE].label
        rows = [[(text(f"Week ending {format_day(day.date(), with_year=True)}"), "dates"),
                 (f"{value:,.0f}/day", "num")] for day, value in averages.items()]
        notes = ["Computed from the daily count of confirmed cases where the data has it (the change "
                 "over the week divided by 7), otherwise as published. The first line may be the "
                 "week that ends on the range's first day."]
        return Fragment(heading + tables.table("COVID-19 new cases a day, week by week",
                                                [("Week", "dates"), (text(label), "num")], rows, notes))

    def covid_chart(self) -> Fragment | FigureBlock:
        averages = self.covid_averages()
        start = pd.Timestamp(self.period.start - dt.timedelta(days=6))
        daily = indicators.daily_new_cases(self.view.indicators)
        daily = daily[(daily.index >= start) & (daily.index <= pd.Timestamp(self.period.end))]
        chart = figures.covid_cases(daily, averages, self.period, band="the range")
        if chart is None:
            return Fragment("")
        return self.figures.chart(chart, "covid_chart")

    def sources(self) -> Fragment:
        return Report(self.view).sources()

    def colophon(self) -> Fragment:
        p = self.period
        note = (f"Range {p.start.isoformat()} to {p.end.isoformat()}, in weeks ending on "
                f"{p.end:%A}s. Figures are counted from the day after the range's first day, which "
                "closes the issue before it.")
        return Fragment(f'<p class="colophon">{text(note)}</p>')
