"""Publishing an issue and correcting it: what `reportlib publish` and `reportlib correct` do.

    publish_issue(data_dir, "2020-12-03", out_root, notebook, site)
        the built, up-to-date report of a declared issue becomes version 1: its files and HXL
        exports are kept in data/publications/2020-12-03/v1/, the record written, the site made.
    correct_issue(data_dir, "2020-12-03", "The Kut deaths were three, not two.", ...)
        the change in the data since the published version is recorded as a pending
        correction, the report rebuilt with its notice, and the result published as the next
        version; the earlier one stays, under its own name.

Each step that writes goes in an order that a crash cannot turn into a false record: files
first, the record last.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..batch import build as builder
from ..batch import guard
from ..batch.results import report_root
from ..batch.work import write_archive
from ..content import hxl
from ..content.sentences import key_figures
from ..engine import scratch
from ..errors import PublishedIssueError, UsageError
from ..files import sha256_bytes, write_atomic
from ..inputs import records as rec
from ..inputs import textrules
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import Period, as_date, format_long, parse_date
from .settings import publish_settings
from .site import file_name, write_site


def _as_given(path: Path, root: Path, given: str | Path) -> Path:
    """A path under the data folder, written under the folder as the user named it."""
    return Path(given) / path.relative_to(root) if path.is_relative_to(root) else path


def _declared(data: Dataset, period_end: str | dt.date) -> Period:
    """Only declared issues are published: an ad-hoc span is a draft, never an issue. A date
    read at the command line (or reportlib.api) comes as a date; text is read here."""
    end = as_date(period_end, "--period-end")
    for period in data.periods():
        if period.end == end:
            return period
    declared = ", ".join(p.label for p in data.periods()[-6:]) or "none"
    raise UsageError(f"no issue ends on {end} in {data.root}; only declared issues are published, never an "
                     f"ad-hoc span. Declared issues end on: {declared}")


def _task(data: Dataset, period: Period, out_root: Path, notebook: Path) -> builder.Task:
    if not notebook.is_file():
        raise UsageError(f"notebook {notebook} does not exist; give the issue's notebook with --notebook")
    return builder.Task(data_dir=str(data.root), period=period,
                        out_root=str(out_root.resolve()), notebook=str(notebook.resolve()))


def _check_built(data: Dataset, task: builder.Task, folder: Path) -> dict:
    """The manifest of an up-to-date build of exactly this issue, or a clear refusal."""
    label = task.label
    rebuild = f"run `reportlib build --period-end {label}` first"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{label} is not built ({folder}/manifest.json is missing); {rebuild}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{folder}/manifest.json cannot be read ({exc}); {rebuild}") from None
    built = manifest.get("inputs", {}).get("period", {})
    if (built.get("start"), built.get("end")) != (task.start, task.end):
        raise UsageError(f"{folder} holds an ad-hoc build of {built.get('start')} to {built.get('end')}, not the "
                         f"declared issue {task.start} to {task.end}; {rebuild}")
    _, key = builder.task_key(task, data)
    if manifest.get("key") != key:
        raise UsageError(f"the build in {folder} is not up to date: the data, the notebook, the parameters or "
                         f"the code changed since it was built; {rebuild}")
    for name in ("report.pdf", "report.html"):
        recorded = manifest.get("outputs", {}).get(name, {}).get("sha256")
        path = folder / name
        if not path.is_file() or sha256_bytes(path.read_bytes()) != recorded:
            raise UsageError(f"{path} is not the file its build made (missing, or changed since); "
                             f"run `reportlib build --period-end {label} --force`")
    return manifest


def _headlines(data: Dataset, view: PeriodData) -> list[dict]:
    issue = view.issue
    if issue is None:
        return []
    return [{"section": s.title, "headline": issue.headlines[s.id]}
            for s in data.monitor.sections if issue.headlines.get(s.id)]


def _store(data: Dataset, label: str, number: int, folder: Path, view: PeriodData) -> dict:
    """Keep the report's files and the HXL exports as version `number` publishes them."""
    country = data.monitor.country
    files = {"pdf": (folder / "report.pdf").read_bytes(), "html": (folder / "report.html").read_bytes(),
             "incidents": hxl.incidents_csv(view.incidents, country),
             "indicators": hxl.indicators_csv(guard.period_indicators(view), country)}
    target = rec.version_dir(data.root, label, number)
    out = {}
    for kind, content in files.items():
        write_atomic(target / rec.FILES[kind], content)
        out[kind] = {"path": f"{target.name}/{rec.FILES[kind]}", "sha256": sha256_bytes(content), "bytes": len(content)}
    return out


