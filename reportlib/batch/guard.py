"""Published issues stay as published. What a published report read (its data rows, its
narrative file, the monitor's settings) is kept in its record as digests; a build or an
import whose data would make that report say something else is refused, naming the issue,
the rows and the key figures that would change. The one way to change a published issue is
a correction (`reportlib correct`), which records the change before the report is rebuilt.

    >>> check(data, [data.select(period)], "weekly_report.ipynb")   # raises PublishedIssueError

Builds (reportlib.batch.build) and imports (cli's import commands, through guard_import) call
`check`; the correction and the publication call `content` and `differences`.

The notebook and the code are inputs of a report too, but whether a change of them changes a
published report shows only once it is built (the same inputs give the same bytes). A build
of a published issue whose data is as published, but whose report now differs from the
published files, says so and why (`published_note`: "the report's notebook changed"); the
published files stay as they are, and `reportlib correct` publishes the new report as a
correction with its note, as for a change of data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..content import hxl
from ..content.sentences import key_figures
from ..errors import DataError, PublishedIssueError
from ..files import sha256_file
from ..inputs import records, yamlreader
from ..inputs.datafolder import read_file, write_file
from ..inputs.dataset import Dataset, PeriodData, load
from ..inputs.issues import ISSUES_DIR
from ..inputs.monitor import MONITOR_FILE
from ..inputs.periods import Period, parse_date
from ..inputs.schema import INCIDENTS, INDICATORS, SOURCES, Table
from ..inputs.tables import ORIGIN_FILE, ORIGIN_LINE
from ..render.pages import figure_text

# Keys of monitor.yaml that say how issues are published and mailed, not what a report says.
_NOT_CONTENT = ("publish", "mail")
_SHOWN_ROWS = 20
_ORIGIN = (ORIGIN_FILE, ORIGIN_LINE)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _row_digest(row: dict[str, str], legacy: bool = False) -> str:
    # A row is its id and its values, not the sheet and line it was read from: moving rows
    # or renaming the data folder changes no published row. Empty and false cells are left
    # out: a column the table gains later, empty in old rows, does not make every published
    # row look changed.
    return _digest({k: v for k, v in row.items()
                    if v not in ("", "false") and (legacy or k not in _ORIGIN)})[:20]


def _yaml_digest(root: Path, relative: str, drop: tuple[str, ...] = ()) -> str | None:
    """The parsed content of a YAML file: comments and layout do not count."""
    path = root / relative
    if not os.path.lexists(path):
        return None
    raw = read_file(path, relative, root)
    data, _ = yamlreader.parse(raw, relative)
    if data is None:
        return _digest(raw.decode("utf-8", "replace"))
    return _digest({k: v for k, v in data.items() if k not in drop})


def _rows(frame: pd.DataFrame, table: Table) -> dict[str, dict[str, str]]:
    return {hxl.key_of(table, row): row for row in hxl.row_texts(frame)}


def period_indicators(view: PeriodData) -> pd.DataFrame:
    """The indicator values dated within the period, both ends included (an issue states the
    figure of its first day as the one before), of those the period reads: none that a later
    issue reports (inputs.owners.readings_seen)."""
    dates = view.indicators["date"]
    start, end = pd.Timestamp(view.period.start), pd.Timestamp(view.period.end)
    return view.indicators.loc[(dates >= start) & (dates <= end)]


def _used_sources(view: PeriodData) -> pd.DataFrame:
    used = set(view.trend_incidents["reference"]) | set(view.indicators["reference"])
    if view.issue is not None:
        used |= {view.issue.reference} | {e.reference for e in view.issue.events}
    return view.sources.loc[view.sources["reference"].isin(used)]


def content(data: Dataset, view: PeriodData, legacy: bool = False) -> dict:
    """Digests of everything the report of `view` reads from the data folder. `legacy`:
    as records made before rows were fingerprinted by content alone hold them (see `current`)."""
    period = view.period
    out = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "trend_weeks": view.trend_weeks},
        "monitor": _yaml_digest(data.root, MONITOR_FILE, _NOT_CONTENT),
        "issue": _yaml_digest(data.root, f"{ISSUES_DIR}/{period.label}.yaml"),
        "incidents": {k: _row_digest(r, legacy) for k, r in _rows(view.trend_incidents, INCIDENTS).items()},
        "indicators": {k: _row_digest(r, legacy) for k, r in _rows(view.indicators, INDICATORS).items()},
        "sources": {k: _row_digest(r, legacy) for k, r in _rows(_used_sources(view), SOURCES).items()},
    }
    if not legacy:
        out["rows"] = records.ROWS_BY_CONTENT
    return out


def _legacy(version: records.Version) -> bool:
    return version.content.get("rows") != records.ROWS_BY_CONTENT


def current(data: Dataset, view: PeriodData, version: records.Version) -> dict:
    """`content` now, digested as `version` was, to compare with it. A record made before
    rows were fingerprinted by content alone kept each row's sheet and line in its digest;
    it is compared that way (a moved row still counts as changed there) until its next
    correction, which records the new form."""
    return content(data, view, _legacy(version))


def content_key(value: dict) -> str:
    return _digest(value)


# -- what changed -----------------------------------------------------------------------------

def figure_changes(published: list[dict], current: list[dict]) -> list[str]:
    """'People killed ≥40 → ≥42' for each key figure that differs, and each whose label does.

    >>> old = {"name": "killed", "label": "People killed in attacks", "value": 20, "minimum": True}
    >>> figure_changes([old], [{**old, "label": "People killed in attacks and riots"}])
    ['“People killed in attacks” now reads “People killed in attacks and riots”']
    """
    before = {f["name"]: f for f in published}
    now = {f["name"]: f for f in current}
    out = []
    for name in [*before, *(n for n in now if n not in before)]:
        old, new = before.get(name), now.get(name)
        if figure_text(old) != figure_text(new):
            label = (new or old or {}).get("label", name)
            out.append(f"{label} {figure_text(old)} → {figure_text(new)}")
        elif old and new and old.get("label") != new.get("label"):
            # A label made true of what it counts (protest violence is not an attack) changes
            # what the issue says as much as a figure does.
            out.append(f"“{old.get('label')}” now reads “{new.get('label')}”")
    return out


def _short(value: str) -> str:
    return value if len(value) <= 50 else value[:47] + "..."


def _incident_brief(row: dict[str, str]) -> str:
    span = row.get("event_date", "") + (f" to {row['end_date']}" if row.get("end_date") else "")
    parts = [span, row.get("admin1", ""), row.get("incident_type", "")]
    for column, noun in (("fatalities", "killed"), ("wounded", "wounded")):
        if row.get(column):
            parts.append(f"{row[column]} {noun}")
    return ", ".join(p for p in parts if p)


def _row_noun(table: Table, key: str) -> str:
    if table is INCIDENTS:
        return f"incident {key}"
    if table is INDICATORS:
        indicator, day, admin1 = ([*key.split("|"), "", "", ""])[:3]
        return f"{indicator} on {day}" + (f" in {admin1}" if admin1 else "")
    return f"source {key}"


def _row_lines(table: Table, published: dict[str, str], current: dict[str, dict[str, str]],
               stored: dict[str, dict[str, str]], in_period: set[str], legacy: bool) -> list[str]:
    """One line per row added, removed or changed, naming the columns that changed where the
    published export holds the row."""
    digests = {k: _row_digest(r, legacy) for k, r in current.items()}
    ignored = () if legacy else _ORIGIN
    lines = []
    for key in sorted(set(published) | set(digests)):
        if published.get(key) == digests.get(key):
            continue
        noun = _row_noun(table, key)
        row = current.get(key, {})  # there unless removed
        if key not in published:
            brief = _incident_brief(row) if table is INCIDENTS else _short(row.get("value", row.get("title", "")))
            line = f"{noun} added ({brief})"
        elif key not in digests:
            line = f"{noun} removed"
        elif key in stored:
            now = hxl.exported(row, table)
            fields = [f"{name} {_short(stored[key].get(name, '')) or 'empty'} → {_short(now.get(name, '')) or 'empty'}"
                      for name in sorted(set(stored[key]) | set(now))
                      if name not in ignored and stored[key].get(name, "") != now.get(name, "")]
            line = f"{noun} changed: " + ("; ".join(fields) or "its values")
        else:
            line = f"{noun} changed"
        if table is not SOURCES and key not in in_period:
            line += " (in the weeks before the period, which its trend chart reads)"
        lines.append(line)
    return lines


def differences(data: Dataset, view: PeriodData, record: records.Record, version: records.Version) -> list[str]:
    """What the report of `view` would say differently from `version` of the issue: the
    period, the narrative, the monitor, each row, then each key figure."""
    published, legacy = version.content, _legacy(version)
    now = content(data, view, legacy)
    lines = []
    if published["period"] != now["period"]:
        p, n = published["period"], now["period"]
        lines.append(f"the period: {p['start']} to {p['end']} ({p['trend_weeks']} trend weeks) as published, "
                     f"{n['start']} to {n['end']} ({n['trend_weeks']} trend weeks) now")
    if published["issue"] != now["issue"]:
        lines.append(f"the narrative, {ISSUES_DIR}/{record.issue}.yaml (headlines or events)")
    if published["monitor"] != now["monitor"]:
        lines.append(f"the monitor's settings in {MONITOR_FILE} (name, country, sections or trend window)")

    def stored(kind: str, table: Table) -> dict:
        with contextlib.suppress(KeyError, DataError, UnicodeDecodeError, StopIteration):
            return hxl.read_rows(records.stored_bytes(data.root, record, version, kind), table)
        return {}

    incidents = _rows(view.trend_incidents, INCIDENTS)
    lines += _row_lines(INCIDENTS, published["incidents"], incidents, stored("incidents", INCIDENTS),
                        set(_rows(view.incidents, INCIDENTS)), legacy)
    lines += _row_lines(INDICATORS, published["indicators"], _rows(view.indicators, INDICATORS),
                        stored("indicators", INDICATORS), set(_rows(period_indicators(view), INDICATORS)), legacy)
    lines += _row_lines(SOURCES, published["sources"], _rows(_used_sources(view), SOURCES), {}, set(), legacy)
    figures = figure_changes(version.key_figures, key_figures(view)) if view.period.label == record.issue else []
    return lines + [f"key figure: {line}" for line in figures]


def describe(data: Dataset, view: PeriodData, record: records.Record, doing: str) -> str:
    version = record.latest
    lines = differences(data, view, record, version)
    shown = lines[:_SHOWN_ROWS] + ([f"... and {len(lines) - _SHOWN_ROWS} more"] if len(lines) > _SHOWN_ROWS else [])
    return "\n".join([
        f"the issue {record.issue} ({record.period}) was published on {version.date} (version {version.number}); "
        f"{doing} would change it:", *(f"  {line}" for line in shown)])


# -- the notebook, the parameters, the code -----------------------------------------------------

# The build inputs, besides the data, that a published version keeps (records.Version.build_inputs).
BUILD_INPUTS = ("notebook", "parameters", "package", "tools")


def build_inputs(inputs: dict) -> dict:
    """What a version keeps of its build's inputs (a manifest's `inputs`) besides the data."""
    return {name: inputs[name] for name in BUILD_INPUTS if name in inputs}


def _changed_values(before: dict, after: dict) -> str:
    names = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(f"{k} {before.get(k)} → {after.get(k)}" for k in names)


def build_changes(published: dict, now: dict) -> list[str]:
    """Which of the build's inputs besides the data differ from those a version was built
    from, in words: "the report's notebook changed (weekly_report.ipynb)", ..."""
    if not published:
        return ["the report's notebook, its parameters or reportlib's code changed (the record of the published "
                "version does not say which)"]
    lines = []
    old, new = published.get("notebook") or {}, now.get("notebook") or {}
    if old.get("sha256") != new.get("sha256"):
        lines.append(f"the report's notebook changed ({new.get('path') or old.get('path')})")
    parameters, parameters_now = published.get("parameters") or {}, now.get("parameters") or {}
    if parameters != parameters_now:
        lines.append(f"the report's parameters changed ({_changed_values(parameters, parameters_now)})")
    old, new = published.get("package") or {}, now.get("package") or {}
    if old.get("sha256") != new.get("sha256"):
        versions = f" ({old.get('version')} → {new.get('version')})" if old.get("version") != new.get("version") else ""
        lines.append(f"reportlib's code changed{versions}")
    tools = {k: v for k, v in (published.get("tools") or {}).items() if k != "reportlib"}
    tools_now = {k: v for k, v in (now.get("tools") or {}).items() if k != "reportlib"}
    if tools != tools_now:
        lines.append(f"the tools that render it changed ({_changed_values(tools, tools_now)})")
    return lines or ["the report's build changed (its inputs besides the data)"]


def report_differs(version: records.Version, folder: Path) -> bool:
    """The report in `folder` (report.pdf, report.html) is not byte for byte `version`'s."""
    for kind, name in (("pdf", "report.pdf"), ("html", "report.html")):
        try:
            if sha256_file(folder / name) != version.files[kind]["sha256"]:
                return True
        except (OSError, KeyError):
            return True
    return False


