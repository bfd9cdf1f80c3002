"""The returns repositories in memory, for handler tests with
``servicekit.testing.FakeUnitOfWork(FAKE_REPOSITORIES)``: the same extra methods as the
SQL ones (numbers per year, look-ups by plan, history of what was committed); and the
people and inputs the returns tests share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from returns.commands import AcceptedPlan, PlanAction, PostReceipt, ScanLine
from returns.domain import Replenishment, ReturnAuthorization, return_number
from returns.repository import ReturnRequestRepository
from servicekit.contracts.returns_vocabulary import ReplenishmentNotFound, ReturnNotFound
from servicekit.domain import Actor
from servicekit.testing import FakeRepository

WAREHOUSE = Actor("wang.fang", ("warehouse",))
QUALITY = Actor("zhou.jie", ("quality",))
CLERK = Actor("li.na", ("sales_clerk",))
MARKET = Actor("chen.jing", ("market_manager",))


def plan(*actions: PlanAction, plan_id: str = "plan-1") -> AcceptedPlan:
    """An accepted plan of case-1 for cust-1, owned by the clerk li.na."""
    return AcceptedPlan("case-1", plan_id, "cust-1", tuple(actions), owner="li.na")


def scan(scan_id: str, *lines: tuple[str, int], lot: str | None = None) -> PostReceipt:
    """A scanner's post of ``(sku, quantity)`` lines from gun-1."""
    return PostReceipt(scan_id, "gun-1", tuple(ScanLine(sku, q, lot) for sku, q in lines))


class FakeReturnRepository(FakeRepository[ReturnAuthorization]):
    not_found = ReturnNotFound
    id_key = "return_id"

    def __init__(self, aggregates: Iterable[ReturnAuthorization] = ()) -> None:
        super().__init__(aggregates)
        self.last_numbers: dict[int, int] = {}
        self.batches: dict[date, int] = {}

    def find_by_plan(self, plan_id: str) -> ReturnAuthorization | None:
        return next((a for a in self.items.values() if a.plan_id == plan_id), None)

    def unposted(self, signed_before: datetime | None = None) -> list[ReturnAuthorization]:
        found = [
            a
            for a in self.items.values()
            if a.received_at
            and a.posted_at is None
            and (signed_before is None or a.received_at < signed_before)
        ]
        return sorted(found, key=lambda a: a.received_at)

    def batch_ran(self, day: date) -> bool:
        return day in self.batches

    def record_batch(self, day: date, cutoff: datetime, ran_at: datetime, posted: int) -> None:
        if day in self.batches:
            raise AssertionError(f"the batch of {day} was recorded twice")
        self.batches[day] = posted

    def next_number(self, year: int) -> str:
        self.last_numbers[year] = self.last_numbers.get(year, 0) + 1
        return return_number(year, self.last_numbers[year])

    def history(self, return_id: str) -> list[dict]:
        return [
            {"at": h.at, "who": h.actor, "action": h.action, "changes": h.changes}
            for h in self.uow.history
            if h.entity_type == "return" and h.entity_id == return_id
        ]


class FakeReplenishmentRepository(FakeRepository[Replenishment]):
    not_found = ReplenishmentNotFound
    id_key = "shipment_id"

    def for_plan(self, plan_id: str) -> list[Replenishment]:
        return [s for s in self.items.values() if s.plan_id == plan_id]


FAKE_REPOSITORIES = {
    "returns": FakeReturnRepository,
    "replenishments": FakeReplenishmentRepository,
    "requests": ReturnRequestRepository,
}
