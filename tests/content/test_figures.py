"""The report's charts (reportlib.content.figures): what each draws from small inline frames,
killed never including militants, spans drawn as spans, the same bytes for the same rows,
and text kept as text in the shipped Noto Sans."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.patches import Rectangle

import reportlib
from reportlib.content import figures, indicators, style
from reportlib.inputs.periods import Period

from ..conftest import DATA, ROOT

D = dt.date.fromisoformat
COLUMNS = ["event_date", "end_date", "incident_type", "admin1", "location", "actor1", "target", "incidents",
           "fatalities", "fatalities_min", "wounded", "wounded_min", "casualty_group", "inferred"]


def frame(*rows, groups: bool = True) -> pd.DataFrame:
    """Incident rows typed as the loader types them: (event_date, end_date, type, admin1,
    incidents, killed, killed_min, wounded, casualty_group, inferred)."""
    records = [{"event_date": pd.Timestamp(start), "end_date": pd.Timestamp(end) if end else pd.NaT,
                "incident_type": kind, "admin1": admin1, "location": "", "actor1": "", "target": "",
                "incidents": n, "fatalities": killed, "fatalities_min": killed_min, "wounded": wounded,
                "wounded_min": False, "casualty_group": group, "inferred": inferred}
               for start, end, kind, admin1, n, killed, killed_min, wounded, group, inferred in rows]
    out = pd.DataFrame(records, columns=COLUMNS).astype(
        {"incidents": "Int64", "fatalities": "Int64", "wounded": "Int64", "event_date": "datetime64[s]",
         "end_date": "datetime64[s]"})
    return out if groups else out.drop(columns=["casualty_group", "inferred"])


# An IED that killed victims, an airstrike that killed militants, an attack placed by inference.
ROWS = frame(
    ("2020-11-24", "", "IED", "Baghdad", 2, 5, False, 7, "victims", ""),
    ("2020-11-25", "2020-11-30", "airstrike", "Erbil;Kirkuk", None, 20, True, None, "militants", "admin1"),
    ("2020-11-27", "", "militant attack", "Ninewa", 3, 4, True, None, "", "admin1"),
    ("2020-11-28", "", "protest violence", "Dhi Qar", 1, 7, False, 90, "victims", ""),
)


def bars(chart) -> list[tuple[str, float, float, float]]:
    """The chart's bars as (colour, x, width, height), hatched bars by their edge colour."""
    out = []
    for ax in chart.figure.axes:
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_width() and patch.get_height():
                colour = patch.get_edgecolor() if patch.get_hatch() else patch.get_facecolor()
                out.append((to_hex(colour), patch.get_x(), patch.get_width(), patch.get_height()))
    return out


def segments(chart) -> list[tuple[str, float, float, float]]:
    """The horizontal levels drawn with hlines, as (colour, x0, x1, y)."""
    out = []
    for ax in chart.figure.axes:
        for collection in ax.collections:
            if isinstance(collection, LineCollection):
                colour = to_hex(collection.get_colors()[0])
                for (x0, y0), (x1, y1) in collection.get_segments():
                    assert y0 == y1
                    out.append((colour, x0, x1, y0))
    return out


def texts(chart) -> list[str]:
    found = [t.get_text() for ax in chart.figure.axes for t in ax.texts]
    found += [t.get_text() for ax in chart.figure.axes for t in ax.get_yticklabels() + ax.get_xticklabels()]
    found += [t.get_text() for t in chart.figure.texts]
    for legend in chart.figure.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return found


# -- by type ---------------------------------------------------------------------------------------

def test_by_type_draws_killed_victims_and_militants_apart():
    chart = figures.by_type(ROWS)
    drawn = bars(chart)
    killed = [width for colour, _, width, _ in drawn if colour == style.ALERT]
    militants = [width for colour, _, width, _ in drawn if colour == to_hex(style.MILITANT)]
    # Killed means victims: the IED's 5, the attack's 4 (its group is empty: victims by
    # default) and the clash's 7; the airstrike's 20 militants are a series of their own.
    assert sorted(killed) == [4, 5, 7]
    assert militants == [20]
    labels = texts(chart)
    assert "Militants killed in operations" in labels and "Killed (victims of violence)" in labels
    kinds = ["IEDs", "Militant attacks", "Airstrikes", "Incidents of violence against protesters"]
    assert [t for t in labels if t in kinds] == kinds  # in the reference order
    assert "≥20" in labels and "≥4" in labels
    assert "militants killed in operations" in chart.caption and "never added" in chart.caption


