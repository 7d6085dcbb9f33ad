"""outputs/index.html: every report built, newest first, with its key figures, links to its
page and PDF, and a chart of incidents and people killed across the periods. Rebuilt from the
manifests after every build, so it never disagrees with what is there; the same manifests give
the same bytes, and like the reports it is one file with no script and no request. The page
is the template archive.html, on the layout the public site's pages share (reportlib.publishing.site).

Where the periods listed leave days between them (the next issue starts after the one before
ended; consecutive issues share their boundary day), the page says so between the two
entries, "No report for December 10 – 17, 2020 (1 week)", instead of leaving a silent gap; the
public site's index does the same for published issues."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from markupsafe import Markup

from ..content.figures import archive_trend
from ..files import write_atomic
from ..inputs.periods import Period, format_long
from ..reports.figureblock import Figures, no_chart
from . import pages

LINKS = (("report.html", "Read the report"), ("report.pdf", "PDF"))


def built_reports(root: Path) -> list[dict]:
    """Manifests of complete builds under root, newest period first."""
    reports = []
    for manifest_path in root.glob("*/manifest.json"):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        summary = manifest.get("summary") if isinstance(manifest, dict) else None
        if isinstance(summary, dict) and summary.get("end") and summary.get("period"):
            reports.append({"folder": manifest_path.parent.name, **summary})
    # The folder breaks ties, so that the order never depends on the order of the file system.
    return sorted(reports, key=lambda r: (str(r["end"]), r["folder"]), reverse=True)


def _figure_value(report: dict, name: str):
    for item in report.get("key_figures") or []:
        if item.get("name") == name:
            return item.get("value")
    return None


def trend_table(reports: list[dict]) -> pd.DataFrame:
    """Incidents and killed per period, oldest first, as figures.archive_trend reads them."""
    rows = [{"start": r.get("start") or r["end"], "period_end": r["end"], "incidents": _figure_value(r, "incidents"),
             "killed": _figure_value(r, "killed")} for r in reversed(reports)]
    return pd.DataFrame(rows, columns=["start", "period_end", "incidents", "killed"]).astype(
        {"incidents": float, "killed": float})


def trend_html(reports: list[dict]) -> Markup:
    """The chart of incidents and people killed across the periods, as the archive and the
    public site show it (reports newest first, each with `period`, `end`, `key_figures`)."""
    chart = archive_trend(trend_table(reports))
    if chart is None:
        return Markup(no_chart("No reports built yet."))
    return Markup(Figures().chart(chart, "archive_trend").html)


def gaps(spans: list[tuple[str, str]], noun: str) -> list[str]:
    """For each of `spans` (start, end as ISO dates, newest first), the words for the days
    between it and the next older one, or "" where they meet or overlap."""
    out = []
    for (start, _), (_, older_end) in itertools.pairwise(spans):
        try:
            first, last = dt.date.fromisoformat(older_end), dt.date.fromisoformat(start)
        except (TypeError, ValueError):
            out.append("")
            continue
        if last <= first:
            out.append("")
            continue
        days = (last - first).days
        if days % 7 == 0:
            length = f"{days // 7} week{'s' if days != 7 else ''}"
        else:
            length = f"{days} day{'s' if days != 1 else ''}"
        out.append(f"No {noun} for {format_long(Period(first, last))} ({length})")
    return [*out, ""][:len(spans)]


def _entry(root: Path, report: dict, title: str | None) -> dict:
    folder = report["folder"]
    # Only files that are there: a report whose PDF failed still lists its page.
    links = [(f"{quote(folder)}/{name}", label) for name, label in LINKS if (root / folder / name).is_file()]
    return {"folder": folder, "period": report["period"], "synthetic": bool(report.get("synthetic")),
            "other_title": report["title"] if report.get("title") and report["title"] != title else "",
            "figures": report.get("key_figures") or [], "links": links}


def render_index(root: Path, reports: list[dict]) -> str:
    title = reports[0].get("title") or "Reports"
    between = gaps([(str(r.get("start") or r["end"]), str(r["end"])) for r in reports], "report")
    entries = [{**_entry(root, r, reports[0].get("title")), "gap": gap}
               for r, gap in zip(reports, between, strict=True)]
    return pages.render(
        "archive.html", language="en", title=title, synthetic=any(r.get("synthetic") for r in reports),
        listed=f"{len(reports)} report{'s' if len(reports) != 1 else ''}, newest first.",
        trend=trend_html(reports), entries=entries)


def write_index(root: Path) -> Path | None:
    reports = built_reports(root)
    if not reports:
        return None
    index = root / "index.html"
    write_atomic(index, render_index(root, reports).encode("utf-8"))
    return index
