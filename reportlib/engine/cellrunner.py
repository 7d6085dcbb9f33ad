"""The kernel side of running a notebook's code cells in one request (see execute.py).

Each cell runs through IPython as if it had been sent on its own: its own execution count,
its result displayed, its error shown with a traceback. Before each cell, and after the
last or the first that fails, a marker output tells the client which cell the outputs
that follow belong to; the client keeps the markers out of the notebook.
"""

from __future__ import annotations

import sys

MARKER = "application/vnd.reportlib.cell+json"


def run(sources: list[tuple[int, str]]) -> None:
    """Run (cell index, source) pairs in order, stopping at the first that fails."""
    from IPython import get_ipython

    shell = get_ipython()
    for index, source in sources:
        _mark(shell, {"cell": index, "execution_count": shell.execution_count})
        result = shell.run_cell(source, store_history=True)
        if not result.success:
            _mark(shell, {"failed": index})
            return
    _mark(shell, {"done": True})


def _mark(shell, content: dict) -> None:
    # What a cell printed is sent before the marker that ends it; and the marker is on its
    # way before the next cell runs (ipykernel's flush waits for its IOPub thread), so that
    # a cell that kills its kernel is still named as the one that ran.
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    shell.display_pub.publish(data={MARKER: content}, metadata={})
    sys.stdout.flush()
