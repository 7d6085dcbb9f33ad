"""The house style of the report's figures, for its own charts and for an analyst's.

The look is a matplotlib style sheet shipped in the package (`house.mplstyle`: Noto Sans,
the report's colours, light grids, the printed text width); these helpers apply it and save
a figure the way the report embeds it: SVG with text kept as text, in points, the same bytes
for the same figure.

    >>> from reportlib.content import style
    >>> style.use()                              # once: everything drawn from now on
    >>> fig = style.figure(height=200)           # 460.8 x 200 pt, not registered with pyplot
    >>> ax = fig.add_subplot()
    >>> _ = ax.bar(["Baghdad", "Basra"], [4, 1])
    >>> svg = style.to_svg(fig)                   # what report.figure(fig, ...) embeds

In a report notebook `Report.open` calls `style.use()`, so `plt.subplots()` and pandas'
`.plot()` come out in the house style with no line of their own. The report's own charts
draw inside `with style.context():` instead, on matplotlib's defaults plus the sheet, so
nothing a notebook sets changes them.
"""

from __future__ import annotations

import functools
import io
from importlib import resources
from typing import Any

import matplotlib
import matplotlib.style
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

STYLE_SHEET = str(resources.files("reportlib.content").joinpath("house.mplstyle"))
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")

WIDTH = 460.8  # points: 6.4 inches, the text width of the printed page
POINTS_PER_INCH = 72

# The report's colours (report.css names the same ones). A series is told from its
# neighbours by more than hue (tests/content/test_colours.py): no two solid series sit side
# by side unless their lightness differs 3:1, the others carry a hatch, and each is 3:1
# against white.
ACCENT = "#1f4e79"  # incidents
ALERT = "#c0392b"  # people killed (victims of violence)
AMBER = "#b86e00"  # people wounded: 3.99:1 on white (the old #e6a23c was 2.19:1)
MILITANT = "#5b5b5b"  # militants killed in operations: a colour of its own, never the victims'
PALE = "#b8c9dc"  # daily values under a weekly figure
BAND = "#eef1f5"  # the report's own period on a time axis
MUTED = "#6b6b6b"
INK = "#1d1d1f"
GRID = "#e3e3e3"

# What every SVG the report embeds gets, whatever a notebook set before saving: text as
# text, a fixed salt for the ids matplotlib derives from it.
_SAVE_RC: dict[RcKeyType, Any] = {"svg.fonttype": "none", "svg.hashsalt": "reportlib", "svg.image_inline": True}
# No date, and no tool version that would change the bytes on an upgrade of matplotlib
# alone (the manifest records the versions).
_METADATA = {"Date": None, "Creator": None}


@functools.cache
def register_fonts() -> None:
    """Make the shipped Noto Sans known to matplotlib (once per process), so that it
    measures text with the font the PDF embeds."""
    fonts = resources.files("reportlib").joinpath("fonts")
    for name in FONT_FILES:
        font_manager.fontManager.addfont(str(fonts.joinpath(name)))


@functools.cache
def house_rc() -> dict:
    """The style sheet's settings, read once per process (on matplotlib's defaults, so a
    notebook's own rcParams never leak into the report's charts)."""
    register_fonts()
    settings = dict(matplotlib.rcParamsDefault)
    settings.update(matplotlib.rc_params_from_file(STYLE_SHEET, use_default_template=False))
    # rc_context refuses the backend key; the charts never need another one.
    for key in ("backend", "backend_fallback", "interactive", "date.epoch", "figure.max_open_warning",
                "figure.raise_window", "savefig.directory", "timezone", "tk.window_focus",
                "toolbar", "webagg.address", "webagg.open_in_browser", "webagg.port",
                "webagg.port_retries", "docstring.hardcopy"):
        settings.pop(key, None)
    return settings


def context():
    """The house style for the charts drawn (and saved) inside a `with` block."""
    return matplotlib.rc_context(house_rc())


def use() -> None:
    """Apply the house style to everything matplotlib draws from now on in this process
    (pyplot, pandas' .plot()): what Report.open does inside a notebook's kernel."""
    register_fonts()
    matplotlib.style.use(STYLE_SHEET)


def figure(width: float = WIDTH, height: float = 216.0, layout: str | None = None) -> Figure:
    """A matplotlib Figure of the given size in points (the text width by default), in the
    house style, not registered with pyplot (nothing shows it by itself). `layout=None`
    keeps the style's constrained layout; the report's charts pass "none" and place their
    axes by hand."""
    with context():
        # matplotlib's stub for Figure() omits "none", which its set_layout_engine stub lists and Figure accepts.
        return Figure(figsize=(width / POINTS_PER_INCH, height / POINTS_PER_INCH), layout=layout)  # type: ignore[arg-type]


def to_svg(fig) -> str:
    """The figure as the report embeds it: SVG text at the figure's size in points, its
    labels as text in Noto Sans, no date or random id, so the same figure gives the same
    bytes. Takes a Figure or anything with a `.figure` (an Axes, what pandas' .plot()
    returns)."""
    fig = getattr(fig, "figure", fig)
    register_fonts()
    out = io.StringIO()
    with matplotlib.rc_context(_SAVE_RC):
        fig.savefig(out, format="svg", metadata=_METADATA)
    return out.getvalue()


__all__ = ["STYLE_SHEET", "WIDTH", "context", "figure", "to_svg", "use"]
