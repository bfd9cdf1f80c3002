"""Idempotency-Key on every POST (CONTRACT "Retries"): replay, reuse, expiry, races."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text, update

from gateway.idempotency import idempotency_keys
from servicekit.domain import utcnow
from servicekit.errors import ServiceUnavailable
from servicekit.testing import wait_for

CARD = {"name": "华东机电有限公司", "nature": "distributor", "region": "华东"}
CUSTOMERS = "/api/v1/customers"


def creates(rpc) -> list:
    return [call for call in rpc.calls if call.method == "create_customer"]


def keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


def age_every_key(app, by: timedelta) -> None:
    engine = create_engine(app.config["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(update(idempotency_keys).values(created_at=utcnow() - by))
    engine.dispose()


def test_same_key_and_body_replays_the_answer_without_calling_again(client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "create-1")
    first = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # The same JSON written another way is the same request.
    again = client.post(
        CUSTOMERS,
        data='{ "region": "华东", "nature": "distributor", "name": "华东机电有限公司" }',
        content_type="application/json",
        headers=clerk,
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(creates(rpc)) == 1


def test_the_service_gets_a_digest_not_the_clients_key(client, rpc, token_for):
    client.post(CUSTOMERS, json=CARD, headers=keyed(token_for("sales_clerk"), "k-1"))
    sent = creates(rpc)[0].idempotency_key
    assert sent and len(sent) == 64 and "k-1" not in sent
    assert "idempotency_key" not in creates(rpc)[0].kwargs  # context, not an argument
    client.post(CUSTOMERS, json=CARD, headers=token_for("sales_clerk"))
    assert creates(rpc)[1].idempotency_key is None


def test_same_key_with_another_body_is_422_and_changes_nothing(client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "k-1")
    assert client.post(CUSTOMERS, json=CARD, headers=clerk).status_code == 201
    other = client.post(CUSTOMERS, json={**CARD, "region": "华南"}, headers=clerk)
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.get_json()["error"]["details"]
    elsewhere = client.post(f"{CUSTOMERS}/c-1/submit", headers=clerk)
    assert elsewhere.get_json()["error"]["code"] == "idempotency_key_reused"  # path counts
    assert len(rpc.calls) == 1


@pytest.mark.parametrize("key", ["", "with space", "k" * 256, "键", "tab\there"])
def test_a_bad_key_is_422_in_the_error_shape(client, rpc, token_for, key):
    response = client.post(CUSTOMERS, json=CARD, headers=keyed(token_for("sales_clerk"), key))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in error["details"]
    assert rpc.calls == []


def test_a_key_of_255_visible_characters_is_fine(client, token_for):
    key = "".join(chr(33 + i % 94) for i in range(255))
    response = client.post(CUSTOMERS, json=CARD, headers=keyed(token_for("sales_clerk"), key))
    assert response.status_code == 201


def test_a_503_is_not_kept_and_the_retry_runs_with_the_same_service_key(client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "retry-me")
    rpc.answers[("customer", "create_customer")] = ServiceUnavailable("customer is down")
    down = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert down.status_code == 503
    del rpc.answers[("customer", "create_customer")]
    retried = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    first, second = creates(rpc)
    # The service recognises the retry as the same command (servicekit.commands).
    assert first.idempotency_key == second.idempotency_key
    replayed = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert len(creates(rpc)) == 2


def test_an_unexpected_500_releases_the_key_too(client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "k-500")
    rpc.answers[("customer", "create_customer")] = RuntimeError("bug")
    assert client.post(CUSTOMERS, json=CARD, headers=clerk).status_code == 500
    del rpc.answers[("customer", "create_customer")]
    assert client.post(CUSTOMERS, json=CARD, headers=clerk).status_code == 201


def test_a_refusal_is_final_and_replayed(client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "k-422")
    invalid = client.post(CUSTOMERS, json={"name": "x"}, headers=clerk)
    assert invalid.status_code == 422
    again = client.post(CUSTOMERS, json={"name": "x"}, headers=clerk)
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == invalid.get_json()


def test_after_the_retention_the_key_is_new_again(make_app, rpc, token_for):
    app = make_app(IDEMPOTENCY_RETENTION_HOURS=24)
    client = app.test_client()
    clerk = keyed(token_for("sales_clerk"), "old-key")
    assert client.post(CUSTOMERS, json=CARD, headers=clerk).status_code == 201
    age_every_key(app, timedelta(hours=23, minutes=59))
    replay = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    age_every_key(app, timedelta(hours=24, seconds=1))
    other_body = client.post(CUSTOMERS, json={**CARD, "region": "华南"}, headers=clerk)
    assert other_body.status_code == 201 and "Idempotent-Replayed" not in other_body.headers
    assert len(creates(rpc)) == 2


def test_expired_keys_are_pruned(app, client, token_for):
    client.post(CUSTOMERS, json=CARD, headers=keyed(token_for("sales_clerk"), "k-1"))
    store = app.extensions["idempotency"]
    assert store.prune() == 0
    age_every_key(app, timedelta(hours=25))
    assert store.prune() == 1


def test_two_callers_with_one_key_are_independent(client, rpc, token_for):
    rpc.answers[("customer", "create_customer")] = lambda card, actor: {
        **rpc._default(),
        "name": card["name"],
        "owner": actor["username"],
    }
    one = keyed(token_for("sales_clerk", username="one"), "shared")
    two = keyed(token_for("sales_clerk", username="two"), "shared")
    first = client.post(CUSTOMERS, json=CARD, headers=one)
    second = client.post(CUSTOMERS, json={**CARD, "name": "华南贸易"}, headers=two)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert client.post(CUSTOMERS, json=CARD, headers=one).get_json()["owner"] == "one"
    replay_two = client.post(CUSTOMERS, json={**CARD, "name": "华南贸易"}, headers=two)
    assert replay_two.get_json()["name"] == "华南贸易"
    assert len(creates(rpc)) == 2
    assert creates(rpc)[0].idempotency_key != creates(rpc)[1].idempotency_key


def test_concurrent_requests_with_one_key_run_once(make_app, rpc, token_for, db_url):
    """Two workers (two apps on one database); the second request arrives while the
    first is still waiting for the service."""
    first_app, second_app = make_app(DATABASE_URL=db_url), make_app(DATABASE_URL=db_url)
    release = threading.Event()

    def slow_create(card, actor):
        assert release.wait(10)
        return rpc._default()

    rpc.answers[("customer", "create_customer")] = slow_create
    clerk = keyed(token_for("sales_clerk"), "racing")
    # token_for made the user in tmp_path's database; these apps use db_url.
    first_app.extensions["gateway"].store.add_user("sales_clerk", "x", ["sales_clerk"], None, None)
    answers = {}
    first = threading.Thread(
        target=lambda: answers.setdefault(
            "first", first_app.test_client().post(CUSTOMERS, json=CARD, headers=clerk)
        )
    )
    first.start()
    wait_for(lambda: creates(rpc))
    loser = second_app.test_client().post(CUSTOMERS, json=CARD, headers=clerk)
    assert loser.status_code == 409
    assert loser.get_json()["error"]["code"] == "idempotency_key_in_progress"
    assert loser.headers["Retry-After"] == "1"
    release.set()
    first.join(10)
    assert answers["first"].status_code == 201
    replay = second_app.test_client().post(CUSTOMERS, json=CARD, headers=clerk)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert len(creates(rpc)) == 1


def test_a_reservation_left_by_a_dead_worker_is_taken_over(app, client, rpc, token_for):
    clerk = keyed(token_for("sales_clerk"), "orphan")
    store = app.extensions["idempotency"]
    store.reserve("user:" + app.extensions["gateway"].store.find_user("sales_clerk").id,
                  "orphan", "not-this-request")  # fmt: skip
    busy = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert busy.status_code == 422  # held for another request
    age_every_key(app, store.abandoned_after + timedelta(seconds=1))
    taken = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert taken.status_code == 201
    assert len(creates(rpc)) == 1


def test_login_checks_the_key_but_keeps_no_token(client, app):
    body = {"username": "admin", "password": "admin-test-password"}
    first = client.post("/auth/token", json=body, headers={"Idempotency-Key": "login-1"})
    second = client.post("/auth/token", json=body, headers={"Idempotency-Key": "login-1"})
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replayed" not in second.headers
    assert first.get_json()["access_token"] != second.get_json()["access_token"]
    bad = client.post("/auth/token", json=body, headers={"Idempotency-Key": "a b"})
    assert bad.status_code == 422
    with create_engine(app.config["DATABASE_URL"]).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one() == 0


def test_a_new_api_key_is_never_stored_and_a_replay_omits_it(app, client, admin_headers):
    headers = keyed(admin_headers, "new-scanner")
    body = {"name": "scanner-07", "roles": ["warehouse"]}
    created = client.post("/api-keys", json=body, headers=headers)
    assert created.status_code == 201
    key = created.get_json()["key"]
    replay = client.post("/api-keys", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert "key" not in replay.get_json()
    assert replay.get_json()["id"] == created.get_json()["id"]
    with create_engine(app.config["DATABASE_URL"]).connect() as conn:
        stored = conn.execute(text("SELECT body FROM idempotency_keys")).scalars().all()
    assert stored and not any(key.encode() in bytes(body) for body in stored)
    assert client.get("/api-keys", headers=admin_headers).get_json()["total"] == 1


def test_every_post_documents_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    posts = [(path, ops["post"]) for path, ops in spec["paths"].items() if "post" in ops]
    assert len(posts) > 10
    for path, operation in posts:
        names = [p.get("name") for p in operation.get("parameters", [])]
        assert names.count("Idempotency-Key") == 1, path
    created = spec["paths"]["/api/v1/customers"]["post"]["responses"]["201"]
    assert "Idempotent-Replayed" in created["headers"]
    token = spec["paths"]["/auth/token"]["post"]["responses"]["200"]
    assert "Idempotent-Replayed" not in token.get("headers", {})  # nothing kept there


def test_a_kept_answer_holds_no_personal_data_in_clear(app, client, token_for):
    # rule C11: the answer to a card's creation carries its contacts; kept for replays,
    # it is sealed, so the gateway's database file has no phone or email in clear.
    clerk = keyed(token_for("sales_clerk"), "create-contacts")
    first = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert first.status_code == 201
    phone, email = "13800000000", "wang@example.cn"  # the fake service's canned contact
    assert phone in first.get_data(as_text=True)
    engine = create_engine(app.config["DATABASE_URL"])
    with engine.connect() as conn:
        (stored,) = conn.execute(text("SELECT body FROM idempotency_keys")).scalars()
    engine.dispose()
    assert phone.encode() not in stored and email.encode() not in stored
    database_file = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    for path in (database_file, database_file + "-wal"):  # WAL mode: new pages are here
        if os.path.exists(path):
            with open(path, "rb") as raw:
                assert phone.encode() not in raw.read(), path
    replay = client.post(CUSTOMERS, json=CARD, headers=clerk)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
