"""Charts: one house style, the same bytes for the same data, honest about shared totals."""

from __future__ import annotations

import re

import pytest

import reportlib
from reportlib import figures, stats

from .conftest import DATA


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
        "covid": figures.covid_cases(stats.daily_new_cases(view.indicators),
                                     stats.weekly_averages(view.indicators), view.period),
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
