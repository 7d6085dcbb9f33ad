"""Imports from formats analysts already have. Each importer turns a public format into rows
of our tables, validates them like any data file, writes them to a sheet of their own under
data/<table>/ and never adds a row that is already there."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ...errors import DataError, Problem
from .. import records, textrules
from ..datafolder import read_file, write_file
from ..schema import SOURCES, Table
from ..tables import join_sheets, read_table, with_origin
from ..textrules import neutralise_formula
from . import built


@dataclass
class ImportReport:
    """What an import did, for the user: rows added, flagged and skipped, with reasons, and
    the built periods it changed (with --allow-changes)."""

    target: Path
    added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    noun: str = "row"
    flagged: list[str] = field(default_factory=list)  # one line per row flagged as a duplicate
    changed: list[str] = field(default_factory=list)  # labels of built periods it changed
    warnings: list[str] = field(default_factory=list)  # for stderr

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def lines(self, would: bool = False) -> list[str]:
        verb = "add" if would else "added"
        out = [f"{verb} {self.added:,} {self.noun}{'s' if self.added != 1 else ''} to {self.target}"]
        if self.flagged:
            n = len(self.flagged)
            out.append(f"{'flag' if would else 'flagged'} {n:,} of them as {'a report' if n == 1 else 'reports'} "
                       "of an event already in the data (duplicate_of set; counted once):")
            out += [f"  {line}" for line in self.flagged]
        for reason, n in sorted(self.skipped.items()):
            out.append(f"{'skip' if would else 'skipped'} {n:,} {reason}")
        if self.changed:
            out.append(f"changed the inputs of {len(self.changed)} built period(s), as --allow-changes allowed: "
                       f"{', '.join(self.changed)}; rebuild them to publish the change")
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
    """A foreign CSV as text columns, each row indexed by the line of the file it starts
    on (so that a problem names the line the user sees); encoding and shape problems become
    Problems. It may lie anywhere, but must be a regular file (read_file): a pipe or a
    device is refused."""
    raw = read_file(path, shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError([Problem(shown, line, None, None, "not UTF-8 text; save the file as UTF-8")]) from None
    if not text.strip():
        raise DataError([Problem(shown, 1, None, None, "file is empty")])
    return _parse(text, shown)


def _parse(text: str, shown: str) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, problems = [], [], []
    try:
        header = [name.strip() for name in next(reader)]
        seen = set()
        for name in header:
            if name.lower() in seen:
                problems.append(Problem(shown, 1, name, None, "column appears twice in the header"))
            seen.add(name.lower())
        start = reader.line_num + 1
        for record in reader:
            if not any(value.strip() for value in record):
                start = reader.line_num + 1
                continue  # a blank line
            if len(record) != len(header):
                problems.append(Problem(shown, start, None, None,
                                        f"has {len(record)} fields where the header has {len(header)}"))
            else:
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, None, None, f"malformed CSV: {exc}"))
    if problems:
        raise DataError(problems[:20])
    return pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype=str)


@dataclass
class NewRow:
    """A row an import adds, with where it came from: the line of the input file and, for
    each column written, the input column and the value as given there."""

    values: dict[str, str]
    line: int
    given: dict[str, tuple[str, str]] = field(default_factory=dict)


def _written(table: Table, row: NewRow) -> dict:
    """A row as written: text a spreadsheet would run gets a leading apostrophe (numbers and
    dates are checked as such, never altered)."""
    text = {c.name for c in table.columns if c.kind in ("text", "id", "url", "reference")}
    out = {}
    for name in table.names:
        value = row.values.get(name, "")
        out[name] = neutralise_formula(value) if name in text and isinstance(value, str) else value
    return out


def prepare_sheet(path: Path, table: Table, existing: pd.DataFrame | None, new_rows: list[NewRow],
                  today: dt.date, references: set[str], shown: str,
                  input_shown: str | None) -> tuple[bytes, pd.DataFrame]:
    """The sheet with the new rows appended, checked with the same rules as `reportlib
    validate`, and the new rows typed as the loader types them. Nothing is written here, so
    a refused import leaves the data as it was. A problem in a new row is reported at its
    line of the input file, with the value as given there."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=table.names, lineterminator="\n")
    writer.writeheader()
    if existing is not None:
        for row in existing.to_dict("records"):
            writer.writerow({k: row.get(k, "") for k in table.names})
    line = buffer.getvalue().count("\n") + 1
    first_new = line
    starts = []  # (first line in the sheet, row): a quoted value may span lines
    for row in new_rows:
        piece = io.StringIO()
        csv.DictWriter(piece, fieldnames=table.names, lineterminator="\n").writerow(_written(table, row))
        text = piece.getvalue()
        starts.append((line, row))
        line += text.count("\n")
        buffer.write(text)
    data = buffer.getvalue().encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        check = Path(folder) / path.name
        check.write_bytes(data)
        typed, problems, lines = read_table(check, table, shown, today, references)
    # Several rows written from one line of the input (OWID's indicator columns) share its
    # problems: each is reported once, at that line.
    errors = list(dict.fromkeys(_to_input(p, starts, first_new, input_shown, shown)
                                for p in problems if p.severity == "error"))
    if errors:
        raise DataError(errors)
    assert typed is not None and lines is not None  # read_table returns both unless it found an error
    with_origin(typed, shown, lines)
    added = typed.iloc[len(typed) - len(new_rows):] if new_rows else typed.iloc[0:0]
    return data, added


