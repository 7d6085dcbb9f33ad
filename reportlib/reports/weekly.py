"""What a report notebook calls: one method per block of the report, each returning a
Fragment that Jupyter displays and nbconvert carries into the exported page (see
reportlib.reports.blocks for the blocks every report type shares).

    from reportlib.reports.weekly import Report
    report = Report.open("../data", period_end="2020-12-03")
    report.title_block()

The issue's own sentences are its events, told in its words and in its order; the report
generates sentences only for data rows no event states (an ACLED import, synthetic data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..content import figures, indicators, maps, sentences, tables
from ..content.provenance import Trace
from ..inputs import reference
from ..inputs.citations import stating_event, written_numbers
from ..inputs.dataset import PeriodData, load
from ..inputs.periods import Period, format_day, format_long, parse_date
from ..inputs.records import notices
from ..inputs.schema import CASUALTY_GROUPS
from . import blocks
from .blocks import Fragment, Tracer, title_block
from .figureblock import FigureBlock, Figures, no_chart, show_in_kernel

# The sections under which the weekly report draws the period's incidents and its
# indicator values: left out of an issue, they still print when the period has such rows.
_INCIDENTS_SECTION = "security"
_INDICATORS_SECTION = "humanitarian"


class Report:
    """The weekly report of one period. `tracer` and `figures` number the traced values and
    the figures of the report; a report type that uses these blocks passes its own, so that
    its numbering runs on. `corrections`: the notices of a corrected published issue."""

    def __init__(self, view: PeriodData, tracer: Tracer | None = None, corrections: Sequence[dict] = (),
                 figures: Figures | None = None):
        self.view = view
        self.period = view.period
        self.monitor = view.monitor
        self.tracer = tracer or Tracer.for_sources(view.sources)
        self.corrections = list(corrections)
        self.figures = figures or Figures()

    @classmethod
    def open(cls, data_dir: str | Path, period_end: str = "", period_start: str = "",
             trend_weeks: int | None = None, today: str = "") -> Report:
        # A build of one period is not stopped by another's unfinished files (inputs.dataset.load).
        data = load(data_dir, parse_date(today) if today else None,
                    parse_date(period_end, "period_end") if period_end else None)
        period = data.resolve_period(period_end, period_start)
        weeks = None if trend_weeks is None or trend_weeks < 0 else trend_weeks
        report = cls(data.select(period, weeks), corrections=notices(data.root, period))
        show_in_kernel(report.figures)
        return report

    def figure(self, fig, caption: str = "", alt: str = "") -> FigureBlock:
        """An analyst's matplotlib figure, or the Axes a pandas `.plot()` returns, as the
        report's next numbered figure, in the house style and the report's SVG:

            fig, ax = plt.subplots()
            ax.plot(days, cases)
            report.figure(fig, caption="New cases a day in Basra", alt="Line chart: ...")

        Without a caption it shows a placeholder and the build prints a warning."""
        return self.figures.of(fig, caption, alt)

    def table(self, frame, caption: str = "", notes=(), index: bool = False, labels: dict | None = None,
              decimals: int | dict | None = None) -> Fragment:
        """A DataFrame as a table of the report, in the report's own table style and
        number formats (content.tables.from_frame):

            by_place = report.view.incidents.groupby("admin1", as_index=False)["fatalities"].sum()
            report.table(by_place, caption="Killed by governorate", labels={"fatalities": "Killed"})

        A DataFrame a cell simply ends with is shown the same way, without a caption. Numbers
        follow content.tables.from_frame's rule; `decimals` sets the places (a number, or one a
        column: {"share": 2}), as `frame.attrs["decimals"]` does for a frame shown bare."""
        return blocks.table(tables.from_frame(frame, caption, notes, index, labels, decimals))

    # -- what the blocks read ------------------------------------------------------------

    def cited_incidents(self) -> set[str]:
        return self.view.issue.cited_incidents() if self.view.issue else set()

    def cited_indicators(self) -> set:
        return self.view.issue.cited_indicators() if self.view.issue else set()

    # -- blocks -------------------------------------------------------------------------

    def title_block(self) -> Fragment:
        before, after = self.view.neighbours
        if self.view.issue is None:
            return title_block(self.monitor, self.period, "Weekly monitor", ad_hoc=True,
                               corrections=self.corrections)
        links = []
        if before:
            links.append({"rel": "prev", "href": f"../{before.label}/report.html",
                          "text": f"← Previous issue ({format_long(before)})"})
        links.append({"rel": "index", "href": "../index.html", "text": "All issues"})
        if after:
            links.append({"rel": "next", "href": f"../{after.label}/report.html",
                          "text": f"Next issue ({format_long(after)}) →"})
        return title_block(self.monitor, self.period, "Weekly monitor", links, corrections=self.corrections)

    def key_figures(self) -> Fragment:
        return blocks.key_figures(self.view, self.tracer)

    def left_out(self, section_id: str) -> bool:
        """Whether the issue leaves the section out and the period has no rows its blocks
        show (incidents for security, indicator values for humanitarian): then the section,
        its heading and its blocks print nothing, and the contents and bookmarks skip it."""
        issue = self.view.issue
        if issue is None or section_id not in issue.left_out:
            return False
        if section_id == _INCIDENTS_SECTION:
            return self.view.incidents.empty
        if section_id == _INDICATORS_SECTION:
            # Values of the first day are the previous issue's (the "before" of a change).
            return not any(self.period.counts(d.date()) for d in self.view.indicators["date"])
        return True

    def section(self, section_id: str) -> Fragment:
        """A section's heading, headline and events in the source's order."""
        return self.section_heading(section_id) + self.events(section_id)

    def section_heading(self, section_id: str) -> Fragment:
        """A section's heading and headline, for sections whose events follow other blocks."""
        if self.left_out(section_id):
            return Fragment("")
        return blocks.section_heading(self.monitor, self.view.issue, section_id)

    def events(self, section_id: str) -> Fragment:
        """A section's events in the source's order, each as the monitor writes it."""
        return blocks.events(self.view, section_id, self.tracer)

    def security_statements(self) -> list[tuple[str, Trace]]:
        """Sentences for the period's incident rows that no event states, with their traces."""
        cited = self.cited_incidents()
        # "No IEDs were reported" is the data's statement only where the data tells the period.
        always = () if cited else ("IED",)
        if self.view.issue is not None:
            # A row whose figures an event already states (uncited by mistake) is not said again.
            written = written_numbers(e.text for e in self.view.issue.events)
            cited = cited | {r.event_id_cnty for r in self.view.incidents.itertuples(index=False)
                             if r.event_id_cnty not in cited and _counts_of(r) <= written
                             and stating_event(self.view.issue, r) is not None}
        said = sentences.security_statements(self.view.incidents, self.period, cited, always)
        return [(s.text, Trace.of("Sentence computed from the rows", s.rows,
                                  "counts summed over the rows; places as the rows name them")) for s in said]

    def security_summary(self) -> Fragment:
        if self.left_out(_INCIDENTS_SECTION):
            return Fragment("")
        return blocks.summary(self.security_statements(), self.tracer)

    def incidents_table(self, section_id: str = "security") -> Fragment:
        """The period's incidents by type and governorate, in the section `section_id`; a row
        an event of another section tells says where."""
        elsewhere = {}
        if self.view.issue is not None:
            for event in self.view.issue.events:
                if event.section != section_id:
                    title = self.monitor.section(event.section).title
                    elsewhere.update(dict.fromkeys(event.incidents, title))
        if self.left_out(section_id):
            return Fragment("")
        return (blocks.headed(3, "incidents-table", "Incidents in numbers")
                + blocks.table(tables.incidents_table(self.view.incidents, elsewhere), self.tracer))

    # -- what the charts draw, for the review copy --------------------------------------

    def _type_traces(self, rows=None) -> list[tuple[str, str, Trace]]:
        every = sentences.incident_rows(self.view.incidents if rows is None else rows)
        out = []
        for name, kind in reference.incident_types().items():
            of_type = [r for r in every if r.incident_type == name]
            if not of_type:
                continue
            t = sentences.tally(of_type)
            label = kind.plural[:1].upper() + kind.plural[1:]
            out.append((f"{label}, incidents", tables.count_text(t.incidents, t.incidents_min),
                        Trace.of(f"{label}: incidents", of_type, "incidents summed")))
            for group in CASUALTY_GROUPS:
                part = [r for r in of_type if r.group == group]
                if not part:
                    continue
                c = sentences.casualties(part)
                for what, value, minimum in (("killed", c.killed, c.killed_min),
                                             ("wounded", c.wounded, c.wounded_min)):
                    if value:
                        out.append((f"{label}, {what} ({group})", tables.count_text(value, minimum),
                                    Trace.of(f"{label}: {what} ({group})", part, f"{what} summed")))
        return out

    def _governorate_traces(self) -> list[tuple[str, str, Trace]]:
        every = sentences.incident_rows(self.view.incidents)
        out = []
        for name in reference.governorates():
            alone = [r for r in every if r.admin1 == name]
            shared = [r for r in every if ";" in r.admin1 and name in r.admin1.split(";")]
            if alone:
                t = sentences.tally(alone)
                out.append((f"{name}, incidents in it alone", tables.count_text(t.incidents, t.incidents_min),
                            Trace.of(f"{name}: incidents in it alone", alone, "incidents summed")))
            if shared:
                out.append((f"{name}, shared totals naming it", f"{len(shared):,}",
                            Trace.of(f"{name}: shared totals naming it", shared, "rows counted, not split")))
        return out

    def _issue_traces(self, periods: list[Period]) -> list[tuple[str, str, Trace]]:
        """What the trend chart draws for each issue: its incidents and the people killed (the
        victims rows), counted as the chart counts them (a row in the issue whose source reports it)."""
        out = []
        for p in periods:
            rows = sentences.incident_rows(self.view.counted_in(p))
            if not rows:
                continue
            t = sentences.tally(rows)
            victims = [r for r in rows if r.group == "victims"]
            c = sentences.casualties(victims)
            label = f"Issue ending {format_day(p.end, True)}"
            out.append((f"{label}, incidents", tables.count_text(t.incidents, t.incidents_min),
                        Trace.of(f"{label}: incidents", rows, "incidents of the rows the issue counts")))
            out.append((f"{label}, people killed", tables.count_text(c.killed, c.killed_min),
                        Trace.of(f"{label}: people killed", victims,
                                 "killed of the victims rows the issue counts")))
        return out

    def _covid_traces(self) -> list[tuple[str, str, Trace]]:
        rule = self.monitor.rounding
        return [(f"Week ending {format_day(r.date)}", indicators.figure(r.value, r.indicator),
                 Trace.of(f"New cases a day, week ending {format_day(r.date)}", [r],
                          indicators.how_computed(r, rule)))
                for r in indicators.weekly_average_readings(self.view.indicators, rule)]

    # -- charts ---------------------------------------------------------------------------

    def incidents_chart(self) -> Fragment:
        if self.left_out(_INCIDENTS_SECTION):
            return Fragment("")
        chart = figures.by_type(self.view.incidents)
        if chart is None:
            return Fragment(no_chart("No incidents were recorded in this period, so there is no chart by type."))
        return self.figures.chart(chart, "incidents_chart",
                                  "Incidents, people killed and people wounded by type of incident.",
                                  traces=self._type_traces(), tracer=self.tracer)

    def governorate_chart(self) -> Fragment:
        if self.left_out(_INCIDENTS_SECTION):
            return Fragment("")
        chart = figures.by_governorate(self.view.incidents)
        if chart is None:
            return Fragment(no_chart("No incidents were recorded, so there is no chart by governorate."))
        return self.figures.chart(chart, "governorate_chart", "Incidents by governorate.",
                                  traces=self._governorate_traces(), tracer=self.tracer)

    def governorate_map(self) -> Fragment:
        if self.left_out(_INCIDENTS_SECTION):
            return Fragment("")
        chart = maps.governorate_map(self.view.incidents)
        block = self.figures.chart(chart, "governorate_map", css="map", credit=maps.ATTRIBUTION,
                                   traces=self._governorate_traces(), tracer=self.tracer)
        return blocks.headed(3, "incidents-map", "Where incidents were reported") + block

    def trend_periods(self) -> list[Period]:
        """The issues the trend chart draws: the declared issues wholly inside the window, and
        this period (declared or not); an undeclared period drawn over declared ones would
        count their rows twice."""
        v = self.view
        window = Period(v.period.window_start(v.trend_weeks), v.period.end)
        issues = [p for p in v.issue_periods if window.start <= p.start and p.end <= window.end
                  and (p == v.period or p.end <= v.period.start or p.start >= v.period.end)]
        return sorted(set(issues) | {v.period})

    def trend_chart(self) -> Fragment:
        if self.left_out(_INCIDENTS_SECTION):
            return Fragment("")
        v = self.view
        window = Period(v.period.window_start(v.trend_weeks), v.period.end)
        periods = self.trend_periods()
        chart = figures.issue_trend(v.trend_incidents, periods, window, current=v.period, counted_on=v.counted_on)
        block = self.figures.chart(chart, "trend_chart", f"Incidents and people killed in each issue of the "
                                                         f"{v.trend_weeks} weeks before this period, and in this one.",
                                   traces=self._issue_traces(periods), tracer=self.tracer)
        return blocks.headed(3, "incidents-trend", "Weeks before this period") + block

    def covid_chart(self) -> Fragment:
        if self.left_out(_INDICATORS_SECTION):
            return Fragment("")
        values = self.view.indicators
        chart = figures.covid_cases(indicators.daily_new_cases(values),
                                    indicators.weekly_averages(values, self.monitor.rounding), self.period)
        if chart is None:
            return Fragment(no_chart("No COVID-19 case figures were recorded for these weeks, so there is no chart."))
        return self.figures.chart(chart, "covid_chart", traces=self._covid_traces(), tracer=self.tracer)

    # -- humanitarian -------------------------------------------------------------------

    def covid_statements(self) -> list[tuple[str, Trace]]:
        """Sentences for the period's COVID-19 figures that no event states."""
        said = indicators.covid_statements(self.view.indicators, self.period, self.monitor.country,
                                           self.monitor.rounding, self.cited_indicators())
        return [(s.text, Trace.of("Sentence computed from the figures", s.readings,
                                  "figures as published, or computed from the daily series")) for s in said]

    def covid_summary(self) -> Fragment:
        if self.left_out(_INDICATORS_SECTION):
            return Fragment("")
        said = self.covid_statements()
        nothing = not said and not self.cited_indicators() and self.view.indicators.empty
        return blocks.summary(said, self.tracer, "COVID-19" if said or nothing else "", "covid",
                              "No COVID-19 figures were recorded for this period." if nothing else "")

    def indicators_table(self) -> Fragment:
        if self.left_out(_INDICATORS_SECTION):
            return Fragment("")
        changes = indicators.period_changes(self.view.indicators, self.period, self.monitor.rounding)
        return blocks.table(tables.indicators_table(changes), self.tracer)

    def sources(self) -> Fragment:
        return blocks.sources(self.view)

    def colophon(self) -> Fragment:
        return blocks.colophon(period_statement(self.view))


