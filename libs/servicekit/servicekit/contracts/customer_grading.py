"""The customer service's published API for grading, key accounts, risk and warnings
(rule C5, rule C6, rule C7, rule C8; CONTRACT "Customers").

RPC methods (service name ``customer``); every command takes ``actor`` last. HTTP (the
gateway) -> RPC:

- ``GET /customers/{id}/grade`` -> ``get_grade(customer_id)``              (GradeSchema)
- ``GET /customers/{id}/grade-history`` -> ``list_grade_history(customer_id)``
                                                                   (GradeChangeSchema, many)
- ``POST /customers/regrade`` (market_manager) -> ``regrade_all(actor)``: starts a run that
  re-grades every customer in batches and answers at once          (RegradeRunSchema, 202)
- ``GET /customers/regrade/{run_id}`` (market_manager) -> ``get_regrade_run(run_id)``
                                                                       (RegradeRunSchema)
- ``POST /customers/{id}/regrade`` (market_manager) -> ``regrade_customer(customer_id,
  actor)``                                                                 (GradeSchema)
- ``GET /customers/{id}/summary`` -> ``get_summary(customer_id)``         (SummarySchema)
- ``GET /customers/{id}/risk`` -> ``get_risk(customer_id)``                 (RiskSchema)
- ``GET /key-accounts?owner=`` -> ``list_key_accounts(filters, page, per_page)``
                                                                       (KeyAccountSchema)
- ``POST /customers/{id}/key-account`` (sales_manager, market_manager)
  -> ``set_key_account(customer_id, data, actor)`` (SetKeyAccountSchema -> KeyAccountSchema)
- ``GET /warnings?type=&status=&customer_id=&owner=`` -> ``list_warnings(filters, page,
  per_page)``                                                             (WarningSchema)
- ``GET /warnings/{id}`` -> ``get_warning(warning_id)``
- ``POST /warnings/{id}/remedy`` (cs_agent, cs_manager, sales_clerk, sales_manager)
  -> ``remedy_warning(warning_id, data, actor)``     (RemedySchema -> WarningSchema)

Event ``customer.grade_changed`` (GradeChangedEventSchema): a customer's grade letter
changed; nobody consumes it yet (audit, later consumers).
"""

from datetime import UTC

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from servicekit.contracts.common import EventSchema, Money
from servicekit.contracts.customer_grading_vocabulary import (  # noqa: F401 (the published API)
    COMPONENTS,
    GRADES,
    HISTORY_BANDS,
    KEY_ACCOUNT_SOURCES,
    REGRADE_RUN_STATUSES,
    RISK_FACTORS,
    RISK_LEVELS,
    SCALES,
    SYSTEM,
    TRIGGERS,
    WARNING_STATUSES,
    WARNING_TYPES,
    MaintenancePlanRequired,
    NotGradable,
    RegradeRunning,
    RegradeRunNotFound,
    WarningHandled,
    WarningNotFound,
)
from servicekit.contracts.customer_vocabulary import GRADE_CHANGED, SERVICE  # noqa: F401
from servicekit.contracts.finance import InvoiceRecordedEventSchema, LedgerChangedEventSchema

_POINTS = {"type": "string", "format": "decimal", "example": "72.50"}


def Points(**kwargs) -> fields.Decimal:  # noqa: N802 - reads like a field class
    """A score or a component: points 0..100 as a decimal string with two places."""
    return fields.Decimal(as_string=True, places=2, metadata=_POINTS, **kwargs)


def _points_map(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(COMPONENTS)), values=Points(), **kwargs
    )


# --- requests ---------------------------------------------------------------
class MaintenancePlanSchema(Schema):
    """seed 001: 维护方式、负责人员、所需费用."""

    how = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    who = fields.String(required=True, validate=validate.Length(min=1, max=150))
    budget = Money(required=True, validate=validate.Range(min=0))


class SetKeyAccountSchema(Schema):
    """rule C7: ``{"key_account": true, "plan": {"how": "每月拜访一次，季度业务回顾",
    "who": "li.sales", "budget": "20000.00"}, "owner": "li.sales"}``; designating needs a
    plan (now or before), removing does not. ``owner``: who owns the account (warnings
    name them); the card's owner when not given."""

    key_account = fields.Boolean(load_default=True)
    plan = fields.Nested(MaintenancePlanSchema, load_default=None, allow_none=True)
    owner = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 150))


