"""-p NAME=VALUE: the build's own parameters cannot be set, and every value is checked against
the type the notebook's parameters cell declares before any file or folder is made."""

from __future__ import annotations

import nbformat
import pytest

from reportlib.errors import UsageError
from reportlib.render.execute import typed_parameters

from ..conftest import DATA, NOTEBOOK, assert_no_traceback, run_cli


@pytest.mark.parametrize("name", ["period_end", "period_start", "data_dir"])
def test_the_builds_own_parameters_are_refused(tmp_path, name):
    out = tmp_path / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out, "-p", f"{name}=2020-11-26")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert f"-p {name} cannot be set" in result.stderr
    assert not out.exists()


def test_a_value_of_the_wrong_type_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out, "-p", "trend_weeks=abc", env={"TMPDIR": str(tmp_path)})
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "-p trend_weeks=abc: weekly_report.ipynb declares trend_weeks as int" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "not even a kernel's folder"


def test_an_undeclared_parameter_is_refused(tmp_path):
    result = run_cli("build", "--data", DATA, "--out", tmp_path / "o", "-p", "trend_wekes=3")
    assert result.returncode == 2
    assert "has no parameter 'trend_wekes'" in result.stderr


def test_values_take_the_declared_type(tmp_path):
    assert typed_parameters(NOTEBOOK, {"trend_weeks": "3"}) == {"trend_weeks": 3}
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells[0].source += ('\nlabel: str = "x"  # a text\nscale: float = 1.0  # a number\n'
                           "shown: bool = True  # a switch\nuntyped = 4  # typed by its default\n")
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    given = {"label": "0012", "scale": "2.5", "shown": "false", "untyped": "7"}
    assert typed_parameters(path, given) == {"label": "0012", "scale": 2.5, "shown": False, "untyped": 7}
    for name, value in [("scale", "wide"), ("shown", "perhaps"), ("untyped", "seven")]:
        with pytest.raises(UsageError, match=f"-p {name}={value}"):
            typed_parameters(path, {name: value})

