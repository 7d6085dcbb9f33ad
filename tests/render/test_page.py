"""What reaches the page, decided by output type: Markdown cells as prose under the report's
outline, HTML and images an analyst means to show, and never what a cell returns or prints
by accident. And the exporter as nbconvert sees it: registered under `monitor`, its
template found only in the package."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from reportlib.render import html

from .test_safe_html import assert_harmless

META = {"title": "Test Monitor: November 19 – December 3, 2020", "author": "Test Monitor", "description": "d",
        "keywords": "k", "language": "en", "version": "0.0-test", "body_class": ""}
TITLE = '<header class="title-block"><h1 class="title">Test Monitor</h1></header>'
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode("ascii")


def result(data: dict, **kw) -> nbformat.NotebookNode:
    return new_output("execute_result", data=data, execution_count=1, **kw)


def code(*outputs) -> nbformat.NotebookNode:
    cell = new_code_cell("x")
    cell.outputs = list(outputs)
    return cell


def export(*cells, warnings: list | None = None) -> str:
    nb = new_notebook(cells=[code(result({"text/html": TITLE, "text/plain": "Fragment()"})), *cells])
    return html.export_html(nb, META, warn=None if warnings is None else warnings.append)


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None, str]] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._open = [tag, dict(attrs).get("id"), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            self.found.append(tuple(self._open))
            self._open = None


def headings(page: str) -> list[tuple[str, str | None, str]]:
    parser = _Headings()
    parser.feed(page)
    return parser.found


def contents(page: str) -> list[tuple[str, str]]:
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', toc)


# -- Markdown cells -------------------------------------------------------------------------

OUTLINE = "# Outlook\n\nProse, *with* emphasis.\n\n## What to watch\n\n### Detail\n\n###### Deepest"


def test_markdown_headings_fall_under_the_report_s_outline():
    page = export(new_markdown_cell(OUTLINE))
    assert headings(page) == [
        ("h1", None, "Test Monitor"), ("h2", None, "Contents"), ("h2", "outlook", "Outlook"),
        ("h3", "what-to-watch", "What to watch"), ("h4", "detail", "Detail"), ("h6", "deepest", "Deepest")]
    assert "¶" not in page
    assert '<p>Prose, <em>with</em> emphasis.</p>' in page


def test_markdown_sections_are_in_the_contents_with_the_report_s_own():
    section = result({"text/html": '<h2 id="security">Security</h2><p>x</p>', "text/plain": "Fragment()"})
    page = export(code(section), new_markdown_cell("# Outlook\n\n## Only a part"))
    assert contents(page) == [("security", "Security"), ("outlook", "Outlook")]


def test_a_markdown_heading_never_takes_an_id_the_page_already_has():
    section = result({"text/html": '<h2 id="sources">Sources</h2>', "text/plain": "Fragment()"})
    page = export(code(section), new_markdown_cell("# Sources\n\n# Sources"))
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert contents(page) == [("sources", "Sources"), ("sources-2", "Sources"), ("sources-3", "Sources")]


def test_a_linked_heading_is_one_link_in_the_contents():
    page = export(new_markdown_cell("# See [the plan](https://example.org/plan)"))
    (entry,) = contents(page)
    assert entry == ("see-the-plan", "See the plan")


def test_markdown_tables_name_their_header_cells_and_markdown_is_sanitised():
    page = export(new_markdown_cell("| Place | N |\n|---|--:|\n| Ninewa | 3 |\n\n<script>alert(1)</script>\n\n"
                                    "[x](javascript:alert(2)) <img src=x onerror=alert(3)>"))
    assert '<th scope="col">Place</th>' in page and '<th scope="col" class="num">N</th>' in page
    assert '<td class="num">3</td>' in page
    assert_harmless(page, allowed_tags=frozenset({"style", "meta"}))


def test_pictures_attached_to_a_markdown_cell_are_embedded():
    cell = new_markdown_cell("![A map of the week](attachment:map.png)")
    cell.attachments = {"map.png": {"image/png": PNG}}
    page = export(cell)
    assert f'<img src="data:image/png;base64,{PNG}" alt="A map of the week">' in page


def test_markdown_output_is_prose_too():
    page = export(code(new_output("display_data", data={"text/markdown": "# Shown\n\nFrom a *cell*."})))
    assert ("h2", "shown", "Shown") in headings(page)


# -- outputs ------------------------------------------------------------------------------------

def test_what_a_cell_returns_or_prints_by_accident_never_shows():
    page = export(
        code(new_output("stream", name="stdout", text="PRINTED-DEBUG rows=3\n"),
             new_output("stream", name="stderr", text="UserWarning: STRAY-WARNING\n"),
             result({"text/plain": "<Axes: title={'center': 'Incidents'}>"}),
             result({"text/plain": "<Figure size 640x480 with 1 Axes>"}),
             new_output("display_data", data={"text/plain": "BARE-DISPLAY"}),
             new_output("display_data", data={"text/latex": "$LATEX-ONLY$", "text/plain": "l"}),
             new_output("display_data", data={"application/javascript": "JS-ONLY()", "text/plain": "j"}),
             new_output("error", ename="ValueError", evalue="ERROR-SHOWN", traceback=["ERROR-TRACE"])),
        new_raw_cell("RAW-PLAIN-TEXT"))
    for leaked in ("PRINTED-DEBUG", "STRAY-WARNING", "&lt;Axes", "<Axes", "&lt;Figure", "BARE-DISPLAY", "LATEX-ONLY",
                   "JS-ONLY", "ERROR-SHOWN", "ERROR-TRACE", "RAW-PLAIN-TEXT"):
        assert leaked not in page, leaked
    assert "<pre" not in page


def test_what_an_analyst_means_to_show_does():
    frame = ('<table class="dataframe"><thead><tr><th>governorate</th></tr></thead>'
             "<tbody><tr><td>Ninewa</td></tr></tbody></table>")
    page = export(
        code(result({"text/html": '<p class="note">MEANT-HTML</p>', "text/plain": "<HTML object>"}),
             result({"text/html": frame, "text/plain": "   governorate\n0  Ninewa"}),
             new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure size 640x480>"},
                        metadata={"caption": "Incidents by week.", "alt": "Bars rising to 5 in week 3"}),
             new_output("display_data", data={"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                                              "text/plain": "<Figure>"},
                        metadata={"image/svg+xml": {"caption": "An SVG figure."}})),
        new_raw_cell("<p class='raw'>RAW-HTML</p><script>alert(1)</script>", metadata={"raw_mimetype": "text/html"}))
    assert '<p class="note">MEANT-HTML</p>' in page
    assert "<td>Ninewa</td>" in page
    assert (f'<figure class="chart"><img src="data:image/png;base64,{PNG}" alt="Bars rising to 5 in week 3">'
            "<figcaption>Incidents by week.</figcaption></figure>") in page
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode("ascii")
    assert (f'<img src="data:image/svg+xml;base64,{svg}" alt="An SVG figure."><figcaption>An SVG figure.'
            "</figcaption>") in page
    assert '<p class="raw">RAW-HTML</p>' in page and "<script" not in page


def test_a_figure_without_a_caption_says_so_on_the_page_and_in_the_build():
    warnings = []
    page = export(code(new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})),
                  warnings=warnings)
    assert '<figcaption class="no-caption">No caption given for this figure.</figcaption>' in page
    assert 'alt="Figure without a description"' in page
    assert len(warnings) == 1 and "1 figure without a caption" in warnings[0]


def test_the_same_notebook_gives_the_same_page():
    cells = [new_markdown_cell(OUTLINE), code(result({"text/html": "<p>x</p>", "text/plain": "x"}))]
    assert export(*cells) == export(*cells)


# -- the exporter as nbconvert sees it ------------------------------------------------------------

def test_nbconvert_finds_the_exporter_by_its_name():
    from nbconvert.exporters import get_exporter

    assert get_exporter("monitor") is html.MonitorExporter


def test_a_template_folder_in_the_working_directory_is_never_used(tmp_path, monkeypatch):
    (tmp_path / "monitor").mkdir()
    (tmp_path / "monitor" / "index.html.j2").write_text("HIJACKED", encoding="utf-8")
    (tmp_path / "monitor" / "conf.json").write_text('{"base_template": "base"}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    page, _ = html.MonitorExporter().from_notebook_node(new_notebook(cells=[new_markdown_cell("# Hi")]))
    assert "HIJACKED" not in page and '<h2 id="hi">Hi</h2>' in page


def test_jupyter_nbconvert_to_monitor_writes_the_page(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Outlook\n\nProse."),
                             code(new_output("stream", name="stdout", text="PRINTED\n"))])
    source = tmp_path / "analyst.ipynb"
    nbformat.write(nb, str(source))
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "monitor", str(source)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"})
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "analyst.html").read_text(encoding="utf-8")
    assert "<title>analyst</title>" in page and '<html lang="en">' in page
    assert '<h2 id="outlook">Outlook</h2>' in page and "PRINTED" not in page


@pytest.mark.parametrize("title", ['<script>alert(1)</script>', '"><b onclick=x>'])
def test_the_template_escapes_what_it_writes(title):
    page = html.export_html(new_notebook(cells=[]), {**META, "title": title, "body_class": title})
    assert "<script>alert" not in page and "<b onclick" not in page


def test_the_page_tells_the_browser_it_runs_no_script_and_loads_nothing():
    page = export(code(result({"image/png": PNG, "text/plain": "<Figure>"})))
    head = page[:page.index("</head>")]
    policy = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
              "form-action 'none'")
    assert head.count("Content-Security-Policy") == 1
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in head
    # What the page needs is within it: inline styles and data: images only.
    assert "<style>" in head and 'src="data:image/png;base64,' in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page
