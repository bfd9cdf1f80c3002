"""The complaints service's published API (CONTRACT "Complaint cases").

RPC methods (service name ``complaints``); every command takes ``actor`` =
``{"username", "roles", "department"}`` last:

- ``register_complaint(data, actor)`` -> complaint          (RegisterComplaintSchema)
- ``get_complaint(complaint_id)`` -> complaint               (ComplaintSchema)
- ``list_complaints(filters, page, per_page)`` -> page       (ComplaintFilterSchema)
- ``accept_complaint(complaint_id, data, actor)``            (AcceptSchema)
- ``reject_complaint(complaint_id, data, actor)``            (RejectSchema)
- ``record_investigation(complaint_id, data, actor)``        (InvestigationSchema)
- ``post_plan(complaint_id, data, actor)`` -> plan           (PostPlanSchema)
- ``approve_plan(complaint_id, plan_id, actor)`` -> plan
- ``send_back_plan(complaint_id, plan_id, data, actor)`` -> plan   (SendBackSchema)
- ``record_customer_response(complaint_id, plan_id, data, actor)`` (CustomerResponseSchema)
- ``record_follow_up(complaint_id, data, actor)``            (FollowUpSchema)
- ``list_notices(filters, page, per_page)`` -> page          (NoticeFilterSchema)
- ``monthly_report(month)`` -> report                        (MonthlyReportSchema)
- ``health()`` -> {"service": "complaints", "status": "ok"}

Events (``complaints.<name>``, payloads below) and the facts consumed from
returns and finance that move an action along (rule P8) are named in
``complaints_vocabulary``; their payload schemas are below.
"""

from marshmallow import EXCLUDE, Schema, fields, validate

from servicekit.contracts.common import BodyList, EventSchema, HistoryEntrySchema, Money, Ratio

# Names, constants and errors live in a module without marshmallow (the domain imports
# it); callers keep importing them from here.
from servicekit.contracts.complaints_vocabulary import *  # noqa: F403
from servicekit.contracts.complaints_vocabulary import (
    ACTION_STATES,
    ACTION_TYPES,
    APPROVER_RANKS,
    CAUSE_CATEGORIES,
    CHANNELS,
    COMPLAINT_CLOSED,
    COMPLAINT_REGISTERED,
    COMPLAINT_REJECTED,
    COMPLAINT_RESOLVED,
    LOSS_APPORTIONED,
    NOTICE_ISSUED,
    NOTICE_KINDS,
    NOTICE_TYPES,
    PLAN_ACCEPTED,
    PLAN_STATUSES,
    REQUEST_TYPES,
    STATUSES,
    STEPS,
)


# --- request payloads -------------------------------------------------------
class LineSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=500)
    )
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit_price = Money(required=True, validate=validate.Range(min=0))


class RegisterComplaintSchema(Schema):
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    order_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    ship_date = fields.Date(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    request = fields.String(required=True, validate=validate.OneOf(REQUEST_TYPES))
    lines = BodyList(fields.Nested(LineSchema), required=True, min_items=1)


class AcceptSchema(Schema):
    promised_days = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=365)
    )


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ResponsibilitySchema(Schema):
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=150))
    share = Ratio(required=True, validate=validate.Range(min=0, max=1, min_inclusive=False))


class InvestigationSchema(Schema):
    findings = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    cause = fields.String(required=True, validate=validate.Length(min=1, max=200))
    cause_category = fields.String(required=True, validate=validate.OneOf(CAUSE_CATEGORIES))
    responsibility = BodyList(fields.Nested(ResponsibilitySchema), required=True, min_items=1)
    improvement = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )


class PlanActionInSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(ACTION_TYPES))
    lines = BodyList(fields.Nested(LineSchema), load_default=list)
    amount = Money(load_default=None, allow_none=True, validate=validate.Range(min=0))


class PostPlanSchema(Schema):
    actions = BodyList(fields.Nested(PlanActionInSchema), required=True, min_items=1)