@pytest.mark.parametrize("draw", [figures.by_type, figures.by_governorate])
def test_a_bar_charts_taller_print_copy_draws_the_same_marks_with_more_room_a_bar(draw):
    # The printer may take the copy in the chart's place (render.figureorder): the same bars,
    # words and type size, only the room a bar grows.
    chart = draw(ROWS)
    taller = replace(chart, figure=chart.taller)
    assert texts(taller) == texts(chart)
    assert [(c, x, w) for c, x, w, _ in bars(taller)] == [(c, x, w) for c, x, w, _ in bars(chart)]
    assert {t.get_fontsize() for ax in chart.taller.axes for t in ax.texts} == \
        {t.get_fontsize() for ax in chart.figure.axes for t in ax.texts}
    (height,), (tall,) = chart.figure.get_size_inches()[1:], chart.taller.get_size_inches()[1:]
    assert 1.15 < tall / height < figures.TALLER
    # Each drawing saved once, as the report saves it (matplotlib warns on a second save).
    svg, taller_svg = chart.svg(), chart.taller_svg()
    (low,), (high,) = (re.findall(r'<svg[^>]*?\sheight="([\d.]+)pt"', text) for text in (svg, taller_svg))
    assert float(high) / float(low) == pytest.approx(tall / height)


def test_by_type_without_the_casualty_group_column_counts_every_death_as_victims():
    chart = figures.by_type(ROWS.loc[ROWS["incident_type"] != "airstrike"].drop(columns=["casualty_group"]))
    assert sorted(w for c, _, w, _ in bars(chart) if c == style.ALERT) == [4, 5, 7]
    assert "Militants killed in operations" not in texts(chart)
    assert figures.by_type(ROWS.iloc[0:0]) is None


# -- by governorate --------------------------------------------------------------------------------

def test_governorate_counts_keep_shared_totals_whole_and_inference_apart():
    counts = figures.governorate_counts(ROWS)
    assert len(counts) == 18
    assert counts.loc["Baghdad", "alone"] == 2 and counts.loc["Baghdad", "alone_inferred"] == 0
    # Ninewa's three incidents were placed there by inference.
    assert counts.loc["Ninewa", "alone"] == 3 and counts.loc["Ninewa", "alone_inferred"] == 3
    # The airstrike total names Erbil and Kirkuk: counted once for each, never split.
    assert counts.loc["Erbil", ["alone", "shared", "shared_inferred"]].tolist() == [0, 1, 1]
    assert counts.loc["Kirkuk", "shared"] == 1


def test_by_governorate_hatches_inferred_incidents_and_names_shared_totals():
    chart = figures.by_governorate(ROWS)
    solid = [p.get_width() for ax in chart.figure.axes for p in ax.patches
             if isinstance(p, Rectangle) and not p.get_hatch() and p.get_width()]
    assert sorted(solid) == [1, 2]  # Dhi Qar, Baghdad: stated
    hatched = [p for ax in chart.figure.axes for p in ax.patches if p.get_hatch()]
    assert [p.get_width() for p in hatched if p.get_width()] == [3]  # Ninewa, by inference
    labels = texts(chart)
    assert "named in 1 shared total (by inference)" in labels
    assert "3 (3 by inference)" in labels
    assert "by inference" in chart.caption.lower()


# -- time axes ---------------------------------------------------------------------------------------

WINDOW = Period(D("2020-10-01"), D("2020-12-03"))
ISSUES = [Period(D("2020-10-08"), D("2020-10-15")), Period(D("2020-11-19"), D("2020-12-03"))]
TREND_ROWS = pd.concat([frame(
    ("2020-10-10", "", "IED", "Baghdad", 2, 3, False, 1, "victims", ""),
    ("2020-10-28", "", "IED", "Basra", 9, 9, False, 9, "victims", ""),  # in no issue
), ROWS], ignore_index=True)


