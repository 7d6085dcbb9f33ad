"""The batch tests' inputs: a good build of the shipped period, and a demo-data folder, each
made once per module and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import DATA, run_cli

WEEKS = 6


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    result = run_cli("demo-data", "--weeks", WEEKS, "--incidents-per-week", 15, "--data", folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def demo(demo_source, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(demo_source, target)
    return target


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """One good build of the shipped period, copied into each test's own outputs."""
    out = tmp_path_factory.mktemp("good") / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert result.returncode == 0, result.stderr
    return out
