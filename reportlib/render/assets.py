"""The files the page and the PDF are made from, shipped inside the package: the nbconvert
template folder and the report's stylesheet (the page carries it inline; the printer parses
it once per process)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

# Every page reportlib writes (the report, the archive, the public site) runs no script and
# loads nothing from elsewhere: its styles are inline, its charts and any font data: URLs.
# Said to the browser, so that markup that slipped into a page could still do nothing.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                           "base-uri 'none'; form-action 'none'")


def templates_dir() -> Path:
    """The folder holding the `monitor` nbconvert template and report.css."""
    return Path(str(resources.files("reportlib.render").joinpath("templates")))


@functools.cache
def report_css() -> str:
    """The text of report.css, the page's rules on screen and in print."""
    return (templates_dir() / "report.css").read_text(encoding="utf-8")
