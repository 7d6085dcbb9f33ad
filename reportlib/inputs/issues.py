"""issues/<period-end>.yaml: one published issue (its period, a headline per section and the
dated events in the monitor's words), read and checked against the monitor and the sources."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from . import yamlreader
from .datafolder import ISSUES_DIR as ISSUES_DIR
from .datafolder import DataFolder
from .periods import BadDate, Period, read_date


@dataclass(frozen=True)
class Event:
    date: dt.date | None
    text: str
    section: str
    reference: str


@dataclass
class Issue:
    """One published issue: its period, a headline per section and the dated events."""

    period: Period
    reference: str
    headlines: dict[str, str]
    events: list[Event]
    file: str

    def section_events(self, section_id: str) -> list[Event]:
        """Events of a section in date order; an undated event keeps its place after the
        dated event that precedes it in the file."""
        keyed, last = [], dt.date.min
        for position, event in enumerate(e for e in self.events if e.section == section_id):
            last = event.date or last
            keyed.append((last, position, event))
        return [e for _, _, e in sorted(keyed, key=lambda k: (k[0], k[1]))]


def load_issue(folder: DataFolder, path: Path, monitor, references, today, problems) -> Issue | None:
    """One issue file of the folder, every field read by its type (yamlreader.Fields)."""
    shown = folder.shown(path)
    raw = folder.read_or_report(path, problems)
    if raw is None:
        return None
    data, found = yamlreader.parse(raw, shown)
    problems += found
    if data is None:
        return None
    before = len(problems)
    fields = yamlreader.Fields(shown, problems)

    start, end = fields.date(data, "period_start"), fields.date(data, "period_end")
    period = None
    if start and end:
        if end < start:
            problems.append(Problem(shown, data.line_of("period_end"), "period_end", str(end),
                                    f"period end is before its start ({start.isoformat()})"))
        else:
            period = Period(start, end)
    if end is not None and path.stem != end.isoformat():
        problems.append(Problem(shown, data.line_of("period_end"), "period_end", str(end),
                                f"the file must be named {end.isoformat()}.yaml after its period end"))
    elif end is None and not _is_date(path.stem):
        # The period end names the output folder; a file name that is no date is a sign
        # that the period end is not one either.
        problems.append(Problem(shown, data.line_of("period_end"), "period_end", None,
                                f"the file name {path.name!r} is not a period end date; issue files are "
                                "named after their period end, as in 2020-12-03.yaml"))
    # An empty `reference:` is YAML's null, which must read as empty, not as the text "None".
    reference = fields.text(data, "reference")
    if "reference" not in data:
        problems.append(Problem(shown, data.line, "reference", None,
                                "required key is missing (the id in sources.csv this issue comes from)"))
    elif reference == "":
        problems.append(Problem(shown, data.line_of("reference"), "reference", None,
                                "reference is empty; add the issue's document to sources.csv and write "
                                "its reference here"))
    elif reference is not None and references is not None and reference not in references:
        problems.append(Problem(shown, data.line_of("reference"), "reference", reference,
                                "unknown reference; add it to sources.csv"))
    reference = reference or ""
    sections = data.get("sections")
    headlines: dict[str, str] = {}
    events: list[Event] = []
    if not isinstance(sections, dict):
        problems.append(Problem(shown, data.line_of("sections"), "sections", None,
                                "must be a mapping of section id to headline and events"))
        sections = {}
    known = [s.id for s in monitor.sections]
    for section_id, body in sections.items():
        line = sections.line_of(section_id)
        if section_id not in known:
            problems.append(Problem(shown, line, "sections", str(section_id),
                                    f"unknown section; the monitor's sections are {', '.join(known)}"))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(shown, line, section_id, None,
                                    "must be a mapping with a headline and events"))
            continue
        headline = fields.text(body, "headline", f"{section_id}.headline", markdown=True)
        if headline == "":
            problems.append(Problem(shown, body.line_of("headline"), f"{section_id}.headline", None,
                                    "headline is empty; write the section's headline"))
        elif headline is not None:
            headlines[section_id] = headline
        items = body.get("events") or []
        if not isinstance(items, list):
            problems.append(Problem(shown, body.line_of("events"), f"{section_id}.events", None,
                                    "must be a list of events"))
            continue
        for i, item in enumerate(items):
            event = _event(item, items.lines[i], section_id, reference, period, references,
                           today, shown, fields, problems)
            if event:
                events.append(event)
    if len(problems) > before or period is None:
        return None
    return Issue(period, reference, headlines, events, shown)


def _event(item, line, section_id, default_reference, period, references, today, shown,
           fields, problems) -> Event | None:
    where = f"{section_id}.events"
    if not isinstance(item, dict):
        problems.append(Problem(shown, line, where, item if isinstance(item, str) else None,
                                "each event must be a mapping with date and text"))
        return None
    text = fields.text(item, "text", f"{where}.text", markdown=True)
    if text == "":
        problems.append(Problem(shown, item.line, f"{where}.text", None, "event text is empty"))
    day = fields.date(item, "date", f"{where}.date", required=False)
    if day is not None:
        if day > today:
            problems.append(Problem(shown, item.line_of("date"), f"{where}.date", day.isoformat(),
                                    f"date is in the future (today is {today.isoformat()})"))
        elif period is not None and not period.contains(day):
            problems.append(Problem(shown, item.line_of("date"), f"{where}.date", day.isoformat(),
                                    f"event date is outside the issue's period ({period})"))
    reference = fields.text(item, "reference", f"{where}.reference")
    if reference and references is not None and reference not in references:
        problems.append(Problem(shown, item.line_of("reference"), f"{where}.reference", reference,
                                "unknown reference; add it to sources.csv"))
    if not text:
        return None
    return Event(day, text, section_id, reference or default_reference)


def _is_date(text: str) -> bool:
    try:
        read_date(text)
    except BadDate:
        return False
    return True


def check_overlaps(issues: list[Issue], problems: list[Problem]) -> None:
    for before, after in itertools.pairwise(issues):
        # Consecutive issues share their boundary day (Thursday to Thursday), no more.
        if after.period.start < before.period.end:
            problems.append(Problem(after.file, None, "period_start", after.period.start.isoformat(),
                                    f"period overlaps the previous issue ({before.file}, {before.period})"))
