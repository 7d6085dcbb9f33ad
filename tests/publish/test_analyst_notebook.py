"""An analyst's own notebook (tests/data/analyst/analyst_report.ipynb) built with the real
CLI: a Markdown cell with headings, a cell that prints and warns, a pandas `.plot()` as a
cell's last expression, and a cell that shows HTML. The page and the PDF carry the prose
under the report's outline and what the analyst meant to show, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import GOOD, ROOT, assert_no_traceback, pdf_text, run_cli
from .test_pdf import outline

pytestmark = pytest.mark.slow

NOTEBOOK = ROOT / "tests" / "data" / "analyst" / "analyst_report.ipynb"
ACCIDENTS = ("DEBUG: rows loaded", "STRAY-WARNING", "Axes", "Figure size", "a value nobody meant")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("analyst")
    result = run_cli("build", "--data", GOOD, "--notebook", NOTEBOOK, "--start", "2020-11-19", "--end", "2020-12-03",
                     "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out / "analyst_report" / "2020-12-03"


def test_markdown_headings_sit_under_the_report_s_outline_in_the_page(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    assert "¶" not in page
    assert '<h2 id="analyst-s-outlook">Analyst\'s outlook</h2>' in page
    assert '<h3 id="what-to-watch">What to watch</h3>' in page
    assert '<h4 id="how-these-figures-were-read">How these figures were read</h4>' in page
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", toc) == ["Security", "Analyst's outlook", "Sources"]
    assert "<p>Commentary in the report's <em>own</em> type" in page


def test_only_what_the_analyst_meant_to_show_is_on_the_page(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    for accident in ACCIDENTS:
        assert accident not in page, accident
    assert '<p class="analyst-note">ANALYST-NOTE: <strong>' in page
    # The figure pandas drew, shown once, as a figure.
    assert len(re.findall(r'<figure class="chart"><img src="data:image/', page)) == 1


def test_the_pdf_reads_the_same(built):
    text = pdf_text(built / "report.pdf")
    for accident in ACCIDENTS:
        assert accident not in text, accident
    assert "ANALYST-NOTE" in text
    assert re.search(r"Analyst's outlook \.{5,} ?\d", text)
    assert "Commentary in the report's own type" in text
    marks = [(level, title) for level, title, _ in outline(PdfReader(str(built / "report.pdf")))]
    assert marks == [(1, "Security"), (1, "Analyst's outlook"), (2, "What to watch"),
                     (3, "How these figures were read"), (1, "Sources")]
