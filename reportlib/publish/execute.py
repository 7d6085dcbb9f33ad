"""Run a report notebook with papermill on a kernel the caller has started, and turn every
way it can fail into a NotebookExecutionError that names the cell and the reason."""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from ..errors import CellFailure, NotebookExecutionError, UsageError

ENGINE = "reportlib"


class _Engine(NBClientEngine):
    """papermill's nbclient engine with three changes: the code cells go to the kernel in one
    request (reportlib.onerequest); the notebook is saved once at the end instead of twice
    per cell (a report has twenty cells; the saves were a fifth of its run); and the partial
    notebook is saved when execution stops for a reason papermill does not save on (a
    timeout, a dead kernel, an interrupt)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, failed_path=None, start_timeout=60,
                                 execution_timeout=None, **kwargs):
        from ..engine.onerequest import OneRequestClient

        kwargs.pop("input_path", None)
        try:
            return OneRequestClient(nb_man, kernel_name=kernel_name, timeout=execution_timeout,
                                    startup_timeout=start_timeout, log=logger, **kwargs).execute()
        except BaseException:
            if failed_path:
                nbformat.write(nb_man.nb, failed_path)
            raise


papermill_engines.register(ENGINE, _Engine)


def check_parameters(notebook: Path, parameters: dict) -> None:
    """papermill only warns about a parameter the notebook does not declare; a misspelt
    parameter silently building the default period is worse, so refuse it."""
    stat = notebook.stat()
    declared = _declared_parameters(str(notebook), stat.st_mtime_ns, stat.st_size)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UsageError(
            f"{notebook.name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are {', '.join(sorted(declared))}")


@functools.lru_cache(maxsize=8)
def _declared_parameters(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    """The notebook's parameters, read once per version of the file: a batch worker checks
    the same notebook for every period it builds."""
    import papermill

    return frozenset(papermill.inspect_notebook(path))


def execute(notebook: Path, output: Path, parameters: dict, timeout: int, km) -> nbformat.NotebookNode:
    """Run the notebook on the started kernel `km`, which is killed afterwards (a kernel
    serves one report). On failure the partial notebook is at `output`."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, engine_name=ENGINE,
            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=timeout, start_timeout=120, km=km, failed_path=str(output))
    except PapermillExecutionError as exc:
        failure = CellFailure(exc.cell_index, exc.source, exc.ename, exc.evalue, list(exc.traceback))
        raise NotebookExecutionError(
            f"cell {exc.cell_index} raised {exc.ename}: {exc.evalue}", failure, str(output)) from None
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a timeout, a dead kernel, a kernel that never started
        kind = type(exc).__name__
        reason = {
            "CellTimeoutError": f"a cell ran longer than the {timeout} s execution timeout",
            "DeadKernelError": "the kernel died (it crashed or was killed)",
        }.get(kind, f"{kind}: {exc}")
        failure = _running_cell(output)
        if failure is not None:
            failure = CellFailure(failure.cell_index, failure.source, kind, reason, [])
            raise NotebookExecutionError(f"cell {failure.cell_index}: {reason}", failure, str(output)) from None
        raise NotebookExecutionError(f"the notebook did not run: {reason}", None,
                                     str(output) if output.exists() else None) from None
    finally:
        from ..engine.kernels import kill

        # The kernel's work is done: end it now, without waiting. Whoever started it shuts
        # it down later and finds it gone.
        kill(km)


def _running_cell(path: Path) -> CellFailure | None:
    """The cell execution stopped in: the last one papermill started."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        return None
    started = [index for index, cell in enumerate(nb.cells)
               if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    return CellFailure(started[-1], nb.cells[started[-1]].source, "", "", [])
