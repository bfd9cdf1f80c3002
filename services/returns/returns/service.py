"""Nameko entrypoints of the returns service: load the payload, call a handler, dump.

See ``servicekit.contracts.returns`` for the published RPC API and events.
"""

from __future__ import annotations

import logging

from nameko.timer import timer

from returns import handlers, queries
from returns.commands import (
    AcceptedPlan,
    DecideReturnRequest,
    FileReturnRequest,
    PostReceipt,
    RecordInspection,
    ShipReplenishment,
)
from returns.domain import ReturnsSettings
from returns.models import start_mappers
from returns.repository import REPOSITORIES
from servicekit.config import settings_from
from servicekit.contracts import complaints
from servicekit.contracts import returns as contract
from servicekit.contracts.common import dump_with_history
from servicekit.nameko_ext import (
    DomainSettings,
    HealthRpc,
    RequestContext,
    UnitOfWorkProvider,
    command,
    handle_event,
    query,
)
from servicekit.validation import actor_of, load, load_command, load_list_args

start_mappers()
log = logging.getLogger(__name__)

# nameko fixes a timer's interval when the class is defined, so it is read here.
POSTING_TIMER_SECONDS = settings_from(ReturnsSettings, "RETURNS").posting_timer_seconds

_return = contract.ReturnSchema()
_returns = contract.ReturnSchema(many=True, exclude=("history",))
_receipt = contract.ReceiptAnswerSchema()
_shipment = contract.ReplenishmentSchema()
_shipments = contract.ReplenishmentSchema(many=True, exclude=("history",))
_request = contract.ReturnRequestSchema()
_requests = contract.ReturnRequestSchema(many=True, exclude=("history",))
_movements = contract.StockMovementSchema(many=True)
_scrap = contract.ScrapSchema(many=True)


def _page(result: dict, schema) -> dict:
    return {**result, "items": schema.dump(result["items"])}


class ReturnsService(HealthRpc):
    name = contract.SERVICE

    uow = UnitOfWorkProvider(repositories=REPOSITORIES)
    context = RequestContext()
    settings = DomainSettings(ReturnsSettings, "RETURNS")

    # --- rule R1, rule R5: an accepted plan's goods back and replenishments --------
    @handle_event(complaints.SERVICE, complaints.PLAN_ACCEPTED)
    def handle_plan_accepted(self, payload: dict) -> None:
        event = load(complaints.PlanAcceptedEventSchema, payload)
        handlers.handle_plan_accepted(self.uow(), AcceptedPlan.of(event))

    # --- commands -------------------------------------------------------------
    @command
    def post_receipt(self, return_id: str, data: dict, actor: dict) -> dict:
        """rule R2: ``{"scan_id": "S-1", "scanner_id": "gun-3", "lines": [{"sku": "P-100",
        "quantity": 2, "lot": "L7"}]}`` -> ``{"created": bool, "receipt": {...}}``."""
        scan = load_command(contract.PostReceiptSchema, data, PostReceipt.of)
        receipt, created = handlers.post_receipt(self.uow(), return_id, scan, actor_of(actor))
        return _receipt.dump({"created": created, "receipt": receipt})

    @command
    def sign_off(self, return_id: str, actor: dict) -> dict:
        """rule R2, rule R6: the actual quantities; posted at once unless the daily batch
        posts (``RETURNS_POST_AT_ONCE=false``)."""
        authorization = handlers.sign_off(
            self.uow(), return_id, actor_of(actor), post_at_once=self.settings.post_at_once
        )
        return _return.dump(authorization)

    @command
    def record_inspection(self, return_id: str, data: dict, actor: dict) -> dict:
        """rule R3, rule R4: ``{"witness": "li.na", "lines": [{"sku": "P-100", "good": 1,
        "rework": 0, "scrap": 1}]}``."""
        inspection = load_command(contract.InspectionSchema, data, RecordInspection.of)
        return _return.dump(handlers.inspect(self.uow(), return_id, inspection, actor_of(actor)))

    @command
    def ship_replenishment(self, shipment_id: str, data: dict, actor: dict) -> dict:
        """rule R5: ``{"carrier": "顺丰", "tracking_no": "SF123"}``."""
        shipment = load_command(contract.ShipSchema, data, ShipReplenishment)
        return _shipment.dump(
            handlers.ship_replenishment(self.uow(), shipment_id, shipment, actor_of(actor))
        )

    @command
    def file_return_request(self, data: dict, actor: dict) -> dict:
        """Seed 002: ``{"customer_id", "class": "no_reason", "basis": "...", "lines":
        [{"sku", "quantity", "unit_price"}]}``."""
        form = load_command(contract.FileReturnRequestSchema, data, FileReturnRequest.of)
        return _request.dump(handlers.file_return_request(self.uow(), form, actor_of(actor)))

    @command
    def decide_return_request(self, request_id: str, data: dict, actor: dict) -> dict:
        """rule R1: ``{"decision": "approve"|"reject", "comment": "..."}``; approved -> an
        authorization with no complaint (its id in ``return_id``)."""
        decision = load_command(contract.RequestDecisionSchema, data, DecideReturnRequest)
        request, _ = handlers.decide_return_request(
            self.uow(), request_id, decision, actor_of(actor)
        )
        return _request.dump(request)

    # --- queries --------------------------------------------------------------
    @query
    def get_return(self, return_id: str) -> dict:
        return dump_with_history(_return, queries.get_return(self.uow(), return_id))

    @query
    def list_returns(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters, paging = load_list_args(contract.ReturnFilterSchema, filters, page, per_page)
        return _page(queries.list_returns(self.uow(), filters, **paging), _returns)

    @query
    def list_stock_movements(
        self, filters: dict | None = None, page: int = 1, per_page: int = 50
    ) -> dict:
        filters, paging = load_list_args(
            contract.StockMovementFilterSchema, filters, page, per_page
        )
        return _page(queries.list_stock_movements(self.uow(), filters, **paging), _movements)

    @query
    def list_scrap(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters, paging = load_list_args(contract.ScrapFilterSchema, filters, page, per_page)
        return _page(queries.list_scrap(self.uow(), filters, **paging), _scrap)

    @query
    def get_replenishment(self, shipment_id: str) -> dict:
        return dump_with_history(_shipment, queries.get_replenishment(self.uow(), shipment_id))

    @query
    def list_replenishments(
        self, filters: dict | None = None, page: int = 1, per_page: int = 50
    ) -> dict:
        filters, paging = load_list_args(
            contract.ReplenishmentFilterSchema, filters, page, per_page
        )
        return _page(queries.list_replenishments(self.uow(), filters, **paging), _shipments)

    @query
    def get_return_request(self, request_id: str) -> dict:
        return dump_with_history(_request, queries.get_return_request(self.uow(), request_id))

    @query
    def list_return_requests(
        self, filters: dict | None = None, page: int = 1, per_page: int = 50
    ) -> dict:
        filters, paging = load_list_args(
            contract.ReturnRequestFilterSchema, filters, page, per_page
        )
        return _page(queries.list_return_requests(self.uow(), filters, **paging), _requests)

    # --- rule R6: the daily posting batch --------------------------------------
    @timer(interval=POSTING_TIMER_SECONDS)
    def run_posting_batch(self) -> int | None:
        """Every instance looks; the day's batch row lets one of them post, once a day."""
        try:
            posted = handlers.run_posting_batch(self.uow(), self.settings)
        except Exception:  # the next tick tries again; the timer must keep running
            log.exception("the daily posting batch failed")
            return None
        if posted is not None:
            log.info("daily posting batch ran", extra={"posted": posted})
        return posted
