"""The command line's conventions, each through the real command: -q/-v, -V/--version, bare
`reportlib`, shell completion, one name for one thing (old spellings hidden, working, with a
warning), --timeout above 0, paths as given, the command's own time, one error style, and a
progress line that leaves nothing behind."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportlib.batch.progress import CLEAR_TO_END

from ..conftest import DATA, ROOT, assert_no_traceback, run_cli

COMMAND = Path(sys.executable).parent / "reportlib"  # the console script: completion reads its name


def test_version_long_and_short():
    for flag in ("-V", "--version"):
        result = run_cli(flag)
        assert result.returncode == 0, result.stderr
        assert re.fullmatch(r"reportlib, version \d+\.\d+\.\d+\n", result.stdout), result.stdout


def test_bare_command_prints_help_to_stdout_and_succeeds():
    result = run_cli()
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: ")
    assert "Commands:" in result.stdout and "-q, --quiet" in result.stdout and "-V, --version" in result.stdout
    group = run_cli("import")  # a group without its command: its help, the same way
    assert group.returncode == 0 and group.stderr == ""
    assert group.stdout.startswith("Usage: reportlib import ") and "  acled " in group.stdout


def test_quiet_keeps_results_and_errors_only(good_copy):
    sources = good_copy / "sources.csv"
    sources.write_bytes(b"\xef\xbb\xbf" + sources.read_bytes())  # a warning: the mark Excel adds
    loud = run_cli("validate", "--data", good_copy)
    quiet = run_cli("-q", "validate", "--data", good_copy)
    assert loud.returncode == quiet.returncode == 0
    assert "warning: " in loud.stderr and "byte-order mark" in loud.stderr
    assert quiet.stderr == ""
    assert quiet.stdout == loud.stdout and ": OK: " in quiet.stdout
    failed = run_cli("-q", "build", "--period-end", "2020-13-01", "--data", good_copy)
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: --period-end '2020-13-01': impossible date")
    both = run_cli("-q", "-v", "validate", "--data", good_copy)
    assert both.returncode == 2 and both.stderr.startswith("error: give -q or -v, not both")


def test_shell_completion_is_click_s_and_documented():
    script = subprocess.run([COMMAND], env={**os.environ, "_REPORTLIB_COMPLETE": "bash_source"},
                            capture_output=True, text=True, timeout=120)
    assert script.returncode == 0, script.stderr
    assert "complete -o nosort -F" in script.stdout
    words = subprocess.run([COMMAND], env={**os.environ, "_REPORTLIB_COMPLETE": "bash_complete",
                                           "COMP_WORDS": "reportlib new-p", "COMP_CWORD": "1"},
                           capture_output=True, text=True, timeout=120)
    assert words.stdout.split() == ["plain,new-period"]
    options = subprocess.run([COMMAND], env={**os.environ, "_REPORTLIB_COMPLETE": "bash_complete",
                                             "COMP_WORDS": "reportlib new-period --", "COMP_CWORD": "2"},
                             capture_output=True, text=True, timeout=120)
    offered = {line.split(",", 1)[1] for line in options.stdout.split()}
    assert "--period-end" in offered and "--end" not in offered  # old spellings are not offered
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "_REPORTLIB_COMPLETE=bash_source reportlib" in readme


@pytest.mark.parametrize(("command", "old", "new"), [
    (["new-period"], "--end", "--period-end"),
    (["demo-data"], "--out", "--data"),
    (["demo-data"], "--end", "--period-end"),
    (["import", "owid"], "--since", "--from"),
    (["import", "owid"], "--until", "--to"),
])
def test_old_spellings_are_hidden_from_help(command, old, new):
    shown = run_cli(*command, "--help").stdout
    assert re.search(rf"^\s+{re.escape(new)}\b", shown, re.M), shown
    assert not re.search(rf"^\s+(-\w, )?{re.escape(old)}\b", shown, re.M), shown


def test_old_spellings_still_work_with_a_warning(data_copy, tmp_path):
    scaffolded = run_cli("new-period", "--end", "2020-12-10", "--data", data_copy)
    assert scaffolded.returncode == 0, scaffolded.stderr
    assert "warning: --end is the old name of --period-end" in scaffolded.stderr
    assert (data_copy / "issues" / "2020-12-10.yaml").is_file()
    demo = tmp_path / "demo"
    written = run_cli("demo-data", "--weeks", "1", "--out", demo)
    assert written.returncode == 0, written.stderr
    assert "warning: demo-data --out is the old name of --data" in written.stderr
    assert (demo / "monitor.yaml").is_file()
    new = run_cli("demo-data", "--weeks", "1", "--data", tmp_path / "demo2")
    assert new.returncode == 0 and new.stderr == ""


def test_owid_takes_from_and_to(data_copy, tmp_path):
    owid = ROOT / "tests" / "data" / "imports" / "owid_2022_layout.csv"
    result = run_cli("import", "owid", owid, "--country", "Iraq", "--from", "2020-11-20", "--to", "2020-11-21",
                     "--data", data_copy, "--out", tmp_path / "outputs")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "rows outside --from/--to" in result.stdout
    old = run_cli("import", "owid", owid, "--country", "Iraq", "--since", "2020-11-20", "--until", "2020-11-21",
                  "--data", data_copy, "--out", tmp_path / "outputs")
    assert old.returncode == 0, old.stderr
    assert "warning: --since is the old name of --from" in old.stderr


@pytest.mark.parametrize("value", ["0", "-5"])
def test_timeout_must_be_above_zero(value, tmp_path):
    out = tmp_path / "outputs"
    result = run_cli("build", "--timeout", value, "--data", DATA, "--out", out)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr == f"error: --timeout {value}: give a number of seconds above 0\n"
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["build", "--no-such-option"], "error: No such option '--no-such-option'."),
    (["correct", "--note", "x"], "error: Missing option '--period-end'."),
    (["build", "--kernels", "warm"], "error: Invalid value for '--kernels'"),
    (["no-such-command"], "error: No such command 'no-such-command'."),
])
def test_click_s_usage_errors_in_reportlib_s_style(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(message), result.stderr
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr
    assert re.fullmatch(r"  `reportlib( [\w-]+)?( [\w-]+)? --help` lists the options, with examples", lines[1]), lines


@pytest.mark.slow
def test_build_prints_paths_as_given_and_the_command_s_time(data_copy):
    work = data_copy.parent
    started = time.perf_counter()
    built = run_cli("-v", "build", "--data", "data", "--out", "out", cwd=work)
    took = time.perf_counter() - started
    assert_no_traceback(built)
    assert built.returncode == 0, built.stderr
    line = built.stdout.strip()
    match = re.fullmatch(r"(\S+): built in (\d+\.\d) s -> out/\1/report\.pdf", line)
    assert match, line
    seconds = float(match.group(2))
    stages = dict(re.findall(r"(\w+) (\d+\.\d\d) s", built.stderr.split("stages: ")[1]))
    # The whole command's time: more than the build's own (which -v lists), less than the run.
    assert float(stages["total"]) < seconds <= took + 0.1
    again = run_cli("-q", "build", "--data", "data", "--out", "out", cwd=work)
    assert again.returncode == 0
    assert again.stderr == ""
    assert again.stdout.strip().endswith(f"--force rebuilds. out/{match.group(1)}/")


@pytest.mark.slow
def test_the_progress_line_is_cleared_to_its_end_on_a_terminal(tmp_path):
    demo = tmp_path / "demo"
    assert run_cli("demo-data", "--weeks", "2", "--incidents-per-week", "5", "--data", demo).returncode == 0
    main, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "reportlib", "build", "--data", demo, "--out", tmp_path / "o",
                                "--from", "2021-01-01", "--to", "2021-12-31", "-j", "1"],
                               stdout=subprocess.PIPE, stderr=secondary, cwd=ROOT)
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 600)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate(timeout=600)
    os.close(main)
    assert process.returncode == 0, seen.decode(errors="replace")
    text = seen.decode()
    redraws = re.findall(r"\r(\[[#-]+\] [^\r\n]*?)" + re.escape(CLEAR_TO_END), text)
    assert len(redraws) == 2, text  # one redraw a period, each cleared to the end of the line
    assert b"built 2, skipped 0, failed 0" in out


@pytest.mark.slow
def test_a_failed_build_names_its_kept_notebook_as_given(good_copy):
    # The small test data has no armed_groups section, which the weekly notebook shows.
    failed = run_cli("build", "--data", "data", "--out", "out", cwd=good_copy.parent)
    assert_no_traceback(failed)
    assert failed.returncode == 1
    assert "KeyError: 'armed_groups'" in failed.stderr
    assert "  the executed notebook is kept for debugging: out/2020-12-03/report.failed.ipynb\n" in failed.stderr
