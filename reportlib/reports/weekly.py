"""What a report notebook calls: one method per block of the report, each returning HTML
that Jupyter displays and nbconvert carries into the exported page.

    from reportlib.report import Report
    report = Report.open("../data", period_end="2020-12-03")
    report.title_block()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..content import figures, indicators, maps, sentences, tables
from ..content.markup import inline, text
from ..inputs.dataset import PeriodData, load
from ..inputs.monitor import Monitor
from ..inputs.periods import Period, format_day, format_long, parse_date
from .figureblock import FigureBlock, Figures, no_chart, show_in_kernel


@dataclass(frozen=True)
class Fragment:
    """A block of report HTML; Jupyter shows it through _repr_html_."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def _headed(anchor: str, title: str, body: str) -> Fragment:
    return Fragment(f'<h3 id="{anchor}">{text(title)}</h3>{body}')


def governorate_figure(figs: Figures, incidents) -> Fragment | FigureBlock:
    """The chart of incidents by governorate, as the weekly and trends reports show it."""
    chart = figures.by_governorate(incidents)
    if chart is None:
        return Fragment(no_chart("No incidents were recorded, so there is no chart by governorate."))
    return figs.chart(chart, "governorate_chart", "Incidents by governorate.")


def _long_day(iso: str) -> str:
    day = parse_date(iso)
    return f"{day.day} {day:%B} {day.year}"


def correction_notice(corrections: list[dict]) -> str:
    """"Corrected on 10 December 2020: ..." for each correction of a published issue (from
    reportlib.publish.records.notices), oldest first: the note and what changed."""
    parts = []
    for c in corrections:
        since = f" Changed since the version of {_long_day(c['previous'])}" if c.get("previous") else " Changed"
        changes = f"{since}: {'; '.join(c['changes'])}." if c.get("changes") else ""
        parts.append(f'<p><strong>Corrected on {text(_long_day(c["date"]))}:</strong> '
                     f"{text(c['note'])}{text(changes)}</p>")
    return f'<div class="correction-notice" role="note">{"".join(parts)}</div>' if parts else ""


def title_block(monitor: Monitor, period: Period, kind: str, nav: str = "",
                corrections: list[dict] = ()) -> Fragment:
    """The title block every report type opens with: country and kind of report, the
    monitor's name (the PDF's running header) and the period; on synthetic data, the banner
    and the running footer that say so on every page; the notice of each correction. `nav`
    is HTML, already safe."""
    synthetic = ""
    if monitor.synthetic:
        synthetic = ('<p class="synthetic-banner" role="note"><strong>Synthetic data.</strong> '
                     "Every figure and event in this report was generated for demonstration "
                     "and testing; none of it describes real events.</p>")
    return Fragment(
        f'<header class="title-block">'
        f'<p class="kicker">{text(monitor.country)} · {text(kind)}</p>'
        f'<h1 class="title">{text(monitor.name)}</h1>'
        f'<p class="period">{text(format_long(period))}</p>'
        f"{synthetic}{correction_notice(list(corrections))}{nav}"
        + ('<span class="running-synthetic">Synthetic data – not real events</span>'
           if monitor.synthetic else "")
        + "</header>")


