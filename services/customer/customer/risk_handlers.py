"""Use cases of the risk level (rule C8): assessed from the summaries after every fact and
daily; a rise raises a risk warning, a rise to high also proposes tighter terms as a
change request (rule C4) and requires a guarantee."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from customer.domain import ChangeRequest, Customer, CustomerSettings
from customer.domain.key_accounts import KeyAccount
from customer.domain.risk import (
    RiskAssessment,
    RiskInputs,
    RiskRecord,
    assess,
    risk_card,
    risk_reason,
    tightened_terms,
)
from customer.domain.summaries import CustomerSummary
from customer.warning_handlers import raise_warning
from servicekit.contracts.customer_grading_vocabulary import SYSTEM
from servicekit.db import UnitOfWork


def risk_inputs(
    customer: Customer, summary: CustomerSummary, today: date, settings: CustomerSettings
) -> RiskInputs:
    window = today - timedelta(days=max(settings.risk_complaint_window_days, 1) - 1)
    return RiskInputs(
        balance=summary.balance,
        overdue=summary.overdue_on(today),
        oldest_overdue_days=summary.oldest_overdue_days(today),
        credit_limit=customer.credit_limit,
        open_complaints=summary.open_complaints(),
        recent_complaints=summary.complaints_between(
            window, today, settings.business_utc_offset_hours
        ),
    )


def review_risk(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer,
    summary: CustomerSummary,
    account: KeyAccount | None,
    today: date,
    now: datetime,
) -> RiskRecord:
    """rule C8: the level now; a rise raises a warning naming the owner, and a rise to
    high proposes the tighter terms (never applied here: the change request waits for
    the market manager and finance, rule C4)."""
    assessment = assess(risk_inputs(customer, summary, today, settings), settings)
    record = uow.risks.get_or_add(customer.id, now)
    previous = record.reassess(assessment, now)
    risk_card(customer, record, now)
    if previous is None:
        return record
    reason = f"{risk_reason(assessment)}, was {previous}"
    details = {
        "level": {"old": previous, "new": assessment.level},
        "points": assessment.points,
        "factors": assessment.factors,
    }
    if assessment.level == "high":
        request = propose_tighter_terms(uow, settings, customer, record, assessment, now)
        details["change_request_id"] = request.id if request else None
        details["guarantee_required"] = True
        reason += "; a guarantee is required" + (
            f" and tighter terms are proposed ({', '.join(sorted(request.changes))})"
            if request
            else ""
        )
    raise_warning(
        uow,
        customer,
        account,
        "risk",
        f"risk:{assessment.level}:{now.isoformat()}",
        reason,
        details,
        now,
    )
    return record


def propose_tighter_terms(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer,
    record: RiskRecord,
    assessment: RiskAssessment,
    now: datetime,
) -> ChangeRequest | None:
    """rule C8: a change request cutting the credit limit and shortening the terms, by
    the system, decided like any other (rule C4); the open one if there is one already,
    None when there is nothing to tighten."""
    request = uow.risks.open_request(customer.id)
    if request is None:
        changes = tightened_terms(customer.credit_limit, customer.settlement_terms, settings)
        if not changes:
            return None
        reason = (
            f"rule C8: {risk_reason(assessment)}: cut the credit limit, shorten the"
            " settlement terms; a guarantee is required"
        )
        request = ChangeRequest(customer, changes, reason, SYSTEM, settings, now)
        uow.change_requests.add(request)
    record.change_request_id = request.id
    return request
