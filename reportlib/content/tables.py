"""Report tables as HTML. Every value from data passes through markup.text (escaped);
headings come from the schema, so a column is named the same everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..inputs import reference
from ..inputs.periods import format_span
from ..inputs.schema import INCIDENTS
from .indicators import Change
from .markup import text
from .sentences import IncidentRow, Tally, incident_rows, tally

MIN_MARK = "≥"


def table(caption: str, headings: Sequence[tuple[str, str]], rows: list[list[tuple[str, str]]],
           notes: Sequence[str] = (), css: str = "") -> str:
    """headings and cells are (html, css class) pairs; html must already be safe."""
    head = "".join(f'<th scope="col" class="{cls}">{h}</th>' for h, cls in headings)
    body = "".join(
        "<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cell, cls in row) + "</tr>"
        for row in rows
    )
    foot = "".join(f"<p>{note}</p>" for note in notes)
    return (f'<div class="table-wrap {css}"><table><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + (f'<div class="table-notes">{foot}</div>' if foot else "") + "</div>")


def count(value, minimum: bool = False) -> str:
    if value is None or pd.isna(value):
        return '<span class="na" title="not reported">–</span>'
    mark = f'<span class="min" title="at least">{MIN_MARK}</span>' if minimum else ""
    return f"{mark}{int(value):,}"


def tally_cells(t: Tally, css: str = "num") -> list[tuple[str, str]]:
    """The incidents, killed and wounded of a tally as table cells, minimums marked."""
    return [(count(t.incidents, t.incidents_min), css), (count(t.killed, t.killed_min), css),
            (count(t.wounded, t.wounded_min), css)]


def place(name: str) -> str:
    """A governorate's English name with its Arabic one beside it. The Arabic is marked as
    such so that it runs right to left and gets an Arabic font, inside an English line."""
    known = reference.governorates().get(name)
    arabic = f' <span lang="ar" dir="rtl">{text(known.name_ar)}</span>' if known and known.name_ar else ""
    return f'<span class="place">{text(name)}{arabic}</span>'


def incidents_table(incidents: pd.DataFrame) -> str:
    """Type by governorate: one line per type and governorate (or set of governorates the
    source totals together), with incidents, killed and wounded; minimums marked."""
    kinds = reference.incident_types()
    col = INCIDENTS.column
    headings = [(col("incident_type").heading, ""), (col("admin1").heading, ""),
                ("Dates", ""), (col("incidents").heading, "num"),
                (col("fatalities").heading, "num"), (col("wounded").heading, "num")]
    if incidents.empty:
        return table("Security incidents", headings,
                      [[("No incidents recorded in this period.", "empty"), ("", ""), ("", ""),
                        ("", ""), ("", ""), ("", "")]])
    every = incident_rows(incidents)
    groups: dict[tuple[int, str], list[IncidentRow]] = {}
    for row in every:
        groups.setdefault((kinds[row.incident_type].order, row.admin1), []).append(row)
    rows = []
    shared = False
    for (_, admin1), group in sorted(groups.items()):
        name = group[0].incident_type
        places = admin1.split(";")
        shared = shared or len(places) > 1
        t = tally(group)
        label = kinds[name].plural[:1].upper() + kinds[name].plural[1:]
        place_html = ", ".join(place(p) for p in places) + ('<sup class="shared">†</sup>' if len(places) > 1 else "")
        rows.append([(text(label), "type"), (place_html, ""), (text(format_span(t.start, t.end)), "dates"),
                     *tally_cells(t)])
    rows.append([("Total", "total"), ("", "total"), ("", "total"), *tally_cells(tally(every), "num total")])
    notes = [f"{MIN_MARK} a minimum: the source says “at least”, or some of the rows summed give no figure. "
             "– not reported."]
    if shared:
        notes.append("† one total the source gives for all the governorates listed; it is not split "
                     "between them.")
    return table("Security incidents by type and governorate", headings, rows, notes)


def _value(value: float, unit: str) -> str:
    whole = float(value).is_integer() or abs(value) >= 100
    shown = f"{value:,.0f}" if whole else f"{value:,.1f}"
    return shown + ("/day" if unit == "cases/day" else "")


def indicators_table(changes: list[Change]) -> str:
    headings = [("Indicator", ""), ("This period", "num"), ("As of", "dates"),
                ("Previous", "num"), ("As of", "dates"), ("Change", "num")]
    if not changes:
        return table("Humanitarian and COVID-19 figures", headings,
                      [[("No figures recorded for this period.", "empty")] + [("", "")] * 5])
    rows = []
    for c in changes:
        prev = c.previous
        if c.delta is None:
            change = '<span class="na">–</span>'
        else:
            sign = "+" if c.delta > 0 else ("−" if c.delta < 0 else "±")
            change = f"{sign}{_value(abs(c.delta), c.unit)}"
            if c.percent is not None:
                change += f' <span class="pct">({sign}{abs(c.percent):.1f}%)</span>'
        rows.append([
            (text(c.label), ""), (_value(c.current.value, c.unit), "num"),
            (text(c.current.date.strftime("%d %b %Y")), "dates"),
            (_value(prev.value, c.unit) if prev else '<span class="na">–</span>', "num"),
            (text(prev.date.strftime("%d %b %Y")) if prev else "", "dates"),
            (change, "num"),
        ])
    notes = ["Previous: the latest figure on or before the period's first day. "
             "– not known from the data."]
    return table("Humanitarian and COVID-19 figures", headings, rows, notes)


def sources_table(sources: pd.DataFrame, used: set[str]) -> str:
    rows = []
    for _, row in sources.loc[sources["reference"].isin(used)].iterrows():
        title = text(row["title"])
        if row["url"]:
            title = f'<a href="{text(row["url"])}">{title}</a>'
        published = row["published"].strftime("%d %b %Y") if not pd.isna(row["published"]) else ""
        rows.append([(title, ""), (text(row["publisher"]), ""), (text(published), "dates"),
                     (text(row["reference"]), "ref")])
    headings = [("Document", ""), ("Publisher", ""), ("Published", "dates"), ("Reference", "")]
    return table("Documents this report draws on", headings, rows, css="sources")
