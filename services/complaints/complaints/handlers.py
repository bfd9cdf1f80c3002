"""Use cases of the complaints service: one function per RPC command, query or
consumed event. Each works inside ``with uow:`` and commits; the unit of work
writes the events and history the domain recorded (rules X2, X3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from complaints.domain import (
    CaseSummary,
    Complaint,
    ComplaintSettings,
    complaint_number,
    month_bounds,
    monthly_statistics,
)
from complaints.models import (
    complaint_lines,
    complaint_numbers,
    complaints,
    investigations,
    notices,
    responsibilities,
)
from servicekit.contracts.complaints import (
    OPEN_STATUSES,
    ComplaintNotFound,
    CustomerUnknown,
)
from servicekit.contracts.customer import CustomerNotFound
from servicekit.db import UnitOfWork, history_of
from servicekit.domain import utcnow

CustomerLookup = Callable[[str], dict]


# --- helpers ----------------------------------------------------------------------
def _complaint(uow: UnitOfWork, complaint_id: str, lock: bool = True) -> Complaint:
    query = select(Complaint).where(Complaint.id == complaint_id)
    if lock:
        query = query.with_for_update()
    complaint = uow.session.scalars(query).first()
    if complaint is None:
        raise ComplaintNotFound(details={"complaint_id": complaint_id})
    return complaint


def _next_number(uow: UnitOfWork, year: int) -> str:
    """rule P2: TS-<year>-<sequence>, unique per year; the row lock serialises writers."""
    session = uow.session
    for _ in range(3):
        last = session.execute(
            update(complaint_numbers)
            .where(complaint_numbers.c.year == year)
            .values(last=complaint_numbers.c.last + 1)
            .returning(complaint_numbers.c.last)
        ).scalar()
        if last is not None:
            return complaint_number(year, last)
        try:
            with session.begin_nested():
                session.execute(insert(complaint_numbers).values(year=year, last=1))
            return complaint_number(year, 1)
        except IntegrityError:
            continue  # another instance created the year's row first
    raise RuntimeError("could not allocate a complaint number")


def next_notice_check(
    complaint: Complaint, settings: ComplaintSettings, after: datetime | None = None
) -> datetime | None:
    """rule P10: when the notice timer should next look at this case.

    The earliest reminder or due time of an open step whose notice is not out yet;
    with ``after`` (the timer's own pass) only times later than it.
    """
    if complaint.status in ("closed", "rejected"):
        return None
    issued = {(n.step_id, n.kind) for n in complaint.notices}
    times = []
    for step in complaint.steps:
        if step.done_at is not None:
            continue
        if (step.id, "due_soon") not in issued:
            times.append(step.reminder_at(settings.reminder_share))
        if (step.id, "overdue") not in issued:
            times.append(step.due_at)
    if after is not None:
        times = [t for t in times if t > after]
    return min(times, default=None)


def _commit(uow: UnitOfWork, complaint: Complaint, settings: ComplaintSettings) -> Complaint:
    complaint.notice_check_at = next_notice_check(complaint, settings)
    uow.commit()
    return complaint


def complaint_view(uow: UnitOfWork, complaint: Complaint, now: datetime | None = None):
    """The complaint with what GET shows besides its own fields: history, overdue."""
    return complaint, {
        "overdue": complaint.is_overdue(now or utcnow()),
        "history": history_of(uow.session, "complaint", complaint.id),
    }


# --- commands -----------------------------------------------------------------------
def register_complaint(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    data: dict,
    actor: dict,
    lookup_customer: CustomerLookup,
):
    """rules P1, P2: the customer must exist and have orders, i.e. be active, dormant or
    lost (rule C3; asked of the customer service)."""
    try:
        customer = lookup_customer(data["customer_id"])
    except CustomerNotFound as exc:
        raise CustomerUnknown(details={"customer_id": ["no such customer"]}) from exc
    now = utcnow()
    with uow:
        year = now.astimezone(settings.business_tz).year
        complaint = Complaint(
            number=_next_number(uow, year),
            customer_status=customer["status"],
            registered_by=actor["username"],
            now=now,
            settings=settings,
            **data,
        )
        uow.session.add(complaint)
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def _command(method: str, *args_from_data: str):
    """A use case that loads the case, calls ``Complaint.<method>`` and commits."""

    def run(uow: UnitOfWork, settings, complaint_id: str, data: dict, actor: dict):
        now = utcnow()
        with uow:
            complaint = _complaint(uow, complaint_id)
            kwargs = {name: data[name] for name in args_from_data if name in data}
            getattr(complaint, method)(
                actor=actor["username"], now=now, **kwargs, **_s(method, settings)
            )
            _commit(uow, complaint, settings)
            return complaint_view(uow, complaint, now)

    run.__name__ = method
    return run


def _s(method: str, settings: ComplaintSettings) -> dict:
    return {} if method == "reject" else {"settings": settings}


accept_complaint = _command("accept", "promised_days")  # rule P3
reject_complaint = _command("reject", "reason")  # rule P3
record_investigation = _command(  # rule P4
    "investigate", "findings", "cause", "cause_category", "responsibility", "improvement"
)


def post_plan(uow: UnitOfWork, settings, complaint_id: str, data: dict, actor: dict):
    """rules P5, P6."""
    now = utcnow()
    with uow:
        complaint = _complaint(uow, complaint_id)
        plan = complaint.post_plan(data["actions"], actor["username"], now, settings)
        _commit(uow, complaint, settings)
        return plan


def approve_plan(uow: UnitOfWork, settings, complaint_id: str, plan_id: str, actor: dict):
    """rule P6: only the required rank or one above it."""
    now = utcnow()
    with uow:
        complaint = _complaint(uow, complaint_id)
        plan = complaint.approve_plan(plan_id, actor["username"], actor["roles"], now, settings)
        _commit(uow, complaint, settings)
        return plan


def send_back_plan(
    uow: UnitOfWork, settings, complaint_id: str, plan_id: str, data: dict, actor: dict
):
    """rule P6: the deciding rank refuses the plan; the case plans its next round."""
    now = utcnow()
    with uow:
        complaint = _complaint(uow, complaint_id)
        plan = complaint.send_back_plan(
            plan_id, data["reason"], actor["username"], actor["roles"], now, settings
        )
        _commit(uow, complaint, settings)
        return plan


def record_customer_response(
    uow: UnitOfWork, settings, complaint_id: str, plan_id: str, data: dict, actor: dict
):
    """rule P7: accepted -> executing (plan_accepted goes to returns and finance)."""
    now = utcnow()
    with uow:
        complaint = _complaint(uow, complaint_id)
        complaint.customer_response(
            plan_id, data["accepted"], actor["username"], now, data.get("comment"), settings
        )
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def record_follow_up(uow: UnitOfWork, settings, complaint_id: str, data: dict, actor: dict):
    """rule P9; on closure the domain also apportions the loss to finance (P12, F7)."""
    now = utcnow()
    with uow:
        complaint = _complaint(uow, complaint_id)
        complaint.follow_up(
            data["satisfied"], data["score"], actor["username"], now, data.get("notes"), settings
        )
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


# --- facts from returns and finance (rule P8) ---------------------------------------
def apply_fact(
    uow: UnitOfWork, settings, complaint_id: str | None, fact: str, **kwargs: Any
) -> bool:
    """Move the case's actions along; an event for an unknown case changes nothing."""
    if not complaint_id:
        return False
    now = utcnow()
    with uow:
        complaint = uow.session.scalars(
            select(Complaint).where(Complaint.id == complaint_id).with_for_update()
        ).first()
        if complaint is None:
            uow.commit()  # record the event in the inbox all the same
            return False
        method = getattr(complaint, fact)
        if fact in ("return_authorized", "reconciliation_exception"):
            method(now=now, **kwargs)
        else:
            method(now=now, settings=settings, **kwargs)
        _commit(uow, complaint, settings)
        return True


# --- timer: rule P10 ----------------------------------------------------------------
def due_for_notices(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[str]:
    with uow:
        query = (
            select(complaints.c.id)
            .where(complaints.c.notice_check_at <= now, complaints.c.status.in_(OPEN_STATUSES))
            .order_by(complaints.c.notice_check_at)
            .limit(limit)
        )
        return list(uow.session.scalars(query))


def issue_notices(uow: UnitOfWork, settings, complaint_id: str, now: datetime) -> int:
    with uow:
        complaint = _complaint(uow, complaint_id)
        issued = complaint.issue_notices(now, settings)
        complaint.notice_check_at = next_notice_check(complaint, settings, after=now)
        uow.commit()
        return len(issued)


# --- queries ------------------------------------------------------------------------
def get_complaint(uow: UnitOfWork, complaint_id: str):
    with uow:
        return complaint_view(uow, _complaint(uow, complaint_id, lock=False))


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
        total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
        items = uow.session.scalars(
            query.order_by(Complaint.registered_at.desc(), Complaint.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        return {
            "items": [(c, {"overdue": c.is_overdue(now)}) for c in items],
            "total": total,
            "page": page,
            "per_page": per_page,
        }


def list_notices(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    query = select(notices)
    for field in ("type", "department", "complaint_id", "kind"):
        if filters.get(field):
            query = query.where(notices.c[field] == filters[field])
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = uow.session.execute(
            query.order_by(notices.c.issued_at.desc(), notices.c.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).mappings()
        return {
            "items": [dict(r) for r in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }


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
