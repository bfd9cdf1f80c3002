"""A retried command has one effect and one answer (CONTRACT "Retries", issue 7 point 5).

The customer database's write lock is held so that POST /customers outlasts the
gateway's RPC_TIMEOUT and answers 503 (the outcome unknown to the client) while the
service, still waiting for the lock, goes on to create the customer once it is
released. The retry with the same Idempotency-Key must then answer that customer's
201, and exactly one customer exists.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator

import psycopg2

CARD = {
    "nature": "distributor",
    "region": "华东",
    "industry": "机械制造",
    "contacts": [{"name": "王经理", "phone": "13800000000", "role_in_decision": "decision_maker"}],
    "settlement_terms": "net_30",
    "discount": "0.85",
}


@contextlib.contextmanager
def customer_write_lock(suite) -> Iterator[None]:
    """Hold the customer service's database so that no write there can finish."""
    url = suite.env.get("CUSTOMER_DATABASE_URL")
    if url:
        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                # Reads may go on; inserts into customers wait for the lock.
                cur.execute("LOCK TABLE customers IN EXCLUSIVE MODE")
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    conn = sqlite3.connect(suite.data_dir / "customer.db", isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_retry_after_a_503_creates_one_customer_and_answers_it(suite, as_role):
    clerk = as_role("sales_clerk")
    name = f"重试机电有限公司-{uuid.uuid4().hex[:8]}"
    card = {**CARD, "name": name}
    key = {"Idempotency-Key": f"create-{uuid.uuid4().hex}"}

    with customer_write_lock(suite):
        unknown = clerk.post("/customers", json=card, headers=key, timeout=30)
    assert unknown.status_code == 503, unknown.text
    assert unknown.json()["error"]["code"] == "service_unavailable"

    retried = clerk.post("/customers", json=card, headers=key, timeout=30)
    assert retried.status_code == 201, retried.text
    created = retried.json()
    assert created["name"] == name

    listed = clerk.get("/customers", params={"q": name}).json()
    assert listed["total"] == 1, listed
    assert listed["items"][0]["id"] == created["id"]

    replayed = clerk.post("/customers", json=card, headers=key)
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == created
    reused = clerk.post("/customers", json={**card, "region": "华南"}, headers=key)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert clerk.get("/customers", params={"q": name}).json()["total"] == 1
