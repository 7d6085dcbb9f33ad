"""The print order and size of a run of figures (issue 23, pages without holes).

Figures never split across pages: a figure that does not fit is pushed whole to the next page
and leaves the rest of its page blank when the next content is a figure too. Where figures
follow one another with nothing between them (the charts after the incidents table), the
printed page may take them in another order, so that one that fits fills the space another
would leave. Each figure's height is measured on the run's figures laid out alone, a mark
after each (WeasyPrint's public `HTML.render`, `Document.pages`, `Page.anchors`). The
orders that keep every figure under its own heading are tried on those heights, from where
the run begins (the top of its first figure, where the content before it leaves it), with or
without each bar chart's taller print copy (content.figures.TALLER: more room a bar, type of
the same size), and the arrangement leaving the least blank page printed: first the one with
no page more blank than MOST_BLANK, then the one closest to the page's own order (a taller
chart keeps the figures in sequence, a new order does not), then to its own sizes.

Where the run begins is read from a print: the page is first printed in the arrangement
planned as if the run began a page, and that print is kept when the arrangement planned
from where its first figure landed is the same. Where that figure was pushed to the next
page, or the page has more than one run, the page is laid out up to the runs to find where
they begin (cheaper than the whole page: nothing after a point moves what comes before it).

What moves and what does not:
- a figure moves with the heading printed right above it (the map's "Where incidents were
  reported"); a figure without a heading of its own belongs to the heading before the run
  (the incidents table's) and stays ahead of the headed ones;
- a figure keeps its number and its id: the numbers may run out of sequence on paper
  ("Figure 2" above "Figure 1"), never differ from the page's;
- the tagged PDF reads the figures in the order printed, one after another, where the page
  has them: nothing else comes between;
- a taller copy is the same chart with the same marks, caption and alt text, carried on the
  chart's image in the page (data-print-taller); what is printed never carries both.

    from reportlib.render import figureorder
    page, document = figureorder.printed(page, layout)   # layout: page -> weasyprint Document

The arrangement is planned on the measured heights and printed only if the figures land on
the pages the plan gave them; otherwise the page prints as it came (a third layout, rare).
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# report.css: @page { size: A4; margin: 22mm 18mm 20mm 18mm }, in CSS pixels.
_PX = 96 / 25.4
TOP, BOTTOM = 22 * _PX, (297 - 20) * _PX
# Permutations tried per run: a run longer than this keeps its order (6! = 720 is cheap; the
# report has four).
MOST = 6
# A figure's margins (report.css: figure.chart { margin: 1.2rem 0 }, 10pt type in print):
# measured between marks they count once, and a figure at the top of a page has none above.
_MARGIN = 1.2 * 10 * 96 / 72
# The share of a page a run may leave blank before another arrangement is worth printing
# (tests/render/test_pages.py holds every page but the last to it).
MOST_BLANK = 0.15

_TALLER = re.compile(r'\s+data-print-taller="(?P<src>[^"]+)"')
_IMAGE = re.compile(r'<img src="(?P<src>[^"]+)"')
_HEIGHT = re.compile(rb'<svg[^>]*?\sheight="(?P<pt>[\d.]+)pt"')

_FIGURE = re.compile(r'(?:<h3 id="(?P<heading>[^"]+)">(?:(?!</h3>).)*</h3>\s*)?'
                     r'<figure class="chart[^"]*" id="(?P<figure>figure-\d+)">.*?</figure>', re.S)
_MARK = "print-order-mark-"
_BODY = re.compile(r"<body[\s>]", re.I)
_TARGET = re.compile(r'data-target="#([^"]+)"')


@dataclass(frozen=True)
class _Block:
    start: int  # in the page string
    end: int
    anchor: str  # the id of its first element: the heading's, or the figure's
    headed: bool
    extra: float  # CSS pixels the taller copy adds to the printed chart; 0: it has none


def _svg_height(src: str) -> float | None:
    """An SVG data URL's height in points, from its root element (matplotlib writes it)."""
    if not src.startswith("data:image/svg+xml;base64,"):
        return None
    head = base64.b64decode(src.split(",", 1)[1][:1200])
    match = _HEIGHT.search(head)
    return float(match.group("pt")) if match else None


def _extra(block: str) -> float:
    taller, image = _TALLER.search(block), _IMAGE.search(block)
    if not taller or not image:
        return 0.0
    high, low = _svg_height(taller.group("src")), _svg_height(image.group("src"))
    return max(0.0, (high - low) * 96 / 72) if high and low else 0.0


def _printed(block: str, taller: bool) -> str:
    """A figure as printed: its chart, or its taller copy in the chart's place."""
    found = _TALLER.search(block)
    if not found:
        return block
    block = block[:found.start()] + block[found.end():]
    if taller:
        block = _IMAGE.sub(lambda m: f'<img src="{found.group("src")}"', block, count=1)
    return block


