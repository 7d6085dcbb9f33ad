"""Chart text in the PDF laid out a run at a time.

WeasyPrint draws SVG text one character at a time, each with a layout of its own, because
SVG lets every glyph be placed apart (x and y lists, dx, dy, rotate). The charts place no
glyph apart, and their 150-odd labels cost a tenth of each report's printing that way; laid
out as whole runs they print in a third of the time, and Pango also kerns them as a browser
does. Runs that do place glyphs apart keep WeasyPrint's own path. Upstream tracks the same
change as Kozea/WeasyPrint#2249.
"""

from __future__ import annotations

import sys

# The WeasyPrint releases whose SVG text drawing this was checked against.
CHECKED_VERSIONS = {"70.0"}
_PER_GLYPH = ("dx", "dy", "rotate", "letter-spacing", "textLength")


class _Run(str):
    """Text that WeasyPrint's per-character loop takes as a single character."""

    def __iter__(self):
        yield str(self)


def _whole(node) -> bool:
    if not node.text or any(name in node.attrib for name in _PER_GLYPH):
        return False
    return all(len(node.attrib.get(axis, "").replace(",", " ").split()) <= 1 for axis in ("x", "y"))


def install() -> bool:
    """Route WeasyPrint's SVG text through the run-at-a-time path; False (and nothing
    changed) on a release it was not checked against."""
    import weasyprint
    import weasyprint.svg

    if weasyprint.__version__ not in CHECKED_VERSIONS:
        return False
    drawing = weasyprint.svg.TAGS
    original = sys.modules["weasyprint.svg.text"].text
    if getattr(drawing["text"], "__wrapped__", None) is original:
        return True

    def text(svg, node, font_size):
        if _whole(node) and not isinstance(node.text, _Run):
            node._etree_node.text = _Run(node.text)  # Node.text reads the XML element's
        return original(svg, node, font_size)

    text.__wrapped__ = original
    # draw_node compares a tag's function with the module's own `text` to find text nodes.
    weasyprint.svg.text = text
    for tag, function in drawing.items():
        if function is original:
            drawing[tag] = text
    return True
