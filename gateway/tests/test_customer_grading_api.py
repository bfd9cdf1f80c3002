"""Customer grading, key accounts, risk and warnings endpoints (CONTRACT "Customers", rule C5,
rule C6, rule C7, rule C8) with a fake RPC client: what the gateway adds to the customer
service: roles, request validation, the service's errors mapped, what goes over RPC
(method, arguments, actor), and the OpenAPI document."""

import pytest

from gateway.tests.matrix import (
    api_fixture,
    canned_fixture,
    check_documented_paths,
    check_matrix_covers,
    check_operation,
    check_query_parameters,
    command_ids,
    list_ids,
    named,
    page_of,
    query_enum,
    role_cases,
)
from servicekit.contracts.common import ROLES
from servicekit.contracts.customer import CustomerNotFound
from servicekit.contracts.customer_grading import (
    WARNING_STATUSES,
    WARNING_TYPES,
    MaintenancePlanRequired,
    NotGradable,
    RegradeRunning,
    RegradeRunNotFound,
    WarningHandled,
    WarningNotFound,
)

AT = "2026-11-27T08:00:00+00:00"
LATER = "2026-11-28T09:30:00+00:00"
BASE = "/api/v1"

COMPONENTS = {"purchases": "48.00", "cooperation": "30.00", "payment": "100.00",
              "complaints": "75.00", "satisfaction": "75.00"}  # fmt: skip
GRADE = {
    "customer_id": "c-1",
    "grade": "B",
    "score": "64.55",
    "components": COMPONENTS,
    "scale": "medium",
    "history_band": "medium",
    "graded_at": AT,
    "trigger": "manual",
    "reason": "re-graded at the request of chen.mm",
    "inputs": {"purchases": "2400000.00", "invoices": 12, "cooperation_years": 3},
}
GRADE_CHANGE = {
    "id": "g-1",
    "customer_id": "c-1",
    "at": AT,
    "by": "system",
    "trigger": "large_change",
    "reason": "large change: scale small -> medium",
    "grade": "B",
    "previous_grade": "C",
    "score": "64.55",
    "previous_score": "51.20",
    "components": COMPONENTS,
    "inputs": {"purchases": "2400000.00"},
    "scale": "medium",
    "history_band": "medium",
}
RISK = {
    "customer_id": "c-1",
    "level": "high",
    "points": 4,
    "factors": {"overdue": {"share": "0.6000", "points": 2},
                "credit_record": {"oldest_overdue_days": 95, "points": 2}},
    "assessed_at": AT,
    "raised_at": AT,
    "guarantee_required": True,
    "change_request_id": "cr-7",
}  # fmt: skip
SUMMARY = {
    "customer_id": "c-1",
    "purchases": {"window_start": "2025-11-28", "window_end": "2026-11-27",
                  "in_window": "900.00", "invoices_in_window": 1, "invoices": 1,
                  "by_month": {"2026-10": "900.00"}, "by_quarter": {"2026Q4": "900.00"},
                  "by_product": {"P-100": {"quantity": 2, "amount": "900.00"}}},
    "receivables": {"balance": "900.00", "overdue": "0.00", "oldest_overdue_days": 0,
                    "as_of": "2026-10-08"},
    "complaints": {"total": 1, "open": 1, "closed": 0, "rejected": 0, "in_window": 1,
                   "satisfaction": None},
}  # fmt: skip
PLAN = {"how": "每月拜访一次，季度业务回顾", "who": "li.sales", "budget": "20000.00"}
KEY_ACCOUNT = {
    "customer_id": "c-1",
    "name": "华东机电有限公司",
    "key_account": True,
    "source": "manager",
    "plan": PLAN,
    "owner": "li.sales",
    "grade": "B",
    "scale": "medium",
    "set_by": "liu.sm",
    "set_at": AT,
    "updated_at": AT,
}
WARNING = {
    "id": "w-1",
    "customer_id": "c-1",
    "customer_name": "华东机电有限公司",
    "type": "churn",
    "reason": "purchases fell 40.00% in 2026Q3 (60000.00) against 2026Q2 (100000.00)",
    "details": {"quarter": "2026Q3", "fall": "0.4000"},
    "owner": "li.sales",
    "status": "open",
    "raised_at": AT,
    "action": None,
    "handled_by": None,
    "handled_at": None,
}
RUN = {
    "id": "run-1",
    "status": "running",
    "requested_by": "chen.mm",
    "started_at": AT,
    "finished_at": None,
    "total": 1200,
    "graded": 400,
    "changed": 31,
    "batches": 2,
    "resumed": 0,
    "error": None,
}
HANDLED = {**WARNING, "status": "handled", "action": "上门拜访", "handled_by": "wu.kf",
           "handled_at": LATER}  # fmt: skip