def _to_input(problem: Problem, starts: list, first_new: int, input_shown: str | None, shown: str) -> Problem:
    """A problem found in the sheet as it would be, placed where the user can fix it."""
    if input_shown is None or problem.line is None or problem.line < first_new:
        return problem
    index = bisect.bisect_right([s for s, _ in starts], problem.line) - 1
    row = starts[index][1]
    if problem.column in row.given:
        column, value = row.given[problem.column]
        return Problem(input_shown, row.line, column, value or None, problem.message)
    return Problem(input_shown, row.line, problem.column, problem.value,
                   f"{problem.message} (in the row the import writes to {shown})")


def read_sheet(path: Path, data_root: Path) -> pd.DataFrame | None:
    """An existing sheet of the data folder as raw text, so rewriting it keeps every value
    as written; read like every data file (read_file: a regular file inside the folder)."""
    root = Path(data_root).resolve()
    if not os.path.lexists(path):
        return None
    raw = read_file(path, _shown(path, root), root)
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def _write(path: Path, data: bytes, data_root: Path) -> None:
    root = Path(data_root).resolve()
    write_file(path, data, _shown(path, root), root)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root.parent))
    except ValueError:
        return str(path)


@dataclass
class Source:
    """The document an import cites, added to sources.csv unless it is there."""

    reference: str
    title: str
    publisher: str
    url: str
    notes: str
    published: str = ""


def _sources_sheet(data_root: Path, source: Source, today: dt.date) -> tuple[bytes, pd.DataFrame] | None:
    """sources.csv with the import's document added and checked, or None if it is there."""
    path = data_root / SOURCES.file
    sheet = read_sheet(path, data_root)
    if sheet is not None and source.reference in set(sheet["reference"]):
        return None
    row = {"reference": source.reference, "title": source.title, "publisher": source.publisher,
           "published": source.published, "url": source.url, "notes": source.notes}
    return prepare_sheet(path, SOURCES, sheet, [NewRow(row, 0)], today, set(), SOURCES.file, None)


def ensure_source(data_root: Path, reference: str, title: str, publisher: str, url: str,
                  notes: str, published: str = "", today: dt.date | None = None) -> bool:
    """Add the document to sources.csv unless it is there (checked like the file it joins);
    True if added."""
    sheet = _sources_sheet(data_root, Source(reference, title, publisher, url, notes, published),
                           today or dt.date.today())
    if sheet is None:
        return False
    _write(data_root / SOURCES.file, sheet[0], data_root)
    return True


def safe_reference(prefix: str, name: str) -> str:
    """A reference id from a file name: lower-case letters, digits, hyphens and
    underscores only, whatever the file is called."""
    slug = re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")[:60] or "file"
    return f"{prefix}-{slug}"


def safe_title(prefix: str, name: str) -> str:
    """A document title naming the file, unless its name would break the rules for text."""
    return f"{prefix} {name}" if not textrules.problems(name) else f"{prefix} {safe_reference('file', name)}"


def write_rows(data, sheet_path: Path, table: Table, rows: list[NewRow], today: dt.date, source: Source,
               input_shown: str, out_root: Path | None, allow_changes: bool, report: ImportReport) -> None:
    """Validate the sheet with the new rows, refuse if it would change a period already
    built under out_root (unless allow_changes), then add the source and write the sheet:
    an import that is refused changes nothing."""
    if not rows:
        return
    sheet_shown = str(sheet_path.relative_to(data.root.parent))
    sources = _sources_sheet(data.root, source, today)
    references = set(data.sources["reference"]) | {source.reference}
    sheet, added = prepare_sheet(sheet_path, table, read_sheet(sheet_path, data.root), rows, today, references,
                                 sheet_shown, input_shown)
    periods = built.built_periods(out_root, report.warnings) if out_root is not None else []
    if periods and out_root is not None:  # no out_root, no periods
        # The data as it would be: the loaded tables with the new rows after them, typed as
        # the loader types them (only the rows a period counts, in their order, are hashed).
        joined = join_sheets([getattr(data, table.name), added])
        after_sources = data.sources if sources is None else pd.concat([data.sources, sources[1]],
                                                                        ignore_index=True)
        after = replace(data, sources=after_sources, **{table.name: joined})
        found = built.changes(data, after, periods)
        if found and not allow_changes:
            raise built.refuse(found, out_root, report.lines(would=True), report.warnings,
                               frozenset(records.labels(data.root)))
        report.changed = [change.built.period.label for change in found]
    if sources is not None:
        _write(data.root / SOURCES.file, sources[0], data.root)
    _write(sheet_path, sheet, data.root)
