"""Finance's copy of a customer's card (rule X1), newest fact first, and the credit check
on it (rule F5) at its boundaries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from finance.commands import RecordInvoice, RecordPayment
from finance.domain import Account, check_credit
from finance.testing import NOW, customer, known_account

TODAY = date(2026, 11, 2)
LATER = NOW + timedelta(minutes=5)


def test_a_late_older_version_never_overwrites_a_newer_one():  # rule X1
    account = Account("cust-1", NOW)
    account.learn(customer(version=2, credit_limit="20000.00"), NOW)
    changes = account.learn(customer(version=1, credit_limit="5000.00"), LATER)
    assert changes == {}
    assert account.credit_limit == Decimal("20000.00")
    assert account.terms_version == 2


def test_a_newer_version_replaces_the_terms_and_is_kept_in_history():  # rule X1
    account = Account("cust-1", NOW)
    account.learn(customer(version=1, credit_limit="5000.00"), NOW)
    account.pull_history()
    changes = account.learn(customer(version=2, credit_limit="20000.00", ratio="0.10"), LATER)
    assert changes["credit_limit"] == {"old": "5000.00", "new": "20000.00"}
    assert account.over_acceptance_ratio == Decimal("0.10")
    (entry,) = account.pull_history()
    assert (entry.action, entry.changes["version"]) == ("card_learned", 2)


def test_without_versions_the_time_the_event_occurred_orders_them():  # rule X1
    account = Account("cust-1", NOW)
    account.learn(customer(at=LATER, credit_limit="20000.00"), NOW)
    account.learn(customer(at=NOW, credit_limit="5000.00"), LATER)
    assert account.credit_limit == Decimal("20000.00")
    account.learn(customer(at=LATER + timedelta(seconds=1), credit_limit="7000.00"), LATER)
    assert account.credit_limit == Decimal("7000.00")


def test_a_versioned_fact_is_newer_than_any_unversioned_one():  # rule X1
    account = Account("cust-1", NOW)
    account.learn(customer(version=1, at=NOW, credit_limit="20000.00"), NOW)
    account.learn(customer(at=LATER, credit_limit="5000.00"), LATER)
    assert account.credit_limit == Decimal("20000.00")


def test_an_owner_change_leaves_the_terms_to_a_late_terms_event():  # rule X1
    account = Account("cust-1", NOW)
    account.learn(customer(version=1, credit_limit="5000.00"), NOW)
    account.learn(customer(version=3, owner="zhou.sales", terms=False), NOW)
    # version 2 changed the terms before the owner changed: its terms still count
    account.learn(customer(version=2, credit_limit="8000.00", owner="wang.sales"), LATER)
    assert account.credit_limit == Decimal("8000.00")
    assert account.owner == "zhou.sales"


def test_the_customers_ratio_or_the_company_default_is_the_tolerance():  # rule F1
    assert known_account(ratio="0.10").tolerance(Decimal("0.05")) == Decimal("0.10")
    assert known_account().tolerance(Decimal("0.05")) == Decimal("0.05")


def test_an_account_is_known_once_a_customer_event_reached_finance():  # rule X1
    assert not Account("cust-1", NOW).known
    assert known_account().known


# --- rule F5 -------------------------------------------------------------------------
def with_invoice(amount: str, due: date, **terms) -> Account:
    account = known_account(**terms)
    account.record_invoice(
        RecordInvoice("cust-1", "FP-1", due - timedelta(days=30), Decimal(amount), due_date=due),
        "zhao.min",
        NOW,
        TODAY,
    )
    return account


@pytest.mark.parametrize(
    ("amount", "decision", "reason"),
    [("6000.00", "pass", "within_credit"), ("6000.01", "hold", "over_credit_limit")],
)
def test_an_order_passes_up_to_the_credit_left(amount, decision, reason):  # rule F5
    account = with_invoice("4000.00", TODAY + timedelta(days=10))  # limit 10000.00
    result = check_credit(account, "cust-1", Decimal(amount), TODAY)
    assert (result.decision, result.reason) == (decision, reason)
    assert result.available_credit == Decimal("6000.00")
    assert result.open_balance == Decimal("4000.00")


def test_anything_overdue_holds_the_order_whatever_its_amount():  # rule F5
    account = with_invoice("100.00", TODAY - timedelta(days=1))
    result = check_credit(account, "cust-1", Decimal("1.00"), TODAY)
    assert (result.decision, result.reason, result.overdue) == (
        "hold",
        "overdue",
        Decimal("100.00"),
    )


def test_an_invoice_due_today_is_not_overdue_yet():  # rule F5
    account = with_invoice("100.00", TODAY)
    assert check_credit(account, "cust-1", Decimal("1.00"), TODAY).decision == "pass"


def test_payments_give_the_credit_back():  # rule F5
    account = with_invoice("10000.00", TODAY + timedelta(days=10))
    assert check_credit(account, "cust-1", Decimal("1.00"), TODAY).decision == "hold"
    account.record_payment(
        RecordPayment("cust-1", Decimal("2500.00"), TODAY, "BANK-1"), "zhao.min", NOW, TODAY
    )
    result = check_credit(account, "cust-1", Decimal("2500.00"), TODAY)
    assert (result.decision, result.available_credit) == ("pass", Decimal("2500.00"))


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        (None, "unknown_customer"),
        (Account("cust-1", NOW), "unknown_customer"),
        (known_account(status="lost"), "customer_not_active"),
        (known_account(status="pending_approval"), "customer_not_active"),
        (known_account(credit_limit=None), "no_credit_terms"),
    ],
)
def test_a_customer_finance_cannot_vouch_for_is_held(account, reason):  # rule F5
    result = check_credit(account, "cust-1", Decimal("1.00"), TODAY)
    assert (result.decision, result.reason, result.available_credit) == ("hold", reason, None)


def test_a_dormant_customer_may_still_order_on_credit():  # rule F5
    result = check_credit(known_account(status="dormant"), "cust-1", Decimal("1.00"), TODAY)
    assert result.decision == "pass"