def _counts_of(row) -> set[int]:
    """The counts an incident row gives (a missing one, pd.NA, left out; one incident is the
    text's "a", as citations.stating_event reads it)."""
    given = {int(n) for n in (row.fatalities, row.wounded) if isinstance(n, int | np.integer)}
    return given | ({int(row.incidents)} if isinstance(row.incidents, int | np.integer) and row.incidents != 1
                    else set())


def period_statement(view: PeriodData) -> str:
    """What the issue covers, in the cover's words, and which rows of a shared boundary day
    it counts (inputs.owners): true of the first issue as of any later one."""
    p, (before, _) = view.period, view.neighbours
    covers, first_day = f"This issue covers {format_long(p)}", format_day(p.start, with_year=True)
    if view.issue is None:
        first = format_long(Period(min(p.start + dt.timedelta(days=1), p.end), p.end))
        return (f"This report covers {format_long(p)}, a span no issue declares: it counts the rows of "
                f"{first}, and a row of {first_day} where the issue that begins that day reports it.")
    if before is not None and before.end == p.start:
        return (f"{covers}. It shares {first_day} with the previous issue ({format_long(before)}): "
                f"an incident of that day counts in the issue whose source reports it, and one that no issue's "
                "source reports counts in the previous issue.")
    return f"{covers}: every incident its source reports, and those of other sources dated within it."


__all__ = ["Fragment", "Report", "title_block"]
