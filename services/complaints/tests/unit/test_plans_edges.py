"""Edges of plans and their approval (rule P5, rule P6, rule P7) that mutation testing
found untested (issue 8.9, docs/mutation.md): how an action's amount and lines must
agree, amounts just above zero and below it, which plan is the accepted one and which
the previous one, the approved quantities the accepted plan announces, and plan ids and
statuses that come back from a request or the database equal to the code's literals but
not the same objects."""

import json
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

import pytest

from complaints.commands import PlanAction
from complaints.domain import Plan
from complaints.testing import (
    T0,
    CaseBuilder,
    allowance,
    executing_case,
    investigated_case,
    line,
    return_action,
)
from servicekit.contracts.complaints import IllegalTransition
from servicekit.errors import Invalid


def at(hours: float):
    return T0 + timedelta(hours=hours)


def loaded(value):
    """``value`` as a request or the database hands it over: equal, not the same object."""
    return json.loads(json.dumps(value))


def refusal(*actions: PlanAction) -> dict:
    with pytest.raises(Invalid) as refused:
        investigated_case().plan(list(actions))
    return refused.value.details["actions"]["0"]


# --- a plan is a part of the case, built by name -------------------------------------------
def test_plans_are_built_by_name_and_compare_by_identity():  # rule P5
    plan = investigated_case().plan().current_plan
    # Its fields only: once a test has started the mappers, vars() holds the ORM's too.
    values = {f.name: getattr(plan, f.name) for f in fields(plan)}
    twin = Plan(**values)
    assert twin != plan
    assert len({twin, plan}) == 2
    with pytest.raises(TypeError):
        Plan(*values.values())


# --- rule P5: an action's amount ------------------------------------------------------------
def test_an_amount_action_without_amount_or_lines_is_asked_for_its_amount():  # rule P5
    assert refusal(PlanAction("allowance")) == {"amount": ["required for allowance"]}


def test_a_line_action_without_lines_is_asked_for_lines_only():  # rule P5
    assert refusal(PlanAction("return")) == {"lines": ["at least one line is required"]}


@pytest.mark.parametrize("amount", ["999.99", "1000.01", "1200.00"])
def test_an_amount_action_given_by_lines_must_agree_with_them(amount):  # rule P5
    # The lines make 4 x 250.00 = 1000.00.
    action = PlanAction("allowance", (line(),), Decimal(amount))
    assert refusal(action) == {"amount": ["must equal the sum of the lines, 1000.00"]}


def test_a_line_action_with_an_amount_above_its_lines_is_refused():  # rule P5
    action = PlanAction("return", (line(),), Decimal("1000.01"))
    assert refusal(action) == {"amount": ["must equal the sum of the lines, 1000.00"]}


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_an_amount_action_of_nothing_or_less_is_refused(amount):  # rule P5
    assert refusal(allowance(amount)) == {"amount": ["must be greater than 0"]}


def test_an_allowance_of_a_few_cents_is_a_plan():  # rule P5
    plan = investigated_case().plan([allowance("0.50")]).current_plan
    assert plan.amount == Decimal("0.50")


# --- rule P7: which plan is which ------------------------------------------------------------
def test_each_round_links_to_the_round_before_it():  # rule P7
    builder = investigated_case()
    ids = []
    for round_ in (1, 2, 3):
        builder.plan(hour=2 + round_).approve(hour=2 + round_).customer_declines(hour=2 + round_)
        ids.append(builder.plan_id)
        assert builder.current_plan.round == round_
    builder.plan(hour=6)
    assert [builder.build().plan(i).previous_plan_id for i in ids[1:]] == ids[:-1]
    assert builder.current_plan.previous_plan_id == ids[-1]


def test_the_accepted_plan_stays_the_executed_one_while_the_next_round_is_planned():  # rule P7
    builder = executing_case().settle().follow_up(satisfied=False, score=2, hour=30)
    executed = builder.current_plan
    builder.plan(hour=31)
    assert builder.build().accepted_plan() is executed


def test_a_plan_loaded_from_storage_as_accepted_is_the_accepted_plan():  # rule P7
    builder = executing_case()
    plan = builder.current_plan
    plan.status = loaded(plan.status)
    assert builder.build().accepted_plan() is plan


# --- rule P6: approval with what a request and the database hand over -------------------------
def test_a_plan_named_by_the_request_is_found():  # rule P6
    builder = investigated_case().plan()
    plan_id = builder.plan_id
    builder.plan_id = loaded(plan_id)
    builder.approve()
    assert builder.build().plan(plan_id).status == "approved"


def test_a_plan_loaded_from_storage_as_pending_can_be_approved():  # rule P6
    builder = investigated_case().plan()
    builder.current_plan.status = loaded(builder.current_plan.status)
    builder.approve()
    assert builder.current_plan.status == "approved"


def test_a_plan_loaded_from_storage_as_pending_can_be_sent_back():  # rule P6
    builder = investigated_case().plan()
    plan = builder.current_plan
    plan.status = loaded(plan.status)
    builder.build().send_back_plan(plan.id, "依据不足", "manager1", ["cs_manager"], at(4))
    assert plan.status == "declined"


def test_an_approved_plan_is_not_sent_back():  # rule P6
    builder = investigated_case().plan().approve()
    with pytest.raises(IllegalTransition):
        builder.build().send_back_plan(builder.plan_id, "晚了", "manager1", ["cs_manager"], at(5))


# --- rule P8: what the accepted plan announces ---------------------------------------------
def test_approved_quantities_add_up_per_product_and_price():  # rule P8
    builder = investigated_case().plan(
        [
            return_action(line("PUMP-01", 2), line("PUMP-01", 2)),
            return_action(line("PUMP-01", 2), type="exchange"),
            return_action(line("PUMP-01", 5), type="rework"),
        ]
    )
    complaint = builder.approve().customer_accepts().build()
    accepted = next(e for e in complaint.pull_events() if e.event_type == "plan_accepted")
    assert accepted.payload["approved_quantities"] == [
        {"sku": "PUMP-01", "quantity": 6, "unit_price": "250.00"}
    ]
    assert accepted.payload["cause_category"] == "non_sales"


def test_the_accepted_plan_announces_a_sales_cause_as_such():  # rule P8
    complaint = CaseBuilder().accept().investigate(cause_category="sales").plan().approve()
    complaint = complaint.customer_accepts().build()
    accepted = next(e for e in complaint.pull_events() if e.event_type == "plan_accepted")
    assert accepted.payload["cause_category"] == "sales"
