"""The reader's page: an executed notebook exported by nbconvert through the `monitor`
template. Outputs only, no code; every HTML and Markdown fragment passes the report's
allow-list; Markdown cells become prose under the report's outline; images are embedded, so
the page is one file.

    from reportlib.render import html
    page = html.export_html(notebook, html.page_meta(monitor, period, "0.1.0"))

The exporter is registered with nbconvert under the name `monitor` (an `nbconvert.exporters`
entry point), so `jupyter nbconvert --to monitor report.ipynb` writes the same page.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from collections.abc import Callable
from typing import cast

import mistune
import nh3
from jinja2 import pass_context
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from traitlets import default
from traitlets.config import Config

from ..inputs.periods import format_long
from ..reports.labstyle import unwrap
from . import webfonts
from .assets import CONTENT_SECURITY_POLICY, report_css, templates_dir

TEMPLATE_NAME = "monitor"
# The review copy (`reportlib build --review`): the monitor's page with every computed figure
# traced to its rows and sources, from the provenance each block outputs beside its HTML.
REVIEW_TEMPLATE_NAME = "monitor-review"
# Cells the reader never sees: papermill's parameters, and cells an analyst tags away.
HIDDEN_CELL_TAGS = ("injected-parameters", "parameters", "remove-cell")
# The order in which an output's representations are tried; the template shows the first
# an output has. text/plain and the rest are listed so that nbconvert does not warn about
# them: the template shows none of them (see README, "What reaches the page").
DISPLAY_PRIORITY = [
    "text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown",
    "text/plain", "text/latex", "application/javascript", "application/vnd.jupyter.widget-view+json",
]

# -- the allow-list -----------------------------------------------------------------------------

_REPORT_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "li", "nav",
    "ol", "p", "pre", "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
_REPORT_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label"},
    "a": {"href", "rel"},
    # data-print-taller: a chart's taller copy, which only the printer may take in its place
    # (render.figureorder); an SVG data URL or nothing.
    "img": {"src", "alt", "width", "height", "data-print-taller"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}


def _drop_unsafe_urls(element: str, attribute: str, value: str) -> str | None:
    # data: URLs are images the report embeds; anywhere else they could carry a page.
    if attribute == "src" and element == "img":
        return value if value.startswith(("data:image/", "http://", "https://")) else None
    if attribute == "data-print-taller":
        return value if value.startswith("data:image/svg+xml;base64,") else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def safe_html(fragment: str) -> str:
    """The allow-list every HTML output of a notebook, and every Markdown cell, passes before
    it reaches the page: no script, style, frame, form or SVG element, no event handler or
    style attribute, no javascript: URL, data: URLs only as images.

    >>> safe_html('<p onclick="x()">Hi <script>alert(1)</script></p>')
    '<p>Hi </p>'
    """
    return nh3.clean(
        fragment, tags=_REPORT_TAGS, attributes=_REPORT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"}, link_rel=None,
        attribute_filter=_drop_unsafe_urls, strip_comments=True,
    )


# -- Markdown cells ------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_PLUGINS = ("strikethrough", "table", "url", "task_lists", "def_list")


def _slug(heading_html: str) -> str:
    words = html.unescape(_TAG.sub("", heading_html)).lower()
    return re.sub(r"[^\w]+", "-", words).strip("-_") or "section"


class _ProseRenderer(mistune.HTMLRenderer):
    """Markdown as the report's prose. The report's title is its h1 and its sections h2, so
    an analyst's `#` heading is a section (h2), `##` a part of one (h3), and so on; every
    heading gets an id no other element of the page has, so the contents and the PDF's
    bookmarks can point at it. Raw HTML is kept for the allow-list to judge."""

    def __init__(self, attachments: dict, taken: set[str]):
        super().__init__(escape=False, allow_harmful_protocols=("data:image/svg+xml;",))
        self._attachments = attachments
        self._taken = taken

    def heading(self, text: str, level: int, **attrs) -> str:
        level = min(level + 1, 6)
        base = anchor = _slug(text)
        number = 1
        while anchor in self._taken:
            number += 1
            anchor = f"{base}-{number}"
        self._taken.add(anchor)
        return f'<h{level} id="{anchor}">{text}</h{level}>\n'

    def image(self, text: str, url: str, title: str | None = None) -> str:
        # A picture pasted into a Markdown cell travels with the notebook as an attachment.
        if url.startswith("attachment:"):
            found = self._attachments.get(url.removeprefix("attachment:"), {})
            kind = next((k for k in ("image/svg+xml", "image/png", "image/jpeg") if k in found), None)
            url = f"data:{kind};base64,{found[kind]}" if kind else ""
        return super().image(text, url, title)

    def table_cell(self, text: str, align: str | None = None, head: bool = False) -> str:
        # Header cells name their column for screen readers (and the PDF's table tags); the
        # alignment is a class, since the allow-list drops style attributes.
        css = {"right": ' class="num"', "center": ' class="center"'}.get(align or "", "")
        if head:
            return f'<th scope="col"{css}>{text}</th>\n'
        return f"<td{css}>{text}</td>\n"


def render_markdown(source: str, attachments: dict | None = None, taken: set[str] | None = None) -> str:
    """A Markdown cell's HTML as the page shows it (before the allow-list); `taken` holds the
    ids already on the page and receives the headings' new ones.

    >>> render_markdown("# Outlook")
    '<h2 id="outlook">Outlook</h2>\\n'
    """
    renderer = _ProseRenderer(attachments or {}, set() if taken is None else taken)
    # An HTML renderer returns text; mistune types the call for its AST renderer as well.
    return cast(str, mistune.create_markdown(renderer=renderer, plugins=list(_PLUGINS))(source))


_ID = re.compile(r"""(?:^|\s)id\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.M)


