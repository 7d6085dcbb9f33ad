"""Many periods: what the planner rebuilds when what changes, batches through the real CLI,
byte-identical rebuilds, and the same tasks on a Dask cluster."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest

import reportlib
from reportlib.batch import fingerprint, plan

from ..conftest import NOTEBOOK, assert_no_traceback, run_cli


def keys(data_dir: Path, notebook: Path = NOTEBOOK, **params) -> dict[str, str]:
    data = reportlib.load(data_dir)
    out = {}
    for period in data.periods():
        task = plan.Task(str(data_dir), period, "/tmp/unused", str(notebook), parameters=params)
        out[period.label] = plan.task_key(task, data)[1]
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def add_incident(data_dir: Path, day: str) -> None:
    """One more row, by column name: the sheet's columns are what demo-data wrote."""
    path = data_dir / "incidents.csv"
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    row = {"event_id_cnty": "TEST-EXTRA", "event_date": day, "incident_type": "IED", "admin1": "Baghdad",
           "incidents": "1", "fatalities": "1", "fatalities_min": "false", "wounded": "0", "wounded_min": "false",
           "source": "Synthetic generator", "reference": "synthetic", "notes": "x"}
    with path.open("a", encoding="utf-8") as stream:
        stream.write(",".join(row.get(name, "") for name in header) + "\n")


def test_unchanged_inputs_give_the_same_keys(demo):
    assert keys(demo) == keys(demo)


def test_one_weeks_incidents_rebuild_that_week_and_the_weeks_that_read_it(demo):
    """monitor.yaml of the demo data reads 8 weeks back for the trend: a change in the
    third week touches it and every later week, nothing before it."""
    before = keys(demo)
    labels = sorted(before)
    third = dt.date.fromisoformat(labels[2])
    add_incident(demo, (third - dt.timedelta(days=2)).isoformat())
    assert changed(before, keys(demo)) == labels[2:]


def test_trend_window_bounds_what_is_rebuilt(demo):
    text = (demo / "monitor.yaml").read_text().replace("trend_weeks: 8", "trend_weeks: 1")
    (demo / "monitor.yaml").write_text(text)
    before = keys(demo)
    labels = sorted(before)
    second = dt.date.fromisoformat(labels[1])
    add_incident(demo, (second - dt.timedelta(days=1)).isoformat())
    # That week, and the next one whose one-week trend window reads it.
    assert changed(before, keys(demo)) == labels[1:3]


def test_trend_weeks_given_with_p_is_the_window_the_planner_hashes(demo):
    """-p trend_weeks=1: the notebook reads one week back, and so does the key; a change
    three weeks back rebuilds only the weeks whose one-week window reads it."""
    before = keys(demo, trend_weeks=1)
    labels = sorted(before)
    second = dt.date.fromisoformat(labels[1])
    add_incident(demo, (second - dt.timedelta(days=1)).isoformat())
    assert changed(before, keys(demo, trend_weeks=1)) == labels[1:3]


def test_narrative_changes_rebuild_only_their_issue(demo):
    before = keys(demo)
    labels = sorted(before)
    issue = demo / "issues" / f"{labels[3]}.yaml"
    issue.write_text(issue.read_text().replace("Headline", "Changed Headline", 1))
    assert changed(before, keys(demo)) == [labels[3]]


def test_notebook_parameters_and_monitor_rebuild_everything(demo, tmp_path):
    before = keys(demo)
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("An extra note."))
    edited = tmp_path / "weekly_report.ipynb"
    nbformat.write(nb, str(edited))
    assert changed(before, keys(demo, edited)) == sorted(before)
    assert changed(before, keys(demo, trend_weeks=2)) == sorted(before)
    (demo / "monitor.yaml").write_text((demo / "monitor.yaml").read_text().replace("Synthetic Security",
                                                                                    "Renamed Synthetic"))
    assert changed(before, keys(demo)) == sorted(before)


def test_a_new_period_rebuilds_its_neighbour(demo):
    """Each report links to the next issue, so declaring a new week changes the last one."""
    import yaml

    before = keys(demo)
    labels = sorted(before)
    last = dt.date.fromisoformat(labels[-1])
    new_end = (last + dt.timedelta(days=7)).isoformat()
    issue = {"period_start": labels[-1], "period_end": new_end, "reference": "synthetic",
             "sections": {s: {"headline": "A Headline", "events": []}
                          for s in ("politics", "armed_groups", "security", "humanitarian")}}
    (demo / "issues" / f"{new_end}.yaml").write_text(yaml.safe_dump(issue))
    after = keys(demo)
    assert changed(before, {k: after[k] for k in before}) == [labels[-1]]


