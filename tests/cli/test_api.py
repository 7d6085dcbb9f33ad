"""The Python API (reportlib.build, reportlib.build_range): the README's example run as a
scheduler would run it, and its errors carrying the command's exit status."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

from ..conftest import ROOT, assert_no_traceback


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## From Python"):]
    block = re.search(r"\n\n((?:    .*\n|\n)+?)\n(?=\S)", section).group(1)
    return "\n".join(line[4:] for line in block.rstrip().splitlines())


def run_python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_readme_example_builds_then_finds_the_range_up_to_date(data_copy, tmp_path):
    example = readme_example()
    assert "reportlib.build(" in example and "reportlib.build_range(" in example
    result = run_python(example, tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "built outputs/2020-12-03"
    assert re.fullmatch(r"built 0, skipped 1, failed 0 in \d+\.\d s", lines[1]), lines
    for name in ("report.html", "report.pdf", "report.ipynb", "manifest.json"):
        assert (tmp_path / "outputs" / "2020-12-03" / name).is_file()
    assert (tmp_path / "outputs" / "index.html").is_file()
    # The progress lines went to stderr, as the command's do.
    assert "2020-12-03: executing weekly_report.ipynb" in result.stderr
    # Called again: up to date, by the quick check, with the same folder.
    again = run_python("import reportlib; b = reportlib.build(data='data', out='outputs'); "
                       "print(b.status, b.folder)", tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "skipped outputs/2020-12-03"


def test_errors_carry_the_command_s_exit_status(data_copy, tmp_path):
    code = """
import reportlib
for call in (lambda: reportlib.build("2020-12-04", data="data", out="outputs"),
             lambda: reportlib.build(start="2020-12-01", data="data"),
             lambda: reportlib.build(data="data", params={"period_end": "2020-12-03"}),
             lambda: reportlib.build_range("2020-12-31", "2020-01-01", data="data"),
             lambda: reportlib.build(data="data", notebook="no_such_report")):
    try:
        call()
    except reportlib.ReportlibError as exc:
        print(exc.exit_code, type(exc).__name__, str(exc).splitlines()[0][:60])
"""
    result = run_python(code, tmp_path)
    assert_no_traceback(result)
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["2"] * 5, result.stdout + result.stderr
    assert "--start and --end go together" in lines[1]
    assert "before --from" in lines[3]
    assert "no_such_report" in lines[4]
    assert not (tmp_path / "outputs").exists()


PUBLIC = ["build", "build_range", "publish", "correct", "send", "validate", "new_period", "load", "demo_data"]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_command_is_a_typed_documented_function_of_reportlib(name):
    import inspect

    import reportlib

    function = getattr(reportlib, name)
    signature = inspect.signature(function)
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()
               if p.kind is not p.VAR_KEYWORD), signature
    assert ">>> " in (function.__doc__ or ""), f"reportlib.{name} has no example"
    assert f"reportlib.{name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_public_functions_stay_functions_once_every_subpackage_is_imported():
    """A subpackage named like a public function would replace it on import (reportlib.publish)."""
    import importlib
    import pkgutil

    import reportlib

    for module in pkgutil.iter_modules(reportlib.__path__, "reportlib."):
        if module.name != "reportlib.__main__":
            importlib.import_module(module.name)
    for name in PUBLIC:
        assert callable(getattr(reportlib, name)) and not inspect.ismodule(getattr(reportlib, name)), name


def test_the_command_line_is_a_layer_over_reportlib_api():
    """cli.py reaches the batch, publishing and the data only through reportlib.api."""
    import ast

    tree = ast.parse((ROOT / "reportlib" / "cli.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
    assert not {m for m in imported if m and m.split(".")[0] in ("batch", "publish", "inputs", "render")}, imported


def test_build_options_hold_every_default_once():
    import reportlib

    options = reportlib.BuildOptions()
    assert (options.timeout, options.kernels, options.force, options.jobs) == (600, "forked", False, None)
    assert str(options.data) == "data" and str(options.out) == "outputs"
    with pytest.raises(reportlib.ReportlibError, match="--timeout 0: give a number of seconds above 0"):
        reportlib.BuildOptions(timeout=0)
    with pytest.raises(reportlib.ReportlibError, match="unknown build option"):
        reportlib.build(data="data", tiemout=5)
