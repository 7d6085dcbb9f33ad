"""Scaffold the files of a new period (see `reportlib new-period`): the issue's narrative with
every section and an empty headline, an incidents sheet with its header, and the indicators
to fill, dated the period's end. Nothing is overwritten.

A fresh scaffold does not validate, by design: an empty headline and a sheet with only its
header are errors, so `reportlib validate` lists exactly what is left to fill and nothing
half-done is published by accident.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from ..errors import DataError, UsageError
from . import reference
from .datafolder import DataFolder, write_file
from .dataset import Dataset, by_period, load, load_without
from .issues import ISSUES_DIR
from .monitor import Monitor
from .periods import WEEKDAYS, BadDate, Period, format_day, format_long, format_span, read_date
from .schema import INCIDENTS, INDICATORS
from .textrules import neutralise_formula

DEFAULT_DATA = Path("data")


def scaffold(data_dir: Path, end: dt.date, start: dt.date | None = None) -> list[str]:
    """Create the new period's three files in `data_dir` and return the lines that tell the
    analyst what was created and what to fill. The data folder must be valid (DataError
    otherwise); a period that exists or overlaps a declared one is refused (UsageError)."""
    data_dir = Path(data_dir)
    issue_file = data_dir / ISSUES_DIR / f"{end.isoformat()}.yaml"
    if issue_file.exists():
        # Checked before loading: a scaffold not yet filled in does not validate, and running
        # the command twice must say so plainly rather than list what is left to fill.
        raise UsageError(f"{issue_file} already exists: the data has a period ending on {end.isoformat()}; "
                         "edit its files, or give another --period-end")
    data, unfinished = _load_allowing_unfinished(data_dir)
    period = _new_period(data, data_dir, end, start, unfinished)
    label = period.end.isoformat()
    files = {
        data_dir / ISSUES_DIR / f"{label}.yaml": issue_text(data.monitor, period).encode("utf-8"),
        data_dir / INCIDENTS.name / f"{label}.csv": _csv(INCIDENTS.names, []),
        data_dir / INDICATORS.name / f"{label}.csv": _csv(INDICATORS.names, [
            {"date": label, "indicator": name} for name in reference.indicators()]),
    }
    existing = [path for path in files if path.exists()]
    if existing:
        raise UsageError(f"{', '.join(map(str, existing))} already exist{'s' if len(existing) == 1 else ''}; "
                         "new-period never overwrites a file: move it out of the data folder, or give "
                         "another --period-end")
    _create(files, data.root)
    return _instructions(data, data_dir, period, list(files)) + _unfinished_notes(unfinished, period)


def _load_allowing_unfinished(data_dir: Path) -> tuple[Dataset, dict[str, tuple[Period | None, int]]]:
    """The data, and the issues whose own files are not complete yet (label -> (period as
    its file gives it, if it does; number of problems)). A new week may be scaffolded while
    another is being filled in: each issue's files are its own. A problem anywhere else
    (monitor.yaml, sources.csv, a shared sheet) is refused as `validate` lists it."""
    try:
        return load(data_dir), {}
    except DataError as exc:
        folder = DataFolder(Path(data_dir).resolve())
        aside = by_period(folder, exc.problems)
        if not aside:
            raise
        data = load_without(folder, dt.date.today(), aside)
        return data, {label: (_declared_period(folder, label), len(found)) for label, found in aside.items()}


def _is_day(text: str) -> bool:
    try:
        read_date(text)
    except BadDate:
        return False
    return True


def _declared_period(folder: DataFolder, label: str) -> Period | None:
    found = folder.read_mapping(folder.root / ISSUES_DIR / f"{label}.yaml", [])
    try:
        return Period(read_date(str(found.get("period_start"))), read_date(label))
    except (AttributeError, BadDate, UsageError):
        return None


def _unfinished_notes(unfinished: dict[str, tuple[Period | None, int]], period: Period) -> list[str]:
    lines = []
    for label, (_, n) in sorted(unfinished.items()):
        later = (f", and those of the issues after it whose charts read it ({period.label} among them)"
                 if label < period.label else "")
        lines.append(f"Note: the issue ending on {label} is not complete yet ({n} problem{'s' if n != 1 else ''} "
                     f"in its own files; `reportlib validate` lists them). The new period was allowed: each "
                     f"issue's files are its own, and those problems stop only the build of {label}{later}; "
                     "the other issues build as they are.")
    return lines


def _new_period(data: Dataset, data_dir: Path, end: dt.date, start: dt.date | None,
                unfinished: dict[str, tuple[Period | None, int]]) -> Period:
    issues = {issue.period.end: issue for issue in data.issues}
    if end in issues:
        raise UsageError(f"a period ending on {end.isoformat()} already exists ({issues[end].file}); "
                         "edit that file, or give another --period-end")
    # An unfinished issue's period, as far as its file gives it (else its last day alone).
    others = [(issue.file, issue.period) for issue in data.issues] + [
        (f"issues/{label}.yaml", found or Period(read_date(label), read_date(label)))
        for label, (found, _) in unfinished.items() if found or _is_day(label)]
    others.sort(key=lambda item: item[1].end)
    if start is None:
        # Consecutive issues share their boundary day (Thursday to Thursday).
        earlier = [p for _, p in others if p.end < end]
        start = earlier[-1].end if earlier else end - dt.timedelta(days=7)
    if start > end:
        raise UsageError(f"--start {start.isoformat()} is after --period-end {end.isoformat()}")
    period = Period(start, end)
    for file, other in others:
        if period.start < other.end and other.start < period.end:
            latest = others[-1][1]
            raise UsageError(
                f"the period {period} would overlap the issue {other} ({file}); issues may share "
                f"only their boundary day. The latest issue ends on {latest.end.isoformat()}: "
                f"give a --period-end after it (its --start defaults to {latest.end.isoformat()})")
    return period


def _csv(names: list[str], rows: list[dict]) -> bytes:
    """A sheet as the project writes CSV: UTF-8, \\n line ends, no text a spreadsheet runs."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: neutralise_formula(str(row.get(name, ""))) for name in names})
    return buffer.getvalue().encode("utf-8")