def _version(data: Dataset, view: PeriodData, number: int, status: str, date: str, **extra) -> rec.Version:
    content = guard.content(data, view)
    return rec.Version(number=number, status=status, date=date, content_key=guard.content_key(content),
                       content=content, key_figures=key_figures(view), headlines=_headlines(data, view), **extra)


def _date(value: str | None, what: str) -> str:
    day = parse_date(value, what) if value else dt.date.today()
    if day > dt.date.today():
        raise UsageError(f"{what} {day} is in the future")
    return day.isoformat()


def _site_lines(data: Dataset, site: Path, record: rec.Record) -> list[str]:
    write_site(data.root, site)
    version = record.latest
    return [f"  site: {site / 'index.html'}, {site / 'feed.xml'}",
            f"  files: {site / record.issue / file_name(record, version, 'pdf')} and .html, "
            f"{file_name(record, version, 'incidents')}, {file_name(record, version, 'indicators')}"]


def publish_issue(data_dir: str | Path, period_end: str | dt.date, out_root: Path, notebook: Path, site: Path,
                  date: str | None = None) -> list[str]:
    """Publish the built report of the issue ending on `period_end` as its version 1."""
    data = load(data_dir)
    period = _declared(data, period_end)
    root = report_root(out_root, notebook)
    task = _task(data, period, root, notebook)
    folder = root / period.label
    view = data.select(period)
    record = rec.read(data.root, period.label)
    if record is not None and record.pending is not None:
        raise UsageError(f"a correction of {period.label} is pending (issued {record.pending.date}); publish it "
                         f"with `reportlib correct --period-end {period.label} --note ...` or withdraw it with "
                         f"`reportlib correct --period-end {period.label} --withdraw`")
    if record is not None and record.published:
        latest = record.latest
        if guard.content_key(guard.content(data, view)) != latest.content_key:
            raise PublishedIssueError(guard.describe(data, view, record, "publishing the data as it is now")
                                      + f"\nTo publish the change, issue a correction:\n  reportlib correct "
                                        f'--period-end {period.label} --note "what changed and why"')
        return [f"{period.label}: already published (version {latest.number} of {latest.date}); nothing changed",
                *_site_lines(data, site, record)]
    manifest = _check_built(data, task, folder)
    day = _date(date, "--date")
    if day < period.label:
        raise UsageError(f"--date {day} is before the issue's last day, {period.label}")
    record = record_publication(data, view, folder, day, notebook.name, manifest["key"])
    path = _as_given(rec.folder(data.root, record.issue) / rec.RECORD_FILE, data.root, data_dir)
    return [f"{period.label}: published version 1 on {day}",
            f"  recorded in {path} (commit data/{rec.RECORDS_DIR}/ with the data)", *_site_lines(data, site, record)]


def record_publication(data: Dataset, view: PeriodData, folder: Path, day: str, notebook: str,
                       build_key: str | None = None) -> rec.Record:
    """Record version 1 of the issue of `view`, published on `day` from the report in
    `folder` (report.pdf and report.html): its files and HXL exports kept, the record
    written last. The caller has checked that the build is the issue's, up to date."""
    period = view.period
    settings = publish_settings(data.root, data.monitor.name)
    version = _version(data, view, 1, rec.PUBLISHED, day, build_key=build_key,
                       files=_store(data, period.label, 1, folder, view))
    record = rec.Record(issue=period.label, start=period.start.isoformat(), end=period.end.isoformat(),
                        period=format_long(period), title=data.monitor.name,
                        stem=settings.stem(period.start.isoformat(), period.label), notebook=notebook,
                        synthetic=data.monitor.synthetic, versions=[version], language=data.monitor.language)
    rec.write(data.root, record)
    return record


def _row_summary(published: dict, now: dict) -> list[str]:
    """'1 incident row added', '2 indicator values changed', ... for a correction's notice."""
    out = []
    for kind, noun in (("incidents", "incident row"), ("indicators", "indicator value"), ("sources", "source")):
        before, after = published[kind], now[kind]
        counts = {"added": len(after.keys() - before.keys()), "removed": len(before.keys() - after.keys()),
                  "changed": sum(before[k] != after[k] for k in before.keys() & after.keys())}
        for what, n in counts.items():
            if n:
                out.append(f"{n} {noun}{'s' if n != 1 else ''} {what}")
    if published["issue"] != now["issue"]:
        out.append("the narrative")
    return out


