"""Use cases of grading (rule C5, rule C6) and the review of a customer that follows every
fact the service hears: the summaries of finance's and complaints' events (rule X1),
the grade when due, the key account (rule C7), the risk (rule C8) and churn warnings.
A survey recorded here (interactions, rule C9) is such a fact too: its score is part of
the satisfaction (rule C6), so ``record_interaction`` calls ``review_after``.

Every consumed event is one unit of work: the summary's change, what the review decides
(grade, warnings, a change request) and the inbox row commit together (rule X2). A
customer's row is locked first, then its summary, in every use case here, so two facts
about one customer take turns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from customer.domain import Customer, CustomerSettings
from customer.domain.grading import (
    GradeRecord,
    RegradeRun,
    grade,
    grade_card,
    inputs_for,
    large_change,
    period_start,
    window_start,
)
from customer.domain.summaries import CustomerSummary, business_date, day_start
from customer.grading_commands import ComplaintFact, InvoiceFact, LedgerFact
from customer.key_account_handlers import follow_rule, watch_churn
from customer.risk_handlers import review_risk
from servicekit.contracts.customer_grading_vocabulary import SYSTEM, NotGradable, RegradeRunning
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, new_id, utcnow


def today_of(now: datetime, settings: CustomerSettings) -> date:
    return business_date(now, settings.business_utc_offset_hours)


T = TypeVar("T")


def window_surveys(
    uow: UnitOfWork, settings: CustomerSettings, customer_id: str, today: date
) -> list[tuple[datetime, int]]:
    """The customer's survey scores (when, score) in the grading window that ends
    ``today``, business days (rule C6: satisfaction)."""
    offset = settings.business_utc_offset_hours
    start = day_start(window_start(today, settings), offset)
    return uow.interactions.survey_scores(
        customer_id, start, day_start(today + timedelta(days=1), offset)
    )


def period_start_at(now: datetime, settings: CustomerSettings) -> datetime:
    """When the current grading period began (rule C6), in UTC."""
    offset = settings.business_utc_offset_hours
    return day_start(period_start(today_of(now, settings), settings), offset)


# --- the review --------------------------------------------------------------------
def regrade_if_due(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer,
    summary: CustomerSummary,
    now: datetime,
    *,
    periodic: bool = False,
    by: str | None = None,
    keep: bool = False,
) -> GradeRecord:
    """rule C6: grade the first time, periodically, on a large change, or when a person
    asks (``by``); otherwise leave the grade as it is."""
    today = today_of(now, settings)
    surveys = window_surveys(uow, settings, customer.id, today)
    grading = grade(inputs_for(customer, summary, today, settings, surveys), settings)
    record = uow.grades.get_or_add(customer.id, now)
    if by is not None:
        trigger, reason = "manual", f"re-graded at the request of {by}"
    elif record.graded_at is None:
        trigger, reason = "first", "first grading"
    elif periodic:
        trigger, reason = "periodic", f"periodic re-grading (every {settings.regrade_months} month)"
    else:
        change = large_change(record, grading, settings)
        if change is None:
            return record
        trigger, reason = "large_change", f"large change: {change}"
    entry = record.regrade(grading, trigger, reason, by or SYSTEM, now, keep=keep)
    if entry is not None:
        uow.grades.add_change(entry)
    grade_card(customer, record, by or SYSTEM, now)
    return record


def review(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer | None,
    summary: CustomerSummary,
    now: datetime,
    *,
    periodic: bool = False,
    by: str | None = None,
    keep: bool = False,
) -> GradeRecord | None:
    """What a new fact (or the period's end, or a person) changes for a customer: its
    grade (rule C6), key account (rule C7), risk (rule C8) and churn warnings (rule C7).
    Only cards with terms in effect are reviewed (rule C3); the summary is kept anyway."""
    if customer is None or not customer.terms_in_effect:
        return None
    record = regrade_if_due(
        uow, settings, customer, summary, now, periodic=periodic, by=by, keep=keep
    )
    account = follow_rule(uow, settings, customer, record, now)
    today = today_of(now, settings)
    review_risk(uow, settings, customer, summary, account, today, now)
    watch_churn(uow, settings, customer, summary, account, today, now)
    return record


def _with_summary(uow: UnitOfWork, customer_id: str, now: datetime):
    """The customer (locked; None when the service does not know it) and its summary."""
    customer = uow.customers.find(customer_id, for_update=True)
    return customer, uow.summaries.get_or_add(customer_id, now)


def review_after(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer_id: str,
    now: datetime,
    record_fact: Callable[[], T],
) -> T:
    """A fact the customer service records itself (a survey, rule C6), inside the caller's
    unit of work: the customer (404 when unknown) and its summary locked first, as for an
    event, then ``record_fact()``, then the same review as after an event; all commit
    together with the caller's commit."""
    customer, summary = _with_summary(uow, customer_id, now)
    if customer is None:
        uow.customers.get(customer_id)  # the repository's CustomerNotFound
    recorded = record_fact()
    review(uow, settings, customer, summary, now)
    return recorded


# --- facts from finance and complaints (rule X1) -------------------------------------
def _on_fact(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer_id: str,
    now: datetime | None,
    record: Callable[[CustomerSummary, datetime], bool],
) -> bool:
    """One consumed event, one unit of work (rule X2): the customer and its summary locked,
    ``record(summary, now)`` the fact in the summary, and the review when it changed
    something; what ``record`` answered (False: the fact was known, or older)."""
    now = now or utcnow()
    with uow:
        customer, summary = _with_summary(uow, customer_id, now)
        changed = record(summary, now)
        if changed:
            review(uow, settings, customer, summary, now)
        uow.commit()
        return changed


def handle_invoice_recorded(
    uow: UnitOfWork, settings: CustomerSettings, fact: InvoiceFact, now: datetime | None = None
) -> bool:
    """``finance.invoice_recorded``: a purchase (rule C5, rule C6, rule C7); False when the
    invoice was known already."""
    return _on_fact(
        uow,
        settings,
        fact.customer_id,
        now,
        lambda summary, now: summary.record_invoice(fact.purchase(), now),
    )


def handle_ledger_changed(
    uow: UnitOfWork, settings: CustomerSettings, fact: LedgerFact, now: datetime | None = None
) -> bool:
    """``finance.ledger_changed``: balance and overdue (rule C6: payment behaviour, rule C8);
    False when a newer announcement is kept already."""
    return _on_fact(
        uow,
        settings,
        fact.customer_id,
        now,
        lambda summary, now: summary.record_ledger(
            balance=fact.balance,
            overdue=fact.overdue,
            ageing=fact.ageing,
            as_of=fact.as_of,
            at=fact.at,
            now=now,
        ),
    )


def handle_complaint_registered(
    uow: UnitOfWork, settings: CustomerSettings, fact: ComplaintFact, now: datetime | None = None
) -> bool:
    """``complaints.complaint_registered``: complaint rate, disputes, spikes (rule C6,
    rule C7, rule C8)."""
    return _on_fact(
        uow,
        settings,
        fact.customer_id,
        now,
        lambda summary, now: summary.complaint_registered(
            fact.complaint_id, fact.number, fact.registered_at or now, now
        ),
    )


def handle_complaint_closed(
    uow: UnitOfWork, settings: CustomerSettings, fact: ComplaintFact, now: datetime | None = None
) -> bool:
    """``complaints.complaint_closed``: the follow-up's satisfaction (rule C6)."""
    return _on_fact(
        uow,
        settings,
        fact.customer_id,
        now,
        lambda summary, now: summary.complaint_closed(
            fact.complaint_id,
            fact.number,
            registered_at=fact.registered_at,
            closed_at=fact.closed_at or now,
            satisfied=bool(fact.satisfied),
            satisfaction=fact.satisfaction,
            now=now,
        ),
    )


def handle_complaint_rejected(
    uow: UnitOfWork, settings: CustomerSettings, fact: ComplaintFact, now: datetime | None = None
) -> bool:
    """``complaints.complaint_rejected``: the case is not a complaint that counts, nor a
    dispute (rule C8)."""
    return _on_fact(
        uow,
        settings,
        fact.customer_id,
        now,
        lambda summary, now: summary.complaint_rejected(
            fact.complaint_id, fact.number, fact.rejected_at or now, now
        ),
    )


# --- commands and the timer ------------------------------------------------------------
def regrade_customer(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer_id: str,
    actor: Actor,
    now: datetime | None = None,
) -> GradeRecord:
    """A person re-grades one customer now (rule C6); kept in its grade history."""
    now = now or utcnow()
    with uow:
        customer, summary = _with_summary(uow, customer_id, now)
        if customer is None:
            uow.customers.get(customer_id)  # the repository's CustomerNotFound
        if not customer.terms_in_effect:
            raise NotGradable(details={"status": customer.status})
        record = review(uow, settings, customer, summary, now, by=actor.username, keep=True)
        uow.commit()
        return record


def start_regrade(
    uow: UnitOfWork,
    settings: CustomerSettings,
    actor: Actor,
    holder: str,
    now: datetime | None = None,
) -> RegradeRun:
    """A person re-grades every customer with terms in effect (rule C6): the run is made
    (or an interrupted one taken over, to grade the rest) for ``holder`` to work on with
    ``run_regrade``. One unfinished run at a time: a run another instance still holds
    -> 409 ``regrade_running`` with its id."""
    now = now or utcnow()
    lease = timedelta(seconds=settings.regrade_lease_seconds)
    with uow:
        run = uow.regrade_runs.unfinished(for_update=True)
        if run is None:
            made = RegradeRun(
                new_id(), actor.username, holder, now, lease, uow.grades.count_gradable()
            )
            run = uow.regrade_runs.add_unfinished(made)
            if run is not made:  # another request made one at the same moment
                raise RegradeRunning(details={"run_id": run.id})
        else:
            run.take_over(holder, now, lease)
        uow.commit()
        return run


def _regrade_one(
    uow: UnitOfWork, settings: CustomerSettings, customer_id: str, by: str, now: datetime
) -> tuple[bool, bool]:
    """(graded, changed) for one customer of a run: as ``regrade_customer``, without
    keeping a history entry when nothing changed."""
    customer, summary = _with_summary(uow, customer_id, now)
    before = uow.grades.find(customer_id)
    previous = (before.grade, before.score) if before is not None else (None, None)
    record = review(uow, settings, customer, summary, now, by=by)
    if record is None:
        return False, False
    return True, (record.grade, record.score) != previous


def run_regrade(
    uow: UnitOfWork,
    settings: CustomerSettings,
    run_id: str,
    holder: str,
    clock: Callable[[], datetime] = utcnow,
    between_batches: Callable[[], None] | None = None,
) -> RegradeRun:
    """Grade the run's customers after its cursor, ``CUSTOMER_REGRADE_BATCH_SIZE`` per
    transaction (rule C6): each batch commits its grades, their ``customer.grade_changed``
    events (the outbox), the run's counts, cursor and renewed lease together, so a crash
    loses at most the batch under way and a run started again grades the rest. Stops when
    every customer is graded (done), when another holder took the run over, or when a
    batch raised (failed: the error's name kept, starting again resumes it)."""
    lease = timedelta(seconds=settings.regrade_lease_seconds)
    while True:
        try:
            with uow:
                run = uow.regrade_runs.get(run_id, for_update=True)
                if not run.works_for(holder):
                    return run
                now = clock()
                batch = uow.grades.gradable_after(run.cursor, settings.regrade_batch_size)
                if not batch:
                    run.finish(now)
                    uow.commit()
                    return run
                graded = changed = 0
                for customer_id, _created_at in batch:
                    was_graded, was_changed = _regrade_one(
                        uow, settings, customer_id, run.requested_by, now
                    )
                    graded += was_graded
                    changed += was_changed
                last_id, last_created_at = batch[-1]
                run.record_batch(graded, changed, (last_created_at, last_id), now, lease)
                uow.commit()
        except Exception as exc:
            # marked failed for the person who polls it; when even that fails, the lease
            # runs out instead, and either way starting again resumes the run
            with contextlib.suppress(Exception):
                _fail_run(uow, run_id, holder, type(exc).__name__, clock())
            raise
        if between_batches is not None:
            between_batches()


def _fail_run(uow: UnitOfWork, run_id: str, holder: str, error: str, now: datetime) -> None:
    with uow:
        run = uow.regrade_runs.get(run_id, for_update=True)
        if run.works_for(holder):
            run.fail(error, now)
            uow.commit()


def review_customer(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer_id: str,
    now: datetime | None = None,
    periodic: bool = False,
) -> bool:
    """The timer's review of one customer: its periodic grading when due (checked again
    under the lock, so two instances never grade twice in a period), and its daily
    risk and churn review. False when the customer is gone or not gradable."""
    now = now or utcnow()
    with uow:
        customer, summary = _with_summary(uow, customer_id, now)
        if customer is None or not customer.terms_in_effect:
            return False
        record = uow.grades.find(customer_id)
        if periodic and record is not None and not record.due(period_start_at(now, settings)):
            periodic = False
        review(uow, settings, customer, summary, now, periodic=periodic)
        uow.commit()
        return True
