"""Which periods to build: a task per period, its key (reportlib.batch.fingerprint), and the
split between periods to build and periods whose manifest says they are up to date."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.dataset import Dataset, PeriodData
from ..inputs.periods import Period, weeks_ending_between
from . import fingerprint, guard, manifest, outputs
from .options import DEFAULT_TIMEOUT


@dataclass
class Task:
    """One period to build; plain data, so it can go to another process or machine.
    `period` is the one value the date travels as from the command line, where it was read
    once; `start` and `end` are its days as text, for the notebook's parameters.
    `parameters` are the -p values as the notebook declares them, `given` the same as typed
    on the command line (the quick check compares those, reportlib.batch.quick); `timeout`
    bounds each cell, the HTML export and the PDF printing."""

    data_dir: str
    period: Period
    out_root: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT
    force: bool = False
    trend_weeks: int | None = None
    forked_kernels: bool = False
    given: Mapping[str, str] = field(default_factory=dict)
    quick_key: str = ""  # the quick check's digest of the inputs, taken before they were read
    review: bool = False  # also write review.html, the page with every figure's provenance

    def __post_init__(self):
        # The trend window is the planner's too: the rows it hashes are the rows the report reads.
        weeks = self.parameters.get("trend_weeks")
        if self.trend_weeks is None and isinstance(weeks, int) and weeks >= 0:
            self.trend_weeks = weeks

    @property
    def start(self) -> str:
        return self.period.start.isoformat()

    @property
    def end(self) -> str:
        return self.period.end.isoformat()

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def folder(self) -> Path:
        return outputs.period_dir(Path(self.out_root), self.label)


@dataclass
class Result:
    label: str
    status: str  # built | skipped | failed
    seconds: float = 0.0
    message: str = ""
    failed_notebook: str | None = None
    failure: dict | None = None  # cell index, source, error name and value
    timings: dict = field(default_factory=dict)
    exit_code: int = 0  # of a failure: 1, or 3 when the machine stopped it (EnvironmentProblem)


def notebook_parameters(task: Task) -> dict:
    return {"period_end": task.end, "period_start": task.start, "data_dir": task.data_dir, **task.parameters}


def task_key(task: Task, data: Dataset, view: PeriodData | None = None) -> tuple[dict, str]:
    notebook = Path(task.notebook).resolve()
    view = view or data.select(task.period, task.trend_weeks)
    inputs = fingerprint.period_inputs(data, view, notebook, notebook_parameters(task))
    return inputs, fingerprint.cache_key(inputs)


def periods_between(data: Dataset, first, last) -> list[Period]:
    """Declared periods ending within [first, last]; weeks ending on the monitor's weekday
    when the data declares none."""
    declared = [p for p in data.periods() if first <= p.end <= last]
    if declared or data.periods():
        return declared
    return weeks_ending_between(first, last, data.monitor.weekday)


def plan(data: Dataset, tasks: list[Task]) -> tuple[list[Task], list[Result]]:
    """Split tasks into those to build and those whose inputs and outputs are unchanged;
    clear what dead builds left in each period's folder on the way."""
    guard.check_tasks(data, tasks)
    todo, skipped = [], []
    for task in tasks:
        folder = task.folder
        outputs.clear_dead(folder)
        _, key = task_key(task, data)
        if not task.force and manifest.up_to_date(folder, key):
            skipped.append(Result(task.label, "skipped", 0.0, "inputs unchanged"))
        else:
            todo.append(task)
    return todo, skipped


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
