"""A DataFrame a report notebook shows bare follows the documented number rule (README, "Your
own table"): counts with thousands separators, other numbers to one place or the places the
frame's attrs give, halves rounded away from zero. Run in a real kernel, as JupyterLab and
the build run a notebook."""

from __future__ import annotations

import re

import nbformat
import pytest

from reportlib.content.tables import from_frame

from ..conftest import DATA

FRAME = """import pandas as pd
frame = pd.DataFrame({"place": ["Ninewa", "Kirkuk", "Basra"], "share": [0.25, 0.15, -2.25],
                      "people": [1234567, 89, 3], "rate": [2.345, 1234.5, 1.0]})
"""


def _cells(table) -> list[list[str]]:
    found = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in found if "<td" in row]


@pytest.mark.slow
def test_a_frame_shown_bare_in_a_report_notebook_follows_the_rule(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"from reportlib import Report\nreport = Report.open({str(DATA)!r})"),
        nbformat.v4.new_code_cell(FRAME + "frame"),
        nbformat.v4.new_code_cell('frame.attrs["decimals"] = {"rate": 2}\nframe'),
        nbformat.v4.new_code_cell('report.table(frame, decimals=0)'),
    ])
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [next(o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
             for cell in nb.cells[1:]]
    assert all("reportlib-block" in html and "<table" in html for html in shown)  # the report's table, not pandas'
    assert _cells(shown[0]) == [["Ninewa", "0.3", "1,234,567", "2.3"], ["Kirkuk", "0.2", "89", "1,234.5"],
                                ["Basra", "-2.3", "3", "1.0"]]
    assert [row[3] for row in _cells(shown[1])] == ["2.35", "1,234.50", "1.00"]
    assert [row[1] for row in _cells(shown[2])] == ["0", "0", "-2"]


def test_decimals_must_be_whole_numbers():
    import pandas as pd

    with pytest.raises(ValueError, match="decimals"):
        from_frame(pd.DataFrame({"x": [0.5]}), decimals={"x": 1.5})
    with pytest.raises(ValueError, match="decimals"):
        from_frame(pd.DataFrame({"x": [0.5]}), decimals=-1)
