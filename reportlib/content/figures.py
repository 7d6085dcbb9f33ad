"""The report's charts in the house style, returned as SVG text (see reportlib.svgchart).
Same data, same bytes: no ids, no dates, numbers written with fixed precision. Text stays
text, so chart labels are searchable in the PDF (which embeds Noto Sans) and a browser
without Noto Sans falls back to a sans-serif."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ..inputs import reference
from ..inputs.periods import Period, short_day
from .svgchart import AXIS, LEGEND_SIZE, MUTED, TICK_SIZE, Axes, Chart, Legend, nice_ticks, number, text_width

KILLED = "#c0392b"
WOUNDED = "#e6a23c"
INCIDENTS = "#1f4e79"
CASES = "#b8c9dc"
BAND = "#f2f2f2"
WIDTH = 460.8  # points: 6.4 inches, the text width of the printed page
LINE_HEIGHT = 187.2  # points: the height of the time-series charts
HEADER = 18  # points above the plot for a legend or a small title


def warm() -> None:
    """Read the font metrics now, so that the first chart of a report does not."""
    text_width("warm-up", TICK_SIZE)


def _category_label_width(labels: list[str]) -> float:
    # A tenth to spare: a browser without Noto Sans sets the labels in a wider font.
    return max((text_width(label, TICK_SIZE) for label in labels), default=0) * 1.1 + 8


def _value_axis_width(ticks: list[float], label: str) -> float:
    """Room left of a plot for its tick labels and rotated axis label."""
    return max(text_width(number(t), TICK_SIZE) for t in ticks) * 1.1 + (26 if label else 8)


def by_type(incidents: pd.DataFrame) -> str:
    """Incidents, killed and wounded by incident type for the period."""
    kinds = reference.incident_types()
    table = (incidents.groupby("incident_type")[["incidents", "fatalities", "wounded"]]
             .sum(min_count=1).fillna(0))
    table = table.loc[sorted(table.index, key=lambda t: kinds[t].order)]
    row = 32.4
    chart = Chart(WIDTH, row * max(len(table), 2) + 64.8, "Incidents, killed and wounded by type")
    if table.empty:
        chart.empty("No incidents recorded in this period")
        return chart.svg()
    labels = [kinds[t].plural[:1].upper() + kinds[t].plural[1:] for t in table.index]
    series = [("incidents", INCIDENTS, "Incidents"), ("fatalities", KILLED, "Killed"), ("wounded", WOUNDED, "Wounded")]
    high = max(float(table[[c for c, _, _ in series]].to_numpy().max()), 1.0) * 1.12
    ticks = nice_ticks(high, 6)
    left = _category_label_width(labels)
    ax = Axes(chart, left, HEADER, WIDTH - left - 6, chart.height - HEADER - 36, 0, ticks[-1], 0, len(table),
              flip_y=True)
    ax.value_grid(ticks, "x", "Count (minimums where the source says 'at least')")
    bar = row * 0.26
    for i, (kind, label) in enumerate(zip(table.index, labels, strict=True)):
        middle = ax.y(i + 0.5)
        chart.text(left - 6, middle, label, anchor="end", color=AXIS)
        for k, (column, color, _) in enumerate(series):
            value = float(table.loc[kind, column])
            y = middle + (k - 1) * bar
            ax.bar(y, value, bar, color)
            if value:
                chart.text(ax.x(value) + 2, y, f"{int(value):,}", size=7)
    ax.spines()
    legend = Legend()
    for _, color, name in series:
        legend.add(("bar", color), name)
    legend.draw(chart, WIDTH - 6 - legend.width(), HEADER / 2)
    return chart.svg()


def governorate_counts(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per governorate: incidents from rows naming it alone, and how many multi-governorate
    totals name it (those cannot be split without inventing numbers)."""
    names = list(reference.governorates())
    alone = dict.fromkeys(names, 0)
    shared = dict.fromkeys(names, 0)
    for admin1, count in zip(incidents["admin1"], incidents["incidents"], strict=True):
        parts = [p for p in str(admin1).split(";") if p]
        if len(parts) == 1:
            alone[parts[0]] += 0 if pd.isna(count) else int(count)
        else:
            for part in parts:
                shared[part] += 1
    return pd.DataFrame({"alone": alone, "shared": shared})


