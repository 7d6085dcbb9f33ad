"""Run a report notebook with papermill on a kernel the caller has started, and turn every
way it can fail into a NotebookExecutionError that names the cell and the reason; and check
the `-p NAME=VALUE` parameters a user gives against the notebook's parameters cell."""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from pathlib import Path

from ..errors import CellFailure, NotebookExecutionError, UsageError, environment_problem

# The papermill engine (reportlib.engine.onerequest), registered by entry point.
ENGINE = "reportlib"

# What the build itself passes: the period it planned and the data folder it hashed. Set
# with -p, they would change the page behind the planner's back.
OWNED_PARAMETERS = ("period_end", "period_start", "data_dir")

_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def refuse_owned(names) -> None:
    owned = [name for name in names if name in OWNED_PARAMETERS]
    if owned:
        raise UsageError(
            f"-p {owned[0]} cannot be set: the build passes period_end, period_start and data_dir "
            "itself; choose the period with --period-end, --start/--end or --from/--to and the "
            "data with --data")


def typed_parameters(notebook: Path, given: Mapping[str, str]) -> dict:
    """The -p values as the notebook's parameters cell declares them (int, float, bool, str,
    or the type of an undeclared parameter's default). Refuses, with one line, a parameter
    the build owns, one the cell does not declare (papermill would only warn, and a misspelt
    name would silently build the default), and a value that is not of the declared type."""
    refuse_owned(given)
    if not given:
        return {}
    stat = notebook.stat()
    declared = _declared_parameters(str(notebook), stat.st_mtime_ns, stat.st_size)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise UsageError(
            f"{notebook.name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are {', '.join(sorted(declared))}")
    return {name: _convert(notebook, name, value, *declared[name]) for name, value in given.items()}


def _convert(notebook: Path, name: str, value: str, kind: str, default: str):
    if kind in ("None", ""):
        try:
            kind = type(ast.literal_eval(default)).__name__
        except (ValueError, SyntaxError):
            kind = "str"
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return _BOOLEANS[value.strip().lower()]
        parsed = ast.literal_eval(value)
        if type(parsed).__name__ != kind:
            raise ValueError(kind)
        return parsed
    except (ValueError, KeyError, SyntaxError):
        raise UsageError(f"-p {name}={value}: {notebook.name} declares {name} as {kind} "
                         f"(default {default}); give a value of that type") from None


@functools.lru_cache(maxsize=8)
def _declared_parameters(path: str, mtime_ns: int, size: int) -> dict[str, tuple[str, str]]:
    """The notebook's parameters (name: declared type, default), read once per version of
    the file."""
    import papermill

    return {name: (str(p.get("inferred_type_name") or ""), str(p.get("default")))
            for name, p in papermill.inspect_notebook(path).items()}


def execute(notebook: Path, output: Path, parameters: dict, timeout: int, km, kc=None, keep_kernel: bool = False):
    """Run the notebook on the started kernel `km` (through the connected client `kc`, if
    given), which is killed afterwards unless `keep_kernel` asks to keep it for another
    report (reportlib.engine.isolation) and the notebook ran to its end. On failure the
    partial notebook is at `output`."""
    import papermill
    from papermill.exceptions import PapermillException, PapermillExecutionError

    ran = False
    try:
        nb = papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, engine_name=ENGINE,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=timeout, start_timeout=120, km=km, kc=kc, failed_path=str(output))
        ran = True
        return nb
    except PapermillExecutionError as exc:
        failure = CellFailure(exc.cell_index, exc.source, exc.ename, exc.evalue, list(exc.traceback),
                              *_kept_place(output, exc.source, exc.exec_count))
        raise NotebookExecutionError(
            f"{failure.where} raised {exc.ename}: {exc.evalue}", failure, str(output)) from None
    except KeyboardInterrupt:
        raise
    except PapermillException as exc:
        if f"'{ENGINE}'" in str(exc):
            raise UsageError(f"papermill does not know the {ENGINE!r} engine: reportlib's entry points are "
                             "not installed; run `pip install -e .` (or `make`) again") from None
        raise
    except Exception as exc:  # a timeout, a dead kernel, a kernel that never started, a full disk
        problem = environment_problem(exc, output)
        if problem is not None:
            raise problem from None
        kind = type(exc).__name__
        reason = {
            "CellTimeoutError": f"a cell ran longer than the {timeout} s execution timeout",
            "DeadKernelError": "the kernel died (it crashed or was killed)",
        }.get(kind, f"{kind}: {exc}")
        running = _running_cell(output)
        if running is not None:
            failure = CellFailure(running.cell_index, running.source, kind, reason, [], running.position,
                                  running.execution_count)
            raise NotebookExecutionError(f"{failure.where}: {reason}", failure, str(output)) from None
        raise NotebookExecutionError(f"the notebook did not run: {reason}", None,
                                     str(output) if output.exists() else None) from None
    finally:
        # Lazy: this module is on the quick up-to-date check's path (batch/api.py), which
        # does without jupyter_client (0.09 s, see batch/api.py).
        from ..engine.kernels import kill

        # The kernel's work is done: end it now, without waiting. Whoever started it shuts
        # it down later and finds it gone.
        if not (keep_kernel and ran):
            kill(km)


def _read(path: Path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception:
        return None


def _kept_place(path: Path, source: str, count) -> tuple[int | None, int | None]:
    """The failed cell's place (from 1) in the notebook as saved, and its execution count:
    the cell papermill marked failed, else the one with the failing source."""
    nb = _read(path)
    if nb is None:
        return None, count if isinstance(count, int) else None
    cells = list(enumerate(nb.cells, start=1))
    marked = [(i, c) for i, c in cells if c.get("metadata", {}).get("papermill", {}).get("status") == "failed"]
    found = marked or [(i, c) for i, c in cells if c.cell_type == "code" and c.source == source]
    if not found:
        return None, count if isinstance(count, int) else None
    position, cell = found[-1]
    return position, cell.get("execution_count") or (count if isinstance(count, int) else None)


def _running_cell(path: Path) -> CellFailure | None:
    """The cell execution stopped in: the last one papermill started."""
    nb = _read(path)
    if nb is None:
        return None
    started = [index for index, cell in enumerate(nb.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    cell = nb.cells[started[-1]]
    return CellFailure(started[-1], cell.source, "", "", [], started[-1] + 1, cell.get("execution_count"))
