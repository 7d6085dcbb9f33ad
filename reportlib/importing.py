"""`reportlib import NAME`: importers are click commands found through the entry-point group
`reportlib.importers`. The two that ship (acled, owid) register there too, in pyproject.toml;
another package adds its own the same way:

    # monitor_extras/tallies.py
    import click
    from reportlib.importing import importer

    @importer
    @click.option("--sheet", default="tallies")
    def tallies(file, data, out, allow_changes, sheet):
        \"\"\"Import our field tallies into indicators.

        Example:
          reportlib import tallies tallies.csv
        \"\"\"
        ...                                  # write rows; return an ImportReport

    # pyproject.toml
    [project.entry-points."reportlib.importers"]
    tallies = "monitor_extras.tallies:tallies"

`importer` gives the command what every import takes (the FILE argument, --data, --out,
--allow-changes), refuses a change to a published issue around it (the data is put back),
and prints the ImportReport the function returns, with paths as the user gave them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from .batch.guard import guard_import
from .clitypes import CONTEXT, DATE, DATES, warn_old
from .errors import UsageError
from .files import separate_folders
from .inputs.importers.acled import import_acled
from .inputs.importers.owid import import_owid


def importer(function: Callable) -> click.Command:
    """Make `function(file, data, out, allow_changes, **options) -> ImportReport` the command
    `reportlib import NAME` (its docstring is the help; click options above it add more)."""

    @functools.wraps(function)
    def command(file, data, out, allow_changes, **options):
        given = Path(data)
        separate_folders({"--data": data, "--out": out})
        with guard_import(given):
            report = function(Path(file), given, Path(out), allow_changes, **options)
        _print(report, given)

    command = click.option("--allow-changes", is_flag=True,
                           help="Write even if the import changes periods already built under --out.")(command)
    command = click.option("--out", default="outputs", show_default=True, type=click.Path(file_okay=False),
                           help="The outputs folder: an import that would change a built report is refused.")(command)
    command = click.option("--data", default="data", show_default=True, type=click.Path(file_okay=False),
                           help="The data folder.")(command)
    command = click.argument("file", type=click.Path(exists=True, dir_okay=False))(command)
    name = function.__name__.replace("_", "-")
    return click.command(name=name, context_settings=CONTEXT)(command)


def _print(report, data: Path) -> None:
    """The import's lines, its target written under the data folder as the user named it."""
    root = data.resolve()
    if report.target.is_relative_to(root):
        report.target = data / report.target.relative_to(root)
    for line in report.warnings:
        click.echo(line, err=True)
    for line in report.lines():
        click.echo(line)


@importer
@click.option("--type-map", "type_map", multiple=True, metavar="'SUB EVENT=TYPE'",
              help="Map an ACLED sub-event type to an incident type, or to 'skip' (before the type tables).")
def acled(file, data, out, allow_changes, type_map):
    """Import an ACLED export (any version: columns matched by name) into incidents.

    \b
    Example:
      reportlib import acled acled_iraq_2020.csv
      reportlib import acled export.csv --type-map 'Peaceful protest=skip'
      reportlib import acled export.csv --allow-changes
    Types map through data/acled-types.csv (if any), then the shipped table
    reportlib/inputs/reference/acled_types.csv; a sub-event type they leave without an
    incident type is an error to fix, never dropped silently. A row that repeats an event
    already in the data is written with duplicate_of and counted once.
    """
    mapping = {}
    for item in type_map:
        if "=" not in item:
            raise UsageError(f"--type-map {item!r} must be 'SUB EVENT=TYPE'")
        sub, target = item.rsplit("=", 1)
        mapping[sub] = target.strip()
    return import_acled(file, data, mapping, out_root=out, allow_changes=allow_changes)


@importer
@click.option("--country", required=True, help="Country name or ISO code as OWID writes it.")
@click.option("--from", "first", type=DATE, metavar="DATE", help=f"Only days from DATE on ({DATES}).")
@click.option("--to", "last", type=DATE, metavar="DATE", help=f"Only days up to DATE ({DATES}).")
@click.option("--since", type=DATE, hidden=True, callback=warn_old("--since", "--from"))
@click.option("--until", type=DATE, hidden=True, callback=warn_old("--until", "--to"))
def owid(file, data, out, allow_changes, country, first, last, since, until):
    """Import Our World in Data's COVID-19 CSV for one country into indicators.

    \b
    Example:
      reportlib import owid owid-covid-data.csv --country Iraq --from 2020-09-01
      reportlib import owid owid-covid-data.csv --country Iraq --allow-changes
    Imports total and new cases, deaths, tests and the 7-day average of new cases.
    """
    return import_owid(file, data, country, first or since, last or until, out_root=out,
                       allow_changes=allow_changes)