class SendBackSchema(Schema):
    """An approver refuses a pending plan (rule P6): it is declined, the next round opens."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CustomerResponseSchema(Schema):
    accepted = fields.Boolean(required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class FollowUpSchema(Schema):
    satisfied = fields.Boolean(required=True)
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class ComplaintFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(STATUSES))
    customer_id = fields.String()
    overdue = fields.Boolean()
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the case number or the order number"},
    )


class NoticeFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(validate=validate.OneOf(NOTICE_TYPES))
    department = fields.String()
    complaint_id = fields.String()


class MonthlyReportArgsSchema(Schema):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))


# --- resources --------------------------------------------------------------
class ComplaintLineSchema(LineSchema):
    id = fields.String(dump_only=True)


class ResponsibilityOutSchema(ResponsibilitySchema):
    id = fields.String(dump_only=True)


class InvestigationOutSchema(Schema):
    id = fields.String(required=True)
    findings = fields.String(required=True)
    cause = fields.String(required=True)
    cause_category = fields.String(required=True)
    improvement = fields.String(allow_none=True)
    responsibility = fields.List(fields.Nested(ResponsibilityOutSchema), required=True)
    investigated_by = fields.String(required=True)
    investigated_at = fields.DateTime(required=True)


class ActionLineSchema(LineSchema):
    id = fields.String(dump_only=True)
    amount = Money(required=True)


class ActionSchema(Schema):
    id = fields.String(required=True)
    plan_id = fields.String(required=True)
    type = fields.String(required=True)
    amount = Money(required=True)
    state = fields.String(required=True, validate=validate.OneOf(ACTION_STATES))
    lines = fields.List(fields.Nested(ActionLineSchema), required=True)
    return_id = fields.String(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    voucher_issued_at = fields.DateTime(allow_none=True)
    voucher_id = fields.String(allow_none=True)
    shipment_id = fields.String(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    inspected_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)


class PlanSchema(Schema):
    id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    round = fields.Integer(required=True)
    previous_plan_id = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(PLAN_STATUSES))
    amount = Money(required=True)
    required_approver = fields.String(required=True, validate=validate.OneOf(APPROVER_RANKS))
    actions = fields.List(fields.Nested(ActionSchema), required=True)
    posted_by = fields.String(required=True)
    posted_at = fields.DateTime(required=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    responded_by = fields.String(allow_none=True)
    responded_at = fields.DateTime(allow_none=True)
    response_comment = fields.String(allow_none=True)


class StepSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.OneOf(STEPS))
    round = fields.Integer(required=True)
    department = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    done_at = fields.DateTime(allow_none=True)


class FollowUpOutSchema(Schema):
    id = fields.String(required=True)
    round = fields.Integer(required=True)
    satisfied = fields.Boolean(required=True)
    score = fields.Integer(required=True)
    notes = fields.String(allow_none=True)
    by = fields.String(required=True)
    at = fields.DateTime(required=True)


class NoticeSchema(Schema):
    id = fields.String(required=True)
    complaint_id = fields.String(required=True)
    number = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(NOTICE_TYPES))
    kind = fields.String(required=True, validate=validate.OneOf(NOTICE_KINDS))
    department = fields.String(required=True)
    step = fields.String(required=True)
    round = fields.Integer(required=True)
    due_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime(required=True)


class ComplaintSchema(Schema):
    id = fields.String(required=True)
    number = fields.String(required=True)
    customer_id = fields.String(required=True)
    owner = fields.String(
        allow_none=True, metadata={"description": "the customer's sales clerk at registration"}
    )
    channel = fields.String(required=True)
    order_no = fields.String(required=True)
    ship_date = fields.Date(required=True)
    description = fields.String(required=True)
    request = fields.String(required=True)
    lines = fields.List(fields.Nested(ComplaintLineSchema), required=True)
    registered_by = fields.String(required=True)
    registered_at = fields.DateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    promised_days = fields.Integer(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    accepted_by = fields.String(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    rejected_reason = fields.String(allow_none=True)
    rejected_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    current_step = fields.String(allow_none=True)
    step_due_at = fields.DateTime(allow_none=True)
    timely_acceptance = fields.Boolean(allow_none=True)
    on_time_closure = fields.Boolean(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    overdue = fields.Boolean()  # set by the reader: depends on "now"
    investigation = fields.Nested(InvestigationOutSchema, allow_none=True)
    plans = fields.List(fields.Nested(PlanSchema), required=True)
    actions = fields.List(fields.Nested(ActionSchema), required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)
    follow_ups = fields.List(fields.Nested(FollowUpOutSchema), required=True)
    notices = fields.List(fields.Nested(NoticeSchema), required=True)
    history = fields.List(fields.Nested(HistoryEntrySchema))


class ImprovementSchema(Schema):
    number = fields.String(required=True)
    cause = fields.String(allow_none=True)
    improvement = fields.String(required=True)


class MonthlyReportSchema(Schema):
    """rule P11; ratios are decimal strings, ``None`` when no case closed in the month."""

    month = fields.String(required=True)
    closed = fields.Integer(required=True)
    by_cause = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_department = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_product = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_customer = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    # Each department's part of the month's problems: sum of its shares / closed cases.
    problem_ratio = fields.Dict(keys=fields.String(), values=Ratio(), required=True)
    avg_handling_hours = fields.Decimal(as_string=True, places=2, allow_none=True, required=True)
    timely_acceptance_rate = Ratio(allow_none=True, required=True)
    on_time_closure_rate = Ratio(allow_none=True, required=True)
    improvements = fields.List(fields.Nested(ImprovementSchema), required=True)


# --- events -----------------------------------------------------------------
class _EventSchema(EventSchema):
    complaint_id = fields.String(required=True)
    number = fields.String(required=True)
    customer_id = fields.String(required=True)


class EventLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    description = fields.String(allow_none=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class ComplaintRegisteredEventSchema(_EventSchema):
    """``complaints.complaint_registered``: a case was opened (rule P2).

    For customer's complaint rate and grades, and finance's complaint-tied receivables
    (neither built yet)."""

    channel = fields.String(required=True)
    order_no = fields.String(required=True)
    request = fields.String(required=True)
    lines = fields.List(fields.Nested(EventLineSchema), required=True)
    registered_at = fields.DateTime(required=True)


class ComplaintRejectedEventSchema(_EventSchema):
    """``complaints.complaint_rejected``: the case ends without handling (rule P3).

    For finance: a rejected case no longer ties receivables (not built yet)."""

    reason = fields.String(required=True)
    rejected_at = fields.DateTime(required=True)


class EventActionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    action_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(ACTION_TYPES))
    amount = Money(required=True)
    lines = fields.List(fields.Nested(EventLineSchema), required=True)


class ApprovedQuantitySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sku = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)


class EventShareSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    department = fields.String(required=True)
    person = fields.String(allow_none=True)
    share = Ratio(required=True)


class PlanAcceptedEventSchema(_EventSchema):
    """``complaints.plan_accepted``: the customer accepted an approved plan (rule P7);
    its execution starts (rule P8).

    returns: an authorization for return/exchange/rework lines and a shipment per
    replenishment action; finance: a voucher per allowance/compensation action,
    ``approved_quantities`` for return reconciliation, ``responsibility`` for the loss
    ledger (returns and finance are not built yet).
    """

    plan_id = fields.String(required=True)
    round = fields.Integer(required=True)
    amount = Money(required=True)
    approved_by = fields.String(required=True)
    accepted_at = fields.DateTime(required=True)
    actions = fields.List(fields.Nested(EventActionSchema), required=True)
    # return + exchange lines, per (sku, unit_price).
    approved_quantities = fields.List(fields.Nested(ApprovedQuantitySchema), required=True)
    responsibility = fields.List(fields.Nested(EventShareSchema), required=True)
    cause_category = fields.String(allow_none=True)
    # The case's sales clerk (the customer's owner when the case was registered): returns
    # charges a difference at sign-off to them (rule R2).
    owner = fields.String(allow_none=True, load_default=None)


class ComplaintResolvedEventSchema(_EventSchema):
    plan_id = fields.String(required=True)
    resolved_at = fields.DateTime(required=True)


class ComplaintClosedEventSchema(_EventSchema):
    """``complaints.complaint_closed``: the customer is satisfied (rule P9).

    For customer's satisfaction and grades, and finance's complaint-tied receivables
    (neither built yet)."""

    lines = fields.List(fields.Nested(EventLineSchema), required=True)
    satisfied = fields.Boolean(required=True)
    satisfaction = fields.Integer(required=True)  # follow-up score 1..5
    handling_hours = fields.Decimal(as_string=True, places=2, required=True)
    registered_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True)
    on_time_closure = fields.Boolean(required=True)
    timely_acceptance = fields.Boolean(allow_none=True)
    cause = fields.String(allow_none=True)
    cause_category = fields.String(allow_none=True)
    responsibility = fields.List(fields.Nested(EventShareSchema), required=True)


class NoticeIssuedEventSchema(_EventSchema):
    """``complaints.notice_issued``: a reminder (催办单) or escalation (治办单), rule P10."""

    notice_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(NOTICE_TYPES))
    kind = fields.String(required=True, validate=validate.OneOf(NOTICE_KINDS))
    department = fields.String(required=True)
    step = fields.String(required=True)
    round = fields.Integer(required=True)
    due_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime(required=True)


class LossPartSchema(Schema):
    department = fields.String(required=True)
    person = fields.String(allow_none=True)
    share = Ratio(required=True)
    amount = Money(required=True)


class LossApportionedEventSchema(_EventSchema):
    """``complaints.loss_apportioned``: at closure, an estimate: the accepted plan's amount
    split by the responsibility shares (rule P12). The actual loss (resales within the
    window, goods not resold at their value) is finance's loss ledger (rule F7), which
    finance computes from ``plan_accepted`` and its resales, not from this event."""

    plan_id = fields.String(required=True)
    loss = Money(required=True)
    estimate = fields.Boolean(load_default=True)
    parts = fields.List(fields.Nested(LossPartSchema), required=True)


EVENT_SCHEMAS = {
    COMPLAINT_REGISTERED: ComplaintRegisteredEventSchema,
    COMPLAINT_REJECTED: ComplaintRejectedEventSchema,
    PLAN_ACCEPTED: PlanAcceptedEventSchema,
    COMPLAINT_RESOLVED: ComplaintResolvedEventSchema,
    COMPLAINT_CLOSED: ComplaintClosedEventSchema,
    NOTICE_ISSUED: NoticeIssuedEventSchema,
    LOSS_APPORTIONED: LossApportionedEventSchema,
}
