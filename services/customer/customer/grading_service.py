"""Nameko entrypoints of grading, key accounts, risk and warnings (rule C5, rule C6,
rule C7, rule C8): a mixin of ``CustomerService`` (its ``uow`` and ``settings``). Each
loads the payload, calls a handler and dumps; see ``servicekit.contracts.customer_grading``
for the RPC API with the HTTP route of each method.

The summaries come from finance's and complaints' events (rule X1), each handled once
(the inbox; rule X2); the grading timer runs on one instance at a time (a lease). A
command opens one unit of work only: a second would find the command's own inbox row.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

import eventlet
from nameko.extensions import DependencyProvider
from nameko.timer import timer

from customer import grading_handlers, grading_queries
from customer.domain import CustomerSettings
from customer.grading_commands import (
    ComplaintFact,
    InvoiceFact,
    LedgerFact,
    RecordRemedy,
    SetKeyAccount,
)
from customer.key_account_handlers import set_key_account
from customer.repository import REPOSITORIES
from customer.security_keys import protect_history
from customer.warning_handlers import remedy_warning
from servicekit.config import settings_from
from servicekit.contracts import complaints, finance
from servicekit.contracts import customer_grading as contract
from servicekit.db import UnitOfWork
from servicekit.domain import utcnow
from servicekit.leases import try_acquire
from servicekit.nameko_ext import command, handle_event, query
from servicekit.validation import actor_of, load, load_command, load_list_args

log = logging.getLogger(__name__)

# nameko fixes a timer's interval when the class is defined, so it is read here.
GRADING_TIMER_SECONDS = settings_from(CustomerSettings, "CUSTOMER").grading_timer_seconds
GRADING_LEASE = "customer.grading"
_holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_grade = contract.GradeSchema()
_changes = contract.GradeChangeSchema(many=True)
_run = contract.RegradeRunSchema()
_risk = contract.RiskSchema()
_summary = contract.SummarySchema()
_account = contract.KeyAccountSchema()
_accounts = contract.KeyAccountSchema(many=True)
_warning = contract.WarningSchema()
_warnings = contract.WarningSchema(many=True)


class RegradeRunner(DependencyProvider):
    """Works on a run re-grading every customer (rule C6) in a thread of the container,
    after the command that started it has answered. A container stopped mid-run stops
    it between two statements: the batch under way rolls back, and once the lease runs
    out ``POST /customers/regrade`` takes the run over and grades the rest."""

    def get_dependency(self, worker_ctx):
        def start(uow: UnitOfWork, settings: CustomerSettings, run_id: str) -> None:
            self.container.spawn_managed_thread(
                lambda: self._work(uow, settings, run_id), identifier=f"regrade-run-{run_id}"
            )

        return start

    @staticmethod
    def _work(uow: UnitOfWork, settings: CustomerSettings, run_id: str) -> None:
        # A managed thread that raised would stop the container: everything is caught.
        try:
            run = grading_handlers.run_regrade(
                uow, settings, run_id, _holder, between_batches=lambda: eventlet.sleep(0)
            )
            log.info(
                "re-grading run %s %s: %d customers graded, %d changed",
                run_id,
                run.status,
                run.graded,
                run.changed,
                extra={"run_id": run_id},
            )
        except Exception:
            log.exception("a re-grading run failed", extra={"run_id": run_id})


class GradingEntrypoints:
    """Mixed into ``CustomerService``."""

    regrade_runner = RegradeRunner()

    # --- rule X1: the summaries, from finance and complaints -------------------------
    @handle_event(finance.SERVICE, finance.INVOICE_RECORDED)
    def handle_invoice_recorded(self, payload: dict) -> None:
        event = load(contract.InvoiceFactSchema, payload)
        grading_handlers.handle_invoice_recorded(
            self.uow(), self.settings, InvoiceFact.of_event(event)
        )

    @handle_event(finance.SERVICE, finance.LEDGER_CHANGED)
    def handle_ledger_changed(self, payload: dict) -> None:
        event = load(contract.LedgerFactSchema, payload)
        fact = LedgerFact(
            customer_id=event["customer_id"],
            entry_id=event["entry_id"],
            balance=event["balance"],
            overdue=event["overdue"],
            ageing=event.get("ageing") or {},
            as_of=event["as_of"],
            at=event["occurred_at"] or utcnow(),
        )
        grading_handlers.handle_ledger_changed(self.uow(), self.settings, fact)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_REGISTERED)
    def handle_complaint_registered(self, payload: dict) -> None:
        event = load(contract.ComplaintRegisteredFactSchema, payload)
        fact = ComplaintFact(
            event["complaint_id"],
            event["customer_id"],
            event.get("number"),
            registered_at=event["registered_at"],
        )
        grading_handlers.handle_complaint_registered(self.uow(), self.settings, fact)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_CLOSED)
    def handle_complaint_closed(self, payload: dict) -> None:
        event = load(contract.ComplaintClosedFactSchema, payload)
        fact = ComplaintFact(
            event["complaint_id"],
            event["customer_id"],
            event.get("number"),
            registered_at=event.get("registered_at"),
            closed_at=event["closed_at"],
            satisfied=event["satisfied"],
            satisfaction=event.get("satisfaction"),
        )
        grading_handlers.handle_complaint_closed(self.uow(), self.settings, fact)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_REJECTED)
    def handle_complaint_rejected(self, payload: dict) -> None:
        event = load(contract.ComplaintRejectedFactSchema, payload)
        fact = ComplaintFact(
            event["complaint_id"],
            event["customer_id"],
            event.get("number"),
            rejected_at=event["rejected_at"],
        )
        grading_handlers.handle_complaint_rejected(self.uow(), self.settings, fact)

    # --- rule C6: periodic re-grading, and the daily risk and churn review ------------
    @timer(interval=GRADING_TIMER_SECONDS)
    def review_customers(self) -> int:
        """Review the customers due (monthly grading, daily risk and churn); one
        instance at a time holds the lease, and each customer's periodic grading is
        checked again under its lock, so overlapping runs grade once."""
        database = self.uow().database
        ttl = timedelta(seconds=GRADING_TIMER_SECONDS * 3)
        if not try_acquire(database, GRADING_LEASE, _holder, ttl):
            return 0
        now = utcnow()
        reviewed = 0
        for customer_id, periodic in grading_queries.due_for_review(self.uow(), self.settings, now):
            try:
                reviewed += grading_handlers.review_customer(
                    self.uow(), self.settings, customer_id, now, periodic
                )
            except Exception:  # one customer must not stop the others
                log.exception("reviewing a customer failed", extra={"customer_id": customer_id})
        return reviewed

    # --- rule C5, rule C6: grades ----------------------------------------------------
    @query
    def get_grade(self, customer_id: str) -> dict:
        """``GET /customers/{id}/grade``: grade, score, components, scale, history band."""
        return _grade.dump(grading_queries.get_grade(self.uow(), customer_id))

    @query
    def list_grade_history(self, customer_id: str) -> list:
        """``GET /customers/{id}/grade-history``: every grading that changed something."""
        return _changes.dump(grading_queries.grade_history(self.uow(), customer_id))

    @command
    def regrade_customer(self, customer_id: str, actor: dict) -> dict:
        """``POST /customers/{id}/regrade`` (market_manager): grade one customer now; a
        lead or a card pending approval -> 409 customer_not_gradable."""
        record = grading_handlers.regrade_customer(
            self.uow(), self.settings, customer_id, actor_of(actor)
        )
        return _grade.dump(grading_queries.grade_view(record, customer_id))

    @command
    def regrade_all(self, actor: dict) -> dict:
        """``POST /customers/regrade`` (market_manager): start re-grading every approved
        customer, ``CUSTOMER_REGRADE_BATCH_SIZE`` per transaction, and answer at once with
        the run -> ``{"id": "9b1e...", "status": "running", "graded": 0, ...}``; an
        interrupted run is taken over and grades the rest; a run still going -> 409
        ``regrade_running`` with its ``run_id``."""
        run = grading_handlers.start_regrade(self.uow(), self.settings, actor_of(actor), _holder)
        reader = self.uow()
        worker = UnitOfWork(
            reader.database,
            context=reader.context,
            repositories=REPOSITORIES,
            history_changes=protect_history,
        )
        self.regrade_runner(worker, self.settings, run.id)
        return _run.dump(run)

    @query
    def get_regrade_run(self, run_id: str) -> dict:
        """``GET /customers/regrade/{run_id}`` (market_manager): the run's status and
        counts -> ``{"status": "done", "graded": 1200, "changed": 85, ...}``."""
        return _run.dump(grading_queries.get_regrade_run(self.uow(), run_id))

    @query
    def get_summary(self, customer_id: str) -> dict:
        """``GET /customers/{id}/summary``: purchases, receivables, complaints (rule X1)."""
        return _summary.dump(grading_queries.get_summary(self.uow(), self.settings, customer_id))

    # --- rule C8 -------------------------------------------------------------------
    @query
    def get_risk(self, customer_id: str) -> dict:
        """``GET /customers/{id}/risk``: level and factors."""
        return _risk.dump(grading_queries.get_risk(self.uow(), customer_id))

    # --- rule C7 -------------------------------------------------------------------
    @query
    def list_key_accounts(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /key-accounts?owner=``."""
        filters, paging = load_list_args(contract.KeyAccountFilterSchema, filters, page, per_page)
        result = grading_queries.list_key_accounts(self.uow(), filters, **paging)
        return {**result, "items": _accounts.dump(result["items"])}

    @command
    def set_key_account(self, customer_id: str, data: dict, actor: dict) -> dict:
        """``POST /customers/{id}/key-account`` (sales_manager, market_manager):
        ``{"key_account": true, "plan": {"how": "每月拜访", "who": "li.sales", "budget":
        "20000.00"}, "owner": "li.sales"}``; no plan for a new key account -> 422
        maintenance_plan_required."""
        decision = load_command(contract.SetKeyAccountSchema, data, SetKeyAccount.of)
        view = set_key_account(self.uow(), customer_id, decision, actor_of(actor))
        return _account.dump(grading_queries.key_account_view(*view))

    # --- rule C7, rule C8: warnings -------------------------------------------------
    @query
    def list_warnings(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /warnings?type=churn|risk&status=open|handled&customer_id=&owner=``."""
        filters, paging = load_list_args(contract.WarningFilterSchema, filters, page, per_page)
        result = grading_queries.list_warnings(self.uow(), filters, **paging)
        return {**result, "items": _warnings.dump(result["items"])}

    @query
    def get_warning(self, warning_id: str) -> dict:
        return _warning.dump(grading_queries.get_warning(self.uow(), warning_id))

    @command
    def remedy_warning(self, warning_id: str, data: dict, actor: dict) -> dict:
        """``POST /warnings/{id}/remedy`` (cs_agent, cs_manager, sales_clerk,
        sales_manager): ``{"action": "上门拜访，恢复季度返利"}`` -> ``handled``; handled
        already -> 409 warning_handled."""
        remedy = load_command(contract.RemedySchema, data, RecordRemedy)
        warning = remedy_warning(self.uow(), warning_id, remedy, actor_of(actor))
        return _warning.dump(warning)
