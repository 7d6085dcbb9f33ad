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

from reportlib.reports.blocks import COMPILED_LABEL as COMPILED

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


def _unbroken(text: str) -> str:
    """Text without what line breaking changes: whitespace and the hyphens words break with."""
    return re.sub(r"[\s\-\u2010\u00ad]+", "", text)


def test_pdf_carries_the_seed_figures_and_headlines(built):
    text = pdf_text(built / "report.pdf")
    assert "558,767" in text
    assert "12,361" in text
    assert "2,013/day" in text
    for headline in SEED_HEADLINES:
        assert headline in text
    assert _unbroken(SEED_IED) in _unbroken(text)
    assert _unbroken(SEED_COVID) in _unbroken(text)
    assert "Iraq Security and Humanitarian Monitor" in text
    assert "November 19 – December 3, 2020" in text


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
    assert "November 19 – December 3, 2020" in second


def test_charts_are_drawn_in_the_pdf(built):
    """Each figure's own text (axis labels, legends) is in the PDF on the page of its
    caption: the chart was drawn there, not just captioned."""
    reader = PdfReader(str(built / "report.pdf"))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    drawn = {
        "Figure 1:": "Killed (victims of violence)",
        "Figure 2:": "named in 2 shared totals",
        "Figure 3:": "Named in a total shared with other governorates (not split)",
        "Figure 4:": "No issue in the data",
        "Figure 5:": "New cases a day",
    }
    for caption, chart_text in drawn.items():
        page = next(p for p in pages if caption in p)
        assert chart_text in page, caption


def test_pdf_metadata_and_embedded_fonts(built):
    reader = PdfReader(str(built / "report.pdf"))
    title = reader.metadata.title
    assert "Iraq Security and Humanitarian Monitor" in title
    assert "November 19 – December 3, 2020" in title
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


def test_key_figures_keep_victims_and_militants_apart(built):
    """≥40 killed would add the 20 ISIS militants killed in operations to the victims of
    attacks: the boxes, the manifest and the archive give them apart."""
    text = pdf_text(built / "report.pdf")
    assert "≥20 People killed in attacks and violence at protests" in text
    assert "≥20 Militants killed in operations" in text
    assert "≥138 People wounded in attacks and violence at protests" in text
    assert "≥40" not in text and "≥34" not in text
    figures = {f["name"]: f for f in json.loads((built / "manifest.json").read_text())["summary"]["key_figures"]}
    assert (figures["killed"]["value"], figures["militants_killed"]["value"], figures["incidents"]["value"]) == (
        20, 20, 32)
    archive = (built.parent / "index.html").read_text(encoding="utf-8")
    assert "Militants killed in operations" in archive and "≥</span>40" not in archive


def test_one_figure_one_value(built):
    """The published average is printed as published everywhere it appears, from the one
    rounding rule of monitor.yaml: the box, the event, the table."""
    text = pdf_text(built / "report.pdf")
    assert "2,013 New cases a day, 7-day average" in text
    assert "to 2,013/day this week" in text
    assert "New cases a day (7-day average) 2,013/day" in text
    figures = {f["name"]: f for f in json.loads((built / "manifest.json").read_text())["summary"]["key_figures"]}
    assert figures["covid_new_cases_7d_avg"]["value"] == 2013


def test_indicator_table_says_what_the_source_says(built):
    text = pdf_text(built / "report.pdf")
    # "in the last month", as the source says, not a date it does not give.
    assert "IDP camps closed 15 in the last month" in text
    assert "IDP families returned 5,180 in the last month" in text
    assert "New cases a day (7-day average), before the period 2,488/day November 19, 2020" in text
    page = (built / "report.html").read_text(encoding="utf-8")
    table = page[page.index("<caption>Humanitarian and COVID-19 figures"):]
    table = table[:table.index("</table>")]
    assert "–" not in table  # no column of dashes


def test_inferences_are_marked_not_stated(built):
    page = (built / "report.html").read_text(encoding="utf-8")
    table = page[page.index("<caption>Security incidents by type and governorate"):]
    table = table[:table.index("</table>")]
    assert re.search(r'Erbil<sup class="mark" title="placed by inference">‡</sup>', table)
    assert "(as the source names it: Makhmour, south of Kirkuk)" in table
    assert re.search(r'Dhi Qar<sup class="mark" title="placed by inference">‡</sup>', table)
    assert "the source&#39;s statement" in page or "the source's statement" in page


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
    # name is another report type, with a folder of its own: see batch.results.report_root).
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


def test_a_period_no_issue_declares_is_refused(tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "--data", DATA, "--out", out, "--period-end", "2020-12-05")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "no issue declares a period ending on 2020-12-05" in result.stderr
    assert "the nearest declared periods end on 2020-12-03 (2020-11-19 to 2020-12-03)" in result.stderr
    assert not out.exists() or not list(out.rglob("report.*"))


