"""The report's tables as data: a caption, headings, rows of cells and notes, each figure
cell with the trace of the rows it counts. The report blocks render them through one Jinja2
template (reportlib/reports/templates/table.html.j2), which escapes every value; headings
come from the schema, so a column is named the same everywhere.

    >>> from reportlib.content import tables
    >>> table = tables.incidents_table(view.incidents)
    >>> [h for h, _ in table.headings]
    ['Type', 'Governorate', 'Dates', 'Incidents', 'Killed', 'Wounded']
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs import reference
from ..inputs.periods import format_day, format_span
from ..inputs.schema import CASUALTY_GROUPS, INCIDENTS, INDICATORS, SOURCES
from . import indicators as stats
from . import words
from .indicators import Change
from .provenance import Trace
from .sentences import IncidentRow, Tally, casualties, incident_rows, inferred_places, tally

MIN_MARK = "≥"
SHARED_MARK = "†"
INFERRED_PLACE_MARK = "‡"
INFERRED_TYPE_MARK = "*"
INFERRED_DATE_MARK = "§"
INFERRED_DATE_NOTE = (f"{INFERRED_DATE_MARK} a date inferred, not the source's statement (the source does not "
                      "date it).")

GROUP_TITLES = {
    "victims": "Victims of violence (civilians, security forces, protesters)",
    "militants": "Militants and perpetrators, killed or wounded in operations",
    "unattributed": "Casualties the source does not attribute to either side",
}
MINIMUM_NOTE = (f"{MIN_MARK} a minimum: the source says “at least”, or some of the rows summed give no "
                "figure. – not reported.")
GROUP_TOTALS = {"victims": "Total, victims of violence", "militants": "Total, militants",
                "unattributed": "Total, casualties not attributed"}
GROUPS_NOTE = ("Victims of violence and militants killed in operations are counted apart and never added "
               "together.")


@dataclass(frozen=True)
class Place:
    name: str
    arabic: str = ""
    inferred: bool = False  # placed by inference, not named by the source


@dataclass(frozen=True)
class Cell:
    """One table cell. `kind` says how the template writes it: text; count (a whole number,
    "–" when not reported, ≥ before a minimum); places (governorates with their Arabic
    names); link (text linking to `href`)."""

    text: str = ""
    css: str = ""
    kind: str = "text"
    value: float | None = None
    minimum: bool = False
    places: tuple[Place, ...] = ()
    mark: str = ""  # footnote marks after the content
    note: str = ""  # a small text after the content, in brackets
    note_trace: Trace | None = None  # the note's provenance, when it is a computed figure
    href: str = ""
    span: int = 1
    trace: Trace | None = None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    css: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    headings: tuple[tuple[str, str], ...]  # (text, css class)
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    css: str = ""


def table(caption: str, headings: Sequence[tuple[str, str]], rows: Sequence[Sequence[Cell] | Row],
          notes: Sequence[str] = (), css: str = "") -> Table:
    return Table(caption, tuple(headings), tuple(r if isinstance(r, Row) else Row(tuple(r)) for r in rows),
                 tuple(notes), css)


def count(value, minimum: bool = False) -> str:
    """A count as HTML for pages outside the report's templates (the archive)."""
    if value is None or pd.isna(value):
        return '<span class="na" title="not reported">–</span>'
    mark = f'<span class="min" title="at least">{html.escape(MIN_MARK)}</span>' if minimum else ""
    return f"{mark}{int(value):,}"


def count_text(value, minimum: bool = False) -> str:
    """A count as plain text: "–" when not reported, "≥" before a minimum."""
    if value is None or pd.isna(value):
        return "–"
    return f"{MIN_MARK if minimum else ''}{int(value):,}"


def count_cell(value, minimum: bool = False, css: str = "num", trace: Trace | None = None) -> Cell:
    return Cell(kind="count", value=None if value is None or pd.isna(value) else value, minimum=minimum,
                css=css, trace=trace)


def tally_cells(rows: Sequence[IncidentRow], group: str, css: str = "num", label: str = "") -> list[Cell]:
    """Incidents, and the killed and wounded of one casualty group, of some rows as cells."""
    t = tally(rows)
    c = casualties([r for r in rows if r.group == group])
    prefix = f"{label}: " if label else ""
    return [
        count_cell(t.incidents, t.incidents_min, css, Trace.of(prefix + "incidents", rows, "incidents summed")),
        count_cell(c.killed, c.killed_min, css,
                   Trace.of(prefix + f"killed ({group})", [r for r in rows if r.group == group],
                            f"killed summed over the rows whose casualty_group is {group}")),
        count_cell(c.wounded, c.wounded_min, css,
                   Trace.of(prefix + f"wounded ({group})", [r for r in rows if r.group == group],
                            f"wounded summed over the rows whose casualty_group is {group}")),
    ]


