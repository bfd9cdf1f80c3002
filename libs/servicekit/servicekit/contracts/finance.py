"""The finance service's published API (rule F1 to rule F7, rule P12; CONTRACT "Finance").

RPC methods (service name ``finance``); every command takes ``actor`` =
``{"username", "roles", "department"}`` last. HTTP (the gateway, role ``finance``; the
credit check also sales_clerk and sales_manager) -> RPC:

- ``GET /finance/reconciliations?return_id=&complaint_id=&customer_id=&status=``
  -> ``list_reconciliations(filters, page, per_page)``    (ReconciliationFilterSchema)
- ``GET /finance/reconciliations/{id}`` -> ``get_reconciliation(reconciliation_id)``
- ``POST /finance/reconciliations/{id}/resolve``
  -> ``resolve_reconciliation(reconciliation_id, data, actor)`` (ResolveReconciliationSchema)
- ``GET /finance/vouchers?customer_id=&complaint_id=&type=&status=``
  -> ``list_vouchers(filters, page, per_page)``           (VoucherFilterSchema)
- ``GET /finance/vouchers/{id}`` (and its allowance certificate) -> ``get_voucher(voucher_id)``
- ``POST /finance/vouchers/{id}/proof`` -> ``record_proof(voucher_id, data, actor)`` (ProofSchema)
- ``POST /finance/invoices`` -> ``record_invoice(data, actor)``    (RecordInvoiceSchema) 201
- ``POST /finance/payments`` -> ``record_payment(data, actor)``    (RecordPaymentSchema) 201
- ``GET /finance/customers/{id}/ledger`` -> ``get_ledger(customer_id)``      (LedgerSchema)
- ``POST /finance/credit-check`` -> ``check_credit(data)``  (CreditCheckSchema) 200
- ``GET /finance/collection-rate?owner=&from=&to=`` -> ``get_collection_rate(args)``
- ``POST /finance/resales`` -> ``record_resale(data, actor)``       (RecordResaleSchema) 201
- ``GET /finance/losses?department=&person=&complaint_id=`` -> ``list_losses(filters, page,
  per_page)``                                                   (LossFilterSchema)
- ``health()`` -> {"service": "finance", "status": "ok"}

Events (``finance.<name>``) are below. Consumers load with ``unknown=EXCLUDE`` so a
producer may add fields without breaking them. Finance's own readings of other services'
events (with the fields it needs beyond their published schemas) are at the end.
"""

from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

from servicekit.contracts.common import (
    BodyList,
    EventSchema,
    HistoryEntrySchema,
    Money,
    Ratio,
    page_schema,
)
from servicekit.contracts.customer import CustomerTermsEventSchema, OwnerChangedEventSchema

# Names, constants and errors live in a module without marshmallow (the domain imports
# it); callers keep importing them from here.
from servicekit.contracts.finance_vocabulary import *  # noqa: F403
from servicekit.contracts.finance_vocabulary import (  # noqa: F401 (named for readers)
    AGEING_BUCKETS,
    CREDIT_DECISIONS,
    CREDIT_REASONS,
    ENTRY_KINDS,
    EVENTS,
    INVOICE_RECORDED,
    LEDGER_CHANGED,
    PROOF_METHODS,
    RECONCILIATION_EXCEPTION,
    RECONCILIATION_STATUSES,
    SERVICE,
    VOUCHER_ISSUED,
    VOUCHER_POSTED,
    VOUCHER_STATUSES,
    VOUCHER_TYPES,
)
from servicekit.contracts.returns import ReturnEventSchema, ReturnLineEventSchema

_ID = validate.Length(min=1, max=64)
_SKU = validate.Length(min=1, max=64)
_POSITIVE = validate.Range(min=0, min_inclusive=False)


def _count(minimum: int) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=validate.Range(min=minimum))


def _text(longest: int) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=longest))


# --- request payloads -------------------------------------------------------
class ResolvedLineSchema(Schema):
    sku = fields.String(required=True, validate=_SKU)
    accepted_quantity = _count(0)


class ResolveReconciliationSchema(Schema):
    """rule F1: ``{"lines": [{"sku": "P-100", "accepted_quantity": 10}], "comment": "..."}``,
    every sku of the reconciliation once."""

    lines = BodyList(fields.Nested(ResolvedLineSchema), required=True, min_items=1)
    comment = _text(2000)