class RemedySchema(Schema):
    """rule C7, rule C8: ``{"action": "销售经理本周上门拜访，恢复季度返利"}``; ``remedy`` is
    read as ``action`` too."""

    action = fields.String(required=True, validate=validate.Length(min=1, max=2000))

    @pre_load
    def _remedy_is_action(self, data, **_kwargs):
        if isinstance(data, dict) and "remedy" in data:
            data = dict(data)
            remedy = data.pop("remedy")
            if "action" in data and data["action"] != remedy:
                raise ValidationError("give the remedy once, as action", "remedy")
            data["action"] = remedy
        return data


class _Filters(Schema):
    class Meta:
        unknown = EXCLUDE


class KeyAccountFilterSchema(_Filters):
    owner = fields.String()


class WarningFilterSchema(_Filters):
    type = fields.String(validate=validate.OneOf(WARNING_TYPES))
    status = fields.String(validate=validate.OneOf(WARNING_STATUSES))
    customer_id = fields.String()
    owner = fields.String()


# --- answers ----------------------------------------------------------------
class GradeSchema(Schema):
    """rule C5, rule C6: the customer's grading now (nulls before its first)."""

    customer_id = fields.String(required=True)
    grade = fields.String(allow_none=True, validate=validate.OneOf(GRADES))
    score = Points(allow_none=True)
    components = _points_map(required=True)
    scale = fields.String(allow_none=True, validate=validate.OneOf(SCALES))
    history_band = fields.String(allow_none=True, validate=validate.OneOf(HISTORY_BANDS))
    graded_at = fields.DateTime(allow_none=True)
    trigger = fields.String(allow_none=True, validate=validate.OneOf(TRIGGERS))
    reason = fields.String(allow_none=True)
    inputs = fields.Dict(
        required=True,
        metadata={
            "description": "what the score read: purchases and invoices in the window,"
            " cooperation_years, balance, overdue, complaints, satisfaction"
        },
    )


class GradeChangeSchema(Schema):
    """An entry of the grade history, oldest first (rule C6)."""

    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    at = fields.DateTime(required=True)
    by = fields.String(required=True)
    trigger = fields.String(required=True, validate=validate.OneOf(TRIGGERS))
    reason = fields.String(required=True)
    grade = fields.String(required=True)
    previous_grade = fields.String(allow_none=True)
    score = Points(required=True)
    previous_score = Points(allow_none=True)
    components = _points_map(required=True)
    inputs = fields.Dict(required=True)
    scale = fields.String(required=True)
    history_band = fields.String(required=True)


class RegradeRunSchema(Schema):
    """rule C6: a run re-grading every customer with terms in effect, one batch of
    ``CUSTOMER_REGRADE_BATCH_SIZE`` customers per transaction; poll it until ``done``."""

    id = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(REGRADE_RUN_STATUSES),
        metadata={"enum": list(REGRADE_RUN_STATUSES)},
    )
    requested_by = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    total = fields.Integer(
        required=True, metadata={"description": "customers with terms in effect at the start"}
    )
    graded = fields.Integer(required=True, metadata={"description": "customers graded so far"})
    changed = fields.Integer(required=True, metadata={"description": "whose grade or score moved"})
    batches = fields.Integer(required=True, metadata={"description": "transactions committed"})
    resumed = fields.Integer(
        required=True, metadata={"description": "times an interrupted run was started again"}
    )
    error = fields.String(
        allow_none=True, metadata={"description": "why the last batch failed (status failed)"}
    )


class RiskSchema(Schema):
    """rule C8: ``level`` and ``factors`` (each with its value and points)."""

    customer_id = fields.String(required=True)
    level = fields.String(allow_none=True, validate=validate.OneOf(RISK_LEVELS))
    points = fields.Integer(required=True)
    factors = fields.Dict(keys=fields.String(validate=validate.OneOf(RISK_FACTORS)))
    assessed_at = fields.DateTime(allow_none=True)
    raised_at = fields.DateTime(allow_none=True)
    guarantee_required = fields.Boolean(required=True)
    change_request_id = fields.String(
        allow_none=True,
        metadata={"description": "the change request proposing tighter terms (rule C4)"},
    )


class PlanOutSchema(Schema):
    how = fields.String(required=True)
    who = fields.String(required=True)
    budget = Money(required=True)


