"""Nothing from data or from a notebook's output can put script into a report: narrative is
escaped or sanitised, notebook HTML passes an allow-list, and CSV the project writes never
starts like a spreadsheet formula."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from html.parser import HTMLParser

import nbformat
import pytest

import reportlib
from reportlib.content import markup
from reportlib.inputs import textrules
from reportlib.inputs.importers import NewRow, ensure_source, prepare_sheet
from reportlib.inputs.schema import INCIDENTS
from reportlib.render import html

from ..conftest import GOOD

EVIL = '<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>'
UNSAFE_URL_STARTS = ("javascript:", "vbscript:", "data:text/html")
FORBIDDEN_TAGS = {"script", "iframe", "style", "object", "embed", "form", "svg", "meta", "base", "link"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the markup (escaped text
    such as '&lt;script&gt;' builds none)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_harmless(html: str, allowed_tags: frozenset[str] = frozenset()) -> None:
    for tag, attributes in elements(html):
        assert tag in allowed_tags or tag not in FORBIDDEN_TAGS, (tag, html)
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name, html)
            assert name != "style", (tag, name, html)
            squeezed = "".join(value.split()).lower()
            assert not squeezed.startswith(UNSAFE_URL_STARTS), (tag, name, value, html)
            if name in ("src", "srcset") and tag != "img":
                pytest.fail(f"{tag} keeps {name}={value!r}")


# -- narrative Markdown -------------------------------------------------------------------

NARRATIVE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<b onclick=alert(1)>bold</b>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body { display: none }</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


@pytest.mark.parametrize("text", NARRATIVE)
def test_inline_markdown_builds_no_active_content(text):
    assert_harmless(markup.inline(text))


def test_inline_markdown_keeps_safe_links_and_emphasis():
    html = markup.inline("see [the report](https://example.org/r) and *this* and **that**")
    found = elements(html)
    assert ("a", {"href": "https://example.org/r", "rel": "noopener noreferrer"}) in found
    assert {tag for tag, _ in found} == {"a", "em", "strong"}


def test_plain_text_is_escaped():
    assert markup.text('<b onclick="x">&') == "&lt;b onclick=&quot;x&quot;&gt;&amp;"
    assert elements(markup.text(EVIL)) == []


# -- notebook HTML ------------------------------------------------------------------------

NOTEBOOK_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JAVASCRIPT:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="DATA:text/html,x">x</a>',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<img srcset="javascript:alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<div onclick="alert(1)" style="color:red" onmouseover="alert(1)">d</div>',
    "<svg onload=alert(1)></svg>",
    '<object data="https://evil.example/x"></object>',
    '<embed src="https://evil.example/x">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<table><tr><td onclick=alert(1)>1</td></tr></table>",
]


@pytest.mark.parametrize("fragment", NOTEBOOK_HTML)
def test_notebook_html_builds_no_active_content(fragment):
    assert_harmless(html.safe_html(fragment))


def test_notebook_html_keeps_what_a_report_needs():
    chart = '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="Incidents by week">'
    assert elements(html.safe_html(chart)) == [
        ("img", {"src": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "alt": "Incidents by week"})]
    link = html.safe_html('<a href="https://example.org/r" class="source">r</a>')
    assert elements(link) == [("a", {"href": "https://example.org/r", "class": "source"})]
    table = html.safe_html('<table class="t"><thead><tr><th scope="col">A</th></tr></thead></table>')
    assert [tag for tag, _ in elements(table)] == ["table", "thead", "tr", "th"]


def test_a_charts_taller_print_copy_is_an_svg_image_or_nothing():
    svg = "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="
    kept = html.safe_html(f'<img src="{svg}" alt="Bars" data-print-taller="{svg}">')
    assert elements(kept) == [("img", {"src": svg, "alt": "Bars", "data-print-taller": svg})]
    for value in ("javascript:alert(1)", "data:text/html;base64,PHA+", "https://example.org/x.svg"):
        dropped = html.safe_html(f'<img src="{svg}" alt="Bars" data-print-taller="{value}">')
        assert elements(dropped) == [("img", {"src": svg, "alt": "Bars"})]


# -- the exported page ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def good():
    return reportlib.load(GOOD)


def _notebook() -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("report.section('security')")
    code.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": EVIL, "text/plain": "x"}, execution_count=1),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(2)"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "[m](javascript:alert(3)) " + EVIL}),
        nbformat.v4.new_output("display_data", data={"text/html": '<div class="kept">still here</div>'}),
        nbformat.v4.new_output("display_data", data={"image/png": 'iVBORw0KGgo="><script>alert(5)</script>'}),
        nbformat.v4.new_output("display_data", data={"image/jpeg": "/9j/4AAQ\"><img src=x onerror=alert(6)>"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg><script>alert(7)</script></svg>"},
                               metadata={"alt": '"><script>alert(8)</script>'}),
        nbformat.v4.new_output("display_data", data={"text/latex": "<script>alert(9)</script>"}),
    ]
    markdown = nbformat.v4.new_markdown_cell(EVIL + "\n\n[y](javascript:alert(4)) <iframe src=x></iframe>")
    return nbformat.v4.new_notebook(cells=[code, markdown])


def test_exported_page_carries_no_script_handler_or_javascript_url(good):
    meta = html.page_meta(good.monitor, good.latest_period(), "0.0-test")
    page = html.export_html(_notebook(), meta)
    found = elements(page)
    assert "script" not in {tag for tag, _ in found}
    assert "iframe" not in {tag for tag, _ in found}
    # The report's own stylesheet and its fonts (render.webfonts), in <head>.
    assert [attributes.get("id") for tag, attributes in found if tag == "style"] == ["report-fonts", None]
    assert_harmless(page, allowed_tags=frozenset({"style", "meta"}))
    images = [attributes for tag, attributes in found if tag == "img"]
    assert all(a.get("src", "data:image/").startswith("data:image/") for a in images), images
    assert ("div", {"class": "kept"}) in found  # the sanitiser keeps ordinary output


def test_page_metadata_is_escaped(good):
    monitor = dataclasses.replace(good.monitor, name='Monitor <script>alert(1)</script>"><b onclick=x>')
    page = html.export_html(_notebook(), html.page_meta(monitor, good.latest_period(), "0.0-test"))
    found = elements(page)
    assert not {"script", "b"} & {tag for tag, _ in found}
    assert "<title>Monitor &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ("meta", {"content": 'Monitor <script>alert(1)</script>"><b onclick=x>', "name": "author"}) in found
    assert_harmless(page, allowed_tags=frozenset({"style", "meta"}))


# -- CSV the project writes ---------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_neutralised_formula_is_plain_text(value):
    assert textrules.problems(value)
    neutral = textrules.neutralise_formula(value)
    assert neutral == "'" + value
    assert textrules.problems(neutral) == []


@pytest.mark.parametrize("value", ["Gunmen", "12 killed", "-5", "", "عبوة ناسفة"])
def test_ordinary_text_is_not_touched(value):
    assert textrules.neutralise_formula(value) == value


def _incident(notes: str, row_id: str) -> dict:
    return {"event_id_cnty": row_id, "event_date": "2020-11-27", "end_date": "", "incident_type": "IED",
            "admin1": "Ninewa", "location": "", "actor1": FORMULAS[1], "target": "", "incidents": "1",
            "fatalities": "2", "fatalities_min": "false", "wounded": "", "wounded_min": "false",
            "source": FORMULAS[2], "reference": "test-1", "notes": notes}


def test_imported_sheet_neutralises_formulas_and_then_validates(tmp_path):
    rows = [NewRow(_incident(value, f"X-{i}"), 2 + i) for i, value in enumerate(FORMULAS)]
    data, _ = prepare_sheet(tmp_path / "import.csv", INCIDENTS, None, rows, dt.date(2021, 1, 1), {"test-1"},
                            "data/incidents/import.csv", "import.csv")
    written = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [row["notes"] for row in written] == ["'" + value for value in FORMULAS]
    assert {row["actor1"] for row in written} == {"'" + FORMULAS[1]}
    assert {row["source"] for row in written} == {"'" + FORMULAS[2]}
    assert {row["fatalities"] for row in written} == {"2"}
    assert not list(tmp_path.iterdir())  # prepare_sheet only returns the bytes


def test_new_source_row_is_neutralised(good_copy):
    assert ensure_source(good_copy, "new-1", "=HYPERLINK(\"http://x\",\"y\")", "@publisher",
                         "https://example.org", "-2+3")
    rows = list(csv.DictReader(io.StringIO((good_copy / "sources.csv").read_text(encoding="utf-8"))))
    added = rows[-1]
    assert (added["title"], added["publisher"], added["notes"]) == (
        "'=HYPERLINK(\"http://x\",\"y\")", "'@publisher", "'-2+3")
    reportlib.load(good_copy)  # still valid data
