"""Access tokens: issue, expiry, tampering, algorithms; failed-login limits."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.auth import tokens

ADMIN_PASSWORD = "admin-test-password"


def login(client, username="admin", password=ADMIN_PASSWORD):
    return client.post("/auth/token", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def secret_of(app) -> str:
    return app.extensions["gateway"].jwt_secret


def test_token_is_issued_and_opens_the_api(client, rpc):
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60 * 60
    answered = client.get("/api/v1/customers/c-1", headers=bearer(body["access_token"]))
    assert answered.status_code == 200
    assert rpc.last.method == "get_customer"


def test_token_carries_username_roles_and_department(app, client):
    client.post(
        "/users",
        json={
            "username": "wang.li",
            "password": "long-enough-1",
            "roles": ["cs_agent"],
            "department": "客户服务部",
        },
        headers=bearer(login(client).get_json()["access_token"]),
    )
    token = login(client, "wang.li", "long-enough-1").get_json()["access_token"]
    claims = jwt.decode(token, secret_of(app), algorithms=["HS256"])
    assert claims["sub"] == "wang.li"
    assert claims["roles"] == ["cs_agent"]
    assert claims["dept"] == "客户服务部"
    assert claims["exp"] - claims["iat"] == 3600


def test_token_lifetime_is_a_setting(make_app):
    client = make_app(ACCESS_TOKEN_MINUTES=5).test_client()
    assert login(client).get_json()["expires_in"] == 300


def test_expired_token_is_refused(app, client):
    an_hour_ago = datetime.now(UTC) - timedelta(hours=2)
    token, _ = tokens.issue(secret_of(app), "admin", ["admin"], None, 60, now=an_hour_ago)
    response = client.get("/api/v1/customers/c-1", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_tampered_token_is_refused(client):
    token = login(client).get_json()["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin", "finance"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = client.get("/api/v1/customers/c-1", headers=bearer(f"{header}.{forged}.{signature}"))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_token_signed_with_another_secret_is_refused(client):
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + timedelta(minutes=5)},
        "not-the-gateway-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    assert client.get("/api/v1/customers/c-1", headers=bearer(token)).status_code == 401


def _unsigned(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_alg_none_is_refused(client):
    now = int(time.time())
    token = _unsigned({"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + 300})
    response = client.get("/api/v1/customers/c-1", headers=bearer(token))
    assert response.status_code == 401


def test_other_hmac_algorithms_are_refused_even_with_the_right_secret(app, client):
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + timedelta(minutes=5)},
        secret_of(app),
        algorithm="HS512",
    )
    assert client.get("/api/v1/customers/c-1", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("missing", ["exp", "sub", "iat"])
def test_token_without_a_required_claim_is_refused(app, client, missing):
    now = datetime.now(UTC)
    claims = {"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + timedelta(minutes=5)}
    del claims[missing]
    token = jwt.encode(claims, secret_of(app), algorithm="HS256")
    assert client.get("/api/v1/customers/c-1", headers=bearer(token)).status_code == 401


def test_token_with_an_unknown_role_is_refused(app, client):
    now = datetime.now(UTC)
    token = jwt.encode(
        {"sub": "x", "roles": ["superuser"], "iat": now, "exp": now + timedelta(minutes=5)},
        secret_of(app),
        algorithm="HS256",
    )
    assert client.get("/api/v1/customers/c-1", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic YWRtaW46eA==", "Token abc", "Bearer not.a.jwt"]
)
def test_missing_or_malformed_authorization_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/customers/c-1", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_wrong_password_and_unknown_user_get_the_same_401(client):
    wrong = login(client, "admin", "wrong-password")
    unknown = login(client, "nobody-here", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"


def test_token_request_needs_username_and_password(client):
    response = client.post("/auth/token", json={"username": "admin"})
    assert response.status_code == 422
    assert "password" in response.get_json()["error"]["details"]


def test_too_many_failures_lock_the_username_even_for_the_right_password(make_app):
    client = make_app(LOGIN_MAX_FAILURES=3).test_client()
    for _ in range(3):
        assert login(client, "admin", "wrong-password").status_code == 401
    locked = login(client)
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "too_many_login_failures"
    assert locked.headers["Retry-After"] == "300"


def test_failures_of_one_username_do_not_lock_another(make_app):
    client = make_app(LOGIN_MAX_FAILURES=2).test_client()
    for _ in range(2):
        login(client, "mallory", "guess")
    assert login(client, "mallory", "guess").status_code == 429
    assert login(client).status_code == 200


def test_failures_are_counted_in_the_database_across_workers(make_app):
    """Two apps on one database stand for two gunicorn workers."""
    first = make_app(LOGIN_MAX_FAILURES=4).test_client()
    second = make_app(LOGIN_MAX_FAILURES=4).test_client()
    for client in (first, second, first, second):
        assert login(client, "admin", "wrong-password").status_code == 401
    assert login(first).status_code == 429
    assert login(second).status_code == 429


def test_failures_older_than_the_window_no_longer_count(make_app):
    client = make_app(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_SECONDS=1).test_client()
    for _ in range(2):
        login(client, "admin", "wrong-password")
    assert login(client).status_code == 429
    time.sleep(1.2)
    assert login(client).status_code == 200


def test_a_successful_login_clears_the_count(make_app):
    client = make_app(LOGIN_MAX_FAILURES=3).test_client()
    for _ in range(2):
        login(client, "admin", "wrong-password")
    assert login(client).status_code == 200
    for _ in range(2):
        login(client, "admin", "wrong-password")
    assert login(client).status_code == 200
