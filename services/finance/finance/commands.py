"""Typed commands and facts of the finance service: what its schemas
(``servicekit.contracts.finance`` and the consumed events' schemas) hand the handlers once a
payload is checked. Standard library only; values are parsed already (Decimal money, int
quantities, dates, tuples of lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any


# --- facts from other services (rule X1: finance keeps its own copy) ----------
@dataclass(frozen=True)
class CustomerFact:
    """``customer.customer_approved`` / ``terms_changed`` / ``status_changed`` (``terms``
    True: the terms and the owner are in it) or ``owner_changed`` (``terms`` False).
    ``version`` (per customer) orders the facts; without it, ``occurred_at`` does."""

    customer_id: str
    occurred_at: datetime | None
    version: int | None = None
    name: str | None = None
    status: str | None = None
    owner: str | None = None
    terms: bool = True
    credit_limit: Decimal | None = None
    settlement_terms: str | None = None
    discount: Decimal | None = None
    over_acceptance_ratio: Decimal | None = None

    @classmethod
    def of_event(cls, event: dict[str, Any], terms: bool = True) -> CustomerFact:
        fields = ("credit_limit", "settlement_terms", "discount", "over_acceptance_ratio")
        return cls(
            customer_id=event["customer_id"],
            occurred_at=event.get("occurred_at"),
            version=event.get("version"),
            name=event.get("name"),
            status=event.get("status"),
            owner=event.get("owner"),
            terms=terms,
            **({f: event.get(f) for f in fields} if terms else {}),
        )


@dataclass(frozen=True)
class ComplaintFact:
    """``complaints.complaint_registered`` (``open``) or ``complaint_closed`` /
    ``complaint_rejected``: rule F6 leaves receivables tied to open complaints out."""

    complaint_id: str
    customer_id: str
    at: datetime
    open: bool
    order_no: str | None = None
    number: str | None = None


@dataclass(frozen=True)
class PlanLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PlanAction:
    action_id: str
    type: str
    amount: Decimal
    lines: tuple[PlanLine, ...] = ()


@dataclass(frozen=True)
class Share:
    """A responsibility share of the case (rule P4), for its loss (rule P12)."""

    department: str
    person: str | None
    share: Decimal


@dataclass(frozen=True)
class AcceptedPlan:
    """``complaints.plan_accepted``: the approved quantities (rule F1), the allowance and
    compensation actions (rule F3) and the responsibility shares (rule F7)."""

    complaint_id: str
    plan_id: str
    customer_id: str
    accepted_at: datetime
    actions: tuple[PlanAction, ...]
    approved: tuple[PlanLine, ...]
    shares: tuple[Share, ...] = ()
    complaint_number: str | None = None

    @classmethod
    def of_event(cls, event: dict[str, Any]) -> AcceptedPlan:
        def lines(items: list[dict]) -> tuple[PlanLine, ...]:
            return tuple(PlanLine(i["sku"], i["quantity"], i["unit_price"]) for i in items)

        return cls(
            complaint_id=event["complaint_id"],
            plan_id=event["plan_id"],
            customer_id=event["customer_id"],
            accepted_at=event["accepted_at"],
            actions=tuple(
                PlanAction(a["action_id"], a["type"], a["amount"], lines(a.get("lines", ())))
                for a in event["actions"]
            ),
            approved=lines(event["approved_quantities"]),
            shares=tuple(
                Share(s["department"], s.get("person"), s["share"]) for s in event["responsibility"]
            ),
            complaint_number=event.get("number"),
        )


@dataclass(frozen=True)
class ReturnedLine:
    sku: str
    authorized_quantity: int
    received_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class ReceivedReturnFact:
    """``returns.return_received``: the actual quantities of a signed-off, posted return
    (rule R6). ``plan_id`` / ``complaint_id`` name the plan it waits for; a return from a
    sales return request has neither and is reconciled against what was authorized."""

    return_id: str
    customer_id: str
    lines: tuple[ReturnedLine, ...]
    received_at: datetime
    number: str | None = None
    complaint_id: str | None = None
    plan_id: str | None = None
    request_id: str | None = None

    @classmethod
    def of_event(cls, event: dict[str, Any], now: datetime) -> ReceivedReturnFact:
        return cls(
            return_id=event["return_id"],
            customer_id=event["customer_id"],
            lines=tuple(
                ReturnedLine(
                    line["sku"],
                    line.get("authorized_quantity") or 0,
                    line.get("received_quantity") or 0,
                    line.get("unit_price") or Decimal("0"),
                )
                for line in event["lines"]
            ),
            received_at=event.get("received_at") or now,
            number=event.get("number"),
            complaint_id=event.get("complaint_id"),
            plan_id=event.get("plan_id"),
            request_id=event.get("request_id"),
        )


# --- commands -------------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedLine:
    sku: str
    accepted_quantity: int


@dataclass(frozen=True)
class ResolveReconciliation:
    """Finance's decision on an exception (rule F1): the quantity accepted per sku."""

    lines: tuple[ResolvedLine, ...]
    comment: str | None = None

    @classmethod
    def of(cls, lines: list[dict], comment: str | None = None) -> ResolveReconciliation:
        return cls(tuple(ResolvedLine(**line) for line in lines), comment)


@dataclass(frozen=True)
class RecordProof:
    """rule F2: the proof that makes a voucher final (posted)."""

    method: str
    reference: str | None = None


@dataclass(frozen=True)
class InvoiceLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class RecordInvoice:
    """rule F4: an invoice; ``due_date`` defaults from the customer's settlement terms."""

    customer_id: str
    number: str
    date: date
    amount: Decimal
    due_date: date | None = None
    lines: tuple[InvoiceLine, ...] = ()
    order_no: str | None = None

    @classmethod
    def of(cls, lines: list[dict] | None = None, **fields: Any) -> RecordInvoice:
        return cls(lines=tuple(InvoiceLine(**line) for line in lines or ()), **fields)


@dataclass(frozen=True)
class RecordPayment:
    customer_id: str
    amount: Decimal
    date: date
    reference: str


@dataclass(frozen=True)
class CheckCredit:
    """rule F5: may this customer order ``amount`` more on credit?"""

    customer_id: str
    amount: Decimal


@dataclass(frozen=True)
class RecordResale:
    """rule P12: returned goods sold again (the loss is then the price difference)."""

    return_id: str
    sku: str
    quantity: int
    unit_price: Decimal
    date: date
