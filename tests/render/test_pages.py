"""Pages without holes: no page but the last is more than 15% blank at its bottom, on the
shipped issue and on a synthetic week with twice its incidents (tests/render/blank.py
measures the rendered pages)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import DATA, assert_no_traceback, run_cli
from .blank import blank_bottoms

MOST_BLANK = 0.15
# Measured on this tree: a figure that does not fit is pushed whole to the next page (figures
# never split) and the content after it does not move up; shrinking the charts in print to
# 72-88 mm moved the holes rather than closing them. The map now prints across the text width
# and fills its page; what remains is the run of figures after the incidents table (shipped:
# page 3 18%, page 4 29%; synthetic: page 3 49%). Strict: this fails loudly once fixed.
NOT_YET = pytest.mark.xfail(strict=True, reason="figures pushed to the next page leave holes after the incidents "
                             "table: 18% and 29% on the shipped issue, 49% on the synthetic week (issue 23)")


def holes(pdf: Path) -> list[tuple[int, float]]:
    fractions = blank_bottoms(pdf)
    return [(n, round(f, 2)) for n, f in enumerate(fractions[:-1], start=1) if f > MOST_BLANK]


def test_the_measure_sees_a_half_empty_page(tmp_path):
    from reportlib.render import pdf

    page = ('<!DOCTYPE html><html lang="en"><head><title>Holes</title></head><body>'
            '<p style="height: 120mm; background: #333">x</p><p style="break-before: page">y</p></body></html>')
    pdf.write_pdf(page, tmp_path / "holes.pdf", tmp_path)
    (first, second) = blank_bottoms(tmp_path / "holes.pdf")
    assert 0.45 < first < 0.6 and second > 0.9


@pytest.mark.slow
def test_the_map_fills_its_page(shipped_report):
    # The map is taller than half a page, so it always starts a page of its own; printed at
    # its drawn size it left 28% of that page blank.
    pdf = shipped_report / "report.pdf"
    pages = [page.extract_text() for page in PdfReader(str(pdf)).pages]
    (number,) = [n for n, text in enumerate(pages) if text.startswith("Where incidents were reported")]
    assert number < len(pages) - 1
    assert blank_bottoms(pdf)[number] <= MOST_BLANK


@pytest.mark.slow
@NOT_YET
def test_no_page_of_the_shipped_issue_has_a_hole(shipped_report):
    assert holes(shipped_report / "report.pdf") == []


@pytest.mark.slow
@NOT_YET
def test_no_page_of_a_synthetic_week_with_twice_the_incidents_has_a_hole(tmp_path):
    with (DATA / "incidents.csv").open(encoding="utf-8") as stream:
        rows = sum(1 for _ in csv.DictReader(stream))
    data = tmp_path / "data"
    result = run_cli("demo-data", "--weeks", 1, "--incidents-per-week", 2 * rows, "--data", data)
    assert result.returncode == 0, result.stderr
    result = run_cli("build", "--data", data, "--out", tmp_path / "out")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    (report,) = (tmp_path / "out").glob("*/report.pdf")
    assert "Synthetic" in (report.parent / "report.html").read_text(encoding="utf-8")
    assert holes(report) == []
