"""Typed commands of the returns service: what its schemas (``servicekit.contracts.returns``)
will hand the handlers once a payload is checked. Standard library only; the values are
parsed already (Decimal money, int quantities, tuples of lines)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ReturnLine:
    """One line to authorize (rule R1): product, quantity, unit price, reason, handling."""

    sku: str
    quantity: int
    unit_price: Decimal
    description: str | None = None
    reason: str | None = None
    handling: str | None = None


@dataclass(frozen=True)
class PlanAction:
    """One action of a customer-accepted plan (``complaints.plan_accepted``)."""

    action_id: str
    type: str
    lines: tuple[ReturnLine, ...] = ()


@dataclass(frozen=True)
class AcceptedPlan:
    """A customer-accepted plan (rule R1, rule R5); ``owner`` is the case's sales clerk,
    who answers for a difference at sign-off (rule R2)."""

    complaint_id: str
    plan_id: str
    customer_id: str
    actions: tuple[PlanAction, ...]
    owner: str | None = None


@dataclass(frozen=True)
class ScanLine:
    sku: str
    quantity: int
    lot: str | None = None


@dataclass(frozen=True)
class PostReceipt:
    """A scanner's post (rule R2); ``scan_id`` makes a resent scan harmless."""

    scan_id: str
    scanner_id: str
    lines: tuple[ScanLine, ...]


@dataclass(frozen=True)
class InspectionLine:
    sku: str
    good: int
    rework: int
    scrap: int


@dataclass(frozen=True)
class RecordInspection:
    """Quality's split of what was received (rule R3), witnessed by the sales clerk."""

    witness: str
    lines: tuple[InspectionLine, ...]


@dataclass(frozen=True)
class ShipReplenishment:
    carrier: str
    tracking_no: str


@dataclass(frozen=True)
class FileReturnRequest:
    """A sales return request not tied to a complaint (seed 002)."""

    customer_id: str
    request_class: str
    basis: str
    lines: tuple[ReturnLine, ...]


@dataclass(frozen=True)
class DecideReturnRequest:
    decision: str
    comment: str | None = None
