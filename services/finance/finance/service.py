"""Nameko entrypoints of the finance service: load the payload, call a handler, dump.

See ``servicekit.contracts.finance`` for the published RPC API (with the HTTP endpoint
each method serves) and events.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from nameko.timer import timer

from finance import handlers, queries
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
from finance.domain import FinanceSettings
from finance.models import start_mappers
from finance.repository import REPOSITORIES
from servicekit.config import settings_from
from servicekit.contracts import complaints, customer, returns
from servicekit.contracts import finance as contract
from servicekit.contracts.common import dump_with_history
from servicekit.domain import utcnow
from servicekit.leases import try_acquire
from servicekit.nameko_ext import (
    DomainSettings,
    HealthRpc,
    RequestContext,
    UnitOfWorkProvider,
    command,
    handle_event,
    query,
)
from servicekit.validation import actor_of, load, load_command, load_list_args

start_mappers()
log = logging.getLogger(__name__)

# nameko fixes a timer's interval when the class is defined, so it is read here.
LOSS_TIMER_SECONDS = settings_from(FinanceSettings, "FINANCE").loss_timer_seconds
_holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_reconciliation = contract.ReconciliationSchema()
_reconciliations = contract.ReconciliationSchema(many=True)
_voucher = contract.VoucherSchema()
_vouchers = contract.VoucherSchema(many=True)
_entry = contract.LedgerEntrySchema()
_ledger = contract.LedgerSchema()
_decision = contract.CreditDecisionSchema()
_rate = contract.CollectionRateSchema()
_resale = contract.ResaleSchema()
_losses = contract.LossPageSchema()


class FinanceService(HealthRpc):
    name = contract.SERVICE

    uow = UnitOfWorkProvider(repositories=REPOSITORIES)
    context = RequestContext()
    settings = DomainSettings(FinanceSettings, "FINANCE")

    # --- rule F1: reconciliations -------------------------------------------------
    @query
    def list_reconciliations(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /finance/reconciliations?return_id=&complaint_id=&customer_id=&status=``:
        a page of ReconciliationSchema, newest first."""
        filters, paging = load_list_args(
            contract.ReconciliationFilterSchema, filters, page, per_page
        )
        result = queries.list_reconciliations(self.uow(), filters, **paging)
        return {**result, "items": _reconciliations.dump(result["items"])}

    @query
    def get_reconciliation(self, reconciliation_id: str) -> dict:
        """``GET /finance/reconciliations/{id}``: the reconciliation with its history."""
        view = queries.get_reconciliation(self.uow(), reconciliation_id)
        return dump_with_history(_reconciliation, view)

    @command
    def resolve_reconciliation(self, reconciliation_id: str, data: dict, actor: dict) -> dict:
        """``POST /finance/reconciliations/{id}/resolve`` (200): finance decides an
        exception (rule F1) -> ``"resolved"`` with its ``voucher_id``.
        ``{"lines": [{"sku": "P-100", "accepted_quantity": 11}], "comment": "同意多收"}``;
        409 ``reconciliation_not_exception``, 422 ``resolution_mismatch``."""
        decision = load_command(
            contract.ResolveReconciliationSchema, data, ResolveReconciliation.of
        )
        reconciliation = handlers.resolve_reconciliation(
            self.uow(), self.settings, reconciliation_id, decision, actor_of(actor)
        )
        return _reconciliation.dump(reconciliation)

    # --- rule F2, rule F3: vouchers ------------------------------------------------
    @query
    def list_vouchers(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /finance/vouchers?customer_id=&complaint_id=&type=&status=``: a page of
        VoucherSchema, newest first."""
        filters, paging = load_list_args(contract.VoucherFilterSchema, filters, page, per_page)
        result = queries.list_vouchers(self.uow(), filters, **paging)
        return {**result, "items": _vouchers.dump(result["items"])}

    @query
    def get_voucher(self, voucher_id: str) -> dict:
        """``GET /finance/vouchers/{id}`` (and the data of ``.../allowance-certificate.pdf``,
        its ``certificate``): the voucher with its history."""
        return dump_with_history(_voucher, queries.get_voucher(self.uow(), voucher_id))

    @command
    def record_proof(self, voucher_id: str, data: dict, actor: dict) -> dict:
        """``POST /finance/vouchers/{id}/proof`` (200): rule F2 -> ``"posted"``, the ledger
        credited. ``{"method": "return_certificate", "reference": "TH-0012"}``; 409
        ``voucher_posted``, 422 ``proof_not_accepted`` (a proof of another voucher type)."""
        proof = load_command(contract.ProofSchema, data, RecordProof)
        voucher = handlers.record_proof(
            self.uow(), self.settings, voucher_id, proof, actor_of(actor)
        )
        return _voucher.dump(voucher)

    # --- rule F4, rule F5: the ledger and the credit check --------------------------
    @command
    def record_invoice(self, data: dict, actor: dict) -> dict:
        """``POST /finance/invoices`` (201) -> the ledger entry (LedgerEntrySchema).
        ``{"customer_id": "...", "number": "FP-0001", "date": "2026-11-01", "due_date":
        "2026-12-01", "amount": "900.00", "lines": [{"sku": "P-100", "quantity": 2,
        "unit_price": "450.00"}], "order_no": "SO-1"}``; 409 ``invoice_number_taken``,
        422 ``customer_unknown`` / ``invoice_amount_mismatch``."""
        invoice = load_command(contract.RecordInvoiceSchema, data, RecordInvoice.of)
        entry = handlers.record_invoice(self.uow(), self.settings, invoice, actor_of(actor))
        return _entry.dump(entry.view())

    @command
    def record_payment(self, data: dict, actor: dict) -> dict:
        """``POST /finance/payments`` (201) -> the ledger entry.
        ``{"customer_id": "...", "amount": "500.00", "date": "2026-11-20", "reference":
        "BANK-7781"}``; 422 ``customer_unknown``."""
        payment = load_command(contract.RecordPaymentSchema, data, RecordPayment)
        entry = handlers.record_payment(self.uow(), self.settings, payment, actor_of(actor))
        return _entry.dump(entry.view())

    @query
    def get_ledger(self, customer_id: str) -> dict:
        """``GET /finance/customers/{id}/ledger``: ``{"balance", "overdue", "ageing",
        "entries", ...}`` (LedgerSchema); 404 ``customer_not_found``."""
        return _ledger.dump(queries.ledger(self.uow(), self.settings, customer_id))

    @query
    def check_credit(self, data: dict) -> dict:
        """``POST /finance/credit-check`` (200): rule F5. ``{"customer_id": "...", "amount":
        "20000.00"}`` -> ``{"decision": "pass"|"hold", "reason", "available_credit", ...}``
        (CreditDecisionSchema). Changes nothing."""
        check = load_command(contract.CreditCheckSchema, data, CheckCredit)
        return _decision.dump(handlers.credit_check(self.uow(), self.settings, check))

    # --- rule F6, rule P12, rule F7 ----------------------------------------------------
    @query
    def get_collection_rate(self, args: dict) -> dict:
        """``GET /finance/collection-rate?owner=&from=&to=``: rule F6. ``{"owner":
        "wang.sales", "from": "2026-10-01", "to": "2026-10-31"}`` -> CollectionRateSchema."""
        loaded = load(contract.CollectionRateArgsSchema, args)
        rate = queries.get_collection_rate(
            self.uow(), loaded["owner"], loaded["start"], loaded["end"]
        )
        return _rate.dump(rate)

    @command
    def record_resale(self, data: dict, actor: dict) -> dict:
        """``POST /finance/resales`` (201): rule P12. ``{"return_id": "...", "sku": "P-100",
        "quantity": 3, "unit_price": "400.00", "date": "2026-11-20"}`` -> ResaleSchema
        (``within_window``); 422 ``return_unknown`` / ``sku_not_on_return`` /
        ``resale_exceeds_return``, 409 ``return_not_settled`` / ``loss_computed``."""
        resale = load_command(contract.RecordResaleSchema, data, RecordResale)
        record = handlers.record_resale(self.uow(), self.settings, resale, actor_of(actor))
        return _resale.dump(record)

    @query
    def list_losses(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        """``GET /finance/losses?department=&person=&complaint_id=``: rule F7, a page of
        LossEntrySchema newest first, with ``amount``: the sum of every matching entry."""
        filters, paging = load_list_args(contract.LossFilterSchema, filters, page, per_page)
        return _losses.dump(queries.list_losses(self.uow(), filters, **paging))

    @timer(interval=LOSS_TIMER_SECONDS)
    def compute_due_losses(self) -> int:
        """rule P12: the cases whose resale window closed get their actual loss; one
        instance at a time holds the lease, and the rows' locks and states make a case
        computed once even if two runs overlap."""
        database = self.uow().database
        ttl = timedelta(seconds=LOSS_TIMER_SECONDS * 3)
        if not try_acquire(database, "finance.losses", _holder, ttl):
            return 0
        try:
            return handlers.compute_due_losses(self.uow(), utcnow())
        except Exception:  # the next tick tries again
            log.exception("computing due losses failed")
            return 0

    # --- rule X1: what finance keeps of others' facts --------------------------------
    def _customer_fact(self, schema, payload: dict, terms: bool) -> None:
        fact = CustomerFact.of_event(load(schema, payload), terms=terms)
        handlers.handle_customer_fact(self.uow(), fact)

    @handle_event(customer.SERVICE, customer.CUSTOMER_APPROVED)
    def handle_customer_approved(self, payload: dict) -> None:
        self._customer_fact(contract.CustomerTermsFactSchema, payload, terms=True)

    @handle_event(customer.SERVICE, customer.TERMS_CHANGED)
    def handle_terms_changed(self, payload: dict) -> None:
        self._customer_fact(contract.CustomerTermsFactSchema, payload, terms=True)

    @handle_event(customer.SERVICE, customer.STATUS_CHANGED)
    def handle_status_changed(self, payload: dict) -> None:
        self._customer_fact(contract.CustomerTermsFactSchema, payload, terms=True)

    @handle_event(customer.SERVICE, customer.OWNER_CHANGED)
    def handle_owner_changed(self, payload: dict) -> None:
        self._customer_fact(contract.OwnerFactSchema, payload, terms=False)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_REGISTERED)
    def handle_complaint_registered(self, payload: dict) -> None:
        event = load(complaints.ComplaintRegisteredEventSchema, payload)
        fact = ComplaintFact(
            event["complaint_id"],
            event["customer_id"],
            event["registered_at"],
            True,
            event.get("order_no"),
            event.get("number"),
        )
        handlers.handle_complaint_fact(self.uow(), fact)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_CLOSED)
    def handle_complaint_closed(self, payload: dict) -> None:
        event = load(complaints.ComplaintClosedEventSchema, payload)
        fact = ComplaintFact(event["complaint_id"], event["customer_id"], event["closed_at"], False)
        handlers.handle_complaint_fact(self.uow(), fact)

    @handle_event(complaints.SERVICE, complaints.COMPLAINT_REJECTED)
    def handle_complaint_rejected(self, payload: dict) -> None:
        event = load(complaints.ComplaintRejectedEventSchema, payload)
        fact = ComplaintFact(
            event["complaint_id"], event["customer_id"], event["rejected_at"], False
        )
        handlers.handle_complaint_fact(self.uow(), fact)

    # --- rule F1, rule F3: plans and returns ---------------------------------------
    @handle_event(complaints.SERVICE, complaints.PLAN_ACCEPTED)
    def handle_plan_accepted(self, payload: dict) -> None:
        event = load(complaints.PlanAcceptedEventSchema, payload)
        handlers.handle_plan_accepted(self.uow(), self.settings, AcceptedPlan.of_event(event))

    @handle_event(returns.SERVICE, returns.RETURN_RECEIVED)
    def handle_return_received(self, payload: dict) -> None:
        event = load(contract.ReturnReceivedFactSchema, payload)
        fact = ReceivedReturnFact.of_event(event, utcnow())
        handlers.handle_return_received(self.uow(), self.settings, fact)
