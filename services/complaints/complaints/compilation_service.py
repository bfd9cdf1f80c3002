"""Entrypoints of the departments' KPIs and the monthly compilation (rule P11), mixed into
``ComplaintsService`` (its ``uow`` and ``settings``):

- ``kpis(period)``: the complaints desk's KPI counts and rates (``complaints.domain.kpis``);
- ``compiled_month(month)``, ``confirm_monthly_share(month, data, actor)``: the month's
  compiled statistics and the responsible departments' confirmations;
- a timer that compiles the month before on the 1st, once across instances, and raises
  the notice to the general manager's office after the confirmation day.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from nameko.timer import timer

from complaints import compilation_handlers, kpi_queries, queries
from complaints.domain import ComplaintSettings
from servicekit.config import settings_from
from servicekit.contracts import complaints as contract
from servicekit.domain import utcnow
from servicekit.errors import invalid_fields
from servicekit.leases import try_acquire
from servicekit.nameko_ext import command, query
from servicekit.validation import actor_of, load

log = logging.getLogger(__name__)

# nameko fixes a timer's interval when the class is defined, so it is read here.
STATISTICS_TIMER_SECONDS = settings_from(ComplaintSettings, "COMPLAINTS").statistics_timer_seconds
_holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
_report = contract.MonthlyReportSchema()


def plain(value: Any) -> Any:
    """Decimals as strings, times as ISO 8601, for the RPC answer."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


class StatisticsEntrypoints:
    """Mixed into ``ComplaintsService``."""

    @query
    def kpis(self, period: str) -> dict:
        """seed 001, seed 003: ``"2026-10"``, ``"2026-Q4"`` or ``"2026"`` -> the desk's
        counts (registered, accepted_on_time, resolved, follow_ups, scores...) and rates,
        ``department_handling_hours`` and ``by_owner``; a bad period -> 422."""
        return plain(kpi_queries.kpis(self.uow(), self.settings, period, utcnow()))

    @query
    def compiled_month(self, month: str) -> dict:
        """rule P11: the month's statistics as compiled on the 1st, the departments that
        confirm them, their confirmations and the notice if one was raised."""
        args = load(contract.MonthlyReportArgsSchema, {"month": month})
        return plain(compilation_handlers.compiled_month(self.uow(), self.settings, args["month"]))

    @command
    def confirm_monthly_share(self, month: str, data: dict, actor: dict) -> dict:
        """rule P11: ``{"department": "production"}`` by a user of that department."""
        args = load(contract.MonthlyReportArgsSchema, {"month": month})
        department = (data or {}).get("department")
        if not isinstance(department, str) or not department.strip():
            raise invalid_fields({"department": ["required"]})
        return plain(
            compilation_handlers.confirm_share(
                self.uow(),
                self.settings,
                args["month"],
                department.strip(),
                actor_of(actor),
                utcnow(),
            )
        )

    # eager: a service (re)started after the 1st compiles the month before at once, not
    # one interval later
    @timer(interval=STATISTICS_TIMER_SECONDS, eager=True)
    def compile_monthly_statistics(self) -> dict:
        """rule P11: the month before compiled (on the 1st, or the first pass after it),
        and the notices of months unconfirmed after the confirmation day; one instance at
        a time holds the lease, and the month's key keeps the compilation once anyway."""
        database = self.uow().database
        ttl = timedelta(seconds=STATISTICS_TIMER_SECONDS * 3)
        if not try_acquire(database, "complaints.statistics", _holder, ttl):
            return {"compiled": None, "noticed": []}
        return self._compile_and_notice(utcnow())

    def _compile_and_notice(self, now: datetime) -> dict:
        def statistics(month: str) -> dict:
            return _report.dump(queries.monthly_report(self.uow(), self.settings, month))

        compiled = compilation_handlers.compile_previous_month(
            self.uow(), self.settings, now, statistics
        )
        noticed = compilation_handlers.issue_unconfirmed_notices(self.uow(), self.settings, now)
        for month in noticed:
            log.warning("monthly statistics unconfirmed after the confirmation day: %s", month)
        return {"compiled": compiled, "noticed": noticed}
