"""Reads of the complaints service (cosmicpython's views): the case as GET shows it,
lists, the monthly report and the cases the notice timer should look at. No rule is
applied here beyond what the domain's pure functions compute (rule P11 statistics)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select

from complaints.domain import (
    CaseSummary,
    Complaint,
    ComplaintSettings,
    month_bounds,
    monthly_statistics,
)
from complaints.models import complaint_lines, complaints, investigations, notices, responsibilities
from servicekit.contracts.complaints_vocabulary import OPEN_STATUSES
from servicekit.db import UnitOfWork
from servicekit.domain import utcnow
from servicekit.paging import page_of

# A case with what depends on the reader: ``{"overdue": bool, "history": [...]}``.
ComplaintView = tuple[Complaint, dict[str, Any]]


def complaint_view(uow: Any, complaint: Complaint, now: datetime | None = None) -> ComplaintView:
    """The complaint with what GET shows besides its own fields: history, overdue."""
    return complaint, {
        "overdue": complaint.is_overdue(now or utcnow()),
        "history": uow.complaints.history(complaint.id),
    }


def get_complaint(uow: UnitOfWork, complaint_id: str) -> ComplaintView:
    """The case with its history and whether it is overdue now."""
    with uow:
        return complaint_view(uow, uow.complaints.get(complaint_id))


def list_complaints(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    now = utcnow()
    query = select(Complaint)
    if "status" in filters:
        query = query.where(Complaint.status == filters["status"])
    if "customer_id" in filters:
        query = query.where(Complaint.customer_id == filters["customer_id"])
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(or_(Complaint.number.ilike(pattern), Complaint.order_no.ilike(pattern)))
    if filters.get("overdue") is not None:
        late = and_(
            complaints.c.status.in_(OPEN_STATUSES),
            or_(complaints.c.step_due_at < now, complaints.c.due_at < now),
        )
        query = query.where(late if filters["overdue"] else ~late)
    with uow:
        result = page_of(
            uow.session, query, page, per_page, Complaint.registered_at.desc(), Complaint.id
        )
    return {**result, "items": [(c, {"overdue": c.is_overdue(now)}) for c in result["items"]]}


def list_notices(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    query = select(notices)
    for field in ("type", "department", "complaint_id", "kind"):
        if filters.get(field):
            query = query.where(notices.c[field] == filters[field])
    with uow:
        return page_of(
            uow.session, query, page, per_page, notices.c.issued_at.desc(), notices.c.id, rows=True
        )


def monthly_report(uow: UnitOfWork, settings: ComplaintSettings, month: str) -> dict:
    """rule P11: a few column queries over the month's closed cases (index on closed_at),
    not an object load, so it stays fast with 100k cases."""
    start, end = month_bounds(month, settings)
    in_month = and_(
        complaints.c.status == "closed",
        complaints.c.closed_at >= start,
        complaints.c.closed_at < end,
    )
    with uow:
        session = uow.session
        cases = session.execute(
            select(
                complaints.c.id,
                complaints.c.number,
                complaints.c.customer_id,
                complaints.c.registered_at,
                complaints.c.closed_at,
                complaints.c.timely_acceptance,
                complaints.c.on_time_closure,
            ).where(in_month)
        ).all()
        causes = {
            row.complaint_id: row
            for row in session.execute(
                select(
                    investigations.c.complaint_id,
                    investigations.c.cause,
                    investigations.c.cause_category,
                    investigations.c.improvement,
                )
                .join(complaints, complaints.c.id == investigations.c.complaint_id)
                .where(in_month)
            )
        }
        shares: dict[str, list] = {}
        for row in session.execute(
            select(
                investigations.c.complaint_id,
                responsibilities.c.department,
                responsibilities.c.share,
            )
            .join(investigations, investigations.c.id == responsibilities.c.investigation_id)
            .join(complaints, complaints.c.id == investigations.c.complaint_id)
            .where(in_month)
            .order_by(responsibilities.c.position)
        ):
            shares.setdefault(row.complaint_id, []).append((row.department, row.share))
        skus: dict[str, list] = {}
        for row in session.execute(
            select(complaint_lines.c.complaint_id, complaint_lines.c.sku)
            .join(complaints, complaints.c.id == complaint_lines.c.complaint_id)
            .where(in_month)
            .order_by(complaint_lines.c.position)
        ):
            skus.setdefault(row.complaint_id, []).append(row.sku)
    summaries = []
    for case in cases:
        cause = causes.get(case.id)
        summaries.append(
            CaseSummary(
                complaint_id=case.id,
                number=case.number,
                customer_id=case.customer_id,
                skus=tuple(dict.fromkeys(skus.get(case.id, ()))),
                cause=cause.cause if cause else None,
                cause_category=cause.cause_category if cause else None,
                shares=tuple(shares.get(case.id, ())),
                registered_at=case.registered_at,
                closed_at=case.closed_at,
                handling_hours=Decimal((case.closed_at - case.registered_at).total_seconds())
                / Decimal(3600),
                timely_acceptance=case.timely_acceptance,
                on_time_closure=case.on_time_closure,
                improvement=cause.improvement if cause else None,
            )
        )
    return monthly_statistics(month, summaries, settings)


def due_for_notices(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[str]:
    """rule P10: the open cases whose next notice check has come, oldest check first."""
    with uow:
        query = (
            select(complaints.c.id)
            .where(complaints.c.notice_check_at <= now, complaints.c.status.in_(OPEN_STATUSES))
            .order_by(complaints.c.notice_check_at)
            .limit(limit)
        )
        return list(uow.session.scalars(query))
