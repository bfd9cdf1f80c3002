"""The customer service's own summaries of what other services announce about a customer
(rule X1): its purchases from finance's invoices, its receivables from finance's ledger,
its complaints and their satisfaction from complaints' cases (the grading adds the
customer's own surveys to that satisfaction, ``satisfaction_between``). Grading (rule C5, rule C6),
key accounts (rule C7) and risk (rule C8) read them; nothing here asks another service.

Each fact is kept once, by the id its producer gave it (an invoice, a complaint), so an
event that comes twice changes nothing even before the inbox refuses it (rule X2). The
ledger's balance is a value, not a sum: the newest announcement wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from servicekit.domain import Aggregate, money

ZERO = Decimal("0.00")
# finance's ageing buckets (CONTRACT "Values fixed by the contract") and the fewest days
# overdue an amount in each has.
AGEING_FLOOR_DAYS = {"0-30": 1, "31-60": 31, "61-90": 61, "90+": 91}
COMPLAINT_STATUSES = ("open", "closed", "rejected")


def business_date(at: datetime, offset_hours: int) -> date:
    """The business's calendar day at ``at`` (a timezone-aware time)."""
    return at.astimezone(timezone(timedelta(hours=offset_hours))).date()


def day_start(day: date, offset_hours: int) -> datetime:
    """When the business day ``day`` starts, in UTC."""
    local = datetime(day.year, day.month, day.day, tzinfo=timezone(timedelta(hours=offset_hours)))
    return local.astimezone(UTC)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class PurchaseLine:
    """What one line of an invoice sold: a product, how many, for how much."""

    sku: str
    quantity: int
    amount: Decimal


@dataclass(eq=False, kw_only=True)
class Purchase:
    """An invoice as finance announced it (``finance.invoice_recorded``); ``id`` is the
    invoice's id, so it is kept once."""

    id: str
    customer_id: str
    number: str
    date: date
    due_date: date
    amount: Decimal
    lines: tuple[PurchaseLine, ...] = ()
    recorded_at: datetime | None = None


@dataclass(eq=False, kw_only=True)
class ComplaintRecord:
    """A complaint case as complaints announced it: registered (open), closed with the
    follow-up's satisfaction, or rejected. ``id`` is the case's id."""

    id: str
    customer_id: str
    number: str | None = None
    status: str = "open"
    registered_at: datetime | None = None
    closed_at: datetime | None = None
    rejected_at: datetime | None = None
    satisfied: bool | None = None
    satisfaction: int | None = None  # the follow-up's score, 1..5


@dataclass(frozen=True)
class OpenAmount:
    """What is left to pay of one invoice (rule F4, as finance settles them)."""

    invoice_id: str
    due_date: date
    amount: Decimal


