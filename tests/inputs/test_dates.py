"""The supported dates, 1900-01-01 to 2199-12-31: read in one place (periods.read_date) for
the command line and the data alike, everything outside refused with exit status 2 before
anything is built, and everything inside usable to the end of the trend window."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reportlib
from reportlib.inputs.periods import FIRST_DAY, LAST_DAY, Period

from ..conftest import GOOD, NOTEBOOK, assert_no_traceback, run_cli

OUTSIDE = "outside the dates reportlib supports, 1900-01-01 to 2199-12-31"


def files_under(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("args", "message"), [
    (["--period-end", "0001-01-01"], f"--period-end '0001-01-01': {OUTSIDE}"),
    (["--from", "0001-01-01", "--to", "9999-12-31"], f"--from '0001-01-01': {OUTSIDE}"),
    (["--from", "2020-01-01", "--to", "9999-12-31"], f"--to '9999-12-31': {OUTSIDE}"),
    (["--start", "0001-03-01", "--end", "9999-12-31"], f"--start '0001-03-01': {OUTSIDE}"),
    (["--start", "2020-11-19", "--end", "2200-01-01"], f"--end '2200-01-01': {OUTSIDE}"),
    # A real day in range that no issue declares: refused as such (no week is made up for it,
    # which would begin before the range does).
    (["--period-end", "1900-01-03"], "no issue declares a period ending on 1900-01-03"),
])
def test_build_refuses_dates_outside_the_range_before_anything_is_written(args, message, good_copy, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    before = files_under(tmp_path)
    result = run_cli("build", *args, "--data", good_copy, "--out", work / "outputs", "--notebook", NOTEBOOK,
                     cwd=work)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "bug in reportlib" not in result.stderr
    assert files_under(tmp_path) == before and not (work / "outputs").exists()


@pytest.mark.parametrize(("command", "message"), [
    (["new-period", "--period-end", "9999-12-31"], f"--period-end '9999-12-31': {OUTSIDE}"),
    (["new-period", "--period-end", "2020-12-10", "--start", "0001-01-01"], f"--start '0001-01-01': {OUTSIDE}"),
    (["import", "owid", str(GOOD / "indicators.csv"), "--country", "Iraq", "--from", "0001-01-01"],
     f"--from '0001-01-01': {OUTSIDE}"),
    # The old spellings, kept for a release, are read the same way and named as typed.
    (["new-period", "--end", "9999-12-31"], f"--end '9999-12-31': {OUTSIDE}"),
    (["import", "owid", str(GOOD / "indicators.csv"), "--country", "Iraq", "--since", "0001-01-01"],
     f"--since '0001-01-01': {OUTSIDE}"),
])
def test_other_commands_refuse_dates_outside_the_range(command, message, good_copy, tmp_path):
    before = files_under(good_copy)
    result = run_cli(*command, "--data", good_copy, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert files_under(good_copy) == before


DAYS = st.dates(FIRST_DAY, LAST_DAY)


@settings(max_examples=40, deadline=None)
@given(start=DAYS, length=st.integers(0, 400), trend_weeks=st.integers(0, 104))
def test_any_period_in_range_selects_its_window(start, length, trend_weeks):
    """Every date the loader derives from a period in range (its trend window up to two
    years back, the neighbours) is one pandas and Python can hold."""
    data = reportlib.load(GOOD)
    end = min(start + dt.timedelta(days=length), LAST_DAY)
    view = data.select(Period(start, end), trend_weeks)
    assert view.period.end == end
    assert len(view.incidents) <= len(data.incidents)


def test_the_first_and_last_supported_days_are_periods():
    data = reportlib.load(GOOD)
    for period in (Period(FIRST_DAY, FIRST_DAY + dt.timedelta(days=7)),
                   Period(LAST_DAY - dt.timedelta(days=7), LAST_DAY)):
        assert data.select(period, 104).incidents.empty
