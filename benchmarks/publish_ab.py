"""Interleaved A/B measurements of the page and the PDF (benchmarks/README.md, "The page and
the PDF"). Each case runs its two sides in turn in fresh processes, `--rounds` times, and
prints the median of every figure the sides report. Cases that compare with the code before
a change take `--old DIR`, a checkout of that code's `reportlib/` folder's parent, e.g.

    git archive 7be63fa reportlib | tar -x -C /tmp/old
    .venv/bin/python benchmarks/publish_ab.py loader --old /tmp/old

Cases: exporter (the monitor exporter on TemplateExporter against the same on stock
HTMLExporter), tags (a page printed untagged and as PDF/UA-1), svgtext and loader (the two
WeasyPrint patches of the old code, with and without), close (ending the printing process,
old and new), build (`reportlib build --force` of the shipped period, old and new).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

EXPORTER = """
import statistics, sys, time
t0 = time.perf_counter()
import nbformat
from nbconvert import HTMLExporter
from reportlib.render import html
nb = nbformat.read(sys.argv[2], as_version=4)
meta = {"title": "t", "author": "a", "description": "", "keywords": "", "language": "en", "version": "",
        "body_class": ""}
if sys.argv[1] == "stock":
    class Stock(html.MonitorExporter, HTMLExporter):
        pass  # the same exporter, with HTMLExporter's from_notebook_node (and its BeautifulSoup pass)
    exporter = Stock()
else:
    exporter = html.MonitorExporter()
exporter.template
t1 = time.perf_counter()
exporter.from_notebook_node(nb, resources={"report": meta})
t2 = time.perf_counter()
later = []
for _ in range(5):
    t = time.perf_counter(); exporter.from_notebook_node(nb, resources={"report": meta})
    later.append(time.perf_counter() - t)
print(f"load={t1 - t0:.4f} first={t2 - t1:.4f} later={statistics.median(later):.4f}")
"""

TAGS = """
import statistics, sys, time
from pathlib import Path
from reportlib.render import pdf
page = Path(sys.argv[2]).read_text(encoding="utf-8")
pdf.warm_up()
pdf.PDF_VARIANT = None if sys.argv[1] == "untagged" else "pdf/ua-1"
target = Path(sys.argv[3])
times = []
for _ in range(5):
    t = time.perf_counter(); pdf.write_pdf(page, target, target.parent); times.append(time.perf_counter() - t)
print(f"print={statistics.median(times):.4f} bytes={target.stat().st_size}")
"""

SVGTEXT = """
import statistics, sys, time
from pathlib import Path
from reportlib.publishing import render, svgtext
if sys.argv[1] == "without":
    svgtext.install = lambda: False
page = Path(sys.argv[2]).read_text(encoding="utf-8")
render.warm_up(html=False)
times = []
for _ in range(5):
    t = time.perf_counter(); render.write_pdf(page, None, Path(".")); times.append(time.perf_counter() - t)
print(f"print={statistics.median(times):.4f}")
"""

LOADER = """
import subprocess, sys, time
started = []
real_init = subprocess.Popen.__init__
def init(self, args, *rest, **kwargs):
    started.append(args)
    real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = init
t = time.perf_counter()
if sys.argv[1] == "loader":
    from reportlib.publishing import weasyprint_loader
    with weasyprint_loader._libraries_from_loader_cache():
        import weasyprint
else:
    import weasyprint
