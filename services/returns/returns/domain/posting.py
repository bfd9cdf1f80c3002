"""rule R6: when signed-off returns are posted. At once by default; or by a daily batch at
a business hour (08:00 in the business's time zone), which a timer runs once a day
however many instances fire it. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from returns.domain.shared import aware


@dataclass(frozen=True)
class ReturnsSettings:
    """Settings of the returns service (``RETURNS_<FIELD>``)."""

    post_at_once: bool = True  # rule R6: False -> the daily batch posts
    posting_hour: int = 8  # rule R6: the batch's hour, business time
    business_utc_offset_hours: int = 8  # China: UTC+8, no DST
    posting_timer_seconds: int = 60  # how often an instance looks whether the batch is due

    def __post_init__(self) -> None:
        if not 0 <= self.posting_hour <= 23:
            raise ValueError("RETURNS_POSTING_HOUR is an hour of the day, 0 to 23")
        if not -12 <= self.business_utc_offset_hours <= 14:
            raise ValueError("RETURNS_BUSINESS_UTC_OFFSET_HOURS is -12 to 14")
        if self.posting_timer_seconds < 1:
            raise ValueError("RETURNS_POSTING_TIMER_SECONDS is at least 1")

    @property
    def business_tz(self) -> timezone:
        return timezone(timedelta(hours=self.business_utc_offset_hours))


def due_batch(now: datetime, settings: ReturnsSettings) -> tuple[date, datetime]:
    """rule R6: the latest batch whose hour has come, as ``(business day, cutoff)``: it
    posts what was signed off before the cutoff (later sign-offs wait for the next day).
    A batch missed while no instance ran is the one due when one starts again."""
    local = aware(now).astimezone(settings.business_tz)
    day = local.date()
    if local.time() < time(settings.posting_hour):
        day -= timedelta(days=1)
    cutoff = datetime.combine(day, time(settings.posting_hour), settings.business_tz)
    return day, cutoff.astimezone(UTC)
