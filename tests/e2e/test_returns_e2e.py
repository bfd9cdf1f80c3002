"""Warehouse returns through the gateway over real HTTP, with every service a process:
authorizations from accepted plans (also when the event comes twice) and from sales
return requests, scanner receipts (also 20 copies of one scan at once), sign-off,
inspection, stock movements, scrap and history (rule R1 to rule R6)."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from nameko.standalone.events import event_dispatcher

from servicekit.testing import wait_for

LINES = [
    {"sku": "P-100", "quantity": 10, "unit_price": "450.00", "description": "电机外壳"},
    {"sku": "SEAL-02", "quantity": 5, "unit_price": "3.50"},
]


def authorized_return(as_role, lines=LINES, customer_id: str | None = None) -> dict:
    """A return authorization from an approved sales return request (seed 002)."""
    filed = as_role("sales_clerk").post(
        "/returns/requests",
        json={
            "customer_id": customer_id or uuid.uuid4().hex,
            "class": "no_reason",
            "basis": "框架协议第 7 条：30 天内无理由退货",
            "lines": lines,
        },
    )
    assert filed.status_code == 201, filed.text
    decided = as_role("market_manager").post(
        f"/returns/requests/{filed.json()['id']}/decision", json={"decision": "approve"}
    )
    assert decided.status_code == 200, decided.text
    return as_role("warehouse").get(f"/returns/{decided.json()['return_id']}").json()


def scan(scan_id: str, *lines: tuple[str, int]) -> dict:
    return {
        "scan_id": scan_id,
        "scanner_id": "GUN7",
        "lines": [{"sku": sku, "quantity": q, "lot": "L2611"} for sku, q in lines],
    }


def test_a_sales_return_request_is_decided_by_the_market_manager(as_role):
    clerk, market = as_role("sales_clerk"), as_role("market_manager")
    body = {"customer_id": "c-42", "class": "short_not_replenished", "basis": "送货短少"}
    refused = clerk.post("/returns/requests", json={**body, "class": "whatever", "lines": LINES})
    assert refused.status_code == 422
    filed = clerk.post("/returns/requests", json={**body, "lines": LINES})
    assert filed.status_code == 201 and filed.json()["status"] == "pending", filed.text
    request_id = filed.json()["id"]
    assert clerk.post(f"/returns/requests/{request_id}/decision", json={}).status_code == 403
    no_reason = market.post(f"/returns/requests/{request_id}/decision", json={"decision": "reject"})
    assert no_reason.status_code == 422  # a rejection owes the clerk its reason
    rejected = market.post(
        f"/returns/requests/{request_id}/decision", json={"decision": "reject", "comment": "已补货"}
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["return_id"] is None
    again = market.post(f"/returns/requests/{request_id}/decision", json={"decision": "approve"})
    assert again.status_code == 409
    history = clerk.get(f"/returns/requests/{request_id}").json()["history"]
    assert [h["action"] for h in history] == ["filed", "rejected"]

    approved = authorized_return(as_role, customer_id="c-43")  # rule R1: no complaint
    assert approved["complaint_id"] is None and approved["number"].startswith("RA-")
    assert approved["owner"] == clerk.username  # differences go to the filing clerk


def test_twenty_copies_of_one_scan_at_once_count_once(as_role):
    # rule R2: the database's unique (return, scan_id), not a check-then-insert
    ra = authorized_return(as_role)
    warehouse = as_role("warehouse")
    start = threading.Barrier(20)

    def post(_):
        start.wait()
        return warehouse.post(f"/returns/{ra['id']}/receipts", json=scan("S-1", ("P-100", 3)))

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 19 + [201], [a.text for a in answers if a.status_code >= 300]
    assert len({a.json()["received_at"] for a in answers}) == 1  # one receipt answered
    after = warehouse.get(f"/returns/{ra['id']}").json()
    assert [(li["sku"], li["received_quantity"]) for li in after["lines"]] == [
        ("P-100", 3),
        ("SEAL-02", 0),
    ]
    assert len(after["receipts"]) == 1 and after["status"] == "receiving"


def test_receiving_signing_off_and_inspecting_a_return(as_role, admin, suite_tools, suite):
    ra = authorized_return(as_role)
    url = f"/returns/{ra['id']}"
    warehouse, quality, clerk = as_role("warehouse"), as_role("quality"), as_role("sales_clerk")
    name = f"gun-{uuid.uuid4().hex[:6]}"
    key = admin.post("/api-keys", json={"name": name, "roles": ["warehouse"]})
    assert key.status_code == 201, key.text
    scanner = suite_tools.Api(suite.url, key.json()["key"])

    assert clerk.post(f"{url}/receipts", json=scan("A", ("P-100", 1))).status_code == 403
    unknown = scanner.post(f"{url}/receipts", json=scan("A", ("NOPE-1", 1)))
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "sku_not_authorized"
    # partial receipts over several scans, one of them over the authorization (rule R2)
    for scan_id, lines in (("A", [("P-100", 6)]), ("B", [("P-100", 5), ("SEAL-02", 4)])):
        posted = scanner.post(f"{url}/receipts", json=scan(scan_id, *lines))
        assert posted.status_code == 201, posted.text
    assert scanner.post(f"{url}/receipts", json=scan("A", ("P-100", 6))).status_code == 200
    assert quality.post(f"{url}/inspection", json={"witness": "x", "lines": []}).status_code == 422

    signed = scanner.post(f"{url}/sign-off")
    assert signed.status_code == 200 and signed.json()["status"] == "received", signed.text
    differences = {d["sku"]: d for d in signed.json()["differences"]}
    assert differences["P-100"]["difference"] == 1 and differences["SEAL-02"]["difference"] == -1
    assert {d["charged_to"] for d in differences.values()} == {clerk.username}
    late = scanner.post(f"{url}/receipts", json=scan("C", ("P-100", 1)))
    assert late.status_code == 409 and late.json()["error"]["code"] == "return_signed_off"

    split = {"witness": clerk.username, "lines": [
        {"sku": "P-100", "good": 9, "rework": 1, "scrap": 1},
        {"sku": "SEAL-02", "good": 4, "rework": 0, "scrap": 0},
    ]}  # fmt: skip
    assert scanner.post(f"{url}/inspection", json=split).status_code == 403
    short = {**split, "lines": [{**split["lines"][0], "good": 8}, split["lines"][1]]}
    mismatch = quality.post(f"{url}/inspection", json=short)
    assert mismatch.status_code == 422 and mismatch.json()["error"]["code"] == "inspection_mismatch"
    inspected = quality.post(f"{url}/inspection", json=split)
    assert inspected.status_code == 200 and inspected.json()["status"] == "inspected"
    assert inspected.json()["witness"] == clerk.username

    moves = warehouse.get("/stock-movements", params={"return_id": ra["id"]}).json()["items"]
    assert sorted((m["sku"], m["kind"], m["quantity"]) for m in moves) == [
        ("P-100", "returned_to_stock", 9),
        ("P-100", "scrapped", -1),
        ("SEAL-02", "returned_to_stock", 4),
    ]
    scrapped = warehouse.get("/scrap", params={"return_id": ra["id"]}).json()["items"]
    assert [(s["sku"], s["spec"], s["quantity"]) for s in scrapped] == [("P-100", "电机外壳", 1)]
    history = warehouse.get(url).json()["history"]  # rule X3
    assert [h["action"] for h in history] == [
        "authorized", "receipt_posted", "receipt_posted", "signed_off", "posted", "inspected"
    ]  # fmt: skip
    assert name in history[1]["who"]  # the scanner's key, by name


def test_a_duplicated_plan_accepted_authorizes_once(suite, as_role):
    # rule R1, rule R5: the event twice (a redelivery, and a copy with another event id)
    dispatch = event_dispatcher({"AMQP_URI": suite.amqp_uri})
    complaint_id, plan_id = uuid.uuid4().hex, uuid.uuid4().hex
    payload = {
        "event_id": uuid.uuid4().hex,
        "complaint_id": complaint_id,
        "number": "TS-2026-999999",
        "customer_id": "c-1",
        "plan_id": plan_id,
        "round": 1,
        "amount": "907.00",
        "approved_by": "cs.boss",
        "accepted_at": "2026-11-27T08:00:00+00:00",
        "actions": [
            {"action_id": "a-1", "type": "return", "amount": "900.00", "lines": [
                {"sku": "P-100", "quantity": 2, "unit_price": "450.00", "amount": "900.00"}]},
            {"action_id": "a-2", "type": "replenishment", "amount": "7.00", "lines": [
                {"sku": "SEAL-02", "quantity": 2, "unit_price": "3.50", "amount": "7.00"}]},
        ],
        "approved_quantities": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
        "responsibility": [],
        "owner": "li.sales",
    }  # fmt: skip
    for event in (payload, payload, {**payload, "event_id": uuid.uuid4().hex}):
        dispatch("complaints", "plan_accepted", event)
    reader = as_role("cs_agent")
    found = wait_for(
        lambda: reader.get("/returns", params={"complaint_id": complaint_id}).json()["items"],
        timeout=20,
    )
    shipments = wait_for(
        lambda: reader.get("/replenishments", params={"complaint_id": complaint_id}).json()[
            "items"
        ],
        timeout=20,
    )
    # The copies are consumed by concurrent workers; give the later ones time to be
    # handled (or refused) before counting again.
    time.sleep(2)
    assert len(reader.get("/returns", params={"complaint_id": complaint_id}).json()["items"]) == 1
    assert (
        len(reader.get("/replenishments", params={"complaint_id": complaint_id}).json()["items"])
        == 1
    )
    (ra,) = found
    assert ra["owner"] == "li.sales" and ra["lines"][0]["authorized_quantity"] == 2
    assert shipments[0]["lines"] == [{"sku": "SEAL-02", "quantity": 2}]
