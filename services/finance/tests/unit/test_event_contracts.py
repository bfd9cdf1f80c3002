"""The events finance reads, as their producers' domains really make them, load with
finance's readings and become its commands; the events finance publishes load with the
schemas their consumers use (complaints reads vouchers and exceptions)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from complaints.testing import CaseBuilder, allowance, line, return_action, share
from customer.domain import Customer, CustomerSettings
from finance.commands import (
    AcceptedPlan,
    CustomerFact,
    ReceivedReturnFact,
    RecordInvoice,
    RecordPayment,
    RecordProof,
    ReturnedLine,
)
from finance.domain import Plan, ReceivedReturn, Reconciliation, Voucher
from finance.testing import known_account
from returns.commands import AcceptedPlan as ReturnsPlan
from returns.commands import PlanAction, PostReceipt, ReturnLine, ScanLine
from returns.domain import ReturnAuthorization
from servicekit.contracts import complaints as complaints_contract
from servicekit.contracts import finance as contract

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def with_envelope(payload: dict) -> dict:
    """What the unit of work adds to every payload at commit."""
    return {"event_id": "e-1", "occurred_at": NOW.isoformat(), **payload}


def complaint_events() -> dict:
    complaint = (
        CaseBuilder(
            start=NOW,
            customer_id="c1",
            channel="hotline",
            order_no="SO-1",
            ship_date=date(2026, 11, 1),
            lines=[line("P-100", 2, Decimal("450.00"))],
        )
        .accept(7, hour=0)
        .investigate([share("production", Decimal("1"), "张三")], hour=0)
        .plan([return_action(line("P-100", 2, Decimal("450"))), allowance(Decimal("50.00"))], 0)
        .approve(hour=0, roles=["cs_manager"])
        .customer_accepts(hour=0)
        .settle(hour=0)
        .follow_up(hour=30)
        .build()
    )
    return {e.event_type: e.payload for e in complaint.pull_events()}


def test_plan_accepted_as_complaints_makes_it_becomes_finances_plan():  # rule F1
    event = complaints_contract.PlanAcceptedEventSchema().load(
        with_envelope(complaint_events()["plan_accepted"])
    )
    plan = Plan.of(AcceptedPlan.of_event(event))
    assert plan.approved_quantities() == {"P-100": 2}
    assert [a.type for a in plan.actions] == ["return", "allowance"]
    assert plan.actions[1].amount == Decimal("50.00")
    assert plan.shares[0].person == "张三" and plan.complaint_number


@pytest.mark.parametrize("event_type", ["complaint_registered", "complaint_closed"])
def test_complaint_events_load_with_what_finance_reads(event_type):  # rule F6
    schema = complaints_contract.EVENT_SCHEMAS[event_type]
    loaded = schema().load(with_envelope(complaint_events()[event_type]))
    assert loaded["customer_id"] == "c1"


def test_customer_events_as_customer_makes_them_become_facts():  # rule X1
    customer = Customer(
        name="华东机电有限公司",
        nature="distributor",
        created_by="clerk",
        settings=CustomerSettings(),
        discount=Decimal("0.85"),
        credit_limit=Decimal("1000.00"),
        over_acceptance_ratio=Decimal("0.05"),
    )
    customer.approve("manager")
    customer.update_card({"owner": "wang.sales"}, "manager")
    approved, owner = customer.pull_events()
    terms = CustomerFact.of_event(
        contract.CustomerTermsFactSchema().load(with_envelope(approved.payload))
    )
    assert (terms.credit_limit, terms.over_acceptance_ratio) == (
        Decimal("1000.00"),
        Decimal("0.05"),
    )
    assert terms.occurred_at == NOW
    assert terms.version == approved.payload["version"]  # customer counts its facts
    moved = CustomerFact.of_event(
        contract.OwnerFactSchema().load(with_envelope(owner.payload)), terms=False
    )
    assert (moved.owner, moved.terms, moved.credit_limit) == ("wang.sales", False, None)
    assert moved.version > terms.version  # a later fact, a higher version


def test_return_received_as_returns_makes_it_is_reconciled():  # rule F1
    plan = ReturnsPlan(
        "case-1",
        "plan-1",
        "c1",
        (PlanAction("a1", "return", (ReturnLine("P-100", 2, Decimal("450.00")),)),),
    )
    authorization = ReturnAuthorization.for_plan(plan, "RA-2026-000001", "returns", NOW)
    authorization.receive(PostReceipt("s1", "gun", (ScanLine("P-100", 2),)), "wh", NOW)
    authorization.sign_off("wh", NOW)
    (event,) = [e for e in authorization.pull_events() if e.event_type == "return_received"]
    loaded = contract.ReturnReceivedFactSchema().load(with_envelope(event.payload))
    fact = ReceivedReturnFact.of_event(loaded, NOW)
    assert (fact.plan_id, fact.complaint_id, fact.received_at) == ("plan-1", "case-1", NOW)
    assert fact.lines[0].received_quantity == 2
    assert fact.lines[0].unit_price == Decimal("450.00")


def finance_events() -> list:
    reconciliation = Reconciliation(
        ReceivedReturn.of(
            ReceivedReturnFact(
                "r1",
                "c1",
                (ReturnedLine("P-100", 2, 3, Decimal("450.00")),),
                NOW,
                complaint_id="case-1",
            )
        ),
        None,
        Decimal("0.05"),
        NOW,
    )
    voucher = Voucher(
        number="PZ-2026-000001",
        type="allowance",
        customer_id="c1",
        amount=Decimal("50.00"),
        now=NOW,
        complaint_id="case-1",
        plan_id="plan-1",
        action_id="a2",
        certificate={"number": "ZR-2026-000001"},
    )
    voucher.post(RecordProof("allowance_certificate", "ZR"), "zhao.min", NOW)
    account = known_account("c1")
    account.record_invoice(
        RecordInvoice("c1", "FP-1", NOW.date(), Decimal("900.00")), "zhao.min", NOW, NOW.date()
    )
    account.record_payment(
        RecordPayment("c1", Decimal("100.00"), NOW.date(), "B"), "zhao.min", NOW, NOW.date()
    )
    return reconciliation.pull_events() + voucher.pull_events() + account.pull_events()


@pytest.mark.parametrize("event", finance_events(), ids=lambda e: e.event_type)
def test_finance_events_load_with_their_consumer_schema(event):
    loaded = contract.EVENT_SCHEMAS[event.event_type]().load(with_envelope(event.payload))
    assert loaded["customer_id"] == "c1"


def test_finance_publishes_every_event_of_its_contract():
    assert {e.event_type for e in finance_events()} == set(contract.EVENTS)
    assert set(contract.EVENTS) == set(contract.EVENT_SCHEMAS)


def test_a_voucher_event_tells_complaints_what_it_settles():  # rule F3
    (issued,) = [e for e in finance_events() if e.event_type == "voucher_issued"]
    loaded = contract.VoucherEventSchema().load(with_envelope(issued.payload))
    assert (loaded["type"], loaded["action_id"], loaded["amount"]) == (
        "allowance",
        "a2",
        Decimal("50.00"),
    )
    assert loaded["complaint_id"] == "case-1"
