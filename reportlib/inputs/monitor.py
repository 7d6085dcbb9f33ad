"""monitor.yaml: the monitor a data folder feeds (its name, country, sections, weekday and
trend window), read and checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, UsageError
from . import textrules, yamlreader
from .periods import weekday_number

MONITOR_FILE = "monitor.yaml"
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


def load_monitor(path: Path, shown: str, problems: list[Problem]) -> Monitor | None:
    if not path.exists():
        problems.append(Problem(shown, None, None, None,
                                "missing: every data folder needs monitor.yaml (name, country, sections)"))
        return None
    data, found = yamlreader.load(path, shown)
    problems += found
    if data is None:
        return None
    ok = True

    def need(key: str, kind=str):
        nonlocal ok
        value = data.get(key)
        if value is None or (kind is str and not str(value).strip()):
            problems.append(Problem(shown, data.line, key, None, "required key is missing"))
            ok = False
            return None
        if not isinstance(value, kind):
            problems.append(Problem(shown, data.line_of(key), key, str(value),
                                    f"must be a {kind.__name__}"))
            ok = False
            return None
        return value

    name, country = need("name"), need("country")
    raw_sections = need("sections", list)
    sections = []
    for i, item in enumerate(raw_sections or []):
        line = raw_sections.lines[i]
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            problems.append(Problem(shown, line, "sections", str(item),
                                    "each section needs an id and a title"))
            ok = False
            continue
        sections.append(Section(str(item["id"]), str(item["title"])))
    weekday = 3
    if "period_weekday" in data:
        try:
            weekday = weekday_number(str(data["period_weekday"]))
        except UsageError as exc:
            problems.append(Problem(shown, data.line_of("period_weekday"), "period_weekday",
                                    str(data["period_weekday"]), str(exc)))
            ok = False
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        problems.append(Problem(shown, data.line_of("synthetic"), "synthetic", str(synthetic),
                                "must be true or false"))
        ok = False
    trend_weeks = data.get("trend_weeks", DEFAULT_TREND_WEEKS)
    if not isinstance(trend_weeks, int) or isinstance(trend_weeks, bool) or not 0 <= trend_weeks <= 104:
        problems.append(Problem(shown, data.line_of("trend_weeks"), "trend_weeks", str(trend_weeks),
                                "must be a whole number of weeks from 0 to 104"))
        ok = False
    rounding = data.get("rounding", DEFAULT_ROUNDING)
    if rounding not in ROUNDING_RULES:
        problems.append(Problem(shown, data.line_of("rounding"), "rounding", str(rounding),
                                f"must be one of {', '.join(ROUNDING_RULES)}"))
        ok = False
    for key in ("name", "country"):
        for reason in textrules.problems(str(data.get(key, ""))):
            problems.append(Problem(shown, data.line_of(key), key, str(data[key]), reason))
            ok = False
    if not ok:
        return None
    return Monitor(str(name), str(country), str(data.get("language", "en")), weekday,
                   tuple(sections), synthetic, trend_weeks, rounding)
