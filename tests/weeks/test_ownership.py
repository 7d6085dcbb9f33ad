"""Each row counts once, in the issue that reports it: a boundary-day incident that the later
issue reports counts there and never in the shipped issue; an import falls back to the one
date rule; a backfilled issue's rows count in it; an event citing another issue's row is
refused naming both periods and the fix; a half-filled week stops only its own build."""

from __future__ import annotations

import datetime as dt

import pytest

from reportlib.content.sentences import key_figure_records
from reportlib.errors import DataError
from reportlib.inputs import dataset
from reportlib.inputs.periods import Period
from reportlib.reports.weekly import Report, period_statement

from ..conftest import assert_no_traceback, run_cli
from . import weeks

SHIPPED = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
WEEK2 = Period(dt.date(2020, 12, 3), dt.date(2020, 12, 10))
SHIPPED_FIGURES = {"incidents": (32, True), "killed": (20, True), "wounded": (138, True)}


def figures(view) -> dict[str, tuple]:
    return {f.name: (f.value, f.minimum) for f in key_figure_records(view) if f.name in SHIPPED_FIGURES}


def ids(frame) -> set[str]:
    return set(frame["event_id_cnty"])


def test_a_boundary_day_incident_counts_in_the_issue_that_reports_it(data_copy):
    weeks.fill_week2(data_copy)
    data = dataset.load(data_copy)
    shipped, week2 = data.select(SHIPPED), data.select(WEEK2)
    assert weeks.BOUNDARY["event_id_cnty"] not in ids(shipped.incidents)
    assert weeks.BOUNDARY["event_id_cnty"] not in ids(shipped.trend_incidents)  # the published issue reads it nowhere
    assert figures(shipped) == SHIPPED_FIGURES
    assert ids(week2.incidents) == {"SYN-20201210-01", "SYN-20201210-02", "SYN-20201210-03"}
    # 1 + 6 + 2 incidents; 2 + at least 3 killed; 4 + 8 wounded, at least: the rocket attacks give none.
    assert figures(week2) == {"incidents": (9, False), "killed": (5, True), "wounded": (12, True)}
    # The trend of the later issue draws the shipped issue with its own figures, and itself with the row.
    report = Report(week2)
    traces = {label: value for label, value, _ in report._issue_traces(report.trend_periods())}
    assert traces["Issue ending December 3, 2020, incidents"] == "≥32"
    assert traces["Issue ending December 10, 2020, incidents"] == "9"
    # The exports of each issue are its own rows (publishing writes view.incidents).
    assert "SYN-20201210-01" in ids(week2.counted_in(WEEK2)) and not ids(week2.counted_in(SHIPPED)) & {
        "SYN-20201210-01"}


def test_a_row_no_issue_reports_falls_back_to_its_date(data_copy):
    weeks.fill_week2(data_copy)
    weeks.add_sources(data_copy, "synthetic-import")
    weeks.write_rows(data_copy / "incidents" / "import.csv", [
        weeks.incident("SYN-IMPORT-1", "2020-12-03", "synthetic-import", incident_type="riot", admin1="Basra",
                       incidents="1"),
        weeks.incident("SYN-IMPORT-2", "2020-11-19", "synthetic-import", incident_type="riot", admin1="Basra",
                       incidents="1")])
    data = dataset.load(data_copy)
    # The boundary day goes to the earlier of the two issues that share it; the first day of
    # the first issue, which no issue before it shares, to that issue.
    assert {"SYN-IMPORT-1", "SYN-IMPORT-2"} <= ids(data.select(SHIPPED).incidents)
    assert not {"SYN-IMPORT-1", "SYN-IMPORT-2"} & ids(data.select(WEEK2).incidents)


def test_a_backfilled_issue_counts_its_rows(data_copy):
    before = figures(dataset.load(data_copy).select(SHIPPED))
    weeks.fill_backfill(data_copy)
    data = dataset.load(data_copy)
    backfill = Period(dt.date(2020, 11, 12), dt.date(2020, 11, 19))
    assert ids(data.select(backfill).incidents) == {"SYN-20201119-01"}
    assert "SYN-20201119-01" not in ids(data.select(SHIPPED).incidents)
    assert figures(data.select(SHIPPED)) == before == SHIPPED_FIGURES


