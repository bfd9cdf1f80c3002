"""Edges of the notices (rule P10) that mutation testing found untested (issue 8.9,
docs/mutation.md): when the notice timer next looks at a case, when a case is overdue,
which departments a late closure escalates to and on which step, and notices whose
strings come back from the database equal to the code's literals but not the same
objects."""

import json
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

import pytest

from complaints.domain import ComplaintSettings, Notice
from complaints.testing import T0, CaseBuilder, allowance, executing_case, resolved_case


def at(hours: float):
    return T0 + timedelta(hours=hours)


def loaded(value):
    """``value`` as the database hands it over: equal, not the same object."""
    return json.loads(json.dumps(value))


def an_allowance_case(accept_hour: float = 1) -> CaseBuilder:
    """Accepted at ``accept_hour`` (promised in 10 days); nothing investigated yet."""
    return CaseBuilder().accept(hour=accept_hour)


def carried_on(builder: CaseBuilder, investigated: float) -> CaseBuilder:
    """Investigated at ``investigated``, then an allowance planned, approved and
    accepted within the hours after, and paid at hour 240 (in time for every step)."""
    builder.investigate(hour=investigated)
    h = investigated
    return (
        builder.plan([allowance("10.00")], hour=h + 1)
        .approve(hour=h + 2)
        .customer_accepts(hour=h + 3)
        .settle(hour=240)
    )


def escalations(builder: CaseBuilder) -> list[Notice]:
    return [n for n in builder.build().notices if n.type == "escalation"]


# --- a notice is a record of the case, built by name ---------------------------------------
def test_notices_are_built_by_name_and_compare_by_identity():  # rule P10
    complaint = CaseBuilder().build()
    (notice,) = complaint.due_notices(at(20))
    # Its fields only: once a test has started the mappers, vars() holds the ORM's too.
    values = {f.name: getattr(notice, f.name) for f in fields(notice)}
    twin = Notice(**values)
    assert twin != notice
    assert len({twin, notice}) == 2
    with pytest.raises(TypeError):
        Notice(*values.values())


# --- when the timer next looks at a case ---------------------------------------------------
def test_the_timer_looks_at_a_new_case_at_its_reminder_then_at_its_due_time():  # rule P10
    complaint = CaseBuilder().build()  # acceptance due at hour 24, reminder at 19.2
    assert complaint.next_notice_check() == at(19.2)
    complaint.issue_notices(at(19.2))
    assert complaint.next_notice_check() == at(24)
    complaint.issue_notices(at(24))
    assert complaint.next_notice_check() is None


def test_the_timers_own_pass_asks_for_a_time_strictly_after_it():  # rule P10
    complaint = CaseBuilder().build()
    assert complaint.next_notice_check(after=at(19)) == at(19.2)
    assert complaint.next_notice_check(after=at(19.2)) == at(24)
    assert complaint.next_notice_check(after=at(24)) is None


def test_the_timer_skips_the_steps_already_done():  # rule P10
    complaint = an_allowance_case(accept_hour=1).build()
    # Acceptance is done; investigation runs 1 working day from hour 1 (reminder at 20.2).
    assert complaint.next_notice_check() == at(20.2)


def test_the_reminder_share_moves_the_timer():  # rule P10
    complaint = CaseBuilder().build()
    settings = ComplaintSettings(reminder_share=Decimal("0.5"))
    assert complaint.next_notice_check(settings) == at(12)


@pytest.mark.parametrize("finish", ["reject", "close"])
def test_the_timer_leaves_a_finished_case_alone(finish):  # rule P10
    if finish == "reject":
        complaint = CaseBuilder().reject(hour=1).build()
    else:
        complaint = carried_on(an_allowance_case(), investigated=2).follow_up(hour=241).build()
    assert complaint.next_notice_check() is None
    assert complaint.next_notice_check(after=at(0)) is None
    assert not complaint.is_overdue(at(10_000))


# --- when a case is overdue ------------------------------------------------------------------
def test_a_case_is_overdue_past_its_due_date_while_its_step_is_still_in_time():  # rule P10
    friday = T0 + timedelta(days=4)  # Friday 09:00 in Beijing
    complaint = CaseBuilder(start=friday).accept(days=1, hour=1).build()
    # Promised for Saturday 10:00; the investigation is due on Monday 10:00.
    saturday = friday + timedelta(days=1, hours=1)
    assert complaint.step_due_at > saturday + timedelta(hours=1)
    assert not complaint.is_overdue(saturday)
    assert complaint.is_overdue(saturday + timedelta(seconds=1))


