"""The returns service's published API (the CONTRACT section "Returns").

RPC methods (service name ``returns``); every command takes ``actor`` =
``{"username", "roles", "department"}`` last:

- ``get_return(return_id)`` -> return with history          (ReturnSchema)
- ``list_returns(filters, page, per_page)`` -> page         (ReturnFilterSchema)
- ``post_receipt(return_id, data, actor)`` -> ``{"created", "receipt"}`` (PostReceiptSchema)
- ``sign_off(return_id, actor)`` -> return
- ``record_inspection(return_id, data, actor)`` -> return   (InspectionSchema)
- ``list_stock_movements(filters, page, per_page)``         (StockMovementFilterSchema)
- ``list_scrap(filters, page, per_page)``                   (ScrapFilterSchema)
- ``get_replenishment(shipment_id)`` / ``list_replenishments(filters, page, per_page)``
- ``ship_replenishment(shipment_id, data, actor)`` -> shipment (ShipSchema)
- ``file_return_request(data, actor)`` -> request           (FileReturnRequestSchema)
- ``decide_return_request(request_id, data, actor)`` -> request (RequestDecisionSchema)
- ``get_return_request(request_id)`` / ``list_return_requests(filters, page, per_page)``
- ``health()`` -> {"service": "returns", "status": "ok"}

Events (``returns.<name>``) are below. Consumers load with ``unknown=EXCLUDE`` so a
producer may add fields without breaking them.
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from servicekit.contracts.common import BodyList, EventSchema, HistoryEntrySchema, Money

# Names, constants and errors live in a module without marshmallow (the domain imports
# it); callers keep importing them from here.
from servicekit.contracts.returns_vocabulary import *  # noqa: F403
from servicekit.contracts.returns_vocabulary import (  # noqa: F401 (named for readers)
    DECISIONS,
    MOVEMENT_KINDS,
    REPLENISHMENT_SHIPPED,
    REPLENISHMENT_STATUSES,
    REQUEST_CLASSES,
    REQUEST_STATUSES,
    RETURN_AUTHORIZED,
    RETURN_INSPECTED,
    RETURN_RECEIVED,
    RETURN_STATUSES,
    SERVICE,
)

_SKU = validate.Length(min=1, max=64)
_NAME = validate.Length(min=1, max=100)


def _count(minimum: int) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=minimum))


def _text(longest: int) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=longest))


# --- request payloads -------------------------------------------------------
class RequestLineSchema(Schema):
    sku = fields.String(required=True, validate=_SKU)
    quantity = _count(1)
    unit_price = Money(required=True, validate=validate.Range(min=0))
    description = _text(500)
    reason = _text(500)
    handling = _text(50)


class FileReturnRequestSchema(Schema):
    """A sales return request (销售退货申请单, seed 002), not tied to a complaint."""

    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    request_class = fields.String(
        data_key="class", required=True, validate=validate.OneOf(REQUEST_CLASSES)
    )
    basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lines = BodyList(fields.Nested(RequestLineSchema), required=True, min_items=1)


class RequestDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = _text(2000)


class ScanLineSchema(Schema):
    sku = fields.String(required=True, validate=_SKU)
    quantity = _count(1)
    lot = _text(64)


class PostReceiptSchema(Schema):
    """A scanner's post (rule R2): the same ``scan_id`` again counts nothing."""

    scan_id = fields.String(required=True, validate=_NAME)
    scanner_id = fields.String(required=True, validate=_NAME)
    lines = BodyList(fields.Nested(ScanLineSchema), required=True, min_items=1)


class InspectionLineSchema(Schema):
    sku = fields.String(required=True, validate=_SKU)
    good = _count(0)
    rework = _count(0)
    scrap = _count(0)


class InspectionSchema(Schema):
    """Quality's split (rule R3), witnessed by the sales clerk (seed 002's joint check)."""

    witness = fields.String(required=True, validate=validate.Length(min=1, max=150))
    lines = BodyList(fields.Nested(InspectionLineSchema), required=True, min_items=1)


class ShipSchema(Schema):
    carrier = fields.String(required=True, validate=_NAME)
    tracking_no = fields.String(required=True, validate=_NAME)


class _Filters(Schema):
    class Meta:
        unknown = EXCLUDE


class ReturnFilterSchema(_Filters):
    complaint_id = fields.String()
    customer_id = fields.String()
    status = fields.String(validate=validate.OneOf(RETURN_STATUSES))


class StockMovementFilterSchema(_Filters):
    sku = fields.String()
    return_id = fields.String()
    kind = fields.String(validate=validate.OneOf(MOVEMENT_KINDS))


class ScrapFilterSchema(_Filters):
    sku = fields.String()
    return_id = fields.String()