class Report:
    def __init__(self, view: PeriodData, corrections: list[dict] = ()):
        self.view = view
        self.period = view.period
        self.monitor = view.monitor
        self.corrections = list(corrections)
        self.figures = Figures()

    @classmethod
    def open(cls, data_dir: str | Path, period_end: str = "", period_start: str = "",
             trend_weeks: int | None = None, today: str = "") -> Report:
        data = load(data_dir, parse_date(today) if today else None)
        period = data.resolve_period(period_end, period_start)
        weeks = None if trend_weeks is None or trend_weeks < 0 else trend_weeks
        from ..publish.records import notices

        report = cls(data.select(period, weeks), notices(data.root, period))
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

    # -- blocks -------------------------------------------------------------------------

    def title_block(self) -> Fragment:
        before, after = self.view.neighbours
        links = []
        if before:
            links.append(f'<a rel="prev" href="../{before.label}/report.html">← Previous issue '
                         f"({text(format_long(before))})</a>")
        links.append('<a rel="index" href="../index.html">All issues</a>')
        if after:
            links.append(f'<a rel="next" href="../{after.label}/report.html">Next issue '
                         f"({text(format_long(after))}) →</a>")
        nav = f'<nav class="issue-nav">{" ".join(links)}</nav>'
        return title_block(self.monitor, self.period, "Weekly monitor", nav, self.corrections)

    def key_figures(self) -> Fragment:
        items = "".join(
            f'<div class="figure-box"><span class="value">{tables.count(f["value"], f["minimum"])}</span>'
            f'<span class="label">{text(f["label"])}</span></div>'
            for f in sentences.key_figures(self.view))
        return Fragment(f'<section class="key-figures"><h2 id="key-figures">Key figures</h2>'
                        f'<div class="boxes">{items}</div></section>')

    def section(self, section_id: str) -> Fragment:
        """A section's heading, headline and dated events in order."""
        return Fragment(self.section_heading(section_id).html + self.events(section_id).html)

    def section_heading(self, section_id: str) -> Fragment:
        """A section's heading and headline, for sections whose events follow other blocks."""
        section = self.monitor.section(section_id)
        parts = [f'<h2 id="{_slug(section.id)}">{text(section.title)}</h2>']
        issue = self.view.issue
        headline = issue.headlines.get(section_id) if issue else None
        if headline:
            parts.append(f'<p class="headline">{inline(headline)}</p>')
        return Fragment("".join(parts))

    def events(self, section_id: str) -> Fragment:
        """A section's dated events in date order, each as the monitor writes it."""
        self.monitor.section(section_id)
        issue = self.view.issue
        if issue is None:
            return Fragment('<p class="no-narrative">No narrative was written for this period.</p>')
        parts = []
        for event in issue.section_events(section_id):
            prefix = f"On {format_day(event.date)}, " if event.date else ""
            parts.append(f'<p class="event">{text(prefix)}{inline(event.text)}</p>')
        return Fragment("".join(parts))

    def security_summary(self) -> Fragment:
        said = sentences.security_sentences(self.view.incidents, self.period)
        return Fragment(f'<p class="summary">{text(" ".join(said))}</p>')

    def incidents_table(self) -> Fragment:
        return _headed("incidents-table", "Incidents in numbers",
                       tables.incidents_table(self.view.incidents))

    def incidents_chart(self) -> Fragment | FigureBlock:
        chart = figures.by_type(self.view.incidents)
        if chart is None:
            return Fragment(no_chart("No incidents were recorded in this period, so there is no chart by type."))
        return self.figures.chart(chart, "incidents_chart", "Incidents, people killed and people wounded by type "
                                                            "of incident.")

    def governorate_chart(self) -> Fragment | FigureBlock:
        return governorate_figure(self.figures, self.view.incidents)

    def governorate_map(self) -> Fragment:
        chart = maps.governorate_map(self.view.incidents)
        block = self.figures.chart(chart, "governorate_map", css="map", credit=maps.ATTRIBUTION)
        return _headed("incidents-map", "Where incidents were reported", block.html)

    def trend_chart(self) -> Fragment:
        v = self.view
        window = Period(v.period.window_start(v.trend_weeks), v.period.end)
        # The declared issues wholly inside the window, and this period (declared or not);
        # an undeclared period drawn over declared ones would count their rows twice.
        issues = [p for p in v.issue_periods if window.start <= p.start and p.end <= window.end
                  and (p == v.period or p.end <= v.period.start or p.start >= v.period.end)]
        periods = sorted(set(issues) | {v.period})
        chart = figures.issue_trend(v.trend_incidents, periods, window, current=v.period)
        block = self.figures.chart(chart, "trend_chart", f"Incidents and people killed in each issue of the "
                                                         f"{v.trend_weeks} weeks before this period, and in this one.")
        return _headed("incidents-trend", "Weeks before this period", block.html)

    def covid_summary(self) -> Fragment:
        paragraph = indicators.covid_paragraph(self.view.indicators, self.period, self.monitor.country)
        body = text(paragraph) if paragraph else "No COVID-19 figures were recorded for this period."
        return _headed("covid", "COVID-19", f'<p class="summary">{body}</p>')

    def indicators_table(self) -> Fragment:
        return Fragment(tables.indicators_table(
            indicators.period_changes(self.view.indicators, self.period)))

    def covid_chart(self) -> Fragment | FigureBlock:
        values = self.view.indicators
        chart = figures.covid_cases(indicators.daily_new_cases(values), indicators.weekly_averages(values),
                                    self.period)
        if chart is None:
            return Fragment(no_chart("No COVID-19 case figures were recorded for these weeks, so there is no chart."))
        return self.figures.chart(chart, "covid_chart")

    def sources(self) -> Fragment:
        v = self.view
        used = set(v.incidents["reference"]) | set(v.indicators["reference"])
        if v.issue is not None:
            used |= {v.issue.reference} | {e.reference for e in v.issue.events}
        bodies = sorted(set(v.incidents["source"]) | set(v.indicators["source"]))
        reported = (f'<p class="reported-by">Figures reported by: {text("; ".join(bodies))}.</p>'
                    if bodies else "")
        return Fragment('<h2 id="sources">Sources</h2>' + reported
                        + tables.sources_table(v.sources, used))

    def colophon(self) -> Fragment:
        p = self.period
        note = (f"Period {p.start.isoformat()} to {p.end.isoformat()}. Figures are counted from "
                "the day after the period's first day, which closes the previous issue.")
        return Fragment(f'<p class="colophon">{text(note)}</p>')


__all__ = ["Fragment", "Report", "governorate_figure", "title_block"]