@pytest.mark.slow
def test_batch_builds_skips_and_rebuilds_through_the_cli(demo, tmp_path):
    out = tmp_path / "outputs"
    labels = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))
    first = run_cli("build", "--data", demo, "--out", out, "--from", labels[-3], "--to", labels[-1], "--jobs", "2")
    assert_no_traceback(first)
    assert first.returncode == 0, first.stderr
    assert "built 3, skipped 0, failed 0" in first.stdout
    assert "3/3" in first.stderr  # the progress line
    for label in labels[-3:]:
        assert (out / label / "report.pdf").stat().st_size > 0
    again = run_cli("build", "--data", demo, "--out", out, "--from", labels[-3], "--to", labels[-1])
    assert "built 0, skipped 3, failed 0" in again.stdout
    add_incident(demo, labels[-2])
    third = run_cli("build", "--data", demo, "--out", out, "--from", labels[-3], "--to", labels[-1])
    assert "built 2, skipped 1, failed 0" in third.stdout
    synthetic = (out / labels[-1] / "report.html").read_text()
    assert "Synthetic data" in synthetic


@pytest.mark.slow
def test_a_failing_period_does_not_stop_the_others(demo, tmp_path):
    labels = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        f"if period_end == {labels[-2]!r}:\n    raise RuntimeError('this week is broken')"))
    notebook = tmp_path / "weekly_report.ipynb"
    nbformat.write(nb, str(notebook))
    out = tmp_path / "outputs"
    result = run_cli("build", "--data", demo, "--out", out, "--notebook", notebook, "--from", labels[-3],
                     "--to", labels[-1], "--jobs", "2")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "built 2, skipped 0, failed 1" in result.stdout
    assert f"{labels[-2]}: FAILED" in result.stderr and "this week is broken" in result.stderr
    assert (out / labels[-2] / "report.failed.ipynb").exists()
    assert not (out / labels[-2] / "report.pdf").exists()
    assert (out / labels[-1] / "report.pdf").exists()


def strip_volatile(nb: dict, fields: list[str]) -> dict:
    """Remove the fields the manifest names as changing between identical runs."""
    def drop(node, path):
        head, _, rest = path.partition(".")
        if head == "cells[*]":
            for cell in node.get("cells", []):
                drop(cell, rest)
        elif not rest:
            node.pop(head, None)
        elif isinstance(node.get(head), dict):
            drop(node[head], rest)
    for field in fields:
        drop(nb, field)
    return nb


@pytest.mark.slow
def test_rebuilding_gives_the_same_bytes(tmp_path):
    from ..conftest import DATA

    first_out, second_out = tmp_path / "one", tmp_path / "two"
    for out in (first_out, second_out):
        result = run_cli("build", "--data", DATA, "--out", out, "--force")
        assert result.returncode == 0, result.stderr
    one, two = first_out / "2020-12-03", second_out / "2020-12-03"
    assert (one / "report.html").read_bytes() == (two / "report.html").read_bytes()
    assert (one / "report.pdf").read_bytes() == (two / "report.pdf").read_bytes()
    manifest = json.loads((one / "manifest.json").read_text())
    volatile = manifest["volatile_notebook_fields"]
    nb_one = strip_volatile(json.loads((one / "report.ipynb").read_text()), volatile)
    nb_two = strip_volatile(json.loads((two / "report.ipynb").read_text()), volatile)
    assert nb_one == nb_two
    assert json.loads((two / "manifest.json").read_text())["key"] == manifest["key"]


@pytest.mark.slow
def test_batch_and_single_builds_agree(demo, tmp_path):
    """A report from a forked kernel in a batch worker is the same as one built alone."""
    labels = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))
    batch_out, single_out = tmp_path / "batch", tmp_path / "single"
    result = run_cli("build", "--data", demo, "--out", batch_out, "--from", labels[-2], "--to", labels[-1],
                     "--jobs", "1")
    assert result.returncode == 0, result.stderr
    result = run_cli("build", "--data", demo, "--out", single_out, "--period-end", labels[-1])
    assert result.returncode == 0, result.stderr
    for name in ("report.html", "report.pdf"):
        assert (batch_out / labels[-1] / name).read_bytes() == (single_out / labels[-1] / name).read_bytes()


@pytest.mark.dask
@pytest.mark.slow
def test_periods_run_on_a_dask_cluster(demo, tmp_path):
    distributed = pytest.importorskip("distributed")
    labels = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))
    out = tmp_path / "shared-outputs"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        result = run_cli("build", "--data", demo, "--out", out, "--from", labels[-2], "--to", labels[-1],
                         "--scheduler", cluster.scheduler_address)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert f"on {cluster.scheduler_address}" in result.stderr
    assert "built 2, skipped 0, failed 0" in result.stdout
    for label in labels[-2:]:
        assert (out / label / "report.pdf").stat().st_size > 0


def test_unreachable_scheduler_is_a_clear_error(demo, tmp_path):
    labels = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))
    result = run_cli("build", "--data", demo, "--out", tmp_path / "o", "--from", labels[0], "--to", labels[-1],
                     "--scheduler", "tcp://127.0.0.1:9")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler" in result.stderr


def test_package_hash_covers_templates():
    assert fingerprint.package_hash() == fingerprint.package_hash()
