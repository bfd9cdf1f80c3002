"""The finance service under nameko on the real broker, on SQLite and PostgreSQL. Customer,
complaints and returns are stood in for by their CONTRACT events; a listener stands in
for complaints and customer hearing finance's events."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select, update

from finance import handlers
from finance.domain import FinanceSettings
from finance.models import loss_entries
from finance.repository import REPOSITORIES
from finance.service import FinanceService
from finance.testing import allowance, plan
from servicekit.contracts.finance import (
    CustomerUnknown,
    InvoiceNumberTaken,
    ProofNotAccepted,
    VoucherPosted,
)
from servicekit.db import Database, UnitOfWork
from servicekit.domain import utcnow
from servicekit.errors import Invalid
from servicekit.leases import try_acquire
from servicekit.migrations import upgrade
from servicekit.tables import inbox, leases, parked_messages
from servicekit.testing import wait_for

FINANCE = {"username": "zhao.min", "roles": ["finance"]}
heard: list[tuple[str, dict]] = []


class Listener:
    """Stands in for complaints and customer listening to finance."""

    name = "finance_listener"

    @event_handler("finance", "voucher_issued")
    def on_issued(self, payload):
        heard.append(("voucher_issued", payload))

    @event_handler("finance", "reconciliation_exception")
    def on_exception(self, payload):
        heard.append(("reconciliation_exception", payload))

    @event_handler("finance", "ledger_changed")
    def on_ledger(self, payload):
        heard.append(("ledger_changed", payload))


@pytest.fixture
def suite(db_url, rabbit_config, container_factory):
    upgrade("finance", db_url)
    base = {**rabbit_config, "OUTBOX_POLL_SECONDS": 0.2, "INBOX_RETRY_SECONDS": 1}
    container_factory(Listener, rabbit_config).start()
    container_factory(FinanceService, {**base, "DATABASE_URL": db_url}).start()
    heard.clear()
    with ClusterRpcProxy(rabbit_config, timeout=15) as rpc:
        yield rpc, event_dispatcher(rabbit_config), db_url


def event(**payload) -> dict:
    return {"event_id": uuid.uuid4().hex, **payload}


def approved_customer(customer_id: str, version: int, credit_limit: str) -> dict:
    return event(
        customer_id=customer_id,
        name="华东机电有限公司",
        status="active",
        credit_limit=credit_limit,
        settlement_terms="net_30",
        discount="0.85",
        over_acceptance_ratio=None,
        owner="wang.sales",
        version=version,
    )


def plan_accepted(case: str, plan_id: str, customer_id: str) -> dict:
    return event(
        complaint_id=case,
        number="TS-2026-000001",
        customer_id=customer_id,
        plan_id=plan_id,
        round=1,
        amount="4800.00",
        approved_by="csm1",
        accepted_at="2026-11-02T02:00:00+00:00",
        actions=[
            {
                "action_id": "act-1",
                "type": "return",
                "amount": "4500.00",
                "lines": [
                    {"sku": "P-100", "quantity": 10, "unit_price": "450.00", "amount": "4500.00"}
                ],
            },
            {"action_id": "act-2", "type": "allowance", "amount": "300.00", "lines": []},
        ],
        approved_quantities=[{"sku": "P-100", "quantity": 10, "unit_price": "450.00"}],
        responsibility=[{"department": "quality", "person": "张三", "share": "1.00"}],
    )


def return_received(case: str, plan_id: str, customer_id: str, actual: int) -> dict:
    return event(
        return_id=f"ret-{case}",
        number="RA-2026-000001",
        complaint_id=case,
        plan_id=plan_id,
        customer_id=customer_id,
        received_at="2026-11-05T02:00:00+00:00",
        lines=[
            {
                "sku": "P-100",
                "authorized_quantity": 10,
                "received_quantity": actual,
                "unit_price": "450.00",
            }
        ],
    )


def test_a_return_and_its_plan_in_either_order_are_reconciled_once(suite):  # rule F1
    rpc, dispatch, _ = suite
    dispatch("customer", "customer_approved", approved_customer("cust-1", 1, "50000.00"))
    received = return_received("case-1", "plan-1", "cust-1", 10)
    dispatch("returns", "return_received", received)
    dispatch("returns", "return_received", received)  # a duplicate changes nothing
    dispatch("complaints", "plan_accepted", plan_accepted("case-1", "plan-1", "cust-1"))

    def reconciled():
        page = rpc.finance.list_reconciliations({"return_id": "ret-case-1"}, 1, 50)
        return page["items"] if page["items"] and page["items"][0]["voucher_id"] else None

    (reconciliation,) = wait_for(reconciled, timeout=15)
    assert reconciliation["status"] == "matched"
    assert reconciliation["lines"][0]["amount"] == "4500.00"
    wait_for(lambda: len([p for t, p in heard if t == "voucher_issued"]) == 2, timeout=15)
    issued = {p["type"]: p for t, p in heard if t == "voucher_issued"}
    assert issued["return_credit"]["complaint_id"] == "case-1"
    assert issued["allowance"]["action_id"] == "act-2"

    # rule F2: the proof posts the credit and the ledger is credited (rule F4)
    voucher = rpc.finance.record_proof(
        reconciliation["voucher_id"], {"method": "return_certificate", "reference": "T1"}, FINANCE
    )
    assert voucher["status"] == "posted"
    with pytest.raises(VoucherPosted):
        rpc.finance.record_proof(voucher["id"], {"method": "invoice_copy"}, FINANCE)
    with pytest.raises(ProofNotAccepted):
        allowance = issued["allowance"]["voucher_id"]
        rpc.finance.record_proof(allowance, {"method": "return_certificate"}, FINANCE)
    ledger = rpc.finance.get_ledger("cust-1")
    assert (ledger["balance"], ledger["overdue"]) == ("-4500.00", "0.00")
    wait_for(lambda: [p for t, p in heard if t == "ledger_changed"], timeout=15)
    detail = rpc.finance.get_voucher(allowance)
    assert detail["certificate"]["number"].startswith("ZR-")
    assert [h["action"] for h in detail["history"]] == ["issued"]


def test_an_exception_is_announced_and_resolved_by_finance(suite):  # rule F1
    rpc, dispatch, _ = suite
    dispatch("complaints", "plan_accepted", plan_accepted("case-2", "plan-2", "cust-2"))
    dispatch("returns", "return_received", return_received("case-2", "plan-2", "cust-2", 11))
    wait_for(lambda: [p for t, p in heard if t == "reconciliation_exception"], timeout=15)
    (held,) = rpc.finance.list_reconciliations({"status": "exception"}, 1, 50)["items"]
    with pytest.raises(Invalid):
        rpc.finance.resolve_reconciliation(
            held["id"], {"lines": [{"sku": "P-100", "accepted_quantity": 12}]}, FINANCE
        )
    resolved = rpc.finance.resolve_reconciliation(
        held["id"], {"lines": [{"sku": "P-100", "accepted_quantity": 11}], "comment": "ok"}, FINANCE
    )
    assert (resolved["status"], resolved["amount"]) == ("resolved", "4950.00")
    wait_for(
        lambda: [p for t, p in heard if t == "voucher_issued" and p["type"] == "return_credit"],
        timeout=15,
    )


def handled(db_url: str, *handlers: str) -> bool:
    """Whether each of finance's ``handlers`` has handled an event (its inbox row)."""
    database = Database(db_url)
    try:
        with database.engine.connect() as conn:
            done = set(conn.execute(select(inbox.c.handler)).scalars())
    finally:
        database.dispose()
    return {f"finance.{h}" for h in handlers} <= done


