"""Reads of the customer service for lists and the audit trail (cosmicpython's views):
SQL straight on the unit of work's session, no domain rules involved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from customer.domain import ChangeRequest, Customer
from servicekit.contracts.customer_vocabulary import CHANGE_REQUEST_SIDES
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


# rule C4: a change request still waits for a decision in these statuses.
OPEN_CHANGE_REQUEST_STATUSES = ("pending", "partially_approved")


def list_all_change_requests(
    uow: UnitOfWork, filters: dict, page: int, per_page: int
) -> dict[str, Any]:
    """Every customer's change requests, newest first, each as ``(request, customer's
    name)``; ``awaiting`` (a side, rule C4) keeps the open ones that side has not decided."""
    query = select(ChangeRequest)
    if "status" in filters:
        query = query.where(ChangeRequest.status == filters["status"])
    if "customer_id" in filters:
        query = query.where(ChangeRequest.customer_id == filters["customer_id"])
    if "awaiting" in filters:
        query = query.where(
            ChangeRequest.status.in_(OPEN_CHANGE_REQUEST_STATUSES),
            ~_decided_by(filters["awaiting"]),
        )
    with uow:
        result = page_of(
            uow.session, query, page, per_page, ChangeRequest.requested_at.desc(), ChangeRequest.id
        )
        customer_ids = {r.customer_id for r in result["items"]}
        names = dict(
            uow.session.execute(
                select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))
            ).all()
        )
        return {**result, "items": [(r, names.get(r.customer_id)) for r in result["items"]]}


def customer_names(uow: UnitOfWork, ids: list[str]) -> list[dict[str, str]]:
    """``[{"id", "name"}]`` of the known ones of ``ids``, in their order (unknown ids
    absent): only the id and company name are read, no personal data, so the lookup is
    no read of a card to audit (rule C11)."""
    if not ids:
        return []
    with uow:
        names = dict(
            uow.session.execute(
                select(Customer.id, Customer.name).where(Customer.id.in_(set(ids)))
            ).all()
        )
    return [{"id": i, "name": names[i]} for i in dict.fromkeys(ids) if i in names]


def _decided_by(side: str):
    """Whether a decision of ``side`` is among the request's (a JSON list, at most one per
    side): compared in SQL on SQLite and PostgreSQL alike."""
    roles = [
        func.coalesce(ChangeRequest.decisions[(n, "role")].as_string(), "")
        for n in range(len(CHANGE_REQUEST_SIDES))
    ]
    return or_(*(role == side for role in roles))


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
