"""The package as pip installs it: every package of the tree listed in pyproject.toml, and a
wheel of the tree, installed apart from the source, builds the shipped report from another
folder with no --notebook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib

import pytest

from .conftest import DATA, ROOT, assert_no_traceback


def test_pyproject_lists_every_package_of_the_tree():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "reportlib").rglob("__init__.py")}
    assert listed == found | {"reportlib.notebooks"}


@pytest.mark.slow
def test_an_installed_wheel_builds_from_another_folder(tmp_path):
    wheels, site, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("reportlib-*.whl"))
    installed = subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    assert (site / "reportlib" / "notebooks" / "weekly_report.ipynb").is_file()
    # The installed copy comes first on the path, for this process and the kernels it starts.
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import reportlib; print(reportlib.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True)
    assert where.stdout.strip() == str(site / "reportlib" / "__init__.py")
    result = subprocess.run([sys.executable, "-m", "reportlib", "build", "--data", str(DATA), "--out", "outputs"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    folder = elsewhere / "outputs" / "2020-12-03"
    assert re.fullmatch(r"2020-12-03: built in \d+\.\d s -> outputs/2020-12-03/report\.pdf", result.stdout.strip())
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Iraq Security and Humanitarian Monitor" in page
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
