"""Use cases of the customer service: one function per RPC command or query.

Each works inside ``with uow:`` and commits; the unit of work writes the
events and history the domain recorded (rules X2, X3).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from customer.domain import ChangeRequest, Customer, CustomerSettings
from servicekit.contracts.customer import ChangeRequestNotFound, CustomerNotFound
from servicekit.db import UnitOfWork, history_of


def _customer(uow: UnitOfWork, customer_id: str, lock: bool = False) -> Customer:
    query = select(Customer).where(Customer.id == customer_id)
    if lock:
        query = query.with_for_update()
    customer = uow.session.scalars(query).first()
    if customer is None:
        raise CustomerNotFound(details={"customer_id": customer_id})
    return customer


def _change_request(uow: UnitOfWork, request_id: str) -> ChangeRequest:
    request = uow.session.scalars(
        select(ChangeRequest).where(ChangeRequest.id == request_id).with_for_update()
    ).first()
    if request is None:
        raise ChangeRequestNotFound(details={"change_request_id": request_id})
    return request


def create_customer(uow: UnitOfWork, settings: CustomerSettings, data: dict, actor: dict):
    with uow:
        customer = Customer(**data, created_by=actor["username"], settings=settings)
        uow.session.add(customer)
        uow.commit()
        return customer


def get_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    with uow:
        return _customer(uow, customer_id)


def list_customers(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict[str, Any]:
    query = select(Customer)
    for field in ("status", "grade", "nature", "region", "risk", "key_account", "owner"):
        if field in filters:
            query = query.where(getattr(Customer, field) == filters[field])
    if filters.get("q"):
        pattern = f"%{filters['q']}%"
        query = query.where(
            or_(
                Customer.name.ilike(pattern),
                Customer.license_no.ilike(pattern),
                Customer.tax_no.ilike(pattern),
            )
        )
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
        items = uow.session.scalars(
            query.order_by(Customer.created_at.desc(), Customer.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        return {"items": list(items), "total": total, "page": page, "per_page": per_page}


def update_customer(
    uow: UnitOfWork,
    customer_id: str,
    changes: dict,
    actor: dict,
    settings: CustomerSettings | None = None,
) -> Customer:
    with uow:
        customer = _customer(uow, customer_id, lock=True)
        customer.update_card(changes, actor["username"], settings=settings)
        uow.commit()
        return customer


def submit_customer(uow: UnitOfWork, customer_id: str, actor: dict) -> Customer:
    with uow:
        customer = _customer(uow, customer_id, lock=True)
        customer.submit(actor["username"])
        uow.commit()
        return customer


def approve_customer(uow: UnitOfWork, customer_id: str, actor: dict) -> Customer:
    with uow:
        customer = _customer(uow, customer_id, lock=True)
        customer.approve(actor["username"])
        uow.commit()
        return customer


def change_status(uow: UnitOfWork, customer_id: str, data: dict, actor: dict) -> Customer:
    with uow:
        customer = _customer(uow, customer_id, lock=True)
        customer.change_status(data["status"], actor["username"], data.get("reason"))
        uow.commit()
        return customer


def request_change(
    uow: UnitOfWork, settings: CustomerSettings, customer_id: str, data: dict, actor: dict
) -> ChangeRequest:
    with uow:
        customer = _customer(uow, customer_id)
        changes = {k: v for k, v in data.items() if k != "reason"}
        request = ChangeRequest(customer, changes, data["reason"], actor["username"], settings)
        uow.session.add(request)
        uow.commit()
        return request


def decide_change_request(uow: UnitOfWork, request_id: str, data: dict, actor: dict):
    with uow:
        request = _change_request(uow, request_id)
        customer = _customer(uow, request.customer_id, lock=True)
        request.decide(
            customer, data["decision"], actor["username"], actor["roles"], data.get("comment")
        )
        uow.commit()
        return request


def get_change_request(uow: UnitOfWork, request_id: str) -> ChangeRequest:
    with uow:
        return _change_request(uow, request_id)


def list_change_requests(uow: UnitOfWork, customer_id: str) -> list[ChangeRequest]:
    with uow:
        _customer(uow, customer_id)
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
        _customer(uow, customer_id)
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
