"""An executed notebook to the reader's two files: the page, exported with nbconvert through
the monitor template, and the PDF, printed from it with WeasyPrint."""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import re
from importlib import resources
from pathlib import Path

import nbformat
import nh3

from ..errors import BuildError
from . import weasyprint_loader

TEMPLATE_NAME = "monitor"
# The review copy (`reportlib build --review`): the monitor's page with every computed figure
# traced to its rows and sources, from the provenance each block outputs beside its HTML.
REVIEW_TEMPLATE_NAME = "monitor-review"
HIDDEN_CELL_TAGS = ("injected-parameters", "parameters", "remove-cell")

_REPORT_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "div", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li", "nav", "ol", "p", "pre",
    "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
_REPORT_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}


def templates_dir() -> Path:
    return Path(str(resources.files("reportlib.publish").joinpath("templates")))


def fonts_dir() -> Path:
    return Path(str(resources.files("reportlib").joinpath("fonts")))


def _drop_unsafe_urls(element: str, attribute: str, value: str) -> str | None:
    # data: URLs are images the report embeds; anywhere else they could carry a page.
    if attribute == "src" and element == "img":
        return value if value.startswith(("data:image/", "http://", "https://")) else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def safe_html(fragment: str) -> str:
    """The allow-list every HTML output of a notebook passes before it reaches the page."""
    return nh3.clean(
        fragment, tags=_REPORT_TAGS, attributes=_REPORT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"}, link_rel=None,
        attribute_filter=_drop_unsafe_urls, strip_comments=True,
    )


# -- HTML -------------------------------------------------------------------------------------

def prepare_printing() -> None:
    _fonts()
    _report_stylesheet()


def prepare(pdf: bool = True) -> None:
    """Import and set up the exporter (and, unless a Printer prints, the PDF fonts) ahead of
    the first report; a build calls this while the kernel runs the notebook."""
    _exporter()
    if pdf:
        prepare_printing()


def warm_up(html: bool = True) -> None:
    """Ready this process to print (and to export, with `html`) as for a report already
    printed: a first PDF costs half as much again as later ones (hyphenation dictionaries,
    C declarations, fonts opened and shaped), so a small page in the report's markup and
    fonts is printed to nothing first. Processes forked afterwards start ready too."""
    if html:
        prepare()
    else:
        prepare_printing()
    write_pdf(_warm_up_page(report_css()), None, templates_dir())


def _warm_up_page(css: str) -> str:
    """A page in the report's markup: each font, hyphenated prose, a table, a chart."""
    svg = base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="60pt" height="20pt" font-family="Noto Sans">'
        b'<rect width="10" height="10" fill="#1f4e79"/><text x="12" y="9" font-size="8">1,234 killed</text>'
        b"</svg>").decode("ascii")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>\n{css}\n</style></head>'
        '<body><main class="report"><header class="title-block"><p class="kicker">Iraq · Weekly monitor</p>'
        '<h1 class="title">Monitor</h1><p class="period">19 November – 3 December 2020</p></header>'
        '<nav class="toc"><h2>Contents</h2><ol><li><a href="#s">Security</a></li></ol></nav>'
        '<section class="key-figures"><h2 id="k">Key figures</h2><div class="boxes"><div class="figure-box">'
        '<span class="value">≥34</span><span class="label">Incidents</span></div></div></section>'
        '<h2 id="s">Security round-up</h2><p class="headline">Rockets Damage Refinery; Protesters Attacked</p>'
        '<p class="event">On November 29, a rocket attack struck the Siniya oil refinery in Salah ad-Din, '
        "temporarily shutting down production; federal security forces began redeploying to Sinjar under "
        "the normalization agreement signed in October.</p><p class=\"summary\"><em>Between</em> November 21 "
        "– December 3, ten IEDs killed at least five people.</p>"
        '<div class="table-wrap"><table><caption>Incidents</caption><thead><tr><th>Type</th><th>Governorate</th>'
        '<th class="num">Killed</th></tr></thead><tbody><tr><td class="type">IEDs</td><td><span class="place">'
        'Ninewa <span dir="rtl" lang="ar">نينوى</span></span><sup class="shared">†</sup></td><td class="num">'
        '<span class="min">≥</span>5</td></tr><tr><td class="total">Total</td><td></td><td class="num total">'
        "−3 → ←</td></tr></tbody></table></div>"
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{svg}" alt="chart">'
        "<figcaption>Incidents by type.</figcaption></figure></main></body></html>")


@functools.cache
def report_css() -> str:
    return (templates_dir() / "report.css").read_text(encoding="utf-8")


def _exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class MonitorExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step, which parses the finished page
        with BeautifulSoup to give images without alt text a placeholder and JupyterLab's
        cell classes tab stops, then writes the page out again. The monitor's template has
        none of those classes and every chart has its alt text; the round trip cost a fifth
        of a second on a build's first page (compiling its CSS selectors) and rewrote
        markup the sanitiser had already settled."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMG_WITHOUT_ALT.sub(r'<img alt=""\1', html), resources

    return MonitorExporter