def test_issue_trend_draws_one_bar_per_issue_over_its_days():
    chart = figures.issue_trend(TREND_ROWS, ISSUES, WINDOW, current=ISSUES[1])
    drawn = [b for b in bars(chart) if b[0] == style.ACCENT]
    assert len(drawn) == 2  # two issues; no bar for the weeks between them
    (_, x0, w0, h0), (_, _, w1, h1) = sorted(drawn, key=lambda b: b[1])
    # Each bar covers the days its issue counts (the day after its first to its last),
    # less a small gap at each end: the fortnight is twice as wide, not a weekly figure.
    assert round(w0 + 0.7) == 7 and round(w1 + 0.7) == 14
    assert x0 == pytest.approx(figures._day(D("2020-10-09")) + 0.35)
    assert (h0, h1) == (2, 6)  # the airstrike gives no incident count
    killed = sorted(y for colour, _, _, y in segments(chart) if colour == style.ALERT)
    # Victims only: the fortnight's 5 + 4 + 7, not the airstrike's 20 militants.
    assert killed == [3, 16]
    assert "no issue in the data" in texts(chart)
    assert "1 row of the data in these weeks belongs to no issue drawn here and is not drawn." in chart.caption
    assert "per week" not in " ".join(texts(chart)).lower()
    assert "not a weekly rate" in chart.caption


