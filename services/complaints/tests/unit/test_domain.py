"""The complaint rules on the domain objects alone (each test cites its rule): no broker,
no database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from complaints.commands import PlanAction
from complaints.domain import (
    CaseSummary,
    Complaint,
    ComplaintSettings,
    apportion,
    complaint_number,
    may_approve,
    month_bounds,
    monthly_statistics,
    required_approver,
)
from complaints.testing import (
    LOGISTICS,
    T0,
    CaseBuilder,
    accepted_case,
    allowance,
    executing_case,
    investigated_case,
    line,
    resolved_case,
    return_action,
    share,
)
from servicekit.contracts.complaints import (
    ApproverRankTooLow,
    CustomerHasNoOrders,
    IllegalTransition,
    PlanNotFound,
    PlanStillOpen,
    ReasonRequired,
    SharesDoNotSumToOne,
)
from servicekit.errors import Invalid

SETTINGS = ComplaintSettings()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def register(now: datetime = T0, **overrides) -> Complaint:
    return CaseBuilder(start=now, **overrides).build()


def accepted(**overrides) -> Complaint:
    return accepted_case(**overrides).build()


def investigated(responsibility=LOGISTICS) -> Complaint:
    return investigated_case(responsibility).build()


def return_line(quantity=4, unit_price="250.00", sku="PUMP-01") -> dict:
    return line(sku, quantity, unit_price)


def executing(actions=None) -> Complaint:
    return executing_case(actions).build()


def resolved() -> Complaint:
    return resolved_case().build()


def event_types(complaint: Complaint) -> list[str]:
    return [e.event_type for e in complaint.pull_events()]


# --- rule P1, rule P2: registration ----------------------------------------------------------
def test_registration_opens_a_registered_case_and_announces_it():
    complaint = register()
    assert complaint.status == "registered"
    assert complaint.current_step == "acceptance"
    assert complaint.step_due_at == at(SETTINGS.acceptance_hours)
    (event,) = complaint.pull_events()
    assert event.event_type == "complaint_registered"
    assert event.payload["number"] == "TS-2026-000001"
    assert event.payload["lines"][0] == {
        "sku": "PUMP-01",
        "description": "水泵",
        "quantity": 4,
        "unit_price": "250.00",
        "amount": "1000.00",
    }
    assert event.payload["lines"][1]["amount"] == "35.00"
    assert [h.action for h in complaint.pull_history()] == ["registered"]


def test_complaint_number_follows_the_tracking_sheet_format():
    assert complaint_number(2026, 123) == "TS-2026-000123"


@pytest.mark.parametrize("field, value", [("description", "  "), ("order_no", "")])
def test_registration_refuses_a_form_that_leaves_text_blank(field, value):  # rule P2
    # Values outside the form (a channel, a request, a negative price) are the schema's
    # (test_contract_schemas); text of spaces passes it and still says nothing.
    with pytest.raises(Invalid) as caught:
        register(**{field: value})
    assert caught.value.details == {field: ["required"]}


def test_every_channel_of_the_contract_is_accepted():  # rule P1
    for channel in ("phone", "on_site", "email", "hotline", "pickup_point", "letter"):
        assert register(channel=channel).channel == channel


def test_every_line_names_its_product():  # rule P2
    lines = [return_line(), return_line(sku=" "), return_line()]
    with pytest.raises(Invalid) as caught:
        register(lines=lines)
    assert caught.value.details == {"lines": {"1": {"sku": ["required"]}}}


def test_line_products_are_kept_without_surrounding_spaces():  # rule P2
    assert register(lines=[return_line(sku=" PUMP-01 ")]).lines[0].sku == "PUMP-01"


def test_complaint_needs_at_least_one_line():
    with pytest.raises(Invalid) as caught:
        register(lines=[])
    assert "lines" in caught.value.details


def test_free_line_is_accepted():
    assert register(lines=[return_line(unit_price="0")]).lines[0].unit_price == Decimal("0.00")


def test_ship_date_in_the_future_is_refused():
    with pytest.raises(Invalid) as caught:
        register(ship_date=date(2026, 3, 3))
    assert "ship_date" in caught.value.details


@pytest.mark.parametrize("status", ["lead", "pending_approval"])
def test_a_customer_without_orders_cannot_complain(status):  # rule P2, rule C3
    with pytest.raises(CustomerHasNoOrders) as caught:
        register(customer_status=status)
    assert caught.value.http_status == 422
    assert caught.value.code == "customer_has_no_orders"
    assert "customer_id" in caught.value.details


@pytest.mark.parametrize("status", ["active", "dormant", "lost"])
def test_every_customer_with_orders_may_complain(status):  # rule P2 (seed 000), rule C3
    """The defect: dormant and lost customers were refused as "not active"."""
    complaint = register(customer_status=status)
    assert complaint.status == "registered"
    assert [e.event_type for e in complaint.pull_events()] == ["complaint_registered"]


# --- rule P3: acceptance ----------------------------------------------------------------
def test_accepting_promises_a_due_date_and_sends_the_case_to_quality():
    complaint = accepted()
    assert complaint.status == "accepted"
    assert complaint.due_at == at(1) + timedelta(days=10)
    assert complaint.current_step == "investigation"
    assert complaint.timely_acceptance is True


def test_accepting_twice_is_an_illegal_transition():
    complaint = accepted()
    with pytest.raises(IllegalTransition) as caught:
        complaint.accept(5, "agent1", at(2))
    assert caught.value.http_status == 409
    assert caught.value.details["status"] == "accepted"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejecting_without_a_reason_is_refused_and_changes_nothing(reason):
    complaint = register()
    with pytest.raises(ReasonRequired) as caught:
        complaint.reject(reason, "agent1", at(1))
    assert caught.value.http_status == 422
    assert complaint.status == "registered"


def test_rejecting_records_the_reason_and_ends_the_case():
    complaint = register()
    complaint.pull_events()
    complaint.reject("超出质保期", "agent1", at(1))
    assert complaint.status == "rejected"
    assert complaint.rejected_reason == "超出质保期"
    assert complaint.current_step is None
    (event,) = complaint.pull_events()
    assert event.event_type == "complaint_rejected"
    assert event.payload["reason"] == "超出质保期"
    with pytest.raises(IllegalTransition):
        complaint.investigate(
            findings="x",
            cause="x",
            cause_category="sales",
            responsibility=LOGISTICS,
            actor="quality1",
            now=at(2),
        )


def test_acceptance_after_its_due_time_is_not_timely():
    complaint = register()
    complaint.accept(10, "agent1", at(SETTINGS.acceptance_hours + 1))
    assert complaint.timely_acceptance is False


# --- rule P4: investigation -------------------------------------------------------------
def test_investigation_comes_only_after_acceptance():
    with pytest.raises(IllegalTransition):
        register().investigate(
            findings="x",
            cause="x",
            cause_category="sales",
            responsibility=LOGISTICS,
            actor="quality1",
            now=at(1),
        )


@pytest.mark.parametrize(
    "shares",
    [["0.5", "0.499"], ["0.5", "0.501"], ["0.999"], ["1.001"], ["0.3333", "0.3333", "0.3333"]],
)
def test_shares_that_do_not_sum_to_one_are_refused(shares):
    parts = [share(f"d{i}", s) for i, s in enumerate(shares)]
    complaint = accepted()
    with pytest.raises(SharesDoNotSumToOne) as caught:
        complaint.investigate(
            findings="x",
            cause="x",
            cause_category="non_sales",
            responsibility=parts,
            actor="quality1",
            now=at(2),
        )
    assert caught.value.http_status == 422
    assert complaint.status == "accepted"


@pytest.mark.parametrize(
    "shares", [["1.00"], ["1"], ["0.5", "0.25", "0.25"], ["0.3334", "0.3333", "0.3333"]]
)
def test_shares_summing_to_exactly_one_are_accepted(shares):
    parts = [share(f"d{i}", s) for i, s in enumerate(shares)]
    complaint = investigated(parts)
    assert complaint.status == "investigated"
    assert sum(r.share for r in complaint.investigation.responsibility) == Decimal("1.00")
    assert complaint.current_step == "planning"


def test_each_share_has_at_most_four_places():  # rule P4
    # Above 0 and at most 1 is the schema's (test_contract_schemas).
    parts = [share("quality", "0.12345"), share("sales", "0.87655")]
    with pytest.raises(Invalid) as caught:
        investigated(parts)
    assert caught.value.details["responsibility"]["0"] == {"share": ["at most four decimal places"]}


def test_a_department_and_person_are_named_once():  # rule P4
    parts = [share("quality", "0.5", "韩梅"), share("quality", "0.5", "韩梅")]
    with pytest.raises(Invalid) as caught:
        investigated(parts)
    assert caught.value.details["responsibility"] == {"1": {"person": ["named twice"]}}


def test_a_report_that_names_no_department_is_refused():  # rule P4
    with pytest.raises(Invalid) as caught:
        investigated([share(" ", "1.00")])
    assert caught.value.details["responsibility"] == {"0": {"department": ["required"]}}


def test_investigation_is_due_one_working_day_later_over_a_weekend():  # rule P4
    friday = datetime(2026, 3, 6, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
    complaint = register(now=friday - timedelta(hours=1))
    complaint.accept(10, "agent1", friday)
    assert complaint.step_due_at == friday + timedelta(days=3)  # Monday 10:00


# --- rule P5: plans ---------------------------------------------------------------------
def test_plan_amount_is_the_sum_of_its_actions():
    complaint = investigated()
    plan = complaint.post_plan(
        [
            return_action(return_line(2, "250.00"), return_line(3, "3.50", "SEAL-02")),
            allowance("300.00"),
        ],
        "agent1",
        at(3),
    )
    assert [a.amount for a in plan.actions] == [Decimal("510.50"), Decimal("300.00")]
    assert plan.amount == Decimal("810.50")
    assert plan.round == 1 and plan.previous_plan_id is None
    assert plan.status == "pending_approval"
    assert complaint.status == "planning"
    assert all(a.state == "proposed" for a in plan.actions)
    assert complaint.actions == plan.actions


@pytest.mark.parametrize(
    "action, field",
    [
        (PlanAction("allowance"), "amount"),
        (allowance("0", "compensation"), "amount"),
        (PlanAction("return"), "lines"),
        (PlanAction("return", (return_line(),), Decimal("999.00")), "amount"),
        (PlanAction("return", (return_line(sku=""),)), "lines"),
    ],
)
def test_plan_actions_are_checked(action, field):  # rule P5
    with pytest.raises(Invalid) as caught:
        investigated().post_plan([action], "agent1", at(3))
    assert field in caught.value.details["actions"]["0"]


def test_an_amount_action_may_be_given_by_lines_that_make_its_amount():  # rule P5
    lines = (return_line(2, "50.00"),)
    plan = investigated().post_plan([PlanAction("compensation", lines)], "agent1", at(3))
    assert plan.amount == Decimal("100.00")
    agreeing = PlanAction("allowance", lines, Decimal("100.00"))
    assert investigated().post_plan([agreeing], "agent1", at(3)).amount == Decimal("100.00")


def test_plan_needs_at_least_one_action():
    with pytest.raises(Invalid):
        investigated().post_plan([], "agent1", at(3))


def test_plan_cannot_be_posted_before_investigation():
    with pytest.raises(IllegalTransition):
        accepted().post_plan([allowance("10.00")], "agent1", at(3))


def test_second_plan_while_one_awaits_approval_is_refused():
    complaint = investigated()
    complaint.post_plan([allowance("10.00")], "agent1", at(3))
    with pytest.raises(PlanStillOpen) as caught:
        complaint.post_plan([allowance("20.00")], "agent1", at(4))
    assert caught.value.http_status == 409


# --- rule P6: approval authority --------------------------------------------------------
@pytest.mark.parametrize(
    "amount, approver",
    [
        ("0.00", "cs_manager"),
        ("10000.00", "cs_manager"),
        ("10000.01", "vp"),
        ("100000.00", "vp"),
        ("100000.01", "gm"),
    ],
)
def test_approver_follows_the_inclusive_limits(amount, approver):
    assert required_approver(Decimal(amount)) == approver
    plan = (
        investigated().post_plan([allowance(amount, "compensation")], "a", at(3))
        if (Decimal(amount) > 0)
        else None
    )
    if plan:
        assert plan.required_approver == approver


def test_limits_are_settings():
    settings = ComplaintSettings(cs_manager_limit=Decimal("500.00"), vp_limit=Decimal("800.00"))
    assert required_approver(Decimal("500.01"), settings) == "vp"
    assert required_approver(Decimal("800.01"), settings) == "gm"


def post(amount: str) -> tuple[Complaint, str]:
    complaint = investigated()
    plan = complaint.post_plan([allowance(amount, "compensation")], "agent1", at(3))
    return complaint, plan.id


def test_plan_above_vp_limit_needs_gm():
    complaint, plan_id = post("100000.01")
    for roles in (["cs_manager"], ["vp"], ["cs_agent", "finance"]):
        with pytest.raises(ApproverRankTooLow) as caught:
            complaint.approve_plan(plan_id, "someone", roles, at(4))
        assert caught.value.http_status == 403
        assert caught.value.details["required_approver"] == "gm"
    assert complaint.plan(plan_id).status == "pending_approval"
    complaint.approve_plan(plan_id, "gm1", ["gm"], at(4))
    assert complaint.plan(plan_id).status == "approved"
    assert complaint.plan(plan_id).approved_by == "gm1"


def test_plan_just_above_cs_manager_limit_needs_vp():
    complaint, plan_id = post("10000.01")
    with pytest.raises(ApproverRankTooLow):
        complaint.approve_plan(plan_id, "manager1", ["cs_manager"], at(4))
    complaint.approve_plan(plan_id, "vp1", ["vp"], at(4))


@pytest.mark.parametrize("roles", [["cs_manager"], ["vp"], ["gm"], ["admin"]])
def test_plan_at_cs_manager_limit_may_be_approved_by_that_rank_or_above(roles):
    complaint, plan_id = post("10000.00")
    assert complaint.approve_plan(plan_id, "boss", roles, at(4)).status == "approved"


def test_approval_ranks_order():
    assert may_approve(["gm"], "vp") and may_approve(["vp"], "cs_manager")
    assert not may_approve(["vp"], "gm") and not may_approve(["quality"], "cs_manager")


def test_approving_twice_is_an_illegal_transition():
    complaint, plan_id = post("100.00")
    complaint.approve_plan(plan_id, "manager1", ["cs_manager"], at(4))
    with pytest.raises(IllegalTransition):
        complaint.approve_plan(plan_id, "manager1", ["cs_manager"], at(5))


def test_unknown_plan_is_not_found():
    complaint, _ = post("100.00")
    with pytest.raises(PlanNotFound) as caught:
        complaint.approve_plan("nope", "manager1", ["cs_manager"], at(4))
    assert caught.value.http_status == 404


# --- rule P7: the customer's answer -----------------------------------------------------
def test_customer_cannot_answer_before_approval():
    complaint, plan_id = post("100.00")
    with pytest.raises(IllegalTransition):
        complaint.customer_response(plan_id, True, "agent1", at(4))


def test_declined_plan_opens_round_two_linked_to_round_one():
    complaint, first_id = post("100.00")
    complaint.approve_plan(first_id, "manager1", ["cs_manager"], at(4))
    complaint.customer_response(first_id, False, "agent1", at(5), comment="金额太低")
    first = complaint.plan(first_id)
    assert first.status == "declined"
    assert [a.state for a in first.actions] == ["dropped"]
    assert complaint.status == "planning"
    assert complaint.current_step == "planning"
    second = complaint.post_plan([allowance("200.00", "compensation")], "agent1", at(6))
    assert second.round == 2
    assert second.previous_plan_id == first_id
    assert "plan_accepted" not in event_types(complaint)


def test_approver_sends_a_plan_back_with_a_reason_and_the_next_round_opens():  # rule P6
    complaint, first_id = post("100.00")
    with pytest.raises(ReasonRequired):
        complaint.send_back_plan(first_id, " ", "manager1", ["cs_manager"], at(4))
    complaint.send_back_plan(first_id, "赔付依据不足", "manager1", ["cs_manager"], at(4))
    first = complaint.plan(first_id)
    assert first.status == "declined" and first.response_comment == "赔付依据不足"
    assert [a.state for a in first.actions] == ["dropped"]
    assert complaint.status == "planning" and complaint.round == 2
    second = complaint.post_plan([allowance("80.00")], "agent1", at(5))
    assert second.round == 2 and second.previous_plan_id == first_id


def test_only_the_deciding_rank_may_send_a_plan_back():
    complaint, plan_id = post("10000.01")  # needs a vp
    with pytest.raises(ApproverRankTooLow):
        complaint.send_back_plan(plan_id, "no", "manager1", ["cs_manager"], at(4))
    complaint.approve_plan(plan_id, "vp1", ["vp"], at(4))
    with pytest.raises(IllegalTransition):  # decided already
        complaint.send_back_plan(plan_id, "no", "vp1", ["vp"], at(5))


def test_accepted_plan_starts_execution_and_announces_what_returns_and_finance_need():
    complaint = executing(
        [
            return_action(return_line(2), return_line(4, "3.50", "SEAL-02")),
            return_action(return_line(1), type="exchange"),
            allowance("300.00"),
            return_action(return_line(5, "3.50", "SEAL-02"), type="replenishment"),
            return_action(return_line(1), type="rework"),
        ]
    )
    assert complaint.status == "executing"
    assert all(a.state == "in_progress" for a in complaint.actions)
    events = {e.event_type: e.payload for e in complaint.pull_events()}
    payload = events["plan_accepted"]
    plan = complaint.accepted_plan()
    assert payload["plan_id"] == plan.id
    assert payload["customer_id"] == "cust-1"
    assert payload["number"] == "TS-2026-000001"
    assert payload["amount"] == "1331.50"
    assert payload["approved_by"] == "manager1"
    assert [a["type"] for a in payload["actions"]] == [
        "return",
        "exchange",
        "allowance",
        "replenishment",
        "rework",
    ]
    assert payload["actions"][0]["action_id"] == plan.actions[0].id
    assert payload["actions"][0]["lines"][1]["amount"] == "14.00"
    assert payload["actions"][2] == {
        "action_id": plan.actions[2].id,
        "type": "allowance",
        "amount": "300.00",
        "lines": [],
    }
    # Return + exchange lines, per sku and price (for finance's reconciliation); rework and
    # replenishment are not credited.
    assert payload["approved_quantities"] == [
        {"sku": "PUMP-01", "quantity": 3, "unit_price": "250.00"},
        {"sku": "SEAL-02", "quantity": 4, "unit_price": "3.50"},
    ]
    assert payload["responsibility"] == [
        {"department": "logistics", "person": "王强", "share": "1.00"}
    ]


# --- rule P8: execution -----------------------------------------------------------------
def every_action() -> Complaint:
    return executing(
        [
            return_action(return_line(2)),
            return_action(return_line(1), type="exchange"),
            allowance("300.00"),
            allowance("80.00", "compensation"),
            return_action(return_line(5, "3.50", "SEAL-02"), type="replenishment"),
            return_action(return_line(1), type="rework"),
        ]
    )


def test_case_resolves_only_when_every_action_is_done():
    complaint = every_action()
    by_type = {a.type: a for a in complaint.actions}
    facts = [
        lambda: complaint.return_authorized("RA-1", at(6)),
        lambda: complaint.return_received("RA-1", at(24)),
        lambda: complaint.return_inspected("RA-1", at(26)),
        lambda: complaint.voucher_issued("V-1", "return_credit", at(27)),
        lambda: complaint.voucher_issued("V-2", "allowance", at(28), amount=Decimal("300.00")),
        lambda: complaint.replenishment_shipped(
            "SH-1", at(29), action_id=by_type["replenishment"].id
        ),
        lambda: complaint.voucher_issued("V-3", "compensation", at(30)),
    ]
    for fact in facts:
        fact()
        assert complaint.status == "executing"
    assert {t for t, a in by_type.items() if a.state == "done"} == {
        "return",
        "allowance",
        "compensation",
        "replenishment",
        "rework",
    }
    assert by_type["exchange"].state == "in_progress"  # credited, replacement not shipped
    complaint.pull_events()
    complaint.replenishment_shipped("SH-2", at(31), action_id=by_type["exchange"].id)
    assert complaint.status == "resolved"
    assert complaint.resolved_at == at(31)
    assert complaint.current_step == "follow_up"
    assert by_type["return"].return_id == "RA-1"
    assert event_types(complaint) == ["complaint_resolved"]


def test_return_is_done_by_its_credit_voucher_not_by_receipt():
    complaint = executing()
    complaint.return_received("RA-1", at(24))
    assert complaint.status == "executing"
    complaint.voucher_issued("V-1", "return_credit", at(30))
    assert complaint.status == "resolved"


def test_a_repeated_fact_changes_nothing():
    complaint = every_action()
    allowance = next(a for a in complaint.actions if a.type == "allowance")
    assert complaint.voucher_issued("V-2", "allowance", at(28)) == [allowance]
    complaint.pull_history()
    assert complaint.voucher_issued("V-2", "allowance", at(29)) == []
    assert complaint.return_received("RA-1", at(24)) != []
    assert complaint.return_received("RA-1", at(25)) == []
    assert allowance.voucher_issued_at == at(28)
    assert len(complaint.pull_history()) == 1


def test_allowance_voucher_settles_the_action_it_names():
    complaint = executing([allowance("100.00"), allowance("200.00")])
    first, second = complaint.actions
    complaint.voucher_issued("V-9", "allowance", at(10), action_id=second.id)
    assert (first.state, second.state) == ("in_progress", "done")
    complaint.voucher_issued("V-10", "allowance", at(11), amount=Decimal("100.00"))
    assert complaint.status == "resolved"


def test_facts_for_other_kinds_of_work_do_not_complete_an_action():
    complaint = executing([allowance("100.00")])
    complaint.voucher_issued("V-1", "return_credit", at(10))
    complaint.voucher_issued("V-2", "compensation", at(10))
    complaint.replenishment_shipped("SH-1", at(10))
    assert complaint.status == "executing"


# --- rule P9: follow-up -----------------------------------------------------------------
def test_follow_up_comes_only_after_resolution():
    with pytest.raises(IllegalTransition):
        executing().follow_up(True, 5, "agent1", at(40))


def test_satisfied_follow_up_closes_and_announces_satisfaction_and_handling_time():
    complaint = resolved()
    complaint.pull_events()
    complaint.follow_up(True, 4, "agent1", at(48), notes="客户满意")
    assert complaint.status == "closed"
    assert complaint.closed_at == at(48)
    assert complaint.on_time_closure is True
    assert complaint.current_step is None
    assert all(s.done_at is not None for s in complaint.steps)
    event, loss = complaint.pull_events()
    assert event.event_type == "complaint_closed"
    assert loss.event_type == "loss_apportioned"  # rule P12, for finance's loss ledger
    assert event.payload["satisfaction"] == 4
    assert event.payload["handling_hours"] == "48.00"
    assert event.payload["customer_id"] == "cust-1"
    assert [line["sku"] for line in event.payload["lines"]] == ["PUMP-01", "SEAL-02"]


def test_unsatisfied_follow_up_goes_back_to_planning_for_a_new_round():
    complaint = resolved()
    first = complaint.accepted_plan()
    complaint.follow_up(False, 2, "agent1", at(48), notes="仍有异响")
    assert complaint.status == "planning"
    assert complaint.current_step == "planning"
    assert complaint.closed_at is None
    second = complaint.post_plan([allowance("50.00", "compensation")], "agent1", at(49))
    assert (second.round, second.previous_plan_id) == (2, first.id)
    complaint.approve_plan(second.id, "manager1", ["cs_manager"], at(50))
    complaint.customer_response(second.id, True, "agent1", at(51))
    complaint.voucher_issued("V-7", "compensation", at(60))
    assert complaint.status == "resolved"
    complaint.follow_up(True, 5, "agent1", at(70))
    assert complaint.status == "closed"
    assert [f.round for f in complaint.follow_ups] == [1, 2]


# --- rule P10: time limits --------------------------------------------------------------
def test_reminders_are_issued_once_at_the_share_and_once_at_breach():
    complaint = register()  # acceptance: 24 hours, reminder at 80 % = 19.2 hours
    assert complaint.issue_notices(at(19), SETTINGS) == []
    (soon,) = complaint.issue_notices(at(19.2), SETTINGS)
    assert (soon.type, soon.kind, soon.department, soon.step) == (
        "reminder",
        "due_soon",
        "customer_service",
        "acceptance",
    )
    assert soon.due_at == at(24)
    assert complaint.issue_notices(at(23), SETTINGS) == []
    (late,) = complaint.issue_notices(at(24), SETTINGS)
    assert late.kind == "overdue"
    assert complaint.issue_notices(at(30), SETTINGS) == []
    assert [n.kind for n in complaint.notices] == ["due_soon", "overdue"]
    assert event_types(complaint).count("notice_issued") == 2


def test_due_notices_only_says_what_is_due():
    complaint = register()
    assert len(complaint.due_notices(at(20))) == 1
    assert len(complaint.due_notices(at(20))) == 1
    assert complaint.notices == []


def test_a_step_found_overdue_gets_only_the_overdue_reminder():
    complaint = register()
    assert [n.kind for n in complaint.issue_notices(at(25))] == ["overdue"]
    assert complaint.issue_notices(at(26)) == []


def test_reminder_share_is_a_setting():
    settings = ComplaintSettings(reminder_share=Decimal("0.5"))
    assert register().due_notices(at(12), settings)
    assert not register().due_notices(at(11.9), settings)


def test_investigation_reminders_go_to_quality():
    complaint = accepted()
    departments = {(n.step, n.department) for n in complaint.due_notices(at(1) + timedelta(days=1))}
    assert ("investigation", "quality") in departments


def test_execution_reminders_go_to_the_departments_the_actions_wait_on():
    complaint = executing(
        [
            return_action(return_line()),
            allowance("10.00"),
        ]
    )
    overdue = at(5) + timedelta(hours=SETTINGS.execution_hours)
    notices = [n for n in complaint.due_notices(overdue) if n.step == "execution"]
    assert {n.department for n in notices} == {"warehouse", "finance"}
    complaint.return_received("RA-1", at(24))
    complaint.voucher_issued("V-1", "allowance", at(25))
    notices = [n for n in complaint.due_notices(overdue) if n.step == "execution"]
    assert {n.department for n in notices} == {"finance"}  # the return's credit


def test_closing_late_escalates_to_the_departments_that_were_late():
    complaint = accepted()  # due in 10 days
    complaint.issue_notices(at(1) + timedelta(days=3))  # investigation overdue -> quality
    complaint.investigate(
        findings="x",
        cause="x",
        cause_category="sales",
        responsibility=LOGISTICS,
        actor="quality1",
        now=at(1) + timedelta(days=3),
    )
    plan = complaint.post_plan([allowance("10.00")], "agent1", at(80))
    complaint.approve_plan(plan.id, "manager1", ["cs_manager"], at(81))
    complaint.customer_response(plan.id, True, "agent1", at(82))
    complaint.voucher_issued("V-1", "allowance", at(230))
    complaint.pull_events()
    complaint.follow_up(True, 3, "agent1", at(250))  # due at 241; every later step in time
    assert complaint.on_time_closure is False
    escalations = [n for n in complaint.notices if n.type == "escalation"]
    assert [(n.kind, n.department) for n in escalations] == [("closed_late", "quality")]
    assert event_types(complaint) == ["complaint_closed", "loss_apportioned", "notice_issued"]
    assert complaint.issue_notices(at(1) + timedelta(days=12)) == []


def test_closing_late_without_a_late_step_escalates_to_customer_service():
    complaint = resolved()
    complaint.follow_up(True, 3, "agent1", at(1) + timedelta(days=10, seconds=1))
    assert [(n.type, n.department) for n in complaint.notices] == [
        ("escalation", "customer_service")
    ]


def test_closing_on_time_escalates_nothing():
    complaint = resolved()
    complaint.follow_up(True, 5, "agent1", at(1) + timedelta(days=10))
    assert complaint.on_time_closure is True
    assert complaint.notices == []


def test_closed_and_rejected_cases_get_no_reminders():
    complaint = register()
    complaint.reject("重复投诉", "agent1", at(1))
    assert complaint.due_notices(at(1000)) == []
    assert not complaint.is_overdue(at(1000))


def test_case_is_overdue_past_its_step_or_its_due_date():
    complaint = register()
    assert not complaint.is_overdue(at(24))
    assert complaint.is_overdue(at(24.01))


def test_reconciliation_exception_reminds_finance_once():
    complaint = executing()
    (notice,) = complaint.reconciliation_exception("REC-1", at(30))
    assert (notice.department, notice.kind) == ("finance", "exception")
    assert complaint.reconciliation_exception("REC-1", at(31)) == []


# --- rule P11: monthly statistics -------------------------------------------------------
def summary(number, customer, closed, cause="packaging", shares=None, skus=("PUMP-01",), **kw):
    return CaseSummary(
        complaint_id=number,
        number=number,
        customer_id=customer,
        skus=skus,
        cause=cause,
        cause_category="non_sales",
        shares=tuple((d, Decimal(s)) for d, s in (shares or [("logistics", "1")])),
        registered_at=closed - timedelta(hours=kw.get("hours", 10)),
        closed_at=closed,
        handling_hours=Decimal(kw.get("hours", 10)),
        timely_acceptance=kw.get("timely", True),
        on_time_closure=kw.get("on_time", True),
        improvement=kw.get("improvement"),
    )


def test_monthly_statistics_count_the_cases_closed_in_the_month():
    march = datetime(2026, 3, 10, tzinfo=UTC)
    cases = [
        summary("A", "c1", march, hours=10, improvement="加厚外箱"),
        summary(
            "B",
            "c1",
            march,
            cause="wrong_item",
            shares=[("sales", "0.5"), ("warehouse", "0.5")],
            skus=("PUMP-01", "SEAL-02"),
            hours=20,
            on_time=False,
        ),
        summary("C", "c2", march, hours=30, timely=False),
        summary("D", "c3", datetime(2026, 4, 2, tzinfo=UTC)),  # April: not counted
    ]
    report = monthly_statistics("2026-03", cases)
    assert report["month"] == "2026-03"
    assert report["closed"] == 3
    assert report["by_cause"] == {"packaging": 2, "wrong_item": 1}
    assert report["by_department"] == {"logistics": 2, "sales": 1, "warehouse": 1}
    assert report["by_product"] == {"PUMP-01": 3, "SEAL-02": 1}
    assert report["by_customer"] == {"c1": 2, "c2": 1}
    assert report["problem_ratio"] == {
        "logistics": Decimal("0.6667"),
        "sales": Decimal("0.1667"),
        "warehouse": Decimal("0.1667"),
    }
    assert report["avg_handling_hours"] == Decimal("20.00")
    assert report["timely_acceptance_rate"] == Decimal("0.6667")
    assert report["on_time_closure_rate"] == Decimal("0.6667")
    assert report["improvements"] == [
        {"number": "A", "cause": "packaging", "improvement": "加厚外箱"}
    ]


def test_monthly_statistics_of_a_quiet_month():
    report = monthly_statistics("2026-02", [])
    assert report["closed"] == 0
    assert report["avg_handling_hours"] is None
    assert report["timely_acceptance_rate"] is None


def test_report_months_follow_the_business_calendar():
    start, end = month_bounds("2026-04")
    assert start == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 1 April 00:00 in Beijing
    assert end == datetime(2026, 4, 30, 16, 0, tzinfo=UTC)
    assert month_bounds("2026-12")[1] == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    late_march_utc = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    assert monthly_statistics("2026-04", [summary("A", "c1", late_march_utc)])["closed"] == 1
    with pytest.raises(Invalid):
        month_bounds("2026-13")


def test_closed_case_summary_feeds_the_statistics():
    complaint = resolved()
    complaint.follow_up(True, 5, "agent1", at(48))
    case = complaint.summary()
    assert case.skus == ("PUMP-01", "SEAL-02")
    assert case.shares == (("logistics", Decimal("1.00")),)
    assert case.handling_hours == Decimal("48.00")
    assert monthly_statistics("2026-03", [case])["improvements"][0]["improvement"] == "加厚外箱"


def test_only_closed_cases_are_summarised():
    with pytest.raises(IllegalTransition):
        resolved().summary()


# --- rule P12: loss apportionment -------------------------------------------------------
def test_apportion_100_over_three_equal_shares_sums_exactly():
    parts = apportion(Decimal("100.00"), [Decimal("0.3334"), Decimal("0.3333"), Decimal("0.3333")])
    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    equal = apportion(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert equal == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_one_person_at_fault_bears_all():
    assert apportion(Decimal("1234.57"), [Decimal("1.00")]) == [Decimal("1234.57")]


@pytest.mark.parametrize(
    "loss, shares",
    [
        ("0.01", ["0.5", "0.5"]),
        ("0.05", ["0.3334", "0.3333", "0.3333"]),
        ("999.99", ["0.1", "0.2", "0.3", "0.4"]),
        ("12345.67", ["0.7", "0.2", "0.1"]),
        ("1.00", ["0.1429"] * 6 + ["0.1426"]),
        ("0.00", ["0.5", "0.5"]),
    ],
)
def test_apportioned_parts_always_sum_to_the_loss(loss, shares):
    parts = apportion(Decimal(loss), [Decimal(s) for s in shares])
    assert sum(parts) == Decimal(loss)
    assert all(p == p.quantize(Decimal("0.01")) and p >= 0 for p in parts)


def test_apportion_refuses_negative_loss_and_missing_shares():
    with pytest.raises(Invalid):
        apportion(Decimal("-1.00"), [Decimal("1")])
    with pytest.raises(Invalid):
        apportion(Decimal("1.00"), [])


def test_case_loss_is_split_by_its_responsibility():
    complaint = investigated(
        [
            share("sales", "0.6", "李雷"),
            share("quality", "0.4", "韩梅"),
        ]
    )
    parts = complaint.loss_apportionment(Decimal("1000.01"))
    assert [(p["person"], p["amount"]) for p in parts] == [
        ("李雷", Decimal("600.01")),
        ("韩梅", Decimal("400.00")),
    ]


# --- rule X3: history -------------------------------------------------------------------
def test_every_state_change_is_noted_in_order():
    complaint = resolved()
    complaint.follow_up(True, 5, "agent1", at(48))
    history = complaint.pull_history()
    assert [h.action for h in history] == [
        "registered",
        "accepted",
        "investigated",
        "plan_posted",
        "plan_approved",
        "plan_accepted",
        "return_received",
        "voucher_issued",
        "resolved",
        "closed",
    ]
    assert {h.entity_type for h in history} == {"complaint"}
    assert history[1].changes["status"] == {"old": "registered", "new": "accepted"}
    assert history[3].actor == "agent1" and history[4].actor == "manager1"
    assert history[7].actor == "finance"
