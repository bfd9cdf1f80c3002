"""The receivables ledger on the aggregate alone (rule F4): balance, overdue and ageing at
their day boundaries, invoices and payments refused, and a property-based check that every
ledger balances whatever its entries."""

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.commands import InvoiceLine, RecordInvoice, RecordPayment
from finance.domain import Account, LedgerEntry, allocate, statement
from finance.domain.ledger import bucket_of
from finance.domain.terms import due_date_for
from finance.testing import NOW, known_account
from servicekit.contracts.finance_vocabulary import (
    AGEING_BUCKETS,
    CustomerUnknown,
    InvoiceAmountMismatch,
)
from servicekit.errors import Invalid

DAY = date(2026, 1, 1)


def entry(kind: str, amount: str, on: date, due: date | None = None, n: int = 0) -> LedgerEntry:
    return LedgerEntry(
        id=f"e{n:04d}",
        customer_id="cust-1",
        kind=kind,
        amount=Decimal(amount),
        date=on,
        due_date=due if kind == "invoice" else None,
        recorded_at=NOW + timedelta(seconds=n),
        recorded_by="zhao.min",
    )


def invoice(amount: str, on: date = DAY, due_days: int = 30, n: int = 0) -> LedgerEntry:
    return entry("invoice", amount, on, on + timedelta(days=due_days), n)


def test_balance_is_invoices_less_payments_less_credits():  # rule F4
    entries = [
        invoice("1000.00", n=1),
        entry("payment", "300.00", DAY, n=2),
        entry("credit", "200.50", DAY, n=3),
    ]
    result = statement(entries, DAY)
    assert result.balance == Decimal("499.50")
    assert [e["balance"] for e in result.entries] == [
        Decimal("1000.00"),
        Decimal("700.00"),
        Decimal("499.50"),
    ]


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (1, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (400, "90+"),
    ],
)
def test_ageing_buckets_count_the_days_past_due(days, bucket):  # rule F4
    assert bucket_of(days) == bucket
    due = DAY + timedelta(days=30)
    result = statement([invoice("100.00")], due + timedelta(days=days))
    assert result.overdue == Decimal("100.00")
    assert result.ageing[bucket] == Decimal("100.00")
    assert sum(result.ageing.values()) == result.overdue


def test_nothing_is_overdue_on_its_due_date():  # rule F4
    result = statement([invoice("100.00")], DAY + timedelta(days=30))
    assert result.overdue == Decimal("0.00")
    assert result.ageing == dict.fromkeys(AGEING_BUCKETS, Decimal("0.00"))


def test_payments_settle_the_invoice_due_first():  # rule F4
    old = invoice("100.00", DAY, due_days=10, n=1)
    new = invoice("100.00", DAY + timedelta(days=5), due_days=60, n=2)
    paid = entry("payment", "60.00", DAY + timedelta(days=6), n=3)
    result = statement([new, old, paid], DAY + timedelta(days=40))
    # the old invoice (due day 10) keeps 40.00 for 30 days; the new one is not due yet
    assert result.overdue == Decimal("40.00")
    assert result.ageing["0-30"] == Decimal("40.00")
    assert result.balance == Decimal("140.00")


def test_a_prepayment_waits_for_the_next_invoice():  # rule F4
    prepaid = entry("payment", "150.00", DAY, n=1)
    later = invoice("100.00", DAY + timedelta(days=3), due_days=0, n=2)
    states = allocate([prepaid, later])
    assert states[0].remaining == Decimal("0.00")
    assert states[0].payments == [(DAY, Decimal("100.00"))]
    assert statement([prepaid, later], DAY + timedelta(days=90)).balance == Decimal("-50.00")


def test_an_invoice_is_due_by_the_customers_terms_when_no_date_is_given():  # rule F4
    assert due_date_for("net_30", date(2026, 1, 31)) == date(2026, 3, 2)
    assert due_date_for("cash_on_delivery", DAY) == DAY
    assert due_date_for("monthly_statement", date(2026, 1, 15)) == date(2026, 2, 28)
    assert due_date_for("monthly_statement", date(2026, 12, 3)) == date(2027, 1, 31)
    with pytest.raises(Invalid):
        due_date_for(None, DAY)


def test_an_invoice_is_recorded_with_its_events():  # rule F4
    account = known_account()
    account.pull_events()
    entry = account.record_invoice(
        RecordInvoice.of(
            customer_id="cust-1",
            number="FP-0001",
            date=DAY,
            amount=Decimal("900.00"),
            lines=[{"sku": "P-100", "quantity": 2, "unit_price": Decimal("450.00")}],
        ),
        "zhao.min",
        NOW,
        DAY,
    )
    assert entry.due_date == DAY + timedelta(days=30) and entry.owner == "wang.sales"
    recorded, changed = account.pull_events()
    assert recorded.event_type == "invoice_recorded"
    assert recorded.payload["lines"][0]["amount"] == "900.00"
    assert changed.event_type == "ledger_changed"
    assert (changed.payload["balance"], changed.payload["overdue"]) == ("900.00", "0.00")


