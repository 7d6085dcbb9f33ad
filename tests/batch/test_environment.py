"""Errors of the machine are named as such: a read-only or immutable output folder and a disk
that fills up end the build with the path, the reason and exit status 3, never "a bug in
reportlib", and the previous report stays. The folders are made for real: a read-only bind
mount, an immutable folder (chattr +i: root ignores file modes), a small tmpfs, all needing
root's capabilities; and a folder whose mode forbids writing, which binds any process but one
with root's capabilities. .ci/run runs both kinds (`make test-unprivileged`); elsewhere a test
this machine cannot run says why it is skipped, and in CI it fails instead."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import DATA, assert_no_traceback, run_cli, unavailable

pytestmark = pytest.mark.slow

PERIOD = "2020-12-03"


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True)


@contextlib.contextmanager
def read_only(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    bound = _run("mount", "--bind", str(folder), str(folder))
    if bound.returncode != 0:
        unavailable(f"cannot bind-mount here ({bound.stderr.strip()}): needs root with CAP_SYS_ADMIN")
    try:
        remounted = _run("mount", "-o", "remount,bind,ro", str(folder))
        if remounted.returncode != 0:
            unavailable(f"cannot remount read-only ({remounted.stderr.strip()})")
        yield folder
    finally:
        _run("umount", str(folder))


@contextlib.contextmanager
def immutable(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    made = _run("chattr", "+i", str(folder))
    if made.returncode != 0:
        unavailable(f"cannot make a folder immutable here ({made.stderr.strip() or 'no chattr'})")
    try:
        yield folder
    finally:
        _run("chattr", "-i", str(folder))


@contextlib.contextmanager
def small_disk(folder: Path, size: int):
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    if mounted.returncode != 0:
        unavailable(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): needs root with CAP_SYS_ADMIN")
    try:
        yield folder
    finally:
        _run("umount", str(folder))


def assert_environment_error(result, reason: str, where: Path) -> None:
    assert_no_traceback(result)
    assert result.returncode == 3, result.stderr
    assert "bug in reportlib" not in result.stderr
    assert reason in result.stderr
    assert str(where) in result.stderr


@pytest.mark.privileged
@pytest.mark.parametrize(("make", "reason"), [(read_only, "the file system is read-only"),
                                              (immutable, "not permitted")], ids=["read-only", "immutable"])
def test_an_output_folder_that_cannot_be_written(tmp_path, make, reason):
    out = tmp_path / "outputs"
    with make(out):
        result = run_cli("build", "--data", DATA, "--out", out)
        assert_environment_error(result, reason, out)
        assert list(out.iterdir()) == []


@pytest.mark.unprivileged
def test_an_output_folder_without_write_permission(tmp_path):
    """What most users meet: a folder whose mode forbids writing (root ignores modes, so this
    runs without root's capabilities)."""
    out = tmp_path / "outputs"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run_cli("build", "--data", DATA, "--out", out)
        assert_environment_error(result, "permission denied", out)
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


@pytest.mark.privileged
def test_a_full_disk_while_staging_the_report(tmp_path):
    out = tmp_path / "outputs"
    with small_disk(out, 64 * 1024):
        result = run_cli("build", "--data", DATA, "--out", out)
        assert_environment_error(result, "the disk is full", out)
        assert not list(out.glob(f"{PERIOD}/.staging-*"))


@pytest.fixture(scope="module")
def sizes(tmp_path_factory) -> dict[str, int]:
    out = tmp_path_factory.mktemp("sizes") / "outputs"
    result = run_cli("build", "--data", DATA, "--out", out)
    assert result.returncode == 0, result.stderr
    outputs = json.loads((out / PERIOD / "manifest.json").read_text())["outputs"]
    return {name: info["bytes"] for name, info in outputs.items()}


@pytest.mark.privileged
def test_a_full_disk_while_printing_the_pdf(tmp_path, sizes):
    """Room for the notebook and the page, not for the PDF: the printing process's error
    comes back as the machine's."""
    out = tmp_path / "outputs"
    page = 4096
    room = sum(-(-sizes[name] // page) * page for name in ("report.ipynb", "report.html")) + 4 * page
    assert room < sizes["report.ipynb"] + sizes["report.html"] + sizes["report.pdf"]
    with small_disk(out, room):
        result = run_cli("build", "--data", DATA, "--out", out)
        assert_environment_error(result, "the disk is full", out)
        assert "report.pdf" in result.stderr


@pytest.mark.privileged
def test_a_full_disk_in_a_batch(tmp_path):
    demo, out = tmp_path / "demo", tmp_path / "outputs"
    assert run_cli("demo-data", "--weeks", 2, "--incidents-per-week", 10, "--data", demo).returncode == 0
    with small_disk(out, 64 * 1024):
        result = run_cli("build", "--data", demo, "--out", out, "--from", "2000-01-01", "--to", "2100-01-01")
        assert_environment_error(result, "the disk is full", out)
        assert "built 0, skipped 0, failed 2" in result.stdout
    shutil.rmtree(demo)
