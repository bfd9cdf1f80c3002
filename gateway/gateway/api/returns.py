"""Warehouse returns under ``/api/v1``: authorizations, scanner receipts, sign-off,
inspection, stock movements, scrap, replenishment shipments and sales return requests.

Each view makes one RPC to the ``returns`` service (methods documented in
``servicekit.contracts.returns``); commands get the acting user or API key as ``actor``.
Warehouse scanners post with an API key that has the ``warehouse`` role.
"""

from __future__ import annotations

from flask import current_app

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import AUTHENTICATED, requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import returns as contract
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = ServiceBlueprint("returns", __name__, url_prefix="/api/v1", description="Warehouse returns")

ReturnPageSchema = page_schema(contract.ReturnSchema, "ReturnPage")
StockMovementPageSchema = page_schema(contract.StockMovementSchema, "StockMovementPage")
ScrapPageSchema = page_schema(contract.ScrapSchema, "ScrapPage")
ReplenishmentPageSchema = page_schema(contract.ReplenishmentSchema, "ReplenishmentPage")
ReturnRequestPageSchema = page_schema(contract.ReturnRequestSchema, "ReturnRequestPage")

# CONTRACT "Who may do what" (admin may do everything; every role may read).
FILERS = ("sales_clerk", "sales_manager")
DECIDERS = ("market_manager",)
WAREHOUSE = ("warehouse",)  # a user, or a scanner's API key
QUALITY = ("quality",)

EXAMPLE_SCAN = {
    "scan_id": "GUN3-20261127-000812",
    "scanner_id": "GUN3",
    "lines": [{"sku": "P-100", "quantity": 2, "lot": "L2611"}],
}
EXAMPLE_INSPECTION = {
    "witness": "li.na",
    "lines": [{"sku": "P-100", "good": 1, "rework": 0, "scrap": 1}],
}
EXAMPLE_REQUEST = {
    "customer_id": "3f2c9a1e",
    "class": "no_reason",
    "basis": "年度框架协议第 7 条：30 天内无理由退货",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
}


_returns = ServiceCalls(contract.SERVICE)
_page = _returns.page


# --- return authorizations ---------------------------------------------------------
@blp.route("/returns", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.ReturnFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ReturnPageSchema)
def list_returns(filters, page_args):
    """Return authorizations (rule R1), by complaint, customer and status, newest first.

    Example: ``GET /api/v1/returns?complaint_id=8d1e...`` -> ``{"items": [{"id": "...",
    "number": "RA-2026-000012", "complaint_id": "8d1e...", "status": "receiving", "lines":
    [{"sku": "P-100", "authorized_quantity": 2, "received_quantity": 1, "unit_price":
    "450.00"}], ...}], "total": 1, "page": 1, "per_page": 50}``
    """
    return _page("list_returns", filters, page_args)


