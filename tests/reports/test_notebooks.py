"""The report notebooks as an analyst meets them: each paired with a percent-format Python
twin that says the same thing, each declaring the parameters the build passes, and each
running top to bottom as saved, from notebooks/, on the shipped data (what JupyterLab does
with "Run All")."""

from __future__ import annotations

import tomllib

import jupytext
import nbformat
import papermill
import pytest

from ..conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
BUILD_PARAMETERS = ("period_end", "period_start", "data_dir")


def cells(notebook) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), c.metadata.get("tags", [])) for c in notebook.cells]


def test_there_are_report_notebooks():
    assert {p.name for p in PATHS} >= {"weekly_report.ipynb", "trends_report.ipynb"}


def test_pairing_is_configured_for_the_folder():
    config = tomllib.loads((NOTEBOOKS / "jupytext.toml").read_text(encoding="utf-8"))
    assert config["formats"] == "ipynb,py:percent"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_and_its_twin_are_in_sync(path):
    twin = path.with_suffix(".py")
    assert twin.exists(), f"{twin.name} is missing; run `jupytext --sync {path.relative_to(ROOT)}`"
    notebook = jupytext.read(path)
    text = jupytext.read(twin)
    assert cells(text) == cells(notebook), f"run `jupytext --sync {path.relative_to(ROOT)}`"
    header = twin.read_text(encoding="utf-8").split("# ---", 2)[1]
    assert "format_name: percent" in header


def test_every_twin_has_its_notebook():
    for twin in NOTEBOOKS.glob("*.py"):
        assert twin.with_suffix(".ipynb").exists(), twin.name


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_declares_what_the_build_passes(path):
    declared = papermill.inspect_notebook(str(path))
    for name in BUILD_PARAMETERS:
        assert name in declared, f"{path.name} does not declare {name}"
        assert declared[name]["inferred_type_name"] == "str", name
    assert declared["data_dir"]["default"] == '"../data"'


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs_as_saved_from_its_folder(path):
    """No parameters injected: the defaults in the parameters cell must give the report of
    the shipped data's latest period."""
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    html = [o.data["text/html"] for c in code for o in c.outputs if "text/html" in o.get("data", {})]
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(html) == len(code) - len(parameters)
    assert '<h1 class="title">Iraq Security and Humanitarian Monitor</h1>' in html[0]
    assert "November 19 – December 3, 2020" in html[0]
    assert sum("data:image/svg+xml;base64," in h for h in html) >= 4
