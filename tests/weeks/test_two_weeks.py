"""Two further weeks after the shipped issue, with the commands an editor types, in a copy
of data/: the shipped issue published; the next week scaffolded and, while half filled,
blocking nothing else; filled (a boundary-day incident the new issue reports, a section left
out, an inferred date, a span, a row no event cites), validated, built with its review copy,
published, corrected and mailed (dry run), with its source's own figures of the boundary day;
then a backfilled week before the shipped one.
Each issue's key figures are asserted, the exports' columns, and that the published shipped
issue is unchanged, byte for byte. The weeks are synthetic (see tests/weeks/weeks.py)."""

from __future__ import annotations

import csv
import email
import hashlib
import io
import json
import shutil
from email.policy import default
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import DATA, assert_no_traceback, pdf_text, run_cli
from ..publishing.smtpserver import TestServer
from . import weeks

pytestmark = pytest.mark.slow

SHIPPED = "2020-12-03"
EXPORT_COLUMNS = ["event_id_cnty", "event_date", "end_date", "incident_type", "admin1", "fatalities", "wounded",
                  "source", "reference"]


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class Desk:
    """The editor's desk: a copy of data/, outputs/ and site/ under one folder."""

    def __init__(self, root: Path):
        self.data, self.out, self.site = root / "data", root / "outputs", root / "site"

    def run(self, command: str, *args: str, ok: bool = True):
        common = ["--data", self.data]
        if command in ("build", "publish", "correct"):
            common += ["--out", self.out]
        if command in ("publish", "correct"):
            common += ["--site", self.site]
        result = run_cli(command, *args, *common)
        assert_no_traceback(result)
        if ok:
            assert result.returncode == 0, (command, args, result.stdout, result.stderr)
        return result

    def figures(self, end: str) -> dict[str, tuple]:
        record = json.loads((self.data / "publications" / end / "record.json").read_text(encoding="utf-8"))
        latest = record["versions"][-1]
        return {f["name"]: (f["value"], f["minimum"]) for f in latest["key_figures"]
                if f["name"] in ("incidents", "killed", "wounded")}

    def export(self, end: str, kind: str = "incidents") -> list[dict[str, str]]:
        [path] = (self.site / end).glob(f"*-{kind}.csv")
        # The exports open with a byte-order mark (for spreadsheets); utf-8-sig reads past it.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        return list(csv.DictReader(io.StringIO("\n".join([lines[0], *lines[2:]]))))


