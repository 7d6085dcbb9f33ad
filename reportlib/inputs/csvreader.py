"""Read one CSV table of the data folder into typed pandas columns, collecting every
problem with its file, line, column and value.

The fast path reads with pyarrow (a million rows in well under a second); only when the file
is malformed does a slower scan with the csv module run, to say exactly which line is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import Problem
from . import reference
from .schema import Column, Table
from .textrules import FORMULA, FORMULA_MESSAGE, HTML_MESSAGE, HTML_TAG

BOM = b"\xef\xbb\xbf"
# More than this many rows with the same problem in one column are summarised in one line.
MAX_PER_COLUMN = 20

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f", ""}


class LineMap:
    """Record index -> line number. Direct arithmetic unless a quoted value spans lines,
    in which case the file is scanned once, only when a problem needs a line number."""

    def __init__(self, text: str, records: int):
        self._text = text
        body_newlines = text.count("\n") - 1 + (0 if text.endswith("\n") else 1)
        self._direct = body_newlines == records
        self._starts: list[int] | None = None

    def __call__(self, index: int) -> int:
        if self._direct:
            return index + 2
        if self._starts is None:
            self._starts = []
            reader = csv.reader(io.StringIO(self._text))
            next(reader, None)
            previous_end = reader.line_num
            for _ in reader:
                self._starts.append(previous_end + 1)
                previous_end = reader.line_num
        return self._starts[index] if index < len(self._starts) else index + 2


def _decode(raw: bytes, shown: str, problems: list[Problem]) -> str | None:
    if raw.startswith(BOM):
        problems.append(Problem(shown, 1, None, None,
                                "starts with a UTF-8 byte-order mark (Excel adds one); it was ignored",
                                "warning"))
        raw = raw[len(BOM):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_no = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        bad = raw[exc.start:exc.start + 1].hex()
        column = exc.start - line_start + 1
        # Everything before the first bad byte is valid UTF-8, so it can be parsed to say
        # which column the byte is in.
        try:
            header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
        except csv.Error:
            header = []
        field = _column_at(raw[:exc.start].decode("utf-8"), header) if line_no > 1 else None
        problems.append(Problem(
            shown, line_no, field, None,
            f"not UTF-8 text (byte 0x{bad} at character {column} of the line); the file was "
            "probably saved as Latin-1 or Windows-125x: save it as UTF-8 (in Excel: CSV UTF-8)"))
        return None


def _column_at(prefix: str, header: list[str]) -> str | None:
    """Name of the column that the text following `prefix` is in: `prefix` runs from a
    record boundary (the start of the file, or of the first data row) into the record."""
    try:
        last = deque(csv.reader(io.StringIO(prefix + "\n")), maxlen=1)
    except csv.Error:
        return None
    index = len(last[0]) - 1 if last and last[0] else 0
    return header[index].strip() if index < len(header) else None


# A quoted value must start where a value starts and be followed by a comma, the end of the
# line or the end of the file; a quote anywhere else is literal text (as the csv module
# reads it). pyarrow is lenient about both rules: it reads an unclosed quote to the end of
# the file, swallowing every row after it into one value, and glues text after a closing
# quote onto the value. Possessive quantifiers keep this check linear and fast.
_QUOTED = r'"(?:[^"]++|"")*+"'
_QUOTED_VALUE = re.compile(_QUOTED)
_UNQUOTED = r'(?:[^"]++|(?<=[^,\n\r])")*+'
_CSV_QUOTING = re.compile(_UNQUOTED + r'(?:(?<![^,\n\r])' + _QUOTED + r'(?![^,\n\r])' + _UNQUOTED + r')*+')


def _bad_quote(text: str) -> int | None:
    """Offset of the first quoted value that is never closed or has text after its closing
    quote; None when the quoting is sound."""
    if '"' not in text:
        return None
    end = _CSV_QUOTING.match(text).end()
    return end if end < len(text) else None


def _quote_problem(text: str, position: int, header: list[str], shown: str) -> Problem:
    line_start = text.rfind("\n", 0, position) + 1
    line_no = text.count("\n", 0, position) + 1
    column = _column_at(text[text.index("\n") + 1:position], header) if line_no > 1 else None
    if _QUOTED_VALUE.match(text, position):
        reason = ("text follows the closing quote of a quoted value; put all of the value "
                  "inside the quotes, doubling any quote that is part of it (\"\")")
    else:
        reason = ("the quote that opens this value is never closed, so the rest of the file "
                  "would be read into it; close the quote, or write a quote inside a value as "
                  "two quotes (\"\")")
    character = position - line_start + 1
    return Problem(shown, line_no, column, None, f"malformed CSV at character {character} of the line: {reason}")


def _structure_problems(text: str, header: list[str], shown: str) -> list[Problem]:
    """Scan with the csv module to name the lines whose shape is wrong; a broken quote is
    named where it is, not where the csv module gives up (often the end of the file)."""
    problems: list[Problem] = []
    width = len(header)
    position = _bad_quote(text)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        next(reader)
    except csv.Error as exc:
        return [Problem(shown, 1, None, None, f"malformed header: {exc}")]
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if position is None:
                problems.append(Problem(
                    shown, start, None, None,
                    f"malformed CSV: {exc}; a quote is probably not closed (a value that contains "
                    "a comma or a quote must be wrapped in double quotes, with inner quotes doubled)"))
            break
        if row and len(row) != width:
            problems.append(Problem(
                shown, start, None, None,
                f"wrong number of columns: expected {width} as in the header, found {len(row)}"
                + (" (an unquoted comma inside a value?)" if len(row) > width else "")))
        start = reader.line_num + 1
    if position is not None:
        problems.append(_quote_problem(text, position, header, shown))
    return problems


def _read_frame(payload: bytes, header: list[str]) -> pd.DataFrame | None:
    """All columns as text; None when any row is malformed (the caller then scans for it)."""
    invalid = []

    def on_invalid(row):
        invalid.append(row)
        return "skip"

    read = pacsv.ReadOptions(column_names=header, skip_rows=1)
    options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
        quoted_strings_can_be_null=False)
    parse = pacsv.ParseOptions(newlines_in_values=b'"' in payload, invalid_row_handler=on_invalid)
    try:
        table = pacsv.read_csv(pa.py_buffer(payload), read_options=read,
                               parse_options=parse, convert_options=options)
    except pa.ArrowInvalid:
        return None
    if invalid:
        return None
    return table.to_pandas()


def read_table(
    path: Path,
    table: Table,
    shown: str,
    today: dt.date,
    references: set[str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem], LineMap | None]:
    """Return the typed table (None if unreadable), every problem found in it, and the map
    from row to line for problems found later (duplicates across files)."""
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, None, None, f"cannot be read: {exc.strerror}")], None
    if not raw[:65536].strip(b" \t\r\n" + BOM) and len(raw) <= 65536:
        header = ", ".join(table.names[:4])
        return None, [Problem(shown, 1, None, None,
                              f"file is empty; it needs a header row ({header}, ...) and data rows")], None
    text = _decode(raw, shown, problems)
    if text is None:
        return None, problems, None
    payload = raw[len(BOM):] if raw.startswith(BOM) else raw
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

    frame = _read_frame(payload, header)
    if frame is None or _bad_quote(text) is not None:
        structure = _structure_problems(text, header, shown)
        return None, [*problems, *(structure or [Problem(shown, None, None, None,
                                                         "malformed CSV")])], None
    if frame.empty:
        return None, [*problems, Problem(
            shown, 2, None, None,
            "has a header but no data rows; fill it in, or delete the file if there is nothing to report")], None

    lines = LineMap(text, len(frame))
    checker = _Checker(frame, shown, lines, problems)
    typed = {}
    for col in table.columns:
        if col.name not in frame.columns:
            typed[col.name] = _empty(col, len(frame))
            continue
        values = frame[col.name].str.strip()
        typed[col.name] = _convert_column(col, values, checker, today, references)
    out = pd.DataFrame(typed, index=frame.index)
    _row_checks(out, frame, checker)
    return out, problems, lines


def _empty(col: Column, n: int):
    if col.kind in ("int",):
        return pd.array([pd.NA] * n, dtype="Int64")
    if col.kind == "number":
        # As _numbers types a column that has rows: a table with no sheet still does arithmetic.
        return pd.Series(np.nan, index=range(n), dtype="float64")
    if col.kind == "bool":
        return np.zeros(n, dtype=bool)
    if col.kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    return pd.Series([""] * n, dtype="str")


class _Checker:
    """Turns boolean masks of bad rows into Problems, a few per column at most."""

    def __init__(self, frame: pd.DataFrame, shown: str, lines: LineMap, problems: list[Problem]):
        self.frame = frame
        self.shown = shown
        self.lines = lines
        self.problems = problems

    def flag(self, column: str, mask, message: str | Callable[[str], str],
             values: pd.Series | None = None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        source = values if values is not None else self.frame[column]
        for pos in positions[:MAX_PER_COLUMN]:
            value = str(source.iloc[pos])
            text = message(value) if callable(message) else message
            # An empty cell has no value worth quoting ("value ''" says nothing).
            self.problems.append(Problem(self.shown, self.lines(int(pos)), column, value or None, text))
        if len(positions) > MAX_PER_COLUMN:
            rest = len(positions) - MAX_PER_COLUMN
            self.problems.append(Problem(
                self.shown, self.lines(int(positions[MAX_PER_COLUMN])), column, None,
                f"... and {rest:,} more rows with the same kind of problem"))


def text_problems(values: pd.Series) -> Iterable[tuple[np.ndarray, str]]:
    """Checks every free-text value gets: no spreadsheet formulas, no HTML. The full
    patterns need Python's regex engine (a lookahead), which pandas runs value by value, so
    a test Arrow runs natively picks the few candidates first: a million rows stay fast."""
    formula_start = values.str[:1].isin(["=", "+", "-", "@", "\t", "\r"]).to_numpy(dtype=bool)
    yield _matches(values, formula_start, FORMULA), FORMULA_MESSAGE
    has_angle = values.str.contains("<", regex=False).to_numpy(dtype=bool)
    yield _matches(values, has_angle, HTML_TAG), HTML_MESSAGE


def _matches(values: pd.Series, candidates: np.ndarray, pattern: str) -> np.ndarray:
    found = np.zeros(len(values), dtype=bool)
    if candidates.any():
        positions = np.flatnonzero(candidates)
        found[positions] = values.iloc[positions].str.contains(pattern, regex=True).to_numpy(dtype=bool)
    return found


class _PerValue:
    """A checker for the distinct values of a column: flags on distinct values become flags
    on every row holding them."""

    def __init__(self, check: _Checker, codes: np.ndarray, rows: pd.Series):
        self.check, self.codes, self.rows = check, codes, rows

    def flag(self, column, mask, message, values=None):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.check.flag(column, mask[self.codes], message, values=self.rows)


def _convert_column(col: Column, values: pd.Series, check: _Checker, today: dt.date,
                    references: set[str] | None):
    """Convert and check a column once per distinct value when values repeat (dates, counts,
    governorates, types, sources: a million rows hold a few thousand distinct values), and
    value by value otherwise (ids, notes)."""
    if col.kind in ("id", "text", "url", "reference") or len(values) < 10_000:
        return _convert(col, values, check, today, references)
    codes, uniques = pd.factorize(values)
    if len(uniques) > len(values) // 4:
        return _convert(col, values, check, today, references)
    distinct = pd.Series(uniques, dtype=values.dtype)
    converted = _convert(col, distinct, _PerValue(check, codes, values), today, references)
    if isinstance(converted, pd.Series):
        return converted.take(codes).set_axis(values.index)
    return np.asarray(converted)[codes]


def _convert(col: Column, values: pd.Series, check: _Checker, today: dt.date,
             references: set[str] | None):
    empty = (values == "").to_numpy(dtype=bool)
    if col.nonempty:
        check.flag(col.name, empty, "a value is required")
    kind = col.kind
    if kind in ("text", "id", "url", "reference"):
        for mask, message in text_problems(values):
            check.flag(col.name, mask, message)
        if kind == "url":
            bad = ~empty & ~values.str.match(r"https?://", case=False).to_numpy(dtype=bool)
            check.flag(col.name, bad, "links must start with http:// or https://")
        if kind == "reference" and references is not None:
            unknown = ~empty & ~values.isin(references).to_numpy(dtype=bool)
            check.flag(col.name, unknown,
                       "unknown reference; add it to sources.csv (reference, title, publisher, published)")
        return values.astype("str")
    if kind == "date":
        return _dates(col, values, empty, check, today)
    if kind in ("int", "number"):
        return _numbers(col, values, empty, check)
    if kind == "bool":
        lowered = values.str.lower()
        bad = ~lowered.isin(TRUE | FALSE).to_numpy(dtype=bool)
        check.flag(col.name, bad, "must be true or false (or empty for false)")
        return lowered.isin(TRUE).to_numpy(dtype=bool)
    if kind == "governorates":
        return _governorates(col, values, empty, check)
    if kind == "incident_type":
        return _vocabulary(col, values, empty, check, reference.incident_type_name,
                           list(reference.incident_types()), "incident type")
    if kind == "indicator":
        known = reference.indicators()
        return _vocabulary(col, values, empty, check, lambda v: v if v in known else None,
                           list(known), "indicator")
    raise ValueError(f"unknown column kind {kind}")


def _dates(col, values, empty, check, today):
    form = values.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").to_numpy(dtype=bool)
    parsed = pd.to_datetime(values.where(form), format="%Y-%m-%d", errors="coerce")
    check.flag(col.name, ~empty & ~form, "not a date in YYYY-MM-DD form (for example 2020-12-03)")
    impossible = form & parsed.isna().to_numpy()
    check.flag(col.name, impossible, "impossible date: no such day in the calendar")
    future = (parsed > pd.Timestamp(today)).to_numpy(dtype=bool)
    check.flag(col.name, future, f"date is in the future (today is {today.isoformat()})")
    return parsed.astype("datetime64[s]")


# ASCII digits only: \d also matches Arabic-Indic and other digits, which pandas cannot
# convert, so "١٢" would pass the check and silently become "not reported".
_INT = r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+"
_NUM = r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?"


def _numbers(col, values, empty, check):
    pattern = _INT if col.kind == "int" else _NUM
    good = values.str.fullmatch(pattern).to_numpy(dtype=bool) | empty
    bad = ~good
    if bad.any():
        negative = bad & values.str.fullmatch(r"-\s*" + _NUM).to_numpy(dtype=bool)
        check.flag(col.name, negative, "negative count; counts are 0 or more")
        fraction = bad & ~negative & values.str.fullmatch(_NUM).to_numpy(dtype=bool)
        check.flag(col.name, fraction, "not a whole number; counts are whole people or incidents")
        check.flag(col.name, bad & ~negative & ~fraction,
                   "not a number; write digits only (for example 12), or leave empty if not reported")
    numbers = _parse_numbers(values, good & ~empty, col.kind == "int")
    if col.maximum is not None:
        huge = (numbers > col.maximum).to_numpy(dtype=bool)
        check.flag(col.name, huge,
                   f"implausibly large (more than {col.maximum:,.0f}); check for a typing slip")
        numbers = numbers.mask(huge)
    if col.kind == "int":
        return numbers.astype("Int64")
    return numbers.astype("float64")


def _parse_numbers(values: pd.Series, valid: np.ndarray, whole: bool) -> pd.Series:
    """Text already checked against the number pattern, to numbers, with Arrow's cast (a
    tenth of the time pandas.to_numeric takes on Arrow strings)."""
    import pyarrow.compute as pc

    text = pa.array(values.where(valid, None), type=pa.string())
    text = pc.replace_substring(text, ",", "")
    cast = pc.cast(text, pa.float64())
    result = pd.Series(cast.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")
    return result


def _governorates(col, values, empty, check):
    mapping: dict[str, str | None] = {}
    unknown_names: dict[str, list[str]] = {}
    for raw in values.unique():
        if raw == "":
            mapping[raw] = ""
            continue
        names, unknown = [], []
        for part in raw.split(";"):
            part = part.strip()
            if not part:
                continue
            canonical = reference.governorate_name(part)
            (names.append(canonical) if canonical else unknown.append(part))
        unknown_names[raw] = unknown
        mapping[raw] = None if unknown else ";".join(dict.fromkeys(names))
    mapped = values.map(mapping)
    bad = mapped.isna().to_numpy(dtype=bool)

    def message(value: str) -> str:
        parts = []
        for name in unknown_names.get(value, [value]):
            hint = difflib.get_close_matches(name, list(reference.governorates()), n=1, cutoff=0.6)
            parts.append(f"unknown governorate {name!r}"
                         + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return "; ".join(parts) + "; accepted names and spellings are listed in data/README.md"

    check.flag(col.name, bad, message)
    return mapped.fillna("").astype("str")


def _vocabulary(col, values, empty, check, lookup, allowed, what):
    mapping = {raw: (lookup(raw) if raw else "") for raw in values.unique()}
    mapped = values.map(mapping)
    bad = mapped.isna().to_numpy(dtype=bool)
    check.flag(col.name, bad, f"unknown {what}; allowed: {', '.join(allowed)}")
    return mapped.fillna("").astype("str")


def _row_checks(out: pd.DataFrame, raw: pd.DataFrame, check: _Checker) -> None:
    """Rules that read more than one column; a value already refused is not judged again."""
    if "end_date" in out and "event_date" in out:
        before = (out["end_date"] < out["event_date"]).to_numpy(dtype=bool)
        # The quoted values are formatted only when a row is refused: a million dates
        # formatted for nothing were a twelfth of loading them.
        if before.any():
            check.flag("end_date", before,
                       lambda v: "end date is before the start date in event_date",
                       values=out["end_date"].dt.strftime("%Y-%m-%d"))
    for count, flag in (("fatalities", "fatalities_min"), ("wounded", "wounded_min")):
        if count in out and flag in out:
            blank = (raw[count].str.strip() == "").to_numpy(dtype=bool) if count in raw else True
            orphan = out[flag].to_numpy(dtype=bool) & blank
            if orphan.any():
                check.flag(flag, orphan, f"says 'at least' but {count} is empty; give the minimum figure",
                           values=raw[flag].str.strip() if flag in raw else out[flag].astype(str))
