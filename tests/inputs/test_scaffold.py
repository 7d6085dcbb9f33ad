"""`reportlib new-period`: the week's files scaffolded from the monitor and the reference
tables, a fresh scaffold refused by `validate` with a line for everything left to fill, and
the filled-in week validated and built, all through the real CLI."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from reportlib.inputs import reference
from reportlib.inputs.scaffold import _csv
from reportlib.inputs.schema import INCIDENTS, INDICATORS

from ..conftest import DATA, assert_no_traceback, pdf_text, run_cli

END = "2020-12-10"
SECTIONS = ["politics", "armed_groups", "security", "humanitarian"]
HEADLINES = {
    "politics": "Parliament Debates The Election Budget",
    "armed_groups": "Militias Restate Their Truce Terms",
    "security": "IEDs Hit Convoys In Three Governorates",
    "humanitarian": "Two More Camps Close In Ninewa",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def new_period(data: Path, *args: str):
    result = run_cli("new-period", "--data", data, *args)
    assert_no_traceback(result)
    return result


@pytest.fixture
def scaffolded(data_copy):
    result = new_period(data_copy, "--period-end", END)
    assert result.returncode == 0, result.stderr
    return data_copy, result.stdout


def test_scaffold_creates_the_three_files(scaffolded):
    data, _ = scaffolded
    issue_text = (data / "issues" / f"{END}.yaml").read_text(encoding="utf-8")
    issue = yaml.load(issue_text, Loader=yaml.BaseLoader)  # dates stay text, as the loader reads them
    assert issue["period_start"] == "2020-12-03"  # the latest issue's end: Thursday to Thursday
    assert issue["period_end"] == END
    assert issue["reference"] == ""
    assert re.search(r"^reference: +# .*sources\.csv", issue_text, re.M)
    assert list(issue["sections"]) == SECTIONS
    for body in issue["sections"].values():
        assert body == {"headline": "", "events": []}
    # A commented example of an event under every section, dated inside the period.
    assert issue_text.count("#   - date: 2020-12-04") == len(SECTIONS)

    incidents = (data / "incidents" / f"{END}.csv").read_text(encoding="utf-8")
    assert incidents == ",".join(INCIDENTS.names) + "\n"

    rows = list(csv.DictReader(io.StringIO((data / "indicators" / f"{END}.csv").read_text(encoding="utf-8"))))
    assert list(rows[0]) == INDICATORS.names
    assert [r["indicator"] for r in rows] == list(reference.indicators())
    assert all(r["date"] == END and r["value"] == "" for r in rows)


def test_scaffold_says_what_to_fill_and_what_to_run(scaffolded):
    data, out = scaffolded
    for name in (f"issues/{END}.yaml", f"incidents/{END}.csv", f"indicators/{END}.csv"):
        assert str(data / name) in out
    assert "2020-12-03 to 2020-12-10" in out
    assert "the headline of every section (politics, armed_groups, security, humanitarian)" in out
    assert "events (date, text)" in out
    assert "one row per incident" in out
    assert "value, source and reference of each figure" in out and "delete the rows with no figure" in out
    assert f"{data / 'sources.csv'}: a row for the week's document" in out
    assert "write its reference in `reference:`" in out
    lines = out.splitlines()
    assert lines[-2].strip().startswith(f"reportlib validate --data {data}")
    assert lines[-1].strip() == f"reportlib build --period-end {END} --data {data}"


def test_a_fresh_scaffold_fails_validation_with_what_is_left_to_fill(scaffolded):
    data, _ = scaffolded
    result = run_cli("validate", "--data", data)
    assert_no_traceback(result)
    assert result.returncode == 2
    err = result.stderr
    issue = f"data/issues/{END}.yaml"
    for section in SECTIONS:
        assert re.search(rf"{issue}:\d+: key {section}\.headline: headline is empty; write the section's headline",
                         err), section
    assert re.search(rf"{issue}:9: key reference: reference is empty; add the issue's document to sources.csv",
                     err)
    assert (f"data/incidents/{END}.csv:2: has a header but no data rows; fill it in, or delete the file "
            "if there is nothing to report") in err
    for line in range(2, 2 + len(reference.indicators())):
        for column in ("value", "source", "reference"):
            assert f"data/indicators/{END}.csv:{line}: column {column}: a value is required" in err
    # The messages name what is empty; none quotes an empty or null value back.
    assert "value ''" not in err and "'None'" not in err
    problems = 4 + 1 + 1 + 3 * len(reference.indicators())
    assert f"{problems} problems found" in err


def fill(data: Path) -> None:
    """Fill the scaffold as an analyst would: edit the issue file in place, add rows to the
    incidents sheet, fill some indicators and delete the rest, add the source."""
    path = data / "issues" / f"{END}.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("reference:  #", "reference: ishm-2020-12-10  #", 1)
    for section, headline in HEADLINES.items():
        start = text.index(f"  {section}:")
        text = text[:start] + text[start:].replace('headline: ""', f"headline: {headline}", 1)
    events = ("events:\n"
              "      - date: 2020-12-05\n"
              "        text: >-\n"
              "          lawmakers debated the election budget.\n"
              "      - text: an undated item that follows it.")
    text = text.replace("events: []", events, 1)
    path.write_text(text, encoding="utf-8")

    with open(data / "incidents" / f"{END}.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=INCIDENTS.names, lineterminator="\n")
        writer.writerow({"event_id_cnty": "ISHM-20201210-01", "event_date": "2020-12-04", "end_date": "2020-12-10",
                         "incident_type": "IED", "admin1": "Ninewa;Kirkuk", "incidents": "6", "fatalities": "3",
                         "fatalities_min": "true", "wounded": "8", "source": "Iraq Security and Humanitarian Monitor",
                         "reference": "ishm-2020-12-10"})
        writer.writerow({"event_id_cnty": "ISHM-20201210-02", "event_date": "2020-12-07",
                         "incident_type": "rocket attack", "admin1": "Baghdad", "incidents": "2",
                         "source": "Iraq Security and Humanitarian Monitor", "reference": "ishm-2020-12-10"})

    sheet = data / "indicators" / f"{END}.csv"
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    figures = {"covid_cases_total": "571,017", "covid_new_cases_7d_avg": "1,750"}
    kept = [{**r, "value": figures[r["indicator"]], "source": "Iraq’s Ministry of Health",
             "reference": "ishm-2020-12-10"} for r in rows if r["indicator"] in figures]
    sheet.write_bytes(_csv(INDICATORS.names, kept))

    with open(data / "sources.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["ishm-2020-12-10", "Iraq Security and Humanitarian Monitor: December 3 – 10, 2020",
             "Enabling Peace in Iraq Center (EPIC)", "2020-12-10", "", ""])


def test_the_filled_scaffold_validates(scaffolded):
    data, _ = scaffolded
    fill(data)
    result = run_cli("validate", "--data", data)
    assert result.returncode == 0, result.stderr
    assert "OK: 2 periods, 11 incident rows, 11 indicator values, 2 sources" in result.stdout


@pytest.mark.slow
def test_the_filled_week_builds(scaffolded, tmp_path):
    data, _ = scaffolded
    fill(data)
    out = tmp_path / "outputs"
    result = run_cli("build", "--period-end", END, "--data", data, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    text = pdf_text(out / END / "report.pdf")
    assert "December 3 – 10, 2020" in text
    for headline in HEADLINES.values():
        assert headline in text
    assert "On December 5, lawmakers debated the election budget." in text
    assert "six IEDs left at least three dead and eight wounded in Ninewa and Kirkuk" in text
    assert "571,017" in text
    # The week before is the previous issue's: its average is the one this week is compared to.
    assert "decreased from 2,013/day during the week ending Dec 3 to 1,750/day this week" in text


def test_start_defaults_to_the_latest_end_else_a_week(data_copy, tmp_path):
    result = new_period(data_copy, "--period-end", "2020-12-17")
    assert result.returncode == 0, result.stderr
    assert "period_start: 2020-12-03\n" in (data_copy / "issues" / "2020-12-17.yaml").read_text()
    assert "the period is 15 days long" in result.stdout

    bare = tmp_path / "bare"
    shutil.copytree(DATA, bare)
    shutil.rmtree(bare / "issues")
    result = new_period(bare, "--period-end", "2020-12-17")
    assert result.returncode == 0, result.stderr
    assert "period_start: 2020-12-10\n" in (bare / "issues" / "2020-12-17.yaml").read_text()
    assert "days long" not in result.stdout

    explicit = tmp_path / "explicit"
    shutil.copytree(DATA, explicit)
    result = new_period(explicit, "--period-end", "2020-12-24", "--start", "2020-12-17")
    assert result.returncode == 0, result.stderr
    assert "period_start: 2020-12-17\n" in (explicit / "issues" / "2020-12-24.yaml").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--period-end", "2020-12-03"], "data/issues/2020-12-03.yaml already exists: the data has a period ending on "
                              "2020-12-03"),
    (["--period-end", "2020-11-26"], "the period 2020-11-19 to 2020-11-26 would overlap the issue 2020-11-19 to "
                              "2020-12-03 (data/issues/2020-12-03.yaml)"),
    (["--period-end", END, "--start", "2020-12-01"], "the period 2020-12-01 to 2020-12-10 would overlap the issue"),
    (["--period-end", END, "--start", "2020-12-11"], "--start 2020-12-11 is after --period-end 2020-12-10"),
    (["--period-end", "2020-12-1"], "--period-end '2020-12-1': not a date in YYYY-MM-DD form"),
])
def test_refusals_change_nothing(data_copy, args, message):
    before = snapshot(data_copy)
    result = new_period(data_copy, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert snapshot(data_copy) == before


def test_a_second_run_is_refused_and_keeps_what_was_filled(scaffolded):
    data, _ = scaffolded
    fill(data)
    before = snapshot(data)
    result = new_period(data, "--period-end", END)
    assert result.returncode == 2
    assert f"issues/{END}.yaml already exists" in result.stderr
    assert snapshot(data) == before


def test_an_existing_sheet_is_never_overwritten(data_copy):
    sheet = data_copy / "incidents" / f"{END}.csv"
    sheet.parent.mkdir()
    shutil.copyfile(DATA / "incidents.csv", sheet)
    (data_copy / "incidents.csv").unlink()  # the same rows in a week's sheet: still valid data
    before = snapshot(data_copy)
    result = new_period(data_copy, "--period-end", END)
    assert result.returncode == 2
    assert f"incidents/{END}.csv already exists; new-period never overwrites a file" in result.stderr
    assert snapshot(data_copy) == before


def test_invalid_data_is_reported_as_usual_and_nothing_is_written(data_copy):
    path = data_copy / "incidents.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2020-11-29", "2020-11-31"), encoding="utf-8")
    before = snapshot(data_copy)
    result = new_period(data_copy, "--period-end", END)
    assert result.returncode == 2
    assert "column event_date: value '2020-11-31': impossible date" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(data_copy) == before


def test_section_ids_that_need_quoting_survive(data_copy):
    monitor = data_copy / "monitor.yaml"
    monitor.write_text(monitor.read_text(encoding="utf-8")
                       + '  - id: "north: Kurdistan #1"\n    title: "The north # all of it"\n', encoding="utf-8")
    result = new_period(data_copy, "--period-end", END)
    assert result.returncode == 0, result.stderr
    issue = yaml.load((data_copy / "issues" / f"{END}.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert list(issue["sections"]) == [*SECTIONS, "north: Kurdistan #1"]
    result = run_cli("validate", "--data", data_copy)
    assert "key north: Kurdistan #1.headline: headline is empty" in result.stderr


def test_the_project_writes_no_formula_into_a_sheet():
    text = _csv(["a", "b"], [{"a": "=HYPERLINK(\"http://x\")", "b": "-2"}]).decode()
    assert text == "a,b\n\"'=HYPERLINK(\"\"http://x\"\")\",-2\n"
