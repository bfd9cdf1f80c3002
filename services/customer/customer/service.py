"""Nameko entrypoints of the customer service: load the payload, call a handler, dump.

See ``servicekit.contracts.customer`` for the published RPC API and events.
"""

from __future__ import annotations

from customer import handlers, queries
from customer.commands import (
    ChangeStatus,
    CreateCustomer,
    DecideChangeRequest,
    RequestChange,
    UpdateCustomer,
)
from customer.domain import CustomerSettings
from customer.models import start_mappers
from customer.repository import REPOSITORIES
from servicekit.contracts import customer as contract
from servicekit.nameko_ext import (
    DomainSettings,
    HealthRpc,
    RequestContext,
    UnitOfWorkProvider,
    command,
    query,
)
from servicekit.validation import actor_of, load, load_command, load_list_args

start_mappers()

_customer = contract.CustomerSchema()
_customers = contract.CustomerSchema(many=True)
_request = contract.ChangeRequestSchema()
_requests = contract.ChangeRequestSchema(many=True)
_audit = contract.AuditEntrySchema(many=True)


class CustomerService(HealthRpc):
    name = contract.SERVICE

    uow = UnitOfWorkProvider(repositories=REPOSITORIES)
    context = RequestContext()
    settings = DomainSettings(CustomerSettings, "CUSTOMER")

    @command
    def create_customer(self, data: dict, actor: dict) -> dict:
        """Record a new customer card (rule C1, rule C2, rule C3).

        ``{"name": "华东机电有限公司", "nature": "distributor", "region": "华东",
        "discount": "0.85", "settlement_terms": "net_30", "credit_limit": "200000.00"}``
        """
        new = load_command(contract.CreateCustomerSchema, data, CreateCustomer)
        customer = handlers.create_customer(self.uow(), new, actor_of(actor), self.settings)
        return _customer.dump(customer)

    @query
    def get_customer(self, customer_id: str) -> dict:
        return _customer.dump(handlers.get_customer(self.uow(), customer_id))

    @query
    def list_customers(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters, paging = load_list_args(contract.CustomerFilterSchema, filters, page, per_page)
        result = queries.list_customers(self.uow(), filters, **paging)
        return {**result, "items": _customers.dump(result["items"])}

    @command
    def update_customer(self, customer_id: str, changes: dict, actor: dict) -> dict:
        """Change card fields directly, audited. Terms (rule C4): a card not yet approved
        has its proposed terms corrected; an approved one -> 422 change_request_required."""
        update = UpdateCustomer(load(contract.UpdateCustomerSchema, changes, partial=True))
        customer = handlers.update_customer(
            self.uow(), customer_id, update, actor_of(actor), self.settings
        )
        return _customer.dump(customer)

    @command
    def submit_customer(self, customer_id: str, actor: dict) -> dict:
        return _customer.dump(handlers.submit_customer(self.uow(), customer_id, actor_of(actor)))

    @command
    def approve_customer(self, customer_id: str, actor: dict) -> dict:
        return _customer.dump(handlers.approve_customer(self.uow(), customer_id, actor_of(actor)))

    @command
    def change_status(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``{"status": "dormant", "reason": "no orders for 6 months"}`` (rule C3)."""
        change = load_command(contract.ChangeStatusSchema, data, ChangeStatus)
        customer = handlers.change_status(self.uow(), customer_id, change, actor_of(actor))
        return _customer.dump(customer)

    @command
    def request_change(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``{"discount": "0.80", "reason": "annual volume agreement"}`` (rule C4)."""
        change = load_command(contract.ChangeRequestCreateSchema, data, RequestChange.of)
        request = handlers.request_change(
            self.uow(), customer_id, change, actor_of(actor), self.settings
        )
        return _request.dump(request)

    @command
    def decide_change_request(self, request_id: str, data: dict, actor: dict) -> dict:
        """``{"decision": "approve", "comment": "ok"}`` by market_manager or finance (rule C4)."""
        decision = load_command(contract.DecisionSchema, data, DecideChangeRequest)
        request = handlers.decide_change_request(self.uow(), request_id, decision, actor_of(actor))
        return _request.dump(request)

    @query
    def get_change_request(self, request_id: str) -> dict:
        return _request.dump(handlers.get_change_request(self.uow(), request_id))

    @query
    def list_change_requests(self, customer_id: str) -> list:
        return _requests.dump(queries.list_change_requests(self.uow(), customer_id))

    @query
    def get_audit(self, customer_id: str) -> list:
        return _audit.dump(queries.audit(self.uow(), customer_id))
