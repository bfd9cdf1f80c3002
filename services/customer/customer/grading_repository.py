"""Repositories of grading, key accounts, risk and warnings, on the unit of work:
``uow.summaries``, ``uow.grades``, ``uow.risks``, ``uow.key_accounts``, ``uow.warnings``
(``customer.repository.REPOSITORIES`` carries them). Fakes: ``customer.grading_testing``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from customer.domain import NEW_STATUSES, ChangeRequest, Customer
from customer.domain.grading import RUNNING_SLOT, GradeChange, GradeRecord, RegradeRun
from customer.domain.key_accounts import KeyAccount
from customer.domain.risk import RiskRecord
from customer.domain.summaries import CustomerSummary
from customer.domain.warnings import CustomerWarning
from servicekit.contracts.customer_grading_vocabulary import (
    SYSTEM,
    RegradeRunNotFound,
    WarningNotFound,
)
from servicekit.contracts.customer_vocabulary import CustomerNotFound
from servicekit.repository import SqlRepository, add_once

T = TypeVar("T")
OPEN_REQUEST_STATUSES = ("pending", "partially_approved")


class _PerCustomer(SqlRepository[T]):
    """One row per customer, made when first needed."""

    not_found = CustomerNotFound
    id_key = "customer_id"
    make: Callable[[str, datetime], T]

    def get_or_add(self, customer_id: str, now: datetime) -> T:
        return add_once(self, customer_id, lambda: type(self).make(customer_id, now))


class SummaryRepository(_PerCustomer[CustomerSummary]):
    model = CustomerSummary
    make = CustomerSummary


class GradeRepository(_PerCustomer[GradeRecord]):
    model = GradeRecord
    make = GradeRecord

    def add_change(self, change: GradeChange) -> None:
        """A grade history entry (rule C6), written once."""
        self.session.add(change)

    def gradable_after(
        self, cursor: tuple[datetime, str] | None, limit: int
    ) -> list[tuple[str, datetime]]:
        """The next ``limit`` customers whose terms are in effect (rule C3) after
        ``cursor`` (created_at, id), oldest first: (id, created_at)."""
        query = select(Customer.id, Customer.created_at).where(Customer.status.not_in(NEW_STATUSES))
        if cursor is not None:
            at, last_id = cursor
            query = query.where(
                or_(
                    Customer.created_at > at,
                    and_(Customer.created_at == at, Customer.id > last_id),
                )
            )
        query = query.order_by(Customer.created_at, Customer.id).limit(limit)
        return [(row.id, row.created_at) for row in self.session.execute(query)]

    def count_gradable(self) -> int:
        """How many customers have terms in effect (rule C3)."""
        query = select(func.count()).where(Customer.status.not_in(NEW_STATUSES))
        return self.session.scalar(query)


class RegradeRunRepository(SqlRepository[RegradeRun]):
    """Runs re-grading every customer (rule C6)."""

    model = RegradeRun
    not_found = RegradeRunNotFound
    id_key = "run_id"

    def unfinished(self, for_update: bool = False) -> RegradeRun | None:
        """The run holding the slot (running or failed), if any."""
        query = select(RegradeRun).where(RegradeRun.running_slot == RUNNING_SLOT)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def add_unfinished(self, run: RegradeRun) -> RegradeRun:
        """Add ``run``; when another took the slot at the same moment, that one (locked).
        The insert runs in a savepoint, as ``servicekit.repository.add_once`` does."""
        try:
            with self.session.begin_nested():
                self.session.add(run)
        except IntegrityError:
            return self.unfinished(for_update=True)
        return run


class RiskRepository(_PerCustomer[RiskRecord]):
    model = RiskRecord
    make = RiskRecord

    def open_request(self, customer_id: str) -> ChangeRequest | None:
        """The change request the service proposed for this customer and nobody has
        decided yet (rule C8: one at a time)."""
        query = select(ChangeRequest).where(
            ChangeRequest.customer_id == customer_id,
            ChangeRequest.requested_by == SYSTEM,
            ChangeRequest.status.in_(OPEN_REQUEST_STATUSES),
        )
        return self.session.scalars(query).first()


class KeyAccountRepository(_PerCustomer[KeyAccount]):
    model = KeyAccount
    make = KeyAccount


class WarningRepository(SqlRepository[CustomerWarning]):
    model = CustomerWarning
    not_found = WarningNotFound
    id_key = "warning_id"

    def by_key(self, customer_id: str, key: str) -> CustomerWarning | None:
        """This customer's warning for this cause and period, if it has one (locked)."""
        query = (
            select(CustomerWarning)
            .where(CustomerWarning.customer_id == customer_id, CustomerWarning.key == key)
            .with_for_update()
        )
        return self.session.scalars(query).first()

    def add_once(self, warning: CustomerWarning) -> bool:
        """Add a warning unless its twin (same customer and key) is there; True when added."""
        if self.by_key(warning.customer_id, warning.key) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(warning)
        except IntegrityError:
            return False
        return True


GRADING_REPOSITORIES = {
    "summaries": SummaryRepository,
    "grades": GradeRepository,
    "regrade_runs": RegradeRunRepository,
    "risks": RiskRepository,
    "key_accounts": KeyAccountRepository,
    "warnings": WarningRepository,
}
