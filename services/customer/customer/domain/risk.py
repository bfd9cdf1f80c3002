"""Risk level high / medium / low (rule C8) from the customer's credit record, overdue
receivables, disputes and complaints.

Each factor scores 0, 1 or 2 points against two thresholds (settings); the level is high
from ``risk_high_points``, medium from ``risk_medium_points``, low below:

- overdue: the overdue share of the balance (``risk_overdue_share_*``);
- credit record: how long the oldest unpaid amount is past due (``risk_overdue_days_*``),
  and a balance above the credit limit (one point);
- disputes: complaint cases still open (``risk_disputes_*``);
- complaints: cases registered in the last ``risk_complaint_window_days``
  (``risk_complaints_*``).

A rise to high cuts the credit limit, shortens the settlement terms and requires a
guarantee; that is proposed as a change request (rule C4) for the market manager and
finance to decide, never applied silently. Any rise raises a risk warning (风险预警).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customer.domain.card import Customer, CustomerSettings
from servicekit.contracts.customer_grading_vocabulary import RISK_LEVELS, SYSTEM
from servicekit.contracts.customer_vocabulary import SETTLEMENT_TERMS
from servicekit.domain import Aggregate, money

ZERO = Decimal("0")


@dataclass(frozen=True)
class RiskInputs:
    balance: Decimal
    overdue: Decimal
    oldest_overdue_days: int
    credit_limit: Decimal | None
    open_complaints: int  # disputes in progress
    recent_complaints: int  # registered in the risk window


@dataclass(frozen=True)
class RiskAssessment:
    level: str
    points: int
    factors: dict[str, dict[str, Any]]


def _against(value, medium, high) -> int:
    """0, 1 or 2 points: 1 from ``medium``, 2 from ``high`` (both inclusive)."""
    if value >= high:
        return 2
    if value >= medium:
        return 1
    return 0


def overdue_share(inputs: RiskInputs) -> Decimal:
    """The overdue share of the balance, exact (compared unrounded: 99.99 of 1000.00 is
    below a 0.10 threshold)."""
    if inputs.balance <= 0 or inputs.overdue <= 0:
        return ZERO
    return min(inputs.overdue / inputs.balance, Decimal(1))


def over_limit(inputs: RiskInputs) -> bool:
    return bool(inputs.credit_limit) and inputs.balance > inputs.credit_limit


def assess(inputs: RiskInputs, settings: CustomerSettings) -> RiskAssessment:
    """rule C8: the level and, per factor, its value and points."""
    share = overdue_share(inputs)
    days = inputs.oldest_overdue_days
    credit_points = _against(
        days, settings.risk_overdue_days_medium, settings.risk_overdue_days_high
    )
    if over_limit(inputs):
        credit_points = min(credit_points + 1, 2)
    factors = {
        "overdue": {
            "overdue": str(money(inputs.overdue)),
            "balance": str(money(inputs.balance)),
            "share": str(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)),
            "points": _against(
                share, settings.risk_overdue_share_medium, settings.risk_overdue_share_high
            ),
        },
        "credit_record": {
            "oldest_overdue_days": days,
            "over_credit_limit": over_limit(inputs),
            "points": credit_points,
        },
        "disputes": {
            "open_complaints": inputs.open_complaints,
            "points": _against(
                inputs.open_complaints, settings.risk_disputes_medium, settings.risk_disputes_high
            ),
        },
        "complaints": {
            "recent": inputs.recent_complaints,
            "window_days": settings.risk_complaint_window_days,
            "points": _against(
                inputs.recent_complaints,
                settings.risk_complaints_medium,
                settings.risk_complaints_high,
            ),
        },
    }
    points = sum(f["points"] for f in factors.values())
    if points >= settings.risk_high_points:
        level = "high"
    elif points >= settings.risk_medium_points:
        level = "medium"
    else:
        level = "low"
    return RiskAssessment(level, points, factors)


def rose(previous: str | None, level: str) -> bool:
    """A move up the levels (no level yet counts as low)."""
    return RISK_LEVELS.index(level) > RISK_LEVELS.index(previous or "low")


def tightened_terms(
    credit_limit: Decimal | None, settlement_terms: str | None, settings: CustomerSettings
) -> dict[str, Any]:
    """rule C8: the terms a high risk asks for: the credit limit cut by
    ``risk_credit_cut``, the settlement terms ``risk_terms_steps`` shorter (CONTRACT lists
    them shorter first). Only what would change."""
    changes: dict[str, Any] = {}
    if credit_limit and credit_limit > 0 and settings.risk_credit_cut > 0:
        cut = money(credit_limit * (1 - min(settings.risk_credit_cut, Decimal(1))))
        if cut != credit_limit:
            changes["credit_limit"] = cut
    if settlement_terms in SETTLEMENT_TERMS and settings.risk_terms_steps > 0:
        index = SETTLEMENT_TERMS.index(settlement_terms)
        shorter = SETTLEMENT_TERMS[max(index - settings.risk_terms_steps, 0)]
        if shorter != settlement_terms:
            changes["settlement_terms"] = shorter
    return changes


def risk_reason(assessment: RiskAssessment) -> str:
    """Why the risk is what it is, in a line for people (warnings, change requests)."""
    named = [f"{name} {f['points']}" for name, f in assessment.factors.items() if f["points"]]
    return f"risk {assessment.level} ({assessment.points} points: {', '.join(named) or 'none'})"


class RiskRecord(Aggregate):
    """A customer's risk level and why (rule C8). ``guarantee_required`` is set when the
    level rises to high and cleared when it falls below high; ``change_request_id`` names
    the change request that proposed the tighter terms."""

    entity_type = "customer_risk"

    def __init__(self, customer_id: str, now: datetime) -> None:
        self.id = customer_id
        self.level: str | None = None
        self.points = 0
        self.factors: dict[str, Any] = {}
        self.assessed_at: datetime | None = None
        self.raised_at: datetime | None = None
        self.guarantee_required = False
        self.change_request_id: str | None = None
        self.created_at = now

    def reassess(self, assessment: RiskAssessment, now: datetime) -> str | None:
        """Take ``assessment``; the level before when the level rose, else None."""
        previous = self.level
        self.level = assessment.level
        self.points = assessment.points
        self.factors = assessment.factors
        self.assessed_at = now
        if assessment.level == "high" and previous != "high":
            self.guarantee_required = True
        elif assessment.level != "high" and self.guarantee_required:
            self.guarantee_required = False
        if rose(previous, assessment.level):
            self.raised_at = now
            return previous or "low"
        return None


def risk_card(customer: Customer, record: RiskRecord, now: datetime) -> bool:
    """The card shows the record's level; a change goes into the card's history (who:
    the system). True when the level changed."""
    previous = customer.risk
    if previous == record.level:
        return False
    customer.risk = record.level
    customer._note(  # the card's own history (card.py's Customer keeps it)
        SYSTEM,
        "risk_changed",
        {
            "risk": {"old": previous, "new": record.level},
            "points": record.points,
            "guarantee_required": record.guarantee_required,
        },
        at=now,
    )
    return True
