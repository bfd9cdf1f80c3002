"""The finance tables and mappings on the real databases (SQLite and PostgreSQL, the root
conftest's ``db_url``): aggregates go in and come back whole, the lists read them, and the
once-only rules hold in the database, also under concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from finance import handlers, queries
from finance.commands import (
    RecordInvoice,
    RecordPayment,
    RecordProof,
    RecordResale,
    ResolveReconciliation,
)
from finance.domain import DEFAULT_SETTINGS, Plan, Reconciliation, Voucher
from finance.models import (
    ledger_entries,
    loss_entries,
    reconciliations,
    start_mappers,
    vouchers,
)
from finance.repository import REPOSITORIES
from finance.testing import (
    FINANCE,
    NOW,
    allowance,
    compensation,
    complaint,
    customer,
    line,
    plan,
    received,
    return_action,
    share,
)
from servicekit.db import UnitOfWork
from servicekit.tables import inbox, outbox
from servicekit.testing import count, migrated_database

SETTINGS = DEFAULT_SETTINGS
SHARES = (
    share("quality", "0.5", "张三"),
    share("sales", "0.25", "李四"),
    share("logistics", "0.25"),
)
PLAN = plan(
    return_action(line("A-1", 10, "12.50"), line("B-2", 4, "3.00")),
    allowance("300.00"),
    compensation("50.00"),
    shares=SHARES,
)


@pytest.fixture
def database(db_url):
    with migrated_database("finance", db_url, start_mappers) as database:
        yield database


def new_uow(database) -> UnitOfWork:
    return UnitOfWork(database, repositories=REPOSITORIES)


def test_a_case_goes_from_plan_to_loss_and_comes_back_whole(database):
    # rule F1, rule F2, rule F3, rule F4, rule P12, rule F7
    handlers.handle_customer_fact(new_uow(database), customer())
    handlers.handle_plan_accepted(new_uow(database), SETTINGS, PLAN)
    held = handlers.handle_return_received(
        new_uow(database), SETTINGS, received(("A-1", 10, 12, "12.50"), ("B-2", 4, 4, "3.00"))
    )
    assert held.status == "exception"
    decision = ResolveReconciliation.of(
        [{"sku": "A-1", "accepted_quantity": 11}, {"sku": "B-2", "accepted_quantity": 4}], "多1"
    )
    handlers.resolve_reconciliation(new_uow(database), SETTINGS, held.id, decision, FINANCE)

    stored, history = queries.get_reconciliation(new_uow(database), held.id)
    assert stored.status == "resolved" and stored.amount == Decimal("149.50")
    assert [
        (x.sku, x.approved_quantity, x.actual_quantity, x.accepted_quantity) for x in stored.lines
    ] == [
        ("A-1", 10, 12, 11),
        ("B-2", 4, 4, 4),
    ]
    assert stored.lines[0].unit_price == Decimal("12.50") and stored.ratio == Decimal("0.05")
    assert stored.received_at.tzinfo is not None
    assert [h["action"] for h in history] == ["reconciled", "resolved"]

    listed = queries.list_vouchers(new_uow(database), {"complaint_id": "case-1"}, 1, 50)
    by_type = {v.type: v for v in listed["items"]}
    assert listed["total"] == 3 and set(by_type) == {"return_credit", "allowance", "compensation"}
    assert by_type["allowance"].certificate["signatories"] == [
        "manager",
        "general_manager",
        "customer",
    ]
    credit = by_type["return_credit"]
    assert credit.lines[0] == {
        "sku": "A-1",
        "quantity": 11,
        "unit_price": "12.50",
        "amount": "137.50",
    }
    handlers.record_proof(
        new_uow(database), SETTINGS, credit.id, RecordProof("invoice_copy", "C-1"), FINANCE
    )
    handlers.record_invoice(
        new_uow(database),
        SETTINGS,
        RecordInvoice.of(
            customer_id="cust-1",
            number="FP-1",
            date=NOW.date(),
            amount=Decimal("500.00"),
            lines=[{"sku": "A-1", "quantity": 40, "unit_price": Decimal("12.50")}],
            order_no="SO-1",
        ),
        FINANCE,
    )
    ledger = queries.ledger(new_uow(database), SETTINGS, "cust-1")
    assert ledger["balance"] == Decimal("350.50")
    assert [e["kind"] for e in ledger["entries"]] == ["invoice", "credit"]  # same day
    assert ledger["entries"][0]["lines"][0]["unit_price"] == Decimal("12.50")

    resale = RecordResale("ret-1", "A-1", 5, Decimal("10.00"), NOW.date() + timedelta(days=3))
    handlers.record_resale(new_uow(database), SETTINGS, resale, FINANCE)
    with new_uow(database) as uow:
        case = uow.losses.for_plan("plan-1")
    assert handlers.compute_due_losses(new_uow(database), case.due_at) == 1
    losses = queries.list_losses(new_uow(database), {}, 1, 50)
    # 5 x 2.50 resold + 6 x 12.50 kept + 4 x 3.00 kept + 300.00 + 50.00 = 449.50
    assert losses["amount"] == Decimal("449.50")
    assert sorted((e.department, e.person, e.amount) for e in losses["items"]) == [
        ("logistics", None, Decimal("112.37")),
        ("quality", "张三", Decimal("224.75")),
        ("sales", "李四", Decimal("112.38")),
    ]
    person = queries.list_losses(new_uow(database), {"person": "张三"}, 1, 50)
    assert (person["total"], person["amount"]) == (1, Decimal("224.75"))
    with new_uow(database) as uow:
        case = uow.losses.for_plan("plan-1")
        assert [p.department for p in case.parts] == ["quality", "sales", "logistics"]
        assert case.resales[0].date == NOW.date() + timedelta(days=3)
        assert case.shares == SHARES
    with database.engine.connect() as conn:
        types = sorted(conn.execute(select(outbox.c.event_type)).scalars())
    assert types == [
        "invoice_recorded",
        "ledger_changed",
        "ledger_changed",
        "reconciliation_exception",
        "voucher_issued",
        "voucher_issued",
        "voucher_issued",
        "voucher_posted",
    ]


def test_lists_filter_and_page(database):  # rule F1
    for n in range(3):
        handlers.handle_return_received(
            new_uow(database),
            SETTINGS,
            received(
                ("A-1", 1, 1 + n, "1.00"), return_id=f"r-{n}", plan_id=None, complaint_id=None
            ),
        )
    everything = queries.list_reconciliations(new_uow(database), {}, 1, 2)
    assert (everything["total"], len(everything["items"])) == (3, 2)
    held = queries.list_reconciliations(new_uow(database), {"status": "exception"}, 1, 50)
    assert sorted(r.return_id for r in held["items"]) == ["r-1", "r-2"]
    one = queries.list_reconciliations(new_uow(database), {"return_id": "r-0"}, 1, 50)
    assert [r.status for r in one["items"]] == ["matched"]


def test_the_collection_rate_reads_accounts_and_open_complaints(database):  # rule F6
    handlers.handle_customer_fact(new_uow(database), customer())
    for number, order in (("FP-1", "SO-1"), ("FP-2", "SO-2")):
        handlers.record_invoice(
            new_uow(database),
            SETTINGS,
            RecordInvoice("cust-1", number, NOW.date(), Decimal("100.00"), order_no=order),
            FINANCE,
        )
    handlers.record_payment(
        new_uow(database),
        SETTINGS,
        RecordPayment("cust-1", Decimal("50.00"), NOW.date(), "B"),
        FINANCE,
    )
    handlers.handle_complaint_fact(new_uow(database), complaint(order_no="SO-2"))
    due = NOW.date() + timedelta(days=30)
    rate = queries.get_collection_rate(new_uow(database), "wang.sales", NOW.date(), due)
    assert (rate.receivable, rate.collected, rate.rate, rate.excluded_invoices) == (
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("0.5000"),
        1,
    )


def test_the_database_keeps_one_reconciliation_per_return(database):  # rule F1
    handlers.handle_plan_accepted(new_uow(database), SETTINGS, PLAN)
    handlers.handle_return_received(new_uow(database), SETTINGS, received(("A-1", 10, 10, "12.50")))
    uow = new_uow(database)
    with uow, pytest.raises(IntegrityError):
        kept = uow.received.find("ret-1")
        accepted = uow.plans.find("plan-1")
        uow.reconciliations.add(Reconciliation(kept, accepted, Decimal("0.05"), NOW))
        uow.commit()
    assert count(database, reconciliations) == 1


def test_the_database_keeps_one_voucher_per_plan_action(database):  # rule F3
    handlers.handle_plan_accepted(new_uow(database), SETTINGS, PLAN)
    uow = new_uow(database)
    with uow, pytest.raises(IntegrityError):
        kept: Plan = uow.plans.find("plan-1")
        uow.vouchers.add(Voucher.for_action(kept, kept.actions[1], "PZ-2026-999999", NOW))
        uow.commit()
    assert count(database, vouchers, vouchers.c.type == "allowance") == 1


def test_the_same_return_from_many_threads_is_reconciled_once(database):  # rule F1
    handlers.handle_plan_accepted(new_uow(database), SETTINGS, PLAN)
    start = threading.Barrier(10)

    def deliver():
        start.wait()
        return handlers.handle_return_received(
            new_uow(database), SETTINGS, received(("A-1", 10, 10, "12.50"))
        )

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: deliver(), range(10)))
    assert {a.id for a in answers} == {answers[0].id}
    assert count(database, reconciliations) == 1
    assert count(database, vouchers, vouchers.c.type == "return_credit") == 1


def test_plans_and_returns_arriving_together_are_reconciled_exactly_once(database):  # rule F1
    pairs = 6
    start = threading.Barrier(pairs * 2)

    def deliver(n: int):
        start.wait()
        if n % 2:
            return handlers.handle_plan_accepted(
                new_uow(database),
                SETTINGS,
                plan(
                    return_action(line("A-1", 5, "1.00")),
                    plan_id=f"plan-{n // 2}",
                    complaint_id=f"case-{n // 2}",
                ),
            )
        return handlers.handle_return_received(
            new_uow(database),
            SETTINGS,
            received(
                ("A-1", 5, 5, "1.00"),
                return_id=f"ret-{n // 2}",
                plan_id=f"plan-{n // 2}",
                complaint_id=f"case-{n // 2}",
            ),
        )

    with ThreadPoolExecutor(pairs * 2) as pool:
        list(pool.map(deliver, range(pairs * 2)))
    assert count(database, reconciliations) == pairs
    assert count(database, vouchers, vouchers.c.type == "return_credit") == pairs


def test_the_same_plan_from_many_threads_issues_its_vouchers_once(database):  # rule F3
    start = threading.Barrier(8)

    def deliver():
        start.wait()
        return handlers.handle_plan_accepted(new_uow(database), SETTINGS, PLAN)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: deliver(), range(8)))
    assert count(database, vouchers) == 2
    assert count(database, outbox, outbox.c.event_type == "voucher_issued") == 2
    numbers = set()
    with new_uow(database) as uow:
        numbers = {v.number for v in uow.session.scalars(select(Voucher))}
    assert numbers == {"PZ-2026-000001", "PZ-2026-000002"}


def test_proofs_at_once_post_and_credit_once(database):  # rule F2
    handlers.handle_plan_accepted(new_uow(database), SETTINGS, plan(allowance("300.00")))
    with new_uow(database) as uow:
        (voucher_id,) = uow.session.scalars(select(Voucher.id))
    start = threading.Barrier(5)

    def prove():
        start.wait()
        try:
            proof = RecordProof("allowance_certificate", "ZR")
            return handlers.record_proof(new_uow(database), SETTINGS, voucher_id, proof, FINANCE)
        except Exception as exc:  # the losers are refused
            return exc

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: prove(), range(5)))
    assert sum(isinstance(a, Voucher) for a in answers) == 1
    assert count(database, ledger_entries) == 1


def test_two_loss_runs_at_once_compute_each_case_once(database):  # rule F7
    for n in range(4):
        handlers.handle_plan_accepted(
            new_uow(database), SETTINGS, plan(allowance("100.00"), plan_id=f"p-{n}", shares=SHARES)
        )
    start = threading.Barrier(2)

    def run():
        start.wait()
        return handlers.compute_due_losses(new_uow(database), NOW + timedelta(seconds=1))

    with ThreadPoolExecutor(2) as pool:
        assert sum(pool.map(lambda _: run(), range(2))) == 4
    assert count(database, loss_entries) == 4 * 3


def test_an_invoice_number_is_refused_the_second_time(database):  # rule F4
    handlers.handle_customer_fact(new_uow(database), customer())
    invoice = RecordInvoice("cust-1", "FP-1", NOW.date(), Decimal("1.00"))
    handlers.record_invoice(new_uow(database), SETTINGS, invoice, FINANCE)
    from servicekit.contracts.finance_vocabulary import InvoiceNumberTaken

    with pytest.raises(InvoiceNumberTaken):
        handlers.record_invoice(new_uow(database), SETTINGS, invoice, FINANCE)
    assert count(database, ledger_entries) == 1


def test_customer_facts_out_of_order_keep_the_newest(database):  # rule X1
    handlers.handle_customer_fact(new_uow(database), customer(version=2, credit_limit="20000.00"))
    handlers.handle_customer_fact(new_uow(database), customer(version=1, credit_limit="5000.00"))
    with new_uow(database) as uow:
        account = uow.accounts.get("cust-1")
    assert (account.credit_limit, account.terms_version) == (Decimal("20000.00"), 2)
    assert account.terms_at == NOW


def test_facts_of_a_new_customer_arriving_at_once_are_all_taken(database):  # rule X1
    # each an event of its own (an inbox key): a twin's account insert must not make the
    # unit of work take the loser's fact for a duplicate event and drop it
    start = threading.Barrier(6)

    def deliver(version: int):
        uow = UnitOfWork(
            database, event_key=(f"e-{version}", "finance.h"), repositories=REPOSITORIES
        )
        start.wait()
        fact = customer(version=version, credit_limit=f"{version}000.00")
        return handlers.handle_customer_fact(uow, fact)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(deliver, range(1, 7)))
    with new_uow(database) as uow:
        account = uow.accounts.get("cust-1")
    assert (account.terms_version, account.credit_limit) == (6, Decimal("6000.00"))
    assert count(database, inbox) == 6


def test_a_complaints_registration_and_end_at_once_leave_it_ended(database):  # rule F6
    start = threading.Barrier(2)

    def deliver(fact):
        uow = UnitOfWork(
            database,
            event_key=(fact.at.isoformat() + str(fact.open), "f.h"),
            repositories=REPOSITORIES,
        )
        start.wait()
        return handlers.handle_complaint_fact(uow, fact)

    facts = [complaint(), complaint(open=False, at=NOW + timedelta(hours=1))]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(deliver, facts))
    with new_uow(database) as uow:
        assert uow.complaints.open_for(["cust-1"]) == []
        assert uow.complaints.get("case-1").opened_at == NOW
