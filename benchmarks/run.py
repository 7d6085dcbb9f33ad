"""`make bench`: one table of timings measured in one run, each case against a baseline from
the same run, so that a slow or busy machine moves both sides together.

    (a) the naive chain a user would script, per period: papermill CLI, then
        jupyter nbconvert --to html --no-input, then the weasyprint CLI
    (b) reportlib build for one period, cold (a new process, no kernel running)
    (c) a 52-week synthetic batch, --jobs 2
    (d) the same batch again, nothing changed
    (e) the batch after changing one week's incidents
    (f) loading and validating 1,000,000 synthetic incidents and selecting one week
    (g) reportlib build for one period whose inputs have not changed
    (h) the peak memory of the 52-week batch (c), all its processes together: the same batch
        built again into a new folder, since the sampler (reading /proc/*/smaps_rollup ten times a
        second) takes about a fifth of a core, which (c) would lose
    (i) reportlib preview: a data edit (one incident added) until the served page shows it

Targets (2 cores): (b) <= 0.5 x (a) and <= 3.0 CPU-s; (c) per report >= 8x faster than (a),
<= 1.25 CPU-s a report and >= 1.8 cores busy; (d) < 5% of (c); (e) rebuilds only the changed
week and the weeks whose trend window reads it; (f) < 3 s and < 1.5 GiB; (g) < 0.3 s; (h)
<= 1.2 GiB (proportional set sizes); (i) <= 2 s. Beside each wall time: the processor
seconds of the command and every process it started (this script adopts orphans and waits
for them before reading its children's usage), and the cores kept busy (processor over wall
seconds). After the table: where a batch report's processor time goes, from the build
manifests (the PDF, the notebook's cells in the kernel, the worker's glue) and the rest
(start-up, templates, resets, the archive page).
Run with --record to write the tables into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "weekly_report.ipynb"
WEEKS = 52
INCIDENTS_PER_WEEK = 40
BIG_INCIDENTS = 1_000_000


class Usage:
    """Wall and processor seconds of what runs inside a `with` block: the processor time of
    every process this one started and waited for, and of the processes they left behind,
    which this one adopts (PR_SET_CHILD_SUBREAPER, set in main) and waits for here."""

    wall = cpu = 0.0

    def __enter__(self):
        self._usage, self._started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._started
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - self._usage.ru_utime) + (after.ru_stime - self._usage.ru_stime)


def run(args: list, **kwargs) -> Usage:
    """Run a command to completion; its wall and processor seconds. Output is kept for failures."""
    with Usage() as usage:
        done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(map(str, args))}\n"
                 f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return usage


def reportlib(*args) -> list:
    return [BIN / "reportlib", *args]


def demo(folder: Path, weeks: int, per_week: int) -> None:
    if not folder.exists():
        run(reportlib("demo-data", "--weeks", weeks, "--incidents-per-week", per_week, "--data", folder))


def naive(data: Path, end: str, folder: Path) -> Usage:
    """What a user would script without reportlib: three tools, three processes."""
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / "report.ipynb"
    with Usage() as usage:
        run([BIN / "papermill", NOTEBOOK, executed, "-p", "period_end", end, "-p", "data_dir", data,
             "--cwd", NOTEBOOK.parent, "--no-progress-bar"])
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed])
        run([BIN / "weasyprint", folder / "report.html", folder / "report.pdf"])
    return usage


class PeakMemory:
    """Samples, ten times a second, the memory of every process in a session (a command
    started with start_new_session and everything it starts) and keeps the peak of the
    sums: proportional set size (PSS: a page shared by n processes counts 1/n in each, so
    the sum is what the processes together hold) and resident set size (RSS: shared pages
    counted in every process that maps them)."""

    def __init__(self, session: int):
        self.session = session
        self.pss = self.rss = self.processes = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(0.1):
            pss = rss = count = 0
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                try:
                    if os.getsid(int(name)) != self.session:
                        continue
                    with open(f"/proc/{name}/smaps_rollup") as stream:
                        fields = dict(line.split(":", 1) for line in stream if ":" in line)
                except (OSError, ValueError):
                    continue
                pss += int(fields.get("Pss", "0 kB").split()[0]) * 1024
                rss += int(fields.get("Rss", "0 kB").split()[0]) * 1024
                count += 1
            self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)
            self.processes = max(self.processes, count)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def batch(data: Path, out: Path, first: str, last: str, *extra, memory: bool = False):
    """The batch's Usage, summary line and, with `memory`, its PeakMemory."""
    with Usage() as usage:
        process = subprocess.Popen([str(a) for a in reportlib("build", "--data", data, "--out", out, "--from",
                                                               first, "--to", last, "--jobs", "2", *extra)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        peak = PeakMemory(process.pid) if memory else None
        stdout, stderr = process.communicate()
    if peak:
        peak.stop()
    if process.returncode != 0:
        sys.exit(f"batch failed:\n{stdout}\n{stderr[-4000:]}")
    return usage, stdout.strip().splitlines()[-1], peak


def where_it_goes(out: Path, usage: Usage, reports: int) -> list[tuple[str, float, str]]:
    """A batch report's processor seconds by part, from the manifests' timings (see
    reportlib.batch.build): (part, CPU-s a report, what it is)."""
    sums: dict[str, float] = {}
    for path in out.glob("*/manifest.json"):
        for name, value in json.loads(path.read_text(encoding="utf-8"))["timings_seconds"].items():
            sums[name] = sums.get(name, 0.0) + value
    per = {name: value / max(reports, 1) for name, value in sums.items()}
    parts = [("print", per.get("pdf_cpu", 0.0), "WeasyPrint: layout, drawing the charts' SVG, the tagged PDF"),
             ("cells", per.get("kernel_cpu", 0.0), "the kernel while the notebook runs: the cells, its messages"),
             ("glue", per.get("execute_cpu", 0.0) + per.get("html_cpu", 0.0),
              "the worker: notebook client, papermill, writing the notebook, the HTML export")]
    total = usage.cpu / max(reports, 1)
    parts.append(("rest", total - sum(p[1] for p in parts),
                  "start-up, kernel templates, resets between reports, hashes and manifest, archive page"))
    parts.append(("total", total, f"{usage.cpu:.1f} CPU-s over {reports} reports, {usage.cpu / usage.wall:.2f} "
                                  "cores busy"))
    return parts


def built_count(summary: str) -> int:
    return int(re.search(r"built (\d+)", summary).group(1))


def change_one_week(data: Path, week_end: str) -> None:
    """Add one incident to one week, as an analyst's correction would; written by column
    name, so that the row fits whatever columns the synthetic sheet has."""
    path = data / "incidents.csv"
    day = (dt.date.fromisoformat(week_end) - dt.timedelta(days=2)).isoformat()
    with path.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream))
    row = {"event_id_cnty": f"BENCH-CHANGE-{time.time_ns()}", "event_date": day, "incident_type": "IED",
           "admin1": "Baghdad", "incidents": "1", "fatalities": "1", "fatalities_min": "false", "wounded": "0",
           "wounded_min": "false", "casualty_group": "victims", "source": "Synthetic generator",
           "reference": "synthetic", "notes": "benchmark correction"}
    with path.open("a", encoding="utf-8", newline="") as stream:
        csv.DictWriter(stream, header, restval="", lineterminator="\n").writerow(
            {k: v for k, v in row.items() if k in header})


