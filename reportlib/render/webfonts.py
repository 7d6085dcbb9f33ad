"""The fonts of the page, carried by the page: the report's HTML opens on a machine that has
none of its fonts (Noto Serif, Noto Sans, Noto Naskh Arabic) and looks the same, charts
included.

The page gets @font-face rules whose sources are data: URLs of the shipped fonts (the PDF's,
in reportlib/fonts), each cut down to the characters the page uses (HarfBuzz's subsetter,
the one WeasyPrint uses for the PDF, through uharfbuzz; packed as WOFF by fontTools). A chart
is an SVG image, and an image sees none of the page's fonts, so each chart carries its own:
the faces its text is set in, cut down to that text. The DejaVu Sans symbol faces (≥ − →
that Noto lacks) join each family under its name, for those characters only
(unicode-range), as they do in the PDF by fallback.

    page = webfonts.embed(page)
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from importlib import resources
from pathlib import Path

# The id of the page's <style> element with the fonts: the printer drops it (the PDF takes
# the same files from reportlib/fonts, embedded by WeasyPrint itself).
STYLE_ID = "report-fonts"

# The report's fonts, shipped in reportlib/fonts: the page embeds subsets of them, the PDF
# the files (render.pdf). (family, file, weight, style). Noto Serif has no bold italic: a
# browser slants the bold.
FACES = [
    ("Noto Serif", "NotoSerif-Regular.ttf", "400", "normal"),
    ("Noto Serif", "NotoSerif-Bold.ttf", "700", "normal"),
    ("Noto Serif", "NotoSerif-Italic.ttf", "400", "italic"),
    ("Noto Sans", "NotoSans-Regular.ttf", "400", "normal"),
    ("Noto Sans", "NotoSans-Bold.ttf", "700", "normal"),
    ("Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf", "400", "normal"),
    ("Noto Naskh Arabic", "NotoNaskhArabic-Bold.ttf", "700", "normal"),
]
# Noto lacks a few symbols the report uses (≥ − → ←): DejaVu Sans has them, and the package
# ships its symbol blocks, so no glyph falls through to whatever fonts the machine has.
SYMBOL_FACES = [
    ("DejaVu Sans", "DejaVuSans-Symbols.ttf", "400", "normal"),
    ("DejaVu Sans", "DejaVuSans-Bold-Symbols.ttf", "700", "normal"),
]
_SYMBOLS = {weight: file for _, file, weight, _ in SYMBOL_FACES}
# Every shipped face: what the PDF embeds whole (render.pdf) and what `prepare` reads.
ALL_FACES = [*FACES, *SYMBOL_FACES]
# Characters that CSS may put on the page besides its text: text-transform: uppercase
# (the kicker) is covered by adding each letter's capital, generated content by ASCII.
_ALWAYS = {chr(c) for c in range(0x20, 0x7F)} | set("–—‘’“”…•·×")

_TAG = re.compile(r"<[^>]*>")
_STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_SVG_IMAGE = re.compile(r'(src=")data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)(")')
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
# What svg_with_fonts adds after a chart's <svg ...>, and without_page_fonts takes out.
_SVG_FONTS_OPEN = f'<defs><style id="{STYLE_ID}">'
_SVG_FONTS_CLOSE = "</style></defs>"


def fonts_dir() -> Path:
    return Path(str(resources.files("reportlib").joinpath("fonts")))


@functools.cache
def _cmap(file: str) -> frozenset[int]:
    return frozenset(_face(file).unicodes)


@functools.cache
def _face(file: str):
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(fonts_dir() / file)))


def prepare() -> None:
    """Read the shipped faces and load the subsetter and the WOFF writer ahead of the first
    page: two thirds of a first page's fonts (0.09 s against 0.02 s for the next page), paid
    by a build while the kernel runs the notebook instead of after it."""
    for _family, file, _weight, _style in ALL_FACES:
        _cmap(file)
    _subset(FACES[0][1], frozenset({ord("0")}))


@functools.lru_cache(maxsize=256)
def _subset(file: str, codepoints: frozenset[int]) -> str:
    """The font `file` cut down to `codepoints` (HarfBuzz's subsetter: the glyphs, their
    layout closure, kerning and Arabic joining kept; hinting dropped, which screens at report
    sizes do without), packed as WOFF, as a data: URL. The same input gives the same bytes.

    WOFF, not WOFF2: fontTools' WOFF2 encoder (Brotli at its slowest setting, glyf
    transformed in Python) took 0.25 s a face against 15 ms, 1.5 s more for each page's
    seventeen faces, for files a fifth smaller (7.4 kB against 9.5 kB for Noto Serif cut to
    the weekly report's text)."""
    import uharfbuzz

    request = uharfbuzz.SubsetInput()
    for codepoint in sorted(codepoints):
        request.unicode_set.add(codepoint)
    request.flags = uharfbuzz.SubsetFlags.NO_HINTING
    font = uharfbuzz.subset(_face(file), request)
    if font is None:
        raise ValueError(f"HarfBuzz could not subset {file}")
    from fontTools.ttLib import TTFont

    packed = io.BytesIO()
    with TTFont(io.BytesIO(font.blob.data), recalcBBoxes=False, recalcTimestamp=False) as ttf:
        ttf.flavor = "woff"
        ttf.save(packed, reorderTables=False)
    return f"data:font/woff;base64,{base64.b64encode(packed.getvalue()).decode('ascii')}"


def _is_arabic(codepoint: int) -> bool:
    return (0x600 <= codepoint <= 0x6FF or 0x750 <= codepoint <= 0x77F or 0x8A0 <= codepoint <= 0x8FF
            or 0xFB50 <= codepoint <= 0xFDFF or 0xFE70 <= codepoint <= 0xFEFF)


def _ranges(codepoints: list[int]) -> str:
    return ", ".join(f"U+{c:04X}" for c in codepoints)


def _codepoints(text: str) -> set[int]:
    chars = set(text) | {c.upper() for c in text if c.upper() != c and len(c.upper()) == 1}
    return {ord(c) for c in chars if not c.isspace() or c == " "}


def font_face_css(text: str, families: tuple[str, ...] | None = None, weights: tuple[str, ...] | None = None) -> str:
    """@font-face rules for the shipped faces of `families` (all of them by default) and
    `weights`, each cut down to the characters of `text`; the characters a family lacks and
    the DejaVu symbol faces have join it under its name."""
    wanted = _codepoints(text)
    rules = []
    for family, file, weight, style in FACES:
        if (families and family not in families) or (weights and weight not in weights):
            continue
        # The Arabic face sets only Arabic (report.css gives it to [lang=ar] alone).
        needed = {c for c in wanted if _is_arabic(c)} if family == "Noto Naskh Arabic" else wanted
        have = needed & _cmap(file)
        if not have:
            continue
        rules.append(_rule(family, _subset(file, frozenset(have)), weight, style))
        missing = needed - _cmap(file)
        symbols = sorted(missing & _cmap(_SYMBOLS[weight]))
        if symbols:
            rules.append(_rule(family, _subset(_SYMBOLS[weight], frozenset(symbols)), weight, style,
                               _ranges(symbols)))
    return "\n".join(rules)


def _rule(family: str, url: str, weight: str, style: str, unicode_range: str = "") -> str:
    extra = f" unicode-range: {unicode_range};" if unicode_range else ""
    return (f'@font-face {{ font-family: "{family}"; src: url({url}) format("{url[10:url.index(";")]}");'
            f" font-weight: {weight}; font-style: {style}; font-display: block;{extra} }}")


def page_text(page: str) -> str:
    """The characters a reader sees on the page: its text outside tags and styles."""
    return html.unescape(_TAG.sub(" ", _STYLE_OR_SCRIPT.sub(" ", page))) + "".join(_ALWAYS)


def svg_with_fonts(svg: str) -> str:
    """An SVG chart carrying the faces its text is set in, cut down to that text."""
    texts = _SVG_TEXT.findall(svg)
    if not texts or _SVG_FONTS_OPEN in svg:
        return svg
    text = html.unescape(_TAG.sub("", "".join(texts)))
    bold = re.search(r"font-weight:\s*(bold|[6-9]00)|font:\s*bold", svg) is not None
    families = tuple(f for f in ("Noto Sans", "Noto Serif", "Noto Naskh Arabic") if f in svg) or ("Noto Sans",)
    css = font_face_css(text, families, ("400", "700") if bold else ("400",))
    opening = _SVG_OPEN.search(svg)
    if not css or opening is None:
        return svg
    return f"{svg[:opening.end()]}{_SVG_FONTS_OPEN}{css}{_SVG_FONTS_CLOSE}{svg[opening.end():]}"


def _embed_in_image(match: re.Match) -> str:
    svg = base64.b64decode(match.group(2)).decode("utf-8")
    data = base64.b64encode(svg_with_fonts(svg).encode("utf-8")).decode("ascii")
    return f"{match.group(1)}data:image/svg+xml;base64,{data}{match.group(3)}"


def embed(page: str) -> str:
    """The page with its fonts: a <style id="report-fonts"> before its stylesheet, and each
    SVG chart with its own. A page without a <head> is returned as it is."""
    if "</head>" not in page:
        return page
    page = _SVG_IMAGE.sub(_embed_in_image, page)
    css = font_face_css(page_text(page))
    return page.replace("<style>", f'<style id="{STYLE_ID}">\n{css}\n</style>\n<style>', 1)


def _strip_image(match: re.Match) -> str:
    svg = base64.b64decode(match.group(2)).decode("utf-8")
    start = svg.find(_SVG_FONTS_OPEN)
    if start == -1:
        return match.group(0)
    end = svg.index(_SVG_FONTS_CLOSE, start) + len(_SVG_FONTS_CLOSE)
    data = base64.b64encode((svg[:start] + svg[end:]).encode("utf-8")).decode("ascii")
    return f"{match.group(1)}data:image/svg+xml;base64,{data}{match.group(3)}"


def without_page_fonts(page: str) -> str:
    """The page as it was before `embed`: what the printer prints. The PDF embeds the same
    fonts from their files, and must not see these: WeasyPrint would add a chart's cut-down
    faces to the fonts of every page it prints after, under the report's family names."""
    page = re.sub(rf'<style id="{STYLE_ID}">.*?</style>\n', "", page, count=1, flags=re.S)
    return _SVG_IMAGE.sub(_strip_image, page)


__all__ = ["ALL_FACES", "STYLE_ID", "embed", "font_face_css", "page_text", "prepare", "svg_with_fonts",
           "without_page_fonts"]
