"""The cache of validated data folders: a second load gives the same data without parsing,
and any change to the folder, the date or the data's validity is seen."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from reportlib.errors import DataError
from reportlib.inputs import cache as datacache
from reportlib.inputs import datafolder, dataset

from ..conftest import assert_no_traceback, run_cli

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    place = tmp_path / "cache"
    monkeypatch.setenv("REPORTLIB_CACHE_DIR", str(place))
    return place


def test_second_load_comes_from_the_cache_and_equals_the_first(data_copy, cache, monkeypatch):
    first = dataset.load(data_copy, TODAY)
    assert len(list(cache.glob("*.pickle"))) == 1
    monkeypatch.setattr(dataset, "_load", lambda *a: pytest.fail("parsed again"))
    second = dataset.load(data_copy, TODAY)
    pd.testing.assert_frame_equal(first.incidents, second.incidents)
    assert [i.period for i in first.issues] == [i.period for i in second.issues]
    assert second.warnings == first.warnings


def test_an_edit_that_keeps_size_and_time_is_seen(good_copy, cache):
    # The small test data: the shipped rows are stated by its issue's events, which would
    # (rightly) refuse a count changed under them.
    path = good_copy / "incidents.csv"
    before = dataset.load(good_copy, TODAY)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # One digit for another: same size; the time is put back as it was.
    changed = text.replace(",4,1,true,", ",5,1,true,", 1)
    assert changed != text and len(changed) == len(text)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = dataset.load(good_copy, TODAY)
    assert after.incidents["incidents"].sum() == before.incidents["incidents"].sum() + 1


def test_errors_are_never_cached(data_copy, cache):
    dataset.load(data_copy, TODAY)
    with (data_copy / "incidents.csv").open("a", encoding="utf-8") as stream:
        stream.write("BAD-1,2020-13-45,,IED,Baghdad,,,,1,1,false,0,false,x,y,z\n")
    for _ in range(2):
        with pytest.raises(DataError):
            dataset.load(data_copy, TODAY)


def test_a_different_day_is_a_different_entry(data_copy, cache):
    dataset.load(data_copy, TODAY)
    dataset.load(data_copy, TODAY + dt.timedelta(days=1))
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_broken_entry_is_ignored_and_replaced(data_copy, cache):
    dataset.load(data_copy, TODAY)
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert len(dataset.load(data_copy, TODAY).incidents) > 0
    assert entry.read_bytes() != b"not a pickle"


def test_big_folders_and_off_are_not_cached(data_copy, cache, monkeypatch):
    monkeypatch.setattr(datacache, "CACHE_LIMIT", 100)
    dataset.load(data_copy, TODAY)
    assert not cache.exists()
    monkeypatch.undo()
    monkeypatch.setenv("REPORTLIB_CACHE_DIR", "off")
    dataset.load(data_copy, TODAY)
    assert not cache.exists()


def test_old_entries_are_pruned(data_copy, cache, monkeypatch):
    monkeypatch.setattr(datacache, "KEEP", 2)
    for days in range(4):
        dataset.load(data_copy, TODAY + dt.timedelta(days=days))
    assert len(list(cache.glob("*.pickle"))) == 2


def test_an_unwritable_cache_does_not_stop_a_command(data_copy, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("validate", "--data", data_copy, env={"REPORTLIB_CACHE_DIR": str(blocker / "cache")})
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)


# -- the cache key reads what the loader reads -------------------------------------------------

def _every_kind_of_file(folder):
    """The small good data with a file of every kind the loader reads: a sheet in each
    table's folder, a dot-named sheet, and the issue file."""
    for table, sheet in (("incidents", "incidents.csv"), ("indicators", "indicators.csv"),
                         ("sources", "sources.csv")):
        (folder / table).mkdir()
        header = (folder / sheet).read_text(encoding="utf-8").splitlines()[0]
        (folder / table / "week.csv").write_text(header + "\n" + _row(table, "W"), encoding="utf-8")
    header = (folder / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "incidents" / ".extra.csv").write_text(header + "\n" + _row("incidents", "X"), encoding="utf-8")
    return folder


def _row(table: str, prefix: str) -> str:
    return {
        "incidents": f"{prefix}-1,2020-11-27,,IED,Ninawa,,,Iraqis,1,2,false,3,false,Test source,test-1,\n",
        "indicators": "2020-12-02,covid_cases_total,,550000,Test ministry,test-1,\n",
        "sources": f"{prefix.lower()}-doc,Another document,Test publisher,2020-12-03,,\n",
    }[table]


KINDS = ["monitor.yaml", "sources.csv", "sources/week.csv", "incidents.csv", "incidents/week.csv",
         "incidents/.extra.csv", "indicators.csv", "indicators/week.csv", "issues/2020-12-03.yaml"]


@pytest.mark.parametrize("name", KINDS)
def test_a_change_to_any_file_the_loader_reads_is_a_cache_miss(name, good_copy, cache):
    folder = _every_kind_of_file(good_copy)
    loaded = dataset.load(folder, TODAY)
    assert len(loaded.incidents) == 5 and len(list(cache.glob("*.pickle"))) == 1
    assert folder / name in loaded.files
    path = folder / name
    # Invalid either way: YAML that does not parse; a row whose first value is a formula.
    if name.endswith(".yaml"):
        damage = "\nextra: [unclosed\n"
    else:
        header = path.read_text(encoding="utf-8").splitlines()[0]
        damage = "=1+1" + "," * header.count(",") + "\n"
    with path.open("a", encoding="utf-8") as stream:
        stream.write(damage)
    with pytest.raises(DataError) as raised:
        dataset.load(folder, TODAY)
    assert any(p.file == f"data/{name}" for p in raised.value.problems), raised.value.problems


def test_the_cache_key_hashes_exactly_the_bytes_the_loader_parses(good_copy, cache, monkeypatch):
    """By construction: the key is computed from DataFolder.read(keep=True) of the folder's
    list, and the loader parses through DataFolder.read of the same list."""
    folder = _every_kind_of_file(good_copy)
    (folder / "README.md").write_text("not data", encoding="utf-8")
    calls = []
    original = datafolder.DataFolder.read

    def spy(self, path, keep=False):
        calls.append((path, keep))
        return original(self, path, keep)

    monkeypatch.setattr(datafolder.DataFolder, "read", spy)
    loaded = dataset.load(folder, TODAY)
    hashed = [path for path, keep in calls if keep]
    parsed = [path for path, keep in calls if not keep]
    assert hashed == parsed == loaded.files
    assert sorted(str(p.relative_to(folder)) for p in loaded.files) == sorted(KINDS)


def test_a_new_dot_named_sheet_with_bad_rows_is_seen_by_validate(good_copy, tmp_path):
    """The defect as reported: `.extra.csv` was loaded but not hashed, so `validate` kept
    saying OK from the cache after its rows went bad."""
    folder = _every_kind_of_file(good_copy)
    env = {"REPORTLIB_CACHE_DIR": str(tmp_path / "cli-cache")}
    first = run_cli("validate", "--data", folder, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    with (folder / "incidents" / ".extra.csv").open("a", encoding="utf-8") as stream:
        stream.write("X-2,2020-13-45,,IED,Atlantis,,,,1,1,false,0,false,x,test-1,\n")
    second = run_cli("validate", "--data", folder, cwd=tmp_path, env=env)
    assert_no_traceback(second)
    assert second.returncode == 2, second.stdout
    assert "data/incidents/.extra.csv:3: column event_date: value '2020-13-45': impossible date" in second.stderr
