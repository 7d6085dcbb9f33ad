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
from .periods import BadDate, Period, format_day, read_date


@dataclass(frozen=True)
class Event:
    """One item of a section, in the monitor's words. `date` to `end_date` is the span its
    dateline gives ("Between November 21 – December 3, "); `dateline` is False for a sentence
    that carries its own date. `incidents` (incident ids) and `indicators` ((indicator, date)
    keys) are the data rows whose figures the text states: the report tells those rows here
    and nowhere else, and validation checks that the text agrees with them."""

    date: dt.date | None
    text: str
    section: str
    reference: str
    end_date: dt.date | None = None
    dateline: bool = True
    incidents: tuple[str, ...] = ()
    indicators: tuple[tuple[str, dt.date], ...] = ()
    line: int | None = None  # where the event starts in the issue file

    @property
    def last_day(self) -> dt.date | None:
        return self.end_date or self.date


@dataclass
class Issue:
    """One published issue: its period, a headline per section and the events."""

    period: Period
    reference: str
    headlines: dict[str, str]
    events: list[Event]
    file: str
    # Sections the issue leaves out (absent from the file, or given with nothing after the
    # colon): nothing to report, so the report prints no heading for them.
    left_out: frozenset[str] = frozenset()

    def section_events(self, section_id: str) -> list[Event]:
        """A section's events in the order of the file, which is the source's order."""
        return [e for e in self.events if e.section == section_id]

    def cited_incidents(self) -> set[str]:
        """Ids of the incident rows some event states."""
        return {i for e in self.events for i in e.incidents}

    def cited_indicators(self) -> set[tuple[str, dt.date]]:
        """(indicator, date) of the indicator rows some event states."""
        return {k for e in self.events for k in e.indicators}


def load_issue(folder: DataFolder, path: Path, monitor, references, today, problems) -> Issue | None:
    """One issue file of the folder, every field read by its type (yamlreader.Fields)."""
    shown = folder.shown(path)
    data = folder.read_mapping(path, problems)
    if data is None:
        return None
    before = len(problems)
    fields = yamlreader.Fields(shown, problems)
    period = _period(data, path, shown, fields, problems)
    reference = _reference(data, references, shown, fields, problems)
    headlines, events, left_out = _sections(data, monitor, period, reference, references, today, shown, fields,
                                            problems)
    if len(problems) > before or period is None:
        return None
    return Issue(period, reference, headlines, events, shown, left_out)


def _period(data, path: Path, shown: str, fields, problems: list) -> Period | None:
    """The issue's period, from period_start and period_end; the file is named after its end."""
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
    return period


def _reference(data, references, shown: str, fields, problems: list) -> str:
    """The document in sources.csv the issue comes from ('' when it has a problem)."""
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
    return reference or ""


def _sections(data, monitor, period, reference: str, references, today, shown: str, fields,
              problems: list) -> tuple[dict[str, str], list[Event], frozenset[str]]:
    """Each section's headline and events, in the file's order, and the sections left out."""
    sections = data.get("sections")
    headlines: dict[str, str] = {}
    events: list[Event] = []
    if not isinstance(sections, yamlreader.Mapping):
        problems.append(Problem(shown, data.line_of("sections"), "sections", None,
                                "must be a mapping of section id to headline and events"))
        sections = yamlreader.Mapping()
    known = [s.id for s in monitor.sections]
    left_out = set(known) - set(sections)
    for section_id, body in sections.items():
        line = sections.line_of(section_id)
        if section_id not in known:
            problems.append(Problem(shown, line, "sections", str(section_id),
                                    f"unknown section; the monitor's sections are {', '.join(known)}"))
            continue
        if body is None:
            left_out.add(section_id)
            continue
        if not isinstance(body, yamlreader.Mapping):
            problems.append(Problem(shown, line, section_id, None,
                                    "must be a mapping with a headline and events"))
            continue
        headline = fields.text(body, "headline", f"{section_id}.headline", markdown=True)
        if headline == "":
            problems.append(Problem(shown, body.line_of("headline"), f"{section_id}.headline", None,
                                    "headline is empty; write the section's headline, or, when the issue has "
                                    f"nothing for it, leave the section out (delete it, or write `{section_id}:` "
                                    "with nothing after the colon)"))
        elif headline is not None:
            headlines[section_id] = headline
        items = body.get("events") or yamlreader.Sequence()
        if not isinstance(items, yamlreader.Sequence):
            problems.append(Problem(shown, body.line_of("events"), f"{section_id}.events", None,
                                    "must be a list of events"))
            continue
        for i, item in enumerate(items):
            event = _event(item, items.lines[i], section_id, reference, period, references,
                           today, shown, fields, problems)
            if event:
                events.append(event)
    return headlines, events, frozenset(left_out)


