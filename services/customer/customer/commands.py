"""Typed commands of the customer service: what its schemas
(``servicekit.contracts.customer``) hand the handlers once a payload is checked.
Standard library only; the values are parsed already (Decimal, bool, lists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CreateCustomer:
    """A new card (rule C1, rule C2, rule C3); the terms are its proposal until approval."""

    name: str
    nature: str
    status: str = "pending_approval"
    contacts: list[dict] = field(default_factory=list)
    payment_method: str = "bank_transfer"
    settlement_terms: str = "cash_on_delivery"
    discount: Decimal = Decimal("1.00")
    credit_limit: Decimal = Decimal("0.00")
    over_acceptance_ratio: Decimal | None = None
    pickup: bool = False
    region: str | None = None
    industry: str | None = None
    address: str | None = None
    license_no: str | None = None
    tax_no: str | None = None
    owner: str | None = None
    legal_representative: str | None = None
    business_scope: str | None = None
    purchase_needs: str | None = None
    purchase_frequency: str | None = None


@dataclass(frozen=True)
class UpdateCustomer:
    """The card fields to change (a PATCH: only those given, None clears)."""

    changes: dict[str, Any]


@dataclass(frozen=True)
class ChangeStatus:
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class RequestChange:
    """New terms asked for (rule C4), with the reason."""

    reason: str
    terms: dict[str, Any]

    @classmethod
    def of(cls, reason: str, **terms: Any) -> RequestChange:
        return cls(reason, terms)


@dataclass(frozen=True)
class DecideChangeRequest:
    decision: str
    comment: str | None = None
