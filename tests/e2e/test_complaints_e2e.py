"""A complaint's whole handling chain, registration to follow-up, through the gateway
over real HTTP.

The goods come back and the replenishment ships through the running returns service,
and finance issues the vouchers; their own events move the case's actions (rule P8).
No event is published by hand.
"""

from servicekit.testing import wait_for

CARD = {"name": "广州恒达电器贸易有限公司", "nature": "distributor", "region": "华南"}


def complaint_body(customer_id: str, quantity: int = 4, price: str = "450.00") -> dict:
    return {
        "customer_id": customer_id,
        "channel": "hotline",
        "order_no": "SO-2026-0101",
        "ship_date": "2026-11-01",
        "description": "外壳破损，客户要求退货",
        "request": "return",
        "lines": [
            {"sku": "P-100", "description": "电机外壳", "quantity": quantity, "unit_price": price}
        ],
    }


def active_customer(as_role) -> str:
    customer = as_role("sales_clerk").post("/customers", json=CARD).json()
    as_role("sales_manager").post(f"/customers/{customer['id']}/approve")
    return customer["id"]


def test_complaint_needs_a_customer_with_orders(as_role):  # rule P2, rule C3
    agent, manager = as_role("cs_agent"), as_role("sales_manager")
    unknown = agent.post("/complaints", json=complaint_body("no-such-customer"))
    assert unknown.status_code == 422, unknown.text
    clerk = as_role("sales_clerk")
    for card in (CARD, {**CARD, "status": "lead"}):
        new = clerk.post("/customers", json=card).json()
        refused = agent.post("/complaints", json=complaint_body(new["id"]))
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "customer_has_no_orders"
    # seed 000: dormant and lost customers still report quality problems
    for status in ("dormant", "lost"):
        customer_id = active_customer(as_role)
        moved = manager.post(f"/customers/{customer_id}/status", json={"status": status})
        assert moved.json()["status"] == status, moved.text
        registered = agent.post("/complaints", json=complaint_body(customer_id))
        assert registered.status_code == 201, registered.text


