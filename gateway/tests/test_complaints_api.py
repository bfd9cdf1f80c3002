"""Complaint endpoints (CONTRACT "Complaint cases") with a fake RPC client: what the
gateway adds to the complaints service: roles, request validation, the service's errors
mapped, what goes over RPC (method, arguments, actor, request id), status and headers."""

import pytest

from gateway.tests import matrix
from servicekit.contracts.common import ROLES
from servicekit.contracts.complaints import (
    ApproverRankTooLow,
    ComplaintNotFound,
    CustomerHasNoOrders,
    CustomerUnknown,
    IllegalTransition,
    PlanNotFound,
    PlanStillOpen,
    SharesDoNotSumToOne,
)
from servicekit.errors import ServiceUnavailable

AT = "2026-11-03T08:00:00+00:00"
LATER = "2026-11-04T09:30:00+00:00"

ACTION = {
    "id": "a-1",
    "plan_id": "p-1",
    "type": "return",
    "amount": "900.00",
    "state": "proposed",
    "lines": [
        {"id": "al-1", "sku": "P-100", "description": "控制柜外壳", "quantity": 2,
         "unit_price": "450.00", "amount": "900.00"}
    ],
    "return_id": None,
    "received_at": None,
    "voucher_issued_at": None,
    "voucher_id": None,
    "shipment_id": None,
    "shipped_at": None,
    "inspected_at": None,
    "done_at": None,
}  # fmt: skip

PLAN = {
    "id": "p-1",
    "complaint_id": "cp-1",
    "round": 1,
    "previous_plan_id": None,
    "status": "pending_approval",
    "amount": "900.00",
    "required_approver": "cs_manager",
    "actions": [ACTION],
    "posted_by": "wang.cs",
    "posted_at": LATER,
    "approved_by": None,
    "approved_at": None,
    "responded_by": None,
    "responded_at": None,
    "response_comment": None,
}

NOTICE = {
    "id": "n-1",
    "complaint_id": "cp-1",
    "number": "TS-2026-000123",
    "type": "reminder",
    "kind": "overdue",
    "department": "quality",
    "step": "investigation",
    "round": 1,
    "due_at": LATER,
    "issued_at": LATER,
}

COMPLAINT = {
    "id": "cp-1",
    "number": "TS-2026-000123",
    "customer_id": "c-1",
    "channel": "hotline",
    "order_no": "SO-20261101-07",
    "ship_date": "2026-11-01",
    "description": "收到的控制柜外壳破损",
    "request": "return",
    "lines": [{"id": "l-1", "sku": "P-100", "description": "控制柜外壳", "quantity": 2,
               "unit_price": "450.00"}],
    "registered_by": "wang.cs",
    "registered_at": AT,
    "status": "planning",
    "promised_days": 7,
    "due_at": "2026-11-10T08:00:00+00:00",
    "accepted_by": "wang.cs",
    "accepted_at": AT,
    "rejected_reason": None,
    "rejected_at": None,
    "resolved_at": None,
    "closed_at": None,
    "current_step": "approval",
    "step_due_at": LATER,
    "timely_acceptance": True,
    "on_time_closure": None,
    "satisfaction": None,
    "overdue": False,
    "investigation": {
        "id": "i-1",
        "findings": "包装泡沫不足",
        "cause": "包装不良",
        "cause_category": "non_sales",
        "improvement": None,
        "responsibility": [{"id": "r-1", "department": "production", "person": "张三",
                            "share": "1.00"}],
        "investigated_by": "zhao.qa",
        "investigated_at": AT,
    },
    "plans": [PLAN],
    "actions": [ACTION],
    "steps": [{"id": "s-1", "name": "approval", "round": 1, "department": "customer_service",
               "started_at": LATER, "due_at": LATER, "done_at": None}],
    "follow_ups": [],
    "notices": [NOTICE],
    "history": [{"at": AT, "who": "wang.cs", "action": "registered", "changes": {}}],
}  # fmt: skip

REPORT = {
    "month": "2026-10",
    "closed": 12,
    "by_cause": {"包装不良": 5},
    "by_department": {"production": 4},
    "by_product": {"P-100": 6},
    "by_customer": {"c-1": 3},
    "problem_ratio": {"production": "0.35"},
    "avg_handling_hours": "52.50",
    "timely_acceptance_rate": "0.92",
    "on_time_closure_rate": "0.83",
    "improvements": [{"number": "TS-2026-000123", "cause": "包装不良", "improvement": "加护角"}],
}


