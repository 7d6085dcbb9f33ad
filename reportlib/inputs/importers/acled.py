"""ACLED exports into incidents.

Columns are matched by name, case-insensitively; the version-specific ones (disorder_type,
civilian_targeting, tags, event_id_no_cnty, data_id, iso3, timestamp ...) are optional.
Dates come as 2020-01-03, 16 May 2025 or 18/04/2001 depending on the export. ACLED has no
wounded column (injuries live in the notes), so `wounded` stays empty: not reported.

Event types become incident types through a table an analyst can read and change
(reportlib/inputs/reference/acled_types.csv, extended by the data folder's
acled-types.csv and by --type-map): an armed clash stays an armed clash, a riot a riot,
and the table says whose deaths an event's fatalities are where ACLED's categories tell
(a strike by state forces on an armed group kills its fighters), else `unattributed`.
Nothing ACLED gives that a later analysis needs is dropped: actor2, the district, ACLED's
own types and its precision codes are kept in columns of their own.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DataError, Problem
from .. import reference as ref
from ..dataset import Dataset, load
from ..reference import SKIP, AcledTypeRule
from ..schema import ACLED_TYPES, INCIDENTS
from . import ImportReport, NewRow, Source, match_columns, read_any_csv, safe_reference, safe_title, write_rows
from .duplicates import Finder

REQUIRED = ["event_id_cnty", "event_date", "sub_event_type", "admin1", "fatalities"]
OPTIONAL = ["event_type", "country", "actor1", "actor2", "inter1", "inter2", "admin2", "location", "source",
            "notes", "time_precision", "geo_precision"]
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y", "%d-%B-%Y")
# Written as they come: the same meaning under the same name.
KEPT = ["location", "actor1", "actor2", "admin2", "event_type", "sub_event_type", "notes", "time_precision",
        "geo_precision"]


@functools.lru_cache(maxsize=8192)  # an export repeats its days
def parse_acled_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def type_rules(data_root: Path, extra: dict[str, str] | None = None) -> list[AcledTypeRule]:
    """The rules in the order they are tried: --type-map, then the data folder's
    acled-types.csv (checked when the folder was loaded), then the shipped table."""
    rules = []
    for sub, target in (extra or {}).items():
        kind = target if target == SKIP else ref.incident_type_name(target)
        if kind is None:
            raise DataError([Problem("--type-map", None, None, target,
                                     f"unknown incident type; allowed: {', '.join(ref.incident_types())} or {SKIP}")])
        rules.append(AcledTypeRule("", sub.strip(), frozenset(), frozenset(), kind,
                                   "" if kind == SKIP else "unattributed", "--type-map"))
    local = data_root / ACLED_TYPES.file
    if local.is_file():
        rules += ref.acled_type_rules(local, f"{data_root.name}/{ACLED_TYPES.file}")
    return rules + ref.acled_type_rules()


def import_acled(path: Path, data_dir: Path, type_map: dict[str, str] | None = None,
                 today: dt.date | None = None, out_root: Path | None = None,
                 allow_changes: bool = False) -> ImportReport:
    """Add the events of an ACLED export to data/incidents/acled.csv. Nothing is written
    when a row has a problem, or when the rows would change a period built under out_root
    (unless allow_changes)."""
    today = today or dt.date.today()
    data = load(data_dir, today)
    shown = str(path)
    frame = read_any_csv(path, shown)
    cols = match_columns(list(frame.columns), REQUIRED + OPTIONAL, REQUIRED, shown)
    sheet_path = data.root / "incidents" / "acled.csv"
    reading = _Reading(data, shown, cols, type_rules(data.root, type_map), safe_reference("acled", path.stem),
                       ImportReport(sheet_path), set(data.incidents["event_id_cnty"]), Finder(data.incidents))
    # Plain lists, column by column: a row as a dict from pandas costs more than the import.
    columns = {name: frame[column].tolist() for name, column in cols.items()}
    rows = [row for position, line in enumerate(frame.index.tolist())
            if (row := reading.row(int(line), {name: values[position] for name, values in columns.items()}))]
    if reading.problems:
        raise DataError(reading.problems)
    source = Source(reading.reference, safe_title("ACLED export", path.name),
                    "Armed Conflict Location & Event Data Project (ACLED)", "https://acleddata.com",
                    "Imported with reportlib import acled; wounded is not reported by ACLED.")
    reading.report.added = len(rows)
    write_rows(data, sheet_path, INCIDENTS, rows, today, source, shown, out_root, allow_changes, reading.report)
    return reading.report


@dataclass
class _Reading:
    """An export's rows turned into ours one at a time: what that needs (the data, the
    columns found, the type rules, the reference the rows cite) and what it finds (the
    problems, the report's skips and flags, the event ids seen)."""

    data: Dataset
    shown: str
    cols: dict[str, str]
    rules: list[AcledTypeRule]
    reference: str
    report: ImportReport
    seen: set[str]
    finder: Finder
    problems: list[Problem] = field(default_factory=list)

    def row(self, line: int, raw: dict[str, str]) -> NewRow | None:
        """The row of the export's `line` (its values by our column names), or None when it is
        skipped (counted in the report) or has a problem (in `problems`)."""

        def get(name):
            return raw[name].strip() if name in raw else ""

        data, report = self.data, self.report
        country = get("country")
        if country and country.lower() != data.monitor.country.lower():
            report.skip(f"rows: events outside {data.monitor.country}")
            return None
        event_id = get("event_id_cnty")
        if event_id in self.seen:
            report.skip("rows already in the data (same event_id_cnty)")
            return None
        incident_type, casualty_group = self._types(line, get)
        day = parse_acled_date(get("event_date"))
        admin1 = ref.governorate_name(get("admin1"))
        if incident_type is None or not self._found(line, get, day, admin1) or day is None:
            return None
        values = {
            "event_id_cnty": event_id, "event_date": day.isoformat(), "end_date": "",
            "incident_type": incident_type, "admin1": admin1, "target": "", "incidents": "1",
            "fatalities": get("fatalities"), "fatalities_min": "false", "wounded": "", "wounded_min": "false",
            "source": get("source") or "ACLED", "reference": self.reference,
            "casualty_group": casualty_group,
            # ACLED counts the dead of an event, not whose they are: a group other than
            # "unattributed" is the table's reading of the actors' categories.
            "inferred": "casualty_group" if casualty_group != "unattributed" else "",
            "duplicate_of": "",
            **{name: get(name) for name in KEPT},
        }
        origin = {name: (self.cols[name], raw[name]) if name in raw else (name, "")
                  for name in ["event_id_cnty", "event_date", "admin1", "fatalities", "source", *KEPT]}
        # An event dated only to the week or month has no day to compare.
        if get("time_precision") in ("", "1"):
            repeated = self.finder.check(values)
            if repeated:
                values["duplicate_of"], said = repeated
                report.flagged.append(said)
        self.seen.add(event_id)
        return NewRow(values, line, origin)

    def _types(self, line: int, get) -> tuple[str | None, str]:
        """The incident type and casualty group of a row's ACLED types; None when the row is
        skipped by a rule, or no rule gives a type (a problem)."""
        sub = get("sub_event_type")
        inter1, inter2 = ref.acled_inter(get("inter1")), ref.acled_inter(get("inter2"))
        rule = next((r for r in self.rules if r.matches(get("event_type"), sub, inter1, inter2)), None)
        if rule is None or not rule.incident_type:
            where = f" ({rule.origin} gives none)" if rule else ""
            self.problems.append(Problem(self.shown, line, self.cols["sub_event_type"], sub,
                                         f"no incident type for this ACLED sub-event type{where}; map it in "
                                         f"{self.data.root.name}/{ACLED_TYPES.file} or with --type-map "
                                         f"'{sub}=TYPE', or skip it with --type-map '{sub}={SKIP}'"))
            return None, ""
        if rule.incident_type == SKIP:
            by = "--type-map" if rule.origin == "--type-map" else rule.origin
            self.report.skip(f"rows of sub-event type '{sub}' (skipped by {by})")
            return None, ""
        return rule.incident_type, rule.casualty_group

    def _found(self, line: int, get, day: dt.date | None, admin1: str | None) -> bool:
        """Whether the row's date and governorate were read; each that was not is a problem."""
        if day is None:
            self.problems.append(Problem(self.shown, line, self.cols["event_date"], get("event_date"),
                                         "not a date in any ACLED form (2020-01-03, 16 May 2025, 18/04/2001)"))
            return False
        if admin1 is None:
            self.problems.append(Problem(self.shown, line, self.cols["admin1"], get("admin1"),
                                         "unknown governorate; add the spelling to "
                                         "reportlib/inputs/reference/governorates.csv"))
            return False
        return True
