"""Bounded stages: the HTML export and the PDF printing of a build may run only so long.

In the process that builds one report alone (the command of a single build), `bounded` arms a
timer (setitimer, SIGALRM) for the stage; when it fires, StageTimeout is raised in the main
thread, in the middle of whatever Python code runs there or of a wait for the printing
process, which the build then stops. In a batch, the command bounds each worker's stages
from outside instead (reportlib.batch.runner): it kills a worker whose stage runs past its
limit, which also stops work stuck in a C library, and the worker's next report starts in a
fresh worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

from ..errors import BuildError

STAGES = {"execute": "the notebook", "html": "the HTML export", "pdf": "the PDF printing"}
# A stage that never ends, for the fault tests: with REPORTLIB_STALL_STAGE=html the HTML export
# waits forever (html@2020-12-03: only that period's), so a test of the limit does not rest on a
# guess about how fast this machine exports a large page (a loaded machine once finished such a
# page in time and timed out in the next stage).
STALL_VARIABLE = "REPORTLIB_STALL_STAGE"


class StageTimeout(BuildError):
    """A stage of a build ran past its limit."""

    def __init__(self, stage: str, seconds: float):
        self.stage = stage
        self.seconds = seconds
        super().__init__(describe(stage, seconds))


def describe(stage: str, seconds: float) -> str:
    return f"{STAGES.get(stage, stage)} ran longer than the {seconds:g} s limit (--timeout)"


@contextlib.contextmanager
def bounded(stage: str, seconds: float | None):
    """Raise StageTimeout if the block runs longer than `seconds` (no limit: None or 0, or
    outside the main thread, where no timer can interrupt)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise StageTimeout(stage, seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def stall_if_asked(stage: str, label: str) -> None:
    """Wait forever when STALL_VARIABLE names this stage (of this period); the stage's limit
    ends the wait."""
    if os.environ.get(STALL_VARIABLE) in (stage, f"{stage}@{label}"):
        while True:
            time.sleep(3600)
