"""An edit made in a notebook's jupytext twin alone (notebooks/X.py) is not ignored: the build,
which runs X.ipynb, refuses it with the command that brings it into the notebook, instead of
saying "up to date"."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from reportlib.errors import UsageError
from reportlib.reports import shipped

from ..conftest import DATA, ROOT, assert_no_traceback, run_cli


@pytest.fixture
def pair(tmp_path):
    for suffix in (".ipynb", ".py"):
        shutil.copy2(ROOT / "notebooks" / f"weekly_report{suffix}", tmp_path / f"weekly_report{suffix}")
    return tmp_path / "weekly_report.ipynb", tmp_path / "weekly_report.py"


def _later(path, seconds: float = 10) -> None:
    now = time.time() + seconds
    os.utime(path, (now, now))


def test_a_build_refuses_a_notebook_whose_twin_was_edited_alone(pair, tmp_path):
    notebook, twin = pair
    twin.write_text(twin.read_text(encoding="utf-8").replace("report.key_figures()", "report.key_figures()\nx = 1"),
                    encoding="utf-8")
    _later(twin)
    out = tmp_path / "outputs"
    result = run_cli("build", "--notebook", notebook, "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert f"{twin} was edited after weekly_report.ipynb and says something else in cell 3" in result.stderr
    assert f"jupytext --sync {notebook}" in result.stderr
    assert not out.exists()


def test_a_twin_saved_with_its_notebook_or_only_touched_is_no_difference(pair):
    notebook, twin = pair
    assert shipped.check_twin(notebook) == notebook
    _later(twin)  # newer, same cells
    assert shipped.check_twin(notebook) == notebook
    # An edit in the notebook (newer than its twin) is what the build runs: no refusal.
    twin.write_text(twin.read_text(encoding="utf-8") + "\n# %%\nextra = 1\n", encoding="utf-8")
    _later(notebook, 20)
    assert shipped.check_twin(notebook) == notebook
    _later(twin, 30)
    with pytest.raises(UsageError, match=r"has \d+ cells where the notebook has \d+"):
        shipped.check_twin(notebook)
