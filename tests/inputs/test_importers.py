"""`reportlib import acled` and `reportlib import owid` on files in the real layouts, and
where they report a bad value: the input file, its own line, the value as given."""

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
BAD_VALUES = IMPORTS / "acled_bad_values.csv"


def run_import(kind: str, *args, data):
    """`reportlib import KIND ARGS` on a data folder, with an outputs folder of its own
    (empty unless the test builds there), never the checkout's outputs/."""
    return run_cli("import", kind, *args, "--data", data, "--out", data.parent / "outputs")


def test_unmapped_acled_sub_event_types_are_errors_and_nothing_is_written(data_copy):
    sources_before = (data_copy / "sources.csv").read_bytes()
    result = run_import("acled", ACLED_NOW, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert ("acled_2025_layout.csv:5: column sub_event_type: value 'Peaceful protest': no incident type"
            in result.stderr)
    assert not (data_copy / "incidents").exists()
    assert (data_copy / "sources.csv").read_bytes() == sources_before


def test_acled_import_maps_types_and_refuses_duplicates(data_copy):
    first = run_import("acled", ACLED_NOW, "--type-map", "Peaceful protest=skip", data=data_copy)
    assert first.returncode == 0, first.stderr
    assert "added 3 rows" in first.stdout
    assert "skipped 1 rows: events outside Iraq" in first.stdout
    assert "Peaceful protest" in first.stdout
    second = run_import("acled", ACLED_NOW, "--type-map", "Peaceful protest=skip", data=data_copy)
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
    result = run_import("acled", ACLED_OLD, data=data_copy)
    assert result.returncode == 0, result.stderr
    data = reportlib.load(data_copy)
    rows = data.incidents.set_index("event_id_cnty").loc[["IRQ80001", "IRQ80002"]]
    assert rows["event_date"].tolist() == [pd.Timestamp("2020-11-22"), pd.Timestamp("2020-11-25")]
    assert rows["admin1"].tolist() == ["Diyala", "Kirkuk"]
    # Old exports give actor categories as numbers: 3 (political militia) against 1 (state
    # forces) is a bomb that hit the security forces; an armed clash is not a militant attack.
    assert rows["incident_type"].tolist() == ["IED", "armed clash"]
    assert rows["casualty_group"].tolist() == ["victims", "unattributed"]


def test_acled_missing_column_is_named(data_copy, tmp_path):
    broken = tmp_path / "acled.csv"
    broken.write_text("event_id_cnty,event_date,sub_event_type,fatalities\nX1,2020-11-22,Attack,1\n")
    result = run_import("acled", broken, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "acled.csv:1: column admin1: required column is missing" in result.stderr


def test_owid_import_adds_a_daily_series_once(data_copy):
    first = run_import("owid", OWID, "--country", "Iraq", data=data_copy)
    assert first.returncode == 0, first.stderr
    assert "added 70 values" in first.stdout
    # The curated figures of 3 December are kept; OWID's for that day are skipped.
    assert "skipped 3 values already in the data" in first.stdout
    second = run_import("owid", OWID, "--country", "IRQ", data=data_copy)
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
    result = run_import("owid", compact, "--country", "Iraq", data=data_copy)
    assert result.returncode == 0, result.stderr
    assert "added 4 values" in result.stdout
    data = reportlib.load(data_copy)
    value = data.indicators.loc[data.indicators["indicator"] == "covid_new_cases_7d_avg", "value"]
    assert 2300.5 in value.tolist()


def test_owid_unknown_country(data_copy):
    result = run_import("owid", OWID, "--country", "Atlantis", data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "no rows for this country" in result.stderr


def test_a_bad_value_is_reported_at_its_line_of_the_input_as_given(data_copy):
    """Issue 16: not at a line of data/incidents/acled.csv, and not as the import would have
    written it (a formula gets a leading apostrophe when written)."""
    result = run_import("acled", BAD_VALUES, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    # Line 3's note runs over two lines, so the rows after it start on lines 5 and 6.
    assert ("acled_bad_values.csv:5: column fatalities: value '=2+3': not a number" in result.stderr)
    assert ("acled_bad_values.csv:6: column notes: value '=HYPERLINK(\"<b>x</b>\")': contains HTML markup"
            in result.stderr)
    assert "incidents/acled.csv" not in result.stderr
    assert result.stderr.count("=HYPERLINK") == result.stderr.count("value '=HYPERLINK")  # no apostrophe
    assert not (data_copy / "incidents").exists()


def test_upper_case_column_names_are_named_as_the_file_writes_them(data_copy, tmp_path):
    text = ACLED_OLD.read_text().splitlines()
    fields = text[2].split(",")
    fields[-3] = "three"  # FATALITIES
    broken = tmp_path / "old.csv"
    broken.write_text("\n".join([text[0], text[1], ",".join(fields)]) + "\n")
    result = run_import("acled", broken, data=data_copy)
    assert result.returncode == 2
    assert "old.csv:3: column FATALITIES: value 'three': not a number" in result.stderr


def test_owid_value_refused_by_the_sheet_rules_is_placed_in_the_input(data_copy, tmp_path):
    owid = tmp_path / "owid.csv"
    owid.write_text("location,date,total_cases\nIraq,2020-11-20,540000\nIraq,2020-11-21,99999999999\n")
    result = run_import("owid", owid, "--country", "Iraq", data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "owid.csv:3: column total_cases: value '99999999999': implausibly large" in result.stderr
    assert not (data_copy / "indicators").exists()


def test_a_ragged_input_row_is_named_by_its_line(data_copy, tmp_path):
    ragged = tmp_path / "ragged.csv"
    header = ACLED_NOW.read_text().splitlines()[0]
    ragged.write_text(header + "\nIRQ1,2020-11-22,2020\n")
    result = run_import("acled", ragged, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "ragged.csv:2: has 3 fields where the header has 31" in result.stderr


def test_owid_figures_of_another_country_are_refused(data_copy):
    """Issue 25: `--country Syria` on the Iraq monitor added Syrian values as national
    indicators. The import refuses another country's figures, as ACLED's leaves out events
    outside the monitor's; the fixture holds Jordan's rows beside Iraq's."""
    sources = (data_copy / "sources.csv").read_bytes()
    for given in ("Jordan", "JOR"):
        result = run_import("owid", OWID, "--country", given, data=data_copy)
        assert_no_traceback(result)
        assert result.returncode == 2, result.stdout
        assert (f"--country {given}: selects figures of Jordan, but this monitor is of Iraq (country in "
                "data/monitor.yaml)") in result.stderr
    assert not (data_copy / "indicators").exists()
    assert (data_copy / "sources.csv").read_bytes() == sources


def test_owid_a_problem_of_one_line_is_reported_once_and_numbers_follow_the_data_rule(data_copy, tmp_path):
    """Issue 25: a future date on a line with three indicator columns was reported three
    times; 1_000_000 (and 1e6, inf, Arabic-Indic digits) passed as numbers, which data
    files refuse."""
    owid = tmp_path / "owid.csv"
    owid.write_text("location,date,total_cases,new_cases,total_deaths\n"
                    "Iraq,2020-11-19,540000,2100,11900\n"
                    "Iraq,2190-01-01,540000,2100,11900\n", encoding="utf-8")
    result = run_import("owid", owid, "--country", "Iraq", data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.count("date is in the future") == 1, result.stderr
    assert "owid.csv:3: column date: value '2190-01-01': date is in the future" in result.stderr

    owid.write_text("location,date,total_cases,new_cases,total_deaths\n"
                    "Iraq,2020-11-19,540000,2100,11900\n"
                    "Iraq,2020-11-20,1_000_000,1e6,inf\n"
                    "Iraq,2020-11-21,١٢,nan,\n", encoding="utf-8")
    result = run_import("owid", owid, "--country", "Iraq", data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    for line, column, value in [(3, "total_cases", "1_000_000"), (3, "new_cases", "1e6"), (3, "total_deaths", "inf"),
                                (4, "total_cases", "١٢"), (4, "new_cases", "nan")]:
        assert f"owid.csv:{line}: column {column}: value '{value}': not a number" in result.stderr
    assert not (data_copy / "indicators").exists()


def test_an_import_refused_for_a_built_published_issue_says_what_can_change_it(data_copy, tmp_path):
    """Issue 25: the first refusal suggested --allow-changes, which cannot succeed for a
    published issue; it now names the correction. The build's manifest is the part of it
    the import reads (the period it covers)."""
    from ..publishing.standin import ISSUE, publish_stand_in

    publish_stand_in(data_copy, tmp_path / "build")
    manifest = data_copy.parent / "outputs" / ISSUE / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"inputs": {"period": {"start": "2020-11-19", "end": "2020-12-03", "trend_weeks": 12}}}')
    result = run_import("owid", OWID, "--country", "Iraq", data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "2020-12-03 is published, and an import never changes a published issue" in result.stderr
    assert 'reportlib correct --period-end 2020-12-03 --note "what changed and why"' in result.stderr
    assert "Run the import again with --allow-changes" not in result.stderr
    assert not (data_copy / "indicators").exists()
