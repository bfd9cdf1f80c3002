"""The returns service's repositories: one per aggregate, on the unit of work
(``uow.returns``, ``uow.replenishments``, ``uow.requests``), so handlers load and add
aggregates and never write SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, select

from returns.domain import Replenishment, ReturnAuthorization, SalesReturnRequest, return_number
from returns.models import posting_batches, return_numbers
from servicekit.contracts.returns_vocabulary import (
    ReplenishmentNotFound,
    ReturnNotFound,
    ReturnRequestNotFound,
)
from servicekit.db import history_of
from servicekit.repository import SqlRepository
from servicekit.sequences import next_in_year


class ReturnRepository(SqlRepository[ReturnAuthorization]):
    model = ReturnAuthorization
    not_found = ReturnNotFound
    id_key = "return_id"

    def find_by_plan(self, plan_id: str) -> ReturnAuthorization | None:
        """rule R1: the plan's authorization, if it has one (a plan has at most one)."""
        query = select(ReturnAuthorization).where(ReturnAuthorization.plan_id == plan_id)
        return self.session.scalars(query).first()

    def unposted(self, signed_before: datetime | None = None) -> list[ReturnAuthorization]:
        """rule R6: signed off (before ``signed_before``), not posted yet, locked so two
        batch runs take turns (the second finds them posted: PostgreSQL checks the
        condition again after the wait)."""
        query = (
            select(ReturnAuthorization)
            .where(
                ReturnAuthorization.received_at.is_not(None),
                ReturnAuthorization.posted_at.is_(None),
            )
            .order_by(ReturnAuthorization.received_at)
            .with_for_update()
        )
        if signed_before is not None:
            query = query.where(ReturnAuthorization.received_at < signed_before)
        return list(self.session.scalars(query))

    def batch_ran(self, day: date) -> bool:
        """rule R6: whether the posting batch of business day ``day`` ran."""
        found = self.session.execute(
            select(posting_batches.c.day).where(posting_batches.c.day == day)
        ).first()
        return found is not None

    def record_batch(self, day: date, cutoff: datetime, ran_at: datetime, posted: int) -> None:
        """rule R6: the day's batch ran; a second instance's row for the same day fails on
        the key at commit, and its postings roll back with it."""
        self.session.execute(
            insert(posting_batches).values(day=day, cutoff=cutoff, ran_at=ran_at, posted=posted)
        )

    def next_number(self, year: int) -> str:
        """rule R1: RA-<year>-<sequence>, unique per year."""
        return return_number(year, next_in_year(self.session, return_numbers, year))

    def history(self, return_id: str) -> list[dict]:
        """The authorization's history as committed, oldest first (rule X3)."""
        return history_of(self.session, "return", return_id)


class ReplenishmentRepository(SqlRepository[Replenishment]):
    model = Replenishment
    not_found = ReplenishmentNotFound
    id_key = "shipment_id"

    def for_plan(self, plan_id: str) -> list[Replenishment]:
        """rule R5: the shipments created for a plan's actions."""
        query = select(Replenishment).where(Replenishment.plan_id == plan_id)
        return list(self.session.scalars(query))


class ReturnRequestRepository(SqlRepository[SalesReturnRequest]):
    model = SalesReturnRequest
    not_found = ReturnRequestNotFound
    id_key = "request_id"


# What every unit of work of the service carries: ``uow.returns``, ``uow.replenishments``,
# ``uow.requests``; ``returns.testing.FAKE_REPOSITORIES`` are the same in memory.
REPOSITORIES = {
    "returns": ReturnRepository,
    "replenishments": ReplenishmentRepository,
    "requests": ReturnRequestRepository,
}
