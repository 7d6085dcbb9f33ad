"""Events against the rows they cite. An event of an issue file names the incident and
indicator rows whose figures its text states (`incidents:`, `indicators:`); the report then
tells those rows in the event's words and nowhere else. This module checks that the event
and its rows agree, so that the words a reader sees and the figures the tables and key
figures count are the same facts:

- every cited row exists and falls within the event's span (inputs.owners checks that no other
  issue reports it);
- no row is cited by two events (a fact told once);
- every count a cited row gives (killed, wounded, incidents above one) is written in the text,
  "at least" exactly where the row says the count is a minimum;
- every indicator value a cited row gives is written in the text.

    >>> from reportlib.inputs.citations import spellings
    >>> spellings(5)
    ('5', 'five')
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ..errors import Problem
from .issues import Event, Issue
from .periods import format_span

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen", "twenty")
_TENS = {30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety",
         100: "a hundred"}
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+|" + "|".join(sorted(_WORDS + tuple(_TENS.values()),
                                                                     key=len, reverse=True)) + ")"
_AT_LEAST = re.compile(r"\bat least\s+(" + _NUMBER + r")\b", re.IGNORECASE)


def spellings(n: int) -> tuple[str, ...]:
    """The ways a monitor writes a whole number: digits (with thousands separators above
    999) and, up to twenty and for round tens, the word."""
    forms = [f"{n:,}"] + ([str(n)] if n >= 1000 else [])
    if 0 <= n < len(_WORDS):
        forms.append(_WORDS[n])
    elif n in _TENS:
        forms.append(_TENS[n])
    return tuple(forms)


def _number_of(text: str) -> int | None:
    text = text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    if text in _WORDS:
        return _WORDS.index(text)
    return next((n for n, word in _TENS.items() if word == text), None)


def states(text: str, n: int) -> bool:
    """Whether the text writes the whole number n, in any of its spellings."""
    return _states(text, n)


_ANY_NUMBER = re.compile(r"(?<![\w,.])(" + _NUMBER + r")(?![\w]|,[0-9])", re.IGNORECASE)


def written_numbers(texts) -> set[int]:
    """Every whole number the texts write, in digits or words: a quick first test before
    stating_event, for data folders with many rows."""
    return {n for text in texts for m in _ANY_NUMBER.findall(text) if (n := _number_of(m)) is not None}


def stating_event(issue: Issue, row) -> Event | None:
    """The event of the issue whose text already states an uncited row's figures (its span
    holds the row's, and it writes every count the row gives, at least one): the report must
    not compose a sentence that says it again. `row`: an incident row (itertuples)."""
    first = row.event_date.date()
    last = first if pd.isna(row.end_date) else row.end_date.date()
    counts = [int(n) for n, skip in ((row.incidents, 1), (row.fatalities, None), (row.wounded, None))
              if not pd.isna(n) and int(n) != skip]
    if not counts:
        return None
    for event in issue.events:
        if event.date is None or not (event.date <= first and last <= event.last_day):
            continue
        if all(_states(event.text, n) for n in counts):
            return event
    return None


def _states(text: str, n: int) -> bool:
    return any(re.search(r"(?<![\w,.])" + re.escape(form) + r"(?![\w]|,[0-9])", text, re.IGNORECASE)
               for form in spellings(n))


def _states_minimum(text: str, n: int) -> bool:
    return any(_number_of(m) == n for m in _AT_LEAST.findall(text))


def check(issues: list[Issue], incidents: pd.DataFrame, indicators: pd.DataFrame) -> list[Problem]:
    """Every disagreement between the events of `issues` and the rows they cite."""
    problems: list[Problem] = []
    # Only the cited rows are read into Python: a data folder may hold a million incidents.
    ids = {i for issue in issues for event in issue.events for i in event.incidents}
    cited = incidents.loc[incidents["event_id_cnty"].isin(ids)]
    by_id = {row.event_id_cnty: row for row in cited.itertuples(index=False)}
    names = {name for issue in issues for event in issue.events for name, _ in event.indicators}
    national = indicators.loc[(indicators["admin1"] == "") & indicators["indicator"].isin(names)]
    # A key may have two rows: a reading and a later issue's revision of it (inputs.owners).
    values: dict[tuple[str, dt.date], list] = {}
    for name, day, row in zip(national["indicator"], national["date"], national.itertuples(index=False),
                              strict=True):
        values.setdefault((name, day.date()), []).append(row)
    cited_by: dict[str, tuple[str, int | None]] = {}
    for issue in issues:
        for event in issue.events:
            problems += _check_incidents(issue, event, by_id, cited_by)
            problems += _check_indicators(issue, event, values)
    return problems


def _problem(issue: Issue, event: Event, key: str, value: str | None, message: str) -> Problem:
    return Problem(issue.file, event.line, f"{event.section}.events.{key}", value, message)


def _check_incidents(issue: Issue, event: Event, by_id: dict, cited_by: dict) -> list[Problem]:
    problems = []
    minimums = set()
    found = [by_id[i] for i in event.incidents if i in by_id]
    days = [(r.event_date.date(), (r.event_date if pd.isna(r.end_date) else r.end_date).date()) for r in found]
    first, last = (min(a for a, _ in days), max(b for _, b in days)) if days else (None, None)
    # The span starts on the event's day (or the event has none) but runs on: end_date forgotten.
    one_day_for_many = False
    if (event.end_date is None and first is not None and last is not None and first < last
            and (event.date is None or event.date == first)):
        one_day_for_many = True
        given = f"gives one day ({event.date.isoformat()})" if event.date else "gives no date"
        problems.append(_problem(issue, event, "end_date", None,
                                 f"the rows it cites cover {_span(first, last)}, but the event {given}; write "
                                 f"date: {first.isoformat()} and end_date: {last.isoformat()}, so that the report "
                                 f"writes the span (\"Between {format_span(first, last)}, \") and not one day"))
    for event_id in event.incidents:
        row = by_id.get(event_id)
        if row is None:
            problems.append(_problem(issue, event, "incidents", event_id,
                                     "no incident row has this id (event_id_cnty)"))
            continue
        where = f"{row.file}:{row.line}"
        earlier = cited_by.get(event_id)
        if earlier is not None:
            problems.append(_problem(issue, event, "incidents", event_id,
                                     f"the row ({where}) is already told by the event on line {earlier[1]} of "
                                     f"{earlier[0]}; a fact is told once"))
        cited_by[event_id] = (issue.file, event.line)
        first = row.event_date.date()
        last = first if pd.isna(row.end_date) else row.end_date.date()
        # Which issue counts the row (its reference, its date) is judged in inputs.owners.
        if not one_day_for_many and event.date is not None and not (event.date <= first and last <= event.last_day):
            problems.append(_problem(issue, event, "incidents", event_id,
                                     f"the row ({where}) covers {_span(first, last)}, outside the event's "
                                     f"{_span(event.date, event.end_date or event.date)}"))
        counts = [("fatalities", row.fatalities, row.fatalities_min),
                  ("wounded", row.wounded, row.wounded_min), ("incidents", row.incidents, False)]
        for column, count, minimum in counts:
            if pd.isna(count) or (column == "incidents" and count == 1):
                continue  # one incident is the text's "a" or "an"
            count = int(count)
            if minimum:
                minimums.add(count)
            if not _states(event.text, count):
                problems.append(_problem(issue, event, "text", None,
                                         f"does not state the {column} of {event_id} ({where}): "
                                         f"{'at least ' if minimum else ''}{count}"))
            elif minimum and not _states_minimum(event.text, count):
                problems.append(_problem(issue, event, "text", None,
                                         f"states the {column} of {event_id} ({where}) as exact; the row "
                                         f"says it is a minimum (\"at least {count}\")"))
    if event.incidents:
        for stated in _AT_LEAST.findall(event.text):
            if _number_of(stated) not in minimums:
                problems.append(_problem(issue, event, "text", f"at least {stated}",
                                         "says “at least” where no cited row gives that figure as a minimum"))
    return problems


def _check_indicators(issue: Issue, event: Event, values: dict) -> list[Problem]:
    problems = []
    # The row of the citing issue's own documents where there is one (a revision).
    own = {issue.reference} | {e.reference for e in issue.events}
    for name, day in event.indicators:
        shown = f"{name}@{day.isoformat()}"
        rows = values.get((name, day), [])
        row = next((r for r in rows if r.reference in own), rows[0] if rows else None)
        if row is None:
            problems.append(_problem(issue, event, "indicators", shown,
                                     "no country-wide indicator row has this indicator and date"))
            continue
        value = float(row.value)
        if value.is_integer() and not _states(event.text, int(value)):
            problems.append(_problem(issue, event, "text", None,
                                     f"does not state {shown} ({row.file}:{row.line}): {int(value):,}"))
    return problems


def _span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
