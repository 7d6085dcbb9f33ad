"""WeasyPrint, imported once per process and set up for the report's PDF."""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
import sys


@functools.cache
def load():
    """Import WeasyPrint; chart text goes through svgtext's run-at-a-time path."""
    with _libraries_from_loader_cache():
        import weasyprint
    from . import svgtext

    svgtext.install()
    return weasyprint


@contextlib.contextmanager
def _libraries_from_loader_cache():
    """WeasyPrint finds each C library it needs by trying the names it has on every platform
    in turn. On Linux each name that is not a file makes ctypes.util.find_library run
    ldconfig, then gcc, then ld: twenty-odd processes and a fifth of a second at the start of
    every build. While WeasyPrint loads, a name is looked up in one listing of the loader's
    cache instead; names it does not know fall through to the ones WeasyPrint tries later
    (libpango-1.0.so.0 and the like), which the loader opens itself."""
    import ctypes.util

    if not sys.platform.startswith("linux") or "weasyprint" in sys.modules:
        yield
        return
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False,
                                 env={"LC_ALL": "C", "PATH": "/sbin:/usr/sbin:/bin:/usr/bin"}).stdout
    except OSError:
        listing = ""

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s(lib{re.escape(name)}\.[^\s]+)\s", listing)
        return found.group(1) if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
