"""What the finance tests share: the people, the facts other services send (an accepted
plan, a received return, a customer's card) written once, and the finance repositories in
memory for handler tests with ``servicekit.testing.FakeUnitOfWork(FAKE_REPOSITORIES)``
(the same extra methods as the SQL ones)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from finance.commands import (
    AcceptedPlan,
    ComplaintFact,
    CustomerFact,
    PlanAction,
    PlanLine,
    ReceivedReturnFact,
    ReturnedLine,
    Share,
)
from finance.domain import (
    Account,
    LossCase,
    LossEntry,
    Plan,
    ReceivedReturn,
    Reconciliation,
    TrackedComplaint,
    Voucher,
    voucher_number,
)
from servicekit.contracts.finance_vocabulary import (
    CREDITED_ACTIONS,
    CustomerNotFound,
    ReconciliationNotFound,
    VoucherNotFound,
)
from servicekit.domain import Actor
from servicekit.testing import FakeRepository

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
FINANCE = Actor("zhao.min", ("finance",))
CLERK = Actor("li.na", ("sales_clerk",))


def line(sku: str, quantity: int, price: str) -> PlanLine:
    return PlanLine(sku, quantity, Decimal(price))


def return_action(*lines: PlanLine, action_id: str = "act-return") -> PlanAction:
    amount = sum((x.quantity * x.unit_price for x in lines), Decimal(0))
    return PlanAction(action_id, "return", amount, tuple(lines))


def rework_action(*lines: PlanLine, action_id: str = "act-rework") -> PlanAction:
    amount = sum((x.quantity * x.unit_price for x in lines), Decimal(0))
    return PlanAction(action_id, "rework", amount, tuple(lines))


def allowance(amount: str, action_id: str = "act-allowance") -> PlanAction:
    return PlanAction(action_id, "allowance", Decimal(amount))


def compensation(amount: str, action_id: str = "act-compensation") -> PlanAction:
    return PlanAction(action_id, "compensation", Decimal(amount))


def share(department: str, portion: str, person: str | None = None) -> Share:
    return Share(department, person, Decimal(portion))


def plan(
    *actions: PlanAction,
    plan_id: str = "plan-1",
    complaint_id: str = "case-1",
    customer_id: str = "cust-1",
    shares: tuple[Share, ...] = (Share("quality", "张三", Decimal("1")),),
    accepted_at: datetime = NOW,
) -> AcceptedPlan:
    """An accepted plan of ``complaint_id``; its approved quantities are its return and
    exchange lines (as complaints sends them)."""
    approved = tuple(x for a in actions if a.type in CREDITED_ACTIONS for x in a.lines)
    return AcceptedPlan(
        complaint_id=complaint_id,
        plan_id=plan_id,
        customer_id=customer_id,
        accepted_at=accepted_at,
        actions=tuple(actions),
        approved=approved,
        shares=shares,
        complaint_number="TS-2026-000001",
    )


def received(
    *lines: tuple[str, int, int, str],
    return_id: str = "ret-1",
    plan_id: str | None = "plan-1",
    complaint_id: str | None = "case-1",
    customer_id: str = "cust-1",
    received_at: datetime = NOW,
) -> ReceivedReturnFact:
    """``returns.return_received`` with ``(sku, authorized, received, unit price)`` lines."""
    return ReceivedReturnFact(
        return_id=return_id,
        customer_id=customer_id,
        lines=tuple(ReturnedLine(s, a, r, Decimal(p)) for s, a, r, p in lines),
        received_at=received_at,
        number="RA-2026-000001",
        complaint_id=complaint_id,
        plan_id=plan_id,
    )


def customer(
    customer_id: str = "cust-1",
    *,
    version: int | None = None,
    at: datetime = NOW,
    status: str = "active",
    credit_limit: str | None = "10000.00",
    settlement_terms: str | None = "net_30",
    ratio: str | None = None,
    owner: str | None = "wang.sales",
    terms: bool = True,
) -> CustomerFact:
    """A customer event as finance reads it (``terms=False``: ``owner_changed``)."""
    return CustomerFact(
        customer_id=customer_id,
        occurred_at=at,
        version=version,
        name="华东机电有限公司",
        status=status,
        owner=owner,
        terms=terms,
        credit_limit=None if credit_limit is None or not terms else Decimal(credit_limit),
        settlement_terms=settlement_terms if terms else None,
        discount=Decimal("0.85") if terms else None,
        over_acceptance_ratio=None if ratio is None else Decimal(ratio),
    )


def complaint(
    complaint_id: str = "case-1",
    customer_id: str = "cust-1",
    *,
    open: bool = True,
    order_no: str | None = "SO-1",
    at: datetime = NOW,
) -> ComplaintFact:
    return ComplaintFact(complaint_id, customer_id, at, open, order_no, "TS-2026-000001")


def known_account(customer_id: str = "cust-1", **terms) -> Account:
    account = Account(customer_id, NOW)
    account.learn(customer(customer_id, **terms), NOW)
    return account


# --- the repositories in memory ---------------------------------------------------
def _history(uow, entity_type: str, entity_id: str) -> list[dict]:
    """What was committed of an entity's history, as ``servicekit.db.history_of`` reads it."""
    return [
        {"at": h.at, "who": h.actor, "action": h.action, "changes": h.changes}
        for h in uow.history
        if h.entity_type == entity_type and h.entity_id == entity_id
    ]


