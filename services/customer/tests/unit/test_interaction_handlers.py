"""Interactions (rule C9) and the composition analysis (rule C10) through their handlers
on the fake unit of work (customer.interactions_testing): what is recorded, replied,
listed as due and reported. No broker, no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from customer import grading_handlers, handlers, interactions_handlers
from customer.commands import CreateCustomer
from customer.domain import CustomerSettings
from customer.grading_testing import invoice
from customer.interactions_commands import RecordInteraction, ReplyInteraction
from customer.interactions_testing import FAKE_REPOSITORIES
from servicekit.contracts.customer import CustomerNotFound
from servicekit.contracts.customer_interactions import (
    InteractionNotFound,
    InteractionNotReplyable,
    InteractionReplied,
)
from servicekit.domain import Actor
from servicekit.testing import FakeUnitOfWork

S = CustomerSettings()
NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
CLERK = Actor("li.na", ("sales_clerk",))
MANAGER = Actor("liu.yang", ("sales_manager",))
AGENT = Actor("wu.kf", ("cs_agent",))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def customer_of(uow, approved=NOW - timedelta(days=30), status="active", **card) -> str:
    values = {"name": "华东机电有限公司", "nature": "distributor", "owner": "li.na", **card}
    customer = handlers.create_customer(uow, CreateCustomer(**values), CLERK, S)
    if status != "pending_approval":
        handlers.approve_customer(uow, customer.id, MANAGER)
        uow.customers.items[customer.id].approved_at = approved
        uow.customers.items[customer.id].status = status
    return customer.id


def record(uow, customer_id, type="visit", at=None, now=NOW, **kwargs):
    command = RecordInteraction(type=type, notes=kwargs.pop("notes", "季度拜访"), at=at, **kwargs)
    return interactions_handlers.record_interaction(uow, customer_id, command, AGENT, S, now)


# --- recording ------------------------------------------------------------------------
def test_an_interaction_is_recorded_by_whom_and_kept_in_the_history(uow):
    customer_id = customer_of(uow)
    visit = record(uow, customer_id, at=NOW - timedelta(hours=2), by="li.na")
    assert uow.interactions.get(visit.id).by == "li.na"
    assert (visit.recorded_by, visit.recorded_at, visit.reply_due_at) == ("wu.kf", NOW, None)
    assert uow.history[-1].action == "recorded"
    assert interactions_handlers.customer_interactions(uow, customer_id) == [visit]


def test_the_actor_did_it_and_now_is_when_unless_told(uow):
    call = record(uow, customer_of(uow), "call")
    assert (call.by, call.at) == ("wu.kf", NOW)


def test_an_enquiry_gets_its_reply_due_time(uow):
    enquiry = record(uow, customer_of(uow), "enquiry", at=NOW, notes="价格咨询")
    assert enquiry.reply_due_at == NOW + timedelta(hours=S.enquiry_reply_hours)


def test_no_interaction_for_an_unknown_customer(uow):
    with pytest.raises(CustomerNotFound):
        record(uow, "nobody")
    with pytest.raises(CustomerNotFound):
        interactions_handlers.customer_interactions(uow, "nobody")
    assert not uow.interactions.items


# --- replies ----------------------------------------------------------------------------
def reply(uow, interaction_id, at, text="已答复"):
    return interactions_handlers.reply_interaction(
        uow, interaction_id, ReplyInteraction(text), AGENT, at
    )


def test_a_reply_on_time_and_a_second_one_refused(uow):
    enquiry = record(uow, customer_of(uow), "enquiry")
    replied = reply(uow, enquiry.id, enquiry.reply_due_at)
    assert (replied.on_time, replied.replied_by) == (True, "wu.kf")
    with pytest.raises(InteractionReplied):
        reply(uow, enquiry.id, enquiry.reply_due_at)
    assert uow.interactions.get(enquiry.id).reply == "已答复"


def test_a_late_reply_is_kept_late(uow):
    suggestion = record(uow, customer_of(uow), "suggestion")
    late = reply(uow, suggestion.id, suggestion.reply_due_at + timedelta(minutes=1))
    assert late.on_time is False


def test_a_visit_is_not_replied_and_an_unknown_interaction_is_404(uow):
    visit = record(uow, customer_of(uow))
    with pytest.raises(InteractionNotReplyable):
        reply(uow, visit.id, NOW)
    with pytest.raises(InteractionNotFound):
        reply(uow, "nothing", NOW)


# --- follow-ups due ---------------------------------------------------------------------
def due(uow, now=NOW, settings=S, **filters):
    found = interactions_handlers.follow_ups_due(uow, settings, filters, now)
    return [f.customer_id for f in found]


def test_a_pickup_customer_falls_due_a_quarter_after_approval(uow):
    pickup = customer_of(uow, approved=NOW - timedelta(days=S.follow_up_pickup_days, seconds=1),
                         pickup=True)  # fmt: skip
    other = customer_of(uow, approved=NOW - timedelta(days=S.follow_up_pickup_days, seconds=1))
    assert due(uow, overdue=True) == [pickup]
    assert other not in due(uow)


def test_a_visit_call_or_survey_resets_the_clock_care_and_enquiries_do_not(uow):
    since = NOW - timedelta(days=200)
    visited = customer_of(uow, approved=since, pickup=True)
    greeted = customer_of(uow, approved=since, pickup=True)
    record(uow, visited, "survey", at=NOW - timedelta(days=5), score=4)
    record(uow, greeted, "care", at=NOW - timedelta(days=5), notes="中秋节问候")
    record(uow, greeted, "enquiry", at=NOW - timedelta(days=5), notes="价格")
    assert due(uow, overdue=True) == [greeted]


def test_due_lists_the_soon_due_and_the_overdue_the_longest_overdue_first(uow):
    days = S.follow_up_days
    soon = customer_of(uow, approved=NOW - timedelta(days=days - S.follow_up_notice_days))
    late = customer_of(uow, approved=NOW - timedelta(days=days + 1))
    later = customer_of(uow, approved=NOW - timedelta(days=days + 20))
    customer_of(uow, approved=NOW - timedelta(days=1))  # not due
    assert due(uow) == [later, late, soon]
    assert due(uow, overdue=True) == [later, late]
    assert due(uow, overdue=False) == [soon]


def test_only_customers_whose_terms_are_in_effect_are_followed_up(uow):
    old = NOW - timedelta(days=400)
    dormant = customer_of(uow, approved=old, status="dormant")
    customer_of(uow, approved=old, status="lost")
    customer_of(uow, status="pending_approval")
    assert due(uow) == [dormant]


def test_follow_ups_filtered_by_owner_and_pickup_and_the_setting_moves_them(uow):
    since = NOW - timedelta(days=40)
    mine = customer_of(uow, approved=since, pickup=True, owner="li.na")
    customer_of(uow, approved=since, pickup=True, owner="zhao.lei")
    monthly = replace(S, follow_up_pickup_days=30)
    assert due(uow) == []
    assert due(uow, settings=monthly, owner="li.na") == [mine]
    assert due(uow, settings=monthly, pickup=False) == []


# --- the report ---------------------------------------------------------------------------
def test_the_report_counts_per_type_and_measures_on_time_replies(uow):
    customer_id = customer_of(uow)
    start = datetime(2026, 11, 1, 2, tzinfo=UTC)
    record(uow, customer_id, "visit", at=start)
    record(uow, customer_id, "survey", at=start, score=5)
    record(uow, customer_id, "survey", at=start, score=2)
    timely = record(uow, customer_id, "enquiry", at=start)
    late = record(uow, customer_id, "enquiry", at=start)
    record(uow, customer_id, "enquiry", at=start)  # never answered: overdue
    suggestion = record(uow, customer_id, "suggestion", at=start)
    record(uow, customer_id, "call", at=datetime(2026, 10, 31, 15, 59, tzinfo=UTC))  # 31 Oct +8
    reply(uow, timely.id, timely.reply_due_at)
    reply(uow, late.id, late.reply_due_at + timedelta(seconds=1))
    reply(uow, suggestion.id, start + timedelta(hours=1))
    report = interactions_handlers.interaction_report(
        uow, S, date(2026, 11, 1), date(2026, 11, 30), NOW
    )
    assert report["counts"] == {"visit": 1, "call": 0, "care": 0, "survey": 2, "enquiry": 3,
                                "suggestion": 1}  # fmt: skip
    assert report["replies"]["enquiry"]["on_time_rate"] == Decimal("0.3333")
    assert report["replies"]["enquiry"]["overdue"] == 1
    assert report["replies"]["suggestion"]["on_time_rate"] == Decimal("1.0000")
    assert report["survey_average"] == Decimal("3.50")
    october = interactions_handlers.interaction_report(
        uow, S, date(2026, 10, 31), date(2026, 10, 31), NOW
    )
    assert october["counts"]["call"] == 1 and sum(october["counts"].values()) == 1


# --- composition (rule C10) --------------------------------------------------------------
def test_the_composition_reads_the_summaries_of_invoices_and_the_cards(uow):
    east = customer_of(uow, region="华东")
    south = customer_of(uow, region="华南")
    for fact in (
        invoice(east, "1000.00", date(2026, 3, 1), lines=(("P-1", 10, "1000.00"),)),
        invoice(east, "1000.00", date(2026, 3, 1), lines=(("P-1", 10, "1000.00"),)),
        invoice(south, "500.00", date(2026, 4, 1), lines=(("P-2", 5, "500.00"),)),
        invoice(south, "700.00", date(2025, 4, 1), lines=(("P-2", 7, "700.00"),)),
    ):
        grading_handlers.handle_invoice_recorded(uow, S, fact)
    # the grades as the card has them now (grading gave both a first grade)
    uow.customers.items[east].grade = "A"
    uow.customers.items[south].grade = "B"
    found = interactions_handlers.composition_report(uow, 2026)
    assert found["total"] == Decimal("2500.00")
    assert [(g["grade"], g["amount"]) for g in found["by_grade"]] == [
        ("A", Decimal("2000.00")),
        ("B", Decimal("500.00")),
    ]
    assert [(p["sku"], p["quantity"]) for p in found["by_product"]] == [("P-1", 20), ("P-2", 5)]
    assert [(r["region"], r["share"]) for r in found["by_region"]] == [
        ("华东", Decimal("0.8000")),
        ("华南", Decimal("0.2000")),
    ]
    assert interactions_handlers.composition_report(uow, 2025)["total"] == Decimal("700.00")