CANNED = {
    "get_grade": GRADE,
    "list_grade_history": [GRADE_CHANGE],
    "regrade_all": RUN,
    "get_regrade_run": RUN,
    "regrade_customer": GRADE,
    "get_summary": SUMMARY,
    "get_risk": RISK,
    "list_key_accounts": page_of(KEY_ACCOUNT),
    "set_key_account": KEY_ACCOUNT,
    "list_warnings": page_of(WARNING),
    "get_warning": WARNING,
    "remedy_warning": HANDLED,
}


grading_answers = canned_fixture("customer", CANNED)
api = api_fixture("customer")


ANYONE = tuple(ROLES)
REGRADERS = ("market_manager",)
KEY_ACCOUNT_MANAGERS = ("sales_manager", "market_manager")
REMEDIERS = ("cs_agent", "cs_manager", "sales_clerk", "sales_manager")

CUSTOMER = f"{BASE}/customers/c-1"
KEY_ACCOUNTS = f"{BASE}/key-accounts"
WARNINGS = f"{BASE}/warnings"
DESIGNATION = {"key_account": True, "plan": PLAN, "owner": "li.sales"}
REMEDY = {"action": "销售经理本周上门拜访，恢复季度返利政策"}

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("GET", f"{CUSTOMER}/grade", None, ANYONE, "get_grade", 200),
    ("GET", f"{CUSTOMER}/grade-history", None, ANYONE, "list_grade_history", 200),
    ("POST", f"{BASE}/customers/regrade", None, REGRADERS, "regrade_all", 202),
    ("GET", f"{BASE}/customers/regrade/run-1", None, REGRADERS, "get_regrade_run", 200),
    ("POST", f"{CUSTOMER}/regrade", None, REGRADERS, "regrade_customer", 200),
    ("GET", f"{CUSTOMER}/summary", None, ANYONE, "get_summary", 200),
    ("GET", f"{CUSTOMER}/risk", None, ANYONE, "get_risk", 200),
    ("GET", KEY_ACCOUNTS, None, ANYONE, "list_key_accounts", 200),
    ("POST", f"{CUSTOMER}/key-account", DESIGNATION, KEY_ACCOUNT_MANAGERS, "set_key_account",
     200),
    ("GET", WARNINGS, None, ANYONE, "list_warnings", 200),
    ("GET", f"{WARNINGS}/w-1", None, ANYONE, "get_warning", 200),
    ("POST", f"{WARNINGS}/w-1/remedy", REMEDY, REMEDIERS, "remedy_warning", 200),
]  # fmt: skip


