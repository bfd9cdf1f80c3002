"""Typed commands of the returns service: what its schemas (``servicekit.contracts.returns``)
will hand the handlers once a payload is checked. Standard library only; the values are
parsed already (Decimal money, int quantities, tuples of lines)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


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

    @classmethod
    def of(
        cls, action_id: str, type: str, lines: Iterable[Mapping[str, Any]] = (), **_: Any
    ) -> PlanAction:
        """From an action of ``complaints.plan_accepted`` (its amount is finance's)."""
        return cls(action_id, type, _return_lines(lines))


@dataclass(frozen=True)
class AcceptedPlan:
    """A customer-accepted plan (rule R1, rule R5); ``owner`` is the case's sales clerk,
    who answers for a difference at sign-off (rule R2)."""

    complaint_id: str
    plan_id: str
    customer_id: str
    actions: tuple[PlanAction, ...]
    owner: str | None = None

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> AcceptedPlan:
        """From a loaded ``complaints.plan_accepted`` payload."""
        return cls(
            complaint_id=event["complaint_id"],
            plan_id=event["plan_id"],
            customer_id=event["customer_id"],
            actions=tuple(PlanAction.of(**action) for action in event["actions"]),
            owner=event.get("owner"),
        )


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

    @classmethod
    def of(cls, lines: Iterable[Mapping[str, Any]], **scan: Any) -> PostReceipt:
        return cls(lines=tuple(ScanLine(**line) for line in lines), **scan)


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

    @classmethod
    def of(cls, witness: str, lines: Iterable[Mapping[str, Any]]) -> RecordInspection:
        return cls(witness, tuple(InspectionLine(**line) for line in lines))


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

    @classmethod
    def of(cls, lines: Iterable[Mapping[str, Any]], **form: Any) -> FileReturnRequest:
        return cls(lines=_return_lines(lines), **form)


@dataclass(frozen=True)
class DecideReturnRequest:
    decision: str
    comment: str | None = None


_LINE_FIELDS = ("sku", "quantity", "unit_price", "description", "reason", "handling")


def _return_lines(lines: Iterable[Mapping[str, Any]]) -> tuple[ReturnLine, ...]:
    """Lines from a loaded payload; fields a line does not keep (an event line's
    ``amount``) are left out."""
    return tuple(
        ReturnLine(**{key: line[key] for key in _LINE_FIELDS if key in line}) for line in lines
    )
