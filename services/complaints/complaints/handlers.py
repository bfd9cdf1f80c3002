"""Use cases of the complaints service: one function per RPC command and consumed event.

Each loads the case through the unit of work's repository (``uow.complaints``;
``complaints.repository``), lets the domain apply the rules and commits; the unit of
work writes the events and history the domain recorded (rule X2, rule X3). Reads for
lists, reports and the notice timer are in ``complaints.queries``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from complaints.commands import (
    AcceptComplaint,
    PostPlan,
    RecordCustomerResponse,
    RecordFollowUp,
    RecordInvestigation,
    RegisterComplaint,
    RejectComplaint,
    SendBackPlan,
)
from complaints.domain import Complaint, ComplaintSettings, Plan
from complaints.queries import ComplaintView, complaint_view
from servicekit.contracts.complaints_vocabulary import CustomerUnknown
from servicekit.contracts.customer import CustomerNotFound
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow

CustomerLookup = Callable[[str], dict]


def _commit(uow: UnitOfWork, complaint: Complaint, settings: ComplaintSettings) -> None:
    """Commit, with the time the notice timer should next look at the case (rule P10)."""
    complaint.notice_check_at = complaint.next_notice_check(settings)
    uow.commit()


# --- commands -----------------------------------------------------------------------
def register_complaint(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    command: RegisterComplaint,
    actor: Actor,
    lookup_customer: CustomerLookup,
) -> ComplaintView:
    """rule P1, rule P2: the customer must exist and have orders, i.e. be active, dormant
    or lost (rule C3; asked of the customer service)."""
    try:
        customer = lookup_customer(command.customer_id)
    except CustomerNotFound as exc:
        raise CustomerUnknown(details={"customer_id": ["no such customer"]}) from exc
    now = utcnow()
    with uow:
        year = now.astimezone(settings.business_tz).year
        complaint = Complaint(
            number=uow.complaints.next_number(year),
            customer_id=command.customer_id,
            customer_status=customer["status"],
            channel=command.channel,
            order_no=command.order_no,
            ship_date=command.ship_date,
            description=command.description,
            request=command.request,
            lines=command.lines,
            registered_by=actor.username,
            now=now,
            settings=settings,
            owner=customer.get("owner"),
        )
        uow.complaints.add(complaint)
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def accept_complaint(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    command: AcceptComplaint,
    actor: Actor,
) -> ComplaintView:
    """rule P3: accepted, with the wait promised to the customer."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        complaint.accept(command.promised_days, actor.username, now, settings)
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def reject_complaint(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    command: RejectComplaint,
    actor: Actor,
) -> ComplaintView:
    """rule P3: not accepted, with the reason."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        complaint.reject(command.reason, actor.username, now)
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def record_investigation(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    command: RecordInvestigation,
    actor: Actor,
) -> ComplaintView:
    """rule P4: quality's findings, cause and responsibility shares."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        complaint.investigate(
            findings=command.findings,
            cause=command.cause,
            cause_category=command.cause_category,
            responsibility=command.responsibility,
            improvement=command.improvement,
            actor=actor.username,
            now=now,
            settings=settings,
        )
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def post_plan(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    command: PostPlan,
    actor: Actor,
) -> Plan:
    """rule P5: a plan of actions; its amount decides who approves it (rule P6)."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        plan = complaint.post_plan(command.actions, actor.username, now, settings)
        _commit(uow, complaint, settings)
        return plan


def approve_plan(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str, plan_id: str, actor: Actor
) -> Plan:
    """rule P6: only the required rank or one above it."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        plan = complaint.approve_plan(plan_id, actor.username, actor.roles, now, settings)
        _commit(uow, complaint, settings)
        return plan


