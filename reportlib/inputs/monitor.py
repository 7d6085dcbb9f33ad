"""monitor.yaml: the monitor a data folder feeds (its name, country, sections, weekday and
trend window), read and checked."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import Problem, UsageError
from . import yamlreader
from .datafolder import MONITOR_FILE as MONITOR_FILE
from .datafolder import DataFolder
from .periods import weekday_number

DEFAULT_TREND_WEEKS = 8
# How a computed figure that is not whole (a 7-day average, a percentage) is published:
# `truncate` drops what is past the last digit shown (the shipped monitor publishes a mean of
# 2,488.57 as 2,488/day), `round` rounds half away from zero.
ROUNDING_RULES = ("truncate", "round")
DEFAULT_ROUNDING = "round"


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Monitor:
    name: str
    country: str
    language: str
    weekday: int
    sections: tuple[Section, ...]
    synthetic: bool
    trend_weeks: int
    rounding: str = DEFAULT_ROUNDING  # one of ROUNDING_RULES; every computed figure follows it

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)


# A BCP 47 language tag as HTML's lang attribute and PDF metadata take it: en, ar, ckb-IQ.
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def load_monitor(folder: DataFolder, problems: list[Problem]) -> Monitor | None:
    """The folder's monitor.yaml, every field read by its type (yamlreader.Fields); None,
    with the problems added, if any field is wrong."""
    path = folder.monitor
    shown = folder.shown(path)
    if not os.path.lexists(path):
        problems.append(Problem(shown, None, None, None,
                                "missing: every data folder needs monitor.yaml (name, country, sections)"))
        return None
    data = folder.read_mapping(path, problems)
    if data is None:
        return None
    before = len(problems)
    fields = yamlreader.Fields(shown, problems)

    def required_text(key: str) -> str | None:
        value = fields.text(data, key)
        if value == "":
            problems.append(Problem(shown, data.line, key, None, "required key is missing"))
            return None
        return value

    name, country = required_text("name"), required_text("country")
    language = fields.text(data, "language") or "en"
    if language is not None and not _LANGUAGE.fullmatch(language):
        fields.refuse(data, "language", None, language,
                      "not a language tag (BCP 47, as en, ar or ckb-IQ)")
    sections = _sections(data, fields, shown, problems)
    weekday = 3
    weekday_name = fields.text(data, "period_weekday")
    if weekday_name:
        try:
            weekday = weekday_number(weekday_name)
        except UsageError as exc:
            fields.refuse(data, "period_weekday", None, weekday_name, str(exc))
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        fields.refuse(data, "synthetic", None, str(synthetic), "must be true or false")
    trend_weeks = data.get("trend_weeks", DEFAULT_TREND_WEEKS)
    if not isinstance(trend_weeks, int) or isinstance(trend_weeks, bool) or not 0 <= trend_weeks <= 104:
        fields.refuse(data, "trend_weeks", None, str(trend_weeks),
                      "must be a whole number of weeks from 0 to 104")
    rounding = fields.text(data, "rounding") or DEFAULT_ROUNDING
    if rounding not in ROUNDING_RULES:
        fields.refuse(data, "rounding", None, rounding, f"must be one of {', '.join(ROUNDING_RULES)}")
    if len(problems) > before or name is None or country is None:  # None only when refused, with a problem
        return None
    return Monitor(name, country, language, weekday, tuple(sections), synthetic, trend_weeks, rounding)


def _sections(data, fields, shown: str, problems: list[Problem]) -> list[Section]:
    raw_sections = data.get("sections")
    if raw_sections is None:
        problems.append(Problem(shown, data.line, "sections", None, "required key is missing"))
        return []
    if not isinstance(raw_sections, yamlreader.Sequence):
        fields.refuse(data, "sections", None, None, "must be a list of sections, each with an id and a title")
        return []
    sections: list[Section] = []
    for i, item in enumerate(raw_sections):
        line = raw_sections.lines[i]
        section_id = fields.text(item, "id", "sections.id") if isinstance(item, dict) else ""
        title = fields.text(item, "title", "sections.title") if isinstance(item, dict) else ""
        if section_id == "" or title == "":
            problems.append(Problem(shown, line, "sections", str(item) if isinstance(item, dict) else None,
                                    "each section needs an id and a title"))
            continue
        if section_id and any(s.id == section_id for s in sections):
            fields.refuse(item, "id", "sections.id", section_id, "section id appears twice")
        elif section_id and title:
            sections.append(Section(section_id, title))
    return sections
