"""The PDF is tagged for assistive technology (PDF/UA-1 as WeasyPrint writes it): a structure
tree in reading order with the page's headings, lists, tables and their header cells,
figures with their alt text, the document's language and title; and the tags keep the
same-page-same-bytes property."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportlib.render import pdf
from reportlib.render.assets import report_css

from ..conftest import DATA, assert_no_traceback, run_cli

CHART = ('<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MCIg'
         'aGVpZ2h0PSIyMCI+PHJlY3Qgd2lkdGg9IjEwIiBoZWlnaHQ9IjEwIi8+PC9zdmc+" alt="Bars of incidents by type">')
PAGE = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tagged monitor</title>'
        f'<style>\n{report_css()}\n</style></head><body><main class="report">'
        '<header class="title-block"><h1 class="title">Tagged monitor</h1></header>'
        '<h2 id="security">Security</h2><p>On December 1, forces moved.</p>'
        '<h3 id="numbers">Incidents in numbers</h3><ul><li>Ninewa</li><li>Kirkuk</li></ul>'
        '<table><caption>Incidents</caption><thead><tr><th scope="col">Type</th><th scope="col" class="num">Killed'
        '</th></tr></thead><tbody><tr><th scope="row">IEDs</th><td class="num">5</td></tr></tbody></table>'
        f'<figure class="chart">{CHART}<figcaption>Incidents by type.</figcaption></figure>'
        '</main></body></html>')


def structure(reader: PdfReader) -> list[dict]:
    """Every structure element of the document, depth first (the reading order)."""
    found = []

    def walk(element):
        element = element.get_object()
        if not isinstance(element, dict) or "/S" not in element:
            return
        found.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else []:
            walk(kid)

    for top in reader.trailer["/Root"]["/StructTreeRoot"].get_object()["/K"]:
        walk(top)
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("tagged") / "page.pdf"
    pdf.write_pdf(PAGE, target, target.parent)
    return target


def test_the_document_has_a_structure_tree_in_reading_order(printed):
    reader = PdfReader(str(printed))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Tagged monitor"
    kinds = [str(element["/S"]) for element in structure(reader)]
    assert kinds[0] == "/Document"
    headings = [kind for kind in kinds if kind in ("/H1", "/H2", "/H3")]
    assert headings == ["/H1", "/H2", "/H3"]
    counted = Counter(kinds)
    assert counted["/L"] == 1 and counted["/LI"] == 2
    assert kinds.index("/H3") < kinds.index("/L") < kinds.index("/Table") < kinds.index("/Figure")


def test_tables_tag_their_header_cells_and_link_data_cells_to_them(printed):
    elements = structure(PdfReader(str(printed)))
    headers = [e for e in elements if e["/S"] == "/TH"]
    assert len(headers) == 3
    assert all("/ID" in header for header in headers)
    (cell,) = [e for e in elements if e["/S"] == "/TD"]
    linked = {str(key) for key in cell["/A"]["/Headers"]}
    assert linked == {str(header["/ID"]) for header in headers if header is not headers[0]}
    assert "/Caption" in [str(e["/S"]) for e in elements]


def test_figures_carry_their_alt_text(printed):
    figures = [e for e in structure(PdfReader(str(printed))) if e["/S"] == "/Figure"]
    assert [str(figure["/Alt"]) for figure in figures] == ["Bars of incidents by type"]


def test_it_says_it_is_pdf_ua_and_prints_the_same_bytes_twice(printed, tmp_path):
    reader = PdfReader(str(printed))
    assert reader.pdf_header == "%PDF-1.7"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp
    again = tmp_path / "again.pdf"
    pdf.write_pdf(PAGE, again, tmp_path)
    assert again.read_bytes() == printed.read_bytes()


@pytest.mark.slow
def test_every_chart_of_the_report_has_its_alt_text_in_the_pdf(tmp_path):
    result = run_cli("build", "--data", DATA, "--out", tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "2020-12-03"
    page = (folder / "report.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img src="data:image/[^"]+" alt="([^"]+)"', page)
    assert len(alts) >= 4
    figures = [e for e in structure(PdfReader(str(folder / "report.pdf"))) if e["/S"] == "/Figure"]
    assert [str(figure["/Alt"]) for figure in figures] == [html.unescape(alt) for alt in alts]
