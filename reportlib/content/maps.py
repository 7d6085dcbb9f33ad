"""Where incidents were reported: Iraq's 18 governorates drawn from their boundaries.

The boundaries are OCHA's COD-AB (via the Iraq Central Statistics Organization), simplified,
shipped as `reportlib/inputs/reference/iraq-admin1.geojson` (CC BY-IGO 3.0; see
reference/README.md) and drawn as matplotlib patches: no GIS library, no tiles, no network.

    >>> from reportlib.content import maps, style
    >>> chart = maps.governorate_map(view.incidents)
    >>> svg = chart.svg()
    >>> maps.ATTRIBUTION   # printed under the map

A governorate is shaded by the incidents reported there alone; one named in a total the
source gives for several governorates together is hatched (the total is never split);
one placed by inference (a town's governorate, not the source's words) is outlined in
dashes and labelled as inferred, and its inferred incidents do not shade it.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources

import pandas as pd
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from ..inputs import reference
from . import style
from .figures import Chart, governorate_counts

BOUNDARIES = "iraq-admin1.geojson"
ATTRIBUTION = ("Boundaries: Iraq Central Statistics Organization / UN OCHA (COD-AB, 2019), CC BY-IGO 3.0. "
               "Simplified. Boundaries and names shown do not imply official endorsement or acceptance by "
               "the United Nations.")

# Shades for the classes of incidents a governorate had alone, lightest first; none is grey.
NONE = "#ebebeb"
SHADES = ("#cfdcea", "#9fbbd8", "#6b95c1", "#3e6d9f", "#1f4e79")
SHARED = "#c0392b"
# Behind a label: enough white to read it over hatching, not so much that it hides the map.
_HALO = {"boxstyle": "round,pad=0.12,rounding_size=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
INFERRED = "#b8860b"

# Where a label sits when the middle of its governorate is too small or too crowded for it:
# (longitude, latitude) of the label, with a leader line to the governorate.
_LABEL_AWAY = {
    "Baghdad": (42.85, 33.75),
}
# Labels nudged inside their own governorate, off a neighbour's.
_LABEL_AT = {
    "Ninewa": (42.3, 36.1),
    # Low in its governorate: clear of Kirkuk's hatching to the north-east and of Baghdad's label.
    "Salah ad-Din": (43.6, 34.5),
    "Sulaymaniyah": (45.55, 35.45),
    "Diyala": (45.05, 34.05),
    "Erbil": (44.25, 36.45),
    "Kirkuk": (44.05, 35.3),
    "Wasit": (45.95, 32.75),
    "Muthanna": (45.0, 30.35),
}


@dataclass(frozen=True)
class Governorate:
    name: str  # the report's name (reference/governorates.csv), matched by P-code
    pcode: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer ring first, then any holes
    centre: tuple[float, float]  # the outer ring's centroid


@functools.cache
def boundaries() -> dict[str, Governorate]:
    """The 18 governorates' outlines, keyed by the report's names, in P-code order."""
    text = resources.files("reportlib.inputs").joinpath("reference", BOUNDARIES).read_text(encoding="utf-8")
    names = {g.pcode: g.name for g in reference.governorates().values()}
    found = {}
    for feature in json.loads(text)["features"]:
        pcode = feature["properties"]["pcode"]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = tuple(_smooth(tuple((float(x), float(y)) for x, y in ring)) for polygon in polygons for ring in polygon)
        found[names[pcode]] = Governorate(names[pcode], pcode, rings, _centroid(polygons[0][0]))
    return {name: found[name] for name in sorted(found, key=lambda n: found[n].pcode)}


def _smooth(ring: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """The ring with its corners cut once (Chaikin: each edge becomes its points at 1/4 and
    3/4), so the simplified borders (straight runs of up to 0.1°) print as curves rather
    than blocks. Each edge gives the same two points whichever way a ring runs along it, so
    neighbours keep one border; at a point where three meet, the cuts leave slivers far
    thinner than the white border drawn over them."""
    points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    if len(points) < 3:
        return ring
    smoothed = []
    for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True):
        smoothed.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
        smoothed.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
    return tuple(smoothed)


def _centroid(ring) -> tuple[float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)


def _path(governorate: Governorate) -> Path:
    vertices, codes = [], []
    for ring in governorate.rings:
        vertices += [*ring, ring[0]]
        codes += [Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY]
    return Path(vertices, codes)


def classes(high: int) -> list[tuple[int, int]]:
    """Classes of incident counts for the shading, (lowest, highest) each: one per count up
    to five, else round steps, at most five classes, the last ending at `high`."""
    if high <= len(SHADES):
        return [(n, n) for n in range(1, high + 1)]
    bounds = [1, 2, 3, 6, 11, 21, 51, 101, 201, 501, 1001, 2001, 5001, 10001]
    lows = [b for b in bounds if b <= high]
    lows = [1, *lows[-(len(SHADES) - 1):]] if len(lows) > len(SHADES) else lows
    return [(low, (lows[i + 1] - 1) if i + 1 < len(lows) else high) for i, low in enumerate(lows)]


def _palette(count: int) -> list[str]:
    """`count` shades spread over the ramp, so that two classes differ as much as five do."""
    if count <= 1:
        return list(SHADES[2:3])[:count]
    return [SHADES[round(i * (len(SHADES) - 1) / (count - 1))] for i in range(count)]


def _class_label(low: int, high: int) -> str:
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def governorate_map(incidents: pd.DataFrame) -> Chart:
    """The map of the period's incidents (see the module's docstring for what it marks)."""
    counts = governorate_counts(incidents)
    stated = counts["alone"] - counts["alone_inferred"]
    shared = (counts["shared"] - counts["shared_inferred"]) > 0
    inferred = (counts["alone_inferred"] + counts["shared_inferred"]) > 0
    high = int(stated.max())
    bins = classes(high) if high else []
    places = boundaries()

    palette = _palette(len(bins))

    def shade(n: int) -> str:
        for (low, top), colour in zip(bins, palette, strict=True):
            if low <= n <= top:
                return colour
        return NONE

    width, map_height, legend_height = 360.0, 352.0, 58.0
    lat_mid = 33.2
    with style.context():
        total = map_height + legend_height
        fig = style.figure(width=width, height=total, layout="none")
        ax = fig.add_axes((0, legend_height / total, 1, map_height / total))
        ax.set_axis_off()
        ax.set_xlim(38.6, 48.8)
        ax.set_ylim(28.95, 37.5)
        # A degree of latitude drawn 1/cos(33°) times as long as one of longitude, as on the ground.
        ax.set_aspect(1 / math.cos(math.radians(lat_mid)), adjustable="box")
        # add_artist, not add_patch: the limits are set above, and working them out from
        # 1,400 vertices cost more than drawing them.
        for name, place in places.items():
            n = int(stated[name])
            path = _path(place)
            ax.add_artist(PathPatch(path, facecolor=shade(n), edgecolor="white", linewidth=0.8, joinstyle="round",
                                   zorder=1))
            if shared[name]:
                ax.add_artist(PathPatch(path, facecolor="none", edgecolor="none", hatch="///", hatchcolor=SHARED,
                                       hatch_linewidth=0.5, linewidth=0, zorder=2))
            if inferred[name]:
                ax.add_artist(PathPatch(path, facecolor="none", edgecolor=INFERRED, linewidth=1.3,
                                       linestyle=(0, (2.5, 1.5)), zorder=3))
        for name, place in places.items():
            n = int(stated[name])
            lines = [name]
            if n:
                lines.append(f"{n:,}")
            if inferred[name]:
                lines.append("inferred")
            dark = shade(n) in SHADES[-2:]
            at = _LABEL_AWAY.get(name) or _LABEL_AT.get(name) or place.centre
            if name in _LABEL_AWAY:
                ax.annotate("\n".join(lines), xy=place.centre, xytext=at, ha="center", va="center",
                            fontsize=7, linespacing=1.05, color=style.INK, zorder=5, bbox=_HALO,
                            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.5,
                                        "shrinkA": 0, "shrinkB": 0})
            else:
                ax.text(*at, "\n".join(lines), ha="center", va="center", fontsize=7, linespacing=1.05,
                        color="white" if dark else style.INK, zorder=5, bbox=None if dark else _HALO)
        handles = [Patch(facecolor=NONE, label="None")]
        handles += [Patch(facecolor=colour, label=_class_label(low, top))
                    for (low, top), colour in zip(bins, palette, strict=True)]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.03, (legend_height - 2) / total),
                   ncols=len(handles), title="Incidents in the governorate alone", title_fontsize=7,
                   alignment="left", handlelength=1.2, columnspacing=0.9, borderaxespad=0, borderpad=0)
        marks = [Patch(facecolor="white", edgecolor="none", hatch="///", hatchcolor=SHARED, hatch_linewidth=0.5,
                       label="Named in a total shared with other governorates (not split)")]
        if inferred.any():
            marks.append(Patch(facecolor="white", edgecolor=INFERRED, linewidth=1.2, linestyle=(0, (2.5, 1.5)),
                               label="Placed there by inference, not named by the source"))
        fig.legend(handles=marks, loc="upper left", bbox_to_anchor=(0.03, (legend_height - 30) / total), ncols=1,
                   handlelength=1.6, borderaxespad=0, borderpad=0, labelspacing=0.3)
    caption = ("Where incidents were reported: each governorate is shaded by the incidents the data places in it "
               "alone. Hatched governorates are named in a total the source gives for several governorates "
               "together; such a total is counted where it is named and never split between them.")
    if inferred.any():
        caption += (" A dashed outline marks a governorate placed by inference (a town's governorate) rather than "
                    "named by the source; its inferred incidents do not shade it.")
    marked = [name for name in places if stated[name] or shared[name] or inferred[name]]
    alt = "Map of Iraq's 18 governorates. " + " ".join(
        f"{name}: {int(stated[name])} incident{'s' if stated[name] != 1 else ''} alone"
        + ("; named in a shared total" if shared[name] else "")
        + ("; placed by inference" if inferred[name] else "") + "."
        for name in marked) + (" No incidents in the other governorates." if marked else
                               "No incidents were reported in any of them.")
    return Chart(fig, caption, alt)