# An image an analyst's cell adds without alt text is marked decorative, not left unlabelled.
_IMG_WITHOUT_ALT = re.compile(r"<img((?![^>]*\salt=)[^>]*>)")


@functools.cache
def _exporter(template_name: str = TEMPLATE_NAME):
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    exporter = _exporter_class()(
        config=config, template_name=template_name,
        extra_template_basedirs=[str(templates_dir())],
        # The templates' own folder is searched too, so that one template can extend another
        # by its path ('monitor/index.html.j2', as monitor-review does).
        extra_template_paths=[str(templates_dir())],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    exporter.register_filter("safe_html", safe_html)
    exporter.register_filter("b64encode", lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii"))
    exporter.register_filter("clean_b64", lambda s: re.sub(r"\s+", "", s))
    return exporter


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


def add_contents(page: str) -> str:
    """A table of contents from the page's section headings, after the title block. The
    PDF fills in page numbers (target-counter in report.css)."""
    entries = _H2.findall(page)
    if not entries or "</header>" not in page:
        return page
    items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for anchor, title in entries)
    toc = f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'
    return page.replace("</header>", "</header>" + toc, 1)


def export_html(nb: nbformat.NotebookNode, meta: dict, template_name: str = TEMPLATE_NAME) -> str:
    """The page for readers: outputs only, sanitised, images embedded, one file (with
    REVIEW_TEMPLATE_NAME, the review copy of the same page)."""
    resources_ = {"report": meta, "report_css": report_css()}
    body, _ = _exporter(template_name).from_notebook_node(nb, resources=resources_)
    return add_contents(body)


# -- PDF --------------------------------------------------------------------------------------

@functools.cache
def print_fonts_css() -> str:
    """@font-face rules for the fonts shipped with the package, so the PDF looks the same on
    every machine and embeds its fonts. report.css names them in its print rules, with Noto
    Naskh Arabic as the fallback for Arabic script."""
    root = fonts_dir()
    faces = [
        ("Noto Serif", "NotoSerif-Regular.ttf", "normal", "normal"),
        ("Noto Serif", "NotoSerif-Bold.ttf", "bold", "normal"),
        ("Noto Serif", "NotoSerif-Italic.ttf", "normal", "italic"),
        ("Noto Sans", "NotoSans-Regular.ttf", "normal", "normal"),
        ("Noto Sans", "NotoSans-Bold.ttf", "bold", "normal"),
        ("Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf", "normal", "normal"),
        ("Noto Naskh Arabic", "NotoNaskhArabic-Bold.ttf", "bold", "normal"),
        # Noto lacks a few symbols the report uses (≥ − → ←): DejaVu Sans has them, and
        # the package ships its symbol blocks, so no glyph falls through to whatever fonts
        # the machine has.
        ("DejaVu Sans", "DejaVuSans-Symbols.ttf", "normal", "normal"),
        ("DejaVu Sans", "DejaVuSans-Bold-Symbols.ttf", "bold", "normal"),
    ]
    sources = [(family, root / file, weight, style) for family, file, weight, style in faces]
    rules = [
        f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for family, path, weight, style in sources
    ]
    return "\n".join(rules)


@functools.cache
def _fonts():
    """One font configuration per process: building it reads the font files."""
    weasyprint = weasyprint_loader.load()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, weasyprint.CSS(string=print_fonts_css(), font_config=fonts)


# Release the font configuration while the interpreter is whole: left to the final garbage
# collection, its destructor finds its C bindings already gone and prints an error.
atexit.register(_fonts.cache_clear)


@functools.cache
def _report_stylesheet():
    return weasyprint_loader.load().CSS(string=report_css(), font_config=_fonts()[0])


def write_pdf(page: str, target: Path | None, base_url: Path) -> None:
    """Print the page to A4 PDF (to nothing, with no target). The file identifier is derived
    from the page itself, so the same page gives the same bytes."""
    weasyprint = weasyprint_loader.load()
    fonts, css = _fonts()
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    stylesheets = [css]
    # The page carries the report's stylesheet for browsers; the printer takes it parsed
    # once per process instead of once per page (a tenth of the printing time).
    inline = f"<style>\n{report_css()}\n</style>"
    if inline in page:
        page = page.replace(inline, "", 1)
        stylesheets.append(_report_stylesheet())
    try:
        weasyprint.HTML(string=page, base_url=str(base_url)).write_pdf(
            str(target) if target else None, stylesheets=stylesheets, font_config=fonts,
            pdf_identifier=identifier)
    except Exception as exc:
        raise BuildError(f"printing the PDF failed: {type(exc).__name__}: {exc}") from exc


def page_meta(monitor, period, version: str) -> dict:
    from ..inputs.periods import format_long

    title = f"{monitor.name}: {format_long(period)}"
    return {
        "title": title,
        "author": monitor.name,
        "description": f"{monitor.name}, {monitor.country}, {format_long(period)}"
        + (" (synthetic data, not real events)" if monitor.synthetic else ""),
        "keywords": f"{monitor.country}, security, humanitarian, COVID-19",
        "language": monitor.language,
        "version": version,
        "body_class": "synthetic" if monitor.synthetic else "",
    }