class KeyAccountSchema(Schema):
    """rule C7: a key account (or a customer a manager took off the list)."""

    customer_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    key_account = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.OneOf(KEY_ACCOUNT_SOURCES))
    plan = fields.Nested(PlanOutSchema, allow_none=True)
    owner = fields.String(allow_none=True, metadata={"description": "who warnings name"})
    grade = fields.String(allow_none=True)
    scale = fields.String(allow_none=True)
    set_by = fields.String(allow_none=True)
    set_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(required=True)


class WarningSchema(Schema):
    """rule C7 (churn), rule C8 (risk): it names the owner and asks for a remedy."""

    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(WARNING_TYPES))
    reason = fields.String(required=True)
    details = fields.Dict(required=True)
    owner = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(WARNING_STATUSES))
    raised_at = fields.DateTime(required=True)
    action = fields.String(allow_none=True, metadata={"description": "the remedy taken"})
    handled_by = fields.String(allow_none=True)
    handled_at = fields.DateTime(allow_none=True)


class ProductSalesSchema(Schema):
    quantity = fields.Integer(required=True)
    amount = Money(required=True)


class PurchasesSchema(Schema):
    window_start = fields.Date(required=True)
    window_end = fields.Date(required=True)
    in_window = Money(required=True, metadata={"description": "rule C5: the annual purchases"})
    invoices_in_window = fields.Integer(required=True)
    invoices = fields.Integer(required=True)
    by_month = fields.Dict(keys=fields.String(), values=Money(), required=True)
    by_quarter = fields.Dict(keys=fields.String(), values=Money(), required=True)
    by_product = fields.Dict(
        keys=fields.String(), values=fields.Nested(ProductSalesSchema), required=True
    )


class ReceivablesSchema(Schema):
    balance = Money(required=True)
    overdue = Money(required=True)
    oldest_overdue_days = fields.Integer(required=True)
    as_of = fields.Date(allow_none=True, metadata={"description": "finance's latest ledger day"})


class ComplaintCountsSchema(Schema):
    total = fields.Integer(required=True)
    open = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    in_window = fields.Integer(required=True)
    satisfaction = fields.Decimal(as_string=True, places=2, allow_none=True)


class SummarySchema(Schema):
    """What the customer service keeps of finance's invoices and ledger and of complaints'
    cases for one customer (rule X1), as of today."""

    customer_id = fields.String(required=True)
    purchases = fields.Nested(PurchasesSchema, required=True)
    receivables = fields.Nested(ReceivablesSchema, required=True)
    complaints = fields.Nested(ComplaintCountsSchema, required=True)


# --- events -----------------------------------------------------------------
class GradeChangedEventSchema(EventSchema):
    """``customer.grade_changed``: a customer's grade letter changed (rule C6)."""

    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    previous_grade = fields.String(allow_none=True)
    score = Points(required=True)
    components = _points_map(required=True)
    scale = fields.String(required=True)
    history_band = fields.String(required=True)
    trigger = fields.String(required=True, validate=validate.OneOf(TRIGGERS))
    reason = fields.String(required=True)
    graded_at = fields.DateTime(required=True)
    owner = fields.String(allow_none=True)
    version = fields.Integer(load_default=None, allow_none=True)  # rule X1


# --- the customer service's readings of other services' events (rule X1) -------------
def _time(**kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(default_timezone=UTC, **kwargs)


class InvoiceFactSchema(InvoiceRecordedEventSchema):
    """``finance.invoice_recorded`` as customer reads it: the purchase and its lines."""


class LedgerFactSchema(LedgerChangedEventSchema):
    """``finance.ledger_changed`` as customer reads it; ``occurred_at`` orders the
    announcements (the newest balance wins)."""

    occurred_at = _time(load_default=None)


class _ComplaintFact(EventSchema):
    complaint_id = fields.String(required=True)
    number = fields.String(load_default=None, allow_none=True)
    customer_id = fields.String(required=True)


class ComplaintRegisteredFactSchema(_ComplaintFact):
    """``complaints.complaint_registered`` as customer reads it (rule C6, rule C8)."""

    registered_at = _time(required=True)


class ComplaintClosedFactSchema(_ComplaintFact):
    """``complaints.complaint_closed`` as customer reads it: the follow-up's score."""

    registered_at = _time(load_default=None)
    closed_at = _time(required=True)
    satisfied = fields.Boolean(required=True)
    satisfaction = fields.Integer(load_default=None, allow_none=True)


class ComplaintRejectedFactSchema(_ComplaintFact):
    """``complaints.complaint_rejected`` as customer reads it: no longer a dispute."""

    rejected_at = _time(required=True)
