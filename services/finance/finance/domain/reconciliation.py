"""Return reconciliation (核对): rule F1. Each received return is compared, line by line,
with the quantities its plan approved: an actual quantity up to approved x (1 + the
customer's over-acceptance ratio) is taken as it is and a voucher credits it; beyond that
the reconciliation is an exception held until finance resolves it.

Finance keeps what arrived of ``complaints.plan_accepted`` and ``returns.return_received``,
in whichever order they come, and reconciles a return once both are there. A return from
a sales return request (no plan) is reconciled against what the market manager authorized.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from finance.commands import (
    AcceptedPlan,
    PlanAction,
    PlanLine,
    ReceivedReturnFact,
    ResolveReconciliation,
    ReturnedLine,
    Share,
)
from finance.domain.shared import aware, line_amount, total
from servicekit.contracts.finance_vocabulary import (
    CREDITED_ACTIONS,
    RECONCILIATION_EXCEPTION,
    REWORK_ACTIONS,
    NotAnException,
    ResolutionMismatch,
)
from servicekit.domain import Aggregate, new_id


@dataclass(eq=False)
class Plan:
    """Finance's copy of a customer-accepted plan (rule X1), written once."""

    id: str  # the plan's id
    complaint_id: str
    customer_id: str
    accepted_at: datetime
    actions: tuple[PlanAction, ...]
    approved: tuple[PlanLine, ...]
    shares: tuple[Share, ...]
    complaint_number: str | None = None

    @classmethod
    def of(cls, plan: AcceptedPlan) -> Plan:
        return cls(
            plan.plan_id,
            plan.complaint_id,
            plan.customer_id,
            aware(plan.accepted_at),
            plan.actions,
            plan.approved,
            plan.shares,
            plan.complaint_number,
        )

    def approved_quantities(self) -> dict[str, int]:
        """Per sku, what the plan's return and exchange actions approved (rule F1)."""
        found: dict[str, int] = {}
        for line in self.approved:
            found[line.sku] = found.get(line.sku, 0) + line.quantity
        return found

    def rework_quantities(self) -> dict[str, int]:
        """Per sku, what comes back only to be reworked and sent again (never credited)."""
        found: dict[str, int] = {}
        for action in self.actions:
            if action.type in REWORK_ACTIONS:
                for line in action.lines:
                    found[line.sku] = found.get(line.sku, 0) + line.quantity
        return found

    def sends_goods_back(self) -> bool:
        return any(a.type in CREDITED_ACTIONS and a.lines for a in self.actions)


@dataclass(eq=False)
class ReceivedReturn:
    """What ``returns.return_received`` said of a return, kept until it is reconciled."""

    id: str  # the return's id
    customer_id: str
    lines: tuple[ReturnedLine, ...]
    received_at: datetime
    number: str | None = None
    complaint_id: str | None = None
    plan_id: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, fact: ReceivedReturnFact) -> ReceivedReturn:
        return cls(
            fact.return_id,
            fact.customer_id,
            fact.lines,
            aware(fact.received_at),
            fact.number,
            fact.complaint_id,
            fact.plan_id,
            fact.request_id,
        )

    @property
    def waits_for_plan(self) -> bool:
        """A return of a complaint is reconciled against its plan; one of a sales return
        request against its authorization."""
        return self.plan_id is not None or self.complaint_id is not None


@dataclass(eq=False, kw_only=True)
class ReconciliationLine:
    sku: str
    unit_price: Decimal
    approved_quantity: int
    actual_quantity: int
    accepted_quantity: int | None = None
    amount: Decimal | None = None

    def accept(self, quantity: int) -> None:
        self.accepted_quantity = quantity
        self.amount = line_amount(quantity, self.unit_price)

    def within(self, ratio: Decimal) -> bool:
        """rule F1: actual <= approved x (1 + ratio), exactly (no rounding): 10 approved at
        0.05 takes 10 and 10.5, not 11."""
        return Decimal(self.actual_quantity) <= Decimal(self.approved_quantity) * (1 + ratio)

    def payload(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "unit_price": str(self.unit_price),
            "approved_quantity": self.approved_quantity,
            "actual_quantity": self.actual_quantity,
            "accepted_quantity": self.accepted_quantity,
            "amount": None if self.amount is None else str(self.amount),
        }


