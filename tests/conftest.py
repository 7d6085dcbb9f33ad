"""Shared fixtures: copies of data folders in tmp_path, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
GOOD = ROOT / "tests" / "data" / "good"
BAD = ROOT / "tests" / "data" / "bad"
NOTEBOOK = ROOT / "notebooks" / "weekly_report.ipynb"


@pytest.fixture(autouse=True, scope="session")
def _own_data_cache(tmp_path_factory):
    """The test run's loads, and those of the CLIs and kernels it starts, use a cache of their
    own, never the user's."""
    os.environ["REPORTLIB_CACHE_DIR"] = str(tmp_path_factory.mktemp("data-cache"))


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `reportlib ARGS` as a user would, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "reportlib", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data, as tmp_path/data."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def good_copy(tmp_path: Path) -> Path:
    """A writable copy of the small valid test data, as tmp_path/data."""
    target = tmp_path / "data"
    shutil.copytree(GOOD, target)
    return target


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


SEED_IED = ("Between November 21 – December 3, ten IEDs killed at least five Iraqis and wounded "
            "20 more in Ninewa, Salah ad-Din, Diyala, and Kirkuk.")


def pdf_text(path: Path) -> str:
    """The text of every page of a PDF, whitespace collapsed."""
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="session")
def shipped_report(tmp_path_factory) -> Path:
    """The shipped period built once per test run by the real CLI: its folder of outputs
    (report.html, report.pdf)."""
    out = tmp_path_factory.mktemp("shipped") / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out / "2020-12-03"
