"""Two weeks after the shipped issue, filled as an editor fills them after `reportlib
new-period`. The shipped data holds one real issue; the weeks after it here are synthetic:
their document in sources.csv is titled "Synthetic", every row's `source` says "Synthetic"
and its `notes` "Synthetic test fixture", as data/README.md asks of generated data. Their
sentences are modelled on the shipped issue's own (its IED total, its Nasiriyah clashes, its
Ministry of Health paragraph), with other figures; they describe no real events.

- 3 – 10 December: an IED on 3 December, the boundary day the shipped issue ends on, that
  this issue reports; a total over the week; a row no event cites.
- 12 – 19 November (backfilled, entered after the others): an attack on 19 November, the
  first day of the shipped issue, that this issue reports.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reportlib.inputs.schema import INCIDENTS, INDICATORS

SOURCE = "Synthetic"
NOTE = "Synthetic test fixture: made up for the tests, not a real event."
WEEK2 = "2020-12-10"
WEEK2_REF = "synthetic-2020-12-10"
BACKFILL = "2020-11-19"
BACKFILL_REF = "synthetic-2020-11-19"


def add_sources(data: Path, *references: str) -> None:
    with open(data / "sources.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for ref in references:
            writer.writerow([ref, f"Synthetic issue for the tests ({ref})", "Synthetic", "2020-12-10", "",
                             "Synthetic test fixture: a made-up issue modelled on the shipped one."])


def write_rows(path: Path, rows: list[dict], names: list[str] = INCIDENTS.names) -> None:
    """Rows appended to a sheet (its header written first if the file is new)."""
    new = not path.exists() or path.stat().st_size == 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow({"source": SOURCE, "notes": NOTE, **row})


def incident(event_id: str, day: str, reference: str, **cells) -> dict:
    return {"event_id_cnty": event_id, "event_date": day, "reference": reference, "casualty_group": "victims",
            **cells}


# 3 December: the boundary day. Modelled on "A rocket attack on November 29 struck ..." and
# the IED total of the shipped issue.
BOUNDARY = incident("SYN-20201210-01", "2020-12-03", WEEK2_REF, incident_type="IED", admin1="Anbar",
                    location="Ramadi", incidents="1", fatalities="2", fatalities_min="false", wounded="4",
                    wounded_min="false", target="Iraqis")
SPAN = incident("SYN-20201210-02", "2020-12-04", WEEK2_REF, end_date="2020-12-10", incident_type="IED",
                admin1="Ninewa;Kirkuk", incidents="6", fatalities="3", fatalities_min="true", wounded="8",
                wounded_min="false", target="Iraqis")
UNCITED = incident("SYN-20201210-03", "2020-12-08", WEEK2_REF, incident_type="rocket attack", admin1="Baghdad",
                   incidents="2", target="the airport")


def write_readings(path: Path, rows: list[dict]) -> None:
    """Indicator rows appended to a sheet of data/indicators/."""
    write_rows(path, rows, INDICATORS.names)


def reading(indicator: str, day: str, value: str, reference: str = WEEK2_REF, **cells) -> dict:
    return {"date": day, "indicator": indicator, "value": value, "reference": reference, **cells}


# The 3 - 10 December issue's figures, modelled on the shipped issue's Ministry of Health
# paragraph: its own (revised) count of 3 December, the boundary day, and its week's figures.
REVISED = reading("covid_cases_total", "2020-12-03", "558900")
NEW_CASES = reading("covid_new_cases", "2020-12-03", "2100")
WEEK2_READINGS = [REVISED, NEW_CASES, reading("covid_cases_total", WEEK2, "573000"),
                  reading("covid_deaths_total", WEEK2, "12500")]


def issue_yaml(events: dict[str, str], period_start: str = "2020-12-03", period_end: str = WEEK2,
               reference: str = WEEK2_REF, headlines: dict[str, str] | None = None) -> str:
    """An issue file: `events` maps a section id to its events' YAML (indented for a list under
    `events:`); a section not in `headlines` or `events` is left out of the issue."""
    headlines = headlines or {s: f"Synthetic Headline Of {s.replace('_', ' ').title()}" for s in events}
    lines = [f"period_start: {period_start}", f"period_end: {period_end}", f"reference: {reference}", "sections:"]
    for section, headline in headlines.items():
        lines += [f"  {section}:", f"    headline: {headline}"]
        body = events.get(section, "")
        lines += ["    events:" + ("" if body.strip() else " []")] + ([body.rstrip("\n")] if body.strip() else [])
    return "\n".join(lines) + "\n"


WEEK2_EVENTS = {
    "politics": """\
      - date: 2020-12-05
        text: >-
          lawmakers debated the election budget (synthetic).
""",
    "security": """\
      - date: 2020-12-03
        incidents: [SYN-20201210-01]
        text: >-
          an IED killed two Iraqis and wounded four in Ramadi.
      - date: 2020-12-04
        end_date: 2020-12-10
        incidents: [SYN-20201210-02]
        text: >-
          six IEDs killed at least three Iraqis and wounded 8 in Ninewa and Kirkuk.
""",
}


def fill_week2(data: Path, events: dict[str, str] | None = None, rows: list[dict] | None = None,
               headlines: dict[str, str] | None = None) -> None:
    """The 3 – 10 December issue as an editor leaves it: the scaffold's files replaced by
    filled ones (the indicators sheet deleted: this synthetic week gives no figure)."""
    add_sources(data, WEEK2_REF)
    (data / "issues" / f"{WEEK2}.yaml").write_text(issue_yaml(events or WEEK2_EVENTS, headlines=headlines),
                                                   encoding="utf-8")
    sheet = data / "incidents" / f"{WEEK2}.csv"
    sheet.unlink(missing_ok=True)
    write_rows(sheet, rows if rows is not None else [BOUNDARY, SPAN, UNCITED])
    (data / "indicators" / f"{WEEK2}.csv").unlink(missing_ok=True)


def fill_backfill(data: Path) -> None:
    """The 12 – 19 November issue, entered after the later ones: an attack on 19 November,
    the day it shares with the shipped issue, which its source reports."""
    add_sources(data, BACKFILL_REF)
    events = {"security": """\
      - date: 2020-11-19
        incidents: [SYN-20201119-01]
        text: >-
          gunmen killed one protester and wounded three in Nasiriyah.
"""}
    (data / "issues" / f"{BACKFILL}.yaml").write_text(
        issue_yaml(events, "2020-11-12", BACKFILL, BACKFILL_REF), encoding="utf-8")
    write_rows(data / "incidents" / f"{BACKFILL}.csv", [
        incident("SYN-20201119-01", "2020-11-19", BACKFILL_REF, incident_type="protest violence", admin1="Dhi Qar",
                 location="Nasiriyah", incidents="1", fatalities="1", fatalities_min="false", wounded="3",
                 wounded_min="false", target="protesters")])


def csv_text(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=INCIDENTS.names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
