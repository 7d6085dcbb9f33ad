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

from ..errors import DataError, Problem
from . import columns, csvreader
from .datafolder import DataFolder, read_file
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
    try:
        raw = read_file(path, shown)
    except DataError as exc:
        return None, exc.problems, None
    return parse_table(raw, table, shown, today, references)


def parse_table(
    raw: bytes,
    table: Table,
    shown: str,
    today: dt.date,
    references: set[str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem], csvreader.LineMap | None]:
    """`read_table` on the bytes of a sheet already read."""
    problems: list[Problem] = []
    if not raw[:65536].strip(b" \t\r\n" + csvreader.BOM) and len(raw) <= 65536:
        first_names = ", ".join(table.names[:4])
        return None, [Problem(shown, 1, None, None,
                              f"file is empty; it needs a header row ({first_names}, ...) and data rows")], None
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

    problems += header_problems(header, table, shown)
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
    return _typed(frame, table, shown, lines, today, references, problems), problems, lines


def header_problems(header: list[str], table: Table, shown: str) -> list[Problem]:
    """A sheet's header against its table: a column twice or missing (errors), or unknown (a
    warning, with the nearest known name)."""
    problems = []
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
    return problems


def _typed(frame: pd.DataFrame, table: Table, shown: str, lines: csvreader.LineMap, today: dt.date,
           references: set[str] | None, problems: list[Problem]) -> pd.DataFrame:
    """The sheet's text columns converted to the table's types, each value and row checked."""
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
    return out


def load_table(folder: DataFolder, table: Table, today: dt.date, references: set[str] | None,
               problems: list[Problem]):
    """The table from all its sheets on the folder's list, the sheets, and whether every
    sheet could be read."""
    frames, origins = [], []
    paths = folder.sheets[table.name]
    for path in paths:
        raw = folder.read_or_report(path, problems)
        if raw is None:
            continue
        frame, found, lines = parse_table(raw, table, folder.shown(path), today, references)
        problems += found
        if frame is not None and lines is not None:  # set together by parse_table
            frames.append(with_origin(frame, folder.shown(path), lines))
            origins.append((folder.shown(path), lines, len(frame)))
    complete = len(frames) == len(paths) and bool(paths)
    if not frames:
        empty = {c.name: columns.empty_column(c, 0) for c in table.columns}
        empty[ORIGIN_FILE] = pd.Categorical([])
        empty[ORIGIN_LINE] = np.zeros(0, dtype="int32")
        return pd.DataFrame(empty), paths, complete
    data = join_sheets(frames)
    _check_keys(table, data, origins, problems)
    _check_links(table, data, origins, problems)
    return data, paths, complete


def with_origin(frame: pd.DataFrame, shown: str, lines: csvreader.LineMap) -> pd.DataFrame:
    """The typed rows of one sheet with the file and line each was read from, which the
    review copy cites (file:line)."""
    frame[ORIGIN_FILE] = pd.Categorical.from_codes(np.zeros(len(frame), dtype="int8"), [shown])
    frame[ORIGIN_LINE] = _line_numbers(lines, len(frame))
    return frame


def join_sheets(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of several sheets as one table, typed as one sheet's are."""
    if len(frames) == 1:
        return frames[0]
    data = pd.concat(frames, ignore_index=True)
    # concat turns categories that differ between sheets into plain objects.
    data[ORIGIN_FILE] = data[ORIGIN_FILE].astype("category")
    return data


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


def _where(origins, position: int) -> tuple[str, int]:
    """The sheet and line of a row of the joined table."""
    offsets = np.cumsum([0] + [n for _, _, n in origins])
    part = int(np.searchsorted(offsets, position, side="right") - 1)
    name, lines, _ = origins[part]
    return name, lines(position - int(offsets[part]))


def _check_links(table: Table, data: pd.DataFrame, origins, problems: list[Problem]) -> None:
    """A link names another row of the table, and that row is not itself linked: a
    duplicate points at the row that is counted, never at another duplicate."""
    for column, key in table.links:
        values = data[column]
        linked = (values != "").to_numpy(dtype=bool)
        if not linked.any():
            continue
        keys = data[key]
        known = values.isin(set(keys)).to_numpy(dtype=bool)
        own = (values == keys).to_numpy(dtype=bool)
        chained = values.isin(set(keys[linked])).to_numpy(dtype=bool)
        checks = ((linked & ~known, f"names no row; it must be the {key} of the row this one repeats"),
                  (linked & own, "names the row itself"),
                  (linked & known & ~own & chained,
                   f"names a row that is itself a {column}; name the row that is counted"))
        for mask, message in checks:
            for position in np.flatnonzero(mask)[:columns.MAX_PER_COLUMN]:
                name, line = _where(origins, int(position))
                problems.append(Problem(name, line, column, str(values.iloc[position]), message))


def _check_keys(table: Table, data: pd.DataFrame, origins, problems: list[Problem]) -> None:
    unique = table.key + ((table.revised_by,) if table.revised_by else ())
    keys = data[list(unique)]
    if len(unique) == 1:
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
        label = "duplicate id" if len(unique) == 1 else f"duplicate row for ({', '.join(unique)})"
        problems.append(Problem(name, line, ",".join(unique), shown_key,
                                f"{label}; already on {also}"))
