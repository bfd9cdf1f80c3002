"""China's working calendar (complaints.calendars, from the chinesecalendar package) and
the setting that names it, COMPLAINTS_CALENDAR (issue 12.4).

The dates below are what the package lists for 2026, and the first test checks that it
still does: the Spring Festival off from Sunday 15 to Monday 23 February, Saturday 14 and
Saturday 28 February worked in exchange (调休); National Day off from Thursday 1 to
Wednesday 7 October, Sunday 20 September and Saturday 10 October worked; the Mid-Autumn
Festival off from Friday 25 to Sunday 27 September. Times are Beijing's (UTC+8)."""

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from complaints import calendars
from complaints.calendars import (
    PACKAGE,
    calendar_named,
    china_calendar,
    warn_beyond,
    with_calendar,
)
from complaints.domain import WEEKDAYS, ComplaintSettings, HolidayCalendar
from complaints.testing import CaseBuilder
from servicekit.config import settings_from

BEIJING = timezone(timedelta(hours=8))
CHINA = china_calendar()
SETTINGS = with_calendar(ComplaintSettings(calendar="china"))
WEEKDAY_SETTINGS = with_calendar(ComplaintSettings(calendar="weekdays"))
LAST_YEAR = max(day.year for day in chinese_calendar.holidays)


def bj(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def days(month: int, first: int, last: int) -> list[date]:
    return [date(2026, month, d) for d in range(first, last + 1)]


# --- what the package says ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("dates", "detail"),
    [
        (days(2, 15, 23), (True, "Spring Festival")),
        ([date(2026, 2, 14), date(2026, 2, 28)], (False, "Spring Festival")),
        (days(9, 25, 27), (True, "Mid-autumn Festival")),
        (days(10, 1, 7), (True, "National Day")),
        ([date(2026, 9, 20), date(2026, 10, 10)], (False, "National Day")),
    ],
)
def test_the_package_lists_the_days_these_tests_count_on(dates, detail):  # rule P10
    assert [chinese_calendar.get_holiday_detail(d) for d in dates] == [detail] * len(dates)


def test_the_calendar_works_the_days_the_package_says_on_every_day_it_knows():  # rule P10
    assert CHINA.years == range(2004, LAST_YEAR + 1) and CHINA.knows(2026)
    day, differ = date(CHINA.years.start, 1, 1), []
    while day.year in CHINA.years:
        if CHINA.is_working_day(day) != chinese_calendar.is_workday(day):
            differ.append(day)
        day += timedelta(days=1)
    assert differ == []
    assert (CHINA.name, CHINA.source) == ("china", PACKAGE)
    assert f"chinesecalendar {chinese_calendar.__version__}" == PACKAGE


# --- the Spring Festival of 2026 ---------------------------------------------------------
def test_the_investigation_of_a_case_accepted_before_the_spring_festival():  # rule P4
    # Friday 13 February: one working day is the Saturday worked in exchange.
    assert SETTINGS.step_due("investigation", bj(2, 13)) == bj(2, 14)
    # That Saturday: the nine days off pass, Tuesday 24 February.
    assert SETTINGS.step_due("investigation", bj(2, 14)) == bj(2, 24)
    # Friday 27 February: the next Saturday is worked too.
    assert SETTINGS.step_due("investigation", bj(2, 27)) == bj(2, 28)
    # Monday to Friday knows no festival: Monday 16 February.
    assert WEEKDAY_SETTINGS.step_due("investigation", bj(2, 13)) == bj(2, 16)


def test_a_case_registered_before_the_spring_festival_is_due_after_it():  # rule P10
    start = bj(2, 14, 10)  # the Saturday worked in exchange, 10:00
    complaint = CaseBuilder(start=start, settings=SETTINGS, ship_date=date(2026, 2, 9)).build()
    # 14 hours of Saturday, then 10 of Tuesday 24 February.
    assert (complaint.current_step, complaint.step_due_at) == ("acceptance", bj(2, 24, 10))
    # Nothing is due during the festival; the reminder at 19.2 working hours.
    assert complaint.due_notices(bj(2, 20), SETTINGS) == []
    assert complaint.due_notices(bj(2, 24, 5, 11), SETTINGS) == []
    assert complaint.next_notice_check(SETTINGS) == bj(2, 24, 5, 12)
    (reminder,) = complaint.due_notices(bj(2, 24, 5, 12), SETTINGS)
    assert (reminder.kind, reminder.step) == ("due_soon", "acceptance")
    assert not complaint.is_overdue(bj(2, 24, 10))
    assert complaint.is_overdue(bj(2, 24, 10, 1))


def test_an_adjusted_working_saturday_counts_on_the_clock():  # rule P10
    # Friday 13 February 18:00: 6 hours of Friday and 18 of the Saturday worked.
    assert SETTINGS.step_due("acceptance", bj(2, 13, 18)) == bj(2, 14, 18)
    # Monday to Friday: the Saturday stands still, Monday 16 February 18:00.
    assert WEEKDAY_SETTINGS.step_due("acceptance", bj(2, 13, 18)) == bj(2, 16, 18)


