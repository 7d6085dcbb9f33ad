"""Nothing lost: a build that fails or is stopped leaves the previous good report and its
manifest as they were and keeps the failed executed notebook beside them; a build killed
outright leaves only its staging, which the next build clears. No process of a build
outlives it. Each fault is made for real, through the real CLI in a subprocess."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from reportlib.batch.deadline import STALL_VARIABLE

from ..conftest import DATA, NOTEBOOK, ROOT, assert_no_traceback, run_cli
from .processes import Command

pytestmark = pytest.mark.slow

PERIOD = "2020-12-03"
KEPT = ("report.ipynb", "report.html", "report.pdf", "manifest.json")


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


@pytest.fixture
def tmp() -> Path:
    """The command's temp folder, short: kernels' Unix sockets live there."""
    folder = Path(tempfile.mkdtemp(prefix="rl-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_ctrl_c_while_printing_the_pdf_keeps_the_old_report(outputs, tmp):
    folder = outputs / PERIOD
    before = digests(folder)
    command = Command("build", "--data", DATA, "--out", outputs, "--force", tmp=tmp)
    command.wait_for("printing PDF")
    os.killpg(command.pid, signal.SIGINT)
    code, _, err = command.finish(timeout=60)
    assert code == 130, err
    assert "interrupted; the previous report, if any, is unchanged" in err
    assert "Traceback" not in err
    assert command.left() == []
    assert not list(folder.glob(".staging-*"))
    assert_previous_report_intact(folder, before)
    assert list(tmp.glob("reportlib-kernel-*")) == []


def test_a_killed_build_leaves_nothing_the_next_build_does_not_clear(outputs, tmp):
    """SIGKILL while printing: the old report stays, the printer and the kernel end with the
    command, and even an up-to-date build afterwards clears the staging folder and the
    kernel's scratch folder the killed one left."""
    folder = outputs / PERIOD
    before = digests(folder)
    command = Command("build", "--data", DATA, "--out", outputs, "--force", tmp=tmp)
    command.wait_for("printing PDF")
    os.kill(command.pid, signal.SIGKILL)
    code, _, _ = command.finish(timeout=60)
    assert code == -signal.SIGKILL
    assert command.wait_until_gone() == []
    assert digests(folder) == before
    assert not (folder / "report.failed.ipynb").exists(), "a killed build's notebook is no debugging aid"
    assert list(folder.glob(".staging-*")) and list(tmp.glob("reportlib-kernel-*")), "what the kill left"

    nothing_to_do = Command("build", "--data", DATA, "--out", outputs, tmp=tmp)
    code, out, err = nothing_to_do.finish()
    assert code == 0, err
    assert "up to date" in out
    assert not list(folder.glob(".staging-*"))
    assert list(tmp.glob("reportlib-kernel-*")) == []
    assert digests(folder) == before


def test_interrupt_while_the_notebook_runs(outputs, tmp_path):
    folder = outputs / PERIOD
    before = digests(folder)
    running = tmp_path / "running"
    notebook = notebook_with(tmp_path, f"open({str(running)!r}, 'w').close()\nimport time\ntime.sleep(120)")
    process = start_build(outputs, "--notebook", str(notebook))
    deadline = time.monotonic() + 180
    while not running.exists():
        assert time.monotonic() < deadline and process.poll() is None, "the cell never ran"
        time.sleep(0.1)
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


def test_sigterm_cleans_up_like_an_interrupt(outputs, tmp):
    folder = outputs / PERIOD
    before = digests(folder)
    command = Command("build", "--data", DATA, "--out", outputs, "--force", tmp=tmp)
    command.wait_for("printing PDF")
    os.kill(command.pid, signal.SIGTERM)
    code, _, err = command.finish(timeout=60)
    assert code == 130, err
    assert command.left() == []
    assert digests(folder) == before
    assert not list(folder.glob(".staging-*"))


# Each stage is made to wait forever (deadline.STALL_VARIABLE), so only its limit can end it:
# a page merely slow to export or print finishes in time on some machines and not on others.
@pytest.mark.parametrize(("stage", "described"), [("pdf", "the PDF printing"), ("html", "the HTML export")],
                         ids=["pdf", "html"])
def test_every_stage_is_bounded_by_the_timeout(outputs, tmp, stage, described):
    folder = outputs / PERIOD
    before = digests(folder)
    command = Command("build", "--data", DATA, "--out", outputs, "--force", "--timeout", "5", tmp=tmp,
                      env={STALL_VARIABLE: stage})
    code, _, err = command.finish(timeout=240)
    assert_no_traceback(subprocess.CompletedProcess([], code, "", err))
    assert code == 1, err
    assert f"{described} ran longer than the 5 s limit" in err
    assert command.left() == []
    assert_previous_report_intact(folder, before)
    assert not list(folder.glob(".staging-*"))

