"""CONTRACT "Who may do what": every endpoint, every role."""

import pytest

from servicekit.contracts.common import ROLES

ANYONE = tuple(ROLES)
CLERKS = ("sales_clerk", "sales_manager")
APPROVERS = ("sales_manager", "market_manager")
DECIDERS = ("market_manager", "finance")
ADMIN_ONLY = ()
# Blueprints whose endpoints have their own matrix (and coverage test) in another module
# (test_<name>_api.py).
OWN_MATRIX = (
    "complaints.",
    "returns.",
    "finance.",
    "customer_grading.",
    "documents.",
    "customer_imports.",
    "customer_interactions.",
    "reports.",
)

# (method, path, body, roles besides admin, RPC method or None, status)
ENDPOINTS = [
    ("POST", "/api/v1/customers", {"name": "华东", "nature": "agent"}, CLERKS,
     "create_customer", 201),
    ("GET", "/api/v1/customers", None, ANYONE, "list_customers", 200),
    ("GET", "/api/v1/customers?phone=13800000000&tax_no=9131", None, ANYONE, "list_customers", 200),
    ("GET", "/api/v1/customers/c-1", None, ANYONE, "get_customer", 200),
    # company names: business data every department works with (rule C11: not personal)
    ("GET", "/api/v1/customer-names?ids=c-1,c-2", None, ANYONE, "customer_names", 200),
    ("PATCH", "/api/v1/customers/c-1", {"address": "苏州"}, CLERKS, "update_customer", 200),
    ("POST", "/api/v1/customers/c-1/submit", None, CLERKS, "submit_customer", 200),
    ("POST", "/api/v1/customers/c-1/approve", None, APPROVERS, "approve_customer", 200),
    ("POST", "/api/v1/customers/c-1/status", {"status": "dormant", "reason": "无订单"},
     APPROVERS, "change_status", 200),
    ("POST", "/api/v1/customers/c-1/change-requests", {"discount": "0.80", "reason": "协议"},
     CLERKS, "request_change", 201),
    ("GET", "/api/v1/customers/c-1/change-requests", None, ANYONE, "list_change_requests", 200),
    ("GET", "/api/v1/change-requests", None, (*CLERKS, *DECIDERS), "list_all_change_requests",
     200),
    ("GET", "/api/v1/change-requests/cr-1", None, ANYONE, "get_change_request", 200),
    ("POST", "/api/v1/change-requests/cr-1/decision", {"decision": "approve"}, DECIDERS,
     "decide_change_request", 200),
    ("GET", "/api/v1/customers/c-1/audit", None, ("cs_manager",), "get_audit", 200),
    ("POST", "/users", {"username": "u1", "password": "long-enough", "roles": ["quality"]},
     ADMIN_ONLY, None, 201),
    ("GET", "/users", None, ADMIN_ONLY, None, 200),
    ("PATCH", "/users/u-1", {"department": "质量部"}, ADMIN_ONLY, None, 404),
    ("POST", "/users/me/password", {"current_password": "wrong", "new_password": "long-enough"},
     ANYONE, None, 422),
    ("POST", "/api-keys", {"name": "scanner", "roles": ["warehouse"]}, ADMIN_ONLY, None, 201),
    ("GET", "/api-keys", None, ADMIN_ONLY, None, 200),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, role, role in allowed or role == "admin", rpc, status,
                 id=f"{method} {path} as {role}")
    for method, path, body, allowed, rpc, status in ENDPOINTS
    for role in ROLES
]  # fmt: skip


@pytest.mark.parametrize("method, path, body, role, allowed, rpc_method, status", CASES)
def test_role_matrix(client, rpc, token_for, method, path, body, role, allowed, rpc_method, status):
    response = client.open(path, method=method, json=body, headers=token_for(role))
    if allowed:
        assert response.status_code == status, response.get_json()
        if rpc_method:
            assert rpc.last.service == "customer"
            assert rpc.last.method == rpc_method
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
        assert rpc.calls == []


def test_the_matrix_covers_every_guarded_endpoint(app):
    """A new endpoint must be added to ENDPOINTS (and so to the matrix)."""
    covered = {(method, path.partition("?")[0]) for method, path, *_ in ENDPOINTS}
    samples = {"customer_id": "c-1", "request_id": "cr-1", "key_id": "k-1", "user_id": "u-1"}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "_required_roles", None) or rule.endpoint.startswith(
            ("identity_v1.", *OWN_MATRIX)
        ):
            continue
        path = rule.rule
        for name, value in samples.items():
            path = path.replace(f"<{name}>", value)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) == ("DELETE", "/api-keys/k-1"):
                continue  # revoke: tested with a real key in test_api_keys
            assert (method, path) in covered, f"{method} {path} is not in the role matrix"


def test_every_non_public_route_wants_a_token(app, client, rpc):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "_required_roles", None):
            continue
        path = rule.rule.replace("<", "").replace(">", "")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method, json={})
            assert response.status_code == 401, f"{method} {path}"
    assert rpc.calls == []


def test_commands_carry_the_acting_user(client, rpc, token_for):
    headers = token_for("sales_clerk", username="li.clerk", department="销售部")
    response = client.post(
        "/api/v1/customers/c-1/change-requests",
        json={"discount": "0.8", "credit_limit": "300000", "reason": "年度框架协议"},
        headers=headers,
    )
    assert response.status_code == 201
    customer_id, data, actor = rpc.last.args
    assert customer_id == "c-1"
    assert data == {"discount": "0.8", "credit_limit": "300000.00", "reason": "年度框架协议"}
    assert actor == {"username": "li.clerk", "roles": ["sales_clerk"], "department": "销售部"}


def test_reads_pass_ids_filters_and_the_reader(client, rpc, token_for):
    # rule C11: the service masks personal data and audits reads by who reads
    vp = {"username": "vp", "roles": ["vp"], "department": None}
    client.get("/api/v1/customers?q=机电&status=active&key_account=true", headers=token_for("vp"))
    assert rpc.last.args == ({"q": "机电", "status": "active", "key_account": True}, 1, 50, vp)
    client.get("/api/v1/customers/c-9", headers=token_for("vp"))
    assert rpc.last.args == ("c-9", vp)
    client.get("/api/v1/change-requests/cr-9", headers=token_for("vp"))
    assert rpc.last.args == ("cr-9",)


def test_api_key_roles_are_checked_like_user_roles(client, admin_headers, rpc):
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()
    key = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/customers/c-1", headers=key).status_code == 200
    assert client.post("/api/v1/customers/c-1/approve", headers=key).status_code == 403
    assert client.get("/users", headers=key).status_code == 403
