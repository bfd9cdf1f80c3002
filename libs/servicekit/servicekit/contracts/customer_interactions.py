"""The customer service's published API for interactions (rule C9): visits, calls, care
activities and surveys recorded on a customer; the follow-ups due; enquiries and
suggestions with their reply due time and reply, and the on-time reply rate (seed 003:
客户咨询回复及时率, 客户反馈意见处理及时率).

RPC methods (service name ``customer``); every command takes ``actor`` last. HTTP (the
gateway) -> RPC (roles: cs_agent, cs_manager, sales_clerk, sales_manager and admin):

- ``POST /customers/{id}/interactions`` -> ``record_interaction(customer_id, data, actor)``
                                     (RecordInteractionSchema -> InteractionSchema, 201)
- ``GET /customers/{id}/interactions`` -> ``list_customer_interactions(customer_id)``
                                                        (InteractionSchema, many; oldest first)
- ``GET /interactions?type=&customer_id=&overdue=&replied=`` -> ``list_interactions(filters,
  page, per_page)``                                                      (InteractionSchema)
- ``GET /interactions/{id}`` -> ``get_interaction(interaction_id)``
- ``POST /interactions/{id}/reply`` -> ``reply_interaction(interaction_id, data, actor)``
                                                  (ReplySchema -> InteractionSchema)
- ``GET /follow-ups/due?overdue=&owner=&pickup=`` -> ``list_follow_ups_due(filters, page,
  per_page)``                                                              (FollowUpDueSchema)
- ``GET /reports/interactions?from=&to=`` -> ``interaction_report(args)``
                                         (InteractionReportArgsSchema -> InteractionReportSchema)

No event is published or consumed.
"""

from datetime import date

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from servicekit.contracts.customer_interactions_vocabulary import (  # noqa: F401 (the API)
    FOLLOW_UP_TYPES,
    FOLLOWED_STATUSES,
    INTERACTION_TYPES,
    REPLY_TYPES,
    SURVEY_SCORES,
    InteractionNotFound,
    InteractionNotReplyable,
    InteractionReplied,
)
from servicekit.contracts.customer_vocabulary import SERVICE  # noqa: F401

_RATE = {"type": "string", "format": "decimal", "example": "0.9500"}


# --- requests ---------------------------------------------------------------
class RecordInteractionSchema(Schema):
    """rule C9: ``{"type": "visit", "at": "2026-11-20T06:00:00+00:00", "notes": "季度拜访",
    "by": "li.sales"}``; a survey has its ``score`` 1..5, other types none. ``at``: when it
    happened (now when not given); ``by``: who did it (the actor when not given). An
    enquiry's or suggestion's reply falls due a setting's hours after ``at``."""

    type = fields.String(required=True, validate=validate.OneOf(INTERACTION_TYPES))
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    notes = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    score = fields.Integer(
        load_default=None, allow_none=True, validate=validate.OneOf(SURVEY_SCORES)
    )
    by = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=150))

    @validates_schema
    def _score_is_a_surveys(self, data, **_kwargs):
        if data.get("type") == "survey" and data.get("score") is None:
            raise ValidationError("a survey needs its score (1-5)", "score")
        if data.get("type") != "survey" and data.get("score") is not None:
            raise ValidationError("only a survey has a score", "score")


class ReplySchema(Schema):
    """``{"reply": "已电话答复：新款型号下月到货"}``."""

    reply = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class _Filters(Schema):
    class Meta:
        unknown = EXCLUDE


class InteractionFilterSchema(_Filters):
    """``overdue=true``: enquiries and suggestions past their reply due time without a
    reply; ``replied=false``: those still waiting for one."""

    type = fields.String(validate=validate.OneOf(INTERACTION_TYPES))
    customer_id = fields.String()
    overdue = fields.Boolean()
    replied = fields.Boolean()


class FollowUpFilterSchema(_Filters):
    """``overdue=true``: only the customers whose follow-up is past due."""

    overdue = fields.Boolean()
    owner = fields.String()
    pickup = fields.Boolean()


EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)


class InteractionReportArgsSchema(_Filters):
    """The business days ``from`` to ``to`` (both included) the interactions happened on."""

    # From 1900: a first day near year 1 overflowed when put in the business time zone.
    from_ = fields.Date(required=True, data_key="from", validate=validate.Range(min=EARLIEST))
    to = fields.Date(required=True, validate=validate.Range(min=EARLIEST, max=LATEST))

    @validates_schema
    def _in_order(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("must not be before from", "to")


# --- answers ----------------------------------------------------------------
class InteractionSchema(Schema):
    """rule C9: an interaction; an enquiry or suggestion with its reply due time and reply."""

    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(INTERACTION_TYPES))
    at = fields.DateTime(required=True)
    notes = fields.String(required=True)
    score = fields.Integer(allow_none=True)
    by = fields.String(required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)
    reply_due_at = fields.DateTime(allow_none=True)
    reply = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    replied_by = fields.String(allow_none=True)
    overdue = fields.Boolean(
        required=True, metadata={"description": "past its reply due time without a reply"}
    )
    on_time = fields.Boolean(
        allow_none=True, metadata={"description": "replied by its due time (null: no reply yet)"}
    )


class FollowUpDueSchema(Schema):
    """rule C9: a customer's next follow-up (回访): pick-up customers at least every
    ``CUSTOMER_FOLLOW_UP_PICKUP_DAYS``, others every ``CUSTOMER_FOLLOW_UP_DAYS``."""

    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    owner = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    pickup = fields.Boolean(required=True)
    status = fields.String(required=True)
    interval_days = fields.Integer(required=True)
    last_follow_up_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(required=True)
    overdue = fields.Boolean(required=True)
    days_overdue = fields.Integer(required=True)


class ReplyRateSchema(Schema):
    """The replies of one type (enquiry: 客户咨询回复及时率; suggestion: 客户反馈意见处理及时率)."""

    total = fields.Integer(required=True)
    replied = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    overdue = fields.Integer(required=True, metadata={"description": "past due, no reply yet"})
    waiting = fields.Integer(required=True, metadata={"description": "not due yet, no reply"})
    on_time_rate = fields.Decimal(
        as_string=True,
        places=4,
        allow_none=True,
        metadata={
            **_RATE,
            "description": "on_time / (replied + overdue); null when none is due yet",
        },
    )


class InteractionReportSchema(Schema):
    """rule C9: interactions from ``from`` to ``to``: counts per type and the on-time reply
    rate of enquiries and suggestions."""

    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    as_of = fields.DateTime(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    replies = fields.Dict(
        keys=fields.String(), values=fields.Nested(ReplyRateSchema), required=True
    )
    survey_average = fields.Decimal(as_string=True, places=2, allow_none=True)
