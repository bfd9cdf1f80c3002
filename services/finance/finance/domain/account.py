"""A customer's account with finance: its copy of the card (rule X1) and its receivables
ledger (rule F4); the credit check reads both (rule F5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from finance.domain.ledger import Ledger, LedgerEntry
from finance.domain.shared import aware
from finance.domain.terms import Terms
from servicekit.contracts.finance_vocabulary import ORDERING_STATUSES
from servicekit.domain import Aggregate, money


class Account(Terms, Ledger, Aggregate):
    entity_type = "account"

    def __init__(self, customer_id: str, now: datetime) -> None:
        now = aware(now)
        self.id = customer_id
        self.name = None
        self.status = None
        self.owner = None
        self.credit_limit = None
        self.settlement_terms = None
        self.discount = None
        self.over_acceptance_ratio = None
        for part in ("card", "owner", "terms"):
            setattr(self, f"{part}_version", None)
            setattr(self, f"{part}_at", None)
        self.entries: list[LedgerEntry] = []
        self.created_at = now
        self.updated_at = now


@dataclass(frozen=True)
class CreditDecision:
    """rule F5: ``pass`` or ``hold`` with its reason (a code of ``CREDIT_REASONS``)."""

    customer_id: str
    amount: Decimal
    decision: str
    reason: str
    available_credit: Decimal | None
    credit_limit: Decimal | None
    open_balance: Decimal
    overdue: Decimal
    settlement_terms: str | None


def check_credit(
    account: Account | None, customer_id: str, amount: Decimal, today: date
) -> CreditDecision:
    """rule F5: ``available_credit`` = credit limit - open balance, before this order; pass
    when the amount fits in it and nothing is overdue past the terms. A customer finance
    has no card of, one that may not order, or one whose terms are not in effect is held."""
    amount = money(amount)
    if account is None:
        return CreditDecision(
            customer_id, amount, "hold", "unknown_customer", None, None, money(0), money(0), None
        )
    state = account.statement(today)

    def decide(reason: str, available: Decimal | None) -> CreditDecision:
        return CreditDecision(
            customer_id,
            amount,
            "pass" if reason == "within_credit" else "hold",
            reason,
            available,
            account.credit_limit,
            state.balance,
            state.overdue,
            account.settlement_terms,
        )

    if not account.known:
        return decide("unknown_customer", None)
    if account.status not in ORDERING_STATUSES:
        return decide("customer_not_active", None)
    if account.credit_limit is None:
        return decide("no_credit_terms", None)
    available = money(account.credit_limit - state.balance)
    if state.overdue > 0:
        return decide("overdue", available)
    if amount > available:
        return decide("over_credit_limit", available)
    return decide("within_credit", available)
