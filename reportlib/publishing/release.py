"""Publishing an issue and correcting it: what `reportlib publish` and `reportlib correct` do.

    publish_issue(data_dir, "2020-12-03", out_root, notebook, site)
        the built, up-to-date report of a declared issue becomes version 1: its files and HXL
        exports are kept in data/publications/2020-12-03/v1/, the record written, the site made.
    correct_issue(data_dir, "2020-12-03", "The Kut deaths were three, not two.", ...)
        the change since the published version is recorded as a pending correction, the
        report rebuilt with its notice, and the result published as the next version; the
        earlier one stays, under its own name. A change of the data, or of the notebook, its
        parameters or the code when the report it builds is no longer the published one.

Each step that writes goes in an order that a crash cannot turn into a false record: files
first, the record last.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import nbformat

from ..batch import build as builder
from ..batch import guard
from ..batch import manifest as manifests
from ..batch.results import report_root
from ..batch.work import write_archive
from ..content import hxl
from ..content.sentences import key_figures
from ..engine import scratch
from ..errors import PublishedIssueError, UsageError
from ..files import sha256_bytes
from ..inputs import records as rec
from ..inputs import textrules
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.periods import Period, as_date, format_long, parse_date
from ..reports.figureblock import placeholder_figures
from .settings import publish_settings, refuse_bad_settings
from .site import feed_warning, file_name, write_site


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
    try:
        unfinished = placeholder_figures(nbformat.read(str(folder / "report.ipynb"), as_version=4))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{folder}/report.ipynb cannot be read ({exc}); {rebuild}") from None
    if unfinished:
        verb = "have" if len(unfinished) > 1 else "has"
        raise UsageError(f"{label} cannot be published: {', '.join(unfinished)} {verb} "
                         "a placeholder for a caption; give each a caption (report.figure(fig, caption=..., alt=...)) "
                         f"and {rebuild}")
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
    return {kind: rec.keep(data.root, label, number, kind, content) for kind, content in files.items()}


def _version(data: Dataset, view: PeriodData, number: int, status: str, date: str, **extra) -> rec.Version:
    content = guard.content(data, view)
    return rec.Version(number=number, status=status, date=date, content_key=guard.content_key(content),
                       content=content, key_figures=key_figures(view), headlines=_headlines(data, view), **extra)


def issue_date(view: PeriodData) -> str:
    """The issue's own date: the day its document was published (sources.csv), else the last
    day of its period. Never the day it is added to the archive."""
    issue = view.issue
    if issue is not None:
        rows = view.sources.loc[view.sources["reference"] == issue.reference, "published"]
        day = hxl.cell(rows.iloc[0]) if len(rows) else ""
        if day:
            return day
    return view.period.end.isoformat()


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
            f"{file_name(record, version, 'incidents')}, {file_name(record, version, 'indicators')}",
            *feed_warning(data.root, data.monitor.name)]


def publish_issue(data_dir: str | Path, period_end: str | dt.date, out_root: Path, notebook: Path, site: Path,
                  date: str | None = None) -> list[str]:
    """Publish the built report of the issue ending on `period_end` as its version 1."""
    data = load(data_dir)
    refuse_bad_settings(data)
    period = _declared(data, period_end)
    root = report_root(out_root, notebook)
    task = _task(data, period, root, notebook)
    folder = root / period.label
    view = data.select(period)
    day = _date(date, "--date")
    record = rec.read(data.root, period.label)
    if record is not None and record.pending is not None:
        raise UsageError(f"a correction of {period.label} is pending (issued {record.pending.date}); publish it "
                         f"with `reportlib correct --period-end {period.label} --note ...` or withdraw it with "
                         f"`reportlib correct --period-end {period.label} --withdraw`")
    if record is not None and record.published:
        latest = record.latest
        if guard.content_key(guard.current(data, view, latest)) != latest.content_key:
            raise PublishedIssueError(guard.describe(data, view, record, "publishing the data as it is now")
                                      + f"\nTo publish the change, issue a correction:\n  reportlib correct "
                                        f'--period-end {period.label} --note "what changed and why"')
        first = record.published[0]
        if date is not None and day != first.date:
            raise UsageError(f"{period.label} was published on {first.date} (version {first.number}); --date {day} "
                             "cannot change the day of a publication. A correction has a date of its own "
                             "(`reportlib correct --date`)")
        return [f"{period.label}: already published (version {latest.number}, added to the archive on "
                f"{latest.date}); nothing changed", *_rebuilt_report(data, view, task, folder, record),
                *_site_lines(data, site, record)]
    manifest = _check_built(data, task, folder)
    if day < period.label:
        raise UsageError(f"--date {day} is before the issue's last day, {period.label}")
    record = record_publication(data, view, folder, day, notebook.name, manifest["key"])
    path = _as_given(rec.folder(data.root, record.issue) / rec.RECORD_FILE, data.root, data_dir)
    return [f"{period.label}: published version 1 (the issue of {record.issue_date}), added to the archive on {day}",
            f"  recorded in {path} (commit data/{rec.RECORDS_DIR}/ with the data)", *_site_lines(data, site, record)]


def _rebuilt_report(data: Dataset, view: PeriodData, task: builder.Task, folder: Path,
                    record: rec.Record) -> list[str]:
    """For an issue published and republished with its data unchanged: refuse when its build
    in `folder` is up to date but is not the published report (a new notebook or code, as
    guard.published_note says); a line saying so when the build is older than the notebook
    or code, so that nobody takes "nothing changed" for "the report is the same"."""
    if record.pending is not None:
        return []
    _, key = builder.task_key(task, data, view)
    built = manifests.read(folder)
    if built is not None and built.get("key") == key and manifests.outputs_intact(folder, built):
        note = guard.published_note(data, view, Path(task.notebook).name, folder, built.get("inputs") or {})
        if note:
            raise PublishedIssueError(note.replace("the report built now", f"the report built in {folder}", 1))
        return []
    if key != record.latest.build_key:
        return [f"  the data is as published, but the notebook, its parameters or reportlib's code changed since "
                f"{'it was built' if built else 'it was published'}: `reportlib build --period-end {record.issue}` "
                "says whether the report changes"]
    return []


def record_publication(data: Dataset, view: PeriodData, folder: Path, day: str, notebook: str,
                       build_key: str | None = None) -> rec.Record:
    """Record version 1 of the issue of `view`, published on `day` from the report in
    `folder` (report.pdf and report.html): its files and HXL exports kept, the record
    written last. The caller has checked that the build is the issue's, up to date."""
    period = view.period
    settings = publish_settings(data.root, data.monitor.name)
    built = manifests.read(folder) or {}
    version = _version(data, view, 1, rec.PUBLISHED, day, build_key=build_key,
                       files=_store(data, period.label, 1, folder, view),
                       build_inputs=guard.build_inputs(built.get("inputs") or {}))
    record = rec.Record(issue=period.label, start=period.start.isoformat(), end=period.end.isoformat(),
                        period=format_long(period), title=data.monitor.name,
                        stem=settings.stem(period.start.isoformat(), period.label), notebook=notebook,
                        synthetic=data.monitor.synthetic, versions=[version], language=data.monitor.language,
                        dated=issue_date(view))
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
    refuse_bad_settings(data)
    period = _declared(data, period_end)
    record = rec.read(data.root, period.label)
    if record is None or not record.published:
        raise UsageError(f"{period.label} is not published, so there is nothing to correct; rebuild it and "
                         f"`reportlib publish --period-end {period.label}`")
    view = data.select(period)
    latest = record.latest
    content = guard.current(data, view, latest)
    day = _date(date, "--date")
    if day < latest.date:
        raise UsageError(f"--date {day} is before version {latest.number} was published ({latest.date})")
    root = report_root(out_root, notebook)
    task = _task(data, period, root, notebook)
    built_changes = []
    if guard.content_key(content) == latest.content_key:
        if record.pending is not None:
            record.versions.pop()
            rec.write(data.root, record)
        built_changes = _report_changes(data, view, task, root / period.label, latest, log)
        if not built_changes:
            raise UsageError(f"nothing to correct: the data {period.label} reads is as version {latest.number} "
                             f"published it on {latest.date}, and the report built from it now is byte for byte "
                             "the published one. Change the data, the notebook or the code first (`reportlib "
                             "build` then names what changed), then run this command")
    changes = [*guard.figure_changes(latest.key_figures, key_figures(view)),
               *_row_summary(latest.content, content), *built_changes]
    pending = _version(data, view, latest.number + 1, rec.PENDING, day, note=note, changes=changes)
    if record.pending is not None:
        record.versions.pop()
    record.versions.append(pending)
    rec.write(data.root, record)

    log(f"{period.label}: building the corrected report")
    result = _build(task, data, log)
    write_archive(root, log)
    folder = root / period.label
    if draft:
        return [f"{period.label}: correction drafted ({result.status}); {folder}/report.pdf shows its notice",
                "  run the same command without --draft to publish it, or withdraw it with --withdraw"]
    manifest = _check_built(data, task, folder)
    pending = replace(pending, status=rec.PUBLISHED, build_key=manifest["key"],
                      files=_store(data, period.label, pending.number, folder, view),
                      build_inputs=guard.build_inputs(manifest.get("inputs") or {}))
    record.versions[-1] = pending
    path = _as_given(rec.write(data.root, record), data.root, data_dir)
    return [f"{period.label}: published version {pending.number}, corrected on {day}: {note}",
            *(f"  changed: {line}" for line in changes),
            f"  version {latest.number} of {latest.date} stays on the site under its own name",
            f"  recorded in {path}", *_site_lines(data, site, record)]


