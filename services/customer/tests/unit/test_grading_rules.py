"""The pure rules of grading, key accounts and risk at their boundaries: every threshold
met exactly, and missed by one (a cent, a hundredth of a point, a day, a year, a case).
Each boundary is read from the settings, so moving a setting moves the boundary."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from customer.domain import CustomerSettings
from customer.domain.grading import (
    GradeRecord,
    GradingInputs,
    components_of,
    cooperation_years,
    grade,
    grade_of,
    history_band_of,
    large_change,
    period_start,
    scale_of,
    score_of,
    window_start,
)
from customer.domain.key_accounts import (
    complaint_spike,
    previous_quarter,
    purchase_fall,
    qualifies,
    quarter_bounds,
    quarter_of,
)
from customer.domain.risk import RiskInputs, assess, rose, tightened_terms
from customer.domain.summaries import months_before

S = CustomerSettings()
CENT = Decimal("0.01")
POINT = Decimal("0.01")  # scores have two places


# --- rule C5: scale and history bands ----------------------------------------------
@pytest.mark.parametrize(
    "amount, scale",
    [
        (S.scale_large_amount, "large"),
        (S.scale_large_amount - CENT, "medium"),
        (S.scale_medium_amount, "medium"),
        (S.scale_medium_amount - CENT, "small"),
        (Decimal("0.00"), "small"),
    ],
)
def test_scale_from_the_annual_purchase_amount(amount, scale):  # rule C5
    assert scale_of(amount, S) == scale


def test_scale_thresholds_are_settings():  # rule C5
    settings = replace(S, scale_large_amount=Decimal("100.00"), scale_medium_amount=Decimal("10"))
    assert [scale_of(Decimal(a), settings) for a in ("100", "99.99", "10", "9.99")] == [
        "large",
        "medium",
        "medium",
        "small",
    ]


@pytest.mark.parametrize(
    "years, band",
    [
        (S.history_long_years, "long"),
        (S.history_long_years - 1, "medium"),
        (S.history_medium_years, "medium"),
        (S.history_medium_years - 1, "short"),
        (0, "short"),
    ],
)
def test_history_band_from_cooperation_years(years, band):  # rule C5
    assert history_band_of(years, S) == band


@pytest.mark.parametrize(
    "since, today, years",
    [
        (date(2021, 3, 15), date(2026, 3, 15), 5),  # the anniversary completes the year
        (date(2021, 3, 15), date(2026, 3, 14), 4),
        (date(2024, 2, 29), date(2025, 2, 28), 0),  # a leap day's anniversary is 1 March
        (date(2024, 2, 29), date(2025, 3, 1), 1),
        (date(2026, 5, 1), date(2026, 4, 30), 0),  # not begun yet
        (None, date(2026, 4, 30), 0),
    ],
)
def test_cooperation_years_are_completed_years(since, today, years):  # rule C5
    assert cooperation_years(since, today) == years


# --- rule C6: the score and the grade ------------------------------------------------
@pytest.mark.parametrize(
    "score, letter",
    [
        (S.grade_a_score, "A"),
        (S.grade_a_score - POINT, "B"),
        (S.grade_b_score, "B"),
        (S.grade_b_score - POINT, "C"),
        (Decimal("100.00"), "A"),
        (Decimal("0.00"), "C"),
    ],
)
def test_grade_from_the_score(score, letter):  # rule C6
    assert grade_of(score, S) == letter


def inputs(**changes) -> GradingInputs:
    base = GradingInputs(
        purchases=Decimal("0.00"),
        invoices=0,
        cooperation_years=0,
        balance=Decimal("0.00"),
        overdue=Decimal("0.00"),
        complaints=0,
        satisfaction=None,
    )
    return replace(base, **changes)


def test_each_component_is_scored_against_its_setting():  # rule C6
    half = inputs(
        purchases=S.purchases_full_score / 2,
        invoices=10,
        cooperation_years=S.cooperation_full_score_years // 2,
        balance=Decimal("1000.00"),
        overdue=Decimal("250.00"),
        complaints=1,  # 0.1 per invoice: half of the 0.20 that scores nothing
        satisfaction=Decimal("3"),
    )
    assert components_of(half, S) == {
        "purchases": Decimal("50.00"),
        "cooperation": Decimal("50.00"),
        "payment": Decimal("75.00"),
        "complaints": Decimal("50.00"),
        "satisfaction": Decimal("50.00"),
    }


def test_components_stay_within_0_and_100():  # rule C6
    extreme = inputs(
        purchases=S.purchases_full_score * 3,
        invoices=1,
        cooperation_years=40,
        balance=Decimal("100.00"),
        overdue=Decimal("300.00"),
        complaints=9,
        satisfaction=Decimal("5"),
    )
    assert components_of(extreme, S) == {
        "purchases": Decimal("100.00"),
        "cooperation": Decimal("100.00"),
        "payment": Decimal("0.00"),
        "complaints": Decimal("0.00"),
        "satisfaction": Decimal("100.00"),
    }


def test_no_follow_up_yet_scores_the_assumed_satisfaction():  # rule C6
    assert components_of(inputs(), S)["satisfaction"] == Decimal("75.00")  # 4 of 1..5
    settings = replace(S, satisfaction_unknown=Decimal("2"))
    assert components_of(inputs(), settings)["satisfaction"] == Decimal("25.00")


def test_nothing_owed_or_nothing_overdue_pays_in_full():  # rule C6
    assert components_of(inputs(balance=Decimal("-50.00")), S)["payment"] == Decimal("100.00")
    owed = inputs(balance=Decimal("500.00"), overdue=Decimal("0.00"))
    assert components_of(owed, S)["payment"] == Decimal("100.00")


def test_the_score_is_the_weighted_mean_of_the_components():  # rule C6
    components = {
        "purchases": Decimal("100"),
        "cooperation": Decimal("0"),
        "payment": Decimal("50"),
        "complaints": Decimal("100"),
        "satisfaction": Decimal("0"),
    }
    # 0.35*100 + 0.15*0 + 0.20*50 + 0.15*100 + 0.15*0 = 60
    assert score_of(components, S) == Decimal("60.00")
    only_payment = replace(
        S,
        weight_purchases=Decimal("0"),
        weight_cooperation=Decimal("0"),
        weight_payment=Decimal("2"),
        weight_complaints=Decimal("0"),
        weight_satisfaction=Decimal("0"),
    )
    assert score_of(components, only_payment) == Decimal("50.00")  # weights need not sum to 1
    nothing = replace(only_payment, weight_payment=Decimal("0"))
    assert score_of(components, nothing) == Decimal("0.00")


def full(**changes) -> GradingInputs:
    """Inputs that score 100 on every component."""
    return inputs(
        purchases=S.purchases_full_score,
        invoices=12,
        cooperation_years=S.cooperation_full_score_years,
        satisfaction=Decimal("5"),
        **changes,
    )


def test_a_score_just_at_the_a_threshold_grades_a_and_a_hundredth_less_b():  # rule C6
    # payment's weight is 0.20 of 1.00: all of the balance overdue costs 20 points -> 80.00
    overdue = {"balance": Decimal("1000.00"), "overdue": Decimal("1000.00")}
    at = grade(full(**overdue), S)
    assert (at.score, at.grade) == (Decimal("80.00"), "A")
    # 99.97 purchase points instead of 100 cost 0.35 * 0.03 = 0.0105 -> 79.99
    below = grade(replace(at.inputs, purchases=S.purchases_full_score * Decimal("0.9997")), S)
    assert (below.score, below.grade) == (Decimal("79.99"), "B")
    assert grade(full(**overdue), replace(S, grade_a_score=Decimal("80.01"))).grade == "B"


def test_a_grading_names_scale_band_and_components():  # rule C5, rule C6
    graded = grade(full(), S)
    assert (graded.grade, graded.score, graded.scale, graded.history_band) == (
        "A",
        Decimal("100.00"),
        "large",
        "long",
    )
    assert set(graded.components) == {
        "purchases",
        "cooperation",
        "payment",
        "complaints",
        "satisfaction",
    }


def record_of(grading) -> GradeRecord:
    record = GradeRecord("c-1", None)
    record.regrade(grading, "first", "first grading", "system", None)
    return record


def test_a_large_change_is_a_new_scale_band_or_a_score_move_of_the_setting():  # rule C6
    before = grade(inputs(purchases=Decimal("1000000.00"), cooperation_years=2), S)
    record = record_of(before)
    assert large_change(record, before, S) is None
    # the score moves by exactly large_change_points: large; a hundredth less: not
    moved = replace(before, score=before.score + S.large_change_points)
    assert "score" in large_change(record, moved, S)
    assert large_change(record, replace(moved, score=moved.score - POINT), S) is None
    assert "scale medium -> large" in large_change(record, replace(before, scale="large"), S)
    assert "history medium -> long" in large_change(record, replace(before, history_band="long"), S)


def test_the_periodic_grading_is_due_from_the_first_of_the_month():  # rule C6
    assert period_start(date(2026, 11, 15), S) == date(2026, 11, 1)
    assert period_start(date(2026, 11, 1), S) == date(2026, 11, 1)
    quarterly = replace(S, regrade_months=3)
    assert period_start(date(2026, 1, 15), quarterly) == date(2025, 11, 1)


def test_the_grading_window_is_the_last_twelve_months():  # rule C5
    assert window_start(date(2026, 11, 15), S) == date(2025, 11, 16)
    assert window_start(date(2024, 2, 29), S) == date(2023, 3, 1)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


# --- rule C7: key accounts and churn ----------------------------------------------
@pytest.mark.parametrize(
    "grade_, scale, expected",
    [("A", "large", True), ("A", "medium", True), ("A", "small", False), ("B", "large", False)],
)
def test_a_key_account_by_grade_and_scale(grade_, scale, expected):  # rule C7
    assert qualifies(grade_, scale, S) is expected


def test_key_account_grades_and_scales_are_settings():  # rule C7
    settings = replace(S, key_account_grades="A, B", key_account_scales="large")
    assert qualifies("B", "large", settings) and not qualifies("A", "medium", settings)


@pytest.mark.parametrize(
    "last, before, fall",
    [
        ("70.00", "100.00", Decimal("0.3000")),  # exactly 30 %
        ("70.01", "100.00", None),  # a cent short of it
        ("0.00", "100.00", Decimal("1.0000")),
        ("100.00", "100.00", None),
        ("150.00", "100.00", None),  # a rise
        ("0.00", "0.00", None),  # nothing before: nothing fell
    ],
)
def test_a_churn_warning_from_a_fall_of_30_percent(last, before, fall):  # rule C7
    assert purchase_fall(Decimal(last), Decimal(before), S) == fall


def test_the_churn_fall_share_is_a_setting():  # rule C7
    settings = replace(S, churn_fall_share=Decimal("0.50"))
    assert purchase_fall(Decimal("51"), Decimal("100"), settings) is None
    assert purchase_fall(Decimal("50"), Decimal("100"), settings) == Decimal("0.5000")


@pytest.mark.parametrize(
    "recent, previous, spike",
    [
        (S.complaint_spike_count, 0, True),
        (S.complaint_spike_count - 1, 0, False),  # one case short
        (4, 2, True),  # twice as many as before
        (5, 3, False),  # fewer than twice
        (6, 3, True),
    ],
)
def test_a_complaint_spike(recent, previous, spike):  # rule C7
    assert complaint_spike(recent, previous, S) is spike


def test_quarters():  # rule C7
    assert quarter_of(date(2026, 11, 15)) == (2026, 4)
    assert previous_quarter(2026, 1) == (2025, 4)
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))


# --- rule C8: risk ---------------------------------------------------------------
def risk(**changes) -> RiskInputs:
    base = RiskInputs(
        balance=Decimal("1000.00"),
        overdue=Decimal("0.00"),
        oldest_overdue_days=0,
        credit_limit=None,
        open_complaints=0,
        recent_complaints=0,
    )
    return replace(base, **changes)


def points(inputs_: RiskInputs, factor: str) -> int:
    return assess(inputs_, S).factors[factor]["points"]


@pytest.mark.parametrize(
    "overdue, expected",
    [("100.00", 1), ("99.99", 0), ("500.00", 2), ("499.99", 1)],  # shares 0.10 and 0.50
)
def test_overdue_share_points(overdue, expected):  # rule C8
    assert points(risk(overdue=Decimal(overdue)), "overdue") == expected


@pytest.mark.parametrize(
    "days, expected",
    [
        (S.risk_overdue_days_medium, 1),
        (S.risk_overdue_days_medium - 1, 0),
        (S.risk_overdue_days_high, 2),
        (S.risk_overdue_days_high - 1, 1),
    ],
)
def test_credit_record_points_from_the_oldest_overdue_days(days, expected):  # rule C8
    assert points(risk(oldest_overdue_days=days), "credit_record") == expected


def test_a_balance_above_the_credit_limit_adds_a_point_to_the_credit_record():  # rule C8
    at_limit = risk(balance=Decimal("1000.00"), credit_limit=Decimal("1000.00"))
    assert points(at_limit, "credit_record") == 0
    above = risk(balance=Decimal("1000.01"), credit_limit=Decimal("1000.00"))
    assert points(above, "credit_record") == 1
    assert (
        points(replace(above, oldest_overdue_days=S.risk_overdue_days_high), "credit_record") == 2
    )


@pytest.mark.parametrize(
    "factor, field, medium, high",
    [
        ("disputes", "open_complaints", S.risk_disputes_medium, S.risk_disputes_high),
        ("complaints", "recent_complaints", S.risk_complaints_medium, S.risk_complaints_high),
    ],
)
def test_dispute_and_complaint_points(factor, field, medium, high):  # rule C8
    assert [points(risk(**{field: n}), factor) for n in (medium - 1, medium, high - 1, high)] == [
        0,
        1,
        1,
        2,
    ]


def test_the_level_from_the_points():  # rule C8
    medium_points = risk(open_complaints=S.risk_disputes_high)  # 2 points
    assert assess(medium_points, S).level == "medium"
    one_point = risk(open_complaints=S.risk_disputes_medium)
    assert assess(one_point, S).level == "low"
    high = replace(medium_points, oldest_overdue_days=S.risk_overdue_days_high)  # 4 points
    assert (assess(high, S).points, assess(high, S).level) == (4, "high")
    three = replace(medium_points, oldest_overdue_days=S.risk_overdue_days_medium)
    assert assess(three, S).level == "medium"
    strict = replace(S, risk_high_points=3)
    assert assess(three, strict).level == "high"


def test_a_rise_is_a_move_up_the_levels():  # rule C8
    assert rose(None, "medium") and rose("low", "high") and rose("medium", "high")
    assert not rose(None, "low") and not rose("high", "high") and not rose("high", "medium")


def test_high_risk_tightens_the_terms():  # rule C8
    assert tightened_terms(Decimal("200000.00"), "net_60", S) == {
        "credit_limit": Decimal("100000.00"),
        "settlement_terms": "net_30",
    }
    assert tightened_terms(Decimal("0.00"), "cash_on_delivery", S) == {}  # nothing to cut
    two_steps = replace(S, risk_terms_steps=2, risk_credit_cut=Decimal("0.25"))
    assert tightened_terms(Decimal("1000.00"), "net_15", two_steps) == {
        "credit_limit": Decimal("750.00"),
        "settlement_terms": "cash_on_delivery",
    }


@pytest.mark.parametrize("name", ["CUSTOMER_REGRADE_BATCH_SIZE", "CUSTOMER_REGRADE_LEASE_SECONDS"])
def test_a_regrade_setting_below_one_is_refused_at_start(name):  # rule C6
    from servicekit.config import settings_from

    with pytest.raises(ValueError, match=name):
        settings_from(CustomerSettings, "customer", {name: "0"})
    assert settings_from(CustomerSettings, "customer", {name: "1"})
