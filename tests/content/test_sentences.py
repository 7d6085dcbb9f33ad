"""Sentence rules, one table of cases per rule, and the seed's sentences reproduced from
the curated data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import reportlib
from reportlib.content import indicators, sentences, words
from reportlib.inputs.periods import Period, format_span

from ..conftest import DATA

PERIOD = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))


def rows(*specs: dict) -> pd.DataFrame:
    """Incident rows with defaults for every column the sentences read."""
    base = {"event_date": "2020-11-21", "end_date": None, "incident_type": "IED", "admin1": "Baghdad",
            "location": "", "actor1": "", "target": "", "incidents": 1, "fatalities": None,
            "fatalities_min": False, "wounded": None, "wounded_min": False}
    records = [{**base, **spec} for spec in specs]
    frame = pd.DataFrame(records)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    for col in ("incidents", "fatalities", "wounded"):
        frame[col] = frame[col].astype("Int64")
    return frame


@pytest.mark.parametrize("n, expected", [
    (0, "zero"), (1, "one"), (5, "five"), (10, "ten"), (11, "11"), (27, "27"), (1234, "1,234"),
])
def test_numbers_one_to_ten_in_words(n, expected):
    assert words.number(n) == expected


@pytest.mark.parametrize("items, expected", [
    (["Ninewa"], "Ninewa"),
    (["Ninewa", "Kirkuk"], "Ninewa and Kirkuk"),
    (["Ninewa", "Kirkuk", "Anbar"], "Ninewa, Kirkuk, and Anbar"),
])
def test_lists_use_the_serial_comma(items, expected):
    assert words.join(items) == expected


@pytest.mark.parametrize("start, end, expected", [
    ("2020-11-21", "2020-12-03", "November 21 – December 3"),
    ("2020-11-20", "2020-11-30", "November 20 – 30"),
    ("2020-11-29", "2020-11-29", "November 29"),
    ("2020-12-28", "2021-01-03", "December 28, 2020 – January 3, 2021"),
])
def test_date_spans_in_the_monitors_format(start, end, expected):
    assert format_span(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == expected


@pytest.mark.parametrize("specs, expected", [
    # counts: words to ten, digits above, singular and plural
    ([{"incidents": 1, "fatalities": 2, "wounded": 3, "target": "Iraqis"}],
     "On November 21, one IED killed two Iraqis and wounded three more in Baghdad."),
    ([{"incidents": 12, "fatalities": 15, "wounded": 40, "end_date": "2020-11-30"}],
     "Between November 21 – 30, 12 IEDs killed 15 people and wounded 40 more in Baghdad."),
    # "at least" from a minimum flag, and from a sum over rows where one gives no figure
    ([{"fatalities": 5, "fatalities_min": True, "wounded": 20}],
     "On November 21, one IED killed at least five people and wounded 20 more in Baghdad."),
    ([{"fatalities": 2}, {"fatalities": None, "event_date": "2020-11-22"}],
     "Between November 21 – 22, two IEDs killed at least two people in Baghdad."),
    # zero and unknown casualties said sensibly
    ([{"fatalities": 0, "wounded": 0}], "On November 21, one IED caused no casualties in Baghdad."),
    ([{"incidents": 3}], "On November 21, three IEDs were reported in Baghdad."),
    ([{"wounded": 4}], "On November 21, one IED wounded four people in Baghdad."),
    # places in order of first mention: rows by date, then the order within a row
    ([{"admin1": "Kirkuk;Ninewa", "event_date": "2020-11-25"}, {"admin1": "Anbar;Kirkuk"}],
     "Between November 21 – 25, two IEDs were reported in Anbar, Kirkuk, and Ninewa."),
    # locations replace governorates when every row gives one
    ([{"incident_type": "airstrike", "incidents": None, "actor1": "Coalition", "target": "ISIS militants",
       "fatalities": 3, "location": "Makhmour", "admin1": "Erbil"}],
     "On November 21, Coalition airstrikes killed three ISIS militants in Makhmour."),
    # the perpetrator as subject
    ([{"incident_type": "assassination attempt", "incidents": 2, "actor1": "gunmen", "target": "activists",
       "fatalities": 1, "wounded": 1, "end_date": "2020-11-23"}],
     "Between November 21 – 23, gunmen carried out two assassination attempts against activists in Baghdad, "
     "killing one and wounding one."),
])
def test_type_sentence(specs, expected):
    frame = rows(*specs)
    assert sentences.type_sentence(frame["incident_type"].iloc[0], frame, PERIOD) == expected


def test_no_incidents_of_a_type():
    assert sentences.type_sentence("IED", rows({}).iloc[0:0], PERIOD) == (
        "No IEDs were reported between November 19 – December 3.")


def test_other_after_the_type_it_follows():
    frame = rows({"incident_type": "IED"}, {"incident_type": "militant attack", "incidents": 13})
    said = sentences.security_sentences(frame, PERIOD)
    assert said[1].startswith("On November 21, 13 other militant attacks")
    alone = sentences.security_sentences(rows({"incident_type": "militant attack", "incidents": 2}), PERIOD)
    assert alone[0] == "No IEDs were reported between November 19 – December 3."
    assert "two militant attacks" in alone[1]


@pytest.fixture(scope="module")
def seed():
    data = reportlib.load(DATA)
    return data.select(data.latest_period())


def test_seed_ied_sentence_is_reproduced_exactly(seed):
    said = sentences.security_sentences(seed.incidents, seed.period)
    assert said[0] == ("Between November 21 – December 3, ten IEDs killed at least five Iraqis and "
                            "wounded 20 more in Ninewa, Salah ad-Din, Diyala, and Kirkuk.")


def test_seed_airstrike_sentence_is_reproduced_exactly(seed):
    said = sentences.security_sentences(seed.incidents, seed.period)
    assert ("Between November 20 – 30, Counter Terrorism forces and Coalition airstrikes killed at least "
            "20 ISIS militants in Makhmour and south of Kirkuk.") in said


def test_seed_militant_attack_sentence_in_house_style(seed):
    """The seed writes this one without the serial comma and without "more"; the house style
    keeps both, as in the seed's IED sentence. Everything else matches word for word."""
    seed_text = ("Between November 21 – December 3, 13 other militant attacks killed at least four Iraqis "
                 "and wounded 27 in Ninewa, Kirkuk, Anbar, Diyala and Salah ad-Din.")
    ours = sentences.security_sentences(seed.incidents, seed.period)[1]
    assert ours.replace("27 more", "27").replace("Diyala, and", "Diyala and") == seed_text


def test_seed_assassination_sentence(seed):
    said = sentences.security_sentences(seed.incidents, seed.period)
    assert ("Between November 22 – December 2, gunmen carried out four assassination attempts against "
            "activists known for criticizing armed groups in Qadisiyah, Baghdad, and Maysan, "
            "killing one and wounding one.") in said


def test_seed_covid_paragraph(seed):
    paragraph = indicators.covid_paragraph(seed.indicators, seed.period, "Iraq")
    assert paragraph.startswith("On December 3, Iraq’s Ministry of Health reported that the number of "
                                "confirmed COVID-19 cases increased to 558,767.")
    assert "Deaths from confirmed cases of COVID-19 reached 12,361" in paragraph
    assert "To date, 439,228 patients have recovered from the virus and Iraq has tested 3,576,592 " \
           "samples for COVID-19." in paragraph
    assert paragraph.endswith("The daily average for new cases decreased from 2,488/day during the week "
                              "ending Nov 19 to 2,013/day this week.")
