"""The HXL exports beside each published issue: the incidents and indicator values the issue
counts, a hashtag row under the header, P-codes beside governorates, formula-like text
neutralised, the public columns that README.md lists and no other, a byte-order mark for
spreadsheets."""

from __future__ import annotations

import codecs
import csv
import io
import re

import pandas as pd
import pytest

from reportlib.batch import guard
from reportlib.content import hxl
from reportlib.content.hxl import INCIDENTS
from reportlib.inputs.dataset import load

from ..conftest import DATA, ROOT


def readme_columns(which: str) -> list[tuple[str, str]]:
    """(column, hashtag) of README.md's table of the `which` export, in its order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(rf"^\| {which} column \| hashtag \|.*?\n((?:\|.*\n)+)", text, re.M)
    assert table, f"README.md has no table of the {which} export"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.group(1).splitlines()]
    return [(row[0], row[1]) for row in rows if not set(row[0]) <= {"-", " "}]


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def shipped():
    data = load(DATA)
    return data.select(data.latest_period())


def test_incidents_of_the_issue_with_the_hashtag_row():
    view = shipped()
    table = rows(hxl.incidents_csv(view.incidents, "Iraq"))
    header, tags, body = table[0], table[1], table[2:]
    assert header[:7] == ["event_id_cnty", "event_date", "end_date", "incident_type", "country", "admin1",
                          "admin1_pcode"]
    named = dict(zip(header, tags, strict=True))
    for column, tag in (("event_date", "#date"), ("admin1", "#adm1+name"), ("admin1_pcode", "#adm1+code"),
                        ("incident_type", "#event+type"), ("fatalities", "#affected+killed"),
                        ("wounded", "#affected+injured"), ("source", "#meta+source")):
        assert named[column] == tag, column
    assert all(tag.startswith("#") for tag in tags)
    assert sorted(r[0] for r in body) == sorted(view.incidents["event_id_cnty"])
    ied = {h: v for h, v in zip(header, next(r for r in body if r[0] == "ISHM-20201203-01"), strict=True)}
    assert ied["admin1"] == "Ninewa;Salah ad-Din;Diyala;Kirkuk"
    assert ied["admin1_pcode"] == "IQG15;IQG16;IQG10;IQG13"
    assert (ied["fatalities"], ied["fatalities_min"], ied["wounded"], ied["country"]) == ("5", "true", "20", "Iraq")
    dates = [r[1] for r in body]
    assert dates == sorted(dates)


def test_indicators_of_the_issue_include_its_first_day():
    view = shipped()
    table = rows(hxl.indicators_csv(guard.period_indicators(view), "Iraq"))
    header, tags = table[0], table[1]
    assert dict(zip(header, tags, strict=True))["value"] == "#indicator+value+num"
    values = {(r[header.index("indicator")], r[header.index("date")]): r[header.index("value")] for r in table[2:]}
    assert values[("covid_new_cases_7d_avg", "2020-11-19")] == "2488"
    assert values[("covid_cases_total", "2020-12-03")] == "558767"
    assert len(values) == 9
    label = table[2][header.index("indicator_label")]
    assert label and table[2][header.index("unit")]


def test_formula_like_text_is_neutralised_and_unlisted_columns_left_out():
    frame = pd.DataFrame({
        "event_id_cnty": ["X-1", "X-2"], "event_date": pd.to_datetime(["2020-11-20", "2020-11-21"]),
        "end_date": [pd.NaT, pd.NaT], "incident_type": ["IED", "IED"], "admin1": ["Baghdad", "Basra"],
        "fatalities": [1.0, float("nan")], "target": ["=HYPERLINK(\"http://x\")", "-5"],
        "source": ["@SUM(A1)", "+cmd|' /C calc'!A0"], "victims_kind": ["civilians", ""],
        "notes": ["transcriber's remark", ""],
    })
    table = rows(hxl.incidents_csv(frame, "Iraq"))
    header = table[0]
    first, second = (dict(zip(header, r, strict=True)) for r in table[2:])
    assert first["target"] == "'=HYPERLINK(\"http://x\")" and first["source"] == "'@SUM(A1)"
    assert second["source"].startswith("'+cmd") and second["target"] == "-5"  # a plain negative number stays
    assert (first["fatalities"], second["fatalities"]) == ("1", "")
    # A column the list does not name is not published, whatever the frame holds.
    assert "victims_kind" not in header and "notes" not in header


@pytest.mark.parametrize("which", ["incidents", "indicators"])
def test_the_exports_carry_exactly_the_public_columns_the_readme_lists(which):
    """The shipped issue's exports, made from the loaded data (whose frames hold `notes` and the
    file and line of each row), against README.md's table: the same columns and hashtags, in
    its order, and none of the internal ones."""
    view = shipped()
    assert {"notes", "file", "line"} <= set(view.incidents.columns) | set(view.indicators.columns)
    data = (hxl.incidents_csv(view.incidents, "Iraq") if which == "incidents"
            else hxl.indicators_csv(guard.period_indicators(view), "Iraq"))
    header, tags = rows(data)[:2]
    assert list(zip(header, tags, strict=True)) == readme_columns(which)
    assert not {"notes", "file", "line"} & set(header)
    text = data.decode("utf-8-sig")
    for remark in view.incidents["notes"].tolist() + view.indicators["notes"].tolist():
        if remark:
            assert remark not in text
        assert "data/" not in text


def test_the_exports_open_in_spreadsheets_and_hxl_tools():
    """A byte-order mark first (spreadsheet programs read UTF-8 by it); the header row's first
    name is the column's once the mark is read as such, and a reader that does not know the
    mark still finds the hashtag row, the second, whole."""
    data = hxl.incidents_csv(shipped().incidents, "Iraq")
    assert data.startswith(codecs.BOM_UTF8) and not data[3:].startswith(codecs.BOM_UTF8)
    assert rows(data)[0][0] == "event_id_cnty"
    naive = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert naive[1] == [tag for _, tag in readme_columns("incidents")]
    assert "Iraq’s" in hxl.indicators_csv(guard.period_indicators(shipped()), "Iraq").decode("utf-8-sig")


def test_an_export_reads_back_as_the_rows_it_was_made_from(tmp_path):
    view = shipped()
    path = tmp_path / "incidents.csv"
    path.write_bytes(hxl.incidents_csv(view.incidents, "Iraq"))
    back = hxl.read_rows(path, INCIDENTS)
    now = {hxl.key_of(INCIDENTS, r): hxl.exported(r, INCIDENTS) for r in hxl.row_texts(view.incidents)}
    assert back == now


def test_an_export_written_before_the_public_list_reads_back_as_its_public_rows(tmp_path):
    """A version published before: every column of the frame (notes, file, line), no
    byte-order mark. Compared with the rows now, it differs in no public column."""
    view = shipped()
    frame = view.incidents
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(frame.columns))
    writer.writerow([f"#meta+{name}" for name in frame.columns])
    writer.writerows([r[name] for name in frame.columns] for r in hxl.row_texts(frame))
    path = tmp_path / "incidents.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    back = hxl.read_rows(path, INCIDENTS)
    assert not {"notes", "file", "line"} & {name for row in back.values() for name in row}
    assert back == {hxl.key_of(INCIDENTS, r): hxl.exported(r, INCIDENTS) for r in hxl.row_texts(frame)}
