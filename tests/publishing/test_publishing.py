"""A week end to end through the real CLI: build the 2020-12-03 issue, publish it (the site,
the Atom feed, the HXL exports), refuse a silent change to it, correct it (the notice in the
report, the site and the feed; the earlier version kept), and mail the correction to a local
SMTP server through a refused recipient, a dropped connection and a re-run."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from ..conftest import DATA, NOTEBOOK, assert_no_traceback, pdf_text, run_cli
from .smtpserver import PASSWORD, TestServer

pytestmark = pytest.mark.slow

ISSUE = "2020-12-03"
STEM = "ishm-2020-12-03"
ATOM = "{http://www.w3.org/2005/Atom}"
ROW_04 = ("ISHM-20201203-04,2020-11-22,2020-12-02,assassination attempt,Diwaniyah;Baghdad;Maysan,,gunmen,"
          "activists known for criticizing armed groups,4,1,false,1,")
NOTE = "One of the activists attacked in Diwaniyah died of his injuries; two were killed, not one."


def cli(*args, **kwargs):
    result = run_cli(*args, **kwargs)
    assert_no_traceback(result)
    return result


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class World:
    def __init__(self, root: Path):
        self.root, self.data, self.out, self.site = root, root / "data", root / "outputs", root / "site"

    def run(self, command: str, *args: str, **kwargs):
        common = ["--data", self.data]
        if command in ("build", "publish", "correct"):
            common += ["--out", self.out]
        if command in ("publish", "correct"):
            common += ["--site", self.site]
        return cli(command, *args, *common, **kwargs)

    def copy(self, target: Path) -> World:
        shutil.copytree(self.root, target)
        return World(target)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> World:
    world = World(tmp_path_factory.mktemp("publishing"))
    shutil.copytree(DATA, world.data)

    unbuilt = world.run("publish", "--period-end", ISSUE)
    assert unbuilt.returncode == 2 and f"{ISSUE} is not built" in unbuilt.stderr

    # An ad-hoc span ending on the issue's day is built apart (outputs/ad-hoc/): the issue is
    # still not built, so still not published.
    assert world.run("build", "--start", "2020-11-26", "--end", ISSUE).returncode == 0
    ad_hoc = world.run("publish", "--period-end", ISSUE)
    assert ad_hoc.returncode == 2 and f"{ISSUE} is not built" in ad_hoc.stderr
    undeclared = world.run("publish", "--period-end", "2020-12-05")
    assert undeclared.returncode == 2 and "only declared issues are published" in undeclared.stderr

    built = world.run("build", "--period-end", ISSUE)
    assert built.returncode == 0, built.stderr
    sources = world.data / "sources.csv"
    original = sources.read_bytes()
    sources.write_bytes(original.replace(b"Key Takeaways", b"The Key Takeaways"))
    stale = world.run("publish", "--period-end", ISSUE)
    assert stale.returncode == 2 and "is not up to date" in stale.stderr
    sources.write_bytes(original)

    result = world.run("publish", "--period-end", ISSUE, "--date", "2020-12-04")
    assert result.returncode == 0, result.stderr
    assert (f"{ISSUE}: published version 1 (the issue of 2020-12-03), added to the archive on 2020-12-04"
            in result.stdout)
    return world


def test_the_published_files_are_the_built_ones_under_dated_names(published):
    build, issue = published.out / ISSUE, published.site / ISSUE
    assert (issue / f"{STEM}.pdf").read_bytes() == (build / "report.pdf").read_bytes()
    assert (issue / f"{STEM}.html").read_bytes() == (build / "report.html").read_bytes()
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    record = json.loads((published.data / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))
    (version,) = record["versions"]
    assert (version["number"], version["status"], version["date"]) == (1, "published", "2020-12-04")
    assert version["files"]["pdf"]["sha256"] == manifest["outputs"]["report.pdf"]["sha256"]
    assert version["build_key"] == manifest["key"]
    assert version["key_figures"] == manifest["summary"]["key_figures"]
    assert "Key figures" in pdf_text(issue / f"{STEM}.pdf")


def test_the_feed_and_the_exports(published):
    root = ET.parse(published.site / "feed.xml").getroot()
    (entry,) = root.findall(f"{ATOM}entry")
    enclosure = next(link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure")
    assert enclosure.get("href") == f"{ISSUE}/{STEM}.pdf"
    assert int(enclosure.get("length")) == (published.site / ISSUE / f"{STEM}.pdf").stat().st_size
    with open(published.site / ISSUE / f"{STEM}-incidents.csv", encoding="utf-8") as stream:
        table = list(csv.reader(stream))
    assert table[1][:2] == ["#event+id", "#date"] and "#adm1+code" in table[1] and "#affected+killed" in table[1]
    assert sorted(r[0] for r in table[2:]) == [f"ISHM-20201203-0{n}" for n in range(1, 10)]


def test_publishing_again_changes_nothing_and_the_data_still_validates(published):
    before = digests(published.site)
    again = published.run("publish", "--period-end", ISSUE)
    assert again.returncode == 0
    assert "already published (version 1, added to the archive on 2020-12-04); nothing changed" in again.stdout
    assert digests(published.site) == before
    assert published.run("validate").returncode == 0


def test_an_issue_published_years_later_keeps_its_own_date(published, tmp_path):
    """The 2020 issue entered into the archive today, through the CLI with no --date: the
    message, the record, the pages and the feed keep 3 December 2020 as the issue's date and
    name today only as the day it was added."""
    world = published.copy(tmp_path / "world")
    shutil.rmtree(world.data / "publications")
    shutil.rmtree(world.site)
    today = dt.date.today()
    spoken = f"{today.day} {today:%B} {today.year}"
    result = world.run("publish", "--period-end", ISSUE)
    assert result.returncode == 0, result.stderr
    assert f"{ISSUE}: published version 1 (the issue of 2020-12-03), added to the archive on {today}" \
        in result.stdout
    assert f"published version 1 on {today}" not in result.stdout
    record = json.loads((world.data / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))
    assert (record["dated"], record["versions"][0]["date"]) == ("2020-12-03", today.isoformat())
    page = (world.site / ISSUE / "index.html").read_text(encoding="utf-8")
    assert f"Issue of 3 December 2020; added to the archive on {spoken}." in page
    (entry,) = ET.parse(world.site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}published").text == "2020-12-03T00:00:00+00:00"


def test_a_silent_change_is_refused_and_a_correction_shows_everywhere(published, tmp_path):
    world = published.copy(tmp_path / "world")
    site_before, build_before = digests(world.site), digests(world.out / ISSUE)
    first_pdf = (world.site / ISSUE / f"{STEM}.pdf").read_bytes()
    incidents = world.data / "incidents.csv"
    incidents.write_text(incidents.read_text(encoding="utf-8").replace(
        ROW_04, ROW_04.replace(",4,1,false,1,", ",4,2,false,1,")), encoding="utf-8")
    # The event that states the row says so too: validation holds the two together.
    issue = world.data / "issues" / f"{ISSUE}.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "One of the activists was\n          killed and another",
        "Two of the activists were\n          killed and one other"), encoding="utf-8")

    refused = world.run("build", "--period-end", ISSUE)
    assert refused.returncode == 2
    assert "incident ISHM-20201203-04 changed: fatalities 1 → 2" in refused.stderr
    assert "key figure: People killed in attacks and violence at protests ≥20 → ≥21" in refused.stderr
    republish = world.run("publish", "--period-end", ISSUE)
    assert republish.returncode == 2 and "To publish the change, issue a correction" in republish.stderr
    assert digests(world.site) == site_before and digests(world.out / ISSUE) == build_before

    corrected = world.run("correct", "--period-end", ISSUE, "--note", NOTE, "--date", "2020-12-10")
    assert corrected.returncode == 0, corrected.stderr
    assert "published version 2, corrected on 2020-12-10" in corrected.stdout
    notice = (f"Corrected on 10 December 2020: {NOTE} Changed since the version of 4 December 2020: "
              "People killed in attacks and violence at protests ≥20 → ≥21; 1 incident row changed; the narrative.")
    site_issue = world.site / ISSUE
    assert notice in pdf_text(world.out / ISSUE / "report.pdf")
    assert notice in pdf_text(site_issue / f"{STEM}.pdf")
    assert "Corrected on" not in pdf_text(site_issue / f"{STEM}-v1.pdf")
    assert (site_issue / f"{STEM}-v1.pdf").read_bytes() == first_pdf
    page = (site_issue / "index.html").read_text(encoding="utf-8")
    for href in (f"{STEM}.pdf", f"{STEM}-v1.pdf", f"{STEM}.html", f"{STEM}-v1.html"):
        assert f'href="{href}"' in page, href
    assert "Corrected on 10 December 2020 (current)" in page
    assert "Added to the archive on 4 December 2020 (superseded)" in page
    assert "Corrected on 10 December 2020" in (world.site / "index.html").read_text(encoding="utf-8")

    entries = ET.parse(world.site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text.split(":")[0] for e in entries] == [
        "Correction", "Iraq Security and Humanitarian Monitor"]
    assert NOTE in entries[0].find(f"{ATOM}summary").text
    assert entries[1].find(f"{ATOM}updated").text == "2020-12-10T00:00:00+00:00"

    record = json.loads((world.data / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))
    assert [(v["number"], v["status"], v["date"], v["note"]) for v in record["versions"]] == [
        (1, "published", "2020-12-04", None), (2, "published", "2020-12-10", NOTE)]
    assert record["versions"][1]["changes"] == ["People killed in attacks and violence at protests ≥20 → ≥21",
                                                "1 incident row changed", "the narrative"]

    assert "up to date" in world.run("build", "--period-end", ISSUE).stdout
    before = digests(world.site)
    shutil.rmtree(world.site)
    assert world.run("publish", "--rebuild-site").returncode == 0
    assert digests(world.site) == before

    mail_the_correction(world, tmp_path)


def test_a_changed_notebook_is_a_correction_like_a_change_of_data(published, tmp_path):
    """The notebook of a published issue is changed (a cell dropped), its data not: the build
    says the report now differs from the published one and why; `publish` does not call that
    "nothing changed", nor replace the published files; `correct` publishes it as version 2
    with its note and what changed; a notebook that changes nothing is nothing to correct."""
    world = published.copy(tmp_path / "world")
    first_pdf = (world.site / ISSUE / f"{STEM}.pdf").read_bytes()
    notebook = tmp_path / "notebooks" / "weekly_report.ipynb"
    notebook.parent.mkdir()
    shutil.copyfile(NOTEBOOK, notebook)
    given = ("--notebook", str(notebook))

    # A copy of the notebook with the same cells is the published report, byte for byte.
    same = world.run("correct", "--period-end", ISSUE, "--note", NOTE, *given)
    assert same.returncode == 2 and "nothing to correct" in same.stderr, same.stderr

    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "report.governorate_map()" not in c.source]
    nbformat.write(nb, notebook)
    built = world.run("build", "--period-end", ISSUE, *given)
    assert built.returncode == 0, built.stderr
    assert (f"{ISSUE}: the report built now differs from version 1 of the issue, added to the archive on "
            "2020-12-04, though the data it reads is as published: the report's notebook changed "
            "(weekly_report.ipynb).") in built.stderr
    assert f'reportlib correct --period-end {ISSUE} --note "what changed and why"' in built.stderr

    site_before = digests(world.site)
    republish = world.run("publish", "--period-end", ISSUE, *given)
    assert republish.returncode == 2, republish.stdout
    assert "differs from version 1 of the issue" in republish.stderr and "nothing changed" not in republish.stdout
    assert digests(world.site) == site_before

    note = "The map of governorates is left out: it placed a total over several governorates in one."
    corrected = world.run("correct", "--period-end", ISSUE, "--note", note, "--date", "2020-12-11", *given)
    assert corrected.returncode == 0, corrected.stderr
    assert "published version 2, corrected on 2020-12-11" in corrected.stdout
    assert "changed: the report's notebook changed (weekly_report.ipynb)" in corrected.stdout
    record = json.loads((world.data / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))
    assert record["versions"][1]["changes"] == ["the report's notebook changed (weekly_report.ipynb)"]
    assert record["versions"][1]["build_inputs"]["notebook"]["sha256"] != \
        record["versions"][0]["build_inputs"]["notebook"]["sha256"]
    current = world.site / ISSUE / f"{STEM}.pdf"
    assert current.read_bytes() != first_pdf
    assert (world.site / ISSUE / f"{STEM}-v1.pdf").read_bytes() == first_pdf
    assert f"Corrected on 11 December 2020: {note}" in pdf_text(current)
    assert "the report's notebook changed" in pdf_text(current)


def mail_the_correction(world: World, tmp_path: Path) -> None:
    (tmp_path / "smtp").mkdir()
    with TestServer(tmp_path / "smtp") as server:
        with open(world.data / "monitor.yaml", "a", encoding="utf-8") as stream:
            stream.write(server.settings())
        (world.data / "recipients.csv").write_text(
            "address,name\nann@example.org,Ann\nbob@example.org,Bob\ncem@example.org,Cem\n", encoding="utf-8")
        server.behaviour.refuse.add("bob@example.org")
        server.behaviour.busy.add("cem@example.org")
        env = {"REPORTLIB_SMTP_PASSWORD": PASSWORD}
        first = world.run("send", "--period-end", ISSUE, env=env)
        assert first.returncode == 1
        assert "1 delivered now, 0 had it already, 2 failed, 0 unknown" in first.stdout
        server.behaviour.refuse.clear()
        server.behaviour.busy.clear()
        second = world.run("send", "--period-end", ISSUE, env=env)
        assert second.returncode == 0 and "2 delivered now, 1 had it already, 0 failed" in second.stdout
        pdf = (world.site / ISSUE / f"{STEM}.pdf").read_bytes()
        for address in ("ann@example.org", "bob@example.org", "cem@example.org"):
            (received,) = server.to(address)
            message = received.message
            # Nobody had version 1: to each of them, version 2 is the issue, its notice a line.
            assert message["Subject"] == "Iraq Security and Humanitarian Monitor: November 19 – December 3, 2020"
            attachment = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
            assert attachment.get_content() == pdf
            assert NOTE in next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
