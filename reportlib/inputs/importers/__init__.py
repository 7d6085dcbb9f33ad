"""Imports from formats analysts already have. Each importer turns a public format into rows
of our tables, validates them like any data file, writes them to a sheet of their own under
data/<table>/ and never adds a row that is already there."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...batch import outputs
from ...errors import DataError, Problem
from ..datafolder import read_file
from ..schema import SOURCES, Table
from ..tables import read_table
from ..textrules import neutralise_formula


@dataclass
class ImportReport:
    """What an import did, for the user: rows added and rows skipped, with reasons."""

    target: Path
    added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    noun: str = "row"

    def lines(self) -> list[str]:
        out = [f"added {self.added:,} {self.noun}{'s' if self.added != 1 else ''} to {self.target}"]
        for reason, n in sorted(self.skipped.items()):
            out.append(f"skipped {n:,} {reason}")
        return out + self.details


def match_columns(header: list[str], wanted: list[str], required: list[str], shown: str) -> dict[str, str]:
    """Map our names of a format's columns to the file's own spelling, ignoring case (old
    ACLED files use upper case; OWID reorders columns between releases)."""
    by_lower = {name.strip().lower(): name for name in header}
    found = {name: by_lower[name] for name in wanted if name in by_lower}
    missing = [name for name in required if name not in found]
    if missing:
        raise DataError([Problem(shown, 1, name, None, "required column is missing from the header")
                         for name in missing])
    return found


def read_any_csv(path: Path, shown: str) -> pd.DataFrame:
    """A foreign CSV as text columns; encoding and shape problems become Problems. It may
    lie anywhere, but must be a regular file (read_file): a pipe or a device is refused."""
    raw = read_file(path, shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError([Problem(shown, line, None, None, "not UTF-8 text; save the file as UTF-8")]) from None
    if not text.strip():
        raise DataError([Problem(shown, 1, None, None, "file is empty")])
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError([Problem(shown, None, None, None, f"malformed CSV: {exc}")]) from None


def prepare_sheet(path: Path, table: Table, existing: pd.DataFrame | None, new_rows: list[dict],
                  today: dt.date, references: set[str], shown: str) -> bytes:
    """The sheet with the new rows appended, checked with the same rules as `reportlib
    validate`; nothing is written here, so a refused import leaves the data as it was."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.names, lineterminator="\n")
    writer.writeheader()
    if existing is not None:
        for row in existing.to_dict("records"):
            writer.writerow({k: row.get(k, "") for k in table.names})
    for row in new_rows:
        writer.writerow({k: neutralise_formula(v) if isinstance(v, str) else v for k, v in row.items()})
    data = buffer.getvalue().encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        check = Path(folder) / path.name
        check.write_bytes(data)
        _, problems, _ = read_table(check, table, shown, today, references)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return data


def read_sheet(path: Path) -> pd.DataFrame | None:
    """An existing sheet as raw text, so rewriting it keeps every value as written."""
    if not path.exists():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def ensure_source(data_root: Path, reference: str, title: str, publisher: str, url: str,
                  notes: str, published: str = "") -> bool:
    """Add the document to sources.csv unless it is there; True if added."""
    path = data_root / SOURCES.file
    sheet = read_sheet(path)
    if sheet is not None and reference in set(sheet["reference"]):
        return False
    row = {"reference": reference, "title": title, "publisher": publisher, "published": published,
           "url": url, "notes": notes}
    rows = [] if sheet is None else sheet.to_dict("records")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SOURCES.names, lineterminator="\n")
    writer.writeheader()
    for existing in rows:
        writer.writerow({k: existing.get(k, "") for k in SOURCES.names})
    writer.writerow({k: neutralise_formula(v) for k, v in row.items()})
    outputs.write_atomic(path, buffer.getvalue().encode("utf-8"))
    return True


def write_rows(data, sheet_path: Path, table: Table, rows: list[dict], today: dt.date, reference: str,
               title: str, publisher: str, url: str, notes: str) -> None:
    """Validate the sheet with the new rows, then add the source and write the sheet: an
    import that fails validation changes nothing."""
    if not rows:
        return
    sources = set(pd.read_csv(data.root / SOURCES.file, dtype=str)["reference"]) | {reference}
    sheet = prepare_sheet(sheet_path, table, read_sheet(sheet_path), rows, today, sources,
                          str(sheet_path.relative_to(data.root.parent)))
    ensure_source(data.root, reference, title, publisher, url, notes)
    outputs.write_atomic(sheet_path, sheet)
