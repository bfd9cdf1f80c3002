"""Reads of the returns service: an authorization, shipment or request with its history
(rule X3), and the lists CONTRACT names. No rule is applied here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from returns.domain import Replenishment, ReturnAuthorization, SalesReturnRequest
from returns.models import scrap, stock_movements
from servicekit.db import UnitOfWork, history_of
from servicekit.paging import page_of

# An aggregate with its history: ``(aggregate, [{"at", "who", "action", "changes"}])``.
View = tuple[Any, list[dict]]


def _with_history(uow: UnitOfWork, entity_type: str, aggregate: Any) -> View:
    return aggregate, history_of(uow.session, entity_type, aggregate.id)


def get_return(uow: UnitOfWork, return_id: str) -> View:
    with uow:
        return _with_history(uow, "return", uow.returns.get(return_id))


def get_replenishment(uow: UnitOfWork, shipment_id: str) -> View:
    with uow:
        return _with_history(uow, "replenishment", uow.replenishments.get(shipment_id))


def get_return_request(uow: UnitOfWork, request_id: str) -> View:
    with uow:
        return _with_history(uow, "return_request", uow.requests.get(request_id))


def _where(query, on, filters: dict, fields: tuple[str, ...]):
    """``query`` with each filter named in ``fields`` that is given, as an equality on the
    attribute of that name of ``on`` (a mapped class, or a table's columns)."""
    for field in fields:
        if filters.get(field) is not None:
            query = query.where(getattr(on, field) == filters[field])
    return query


def _page(
    uow: UnitOfWork, query, page: int, per_page: int, *order_by: Any, rows: bool = False
) -> dict:
    """One page of ``query`` (servicekit.paging.page_of) read in the unit of work."""
    with uow:
        return page_of(uow.session, query, page, per_page, *order_by, rows=rows)


def list_returns(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    model = ReturnAuthorization
    query = _where(select(model), model, filters, ("complaint_id", "customer_id", "status"))
    return _page(uow, query, page, per_page, model.created_at.desc(), model.id)


def list_replenishments(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    model = Replenishment
    query = _where(select(model), model, filters, ("complaint_id", "status"))
    return _page(uow, query, page, per_page, model.created_at.desc(), model.id)


def list_return_requests(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    model = SalesReturnRequest
    query = _where(select(model), model, filters, ("customer_id", "status"))
    return _page(uow, query, page, per_page, model.filed_at.desc(), model.id)


def list_stock_movements(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule R3, rule R4: every stock effect, newest first."""
    c = stock_movements.c
    query = select(
        c.return_id, c.sku, c.kind, c.quantity, c.moved_at.label("at"), c.moved_by.label("by")
    )
    query = _where(query, c, filters, ("sku", "return_id", "kind"))
    return _page(uow, query, page, per_page, c.moved_at.desc(), c.id.desc(), rows=True)


def list_scrap(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule R4: the scrap records (报废单), newest first."""
    c = scrap.c
    query = select(
        c.return_id, c.sku, c.spec, c.quantity, c.scrapped_at.label("at"), c.scrapped_by.label("by")
    )
    query = _where(query, c, filters, ("sku", "return_id"))
    return _page(uow, query, page, per_page, c.scrapped_at.desc(), c.id.desc(), rows=True)
