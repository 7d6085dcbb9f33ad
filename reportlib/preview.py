"""`reportlib preview`: the period's page on localhost, rebuilt as its inputs change.

    reportlib preview [--period-end DATE] [--port 8000]

serves http://127.0.0.1:PORT/ and watches the data folder, the notebook's folder (its
jupytext twin included) and the package's templates. A change rebuilds the page alone, as
`reportlib build` makes it (batch.build.page_only: no PDF, nothing written to outputs/), on
a kernel that was started while the analyst was editing, so a data edit shows in about a
second; the open browser reloads itself. Bad data shows as `reportlib validate` words it,
and a failing cell as the build prints it, in the page's place, never a stale report.

The reload is a script served by the preview (server-sent events), added to the preview's
copy of the page only: the report's file never has a script.
"""

from __future__ import annotations

import contextlib
import html
import http.server
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .batch.build import page_only
from .batch.plan import Task
from .engine import collector, kernels
from .errors import DataError, NotebookExecutionError, ReportlibError, UsageError
from .inputs.dataset import load
from .render.assets import templates_dir
from .render.execute import typed_parameters
from .reports import shipped

SCRIPT_PATH = "/_preview/reload.js"
EVENTS_PATH = "/_preview/events"
# The page asks for its version's successor; any other version on the stream reloads it.
RELOAD_JS = b"""(function () {
  var shown = document.currentScript.getAttribute("data-version");
  var events = new EventSource("/_preview/events");
  events.onmessage = function (event) { if (event.data !== shown) { location.reload(); } };
})();
"""
# The served copy's policy: the report's own (no script, nothing from elsewhere) plus the
# preview's script and its event stream from this server.
POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
          "script-src 'self'; connect-src 'self'")
_PAGE_POLICY = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"[^>]*>\s*', re.I)
# Files whose change means nothing for the page: editors' and tools' own.
_IGNORED = re.compile(r"(^\.|~$|\.sw[a-p]$|\.pyc$|__pycache__|\.ipynb_checkpoints)")


class Page:
    """The page being served and its version; waiters hear of every new version."""

    def __init__(self) -> None:
        self.version = 0
        self.html = _message_page("Building the report…", "The first build is running; this page reloads when it ends.")
        self._changed = threading.Condition()

    def set(self, page: str) -> None:
        with self._changed:
            self.version += 1
            self.html = page
            self._changed.notify_all()

    def served(self) -> tuple[int, bytes]:
        with self._changed:
            return self.version, _with_reload(self.html, self.version).encode("utf-8")

    def wait(self, after: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.version != after, timeout)
            return self.version


def _with_reload(page: str, version: int) -> str:
    """The preview's copy: the report's page with the reload script before </body>, and
    without a policy of its own (the server sends POLICY, which allows that one script)."""
    page = _PAGE_POLICY.sub("", page)
    tag = f'<script src="{SCRIPT_PATH}" data-version="{version}"></script>'
    if "</body>" in page:
        return page.replace("</body>", tag + "</body>", 1)
    return page + tag


def _message_page(title: str, text: str, lines: Sequence[str] = (), pre: str = "") -> str:
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview: '
        f"{html.escape(title)}</title><style>body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; "
        "padding: 0 1rem; line-height: 1.5 } h1 { color: #a52a1c; font-size: 1.4rem } li { margin: 0.3rem 0 } "
        "code, pre { font-size: 0.9rem } pre { background: #f4f6f8; padding: 0.6rem; overflow-x: auto }</style>"
        f'</head><body><main class="preview-problem"><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>'
        f"{f'<ul>{items}</ul>' if items else ''}{f'<pre>{html.escape(pre)}</pre>' if pre else ''}</main></body></html>")


def problem_page(exc: ReportlibError) -> str:
    """What stands in the report's place while the data or the notebook is wrong."""
    if isinstance(exc, DataError):
        count = len(exc.problems)
        return _message_page(f"The data has {count} problem{'s' if count != 1 else ''}",
                             "reportlib validate says so too. The page is rebuilt as soon as the files change.",
                             [str(p) for p in exc.problems + exc.warnings])
    if isinstance(exc, NotebookExecutionError):
        pre = ""
        if exc.failure is not None:
            pre = exc.failure.source.strip()
            if exc.failure.ename:
                pre += f"\n\n{exc.failure.ename}: {exc.failure.evalue}"
        kept = [f"the executed notebook: {exc.notebook_path}"] if exc.notebook_path else []
        return _message_page("The notebook failed", str(exc), kept, pre)
    return _message_page("The report cannot be built", str(exc))


class Handler(http.server.BaseHTTPRequestHandler):
    page: Page  # set on the server's subclass
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html", "/report.html"):
            _, body = self.page.served()
            self._send(200, "text/html; charset=utf-8", body)
        elif path == SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", RELOAD_JS)
        elif path == EVENTS_PATH:
            self._events()
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: the preview serves / only\n")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", POLICY)
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version = self.page.version
        with contextlib.suppress(OSError):
            while True:
                self.wfile.write(f"data: {version}\n\n".encode("ascii"))
                self.wfile.flush()
                version = self.page.wait(version, 15)  # a line every 15 s finds a closed tab

    def log_message(self, format: str, *args) -> None:
        pass


