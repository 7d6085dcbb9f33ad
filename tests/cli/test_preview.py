"""`reportlib preview` as an analyst runs it: the real command in a subprocess on a free port,
serving a copy of the shipped data; a sheet is edited and the page follows, a bad value shows
as a problem in the page's place, and the report's own file never gets the preview's script."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import DATA, ROOT

pytestmark = pytest.mark.slow

VERSION = re.compile(rb'<script src="/_preview/reload\.js" data-version="(\d+)"></script>')


class Preview:
    def __init__(self, data: Path, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reportlib", "preview", "--data", str(data), "--port", "0"], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)
        self.url = self._wait_for(rb"preview: (http://127\.0\.0\.1:\d+/)", 60).decode()

    def _wait_for(self, pattern: bytes, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log.read_bytes())
            if found:
                return found.group(1)
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in {seconds} s:\n{self.log.read_text()}")

    def get(self, path: str = "") -> tuple[int, bytes]:
        with urllib.request.urlopen(self.url + path, timeout=30) as answer:
            body = answer.read()
        found = VERSION.search(body)
        assert found, body[:500]
        return int(found.group(1)), body

    def wait_for_version(self, after: int, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            version, body = self.get()
            if version > after:
                return body
            time.sleep(0.05)
        raise AssertionError(f"the page did not change in {seconds} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def preview(tmp_path):
    data = tmp_path / "data"
    import shutil

    shutil.copytree(DATA, data)
    running = Preview(data, tmp_path / "preview.log")
    try:
        yield running, data
    finally:
        running.stop()


def _title(body: bytes) -> str:
    return re.search(rb"<title>([^<]*)</title>", body).group(1).decode()


def test_an_edited_sheet_shows_and_a_bad_value_shows_as_a_problem(preview):
    running, data = preview
    body = running.wait_for_version(0, 240)  # the first build
    assert _title(body).startswith("Iraq Security and Humanitarian Monitor"), body[:2000]
    assert b"3,576,592" in body and b"3,576,600" not in body
    # What the report file never has: the preview's copy has its script, and the server's
    # policy allows that script and nothing else.
    with urllib.request.urlopen(running.url, timeout=30) as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy

    # A number in a sheet, with the sentence that states it (validate checks they agree).
    version, _ = running.get()
    issue = data / "issues" / "2020-12-03.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("3,576,592", "3,576,600"), encoding="utf-8")
    sheet = data / "indicators.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",3576592,", ",3576600,"), encoding="utf-8")
    deadline = time.monotonic() + 120
    while True:
        version, body = running.get()
        if b"3,576,600" in body and b"3,576,592" not in body:
            break
        assert time.monotonic() < deadline, running.log.read_text()
        time.sleep(0.05)
    assert _title(body).startswith("Iraq Security and Humanitarian Monitor")

    # A value validate refuses: the problem, as validate words it, stands in the report's place.
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",3576600,", ",many,"), encoding="utf-8")
    body = running.wait_for_version(version, 60)
    assert _title(body).startswith("Preview: The data has"), body[:2000]
    assert b"indicators.csv:6" in body and b"many" in body
    assert b"3,576,600" not in body  # not the stale report

    # Fixed again, the report is back.
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",many,", ",3576600,"), encoding="utf-8")
    version, _ = running.get()
    body = running.wait_for_version(version, 120)
    assert b"3,576,600" in body


def test_the_reload_script_and_events_are_served_but_stay_out_of_the_report(preview, tmp_path):
    running, data = preview
    running.wait_for_version(0, 240)
    with urllib.request.urlopen(running.url + "_preview/reload.js", timeout=30) as answer:
        assert b"EventSource" in answer.read()
    with urllib.request.urlopen(running.url + "_preview/events", timeout=30) as answer:
        assert answer.headers["Content-Type"] == "text/event-stream"
        assert answer.readline().startswith(b"data: ")
    # The preview writes no report of its own into the data folder or outputs/.
    assert not list(data.rglob("report.html"))
    assert not (ROOT / "outputs" / ".preview").exists()


@pytest.mark.browser
def test_the_open_page_reloads_itself_in_a_browser(preview, tmp_path):
    """The served copy's script, under the server's policy, reloads the page Chromium shows."""
    from ..render.test_browser import CHROMEDRIVER, CHROMIUM

    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (`make browser-deps` installs both)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    running, data = preview
    running.wait_for_version(0, 240)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.get(running.url)
        assert "3,576,592" in driver.page_source
        sheet = data / "indicators.csv"
        sheet.write_text(sheet.read_text(encoding="utf-8").replace(",3576592,", ",many,"), encoding="utf-8")
        deadline = time.monotonic() + 60
        while not driver.title.startswith("Preview: The data has"):  # no driver.refresh(): the page did it
            assert time.monotonic() < deadline, driver.page_source[:2000]
            time.sleep(0.1)
        blocked = [m for m in driver.get_log("browser") if "Content Security Policy" in m["message"]]
        assert not blocked, blocked
    finally:
        driver.quit()
