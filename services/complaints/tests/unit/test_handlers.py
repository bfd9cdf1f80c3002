"""Every complaints handler through the fake unit of work: no broker, no database.

What a handler adds to the domain: it loads the case through ``uow.complaints`` (404
when there is none), numbers new cases, commits once, and the events and history the
domain recorded are what the unit of work collects. The rules themselves are proven
in test_domain.py; the real adapters in tests/integration.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from complaints import handlers
from complaints.commands import (
    AcceptComplaint,
    PostPlan,
    RecordCustomerResponse,
    RecordFollowUp,
    RecordInvestigation,
    RegisterComplaint,
    RejectComplaint,
    SendBackPlan,
)
from complaints.domain import ComplaintSettings
from complaints.testing import (
    CaseBuilder,
    FakeComplaintRepository,
    allowance,
    executing_case,
    line,
    resolved_case,
    return_action,
    share,
)
from servicekit.contracts.complaints import (
    ApproverRankTooLow,
    ComplaintNotFound,
    CustomerHasNoOrders,
    CustomerUnknown,
    SharesDoNotSumToOne,
)
from servicekit.contracts.customer import CustomerNotFound
from servicekit.domain import Actor, utcnow
from servicekit.testing import FakeUnitOfWork

SETTINGS = ComplaintSettings()
AGENT = Actor("agent1", ("cs_agent",))
CS_MANAGER = Actor("csm1", ("cs_manager",))
VP = Actor("vp1", ("vp",))
QUALITY = Actor("qa1", ("quality",))


def fake_uow(*stored) -> FakeUnitOfWork:
    """The fake unit of work; ``uow.complaints`` holds ``stored`` as committed before."""
    return FakeUnitOfWork({"complaints": FakeComplaintRepository(stored)})


def recent(**kwargs) -> CaseBuilder:
    """Cases start three days ago: handlers act at the real ``utcnow()``."""
    return CaseBuilder(start=utcnow() - timedelta(days=3), **kwargs)


def customer(status: str = "active"):
    def lookup(customer_id: str) -> dict:
        return {"id": customer_id, "status": status}

    return lookup


def unknown_customer(customer_id: str) -> dict:
    raise CustomerNotFound(details={"customer_id": customer_id})


def register(uow, lookup=None):
    form = RegisterComplaint(
        customer_id="cust-1",
        channel="hotline",
        order_no="SO-1",
        ship_date=(utcnow() - timedelta(days=10)).date(),
        description="外壳破损",
        request="return",
        lines=(line("P-100", 2, "450.00"),),
    )
    return handlers.register_complaint(uow, SETTINGS, form, AGENT, lookup or customer())


# --- rule P1, rule P2 ------------------------------------------------------------
def test_registering_adds_a_numbered_case_and_commits_its_event():
    uow = fake_uow()
    complaint, view = register(uow)
    year = utcnow().astimezone(SETTINGS.business_tz).year
    assert complaint.number == f"TS-{year}-000001"  # rule P2
    assert uow.complaints.get(complaint.id).status == "registered"
    assert uow.committed and uow.event_types() == ["complaint_registered"]
    assert [h["action"] for h in view["history"]] == ["registered"]
    assert view["overdue"] is False


def test_the_case_keeps_the_customers_sales_clerk_for_returns_differences():
    # rule R2: a return's difference at sign-off is charged to the case's sales clerk, who
    # is the customer's owner when the case is registered; plan_accepted carries them.
    def owned(customer_id: str) -> dict:
        return {"id": customer_id, "status": "active", "owner": "li.na"}

    complaint, _ = register(fake_uow(), owned)
    assert complaint.owner == "li.na"


def test_case_numbers_count_up_within_the_year():  # rule P2
    uow = fake_uow()
    first, _ = register(uow)
    second, _ = register(uow)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_registration_for_an_unknown_customer_stores_nothing():  # rule P2
    uow = fake_uow()
    with pytest.raises(CustomerUnknown):
        register(uow, unknown_customer)
    assert uow.complaints.all() == [] and uow.commits == 0


@pytest.mark.parametrize("status", ["lead", "pending_approval"])
def test_registration_for_a_customer_without_orders_stores_nothing(status):  # rule C3
    uow = fake_uow()
    with pytest.raises(CustomerHasNoOrders):
        register(uow, customer(status))
    assert uow.complaints.all() == [] and uow.events == []


def test_registration_plans_the_first_notice_check():  # rule P10
    uow = fake_uow()
    complaint, _ = register(uow)
    reminder = complaint.steps[0].reminder_at(SETTINGS)
    assert uow.complaints.get(complaint.id).notice_check_at == reminder


# --- rule P3 ---------------------------------------------------------------------
def test_accepting_moves_the_stored_case_and_answers_its_history():
    case = recent().build()
    uow = fake_uow(case)
    complaint, view = handlers.accept_complaint(uow, SETTINGS, case.id, AcceptComplaint(7), AGENT)
    assert uow.complaints.get(case.id).status == "accepted"
    assert complaint.promised_days == 7
    assert [h["action"] for h in view["history"]] == ["accepted"]
    assert uow.commits == 1


def test_a_command_on_an_unknown_case_is_not_found():
    uow = fake_uow()
    with pytest.raises(ComplaintNotFound) as raised:
        handlers.accept_complaint(uow, SETTINGS, "nope", AcceptComplaint(7), AGENT)
    assert raised.value.details == {"complaint_id": "nope"}
    assert uow.commits == 0


def test_rejecting_commits_the_rejection_event():  # rule P3
    case = recent().build()
    uow = fake_uow(case)
    handlers.reject_complaint(uow, SETTINGS, case.id, RejectComplaint("超过质保期"), AGENT)
    assert uow.complaints.get(case.id).status == "rejected"
    assert uow.event_types() == ["complaint_rejected"]
    assert uow.events[0].payload["reason"] == "超过质保期"


# --- rule P4 ---------------------------------------------------------------------
def report(*shares: str) -> RecordInvestigation:
    return RecordInvestigation(
        findings="注塑缺陷",
        cause="模具磨损",
        cause_category="non_sales",
        responsibility=tuple(share(f"d{i}", s) for i, s in enumerate(shares)),
    )


def test_recording_the_investigation_sends_the_case_to_planning():
    case = recent().accept().build()
    uow = fake_uow(case)
    complaint, _ = handlers.record_investigation(
        uow, SETTINGS, case.id, report("0.6", "0.4"), QUALITY
    )
    stored = uow.complaints.get(case.id)
    assert stored.status == "investigated" and stored.current_step == "planning"
    assert [r.share for r in complaint.investigation.responsibility] == [
        Decimal("0.6"),
        Decimal("0.4"),
    ]


def test_a_refused_investigation_leaves_the_stored_case_as_it_was():  # rule P4
    case = recent().accept().build()
    uow = fake_uow(case)
    with pytest.raises(SharesDoNotSumToOne):
        handlers.record_investigation(uow, SETTINGS, case.id, report("0.6", "0.399"), QUALITY)
    assert uow.complaints.get(case.id).status == "accepted"
    assert uow.commits == 0 and uow.history == []


# --- rule P5, rule P6, rule P7 ------------------------------------------------------------
def big_return() -> PostPlan:
    return PostPlan((return_action(line("P-100", 10, Decimal("1200.00"))),))


def test_posting_a_plan_above_the_cs_manager_limit_asks_the_vp():  # rule P6
    case = recent().accept().investigate().build()
    uow = fake_uow(case)
    plan = handlers.post_plan(uow, SETTINGS, case.id, big_return(), AGENT)
    assert (plan.amount, plan.required_approver) == (Decimal("12000.00"), "vp")
    assert uow.complaints.get(case.id).plans[0].id == plan.id


def test_a_cs_manager_cannot_approve_a_vp_plan_but_the_vp_can():  # rule P6
    builder = recent().accept().investigate().plan(big_return().actions)
    uow = fake_uow(builder.build())
    case_id, plan_id = builder.complaint.id, builder.plan_id
    with pytest.raises(ApproverRankTooLow):
        handlers.approve_plan(uow, SETTINGS, case_id, plan_id, CS_MANAGER)
    assert uow.complaints.get(case_id).plan(plan_id).status == "pending_approval"
    plan = handlers.approve_plan(uow, SETTINGS, case_id, plan_id, VP)
    assert plan.status == "approved" and plan.approved_by == "vp1"


def test_sending_a_plan_back_opens_the_next_round():  # rule P6
    builder = recent().accept().investigate().plan()
    uow = fake_uow(builder.build())
    plan = handlers.send_back_plan(
        uow, SETTINGS, builder.complaint.id, builder.plan_id, SendBackPlan("依据不足"), CS_MANAGER
    )
    assert plan.status == "declined"
    assert uow.complaints.get(builder.complaint.id).round == 2


def test_the_customer_accepting_starts_execution_and_announces_the_plan():  # rule P7
    builder = recent().accept().investigate().plan([allowance("300.00")]).approve()
    uow = fake_uow(builder.build())
    complaint, _ = handlers.record_customer_response(
        uow, SETTINGS, builder.complaint.id, builder.plan_id, RecordCustomerResponse(True), AGENT
    )
    assert complaint.status == "executing"
    assert uow.event_types() == ["plan_accepted"]
    assert uow.events[0].payload["amount"] == "300.00"


# --- rule P9 ---------------------------------------------------------------------
def test_a_satisfied_follow_up_closes_and_apportions_the_loss():  # rule P9, rule P12
    case = resolved_case(start=utcnow() - timedelta(days=3)).build()
    uow = fake_uow(case)
    complaint, view = handlers.record_follow_up(
        uow, SETTINGS, case.id, RecordFollowUp(True, 5), AGENT
    )
    assert uow.complaints.get(case.id).status == "closed"
    assert uow.event_types() == ["complaint_closed", "loss_apportioned"]
    assert view["history"][-1]["action"] == "closed"
    assert uow.complaints.get(case.id).notice_check_at is None  # closed: nothing to check


# --- rule P10: the notice timer ----------------------------------------------------
def test_issuing_notices_issues_each_once_and_plans_the_next_check():
    case = CaseBuilder(start=utcnow() - timedelta(hours=20)).build()
    uow = fake_uow(case)
    # rule P10: the reminder falls at 19.2 working hours, which a weekend in between puts
    # later than 20 hours on the clock: the case's own reminder time, not the clock's.
    now = case.steps[0].reminder_at(SETTINGS)
    assert handlers.issue_notices(uow, SETTINGS, case.id, now) == 1
    assert handlers.issue_notices(uow, SETTINGS, case.id, now) == 0
    stored = uow.complaints.get(case.id)
    assert stored.notice_check_at == stored.steps[0].due_at  # next: the overdue reminder
    assert uow.event_types() == ["notice_issued"]


# --- rule P8: facts from returns and finance -----------------------------------------
def every_kind() -> CaseBuilder:
    return executing_case(
        [
            return_action(line(quantity=1)),
            return_action(line(quantity=1), type="rework"),
            return_action(line("SEAL-02", 2, "3.50"), type="replenishment"),
            allowance("80.00", "compensation"),
        ],
        start=utcnow() - timedelta(days=3),
    )


def test_return_facts_move_the_goods_back_actions():
    case = every_kind().build()
    uow = fake_uow(case)
    assert handlers.handle_return_authorized(uow, SETTINGS, case.id, "RA-1")
    assert handlers.handle_return_received(uow, SETTINGS, case.id, "RA-1")
    assert handlers.handle_return_inspected(uow, SETTINGS, case.id, "RA-1")
    by_type = {a.type: a for a in uow.complaints.get(case.id).actions}
    assert by_type["return"].return_id == "RA-1" and by_type["return"].received_at
    assert by_type["rework"].state == "done"
    assert uow.commits == 3


def test_shipment_and_vouchers_complete_the_case():  # rule P8
    builder = every_kind()
    case = builder.build()
    uow = fake_uow(case)
    replenishment = next(a for a in case.actions if a.type == "replenishment")
    compensation = next(a for a in case.actions if a.type == "compensation")
    handlers.handle_return_received(uow, SETTINGS, case.id, "RA-1")
    handlers.handle_return_inspected(uow, SETTINGS, case.id, "RA-1")
    handlers.handle_replenishment_shipped(uow, SETTINGS, case.id, "SH-1", replenishment.id)
    handlers.handle_voucher_issued(
        uow, SETTINGS, case.id, "V-1", "compensation", compensation.id, Decimal("80.00")
    )
    assert uow.complaints.get(case.id).status == "executing"  # the return is not credited
    handlers.handle_voucher_issued(uow, SETTINGS, case.id, "V-2", "return_credit")
    assert uow.complaints.get(case.id).status == "resolved"
    assert uow.event_types() == ["complaint_resolved"]


def test_a_reconciliation_exception_reminds_finance():  # rule P10
    case = every_kind().build()
    uow = fake_uow(case)
    assert handlers.handle_reconciliation_exception(uow, SETTINGS, case.id, "REC-1")
    (notice,) = uow.complaints.get(case.id).notices
    assert (notice.kind, notice.department) == ("exception", "finance")


def test_a_fact_for_an_unknown_case_changes_nothing_but_is_committed():
    uow = fake_uow()
    assert handlers.handle_return_received(uow, SETTINGS, "nope", "RA-1") is False
    assert uow.commits == 1 and uow.events == []  # the inbox row is written


def test_a_fact_without_a_case_is_not_even_opened():
    uow = fake_uow()
    assert handlers.handle_voucher_issued(uow, SETTINGS, None, "V-1", "allowance") is False
    assert uow.commits == 0