def published_note(data: Dataset, view: PeriodData, notebook: str, folder: Path, inputs: dict) -> str | None:
    """For a report just built in `folder` from `inputs` (a manifest's): when it is a
    published issue's, its data as published and no correction pending, but its files are not
    the published ones, the words that say so, why, and how to publish it; else None."""
    record = records.read(data.root, view.period.label)
    period = (view.period.start.isoformat(), view.period.end.isoformat())
    if (record is None or not record.published or record.pending is not None or record.notebook != notebook
            or (record.start, record.end) != period):
        return None
    latest = record.latest
    if content_key(content(data, view)) != latest.content_key or not report_differs(latest, folder):
        return None
    why = "; ".join(build_changes(latest.build_inputs, build_inputs(inputs)))
    return (f"{record.issue}: the report built now differs from version {latest.number} of the issue, added to "
            f"the archive on {latest.date}, though the data it reads is as published: {why}.\n"
            "The published issue stays as published. To publish the new report, issue a correction:\n"
            f'  reportlib correct --period-end {record.issue} --note "what changed and why"')


# -- the guard --------------------------------------------------------------------------------

def _refusal(parts: list[str], labels: list[str]) -> PublishedIssueError:
    how = "\n".join(f'  reportlib correct --period-end {label} --note "what changed and why"' for label in labels)
    return PublishedIssueError(
        "\n".join(parts) + "\nA published issue does not change silently: nothing was built or written. "
        "Undo the change, or issue a correction, which rebuilds the issue with a visible notice and keeps "
        f"the published version:\n{how}")


