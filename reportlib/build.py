"""Build one period's report end to end: validate, skip if unchanged, execute, export,
print, publish atomically, record the manifest."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import fingerprint, outputs, render
from .dataset import Dataset, load
from .exceptions import NotebookExecutionError, ReportlibError
from .periods import Period

DEFAULT_NOTEBOOK = Path("notebooks/weekly_report.ipynb")
DEFAULT_TIMEOUT = 600

# Fields of the executed notebook that change from run to run; everything else is the same
# for the same inputs. The manifest names them so that a diff can ignore them.
VOLATILE_NOTEBOOK_FIELDS = [
    "metadata.papermill.start_time",
    "metadata.papermill.end_time",
    "metadata.papermill.duration",
    "metadata.papermill.input_path",
    "metadata.papermill.output_path",
    "metadata.papermill.parameters.data_dir",
    "metadata.papermill.environment_variables",
    "cells[*].metadata.papermill.start_time",
    "cells[*].metadata.papermill.end_time",
    "cells[*].metadata.papermill.duration",
    "cells[*].metadata.execution",
]


@dataclass
class Task:
    """Everything a worker needs to build one period; plain data, so it can be sent to
    another process or machine."""

    data_dir: str
    start: str
    end: str
    out_root: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT
    force: bool = False
    trend_weeks: int | None = None
    key: str = ""  # filled by the planner when known

    @property
    def period(self) -> Period:
        return _period(self.start, self.end)

    @property
    def label(self) -> str:
        return self.end


def _period(start: str, end: str) -> Period:
    from .periods import parse_date

    return Period(parse_date(start), parse_date(end))


@dataclass
class Result:
    label: str
    status: str  # built | skipped | failed
    seconds: float = 0.0
    message: str = ""
    failed_notebook: str | None = None
    timings: dict = field(default_factory=dict)


def notebook_parameters(task: Task) -> dict:
    params = {"period_end": task.end, "period_start": task.start, "data_dir": task.data_dir}
    if task.trend_weeks is not None:
        params["trend_weeks"] = task.trend_weeks
    params.update(task.parameters)
    return params


def manifest_matches(folder: Path, key: str) -> bool:
    path = folder / "manifest.json"
    if not path.exists():
        return False
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("key") != key:
        return False
    for name, info in manifest.get("outputs", {}).items():
        target = folder / name
        if not target.exists() or target.stat().st_size != info.get("bytes"):
            return False
    return True


def build_period(task: Task, data: Dataset | None = None, km=None, log=None) -> Result:
    """Build one period. Raises ReportlibError on failure; the previous good report stays."""
    started = time.perf_counter()
    log = log or (lambda message: None)
    data = data or load(task.data_dir)
    period = task.period
    notebook = Path(task.notebook).resolve()
    params = notebook_parameters(task)
    render.check_parameters(notebook, params)
    out_root = Path(task.out_root)
    folder = outputs.period_dir(out_root, task.label)
    inputs = fingerprint.period_inputs(data, period, notebook, params, task.trend_weeks)
    key = fingerprint.cache_key(inputs)
    if not task.force and manifest_matches(folder, key):
        return Result(task.label, "skipped", time.perf_counter() - started, "inputs unchanged")

    timings = {}
    with outputs.locked(folder), outputs.staging(folder) as stage:
        executed = stage / "report.ipynb"
        log(f"{task.label}: executing {notebook.name}")
        t = time.perf_counter()
        try:
            nb = render.execute(notebook, executed, params, notebook.parent, task.timeout, km=km)
        except NotebookExecutionError as exc:
            kept = outputs.keep_failed(executed, folder)
            exc.notebook_path = str(kept) if kept else None
            raise
        timings["execute"] = time.perf_counter() - t

        t = time.perf_counter()
        _normalise_notebook(nb)
        nbformat.write(nb, str(executed))
        meta = render.page_meta(data.monitor, period, inputs["package"]["version"])
        page = render.export_html(nb, meta)
        (stage / "report.html").write_text(page, encoding="utf-8")
        timings["html"] = time.perf_counter() - t

        log(f"{task.label}: printing PDF")
        t = time.perf_counter()
        render.write_pdf(page, stage / "report.pdf", folder)
        timings["pdf"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started

        manifest = _manifest(key, inputs, data, stage, timings)
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                             encoding="utf-8")
        outputs.publish(stage, folder)
    return Result(task.label, "built", time.perf_counter() - started, "", None, timings)


def _normalise_notebook(nb) -> None:
    """Drop what differs between identical runs and is no business of the reader: the
    absolute data path papermill copied into the metadata."""
    papermill_meta = nb.metadata.get("papermill", {})
    params = papermill_meta.get("parameters", {})
    if "data_dir" in params:
        params["data_dir"] = Path(params["data_dir"]).name


def _manifest(key: str, inputs: dict, data: Dataset, stage: Path, timings: dict) -> dict:
    files = []
    for path in data.files:
        if path.exists():
            files.append({"path": str(path.relative_to(data.root)),
                          "sha256": fingerprint.sha256_file(path)})
    produced = {}
    for name in ("report.ipynb", "report.html", "report.pdf"):
        path = stage / name
        produced[name] = {"sha256": fingerprint.sha256_file(path), "bytes": path.stat().st_size}
    return {
        "key": key,
        "inputs": {**inputs, "files": files},
        "environment": fingerprint.environment(),
        "outputs": produced,
        "volatile_notebook_fields": VOLATILE_NOTEBOOK_FIELDS,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


__all__ = ["ReportlibError", "Result", "Task", "build_period"]
