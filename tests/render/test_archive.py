"""The archive page and the links between issues, from three synthetic weeks built by the
real CLI: outputs/index.html lists what is there, newest first, and each report links to the
issues either side of it."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from reportlib.render import archive

from ..conftest import assert_no_traceback, run_cli

pytestmark = pytest.mark.slow

WEEKS = ["2021-12-30", "2021-12-23", "2021-12-16"]  # newest first


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("archive")
    assert run_cli("demo-data", "--weeks", "3", "--data", tmp / "demo").returncode == 0
    result = run_cli("build", "--data", tmp / "demo", "--out", tmp / "outputs",
                     "--from", "2021-01-01", "--to", "2021-12-31", "--jobs", "2")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert f"archive: {tmp / 'outputs' / 'index.html'}" in result.stderr
    return tmp / "outputs"


@pytest.fixture
def copy(out, tmp_path) -> Path:
    """A writable copy of the built outputs, for changing what the archive reads."""
    target = tmp_path / "outputs"
    shutil.copytree(out, target)
    return target


def entries(page: str) -> dict[str, str]:
    """Each report's entry on the page, by folder, in page order."""
    return dict(re.findall(r'<article class="archive-entry"><h3 id="([^"]+)">(.*?)</article>', page, re.S))


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def summary(out: Path, week: str) -> dict:
    return json.loads((out / week / "manifest.json").read_text(encoding="utf-8"))["summary"]


def test_index_lists_every_report_newest_first(out):
    page = (out / "index.html").read_text(encoding="utf-8")
    assert list(entries(page)) == WEEKS
    for week in WEEKS:
        assert html.escape(summary(out, week)["period"]) in entries(page)[week]
    assert "3 reports, newest first." in page


def test_each_entry_shows_its_key_figures_with_minimums_marked(out):
    found = entries((out / "index.html").read_text(encoding="utf-8"))
    minimums = 0
    for week in WEEKS:
        pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found[week])
        shown = {plain(label): plain(value) for label, value in pairs}
        figures = summary(out, week)["key_figures"]
        assert len(figures) >= 3
        expected = {f["label"]: ("≥" if f["minimum"] else "") + f"{int(f['value']):,}" for f in figures}
        assert shown == expected, week
        minimums += sum(f["minimum"] for f in figures)
    assert minimums, "the synthetic data has 'at least' figures, so the ≥ mark is exercised"


def test_links_resolve_to_the_files_and_only_to_files_that_exist(out, copy):
    page = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)"', page)
    assert sorted(links) == sorted(f"{w}/{name}" for w in WEEKS for name in ("report.html", "report.pdf"))
    for link in links:
        assert (out / link).is_file(), link

    (copy / WEEKS[1] / "report.pdf").unlink()
    archive.write_index(copy)
    changed = (copy / "index.html").read_text(encoding="utf-8")
    assert f"{WEEKS[1]}/report.html" in changed
    assert f"{WEEKS[1]}/report.pdf" not in changed
    assert f"{WEEKS[0]}/report.pdf" in changed


def test_trend_chart_is_an_embedded_image_with_alt_text(out):
    page = (out / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)">', page)
    assert len(images) == 1
    data, alt = images[0]
    assert "incidents per report period" in alt
    svg = base64.b64decode(data).decode("utf-8")
    for label in ("Dec 16", "Dec 23", "Dec 30", "Incidents", "Killed"):
        assert label in svg, label
    assert ('<figcaption><span class="figure-number">Figure 1:</span> Incidents and people killed in each '
            "report period") in page


def test_synthetic_reports_get_the_banner_and_real_ones_do_not(out, copy):
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="synthetic-banner"' in page
    assert all("Synthetic data" in entry for entry in entries(page).values())

    for week in WEEKS:
        path = copy / week / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["summary"]["synthetic"] = False
        path.write_text(json.dumps(manifest), encoding="utf-8")
    archive.write_index(copy)
    real = (copy / "index.html").read_text(encoding="utf-8")
    assert "synthetic-banner\"" not in real and "Synthetic data" not in real


def test_page_is_self_contained_escaped_and_reproducible(out, copy):
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert re.search(r'<meta name="viewport" content="width=device-width', page)
    assert "--accent" in page  # the reports' own style sheet

    archive.write_index(copy)
    assert (copy / "index.html").read_bytes() == (out / "index.html").read_bytes()
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask

    path = copy / WEEKS[0] / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["summary"]["period"] = '<script>alert("x")</script>'
    path.write_text(json.dumps(manifest), encoding="utf-8")
    (copy / "broken").mkdir()
    (copy / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    archive.write_index(copy)
    hostile = (copy / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in hostile
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in hostile  # markupsafe escapes " as &#34;
    assert list(entries(hostile)) == WEEKS


@pytest.mark.parametrize("week, before, after", [
    (WEEKS[2], None, WEEKS[1]),
    (WEEKS[1], WEEKS[2], WEEKS[0]),
    (WEEKS[0], WEEKS[1], None),
])
def test_each_report_links_to_the_issues_either_side(out, week, before, after):
    page = (out / week / "report.html").read_text(encoding="utf-8")
    tags = re.findall(r'<a [^>]*rel="(?:prev|next)"[^>]*>', page)
    links = {re.search(r'rel="(\w+)"', tag).group(1): re.search(r'href="([^"]+)"', tag).group(1) for tag in tags}
    expected = {rel: f"../{target}/report.html" for rel, target in (("prev", before), ("next", after)) if target}
    assert links == expected
    for href in links.values():
        assert (out / week / href).resolve().is_file(), href