CANNED = {
    "register_complaint": {**COMPLAINT, "status": "registered"},
    "get_complaint": COMPLAINT,
    "list_complaints": matrix.page_of(COMPLAINT),
    "accept_complaint": {**COMPLAINT, "status": "accepted"},
    "reject_complaint": {**COMPLAINT, "status": "rejected", "rejected_reason": "超过质保期"},
    "record_investigation": {**COMPLAINT, "status": "investigated"},
    "post_plan": PLAN,
    "approve_plan": {**PLAN, "status": "approved", "approved_by": "li.csm", "approved_at": LATER},
    "send_back_plan": {**PLAN, "status": "declined", "response_comment": "依据不足"},
    "record_customer_response": {**COMPLAINT, "status": "executing"},
    "record_follow_up": {**COMPLAINT, "status": "closed", "closed_at": LATER},
    "list_notices": matrix.page_of(NOTICE),
    "monthly_report": REPORT,
}


@pytest.fixture(autouse=True)
def complaints_answers(rpc):
    return matrix.answer_with(rpc, "complaints", CANNED)


@pytest.fixture
def api(client, rpc, token_for):
    return matrix.Api("complaints", client, rpc, token_for)


HANDLERS = ("cs_agent", "cs_manager")
OVERSEERS = ("cs_manager", "vp", "gm", "market_manager")
ANYONE = tuple(ROLES)

REGISTER = {
    "customer_id": "c-1",
    "channel": "hotline",
    "order_no": "SO-20261101-07",
    "ship_date": "2026-11-01",
    "description": "收到的控制柜外壳破损",
    "request": "return",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450"}],
}
INVESTIGATION = {
    "findings": "包装泡沫不足",
    "cause": "包装不良",
    "cause_category": "non_sales",
    "responsibility": [
        {"department": "production", "person": "张三", "share": "0.7"},
        {"department": "logistics", "share": "0.30"},
    ],
}
PLAN_BODY = {
    "actions": [
        {"type": "return", "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}]},
        {"type": "allowance", "amount": "300"},
    ]
}
BASE = "/api/v1/complaints"

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("POST", BASE, REGISTER, HANDLERS, "register_complaint", 201),
    ("GET", BASE, None, ANYONE, "list_complaints", 200),
    ("GET", f"{BASE}/cp-1", None, ANYONE, "get_complaint", 200),
    ("POST", f"{BASE}/cp-1/accept", {"promised_days": 7}, HANDLERS, "accept_complaint", 200),
    ("POST", f"{BASE}/cp-1/reject", {"reason": "超过质保期"}, HANDLERS, "reject_complaint", 200),
    ("POST", f"{BASE}/cp-1/investigation", INVESTIGATION, ("quality",),
     "record_investigation", 200),
    ("POST", f"{BASE}/cp-1/plans", PLAN_BODY, HANDLERS, "post_plan", 201),
    ("POST", f"{BASE}/cp-1/plans/p-1/approve", None, ("cs_manager", "vp", "gm"),
     "approve_plan", 200),
    ("POST", f"{BASE}/cp-1/plans/p-1/send-back", {"reason": "依据不足"}, ("cs_manager", "vp", "gm"),
     "send_back_plan", 200),
    ("POST", f"{BASE}/cp-1/plans/p-1/customer-response", {"accepted": True, "comment": "同意"},
     HANDLERS, "record_customer_response", 200),
    ("POST", f"{BASE}/cp-1/follow-ups", {"satisfied": True, "score": 5}, HANDLERS,
     "record_follow_up", 200),
    ("GET", "/api/v1/notices", None, OVERSEERS, "list_notices", 200),
    ("GET", "/api/v1/reports/complaints/monthly?month=2026-10", None, OVERSEERS,
     "monthly_report", 200),
]  # fmt: skip


# --- who may do what --------------------------------------------------------
@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


def test_the_matrix_covers_every_complaint_endpoint(app):
    matrix.check_matrix_covers(
        app, "complaints", ENDPOINTS, {"complaint_id": "cp-1", "plan_id": "p-1"}
    )


