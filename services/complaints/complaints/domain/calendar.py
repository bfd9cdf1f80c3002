"""The working calendar the case's clocks run on (rule P4, rule P10).

A calendar says which days are worked. The clocks count in the business's time zone
(``ComplaintSettings.business_tz``):

- **working days** (rule P4, the investigation's "1 working day"): the start moves on
  day by day, each working day counts one, and the due time keeps the start's clock
  time (Friday 10:00 + 1 working day is Monday 10:00);
- **working hours** (rule P10, the steps' ``<step>_hours``): the clock runs only on
  working days, 24 hours each, and stands still from midnight before a day off to
  midnight after it. DOMAIN.md gives every step "a due time (settings)" and the issue
  asks that the clocks skip the statutory holidays and count the adjusted working
  weekends (调休), which calendar hours cannot do; the seeds give the limits in days
  (seed 000: 调查处理后一日内提出报告, 总经理办公室应于一日内...) and the settings' hours
  are whole days (24, 48, 72, 240, 360), so 24 working hours are one working day.
  A step started on a day off starts counting at the next working day's midnight.
  Not office hours: the seeds name none.

Two calendars: ``WeekdayCalendar`` (Monday to Friday) and ``HolidayCalendar``, fed with
the days off (statutory holidays, 法定节假日) and the adjusted working days (调休上班)
of the years it knows; outside those years it falls back to Monday to Friday. China's
sets come from a maintained package, read outside the domain (``complaints.calendars``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

DAY = timedelta(days=1)
MAX_DAYS_OFF = 366  # a calendar without a working day in a year is a mistake, not a wait


class NoWorkingDay(ValueError):
    """The calendar has no working day for a year: no clock could ever run out."""


class WorkingCalendar(Protocol):
    """Which days are worked, and the clocks that run on them (times in ``tz``)."""

    name: str

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: datetime, days: int, tz: tzinfo = UTC) -> datetime: ...

    def add_working_time(
        self, start: datetime, duration: timedelta, tz: tzinfo = UTC
    ) -> datetime: ...

    def working_time(self, start: datetime, end: datetime, tz: tzinfo = UTC) -> timedelta: ...


class _Clocks:
    """The clocks of any calendar that answers ``is_working_day``."""

    def is_working_day(self, day: date) -> bool:  # pragma: no cover - each calendar's own
        raise NotImplementedError

    def _next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        for _ in range(MAX_DAYS_OFF):
            day += DAY
            if self.is_working_day(day):
                return day
        raise NoWorkingDay(f"no working day in the {MAX_DAYS_OFF} days after {day}")

    def add_working_days(self, start: datetime, days: int, tz: tzinfo = UTC) -> datetime:
        """rule P4: ``start`` moved on by ``days`` working days (of the calendar in
        ``tz``), at the same clock time; zero or fewer days leave it as it is."""
        local = start.astimezone(tz)
        day = local.date()
        for _ in range(days):
            day = self._next_working_day(day)
        moved = datetime.combine(day, local.timetz())
        return moved.astimezone(start.tzinfo)

    def add_working_time(self, start: datetime, duration: timedelta, tz: tzinfo = UTC) -> datetime:
        """rule P10: when ``duration`` of working time has run from ``start``; the clock
        stands still on the days off (midnight to midnight in ``tz``)."""
        if duration <= timedelta(0):
            return start
        local = start.astimezone(tz)
        day, left = local.date(), duration
        if not self.is_working_day(day):
            day = self._next_working_day(day)
            local = _midnight(day, tz)
        while True:
            day_end = _midnight(day + DAY, tz)
            if left <= day_end - local:
                return (local + left).astimezone(start.tzinfo)
            left -= day_end - local
            day = self._next_working_day(day)
            local = _midnight(day, tz)

    def working_time(self, start: datetime, end: datetime, tz: tzinfo = UTC) -> timedelta:
        """rule P10: the working time from ``start`` to ``end`` (none when ``end`` is not
        later)."""
        total = timedelta(0)
        local, end = start.astimezone(tz), end.astimezone(tz)
        while local < end:
            day_end = _midnight(local.date() + DAY, tz)
            if self.is_working_day(local.date()):
                total += min(day_end, end) - local
            local = day_end
        return total


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


@dataclass(frozen=True)
class WeekdayCalendar(_Clocks):
    """Monday to Friday are worked; no holidays."""

    name: str = "weekdays"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


@dataclass(frozen=True)
class HolidayCalendar(_Clocks):
    """Monday to Friday, less ``holidays``, plus ``workdays`` (weekend days worked in
    exchange, 调休), for the ``years`` the sets are known for; other years: Monday to Friday.

    ``holidays`` may hold weekend days too (a holiday week's Saturday and Sunday): they
    are off either way."""

    years: range
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    name: str = "holidays"
    source: str = ""  # where the sets came from (package and version), for the logs

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"days both off and worked: {sorted(both)}")
        given = (*self.holidays, *self.workdays)
        outside = {d for d in given if d.year not in self.years}
        if outside:
            raise ValueError(f"days outside the years {self.years}: {sorted(outside)}")

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


WEEKDAYS = WeekdayCalendar()
