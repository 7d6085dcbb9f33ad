"""ACLED exports into incidents.

Columns are matched by name, case-insensitively; the version-specific ones (disorder_type,
civilian_targeting, tags, event_id_no_cnty, data_id, iso3, timestamp ...) are optional.
Dates come as 2020-01-03, 16 May 2025 or 18/04/2001 depending on the export. ACLED has no
wounded column (injuries live in the notes), so `wounded` stays empty: not reported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...errors import DataError, Problem
from .. import reference as ref
from ..dataset import load
from ..schema import INCIDENTS
from . import ImportReport, match_columns, read_any_csv, write_rows

REQUIRED = ["event_id_cnty", "event_date", "sub_event_type", "admin1", "fatalities"]
OPTIONAL = ["event_type", "country", "actor1", "location", "source", "notes", "latitude", "longitude"]
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y", "%d-%B-%Y")
SKIP = "skip"


def parse_acled_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def type_mapping(extra: dict[str, str]) -> dict[str, str]:
    """ACLED sub-event type (lower case) -> our incident type, or 'skip'."""
    mapping = {}
    for kind in ref.incident_types().values():
        for sub in kind.acled_sub_event_types:
            mapping[sub.lower()] = kind.type
    for sub, target in extra.items():
        mapping[sub.strip().lower()] = target
    return mapping


def import_acled(path: Path, data_dir: Path, type_map: dict[str, str] | None = None,
                 today: dt.date | None = None) -> ImportReport:
    today = today or dt.date.today()
    data = load(data_dir, today)
    shown = path.name
    frame = read_any_csv(path, shown)
    cols = match_columns(list(frame.columns), REQUIRED + OPTIONAL, REQUIRED, shown)
    for target in (type_map or {}).values():
        if target != SKIP and ref.incident_type_name(target) is None:
            raise DataError([Problem("--type-map", None, None, target,
                                     f"unknown incident type; allowed: {', '.join(ref.incident_types())} or {SKIP}")])
    mapping = type_mapping(type_map or {})
    reference_id = f"acled-{path.stem.lower()}"
    sheet_path = data.root / "incidents" / "acled.csv"
    report = ImportReport(sheet_path)
    existing_ids = set(data.incidents["event_id_cnty"])
    problems: list[Problem] = []
    rows: list[dict] = []

    def get(record, name):
        return str(record[cols[name]]).strip() if name in cols else ""

    for position, record in enumerate(frame.to_dict("records")):
        line = position + 2
        country = get(record, "country")
        if country and country.lower() != data.monitor.country.lower():
            report.skip(f"rows: events outside {data.monitor.country}")
            continue
        event_id = get(record, "event_id_cnty")
        if event_id in existing_ids:
            report.skip("rows already in the data (same event_id_cnty)")
            continue
        sub = get(record, "sub_event_type")
        kind = mapping.get(sub.lower())
        if kind is None:
            problems.append(Problem(shown, line, cols["sub_event_type"], sub,
                                    "no incident type for this ACLED sub-event type; map it with "
                                    f"--type-map '{sub}=TYPE' or skip it with --type-map '{sub}={SKIP}'"))
            continue
        if kind == SKIP:
            report.skip(f"rows of sub-event type '{sub}' (skipped by --type-map)")
            continue
        day = parse_acled_date(get(record, "event_date"))
        if day is None:
            problems.append(Problem(shown, line, cols["event_date"], get(record, "event_date"),
                                    "not a date in any ACLED form (2020-01-03, 16 May 2025, 18/04/2001)"))
            continue
        admin1 = ref.governorate_name(get(record, "admin1"))
        if admin1 is None:
            problems.append(Problem(shown, line, cols["admin1"], get(record, "admin1"),
                                    "unknown governorate; add the spelling to reportlib/reference/governorates.csv"))
            continue
        rows.append({
            "event_id_cnty": event_id,
            "event_date": day.isoformat(),
            "end_date": "",
            "incident_type": kind,
            "admin1": admin1,
            "location": get(record, "location"),
            "actor1": get(record, "actor1"),
            "target": "",
            "incidents": "1",
            "fatalities": get(record, "fatalities"),
            "fatalities_min": "false",
            "wounded": "",
            "wounded_min": "false",
            "source": get(record, "source") or "ACLED",
            "reference": reference_id,
            "notes": get(record, "notes"),
        })
        existing_ids.add(event_id)
    if problems:
        raise DataError(problems)
    write_rows(data, sheet_path, INCIDENTS, rows, today, reference_id, f"ACLED export {path.name}",
               "Armed Conflict Location & Event Data Project (ACLED)", "https://acleddata.com",
               "Imported with reportlib import acled; wounded is not reported by ACLED.")
    report.added = len(rows)
    return report