def send_back_plan(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    plan_id: str,
    command: SendBackPlan,
    actor: Actor,
) -> Plan:
    """rule P6: the deciding rank refuses the plan; the case plans its next round."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        plan = complaint.send_back_plan(
            plan_id, command.reason, actor.username, actor.roles, now, settings
        )
        _commit(uow, complaint, settings)
        return plan


def record_customer_response(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    plan_id: str,
    command: RecordCustomerResponse,
    actor: Actor,
) -> ComplaintView:
    """rule P7: accepted -> executing (plan_accepted goes to returns and finance)."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        complaint.customer_response(
            plan_id, command.accepted, actor.username, now, command.comment, settings
        )
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


def record_follow_up(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str,
    command: RecordFollowUp,
    actor: Actor,
) -> ComplaintView:
    """rule P9; on closure the domain also apportions the loss (rule P12) to finance."""
    now = utcnow()
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        complaint.follow_up(
            command.satisfied, command.score, actor.username, now, command.notes, settings
        )
        _commit(uow, complaint, settings)
        return complaint_view(uow, complaint, now)


# --- timer: rule P10 ----------------------------------------------------------------
def issue_notices(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str, now: datetime
) -> int:
    """The reminders and escalations due on one case now; how many were issued."""
    with uow:
        complaint = uow.complaints.get(complaint_id, for_update=True)
        issued = complaint.issue_notices(now, settings)
        complaint.notice_check_at = complaint.next_notice_check(settings, after=now)
        uow.commit()
        return len(issued)


# --- facts from returns and finance (rule P8) ---------------------------------------
def _apply_fact(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str | None,
    fact: Callable[[Complaint, datetime], Any],
) -> bool:
    """Move the case's actions along by ``fact``; an event for no case or an unknown one
    changes nothing (its inbox row is written all the same)."""
    if not complaint_id:
        return False
    now = utcnow()
    with uow:
        complaint = uow.complaints.find(complaint_id, for_update=True)
        if complaint is None:
            uow.commit()
            return False
        fact(complaint, now)
        _commit(uow, complaint, settings)
        return True


def handle_return_authorized(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str | None, return_id: str
) -> bool:
    """The return authorization for the case's goods-back actions exists (rule P8)."""
    return _apply_fact(
        uow, settings, complaint_id, lambda case, now: case.return_authorized(return_id, now)
    )


def handle_return_received(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str | None, return_id: str
) -> bool:
    """The warehouse signed for the returned goods (rule P8)."""
    return _apply_fact(
        uow,
        settings,
        complaint_id,
        lambda case, now: case.return_received(return_id, now, settings=settings),
    )


def handle_return_inspected(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str | None, return_id: str
) -> bool:
    """Quality inspected the return: a rework action is done (rule P8)."""
    return _apply_fact(
        uow,
        settings,
        complaint_id,
        lambda case, now: case.return_inspected(return_id, now, settings=settings),
    )


def handle_replenishment_shipped(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str | None,
    shipment_id: str,
    action_id: str | None = None,
) -> bool:
    """The warehouse shipped a replenishment or an exchange's replacement (rule P8)."""
    return _apply_fact(
        uow,
        settings,
        complaint_id,
        lambda case, now: case.replenishment_shipped(
            shipment_id, now, action_id=action_id, settings=settings
        ),
    )


def handle_voucher_issued(
    uow: UnitOfWork,
    settings: ComplaintSettings,
    complaint_id: str | None,
    voucher_id: str,
    voucher_type: str,
    action_id: str | None = None,
    amount: Decimal | None = None,
) -> bool:
    """Finance issued a voucher: it settles the actions it pays for (rule P8)."""
    return _apply_fact(
        uow,
        settings,
        complaint_id,
        lambda case, now: case.voucher_issued(
            voucher_id, voucher_type, now, action_id=action_id, amount=amount, settings=settings
        ),
    )


def handle_reconciliation_exception(
    uow: UnitOfWork, settings: ComplaintSettings, complaint_id: str | None, reconciliation_id: str
) -> bool:
    """Finance holds a return for a decision: finance gets a reminder (rule P10)."""
    return _apply_fact(
        uow,
        settings,
        complaint_id,
        lambda case, now: case.reconciliation_exception(reconciliation_id, now),
    )
