"""Running a notebook's code cells in one request to the kernel gives the notebook that
running them one by one gives: the same outputs in the same cells, the same execution
counts and papermill status, and a failure held by the cell that failed."""

from __future__ import annotations

import json

import nbformat
import papermill
import pytest

from reportlib.engine import kernels
from reportlib.errors import NotebookExecutionError
from reportlib.render import execute

CELLS = [
    ("markdown", "# A notebook"),
    ("code", "x = 2\nprint('first line')\nprint('to stderr', file=__import__('sys').stderr)"),
    ("code", "x * 21"),
    ("markdown", "Between the cells."),
    ("code", ""),
    ("code", "from IPython.display import HTML, display\ndisplay(HTML('<b>one</b>'))\n"
             "display(HTML('<b>two</b>'))\nprint('after the displays')"),
    ("code", "for i in range(3):\n    print(i)\nx"),
]


def notebook(tmp_path, cells, name="nb.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
                for kind, source in cells]
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def comparable(nb) -> list[dict]:
    """Each cell without what differs from run to run (times, ids, timing metadata)."""
    out = []
    for cell in json.loads(json.dumps(nb))["cells"]:
        papermill_meta = {k: v for k, v in cell["metadata"].get("papermill", {}).items()
                          if k not in ("start_time", "end_time", "duration")}
        out.append({"type": cell["cell_type"], "count": cell.get("execution_count"),
                    "outputs": cell.get("outputs"), "papermill": papermill_meta})
    return out


def run_here(path, output, tmp_path, forked=False):
    kernel = kernels.Kernel(kernels.start(kernels.manager(forked=forked), tmp_path))
    try:
        return kernel.run(execute.execute, path, output, {}, 60).result()
    finally:
        kernel.close()


@pytest.mark.parametrize("forked", [False, True], ids=["fresh", "forked"])
def test_the_same_notebook_as_cell_by_cell(tmp_path, forked):
    """Kernels started fresh or forked from the template give the notebook papermill gives."""
    path = notebook(tmp_path, CELLS)
    ours = run_here(path, tmp_path / "ours.ipynb", tmp_path, forked)
    theirs = papermill.execute_notebook(str(path), str(tmp_path / "theirs.ipynb"), progress_bar=False,
                                       kernel_name="python3")
    assert comparable(ours) == comparable(theirs)
    first = ours.cells[1].outputs
    assert [(o.output_type, o.get("name")) for o in first] == [("stream", "stdout"), ("stream", "stderr")]
    assert ours.cells[2].outputs[0].data["text/plain"] == "42"
    assert [c.execution_count for c in ours.cells if c.cell_type == "code" and c.source] == [1, 2, 3, 4]
    written = nbformat.read(str(tmp_path / "ours.ipynb"), as_version=4)
    assert "vnd.reportlib" not in json.dumps(written)


def test_a_failing_cell_holds_its_error_and_the_rest_do_not_run(tmp_path):
    cells = [*CELLS[:3], ("code", "print('before')\n1 / 0"), ("code", "print('never')")]
    path = notebook(tmp_path, cells)
    with pytest.raises(NotebookExecutionError) as raised:
        run_here(path, tmp_path / "out.ipynb", tmp_path)
    failure = raised.value.failure
    assert (failure.cell_index, failure.ename) == (3, "ZeroDivisionError")
    # papermill adds a note about the failure to the saved notebook: find cells by source.
    kept = {c.source: c for c in nbformat.read(str(tmp_path / "out.ipynb"), as_version=4).cells}
    failed, after = kept["print('before')\n1 / 0"], kept["print('never')"]
    assert [o.output_type for o in failed.outputs] == ["stream", "error"]
    assert failed.metadata.papermill.status == "failed"
    assert after.outputs == [] and after.metadata.papermill.status == "pending"
    assert kept["x * 21"].outputs[0].data["text/plain"] == "42"


def test_the_failing_cell_is_named_as_the_kept_notebook_shows_it(tmp_path):
    """papermill opens the saved notebook with a cell of its own about the failure, and a
    build inserts its parameters: the error names the cell by its place there and its In [N]."""
    cells = [("code", "x = 1"), ("markdown", "Some prose"), ("code", "y = 2"), ("code", "1 / 0")]
    path = notebook(tmp_path, cells)
    with pytest.raises(NotebookExecutionError) as raised:
        run_here(path, tmp_path / "out.ipynb", tmp_path)
    failure = raised.value.failure
    kept = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4).cells
    assert kept[failure.position - 1].source == "1 / 0"
    assert failure.execution_count == kept[failure.position - 1].execution_count == 3
    assert failure.position != failure.cell_index  # papermill's index would point elsewhere
    assert str(raised.value) == f"cell {failure.position} (In [3]) raised ZeroDivisionError: division by zero"


def test_top_level_await_runs_cell_by_cell(tmp_path):
    path = notebook(tmp_path, [("code", "import asyncio\nawait asyncio.sleep(0)\n'awaited'"), ("code", "1 + 1")])
    ran = run_here(path, tmp_path / "out.ipynb", tmp_path)
    assert [c.outputs[0].data["text/plain"] for c in ran.cells] == ["'awaited'", "2"]


def test_a_cell_past_the_timeout_stops_the_notebook(tmp_path):
    path = notebook(tmp_path, [("code", "1 + 1"), ("code", "import time\ntime.sleep(60)"), ("code", "2 + 2")])
    kernel = kernels.Kernel(kernels.start(kernels.manager(), tmp_path))
    try:
        with pytest.raises(NotebookExecutionError, match="ran longer than the 2 s execution timeout") as raised:
            kernel.run(execute.execute, path, tmp_path / "out.ipynb", {}, 2).result(timeout=50)
    finally:
        kernel.close()
    assert raised.value.failure.cell_index == 1
