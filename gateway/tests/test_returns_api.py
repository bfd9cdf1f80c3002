"""Returns endpoints (the CONTRACT section "Returns") with a fake RPC client: what the gateway
adds to the returns service: roles (a scanner's API key among them), request validation,
the service's errors mapped, what goes over RPC (method, arguments, actor), the receipt's
201 or 200, and the OpenAPI document."""

import pytest

from gateway.tests import matrix
from servicekit.contracts.common import MAX_BODY_ITEMS, ROLES
from servicekit.contracts.returns import (
    MOVEMENT_KINDS,
    REPLENISHMENT_STATUSES,
    REQUEST_CLASSES,
    REQUEST_STATUSES,
    RETURN_STATUSES,
    AlreadyShipped,
    InspectionMismatch,
    NothingReceived,
    ReplenishmentNotFound,
    RequestDecided,
    ReturnNotFound,
    ReturnRequestNotFound,
    ReturnSignedOff,
    SkuNotAuthorized,
)

AT = "2026-11-27T08:00:00+00:00"
LATER = "2026-11-28T09:30:00+00:00"

RECEIPT = {
    "return_id": "ra-1",
    "scan_id": "GUN3-20261127-000812",
    "scanner_id": "GUN3",
    "lines": [{"sku": "P-100", "quantity": 2, "lot": "L2611"}],
    "received_by": "api_key:scanner-07",
    "received_at": AT,
}

RETURN = {
    "id": "ra-1",
    "number": "RA-2026-000012",
    "complaint_id": "cp-1",
    "plan_id": "p-1",
    "request_id": None,
    "customer_id": "c-1",
    "owner": "li.clerk",
    "status": "receiving",
    "lines": [{"sku": "P-100", "description": "控制柜外壳", "authorized_quantity": 2,
               "received_quantity": 2, "unit_price": "450.00", "reason": "破损",
               "handling": None, "good": None, "rework": None, "scrap": None}],
    "receipts": [RECEIPT],
    "differences": [],
    "created_at": AT,
    "updated_at": AT,
    "received_at": None,
    "received_by": None,
    "posted_at": None,
    "inspected_at": None,
    "inspected_by": None,
    "witness": None,
    "history": [{"at": AT, "who": "system", "action": "authorized", "changes": {}}],
}  # fmt: skip

MOVEMENT = {
    "return_id": "ra-1",
    "sku": "P-100",
    "kind": "scrapped",
    "quantity": -1,
    "at": LATER,
    "by": "zhou.qa",
}
SCRAP = {
    "return_id": "ra-1",
    "sku": "P-100",
    "spec": "控制柜外壳 600×400",
    "quantity": 1,
    "at": LATER,
    "by": "zhou.qa",
}
SHIPMENT = {
    "id": "rp-1",
    "complaint_id": "cp-1",
    "plan_id": "p-1",
    "action_id": "a-2",
    "customer_id": "c-1",
    "lines": [{"sku": "P-200", "quantity": 3}],
    "status": "pending",
    "carrier": None,
    "tracking_no": None,
    "created_at": AT,
    "updated_at": AT,
    "shipped_at": None,
    "shipped_by": None,
    "history": [],
}
RETURN_REQUEST = {
    "id": "rr-1",
    "customer_id": "c-1",
    "class": "no_reason",
    "basis": "年度框架协议第 7 条：30 天内无理由退货",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00", "description": None,
               "reason": None, "handling": None}],
    "status": "pending",
    "filed_by": "li.clerk",
    "filed_at": AT,
    "decided_by": None,
    "decided_at": None,
    "comment": None,
    "return_id": None,
    "history": [],
}  # fmt: skip


CANNED = {
    "get_return": RETURN,
    "list_returns": matrix.page_of(RETURN),
    "post_receipt": {"created": True, "receipt": RECEIPT},
    "sign_off": {**RETURN, "status": "received", "received_at": LATER, "received_by": "wu.wh"},
    "record_inspection": {**RETURN, "status": "inspected", "witness": "li.clerk"},
    "list_stock_movements": matrix.page_of(MOVEMENT),
    "list_scrap": matrix.page_of(SCRAP),
    "get_replenishment": SHIPMENT,
    "list_replenishments": matrix.page_of(SHIPMENT),
    "ship_replenishment": {**SHIPMENT, "status": "shipped", "carrier": "顺丰速运",
                           "tracking_no": "SF1234567890", "shipped_at": LATER},
    "file_return_request": RETURN_REQUEST,
    "list_return_requests": matrix.page_of(RETURN_REQUEST),
    "get_return_request": RETURN_REQUEST,
    "decide_return_request": {**RETURN_REQUEST, "status": "approved", "return_id": "ra-2"},
}  # fmt: skip


