"""One table of the data folder (incidents, indicators, sources) from all of its sheets: each
CSV file read and typed against the table's schema, the sheets joined, and the primary key
checked across them."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from . import columns, csvreader
from .schema import Table

# Every row of a loaded table says where it was read: the file as problems name it and the
# line its record starts on, so that a figure in a review copy names the rows it comes from.
ORIGIN_FILE = "file"
ORIGIN_LINE = "line"


def read_table(
    path: Path,
    table: Table,
    shown: str,
    today: dt.date,
    references: set[str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem], csvreader.LineMap | None]:
    """Return the typed table (None if unreadable), every problem found in it, and the map
    from row to line for problems found later (duplicates across files)."""
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"cannot be read: {exc.strerror}")], None
    if not raw[:65536].strip(b" \t\r\n" + csvreader.BOM) and len(raw) <= 65536:
        header = ", ".join(table.names[:4])
        return None, [Problem(shown, 1, None, None,
                              f"file is empty; it needs a header row ({header}, ...) and data rows")], None
    text = csvreader.decode(raw, shown, problems)
    if text is None:
        return None, problems, None
    payload = raw[len(csvreader.BOM):] if raw.startswith(csvreader.BOM) else raw
    if b"\r" in payload:
        text = text.replace("\r\n", "\n")
        payload = text.encode("utf-8")
    header_line = text.split("\n", 1)[0]
    try:
        header = [h.strip() for h in next(csv.reader([header_line]))]
    except csv.Error as exc:
        return None, [*problems, Problem(shown, 1, None, None, f"malformed header: {exc}")], None

    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(shown, 1, name, None, "column appears twice in the header"))
        seen.add(name)
    for col in table.columns:
        if col.required and col.name not in header:
            problems.append(Problem(shown, 1, col.name, None,
                                    "required column is missing from the header"))
    for name in header:
        if name not in table.names:
            hint = difflib.get_close_matches(name, table.names, n=1)
            problems.append(Problem(
                shown, 1, name, None,
                "unknown column, ignored" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                "warning"))
    if any(p.severity == "error" for p in problems):
        return None, problems, None

    frame = csvreader.read_frame(payload, header)
    if frame is None or csvreader.bad_quote(text) is not None:
        structure = csvreader.structure_problems(text, header, shown)
        return None, [*problems, *(structure or [Problem(shown, None, None, None,
                                                         "malformed CSV")])], None
    if frame.empty:
        return None, [*problems, Problem(
            shown, 2, None, None,
            "has a header but no data rows; fill it in, or delete the file if there is nothing to report")], None

    lines = csvreader.LineMap(text, len(frame))
    checker = columns.Checker(frame, shown, lines, problems)
    typed = {}
    for col in table.columns:
        if col.name not in frame.columns:
            typed[col.name] = columns.empty_column(col, len(frame))
            continue
        values = frame[col.name].str.strip()
        typed[col.name] = columns.convert_column(col, values, checker, today, references)
    out = pd.DataFrame(typed, index=frame.index)
    columns.row_checks(out, frame, checker)
    return out, problems, lines


def table_files(root: Path, table: Table) -> list[Path]:
    """A table is its main file plus any sheets in the folder of the same name, so a week's
    incidents or an import can be a file of its own."""
    paths = []
    main = root / table.file
    if main.exists():
        paths.append(main)
    folder = root / table.name
    if folder.is_dir():
        paths += sorted(folder.glob("*.csv"))
    return paths


def load_table(root, table, shown, today, references, problems):
    """The table from all its sheets, the sheets, and whether every sheet could be read."""
    frames, origins = [], []
    paths = table_files(root, table)
    for path in paths:
        frame, found, lines = read_table(path, table, shown(path), today, references)
        problems += found
        if frame is not None:
            frame[ORIGIN_FILE] = pd.Categorical.from_codes(np.zeros(len(frame), dtype="int8"), [shown(path)])
            frame[ORIGIN_LINE] = _line_numbers(lines, len(frame))
            frames.append(frame)
            origins.append((shown(path), lines, len(frame)))
    complete = len(frames) == len(paths) and bool(paths)
    if not frames:
        empty = {c.name: columns.empty_column(c, 0) for c in table.columns}
        empty[ORIGIN_FILE] = pd.Categorical([])
        empty[ORIGIN_LINE] = np.zeros(0, dtype="int32")
        return pd.DataFrame(empty), paths, complete
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1:
        # concat turns categories that differ between sheets into plain objects.
        data[ORIGIN_FILE] = data[ORIGIN_FILE].astype("category")
    _check_keys(table, data, origins, problems)
    return data, paths, complete


def _line_numbers(lines: csvreader.LineMap, n: int) -> np.ndarray:
    """The line each record starts on. A sheet without quoted line breaks (nearly all) is
    arithmetic; one with them is asked record by record."""
    if n and lines(n - 1) - lines(0) == n - 1:
        return np.arange(lines(0), lines(0) + n, dtype="int32")
    return np.fromiter((lines(i) for i in range(n)), dtype="int32", count=n)


def _key_text(value) -> str:
    """A key value as the file writes it: dates as YYYY-MM-DD, missing values empty."""
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _check_keys(table: Table, data: pd.DataFrame, origins, problems: list[Problem]) -> None:
    keys = data[list(table.key)]
    if len(table.key) == 1:
        dup = keys.iloc[:, 0].duplicated(keep=False).to_numpy()
    else:
        dup = keys.astype(str).duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    offsets = np.cumsum([0] + [n for _, _, n in origins])

    def where(position: int) -> tuple[str, int]:
        part = int(np.searchsorted(offsets, position, side="right") - 1)
        name, lines, _ = origins[part]
        return name, lines(position - int(offsets[part]))

    first_seen: dict[tuple, tuple[str, int]] = {}
    reported = 0
    for position in np.flatnonzero(dup):
        key = tuple(_key_text(v) for v in keys.iloc[position])
        if key not in first_seen:
            first_seen[key] = where(int(position))
            continue
        if reported >= columns.MAX_PER_COLUMN:
            continue
        reported += 1
        name, line = where(int(position))
        first_name, first_line = first_seen[key]
        shown_key = ", ".join(k for k in key if k)
        also = f"line {first_line}" if first_name == name else f"{first_name}:{first_line}"
        label = "duplicate id" if len(table.key) == 1 else f"duplicate row for ({', '.join(table.key)})"
        problems.append(Problem(name, line, ",".join(table.key), shown_key,
                                f"{label}; already on {also}"))
