"""Sentences the report composes from rows no event cites: marked as compiled from the data,
stating only what the rows hold, never saying again what an event states; validate warns of
each such row (exit 0). A key figure no event states reads as counted from the rows."""

from __future__ import annotations

import datetime as dt

from reportlib.inputs import dataset
from reportlib.inputs.periods import Period
from reportlib.reports.blocks import COMPILED_LABEL
from reportlib.reports.weekly import Report

from ..conftest import run_cli
from . import weeks

WEEK2 = Period(dt.date(2020, 12, 3), dt.date(2020, 12, 10))


def _report(data_copy) -> Report:
    return Report(dataset.load(data_copy).select(WEEK2))


def test_a_composed_sentence_is_marked_and_adds_nothing(data_copy):
    wounded = dict(weeks.UNCITED, fatalities="1", wounded="2", target="")
    weeks.fill_week2(data_copy, rows=[weeks.BOUNDARY, weeks.SPAN, wounded])
    html = _report(data_copy).security_summary().html
    assert COMPILED_LABEL.replace("'", "&#39;") in html
    assert "On December 8, two rocket attacks left one dead and two wounded in Baghdad." in html
    assert "people" not in html
    # The review copy lists it first, among what the report wrote itself.
    report = _report(data_copy)
    flags = {t["value"]: t["flag"] for t in report.security_summary().traces}
    assert flags["On December 8, two rocket attacks left one dead and two wounded in Baghdad."] == "composed"


def test_a_row_an_event_already_states_is_not_said_again(data_copy):
    events = dict(weeks.WEEK2_EVENTS)
    events["security"] = events["security"].replace("        incidents: [SYN-20201210-02]\n", "")
    weeks.fill_week2(data_copy, events, rows=[weeks.BOUNDARY, weeks.SPAN])
    assert _report(data_copy).security_summary().html == ""
    result = run_cli("validate", "--data", data_copy)
    assert result.returncode == 0, result.stderr
    assert ("data/incidents/2020-12-10.csv:3: column event_id_cnty: value 'SYN-20201210-02': warning: no event of "
            "the issue of 2020-12-03 to 2020-12-10 (data/issues/2020-12-10.yaml) cites this row: the event on line "
            "18 of data/issues/2020-12-10.yaml seems to state its figures") in result.stderr


def test_validate_warns_of_a_row_no_event_cites(data_copy):
    weeks.fill_week2(data_copy)
    result = run_cli("validate", "--data", data_copy)
    assert result.returncode == 0, result.stderr
    assert ("data/incidents/2020-12-10.csv:4: column event_id_cnty: value 'SYN-20201210-03': warning: no event of "
            "the issue of 2020-12-03 to 2020-12-10 (data/issues/2020-12-10.yaml) cites this row: the report states "
            "it in a sentence compiled from the data") in result.stderr


def test_a_total_no_event_states_reads_as_counted(data_copy):
    data = dataset.load(data_copy)
    html = Report(data.select(data.latest_period())).key_figures().html
    boxes = html.split('<div class="figure-box">')[1:]
    counted = {box.split('class="label">')[1].split("<")[0]: "counted from the issue's rows" in box
               for box in boxes}
    # 32 incidents, 20 and 138 victims: no sentence of the source gives them; the militants killed
    # and the COVID-19 figures are the events' own.
    assert counted == {"Incidents recorded": True, "People killed in attacks and violence at protests": True,
                       "People wounded in attacks and violence at protests": True,
                       "Militants killed in operations": False, "COVID-19 cases to date": False,
                       "COVID-19 deaths to date": False, "New cases a day, 7-day average": False}
