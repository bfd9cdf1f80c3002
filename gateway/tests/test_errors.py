"""The whole error map (gateway.errors) in one parametrised test, plus request ids."""

import logging

import pytest

from servicekit.contracts.customer import (
    ChangeRequestRequired,
    CustomerNotFound,
    IllegalStatusChange,
    NotADecider,
)
from servicekit.errors import ServiceUnavailable, invalid_fields

CLERK = "sales_clerk"


class Boom(Exception):
    pass


# (id, request kwargs, role or None for no token, RPC answer, status, code)
ERROR_MAP = [
    ("malformed json", dict(method="POST", path="/api/v1/customers", data="{not json",
     content_type="application/json"), CLERK, None, 400, "malformed_json"),
    ("malformed json on login", dict(method="POST", path="/auth/token", data="{",
     content_type="application/json"), None, None, 400, "malformed_json"),
    ("no token", dict(method="GET", path="/api/v1/customers/c-1"), None, None, 401,
     "token_missing"),
    ("bad token", dict(method="GET", path="/api/v1/customers/c-1",
     headers={"Authorization": "Bearer nonsense"}), None, None, 401, "invalid_token"),
    ("role may not", dict(method="POST", path="/api/v1/customers/c-1/approve"), CLERK, None,
     403, "forbidden"),
    ("service forbids", dict(method="POST", path="/api/v1/change-requests/cr-1/decision",
     json={"decision": "approve"}), "finance", NotADecider(), 403, "not_a_decider"),
    ("service: not found", dict(method="GET", path="/api/v1/customers/nope"), CLERK,
     CustomerNotFound(details={"id": "nope"}), 404, "customer_not_found"),
    ("service: conflict", dict(method="POST", path="/api/v1/customers/c-1/submit"), CLERK,
     IllegalStatusChange(), 409, "illegal_status_change"),
    ("service: invalid", dict(method="PATCH", path="/api/v1/customers/c-1",
     json={"discount": "0.80"}), CLERK,
     ChangeRequestRequired(details={"discount": ["use a change request"]}), 422,
     "change_request_required"),
    ("service: invalid fields", dict(method="POST", path="/api/v1/customers",
     json={"name": "x", "nature": "agent"}), CLERK,
     invalid_fields({"owner": "no such user"}), 422, "invalid"),
    ("request validation", dict(method="POST", path="/api/v1/customers",
     json={"name": "", "nature": "alien"}), CLERK, None, 422, "validation_error"),
    ("unknown field", dict(method="POST", path="/api/v1/customers/c-1/status",
     json={"status": "lost", "colour": "red"}), "sales_manager", None, 422, "validation_error"),
    ("query validation", dict(method="GET", path="/api/v1/customers?status=sleeping"), CLERK,
     None, 422, "validation_error"),
    ("unknown route", dict(method="GET", path="/api/v1/nothing-here"), CLERK, None, 404,
     "not_found"),
    ("unknown route without token", dict(method="GET", path="/nothing"), None, None, 404,
     "not_found"),
    ("wrong method", dict(method="PUT", path="/api/v1/customers/c-1"), CLERK, None, 405,
     "method_not_allowed"),
    ("service down", dict(method="GET", path="/api/v1/customers/c-1"), CLERK,
     ServiceUnavailable("The customer service is not running.", {"service": "customer"}), 503,
     "service_unavailable"),
    ("unexpected", dict(method="GET", path="/api/v1/customers/c-1"), CLERK,
     Boom("secret internals"), 500, "internal_error"),
]  # fmt: skip