def by_governorate(incidents: pd.DataFrame) -> str:
    counts = governorate_counts(incidents)
    counts = counts.loc[(counts["alone"] > 0) | (counts["shared"] > 0)]
    row = 23.04
    chart = Chart(WIDTH, row * max(len(counts), 2) + 46.8, "Incidents by governorate")
    if counts.empty:
        chart.empty("No incidents recorded in this period")
        return chart.svg()
    counts = counts.sort_values(["alone", "shared"], ascending=False, kind="stable")
    top = max(float(counts["alone"].max()), 1.0)
    high = top * 1.9
    ticks = [t for t in nice_ticks(high, 7) if t <= high]
    left = _category_label_width(list(counts.index))
    ax = Axes(chart, left, 6, WIDTH - left - 6, chart.height - 42, 0, high, 0, len(counts), flip_y=True)
    ax.value_grid(ticks, "x", "Incidents")
    for i, (name, a, s) in enumerate(zip(counts.index, counts["alone"], counts["shared"], strict=True)):
        middle = ax.y(i + 0.5)
        chart.text(left - 6, middle, name, anchor="end", color=AXIS)
        ax.bar(middle, a, row * 0.6, INCIDENTS)
        parts = [f"{a:,}"] if a else []
        if s:
            parts.append(f"named in {s} shared total{'s' if s > 1 else ''}")
        chart.text(ax.x(a + top * 0.02), middle, "  ·  ".join(parts), size=7, color="#333333" if a else MUTED)
    ax.spines()
    return chart.svg()


_LABEL_LEFT = {"Karbala", "Basra", "Anbar", "Ninewa", "Najaf", "Duhok"}
_RING_EXTRA = 110  # a ring's marker area beyond its circle's, in square points


def governorate_map(incidents: pd.DataFrame) -> str:
    """A schematic map: every governorate at its representative point, circles sized by the
    incidents attributed to it, rings where it is named in a shared total. No tiles, no
    network, no borders (the package ships points, not shapes)."""
    counts = governorate_counts(incidents)
    places = reference.governorates()
    lon = [places[n].lon for n in counts.index]
    lat = [places[n].lat for n in counts.index]
    width, height, legend_height = 331.2, 345.6, 30
    chart = Chart(width, height, "Where incidents were reported")
    # A degree of latitude drawn 1/cos(33°) times as long as a degree of longitude, as on
    # the ground at Iraq's latitude; the points fill the area with a tenth to spare.
    stretch = 1 / math.cos(math.radians(33))
    span_x, span_y = (max(lon) - min(lon)) * 1.2, (max(lat) - min(lat)) * 1.2
    area_w, area_h = width - 12, height - legend_height - 12
    scale = min(area_w / span_x, area_h / (span_y * stretch))
    mid_x, mid_y = (max(lon) + min(lon)) / 2, (max(lat) + min(lat)) / 2

    def at(x, y):
        return width / 2 + (x - mid_x) * scale, 6 + area_h / 2 - (y - mid_y) * scale * stretch

    alone, shared = counts["alone"].tolist(), counts["shared"].tolist()
    biggest = max(max(alone), 1)
    sizes = [40 + 560 * a / biggest for a in alone]
    points = [at(x, y) for x, y in zip(lon, lat, strict=True)]
    for x, y in points:
        chart.circle(x, y, math.sqrt(10) / 2, "#cccccc")
    for (x, y), s, size in zip(points, shared, sizes, strict=True):
        if s:
            chart.circle(x, y, math.sqrt(size + _RING_EXTRA) / 2, "none", KILLED, 1.2)
    for (x, y), a, size in zip(points, alone, sizes, strict=True):
        if a:
            chart.circle(x, y, math.sqrt(size) / 2, INCIDENTS, "white", 0.8, opacity=0.75)
    for name, (x, y), a, s, size in zip(counts.index, points, alone, shared, sizes, strict=True):
        label = name + (f" ({a})" if a else "")
        # Beside the circle, not under it: the central governorates sit a degree apart
        # vertically, so labels below collided with the next circle down. Labels go left
        # where the right is crowded (Karbala beside Babil) or runs off the map (Basra).
        left = name in _LABEL_LEFT
        gap = math.sqrt(size + (_RING_EXTRA if s else 0)) / 2 + 3
        chart.text(x - gap if left else x + gap, y, label, size=7, anchor="end" if left else "start",
                   color="#222222" if (a or s) else MUTED)
    legend = Legend()
    legend.add(("dot", INCIDENTS), "Incidents in the governorate alone")
    legend.add(("ring", KILLED), "Named in a shared total")
    legend.draw(chart, (width - legend.width()) / 2, height - legend_height / 2)
    return chart.svg()


