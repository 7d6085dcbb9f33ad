"""The batch tests' synthetic data: a demo-data folder made once per module, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import run_cli

WEEKS = 6


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    result = run_cli("demo-data", "--weeks", WEEKS, "--incidents-per-week", 15, "--out", folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def demo(demo_source, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(demo_source, target)
    return target
