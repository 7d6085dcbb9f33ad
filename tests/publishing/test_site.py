"""The archive site made from the publication records: pages, dated files, HXL exports, the
Atom feed (parsed as Atom), and the same bytes when it is made again from the records."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest

from reportlib.inputs import records
from reportlib.publishing.site import write_site

from ..conftest import assert_no_traceback, run_cli
from .standin import HTML, ISSUE, PDF, publish_stand_in

ATOM = "{http://www.w3.org/2005/Atom}"
STEM = "ishm-2020-12-03"


@pytest.fixture
def site(data_copy, tmp_path) -> Path:
    publish_stand_in(data_copy, tmp_path / "build")
    write_site(data_copy, tmp_path / "site")
    return tmp_path / "site"


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def links(page: Path) -> list[str]:
    return re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8"))


def test_the_site_holds_the_issue_under_dated_names(site):
    assert sorted(digests(site)) == sorted([
        "index.html", "feed.xml", f"{ISSUE}/index.html", f"{ISSUE}/report.html", f"{ISSUE}/{STEM}.pdf",
        f"{ISSUE}/{STEM}.html", f"{ISSUE}/{STEM}-incidents.csv", f"{ISSUE}/{STEM}-indicators.csv"])
    assert (site / ISSUE / f"{STEM}.pdf").read_bytes() == PDF
    assert (site / ISSUE / f"{STEM}.html").read_text(encoding="utf-8") == HTML
    assert (site / ISSUE / f"{STEM}-incidents.csv").read_text(encoding="utf-8").splitlines()[1].startswith(
        "#event+id,#date,")
    # A report links to its neighbours as ../<date>/report.html: on the site that leads to the report.
    assert f'url={STEM}.html"' in (site / ISSUE / "report.html").read_text(encoding="utf-8")


def test_every_link_of_every_page_resolves_and_nothing_is_fetched(site):
    for page in [site / "index.html", site / ISSUE / "index.html"]:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and not re.search(r'(src|href)="(https?:)?//', text)
        for href in links(page):
            assert (page.parent / unquote(href.split("#")[0])).is_file(), (page, href)


def test_the_index_and_issue_pages_show_the_key_figures(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "1 issue, newest first." in index
    entry = re.search(r'<article class="archive-entry"><h3 id="2020-12-03">(.*?)</article>', index, re.S).group(1)
    shown = {html.unescape(re.sub("<[^>]+>", "", k)): html.unescape(re.sub("<[^>]+>", "", v))
             for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", entry)}
    assert shown["People killed in attacks and violence at protests"] == "≥20" and shown["Incidents recorded"] == "≥32"
    assert shown["Militants killed in operations"] == "≥20"
    assert shown["New cases a day, 7-day average"] == "2,013"
    page = (site / ISSUE / "index.html").read_text(encoding="utf-8")
    assert "Added to the archive on 4 December 2020 (current)" in page
    assert "Issue of 3 December 2020; added to the archive on 4 December 2020." in page
    assert "Rockets Damage Refinery" in page
    assert '<link rel="alternate" type="application/atom+xml"' in index


def test_the_feed_is_atom_with_the_pdf_as_enclosure(site):
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text, name
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Iraq Security and Humanitarian Monitor"
    assert root.find(f"{ATOM}updated").text == "2020-12-04T00:00:00+00:00"
    assert {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")} == {
        "self": "feed.xml", "alternate": "index.html"}
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
    assert entry.find(f"{ATOM}title").text == "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020"
    assert entry.find(f"{ATOM}published").text == "2020-12-03T00:00:00+00:00"  # the issue's own date
    assert entry.find(f"{ATOM}updated").text == "2020-12-04T00:00:00+00:00"  # the day it reached the archive
    assert "People killed in attacks and violence at protests: ≥20" in entry.find(f"{ATOM}summary").text
    by_rel = {link.get("rel", "alternate"): link for link in entry.findall(f"{ATOM}link")}
    assert set(by_rel) == {"alternate", "enclosure"}
    assert by_rel["alternate"].get("href") == f"{ISSUE}/index.html"
    enclosure = by_rel["enclosure"]
    assert (enclosure.get("href"), enclosure.get("type"), enclosure.get("length")) == (
        f"{ISSUE}/{STEM}.pdf", "application/pdf", str(len(PDF)))
    assert (site / enclosure.get("href")).read_bytes() == PDF


def test_made_again_from_the_records_it_is_the_same_bytes_with_no_clock_time(site, data_copy):
    before = digests(site)
    shutil.rmtree(site)
    result = run_cli("publish", "--rebuild-site", "--data", data_copy, "--site", site)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert f"site: 8 files in {site}, from 1 publication record" in result.stdout
    assert digests(site) == before
    today = dt.date.today()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert today.isoformat() not in text and f"{today:%B} {today.year}" not in text, path


def test_a_kept_file_changed_after_publication_is_refused(site, data_copy):
    kept = data_copy / "publications" / ISSUE / "v1" / "report.pdf"
    kept.write_bytes(PDF + b"tampered")
    result = run_cli("publish", "--rebuild-site", "--data", data_copy, "--site", site)
    assert result.returncode == 2
    assert (f"data/publications/{ISSUE}/v1/report.pdf: differs from what version 1 of the issue {ISSUE} published"
            in result.stderr)
    assert (site / ISSUE / f"{STEM}.pdf").read_bytes() == PDF


def test_markup_in_a_record_is_refused_and_text_from_records_is_escaped_on_every_page(site, data_copy):
    record = records.read(data_copy, ISSUE)
    record.title = '<script>alert("x")</script> & Co'
    record.latest.headlines[0]["headline"] = "<img src=x onerror=alert(1)> *Emphasis*"
    records.write(data_copy, record)
    result = run_cli("publish", "--rebuild-site", "--data", data_copy, "--site", site)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    shown = f"data/publications/{ISSUE}/record.json"
    assert f"{shown}: key title: value '<script>" in result.stderr
    assert f"{shown}: key versions[0].headlines[0].headline: value '<img src=x" in result.stderr

    # What the rules let through is still escaped by the pages and the feed.
    record.title = "Q&A <3 \"monitor\""
    record.latest.headlines[0]["headline"] = "a <3 & c, *Emphasis*"
    records.write(data_copy, record)
    write_site(data_copy, site)
    for page in (site / "index.html", site / ISSUE / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "Q&amp;A &lt;3" in text and "Q&A <3" not in text
    assert "a &lt;3 &amp; c, <em>Emphasis</em>" in (site / ISSUE / "index.html").read_text(encoding="utf-8")
    assert ET.parse(site / "feed.xml").getroot().find(f"{ATOM}title").text.startswith("Q&A <3")


def test_every_page_tells_the_browser_it_runs_no_script(site):
    pages = [site / "index.html", site / ISSUE / "index.html", site / ISSUE / "report.html"]
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head) == [
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
            "form-action 'none'"], page


def test_publishing_without_a_base_url_warns_that_the_feed_links_are_relative(data_copy, tmp_path):
    publish_stand_in(data_copy, tmp_path / "build")
    site = tmp_path / "site"
    warning = "warning: publish.base_url is not set in monitor.yaml, so the links of feed.xml are relative"
    for command in (("publish", "--rebuild-site"), ("publish", "--period-end", ISSUE)):
        result = run_cli(*command, "--data", data_copy, "--site", site, "--out", tmp_path / "outputs")
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert warning in result.stdout
    feed = ET.parse(site / "feed.xml").getroot()
    assert {link.get("href") for link in feed.iter(f"{ATOM}link")} >= {"feed.xml", f"{ISSUE}/index.html"}

    text = (data_copy / "monitor.yaml").read_text(encoding="utf-8")
    (data_copy / "monitor.yaml").write_text(
        text.replace("  name: ishm-{end}\n", "  name: ishm-{end}\n  base_url: https://example.org/ishm\n"),
        encoding="utf-8")
    result = run_cli("publish", "--rebuild-site", "--data", data_copy, "--site", site)
    assert result.returncode == 0 and "warning" not in result.stdout + result.stderr
    feed = ET.parse(site / "feed.xml").getroot()
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert hrefs and all(href.startswith("https://example.org/ishm/") for href in hrefs), hrefs



def test_a_backfilled_issue_keeps_its_own_date_beside_the_day_it_was_added(data_copy, tmp_path):
    """The 2020 issue entered into the archive today: the record, the pages and the feed give
    the issue's date as 3 December 2020 and today only as the day it was added, each labelled."""
    today = dt.date.today()
    spoken = f"{today.day} {today:%B} {today.year}"
    publish_stand_in(data_copy, tmp_path / "build", day=today.isoformat())
    write_site(data_copy, tmp_path / "site")
    site = tmp_path / "site"

    record = json.loads((data_copy / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))
    assert record["dated"] == "2020-12-03" and record["versions"][0]["date"] == today.isoformat()
    assert records.read(data_copy, ISSUE).issue_date == "2020-12-03"

    page = (site / ISSUE / "index.html").read_text(encoding="utf-8")
    assert f"Issue of 3 December 2020; added to the archive on {spoken}." in page
    assert f"Added to the archive on {spoken} (current)" in page
    assert f"Published on {spoken}" not in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"Issue of 3 December 2020; added to the archive on {spoken}" in index

    (entry,) = ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}published").text == "2020-12-03T00:00:00+00:00"
    assert entry.find(f"{ATOM}updated").text == f"{today.isoformat()}T00:00:00+00:00"
    assert entry.find(f"{ATOM}summary").text.startswith(
        f"Issue of 3 December 2020; added to the archive on {spoken}. ")


