"""Every event a service publishes, as its domain really produces it, loads with
the schema its consumers use (servicekit.contracts.*). A producer that drops or
renames a field fails here, not in a consumer in production. What finance reads of
the others' events also becomes its commands here."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from complaints.testing import CaseBuilder, allowance, line, return_action, share
from customer.domain import ChangeRequest, Customer, CustomerSettings
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
from returns.commands import (
    InspectionLine,
    PlanAction,
    RecordInspection,
    ReturnLine,
    ShipReplenishment,
)
from returns.domain import Replenishment, ReturnAuthorization
from returns.testing import plan, scan
from servicekit.contracts import complaints as complaints_contract
from servicekit.contracts import customer as customer_contract
from servicekit.contracts import finance as finance_contract
from servicekit.contracts import returns as returns_contract

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def with_envelope(payload: dict) -> dict:
    """What the unit of work adds to every payload at commit."""
    return {"event_id": "e-1", "occurred_at": NOW.isoformat(), **payload}


def customer_events() -> list:
    settings = CustomerSettings()
    customer = Customer(
        name="华东机电有限公司",
        nature="distributor",
        created_by="clerk",
        settings=settings,
        discount=Decimal("0.85"),
        credit_limit=Decimal("1000.00"),
        over_acceptance_ratio=Decimal("0.05"),
    )
    customer.approve("manager")
    request = ChangeRequest(customer, {"credit_limit": Decimal("2000.00")}, "r", "clerk", settings)
    request.decide(customer, "approve", "mm", ["market_manager"])
    request.decide(customer, "approve", "fin", ["finance"])
    customer.change_status("dormant", "manager", "no orders")
    customer.update_card({"owner": "wang.sales"}, "manager")  # rule X1: finance keeps it
    return customer.pull_events()


def complaint_events() -> list:
    """A return and an allowance, all on one day, closed after the 7-day promise."""
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
        .follow_up(hour=30 * 24)  # late: an escalation too
        .build()
    )
    return complaint.pull_events()


@pytest.mark.parametrize("event", customer_events(), ids=lambda e: e.event_type)
def test_customer_events_load_with_their_consumer_schema(event):
    schema = customer_contract.EVENT_SCHEMAS[event.event_type]
    loaded = schema().load(with_envelope(event.payload))
    assert loaded["customer_id"] == event.payload["customer_id"]


def test_the_customer_flow_produces_every_customer_event():
    assert [e.event_type for e in customer_events()] == [
        "customer_approved",
        "terms_changed",
        "status_changed",
        "owner_changed",
    ]
    assert set(customer_contract.EVENTS) == set(customer_contract.EVENT_SCHEMAS)


def test_each_customer_event_carries_the_customers_next_version():
    # rule X1: a consumer's copy keeps the highest version, so a late, older event loses
    loaded = [
        customer_contract.EVENT_SCHEMAS[e.event_type]().load(with_envelope(e.payload))
        for e in customer_events()
    ]
    assert [event["version"] for event in loaded] == [1, 2, 3, 4]


def test_customer_approved_carries_the_terms_that_took_effect():  # rule C3
    (event,) = [e for e in customer_events() if e.event_type == "customer_approved"]
    loaded = customer_contract.CustomerTermsEventSchema().load(with_envelope(event.payload))
    assert loaded["credit_limit"] == Decimal("1000.00")
    assert loaded["discount"] == Decimal("0.85")
    assert loaded["over_acceptance_ratio"] == Decimal("0.05")


def test_owner_changed_carries_the_new_and_previous_owner():  # rule X1
    (event,) = [e for e in customer_events() if e.event_type == "owner_changed"]
    loaded = customer_contract.OwnerChangedEventSchema().load(with_envelope(event.payload))
    assert (loaded["owner"], loaded["previous_owner"]) == ("wang.sales", "clerk")


@pytest.mark.parametrize("event", complaint_events(), ids=lambda e: e.event_type)
def test_complaint_events_load_with_their_consumer_schema(event):
    schema = complaints_contract.EVENT_SCHEMAS[event.event_type]
    loaded = schema().load(with_envelope(event.payload))
    assert loaded["complaint_id"] == event.payload["complaint_id"]


def test_the_complaint_flow_produces_every_complaint_event_but_rejection():
    produced = {e.event_type for e in complaint_events()}
    assert produced == set(complaints_contract.EVENTS) - {complaints_contract.COMPLAINT_REJECTED}


def test_plan_accepted_carries_what_returns_and_finance_need():
    (event,) = [e for e in complaint_events() if e.event_type == "plan_accepted"]
    loaded = complaints_contract.PlanAcceptedEventSchema().load(with_envelope(event.payload))
    assert loaded["approved_quantities"][0]["quantity"] == 2
    assert {a["type"] for a in loaded["actions"]} == {"return", "allowance"}
    assert loaded["responsibility"][0]["share"] == Decimal("1")


def returns_events() -> list:
    """A plan with a return and a replenishment: authorized, two scans, signed off and
    posted, inspected; the replenishment shipped."""
    accepted = plan(
        PlanAction("a-1", "return", (ReturnLine("P-100", 2, Decimal("450.00")),)),
        PlanAction("a-2", "replenishment", (ReturnLine("SEAL-02", 3, Decimal("3.50")),)),
    )
    authorization = ReturnAuthorization.for_plan(accepted, "RA-2026-000001", "returns", NOW)
    authorization.receive(scan("s-1", ("P-100", 1)), "wh", NOW)
    authorization.receive(scan("s-2", ("P-100", 1)), "wh", NOW)
    authorization.sign_off("wh", NOW)
    authorization.inspect(RecordInspection("li.na", (InspectionLine("P-100", 1, 0, 1),)), "qa", NOW)
    (shipment,) = Replenishment.for_plan(accepted, "returns", NOW)
    shipment.ship(ShipReplenishment("顺丰", "SF1"), "wh", NOW)
    return authorization.pull_events() + shipment.pull_events()


@pytest.mark.parametrize("event", returns_events(), ids=lambda e: e.event_type)
def test_returns_events_load_with_their_consumer_schema(event):
    # every stage, uninspected lines (good/rework/scrap None) included
    schema = returns_contract.EVENT_SCHEMAS[event.event_type]
    loaded = schema().load(with_envelope(event.payload))
    assert loaded["complaint_id"] == "case-1"


def test_the_returns_flow_produces_every_returns_event():
    assert [e.event_type for e in returns_events()] == list(returns_contract.EVENTS)
    assert set(returns_contract.EVENTS) == set(returns_contract.EVENT_SCHEMAS)


def test_return_received_carries_the_actual_quantities():  # rule R6
    (event,) = [e for e in returns_events() if e.event_type == "return_received"]
    loaded = returns_contract.ReturnEventSchema().load(with_envelope(event.payload))
    assert [(li["sku"], li["received_quantity"]) for li in loaded["lines"]] == [("P-100", 2)]
    assert loaded["lines"][0]["unit_price"] == Decimal("450.00")


# --- finance: the events it reads, as their producers' domains make them, load with its
# readings and become its commands; the events it publishes load with the schemas their
# consumers use (complaints reads vouchers and exceptions).
def test_plan_accepted_as_complaints_makes_it_becomes_finances_plan():  # rule F1
    (event,) = [e for e in complaint_events() if e.event_type == "plan_accepted"]
    loaded = complaints_contract.PlanAcceptedEventSchema().load(with_envelope(event.payload))
    accepted = Plan.of(AcceptedPlan.of_event(loaded))
    assert accepted.approved_quantities() == {"P-100": 2}
    assert [a.type for a in accepted.actions] == ["return", "allowance"]
    assert accepted.actions[1].amount == Decimal("50.00")
    assert accepted.shares[0].person == "张三" and accepted.complaint_number


@pytest.mark.parametrize("event_type", ["complaint_registered", "complaint_closed"])
def test_complaint_events_load_with_what_finance_reads(event_type):  # rule F6
    (event,) = [e for e in complaint_events() if e.event_type == event_type]
    loaded = complaints_contract.EVENT_SCHEMAS[event_type]().load(with_envelope(event.payload))
    assert loaded["customer_id"] == "c1"


def test_customer_events_as_customer_makes_them_become_facts():  # rule X1
    events = {e.event_type: e for e in customer_events()}
    approved, owner = events["customer_approved"], events["owner_changed"]
    terms = CustomerFact.of_event(
        finance_contract.CustomerTermsFactSchema().load(with_envelope(approved.payload))
    )
    assert (terms.credit_limit, terms.over_acceptance_ratio) == (
        Decimal("1000.00"),
        Decimal("0.05"),
    )
    assert terms.occurred_at == NOW
    assert terms.version == approved.payload["version"]  # customer counts its facts
    moved = CustomerFact.of_event(
        finance_contract.OwnerFactSchema().load(with_envelope(owner.payload)), terms=False
    )
    assert (moved.owner, moved.terms, moved.credit_limit) == ("wang.sales", False, None)
    assert moved.version > terms.version  # a later fact, a higher version


def test_return_received_as_returns_makes_it_is_reconciled():  # rule F1
    (event,) = [e for e in returns_events() if e.event_type == "return_received"]
    loaded = finance_contract.ReturnReceivedFactSchema().load(with_envelope(event.payload))
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
    loaded = finance_contract.EVENT_SCHEMAS[event.event_type]().load(with_envelope(event.payload))
    assert loaded["customer_id"] == "c1"


def test_finance_publishes_every_event_of_its_contract():
    assert {e.event_type for e in finance_events()} == set(finance_contract.EVENTS)
    assert set(finance_contract.EVENTS) == set(finance_contract.EVENT_SCHEMAS)


def test_a_voucher_event_tells_complaints_what_it_settles():  # rule F3
    (issued,) = [e for e in finance_events() if e.event_type == "voucher_issued"]
    loaded = finance_contract.VoucherEventSchema().load(with_envelope(issued.payload))
    assert (loaded["type"], loaded["action_id"], loaded["amount"]) == (
        "allowance",
        "a2",
        Decimal("50.00"),
    )
    assert loaded["complaint_id"] == "case-1"
