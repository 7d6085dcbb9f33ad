"""The vocabularies shipped inside the package: governorates with their accepted spellings,
incident types with their nouns, indicators with their units and sentences."""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("reportlib.inputs").joinpath("reference", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


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
    acled_sub_event_types: tuple[str, ...]
    description: str
    order: int


@functools.cache
def incident_types() -> dict[str, IncidentType]:
    out = {}
    for order, row in enumerate(_rows("incident_types.csv")):
        subs = tuple(s for s in row["acled_sub_event_types"].split("|") if s)
        out[row["type"]] = IncidentType(
            row["type"], row["singular"], row["plural"], row["voice"], row["other_after"],
            subs, row["description"], order,
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
