"""Our World in Data's COVID-19 CSV into indicators.

Long format, one row per country and day; columns are selected by name because their order
changes between releases. Newer releases name the country column `country`, older ones
`location`. Empty cells are no value, not zero. OWID has no recovered column, and its
hospital columns are empty for Iraq.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...errors import DataError, Problem, UsageError
from ..columns import read_number
from ..dataset import load
from ..schema import INDICATORS
from . import ImportReport, NewRow, Source, match_columns, read_any_csv, write_rows

COLUMNS = {
    "total_cases": "covid_cases_total",
    "new_cases": "covid_new_cases",
    "new_cases_smoothed": "covid_new_cases_7d_avg",
    "total_deaths": "covid_deaths_total",
    "total_tests": "covid_tests_total",
    "hosp_patients": "covid_hospitalised",
}
REFERENCE = "owid-covid-data"


def _same_country(rows, column: str, given: str, monitor: str, folder: str) -> None:
    """Refuse figures of a country other than the monitor's (as the ACLED import leaves out
    events outside it): they would enter the report as national indicators. --country may
    be OWID's name or ISO code of it; the rows it selects must name the monitor's country."""
    others = sorted({name.strip() for name in rows[column]} - {""}, key=str.lower)
    others = [name for name in others if name.lower() != monitor.strip().lower()]
    if others:
        raise UsageError(f"--country {given}: selects figures of {', '.join(others)}, but this monitor is "
                         f"of {monitor} (country in {folder}/monitor.yaml); an import adds only the monitor's "
                         f"own country. Give --country {monitor} (or its ISO code); nothing was written")


def import_owid(path: Path, data_dir: Path, country: str, since: dt.date | None = None,
                until: dt.date | None = None, today: dt.date | None = None, out_root: Path | None = None,
                allow_changes: bool = False) -> ImportReport:
    """Add one country's daily figures to data/indicators/owid-<country>.csv. Nothing is
    written when a value has a problem, or when the values would change a period built
    under out_root (unless allow_changes)."""
    today = today or dt.date.today()
    data = load(data_dir, today)
    shown = str(path)
    frame = read_any_csv(path, shown)
    header = list(frame.columns)
    place = "country" if "country" in {h.lower() for h in header} else "location"
    cols = match_columns(header, ["iso_code", place, "date", *COLUMNS], ["date", place], shown)
    wanted = country.strip().lower()
    names = frame[cols[place]].str.strip().str.lower()
    mask = names == wanted
    if "iso_code" in cols:
        mask |= frame[cols["iso_code"]].str.strip().str.lower() == wanted
    rows_for_country = frame.loc[mask]
    _same_country(rows_for_country, cols[place], country, data.monitor.country, data.root.name)
    slug = "".join(ch for ch in country.lower() if ch.isalnum()) or "country"
    sheet_path = data.root / "indicators" / f"owid-{slug}.csv"
    report = ImportReport(sheet_path, noun="value")
    report.skip(f"rows for countries other than {country}", len(frame) - len(rows_for_country))
    if rows_for_country.empty:
        raise DataError([Problem(shown, None, cols[place], country,
                                 f"no rows for this country (matched on {place} and iso_code)")])
    existing = {(r.indicator, r.date.date().isoformat(), r.admin1) for r in data.indicators.itertuples()}
    problems: list[Problem] = []
    rows = _values(rows_for_country, cols, shown, (since, until), existing, report, problems)
    if problems:
        raise DataError(problems)
    report.added = len(rows)
    if rows:
        days = sorted(r.values["date"] for r in rows)
        report.details.append(f"dates {days[0]} to {days[-1]}, indicators: "
                              + ", ".join(sorted({r.values['indicator'] for r in rows})))
    source = Source(REFERENCE, "COVID-19 dataset", "Our World in Data", "https://github.com/owid/covid-19-data",
                    "Imported with reportlib import owid; national figures by day.")
    write_rows(data, sheet_path, INDICATORS, rows, today, source, shown, out_root, allow_changes, report)
    return report


def _values(frame, cols: dict[str, str], shown: str, span: tuple[dt.date | None, dt.date | None],
            existing: set, report: ImportReport, problems: list[Problem]) -> list[NewRow]:
    """The indicator values of one country's rows, a row a day and a value an indicator;
    skips counted in `report`, bad dates and numbers added to `problems`."""
    since, until = span
    rows = []
    for position, record in frame.iterrows():
        line = int(position)  # read_any_csv indexes rows by their line
        day_text = str(record[cols["date"]]).strip()
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            problems.append(Problem(shown, line, cols["date"], day_text, "not a date in YYYY-MM-DD form"))
            continue
        if (since and day < since) or (until and day > until):
            report.skip("rows outside --from/--to")
            continue
        for column, indicator in COLUMNS.items():
            if column not in cols:
                continue
            raw = str(record[cols[column]]).strip()
            if not raw:
                continue
            value = read_number(raw)
            if value is None:
                problems.append(Problem(shown, line, cols[column], raw,
                                        "not a number as data files write one (digits, optionally a decimal "
                                        "point and thousands commas)"))
                continue
            if value < 0:
                # OWID publishes negative daily counts where a country revised its totals down;
                # they are corrections, not cases, and our counts are 0 or more.
                report.skip("negative daily values (revisions of earlier totals)")
                continue
            key = (indicator, day.isoformat(), "")
            if key in existing:
                report.skip("values already in the data (same indicator and date)")
                continue
            existing.add(key)
            shown_value = str(int(value)) if value.is_integer() else f"{value:.3f}".rstrip("0")
            values = {"date": day.isoformat(), "indicator": indicator, "admin1": "",
                      "value": shown_value, "source": "Our World in Data", "reference": REFERENCE,
                      "notes": f"OWID column {column}"}
            rows.append(NewRow(values, line, {"date": (cols["date"], day_text), "value": (cols[column], raw)}))
    return rows