def test_an_ad_hoc_span_is_built_apart_and_not_archived(tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "--data", DATA, "--out", out, "--start", "2020-11-28", "--end", "2020-12-05")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    folder = out / "ad-hoc" / "2020-12-05"
    assert (folder / "report.pdf").exists() and not (out / "2020-12-05").exists()
    assert "not an issue" in result.stdout
    assert "Not an issue of the monitor." in pdf_text(folder / "report.pdf")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["summary"]["ad_hoc"] is True
    assert not (out / "index.html").exists()  # the archive of issues lists nothing


def test_review_copy_traces_every_figure_and_leaves_the_report_alone(built, tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "--data", DATA, "--out", out, "--review")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    folder = out / "2020-12-03"
    # The published files are byte for byte those of a build without --review.
    for name in ("report.html", "report.pdf"):
        assert (folder / name).read_bytes() == (built / name).read_bytes(), name
    assert "review" not in (folder / "report.html").read_text(encoding="utf-8").lower()
    assert "review.html" not in json.loads((folder / "manifest.json").read_text())["outputs"]
    review = (folder / "review.html").read_text(encoding="utf-8")
    assert "Review copy, not for publication." in review
    # The tiles: each with its rows and sources on hover and in the appendix.
    assert re.search(r'<span class="traced" id="trace-2" title="People killed in attacks and violence at protests: '
                     r'≥20\. Killed summed over '
                     r'the rows whose casualty_group is victims\. No event of the issue states this total: it is '
                     r'counted from the issue(&#39;|&#x27;|\')s rows\. Rows: data/incidents\.csv:2, ', review)
    assert re.search(r'title="Militants killed in operations: ≥20\.[^"]*Rows: data/incidents\.csv:6\.', review)
    appendix = review[review.index('id="review-appendix"'):]
    assert re.search(r'<li id="ref-trace-2" value="2">.*?People killed in attacks and violence at protests'
                     r'.*?data/incidents\.csv:10',
                     appendix, re.S)
    # Table cells, events and chart labels are traced too.
    assert re.search(r'title="IEDs, Ninewa, Salah ad-Din, Diyala, Kirkuk: killed \(victims\): ≥5\.[^"]*'
                     r'Rows: data/incidents\.csv:2\.', review)
    assert re.search(r'title="New cases a day \(7-day average\): 2,013/day\. As published\. '
                     r'Rows: data/indicators\.csv:8\.', review)
    assert re.search(r'title="Figures this event states[^"]*Rows: data/incidents\.csv:9\.', review)
    assert re.search(r'<ul class="drawn"><li>IEDs, incidents: <span class="traced"', review)
    # Every traced figure on the page has its entry in the appendix, numbered in the report's order.
    ids = re.findall(r'<span class="traced" id="(trace-\d+)"', review)
    assert ids and len(ids) == len(set(ids))
    assert [int(i.split("-")[1]) for i in ids] == list(range(1, len(ids) + 1))
    # What no event states comes first: the totals the report counted (the three key figures no
    # sentence of the source gives) and the sentences it composed, each leading to its rows.
    first = review[review.index('id="review-first"'):review.index("</section>", review.index('id="review-first"'))]
    assert review.index('id="review-first"') < review.index('id="key-figures"')
    flagged = re.findall(r'<li value="(\d+)"><span class="flag">([^<]+)</span> <a href="#trace-(\d+)">([^<]+)</a>',
                         first)
    assert [int(n) for n, *_ in flagged] == sorted(int(n) for n, *_ in flagged)
    assert all(n == m for n, _, m, _ in flagged)
    counted = [text for _, kind, _, text in flagged if kind == "Counted total:"]
    assert counted == ["Incidents recorded, ≥32", "People killed in attacks and violence at protests, ≥20",
                       "People wounded in attacks and violence at protests, ≥138"]
    # Every row of the shipped issue is cited by an event, so the report composed no sentence
    # (tests/weeks/test_compiled.py flags one that it does).
    assert [kind for _, kind, _, _ in flagged] == ["Counted total:"] * 3
    assert COMPILED not in review
    assert set(re.findall(r'<li id="ref-(trace-\d+)"', appendix)) == set(ids)
    # Asked again with nothing changed, the review copy comes from the kept notebook.
    (folder / "review.html").unlink()
    again = run_cli("build", "--data", DATA, "--out", out, "--review")
    assert "up to date" in again.stdout and (folder / "review.html").read_text(encoding="utf-8") == review
    # Once asked for, a later build without --review keeps the review copy current.
    (folder / "review.html").write_text("stale", encoding="utf-8")
    run_cli("build", "--data", DATA, "--out", out, "--force")
    assert (folder / "review.html").read_text(encoding="utf-8") == review
