"""The complaints service under nameko on the real broker with the real customer
service, on SQLite and PostgreSQL. Returns and finance are stood in for by their
CONTRACT events."""

import uuid
from datetime import datetime, timedelta

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from complaints import handlers, queries
from complaints.calendars import with_calendar
from complaints.domain import ComplaintSettings
from complaints.repository import REPOSITORIES
from complaints.service import ComplaintsService
from customer.service import CustomerService
from servicekit.contracts.complaints import (
    ApproverRankTooLow,
    CustomerHasNoOrders,
    CustomerUnknown,
    SharesDoNotSumToOne,
)
from servicekit.db import Database, UnitOfWork
from servicekit.domain import utcnow
from servicekit.migrations import upgrade
from servicekit.testing import postgres_database, wait_for

CS = {"username": "agent1", "roles": ["cs_agent"]}
CS_MANAGER = {"username": "csm1", "roles": ["cs_manager"]}
VP = {"username": "vp1", "roles": ["vp"]}
QUALITY = {"username": "qa1", "roles": ["quality"]}
CLERK = {"username": "clerk1", "roles": ["sales_clerk"]}
MANAGER = {"username": "sm1", "roles": ["sales_manager"]}

published: list[tuple[str, dict]] = []


class Downstream:
    """Stands in for returns and finance listening to complaints."""

    name = "complaints_downstream"

    @event_handler("complaints", "plan_accepted")
    def on_plan_accepted(self, payload):
        published.append(("plan_accepted", payload))

    @event_handler("complaints", "complaint_closed")
    def on_closed(self, payload):
        published.append(("complaint_closed", payload))

    @event_handler("complaints", "loss_apportioned")
    def on_loss(self, payload):
        published.append(("loss_apportioned", payload))


@pytest.fixture
def suite(db_url, rabbit_config, container_factory, tmp_path):
    """Complaints on ``db_url``; customer on its own database of the same kind."""
    if db_url.startswith("sqlite"):
        customer_url = f"sqlite:///{tmp_path / 'customer.db'}"
        stack = None
    else:
        stack = postgres_database("aftersales_customer")
        customer_url = stack.__enter__()
    upgrade("customer", customer_url)
    upgrade("complaints", db_url)
    base = {**rabbit_config, "OUTBOX_POLL_SECONDS": 0.2}
    container_factory(Downstream, rabbit_config).start()
    container_factory(CustomerService, {**base, "DATABASE_URL": customer_url}).start()
    container_factory(ComplaintsService, {**base, "DATABASE_URL": db_url}).start()
    published.clear()
    with ClusterRpcProxy(rabbit_config, timeout=15) as rpc:
        yield rpc, event_dispatcher(rabbit_config), db_url
    if stack is not None:
        stack.__exit__(None, None, None)


def active_customer(rpc) -> str:
    customer = rpc.customer.create_customer({"name": "华南电器", "nature": "agent"}, CLERK)
    rpc.customer.approve_customer(customer["id"], MANAGER)
    return customer["id"]


def register(rpc, customer_id, quantity=2, price="450.00"):
    return rpc.complaints.register_complaint(
        {
            "customer_id": customer_id,
            "channel": "hotline",
            "order_no": "SO-2026-0001",
            "ship_date": "2026-10-01",
            "description": "外壳破损",
            "request": "return",
            "lines": [{"sku": "P-100", "quantity": quantity, "unit_price": price}],
        },
        CS,
    )


def test_a_customer_that_is_unknown_or_has_no_orders_cannot_complain(suite):  # rule P2, rule C3
    rpc, _, _ = suite
    with pytest.raises(CustomerUnknown):
        register(rpc, "no-such-customer")
    pending = rpc.customer.create_customer({"name": "未审客户", "nature": "agent"}, CLERK)
    with pytest.raises(CustomerHasNoOrders):
        register(rpc, pending["id"])
    lead = rpc.customer.create_customer(
        {"name": "线索客户", "nature": "agent", "status": "lead"}, CLERK
    )
    with pytest.raises(CustomerHasNoOrders):
        register(rpc, lead["id"])
    assert rpc.complaints.list_complaints({}, 1, 50)["total"] == 0


