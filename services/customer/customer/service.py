"""Nameko entrypoints of the customer service: load the payload, call a handler, dump.

See ``servicekit.contracts.customer`` for the published RPC API and events.
"""

from __future__ import annotations

from sqlalchemy import text

from customer import handlers
from customer.domain import CustomerSettings
from customer.models import start_mappers
from servicekit.contracts import customer as contract
from servicekit.contracts.common import PageArgsSchema
from servicekit.nameko_ext import (
    DomainSettings,
    RequestContext,
    UnitOfWorkProvider,
    command,
    query,
)
from servicekit.validation import load, load_actor

start_mappers()

_customer = contract.CustomerSchema()
_customers = contract.CustomerSchema(many=True)
_request = contract.ChangeRequestSchema()
_requests = contract.ChangeRequestSchema(many=True)
_audit = contract.AuditEntrySchema(many=True)


class CustomerService:
    name = contract.SERVICE

    uow = UnitOfWorkProvider()
    context = RequestContext()
    settings = DomainSettings(CustomerSettings, "CUSTOMER")

    @query
    def health(self) -> dict:
        with self.uow() as uow:
            uow.session.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}

    @command
    def create_customer(self, data: dict, actor: dict) -> dict:
        """Record a new customer card (rules C1-C3).

        ``{"name": "华东机电有限公司", "nature": "distributor", "region": "华东",
        "discount": "0.85", "settlement_terms": "net_30", "credit_limit": "200000.00"}``
        """
        data = load(contract.CreateCustomerSchema, data)
        customer = handlers.create_customer(self.uow(), self.settings, data, load_actor(actor))
        return _customer.dump(customer)

    @query
    def get_customer(self, customer_id: str) -> dict:
        return _customer.dump(handlers.get_customer(self.uow(), customer_id))

    @query
    def list_customers(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters = load(contract.CustomerFilterSchema, filters or {})
        paging = load(PageArgsSchema, {"page": page, "per_page": per_page})
        result = handlers.list_customers(self.uow(), filters, **paging)
        return {**result, "items": _customers.dump(result["items"])}

    @command
    def update_customer(self, customer_id: str, changes: dict, actor: dict) -> dict:
        """Change card fields directly, audited. Terms (rule C4): a card not yet approved
        has its proposed terms corrected; an approved one -> 422 change_request_required."""
        changes = load(contract.UpdateCustomerSchema, changes, partial=True)
        customer = handlers.update_customer(
            self.uow(), customer_id, changes, load_actor(actor), self.settings
        )
        return _customer.dump(customer)

    @command
    def submit_customer(self, customer_id: str, actor: dict) -> dict:
        return _customer.dump(handlers.submit_customer(self.uow(), customer_id, load_actor(actor)))

    @command
    def approve_customer(self, customer_id: str, actor: dict) -> dict:
        return _customer.dump(handlers.approve_customer(self.uow(), customer_id, load_actor(actor)))

    @command
    def change_status(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``{"status": "dormant", "reason": "no orders for 6 months"}`` (rule C3)."""
        data = load(contract.ChangeStatusSchema, data)
        customer = handlers.change_status(self.uow(), customer_id, data, load_actor(actor))
        return _customer.dump(customer)

    @command
    def request_change(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``{"discount": "0.80", "reason": "annual volume agreement"}`` (rule C4)."""
        data = load(contract.ChangeRequestCreateSchema, data)
        request = handlers.request_change(
            self.uow(), self.settings, customer_id, data, load_actor(actor)
        )
        return _request.dump(request)

    @command
    def decide_change_request(self, request_id: str, data: dict, actor: dict) -> dict:
        """``{"decision": "approve", "comment": "ok"}`` by market_manager or finance (rule C4)."""
        data = load(contract.DecisionSchema, data)
        request = handlers.decide_change_request(self.uow(), request_id, data, load_actor(actor))
        return _request.dump(request)

    @query
    def get_change_request(self, request_id: str) -> dict:
        return _request.dump(handlers.get_change_request(self.uow(), request_id))

    @query
    def list_change_requests(self, customer_id: str) -> list:
        return _requests.dump(handlers.list_change_requests(self.uow(), customer_id))

    @query
    def get_audit(self, customer_id: str) -> list:
        entries = handlers.audit(self.uow(), customer_id)
        return _audit.dump(entries)
