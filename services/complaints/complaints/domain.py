"""Complaint cases: rules P1-P12. Standard library only.

``Complaint`` is the aggregate: every child (lines, investigation, plans, actions,
steps, follow-ups, notices) is changed through it, and every change is noted in
its history (rule X3). Times are timezone-aware UTC and come in as ``now`` so that
tests and timers control the clock.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from servicekit.contracts.complaints import (
    ACTION_TYPES,
    AMOUNT_ACTIONS,
    APPROVER_RANKS,
    CAUSE_CATEGORIES,
    CHANNELS,
    COMPLAINT_CLOSED,
    COMPLAINT_REGISTERED,
    COMPLAINT_REJECTED,
    COMPLAINT_RESOLVED,
    CREDITED_ACTIONS,
    GOODS_BACK_ACTIONS,
    LINE_ACTIONS,
    LOSS_APPORTIONED,
    NOTICE_ISSUED,
    PLAN_ACCEPTED,
    REQUEST_TYPES,
    ApproverRankTooLow,
    CustomerHasNoOrders,
    IllegalTransition,
    PlanNotFound,
    PlanStillOpen,
    ReasonRequired,
    SharesDoNotSumToOne,
)
from servicekit.domain import CENT, Aggregate, money
from servicekit.errors import invalid_fields

RATIO = Decimal("0.0001")  # shares and rates are kept to four places

# rule P2 (seed 000: every customer reporting a quality problem) with rule C3: a customer
# has orders once approved, and keeps them when it goes dormant or is lost.
CUSTOMERS_WITH_ORDERS = ("active", "dormant", "lost")
HOUR = Decimal(3600)

# rule P10: who answers for each step (approval: see APPROVER_DEPARTMENTS;
# execution: the departments its open actions wait on, see Action.waiting_on).
STEP_DEPARTMENTS = {
    "acceptance": "customer_service",
    "investigation": "quality",
    "planning": "customer_service",
    "approval": "customer_service",
    "response": "customer_service",
    "execution": "customer_service",
    "follow_up": "customer_service",
    "closure": "customer_service",
}
APPROVER_DEPARTMENTS = {"cs_manager": "customer_service", "vp": "management", "gm": "management"}


@dataclass(frozen=True)
class ComplaintSettings:
    """Numbers the seeds leave open (DOMAIN.md gives the defaults)."""

    cs_manager_limit: Decimal = Decimal("10000.00")  # rule P6, inclusive
    vp_limit: Decimal = Decimal("100000.00")  # rule P6, inclusive; above: gm
    # rule P10: due time of each step, from the moment the step starts.
    acceptance_hours: int = 24
    investigation_working_days: int = 1  # rule P4
    planning_hours: int = 48
    approval_hours: int = 24
    response_hours: int = 72
    execution_hours: int = 240
    follow_up_hours: int = 72
    closure_hours: int = 360  # the case's due date when acceptance promises no wait
    reminder_share: Decimal = Decimal("0.8")  # a reminder once this share of a step's time is gone
    resale_window_days: int = 30  # rule P12
    notice_timer_seconds: int = 30  # rule P10: how often due notices are looked for
    # Working days and report months follow the business's calendar (China: UTC+8, no DST).
    business_utc_offset_hours: int = 8

    @property
    def business_tz(self) -> timezone:
        return timezone(timedelta(hours=self.business_utc_offset_hours))

    def step_due(self, step: str, start: datetime) -> datetime:
        """When ``step`` started at ``start`` is due (rule P10)."""
        if step == "investigation":
            return add_working_days(start, self.investigation_working_days, self.business_tz)
        return start + timedelta(hours=getattr(self, f"{step}_hours"))


DEFAULT_SETTINGS = ComplaintSettings()


def new_id() -> str:
    return uuid.uuid4().hex


def complaint_number(year: int, sequence: int) -> str:
    """The case number of the tracking sheet (P2): ``TS-2026-000123``."""
    return f"TS-{year}-{sequence:06d}"


def add_working_days(start: datetime, days: int, tz: timezone = UTC) -> datetime:
    """``start`` moved on by ``days`` working days (Monday-Friday in ``tz``), same clock time."""
    local = start.astimezone(tz)
    while days > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local.astimezone(start.tzinfo)


def required_approver(amount: Decimal, settings: ComplaintSettings = DEFAULT_SETTINGS) -> str:
    """The lowest rank that may approve a plan of ``amount``."""
    # rule P6: limits are inclusive (10,000.00 -> cs_manager, 10,000.01 -> vp).
    if amount <= settings.cs_manager_limit:
        return "cs_manager"
    if amount <= settings.vp_limit:
        return "vp"
    return "gm"


def may_approve(roles: Iterable[str], required: str) -> bool:
    """rule P6: only the required rank or one above it (and admin) may approve."""
    roles = set(roles)
    if "admin" in roles:
        return True
    needed = APPROVER_RANKS.index(required)
    return any(APPROVER_RANKS.index(r) >= needed for r in roles & set(APPROVER_RANKS))


def _plain(value: Any) -> Any:
    """A value as it goes into history and event JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return now


