"""Charts in the house style, returned as SVG text. Same data, same bytes: fonts ship with
the package, ids are salted with a constant and no date is written. Text stays text, so
chart labels are searchable in the PDF (which embeds Noto Sans) and a browser without Noto
Sans falls back to a sans-serif."""

from __future__ import annotations

import datetime as dt
import functools
import io
import xml.etree.ElementTree as ET
from importlib import resources

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager

from . import reference
from .periods import Period, short_day

KILLED = "#c0392b"
WOUNDED = "#e6a23c"
INCIDENTS = "#1f4e79"
MUTED = "#9a9a9a"


@functools.cache
def _style() -> str:
    fonts = resources.files("reportlib").joinpath("fonts")
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        with resources.as_file(fonts.joinpath(name)) as path:
            font_manager.fontManager.addfont(str(path))
    with resources.as_file(resources.files("reportlib").joinpath("house.mplstyle")) as path:
        return str(path)


def warm() -> None:
    """Register the fonts, read the style and draw one throwaway chart now, so that the
    first chart of a report does not pay for matplotlib's first-use set-up."""
    fig, ax = _figure(2, 1)
    ax.barh([0], [1], label="x")
    ax.legend()
    ax.set_title("Warm-up")
    _svg(fig)


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return _compact(buffer.getvalue())


_SVG = "http://www.w3.org/2000/svg"
# The PDF finds Noto Sans among the fonts it embeds; a browser without it takes the next.
_FONT_STACK = "'Noto Sans', 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _compact(svg: str) -> str:
    """The same drawing in a third of the elements: matplotlib wraps every artist in a group
    that only carries an id, and styles each element with a CSS string. The PDF printer
    handles each element and parses each string, so unwrapping the bare groups and turning
    styles into attributes prints the same picture a third faster."""
    root = ET.fromstring(svg)
    for metadata in root.findall(f"{{{_SVG}}}metadata"):
        root.remove(metadata)
    _unwrap(root)
    for node in root.iter():
        style = node.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                node.set(name.strip(), value.strip())
        if node.get("font-family") == "'Noto Sans'":
            node.set("font-family", _FONT_STACK)
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + ET.tostring(root, encoding="unicode")


def _unwrap(node) -> None:
    children = []
    for child in list(node):
        _unwrap(child)
        if child.tag == f"{{{_SVG}}}g" and set(child.attrib) <= {"id"}:
            children.extend(child)
        else:
            children.append(child)
    node[:] = children


def _figure(width: float, height: float):
    plt.style.use(_style())
    return plt.subplots(figsize=(width, height))


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=MUTED)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def by_type(incidents: pd.DataFrame) -> str:
    """Incidents, killed and wounded by incident type for the period."""
    kinds = reference.incident_types()
    table = (incidents.groupby("incident_type")[["incidents", "fatalities", "wounded"]]
             .sum(min_count=1).fillna(0))
    table = table.loc[sorted(table.index, key=lambda t: kinds[t].order, reverse=True)]
    fig, ax = _figure(6.4, 0.45 * max(len(table), 2) + 0.9)
    if table.empty:
        _empty(ax, "No incidents recorded in this period")
        return _svg(fig)
    y = np.arange(len(table))
    h = 0.26
    ax.barh(y + h, table["incidents"], h, color=INCIDENTS, label="Incidents")
    ax.barh(y, table["fatalities"], h, color=KILLED, label="Killed")
    ax.barh(y - h, table["wounded"], h, color=WOUNDED, label="Wounded")
    labels = [kinds[t].plural[:1].upper() + kinds[t].plural[1:] for t in table.index]
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", length=0)
    for values, offset in ((table["incidents"], h), (table["fatalities"], 0), (table["wounded"], -h)):
        for yi, v in zip(y, values, strict=True):
            if v:
                ax.text(v, yi + offset, f" {int(v):,}", va="center", fontsize=7, color="#333333")
    ax.legend(loc="lower right", ncols=3, bbox_to_anchor=(1, 1), borderaxespad=0.2)
    ax.set_xlabel("Count (minimums where the source says 'at least')")
    ax.margins(x=0.12)
    return _svg(fig)


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
    fig, ax = _figure(6.4, 0.32 * max(len(counts), 2) + 0.9)
    if counts.empty:
        _empty(ax, "No incidents recorded in this period")
        return _svg(fig)
    counts = counts.sort_values(["alone", "shared"])
    y = np.arange(len(counts))
    ax.barh(y, counts["alone"], 0.6, color=INCIDENTS, label="Incidents in this governorate alone")
    top = max(float(counts["alone"].max()), 1.0)
    for yi, (a, s) in enumerate(zip(counts["alone"], counts["shared"], strict=True)):
        parts = [f"{a:,}"] if a else []
        if s:
            parts.append(f"named in {s} shared total{'s' if s > 1 else ''}")
        ax.text(a + top * 0.02, yi, "  ·  ".join(parts), va="center", fontsize=7,
                color="#333333" if a else MUTED)
    ax.set_yticks(y, counts.index)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, top * 1.9)
    ax.set_xlabel("Incidents")
    return _svg(fig)


