"""Reporting periods as the departments name them: a month ``2026-10``, a quarter
``2026-Q4`` or a year ``2026``, on the business's calendar (its months start at local
midnight). Standard library only, so domain modules use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from servicekit.errors import invalid_fields

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


def period_bounds(period: str, business_tz: tzinfo) -> tuple[datetime, datetime]:
    """``"2026-10"``, ``"2026-Q4"`` or ``"2026"`` -> [start, end) in UTC, the months taken
    in ``business_tz``; anything else -> 422 on ``period``."""
    match = PERIOD.match(period or "")
    month = int(match["month"]) if match and match["month"] else None
    if not match or (month is not None and not 1 <= month <= 12):
        raise invalid_fields({"period": ["must be YYYY-MM, YYYY-Qn or YYYY"]})
    year = int(match["year"])
    if month is not None:
        first, months = month, 1
    elif match["quarter"]:
        first, months = (int(match["quarter"]) - 1) * 3 + 1, 3
    else:
        first, months = 1, 12
    last = first - 1 + months  # 1..12
    start = datetime(year, first, 1, tzinfo=business_tz)
    end = datetime(year + last // 12, last % 12 + 1, 1, tzinfo=business_tz)
    return start.astimezone(UTC), end.astimezone(UTC)