def places(admin1: str, inferred: AbstractSet[str] = frozenset()) -> tuple[Place, ...]:
    """Governorates with their Arabic names, which the template marks as right-to-left, and
    whether each is an inference."""
    known = reference.governorates()
    return tuple(Place(p, known[p].name_ar if p in known else "", p in inferred) for p in admin1.split(";") if p)


def _type_label(name: str) -> str:
    plural = reference.incident_types()[name].plural
    return plural[:1].upper() + plural[1:]


def incidents_table(incidents: pd.DataFrame, told_elsewhere: dict[str, str] | None = None) -> Table:
    """Type by governorate, per casualty group: one line per type and governorate (or set of
    governorates the source totals together), with incidents, killed and wounded; minimums,
    shared totals and inferences marked; a total per group, never one across groups.
    `told_elsewhere`: the section title under which an event tells a row, for the rows told
    outside the table's own section, so that the reader finds the one place the fact is told."""
    told_elsewhere = told_elsewhere or {}
    kinds = reference.incident_types()
    col = INCIDENTS.column
    headings = [(col("incident_type").heading, ""), (col("admin1").heading, ""),
                ("Dates", ""), (col("incidents").heading, "num"),
                (col("fatalities").heading, "num"), (col("wounded").heading, "num")]
    caption = "Security incidents by type and governorate"
    if incidents.empty:
        return table(caption, headings, [[Cell("No incidents recorded in this period.", "empty", span=6)]])
    every = incident_rows(incidents)
    rows, marks = [], set()
    groups = [g for g in CASUALTY_GROUPS if any(r.group == g for r in every)]
    for group in groups:
        lines: dict[tuple, list[IncidentRow]] = {}
        for row in every:
            if row.group == group:
                guessed = tuple(sorted(inferred_places(row)))
                key = (kinds[row.incident_type].order, row.admin1, "incident_type" in row.inferred,
                       guessed, row.location if guessed else "", told_elsewhere.get(row.event_id, ""),
                       bool(row.inferred & {"event_date", "end_date"}))
                lines.setdefault(key, []).append(row)
        if len(groups) > 1 or group != "victims":
            rows.append(Row((Cell(GROUP_TITLES[group], "group", span=6),), "group"))
        for (_, admin1, type_inferred, guessed, location, told, date_inferred), part in sorted(lines.items()):
            name = part[0].incident_type
            shared = len(admin1.split(";")) > 1
            place_mark = SHARED_MARK if shared else ""
            marks |= set(place_mark) | ({INFERRED_PLACE_MARK} if guessed else set()) | (
                {INFERRED_TYPE_MARK} if type_inferred else set()) | ({INFERRED_DATE_MARK} if date_inferred else set())
            t = tally(part)
            assert t.start is not None and t.end is not None  # part holds rows, so they have dates
            rows.append(Row((
                Cell(_type_label(name), "type", mark=INFERRED_TYPE_MARK if type_inferred else "",
                     note=f"told under {told}" if told else ""),
                Cell(kind="places", places=places(admin1, set(guessed)), mark=place_mark,
                     note=f"as the source names it: {location.replace(';', ', ')}" if location else ""),
                Cell(format_span(t.start, t.end), "dates", mark=INFERRED_DATE_MARK if date_inferred else ""),
                *tally_cells(part, group, label=f"{_type_label(name)}, {admin1.replace(';', ', ')}"),
            )))
        members = [r for r in every if r.group == group]
        label = "Total" if groups == ["victims"] else GROUP_TOTALS[group]
        rows.append(Row((Cell(label, "total", span=3), *tally_cells(members, group, "num total", label)), "total"))
    notes = [MINIMUM_NOTE]
    if len(groups) > 1 or groups != ["victims"]:
        notes.append(GROUPS_NOTE)
    if SHARED_MARK in marks:
        notes.append(f"{SHARED_MARK} one total the source gives for all the governorates listed; it is not split "
                     "between them.")
    if INFERRED_PLACE_MARK in marks:
        notes.append(f"{INFERRED_PLACE_MARK} a governorate placed by inference from the place the source names "
                     "(in brackets), not the source's statement.")
    if INFERRED_TYPE_MARK in marks:
        notes.append(f"{INFERRED_TYPE_MARK} the type is a judgement from the source's description, not its "
                     "statement.")
    if INFERRED_DATE_MARK in marks:
        notes.append(INFERRED_DATE_NOTE)
    return table(caption, headings, rows, notes)