def test_roles_are_documented_per_operation(spec):
    documented = {
        ("POST", "/api/v1/complaints"): HANDLERS,
        ("GET", "/api/v1/complaints/{complaint_id}"): ("authenticated",),
        ("POST", "/api/v1/complaints/{complaint_id}/investigation"): ("quality",),
        ("POST", "/api/v1/complaints/{complaint_id}/plans/{plan_id}/approve"): (
            "cs_manager",
            "gm",
            "vp",
        ),
        ("GET", "/api/v1/notices"): OVERSEERS,
        ("GET", "/api/v1/reports/complaints/monthly"): OVERSEERS,
    }
    for (method, path), roles in documented.items():
        assert spec["paths"][path][method.lower()]["x-roles"] == sorted(roles), path


# --- request validation -----------------------------------------------------
def bad_register(**changes):
    return {**REGISTER, **changes}


def bad_investigation(share):
    return {**INVESTIGATION, "responsibility": [{"department": "production", "share": share}]}


# (id, method, path, body, role, fields named in details)
INVALID = [
    ("bad channel", "POST", BASE, bad_register(channel="fax"), "cs_agent", {"channel"}),
    ("bad request type", "POST", BASE, bad_register(request="refund"), "cs_agent", {"request"}),
    ("no lines", "POST", BASE, bad_register(lines=[]), "cs_agent", {"lines"}),
    ("zero quantity", "POST", BASE,
     bad_register(lines=[{"sku": "P-100", "quantity": 0, "unit_price": "1"}]), "cs_agent",
     {"lines"}),
    ("float-ish price", "POST", BASE,
     bad_register(lines=[{"sku": "P-100", "quantity": 1, "unit_price": "abc"}]), "cs_agent",
     {"lines"}),
    ("bad ship date", "POST", BASE, bad_register(ship_date="01/11/2026"), "cs_agent",
     {"ship_date"}),
    ("missing fields", "POST", BASE, {"channel": "phone"}, "cs_agent",
     {"customer_id", "order_no", "ship_date", "description", "request", "lines"}),
    ("unknown field", "POST", BASE, bad_register(priority="high"), "cs_agent", {"priority"}),
    ("promised days zero", "POST", f"{BASE}/cp-1/accept", {"promised_days": 0}, "cs_agent",
     {"promised_days"}),
    ("promised days as text", "POST", f"{BASE}/cp-1/accept", {"promised_days": "7"},
     "cs_agent", {"promised_days"}),
    ("reject without reason", "POST", f"{BASE}/cp-1/reject", {}, "cs_agent", {"reason"}),
    ("reject with empty reason", "POST", f"{BASE}/cp-1/reject", {"reason": ""}, "cs_manager",
     {"reason"}),
    ("share above one", "POST", f"{BASE}/cp-1/investigation", bad_investigation("1.5"),
     "quality", {"responsibility"}),
    ("share zero", "POST", f"{BASE}/cp-1/investigation", bad_investigation("0"), "quality",
     {"responsibility"}),
    ("share not a number", "POST", f"{BASE}/cp-1/investigation", bad_investigation("half"),
     "quality", {"responsibility"}),
    ("bad cause category", "POST", f"{BASE}/cp-1/investigation",
     {**INVESTIGATION, "cause_category": "weather"}, "quality", {"cause_category"}),
    ("no responsibility", "POST", f"{BASE}/cp-1/investigation",
     {**INVESTIGATION, "responsibility": []}, "quality", {"responsibility"}),
    ("bad action type", "POST", f"{BASE}/cp-1/plans", {"actions": [{"type": "refund"}]},
     "cs_agent", {"actions"}),
    ("no actions", "POST", f"{BASE}/cp-1/plans", {"actions": []}, "cs_agent", {"actions"}),
    ("negative amount", "POST", f"{BASE}/cp-1/plans",
     {"actions": [{"type": "allowance", "amount": "-1"}]}, "cs_agent", {"actions"}),
    ("response without answer", "POST", f"{BASE}/cp-1/plans/p-1/customer-response",
     {"comment": "再议"}, "cs_agent", {"accepted"}),
    ("score six", "POST", f"{BASE}/cp-1/follow-ups", {"satisfied": True, "score": 6},
     "cs_agent", {"score"}),
    ("per_page 201", "GET", f"{BASE}?per_page=201", None, "cs_agent", {"per_page"}),
    ("page zero", "GET", f"{BASE}?page=0", None, "cs_agent", {"page"}),
    ("bad status filter", "GET", f"{BASE}?status=open", None, "cs_agent", {"status"}),
    ("bad overdue filter", "GET", f"{BASE}?overdue=maybe", None, "cs_agent", {"overdue"}),
    ("bad notice type", "GET", "/api/v1/notices?type=warning", None, "vp", {"type"}),
    ("notices per_page 201", "GET", "/api/v1/notices?per_page=201", None, "vp", {"per_page"}),
    ("month missing", "GET", "/api/v1/reports/complaints/monthly", None, "gm", {"month"}),
    ("month 13", "GET", "/api/v1/reports/complaints/monthly?month=2026-13", None, "gm",
     {"month"}),
    ("month with slash", "GET", "/api/v1/reports/complaints/monthly?month=2026/10", None, "gm",
     {"month"}),
    ("month without zero", "GET", "/api/v1/reports/complaints/monthly?month=2026-1", None,
     "gm", {"month"}),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(INVALID))
