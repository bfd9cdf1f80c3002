"""The customer service's summaries, grades, key accounts, risk and warnings under nameko on
the real broker, on SQLite and PostgreSQL. Finance and complaints are stood in for by their
CONTRACT events, each sent more than once where it matters (rule X2: once in effect); a
listener stands in for the consumers of ``customer.grade_changed``."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, select, update

from customer.domain.key_accounts import previous_quarter, quarter_bounds, quarter_of
from customer.domain.summaries import business_date
from customer.service import CustomerService
from servicekit.contracts.customer_grading import WarningHandled
from servicekit.db import Database
from servicekit.leases import try_acquire
from servicekit.migrations import upgrade
from servicekit.tables import inbox, leases
from servicekit.testing import wait_for

CLERK = {"username": "li.na", "roles": ["sales_clerk"]}
MANAGER = {"username": "liu.sm", "roles": ["sales_manager"]}
MARKET = {"username": "chen.mm", "roles": ["market_manager"]}
AGENT = {"username": "wu.kf", "roles": ["cs_agent"]}
PLAN = {"how": "每月拜访一次", "who": "li.na", "budget": "20000.00"}
heard: list[dict] = []


class GradeListener:
    """Stands in for a consumer of ``customer.grade_changed``."""

    name = "grade_listener"

    @event_handler("customer", "grade_changed")
    def on_grade(self, payload):
        heard.append(payload)


@pytest.fixture
def suite(db_url, rabbit_config, container_factory):
    upgrade("customer", db_url)
    config = {
        **rabbit_config,
        "DATABASE_URL": db_url,
        "OUTBOX_POLL_SECONDS": 0.2,
        "INBOX_RETRY_SECONDS": 1,
    }
    container_factory(GradeListener, rabbit_config).start()
    container = container_factory(CustomerService, config)
    container.start()
    heard.clear()
    with ServiceRpcProxy("customer", rabbit_config, timeout=15) as rpc:
        yield rpc, event_dispatcher(rabbit_config), db_url, container


def approved(rpc, **card) -> str:
    body = {"name": "华东机电有限公司", "nature": "distributor", "settlement_terms": "net_60",
            "credit_limit": "200000.00", **card}  # fmt: skip
    created = rpc.create_customer(body, CLERK)
    rpc.approve_customer(created["id"], MANAGER)
    return created["id"]


def today() -> date:
    return business_date(datetime.now(UTC), 8)


def event(**payload) -> dict:
    return {"event_id": uuid.uuid4().hex, **payload}


def invoice(customer_id: str, amount: str, on: date, due: date | None = None, **more) -> dict:
    return event(
        invoice_id=more.pop("invoice_id", uuid.uuid4().hex),
        customer_id=customer_id,
        number=f"FP-{uuid.uuid4().hex[:8]}",
        date=on.isoformat(),
        due_date=(due or on + timedelta(days=30)).isoformat(),
        amount=amount,
        order_no=None,
        owner="li.na",
        lines=more.pop("lines", []),
        recorded_at=datetime.now(UTC).isoformat(),
        **more,
    )


def ledger(customer_id: str, balance: str, overdue: str, at: datetime | None = None) -> dict:
    return event(
        customer_id=customer_id,
        entry_id=uuid.uuid4().hex,
        kind="invoice",
        amount=balance,
        balance=balance,
        overdue=overdue,
        ageing={},
        as_of=today().isoformat(),
        occurred_at=(at or datetime.now(UTC)).isoformat(),
    )


def registered(customer_id: str, complaint_id: str, at: datetime) -> dict:
    return event(
        complaint_id=complaint_id,
        number=f"TS-{complaint_id[:6]}",
        customer_id=customer_id,
        channel="phone",
        order_no="SO-1",
        request="return",
        lines=[],
        registered_at=at.isoformat(),
    )


def handled(db_url: str, handler: str) -> int:
    """How many events ``customer.<handler>`` has handled (its inbox rows)."""
    database = Database(db_url)
    try:
        with database.engine.connect() as conn:
            query = select(func.count()).where(inbox.c.handler == f"customer.{handler}")
            return conn.execute(query).scalar_one()
    finally:
        database.dispose()


def test_the_summaries_count_every_fact_once_and_grade_the_customer(suite):  # rule X1
    rpc, dispatch, db_url, _ = suite
    customer_id = approved(rpc)
    now = datetime.now(UTC)
    lines = [{"sku": "P-100", "quantity": 2, "unit_price": "450.00", "amount": "900.00"}]
    first = invoice(customer_id, "900.00", today(), lines=lines)
    dispatch("finance", "invoice_recorded", first)
    dispatch("finance", "invoice_recorded", first)  # the same event again
    # the same invoice under a new event id (a producer's retry): kept once all the same
    dispatch("finance", "invoice_recorded", {**first, "event_id": uuid.uuid4().hex})
    dispatch("finance", "ledger_changed", ledger(customer_id, "900.00", "0.00", at=now))
    closed = registered(customer_id, uuid.uuid4().hex, now - timedelta(days=3))
    dispatch("complaints", "complaint_registered", closed)
    dispatch("complaints", "complaint_registered", closed)
    dispatch(
        "complaints",
        "complaint_closed",
        event(
            complaint_id=closed["complaint_id"],
            number=closed["number"],
            customer_id=customer_id,
            lines=[],
            satisfied=True,
            satisfaction=4,
            handling_hours="30.00",
            registered_at=closed["registered_at"],
            closed_at=now.isoformat(),
            on_time_closure=True,
            responsibility=[],
        ),
    )
    rejected = registered(customer_id, uuid.uuid4().hex, now - timedelta(days=1))
    dispatch("complaints", "complaint_registered", rejected)
    dispatch(
        "complaints",
        "complaint_rejected",
        event(
            complaint_id=rejected["complaint_id"],
            number=rejected["number"],
            customer_id=customer_id,
            reason="不属于质量问题",
            rejected_at=now.isoformat(),
        ),
    )

    wait_for(lambda: handled(db_url, "handle_invoice_recorded") == 2, timeout=20)
    wait_for(lambda: handled(db_url, "handle_complaint_registered") == 2, timeout=20)
    wait_for(lambda: handled(db_url, "handle_complaint_rejected") == 1, timeout=20)
    wait_for(lambda: handled(db_url, "handle_complaint_closed") == 1, timeout=20)
    wait_for(lambda: handled(db_url, "handle_ledger_changed") == 1, timeout=20)
    summary = rpc.get_summary(customer_id)
    purchases = summary["purchases"]
    assert (purchases["invoices"], purchases["in_window"]) == (1, "900.00")
    assert purchases["by_product"] == {"P-100": {"quantity": 2, "amount": "900.00"}}
    assert [Decimal(v) for v in purchases["by_month"].values()] == [Decimal("900.00")]
    assert summary["receivables"]["balance"] == "900.00"
    assert summary["complaints"] == {"total": 1, "open": 0, "closed": 1, "rejected": 1,
                                     "in_window": 1, "satisfaction": "4.00"}  # fmt: skip

    # rule C6: graded with its first fact, shown on the card, found by the grade filter
    grade = rpc.get_grade(customer_id)
    assert grade["grade"] in ("A", "B", "C") and grade["inputs"]["purchases"] == "900.00"
    card = rpc.get_customer(customer_id, MARKET)
    assert card["grade"] == grade["grade"] and card["risk"] == "low"
    found = rpc.list_customers({"grade": grade["grade"]}, 1, 200, MARKET)["items"]
    assert customer_id in [c["id"] for c in found]
    others = {"A", "B", "C"} - {grade["grade"]}
    for other in others:
        items = rpc.list_customers({"grade": other}, 1, 200, MARKET)["items"]
        assert customer_id not in [c["id"] for c in items]
    history = rpc.list_grade_history(customer_id)
    assert history[0]["trigger"] == "first"
    (announced,) = wait_for(lambda: [p for p in heard if p["customer_id"] == customer_id])
    assert announced["grade"] == grade["grade"] and announced["previous_grade"] is None

    regraded = rpc.regrade_customer(customer_id, MARKET)
    assert (regraded["trigger"], regraded["reason"]) == (
        "manual",
        "re-graded at the request of chen.mm",
    )
    assert [h["trigger"] for h in rpc.list_grade_history(customer_id)][-1] == "manual"


def quarters() -> tuple[tuple[date, date], tuple[date, date]]:
    """The last completed quarter and the one before it (business days)."""
    last = previous_quarter(*quarter_of(today()))
    return quarter_bounds(*last), quarter_bounds(*previous_quarter(*last))


def test_a_key_accounts_falling_purchases_warn_of_churn_until_a_remedy(suite):  # rule C7
    rpc, dispatch, _, _ = suite
    customer_id = approved(rpc)
    account = rpc.set_key_account(
        customer_id, {"key_account": True, "plan": PLAN, "owner": "zhao.kam"}, MANAGER
    )
    assert (account["key_account"], account["source"], account["plan"]) == (True, "manager", PLAN)
    key_accounts = rpc.list_key_accounts({"owner": "zhao.kam"}, 1, 50)["items"]
    assert [a["customer_id"] for a in key_accounts] == [customer_id]
    found = rpc.list_customers({"key_account": True}, 1, 200, MARKET)["items"]
    assert customer_id in [c["id"] for c in found]

    (last_start, _), (before_start, _) = quarters()
    dispatch("finance", "invoice_recorded", invoice(customer_id, "60000.00", last_start))
    dispatch("finance", "invoice_recorded", invoice(customer_id, "100000.00", before_start))

    def churn():
        page = rpc.list_warnings({"customer_id": customer_id, "type": "churn"}, 1, 50)
        return page["items"]

    (warning,) = wait_for(churn, timeout=20)
    assert (warning["owner"], warning["status"]) == ("zhao.kam", "open")
    assert warning["details"]["fall"] == "0.4000"
    handled_warning = rpc.remedy_warning(warning["id"], {"remedy": "上门拜访，恢复返利"}, AGENT)
    assert (handled_warning["status"], handled_warning["action"]) == (
        "handled",
        "上门拜访，恢复返利",
    )
    with pytest.raises(WarningHandled):
        rpc.remedy_warning(warning["id"], {"action": "again"}, AGENT)
    assert rpc.list_warnings({"status": "open", "customer_id": customer_id}, 1, 50)["total"] == 0


def test_a_rise_to_high_risk_proposes_tighter_terms_for_both_parties(suite):  # rule C8
    rpc, dispatch, _, _ = suite
    customer_id = approved(rpc)
    long_ago = today() - timedelta(days=200)
    dispatch(
        "finance",
        "invoice_recorded",
        invoice(customer_id, "300000.00", long_ago, due=long_ago + timedelta(days=60)),
    )
    dispatch("finance", "ledger_changed", ledger(customer_id, "300000.00", "300000.00"))

    risk = wait_for(lambda: (r := rpc.get_risk(customer_id))["level"] == "high" and r, timeout=20)
    assert risk["guarantee_required"] is True
    (request,) = rpc.list_change_requests(customer_id)
    assert risk["change_request_id"] == request["id"]
    assert (request["status"], request["requested_by"]) == ("pending", "system")
    assert request["changes"]["credit_limit"] == {"old": "200000.00", "new": "100000.00"}
    assert request["changes"]["settlement_terms"] == {"old": "net_60", "new": "net_30"}
    assert rpc.get_customer(customer_id, MARKET)["credit_limit"] == "200000.00"  # not silently
    found = rpc.list_customers({"risk": "high"}, 1, 200, MARKET)["items"]
    assert customer_id in [c["id"] for c in found]
    (warning,) = rpc.list_warnings({"customer_id": customer_id, "type": "risk"}, 1, 50)["items"]
    assert warning["owner"] == "li.na" and "guarantee" in warning["reason"]


def test_the_grading_timer_runs_on_the_instance_holding_the_lease(suite):  # rule C6
    rpc, _, db_url, container = suite
    customer_id = approved(rpc)  # never graded: due
    database = Database(db_url)
    try:
        assert try_acquire(database, "customer.grading", "another-instance", timedelta(minutes=5))
        with entrypoint_hook(container, "review_customers") as review:
            assert review() == 0  # another instance holds the lease
        assert rpc.get_grade(customer_id)["grade"] is None
        with database.engine.begin() as conn:  # the other instance went away
            conn.execute(
                update(leases)
                .where(leases.c.name == "customer.grading")
                .values(until=datetime.now(UTC) - timedelta(seconds=1))
            )
        with entrypoint_hook(container, "review_customers") as review:
            assert review() >= 1
        grade = rpc.get_grade(customer_id)
        assert grade["grade"] is not None and grade["trigger"] == "first"
        assert rpc.get_risk(customer_id)["level"] == "low"
        with entrypoint_hook(container, "review_customers") as review:
            assert review() == 0  # graded this month and assessed today: nothing due
    finally:
        database.dispose()
