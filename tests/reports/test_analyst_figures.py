"""An analyst's own figures end to end: a copy of the weekly notebook with a matplotlib chart
given a caption, a bare figure and a pandas plot, built through the real CLI; the HTML and
the PDF text read back."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from ..conftest import DATA, NOTEBOOK, assert_no_traceback, pdf_text, run_cli

pytestmark = pytest.mark.slow

CAPTIONED = '''import matplotlib.pyplot as plt
import pandas as pd

fig, ax = plt.subplots()
ax.bar(["Baghdad", "Dhi Qar", "Wasit"], [4, 1, 1])
ax.set_ylabel("Analyst's incidents")
report.figure(fig, caption="Incidents in three governorates, as an analyst drew them.",
              alt="Bar chart: Baghdad 4, Dhi Qar 1, Wasit 1.")'''
BARE = '''fig2, ax2 = plt.subplots()
ax2.plot([1, 2, 3], [3, 1, 2])
ax2.set_xlabel("Bare figure axis")
fig2'''
PANDAS = '''pd.Series([1, 3, 2], index=["a", "b", "c"]).plot(ylabel="Pandas plot axis")'''


def analyst_notebook(folder: Path) -> Path:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    after = next(i for i, cell in enumerate(nb.cells) if "report.trend_chart()" in cell.source) + 1
    added = [nbformat.v4.new_code_cell(source) for source in (CAPTIONED, BARE, PANDAS)]
    nb.cells[after:after] = added
    path = folder / "analyst_report.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyst")
    notebook = analyst_notebook(folder)
    out = folder / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out, "--notebook", notebook)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return out / "analyst_report" / "2020-12-03", result, notebook, out


def captions(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)]


def test_figures_are_numbered_in_one_sequence_in_the_html(built):
    folder, *_ = built
    html = (folder / "report.html").read_text(encoding="utf-8")
    found = captions(html)
    assert [c.split(":")[0] for c in found] == [f"Figure {n}" for n in range(1, 9)]
    assert found[3].startswith("Figure 4: Incidents and people killed in each issue")
    assert found[4] == "Figure 5: Incidents in three governorates, as an analyst drew them."
    assert found[5].startswith("Figure 6: No caption given.") and found[6].startswith("Figure 7: No caption given.")
    assert found[7].startswith("Figure 8: New COVID-19 cases a day.")
    assert 'alt="Bar chart: Baghdad 4, Dhi Qar 1, Wasit 1."' in html
    # Every figure is vector SVG with real alt text; no reprs leak into the page.
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 8 and all("data:image/svg+xml;base64," in i for i in images)
    assert 'alt="Chart"' not in html and "&lt;Axes" not in html and "&lt;Figure" not in html


def test_the_pdf_has_the_same_numbers_captions_and_the_figures_own_text(built):
    folder, *_ = built
    text = pdf_text(folder / "report.pdf")
    assert "Figure 5: Incidents in three governorates, as an analyst drew them." in text
    assert "Figure 6: No caption given." in text and "Figure 7: No caption given." in text
    assert "Figure 8: New COVID-19 cases a day." in text
    # The analysts' figures' own labels, as text in the PDF: drawn in the house SVG.
    for label in ("Analyst's incidents", "Bare figure axis", "Pandas plot axis"):
        assert label in text, label


def test_the_build_warns_of_each_figure_without_a_caption(built):
    _, result, *_ = built
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 2, result.stderr
    assert warnings[0].startswith("2020-12-03: warning: Figure 6 has no caption")
    assert warnings[1].startswith("2020-12-03: warning: Figure 7 has no caption")
    assert "report.figure(fig, caption=" in warnings[0]


def test_building_again_gives_the_same_bytes(built):
    folder, _, notebook, out = built
    before = {name: (folder / name).read_bytes() for name in ("report.html", "report.pdf")}
    result = run_cli("build", "--data", DATA, "--out", out, "--notebook", notebook, "--force")
    assert result.returncode == 0, result.stderr
    for name, data in before.items():
        assert (folder / name).read_bytes() == data, name