@pytest.fixture
def desk(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    return Desk(tmp_path)


def test_two_weeks_after_the_shipped_issue(desk, tmp_path):
    (tmp_path / "smtp").mkdir()
    # The mail settings of a server (the dry run connects to none); mail keys are not content.
    with TestServer(tmp_path / "smtp") as server:
        settings = server.settings()
    with open(desk.data / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write(settings)
    (desk.data / "recipients.csv").write_text("address,name,format\nann@example.org,Ann Example,pdf\n",
                                              encoding="utf-8")
    desk.run("build", "--period-end", SHIPPED)
    desk.run("publish", "--period-end", SHIPPED, "--date", "2020-12-04")
    shipped_figures = {"incidents": (32, True), "killed": (20, True), "wounded": (138, True)}
    assert desk.figures(SHIPPED) == shipped_figures
    published = digests(desk.data / "publications" / SHIPPED), digests(desk.site / SHIPPED)

    # The next week, scaffolded and half filled, stops nothing else.
    assert "Created the files of the period 2020-12-03 to 2020-12-10" in desk.run(
        "new-period", "--end", weeks.WEEK2).stdout
    half = desk.run("validate", ok=False)
    assert half.returncode == 2
    assert "the other issues can be built as they are: reportlib build --period-end 2020-12-03" in half.stderr
    rebuilt = desk.run("build", "--period-end", SHIPPED)
    assert "the issue ending on 2020-12-10 has 33 problems in its own files" in rebuilt.stderr

    # Filled: a boundary-day IED the new issue reports, a span, a row no event cites whose date
    # is inferred; armed groups and humanitarian left out.
    weeks.fill_week2(desk.data, rows=[weeks.BOUNDARY, weeks.SPAN, dict(weeks.UNCITED, inferred="event_date")])
    # Its source's figures of the boundary day: a revised count of cases, and new cases (the
    # humanitarian section stays left out: they are its "before", nothing counts after it).
    weeks.write_readings(desk.data / "indicators" / f"{weeks.WEEK2}.csv", [weeks.REVISED, weeks.NEW_CASES])
    assert "OK: 2 periods" in desk.run("validate").stdout
    built = desk.run("build", "--period-end", weeks.WEEK2, "--review")
    folder = desk.out / weeks.WEEK2
    assert (folder / "review.html").is_file(), built.stderr
    review = (folder / "review.html").read_text(encoding="utf-8")
    assert "No event of the issue states this total: it is counted from the issue" in review
    outline = [o["/Title"] for o in PdfReader(folder / "report.pdf").outline if isinstance(o, dict)]
    assert outline == ["Key figures", "Politics and protests", "Security round-up", "Sources"]
    text = pdf_text(folder / "report.pdf")
    assert "Between December 4 – 10, six IEDs killed at least three Iraqis" in text
    assert "On December 3, an IED killed two Iraqis and wounded four in Ramadi." in text
    assert "§" in text and "a date inferred, not the source's statement" in text
    assert "This issue covers December 3 – 10, 2020. It shares December 3, 2020 with the previous issue" in " ".join(
        text.split())
    assert "Armed groups" not in text.split("Sources")[0]

    desk.run("publish", "--period-end", weeks.WEEK2, "--date", "2020-12-11")
    assert desk.figures(weeks.WEEK2) == {"incidents": (9, False), "killed": (5, True), "wounded": (12, True)}
    assert desk.figures(SHIPPED) == shipped_figures
    exported = desk.export(weeks.WEEK2)
    assert set(EXPORT_COLUMNS) <= set(exported[0])
    assert {r["event_id_cnty"] for r in exported} == {"SYN-20201210-01", "SYN-20201210-02", "SYN-20201210-03"}
    assert "SYN-20201210-01" not in {r["event_id_cnty"] for r in desk.export(SHIPPED)}
    boundary = {(r["indicator"], r["value"], r["reference"]) for r in desk.export(weeks.WEEK2, "indicators")
                if r["date"] == "2020-12-03"}
    assert {("covid_cases_total", "558900", weeks.WEEK2_REF), ("covid_new_cases", "2100", weeks.WEEK2_REF)} <= boundary
    assert ("covid_cases_total", "558767", "ishm-2020-12-03") not in boundary
    shipped_values = {(r["indicator"], r["date"], r["value"]) for r in desk.export(SHIPPED, "indicators")}
    assert ("covid_cases_total", "2020-12-03", "558767") in shipped_values
    assert not {r for r in shipped_values if r[0] == "covid_new_cases"}

    # A correction of the new week: the rocket attacks were three, not two.
    sheet = desk.data / "incidents" / f"{weeks.WEEK2}.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        "SYN-20201210-03,2020-12-08,,rocket attack,Baghdad,,,the airport,2,",
        "SYN-20201210-03,2020-12-08,,rocket attack,Baghdad,,,the airport,3,"), encoding="utf-8")
    desk.run("correct", "--period-end", weeks.WEEK2, "--note", "Three rocket attacks hit the airport, not two.")
    assert desk.figures(weeks.WEEK2)["incidents"] == (10, False)
    # The review copy asked for once is current after the correction's build.
    assert 'title="Incidents recorded: 10.' in (folder / "review.html").read_text(encoding="utf-8")

    eml = tmp_path / "eml"
    desk.run("send", "--period-end", weeks.WEEK2, "--dry-run", "--eml", str(eml))
    [message] = [email.message_from_bytes(p.read_bytes(), policy=default) for p in sorted(eml.glob("*.eml"))]
    assert "December 3 – 10, 2020" in message["Subject"] or "2020-12-10" in message["Subject"]

    # A week before the shipped one, entered last: its 19 November attack counts in it.
    created = desk.run("new-period", "--end", weeks.BACKFILL).stdout
    assert "Created the files of the period 2020-11-12 to 2020-11-19" in created
    for name in (f"incidents/{weeks.BACKFILL}.csv", f"indicators/{weeks.BACKFILL}.csv"):
        (desk.data / name).unlink()
    weeks.fill_backfill(desk.data)
    assert "OK: 3 periods" in desk.run("validate").stdout
    desk.run("build", "--period-end", weeks.BACKFILL)
    desk.run("publish", "--period-end", weeks.BACKFILL, "--date", "2020-12-12")
    assert desk.figures(weeks.BACKFILL) == {"incidents": (1, False), "killed": (1, False), "wounded": (3, False)}
    assert desk.figures(SHIPPED) == shipped_figures

    # The shipped issue as published, byte for byte.
    assert (digests(desk.data / "publications" / SHIPPED), digests(desk.site / SHIPPED)) == published
