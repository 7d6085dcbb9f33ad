"""Charts: one house style, the same bytes for the same data, honest about shared totals."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources

import pytest

import reportlib
from reportlib.content import figures, indicators, svgchart

from ..conftest import DATA


@pytest.fixture(scope="module")
def seed():
    data = reportlib.load(DATA)
    return data.select(data.latest_period())


def charts(view) -> dict[str, str]:
    return {
        "by_type": figures.by_type(view.incidents),
        "by_governorate": figures.by_governorate(view.incidents),
        "map": figures.governorate_map(view.incidents),
        "trend": figures.weekly_trend(view.trend_incidents, view.period, view.trend_weeks),
        "covid": figures.covid_cases(indicators.daily_new_cases(view.indicators),
                                     indicators.weekly_averages(view.indicators), view.period),
    }


def test_same_data_same_bytes(seed):
    first, second = charts(seed), charts(seed)
    assert first == second
    for svg in first.values():
        assert "<dc:date>" not in svg
        assert svg.startswith("<?xml")


def test_house_style_text_is_text_in_the_shipped_font(seed):
    svg = figures.by_type(seed.incidents)
    # Chart text stays text (selectable and searchable in the PDF), set in Noto Sans, which
    # the PDF embeds from the package; no other family is named.
    families = set(re.findall(r'font-family="\'([^\']+)\'', svg))
    assert families == {"Noto Sans"}, families
    assert "<text" in svg and "Militant attacks" in svg


def test_shared_totals_are_not_split_between_governorates(seed):
    counts = figures.governorate_counts(seed.incidents)
    # The IED total names Ninewa with three other governorates: none of its ten incidents
    # is attributed to Ninewa alone.
    assert counts.loc["Ninewa", "alone"] == 0
    assert counts.loc["Ninewa", "shared"] == 2
    assert counts.loc["Baghdad", "alone"] == 4
    assert counts.loc["Dhi Qar", "alone"] == 1
    assert len(counts) == 18


def test_empty_period_still_draws(seed):
    empty = seed.incidents.iloc[0:0]
    svg = figures.by_type(empty)
    assert "No incidents recorded in this period" in svg


def test_stored_font_widths_match_the_shipped_fonts():
    # Labels are placed by these widths: a font update without re-measuring would misplace them.
    fonts = resources.files("reportlib").joinpath("fonts")
    stored = json.loads(fonts.joinpath(svgchart.WIDTHS_FILE).read_text(encoding="utf-8"))
    measured = svgchart.measure_fonts(str(fonts.joinpath("NotoSans-Regular.ttf")),
                                      str(fonts.joinpath("NotoSans-Bold.ttf")))
    assert json.loads(json.dumps(measured)) == stored
    assert svgchart.text_width("Baghdad", 10) < svgchart.text_width("Baghdad", 10, bold=True)


@pytest.mark.parametrize(("high", "integer", "expected"), [
    (7, True, [0, 2, 4, 6, 8]),
    (90, True, [0, 20, 40, 60, 80, 100]),
    (3607.6, True, [0, 1000, 2000, 3000, 4000]),
    (0, True, [0, 1]),
    (1.3, True, [0, 1, 2]),
    (0.9, False, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
])
def test_ticks_are_round_numbers_covering_the_data(high, integer, expected):
    assert svgchart.nice_ticks(high, 5, integer) == expected


def test_charts_are_well_formed_svg_with_labels_as_text(seed):
    for name, svg in charts(seed).items():
        root = ET.fromstring(svg.split("?>", 1)[1])
        assert root.tag == "{http://www.w3.org/2000/svg}svg", name
        assert root.find("{http://www.w3.org/2000/svg}title").text, name
        assert root.findall(".//{http://www.w3.org/2000/svg}text"), name
    assert "Baghdad (4)" in charts(seed)["map"]
    assert "named in 1 shared total" in charts(seed)["by_governorate"]


def test_no_plotting_library_is_imported_to_draw():
    done = subprocess.run([sys.executable, "-c", "import sys, reportlib.reports.weekly, reportlib.publish.archive, "
                           "reportlib.engine.warm; print('matplotlib' in sys.modules)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
