"""Fakes for the handler tests of grading, key accounts, risk and warnings: the
repositories of ``customer.grading_repository`` in memory, for
``servicekit.testing.FakeUnitOfWork(FAKE_REPOSITORIES)``; and facts as the consumed
events give them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from customer.domain import NEW_STATUSES
from customer.domain.grading import RUNNING_SLOT, GradeChange, GradeRecord, RegradeRun
from customer.domain.key_accounts import KeyAccount
from customer.domain.risk import RiskRecord
from customer.domain.summaries import CustomerSummary, PurchaseLine
from customer.domain.warnings import CustomerWarning
from customer.grading_commands import ComplaintFact, InvoiceFact, LedgerFact
from customer.grading_repository import OPEN_REQUEST_STATUSES
from customer.interactions_fakes import FakeInteractionRepository
from customer.repository import REPOSITORIES
from servicekit.contracts.customer_grading_vocabulary import (
    SYSTEM,
    RegradeRunNotFound,
    WarningNotFound,
)
from servicekit.contracts.customer_vocabulary import CustomerNotFound
from servicekit.domain import new_id
from servicekit.testing import FakeRepository


class _FakePerCustomer(FakeRepository):
    not_found = CustomerNotFound
    id_key = "customer_id"
    make: Callable[[str, datetime], Any]

    def get_or_add(self, customer_id: str, now: datetime) -> Any:
        found = self.find(customer_id)
        if found is None:
            found = type(self).make(customer_id, now)
            self.add(found)
        return found


class FakeSummaryRepository(_FakePerCustomer):
    make = CustomerSummary


class FakeGradeRepository(_FakePerCustomer):
    make = GradeRecord

    def __init__(self, aggregates=()) -> None:
        super().__init__(aggregates)
        self.changes: list[GradeChange] = []

    def add_change(self, change: GradeChange) -> None:
        self.changes.append(change)

    def _gradable(self) -> list[tuple[str, datetime]]:
        customers = self.uow.customers.items.values()
        found = [(c.created_at, c.id) for c in customers if c.status not in NEW_STATUSES]
        return [(customer_id, at) for at, customer_id in sorted(found)]

    def gradable_after(
        self, cursor: tuple[datetime, str] | None, limit: int
    ) -> list[tuple[str, datetime]]:
        rows = self._gradable()
        if cursor is not None:
            rows = [(i, at) for i, at in rows if (at, i) > cursor]
        return rows[:limit]

    def count_gradable(self) -> int:
        return len(self._gradable())


class FakeRegradeRunRepository(FakeRepository):
    not_found = RegradeRunNotFound
    id_key = "run_id"

    def unfinished(self, for_update: bool = False) -> RegradeRun | None:
        found = [r for r in self.items.values() if r.running_slot == RUNNING_SLOT]
        return found[0] if found else None

    def add_unfinished(self, run: RegradeRun) -> RegradeRun:
        other = self.unfinished()
        if other is not None:
            return other
        self.add(run)
        return run


class FakeRiskRepository(_FakePerCustomer):
    make = RiskRecord

    def open_request(self, customer_id: str):
        for request in self.uow.change_requests.items.values():
            if (
                request.customer_id == customer_id
                and request.requested_by == SYSTEM
                and request.status in OPEN_REQUEST_STATUSES
            ):
                return request
        return None


class FakeKeyAccountRepository(_FakePerCustomer):
    make = KeyAccount


class FakeWarningRepository(FakeRepository):
    not_found = WarningNotFound
    id_key = "warning_id"

    def by_key(self, customer_id: str, key: str) -> CustomerWarning | None:
        found = [w for w in self.items.values() if w.customer_id == customer_id and w.key == key]
        return found[0] if found else None

    def add_once(self, warning: CustomerWarning) -> bool:
        if self.by_key(warning.customer_id, warning.key) is not None:
            return False
        self.add(warning)
        return True

    def of(self, customer_id: str, type: str | None = None) -> list[CustomerWarning]:
        return [
            w
            for w in self.items.values()
            if w.customer_id == customer_id and (type is None or w.type == type)
        ]


FAKE_REPOSITORIES = {
    **REPOSITORIES,
    "summaries": FakeSummaryRepository,
    "grades": FakeGradeRepository,
    "regrade_runs": FakeRegradeRunRepository,
    "risks": FakeRiskRepository,
    "key_accounts": FakeKeyAccountRepository,
    "warnings": FakeWarningRepository,
    "interactions": FakeInteractionRepository,  # rule C6: the window's survey scores
}


# --- facts ---------------------------------------------------------------------------
def invoice(
    customer_id: str,
    amount: str | Decimal,
    on: date,
    due: date | None = None,
    lines: tuple[tuple[str, int, str], ...] = (),
    invoice_id: str | None = None,
) -> InvoiceFact:
    """An invoice as ``finance.invoice_recorded`` gives it; due 30 days later by default."""
    return InvoiceFact(
        invoice_id=invoice_id or new_id(),
        customer_id=customer_id,
        number=f"FP-{new_id()[:8]}",
        date=on,
        due_date=due or on + timedelta(days=30),
        amount=Decimal(amount),
        lines=tuple(PurchaseLine(sku, q, Decimal(a)) for sku, q, a in lines),
    )


def ledger(
    customer_id: str,
    balance: str | Decimal,
    overdue: str | Decimal,
    as_of: date,
    at: datetime | None = None,
    ageing: dict[str, str] | None = None,
) -> LedgerFact:
    """A balance as ``finance.ledger_changed`` gives it."""
    return LedgerFact(
        customer_id=customer_id,
        entry_id=new_id(),
        balance=Decimal(balance),
        overdue=Decimal(overdue),
        ageing={k: Decimal(v) for k, v in (ageing or {}).items()},
        as_of=as_of,
        at=at or datetime(as_of.year, as_of.month, as_of.day, 4, tzinfo=UTC),
    )


def complaint(
    customer_id: str,
    registered_at: datetime,
    complaint_id: str | None = None,
    closed_at: datetime | None = None,
    satisfaction: int | None = None,
    rejected_at: datetime | None = None,
) -> ComplaintFact:
    """A case as complaints' events give it."""
    return ComplaintFact(
        complaint_id=complaint_id or new_id(),
        customer_id=customer_id,
        number=f"TS-{new_id()[:6]}",
        registered_at=registered_at,
        closed_at=closed_at,
        rejected_at=rejected_at,
        satisfied=None if closed_at is None else True,
        satisfaction=satisfaction,
    )
