"""Complaint cases, their notices and monthly report under ``/api/v1``.

Each view makes one RPC to the ``complaints`` service (methods documented in
``servicekit.contracts.complaints``); commands get the acting user as ``actor``.
The gateway checks roles only: whether an approver's rank covers a plan's amount
(rule P6) is the service's to decide (403 ``approver_rank_too_low``).
"""

from __future__ import annotations

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import AUTHENTICATED, requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import complaints as contract
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = ServiceBlueprint("complaints", __name__, url_prefix="/api/v1", description="Complaint cases")

ComplaintPageSchema = page_schema(contract.ComplaintSchema, "ComplaintPage")
NoticePageSchema = page_schema(contract.NoticeSchema, "NoticePage")

# CONTRACT "Who may do what" (admin may do everything).
HANDLERS = ("cs_agent", "cs_manager")
INVESTIGATORS = ("quality",)
PLAN_APPROVERS = contract.APPROVER_RANKS  # cs_manager < vp < gm; amounts: rule P6, in the service
OVERSEERS = ("cs_manager", "vp", "gm", "market_manager")

EXAMPLE_COMPLAINT = {
    "customer_id": "3f2c9a1e",
    "channel": "hotline",
    "order_no": "SO-20261101-07",
    "ship_date": "2026-11-01",
    "description": "收到的控制柜外壳破损，客户要求退货",
    "request": "return",
    "lines": [{"sku": "P-100", "description": "控制柜外壳", "quantity": 2, "unit_price": "450.00"}],
}
EXAMPLE_INVESTIGATION = {
    "findings": "包装泡沫不足，运输途中外壳受压变形",
    "cause": "包装不良",
    "cause_category": "non_sales",
    "responsibility": [
        {"department": "production", "person": "张三", "share": "0.70"},
        {"department": "logistics", "person": "李四", "share": "0.30"},
    ],
    "improvement": "外壳四角加装护角",
}
EXAMPLE_PLAN = {
    "actions": [
        {"type": "return", "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}]},
        {"type": "allowance", "amount": "300.00"},
    ]
}


_complaints = ServiceCalls(contract.SERVICE)


@blp.route("/complaints", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(contract.RegisterComplaintSchema, example=EXAMPLE_COMPLAINT)
@blp.response(201, contract.ComplaintSchema)
def register_complaint(body):
    """Register a complaint (rule P2) from a channel (rule P1): a new case ``registered``.

    An unknown customer -> 422 ``customer_unknown``; a lead or one pending approval (no
    orders yet) -> 422 ``customer_has_no_orders``; active, dormant and lost customers may
    complain. Example body: ``{"customer_id": "3f2c9a1e", "channel": "hotline",
    "order_no": "SO-20261101-07", "ship_date": "2026-11-01", "description": "外壳破损",
    "request": "return", "lines": [{"sku": "P-100", "quantity": 2, "unit_price":
    "450.00"}]}`` -> ``{"id": "...", "number": "TS-2026-000123",
    "status": "registered", ...}``
    """
    return _complaints("register_complaint", body, _actor())


@blp.route("/complaints", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.ComplaintFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ComplaintPageSchema)
def list_complaints(filters, page_args):
    """Complaints, filtered by status, customer and overdue (rule P10), and paged.

    Example: ``GET /api/v1/complaints?status=accepted&overdue=true&page=1&per_page=50`` ->
    ``{"items": [{"id": "...", "number": "TS-2026-000123", "status": "accepted",
    "overdue": true, ...}], "total": 1, "page": 1, "per_page": 50}``
    """
    return _complaints("list_complaints", filters, page_args["page"], page_args["per_page"])


@blp.route("/complaints/<complaint_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ComplaintSchema)
def get_complaint(complaint_id):
    """One complaint with its plans, actions, steps, follow-ups, notices and history.

    Example: ``GET /api/v1/complaints/8d1e...`` -> ``{"id": "8d1e...", "number":
    "TS-2026-000123", "status": "executing", "plans": [{"round": 1, "status":
    "accepted", ...}], "actions": [{"type": "return", "state": "in_progress", ...}],
    "history": [{"at": "...", "who": "wang.cs", "action": "registered", ...}],
    "notices": [], ...}``
    """
    return _complaints("get_complaint", complaint_id)


@blp.route("/complaints/<complaint_id>/accept", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(contract.AcceptSchema, example={"promised_days": 7})
@blp.response(200, contract.ComplaintSchema)
def accept_complaint(body, complaint_id):
    """Accept a complaint (rule P3): ``accepted`` with the promised ``due_at``.

    409 ``illegal_transition`` unless the case is ``registered``.
    Example body: ``{"promised_days": 7}`` -> the complaint.
    """
    return _complaints("accept_complaint", complaint_id, body, _actor())


@blp.route("/complaints/<complaint_id>/reject", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(contract.RejectSchema, example={"reason": "已超过一年质保期"})
@blp.response(200, contract.ComplaintSchema)
def reject_complaint(body, complaint_id):
    """Reject a complaint as unfounded (rule P3): ``rejected``, with the reason recorded.

    Example body: ``{"reason": "已超过一年质保期"}`` -> the complaint.
    """
    return _complaints("reject_complaint", complaint_id, body, _actor())


@blp.route("/complaints/<complaint_id>/investigation", methods=["POST"])
@requires(*INVESTIGATORS)
@blp.arguments(contract.InvestigationSchema, example=EXAMPLE_INVESTIGATION)
@blp.response(200, contract.ComplaintSchema)
def record_investigation(body, complaint_id):
    """Record quality's investigation (rule P4): ``investigated``.

    Responsibility shares must sum to 1.00: 422 ``shares_do_not_sum_to_one``.
    Example body: ``{"findings": "包装泡沫不足", "cause": "包装不良", "cause_category":
    "non_sales", "responsibility": [{"department": "production", "person": "张三",
    "share": "1.00"}]}`` -> the complaint.
    """
    return _complaints("record_investigation", complaint_id, body, _actor())


@blp.route("/complaints/<complaint_id>/plans", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(contract.PostPlanSchema, example=EXAMPLE_PLAN)
@blp.response(201, contract.PlanSchema)
def post_plan(body, complaint_id):
    """Post a resolution plan (rule P5); its amount sets the approver (rule P6).

    Example body: ``{"actions": [{"type": "return", "lines": [{"sku": "P-100",
    "quantity": 2, "unit_price": "450.00"}]}, {"type": "allowance", "amount": "300.00"}]}``
    -> ``{"id": "...", "round": 1, "amount": "1200.00", "required_approver":
    "cs_manager", "status": "pending_approval", ...}``
    """
    return _complaints("post_plan", complaint_id, body, _actor())


@blp.route("/complaints/<complaint_id>/plans/<plan_id>/approve", methods=["POST"])
@requires(*PLAN_APPROVERS)
@blp.response(200, contract.PlanSchema)
def approve_plan(complaint_id, plan_id):
    """Approve a plan (rule P6) as its required approver or a higher rank: ``approved``.

    Up to 10,000.00 cs_manager, up to 100,000.00 vp, above that gm; a lower rank ->
    403 ``approver_rank_too_low``. Example: ``POST
    /api/v1/complaints/8d1e.../plans/5b7c.../approve`` (no body) -> the plan with
    ``"status": "approved"``.
    """
    return _complaints("approve_plan", complaint_id, plan_id, _actor())


@blp.route("/complaints/<complaint_id>/plans/<plan_id>/send-back", methods=["POST"])
@requires(*PLAN_APPROVERS)
@blp.arguments(contract.SendBackSchema, example={"reason": "赔付依据不足，请补充检验报告"})
@blp.response(200, contract.PlanSchema)
def send_back_plan(body, complaint_id, plan_id):
    """Send a pending plan back (rule P6): declined, the next round opens.

    Only the rank that would approve it (or above) may; the case goes back to planning.
    Example body: ``{"reason": "赔付依据不足，请补充检验报告"}`` -> the plan with
    ``"status": "declined"``; a lower rank -> 403 ``approver_rank_too_low``.
    """
    return _complaints("send_back_plan", complaint_id, plan_id, body, _actor())


@blp.route("/complaints/<complaint_id>/plans/<plan_id>/customer-response", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(contract.CustomerResponseSchema, example={"accepted": True, "comment": "同意退货"})
@blp.response(200, contract.ComplaintSchema)
def record_customer_response(body, complaint_id, plan_id):
    """Record the customer's answer to an approved plan (rule P7).

    Accepted: the case is ``executing``; declined: the plan is ``declined`` and the next
    plan posted is the next round. Example body: ``{"accepted": true, "comment":
    "同意退货"}`` -> the complaint.
    """
    return _complaints("record_customer_response", complaint_id, plan_id, body, _actor())


@blp.route("/complaints/<complaint_id>/follow-ups", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(
    contract.FollowUpSchema, example={"satisfied": True, "score": 5, "notes": "客户对处理结果满意"}
)
@blp.response(200, contract.ComplaintSchema)
def record_follow_up(body, complaint_id):
    """Record the follow-up call of a resolved case (rule P9): satisfied -> ``closed``.

    Example body: ``{"satisfied": true, "score": 5, "notes": "客户对处理结果满意"}`` ->
    the complaint.
    """
    return _complaints("record_follow_up", complaint_id, body, _actor())


@blp.route("/notices", methods=["GET"])
@requires(*OVERSEERS)
@blp.arguments(contract.NoticeFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, NoticePageSchema)
def list_notices(filters, page_args):
    """Reminder (催办单) and escalation (治办单) notices of overdue steps (rule P10), paged.

    Example: ``GET /api/v1/notices?type=reminder&department=quality`` -> ``{"items":
    [{"id": "...", "number": "TS-2026-000123", "type": "reminder", "kind": "overdue",
    "department": "quality", "step": "investigation", ...}], "total": 1, "page": 1,
    "per_page": 50}``
    """
    return _complaints("list_notices", filters, page_args["page"], page_args["per_page"])


@blp.route("/reports/complaints/monthly", methods=["GET"])
@requires(*OVERSEERS)
@blp.arguments(contract.MonthlyReportArgsSchema, location="query")
@blp.response(200, contract.MonthlyReportSchema)
def monthly_report(args):
    """The monthly statistics of the cases closed in a month (rule P11).

    Example: ``GET /api/v1/reports/complaints/monthly?month=2026-10`` -> ``{"month":
    "2026-10", "closed": 12, "by_cause": {"包装不良": 5, ...}, "by_department":
    {"production": 4, ...}, "problem_ratio": {"production": "0.35", ...},
    "avg_handling_hours": "52.50", "timely_acceptance_rate": "0.92", ...}``
    """
    return _complaints("monthly_report", args["month"])
