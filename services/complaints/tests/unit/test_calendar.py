"""The pure working calendar (complaints.domain.calendar) on hand-made sets: a May week
of 2030 whose Wednesday to Sunday are off (1-5 May) and whose Saturdays before and after
are worked (27 April, 11 May), known for 2030 only. Its edges: the last working moment
before the days off, the first after, the adjusted Saturday, a start on a day off, the
years it does not know. Times are Beijing's unless said (the business's UTC+8)."""

from dataclasses import FrozenInstanceError, dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from complaints.domain import (
    CALENDARS,
    WEEKDAYS,
    ComplaintSettings,
    HolidayCalendar,
    NoWorkingDay,
    WeekdayCalendar,
    WorkingCalendar,
    add_working_days,
)
from complaints.testing import CaseBuilder

BEIJING = timezone(timedelta(hours=8))
MAY_DAYS_OFF = frozenset(date(2030, 5, d) for d in range(1, 6))  # Wednesday to Sunday
ADJUSTED = frozenset({date(2030, 4, 27), date(2030, 5, 11)})  # Saturdays worked (调休)
MAY = HolidayCalendar(holidays=MAY_DAYS_OFF, workdays=ADJUSTED, years=range(2030, 2031), name="may")


def bj(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2030) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


# --- which days are worked -------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "weekdays", "may"),
    [
        (date(2030, 4, 26), True, True),  # Friday
        (date(2030, 4, 27), False, True),  # Saturday, worked in exchange
        (date(2030, 4, 28), False, False),  # Sunday
        (date(2030, 4, 30), True, True),  # Tuesday, the last day before the days off
        (date(2030, 5, 1), True, False),  # Wednesday, the first day off
        (date(2030, 5, 3), True, False),  # Friday, off
        (date(2030, 5, 4), False, False),  # Saturday, off either way
        (date(2030, 5, 5), False, False),  # Sunday, the last day off
        (date(2030, 5, 6), True, True),  # Monday, the first day back
        (date(2030, 5, 11), False, True),  # Saturday, worked in exchange
        (date(2030, 5, 12), False, False),  # Sunday
    ],
)
def test_which_days_are_worked(day, weekdays, may):  # rule P4
    assert WEEKDAYS.is_working_day(day) is weekdays
    assert MAY.is_working_day(day) is may


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2029, 5, 1), True),  # Tuesday of a year the calendar does not know
        (date(2029, 12, 29), False),  # Saturday
        (date(2031, 5, 1), True),  # Thursday
        (date(2031, 5, 3), False),  # Saturday
    ],
)
def test_outside_its_years_the_calendar_counts_monday_to_friday(day, worked):  # rule P4
    assert MAY.is_working_day(day) is worked
    assert MAY.knows(2030) and not MAY.knows(2029) and not MAY.knows(2031)


def test_a_day_cannot_be_both_off_and_worked():  # rule P4
    with pytest.raises(ValueError, match="both off and worked"):
        HolidayCalendar(
            holidays=frozenset({date(2030, 4, 27)}), workdays=ADJUSTED, years=range(2030, 2031)
        )


def test_the_sets_hold_only_the_years_they_are_known_for():  # rule P4
    with pytest.raises(ValueError, match="outside the years"):
        HolidayCalendar(holidays=MAY_DAYS_OFF, years=range(2031, 2032))
    with pytest.raises(ValueError, match="outside the years"):
        HolidayCalendar(workdays=frozenset({date(2029, 12, 29)}), years=range(2030, 2031))


def test_both_calendars_are_working_calendars():  # rule P10
    calendars: list[WorkingCalendar] = [WEEKDAYS, MAY]
    assert [c.name for c in calendars] == ["weekdays", "may"]
    assert WeekdayCalendar() == WEEKDAYS
    assert CALENDARS == ("china", "weekdays")


# --- rule P4: working days ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (bj(4, 29), 1, bj(4, 30)),  # Monday -> Tuesday
        (bj(4, 30), 1, bj(5, 6)),  # the last day before the days off -> the first back
        (bj(4, 30, 23, 59), 1, bj(5, 6, 23, 59)),
        (bj(4, 30), 2, bj(5, 7)),
        (bj(5, 2), 1, bj(5, 6)),  # started on a day off
        (bj(5, 5, 23, 59), 1, bj(5, 6, 23, 59)),  # the last minute off -> the first day back
        (bj(4, 26), 1, bj(4, 27)),  # Friday -> the Saturday worked in exchange
        (bj(4, 27), 1, bj(4, 29)),  # that Saturday -> Monday (Sunday is off)
        (bj(5, 10), 1, bj(5, 11)),  # Friday -> the Saturday worked in exchange
        (bj(4, 30), 0, bj(4, 30)),
        (bj(5, 2), 0, bj(5, 2)),  # no days: the start stays, even on a day off
        (bj(4, 30), -1, bj(4, 30)),
    ],
)
def test_working_days_skip_the_days_off_and_count_the_adjusted_ones(start, days, due):  # rule P4
    assert MAY.add_working_days(start, days, BEIJING) == due
    assert add_working_days(start, days, BEIJING, MAY) == due


