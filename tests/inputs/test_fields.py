"""Every text field of every data file obeys the same rules, whatever YAML type it is written
as: each monitor.yaml and issue-file field with every wrong kind of value, each text column
of each table with each refused text. The rules come from textrules; YAML fields reach them
through yamlreader.Fields, CSV columns through textrules.column_problems."""

from __future__ import annotations

import csv
import shutil

import pytest
import yaml

import reportlib
from reportlib.inputs.schema import TABLES

from ..conftest import GOOD

# (file, how to reach the field in the parsed file, the key a problem names)
MONITOR_FIELDS = [
    (["name"], "name"),
    (["country"], "country"),
    (["language"], "language"),
    (["period_weekday"], "period_weekday"),
    (["sections", 0, "id"], "sections.id"),
    (["sections", 1, "title"], "sections.title"),
]
ISSUE_FIELDS = [
    (["reference"], "reference"),
    (["sections", "politics", "headline"], "politics.headline"),
    (["sections", "security", "events", 0, "text"], "security.events.text"),
    (["sections", "security", "events", 0, "reference"], "security.events.reference"),
]
ISSUE_DATES = [
    (["period_start"], "period_start"),
    (["period_end"], "period_end"),
    (["sections", "politics", "events", 0, "date"], "politics.events.date"),
]
NOT_TEXT = [
    (1984, "must be text, but YAML reads this value as a number"),
    (2.5, "must be text, but YAML reads this value as a number"),
    (False, "must be text, but YAML reads this value as a true/false value"),
    (["a", "b"], "must be text, not a list"),
    ({"a": "b"}, "must be text, not a mapping"),
]
REFUSED_TEXT = [
    ("Iraq <script>alert(1)</script>", "contains HTML markup"),
    ('=HYPERLINK("http://x","y")', "starts like a spreadsheet formula"),
    ("@SUM(A1)", "starts like a spreadsheet formula"),
]


def _with(tmp_path, name: str, where: list, value):
    folder = tmp_path / "data"
    shutil.copytree(GOOD, folder)
    path = folder / name
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = content
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _problems(folder) -> list:
    with pytest.raises(reportlib.DataError) as raised:
        reportlib.load(folder)
    return raised.value.problems


FIELDS = [("monitor.yaml", where, key) for where, key in MONITOR_FIELDS] + \
         [("issues/2020-12-03.yaml", where, key) for where, key in ISSUE_FIELDS]


@pytest.mark.parametrize(("value", "reason"), NOT_TEXT + REFUSED_TEXT)
@pytest.mark.parametrize(("name", "where", "key"), FIELDS)
def test_every_yaml_text_field_holds_text_that_obeys_the_rules(name, where, key, value, reason, tmp_path):
    problems = _problems(_with(tmp_path, name, where, value))
    assert any(p.file == f"data/{name}" and p.column == key and reason in p.message and p.line
               for p in problems), problems


@pytest.mark.parametrize("value", [20201119, ["2020-11-21"], {"day": "2020-11-21"}, True])
@pytest.mark.parametrize(("where", "key"), ISSUE_DATES)
def test_every_yaml_date_is_text_in_yyyy_mm_dd_form(where, key, value, tmp_path):
    problems = _problems(_with(tmp_path, "issues/2020-12-03.yaml", where, value))
    assert any(p.column == key and "not a date in YYYY-MM-DD form" in p.message and p.line
               for p in problems), problems


TEXT_COLUMNS = [(table, column) for table in TABLES for column in table.columns
                if column.kind in ("text", "id", "reference", "url")]


@pytest.mark.parametrize(("text", "reason"), REFUSED_TEXT)
@pytest.mark.parametrize(("table", "column"), TEXT_COLUMNS, ids=lambda v: getattr(v, "name", v))
def test_every_csv_text_column_obeys_the_same_rules(table, column, text, reason, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(GOOD, folder)
    path = folder / table.file
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    if column.name not in rows[0]:  # an optional column the fixture leaves out
        rows = [[*rows[0], column.name]] + [[*row, ""] for row in rows[1:]]
    rows[1][rows[0].index(column.name)] = text
    quoted = [",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows]
    path.write_text("\n".join(quoted) + "\n", encoding="utf-8")
    problems = _problems(folder)
    assert any(p.file == f"data/{table.file}" and p.line == 2 and p.column == column.name and reason in p.message
               for p in problems), problems