def _hours(delta: timedelta) -> Decimal:
    seconds = Decimal(delta.days * 86400 + delta.seconds)
    return (seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


# --- children ---------------------------------------------------------------
@dataclass(eq=False, kw_only=True)
class ComplaintLine:
    """A product the customer complains about (P2)."""

    sku: str
    quantity: int
    unit_price: Decimal
    description: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        amount = money(self.quantity * self.unit_price)
        return _line_payload(self.sku, self.description, self.quantity, self.unit_price, amount)


@dataclass(eq=False, kw_only=True)
class ActionLine:
    sku: str
    quantity: int
    unit_price: Decimal
    amount: Decimal  # quantity * unit_price
    description: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        return _line_payload(
            self.sku, self.description, self.quantity, self.unit_price, self.amount
        )


def _line_payload(sku, description, quantity, unit_price, amount) -> dict[str, Any]:
    return {
        "sku": sku,
        "description": description,
        "quantity": quantity,
        "unit_price": str(unit_price),
        "amount": str(amount),
    }


@dataclass(eq=False, kw_only=True)
class Responsibility:
    """rule P4: a department (and person) bearing ``share`` of the responsibility."""

    department: str
    share: Decimal
    person: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        return {"department": self.department, "person": self.person, "share": str(self.share)}


@dataclass(eq=False, kw_only=True)
class Investigation:
    """rule P4: quality's report on a case."""

    complaint_id: str
    findings: str
    cause: str
    cause_category: str  # sales | non_sales
    responsibility: list[Responsibility]
    investigated_by: str
    investigated_at: datetime
    improvement: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(eq=False, kw_only=True)
class Action:
    """rule P5: one part of a plan; its progress comes from returns and finance (P8)."""

    complaint_id: str
    plan_id: str
    type: str
    amount: Decimal
    lines: list[ActionLine] = field(default_factory=list)
    state: str = "proposed"  # proposed | in_progress | done | dropped
    return_id: str | None = None
    received_at: datetime | None = None
    inspected_at: datetime | None = None
    voucher_id: str | None = None
    voucher_issued_at: datetime | None = None
    shipment_id: str | None = None
    shipped_at: datetime | None = None
    done_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def is_complete(self) -> bool:
        """CONTRACT "When an action is done" (rule P8)."""
        if self.type in ("return", *AMOUNT_ACTIONS):
            return self.voucher_issued_at is not None
        if self.type == "exchange":
            return self.voucher_issued_at is not None and self.shipped_at is not None
        if self.type == "replenishment":
            return self.shipped_at is not None
        return self.inspected_at is not None  # rework

    def waiting_on(self) -> tuple[str, ...]:
        """The departments whose work this open action waits for (rule P10 notices)."""
        if self.state != "in_progress":
            return ()
        waiting = []
        goods_back = self.type in GOODS_BACK_ACTIONS
        if goods_back and self.received_at is None:
            waiting.append("warehouse")
        elif self.type == "rework" and self.inspected_at is None:
            waiting.append("quality")
        # A return's credit waits for the goods; an allowance's voucher for nothing.
        credit_due = self.type in CREDITED_ACTIONS and self.received_at is not None
        if self.voucher_issued_at is None and (credit_due or self.type in AMOUNT_ACTIONS):
            waiting.append("finance")
        if self.type in ("exchange", "replenishment") and self.shipped_at is None:
            waiting.append("warehouse")
        return tuple(dict.fromkeys(waiting))

    def payload(self) -> dict[str, Any]:
        return {
            "action_id": self.id,
            "type": self.type,
            "amount": str(self.amount),
            "lines": [line.payload() for line in self.lines],
        }


@dataclass(eq=False, kw_only=True)
class Plan:
    """rule P5-P7: one handling form (客户投诉处理表); a declined plan is followed by
    the next round, linked by ``previous_plan_id``."""

    complaint_id: str
    round: int
    amount: Decimal
    required_approver: str
    posted_by: str
    posted_at: datetime
    actions: list[Action] = field(default_factory=list)
    previous_plan_id: str | None = None
    status: str = "pending_approval"  # pending_approval | approved | accepted | declined
    approved_by: str | None = None
    approved_at: datetime | None = None
    responded_by: str | None = None
    responded_at: datetime | None = None
    response_comment: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(eq=False, kw_only=True)
class Step:
    """rule P10: a step of the case with its due time; ``closure`` runs from
    acceptance to the promised due date."""

    complaint_id: str
    name: str
    round: int
    department: str
    started_at: datetime
    due_at: datetime
    done_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def reminder_at(self, share: Decimal) -> datetime:
        return self.started_at + (self.due_at - self.started_at) * float(share)


@dataclass(eq=False, kw_only=True)
class FollowUp:
    """rule P9: the call back after resolution."""

    complaint_id: str
    round: int
    satisfied: bool
    score: int
    by: str
    at: datetime
    notes: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(eq=False, kw_only=True)
class Notice:
    """rule P10: a reminder (催办单) or an escalation (治办单) to a department."""

    complaint_id: str
    number: str
    type: str  # reminder | escalation
    kind: str  # due_soon | overdue | closed_late | exception
    department: str
    step: str
    step_id: str
    round: int
    issued_at: datetime
    due_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def key(self) -> tuple[str, str, str]:
        """A notice is issued at most once per (step, kind, department)."""
        return (self.step_id, self.kind, self.department)

    def payload(self, customer_id: str) -> dict[str, Any]:
        return {
            "complaint_id": self.complaint_id,
            "number": self.number,
            "customer_id": customer_id,
            "notice_id": self.id,
            "type": self.type,
            "kind": self.kind,
            "department": self.department,
            "step": self.step,
            "round": self.round,
            "due_at": _iso(self.due_at),
            "issued_at": self.issued_at.isoformat(),
        }


@dataclass(frozen=True)
class CaseSummary:
    """What the monthly statistics need of one closed case (rule P11)."""

    complaint_id: str
    number: str
    customer_id: str
    skus: tuple[str, ...]
    cause: str | None
    cause_category: str | None
    shares: tuple[tuple[str, Decimal], ...]  # (department, share)
    registered_at: datetime
    closed_at: datetime
    handling_hours: Decimal
    timely_acceptance: bool | None
    on_time_closure: bool | None
    improvement: str | None = None


# --- input checks -----------------------------------------------------------
def _required_text(value: Any, name: str, problems: dict[str, Any]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems[name] = ["required"]
        return ""
    return value.strip()


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _lines(raw: Any, problems: dict[str, Any], required: bool) -> list[dict[str, Any]]:
    """Lines ``{sku, description, quantity > 0, unit_price >= 0}``; problems per index."""
    if not raw:
        if required:
            problems["lines"] = ["at least one line is required"]
        return []
    lines, by_index = [], {}
    for i, line in enumerate(raw):
        errors: dict[str, list[str]] = {}
        sku = _required_text(line.get("sku"), "sku", errors)
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors["quantity"] = ["must be a whole number greater than 0"]
        price = _decimal(line.get("unit_price"))
        if price is None or price < 0:
            errors["unit_price"] = ["must be an amount of 0 or more"]
        if errors:
            by_index[str(i)] = errors
            continue
        lines.append(
            {
                "sku": sku,
                "description": line.get("description"),
                "quantity": quantity,
                "unit_price": money(price),
            }
        )
    if by_index:
        problems["lines"] = by_index
    return lines


def _parse_action(raw: Mapping[str, Any], errors: dict[str, Any]) -> tuple:
    """rule P5: ``(type, amount, lines)`` of one plan action, or problems in ``errors``."""
    kind = raw.get("type")
    if kind not in ACTION_TYPES:
        errors["type"] = [f"must be one of {', '.join(ACTION_TYPES)}"]
    lines = _lines(raw.get("lines"), errors, required=kind in LINE_ACTIONS)
    amount = sum((money(ln["quantity"] * ln["unit_price"]) for ln in lines), CENT * 0)
    given = raw.get("amount")
    if given is None:
        if kind in AMOUNT_ACTIONS and not raw.get("lines"):
            errors["amount"] = [f"required for {kind}"]
    elif _decimal(given) is None:
        errors["amount"] = ["must be an amount"]
    elif (lines or kind in LINE_ACTIONS) and money(given) != amount:
        errors["amount"] = [f"must equal the sum of the lines, {amount}"]
    else:
        amount = money(given)
    if kind in AMOUNT_ACTIONS and "amount" not in errors and amount <= 0:
        errors["amount"] = ["must be greater than 0"]
    return kind, amount, lines


# --- the aggregate ----------------------------------------------------------
class Complaint(Aggregate):
    """A complaint case from registration to closure (P1-P12).

    Constructing one registers it (P1, P2). State changes are the methods below;
    each checks the status first and raises ``IllegalTransition`` (409) when the
    case is in the wrong state.
    """

    entity_type: ClassVar[str] = "complaint"

    def __init__(
        self,
        *,
        number: str,
        customer_id: str,
        customer_status: str,
        channel: str,
        order_no: str,
        ship_date: date,
        description: str,
        request: str,
        lines: Sequence[Mapping[str, Any]],
        registered_by: str,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> None:
        now = _aware(now)
        if customer_status not in CUSTOMERS_WITH_ORDERS:  # rules P2, C3
            raise CustomerHasNoOrders(
                f"The customer is {customer_status} and has no orders to complain about yet.",
                {"customer_id": [f"customer is {customer_status}: no orders yet"]},
            )
        problems: dict[str, Any] = {}
        for name, value in (
            ("number", number),
            ("customer_id", customer_id),
            ("order_no", order_no),
            ("description", description),
            ("registered_by", registered_by),
        ):
            _required_text(value, name, problems)
        if channel not in CHANNELS:  # rule P1
            problems["channel"] = [f"must be one of {', '.join(CHANNELS)}"]
        if request not in REQUEST_TYPES:  # rule P2
            problems["request"] = [f"must be one of {', '.join(REQUEST_TYPES)}"]
        if not isinstance(ship_date, date) or isinstance(ship_date, datetime):
            problems["ship_date"] = ["must be a date"]
        elif ship_date > now.astimezone(settings.business_tz).date():
            problems["ship_date"] = ["must not be in the future"]
        parsed = _lines(lines, problems, required=True)  # rule P2
        if problems:
            raise invalid_fields(problems, "The complaint form is not complete.")

        self.id = new_id()
        self.number = number.strip()
        self.customer_id = customer_id
        self.channel = channel
        self.order_no = order_no.strip()
        self.ship_date = ship_date
        self.description = description.strip()
        self.request = request
        self.lines = [ComplaintLine(**line) for line in parsed]
        self.registered_by = registered_by
        self.registered_at = now
        self.status = "registered"
        self.round = 1
        self.promised_days: int | None = None
        self.due_at: datetime | None = None
        self.accepted_by: str | None = None
        self.accepted_at: datetime | None = None
        self.rejected_reason: str | None = None
        self.rejected_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.current_step: str | None = None
        self.step_due_at: datetime | None = None
        self.timely_acceptance: bool | None = None
        self.on_time_closure: bool | None = None
        self.satisfaction: int | None = None
        self.updated_at = now
        self.investigation: Investigation | None = None
        self.plans: list[Plan] = []
        self.actions: list[Action] = []  # every plan's actions, in the order posted
        self.steps: list[Step] = []
        self.follow_ups: list[FollowUp] = []
        self.notices: list[Notice] = []
        self._start_step("acceptance", now, settings)
        self._note(
            registered_by,
            "registered",
            {"number": self.number, "channel": channel, "request": request},
            at=now,
        )
        self._record_event(
            COMPLAINT_REGISTERED,
            {
                **self._event_head(),
                "channel": channel,
                "order_no": self.order_no,
                "request": request,
                "lines": [line.payload() for line in self.lines],
                "registered_at": now.isoformat(),
            },
        )

    # --- helpers --------------------------------------------------------------
    def _shares(self) -> list[Responsibility]:
        return self.investigation.responsibility if self.investigation else []

    def _event_head(self) -> dict[str, Any]:
        return {"complaint_id": self.id, "number": self.number, "customer_id": self.customer_id}

    def _require(self, action: str, *statuses: str) -> None:
        if self.status not in statuses:
            raise IllegalTransition(
                f"A {self.status} complaint cannot be {action}.",
                {"status": self.status, "action": action, "allowed_from": list(statuses)},
            )

    def _move(self, to: str, actor: str, action: str, now: datetime, **changes: Any) -> None:
        diff = {"status": {"old": self.status, "new": to}} if to != self.status else {}
        diff.update({k: _plain(v) for k, v in changes.items()})
        self.status = to
        self.updated_at = now
        self._note(actor, action, diff, at=now)

    def _open_step(self, name: str) -> Step | None:
        return next((s for s in reversed(self.steps) if s.name == name and not s.done_at), None)

    def _finish_step(self, name: str, now: datetime) -> Step | None:
        step = self._open_step(name)
        if step is not None:
            step.done_at = now
            if self.current_step == name:
                self.current_step, self.step_due_at = None, None
        return step

    def _start_step(
        self,
        name: str,
        now: datetime,
        settings: ComplaintSettings,
        *,
        department: str | None = None,
        due_at: datetime | None = None,
    ) -> Step:
        step = Step(
            complaint_id=self.id,
            name=name,
            round=self.round,
            department=department or STEP_DEPARTMENTS[name],
            started_at=now,
            due_at=due_at or settings.step_due(name, now),
        )
        self.steps.append(step)
        if name != "closure":
            self.current_step, self.step_due_at = name, step.due_at
        return step

    def plan(self, plan_id: str) -> Plan:
        """The plan ``plan_id`` of this case, or ``PlanNotFound``."""
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise PlanNotFound(details={"plan_id": plan_id})

    def accepted_plan(self) -> Plan | None:
        """The plan being executed or last executed."""
        return next((p for p in reversed(self.plans) if p.status == "accepted"), None)

    # --- P3: acceptance -------------------------------------------------------
    def accept(
        self,
        promised_days: int | None,
        actor: str,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> None:
        """rule P3: accepted; the customer is told the wait, which is the case's due date."""
        now = _aware(now)
        self._require("accepted", "registered")
        if promised_days is not None and (
            not isinstance(promised_days, int)
            or isinstance(promised_days, bool)
            or promised_days < 1
        ):
            raise invalid_fields({"promised_days": ["must be a whole number of days, at least 1"]})
        acceptance = self._finish_step("acceptance", now)
        self.timely_acceptance = acceptance is None or now <= acceptance.due_at  # rule P10
        self.promised_days = promised_days
        if promised_days is None:
            self.due_at = now + timedelta(hours=settings.closure_hours)
        else:
            self.due_at = now + timedelta(days=promised_days)
        self.accepted_by, self.accepted_at = actor, now
        self._start_step("investigation", now, settings)  # rule P4: within 1 working day
        self._start_step("closure", now, settings, due_at=self.due_at)
        self._move(
            "accepted", actor, "accepted", now, promised_days=promised_days, due_at=self.due_at
        )

    def reject(self, reason: str, actor: str, now: datetime) -> None:
        """rule P3: not accepted (不成立); the reason is recorded to explain it."""
        now = _aware(now)
        self._require("rejected", "registered")
        if not isinstance(reason, str) or not reason.strip():
            raise ReasonRequired(details={"reason": ["required"]})
        acceptance = self._finish_step("acceptance", now)
        self.timely_acceptance = acceptance is None or now <= acceptance.due_at  # rule P10
        self.rejected_reason, self.rejected_at = reason.strip(), now
        self._move("rejected", actor, "rejected", now, reason=self.rejected_reason)
        self._record_event(
            COMPLAINT_REJECTED,
            {**self._event_head(), "reason": self.rejected_reason, "rejected_at": now.isoformat()},
        )

    # --- P4: investigation ----------------------------------------------------
    def investigate(
        self,
        *,
        findings: str,
        cause: str,
        cause_category: str,
        responsibility: Sequence[Mapping[str, Any]],
        actor: str,
        now: datetime,
        improvement: str | None = None,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Investigation:
        """rule P4: quality's findings, cause and responsibility shares (sum exactly 1.00)."""
        now = _aware(now)
        self._require("investigated", "accepted")
        problems: dict[str, Any] = {}
        findings = _required_text(findings, "findings", problems)
        cause = _required_text(cause, "cause", problems)
        if cause_category not in CAUSE_CATEGORIES:
            problems["cause_category"] = [f"must be one of {', '.join(CAUSE_CATEGORIES)}"]
        shares, seen, by_index = [], set(), {}
        for i, part in enumerate(responsibility or ()):
            errors: dict[str, list[str]] = {}
            department = _required_text(part.get("department"), "department", errors)
            person = (part.get("person") or "").strip() or None
            share = _decimal(part.get("share"))
            if share is None or share <= 0:
                errors["share"] = ["must be greater than 0"]
            elif share != share.quantize(RATIO):
                errors["share"] = ["at most four decimal places"]
            if (department, person) in seen:
                errors["person"] = ["named twice"]
            seen.add((department, person))
            if errors:
                by_index[str(i)] = errors
            else:
                shares.append(Responsibility(department=department, person=person, share=share))
        if by_index:
            problems["responsibility"] = by_index
        elif not shares:
            problems["responsibility"] = ["at least one department is responsible"]
        if problems:
            raise invalid_fields(problems, "The investigation report is not complete.")
        total = sum((s.share for s in shares), Decimal(0))
        if total != Decimal("1.00"):  # rule P4: responsibility adds up to 100 %
            raise SharesDoNotSumToOne(
                f"Responsibility shares sum to {total}, not 1.00.",
                {"responsibility": [f"shares sum to {total}, not 1.00"]},
            )
        self.investigation = Investigation(
            complaint_id=self.id,
            findings=findings,
            cause=cause,
            cause_category=cause_category,
            responsibility=shares,
            investigated_by=actor,
            investigated_at=now,
            improvement=(improvement or "").strip() or None,
        )
        self._finish_step("investigation", now)
        self._start_step("planning", now, settings)
        self._move(
            "investigated",
            actor,
            "investigated",
            now,
            cause=cause,
            cause_category=cause_category,
            responsibility=[s.payload() for s in shares],
        )
        return self.investigation

    # --- P5, P6: plans and their approval -------------------------------------
    def post_plan(
        self,
        actions: Sequence[Mapping[str, Any]],
        actor: str,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Plan:
        """rule P5: a plan of actions; its amount decides who approves it (P6).

        ``actions``: ``[{"type", "lines": [{sku, description?, quantity, unit_price}],
        "amount"?}]``. Line actions cost sum(quantity * unit_price); allowance and
        compensation carry ``amount`` (or lines, which must then agree with it).
        """
        now = _aware(now)
        self._require("given a plan", "investigated", "planning")
        if any(p.status in ("pending_approval", "approved") for p in self.plans):
            raise PlanStillOpen(details={"status": self.status})
        parsed, by_index = [], {}
        for i, raw in enumerate(actions or ()):
            errors: dict[str, Any] = {}
            action = _parse_action(raw, errors)
            if errors:
                by_index[str(i)] = errors
            else:
                parsed.append(action)
        if by_index or not parsed:
            problems = {"actions": by_index or ["at least one action is required"]}
            raise invalid_fields(problems, "The plan is not valid.")

        previous = self.plans[-1] if self.plans else None
        plan_id = new_id()
        plan_actions = [
            Action(
                complaint_id=self.id,
                plan_id=plan_id,
                type=kind,
                amount=amount,
                lines=[
                    ActionLine(**ln, amount=money(ln["quantity"] * ln["unit_price"]))
                    for ln in lines
                ],
            )
            for kind, amount, lines in parsed
        ]
        total = sum((a.amount for a in plan_actions), CENT * 0)  # CONTRACT: sum of the actions
        approver = required_approver(total, settings)  # rule P6
        plan = Plan(
            id=plan_id,
            complaint_id=self.id,
            round=self.round,  # rule P7: a new round after a decline
            previous_plan_id=previous.id if previous else None,
            amount=total,
            required_approver=approver,
            posted_by=actor,
            posted_at=now,
            actions=plan_actions,
        )
        self.plans.append(plan)
        self.actions.extend(plan_actions)
        self._finish_step("planning", now)
        self._start_step("approval", now, settings, department=APPROVER_DEPARTMENTS[approver])
        self._move(
            "planning",
            actor,
            "plan_posted",
            now,
            plan_id=plan.id,
            round=plan.round,
            amount=total,
            required_approver=approver,
            actions=[a.type for a in plan_actions],
        )
        return plan

    def approve_plan(
        self,
        plan_id: str,
        actor: str,
        actor_roles: Iterable[str],
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Plan:
        """rule P6: the plan's required rank, or one above it, approves."""
        now = _aware(now)
        plan = self.plan(plan_id)
        self._require("approved", "planning")
        if plan.status != "pending_approval":
            raise IllegalTransition(
                f"A {plan.status} plan cannot be approved.",
                {"plan_status": plan.status, "action": "approve"},
            )
        roles = sorted(set(actor_roles))
        if not may_approve(roles, plan.required_approver):  # rule P6
            raise ApproverRankTooLow(
                f"A plan of {plan.amount} needs {plan.required_approver} or above.",
                {"required_approver": plan.required_approver, "roles": roles},
            )
        plan.status, plan.approved_by, plan.approved_at = "approved", actor, now
        self._finish_step("approval", now)
        self._start_step("response", now, settings)
        self._move("planning", actor, "plan_approved", now, plan_id=plan.id, amount=plan.amount)
        return plan

    def send_back_plan(
        self,
        plan_id: str,
        reason: str,
        actor: str,
        actor_roles: Iterable[str],
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Plan:
        """rule P6: an approver of the plan's rank (or above) refuses it, with a reason:
        the plan is declined and the case goes back to planning for the next round."""
        now = _aware(now)
        plan = self.plan(plan_id)
        self._require("sent back", "planning")
        if plan.status != "pending_approval":
            raise IllegalTransition(
                f"A {plan.status} plan cannot be sent back.",
                {"plan_status": plan.status, "action": "send_back"},
            )
        if not reason or not str(reason).strip():
            raise ReasonRequired(details={"reason": ["required"]})
        roles = sorted(set(actor_roles))
        if not may_approve(roles, plan.required_approver):  # rule P6: the same authority
            raise ApproverRankTooLow(
                f"A plan of {plan.amount} is decided by {plan.required_approver} or above.",
                {"required_approver": plan.required_approver, "roles": roles},
            )
        plan.status = "declined"
        plan.responded_by, plan.responded_at = actor, now
        plan.response_comment = str(reason).strip()
        for action in plan.actions:
            action.state = "dropped"
        self._finish_step("approval", now)
        self.round += 1
        self._start_step("planning", now, settings)
        self._move(
            "planning",
            actor,
            "plan_sent_back",
            now,
            plan_id=plan.id,
            reason=plan.response_comment,
            next_round=self.round,
        )
        return plan

    # --- P7: the customer's answer --------------------------------------------
    def customer_response(
        self,
        plan_id: str,
        accepted: bool,
        actor: str,
        now: datetime,
        comment: str | None = None,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Plan:
        """rule P7: accepted -> executing (event ``plan_accepted``); declined -> the
        plan is declined and the case goes back to planning for the next round."""
        now = _aware(now)
        plan = self.plan(plan_id)
        self._require("put to the customer", "planning")
        if plan.status != "approved":
            raise IllegalTransition(
                f"A {plan.status} plan cannot be put to the customer.",
                {"plan_status": plan.status, "action": "customer_response"},
            )
        plan.responded_by, plan.responded_at, plan.response_comment = actor, now, comment
        self._finish_step("response", now)
        if not accepted:
            plan.status = "declined"
            for action in plan.actions:
                action.state = "dropped"
            self.round += 1
            self._start_step("planning", now, settings)
            self._move(
                "planning",
                actor,
                "plan_declined",
                now,
                plan_id=plan.id,
                comment=comment,
                next_round=self.round,
            )
            return plan
        plan.status = "accepted"
        for action in plan.actions:
            action.state = "in_progress"
        self._start_step("execution", now, settings)
        self._move("executing", actor, "plan_accepted", now, plan_id=plan.id, comment=comment)
        self._record_event(PLAN_ACCEPTED, self._plan_accepted_payload(plan, now))
        return plan

    def _plan_accepted_payload(self, plan: Plan, now: datetime) -> dict[str, Any]:
        approved: dict[tuple[str, Decimal], int] = {}
        for action in plan.actions:
            if action.type in CREDITED_ACTIONS:
                for line in action.lines:
                    key = (line.sku, line.unit_price)
                    approved[key] = approved.get(key, 0) + line.quantity
        investigation = self.investigation
        return {
            **self._event_head(),
            "plan_id": plan.id,
            "round": plan.round,
            "amount": str(plan.amount),
            "approved_by": plan.approved_by,
            "accepted_at": now.isoformat(),
            "actions": [a.payload() for a in plan.actions],
            "approved_quantities": [
                {"sku": sku, "quantity": qty, "unit_price": str(price)}
                for (sku, price), qty in approved.items()
            ],
            "responsibility": [r.payload() for r in self._shares()],
            "cause_category": investigation.cause_category if investigation else None,
        }

    # --- P8: execution, from the facts returns and finance publish ------------
    def _in_progress(self, types: Iterable[str], action_id: str | None = None) -> list[Action]:
        types = tuple(types)
        return [
            a
            for a in self.actions
            if a.state == "in_progress"
            and a.type in types
            and (action_id is None or a.id == action_id)
        ]

    def _progress(
        self,
        actions: list[Action],
        attribute: str,
        now: datetime,
        actor: str,
        fact: str,
        settings: ComplaintSettings,
        **refs: Any,
    ) -> list[Action]:
        """Set ``attribute`` on the actions that lack it; a repeated fact changes nothing."""
        changed = [a for a in actions if getattr(a, attribute) is None]
        for action in changed:
            setattr(action, attribute, now)
            for name, value in refs.items():
                if value is not None:
                    setattr(action, name, value)
        if not changed:
            return []
        done = []
        for action in changed:
            if action.is_complete():
                action.state, action.done_at = "done", now
                done.append(action.id)
        self.updated_at = now
        self._note(
            actor,
            fact,
            {
                **{k: v for k, v in refs.items() if v is not None},
                "actions": [a.id for a in changed],
                "done": done,
            },
            at=now,
        )
        self._resolve_if_done(now, actor, settings)
        return changed

    def _resolve_if_done(self, now: datetime, actor: str, settings: ComplaintSettings) -> None:
        plan = self.accepted_plan()
        if self.status != "executing" or plan is None:
            return
        if all(a.state == "done" for a in plan.actions):  # rule P8: every part done
            self.resolved_at = now
            self._finish_step("execution", now)
            self._start_step("follow_up", now, settings)
            self._move("resolved", actor, "resolved", now, plan_id=plan.id)
            self._record_event(
                COMPLAINT_RESOLVED,
                {**self._event_head(), "plan_id": plan.id, "resolved_at": now.isoformat()},
            )

    def return_authorized(self, return_id: str, now: datetime, actor: str = "returns") -> None:
        """The return authorization for the goods-back actions exists (R1)."""
        now = _aware(now)
        actions = [a for a in self._in_progress(GOODS_BACK_ACTIONS) if a.return_id is None]
        for action in actions:
            action.return_id = return_id
        if actions:
            self.updated_at = now
            self._note(actor, "return_authorized", {"return_id": return_id}, at=now)

    def return_received(
        self,
        return_id: str,
        now: datetime,
        actor: str = "returns",
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> list[Action]:
        """The warehouse signed for the returned goods (R2, R6)."""
        actions = self._in_progress(GOODS_BACK_ACTIONS)
        return self._progress(
            actions,
            "received_at",
            _aware(now),
            actor,
            "return_received",
            settings,
            return_id=return_id,
        )

    def return_inspected(
        self,
        return_id: str,
        now: datetime,
        actor: str = "returns",
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> list[Action]:
        """Quality inspected the return (R3): a rework action is done."""
        actions = self._in_progress(GOODS_BACK_ACTIONS)
        return self._progress(
            actions,
            "inspected_at",
            _aware(now),
            actor,
            "return_inspected",
            settings,
            return_id=return_id,
        )

    def voucher_issued(
        self,
        voucher_id: str,
        voucher_type: str,
        now: datetime,
        action_id: str | None = None,
        amount: Decimal | None = None,
        actor: str = "finance",
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> list[Action]:
        """Finance issued a voucher (F1, F3): return_credit settles the return and
        exchange actions; allowance/compensation settles the matching action."""
        now = _aware(now)
        if voucher_type == "return_credit":
            actions = self._in_progress(CREDITED_ACTIONS, action_id)
        elif voucher_type in AMOUNT_ACTIONS:
            candidates = [
                a for a in self._in_progress((voucher_type,), action_id) if a.voucher_id is None
            ]
            if any(a.voucher_id == voucher_id for a in self.actions):
                candidates = []
            same_amount = [
                a for a in candidates if amount is not None and a.amount == money(amount)
            ]
            actions = (same_amount or candidates)[:1]
        else:
            return []
        return self._progress(
            actions,
            "voucher_issued_at",
            now,
            actor,
            "voucher_issued",
            settings,
            voucher_id=voucher_id,
        )

    def replenishment_shipped(
        self,
        shipment_id: str,
        now: datetime,
        action_id: str | None = None,
        actor: str = "returns",
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> list[Action]:
        """The warehouse shipped goods (R5): a replenishment, or an exchange's replacement."""
        now = _aware(now)
        if any(a.shipment_id == shipment_id for a in self.actions):
            return []
        candidates = [
            a
            for a in self._in_progress(("replenishment", "exchange"), action_id)
            if a.shipped_at is None
        ]
        candidates.sort(key=lambda a: a.type != "replenishment")
        return self._progress(
            candidates[:1], "shipped_at", now, actor, "shipped", settings, shipment_id=shipment_id
        )

    def reconciliation_exception(
        self,
        reconciliation_id: str,
        now: datetime,
        actor: str = "finance",
    ) -> list[Notice]:
        """Finance holds a return for a decision (F1): finance gets a reminder (P10)."""
        now = _aware(now)
        self._note(
            actor, "reconciliation_exception", {"reconciliation_id": reconciliation_id}, at=now
        )
        step = self._open_step("execution")
        if step is None:
            return []
        return self._issue([self._notice("reminder", "exception", step, "finance", now)], actor)

    # --- P9: follow-up ----------------------------------------------------------
    def follow_up(
        self,
        satisfied: bool,
        score: int,
        actor: str,
        now: datetime,
        notes: str | None = None,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> FollowUp:
        """rule P9: satisfied -> closed (event ``complaint_closed``); not satisfied ->
        back to planning for a new round."""
        now = _aware(now)
        self._require("followed up", "resolved")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise invalid_fields({"score": ["must be a whole number from 1 to 5"]})
        follow = FollowUp(
            complaint_id=self.id,
            round=self.round,
            satisfied=bool(satisfied),
            score=score,
            notes=notes,
            by=actor,
            at=now,
        )
        self.follow_ups.append(follow)
        self._finish_step("follow_up", now)
        if not satisfied:
            self.round += 1
            self._start_step("planning", now, settings)
            self._move(
                "planning",
                actor,
                "follow_up_unsatisfied",
                now,
                score=score,
                notes=notes,
                next_round=self.round,
            )
            return follow
        self.closed_at, self.satisfaction = now, score
        self.on_time_closure = self.due_at is None or now <= self.due_at  # rule P10
        self._finish_step("closure", now)
        self._move("closed", actor, "closed", now, score=score, notes=notes)
        self._record_event(COMPLAINT_CLOSED, self._closed_payload())
        self._record_loss()
        self.issue_notices(now, settings, actor)  # rule P10: closed late -> escalation
        return follow

    def _record_loss(self) -> None:
        """rule P12: the accepted plan's amount split by the shares goes to finance (F7)."""
        plan = self.accepted_plan()
        if plan is None or self.investigation is None:
            return
        parts = self.loss_apportionment(plan.amount)
        self._record_event(
            LOSS_APPORTIONED,
            {
                **self._event_head(),
                "plan_id": plan.id,
                "loss": str(plan.amount),
                "parts": [
                    {**p, "share": str(p["share"]), "amount": str(p["amount"])} for p in parts
                ],
            },
        )

    def _closed_payload(self) -> dict[str, Any]:
        investigation = self.investigation
        return {
            **self._event_head(),
            "lines": [line.payload() for line in self.lines],
            "satisfied": True,
            "satisfaction": self.satisfaction,
            "handling_hours": str(_hours(self.closed_at - self.registered_at)),
            "registered_at": self.registered_at.isoformat(),
            "closed_at": self.closed_at.isoformat(),
            "on_time_closure": self.on_time_closure,
            "timely_acceptance": self.timely_acceptance,
            "cause": investigation.cause if investigation else None,
            "cause_category": investigation.cause_category if investigation else None,
            "responsibility": [r.payload() for r in self._shares()],
        }

    # --- P10: time limits -------------------------------------------------------
    def is_overdue(self, now: datetime) -> bool:
        """An open case past its current step's due time or its own due date."""
        if self.status in ("closed", "rejected"):
            return False
        return any(d is not None and now > d for d in (self.step_due_at, self.due_at))

    def _departments(self, step: Step) -> list[str]:
        if step.name == "execution":
            waiting = {d for a in self.actions for d in a.waiting_on()}
            if waiting:
                return sorted(waiting)
        return [step.department]

    def _late_departments(self) -> list[str]:
        late = {n.department for n in self.notices if n.kind == "overdue" and n.step != "closure"}
        late |= {
            s.department
            for s in self.steps
            if s.name != "closure" and s.done_at is not None and s.done_at > s.due_at
        }
        return sorted(late) or ["customer_service"]

    def _notice(self, type_: str, kind: str, step: Step, department: str, now: datetime) -> Notice:
        return Notice(
            complaint_id=self.id,
            number=self.number,
            type=type_,
            kind=kind,
            department=department,
            step=step.name,
            step_id=step.id,
            round=step.round,
            due_at=step.due_at,
            issued_at=now,
        )

    def due_notices(
        self, now: datetime, settings: ComplaintSettings = DEFAULT_SETTINGS
    ) -> list[Notice]:
        """rule P10: the notices that should be issued now and have not been.

        A reminder (催办单) to the responsible department once the reminder share of
        an open step's time has passed, and another once its due time has; an
        escalation (治办单) to each late department when the case closed late.
        Pure: nothing is recorded (see ``issue_notices``).
        """
        now = _aware(now)
        issued = {n.key() for n in self.notices}
        due: list[Notice] = []

        def add(type_: str, kind: str, step: Step, department: str) -> None:
            notice = self._notice(type_, kind, step, department, now)
            if notice.key() not in issued:
                issued.add(notice.key())
                due.append(notice)

        if self.status == "closed":
            closure = next((s for s in self.steps if s.name == "closure"), None)
            if self.on_time_closure is False and closure is not None:
                for department in self._late_departments():
                    add("escalation", "closed_late", closure, department)
            return due
        for step in self.steps:
            if step.done_at is not None:
                continue
            if now >= step.due_at:
                kind = "overdue"
            elif now >= step.reminder_at(settings.reminder_share):
                kind = "due_soon"
            else:
                continue
            for department in self._departments(step):
                add("reminder", kind, step, department)
        return due

    def issue_notices(
        self,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
        actor: str = "system",
    ) -> list[Notice]:
        """Issue (record, note, announce) what ``due_notices`` says is due."""
        return self._issue(self.due_notices(now, settings), actor)

    def _issue(self, notices: list[Notice], actor: str) -> list[Notice]:
        issued = {n.key() for n in self.notices}
        notices = [n for n in notices if n.key() not in issued]  # each at most once
        for notice in notices:
            self.notices.append(notice)
            self._note(
                actor,
                f"{notice.type}_issued",
                {
                    "notice_id": notice.id,
                    "kind": notice.kind,
                    "department": notice.department,
                    "step": notice.step,
                },
                at=notice.issued_at,
            )
            self._record_event(NOTICE_ISSUED, notice.payload(self.customer_id))
        return notices

    # --- P11, P12 ---------------------------------------------------------------
    def summary(self) -> CaseSummary:
        """What the monthly statistics need of this closed case (rule P11)."""
        if self.status != "closed":
            raise IllegalTransition(
                "Only a closed case is counted.", {"status": self.status, "action": "summary"}
            )
        investigation = self.investigation
        return CaseSummary(
            complaint_id=self.id,
            number=self.number,
            customer_id=self.customer_id,
            skus=tuple(dict.fromkeys(line.sku for line in self.lines)),
            cause=investigation.cause if investigation else None,
            cause_category=investigation.cause_category if investigation else None,
            shares=tuple((r.department, r.share) for r in self._shares()),
            registered_at=self.registered_at,
            closed_at=self.closed_at,
            handling_hours=_hours(self.closed_at - self.registered_at),
            timely_acceptance=self.timely_acceptance,
            on_time_closure=self.on_time_closure,
            improvement=investigation.improvement if investigation else None,
        )

    def loss_apportionment(self, loss: Decimal) -> list[dict[str, Any]]:
        """rule P12: this case's loss split by its responsibility shares."""
        if self.investigation is None:
            raise IllegalTransition(
                "The case has no responsibility yet.",
                {"status": self.status, "action": "apportion"},
            )
        parts = self.investigation.responsibility
        amounts = apportion(loss, [p.share for p in parts])
        return [
            {"department": p.department, "person": p.person, "share": p.share, "amount": amount}
            for p, amount in zip(parts, amounts, strict=True)
        ]


# --- P11: monthly statistics --------------------------------------------------
def month_bounds(
    month: str, settings: ComplaintSettings = DEFAULT_SETTINGS
) -> tuple[datetime, datetime]:
    """``"2026-03"`` -> [start, end) in UTC, the month taken on the business's calendar."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        start = datetime(year, mon, 1, tzinfo=settings.business_tz)
    except ValueError as exc:
        raise invalid_fields({"month": ["must be YYYY-MM"]}) from exc
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=settings.business_tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _ratio(part: Decimal | int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP)


def monthly_statistics(
    month: str, cases: Iterable[CaseSummary], settings: ComplaintSettings = DEFAULT_SETTINGS
) -> dict[str, Any]:
    """rule P11: the cases closed in ``month`` (客户投诉案件统计表).

    ``by_department`` counts the cases a department shares in; ``problem_ratio``
    is each department's part of the month's problems (sum of its shares / cases).
    Rates and the average are ``None`` when no case closed.
    """
    start, end = month_bounds(month, settings)
    closed = [c for c in cases if start <= c.closed_at < end]
    n = len(closed)
    by_department: Counter[str] = Counter()
    weight: defaultdict[str, Decimal] = defaultdict(Decimal)
    for case in closed:
        for department in dict.fromkeys(d for d, _ in case.shares):
            by_department[department] += 1
        for department, share in case.shares:
            weight[department] += share
    return {
        "month": month,
        "closed": n,
        "by_cause": dict(Counter(c.cause or "unknown" for c in closed)),
        "by_department": dict(by_department),
        "by_product": dict(Counter(sku for c in closed for sku in c.skus)),
        "by_customer": dict(Counter(c.customer_id for c in closed)),
        "problem_ratio": {d: _ratio(w, n) for d, w in sorted(weight.items())},
        "avg_handling_hours": (
            (sum((c.handling_hours for c in closed), Decimal(0)) / n).quantize(CENT) if n else None
        ),
        "timely_acceptance_rate": _ratio(sum(bool(c.timely_acceptance) for c in closed), n)
        if n
        else None,
        "on_time_closure_rate": _ratio(sum(bool(c.on_time_closure) for c in closed), n)
        if n
        else None,
        "improvements": [
            {"number": c.number, "cause": c.cause, "improvement": c.improvement}
            for c in closed
            if c.improvement
        ],
    }


# --- P12: loss apportionment -------------------------------------------------------
def apportion(loss: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """rule P12: ``loss`` split by ``shares`` to the cent; the parts sum to ``loss`` exactly.

    One share bears all. Cents left over by rounding down go to the largest
    remainders (earlier parts first on a tie): 100.00 over three equal shares is
    33.34, 33.33, 33.33.
    """
    loss = money(loss)
    if loss < 0:
        raise invalid_fields({"loss": ["must not be negative"]})
    if not shares or any(Decimal(s) <= 0 for s in shares):
        raise invalid_fields({"shares": ["need at least one share, each greater than 0"]})
    if len(shares) == 1:
        return [loss]
    total = sum((Decimal(s) for s in shares), Decimal(0))
    cents = int(loss / CENT)
    exact = [cents * Decimal(s) / total for s in shares]
    parts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: cents - sum(parts)]:
        parts[i] += 1
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def returned_goods_loss(
    *,
    actual_loss: Decimal,
    returned_on: date,
    resold_on: date | None = None,
    sale_amount: Decimal | None = None,
    resale_amount: Decimal | None = None,
    settings: ComplaintSettings = DEFAULT_SETTINGS,
) -> Decimal:
    """rule P12: returned goods resold within the window (default 30 days) lose only
    the price difference; otherwise the actual loss counts."""
    if isinstance(returned_on, datetime):
        returned_on = returned_on.date()
    if isinstance(resold_on, datetime):
        resold_on = resold_on.date()
    window_end = returned_on + timedelta(days=settings.resale_window_days)
    if resold_on is not None and returned_on <= resold_on <= window_end:
        if sale_amount is None or resale_amount is None:
            raise invalid_fields({"resale_amount": ["needed with the sale amount for a resale"]})
        return max(money(sale_amount) - money(resale_amount), CENT * 0)
    return money(actual_loss)
