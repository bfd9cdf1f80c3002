"""Use cases of the customer service: one function per RPC command.

Each loads aggregates through the unit of work's repositories (``uow.customers``,
``uow.change_requests``; ``customer.repository``), lets the domain apply the rules and
commits; the unit of work writes the events and history the domain recorded
(rule X2, rule X3). Reads for lists and the audit trail are in ``customer.queries``.
"""

from __future__ import annotations

from dataclasses import asdict

from customer.commands import (
    ChangeStatus,
    CreateCustomer,
    DecideChangeRequest,
    RequestChange,
    UpdateCustomer,
)
from customer.domain import ChangeRequest, Customer, CustomerSettings
from servicekit.db import UnitOfWork
from servicekit.domain import Actor


def create_customer(
    uow: UnitOfWork, command: CreateCustomer, actor: Actor, settings: CustomerSettings
) -> Customer:
    with uow:
        customer = Customer(**asdict(command), created_by=actor.username, settings=settings)
        uow.customers.add(customer)
        uow.commit()
        return customer


def get_customer(uow: UnitOfWork, customer_id: str) -> Customer:
    with uow:
        return uow.customers.get(customer_id)


def update_customer(
    uow: UnitOfWork,
    customer_id: str,
    command: UpdateCustomer,
    actor: Actor,
    settings: CustomerSettings,
) -> Customer:
    with uow:
        customer = uow.customers.get(customer_id, for_update=True)
        customer.update_card(command.changes, actor.username, settings=settings)
        uow.commit()
        return customer


def submit_customer(uow: UnitOfWork, customer_id: str, actor: Actor) -> Customer:
    with uow:
        customer = uow.customers.get(customer_id, for_update=True)
        customer.submit(actor.username)
        uow.commit()
        return customer


def approve_customer(uow: UnitOfWork, customer_id: str, actor: Actor) -> Customer:
    with uow:
        customer = uow.customers.get(customer_id, for_update=True)
        customer.approve(actor.username)
        uow.commit()
        return customer


def change_status(
    uow: UnitOfWork, customer_id: str, command: ChangeStatus, actor: Actor
) -> Customer:
    with uow:
        customer = uow.customers.get(customer_id, for_update=True)
        customer.change_status(command.status, actor.username, command.reason)
        uow.commit()
        return customer


def request_change(
    uow: UnitOfWork,
    customer_id: str,
    command: RequestChange,
    actor: Actor,
    settings: CustomerSettings,
) -> ChangeRequest:
    with uow:
        customer = uow.customers.get(customer_id)
        request = ChangeRequest(customer, command.terms, command.reason, actor.username, settings)
        uow.change_requests.add(request)
        uow.commit()
        return request


def decide_change_request(
    uow: UnitOfWork, request_id: str, command: DecideChangeRequest, actor: Actor
) -> ChangeRequest:
    with uow:
        request = uow.change_requests.get(request_id, for_update=True)
        customer = uow.customers.get(request.customer_id, for_update=True)
        request.decide(customer, command.decision, actor.username, actor.roles, command.comment)
        uow.commit()
        return request


def get_change_request(uow: UnitOfWork, request_id: str) -> ChangeRequest:
    with uow:
        return uow.change_requests.get(request_id)
