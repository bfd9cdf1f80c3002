"""Sales return requests (销售退货申请单, seed 002) under rule R1: a sales clerk files one
with its class and basis (退回依据), not tied to a complaint; the market manager approves
it (it yields a return authorization with no complaint) or rejects it with a comment."""

from __future__ import annotations

from datetime import datetime

from returns.commands import DecideReturnRequest, FileReturnRequest
from returns.domain.authorization import ReturnAuthorization
from returns.domain.shared import authorized_lines, aware, required_text
from servicekit.contracts.returns_vocabulary import RequestDecided
from servicekit.domain import Aggregate, new_id


class SalesReturnRequest(Aggregate):
    entity_type = "return_request"

    def __init__(self, request: FileReturnRequest, by: str, now: datetime) -> None:
        basis = required_text("basis", request.basis)
        authorized_lines(request.lines)  # rule R1: the same lines an authorization takes
        now = aware(now)
        self.id = new_id()
        self.customer_id = request.customer_id
        self.request_class = request.request_class
        self.basis = basis
        self.lines = list(request.lines)
        self.status = "pending"
        self.filed_by = by
        self.filed_at = now
        self.decided_by = None
        self.decided_at = None
        self.comment = None
        self.return_id = None
        self._note(
            by,
            "filed",
            {
                "class": request.request_class,
                "basis": basis,
                "lines": [
                    {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}
                    for line in self.lines
                ],
            },
            at=now,
        )

    def decide(
        self, decision: DecideReturnRequest, number: str, by: str, now: datetime
    ) -> ReturnAuthorization | None:
        """The market manager's decision; approved -> the authorization (rule R1), whose
        differences at sign-off go to the clerk who filed the request (rule R2)."""
        if self.decided_at is not None:
            raise RequestDecided(details={"status": self.status})
        now = aware(now)
        if decision.decision == "approve":
            comment = decision.comment
            authorization = ReturnAuthorization(
                number=number,
                customer_id=self.customer_id,
                lines=self.lines,
                by=by,
                now=now,
                request_id=self.id,
                owner=self.filed_by,
            )
            self.return_id = authorization.id
            status = "approved"
        else:  # reject: the reason is owed to the clerk
            comment = required_text("comment", decision.comment)
            authorization = None
            status = "rejected"
        self._note(
            by,
            status,
            {
                "status": {"old": self.status, "new": status},
                "comment": comment,
                "return_id": self.return_id,
            },
            at=now,
        )
        self.status = status
        self.comment = comment
        self.decided_by = by
        self.decided_at = now
        return authorization