def test_covid_weekly_averages_are_levels_over_their_week_never_joined():
    period = Period(D("2020-11-19"), D("2020-12-03"))
    weekly = pd.Series([2488.0, 2013.0], index=pd.to_datetime(["2020-11-19", "2020-12-03"]))
    chart = figures.covid_cases(pd.Series(dtype="float64"), weekly, period)
    levels = segments(chart)
    assert [(x1 - x0, y) for _, x0, x1, y in levels] == [(7, 2488), (7, 2013)]
    assert levels[0][2] == figures._day(D("2020-11-19")) + 1  # ends with the day it is dated
    # No line joins the two weeks.
    assert not [line for ax in chart.figure.axes for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert "2,488/day" in texts(chart) and "not joined" in chart.caption


def test_covid_daily_series_is_drawn_a_bar_a_day_and_its_averages_a_week_apart():
    days = pd.date_range("2020-11-05", "2020-12-03", freq="D")
    totals = pd.DataFrame({"date": days, "indicator": "covid_cases_total", "admin1": "",
                           "value": [500_000.0 + 2000 * i for i in range(len(days))], "source": "MoH"})
    daily, weekly = indicators.daily_new_cases(totals), indicators.weekly_averages(totals, "round")
    assert len(weekly) == len(days) - 7  # an average for every day, each over a week overlapping six others
    chart = figures.covid_cases(daily, weekly, Period(D("2020-11-19"), D("2020-12-03")))
    assert len([b for b in bars(chart) if b[0] == to_hex(style.PALE)]) == len(days) - 1
    levels = sorted((x0, x1) for colour, x0, x1, _ in segments(chart) if colour == style.ACCENT)
    # Drawn a week apart, ending on the period's last day: no two weeks overlap.
    assert levels[-1][1] == figures._day(D("2020-12-03")) + 1
    assert all(b[0] >= a[1] for a, b in itertools.pairwise(levels))
    assert len(levels) == 4 and "2,000/day" in texts(chart)  # weeks ending Nov 12, 19, 26, Dec 3
    assert figures.covid_cases(pd.Series(dtype="float64"), pd.Series(dtype="float64"),
                               Period(D("2020-11-19"), D("2020-12-03"))) is None


def test_covid_chart_over_the_whole_supported_range_has_a_few_date_ticks():
    # A span of three centuries once ran out of tick steps (StopIteration, reported as a bug).
    weekly = pd.Series([2488.0, 2013.0], index=pd.to_datetime(["2020-11-19", "2020-12-03"]))
    chart = figures.covid_cases(pd.Series(dtype="float64"), weekly, Period(D("1900-01-01"), D("2199-12-31")))
    ticks = chart.figure.axes[0].get_xticks()
    assert 2 <= len(ticks) <= 10


def test_archive_trend_draws_each_report_over_its_days():
    table = pd.DataFrame({"start": ["2020-12-10", "2020-12-17"], "period_end": ["2020-12-17", "2020-12-31"],
                          "incidents": [4.0, 6.0], "killed": [2.0, float("nan")]})
    chart = figures.archive_trend(table)
    assert sorted(round(w + 0.7) for c, _, w, _ in bars(chart) if c == style.ACCENT) == [7, 14]
    assert [y for c, *_, y in segments(chart) if c == style.ALERT] == [2]
    assert {"Dec 17\n2020", "Dec 31"} <= set(texts(chart))


# -- the SVG -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed():
    data = reportlib.load(DATA)
    return data.select(data.latest_period())


def every_chart(view) -> dict[str, str]:
    from reportlib.content import maps

    window = Period(view.period.window_start(view.trend_weeks), view.period.end)
    return {
        "by_type": figures.by_type(view.incidents).svg(),
        "by_governorate": figures.by_governorate(view.incidents).svg(),
        "map": maps.governorate_map(view.incidents).svg(),
        "trend": figures.issue_trend(view.trend_incidents, [view.period], window, current=view.period).svg(),
        "covid": figures.covid_cases(indicators.daily_new_cases(view.indicators),
                                     indicators.weekly_averages(view.indicators, view.monitor.rounding),
                                     view.period).svg(),
    }


def test_same_rows_same_bytes_text_as_text_fixed_size(seed):
    first, second = every_chart(seed), every_chart(seed)
    assert first == second
    for name, svg in first.items():
        assert svg.startswith("<?xml"), name
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg, name
        assert re.search(r'<svg [^>]*width="[0-9.]+pt" height="[0-9.]+pt"', svg), name
        # Labels are <text> in Noto Sans (DejaVu Sans only for ≥ and −), never glyph outlines.
        assert "<text" in svg and not re.search(r'id="(DejaVuSans|NotoSans)', svg), name
        families = set(re.findall(r"font-family: ([^;\"]+)", svg))
        assert families == {"'Noto Sans', 'DejaVu Sans', sans-serif"}, (name, families)
    assert 'width="460.8pt"' in first["by_type"] and 'width="360pt"' in first["map"]
    assert ">Militant attacks</text>" in first["by_type"]


def test_same_bytes_in_another_process(seed):
    """No id or salt drawn at random: a fresh interpreter writes the very same SVG."""
    code = ("import hashlib, reportlib; from reportlib.content import figures; "
            f"d = reportlib.load({str(DATA)!r}); v = d.select(d.latest_period()); "
            "print(hashlib.sha256(figures.by_type(v.incidents).svg().encode()).hexdigest())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == hashlib.sha256(figures.by_type(seed.incidents).svg().encode()).hexdigest()


def test_the_shipped_noto_sans_measures_the_text():
    style.register_fonts()
    assert findfont(FontProperties(family="Noto Sans")).endswith("reportlib/fonts/NotoSans-Regular.ttf")
    assert findfont(FontProperties(family="Noto Sans", weight="bold")).endswith("NotoSans-Bold.ttf")


def test_a_notebooks_rcparams_do_not_change_the_report_charts(seed):
    import matplotlib

    before = figures.by_type(seed.incidents).svg()
    with matplotlib.rc_context({"font.size": 20, "axes.prop_cycle": matplotlib.cycler(color=["#00ff00"]),
                                "font.family": "serif", "svg.fonttype": "path"}):
        assert figures.by_type(seed.incidents).svg() == before


def test_an_analysts_figure_saves_in_the_house_svg():
    import matplotlib

    with matplotlib.rc_context():
        style.use()
        fig = style.figure(height=180)
        ax = fig.add_subplot()
        ax.bar(["Baghdad", "Basra"], [4, 1])
        ax.set_title("Incidents by governorate")
        svg = style.to_svg(fig)
        assert svg == style.to_svg(fig)
    assert 'width="460.8pt" height="180pt"' in svg
    assert ">Incidents by governorate</text>" in svg and "'Noto Sans'" in svg


def test_warm_draws_without_error():
    figures.warm()
