"""What the returns domain's modules share: lines, receipts, stock movements, scrap records,
numbers and checks of given values. Standard library only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.commands import ReturnLine
from servicekit.contracts.returns_vocabulary import NothingToReturn
from servicekit.errors import Invalid


def return_number(year: int, sequence: int) -> str:
    """The readable number of a return authorization (成品退货单, rule R1): ``RA-2026-000123``."""
    return f"RA-{year}-{sequence:06d}"


def aware(now: datetime) -> datetime:
    """Times come in timezone-aware (UTC); a naive one is a caller's bug, not a request's."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return now


def required_text(field: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise Invalid(f"{field} is required.", {field: ["required"]})
    return value.strip()


@dataclass(eq=False, kw_only=True)
class AuthorizedLine:
    """rule R1: product, authorized quantity, unit price, reason and handling method; what
    arrived (rule R2) and quality's split of it (rule R3)."""

    sku: str
    authorized_quantity: int
    unit_price: Decimal
    description: str | None = None
    reason: str | None = None
    handling: str | None = None
    received_quantity: int = 0
    good: int | None = None
    rework: int | None = None
    scrap: int | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "authorized_quantity": self.authorized_quantity,
            "received_quantity": self.received_quantity,
            "unit_price": str(self.unit_price),
            "good": self.good,
            "rework": self.rework,
            "scrap": self.scrap,
        }


def authorized_lines(lines: Iterable[ReturnLine]) -> list[AuthorizedLine]:
    """One line per sku (receipts and inspections name a sku); the same sku at the same
    price from two actions adds up. Refused: no line, a quantity under one, or one sku at
    two prices (a scan could not tell which line it fills)."""
    merged: dict[str, AuthorizedLine] = {}
    for line in lines:
        if line.quantity < 1:
            raise NothingToReturn(details={"lines": [f"{line.sku}: quantity must be at least 1"]})
        known = merged.get(line.sku)
        if known is None:
            merged[line.sku] = AuthorizedLine(
                sku=line.sku,
                authorized_quantity=line.quantity,
                unit_price=line.unit_price,
                description=line.description,
                reason=line.reason,
                handling=line.handling,
            )
        elif known.unit_price != line.unit_price:
            raise Invalid(
                "One sku is returned at one unit price.",
                {"lines": [f"{line.sku}: {known.unit_price} and {line.unit_price}"]},
            )
        else:
            known.authorized_quantity += line.quantity
    if not merged:
        raise NothingToReturn()
    return list(merged.values())


@dataclass(frozen=True)
class ReceivedLine:
    sku: str
    quantity: int
    lot: str | None = None

    def payload(self) -> dict[str, Any]:
        return {"sku": self.sku, "quantity": self.quantity, "lot": self.lot}


@dataclass(eq=False)
class Receipt:
    """One scan (rule R2); its ``scan_id`` is unique per return. Written once and never
    changed (not ``frozen``: the ORM maps it, and SQLAlchemy sets state on its instances)."""

    return_id: str
    scan_id: str
    scanner_id: str
    lines: tuple[ReceivedLine, ...]
    received_by: str
    received_at: datetime

    def payload(self) -> dict[str, Any]:
        return {
            "return_id": self.return_id,
            "scan_id": self.scan_id,
            "scanner_id": self.scanner_id,
            "lines": [line.payload() for line in self.lines],
            "received_by": self.received_by,
            "received_at": self.received_at.isoformat(),
        }


@dataclass(eq=False)
class StockMovement:
    """A stock effect of an inspection: good units back in (rule R3, positive quantity),
    scrap out (rule R4, negative quantity)."""

    return_id: str
    sku: str
    kind: str
    quantity: int
    at: datetime
    by: str


@dataclass(eq=False)
class ScrapRecord:
    """rule R4: the scrapped product, its spec and quantity (报废单)."""

    return_id: str
    sku: str
    spec: str | None
    quantity: int
    at: datetime
    by: str
