"""The page carries its fonts (reportlib.render.webfonts): on a machine without Noto, the page
and its charts render as on one with the report's fonts installed.

Two headless Chromiums open the same report.html: one whose fontconfig has the fonts of
reportlib/fonts installed, one whose fontconfig has the machine's fonts with every Noto face
refused. Each chart (an SVG image, which sees no font but its own) must give the same pixels
in both, text on the page the same boxes, and document.fonts must report the embedded
faces loaded. The same page with its fonts taken out must differ, or the test proves nothing.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import pytest

from reportlib.render import webfonts

from ..conftest import DATA, assert_no_traceback, run_cli
from .test_browser import CHROMEDRIVER, CHROMIUM

FONTS = Path(webfonts.fonts_dir())
MEASURED = ["h1.title", ".kicker", ".period", ".key-figures .figure-box .value", ".key-figures .figure-box .label",
            "nav.toc", "p.headline", "table caption", "figcaption", ".place [lang=ar]"]


def test_fonts_are_subset_woff2_data_urls_and_the_printer_drops_them():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text style="font: 8px '
           "'Noto Sans'\">≥12 killed</text></svg>")
    with_fonts = webfonts.svg_with_fonts(svg)
    faces = re.findall(r"@font-face \{([^}]*)\}", with_fonts)
    assert len(faces) == 2  # Noto Sans, and DejaVu Sans for ≥ (under Noto Sans's name)
    assert all('font-family: "Noto Sans"' in face and "data:font/woff;base64," in face for face in faces)
    assert "unicode-range: U+2265" in faces[1]
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", faces[0]).group(1))
    assert data[:4] == b"wOFF" and len(data) < 10_000  # a cut-down face, not the 500 kB file
    assert webfonts.svg_with_fonts(svg) == with_fonts  # the same page, the same bytes

    chart = base64.b64encode(svg.encode()).decode()
    page = ('<html><head><style>\nbody {}\n</style></head><body><p>Hello</p>'
            f'<img src="data:image/svg+xml;base64,{chart}" alt="x"></body></html>')
    embedded = webfonts.embed(page)
    assert f'<style id="{webfonts.STYLE_ID}">' in embedded and 'font-family: "Noto Serif"' in embedded
    assert chart not in embedded  # the chart carries its fonts too
    # What the printer gets is the page as it was: WeasyPrint would add a chart's cut-down
    # faces to every page it prints after.
    assert webfonts.without_page_fonts(embedded) == page


def _fontconfig(folder: Path, with_report_fonts: bool) -> dict:
    """A fontconfig of the machine's fonts, with the report's added, or every Noto refused."""
    folder.mkdir(parents=True)
    extra = (f"<dir>{FONTS}</dir>" if with_report_fonts else
             "<selectfont><rejectfont><glob>*Noto*</glob><glob>*noto*</glob></rejectfont></selectfont>")
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{extra}<cachedir>{folder / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(folder / "fonts.conf"), "HOME": str(folder)}


def _chromium(profile: Path, env: dict):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                 "--force-device-scale-factor=1", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--font-render-hinting=none", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER), env={**os.environ, **env}))


def _look(driver, page: Path) -> dict:
    """What the page shows: each chart's pixels, the boxes of text elements, the faces loaded."""
    driver.set_window_size(1280, 900)
    driver.get(page.as_uri())
    driver.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done());")
    charts = [img.screenshot_as_png for img in driver.find_elements("css selector", "figure.chart img")]
    boxes = driver.execute_script(
        "return arguments[0].map(s => Array.from(document.querySelectorAll(s), e => {"
        " const r = e.getBoundingClientRect(); return [s, Math.round(r.width * 10), Math.round(r.height * 10)]; }));",
        MEASURED)
    loaded = driver.execute_script(
        "return Array.from(document.fonts).filter(f => f.status === 'loaded')"
        ".map(f => [f.family.replace(/\"/g, ''), f.weight, f.style]);")
    return {"charts": charts, "boxes": boxes, "loaded": sorted(map(tuple, loaded))}


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (`make browser-deps` installs both)")
    tmp = tmp_path_factory.mktemp("webfonts")
    result = run_cli("build", "--data", DATA, "--out", tmp / "outputs")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    page = tmp / "outputs" / "2020-12-03" / "report.html"
    # The control: the same page with every font it carries taken out.
    bare = tmp / "bare.html"
    text = webfonts.without_page_fonts(page.read_text(encoding="utf-8"))
    charts = [base64.b64decode(svg).decode() for svg in re.findall(r"data:image/svg\+xml;base64,([^\"]+)", text)]
    assert charts and not any("@font-face" in chart for chart in charts) and "@font-face {" not in text
    bare.write_text(text, encoding="utf-8")
    out = {}
    for name, installed in (("installed", True), ("missing", False)):
        env = _fontconfig(tmp / f"fc-{name}", installed)
        driver = _chromium(tmp / f"profile-{name}", env)
        try:
            out[name] = _look(driver, page)
            out[f"{name}-bare"] = _look(driver, bare)
        finally:
            driver.quit()
            shutil.rmtree(tmp / f"profile-{name}", ignore_errors=True)
    return out



@pytest.mark.browser
def test_charts_render_the_same_without_the_report_s_fonts(seen):
    installed, missing = seen["installed"], seen["missing"]
    assert len(installed["charts"]) >= 4
    assert missing["charts"] == installed["charts"]
    # The control: without the page's fonts, the machine without Noto draws the charts otherwise.
    assert seen["missing-bare"]["charts"] != seen["installed-bare"]["charts"]


@pytest.mark.browser
def test_text_takes_the_same_room_without_the_report_s_fonts(seen):
    installed, missing = seen["installed"], seen["missing"]
    assert all(installed["boxes"]), installed["boxes"]
    assert missing["boxes"] == installed["boxes"]
    assert seen["missing-bare"]["boxes"] != seen["installed-bare"]["boxes"]


@pytest.mark.browser
def test_the_embedded_faces_are_what_the_page_loads(seen):
    loaded = seen["missing"]["loaded"]
    families = {family for family, _, _ in loaded}
    assert {"Noto Serif", "Noto Sans", "Noto Naskh Arabic"} <= families, loaded
    assert ("Noto Sans", "700", "normal") in loaded and ("Noto Serif", "400", "normal") in loaded
    # Without the page's fonts, the machine without Noto has none of them to load.
    assert not seen["missing-bare"]["loaded"]
