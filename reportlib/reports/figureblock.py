"""Numbered figures: the report's own charts and an analyst's, as one kind of block.

In a report notebook, an analyst's matplotlib figure or pandas plot becomes a figure of
the report with one call:

    fig, ax = plt.subplots()
    monthly.plot(ax=ax)
    report.figure(fig, caption="Incidents a month in Baghdad, 2020",
                  alt="Line chart: incidents a month in Baghdad rose from 3 in January to 9 in June.")

Every figure of a report, its own charts and the analyst's, is numbered in one sequence in
the order shown ("Figure 3: ..."); the number is in the HTML text, so in the PDF too. Opened
inside a kernel, a report also (`show_in_kernel`):

- applies the house style (reportlib.content.style) to pyplot and pandas' plots;
- shows a figure displayed without report.figure (a bare `fig` at the end of a cell, or the
  figure pyplot's inline backend shows after a cell, as `df.plot()` makes) as the same
  block, with a visible placeholder caption and a warning for the build output;
- hides the `<Axes ...>` text that a cell ending in `df.plot()` would otherwise print;
- shows a DataFrame a cell ends with as a table of the report (content.tables.from_frame,
  the one path every table of the report takes); `report.table(df, caption=...)` gives it
  a caption, notes and headings of your own.

The warnings travel in the display output's metadata, under the key `reportlib`:
`{"reportlib": {"warnings": ["..."]}}`; `notebook_warnings(nb)` reads them back from an
executed notebook, and `reportlib build` prints them.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from ..content import style
from ..content.tables import from_frame
from . import blocks
from .blocks import METADATA_KEY, Fragment, Tracer, notebook_warnings, placeholder_figures

PLACEHOLDER = ("No caption given. Give this figure a caption and alt text with "
               "report.figure(fig, caption=…, alt=…).")


@dataclass(frozen=True)
class FigureBlock(Fragment):
    """A numbered figure of the report, as HTML (and its review copy, with the values it
    draws traced); Jupyter shows it as such, and a figure shown without a caption carries its
    warning in the output's metadata (blocks.METADATA_KEY)."""

    number: int = 0
    caption: str = ""
    alt: str = ""
    placeholder: bool = False  # shown with PLACEHOLDER for a caption: never published so

    def _plain(self) -> str:
        return f"Figure {self.number}: {self.caption}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        shown = super()._repr_mimebundle_(include, exclude)
        if not self.placeholder:
            return shown
        bundle, metadata = shown if isinstance(shown, tuple) else (shown, {})
        metadata.setdefault(METADATA_KEY, {})["placeholder_figure"] = self.number
        return bundle, metadata


def no_chart(text: str) -> str:
    """The HTML that stands where a chart would, when the data holds nothing to draw."""
    return blocks.render("no_chart.html.j2", text=text).html


