"""The report's charts, drawn with matplotlib in the house style (reportlib.content.style).

Each function takes the rows it draws and returns a `Chart`: the matplotlib Figure, a
caption that says what a mark means, and alt text; or None when there is nothing to draw
(the report then says so in words). The charts draw only what the data holds:

- killed means victims of violence; militants killed in operations are a series of their
  own (the `casualty_group` column), never added to them;
- a total the source gives for several governorates is counted where it is named, never
  split (`governorate_counts`);
- on a time axis each issue is one mark over the days it covers, an issue of two weeks is
  one mark over two weeks, and weeks with no issue have none; a daily series is drawn
  daily, a weekly average over the seven days it averages, never joined to the next.

    >>> from reportlib.content import figures, style
    >>> chart = figures.by_type(view.incidents)
    >>> svg = chart.svg()

Layouts are fixed in points (no tight_layout): the same rows give the same picture and the
same bytes, and the page layout does not move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
from matplotlib.figure import Figure

from ..inputs import reference
from ..inputs.periods import Period, format_day, format_span, short_day
from . import style, words
from .sentences import Casualties, IncidentRow, casualties, incident_rows, tally

VICTIMS, MILITANTS, UNATTRIBUTED = "victims", "militants", "unattributed"
MIN_MARK = "≥"
# A bar chart's print copy with this much more room a bar, which the printer takes instead of
# the chart when the page would otherwise be left partly blank (render.figureorder, issue 23):
# the bars and the space between them grow, the type keeps its size.
TALLER = 1.4


@dataclass(frozen=True)
class Chart:
    """A drawn chart with what a reader needs beside it."""

    figure: Figure
    caption: str  # what the chart shows and what each mark means
    alt: str  # the chart in words, for a reader who cannot see it
    # The same chart drawn with more room a bar (TALLER), for the printed page to fill a page
    # with; the same marks, words and caption.
    taller: Figure | None = None

    def svg(self) -> str:
        """The chart as the report embeds it (style.to_svg), saved in the house style:
        matplotlib resolves fonts, ticks and dashes when it draws, which is when it saves."""
        return _saved(self.figure)

    def taller_svg(self) -> str:
        """The taller print copy as the report embeds it; empty for a chart without one."""
        return "" if self.taller is None else _saved(self.taller)


def _saved(fig: Figure) -> str:
    with style.context():
        return style.to_svg(fig)


def warm() -> None:
    """Load now what the first chart of a report would: the fonts, the style, the SVG
    writer and the boundaries, and draw a chart once (matplotlib caches glyphs and font
    files on first use)."""
    from . import maps  # here, not at the top: maps draws with this module's Chart

    maps.boundaries()
    day = pd.Timestamp("2020-11-26")
    frame = pd.DataFrame({"event_date": [day], "end_date": [pd.NaT], "incident_type": ["IED"],
                          "admin1": ["Baghdad"], "location": [""], "actor1": [""], "target": [""],
                          "incidents": [1.0], "fatalities": [1.0], "fatalities_min": [False],
                          "wounded": [1.0], "wounded_min": [False]})
    chart = by_type(frame)
    assert chart is not None  # one incident draws a chart
    chart.svg()


# -- reading the rows ----------------------------------------------------------------------------

def casualty_groups(incidents: pd.DataFrame) -> pd.Series:
    """Whose deaths each row counts: `victims` (of violence: civilians, security forces; the
    default), `militants` (fighters killed in operations) or `unattributed`. Data without
    the column counts every row's casualties as victims."""
    if "casualty_group" not in incidents.columns:
        return pd.Series(VICTIMS, index=incidents.index, dtype=object)
    groups = incidents["casualty_group"].astype(object).where(incidents["casualty_group"].notna(), "")
    groups = groups.map(lambda g: str(g).strip().lower() or VICTIMS)
    return groups


def inferred_place(incidents: pd.DataFrame) -> pd.Series:
    """Rows whose governorates were inferred (from a town, say) rather than stated by the
    source: the `inferred` column lists `admin1`."""
    if "inferred" not in incidents.columns:
        return pd.Series(False, index=incidents.index)
    values = incidents["inferred"].astype(object).where(incidents["inferred"].notna(), "")
    return values.map(lambda v: "admin1" in [part.strip() for part in str(v).split(";")])


@dataclass(frozen=True)
class _Counts:
    """Incidents of every row, and the killed and wounded of one casualty group's rows."""

    rows: int
    incidents: int | None
    incidents_min: bool
    killed: int | None
    killed_min: bool
    wounded: int | None
    wounded_min: bool


