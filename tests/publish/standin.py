"""An issue recorded as published without running its notebook: the shipped issue, with a
stand-in build folder (a PDF of random bytes and a line of HTML). What the record keeps of the
data (its rows, figures and exports) is real; only the report files are stand-ins. The tests
that build the real report are tests/publish/test_publishing.py (slow)."""

from __future__ import annotations

import os
from pathlib import Path

from reportlib.inputs import records
from reportlib.inputs.dataset import load
from reportlib.publish import release

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
