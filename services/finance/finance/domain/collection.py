"""The collection rate of a sales person (应收账款回收率): rule F6. Receivables tied to open
complaints are left out: finance follows which complaints are open from
``complaints.complaint_registered`` / ``complaint_closed`` / ``complaint_rejected``.

Over a period, the receivable is what fell due in it (invoices due from ``start`` to
``end``, less the credits that settled them) and the collected part what payments dated
up to ``end`` settled of it (``ledger.allocate``: first due, first settled)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from finance.commands import ComplaintFact
from finance.domain.account import Account
from finance.domain.ledger import LedgerEntry, allocate
from finance.domain.shared import aware, total
from servicekit.errors import invalid_fields

RATE_PLACES = Decimal("0.0001")


class TrackedComplaint:
    """A complaint as finance follows it (rule F6): open from registration until closed
    or rejected; an end that arrives before the registration is kept (an ended complaint
    never opens again)."""

    def __init__(self, fact: ComplaintFact) -> None:
        self.id = fact.complaint_id
        self.customer_id = fact.customer_id
        self.number = fact.number
        self.order_no = fact.order_no
        self.open = fact.open
        self.opened_at = aware(fact.at) if fact.open else None
        self.ended_at = None if fact.open else aware(fact.at)

    def learn(self, fact: ComplaintFact) -> bool:
        """Whether the complaint changed (False for a repeat or a late registration)."""
        if fact.open:
            changed = self.opened_at is None
            self.opened_at = self.opened_at or aware(fact.at)
            self.order_no = self.order_no or fact.order_no
            self.number = self.number or fact.number
            return changed
        if not self.open:
            return False
        self.open = False
        self.ended_at = aware(fact.at)
        return True


def tied(entry: LedgerEntry, open_complaints: Iterable[TrackedComplaint]) -> bool:
    """rule F6: an invoice is tied to an open complaint of its customer on its order, or
    to any open complaint of its customer when it names no order."""
    return any(
        c.open
        and c.customer_id == entry.customer_id
        and (entry.order_no is None or c.order_no is None or c.order_no == entry.order_no)
        for c in open_complaints
    )


@dataclass(frozen=True)
class CollectionRate:
    owner: str
    start: date
    end: date
    receivable: Decimal
    collected: Decimal
    rate: Decimal | None  # None when nothing fell due
    excluded: Decimal  # due in the period but tied to open complaints
    invoices: int
    excluded_invoices: int


def collection_rate(
    accounts: Iterable[Account],
    owner: str,
    start: date,
    end: date,
    open_complaints: Iterable[TrackedComplaint],
) -> CollectionRate:
    """rule F6: ``owner``'s collected / receivable over ``start``..``end`` (inclusive),
    leaving out invoices tied to open complaints. An invoice counts for the owner it was
    recorded under (the customer's owner at the time), else for the customer's owner now."""
    if end < start:
        raise invalid_fields({"to": ["must not be before from"]})
    complaints = list(open_complaints)
    receivable, collected, excluded = [], [], []
    counted = left_out = 0
    for account in accounts:
        for state in allocate(account.entries):
            entry = state.entry
            if (entry.owner or account.owner) != owner:
                continue
            if entry.due_date is None or not start <= entry.due_date <= end:
                continue
            due = entry.amount - state.credited
            if tied(entry, complaints):
                excluded.append(due)
                left_out += 1
                continue
            counted += 1
            receivable.append(due)
            collected.extend(amount for on, amount in state.payments if on <= end)
    receivable_sum, collected_sum = total(receivable), total(collected)
    rate = None
    if receivable_sum > 0:
        rate = (collected_sum / receivable_sum).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return CollectionRate(
        owner, start, end, receivable_sum, collected_sum, rate, total(excluded), counted, left_out
    )
