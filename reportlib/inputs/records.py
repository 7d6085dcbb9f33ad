"""Publication records: what was published of each issue, and when, kept in the data folder
beside the data it was built from.

    data/publications/2020-12-03/record.json     the issue's versions, newest last
    data/publications/2020-12-03/v1/report.pdf   the files of version 1 as published
    data/publications/2020-12-03/v1/report.html
    data/publications/2020-12-03/v1/incidents.csv    the HXL exports
    data/publications/2020-12-03/v1/indicators.csv
    data/publications/2020-12-03/sends.jsonl     every mail attempt (reportlib.publishing.mail)

Two days are kept apart: the issue's own date (`Record.issue_date`: the day its document was
published, else its period's last day) and the day each version was added to the archive
(`Version.date`), which for an issue entered years later, a backfill, is much later. Pages,
feed and messages name each with its label, never the one for the other.

Version 1 is the issue as first published; each correction adds a version with the date, the
note and what changed. A correction is recorded as pending before its report is built (the
report prints its notice, and the build's key covers it) and becomes published when its files
are stored. The public site is made from these records alone (reportlib.publishing.site), so it
can be deleted and made again byte for byte.

    >>> record = read(Path("data"), "2020-12-03")
    >>> record.latest.number, record.latest.date
    (1, '2020-12-04')
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from ..errors import DataError, Problem
from ..files import sha256_bytes
from . import textrules
from .datafolder import open_append, read_file, write_file
from .monitor import _LANGUAGE
from .periods import BadDate, Period, parse_date, read_date

RECORDS_DIR = "publications"
RECORD_FILE = "record.json"
SEND_LOG = "sends.jsonl"
# The kinds of file each version keeps, with the name it has in the version's folder.
FILES = {"pdf": "report.pdf", "html": "report.html", "incidents": "incidents.csv", "indicators": "indicators.csv"}
PUBLISHED, PENDING = "published", "pending"
# A version's `content` with "rows": ROWS_BY_CONTENT digests each row by its id and values;
# records made before it was there digested the sheet and line too (batch.guard.current).
ROWS_BY_CONTENT = "content"
# A published file's name without extension (publish.name in monitor.yaml makes it) and a
# notebook's file name: one path component, so that no record can name a place elsewhere.
FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class Version:
    """One published state of an issue. `content` holds a digest of every data row, the issue
    file and the monitor settings the report read (reportlib.batch.guard compares it with
    the data as it is now); `files` the name, hash and size of each file kept."""

    number: int
    status: str
    date: str  # the day it was added to the archive (for a correction, the day it was issued)
    content_key: str
    content: dict
    key_figures: list[dict]
    headlines: list[dict]  # [{"section": title, "headline": text}] in section order
    note: str | None = None  # a correction's words; None for the first version
    changes: list[str] = field(default_factory=list)  # a correction's changes, figure by figure
    build_key: str | None = None
    files: dict = field(default_factory=dict)
    # The build's inputs besides the data (notebook, parameters, package, tools: their hashes
    # and versions, as the manifest records them), so that a later build that prints other
    # bytes can say which changed; empty in records written before they were kept.
    build_inputs: dict = field(default_factory=dict)

    @property
    def is_correction(self) -> bool:
        return self.number > 1


@dataclass
class Record:
    """An issue and its versions."""

    issue: str  # the period end, the name of the record's folder
    start: str
    end: str
    period: str  # as the title block writes it: 'November 19 – December 3, 2020'
    title: str
    stem: str  # the published files' name without extension, fixed at first publication
    notebook: str
    synthetic: bool
    versions: list[Version]
    language: str = "en"
    # The issue's own date (its document's publication date); records written before it was
    # kept fall back to the period's last day.
    dated: str | None = None

    @property
    def issue_date(self) -> str:
        return self.dated or self.end

    @property
    def published(self) -> list[Version]:
        return [v for v in self.versions if v.status == PUBLISHED]

    @property
    def latest(self) -> Version:
        """The newest published version."""
        return self.published[-1]

    @property
    def pending(self) -> Version | None:
        last = self.versions[-1] if self.versions else None
        return last if last is not None and last.status == PENDING else None

    def corrections(self) -> list[Version]:
        """Every correction, pending ones included, oldest first."""
        return [v for v in self.versions if v.is_correction]

    def previous(self, version: Version) -> Version | None:
        earlier = [v for v in self.versions if v.number < version.number and v.status == PUBLISHED]
        return earlier[-1] if earlier else None


def folder(data_root: Path, label: str) -> Path:
    """data/publications/<label>; a label is a period end date, so it never leaves the folder."""
    return data_root / RECORDS_DIR / parse_date(label, "issue").isoformat()


def version_dir(data_root: Path, label: str, number: int) -> Path:
    return folder(data_root, label) / f"v{number}"


def stored_file(data_root: Path, record: Record, version: Version, kind: str) -> Path:
    return folder(data_root, record.issue) / version.files[kind]["path"]


def stored_bytes(data_root: Path, record: Record, version: Version, kind: str) -> bytes:
    """A kept file, checked against its record: a published file never changes silently."""
    root = Path(data_root).resolve()
    path = stored_file(root, record, version, kind)
    shown = _shown(path, root)
    try:
        data = read_file(path, shown, root)
    except DataError as exc:
        raise DataError([Problem(p.file, p.line, p.column, p.value,
                                 f"{p.message}: the file of version {version.number} of the issue {record.issue} "
                                 "as published; restore it from version control") for p in exc.problems]) from None
    if sha256_bytes(data) != version.files[kind]["sha256"]:
        raise _problem(path, root, f"differs from what version {version.number} of the issue {record.issue} "
                                   "published (its hash in record.json); restore it from version control")
    return data


def keep(data_root: Path, label: str, number: int, kind: str, content: bytes) -> dict:
    """Keep one file of version `number` in its folder; what the record says of it."""
    root = Path(data_root).resolve()
    path = version_dir(root, label, number) / FILES[kind]
    write_file(path, content, _shown(path, root), root)
    return {"path": f"v{number}/{FILES[kind]}", "sha256": sha256_bytes(content), "bytes": len(content)}


def open_send_log(path: Path) -> TextIO:
    """An issue's send log (data/publications/<end>/sends.jsonl), opened to read and to add
    lines to, through the data folder's one writer: only a regular file inside the folder,
    never a link to a file elsewhere, a pipe or a device."""
    path = Path(path).absolute()
    root = path.parents[2].resolve()
    if path.name != SEND_LOG or path.parent.parent.name != RECORDS_DIR:
        raise ValueError(f"{path} is not a send log of a data folder")
    return open_append(path, _shown(path, root), root)


def read_send_log(path: Path) -> str:
    """An issue's send log as text, read without a lock or a change (a dry run), through the
    data folder's one reader; empty when there is none yet."""
    path = Path(path).absolute()
    root = path.parents[2].resolve()
    if path.name != SEND_LOG or path.parent.parent.name != RECORDS_DIR:
        raise ValueError(f"{path} is not a send log of a data folder")
    if not os.path.lexists(path):
        return ""
    return read_file(path, _shown(path, root), root).decode("utf-8", errors="replace")