def correct_issue(data_dir: str | Path, period_end: str | dt.date, note: str, out_root: Path, notebook: Path,
                  site: Path, date: str | None = None, draft: bool = False,
                  log: Callable[[str], None] = lambda line: None) -> list[str]:
    """Issue a correction of a published issue: record it (pending), rebuild the report with
    its notice, and, unless `draft`, publish it as the next version."""
    note = " ".join(note.split())
    if not note:
        raise UsageError("--note is empty; say what was corrected and why, in a sentence or two")
    for reason in textrules.problems(note):
        raise UsageError(f"--note {note!r}: {reason}")
    data = load(data_dir)
    period = _declared(data, period_end)
    record = rec.read(data.root, period.label)
    if record is None or not record.published:
        raise UsageError(f"{period.label} is not published, so there is nothing to correct; rebuild it and "
                         f"`reportlib publish --period-end {period.label}`")
    view = data.select(period)
    latest = record.latest
    content = guard.content(data, view)
    if guard.content_key(content) == latest.content_key:
        if record.pending is not None:
            record.versions.pop()
            rec.write(data.root, record)
        raise UsageError(f"nothing to correct: the data {period.label} reads is as version {latest.number} "
                         f"published it on {latest.date}. Change the data first (`reportlib build` then names "
                         "what changed), then run this command")
    day = _date(date, "--date")
    if day < latest.date:
        raise UsageError(f"--date {day} is before version {latest.number} was published ({latest.date})")
    changes = [*guard.figure_changes(latest.key_figures, key_figures(view)),
               *_row_summary(latest.content, content)]
    pending = _version(data, view, latest.number + 1, rec.PENDING, day, note=note, changes=changes)
    if record.pending is not None:
        record.versions.pop()
    record.versions.append(pending)
    rec.write(data.root, record)

    root = report_root(out_root, notebook)
    task = _task(data, period, root, notebook)
    log(f"{period.label}: building the corrected report")
    result = _build(task, data, log)
    write_archive(root, log)
    folder = root / period.label
    if draft:
        return [f"{period.label}: correction drafted ({result.status}); {folder}/report.pdf shows its notice",
                "  run the same command without --draft to publish it, or withdraw it with --withdraw"]
    manifest = _check_built(data, task, folder)
    pending = replace(pending, status=rec.PUBLISHED, build_key=manifest["key"],
                      files=_store(data, period.label, pending.number, folder, view))
    record.versions[-1] = pending
    path = _as_given(rec.write(data.root, record), data.root, data_dir)
    return [f"{period.label}: published version {pending.number}, corrected on {day}: {note}",
            *(f"  changed: {line}" for line in changes),
            f"  version {latest.number} of {latest.date} stays on the site under its own name",
            f"  recorded in {path}", *_site_lines(data, site, record)]


def _build(task: builder.Task, data: Dataset, log) -> builder.Result:
    """Build one period as `reportlib build` does, on a kernel of its own; its private
    temporary folder (the kernel's sockets) goes when the build ends."""
    try:
        return builder.build_period(task, data, log=log)
    finally:
        scratch.remove()


def withdraw_correction(data_dir: str | Path, period_end: str | dt.date) -> list[str]:
    """Drop a pending correction (drafted, or one whose build failed)."""
    data = load(data_dir)
    period = _declared(data, period_end)
    record = rec.read(data.root, period.label)
    if record is None or record.pending is None:
        raise UsageError(f"{period.label} has no pending correction")
    withdrawn = record.versions.pop()
    rec.write(data.root, record)
    return [f"{period.label}: withdrew the pending correction of {withdrawn.date}; rebuild the issue "
            f"(`reportlib build --period-end {period.label}`) to drop its notice from outputs/"]


def rebuild_site(data_dir: str | Path, site: Path) -> list[str]:
    data_root = Path(data_dir).resolve()
    written = write_site(data_root, site)
    if not written:
        return [f"no issue is published in {data_dir}; nothing to write"]
    count = len(rec.all_records(data_root))
    return [f"site: {len(written)} files in {site}, from {count} publication record{'s' if count != 1 else ''}"]
