"""The customer service's KPI counts (issue 12.2; seed 001, seed 003) at their edges:
which card is complete, which cards count, follow-ups and surveys inside the period only,
enquiries counted once due, quarter and year periods, and the split by owner."""

from datetime import UTC, datetime, timedelta

import pytest

from customer.kpi_queries import REQUIRED, Touch, complete, customer_kpis, period_bounds
from servicekit.errors import Invalid

OCT = datetime(2026, 10, 10, 2, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def card(id="c1", owner="li.na", status="active", created_at=OCT - timedelta(days=100), **over):
    full = {
        "id": id,
        "status": status,
        "created_at": created_at,
        "owner": owner,
        "name": "华东机电",
        "region": "华东",
        "industry": "机械",
        "address": "上海市",
        "contacts": [{"name": "王经理", "phone": "13800000000"}],
        "legal_representative": "王五",
        "business_scope": "泵阀",
        "credit_limit": "200000.00",
        "payment_method": "bank_transfer",
        "settlement_terms": "net_30",
    }
    return {**full, **over}


def test_a_full_card_is_complete_and_any_missing_required_field_makes_it_not():
    assert complete(card())
    for name in REQUIRED:
        assert not complete(card(**{name: None})), name
    assert not complete(card(address="  "))
    assert not complete(card(contacts=[{"name": "王经理"}]))  # no phone nor email
    assert complete(card(contacts=[{"name": "王经理", "email": "w@x.cn"}]))


def test_leads_and_cards_made_after_the_period_are_not_counted():
    cards = [
        card("a"),
        card("b", legal_representative=None),
        card("lead", status="lead"),
        card("later", created_at=datetime(2026, 11, 5, tzinfo=UTC)),
    ]
    result = customer_kpis("2026-10", cards, [], NOW)
    assert result["customers"] == 2 and result["complete"] == 1


def test_an_empty_period_counts_nothing():
    result = customer_kpis("2026-10", [], [], NOW)
    assert result["customers"] == 0 and result["follow_ups"] == 0 and result["by_owner"] == {}


def test_follow_ups_and_surveys_count_inside_the_period_only():  # rule C9
    touches = [
        Touch("a", "visit", OCT),
        Touch("a", "call", OCT + timedelta(days=1)),
        Touch("b", "survey", OCT, score=5),
        Touch("b", "survey", OCT, score=3),
        Touch("a", "care", OCT),  # not a follow-up
        Touch("a", "visit", datetime(2026, 9, 30, 15, tzinfo=UTC)),  # 23:00 30 Sep, Beijing
    ]
    result = customer_kpis("2026-10", [card("a"), card("b")], touches, NOW)
    assert result["follow_ups"] == 4 and result["followed_customers"] == 2
    assert result["surveys"] == 2 and result["survey_score_sum"] == 8
    assert result["survey_satisfied"] == 1


def test_enquiries_count_once_their_reply_is_due_and_on_time_at_the_due_time():
    due = OCT + timedelta(days=1)
    touches = [
        Touch("a", "enquiry", OCT, reply_due_at=due, replied_at=due),
        Touch("a", "enquiry", OCT, reply_due_at=due, replied_at=due + timedelta(seconds=1)),
        Touch("a", "enquiry", OCT, reply_due_at=due, replied_at=None),
        Touch("a", "enquiry", OCT, reply_due_at=NOW + timedelta(days=1)),  # not due yet
    ]
    result = customer_kpis("2026-Q4", [card("a")], touches, NOW)
    assert result["enquiries_counted"] == 3 and result["enquiries_on_time"] == 1


def test_quarter_and_year_periods_and_a_bad_one():
    assert period_bounds("2026-Q4")[0] == datetime(2026, 9, 30, 16, tzinfo=UTC)
    assert period_bounds("2026")[1] == datetime(2026, 12, 31, 16, tzinfo=UTC)
    touches = [Touch("a", "visit", OCT)]
    assert customer_kpis("2026-Q3", [card("a")], touches, NOW)["follow_ups"] == 0
    assert customer_kpis("2026", [card("a")], touches, NOW)["follow_ups"] == 1
    with pytest.raises(Invalid):
        period_bounds("2026-Q5")


def test_counts_split_by_the_cards_owner():
    cards = [card("a", owner="li.na"), card("b", owner=None, address=None)]
    touches = [Touch("a", "visit", OCT), Touch("b", "call", OCT)]
    owners = customer_kpis("2026-10", cards, touches, NOW)["by_owner"]
    assert owners["li.na"]["complete"] == 1 and owners["li.na"]["follow_ups"] == 1
    assert owners["unassigned"]["customers"] == 1 and owners["unassigned"]["complete"] == 0
