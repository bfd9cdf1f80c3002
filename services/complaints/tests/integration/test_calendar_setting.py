"""The service's settings carry the working calendar COMPLAINTS_CALENDAR names (rule P10,
issue 12.4): China's by default, Monday to Friday when asked. Neither broker nor
database: the settings provider is set up on a stand-in container."""

from datetime import datetime, timedelta, timezone

import pytest

from complaints.domain import WEEKDAYS, HolidayCalendar
from complaints.service import ComplaintsService

BEIJING = timezone(timedelta(hours=8))


class Container:
    """What the settings provider reads of a nameko container."""

    service_name = "complaints"

    def __init__(self, config: dict) -> None:
        self.config = config


def service_settings(config: dict):
    container = Container(config)  # the provider holds it by a weak reference
    provider = ComplaintsService.settings.bind(container, "settings")
    provider.setup()
    return provider.get_dependency(None)


@pytest.fixture(autouse=True)
def no_calendar_in_the_environment(monkeypatch):
    monkeypatch.delenv("COMPLAINTS_CALENDAR", raising=False)


def test_the_service_counts_chinas_working_days_by_default():  # rule P10
    settings = service_settings({})
    assert settings.calendar == "china"
    assert isinstance(settings.working_calendar, HolidayCalendar)
    # Friday 13 February 2026 + 1 working day: the Saturday worked before the festival.
    friday = datetime(2026, 2, 13, 10, tzinfo=BEIJING)
    assert settings.step_due("investigation", friday) == friday + timedelta(days=1)


def test_the_service_counts_monday_to_friday_when_told(monkeypatch):  # rule P10
    settings = service_settings({"COMPLAINTS_CALENDAR": "weekdays"})
    assert settings.working_calendar is WEEKDAYS
    monkeypatch.setenv("COMPLAINTS_CALENDAR", "weekdays")
    assert service_settings({}).working_calendar is WEEKDAYS


def test_the_service_refuses_a_calendar_it_does_not_know():  # rule P10
    with pytest.raises(ValueError, match="china, weekdays"):
        service_settings({"COMPLAINTS_CALENDAR": "lunar"})
