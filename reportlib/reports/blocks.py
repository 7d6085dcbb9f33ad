"""The blocks every report type shares (title, key figures, tables, figures, narrative,
sources, colophon), rendered from the Jinja2 templates in reportlib/reports/templates with
autoescaping: a value from the data is text unless it went through content.markup's
sanitiser first.

Each block is a Fragment. Its HTML is what readers get; beside it, every block carries its
review copy: the same HTML with each computed figure marked with the rows (file:line) and
sources it comes from, and the list of those traces. A notebook output holds both (the
review copy under PROVENANCE_MIME), the published page shows only the HTML, and
`reportlib build --review` renders the review copy with the monitor-review template.

    >>> from reportlib.reports import blocks
    >>> fragment = blocks.render("colophon.html.j2", note="Period 2020-11-19 to 2020-12-03.")
    >>> fragment.html
    '<p class="colophon">Period 2020-11-19 to 2020-12-03.</p>'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from ..content import indicators, sentences
from ..content.markup import inline
from ..content.provenance import Trace
from ..content.tables import Table, sources_table
from ..inputs.citations import states
from ..inputs.monitor import Monitor
from ..inputs.periods import Period, format_day, format_long, format_span, parse_date
from .labstyle import in_house_style

# The notebook output that carries a block's review copy and the provenance of its figures.
PROVENANCE_MIME = "application/vnd.reportlib.provenance+json"
# The key of a display output's metadata under which a block's warnings travel to the build.
METADATA_KEY = "reportlib"


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("reportlib.reports", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class Fragment:
    """A block of report HTML; Jupyter shows it, and nbconvert carries into the exported page,
    the HTML; the review copy and the traces go in a second output type beside it."""

    html: str
    review: str | None = None  # the block with its figures traced; None: a block without figures
    traces: tuple[dict, ...] = ()
    # For the build output (a figure without a caption): carried in the output's metadata
    # under METADATA_KEY, which `reportlib build` reads and prints.
    warnings: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        # In house style in any front end; the page unwraps it (labstyle.unwrap).
        return in_house_style(self.html)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": self._repr_html_(), "text/plain": self._plain()}
        if self.review is not None:
            bundle[PROVENANCE_MIME] = {"html": self.review, "traces": list(self.traces)}
        if self.warnings:
            return bundle, {METADATA_KEY: {"warnings": list(self.warnings)}}
        return bundle

    def _plain(self) -> str:
        return f"<report block: {len(self.html):,} characters of HTML>"

    def __str__(self) -> str:
        return self.html

    def __add__(self, other: Fragment) -> Fragment:
        review = None
        if self.review is not None or other.review is not None:
            review = (self.html if self.review is None else self.review) + (
                other.html if other.review is None else other.review)
        return Fragment(self.html + other.html, review, self.traces + other.traces, self.warnings + other.warnings)


@dataclass(frozen=True)
class Ref:
    id: str
    number: int
    hover: str


@dataclass
class Tracer:
    """Numbers the traced figures of one report in the order they appear and says, for each,
    where it comes from. `titles` maps a reference of sources.csv to its document's title."""

    titles: dict[str, str] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)

    @classmethod
    def for_sources(cls, sources: pd.DataFrame) -> Tracer:
        return cls(dict(zip(sources["reference"], sources["title"], strict=True)))

    def source_lines(self, trace: Trace) -> list[str]:
        out = []
        for who, ref in trace.sources:
            title = self.titles.get(ref)
            out.append(f"{who}, in “{title}” [{ref}]" if title else f"{who} [{ref}]")
        return out

    def register(self, trace: Trace, value: str) -> Ref:
        number = len(self.entries) + 1
        how = trace.how[:1].upper() + trace.how[1:]
        entry: dict[str, Any] = {"id": f"trace-{number}", "number": number, "label": trace.label,
                                 "value": value.strip(), "rows": list(trace.rows),
                                 "sources": self.source_lines(trace), "how": how, "flag": trace.flag}
        self.entries.append(entry)
        hover = f"{trace.label}: {entry['value']}."
        if how:
            hover += f" {how}."
        hover += " Rows: " + (", ".join(trace.rows) or "none") + "."
        if entry["sources"]:
            hover += " Sources: " + "; ".join(entry["sources"]) + "."
        return Ref(entry["id"], number, hover)


def render(name: str, tracer: Tracer | None = None, **context) -> Fragment:
    """A template as a Fragment; with a tracer, its review copy too."""
    template = environment().get_template(name)
    html = _tidy(template.render(review=False, tracer=None, **context))
    if tracer is None:
        return Fragment(html)
    start = len(tracer.entries)
    review = _tidy(template.render(review=True, tracer=tracer, **context))
    return Fragment(html, review, tuple(tracer.entries[start:]))


