"""An import that would change a period already built says so and changes nothing unless
asked: before writing, every report under --out is fingerprinted on the data as it is and
as it would be; the import lists the periods that would change and exits 2, and
--allow-changes writes. The outputs here come from a real `reportlib build`."""

from __future__ import annotations

import json
import shutil

import pytest

from ..conftest import DATA, assert_no_traceback, run_cli
from .test_import_types import RECORD
from .test_importers import OWID


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """outputs/ with the shipped issue of November 19 – December 3, 2020 built."""
    out = tmp_path_factory.mktemp("built") / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert result.returncode == 0, result.stderr
    assert (out / "2020-12-03" / "manifest.json").exists()
    return out


def _import(kind, *args, data, out):
    return run_cli("import", kind, *args, "--data", data, "--out", out)


def _snapshot(data_dir, out):
    files = sorted(p for p in [*data_dir.rglob("*"), *out.rglob("*")] if p.is_file())
    return {p: p.read_bytes() for p in files}


def test_an_import_into_a_built_period_is_refused_and_names_it(data_copy, built):
    before = _snapshot(data_copy, built)
    result = _import("acled", RECORD, data=data_copy, out=built)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert f"this import would change 1 period already built under {built}/" in result.stderr
    # Three new events fall in the period; the two repeats are not counted, so not read.
    assert ("2020-12-03 (November 19 – December 3, 2020): incident rows 9 -> 12 "
            f"({built}/2020-12-03/manifest.json)") in result.stderr
    assert "add 5 rows to" in result.stderr
    assert "nothing was written" in result.stderr and "--allow-changes" in result.stderr
    assert _snapshot(data_copy, built) == before


def test_allow_changes_writes_and_says_which_periods_changed(data_copy, built):
    result = _import("acled", RECORD, "--allow-changes", data=data_copy, out=built)
    assert result.returncode == 0, result.stderr
    assert "added 5 rows" in result.stdout
    assert "changed the inputs of 1 built period(s), as --allow-changes allowed: 2020-12-03" in result.stdout
    assert (data_copy / "incidents" / "acled.csv").exists()


def test_rows_outside_every_built_period_need_no_permission(data_copy, built, tmp_path):
    header, first = RECORD.read_text().splitlines()[:2]
    later = tmp_path / "later.csv"
    later.write_text(header + "\n" + first.replace("2020-11-25", "2020-12-08") + "\n")
    result = _import("acled", later, data=data_copy, out=built)
    assert result.returncode == 0, result.stderr
    assert "added 1 row to" in result.stdout
    assert "changed" not in result.stdout


def test_a_repeat_of_an_event_already_counted_changes_no_built_period(data_copy, built, tmp_path):
    header, *rows = RECORD.read_text().splitlines()
    kut = tmp_path / "kut.csv"
    kut.write_text(header + "\n" + rows[2] + "\n")  # IRQ70003, the Kut deaths the issue gives
    result = _import("acled", kut, data=data_copy, out=built)
    assert result.returncode == 0, result.stderr
    assert "IRQ70003 repeats ISHM-20201203-09" in result.stdout
    assert "changed" not in result.stdout


def test_owid_follows_the_same_rule(data_copy, built):
    refused = _import("owid", OWID, "--country", "Iraq", data=data_copy, out=built)
    assert_no_traceback(refused)
    assert refused.returncode == 2
    assert "2020-12-03 (November 19 – December 3, 2020): indicator values 9 -> 79" in refused.stderr
    assert not (data_copy / "indicators").exists()
    allowed = _import("owid", OWID, "--country", "Iraq", "--allow-changes", data=data_copy, out=built)
    assert allowed.returncode == 0, allowed.stderr
    assert "added 70 values" in allowed.stdout and "2020-12-03" in allowed.stdout


def test_an_unreadable_manifest_is_named(data_copy, built, tmp_path):
    out = tmp_path / "outputs"
    shutil.copytree(built, out)
    (out / "2020-11-19").mkdir()
    (out / "2020-11-19" / "manifest.json").write_text("{not json")
    result = _import("acled", RECORD, data=data_copy, out=out)
    assert result.returncode == 2
    assert f"{out}/2020-11-19/manifest.json: not a readable manifest" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_refused_import_leaves_the_published_figures_and_an_allowed_one_rebuilds(data_copy, built, tmp_path):
    """The story of the issue: a row dated in an issue already built changed its figures
    silently (34/40 became 35/42). Now the refusal keeps the build up to date; with
    --allow-changes the next build changes the figures by the new events only."""
    out = tmp_path / "outputs"
    shutil.copytree(built, out)

    def incidents_figure():
        manifest = json.loads((out / "2020-12-03" / "manifest.json").read_text())
        return {f["name"]: f["value"] for f in manifest["summary"]["key_figures"]}["incidents"]

    published = incidents_figure()
    assert _import("acled", RECORD, data=data_copy, out=out).returncode == 2
    again = run_cli("build", "--data", data_copy, "--out", out)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert _import("acled", RECORD, "--allow-changes", data=data_copy, out=out).returncode == 0
    rebuilt = run_cli("build", "--data", data_copy, "--out", out)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "built in" in rebuilt.stdout
    # Five rows imported, two of them repeats: three more incidents, not five.
    assert incidents_figure() == published + 3
