"""Publication records: what was published of each issue, and when, kept in the data folder
beside the data it was built from.

    data/publications/2020-12-03/record.json     the issue's versions, newest last
    data/publications/2020-12-03/v1/report.pdf   the files of version 1 as published
    data/publications/2020-12-03/v1/report.html
    data/publications/2020-12-03/v1/incidents.csv    the HXL exports
    data/publications/2020-12-03/v1/indicators.csv
    data/publications/2020-12-03/sends.jsonl     every mail attempt (reportlib.publish.mail)

Version 1 is the issue as first published; each correction adds a version with the date, the
note and what changed. A correction is recorded as pending before its report is built (the
report prints its notice, and the build's key covers it) and becomes published when its files
are stored. The public site is made from these records alone (reportlib.publish.site), so it
can be deleted and made again byte for byte.

    >>> record = read(Path("data"), "2020-12-03")
    >>> record.latest.number, record.latest.date
    (1, '2020-12-04')
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import DataError, Problem
from ..files import write_atomic
from .periods import Period

RECORDS_DIR = "publications"
RECORD_FILE = "record.json"
SEND_LOG = "sends.jsonl"
# The kinds of file each version keeps, with the name it has in the version's folder.
FILES = {"pdf": "report.pdf", "html": "report.html", "incidents": "incidents.csv", "indicators": "indicators.csv"}
PUBLISHED, PENDING = "published", "pending"


@dataclass
class Version:
    """One published state of an issue. `content` holds a digest of every data row, the issue
    file and the monitor settings the report read (reportlib.batch.guard compares it with
    the data as it is now); `files` the name, hash and size of each file kept."""

    number: int
    status: str
    date: str  # the day it was published (for a correction, the day it was issued)
    content_key: str
    content: dict
    key_figures: list[dict]
    headlines: list[dict]  # [{"section": title, "headline": text}] in section order
    note: str | None = None  # a correction's words; None for the first version
    changes: list[str] = field(default_factory=list)  # a correction's changes, figure by figure
    build_key: str | None = None
    files: dict = field(default_factory=dict)

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
    from .periods import parse_date

    return data_root / RECORDS_DIR / parse_date(label, "issue").isoformat()


def version_dir(data_root: Path, label: str, number: int) -> Path:
    return folder(data_root, label) / f"v{number}"


def stored_file(data_root: Path, record: Record, version: Version, kind: str) -> Path:
    return folder(data_root, record.issue) / version.files[kind]["path"]


def stored_bytes(data_root: Path, record: Record, version: Version, kind: str) -> bytes:
    """A kept file, checked against its record: a published file never changes silently."""
    from ..files import sha256_bytes

    path = stored_file(data_root, record, version, kind)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _problem(path, data_root, f"cannot be read ({exc.strerror}): the file of version {version.number} of "
                                        f"the issue {record.issue} as published; restore it from version control") \
            from None
    if sha256_bytes(data) != version.files[kind]["sha256"]:
        raise _problem(path, data_root, f"differs from what version {version.number} of the issue {record.issue} "
                                        "published (its hash in record.json); restore it from version control")
    return data


def _problem(path: Path, data_root: Path, message: str) -> DataError:
    try:
        shown = str(path.relative_to(data_root.parent))
    except ValueError:
        shown = str(path)
    return DataError([Problem(shown, None, None, None, message)])


def _from_json(raw: dict) -> Record:
    versions = [Version(**v) for v in raw["versions"]]
    fields = {k: v for k, v in raw.items() if k != "versions"}
    return Record(**fields, versions=versions)


def read(data_root: Path, label: str) -> Record | None:
    """The record of the issue ending on `label`, or None if it was never published."""
    path = folder(data_root, label) / RECORD_FILE
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        raise _problem(path, data_root, "not a regular file; a publication record is written by reportlib publish")
    try:
        record = _from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise _problem(path, data_root, f"cannot be read: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _problem(path, data_root, f"is not a publication record reportlib can read ({exc}); restore it "
                                        "from version control") from None
    if record.issue != label or not record.versions:
        raise _problem(path, data_root, f"records issue {record.issue!r} with {len(record.versions)} versions; "
                                        f"expected the issue {label}")
    return record


def labels(data_root: Path) -> list[str]:
    """The issues with a record, oldest first."""
    root = data_root / RECORDS_DIR
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob(f"*/{RECORD_FILE}"))


def all_records(data_root: Path) -> list[Record]:
    """Every issue with at least one published version, newest period first."""
    records = [read(data_root, label) for label in labels(data_root)]
    return sorted((r for r in records if r is not None and r.published), key=lambda r: r.end, reverse=True)


def write(data_root: Path, record: Record) -> Path:
    path = folder(data_root, record.issue) / RECORD_FILE
    data = asdict(record)
    write_atomic(path, (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
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
