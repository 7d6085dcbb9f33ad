"""No process of a batch outlives the command, however it ends: after Ctrl-C (SIGINT to the
terminal's process group), SIGTERM or SIGKILL of the command mid-build, nothing of it keeps
running and nothing more is written; after a normal batch, nothing of it is left at all; a
worker whose stage overruns is stopped from outside. Each batch runs through the real CLI in
a session of its own (see processes.py)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from reportlib.batch.deadline import STALL_VARIABLE

from .conftest import WEEKS
from .processes import Command, run_adopting, snapshot

pytestmark = pytest.mark.slow



@pytest.fixture
def tmp() -> Path:
    """The commands' temp folder, short: kernels' Unix sockets live there."""
    folder = Path(tempfile.mkdtemp(prefix="rl-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def batch(demo: Path, out: Path, tmp: Path) -> Command:
    return Command("build", "--data", demo, "--out", out, "--from", "2000-01-01", "--to", "2100-01-01",
                   "--jobs", "2", tmp=tmp)


def leftovers(out: Path, tmp: Path) -> list[str]:
    """What builds that ended left: staging folders, scratch folders of kernels and workers,
    multiprocessing's own temporary folders."""
    return [str(p) for p in [*out.glob("*/.staging-*"), *tmp.glob("reportlib-kernel-*"), *tmp.glob("pymp-*")]]


def test_a_finished_batch_leaves_no_process(demo, tmp_path, tmp):
    """The command returns only when every process it started has ended: none of them (a
    worker's fork server or resource tracker) is still there, even for a moment, after it."""
    code, out, err, adopted = run_adopting("build", "--data", demo, "--out", tmp_path / "out", "--from", "2000-01-01",
                                           "--to", "2100-01-01", "--jobs", "2", tmp=tmp)
    assert code == 0, err
    assert "built 6, skipped 0, failed 0" in out
    assert adopted == []
    assert leftovers(tmp_path / "out", tmp) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "term", "kill"])
def test_a_stopped_batch_leaves_no_process_and_writes_nothing_more(demo, tmp_path, tmp, signum):
    out = tmp_path / "out"
    command = batch(demo, out, tmp)
    command.wait_for(f"1/{WEEKS}")  # one report built, others under way
    if signum == signal.SIGINT:
        os.killpg(command.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        os.kill(command.pid, signum)
    code, _, err = command.finish(timeout=60)
    if signum == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130, err
        assert "interrupted; the previous report, if any, is unchanged" in err
        assert "Traceback" not in err
        # Stopped, not killed: each worker cleaned up before the command returned.
        assert command.left() == []
        assert list(out.glob("*/.staging-*")) == []
    assert command.wait_until_gone() == []
    before = snapshot(out)
    time.sleep(4)
    assert snapshot(out) == before, "something went on writing after the command ended"
    built = sorted(p.parent.name for p in out.glob("*/manifest.json"))
    assert len(built) < WEEKS, "the batch was stopped before it ended"

    # The next batch clears what the stopped one left, and builds the rest.
    again = batch(demo, out, tmp)
    code, stdout, err = again.finish()
    assert code == 0, err
    assert f"built {WEEKS - len(built)}, skipped {len(built)}, failed 0" in stdout
    assert again.left() == []
    assert leftovers(out, tmp) == []
    assert list(out.glob("*/report.failed.ipynb")) == []


def test_a_batch_bounds_each_workers_stages(demo, tmp_path, tmp):
    """A worker whose printing overruns is stopped from outside, its period failed with the
    stage named and its notebook kept; the other periods build, and nothing is left."""
    periods = sorted(p.stem for p in (demo / "issues").glob("*.yaml"))[-3:]
    slow = periods[1]
    out = tmp_path / "outputs"
    command = Command("build", "--data", demo, "--out", out, "--from", periods[0],
                      "--to", periods[-1], "--jobs", "2", "--timeout", "20", tmp=tmp,
                      env={STALL_VARIABLE: f"pdf@{slow}"})
    code, stdout, err = command.finish(timeout=300)
    assert code == 1, err
    assert "built 2, skipped 0, failed 1" in stdout
    assert f"{slow}: FAILED: the PDF printing ran longer than the 20 s limit" in err
    assert (out / slow / "report.failed.ipynb").exists()
    assert not (out / slow / "report.pdf").exists()
    assert (out / periods[-1] / "report.pdf").exists()
    assert command.left() == []
    assert leftovers(out, tmp) == []