@pytest.fixture(autouse=True)
def returns_answers(rpc):
    return matrix.answer_with(rpc, "returns", CANNED)


@pytest.fixture
def api(client, rpc, token_for):
    return matrix.Api("returns", client, rpc, token_for)


ANYONE = tuple(ROLES)
WAREHOUSE = ("warehouse",)
QUALITY = ("quality",)
FILERS = ("sales_clerk", "sales_manager")
DECIDERS = ("market_manager",)

SCAN = {
    "scan_id": "GUN3-20261127-000812",
    "scanner_id": "GUN3",
    "lines": [{"sku": "P-100", "quantity": 2, "lot": "L2611"}],
}
INSPECTION = {
    "witness": "li.clerk",
    "lines": [{"sku": "P-100", "good": 1, "rework": 0, "scrap": 1}],
}
SHIP = {"carrier": "顺丰速运", "tracking_no": "SF1234567890"}
REQUEST = {
    "customer_id": "c-1",
    "class": "no_reason",
    "basis": "年度框架协议第 7 条：30 天内无理由退货",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450"}],
}
DECISION = {"decision": "approve", "comment": "同意"}
RETURNS = "/api/v1/returns"
REQUESTS = f"{RETURNS}/requests"
REPLENISHMENTS = "/api/v1/replenishments"

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("GET", RETURNS, None, ANYONE, "list_returns", 200),
    ("GET", f"{RETURNS}/ra-1", None, ANYONE, "get_return", 200),
    ("POST", f"{RETURNS}/ra-1/receipts", SCAN, WAREHOUSE, "post_receipt", 201),
    ("POST", f"{RETURNS}/ra-1/sign-off", None, WAREHOUSE, "sign_off", 200),
    ("POST", f"{RETURNS}/ra-1/inspection", INSPECTION, QUALITY, "record_inspection", 200),
    ("GET", "/api/v1/stock-movements", None, ANYONE, "list_stock_movements", 200),
    ("GET", "/api/v1/scrap", None, ANYONE, "list_scrap", 200),
    ("GET", REPLENISHMENTS, None, ANYONE, "list_replenishments", 200),
    ("GET", f"{REPLENISHMENTS}/rp-1", None, ANYONE, "get_replenishment", 200),
    ("POST", f"{REPLENISHMENTS}/rp-1/ship", SHIP, WAREHOUSE, "ship_replenishment", 200),
    ("POST", REQUESTS, REQUEST, FILERS, "file_return_request", 201),
    ("GET", REQUESTS, None, ANYONE, "list_return_requests", 200),
    ("GET", f"{REQUESTS}/rr-1", None, ANYONE, "get_return_request", 200),
    ("POST", f"{REQUESTS}/rr-1/decision", DECISION, DECIDERS, "decide_return_request", 200),
]


# --- who may do what (CONTRACT "Who may do what") ------------------------------------
@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


def test_the_matrix_covers_every_returns_endpoint(app):
    samples = {"return_id": "ra-1", "shipment_id": "rp-1", "request_id": "rr-1"}
    matrix.check_matrix_covers(app, "returns", ENDPOINTS, samples)


# The static /returns/requests paths sit beside /returns/<return_id>: each reaches its own
# view, not a return whose id is "requests".
@pytest.mark.parametrize(
    "method, path, body, role, rpc_method, args",
    [
        ("GET", REQUESTS, None, "vp", "list_return_requests", ({}, 1, 50)),
        ("GET", f"{REQUESTS}/rr-7", None, "vp", "get_return_request", ("rr-7",)),
        ("POST", REQUESTS, REQUEST, "sales_clerk", "file_return_request", None),
    ],
)
def test_request_paths_are_not_taken_for_return_ids(
    client, rpc, token_for, method, path, body, role, rpc_method, args
):
    response = client.open(path, method=method, json=body, headers=token_for(role))
    assert response.status_code in (200, 201), response.get_json()
    assert rpc.last.method == rpc_method
    if args is not None:
        assert rpc.last.args == args