@blp.route("/returns/<return_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ReturnSchema)
def get_return(return_id):
    """One return authorization with its receipts, differences and history (rule X3).

    Example: ``GET /api/v1/returns/5b7c...`` -> ``{"id": "5b7c...", "number":
    "RA-2026-000012", "status": "received", "receipts": [{"scan_id": "GUN3-...", ...}],
    "differences": [{"sku": "P-100", "difference": -1, "charged_to": "li.na"}],
    "history": [{"at": "...", "who": "zhou.jie", "action": "signed_off", ...}], ...}``
    """
    return _returns("get_return", return_id)


@blp.route("/returns/<return_id>/receipts", methods=["POST"])
@requires(*WAREHOUSE)
@blp.arguments(contract.PostReceiptSchema, example=EXAMPLE_SCAN)
@blp.response(201, contract.ReceiptSchema)
@blp.alt_response(200, schema=contract.ReceiptSchema, description="the scan_id was posted before")
def post_receipt(body, return_id):
    """A scanner's receipt (rule R2); a return is received over as many scans as it takes.

    The same ``scan_id`` again -> 200 with the first receipt, nothing counted twice; a sku
    not on the authorization -> 422 ``sku_not_authorized``; after sign-off -> 409
    ``return_signed_off``. More than authorized is taken and recorded (finance decides).
    """
    answer = _returns("post_receipt", return_id, body, _actor())
    return current_app.response_class(
        current_app.json.dumps(answer["receipt"]) + "\n",
        status=201 if answer["created"] else 200,
        mimetype="application/json",
    )


@blp.route("/returns/<return_id>/sign-off", methods=["POST"])
@requires(*WAREHOUSE)
@blp.response(200, contract.ReturnSchema)
def sign_off(return_id):
    """The warehouse signs for the actual quantities (rule R2): ``received``.

    Each line that differs from its authorization is recorded in ``differences`` against
    the case's sales clerk. The return is posted at once, announcing the actual
    quantities, or by the daily 08:00 batch when so configured (rule R6).
    """
    return _returns("sign_off", return_id, _actor())


@blp.route("/returns/<return_id>/inspection", methods=["POST"])
@requires(*QUALITY)
@blp.arguments(contract.InspectionSchema, example=EXAMPLE_INSPECTION)
@blp.response(200, contract.ReturnSchema)
def record_inspection(body, return_id):
    """Quality's split of what was received (rule R3), witnessed by the sales clerk.

    good + rework + scrap must equal the received quantity of each sku (422
    ``inspection_mismatch``). Good goes back to stock; scrap leaves stock at once and is
    recorded (rule R4). -> ``inspected``.
    """
    return _returns("record_inspection", return_id, body, _actor())


@blp.route("/stock-movements", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.StockMovementFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, StockMovementPageSchema)
def list_stock_movements(filters, page_args):
    """Every stock effect of an inspection (rule R3, rule R4), newest first.

    Example: ``GET /api/v1/stock-movements?sku=P-100`` -> ``{"items": [{"return_id":
    "...", "sku": "P-100", "kind": "scrapped", "quantity": -1, "at": "...", "by":
    "zhou.qa"}], ...}``
    """
    return _page("list_stock_movements", filters, page_args)


@blp.route("/scrap", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.ScrapFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ScrapPageSchema)
def list_scrap(filters, page_args):
    """Scrap records (报废单, rule R4): product, spec and quantity, newest first.

    Example: ``GET /api/v1/scrap?sku=P-100`` -> ``{"items": [{"return_id": "...", "sku":
    "P-100", "spec": "控制柜外壳", "quantity": 1, "at": "...", "by": "sun.wei"}], ...}``
    """
    return _page("list_scrap", filters, page_args)


# --- replenishment shipments -------------------------------------------------------
@blp.route("/replenishments", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.ReplenishmentFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ReplenishmentPageSchema)
def list_replenishments(filters, page_args):
    """Replenishment shipments (rule R5) of accepted plans, by complaint and status.

    One per replenishment action and per exchange's replacement. Example: ``GET
    /api/v1/replenishments?complaint_id=8d1e...`` -> ``{"items": [{"id": "...",
    "status": "pending", "lines": [{"sku": "SM-750", "quantity": 3}], ...}], ...}``
    """
    return _page("list_replenishments", filters, page_args)


@blp.route("/replenishments/<shipment_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ReplenishmentSchema)
def get_replenishment(shipment_id):
    """One replenishment shipment with its history (rule X3).

    Shipped ones carry ``carrier``, ``tracking_no``, ``shipped_at`` and ``shipped_by``.
    """
    return _returns("get_replenishment", shipment_id)


@blp.route("/replenishments/<shipment_id>/ship", methods=["POST"])
@requires(*WAREHOUSE)
@blp.arguments(contract.ShipSchema, example={"carrier": "顺丰速运", "tracking_no": "SF1234567890"})
@blp.response(200, contract.ReplenishmentSchema)
def ship_replenishment(body, shipment_id):
    """Picked, checked and shipped with carrier and tracking number (rule R5): ``shipped``.

    A second ship -> 409 ``already_shipped``.
    """
    return _returns("ship_replenishment", shipment_id, body, _actor())


# --- sales return requests (销售退货申请单, seed 002) -----------------------------------
@blp.route("/returns/requests", methods=["POST"])
@requires(*FILERS)
@blp.arguments(contract.FileReturnRequestSchema, example=EXAMPLE_REQUEST)
@blp.response(201, contract.ReturnRequestSchema)
def file_return_request(body):
    """File a sales return request not tied to a complaint: ``pending``.

    ``class``: exchange, short_not_replenished, quality_not_replenished or no_reason;
    ``basis``: what the return rests on (退回依据).
    """
    return _returns("file_return_request", body, _actor())


@blp.route("/returns/requests", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.ReturnRequestFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ReturnRequestPageSchema)
def list_return_requests(filters, page_args):
    """Sales return requests, by customer and status, newest first.

    Example: ``GET /api/v1/returns/requests?status=pending`` -> ``{"items": [{"id": "...",
    "class": "no_reason", "basis": "...", "status": "pending", ...}], ...}``
    """
    return _page("list_return_requests", filters, page_args)


@blp.route("/returns/requests/<request_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ReturnRequestSchema)
def get_return_request(request_id):
    """One sales return request with its history (rule X3).

    Approved ones name their return authorization in ``return_id``.
    """
    return _returns("get_return_request", request_id)


@blp.route("/returns/requests/<request_id>/decision", methods=["POST"])
@requires(*DECIDERS)
@blp.arguments(contract.RequestDecisionSchema, example={"decision": "approve", "comment": "同意"})
@blp.response(200, contract.ReturnRequestSchema)
def decide_return_request(body, request_id):
    """The market manager's decision on a sales return request.

    Approved -> a return authorization with no complaint (rule R1; its id in
    ``return_id``); rejected needs a ``comment``. A second decision -> 409 ``request_decided``.
    """
    return _returns("decide_return_request", request_id, body, _actor())
