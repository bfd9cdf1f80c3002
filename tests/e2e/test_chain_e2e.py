"""The whole chain closes in the running suite, with every service its own process and no
event published by hand (issue 10): customer -> complaint -> plan with a return, an
allowance and a replenishment -> approval -> the customer accepts -> authorization -> two
scans -> sign-off -> inspection -> reconciliation -> vouchers -> proofs -> resolved ->
follow-up -> closed; and a return received beyond the over-acceptance ratio held as an
exception until finance resolves it (rule F1)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from gateway_client import active_customer

from servicekit.testing import wait_for


def approved_customer(as_role) -> str:
    return active_customer(as_role, "杭州钱塘机电设备有限公司")[0]


def complaint_to_accepted_plan(as_role, customer_id: str, actions: list, order_no: str) -> str:
    agent, quality, manager = as_role("cs_agent"), as_role("quality"), as_role("cs_manager")
    case = agent.post(
        "/complaints",
        json={
            "customer_id": customer_id,
            "channel": "hotline",
            "order_no": order_no,
            "ship_date": "2026-11-01",
            "description": "电机异响，客户要求退货",
            "request": "return",
            "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}],
        },
    )
    assert case.status_code == 201, case.text
    url = f"/complaints/{case.json()['id']}"
    assert agent.post(f"{url}/accept", json={"promised_days": 7}).status_code == 200
    investigated = quality.post(
        f"{url}/investigation",
        json={
            "findings": "轴承装配不良",
            "cause": "装配工艺",
            "cause_category": "non_sales",
            "responsibility": [
                {"department": "production", "person": "装配一组", "share": "0.60"},
                {"department": "quality", "person": "出厂检验", "share": "0.40"},
            ],
        },
    )
    assert investigated.status_code == 200, investigated.text
    plan = agent.post(f"{url}/plans", json={"actions": actions})
    assert plan.status_code == 201, plan.text
    assert manager.post(f"{url}/plans/{plan.json()['id']}/approve").status_code == 200
    accepted = agent.post(
        f"{url}/plans/{plan.json()['id']}/customer-response", json={"accepted": True}
    )
    assert accepted.json()["status"] == "executing", accepted.text
    return case.json()["id"]


def authorization_of(as_role, complaint_id: str) -> dict:
    warehouse = as_role("warehouse")
    (found,) = wait_for(
        lambda: warehouse.get("/returns", params={"complaint_id": complaint_id}).json()["items"],
        timeout=20,
    )
    return found


def receive(as_role, return_id: str, *scans: tuple[str, int]) -> dict:
    warehouse = as_role("warehouse")
    for n, (sku, quantity) in enumerate(scans):
        posted = warehouse.post(
            f"/returns/{return_id}/receipts",
            json={
                "scan_id": f"{return_id}-{n}",
                "scanner_id": "GUN5",
                "lines": [{"sku": sku, "quantity": quantity, "lot": "L1"}],
            },
        )
        assert posted.status_code == 201, posted.text
    signed = warehouse.post(f"/returns/{return_id}/sign-off")
    assert signed.json()["status"] == "received", signed.text
    return signed.json()


def reconciliation_of(finance, return_id: str, status: str) -> dict:
    def found():
        items = finance.get("/finance/reconciliations", params={"return_id": return_id}).json()
        return [r for r in items["items"] if r["status"] == status]

    (reconciliation,) = wait_for(found, timeout=20)
    return reconciliation


def test_a_complaint_closes_with_no_event_by_hand(as_role):
    finance, agent = as_role("finance"), as_role("cs_agent")
    customer_id = approved_customer(as_role)
    # finance learns of the customer from customer.customer_approved (rule X1)
    ledger = f"/finance/customers/{customer_id}/ledger"
    wait_for(lambda: finance.get(ledger).status_code == 200, timeout=20)
    invoice = finance.post(
        "/finance/invoices",
        json={
            "customer_id": customer_id,
            "number": f"FP-{uuid.uuid4().hex[:8]}",
            "date": "2026-11-01",
            "due_date": "2026-12-01",
            "amount": "5000.00",
        },
    )
    assert invoice.status_code == 201, invoice.text

    actions = [
        {"type": "return", "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}]},
        {"type": "allowance", "amount": "200.00"},
        {
            "type": "replenishment",
            "lines": [{"sku": "SEAL-02", "quantity": 2, "unit_price": "3.50"}],
        },
    ]
    case_id = complaint_to_accepted_plan(as_role, customer_id, actions, "SO-CHAIN-1")
    url = f"/complaints/{case_id}"

    authorization = authorization_of(as_role, case_id)
    return_id = authorization["id"]
    received = receive(as_role, return_id, ("P-100", 3), ("P-100", 1))
    assert received["differences"] == []
    inspected = as_role("quality").post(
        f"/returns/{return_id}/inspection",
        json={
            "witness": "li.sales",
            "lines": [{"sku": "P-100", "good": 3, "rework": 0, "scrap": 1}],
        },
    )
    assert inspected.json()["status"] == "inspected", inspected.text
    warehouse = as_role("warehouse")
    (shipment,) = warehouse.get("/replenishments", params={"complaint_id": case_id}).json()["items"]
    shipped = warehouse.post(
        f"/replenishments/{shipment['id']}/ship",
        json={"carrier": "德邦物流", "tracking_no": "DB0001"},
    )
    assert shipped.json()["status"] == "shipped", shipped.text

    # rule F1: 4 approved, 4 arrived -> matched, a voucher for the actual
    reconciliation = reconciliation_of(finance, return_id, "matched")
    assert [
        (li["sku"], li["approved_quantity"], li["actual_quantity"])
        for li in reconciliation["lines"]
    ] == [("P-100", 4, 4)]
    assert reconciliation["voucher_id"]

    # rule F3: the return credit and the allowance, with readable numbers
    def both_vouchers():
        found = finance.get("/finance/vouchers", params={"complaint_id": case_id}).json()
        return found["items"] if len(found["items"]) == 2 else None

    vouchers = wait_for(both_vouchers, timeout=20)
    by_type = {v["type"]: v for v in vouchers}
    assert by_type["return_credit"]["amount"] == "1800.00"
    assert by_type["allowance"]["amount"] == "200.00"
    assert all(v["status"] == "issued" and v["number"] for v in vouchers)

    # the vouchers finish the return and allowance actions: resolved (rule P8)
    wait_for(lambda: agent.get(url).json()["status"] == "resolved", timeout=20)

    # rule F2: proofs post the vouchers and credit the ledger (应收款冲红)
    for voucher, method in (
        (by_type["return_credit"], "return_certificate"),
        (by_type["allowance"], "allowance_certificate"),
    ):
        posted = finance.post(
            f"/finance/vouchers/{voucher['id']}/proof", json={"method": method, "reference": "TH-1"}
        )
        assert posted.status_code == 200 and posted.json()["status"] == "posted", posted.text
    ledger = finance.get(ledger).json()
    assert Decimal(ledger["balance"]) == Decimal("3000.00")  # 5000 - 1800 - 200
    assert sum(
        Decimal(e["amount"]) for e in ledger["entries"] if e.get("kind") == "invoice"
    ) == Decimal("5000.00")

    closed = agent.post(f"{url}/follow-ups", json={"satisfied": True, "score": 5, "notes": "满意"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    final = agent.get(url).json()
    assert {a["state"] for a in final["actions"] if a["plan_id"] == final["plans"][-1]["id"]} == {
        "done"
    }


def test_a_return_beyond_the_ratio_waits_for_finance(as_role):
    # rule F1: 10 approved, ratio 0.05 -> up to 10.5 passes; 12 is an exception
    finance, agent = as_role("finance"), as_role("cs_agent")
    customer_id = approved_customer(as_role)
    actions = [
        {"type": "return", "lines": [{"sku": "P-200", "quantity": 10, "unit_price": "100.00"}]}
    ]
    case_id = complaint_to_accepted_plan(as_role, customer_id, actions, "SO-CHAIN-2")
    return_id = authorization_of(as_role, case_id)["id"]
    receive(as_role, return_id, ("P-200", 7), ("P-200", 5))

    held = reconciliation_of(finance, return_id, "exception")
    assert held["voucher_id"] is None
    assert finance.get("/finance/vouchers", params={"complaint_id": case_id}).json()["items"] == []
    assert agent.get(f"/complaints/{case_id}").json()["status"] == "executing"

    resolved = finance.post(
        f"/finance/reconciliations/{held['id']}/resolve",
        json={"lines": [{"sku": "P-200", "accepted_quantity": 10}], "comment": "超量 2 件退回客户"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["voucher_id"]
    (voucher,) = finance.get("/finance/vouchers", params={"complaint_id": case_id}).json()["items"]
    assert (voucher["type"], voucher["amount"]) == ("return_credit", "1000.00")
    wait_for(lambda: agent.get(f"/complaints/{case_id}").json()["status"] == "resolved", timeout=20)
