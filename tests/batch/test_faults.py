"""Nothing lost: a build that fails or is killed leaves the previous good report and its
manifest as they were and keeps the failed executed notebook beside them. Each fault is
made for real, through the real CLI in a subprocess."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ..conftest import DATA, NOTEBOOK, ROOT, assert_no_traceback, run_cli

pytestmark = pytest.mark.slow

PERIOD = "2020-12-03"
KEPT = ("report.ipynb", "report.html", "report.pdf", "manifest.json")


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """One good build of the shipped period, copied into each test's own outputs."""
    out = tmp_path_factory.mktemp("good") / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def outputs(good_build, tmp_path) -> Path:
    out = tmp_path / "outputs"
    shutil.copytree(good_build, out)
    return out


def digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in KEPT}


def notebook_with(tmp_path: Path, source: str, position: int = 3) -> Path:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    # Named as the weekly report, so that it builds into the same output folder.
    path = tmp_path / "weekly_report.ipynb"
    nbformat.write(nb, str(path))
    return path


def assert_previous_report_intact(folder: Path, before: dict[str, str]) -> None:
    assert digests(folder) == before
    kept = folder / "report.failed.ipynb"
    assert kept.exists(), "the failed executed notebook must be kept"
    nbformat.validate(nbformat.read(str(kept), as_version=4))


def test_kernel_death_keeps_the_old_report(outputs, tmp_path):
    folder = outputs / PERIOD
    before = digests(folder)
    notebook = notebook_with(tmp_path, "import os\nos._exit(3)")
    result = run_cli("build", "--data", DATA, "--out", outputs, "--notebook", notebook, "--force")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "the kernel died" in result.stderr
    assert "os._exit(3)" in result.stderr
    assert_previous_report_intact(folder, before)


def test_cell_timeout_keeps_the_old_report(outputs, tmp_path):
    folder = outputs / PERIOD
    before = digests(folder)
    notebook = notebook_with(tmp_path, "import time\ntime.sleep(120)")
    started = time.monotonic()
    result = run_cli("build", "--data", DATA, "--out", outputs, "--notebook", notebook, "--force",
                     "--timeout", "3")
    assert time.monotonic() - started < 60
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "ran longer than the 3 s execution timeout" in result.stderr
    assert "time.sleep(120)" in result.stderr
    assert_previous_report_intact(folder, before)


def start_build(outputs: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reportlib", "build", "--data", str(DATA), "--out",
                             str(outputs), "--force", *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, marker: str, timeout: float = 120) -> str:
    """Read stderr until `marker` appears; return what was read."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    process.kill()
    raise AssertionError(f"{marker!r} never appeared; stderr was:\n{''.join(seen)}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL])
def test_signal_while_printing_the_pdf_keeps_the_old_report(outputs, signum):
    folder = outputs / PERIOD
    before = digests(folder)
    process = start_build(outputs)
    wait_for(process, "printing PDF")
    process.send_signal(signum)
    _, rest = process.communicate(timeout=60)
    if signum == signal.SIGINT:
        assert process.returncode == 130
        assert "interrupted; the previous report, if any, is unchanged" in rest
        assert "Traceback" not in rest
        assert not list(folder.glob(".staging-*"))
    else:
        assert process.returncode == -signal.SIGKILL
    assert_previous_report_intact(folder, before)

    # The next build clears what the killed one left and replaces the report.
    result = run_cli("build", "--data", DATA, "--out", outputs, "--force")
    assert result.returncode == 0, result.stderr
    assert not list(folder.glob(".staging-*"))
    assert not (folder / "report.failed.ipynb").exists()


def test_interrupt_while_the_notebook_runs(outputs, tmp_path):
    folder = outputs / PERIOD
    before = digests(folder)
    notebook = notebook_with(tmp_path, "import time\ntime.sleep(120)")
    process = start_build(outputs, "--notebook", str(notebook))
    wait_for(process, "executing")
    time.sleep(3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert process.returncode == 130, rest
    assert "Traceback" not in rest
    assert_previous_report_intact(folder, before)


def test_two_builds_of_one_period_do_not_mix(outputs, tmp_path):
    folder = outputs / PERIOD
    notebook = notebook_with(tmp_path, "import time\ntime.sleep(4)")
    first = start_build(outputs, "--notebook", str(notebook))
    wait_for(first, "executing")
    second = run_cli("build", "--data", DATA, "--out", outputs, "--force")
    assert_no_traceback(second)
    assert second.returncode == 1
    assert f"another build of {PERIOD} is running" in second.stderr
    _, err = first.communicate(timeout=180)
    assert first.returncode == 0, err
    # The first build published a complete, consistent report.
    manifest = (folder / "manifest.json").read_text()
    for name in ("report.html", "report.pdf", "report.ipynb"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest in manifest, name


def test_sigterm_cleans_up_like_an_interrupt(outputs):
    folder = outputs / PERIOD
    before = digests(folder)
    process = start_build(outputs)
    wait_for(process, "printing PDF")
    os.kill(process.pid, signal.SIGTERM)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130, rest
    assert digests(folder) == before
    assert not list(folder.glob(".staging-*"))