def _shown(path: Path, data_root: Path) -> str:
    try:
        return str(path.relative_to(data_root.parent))
    except ValueError:
        return str(path)


def _problem(path: Path, data_root: Path, message: str) -> DataError:
    return DataError([Problem(_shown(path, data_root), None, None, None, message)])


# -- reading a record: every field checked, since the data folder is hostile input ------------

_HEX = re.compile(r"[0-9a-f]{16,128}")
# One line: a title or a period reaches mail headers, a file name the site's paths.
_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ONE_LINE = "must be one line of text, without control characters or line breaks"


class _Checker:
    """Collects every problem of one record, each naming the key that holds it
    (versions[1].files.pdf.path), so that a hand-edited record is fixed in one go."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []

    def bad(self, key: str, value, message: str) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        self.problems.append(Problem(self.shown, None, key, shown if value is not None else None, message))

    def mapping(self, value, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict | None:
        if not isinstance(value, dict):
            self.bad(key, value, "must be a JSON object")
            return None
        for name in required:
            if name not in value:
                self.problems.append(Problem(self.shown, None, f"{key}.{name}".lstrip("."), None,
                                             "required key is missing"))
        for name in value:
            if name not in required and name not in optional:
                self.bad(f"{key}.{name}".lstrip("."), None, "is not a key of a publication record")
        return value if all(name in value for name in required) else None

    def of_type(self, value, key: str, kind, noun: str, optional: bool = False) -> bool:
        if value is None and optional:
            return True
        # JSON's true and false are not numbers here, though Python counts them as ints.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.bad(key, value, f"must be {noun}" + (" or null" if optional else ""))
            return False
        return True

    def text(self, value, key: str, optional: bool = False, rules: bool = False, markdown: bool = False) -> None:
        if not self.of_type(value, key, str, "text", optional) or value is None:
            return
        if not markdown and _BREAK.search(value):
            self.bad(key, value, _ONE_LINE)
        if rules:
            for reason in textrules.problems(value, markdown):
                self.bad(key, value, reason)

    def pattern(self, value, key: str, rule: re.Pattern, noun: str, optional: bool = False) -> None:
        if self.of_type(value, key, str, noun, optional) and value is not None and not rule.fullmatch(value):
            self.bad(key, value, f"must be {noun}")

    def date(self, value, key: str) -> dt.date | None:
        if not self.of_type(value, key, str, "a date written YYYY-MM-DD"):
            return None
        try:
            return read_date(value)
        except BadDate as exc:
            self.bad(key, value, exc.reason)
            return None

    def listed(self, value, key: str) -> list:
        return value if self.of_type(value, key, list, "a JSON list") else []


_RECORD_KEYS = ("issue", "start", "end", "period", "title", "stem", "notebook", "synthetic", "versions")
_VERSION_KEYS = ("number", "status", "date", "content_key", "content", "key_figures", "headlines")
_VERSION_OPTIONAL = ("note", "changes", "build_key", "files", "build_inputs")
_CONTENT_TABLES = ("incidents", "indicators", "sources")


def _check_content(check: _Checker, value, key: str) -> None:
    content = check.mapping(value, key, ("period", "monitor", "issue", *_CONTENT_TABLES), ("rows",))
    if content is None:
        return
    if content.get("rows", ROWS_BY_CONTENT) != ROWS_BY_CONTENT:
        check.bad(f"{key}.rows", content["rows"], f"must be {ROWS_BY_CONTENT!r}")
    period = check.mapping(content["period"], f"{key}.period", ("start", "end", "trend_weeks"))
    if period is not None:
        check.date(period["start"], f"{key}.period.start")
        check.date(period["end"], f"{key}.period.end")
        check.of_type(period["trend_weeks"], f"{key}.period.trend_weeks", int, "a whole number", optional=True)
    for name in ("monitor", "issue"):
        check.pattern(content[name], f"{key}.{name}", _HEX, "a hexadecimal digest", optional=True)
    for table in _CONTENT_TABLES:
        rows = content[table]
        if check.of_type(rows, f"{key}.{table}", dict, "a JSON object of row digests"):
            for row, digest in rows.items():
                check.pattern(digest, f"{key}.{table}.{row}", _HEX, "a hexadecimal digest")


def _check_figures(check: _Checker, value, key: str) -> None:
    for i, item in enumerate(check.listed(value, key)):
        where = f"{key}[{i}]"
        figure = check.mapping(item, where, ("name", "label", "value", "minimum"))
        if figure is None:
            continue
        check.pattern(figure["name"], f"{where}.name", FILE_STEM, "a figure's name (letters, digits, '_')")
        check.text(figure["label"], f"{where}.label", rules=True)
        number = figure["value"]
        if check.of_type(number, f"{where}.value", int | float, "a number", optional=True) and number is not None \
                and not (math.isfinite(number) and 0 <= number <= 1e15):
            check.bad(f"{where}.value", number, "must be a number from 0 to 10^15")
        check.of_type(figure["minimum"], f"{where}.minimum", bool, "true or false")


def _check_version(check: _Checker, value, key: str, position: int, last: bool) -> None:
    version = check.mapping(value, key, _VERSION_KEYS, _VERSION_OPTIONAL)
    if version is None:
        return
    number = version["number"]
    if check.of_type(number, f"{key}.number", int, "a whole number") and number != position + 1:
        check.bad(f"{key}.number", number, f"must be {position + 1}: versions are numbered from 1, oldest first")
    status = version["status"]
    if status not in (PUBLISHED, PENDING) or (status == PENDING and not last):
        check.bad(f"{key}.status", status, f"must be {PUBLISHED!r}, or {PENDING!r} for the last version only")
    check.date(version["date"], f"{key}.date")
    check.pattern(version["content_key"], f"{key}.content_key", _HEX, "a hexadecimal digest")
    check.pattern(version.get("build_key"), f"{key}.build_key", _HEX, "a hexadecimal digest", optional=True)
    check.of_type(version.get("build_inputs", {}), f"{key}.build_inputs", dict, "a JSON object of the build's inputs")
    _check_content(check, version["content"], f"{key}.content")
    _check_figures(check, version["key_figures"], f"{key}.key_figures")
    for i, item in enumerate(check.listed(version["headlines"], f"{key}.headlines")):
        headline = check.mapping(item, f"{key}.headlines[{i}]", ("section", "headline"))
        if headline is not None:
            check.text(headline["section"], f"{key}.headlines[{i}].section", rules=True)
            check.text(headline["headline"], f"{key}.headlines[{i}].headline", rules=True, markdown=True)
    check.text(version.get("note"), f"{key}.note", optional=True, rules=True)
    for i, line in enumerate(check.listed(version.get("changes", []), f"{key}.changes")):
        check.text(line, f"{key}.changes[{i}]")
    files = version.get("files", {})
    if not check.of_type(files, f"{key}.files", dict, "a JSON object of kept files"):
        return
    if status == PUBLISHED and "pdf" not in files:
        check.bad(f"{key}.files", None, "a published version keeps its PDF (files.pdf)")
    for kind, item in files.items():
        where = f"{key}.files.{kind}"
        if kind not in FILES:
            check.bad(where, None, f"is not a kind of kept file ({', '.join(FILES)})")
            continue
        kept = check.mapping(item, where, ("path", "sha256", "bytes"))
        if kept is None:
            continue
        # The one place a version's file may be: v<number>/<its name>, inside the issue's folder.
        expected = f"v{number}/{FILES[kind]}"
        if kept["path"] != expected:
            check.bad(f"{where}.path", kept["path"], f"must be {expected}, the file's place in the issue's folder")
        check.pattern(kept["sha256"], f"{where}.sha256", re.compile(r"[0-9a-f]{64}"), "a SHA-256 digest in hex")
        if check.of_type(kept["bytes"], f"{where}.bytes", int, "a whole number") and kept["bytes"] < 0:
            check.bad(f"{where}.bytes", kept["bytes"], "must be 0 or more")


def _from_json(raw, shown: str, label: str) -> Record:
    """The record in `raw` (parsed JSON), each field checked: DataError naming every key
    that is missing, of the wrong type or not what reportlib writes."""
    check = _Checker(shown)
    top = check.mapping(raw, "", _RECORD_KEYS, ("language", "dated"))
    if top is None:
        raise DataError(check.problems)
    if check.date(top["issue"], "issue") is not None and top["issue"] != label:
        check.bad("issue", top["issue"], f"must be {label}, the name of the record's folder")
    start, end = check.date(top["start"], "start"), check.date(top["end"], "end")
    if start and end and (start > end or top["end"] != label):
        check.bad("end", top["end"], f"must be {label}, on or after start {top['start']}")
    if top.get("dated") is not None:
        check.date(top["dated"], "dated")
    check.text(top["period"], "period", rules=True)
    check.text(top["title"], "title", rules=True)
    check.pattern(top["stem"], "stem", FILE_STEM,
                  "a file name of letters, digits, '-', '_' and '.' (the publish.name rule), such as ishm-2020-12-03")
    check.pattern(top["notebook"], "notebook", FILE_STEM, "a notebook's file name, such as weekly_report.ipynb")
    check.of_type(top["synthetic"], "synthetic", bool, "true or false")
    check.pattern(top.get("language", "en"), "language", _LANGUAGE, "a language tag (BCP 47, as en, ar or ckb-IQ)")
    versions = check.listed(top["versions"], "versions")
    if not versions and isinstance(top["versions"], list):
        check.bad("versions", [], "must list at least one version")
    for i, version in enumerate(versions):
        _check_version(check, version, f"versions[{i}]", i, i == len(versions) - 1)
    if check.problems:
        raise DataError(check.problems)
    fields = {k: v for k, v in top.items() if k != "versions"}
    return Record(**fields, versions=[Version(**v) for v in versions])


def read(data_root: Path, label: str) -> Record | None:
    """The record of the issue ending on `label`, or None if it was never published."""
    root = Path(data_root).resolve()
    path = folder(root, label) / RECORD_FILE
    if not os.path.lexists(path):
        return None
    shown = _shown(path, root)
    raw = read_file(path, shown, root)
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _problem(path, root, "is not UTF-8 text; restore it from version control") from None
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        reason = getattr(exc, "msg", "nested too deeply")
        raise DataError([Problem(shown, line, None, None, f"is not JSON ({reason}); restore it from version "
                                                          "control")]) from None
    return _from_json(parsed, shown, label)


def labels(data_root: Path) -> list[str]:
    """The issues with a record, oldest first; a folder with a record but not named after a
    period end is refused, as it could be no issue's."""
    root = Path(data_root) / RECORDS_DIR
    if not root.is_dir():
        return []
    found = sorted(p.parent.name for p in root.glob(f"*/{RECORD_FILE}"))
    for name in found:
        try:
            if read_date(name).isoformat() != name:
                raise BadDate("not written YYYY-MM-DD")
        except BadDate as exc:
            raise DataError([Problem(f"{Path(data_root).name}/{RECORDS_DIR}/{name}", None, None, None,
                                     f"is not named after an issue's period end ({exc.reason}); a record's "
                                     "folder is named YYYY-MM-DD by reportlib publish")]) from None
    return found


