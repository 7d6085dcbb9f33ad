"""A section can be left out of an issue (absent from its file, or given with nothing after
the colon): validate accepts it and the report prints no heading, contents entry or bookmark
for it. The PDF's contents and bookmarks are checked by the end-to-end walk (test_two_weeks)."""

from __future__ import annotations

import datetime as dt

from reportlib.inputs import dataset
from reportlib.inputs.periods import Period
from reportlib.reports.weekly import Report

from ..conftest import run_cli
from . import weeks

WEEK2 = Period(dt.date(2020, 12, 3), dt.date(2020, 12, 10))


def _report(data_copy) -> Report:
    return Report(dataset.load(data_copy).select(WEEK2))


def test_a_section_absent_from_the_issue_prints_nothing(data_copy):
    weeks.fill_week2(data_copy)  # politics and security only
    assert run_cli("validate", "--data", data_copy).returncode == 0
    report = _report(data_copy)
    assert report.view.issue.left_out == {"armed_groups", "humanitarian"}
    assert report.section("armed_groups").html == ""
    # The humanitarian blocks too: no value of the period (3 December's are the previous issue's).
    for block in (report.section("humanitarian"), report.covid_summary(), report.indicators_table(),
                  report.covid_chart()):
        assert block.html == ""
    assert "<h2" in report.section("politics").html


def test_a_section_declared_empty_prints_nothing(data_copy):
    weeks.fill_week2(data_copy)
    path = data_copy / "issues" / f"{weeks.WEEK2}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  armed_groups:  # nothing this week\n", encoding="utf-8")
    assert run_cli("validate", "--data", data_copy).returncode == 0
    assert _report(data_copy).section("armed_groups").html == ""


def test_a_left_out_section_whose_rows_the_period_has_keeps_its_heading(data_copy):
    """Security left out while the period has incident rows: their tables need a heading."""
    weeks.fill_week2(data_copy, events={"politics": weeks.WEEK2_EVENTS["politics"]}, rows=[weeks.UNCITED])
    report = _report(data_copy)
    assert "security" in report.view.issue.left_out
    assert "<h2" in report.section_heading("security").html
    assert report.incidents_table().html


def test_an_empty_headline_says_how_to_leave_the_section_out(data_copy):
    run_cli("new-period", "--data", data_copy, "--end", "2020-12-10")
    result = run_cli("validate", "--data", data_copy)
    assert ("key armed_groups.headline: headline is empty; write the section's headline, or, when the issue has "
            "nothing for it, leave the section out (delete it, or write `armed_groups:` with nothing after the "
            "colon)") in result.stderr
