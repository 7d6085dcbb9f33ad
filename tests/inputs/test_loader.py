"""The loader on the real curated data: what the seed issue says must be in the tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import reportlib
from reportlib.inputs import reference
from reportlib.inputs.periods import Period

from ..conftest import DATA, GOOD


@pytest.fixture(scope="module")
def data():
    return reportlib.load(DATA)


def test_shipped_data_declares_the_seed_period(data):
    assert data.periods() == [Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))]
    assert data.latest_period().label == "2020-12-03"


def test_every_section_has_its_headline(data):
    issue = data.issue(data.latest_period())
    assert set(issue.headlines) == {"politics", "armed_groups", "security", "humanitarian"}
    assert issue.headlines["politics"].startswith("PM Urges Lawmakers To Fund Election")
    assert "COVID-19 Deaths Pass 12,000" in issue.headlines["humanitarian"]


def test_events_are_records_with_dates_in_order(data):
    issue = data.issue(data.latest_period())
    politics = issue.section_events("politics")
    assert [e.date for e in politics] == [dt.date(2020, 11, d) for d in (21, 22, 26, 27, 28)]
    assert politics[0].text.startswith("the Cabinet asked for IQD60 billion")
    armed = issue.section_events("armed_groups")
    assert armed[-1].date is None and armed[-1].text.startswith("Recently, the Washington Post")


def test_incident_totals_keep_their_spans_and_minimums(data):
    ied = data.incidents.loc[data.incidents["incident_type"] == "IED"].iloc[0]
    assert (ied["event_date"], ied["end_date"]) == (pd.Timestamp("2020-11-21"), pd.Timestamp("2020-12-03"))
    assert (ied["incidents"], ied["fatalities"], ied["wounded"]) == (10, 5, 20)
    assert ied["fatalities_min"] and not ied["wounded_min"]
    assert ied["admin1"] == "Ninewa;Salah ad-Din;Diyala;Kirkuk"


def test_spellings_land_on_one_governorate(data):
    # The source names Qadisiyah by its capital; the loader maps it.
    attempts = data.incidents.loc[data.incidents["incident_type"] == "assassination attempt"]
    assert attempts.iloc[0]["admin1"] == "Qadisiyah;Baghdad;Maysan"
    for spelling in ("Ninawa", "Nineveh", "Ninewa", "NINEVEH governorate", "نينوى", "IQG15"):
        assert reference.governorate_name(spelling) == "Ninewa"
    assert reference.governorate_name("Salah al-Din") == "Salah ad-Din"
    assert reference.governorate_name("Atlantis") is None
    assert len(reference.governorates()) == 18


def test_seed_covid_and_humanitarian_figures(data):
    values = {(r.indicator, r.date.date().isoformat()): r.value for r in data.indicators.itertuples()}
    assert values[("covid_cases_total", "2020-12-03")] == 558_767
    assert values[("covid_deaths_total", "2020-12-03")] == 12_361
    assert values[("covid_hospitalised", "2020-12-03")] == 58_543
    assert values[("covid_recovered_total", "2020-12-03")] == 439_228
    assert values[("covid_tests_total", "2020-12-03")] == 3_576_592
    assert values[("covid_new_cases_7d_avg", "2020-11-19")] == 2488
    assert values[("covid_new_cases_7d_avg", "2020-12-03")] == 2013
    assert values[("idp_camps_closed", "2020-12-03")] == 15
    assert values[("idp_families_returned", "2020-12-03")] == 5180


def test_every_row_names_a_source(data):
    for table in (data.incidents, data.indicators):
        assert (table["source"] != "").all()
        assert table["reference"].isin(set(data.sources["reference"])).all()


def test_select_reads_the_period_and_its_trend_window():
    data = reportlib.load(GOOD)
    view = data.select(data.latest_period())
    assert sorted(view.incidents["event_id_cnty"]) == ["T-1", "T-2", "T-3"]
    # trend_weeks: 2 in the test monitor: indicators back to 2020-11-05 are read.
    assert view.indicators["date"].min() == pd.Timestamp("2020-11-19")
    assert view.trend_weeks == 2


def test_boundary_day_belongs_to_the_earlier_period():
    data = reportlib.load(GOOD)
    day = dt.date(2020, 11, 19)
    assert Period(dt.date(2020, 11, 12), day).counts(day)
    assert not Period(day, dt.date(2020, 12, 3)).counts(day)
    one_day = data.select(Period(dt.date(2020, 11, 27), dt.date(2020, 11, 27)))
    assert one_day.incidents["event_id_cnty"].tolist() == ["T-1"]
