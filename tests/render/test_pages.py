"""Pages without holes: no page but the last is more than 15% blank at its bottom, on the
shipped issue and on a synthetic week with twice its incidents (tests/render/blank.py
measures the rendered pages)."""

from __future__ import annotations

import base64
import csv
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import DATA, assert_no_traceback, run_cli
from .blank import blank_bottoms

MOST_BLANK = 0.15
# A figure that does not fit is pushed whole to the next page (figures never split) and the
# content after it does not move up. The map prints across the text width and fills its page;
# a run of figures prints in the order and sizes that fill its pages (render.figureorder):
# shipped page 4 29% -> 11% (Figures 1 and 2 in their taller print copies), synthetic week
# page 3 46% -> 7% (Figure 2 ahead of Figure 1, the trend chart ahead of the map).


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


def _figure(number: int, height_mm: int, heading: str = "") -> str:
    svg = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" width="160mm" height="{height_mm}mm">'
                           f'<rect width="100%" height="100%" fill="#1f4e79"/></svg>'.encode()).decode()
    head = f'<h3 id="h-{number}">{heading}</h3>' if heading else ""
    return (f'{head}<figure class="chart" id="figure-{number}"><img src="data:image/svg+xml;base64,{svg}" '
            f'alt="Bars"><figcaption><span class="figure-number">Figure {number}:</span> Bars.</figcaption></figure>')


def _page(*blocks: str, text_mm: int = 130) -> str:
    from reportlib.render.assets import report_css

    return (f'<!DOCTYPE html><html lang="en"><head><title>Run</title><style>\n{report_css()}\n</style></head>'
            '<body><main class="report">'
            f'<p style="height: {text_mm}mm; background: #333">x</p>{"".join(blocks)}'
            '<h2 id="next">Next section</h2><p>After the figures.</p></main></body></html>')


def _printed(page: str, folder: Path) -> tuple[list[float], list[str]]:
    from reportlib.render import pdf

    pdf.write_pdf(page, folder / "run.pdf", folder)
    texts = [p.extract_text() for p in PdfReader(str(folder / "run.pdf")).pages]
    return blank_bottoms(folder / "run.pdf"), texts


def test_a_figure_that_fits_fills_the_space_another_would_leave(tmp_path):
    # Figure 1 (130 mm) does not fit under 130 mm of text; Figure 2 (90 mm) does, and prints there.
    fractions, texts = _printed(_page(_figure(1, 130), _figure(2, 90)), tmp_path)
    assert "Figure 2:" in texts[0] and "Figure 1:" not in texts[0]
    assert "Figure 1:" in texts[1] and "Next section" in texts[1]
    assert fractions[0] <= MOST_BLANK


def test_figures_keep_their_order_when_no_other_order_gains(tmp_path):
    # Both fit on the first page in order: nothing moves.
    _, texts = _printed(_page(_figure(1, 40), _figure(2, 40), text_mm=80), tmp_path)
    assert texts[0].index("Figure 1:") < texts[0].index("Figure 2:")


def test_a_figure_never_leaves_its_heading_nor_passes_a_headed_one(tmp_path):
    # Figure 3 would fit under the text, but it has a heading of its own: the figures without
    # one (under the text's heading) stay ahead of it, and it moves only with its heading.
    page = _page(_figure(1, 130), _figure(2, 130), _figure(3, 60, "Where"), text_mm=130)
    _, texts = _printed(page, tmp_path)
    text = "\n".join(texts)
    assert text.index("Figure 1:") < text.index("Figure 2:") < text.index("Where") < text.index("Figure 3:")


def test_a_run_is_arranged_from_where_it_starts_not_from_the_top_of_a_page(tmp_path):
    # From the top of a page Figure 2 (150 mm) and Figure 3 (60 mm) would fill it best; under
    # 60 mm of text, Figure 1 (100 mm) and Figure 3 do, and Figure 2 takes the next page.
    _, texts = _printed(_page(_figure(1, 100), _figure(2, 150), _figure(3, 60), text_mm=60), tmp_path)
    assert "Figure 1:" in texts[0] and "Figure 3:" in texts[0] and "Figure 2:" not in texts[0]
    assert "Figure 2:" in texts[1]


def test_each_of_two_runs_is_arranged_from_where_it_starts(tmp_path):
    # Two runs, each under 130 mm of text: in each, the 90 mm figure fills the page the
    # 130 mm one would leave. The second run starts where the first, arranged, ends.
    page = _page(_figure(1, 130), _figure(2, 90),
                 '<p style="height: 130mm; background: #333; break-before: page">x</p>',
                 _figure(3, 130), _figure(4, 90))
    _, texts = _printed(page, tmp_path)
    assert ["Figure 2:" in t and "Figure 1:" not in t for t in texts[:2]] == [True, False]
    at = {f"Figure {n}:": next(i for i, t in enumerate(texts) if f"Figure {n}:" in t) for n in (1, 2, 3, 4)}
    assert at["Figure 4:"] < at["Figure 3:"] and at["Figure 4:"] == at["Figure 1:"] + 1


def test_a_run_with_a_figure_taller_than_a_page_keeps_its_order(tmp_path):
    _, texts = _printed(_page(_figure(1, 300), _figure(2, 40), text_mm=60), tmp_path)
    text = "\n".join(texts)
    assert text.index("Figure 1:") < text.index("Figure 2:")


def _bars(height_pt: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="460pt" height="{height_pt}pt">'
            '<rect width="100%" height="100%" fill="#1f4e79"/></svg>')


def test_a_chart_prints_its_taller_copy_to_fill_the_page_another_figure_leaves(tmp_path):
    # Figure 1 (80 mm, 120 mm in its taller copy) under 100 mm of text; Figure 2, under a
    # heading of its own, is too tall for the rest of the page in any order.
    from reportlib.reports.figureblock import Figures

    mm = 72 / 25.4
    figures = Figures()
    first = figures.block(_bars(80 * mm), "Bars by type.", "Bars", taller=_bars(120 * mm)).html
    second = figures.block(_bars(150 * mm), "The map.", "Map").html
    assert 'data-print-taller="data:image/svg+xml;base64,' in first
    fractions, texts = _printed(_page(first, '<h3 id="map">Where</h3>' + second, text_mm=100), tmp_path)
    assert "Figure 1:" in texts[0] and "Figure 2:" in texts[1]
    assert fractions[0] <= MOST_BLANK
    # The page's own copy prints alone when nothing needs filling.
    fractions, texts = _printed(_page(first, text_mm=20), tmp_path)
    assert texts[0].count("Figure 1:") == 1
    assert fractions[0] > 0.45  # 20 mm of text, an 80 mm chart and its caption on 255 mm


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
def test_no_page_of_the_shipped_issue_has_a_hole(shipped_report):
    assert holes(shipped_report / "report.pdf") == []


@pytest.mark.slow
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