def _report_changes(data: Dataset, view: PeriodData, task: builder.Task, folder: Path, latest: rec.Version,
                    log) -> list[str]:
    """With the data as `latest` published it: what changed in the notebook, its parameters
    or the code when the report they build now differs from the published one (built first
    unless `folder` holds it up to date); none when the report is the same."""
    _, key = builder.task_key(task, data, view)
    if latest.build_key is None or key == latest.build_key:
        # The same inputs give the same bytes; a version recorded without its build (by
        # record_publication called from Python) cannot be told from a new build by its key.
        return []
    built = manifests.read(folder)
    if built is None or built.get("key") != key or not manifests.outputs_intact(folder, built):
        log(f"{task.label}: building the report as it is now, to compare it with version {latest.number}")
        _build(task, data, log, explain_published=False)
        built = manifests.read(folder) or {}
    if not guard.report_differs(latest, folder):
        return []
    return guard.build_changes(latest.build_inputs, guard.build_inputs(built.get("inputs") or {}))


def _build(task: builder.Task, data: Dataset, log, explain_published: bool = True) -> builder.Result:
    """Build one period as `reportlib build` does, on a kernel of its own; its private
    temporary folder (the kernel's sockets) goes when the build ends."""
    try:
        return builder.build_period(task, data, log=log, explain_published=explain_published)
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
    records = rec.all_records(data_root)
    count = len(records)
    return [f"site: {len(written)} files in {site}, from {count} publication record{'s' if count != 1 else ''}",
            *feed_warning(data_root, records[0].title)]
