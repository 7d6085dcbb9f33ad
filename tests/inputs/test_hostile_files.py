"""Files that are not what their names say: a named pipe, a device, a link out of the data
folder. git can hold none of them (a pipe) or should not (a link to /etc/passwd), so each
test makes its own. Every reader of data (CSV sheets, YAML files, the cache key's hashing,
the file given to `reportlib import`) reads through datafolder.read_file, so each case is
refused with one line naming the file and the reason, at once: the commands run with a
time limit (a pipe used to block forever) and a memory limit (/dev/zero used to be read
until memory ran out)."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys

import pytest

from reportlib.errors import DataError
from reportlib.inputs import datafolder

from ..conftest import ROOT, assert_no_traceback, unavailable

MEMORY = 3 * 2**30  # far more than validating the small data takes, far less than /dev/zero fills


def run_limited(*args, cwd, timeout: float = 60) -> subprocess.CompletedProcess:
    """`reportlib ARGS` in a subprocess that may neither block nor fill the memory."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    try:
        return subprocess.run([sys.executable, "-m", "reportlib", *map(str, args)], cwd=cwd, capture_output=True,
                              text=True, timeout=timeout, preexec_fn=limit, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        pytest.fail(f"`reportlib {' '.join(map(str, args))}` was still reading after {timeout} s")


def refused(result, shown: str, reason: str) -> None:
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert f"{shown}: {reason}" in result.stderr, result.stderr
    assert "nothing was written" in result.stderr


@pytest.mark.parametrize("name", ["incidents.csv", "incidents/pipe.csv", "indicators/.hidden.csv", "sources.csv",
                                  "issues/2020-12-10.yaml", "monitor.yaml"])
def test_a_named_pipe_anywhere_in_the_data_is_refused_without_blocking(name, good_copy, tmp_path):
    path = good_copy / name
    path.parent.mkdir(exist_ok=True)
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    result = run_limited("validate", "--data", good_copy, cwd=tmp_path)
    refused(result, f"data/{name}", "is a named pipe (FIFO), not a regular file; only regular files are read")


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd"])
def test_a_link_out_of_the_data_folder_is_refused_and_not_read(target, good_copy, tmp_path):
    (good_copy / "incidents").mkdir()
    (good_copy / "incidents" / "linked.csv").symlink_to(target)
    result = run_limited("validate", "--data", good_copy, cwd=tmp_path)
    refused(result, "data/incidents/linked.csv", f"is a link to {target}, outside the data folder")
    assert "root:" not in result.stderr  # not a line of /etc/passwd


def test_a_link_out_of_the_data_folder_is_refused_for_an_issue_file_and_the_build(good_copy, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_bytes((good_copy / "issues" / "2020-12-03.yaml").read_bytes())
    (good_copy / "issues" / "2020-12-03.yaml").unlink()
    (good_copy / "issues" / "2020-12-03.yaml").symlink_to(outside)
    out = tmp_path / "outputs"
    result = run_limited("build", "--data", good_copy, "--out", out, "--notebook",
                         ROOT / "notebooks" / "weekly_report.ipynb", cwd=tmp_path, timeout=120)
    refused(result, "data/issues/2020-12-03.yaml", f"is a link to {outside}, outside the data folder")
    assert not out.exists()


def test_a_broken_link_and_a_folder_named_like_a_sheet_are_refused(good_copy, tmp_path):
    (good_copy / "incidents").mkdir()
    (good_copy / "incidents" / "gone.csv").symlink_to("nowhere.csv")
    (good_copy / "incidents" / "folder.csv").mkdir()
    result = run_limited("validate", "--data", good_copy, cwd=tmp_path)
    refused(result, "data/incidents/gone.csv", "is a link to nowhere.csv, which does not exist")
    refused(result, "data/incidents/folder.csv", "is a folder, not a regular file")


@pytest.mark.privileged
def test_a_device_node_in_the_data_folder_is_refused(good_copy, tmp_path):
    path = good_copy / "incidents.csv"
    path.unlink()
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # the numbers of /dev/zero
    except PermissionError:
        unavailable("making a device node needs CAP_MKNOD")
    result = run_limited("validate", "--data", good_copy, cwd=tmp_path)
    refused(result, "data/incidents.csv", "is a character device, not a regular file")


def test_links_that_stay_inside_the_data_folder_are_read(good_copy, tmp_path):
    """A link is judged by where it leads: a sheet linked from inside the folder is data,
    and a data folder given by a link is the folder it leads to."""
    (good_copy / "incidents").mkdir()
    (good_copy / "archive").mkdir()
    (good_copy / "incidents.csv").rename(good_copy / "archive" / "incidents.csv")
    (good_copy / "incidents" / "all.csv").symlink_to(good_copy / "archive" / "incidents.csv")
    (tmp_path / "data-link").symlink_to(good_copy)
    result = run_limited("validate", "--data", tmp_path / "data-link", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 incident rows" in result.stdout


@pytest.mark.parametrize("command", [["import", "acled"], ["import", "owid", "--country", "Iraq"]])
@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_the_file_given_to_import_must_be_a_regular_file(command, kind, data_copy, tmp_path):
    if kind == "pipe":
        given = tmp_path / "export.csv"
        os.mkfifo(given)
        reason = "is a named pipe (FIFO), not a regular file"
    else:
        given = tmp_path / "export.csv"
        given.symlink_to("/dev/zero")  # the import's input may live anywhere; it must be a file
        reason = "is a character device, not a regular file"
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}
    result = run_limited(*command[:2], given, *command[2:], "--data", data_copy, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()} == before


def test_read_file_opens_nothing_but_a_regular_file(tmp_path):
    inside = tmp_path / "data"
    inside.mkdir()
    (inside / "ok.csv").write_bytes(b"a\n1\n")
    os.mkfifo(inside / "pipe.csv")
    (inside / "out.csv").symlink_to("/etc/hostname")
    assert datafolder.read_file(inside / "ok.csv", "ok.csv", inside.resolve()) == b"a\n1\n"
    for name in ("pipe.csv", "out.csv", "missing.csv"):
        with pytest.raises(DataError) as raised:
            datafolder.read_file(inside / name, name, inside.resolve())
        (problem,) = raised.value.problems
        assert problem.file == name and problem.line is None
