"""The customer service's part of the departments' KPIs (issue 12.2): a mixin of
``CustomerService`` (its ``uow`` and ``settings``); read-only, see ``customer.kpi_queries``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from customer import kpi_queries
from servicekit.domain import utcnow
from servicekit.nameko_ext import query


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class KpiEntrypoints:
    """Mixed into ``CustomerService``."""

    @query
    def kpis(self, period: str) -> dict:
        """``"2026-10"``, ``"2026-Q4"`` or ``"2026"`` -> ``{customers, complete,
        followed_customers, follow_ups, surveys, survey_score_sum, survey_satisfied,
        enquiries_counted, enquiries_on_time, by_owner: {owner: {...}}}``; 422 on a bad
        period."""
        return _plain(kpi_queries.kpis(self.uow(), self.settings, period, utcnow()))
