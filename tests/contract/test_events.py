"""Every event a service publishes, as its domain really produces it, loads with
the schema its consumers use (servicekit.contracts.*). A producer that drops or
renames a field fails here, not in a consumer in production."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.domain import Complaint
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
    complaint = Complaint(
        number="TS-2026-000001",
        customer_id="c1",
        customer_status="active",
        channel="hotline",
        order_no="SO-1",
        ship_date=date(2026, 11, 1),
        description="外壳破损",
        request="return",
        lines=[{"sku": "P-100", "quantity": 2, "unit_price": Decimal("450.00")}],
        registered_by="agent",
        now=NOW,
    )
    complaint.accept(7, "agent", NOW)
    complaint.investigate(
        findings="f",
        cause="c",
        cause_category="non_sales",
        responsibility=[{"department": "production", "person": "张三", "share": Decimal("1")}],
        actor="qa",
        now=NOW,
    )
    plan = complaint.post_plan(
        [
            {
                "type": "return",
                "lines": [{"sku": "P-100", "quantity": 2, "unit_price": Decimal("450")}],
            },
            {"type": "allowance", "amount": Decimal("50.00")},
        ],
        "agent",
        NOW,
    )
    complaint.approve_plan(plan.id, "csm", ["cs_manager"], NOW)
    complaint.customer_response(plan.id, True, "agent", NOW)
    complaint.return_received("r1", NOW)
    for action in complaint.actions:
        kind = "return_credit" if action.type == "return" else action.type
        complaint.voucher_issued(
            f"v-{action.id}", kind, NOW, action_id=action.id, amount=action.amount
        )
    complaint.follow_up(True, 5, "agent", NOW + timedelta(days=30))  # late: an escalation too
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