def test_dormant_and_lost_customers_may_complain(suite):  # rule P2 (seed 000), rule C3
    rpc, _, _ = suite
    dormant, lost = active_customer(rpc), active_customer(rpc)
    rpc.customer.change_status(dormant, {"status": "dormant", "reason": "半年无订单"}, MANAGER)
    rpc.customer.change_status(lost, {"status": "lost", "reason": "转向竞争对手"}, MANAGER)
    for customer_id in (dormant, lost):
        assert register(rpc, customer_id)["status"] == "registered"
    assert rpc.complaints.list_complaints({}, 1, 50)["total"] == 2


def test_case_numbers_are_readable_and_unique_per_year(suite):
    rpc, _, _ = suite
    customer_id = active_customer(rpc)
    first, second = register(rpc, customer_id), register(rpc, customer_id)
    year = utcnow().year
    assert first["number"].startswith(f"TS-{year}-")
    assert int(second["number"].rsplit("-", 1)[1]) == int(first["number"].rsplit("-", 1)[1]) + 1


def test_whole_chain_from_registration_to_closure(suite):
    rpc, dispatch, _ = suite
    customer_id = active_customer(rpc)
    case = register(rpc, customer_id, quantity=10, price="1200.00")
    assert case["status"] == "registered"
    case_id = case["id"]

    accepted = rpc.complaints.accept_complaint(case_id, {"promised_days": 7}, CS)
    assert accepted["status"] == "accepted" and accepted["due_at"]

    with pytest.raises(SharesDoNotSumToOne):
        rpc.complaints.record_investigation(
            case_id,
            {
                "findings": "注塑缺陷",
                "cause": "模具磨损",
                "cause_category": "non_sales",
                "responsibility": [
                    {"department": "production", "person": "张三", "share": "0.6"},
                    {"department": "quality", "person": "李四", "share": "0.399"},
                ],
            },
            QUALITY,
        )
    investigated = rpc.complaints.record_investigation(
        case_id,
        {
            "findings": "注塑缺陷",
            "cause": "模具磨损",
            "cause_category": "non_sales",
            "responsibility": [
                {"department": "production", "person": "张三", "share": "0.6"},
                {"department": "quality", "person": "李四", "share": "0.4"},
            ],
        },
        QUALITY,
    )
    assert investigated["status"] == "investigated"

    # 10 x 1200.00 = 12,000.00 > 10,000.00: the vp must approve (rule P6).
    plan = rpc.complaints.post_plan(
        case_id,
        {
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "P-100", "quantity": 10, "unit_price": "1200.00"}],
                },
            ]
        },
        CS,
    )
    assert plan["amount"] == "12000.00" and plan["required_approver"] == "vp"
    with pytest.raises(ApproverRankTooLow):
        rpc.complaints.approve_plan(case_id, plan["id"], CS_MANAGER)
    assert rpc.complaints.approve_plan(case_id, plan["id"], VP)["status"] == "approved"

    # Declined: the next plan is round 2, linked to round 1 (rule P7).
    rpc.complaints.record_customer_response(case_id, plan["id"], {"accepted": False}, CS)
    second = rpc.complaints.post_plan(
        case_id,
        {
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "P-100", "quantity": 10, "unit_price": "1200.00"}],
                },
                {"type": "allowance", "amount": "300.00"},
            ]
        },
        CS,
    )
    assert second["round"] == 2 and second["previous_plan_id"] == plan["id"]
    rpc.complaints.approve_plan(case_id, second["id"], VP)
    executing = rpc.complaints.record_customer_response(
        case_id, second["id"], {"accepted": True, "comment": "同意"}, CS
    )
    assert executing["status"] == "executing"

    wait_for(lambda: [p for t, p in published if t == "plan_accepted"])
    (accepted_event,) = [p for t, p in published if t == "plan_accepted"]
    assert accepted_event["complaint_id"] == case_id
    assert {a["type"] for a in accepted_event["actions"]} == {"return", "allowance"}
    assert accepted_event["approved_quantities"][0]["quantity"] == 10
    allowance_id = next(
        a["action_id"] for a in accepted_event["actions"] if a["type"] == "allowance"
    )

    # Returns and finance report back (rule P8); a duplicate event changes nothing.
    return_id = uuid.uuid4().hex
    received = {
        "event_id": uuid.uuid4().hex,
        "return_id": return_id,
        "complaint_id": case_id,
        "customer_id": customer_id,
        "lines": [{"sku": "P-100", "authorized_quantity": 10, "received_quantity": 10}],
    }
    dispatch("returns", "return_received", received)
    dispatch("returns", "return_received", received)
    dispatch(
        "finance",
        "voucher_issued",
        {
            "event_id": uuid.uuid4().hex,
            "voucher_id": uuid.uuid4().hex,
            "type": "allowance",
            "customer_id": customer_id,
            "complaint_id": case_id,
            "action_id": allowance_id,
            "amount": "300.00",
        },
    )
    wait_for(
        lambda: rpc.complaints.get_complaint(case_id)["actions"][-1]["state"] == "done", timeout=15
    )
    assert rpc.complaints.get_complaint(case_id)["status"] == "executing"  # return not credited
    dispatch(
        "finance",
        "voucher_issued",
        {
            "event_id": uuid.uuid4().hex,
            "voucher_id": uuid.uuid4().hex,
            "type": "return_credit",
            "customer_id": customer_id,
            "complaint_id": case_id,
            "return_id": return_id,
            "amount": "12000.00",
        },
    )
    wait_for(lambda: rpc.complaints.get_complaint(case_id)["status"] == "resolved", timeout=15)

    closed = rpc.complaints.record_follow_up(case_id, {"satisfied": True, "score": 5}, CS)
    assert closed["status"] == "closed"
    history = closed["history"]
    assert [h["action"] for h in history][0] == "registered"
    assert history == sorted(history, key=lambda h: h["at"])
    assert [h for h in history if h["action"] == "return_received"].__len__() == 1

    wait_for(lambda: [p for t, p in published if t == "loss_apportioned"])
    (loss,) = [p for t, p in published if t == "loss_apportioned"]
    assert loss["loss"] == "12300.00"
    assert [p["amount"] for p in loss["parts"]] == ["7380.00", "4920.00"]

    # rule P11: the case counts in the month it closed on the business's calendar (UTC+8).
    closed_at = datetime.fromisoformat(closed["closed_at"])
    month = closed_at.astimezone(ComplaintSettings().business_tz).strftime("%Y-%m")
    report = rpc.complaints.monthly_report(month)
    assert (report["closed"], report["by_customer"]) == (1, {customer_id: 1})
    assert report["problem_ratio"] == {"production": "0.6000", "quality": "0.4000"}


