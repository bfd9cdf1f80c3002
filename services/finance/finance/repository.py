"""The finance service's repositories: one per aggregate, on the unit of work
(``uow.accounts``, ``uow.plans``, ``uow.received``, ``uow.reconciliations``,
``uow.vouchers``, ``uow.losses``, ``uow.complaints``), so handlers load and add aggregates
and never write SQL. ``finance.testing.FAKE_REPOSITORIES`` are the same in memory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, insert, or_, select
from sqlalchemy.exc import IntegrityError

from finance.commands import ComplaintFact
from finance.domain import (
    Account,
    LedgerEntry,
    LossCase,
    Plan,
    ReceivedReturn,
    Reconciliation,
    TrackedComplaint,
    Voucher,
    voucher_number,
)
from finance.models import match_locks, voucher_numbers
from servicekit.contracts.finance_vocabulary import (
    CustomerNotFound,
    ReconciliationNotFound,
    VoucherNotFound,
)
from servicekit.db import history_of
from servicekit.repository import SqlRepository, add_once
from servicekit.sequences import next_in_year


class AccountRepository(SqlRepository[Account]):
    model = Account
    not_found = CustomerNotFound
    id_key = "customer_id"

    def get_or_add(self, customer_id: str, now: datetime) -> Account:
        """The customer's account, locked; a new one when finance has none yet."""
        return add_once(self, customer_id, lambda: Account(customer_id, now))

    def invoice_number_taken(self, number: str) -> bool:
        """rule F4: an invoice number is recorded once, whatever the customer."""
        query = select(exists().where(LedgerEntry.invoice_number == number))
        return bool(self.session.scalar(query))

    def owned_by(self, owner: str) -> list[Account]:
        """rule F6: the accounts with receivables that may count for ``owner``: the
        customer's owner now, or an invoice recorded under them."""
        invoiced = select(LedgerEntry.customer_id).where(LedgerEntry.owner == owner)
        query = select(Account).where(or_(Account.owner == owner, Account.id.in_(invoiced)))
        return list(self.session.scalars(query.order_by(Account.id)))


class PlanRepository(SqlRepository[Plan]):
    model = Plan

    def lock(self, key: str) -> None:
        """Hold ``key``'s row until the unit of work ends, so that a plan and its return
        arriving at once take turns (rule F1): the second sees the first one's commit.
        The first of a key inserts its row; a racing insert waits, then counts on it."""
        try:
            with self.session.begin_nested():
                self.session.execute(insert(match_locks).values(key=key))
        except IntegrityError:
            pass
        self.session.execute(
            select(match_locks.c.key).where(match_locks.c.key == key).with_for_update()
        )

    def for_return(self, returned: ReceivedReturn) -> Plan | None:
        """The plan a received return is reconciled against: the one it names, else its
        case's latest."""
        if returned.plan_id is not None:
            return self.find(returned.plan_id)
        query = (
            select(Plan)
            .where(Plan.complaint_id == returned.complaint_id)
            .order_by(Plan.accepted_at.desc())
        )
        return self.session.scalars(query).first()


class ReceivedReturnRepository(SqlRepository[ReceivedReturn]):
    model = ReceivedReturn

    def unreconciled(self, plan: Plan) -> list[ReceivedReturn]:
        """The returns kept for ``plan`` that have no reconciliation yet (rule F1)."""
        done = select(Reconciliation.return_id)
        query = (
            select(ReceivedReturn)
            .where(
                or_(
                    ReceivedReturn.plan_id == plan.id,
                    (ReceivedReturn.plan_id.is_(None))
                    & (ReceivedReturn.complaint_id == plan.complaint_id),
                ),
                ReceivedReturn.id.not_in(done),
            )
            .order_by(ReceivedReturn.received_at)
        )
        return list(self.session.scalars(query))


class ReconciliationRepository(SqlRepository[Reconciliation]):
    model = Reconciliation
    not_found = ReconciliationNotFound
    id_key = "reconciliation_id"

    def for_return(self, return_id: str) -> Reconciliation | None:
        """rule F1: a return's reconciliation (it has at most one)."""
        query = select(Reconciliation).where(Reconciliation.return_id == return_id)
        return self.session.scalars(query).first()

    def history(self, reconciliation_id: str) -> list[dict]:
        return history_of(self.session, "reconciliation", reconciliation_id)


class VoucherRepository(SqlRepository[Voucher]):
    model = Voucher
    not_found = VoucherNotFound
    id_key = "voucher_id"

    def next_number(self, year: int) -> str:
        """PZ-<year>-<sequence>, unique per year."""
        return voucher_number(year, next_in_year(self.session, voucher_numbers, year))

    def for_action(self, plan_id: str, action_id: str) -> Voucher | None:
        """rule F3: the voucher of a plan's allowance or compensation action."""
        query = select(Voucher).where(Voucher.plan_id == plan_id, Voucher.action_id == action_id)
        return self.session.scalars(query).first()

    def history(self, voucher_id: str) -> list[dict]:
        return history_of(self.session, "voucher", voucher_id)


class LossCaseRepository(SqlRepository[LossCase]):
    model = LossCase

    def for_plan(self, plan_id: str) -> LossCase | None:
        return self.session.scalars(select(LossCase).where(LossCase.plan_id == plan_id)).first()

    def for_return(self, return_id: str, for_update: bool = False) -> LossCase | None:
        query = select(LossCase).where(LossCase.return_id == return_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def due(self, now: datetime, limit: int = 100) -> list[LossCase]:
        """rule P12: open cases whose window has closed, locked; on PostgreSQL another
        instance's run skips the ones this one holds (and finds them computed after)."""
        query = (
            select(LossCase)
            .where(LossCase.status == "open", LossCase.due_at <= now)
            .order_by(LossCase.due_at, LossCase.id)
            .limit(limit)
        )
        skip = self.session.bind.dialect.name == "postgresql"
        return list(self.session.scalars(query.with_for_update(skip_locked=skip)))


class TrackedComplaintRepository(SqlRepository[TrackedComplaint]):
    model = TrackedComplaint

    def get_or_add(self, fact: ComplaintFact) -> tuple[TrackedComplaint, bool]:
        """The complaint, locked, and whether this fact made it."""
        made: list[TrackedComplaint] = []

        def make() -> TrackedComplaint:
            made.append(TrackedComplaint(fact))
            return made[0]

        found = add_once(self, fact.complaint_id, make)
        return found, bool(made) and found is made[0]

    def open_for(self, customer_ids: Iterable[str]) -> list[TrackedComplaint]:
        """rule F6: the open complaints of these customers."""
        query = select(TrackedComplaint).where(
            TrackedComplaint.open.is_(True), TrackedComplaint.customer_id.in_(list(customer_ids))
        )
        return list(self.session.scalars(query))


# What every unit of work of the service carries.
REPOSITORIES = {
    "accounts": AccountRepository,
    "plans": PlanRepository,
    "received": ReceivedReturnRepository,
    "reconciliations": ReconciliationRepository,
    "vouchers": VoucherRepository,
    "losses": LossCaseRepository,
    "complaints": TrackedComplaintRepository,
}