def test_invalid_requests_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


def test_nested_problems_name_their_path(client, token_for):
    response = client.post(
        f"{BASE}/cp-1/investigation", json=bad_investigation("1.5"), headers=token_for("quality")
    )
    assert response.get_json()["error"]["details"] == {
        "responsibility": {"0": {"share": ["Must be greater than 0 and less than or equal to 1."]}}
    }


def test_malformed_json_is_400(client, rpc, token_for):
    response = client.post(
        BASE, data="{oops", content_type="application/json", headers=token_for("cs_agent")
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert rpc.calls == []


# --- the service's errors -----------------------------------------------------
# (id, method, path, body, role, RPC method, raised, status, code)
SERVICE_ERRORS = [
    ("rank too low", "POST", f"{BASE}/cp-1/plans/p-1/approve", None, "cs_manager",
     "approve_plan", ApproverRankTooLow(details={"required_approver": "vp"}), 403,
     "approver_rank_too_low"),
    ("illegal transition", "POST", f"{BASE}/cp-1/accept", {"promised_days": 7}, "cs_agent",
     "accept_complaint", IllegalTransition(details={"status": "closed"}), 409,
     "illegal_transition"),
    ("plan still open", "POST", f"{BASE}/cp-1/plans", PLAN_BODY, "cs_agent", "post_plan",
     PlanStillOpen(), 409, "plan_still_open"),
    ("complaint not found", "GET", f"{BASE}/nope", None, "warehouse", "get_complaint",
     ComplaintNotFound(details={"id": "nope"}), 404, "complaint_not_found"),
    ("plan not found", "POST", f"{BASE}/cp-1/plans/nope/customer-response",
     {"accepted": False}, "cs_manager", "record_customer_response", PlanNotFound(), 404,
     "plan_not_found"),
    ("customer has no orders", "POST", BASE, REGISTER, "cs_agent", "register_complaint",
     CustomerHasNoOrders(details={"customer_id": ["customer is lead: no orders yet"]}), 422,
     "customer_has_no_orders"),
    ("customer unknown", "POST", BASE, REGISTER, "cs_agent", "register_complaint",
     CustomerUnknown(details={"customer_id": "c-1"}), 422, "customer_unknown"),
    ("shares do not sum to one", "POST", f"{BASE}/cp-1/investigation", INVESTIGATION, "quality",
     "record_investigation", SharesDoNotSumToOne(details={"sum": "0.90"}), 422,
     "shares_do_not_sum_to_one"),
    ("service down", "GET", "/api/v1/notices", None, "vp", "list_notices",
     ServiceUnavailable("The complaints service is not running.", {"service": "complaints"}),
     503, "service_unavailable"),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(SERVICE_ERRORS))
def test_service_errors_are_mapped(api, case):
    api.check_service_error(*case)


# --- what goes over RPC -----------------------------------------------------
ACTOR_HEADERS = dict(username="wang.cs", department="客服部")
# (path, body, role, expected args before the actor)
COMMANDS = [
    (BASE, REGISTER, "cs_agent", None),
    (f"{BASE}/cp-1/accept", {"promised_days": 7}, "cs_agent", ("cp-1", {"promised_days": 7})),
    (f"{BASE}/cp-1/reject", {"reason": "超过质保期"}, "cs_manager",
     ("cp-1", {"reason": "超过质保期"})),
    (f"{BASE}/cp-1/investigation", INVESTIGATION, "quality", None),
    (f"{BASE}/cp-1/plans", PLAN_BODY, "cs_agent", None),
    (f"{BASE}/cp-1/plans/p-1/approve", None, "vp", ("cp-1", "p-1")),
    (f"{BASE}/cp-1/plans/p-1/customer-response", {"accepted": False}, "cs_agent",
     ("cp-1", "p-1", {"accepted": False, "comment": None})),
    (f"{BASE}/cp-1/follow-ups", {"satisfied": False, "score": 2, "notes": "仍不满意"},
     "cs_manager", ("cp-1", {"satisfied": False, "score": 2, "notes": "仍不满意"})),
]  # fmt: skip


@pytest.mark.parametrize("path, body, role, args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_commands_carry_the_logged_in_user_as_actor(api, path, body, role, args):
    api.check_actor(path, body, role, args, **ACTOR_HEADERS)


def test_registration_goes_over_rpc_as_json_ready_contract_data(client, rpc, token_for):
    client.post(BASE, json=REGISTER, headers=token_for("cs_agent"))
    data, _actor = rpc.last.args
    assert data == {
        **REGISTER,
        "lines": [{"sku": "P-100", "description": None, "quantity": 2, "unit_price": "450.00"}],
    }


def test_investigation_and_plan_carry_decimal_strings(client, rpc, token_for):
    client.post(f"{BASE}/cp-1/investigation", json=INVESTIGATION, headers=token_for("quality"))
    complaint_id, data, _actor = rpc.last.args
    assert complaint_id == "cp-1"
    assert [r["share"] for r in data["responsibility"]] == ["0.7", "0.30"]
    assert data["responsibility"][1]["person"] is None
    assert data["improvement"] is None

    client.post(f"{BASE}/cp-1/plans", json=PLAN_BODY, headers=token_for("cs_agent"))
    complaint_id, data, _actor = rpc.last.args
    assert data["actions"] == [
        {"type": "return", "amount": None,
         "lines": [{"sku": "P-100", "description": None, "quantity": 2, "unit_price": "450.00"}]},
        {"type": "allowance", "amount": "300.00", "lines": []},
    ]  # fmt: skip


@pytest.mark.parametrize(
    "query, filters, page, per_page",
    [
        ("", {}, 1, 50),
        ("?status=accepted&customer_id=c-9&overdue=true", {"status": "accepted",
         "customer_id": "c-9", "overdue": True}, 1, 50),
        ("?overdue=false&page=3&per_page=200", {"overdue": False}, 3, 200),
    ],
)  # fmt: skip
def test_list_passes_filters_and_paging(api, query, filters, page, per_page):
    api.check_list(BASE, query, filters, page, per_page, role="finance")


def test_notices_pass_filters_and_paging(client, rpc, token_for):
    response = client.get(
        "/api/v1/notices?type=escalation&department=quality&per_page=10", headers=token_for("gm")
    )
    assert response.status_code == 200
    assert rpc.last.args == ({"type": "escalation", "department": "quality"}, 1, 10)


def test_reads_pass_only_ids(client, rpc, token_for):
    client.get(f"{BASE}/cp-9", headers=token_for("warehouse"))
    assert rpc.last.args == ("cp-9",)
    client.get("/api/v1/reports/complaints/monthly?month=2026-10", headers=token_for("vp"))
    assert rpc.last.args == ("2026-10",)


# --- what the gateway adds to the service's answer ------------------------------
# The service's answer is passed through as it came (gateway.blueprint.ServiceBlueprint);
# what the gateway adds is the one call it makes, the status, the headers, the encoding.
def sent(rpc) -> list[tuple]:
    """Every call: service, method, args, kwargs, request id, idempotency key."""
    return [(c.service, c.method, c.args, c.kwargs, c.request_id, c.idempotency_key)
            for c in rpc.calls]  # fmt: skip


def test_a_read_is_one_call_with_the_path_id_and_the_request_id(client, rpc, token_for):
    response = client.get(
        f"{BASE}/cp-7", headers={**token_for("sales_clerk"), "X-Request-ID": "req-cp-7"}
    )
    assert response.status_code == 200
    assert sent(rpc) == [("complaints", "get_complaint", ("cp-7",), {}, "req-cp-7", None)]
    assert response.headers["X-Request-ID"] == "req-cp-7"


def test_approving_sends_the_approver_and_its_roles_for_the_rank_check(client, rpc, token_for):
    """rule P6 is the service's: the gateway lets every approver rank through and sends
    who approves with their roles, so that the service can compare rank and amount."""
    headers = {**token_for("vp", username="liu.vp", department="营销"), "X-Request-ID": "req-p6"}
    response = client.post(f"{BASE}/cp-1/plans/p-9/approve", headers=headers)
    assert response.status_code == 200
    actor = {"username": "liu.vp", "roles": ["vp"], "department": "营销"}
    assert sent(rpc) == [("complaints", "approve_plan", ("cp-1", "p-9", actor), {}, "req-p6", None)]


def test_service_answers_pass_through_as_the_service_dumped_them(client, rpc, token_for):
    """The service dumps with the contract schema the operation documents; the gateway
    neither parses nor dumps it again (validate once, issue 8): a field the schema does
    not name, which a dump would drop, reaches the client."""
    answer = {**COMPLAINT, "added_by_a_newer_service": {"kept": True}}
    rpc.answers[("complaints", "get_complaint")] = answer
    response = client.get(f"{BASE}/cp-1", headers=token_for("cs_agent"))
    assert response.status_code == 200
    assert response.get_json() == answer


def test_answers_are_utf8_json_with_chinese_text_unescaped(client, token_for):
    response = client.get(
        "/api/v1/reports/complaints/monthly?month=2026-10", headers=token_for("market_manager")
    )
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert "包装不良" in text and "\\u5305" not in text


# --- OpenAPI ---------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


OPERATIONS = {
    ("/api/v1/complaints", "post"): ("RegisterComplaint", "201", "Complaint"),
    ("/api/v1/complaints", "get"): (None, "200", "ComplaintPage"),
    ("/api/v1/complaints/{complaint_id}", "get"): (None, "200", "Complaint"),
    ("/api/v1/complaints/{complaint_id}/accept", "post"): ("Accept", "200", "Complaint"),
    ("/api/v1/complaints/{complaint_id}/reject", "post"): ("Reject", "200", "Complaint"),
    ("/api/v1/complaints/{complaint_id}/investigation", "post"): (
        "Investigation",
        "200",
        "Complaint",
    ),
    ("/api/v1/complaints/{complaint_id}/plans", "post"): ("PostPlan", "201", "Plan"),
    ("/api/v1/complaints/{complaint_id}/plans/{plan_id}/approve", "post"): (None, "200", "Plan"),
    ("/api/v1/complaints/{complaint_id}/plans/{plan_id}/send-back", "post"): (
        "SendBack",
        "200",
        "Plan",
    ),
    ("/api/v1/complaints/{complaint_id}/plans/{plan_id}/customer-response", "post"): (
        "CustomerResponse",
        "200",
        "Complaint",
    ),
    ("/api/v1/complaints/{complaint_id}/follow-ups", "post"): ("FollowUp", "200", "Complaint"),
    ("/api/v1/notices", "get"): (None, "200", "NoticePage"),
    ("/api/v1/reports/complaints/monthly", "get"): (None, "200", "MonthlyReport"),
}


@pytest.mark.parametrize(
    "path, method, request_schema, status, response_schema",
    [(*key, *value) for key, value in OPERATIONS.items()],
)
def test_openapi_documents_every_complaint_operation(
    spec, path, method, request_schema, status, response_schema
):
    matrix.check_operation(spec, path, method, request_schema, status, response_schema)


def test_openapi_has_every_complaint_path(app, spec):
    matrix.check_documented_paths(app, spec, "complaints", OPERATIONS)


def test_openapi_documents_query_parameters(spec):
    matrix.check_query_parameters(
        spec,
        {
            "/api/v1/complaints": {"status", "customer_id", "overdue"},
            "/api/v1/notices": {"type", "department"},
        },
    )
    month = matrix.query_parameters(spec, "/api/v1/reports/complaints/monthly")["month"]
    assert month["required"] is True and month["schema"]["pattern"]


def test_openapi_request_schemas_carry_the_contract_values(spec):
    schemas = spec["components"]["schemas"]
    register = schemas["RegisterComplaint"]
    assert register["properties"]["channel"]["enum"] == [
        "phone", "on_site", "email", "hotline", "pickup_point", "letter"
    ]  # fmt: skip
    assert set(register["required"]) == {
        "customer_id", "channel", "order_no", "ship_date", "description", "request", "lines"
    }  # fmt: skip
    action_types = schemas["PlanActionIn"]["properties"]["type"]["enum"]
    assert action_types == ["return", "exchange", "allowance", "compensation", "replenishment",
                            "rework"]  # fmt: skip
    assert schemas["Investigation"]["properties"]["cause_category"]["enum"] == [
        "sales",
        "non_sales",
    ]
