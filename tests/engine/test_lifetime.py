"""Processes end with the process that started them, and the scratch folders of processes that
ended are cleared, never those of a running one. Real processes, killed for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reportlib.engine import scratch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl(2)")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return state[state.rfind(b")") + 2:].split()[0] != b"Z"


def wait_dead(pids, timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [pid for pid in pids if alive(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return left


def start(script: str, *args, env=None) -> tuple[subprocess.Popen, list[str]]:
    """A Python process running `script`; the first line it prints, split."""
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    return process, process.stdout.readline().split()


FORKS = """
    import multiprocessing, sys, time
    from reportlib.engine import lifetime
    lifetime.forks_die_with_this_process()
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(600,))
    child.start()
    print(child.pid, flush=True)
    time.sleep(600)
"""


def test_a_forked_child_dies_with_its_killed_parent():
    parent, (child,) = start(FORKS)
    assert alive(int(child))
    parent.kill()
    parent.wait()
    assert wait_dead([int(child)]) == []


KERNELS = """
    import sys, tempfile, time
    from pathlib import Path
    from reportlib.engine import kernels
    fresh = kernels.start(kernels.manager(forked=False), Path.cwd())
    forked = kernels.start(kernels.manager(forked=True), Path.cwd())
    print(kernels.pid(fresh), kernels.pid(forked), flush=True)
    time.sleep(600)
"""


def test_kernels_fresh_and_forked_die_with_their_killed_starter(tmp_path):
    """SIGKILL leaves no chance to shut kernels down: each must end by itself, and the
    template they were forked from with them."""
    starter, pids = start(KERNELS, env={"TMPDIR": str(tmp_path)})
    fresh, forked = map(int, pids)
    assert os.getpgid(fresh) == os.getpgid(starter.pid), "a kernel stays in the build's process group"
    everything = [fresh, forked, *descendants(starter.pid)]
    starter.kill()
    starter.wait()
    assert wait_dead(everything) == []
    # What the killed process left is cleared by the next one to look.
    assert [p.parent for p in scratch.clear_dead(tmp_path)] == [tmp_path]
    assert list(tmp_path.glob(scratch.PREFIX + "*")) == []


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stat = Path(f"/proc/{name}/stat").read_bytes()
                except OSError:
                    continue
                if int(stat[stat.rfind(b")") + 2:].split()[1]) == parent:
                    found.append(int(name))
                    frontier.append(int(name))
    return found


ORPHANS = """
    import os, subprocess, sys, time
    from reportlib.engine import lifetime
    lifetime.adopt_orphans()
    # A child that leaves a grandchild behind (as a batch worker leaves its fork server).
    leave = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1.5)']);"
             "print(p.pid, flush=True)")
    subprocess.run([sys.executable, "-c", leave], check=True)
    started = time.monotonic()
    killed = lifetime.end_children(grace=float(sys.argv[1]))
    print(round(time.monotonic() - started, 1), len(killed), flush=True)
"""


@pytest.mark.parametrize(("grace", "killed"), [(30, 0), (0.2, 1)])
def test_orphans_are_adopted_and_waited_for(grace, killed):
    process = subprocess.run([sys.executable, "-c", textwrap.dedent(ORPHANS), str(grace)], capture_output=True,
                             text=True, check=True)
    orphan, (waited, count) = process.stdout.split("\n")[0], process.stdout.split("\n")[1].split()
    assert int(count) == killed
    assert not alive(int(orphan))
    if not killed:
        assert float(waited) > 0.5, "waited for the orphan to end by itself"


HOLDER = """
    import time
    from reportlib.engine import scratch
    print(scratch.folder(), flush=True)
    time.sleep(600)
"""


def test_only_the_folders_of_ended_processes_are_cleared(tmp_path):
    holder, (folder,) = start(HOLDER, env={"TMPDIR": str(tmp_path)})
    other_kind = tmp_path / (scratch.PREFIX + "not-ours")
    other_kind.mkdir()
    try:
        assert scratch.clear_dead(tmp_path) == []
        assert Path(folder).is_dir()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert scratch.clear_dead(tmp_path) == [Path(folder)]
    assert other_kind.is_dir(), "a folder without the owner's mark is not one of these"
