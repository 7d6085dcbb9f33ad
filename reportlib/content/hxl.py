"""An issue's incidents and indicators as CSV with an HXL hashtag row, so that the tables
drop into humanitarian tooling (HDX, the HXL Proxy, Kobo, ...).

The first row holds the column names, the second the HXL hashtags (https://hxlstandard.org),
then one row per incident or value, as the published report counted them. Text that a
spreadsheet would run as a formula is neutralised.

    event_id_cnty,event_date,end_date,...   the public columns (INCIDENT_TAGS below)
    #event+id,#date,#date+end,...

Only the columns listed in INCIDENT_TAGS and INDICATOR_TAGS are published, in that order:
this is the one list, and README.md's table of the exports is tested against it. Whatever
else a table holds stays in the data folder: `notes` (the transcriber's remarks), the file
and line a row was read from, the columns kept from ACLED imports (ACLED publishes its own
data under its own terms). A column the tables gain later is published only once it is
added here.

The file starts with a UTF-8 byte-order mark: without one, spreadsheet programs read UTF-8
as their local code page (mojibake in names such as "Iraq's"), and HXL tools find the hashtag
row by its content, which the mark on the line above does not touch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import pandas as pd

from ..inputs import reference
from ..inputs.schema import INCIDENTS, INDICATORS, Table
from ..inputs.textrules import neutralise_formula

INCIDENT_TAGS = {
    "event_id_cnty": "#event+id",
    "event_date": "#date",
    "end_date": "#date+end",
    "incident_type": "#event+type",
    "country": "#country+name",
    "admin1": "#adm1+name",
    "admin1_pcode": "#adm1+code",
    "location": "#loc+name",
    "actor1": "#group+name+perpetrator",
    "target": "#description+target",
    "incidents": "#event+num",
    "fatalities": "#affected+killed",
    "fatalities_min": "#meta+killed+at_least",
    "wounded": "#affected+injured",
    "wounded_min": "#meta+injured+at_least",
    "casualty_group": "#meta+casualty_group",
    "inferred": "#meta+inferred",
    "source": "#meta+source",
    "reference": "#meta+source+ref",
}
INDICATOR_TAGS = {
    "date": "#date",
    "indicator": "#indicator+code",
    "indicator_label": "#indicator+name",
    "unit": "#indicator+unit",
    "country": "#country+name",
    "admin1": "#adm1+name",
    "admin1_pcode": "#adm1+code",
    "value": "#indicator+value+num",
    "span": "#meta+span",
    "inferred": "#meta+inferred",
    "source": "#meta+source",
    "reference": "#meta+source+ref",
}
# Columns the exports make rather than read from the data folder.
_DERIVED = {"country", "admin1_pcode", "indicator_label", "unit"}
ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: see the module's docstring


def cell(value) -> str:
    """A value as the export and the publication records write it: dates as YYYY-MM-DD,
    true/false, whole numbers without a decimal point, missing values empty."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
        return f"{number:.10g}"
    return str(value)


def row_texts(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Each row of a table as text, column by column."""
    columns = {name: [cell(value) for value in frame[name].tolist()] for name in frame.columns}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def exported_tags(table: Table) -> dict[str, str]:
    """The public columns of the table's export, in order, with their hashtags."""
    return INCIDENT_TAGS if table.name == INCIDENTS.name else INDICATOR_TAGS


def exported(row: dict[str, str], table: Table) -> dict[str, str]:
    """A row's public cells as the export writes them (the derived columns aside)."""
    return {name: neutralise_formula(row.get(name, "")) for name in exported_tags(table) if name not in _DERIVED}


def key_of(table: Table, row: dict[str, str]) -> str:
    return "|".join(row.get(name, "") for name in table.key)


def _pcodes(admin1: str) -> str:
    known = reference.governorates()
    return ";".join(known[name].pcode if name in known else "" for name in admin1.split(";")) if admin1 else ""


def _table_csv(kind: str, table: Table, frame: pd.DataFrame, country: str, order: list[str]) -> bytes:
    tags = exported_tags(table)
    columns = list(tags)
    rows = row_texts(frame[[name for name in columns if name in frame.columns]])
    for row in rows:
        row["country"] = country
        row["admin1_pcode"] = _pcodes(row.get("admin1", ""))
        if kind == "indicators":
            info = reference.indicators().get(row.get("indicator", ""))
            row["indicator_label"] = info.label if info else ""
            row["unit"] = info.unit if info else ""
    rows.sort(key=lambda r: tuple(r.get(name, "") for name in order))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([tags[name] for name in columns])
    for row in rows:
        writer.writerow([neutralise_formula(row.get(name, "")) for name in columns])
    return buffer.getvalue().encode(ENCODING)


def incidents_csv(incidents: pd.DataFrame, country: str) -> bytes:
    """The incidents a report counted, oldest first."""
    return _table_csv("incidents", INCIDENTS, incidents, country, ["event_date", "event_id_cnty"])


def indicators_csv(indicators: pd.DataFrame, country: str) -> bytes:
    """Indicator values, by indicator and date."""
    return _table_csv("indicators", INDICATORS, indicators, country, ["indicator", "date", "admin1"])


def read_rows(source: Path | bytes, table: Table) -> dict[str, dict[str, str]]:
    """The rows of an export as it was written (a file, or its bytes as read), by the
    table's key, without the HXL row and the derived columns: what exported(row, table)
    gives for the same rows now. Exports written before the byte-order mark and the public
    list read the same way."""
    text = (source if isinstance(source, bytes) else source.read_bytes()).decode(ENCODING)
    public = exported_tags(table)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    next(reader, None)  # the hashtags
    out = {}
    for values in reader:
        row = {name: value for name, value in zip(header, values, strict=False)
               if name in public and name not in _DERIVED}
        out[key_of(table, row)] = row
    return out