def _create(files: dict[Path, bytes], root: Path) -> None:
    """Create every file or none, each whole and only inside the data folder `root` (see
    datafolder.write_file): exclusive creation, so an existing file is never replaced, and
    the files already made are removed if a later one cannot be written."""
    created: list[Path] = []
    try:
        for path, content in files.items():
            created.append(write_file(path, content, str(path), root, replace=False))
    except DataError:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    except OSError as exc:
        for path in created:
            path.unlink(missing_ok=True)
        reason = "it already exists" if isinstance(exc, FileExistsError) else exc.strerror
        raise UsageError(f"cannot create {exc.filename or path}: {reason}; nothing was written") from None


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _key(value: str) -> str:
    """A section id as a YAML key: bare when it is a plain word, else a quoted string."""
    return value if _PLAIN_KEY.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _comment(value: str) -> str:
    return " ".join(str(value).split())


def issue_text(monitor: Monitor, period: Period) -> str:
    """The issue file of a new period: every section with an empty headline and no events,
    and a commented example of an event to copy."""
    first = min(period.start + dt.timedelta(days=1), period.end)
    label = period.end.isoformat()
    lines = [
        f"# {_comment(monitor.name)}, {format_long(period)}.",
        "# Each section's headline and events, in the monitor's words and order. An event's text is",
        f'# what follows "On {format_day(first)}, " in the issue (the report writes that from `date`, or',
        '# "Between ... – ..., " with `end_date`); an item without `date:` follows the one before it.',
        f"# An event lists the rows of incidents/{label}.csv and indicators/{label}.csv whose figures",
        "# it states (`incidents:`, `indicators:`); data/README.md describes every key.",
        f"period_start: {period.start.isoformat()}",
        f"period_end: {label}",
        "reference:  # the week's document: add a row for it to sources.csv, write its reference here",
        "sections:",
    ]
    for section in monitor.sections:
        lines += [
            f"  {_key(section.id)}:  # {_comment(section.title)}",
            '    headline: ""  # one line; a long one as >- with the text indented on the lines below',
            "    events: []",
            "    # Replace [] with the section's events, one entry each, for example:",
            "    # events:",
            f"    #   - date: {first.isoformat()}",
            f'    #     end_date: {label}  # only for a span: "Between {format_span(first, period.end)}, "',
            f"    #     incidents: [ID-OF-THE-ROW]  # only if it states figures: the ids of their rows in "
            f"incidents/{label}.csv",
            "    #     text: >-",
            f'    #       the words that follow "On {format_day(first)}, " in the issue.',
        ]
    return "\n".join(lines) + "\n"


def _instructions(data: Dataset, data_dir: Path, period: Period, files: list[Path]) -> list[str]:
    issue, incidents, indicators = (str(path) for path in files)
    label = period.end.isoformat()
    sections = ", ".join(section.id for section in data.monitor.sections)
    count = len(reference.indicators())
    width = max(map(len, (issue, incidents, indicators)))
    data_option = "" if data_dir == DEFAULT_DATA else f" --data {data_dir}"
    lines = [
        f"Created the files of the period {period}:",
        f"  {issue:<{width}}  the narrative: {len(data.monitor.sections)} sections, empty headlines, no events",
        f"  {incidents:<{width}}  the incidents sheet: its header, no rows yet",
        f"  {indicators:<{width}}  {count} indicators dated {label}, values empty",
        "Fill in:",
        f"  1. {issue}: the headline of every section ({sections}) and each section's events "
        "(date, text). An event that states figures lists their rows (incidents: ids; indicators: "
        "name@date).",
        f"  2. {incidents}: one row per incident, or per total the source gives over a span "
        "(event_id_cnty, event_date, end_date, incident_type, admin1, incidents, fatalities, wounded, "
        "source, reference); leave a count empty when it is not reported, set fatalities_min or "
        "wounded_min for 'at least', casualty_group militants for militants killed in operations, and "
        "name in inferred what you inferred (admin1 for a governorate placed from a town). Delete the "
        "file if there is nothing to report.",
        f"  3. {indicators}: value, source and reference of each figure the source gives; delete the "
        "rows with no figure.",
        f"  4. {data_dir / 'sources.csv'}: a row for the week's document (reference, title, publisher, "
        f"published, url); write its reference in `reference:` of {issue} and in the reference "
        "column of both sheets.",
        "Then:",
        f"  reportlib validate{data_option}    (lists what is left to fill; repeat until it says OK)",
        f"  reportlib build --period-end {label}{data_option}",
    ]
    weekday = WEEKDAYS[data.monitor.weekday]
    if period.end.weekday() != data.monitor.weekday:
        lines.append(f"Note: {label} is a {WEEKDAYS[period.end.weekday()].capitalize()}; this monitor's "
                     f"issues end on a {weekday.capitalize()} (period_weekday in monitor.yaml).")
    if period.days != 8:
        lines.append(f"Note: the period is {period.days} days long, both ends included (a week from one issue "
                     "day to the next is 8); give --start for another first day.")
    if period.end > dt.date.today():
        lines.append(f"Note: {label} is in the future; figures and events dated after today do not "
                     "validate until their day has come.")
    return lines
