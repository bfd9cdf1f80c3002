"""A case's actual loss (rule P12) and the loss ledger (rule F7) on the aggregate alone:
resales within the window, the window's day boundaries, the split to the cent."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from finance.commands import RecordResale, ResolveReconciliation
from finance.domain import (
    DEFAULT_SETTINGS,
    LossCase,
    Plan,
    ReceivedReturn,
    Reconciliation,
    apportion,
)
from finance.testing import (
    NOW,
    allowance,
    compensation,
    line,
    plan,
    received,
    return_action,
    share,
)
from servicekit.contracts.finance_vocabulary import (
    LossComputed,
    ResaleExceedsReturn,
    ReturnNotSettled,
    SkuNotOnReturn,
)

# received 2026-11-02 10:00 in Beijing: the window runs to 2026-12-02 (30 days)
RECEIVED_ON = date(2026, 11, 2)
CLOSES = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 2026-12-03 00:00 in Beijing


def case_with_return(*actions, actual: int = 10, shares=None) -> LossCase:
    accepted = Plan.of(
        plan(return_action(line("P-100", 10, "450.00")), *actions, **_shares(shares))
    )
    case = LossCase(accepted, NOW)
    returned = ReceivedReturn.of(received(("P-100", 10, actual, "450.00")))
    reconciliation = Reconciliation(returned, accepted, Decimal("0.05"), NOW)
    if not reconciliation.settled:
        reconciliation.resolve(
            ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": actual}]), "f", NOW
        )
    assert case.goods_settled(reconciliation, DEFAULT_SETTINGS, NOW)
    return case


def _shares(shares):
    return {} if shares is None else {"shares": shares}


def resale(quantity: int, price: str, on: date = date(2026, 11, 20), sku: str = "P-100"):
    return RecordResale("ret-1", sku, quantity, Decimal(price), on)


def test_the_window_closes_a_month_after_the_receipt():  # rule P12
    case = case_with_return()
    assert case.window_ends_on == date(2026, 12, 2)
    assert case.due_at == CLOSES
    assert not case.is_due(CLOSES - timedelta(seconds=1))
    assert case.compute(CLOSES - timedelta(seconds=1)) == []
    assert case.is_due(CLOSES)


def test_goods_resold_in_the_window_lose_the_price_difference_the_rest_their_value():  # rule P12
    case = case_with_return()
    case.record_resale(resale(4, "400.00"), "zhao.min", NOW)
    parts = case.compute(CLOSES)
    # 4 resold at 50.00 less (200.00) + 6 not resold at 450.00 (2700.00)
    assert case.loss == Decimal("2900.00")
    assert [(p.department, p.person, p.amount) for p in parts] == [
        ("quality", "张三", Decimal("2900.00"))
    ]
    assert {b["kind"]: b["amount"] for b in case.breakdown} == {
        "price_difference": "200.00",
        "not_resold": "2700.00",
    }


@pytest.mark.parametrize(
    ("on", "counted"),
    [
        (RECEIVED_ON - timedelta(days=1), False),
        (RECEIVED_ON, True),
        (date(2026, 12, 2), True),
        (date(2026, 12, 3), False),
    ],
)
def test_a_resale_counts_only_within_the_window(on, counted):  # rule P12
    case = case_with_return()
    record = case.record_resale(resale(10, "450.00", on), "zhao.min", NOW)
    assert record.within_window is counted
    case.compute(CLOSES)
    assert case.loss == (Decimal("0.00") if counted else Decimal("4500.00"))


def test_a_resale_above_the_price_is_no_gain():  # rule P12
    case = case_with_return()
    case.record_resale(resale(10, "500.00"), "zhao.min", NOW)
    case.compute(CLOSES)
    assert case.loss == Decimal("0.00")


def test_allowances_and_compensation_lose_their_amount():  # rule P12
    case = case_with_return(allowance("300.00"), compensation("88.80"))
    case.record_resale(resale(10, "450.00"), "zhao.min", NOW)
    case.compute(CLOSES)
    assert case.loss == Decimal("388.80")


def test_a_plan_with_no_goods_back_is_due_at_once():  # rule P12
    case = LossCase(Plan.of(plan(allowance("300.00"))), NOW)
    assert (case.status, case.due_at) == ("open", NOW)
    assert [p.amount for p in case.compute(NOW)] == [Decimal("300.00")]
    assert case.status == "computed"


def test_the_loss_is_split_by_the_shares_to_the_cent_and_sums_exactly():  # rule F7
    shares = (share("quality", "1", "张三"), share("sales", "1", "李四"), share("logistics", "1"))
    case = LossCase(Plan.of(plan(allowance("100.00"), shares=shares)), NOW)
    parts = case.compute(NOW)
    assert [(p.department, p.person, p.amount) for p in parts] == [
        ("quality", "张三", Decimal("33.34")),
        ("sales", "李四", Decimal("33.33")),
        ("logistics", None, Decimal("33.33")),
    ]
    assert sum(p.amount for p in parts) == case.loss


def test_a_case_with_no_responsibility_is_charged_to_unassigned():  # rule F7
    case = LossCase(Plan.of(plan(compensation("10.00"), shares=())), NOW)
    (part,) = case.compute(NOW)
    assert (part.department, part.share, part.amount) == ("unassigned", 1, Decimal("10.00"))


def test_the_loss_is_computed_once():  # rule P12
    case = LossCase(Plan.of(plan(allowance("300.00"))), NOW)
    assert case.compute(NOW)
    assert case.compute(NOW + timedelta(days=1)) == []
    with pytest.raises(LossComputed):
        case.record_resale(resale(1, "1.00"), "zhao.min", NOW)


def test_a_resale_waits_for_the_returns_reconciliation():  # rule P12
    case = LossCase(Plan.of(plan(return_action(line("P-100", 10, "450.00")))), NOW)
    assert case.status == "waiting" and not case.is_due(NOW + timedelta(days=400))
    with pytest.raises(ReturnNotSettled):
        case.record_resale(resale(1, "1.00"), "zhao.min", NOW)


def test_only_credited_goods_are_resold_and_no_more_than_were_credited():  # rule P12
    case = case_with_return(actual=6)
    with pytest.raises(SkuNotOnReturn):
        case.record_resale(resale(1, "1.00", sku="X-1"), "zhao.min", NOW)
    case.record_resale(resale(5, "1.00"), "zhao.min", NOW)
    with pytest.raises(ResaleExceedsReturn):
        case.record_resale(resale(2, "1.00"), "zhao.min", NOW)
    case.record_resale(resale(1, "1.00"), "zhao.min", NOW)
    assert sum(r.quantity for r in case.resales) == 6


def test_an_exception_opens_the_window_only_once_resolved():  # rule P12
    accepted = Plan.of(plan(return_action(line("P-100", 10, "450.00"))))
    case = LossCase(accepted, NOW)
    reconciliation = Reconciliation(
        ReceivedReturn.of(received(("P-100", 10, 12, "450.00"))), accepted, Decimal("0.05"), NOW
    )
    assert not case.goods_settled(reconciliation, DEFAULT_SETTINGS, NOW)
    reconciliation.resolve(
        ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": 11}]), "f", NOW
    )
    assert case.goods_settled(reconciliation, DEFAULT_SETTINGS, NOW)
    assert case.goods == [{"sku": "P-100", "quantity": 11, "unit_price": "450.00"}]
    assert not case.goods_settled(reconciliation, DEFAULT_SETTINGS, NOW)  # once


@pytest.mark.parametrize(
    ("amount", "shares", "parts"),
    [
        ("100.00", ["1"], ["100.00"]),
        ("0.01", ["0.5", "0.5"], ["0.01", "0.00"]),
        ("0.02", ["0.3", "0.7"], ["0.01", "0.01"]),
        ("10.00", ["0.25", "0.75"], ["2.50", "7.50"]),
        ("-0.03", ["1", "1"], ["-0.02", "-0.01"]),
    ],
)
def test_apportion_sums_to_the_amount_exactly(amount, shares, parts):  # rule P12
    result = apportion(Decimal(amount), [Decimal(s) for s in shares])
    assert result == [Decimal(p) for p in parts]
    assert sum(result) == Decimal(amount)
