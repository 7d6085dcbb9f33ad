"""The PDF passes the PDF/UA-1 rules a machine can check (tests/render/pdfua.py lists them):
running headers and footers are artifacts, every other mark belongs to the structure tree,
Arabic is marked as Arabic, tables head their rows and columns, links are described by their
text; and a reader finds every mention of a name."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from reportlib.render import pdf
from reportlib.render.assets import report_css

from ..conftest import pdf_text
from . import pdfua

SENTENCE = "On November 21, PM Kadhimi said the elections would go ahead."
PROSE = "<p class=\"event\">" + " ".join([SENTENCE] * 30) + "</p>"
PAGE = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Checked monitor</title>'
        f'<style>\n{report_css()}\n</style></head><body><main class="report">'
        '<header class="title-block"><h1 class="title">Checked monitor</h1>'
        '<p class="period">November 19 – December 3, 2020</p></header>'
        '<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol><li data-target="#security">'
        '<a href="#security">Security</a></li></ol></nav>'
        f'<h2 id="security">Security</h2>{PROSE}{PROSE}{PROSE}'
        '<table><caption>Incidents</caption><thead><tr><th scope="col">Type</th><th scope="col">Governorate</th>'
        '<th scope="col" class="num">Killed</th></tr></thead><tbody>'
        '<tr class="group"><th scope="row" class="group" colspan="3">Victims of attacks</th></tr>'
        '<tr><td class="type">IEDs</td><td><span class="place">Ninewa <span lang="ar" dir="rtl">نينوى</span>'
        '</span></td><td class="num">5</td></tr>'
        '<tr class="total"><th scope="row" class="total" colspan="2">Total</th><td class="num total">5</td></tr>'
        # Low on a page of its own: WeasyPrint's own bounding box (CSS pixels from the top)
        # would put it below the page.
        '</tbody></table><div style="break-before: page; height: 215mm"></div>'
        '<figure class="chart"><img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy'
        '53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MCIgaGVpZ2h0PSIyMCI+PHJlY3Qgd2lkdGg9IjEwIiBoZWlnaHQ9IjEwIi8+PC9zdmc+" '
        'alt="Bars of incidents by type"><figcaption>Incidents by type.</figcaption></figure></main></body></html>')


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("ua") / "page.pdf"
    pdf.write_pdf(PAGE, target, target.parent)
    return target


def test_a_page_of_the_report_passes_the_checked_rules(printed):
    assert pdfua.problems(printed) == []


def test_the_checker_fails_what_weasyprint_alone_writes(tmp_path):
    # The same page printed by WeasyPrint's pdf/ua-1 variant without the report's finisher:
    # headers and footers owned by nothing, links described by their raw target, no /Scope.
    plain = tmp_path / "plain.pdf"
    fonts = FontConfiguration()
    weasyprint.HTML(string=PAGE, base_url=str(tmp_path)).write_pdf(
        str(plain), stylesheets=[weasyprint.CSS(string=pdf.print_fonts_css(), font_config=fonts)],
        font_config=fonts, pdf_variant=pdf.PDF_VARIANT)
    found = pdfua.problems(plain)
    assert any(p.startswith("7.1: page 2:") and "neither Artifact nor owned" in p for p in found)
    assert any(p.startswith("7.18.1") and "'security'" in p for p in found)
    assert any(p == "7.5: a TH has no /Scope" for p in found)
    assert any(p.startswith("7.2") for p in found)
    assert "7.3: a Figure's /BBox lies off its page" in found


def test_group_and_total_rows_are_row_headers(printed):
    import pikepdf

    with pikepdf.open(printed) as document:
        scopes = [str(e.A.Scope) for e, _ in pdfua.structure(document) if e.S == "/TH"]
    assert scopes == ["/Column", "/Column", "/Column", "/Row", "/Row"]


def test_names_are_never_hyphenated(printed):
    text = pdf_text(printed)
    assert text.count("Kadhimi") == 90


@pytest.mark.slow
def test_the_shipped_report_passes_the_checked_rules(shipped_report):
    report = shipped_report / "report.pdf"
    assert pdfua.problems(report) == []
    page = (shipped_report / "report.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    titles = [html.unescape(t) for t in re.findall(r'<a href="#[^"]+">(.*?)</a>', toc)]
    # One link per contents entry, described by the section's title.
    assert [text for number, text in pdfua.links(report) if number == 1] == titles
    assert pdfua.link_elements(report) == len(pdfua.links(report))


@pytest.mark.slow
def test_every_mention_of_a_name_is_found_and_arabic_reads_in_order(shipped_report):
    page = re.sub(r"<[^>]+>", " ", (shipped_report / "report.html").read_text(encoding="utf-8"))
    text = pdf_text(shipped_report / "report.pdf")
    for name in ("Kadhimi", "Ninewa", "Nasiriyah", "Halbousi"):
        assert text.count(name) >= page.count(name) > 0, name
    assert "نينوى" in text and "كركوك" in text
