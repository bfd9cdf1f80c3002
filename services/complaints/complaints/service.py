"""Nameko entrypoints of the complaints service: load the payload, call a handler, dump.

See ``servicekit.contracts.complaints`` for the published RPC API and events.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from nameko.timer import timer

from complaints import calendars, handlers, queries
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
from complaints.compilation_service import StatisticsEntrypoints
from complaints.domain import ComplaintSettings
from complaints.models import start_mappers
from complaints.repository import REPOSITORIES
from servicekit.config import settings_from
from servicekit.contracts import complaints as contract
from servicekit.contracts import finance, returns
from servicekit.contracts.common import HistoryEntrySchema
from servicekit.domain import utcnow
from servicekit.leases import try_acquire
from servicekit.nameko_ext import (
    DomainSettings,
    HealthRpc,
    RequestContext,
    TimedRpc,
    UnitOfWorkProvider,
    command,
    handle_event,
    query,
)
from servicekit.validation import actor_of, load, load_command, load_list_args

start_mappers()
log = logging.getLogger(__name__)

# nameko fixes a timer's interval when the class is defined, so it is read here.
NOTICE_TIMER_SECONDS = settings_from(ComplaintSettings, "COMPLAINTS").notice_timer_seconds
_holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ComplaintSettingsProvider(DomainSettings):
    """The rule settings (``COMPLAINTS_<FIELD>``) with the days of the working calendar
    ``COMPLAINTS_CALENDAR`` names (rule P4, rule P10; complaints.calendars)."""

    def setup(self) -> None:
        super().setup()
        self.settings = calendars.with_calendar(self.settings)


_complaint = contract.ComplaintSchema()
_plan = contract.PlanSchema()
_notices = contract.NoticeSchema(many=True)
_history = HistoryEntrySchema(many=True)
_report = contract.MonthlyReportSchema()


def _dump_complaint(view) -> dict:
    """The complaint, with what depends on the reader: ``overdue`` and ``history``."""
    complaint, extra = view
    data = _complaint.dump(complaint)
    data["overdue"] = extra["overdue"]
    if "history" in extra:
        data["history"] = _history.dump(extra["history"])
    return data


class ComplaintsService(StatisticsEntrypoints, HealthRpc):
    name = contract.SERVICE

    uow = UnitOfWorkProvider(repositories=REPOSITORIES)
    context = RequestContext()
    call = TimedRpc()  # RPC to other services, with a timeout
    settings = ComplaintSettingsProvider(ComplaintSettings, "COMPLAINTS")

    # --- commands -------------------------------------------------------------
    @command
    def register_complaint(self, data: dict, actor: dict) -> dict:
        """rule P1, rule P2. ``{"customer_id": "...", "channel": "hotline", "order_no": "SO-1",
        "ship_date": "2026-11-01", "description": "外壳破损", "request": "return",
        "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}]}``"""
        form = load_command(contract.RegisterComplaintSchema, data, RegisterComplaint.of)

        def lookup(customer_id: str) -> dict:
            return self.call("customer", "get_customer", customer_id)

        view = handlers.register_complaint(self.uow(), self.settings, form, actor_of(actor), lookup)
        return _dump_complaint(view)

    @command
    def accept_complaint(self, complaint_id: str, data: dict, actor: dict) -> dict:
        """rule P3: ``{"promised_days": 7}``."""
        acceptance = load_command(contract.AcceptSchema, data, AcceptComplaint)
        return _dump_complaint(
            handlers.accept_complaint(
                self.uow(), self.settings, complaint_id, acceptance, actor_of(actor)
            )
        )

    @command
    def reject_complaint(self, complaint_id: str, data: dict, actor: dict) -> dict:
        """rule P3: ``{"reason": "超过质保期"}``."""
        rejection = load_command(contract.RejectSchema, data, RejectComplaint)
        return _dump_complaint(
            handlers.reject_complaint(
                self.uow(), self.settings, complaint_id, rejection, actor_of(actor)
            )
        )

    @command
    def record_investigation(self, complaint_id: str, data: dict, actor: dict) -> dict:
        """rule P4: ``{"findings", "cause", "cause_category": "non_sales",
        "responsibility": [{"department": "production", "person": "张三", "share": "1.00"}]}``"""
        report = load_command(contract.InvestigationSchema, data, RecordInvestigation.of)
        return _dump_complaint(
            handlers.record_investigation(
                self.uow(), self.settings, complaint_id, report, actor_of(actor)
            )
        )

    @command
    def post_plan(self, complaint_id: str, data: dict, actor: dict) -> dict:
        """rule P5, rule P6: ``{"actions": [{"type": "return", "lines": [...]},
        {"type": "allowance", "amount": "300.00"}]}``"""
        actions = load_command(contract.PostPlanSchema, data, PostPlan.of)
        plan = handlers.post_plan(self.uow(), self.settings, complaint_id, actions, actor_of(actor))
        return _plan.dump(plan)

    @command
    def approve_plan(self, complaint_id: str, plan_id: str, actor: dict) -> dict:
        """rule P6: by the required rank or above."""
        plan = handlers.approve_plan(
            self.uow(), self.settings, complaint_id, plan_id, actor_of(actor)
        )
        return _plan.dump(plan)

    @command
    def send_back_plan(self, complaint_id: str, plan_id: str, data: dict, actor: dict) -> dict:
        """rule P6: ``{"reason": "赔付依据不足"}`` by the required rank or above."""
        refusal = load_command(contract.SendBackSchema, data, SendBackPlan)
        plan = handlers.send_back_plan(
            self.uow(), self.settings, complaint_id, plan_id, refusal, actor_of(actor)
        )
        return _plan.dump(plan)

    @command
    def record_customer_response(
        self, complaint_id: str, plan_id: str, data: dict, actor: dict
    ) -> dict:
        """rule P7: ``{"accepted": true, "comment": "同意"}``."""
        response = load_command(contract.CustomerResponseSchema, data, RecordCustomerResponse)
        return _dump_complaint(
            handlers.record_customer_response(
                self.uow(), self.settings, complaint_id, plan_id, response, actor_of(actor)
            )
        )

    @command
    def record_follow_up(self, complaint_id: str, data: dict, actor: dict) -> dict:
        """rule P9: ``{"satisfied": true, "score": 5, "notes": "客户满意"}``."""
        call = load_command(contract.FollowUpSchema, data, RecordFollowUp)
        return _dump_complaint(
            handlers.record_follow_up(
                self.uow(), self.settings, complaint_id, call, actor_of(actor)
            )
        )

    # --- queries --------------------------------------------------------------
    @query
    def get_complaint(self, complaint_id: str) -> dict:
        return _dump_complaint(queries.get_complaint(self.uow(), complaint_id))

    @query
    def list_complaints(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters, paging = load_list_args(contract.ComplaintFilterSchema, filters, page, per_page)
        result = queries.list_complaints(self.uow(), filters, **paging)
        return {**result, "items": [_dump_complaint(view) for view in result["items"]]}

    @query
    def list_notices(self, filters: dict | None = None, page: int = 1, per_page: int = 50):
        filters, paging = load_list_args(contract.NoticeFilterSchema, filters, page, per_page)
        result = queries.list_notices(self.uow(), filters, **paging)
        return {**result, "items": _notices.dump(result["items"])}

    @query
    def monthly_report(self, month: str) -> dict:
        """rule P11: ``"2026-10"`` -> the statistics of the cases closed that month."""
        args = load(contract.MonthlyReportArgsSchema, {"month": month})
        report = queries.monthly_report(self.uow(), self.settings, args["month"])
        return _report.dump(report)

    # --- rule P10: reminders and escalations ---------------------------------
    @timer(interval=NOTICE_TIMER_SECONDS)
    def issue_due_notices(self) -> int:
        """Issue due reminders; one instance at a time holds the lease, and the notice
        table's unique key makes a notice once even if two overlap."""
        database = self.uow().database
        if not try_acquire(
            database, "complaints.notices", _holder, timedelta(seconds=NOTICE_TIMER_SECONDS * 3)
        ):
            return 0
        now = utcnow()
        issued = 0
        for complaint_id in queries.due_for_notices(self.uow(), now):
            try:
                issued += handlers.issue_notices(self.uow(), self.settings, complaint_id, now)
            except Exception:  # one bad case must not stop the others
                log.exception("issuing notices failed", extra={"complaint_id": complaint_id})
        return issued

    # --- rule P8: facts from returns and finance -----------------------------
    @handle_event(returns.SERVICE, returns.RETURN_AUTHORIZED)
    def handle_return_authorized(self, payload: dict) -> None:
        event = load(returns.ReturnEventSchema, payload)
        handlers.handle_return_authorized(
            self.uow(),
            self.settings,
            event.get("complaint_id"),
            return_id=event["return_id"],
        )

    @handle_event(returns.SERVICE, returns.RETURN_RECEIVED)
    def handle_return_received(self, payload: dict) -> None:
        event = load(returns.ReturnEventSchema, payload)
        handlers.handle_return_received(
            self.uow(),
            self.settings,
            event.get("complaint_id"),
            return_id=event["return_id"],
        )

    @handle_event(returns.SERVICE, returns.RETURN_INSPECTED)
    def handle_return_inspected(self, payload: dict) -> None:
        event = load(returns.ReturnEventSchema, payload)
        handlers.handle_return_inspected(
            self.uow(),
            self.settings,
            event.get("complaint_id"),
            return_id=event["return_id"],
        )

    @handle_event(returns.SERVICE, returns.REPLENISHMENT_SHIPPED)
    def handle_replenishment_shipped(self, payload: dict) -> None:
        event = load(returns.ReplenishmentShippedEventSchema, payload)
        handlers.handle_replenishment_shipped(
            self.uow(),
            self.settings,
            event["complaint_id"],
            shipment_id=event["shipment_id"],
            action_id=event.get("action_id"),
        )

    @handle_event(finance.SERVICE, finance.VOUCHER_ISSUED)
    def handle_voucher_issued(self, payload: dict) -> None:
        event = load(finance.VoucherEventSchema, payload)
        handlers.handle_voucher_issued(
            self.uow(),
            self.settings,
            event.get("complaint_id"),
            voucher_id=event["voucher_id"],
            voucher_type=event["type"],
            action_id=event.get("action_id"),
            amount=event["amount"],
        )

    @handle_event(finance.SERVICE, finance.RECONCILIATION_EXCEPTION)
    def handle_reconciliation_exception(self, payload: dict) -> None:
        event = load(finance.ReconciliationExceptionEventSchema, payload)
        handlers.handle_reconciliation_exception(
            self.uow(),
            self.settings,
            event.get("complaint_id"),
            reconciliation_id=event["reconciliation_id"],
        )
