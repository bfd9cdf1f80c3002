"""Replenishment shipments (质量补货发货单): rule R5. A replenishment action, or the
replacement side of an exchange, ships against its case, with carrier and tracking no."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from returns.commands import AcceptedPlan, ShipReplenishment
from returns.domain.shared import aware, required_text
from servicekit.contracts.returns_vocabulary import (
    REPLENISHMENT_SHIPPED,
    SHIPPED_ACTIONS,
    AlreadyShipped,
    CaseRequired,
    NothingToReturn,
)
from servicekit.domain import Aggregate, new_id


@dataclass(frozen=True)
class ShipmentLine:
    sku: str
    quantity: int

    def payload(self) -> dict[str, Any]:
        return {"sku": self.sku, "quantity": self.quantity}


class Replenishment(Aggregate):
    entity_type = "replenishment"

    def __init__(
        self,
        *,
        complaint_id: str | None,
        customer_id: str,
        lines: list[ShipmentLine],
        by: str,
        now: datetime,
        plan_id: str | None = None,
        action_id: str | None = None,
    ) -> None:
        if complaint_id is None or not complaint_id.strip():
            raise CaseRequired(details={"complaint_id": ["required"]})  # rule R5
        if not lines or any(line.quantity < 1 for line in lines):
            raise NothingToReturn("A shipment needs lines with a quantity of at least 1.")
        now = aware(now)
        self.id = new_id()
        self.complaint_id = complaint_id
        self.plan_id = plan_id
        self.action_id = action_id
        self.customer_id = customer_id
        self.lines = list(lines)
        self.status = "pending"
        self.carrier = None
        self.tracking_no = None
        self.created_at = now
        self.updated_at = now
        self.shipped_at = None
        self.shipped_by = None
        self._note(
            by,
            "created",
            {"complaint_id": complaint_id, "action_id": action_id, "lines": self.payload_lines()},
            at=now,
        )

    @classmethod
    def for_plan(cls, plan: AcceptedPlan, by: str, now: datetime) -> list[Replenishment]:
        """rule R5: one shipment per replenishment action and per exchange's replacement."""
        return [
            cls(
                complaint_id=plan.complaint_id,
                customer_id=plan.customer_id,
                lines=[ShipmentLine(line.sku, line.quantity) for line in action.lines],
                by=by,
                now=now,
                plan_id=plan.plan_id,
                action_id=action.action_id,
            )
            for action in plan.actions
            if action.type in SHIPPED_ACTIONS and action.lines
        ]

    def payload_lines(self) -> list[dict[str, Any]]:
        return [line.payload() for line in self.lines]

    def ship(self, shipment: ShipReplenishment, by: str, now: datetime) -> None:
        """rule R5: picked and checked, it leaves with its carrier and tracking number."""
        if self.shipped_at is not None:
            raise AlreadyShipped(details={"status": self.status})
        carrier = required_text("carrier", shipment.carrier)
        tracking_no = required_text("tracking_no", shipment.tracking_no)
        now = aware(now)
        self.status = "shipped"
        self.carrier = carrier
        self.tracking_no = tracking_no
        self.shipped_at = now
        self.shipped_by = by
        self.updated_at = now
        self._note(
            by,
            "shipped",
            {
                "status": {"old": "pending", "new": "shipped"},
                "carrier": carrier,
                "tracking_no": tracking_no,
            },
            at=now,
        )
        self._record_event(
            REPLENISHMENT_SHIPPED,
            {
                "shipment_id": self.id,
                "complaint_id": self.complaint_id,
                "customer_id": self.customer_id,
                "action_id": self.action_id,
                "lines": self.payload_lines(),
                "carrier": carrier,
                "tracking_no": tracking_no,
                "shipped_at": now.isoformat(),
            },
        )
