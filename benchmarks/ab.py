"""Interleaved A/B runs of the command from two source trees with the same environment, for
measuring a change: A and B alternate, medians are printed. Not part of `make bench`.

    git worktree add /tmp/before <commit>     # or: git archive <commit> | tar -x -C /tmp/before
    .venv/bin/python benchmarks/ab.py /tmp/before . single 8
    .venv/bin/python benchmarks/ab.py /tmp/before . unchanged 7
    .venv/bin/python benchmarks/ab.py /tmp/before . batch 3      # wall and processor seconds
    .venv/bin/python benchmarks/ab.py /tmp/before . nothing-changed 5
    .venv/bin/python benchmarks/ab.py /tmp/before . memory 2

Each tree runs as `python -m reportlib` from its own folder (so its package is the one
imported). The processor time counts every process of a command's tree: this script adopts
orphans (PR_SET_CHILD_SUBREAPER) and waits for them before reading its children's usage.
A tree older than the papermill engine entry point may need `OneRequestEngine = None` added
to its reportlib/engine/onerequest.py, so that papermill can load this environment's entry
points.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "ab"
PYTHON = sys.executable


def command(tree: Path, *args, out=subprocess.DEVNULL, session: bool = False) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "reportlib", *map(str, args)], cwd=tree, stdout=out, stderr=subprocess.PIPE,
                            text=True, start_new_session=session)


def measured(process: subprocess.Popen) -> tuple[float, float, str]:
    """Wall seconds, processor seconds of the whole tree, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    while True:  # what the command left: adopted, waited for, counted
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}):\n{err[-3000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, out or ""


def main() -> None:
    a, b, case, runs = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3], int(sys.argv[4])
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    trees = {"A": a, "B": b}
    data = WORK / "demo"
    if not data.exists():
        subprocess.run([PYTHON, "-m", "reportlib", "demo-data", "--weeks", "52", "--data", str(data)], cwd=b,
                       check=True, stdout=subprocess.DEVNULL)
    ends = sorted(path.stem for path in (data / "issues").glob("*.yaml"))
    batch = ["build", "--data", data, "--from", "2000-01-01", "--to", "2100-01-01", "--jobs", "2"]
    results: dict[str, list] = {"A": [], "B": []}
    if case == "unchanged":
        for name, tree in trees.items():
            measured(command(tree, "build", "--data", data, "--out", WORK / f"unchanged-{name}",
                             "--period-end", ends[-1]))
    if case == "nothing-changed":
        for name, tree in trees.items():
            measured(command(tree, *batch, "--out", WORK / f"batch-{name}"))
    for run in range(runs):
        for name in ("A", "B") if run % 2 == 0 else ("B", "A"):
            tree = trees[name]
            if case == "single":
                result = measured(command(tree, "build", "--data", data, "--out", WORK / f"single-{name}",
                                          "--period-end", ends[10 + run % 40], "--force"))
            elif case == "unchanged":
                result = measured(command(tree, "build", "--data", data, "--out", WORK / f"unchanged-{name}",
                                          "--period-end", ends[-1], out=subprocess.PIPE))
                assert "up to date" in result[2], result[2]
            elif case == "batch":
                shutil.rmtree(WORK / f"fresh-{name}", ignore_errors=True)
                result = measured(command(tree, *batch, "--out", WORK / f"fresh-{name}"))
            elif case == "nothing-changed":
                result = measured(command(tree, *batch, "--out", WORK / f"batch-{name}", out=subprocess.PIPE))
                assert "built 0" in result[2], result[2]
            elif case == "memory":
                sys.path.insert(0, str(HERE))
                from run import PeakMemory

                shutil.rmtree(WORK / f"memory-{name}", ignore_errors=True)
                process = command(tree, *batch, "--out", WORK / f"memory-{name}", session=True)
                peak = PeakMemory(process.pid)
                measured(process)
                peak.stop()
                result = (peak.pss / 2**20, peak.rss / 2**20, "")
            else:
                sys.exit(f"unknown case {case!r}")
            results[name].append(result)
            print(name, f"{result[0]:.2f} {result[1]:.2f}  load {os.getloadavg()[0]:.1f}", flush=True)
    first, second = ("MiB PSS", "MiB RSS") if case == "memory" else ("s wall", "CPU-s")
    for name in "AB":
        print(f"{case} {name}: median {statistics.median(r[0] for r in results[name]):.3f} {first}, "
              f"{statistics.median(r[1] for r in results[name]):.3f} {second}")


if __name__ == "__main__":
    main()