@pytest.mark.parametrize(
    "request_kwargs, role, answer, status, code",
    [pytest.param(*case[1:], id=case[0]) for case in ERROR_MAP],
)
def test_error_map(client, rpc, token_for, request_kwargs, role, answer, status, code):
    kwargs = dict(request_kwargs)
    headers = dict(kwargs.pop("headers", {}))
    if role:
        headers.update(token_for(role))
    if answer is not None:
        rpc.answers[("customer", rpc_method_of(kwargs))] = answer
    response = client.open(kwargs.pop("path"), headers=headers, **kwargs)

    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    assert response.headers["X-Request-ID"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret internals" not in text
    if answer is not None and hasattr(answer, "details"):
        assert body["error"]["details"] == answer.details
    if code == "validation_error":
        assert all(isinstance(problems, list) for problems in body["error"]["details"].values())
    if status == 500:
        assert response.headers["X-Request-ID"] in body["error"]["message"]


def rpc_method_of(kwargs: dict) -> str:
    path, method = kwargs["path"], kwargs["method"]
    if path.endswith("/decision"):
        return "decide_change_request"
    if path.endswith("/submit"):
        return "submit_customer"
    if method == "PATCH":
        return "update_customer"
    if method == "POST":
        return "create_customer"
    return "get_customer"


def test_validation_details_name_every_bad_field(client, token_for):
    response = client.post(
        "/api/v1/customers", json={"name": "", "nature": "alien"}, headers=token_for(CLERK)
    )
    details = response.get_json()["error"]["details"]
    assert set(details) == {"name", "nature"}
    assert details["nature"] == ["Must be one of: distributor, agent, end_user."]


def test_nested_validation_details_keep_their_path(client, token_for):
    response = client.post(
        "/api/v1/customers",
        json={"name": "华东", "nature": "agent", "contacts": [{"name": "王", "email": "x"}]},
        headers=token_for(CLERK),
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "contacts": {"0": {"email": ["Not a valid email address."]}}
    }


def test_a_rejected_request_makes_no_rpc_call(client, rpc, token_for):
    client.post("/api/v1/customers", json={"nature": "alien"}, headers=token_for(CLERK))
    client.post(
        "/api/v1/customers", data="{", content_type="application/json", headers=token_for(CLERK)
    )
    assert rpc.calls == []


def test_unexpected_error_is_logged_with_its_trace(client, rpc, token_for, caplog):
    rpc.answers[("customer", "get_customer")] = Boom("secret internals")
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        response = client.get("/api/v1/customers/c-1", headers=token_for(CLERK))
    assert response.status_code == 500
    record = next(r for r in caplog.records if r.name == "gateway.errors")
    assert record.exc_info and record.exc_info[0] is Boom


def test_request_id_is_taken_from_the_client_and_passed_to_rpc(client, rpc, token_for):
    response = client.get(
        "/api/v1/customers/c-1", headers={**token_for(CLERK), "X-Request-ID": "req-42.a"}
    )
    assert response.headers["X-Request-ID"] == "req-42.a"
    assert rpc.last.request_id == "req-42.a"


def test_request_id_is_generated_when_missing_or_unfit(client, rpc, token_for):
    first = client.get("/api/v1/customers/c-1", headers=token_for(CLERK))
    second = client.get(
        "/api/v1/customers/c-1", headers={**token_for(CLERK), "X-Request-ID": "bad id <script>"}
    )
    ids = {first.headers["X-Request-ID"], second.headers["X-Request-ID"]}
    assert len(ids) == 2 and "bad id <script>" not in ids
    assert [call.request_id for call in rpc.calls] == [
        first.headers["X-Request-ID"],
        second.headers["X-Request-ID"],
    ]


def test_request_id_is_in_the_log_context(client, rpc, token_for):
    from servicekit.logging import request_id_var

    seen = []
    rpc.answers[("customer", "get_customer")] = lambda *_: seen.append(request_id_var.get()) or {}
    client.get("/api/v1/customers/c-1", headers={**token_for(CLERK), "X-Request-ID": "abc123"})
    assert seen == ["abc123"]


def test_chinese_text_round_trips_unescaped(client, token_for):
    response = client.get("/api/v1/customers/c-1", headers=token_for(CLERK))
    assert "华东机电有限公司" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/customers//risk", "/api/v1/complaints//plans"])
def test_an_empty_id_is_a_json_404_not_a_redirect(client, token_for, path):
    response = client.get(path, headers=token_for("admin"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
