"""The working calendars by name (``COMPLAINTS_CALENDAR``, rule P10), built outside the
pure domain.

``china``: Monday to Friday, less China's statutory holidays, plus the weekend days
worked in exchange (调休), as the ``chinesecalendar`` package lists them for the years it
knows (its data follows the State Council's yearly notice). Beyond its last year the
calendar counts Monday to Friday, and the service says so once, with a WARNING naming
the first year it does not know, when that year is this year or the next (a clock
started now can run into it). ``weekdays``: Monday to Friday.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta, timezone
from functools import cache

import chinese_calendar

from complaints.domain import WEEKDAYS, ComplaintSettings, HolidayCalendar, WorkingCalendar
from servicekit.domain import utcnow

log = logging.getLogger(__name__)

PACKAGE = f"chinesecalendar {chinese_calendar.__version__}"
BEIJING = timezone(timedelta(hours=8))  # the date the package's days are in


def china_calendar() -> HolidayCalendar:
    """China's working days from the ``chinesecalendar`` package (rule P4, rule P10)."""
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = [day.year for day in holidays | workdays]
    return HolidayCalendar(
        holidays=holidays,
        workdays=workdays,
        years=range(min(years), max(years) + 1),
        name="china",
        source=PACKAGE,
    )


def warn_beyond(calendar: HolidayCalendar, today: date) -> int | None:
    """The first year ``calendar`` does not know, logged as a WARNING when it is
    ``today``'s year or the next; None (and no warning) otherwise."""
    first_unknown = calendar.years.stop if calendar.years else today.year
    if first_unknown > today.year + 1:
        return None
    log.warning(
        "%s knows China's holidays and adjusted working days up to %s; from %s on the "
        "due times count Monday to Friday (update the package once %s's are published)",
        calendar.source or calendar.name,
        first_unknown - 1,
        first_unknown,
        first_unknown,
        extra={"calendar": calendar.name, "first_unknown_year": first_unknown},
    )
    return first_unknown


@cache
def calendar_named(name: str) -> WorkingCalendar:
    """The calendar ``COMPLAINTS_CALENDAR`` names; built (and warned about) once per
    process."""
    if name == "weekdays":
        return WEEKDAYS
    if name == "china":
        calendar = china_calendar()
        warn_beyond(calendar, utcnow().astimezone(BEIJING).date())
        return calendar
    raise ValueError(f"no working calendar named {name!r}")


def with_calendar(settings: ComplaintSettings) -> ComplaintSettings:
    """``settings`` whose clocks run on the calendar their ``calendar`` names."""
    return replace(settings, working_calendar=calendar_named(settings.calendar))
