"""People can be cut off (CONTRACT "Identity"): disabling, role changes and password
changes take effect at the next request; failed logins are throttled per username and
client address and per address, and never lock the owner out from another address."""

from __future__ import annotations

import pytest

ADMIN_PASSWORD = "admin-test-password"
CARD = {"name": "华东机电有限公司", "nature": "distributor"}


def login(client, username="admin", password=ADMIN_PASSWORD, address="127.0.0.1", **headers):
    return client.post(
        "/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def bearer(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def clerk(client, admin_headers) -> dict:
    """A sales clerk (wang.li, password long-enough-1) and its user record."""
    created = client.post(
        "/users",
        json={
            "username": "wang.li",
            "password": "long-enough-1",
            "roles": ["sales_clerk"],
            "department": "销售部",
        },
        headers=admin_headers,
    )
    assert created.status_code == 201
    return created.get_json()


def patch_user(client, admin_headers, user_id, **changes):
    return client.patch(f"/users/{user_id}", json=changes, headers=admin_headers)


# --- disabling, roles, department ---------------------------------------------
def test_a_disabled_users_token_is_refused_from_the_next_request(client, admin_headers, clerk):
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    assert client.post("/api/v1/customers", json=CARD, headers=headers).status_code == 201
    disabled = patch_user(client, admin_headers, clerk["id"], disabled=True)
    assert disabled.status_code == 200 and disabled.get_json()["disabled"] is True
    refused = client.get("/api/v1/customers/c-1", headers=headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "account_disabled"
    again = login(client, "wang.li", "long-enough-1")
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_credentials"  # same as a wrong password


def test_enabling_again_needs_a_new_login(client, admin_headers, clerk):
    old = bearer(login(client, "wang.li", "long-enough-1"))
    patch_user(client, admin_headers, clerk["id"], disabled=True)
    enabled = patch_user(client, admin_headers, clerk["id"], disabled=False)
    assert enabled.get_json()["disabled"] is False
    stale = client.get("/api/v1/customers/c-1", headers=old)
    assert stale.status_code == 401
    assert stale.get_json()["error"]["code"] == "token_revoked"
    fresh = bearer(login(client, "wang.li", "long-enough-1"))
    assert client.get("/api/v1/customers/c-1", headers=fresh).status_code == 200


def test_a_role_change_applies_from_the_next_request(client, admin_headers, clerk, rpc):
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    assert client.post("/api/v1/customers/c-1/approve", headers=headers).status_code == 403
    changed = patch_user(client, admin_headers, clerk["id"], roles=["sales_manager"])
    assert changed.get_json()["roles"] == ["sales_manager"]
    assert client.post("/api/v1/customers/c-1/approve", headers=headers).status_code == 200
    assert rpc.last.args[-1]["roles"] == ["sales_manager"]  # the actor services see
    patch_user(client, admin_headers, clerk["id"], roles=[])
    taken = client.post("/api/v1/customers/c-1/approve", headers=headers)
    assert taken.status_code == 403


def test_a_department_change_reaches_the_services(client, admin_headers, clerk, rpc):
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    patch_user(client, admin_headers, clerk["id"], department="市场部")
    client.post("/api/v1/customers", json=CARD, headers=headers)
    assert rpc.last.args[-1]["department"] == "市场部"
    unchanged = patch_user(client, admin_headers, clerk["id"], disabled=False)
    assert unchanged.get_json()["department"] == "市场部"  # fields not given stay
    assert unchanged.get_json()["roles"] == ["sales_clerk"]


def test_the_user_list_shows_who_is_disabled(client, admin_headers, clerk):
    patch_user(client, admin_headers, clerk["id"], disabled=True)
    users = client.get("/users?per_page=10", headers=admin_headers).get_json()["items"]
    assert {u["username"]: u["disabled"] for u in users} == {"admin": False, "wang.li": True}


def test_patch_refuses_unknown_users_and_roles(client, admin_headers, clerk):
    missing = patch_user(client, admin_headers, "no-such-id", disabled=True)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "user_not_found"
    boss = patch_user(client, admin_headers, clerk["id"], roles=["boss"])
    assert boss.status_code == 422 and "roles" in boss.get_json()["error"]["details"]
    typo = patch_user(client, admin_headers, clerk["id"], disabled="maybe")
    assert typo.status_code == 422


def test_the_last_enabled_admin_cannot_be_cut_off(client, admin_headers, token_for):
    admin_id = next(
        u["id"] for u in client.get("/users", headers=admin_headers).get_json()["items"]
    )
    for change in ({"disabled": True}, {"roles": ["gm"]}):
        refused = patch_user(client, admin_headers, admin_id, **change)
        assert refused.status_code == 409
        assert refused.get_json()["error"]["code"] == "last_admin"
    second = client.post(
        "/users",
        json={"username": "root2", "password": "long-enough-2", "roles": ["admin"]},
        headers=admin_headers,
    )
    assert second.status_code == 201
    assert patch_user(client, admin_headers, admin_id, roles=["gm"]).status_code == 200
    assert client.get("/users", headers=admin_headers).status_code == 403  # from now on


# --- own password -------------------------------------------------------------
def change_password(client, headers, current, new, address="127.0.0.1"):
    return client.post(
        "/users/me/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_user_changes_their_password_and_old_tokens_stop(client, clerk):
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    changed = change_password(client, headers, "long-enough-1", "even-longer-2")
    assert changed.status_code == 200
    assert changed.get_json()["username"] == "wang.li"
    revoked = client.get("/api/v1/customers/c-1", headers=headers)
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "token_revoked"
    assert login(client, "wang.li", "long-enough-1").status_code == 401
    assert login(client, "wang.li", "even-longer-2").status_code == 200


def test_a_wrong_current_password_is_422_on_the_field(client, clerk):
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    wrong = change_password(client, headers, "not-my-password", "even-longer-2")
    assert wrong.status_code == 422
    error = wrong.get_json()["error"]
    assert error["code"] == "wrong_current_password"
    assert "current_password" in error["details"]
    short = change_password(client, headers, "long-enough-1", "short")
    assert short.status_code == 422 and "new_password" in short.get_json()["error"]["details"]
    assert login(client, "wang.li", "long-enough-1").status_code == 200  # unchanged


def test_wrong_current_passwords_are_throttled_like_logins(make_app, clerk):
    client = make_app(LOGIN_MAX_FAILURES=2).test_client()
    headers = bearer(login(client, "wang.li", "long-enough-1"))
    for _ in range(2):
        assert change_password(client, headers, "guess", "even-longer-2").status_code == 422
    throttled = change_password(client, headers, "long-enough-1", "even-longer-2")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_an_api_key_has_no_password_to_change(client, admin_headers):
    key = client.post(
        "/api-keys", json={"name": "scanner", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()["key"]
    response = change_password(client, {"Authorization": f"Bearer {key}"}, "x", "long-enough-1")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_a_user"


# --- login throttling -----------------------------------------------------------
def test_one_address_spraying_many_usernames_gets_429(make_app):
    client = make_app(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_PER_ADDRESS=4).test_client()
    for name in ("alice", "bob", "carol", "dave"):
        assert login(client, name, "Winter2026!", address="203.0.113.7").status_code == 401
    sprayed = login(client, "erin", "Winter2026!", address="203.0.113.7")
    assert sprayed.status_code == 429
    assert sprayed.get_json()["error"]["code"] == "too_many_login_failures"
    assert 0 < int(sprayed.headers["Retry-After"]) <= 300
    # The address is throttled whatever it tries; the owner elsewhere is not.
    assert login(client, address="203.0.113.7").status_code == 429
    assert login(client, address="198.51.100.20").status_code == 200


def test_a_burst_against_one_user_does_not_lock_the_owner_out_elsewhere(make_app):
    client = make_app(LOGIN_MAX_FAILURES=3).test_client()
    for _ in range(3):
        assert login(client, "admin", "guess", address="203.0.113.7").status_code == 401
    locked = login(client, address="203.0.113.7")
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert login(client, address="198.51.100.20").status_code == 200
    # The owner's success elsewhere does not reset the attacker's count.
    assert login(client, "admin", "guess", address="203.0.113.7").status_code == 429


def test_the_trusted_proxy_count_decides_the_client_address(make_app):
    behind_proxy = make_app(LOGIN_MAX_FAILURES=2, TRUSTED_PROXIES=1).test_client()
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    owner = {"X-Forwarded-For": "198.51.100.20"}
    for _ in range(2):
        login(behind_proxy, "admin", "guess", address="10.0.0.2", **attacker)
    assert login(behind_proxy, address="10.0.0.2", **attacker).status_code == 429
    assert login(behind_proxy, address="10.0.0.2", **owner).status_code == 200


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(make_app):
    client = make_app(LOGIN_MAX_FAILURES=2, TRUSTED_PROXIES=0).test_client()
    for forged in ("192.0.2.1", "192.0.2.2"):
        login(client, "admin", "guess", address="203.0.113.7", **{"X-Forwarded-For": forged})
    forged_again = login(client, address="203.0.113.7", **{"X-Forwarded-For": "192.0.2.3"})
    assert forged_again.status_code == 429


def test_address_counts_are_shared_by_every_worker(make_app, db_url):
    """Two apps on one database stand for two gunicorn workers (SQLite and PostgreSQL)."""
    first = make_app(DATABASE_URL=db_url, LOGIN_MAX_FAILURES_PER_ADDRESS=4).test_client()
    second = make_app(DATABASE_URL=db_url, LOGIN_MAX_FAILURES_PER_ADDRESS=4).test_client()
    for client, name in ((first, "a"), (second, "b"), (first, "c"), (second, "d")):
        assert login(client, name, "guess", address="203.0.113.7").status_code == 401
    assert login(first, "e", "guess", address="203.0.113.7").status_code == 429
    assert login(second, "f", "guess", address="203.0.113.7").status_code == 429
    assert login(second, address="198.51.100.20").status_code == 200
