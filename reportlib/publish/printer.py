"""A process that prints the PDF of a single build, so that readying WeasyPrint overlaps the
notebook's run instead of following it."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from ..errors import BuildError


class Printer:
    """A process that prints the PDF, forked when a single build starts. While the kernel
    runs the notebook and this process loads the data, it readies WeasyPrint
    (render.warm_up), so that the extra cost of a first PDF falls before the notebook ends
    instead of after."""

    def __init__(self):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, self._conn), name="reportlib-printer",
                                        daemon=True)
        self._process.start()
        child.close()

    def write_pdf(self, page: str, target: Path, base_url: Path) -> None:
        try:
            self._conn.send((page, str(target), str(base_url)))
            status, detail, *cause = self._conn.recv()
        except (EOFError, OSError):
            raise BuildError("printing the PDF failed: the printing process ended") from None
        if status != "ok":
            # An OSError (a full disk, a read-only folder) stays one, for the build to name.
            raise BuildError(detail) from (OSError(*cause) if cause else None)

    def close(self) -> None:
        """Stop the process: at once if it is still getting ready (a build that was up to
        date or failed has nothing for it to print); it also ends by itself when this one
        does (its pipe closes)."""
        with contextlib.suppress(OSError):
            self._conn.send(None)
            self._conn.close()
        self._process.join(timeout=0.2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn, parent_end) -> None:
    # Ctrl-C is for the command, which stops the build and closes the pipe; this process
    # then sees the end of its input and leaves (once it holds no copy of the other end).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent_end.close()
    code = 0
    try:
        from . import render

        render.warm_up(html=False)
        while True:
            try:
                job = conn.recv()
            except EOFError:
                break
            if job is None:
                break
            page, target, base_url = job
            try:
                render.write_pdf(page, Path(target), Path(base_url))
                conn.send(("ok", ""))
            except BuildError as exc:
                cause = exc.__cause__
                if isinstance(cause, OSError) and cause.errno:
                    conn.send(("error", str(exc), cause.errno, cause.strerror, cause.filename))
                else:
                    conn.send(("error", str(exc)))
    except Exception:
        code = 1
    finally:
        # Without the interpreter's teardown: it inherited the command's kernel client and
        # must not touch it.
        os._exit(code)
