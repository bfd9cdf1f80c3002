"""Edges of the monthly statistics (rule P11) that mutation testing found untested
(issue 8.9, docs/mutation.md): a month's first and last instant, December and January,
averages and rates that do not come out even, a department named twice in one case,
and which cases are summarised."""

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.domain import CaseSummary, month_bounds, monthly_statistics
from complaints.testing import T0, CaseBuilder, closed_case, executing_case, line
from servicekit.contracts.complaints import IllegalTransition
from servicekit.errors import Invalid


def case(closed_at: datetime, number: str = "A", **fields) -> CaseSummary:
    values = {
        "complaint_id": number,
        "number": number,
        "customer_id": "c1",
        "skus": ("PUMP-01",),
        "cause": "packaging",
        "cause_category": "non_sales",
        "shares": (("logistics", Decimal("1")),),
        "registered_at": closed_at - timedelta(hours=10),
        "closed_at": closed_at,
        "handling_hours": Decimal("10"),
        "timely_acceptance": True,
        "on_time_closure": True,
        **fields,
    }
    return CaseSummary(**values)


# --- which month a case closed in -----------------------------------------------------------
def test_a_case_closed_at_the_first_instant_of_the_month_counts_in_it():  # rule P11
    start, end = month_bounds("2026-03")
    assert monthly_statistics("2026-03", [case(start)])["closed"] == 1
    assert monthly_statistics("2026-02", [case(start)])["closed"] == 0


def test_a_case_closed_the_instant_before_the_month_does_not_count_in_it():  # rule P11
    start, _ = month_bounds("2026-03")
    before = start - timedelta(microseconds=1)
    assert monthly_statistics("2026-03", [case(before)])["closed"] == 0
    assert monthly_statistics("2026-02", [case(before)])["closed"] == 1


def test_a_case_closed_at_the_first_instant_of_the_next_month_does_not():  # rule P11
    _, end = month_bounds("2026-03")
    assert monthly_statistics("2026-03", [case(end)])["closed"] == 0
    assert monthly_statistics("2026-03", [case(end - timedelta(microseconds=1))])["closed"] == 1


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2026-01", datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 1, 31, 16, tzinfo=UTC)),
        ("2026-11", datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC)),
        ("2026-12", datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
        ("2027-02", datetime(2027, 1, 31, 16, tzinfo=UTC), datetime(2027, 2, 28, 16, tzinfo=UTC)),
        ("2027-12", datetime(2027, 11, 30, 16, tzinfo=UTC), datetime(2027, 12, 31, 16, tzinfo=UTC)),
    ],
)
def test_a_month_runs_from_its_first_to_the_next_months_first_midnight_in_beijing(
    month, start, end
):  # rule P11
    assert month_bounds(month) == (start, end)


@pytest.mark.parametrize("month", ["2026-00", "2026-13", "2026", "2026-03-01", "March", ""])
def test_a_month_is_year_dash_month(month):  # rule P11
    with pytest.raises(Invalid) as refused:
        month_bounds(month)
    assert refused.value.details == {"month": ["must be YYYY-MM"]}


# --- averages and rates ------------------------------------------------------------------------
def test_the_average_handling_time_is_to_the_hundredth_of_an_hour():  # rule P11
    march = datetime(2026, 3, 10, tzinfo=UTC)
    cases = [
        case(march, "A", handling_hours=Decimal("10.00")),
        case(march, "B", handling_hours=Decimal("11.00")),
        case(march, "C", handling_hours=Decimal("11.00")),
    ]
    assert monthly_statistics("2026-03", cases)["avg_handling_hours"] == Decimal("10.67")
    assert monthly_statistics("2026-03", cases[:2])["avg_handling_hours"] == Decimal("10.50")


def test_rates_round_half_up_to_four_places():  # rule P11
    # 1 of 32 is 0.03125: half up gives 0.0313.
    march = datetime(2026, 3, 10, tzinfo=UTC)
    cases = [
        case(march, str(i), timely_acceptance=i == 0, on_time_closure=i != 0) for i in range(32)
    ]
    report = monthly_statistics("2026-03", cases)
    assert report["timely_acceptance_rate"] == Decimal("0.0313")
    assert report["on_time_closure_rate"] == Decimal("0.9688")


def test_an_unknown_timeliness_counts_as_not_timely():  # rule P11
    march = datetime(2026, 3, 10, tzinfo=UTC)
    cases = [case(march, "A"), case(march, "B", timely_acceptance=None, on_time_closure=None)]
    report = monthly_statistics("2026-03", cases)
    assert report["timely_acceptance_rate"] == Decimal("0.5000")
    assert report["on_time_closure_rate"] == Decimal("0.5000")


def test_a_department_named_twice_in_a_case_counts_once_with_both_shares():  # rule P11
    march = datetime(2026, 3, 10, tzinfo=UTC)
    shares = (
        ("logistics", Decimal("0.25")),
        ("logistics", Decimal("0.5")),
        ("sales", Decimal("0.25")),
    )
    report = monthly_statistics("2026-03", [case(march, "A", shares=shares), case(march, "B")])
    assert report["by_department"] == {"logistics": 2, "sales": 1}
    assert report["problem_ratio"] == {"logistics": Decimal("0.8750"), "sales": Decimal("0.1250")}


def test_a_case_without_a_cause_is_counted_as_unknown():  # rule P11
    march = datetime(2026, 3, 10, tzinfo=UTC)
    report = monthly_statistics("2026-03", [case(march, cause=None)])
    assert report["by_cause"] == {"unknown": 1}


def test_a_month_without_closed_cases_has_no_ratios_and_no_improvements():  # rule P11
    report = monthly_statistics("2026-03", [case(datetime(2026, 5, 1, tzinfo=UTC))])
    assert report["problem_ratio"] == {}
    assert report["on_time_closure_rate"] is None
    assert report["improvements"] == []
    assert report["by_department"] == report["by_product"] == report["by_customer"] == {}


def test_a_summary_cannot_be_changed_once_taken():  # rule P11
    summary = closed_case().build().summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.cause = "other"


# --- the summary of a closed case ------------------------------------------------------------
def test_a_summary_names_each_product_once_in_the_order_registered():  # rule P11
    lines = [line("SEAL-02"), line("PUMP-01"), line("SEAL-02", 1)]
    summary = closed_case(lines=lines).build().summary()
    assert summary.skus == ("SEAL-02", "PUMP-01")


def test_a_summary_carries_the_cases_figures():  # rule P11
    complaint = closed_case(close_hour=40).build()
    summary = complaint.summary()
    assert (summary.complaint_id, summary.number, summary.customer_id) == (
        complaint.id,
        complaint.number,
        complaint.customer_id,
    )
    assert (summary.cause, summary.cause_category) == ("packaging", "non_sales")
    assert (summary.registered_at, summary.closed_at) == (T0, T0 + timedelta(hours=40))
    assert (summary.timely_acceptance, summary.on_time_closure) == (True, True)
    assert summary.improvement == "加厚外箱"


@pytest.mark.parametrize(
    "builder",
    [
        lambda: CaseBuilder().accept(),  # sorts before "closed"
        lambda: executing_case(),  # sorts after "closed"
    ],
)
def test_only_a_closed_case_is_summarised(builder):  # rule P11
    with pytest.raises(IllegalTransition):
        builder().build().summary()


def test_a_case_loaded_from_storage_as_closed_is_summarised():  # rule P11
    complaint = closed_case().build()
    complaint.status = json.loads(json.dumps(complaint.status))
    assert complaint.summary().number == complaint.number