def all_records(data_root: Path) -> list[Record]:
    """Every issue with at least one published version, newest period first."""
    records = [read(data_root, label) for label in labels(data_root)]
    return sorted((r for r in records if r is not None and r.published), key=lambda r: r.end, reverse=True)


def write(data_root: Path, record: Record) -> Path:
    root = Path(data_root).resolve()
    path = folder(root, record.issue) / RECORD_FILE
    data = asdict(record)
    write_file(path, (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"),
               _shown(path, root), root)
    return path


def notices(data_root: Path, period: Period) -> list[dict]:
    """The correction notices the report of `period` prints, oldest first, each with the
    version, the day, the note, the changes and the day of the version it corrects; none
    unless the issue has a record for exactly this period. The notebook's kernel (the title
    block) and the build's key (batch.fingerprint) both read this one function, so a
    correction is an input of the report; whether it is still pending is left out, so that
    publishing it changes no key."""
    try:
        record = read(Path(data_root), period.label)
    except DataError:
        return []
    if record is None or (record.start, record.end) != (period.start.isoformat(), period.end.isoformat()):
        return []
    out = []
    for version in record.corrections():
        previous = record.previous(version)
        out.append({"version": version.number, "date": version.date, "note": version.note,
                    "changes": list(version.changes), "previous": previous.date if previous else None})
    return out


def today() -> str:
    return dt.date.today().isoformat()