def test_citing_another_issue_s_row_names_both_periods_and_the_fix(data_copy):
    events = dict(weeks.WEEK2_EVENTS)
    events["politics"] += """\
      - date: 2020-12-03
        incidents: [ISHM-20201203-04]
        text: >-
          gunmen carried out four assassination attempts that killed 1 activist and wounded 1.
"""
    weeks.fill_week2(data_copy, events)
    with pytest.raises(DataError) as caught:
        dataset.load(data_copy)
    message = "\n".join(map(str, caught.value.problems))
    assert ("data/issues/2020-12-10.yaml:11: key politics.events.incidents: value 'ISHM-20201203-04': the row "
            "(data/incidents.csv:5, 2020-11-22 to 2020-12-02) is reported by the issue of 2020-11-19 to 2020-12-03 "
            "(data/issues/2020-12-03.yaml): its reference is ishm-2020-12-03; this event is in the issue of "
            "2020-12-03 to 2020-12-10 (data/issues/2020-12-10.yaml). A row counts in one issue: cite it from an "
            "event of the issue of 2020-11-19 to 2020-12-03, or, if this issue's source reports it, give the row "
            "this issue's reference (synthetic-2020-12-10)") in message, message


def test_a_row_of_an_issue_s_document_dated_outside_it_is_refused(data_copy):
    late = weeks.incident("SYN-20201210-09", "2020-12-01", weeks.WEEK2_REF, incident_type="riot", admin1="Basra",
                          incidents="1")
    weeks.fill_week2(data_copy, rows=[weeks.BOUNDARY, weeks.SPAN, weeks.UNCITED, late])
    with pytest.raises(DataError) as caught:
        dataset.load(data_copy)
    assert [str(p) for p in caught.value.problems] == [
        "data/incidents/2020-12-10.csv:5: column event_date: value '2020-12-01': the row's document "
        "(synthetic-2020-12-10) is the source of the issue of 2020-12-03 to 2020-12-10 (data/issues/2020-12-10.yaml), "
        "but the row ends on 2020-12-01, outside that period; correct its date, or give it the reference of the "
        "issue that reports it"]


def test_the_period_is_stated_as_the_cover_states_it(data_copy):
    data = dataset.load(data_copy)
    first = period_statement(data.select(SHIPPED))
    assert first.startswith("This issue covers November 19 – December 3, 2020")
    assert "day after" not in first and "previous issue" not in first
    weeks.fill_week2(data_copy)
    second = period_statement(dataset.load(data_copy).select(WEEK2))
    assert second == ("This issue covers December 3 – 10, 2020. It shares December 3, 2020 with the previous issue "
                      "(November 19 – December 3, 2020): an incident of that day counts in the issue whose source "
                      "reports it, and one that no issue's source reports counts in the previous issue.")


def test_a_half_filled_week_stops_only_its_own_build(data_copy):
    result = run_cli("new-period", "--data", data_copy, "--end", "2020-12-10")
    assert result.returncode == 0, result.stderr
    with pytest.raises(DataError):
        dataset.load(data_copy)
    data = dataset.load(data_copy, period_end=dt.date(2020, 12, 3))
    assert list(data.set_aside) == ["2020-12-10"] and len(data.set_aside["2020-12-10"]) == 33
    assert figures(data.select(SHIPPED)) == SHIPPED_FIGURES
    with pytest.raises(DataError):
        dataset.load(data_copy, period_end=dt.date(2020, 12, 10))

    validate = run_cli("validate", "--data", data_copy)
    assert_no_traceback(validate)
    assert validate.returncode == 2
    assert "33 problems found" in validate.stderr
    assert "the issue ending on 2020-12-10: 33 problems in its own files; they stop its build only" in validate.stderr
    assert "the other issues can be built as they are: reportlib build --period-end 2020-12-03" in validate.stderr

    further = run_cli("new-period", "--data", data_copy, "--end", "2020-12-17")
    assert_no_traceback(further)
    assert further.returncode == 0, further.stderr
    assert "Created the files of the period 2020-12-10 to 2020-12-17" in further.stdout
    assert "Note: the issue ending on 2020-12-10 is not complete yet (33 problems" in further.stdout
    assert "those problems stop only the build of 2020-12-10" in further.stdout


def test_validate_lists_the_problems_of_the_other_periods_too(data_copy):
    """A citation problem of the shipped issue is judged, and listed, while the next week is half filled."""
    run_cli("new-period", "--data", data_copy, "--end", "2020-12-10")
    issue = data_copy / "issues" / "2020-12-03.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("wounded 27 in Ninewa", "wounded 28 in Ninewa"),
                     encoding="utf-8")
    validate = run_cli("validate", "--data", data_copy)
    assert "does not state the wounded of ISHM-20201203-02" in validate.stderr
    assert "the other issues can be built" not in validate.stderr
