"""Plans and their approval: rule P5, rule P6 (and the plan the customer accepts, rule P7)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from complaints.domain.execution import Action
from complaints.domain.shared import (
    APPROVER_DEPARTMENTS,
    CENT,
    DEFAULT_SETTINGS,
    ActionLine,
    ComplaintSettings,
    _aware,
    _checked_lines,
    new_id,
)
from servicekit.contracts.complaints_vocabulary import (
    AMOUNT_ACTIONS,
    APPROVER_RANKS,
    CREDITED_ACTIONS,
    LINE_ACTIONS,
    ApproverRankTooLow,
    IllegalTransition,
    PlanNotFound,
    PlanStillOpen,
    ReasonRequired,
)
from servicekit.domain import money
from servicekit.errors import invalid_fields

if TYPE_CHECKING:
    from complaints.commands import PlanAction


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


def _checked_action(action: PlanAction, errors: dict[str, Any]) -> tuple:
    """rule P5: ``(type, amount, lines)`` of one plan action, or problems in ``errors``.

    A line action has lines and costs their sum; an amount action has an amount above 0,
    or lines that make it; where both are given they agree."""
    kind, given = action.type, action.amount
    lines = _checked_lines(action.lines, errors, required=kind in LINE_ACTIONS)
    amount = sum((money(ln["quantity"] * ln["unit_price"]) for ln in lines), CENT * 0)
    if given is None:
        if kind in AMOUNT_ACTIONS and not action.lines:
            errors["amount"] = [f"required for {kind}"]
    elif (lines or kind in LINE_ACTIONS) and given != amount:
        errors["amount"] = [f"must equal the sum of the lines, {amount}"]
    else:
        amount = given
    if kind in AMOUNT_ACTIONS and "amount" not in errors and amount <= 0:
        errors["amount"] = ["must be greater than 0"]
    return kind, amount, lines


class PlanApproval:
    """rule P5, rule P6 on ``Complaint``: plans, their amount and who approves them."""

    def plan(self, plan_id: str) -> Plan:
        """The plan ``plan_id`` of this case, or ``PlanNotFound``."""
        for plan in self.plans:
            if plan.id == plan_id:
                return plan
        raise PlanNotFound(details={"plan_id": plan_id})

    def accepted_plan(self) -> Plan | None:
        """The plan being executed or last executed."""
        return next((p for p in reversed(self.plans) if p.status == "accepted"), None)

    # --- rule P5, rule P6: plans and their approval ---------------------------
    def post_plan(
        self,
        actions: Sequence[PlanAction],
        actor: str,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Plan:
        """rule P5: a plan of actions; its amount decides who approves it (rule P6).

        Line actions cost sum(quantity * unit_price); allowance and compensation carry
        ``amount`` (or lines, which must then agree with it).
        """
        now = _aware(now)
        self._require("given a plan", "investigated", "planning")
        if any(p.status in ("pending_approval", "approved") for p in self.plans):
            raise PlanStillOpen(details={"status": self.status})
        parsed, by_index = [], {}
        for i, given in enumerate(actions):
            errors: dict[str, Any] = {}
            action = _checked_action(given, errors)
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
        if not reason or not reason.strip():
            raise ReasonRequired(details={"reason": ["required"]})
        roles = sorted(set(actor_roles))
        if not may_approve(roles, plan.required_approver):  # rule P6: the same authority
            raise ApproverRankTooLow(
                f"A plan of {plan.amount} is decided by {plan.required_approver} or above.",
                {"required_approver": plan.required_approver, "roles": roles},
            )
        plan.status = "declined"
        plan.responded_by, plan.responded_at = actor, now
        plan.response_comment = reason.strip()
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
            "owner": self.owner,
        }
