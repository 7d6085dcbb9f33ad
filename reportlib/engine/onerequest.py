"""The papermill engine reportlib runs notebooks with: all of a notebook's code cells go to the
kernel in one request.

Sent one at a time, each cell costs a round of messages (the request, busy and idle states,
the echoed input, the reply), about 8 ms of processor time between the kernel and the client
whatever the cell does: a sixth of a report, whose twenty cells each do little. One request
runs them all (reportlib.engine.cellrunner), and a marker before each cell tells the client
where the next cell's outputs begin. The notebook comes out as papermill writes it: each cell
with its outputs, execution count and papermill's start, end and status; a failed cell holds
its error and the cells after it do not run; the timeout is per cell. A notebook with
top-level await in a cell runs cell by cell.

It is a papermill engine, registered under the entry-point group `papermill.engine` as
"reportlib", and uses only public methods of papermill (the execution manager's cell_start,
cell_complete, cell_exception) and nbclient (setup_kernel, execute_cell, process_message,
wait_for_reply). It runs on a kernel the caller started (`km`), through a client the caller
may have connected already (`kc`), and saves the partial notebook to `failed_path` when
execution stops for a reason papermill does not save on (a timeout, a dead kernel, an
interrupt). The notebook is saved once, at the end, by papermill, instead of twice per cell
(pass request_save_on_cell_execute=False).
"""

from __future__ import annotations

import time
from queue import Empty

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from papermill.engines import Engine
from papermill.log import logger

from .cellrunner import MARKER


class OneRequestEngine(Engine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, km=None, kc=None, execution_timeout=None,
                                 start_timeout=60, failed_path=None, **kwargs):
        client = NotebookClient(nb_man.nb, km=km, kernel_name=kernel_name, timeout=execution_timeout,
                                startup_timeout=start_timeout, log=logger)
        client.kc = kc
        try:
            with client.setup_kernel():
                cells = [cell for cell in nb_man.nb.cells if _runs(client, cell)]
                # IPython runs a cell with top-level await on the kernel's event loop, which the
                # one request already holds: such a notebook runs cell by cell.
                if any("await" in cell.source for cell in cells):
                    _cell_by_cell(client, nb_man)
                else:
                    run_sync(_one_request)(client, nb_man)
                info = client.wait_for_reply(client.kc.kernel_info())
                if info and "language_info" in info["content"]:
                    nb_man.nb.metadata["language_info"] = info["content"]["language_info"]
        except BaseException:
            if failed_path:
                nbformat.write(nb_man.nb, failed_path)
            raise
        return nb_man.nb


def _runs(client: NotebookClient, cell) -> bool:
    return (cell.cell_type == "code" and bool(cell.source.strip())
            and client.skip_cells_with_tag not in cell.metadata.get("tags", []))


def _cell_by_cell(client: NotebookClient, nb_man) -> None:
    """As papermill runs cells: each in a request of its own, stopping at the first error."""
    for index, cell in enumerate(nb_man.nb.cells):
        try:
            nb_man.cell_start(cell, index)
            client.execute_cell(cell, index)
        except CellExecutionError as error:
            nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=error)
            break
        finally:
            nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)


async def _one_request(client: NotebookClient, nb_man) -> None:
    cells = nb_man.nb.cells
    code = [(index, cell.source) for index, cell in enumerate(cells) if _runs(client, cell)]
    progress = _Progress(nb_man, cells)
    if not code:
        progress.finish()
        return
    assert client.kc is not None  # papermill's engine runs the cells once the kernel is started
    request = await ensure_async(client.kc.execute(
        f"__import__('reportlib.engine.cellrunner').engine.cellrunner.run({code!r})", store_history=False))
    failed = await _follow(client, request, progress)
    reply = await client.async_wait_for_reply(request)
    content = (reply or {}).get("content", {})
    if progress.current is None and not failed and content.get("status") == "error":
        raise RuntimeError(f"the cells could not be started: {content.get('ename')}: {content.get('evalue')}")
    if not failed:
        progress.finish()


async def _follow(client: NotebookClient, request: str, progress: _Progress) -> bool:
    """Route the request's outputs to their cells until the kernel is idle; True if a cell
    failed. A cell running longer than the client's timeout raises CellTimeoutError."""
    assert client.kc is not None and client.km is not None  # as in _one_request
    failed = False
    deadline = None
    while True:
        now = time.monotonic()
        if deadline is not None and client.timeout and now > deadline:  # a deadline comes from the timeout
            raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", client.timeout,
                                                               progress.cell)
        wait = 1.0 if deadline is None else max(0.01, min(1.0, deadline - now))
        try:
            msg = await ensure_async(client.kc.iopub_channel.get_msg(timeout=wait))
        except Empty:
            if not await ensure_async(client.km.is_alive()):
                raise DeadKernelError("Kernel died") from None
            continue
        if msg["parent_header"].get("msg_id") != request:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status":
            if content["execution_state"] == "idle":
                return failed
        elif kind == "display_data" and MARKER in content.get("data", {}):
            mark = content["data"][MARKER]
            if "cell" in mark:
                progress.begin(mark["cell"], mark["execution_count"])
                client.clear_before_next_output = False
                deadline = time.monotonic() + client.timeout if client.timeout and client.timeout > 0 else None
            elif "failed" in mark:
                progress.fail()
                failed = True
                deadline = None
            else:
                progress.end()
                deadline = None
        elif kind != "execute_input" and progress.cell is not None and progress.current is not None:
            client.process_message(msg, progress.cell, progress.current)


class _Progress:
    """papermill's record of which cell runs: start and end times and status in each cell's
    metadata, cells that do not run (markdown, empty) passed in order."""

    def __init__(self, nb_man, cells):
        self.nb_man = nb_man
        self.cells = cells
        self.current: int | None = None
        self.passed = 0  # cells before this one are done

    @property
    def cell(self):
        return None if self.current is None else self.cells[self.current]

    def _pass_to(self, index: int) -> None:
        for skipped in range(self.passed, index):
            self.nb_man.cell_start(self.cells[skipped], skipped)
            self.nb_man.cell_complete(self.cells[skipped], skipped)
        self.passed = max(self.passed, index)

    def begin(self, index: int, execution_count: int) -> None:
        self.end()
        self._pass_to(index)
        cell = self.cells[index]
        self.nb_man.cell_start(cell, index)
        cell.outputs = []
        cell.execution_count = execution_count
        self.current, self.passed = index, index + 1

    def end(self) -> None:
        if self.current is not None:
            self.nb_man.cell_complete(self.cell, self.current)
            self.current = None

    def fail(self) -> None:
        self.nb_man.cell_exception(self.cell, cell_index=self.current)
        self.end()

    def finish(self) -> None:
        self.end()
        self._pass_to(len(self.cells))
