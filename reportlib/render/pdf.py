"""The reader's PDF: the page printed by WeasyPrint to tagged A4 (PDF/UA-1: a structure tree
in reading order, headings, lists, tables with their headers, figures with their alt text,
the document's language), in the fonts the package ships, the same bytes for the same page.

    from reportlib.render import pdf
    pdf.write_pdf(page, Path("outputs/2020-12-03/report.pdf"), Path("outputs/2020-12-03"))
"""

from __future__ import annotations

import atexit
import base64
import functools
import gc
import hashlib
import os
from pathlib import Path

from ..errors import BuildError
from . import figureorder, pdftags, webfonts
from .assets import report_css, templates_dir

# PDF/UA-1 as WeasyPrint writes it: pdf_tags on, PDF 1.7, the PDF/UA identification in the
# XMP metadata. The XMP it writes for this variant has no date and no random id.
PDF_VARIANT = "pdf/ua-1"


@functools.cache
def print_fonts_css() -> str:
    """@font-face rules for the fonts shipped with the package, so the PDF looks the same on
    every machine and embeds its fonts. report.css names them in its print rules, with Noto
    Naskh Arabic as the fallback for Arabic script."""
    root = webfonts.fonts_dir()
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(root / file).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for family, file, weight, style in webfonts.ALL_FACES
    )


class _Printing:
    """What every PDF of a process shares: WeasyPrint's font configuration (building it reads
    the font files, which it copies into a temporary folder of its own) and the parsed
    stylesheets. It belongs to the process that made it: a process forked afterwards uses it
    but never releases it, since releasing removes the folder the owner still reads."""

    def __init__(self):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.owner = os.getpid()
        self.weasyprint = weasyprint
        self.fonts = FontConfiguration()
        self.fonts_css = weasyprint.CSS(string=print_fonts_css(), font_config=self.fonts)
        self.report_css = weasyprint.CSS(string=report_css(), font_config=self.fonts)


_printing: _Printing | None = None


def _ready() -> _Printing:
    global _printing
    if _printing is None:
        _printing = _Printing()
    return _printing


def prepare() -> None:
    """Import WeasyPrint and read the fonts and stylesheets ahead of the first PDF."""
    _ready()


def release() -> None:
    """Let go of this process's font configuration, which removes WeasyPrint's temporary
    copy of the fonts. A printing process calls it before it ends (multiprocessing ends its
    children without atexit handlers); other processes at exit. A forked process that
    inherited the configuration leaves it to its owner."""
    global _printing
    if _printing is None or _printing.owner != os.getpid():
        return
    _printing = None
    # The last document's styles still hold the configuration, in reference cycles: collect
    # them now, so that its destructor removes the folder.
    gc.collect()


def _release_at_exit() -> None:
    # Only the owner releases (see release), and only then need the objects it froze for its
    # forked workers (gc.freeze), the warm-up page's styles among them, go back to the
    # collector: unfrozen in a process that never printed (a single build's command), they
    # would all be walked again by the interpreter's last collections, 0.2 s of its exit.
    if _printing is None or _printing.owner != os.getpid():
        return
    gc.unfreeze()
    release()


# Left to the interpreter's teardown, the configuration's destructor may find its C
# bindings already gone, and its folder stays behind.
atexit.register(_release_at_exit)


def write_pdf(page: str, target: Path | None, base_url: Path) -> None:
    """Print the page to A4 PDF (to nothing, with no target). The file identifier is derived
    from the page itself, so the same page gives the same bytes."""
    printing = _ready()
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    stylesheets = [printing.fonts_css]
    # The page's own copies of the fonts are for browsers; the PDF embeds them from the files.
    page = webfonts.without_page_fonts(page)
    # The page carries the report's stylesheet for browsers; the printer takes it parsed
    # once per process instead of once per page (a tenth of the printing time).
    inline = f"<style>\n{report_css()}\n</style>"
    if inline in page:
        page = page.replace(inline, "", 1)
        stylesheets.append(printing.report_css)
    options = {"stylesheets": stylesheets, "pdf_identifier": identifier, "pdf_variant": PDF_VARIANT}

    def layout(html: str):
        return printing.weasyprint.HTML(string=html, base_url=str(base_url)).render(font_config=printing.fonts,
                                                                                   **options)

    try:
        # Figures that follow one another print in the order that leaves no page half blank.
        page, document = figureorder.printed(page, layout)
        document.write_pdf(str(target) if target else None, finisher=pdftags.finisher(page), **options)
    except Exception as exc:
        raise BuildError(f"printing the PDF failed: {type(exc).__name__}: {exc}") from exc


def warm_up() -> None:
    """Ready this process to print as for a report already printed: a first PDF costs half
    as much again as later ones (hyphenation dictionaries, C declarations, fonts opened and
    shaped), so a small page in the report's markup and fonts is printed to nothing first.
    Processes forked afterwards start ready too."""
    prepare()
    write_pdf(_warm_up_page(report_css()), None, templates_dir())


def _warm_up_page(css: str) -> str:
    """A page in the report's markup: each font, hyphenated prose, a table, a chart."""
    svg = base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="60pt" height="20pt" font-family="Noto Sans">'
        b'<rect width="10" height="10" fill="#1f4e79"/><text x="12" y="9" font-size="8">1,234 killed</text>'
        b"</svg>").decode("ascii")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Monitor</title><style>\n{css}\n'
        '</style></head><body><main class="report"><header class="title-block">'
        '<p class="kicker">Iraq · Weekly monitor</p>'
        '<h1 class="title">Monitor</h1><p class="period">November 19 – December 3, 2020</p></header>'
        '<nav class="toc"><h2>Contents</h2><ol><li data-target="#s"><a href="#s">Security</a></li></ol></nav>'
        '<section class="key-figures"><h2 id="k">Key figures</h2><div class="boxes"><div class="figure-box">'
        '<span class="value">≥34</span><span class="label">Incidents</span></div></div></section>'
        '<h2 id="s">Security round-up</h2><p class="headline">Rockets Damage Refinery; Protesters Attacked</p>'
        '<p class="event">On November 29, a rocket attack struck the Siniya oil refinery in Salah ad-Din, '
        "temporarily shutting down production; federal security forces began redeploying to Sinjar under "
        "the normalization agreement signed in October.</p><p class=\"summary\"><em>Between</em> November 21 "
        "– December 3, ten IEDs killed at least five people.</p>"
        '<div class="table-wrap"><table><caption>Incidents</caption><thead><tr><th scope="col">Type</th>'
        '<th scope="col">Governorate</th><th scope="col" class="num">Killed</th></tr></thead><tbody><tr>'
        '<td class="type">IEDs</td><td><span class="place">Ninewa <span dir="rtl" lang="ar">نينوى</span></span>'
        '<sup class="shared">†</sup></td><td class="num"><span class="min">≥</span>5</td></tr><tr>'
        '<th scope="row" class="total">Total</th><td></td><td class="num total">−3 → ←</td></tr></tbody></table></div>'
        f'<figure class="chart"><img src="data:image/svg+xml;base64,{svg}" alt="A chart">'
        "<figcaption>Incidents by type.</figcaption></figure></main></body></html>")