def _ids_in_outputs(nb) -> set[str]:
    """Every id the notebook's HTML outputs may put on the page (a superset: the allow-list
    runs later), so that no Markdown heading takes one of them."""
    found: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            fragment = output.get("data", {}).get("text/html")
            if fragment:
                text = "".join(fragment) if isinstance(fragment, list) else fragment
                found.update(a or b or c for a, b, c in _ID.findall(text))
    return found


# -- the exporter -------------------------------------------------------------------------------

def _b64encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _clean_b64(text: str) -> str:
    return re.sub(r"\s+", "", text)


class MonitorExporter(TemplateExporter):
    """nbconvert's template exporter set up for the report's page: the `monitor` template
    shipped in the package, outputs without code or prompts, hidden cells removed, and the
    filters the template uses (the allow-list, Markdown as prose). It builds on
    TemplateExporter rather than HTMLExporter: HTMLExporter adds JupyterLab's CSS and
    re-parses each finished page with BeautifulSoup, which the monitor's page needs neither
    of (benchmarks/README.md, "The page and the PDF", has the cost measured).

    Resources it reads: `report` (page_meta's dict; defaults from the notebook's metadata),
    `report_css` (defaults to report.css). Images without alt text in HTML outputs are marked
    decorative (alt=""); image outputs without a caption get a visible placeholder, counted in
    the returned resources' `uncaptioned`.
    """

    export_from_notebook = "Monitor report page"
    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        # Only the package's folder: TemplateExporter's default also searches the working
        # directory, where any folder called `monitor` would replace the report's template.
        return [str(templates_dir())]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @property
    def default_config(self):
        config = super().default_config.copy()
        config.merge(Config({
            "TagRemovePreprocessor": {
                "enabled": True,
                "remove_cell_tags": set(HIDDEN_CELL_TAGS),
                "remove_all_outputs_tags": {"remove-output"},
            },
            "NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY},
        }))
        return config

    def default_filters(self):
        yield from super().default_filters()
        yield ("safe_html", _safe_markup)
        yield ("report_markdown", _report_markdown)
        yield ("figure_caption", _figure_caption)
        yield ("figure_alt", _figure_alt)
        yield ("b64encode", _b64encode)
        yield ("clean_b64", _clean_b64)

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources.setdefault("report", _default_meta(nb, resources))
        resources.setdefault("report_css", report_css())
        resources["content_security_policy"] = CONTENT_SECURITY_POLICY
        resources["heading_ids"] = _ids_in_outputs(nb)
        resources["uncaptioned"] = []
        page, resources = super().from_notebook_node(nb, resources, **kw)
        # The fonts go in last, so that they cover every character the page shows.
        return webfonts.embed(add_contents(_IMG_WITHOUT_ALT.sub(r'<img alt=""\1', page))), resources


