"""Bad input gets a clear answer, never a 5xx (CONTRACT "HTTP conventions", "Lists"):
request bodies over GATEWAY_MAX_BODY_BYTES -> 413 payload_too_large, lists inside a body
at most 500 items -> 422, page from 1 to 100,000 -> 422 outside."""

import io
import json

import pytest

from gateway import settings
from gateway.auth import tokens
from servicekit.contracts.common import MAX_BODY_ITEMS, MAX_PAGE

CONTACT = {"name": "王经理", "phone": "13800000000"}


def card(contacts: int) -> dict:
    return {"name": "华东机电有限公司", "nature": "distributor", "contacts": [CONTACT] * contacts}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["details"]


def test_body_limit_defaults_to_one_mebibyte_and_is_a_setting():
    assert settings.load({})["MAX_BODY_BYTES"] == 1024 * 1024
    assert settings.load({"GATEWAY_MAX_BODY_BYTES": "2048"})["MAX_BODY_BYTES"] == 2048


def test_a_body_over_the_limit_is_413_in_the_error_shape(client, rpc, token_for):
    body = json.dumps({**card(0), "address": "x" * (1024 * 1024)})
    response = client.post(
        "/api/v1/customers", data=body, content_type="application/json",
        headers=token_for("sales_clerk"),
    )  # fmt: skip
    details = assert_error(response, 413, "payload_too_large")
    assert details == {"max_bytes": 1024 * 1024}
    assert rpc.calls == []


def test_the_limit_is_checked_before_the_token(client):
    response = client.post(
        "/api/v1/customers", data=b"x" * (1024 * 1024 + 1), content_type="application/json"
    )
    assert_error(response, 413, "payload_too_large")


def clerk_of(app) -> dict[str, str]:
    store = app.extensions["gateway"].store
    if store.find_user("clerk") is None:  # tokens count only for users that exist
        store.add_user("clerk", "not-a-hash", ["sales_clerk"], None, created_by=None)
    token, _ = tokens.issue(app.extensions["gateway"].jwt_secret, "clerk", ["sales_clerk"], None, 5)
    return {"Authorization": f"Bearer {token}"}


def test_a_body_at_the_limit_is_read(make_app, rpc):
    app = make_app(MAX_BODY_BYTES=4096)
    body = json.dumps(card(1)).encode()
    body += b" " * (4096 - len(body))
    client, headers = app.test_client(), clerk_of(app)
    response = client.post(
        "/api/v1/customers", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    over = client.post(
        "/api/v1/customers", data=body + b" ", content_type="application/json", headers=headers
    )
    assert_error(over, 413, "payload_too_large")
    assert [call.method for call in rpc.calls] == ["create_customer"]


def post_chunked(app, body: bytes):
    """No Content-Length: the WSGI server de-chunks and terminates the stream."""
    return app.test_client().post(
        "/api/v1/customers",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={**clerk_of(app), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_413_not_cut_short(make_app, rpc):
    app = make_app(MAX_BODY_BYTES=4096)
    response = post_chunked(app, json.dumps({**card(0), "address": "x" * 8000}).encode())
    assert_error(response, 413, "payload_too_large")
    assert rpc.calls == []


def test_a_chunked_body_within_the_limit_is_read_whole(make_app, rpc):
    app = make_app(MAX_BODY_BYTES=4096)
    body = {**card(1), "address": "上海市浦东新区张江路 88 号" * 20}
    response = post_chunked(app, json.dumps(body, ensure_ascii=False).encode())
    assert response.status_code == 201, response.get_data(as_text=True)
    assert rpc.last.args[0]["address"] == body["address"]


def test_a_list_in_a_body_takes_at_most_500_items(client, rpc, token_for):
    clerk = token_for("sales_clerk")
    full = client.post("/api/v1/customers", json=card(MAX_BODY_ITEMS), headers=clerk)
    assert full.status_code == 201, full.get_data(as_text=True)
    response = client.post("/api/v1/customers", json=card(MAX_BODY_ITEMS + 1), headers=clerk)
    details = assert_error(response, 422, "validation_error")
    assert "contacts" in details
    assert len(rpc.calls) == 1


@pytest.mark.parametrize("page", ["0", str(MAX_PAGE + 1), "99999999999999999999", "-1"])
@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/complaints", "/users", "/api-keys"])
def test_page_outside_1_to_100000_is_422(client, rpc, admin_headers, path, page):
    response = client.get(f"{path}?page={page}", headers=admin_headers)
    assert "page" in assert_error(response, 422, "validation_error")
    assert rpc.calls == []


@pytest.mark.parametrize("path", ["/users", "/api-keys"])
def test_the_last_page_allowed_is_an_empty_page(client, admin_headers, path):
    response = client.get(f"{path}?page={MAX_PAGE}&per_page=200", headers=admin_headers)
    assert response.status_code == 200
    assert response.get_json()["items"] == []
    assert response.get_json()["page"] == MAX_PAGE