def _slots(chart: Chart, count: int, high: float, label: str, title: str, legend: Legend,
           title_right: bool = False) -> Axes:
    """A plot with one slot per period along x and counts up y, under a header row that
    holds a small title and the legend."""
    ticks = nice_ticks(high, 5)
    left = _value_axis_width(ticks, label)
    ax = Axes(chart, left, HEADER + 4, WIDTH - left - 6, chart.height - HEADER - 4 - 30,
              -0.6, count - 0.4, 0, ticks[-1])
    ax.value_grid(ticks, "y", label)
    ax.spines()
    if title_right:
        chart.text(WIDTH - 6, HEADER / 2, title, size=LEGEND_SIZE, anchor="end", color="#555555")
        legend.draw(chart, left, HEADER / 2)
    else:
        chart.text(left, HEADER / 2, title, size=LEGEND_SIZE, color="#555555")
        legend.draw(chart, WIDTH - 6 - legend.width(), HEADER / 2)
    return ax


def _series(ax: Axes, values: list[float], color: str, marker: str, dash: str = "") -> None:
    """A line through the slots that have a value (a gap where one is missing), with markers."""
    run: list[tuple[float, float]] = []
    for i, v in enumerate([*values, math.nan]):
        if v is None or math.isnan(v):
            ax.chart.polyline(run, color, 1.5, dash)
            run = []
        else:
            run.append((ax.x(i), ax.y(v)))
            ax.chart.marker(ax.x(i), ax.y(v), marker, color)


def _float(value) -> float:
    return math.nan if pd.isna(value) else float(value)


