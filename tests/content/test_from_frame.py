"""Any DataFrame as a table of the report (content.tables.from_frame), rendered through the
report's one table template."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportlib.content.tables import MINIMUM_NOTE, from_frame
from reportlib.reports.blocks import table


def cells(t):
    return [[(c.kind, c.text, c.value, c.minimum) for c in row.cells] for row in t.rows]


def test_headings_come_from_the_schema_or_sentence_case_or_the_analyst():
    frame = pd.DataFrame({"admin1": ["Ninewa"], "fatalities": [3], "rate_per_week": [0.5], "x": [1]})
    t = from_frame(frame, labels={"x": "Mine"})
    assert [h for h, _ in t.headings] == ["Governorate", "Killed", "Rate per week", "Mine"]
    assert [css for _, css in t.headings] == ["", "num", "num", "num"]


def test_no_index_unless_asked():
    frame = pd.DataFrame({"value": [1, 2]}, index=pd.Index(["a", "b"], name="week"))
    assert [h for h, _ in from_frame(frame).headings] == ["Value"]
    shown = from_frame(frame, index=True)
    assert [h for h, _ in shown.headings] == ["Week", "Value"]
    assert [row.cells[0].text for row in shown.rows] == ["a", "b"]


def test_missing_values_whole_numbers_and_decimals_as_the_report_writes_them():
    frame = pd.DataFrame({"n": pd.array([1200, None], dtype="Int64"), "share": [0.25, np.nan],
                          "name": ["x", None], "whole_floats": [2.0, 3.0]})
    html = table(from_frame(frame, decimals=2)).html
    assert "1,200" in html and "0.25" in html and "<td class=\"num\">2</td>" in html
    assert "NaN" not in html and "&lt;NA&gt;" not in html and "None" not in html
    assert html.count('<span class="na" title="not reported">–</span>') == 3


def test_a_minimum_column_marks_its_figure_and_adds_the_note():
    frame = pd.DataFrame({"fatalities": [5, 1, None], "fatalities_min": [True, False, pd.NA]})
    t = from_frame(frame, caption="Killed", notes=["From the incidents sheet."])
    assert [h for h, _ in t.headings] == ["Killed"]
    assert cells(t) == [[("count", "", 5.0, True)], [("count", "", 1.0, False)], [("count", "", None, False)]]
    assert t.notes == (MINIMUM_NOTE, "From the incidents sheet.")
    assert '<span class="min" title="at least">≥</span>5' in table(t).html


def test_dates_booleans_and_governorates():
    frame = pd.DataFrame({"event_date": pd.to_datetime(["2020-12-03"]), "ok": [True], "admin1": ["Basra;Anbar"]})
    html = table(from_frame(frame)).html
    assert '<td class="dates">December 3, 2020</td>' in html and "<td class=\"\">yes</td>" in html
    assert html.count('<span class="place">') == 2


def test_text_is_escaped_and_an_empty_frame_says_so():
    html = table(from_frame(pd.DataFrame({"note": ["<script>x</script>"]}), caption="A & B")).html
    assert "<script>" not in html and "&lt;script&gt;" in html and "<caption>A &amp; B</caption>" in html
    empty = table(from_frame(pd.DataFrame({"a": [], "b": []}))).html
    assert "No rows." in empty and 'colspan="2"' in empty and "<caption>" not in empty