def test_whole_chain_p1_to_p9(suite, as_role):
    agent, quality = as_role("cs_agent"), as_role("quality")
    cs_manager, vp = as_role("cs_manager"), as_role("vp")
    customer_id = active_customer(as_role)

    registered = agent.post("/complaints", json=complaint_body(customer_id))
    assert registered.status_code == 201, registered.text
    case = registered.json()
    assert case["status"] == "registered" and case["number"].startswith("TS-")
    case_id = case["id"]
    url = f"/complaints/{case_id}"

    assert agent.post(f"{url}/reject", json={}).status_code == 422  # a reason is required
    accepted = agent.post(f"{url}/accept", json={"promised_days": 7})
    assert accepted.status_code == 200 and accepted.json()["due_at"]

    assert agent.post(f"{url}/investigation", json={}).status_code == 403  # quality only
    bad_shares = quality.post(
        f"{url}/investigation",
        json={
            "findings": "外壳注塑缺陷",
            "cause": "模具磨损",
            "cause_category": "non_sales",
            "responsibility": [
                {"department": "production", "person": "张三", "share": "0.5"},
                {"department": "quality", "person": "李四", "share": "0.499"},
            ],
        },
    )
    assert bad_shares.status_code == 422
    investigated = quality.post(
        f"{url}/investigation",
        json={
            "findings": "外壳注塑缺陷",
            "cause": "模具磨损",
            "cause_category": "non_sales",
            "responsibility": [
                {"department": "production", "person": "张三", "share": "0.75"},
                {"department": "quality", "person": "李四", "share": "0.25"},
            ],
        },
    )
    assert investigated.json()["status"] == "investigated"

    # 4 x 450.00 + 10,000.00 = 11,800.00: above the cs_manager's limit (rule P6).
    plan = agent.post(
        f"{url}/plans",
        json={
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}],
                },
                {"type": "compensation", "amount": "10000.00"},
            ]
        },
    )
    assert plan.status_code == 201, plan.text
    plan = plan.json()
    assert plan["amount"] == "11800.00" and plan["required_approver"] == "vp"
    below = cs_manager.post(f"{url}/plans/{plan['id']}/approve")
    assert below.status_code == 403 and below.json()["error"]["code"] == "approver_rank_too_low"
    assert vp.post(f"{url}/plans/{plan['id']}/approve").json()["status"] == "approved"

    declined = agent.post(
        f"{url}/plans/{plan['id']}/customer-response",
        json={"accepted": False, "comment": "赔偿太少"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "planning"
    second = agent.post(
        f"{url}/plans",
        json={
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}],
                },
                {"type": "allowance", "amount": "200.00"},
                {
                    "type": "replenishment",
                    "lines": [{"sku": "SEAL-02", "quantity": 2, "unit_price": "3.50"}],
                },
            ]
        },
    ).json()
    assert second["round"] == 2 and second["previous_plan_id"] == plan["id"]
    assert second["required_approver"] == "cs_manager"
    assert cs_manager.post(f"{url}/plans/{second['id']}/approve").status_code == 200
    executing = agent.post(f"{url}/plans/{second['id']}/customer-response", json={"accepted": True})
    assert executing.json()["status"] == "executing"

    # The returns service authorizes the goods back and the replenishment (rule R1, rule R5).
    warehouse = as_role("warehouse")
    found = wait_for(
        lambda: warehouse.get("/returns", params={"complaint_id": case_id}).json()["items"],
        timeout=20,
    )
    (authorization,) = found
    assert authorization["number"].startswith("RA-") and authorization["status"] == "authorized"
    assert [(li["sku"], li["authorized_quantity"]) for li in authorization["lines"]] == [
        ("P-100", 4)
    ]
    return_id = authorization["id"]
    receipts = f"/returns/{return_id}/receipts"
    for scan_id, quantity in (("GUN1-0001", 3), ("GUN1-0002", 1), ("GUN1-0001", 3)):
        posted = warehouse.post(
            receipts,
            json={
                "scan_id": scan_id,
                "scanner_id": "GUN1",
                "lines": [{"sku": "P-100", "quantity": quantity, "lot": "L1"}],
            },
        )
        assert posted.status_code in (200, 201), posted.text
    assert posted.status_code == 200  # the resent scan counts nothing (rule R2)
    signed = warehouse.post(f"/returns/{return_id}/sign-off")
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "received" and signed.json()["differences"] == []
    inspected = quality.post(
        f"/returns/{return_id}/inspection",
        json={
            "witness": "li.sales",
            "lines": [{"sku": "P-100", "good": 3, "rework": 0, "scrap": 1}],
        },
    )
    assert inspected.status_code == 200 and inspected.json()["status"] == "inspected"
    (shipment,) = warehouse.get("/replenishments", params={"complaint_id": case_id}).json()["items"]
    shipped = warehouse.post(
        f"/replenishments/{shipment['id']}/ship",
        json={"carrier": "顺丰速运", "tracking_no": "SF1000000001"},
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped", shipped.text

    def state_of(action_type: str) -> str:
        actions = agent.get(url).json()["actions"]
        return next(a for a in actions if a["type"] == action_type and a["plan_id"] == second["id"])

    wait_for(lambda: state_of("replenishment")["state"] == "done", timeout=20)
    wait_for(lambda: state_of("return")["return_id"] == return_id, timeout=20)
    wait_for(lambda: state_of("return")["received_at"] is not None, timeout=20)

    # Finance reconciles the received return and issues the return credit and the
    # allowance on its own (rule F1, rule F3); their events finish the actions (rule P8).
    wait_for(lambda: agent.get(url).json()["status"] == "resolved", timeout=20)

    # Not satisfied: handling goes on with a new round (rule P9) ...
    unsatisfied = agent.post(f"{url}/follow-ups", json={"satisfied": False, "score": 2})
    assert unsatisfied.json()["status"] == "planning"
    third = agent.post(
        f"{url}/plans", json={"actions": [{"type": "allowance", "amount": "100.00"}]}
    ).json()
    assert third["round"] == 3
    cs_manager.post(f"{url}/plans/{third['id']}/approve")
    agent.post(f"{url}/plans/{third['id']}/customer-response", json={"accepted": True})
    wait_for(lambda: agent.get(url).json()["status"] == "resolved", timeout=20)

    # ... satisfied: closed.
    closed = agent.post(f"{url}/follow-ups", json={"satisfied": True, "score": 5, "notes": "满意"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    final = as_role("warehouse").get(url).json()  # every role may read
    whats = [h["action"] for h in final["history"]]
    assert whats[0] == "registered" and whats[-1] == "closed"
    assert {h["who"] for h in final["history"]} >= {agent.username, quality.username, vp.username}
    assert [p["round"] for p in final["plans"]] == [1, 2, 3]
    listed = agent.get(
        "/complaints", params={"customer_id": customer_id, "status": "closed"}
    ).json()
    assert [c["id"] for c in listed["items"]] == [case_id]
    by_number = agent.get("/complaints", params={"q": case["number"]}).json()
    assert [c["id"] for c in by_number["items"]] == [case_id]


def test_reports_and_notices_are_for_managers(as_role):
    assert (
        as_role("cs_agent")
        .get("/reports/complaints/monthly", params={"month": "2026-10"})
        .status_code
        == 403
    )
    report = as_role("vp").get("/reports/complaints/monthly", params={"month": "2026-10"})
    assert report.status_code == 200 and "by_department" in report.json()
    assert as_role("market_manager").get("/notices", params={"type": "reminder"}).status_code == 200
    assert as_role("quality").get("/notices").status_code == 403


def test_an_approver_sends_a_plan_back_and_the_next_round_opens(as_role):
    agent, quality, vp = as_role("cs_agent"), as_role("quality"), as_role("vp")
    case_id = agent.post("/complaints", json=complaint_body(active_customer(as_role))).json()["id"]
    url = f"/complaints/{case_id}"
    agent.post(f"{url}/accept", json={"promised_days": 5})
    quality.post(
        f"{url}/investigation",
        json={
            "findings": "运输破损",
            "cause": "包装不良",
            "cause_category": "non_sales",
            "responsibility": [{"department": "logistics", "person": "王五", "share": "1.00"}],
        },
    )
    plan = agent.post(
        f"{url}/plans", json={"actions": [{"type": "compensation", "amount": "20000.00"}]}
    ).json()
    assert (
        as_role("cs_manager")
        .post(f"{url}/plans/{plan['id']}/send-back", json={"reason": "x"})
        .status_code
        == 403
    )
    assert vp.post(f"{url}/plans/{plan['id']}/send-back", json={}).status_code == 422
    sent_back = vp.post(f"{url}/plans/{plan['id']}/send-back", json={"reason": "赔偿依据不足"})
    assert sent_back.status_code == 200 and sent_back.json()["status"] == "declined"
    case = agent.get(url).json()
    assert case["status"] == "planning" and case["history"][-1]["action"] == "plan_sent_back"
    again = agent.post(
        f"{url}/plans", json={"actions": [{"type": "compensation", "amount": "5000.00"}]}
    )
    assert again.json()["round"] == 2 and again.json()["previous_plan_id"] == plan["id"]