def check(data: Dataset, views: Iterable[PeriodData], notebook: str, doing: str = "this build") -> None:
    """Refuse (PublishedIssueError, exit 2) when the report of any of `views`, built with
    `notebook`, would differ from its published version, unless a pending correction covers
    exactly the data as it is now."""
    if not records.labels(data.root):
        return
    parts, refused = [], []
    for view in views:
        record = records.read(data.root, view.period.label)
        if record is None or not record.published or record.notebook != Path(notebook).name:
            continue
        pending = record.pending
        if content_key(current(data, view, record.latest)) == record.latest.content_key or (
                pending is not None and content_key(current(data, view, pending)) == pending.content_key):
            continue
        parts.append(describe(data, view, record, doing))
        refused.append(record.issue)
    if parts:
        raise _refusal(parts, refused)


def check_tasks(data: Dataset, tasks) -> None:
    """`check` for the periods of a batch (reportlib.batch.plan.Task), before any is built."""
    published = set(records.labels(data.root))
    by_notebook: dict[str, list[PeriodData]] = {}
    for task in tasks:
        if task.label in published:
            by_notebook.setdefault(Path(task.notebook).name, []).append(data.select(task.period, task.trend_weeks))
    for notebook, views in by_notebook.items():
        check(data, views, notebook)