def runs(page: str) -> list[list[_Block]]:
    """Runs of two or more figures with nothing but white space between them."""
    found: list[list[_Block]] = []
    last_end = -1
    for match in _FIGURE.finditer(page):
        block = _Block(match.start(), match.end(), match.group("heading") or match.group("figure"),
                       match.group("heading") is not None, _extra(match.group(0)))
        if found and page[last_end:block.start].strip() == "":
            found[-1].append(block)
        else:
            found.append([block])
        last_end = block.end
    return [run for run in found if len(run) > 1]


def _orders(run: list[_Block]) -> list[tuple[int, ...]]:
    """The orders that keep each figure under its heading: the leading figures without a
    heading of their own among themselves, first; then each headed figure, with the headless
    ones after it, as a group among the groups."""
    lead = [i for i, block in enumerate(run) if i < next((k for k, b in enumerate(run) if b.headed), len(run))]
    groups: list[list[int]] = []
    for i in range(len(lead), len(run)):
        if run[i].headed or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    orders = []
    for first in itertools.permutations(lead):
        for grouped in itertools.permutations(groups):
            orders.append((*first, *itertools.chain.from_iterable(grouped)))
    return orders


def _positions(document) -> dict[str, tuple[int, float]]:
    """Each anchor's page and its top, in CSS pixels from the page's top."""
    found: dict[str, tuple[int, float]] = {}
    for number, page in enumerate(document.pages):
        for name, where in page.anchors.items():
            found.setdefault(name, (number, where[1]))
    return found


def _holes(heights: list[float], order: tuple[int, ...], start: float) -> tuple[list[float], dict[int, int]]:
    """The blank fraction left at the bottom of each page the run ends, laid out from `start`
    (the top of the run's first figure, as if it fitted where the content before ends), and
    the page each figure lands on, counted from the run's first."""
    holes, pages, y, first = [], {}, start, True
    for k in order:
        height = heights[k] if not first else heights[k] - _MARGIN
        if y + height - _MARGIN > BOTTOM and y > TOP + 1:
            holes.append((BOTTOM - y) / (BOTTOM - TOP))
            y = TOP + heights[k] - _MARGIN
        else:
            y += height
        pages[k] = len(holes)
        first = False
    return holes, pages


def _cost(holes: list[float], order: tuple[int, ...], taller: tuple[bool, ...]) -> tuple:
    """Pages past MOST_BLANK first, then how blank, then how far from the page's own order
    and sizes."""
    worst = max(holes, default=0.0)
    return (worst > MOST_BLANK, round(worst, 2) if worst > MOST_BLANK else 0.0,
            sum(abs(p - k) for p, k in enumerate(order)), sum(taller), sum(holes))


def _without_copies(page: str) -> str:
    return _TALLER.sub("", page)


@dataclass(frozen=True)
class _Plan:
    """An arrangement of a run: its figures' order, which print their taller copy, and where."""

    order: tuple[int, ...]
    taller: tuple[bool, ...]
    pages: dict[int, int]  # each figure's page, counted from the run's first

    @property
    def kept(self) -> bool:
        return self.order == tuple(range(len(self.order))) and not any(self.taller)


def _plan(run: list[_Block], heights: list[float], start: float) -> _Plan:
    """The arrangement of the run that leaves the least blank page, the run starting at `start`."""
    choices = []
    for order in _orders(run):
        for taller in itertools.product(*[(False, True) if b.extra else (False,) for b in run]):
            sized = [h + (run[k].extra if taller[k] else 0.0) for k, h in enumerate(heights)]
            holes, pages = _holes(sized, order, start)
            choices.append((_cost(holes, order, taller), order, taller, pages))
    _, order, taller, pages = min(choices)
    return _Plan(order, taller, pages)


def printed(page: str, layout: Callable[[str], Any]) -> tuple[str, Any]:
    """The page as printed and its layout (`layout(page)`, a WeasyPrint Document): each run of
    figures in the order and sizes that leave the least blank page, and no taller copy left
    over. A page without a run of figures is laid out once.

    On the shipped issue and 52 synthetic weeks this took two layouts on 25 pages (the small
    one of the figures included: the first print was kept), three on 22 and four on 6, where
    measuring the whole page first took two on every page: 0.82 CPU-s a page against 0.99."""
    plain = _without_copies(page)
    found = [run for run in runs(page) if len(run) <= MOST]
    measured = _measured(page, found, layout) if found else {}
    if not measured:
        return plain, layout(plain)
    printed_text, document, at, plans, first_pages = None, None, {}, {}, {}
    if len(found) == 1 and 0 in measured:
        heights, margins = measured[0]
        guess = _plan(found[0], heights, TOP)
        printed_text = _rewritten(page, found, {0: guess})
        document = layout(printed_text)
        at = _positions(document)
        landed = _landed(at, found[0], guess, margins)
        if landed is not None:
            first_pages[0], start = landed
            plans[0] = _plan(found[0], heights, start)
    if not plans:
        starts = _starts(page, found, {n: tops[0] for n, (_, tops) in measured.items()}, layout)
        for number, (heights, _) in measured.items():
            if f"{_MARK}{number}-start" in starts:
                first_pages[number], start = starts[f"{_MARK}{number}-start"]
                plans[number] = _plan(found[number], heights, start)
    text = _rewritten(page, found, plans)
    if document is None or text != printed_text:
        document = layout(text)
        at = _positions(document)
    expected = {found[n][k].anchor: first_pages[n] + plan.pages[k]
                for n, plan in plans.items() if not plan.kept for k in plan.order}
    if any(at.get(anchor, (None,))[0] != number for anchor, number in expected.items()):
        return plain, layout(plain)
    return text, document