def test_a_record_written_before_the_issue_date_was_kept_falls_back_to_the_period_end(site, data_copy):
    path = data_copy / "publications" / ISSUE / "record.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    del raw["dated"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert records.read(data_copy, ISSUE).issue_date == ISSUE
    write_site(data_copy, site)
    assert "Issue of 3 December 2020;" in (site / ISSUE / "index.html").read_text(encoding="utf-8")


def test_the_index_marks_the_weeks_with_no_issue(site, data_copy):
    """A later issue published after a fortnight with none: the index says so between the two
    entries; issues that meet at their boundary day leave no mark."""
    later = data_copy / "publications" / "2020-12-24"
    shutil.copytree(data_copy / "publications" / ISSUE, later)
    raw = json.loads((later / "record.json").read_text(encoding="utf-8"))
    raw.update(issue="2020-12-24", start="2020-12-17", end="2020-12-24", period="17 – 24 December 2020",
               dated="2020-12-24")
    (later / "record.json").write_text(json.dumps(raw), encoding="utf-8")
    write_site(data_copy, site)
    index = (site / "index.html").read_text(encoding="utf-8")
    gaps = re.findall(r'<p class="archive-gap">(.*?)</p>', index)
    assert gaps == ["No issue for December 3 – 17, 2020 (2 weeks)"]
    # Between the two entries, newest first.
    assert index.index('id="2020-12-24"') < index.index('class="archive-gap"') < index.index(f'id="{ISSUE}"')

    raw.update(issue="2020-12-10", start="2020-12-03", end="2020-12-10", period="3 – 10 December 2020")
    shutil.rmtree(later)
    shutil.copytree(data_copy / "publications" / ISSUE, data_copy / "publications" / "2020-12-10")
    (data_copy / "publications" / "2020-12-10" / "record.json").write_text(json.dumps(raw), encoding="utf-8")
    shutil.rmtree(site)
    write_site(data_copy, site)
    assert 'class="archive-gap"' not in (site / "index.html").read_text(encoding="utf-8")