class FakeAccountRepository(FakeRepository[Account]):
    not_found = CustomerNotFound
    id_key = "customer_id"

    def get_or_add(self, customer_id: str, now: datetime) -> Account:
        if customer_id not in self.items:
            self.add(Account(customer_id, now))
        return self.items[customer_id]

    def invoice_number_taken(self, number: str) -> bool:
        return any(e.invoice_number == number for a in self.items.values() for e in a.entries)

    def owned_by(self, owner: str) -> list[Account]:
        return [
            a
            for a in self.items.values()
            if a.owner == owner or any(e.owner == owner for e in a.entries)
        ]


class FakePlanRepository(FakeRepository[Plan]):
    def lock(self, key: str) -> None:
        """One transaction at a time in memory: nothing to lock."""

    def for_return(self, returned: ReceivedReturn) -> Plan | None:
        if returned.plan_id is not None:
            return self.items.get(returned.plan_id)
        found = [p for p in self.items.values() if p.complaint_id == returned.complaint_id]
        return max(found, key=lambda p: p.accepted_at, default=None)


class FakeReceivedReturnRepository(FakeRepository[ReceivedReturn]):
    def unreconciled(self, plan: Plan) -> list[ReceivedReturn]:
        done = {r.return_id for r in self.uow.reconciliations.items.values()}
        waiting = [
            r
            for r in self.items.values()
            if r.id not in done
            and (
                r.plan_id == plan.id or (r.plan_id is None and r.complaint_id == plan.complaint_id)
            )
        ]
        return sorted(waiting, key=lambda r: r.received_at)


class FakeReconciliationRepository(FakeRepository[Reconciliation]):
    not_found = ReconciliationNotFound
    id_key = "reconciliation_id"

    def for_return(self, return_id: str) -> Reconciliation | None:
        return next((r for r in self.items.values() if r.return_id == return_id), None)

    def history(self, reconciliation_id: str) -> list[dict]:
        return _history(self.uow, "reconciliation", reconciliation_id)


class FakeVoucherRepository(FakeRepository[Voucher]):
    not_found = VoucherNotFound
    id_key = "voucher_id"

    def __init__(self, aggregates: Iterable[Voucher] = ()) -> None:
        super().__init__(aggregates)
        self.last_numbers: dict[int, int] = {}

    def next_number(self, year: int) -> str:
        self.last_numbers[year] = self.last_numbers.get(year, 0) + 1
        return voucher_number(year, self.last_numbers[year])

    def for_action(self, plan_id: str, action_id: str) -> Voucher | None:
        return next(
            (v for v in self.items.values() if (v.plan_id, v.action_id) == (plan_id, action_id)),
            None,
        )

    def history(self, voucher_id: str) -> list[dict]:
        return _history(self.uow, "voucher", voucher_id)


class FakeLossCaseRepository(FakeRepository[LossCase]):
    def for_plan(self, plan_id: str) -> LossCase | None:
        return next((c for c in self.items.values() if c.plan_id == plan_id), None)

    def for_return(self, return_id: str, for_update: bool = False) -> LossCase | None:
        return next((c for c in self.items.values() if c.return_id == return_id), None)

    def due(self, now: datetime, limit: int = 100) -> list[LossCase]:
        found = [c for c in self.items.values() if c.is_due(now)]
        return sorted(found, key=lambda c: c.due_at)[:limit]

    def entries(self) -> list[LossEntry]:
        return [p for c in self.items.values() for p in c.parts]


class FakeComplaintRepository(FakeRepository[TrackedComplaint]):
    def get_or_add(self, fact: ComplaintFact) -> tuple[TrackedComplaint, bool]:
        if fact.complaint_id in self.items:
            return self.items[fact.complaint_id], False
        self.add(TrackedComplaint(fact))
        return self.items[fact.complaint_id], True

    def open_for(self, customer_ids: Iterable[str]) -> list[TrackedComplaint]:
        wanted = set(customer_ids)
        return [c for c in self.items.values() if c.open and c.customer_id in wanted]


FAKE_REPOSITORIES = {
    "accounts": FakeAccountRepository,
    "plans": FakePlanRepository,
    "received": FakeReceivedReturnRepository,
    "reconciliations": FakeReconciliationRepository,
    "vouchers": FakeVoucherRepository,
    "losses": FakeLossCaseRepository,
    "complaints": FakeComplaintRepository,
}
