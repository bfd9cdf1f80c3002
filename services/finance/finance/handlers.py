"""Use cases of the finance service: one function per command and consumed event.

Each loads aggregates through the unit of work's repositories (``finance.repository``),
lets the domain apply the rules and commits; the unit of work writes the events and
history the domain recorded (rule X2, rule X3). Where the database refuses a twin (a
concurrent copy of the same fact committed first), the work runs once more and finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from finance.commands import (
    AcceptedPlan,
    CheckCredit,
    ComplaintFact,
    CustomerFact,
    ReceivedReturnFact,
    RecordInvoice,
    RecordPayment,
    RecordProof,
    RecordResale,
    ResolveReconciliation,
)
from finance.domain import (
    Account,
    CreditDecision,
    FinanceSettings,
    LedgerEntry,
    LossCase,
    Plan,
    ReceivedReturn,
    Reconciliation,
    Resale,
    TrackedComplaint,
    Voucher,
    check_credit,
)
from servicekit.contracts.finance_vocabulary import (
    VOUCHER_ACTIONS,
    CustomerUnknown,
    InvoiceNumberTaken,
    ReturnNotSettled,
    ReturnUnknown,
)
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow

T = TypeVar("T")


def _once_more_on_conflict(work: Callable[[], T]) -> T:
    """A twin row committed between this work's look-up and its insert: the work runs
    again and now finds it (the unit of work rolled the first try back)."""
    try:
        return work()
    except IntegrityError:
        return work()


def _keep(uow: UnitOfWork, *aggregates):
    """Hold the aggregates a handler made or changed until the commit: after a flush the
    session keeps only weak references, and what they recorded (events, history) would
    go with them."""
    uow.track(*aggregates)
    return aggregates[0]


def _account(uow: UnitOfWork, customer_id: str, now: datetime) -> Account:
    """The customer's account, locked; a new one when finance has none yet."""
    return _keep(uow, uow.accounts.get_or_add(customer_id, now))


# --- rule X1: facts from customer and complaints -------------------------------------
def handle_customer_fact(uow: UnitOfWork, fact: CustomerFact) -> Account:
    """``customer.customer_approved`` / ``terms_changed`` / ``status_changed`` /
    ``owner_changed``: finance's copy of the card, an older fact never over a newer one."""

    now = utcnow()
    with uow:
        account = _account(uow, fact.customer_id, now)
        account.learn(fact, now)
        uow.commit()
        return account


def handle_complaint_fact(uow: UnitOfWork, fact: ComplaintFact) -> TrackedComplaint:
    """``complaints.complaint_registered`` / ``complaint_closed`` / ``complaint_rejected``:
    which complaints are open (rule F6)."""

    with uow:
        complaint, made = uow.complaints.get_or_add(fact)
        if not made:
            complaint.learn(fact)
        uow.commit()
        return complaint


# --- rule F1, rule F3: plans, returns, reconciliations, vouchers ---------------------
def handle_plan_accepted(
    uow: UnitOfWork, settings: FinanceSettings, accepted: AcceptedPlan
) -> Plan:
    """``complaints.plan_accepted``: the plan is kept (rule F1), its allowance and
    compensation actions get their vouchers (rule F3), its loss case opens (rule P12),
    and a return that arrived before it is reconciled now. Once per plan."""

    def work() -> Plan:
        now = utcnow()
        with uow:
            uow.plans.lock(accepted.complaint_id)
            uow.plans.lock(accepted.plan_id)
            known = uow.plans.find(accepted.plan_id)
            if known is not None:
                return known
            plan = Plan.of(accepted)
            uow.plans.add(plan)
            year = settings.business_date(now).year
            for action in plan.actions:
                if action.type not in VOUCHER_ACTIONS or action.amount <= 0:
                    continue
                if uow.vouchers.for_action(plan.id, action.action_id) is None:
                    number = uow.vouchers.next_number(year)
                    uow.vouchers.add(_keep(uow, Voucher.for_action(plan, action, number, now)))
            if uow.losses.for_plan(plan.id) is None:
                uow.losses.add(_keep(uow, LossCase(plan, now)))
            for returned in uow.received.unreconciled(plan):
                _reconcile(uow, settings, returned, plan, now)
            uow.commit()
            return plan

    return _once_more_on_conflict(work)


def handle_return_received(
    uow: UnitOfWork, settings: FinanceSettings, fact: ReceivedReturnFact
) -> Reconciliation | None:
    """``returns.return_received``: rule F1, exactly one reconciliation per return. A
    return of a complaint whose plan has not reached finance yet is kept (None) and
    reconciled when the plan comes."""

    def work() -> Reconciliation | None:
        now = utcnow()
        with uow:
            returned = ReceivedReturn.of(fact)
            if returned.waits_for_plan:
                uow.plans.lock(returned.complaint_id or returned.plan_id)
            done = uow.reconciliations.for_return(returned.id)
            if done is not None:
                return done
            kept = uow.received.find(returned.id)
            if kept is None:
                uow.received.add(returned)
                kept = returned
            plan = uow.plans.for_return(kept) if kept.waits_for_plan else None
            reconciliation = None
            if plan is not None or not kept.waits_for_plan:
                reconciliation = _reconcile(uow, settings, kept, plan, now)
            uow.commit()
            return reconciliation

    return _once_more_on_conflict(work)


