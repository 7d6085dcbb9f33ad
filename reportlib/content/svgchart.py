"""A small SVG drawing kit for the report's charts: text measured with the metrics of the
shipped Noto Sans, ticks at round numbers, axes, bars, lines, markers and legends.

Charts are drawn as plain SVG because a report is mostly small bar and line charts, and a
general plotting library spends far longer laying them out than the report spends on
anything else; its output also has several times the elements, each of which the PDF
printer then handles. Drawing directly keeps the same chart in a tenth of the elements,
with every label still text (searchable in the PDF), and the same bytes for the same data.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from xml.sax.saxutils import escape, quoteattr

# The PDF finds Noto Sans among the fonts it embeds; a browser without it takes the next.
FONT_STACK = "'Noto Sans', 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
INK = "#333333"
AXIS = "#4a4a4a"
GRID = "#dddddd"
MUTED = "#9a9a9a"
TICK_SIZE = 8
LABEL_SIZE = 9
LEGEND_SIZE = 8
WIDTHS_FILE = "noto-sans-widths.json"
# Characters whose advance widths are recorded: Latin with its extensions, punctuation,
# arrows and mathematical operators; anything else is measured as an average letter.
MEASURED = [(0x20, 0x24F), (0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF)]


@functools.cache
def _widths() -> dict:
    path = resources.files("reportlib").joinpath("fonts", WIDTHS_FILE)
    table = json.loads(path.read_text(encoding="utf-8"))
    return {style: {int(k): v / table["units_per_em"] for k, v in widths.items()}
            for style, widths in table["widths"].items()}


def measure_fonts(regular: str, bold: str) -> dict:
    """The advance widths of the measured characters in the two font files, as stored in
    fonts/noto-sans-widths.json (tests check that the stored table matches the fonts)."""
    from fontTools.ttLib import TTFont

    table = {"widths": {}}
    for style, path in (("regular", regular), ("bold", bold)):
        font = TTFont(path, lazy=True)
        cmap, hmtx = font.getBestCmap(), font["hmtx"]
        table["units_per_em"] = font["head"].unitsPerEm
        table["widths"][style] = {str(c): hmtx[cmap[c]][0] for lo, hi in MEASURED
                                  for c in range(lo, hi + 1) if c in cmap}
    return table


def text_width(text: str, size: float, bold: bool = False) -> float:
    widths = _widths()["bold" if bold else "regular"]
    average = widths[ord("n")]
    return size * sum(widths.get(ord(c), average) for c in text)


def number(value: float) -> str:
    """A tick or value label: thousands separated, no needless decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(high: float, count: int = 5, integer: bool = True) -> list[float]:
    """Round ticks from 0 to at least `high`: steps of 1, 2, 2.5 or 5 times a power of ten,
    about `count` of them; whole numbers only for counts."""
    high = max(float(high), 1.0 if integer else 1e-9)
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and (not integer or float(step).is_integer()):
            break
    step = max(step, 1.0) if integer else step
    top = math.ceil(high / step - 1e-9) * step
    return [round(k * step, 10) for k in range(round(top / step) + 1)]


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class Chart:
    """An SVG canvas in points. Elements are kept in drawing order; `svg()` writes them."""

    width: float
    height: float
    label: str = ""
    parts: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, content: str, size: float = TICK_SIZE, anchor: str = "start",
             color: str = INK, bold: bool = False, middle: bool = True, rotate: float = 0) -> None:
        """Text at (x, y); with `middle`, y is the text's vertical centre, else its baseline."""
        baseline = y + 0.36 * size if middle else y
        attrs = f'x="{_f(x)}" y="{_f(baseline)}" font-size="{_f(size)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if color != INK:
            attrs += f' fill="{color}"'
        if bold:
            attrs += ' font-weight="bold"'
        if rotate:
            attrs += f' transform="rotate({_f(rotate)} {_f(x)} {_f(y)})"'
        self.parts.append(f"<text {attrs}>{escape(content)}</text>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, opacity: float = 1.0) -> None:
        if w <= 0 or h <= 0:
            return
        extra = f' fill-opacity="{_f(opacity)}"' if opacity < 1 else ""
        self.parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" fill="{fill}"{extra}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str = AXIS, width: float = 0.6,
             dash: str = "") -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
                          f'stroke="{color}" stroke-width="{_f(width)}"{extra}/>')

    def polyline(self, points: list[tuple[float, float]], color: str, width: float = 1.5, dash: str = "") -> None:
        if len(points) < 2:
            return
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
        self.parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="{_f(width)}" '
                          f'stroke-linejoin="round"{extra}/>')

    def circle(self, x: float, y: float, r: float, fill: str = "none", stroke: str = "", stroke_width: float = 0,
               opacity: float = 1.0) -> None:
        attrs = f'cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{fill}"'
        if opacity < 1:
            attrs += f' fill-opacity="{_f(opacity)}"'
        if stroke:
            attrs += f' stroke="{stroke}" stroke-width="{_f(stroke_width)}"'
        self.parts.append(f"<circle {attrs}/>")

    def marker(self, x: float, y: float, shape: str, color: str, size: float = 4) -> None:
        if shape == "s":
            self.rect(x - size / 2, y - size / 2, size, size, color)
        else:
            self.circle(x, y, size / 2, color)

    def empty(self, message: str) -> None:
        self.text(self.width / 2, self.height / 2, message, size=LABEL_SIZE, anchor="middle", color=MUTED)

    def svg(self) -> str:
        title = f"<title>{escape(self.label)}</title>" if self.label else ""
        return ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(self.width)}pt" height="{_f(self.height)}pt" '
                f'viewBox="0 0 {_f(self.width)} {_f(self.height)}" font-family={quoteattr(FONT_STACK)} '
                f'fill="{INK}" role="img">{title}'
                f'<rect width="100%" height="100%" fill="white"/>{"".join(self.parts)}</svg>\n')


