"""Every event a service publishes, as its domain really produces it, loads with
the schema its consumers use (servicekit.contracts.*). A producer that drops or
renames a field fails here, not in a consumer in production."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from complaints.testing import CaseBuilder, allowance, line, return_action, share
from customer.domain import ChangeRequest, Customer, CustomerSettings
from servicekit.contracts import complaints as complaints_contract
from servicekit.contracts import customer as customer_contract

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
