"""The vocabularies shipped inside the package: governorates with their accepted spellings,
incident types with their nouns, indicators with their units and sentences, and the table
that turns ACLED's event types into incident types (which a data folder may extend)."""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from ..errors import Problem
from .schema import ACLED_TYPES


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("reportlib.inputs").joinpath("reference", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.lru_cache(maxsize=65536)  # imports and sheets repeat their place names
def name_key(text: str) -> str:
    """Spelling-insensitive key: 'Salah al-Din', 'salah ad din', 'SALAHADDIN Governorate'
    differ only in what this drops. Arabic keeps its letters (it has no case)."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().strip()
    text = re.sub(r"\s+(governorate|province)$", "", text)
    text = re.sub(r"^محافظة\s+", "", text)
    return re.sub(r"[\s\-'’‘`.]", "", text)


@dataclass(frozen=True)
class Governorate:
    pcode: str
    name: str
    name_ar: str
    lat: float
    lon: float


@functools.cache
def governorates() -> dict[str, Governorate]:
    """Canonical name -> Governorate, in P-code order."""
    out = {}
    for row in _rows("governorates.csv"):
        out[row["name"]] = Governorate(
            row["pcode"], row["name"], row["name_ar"], float(row["lat"]), float(row["lon"])
        )
    return out


@functools.cache
def _governorate_keys() -> dict[str, str]:
    keys = {}
    for row in _rows("governorates.csv"):
        for spelling in [row["name"], row["name_ar"], row["pcode"], *row["aliases"].split("|")]:
            if spelling:
                keys[name_key(spelling)] = row["name"]
    return keys


def governorate_name(text: str) -> str | None:
    """The canonical name for any accepted spelling, or None if the name is unknown."""
    return _governorate_keys().get(name_key(text))


@dataclass(frozen=True)
class IncidentType:
    type: str
    singular: str
    plural: str
    voice: str
    other_after: str
    counted_as: str  # what the key figures call casualties of this type: "killed in attacks"
    description: str
    order: int


@functools.cache
def incident_types() -> dict[str, IncidentType]:
    out = {}
    for order, row in enumerate(_rows("incident_types.csv")):
        out[row["type"]] = IncidentType(
            row["type"], row["singular"], row["plural"], row["voice"], row["other_after"],
            row["counted_as"], row["description"], order,
        )
    return out


def incident_type_name(text: str) -> str | None:
    wanted = str(text).strip().casefold()
    for name in incident_types():
        if name.casefold() == wanted:
            return name
    return None


@dataclass(frozen=True)
class Indicator:
    indicator: str
    label: str
    unit: str
    kind: str
    sentence: str
    description: str
    order: int


@functools.cache
def indicators() -> dict[str, Indicator]:
    return {
        row["indicator"]: Indicator(
            row["indicator"], row["label"], row["unit"], row["kind"], row["sentence"],
            row["description"], order,
        )
        for order, row in enumerate(_rows("indicators.csv"))
    }


# -- ACLED types ----------------------------------------------------------------------------

# ACLED's actor categories ("inter" codes): exports before 2023 give the number, later
# ones the label.
ACLED_INTER = {"1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
               "5": "Rioters", "6": "Protesters", "7": "Civilians", "8": "External/Other forces"}
CASUALTY_GROUPS = ("victims", "militants", "unattributed")
SKIP = "skip"
ACLED_TYPES_SHIPPED = "reportlib/inputs/reference/acled_types.csv"


def acled_inter(text: str) -> str:
    """ACLED's actor category as its label, from a number (old exports) or a label in any
    case; empty when the event has no such actor (0 or empty)."""
    text = str(text).strip()
    if text in ("", "0"):
        return ""
    if text in ACLED_INTER:
        return ACLED_INTER[text]
    for label in ACLED_INTER.values():
        if label.casefold() == text.casefold():
            return label
    return text


@dataclass(frozen=True)
class AcledTypeRule:
    """One row of the ACLED type table: which events it covers and what they become.

    >>> rule = acled_type_rules()[0]
    >>> rule.sub_event_type, rule.incident_type, rule.casualty_group
    ('Armed clash', 'armed clash', 'unattributed')
    """

    event_type: str  # empty: any
    sub_event_type: str
    inter1: frozenset[str]  # ACLED actor categories of actor1; empty: any
    inter2: frozenset[str]
    incident_type: str  # an incident type, SKIP, or empty: no type (the import stops and asks)
    casualty_group: str
    origin: str  # file:line, for messages

    def matches(self, event_type: str, sub_event_type: str, inter1: str, inter2: str) -> bool:
        return (sub_event_type.casefold() == self.sub_event_type.casefold()
                and (not self.event_type or event_type.casefold() == self.event_type.casefold())
                and (not self.inter1 or inter1 in self.inter1)
                and (not self.inter2 or inter2 in self.inter2))


def acled_type_rules(path=None, shown: str | None = None, today=None,
                     problems: list | None = None, raw: bytes | None = None) -> list[AcledTypeRule]:
    """The rules of an ACLED type table, checked like any data file: the shipped table with
    no `path`, else a data folder's acled-types.csv (whose problems go to `problems`, with
    file and line). Rows are tried in order; the first whose conditions hold applies."""
    if path is None:
        return list(_shipped_rules())
    found: list = []
    rules = _read_rules(path, shown or str(path), today, found, _shipped_rules(), raw)
    if problems is not None:
        problems += found
    return rules


@functools.cache
def _shipped_rules() -> tuple[AcledTypeRule, ...]:
    with resources.as_file(resources.files("reportlib.inputs").joinpath("reference", "acled_types.csv")) as path:
        found: list = []
        rules = _read_rules(path, ACLED_TYPES_SHIPPED, None, found, (), None)
    errors = [p for p in found if p.severity == "error"]
    if errors:  # the shipped table is part of the code: a mistake in it is a bug
        raise RuntimeError("; ".join(map(str, errors)))
    return tuple(rules)


def _read_rules(path, shown: str, today, problems: list, shipped, raw: bytes | None) -> list[AcledTypeRule]:
    """The rules of the table at `path`, or of its bytes `raw` when the caller has read them."""
    import datetime as dt

    # Here, not at the top: tables imports columns, which imports this module.
    from .tables import parse_table, read_table

    if raw is None:
        frame, found, lines = read_table(path, ACLED_TYPES, shown, today or dt.date.today())
    else:
        frame, found, lines = parse_table(raw, ACLED_TYPES, shown, today or dt.date.today())
    problems += found
    if frame is None or lines is None or any(p.severity == "error" for p in found):
        return []
    # The shipped table lists every ACLED type; a data folder's table may name only those.
    known = {r.sub_event_type.casefold(): r.event_type for r in shipped}
    labels = set(ACLED_INTER.values())
    rules: list[AcledTypeRule] = []
    seen: dict[tuple, int] = {}
    for position, row in enumerate(frame.to_dict("records")):
        line = lines(position)
        bad = []
        sub, event = row["sub_event_type"], row["event_type"]
        if known and sub.casefold() not in known:
            bad.append(("sub_event_type", sub, "not an ACLED sub-event type; the shipped table "
                        f"{ACLED_TYPES_SHIPPED} lists them all"))
        elif known and event and event.casefold() != known[sub.casefold()].casefold():
            bad.append(("event_type", event, f"ACLED files {sub!r} under {known[sub.casefold()]!r}"))
        inter = {}
        for column in ("inter1", "inter2"):
            parts = [acled_inter(p) for p in row[column].split("|") if p.strip()]
            unknown = [p for p in parts if p not in labels]
            if unknown:
                bad.append((column, row[column], f"not an ACLED actor category; use {', '.join(sorted(labels))} "
                            "(or their numbers 1-8), '|' between several"))
            inter[column] = frozenset(parts)
        kind = row["incident_type"]
        target = kind if kind in ("", SKIP) else incident_type_name(kind)
        if target is None:
            bad.append(("incident_type", kind, f"unknown incident type; use one of {', '.join(incident_types())}, "
                        f"{SKIP!r}, or leave it empty for no type"))
        group = row["casualty_group"]
        if target not in ("", SKIP, None) and group not in CASUALTY_GROUPS:
            bad.append(("casualty_group", group or None, f"must be one of {', '.join(CASUALTY_GROUPS)}"))
        elif target in ("", SKIP) and group:
            bad.append(("casualty_group", group, "a row with no incident type counts no one; leave it empty"))
        conditions = (event.casefold(), sub.casefold(), inter["inter1"], inter["inter2"])
        if conditions in seen:
            bad.append(("sub_event_type", sub, f"same conditions as line {seen[conditions]}, which comes first; "
                        "this row is never used"))
        seen.setdefault(conditions, line)
        problems += [Problem(shown, line, column, value, message) for column, value, message in bad]
        if not bad and target is not None:  # a None target is refused above
            rules.append(AcledTypeRule(event, sub, inter["inter1"], inter["inter2"], target, group,
                                       f"{shown}:{line}"))
    return rules
