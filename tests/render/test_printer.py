"""The printing process of a single build: the same PDF as printing in this process, errors
as clear as in this process, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from reportlib.errors import BuildError
from reportlib.render import pdf
from reportlib.render.printer import Printer

PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body><main class="report">'
        '<h1 class="title">Monitor</h1><p>Ninewa <span lang="ar">نينوى</span> ≥ 5</p></main></body></html>')


@pytest.fixture
def printer():
    printer = Printer()
    yield printer
    printer.close()


def test_prints_the_same_bytes_as_this_process(printer, tmp_path):
    printer.write_pdf(PAGE, tmp_path / "there.pdf", tmp_path)
    pdf.write_pdf(PAGE, tmp_path / "here.pdf", tmp_path)
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
    started = time.perf_counter()
    printer.close()
    assert time.perf_counter() - started < 1.5
    assert not printer._process.is_alive()
    assert printer._process.exitcode == 0


LEFT_BEHIND = """
import sys, tempfile, time
from pathlib import Path
from reportlib.render import pdf
from reportlib.render.printer import Printer
page = sys.argv[1]
out = Path(tempfile.gettempdir())
printer = Printer()
printer.write_pdf(page, out / "there.pdf", out)
printer.close()
# Stopped, one after the other, at moments through the warm-up: importing WeasyPrint,
# reading the fonts and printing the warm-up page, waiting for a page.
for delay in (0.3, 1.0, 2.5):
    stopped = Printer()
    time.sleep(delay)
    stopped.close()
pdf.write_pdf(page, out / "here.pdf", out)
import gc; gc.freeze()  # as a batch does before forking its workers
"""


def test_printing_leaves_no_temporary_fonts_behind(tmp_path):
    """WeasyPrint copies the fonts into a temporary folder per font configuration and
    removes it when the configuration is released: the printing process releases its own
    when it ends or is stopped, and a process that printed releases its own at exit, even
    after freezing its objects for forked workers."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    subprocess.run([sys.executable, "-c", LEFT_BEHIND, PAGE], check=True, timeout=120,
                   env={**os.environ, "TMPDIR": str(temp)})
    assert sorted(path.name for path in temp.iterdir()) == ["here.pdf", "there.pdf"]