class ProofSchema(Schema):
    """rule F2: ``{"method": "return_certificate", "reference": "TH-0012"}``."""

    method = fields.String(required=True, validate=validate.OneOf(PROOF_METHODS))
    reference = _text(200)


class InvoiceLineSchema(Schema):
    sku = fields.String(required=True, validate=_SKU)
    quantity = _count(1)
    unit_price = Money(required=True, validate=validate.Range(min=0))


class RecordInvoiceSchema(Schema):
    """rule F4: ``{"customer_id", "number": "FP-0001", "date": "2026-11-01", "due_date":
    "2026-12-01", "amount": "900.00", "lines": [{"sku", "quantity", "unit_price"}],
    "order_no": "SO-1"}``; ``due_date`` defaults from the customer's settlement terms,
    ``lines`` (optional) must sum to ``amount``, ``order_no`` ties it to a complaint on
    that order (rule F6)."""

    customer_id = fields.String(required=True, validate=_ID)
    number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    date = fields.Date(required=True)
    due_date = fields.Date(load_default=None, allow_none=True)
    amount = Money(required=True, validate=_POSITIVE)
    lines = BodyList(fields.Nested(InvoiceLineSchema), load_default=list)
    order_no = fields.String(load_default=None, allow_none=True, validate=_ID)


class RecordPaymentSchema(Schema):
    """rule F4: ``{"customer_id", "amount": "500.00", "date": "2026-11-20",
    "reference": "BANK-7781"}``."""

    customer_id = fields.String(required=True, validate=_ID)
    amount = Money(required=True, validate=_POSITIVE)
    date = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CreditCheckSchema(Schema):
    """rule F5: ``{"customer_id", "amount": "20000.00"}`` (the order's amount)."""

    customer_id = fields.String(required=True, validate=_ID)
    amount = Money(required=True, validate=_POSITIVE)


class CollectionRateArgsSchema(Schema):
    """rule F6: ``{"owner": "wang.sales", "from": "2026-10-01", "to": "2026-10-31"}``."""

    class Meta:
        unknown = EXCLUDE

    owner = fields.String(required=True, validate=validate.Length(min=1, max=150))
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")


class RecordResaleSchema(Schema):
    """rule P12: ``{"return_id", "sku", "quantity": 3, "unit_price": "400.00",
    "date": "2026-11-20"}``."""

    return_id = fields.String(required=True, validate=_ID)
    sku = fields.String(required=True, validate=_SKU)
    quantity = _count(1)
    unit_price = Money(required=True, validate=validate.Range(min=0))
    date = fields.Date(required=True)


class _Filters(Schema):
    class Meta:
        unknown = EXCLUDE


class ReconciliationFilterSchema(_Filters):
    return_id = fields.String()
    complaint_id = fields.String()
    customer_id = fields.String()
    status = fields.String(validate=validate.OneOf(RECONCILIATION_STATUSES))


class VoucherFilterSchema(_Filters):
    customer_id = fields.String()
    complaint_id = fields.String()
    type = fields.String(validate=validate.OneOf(VOUCHER_TYPES))
    status = fields.String(validate=validate.OneOf(VOUCHER_STATUSES))


class LossFilterSchema(_Filters):
    department = fields.String()
    person = fields.String()
    complaint_id = fields.String()


# --- answers ----------------------------------------------------------------
class ReconciliationLineSchema(Schema):
    sku = fields.String(required=True)
    unit_price = Money(required=True)
    approved_quantity = fields.Integer(required=True)
    actual_quantity = fields.Integer(required=True)
    accepted_quantity = fields.Integer(allow_none=True)
    amount = Money(allow_none=True)


class ReconciliationSchema(Schema):
    id = fields.String(required=True)
    return_id = fields.String(required=True)
    return_number = fields.String(allow_none=True)
    complaint_id = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(RECONCILIATION_STATUSES))
    ratio = Ratio(required=True, metadata={"description": "the over-acceptance ratio applied"})
    lines = fields.List(fields.Nested(ReconciliationLineSchema), required=True)
    amount = Money(allow_none=True, metadata={"description": "null while an exception"})
    voucher_id = fields.String(allow_none=True)
    received_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


