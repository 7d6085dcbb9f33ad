"""site/feed.xml: an Atom feed of the published issues, made with feedgen from the
publication records. One entry per issue, its current PDF as the enclosure, updated when it is
corrected; one more entry per correction, announcing it. Dates come from the records (never
the clock) and ids are derived from the issue and version, so the same records give the same
bytes and a feed reader sees a correction as news, not as a new issue.

    >>> feed_xml(records, settings)    # bytes of a valid Atom 1.0 document
"""

from __future__ import annotations

import datetime as dt
import uuid

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..inputs import records as rec
from ..render.pages import figure_text, long_date
from .settings import PublishSettings

_NAMESPACE = uuid.UUID("6f3c1f57-5b0e-4c43-9c4f-1d3f0e6a2b7e")  # reportlib's feeds; never change it


def _when(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)


def _urn(*parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).urn


class _Feed(BaseExtension):
    pass


class _Enclosures(BaseEntryExtension):
    """Enclosure links of an entry. feedgen 1.0 writes an entry's links with their href only
    (rel, type and length are lost: https://github.com/lkiesow/python-feedgen/issues/135), so
    an enclosure set through FeedEntry.enclosure would come out as a second "alternate" link.
    This extension, feedgen's public way to add elements, writes them whole."""

    def __init__(self):
        self.links: list[tuple[str, int, str]] = []

    def add(self, href: str, length: int, media_type: str) -> None:
        self.links.append((href, length, media_type))

    def extend_atom(self, entry):
        for href, length, media_type in self.links:
            etree.SubElement(entry, "link", rel="enclosure", href=href, type=media_type, length=str(length))
        return entry


def _summary(version: rec.Version) -> str:
    figures = "; ".join(f"{f['label']}: {figure_text(f)}" for f in version.key_figures)
    return figures + "." if figures else ""


def _pdf(record: rec.Record, version: rec.Version, names) -> tuple[str, int]:
    return names(record, version, "pdf"), version.files["pdf"]["bytes"]


def feed_xml(records: list[rec.Record], settings: PublishSettings, language: str, names) -> bytes:
    """The feed of `records` (newest first); `names(record, version, kind)` is the path of a
    published file within the site (reportlib.publishing.site.site_path)."""
    title = records[0].title
    fg = FeedGenerator()
    fg.register_extension("enclosures", _Feed, _Enclosures, atom=True, rss=False)
    fg.id(_urn("feed", title))
    fg.title(title)
    fg.subtitle(f"Issues of the {title} and their corrections, newest first.")
    fg.author({"name": title})
    fg.language(language)
    fg.link(href=settings.url("feed.xml"), rel="self", type="application/atom+xml")
    fg.link(href=settings.url("index.html"), rel="alternate", type="text/html")
    fg.updated(_when(max(v.date for r in records for v in r.published)))

    entries = []
    for record in records:
        latest, first = record.latest, record.published[0]
        corrected = [v for v in record.published if v.is_correction]
        # The issue's own date is the entry's `published`; the day it reached the archive, which
        # for a backfilled issue is years later, is its `updated` and is said in words.
        summary = (f"Issue of {long_date(record.issue_date)}; added to the archive on {long_date(first.date)}. "
                   + _summary(latest))
        if corrected:
            summary += " " + " ".join(f"Corrected on {long_date(v.date)}: {v.note}" for v in corrected)
        entries.append((latest.date, record.end, 0, record, latest, {
            "id": _urn("issue", title, record.issue), "title": f"{title}: {record.period}",
            "published": min(record.issue_date, first.date), "summary": summary}))
        for version in corrected:
            changes = "; ".join(version.changes)
            entries.append((version.date, record.end, version.number, record, version, {
                "id": _urn("correction", title, record.issue, str(version.number)),
                "title": f"Correction: {title}: {record.period}", "published": version.date,
                "summary": f"Corrected on {long_date(version.date)}: {version.note}"
                           + (f" Changed: {changes}." if changes else "")}))
    # Newest first; the feed never depends on the order the records were read in.
    entries.sort(key=lambda e: (e[0], e[1], e[2]), reverse=True)
    for _, _, _, record, version, fields in entries:
        entry = fg.add_entry(order="append")
        entry.id(fields["id"])
        entry.title(fields["title"])
        entry.updated(_when(version.date))
        entry.published(_when(fields["published"]))
        entry.link(href=settings.url(f"{record.issue}/index.html"), rel="alternate", type="text/html")
        entry.summary(fields["summary"])
        href, length = _pdf(record, version, names)
        entry.enclosures.add(settings.url(href), length, "application/pdf")
    return fg.atom_str(pretty=True)
