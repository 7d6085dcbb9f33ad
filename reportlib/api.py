"""reportlib's public Python surface: what each command does, as a function. The command
line (reportlib.cli) is a thin layer over these; a scheduler, a notebook or another tool
calls them the same way and gets the same files, checks and errors.

Every function takes dates as `datetime.date` or YYYY-MM-DD text (read once, here) and
folders as paths or text, kept as given. Errors are exceptions whose `exit_code` is the
command's exit status: DataError and UsageError 2, BuildError and NotebookExecutionError 1,
EnvironmentProblem 3.

This module sits at the command line's floor: it may import publishing and the batch. Its
build functions are light to import (the quick up-to-date check needs no pandas); the other
functions import their machinery when called, each lazy import commented with its cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .batch.api import build, build_range
from .batch.options import BuildOptions
from .batch.results import Batch, BatchFailed, Built
from .errors import UsageError
from .files import separate_folders
from .inputs.periods import as_date
from .reports import shipped

if TYPE_CHECKING:  # for the annotations only: importing them costs what load() says
    from .inputs.dataset import Dataset
    from .publishing.mail import Outcome

Log = Callable[[str], None]


def _quiet(line: str) -> None:
    pass


def load(data: str | Path = "data") -> Dataset:
    """Load and validate a data folder: a reportlib.inputs.dataset.Dataset, or DataError
    listing every problem (file, line, column, reason).

        >>> data = reportlib.load("data")
        >>> period = data.latest_period()
        >>> str(period)
        '2020-11-19 to 2020-12-03'
        >>> view = data.select(period)          # the rows the period's report reads
    """
    # Lazy: pandas and the loader, 1.4 s (python -X importtime, min of 3, 2026-12-04 on 2 cores at load 12),
    # which `reportlib build` does without when the report is up to date.
    from .inputs.dataset import load as load_folder

    return load_folder(data)


def validate(data: str | Path = "data", log: Log = _quiet) -> Dataset:
    """Check every file of the data folder as `reportlib validate` does: the loaded Dataset,
    its warnings (and weeks whose published averages disagree with their daily series) sent
    to `log`; DataError, listing every problem, when the data is bad.

        >>> data = reportlib.validate("data", log=print)
        >>> len(data.issues)
        2
    """
    from .batch.work import print_warnings  # lazy: with the loader, see load()
    from .inputs.validation import validate_all
    from .publishing.settings import load_checked  # the publish: and mail: settings, the recipients

    # Every problem, and which periods they stop: a half-filled week stops only its own build.
    dataset = load_checked(data, lambda folder: validate_all(folder, log))
    print_warnings(dataset, log)
    return dataset


def new_period(period_end: str | dt.date, *, start: str | dt.date | None = None,
               data: str | Path = "data") -> list[str]:
    """Scaffold the files of a new period ending on `period_end` (from the end of the latest
    issue, or `start`) and return the lines that say what to fill in. Never overwrites a file.

        >>> for line in reportlib.new_period("2020-12-10", data="data"):
        ...     print(line)
        Created the files of the period 2020-12-03 to 2020-12-10:
        ...
    """
    end = as_date(period_end, "--period-end")
    first = as_date(start, "--start") if start else None
    from .inputs.scaffold import scaffold  # lazy: loads the data (pandas), see load()

    return scaffold(Path(data), end, first)


def demo_data(data: str | Path, weeks: int, *, incidents_per_week: int = 40, seed: int = 1,
              period_end: str | dt.date | None = None) -> dict:
    """Write a complete, valid data folder of SYNTHETIC data into the new folder `data`;
    return counts (weeks, incidents, indicators, first and last day).

        >>> reportlib.demo_data("/tmp/demo", 52)["weeks"]
        52
    """
    from .inputs import demo  # lazy: numpy and pandas, see load()

    end = as_date(period_end, "--period-end") if period_end else demo.DEFAULT_END
    return demo.write_demo(Path(data), weeks, incidents_per_week, seed, end)


def publish(period_end: str | dt.date | None = None, *, data: str | Path = "data", out: str | Path = "outputs",
            site: str | Path = "site", notebook: str | Path | None = None, date: str | dt.date | None = None,
            rebuild_site: bool = False) -> list[str]:
    """Publish the built, up-to-date report of the declared issue ending on `period_end` as
    its version 1 (kept in data/publications/, put on the site), or with `rebuild_site`
    only make the site again from the records. Returns the lines `reportlib publish` prints.

        >>> reportlib.build("2020-12-03")
        >>> reportlib.publishing("2020-12-03", date="2020-12-04")[0]
        '2020-12-03: published version 1 on 2020-12-04'
    """
    # Lazy: publishing loads the data and the build machinery, 3.4 s under the load of load(),
    # for the commands that publish only.
    from .publishing import release

    separate_folders({"--data": data, "--out": out, "--site": site})
    if rebuild_site:
        if period_end or date:
            raise UsageError("--rebuild-site takes no --period-end or --date: it makes the site from the records")
        return release.rebuild_site(data, Path(site))
    if not period_end:
        raise UsageError("give --period-end DATE (the issue to publish), or --rebuild-site")
    end = as_date(period_end, "--period-end")
    day = as_date(date, "--date").isoformat() if date else None
    return release.publish_issue(data, end, Path(out), shipped.resolve(notebook), Path(site), day)


def correct(period_end: str | dt.date, note: str | None = None, *, data: str | Path = "data",
            out: str | Path = "outputs", site: str | Path = "site", notebook: str | Path | None = None,
            date: str | dt.date | None = None, draft: bool = False, withdraw: bool = False,
            log: Log = _quiet) -> list[str]:
    """Correct a published issue after its data changed: rebuild it with a "Corrected on"
    notice saying `note` and publish it as the next version (`draft`: build, do not publish;
    `withdraw`: drop a pending correction). Returns the lines `reportlib correct` prints.

        >>> reportlib.correct("2020-12-03", "The Kut clash killed three, not two.")[0]
        '2020-12-03: published version 2, corrected on ...: The Kut clash killed three, not two.'
    """
    from .publishing import release  # lazy: see publish()

    end = as_date(period_end, "--period-end")
    separate_folders({"--data": data, "--out": out, "--site": site})
    if withdraw:
        if note or draft:
            raise UsageError("--withdraw takes no --note or --draft")
        return release.withdraw_correction(data, end)
    if not note:
        raise UsageError('give --note "what was corrected and why"')
    day = as_date(date, "--date").isoformat() if date else None
    return release.correct_issue(data, end, note, Path(out), shipped.resolve(notebook), Path(site), day, draft,
                                 log=log)


def send(period_end: str | dt.date, *, data: str | Path = "data", out: str | Path = "outputs",
         recipients: str | Path | None = None, dry_run: bool = False, eml: str | Path | None = None,
         resend_unknown: tuple[str, ...] | list[str] = (), log: Log = _quiet) -> Outcome:
    """Mail the latest published version of an issue to everyone on the list who does not
    have it yet (a reportlib.publishing.mail.Outcome: delivered, already, failed). `dry_run`
    writes the messages as .eml files instead, to `eml` (default:
    OUT/mail/<period-end>-v<version>/), and sends nothing.

        >>> outcome = reportlib.send("2020-12-03", dry_run=True)
        >>> outcome.written[0].name
        '001-...eml'
    """
    from .inputs import records  # lazy, with mail below: see publish()
    from .publishing import mail

    if eml and not dry_run:
        raise UsageError("--eml is for --dry-run")
    label = as_date(period_end, "--period-end").isoformat()
    target = None
    if dry_run:
        record = records.read(Path(data).resolve(), label)
        version = record.latest.number if record and record.published else 0
        target = Path(eml) if eml else Path(out) / "mail" / f"{label}-v{version}"
        separate_folders({"--data": data, "--eml": target})
    return mail.send_issue(data, label, str(recipients) if recipients else None, target, log=log,
                           resend_unknown=tuple(resend_unknown))


__all__ = ["Batch", "BatchFailed", "BuildOptions", "Built", "build", "build_range", "correct", "demo_data", "load",
           "new_period", "publish", "send", "validate"]