class VoucherLineSchema(Schema):
    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class CertificateSchema(Schema):
    """The sales allowance certificate (销货折让证明单) of an allowance voucher (rule F3)."""

    number = fields.String(required=True)
    title = fields.String(required=True)
    customer_id = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    complaint_number = fields.String(allow_none=True)
    amount = Money(required=True)
    lines = fields.List(fields.Nested(VoucherLineSchema), required=True)
    signatories = fields.List(fields.String(), required=True)
    issued_at = fields.String(required=True)


class VoucherSchema(Schema):
    id = fields.String(required=True)
    number = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(VOUCHER_TYPES))
    customer_id = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)
    return_id = fields.String(allow_none=True)
    reconciliation_id = fields.String(allow_none=True)
    amount = Money(required=True)
    status = fields.String(required=True, validate=validate.OneOf(VOUCHER_STATUSES))
    lines = fields.List(fields.Nested(VoucherLineSchema), required=True)
    certificate = fields.Nested(CertificateSchema, allow_none=True)
    issued_at = fields.DateTime(required=True)
    posted_at = fields.DateTime(allow_none=True)
    posted_by = fields.String(allow_none=True)
    proof_method = fields.String(allow_none=True)
    proof_reference = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


class LedgerEntrySchema(Schema):
    """An entry of the ledger; ``balance`` is the balance after it (in the ledger only)."""

    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ENTRY_KINDS))
    date = fields.Date(required=True)
    due_date = fields.Date(allow_none=True)
    amount = Money(required=True)
    balance = Money()
    reference = fields.String(allow_none=True)
    order_no = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    voucher_id = fields.String(allow_none=True)
    voucher_type = fields.String(allow_none=True)
    complaint_id = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(InvoiceLineSchema), required=True)
    recorded_at = fields.DateTime(required=True)
    recorded_by = fields.String(required=True)


def _ageing(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(AGEING_BUCKETS)), values=Money(), **kwargs
    )


class LedgerSchema(Schema):
    """rule F4: ``balance`` = invoices - payments - credits (positive: the customer owes);
    ``ageing`` maps "0-30", "31-60", "61-90", "90+" to what is overdue by that many days."""

    customer_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    credit_limit = Money(allow_none=True)
    settlement_terms = fields.String(allow_none=True)
    as_of = fields.Date(required=True)
    balance = Money(required=True)
    overdue = Money(required=True)
    ageing = _ageing(required=True)
    entries = fields.List(fields.Nested(LedgerEntrySchema), required=True)


class CreditDecisionSchema(Schema):
    """rule F5: ``available_credit`` = credit_limit - open balance, before this order."""

    customer_id = fields.String(required=True)
    amount = Money(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(CREDIT_DECISIONS))
    reason = fields.String(required=True, validate=validate.OneOf(CREDIT_REASONS))
    available_credit = Money(allow_none=True)
    credit_limit = Money(allow_none=True)
    open_balance = Money(required=True)
    overdue = Money(required=True)
    settlement_terms = fields.String(allow_none=True)


class CollectionRateSchema(Schema):
    """rule F6: ``rate`` = collected / receivable (null when nothing fell due)."""

    owner = fields.String(required=True)
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    receivable = Money(required=True)
    collected = Money(required=True)
    rate = Ratio(allow_none=True, required=True)
    excluded = Money(required=True, metadata={"description": "tied to open complaints"})
    invoices = fields.Integer(required=True)
    excluded_invoices = fields.Integer(required=True)


class ResaleSchema(Schema):
    id = fields.String(required=True)
    return_id = fields.String(required=True)
    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    date = fields.Date(required=True)
    within_window = fields.Boolean(required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)


class LossEntrySchema(Schema):
    """rule F7: one part of a case's actual loss (rule P12)."""

    id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    complaint_number = fields.String(allow_none=True)
    plan_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    department = fields.String(required=True)
    person = fields.String(allow_none=True)
    share = Ratio(required=True)
    amount = Money(required=True)
    computed_at = fields.DateTime(required=True)


ReconciliationPageSchema = page_schema(ReconciliationSchema, "ReconciliationPage")
VoucherPageSchema = page_schema(VoucherSchema, "VoucherPage")


