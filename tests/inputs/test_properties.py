"""Properties that must hold for any input, not just the examples in the other files: the
loader keeps every row it accepts, dates parse strictly, and sentences state the sums."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reportlib
from reportlib.content import sentences
from reportlib.errors import UsageError
from reportlib.inputs import reference, textrules
from reportlib.inputs.periods import Period, format_long, format_span, parse_date
from reportlib.inputs.schema import INCIDENTS

from ..conftest import GOOD

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REFERENCE_DIR = Path(reference.__file__).parent / "reference"
# The generated rows' document: no issue is transcribed from it, so rows of any date are
# accepted (a row of an issue's own document must fall in that period).
ROWS_REFERENCE = "test-rows"

# -- generated incident rows --------------------------------------------------------------


def _spellings() -> list[tuple[str, str]]:
    """(spelling, canonical name) for every spelling governorates.csv accepts."""
    with open(REFERENCE_DIR / "governorates.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [(spelling, row["name"]) for row in rows
            for spelling in [row["name"], row["name_ar"], row["pcode"], *row["aliases"].split("|")] if spelling]


SPELLINGS = _spellings()


@st.composite
def governorate_spelling(draw) -> tuple[str, str]:
    spelling, name = draw(st.sampled_from(SPELLINGS))
    # Matching ignores case and a trailing "Governorate".
    spelling = draw(st.sampled_from([spelling, spelling.upper(), spelling.lower()]))
    if not spelling.lower().endswith("governorate") and draw(st.booleans()):
        spelling += " Governorate"
    return spelling, name


@st.composite
def governorates(draw) -> tuple[str, str]:
    """A cell naming one to three governorates, and what the loader should make of it."""
    parts = draw(st.lists(governorate_spelling(), min_size=1, max_size=3))
    separator = draw(st.sampled_from([";", "; ", " ;"]))
    return separator.join(s for s, _ in parts), ";".join(dict.fromkeys(n for _, n in parts))


TEXT_CHARACTERS = st.one_of(
    st.characters(categories=["L", "N"]),
    st.sampled_from(list(" ,;.:'\"()-\n،") + list("الموصل هەولێر")),
)
# Free text the data rules accept: any letters (Arabic included), commas, quotes, newlines.
FREE_TEXT = st.text(TEXT_CHARACTERS, max_size=30).filter(lambda t: not textrules.problems(t.strip()))
NONEMPTY_TEXT = FREE_TEXT.filter(lambda t: t.strip() != "")
TRUE_SPELLINGS = ["true", "TRUE", "True", "yes", "Y", "1", "t"]
FALSE_SPELLINGS = ["false", "FALSE", "no", "N", "0", "f", ""]


def _count_cell(n: int | None, grouped: bool) -> str:
    if n is None:
        return ""
    return f"{n:,}" if grouped else str(n)


@st.composite
def incident_row(draw, row_id: str) -> tuple[dict[str, str], dict]:
    """One row as written in the file, and the typed values the loader should give."""
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
    end = draw(st.none() | st.integers(0, 90).map(lambda d: start + dt.timedelta(days=d)))
    kind = draw(st.sampled_from(list(reference.incident_types())))
    written_kind = draw(st.sampled_from([kind, kind.upper(), kind.lower()]))
    admin1, admin1_name = draw(governorates())
    counts = {col: draw(st.none() | st.integers(0, top))
              for col, top in (("incidents", 100_000), ("fatalities", 10_000), ("wounded", 10_000))}
    flags = {flag: counts[count] is not None and draw(st.booleans())
             for flag, count in (("fatalities_min", "fatalities"), ("wounded_min", "wounded"))}
    texts = {col: draw(FREE_TEXT) for col in ("location", "actor1", "target", "notes")}
    texts["source"] = draw(NONEMPTY_TEXT)
    grouped = draw(st.booleans())
    cells = {
        "event_id_cnty": row_id, "event_date": start.isoformat(), "end_date": end.isoformat() if end else "",
        "incident_type": written_kind, "admin1": admin1, "reference": ROWS_REFERENCE,
        **{col: _count_cell(n, grouped) for col, n in counts.items()},
        **{flag: draw(st.sampled_from(TRUE_SPELLINGS if on else FALSE_SPELLINGS)) for flag, on in flags.items()},
        **texts,
    }
    expected = {
        "event_id_cnty": row_id, "event_date": pd.Timestamp(start),
        "end_date": pd.Timestamp(end) if end else pd.NaT, "incident_type": kind, "admin1": admin1_name,
        "reference": ROWS_REFERENCE, **counts, **flags, **{col: value.strip() for col, value in texts.items()},
    }
    return cells, expected


@st.composite
def incident_sheets(draw) -> list[tuple[dict[str, str], dict]]:
    ids = draw(st.lists(st.from_regex(r"[A-Z]{1,4}-[0-9]{1,6}", fullmatch=True), min_size=1, max_size=6,
                        unique=True))
    return [draw(incident_row(row_id)) for row_id in ids]


def _write_rows(path: Path, rows: list[dict[str, str]], lineterminator: str = "\n") -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=INCIDENTS.names, lineterminator=lineterminator)
        writer.writeheader()
        writer.writerows(rows)


def _as_cells(table: pd.DataFrame) -> list[dict[str, str]]:
    """The typed table written back the way the data files write each kind of value."""
    out = []
    for record in table.to_dict("records"):
        row = {}
        for column in INCIDENTS.columns:
            value = record[column.name]
            if column.kind == "date":
                row[column.name] = "" if pd.isna(value) else value.strftime("%Y-%m-%d")
            elif column.kind == "int":
                row[column.name] = "" if pd.isna(value) else str(int(value))
            elif column.kind == "bool":
                row[column.name] = "true" if value else "false"
            else:
                row[column.name] = value
        out.append(row)
    return out


def _load_incidents(folder: Path, rows: list[dict[str, str]], lineterminator: str = "\n") -> pd.DataFrame:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(GOOD, folder)
    with open(folder / "sources.csv", "a", encoding="utf-8") as sources:
        sources.write(f"{ROWS_REFERENCE},Rows of any date,Test publisher,2020-12-03,,\n")
    _write_rows(folder / "incidents.csv", rows, lineterminator)
    return reportlib.load(folder).incidents


@SETTINGS
@given(sheet=incident_sheets(), lineterminator=st.sampled_from(["\n", "\r\n"]))
def test_every_accepted_incident_row_survives_a_round_trip(sheet, lineterminator):
    with tempfile.TemporaryDirectory() as scratch:
        first = _load_incidents(Path(scratch) / "data", [cells for cells, _ in sheet], lineterminator)
        for (_, expected), (_, loaded) in zip(sheet, first.iterrows(), strict=True):
            for column, value in expected.items():
                got = loaded[column]
                if value is None or value is pd.NaT:
                    assert pd.isna(got), (column, got)
                else:
                    assert got == value, (column, got, value)
        second = _load_incidents(Path(scratch) / "data", _as_cells(first))
    # Where each row was read (file, line) is provenance, not data: a value written back
    # without its line breaks moves the rows after it.
    origin = ["file", "line"]
    pd.testing.assert_frame_equal(first.drop(columns=origin), second.drop(columns=origin))


# -- dates and periods ----------------------------------------------------------------------

def _calendar_date(text: str) -> dt.date | None:
    """An independent reading of YYYY-MM-DD (ASCII digits, a real day in the years 1900 to
    2199, the range data/README.md promises), or None."""
    text = text.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    year, month, day = (int(part) for part in text.split("-"))
    try:
        day = dt.date(year, month, day)
    except ValueError:
        return None
    return day if 1900 <= year <= 2199 else None


DATE_LIKE = st.one_of(
    st.text(max_size=14),
    st.from_regex(r"\s?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}\s?", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),  # any Unicode digits
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: f"{d.year}-{d.month}-{d.day}"),
)


# Dates anywhere in Python's range, half of them within the supported one.
ANY_DAY = st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)) | st.dates()


@SETTINGS
@given(ANY_DAY)
def test_parse_date_reads_every_iso_date_in_range_and_names_the_range_outside_it(day):
    if 1900 <= day.year <= 2199:
        assert parse_date(day.isoformat()) == day
    else:
        with pytest.raises(UsageError, match="outside the dates reportlib supports, 1900-01-01 to 2199-12-31"):
            parse_date(day.isoformat(), "--period-end")


@settings(max_examples=100, deadline=None)
@given(DATE_LIKE)
def test_parse_date_accepts_exactly_the_valid_iso_dates(text):
    expected = _calendar_date(text)
    if expected is None:
        with pytest.raises(UsageError):
            parse_date(text)
    else:
        assert parse_date(text) == expected


@SETTINGS
@given(ANY_DAY, ANY_DAY)
def test_a_period_never_ends_before_it_starts_nor_leaves_the_supported_dates(start, end):
    if end < start or start.year < 1900 or end.year > 2199:
        with pytest.raises(UsageError):
            Period(start, end)
        return
    period = Period(start, end)
    assert period.days == (end - start).days + 1
    assert period.contains(start) and period.contains(end)
    assert period.label == end.isoformat()
    assert format_long(period)


@SETTINGS
@given(st.dates(), st.dates(), st.booleans())
def test_format_span_never_raises(start, end, with_year):
    text = format_span(start, end, with_year)
    assert f"{end:%B}" in text and str(end.day) in text


# -- sentences --------------------------------------------------------------------------------

PERIOD = Period(dt.date(2020, 11, 19), dt.date(2020, 12, 3))
GOVERNORATES = list(reference.governorates())
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NUMBER = r"(at least )?([0-9][0-9,]*|" + "|".join(WORDS) + r")\b"


@st.composite
def sentence_rows(draw) -> dict:
    start = draw(st.dates(PERIOD.start, PERIOD.end))
    end = draw(st.none() | st.dates(start, PERIOD.end))
    fatalities = draw(st.none() | st.integers(0, 2_000))
    wounded = draw(st.none() | st.integers(0, 2_000))
    return {
        "event_date": pd.Timestamp(start), "end_date": pd.Timestamp(end) if end else pd.NaT,
        "incident_type": draw(st.sampled_from(list(reference.incident_types()))),
        "admin1": ";".join(draw(st.lists(st.sampled_from(GOVERNORATES), min_size=1, max_size=3, unique=True))),
        "location": draw(st.sampled_from(["", "", "Makhmour", "south of Kirkuk;Baiji"])),
        "actor1": draw(st.sampled_from(["", "gunmen", "ISIS"])),
        "target": draw(st.sampled_from(["", "Iraqis", "activists"])),
        "incidents": draw(st.none() | st.integers(0, 5_000)),
        "fatalities": fatalities, "fatalities_min": fatalities is not None and draw(st.booleans()),
        "wounded": wounded, "wounded_min": wounded is not None and draw(st.booleans()),
    }


def _frame(records: list[dict]) -> pd.DataFrame:
    columns = ["event_date", "end_date", "incident_type", "admin1", "location", "actor1", "target",
               "incidents", "fatalities", "fatalities_min", "wounded", "wounded_min"]
    frame = pd.DataFrame(records, columns=columns)
    for column in ("event_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    for column in ("incidents", "fatalities", "wounded"):
        frame[column] = frame[column].astype("Int64")
    for column in ("fatalities_min", "wounded_min"):
        frame[column] = frame[column].astype(bool)
    return frame


def _stated(match: re.Match) -> tuple[int, bool]:
    minimum, number = match.groups()
    value = WORDS.index(number) if number in WORDS else int(number.replace(",", ""))
    return value, bool(minimum)


def _expected_total(records: list[dict], count: str, flag: str | None) -> tuple[int | None, bool]:
    known = [r for r in records if r[count] is not None]
    if not known:
        return None, False
    minimum = len(known) < len(records) or (flag is not None and any(r[flag] for r in known))
    return sum(r[count] for r in known), minimum


def _check_sentence(sentence: str, kind: str, records: list[dict]) -> None:
    """The counts a sentence states are the sums of its rows, with "at least" exactly when
    some row gives a minimum or leaves the count empty."""
    noun = reference.incident_types()[kind]
    incidents, incidents_min = _expected_total(records, "incidents", None)
    stated = re.search(NUMBER + r" (?:other )?(?:" + re.escape(noun.singular) + "|" + re.escape(noun.plural) + ")",
                       sentence)
    if incidents is None:
        assert stated is None, sentence
    else:
        assert stated is not None, sentence
        assert _stated(stated) == (incidents, incidents_min), sentence
    # "killed three civilians", or, where the source names no side or no target, "left three dead".
    for count, flag, verbs, left in (("fatalities", "fatalities_min", "killed|killing", "dead"),
                                     ("wounded", "wounded_min", "wounded|wounding", "wounded")):
        total, minimum = _expected_total(records, count, flag)
        found = (re.search(r"\b(?:" + verbs + ") " + NUMBER, sentence)
                 or re.search(r"\bleft (?:.+ and )?" + NUMBER + r"(?: [^ ]+)*? " + left + r"\b", sentence))
        if not total:
            assert found is None, sentence
        else:
            assert found is not None, sentence
            assert _stated(found) == (total, minimum), sentence
    for record in records:
        for place in (record["location"] or record["admin1"]).split(";"):
            assert place in sentence, (place, sentence)


@settings(max_examples=80, deadline=None)
@given(st.lists(sentence_rows(), max_size=8))
def test_security_sentences_state_the_sums_of_their_rows(records):
    frame = _frame(records)
    said = sentences.security_sentences(frame, PERIOD)
    types = [kind for kind in reference.incident_types()
             if kind == "IED" or any(r["incident_type"] == kind for r in records)]
    assert len(said) == len(types)
    for kind, sentence in zip(types, said, strict=True):
        mine = [r for r in records if r["incident_type"] == kind]
        if not mine:
            assert sentence == f"No {reference.incident_types()[kind].plural} were reported between " \
                               f"{format_span(PERIOD.start, PERIOD.end)}."
            continue
        _check_sentence(sentence, kind, mine)


@SETTINGS
@given(st.sampled_from(list(reference.incident_types())), st.lists(sentence_rows(), max_size=6))
def test_type_sentence_never_raises(kind, records):
    records = [{**r, "incident_type": kind} for r in records]
    sentence = sentences.type_sentence(kind, _frame(records), PERIOD)
    assert sentence.endswith(".") and "None" not in sentence and "nan" not in sentence.lower()
    if records:
        _check_sentence(sentence, kind, records)


# -- any file content -----------------------------------------------------------------------

DATA_FILES = ["incidents.csv", "indicators.csv", "sources.csv", "monitor.yaml", "issues/2020-12-03.yaml"]
NOISE = st.text(st.sampled_from([*',"\n\r;:-=+@<>[]{}#&*!|%\'\t 09aT\x00\ufeff', "ي", "\u202e"]), max_size=12)


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(DATA_FILES), data=st.data())
def test_any_damage_to_a_file_is_reported_as_a_data_problem(name, data):
    """Whatever a file holds, loading it either succeeds or raises DataError listing the
    problems (which the CLI prints with exit status 2): never any other exception."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        shutil.copytree(GOOD, folder)
        path = folder / name
        raw = path.read_bytes()
        start = data.draw(st.integers(0, len(raw)))
        end = data.draw(st.integers(start, min(len(raw), start + 20)))
        inserted = data.draw(NOISE.map(str.encode) | st.binary(max_size=4))
        path.write_bytes(raw[:start] + inserted + raw[end:])
        try:
            reportlib.load(folder)
        except reportlib.DataError as exc:
            assert exc.problems and all(p.file.startswith("data/") for p in exc.problems)
