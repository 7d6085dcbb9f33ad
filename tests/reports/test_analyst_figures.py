"""An analyst's own chart, table and paragraph end to end: a copy of the weekly notebook with
the README's examples (a matplotlib chart given a caption, a DataFrame through report.table,
a Markdown paragraph), a bare figure, a pandas plot and a DataFrame that ends a cell, built
through the real CLI; the HTML and the PDF text read back."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from ..conftest import DATA, NOTEBOOK, ROOT, assert_no_traceback, pdf_text, run_cli

pytestmark = pytest.mark.slow


def readme_example(marker: str) -> str:
    """The first indented block after the README paragraph that starts with `marker`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(marker):].split("\n\n", 1)[1]
    block = re.match(r"((?:    .*\n|\n)+)", after.lstrip("\n") + "\n").group(1)
    return "\n".join(line[4:] for line in block.rstrip().splitlines())


CAPTIONED = readme_example("**Your own chart.**")
TABLE = readme_example("**Your own table.**")
PARAGRAPH = readme_example("**Your own paragraph.**")
BARE = '''fig2, ax2 = plt.subplots()
ax2.plot([1, 2, 3], [3, 1, 2])
ax2.set_xlabel("Bare figure axis")
fig2'''
PANDAS = '''import pandas as pd

pd.Series([1, 3, 2], index=["a", "b", "c"]).plot(ylabel="Pandas plot axis")'''
BARE_FRAME = '''pd.DataFrame({"admin1": ["Basra", "Anbar"], "wounded_in_week": [2, None]})'''


def analyst_notebook(folder: Path) -> Path:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    after = next(i for i, cell in enumerate(nb.cells) if "report.trend_chart()" in cell.source) + 1
    added = [nbformat.v4.new_code_cell(source) for source in (CAPTIONED, BARE, PANDAS)]
    added += [nbformat.v4.new_code_cell(TABLE), nbformat.v4.new_code_cell(BARE_FRAME),
              nbformat.v4.new_markdown_cell(PARAGRAPH)]
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


def tables(html: str) -> list[str]:
    return re.findall(r'<div class="table-wrap[^"]*"><table>.*?</table>', html, re.S)


def test_the_readme_s_table_is_a_table_of_the_report(built):
    folder, *_ = built
    html = (folder / "report.html").read_text(encoding="utf-8")
    mine = [t for t in tables(html) if "first four incident rows" in t]
    assert len(mine) == 1
    table = mine[0]
    headings = re.findall(r"<th scope=\"col\" class=\"[^\"]*\">([^<]+)</th>", table)
    assert headings == ["Date", "Type", "Governorate", "Killed", "Casualties of"]
    cells = re.findall(r"<td class=\"([^\"]*)\">(.*?)</td>", table)
    assert len(cells) == 4 * 5
    # Dates as the report's tables write them, no index, no <NA>, no snake_case.
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, 2020", cells[0][1])
    assert "&lt;NA&gt;" not in table and "NaN" not in table and "fatalities_min" not in table
    for css, content in cells[3::5]:
        assert css == "num"
        assert re.fullmatch(r'(<span class="min" title="at least">≥</span>)?[\d,]+|<span class="na"[^>]*>–</span>',
                            content), content


def test_a_dataframe_ending_a_cell_is_a_table_too(built):
    folder, *_ = built
    html = (folder / "report.html").read_text(encoding="utf-8")
    bare = [t for t in tables(html) if "Basra" in t and "Anbar" in t]
    assert len(bare) == 1
    assert "<caption>" not in bare[0]
    assert ">Wounded in week</th>" in bare[0] and ">Governorate</th>" in bare[0]
    assert '<td class="num"><span class="na" title="not reported">–</span></td>' in bare[0]


def test_the_readme_s_paragraph_and_table_read_in_the_pdf(built):
    folder, *_ = built
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h2 id=\"analyst-s-outlook\">Analyst's outlook</h2>" in html
    assert "<em>emphasis</em> where it helps" in html
    text = pdf_text(folder / "report.pdf")
    assert "Analyst's outlook" in text and "with emphasis where it helps" in text
    assert "The period's first four incident rows, as the data gives them." in text
    assert "Casualties of" in text and "Wounded in week" in text