_SWATCH = 14  # points: the width of a legend's sample


@dataclass
class Legend:
    """Legend entries, each a swatch and a label: ("bar", colour), ("line", colour, marker,
    dash), ("dot", colour), ("ring", colour) or ("band", colour)."""

    entries: list[tuple[tuple, str]] = field(default_factory=list)

    def add(self, swatch: tuple, label: str) -> None:
        self.entries.append((swatch, label))

    def width(self) -> float:
        return sum(_SWATCH + 4 + text_width(label, LEGEND_SIZE) + 12 for _, label in self.entries) - 12

    def draw(self, chart: Chart, x: float, y: float) -> None:
        """In one row from (x, y), y being the row's vertical centre."""
        for swatch, label in self.entries:
            kind, color = swatch[0], swatch[1]
            if kind == "bar":
                chart.rect(x, y - 3.5, _SWATCH, 7, color)
            elif kind == "line":
                marker, dash = swatch[2], swatch[3]
                chart.line(x, y, x + _SWATCH, y, color, 1.5, dash)
                if marker:
                    chart.marker(x + _SWATCH / 2, y, marker, color)
            elif kind == "dot":
                chart.circle(x + _SWATCH / 2, y, 4.5, color, opacity=0.75)
            elif kind == "ring":
                chart.circle(x + _SWATCH / 2, y, 4.5, "none", color, 1.2)
            elif kind == "band":
                chart.rect(x, y - 5, _SWATCH, 10, color)
            x += _SWATCH + 4
            chart.text(x, y, label, size=LEGEND_SIZE)
            x += text_width(label, LEGEND_SIZE) + 12


@dataclass
class Axes:
    """A plot area (left, top, width, height in points) with linear scales: x from x0 to
    x1, y from y0 to y1; `flip_y` puts y0 at the top (for category rows)."""

    chart: Chart
    left: float
    top: float
    width: float
    height: float
    x0: float = 0.0
    x1: float = 1.0
    y0: float = 0.0
    y1: float = 1.0
    flip_y: bool = False

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, value: float) -> float:
        share = (value - self.y0) / (self.y1 - self.y0)
        return self.top + (share if self.flip_y else 1 - share) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def value_grid(self, ticks: list[float], axis: str, label: str = "") -> None:
        """Grid lines and labels at `ticks` of the value axis ('x' or 'y')."""
        c = self.chart
        for t in ticks:
            if axis == "x":
                c.line(self.x(t), self.top, self.x(t), self.bottom, GRID, 0.6)
                c.text(self.x(t), self.bottom + 10, number(t), anchor="middle", color=AXIS)
            else:
                c.line(self.left, self.y(t), self.left + self.width, self.y(t), GRID, 0.6)
                c.text(self.left - 5, self.y(t), number(t), anchor="end", color=AXIS)
        if label and axis == "x":
            c.text(self.left + self.width / 2, self.bottom + 25, label, size=LABEL_SIZE, anchor="middle")
        elif label:
            c.text(self.left - 14 - max(text_width(number(t), TICK_SIZE) for t in ticks), self.top + self.height / 2,
                   label, size=LABEL_SIZE, anchor="middle", rotate=-90)

    def column(self, x: float, value: float, half_width: float, color: str) -> None:
        """A vertical bar from 0 to `value`, centred on `x` (in data units)."""
        self.chart.rect(self.x(x - half_width), self.y(value), self.x(x + half_width) - self.x(x - half_width),
                        self.y(0) - self.y(value), color)

    def bar(self, middle: float, value: float, thickness: float, color: str) -> None:
        """A horizontal bar from 0 to `value`, centred on `middle` (in points)."""
        self.chart.rect(self.left, middle - thickness / 2, self.x(value) - self.left, thickness, color)

    def spines(self) -> None:
        self.chart.line(self.left, self.top, self.left, self.bottom)
        self.chart.line(self.left, self.bottom, self.left + self.width, self.bottom)

    def bottom_labels(self, ticks: list[tuple[float, str]]) -> None:
        """Category or date labels under the plot, with tick marks; a label may have a
        second line."""
        for value, label in ticks:
            x = self.x(value)
            self.chart.line(x, self.bottom, x, self.bottom + 3)
            for k, line in enumerate(label.split("\n")):
                self.chart.text(x, self.bottom + 10 + 10 * k, line, anchor="middle", color=AXIS)