def weekly_trend(trend: pd.DataFrame, period: Period, weeks: int, wounded: bool = False) -> str:
    """Incidents and people killed (and wounded, if asked) in each week ending on the
    period's weekday, the `weeks` weeks before the period and the period itself."""
    ends = [period.end - dt.timedelta(weeks=k) for k in range(weeks, -1, -1)]
    reported = trend["end_date"].fillna(trend["event_date"])
    rows = []
    for end in ends:
        start = end - dt.timedelta(days=7)
        inside = (reported > pd.Timestamp(start)) & (reported <= pd.Timestamp(end))
        part = trend.loc[inside]
        rows.append((end, len(part), part["incidents"].sum(min_count=1),
                     part["fatalities"].sum(min_count=1), part["wounded"].sum(min_count=1)))
    chart = Chart(WIDTH, LINE_HEIGHT, "Incidents and people killed per week")
    has_rows = [r[1] > 0 for r in rows]
    incidents = [0.0 if pd.isna(r[2]) else float(r[2]) for r in rows]
    killed = [_float(r[3]) if has else math.nan for r, has in zip(rows, has_rows, strict=True)]
    hurt = [_float(r[4]) if has else math.nan for r, has in zip(rows, has_rows, strict=True)]
    legend = Legend()
    legend.add(("bar", INCIDENTS), "Incidents")
    legend.add(("line", KILLED, "o", ""), "Killed")
    if wounded:
        legend.add(("line", WOUNDED, "s", "4 2"), "Wounded")
    shown = incidents + [v for v in killed + (hurt if wounded else []) if not math.isnan(v)]
    ax = _slots(chart, len(rows), max(shown) * 1.05, "Per week", "Weeks ending on", legend)
    for i, (value, has) in enumerate(zip(incidents, has_rows, strict=True)):
        if has:
            ax.column(i, value, 0.3, INCIDENTS)
        else:
            chart.text(ax.x(i) + 2.2, ax.y(0) - 3, "no data", size=6, color=MUTED, middle=False, rotate=-90)
    _series(ax, killed, KILLED, "o")
    if wounded:
        _series(ax, hurt, WOUNDED, "s", "4 2")
    # Past nine weekly labels they would overlap: label every few weeks, the last included.
    step = -(-len(rows) // 9)
    ax.bottom_labels([(i, short_day(r[0])) for i, r in enumerate(rows) if (len(rows) - 1 - i) % step == 0])
    return chart.svg()


def _day(value) -> int:
    return pd.Timestamp(value).toordinal()


def covid_cases(daily: pd.Series, weekly: pd.Series, period: Period) -> str:
    """Daily new cases with their 7-day average where a daily series exists; otherwise the
    published weekly averages alone."""
    chart = Chart(WIDTH, LINE_HEIGHT, "New COVID-19 cases a day")
    if daily.empty and weekly.empty:
        chart.empty("No COVID-19 case figures in this period's window")
        return chart.svg()
    legend = Legend()
    series = daily if not daily.empty else weekly
    days = [_day(d) for d in series.index] + [period.start.toordinal(), period.end.toordinal()]
    if not daily.empty:
        rolling = daily.asfreq("D").rolling(7, min_periods=7).mean().dropna()
        high = float(daily.max())
        legend.add(("bar", CASES), "New cases")
        legend.add(("line", INCIDENTS, "", ""), "7-day average")
    else:
        high = float(weekly.max()) * 1.45
        legend.add(("line", INCIDENTS, "o", ""), "Daily average of the week (as published)")
    legend.add(("band", BAND), "This period")
    ticks = nice_ticks(high, 5)
    left = _value_axis_width(ticks, "New cases a day")
    first, last = min(days), max(days)
    pad = max((last - first) * 0.04, 0.6)
    ax = Axes(chart, left, HEADER + 4, WIDTH - left - 6, LINE_HEIGHT - HEADER - 4 - 30,
              first - pad, last + pad, 0, ticks[-1])
    chart.rect(ax.x(period.start.toordinal()), ax.top, ax.x(period.end.toordinal()) - ax.x(period.start.toordinal()),
               ax.height, BAND)
    ax.value_grid(ticks, "y", "New cases a day")
    if not daily.empty:
        for day, value in daily.items():
            x = _day(day)
            ax.column(x, value, 0.4, CASES)
        chart.polyline([(ax.x(_day(d)), ax.y(v)) for d, v in rolling.items()], INCIDENTS, 1.6)
    else:
        chart.polyline([(ax.x(_day(d)), ax.y(v)) for d, v in weekly.items()], INCIDENTS, 1.5)
        for day, value in weekly.items():
            chart.marker(ax.x(_day(day)), ax.y(value), "o", INCIDENTS, 5)
            chart.text(ax.x(_day(day)), ax.y(value) - 9, f"{value:,.0f}/day", size=7, anchor="middle")
    ax.spines()
    # Date ticks a whole number of days apart, ending on the period's last day.
    span = last - first
    step = next(s for s in (1, 2, 3, 7, 14, 28, 56, 91, 182, 364) if span / s <= 8)
    marks = [period.end.toordinal() - k * step for k in range(-(-span // step) + 2)]
    marks = sorted(m for m in marks if first - pad <= m <= last + pad)
    ax.bottom_labels([(m, short_day(dt.date.fromordinal(m))) for m in marks])
    legend.draw(chart, left, HEADER / 2)
    return chart.svg()


def archive_trend(table: pd.DataFrame) -> str:
    """Incidents and killed per built period (columns period_end, incidents, killed), for the
    archive page. One slot per period, not a date axis: periods differ in length and the
    archive lists what was built, so slots keep bars apart and labels readable at any count."""
    chart = Chart(WIDTH, LINE_HEIGHT, "Incidents and people killed per report period")
    if table.empty:
        chart.empty("No reports built yet")
        return chart.svg()
    ends = pd.to_datetime(table["period_end"]).dt.date.tolist()
    incidents = [0.0 if pd.isna(v) else float(v) for v in table["incidents"]]
    killed = [_float(v) for v in table["killed"]]
    legend = Legend()
    legend.add(("line", KILLED, "o", ""), "Killed")
    legend.add(("bar", INCIDENTS), "Incidents")
    high = max(incidents + [v for v in killed if not math.isnan(v)]) * 1.05
    ax = _slots(chart, len(ends), high, "Per report period", "Periods ending on", legend, title_right=True)
    for i, value in enumerate(incidents):
        ax.column(i, value, 0.3, INCIDENTS)
    _series(ax, killed, KILLED, "o")
    # At most about a dozen labels; the year under the first label and wherever it changes.
    step = max(1, -(-len(ends) // 12))
    shown = list(range(0, len(ends), step))
    labels = [short_day(ends[i]) + (f"\n{ends[i].year}" if k == 0 or ends[i].year != ends[shown[k - 1]].year else "")
              for k, i in enumerate(shown)]
    ax.bottom_labels(list(zip(shown, labels, strict=True)))
    return chart.svg()

