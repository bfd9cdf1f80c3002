"""The collection rate per sales owner over a period (rule F6), receivables tied to open
complaints left out; complaints followed from their events."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance.commands import RecordInvoice, RecordPayment
from finance.domain import TrackedComplaint, collection_rate
from finance.testing import NOW, complaint, customer, known_account
from servicekit.errors import Invalid

OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)


def invoice(account, number, amount, due, order_no=None):
    account.record_invoice(
        RecordInvoice(
            account.id, number, due - timedelta(days=30), Decimal(amount), due, (), order_no
        ),
        "zhao.min",
        NOW,
        OCT_1,
    )


def pay(account, amount, on):
    account.record_payment(
        RecordPayment(account.id, Decimal(amount), on, f"BANK-{on}"), "zhao.min", NOW, OCT_1
    )


def test_the_rate_is_what_was_collected_of_what_fell_due():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10))
    invoice(account, "FP-2", "1000.00", date(2026, 10, 20))
    invoice(account, "FP-3", "5000.00", date(2026, 11, 20))  # due after the period
    pay(account, "1500.00", date(2026, 10, 25))
    rate = collection_rate([account], "wang.sales", OCT_1, OCT_31, [])
    assert (rate.receivable, rate.collected, rate.rate) == (
        Decimal("2000.00"),
        Decimal("1500.00"),
        Decimal("0.7500"),
    )
    assert (rate.invoices, rate.excluded_invoices) == (2, 0)


def test_a_payment_after_the_period_is_not_collected_in_it():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10))
    pay(account, "1000.00", date(2026, 11, 1))
    assert collection_rate([account], "wang.sales", OCT_1, OCT_31, []).rate == Decimal("0.0000")
    pay_day = collection_rate([account], "wang.sales", OCT_1, date(2026, 11, 1), [])
    assert pay_day.rate == Decimal("1.0000")


def test_receivables_tied_to_an_open_complaint_are_left_out():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10), order_no="SO-1")
    invoice(account, "FP-2", "1000.00", date(2026, 10, 20), order_no="SO-2")
    pay(account, "1000.00", date(2026, 10, 21))  # settles FP-1, the one in dispute
    open_case = TrackedComplaint(complaint(order_no="SO-1"))
    rate = collection_rate([account], "wang.sales", OCT_1, OCT_31, [open_case])
    assert (rate.receivable, rate.collected, rate.rate) == (
        Decimal("1000.00"),
        Decimal("0.00"),
        Decimal("0.0000"),
    )
    assert (rate.excluded, rate.excluded_invoices) == (Decimal("1000.00"), 1)


def test_a_complaint_naming_no_order_ties_every_receivable_of_its_customer():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10), order_no="SO-1")
    invoice(account, "FP-2", "500.00", date(2026, 10, 20))
    open_case = TrackedComplaint(complaint(order_no=None))
    rate = collection_rate([account], "wang.sales", OCT_1, OCT_31, [open_case])
    assert (rate.invoices, rate.excluded_invoices, rate.rate) == (0, 2, None)


def test_a_closed_complaint_ties_nothing():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10), order_no="SO-1")
    case = TrackedComplaint(complaint())
    assert case.learn(complaint(open=False))
    rate = collection_rate([account], "wang.sales", OCT_1, OCT_31, [case])
    assert (rate.invoices, rate.excluded_invoices) == (1, 0)


def test_an_end_that_came_before_the_registration_keeps_the_complaint_closed():  # rule F6
    case = TrackedComplaint(complaint(open=False))
    assert not case.open
    assert case.learn(complaint(open=True))  # the registration's facts are kept
    assert not case.open and case.opened_at is not None
    assert not case.learn(complaint(open=False))


def test_credits_lower_what_was_due_not_what_was_collected():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10))
    account.credit(
        voucher_id="v-1",
        voucher_type="return_credit",
        number="PZ-2026-000001",
        amount=Decimal("400.00"),
        complaint_id="case-1",
        by="zhao.min",
        now=NOW,
        today=date(2026, 10, 5),
    )
    pay(account, "300.00", date(2026, 10, 15))
    rate = collection_rate([account], "wang.sales", OCT_1, OCT_31, [])
    assert (rate.receivable, rate.collected, rate.rate) == (
        Decimal("600.00"),
        Decimal("300.00"),
        Decimal("0.5000"),
    )


def test_an_invoice_counts_for_the_owner_it_was_recorded_under():  # rule F6
    account = known_account()
    invoice(account, "FP-1", "1000.00", date(2026, 10, 10))
    account.learn(customer(owner="zhou.sales", terms=False, at=NOW + timedelta(1)), NOW)
    invoice(account, "FP-2", "200.00", date(2026, 10, 12))
    assert collection_rate([account], "wang.sales", OCT_1, OCT_31, []).receivable == Decimal(
        "1000.00"
    )
    assert collection_rate([account], "zhou.sales", OCT_1, OCT_31, []).receivable == Decimal(
        "200.00"
    )


def test_a_period_ends_after_it_starts():  # rule F6
    with pytest.raises(Invalid):
        collection_rate([], "wang.sales", OCT_31, OCT_1, [])
