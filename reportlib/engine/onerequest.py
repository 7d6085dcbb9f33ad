"""A notebook client that sends all of a notebook's code cells to the kernel in one request.

Sent one at a time, each cell costs a round of messages (the request, busy and idle states,
the echoed input, the reply), about 8 ms of processor time between the kernel and this
client whatever the cell does: a sixth of a report, whose twenty cells each do little. One
request runs them all (reportlib.cellrunner), and a marker before each cell tells this
client where the next cell's outputs begin. The notebook comes out as papermill writes it:
each cell with its outputs, execution count and papermill's start, end and status; a
failed cell holds its error and the cells after it do not run; the timeout is per cell.
A notebook with top-level await in a cell runs cell by cell.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from papermill.clientwrap import PapermillNotebookClient

from .cellrunner import MARKER


class OneRequestClient(PapermillNotebookClient):
    def papermill_execute_cells(self):
        # IPython runs a cell with top-level await on the kernel's event loop, which the one
        # request already holds: such a notebook runs cell by cell, as papermill would.
        if any("await" in cell.source for cell in self.nb.cells if self._runs(cell)):
            return super().papermill_execute_cells()
        run_sync(self._run_cells)()

    def _runs(self, cell) -> bool:
        return (cell.cell_type == "code" and bool(cell.source.strip())
                and self.skip_cells_with_tag not in cell.metadata.get("tags", []))

    async def _run_cells(self) -> None:
        cells = self.nb.cells
        code = [(index, cell.source) for index, cell in enumerate(cells) if self._runs(cell)]
        progress = _Progress(self.nb_man, cells)
        if not code:
            progress.finish()
            return
        request = await ensure_async(self.kc.execute(
            f"__import__('reportlib.engine.cellrunner').engine.cellrunner.run({code!r})", store_history=False))
        failed = await self._follow(request, progress)
        reply = await self.async_wait_for_reply(request)
        content = (reply or {}).get("content", {})
        if progress.current is None and not failed and content.get("status") == "error":
            raise RuntimeError(f"the cells could not be started: {content.get('ename')}: {content.get('evalue')}")
        if not failed:
            progress.finish()

    async def _follow(self, request: str, progress: _Progress) -> bool:
        """Route the request's outputs to their cells until the kernel is idle; True if a
        cell failed."""
        failed = False
        deadline = None
        while True:
            if deadline is not None and time.monotonic() > deadline:
                await self._async_handle_timeout(self._get_timeout(progress.cell), progress.cell)
                deadline = None
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=1))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
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
                    self.clear_before_next_output = False
                    timeout = self._get_timeout(progress.cell)
                    deadline = None if timeout is None else time.monotonic() + timeout
                elif "failed" in mark:
                    progress.fail()
                    failed = True
                    deadline = None
                else:
                    progress.end()
                    deadline = None
            elif kind != "execute_input" and progress.cell is not None:
                self.process_message(msg, progress.cell, progress.current)


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
