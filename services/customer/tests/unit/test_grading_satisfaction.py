"""The grade's satisfaction (rule C6) from both sources the customer scores on 1..5:
complaint follow-ups closed in the grading window and surveys dated in it (rule C9), each
score weighing the same. Pure averaging at its boundaries, then through the handlers on
the fake unit of work: a survey recorded reviews the customer as an event does."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from customer import grading_handlers, handlers, interactions_handlers
from customer.commands import CreateCustomer
from customer.domain import CustomerSettings
from customer.domain.grading import components_of, inputs_for, window_start
from customer.domain.summaries import CustomerSummary, day_start
from customer.grading_testing import FAKE_REPOSITORIES, complaint, invoice
from customer.interactions_commands import RecordInteraction
from servicekit.contracts.customer import CustomerNotFound
from servicekit.domain import Actor
from servicekit.errors import Invalid
from servicekit.testing import FakeUnitOfWork

S = CustomerSettings()
OFFSET = S.business_utc_offset_hours
NOW = datetime(2026, 11, 15, 4, 0, tzinfo=UTC)  # business day 15 November
TODAY = date(2026, 11, 15)
START = window_start(TODAY, S)  # 16 November 2025
FIRST_MOMENT = day_start(START, OFFSET)  # 2025-11-15 16:00 UTC
TOMORROW = day_start(TODAY + timedelta(days=1), OFFSET)
TICK = timedelta(microseconds=1)
CLERK = Actor("li.na", ("sales_clerk",))
MANAGER = Actor("liu.yang", ("sales_manager",))
MARKET = Actor("chen.jing", ("market_manager",))
AGENT = Actor("wu.kf", ("cs_agent",))


def closed_case(summary: CustomerSummary, case_id: str, closed_at: datetime, score: int) -> None:
    summary.complaint_closed(
        case_id, None, registered_at=closed_at - timedelta(days=3), closed_at=closed_at,
        satisfied=score >= 3, satisfaction=score, now=NOW,
    )  # fmt: skip


def satisfaction(summary: CustomerSummary, surveys=()) -> Decimal | None:
    return summary.satisfaction_between(START, TODAY, OFFSET, surveys)


# --- pure: the average in the window -------------------------------------------------
def test_start_of_window_is_a_year_back_in_business_days():
    start, first_moment = START, FIRST_MOMENT
    assert start == date(2025, 11, 16)
    assert first_moment == datetime(2025, 11, 15, 16, 0, tzinfo=UTC)  # 00:00 in UTC+8


def test_no_score_at_all_is_unknown():  # rule C6
    assert satisfaction(CustomerSummary("c-1", NOW)) is None


def test_only_surveys_average_their_scores():  # rule C6
    surveys = [(NOW - timedelta(days=10), 5), (NOW - timedelta(days=40), 2)]
    assert satisfaction(CustomerSummary("c-1", NOW), surveys) == Decimal("3.50")


def test_only_complaint_follow_ups_average_as_before():  # rule C6
    kept = CustomerSummary("c-1", NOW)
    closed_case(kept, "cp-1", NOW - timedelta(days=5), 4)
    closed_case(kept, "cp-2", NOW - timedelta(days=50), 1)
    assert satisfaction(kept) == Decimal("2.50")
    assert kept.follow_up_scores_between(START, TODAY, OFFSET) == [4, 1]


def test_both_sources_weigh_the_same_per_score():  # rule C6
    kept = CustomerSummary("c-1", NOW)
    closed_case(kept, "cp-1", NOW - timedelta(days=5), 2)
    surveys = [(NOW - timedelta(days=1), 5), (NOW - timedelta(days=2), 5)]
    # per score: (2 + 5 + 5) / 3 = 4; per source it would have been (2 + 5) / 2 = 3.5
    assert satisfaction(kept, surveys) == Decimal("4.00")


def test_a_survey_just_before_the_window_is_left_out_the_first_moment_counts():  # rule C6
    kept = CustomerSummary("c-1", NOW)
    closed_case(kept, "cp-1", NOW - timedelta(days=5), 4)
    assert satisfaction(kept, [(FIRST_MOMENT - TICK, 1)]) == Decimal("4.00")
    assert satisfaction(kept, [(FIRST_MOMENT, 1)]) == Decimal("2.50")
    assert satisfaction(CustomerSummary("c-2", NOW), [(FIRST_MOMENT - TICK, 1)]) is None


def test_a_survey_late_today_counts_tomorrows_does_not():  # rule C6
    kept = CustomerSummary("c-1", NOW)
    assert satisfaction(kept, [(TOMORROW - TICK, 3)]) == Decimal("3.00")
    assert satisfaction(kept, [(TOMORROW, 3)]) is None


def test_a_follow_up_closed_before_the_window_is_left_out_beside_a_survey():  # rule C6
    kept = CustomerSummary("c-1", NOW)
    closed_case(kept, "cp-1", FIRST_MOMENT - TICK, 1)
    assert satisfaction(kept, [(FIRST_MOMENT, 5)]) == Decimal("5.00")


def test_the_survey_moves_the_satisfaction_component():  # rule C6
    since = datetime(2023, 6, 1, tzinfo=UTC)
    card = SimpleNamespace(approved_at=since, created_at=since)  # what cooperation reads
    kept = CustomerSummary("c-1", NOW)
    unknown = inputs_for(card, kept, TODAY, S)
    scored = inputs_for(card, kept, TODAY, S, [(NOW - timedelta(days=3), 1)])
    outside = inputs_for(card, kept, TODAY, S, [(FIRST_MOMENT - TICK, 1)])
    assert (unknown.satisfaction, scored.satisfaction) == (None, Decimal("1.00"))
    assert outside.satisfaction is None
    assert components_of(unknown, S)["satisfaction"] == Decimal("75.00")  # 4 assumed
    assert components_of(scored, S)["satisfaction"] == Decimal("0.00")


# --- handlers over fakes ---------------------------------------------------------------
@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def customer_of(uow, status="active") -> str:
    values = {
        "name": "华东机电有限公司",
        "nature": "distributor",
        "settlement_terms": "net_60",
        "credit_limit": Decimal("200000.00"),
        "owner": "li.na",
    }
    customer = handlers.create_customer(uow, CreateCustomer(**values), CLERK, S)
    if status == "active":
        handlers.approve_customer(uow, customer.id, MANAGER)
        uow.customers.items[customer.id].approved_at = datetime(2023, 6, 1, tzinfo=UTC)
    return customer.id


def graded(uow, customer_id) -> None:
    fact = invoice(customer_id, "1200000.00", date(2026, 10, 8))
    assert grading_handlers.handle_invoice_recorded(uow, S, fact, NOW)


def survey(uow, customer_id, score, at=None):
    command = RecordInteraction(type="survey", notes="满意度调查", at=at, score=score)
    return interactions_handlers.record_interaction(uow, customer_id, command, AGENT, S, NOW)


def test_a_low_survey_regrades_the_customer_at_once(uow):  # rule C6
    customer_id = customer_of(uow)
    graded(uow, customer_id)
    record = uow.grades.items[customer_id]
    assert record.components["satisfaction"] == "75.00"  # nothing scored yet: 4 assumed
    before = record.score
    survey(uow, customer_id, 1, at=NOW - timedelta(days=2))
    record = uow.grades.items[customer_id]
    # 75 points of a 0.15 weight: the score falls 11.25, a large change (10)
    assert record.components["satisfaction"] == "0.00"
    assert record.inputs["satisfaction"] == "1.00"
    assert before - record.score == Decimal("11.25")
    assert record.trigger == "large_change"
    assert uow.grades.changes[-1].components["satisfaction"] == "0.00"


def test_a_survey_and_a_follow_up_average_in_the_grading(uow):  # rule C6
    customer_id = customer_of(uow)
    graded(uow, customer_id)
    closed = NOW - timedelta(days=4)
    fact = complaint(customer_id, closed - timedelta(days=2), closed_at=closed, satisfaction=2)
    grading_handlers.handle_complaint_closed(uow, S, fact, NOW)
    survey(uow, customer_id, 5, at=NOW - timedelta(days=1))
    grading_handlers.regrade_customer(uow, S, customer_id, MARKET, NOW)
    record = uow.grades.items[customer_id]
    assert record.inputs["satisfaction"] == "3.50"
    assert record.components["satisfaction"] == "62.50"


def test_a_survey_before_the_window_leaves_the_satisfaction_alone(uow):  # rule C6
    customer_id = customer_of(uow)
    graded(uow, customer_id)
    survey(uow, customer_id, 1, at=FIRST_MOMENT - TICK)
    grading_handlers.regrade_customer(uow, S, customer_id, MARKET, NOW)
    record = uow.grades.items[customer_id]
    assert record.inputs["satisfaction"] is None
    assert record.components["satisfaction"] == "75.00"


def test_a_survey_of_a_customer_pending_approval_is_kept_but_not_graded(uow):  # rule C3
    customer_id = customer_of(uow, status="pending_approval")
    kept = survey(uow, customer_id, 2, at=NOW - timedelta(hours=1))
    assert uow.interactions.get(kept.id).score == 2
    assert customer_id not in uow.grades.items


def test_a_survey_of_no_customer_is_refused_and_nothing_kept(uow):
    with pytest.raises(CustomerNotFound):
        survey(uow, "no-such-customer", 3)
    assert uow.interactions.items == {} and uow.summaries.items == {}


def test_a_survey_without_its_score_is_refused_and_nothing_is_graded(uow):  # rule C9
    customer_id = customer_of(uow)
    with pytest.raises(Invalid):
        survey(uow, customer_id, None)
    assert uow.interactions.items == {} and customer_id not in uow.grades.items
