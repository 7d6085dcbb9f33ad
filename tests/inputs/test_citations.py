"""Events against the rows they cite: each disagreement the reading of the source found, put
into the shipped issue file, is refused with its file, line and reason."""

from __future__ import annotations

import pytest

from reportlib.errors import DataError
from reportlib.inputs import dataset
from reportlib.inputs.citations import spellings

ISSUE = "issues/2020-12-03.yaml"


def _refused(folder, old: str, new: str, file: str = ISSUE) -> list[str]:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        dataset.load(folder)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_issue_agrees_with_its_rows(data_copy):
    data = dataset.load(data_copy)
    cited = data.issues[0].cited_incidents()
    assert cited == set(data.incidents["event_id_cnty"])
    assert len(data.issues[0].cited_indicators()) == len(data.indicators)


def test_a_merged_recount_is_refused(data_copy):
    """"killed ten people and wounded at least 90" for the seven killed and 90 wounded (an
    exact figure) of the Nasiriyah row."""
    problems = _refused(data_copy, "killed seven people, wounded 90", "killed ten people, wounded at least 90")
    assert any(p.startswith("data/issues/2020-12-03.yaml:34: key politics.events.text: does not state the "
                            "fatalities of ISHM-20201203-08 (data/incidents.csv:9): 7") for p in problems), problems
    assert any("value 'at least 90': says “at least” where no cited row gives that figure as a minimum" in p
               for p in problems), problems


def test_a_count_that_differs_is_refused(data_copy):
    problems = _refused(data_copy, "wounded 27 in Ninewa", "wounded 28 in Ninewa")
    assert problems == ["data/issues/2020-12-03.yaml:90: key security.events.text: does not state the wounded of "
                        "ISHM-20201203-02 (data/incidents.csv:3): 27"]


def test_a_minimum_stated_as_exact_is_refused(data_copy):
    problems = _refused(data_copy, "killed at least 20 ISIS militants", "killed 20 ISIS militants")
    assert problems == ["data/issues/2020-12-03.yaml:109: key security.events.text: states the fatalities of "
                        "ISHM-20201203-05 (data/incidents.csv:6) as exact; the row says it is a minimum "
                        "(\"at least 20\")"]


def test_a_fact_told_twice_is_refused(data_copy):
    problems = _refused(data_copy, "incidents: [ISHM-20201203-03]", "incidents: [ISHM-20201203-03, ISHM-20201203-09]")
    assert any("value 'ISHM-20201203-09': the row (data/incidents.csv:10) is already told by the event on line 46"
               in p for p in problems), problems


def test_a_row_outside_the_event_s_span_is_refused(data_copy):
    problems = _refused(data_copy, "incidents: [ISHM-20201203-09]", "incidents: [ISHM-20201203-09, ISHM-20201203-01]")
    assert any("covers 2020-11-21 to 2020-12-03, outside the event's 2020-11-28" in p for p in problems), problems


def test_an_unknown_row_is_refused(data_copy):
    problems = _refused(data_copy, "incidents: [ISHM-20201203-03]", "incidents: [ISHM-20201203-99]")
    assert problems == ["data/issues/2020-12-03.yaml:96: key security.events.incidents: value 'ISHM-20201203-99': "
                        "no incident row has this id (event_id_cnty)"]


def test_an_indicator_value_that_differs_is_refused(data_copy):
    problems = _refused(data_copy, "decreased to 58,543", "decreased to 58,534")
    assert problems == ["data/issues/2020-12-03.yaml:156: key humanitarian.events.text: does not state "
                        "covid_hospitalised@2020-12-03 (data/indicators.csv:4): 58,543"]


def test_a_sentence_without_a_dateline_must_carry_its_date(data_copy):
    problems = _refused(data_copy, "A rocket attack on November 29 struck", "A rocket attack struck")
    assert problems == ["data/issues/2020-12-03.yaml:97: key security.events.dateline: value 'false': the text must "
                        "then carry its own date ('November 29'); it does not"]


def test_a_row_with_an_undeclared_casualty_group_is_refused(data_copy):
    problems = _refused(data_copy, ",militants,admin1;incident_type,", ",fighters,admin1;incident_type,",
                        "incidents.csv")
    assert problems == ["data/incidents.csv:6: column casualty_group: value 'fighters': unknown value; allowed: "
                        "victims, militants, unattributed"]


def test_an_inference_names_a_column_of_the_table(data_copy):
    problems = _refused(data_copy, ",militants,admin1;incident_type,", ",militants,admin1;governorate,",
                        "incidents.csv")
    assert len(problems) == 1 and problems[0].startswith(
        "data/incidents.csv:6: column inferred: value 'admin1;governorate': names a column the table does not have")


@pytest.mark.parametrize("n, forms", [(1, ("1", "one")), (20, ("20", "twenty")), (90, ("90", "ninety")),
                                      (5180, ("5,180", "5180")), (27, ("27",))])
def test_numbers_are_read_as_the_monitor_writes_them(n, forms):
    assert spellings(n) == forms
