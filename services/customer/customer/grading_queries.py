"""Reads of grading, key accounts, risk and warnings (cosmicpython's views): the grade and
its history, the risk, the summary, the key accounts, the warnings, and the customers
the timer reviews. No rule is applied here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from customer.domain import NEW_STATUSES, Customer, CustomerSettings
from customer.domain.grading import GradeChange, GradeRecord, RegradeRun, window_start
from customer.domain.key_accounts import KeyAccount
from customer.domain.risk import RiskRecord
from customer.domain.summaries import day_start, summary_view
from customer.domain.warnings import CustomerWarning
from customer.grading_handlers import period_start_at, today_of
from servicekit.db import UnitOfWork
from servicekit.domain import utcnow
from servicekit.paging import page_of


def grade_view(record: GradeRecord | None, customer_id: str) -> dict[str, Any]:
    if record is None:
        record = GradeRecord(customer_id, utcnow())
    return {
        "customer_id": customer_id,
        "grade": record.grade,
        "score": record.score,
        "components": dict(record.components),
        "scale": record.scale,
        "history_band": record.history_band,
        "graded_at": record.graded_at,
        "trigger": record.trigger,
        "reason": record.reason,
        "inputs": dict(record.inputs),
    }


def get_grade(uow: UnitOfWork, customer_id: str) -> dict[str, Any]:
    """rule C6: the grade now, with its score, components, scale and history band."""
    with uow:
        uow.customers.get(customer_id)
        return grade_view(uow.grades.find(customer_id), customer_id)


def get_regrade_run(uow: UnitOfWork, run_id: str) -> RegradeRun:
    """rule C6: a run re-grading every customer, with its status and counts."""
    with uow:
        return uow.regrade_runs.get(run_id)


def grade_history(uow: UnitOfWork, customer_id: str) -> list[GradeChange]:
    """rule C6: every grading that changed something, with its reason, oldest first."""
    with uow:
        uow.customers.get(customer_id)
        query = (
            select(GradeChange)
            .where(GradeChange.customer_id == customer_id)
            .order_by(GradeChange.at, GradeChange.id)
        )
        return list(uow.session.scalars(query))


def risk_view(record: RiskRecord | None, customer_id: str) -> dict[str, Any]:
    if record is None:
        record = RiskRecord(customer_id, utcnow())
    return {
        "customer_id": customer_id,
        "level": record.level,
        "points": record.points,
        "factors": dict(record.factors),
        "assessed_at": record.assessed_at,
        "raised_at": record.raised_at,
        "guarantee_required": record.guarantee_required,
        "change_request_id": record.change_request_id,
    }


def get_risk(uow: UnitOfWork, customer_id: str) -> dict[str, Any]:
    """rule C8: the level and its factors."""
    with uow:
        uow.customers.get(customer_id)
        return risk_view(uow.risks.find(customer_id), customer_id)


def get_summary(
    uow: UnitOfWork, settings: CustomerSettings, customer_id: str, now: datetime | None = None
):
    """What the service keeps of a customer's invoices, ledger and complaints (rule X1)."""
    today = today_of(now or utcnow(), settings)
    with uow:
        uow.customers.get(customer_id)
        summary = uow.summaries.find(customer_id)
        return summary_view(
            summary,
            customer_id,
            today,
            window_start(today, settings),
            settings.business_utc_offset_hours,
        )


def key_account_view(
    account: KeyAccount, customer: Customer | None, record: GradeRecord | None
) -> dict[str, Any]:
    return {
        "customer_id": account.id,
        "name": customer.name if customer else None,
        "key_account": account.key_account,
        "source": account.source,
        "plan": account.plan,
        "owner": account.owner or (customer.owner if customer else None),
        "grade": record.grade if record else None,
        "scale": record.scale if record else None,
        "set_by": account.set_by,
        "set_at": account.set_at,
        "updated_at": account.updated_at,
    }


def list_key_accounts(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule C7: the key accounts, by name; ``owner`` is the account's (or the card's)."""
    query = (
        select(KeyAccount, Customer, GradeRecord)
        .join(Customer, Customer.id == KeyAccount.id)
        .outerjoin(GradeRecord, GradeRecord.id == KeyAccount.id)
        .where(KeyAccount.key_account.is_(True))
    )
    if filters.get("owner"):
        owner = filters["owner"]
        query = query.where(
            or_(
                KeyAccount.owner == owner,
                (KeyAccount.owner.is_(None)) & (Customer.owner == owner),
            )
        )
    with uow:
        total_and_rows = _page_rows(uow, query, page, per_page, Customer.name, KeyAccount.id)
    items = [key_account_view(a, c, g) for a, c, g in total_and_rows["items"]]
    return {**total_and_rows, "items": items}


def _page_rows(uow: UnitOfWork, query, page: int, per_page: int, *order) -> dict:
    """One page of a query that selects several entities per row."""
    total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = uow.session.execute(
        query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return {
        "items": [tuple(row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }


def list_warnings(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule C7, rule C8: warnings, newest first."""
    query = select(CustomerWarning)
    for field in ("type", "status", "customer_id", "owner"):
        if field in filters:
            query = query.where(getattr(CustomerWarning, field) == filters[field])
    with uow:
        return page_of(
            uow.session,
            query,
            page,
            per_page,
            CustomerWarning.raised_at.desc(),
            CustomerWarning.id,
        )


def get_warning(uow: UnitOfWork, warning_id: str) -> CustomerWarning:
    with uow:
        return uow.warnings.get(warning_id)


def due_for_review(
    uow: UnitOfWork, settings: CustomerSettings, now: datetime
) -> list[tuple[str, bool]]:
    """The customers the timer reviews now, each with whether its periodic grading is
    due (rule C6: not graded since the period began); the others are due for the daily
    risk and churn review (rule C7, rule C8: not assessed since the business day began)."""
    period = period_start_at(now, settings)
    day = day_start(today_of(now, settings), settings.business_utc_offset_hours)
    query = (
        select(Customer.id, GradeRecord.graded_at, RiskRecord.assessed_at)
        .outerjoin(GradeRecord, GradeRecord.id == Customer.id)
        .outerjoin(RiskRecord, RiskRecord.id == Customer.id)
        .where(Customer.status.not_in(NEW_STATUSES))
        .where(
            or_(
                GradeRecord.graded_at.is_(None),
                GradeRecord.graded_at < period,
                RiskRecord.assessed_at.is_(None),
                RiskRecord.assessed_at < day,
            )
        )
        .order_by(Customer.created_at, Customer.id)
    )
    with uow:
        rows = uow.session.execute(query).all()
    return [(cid, graded_at is None or graded_at < period) for cid, graded_at, _ in rows]
