"""Figure blocks (reportlib.reports.figureblock): the report's charts and an analyst's
numbered in one sequence, captions and alt text escaped, a figure without a caption shown
with a placeholder and a warning the build can read."""

from __future__ import annotations

import re

import nbformat
import pytest
from matplotlib.figure import Figure

import reportlib
from reportlib.render.html import export_html
from reportlib.reports.figureblock import METADATA_KEY, PLACEHOLDER, Figures, notebook_warnings, placeholder_figures
from reportlib.reports.labstyle import unwrap
from reportlib.reports.trends import TrendsReport
from reportlib.reports.weekly import Report

from ..conftest import DATA


def analyst_figure() -> Figure:
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title("Rockets a day")
    return fig


@pytest.fixture(scope="module")
def seed():
    data = reportlib.load(DATA)
    return data.select(data.latest_period())


def caption_of(block) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<figcaption>(.*?)</figcaption>", block.html, re.S).group(1))


def test_house_and_analyst_figures_share_one_sequence(seed):
    report = Report(seed)
    first = report.incidents_chart()
    mine = report.figure(analyst_figure(), caption="Rockets a day in Salah ad-Din", alt="Line chart of rockets.")
    then = report.governorate_chart()
    assert (first.number, mine.number, then.number) == (1, 2, 3)
    assert caption_of(mine) == "Figure 2: Rockets a day in Salah ad-Din"
    assert caption_of(then).startswith("Figure 3: Incidents by governorate.")
    assert 'alt="Line chart of rockets."' in mine.html and 'id="figure-2"' in mine.html
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]{200,}"', mine.html)
    assert not mine.warnings
    # Shown again (a cell run twice in JupyterLab), a figure keeps its number.
    assert report.incidents_chart().number == 1
    assert report.figure(analyst_figure(), caption="Rockets a day in Salah ad-Din", alt="x").number == 2
    assert report.covid_chart().number == 4


def test_a_figure_without_caption_shows_a_placeholder_and_warns():
    figs = Figures()
    block = figs.of(analyst_figure())
    assert caption_of(block) == f"Figure 1: {PLACEHOLDER}"
    assert 'class="figure-placeholder"' in block.html
    assert 'alt="Figure 1: a chart without a description."' in block.html
    data, metadata = block._repr_mimebundle_()
    assert unwrap(data["text/html"]) == block.html and data["text/plain"].startswith("Figure 1: No caption")
    assert metadata == {METADATA_KEY: {"warnings": [block.warnings[0]], "placeholder_figure": 1}}
    assert "Figure 1 has no caption" in block.warnings[0] and "report.figure(fig, caption=" in block.warnings[0]
    assert "cannot be published" in block.warnings[0]

    described = figs.of(analyst_figure(), caption="Rockets")
    assert described.number == 2 and "has no alt text" in described.warnings[0]
    assert 'alt="Rockets"' in described.html


def test_captions_and_alt_text_are_escaped():
    block = Figures().of(analyst_figure(), caption='<script>alert(1)</script> & "quotes"', alt='a" onload="x')
    assert "<script>" not in block.html and "&lt;script&gt;" in block.html
    assert 'alt="a&#34; onload=&#34;x"' in block.html


def test_an_axes_is_taken_for_its_figure():
    fig = analyst_figure()
    assert Figures().of(fig.axes[0], caption="c", alt="a").html == Figures().of(fig, caption="c", alt="a").html


def test_trends_report_numbers_its_own_figures(seed):
    trends = TrendsReport.open(DATA, period_end="2020-12-03", period_start="2020-11-19")
    numbers = [trends.weekly_chart().number, trends.type_chart().number, trends.governorate_chart().number,
               trends.figure(analyst_figure(), caption="c", alt="a").number, trends.covid_chart().number]
    assert numbers == [1, 2, 3, 4, 5]


def test_the_build_reads_the_warnings_from_the_executed_notebook():
    block = Figures().of(analyst_figure())
    data, metadata = block._repr_mimebundle_()
    shown = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("fig", outputs=[shown]),
        nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                                                       execution_count=1)]),
    ])
    assert notebook_warnings(nb) == list(block.warnings)


def test_nothing_to_draw_is_said_not_drawn_empty(seed):
    empty = type(seed)(**{**seed.__dict__, "incidents": seed.incidents.iloc[0:0]})
    html = Report(empty).incidents_chart().html
    assert html == '<p class="no-chart">No incidents were recorded in this period, so there is no chart by type.</p>'


def test_the_placeholder_figures_of_an_executed_notebook_are_named():
    figures = Figures()
    captioned = figures.of(analyst_figure(), caption="Rockets", alt="Bars")
    bare = figures.of(analyst_figure())
    outputs = []
    for block in (captioned, bare):
        data, *metadata = (lambda shown: shown if isinstance(shown, tuple) else (shown,))(block._repr_mimebundle_())
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=(metadata or [{}])[0]))
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Image>"})
    described = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                       metadata={"caption": "A map", "alt": "A map"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("fig", outputs=outputs),
                                         nbformat.v4.new_code_cell("show(picture)", outputs=[image, described],
                                                                   execution_count=7)])
    assert placeholder_figures(nb) == ["Figure 2", "the image shown by cell 2 (In [7])"]


def test_blocks_carry_the_house_style_in_jupyter_and_the_page_takes_it_off():
    report = Report.open(DATA)
    block = report.key_figures()
    shown = block._repr_html_()
    assert shown.startswith('<div class="reportlib-block"><style>') and shown.endswith("</div>")
    style = re.search(r"<style>(.*?)</style>", shown, re.S).group(1)
    # Figure and label on lines of their own (a front end shows spans run together otherwise).
    assert re.search(r"\.reportlib-block \.figure-box \.value \{[^}]*display: block", style)
    assert re.search(r"\.reportlib-block \.figure-box \.label \{[^}]*display: block", style)
    # Scoped: no rule reaches outside the block.
    selectors = re.findall(r"(?:^|\})\s*([^{}@]+)\{", style)
    assert selectors and all(s.strip().startswith(".reportlib-block") for sel in selectors for s in sel.split(","))
    assert ".reportlib-block caption" not in style  # only the rules its elements need, and the resets
    table = report.sources()._repr_html_()
    assert ".reportlib-block table" in table and "nth-child(odd)" in table  # Lab's zebra rows undone

    data, *_ = (lambda shown: shown if isinstance(shown, tuple) else (shown,))(block._repr_mimebundle_())
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("report.key_figures()", outputs=[
        nbformat.v4.new_output("display_data", data=data)])])
    page = export_html(nb, {"title": "t", "author": "", "description": "", "keywords": "", "language": "en",
                            "version": "", "body_class": ""})
    assert "reportlib-block" not in page and '<section class="key-figures">' in page