@dataclass(frozen=True)
class _Tallies:
    """Incidents, and casualties by whose they are."""

    victims: _Counts  # incidents of every row; killed and wounded of the victims' rows
    militants: Casualties | None
    unattributed: Casualties | None


# No row of victims: no figure of killed or wounded victims, rather than a count of zero.
_NOTHING = Casualties(None, False, None, False)


def _with_groups(incidents: pd.DataFrame) -> list[tuple[IncidentRow, str]]:
    """Each row in plain values with its casualty group: a chart groups tens of rows a few
    ways, which costs less in Python than a pandas filter a group."""
    return list(zip(incident_rows(incidents), casualty_groups(incidents).tolist(), strict=True))


def _tallies(rows: Sequence[tuple[IncidentRow, str]]) -> _Tallies:
    def group(name: str) -> Casualties | None:
        part = [r for r, g in rows if g == name]
        return casualties(part) if part else None

    every = tally([r for r, _ in rows])
    v = group(VICTIMS) or _NOTHING
    return _Tallies(_Counts(every.rows, every.incidents, every.incidents_min, v.killed, v.killed_min, v.wounded,
                            v.wounded_min),
                    group(MILITANTS), group(UNATTRIBUTED))


def _label(value, minimum: bool) -> str:
    """A count as the report's tables print it: thousands separated, ≥ for a minimum."""
    return (MIN_MARK if minimum else "") + f"{int(value):,}"


# -- the layout helpers --------------------------------------------------------------------------

def _axes(fig: Figure, left: float, right: float, top: float, bottom: float):
    """Axes placed by margins in points, so the plot sits the same whatever its labels say."""
    width, height = fig.get_size_inches() * style.POINTS_PER_INCH
    return fig.add_axes((left / width, bottom / height, 1 - (left + right) / width, 1 - (top + bottom) / height))