def _landed(at: dict[str, tuple[int, float]], run: list[_Block], plan: _Plan,
            margins: list[float]) -> tuple[int, float] | None:
    """Where the run begins, read from the anchors (`at`) of a page printed with it in `plan`'s
    arrangement: the top of the figure printed first, if it fitted after the content before it
    (a figure pushed to the next page starts at the page's top, its margin dropped) and has the
    same margin above it as the run's own first. None where it cannot be read."""
    first = plan.order[0]
    found = at.get(run[first].anchor)
    if found is None or found[1] <= TOP + 0.5 or margins[first] != margins[0]:
        return None
    return found


def _rewritten(page: str, found: list[list[_Block]], plans: dict[int, _Plan]) -> str:
    """The page with each planned run in its arrangement, and no taller copy left over."""
    rewritten, shift = page, 0
    for number, run in enumerate(found):
        plan = plans.get(number)
        if plan is None or plan.kept:
            continue
        body = "".join(_printed(page[run[k].start:run[k].end], plan.taller[k]) for k in plan.order)
        begin, end = run[0].start + shift, run[-1].end + shift
        # The white space between the figures is dropped: the run is block boxes only.
        rewritten = rewritten[:begin] + body + rewritten[end:]
        shift += len(body) - (run[-1].end - run[0].start)
    return _without_copies(rewritten)


def _measured(page: str, found: list[list[_Block]],
              layout: Callable[[str], Any]) -> dict[int, tuple[list[float], list[float]]]:
    """Each measurable run's figures' heights and the margins above them: every
    figure laid out alone at the top of a page (after a forced break, which keeps the margin
    above it), in the elements the runs sit in, with a mark after it. A figure's height does
    not depend on where it prints; one that ends on another page than it starts is taller than
    a page, and its run is left alone."""
    body = "".join(f'<div style="break-before: page">{page[block.start:block.end]}</div>'
                   f'<div id="{_MARK}{number}-{k}"></div>'
                   for number, run in enumerate(found) for k, block in enumerate(run))
    at = _positions(layout(_opening(page, found[0][0].start) + body))
    measured = {}
    for number, run in enumerate(found):
        heights = []
        for k, block in enumerate(run):
            top, end = at.get(block.anchor), at.get(f"{_MARK}{number}-{k}")
            if top is None or end is None or top[0] != end[0]:
                break
            heights.append(end[1] - top[1] + _MARGIN)
        if len(heights) == len(run):
            measured[number] = (heights, [at[block.anchor][1] - TOP for block in run])
    return measured


def _starts(page: str, found: list[list[_Block]], margins: dict[int, float],
            layout: Callable[[str], Any]) -> dict[str, tuple[int, float]]:
    """Where each run begins: the page laid out in its own order only up to the runs, with a
    mark before each that has its first figure's margin above it, and so lands where that
    figure's top would. Nothing after a point of the page moves what comes before it, and the
    figures and the sections after them are a third of the page's layout."""
    parts, at = [], 0
    for number, run in enumerate(found):
        margin = f' style="margin-top: {margins[number]!r}px"' if number in margins else ""
        parts += [page[at:run[0].start], f'<div id="{_MARK}{number}-start"{margin}></div>']
        at = run[0].start
    cut = "".join(parts)
    # The contents print each section's page number (report.css: target-counter); a section
    # past the cut gets an empty target after it, so that its line keeps a number as wide.
    past = [name for name in dict.fromkeys(_TARGET.findall(cut)) if f'id="{name}"' not in cut]
    return _positions(layout(cut + "".join(f'<div id="{name}"></div>' for name in past)))


class _Open(HTMLParser):
    """The elements still open at the end of what it is fed, with their start tags."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                      "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append((tag, self.get_starttag_text() or f"<{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break


def _opening(page: str, at: int) -> str:
    """The page's head and the start tags of the body's elements open at `at`, with nothing
    of their content: the runs measured alone are styled as in the page."""
    body = _BODY.search(page)
    if body is None or body.start() > at:
        return page[:at]
    parser = _Open()
    parser.feed(page[body.start():at])
    return page[:body.start()] + "".join(text for _, text in parser.open)
