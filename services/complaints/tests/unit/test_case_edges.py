"""Edges of the case's states that mutation testing found untested (issue 8.9,
docs/mutation.md): the due date acceptance sets (rule P3, rule P10), timely acceptance on
its boundary, share bounds (rule P4), the ship date and the follow-up score."""

import json
from dataclasses import fields
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.commands import Share
from complaints.domain import Complaint, ComplaintSettings
from complaints.testing import REGISTRATION, T0, CaseBuilder, investigated_case, line, share
from servicekit.contracts.complaints import IllegalTransition
from servicekit.errors import Invalid

SETTINGS = ComplaintSettings()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def register(**overrides) -> Complaint:
    return Complaint(**{**REGISTRATION, "lines": [line()], "now": T0, **overrides})


def shares(*values: str) -> list[Share]:
    return [share(f"dept{i}", value) for i, value in enumerate(values)]


# --- building the case and its parts ---------------------------------------------
def test_a_case_is_registered_from_named_fields_only():  # rule P2
    with pytest.raises(TypeError):
        Complaint(*REGISTRATION.values(), [line()], T0)


def test_an_investigation_is_reported_by_named_fields_only():  # rule P4
    complaint = CaseBuilder().accept().build()
    with pytest.raises(TypeError):
        complaint.investigate("挤压", "packaging", "non_sales", shares("1.00"), "q1", at(2))


def test_the_parts_of_a_case_are_hashable_and_built_by_name():
    # The ORM keeps children in identity sets: they compare by identity, not by value.
    complaint = investigated_case().build()
    (responsibility,) = complaint.investigation.responsibility
    assert len({responsibility, complaint.investigation}) == 2
    # Its fields only: once a test has started the mappers, vars() holds the ORM's too.
    twin = type(responsibility)(
        **{f.name: getattr(responsibility, f.name) for f in fields(responsibility)}
    )
    assert twin != responsibility
    with pytest.raises(TypeError):
        type(responsibility)("logistics", None, Decimal("1"))


# --- rule P2: the ship date (a date: the schema's, test_contract_schemas) ---------------
def test_goods_shipped_today_in_beijing_may_be_complained_about():  # rule P2
    # T0 is 09:00 on 2 March in Beijing.
    assert register(ship_date=date(2026, 3, 2)).ship_date == date(2026, 3, 2)


# --- rule P3 / rule P10: acceptance ----------------------------------------------------------
def test_without_a_promised_wait_the_case_is_due_after_the_closure_hours():  # rule P10
    complaint = CaseBuilder().accept(days=None, hour=1).build()
    # Working hours (complaints.domain.calendar): the 360 hours are 15 working days from
    # Monday, so the three weekends between stand still.
    weekends = timedelta(days=3 * 2)
    assert complaint.due_at == at(1) + timedelta(hours=SETTINGS.closure_hours) + weekends


def test_a_one_day_promise_is_allowed():  # rule P3
    complaint = CaseBuilder().accept(days=1, hour=1).build()
    assert complaint.due_at == at(1) + timedelta(days=1)


def test_acceptance_at_its_due_time_is_still_timely():  # rule P10
    on_time = CaseBuilder().accept(hour=SETTINGS.acceptance_hours).build()
    assert on_time.timely_acceptance is True
    late = CaseBuilder().accept(hour=SETTINGS.acceptance_hours + 0.01).build()
    assert late.timely_acceptance is False


def test_a_rejection_is_timely_or_late_like_an_acceptance():  # rule P3, rule P10
    on_time = CaseBuilder().reject(hour=SETTINGS.acceptance_hours).build()
    assert on_time.timely_acceptance is True
    early = CaseBuilder().reject(hour=1).build()
    assert early.timely_acceptance is True
    late = CaseBuilder().reject(hour=SETTINGS.acceptance_hours + 1).build()
    assert late.timely_acceptance is False


# --- rule P4: share places (above 0 and at most 1: the schema's, test_contract_schemas) --
def test_shares_are_kept_to_four_places_whichever_way_they_round():  # rule P4
    with pytest.raises(Invalid) as refused:
        CaseBuilder().accept().investigate(shares("0.33335", "0.66665"))
    assert refused.value.details["responsibility"] == {
        "0": {"share": ["at most four decimal places"]},
        "1": {"share": ["at most four decimal places"]},
    }


# --- rule P7: only an approved plan is put to the customer ---------------------------------
def test_a_plan_loaded_from_storage_as_approved_can_be_put_to_the_customer():  # rule P7
    builder = investigated_case().plan().approve()
    plan = builder.current_plan
    plan.status = json.loads(json.dumps(plan.status))  # equal, not the literal's object
    builder.customer_accepts()
    assert builder.build().status == "executing"


def test_the_accepted_plan_of_an_unsatisfying_round_cannot_be_answered_again():  # rule P7
    builder = CaseBuilder().accept().investigate().plan().approve().customer_accepts()
    builder.settle().follow_up(satisfied=False, score=2, hour=30)
    assert builder.current_plan.status == "accepted"
    with pytest.raises(IllegalTransition):
        builder.customer_accepts(hour=31)


# --- rule P9: follow-up ----------------------------------------------------------------------
def test_the_lowest_score_is_a_valid_follow_up():  # rule P9
    builder = CaseBuilder().accept().investigate().plan().approve().customer_accepts().settle()
    builder.follow_up(satisfied=True, score=1)
    assert builder.build().satisfaction == 1


def test_the_closing_event_says_satisfied_with_the_cause_found():  # rule P9, rule P11
    builder = CaseBuilder().accept().investigate().plan().approve().customer_accepts().settle()
    complaint = builder.follow_up(satisfied=True, score=4).build()
    closed = next(e for e in complaint.pull_events() if e.event_type == "complaint_closed")
    assert closed.payload["satisfied"] is True
    assert closed.payload["cause"] == "packaging"
    assert closed.payload["cause_category"] == "non_sales"
