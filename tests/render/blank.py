"""How much of each printed page is left blank at its bottom: the page rendered by poppler's
pdftoppm (`make browser-deps` installs it), the rows of pixels between the last mark of the
text area and its bottom edge counted, over the text area's height. The running footer,
in the bottom margin, is not counted."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

DPI = 40
MM = DPI / 25.4
# report.css: @page { size: A4; margin: 22mm 18mm 20mm 18mm }
TOP, BOTTOM, HEIGHT = 22 * MM, 20 * MM, 297 * MM


def blank_bottoms(pdf: Path) -> list[float]:
    """For each page, the blank fraction of its text area's height at the bottom."""
    tool = shutil.which("pdftoppm")
    assert tool, "pdftoppm is needed to measure the pages: `make browser-deps` installs poppler-utils"
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([tool, "-r", str(DPI), "-gray", "-png", str(pdf), f"{folder}/p"], check=True)
        pages = sorted(Path(folder).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        fractions = []
        for path in pages:
            with Image.open(path) as image:
                grey = image.convert("L")
                width, height = grey.size
                top, bottom = round(TOP * height / HEIGHT), round(height - BOTTOM * height / HEIGHT)
                pixels = grey.load()
                last = top
                for y in range(bottom - 1, top - 1, -1):
                    if any(pixels[x, y] < 245 for x in range(width)):
                        last = y + 1
                        break
                fractions.append((bottom - last) / (bottom - top))
        return fractions
