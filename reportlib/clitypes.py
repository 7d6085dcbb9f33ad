"""What every command of `reportlib` shares: its context settings, the date type that reads a
date once at the command line, and the warning of an old option spelling kept for a release."""

from __future__ import annotations

from collections.abc import Callable

import click

from .errors import UsageError
from .inputs.periods import DATE_RANGE, BadDate, read_date

# The entry-point group `reportlib import NAME` finds importers in (reportlib.importing).
IMPORTERS = "reportlib.importers"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DATES = f"YYYY-MM-DD, {DATE_RANGE}"


class DateParam(click.ParamType):
    """A date option, read once here (inputs.periods.read_date): a datetime.date goes on."""

    name = "date"

    def convert(self, value, param, ctx):
        if value is None or not isinstance(value, str):
            return value
        try:
            return read_date(value.strip())
        except BadDate as exc:
            option = param.opts[0] if param is not None and param.opts else "date"
            raise UsageError(f"{option} {value.strip()!r}: {exc.reason}") from None


DATE = DateParam()


def warn_old(old: str, new: str) -> Callable:
    """The callback of a hidden old spelling: it still works for this release, and says so."""

    def callback(ctx, param, value):
        if value not in (None, (), False):
            click.echo(f"warning: {old} is the old name of {new}; it goes in the next release", err=True)
        return value

    return callback
