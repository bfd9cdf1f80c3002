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


def _where(query, model, filters: dict, fields: tuple[str, ...]):
    for field in fields:
        if filters.get(field) is not None:
            query = query.where(getattr(model, field) == filters[field])
    return query


def list_returns(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    query = _where(
        select(ReturnAuthorization),
        ReturnAuthorization,
        filters,
        ("complaint_id", "customer_id", "status"),
    )
    with uow:
        return page_of(
            uow.session,
            query,
            page,
            per_page,
            ReturnAuthorization.created_at.desc(),
            ReturnAuthorization.id,
        )


def list_replenishments(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    query = _where(select(Replenishment), Replenishment, filters, ("complaint_id", "status"))
    with uow:
        return page_of(
            uow.session, query, page, per_page, Replenishment.created_at.desc(), Replenishment.id
        )


def list_return_requests(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    query = _where(
        select(SalesReturnRequest), SalesReturnRequest, filters, ("customer_id", "status")
    )
    with uow:
        return page_of(
            uow.session,
            query,
            page,
            per_page,
            SalesReturnRequest.filed_at.desc(),
            SalesReturnRequest.id,
        )


def list_stock_movements(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule R3, rule R4: every stock effect, newest first."""
    table = stock_movements
    query = select(
        table.c.return_id,
        table.c.sku,
        table.c.kind,
        table.c.quantity,
        table.c.moved_at.label("at"),
        table.c.moved_by.label("by"),
    )
    query = _where(query, table.c, filters, ("sku", "return_id", "kind"))
    with uow:
        return page_of(
            uow.session,
            query,
            page,
            per_page,
            table.c.moved_at.desc(),
            table.c.id.desc(),
            rows=True,
        )


def list_scrap(uow: UnitOfWork, filters: dict, page: int, per_page: int) -> dict:
    """rule R4: the scrap records (报废单), newest first."""
    query = select(
        scrap.c.return_id,
        scrap.c.sku,
        scrap.c.spec,
        scrap.c.quantity,
        scrap.c.scrapped_at.label("at"),
        scrap.c.scrapped_by.label("by"),
    )
    query = _where(query, scrap.c, filters, ("sku", "return_id"))
    with uow:
        return page_of(
            uow.session,
            query,
            page,
            per_page,
            scrap.c.scrapped_at.desc(),
            scrap.c.id.desc(),
            rows=True,
        )
