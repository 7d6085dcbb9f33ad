"""Weekly averages, changes and the COVID-19 paragraph on small inline tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from reportlib.content import indicators as stats
from reportlib.inputs.periods import Period

RULE = "round"


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
    reading = stats.weekly_average(frame, dt.date(2020, 12, 3), RULE)
    assert reading.value == 200 and reading.computed


def test_weekly_average_falls_back_to_the_published_figure():
    frame = indicators(("2020-12-03", "covid_new_cases_7d_avg", 2013),
                       ("2020-12-03", "covid_cases_total", 558767))
    assert stats.weekly_average(frame, dt.date(2020, 12, 3), RULE).value == 2013
    assert stats.weekly_average(frame, dt.date(2020, 11, 26), RULE) is None


def test_daily_new_cases_from_consecutive_totals_only():
    frame = indicators(("2020-12-01", "covid_cases_total", 100), ("2020-12-02", "covid_cases_total", 130),
                       ("2020-12-05", "covid_cases_total", 200))
    daily = stats.daily_new_cases(frame)
    assert daily.to_dict() == {pd.Timestamp("2020-12-02"): 30.0}


def test_changes_against_the_value_at_the_period_start():
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    frame = indicators(("2020-11-19", "covid_hospitalised", 60000), ("2020-12-03", "covid_hospitalised", 58543),
                       ("2020-12-03", "idp_camps_closed", 15))
    changes = {c.indicator: c for c in stats.period_changes(frame, period, RULE)}
    assert changes["covid_hospitalised"].delta == -1457
    assert changes["covid_hospitalised"].percent == -2.4  # -2.428, published to one decimal
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
    paragraph = stats.covid_paragraph(indicators(*rows), period, "Iraq", RULE)
    assert expected in paragraph.lower()


def test_weekly_average_sentence_without_a_previous_week():
    period = Period(dt.date(2020, 11, 26), dt.date(2020, 12, 3))
    frame = indicators(("2020-12-03", "covid_new_cases_7d_avg", 2013))
    assert stats.covid_paragraph(frame, period, "Iraq", RULE) == (
        "The daily average for new cases was 2,013/day this week.")


def test_no_figures_no_paragraph():
    period = Period(dt.date(2020, 11, 26), dt.date(2020, 12, 3))
    assert stats.covid_paragraph(indicators(), period, "Iraq", RULE) == ""


# A week of daily totals whose 7-day change is 17,420: a mean of 2,488.57 new cases a day.
WEEK = daily_totals("2020-11-12", [100_000, 102_000, 104_000, 106_000, 108_000, 110_000, 112_000, 117_420])


@pytest.mark.parametrize("rule, expected", [("truncate", 2488), ("round", 2489)])
def test_a_computed_average_is_published_by_the_monitor_s_rule(rule, expected):
    frame = indicators(*WEEK)
    assert stats.weekly_average(frame, dt.date(2020, 11, 19), rule).value == expected
    assert stats.weekly_averages(frame, rule).to_dict() == {pd.Timestamp("2020-11-19"): expected}
    period = Period(dt.date(2020, 11, 12), dt.date(2020, 11, 19))
    assert f"was {expected:,}/day this week" in stats.covid_paragraph(frame, period, "Iraq", rule)
    assert stats.figure(stats.weekly_average(frame, dt.date(2020, 11, 19), rule).value,
                        "covid_new_cases_7d_avg") == f"{expected:,}/day"


def test_a_published_average_wins_over_the_computed_one_and_the_difference_is_named():
    frame = indicators(*WEEK, ("2020-11-19", "covid_new_cases_7d_avg", 2013))
    reading = stats.weekly_average(frame, dt.date(2020, 11, 19), "truncate")
    assert reading.value == 2013 and not reading.computed
    [(published, computed)] = stats.disagreements(frame, "truncate")
    assert (published.value, computed.value) == (2013, 2488)
    assert stats.disagreements(indicators(*WEEK, ("2020-11-19", "covid_new_cases_7d_avg", 2488)), "truncate") == []
    # Rounded half up, the computed figure is 2,489: the published 2,488 is then a disagreement.
    assert stats.disagreements(indicators(*WEEK, ("2020-11-19", "covid_new_cases_7d_avg", 2488)), "round")


def test_an_imported_fractional_average_follows_the_rule_too():
    frame = indicators(("2020-11-19", "covid_new_cases_7d_avg", 2300.57))
    assert stats.weekly_average(frame, dt.date(2020, 11, 19), "truncate").value == 2300
    assert stats.weekly_average(frame, dt.date(2020, 11, 19), "round").value == 2301


def test_cited_figures_are_not_stated_again():
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    frame = indicators(("2020-12-03", "covid_cases_total", 558767), ("2020-12-03", "covid_deaths_total", 12361))
    said = stats.covid_statements(frame, period, "Iraq", RULE, {("covid_cases_total", dt.date(2020, 12, 3))})
    assert [s.text for s in said] == ["Deaths from confirmed cases of COVID-19 reached 12,361."]
    assert stats.covid_statements(frame, period, "Iraq", RULE, {("covid_cases_total", dt.date(2020, 12, 3)),
                                                               ("covid_deaths_total", dt.date(2020, 12, 3))}) == []


def test_percent_changes_follow_the_rule():
    period = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
    frame = indicators(("2020-11-19", "covid_new_cases_7d_avg", 2488), ("2020-12-03", "covid_new_cases_7d_avg", 2013))
    [truncated] = stats.period_changes(frame, period, "truncate")
    [rounded] = stats.period_changes(frame, period, "round")
    assert (truncated.delta, truncated.percent, rounded.percent) == (-475, -19.0, -19.1)
