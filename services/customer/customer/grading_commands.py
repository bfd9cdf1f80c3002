"""Typed commands and facts of grading, key accounts, risk and warnings (rule C5, rule C6,
rule C7, rule C8): what the schemas of ``servicekit.contracts.customer_grading`` and the
consumed events hand the handlers once checked. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from customer.domain.key_accounts import MaintenancePlan
from customer.domain.summaries import Purchase, PurchaseLine


@dataclass(frozen=True)
class InvoiceFact:
    """``finance.invoice_recorded``: the customer's purchases (rule X1)."""

    invoice_id: str
    customer_id: str
    number: str
    date: date
    due_date: date
    amount: Decimal
    lines: tuple[PurchaseLine, ...] = ()
    recorded_at: datetime | None = None

    @classmethod
    def of_event(cls, event: dict[str, Any]) -> InvoiceFact:
        return cls(
            invoice_id=event["invoice_id"],
            customer_id=event["customer_id"],
            number=event["number"],
            date=event["date"],
            due_date=event["due_date"],
            amount=event["amount"],
            lines=tuple(
                PurchaseLine(line["sku"], line["quantity"], line["amount"])
                for line in event["lines"]
            ),
            recorded_at=event.get("recorded_at"),
        )

    def purchase(self) -> Purchase:
        return Purchase(
            id=self.invoice_id,
            customer_id=self.customer_id,
            number=self.number,
            date=self.date,
            due_date=self.due_date,
            amount=self.amount,
            lines=self.lines,
            recorded_at=self.recorded_at,
        )


@dataclass(frozen=True)
class LedgerFact:
    """``finance.ledger_changed``: balance and overdue after an entry (rule X1)."""

    customer_id: str
    entry_id: str
    balance: Decimal
    overdue: Decimal
    ageing: dict[str, Decimal]
    as_of: date
    at: datetime  # when finance announced it: the newest wins


@dataclass(frozen=True)
class ComplaintFact:
    """``complaints.complaint_registered`` / ``complaint_closed`` / ``complaint_rejected``."""

    complaint_id: str
    customer_id: str
    number: str | None
    registered_at: datetime | None = None
    closed_at: datetime | None = None
    rejected_at: datetime | None = None
    satisfied: bool | None = None
    satisfaction: int | None = None


@dataclass(frozen=True)
class SetKeyAccount:
    """A manager designates or removes a key account (rule C7)."""

    key_account: bool = True
    plan: MaintenancePlan | None = None
    owner: str | None = None

    @classmethod
    def of(
        cls, key_account: bool = True, plan: dict | None = None, owner: str | None = None
    ) -> SetKeyAccount:
        return cls(key_account, MaintenancePlan(**plan) if plan else None, owner)


@dataclass(frozen=True)
class RecordRemedy:
    """The remedy taken for a warning (补救措施, rule C7, rule C8)."""

    action: str