def test_an_invoice_whose_lines_do_not_add_up_is_refused():  # rule F4
    account = known_account()
    with pytest.raises(InvoiceAmountMismatch):
        account.record_invoice(
            RecordInvoice(
                "cust-1",
                "FP-0002",
                DAY,
                Decimal("901.00"),
                lines=(InvoiceLine("P-100", 2, Decimal("450.00")),),
            ),
            "zhao.min",
            NOW,
            DAY,
        )
    assert account.entries == []


def test_an_invoice_due_before_its_date_is_refused():  # rule F4
    with pytest.raises(Invalid):
        known_account().record_invoice(
            RecordInvoice("cust-1", "FP-3", DAY, Decimal("1.00"), due_date=DAY - timedelta(1)),
            "zhao.min",
            NOW,
            DAY,
        )


def test_a_customer_finance_has_no_card_of_has_no_invoices_or_payments():  # rule F4
    account = Account("cust-9", NOW)
    with pytest.raises(CustomerUnknown):
        account.record_payment(
            RecordPayment("cust-9", Decimal("1.00"), DAY, "BANK-1"), "zhao.min", NOW, DAY
        )
    with pytest.raises(CustomerUnknown):
        account.record_invoice(
            RecordInvoice("cust-9", "FP-9", DAY, Decimal("1.00"), due_date=DAY),
            "zhao.min",
            NOW,
            DAY,
        )


def test_a_voucher_credits_the_ledger_once():  # rule F4
    account = Account("cust-1", NOW)  # a credit needs no card: its voucher names the customer
    first = account.credit(
        voucher_id="v-1",
        voucher_type="return_credit",
        number="PZ-2026-000001",
        amount=Decimal("450.00"),
        complaint_id="case-1",
        by="zhao.min",
        now=NOW,
        today=DAY,
    )
    again = account.credit(
        voucher_id="v-1",
        voucher_type="return_credit",
        number="PZ-2026-000001",
        amount=Decimal("450.00"),
        complaint_id="case-1",
        by="zhao.min",
        now=NOW,
        today=DAY,
    )
    assert again is first and len(account.entries) == 1
    assert account.statement(DAY).balance == Decimal("-450.00")


# --- every ledger balances (property-based) -------------------------------------------
amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
entries_st = st.lists(
    st.tuples(
        st.sampled_from(["invoice", "invoice", "payment", "credit"]),
        amounts,
        st.integers(min_value=0, max_value=200),  # day of the entry
        st.integers(min_value=0, max_value=120),  # days to pay an invoice
    ),
    max_size=40,
)


@settings(derandomize=not os.environ.get("FUZZ_RANDOM"), max_examples=300, deadline=None)
@given(entries_st, st.integers(min_value=0, max_value=400))
def test_every_ledger_balances_whatever_its_entries(raw, as_of_day):  # rule F4
    entries = [
        entry(kind, str(amount), DAY + timedelta(days=d), DAY + timedelta(days=d + due), n)
        for n, (kind, amount, d, due) in enumerate(raw)
    ]
    as_of = DAY + timedelta(days=as_of_day)
    result = statement(entries, as_of)
    expected = sum((e.amount for e in entries if e.kind == "invoice"), Decimal(0)) - sum(
        (e.amount for e in entries if e.kind != "invoice"), Decimal(0)
    )
    # the sum of the entries is the balance, entry by entry
    assert result.balance == expected
    running = Decimal(0)
    for view in result.entries:
        running += view["amount"] if view["kind"] == "invoice" else -view["amount"]
        assert view["balance"] == running
    # the ageing adds up to what is overdue, which is never more than what is owed
    assert sum(result.ageing.values(), Decimal(0)) == result.overdue
    assert Decimal(0) <= result.overdue <= max(result.balance, Decimal(0))
    # what is left open of the invoices is exactly what is owed
    states = allocate(entries)
    assert sum((s.remaining for s in states), Decimal(0)) == max(expected, Decimal(0))
    for state in states:
        settled = state.credited + sum((a for _, a in state.payments), Decimal(0))
        assert 0 <= state.remaining <= state.entry.amount
        assert state.remaining + settled == state.entry.amount


def test_the_property_sees_overdue_amounts():  # rule F4
    """The property above must meet overdue ledgers, or it proves little of the ageing."""
    late = statement([invoice("10.00")], datetime(2026, 6, 1, tzinfo=UTC).date())
    assert late.overdue == Decimal("10.00")
