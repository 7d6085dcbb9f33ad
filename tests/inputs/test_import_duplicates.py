"""The same event reported by two sources is flagged and counted once: an imported row that
repeats a row already in the data, or one earlier in the same import, is written with
`duplicate_of`, the import says so, and no count includes it."""

from __future__ import annotations

import shutil

import reportlib
from reportlib.content.sentences import tally

from ..conftest import DATA, assert_no_traceback, run_cli
from .test_import_types import RECORD
from .test_importers import run_import


def test_repeats_are_flagged_named_and_counted_once(data_copy):
    before = reportlib.load(data_copy)
    counted_before = tally(before.select(before.latest_period()).incidents)
    result = run_import("acled", RECORD, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "added 5 rows" in result.stdout
    assert "flagged 2 of them as reports of an event already in the data" in result.stdout
    # From another document: the Kut deaths the monitor's issue already gives.
    assert "IRQ70003 repeats ISHM-20201203-09 (2020-11-28, protest violence, Wasit: Kut)" in result.stdout
    # Within the same import: one strike as two outlets told it.
    assert "IRQ70005 repeats IRQ70004 (2020-11-22, airstrike, Erbil: Test Hills M)" in result.stdout

    data = reportlib.load(data_copy)
    rows = data.incidents.set_index("event_id_cnty")
    assert rows.loc["IRQ70003", "duplicate_of"] == "ISHM-20201203-09"
    assert rows.loc["IRQ70005", "duplicate_of"] == "IRQ70004"
    assert rows.loc[["IRQ70001", "IRQ70002", "IRQ70004"], "duplicate_of"].tolist() == ["", "", ""]
    view = data.select(data.latest_period())
    assert not set(view.incidents["event_id_cnty"]) & {"IRQ70003", "IRQ70005"}
    assert not set(view.trend_incidents["event_id_cnty"]) & {"IRQ70003", "IRQ70005"}
    counted = tally(view.incidents)
    assert counted.incidents == counted_before.incidents + 3
    # The clash (4 killed) and the riot (none) say nothing of whose dead they count; the strike's
    # five are militants; the victims of violence are as they were. No group is added to another.
    for group, added in (("victims", 0), ("unattributed", 4 + 0), ("militants", 5)):
        assert (counted.of(group).killed or 0) == (counted_before.of(group).killed or 0) + added, group
    check = run_cli("validate", "--data", data_copy)
    assert check.returncode == 0, check.stderr


def _one_row(tmp_path, **changes):
    """The Kut row of the fixture (IRQ70003), with some fields changed."""
    header, *rows = RECORD.read_text().splitlines()
    names = header.split(",")
    fields = rows[2].split(",")
    for name, value in changes.items():
        fields[names.index(name)] = value
    path = tmp_path / "one.csv"
    path.write_text(header + "\n" + ",".join(fields) + "\n")
    return path


def test_different_counts_place_day_or_type_are_different_events(tmp_path):
    for number, changes in enumerate(({"fatalities": "5"}, {"location": "Hay Test"}, {"event_date": "2020-11-27"},
                                      {"event_type": "Riots", "sub_event_type": "Violent demonstration"})):
        data = tmp_path / f"case-{number}" / "data"
        shutil.copytree(DATA, data)
        result = run_import("acled", _one_row(tmp_path, **changes), data=data)
        assert result.returncode == 0, result.stderr
        assert "flagged" not in result.stdout, changes
        assert reportlib.load(data).incidents.set_index("event_id_cnty").loc["IRQ70003", "duplicate_of"] == ""


def test_an_at_least_count_is_compatible_with_a_larger_one(data_copy, tmp_path):
    sheet = data_copy / "incidents.csv"
    # The curated Kut row says "at least three" killed; ACLED's four fits it. (The issue's
    # event states the row, so it says "at least" too.)
    text = sheet.read_text()
    assert "Iraqi riot police,protesters,,3,false" in text
    sheet.write_text(text.replace("Iraqi riot police,protesters,,3,false", "Iraqi riot police,protesters,,3,true"))
    issue = data_copy / "issues" / "2020-12-03.yaml"
    issue.write_text(issue.read_text().replace("three more protesters died", "at least three more protesters died"))
    result = run_import("acled", _one_row(tmp_path, fatalities="4"), data=data_copy)
    assert result.returncode == 0, result.stderr
    assert "IRQ70003 repeats ISHM-20201203-09" in result.stdout


def test_a_total_over_a_span_is_never_matched(data_copy, tmp_path):
    # ISHM-20201203-01 is ten IEDs over a fortnight in four governorates: no one event
    # inside it can be told apart, so a single IED is not flagged against it.
    result = run_import("acled", _one_row(tmp_path, event_type="Explosions/Remote violence",
                                          sub_event_type="Remote explosive/landmine/IED", admin1="Ninewa",
                                          event_date="2020-11-22", location=""), data=data_copy)
    assert result.returncode == 0, result.stderr
    assert "flagged" not in result.stdout


def test_duplicate_of_must_name_a_counted_row(data_copy):
    sheet = data_copy / "incidents" / "extra.csv"
    sheet.parent.mkdir()
    header = "event_id_cnty,event_date,incident_type,admin1,source,reference,duplicate_of\n"
    sheet.write_text(header
                     + "X-1,2020-11-28,protest violence,Wasit,Test,ishm-2020-12-03,ISHM-20201203-99\n"
                     + "X-2,2020-11-28,protest violence,Wasit,Test,ishm-2020-12-03,X-2\n"
                     + "X-3,2020-11-28,protest violence,Wasit,Test,ishm-2020-12-03,ISHM-20201203-09\n"
                     + "X-4,2020-11-28,protest violence,Wasit,Test,ishm-2020-12-03,X-3\n")
    result = run_cli("validate", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "data/incidents/extra.csv:2: column duplicate_of: value 'ISHM-20201203-99': names no row" in result.stderr
    assert "data/incidents/extra.csv:3: column duplicate_of: value 'X-2': names the row itself" in result.stderr
    assert ("data/incidents/extra.csv:5: column duplicate_of: value 'X-3': names a row that is itself a "
            "duplicate_of") in result.stderr
    assert "extra.csv:4" not in result.stderr