def test_without_holidays_the_weekend_alone_is_skipped():  # rule P4
    assert add_working_days(bj(4, 30), 1, BEIJING) == bj(5, 1)
    assert WEEKDAYS.add_working_days(bj(4, 26), 1, BEIJING) == bj(4, 29)


def test_working_days_are_counted_on_the_business_date_and_answered_in_the_starts_zone():
    # rule P4: 30 April 17:00 UTC is already 1 May 01:00 in Beijing, a day off.
    start = datetime(2030, 4, 30, 17, tzinfo=UTC)
    due = MAY.add_working_days(start, 1, BEIJING)
    assert due == bj(5, 6, 1) and due.tzinfo is UTC
    # Counted in UTC, the start is still on the Tuesday before the days off.
    assert MAY.add_working_days(start, 1) == datetime(2030, 5, 6, 17, tzinfo=UTC)


def test_a_year_the_calendar_does_not_know_is_counted_monday_to_friday():  # rule P4
    new_years_eve = HolidayCalendar(
        holidays=frozenset({date(2030, 12, 31)}), years=range(2030, 2031)
    )
    # Monday 30 December + 1: Tuesday is off; Wednesday 1 January 2031 is worked (not known).
    assert new_years_eve.add_working_days(bj(12, 30), 1, BEIJING) == bj(1, 1, year=2031)


# --- rule P10: working hours -------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (bj(4, 29), 24, bj(4, 30)),  # within the week: as a clock
        (bj(4, 30), 24, bj(5, 6)),  # 14 hours on Tuesday, 10 on the Monday after
        (bj(4, 30), 14, bj(5, 1, 0)),  # just the Tuesday: due at its end
        (bj(4, 30), 72, bj(5, 8)),
        (bj(4, 26, 18), 24, bj(4, 27, 18)),  # Friday evening: the adjusted Saturday counts
        (bj(4, 27, 0), 24, bj(4, 28, 0)),  # the whole Saturday: due at its end
        (bj(5, 2, 15), 1, bj(5, 6, 1)),  # started on a day off: counts from Monday 00:00
        (bj(5, 2, 15), 0, bj(5, 2, 15)),  # no time: the start stays
    ],
)
def test_working_hours_stand_still_on_the_days_off(start, hours, due):  # rule P10
    assert MAY.add_working_time(start, timedelta(hours=hours), BEIJING) == due


def test_a_moment_past_a_working_days_end_runs_into_the_next_working_day():  # rule P10
    saturday = bj(4, 27, 0)  # worked; Sunday is not
    later = MAY.add_working_time(saturday, timedelta(hours=24, seconds=1), BEIJING)
    assert later == bj(4, 29, 0) + timedelta(seconds=1)


def test_working_hours_are_counted_on_the_business_date():  # rule P10
    start = datetime(2030, 4, 30, 14, tzinfo=UTC)  # Tuesday 22:00 in Beijing
    due = MAY.add_working_time(start, timedelta(hours=4), BEIJING)
    assert due == bj(5, 6, 2) and due.tzinfo is UTC
    # In UTC: 10 hours of Tuesday are left, so 4 hours end the same evening.
    assert MAY.add_working_time(start, timedelta(hours=4)) == start + timedelta(hours=4)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (bj(4, 30), bj(5, 6, 0), 14),  # Tuesday's rest; the days off count nothing
        (bj(4, 30), bj(5, 6, 10), 24),
        (bj(5, 1), bj(5, 5, 23), 0),  # within the days off
        (bj(4, 26, 18), bj(4, 29, 6), 6 + 24 + 6),  # Friday, the adjusted Saturday, Monday
        (bj(4, 30), bj(4, 30), 0),
        (bj(5, 6), bj(4, 30), 0),  # an end before the start
    ],
)
def test_the_working_time_between_two_moments(start, end, hours):  # rule P10
    assert MAY.working_time(start, end, BEIJING) == timedelta(hours=hours)


def test_no_time_or_less_leaves_the_start_as_it_is():  # rule P10
    assert MAY.add_working_time(bj(4, 30), timedelta(hours=-1), BEIJING) == bj(4, 30)
    assert MAY.add_working_time(bj(5, 2), timedelta(hours=-1), BEIJING) == bj(5, 2)


