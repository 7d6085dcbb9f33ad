"""What a published version keeps of its build besides the data, and the words a correction
records when the report changes with its notebook, its parameters, the code or the tools:
from the real inputs of the shipped issue's report (batch.fingerprint)."""

from __future__ import annotations

import shutil

import nbformat

from reportlib.batch import guard
from reportlib.batch.fingerprint import period_inputs
from reportlib.inputs.dataset import load

from ..conftest import DATA, NOTEBOOK


def inputs(notebook=NOTEBOOK, **parameters) -> dict:
    data = load(DATA)
    view = data.select(data.latest_period())
    given = {"period_end": "2020-12-03", "period_start": "2020-11-19", "data_dir": str(DATA), **parameters}
    return guard.build_inputs(period_inputs(data, view, notebook, given))


def test_a_version_keeps_the_inputs_besides_the_data():
    kept = inputs()
    assert set(kept) == {"notebook", "parameters", "package", "tools"}
    assert kept["notebook"]["path"] == "weekly_report.ipynb" and "data_dir" not in kept["parameters"]
    assert guard.build_changes(kept, inputs()) == ["the report's build changed (its inputs besides the data)"]


def test_each_input_that_changed_is_named(tmp_path):
    published = inputs()
    notebook = tmp_path / "weekly_report.ipynb"
    shutil.copyfile(NOTEBOOK, notebook)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "report.governorate_map()" not in c.source]
    nbformat.write(nb, notebook)
    assert guard.build_changes(published, inputs(notebook)) == [
        "the report's notebook changed (weekly_report.ipynb)"]
    assert guard.build_changes(published, inputs(trend_weeks=8)) == [
        "the report's parameters changed (trend_weeks None → 8)"]
    upgraded = {**published, "package": {"version": "9.0", "sha256": "0" * 64},
                "tools": {**published["tools"], "weasyprint": "99.0"}}
    assert guard.build_changes(published, upgraded) == [
        f"reportlib's code changed ({published['package']['version']} → 9.0)",
        f"the tools that render it changed (weasyprint {published['tools']['weasyprint']} → 99.0)"]


def test_a_record_written_before_the_inputs_were_kept_says_it_cannot_tell():
    assert guard.build_changes({}, inputs()) == [
        "the report's notebook, its parameters or reportlib's code changed (the record of the published version "
        "does not say which)"]
