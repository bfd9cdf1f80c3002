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
from customer.grading_service import GradingEntrypoints
from customer.imports_service import ImportEntrypoints
from customer.interactions_service import InteractionEntrypoints
from customer.kpi_service import KpiEntrypoints
from customer.models import start_mappers
from customer.repository import REPOSITORIES
from customer.security_keys import protect_history
from customer.security_service import CardSecurity, reader_of
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

_request = contract.ChangeRequestSchema()
_requests = contract.ChangeRequestSchema(many=True)


class CustomerService(
    GradingEntrypoints,
    ImportEntrypoints,
    InteractionEntrypoints,
    KpiEntrypoints,
    CardSecurity,
    HealthRpc,
):
    name = contract.SERVICE

    # rule C11: personal values in the history are stored encrypted
    uow = UnitOfWorkProvider(repositories=REPOSITORIES, history_changes=protect_history)
    context = RequestContext()
    settings = DomainSettings(CustomerSettings, "CUSTOMER")

    @command
    def create_customer(self, data: dict, actor: dict) -> dict:
        """Record a new customer card (rule C1, rule C2, rule C3).

        ``{"name": "华东机电有限公司", "nature": "distributor", "region": "华东",
        "discount": "0.85", "settlement_terms": "net_30", "credit_limit": "200000.00"}``
        """
        new = load_command(contract.CreateCustomerSchema, data, CreateCustomer)
        actor = actor_of(actor)
        return self._shown(handlers.create_customer(self.uow(), new, actor, self.settings), actor)

    @query
    def get_customer(self, customer_id: str, actor: dict | None = None) -> dict:
        """One card as ``actor`` may read it (rule C11: personal data masked for roles
        not allowed and API keys; without an actor, a service's lookup, masked); the read
        is audited."""
        reader = reader_of(actor)
        return self._read([handlers.get_customer(self.uow(), customer_id)], reader, "card")[0]

    @query
    def list_customers(
        self,
        filters: dict | None = None,
        page: int = 1,
        per_page: int = 50,
        actor: dict | None = None,
    ):
        """Cards as ``actor`` may read them, each read audited (rule C11)."""
        reader = reader_of(actor)
        filters, paging = load_list_args(contract.CustomerFilterSchema, filters, page, per_page)
        result = queries.list_customers(self.uow(), filters, **paging)
        return {**result, "items": self._read(result["items"], reader, "list")}

    @command
    def update_customer(self, customer_id: str, changes: dict, actor: dict) -> dict:
        """Change card fields directly, audited. Terms (rule C4): a card not yet approved
        has its proposed terms corrected; an approved one -> 422 change_request_required."""
        update = UpdateCustomer(load(contract.UpdateCustomerSchema, changes, partial=True))
        actor = actor_of(actor)
        customer = handlers.update_customer(self.uow(), customer_id, update, actor, self.settings)
        return self._shown(customer, actor)

    @command
    def submit_customer(self, customer_id: str, actor: dict) -> dict:
        actor = actor_of(actor)
        return self._shown(handlers.submit_customer(self.uow(), customer_id, actor), actor)

    @command
    def approve_customer(self, customer_id: str, actor: dict) -> dict:
        actor = actor_of(actor)
        return self._shown(handlers.approve_customer(self.uow(), customer_id, actor), actor)

    @command
    def change_status(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``{"status": "dormant", "reason": "no orders for 6 months"}`` (rule C3)."""
        change = load_command(contract.ChangeStatusSchema, data, ChangeStatus)
        actor = actor_of(actor)
        return self._shown(handlers.change_status(self.uow(), customer_id, change, actor), actor)

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
    def list_all_change_requests(
        self, filters: dict | None = None, page: int = 1, per_page: int = 50
    ) -> dict:
        """Every customer's change requests, newest first, with the customer's name (rule C4).

        ``filters``: ``{"status": "pending", "customer_id": "3f2c...", "awaiting":
        "finance"}``; ``awaiting`` keeps the pending and partially approved ones that side
        has not decided yet.
        """
        filters, paging = load_list_args(
            contract.ChangeRequestFilterSchema, filters, page, per_page
        )
        result = queries.list_all_change_requests(self.uow(), filters, **paging)
        items = [{**_request.dump(r), "customer_name": name} for r, name in result["items"]]
        return {**result, "items": items}

    @query
    def customer_names(self, ids: list) -> list:
        """``[{"id", "name"}]`` of up to 100 customer ids (unknown ones absent), for pages
        that show names where answers carry ids; no personal data, so no read is audited
        (rule C11)."""
        loaded = load(contract.CustomerNamesSchema, {"ids": ids})
        return queries.customer_names(self.uow(), loaded["ids"])

    @query
    def get_audit(self, customer_id: str, actor: dict | None = None) -> list:
        """Every change and read of the card, oldest first (rule C11); the personal values
        in its changes masked for whom they are."""
        return self._audit_of(customer_id, reader_of(actor))
