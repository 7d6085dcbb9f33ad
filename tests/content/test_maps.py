"""The map of governorates (reportlib.content.maps): drawn from the shipped boundaries, shaded
by incidents reported in a governorate alone, shared totals hatched and never split, places
inferred marked as such, every governorate labelled, the attribution printed."""

from __future__ import annotations

from importlib import resources

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import PathPatch

import reportlib
from reportlib.content import maps
from reportlib.inputs import reference
from reportlib.reports.weekly import Report

from ..conftest import DATA
from .test_figures import frame

ROWS = frame(
    ("2020-11-24", "", "IED", "Baghdad", 4, 5, False, 7, "victims", ""),
    ("2020-11-25", "", "IED", "Basra", 1, 0, False, 0, "victims", ""),
    # A total the source gives for Diyala and Kirkuk together.
    ("2020-11-21", "2020-12-03", "militant attack", "Diyala;Kirkuk", 13, 4, True, 27, "victims", ""),
    # Makhmour, placed in Erbil by inference.
    ("2020-11-20", "2020-11-30", "airstrike", "Erbil", 2, 20, True, None, "militants", "admin1"),
)


def patches(chart) -> dict[str, list[PathPatch]]:
    """The map's patches by what they mark: fill, hatching, dashed outline."""
    ax = chart.figure.axes[0]
    found = {"fill": [], "hatch": [], "outline": []}
    for patch in (a for a in ax.get_children() if isinstance(a, PathPatch)):
        if patch.get_hatch():
            found["hatch"].append(patch)
        elif patch.get_facecolor()[3] == 0:
            found["outline"].append(patch)
        else:
            found["fill"].append(patch)
    return found


def at(patch_list, name):
    """The patches among `patch_list` that draw the governorate `name`."""
    outline = maps.boundaries()[name].rings[0]
    return [p for p in patch_list if tuple(map(tuple, p.get_path().vertices[:3])) == outline[:3]]


def test_the_boundaries_are_the_18_governorates_by_pcode():
    places = maps.boundaries()
    assert list(places) == list(reference.governorates())
    assert len(places) == 18
    # The boundary file spells it "Salah al-Din"; the report's name comes from the P-code.
    assert places["Salah ad-Din"].pcode == "IQG16"
    for place in places.values():
        lon, lat = place.centre
        assert 38.7 < lon < 48.7 and 29 < lat < 37.4, place.name


def test_every_governorate_is_drawn_and_labelled_legibly():
    chart = maps.governorate_map(ROWS)
    drawn = patches(chart)
    assert len(drawn["fill"]) == 18
    labels = {t.get_text().split("\n")[0]: t for t in chart.figure.axes[0].texts}
    assert set(labels) == set(reference.governorates())
    # The map prints at least at the size it is drawn (report.css widens it to the text width):
    # seven points is legible.
    assert min(t.get_fontsize() for t in labels.values()) >= 7
    assert chart.figure.get_size_inches()[0] * 72 == 360


def test_shading_is_by_incidents_in_the_governorate_alone():
    chart = maps.governorate_map(ROWS)
    fills = patches(chart)["fill"]
    colour = {name: to_hex(at(fills, name)[0].get_facecolor()) for name in reference.governorates()}
    assert colour["Baghdad"] != colour["Basra"] != maps.NONE  # 4 and 1
    # Diyala and Kirkuk share a total of 13: neither is shaded as if it had them.
    assert colour["Diyala"] == colour["Kirkuk"] == colour["Anbar"] == maps.NONE
    # Erbil's incidents were placed there by inference: they do not shade it.
    assert colour["Erbil"] == maps.NONE
    labels = {t.get_text() for t in chart.figure.axes[0].texts}
    assert "Baghdad\n4" in labels and "Basra\n1" in labels and "Kirkuk" in labels


def test_shared_totals_are_hatched_and_inferred_places_outlined():
    chart = maps.governorate_map(ROWS)
    drawn = patches(chart)
    hatched = {name for name in reference.governorates() if at(drawn["hatch"], name)}
    outlined = {name for name in reference.governorates() if at(drawn["outline"], name)}
    assert hatched == {"Diyala", "Kirkuk"}
    assert outlined == {"Erbil"}
    assert "Erbil\ninferred" in {t.get_text() for t in chart.figure.axes[0].texts}
    legend = [t.get_text() for legend in chart.figure.legends for t in legend.get_texts()]
    assert "Named in a total shared with other governorates (not split)" in legend
    assert "Placed there by inference, not named by the source" in legend
    assert "never split" in chart.caption and "inference" in chart.caption
    assert "Erbil: 0 incidents alone; placed by inference." in chart.alt


def test_without_inference_nothing_is_marked_inferred():
    chart = maps.governorate_map(ROWS.drop(columns=["inferred"]))
    assert not patches(chart)["outline"]
    assert "inference" not in chart.caption


@pytest.mark.parametrize(("high", "expected"), [
    (1, [(1, 1)]),
    (4, [(1, 1), (2, 2), (3, 3), (4, 4)]),
    (34, [(1, 2), (3, 5), (6, 10), (11, 20), (21, 34)]),
    (700, [(1, 50), (51, 100), (101, 200), (201, 500), (501, 700)]),
])
def test_shading_classes_are_round_and_cover_the_highest_count(high, expected):
    assert maps.classes(high) == expected


def test_the_attribution_is_the_licences_and_is_printed_under_the_map():
    readme = resources.files("reportlib.inputs").joinpath("reference", "README.md").read_text(encoding="utf-8")
    quoted = " ".join(line.lstrip("> ").strip() for line in readme.splitlines() if line.startswith("> "))
    assert quoted == maps.ATTRIBUTION
    data = reportlib.load(DATA)
    html = Report(data.select(data.latest_period())).governorate_map().html
    image, credit, caption = html.index("<img"), html.index(maps.ATTRIBUTION[:40]), html.index("<figcaption>")
    assert image < credit < caption
    assert 'class="chart map"' in html