class CustomerSummary(Aggregate):
    """One customer's purchases, receivables and complaints, as the customer service
    heard of them (rule X1). ``id`` is the customer's id."""

    entity_type = "customer_summary"

    def __init__(self, customer_id: str, now: datetime) -> None:
        self.id = customer_id
        self.invoices: list[Purchase] = []
        self.complaints: list[ComplaintRecord] = []
        self.balance = ZERO
        self.overdue = ZERO
        self.ageing: dict[str, str] = {}
        self.ledger_as_of: date | None = None
        self.ledger_at: datetime | None = None
        self.created_at = now
        self.updated_at = now

    # --- facts -----------------------------------------------------------------
    def record_invoice(self, purchase: Purchase, now: datetime) -> bool:
        """Keep an invoice once; False when it was known already (a repeated event)."""
        if any(known.id == purchase.id for known in self.invoices):
            return False
        self.invoices = [*self.invoices, purchase]
        self.updated_at = now
        return True

    def record_ledger(
        self,
        *,
        balance: Decimal,
        overdue: Decimal,
        ageing: dict[str, Any],
        as_of: date,
        at: datetime,
        now: datetime,
    ) -> bool:
        """finance's balance and overdue after an entry; an announcement older than the
        one kept changes nothing (it arrived late)."""
        if self.ledger_at is not None and at <= self.ledger_at:
            return False
        self.balance = money(balance)
        self.overdue = money(overdue)
        self.ageing = {bucket: str(money(amount)) for bucket, amount in (ageing or {}).items()}
        self.ledger_as_of = as_of
        self.ledger_at = at
        self.updated_at = now
        return True

    def _complaint(self, complaint_id: str) -> ComplaintRecord | None:
        return next((c for c in self.complaints if c.id == complaint_id), None)

    def _complaint_or_new(self, complaint_id: str, number: str | None) -> ComplaintRecord:
        found = self._complaint(complaint_id)
        if found is None:
            found = ComplaintRecord(id=complaint_id, customer_id=self.id, number=number)
            self.complaints = [*self.complaints, found]
        return found

    def complaint_registered(
        self, complaint_id: str, number: str | None, at: datetime, now: datetime
    ) -> bool:
        """A case opened; its end may have been heard of first (events cross)."""
        known = self._complaint(complaint_id)
        if known is not None and known.registered_at is not None:
            return False
        record = self._complaint_or_new(complaint_id, number)
        record.registered_at = at
        self.updated_at = now
        return True

    def complaint_closed(
        self,
        complaint_id: str,
        number: str | None,
        *,
        registered_at: datetime | None,
        closed_at: datetime,
        satisfied: bool,
        satisfaction: int | None,
        now: datetime,
    ) -> bool:
        """A case closed after its follow-up, with the customer's satisfaction (rule P9)."""
        record = self._complaint_or_new(complaint_id, number)
        if record.status == "closed":
            return False
        record.status = "closed"
        record.registered_at = record.registered_at or registered_at
        record.closed_at = closed_at
        record.satisfied = satisfied
        record.satisfaction = satisfaction
        self.updated_at = now
        return True

    def complaint_rejected(
        self, complaint_id: str, number: str | None, at: datetime, now: datetime
    ) -> bool:
        """A case not accepted (rule P3): no longer open, and not counted as a complaint."""
        record = self._complaint_or_new(complaint_id, number)
        if record.status != "open":
            return False
        record.status = "rejected"
        record.rejected_at = at
        self.updated_at = now
        return True

    # --- purchases ---------------------------------------------------------------
    def purchases_between(self, start: date, end: date) -> Decimal:
        """What the customer bought with invoices dated from ``start`` to ``end``."""
        return money(sum((p.amount for p in self.invoices if start <= p.date <= end), ZERO))

    def invoices_between(self, start: date, end: date) -> int:
        return sum(1 for p in self.invoices if start <= p.date <= end)

    def first_purchase_on(self) -> date | None:
        return min((p.date for p in self.invoices), default=None)

    def by_month(self) -> dict[str, Decimal]:
        """Purchases per month (``"2026-11"``), oldest first."""
        return _summed((month_key(p.date), p.amount) for p in self.invoices)

    def by_quarter(self) -> dict[str, Decimal]:
        """Purchases per quarter (``"2026Q4"``), oldest first."""
        return _summed((quarter_key(p.date), p.amount) for p in self.invoices)

    def by_product(self) -> dict[str, dict[str, Any]]:
        """Per product: quantity and amount over every invoice that has lines."""
        quantities: dict[str, int] = defaultdict(int)
        amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for purchase in self.invoices:
            for line in purchase.lines:
                quantities[line.sku] += line.quantity
                amounts[line.sku] += line.amount
        return {
            sku: {"quantity": quantities[sku], "amount": money(amounts[sku])}
            for sku in sorted(amounts)
        }

    # --- receivables -------------------------------------------------------------
    def open_amounts(self) -> list[OpenAmount]:
        """Where the balance sits: finance settles the invoices that fall due first, so
        what is still owed is on those that fall due last (rule F4)."""
        left = max(self.balance, ZERO)
        found = []
        latest_first = sorted(self.invoices, key=lambda p: (p.due_date, p.date, p.id), reverse=True)
        for purchase in latest_first:
            if left <= 0:
                break
            taken = min(purchase.amount, left)
            found.append(OpenAmount(purchase.id, purchase.due_date, money(taken)))
            left -= taken
        return found

    def overdue_on(self, day: date) -> Decimal:
        """What is overdue on ``day``: what is left of invoices due before it, and at least
        what finance last said was overdue (it may know invoices announced before the
        summary began), never more than the balance."""
        computed = sum((o.amount for o in self.open_amounts() if o.due_date < day), ZERO)
        reported = self.overdue if self.ledger_as_of and self.ledger_as_of <= day else ZERO
        return money(min(max(computed, reported), max(self.balance, ZERO)))

    def oldest_overdue_days(self, day: date) -> int:
        """How many days the oldest unpaid amount is past its due date on ``day``."""
        days = [(day - o.due_date).days for o in self.open_amounts() if o.due_date < day]
        if self.ledger_as_of is not None and self.ledger_as_of <= day:
            elapsed = (day - self.ledger_as_of).days
            for bucket, amount in self.ageing.items():
                if Decimal(amount) > 0 and bucket in AGEING_FLOOR_DAYS:
                    days.append(AGEING_FLOOR_DAYS[bucket] + elapsed)
        return max(days, default=0)

    # --- complaints --------------------------------------------------------------
    def counted_complaints(self) -> list[ComplaintRecord]:
        """Complaints that count: not rejected, and known to be registered."""
        return [c for c in self.complaints if c.status != "rejected" and c.registered_at]

    def complaints_between(self, start: date, end: date, offset_hours: int) -> int:
        """Complaints registered on business days ``start`` to ``end``."""
        return sum(
            1
            for c in self.counted_complaints()
            if start <= business_date(c.registered_at, offset_hours) <= end
        )

    def open_complaints(self) -> int:
        """Cases registered and neither closed nor rejected: disputes in progress."""
        return sum(1 for c in self.counted_complaints() if c.status == "open")

    def follow_up_scores_between(self, start: date, end: date, offset_hours: int) -> list[int]:
        """The follow-up scores (1..5) of the cases closed on business days ``start`` to
        ``end``."""
        return [
            c.satisfaction
            for c in self.complaints
            if c.status == "closed"
            and c.satisfaction is not None
            and c.closed_at is not None
            and start <= business_date(c.closed_at, offset_hours) <= end
        ]

    def satisfaction_between(
        self,
        start: date,
        end: date,
        offset_hours: int,
        surveys: Iterable[tuple[datetime, int]] = (),
    ) -> Decimal | None:
        """The average score (1..5) on business days ``start`` to ``end``: the follow-ups of
        the cases closed then and the ``surveys`` (when, score) dated then, each score
        weighing the same (rule C6); None without any."""
        scores = self.follow_up_scores_between(start, end, offset_hours)
        scores += [
            score for at, score in surveys if start <= business_date(at, offset_hours) <= end
        ]
        if not scores:
            return None
        return money(Decimal(sum(scores)) / len(scores))


