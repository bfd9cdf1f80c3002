"""The events the customer service reads for its summaries (rule X1), as their producers'
domains really make them (finance's ledger, complaints' cases), load with customer's
readings and become its facts; what it publishes (``customer.grade_changed``) loads with
its published schema. A producer that drops a field fails here."""

import inspect
from datetime import UTC, date, datetime
from decimal import Decimal

from complaints.testing import CaseBuilder, allowance, line, share
from customer import grading_handlers, handlers
from customer.commands import CreateCustomer
from customer.domain import CustomerSettings
from customer.grading_commands import InvoiceFact
from customer.grading_testing import FAKE_REPOSITORIES
from customer.service import CustomerService
from finance.commands import InvoiceLine, RecordInvoice, RecordPayment
from finance.testing import known_account
from servicekit.contracts import customer_grading as contract
from servicekit.contracts.subscriptions import SUBSCRIPTIONS, Subscription
from servicekit.domain import Actor
from servicekit.events import IdempotentEventHandler
from servicekit.testing import FakeUnitOfWork

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def with_envelope(payload: dict) -> dict:
    """What the unit of work adds to every payload at commit."""
    return {"event_id": "e-1", "occurred_at": NOW.isoformat(), **payload}


def finance_events() -> dict:
    account = known_account("c1")
    invoice = RecordInvoice(
        "c1",
        "FP-1",
        NOW.date(),
        Decimal("900.00"),
        lines=(InvoiceLine("P-100", 2, Decimal("450.00")),),
    )
    account.record_invoice(invoice, "zhao.min", NOW, NOW.date())
    account.record_payment(
        RecordPayment("c1", Decimal("100.00"), NOW.date(), "B"), "zhao.min", NOW, NOW.date()
    )
    found: dict = {}
    for event in account.pull_events():
        found.setdefault(event.event_type, event.payload)  # the first ledger_changed
    return found


def test_an_invoice_as_finance_records_it_becomes_a_purchase_with_its_lines():  # rule X1
    event = contract.InvoiceFactSchema().load(with_envelope(finance_events()["invoice_recorded"]))
    fact = InvoiceFact.of_event(event)
    assert (fact.customer_id, fact.amount, fact.date) == ("c1", Decimal("900.00"), NOW.date())
    assert fact.due_date >= fact.date
    (purchased,) = fact.lines
    assert (purchased.sku, purchased.quantity, purchased.amount) == ("P-100", 2, Decimal("900.00"))


def test_a_ledger_change_as_finance_announces_it_carries_balance_overdue_and_time():
    event = contract.LedgerFactSchema().load(with_envelope(finance_events()["ledger_changed"]))
    assert (event["balance"], event["overdue"]) == (Decimal("900.00"), Decimal("0.00"))
    assert event["occurred_at"] == NOW and event["as_of"] == NOW.date()


def complaint_events(closed: bool = True) -> dict:
    builder = CaseBuilder(
        start=NOW,
        customer_id="c1",
        channel="hotline",
        order_no="SO-1",
        ship_date=date(2026, 11, 1),
        lines=[line("P-100", 2, Decimal("450.00"))],
    )
    if closed:
        builder = (
            builder.accept(7, hour=0)
            .investigate([share("production", Decimal("1"), "张三")], hour=0)
            .plan([allowance(Decimal("50.00"))], 0)
            .approve(hour=0, roles=["cs_manager"])
            .customer_accepts(hour=0)
            .settle(hour=0)
            .follow_up(hour=30)
        )
    else:
        builder = builder.reject(hour=2)
    return {e.event_type: e.payload for e in builder.build().pull_events()}


def test_complaints_cases_as_complaints_announces_them_load_with_customers_readings():
    events = complaint_events()
    registered = contract.ComplaintRegisteredFactSchema().load(
        with_envelope(events["complaint_registered"])
    )
    assert registered["customer_id"] == "c1" and registered["registered_at"].tzinfo
    closed = contract.ComplaintClosedFactSchema().load(with_envelope(events["complaint_closed"]))
    assert closed["satisfied"] is True and 1 <= closed["satisfaction"] <= 5
    assert closed["closed_at"] > closed["registered_at"]
    rejected = contract.ComplaintRejectedFactSchema().load(
        with_envelope(complaint_events(closed=False)["complaint_rejected"])
    )
    assert rejected["customer_id"] == "c1" and rejected["rejected_at"].tzinfo


def test_grade_changed_as_the_domain_announces_it_loads_with_its_schema():  # rule C6
    uow = FakeUnitOfWork(FAKE_REPOSITORIES)
    settings = CustomerSettings()
    clerk, manager = Actor("li.na", ("sales_clerk",)), Actor("liu", ("sales_manager",))

    customer = handlers.create_customer(
        uow, CreateCustomer(name="华东机电", nature="agent"), clerk, settings
    )
    handlers.approve_customer(uow, customer.id, manager)
    grading_handlers.regrade_customer(uow, settings, customer.id, Actor("mm", ()), NOW)
    (payload,) = [e.payload for e in uow.events if e.event_type == "grade_changed"]
    loaded = contract.GradeChangedEventSchema().load(payload)
    assert loaded["customer_id"] == customer.id and loaded["trigger"] == "manual"
    assert loaded["reason"] == "re-graded at the request of mm"
    assert set(loaded["components"]) == set(contract.COMPONENTS)


def test_every_event_handler_of_the_mixin_is_in_the_subscription_table():  # rule X1
    """tests/contract/test_subscriptions looks at the service class's own methods only;
    the handlers of ``GradingEntrypoints`` are inherited, so they are checked here."""
    found = {
        Subscription(e.source_service, e.event_type, "customer", name)
        for name, method in inspect.getmembers(CustomerService)
        for e in getattr(method, "nameko_entrypoints", ())
        if isinstance(e, IdempotentEventHandler)
    }
    assert {s.event_type for s in found} >= {
        "invoice_recorded",
        "ledger_changed",
        "complaint_registered",
        "complaint_closed",
        "complaint_rejected",
    }
    assert found <= set(SUBSCRIPTIONS)
