"""Read the text of one CSV file of the data folder: its encoding, its header and its rows as
text columns, with every structural problem (bytes that are not UTF-8, broken quoting, rows
of the wrong width) named by line and column.

The fast path reads with pyarrow (a million rows in well under a second); only when the file
is malformed does a slower scan with the csv module run, to say exactly which line is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import Problem

BOM = b"\xef\xbb\xbf"


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


def decode(raw: bytes, shown: str, problems: list[Problem]) -> str | None:
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


def bad_quote(text: str) -> int | None:
    """Offset of the first quoted value that is never closed or has text after its closing
    quote; None when the quoting is sound."""
    if '"' not in text:
        return None
    matched = _CSV_QUOTING.match(text)
    end = matched.end() if matched else 0
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


def structure_problems(text: str, header: list[str], shown: str) -> list[Problem]:
    """Scan with the csv module to name the lines whose shape is wrong; a broken quote is
    named where it is, not where the csv module gives up (often the end of the file)."""
    problems: list[Problem] = []
    width = len(header)
    position = bad_quote(text)
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


def read_frame(payload: bytes, header: list[str]) -> pd.DataFrame | None:
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