def _summed(pairs) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, amount in pairs:
        sums[key] += amount
    return {key: money(sums[key]) for key in sorted(sums)}


@dataclass(frozen=True)
class SummaryView:
    """A summary as ``GET /customers/{id}/summary`` shows it."""

    customer_id: str
    purchases: dict[str, Any] = field(default_factory=dict)
    receivables: dict[str, Any] = field(default_factory=dict)
    complaints: dict[str, Any] = field(default_factory=dict)


def summary_view(
    summary: CustomerSummary | None, customer_id: str, today: date, window_start: date, offset: int
) -> SummaryView:
    """The purchases, receivables and complaints kept for a customer, on ``today``; the
    window is the grading window (rule C5: the annual purchases)."""
    summary = summary or CustomerSummary(customer_id, day_start(today, offset))
    return SummaryView(
        customer_id=customer_id,
        purchases={
            "window_start": window_start,
            "window_end": today,
            "in_window": summary.purchases_between(window_start, today),
            "invoices_in_window": summary.invoices_between(window_start, today),
            "invoices": len(summary.invoices),
            "by_month": summary.by_month(),
            "by_quarter": summary.by_quarter(),
            "by_product": summary.by_product(),
        },
        receivables={
            "balance": summary.balance,
            "overdue": summary.overdue_on(today),
            "oldest_overdue_days": summary.oldest_overdue_days(today),
            "as_of": summary.ledger_as_of,
        },
        complaints={
            "total": len(summary.counted_complaints()),
            "open": summary.open_complaints(),
            "closed": sum(1 for c in summary.complaints if c.status == "closed"),
            "rejected": sum(1 for c in summary.complaints if c.status == "rejected"),
            "in_window": summary.complaints_between(window_start, today, offset),
            "satisfaction": summary.satisfaction_between(window_start, today, offset),
        },
    )
