"""Crashes and outages: a killed instance, a service that is down, a broker restart.

Nothing is lost, nothing counts twice, a caller never hangs.
"""

import sqlite3
import subprocess
import time
import uuid

import requests

from servicekit.testing import wait_for

CARD = {"name": "故障测试客户", "nature": "agent", "region": "华北"}


def outbox_unsent(suite) -> int:
    with sqlite3.connect(suite.data_dir / "customer.db") as conn:
        return conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]


def test_killing_one_instance_leaves_the_service_answering(fault_suite, manager):
    fault_suite.kill_process("customer.1")
    try:
        statuses = [manager.post("/customers", json=CARD).status_code for _ in range(20)]
        assert statuses == [201] * 20
    finally:
        fault_suite.start_process("customer.1")
        fault_suite.wait_ready()


def test_a_service_that_is_down_answers_503_quickly_and_changes_nothing(fault_suite, manager):
    name = f"停机期间-{uuid.uuid4().hex[:6]}"
    fault_suite.kill_process("customer")
    fault_suite.kill_process("customer.1")
    try:
        began = time.monotonic()
        response = manager.post("/customers", json={**CARD, "name": name})
        elapsed = time.monotonic() - began
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "service_unavailable"
        assert elapsed < 2 + 2.0  # RPC_TIMEOUT=2, never a hang
        ready = requests.get(fault_suite.url + "/health/ready", timeout=10)
        assert ready.status_code == 503 and "customer" in ready.text
        time.sleep(2.5)  # past the request's expiry
    finally:
        fault_suite.start_process("customer")
        fault_suite.start_process("customer.1")
        fault_suite.wait_ready()
    # The request the caller was told failed is not carried out when the service returns.
    time.sleep(1.0)
    found = manager.get("/customers", params={"q": name}).json()
    assert found["total"] == 0


def test_broker_restart_loses_no_event(fault_suite, manager):
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
    try:
        down = manager.post("/customers", json=CARD)
        assert down.status_code == 503
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
        subprocess.run(
            ["rabbitmqctl", "await_startup"], check=True, capture_output=True, timeout=120
        )
    fault_suite.wait_ready(timeout=90)

    def created():
        response = manager.post("/customers", json=CARD)
        assert response.status_code in (201, 503), response.text  # never a 500
        return response.json() if response.status_code == 201 else None

    customer = wait_for(created, timeout=60, interval=1.0)
    approved = manager.post(f"/customers/{customer['id']}/approve")
    assert approved.status_code == 200
    # The approval's event went out through the reconnected relay.
    wait_for(lambda: outbox_unsent(fault_suite) == 0, timeout=30)
