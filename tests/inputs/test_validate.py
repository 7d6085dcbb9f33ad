"""`reportlib validate` and `reportlib build` on good data and on the bad-input corpus under
tests/data/bad/."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import reportlib

from ..conftest import BAD, DATA, GOOD, NOTEBOOK, assert_no_traceback, run_cli

CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
REFUSED = [case for case in CASES
           if yaml.safe_load((BAD / case / "expect.yaml").read_text(encoding="utf-8"))["exit"] == 2]


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


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_covers_enough_cases():
    assert len(CASES) >= 45
    assert len(REFUSED) >= 40


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_precisely(case, tmp_path):
    data, spec = overlay(case, tmp_path)
    result = run_cli("validate", "--data", data, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == spec["exit"], result.stderr
    for message in spec["messages"]:
        assert message in result.stderr, f"expected {message!r} in:\n{result.stderr}"
    if spec["exit"] == 2:
        assert "nothing was written" in result.stderr
        assert "OK" not in result.stdout


def build_case(case: str, folder: Path) -> dict:
    """`reportlib build` on the case's data; what it printed and what it left behind."""
    data, spec = overlay(case, folder)
    before = files_under(folder)
    out = folder / "outputs"
    result = run_cli("build", "--data", data, "--out", out, "--notebook", NOTEBOOK, cwd=folder)
    return {"spec": spec, "result": result, "before": before, "after": files_under(folder),
            "outputs": [p for p in out.rglob("*") if p.is_file()]}


@pytest.fixture(scope="module")
def refused_builds(request, tmp_path_factory):
    """The builds of the refused cases selected in this run, run side by side: each spends
    most of its time starting Python, not checking data."""
    test = "test_bad_input_stops_the_build_before_anything_is_written"
    selected = [item.callspec.params["case"] for item in request.session.items
                if getattr(item, "originalname", "") == test]
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    try:
        yield {case: pool.submit(build_case, case, tmp_path_factory.mktemp(case)) for case in selected}
    finally:
        pool.shutdown(cancel_futures=True)


@pytest.mark.parametrize("case", REFUSED)
def test_bad_input_stops_the_build_before_anything_is_written(case, refused_builds):
    built = refused_builds[case].result()
    result = built["result"]
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    for message in built["spec"]["messages"]:
        assert message in result.stderr, f"expected {message!r} in:\n{result.stderr}"
    assert "nothing was written" in result.stderr
    assert built["outputs"] == []
    assert built["after"] == built["before"]


def test_arabic_and_kurdish_text_survives_loading(tmp_path):
    data, _ = overlay("arabic-kurdish-text-valid", tmp_path)
    loaded = reportlib.load(data)
    row = loaded.incidents.set_index("event_id_cnty").loc["T-1"]
    assert row["admin1"] == "Ninewa"  # written نينوى, the Arabic name
    assert row["location"] == "الموصل"
    assert row["notes"] == "عبوة ناسفة على الطريق، قالت الشرطة"
    events = loaded.issues[0].section_events("politics")
    assert events[0].text == "the council met in هەولێر (هەرێمی کوردستان)."


@pytest.mark.parametrize("period", [["--period-end", "../../etc"], ["--start", "2020-11-19", "--end", "../../etc"],
                                    ["--period-end", "2020-12-03/../../../etc"]])
def test_build_refuses_a_period_that_is_not_a_date(period, good_copy, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    before = files_under(tmp_path)
    result = run_cli("build", *period, "--data", good_copy, "--out", work / "outputs", "--notebook", NOTEBOOK,
                     cwd=work)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert f"{period[-1]!r}: not a date in YYYY-MM-DD form" in result.stderr
    assert files_under(tmp_path) == before
    assert not (tmp_path / "etc").exists() and not (work / "outputs").exists()


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
