"""Golden snapshots of what readers see in the shipped issue: the page's outline (headings,
captions, table headers), the PDF's text page by page, and the key figures as the manifest
records them. A change to any of them fails here with a diff until it is reviewed and the
snapshot is updated on purpose:

    make snapshots                                 # run these tests, print the differences
    make snapshots UPDATE=1                        # write the new snapshots; review with git diff
"""

from __future__ import annotations

import difflib
import html.parser
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import ROOT

pytestmark = pytest.mark.slow

GOLDEN = ROOT / "tests" / "golden" / "2020-12-03"


class _Outline(html.parser.HTMLParser):
    """The page's structure as a reader scans it: headings by level, figure and table captions,
    table column headers. Text only, whitespace collapsed."""

    KEPT = frozenset({"h1", "h2", "h3", "h4", "figcaption", "caption", "th"})

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.KEPT:
            self._open.append((tag, []))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            name, parts = self._open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            indent = "  " * (int(name[1]) - 1) if name[0] == "h" and name[1:].isdigit() else "    "
            self.lines.append(f"{indent}{name}: {text}")

    def handle_data(self, data):
        for _, parts in self._open:
            parts.append(data)


def html_outline(page: str) -> str:
    parser = _Outline()
    parser.feed(page)
    return "\n".join(parser.lines) + "\n"


def pdf_pages(path: Path) -> str:
    reader = PdfReader(str(path))
    pages = []
    for number, page in enumerate(reader.pages, 1):
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in page.extract_text().splitlines()]
        pages.append(f"=== page {number} ===\n" + "\n".join(line for line in lines if line))
    return "\n".join(pages) + "\n"


def key_figures(manifest: Path) -> str:
    record = json.loads(manifest.read_text(encoding="utf-8"))
    return json.dumps(record["summary"]["key_figures"], indent=1, ensure_ascii=False, sort_keys=True) + "\n"


SNAPSHOTS = {
    "outline.txt": lambda folder: html_outline((folder / "report.html").read_text(encoding="utf-8")),
    "pdf-pages.txt": lambda folder: pdf_pages(folder / "report.pdf"),
    "key-figures.json": lambda folder: key_figures(folder / "manifest.json"),
}


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_the_shipped_issue_matches_its_snapshot(shipped_report, update_snapshots, name):
    current = SNAPSHOTS[name](shipped_report)
    golden = GOLDEN / name
    if update_snapshots:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(current, encoding="utf-8")
        return
    assert golden.exists(), f"no snapshot {golden.relative_to(ROOT)}: run `make snapshots UPDATE=1` and review it"
    expected = golden.read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), current.splitlines(True),
                                            f"{golden.relative_to(ROOT)} (snapshot)", "the report as built now"))
        pytest.fail(f"what readers see has changed; if on purpose, run `make snapshots UPDATE=1` and commit "
                    f"the snapshot with the change:\n{diff}", pytrace=False)