# --- National Day of 2026 ----------------------------------------------------------------
def test_a_case_registered_before_national_day_is_due_after_it():  # rule P10
    start = bj(9, 30, 17)  # Wednesday 30 September, 17:00
    complaint = CaseBuilder(start=start, settings=SETTINGS).build()
    # 7 hours of Wednesday, then 17 of Thursday 8 October.
    assert complaint.step_due_at == bj(10, 8, 17)
    assert complaint.due_notices(bj(10, 7, 23, 59), SETTINGS) == []
    # Accepted on Thursday 8 October 09:00: quality reports by Friday 9 October 09:00.
    hours = (bj(10, 8, 9) - start) / timedelta(hours=1)
    accepted = CaseBuilder(start=start, settings=SETTINGS).accept(hour=hours).build()
    assert accepted.step_due_at == bj(10, 9, 9)


def test_the_investigation_around_national_day():  # rule P4
    assert SETTINGS.step_due("investigation", bj(9, 30)) == bj(10, 8)
    # Friday 9 October: the Saturday worked in exchange.
    assert SETTINGS.step_due("investigation", bj(10, 9)) == bj(10, 10)
    # Saturday 19 September, a day off: the Sunday worked in exchange.
    assert SETTINGS.step_due("investigation", bj(9, 19)) == bj(9, 20)
    # Thursday 24 September: the Mid-Autumn Festival weekend, then Monday.
    assert SETTINGS.step_due("investigation", bj(9, 24)) == bj(9, 28)


def test_the_longer_steps_wait_out_the_holiday_week():  # rule P10
    # Execution, 240 working hours (10 working days) from Monday 28 September 10:00:
    # 28-30 September, the adjusted Saturday 10 October, and 8-9, 12-16 October.
    assert SETTINGS.step_due("execution", bj(9, 28)) == bj(10, 16)
    assert WEEKDAY_SETTINGS.step_due("execution", bj(9, 28)) == bj(10, 12)


# --- beyond the package's last year ----------------------------------------------------------
def test_beyond_the_packages_last_year_the_calendar_counts_monday_to_friday():  # rule P10
    year = CHINA.years.stop  # the first year the package does not know
    friday = next(bj(1, d, year=year) for d in range(1, 8) if date(year, 1, d).weekday() == 4)
    assert not CHINA.knows(year)
    assert SETTINGS.step_due("investigation", friday) == friday + timedelta(days=3)
    assert SETTINGS.step_due("acceptance", friday) == friday + timedelta(days=3)


def test_the_first_unknown_year_is_named_in_a_warning_when_it_is_near(caplog):  # rule P10
    caplog.set_level(logging.WARNING, logger=calendars.__name__)
    known = HolidayCalendar(
        holidays=frozenset({date(2026, 10, 1)}), years=range(2004, 2027), source=PACKAGE
    )
    assert warn_beyond(known, date(2025, 12, 31)) is None  # 2026 and 2025 are known
    assert caplog.records == []
    assert warn_beyond(known, date(2026, 1, 1)) == 2027  # a clock now may reach 2027
    assert warn_beyond(known, date(2027, 3, 1)) == 2027  # and this year is unknown
    assert warn_beyond(known, date(2030, 3, 1)) == 2027
    assert [r.levelname for r in caplog.records] == ["WARNING"] * 3
    message = caplog.records[0].getMessage()
    assert "from 2027 on" in message and PACKAGE in message and "up to 2026" in message
    assert caplog.records[0].first_unknown_year == 2027


def test_the_warning_is_said_once_at_start(caplog, monkeypatch):  # rule P10
    caplog.set_level(logging.WARNING, logger=calendars.__name__)
    december = datetime(LAST_YEAR, 12, 1, tzinfo=UTC)
    monkeypatch.setattr(calendars, "utcnow", lambda: december)
    calendar_named.cache_clear()
    try:
        first = calendar_named("china")
        assert calendar_named("china") is first
        assert with_calendar(ComplaintSettings()).working_calendar is first
    finally:
        calendar_named.cache_clear()
    (record,) = caplog.records
    assert f"from {LAST_YEAR + 1} on" in record.getMessage()


# --- the setting ------------------------------------------------------------------------------
def test_the_calendar_is_a_setting_china_by_default():  # rule P10
    default = with_calendar(settings_from(ComplaintSettings, "COMPLAINTS", {}))
    assert default.calendar == "china"
    assert isinstance(default.working_calendar, HolidayCalendar)
    assert default.working_calendar.years == CHINA.years
    given = {"COMPLAINTS_CALENDAR": "weekdays"}
    weekdays = with_calendar(settings_from(ComplaintSettings, "COMPLAINTS", given))
    assert weekdays.working_calendar is WEEKDAYS


def test_an_unknown_calendar_stops_the_service_from_starting():  # rule P10
    with pytest.raises(ValueError, match="china, weekdays"):
        settings_from(ComplaintSettings, "COMPLAINTS", {"COMPLAINTS_CALENDAR": "holland"})
    with pytest.raises(ValueError, match="holland"):
        calendar_named("holland")
