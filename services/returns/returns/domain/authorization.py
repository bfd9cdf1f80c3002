"""The return authorization (成品退货单): rule R1. One per customer-accepted plan with
goods coming back, or per approved sales return request (then with no complaint)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from returns.commands import AcceptedPlan, ReturnLine
from returns.domain.inspection import Inspection
from returns.domain.receiving import Receiving
from returns.domain.shared import authorized_lines, aware
from servicekit.contracts.returns_vocabulary import GOODS_BACK_ACTIONS, RETURN_AUTHORIZED
from servicekit.domain import Aggregate, new_id


class ReturnAuthorization(Receiving, Inspection, Aggregate):
    entity_type = "return"

    def __init__(
        self,
        *,
        number: str,
        customer_id: str,
        lines: Iterable[ReturnLine],
        by: str,
        now: datetime,
        complaint_id: str | None = None,
        plan_id: str | None = None,
        request_id: str | None = None,
        owner: str | None = None,
    ) -> None:
        now = aware(now)
        self.lines = authorized_lines(lines)  # rule R1
        self.id = new_id()
        self.number = number
        self.complaint_id = complaint_id
        self.plan_id = plan_id
        self.request_id = request_id
        self.customer_id = customer_id
        self.owner = owner  # the sales clerk a difference is charged to (rule R2)
        self.status = "authorized"
        self.receipts = []
        self.differences = []
        self.movements = []
        self.scrapped = []
        self.created_at = now
        self.updated_at = now
        self.received_at = None
        self.received_by = None
        self.posted_at = None
        self.inspected_at = None
        self.inspected_by = None
        self.witness = None
        self._note(
            by,
            "authorized",
            {
                "number": number,
                "complaint_id": complaint_id,
                "plan_id": plan_id,
                "request_id": request_id,
                "lines": [line.payload() for line in self.lines],
            },
            at=now,
        )
        self._record_event(
            RETURN_AUTHORIZED, {**self.event_head(), "authorized_at": now.isoformat()}
        )

    @classmethod
    def for_plan(
        cls, plan: AcceptedPlan, number: str, by: str, now: datetime
    ) -> ReturnAuthorization | None:
        """rule R1: the plan's return, exchange and rework lines on one authorization;
        None when the plan sends nothing back."""
        lines = [
            line
            for action in plan.actions
            if action.type in GOODS_BACK_ACTIONS
            for line in action.lines
        ]
        if not lines:
            return None
        return cls(
            number=number,
            customer_id=plan.customer_id,
            lines=lines,
            by=by,
            now=now,
            complaint_id=plan.complaint_id,
            plan_id=plan.plan_id,
            owner=plan.owner,
        )

    def event_head(self) -> dict[str, Any]:
        return {
            "return_id": self.id,
            "number": self.number,
            "complaint_id": self.complaint_id,
            "plan_id": self.plan_id,
            "request_id": self.request_id,
            "customer_id": self.customer_id,
            "lines": [line.payload() for line in self.lines],
        }