_EVENT_KEYS = ("date", "end_date", "dateline", "text", "reference", "incidents", "indicators")


def _event(item, line, section_id, default_reference, period, references, today, shown,
           fields, problems) -> Event | None:
    where = f"{section_id}.events"
    if not isinstance(item, yamlreader.Mapping):
        problems.append(Problem(shown, line, where, item if isinstance(item, str) else None,
                                "each event must be a mapping with date and text"))
        return None
    for key in item:
        if key not in _EVENT_KEYS:
            problems.append(Problem(shown, item.line_of(key), f"{where}.{key}", None,
                                    f"unknown key; an event has {', '.join(_EVENT_KEYS)}"))
    text = fields.text(item, "text", f"{where}.text", markdown=True)
    if text == "":
        problems.append(Problem(shown, item.line, f"{where}.text", None, "event text is empty"))
    day = fields.date(item, "date", f"{where}.date", required=False)
    end = fields.date(item, "end_date", f"{where}.end_date", required=False)
    for key, value in (("date", day), ("end_date", end)):
        if value is None:
            continue
        if value > today:
            problems.append(Problem(shown, item.line_of(key), f"{where}.{key}", value.isoformat(),
                                    f"date is in the future (today is {today.isoformat()})"))
        elif period is not None and not period.contains(value):
            problems.append(Problem(shown, item.line_of(key), f"{where}.{key}", value.isoformat(),
                                    f"event date is outside the issue's period ({period})"))
    # A date that is given but refused has its problem already; what depends on it is not
    # refused a second time, for a reason ("needs a date") that would be false.
    refused_date = day is None and item.get("date") not in (None, "")
    if end is not None and day is None and not refused_date:
        problems.append(Problem(shown, item.line_of("end_date"), f"{where}.end_date", end.isoformat(),
                                "end_date needs a date: the span runs from date to end_date"))
    elif end is not None and day is not None and end < day:
        problems.append(Problem(shown, item.line_of("end_date"), f"{where}.end_date", end.isoformat(),
                                f"end_date is before the event's date ({day.isoformat()})"))
    dateline = item.get("dateline", True)
    if not isinstance(dateline, bool):
        problems.append(Problem(shown, item.line_of("dateline"), f"{where}.dateline", str(dateline),
                                "must be true or false"))
        dateline = True
    if not dateline and day is not None and text and format_day(day) not in text:
        problems.append(Problem(shown, item.line_of("dateline"), f"{where}.dateline", "false",
                                f"the text must then carry its own date ({format_day(day)!r}); it does not"))
    reference = fields.text(item, "reference", f"{where}.reference")
    if reference and references is not None and reference not in references:
        problems.append(Problem(shown, item.line_of("reference"), f"{where}.reference", reference,
                                "unknown reference; add it to sources.csv"))
    incidents = tuple(_listed(item, "incidents", where, shown, problems))
    indicators = []
    for value in _listed(item, "indicators", where, shown, problems):
        key = _indicator_key(value, day)
        if key is None and refused_date and "@" not in value:
            continue
        if key is None:
            problems.append(Problem(shown, item.line_of("indicators"), f"{where}.indicators", value,
                                    "write an indicator row as name@YYYY-MM-DD (for example "
                                    "covid_cases_total@2020-12-03), or the name alone in a dated event"))
        else:
            indicators.append(key)
    if not text:
        return None
    return Event(day, text, section_id, reference or default_reference, end, dateline and day is not None,
                 incidents, tuple(indicators), item.line)


def _listed(item, key, where, shown, problems) -> list[str]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v).strip() for v in value):
        problems.append(Problem(shown, item.line_of(key), f"{where}.{key}", None,
                                "must be a list of row keys, for example [ISHM-20201203-01]"))
        return []
    return [str(v).strip() for v in value]


def _indicator_key(value: str, day: dt.date | None) -> tuple[str, dt.date] | None:
    name, _, when = value.partition("@")
    if not when:
        return (name, day) if day is not None else None
    try:
        return name.strip(), read_date(when.strip())
    except BadDate:
        return None


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
