"""Periods of the monitor: parsing dates strictly, weekly cadence, the data window a report
reads, and the monitor's way of writing date spans."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import UsageError

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# ASCII digits only (\d would let Arabic-Indic digits through to a misleading message).
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# The days reportlib works with, in data and on the command line alike. Every date the
# code derives from them (a trend window two years back, a week after the last) stays
# within what pandas can hold (1677 to 2262) and what Python can (years 1 to 9999).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
DATE_RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

NOT_A_DATE = "not a date in YYYY-MM-DD form (for example 2020-12-03)"
NO_SUCH_DAY = "impossible date: no such day in the calendar"
OUT_OF_RANGE = f"outside the dates reportlib supports, {DATE_RANGE}"


class BadDate(ValueError):
    """Text that is not a date reportlib accepts; `reason` says why, in words for a user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_date(text: str) -> dt.date:
    """The one reading of a date, for every file and option: YYYY-MM-DD in ASCII digits, a
    real day, within FIRST_DAY and LAST_DAY. Raises BadDate.

    >>> read_date("2020-12-03")
    datetime.date(2020, 12, 3)
    >>> read_date("0001-01-01")
    Traceback (most recent call last):
    reportlib.inputs.periods.BadDate: outside the dates reportlib supports, 1900-01-01 to 2199-12-31
    """
    if not _ISO_DATE.match(text):
        raise BadDate(NOT_A_DATE)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadDate(NO_SUCH_DAY) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadDate(OUT_OF_RANGE)
    return day


def parse_date(text: str, what: str = "date") -> dt.date:
    """`read_date` for an option or parameter: a UsageError (exit status 2) naming it."""
    text = str(text).strip()
    try:
        return read_date(text)
    except BadDate as exc:
        raise UsageError(f"{what} {text!r}: {exc.reason}") from None


def as_date(value: str | dt.date, what: str = "date") -> dt.date:
    """A date given to the command line or the public API, read once there: a date stays as
    it is, text is read by `parse_date` (a UsageError naming `what`)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if not FIRST_DAY <= value <= LAST_DAY:
            raise UsageError(f"{what} {value.isoformat()}: {OUT_OF_RANGE}")
        return value
    return parse_date(str(value), what)


@dataclass(frozen=True, order=True)
class Period:
    """Inclusive span of days covered by one issue. The label (the end date) names its
    output folder, so it is always an ISO date and can never climb out of outputs/."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise UsageError(f"period end {self.end} is before its start {self.start}")
        if self.start < FIRST_DAY or self.end > LAST_DAY:
            # A week ending on the first supported day starts before it.
            raise UsageError(f"the period {self} reaches outside the dates reportlib supports, {DATE_RANGE}")

    @property
    def label(self) -> str:
        return self.end.isoformat()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        """Whether a dated narrative event belongs to the period (both ends included)."""
        return self.start <= day <= self.end

    def counts(self, day: dt.date) -> bool:
        """Whether a figure reported on `day` counts in this period. Consecutive issues share
        their boundary day (Thursday to Thursday), so the start day's figures belong to the
        issue before; a one-day period keeps its day."""
        return self.start < day <= self.end or day == self.start == self.end

    def window_start(self, trend_weeks: int) -> dt.date:
        """First day of the data a report reads: the period plus `trend_weeks` weeks before
        it. The planner hashes exactly this window, so both must use this one function."""
        return self.start - dt.timedelta(weeks=trend_weeks)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def weekday_number(name: str) -> int:
    try:
        return WEEKDAYS.index(name.strip().lower())
    except ValueError:
        raise UsageError(f"weekday {name!r} is not one of {', '.join(WEEKDAYS)}") from None


def week_ending(end: dt.date) -> Period:
    """The monitor's week runs Thursday to Thursday: both ends are in the period."""
    return Period(end - dt.timedelta(days=7), end)


def weeks_ending_between(first: dt.date, last: dt.date, weekday: int) -> list[Period]:
    """Weekly periods whose end falls on `weekday` within [first, last]."""
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    periods = []
    while day <= last:
        periods.append(week_ending(day))
        day += dt.timedelta(days=7)
    return periods


# The monitor's one date style, the one its sources' prose is written in: "December 3",
# "November 21 – December 3", "December 3, 2020"; on a chart's axis, where room is short,
# the month abbreviated in the same order ("Dec 3"). Every date the report prints comes
# from these functions.

def format_day(day: dt.date, with_year: bool = False) -> str:
    """'December 3', or 'December 3, 2020'."""
    text = f"{day:%B} {day.day}"
    return f"{text}, {day.year}" if with_year else text


def format_span(start: dt.date, end: dt.date, with_year: bool = False) -> str:
    """'November 21 – December 3', 'November 20 – 30', a single 'November 29'.
    The year is written only when the span crosses one or when asked."""
    if start == end:
        return format_day(start, with_year)
    if start.year != end.year:
        return f"{format_day(start, True)} – {format_day(end, True)}"
    if start.month == end.month:
        text = f"{start:%B} {start.day} – {end.day}"
    else:
        text = f"{format_day(start)} – {format_day(end)}"
    return f"{text}, {end.year}" if with_year else text


def format_long(period: Period) -> str:
    """Title-block form, with the year: 'November 19 – December 3, 2020'."""
    return format_span(period.start, period.end, with_year=True)


def short_day(day: dt.date) -> str:
    """'Nov 19': a chart's axis label (format_day elsewhere)."""
    return f"{day:%b} {day.day}"
