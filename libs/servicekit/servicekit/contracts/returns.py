"""The returns service's published events.

Only the events other services consume are fixed here so far; the RPC API comes
with the returns service. Consumers load with ``unknown=EXCLUDE`` so a producer
may add fields without breaking them.
"""

from marshmallow import EXCLUDE, Schema, fields

from servicekit.contracts.common import EventSchema, Money

# Names, constants and errors live in a module without marshmallow (the domain imports
# it); callers keep importing them from here.
from servicekit.contracts.returns_vocabulary import *  # noqa: F403
from servicekit.contracts.returns_vocabulary import (  # noqa: F401 (named for readers)
    REPLENISHMENT_SHIPPED,
    RETURN_AUTHORIZED,
    RETURN_INSPECTED,
    RETURN_RECEIVED,
    SERVICE,
)


class ReturnLineEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    authorized_quantity = fields.Integer()
    received_quantity = fields.Integer()
    unit_price = Money()
    good = fields.Integer()
    rework = fields.Integer()
    scrap = fields.Integer()


class ReturnEventSchema(EventSchema):
    """``returns.return_authorized``, ``return_received``, ``return_inspected``."""

    return_id = fields.String(required=True)
    number = fields.String()
    complaint_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    lines = fields.List(fields.Nested(ReturnLineEventSchema), required=True)


class ShipmentLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)


class ReplenishmentShippedEventSchema(EventSchema):
    shipment_id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    customer_id = fields.String()
    action_id = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(ShipmentLineSchema), load_default=list)
    carrier = fields.String(allow_none=True)
    tracking_no = fields.String(allow_none=True)