# --- a scanner's API key (warehouse, user or API key) ---------------------------------
@pytest.fixture
def scanner(client, admin_headers):
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    )
    assert created.status_code == 201, created.get_json()
    return {"Authorization": f"Bearer {created.get_json()['key']}"}


SCANNER_ACTOR = {"username": "api_key:scanner-07", "roles": ["warehouse"], "department": None}


def test_a_warehouse_api_key_posts_receipts_and_signs_off_as_itself(client, rpc, scanner):
    receipt = client.post(f"{RETURNS}/ra-1/receipts", json=SCAN, headers=scanner)
    assert receipt.status_code == 201, receipt.get_json()
    assert (rpc.last.method, rpc.last.args) == (
        "post_receipt",
        ("ra-1", {**SCAN, "lines": [{"sku": "P-100", "quantity": 2, "lot": "L2611"}]},
         SCANNER_ACTOR),
    )  # fmt: skip

    signed = client.post(f"{RETURNS}/ra-1/sign-off", headers=scanner)
    assert signed.status_code == 200, signed.get_json()
    assert (rpc.last.method, rpc.last.args) == ("sign_off", ("ra-1", SCANNER_ACTOR))


def test_a_warehouse_api_key_may_not_inspect(client, rpc, scanner):
    response = client.post(f"{RETURNS}/ra-1/inspection", json=INSPECTION, headers=scanner)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "forbidden"
    assert rpc.calls == []


def test_a_warehouse_api_key_reads_returns(client, rpc, scanner):
    response = client.get(f"{RETURNS}/ra-1", headers=scanner)
    assert response.status_code == 200
    assert response.get_json() == RETURN


# --- receipts: 201 new, 200 the same scan again (rule R2) -----------------------------
@pytest.mark.parametrize("created, status", [(True, 201), (False, 200)])
def test_a_receipt_is_201_when_new_and_200_when_the_scan_was_posted_before(
    client, rpc, token_for, created, status
):
    rpc.answers[("returns", "post_receipt")] = {"created": created, "receipt": RECEIPT}
    response = client.post(f"{RETURNS}/ra-1/receipts", json=SCAN, headers=token_for("warehouse"))
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/json"
    assert response.get_json() == RECEIPT
    assert [c.method for c in rpc.calls] == ["post_receipt"]


