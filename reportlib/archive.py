"""outputs/index.html: every report built, newest first, with links to its page and PDF.
Rebuilt from the manifests after every build, so it never disagrees with what is there."""

from __future__ import annotations

import json
from pathlib import Path

from .markup import text
from .outputs import write_atomic


def built_reports(root: Path) -> list[dict]:
    """Manifests of complete builds under root, newest period first."""
    reports = []
    for manifest_path in root.glob("*/manifest.json"):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        summary = manifest.get("summary")
        if summary:
            reports.append({"folder": manifest_path.parent.name, **summary})
    return sorted(reports, key=lambda r: r["end"], reverse=True)


def write_index(root: Path) -> Path | None:
    reports = built_reports(root)
    if not reports:
        return None
    rows = "".join(
        f'<li><a href="{text(r["folder"])}/report.html">{text(r["period"])}</a> '
        f'(<a href="{text(r["folder"])}/report.pdf">PDF</a>)</li>'
        for r in reports)
    title = text(reports[0]["title"])
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}: archive</title></head><body><h1>{title}</h1><ul>{rows}</ul></body></html>")
    index = root / "index.html"
    write_atomic(index, page.encode("utf-8"))
    return index
