"""`reportlib validate` on good data and on the bad-input corpus under tests/data/bad/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import BAD, DATA, GOOD, assert_no_traceback, run_cli

CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def test_shipped_data_is_valid():
    result = run_cli("validate", "--data", DATA)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def overlay(case: str, tmp_path: Path) -> tuple[Path, dict]:
    """The small good data with the case's files laid over it, as tmp_path/data."""
    target = tmp_path / "data"
    shutil.copytree(GOOD, target)
    source = BAD / case
    for path in source.rglob("*"):
        if path.is_file() and path.name != "expect.yaml":
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    for path in source.rglob("*.delete"):
        (target / path.relative_to(source).with_suffix("")).unlink()
        (target / path.relative_to(source)).unlink()
    spec = yaml.safe_load((source / "expect.yaml").read_text(encoding="utf-8"))
    return target, spec


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_precisely(case, tmp_path):
    data, spec = overlay(case, tmp_path)
    result = run_cli("validate", "--data", data, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == spec["exit"], result.stderr
    for message in spec["messages"]:
        assert message in result.stderr, f"expected {message!r} in:\n{result.stderr}"


def test_seed_copy_with_three_faults_names_each(data_copy, tmp_path):
    path = data_copy / "incidents.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Iraqis,10,5,true", "Iraqis,10,-5,true")
    text = text.replace("ISHM-20201203-03,2020-11-29", "ISHM-20201203-03,2020-13-45")
    text = text.replace("protest violence,Wasit,Kut", "protest violence,Atlantis,Kut")
    path.write_text(text, encoding="utf-8")
    result = run_cli("validate", "--data", data_copy, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    for expected in ("data/incidents.csv:2: column fatalities: value '-5': negative count",
                     "data/incidents.csv:4: column event_date: value '2020-13-45': impossible date",
                     "data/incidents.csv:10: column admin1: value 'Atlantis': unknown governorate"):
        assert any(line.startswith(expected) for line in lines), expected
    assert "3 problems found" in result.stderr


def test_missing_data_folder_is_a_clear_error(tmp_path):
    result = run_cli("validate", "--data", tmp_path / "nowhere", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
