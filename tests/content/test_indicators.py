"""Weekly averages, changes and the COVID-19 paragraph on small inline tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportlib.content import indicators as stats
from reportlib.inputs.periods import Period


def indicators(*rows: tuple[str, str, float], source: str = "Ministry") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "indicator", "value"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["admin1"] = ""
    frame["source"] = source
    return frame


def daily_totals(start: str, values: list[int]) -> list[tuple[str, str, float]]:
    first = dt.date.fromisoformat(start)
    return [((first + dt.timedelta(days=i)).isoformat(), "covid_cases_total", v)
            for i, v in enumerate(values)]


def test_weekly_average_from_a_daily_cumulative_series():
    frame = indicators(*daily_totals("2020-11-26", [1000, 1100, 1250, 1400, 1500, 1650, 1800, 1700 + 700]))
    reading = stats.weekly_average(frame, dt.date(2020, 12, 3))
    assert reading.value == pytest.approx((2400 - 1000) / 7)


def test_weekly_average_falls_back_to_the_published_figure():
    frame = indicators(("2020-12-03", "covid_new_cases_7d_avg", 2013),
                       ("2020-12-03", "covid_cases_total", 558767))
    assert stats.weekly_average(frame, dt.date(2020, 12, 3)).value == 2013
    assert stats.weekly_average(frame, dt.date(2020, 11, 26)) is None


def test_daily_new_cases_from_consecutive_totals_only():
    frame = indicators(("2020-12-01", "covid_cases_total", 100), ("2020-12-02", "covid_cases_total", 130),
                       ("2020-12-05", "covid_cases_total", 200))
    daily = stats.daily_new_cases(frame)
    assert daily.to_dict() == {pd.Timestamp("2020-12-02"): 30.0}


def test_changes_against_the_value_at_the_period_start():
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    frame = indicators(("2020-11-19", "covid_hospitalised", 60000), ("2020-12-03", "covid_hospitalised", 58543),
                       ("2020-12-03", "idp_camps_closed", 15))
    changes = {c.indicator: c for c in stats.period_changes(frame, period)}
    assert changes["covid_hospitalised"].delta == -1457
    assert changes["covid_hospitalised"].percent == pytest.approx(-2.428, abs=1e-3)
    assert changes["idp_camps_closed"].previous is None and changes["idp_camps_closed"].delta is None


@pytest.mark.parametrize("before, now, expected", [
    (60000, 58543, "the number of patients currently in hospitals decreased to 58,543"),
    (50000, 58543, "the number of patients currently in hospitals increased to 58,543"),
    (58543, 58543, "the number of patients currently in hospitals remained at 58,543"),
    (None, 58543, "the number of patients currently in hospitals stood at 58,543"),
])
def test_stock_indicators_say_which_way_they_moved(before, now, expected):
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    rows = [("2020-12-03", "covid_hospitalised", now), ("2020-12-03", "covid_cases_total", 1)]
    if before is not None:
        rows.append(("2020-11-19", "covid_hospitalised", before))
    paragraph = stats.covid_paragraph(indicators(*rows), period, "Iraq")
    assert expected in paragraph.lower()


def test_weekly_average_sentence_without_a_previous_week():
    period = Period(dt.date(2020, 11, 26), dt.date(2020, 12, 3))
    frame = indicators(("2020-12-03", "covid_new_cases_7d_avg", 2013))
    assert stats.covid_paragraph(frame, period, "Iraq") == "The daily average for new cases was 2,013/day this week."


def test_no_figures_no_paragraph():
    period = Period(dt.date(2020, 11, 26), dt.date(2020, 12, 3))
    assert stats.covid_paragraph(indicators(), period, "Iraq") == ""
