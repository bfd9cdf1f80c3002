"""Customer interactions and composition endpoints (CONTRACT "Customers", rule C9, rule C10)
with a fake RPC client: roles, request validation, the service's errors mapped, what goes
over RPC (method, arguments, actor), and the OpenAPI document."""

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
from servicekit.contracts.customer import CustomerNotFound
from servicekit.contracts.customer_interactions import (
    INTERACTION_TYPES,
    InteractionNotFound,
    InteractionNotReplyable,
    InteractionReplied,
)

AT = "2026-11-20T06:00:00+00:00"
DUE = "2026-11-21T06:00:00+00:00"
BASE = "/api/v1"

INTERACTION = {
    "id": "i-1", "customer_id": "c-1", "type": "enquiry", "at": AT, "notes": "交货期咨询",
    "score": None, "by": "wu.kf", "recorded_by": "wu.kf", "recorded_at": AT,
    "reply_due_at": DUE, "reply": None, "replied_at": None, "replied_by": None,
    "overdue": False, "on_time": None,
}  # fmt: skip
REPLIED = {**INTERACTION, "reply": "下月到货", "replied_at": DUE, "replied_by": "wu.kf",
           "on_time": True}  # fmt: skip
FOLLOW_UP = {
    "customer_id": "c-1", "name": "自提客户甲", "owner": "li.na", "region": "华东",
    "pickup": True, "status": "active", "interval_days": 90, "last_follow_up_at": None,
    "due_at": AT, "overdue": True, "days_overdue": 6,
}  # fmt: skip
RATE = {"total": 2, "replied": 1, "on_time": 1, "late": 0, "overdue": 1, "waiting": 0,
        "on_time_rate": "0.5000"}  # fmt: skip
REPORT = {
    "from": "2026-11-01", "to": "2026-11-30", "as_of": AT,
    "counts": {"visit": 1, "call": 0, "care": 0, "survey": 1, "enquiry": 2, "suggestion": 0},
    "replies": {"enquiry": RATE, "suggestion": {**RATE, "total": 0, "replied": 0, "on_time": 0,
                                                "overdue": 0, "on_time_rate": None}},
    "survey_average": "4.00",
}  # fmt: skip
COMPOSITION = {
    "year": 2026, "total": "1000.00", "invoices": 2, "customers": 2,
    "by_grade": [{"grade": "A", "customers": 1, "amount": "800.00", "share": "0.8000"},
                 {"grade": None, "customers": 1, "amount": "200.00", "share": "0.2000"}],
    "by_product": [{"sku": "P-1", "quantity": 3, "amount": "1000.00", "share": "1.0000"}],
    "by_region": [{"region": "华东", "customers": 2, "amount": "1000.00", "share": "1.0000"}],
}  # fmt: skip

CANNED = {
    "record_interaction": INTERACTION,
    "list_customer_interactions": [INTERACTION],
    "list_interactions": page_of(INTERACTION),
    "get_interaction": INTERACTION,
    "reply_interaction": REPLIED,
    "list_follow_ups_due": page_of(FOLLOW_UP),
    "interaction_report": REPORT,
    "composition_report": COMPOSITION,
}


interaction_answers = canned_fixture("customer", CANNED)
api = api_fixture("customer")


INTERACTORS = ("cs_agent", "cs_manager", "sales_clerk", "sales_manager")
ANALYSTS = ("market_manager",)

CUSTOMER = f"{BASE}/customers/c-1"
INTERACTIONS = f"{BASE}/interactions"
FOLLOW_UPS = f"{BASE}/follow-ups/due"
REPORT_URL = f"{BASE}/reports/interactions"
COMPOSITION_URL = f"{BASE}/reports/customers/composition"
VISIT = {"type": "visit", "notes": "季度拜访"}
REPLY = {"reply": "下月到货"}

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("POST", f"{CUSTOMER}/interactions", VISIT, INTERACTORS, "record_interaction", 201),
    ("GET", f"{CUSTOMER}/interactions", None, INTERACTORS, "list_customer_interactions", 200),
    ("GET", INTERACTIONS, None, INTERACTORS, "list_interactions", 200),
    ("GET", f"{INTERACTIONS}/i-1", None, INTERACTORS, "get_interaction", 200),
    ("POST", f"{INTERACTIONS}/i-1/reply", REPLY, INTERACTORS, "reply_interaction", 200),
    ("GET", FOLLOW_UPS, None, INTERACTORS, "list_follow_ups_due", 200),
    ("GET", f"{REPORT_URL}?from=2026-11-01&to=2026-11-30", None, INTERACTORS,
     "interaction_report", 200),
    ("GET", f"{COMPOSITION_URL}?year=2026", None, ANALYSTS, "composition_report", 200),
]  # fmt: skip


