"""Published issues stay as published: a build or an import whose data would change a
published issue is refused with exit 2, naming the issue, the rows and the key figures, and
nothing is written; changes that do not touch what the report says pass."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reportlib.batch import guard
from reportlib.errors import PublishedIssueError
from reportlib.inputs import records
from reportlib.inputs.dataset import load
from reportlib.inputs.periods import Period, parse_date

from ..conftest import ROOT, assert_no_traceback, run_cli
from ..publishing.standin import ISSUE, publish_stand_in

ACLED = ROOT / "tests" / "data" / "imports" / "acled_2025_layout.csv"
NOTEBOOK = "weekly_report.ipynb"
ROW_04 = ("ISHM-20201203-04,2020-11-22,2020-12-02,assassination attempt,Diwaniyah;Baghdad;Maysan,,gunmen,"
          "activists known for criticizing armed groups,4,1,false,1,")


@pytest.fixture
def published(data_copy, tmp_path) -> Path:
    publish_stand_in(data_copy, tmp_path / "build")
    return data_copy


def check(data_root: Path, period: Period | None = None, notebook: str = NOTEBOOK) -> None:
    data = load(data_root)
    guard.check(data, [data.select(period or data.latest_period())], notebook)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_outlet(data_root: Path) -> str:
    """A document of another outlet in sources.csv: rows of the issue's own document must fall
    in its period, an outlet's may fall anywhere."""
    with open(data_root / "sources.csv", "a", encoding="utf-8") as stream:
        stream.write("test-outlet,A test outlet's report,Test outlet,2020-12-05,,\n")
    return "test-outlet"


def add_rows(path: Path, *rows: dict) -> None:
    """Rows appended to a sheet by column name (the sheet's own header decides the order)."""
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    with open(path, "a", encoding="utf-8") as stream:
        for row in rows:
            stream.write(",".join(row.get(name, "") for name in header) + "\n")


def killed_activists(data_root: Path, before: tuple[int, str], after: tuple[int, str]) -> None:
    """Row 04's killed, and the event that states it: validation holds the two together."""
    edit(data_root / "incidents.csv", ROW_04.replace(",4,1,", f",4,{before[0]},"),
         ROW_04.replace(",4,1,", f",4,{after[0]},"))
    edit(data_root / "issues" / f"{ISSUE}.yaml", before[1], after[1])


ONE = (1, "One of the activists was\n          killed and another sustained")
TWO = (2, "Two of the activists were\n          killed and one other sustained")
THREE = (3, "Three of the activists were\n          killed and one other sustained")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_changed_row_is_refused_naming_the_row_and_the_figures(published):
    killed_activists(published, ONE, TWO)
    with pytest.raises(PublishedIssueError) as caught:
        check(published)
    message = str(caught.value)
    lines = message.splitlines()
    assert lines[0] == ("the issue 2020-12-03 (November 19 – December 3, 2020) was published on 2020-12-04 "
                        "(version 1); this build would change it:")
    assert "  incident ISHM-20201203-04 changed: fatalities 1 → 2" in lines
    assert "  key figure: People killed in attacks and violence at protests ≥20 → ≥21" in lines
    assert 'reportlib correct --period-end 2020-12-03 --note "what changed and why"' in message
    assert caught.value.exit_code == 2


def test_rows_added_in_the_period_and_in_its_trend_window_are_named(published):
    outlet = {"incident_type": "IED", "incidents": "1", "source": "Test outlet", "reference": "ishm-2020-12-03"}
    add_rows(published / "incidents.csv",
             {**outlet, "event_id_cnty": "NEW-1", "event_date": "2020-11-25", "admin1": "Baghdad", "fatalities": "3"},
             {**outlet, "event_id_cnty": "NEW-2", "event_date": "2020-10-20", "admin1": "Anbar",
              "reference": add_outlet(published)})
    with pytest.raises(PublishedIssueError) as caught:
        check(published)
    lines = str(caught.value).splitlines()
    assert "  incident NEW-1 added (2020-11-25, Baghdad, IED, 3 killed)" in lines
    assert ("  incident NEW-2 added (2020-10-20, Anbar, IED) (in the weeks before the period, which its trend "
            "chart reads)") in lines
    assert "  key figure: People killed in attacks and violence at protests ≥20 → ≥23" in lines