class LossPageSchema(page_schema(LossEntrySchema, "LossEntryPage")):
    amount = Money(required=True, metadata={"description": "the sum over every matching entry"})


# --- events -----------------------------------------------------------------
class VoucherEventSchema(EventSchema):
    """``finance.voucher_issued`` and ``finance.voucher_posted``: complaints settles the
    actions a voucher pays for (rule P8): a return credit (no ``action_id``) its return
    and exchange actions, an allowance or a compensation its own action."""

    voucher_id = fields.String(required=True)
    number = fields.String()
    type = fields.String(required=True, validate=validate.OneOf(VOUCHER_TYPES))
    customer_id = fields.String(required=True)
    complaint_id = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    return_id = fields.String(allow_none=True)
    reconciliation_id = fields.String(allow_none=True)
    action_id = fields.String(allow_none=True)
    amount = Money(required=True)
    issued_at = fields.DateTime()
    posted_at = fields.DateTime()  # voucher_posted
    proof_method = fields.String(allow_none=True)  # voucher_posted
    proof_reference = fields.String(allow_none=True)  # voucher_posted


class ExceptionLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    unit_price = Money()
    approved_quantity = fields.Integer(required=True)
    actual_quantity = fields.Integer(required=True)


class ReconciliationExceptionEventSchema(EventSchema):
    """``finance.reconciliation_exception``: a return beyond its tolerance, held for
    finance's decision (rule F1); complaints reminds finance (rule P10)."""

    reconciliation_id = fields.String(required=True)
    return_id = fields.String(required=True)
    return_number = fields.String(allow_none=True)
    complaint_id = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    customer_id = fields.String(required=True)
    ratio = Ratio()
    lines = fields.List(fields.Nested(ExceptionLineSchema))
    held_at = fields.DateTime()


class InvoiceEventLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class InvoiceRecordedEventSchema(EventSchema):
    """``finance.invoice_recorded``: customer's sales summaries (rule C10)."""

    invoice_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    number = fields.String(required=True)
    date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    amount = Money(required=True)
    order_no = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(InvoiceEventLineSchema), required=True)
    recorded_at = fields.DateTime(required=True)


class LedgerChangedEventSchema(EventSchema):
    """``finance.ledger_changed``: balance and overdue after an entry, for customer's
    payment behaviour (rule C6, rule C8)."""

    customer_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ENTRY_KINDS))
    amount = Money(required=True)
    balance = Money(required=True)
    overdue = Money(required=True)
    ageing = _ageing()
    as_of = fields.Date(required=True)


EVENT_SCHEMAS = {
    VOUCHER_ISSUED: VoucherEventSchema,
    VOUCHER_POSTED: VoucherEventSchema,
    RECONCILIATION_EXCEPTION: ReconciliationExceptionEventSchema,
    INVOICE_RECORDED: InvoiceRecordedEventSchema,
    LEDGER_CHANGED: LedgerChangedEventSchema,
}


# --- finance's readings of other services' events --------------------------------
class _Ordered(Schema):
    """What orders a customer's facts (rule X1): the customer's ``version`` (one more with
    every fact customer announces), else, from a producer without it, when the event
    occurred."""

    occurred_at = fields.AwareDateTime(default_timezone=UTC, load_default=None)
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class CustomerTermsFactSchema(_Ordered, CustomerTermsEventSchema):
    """``customer.customer_approved`` / ``terms_changed`` / ``status_changed`` as finance
    reads them."""


class OwnerFactSchema(_Ordered, OwnerChangedEventSchema):
    """``customer.owner_changed`` as finance reads it."""


class ReceivedLineEventSchema(ReturnLineEventSchema):
    sku = fields.String(required=True)
    authorized_quantity = fields.Integer(required=True)
    received_quantity = fields.Integer(required=True)
    unit_price = Money(required=True)


class ReturnReceivedFactSchema(ReturnEventSchema):
    """``returns.return_received`` as finance reads it (rule F1): every line with its
    quantities and price, and the plan (or request) the return came from."""

    plan_id = fields.String(load_default=None, allow_none=True)
    request_id = fields.String(load_default=None, allow_none=True)
    received_at = fields.AwareDateTime(default_timezone=UTC, load_default=None)
    lines = fields.List(fields.Nested(ReceivedLineEventSchema), required=True)