LOAD_SCRIPT = """
import resource, sys, time
started = time.perf_counter()
import reportlib
data = reportlib.load(sys.argv[1])
view = data.select(data.periods()[len(data.periods()) // 2])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(elapsed, peak, len(data.incidents), len(view.incidents))
"""

BASELINE_SCRIPT = """
import resource, sys, time
started = time.perf_counter()
import pandas
frame = pandas.read_csv(sys.argv[1] + "/incidents.csv")
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(elapsed, peak, len(frame))
"""


PREVIEW_VERSION = re.compile(rb'data-version="(\d+)"')


def preview_edits(data: Path, week_end: str, edits: int) -> list[float]:
    """(i): `reportlib preview` on a copy of the data, serving the latest week; each edit adds
    an incident to that week and is timed until the served page is a new version that shows
    the report (not a problem). The first build is not timed."""
    import urllib.request

    copy = WORK / "preview-data"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy)
    log = WORK / "preview.log"
    process = subprocess.Popen([str(a) for a in reportlib("preview", "--data", copy, "--port", "0")],
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)

    def page(url: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(url, timeout=60) as answer:
            body = answer.read()
        return int(PREVIEW_VERSION.search(body).group(1)), body

    def wait(condition, seconds: float):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            if process.poll() is not None:
                sys.exit(f"(i) reportlib preview ended:\n{log.read_text()[-4000:]}")
            time.sleep(0.02)
        sys.exit(f"(i) timed out:\n{log.read_text()[-4000:]}")

    try:
        url = wait(lambda: (re.search(r"preview: (http://\S+/)", log.read_text()) or [None, None])[1], 120)
        wait(lambda: page(url)[0] >= 1, 300)
        times = []
        for edit in range(edits):
            # An analyst's edit comes when the preview is idle: the next build's kernel, started
            # after each build, has answered.
            wait(lambda n=edit: log.read_text().count("ready for the next change") > n, 120)
            version = page(url)[0]
            started = time.perf_counter()
            change_one_week(copy, week_end)
            def newer(after=version):
                shown, body = page(url)
                return body if shown > after else None

            body = wait(newer, 60)
            times.append(time.perf_counter() - started)
            if b"Preview: " in body[:2000]:
                sys.exit(f"(i) the edit gave a problem page:\n{body[:3000].decode()}")
        return times
    finally:
        # SIGTERM, which the CLI takes as Ctrl-C: a job started in the background of a
        # non-interactive shell (`make bench &`) inherits SIGINT ignored.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def python_measure(script: str, *args) -> list[float]:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          check=True)
    return [float(x) for x in done.stdout.split()]


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="write the table into benchmarks/README.md")
    parser.add_argument("--weeks", type=int, default=WEEKS,
                        help="weeks of the synthetic batch (a smaller one for trying a change; not recorded)")
    parser.add_argument("--repeat", type=int, default=6,
                        help="runs of (a) and (b), half before (c) and half after; the median is shown")
    options = parser.parse_args()

    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: see Usage
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    data = WORK / "demo"
    print(f"preparing {WEEKS} synthetic weeks ...", file=sys.stderr)
    demo(data, options.weeks, INCIDENTS_PER_WEEK)
    periods = sorted(p.stem for p in (data / "issues").glob("*.yaml"))
    sample = [periods[len(periods) // 2 + k] for k in range(options.repeat)]
    naive_times, single = [], []

    def baselines(ends: list[str]) -> None:
        # (a) and (b) alternate, and half of their runs come after (c): this machine's speed
        # drifts over a minute, and the ratios should not depend on when each was measured.
        for end in ends:
            print(f"(a) naive chain, {end} ...", file=sys.stderr)
            naive_times.append(naive(data, end, WORK / "naive" / end))
            print(f"(b) reportlib build, one period, cold, {end} ...", file=sys.stderr)
            single.append(run(reportlib("build", "--data", data, "--out", WORK / "single", "--period-end", end,
                                        "--force")))

    baselines(sample[: len(sample) // 2])
    print("(c) 52-week batch, --jobs 2 ...", file=sys.stderr)
    out = WORK / "batch"
    c_usage, c_summary, _ = batch(data, out, "2000-01-01", "2100-01-01")
    c, c_built = c_usage.wall, built_count(c_summary)
    c_per, c_cpu = c / max(c_built, 1), c_usage.cpu / max(c_built, 1)
    parts = where_it_goes(out, c_usage, c_built)
    # (h) samples the same batch built again: the sampler's reads of /proc are not free, and
    # (c)'s processor and wall times should not pay for them.
    print("(h) the same batch again, into a new folder, its memory sampled ...", file=sys.stderr)
    _, h_summary, h = batch(data, WORK / "batch-memory", "2000-01-01", "2100-01-01", memory=True)
    if built_count(h_summary) != c_built:
        sys.exit(f"(h) built another number of reports than (c): {h_summary}")
    baselines(sample[len(sample) // 2:])
    a, b = statistics.median(u.wall for u in naive_times), statistics.median(u.wall for u in single)
    a_cpu, b_cpu = statistics.median(u.cpu for u in naive_times), statistics.median(u.cpu for u in single)
    a_busy = statistics.median(u.cpu / u.wall for u in naive_times)
    b_busy = statistics.median(u.cpu / u.wall for u in single)

    print("(d) the same batch, nothing changed ...", file=sys.stderr)
    d_usage, d_summary, _ = batch(data, out, "2000-01-01", "2100-01-01")
    d = d_usage.wall

    print("(g) reportlib build, one period, inputs unchanged ...", file=sys.stderr)
    unchanged = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        done = subprocess.run([str(a) for a in reportlib("build", "--data", data, "--out", WORK / "single",
                                                          "--period-end", sample[-1])], capture_output=True, text=True)
        unchanged.append(time.perf_counter() - started)
        if done.returncode != 0 or "up to date" not in done.stdout:
            sys.exit(f"(g) expected an up-to-date build:\n{done.stdout}\n{done.stderr[-4000:]}")
    g = statistics.median(unchanged)

    print("(e) after changing one week ...", file=sys.stderr)
    changed = periods[len(periods) // 2]
    change_one_week(data, changed)
    e_usage, e_summary, _ = batch(data, out, "2000-01-01", "2100-01-01")
    e = e_usage.wall
    e_built = built_count(e_summary)
    trend_weeks = 8
    expected = len([p for p in periods if changed <= p <= (dt.date.fromisoformat(changed)
                                                          + dt.timedelta(weeks=trend_weeks)).isoformat()])

    print("(i) reportlib preview, a data edit until the page shows it ...", file=sys.stderr)
    previews = preview_edits(data, periods[-1], 5)
    i = statistics.median(previews)

    print("(f) 1,000,000 incidents ...", file=sys.stderr)
    big = WORK / "big"
    demo(big, WEEKS, -(-BIG_INCIDENTS // WEEKS))
    # Median of three runs each, in fresh processes.
    loads = sorted((python_measure(LOAD_SCRIPT, big) for _ in range(3)), key=lambda m: m[0])
    f_time, f_peak, f_rows, _ = loads[1]
    base_time, base_peak, _ = sorted((python_measure(BASELINE_SCRIPT, big) for _ in range(3)),
                                     key=lambda m: m[0])[1]

    rows = [
        ("(a)", "naive chain: papermill, nbconvert, weasyprint CLIs", f"{a:.2f} s", f"{a:.2f} s",
         f"{a_cpu:.2f} CPU-s, {a_busy:.2f} cores", "1.00 (baseline)", "", ""),
        ("(b)", "reportlib build, one period, cold", f"{b:.2f} s", f"{b:.2f} s",
         f"{b_cpu:.2f} CPU-s, {b_busy:.2f} cores", f"{b / a:.2f} of (a)", "<= 0.50 of (a), <= 3.0 CPU-s",
         "yes" if b <= 0.5 * a and b_cpu <= 3.0 else "NO"),
        ("(c)", f"{c_built}-week batch, --jobs 2", f"{c:.1f} s", f"{c_per:.2f} s",
         f"{c_cpu:.2f} CPU-s, {c_usage.cpu / c:.2f} cores", f"{a / c_per:.1f}x faster than (a)",
         ">= 8x, <= 1.25 CPU-s, >= 1.8 cores",
         "yes" if a / c_per >= 8 and c_cpu <= 1.25 and c_usage.cpu / c >= 1.8 else "NO"),
        ("(d)", "same batch, nothing changed", f"{d:.2f} s", "", "", f"{100 * d / c:.1f}% of (c)", "< 5% of (c)",
         "yes" if d < 0.05 * c else "NO"),
        ("(e)", "after changing one week's incidents", f"{e:.1f} s", "", "", f"rebuilt {e_built} of {len(periods)}",
         f"== {expected} (the week + {trend_weeks} trend weeks)", "yes" if e_built == expected else "NO"),
        ("(f)", f"load + validate {int(f_rows):,} incidents, select a week", f"{f_time:.2f} s",
         f"{f_peak / 2**30:.2f} GiB peak", "", f"{f_time / base_time:.2f}x pandas.read_csv ({base_time:.2f} s, "
         f"{base_peak / 2**30:.2f} GiB)", "< 3 s, < 1.5 GiB",
         "yes" if f_time < 3 and f_peak < 1.5 * 2**30 else "NO"),
        ("(g)", "reportlib build, one period, inputs unchanged", f"{g:.2f} s", "", "", f"{g / a:.3f} of (a)",
         "< 0.3 s", "yes" if g < 0.3 else "NO"),
        ("(h)", f"peak memory of the batch (c) run again, up to {h.processes} processes", "",
         f"{h.pss / 2**30:.2f} GiB PSS ({h.rss / 2**30:.2f} GiB RSS)", "",
         f"{h.pss / c_built / 2**20:.0f} MiB a report",
         "<= 1.2 GiB PSS", "yes" if h.pss <= 1.2 * 2**30 else "NO"),
        ("(i)", "reportlib preview: one incident added, until the page shows it", f"{i:.2f} s", "", "",
         f"{i / a:.2f} of (a)", "<= 2 s", "yes" if i <= 2 else "NO"),
    ]
    header = ("case", "what", "time", "per report / memory", "processor", "ratio", "target", "met")
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    table += ["", f"Where a report of (c) goes, CPU-s (load average {os.getloadavg()[0]:.1f} at the end):", "",
              "| part | CPU-s a report | what |", "|---|---|---|"]
    table += [f"| {name} | {value:.3f} | {what} |" for name, value, what in parts]
    stamp = f"{dt.date.today().isoformat()}, {machine()}"
    text = "\n".join(table)
    print(f"\nreportlib benchmarks, {stamp}\n")
    print(text)
    details = {"naive_runs_s": [u.wall for u in naive_times], "naive_runs_cpu_s": [u.cpu for u in naive_times],
               "single_runs_s": [u.wall for u in single], "single_runs_cpu_s": [u.cpu for u in single],
               "batch_cpu_s": c_usage.cpu, "unchanged_runs_s": unchanged,
               "load_runs_s": [m[0] for m in loads], "batch_peak_pss_bytes": h.pss, "batch_peak_rss_bytes": h.rss,
               "batch": c_summary, "unchanged": d_summary,
               "after_change": e_summary, "changed_week": changed, "preview_edit_runs_s": previews}
    print("\n" + json.dumps(details, indent=1))
    if options.record and options.weeks == WEEKS:
        readme = ROOT / "benchmarks" / "README.md"
        body = readme.read_text(encoding="utf-8")
        block = f"<!-- results -->\nMeasured {stamp}:\n\n{text}\n<!-- /results -->"
        body = re.sub(r"<!-- results -->.*<!-- /results -->", lambda m: block, body, flags=re.S)
        readme.write_text(body, encoding="utf-8")
        print(f"\nrecorded in {readme.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
