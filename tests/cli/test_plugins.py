"""Extension by entry points: a package that reportlib does not know installs an importer
(`reportlib.importers`) and a report type (`reportlib.reports`), and the real command finds
them. The package is installed as pip installs one (its module and a dist-info folder with
METADATA and entry_points.txt) into a folder of its own that only the command's
PYTHONPATH names, so the test's environment is left as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import reportlib

from ..conftest import NOTEBOOK, assert_no_traceback, run_cli

IMPORTER = '''
"""Field tallies of patients in hospital, one line a day: DAY;PATIENTS."""
import datetime as dt
from pathlib import Path

from reportlib.importing import importer
from reportlib.inputs.dataset import load
from reportlib.inputs.importers import ImportReport, NewRow, Source, write_rows
from reportlib.inputs.schema import INDICATORS


@importer
def tallies(file, data, out, allow_changes):
    """Import field tallies of patients in hospital (DAY;PATIENTS a line).

    \\b
    Example:
      reportlib import tallies tallies.txt
    """
    today = dt.date.today()
    dataset = load(data, today)
    sheet = dataset.root / "indicators" / "tallies.csv"
    report = ImportReport(sheet, noun="value")
    rows = []
    for number, line in enumerate(Path(file).read_text(encoding="utf-8").splitlines(), 1):
        day, patients = line.split(";")
        rows.append(NewRow({"date": day, "indicator": "covid_hospitalised", "admin1": "", "value": patients,
                            "source": "Field tallies", "reference": "field-tallies", "notes": ""}, number))
    report.added = len(rows)
    source = Source("field-tallies", "Field tallies", "Monitor field team", "", "Tallied by hand.")
    write_rows(dataset, sheet, INDICATORS, rows, today, source, str(file), out, allow_changes, report)
    return report
'''


def install(site: Path, name: str, module: str, source: str, entry_points: str) -> None:
    """What `pip install --target site` leaves: the module, and its dist-info."""
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    install(folder, "monitor_tallies", "monitor_tallies", IMPORTER, """
        [reportlib.importers]
        tallies = monitor_tallies:tallies
    """)
    return folder


def env_with(site: Path) -> dict:
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH", "")]))}


def test_a_third_party_importer_is_a_subcommand_of_import(site):
    listed = run_cli("import", "--help", env=env_with(site))
    assert listed.returncode == 0, listed.stderr
    for name in ("acled", "owid", "tallies"):
        assert f"  {name} " in listed.stdout, listed.stdout
    helped = run_cli("import", "tallies", "--help", env=env_with(site))
    assert helped.returncode == 0, helped.stderr
    for text in ("reportlib import tallies tallies.txt", "--data", "--out", "--allow-changes"):
        assert text in helped.stdout
    # Without the package on the path the command does not know it.
    assert "tallies" not in run_cli("import", "--help").stdout


def test_a_third_party_importer_writes_checked_rows(site, data_copy, tmp_path):
    tallies = tmp_path / "tallies.txt"
    tallies.write_text("2020-12-05;210\n2020-12-06;198\n", encoding="utf-8")
    result = run_cli("import", "tallies", tallies, "--data", "data", "--out", "outputs", cwd=tmp_path,
                     env=env_with(site))
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    # The path as the user gave it (data/...), not resolved.
    assert result.stdout.splitlines()[0] == "added 2 values to data/indicators/tallies.csv"
    data = reportlib.load(data_copy)
    rows = data.indicators[data.indicators["reference"] == "field-tallies"]
    assert sorted(rows["value"].tolist()) == [198, 210]
    assert "field-tallies" in set(data.sources["reference"])
    # The importer's rows go through the same checks as the shipped importers' rows.
    tallies.write_text("2020-12-07;-4\n", encoding="utf-8")
    bad = run_cli("import", "tallies", tallies, "--data", "data", cwd=tmp_path, env=env_with(site))
    assert_no_traceback(bad)
    assert bad.returncode == 2
    assert "tallies.txt:1" in bad.stderr, bad.stderr


def test_a_third_party_report_type_is_found_by_name(site, tmp_path):
    shutil.copy(NOTEBOOK, site / "casualties.ipynb")
    install(site, "monitor_reports", "monitor_reports",
            "from pathlib import Path\nfrom reportlib.reports.shipped import ReportType\n"
            "CASUALTIES = ReportType('casualties', Path(__file__).with_name('casualties.ipynb'))\n", """
        [reportlib.reports]
        casualties = monitor_reports:CASUALTIES
    """)
    code = "from reportlib.reports import shipped; print(shipped.names(), shipped.resolve('casualties').name)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ,
                           **env_with(site)}, timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split("] ")[1].strip() == "casualties.ipynb"
    assert "'casualties', 'trends_report', 'weekly_report'" in found.stdout
    unknown = run_cli("build", "--notebook", "nope", "--data", "data", "--out", tmp_path / "o", env=env_with(site))
    assert unknown.returncode == 2
    assert "installed: casualties, trends_report, weekly_report" in unknown.stderr
