"""outputs/index.html: every report built, newest first, with its key figures, links to its
page and PDF, and a chart of incidents and people killed across the periods. Rebuilt from the
manifests after every build, so it never disagrees with what is there; the same manifests give
the same bytes, and like the reports it is one file with no script and no request."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from ..batch.outputs import write_atomic
from ..content.figures import archive_trend
from ..content.markup import text
from ..content.tables import count
from ..reports.figureblock import Figures, no_chart

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


def _trend(reports: list[dict]) -> str:
    chart = archive_trend(trend_table(reports))
    if chart is None:
        return no_chart("No reports built yet.")
    return Figures().chart(chart, "archive_trend").html


def _key_figures(report: dict) -> str:
    items = "".join(
        f'<div><dt>{text(f.get("label", ""))}</dt><dd>{count(f.get("value"), bool(f.get("minimum")))}</dd></div>'
        for f in report.get("key_figures") or [])
    return f'<dl class="archive-figures">{items}</dl>' if items else ""


def _entry(root: Path, report: dict, title: str) -> str:
    folder = report["folder"]
    # Only files that are there: a report whose PDF failed still lists its page.
    links = [f'<a href="{text(quote(folder))}/{name}">{label}</a>'
             for name, label in LINKS if (root / folder / name).is_file()]
    other_title = (f'<p class="archive-title">{text(report["title"])}</p>'
                   if report.get("title") and report["title"] != title else "")
    synthetic = '<p class="archive-synthetic">Synthetic data</p>' if report.get("synthetic") else ""
    return (f'<article class="archive-entry"><h3 id="{text(folder)}">{text(report["period"])}</h3>'
            f"{other_title}{synthetic}{_key_figures(report)}"
            f'<p class="archive-links">{" · ".join(links)}</p></article>')


@functools.cache
def _css() -> str:
    """The reports' own style sheet, so the archive looks like the reports it lists."""
    return resources.files("reportlib.publish").joinpath("templates", "report.css").read_text(encoding="utf-8")


def render_index(root: Path, reports: list[dict]) -> str:
    title = text(reports[0].get("title") or "Reports")
    banner = ""
    if any(r.get("synthetic") for r in reports):
        banner = ('<p class="synthetic-banner" role="note"><strong>Synthetic data.</strong> Reports '
                  "marked “Synthetic data” were built from generated figures and events for "
                  "demonstration and testing; they describe no real events.</p>")
    listed = f"{len(reports)} report{'s' if len(reports) != 1 else ''}, newest first."
    entries = "".join(_entry(root, r, reports[0].get("title")) for r in reports)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}: archive</title>\n<style>\n{_css()}</style>\n</head>\n"
        f'<body>\n<main class="report archive">\n'
        f'<header class="title-block"><p class="kicker">Archive</p><h1 class="title">{title}</h1>'
        f'<p class="period">{text(listed)}</p>{banner}</header>\n'
        f'<section><h2 id="trend">Across the periods</h2>{_trend(reports)}</section>\n'
        f'<section><h2 id="reports">Reports</h2>{entries}</section>\n'
        "</main>\n</body>\n</html>\n")


def write_index(root: Path) -> Path | None:
    reports = built_reports(root)
    if not reports:
        return None
    index = root / "index.html"
    write_atomic(index, render_index(root, reports).encode("utf-8"))
    return index
