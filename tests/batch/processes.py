"""Watching the processes a command starts: it runs in a session of its own (its process
group is its pid) with a tag in its environment that every process it starts inherits, so a
process that left the group is found too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from ..conftest import ROOT

TAG = "REPORTLIB_TEST_TAG"


class Command:
    """`reportlib ARGS` in a new session, its stderr readable line by line."""

    def __init__(self, *args, tmp: Path, env: dict | None = None):
        self.tag = uuid.uuid4().hex
        tmp.mkdir(parents=True, exist_ok=True)
        # TMPDIR: the kernels' scratch folders land where the test can see them.
        full_env = {**os.environ, TAG: self.tag, "TMPDIR": str(tmp), **(env or {})}
        self.process = subprocess.Popen([sys.executable, "-m", "reportlib", *map(str, args)], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=full_env, start_new_session=True)
        self.seen: list[str] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, marker: str, timeout: float = 180) -> str:
        """Read stderr until a line holds `marker`; what was read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.seen.append(line)
            if marker in line:
                return "".join(self.seen)
        self.process.kill()
        raise AssertionError(f"{marker!r} never appeared; stderr was:\n{''.join(self.seen)}")

    def finish(self, timeout: float = 180) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, out, "".join(self.seen) + err

    def left(self) -> list[str]:
        """Processes still running of this command: in its process group, or carrying its tag."""
        return [f"{pid}: {cmd}" for pid, cmd in running() if pid != self.pid and
                (_group(pid) == self.pid or _tagged(pid, self.tag))]

    def wait_until_gone(self, timeout: float = 20) -> list[str]:
        """Wait (bounded) until none of its processes runs; those that still do."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.left()
            if not left or time.monotonic() > deadline:
                return left


def running() -> list[tuple[int, str]]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            state = Path(f"/proc/{name}/stat").read_bytes()
            cmd = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state[state.rfind(b")") + 2:].split()[0] == b"Z":
            continue  # a zombie runs nothing; its parent reaps it
        found.append((int(name), cmd.strip()[:160]))
    return found


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _tagged(pid: int, tag: str) -> bool:
    try:
        return f"{TAG}={tag}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under folder: (size, modification time)."""
    found = {}
    for path in folder.rglob("*"):
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file():
            found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


_ADOPTING = r"""
import ctypes, json, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans below become ours
command = subprocess.Popen(sys.argv[1:])
command.wait()
adopted = []
for name in os.listdir("/proc"):
    try:
        fields = open(f"/proc/{name}/stat", "rb").read().rsplit(b")", 1)[1].split()
    except (OSError, ValueError):
        continue
    if int(fields[1]) == os.getpid():
        adopted.append(open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode()[:160])
        os.kill(int(name), 9)
        os.waitpid(int(name), 0)
print(json.dumps({"code": command.returncode, "adopted": adopted}), file=sys.stderr)
"""


def run_adopting(*args, tmp: Path) -> tuple[int, str, str, list[str]]:
    """Run `reportlib ARGS` under a process that adopts what the command leaves when it exits
    (PR_SET_CHILD_SUBREAPER): the processes of the command still there, even for a moment,
    after it returned. Returns the exit status, stdout, stderr and those processes."""
    import json

    env = {**os.environ, "TMPDIR": str(tmp)}
    done = subprocess.run([sys.executable, "-c", _ADOPTING, sys.executable, "-m", "reportlib", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], done.stdout, done.stderr, report["adopted"]
