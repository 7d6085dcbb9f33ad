"""A process that prints the PDF of a single build, so that readying WeasyPrint overlaps the
notebook's run instead of following it."""

from __future__ import annotations

import contextlib
import gc
import signal
import traceback
from pathlib import Path

from ..errors import BuildError
from . import pdf


class Printer:
    """A process that prints the PDF, forked when a single build starts. While the kernel
    runs the notebook and this process loads the data, it readies WeasyPrint
    (pdf.warm_up), so that the extra cost of a first PDF falls before the notebook ends
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
        date or failed has nothing for it to print), by SIGTERM, on which it cleans up and
        leaves; it also ends by itself when this one does (its pipe closes)."""
        with contextlib.suppress(OSError):
            self._conn.send(None)
            self._conn.close()
        self._process.join(timeout=0.2)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn, parent_end) -> None:
    """The printing process: a page in, a status out, until the pipe closes, a None arrives
    or SIGTERM asks it to stop. Then it releases its font configuration and returns, and
    multiprocessing ends the process the way it ends every forked child: its own clean-up,
    then os._exit, without the interpreter's teardown or atexit handlers (so nothing runs
    against the kernel client it inherited from the command)."""
    # Ctrl-C is for the command, which stops the build and closes the pipe; this process
    # then sees the end of its input and leaves (once it holds no copy of the other end).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    parent_end.close()
    failed = False
    try:
        _print_pages(conn, pdf)
    except SystemExit:
        pass
    except Exception:
        traceback.print_exc()
        failed = True
    # Only here, outside the handlers, does no traceback hold the fonts any more.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    pdf.release()
    if failed:
        raise SystemExit(1)


def _print_pages(conn, pdf) -> None:
    # A stop waits while WeasyPrint loads: ctypes finds its libraries by running gcc and ld,
    # and a linker cut off in the middle leaves an empty file in the temporary folder.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        import weasyprint  # noqa: F401
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    pdf.prepare()
    # The warm-up page prepays a first PDF's one-time costs while the notebook runs; when the
    # report's page is already waiting, printing it pays them instead, and sooner.
    if not conn.poll():
        pdf.warm_up()
    # What is loaded now lasts as long as the process: the collector need not go through it
    # again, so releasing the fonts at the end (a collection) takes milliseconds.
    gc.collect()
    gc.freeze()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        page, target, base_url = job
        try:
            pdf.write_pdf(page, Path(target), Path(base_url))
        except BuildError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.errno:
                conn.send(("error", str(exc), cause.errno, cause.strerror, cause.filename))
            else:
                conn.send(("error", str(exc)))
            continue
        conn.send(("ok", ""))
        # The page's layout is garbage in reference cycles; clearing it while the command
        # publishes the report keeps that out of the end of the build.
        gc.collect()


def _stop(signum, frame) -> None:
    # Asked to stop (Printer.close, or multiprocessing ending the command's daemon children):
    # leave _print_pages wherever it is; _serve then removes the fonts' temporary folder.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(0)