def _day(reading) -> str:
    return format_day(reading.date, with_year=True)


def indicators_table(changes: list[Change]) -> Table:
    """Each figure of the period with its date (or the span the source gives in words); where
    the data has a figure from before the period, a line of its own for it, and the change
    beside the period's figure."""
    caption = "Humanitarian and COVID-19 figures"
    headings = [("Indicator", ""), ("Figure", "num"), ("Date", "dates")]
    if not changes:
        return table(caption, headings, [[Cell("No figures recorded for this period.", "empty", span=3)]])
    rows: list[Sequence[Cell] | Row] = []
    for c in changes:
        now, before = c.current, c.previous
        how = stats.how_computed(now, c.rule)
        change, change_trace = "", None
        if before is not None and c.delta is not None:  # delta is None only without `before`
            sign = "+" if c.delta > 0 else ("−" if c.delta < 0 else "±")
            change = f"{sign}{stats.figure(abs(c.delta), c.indicator)}"
            if c.percent is not None:
                change += f", {sign}{abs(c.percent):.1f}%"
            change_trace = Trace.of(f"{c.label}: change", [before, now],
                                    f"the period's figure less the figure of {_day(before)}; percent "
                                    f"{words.rule_said(c.rule)} to one decimal")
        rows.append([Cell(c.label),
                     Cell(stats.figure(now.value, c.indicator), "num", note=change, note_trace=change_trace,
                          trace=Trace.of(c.label, [now], how)),
                     Cell(now.span, "dates") if now.span else Cell(
                         _day(now), "dates", mark=INFERRED_DATE_MARK if now.inferred_date else "")])
        if before is not None:
            before_how = stats.how_computed(before, c.rule)
            rows.append(Row((Cell(f"{c.label}, before the period", "earlier"),
                             Cell(stats.figure(before.value, c.indicator), "num earlier",
                                  trace=Trace.of(f"{c.label}, before the period", [before], before_how)),
                             Cell(before.span, "dates earlier") if before.span else Cell(_day(before),
                                                                                         "dates earlier")),
                            "earlier"))
    notes = []
    if any(c.current.span for c in changes):
        notes.append("A date in words is the source's own: it gives the span, not the day, of the figure.")
    if any(c.current.inferred_date and not c.current.span for c in changes):
        notes.append(INFERRED_DATE_NOTE)
    if any(c.previous is not None for c in changes):
        notes.append("Before the period: the latest figure on or before its first day; in brackets, the change "
                     "from it.")
    return table(caption, headings, rows, notes)


def sources_table(sources: pd.DataFrame, used: set[str]) -> Table:
    rows = []
    for _, row in sources.loc[sources["reference"].isin(used)].iterrows():
        published = format_day(row["published"].date(), with_year=True) if not pd.isna(row["published"]) else ""
        rows.append([Cell(row["title"], kind="link" if row["url"] else "text", href=row["url"]),
                     Cell(row["publisher"]), Cell(published, "dates"), Cell(row["reference"], "ref")])
    headings = [("Document", ""), ("Publisher", ""), ("Published", "dates"), ("Reference", "")]
    return table("Documents this report draws on", headings, rows, css="sources")


# -- any DataFrame, as the report writes its own tables ----------------------------------------

# The places of a number that is not whole, unless a table says otherwise (README, "Your own
# table"): `decimals=` of from_frame and report.table, or a frame's own attrs["decimals"].
DECIMALS = 1


