"""The finance service's published events.

Only the events other services consume are fixed here so far; the RPC API comes
with the finance service.
"""

from marshmallow import fields, validate

from servicekit.contracts.common import EventSchema, Money

SERVICE = "finance"

VOUCHER_ISSUED = "voucher_issued"
VOUCHER_POSTED = "voucher_posted"
RECONCILIATION_EXCEPTION = "reconciliation_exception"
INVOICE_RECORDED = "invoice_recorded"
LEDGER_CHANGED = "ledger_changed"

VOUCHER_TYPES = ("return_credit", "allowance", "compensation")


class VoucherEventSchema(EventSchema):
    """``finance.voucher_issued`` and ``finance.voucher_posted``."""

    voucher_id = fields.String(required=True)
    number = fields.String()
    type = fields.String(required=True, validate=validate.OneOf(VOUCHER_TYPES))
    customer_id = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    return_id = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)
    amount = Money(required=True)


class ReconciliationExceptionEventSchema(EventSchema):
    reconciliation_id = fields.String(required=True)
    return_id = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
