"""The publication records and everything else kept under data/publications/ are data-folder
files, hostile input like any other (SECURITY.md): each field of a record is checked on read
and a bad one named by its key, the site is written only inside its folder whatever a record
says, and every file read or appended to there is a regular file inside the data folder. The
folders a command is given never overlap. Each case runs the real CLI on a record published
from the shipped data (tests/publishing/standin.py), with a time and a memory limit where a
file could block or never end."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest

from reportlib.errors import DataError
from reportlib.inputs import records
from reportlib.publishing import mail, site

from ..batch.test_environment import immutable
from ..conftest import assert_no_traceback, run_cli
from ..inputs.test_hostile_files import run_limited
from .standin import ISSUE, publish_stand_in

RECORD = f"data/publications/{ISSUE}/record.json"


@pytest.fixture
def published(data_copy, tmp_path) -> Path:
    publish_stand_in(data_copy, tmp_path / "build")
    return data_copy


def record_json(data_root: Path) -> dict:
    return json.loads((data_root / "publications" / ISSUE / "record.json").read_text(encoding="utf-8"))


def write_record_json(data_root: Path, raw) -> None:
    text = raw if isinstance(raw, str) else json.dumps(raw, indent=1)
    (data_root / "publications" / ISSUE / "record.json").write_text(text, encoding="utf-8")


@contextlib.contextmanager
def refused(reason: str):
    """A DataError whose one problem gives `reason`."""
    with pytest.raises(DataError) as caught:
        yield
    assert len(caught.value.problems) == 1 and reason in str(caught.value.problems[0]), caught.value.problems


def everything(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def rebuild(data_root: Path, site_dir: Path):
    result = run_limited("publish", "--rebuild-site", "--data", data_root, "--site", site_dir, cwd=data_root.parent)
    assert_no_traceback(result)
    return result


def _set(raw: dict, key: str, value) -> None:
    """raw[...] = value for a key written as the messages name it: versions[0].files.pdf.path."""
    parts = key.replace("[", ".").replace("]", "").split(".")
    target = raw
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value


# (key, value written, what the message says): one case per rule, as tests/data/bad/ has for data files.
HOSTILE_FIELDS = [
    ("stem", "../../pwned-stem", "must be a file name of letters, digits, '-', '_' and '.'"),
    ("stem", "/tmp/pwned", "must be a file name"),
    ("versions[0].files.pdf.path", "../../../../../etc/passwd", "must be v1/report.pdf"),
    ("versions[0].files.html.path", "v1/../../../elsewhere.html", "must be v1/report.html"),
    ("versions[0].files.pdf.sha256", "not-hex", "must be a SHA-256 digest in hex"),
    ("issue", "2020-12-10", "must be 2020-12-03, the name of the record's folder"),
    ("start", "2020-13-40", "impossible date"),
    ("versions[0].date", 20201204, "must be a date written YYYY-MM-DD"),
    ("versions[0].number", "1", "must be a whole number"),
    ("versions[0].number", 2, "must be 1: versions are numbered from 1"),
    ("versions[0].status", "live", "must be 'published'"),
    ("versions[0].key_figures[0].value", "many", "must be a number or null"),
    ("versions[0].key_figures[0].value", 1e300, "must be a number from 0 to 10^15"),
    ("versions[0].key_figures[0].minimum", "yes", "must be true or false"),
    ("versions[0].key_figures", {"a": 1}, "must be a JSON list"),
    ("versions[0].headlines[0].headline", ["a list"], "must be text"),
    ("versions[0].content.incidents", [], "must be a JSON object of row digests"),
    ("versions[0].content_key", None, "must be a hexadecimal digest"),
    ("title", "Monitor\nBcc: everyone@example.org", "must be one line of text"),
    ("title", "Monitor\u2028Bcc: everyone@example.org", "must be one line of text"),
    ("title", "=HYPERLINK(\"http://x\")", "starts like a spreadsheet formula"),
    ("notebook", "../weekly_report.ipynb", "must be a notebook's file name"),
    ("synthetic", "no", "must be true or false"),
    ("language", "en\"><script>", "must be a language tag"),
    ("versions", [], "must list at least one version"),
]


@pytest.mark.parametrize(("key", "value", "message"), HOSTILE_FIELDS,
                         ids=[f"{key}={value!r}"[:60] for key, value, _ in HOSTILE_FIELDS])
def test_a_hostile_record_field_is_refused_by_key_and_nothing_is_written(published, tmp_path, key, value, message):
    """Issue 25: `"stem": "../../pwned-stem"` made `publish --rebuild-site` write four files
    two folders above site/<end>/, and a field of the wrong type crashed as a bug."""
    raw = record_json(published)
    _set(raw, key, value)
    write_record_json(published, raw)
    before = everything(tmp_path)
    result = rebuild(published, tmp_path / "site")
    assert result.returncode == 2, result.stderr
    assert "bug in reportlib" not in result.stderr
    assert f"{RECORD}: key {key}" in result.stderr and message in result.stderr, result.stderr
    assert everything(tmp_path) == before  # no site, and nothing two folders up


@pytest.mark.parametrize(("text", "reason"), [("{", "is not JSON"), ("[1, 2]", "must be a JSON object"),
                                              ("[" * 100_000 + "]" * 100_000, "is not JSON"),
                                              ('{"issue": "2020-12-03"}', "required key is missing")])
def test_a_record_that_is_not_a_record_is_named(published, tmp_path, text, reason):
    write_record_json(published, text)
    result = rebuild(published, tmp_path / "site")
    assert result.returncode == 2 and f"{RECORD}" in result.stderr and reason in result.stderr, result.stderr


def test_an_unknown_key_and_a_folder_not_named_after_an_issue_are_refused(published, tmp_path):
    raw = record_json(published)
    raw["versions"][0]["extra"] = 1
    write_record_json(published, raw)
    assert "key versions[0].extra: is not a key of a publication record" in rebuild(published, tmp_path / "s").stderr
    (published / "publications" / ISSUE).rename(published / "publications" / "latest")
    result = rebuild(published, tmp_path / "site")
    assert result.returncode == 2
    assert "data/publications/latest: is not named after an issue's period end" in result.stderr


def test_the_site_writer_refuses_any_path_outside_the_site(published, tmp_path):
    """Whatever reaches it: a name that climbs out, an absolute one, or a link inside the
    site folder that leads elsewhere."""
    root = tmp_path / "site"
    root.mkdir()
    for relative in ("../pwned.html", "/tmp/pwned.html", f"{ISSUE}/../../pwned.html"):
        with refused("lies outside the site folder"):
            site.inside(root, relative)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ISSUE).symlink_to(elsewhere)
    with refused("lies outside the site folder"):
        site.write_site(published, root)
    assert list(elsewhere.iterdir()) == []


# -- files under data/publications/ -----------------------------------------------------------

@pytest.mark.parametrize("name", ["record.json", "v1/report.pdf"])
@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "outside"])
def test_a_kept_file_that_is_a_device_a_pipe_or_a_link_out_is_refused_without_reading_it(
        published, tmp_path, name, kind):
    """Issue 25: a link to /dev/zero ran out of memory and a FIFO hung; both are now refused
    by the data folder's one reader, as in the data files."""
    path = published / "publications" / ISSUE / name
    kept = path.read_bytes()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
        reason = "is a named pipe (FIFO), not a regular file"
    elif kind == "outside":
        (tmp_path / "copy").write_bytes(kept)
        path.symlink_to(tmp_path / "copy")
        reason = f"is a link to {tmp_path / 'copy'}, outside the data folder"
    else:
        path.symlink_to(kind)
        reason = "is a link to /dev/zero, outside the data folder"
    result = rebuild(published, tmp_path / "site")
    assert result.returncode == 2, result.stderr
    assert f"data/publications/{ISSUE}/{name}: {reason}" in result.stderr


