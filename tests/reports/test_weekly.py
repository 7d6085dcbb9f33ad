"""The report end to end: the real notebook executed by papermill through the real CLI,
then the real HTML and the real PDF text read back."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from ..conftest import DATA, NOTEBOOK, ROOT, SEED_IED, assert_no_traceback, pdf_text, run_cli

pytestmark = pytest.mark.slow

SEED_COVID = ("The daily average for new cases decreased from 2,488/day during the week ending Nov 19 "
              "to 2,013/day this week.")
SEED_HEADLINES = [
    "PM Urges Lawmakers To Fund Election",
    "Militias, Iran Disagree Over Truce With The U.S.",
    "Rockets Damage Refinery",
    "Aid Organizations Warn Of The Impact Of Rushed Camp Closures",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    result = run_cli("build", "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "2020-12-03: built" in result.stdout
    return out / "2020-12-03"


def test_build_writes_the_three_files_and_a_manifest(built):
    for name in ("report.ipynb", "report.html", "report.pdf", "manifest.json"):
        assert (built / name).stat().st_size > 0, name
    assert not list(built.glob(".staging-*"))


def test_pdf_carries_the_seed_figures_and_headlines(built):
    text = pdf_text(built / "report.pdf")
    assert "558,767" in text
    assert "12,361" in text
    assert "2,013/day" in text
    for headline in SEED_HEADLINES:
        assert headline in text
    assert SEED_IED in text
    assert SEED_COVID in text
    assert "Iraq Security and Humanitarian Monitor" in text
    assert "19 November – 3 December 2020" in text


def test_pdf_is_an_a4_publication(built):
    reader = PdfReader(str(built / "report.pdf"))
    assert len(reader.pages) >= 4
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1
    text = pdf_text(built / "report.pdf")
    assert f"Page 1 of {len(reader.pages)}" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    # Running header from page 2 on: monitor name and period.
    second = reader.pages[1].extract_text()
    assert "Iraq Security and Humanitarian Monitor" in second
    assert "19 November – 3 December 2020" in second


def test_charts_are_drawn_in_the_pdf(built):
    """Each figure's own text (axis labels, legends) is in the PDF on the page of its
    caption: the chart was drawn there, not just captioned."""
    reader = PdfReader(str(built / "report.pdf"))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    drawn = {
        "Figure 1:": "Killed (victims of attacks)",
        "Figure 2:": "named in 2 shared totals",
        "Figure 3:": "Named in a total shared with other governorates (not split)",
        "Figure 4:": "no issue in the data",
        "Figure 5:": "New cases a day",
    }
    for caption, chart_text in drawn.items():
        page = next(p for p in pages if caption in p)
        assert chart_text in page, caption


def test_pdf_metadata_and_embedded_fonts(built):
    reader = PdfReader(str(built / "report.pdf"))
    title = reader.metadata.title
    assert "Iraq Security and Humanitarian Monitor" in title
    assert "19 November – 3 December 2020" in title
    assert reader.trailer["/Root"].get("/Lang") == "en"
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = descriptor.get_object()
    assert fonts
    for name, descriptor in fonts.items():
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
    # Only the fonts the package ships (Noto, and DejaVu's symbols): the PDF must
    # not depend on the fonts a machine happens to have.
    assert any("Noto-Serif" in name for name in fonts)
    assert all(re.search(r"\+(Noto|DejaVu)", name) for name in fonts), sorted(fonts)


def test_html_has_no_code_prompts_or_scripts(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    assert "Report.open" not in page
    assert "report.title_block()" not in page
    assert "period_end" not in page  # neither the parameters cell nor papermill's injected one
    assert "In&nbsp;[" not in page and "In [" not in page
    assert "<script" not in page.lower()
    assert re.search(r'<meta[^>]*name="viewport"', page)


def test_html_is_one_mailable_file(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert len(sources) >= 4
    assert all(s.startswith("data:image/") for s in sources)
    assert not re.search(r'(href|src)="(https?:)?//[^"]*\.(css|js)"', page)
    for alt in re.findall(r'<img [^>]*alt="([^"]*)"', page):
        assert alt.strip()


def test_html_carries_the_narrative_in_order(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    positions = [page.index(h) for h in SEED_HEADLINES]
    assert positions == sorted(positions)
    assert page.index("On November 21, the Cabinet") < page.index("On November 28, three more protesters")
    assert "558,767" in page


def test_executed_notebook_and_manifest(built):
    nb = nbformat.read(str(built / "report.ipynb"), as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert all(c.get("outputs") for c in nb.cells if c.cell_type == "code"
               and "parameters" not in c.metadata.get("tags", [])
               and "injected-parameters" not in c.metadata.get("tags", []))
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["inputs"]["period"] == {"start": "2020-11-19", "end": "2020-12-03", "trend_weeks": 8}
    assert manifest["outputs"]["report.pdf"]["bytes"] == (built / "report.pdf").stat().st_size


def test_unchanged_inputs_are_skipped(built):
    result = run_cli("build", "--data", DATA, "--out", built.parent)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_failing_cell_stops_the_build_and_keeps_the_old_report(built, tmp_path):
    before = (built / "report.pdf").read_bytes()
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('the analyst broke this cell')"))
    # Named as the weekly report, so that it builds into the weekly report's folder (another
    # name is another report type, with a folder of its own: see cli.report_root).
    broken = tmp_path / "weekly_report.ipynb"
    nbformat.write(nb, str(broken))
    result = run_cli("build", "--data", DATA, "--out", built.parent, "--notebook", broken, "--force")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "raise ValueError('the analyst broke this cell')" in result.stderr
    assert "ValueError: the analyst broke this cell" in result.stderr
    kept = built / "report.failed.ipynb"
    assert kept.exists() and str(kept) in result.stderr
    assert (built / "report.pdf").read_bytes() == before


def test_unknown_parameter_is_refused(built):
    result = run_cli("build", "--data", DATA, "--out", built.parent, "-p", "perod_end=2020-12-03")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "no parameter 'perod_end'" in result.stderr


def test_papermill_lists_the_parameters():
    import subprocess
    import sys

    papermill = Path(sys.executable).parent / "papermill"
    out = subprocess.run([str(papermill), "--help-notebook", str(NOTEBOOK)], capture_output=True,
                         text=True, cwd=ROOT).stdout
    for name in ("period_end", "period_start", "data_dir", "trend_weeks"):
        assert name in out


def test_notebooks_are_committed_clean():
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(paths) >= 2
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path
        # Nor what a run leaves behind: an executed report copied back, or JupyterLab's timings.
        assert "papermill" not in nb.metadata, path
        assert not [c for c in nb.cells if {"papermill", "execution"} & set(c.metadata)], path


def test_a_fresh_out_folder_gets_only_report_files(tmp_path):
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = run_cli("build", "--data", DATA, "--out", out, "--period-end", "2020-12-03")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (out / "2020-12-03").iterdir() if not p.name.startswith("."))
    assert names == ["manifest.json", "report.html", "report.ipynb", "report.pdf"]
