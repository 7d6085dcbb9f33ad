"""Dates as the source gives them: an inferred date is marked, as an inferred place is; a
day the source does not give is recorded and written as the span it gives; an event whose
rows run over several days, given without end_date, is refused with its file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from reportlib.content import tables
from reportlib.errors import DataError
from reportlib.inputs import dataset
from reportlib.inputs.periods import Period
from reportlib.reports.weekly import Report

from . import weeks

WEEK2 = Period(dt.date(2020, 12, 3), dt.date(2020, 12, 10))


def test_an_inferred_date_is_marked_in_the_table(data_copy):
    guessed = dict(weeks.UNCITED, inferred="event_date")
    weeks.fill_week2(data_copy, rows=[weeks.BOUNDARY, weeks.SPAN, guessed])
    html = Report(dataset.load(data_copy).select(WEEK2)).incidents_table().html
    assert tables.INFERRED_DATE_NOTE.replace("'", "&#39;") in html
    # The rows whose dates the source gives are not marked.
    assert html.count(tables.INFERRED_DATE_MARK) == 2  # the one line, and its note


def test_a_span_is_written_as_a_span(data_copy):
    weeks.fill_week2(data_copy)
    report = Report(dataset.load(data_copy).select(WEEK2))
    assert "Between December 4 – 10, six IEDs" in report.events("security").html
    assert "December 4 – 10" in report.incidents_table().html


def test_an_event_over_several_days_without_end_date_is_refused(data_copy):
    events = dict(weeks.WEEK2_EVENTS)
    events["security"] = events["security"].replace("        end_date: 2020-12-10\n", "")
    weeks.fill_week2(data_copy, events)
    with pytest.raises(DataError) as caught:
        dataset.load(data_copy)
    assert [str(p) for p in caught.value.problems] == [
        "data/issues/2020-12-10.yaml:18: key security.events.end_date: the rows it cites cover 2020-12-04 to "
        "2020-12-10, but the event gives one day (2020-12-04); write date: 2020-12-04 and end_date: 2020-12-10, so "
        "that the report writes the span (\"Between December 4 – 10, \") and not one day"]
