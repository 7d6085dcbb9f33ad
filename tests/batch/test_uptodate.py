"""Up to date means the inputs hash to the manifest's key and every output still has the hash
the manifest records; a single build of an unchanged period decides it before anything heavy
is loaded (reportlib.batch.quick), and falls back to the full check whenever it cannot tell."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import DATA, ROOT, run_cli

pytestmark = pytest.mark.slow

PERIOD = "2020-12-03"
HEAVY = ("pandas", "jupyter_client", "papermill", "nbformat", "weasyprint", "zmq")


@pytest.fixture
def setup(good_build, tmp_path) -> tuple[Path, Path]:
    """A copy of the data and of its built outputs."""
    data, out = tmp_path / "data", tmp_path / "outputs"
    shutil.copytree(DATA, data)
    shutil.copytree(good_build, out)
    return data, out


def build(data: Path, out: Path, *extra, tmp: Path | None = None):
    """A single build through the CLI, and the modules it imported."""
    env = {**os.environ, **({"TMPDIR": str(tmp)} if tmp else {})}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "reportlib", "build", "--data", str(data),
                             "--out", str(out), *extra], cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env=env)
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return result, imported


def test_an_unchanged_period_is_up_to_date_before_anything_heavy_is_loaded(setup, tmp_path):
    data, out = setup
    for request in ([], ["--period-end", PERIOD], ["--start", "2020-11-19", "--end", PERIOD]):
        result, imported = build(data, out, *request, tmp=tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"{PERIOD}: up to date" in result.stdout
        assert not [name for name in imported if name.split(".")[0] in HEAVY]
        assert not list(tmp_path.glob("reportlib-kernel-*")), "no kernel was started"


def test_a_change_no_report_reads_falls_back_once_then_is_quick_again(setup):
    data, out = setup
    (data / "NOTES.txt").write_text("an analyst's note, read by no report\n")
    result, imported = build(data, out)
    assert f"{PERIOD}: up to date" in result.stdout
    assert "pandas" in imported, "the full check decided"
    result, imported = build(data, out)
    assert f"{PERIOD}: up to date" in result.stdout
    assert "pandas" not in imported


def test_a_change_the_report_reads_rebuilds(setup):
    data, out = setup
    issue = data / "issues" / f"{PERIOD}.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("headline: ", "headline: Revised ", 1),
                     encoding="utf-8")
    result, _ = build(data, out)
    assert result.returncode == 0, result.stderr
    assert f"{PERIOD}: built in" in result.stdout
    assert "Revised" in (out / PERIOD / "report.html").read_text(encoding="utf-8")


def corrupt_in_place(path: Path) -> None:
    """Change one byte in the middle, keeping the size."""
    content = bytearray(path.read_bytes())
    middle = len(content) // 2
    content[middle] = (content[middle] + 1) % 256
    path.write_bytes(bytes(content))


def recorded(folder: Path, name: str) -> str:
    return json.loads((folder / "manifest.json").read_text())["outputs"][name]["sha256"]


@pytest.mark.parametrize("name", ["report.pdf", "report.html"])
def test_an_output_changed_in_place_is_rebuilt(setup, name):
    data, out = setup
    folder = out / PERIOD
    size = (folder / name).stat().st_size
    corrupt_in_place(folder / name)
    assert (folder / name).stat().st_size == size
    result, _ = build(data, out)
    assert result.returncode == 0, result.stderr
    assert f"{PERIOD}: built in" in result.stdout
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == recorded(folder, name)


def test_a_batch_rebuilds_an_output_changed_in_place(tmp_path):
    demo, out = tmp_path / "demo", tmp_path / "outputs"
    assert run_cli("demo-data", "--weeks", 2, "--incidents-per-week", 10, "--data", demo).returncode == 0
    first = run_cli("build", "--data", demo, "--out", out, "--from", "2000-01-01", "--to", "2100-01-01")
    assert "built 2, skipped 0" in first.stdout, first.stderr
    label = sorted(p.name for p in out.iterdir() if p.is_dir())[0]
    corrupt_in_place(out / label / "report.pdf")
    again = run_cli("build", "--data", demo, "--out", out, "--from", "2000-01-01", "--to", "2100-01-01")
    assert "built 1, skipped 1, failed 0" in again.stdout, again.stderr
    assert hashlib.sha256((out / label / "report.pdf").read_bytes()).hexdigest() == recorded(out / label,
                                                                                             "report.pdf")