def reconciliation_lines(returned: ReceivedReturn, plan: Plan | None) -> list[ReconciliationLine]:
    """One line per sku: approved by the plan (or authorized, with no plan) against what
    arrived. Units the plan sends back for rework are no credit: they are taken off the
    actual quantity first. A sku neither approved nor credited is left out."""
    approved = (
        plan.approved_quantities()
        if plan is not None
        else {x.sku: x.authorized_quantity for x in returned.lines}
    )
    rework = plan.rework_quantities() if plan is not None else {}
    prices = {x.sku: x.unit_price for x in returned.lines}
    if plan is not None:
        for line in plan.approved:
            prices.setdefault(line.sku, line.unit_price)
    actual: dict[str, int] = {}
    for line in returned.lines:
        actual[line.sku] = actual.get(line.sku, 0) + line.received_quantity
    lines = []
    for sku in sorted(set(approved) | set(actual)):
        credited = max(actual.get(sku, 0) - rework.get(sku, 0), 0)
        if approved.get(sku, 0) == 0 and credited == 0:
            continue
        lines.append(
            ReconciliationLine(
                sku=sku,
                unit_price=prices[sku],
                approved_quantity=approved.get(sku, 0),
                actual_quantity=credited,
            )
        )
    return lines


class Reconciliation(Aggregate):
    """rule F1: one per received return."""

    entity_type = "reconciliation"

    def __init__(
        self,
        returned: ReceivedReturn,
        plan: Plan | None,
        ratio: Decimal,
        now: datetime,
        by: str = "finance",
    ) -> None:
        now = aware(now)
        self.id = new_id()
        self.return_id = returned.id
        self.return_number = returned.number
        self.complaint_id = returned.complaint_id or (plan.complaint_id if plan else None)
        self.plan_id = plan.id if plan is not None else None
        self.customer_id = returned.customer_id
        self.ratio = ratio
        self.lines = reconciliation_lines(returned, plan)
        self.received_at = returned.received_at
        self.voucher_id = None
        self.created_at = now
        self.updated_at = now
        self.resolved_at = None
        self.resolved_by = None
        self.comment = None
        within = all(line.within(ratio) for line in self.lines)
        if within:
            for line in self.lines:
                line.accept(line.actual_quantity)  # rule F1: a voucher for the actual
        self.status = "matched" if within else "exception"
        self._note(
            by,
            "reconciled",
            {
                "status": self.status,
                "ratio": str(ratio),
                "lines": [line.payload() for line in self.lines],
            },
            at=now,
        )
        if not within:
            self._record_event(
                RECONCILIATION_EXCEPTION,
                {
                    **self.event_head(),
                    "ratio": str(ratio),
                    "lines": [line.payload() for line in self.lines],
                    "held_at": now.isoformat(),
                },
            )

    @property
    def settled(self) -> bool:
        """Its quantities are decided (matched or resolved): a voucher may credit them."""
        return self.status != "exception"

    @property
    def amount(self) -> Decimal | None:
        if not self.settled:
            return None
        return total([line.amount for line in self.lines])

    def resolve(self, decision: ResolveReconciliation, by: str, now: datetime) -> None:
        """rule F1: finance decides an exception: the quantity accepted per sku (0 to the
        actual quantity), every sku named once."""
        if self.status != "exception":
            raise NotAnException(details={"status": self.status})
        named = [line.sku for line in decision.lines]
        accepted = {line.sku: line.accepted_quantity for line in decision.lines}
        problems = []
        if len(named) != len(set(named)):
            problems.append("a sku is named twice")
        missing = sorted({line.sku for line in self.lines} - set(named))
        unknown = sorted(set(named) - {line.sku for line in self.lines})
        if missing:
            problems.append(f"not named: {', '.join(missing)}")
        if unknown:
            problems.append(f"not on the return: {', '.join(unknown)}")
        for line in self.lines:
            quantity = accepted.get(line.sku)
            if quantity is not None and not 0 <= quantity <= line.actual_quantity:
                problems.append(f"{line.sku}: accepted from 0 to {line.actual_quantity}")
        if problems:
            raise ResolutionMismatch(details={"lines": problems})
        now = aware(now)
        for line in self.lines:
            line.accept(accepted[line.sku])
        self.status = "resolved"
        self.resolved_at = now
        self.resolved_by = by
        self.comment = decision.comment
        self.updated_at = now
        self._note(
            by,
            "resolved",
            {
                "status": {"old": "exception", "new": "resolved"},
                "accepted": accepted,
                "comment": decision.comment,
            },
            at=now,
        )

    def credited_lines(self) -> list[ReconciliationLine]:
        return [line for line in self.lines if line.accepted_quantity]

    def voucher_issued(self, voucher_id: str, now: datetime) -> None:
        self.voucher_id = voucher_id
        self.updated_at = aware(now)

    def event_head(self) -> dict[str, Any]:
        return {
            "reconciliation_id": self.id,
            "return_id": self.return_id,
            "return_number": self.return_number,
            "complaint_id": self.complaint_id,
            "plan_id": self.plan_id,
            "customer_id": self.customer_id,
        }


def waiting_returns(received: Iterable[ReceivedReturn], plan: Plan) -> list[ReceivedReturn]:
    """The returns kept for ``plan``: named by its id, or (a producer that names only the
    case) by its complaint."""
    return [
        r
        for r in received
        if r.plan_id == plan.id or (r.plan_id is None and r.complaint_id == plan.complaint_id)
    ]