def _text_width(labels: Sequence[str], size: float) -> float:
    """The widest label's width in points, as matplotlib sets it in the house font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(family=style.house_rc()["font.family"], size=size)
    return max((text_to_path.get_text_width_height_descent(label, font, ismath=False)[0] for label in labels),
               default=0.0)


def _legend(ax, handles, labels, columns: int | None = None, unit: str = "") -> None:
    """The legend in a row above the plot, from the figure's left edge (the plot's left
    edge moves with its labels; the legend needs the whole width). With `unit`, what the
    value axis counts is written there instead, level (rotated text reads badly at 7 points),
    and the legend goes to the right."""
    fig = ax.figure
    width, height = fig.get_size_inches() * style.POINTS_PER_INCH
    top = ax.get_position().y1 + 3 / height
    if unit:
        fig.text(4 / width, top, unit, ha="left", va="bottom", fontsize=7, color="#444444")
    fig.legend(handles, labels, loc="lower right" if unit else "lower left",
               bbox_to_anchor=(1 - 4 / width if unit else 4 / width, top), ncols=columns or len(labels),
               borderaxespad=0, borderpad=0, handletextpad=0.5)


# Behind a figure written over a bar.
_ON_WHITE = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def _category_labels(ax, labels: Sequence[str], size: float = 7.5, positions: Sequence[float] | None = None) -> None:
    """A label left of each row of a bar chart (rows 0, 1, ... from the top, or at the given
    positions on the y axis). Written as text rather than as tick labels: matplotlib makes
    each tick of four artists."""
    ax.set_yticks([])
    for i, label in enumerate(labels):
        at = positions[i] if positions is not None else i + 0.5
        ax.annotate(label, (0, at), xycoords=ax.get_yaxis_transform(), xytext=(-4, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=size, color=style.INK)


def _bar_handle(color, hatch=None, hatch_color=None):
    """A legend key: a solid bar, or with `hatch_color` a bar of `color` patterned in that
    colour (white stripes on red, grey stripes on white), or with `hatch` alone a white bar
    patterned and outlined in `color`."""
    from matplotlib.patches import Patch

    if hatch and hatch_color:
        edge = hatch_color if color == "white" else color
        return Patch(facecolor=color, edgecolor=edge, hatch=hatch, hatchcolor=hatch_color, linewidth=0.8)
    return Patch(facecolor=color if not hatch else "white", edgecolor=color, hatch=hatch,
                 linewidth=0.8 if hatch else 0)


def _line_handle(color, dashes=None):
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, linewidth=2, linestyle=(0, dashes) if dashes else "-")


def _ticks_every(top: float) -> list[float]:
    """Round ticks for counts: steps of 1, 2, 5 times a power of ten, at most six."""
    top = max(top, 1.0)
    step = 1.0
    while top / step > 5:
        for factor in (2, 2.5, 2):
            step *= factor
            if top / step <= 5:
                break
    return [i * step for i in range(int(top // step) + 2)]


# -- by type ---------------------------------------------------------------------------------------

_TYPE_SERIES = (
    # (what, fill, hatch, hatch colour, legend): incidents solid; the others patterned, so
    # that in greyscale no bar of killed reads as one of incidents. Patterns of lines only:
    # matplotlib draws a dotted hatch as thousands of small circles, which cost the PDF
    # printer 1.7 CPU-s a chart against 0.07 for lines (benchmarks/README.md, issue 22).
    ("incidents", style.ACCENT, None, None, "Incidents"),
    ("killed", style.ALERT, "////", "white", "Killed (victims of violence)"),
    ("wounded", style.AMBER, "----", "white", "Wounded"),
    ("militants", "white", "\\\\\\\\", style.MILITANT, "Militants killed in operations"),
    ("unattributed", "white", "xxx", style.ALERT, "Killed, not attributed by the source"),
)


def by_type(incidents: pd.DataFrame) -> Chart | None:
    """Incidents, people killed and people wounded by incident type, with militants killed
    in operations (and deaths the source does not attribute) as series of their own."""
    if incidents.empty:
        return None
    kinds = reference.incident_types()
    rows = _with_groups(incidents)
    present = sorted({r.incident_type for r, _ in rows}, key=lambda t: kinds[t].order)
    groups = []
    for kind in present:
        label = kinds[kind].plural[:1].upper() + kinds[kind].plural[1:]
        groups.append((label, _tallies([x for x in rows if x[0].incident_type == kind])))
    militants = any(t.militants is not None and t.militants.killed for _, t in groups)
    unattributed = any(t.unattributed is not None and t.unattributed.killed for _, t in groups)
    chart = _type_chart(groups, militants, unattributed)
    return replace(chart, taller=_type_chart(groups, militants, unattributed, TALLER).figure)


def _type_values(t: _Tallies, militants: bool, unattributed: bool) -> list[tuple[float | None, bool]]:
    v = t.victims
    values: list[tuple[float | None, bool]] = [(v.incidents, v.incidents_min), (v.killed, v.killed_min),
                                               (v.wounded, v.wounded_min)]
    if militants:
        values.append((t.militants.killed, t.militants.killed_min) if t.militants else (None, False))
    if unattributed:
        values.append((t.unattributed.killed, t.unattributed.killed_min) if t.unattributed else (None, False))
    return values


def _type_chart(groups, militants: bool, unattributed: bool, room: float = 1.0) -> Chart:
    series = [s for s in _TYPE_SERIES if s[0] in ("incidents", "killed", "wounded")
              or (s[0] == "militants" and militants) or (s[0] == "unattributed" and unattributed)]
    bar, gap = 7.0 * room, 9.0 * room  # points: one bar's thickness, the space between two types
    values = [_type_values(t, militants, unattributed) for _, t in groups]
    # A type's bars are those with a figure, packed together and its label level with their
    # middle: no empty slot for a series the source gives no figure of, so the label stays
    # beside its bars and the chart no taller than its bars.
    slots, y = [], 0.0
    for group_values in values:
        present = [k for k, (value, _) in enumerate(group_values) if value is not None] or [0]
        slots.append({k: y + gap / 2 + bar * (j + 0.5) for j, k in enumerate(present)})
        y += bar * len(present) + gap
    rows_of_legend = 2 if len(series) > 4 else 1
    top, bottom = 16.0 + 11 * rows_of_legend, 34.0
    height = y + top + bottom
    with style.context():
        fig = style.figure(height=height, layout="none")
        ax = _axes(fig, left=_text_width([label for label, _ in groups], 7.5) + 10, right=28, top=top,
                   bottom=bottom)
        high = max([n for vs in values for n, _ in vs if n] + [1])
        ax.set_xlim(0, high * 1.12)
        ax.set_ylim(y, 0)  # in points from the top
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        _category_labels(ax, [label for label, _ in groups],
                         positions=[(min(s.values()) + max(s.values())) / 2 for s in slots])
        ticks = _ticks_every(high * 1.12)[:-1] if high > 1 else [0, 1]
        ax.set_xticks(ticks)
        ax.spines.bottom.set_bounds(0, ticks[-1])
        ax.set_xlabel("Count (minimums where the source says “at least”)")
        thickness = bar
        for k, (_, color, hatch, hatch_color, _) in enumerate(series):
            # One call a series (a call a bar costs a container and a limit update each).
            ys, widths = [], []
            for i, group_values in enumerate(values):
                value, minimum = group_values[k]
                if value is None:
                    continue
                ys.append(slots[i][k])
                widths.append(value)
                ax.text(value + high * 0.012, ys[-1], _label(value, minimum), va="center", fontsize=6.5,
                        color=style.INK)
            if ys:
                edge = hatch_color if color == "white" else color
                ax.barh(ys, widths, height=thickness * 0.9, color=color, edgecolor=edge if hatch else color,
                        hatch=hatch, hatchcolor=hatch_color or color, linewidth=0.6 if color == "white" else 0)
        _legend(ax, [_bar_handle(c, h, hc) for _, c, h, hc, _ in series], [name for *_, name in series],
                columns=3 if rows_of_legend > 1 else None)
    caption = ("Each group of bars is one type of incident: incidents (solid), people killed (diagonal stripes) and "
               "people wounded (horizontal stripes) in them (victims of the violence)")
    if militants:
        caption += ("; hatched grey bars are militants killed in operations, a separate figure never added to the "
                    "victims")
    if unattributed:
        caption += "; white bars cross-hatched red are deaths the source does not attribute to either"
    caption += (". A number marked ≥ is a minimum: the source says “at least”, or some rows give no figure. "
                "No bar: the source gives no figure.")
    alt = "Horizontal bar chart by incident type. " + " ".join(
        f"{label}: " + ", ".join(f"{name.lower()} {_label(n, m)}" for (n, m), (*_, name) in
                                 zip(vals, series, strict=True) if n is not None) + "."
        for (label, _), vals in zip(groups, [_type_values(t, militants, unattributed) for _, t in groups],
                                    strict=True))
    return Chart(fig, caption, alt)


# -- by governorate --------------------------------------------------------------------------------

def governorate_counts(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per governorate (all 18, in P-code order): `alone`, incidents from rows naming it
    alone; `shared`, how many totals over several governorates name it (those cannot be
    split without inventing numbers); and of each, the part whose place was inferred
    rather than stated (`alone_inferred`, `shared_inferred`)."""
    names = list(reference.governorates())
    counts = {column: dict.fromkeys(names, 0) for column in ("alone", "shared", "alone_inferred", "shared_inferred")}
    inferred = inferred_place(incidents).tolist()
    for admin1, count, guessed in zip(incidents["admin1"], incidents["incidents"], inferred, strict=True):
        parts = [p for p in str(admin1).split(";") if p]
        if len(parts) == 1:
            n = 0 if pd.isna(count) else int(count)
            counts["alone"][parts[0]] += n
            if guessed:
                counts["alone_inferred"][parts[0]] += n
        else:
            for part in parts:
                counts["shared"][part] += 1
                if guessed:
                    counts["shared_inferred"][part] += 1
    return pd.DataFrame(counts)


