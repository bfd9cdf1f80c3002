"""Edges of what the rule groups share (issue 8.9, docs/mutation.md): each step's due
time (rule P10) and the investigation's working days (rule P4) in the business's
calendar, the settings' defaults and that they cannot be changed in place, handling
hours to the hundredth, and the checks of a line."""

import dataclasses
import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from complaints.domain import DEFAULT_SETTINGS, ComplaintSettings, Notice, add_working_days
from complaints.testing import (
    T0,
    CaseBuilder,
    allowance,
    closed_case,
    investigated_case,
    line,
    resolved_case,
    return_action,
)
from servicekit.errors import Invalid

BEIJING = timezone(timedelta(hours=8))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def loaded(value):
    """``value`` as the database hands it over: equal, not the same object."""
    return json.loads(json.dumps(value))


# --- rule P10: each step's due time -----------------------------------------------------
# The hours are working hours (complaints.domain.calendar): from Monday 09:00 the steps
# of up to three days end within the week; the longer ones wait out a weekend (48 hours
# that stand still) for every five working days.
@pytest.mark.parametrize(
    ("step", "hours", "weekends"),
    [
        ("acceptance", 24, 0),
        ("planning", 48, 0),
        ("approval", 24, 0),
        ("response", 72, 0),
        ("execution", 240, 2),
        ("follow_up", 72, 0),
        ("closure", 360, 3),
    ],
)
def test_each_step_is_due_its_hours_after_it_starts(step, hours, weekends):  # rule P10
    due = T0 + timedelta(hours=hours) + timedelta(days=2 * weekends)
    assert DEFAULT_SETTINGS.step_due(step, T0) == due


def test_the_investigation_is_due_one_working_day_after_it_starts():  # rule P4
    friday = T0 + timedelta(days=4)  # Friday 09:00 in Beijing
    assert DEFAULT_SETTINGS.step_due("investigation", T0) == T0 + timedelta(days=1)
    assert DEFAULT_SETTINGS.step_due("investigation", friday) == friday + timedelta(days=3)
    # A step name read back from storage is the same step.
    assert DEFAULT_SETTINGS.step_due(loaded("investigation"), friday) == friday + timedelta(days=3)


def test_the_working_days_of_the_investigation_are_a_setting():  # rule P4
    settings = ComplaintSettings(investigation_working_days=2)
    assert settings.step_due("investigation", T0) == T0 + timedelta(days=2)


def test_the_settings_cannot_be_changed_in_place():  # rule P10
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.acceptance_hours = 1


def test_the_other_defaults_are_the_digests():  # rule P10, rule P12
    assert DEFAULT_SETTINGS.notice_timer_seconds == 30
    assert DEFAULT_SETTINGS.business_tz.utcoffset(None) == timedelta(hours=8)


# --- rule P4: working days --------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Thursday 10:00 -> Friday 10:00; Friday -> Monday; Friday + 2 -> Tuesday.
        (datetime(2026, 3, 5, 10, tzinfo=BEIJING), 1, datetime(2026, 3, 6, 10, tzinfo=BEIJING)),
        (datetime(2026, 3, 6, 10, tzinfo=BEIJING), 1, datetime(2026, 3, 9, 10, tzinfo=BEIJING)),
        (datetime(2026, 3, 6, 10, tzinfo=BEIJING), 2, datetime(2026, 3, 10, 10, tzinfo=BEIJING)),
        # Saturday and Sunday count from the next Monday.
        (datetime(2026, 3, 7, 10, tzinfo=BEIJING), 1, datetime(2026, 3, 9, 10, tzinfo=BEIJING)),
        (datetime(2026, 3, 8, 10, tzinfo=BEIJING), 1, datetime(2026, 3, 9, 10, tzinfo=BEIJING)),
        (datetime(2026, 3, 6, 10, tzinfo=BEIJING), 0, datetime(2026, 3, 6, 10, tzinfo=BEIJING)),
    ],
)
def test_working_days_skip_the_weekend(start, days, due):  # rule P4
    assert add_working_days(start, days, BEIJING) == due


def test_working_days_are_counted_in_the_business_calendar_and_kept_in_utc():  # rule P4
    # Friday 17:00 UTC is already Saturday 01:00 in Beijing: one working day is Monday
    # 01:00 in Beijing (Sunday 17:00 UTC), not Monday 17:00 UTC.
    friday_evening = datetime(2026, 3, 6, 17, tzinfo=UTC)
    due = add_working_days(friday_evening, 1, BEIJING)
    assert due == datetime(2026, 3, 8, 17, tzinfo=UTC)
    assert due.tzinfo is UTC
    assert add_working_days(friday_evening, 1) == datetime(2026, 3, 9, 17, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1])