# An image an analyst's HTML adds without alt text is marked decorative, not left unlabelled.
_IMG_WITHOUT_ALT = re.compile(r"<img((?![^>]*\salt=)[^>]*>)")


def _safe_markup(fragment: str) -> Markup:
    # The allow-list's result is the one HTML the template's autoescaping lets through. A
    # report block's output carries its own stylesheet for Jupyter: the page has it already.
    return Markup(safe_html(unwrap(fragment)))


@pass_context
def _report_markdown(context, source: str) -> str:
    cell = context.get("cell") or {}
    resources = context.get("resources") or {}
    taken = resources.get("heading_ids")
    return render_markdown(source, cell.get("attachments"), taken)


@pass_context
def _figure_caption(context, output) -> str:
    """The caption an image output carries in its metadata (`caption`, at the top or under
    its MIME type); an empty string, and the output counted, when it has none."""
    caption = _output_metadata(output, "caption")
    if not caption:
        found = (context.get("resources") or {}).get("uncaptioned")
        if found is not None:
            found.append(output)
    return caption


def _figure_alt(output) -> str:
    """The alt text an image output carries in its metadata (`alt`), else its caption."""
    return _output_metadata(output, "alt") or _output_metadata(output, "caption") or "Figure without a description"


def _output_metadata(output, key: str) -> str:
    metadata = output.get("metadata") or {}
    value = metadata.get(key)
    if value is None:
        value = next((m.get(key) for m in metadata.values() if isinstance(m, dict) and m.get(key)), "")
    return str(value or "")


def _default_meta(nb, resources) -> dict:
    name = (resources.get("metadata") or {}).get("name") or "Report"
    language = (nb.metadata.get("language_info") or {}).get("language") or "en"
    return {"title": nb.metadata.get("title") or name, "author": "", "description": "", "keywords": "",
            "language": language if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", language) else "en",
            "version": "", "body_class": ""}


@functools.cache
def _exporter(template_name: str = TEMPLATE_NAME) -> MonitorExporter:
    # The templates' own folder is searched too, so that one template can extend another by
    # its path ('monitor/index.html.j2', as monitor-review does).
    return MonitorExporter(template_name=template_name, extra_template_paths=[str(templates_dir())])


def prepare() -> None:
    """Load the exporter, compile its template and read the fonts ahead of the first page (a
    build does this while the kernel runs the notebook)."""
    _exporter().template  # noqa: B018 - compiling the template is the point
    webfonts.prepare()


def export_html(nb, meta: dict, warn: Callable[[str], None] | None = None,
                template_name: str = TEMPLATE_NAME) -> str:
    """The page for readers: outputs only, sanitised, images embedded, one file (with
    REVIEW_TEMPLATE_NAME, the review copy of the same page). `warn` hears of what the page
    shows that the analyst should fix (an image without a caption)."""
    page, resources = _exporter(template_name).from_notebook_node(nb, resources={"report": meta})
    if warn and resources["uncaptioned"]:
        count = len(resources["uncaptioned"])
        warn(f"{count} figure{'s' if count > 1 else ''} without a caption: the page shows a placeholder; "
             "give each a caption (and alt text) in its output's metadata")
    return page


# -- contents and metadata ----------------------------------------------------------------------

_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2>", re.S)
_H2_ID = re.compile(r'(?:^|\s)id="([^"]+)"')
_LINK_TAGS = re.compile(r"</?a\b[^>]*>")


def add_contents(page: str) -> str:
    """A table of contents from the page's section headings (h2 with an id: the report's
    sections and an analyst's `#` headings), after the title block. The PDF fills in page
    numbers (target-counter in report.css)."""
    entries = []
    for attributes, title in _H2.findall(page):
        anchor = _H2_ID.search(attributes)
        if anchor:
            entries.append((anchor.group(1), _LINK_TAGS.sub("", title)))
    if not entries or "</header>" not in page:
        return page
    # One link per entry, its title alone: in the PDF the page number follows the link and
    # the dotted leader is the entry's background, an artifact that is never read aloud.
    items = "".join(f'<li data-target="#{anchor}"><a href="#{anchor}">{title}</a></li>' for anchor, title in entries)
    toc = f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'
    return page.replace("</header>", "</header>" + toc, 1)


def page_meta(monitor, period, version: str) -> dict:
    """The page's title, language and metadata for one report."""
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
