"""One figure, one value: a computed weekly average has one definition and one rounding rule
(monitor.yaml `rounding`) wherever it is shown, and a published figure beats a computed one,
with `reportlib validate` naming both when they disagree."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from reportlib.content import sentences
from reportlib.reports.weekly import Report

from ..conftest import ROOT, assert_no_traceback, run_cli

OWID = ROOT / "tests" / "data" / "imports" / "owid_2022_layout.csv"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_published_average_is_printed_and_a_disagreeing_series_is_named(data_copy):
    # In the copy's folder: the import checks the periods built under ./outputs, and the
    # repository's own outputs/ (after `make report`) hold the shipped issue.
    imported = run_cli("import", "owid", OWID, "--country", "Iraq", "--data", data_copy, cwd=data_copy.parent)
    assert imported.returncode == 0, imported.stderr
    result = run_cli("validate", "--data", data_copy, cwd=data_copy.parent)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    # The week ending Dec 3: published 2,013/day; the daily series (OWID's Nov 26 total and the
    # curated Dec 3 total) gives (558,767 - 528,167) / 7 = 4,371.43, truncated 4,371/day.
    assert ("data/indicators.csv:8: column value: value '2,013/day': warning: the week ending 2020-12-03 was "
            "published as 2,013/day, but the daily series (data/indicators/owid-iraq.csv:47, "
            "data/indicators.csv:2) gives 4,371/day (truncated); the report prints the published figure"
            in result.stderr)
    report = Report.open(data_copy)
    page = _text(report.key_figures().html + report.section("humanitarian").html + report.indicators_table().html)
    assert "2,013 New cases a day, 7-day average" in page
    assert "to 2,013/day this week" in page
    assert "New cases a day (7-day average) 2,013/day" in page
    assert "4,371" not in page


def _daily_series(folder, monitor_rounding: str) -> None:
    """The small test data with its published averages taken out and a daily cumulative
    series in: the week ending Dec 3 adds 17,420 cases, a mean of 2,488.57 a day."""
    lines = (folder / "indicators.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "covid_new_cases_7d_avg" not in line and "covid_cases_total" not in line]
    totals = [100_000 + 2_000 * i for i in range(7)] + [100_000 + 17_420]
    first = dt.date(2020, 11, 26)
    kept += [f"{(first + dt.timedelta(days=i)).isoformat()},covid_cases_total,,{v},Test ministry,test-1,"
             for i, v in enumerate(totals)]
    (folder / "indicators.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    monitor = folder / "monitor.yaml"
    monitor.write_text(monitor.read_text(encoding="utf-8") + f"rounding: {monitor_rounding}\n", encoding="utf-8")


@pytest.mark.parametrize("rule, shown", [("truncate", "2,488"), ("round", "2,489")])
def test_a_computed_average_has_one_value_everywhere(good_copy, rule, shown):
    _daily_series(good_copy, rule)
    report = Report.open(good_copy)
    figures = {f["name"]: f for f in sentences.key_figures(report.view)}
    # The tile, the archive's figure (the manifest records key_figures), the sentence, the
    # table and the values the chart draws: one value.
    assert figures["covid_new_cases_7d_avg"]["value"] == float(shown.replace(",", ""))
    assert f"{shown} New cases a day, 7-day average" in _text(report.key_figures().html)
    assert f"was {shown}/day this week" in _text(report.covid_summary().html)
    assert f"New cases a day (7-day average) {shown}/day" in _text(report.indicators_table().html)
    drawn = dict((label, value) for label, value, _ in report._covid_traces())
    assert drawn["Week ending December 3"] == f"{shown}/day"
    other = "2,489" if shown == "2,488" else "2,488"
    review = report.key_figures().review + report.covid_summary().review + report.indicators_table().review
    assert other not in review