def _shared_text(shared: int, inferred: int) -> str:
    if not shared:
        return ""
    text = f"named in {shared} shared total{'s' if shared > 1 else ''}"
    if inferred:
        text += f" ({inferred} by inference)" if inferred < shared else " (by inference)"
    return text


def by_governorate(incidents: pd.DataFrame) -> Chart | None:
    """Incidents per governorate from rows that name it alone, with the shared totals that
    name it written beside the bar (counted, never split) and inferred places hatched."""
    counts = governorate_counts(incidents)
    counts = counts.loc[(counts["alone"] > 0) | (counts["shared"] > 0)]
    if counts.empty:
        return None
    counts = counts.sort_values(["alone", "shared"], ascending=False, kind="stable")
    chart = _governorate_chart(counts)
    return replace(chart, taller=_governorate_chart(counts, TALLER).figure)


def _governorate_chart(counts: pd.DataFrame, room: float = 1.0) -> Chart:
    inferred_any = bool(counts["alone_inferred"].any())
    row, top, bottom = 17.0 * room, 24.0 if inferred_any else 8.0, 34.0
    height = row * len(counts) + top + bottom
    with style.context():
        fig = style.figure(height=height, layout="none")
        ax = _axes(fig, left=_text_width(list(counts.index), 7.5) + 10, right=12, top=top, bottom=bottom)
        high = max(float(counts["alone"].max()), 1.0)
        # Room right of the longest bar for the words about shared totals.
        ax.set_xlim(0, high * 1.9)
        ax.set_ylim(len(counts), 0)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        _category_labels(ax, list(counts.index))
        ticks = [t for t in _ticks_every(high) if t <= high * 1.9]
        ax.set_xticks(ticks)
        ax.spines.bottom.set_bounds(0, ticks[-1])
        ax.set_xlabel("Incidents in the governorate alone")
        ys = [i + 0.5 for i in range(len(counts))]
        stated = (counts["alone"] - counts["alone_inferred"]).tolist()
        ax.barh(ys, stated, height=0.62, color=style.ACCENT)
        if inferred_any:
            ax.barh(ys, counts["alone_inferred"].tolist(), left=stated, height=0.62, color="white",
                    edgecolor=style.ACCENT, hatch="////", linewidth=0.6)
        for y, (_name, c) in zip(ys, counts.iterrows(), strict=True):
            words = [_label(c["alone"], False)] if c["alone"] else []
            if c["alone_inferred"]:
                words[-1] += f" ({c['alone_inferred']:,} by inference)"
            shared = _shared_text(int(c["shared"]), int(c["shared_inferred"]))
            if shared:
                words.append(shared)
            # On white, so that the vertical gridlines stop at the words instead of crossing them.
            ax.text(c["alone"] + high * 0.02, y, "  ·  ".join(words), va="center", fontsize=6.5,
                    color=style.INK if c["alone"] else style.MUTED, bbox={**_ON_WHITE, "alpha": 1}, zorder=5)
        if inferred_any:
            _legend(ax, [_bar_handle(style.ACCENT), _bar_handle(style.ACCENT, "////")],
                    ["Incidents in the governorate alone", "Placed there by inference, not by the source"])
    caption = ("Each bar is a governorate's incidents from rows that name it alone. A total the source gives "
               "for several governorates together is not split: the words beside a bar say how many such "
               "totals name it.")
    if inferred_any:
        caption += " Hatched: incidents placed in the governorate by inference (from a town), not by the source."
    if counts["shared_inferred"].any():
        caption += (" “By inference”: the shared total names the governorate by inference (from a town), not in "
                    "the source's words.")
    alt = "Horizontal bar chart of incidents by governorate. " + " ".join(
        f"{name}: {int(c['alone'])} alone" + (f", {_shared_text(int(c['shared']), int(c['shared_inferred']))}"
                                              if c["shared"] else "") + "."
        for name, c in counts.iterrows())
    return Chart(fig, caption, alt)