def test_the_narrative_and_indicators_are_guarded_too(published):
    edit(published / "issues" / f"{ISSUE}.yaml", "Rockets Damage Refinery", "Rockets Hit Refinery")
    edit(published / "indicators.csv", "2020-12-03,covid_deaths_total,,12361", "2020-12-03,covid_deaths_total,,12362")
    edit(published / "issues" / f"{ISSUE}.yaml", "reached 12,361", "reached 12,362")
    with pytest.raises(PublishedIssueError) as caught:
        check(published)
    lines = str(caught.value).splitlines()
    assert "  the narrative, issues/2020-12-03.yaml (headlines or events)" in lines
    assert "  covid_deaths_total on 2020-12-03 changed: value 12361 → 12362" in lines
    assert "  key figure: COVID-19 deaths to date 12,361 → 12,362" in lines


def test_what_does_not_change_the_report_passes(published):
    issue = published / "issues" / f"{ISSUE}.yaml"
    issue.write_text("# a comment an analyst added\n" + issue.read_text(encoding="utf-8"), encoding="utf-8")
    with open(published / "monitor.yaml", "a", encoding="utf-8") as stream:
        stream.write("mail:\n  host: smtp.example.org\n  sender: monitor@example.org\n")
    add_rows(published / "incidents.csv",  # after the issue: not read
             {"event_id_cnty": "LATER-1", "event_date": "2020-12-05", "incident_type": "IED", "admin1": "Baghdad",
              "incidents": "1", "fatalities": "3", "source": "Test outlet", "reference": add_outlet(published)})
    check(published)
    check(published, notebook="trends_report.ipynb")  # another report type is not the published issue


def test_an_ad_hoc_span_ending_on_a_published_issue_is_refused(published):
    with pytest.raises(PublishedIssueError, match=r"the period: 2020-11-19 to 2020-12-03 .* as published, "
                                                  r"2020-11-26 to 2020-12-03 .* now"):
        check(published, Period(parse_date("2020-11-26"), parse_date(ISSUE)))


def test_a_pending_correction_admits_exactly_the_data_it_records(published):
    killed_activists(published, ONE, TWO)
    data = load(published)
    view = data.select(data.latest_period())
    record = records.read(published, ISSUE)
    content = guard.content(data, view)
    record.versions.append(dataclasses.replace(record.latest, number=2, status=records.PENDING, date="2020-12-10",
                                               note="Two were killed.", content=content,
                                               content_key=guard.content_key(content), files={}))
    records.write(published, record)
    check(published)
    killed_activists(published, TWO, THREE)
    with pytest.raises(PublishedIssueError, match="fatalities 1 → 3"):
        check(published)


def test_the_build_command_refuses_before_writing_anything(published, tmp_path):
    killed_activists(published, ONE, TWO)
    result = run_cli("build", "--data", published, "--out", tmp_path / "out")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "the issue 2020-12-03 (November 19 – December 3, 2020) was published on 2020-12-04" in result.stderr
    assert "incident ISHM-20201203-04 changed: fatalities 1 → 2" in result.stderr
    assert not (tmp_path / "out" / ISSUE).exists()
    batch = run_cli("build", "--data", published, "--out", tmp_path / "out", "--from", "2020-11-01",
                    "--to", "2020-12-31")
    assert batch.returncode == 2 and "fatalities 1 → 2" in batch.stderr
    assert not (tmp_path / "out" / ISSUE).exists()


def test_an_import_that_would_change_a_published_issue_changes_nothing(published):
    before = files(published)
    result = run_cli("import", "acled", ACLED, "--data", published, "--type-map", "Peaceful protest=skip",
                     cwd=published.parent)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "this import would change it:" in result.stderr
    for row in ("IRQ90001", "IRQ90002", "IRQ90003"):
        assert f"incident {row} added" in result.stderr
    assert "key figure: Incidents recorded ≥32 → ≥35" in result.stderr
    assert files(published) == before
    assert not (published / "incidents").exists()  # nor the folder the import made for its sheet


def test_an_import_after_the_published_issue_goes_ahead(published, tmp_path):
    later = tmp_path / "later.csv"
    later.write_text(ACLED.read_text(encoding="utf-8").replace("2020-11-2", "2020-12-2"), encoding="utf-8")
    result = run_cli("import", "acled", later, "--data", published, "--type-map", "Peaceful protest=skip",
                     cwd=published.parent)
    assert result.returncode == 0, result.stderr
    assert "added 3 rows" in result.stdout
    check(published)


def test_a_correction_needs_a_published_issue_a_note_and_a_change(published):
    def correct(data, *args):
        result = run_cli("correct", "--period-end", ISSUE, "--data", data, *args)
        assert_no_traceback(result)
        return result

    unchanged = correct(published, "--note", "Nothing, really.")
    assert unchanged.returncode == 2
    assert ("nothing to correct: the data 2020-12-03 reads is as version 1 published it on 2020-12-04"
            in unchanged.stderr)
    assert correct(published, "--note", "   ").returncode == 2
    assert "--note is empty" in correct(published, "--note", "   ").stderr
    formula = correct(published, "--note", "=HYPERLINK(1)")
    assert formula.returncode == 2 and "starts like a spreadsheet formula" in formula.stderr
    assert "has no pending correction" in correct(published, "--withdraw").stderr
    assert records.read(published, ISSUE).versions[-1].number == 1


