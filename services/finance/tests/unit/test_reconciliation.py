"""Return reconciliation on the aggregate alone: rule F1 at its quantity boundaries."""

from decimal import Decimal

import pytest

from finance.commands import ResolveReconciliation
from finance.domain import Plan, ReceivedReturn, Reconciliation
from finance.testing import NOW, line, plan, received, return_action, rework_action
from servicekit.contracts.finance_vocabulary import NotAnException, ResolutionMismatch

RATIO = Decimal("0.05")


def reconcile(actual: int, approved: int = 10, ratio: Decimal = RATIO, sku: str = "P-100"):
    accepted = Plan.of(plan(return_action(line(sku, approved, "450.00"))))
    returned = ReceivedReturn.of(received((sku, approved, actual, "450.00")))
    return Reconciliation(returned, accepted, ratio, NOW)


@pytest.mark.parametrize("actual", [7, 10])
def test_equal_or_fewer_than_approved_is_matched_with_a_credit_for_the_actual(actual):  # rule F1
    reconciliation = reconcile(actual)
    assert reconciliation.status == "matched"
    (only,) = reconciliation.lines
    assert (only.approved_quantity, only.actual_quantity, only.accepted_quantity) == (
        10,
        actual,
        actual,
    )
    assert only.amount == Decimal("450.00") * actual
    assert reconciliation.amount == Decimal("450.00") * actual
    assert reconciliation.pull_events() == []


def test_above_approved_within_the_ratio_is_matched_without_rounding():  # rule F1
    # 20 approved at 0.05 takes 21 (20 x 1.05 = 21.0) and no more
    assert reconcile(21, approved=20).status == "matched"
    assert reconcile(22, approved=20).status == "exception"
    # 10 approved at 0.05 allows 10.5: 10 passes, 11 is held
    assert reconcile(10).status == "matched"
    assert reconcile(11).status == "exception"


def test_the_customers_ratio_widens_or_narrows_the_tolerance():  # rule F1
    assert reconcile(12, ratio=Decimal("0.20")).status == "matched"
    assert reconcile(13, ratio=Decimal("0.20")).status == "exception"
    assert reconcile(11, ratio=Decimal("0")).status == "exception"


def test_beyond_the_ratio_is_an_exception_held_with_its_event():  # rule F1
    reconciliation = reconcile(11)
    assert reconciliation.status == "exception" and not reconciliation.settled
    assert reconciliation.amount is None
    assert reconciliation.lines[0].accepted_quantity is None
    (event,) = reconciliation.pull_events()
    assert event.event_type == "reconciliation_exception"
    assert event.payload["return_id"] == "ret-1"
    assert event.payload["complaint_id"] == "case-1"
    assert event.payload["lines"][0]["actual_quantity"] == 11
    assert event.payload["ratio"] == "0.05"


def test_one_line_beyond_holds_the_whole_return():  # rule F1
    accepted = Plan.of(plan(return_action(line("A-1", 10, "1.00"), line("B-2", 10, "2.00"))))
    returned = ReceivedReturn.of(received(("A-1", 10, 10, "1.00"), ("B-2", 10, 12, "2.00")))
    reconciliation = Reconciliation(returned, accepted, RATIO, NOW)
    assert reconciliation.status == "exception"
    assert [x.sku for x in reconciliation.lines] == ["A-1", "B-2"]