def test_reminders_are_issued_once_before_and_at_the_due_time(suite):
    rpc, _, db_url = suite
    customer_id = active_customer(rpc)
    case = register(rpc, customer_id)
    settings = with_calendar(ComplaintSettings())  # the service's: China's working days
    database = Database(db_url)
    # rule P10: the clock counts working hours of that calendar, so on a weekend or a
    # holiday the case is due later than 24 hours on: the times come from the case.
    registered = datetime.fromisoformat(case["registered_at"])
    due = datetime.fromisoformat(case["step_due_at"])
    assert (case["current_step"], due) == (
        "acceptance",
        settings.step_due("acceptance", registered),
    )
    reminder = settings.reminder_at(registered, due)
    assert registered < reminder < due

    def run_timer(at):
        issued = 0
        for complaint_id in queries.due_for_notices(UnitOfWork(database), at):
            uow = UnitOfWork(database, repositories=REPOSITORIES)
            issued += handlers.issue_notices(uow, settings, complaint_id, at)
        return issued

    assert run_timer(registered) == 0
    assert run_timer(reminder - timedelta(seconds=1)) == 0
    assert run_timer(reminder) == 1
    assert run_timer(reminder + timedelta(minutes=1)) == 0  # once
    assert run_timer(due + timedelta(hours=1)) == 1
    notices = rpc.complaints.list_notices({"type": "reminder"}, 1, 50)
    mine = [n for n in notices["items"] if n["complaint_id"] == case["id"]]
    assert sorted(n["kind"] for n in mine) == ["due_soon", "overdue"]
    assert {n["department"] for n in mine} == {"customer_service"}
