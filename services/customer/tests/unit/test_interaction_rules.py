"""Interactions (rule C9) and the composition analysis (rule C10) as pure rules: reply
due times, on time and overdue at their boundaries, follow-ups due for pick-up and other
customers, the on-time reply rate, and a year's sales by grade, product and region. No
broker, no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from customer.domain import CustomerSettings
from customer.domain.composition import Sale, composition
from customer.domain.interactions import (
    Interaction,
    ReplyFacts,
    follow_up_of,
    is_due,
    reply_rates,
    survey_average,
)
from customer.domain.summaries import Purchase, PurchaseLine
from servicekit.contracts.customer_interactions_vocabulary import (
    InteractionNotReplyable,
    InteractionReplied,
)
from servicekit.errors import Invalid

S = CustomerSettings()
NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def interaction(type="enquiry", at=NOW, now=NOW, settings=S, **kwargs) -> Interaction:
    values = {"notes": "新款型号何时到货？", "by": "wu.kf", "recorded_by": "wu.kf", **kwargs}
    return Interaction(customer_id="c-1", type=type, at=at, now=now, settings=settings, **values)


# --- reply due times (rule C9) ------------------------------------------------------
@pytest.mark.parametrize(
    "type, hours", [("enquiry", S.enquiry_reply_hours), ("suggestion", S.suggestion_reply_hours)]
)
def test_an_enquiry_or_suggestion_is_due_its_settings_hours_after_it_came(type, hours):
    at = NOW - timedelta(hours=3)
    assert interaction(type, at=at).reply_due_at == at + timedelta(hours=hours)


def test_the_reply_hours_are_settings():
    quick = replace(S, enquiry_reply_hours=2, suggestion_reply_hours=5)
    assert interaction("enquiry", settings=quick).reply_due_at == NOW + timedelta(hours=2)
    assert interaction("suggestion", settings=quick).reply_due_at == NOW + timedelta(hours=5)


@pytest.mark.parametrize("type", ["visit", "call", "care"])
def test_visits_calls_and_care_have_no_reply_due(type):
    found = interaction(type)
    assert found.reply_due_at is None
    assert not found.overdue(NOW + timedelta(days=365))
    with pytest.raises(InteractionNotReplyable):
        found.answer("谢谢", "wu.kf", NOW)


def test_a_reply_at_the_due_time_is_on_time_a_second_later_is_late():
    on_time = interaction()
    on_time.answer("下月到货", "wu.kf", on_time.reply_due_at)
    late = interaction()
    late.answer("下月到货", "wu.kf", late.reply_due_at + SECOND)
    assert (on_time.on_time, late.on_time) == (True, False)


def test_overdue_only_after_the_due_time_and_never_once_replied():
    found = interaction()
    due = found.reply_due_at
    assert (found.overdue(due - SECOND), found.overdue(due), found.overdue(due + SECOND)) == (
        False,
        False,
        True,
    )
    found.answer("已答复", "wu.kf", due + timedelta(hours=5))
    assert not found.overdue(due + timedelta(days=30))
    assert found.on_time is False


def test_a_reply_is_given_once():
    found = interaction("suggestion")
    found.answer("已转产品部", "wu.kf", NOW)
    with pytest.raises(InteractionReplied):
        found.answer("again", "wu.kf", NOW)
    assert found.reply == "已转产品部"


def test_a_survey_needs_a_score_1_to_5_and_only_a_survey_has_one():
    assert interaction("survey", score=1).score == 1
    assert interaction("survey", score=5).score == 5
    for score in (None, 0, 6):
        with pytest.raises(Invalid) as refused:
            interaction("survey", score=score)
        assert "score" in refused.value.details
    with pytest.raises(Invalid):
        interaction("visit", score=4)


def test_an_interaction_may_not_lie_in_the_future_beyond_clock_skew():
    assert interaction("visit", at=NOW + timedelta(minutes=5)).at == NOW + timedelta(minutes=5)
    with pytest.raises(Invalid) as refused:
        interaction("visit", at=NOW + timedelta(minutes=6))
    assert "at" in refused.value.details


# --- follow-ups (rule C9) -------------------------------------------------------------
def follow_up(pickup, since, last=None, now=NOW, settings=S):
    return follow_up_of(
        customer_id="c-1", name="华东机电", owner="li.na", region="华东", pickup=pickup,
        status="active", since=since, last_follow_up_at=last, now=now, settings=settings,
    )  # fmt: skip


def test_a_pickup_customer_is_due_quarterly_others_per_their_setting():
    since = NOW - timedelta(days=100)
    assert follow_up(True, since).due_at == since + timedelta(days=S.follow_up_pickup_days)
    assert follow_up(False, since).due_at == since + timedelta(days=S.follow_up_days)
    assert follow_up(True, since).overdue and not follow_up(False, since).overdue
    assert S.follow_up_pickup_days <= 92  # at least quarterly


def test_the_clock_starts_at_the_last_follow_up_else_at_approval():
    since = NOW - timedelta(days=400)
    last = NOW - timedelta(days=10)
    assert follow_up(True, since, last).due_at == last + timedelta(days=S.follow_up_pickup_days)
    assert not follow_up(True, since, last).overdue


def test_overdue_strictly_after_the_due_time():
    interval = timedelta(days=S.follow_up_pickup_days)
    at_due = follow_up(True, NOW - interval)
    past_due = follow_up(True, NOW - interval - SECOND)
    a_day_past = follow_up(True, NOW - interval - timedelta(days=1))
    assert (at_due.overdue, past_due.overdue) == (False, True)
    assert (past_due.days_overdue, a_day_past.days_overdue) == (0, 1)


def test_due_within_the_notice_days():
    ahead = timedelta(days=S.follow_up_notice_days)
    interval = timedelta(days=S.follow_up_days)
    just_inside = follow_up(False, NOW + ahead - interval)
    just_outside = follow_up(False, NOW + ahead - interval + SECOND)
    assert is_due(just_inside, NOW, S) and not is_due(just_outside, NOW, S)
    assert not just_inside.overdue


def test_the_follow_up_intervals_are_settings():
    monthly = replace(S, follow_up_pickup_days=30)
    since = NOW - timedelta(days=31)
    assert follow_up(True, since, settings=monthly).overdue
    assert not follow_up(True, since).overdue


# --- on-time reply rate (seed 003: 客户咨询回复及时率, 客户反馈意见处理及时率) -----------
def test_the_rate_counts_replied_and_overdue_and_leaves_the_not_yet_due_out():
    due = NOW - timedelta(hours=1)
    facts = [
        ReplyFacts("enquiry", due, due),  # on time, at the due time
        ReplyFacts("enquiry", due, due - SECOND),  # on time
        ReplyFacts("enquiry", due, due + SECOND),  # late
        ReplyFacts("enquiry", due, None),  # overdue
        ReplyFacts("enquiry", NOW + timedelta(hours=1), None),  # waiting
        ReplyFacts("suggestion", due, due + timedelta(hours=2)),
    ]
    rates = reply_rates(facts, NOW)
    assert rates["enquiry"] == {
        "total": 5, "replied": 3, "on_time": 2, "late": 1, "overdue": 1, "waiting": 1,
        "on_time_rate": Decimal("0.5000"),
    }  # fmt: skip
    assert rates["suggestion"]["on_time_rate"] == Decimal("0.0000")


def test_no_rate_before_anything_is_due():
    rates = reply_rates([ReplyFacts("enquiry", NOW + SECOND, None)], NOW)
    assert rates["enquiry"]["on_time_rate"] is None
    assert rates["suggestion"]["total"] == 0 and rates["suggestion"]["on_time_rate"] is None
    # at its due time it is not overdue yet: still left out
    assert reply_rates([ReplyFacts("enquiry", NOW, None)], NOW)["enquiry"]["waiting"] == 1


def test_the_survey_average():
    assert survey_average([5, 4, 4]) == Decimal("4.33")
    assert survey_average([]) is None


# --- composition (rule C10) -----------------------------------------------------------
def purchase(customer, amount, on, lines=()):
    return Purchase(
        id=f"{customer}-{on}-{amount}", customer_id=customer, number="FP-1", date=on,
        due_date=on + timedelta(days=30), amount=Decimal(amount),
        lines=tuple(PurchaseLine(sku, q, Decimal(a)) for sku, q, a in lines),
    )  # fmt: skip


TWO_LINES = [("P-1", 2, "400.00"), ("P-2", 1, "200.00")]


def test_a_years_sales_by_grade_product_and_region_with_shares():
    sales = [
        Sale(purchase("a", "600.00", date(2026, 1, 1), TWO_LINES), "A", "华东"),
        Sale(purchase("a", "200.00", date(2026, 12, 31), [("P-2", 1, "200.00")]), "A", "华东"),
        Sale(purchase("b", "150.00", date(2026, 6, 1), [("P-1", 1, "100.00")]), "B", "华南"),
        Sale(purchase("c", "50.00", date(2026, 7, 1)), None, None),
        Sale(purchase("b", "999.00", date(2025, 12, 31)), "B", "华南"),  # last year
        Sale(purchase("b", "999.00", date(2027, 1, 1)), "B", "华南"),  # next year
    ]  # fmt: skip
    found = composition(2026, sales)
    assert (found["total"], found["invoices"], found["customers"]) == (Decimal("1000.00"), 4, 3)
    assert found["by_grade"] == [
        {"grade": "A", "customers": 1, "amount": Decimal("800.00"), "share": Decimal("0.8000")},
        {"grade": "B", "customers": 1, "amount": Decimal("150.00"), "share": Decimal("0.1500")},
        {"grade": None, "customers": 1, "amount": Decimal("50.00"), "share": Decimal("0.0500")},
    ]
    assert found["by_product"] == [
        {"sku": "P-1", "quantity": 3, "amount": Decimal("500.00"), "share": Decimal("0.5000")},
        {"sku": "P-2", "quantity": 2, "amount": Decimal("400.00"), "share": Decimal("0.4000")},
        # no lines (50.00) and what the lines of b's invoice left (50.00)
        {"sku": None, "quantity": 0, "amount": Decimal("100.00"), "share": Decimal("0.1000")},
    ]
    assert [(r["region"], r["amount"]) for r in found["by_region"]] == [
        ("华东", Decimal("800.00")),
        ("华南", Decimal("150.00")),
        (None, Decimal("50.00")),
    ]
    for group in ("by_grade", "by_product", "by_region"):
        assert sum(r["amount"] for r in found[group]) == found["total"]


def test_a_year_without_sales():
    found = composition(2026, [])
    assert found["total"] == Decimal("0.00")
    assert found["by_grade"] == found["by_product"] == found["by_region"] == []


def test_grades_in_order_a_b_c_then_ungraded_whatever_the_amounts():
    sales = [
        Sale(purchase("c", "900.00", date(2026, 3, 1)), "C", "西北"),
        Sale(purchase("n", "800.00", date(2026, 3, 1)), None, "西北"),
        Sale(purchase("a", "10.00", date(2026, 3, 1)), "A", "西北"),
    ]
    found = composition(2026, sales)
    assert [r["grade"] for r in found["by_grade"]] == ["A", "C", None]
    assert found["by_region"] == [
        {"region": "西北", "customers": 3, "amount": Decimal("1710.00"), "share": Decimal("1.0000")}
    ]