def _reconcile(
    uow: UnitOfWork,
    settings: FinanceSettings,
    returned: ReceivedReturn,
    plan: Plan | None,
    now: datetime,
) -> Reconciliation:
    """rule F1 with the customer's ratio (or the company default), and its voucher when it
    matched."""
    account = uow.accounts.find(returned.customer_id)
    ratio = settings.over_acceptance_ratio
    if account is not None:
        ratio = account.tolerance(ratio)
    reconciliation = _keep(uow, Reconciliation(returned, plan, ratio, now))
    uow.reconciliations.add(reconciliation)
    _settle(uow, settings, reconciliation, now)
    return reconciliation


def _settle(
    uow: UnitOfWork, settings: FinanceSettings, reconciliation: Reconciliation, now: datetime
) -> Voucher | None:
    """A settled reconciliation: the voucher of what it credits (rule F1), and its case's
    resale window opens (rule P12)."""
    if not reconciliation.settled:
        return None
    if reconciliation.plan_id is not None:
        case = uow.losses.for_plan(reconciliation.plan_id)
        if case is not None and case.goods_settled(reconciliation, settings, now):
            _keep(uow, case)
    number = uow.vouchers.next_number(settings.business_date(now).year)
    voucher = _keep(uow, Voucher.return_credit(reconciliation, number, now))
    uow.vouchers.add(voucher)
    return voucher


def resolve_reconciliation(
    uow: UnitOfWork,
    settings: FinanceSettings,
    reconciliation_id: str,
    decision: ResolveReconciliation,
    actor: Actor,
) -> Reconciliation:
    """rule F1: finance decides an exception; the accepted quantities get their voucher."""
    now = utcnow()
    with uow:
        reconciliation = uow.reconciliations.get(reconciliation_id, for_update=True)
        reconciliation.resolve(decision, actor.username, now)
        _settle(uow, settings, reconciliation, now)
        uow.commit()
        return reconciliation


def record_proof(
    uow: UnitOfWork, settings: FinanceSettings, voucher_id: str, proof: RecordProof, actor: Actor
) -> Voucher:
    """rule F2: the proof posts the voucher; rule F4: the ledger is credited (应收款冲红)."""

    def work() -> Voucher:
        now = utcnow()
        with uow:
            voucher = uow.vouchers.get(voucher_id, for_update=True)
            voucher.post(proof, actor.username, now)
            _account(uow, voucher.customer_id, now).credit(
                voucher_id=voucher.id,
                voucher_type=voucher.type,
                number=voucher.number,
                amount=voucher.amount,
                complaint_id=voucher.complaint_id,
                by=actor.username,
                now=now,
                today=settings.business_date(now),
            )
            uow.commit()
            return voucher

    return _once_more_on_conflict(work)


# --- rule F4, rule F5: the ledger and the credit check ---------------------------------
def record_invoice(
    uow: UnitOfWork, settings: FinanceSettings, invoice: RecordInvoice, actor: Actor
) -> LedgerEntry:
    """rule F4: an invoice of a customer finance knows, its number recorded once."""
    now = utcnow()
    try:
        with uow:
            if uow.accounts.invoice_number_taken(invoice.number):
                raise InvoiceNumberTaken(details={"number": invoice.number})
            account = uow.accounts.find(invoice.customer_id, for_update=True)
            if account is None:
                raise CustomerUnknown(details={"customer_id": invoice.customer_id})
            entry = account.record_invoice(
                invoice, actor.username, now, settings.business_date(now)
            )
            uow.commit()
            return entry
    except IntegrityError as exc:
        with uow:
            taken = uow.accounts.invoice_number_taken(invoice.number)
        if taken:  # the same number committed a moment earlier
            raise InvoiceNumberTaken(details={"number": invoice.number}) from exc
        raise


def record_payment(
    uow: UnitOfWork, settings: FinanceSettings, payment: RecordPayment, actor: Actor
) -> LedgerEntry:
    """rule F4: a payment of a customer finance knows."""
    now = utcnow()
    with uow:
        account = uow.accounts.find(payment.customer_id, for_update=True)
        if account is None:
            raise CustomerUnknown(details={"customer_id": payment.customer_id})
        entry = account.record_payment(payment, actor.username, now, settings.business_date(now))
        uow.commit()
        return entry


def credit_check(uow: UnitOfWork, settings: FinanceSettings, check: CheckCredit) -> CreditDecision:
    """rule F5: pass or hold with the reason, from finance's copy of the terms."""
    with uow:
        account = uow.accounts.find(check.customer_id)
        return check_credit(
            account, check.customer_id, check.amount, settings.business_date(utcnow())
        )


# --- rule P12, rule F7: resales and losses ---------------------------------------------
def record_resale(
    uow: UnitOfWork, settings: FinanceSettings, resale: RecordResale, actor: Actor
) -> Resale:
    """rule P12: returned goods of a complaint's return sold again."""
    now = utcnow()
    with uow:
        case = uow.losses.for_return(resale.return_id, for_update=True)
        if case is None:
            reconciliation = uow.reconciliations.for_return(resale.return_id)
            if reconciliation is not None and not reconciliation.settled:
                raise ReturnNotSettled(details={"return_id": resale.return_id})
            raise ReturnUnknown(details={"return_id": resale.return_id})
        record = case.record_resale(resale, actor.username, now)
        uow.commit()
        return record


def compute_due_losses(uow: UnitOfWork, now: datetime | None = None, limit: int = 100) -> int:
    """rule P12: every case whose resale window has closed gets its actual loss, split by
    its shares into the loss ledger (rule F7); how many (a second run computes none of
    them again)."""
    now = now or utcnow()
    with uow:
        cases = uow.losses.due(now, limit)
        computed = sum(1 for case in cases if case.compute(now))
        uow.commit()
        return computed
