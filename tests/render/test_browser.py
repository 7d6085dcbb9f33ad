"""The HTML as a reader opens it: report.html and index.html in headless Chromium, from the
files the real CLI wrote. A page fails on a console error, an image that did not load, a
request for anything but the file itself and its embedded data, or a layout wider than a
phone. CI installs Chromium and its driver (`make browser-deps`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import DATA, assert_no_traceback, run_cli

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGES = ["2020-12-03/report.html", "index.html"]
PHONE = (390, 844)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """The shipped period and two synthetic weeks built into one folder, so index.html lists
    real and synthetic reports together."""
    tmp = tmp_path_factory.mktemp("browser")
    out = tmp / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    demo = tmp / "demo"
    assert run_cli("demo-data", "--weeks", "2", "--data", demo).returncode == 0
    result = run_cli("build", "--data", demo, "--out", out, "--from", "2021-01-01", "--to", "2021-12-31",
                     "--jobs", "2")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*/report.html"))) == 3
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (`make browser-deps` installs both)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # A driver path in Service keeps Selenium Manager from looking for (or downloading) one.
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, url: str, size: tuple[int, int]) -> tuple[list[dict], list[str]]:
    """Load url at a window size; return its console messages and the URLs it requested."""
    driver.set_window_size(*size)
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")  # what the browser loaded before, not the page
    driver.get(url)
    console = driver.get_log("browser")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return console, requests


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("size", [(1280, 900), PHONE], ids=["desktop", "phone"])
def test_page_opens_cleanly_from_the_file(browser, outputs, page, size, tmp_path):
    url = (outputs / page).as_uri()
    console, requests = open_page(browser, url, size)

    shot = tmp_path / f"{page.replace('/', '-')}-{size[0]}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 5_000

    # The page's Content-Security-Policy is in force, and nothing the page needs breaks it:
    # a refused style, image or font is a console error.
    policy = browser.execute_script(
        "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;")
    assert policy.startswith("default-src 'none';")
    errors = [m for m in console if m["level"] == "SEVERE"]
    assert not errors, errors
    assert not [m for m in console if "Content Security Policy" in m["message"]]

    images = browser.execute_script(
        "return Array.from(document.images, i => [i.alt, i.complete, i.naturalWidth]);")
    assert images, "every page shows at least one chart"
    broken = [alt for alt, complete, width in images if not complete or width == 0]
    assert not broken, broken

    assert url in requests
    leaving = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not leaving, leaving

    # Nothing but a table (which scrolls in its own box) may be wider than the window.
    page_width, window_width = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];")
    assert page_width <= window_width, (page_width, window_width)


def test_arabic_names_are_laid_out_right_to_left(browser, outputs):
    open_page(browser, (outputs / PAGES[0]).as_uri(), (1280, 900))
    names = browser.execute_script(
        'return Array.from(document.querySelectorAll(".place [lang=ar]"),'
        " e => [e.textContent, getComputedStyle(e).direction, e.getBoundingClientRect().width]);")
    assert names
    for name, direction, width in names:
        assert direction == "rtl", name
        assert width > 0, name


def test_index_links_open_the_reports(browser, outputs):
    open_page(browser, (outputs / "index.html").as_uri(), (1280, 900))
    links = browser.execute_script("return Array.from(document.querySelectorAll('a'), a => a.href);")
    assert len(links) == 6  # three reports, each page and PDF
    for link in links:
        assert link.startswith("file:")
    first = browser.execute_script("return document.querySelector('a[href$=\"report.html\"]').href;")
    console, _ = open_page(browser, first, (1280, 900))
    assert browser.title.startswith("Synthetic Security and Humanitarian Monitor")
    assert not [m for m in console if m["level"] == "SEVERE"]
