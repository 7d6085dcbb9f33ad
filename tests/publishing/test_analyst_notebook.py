"""An analyst's own notebook (tests/data/analyst/analyst_report.ipynb) built with the real
CLI: a Markdown cell with headings, a cell that prints and warns, a pandas `.plot()` as a
cell's last expression, and a cell that shows HTML. The page and the PDF carry the prose
under the report's outline and what the analyst meant to show, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from pypdf import PdfReader

from ..conftest import GOOD, ROOT, assert_no_traceback, pdf_text, run_cli
from ..render.test_pdf import outline
from ..render.test_pdf_tags import structure

pytestmark = pytest.mark.slow

NOTEBOOK = ROOT / "tests" / "data" / "analyst" / "analyst_report.ipynb"
ACCIDENTS = ("DEBUG: rows loaded", "STRAY-WARNING", "Axes", "Figure size", "a value nobody meant")


class Built(NamedTuple):
    folder: Path
    output: str  # what the command printed


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    out = tmp_path_factory.mktemp("analyst")
    result = run_cli("build", "--data", GOOD, "--notebook", NOTEBOOK, "--start", "2020-11-19", "--end", "2020-12-03",
                     "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return Built(out / "analyst_report" / "2020-12-03", result.stderr)


def test_markdown_headings_sit_under_the_report_s_outline_in_the_page(built):
    page = (built.folder / "report.html").read_text(encoding="utf-8")
    assert "¶" not in page
    assert '<h2 id="analyst-s-outlook">Analyst\'s outlook</h2>' in page
    assert '<h3 id="what-to-watch">What to watch</h3>' in page
    assert '<h4 id="how-these-figures-were-read">How these figures were read</h4>' in page
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", toc) == ["Security", "Analyst's outlook", "Sources"]
    assert "<p>Commentary in the report's <em>own</em> type" in page


def test_only_what_the_analyst_meant_to_show_is_on_the_page(built):
    page = (built.folder / "report.html").read_text(encoding="utf-8")
    for accident in ACCIDENTS:
        assert accident not in page, accident
    assert '<p class="analyst-note">ANALYST-NOTE: <strong>' in page
    # The figure pandas drew, shown once, as the report's Figure 1 in SVG (without a caption:
    # the placeholder says so), and the picture shown with a caption and alt text in its
    # metadata, as an image of the page.
    drawn = re.findall(r'<figure class="chart" id="figure-1"><img src="data:image/svg\+xml;base64,[^"]+" '
                       r'alt="([^"]+)"><figcaption><span class="figure-number">Figure 1:</span> '
                       r'<span class="figure-placeholder">No caption given\.', page)
    assert drawn == ["Figure 1: a chart without a description."]
    images = re.findall(r'<figure class="chart"><img src="data:image/png;base64,[^"]+" alt="([^"]+)">'
                        r"<figcaption[^>]*>([^<]+)</figcaption></figure>", page)
    assert images == [("Bars: Ninewa 3, Kirkuk 1.", "Incidents by governorate this week.")]


def test_the_build_says_which_figure_lacks_a_caption(built):
    assert "2020-12-03: warning: Figure 1 has no caption" in built.output


def test_the_pdf_reads_the_same(built):
    text = pdf_text(built.folder / "report.pdf")
    for accident in ACCIDENTS:
        assert accident not in text, accident
    assert "ANALYST-NOTE" in text
    # The contents' leader is drawn (an artifact), not text: in layout order, the title then its page.
    contents = PdfReader(str(built.folder / "report.pdf")).pages[0].extract_text(extraction_mode="layout")
    assert re.search(r"Analyst's outlook\s*\d", contents)
    assert "Commentary in the report's own type" in text
    assert "Figure 1: No caption given." in text and "Incidents by governorate this week." in text
    figures = [e for e in structure(PdfReader(str(built.folder / "report.pdf"))) if e["/S"] == "/Figure"]
    assert [str(figure["/Alt"]) for figure in figures] == ["Figure 1: a chart without a description.",
                                                           "Bars: Ninewa 3, Kirkuk 1."]
    marks = [(level, title) for level, title, _ in outline(PdfReader(str(built.folder / "report.pdf")))]
    assert marks == [(1, "Security"), (1, "Analyst's outlook"), (2, "What to watch"),
                     (3, "How these figures were read"), (1, "Sources")]
