"""The public archive site, made from the publication records alone:

    site/index.html                          every issue, newest first, key figures, links
    site/feed.xml                            the Atom feed (reportlib.publishing.feed)
    site/2020-12-03/index.html               the issue's page: its versions and files
    site/2020-12-03/ishm-2020-12-03.pdf      the issue as published (the current version)
    site/2020-12-03/ishm-2020-12-03.html
    site/2020-12-03/ishm-2020-12-03-incidents.csv    HXL exports (reportlib.content.hxl)
    site/2020-12-03/ishm-2020-12-03-indicators.csv
    site/2020-12-03/ishm-2020-12-03-v1.pdf   an earlier version, after a correction (and .html, ...)
    site/2020-12-03/report.html              points to the report: a report's links to the
                                             issues either side of it (../<date>/report.html)
                                             work on the site as in outputs/

Static files only, no script and no request, served by any web server or opened from a shared
drive. Every file comes from the records and the files they keep (data/publications/), and
the pages hold no clock time, so deleting site/ and making it again gives the same bytes.

    >>> write_site(Path("data"), Path("site"))
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from ..errors import BuildError, DataError, EnvironmentProblem, Problem, environment_problem
from ..files import write_atomic
from ..inputs import records as rec
from ..render import pages
from ..render.archive import gaps, trend_html
from .feed import feed_xml
from .settings import publish_settings

EXTENSIONS = {"pdf": ".pdf", "html": ".html", "incidents": "-incidents.csv", "indicators": "-indicators.csv"}
LABELS = {"pdf": "PDF", "html": "Read the report", "incidents": "Incidents (CSV, HXL)",
          "indicators": "Indicators (CSV, HXL)"}


def file_name(record: rec.Record, version: rec.Version, kind: str) -> str:
    """A published file's name: the record's stem for the current version, with -v<N> for
    the versions a correction superseded."""
    stem = record.stem if version.number == record.latest.number else f"{record.stem}-v{version.number}"
    return stem + EXTENSIONS[kind]


def site_path(record: rec.Record, version: rec.Version, kind: str) -> str:
    """The file's path within the site, as a link from its root."""
    return f"{quote(record.issue)}/{quote(file_name(record, version, kind))}"


def _links(record: rec.Record, version: rec.Version, prefix: str) -> list[tuple[str, str]]:
    return [(prefix + quote(file_name(record, version, kind)), LABELS[kind])
            for kind in ("html", "pdf", "incidents", "indicators") if kind in version.files]


def _versions(record: rec.Record) -> list[dict]:
    """The published versions, newest first, as the issue page lists them."""
    out = []
    for version in reversed(record.published):
        previous = record.previous(version)
        out.append({"number": version.number, "date": version.date, "note": version.note,
                    "changes": version.changes, "current": version.number == record.latest.number,
                    "previous": previous.date if previous else None, "links": _links(record, version, "")})
    return out


def _entry(record: rec.Record) -> dict:
    latest = record.latest
    return {"issue": record.issue, "period": record.period, "title": record.title, "synthetic": record.synthetic,
            "dated": record.issue_date, "added": record.published[0].date,
            "figures": latest.key_figures, "corrections": [v for v in record.published if v.is_correction],
            "page": f"{quote(record.issue)}/index.html", "links": _links(record, latest, f"{quote(record.issue)}/")}


def _write(path: Path, data: bytes) -> None:
    """Write a file unless it already holds these bytes, so rebuilding a large site rewrites
    only what changed."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def inside(site: Path, relative: str) -> Path:
    """The path of a site file, refused unless it lies in the site folder once links are
    followed: a record names the files, and nothing a record says may write elsewhere."""
    root = Path(site).resolve()
    path = root / relative
    if Path(relative).is_absolute() or ".." in Path(relative).parts or not path.resolve().is_relative_to(root):
        raise DataError([Problem(str(Path(site) / relative), None, None, None,
                                 f"lies outside the site folder {root}; nothing is written outside it (check the "
                                 "publication records and any link in the site folder)")])
    return path


def write_site(data_root: Path, site: Path) -> list[Path]:
    """Make the site in `site` from the records of `data_root`; the paths written or already
    current. No records: nothing is written."""
    data_root = Path(data_root).resolve()
    records = rec.all_records(data_root)
    if not records:
        return []
    settings = publish_settings(data_root, records[0].title)
    language = records[0].language
    written = []

    def put(relative: str, data: bytes) -> None:
        path = inside(site, relative)
        try:
            _write(path, data)
        except OSError as exc:
            again = ("the site is incomplete, nothing published was lost: run `reportlib publish --rebuild-site` "
                     "once the folder is writable")
            problem = environment_problem(exc, path)
            if problem is not None:
                raise EnvironmentProblem(f"{problem}; {again}") from None
            raise BuildError(f"cannot write {path}: {exc.strerror}; {again}") from None
        written.append(path)

    for record in records:
        for version in record.published:
            for kind in version.files:
                kept = rec.stored_bytes(data_root, record, version, kind)
                put(f"{record.issue}/{file_name(record, version, kind)}", kept)
        put(f"{record.issue}/index.html", pages.render(
            "issue.html", language=language, title=record.title, synthetic=record.synthetic, record=record,
            figures=record.latest.key_figures, versions=_versions(record),
            headlines=record.latest.headlines).encode("utf-8"))
        put(f"{record.issue}/report.html", pages.render(
            "redirect.html", language=language, target=quote(file_name(record, record.latest, "html")),
            title=f"{record.title}: {record.period}").encode("utf-8"))

    summaries = [{"period": r.period, "end": r.end, "key_figures": r.latest.key_figures} for r in records]
    put("index.html", pages.render(
        "index.html", language=language, title=records[0].title, synthetic=any(r.synthetic for r in records),
        listed=f"{len(records)} issue{'s' if len(records) != 1 else ''}, newest first.",
        trend=trend_html(summaries), entries=[{**_entry(r), "gap": gap} for r, gap in zip(
            records, gaps([(r.start, r.end) for r in records], "issue"), strict=True)]).encode("utf-8"))
    put("feed.xml", feed_xml(records, settings, language, site_path))
    return written


def feed_warning(data_root: Path, title: str) -> list[str]:
    """What publishing says when feed.xml's links are relative (no publish.base_url): valid
    Atom, read against the feed's own address, but many feed readers do not follow them."""
    if publish_settings(data_root, title).base_url:
        return []
    return ["  warning: publish.base_url is not set in monitor.yaml, so the links of feed.xml are relative to "
            "where the site is served, and some feed readers cannot follow them; set it to that address "
            "(https://...) and run `reportlib publish --rebuild-site`"]