def published_views(data: Dataset) -> list[tuple[records.Record, PeriodData]]:
    """Each published issue's period, as its report reads the data now."""
    out = []
    for label in records.labels(data.root):
        record = records.read(data.root, label)
        if record is None or not record.published:
            continue
        weeks = record.latest.content["period"]["trend_weeks"]
        period = Period(parse_date(record.start), parse_date(record.end))
        out.append((record, data.select(period, weeks)))
    return out


def check_all(data: Dataset, doing: str) -> None:
    """Refuse when any published issue would change (an import can touch any period)."""
    by_notebook: dict[str, list[PeriodData]] = {}
    for record, view in published_views(data):
        by_notebook.setdefault(record.notebook, []).append(view)
    for notebook, views in by_notebook.items():
        check(data, views, notebook, doing)


# -- imports ---------------------------------------------------------------------------------

def _snapshot(root: Path) -> dict[Path, bytes | None]:
    """The data files an import may write (depth two, the publication records aside), and
    the folders (as None), so that a folder an import made goes too."""
    files: dict[Path, bytes | None] = {}
    folders = [d for d in root.iterdir() if d.is_dir() and not d.is_symlink() and d.name != records.RECORDS_DIR
               and not d.name.startswith(".")]
    for path in [*root.iterdir(), *(p for d in folders for p in d.iterdir())]:
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            files[path] = read_file(path, str(path.relative_to(root.parent)), root)
    return files | dict.fromkeys(folders)


@contextlib.contextmanager
def guard_import(data_root: str | Path, today=None):
    """Around an import: afterwards, if the data would change a published issue, put every
    file back as it was and refuse (PublishedIssueError), so that the import changes nothing.
    A data folder with no publication records is left to the import alone."""
    root = Path(data_root).resolve()
    if not records.labels(root):
        yield
        return
    before = _snapshot(root)
    try:
        yield
        check_all(load(root, today), "this import")
    except BaseException:
        _restore(root, before)
        raise


def _restore(root: Path, before: dict[Path, bytes | None]) -> None:
    after = _snapshot(root)
    for path, data in before.items():
        if data is not None and after.get(path) != data:
            write_file(path, data, str(path.relative_to(root.parent)), root)
    added = after.keys() - before.keys()
    for path in added:
        if after[path] is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    for path in added:
        if after[path] is None:
            with contextlib.suppress(OSError):  # a folder the import made, unless something else is in it
                path.rmdir()


__all__ = ["check", "check_all", "content", "content_key", "differences", "guard_import"]