def test_the_same_scan_twice_answers_the_first_receipt(client, rpc, token_for):
    answers = iter([{"created": True, "receipt": RECEIPT}, {"created": False, "receipt": RECEIPT}])
    rpc.answers[("returns", "post_receipt")] = lambda *_args: next(answers)
    headers = token_for("warehouse")
    first = client.post(f"{RETURNS}/ra-1/receipts", json=SCAN, headers=headers)
    again = client.post(f"{RETURNS}/ra-1/receipts", json=SCAN, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json() == RECEIPT


# --- request validation -----------------------------------------------------------
def scan(**changes):
    return {**SCAN, **changes}


def scan_line(**changes):
    return scan(lines=[{"sku": "P-100", "quantity": 2, **changes}])


def inspection_line(**changes):
    return {
        **INSPECTION,
        "lines": [{"sku": "P-100", "good": 1, "rework": 0, "scrap": 1, **changes}],
    }


def request(**changes):
    return {**REQUEST, **changes}


TOO_MANY_LINES = [{"sku": f"P-{n}", "quantity": 1} for n in range(MAX_BODY_ITEMS + 1)]
RECEIPTS = f"{RETURNS}/ra-1/receipts"
INSPECT = f"{RETURNS}/ra-1/inspection"
DECIDE = f"{REQUESTS}/rr-1/decision"
SHIP_PATH = f"{REPLENISHMENTS}/rp-1/ship"
WH, QA, CLERK, MM = "warehouse", "quality", "sales_clerk", "market_manager"

# (id, method, path, body, role, fields named in details)
INVALID = [
    ("receipt without scan_id", "POST", RECEIPTS, {"scanner_id": "GUN3", "lines": SCAN["lines"]},
     WH, {"scan_id"}),
    ("receipt with empty scan_id", "POST", RECEIPTS, scan(scan_id=""), WH, {"scan_id"}),
    ("receipt without scanner_id", "POST", RECEIPTS,
     {"scan_id": "S-1", "lines": SCAN["lines"]}, WH, {"scanner_id"}),
    ("receipt quantity zero", "POST", RECEIPTS, scan_line(quantity=0), WH, {"lines"}),
    ("receipt quantity negative", "POST", RECEIPTS, scan_line(quantity=-2), WH, {"lines"}),
    ("receipt quantity as text", "POST", RECEIPTS, scan_line(quantity="2"), WH, {"lines"}),
    ("receipt quantity as float", "POST", RECEIPTS, scan_line(quantity=2.5), WH, {"lines"}),
    ("receipt line without sku", "POST", RECEIPTS, scan(lines=[{"quantity": 1}]), WH, {"lines"}),
    ("receipt without lines", "POST", RECEIPTS, scan(lines=[]), WH, {"lines"}),
    ("receipt over 500 lines", "POST", RECEIPTS, scan(lines=TOO_MANY_LINES), WH, {"lines"}),
    ("receipt unknown field", "POST", RECEIPTS, scan(location="A-01"), WH, {"location"}),
    ("inspection negative good", "POST", INSPECT, inspection_line(good=-1), QA, {"lines"}),
    ("inspection scrap as text", "POST", INSPECT, inspection_line(scrap="1"), QA, {"lines"}),
    ("inspection line missing rework", "POST", INSPECT,
     {**INSPECTION, "lines": [{"sku": "P-100", "good": 1, "scrap": 1}]}, QA, {"lines"}),
    ("inspection without witness", "POST", INSPECT, {"lines": INSPECTION["lines"]}, QA,
     {"witness"}),
    ("inspection without lines", "POST", INSPECT, {**INSPECTION, "lines": []}, QA, {"lines"}),
    ("ship without tracking_no", "POST", SHIP_PATH, {"carrier": "顺丰速运"}, WH, {"tracking_no"}),
    ("ship with empty carrier", "POST", SHIP_PATH, {**SHIP, "carrier": ""}, WH, {"carrier"}),
    ("request unknown class", "POST", REQUESTS, request(**{"class": "goodwill"}), CLERK,
     {"class"}),
    ("request class under its attribute name", "POST", REQUESTS,
     {**{k: v for k, v in REQUEST.items() if k != "class"}, "request_class": "no_reason"},
     CLERK, {"class", "request_class"}),
    ("request without basis", "POST", REQUESTS,
     {k: v for k, v in REQUEST.items() if k != "basis"}, CLERK, {"basis"}),
    ("request without lines", "POST", REQUESTS, request(lines=[]), CLERK, {"lines"}),
    ("request over 500 lines", "POST", REQUESTS,
     request(lines=[{**line, "unit_price": "1"} for line in TOO_MANY_LINES]), CLERK, {"lines"}),
    ("request negative price", "POST", REQUESTS,
     request(lines=[{"sku": "P-100", "quantity": 1, "unit_price": "-1"}]), CLERK, {"lines"}),
    ("request price not a number", "POST", REQUESTS,
     request(lines=[{"sku": "P-100", "quantity": 1, "unit_price": "abc"}]), CLERK, {"lines"}),
    ("request quantity as text", "POST", REQUESTS,
     request(lines=[{"sku": "P-100", "quantity": "2", "unit_price": "1"}]), CLERK, {"lines"}),
    ("decision maybe", "POST", DECIDE, {"decision": "maybe"}, MM, {"decision"}),
    ("decision approved", "POST", DECIDE, {"decision": "approved"}, MM, {"decision"}),
    ("decision missing", "POST", DECIDE, {"comment": "同意"}, MM, {"decision"}),
    ("returns bogus status", "GET", f"{RETURNS}?status=bogus", None, WH, {"status"}),
    ("replenishments bogus status", "GET", f"{REPLENISHMENTS}?status=bogus", None, WH,
     {"status"}),
    ("requests bogus status", "GET", f"{REQUESTS}?status=bogus", None, CLERK, {"status"}),
    ("movements bogus kind", "GET", "/api/v1/stock-movements?kind=bogus", None, QA, {"kind"}),
    ("returns per_page 201", "GET", f"{RETURNS}?per_page=201", None, WH, {"per_page"}),
    ("scrap page zero", "GET", "/api/v1/scrap?page=0", None, QA, {"page"}),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(INVALID))
def test_invalid_requests_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


def test_nested_problems_name_their_line(client, token_for):
    body = {**INSPECTION, "lines": [INSPECTION["lines"][0], {**INSPECTION["lines"][0], "good": -1}]}
    response = client.post(INSPECT, json=body, headers=token_for("quality"))
    assert response.get_json()["error"]["details"] == {
        "lines": {"1": {"good": ["Must be greater than or equal to 0."]}}
    }


def test_a_zero_inspection_line_is_valid(client, rpc, token_for):
    """good, rework and scrap may each be 0 (only receipt quantities start at 1)."""
    body = inspection_line(good=0, rework=0, scrap=0)
    response = client.post(INSPECT, json=body, headers=token_for("quality"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args[1] == body


# --- the service's errors -----------------------------------------------------------
# (id, method, path, body, role, RPC method, raised, status, code)
SERVICE_ERRORS = [
    ("return not found", "GET", f"{RETURNS}/nope", None, "finance", "get_return",
     ReturnNotFound(details={"id": "nope"}), 404, "return_not_found"),
    ("receipt on unknown return", "POST", RECEIPTS, SCAN, WH, "post_receipt",
     ReturnNotFound(details={"id": "ra-1"}), 404, "return_not_found"),
    ("sku not authorized", "POST", RECEIPTS, SCAN, WH, "post_receipt",
     SkuNotAuthorized(details={"sku": "P-100"}), 422, "sku_not_authorized"),
    ("receipt after sign-off", "POST", RECEIPTS, SCAN, WH, "post_receipt",
     ReturnSignedOff(), 409, "return_signed_off"),
    ("sign-off with nothing received", "POST", f"{RETURNS}/ra-1/sign-off", None, WH, "sign_off",
     NothingReceived(), 409, "nothing_received"),
    ("inspection does not add up", "POST", INSPECT, INSPECTION, QA, "record_inspection",
     InspectionMismatch(details={"P-100": {"received": 3, "inspected": 2}}), 422,
     "inspection_mismatch"),
    ("replenishment not found", "GET", f"{REPLENISHMENTS}/nope", None, "gm",
     "get_replenishment", ReplenishmentNotFound(), 404, "replenishment_not_found"),
    ("shipped twice", "POST", SHIP_PATH, SHIP, WH, "ship_replenishment", AlreadyShipped(), 409,
     "already_shipped"),
    ("request not found", "GET", f"{REQUESTS}/nope", None, CLERK, "get_return_request",
     ReturnRequestNotFound(), 404, "return_request_not_found"),
    ("request decided twice", "POST", DECIDE, DECISION, MM, "decide_return_request",
     RequestDecided(details={"status": "approved"}), 409, "request_decided"),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(SERVICE_ERRORS))
def test_service_errors_are_mapped(api, case):
    api.check_service_error(*case)


# --- what goes over RPC -------------------------------------------------------------
# (path, body, role, expected args before the actor)
COMMANDS = [
    (RECEIPTS, scan(lines=[{"sku": "P-100", "quantity": 2}]), WH,
     ("ra-1", scan(lines=[{"sku": "P-100", "quantity": 2, "lot": None}]))),
    (f"{RETURNS}/ra-1/sign-off", None, WH, ("ra-1",)),
    (INSPECT, INSPECTION, QA, ("ra-1", INSPECTION)),
    (SHIP_PATH, SHIP, WH, ("rp-1", SHIP)),
    (REQUESTS, REQUEST, "sales_manager", None),
    (DECIDE, {"decision": "reject", "comment": "超过 30 天"}, MM,
     ("rr-1", {"decision": "reject", "comment": "超过 30 天"})),
    (DECIDE, {"decision": "approve"}, MM, ("rr-1", {"decision": "approve", "comment": None})),
]  # fmt: skip


@pytest.mark.parametrize(
    "path, body, role, args",
    COMMANDS,
    ids=[f"{c[0]} {c[1] and c[1].get('decision')}" for c in COMMANDS],
)
def test_commands_carry_the_logged_in_user_as_actor(api, path, body, role, args):
    api.check_actor(path, body, role, args, username="wu.wh", department="仓储部")


def test_a_sales_return_request_goes_over_rpc_with_class_and_decimal_strings(
    client, rpc, token_for
):
    body = request(
        lines=[
            {"sku": "P-100", "quantity": 2, "unit_price": "450"},
            {"sku": "P-200", "quantity": 1, "unit_price": "12.5", "reason": "多发",
             "handling": "退库", "description": "端子排"},
        ]
    )  # fmt: skip
    response = client.post(REQUESTS, json=body, headers=token_for("sales_clerk"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == RETURN_REQUEST
    data, _actor = rpc.last.args
    assert data == {
        "customer_id": "c-1",
        "class": "no_reason",
        "basis": "年度框架协议第 7 条：30 天内无理由退货",
        "lines": [
            {"sku": "P-100", "quantity": 2, "unit_price": "450.00", "description": None,
             "reason": None, "handling": None},
            {"sku": "P-200", "quantity": 1, "unit_price": "12.50", "description": "端子排",
             "reason": "多发", "handling": "退库"},
        ],
    }  # fmt: skip
    assert "request_class" not in data


@pytest.mark.parametrize("request_class", REQUEST_CLASSES)
def test_every_request_class_is_accepted(client, rpc, token_for, request_class):
    body = request(**{"class": request_class})
    response = client.post(REQUESTS, json=body, headers=token_for("sales_manager"))
    assert response.status_code == 201, response.get_json()
    assert rpc.last.args[0]["class"] == request_class


# (path, query, filters, page, per_page)
LISTS = [
    (RETURNS, "", {}, 1, 50),
    (RETURNS, "?complaint_id=cp-1&customer_id=c-1&status=receiving&page=2&per_page=10",
     {"complaint_id": "cp-1", "customer_id": "c-1", "status": "receiving"}, 2, 10),
    ("/api/v1/stock-movements", "?sku=P-100&return_id=ra-1&kind=scrapped",
     {"sku": "P-100", "return_id": "ra-1", "kind": "scrapped"}, 1, 50),
    ("/api/v1/scrap", "?sku=P-100&return_id=ra-1&per_page=200",
     {"sku": "P-100", "return_id": "ra-1"}, 1, 200),
    (REPLENISHMENTS, "?complaint_id=cp-1&status=pending&page=3",
     {"complaint_id": "cp-1", "status": "pending"}, 3, 50),
    (REQUESTS, "?customer_id=c-1&status=approved&per_page=5",
     {"customer_id": "c-1", "status": "approved"}, 1, 5),
    (RETURNS, "?unknown=ignored", {}, 1, 50),
]  # fmt: skip


@pytest.mark.parametrize(
    "path, query, filters, page, per_page", LISTS, ids=[f"{c[0]}{c[1]}" for c in LISTS]
)
def test_lists_pass_filters_and_paging(api, path, query, filters, page, per_page):
    api.check_list(path, query, filters, page, per_page, role="finance")


@pytest.mark.parametrize(
    "path, values, name",
    [(RETURNS, RETURN_STATUSES, "status"), (REPLENISHMENTS, REPLENISHMENT_STATUSES, "status"),
     (REQUESTS, REQUEST_STATUSES, "status"), ("/api/v1/stock-movements", MOVEMENT_KINDS, "kind")],
)  # fmt: skip
def test_every_contract_value_is_a_valid_filter(api, path, values, name):
    api.check_filter_values(path, values, name, role="cs_agent")


@pytest.mark.parametrize(
    "path, rpc_method, args",
    [(f"{RETURNS}/ra-9", "get_return", ("ra-9",)),
     (f"{REPLENISHMENTS}/rp-9", "get_replenishment", ("rp-9",)),
     (f"{REQUESTS}/rr-9", "get_return_request", ("rr-9",))],
)  # fmt: skip
def test_reads_pass_only_ids(api, path, rpc_method, args):
    api.check_read(path, rpc_method, args, role="quality")


def test_service_answers_pass_through_with_chinese_text_unescaped(client, rpc, token_for):
    answer = {**SCRAP, "added_by_a_newer_service": {"kept": True}}
    rpc.answers[("returns", "list_scrap")] = matrix.page_of(answer)
    response = client.get("/api/v1/scrap", headers=token_for("gm"))
    assert response.get_json()["items"] == [answer]
    text = response.get_data(as_text=True)
    assert "控制柜外壳" in text and "\\u63a7" not in text


# --- OpenAPI ----------------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


AUTHENTICATED = ("authenticated",)
# (path, method): (request schema, status, response schema, x-roles)
OPERATIONS = {
    ("/api/v1/returns", "get"): (None, "200", "ReturnPage", AUTHENTICATED),
    ("/api/v1/returns/{return_id}", "get"): (None, "200", "Return", AUTHENTICATED),
    ("/api/v1/returns/{return_id}/receipts", "post"): ("PostReceipt", "201", "Receipt", WAREHOUSE),
    ("/api/v1/returns/{return_id}/sign-off", "post"): (None, "200", "Return", WAREHOUSE),
    ("/api/v1/returns/{return_id}/inspection", "post"): ("Inspection", "200", "Return", QUALITY),
    ("/api/v1/stock-movements", "get"): (None, "200", "StockMovementPage", AUTHENTICATED),
    ("/api/v1/scrap", "get"): (None, "200", "ScrapPage", AUTHENTICATED),
    ("/api/v1/replenishments", "get"): (None, "200", "ReplenishmentPage", AUTHENTICATED),
    ("/api/v1/replenishments/{shipment_id}", "get"): (
        None,
        "200",
        "Replenishment",
        AUTHENTICATED,
    ),
    ("/api/v1/replenishments/{shipment_id}/ship", "post"): (
        "Ship",
        "200",
        "Replenishment",
        WAREHOUSE,
    ),
    ("/api/v1/returns/requests", "post"): ("FileReturnRequest", "201", "ReturnRequest", FILERS),
    ("/api/v1/returns/requests", "get"): (None, "200", "ReturnRequestPage", AUTHENTICATED),
    ("/api/v1/returns/requests/{request_id}", "get"): (
        None,
        "200",
        "ReturnRequest",
        AUTHENTICATED,
    ),
    ("/api/v1/returns/requests/{request_id}/decision", "post"): (
        "RequestDecision",
        "200",
        "ReturnRequest",
        DECIDERS,
    ),
}


@pytest.mark.parametrize(
    "path, method, request_schema, status, response_schema, roles",
    [(*key, *value) for key, value in OPERATIONS.items()],
)
def test_openapi_documents_every_returns_operation_with_its_roles(
    spec, path, method, request_schema, status, response_schema, roles
):
    matrix.check_operation(spec, path, method, request_schema, status, response_schema, roles)


def test_openapi_has_every_returns_path(app, spec):
    matrix.check_documented_paths(app, spec, "returns", OPERATIONS)


def test_openapi_documents_a_receipt_as_201_new_and_200_posted_before(spec):
    responses = spec["paths"]["/api/v1/returns/{return_id}/receipts"]["post"]["responses"]
    for status in ("201", "200"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Receipt"}, status
    assert responses["200"]["description"] != responses["201"]["description"]
    assert {"404", "409", "422"} <= set(responses)


def test_openapi_documents_query_parameters(spec):
    matrix.check_query_parameters(
        spec,
        {
            "/api/v1/returns": {"complaint_id", "customer_id", "status"},
            "/api/v1/stock-movements": {"sku", "return_id", "kind"},
            "/api/v1/scrap": {"sku", "return_id"},
            "/api/v1/replenishments": {"complaint_id", "status"},
            "/api/v1/returns/requests": {"customer_id", "status"},
        },
    )
    assert matrix.query_enum(spec, "/api/v1/returns", "status") == list(RETURN_STATUSES)
    assert matrix.query_enum(spec, "/api/v1/stock-movements", "kind") == list(MOVEMENT_KINDS)
    assert matrix.query_enum(spec, "/api/v1/replenishments", "status") == list(
        REPLENISHMENT_STATUSES
    )
    assert matrix.query_enum(spec, "/api/v1/returns/requests", "status") == list(REQUEST_STATUSES)


def test_openapi_request_schemas_carry_the_contract_values(spec):
    schemas = spec["components"]["schemas"]
    filed = schemas["FileReturnRequest"]
    assert filed["properties"]["class"]["enum"] == list(REQUEST_CLASSES)
    assert "request_class" not in filed["properties"]
    assert set(filed["required"]) == {"customer_id", "class", "basis", "lines"}
    assert filed["properties"]["lines"]["maxItems"] == MAX_BODY_ITEMS
    assert filed["properties"]["lines"]["minItems"] == 1
    assert "class" in schemas["ReturnRequest"]["properties"]
    assert schemas["RequestDecision"]["properties"]["decision"]["enum"] == ["approve", "reject"]
    assert set(schemas["PostReceipt"]["required"]) == {"scan_id", "scanner_id", "lines"}
    scan_quantity = schemas["ScanLine"]["properties"]["quantity"]
    assert (scan_quantity["type"], scan_quantity["minimum"]) == ("integer", 1)
    assert schemas["InspectionLine"]["properties"]["good"]["minimum"] == 0
    assert set(schemas["Ship"]["required"]) == {"carrier", "tracking_no"}
