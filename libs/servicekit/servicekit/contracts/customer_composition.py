"""The customer service's published API for the composition analysis (rule C10,
客户构成分析, seed 001): a year's sales by grade, by product and by region, from the
customer service's own summary of finance's invoices (rule X1), grade and region from
the card.

RPC method (service name ``customer``). HTTP (the gateway) -> RPC (market_manager, admin):

- ``GET /reports/customers/composition?year=`` -> ``composition_report(args)``
                                      (CompositionArgsSchema -> CompositionSchema)
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from servicekit.contracts.common import Money
from servicekit.contracts.customer_interactions_vocabulary import COMPOSITION_GROUPS  # noqa: F401
from servicekit.contracts.customer_vocabulary import SERVICE  # noqa: F401

_SHARE = {"type": "string", "format": "decimal", "example": "0.4250"}


def Share(**kwargs) -> fields.Decimal:  # noqa: N802 - reads like a field class
    """A part of the year's total sales, 0..1, four places."""
    return fields.Decimal(as_string=True, places=4, metadata=_SHARE, **kwargs)


class CompositionArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2999))


class GradeSalesSchema(Schema):
    grade = fields.String(allow_none=True, metadata={"description": "null: not graded yet"})
    customers = fields.Integer(required=True)
    amount = Money(required=True)
    share = Share(required=True)


class ProductShareSchema(Schema):
    sku = fields.String(
        allow_none=True, metadata={"description": "null: invoiced amounts without product lines"}
    )
    quantity = fields.Integer(required=True)
    amount = Money(required=True)
    share = Share(required=True)


class RegionSalesSchema(Schema):
    region = fields.String(allow_none=True, metadata={"description": "null: no region on the card"})
    customers = fields.Integer(required=True)
    amount = Money(required=True)
    share = Share(required=True)


class CompositionSchema(Schema):
    """rule C10: the year's invoiced sales and each group's share of them, largest first
    (grades A, B, C, then not graded)."""

    year = fields.Integer(required=True)
    total = Money(required=True)
    invoices = fields.Integer(required=True)
    customers = fields.Integer(required=True)
    by_grade = fields.List(fields.Nested(GradeSalesSchema), required=True)
    by_product = fields.List(fields.Nested(ProductShareSchema), required=True)
    by_region = fields.List(fields.Nested(RegionSalesSchema), required=True)
