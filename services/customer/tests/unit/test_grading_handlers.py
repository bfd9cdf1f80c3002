"""Grading, key accounts, risk and warnings through their handlers on the fake unit of
work (customer.grading_testing): what each consumed fact and each command changes, what
is announced and kept, and what is refused. No broker, no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from customer import grading_handlers, handlers, key_account_handlers, warning_handlers
from customer.commands import CreateCustomer, DecideChangeRequest
from customer.domain import CustomerSettings
from customer.domain.key_accounts import MaintenancePlan
from customer.grading_commands import RecordRemedy, SetKeyAccount
from customer.grading_testing import FAKE_REPOSITORIES, complaint, invoice, ledger
from servicekit.contracts.customer import CustomerNotFound
from servicekit.contracts.customer_grading import (
    GradeChangedEventSchema,
    MaintenancePlanRequired,
    NotGradable,
    RegradeRunning,
    WarningHandled,
    WarningNotFound,
)
from servicekit.domain import Actor
from servicekit.errors import Invalid
from servicekit.testing import FakeUnitOfWork

S = CustomerSettings()
NOW = datetime(2026, 11, 15, 4, 0, tzinfo=UTC)  # business day 15 November, in 2026Q4
TODAY = date(2026, 11, 15)
CLERK = Actor("li.na", ("sales_clerk",))
MANAGER = Actor("liu.yang", ("sales_manager",))
MARKET = Actor("chen.jing", ("market_manager",))
FINANCE = Actor("zhao.min", ("finance",))
AGENT = Actor("wu.kf", ("cs_agent",))
PLAN = MaintenancePlan("每月拜访一次，季度业务回顾", "li.na", Decimal("20000.00"))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def customer_of(uow, status="active", since=datetime(2023, 6, 1, tzinfo=UTC), **card) -> str:
    """A card; approved (terms in effect, 3 years' cooperation by default) unless pending."""
    values = {
        "name": "华东机电有限公司",
        "nature": "distributor",
        "settlement_terms": "net_60",
        "credit_limit": Decimal("200000.00"),
        "owner": "li.na",
        **card,
    }
    customer = handlers.create_customer(uow, CreateCustomer(**values), CLERK, S)
    if status == "active":
        handlers.approve_customer(uow, customer.id, MANAGER)
        uow.customers.items[customer.id].approved_at = since
    return customer.id


def card(uow, customer_id):
    return uow.customers.items[customer_id]


def bought(uow, customer_id, amount, on, settings=S, **kwargs) -> bool:
    fact = invoice(customer_id, amount, on, **kwargs)
    return grading_handlers.handle_invoice_recorded(uow, settings, fact, NOW)


def events(uow, event_type):
    return [e.payload for e in uow.events if e.event_type == event_type]


# --- rule X1: facts kept once, for every customer ------------------------------------
def test_an_invoice_grades_an_approved_customer_for_the_first_time(uow):  # rule C6
    customer_id = customer_of(uow)
    assert bought(uow, customer_id, "1200000.00", date(2026, 10, 8))
    record = uow.grades.items[customer_id]
    assert (record.trigger, record.scale, record.history_band) == ("first", "medium", "medium")
    assert card(uow, customer_id).grade == record.grade
    (announced,) = events(uow, "grade_changed")
    loaded = GradeChangedEventSchema().load(announced)  # what a consumer reads
    assert (loaded["grade"], loaded["previous_grade"], loaded["trigger"]) == (
        record.grade,
        None,
        "first",
    )
    assert loaded["version"] == card(uow, customer_id).version == 2  # rule X1
    (entry,) = uow.grades.changes
    assert (entry.grade, entry.reason, entry.by) == (record.grade, "first grading", "system")
    assert set(entry.components) == {"purchases", "cooperation", "payment", "complaints",
                                     "satisfaction"}  # fmt: skip


def test_the_same_invoice_twice_counts_once(uow):  # rule X1, rule X2
    customer_id = customer_of(uow)
    fact = invoice(customer_id, "5000.00", date(2026, 10, 8))
    assert grading_handlers.handle_invoice_recorded(uow, S, fact, NOW) is True
    assert grading_handlers.handle_invoice_recorded(uow, S, fact, NOW) is False
    assert uow.commits == 4  # created, approved, and both events (the second one's inbox)
    kept = uow.summaries.items[customer_id]
    assert kept.purchases_between(date(2026, 1, 1), TODAY) == Decimal("5000.00")
    assert len(uow.grades.changes) == 1


def test_a_pending_card_keeps_its_summary_but_is_not_graded(uow):  # rule C3
    customer_id = customer_of(uow, status="pending_approval")
    assert bought(uow, customer_id, "800.00", date(2026, 10, 8))
    assert uow.summaries.items[customer_id].invoices
    assert customer_id not in uow.grades.items and card(uow, customer_id).grade is None


def test_facts_of_a_customer_the_service_does_not_know_are_kept():  # rule X1
    uow = FakeUnitOfWork(FAKE_REPOSITORIES)
    assert bought(uow, "elsewhere-1", "800.00", date(2026, 10, 8))
    fact = complaint("elsewhere-1", NOW - timedelta(days=1))
    assert grading_handlers.handle_complaint_registered(uow, S, fact, NOW)
    kept = uow.summaries.items["elsewhere-1"]
    assert (len(kept.invoices), kept.open_complaints()) == (1, 1)
    assert uow.grades.items == {} and uow.events == []


# --- rule C6: large changes, periodic and manual re-grading ------------------------------
def test_a_new_scale_regrades_at_once_and_a_small_change_does_not(uow):  # rule C5, rule C6
    customer_id = customer_of(uow)
    bought(uow, customer_id, "900000.00", date(2026, 10, 8))  # first: small
    bought(uow, customer_id, "10000.00", date(2026, 10, 9))  # still small, +0.07 points
    assert [c.trigger for c in uow.grades.changes] == ["first"]
    bought(uow, customer_id, "100000.00", date(2026, 10, 10))  # 1,010,000.00: medium
    last = uow.grades.changes[-1]
    assert (last.trigger, last.scale) == ("large_change", "medium")
    assert last.reason == "large change: scale small -> medium"
    assert last.previous_score is not None and last.score > last.previous_score


def test_a_score_move_of_the_setting_regrades_at_once(uow):  # rule C6
    settings = replace(S, large_change_points=Decimal("5"))
    customer_id = customer_of(uow)
    bought(uow, customer_id, "100.00", date(2026, 10, 8), settings=settings)
    # all of a 1,000.00 balance overdue costs the payment component 100 points: 20 points
    fact = ledger(customer_id, "1000.00", "1000.00", TODAY, at=NOW)
    grading_handlers.handle_ledger_changed(uow, settings, fact, NOW)
    last = uow.grades.changes[-1]
    assert last.trigger == "large_change" and last.reason.startswith("large change: score")
    assert last.previous_score - last.score == Decimal("20.00")


def test_the_periodic_review_grades_once_a_period(uow):  # rule C6
    customer_id = customer_of(uow)
    bought(uow, customer_id, "100.00", date(2026, 10, 8))  # graded on 15 November
    next_month = NOW + timedelta(days=20)  # 5 December
    assert grading_handlers.review_customer(uow, S, customer_id, next_month, periodic=True)
    record = uow.grades.items[customer_id]
    assert (record.trigger, record.graded_at) == ("periodic", next_month)
    # a second instance's review later that month finds it done: no periodic grading again
    later = next_month + timedelta(hours=1)
    grading_handlers.review_customer(uow, S, customer_id, later, periodic=True)
    assert uow.grades.items[customer_id].graded_at == next_month


def test_a_manager_regrades_one_customer_and_it_is_kept_even_unchanged(uow):  # rule C6
    customer_id = customer_of(uow)
    bought(uow, customer_id, "100.00", date(2026, 10, 8))
    record = grading_handlers.regrade_customer(uow, S, customer_id, MARKET, NOW)
    assert (record.trigger, record.graded_by) == ("manual", "chen.jing")
    assert [c.trigger for c in uow.grades.changes] == ["first", "manual"]
    assert uow.grades.changes[-1].reason == "re-graded at the request of chen.jing"


def test_regrading_a_pending_or_unknown_customer_is_refused(uow):  # rule C3
    pending = customer_of(uow, status="pending_approval")
    with pytest.raises(NotGradable):
        grading_handlers.regrade_customer(uow, S, pending, MARKET, NOW)
    with pytest.raises(CustomerNotFound):
        grading_handlers.regrade_customer(uow, S, "nope", MARKET, NOW)
    assert uow.grades.items == {}


def regrade_all(uow, settings=S, holder="instance-a", at=NOW):
    """Start a run and work on it to the end, as the service's runner does."""
    run = grading_handlers.start_regrade(uow, settings, MARKET, holder, at)
    return grading_handlers.run_regrade(uow, settings, run.id, holder, clock=lambda: at)


def test_regrading_all_grades_every_approved_customer(uow):  # rule C6
    first, second = customer_of(uow), customer_of(uow, name="华南贸易")
    customer_of(uow, status="pending_approval", name="线索")
    bought(uow, first, "100.00", date(2026, 10, 8))
    run = regrade_all(uow)
    assert (run.status, run.total, run.graded, run.changed) == ("done", 2, 2, 1)
    assert (run.requested_by, run.finished_at, run.running_slot) == ("chen.jing", NOW, None)
    assert card(uow, second).grade is not None
    assert uow.grades.items[second].graded_by == "chen.jing"
    # nothing changed since: nothing new in the history
    again = regrade_all(uow)
    assert (again.graded, again.changed) == (2, 0) and again.id != run.id
    assert len(uow.grades.changes) == 2


def test_regrading_all_commits_one_batch_at_a_time(uow):  # rule C6
    settings = replace(S, regrade_batch_size=2)
    customers = [customer_of(uow, name=f"客户{n}") for n in range(5)]
    commits = uow.commits
    sent = len(events(uow, "grade_changed"))
    run = regrade_all(uow, settings)
    assert (run.status, run.graded, run.changed, run.batches) == ("done", 5, 5, 3)
    # the start, three batches of 2, 2 and 1, and the end: each its own transaction
    assert uow.commits - commits == 5
    assert len(events(uow, "grade_changed")) - sent == 5
    assert all(card(uow, c).grade is not None for c in customers)


def test_only_one_regrade_run_at_a_time(uow):  # rule C6
    customer_of(uow)
    run = grading_handlers.start_regrade(uow, S, MARKET, "instance-a", NOW)
    later = NOW + timedelta(seconds=S.regrade_lease_seconds - 1)
    for holder in ("instance-b", "instance-a"):
        with pytest.raises(RegradeRunning) as refused:
            grading_handlers.start_regrade(uow, S, MARKET, holder, later)
        assert refused.value.details == {"run_id": run.id}
    assert list(uow.regrade_runs.items) == [run.id]


def test_an_interrupted_run_is_taken_over_and_grades_the_rest(uow):  # rule C6
    settings = replace(S, regrade_batch_size=2)
    customers = [customer_of(uow, name=f"客户{n}") for n in range(5)]
    run = grading_handlers.start_regrade(uow, settings, MARKET, "instance-a", NOW)

    def crash():
        raise SystemExit("instance-a is killed after its first batch")

    with pytest.raises(SystemExit):
        grading_handlers.run_regrade(
            uow, settings, run.id, "instance-a", clock=lambda: NOW, between_batches=crash
        )
    first_batch = [c for c in customers if uow.grades.find(c) is not None]
    assert len(first_batch) == 2
    assert uow.regrade_runs.get(run.id).status == "running"

    later = NOW + timedelta(seconds=settings.regrade_lease_seconds + 1)
    taken = grading_handlers.start_regrade(uow, settings, MARKET, "instance-b", later)
    assert (taken.id, taken.resumed, taken.holder) == (run.id, 1, "instance-b")
    # instance-a, back from a long pause, no longer works on it
    assert grading_handlers.run_regrade(uow, settings, run.id, "instance-a").graded == 2
    done = grading_handlers.run_regrade(uow, settings, run.id, "instance-b", clock=lambda: later)
    assert (done.status, done.graded, done.changed, done.batches) == ("done", 5, 5, 3)
    # graded once each in this run: the first batch kept its grading, the rest are new
    assert [uow.grades.find(c).graded_at for c in customers] == [NOW] * 2 + [later] * 3


def test_a_failed_batch_marks_the_run_failed_and_starting_again_resumes(uow, monkeypatch):
    settings = replace(S, regrade_batch_size=2)  # rule C6
    customers = [customer_of(uow, name=f"客户{n}") for n in range(3)]
    review = grading_handlers.review

    def broken(uow, settings, customer, *args, **kwargs):
        if customer.id == customers[2]:
            raise RuntimeError("the database went away")
        return review(uow, settings, customer, *args, **kwargs)

    monkeypatch.setattr(grading_handlers, "review", broken)
    run = grading_handlers.start_regrade(uow, settings, MARKET, "instance-a", NOW)
    with pytest.raises(RuntimeError):
        grading_handlers.run_regrade(uow, settings, run.id, "instance-a", clock=lambda: NOW)
    failed = uow.regrade_runs.get(run.id)
    assert (failed.status, failed.error, failed.graded, failed.holder) == (
        "failed",
        "RuntimeError",
        2,
        None,
    )
    assert uow.grades.find(customers[2]) is None  # its batch rolled back

    monkeypatch.setattr(grading_handlers, "review", review)
    resumed = grading_handlers.start_regrade(uow, settings, MARKET, "instance-b", NOW)
    assert (resumed.id, resumed.status, resumed.error) == (run.id, "running", None)
    done = grading_handlers.run_regrade(uow, settings, run.id, "instance-b", clock=lambda: NOW)
    assert (done.status, done.graded) == ("done", 3)


# --- rule C7: key accounts ----------------------------------------------------------------
def test_an_a_grade_large_customer_becomes_a_key_account_by_the_rule(uow):  # rule C7
    settings = replace(S, grade_a_score=Decimal("50"))
    customer_id = customer_of(uow)
    bought(uow, customer_id, "6000000.00", date(2026, 10, 8), settings=settings)
    account = uow.key_accounts.items[customer_id]
    assert (account.key_account, account.source, account.plan) == (True, "auto", None)
    assert card(uow, customer_id).key_account is True


def test_a_manager_designates_a_key_account_with_its_maintenance_plan(uow):  # rule C7
    customer_id = customer_of(uow)
    with pytest.raises(MaintenancePlanRequired):
        key_account_handlers.set_key_account(uow, customer_id, SetKeyAccount(), MANAGER, NOW)
    decision = SetKeyAccount(True, PLAN, "zhao.kam")
    account, customer, _grade = key_account_handlers.set_key_account(
        uow, customer_id, decision, MANAGER, NOW
    )
    assert (account.key_account, account.source, account.owner) == (True, "manager", "zhao.kam")
    assert account.plan == {"how": PLAN.how, "who": "li.na", "budget": "20000.00"}
    assert customer.key_account is True
    assert {"designated", "key_account_changed"} <= {h.action for h in uow.history}


def test_a_manager_decision_stands_against_the_rule(uow):  # rule C7
    settings = replace(S, grade_a_score=Decimal("50"))
    customer_id = customer_of(uow)
    key_account_handlers.set_key_account(
        uow, customer_id, SetKeyAccount(False), MARKET, NOW
    )  # removing needs no plan
    bought(uow, customer_id, "6000000.00", date(2026, 10, 8), settings=settings)
    assert uow.key_accounts.items[customer_id].key_account is False
    assert card(uow, customer_id).key_account is False


# --- rule C7: churn warnings ---------------------------------------------------------
def key_account(uow, owner="zhao.kam") -> str:
    customer_id = customer_of(uow)
    decision = SetKeyAccount(True, PLAN, owner)
    key_account_handlers.set_key_account(uow, customer_id, decision, MANAGER, NOW)
    return customer_id


def test_a_fall_of_30_percent_warns_of_churn_once_naming_the_owner(uow):  # rule C7
    customer_id = key_account(uow)
    bought(uow, customer_id, "70000.00", date(2026, 8, 5))  # 2026Q3 (last quarter)
    bought(uow, customer_id, "100000.00", date(2026, 5, 5))  # 2026Q2
    (warning,) = uow.warnings.of(customer_id, "churn")
    assert (warning.key, warning.owner, warning.status) == (
        "purchase_fall:2026Q3",
        "zhao.kam",
        "open",
    )
    assert warning.details["fall"] == "0.3000"
    bought(uow, customer_id, "10.00", date(2026, 5, 6))  # the fall again: no second warning
    assert len(uow.warnings.of(customer_id, "churn")) == 1


def test_an_open_warning_shows_the_latest_figures_of_its_quarter(uow):  # rule C7
    customer_id = key_account(uow)
    bought(uow, customer_id, "100000.00", date(2026, 5, 5))  # 2026Q3 has nothing yet
    (warning,) = uow.warnings.of(customer_id, "churn")
    assert warning.details["fall"] == "1.0000"
    bought(uow, customer_id, "60000.00", date(2026, 8, 5))  # late invoice of 2026Q3
    assert warning.details["fall"] == "0.4000" and "fell 40.00%" in warning.reason
    assert [h.action for h in uow.history if h.entity_id == warning.id] == ["raised", "updated"]
    warning_handlers.remedy_warning(uow, warning.id, RecordRemedy("回访"), AGENT, NOW)
    bought(uow, customer_id, "5000.00", date(2026, 8, 6))  # handled: kept as it was
    assert uow.warnings.items[warning.id].details["fall"] == "0.4000"


def test_a_fall_a_cent_short_of_30_percent_warns_of_nothing(uow):  # rule C7
    customer_id = key_account(uow)
    bought(uow, customer_id, "70000.01", date(2026, 8, 5))  # 2026Q3 first: no fall yet
    bought(uow, customer_id, "100000.00", date(2026, 5, 5))
    assert uow.warnings.of(customer_id, "churn") == []


def test_customers_that_are_no_key_accounts_are_not_watched_unless_set(uow):  # rule C7
    customer_id = customer_of(uow)
    bought(uow, customer_id, "100000.00", date(2026, 5, 5))
    assert uow.warnings.of(customer_id) == []
    everyone = replace(S, churn_key_accounts_only=False)
    grading_handlers.review_customer(uow, everyone, customer_id, NOW)
    (warning,) = uow.warnings.of(customer_id, "churn")
    assert warning.owner == "li.na"  # no account owner: the card's


def test_a_complaint_spike_warns_of_churn(uow):  # rule C7
    customer_id = key_account(uow)
    for days_ago in range(S.complaint_spike_count):
        fact = complaint(customer_id, NOW - timedelta(days=days_ago))
        grading_handlers.handle_complaint_registered(uow, S, fact, NOW)
    (warning,) = uow.warnings.of(customer_id, "churn")
    assert warning.key == "complaint_spike:2026-11"
    assert warning.details["complaints"] == S.complaint_spike_count


# --- rule C8: risk ---------------------------------------------------------------------
def overdue_long(uow, customer_id, at=NOW):
    """All of a 300,000.00 balance overdue for 100 days: 4 points, high."""
    bought(uow, customer_id, "300000.00", date(2026, 6, 8), due=date(2026, 8, 7))
    fact = ledger(customer_id, "300000.00", "300000.00", TODAY, at=at)
    grading_handlers.handle_ledger_changed(uow, S, fact, at)


def test_a_rise_to_high_proposes_tighter_terms_as_a_change_request(uow):  # rule C8, rule C4
    customer_id = customer_of(uow)
    overdue_long(uow, customer_id)
    risk = uow.risks.items[customer_id]
    assert (risk.level, risk.guarantee_required) == ("high", True)
    assert card(uow, customer_id).risk == "high"
    (request,) = uow.change_requests.items.values()
    assert risk.change_request_id == request.id
    assert (request.status, request.requested_by) == ("pending", "system")
    assert request.changes == {
        "credit_limit": {"old": "200000.00", "new": "100000.00"},
        "settlement_terms": {"old": "net_60", "new": "net_30"},
    }
    assert "guarantee is required" in request.reason
    # not silently: the terms stay until the market manager and finance approve (rule C4)
    assert card(uow, customer_id).credit_limit == Decimal("200000.00")
    handlers.decide_change_request(uow, request.id, DecideChangeRequest("approve"), MARKET)
    handlers.decide_change_request(uow, request.id, DecideChangeRequest("approve"), FINANCE)
    assert card(uow, customer_id).credit_limit == Decimal("100000.00")
    assert card(uow, customer_id).settlement_terms == "net_30"


def test_a_rise_raises_one_risk_warning_naming_the_owner(uow):  # rule C8
    customer_id = customer_of(uow)
    overdue_long(uow, customer_id)
    (warning,) = uow.warnings.of(customer_id, "risk")
    assert warning.owner == "li.na" and warning.details["level"] == {"old": "low", "new": "high"}
    assert warning.details["change_request_id"] == uow.risks.items[customer_id].change_request_id
    # still high on the next fact: no new warning, no second change request
    again = ledger(customer_id, "300000.00", "300000.00", TODAY, at=NOW + timedelta(minutes=1))
    grading_handlers.handle_ledger_changed(uow, S, again, NOW + timedelta(minutes=1))
    assert len(uow.warnings.of(customer_id, "risk")) == 1
    assert len(uow.change_requests.items) == 1


def test_paid_up_the_risk_falls_and_the_guarantee_is_no_longer_required(uow):  # rule C8
    customer_id = customer_of(uow)
    overdue_long(uow, customer_id)
    later = NOW + timedelta(minutes=5)
    grading_handlers.handle_ledger_changed(
        uow, S, ledger(customer_id, "0.00", "0.00", TODAY, at=later), later
    )
    risk = uow.risks.items[customer_id]
    assert (risk.level, risk.guarantee_required) == ("low", False)
    assert card(uow, customer_id).risk == "low"
    # high again while the first request is still open: it is named again, not doubled
    overdue_long(uow, customer_id, at=later + timedelta(minutes=5))
    assert len(uow.warnings.of(customer_id, "risk")) == 2
    assert len(uow.change_requests.items) == 1


def test_open_complaints_are_disputes_and_a_rise_to_medium_warns(uow):  # rule C8
    customer_id = customer_of(uow)
    for days_ago in (1, 2, 3):
        fact = complaint(customer_id, NOW - timedelta(days=days_ago))
        grading_handlers.handle_complaint_registered(uow, S, fact, NOW)
    risk = uow.risks.items[customer_id]
    # 3 open (2 points) and 3 recent (1 point): medium, no change request
    assert (risk.level, risk.points) == ("medium", 3)
    assert [w.details["level"]["new"] for w in uow.warnings.of(customer_id, "risk")] == ["medium"]
    assert uow.change_requests.items == {}


# --- warnings: the remedy ------------------------------------------------------------
def test_a_remedy_handles_a_warning_once(uow):  # rule C7
    customer_id = key_account(uow)
    bought(uow, customer_id, "100000.00", date(2026, 5, 5))
    (warning,) = uow.warnings.of(customer_id, "churn")
    with pytest.raises(Invalid):
        warning_handlers.remedy_warning(uow, warning.id, RecordRemedy("  "), AGENT, NOW)
    handled = warning_handlers.remedy_warning(
        uow, warning.id, RecordRemedy("销售经理上门拜访，恢复季度返利"), AGENT, NOW
    )
    assert (handled.status, handled.handled_by, handled.action) == (
        "handled",
        "wu.kf",
        "销售经理上门拜访，恢复季度返利",
    )
    with pytest.raises(WarningHandled):
        warning_handlers.remedy_warning(uow, warning.id, RecordRemedy("again"), AGENT, NOW)
    with pytest.raises(WarningNotFound):
        warning_handlers.remedy_warning(uow, "nope", RecordRemedy("x"), AGENT, NOW)
    assert [h.action for h in uow.history if h.entity_id == warning.id] == ["raised", "handled"]
