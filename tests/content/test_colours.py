"""Every series of the report's charts and every class of its map reads without colour
vision and in greyscale: 3:1 against white, and told from its neighbours by 3:1 of
lightness, a pattern or a label (WCAG 2.x 1.4.11, relative luminance). Computed from the
colours the drawn figures actually use."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from matplotlib.colors import to_rgb

from reportlib.content import figures, maps, style
from reportlib.inputs.periods import Period


def luminance(colour) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def incidents(**columns) -> pd.DataFrame:
    rows = {"event_date": [pd.Timestamp("2020-11-26")] * 3, "end_date": [pd.NaT] * 3,
            "incident_type": ["IED", "IED", "militant attack"], "admin1": ["Baghdad", "Kirkuk", "Ninewa"],
            "location": [""] * 3, "actor1": [""] * 3, "target": [""] * 3, "incidents": [3.0, 2.0, 4.0],
            "fatalities": [10.0, 3.0, 5.0], "fatalities_min": [False] * 3, "wounded": [4.0, 1.0, 9.0],
            "wounded_min": [False] * 3, "casualty_group": ["victims", "militants", "unattributed"]}
    rows.update(columns)
    return pd.DataFrame(rows)


def series_of(chart) -> list[tuple[str, str | None, str]]:
    """(fill, hatch, pattern colour) of each series drawn as bars, in drawing order."""
    found = []
    for container in chart.figure.axes[0].containers:
        patch = container.patches[0]
        fill = patch.get_facecolor()
        found.append((fill, patch.get_hatch(), patch.get_hatchcolor() if patch.get_hatch() else fill))
    return found


def test_every_series_of_figure_1_is_3_to_1_on_white_and_told_apart_by_more_than_hue():
    drawn = series_of(figures.by_type(incidents()))
    assert len(drawn) == 5
    for fill, hatch, pattern in drawn:
        # What carries the series: its fill, or on a white bar its pattern.
        ink = pattern if contrast(fill, "white") < 1.5 else fill
        assert contrast(ink, "white") >= 3, (fill, hatch)
    for (fill_a, hatch_a, _), (fill_b, hatch_b, _) in itertools.combinations(drawn, 2):
        assert hatch_a != hatch_b or contrast(fill_a, fill_b) >= 3, (fill_a, hatch_a, fill_b, hatch_b)
    # Incidents and killed, side by side in every group: solid against striped.
    assert drawn[0][1] in (None, "") and drawn[1][1] == "////"


def test_the_wounded_line_and_the_period_band_read_without_colour():
    assert contrast(style.AMBER, "white") >= 3
    assert contrast(style.ALERT, "white") >= 3 and contrast(style.ACCENT, "white") >= 3
    # The band is too pale to be told by its shade: it is named inside the chart.
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    window = Period(dt.date(2020, 11, 5), dt.date(2020, 12, 3))
    chart = figures.issue_trend(incidents(), [period], window, wounded=True, current=period)
    texts = [t.get_text() for t in chart.figure.axes[0].texts]
    assert "this period" in texts
    # The wounded line is told from the killed one by its dashes, not by amber against red.
    from matplotlib.colors import to_hex

    styles = {to_hex(c.get_color()[0]): c.get_linestyle()[0] for c in chart.figure.axes[0].collections
              if hasattr(c, "get_linestyle") and len(c.get_color())}
    assert styles[style.AMBER][1] is not None and styles[style.ALERT][1] is None


def test_every_shaded_governorate_carries_its_count():
    # Neighbouring shades of the ramp differ by less than 3:1: the map writes each count.
    chart = maps.governorate_map(incidents(admin1=["Baghdad", "Kirkuk", "Ninewa"]))
    texts = [t.get_text() for t in chart.figure.axes[0].texts]
    for name, count in (("Baghdad", 3), ("Kirkuk", 2), ("Ninewa", 4)):
        assert any(text.startswith(name) and f"\n{count}" in text for text in texts), (name, texts)
