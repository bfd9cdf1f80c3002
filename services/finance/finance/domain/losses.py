"""A case's actual loss and the loss ledger: rule P12, rule F7.

Returned goods resold within the window (a setting, one month) lose the price difference;
those not resold their credited value. Allowances and compensation lose their amount. When
the window closes the loss is split by the case's responsibility shares to the cent (the
parts sum to it exactly), one entry of the loss ledger per person or department.

A case's loss waits for its return's reconciliation to settle (the credited quantities);
a plan that takes no goods back is due at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from finance.commands import RecordResale, Share
from finance.domain.reconciliation import Plan, Reconciliation
from finance.domain.shared import (
    ZERO,
    FinanceSettings,
    apportion,
    aware,
    line_amount,
    total,
)
from servicekit.contracts.finance_vocabulary import (
    UNASSIGNED_DEPARTMENT,
    VOUCHER_ACTIONS,
    LossComputed,
    ResaleExceedsReturn,
    ReturnNotSettled,
    SkuNotOnReturn,
)
from servicekit.domain import Aggregate, money, new_id


@dataclass(eq=False, kw_only=True)
class Resale:
    """Returned goods sold again (rule P12), written once."""

    id: str = field(default_factory=new_id)
    return_id: str
    sku: str
    quantity: int
    unit_price: Decimal
    date: date
    within_window: bool
    recorded_by: str
    recorded_at: datetime


@dataclass(eq=False, kw_only=True)
class LossEntry:
    """One part of a case's loss in the loss ledger (rule F7), written once."""

    id: str = field(default_factory=new_id)
    complaint_id: str
    complaint_number: str | None
    plan_id: str
    customer_id: str
    department: str
    person: str | None
    share: Decimal
    amount: Decimal
    computed_at: datetime
    position: int = 0  # the share's place in the case's responsibility


class LossCase(Aggregate):
    """rule P12: one per accepted plan."""

    entity_type = "loss_case"

    def __init__(self, plan: Plan, now: datetime) -> None:
        now = aware(now)
        self.id = new_id()
        self.plan_id = plan.id
        self.complaint_id = plan.complaint_id
        self.complaint_number = plan.complaint_number
        self.customer_id = plan.customer_id
        self.shares = plan.shares
        self.fixed = [
            {"kind": a.type, "action_id": a.action_id, "amount": str(money(a.amount))}
            for a in plan.actions
            if a.type in VOUCHER_ACTIONS
        ]
        self.goods: list[dict[str, Any]] = []
        self.return_id = None
        self.received_at = None
        self.received_on = None
        self.window_ends_on = None
        self.resales: list[Resale] = []
        self.parts: list[LossEntry] = []
        self.loss = None
        self.breakdown = None
        self.computed_at = None
        self.created_at = now
        if plan.sends_goods_back():
            self.status, self.due_at = "waiting", None
        else:
            self.status, self.due_at = "open", plan.accepted_at

    def goods_settled(
        self, reconciliation: Reconciliation, settings: FinanceSettings, now: datetime
    ) -> bool:
        """The return's credited quantities are known: its resale window opens at its
        receipt and the loss falls due when the window closes. Once."""
        if self.status != "waiting" or not reconciliation.settled:
            return False
        self.return_id = reconciliation.return_id
        self.goods = [
            {"sku": x.sku, "quantity": x.accepted_quantity, "unit_price": str(x.unit_price)}
            for x in reconciliation.credited_lines()
        ]
        self.received_at = reconciliation.received_at
        self.received_on = settings.business_date(reconciliation.received_at)
        self.window_ends_on = self.received_on + timedelta(days=settings.resale_window_days)
        self.due_at = _start_of(self.window_ends_on + timedelta(days=1), settings)
        self.status = "open"
        self._note(
            "finance",
            "window_opened",
            {"return_id": self.return_id, "window_ends_on": self.window_ends_on.isoformat()},
            at=aware(now),
        )
        return True

    def record_resale(self, resale: RecordResale, by: str, now: datetime) -> Resale:
        """rule P12: a resale of the case's returned goods, checked against what was
        credited; one dated outside the window is kept but does not lower the loss."""
        if self.status == "computed":
            raise LossComputed(details={"return_id": self.return_id})
        if self.status == "waiting":
            raise ReturnNotSettled(details={"return_id": resale.return_id})
        credited = {g["sku"]: g["quantity"] for g in self.goods}
        if resale.sku not in credited:
            raise SkuNotOnReturn(details={"sku": [resale.sku]})
        resold = sum(r.quantity for r in self.resales if r.sku == resale.sku)
        if resold + resale.quantity > credited[resale.sku]:
            raise ResaleExceedsReturn(
                details={"quantity": [f"{credited[resale.sku] - resold} of {resale.sku} left"]}
            )
        record = Resale(
            return_id=self.return_id,
            sku=resale.sku,
            quantity=resale.quantity,
            unit_price=money(resale.unit_price),
            date=resale.date,
            within_window=self.received_on <= resale.date <= self.window_ends_on,
            recorded_by=by,
            recorded_at=aware(now),
        )
        self.resales = [*self.resales, record]
        self._note(
            by,
            "resale_recorded",
            {
                "sku": record.sku,
                "quantity": record.quantity,
                "unit_price": str(record.unit_price),
                "date": record.date.isoformat(),
                "within_window": record.within_window,
            },
            at=record.recorded_at,
        )
        return record

    def is_due(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at <= aware(now)

    def compute(self, now: datetime, by: str = "finance") -> list[LossEntry]:
        """rule P12: the actual loss, split by the shares to the cent (rule F7); once, when
        the window has closed (nothing before)."""
        if not self.is_due(now):
            return []
        now = aware(now)
        breakdown = []
        for goods in self.goods:
            price = Decimal(goods["unit_price"])
            resold = [r for r in self.resales if r.sku == goods["sku"] and r.within_window]
            quantity = sum(r.quantity for r in resold)
            difference = total(
                [max(line_amount(r.quantity, price - r.unit_price), ZERO) for r in resold]
            )
            kept = goods["quantity"] - quantity
            breakdown.append(
                {
                    "kind": "price_difference",
                    "sku": goods["sku"],
                    "quantity": quantity,
                    "amount": str(difference),
                }
            )
            breakdown.append(
                {
                    "kind": "not_resold",
                    "sku": goods["sku"],
                    "quantity": kept,
                    "amount": str(line_amount(kept, price)),
                }
            )
        for fixed in self.fixed:
            breakdown.append({**fixed, "sku": None, "quantity": None})
        self.loss = total([Decimal(part["amount"]) for part in breakdown])
        self.breakdown = breakdown
        shares = list(self.shares) or [Share(UNASSIGNED_DEPARTMENT, None, Decimal(1))]
        amounts = apportion(self.loss, [s.share for s in shares])
        self.parts = [
            LossEntry(
                complaint_id=self.complaint_id,
                complaint_number=self.complaint_number,
                plan_id=self.plan_id,
                customer_id=self.customer_id,
                department=s.department,
                person=s.person,
                share=s.share,
                amount=amount,
                computed_at=now,
                position=position,
            )
            for position, (s, amount) in enumerate(zip(shares, amounts, strict=True))
        ]
        self.status = "computed"
        self.computed_at = now
        self._note(by, "loss_computed", {"loss": str(self.loss), "breakdown": breakdown}, at=now)
        return self.parts


def _start_of(day: date, settings: FinanceSettings) -> datetime:
    """Midnight at the start of ``day`` in the business's calendar."""
    zone = timezone(timedelta(hours=settings.business_utc_offset_hours))
    return datetime.combine(day, time(0), tzinfo=zone)