print(f"import={time.perf_counter() - t:.4f} processes={len(started)}")
"""

CLOSE = """
import sys, time
from pathlib import Path
from reportlib.render.printer import Printer
page = Path(sys.argv[1]).read_text(encoding="utf-8")
printer = Printer()
printer.write_pdf(page, Path(sys.argv[2]), Path("."))
time.sleep(0.3)  # the command publishing the report
t = time.perf_counter(); printer.close()
print(f"close={time.perf_counter() - t:.4f}")
"""


BUILD = """
import json, os, subprocess, sys, time
from pathlib import Path
command = [str(Path(sys.executable).with_name("reportlib")), "build", "--force", "--out", sys.argv[1]]
started = time.perf_counter()
subprocess.run(command, check=True, capture_output=True)
wall = time.perf_counter() - started
timings = json.loads(next(Path(sys.argv[1]).glob("*/manifest.json")).read_text())["timings_seconds"]
print(f"command={wall:.4f} " + " ".join(f"{name}={value:.4f}" for name, value in timings.items()))
"""


def interleave(sides: dict[str, tuple[list[str], dict]], rounds: int, cwd: Path) -> None:
    found: dict[str, dict[str, list[float]]] = {label: {} for label in sides}
    for _ in range(rounds):
        for label, (command, env) in sides.items():
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env={**os.environ, **env})
            wall = time.perf_counter() - started
            if done.returncode:
                sys.exit(f"{label} failed:\n{done.stderr[-2000:]}")
            found[label].setdefault("wall", []).append(wall)
            last = (done.stdout.strip().splitlines() or [""])[-1]
            for name, value in re.findall(r"(\w+)=([0-9.]+)", last):
                found[label].setdefault(name, []).append(float(value))
    load = os.getloadavg()[0]
    print(f"medians of {rounds} interleaved rounds (load average at the end {load:.1f}):")
    for label, figures in found.items():
        print(f"  {label:10} " + "  ".join(f"{name}={statistics.median(v):.3f}" for name, v in figures.items()))


def report_page(tmp: Path) -> tuple[Path, Path]:
    """The shipped period built once with the current code: its executed notebook and page."""
    out = tmp / "out"
    subprocess.run([str(Path(PYTHON).with_name("reportlib")), "build", "--force", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    folder = next(out.glob("*/report.html")).parent
    return folder / "report.ipynb", folder / "report.html"


MATPLOTLIB = """
import base64, io, sys
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "reportlib", "font.size": 8})
names = ["Anbar", "Babil", "Baghdad", "Basra", "Dahuk", "Diyala", "Dhi Qar", "Erbil", "Kirkuk", "Karbala",
         "Maysan", "Muthanna", "Najaf", "Ninewa", "Qadisiyah", "Salah ad-Din", "Sulaymaniyah", "Wasit"]
images = []
for k in range(5):
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    values = [(i * 7 + k) % 13 for i in range(len(names))]
    ax.barh(names, values, color="#1f4e79")
    for i, v in enumerate(values):
        ax.text(v + 0.2, i, f"{v} incidents", va="center", fontsize=6)
    ax.set_title(f"Incidents by governorate {k}")
    buffer = io.StringIO(); fig.savefig(buffer, format="svg", metadata={"Date": None}); plt.close(fig)
    data = base64.b64encode(buffer.getvalue().encode()).decode()
    images.append(f'<img src="data:image/svg+xml;base64,{data}" alt="Chart {k}">')
page = '<!DOCTYPE html><html lang="en"><title>m</title><body>' + "".join(images) + "</body></html>"
open(sys.argv[1], "w").write(page)
"""


def printed_page(kind: str, report: Path, tmp: Path) -> Path:
    if kind == "report":
        return report
    target = tmp / f"{kind}.html"
    if kind == "charts":
        images = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+"[^>]*>', report.read_text(encoding="utf-8"))
        target.write_text('<!DOCTYPE html><html lang="en"><title>c</title><body>' + "".join(images) + "</body></html>",
                          encoding="utf-8")
    else:
        subprocess.run([PYTHON, "-c", MATPLOTLIB, str(target)], check=True, capture_output=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=["exporter", "tags", "svgtext", "loader", "close", "build"])
    parser.add_argument("--old", type=Path, help="the folder holding the old code's reportlib/")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--page", choices=["report", "charts", "matplotlib"], default="report",
                        help="for svgtext and tags: the shipped report, its charts alone, or five matplotlib "
                             "figures with their 220 labels as SVG text")
    args = parser.parse_args()
    old = {"PYTHONPATH": str(args.old)} if args.old else None
    if args.case in ("svgtext", "loader", "close", "build") and old is None:
        parser.error(f"{args.case} needs --old")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        notebook, page = report_page(tmp)
        py = [PYTHON, "-c"]
        if args.case == "exporter":
            sides = {side: ([*py, EXPORTER, side, str(notebook)], {}) for side in ("monitor", "stock")}
        elif args.case == "tags":
            shown = str(printed_page(args.page, page, tmp))
            sides = {side: ([*py, TAGS, side, shown, str(tmp / f"{side}.pdf")], {}) for side in ("untagged", "tagged")}
        elif args.case == "svgtext":
            shown = str(printed_page(args.page, page, tmp))
            sides = {side: ([*py, SVGTEXT, side, shown], old) for side in ("with", "without")}
        elif args.case == "loader":
            sides = {side: ([*py, LOADER, side], old) for side in ("loader", "plain")}
        elif args.case == "close":
            sides = {"new": ([*py, CLOSE, str(page), str(tmp / "new.pdf")], {}),
                     "old": ([*py, CLOSE, str(page), str(tmp / "old.pdf")], old)}
        else:
            sides = {"new": ([*py, BUILD, str(tmp / "new")], {}), "old": ([*py, BUILD, str(tmp / "old")], old)}
        print(json.dumps({"case": args.case, "old": str(args.old) if args.old else None}))
        # `python -c` puts the working directory first on sys.path: run those from the
        # temporary folder, so that --old's code is the one imported there.
        interleave(sides, args.rounds, ROOT if args.case == "build" else tmp)


if __name__ == "__main__":
    main()