def test_the_ledger_and_the_credit_check_over_rpc(suite):  # rule F4
    rpc, dispatch, db_url = suite
    with pytest.raises(CustomerUnknown):
        rpc.finance.record_invoice(
            {"customer_id": "cust-3", "number": "FP-1", "date": "2026-11-01", "amount": "1.00"},
            FINANCE,
        )
    # rule X1: version 2 arrives first; the late version 1 changes nothing
    dispatch("customer", "terms_changed", approved_customer("cust-3", 2, "1000.00"))
    dispatch("customer", "customer_approved", approved_customer("cust-3", 1, "99999.00"))

    wait_for(lambda: handled(db_url, "handle_customer_approved", "handle_terms_changed"))
    entry = rpc.finance.record_invoice(
        {
            "customer_id": "cust-3",
            "number": "FP-1",
            "date": "2026-11-01",
            "amount": "900.00",
            "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
        },
        FINANCE,
    )
    assert (entry["kind"], entry["due_date"]) == ("invoice", "2026-12-01")
    with pytest.raises(InvoiceNumberTaken):
        rpc.finance.record_invoice(
            {"customer_id": "cust-3", "number": "FP-1", "date": "2026-11-01", "amount": "1.00"},
            FINANCE,
        )
    rpc.finance.record_payment(
        {"customer_id": "cust-3", "amount": "300.00", "date": "2026-11-03", "reference": "B1"},
        FINANCE,
    )
    # the late version 1 (credit limit 99999.00) was not taken: 1000.00 - 600.00 left
    check = rpc.finance.check_credit({"customer_id": "cust-3", "amount": "400.01"})
    assert (check["decision"], check["reason"], check["available_credit"]) == (
        "hold",
        "over_credit_limit",
        "400.00",
    )
    rate = rpc.finance.get_collection_rate(
        {"owner": "wang.sales", "from": "2026-12-01", "to": str(date(2026, 12, 31))}
    )
    assert (rate["receivable"], rate["collected"], rate["rate"]) == ("900.00", "300.00", "0.3333")


def test_an_event_finance_cannot_read_is_parked_and_the_service_goes_on(suite):
    rpc, dispatch, db_url = suite
    dispatch("returns", "return_received", event(return_id="r-x", customer_id="c", lines=[{}]))
    database = Database(db_url)

    def parked():
        with database.engine.connect() as conn:
            return conn.execute(select(parked_messages.c.handler)).scalars().all()

    assert wait_for(parked, timeout=15) == ["finance.handle_return_received"]
    database.dispose()
    assert rpc.finance.health()["status"] == "ok"
    assert rpc.finance.list_losses({}, 1, 50)["amount"] == "0.00"


def test_the_loss_timer_computes_due_cases_once_and_only_under_its_lease(
    db_url, rabbit_config, container_factory
):  # rule P12
    upgrade("finance", db_url)
    container = container_factory(FinanceService, {**rabbit_config, "DATABASE_URL": db_url})
    container.start()
    database = Database(db_url)
    uow = UnitOfWork(database, repositories=REPOSITORIES)
    handlers.handle_plan_accepted(uow, FinanceSettings(), plan(allowance("300.00")))  # due now
    assert try_acquire(database, "finance.losses", "another-instance", timedelta(minutes=5))
    with entrypoint_hook(container, "compute_due_losses") as run:
        assert run() == 0  # another instance holds the lease
        with database.engine.begin() as conn:
            conn.execute(update(leases).values(until=utcnow() - timedelta(seconds=1)))
        assert run() == 1
        assert run() == 0
    with database.engine.connect() as conn:
        assert len(conn.execute(select(loss_entries)).all()) == 1
    database.dispose()