def test_the_calendars_cannot_be_changed_in_place():  # rule P10
    with pytest.raises(FrozenInstanceError):
        MAY.years = range(2030, 2032)
    with pytest.raises(FrozenInstanceError):
        WEEKDAYS.name = "china"


@pytest.mark.parametrize(("gap", "found"), [(365, True), (366, True), (367, False)])
def test_a_working_day_is_looked_for_a_year_ahead(gap, found):  # rule P10
    @dataclass(frozen=True)
    class OneDay(WeekdayCalendar):
        name: str = "one day"

        def is_working_day(self, day: date) -> bool:
            return day == date(2030, 4, 30) + timedelta(days=gap)

    if found:
        due = OneDay().add_working_days(bj(4, 30), 1, BEIJING)
        assert due == bj(4, 30) + timedelta(days=gap)
    else:
        with pytest.raises(NoWorkingDay):
            OneDay().add_working_days(bj(4, 30), 1, BEIJING)


def test_a_calendar_with_no_working_day_refuses_instead_of_waiting_forever():  # rule P10
    @dataclass(frozen=True)
    class NeverWorked(WeekdayCalendar):
        name: str = "never"

        def is_working_day(self, day: date) -> bool:
            return False

    never = NeverWorked()
    with pytest.raises(NoWorkingDay):
        never.add_working_days(bj(4, 30), 1, BEIJING)
    with pytest.raises(NoWorkingDay):
        never.add_working_time(bj(4, 30), timedelta(hours=1), BEIJING)
    assert never.working_time(bj(4, 30), bj(5, 30), BEIJING) == timedelta(0)


# --- the settings' clocks ----------------------------------------------------------------
def test_the_settings_name_a_known_calendar():  # rule P10
    assert ComplaintSettings().calendar == "china"
    assert ComplaintSettings(calendar="weekdays").calendar == "weekdays"
    with pytest.raises(ValueError, match="china, weekdays"):
        ComplaintSettings(calendar="holland")


def test_the_domain_alone_counts_monday_to_friday():  # rule P10
    # China's days come from complaints.calendars; the domain's default knows no holiday.
    assert ComplaintSettings().working_calendar is WEEKDAYS


def test_the_steps_run_on_the_settings_calendar():  # rule P4, rule P10
    settings = ComplaintSettings(working_calendar=MAY)
    assert settings.step_due("investigation", bj(4, 30)) == bj(5, 6)
    assert settings.step_due("acceptance", bj(4, 30)) == bj(5, 6)
    assert settings.step_due("planning", bj(4, 30)) == bj(5, 7)
    assert ComplaintSettings().step_due("acceptance", bj(4, 30)) == bj(5, 1)


def test_the_reminder_falls_at_its_share_of_the_working_time():  # rule P10
    settings = ComplaintSettings(working_calendar=MAY)
    # 24 working hours from Tuesday 10:00: 19.2 of them are gone on Monday at 05:12.
    assert settings.reminder_at(bj(4, 30), bj(5, 6)) == bj(5, 6, 5, 12)
    half = ComplaintSettings(working_calendar=MAY, reminder_share=Decimal("0.5"))
    assert half.reminder_at(bj(4, 30), bj(5, 6)) == bj(4, 30, 22)
    # A due date in calendar days (the customer's promise, rule P3) reminds the same way.
    assert settings.reminder_at(bj(4, 30), bj(5, 7)) == bj(5, 7, 0, 24)  # 38.4 of 48 hours


def test_a_case_registered_before_the_days_off_is_due_after_them():  # rule P4, rule P10
    settings = ComplaintSettings(working_calendar=MAY)
    start = bj(4, 30, 17)  # Tuesday 17:00
    complaint = CaseBuilder(start=start, settings=settings).build()
    assert complaint.step_due_at == bj(5, 6, 17)  # 7 hours of Tuesday, 17 of Monday
    # No reminder while the days off last; one at 19.2 working hours, Monday 12:12.
    assert complaint.due_notices(bj(5, 5, 23), settings) == []
    (reminder,) = complaint.due_notices(bj(5, 6, 12, 12), settings)
    assert (reminder.kind, reminder.step) == ("due_soon", "acceptance")
    assert complaint.next_notice_check(settings) == bj(5, 6, 12, 12)
    # Accepted on Monday 09:00: the investigation is due one working day later.
    accepted = CaseBuilder(start=start, settings=settings).accept(days=None, hour=136).build()
    assert accepted.step_due_at == bj(5, 7, 9)
    assert accepted.due_at == settings.step_due("closure", bj(5, 6, 9))
