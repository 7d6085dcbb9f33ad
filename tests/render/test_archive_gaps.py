"""outputs/index.html says where the periods built leave weeks without a report, from the
manifests' summaries as builds write them; weeks that meet at their boundary day, and
overlapping ad-hoc spans, leave no mark."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reportlib.render import archive


def built(root: Path, start: str, end: str) -> None:
    folder = root / end
    folder.mkdir(parents=True)
    summary = {"title": "Iraq Security and Humanitarian Monitor", "period": f"{start} to {end}", "start": start,
               "end": end, "synthetic": False, "ad_hoc": False,
               "key_figures": [{"name": "incidents", "label": "Incidents recorded", "value": 3, "minimum": False}]}
    (folder / "manifest.json").write_text(json.dumps({"summary": summary}), encoding="utf-8")


def gaps(root: Path) -> list[str]:
    archive.write_index(root)
    return re.findall(r'<p class="archive-gap">(.*?)</p>', (root / "index.html").read_text(encoding="utf-8"))


def test_a_missing_week_is_marked_between_its_neighbours(tmp_path):
    for start, end in (("2020-11-19", "2020-12-03"), ("2020-12-10", "2020-12-17"), ("2020-12-17", "2020-12-24"),
                       ("2021-01-07", "2021-01-14")):
        built(tmp_path, start, end)
    assert gaps(tmp_path) == ["No report for December 24, 2020 – January 7, 2021 (2 weeks)",
                              "No report for December 3 – 10, 2020 (1 week)"]
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    order = [m.group(0) for m in re.finditer(r'id="2020-12-17"|class="archive-gap"|id="2020-12-03"', page)]
    assert order[-3:] == ['id="2020-12-17"', 'class="archive-gap"', 'id="2020-12-03"']


def test_a_gap_of_days_that_are_not_whole_weeks_is_counted_in_days(tmp_path):
    built(tmp_path, "2020-11-26", "2020-12-03")
    built(tmp_path, "2020-12-06", "2020-12-13")
    assert gaps(tmp_path) == ["No report for December 3 – 6, 2020 (3 days)"]


def test_consecutive_and_overlapping_periods_leave_no_mark(tmp_path):
    for start, end in (("2020-11-19", "2020-12-03"), ("2020-12-03", "2020-12-10"), ("2020-11-26", "2020-12-11")):
        built(tmp_path, start, end)
    assert gaps(tmp_path) == []
