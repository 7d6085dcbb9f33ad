"""The cache of validated data folders: a second load gives the same data without parsing,
and any change to the folder, the date or the data's validity is seen."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from reportlib.errors import DataError
from reportlib.inputs import cache as datacache
from reportlib.inputs import dataset

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