# -- time axes -------------------------------------------------------------------------------------

def _day(day: dt.date) -> float:
    """A day's start on matplotlib's date axis (days since 1970-01-01): day d spans [d, d + 1)."""
    return float((day - dt.date(1970, 1, 1)).days)


def _date_ticks(ax, days: Sequence[dt.date], most: int = 10) -> None:
    """Ticks in the middle of the given days, thinned to at most `most` (the last kept), with
    the year under the first label and wherever it changes."""
    days = sorted(set(days))
    step = max(1, -(-len(days) // most))
    shown = days[::-1][::step][::-1]
    labels = []
    for k, day in enumerate(shown):
        year = k == 0 or day.year != shown[k - 1].year
        labels.append(short_day(day) + (f"\n{day.year}" if year else ""))
    ax.set_xticks([_day(d) + 0.5 for d in shown], labels)
    ax.tick_params(axis="x", length=3)


def _counted_days(period: Period) -> tuple[float, float]:
    """Where a period's figures sit on a date axis: the days it counts, from the day after
    its first day (which closes the issue before) to its last; a one-day period its day."""
    first = period.start if period.days == 1 else period.start + dt.timedelta(days=1)
    return _day(first), _day(period.end) + 1


def issue_trend(rows: pd.DataFrame, periods: Sequence[Period], window: Period, wounded: bool = False,
                current: Period | None = None, counted_on: pd.Series | None = None) -> Chart:
    """Incidents and people killed (victims; and wounded, if asked) in each of the given
    issue periods, each drawn over the days it counts on a date axis spanning `window`:
    one bar per issue, its height the issue's total, however many weeks it covers. Days of
    the window in no issue have no bar. `current` is shaded as the report's own period.
    `counted_on` is each row's counting day (PeriodData.counted_on: the issue whose source
    reports a row counts it); without it a row counts in the period its span ends in."""
    grouped = _with_groups(rows)
    periods = sorted(periods)
    days = ([d.date() for d in counted_on.loc[rows.index].tolist()] if counted_on is not None
            else [r.end for r, _ in grouped])
    marks = [(p, _tallies([x for x, d in zip(grouped, days, strict=True) if p.counts(d)])) for p in periods]
    # Rows counted on the window's first day belong to the issue before it, outside the window.
    in_window = sum(window.counts(d) for d in days)
    left_out = in_window - sum(t.victims.rows for p, t in marks if window.start <= p.start)
    height, top, bottom = 190.0, 26.0, 34.0
    values = [v for _, t in marks for v in (t.victims.incidents, t.victims.killed,
                                            t.victims.wounded if wounded else None) if v]
    high = max([*values, 1])
    any_min = False
    # Weeks before the first issue the data holds are not drawn: a line says so, instead of
    # most of the chart saying "no issue in the data".
    asked = window
    with_rows = [p for p, t in marks if t.victims.rows and p.start > window.start]
    if with_rows and len(with_rows) == sum(1 for _, t in marks if t.victims.rows) and \
            (min(with_rows).start - window.start).days >= 7:
        window = Period(min(with_rows).start, window.end)
    note = bottom if window is asked else bottom + 12
    with style.context():
        fig = style.figure(height=height + note - bottom, layout="none")
        ax = _axes(fig, left=30, right=10, top=top, bottom=note)
        if window is not asked:
            # Under the axis, clear of the bars and of the band's label.
            first = asked.start + dt.timedelta(days=1)
            fig.text(4 / style.WIDTH, 3 / (height + note - bottom),
                     f"No issue in the data for {format_span(first, window.start, with_year=True)}: those weeks "
                     "are not drawn.", ha="left", va="bottom", fontsize=6.5, color=style.MUTED, style="italic")
        x0, x1 = _counted_days(window)[0] - 0.5, _day(window.end) + 1.5
        ax.set_xlim(x0, x1)
        # Headroom above the tallest figure for the band's name, which sits at the top.
        room = 1.32 if current is not None else 1.18
        ax.set_ylim(0, high * room)
        ax.set_yticks([t for t in _ticks_every(high) if t <= high * room])
        if current is not None:
            a, b = _counted_days(current)
            _band(ax, a, b, "this period")
        inset = 0.35
        series: list[tuple[str, str, tuple[float, float] | None]] = [("incidents", style.ACCENT, None),
                                                                     ("killed", style.ALERT, None)]
        if wounded:
            series.append(("wounded", style.AMBER, (3, 1.5)))
        for what, color, dashes in series:
            spans = []
            for period, t in marks:
                a, b = _counted_days(period)
                value, minimum = getattr(t.victims, what), getattr(t.victims, f"{what}_min")
                if value is None or (what == "incidents" and not value):
                    continue
                spans.append((a + inset, b - inset, value))
                any_min |= minimum
                if what == "incidents":
                    ax.text((a + b) / 2, value + high * 0.02, _label(value, minimum), ha="center", va="bottom",
                            fontsize=6.5, color=color, zorder=5, bbox=_ON_WHITE)
                else:
                    # Over the bar, on white: a red figure on the blue bar would not read.
                    ax.text(b - inset, value + high * 0.02, _label(value, minimum), ha="right", va="bottom",
                            fontsize=6.5, color=color, zorder=5, bbox=_ON_WHITE)
            if not spans:
                continue
            if what == "incidents":
                ax.bar([a for a, _, _ in spans], [v for *_, v in spans], width=[b - a for a, b, _ in spans],
                       align="edge", color=color, zorder=2)
            else:
                ax.hlines([v for *_, v in spans], [a for a, _, _ in spans], [b for _, b, _ in spans], colors=color,
                          linewidth=2.2, zorder=3, linestyles=(0, dashes) if dashes else "solid")
        _gaps(ax, [p for p, _ in marks], window, high * room)
        # A tick at the end of each week of the window, on the monitor's weekday.
        weeks = [window.end - dt.timedelta(weeks=k) for k in range(window.days // 7 + 1)]
        _date_ticks(ax, [d for d in weeks if d >= window.start], most=9)
        handles = [_bar_handle(style.ACCENT), _line_handle(style.ALERT)]
        labels = ["Incidents", "Killed (victims of violence)"]
        if wounded:
            handles.append(_line_handle(style.AMBER, (3, 1.5)))
            labels.append("Wounded")
        if current is not None:
            handles.append(_bar_handle(style.BAND))
            labels.append("This period")
        _legend(ax, handles, labels, unit="Count in the issue")
    caption = ("Each bar is one issue of the monitor, drawn over the days it covers; its height is the issue's "
               "total of incidents, not a weekly rate, so an issue covering two weeks is one bar over two weeks. "
               "The red line across a bar is the people killed in that issue (victims of violence; militants "
               "killed in operations are not counted)")
    if wounded:
        caption += ", the dashed line the people wounded"
    caption += ". Days in no issue of the data have no bar."
    if any_min:
        caption += " A number marked ≥ is a minimum."
    if left_out > 0:
        caption += (f" {left_out} row{'s' if left_out != 1 else ''} of the data in these weeks "
                    f"{'belong' if left_out != 1 else 'belongs'} to no issue drawn here and "
                    f"{'are' if left_out != 1 else 'is'} not drawn.")
    alt = "Bar chart over time, one bar per issue. " + " ".join(
        f"Issue ending {format_day(p.end, True)}: {_label(t.victims.incidents or 0, t.victims.incidents_min)} "
        f"incidents, " + (f"{_label(t.victims.killed, t.victims.killed_min)} killed" if t.victims.killed is not None
                          else "killed not reported") + "." for p, t in marks)
    return Chart(fig, caption, alt)


def _band(ax, a: float, b: float, label: str) -> None:
    """The report's own period shaded on a time axis, and named inside the band at its top:
    the pale shade is 1.13:1 against white, so the words carry it, in greyscale too."""
    ax.axvspan(a, b, color=style.BAND, zorder=0, linewidth=0)
    ax.text((a + b) / 2, 0.985, label, transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=6,
            color=style.MUTED, style="italic", zorder=1)


def _gaps(ax, periods: Sequence[Period], window: Period, top: float) -> None:
    """Say "no issue" over each stretch of a week or more that no issue covers."""
    covered = sorted(_counted_days(p) for p in periods)
    start = _counted_days(window)[0]
    stretches = []
    for a, b in covered:
        if a - start >= 7:
            stretches.append((start, a))
        start = max(start, b)
    if _day(window.end) + 1 - start >= 7:
        stretches.append((start, _day(window.end) + 1))
    for a, b in stretches:
        ax.text((a + b) / 2, top * 0.06, "no issue in the data", ha="center", va="bottom", fontsize=6.5,
                color=style.MUTED, style="italic")


def covid_cases(daily: pd.Series, weekly: pd.Series, period: Period, band: str = "this period") -> Chart | None:
    """New COVID-19 cases a day: each day's figure where a daily series exists, and each
    weekly average as a level over the seven days it averages (never joined to the next);
    the report's period shaded."""
    if daily.empty and weekly.empty:
        return None
    weekly = _whole_weeks(weekly)
    days = [d.date() for d in daily.index] + [d.date() - dt.timedelta(days=6) for d in weekly.index]
    days += [d.date() for d in weekly.index] + [period.start, period.end]
    first, last = min(days), max(days)
    values = [float(v) for v in daily.tolist() + weekly.tolist()]
    high = max([*values, 1.0])
    with style.context():
        fig = style.figure(height=190.0, layout="none")
        ax = _axes(fig, left=34, right=10, top=26, bottom=34)
        ax.set_xlim(_day(first) - 0.5, _day(last) + 1.5)
        ax.set_ylim(0, high * 1.34)  # headroom for the band's name above the weekly figures
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        a, b = _counted_days(period)
        _band(ax, a, b, band)
        handles, labels = [], []
        if not daily.empty:
            ax.bar([_day(d.date()) + 0.5 for d in daily.index], daily.to_numpy(), width=0.8, color=style.PALE,
                   zorder=2)
            handles.append(_bar_handle(style.PALE))
            labels.append("New cases that day")
        starts = [_day(end.date() - dt.timedelta(days=6)) for end in weekly.index]
        ends = [_day(end.date()) + 1 for end in weekly.index]
        if len(weekly):
            ax.hlines(weekly.to_numpy(), starts, ends, colors=style.ACCENT, linewidth=2.4, zorder=3)
        if len(weekly) <= 12:  # past a dozen weeks the figures would overlap; the text gives them
            for start, end, value in zip(starts, ends, weekly.tolist(), strict=True):
                ax.text((start + end) / 2, value + high * 0.03, _average_label(value), ha="center", va="bottom",
                        fontsize=6.5, color=style.ACCENT, zorder=4, bbox=_ON_WHITE)
        if not weekly.empty:
            handles.append(_line_handle(style.ACCENT))
            labels.append("Daily average of the week it spans")
        handles.append(_bar_handle(style.BAND))
        labels.append(band[:1].upper() + band[1:])
        _legend(ax, handles, labels, unit="New cases a day")
        span = (last - first).days
        steps = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364) if span < 14 else (7, 14, 28, 56, 91, 182, 364)
        # Past eight years a year's step still leaves more than eight ticks: a tick every
        # so many years, whatever the span (dates run 1900 to 2199).
        step = next((s for s in steps if span / s <= 8), 364 * (-(-span // (364 * 8))))
        ticks = [period.end - dt.timedelta(days=step * k) for k in range(span // step + 2)]
        _date_ticks(ax, [d for d in ticks if first <= d <= last], most=10)
    caption = ("New COVID-19 cases a day. ")
    if not daily.empty:
        caption += "Each pale bar is one day's new cases. "
    caption += ("Each dark line is the daily average of one week, drawn over the seven days it averages and ending on "
                "the day it is dated; it is not joined to the next, because the data does not say how the figure "
                f"moved between them. The shaded band is {band}.")
    if daily.empty:
        caption += " The data has no daily series for these weeks: only the weekly averages as published."
    alt = "Chart of COVID-19 new cases a day. " + " ".join(
        f"Week ending {format_day(d.date(), True)}: {v:,.0f} a day on average." for d, v in weekly.items())
    if not daily.empty:
        alt += (f" Daily figures from {format_day(daily.index[0].date(), True)} to "
                f"{format_day(daily.index[-1].date(), True)}.")
    return Chart(fig, caption, alt)


def _whole_weeks(weekly: pd.Series) -> pd.Series:
    """Weekly averages whose weeks do not overlap, counted back from the latest: a daily
    series gives an average for every day, each over a week that overlaps six others; the
    monitor states them a week apart, ending on its weekday."""
    kept, before = [], None
    for end in sorted(weekly.index, reverse=True):
        if before is None or end <= before - pd.Timedelta(days=7):
            kept.append(end)
            before = end
    return weekly.loc[sorted(kept)]


def _average_label(value: float) -> str:
    # As the COVID-19 paragraph writes it (indicators, words.thousands): one figure, one value.
    return f"{words.thousands(value, 0)}/day"


def archive_trend(table: pd.DataFrame) -> Chart | None:
    """Incidents and people killed in each built report (columns start, period_end,
    incidents, killed), for the archive page: one bar per report over the days it covers."""
    if table.empty:
        return None
    periods = [Period(dt.date.fromisoformat(str(s)), dt.date.fromisoformat(str(e)))
               for s, e in zip(table["start"], table["period_end"], strict=True)]
    incidents = [None if pd.isna(v) else float(v) for v in table["incidents"]]
    killed = [None if pd.isna(v) else float(v) for v in table["killed"]]
    high = max([v for v in incidents + killed if v] + [1.0])
    with style.context():
        fig = style.figure(height=190.0, layout="none")
        ax = _axes(fig, left=30, right=10, top=26, bottom=34)
        window = Period(min(p.start for p in periods), max(p.end for p in periods))
        ax.set_xlim(_counted_days(window)[0] - 0.5, _day(window.end) + 1.5)
        ax.set_ylim(0, high * 1.12)
        ax.set_yticks([t for t in _ticks_every(high) if t <= high * 1.12])
        inset = 0.35 if window.days < 120 else 0.0
        spans = [(a + inset, b - inset) for a, b in map(_counted_days, periods)]
        bars = [(span, n) for span, n in zip(spans, incidents, strict=True) if n]
        if bars:
            ax.bar([a for (a, _), _ in bars], [n for _, n in bars], width=[b - a for (a, b), _ in bars],
                   align="edge", color=style.ACCENT, zorder=2, edgecolor="white", linewidth=0.3)
        lines = [(span, k) for span, k in zip(spans, killed, strict=True) if k is not None]
        if lines:
            ax.hlines([k for _, k in lines], [a for (a, _), _ in lines], [b for (_, b), _ in lines],
                      colors=style.ALERT, linewidth=2.0, zorder=3)
        _date_ticks(ax, [p.end for p in periods], most=12)
        _legend(ax, [_bar_handle(style.ACCENT), _line_handle(style.ALERT)], ["Incidents", "Killed"],
                unit="Count in the report period")
    caption = ("Incidents and people killed in each report period: each bar is one report, drawn over the days "
               "it covers; the red line across it is the people killed. Where a source says “at least”, the "
               "minimum is drawn.")
    first, last = periods[0], periods[-1]
    alt = (f"Bar chart of incidents per report period with a line of people killed, from the period ending "
           f"{format_day(first.end, True)} to the one ending {format_day(last.end, True)}.")
    return Chart(fig, caption, alt)