def test_bad_publish_settings_name_their_line(published, tmp_path):
    monitor = published / "monitor.yaml"
    monitor.write_text(monitor.read_text(encoding="utf-8").replace(
        "  name: ishm-{end}\n", "  name: ../ishm\n  base_url: ftp://example.org\n"), encoding="utf-8")
    result = run_cli("publish", "--rebuild-site", "--data", published, "--site", tmp_path / "site")
    assert result.returncode == 2
    assert ("data/monitor.yaml:17: key publish.name: value '../ishm': must be a file name with {end} in it"
            in result.stderr)
    assert "data/monitor.yaml:18: key publish.base_url: value 'ftp://example.org': must start with https://" \
        in result.stderr
    assert not (tmp_path / "site").exists()


def reorder(sheet: Path) -> None:
    """The sheet's data rows in reverse order, header first: the same rows at other lines."""
    header, *rows = sheet.read_text(encoding="utf-8").splitlines()
    sheet.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")


def test_rows_moved_in_their_sheet_or_a_data_folder_named_otherwise_change_no_published_row(published, tmp_path):
    """Issue 25: a published row is its id and its values, not the sheet and line it was read
    from. Reordering the rows, or building from a copy under another name, is not a change,
    and `correct` finds nothing to correct (it used to announce '9 incident rows changed')."""
    reorder(published / "incidents.csv")
    reorder(published / "indicators.csv")
    reorder(published / "sources.csv")
    check(published)
    renamed = published.rename(tmp_path / "monitor-data")
    check(renamed)
    result = run_cli("correct", "--period-end", ISSUE, "--data", renamed, "--note", "Rows reordered.")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "nothing to correct" in result.stderr


def test_rows_moved_to_another_sheet_change_nothing_but_a_changed_value_still_counts(published):
    (published / "incidents").mkdir()
    header, *rows = (published / "incidents.csv").read_text(encoding="utf-8").splitlines()
    moved = [row for row in rows if row.startswith("ISHM-20201203-04,")]
    (published / "incidents.csv").write_text("\n".join([header, *(r for r in rows if r not in moved)]) + "\n",
                                              encoding="utf-8")
    (published / "incidents" / "week.csv").write_text("\n".join([header, *moved]) + "\n", encoding="utf-8")
    check(published)
    edit(published / "incidents" / "week.csv", ROW_04, ROW_04.replace(",4,1,", ",4,2,"))
    edit(published / "issues" / f"{ISSUE}.yaml", ONE[1], TWO[1])
    with pytest.raises(PublishedIssueError) as caught:
        check(published)
    # The row's sheet and line are where it was read, not one of its values that changed.
    assert "  incident ISHM-20201203-04 changed: fatalities 1 → 2" in str(caught.value).splitlines()


def test_a_record_made_before_rows_were_fingerprinted_by_content_is_compared_as_it_was_made(published):
    """Records written before issue 25 digested each row with its sheet and line; they are
    compared in that form, so an unchanged folder passes and a change is still found."""
    data = load(published)
    view = data.select(data.latest_period())
    record = records.read(published, ISSUE)
    legacy = guard.content(data, view, legacy=True)
    assert "rows" not in legacy and legacy != guard.content(data, view)
    record.versions[0] = dataclasses.replace(record.latest, content=legacy, content_key=guard.content_key(legacy))
    records.write(published, record)
    check(published)
    killed_activists(published, ONE, TWO)
    with pytest.raises(PublishedIssueError) as caught:
        check(published)
    assert "  incident ISHM-20201203-04 changed: fatalities 1 → 2" in str(caught.value).splitlines()


def test_a_label_that_now_names_what_it_counts_is_listed_as_a_change():
    # An issue published when every victim counted as "killed in attacks" (protest violence
    # included) keeps that label until it is corrected; the correction says what now reads.
    old = [{"name": "killed", "label": "People killed in attacks", "value": 20, "minimum": True},
           {"name": "incidents", "label": "Incidents recorded", "value": 32, "minimum": True}]
    new = [{**old[0], "label": "People killed in attacks and violence at protests"}, {**old[1], "value": 33}]
    assert guard.figure_changes(old, new) == [
        "“People killed in attacks” now reads “People killed in attacks and violence at protests”",
        "Incidents recorded ≥32 → ≥33"]
