"""The receivables ledger of a customer: rule F4. Invoices, payments and credits (a posted
voucher: a return's credit note, 应收款冲红, an allowance or a compensation).

``balance`` = invoices - payments - credits (positive: the customer owes). Payments and
credits settle the open invoices in the order they fall due (first in, first out); what
is left of an invoice after its due date is overdue, and its ageing bucket counts the days
since (CONTRACT "Values fixed by the contract")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finance.commands import InvoiceLine, RecordInvoice, RecordPayment
from finance.domain.shared import ZERO, aware, line_amount, total
from servicekit.contracts.finance_vocabulary import (
    AGEING_BUCKETS,
    AGEING_LIMITS,
    INVOICE_RECORDED,
    LEDGER_CHANGED,
    CustomerUnknown,
    InvoiceAmountMismatch,
)
from servicekit.domain import money, new_id
from servicekit.errors import invalid_fields


@dataclass(eq=False, kw_only=True)
class LedgerEntry:
    """One entry of the ledger, written once (not ``frozen``: the ORM maps it). ``amount``
    is positive; ``kind`` says which way it counts."""

    id: str = field(default_factory=new_id)
    customer_id: str
    kind: str  # invoice | payment | credit
    amount: Decimal
    date: date
    recorded_at: datetime
    recorded_by: str
    reference: str | None = None  # invoice number, payment reference, voucher number
    due_date: date | None = None  # invoices
    invoice_number: str | None = None  # invoices: unique
    order_no: str | None = None  # invoices: ties it to a complaint on that order (rule F6)
    owner: str | None = None  # invoices: the customer's owner when it was recorded
    lines: tuple[InvoiceLine, ...] = ()  # invoices, optional
    voucher_id: str | None = None  # credits: unique (a voucher credits once)
    voucher_type: str | None = None
    complaint_id: str | None = None

    @property
    def signed(self) -> Decimal:
        """What the entry does to the balance."""
        return self.amount if self.kind == "invoice" else -self.amount

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "date": self.date,
            "due_date": self.due_date,
            "amount": self.amount,
            "reference": self.reference,
            "order_no": self.order_no,
            "owner": self.owner,
            "voucher_id": self.voucher_id,
            "voucher_type": self.voucher_type,
            "complaint_id": self.complaint_id,
            "lines": [
                {"sku": x.sku, "quantity": x.quantity, "unit_price": x.unit_price}
                for x in self.lines
            ],
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
        }


def chronological(entry: LedgerEntry) -> tuple:
    """By business date; on one day an invoice before what settles it."""
    return (entry.date, entry.kind != "invoice", entry.recorded_at, entry.id)


@dataclass
class InvoiceState:
    """An invoice and what settled it so far."""

    entry: LedgerEntry
    remaining: Decimal
    credited: Decimal = ZERO
    payments: list[tuple[date, Decimal]] = field(default_factory=list)

    def settle(self, kind: str, on: date, amount: Decimal) -> Decimal:
        used = min(self.remaining, amount)
        if used > 0:
            self.remaining -= used
            if kind == "credit":
                self.credited += used
            else:
                self.payments.append((on, used))
        return used


def allocate(entries: Iterable[LedgerEntry]) -> list[InvoiceState]:
    """Every invoice with what is left of it: payments and credits, in date order, settle
    the open invoice that falls due first; a settlement larger than what is open waits for
    the next invoice. The remainders sum to max(balance, 0)."""
    states: list[InvoiceState] = []
    waiting: list[list[Any]] = []  # [kind, date, amount] not applied yet, oldest first
    for entry in sorted(entries, key=chronological):
        if entry.kind == "invoice":
            state = InvoiceState(entry, entry.amount)
            states.append(state)
            while waiting and state.remaining > 0:
                kind, on, amount = waiting[0]
                waiting[0][2] = amount - state.settle(kind, on, amount)
                if waiting[0][2] == 0:
                    waiting.pop(0)
            continue
        left = entry.amount
        for state in sorted(states, key=lambda s: (s.entry.due_date, chronological(s.entry))):
            if left == 0:
                break
            left -= state.settle(entry.kind, entry.date, left)
        if left > 0:
            waiting.append([entry.kind, entry.date, left])
    return states


def bucket_of(days_overdue: int) -> str:
    for limit, bucket in zip(AGEING_LIMITS, AGEING_BUCKETS, strict=False):
        if days_overdue <= limit:
            return bucket
    return AGEING_BUCKETS[-1]


@dataclass(frozen=True)
class Statement:
    """The ledger as of a business day (rule F4)."""

    as_of: date
    balance: Decimal
    overdue: Decimal
    ageing: dict[str, Decimal]
    entries: tuple[dict[str, Any], ...] = ()


def statement(entries: Iterable[LedgerEntry], as_of: date) -> Statement:
    """Balance, overdue and ageing on ``as_of``; each entry with the balance after it."""
    entries = sorted(entries, key=chronological)
    ageing = dict.fromkeys(AGEING_BUCKETS, ZERO)
    for state in allocate(entries):
        due = state.entry.due_date
        if state.remaining > 0 and due is not None and due < as_of:
            bucket = bucket_of((as_of - due).days)
            ageing[bucket] = money(ageing[bucket] + state.remaining)
    running = ZERO
    views = []
    for entry in entries:
        running = money(running + entry.signed)
        views.append({**entry.view(), "balance": running})
    return Statement(as_of, running, total(list(ageing.values())), ageing, tuple(views))


class Ledger:
    """Mixed into ``Account``: the entries of one customer."""

    id: str
    owner: str | None
    entries: list[LedgerEntry]
    updated_at: datetime
    known: bool

    def due_date(self, invoiced_on: date) -> date:
        raise NotImplementedError

    def record_invoice(
        self, invoice: RecordInvoice, by: str, now: datetime, today: date
    ) -> LedgerEntry:
        """rule F4: an invoice, its due date from the settlement terms when not given;
        ``finance.invoice_recorded`` (customer's sales summaries) and ``ledger_changed``."""
        if not self.known:
            raise CustomerUnknown(details={"customer_id": self.id})
        if invoice.lines:
            summed = total([line_amount(x.quantity, x.unit_price) for x in invoice.lines])
            if summed != money(invoice.amount):
                raise InvoiceAmountMismatch(
                    details={"amount": [f"{invoice.amount} is not the lines' sum {summed}"]}
                )
        due = invoice.due_date or self.due_date(invoice.date)
        if due < invoice.date:
            raise invalid_fields({"due_date": ["must not be before the invoice's date"]})
        entry = LedgerEntry(
            customer_id=self.id,
            kind="invoice",
            amount=money(invoice.amount),
            date=invoice.date,
            due_date=due,
            reference=invoice.number,
            invoice_number=invoice.number,
            order_no=invoice.order_no,
            owner=self.owner,
            lines=invoice.lines,
            recorded_at=aware(now),
            recorded_by=by,
        )
        self._enter(entry, by, "invoice_recorded")
        self._record_event(
            INVOICE_RECORDED,
            {
                "invoice_id": entry.id,
                "customer_id": self.id,
                "number": invoice.number,
                "date": entry.date.isoformat(),
                "due_date": due.isoformat(),
                "amount": str(entry.amount),
                "order_no": entry.order_no,
                "owner": entry.owner,
                "lines": [
                    {
                        "sku": x.sku,
                        "quantity": x.quantity,
                        "unit_price": str(x.unit_price),
                        "amount": str(line_amount(x.quantity, x.unit_price)),
                    }
                    for x in entry.lines
                ],
                "recorded_at": entry.recorded_at.isoformat(),
            },
        )
        self._ledger_changed(entry, today)
        return entry

    def record_payment(
        self, payment: RecordPayment, by: str, now: datetime, today: date
    ) -> LedgerEntry:
        """rule F4: a payment received."""
        if not self.known:
            raise CustomerUnknown(details={"customer_id": self.id})
        entry = LedgerEntry(
            customer_id=self.id,
            kind="payment",
            amount=money(payment.amount),
            date=payment.date,
            reference=payment.reference,
            recorded_at=aware(now),
            recorded_by=by,
        )
        self._enter(entry, by, "payment_recorded")
        self._ledger_changed(entry, today)
        return entry

    def credit(
        self,
        *,
        voucher_id: str,
        voucher_type: str,
        number: str,
        amount: Decimal,
        complaint_id: str | None,
        by: str,
        now: datetime,
        today: date,
    ) -> LedgerEntry:
        """rule F4: a posted voucher credits the receivables (应收款冲红), once."""
        known = next((e for e in self.entries if e.voucher_id == voucher_id), None)
        if known is not None:
            return known
        entry = LedgerEntry(
            customer_id=self.id,
            kind="credit",
            amount=money(amount),
            date=today,
            reference=number,
            voucher_id=voucher_id,
            voucher_type=voucher_type,
            complaint_id=complaint_id,
            recorded_at=aware(now),
            recorded_by=by,
        )
        self._enter(entry, by, "credited")
        self._ledger_changed(entry, today)
        return entry

    def statement(self, as_of: date) -> Statement:
        return statement(self.entries, as_of)

    def _enter(self, entry: LedgerEntry, by: str, action: str) -> None:
        self.entries = [*self.entries, entry]
        self.updated_at = entry.recorded_at
        self._note(
            by,
            action,
            {
                "entry_id": entry.id,
                "kind": entry.kind,
                "amount": str(entry.amount),
                "date": entry.date.isoformat(),
                "reference": entry.reference,
            },
            at=entry.recorded_at,
        )

    def _ledger_changed(self, entry: LedgerEntry, today: date) -> None:
        """``finance.ledger_changed``: balance and overdue for customer's payment behaviour."""
        now = self.statement(today)
        self._record_event(
            LEDGER_CHANGED,
            {
                "customer_id": self.id,
                "entry_id": entry.id,
                "kind": entry.kind,
                "amount": str(entry.amount),
                "balance": str(now.balance),
                "overdue": str(now.overdue),
                "ageing": {bucket: str(amount) for bucket, amount in now.ageing.items()},
                "as_of": today.isoformat(),
            },
        )