_LABEL_LEFT = {"Karbala", "Basra", "Anbar", "Ninewa", "Najaf", "Duhok"}


def governorate_map(incidents: pd.DataFrame) -> str:
    """A schematic map: every governorate at its representative point, circles sized by the
    incidents attributed to it, rings where it is named in a shared total. No tiles, no
    network, no borders (the package ships points, not shapes)."""
    counts = governorate_counts(incidents)
    places = reference.governorates()
    lon = np.array([places[n].lon for n in counts.index])
    lat = np.array([places[n].lat for n in counts.index])
    fig, ax = _figure(4.6, 4.8)
    ax.set_aspect(1 / np.cos(np.radians(33)))
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.scatter(lon, lat, s=10, color="#cccccc", zorder=1)
    alone = counts["alone"].to_numpy()
    shared = counts["shared"].to_numpy()
    biggest = max(alone.max(), 1)
    sizes = 40 + 560 * alone / biggest
    has = alone > 0
    ax.scatter(lon[has], lat[has], s=sizes[has], color=INCIDENTS, alpha=0.75, zorder=3,
               edgecolors="white", linewidths=0.8)
    ring = shared > 0
    ax.scatter(lon[ring], lat[ring], s=sizes[ring] + 110, facecolors="none",
               edgecolors=KILLED, linewidths=1.2, zorder=2)
    for name, x, yv, a, s, size in zip(counts.index, lon, lat, alone, shared, sizes, strict=True):
        label = name + (f" ({a})" if a else "")
        # Beside the circle, not under it: the central governorates sit a degree apart
        # vertically, so labels below collided with the next circle down. Labels go left
        # where the right is crowded (Karbala beside Babil) or runs off the map (Basra).
        left = name in _LABEL_LEFT
        radius = np.sqrt(size + (110 if s else 0)) / 2
        gap = (radius + 3) * (-1 if left else 1)
        ax.annotate(label, (x, yv), xytext=(gap, 0), textcoords="offset points", ha="right" if left else "left",
                    va="center", fontsize=7, color="#222222" if (a or s) else MUTED)
    ax.scatter([], [], s=120, color=INCIDENTS, alpha=0.75, label="Incidents in the governorate alone")
    ax.scatter([], [], s=120, facecolors="none", edgecolors=KILLED, label="Named in a shared total")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncols=2, scatterpoints=1)
    ax.margins(0.1)
    return _svg(fig)


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
    fig, ax = _figure(6.4, 2.6)
    x = np.arange(len(rows))
    has_rows = np.array([r[1] > 0 for r in rows])
    incidents = np.array([0 if pd.isna(r[2]) else float(r[2]) for r in rows])
    killed = np.array([np.nan if pd.isna(r[3]) else float(r[3]) for r in rows])
    ax.bar(x[has_rows], incidents[has_rows], 0.6, color=INCIDENTS, label="Incidents")
    ax.plot(x[has_rows], killed[has_rows], "o-", color=KILLED, label="Killed", markersize=4)
    if wounded:
        hurt = np.array([np.nan if pd.isna(r[4]) else float(r[4]) for r in rows])
        ax.plot(x[has_rows], hurt[has_rows], "s--", color=WOUNDED, label="Wounded", markersize=4)
    # Past nine weekly labels they would overlap: label every few weeks, the last included.
    step = -(-len(rows) // 9)
    labels = [short_day(r[0]) if (len(rows) - 1 - i) % step == 0 else "" for i, r in enumerate(rows)]
    ax.set_xticks(x, labels, rotation=0)
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Per week")
    for xi in x[~has_rows]:
        ax.text(xi, 0, "no data", rotation=90, ha="center", va="bottom", fontsize=6, color=MUTED)
    if wounded:  # three series fill the plot: the legend goes above it, beside the title
        ax.legend(loc="lower right", ncols=3, bbox_to_anchor=(1, 1), borderaxespad=0.2)
    else:
        ax.legend(loc="upper left", ncols=2)
    ax.set_title("Weeks ending on", loc="left", fontsize=8, fontweight="normal", color="#555555")
    return _svg(fig)


def covid_cases(daily: pd.Series, weekly: pd.Series, period: Period) -> str:
    """Daily new cases with their 7-day average where a daily series exists; otherwise the
    published weekly averages alone."""
    fig, ax = _figure(6.4, 2.6)
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    if daily.empty and weekly.empty:
        _empty(ax, "No COVID-19 case figures in this period's window")
        return _svg(fig)
    if not daily.empty:
        ax.bar(daily.index, daily.to_numpy(), width=0.8, color="#b8c9dc", label="New cases")
        rolling = daily.asfreq("D").rolling(7, min_periods=7).mean().dropna()
        ax.plot(rolling.index, rolling.to_numpy(), color=INCIDENTS, linewidth=1.6,
                label="7-day average")
    else:
        ax.plot(weekly.index, weekly.to_numpy(), "o-", color=INCIDENTS, markersize=5,
                label="Daily average of the week (as published)")
        for day, value in weekly.items():
            ax.annotate(f"{value:,.0f}/day", (day, value), xytext=(0, 6),
                        textcoords="offset points", ha="center", fontsize=7)
        ax.set_ylim(0, weekly.max() * 1.45)
    ax.axvspan(pd.Timestamp(period.start), pd.Timestamp(period.end), color="#f2f2f2", zorder=0,
               label="This period")
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b %-d"))
    ax.set_ylabel("New cases a day")
    ax.legend(loc="upper left", ncols=3)
    return _svg(fig)


def archive_trend(table: pd.DataFrame) -> str:
    """Incidents and killed per built period (columns period_end, incidents, killed), for the
    archive page. One slot per period, not a date axis: periods differ in length and the
    archive lists what was built, so slots keep bars apart and labels readable at any count."""
    fig, ax = _figure(6.4, 2.6)
    if table.empty:
        _empty(ax, "No reports built yet")
        return _svg(fig)
    ends = pd.to_datetime(table["period_end"]).dt.date.tolist()
    x = np.arange(len(ends))
    ax.bar(x, table["incidents"].fillna(0).to_numpy(dtype=float), 0.6, color=INCIDENTS, label="Incidents")
    ax.plot(x, table["killed"].to_numpy(dtype=float), "o-", color=KILLED, label="Killed", markersize=4)
    # At most about a dozen labels; the year under the first label and wherever it changes.
    step = max(1, -(-len(ends) // 12))
    shown = x[::step]
    labels = [short_day(ends[i]) + (f"\n{ends[i].year}" if k == 0 or ends[i].year != ends[shown[k - 1]].year else "")
              for k, i in enumerate(shown)]
    ax.set_xticks(shown, labels)
    ax.set_xlim(-0.6, len(ends) - 0.4)
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Per report period")
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="lower left", bbox_to_anchor=(0, 1), ncols=2, borderaxespad=0.2)
    ax.set_title("Periods ending on", loc="right", fontsize=8, fontweight="normal", color="#555555")
    return _svg(fig)
