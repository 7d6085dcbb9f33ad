"""A batch worker's kernel serves report after report (reportlib.engine.isolation): what one
report does to the kernel never reaches the next, and a report comes out the same bytes
built alone, first in a kernel or after others, in any order or grouping."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import reportlib
from reportlib.batch import plan, runner

from ..batch.test_batch import strip_volatile
from ..conftest import NOTEBOOK, ROOT, run_cli

HOSTILE = ROOT / "tests" / "data" / "hostile" / "hostile.ipynb"
PROBE = ROOT / "tests" / "data" / "hostile" / "probe.ipynb"


def tasks(data_dir: Path, out: Path, notebooks: list[Path], periods=None) -> list[plan.Task]:
    data = reportlib.load(data_dir)
    periods = periods or data.periods()[:len(notebooks)]
    return [plan.Task(str(data_dir), p, str(out), str(nb),
                      forked_kernels=True, force=True) for p, nb in zip(periods, notebooks, strict=True)]


def outputs(task: plan.Task) -> list:
    nb = nbformat.read(task.folder / "report.ipynb", as_version=4)
    return [cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"
            and "injected-parameters" not in cell.metadata.get("tags", [])]


def built(results) -> None:
    assert [r.status for r in results] == ["built"] * len(results), [r.message for r in results]


@pytest.mark.slow
def test_a_report_finds_the_kernel_as_the_first_report_found_it(demo, tmp_path):
    """probe, hostile, probe on one kernel: the second probe sees none of what the hostile
    report changed (its globals, imports, rcParams, backend and open figures, warnings
    filters, working folder, environment, sys.path, numpy's and pandas' settings, the random
    generators, IPython's callbacks and printers) and prints what the first one printed."""
    todo = tasks(demo, tmp_path / "out", [PROBE, HOSTILE, PROBE])
    built(runner.run_batch(todo, 1, data=reportlib.load(demo)))
    first, hostile, second = (outputs(task) for task in todo)
    # One kernel ran all three (its process id, printed by the first cell of each).
    assert first[1] == hostile[1] == second[1]
    assert "HOSTILE CALLBACK" in json.dumps(hostile)
    assert second[2:] == first[2:]
    state = json.loads("".join(first[2][0]["text"]))
    assert state["environment"] == [None, None] and state["colorsys imported"] is False
    assert state["rc"] == [1.5, 10.0] and state["figures"] == [] and state["pandas precision"] == 6
    assert "leaked" not in state["globals"]
    # The warning is shown again, the figure displayed again, the counts start again.
    assert "a warning every report shows" in json.dumps(second[3])
    assert any("image/png" in output.get("data", {}) for output in second[3])


@pytest.mark.slow
def test_reports_are_the_same_alone_or_in_any_batch(demo, tmp_path):
    data = reportlib.load(demo)
    periods = data.periods()[-3:]
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    built(runner.run_batch(tasks(demo, forward, [NOTEBOOK] * 3, periods), 1, data=data))
    built(runner.run_batch(tasks(demo, backward, [NOTEBOOK] * 3, periods[::-1]), 1, data=data))
    # And after a report that changes everything it can.
    mixed = tmp_path / "mixed"
    built(runner.run_batch(tasks(demo, mixed, [HOSTILE, NOTEBOOK], [periods[0], periods[-1]]), 1, data=data))
    alone = tmp_path / "alone"
    for period in (periods[0], periods[-1]):
        result = run_cli("build", "--data", demo, "--out", alone, "--period-end", period.end.isoformat())
        assert result.returncode == 0, result.stderr
    for period in (periods[0], periods[-1]):
        label = period.end.isoformat()
        folders = [forward / label, backward / label, alone / label]
        if period == periods[-1]:
            folders.append(mixed / label)
        for name in ("report.html", "report.pdf"):
            assert len({(folder / name).read_bytes() for folder in folders}) == 1, (label, name)
        volatile = json.loads((alone / label / "manifest.json").read_text())["volatile_notebook_fields"]
        notebooks = [strip_volatile(json.loads((folder / "report.ipynb").read_text()), volatile)
                     for folder in folders]
        assert all(nb == notebooks[0] for nb in notebooks), label