class ReplenishmentFilterSchema(_Filters):
    complaint_id = fields.String()
    status = fields.String(validate=validate.OneOf(REPLENISHMENT_STATUSES))


class ReturnRequestFilterSchema(_Filters):
    customer_id = fields.String()
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))


# --- answers ----------------------------------------------------------------
class ReturnLineSchema(Schema):
    sku = fields.String(required=True)
    description = fields.String(allow_none=True)
    authorized_quantity = fields.Integer(required=True)
    received_quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    reason = fields.String(allow_none=True)
    handling = fields.String(allow_none=True)
    good = fields.Integer(allow_none=True)
    rework = fields.Integer(allow_none=True)
    scrap = fields.Integer(allow_none=True)


class ReceivedLineSchema(Schema):
    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    lot = fields.String(allow_none=True)


class ReceiptSchema(Schema):
    return_id = fields.String(required=True)
    scan_id = fields.String(required=True)
    scanner_id = fields.String(required=True)
    lines = fields.List(fields.Nested(ReceivedLineSchema), required=True)
    received_by = fields.String(required=True)
    received_at = fields.DateTime(required=True)


class ReceiptAnswerSchema(Schema):
    """``post_receipt``: the receipt, and whether this call created it (201) or found
    it from an earlier post of the same scan (200)."""

    created = fields.Boolean(required=True)
    receipt = fields.Nested(ReceiptSchema, required=True)


class DifferenceSchema(Schema):
    """rule R2: a line signed for at another quantity than authorized."""

    sku = fields.String(required=True)
    authorized_quantity = fields.Integer(required=True)
    received_quantity = fields.Integer(required=True)
    difference = fields.Integer(required=True)
    charged_to = fields.String(allow_none=True)


class ReturnSchema(Schema):
    id = fields.String(required=True)
    number = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    owner = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(RETURN_STATUSES))
    lines = fields.List(fields.Nested(ReturnLineSchema), required=True)
    receipts = fields.List(fields.Nested(ReceiptSchema), required=True)
    differences = fields.List(fields.Nested(DifferenceSchema), required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    received_at = fields.DateTime(allow_none=True)
    received_by = fields.String(allow_none=True)
    posted_at = fields.DateTime(allow_none=True)
    inspected_at = fields.DateTime(allow_none=True)
    inspected_by = fields.String(allow_none=True)
    witness = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


class StockMovementSchema(Schema):
    return_id = fields.String(required=True)
    sku = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MOVEMENT_KINDS))
    quantity = fields.Integer(required=True)  # in: positive; out: negative
    at = fields.DateTime(required=True)
    by = fields.String(required=True)


class ScrapSchema(Schema):
    """rule R4: a scrap record (报废单)."""

    return_id = fields.String(required=True)
    sku = fields.String(required=True)
    spec = fields.String(allow_none=True)
    quantity = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    by = fields.String(required=True)


class ShipmentLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)


class ReplenishmentSchema(Schema):
    id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    plan_id = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    lines = fields.List(fields.Nested(ShipmentLineSchema), required=True)
    status = fields.String(required=True, validate=validate.OneOf(REPLENISHMENT_STATUSES))
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    shipped_at = fields.DateTime(allow_none=True)
    shipped_by = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


class ReturnRequestSchema(Schema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    request_class = fields.String(data_key="class", required=True)
    basis = fields.String(required=True)
    lines = fields.List(fields.Nested(RequestLineSchema), required=True)
    status = fields.String(required=True, validate=validate.OneOf(REQUEST_STATUSES))
    filed_by = fields.String(required=True)
    filed_at = fields.DateTime(required=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    comment = fields.String(allow_none=True)
    return_id = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


# --- events -----------------------------------------------------------------


class ReturnLineEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    authorized_quantity = fields.Integer()
    received_quantity = fields.Integer()
    unit_price = Money()
    # rule R3: quality's split, None until the return is inspected
    good = fields.Integer(allow_none=True)
    rework = fields.Integer(allow_none=True)
    scrap = fields.Integer(allow_none=True)


class ReturnEventSchema(EventSchema):
    """``returns.return_authorized``, ``return_received``, ``return_inspected``."""

    return_id = fields.String(required=True)
    number = fields.String()
    complaint_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    lines = fields.List(fields.Nested(ReturnLineEventSchema), required=True)


class ReplenishmentShippedEventSchema(EventSchema):
    shipment_id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    customer_id = fields.String()
    action_id = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ShipmentLineSchema), load_default=list)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)


EVENT_SCHEMAS = {
    RETURN_AUTHORIZED: ReturnEventSchema,
    RETURN_RECEIVED: ReturnEventSchema,
    RETURN_INSPECTED: ReturnEventSchema,
    REPLENISHMENT_SHIPPED: ReplenishmentShippedEventSchema,
}
