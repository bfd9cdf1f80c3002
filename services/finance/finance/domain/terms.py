"""Finance's own copy of a customer's card (rule X1): name, status, credit limit,
settlement terms, discount, over-acceptance ratio and owner, from ``customer.*`` events.

Events may arrive late and out of order. Each part of the copy remembers the newest fact
it took: the customer's ``version`` when the event carries one, else the time the event
occurred. A fact older than what a part holds leaves that part alone, so a late, older
event never overwrites a newer one. The parts are kept apart because ``owner_changed``
carries no terms: a late terms event older than an owner change still brings its terms.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from finance.commands import CustomerFact
from servicekit.contracts.finance_vocabulary import (
    MONTHLY_STATEMENT,
    SETTLEMENT_DAYS,
)
from servicekit.errors import invalid_fields

# part -> the fields it holds (rule X1)
PARTS = {
    "card": ("name", "status"),
    "owner": ("owner",),
    "terms": ("credit_limit", "settlement_terms", "discount", "over_acceptance_ratio"),
}
_NEVER = (-2, datetime.min.replace(tzinfo=UTC))


def fact_key(version: int | None, at: datetime | None) -> tuple[int, datetime]:
    """How new a fact is: the customer's version first (a fact without one is older than
    every versioned fact), then when it occurred."""
    return (-1 if version is None else version, at or _NEVER[1])


def due_date_for(terms: str | None, invoiced_on: date) -> date:
    """An invoice's due date under the settlement terms (rule F4): net_N -> N days later,
    cash on delivery -> the same day, a monthly statement -> the last day of the next
    month."""
    if terms in SETTLEMENT_DAYS:
        return invoiced_on + timedelta(days=SETTLEMENT_DAYS[terms])
    if terms == MONTHLY_STATEMENT:
        month = invoiced_on.month % 12 + 1  # the next month
        year = invoiced_on.year + (month == 1)
        return date(year, month, calendar.monthrange(year, month)[1])
    raise invalid_fields(
        {"due_date": ["required: finance does not know the customer's settlement terms"]}
    )


class Terms:
    """Mixed into ``Account``: the card as finance last learned it."""

    id: str
    name: str | None
    status: str | None
    owner: str | None
    credit_limit: Decimal | None
    settlement_terms: str | None
    discount: Decimal | None
    over_acceptance_ratio: Decimal | None
    card_version: int | None
    card_at: datetime | None
    owner_version: int | None
    owner_at: datetime | None
    terms_version: int | None
    terms_at: datetime | None
    updated_at: datetime

    @property
    def known(self) -> bool:
        """Whether a customer event has reached finance (a ledger may exist before it:
        a credit from a return names its customer)."""
        return self.card_at is not None

    def _seen(self, part: str) -> tuple[int, datetime]:
        at = getattr(self, f"{part}_at")
        if at is None:
            return _NEVER
        return fact_key(getattr(self, f"{part}_version"), at)

    def learn(self, fact: CustomerFact, now: datetime) -> dict[str, Any]:
        """Take what ``fact`` says into the parts it is newer for (rule X1); the changes
        made, ``{}`` when the fact was older everywhere or said nothing new."""
        key = fact_key(fact.version, fact.occurred_at or now)
        parts = ("card", "owner", "terms") if fact.terms else ("card", "owner")
        changes: dict[str, Any] = {}
        taken = []
        for part in parts:
            if key < self._seen(part):
                continue  # a newer fact is in already
            taken.append(part)
            setattr(self, f"{part}_version", fact.version)
            setattr(self, f"{part}_at", key[1])
            for field in PARTS[part]:
                new = getattr(fact, field)
                if part == "card" and new is None:
                    continue  # an event without a name or status leaves them
                old = getattr(self, field)
                if old != new:
                    changes[field] = {"old": _plain(old), "new": _plain(new)}
                    setattr(self, field, new)
        if taken:
            self.updated_at = now
        if changes:
            self._note(
                "customer",
                "card_learned",
                {**changes, "version": fact.version, "occurred_at": key[1].isoformat()},
                at=now,
            )
        return changes

    def tolerance(self, company_default: Decimal) -> Decimal:
        """rule F1: the customer's over-acceptance ratio, or the company default."""
        if self.over_acceptance_ratio is None:
            return company_default
        return self.over_acceptance_ratio

    def due_date(self, invoiced_on: date) -> date:
        return due_date_for(self.settlement_terms, invoiced_on)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