def test_no_working_days_leave_the_time_as_it_is(days):  # rule P4
    # A setting of 0 (or less, by mistake) must not loop: the step is due when it starts.
    assert add_working_days(T0, days, BEIJING) == T0


# --- the case's parts: built by name, compared by identity ------------------------------
def parts():
    complaint = closed_case().build()
    return {
        "complaint line": complaint.lines[0],
        "action line": complaint.actions[0].lines[0],
        "step": complaint.steps[0],
        "investigation": complaint.investigation,
        "follow-up": complaint.follow_ups[0],
    }


@pytest.mark.parametrize(
    "name", ["complaint line", "action line", "step", "investigation", "follow-up"]
)
def test_the_parts_of_a_case_are_built_by_name_and_compare_by_identity(name):  # rule P2
    part = parts()[name]
    # Its fields only: once a test has started the mappers, vars() holds the ORM's too.
    values = {f.name: getattr(part, f.name) for f in fields(part)}
    twin = type(part)(**values)
    # The ORM keeps children in identity sets: two equal parts are two parts.
    assert twin != part
    assert len({twin, part}) == 2
    with pytest.raises(TypeError):
        type(part)(*values.values())


# --- handling hours (rule P11) and what history and events hold -------------------------
def test_handling_hours_count_every_day_and_second_to_the_hundredth():  # rule P11
    # Closed 20 days and 16.5 hours after registration.
    complaint = closed_case(close_hour=20 * 24 + 16.5).build()
    assert complaint.summary().handling_hours == Decimal("496.50")
    forty = closed_case(close_hour=40).build()  # 1 day and 16 hours
    assert forty.summary().handling_hours == Decimal("40.00")


def test_history_holds_amounts_as_text_and_other_values_as_they_are():  # rule P5
    builder = investigated_case()
    builder.build().pull_history()
    builder.plan([allowance("1000.00")], hour=3)
    (posted,) = builder.build().pull_history()
    assert posted.changes == {
        "status": {"old": "investigated", "new": "planning"},
        "plan_id": builder.plan_id,
        "round": 1,
        "amount": "1000.00",
        "required_approver": "cs_manager",
        "actions": ["allowance"],
    }


def test_a_move_within_a_status_notes_no_status_change():  # rule P6
    builder = investigated_case().plan(hour=3)
    complaint = builder.build()
    complaint.status = loaded(complaint.status)  # as the approving handler loads it
    complaint.pull_history()
    builder.approve(hour=4)
    (approved,) = complaint.pull_history()
    assert "status" not in approved.changes


def test_a_notice_is_announced_with_its_due_time_in_iso_form():  # rule P10
    complaint = CaseBuilder().build()
    complaint.pull_events()
    complaint.issue_notices(at(20))
    (event,) = complaint.pull_events()
    assert event.payload["due_at"] == at(24).isoformat()
    assert event.payload["issued_at"] == at(20).isoformat()
    (notice,) = complaint.notices
    values = {f.name: getattr(notice, f.name) for f in fields(notice)}
    assert Notice(**{**values, "due_at": None}).payload("cust-1")["due_at"] is None


# --- lines ------------------------------------------------------------------------------
def test_every_line_without_a_product_is_named():  # rule P5
    with pytest.raises(Invalid) as refused:
        investigated_case().plan([return_action(line(" "), line("PUMP-01"), line(""))])
    assert refused.value.details["actions"]["0"]["lines"] == {
        "0": {"sku": ["required"]},
        "2": {"sku": ["required"]},
    }


# --- steps ------------------------------------------------------------------------------
def test_a_step_loaded_from_storage_is_finished_by_its_move():  # rule P10
    complaint = CaseBuilder().build()
    (acceptance,) = complaint.steps
    acceptance.name = loaded(acceptance.name)
    complaint.accept(10, "agent1", at(30))
    assert acceptance.done_at == at(30)
    assert complaint.timely_acceptance is False


def test_closing_a_case_loaded_from_storage_leaves_no_current_step():  # rule P10
    complaint = resolved_case().build()
    complaint.current_step = loaded(complaint.current_step)
    complaint.follow_up(True, 5, "agent1", at(40))
    assert (complaint.current_step, complaint.step_due_at) == (None, None)
    assert not complaint.is_overdue(at(10_000))


def test_an_exception_once_the_case_is_resolved_reminds_no_one():  # rule P10
    complaint = resolved_case().build()
    assert complaint.reconciliation_exception("REC-1", at(30)) == []
    assert complaint.notices == []
