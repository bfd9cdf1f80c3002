"""Reads of the finance service for lists, look-ups and reports (cosmicpython's views): SQL
straight on the unit of work's session for the lists; the ledger and the collection rate
read the aggregates through the repositories and let the domain compute."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from finance.domain import (
    CollectionRate,
    FinanceSettings,
    LossEntry,
    Reconciliation,
    Voucher,
    collection_rate,
)
from finance.domain.shared import ZERO
from servicekit.contracts.finance_vocabulary import CustomerNotFound
from servicekit.db import UnitOfWork
from servicekit.domain import money, utcnow
from servicekit.paging import page_of


def _equal(query, model, filters: dict, fields: tuple[str, ...]):
    for field in fields:
        if filters.get(field) is not None:
            query = query.where(getattr(model, field) == filters[field])
    return query


def list_reconciliations(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule F1: newest first; by return, complaint, customer or status."""
    query = _equal(
        select(Reconciliation),
        Reconciliation,
        filters,
        ("return_id", "complaint_id", "customer_id", "status"),
    )
    with uow:
        return page_of(
            uow.session, query, page, per_page, Reconciliation.created_at.desc(), Reconciliation.id
        )


def get_reconciliation(uow: UnitOfWork, reconciliation_id: str) -> tuple[Reconciliation, list]:
    """The reconciliation and its history (rule X3)."""
    with uow:
        reconciliation = uow.reconciliations.get(reconciliation_id)
        return reconciliation, uow.reconciliations.history(reconciliation_id)


def list_vouchers(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """Newest first; by customer, complaint, type or status."""
    query = _equal(
        select(Voucher), Voucher, filters, ("customer_id", "complaint_id", "type", "status")
    )
    with uow:
        return page_of(uow.session, query, page, per_page, Voucher.issued_at.desc(), Voucher.id)


def get_voucher(uow: UnitOfWork, voucher_id: str) -> tuple[Voucher, list]:
    """The voucher (with an allowance's certificate) and its history (rule X3)."""
    with uow:
        voucher = uow.vouchers.get(voucher_id)
        return voucher, uow.vouchers.history(voucher_id)


def ledger(uow: UnitOfWork, settings: FinanceSettings, customer_id: str) -> dict[str, Any]:
    """rule F4: balance, overdue, ageing and every entry with the balance after it."""
    today = settings.business_date(utcnow())
    with uow:
        account = uow.accounts.find(customer_id)
        if account is None:
            raise CustomerNotFound(details={"customer_id": customer_id})
        statement = account.statement(today)
        return {
            "customer_id": account.id,
            "name": account.name,
            "owner": account.owner,
            "credit_limit": account.credit_limit,
            "settlement_terms": account.settlement_terms,
            "as_of": statement.as_of,
            "balance": statement.balance,
            "overdue": statement.overdue,
            "ageing": statement.ageing,
            "entries": list(statement.entries),
        }


def get_collection_rate(uow: UnitOfWork, owner: str, start: date, end: date) -> CollectionRate:
    """rule F6: ``owner``'s collection rate over ``start``..``end``."""
    with uow:
        accounts = uow.accounts.owned_by(owner)
        open_complaints = uow.complaints.open_for(a.id for a in accounts)
        return collection_rate(accounts, owner, start, end, open_complaints)


def list_losses(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule F7: the loss ledger by department, person or complaint, newest first, with
    the sum over every matching entry."""
    query = _equal(select(LossEntry), LossEntry, filters, ("department", "person", "complaint_id"))
    with uow:
        result = page_of(
            uow.session, query, page, per_page, LossEntry.computed_at.desc(), LossEntry.id
        )
        # summed here, in Decimal: SQLite keeps money as text, and its SUM would not be exact
        matching = query.subquery()
        amounts = uow.session.scalars(select(matching.c.amount)).all()
    return {**result, "amount": money(sum(amounts, ZERO))}