def _tidy(html: str) -> str:
    # Line breaks between tags come from the templates' layout, not the content.
    return re.sub(r">\s*\n\s*<", "><", html.strip())


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


# -- the shared blocks ------------------------------------------------------------------------


def title_block(monitor: Monitor, period: Period, kind: str, links: Sequence[dict] = (),
                ad_hoc: bool = False, corrections: Sequence[dict] = ()) -> Fragment:
    """The title block every report type opens with: country and kind of report, the
    monitor's name (the PDF's running header) and the period; on synthetic data, the banner
    and the running footer that say so on every page; for a span no issue declares, a note
    that says so; for a corrected issue, "Corrected on 10 December 2020: …" for each
    correction (reportlib.inputs.records.notices), oldest first. `links`: {rel, href, text}
    for the navigation."""
    notices = [{"date": _long_day(c["date"]), "note": c["note"],
                "previous": _long_day(c["previous"]) if c.get("previous") else "",
                "changes": list(c.get("changes") or [])} for c in corrections]
    return render("title_block.html.j2", monitor=monitor, kind=kind, period_text=format_long(period),
                  links=list(links), ad_hoc=ad_hoc, corrections=notices)


def _long_day(iso: str) -> str:
    day = parse_date(iso)
    return f"{day.day} {day:%B} {day.year}"


def key_figures(view, tracer: Tracer) -> Fragment:
    """The key figures of a period (content.sentences.key_figure_records): people killed and
    wounded, and militants' casualties in boxes of their own."""
    records = sentences.key_figure_records(view)
    told = _told_by_events(view)
    figures = []
    for f in records:
        counted = view.issue is not None and f.value is not None and not _stated(told, f.rows, f.value)
        how = f.how + (". No event of the issue states this total: it is counted from the issue's rows"
                       if counted else "")
        figures.append({"label": f.label, "value": f.value, "minimum": f.minimum, "counted": counted,
                        "trace": Trace(f.label, f.rows, _sources_of(view, f.rows), how, "counted" if counted else "")})
    apart = ""
    if any(f.name.startswith(("militants_", "unattributed_")) for f in records):
        apart = ("People killed or wounded, militants' casualties and casualties whose side is not reported "
                 "are counted apart and never added together.")
    return render("key_figures.html.j2", tracer, figures=figures, apart=apart)


def _told_by_events(view) -> list[tuple[frozenset[str], str]]:
    """(rows, text) of each event of the issue that cites rows: the rows (file:line) whose
    figures its text states."""
    if view.issue is None:
        return []
    by_id = {r.event_id: r.origin for r in sentences.incident_rows(view.incidents)}
    readings = {r.key: r for series in indicators.national_readings(view.indicators).values() for r in series}
    told = []
    for event in view.issue.events:
        rows = {by_id[i] for i in event.incidents if i in by_id}
        rows |= {o for key in event.indicators if key in readings for o in readings[key].rows}
        if rows:
            told.append((frozenset(rows), event.text))
    return told


def _stated(told: list[tuple[frozenset[str], str]], rows: tuple[str, ...], value) -> bool:
    """Whether an event states this figure and writes its value: a total of several rows when
    it cites exactly those rows, one row's figure when it cites that row."""
    if value is None or not float(value).is_integer() or not rows:
        return False
    wanted = frozenset(rows)
    return any((cited == wanted or (len(wanted) == 1 and wanted <= cited)) and states(text, int(value))
               for cited, text in told)


