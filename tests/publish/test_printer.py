"""The printing process of a single build: the same PDF as printing in this process, errors
as clear as in this process, and no process left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reportlib.errors import BuildError
from reportlib.publish import render
from reportlib.publish.printer import Printer

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body><main class="report">'
        '<h1 class="title">Monitor</h1><p>Ninewa <span lang="ar">نينوى</span> ≥ 5</p></main></body></html>')


@pytest.fixture
def printer():
    printer = Printer()
    yield printer
    printer.close()


def test_prints_the_same_bytes_as_this_process(printer, tmp_path):
    printer.write_pdf(PAGE, tmp_path / "there.pdf", tmp_path)
    render.write_pdf(PAGE, tmp_path / "here.pdf", tmp_path)
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    # A second page through the same process.
    printer.write_pdf(PAGE.replace("Monitor", "Second"), tmp_path / "second.pdf", tmp_path)
    assert (tmp_path / "second.pdf").read_bytes().startswith(b"%PDF")


def test_a_failed_print_is_a_build_error_and_the_printer_carries_on(printer, tmp_path):
    with pytest.raises(BuildError, match="printing the PDF failed"):
        printer.write_pdf(PAGE, tmp_path / "missing-folder" / "report.pdf", tmp_path)
    printer.write_pdf(PAGE, tmp_path / "report.pdf", tmp_path)
    assert (tmp_path / "report.pdf").exists()


def test_a_killed_printer_is_a_build_error(printer, tmp_path):
    os.kill(printer._process.pid, signal.SIGKILL)
    printer._process.join(5)
    with pytest.raises(BuildError, match="printing process ended"):
        printer.write_pdf(PAGE, tmp_path / "report.pdf", tmp_path)


def test_close_ends_the_process(tmp_path):
    printer = Printer()
    printer.write_pdf(PAGE, tmp_path / "report.pdf", tmp_path)
    printer.close()
    assert not printer._process.is_alive()
    assert printer._process.exitcode == 0


def test_close_before_any_page_does_not_wait_for_the_warm_up():
    # Just started, the process is still importing WeasyPrint: closing stops it there
    # instead of waiting for its warm-up page (an up-to-date build prints nothing).
    printer = Printer()
    printer.close()
    assert not printer._process.is_alive()
    assert printer._process.exitcode == -signal.SIGKILL


LOAD_SCRIPT = """
import ctypes.util, json, subprocess, sys
started = []
real_init = subprocess.Popen.__init__
def init(self, args, *rest, **kwargs):
    started.append(str(args[0] if isinstance(args, (list, tuple)) else args))
    real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = init
original = ctypes.util.find_library
from reportlib.publish import weasyprint_loader
weasyprint_loader.load()
from weasyprint.text import ffi
print(json.dumps({"started": started, "restored": ctypes.util.find_library is original,
                  "loaded": all(lib is not None for lib in (ffi.gobject, ffi.pango, ffi.harfbuzz,
                                                            ffi.fontconfig, ffi.pangoft2))}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the library lookup it avoids is Linux's")
def test_weasyprint_loads_its_libraries_without_running_a_compiler():
    """ctypes' library lookup runs gcc and ld for every name WeasyPrint tries that is not a
    file; the loader answers from one listing of the loader's cache instead."""
    done = subprocess.run([sys.executable, "-c", LOAD_SCRIPT], capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] and found["restored"]
    assert [Path(command).name for command in found["started"]] == ["ldconfig"]
