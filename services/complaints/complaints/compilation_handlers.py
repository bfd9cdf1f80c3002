"""Use cases of the monthly compilation (rule P11): compile the month before once, a
department's confirmation of its share, and the notice to the general manager's office
when the confirmation day passed with some department unconfirmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from complaints.domain import ComplaintSettings
from complaints.domain.compilation import MonthlyReport, previous_month
from servicekit.db import UnitOfWork
from servicekit.domain import Actor

# The month's statistics as ``monthly_report`` answers them (dumped: strings, numbers).
Statistics = Callable[[str], dict[str, Any]]


def compile_previous_month(
    uow: UnitOfWork, settings: ComplaintSettings, now: datetime, statistics: Statistics
) -> str | None:
    """rule P11: the month before ``now`` compiled and kept, once however many instances
    try (the month is the row's key): the month, or None when it was compiled already."""
    month = previous_month(now, settings)
    with uow:
        if uow.monthly_reports.find(month) is not None:
            return None
    compiled = statistics(month)
    try:
        with uow:
            if uow.monthly_reports.find(month) is not None:
                return None
            uow.monthly_reports.add(MonthlyReport.compile(month, compiled, now))
            uow.commit()
            return month
    except IntegrityError:
        with uow:
            if uow.monthly_reports.find(month) is None:
                raise  # not the month's twin: a real fault
        return None


def issue_unconfirmed_notices(
    uow: UnitOfWork, settings: ComplaintSettings, now: datetime
) -> list[str]:
    """rule P11: the months whose confirmation day is over with a department still
    unconfirmed get one notice to the general manager's office; the months noticed now."""
    with uow:
        months = uow.monthly_reports.without_notice()
    noticed = []
    for month in months:
        with uow:
            report = uow.monthly_reports.get(month, for_update=True)
            if report.issue_notice(now, settings):
                uow.commit()
                noticed.append(month)
    return noticed


def confirm_share(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    month: str,
    department: str,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """rule P11: a user of ``department`` confirms its share of the month's statistics."""
    try:
        with uow:
            report = uow.monthly_reports.get(month, for_update=True)
            report.confirm(department, actor.username, actor.department, now)
            uow.commit()
            return report.view(settings)
    except IntegrityError:  # a colleague confirmed the same share at the same moment
        return compiled_month(uow, settings, month)


def compiled_month(uow: UnitOfWork, settings: ComplaintSettings, month: str) -> dict[str, Any]:
    """rule P11: the compiled month with its confirmations and notice."""
    with uow:
        return uow.monthly_reports.get(month).view(settings)
