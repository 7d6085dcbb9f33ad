"""A process that prints the PDF of a single build, so that readying WeasyPrint overlaps the
notebook's run instead of following it."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
from pathlib import Path

from .exceptions import BuildError


class Printer:
    """A process that prints the PDF, forked when a single build starts. While the kernel
    runs the notebook and this process loads the data, it imports WeasyPrint and prints a
    small page in the report's markup and fonts: a first PDF costs half as much again as
    later ones (hyphenation dictionaries, C declarations, fonts opened and shaped), and that
    half now falls before the notebook ends instead of after."""

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
            status, detail = self._conn.recv()
        except (EOFError, OSError):
            raise BuildError("printing the PDF failed: the printing process ended") from None
        if status != "ok":
            raise BuildError(detail)

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

        render.prepare_printing()
        render.write_pdf(_warm_up_page(render.report_css()), None, render.templates_dir())
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
                conn.send(("error", str(exc)))
    except Exception:
        code = 1
    finally:
        # Without the interpreter's teardown: it inherited the command's kernel client and
        # must not touch it.
        os._exit(code)


def _warm_up_page(css: str) -> str:
    """A page in the report's markup: each font, hyphenated prose, a table, a chart."""
    svg = base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="60pt" height="20pt" font-family="Noto Sans">'
        b'<rect width="10" height="10" fill="#1f4e79"/><text x="12" y="9" font-size="8">1,234 killed</text>'
        b"</svg>").decode("ascii")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>\n{css}\n</style></head>'
        '<body><main class="report"><header class="title-block"><p class="kicker">Iraq · Weekly monitor</p>'
        '<h1 class="title">Monitor</h1><p class="period">19 November – 3 December 2020</p></header>'
        '<nav class="toc"><h2>Contents</h2><ol><li><a href="#s">Security</a></li></ol></nav>'
        '<section class="key-figures"><h2 id="k">Key figures</h2><div class="boxes"><div class="figure-box">'
        '<span class="value">≥34</span><span class="label">Incidents</span></div></div></section>'
        '<h2 id="s">Security round-up</h2><p class="headline">Rockets Damage Refinery; Protesters Attacked</p>'
        '<p class="event">On November 29, a rocket attack struck the Siniya oil refinery in Salah ad-Din, '
        "temporarily shutting down production; federal security forces began redeploying to Sinjar under "
        "the normalization agreement signed in October.</p><p class=\"summary\"><em>Between</em> November 21 "
        "– December 3, ten IEDs killed at least five people.</p>"
        '<div class="table-wrap"><table><caption>Incidents</caption><thead><tr><th>Type</th><th>Governorate</th>'
        '<th class="num">Killed</th></tr></thead><tbody><tr><td class="type">IEDs</td><td><span class="place">'
        'Ninewa <span dir="rtl" lang="ar">نينوى</span></span><sup class="shared">†</sup></td><td class="num">'
        '<span class="min">≥</span>5</td></tr><tr><td class="total">Total</td><td></td><td class="num total">'
        "−3 → ←</td></tr></tbody></table></div>"
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{svg}" alt="chart">'
        "<figcaption>Incidents by type.</figcaption></figure></main></body></html>")