class Figures:
    """The figures of one report, numbered in the order they are first shown. A figure
    shown again under the same key (a chart's name, an analyst's caption) keeps its
    number, so re-running a cell in JupyterLab does not renumber the rest."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._count = 0

    def number(self, key: str | None = None) -> int:
        if key is not None and key in self._numbers:
            return self._numbers[key]
        self._count += 1
        if key is not None:
            self._numbers[key] = self._count
        return self._count

    def block(self, svg: str, caption: str, alt: str, key: str | None = None, css: str = "",
              credit: str = "", warnings: tuple[str, ...] = (), placeholder: bool = False,
              traces: Sequence = (), tracer: Tracer | None = None, taller: str = "") -> FigureBlock:
        """An SVG chart as the report's next figure (or the one `key` already has).
        `traces`: (what, value, trace) of the values the chart draws, listed under it in the
        review copy (numbered by `tracer`). `taller`: the chart's taller print copy, if any
        (figures.Chart.taller), which the page never shows and the printer may take."""
        number = self.number(key)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        taller_data = base64.b64encode(taller.encode("utf-8")).decode("ascii") if taller else ""
        fragment = blocks.render("figure.html.j2", tracer if traces else None, number=number, data=data, alt=alt,
                                 caption=caption, css=css, credit=credit, placeholder=placeholder,
                                 traces=list(traces), taller=taller_data)
        return FigureBlock(fragment.html, fragment.review, fragment.traces, tuple(warnings), number, caption, alt,
                           placeholder)

    def chart(self, chart, key: str, caption: str = "", css: str = "", credit: str = "",
              traces: Sequence = (), tracer: Tracer | None = None) -> FigureBlock:
        """One of the report's charts (a figures.Chart) as a figure: `caption` goes before
        the chart's own words on what its marks mean."""
        text = f"{caption} {chart.caption}".strip() if caption else chart.caption
        return self.block(chart.svg(), text, chart.alt, key=key, css=css, credit=credit, traces=traces,
                          tracer=tracer, taller=chart.taller_svg())

    def of(self, fig, caption: str = "", alt: str = "") -> FigureBlock:
        """An analyst's matplotlib figure (or a pandas plot's Axes) as the report's next
        figure, saved in the report's SVG (reportlib.content.style.to_svg). Without a
        caption the figure shows a placeholder and carries a warning; without alt text the
        caption stands in for it, with a warning."""
        fig = getattr(fig, "figure", fig)
        svg = style.to_svg(fig)
        _forget(fig)
        caption, alt = str(caption or "").strip(), str(alt or "").strip()
        key = caption or None
        # The number the figure will take, for the warning: the next one, or its caption's.
        number = self._numbers.get(key, self._count + 1) if key else self._count + 1
        warnings = []
        if not caption:
            warnings.append(f"Figure {number} has no caption; the report shows a placeholder and cannot be "
                            "published until it has one. "
                            "Give one with report.figure(fig, caption=..., alt=...).")
        elif not alt:
            warnings.append(f"Figure {number} ({caption[:60]}) has no alt text; its caption stands in. "
                            "Give one with report.figure(fig, caption=..., alt=...).")
        shown_alt = alt or caption or f"Figure {number}: a chart without a description."
        return self.block(svg, caption or PLACEHOLDER, shown_alt, key=key, warnings=tuple(warnings),
                          placeholder=not caption)


def _forget(fig) -> None:
    """Close a pyplot figure once it is a block of the report, so the inline backend does
    not show it a second time (without its caption) after the cell."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


# -- inside a kernel ---------------------------------------------------------------------------------

_current: Figures | None = None


def show_in_kernel(figures: Figures) -> None:
    """Number the figures a kernel shows from now on in `figures` (the report just opened),
    in the house style; see the module's docstring. Outside a kernel, nothing happens."""
    global _current
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    _current = figures
    import matplotlib
    import pandas
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    # The inline backend shows pyplot's figures after each cell; a kernel forked from the
    # template imported pyplot before ipykernel chose a backend, so choose it here, unless
    # the notebook asked for another.
    backend = matplotlib.get_backend(auto_select=False)
    if backend is None or backend.endswith("backend_inline") or backend == "inline":
        shell.enable_matplotlib("inline")
    style.use()
    formatter = shell.display_formatter.ipython_display_formatter
    formatter.for_type(Figure, _show_figure)
    formatter.for_type(Axes, _hide_axes)
    formatter.for_type(pandas.DataFrame, _show_frame)


def _show_figure(fig) -> None:
    from IPython.display import display

    assert _current is not None  # show_in_kernel sets it before it registers this formatter
    display(_current.of(fig))


def _show_frame(frame) -> None:
    from IPython.display import display

    display(blocks.table(from_frame(frame)))


def _hide_axes(ax) -> None:
    # The Axes a cell ends with (`df.plot()`) is shown as its figure, after the cell.
    return None


__all__ = ["METADATA_KEY", "FigureBlock", "Figures", "no_chart", "notebook_warnings", "placeholder_figures",
           "show_in_kernel"]