# --- who may do what (CONTRACT "Who may do what") ------------------------------------
@pytest.mark.parametrize("case", role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


def test_the_matrix_covers_every_grading_endpoint(app):
    samples = {"customer_id": "c-1", "warning_id": "w-1", "run_id": "run-1"}
    check_matrix_covers(app, "customer_grading", ENDPOINTS, samples)


def test_regrade_all_is_its_own_route_not_a_customer_called_regrade(client, rpc, token_for):
    response = client.post(f"{BASE}/customers/regrade", headers=token_for("market_manager"))
    assert response.status_code == 202, response.get_json()
    assert (rpc.last.method, len(rpc.last.args)) == ("regrade_all", 1)
    assert response.get_json() == RUN


def test_a_regrade_run_is_read_by_its_id_not_as_a_customer(client, rpc, token_for):
    response = client.get(f"{BASE}/customers/regrade/run-1", headers=token_for("market_manager"))
    assert response.status_code == 200, response.get_json()
    assert (rpc.last.method, rpc.last.args) == ("get_regrade_run", ("run-1",))
    assert response.get_json() == RUN


# --- request validation -----------------------------------------------------------
def designation(**changes):
    return {**DESIGNATION, **changes}


KA, MM, AG = f"{CUSTOMER}/key-account", "market_manager", "cs_agent"
INVALID = [
    ("plan without how", "POST", KA, designation(plan={"who": "li", "budget": "1.00"}), MM,
     {"plan"}),
    ("plan with a negative budget", "POST", KA, designation(plan={**PLAN, "budget": "-1"}), MM,
     {"plan"}),
    ("plan budget not a number", "POST", KA, designation(plan={**PLAN, "budget": "much"}), MM,
     {"plan"}),
    ("key_account not a boolean", "POST", KA, designation(key_account="maybe"), MM,
     {"key_account"}),
    ("owner empty", "POST", KA, designation(owner=""), MM, {"owner"}),
    ("remedy without action", "POST", f"{WARNINGS}/w-1/remedy", {}, AG, {"action"}),
    ("remedy empty", "POST", f"{WARNINGS}/w-1/remedy", {"action": ""}, AG, {"action"}),
    ("remedy given twice differently", "POST", f"{WARNINGS}/w-1/remedy",
     {"action": "a", "remedy": "b"}, AG, {"remedy"}),
    ("warnings bogus type", "GET", f"{WARNINGS}?type=fraud", None, AG, {"type"}),
    ("warnings bogus status", "GET", f"{WARNINGS}?status=closed", None, AG, {"status"}),
    ("key accounts per_page 201", "GET", f"{KEY_ACCOUNTS}?per_page=201", None, AG,
     {"per_page"}),
]  # fmt: skip


@pytest.mark.parametrize("case", named(INVALID))
def test_invalid_requests_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


def test_the_remedy_may_be_named_remedy(client, rpc, token_for):  # rule C7
    body = {"remedy": "客户经理电话回访"}
    response = client.post(f"{WARNINGS}/w-1/remedy", json=body, headers=token_for("cs_manager"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args[:2] == ("w-1", {"action": "客户经理电话回访"})
    assert response.get_json()["status"] == "handled"


# --- the service's errors -----------------------------------------------------------
SERVICE_ERRORS = [
    ("regrade while a run is running", "POST", f"{BASE}/customers/regrade", None, MM,
     "regrade_all", RegradeRunning(details={"run_id": "run-1"}), 409, "regrade_running"),
    ("an unknown regrade run", "GET", f"{BASE}/customers/regrade/run-9", None, MM,
     "get_regrade_run", RegradeRunNotFound(details={"run_id": "run-9"}), 404,
     "regrade_run_not_found"),
    ("regrade a pending card", "POST", f"{CUSTOMER}/regrade", None, MM, "regrade_customer",
     NotGradable(details={"status": "pending_approval"}), 409, "customer_not_gradable"),
    ("regrade an unknown customer", "POST", f"{CUSTOMER}/regrade", None, MM,
     "regrade_customer", CustomerNotFound(details={"customer_id": "c-1"}), 404,
     "customer_not_found"),
    ("grade of an unknown customer", "GET", f"{CUSTOMER}/grade", None, AG, "get_grade",
     CustomerNotFound(details={"customer_id": "c-1"}), 404, "customer_not_found"),
    ("a key account without a plan", "POST", KA, {"key_account": True}, MM, "set_key_account",
     MaintenancePlanRequired(details={"plan": ["required for a key account"]}), 422,
     "maintenance_plan_required"),
    ("remedy twice", "POST", f"{WARNINGS}/w-1/remedy", REMEDY, AG, "remedy_warning",
     WarningHandled(details={"status": "handled"}), 409, "warning_handled"),
    ("remedy of an unknown warning", "POST", f"{WARNINGS}/w-1/remedy", REMEDY, AG,
     "remedy_warning", WarningNotFound(details={"warning_id": "w-1"}), 404,
     "warning_not_found"),
    ("an unknown warning", "GET", f"{WARNINGS}/w-1", None, AG, "get_warning",
     WarningNotFound(details={"warning_id": "w-1"}), 404, "warning_not_found"),
]  # fmt: skip


@pytest.mark.parametrize("case", named(SERVICE_ERRORS))
def test_service_errors_are_mapped(api, case):
    api.check_service_error(*case)


# --- what goes over RPC -------------------------------------------------------------
COMMANDS = [
    (f"{CUSTOMER}/regrade", None, "market_manager", ("c-1",)),
    (f"{BASE}/customers/regrade", None, "market_manager", ()),
    (KA, DESIGNATION, "sales_manager", ("c-1", DESIGNATION)),
    (KA, {"key_account": False}, "market_manager",
     ("c-1", {"key_account": False, "plan": None, "owner": None})),
    (KA, {"plan": PLAN}, "market_manager",
     ("c-1", {"key_account": True, "plan": PLAN, "owner": None})),
    (f"{WARNINGS}/w-1/remedy", REMEDY, "sales_clerk", ("w-1", REMEDY)),
]  # fmt: skip


@pytest.mark.parametrize("path, body, role, args", COMMANDS, ids=command_ids(COMMANDS))
def test_commands_carry_the_logged_in_user_as_actor(api, path, body, role, args):
    api.check_actor(path, body, role, args, username="chen.mm", department="市场管理部")


LISTS = [
    (WARNINGS, "?type=churn&status=open&customer_id=c-1&owner=li.sales&page=2&per_page=10",
     {"type": "churn", "status": "open", "customer_id": "c-1", "owner": "li.sales"}, 2, 10),
    (WARNINGS, "", {}, 1, 50),
    (KEY_ACCOUNTS, "?owner=li.sales&per_page=200", {"owner": "li.sales"}, 1, 200),
    (KEY_ACCOUNTS, "?unknown=ignored", {}, 1, 50),
]  # fmt: skip


@pytest.mark.parametrize("path, query, filters, page, per_page", LISTS, ids=list_ids(LISTS))
def test_lists_pass_filters_and_paging(api, path, query, filters, page, per_page):
    api.check_list(path, query, filters, page, per_page, role="vp")


@pytest.mark.parametrize("values, name", [(WARNING_TYPES, "type"), (WARNING_STATUSES, "status")])
def test_every_contract_value_is_a_valid_warning_filter(api, values, name):
    api.check_filter_values(WARNINGS, values, name, role="cs_agent")


@pytest.mark.parametrize(
    "path, rpc_method, args",
    [(f"{BASE}/customers/c-9/grade", "get_grade", ("c-9",)),
     (f"{BASE}/customers/c-9/grade-history", "list_grade_history", ("c-9",)),
     (f"{BASE}/customers/c-9/summary", "get_summary", ("c-9",)),
     (f"{BASE}/customers/c-9/risk", "get_risk", ("c-9",)),
     (f"{WARNINGS}/w-9", "get_warning", ("w-9",))],
)  # fmt: skip
def test_reads_pass_only_ids(api, path, rpc_method, args):
    api.check_read(path, rpc_method, args, role="quality")


def test_answers_pass_through_with_chinese_text_unescaped(client, token_for):
    response = client.get(KEY_ACCOUNTS, headers=token_for("gm"))
    assert response.get_json()["items"] == [KEY_ACCOUNT]
    assert "华东机电有限公司" in response.get_data(as_text=True)


# --- OpenAPI ----------------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


C = f"{BASE}/customers/{{customer_id}}"
# (path, method): (request schema, status, response schema, x-roles)
OPERATIONS = {
    (f"{C}/grade", "get"): (None, "200", "Grade", None),
    (f"{C}/grade-history", "get"): (None, "200", None, None),
    (f"{BASE}/customers/regrade", "post"): (None, "202", "RegradeRun", REGRADERS),
    (f"{BASE}/customers/regrade/{{run_id}}", "get"): (None, "200", "RegradeRun", REGRADERS),
    (f"{C}/regrade", "post"): (None, "200", "Grade", REGRADERS),
    (f"{C}/summary", "get"): (None, "200", "Summary", None),
    (f"{C}/risk", "get"): (None, "200", "Risk", None),
    (KEY_ACCOUNTS, "get"): (None, "200", "KeyAccountPage", None),
    (f"{C}/key-account", "post"): ("SetKeyAccount", "200", "KeyAccount", KEY_ACCOUNT_MANAGERS),
    (WARNINGS, "get"): (None, "200", "WarningPage", None),
    (f"{WARNINGS}/{{warning_id}}", "get"): (None, "200", "Warning", None),
    (f"{WARNINGS}/{{warning_id}}/remedy", "post"): ("Remedy", "200", "Warning", REMEDIERS),
}


@pytest.mark.parametrize(
    "path, method, request_schema, status, response_schema, roles",
    [(*key, *value) for key, value in OPERATIONS.items() if value[2]],
)
def test_openapi_documents_every_operation_with_its_roles(
    spec, path, method, request_schema, status, response_schema, roles
):
    check_operation(spec, path, method, request_schema, status, response_schema, roles)


def test_openapi_documents_the_grade_history_as_a_list(spec):
    answer = spec["paths"][f"{C}/grade-history"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/components/schemas/GradeChange"}


def test_openapi_has_every_grading_path(app, spec):
    check_documented_paths(app, spec, "customer_grading", OPERATIONS)


def test_openapi_documents_query_parameters(spec):
    check_query_parameters(
        spec, {WARNINGS: {"type", "status", "customer_id", "owner"}, KEY_ACCOUNTS: {"owner"}}
    )
    assert query_enum(spec, WARNINGS, "type") == list(WARNING_TYPES)
    assert query_enum(spec, WARNINGS, "status") == list(WARNING_STATUSES)


def test_openapi_request_schemas_carry_the_plan(spec):
    schemas = spec["components"]["schemas"]
    assert set(schemas["MaintenancePlan"]["required"]) == {"how", "who", "budget"}
    assert schemas["Remedy"]["required"] == ["action"]
    assert schemas["SetKeyAccount"]["properties"]["key_account"]["default"] is True
