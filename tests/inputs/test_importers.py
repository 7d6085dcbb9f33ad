"""`reportlib import acled` and `reportlib import owid` on files in the real layouts."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import reportlib
from reportlib.content import indicators

from ..conftest import ROOT, assert_no_traceback, run_cli

IMPORTS = ROOT / "tests" / "data" / "imports"
ACLED_NOW = IMPORTS / "acled_2025_layout.csv"
ACLED_OLD = IMPORTS / "acled_2020_layout.csv"
OWID = IMPORTS / "owid_2022_layout.csv"


def test_unmapped_acled_sub_event_types_are_errors_and_nothing_is_written(data_copy):
    sources_before = (data_copy / "sources.csv").read_bytes()
    result = run_cli("import", "acled", ACLED_NOW, "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert ("acled_2025_layout.csv:5: column sub_event_type: value 'Peaceful protest': no incident type"
            in result.stderr)
    assert not (data_copy / "incidents").exists()
    assert (data_copy / "sources.csv").read_bytes() == sources_before


def test_acled_import_maps_types_and_refuses_duplicates(data_copy):
    first = run_cli("import", "acled", ACLED_NOW, "--data", data_copy, "--type-map", "Peaceful protest=skip")
    assert first.returncode == 0, first.stderr
    assert "added 3 rows" in first.stdout
    assert "skipped 1 rows: events outside Iraq" in first.stdout
    assert "Peaceful protest" in first.stdout
    second = run_cli("import", "acled", ACLED_NOW, "--data", data_copy, "--type-map", "Peaceful protest=skip")
    assert second.returncode == 0, second.stderr
    assert "added 0 rows" in second.stdout
    assert "skipped 3 rows already in the data" in second.stdout

    data = reportlib.load(data_copy)
    imported = data.incidents.set_index("event_id_cnty").loc[["IRQ90001", "IRQ90002", "IRQ90003"]]
    assert imported["incident_type"].tolist() == ["IED", "militant attack", "rocket attack"]
    assert imported["admin1"].tolist() == ["Ninewa", "Salah ad-Din", "Baghdad"]
    assert imported["fatalities"].tolist() == [2, 1, 0]
    assert imported["wounded"].isna().all()  # ACLED has no wounded column
    assert "acled-acled_2025_layout" in set(data.sources["reference"])


def test_acled_export_from_before_2023(data_copy):
    result = run_cli("import", "acled", ACLED_OLD, "--data", data_copy)
    assert result.returncode == 0, result.stderr
    data = reportlib.load(data_copy)
    rows = data.incidents.set_index("event_id_cnty").loc[["IRQ80001", "IRQ80002"]]
    assert rows["event_date"].tolist() == [pd.Timestamp("2020-11-22"), pd.Timestamp("2020-11-25")]
    assert rows["admin1"].tolist() == ["Diyala", "Kirkuk"]


def test_acled_missing_column_is_named(data_copy, tmp_path):
    broken = tmp_path / "acled.csv"
    broken.write_text("event_id_cnty,event_date,sub_event_type,fatalities\nX1,2020-11-22,Attack,1\n")
    result = run_cli("import", "acled", broken, "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "acled.csv:1: column admin1: required column is missing" in result.stderr


def test_owid_import_adds_a_daily_series_once(data_copy):
    first = run_cli("import", "owid", OWID, "--country", "Iraq", "--data", data_copy)
    assert first.returncode == 0, first.stderr
    assert "added 70 values" in first.stdout
    # The curated figures of 3 December are kept; OWID's for that day are skipped.
    assert "skipped 3 values already in the data" in first.stdout
    second = run_cli("import", "owid", OWID, "--country", "IRQ", "--data", data_copy)
    assert "added 0 values" in second.stdout
    assert second.returncode == 0

    data = reportlib.load(data_copy)
    view = data.select(data.latest_period())
    daily = indicators.daily_new_cases(view.indicators)
    assert len(daily) >= 7
    assert indicators.weekly_average(view.indicators, dt.date(2020, 11, 27), view.monitor.rounding) is not None


def test_owid_compact_layout_with_a_country_column(data_copy, tmp_path):
    compact = tmp_path / "compact.csv"
    compact.write_text("country,date,total_cases,new_cases,new_cases_smoothed,total_deaths\n"
                       "Iraq,2020-11-20,540000,2100,2300.5,11900\n"
                       "Jordan,2020-11-20,200000,,,2500\n")
    result = run_cli("import", "owid", compact, "--country", "Iraq", "--data", data_copy)
    assert result.returncode == 0, result.stderr
    assert "added 4 values" in result.stdout
    data = reportlib.load(data_copy)
    value = data.indicators.loc[data.indicators["indicator"] == "covid_new_cases_7d_avg", "value"]
    assert 2300.5 in value.tolist()


def test_owid_unknown_country(data_copy):
    result = run_cli("import", "owid", OWID, "--country", "Atlantis", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "no rows for this country" in result.stderr