# --- who may do what (CONTRACT "Who may do what") ------------------------------------
@pytest.mark.parametrize("case", role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


def test_the_matrix_covers_every_interaction_endpoint(app):
    samples = {"customer_id": "c-1", "interaction_id": "i-1"}
    check_matrix_covers(app, "customer_interactions", ENDPOINTS, samples)


# --- request validation -----------------------------------------------------------
AG, MM = "cs_agent", "market_manager"
RECORD = f"{CUSTOMER}/interactions"
INVALID = [
    ("no type", "POST", RECORD, {"notes": "x"}, AG, {"type"}),
    ("bogus type", "POST", RECORD, {"type": "party", "notes": "x"}, AG, {"type"}),
    ("no notes", "POST", RECORD, {"type": "visit"}, AG, {"notes"}),
    ("a survey without a score", "POST", RECORD, {"type": "survey", "notes": "x"}, AG,
     {"score"}),
    ("a survey scored 6", "POST", RECORD, {"type": "survey", "notes": "x", "score": 6}, AG,
     {"score"}),
    ("a survey scored 0", "POST", RECORD, {"type": "survey", "notes": "x", "score": 0}, AG,
     {"score"}),
    ("a visit with a score", "POST", RECORD, {**VISIT, "score": 4}, AG, {"score"}),
    ("a time without its zone", "POST", RECORD, {**VISIT, "at": "2026-11-20T06:00:00"}, AG,
     {"at"}),
    ("an empty reply", "POST", f"{INTERACTIONS}/i-1/reply", {"reply": ""}, AG, {"reply"}),
    ("no reply", "POST", f"{INTERACTIONS}/i-1/reply", {}, AG, {"reply"}),
    ("overdue not a boolean", "GET", f"{INTERACTIONS}?overdue=maybe", None, AG, {"overdue"}),
    ("bogus type filter", "GET", f"{INTERACTIONS}?type=party", None, AG, {"type"}),
    ("follow-ups per_page 201", "GET", f"{FOLLOW_UPS}?per_page=201", None, AG, {"per_page"}),
    ("report without from", "GET", f"{REPORT_URL}?to=2026-11-30", None, AG, {"from"}),
    ("report to before from", "GET", f"{REPORT_URL}?from=2026-11-30&to=2026-11-01", None, AG,
     {"to"}),
    # year 1: the business time zone overflowed (a 500 the fuzzer found)
    ("report from year 1", "GET", f"{REPORT_URL}?from=0001-01-01&to=0001-01-01", None, AG,
     {"from", "to"}),
    ("composition without a year", "GET", COMPOSITION_URL, None, MM, {"year"}),
    ("composition year 99", "GET", f"{COMPOSITION_URL}?year=99", None, MM, {"year"}),
]  # fmt: skip


@pytest.mark.parametrize("case", named(INVALID))
def test_invalid_requests_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


# --- the service's errors -----------------------------------------------------------
SERVICE_ERRORS = [
    ("reply twice", "POST", f"{INTERACTIONS}/i-1/reply", REPLY, AG, "reply_interaction",
     InteractionReplied(details={"replied_at": AT}), 409, "interaction_replied"),
    ("reply to a visit", "POST", f"{INTERACTIONS}/i-1/reply", REPLY, AG, "reply_interaction",
     InteractionNotReplyable(details={"type": "visit"}), 409, "interaction_not_replyable"),
    ("an unknown interaction", "GET", f"{INTERACTIONS}/i-1", None, AG, "get_interaction",
     InteractionNotFound(details={"interaction_id": "i-1"}), 404, "interaction_not_found"),
    ("an unknown customer", "POST", RECORD, VISIT, AG, "record_interaction",
     CustomerNotFound(details={"customer_id": "c-1"}), 404, "customer_not_found"),
]  # fmt: skip


@pytest.mark.parametrize("case", named(SERVICE_ERRORS))
def test_service_errors_are_mapped(api, case):
    api.check_service_error(*case)


# --- what goes over RPC -------------------------------------------------------------
COMMANDS = [
    (RECORD, VISIT, "sales_clerk",
     ("c-1", {**VISIT, "at": None, "score": None, "by": None})),
    (RECORD, {"type": "survey", "notes": "满意度", "score": 5, "at": AT, "by": "li.na"},
     "cs_manager",
     ("c-1", {"type": "survey", "notes": "满意度", "score": 5, "at": AT, "by": "li.na"})),
    (f"{INTERACTIONS}/i-1/reply", REPLY, "cs_agent", ("i-1", REPLY)),
]  # fmt: skip


@pytest.mark.parametrize("path, body, role, args", COMMANDS, ids=command_ids(COMMANDS))
def test_commands_carry_the_logged_in_user_as_actor(api, path, body, role, args):
    api.check_actor(path, body, role, args, username="wu.kf", department="客服部")


def test_recording_answers_201_with_the_reply_due_time(client, token_for):
    body = {"type": "enquiry", "notes": "交货期咨询"}
    response = client.post(RECORD, json=body, headers=token_for("cs_agent"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["reply_due_at"] == DUE


LISTS = [
    (INTERACTIONS, "?type=enquiry&overdue=true&customer_id=c-1&replied=false&page=2&per_page=10",
     {"type": "enquiry", "overdue": True, "customer_id": "c-1", "replied": False}, 2, 10),
    (INTERACTIONS, "", {}, 1, 50),
    (FOLLOW_UPS, "?overdue=true&owner=li.na&pickup=true", {"overdue": True, "owner": "li.na",
                                                           "pickup": True}, 1, 50),
    (FOLLOW_UPS, "?unknown=ignored", {}, 1, 50),
]  # fmt: skip


@pytest.mark.parametrize("path, query, filters, page, per_page", LISTS, ids=list_ids(LISTS))
def test_lists_pass_filters_and_paging(api, path, query, filters, page, per_page):
    api.check_list(path, query, filters, page, per_page, role="sales_manager")


def test_every_interaction_type_is_a_valid_filter(api):
    api.check_filter_values(INTERACTIONS, INTERACTION_TYPES, "type", role="cs_agent")


def test_the_reports_pass_their_period_and_year(client, rpc, token_for):
    url = f"{REPORT_URL}?from=2026-11-01&to=2026-11-30"
    response = client.get(url, headers=token_for("cs_manager"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args == ({"from": "2026-11-01", "to": "2026-11-30"},)
    assert response.get_json()["replies"]["enquiry"]["on_time_rate"] == "0.5000"
    response = client.get(f"{COMPOSITION_URL}?year=2026", headers=token_for("market_manager"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args == ({"year": 2026},)
    assert response.get_json()["by_grade"][1]["grade"] is None
    assert "华东" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, rpc_method, args",
    [(f"{BASE}/customers/c-9/interactions", "list_customer_interactions", ("c-9",)),
     (f"{INTERACTIONS}/i-9", "get_interaction", ("i-9",))],
)  # fmt: skip
def test_reads_pass_only_ids(api, path, rpc_method, args):
    api.check_read(path, rpc_method, args, role="cs_agent")


# --- OpenAPI ----------------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


C = f"{BASE}/customers/{{customer_id}}"
I = f"{INTERACTIONS}/{{interaction_id}}"  # noqa: E741
# (path, method): (request schema, status, response schema, x-roles)
OPERATIONS = {
    (f"{C}/interactions", "post"): ("RecordInteraction", "201", "Interaction", INTERACTORS),
    (f"{C}/interactions", "get"): (None, "200", None, INTERACTORS),
    (INTERACTIONS, "get"): (None, "200", "InteractionPage", INTERACTORS),
    (I, "get"): (None, "200", "Interaction", INTERACTORS),
    (f"{I}/reply", "post"): ("Reply", "200", "Interaction", INTERACTORS),
    (FOLLOW_UPS, "get"): (None, "200", "FollowUpPage", INTERACTORS),
    (REPORT_URL, "get"): (None, "200", "InteractionReport", INTERACTORS),
    (COMPOSITION_URL, "get"): (None, "200", "Composition", ANALYSTS),
}


@pytest.mark.parametrize(
    "path, method, request_schema, status, response_schema, roles",
    [(*key, *value) for key, value in OPERATIONS.items() if value[2]],
)
def test_openapi_documents_every_operation_with_its_roles(
    spec, path, method, request_schema, status, response_schema, roles
):
    check_operation(spec, path, method, request_schema, status, response_schema, roles)


def test_openapi_has_every_interaction_path(app, spec):
    check_documented_paths(app, spec, "customer_interactions", OPERATIONS)


def test_openapi_documents_query_parameters(spec):
    check_query_parameters(
        spec,
        {INTERACTIONS: {"type", "customer_id", "overdue", "replied"},
         FOLLOW_UPS: {"overdue", "owner", "pickup"}},
    )  # fmt: skip
    assert query_enum(spec, INTERACTIONS, "type") == list(INTERACTION_TYPES)
