"""Each indicator row counts in one issue, the one whose source reports it: a boundary-day
reading (or a revised figure of that day) that the later issue reports reaches the later
issue only, and the shipped issue's figures, sentences and export stay as published; a row no
issue reports (an OWID import) falls back to the date rule; `validate` refuses what would make
the owner unclear, naming file, line and column."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reportlib.batch import guard
from reportlib.content import hxl, indicators
from reportlib.content.sentences import key_figure_records
from reportlib.inputs import dataset, fingerprint
from reportlib.inputs.periods import Period

from ..conftest import assert_no_traceback, run_cli
from . import weeks

SHIPPED = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
WEEK2 = Period(dt.date(2020, 12, 3), dt.date(2020, 12, 10))


def published(view) -> dict:
    """What a reader of the issue sees of its indicators: key figures, sentences, table, export."""
    rule = view.monitor.rounding
    return {
        "key_figures": [f.as_dict() for f in key_figure_records(view)],
        "sentences": indicators.covid_paragraph(view.indicators, view.period, view.monitor.country, rule),
        "table": [(c.indicator, c.current.value, c.current.reference, c.previous and c.previous.value)
                  for c in indicators.period_changes(view.indicators, view.period, rule)],
        "export": hxl.indicators_csv(guard.period_indicators(view), view.monitor.country),
    }


def changes(view) -> dict[str, indicators.Change]:
    return {c.indicator: c for c in indicators.period_changes(view.indicators, view.period, view.monitor.rounding)}


def test_a_boundary_day_reading_of_the_next_issue_counts_there_only(data_copy):
    first = dataset.load(data_copy)
    before = published(first.select(SHIPPED))
    before_key = fingerprint.data_inputs(first, first.select(SHIPPED))["rows"]["indicators"]
    assert b"558767" in before["export"]
    weeks.fill_week2(data_copy)
    weeks.write_readings(data_copy / "indicators" / f"{weeks.WEEK2}.csv", weeks.WEEK2_READINGS)
    data = dataset.load(data_copy)
    shipped, week2 = data.select(SHIPPED), data.select(WEEK2)

    # The published issue reads none of the later issue's rows: not its revision of 3 December,
    # not its new-cases figure of that day (which no row of the shipped issue has).
    assert published(shipped) == before
    # The rows of its build key too (the key moves only with the new neighbour's name).
    assert fingerprint.data_inputs(data, shipped)["rows"]["indicators"] == before_key
    assert not set(shipped.indicators["reference"]) & {weeks.WEEK2_REF}

    now = changes(week2)
    cases = now["covid_cases_total"]
    # Its own figures, and before them its own source's figure of its first day (the revision).
    assert (cases.current.value, cases.current.reference) == (573000, weeks.WEEK2_REF)
    assert (cases.previous.value, cases.previous.date, cases.previous.reference) == (
        558900, dt.date(2020, 12, 3), weeks.WEEK2_REF)
    # Where it gives no figure of its first day, "before" is the shipped issue's.
    deaths = now["covid_deaths_total"]
    assert (deaths.current.value, deaths.previous.value, deaths.previous.reference) == (12500, 12361, "ishm-2020-12-03")
    # The week's average is computed from the issue's own two counts: (573,000 - 558,900) / 7.
    assert (now[indicators.AVERAGE].current.value, now[indicators.AVERAGE].current.computed) == (2014, True)
    figures = {f.name: f.value for f in key_figure_records(week2)}
    assert figures["covid_cases_total"] == 573000 and figures[indicators.AVERAGE] == 2014
    text = indicators.covid_paragraph(week2.indicators, WEEK2, week2.monitor.country, week2.monitor.rounding)
    # The average of the week before is the shipped issue's published figure.
    assert text == ("On December 10, Synthetic reported that the number of confirmed COVID-19 cases increased to "
                    "573,000. Deaths from confirmed cases of COVID-19 reached 12,500. The daily average for new cases "
                    "increased from 2,013/day during the week ending Dec 3 to 2,014/day this week."), text

    # The later issue's export carries its own rows of the boundary day, once each.
    rows = guard.period_indicators(week2)
    boundary = rows.loc[rows["date"] == pd.Timestamp("2020-12-03")]
    assert dict(zip(boundary["indicator"], boundary["reference"], strict=True))["covid_cases_total"] == weeks.WEEK2_REF
    assert boundary["indicator"].is_unique
    assert "covid_new_cases" in set(boundary["indicator"])
    # The chart of the later issue draws its daily figure; the shipped issue's draws none of it.
    assert indicators.daily_new_cases(week2.indicators).get(pd.Timestamp("2020-12-03")) == 2100
    assert pd.Timestamp("2020-12-03") not in indicators.daily_new_cases(shipped.indicators).index


def test_a_row_no_issue_reports_falls_back_to_its_date(data_copy):
    weeks.fill_week2(data_copy)
    weeks.add_sources(data_copy, "synthetic-owid")
    owid = [weeks.reading("covid_new_cases", day, value, "synthetic-owid", source="Synthetic OWID")
            for day, value in (("2020-11-19", "2400"), ("2020-12-03", "1900"), ("2020-12-05", "2000"))]
    weeks.write_readings(data_copy / "indicators" / "owid-iraq.csv", owid)
    # The later issue's own figure of the boundary day, beside the import's.
    weeks.write_readings(data_copy / "indicators" / f"{weeks.WEEK2}.csv", [weeks.NEW_CASES])
    data = dataset.load(data_copy)
    frame = data.indicators.assign(counted_on=data.row_owners.indicator_counted_on(data.indicators))
    days = {(r.reference, r.date.date().isoformat()): r.counted_on.date().isoformat()
            for r in frame.loc[frame["indicator"] == "covid_new_cases"].itertuples()}
    # The boundary day counts in the earlier of the two issues that share it; the first day of
    # the first issue, which no issue before it shares, in that issue; the later issue's own
    # row of the boundary day in the later issue (the day after its first).
    assert days == {("synthetic-owid", "2020-11-19"): "2020-11-20", ("synthetic-owid", "2020-12-03"): "2020-12-03",
                    ("synthetic-owid", "2020-12-05"): "2020-12-05", (weeks.WEEK2_REF, "2020-12-03"): "2020-12-04"}
    shipped, week2 = data.select(SHIPPED), data.select(WEEK2)
    assert indicators.daily_new_cases(shipped.indicators).get(pd.Timestamp("2020-12-03")) == 1900
    assert indicators.daily_new_cases(week2.indicators).get(pd.Timestamp("2020-12-03")) == 2100
    assert changes(shipped)["covid_new_cases"].current.value == 1900
    assert changes(week2)["covid_new_cases"].current.value == 2000


def test_validate_refuses_an_unclear_owner(data_copy):
    weeks.fill_week2(data_copy)
    weeks.add_sources(data_copy, "synthetic-owid", "synthetic-other")
    sheet = data_copy / "indicators" / f"{weeks.WEEK2}.csv"
    weeks.write_readings(sheet, [
        weeks.reading("covid_tests_total", "2020-12-01", "3600000"),  # line 2: its document is the later issue's
        weeks.NEW_CASES, weeks.NEW_CASES])  # lines 3 and 4: the same row twice
    weeks.write_readings(data_copy / "indicators" / "owid-iraq.csv", [  # two imports of one figure
        weeks.reading("covid_new_cases", "2020-12-05", "2000", "synthetic-owid"),
        weeks.reading("covid_new_cases", "2020-12-05", "2050", "synthetic-other")])
    result = run_cli("validate", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert ("data/indicators/2020-12-10.csv:4: column indicator,date,admin1,reference: value 'covid_new_cases, "
            "2020-12-03, synthetic-2020-12-10': duplicate row for (indicator, date, admin1, reference); already on "
            "line 3") in result.stderr, result.stderr
    # The first two are judged once the sheets load: fixed the duplicate, validate names them.
    sheet.write_text("\n".join(sheet.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    result = run_cli("validate", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert ("data/indicators/2020-12-10.csv:2: column date: value '2020-12-01': the row's document "
            "(synthetic-2020-12-10) is the source of the issue of 2020-12-03 to 2020-12-10 "
            "(data/issues/2020-12-10.yaml), but the row is dated 2020-12-01, outside that period; correct its "
            "date, or give it the reference of the issue that reports it") in result.stderr, result.stderr
    assert ("data/indicators/owid-iraq.csv:3: column reference: value 'synthetic-other': covid_new_cases of "
            "2020-12-05 is already on line 2, and both rows count in the issue of 2020-12-03 to 2020-12-10 (by "
            "their references, or by their dates where no issue's document is theirs), so the issue would have "
            "two figures for it; keep one, or give a later issue's revision of the figure the reference of that "
            "issue") in result.stderr, result.stderr


def test_each_issue_s_event_is_checked_against_its_own_figure_of_the_day(data_copy):
    """The shipped issue states 558,767 cases on 3 December; the later issue's source revises it
    to 558,900. Each event that cites covid_cases_total@2020-12-03 is checked against the row of
    its own issue's document."""
    events = dict(weeks.WEEK2_EVENTS, humanitarian="""\
      - date: 2020-12-03
        indicators: [covid_cases_total@2020-12-03]
        text: >-
          the Ministry of Health revised the count of 3 December to 558,900 cases (synthetic).
""")
    weeks.fill_week2(data_copy, events)
    weeks.write_readings(data_copy / "indicators" / f"{weeks.WEEK2}.csv", weeks.WEEK2_READINGS)
    result = run_cli("validate", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "OK: 2 periods" in result.stdout
    issue = data_copy / "issues" / f"{weeks.WEEK2}.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("558,900", "558,767"), encoding="utf-8")
    result = run_cli("validate", "--data", data_copy)
    assert result.returncode == 2
    assert ("does not state covid_cases_total@2020-12-03 (data/indicators/2020-12-10.csv:2): 558,900"
            in result.stderr), result.stderr


def test_a_backfilled_issue_reads_its_own_figures_and_the_shipped_issue_keeps_its_own(data_copy):
    """The shipped issue's source gives the average of the week ending 19 November (2,488), as
    its figure before; a backfilled 12 - 19 November issue, entered later, gives its own (2,450),
    which counts in it and does not replace the shipped issue's. A figure of the backfilled
    issue that the shipped issue's source does not give (the count of cases on 19 November) is
    an earlier issue's row, which the shipped issue reads as its "before" (as it did by date
    alone); none of the shipped issue's own figures moves."""
    first = dataset.load(data_copy)
    before = published(first.select(SHIPPED))
    weeks.fill_backfill(data_copy)
    weeks.write_readings(data_copy / "indicators" / f"{weeks.BACKFILL}.csv", [
        weeks.reading(indicators.AVERAGE, weeks.BACKFILL, "2450", weeks.BACKFILL_REF),
        weeks.reading("covid_cases_total", weeks.BACKFILL, "531000", weeks.BACKFILL_REF)])
    data = dataset.load(data_copy)
    backfill = data.select(Period(dt.date(2020, 11, 12), dt.date(2020, 11, 19)))
    shipped = data.select(SHIPPED)
    assert published(shipped)["key_figures"] == before["key_figures"]
    assert changes(shipped)[indicators.AVERAGE].previous.value == 2488
    cases = changes(shipped)["covid_cases_total"]
    assert (cases.current.value, cases.previous.value, cases.previous.reference) == (558767, 531000,
                                                                                      weeks.BACKFILL_REF)
    own = changes(backfill)
    assert own[indicators.AVERAGE].current.value == 2450
    assert own["covid_cases_total"].current.value == 531000
    assert set(backfill.indicators["reference"]) == {weeks.BACKFILL_REF}


def test_a_later_revision_does_not_enter_the_check_of_an_earlier_published_average(data_copy):
    """The shipped issue published 2,013 new cases a day for the week ending 3 December; an
    imported count of 26 November makes the daily series agree with it, (558,767 - 544,676) / 7.
    The later issue's revised count of 3 December is not the series the shipped issue read."""
    weeks.add_sources(data_copy, "synthetic-owid")
    weeks.write_readings(data_copy / "indicators" / "owid-iraq.csv", [
        weeks.reading("covid_cases_total", "2020-11-26", "544676", "synthetic-owid")])
    weeks.fill_week2(data_copy)
    weeks.write_readings(data_copy / "indicators" / f"{weeks.WEEK2}.csv", [weeks.REVISED])
    data = dataset.load(data_copy)
    rule = data.monitor.rounding
    # Read by date alone, the revision would make the published figure look wrong.
    assert [c.value for _, c in indicators.disagreements(data.indicators, rule)] == [2032]
    assert indicators.disagreements(data.indicators, rule, data.indicator_counting_days) == []
    result = run_cli("validate", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "was published as" not in result.stdout + result.stderr