# --- a late closure ---------------------------------------------------------------------------
def test_a_late_closure_escalates_to_a_department_that_finished_late_unreminded():  # rule P10
    # No timer ran: the investigation, due at hour 25, was reported at hour 73.
    builder = carried_on(an_allowance_case(), investigated=73).follow_up(hour=250)
    assert [n.department for n in escalations(builder)] == ["quality"]


def test_a_late_closure_escalates_to_the_departments_reminded_as_overdue():  # rule P10
    # Quality was reminded at its due time and reported just then: in time, but reminded.
    builder = an_allowance_case()
    builder.build().issue_notices(at(25))
    builder = carried_on(builder, investigated=25)
    builder.build().issue_notices(at(242))  # the case's own due date (closure) passed
    complaint = builder.build()
    for notice in complaint.notices:  # as the closing handler loads them
        notice.step, notice.kind = loaded(notice.step), loaded(notice.kind)
    for step in complaint.steps:
        step.name = loaded(step.name)
    builder.follow_up(hour=250)
    # The closure's own overdue reminder is the late closure itself, not a late department.
    assert [(n.step, n.department) for n in escalations(builder)] == [("closure", "quality")]


def test_the_escalation_is_issued_on_the_closure_step_against_the_cases_due_date():  # rule P10
    builder = carried_on(an_allowance_case(), investigated=73).follow_up(hour=250)
    complaint = builder.build()
    (escalation,) = escalations(builder)
    closure = next(s for s in complaint.steps if s.name == "closure")
    assert (escalation.step, escalation.step_id, escalation.kind) == (
        "closure",
        closure.id,
        "closed_late",
    )
    assert escalation.due_at == complaint.due_at == at(241)
    assert escalation.issued_at == at(250)


def test_a_late_closure_escalates_to_management_for_a_late_approval():  # rule P10
    # A plan of 20,000.00 is the vp's (management's) to approve, within 24 hours.
    builder = an_allowance_case().investigate(hour=2).plan([allowance("20000.00")], hour=3)
    builder.approve(hour=40, roles=("vp",)).customer_accepts(hour=41).settle(hour=240)
    builder.follow_up(hour=250)
    assert [n.department for n in escalations(builder)] == ["management"]


def test_a_late_closure_escalates_to_management_reminded_of_its_approval():  # rule P10
    builder = an_allowance_case().investigate(hour=2).plan([allowance("20000.00")], hour=3)
    builder.build().issue_notices(at(27))  # the approval's due time
    builder.approve(hour=27, roles=("vp",)).customer_accepts(hour=28).settle(hour=240)
    builder.follow_up(hour=250)
    assert [n.department for n in escalations(builder)] == ["management"]


def test_a_step_done_at_its_due_time_is_not_late():  # rule P10
    builder = carried_on(an_allowance_case(), investigated=25).follow_up(hour=250)
    assert [n.department for n in escalations(builder)] == ["customer_service"]


def test_reminders_before_the_due_time_and_exceptions_are_not_lateness():  # rule P10
    builder = an_allowance_case()
    builder.build().issue_notices(at(21))  # investigation due soon: quality reminded
    builder.investigate(hour=22).plan([allowance("10.00")], hour=23).approve(hour=24)
    builder.customer_accepts(hour=25)
    builder.build().reconciliation_exception("REC-1", at(100))  # finance reminded
    builder.settle(hour=240).follow_up(hour=250)
    kinds = {(n.kind, n.department) for n in builder.build().notices if n.type == "reminder"}
    assert kinds == {("due_soon", "quality"), ("exception", "finance")}
    assert [n.department for n in escalations(builder)] == ["customer_service"]


# --- who is reminded while the case executes ---------------------------------------------------
def test_the_cases_own_due_date_is_reminded_to_customer_service_while_actions_wait():  # rule P10
    complaint = executing_case().build()  # a return waiting on the warehouse
    closure = [n for n in complaint.due_notices(at(241)) if n.step == "closure"]
    assert [(n.kind, n.department) for n in closure] == [("overdue", "customer_service")]


def test_an_execution_step_loaded_from_storage_reminds_whom_the_actions_wait_on():  # rule P10
    complaint = executing_case().build()
    execution = next(s for s in complaint.steps if s.name == "execution")
    execution.name = loaded(execution.name)
    # 240 working hours from hour 5 (Monday): the two weekends between stand still, so
    # the step is due two weeks later, at hour 341 (before working time: hour 245).
    reminded = [n for n in complaint.due_notices(at(345)) if n.step == "execution"]
    assert [(n.kind, n.department) for n in reminded] == [("overdue", "warehouse")]


def test_a_step_falling_due_is_reminded_while_the_cases_due_date_is_far_off():  # rule P10
    complaint = resolved_case().build()  # resolved at hour 24: follow-up due at hour 96
    assert [(n.step, n.kind) for n in complaint.due_notices(at(82))] == [("follow_up", "due_soon")]