def test_the_send_log_is_appended_to_only_inside_the_data_folder(published, tmp_path):
    """Issue 25: a send log linked to a file elsewhere had each attempt appended to it."""
    log = published / "publications" / ISSUE / records.SEND_LOG
    outside = tmp_path / "outside.log"
    outside.write_text("someone else's log\n", encoding="utf-8")
    log.symlink_to(outside)
    with refused(f"leads to {outside}, outside the data folder"), mail.SendLog(log):
        pass
    assert outside.read_text(encoding="utf-8") == "someone else's log\n"
    log.unlink()
    os.mkfifo(log)
    with refused("is a named pipe"), mail.SendLog(log):
        pass
    log.unlink()
    with mail.SendLog(log) as sends:  # a regular file is kept as before
        sends.add(issue=ISSUE, version=1, address="a@example.org", attempt=1, result="delivered", answer="250")
    assert json.loads(log.read_text(encoding="utf-8"))["address"] == "a@example.org"


def test_a_record_written_through_a_link_out_of_the_data_folder_is_refused(published, tmp_path):
    """The writer as much as the reader: publications/ linked elsewhere is not written to."""
    record = records.read(published, ISSUE)
    elsewhere = tmp_path / "elsewhere"
    (published / "publications").rename(elsewhere)
    (published / "publications").symlink_to(elsewhere)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    with refused("outside the data folder"):
        records.read(published, ISSUE)
    record.title = "Changed"
    with refused("outside the data folder"):
        records.write(published, record)
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before


