"""Reads of the customer service for lists and the audit trail (cosmicpython's views):
SQL straight on the unit of work's session, no domain rules involved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from customer.domain import ChangeRequest, Customer
from servicekit.db import UnitOfWork, history_of
from servicekit.paging import page_of

_EQUAL_FILTERS = ("status", "grade", "nature", "region", "risk", "key_account", "owner")


def list_customers(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict[str, Any]:
    """Newest first; ``q`` matches a part of the name or a whole licence or tax number,
    ``phone`` and ``tax_no`` their keyed hashes (rule C11: those are encrypted)."""
    from customer import security_queries

    query = select(Customer)
    for field in _EQUAL_FILTERS:
        if field in filters:
            query = query.where(getattr(Customer, field) == filters[field])
    if filters.get("q"):
        query = query.where(security_queries.matching(filters["q"]))
    query = security_queries.narrowed(query, filters)
    with uow:
        return page_of(uow.session, query, page, per_page, Customer.created_at.desc(), Customer.id)


def list_change_requests(uow: UnitOfWork, customer_id: str) -> list[ChangeRequest]:
    """A customer's change requests, oldest first (rule C4)."""
    with uow:
        uow.customers.get(customer_id)
        return list(
            uow.session.scalars(
                select(ChangeRequest)
                .where(ChangeRequest.customer_id == customer_id)
                .order_by(ChangeRequest.requested_at)
            )
        )


def audit(uow: UnitOfWork, customer_id: str) -> list[dict]:
    """Every change of the card and of its change requests, oldest first (rule C4)."""
    with uow:
        uow.customers.get(customer_id)
        entries = history_of(uow.session, "customer", customer_id)
        request_ids = uow.session.scalars(
            select(ChangeRequest.id).where(ChangeRequest.customer_id == customer_id)
        ).all()
        for request_id in request_ids:
            for entry in history_of(uow.session, "change_request", request_id):
                entries.append(
                    {**entry, "changes": {**entry["changes"], "change_request": request_id}}
                )
        return sorted(entries, key=lambda e: e["at"])