def test_a_resolution_accepts_quantities_and_prices_them():  # rule F1
    reconciliation = reconcile(11)
    reconciliation.resolve(
        ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": 11}], "客户多退一件,同意"),
        "zhao.min",
        NOW,
    )
    assert reconciliation.status == "resolved" and reconciliation.settled
    assert reconciliation.lines[0].accepted_quantity == 11
    assert reconciliation.amount == Decimal("4950.00")
    assert (reconciliation.resolved_by, reconciliation.comment) == ("zhao.min", "客户多退一件,同意")
    assert reconciliation.pull_history()[-1].action == "resolved"


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [{"sku": "P-100", "accepted_quantity": 12}],
        [{"sku": "P-100", "accepted_quantity": -1}],
        [{"sku": "P-100", "accepted_quantity": 10}, {"sku": "P-100", "accepted_quantity": 1}],
        [{"sku": "P-100", "accepted_quantity": 10}, {"sku": "X-9", "accepted_quantity": 1}],
    ],
)
def test_a_resolution_names_every_sku_once_within_its_actual(lines):  # rule F1
    reconciliation = reconcile(11)
    with pytest.raises(ResolutionMismatch):
        reconciliation.resolve(ResolveReconciliation.of(lines), "zhao.min", NOW)
    assert reconciliation.status == "exception"
    assert reconciliation.lines[0].accepted_quantity is None


def test_a_resolution_may_accept_nothing_or_all_that_arrived():  # rule F1
    for quantity in (0, 11):
        reconciliation = reconcile(11)
        reconciliation.resolve(
            ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": quantity}]),
            "zhao.min",
            NOW,
        )
        assert reconciliation.amount == Decimal("450.00") * quantity


def test_only_an_exception_is_resolved():  # rule F1
    matched = reconcile(10)
    with pytest.raises(NotAnException):
        matched.resolve(
            ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": 10}]), "f", NOW
        )


def test_rework_units_are_taken_off_before_the_comparison():  # rule F1
    accepted = Plan.of(
        plan(return_action(line("A-1", 5, "10.00")), rework_action(line("A-1", 3, "10.00")))
    )
    # 8 arrived on one merged line: 3 are rework, 5 are the return
    returned = ReceivedReturn.of(received(("A-1", 8, 8, "10.00")))
    reconciliation = Reconciliation(returned, accepted, RATIO, NOW)
    assert reconciliation.status == "matched"
    assert reconciliation.lines[0].actual_quantity == 5
    assert reconciliation.amount == Decimal("50.00")


def test_a_return_of_rework_alone_credits_nothing():  # rule F1
    accepted = Plan.of(plan(rework_action(line("A-1", 3, "10.00"))))
    returned = ReceivedReturn.of(received(("A-1", 3, 3, "10.00")))
    reconciliation = Reconciliation(returned, accepted, RATIO, NOW)
    assert (reconciliation.status, reconciliation.lines) == ("matched", [])
    assert reconciliation.credited_lines() == []


def test_a_return_of_a_sales_request_is_compared_with_what_was_authorized():  # rule F1
    returned = ReceivedReturn.of(received(("A-1", 4, 4, "2.50"), plan_id=None, complaint_id=None))
    assert not returned.waits_for_plan
    reconciliation = Reconciliation(returned, None, RATIO, NOW)
    assert reconciliation.status == "matched" and reconciliation.amount == Decimal("10.00")
    over = ReceivedReturn.of(received(("A-1", 4, 5, "2.50"), plan_id=None, complaint_id=None))
    assert Reconciliation(over, None, RATIO, NOW).status == "exception"


def test_an_approved_sku_that_did_not_arrive_is_a_line_of_zero():  # rule F1
    accepted = Plan.of(plan(return_action(line("A-1", 2, "1.00"), line("B-2", 3, "1.00"))))
    returned = ReceivedReturn.of(received(("A-1", 2, 2, "1.00")))
    reconciliation = Reconciliation(returned, accepted, RATIO, NOW)
    assert [(x.sku, x.actual_quantity, x.accepted_quantity) for x in reconciliation.lines] == [
        ("A-1", 2, 2),
        ("B-2", 0, 0),
    ]
    assert [x.sku for x in reconciliation.credited_lines()] == ["A-1"]


def test_a_return_naming_only_its_case_waits_for_that_cases_plan():  # rule F1
    returned = ReceivedReturn.of(received(("A-1", 1, 1, "1.00"), plan_id=None))
    assert returned.waits_for_plan
