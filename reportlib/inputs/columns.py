"""Typed columns from text columns: each value converted by its column's kind (date, count,
governorate, incident type ...) and checked, every problem named by line, column and value.
Repeated values (dates, counts, places) are converted once each, so a million rows stay fast.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import Problem
from . import reference, textrules
from .csvreader import LineMap
from .periods import BadDate, read_date
from .schema import Column

# More than this many rows with the same problem in one column are summarised in one line.
MAX_PER_COLUMN = 20

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f", ""}


def empty_column(col: Column, n: int):
    # Built from arrays, not lists of n values: a column a sheet leaves out costs nothing
    # per row (a list of a million NAs took a quarter of a second to convert).
    if col.kind in ("int",):
        return pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    if col.kind == "number":
        # As _numbers types a column that has rows: a table with no sheet still does arithmetic.
        return pd.Series(np.nan, index=range(n), dtype="float64")
    if col.kind == "bool":
        return np.zeros(n, dtype=bool)
    if col.kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    return pd.Series([""], dtype="str").repeat(n).reset_index(drop=True)


class Checker:
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


class _PerValue:
    """A checker for the distinct values of a column: flags on distinct values become flags
    on every row holding them."""

    def __init__(self, check: Checker, codes: np.ndarray, rows: pd.Series):
        self.check, self.codes, self.rows = check, codes, rows

    def flag(self, column, mask, message, values=None):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.check.flag(column, mask[self.codes], message, values=self.rows)


def convert_column(col: Column, values: pd.Series, check: Checker, today: dt.date,
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


def _convert(col: Column, values: pd.Series, check: Checker | _PerValue, today: dt.date,
             references: set[str] | None):
    empty = (values == "").to_numpy(dtype=bool)
    if col.nonempty:
        check.flag(col.name, empty, "a value is required")
    kind = col.kind
    if kind in ("text", "id", "url", "reference"):
        for mask, message in textrules.column_problems(values):
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
    if kind == "choice":
        allowed = {c.lower(): c for c in col.choices}
        return _vocabulary(col, values, empty, check, lambda v: allowed.get(v.lower()), list(col.choices),
                           "value")
    if kind == "columns":
        return _column_names(col, values, check)
    raise ValueError(f"unknown column kind {kind}")


def _dates(col, values, empty, check, today):
    """Each distinct text read by periods.read_date, the one reading of a date (a column of a
    million rows holds a few thousand distinct days)."""
    codes, uniques = pd.factorize(values)
    days = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[s]")
    reasons = np.full(len(uniques), "", dtype=object)
    for i, text in enumerate(uniques):
        if text:
            try:
                days[i] = read_date(text)
            except BadDate as exc:
                reasons[i] = exc.reason
    row_reasons = reasons[codes]
    for reason in dict.fromkeys(r for r in reasons if r):
        check.flag(col.name, row_reasons == reason, reason)
    parsed = pd.Series(days[codes], index=values.index, dtype="datetime64[s]")
    future = (parsed > pd.Timestamp(today)).to_numpy(dtype=bool)
    check.flag(col.name, future, f"date is in the future (today is {today.isoformat()})")
    return parsed


# ASCII digits only: \d also matches Arabic-Indic and other digits, which pandas cannot
# convert, so "١٢" would pass the check and silently become "not reported".
_INT = r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+"
_NUM = r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?"
_SIGNED = re.compile(r"-?" + _NUM)


def read_number(text: str) -> float | None:
    """A number written as data files must write one (ASCII digits, thousands commas, a
    decimal point, a minus sign in front), or None. Importers read foreign numbers by this
    rule too: Python's float() would also take 1_000_000, 1e6, inf, nan and Arabic-Indic
    digits, which `reportlib validate` refuses."""
    text = text.strip()
    return float(text.replace(",", "")) if _SIGNED.fullmatch(text) else None


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


def _column_names(col, values, check):
    """';'-separated names of the table's columns, each known, in the file's order."""
    known = set(col.choices)
    mapping = {}
    for raw in values.unique():
        names = [part.strip() for part in raw.split(";") if part.strip()]
        mapping[raw] = ";".join(dict.fromkeys(names)) if all(n in known for n in names) else None
    mapped = values.map(mapping)
    check.flag(col.name, mapped.isna().to_numpy(dtype=bool),
               f"names a column the table does not have; the columns are {', '.join(col.choices)}")
    return mapped.fillna("").astype("str")


def row_checks(out: pd.DataFrame, raw: pd.DataFrame, check: Checker) -> None:
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