def from_frame(frame: pd.DataFrame, caption: str = "", notes: Sequence[str] = (), index: bool = False,
               labels: dict | None = None, decimals: int | Mapping[str, int] | None = None) -> Table:
    """A DataFrame as a table of the report, written as the report writes its own: headings
    from the data's schema (a column the schema does not know: its name in sentence case,
    `labels` to name it yourself), no index unless `index`, "–" for a missing value, dates as
    the report's tables write them (03 Dec 2020). A boolean column `X_min` beside a column `X`
    (as fatalities_min beside fatalities) is shown as the report shows a minimum: "≥" before
    X, with the note.

    Numbers, by one rule: a column of whole numbers is counts, with thousands separators
    (1,234,567); any other numeric column has DECIMALS places (1), or those `decimals` gives
    (a number for every column, or {column: places}; a column it leaves out keeps 1), else
    those the frame's `attrs["decimals"]` gives, which is how a frame shown bare sets them;
    thousands separated too, and halves rounded away from zero as the monitor rounds its own
    figures (0.25 → 0.3, 0.15 → 0.2, -2.5 → -3), never to even.

        >>> t = from_frame(pd.DataFrame({"admin1": ["Ninewa"], "fatalities": [3]}), "By governorate")
        >>> [h for h, _ in t.headings]
        ['Governorate', 'Killed']
    """
    frame = frame.reset_index() if index else frame
    if not frame.columns.is_unique:
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise ValueError(f"a table needs one column per name; repeated: {', '.join(repeated)}")
    labels = labels or {}
    minimums = {name: f"{name}_min" for name in frame.columns
                if isinstance(name, str) and f"{name}_min" in frame.columns and _booleans(frame[f"{name}_min"])}
    shown = [c for c in frame.columns if c not in set(minimums.values())]
    kinds = {c: "places" if _schema_kind(c) == "governorates" else _frame_kind(frame[c]) for c in shown}
    css = {"count": "num", "number": "num", "date": "dates"}
    headings = [(str(labels.get(c, _frame_heading(c))), css.get(kinds[c], "")) for c in shown]
    places = _places(frame, decimals)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        record = dict(zip(frame.columns, values, strict=True))
        rows.append([_frame_cell(record[c], kinds[c], places(c), c in minimums and _true(record[minimums[c]]))
                     for c in shown])
    if not rows:
        rows = [[Cell("No rows.", "empty", span=max(1, len(shown)))]]
    marked = any(cell.minimum for row in rows for cell in row)
    return table(caption, headings, rows, [*([MINIMUM_NOTE] if marked else []), *notes])


def _places(frame: pd.DataFrame, decimals: int | Mapping[str, int] | None):
    """The places of each column: `decimals`, else the frame's attrs["decimals"], else DECIMALS."""
    given = decimals if decimals is not None else frame.attrs.get("decimals")
    if given is None:
        return lambda column: DECIMALS
    if isinstance(given, Mapping):
        wrong = {str(k): v for k, v in given.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0}
        if wrong:
            raise ValueError(f"decimals are whole numbers from 0: {wrong}")
        return lambda column: given.get(column, DECIMALS)
    if not isinstance(given, int) or isinstance(given, bool) or given < 0:
        raise ValueError(f"decimals is a whole number from 0, or one a column ({{'share': 2}}), not {given!r}")
    return lambda column: given


def _schema_column(name):
    for schema in (INCIDENTS, INDICATORS, SOURCES):
        if isinstance(name, str) and name in schema.names:
            return schema.column(name)
    return None


def _schema_kind(name) -> str:
    column = _schema_column(name)
    return column.kind if column else ""


def _frame_heading(name) -> str:
    column = _schema_column(name)
    if column is not None:
        return column.heading
    return words.capitalise(str(name).replace("_", " ").strip())


def _booleans(series: pd.Series) -> bool:
    present = series.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present)


def _true(value) -> bool:
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _frame_kind(series: pd.Series) -> str:
    present = series.dropna()
    if _booleans(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_numeric_dtype(series):
        whole = pd.api.types.is_integer_dtype(series) or bool((present == present.round()).all())
        return "count" if whole else "number"
    return "text"


def _frame_cell(value, kind: str, decimals: int, minimum: bool) -> Cell:
    if _missing(value):
        return count_cell(None, css="num" if kind in ("count", "number") else "")
    if kind == "count":
        return count_cell(value, minimum)
    if kind == "number":
        return Cell(words.thousands(words.rounded(float(value), "round", decimals), decimals), "num")
    if kind == "bool":
        return Cell("yes" if value else "no")
    if kind == "places":
        return Cell(kind="places", places=places(str(value)))
    if kind == "date" or isinstance(value, dt.date):
        return Cell(format_day(pd.Timestamp(value).date(), with_year=True), "dates")
    return Cell(str(value))


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array in a cell is a value
        return False


__all__ = ["Cell", "Place", "Row", "Table", "Tally", "count", "count_cell", "count_text", "from_frame",
           "incidents_table", "indicators_table", "sources_table", "table", "tally_cells"]
