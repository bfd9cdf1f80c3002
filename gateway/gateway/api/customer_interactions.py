"""Customer interactions and the composition analysis under ``/api/v1`` (rule C9,
rule C10): visits, calls, care activities, surveys, enquiries and suggestions recorded on a
customer; replies to enquiries and suggestions and the overdue ones; the follow-ups due;
the interaction report with its on-time reply rate; and a year's sales by grade, product
and region.

Each view makes one RPC to the ``customer`` service (methods documented in
``servicekit.contracts.customer_interactions`` and ``servicekit.contracts.
customer_composition``); commands get the acting user as ``actor``.
"""

from __future__ import annotations

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import customer_composition as composition
from servicekit.contracts import customer_interactions as contract
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = ServiceBlueprint(
    "customer_interactions",
    __name__,
    url_prefix="/api/v1",
    description="Customer interactions, follow-ups and the composition analysis",
)

InteractionPageSchema = page_schema(contract.InteractionSchema, "InteractionPage")
FollowUpPageSchema = page_schema(contract.FollowUpDueSchema, "FollowUpPage")

# CONTRACT "Who may do what" (admin may do everything).
INTERACTORS = ("cs_agent", "cs_manager", "sales_clerk", "sales_manager")
ANALYSTS = ("market_manager",)

EXAMPLE_INTERACTION = {
    "type": "enquiry",
    "at": "2026-11-20T06:00:00+00:00",
    "notes": "客户咨询新款减速机的交货期",
    "by": "wu.kf",
}
EXAMPLE_REPLY = {"reply": "已电话答复：新款下月中旬到货，可先下预订单"}


_customer = ServiceCalls(contract.SERVICE)


# --- rule C9: interactions ------------------------------------------------------------
@blp.route("/customers/<customer_id>/interactions", methods=["POST"])
@requires(*INTERACTORS)
@blp.arguments(contract.RecordInteractionSchema, example=EXAMPLE_INTERACTION)
@blp.response(201, contract.InteractionSchema)
def record_interaction(body, customer_id):
    """Record a visit, call, care activity, survey, enquiry or suggestion (rule C9).

    ``type``: visit (拜访), call (回访), care (节日问候, 生日祝福), survey (score 1-5,
    required for a survey only), enquiry (咨询), suggestion (建议). ``at``: when it
    happened (now when not given, never in the future); ``by``: who did it (you when not
    given). An enquiry or suggestion gets ``reply_due_at``: ``CUSTOMER_ENQUIRY_REPLY_HOURS``
    or ``CUSTOMER_SUGGESTION_REPLY_HOURS`` after ``at``. A visit, call or survey resets the
    customer's follow-up clock. Unknown customer -> 404 ``customer_not_found``.
    """
    return _customer("record_interaction", customer_id, body, _actor())


@blp.route("/customers/<customer_id>/interactions", methods=["GET"])
@requires(*INTERACTORS)
@blp.response(200, contract.InteractionSchema(many=True))
def list_customer_interactions(customer_id):
    """A customer's interactions, oldest first (rule C9).

    Example: ``[{"id": "...", "type": "visit", "at": "...", "notes": "季度拜访", "by":
    "li.sales", "reply_due_at": null, "overdue": false, "on_time": null, ...}]``
    """
    return _customer("list_customer_interactions", customer_id)


@blp.route("/interactions", methods=["GET"])
@requires(*INTERACTORS)
@blp.arguments(contract.InteractionFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, InteractionPageSchema)
def list_interactions(filters, page_args):
    """Interactions, newest first; ``overdue=true``: replies past due (rule C9).

    ``overdue=true`` lists the enquiries and suggestions past their reply due time without a
    reply; ``replied=false``: those still waiting for a reply. Example: ``GET
    /api/v1/interactions?type=enquiry&overdue=true``.
    """
    return _customer("list_interactions", filters, page_args["page"], page_args["per_page"])


@blp.route("/interactions/<interaction_id>", methods=["GET"])
@requires(*INTERACTORS)
@blp.response(200, contract.InteractionSchema)
def get_interaction(interaction_id):
    """One interaction with its reply, if any (rule C9).

    ``overdue``: an enquiry or suggestion past ``reply_due_at`` without a reply; ``on_time``:
    whether its reply came by then (null before a reply). Unknown -> 404
    ``interaction_not_found``.
    """
    return _customer("get_interaction", interaction_id)


@blp.route("/interactions/<interaction_id>/reply", methods=["POST"])
@requires(*INTERACTORS)
@blp.arguments(contract.ReplySchema, example=EXAMPLE_REPLY)
@blp.response(200, contract.InteractionSchema)
def reply_interaction(body, interaction_id):
    """Reply to an enquiry or suggestion (rule C9): ``on_time`` when by ``reply_due_at``.

    A reply at the due time is on time. Replied already -> 409 ``interaction_replied``; a
    visit, call, care activity or survey -> 409 ``interaction_not_replyable``.
    """
    return _customer("reply_interaction", interaction_id, body, _actor())


@blp.route("/follow-ups/due", methods=["GET"])
@requires(*INTERACTORS)
@blp.arguments(contract.FollowUpFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, FollowUpPageSchema)
def list_follow_ups_due(filters, page_args):
    """The customers whose follow-up (回访) is due, the longest overdue first (rule C9).

    Pick-up customers (自提客户, the card's ``pickup``) every
    ``CUSTOMER_FOLLOW_UP_PICKUP_DAYS`` (90: at least quarterly), the others every
    ``CUSTOMER_FOLLOW_UP_DAYS``, counted from the last visit, call or survey (or the
    card's approval); listed ``CUSTOMER_FOLLOW_UP_NOTICE_DAYS`` before they fall due.
    ``overdue=true``: only those past due. Active and dormant customers only.
    """
    return _customer("list_follow_ups_due", filters, page_args["page"], page_args["per_page"])


@blp.route("/reports/interactions", methods=["GET"])
@requires(*INTERACTORS)
@blp.arguments(contract.InteractionReportArgsSchema, location="query")
@blp.response(200, contract.InteractionReportSchema)
def interaction_report(args):
    """Interactions from ``from`` to ``to``: counts and on-time reply rates (rule C9).

    From and to are business days. The on-time reply rate of enquiries (客户咨询回复及时率)
    and of suggestions (客户反馈意见处理及时率) is replied on time / (replied + overdue
    without a reply); those not due yet are left out. Example: ``GET
    /api/v1/reports/interactions?from=2026-10-01&to=2026-12-31``.
    """
    return _customer("interaction_report", args)


# --- rule C10: the composition analysis -------------------------------------------------
@blp.route("/reports/customers/composition", methods=["GET"])
@requires(*ANALYSTS)
@blp.arguments(composition.CompositionArgsSchema, location="query")
@blp.response(200, composition.CompositionSchema)
def composition_report(args):
    """A year's sales by grade, by product and by region, each with its share (rule C10).

    From the customer service's own summary of finance's invoices; grade and region are the
    card's. Example: ``GET /api/v1/reports/customers/composition?year=2026`` -> ``{"year":
    2026, "total": "1000.00", "by_grade": [{"grade": "A", "customers": 1, "amount":
    "800.00", "share": "0.8000"}, ...], "by_product": [...], "by_region": [...]}``
    """
    return _customer("composition_report", args)
