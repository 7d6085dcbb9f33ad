"""The files the page and the PDF are made from, shipped inside the package: the nbconvert
template folder and the report's stylesheet (the page carries it inline; the printer parses
it once per process)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path


def templates_dir() -> Path:
    """The folder holding the `monitor` nbconvert template and report.css."""
    return Path(str(resources.files("reportlib.render").joinpath("templates")))


@functools.cache
def report_css() -> str:
    """The text of report.css, the page's rules on screen and in print."""
    return (templates_dir() / "report.css").read_text(encoding="utf-8")
