"""An issue recorded as published without running its notebook: the shipped issue, with a
stand-in build folder (a PDF of random bytes and a line of HTML). What the record keeps of the
data (its rows, figures and exports) is real; only the report files are stand-ins. The tests
that build the real report are tests/publishing/test_publishing.py (slow)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from reportlib.inputs import records
from reportlib.inputs.dataset import load
from reportlib.publishing import release

ISSUE = "2020-12-03"
PDF = b"%PDF-1.7\n% stand-in for the report\n" + os.urandom(3000)
HTML = "<!DOCTYPE html><title>stand-in</title>"


def publish_stand_in(data_root: Path, folder: Path, day: str = "2020-12-04") -> records.Record:
    folder.mkdir()
    (folder / "report.pdf").write_bytes(PDF)
    (folder / "report.html").write_text(HTML, encoding="utf-8")
    data = load(data_root)
    view = data.select(data.latest_period())
    return release.record_publication(data, view, folder, day, "weekly_report.ipynb")


def correct_stand_in(data_root: Path, note: str, day: str = "2020-12-10") -> records.Record:
    """Version 2 of the stand-in issue, with the files of version 1 kept again under v2/ and
    a correction's note, as `reportlib correct` records it (without rebuilding the report)."""
    record = records.read(data_root, ISSUE)
    first = record.latest
    files = {}
    for kind, entry in first.files.items():
        target = records.version_dir(data_root, ISSUE, 2) / records.FILES[kind]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(records.stored_bytes(data_root, record, first, kind))
        files[kind] = {**entry, "path": f"v2/{records.FILES[kind]}"}
    record.versions.append(dataclasses.replace(first, number=2, date=day, note=note,
                                               changes=["1 incident row changed"], files=files))
    records.write(data_root, record)
    return record
