"""The customer service's own summaries of finance's and complaints' events (rule X1):
each fact kept once, the newest balance kept, windows by business day, and where the
balance sits when it is overdue (rule F4 as finance settles invoices)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from customer.domain.summaries import (
    CustomerSummary,
    Purchase,
    PurchaseLine,
    business_date,
    day_start,
    summary_view,
)

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


def purchase(amount: str, on: date, due: date | None = None, id: str | None = None, lines=()):
    return Purchase(
        id=id or f"inv-{on.isoformat()}-{amount}",
        customer_id="c-1",
        number="FP-1",
        date=on,
        due_date=due or on + timedelta(days=30),
        amount=Decimal(amount),
        lines=tuple(lines),
    )


def summary(*purchases: Purchase) -> CustomerSummary:
    kept = CustomerSummary("c-1", NOW)
    for p in purchases:
        kept.record_invoice(p, NOW)
    return kept


def test_an_invoice_is_kept_once():  # rule X1
    kept = CustomerSummary("c-1", NOW)
    first = purchase("900.00", date(2026, 10, 3), id="inv-1")
    assert kept.record_invoice(first, NOW) is True
    assert kept.record_invoice(purchase("900.00", date(2026, 10, 3), id="inv-1"), NOW) is False
    assert kept.purchases_between(date(2026, 1, 1), date(2026, 12, 31)) == Decimal("900.00")


def test_purchases_per_month_quarter_and_product():  # rule X1
    lines_a = [PurchaseLine("P-100", 2, Decimal("900.00"))]
    lines_b = [PurchaseLine("P-100", 1, Decimal("450.00")), PurchaseLine("S-2", 10, Decimal("50"))]
    kept = summary(
        purchase("900.00", date(2026, 9, 30), lines=lines_a),
        purchase("500.00", date(2026, 10, 1), lines=lines_b),
        purchase("100.00", date(2026, 10, 20)),  # no lines: not in by_product
    )
    assert kept.by_month() == {"2026-09": Decimal("900.00"), "2026-10": Decimal("600.00")}
    assert kept.by_quarter() == {"2026Q3": Decimal("900.00"), "2026Q4": Decimal("600.00")}
    assert kept.by_product() == {
        "P-100": {"quantity": 3, "amount": Decimal("1350.00")},
        "S-2": {"quantity": 10, "amount": Decimal("50.00")},
    }
    # both ends of a window count
    assert kept.purchases_between(date(2026, 9, 30), date(2026, 10, 1)) == Decimal("1400.00")
    assert kept.invoices_between(date(2026, 10, 1), date(2026, 10, 19)) == 1


def test_the_newest_balance_wins_and_a_late_older_one_changes_nothing():  # rule X1
    kept = CustomerSummary("c-1", NOW)
    later = NOW + timedelta(minutes=5)
    assert kept.record_ledger(
        balance=Decimal("300"), overdue=Decimal("0"), ageing={}, as_of=date(2026, 11, 15),
        at=later, now=NOW,
    )  # fmt: skip
    assert not kept.record_ledger(
        balance=Decimal("900"), overdue=Decimal("900"), ageing={}, as_of=date(2026, 11, 15),
        at=NOW, now=NOW,
    )  # fmt: skip
    assert (kept.balance, kept.overdue) == (Decimal("300.00"), Decimal("0.00"))


def test_the_balance_sits_on_the_invoices_that_fall_due_last():  # rule F4 as finance does it
    kept = summary(
        purchase("1000.00", date(2026, 8, 1), due=date(2026, 9, 1), id="old"),
        purchase("500.00", date(2026, 10, 1), due=date(2026, 11, 30), id="new"),
    )
    kept.record_ledger(
        balance=Decimal("800.00"), overdue=Decimal("0"), ageing={}, as_of=date(2026, 8, 1),
        at=NOW, now=NOW,
    )  # fmt: skip
    # 500 on the invoice due 30 November, 300 left of the one due 1 September
    assert [(o.invoice_id, o.amount) for o in kept.open_amounts()] == [
        ("new", Decimal("500.00")),
        ("old", Decimal("300.00")),
    ]
    assert kept.overdue_on(date(2026, 9, 1)) == Decimal("0.00")  # due that day: not yet
    assert kept.overdue_on(date(2026, 9, 2)) == Decimal("300.00")
    assert kept.overdue_on(date(2026, 12, 1)) == Decimal("800.00")
    assert kept.oldest_overdue_days(date(2026, 11, 15)) == 75


def test_what_finance_said_was_overdue_counts_though_the_invoices_are_unknown():  # rule X1
    kept = CustomerSummary("c-1", NOW)
    kept.record_ledger(
        balance=Decimal("400.00"), overdue=Decimal("400.00"), ageing={"31-60": "400.00"},
        as_of=date(2026, 11, 10), at=NOW, now=NOW,
    )  # fmt: skip
    assert kept.overdue_on(date(2026, 11, 15)) == Decimal("400.00")
    assert kept.overdue_on(date(2026, 11, 9)) == Decimal("0.00")  # before finance said so
    assert kept.oldest_overdue_days(date(2026, 11, 15)) == 31 + 5


def test_a_paid_up_customer_owes_nothing_overdue():
    kept = summary(purchase("1000.00", date(2026, 1, 1), due=date(2026, 2, 1)))
    kept.record_ledger(
        balance=Decimal("0.00"), overdue=Decimal("0"), ageing={}, as_of=date(2026, 3, 1),
        at=NOW, now=NOW,
    )  # fmt: skip
    assert kept.overdue_on(date(2026, 11, 15)) == Decimal("0.00")
    assert kept.oldest_overdue_days(date(2026, 11, 15)) == 0


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_complaints_are_kept_once_whichever_event_comes_first():  # rule X1
    kept = CustomerSummary("c-1", NOW)
    assert kept.complaint_closed(
        "cp-1", "TS-1", registered_at=at(1), closed_at=at(9), satisfied=True, satisfaction=4,
        now=NOW,
    )  # fmt: skip
    assert not kept.complaint_registered("cp-1", "TS-1", at(1), NOW)  # arrived late
    assert not kept.complaint_closed(
        "cp-1", "TS-1", registered_at=at(1), closed_at=at(9), satisfied=True, satisfaction=4,
        now=NOW,
    )  # fmt: skip
    assert kept.complaint_registered("cp-2", "TS-2", at(3), NOW)
    assert not kept.complaint_registered("cp-2", "TS-2", at(3), NOW)
    assert len(kept.complaints) == 2
    assert kept.open_complaints() == 1
    assert kept.satisfaction_between(date(2026, 11, 1), date(2026, 11, 30), 8) == Decimal("4.00")


def test_a_rejected_case_is_no_complaint_and_no_dispute():  # rule C8
    kept = CustomerSummary("c-1", NOW)
    kept.complaint_registered("cp-1", "TS-1", at(1), NOW)
    assert kept.complaint_rejected("cp-1", "TS-1", at(2), NOW)
    assert not kept.complaint_rejected("cp-1", "TS-1", at(2), NOW)
    assert kept.open_complaints() == 0
    assert kept.complaints_between(date(2026, 11, 1), date(2026, 11, 30), 8) == 0


def test_complaint_windows_follow_the_business_calendar():
    kept = CustomerSummary("c-1", NOW)
    # 16:30 UTC on 31 October is 00:30 on 1 November in Beijing (UTC+8)
    kept.complaint_registered("cp-1", "TS-1", datetime(2026, 10, 31, 16, 30, tzinfo=UTC), NOW)
    assert kept.complaints_between(date(2026, 11, 1), date(2026, 11, 1), 8) == 1
    assert kept.complaints_between(date(2026, 11, 1), date(2026, 11, 1), 0) == 0
    assert business_date(datetime(2026, 10, 31, 16, 30, tzinfo=UTC), 8) == date(2026, 11, 1)
    assert day_start(date(2026, 11, 1), 8) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)


def test_the_summary_view_of_a_customer_never_heard_of_is_empty():
    view = summary_view(None, "c-9", date(2026, 11, 15), date(2025, 11, 16), 8)
    assert view.purchases["in_window"] == Decimal("0.00")
    assert view.receivables["balance"] == Decimal("0.00")
    assert view.complaints["total"] == 0 and view.complaints["satisfaction"] is None
