"""rule R6: the daily posting batch, when it is due and that it runs once a day; and the
accepted plan as the returns service reads it from complaints' event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from returns import handlers
from returns.commands import AcceptedPlan, PlanAction, ReturnLine
from returns.domain import ReturnsSettings, due_batch
from returns.testing import FAKE_REPOSITORIES, WAREHOUSE, plan, scan
from servicekit.contracts.complaints import PlanAcceptedEventSchema
from servicekit.testing import FakeUnitOfWork

SETTINGS = ReturnsSettings(post_at_once=False)  # 08:00 at UTC+8 is 00:00 UTC
RETURN = PlanAction("act-1", "return", (ReturnLine("A-1", 10, 1),))


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    "now, day",
    [
        (utc(26, 23, 59, 59), date(2026, 11, 26)),  # 07:59:59 on the 27th: the 26th's batch
        (utc(27, 0), date(2026, 11, 27)),  # 08:00 on the 27th: the 27th's batch is due
        (utc(27, 15), date(2026, 11, 27)),
    ],
)
def test_the_batch_due_is_the_last_whose_hour_has_come(now, day):
    due_day, cutoff = due_batch(now, SETTINGS)
    assert due_day == day
    assert cutoff == datetime(day.year, day.month, day.day, tzinfo=UTC)  # 08:00 at UTC+8


def test_the_hour_and_the_zone_are_settings():
    settings = ReturnsSettings(posting_hour=6, business_utc_offset_hours=0)
    assert due_batch(utc(27, 5, 59), settings) == (date(2026, 11, 26), utc(26, 6))
    assert due_batch(utc(27, 6), settings) == (date(2026, 11, 27), utc(27, 6))


@pytest.mark.parametrize(
    "field, value", [("posting_hour", 24), ("posting_hour", -1), ("posting_timer_seconds", 0)]
)
def test_settings_out_of_range_are_refused_at_start(field, value):
    with pytest.raises(ValueError):
        ReturnsSettings(**{field: value})


def test_naive_times_are_a_bug():
    with pytest.raises(ValueError):
        due_batch(datetime(2026, 11, 27, 8), SETTINGS)


def signed_off(uow, plan_id: str) -> str:
    return_id = handlers.handle_plan_accepted(uow, plan(RETURN, plan_id=plan_id)).id
    handlers.post_receipt(uow, return_id, scan(f"s-{plan_id}", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(uow, return_id, WAREHOUSE, post_at_once=False)
    return return_id


def test_the_days_batch_posts_once_and_leaves_later_sign_offs_for_the_next():
    uow = FakeUnitOfWork(FAKE_REPOSITORIES)
    early = signed_off(uow, "plan-1")
    signed_at = uow.returns.get(early).received_at
    batch_time = signed_at + timedelta(days=1)
    later = signed_off(uow, "plan-2")
    uow.returns.get(later).received_at = batch_time + timedelta(minutes=1)
    assert handlers.run_posting_batch(uow, SETTINGS, batch_time) == 1
    assert handlers.run_posting_batch(uow, SETTINGS, batch_time + timedelta(minutes=1)) is None
    assert uow.returns.get(early).posted_at is not None
    assert uow.returns.get(later).posted_at is None
    # the next day's batch takes it
    assert handlers.run_posting_batch(uow, SETTINGS, batch_time + timedelta(days=1)) == 1
    received = [e.payload["return_id"] for e in uow.events if e.event_type == "return_received"]
    assert received == [early, later]


def test_a_batch_with_nothing_to_post_still_counts_as_the_days_run():
    uow = FakeUnitOfWork(FAKE_REPOSITORIES)
    assert handlers.run_posting_batch(uow, SETTINGS, utc(27, 1)) == 0
    assert handlers.run_posting_batch(uow, SETTINGS, utc(27, 2)) is None


def test_the_accepted_plan_is_read_from_complaints_event_with_its_owner():
    # rule R1, rule R2: the lines to authorize and the clerk differences are charged to
    payload = {
        "event_id": "e-1",
        "complaint_id": "case-1",
        "number": "TS-2026-000001",
        "customer_id": "cust-1",
        "plan_id": "plan-1",
        "round": 1,
        "amount": "25.00",
        "approved_by": "cs.boss",
        "accepted_at": "2026-11-27T08:00:00+00:00",
        "actions": [
            {
                "action_id": "act-1",
                "type": "return",
                "amount": "25.00",
                "lines": [
                    {
                        "sku": "A-1",
                        "description": "泵",
                        "quantity": 2,
                        "unit_price": "12.50",
                        "amount": "25.00",
                    }
                ],
            }
        ],
        "approved_quantities": [{"sku": "A-1", "quantity": 2, "unit_price": "12.50"}],
        "responsibility": [],
        "owner": "li.na",
    }
    accepted = AcceptedPlan.of(PlanAcceptedEventSchema().load(payload))
    assert accepted.owner == "li.na"
    (action,) = accepted.actions
    assert (action.action_id, action.type) == ("act-1", "return")
    assert action.lines == (ReturnLine("A-1", 2, action.lines[0].unit_price, description="泵"),)
    assert str(action.lines[0].unit_price) == "12.50"
    del payload["owner"]  # a producer from before the field: the owner is unknown
    assert AcceptedPlan.of(PlanAcceptedEventSchema().load(payload)).owner is None
