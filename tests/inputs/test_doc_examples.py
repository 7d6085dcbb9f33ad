"""The example rows and blocks of README.md and data/README.md, pasted as an editor would
into a week made by `new-period`, load with the real loader and land in the columns and
sections they are meant for: a row under the header it fits, with a field for every column
of the scaffolded sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import yaml

from reportlib.content.hxl import cell
from reportlib.inputs.dataset import load
from reportlib.inputs.scaffold import scaffold
from reportlib.inputs.schema import INCIDENTS, INDICATORS, SOURCES

from ..conftest import DATA, ROOT

DOCS = (ROOT / "README.md", DATA / "README.md")
HEADERS = {",".join(table.names): table for table in (INCIDENTS, INDICATORS, SOURCES)}
SECTIONS = ("politics", "armed_groups", "security", "humanitarian")
WEEK = "2020-12-10"
# A line that reads as a data row: a bare first field, then at least four more.
ROW_LIKE = re.compile(r"^[\w.-]+,(?:[^,()=]*,){3,}")


def blocks(path):
    """The indented blocks of a Markdown file, dedented, each a list of lines."""
    out, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("    ") and line.strip():
            current.append(line)
            continue
        if current:
            out.append(current)
        current = []
    if current:
        out.append(current)
    return [[line[min(len(b) - len(b.lstrip()) for b in block):] for line in block] for block in out]


def examples():
    """(doc, table, rows as dicts) of every CSV example, and (doc, mapping) of every YAML
    example of an issue's sections; a row-like line under no header fails."""
    rows, sections = [], []
    for doc in DOCS:
        for block in blocks(doc):
            table = HEADERS.get(block[0])
            if table is not None:
                for values in csv.reader(io.StringIO("\n".join(block[1:]))):
                    assert len(values) == len(table.names), (doc.name, table.name, values)
                    rows.append((doc.name, table, dict(zip(table.names, values, strict=True))))
            elif re.fullmatch(r"[a-z_]+:", block[0]) and block[0][:-1] in SECTIONS:
                sections.append((doc.name, yaml.safe_load("\n".join(block))))
            else:
                for line in block:
                    assert not ROW_LIKE.match(line), f"{doc.name}: a row without the header it fits: {line}"
    return rows, sections


def test_every_example_row_and_block_of_the_docs_loads_into_a_new_week(data_copy):
    rows, sections = examples()
    # Both files: README.md the sources and incident rows and an event, data/README.md an
    # incident, a figure and the events that cite them. (Both files are named README.md.)
    found = [(doc, table.name) for doc, table, _ in rows]
    assert found.count(("README.md", "incidents")) == 2 and ("README.md", "indicators") in found
    assert ("README.md", "sources") in found and len(sections) == 2

    scaffold(data_copy, dt.date.fromisoformat(WEEK))
    sheets = {"incidents": data_copy / "incidents" / f"{WEEK}.csv",
              "indicators": data_copy / "indicators" / f"{WEEK}.csv", "sources": data_copy / "sources.csv"}
    for name, path in sheets.items():
        # The header an editor pastes under is the one the scaffold (or the shipped file) has.
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert any(t.name == name for _, t, _ in rows), name
        assert HEADERS[header].name == name, (name, header)
    # The indicators sheet keeps the rows of the figures the week gives, as the docs say.
    pasted = {"incidents": [], "indicators": [], "sources": []}
    for _, table, row in rows:
        if row not in pasted[table.name]:
            pasted[table.name].append(row)
    for name, path in sheets.items():
        kept = path.read_text(encoding="utf-8").splitlines()
        kept = kept if name == "sources" else kept[:1]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(list(r.values()) for r in pasted[name])
        path.write_text("\n".join(kept) + "\n" + buffer.getvalue(), encoding="utf-8")

    issue_path = data_copy / "issues" / f"{WEEK}.yaml"
    issue = yaml.safe_load(issue_path.read_text(encoding="utf-8"))
    issue["reference"] = next(r["reference"] for _, t, r in rows if t is SOURCES and WEEK in r["reference"])
    for section in issue["sections"].values():
        section["headline"] = "A headline"
    for _, mapping in sections:
        issue["sections"].update(mapping)
    issue_path.write_text(yaml.safe_dump(issue, allow_unicode=True, sort_keys=False), encoding="utf-8")

    data = load(data_copy)

    tables = {"incidents": (data.incidents, "event_id_cnty"), "indicators": (data.indicators, "indicator"),
              "sources": (data.sources, "reference")}
    for name, examples_of in pasted.items():
        frame, key = tables[name]
        for row in examples_of:
            loaded = frame.loc[frame[key] == row[key]]
            if name == "indicators":
                loaded = loaded.loc[loaded["date"] == row["date"]]
            assert len(loaded) == 1, (name, row[key])
            loaded = loaded.iloc[0]
            for column, value in row.items():
                if value and column in frame.columns:
                    assert cell(loaded[column]).lower() == value.lower(), (name, row[key], column, value)
    week = next(i for i in data.issues if i.period.end.isoformat() == WEEK)
    texts = [e.text for e in week.events]
    for _, mapping in sections:
        for section_id, body in mapping.items():
            assert week.headlines[section_id] == body["headline"]
            for event in body["events"]:
                assert " ".join(event["text"].split()) in texts
    cited = {i for e in week.events for i in e.incidents}
    assert "ISHM-20201210-01" in cited
