"""Interactions (rule C9) and the composition analysis (rule C10) under nameko on the real
broker, on SQLite and PostgreSQL: interactions recorded and listed, replies on time and
late, the overdue list, the follow-ups due, the interaction report; and the year's
composition from finance's ``invoice_recorded`` events (sent twice: counted once,
rule X2) through grading's summary, with grade and region from the card."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select, update

from customer.domain.summaries import business_date
from customer.interactions_models import customer_interactions
from customer.models import customers
from customer.service import CustomerService
from servicekit.db import Database
from servicekit.errors import DomainError
from servicekit.migrations import upgrade
from servicekit.tables import inbox
from servicekit.testing import wait_for

CLERK = {"username": "li.na", "roles": ["sales_clerk"]}
MANAGER = {"username": "liu.sm", "roles": ["sales_manager"]}
AGENT = {"username": "wu.kf", "roles": ["cs_agent"]}


@pytest.fixture
def suite(db_url, rabbit_config, container_factory):
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2,
              "INBOX_RETRY_SECONDS": 1}  # fmt: skip
    container_factory(CustomerService, config).start()
    database = Database(db_url)
    with ServiceRpcProxy("customer", rabbit_config, timeout=15) as rpc:
        yield rpc, event_dispatcher(rabbit_config), database
    database.dispose()


def approved(rpc, **card) -> str:
    body = {"name": "华东机电有限公司", "nature": "distributor", "owner": "li.na", **card}
    created = rpc.create_customer(body, CLERK)
    rpc.approve_customer(created["id"], MANAGER)
    return created["id"]


def execute(database, statement):
    with database.engine.begin() as conn:
        return conn.execute(statement)


def backdate(database, interaction_id, hours):
    """Move an interaction and its reply due time ``hours`` into the past."""
    table = customer_interactions
    shift = timedelta(hours=hours)
    row = execute(
        database, select(table.c.at, table.c.reply_due_at).where(table.c.id == interaction_id)
    ).one()
    values = {"at": row.at - shift}
    if row.reply_due_at is not None:
        values["reply_due_at"] = row.reply_due_at - shift
    execute(database, update(table).where(table.c.id == interaction_id).values(**values))


def error_code(call) -> str:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.error_code


def test_interactions_replies_overdue_and_the_report(suite):
    rpc, _dispatch, database = suite
    customer_id = approved(rpc)
    visit = rpc.record_interaction(
        customer_id, {"type": "visit", "notes": "季度拜访", "by": "li.na"}, AGENT
    )
    survey = rpc.record_interaction(
        customer_id, {"type": "survey", "notes": "满意度调查", "score": 4}, AGENT
    )
    timely = rpc.record_interaction(customer_id, {"type": "enquiry", "notes": "价格咨询"}, AGENT)
    late = rpc.record_interaction(customer_id, {"type": "enquiry", "notes": "交期咨询"}, AGENT)
    waiting = rpc.record_interaction(
        customer_id, {"type": "suggestion", "notes": "包装建议"}, AGENT
    )
    assert (visit["by"], visit["recorded_by"], visit["reply_due_at"]) == ("li.na", "wu.kf", None)
    assert survey["score"] == 4 and timely["overdue"] is False

    assert rpc.reply_interaction(timely["id"], {"reply": "已报价"}, AGENT)["on_time"] is True
    backdate(database, late["id"], hours=25)  # its 24 hours have passed
    overdue = rpc.list_interactions({"type": "enquiry", "overdue": True})
    assert [i["id"] for i in overdue["items"]] == [late["id"]] and overdue["total"] == 1
    replied = rpc.reply_interaction(late["id"], {"reply": "下周发货"}, AGENT)
    assert (replied["on_time"], replied["overdue"]) == (False, False)
    assert rpc.list_interactions({"overdue": True})["total"] == 0
    assert [i["id"] for i in rpc.list_interactions({"replied": False})["items"]] == [waiting["id"]]

    assert (
        error_code(lambda: rpc.reply_interaction(late["id"], {"reply": "x"}, AGENT))
        == "interaction_replied"
    )
    assert (
        error_code(lambda: rpc.reply_interaction(visit["id"], {"reply": "x"}, AGENT))
        == "interaction_not_replyable"
    )
    assert (
        error_code(lambda: rpc.record_interaction("nobody", {"type": "call", "notes": "x"}, AGENT))
        == "customer_not_found"
    )
    assert (
        error_code(
            lambda: rpc.record_interaction(customer_id, {"type": "survey", "notes": "x"}, AGENT)
        )
        == "invalid"
    )

    listed = rpc.list_customer_interactions(customer_id)
    assert {i["id"] for i in listed} == {
        visit["id"],
        survey["id"],
        timely["id"],
        late["id"],
        waiting["id"],
    }
    assert listed[0]["id"] == late["id"]  # oldest first: it was moved a day back

    today = business_date(datetime.now(UTC), 8)
    report = rpc.interaction_report(
        {"from": (today - timedelta(days=2)).isoformat(), "to": today.isoformat()}
    )
    assert report["counts"] == {
        "visit": 1,
        "call": 0,
        "care": 0,
        "survey": 1,
        "enquiry": 2,
        "suggestion": 1,
    }
    assert report["replies"]["enquiry"]["on_time_rate"] == "0.5000"
    assert report["replies"]["suggestion"] == {
        "total": 1,
        "replied": 0,
        "on_time": 0,
        "late": 0,
        "overdue": 0,
        "waiting": 1,
        "on_time_rate": None,
    }
    assert report["survey_average"] == "4.00"


def test_follow_ups_due_for_pickup_customers_quarterly(suite):
    rpc, _dispatch, database = suite
    pickup = approved(rpc, pickup=True, name="自提客户甲")
    other = approved(rpc, name="普通客户乙")
    visited = approved(rpc, pickup=True, name="自提客户丙")
    long_ago = datetime.now(UTC) - timedelta(days=100)
    for customer_id in (pickup, other, visited):
        execute(
            database,
            update(customers).where(customers.c.id == customer_id).values(approved_at=long_ago),
        )
    rpc.record_interaction(visited, {"type": "call", "notes": "电话回访"}, AGENT)

    found = rpc.list_follow_ups_due({"overdue": True})
    mine = [f for f in found["items"] if f["customer_id"] in (pickup, other, visited)]
    assert [f["customer_id"] for f in mine] == [pickup]
    assert (mine[0]["interval_days"], mine[0]["days_overdue"], mine[0]["pickup"]) == (90, 10, True)
    assert rpc.list_follow_ups_due({"pickup": False, "owner": "li.na"})["total"] == 0


def handled(database, handler: str) -> int:
    query = select(func.count()).where(inbox.c.handler == f"customer.{handler}")
    return execute(database, query).scalar_one()


def test_composition_from_finances_invoices(suite):
    rpc, dispatch, database = suite
    east = approved(rpc, region="华东")
    south = approved(rpc, region="华南")
    year = 2031  # a year no other test writes to

    def invoice(customer_id, amount, day, lines):
        return {"event_id": uuid.uuid4().hex, "invoice_id": uuid.uuid4().hex,
                "customer_id": customer_id, "number": f"FP-{uuid.uuid4().hex[:8]}",
                "date": f"{year}-{day}", "due_date": f"{year}-12-31", "amount": amount,
                "order_no": None, "owner": "li.na", "recorded_at": datetime.now(UTC).isoformat(),
                "lines": [{"sku": s, "quantity": q, "unit_price": str(Decimal(a) / q),
                           "amount": a} for s, q, a in lines]}  # fmt: skip

    first = invoice(east, "800.00", "03-01", [("P-1", 1, "800.00")])
    before = handled(database, "handle_invoice_recorded")
    dispatch("finance", "invoice_recorded", first)
    dispatch("finance", "invoice_recorded", first)  # the same event again: once
    dispatch(
        "finance", "invoice_recorded", invoice(south, "200.00", "04-01", [("P-2", 2, "200.00")])
    )
    wait_for(lambda: handled(database, "handle_invoice_recorded") == before + 2, timeout=20)

    grades = {c: rpc.get_customer(c, MANAGER)["grade"] for c in (east, south)}
    found = rpc.composition_report({"year": year})
    assert (found["total"], found["invoices"], found["customers"]) == ("1000.00", 2, 2)
    assert {(r["region"], r["amount"], r["share"]) for r in found["by_region"]} == {
        ("华东", "800.00", "0.8000"), ("华南", "200.00", "0.2000")}  # fmt: skip
    assert [(p["sku"], p["quantity"]) for p in found["by_product"]] == [("P-1", 1), ("P-2", 2)]
    by_grade = {g["grade"]: Decimal(g["amount"]) for g in found["by_grade"]}
    expected: dict = {}
    for customer_id, amount in ((east, Decimal("800.00")), (south, Decimal("200.00"))):
        expected[grades[customer_id]] = expected.get(grades[customer_id], 0) + amount
    assert by_grade == expected
    assert rpc.composition_report({"year": year + 1})["total"] == "0.00"
