"""Customer grading, key accounts and churn warnings through the gateway over real HTTP,
with every service a process (rule C5, rule C6, rule C7, rule X1): invoices recorded
through finance and complaints registered through complaints move the customer's own
summaries (no event is published by hand); a re-grade sets the grade the card shows and
the list filters by, and re-grading every customer answers with a run polled until done;
a key account's purchases falling by 40 % raise a churn warning naming its owner, which
a remedy closes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

from servicekit.testing import wait_for

CARD = {
    "name": "苏州精工机械有限公司",
    "nature": "distributor",
    "region": "华东",
    "settlement_terms": "net_30",
    "credit_limit": "500000.00",
}
PLAN = {"how": "每月拜访一次，季度业务回顾", "who": "li.sales", "budget": "20000.00"}


def today() -> date:
    """The business's day (UTC+8), as the services count months and quarters."""
    return datetime.now(UTC).astimezone(timezone(timedelta(hours=8))).date()


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_start(day: date) -> date:
    return quarter_start(quarter_start(day) - timedelta(days=1))


def record_invoice(finance, customer_id: str, on: date, amount: str, quantity: int):
    """An invoice through finance; finance knows the customer once its approval arrived."""
    body = {
        "customer_id": customer_id,
        "number": f"FP-{uuid.uuid4().hex[:10]}",
        "date": on.isoformat(),
        "due_date": (today() + timedelta(days=30)).isoformat(),  # nothing overdue
        "amount": amount,
        "lines": [{"sku": "P-100", "quantity": quantity, "unit_price": "500.00"}],
    }

    def recorded():
        response = finance.post("/finance/invoices", json=body)
        return response if response.status_code == 201 else None

    return wait_for(recorded, timeout=20)


def test_invoices_and_complaints_move_the_summaries_grades_and_churn_warnings(as_role):
    clerk, manager, market = (
        as_role("sales_clerk"),
        as_role("sales_manager"),
        as_role("market_manager"),
    )
    finance, agent = as_role("finance"), as_role("cs_agent")
    customer_id = clerk.post("/customers", json=CARD).json()["id"]
    assert manager.post(f"/customers/{customer_id}/approve").json()["status"] == "active"

    # rule C7: a manager designates the key account with its maintenance plan
    refused = manager.post(f"/customers/{customer_id}/key-account", json={"key_account": True})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "maintenance_plan_required"
    assert clerk.post(f"/customers/{customer_id}/key-account", json={"plan": PLAN}).status_code == (
        403
    )
    designated = manager.post(
        f"/customers/{customer_id}/key-account", json={"plan": PLAN, "owner": "li.sales"}
    )
    assert designated.status_code == 200, designated.text
    assert designated.json()["key_account"] is True and designated.json()["plan"] == PLAN

    # rule X1: what finance and complaints announce becomes the customer's own summary
    last_quarter = previous_quarter_start(today())
    quarter_before = previous_quarter_start(last_quarter)
    record_invoice(finance, customer_id, quarter_before, "100000.00", 200)
    record_invoice(finance, customer_id, last_quarter, "60000.00", 120)
    complaint = {
        "customer_id": customer_id,
        "channel": "phone",
        "order_no": "SO-2026-0777",
        "ship_date": last_quarter.isoformat(),
        "description": "部分产品尺寸超差",
        "request": "exchange",
        "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "500.00"}],
    }
    registered = agent.post("/complaints", json=complaint)
    assert registered.status_code == 201, registered.text

    def summary_moved():
        summary = market.get(f"/customers/{customer_id}/summary").json()
        done = summary["purchases"]["invoices"] == 2 and summary["complaints"]["total"] == 1
        return summary if done else None

    summary = wait_for(summary_moved, timeout=30)
    assert summary["purchases"]["by_product"] == {"P-100": {"quantity": 320, "amount": "160000.00"}}
    assert summary["purchases"]["in_window"] == "160000.00"
    assert summary["complaints"]["open"] == 1
    assert summary["receivables"]["balance"] == "160000.00"  # finance's ledger_changed

    # rule C6: a re-grade sets the grade the card shows and the list filters by
    assert clerk.post(f"/customers/{customer_id}/regrade").status_code == 403
    regraded = market.post(f"/customers/{customer_id}/regrade")
    assert regraded.status_code == 200, regraded.text
    grade = regraded.json()
    assert grade["grade"] in ("A", "B", "C") and grade["trigger"] == "manual"
    assert grade["scale"] == "small" and grade["inputs"]["purchases"] == "160000.00"
    assert clerk.get(f"/customers/{customer_id}").json()["grade"] == grade["grade"]
    listed = clerk.get("/customers", params={"grade": grade["grade"], "per_page": 200}).json()
    assert customer_id in [c["id"] for c in listed["items"]]
    keyed = clerk.get("/customers", params={"key_account": "true", "per_page": 200}).json()
    assert customer_id in [c["id"] for c in keyed["items"]]
    history = clerk.get(f"/customers/{customer_id}/grade-history").json()
    assert history[-1]["trigger"] == "manual" and history[-1]["by"] == market.username

    # rule C6: re-grading every customer answers at once with a run, polled until done
    assert clerk.post("/customers/regrade").status_code == 403
    started = market.post("/customers/regrade")
    assert started.status_code in (202, 409), started.text
    run_id = (
        started.json()["id"]
        if started.status_code == 202
        else started.json()["error"]["details"]["run_id"]  # another test's run, still going
    )
    assert clerk.get(f"/customers/regrade/{run_id}").status_code == 403

    def regraded_all():
        run = market.get(f"/customers/regrade/{run_id}").json()
        return run if run["status"] == "done" else None

    run = wait_for(regraded_all, timeout=60)
    assert run["graded"] >= 1 and run["batches"] >= 1 and run["finished_at"] is not None
    assert run["graded"] <= run["total"] or run["resumed"] > 0
    assert clerk.get(f"/customers/{customer_id}").json()["grade"] == grade["grade"]
    missing = market.get("/customers/regrade/no-such-run")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "regrade_run_not_found"

    # rule C7: 60,000 against 100,000 the quarter before: a churn warning naming the owner
    def churn():
        params = {"customer_id": customer_id, "type": "churn", "status": "open"}
        return agent.get("/warnings", params=params).json()["items"]

    (warning,) = wait_for(churn, timeout=30)
    assert warning["owner"] == "li.sales" and warning["details"]["fall"] == "0.4000"
    assert as_role("quality").post(f"/warnings/{warning['id']}/remedy", json={}).status_code == 403
    remedy = {"action": "销售经理上门拜访，恢复季度返利"}
    handled = agent.post(f"/warnings/{warning['id']}/remedy", json=remedy)
    assert handled.status_code == 200, handled.text
    assert (handled.json()["status"], handled.json()["handled_by"]) == ("handled", agent.username)
    again = agent.post(f"/warnings/{warning['id']}/remedy", json=remedy)
    assert again.status_code == 409 and again.json()["error"]["code"] == "warning_handled"
    assert churn() == []

    # a rejected case is no complaint that counts, nor a dispute (rule C8)
    case_id = registered.json()["id"]
    rejected = agent.post(f"/complaints/{case_id}/reject", json={"reason": "尺寸在公差内"})
    assert rejected.status_code == 200, rejected.text

    def rejection_heard():
        complaints = market.get(f"/customers/{customer_id}/summary").json()["complaints"]
        return complaints if complaints["rejected"] == 1 else None

    assert wait_for(rejection_heard, timeout=30)["open"] == 0
    risk = clerk.get(f"/customers/{customer_id}/risk").json()
    assert risk["level"] == "low" and risk["guarantee_required"] is False