def serve(page: Page, port: int) -> http.server.ThreadingHTTPServer:
    """The server on 127.0.0.1:port (0: any free port), answering in threads of its own."""
    handler = type("PreviewHandler", (Handler,), {"page": page})
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UsageError(f"--port {port}: cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}); "
                         "choose another port, or 0 for any free one") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


class Builder:
    """Rebuilds the page. After every build it starts the kernel of the next one, so that a
    change waits only for the notebook to run and the page to be exported."""

    def __init__(self, data_dir: Path, notebook: Path, period_end: str | None, params: dict[str, str],
                 timeout: int, log: Callable[[str], None]):
        self.data_dir, self.notebook, self.period_end = data_dir, notebook, period_end
        self.params, self.timeout, self.log = params, timeout, log
        self.scratch = Path(tempfile.mkdtemp(prefix="reportlib-preview-"))
        self._kernel: kernels.Kernel | None = None

    def _start_kernel(self) -> kernels.Kernel:
        return kernels.Kernel(kernels.start(kernels.manager(), self.notebook.parent))

    def build(self) -> str:
        """The page, or the page that says what is wrong."""
        kernel = self._kernel or self._start_kernel()
        self._kernel = None
        try:
            try:
                started = time.perf_counter()
                data = load(self.data_dir)
                self.log(f"preview: data loaded and checked in {time.perf_counter() - started:.2f} s")
                period = data.resolve_period(self.period_end or "")
                shipped.check_twin(self.notebook)  # an edit in the twin alone is refused, in the page
                typed = typed_parameters(self.notebook, self.params)
                task = Task(data_dir=str(data.root), period=period, out_root=str(self.scratch),
                            notebook=str(self.notebook), parameters=typed, timeout=self.timeout, force=True,
                            given=dict(self.params))
            except BaseException:
                kernel.close()
                raise
            return page_only(task, data, kernel, self.log)
        except ReportlibError as exc:
            self.log(f"preview: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return problem_page(exc)
        finally:
            self._kernel = self._start_kernel()

    def wait_ready(self) -> None:
        """Until the next build's kernel answers (changes made meanwhile are not lost: the
        watcher keeps collecting them)."""
        if self._kernel is not None:
            with contextlib.suppress(Exception):  # a kernel that never answers fails the next build, visibly
                self._kernel.run(_nothing).result(kernels.START_TIMEOUT)

    def close(self) -> None:
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None
        shutil.rmtree(self.scratch, ignore_errors=True)


def _nothing(km=None, kc=None) -> None:
    pass


def watched(data_dir: Path, notebook: Path) -> list[Path]:
    """What a change of rebuilds the page: the data, the notebook's folder (the notebook,
    its jupytext twin), the report blocks' and the page's templates."""
    return [data_dir, notebook.parent, Path(shipped.__file__).parent / "templates", templates_dir()]


def _relevant(change: tuple) -> bool:
    return not any(_IGNORED.search(part) for part in Path(change[1]).parts[-2:])


def run(data_dir: str | Path = "data", period_end: str | None = None, port: int = 8000,
        notebook: str | Path | None = None, params: dict[str, str] | None = None, timeout: int = 600,
        log: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve and rebuild until interrupted (or `stop` is set)."""
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    data_path = Path(data_dir).resolve()
    notebook_path = shipped.resolve(notebook).resolve()
    page = Page()
    server = serve(page, port)
    builder = Builder(data_path, notebook_path, period_end, dict(params or {}), timeout, log)
    stop = stop or threading.Event()
    try:
        log(f"preview: http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops it)")
        # The watcher starts before the first build, so that no edit made during a build or
        # while the next kernel starts is missed: its changes wait in the queue.
        changes: queue.Queue = queue.Queue()
        threading.Thread(target=_watch, args=(watched(data_path, notebook_path), stop, changes),
                         name="preview-watch", daemon=True).start()
        started = time.perf_counter()
        page.set(builder.build())
        log(f"preview: page ready in {time.perf_counter() - started:.1f} s; watching {data_path} and the notebook")
        builder.wait_ready()
        log("preview: ready for the next change")
        while not stop.is_set():
            try:
                found = changes.get(timeout=0.5)
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:  # everything changed since the last build, in one build
                    found |= changes.get_nowait()
            changed = sorted({Path(c[1]).name for c in found if _relevant(c)})
            if not changed:
                continue
            started = time.perf_counter()
            page.set(builder.build())
            log(f"preview: {', '.join(changed)} changed; page rebuilt in {time.perf_counter() - started:.1f} s")
            collector.between_reports()
            builder.wait_ready()
            log("preview: ready for the next change")
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        builder.close()


def _watch(paths: list[Path], stop: threading.Event, changes: queue.Queue) -> None:
    import watchfiles

    for found in watchfiles.watch(*paths, stop_event=stop, debounce=400, step=30, rust_timeout=500,
                                  yield_on_timeout=False, raise_interrupt=False):
        changes.put(set(found))


__all__ = ["EVENTS_PATH", "POLICY", "SCRIPT_PATH", "Page", "problem_page", "run", "serve"]