def _sources_of(view, origins: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(source, reference) of the rows at `origins`, in the order of the rows."""
    wanted = set(origins)
    found: dict[tuple[str, str], None] = {}
    for frame in (view.incidents, view.indicators):
        if "file" not in frame:
            continue
        where = frame["file"].astype(str) + ":" + frame["line"].astype(str)
        for who, ref in frame.loc[where.isin(wanted), ["source", "reference"]].itertuples(index=False):
            found.setdefault((who, ref), None)
    return tuple(found)


def headed(level: int, anchor: str, title: str, body: Fragment | None = None) -> Fragment:
    """A heading with an anchor (level 2 headings make the contents), then a block."""
    heading = render("headed.html.j2", level=level, anchor=anchor, title=title, body="")
    return heading + body if body is not None else heading


def table(data: Table, tracer: Tracer | None = None) -> Fragment:
    return render("table.html.j2", tracer, table=data)


def section_heading(monitor: Monitor, issue, section_id: str) -> Fragment:
    section = monitor.section(section_id)
    headline = issue.headlines.get(section_id) if issue else None
    return render("section_heading.html.j2", anchor=_slug(section.id), title=section.title,
                  headline=Markup(inline(headline)) if headline else "")


def dateline(event) -> str:
    """What the report writes before an event's text: "On November 21, ", "Between
    November 21 – December 3, ", or nothing for an undated event or one that carries its
    own date."""
    if not event.dateline or event.date is None:
        return ""
    if event.end_date and event.end_date != event.date:
        return f"Between {format_span(event.date, event.end_date)}, "
    return f"On {format_day(event.date)}, "


def events(view, section_id: str, tracer: Tracer) -> Fragment:
    """A section's events in the source's order, each as the monitor writes it; an event that
    states data rows is traced to them."""
    view.monitor.section(section_id)
    issue = view.issue
    if issue is None:
        return render("events.html.j2", narrative=False, events=[])
    by_id = {r.event_id: r for r in sentences.incident_rows(view.incidents)}
    readings = {r.key: r for series in indicators.national_readings(view.indicators).values() for r in series}
    items = []
    for event in issue.section_events(section_id):
        cited = [by_id[i] for i in event.incidents if i in by_id] + [
            readings[k] for k in event.indicators if k in readings]
        trace = None
        if cited:
            trace = Trace.of("Figures this event states, checked against the rows it cites", cited,
                             "reportlib validate checks that the text states each row's figures")
        items.append({"dateline": dateline(event), "html": Markup(inline(event.text)), "trace": trace})
    return render("events.html.j2", tracer, narrative=True, events=items)


# Before the sentences the report composes from rows no event cites: they are not the
# source's words, and the reader sees so on the page and in the PDF.
COMPILED_LABEL = "Compiled from the data, not the source's words:"


def summary(statements: Sequence[tuple[str, Trace]], tracer: Tracer, title: str = "", anchor: str = "",
            empty: str = "") -> Fragment:
    """Generated sentences, each traced to its rows, as one paragraph (nothing, or `empty`,
    when there are none), under an optional level 3 heading."""
    items = [{"text": text, "trace": trace.flagged("composed")} for text, trace in statements]
    if not items and not empty:
        return Fragment("")
    return render("summary.html.j2", tracer, statements=items, title=title, anchor=anchor, empty=empty,
                  compiled_label=COMPILED_LABEL)


def sources(view) -> Fragment:
    """The documents the period's rows and narrative cite, and who reported the figures."""
    used = set(view.incidents["reference"]) | set(view.indicators["reference"])
    if view.issue is not None:
        used |= {view.issue.reference} | {e.reference for e in view.issue.events}
    bodies = sorted(set(view.incidents["source"]) | set(view.indicators["source"]))
    return render("sources.html.j2", table=sources_table(view.sources, used), bodies=bodies)


def colophon(note: str) -> Fragment:
    return render("colophon.html.j2", note=note)


# Read back by the command from an executed notebook (reportlib build prints them): here, not
# in figureblock, so that reading them does not load matplotlib into the command.

def notebook_warnings(nb) -> list[str]:
    """The warnings an executed notebook's outputs carry (see reportlib.reports.figureblock)."""
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get(METADATA_KEY) or {}
            found += [str(w) for w in meta.get("warnings", [])]
    return found


_IMAGES = ("image/svg+xml", "image/png", "image/jpeg")


def placeholder_figures(nb) -> list[str]:
    """The figures an executed notebook shows with a placeholder for a caption: its numbered
    figures shown without report.figure's caption ("Figure 6"), and image outputs whose
    metadata gives none (the page's "No caption given for this figure.")."""
    found = []
    for position, cell in enumerate(nb.get("cells", []), start=1):
        for output in cell.get("outputs", []):
            meta = output.get("metadata") or {}
            number = (meta.get(METADATA_KEY) or {}).get("placeholder_figure")
            data = output.get("data") or {}
            if number is not None:
                found.append(f"Figure {number}")
            elif "text/html" not in data and any(kind in data for kind in _IMAGES) and not (
                    meta.get("caption") or any(isinstance(m, dict) and m.get("caption") for m in meta.values())):
                count = cell.get("execution_count")
                found.append(f"the image shown by cell {position}" + (f" (In [{count}])" if count else ""))
    return found


__all__ = ["METADATA_KEY", "PROVENANCE_MIME", "Fragment", "Tracer", "colophon", "dateline", "events", "headed",
           "key_figures", "notebook_warnings", "placeholder_figures", "render", "section_heading", "sources",
           "summary", "table", "title_block"]