def test_new_period_never_writes_through_a_link_out_of_the_data_folder(data_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (data_copy / "incidents").symlink_to(elsewhere)
    result = run_cli("new-period", "--end", "2020-12-10", "--data", data_copy)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "outside the data folder" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert not (data_copy / "issues" / "2020-12-10.yaml").exists()  # every file or none


# -- the folders a command is given -----------------------------------------------------------

@pytest.mark.parametrize(("args", "said"), [
    (["publish", "--rebuild-site", "--site", "outputs", "--out", "outputs"], "are the same folder"),
    (["publish", "--rebuild-site", "--site", "outputs/site"], "overlap: one lies inside the other"),
    (["publish", "--rebuild-site", "--site", "data/site"], "overlap: one lies inside the other"),
    (["build", "--out", "data/outputs"], "overlap: one lies inside the other"),
    (["import", "owid", "data/sources.csv", "--country", "Iraq", "--out", "data"], "are the same folder"),
    (["correct", "--period-end", ISSUE, "--note", "x", "--site", "."], "overlap: one lies inside the other"),
])
def test_overlapping_folders_are_refused_before_anything_is_written(published, args, said):
    """Issue 25: `--site outputs` replaced the built report and the archive page; a site or
    outputs folder inside the data folder filled the committed data with generated files."""
    before = everything(published.parent)
    result = run_cli(*args, "--data", "data", cwd=published.parent)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "must be separate folders" in result.stderr
    assert everything(published.parent) == before


def test_a_site_that_is_a_dangling_link_is_named(published, tmp_path):
    """It used to end in "File exists"."""
    (tmp_path / "nowhere").symlink_to(tmp_path / "gone")
    result = run_cli("publish", "--rebuild-site", "--data", published, "--site", tmp_path / "nowhere")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert f"--site {tmp_path / 'nowhere'} is a link to {tmp_path / 'gone'}, which does not exist" in result.stderr
    assert not (tmp_path / "gone").exists()


def test_an_immutable_site_folder_is_an_environment_error(published, tmp_path):
    """Exit 3 with the path and the reason, as the README promises for a folder that cannot be
    written; it used to exit 1."""
    with immutable(tmp_path / "site") as folder:
        result = run_cli("publish", "--rebuild-site", "--data", published, "--site", folder)
        assert_no_traceback(result)
        assert result.returncode == 3, result.stderr
        assert "not permitted" in result.stderr and str(folder) in result.stderr


# -- --date ---------------------------------------------------------------------------------------

def test_date_is_not_ignored_when_publishing_again_and_a_future_date_is_refused(published, tmp_path):
    def publish(*args):
        result = run_cli("publish", "--period-end", ISSUE, "--data", published, "--site", tmp_path / "site", *args)
        assert_no_traceback(result)
        return result

    again = publish("--date", "2020-12-10")
    assert again.returncode == 2
    assert "was published on 2020-12-04 (version 1); --date 2020-12-10 cannot change the day" in again.stderr
    future = publish("--date", "2190-01-01")
    assert future.returncode == 2 and "--date 2190-01-01 is in the future" in future.stderr
    same = publish("--date", "2020-12-04")
    assert same.returncode == 0, same.stderr
    assert "already published (version 1, added to the archive on 2020-12-04)" in same.stdout
