"""Users and API keys (CONTRACT "Identity")."""

import hashlib
import sqlite3

NEW_USER = {
    "username": "wang.li",
    "password": "long-enough-1",
    "roles": ["cs_agent"],
    "department": "客户服务部",
}


def db_rows(tmp_path, table: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "gateway.db") as conn:
        return conn.execute(f"SELECT * FROM {table}").fetchall()


def test_admin_creates_a_user_who_can_log_in(client, admin_headers):
    created = client.post("/users", json=NEW_USER, headers=admin_headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["username"] == "wang.li"
    assert body["roles"] == ["cs_agent"]
    assert body["department"] == "客户服务部"
    assert "password" not in body and "password_hash" not in body
    login = client.post("/auth/token", json={"username": "wang.li", "password": "long-enough-1"})
    assert login.status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(client, admin_headers, tmp_path):
    client.post("/users", json=NEW_USER, headers=admin_headers)
    hashes = [row[2] for row in db_rows(tmp_path, "users")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("long-enough-1" in h for h in hashes)


def test_duplicate_username_is_409(client, admin_headers):
    client.post("/users", json=NEW_USER, headers=admin_headers)
    again = client.post("/users", json=NEW_USER, headers=admin_headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "username_taken"


def test_unknown_role_is_422(client, admin_headers):
    response = client.post("/users", json={**NEW_USER, "roles": ["boss"]}, headers=admin_headers)
    assert response.status_code == 422
    assert "roles" in response.get_json()["error"]["details"]


def test_password_shorter_than_8_is_422(client, admin_headers):
    response = client.post(
        "/users", json={**NEW_USER, "password": "1234567"}, headers=admin_headers
    )
    assert response.status_code == 422
    assert "password" in response.get_json()["error"]["details"]
    ok = client.post("/users", json={**NEW_USER, "password": "12345678"}, headers=admin_headers)
    assert ok.status_code == 201


def test_username_may_not_impersonate_an_api_key(client, admin_headers):
    response = client.post(
        "/users", json={**NEW_USER, "username": "api_key:scanner"}, headers=admin_headers
    )
    assert response.status_code == 422


def test_users_are_listed_paged_without_secrets(client, admin_headers):
    for i in range(3):
        client.post("/users", json={**NEW_USER, "username": f"user{i}"}, headers=admin_headers)
    page = client.get("/users?page=2&per_page=2", headers=admin_headers).get_json()
    assert page["total"] == 4 and page["page"] == 2 and page["per_page"] == 2
    assert [u["username"] for u in page["items"]] == ["user1", "user2"]
    assert all(
        set(u) == {"id", "username", "roles", "department", "disabled", "created_at"}
        for u in page["items"]
    )


def test_identity_endpoints_also_answer_under_api_v1(client, admin_headers):
    assert client.get("/api/v1/users", headers=admin_headers).status_code == 200
    login = client.post("/api/v1/auth/token", json={"username": "admin", "password": "x" * 8})
    assert login.status_code == 401


def test_api_key_is_shown_once_and_stored_only_as_sha256(client, admin_headers, tmp_path):
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    )
    assert created.status_code == 201
    body = created.get_json()
    assert {"id", "key", "name", "roles"} <= set(body)
    key = body["key"]
    assert key.startswith("ak_") and len(key) >= 40
    rows = db_rows(tmp_path, "api_keys")
    assert not any(key in str(row) for row in rows)
    assert hashlib.sha256(key.encode()).hexdigest() in str(rows)
    listed = client.get("/api-keys", headers=admin_headers).get_json()
    assert listed["total"] == 1
    assert "key" not in listed["items"][0]
    assert key not in str(listed)


def test_api_key_acts_as_its_roles_and_name(client, admin_headers, rpc):
    key = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/customers/c-1", headers=headers).status_code == 200
    rpc.answers[("customer", "list_change_requests")] = []
    assert client.get("/api/v1/customers/c-1/change-requests", headers=headers).status_code == 200


def test_revoked_api_key_is_refused_at_once(client, admin_headers):
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/customers/c-1", headers=headers).status_code == 200
    revoked = client.delete(f"/api-keys/{created['id']}", headers=admin_headers)
    assert revoked.status_code == 204
    assert revoked.get_data() == b""
    refused = client.get("/api/v1/customers/c-1", headers=headers)
    assert refused.status_code == 401
    listed = client.get("/api-keys", headers=admin_headers).get_json()["items"][0]
    assert listed["revoked_at"] is not None


def test_revoke_is_seen_by_every_worker(make_app, admin_headers, client):
    other_worker = make_app().test_client()
    created = client.post(
        "/api-keys", json={"name": "s", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert other_worker.get("/api/v1/customers/c-1", headers=headers).status_code == 200
    client.delete(f"/api-keys/{created['id']}", headers=admin_headers)
    assert other_worker.get("/api/v1/customers/c-1", headers=headers).status_code == 401


def test_unknown_api_key_is_401_and_unknown_id_404(client, admin_headers):
    headers = {"Authorization": "Bearer ak_" + "x" * 43}
    assert client.get("/api/v1/customers/c-1", headers=headers).status_code == 401
    missing = client.delete("/api-keys/nope", headers=admin_headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "api_key_not_found"


def test_api_keys_cannot_be_admin(client, admin_headers):
    response = client.post(
        "/api-keys", json={"name": "root", "roles": ["admin"]}, headers=admin_headers
    )
    assert response.status_code == 422
    empty = client.post("/api-keys", json={"name": "none", "roles": []}, headers=admin_headers)
    assert empty.status_code == 422


def test_only_admin_revokes(client, admin_headers, token_for):
    created = client.post(
        "/api-keys", json={"name": "s", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()
    assert client.delete(f"/api-keys/{created['id']}", headers=token_for("gm")).status_code == 403
