"""ACLED types map through a table an analyst can read and change: the shipped
reportlib/inputs/reference/acled_types.csv, a data folder's acled-types.csv before it, and
--type-map before both. Nothing ACLED gives that a later analysis needs is dropped."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

import reportlib
from reportlib.inputs import reference

from ..conftest import ROOT, assert_no_traceback, run_cli
from .test_importers import run_import

RECORD = ROOT / "tests" / "data" / "imports" / "acled_record.csv"
TYPES_HEADER = "event_type,sub_event_type,inter1,inter2,incident_type,casualty_group,why\n"

# ACLED's six event types and 25 sub-event types (ACLED codebook, 2023 and later).
ACLED_TYPES = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Protests": ["Excessive force against protesters", "Protest with intervention", "Peaceful protest"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}


def imported(data_dir) -> pd.DataFrame:
    return reportlib.load(data_dir).incidents.set_index("event_id_cnty")


def test_the_shipped_table_lists_every_acled_type_once_and_maps_to_known_types():
    rules = reference.acled_type_rules()
    listed = {(r.event_type, r.sub_event_type) for r in rules}
    assert listed == {(event, sub) for event, subs in ACLED_TYPES.items() for sub in subs}
    for rule in rules:
        assert rule.incident_type in ("", reference.SKIP) or rule.incident_type in reference.incident_types()
        if rule.incident_type:
            assert rule.casualty_group in reference.CASUALTY_GROUPS
    # Every sub-event type ends in a rule with no actor conditions, so no event falls through.
    for sub in (sub for subs in ACLED_TYPES.values() for sub in subs):
        last = [r for r in rules if r.sub_event_type == sub][-1]
        assert not last.inter1 and not last.inter2, sub


def test_a_clash_is_a_clash_a_riot_a_riot_and_what_acled_gives_is_kept(data_copy):
    result = run_import("acled", RECORD, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    rows = imported(data_copy)
    clash, riot, strike = rows.loc["IRQ70001"], rows.loc["IRQ70002"], rows.loc["IRQ70004"]
    assert clash["incident_type"] == "armed clash"
    assert clash["casualty_group"] == "unattributed"  # ACLED does not say on which side the four fell
    assert clash["inferred"] == ""
    assert riot["incident_type"] == "riot"
    # An air strike by state forces on ISIS: the dead are militants, by the table's reading
    # of ACLED's actor categories, and marked as an inference.
    assert strike["incident_type"] == "airstrike"
    assert strike["casualty_group"] == "militants"
    assert strike["inferred"] == "casualty_group"
    # Kept: the other side, the district, ACLED's own types, its precision codes, its id,
    # its source and its notes.
    assert clash["actor1"] == "Military Forces of Iraq (2020-)"
    assert clash["actor2"] == "Islamic State (Iraq)"
    assert clash["admin2"] == "Kirkuk"
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    assert (clash["time_precision"], clash["geo_precision"]) == (1, 2)
    assert clash["source"] == "Test Outlet"
    assert clash["notes"] == "Test fixture: the army and ISIS fighters clashed; four killed."
    assert riot["actor2"] == "Police Forces of Iraq (2020-)"


def test_a_data_folder_table_comes_before_the_shipped_one(data_copy):
    (data_copy / "acled-types.csv").write_text(
        TYPES_HEADER + 'Battles,Armed clash,State forces,Rebel group,security operation,militants,'
        '"Our monitor counts the army\'s fights with ISIS as operations"\n')
    check = run_cli("validate", "--data", data_copy)
    assert check.returncode == 0, check.stderr
    result = run_import("acled", RECORD, data=data_copy)
    assert result.returncode == 0, result.stderr
    rows = imported(data_copy)
    assert rows.loc["IRQ70001", "incident_type"] == "security operation"
    assert rows.loc["IRQ70001", "casualty_group"] == "militants"
    assert rows.loc["IRQ70002", "incident_type"] == "riot"  # the shipped table for the rest


def test_type_map_on_the_command_line_comes_first(data_copy):
    result = run_import("acled", RECORD, "--type-map", "Violent demonstration=skip",
                        "--type-map", "armed clash=militant attack", data=data_copy)
    assert result.returncode == 0, result.stderr
    assert "skipped 1 rows of sub-event type 'Violent demonstration' (skipped by --type-map)" in result.stdout
    rows = imported(data_copy)
    assert "IRQ70002" not in rows.index
    assert rows.loc["IRQ70001", "incident_type"] == "militant attack"
    assert rows.loc["IRQ70001", "casualty_group"] == "unattributed"


def test_a_skip_in_the_data_folder_table_is_counted_and_named(data_copy):
    (data_copy / "acled-types.csv").write_text(TYPES_HEADER + "Riots,Violent demonstration,,,skip,,Not ours\n")
    result = run_import("acled", RECORD, data=data_copy)
    assert result.returncode == 0, result.stderr
    assert ("skipped 1 rows of sub-event type 'Violent demonstration' (skipped by data/acled-types.csv:2)"
            in result.stdout)


@pytest.mark.parametrize("row, where, message", [
    ("Battles,Armed clashes,,,armed clash,unattributed,", "column sub_event_type: value 'Armed clashes'",
     "not an ACLED sub-event type"),
    ("Riots,Armed clash,,,armed clash,unattributed,", "column event_type: value 'Riots'",
     "ACLED files 'Armed clash' under 'Battles'"),
    ("Battles,Armed clash,Army,,armed clash,unattributed,", "column inter1: value 'Army'",
     "not an ACLED actor category"),
    ("Battles,Armed clash,,,firefight,unattributed,", "column incident_type: value 'firefight'",
     "unknown incident type"),
    ("Battles,Armed clash,,,armed clash,civilians,", "column casualty_group: value 'civilians'",
     "must be one of victims, militants, unattributed"),
    ("Battles,Armed clash,,,armed clash,unattributed,<b>why</b>", "column why: value '<b>why</b>'",
     "contains HTML markup"),
])
def test_a_bad_data_folder_table_is_refused_by_validate_and_import(data_copy, row, where, message):
    (data_copy / "acled-types.csv").write_text(TYPES_HEADER + "Riots,Mob violence,,,riot,victims,fine\n" + row + "\n")
    for result in (run_cli("validate", "--data", data_copy), run_import("acled", RECORD, data=data_copy)):
        assert_no_traceback(result)
        assert result.returncode == 2
        assert f"data/acled-types.csv:3: {where}: {message}" in result.stderr
    assert not (data_copy / "incidents").exists()


def test_a_row_shadowed_by_an_earlier_one_is_refused(data_copy):
    (data_copy / "acled-types.csv").write_text(TYPES_HEADER + "Riots,Mob violence,,,riot,victims,\n"
                                                              ",mob violence,,,riot,unattributed,\n"
                                                              "Riots,Mob violence,,,riot,unattributed,\n")
    result = run_cli("validate", "--data", data_copy)
    assert result.returncode == 2
    assert "data/acled-types.csv:4: column sub_event_type: value 'Mob violence': same conditions as line 2" \
        in result.stderr


def test_a_type_left_without_an_incident_type_stops_the_import(data_copy, tmp_path):
    header, first = RECORD.read_text().splitlines()[:2]
    fields = next(csv.reader(io.StringIO(first)))
    fields[5], fields[6] = "Strategic developments", "Headquarters or base established"
    export = tmp_path / "hq.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    export.write_text(header + "\n" + buffer.getvalue())
    result = run_import("acled", export, data=data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert ("hq.csv:2: column sub_event_type: value 'Headquarters or base established': no incident type for "
            "this ACLED sub-event type (reportlib/inputs/reference/acled_types.csv:36 gives none)") in result.stderr
    assert "--type-map 'Headquarters or base established=skip'" in result.stderr
