"""The complaint case, its states from registration to closure: rule P1, rule P2,
rule P3, rule P4, rule P7, rule P9.

``Complaint`` is the aggregate: every child (lines, investigation, plans, actions,
steps, follow-ups, notices) is changed through it, and every change is noted in
its history (rule X3). Times are timezone-aware UTC and come in as ``now`` so that
tests and timers control the clock. The other rule groups are mixed in from their
modules: plans (rule P5, rule P6), execution (rule P8), notices (rule P10),
statistics (rule P11), loss (rule P12).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from complaints.domain.execution import Action, Execution
from complaints.domain.loss import Loss
from complaints.domain.notices import Notice, Notices
from complaints.domain.plans import Plan, PlanApproval
from complaints.domain.shared import (
    DEFAULT_SETTINGS,
    RATIO,
    CaseBase,
    ComplaintLine,
    ComplaintSettings,
    FollowUp,
    Investigation,
    Responsibility,
    Step,
    _aware,
    _checked_lines,
    _filled,
    _hours,
    new_id,
)
from complaints.domain.statistics import Statistics
from servicekit.contracts.complaints_vocabulary import (
    COMPLAINT_CLOSED,
    COMPLAINT_REGISTERED,
    COMPLAINT_REJECTED,
    PLAN_ACCEPTED,
    CustomerHasNoOrders,
    IllegalTransition,
    ReasonRequired,
    SharesDoNotSumToOne,
)
from servicekit.errors import invalid_fields

if TYPE_CHECKING:
    from complaints.commands import Line, Share

# rule P2 (seed 000: every customer reporting a quality problem) with rule C3: a customer
# has orders once approved, and keeps them when it goes dormant or is lost.
CUSTOMERS_WITH_ORDERS = ("active", "dormant", "lost")


# --- the aggregate ----------------------------------------------------------
class Complaint(PlanApproval, Execution, Notices, Statistics, Loss, CaseBase):
    """A complaint case from registration to closure.

    Constructing one registers it (rule P1, rule P2). State changes are the methods below;
    each checks the status first and raises ``IllegalTransition`` (409) when the
    case is in the wrong state. Values come typed and in shape (the contract's schemas,
    complaints.commands); the methods check the rules.
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
        lines: Sequence[Line],
        registered_by: str,
        now: datetime,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
        owner: str | None = None,
    ) -> None:
        now = _aware(now)
        if customer_status not in CUSTOMERS_WITH_ORDERS:  # rule P2, rule C3
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
            _filled(value, name, problems)
        if ship_date > now.astimezone(settings.business_tz).date():  # rule P2
            problems["ship_date"] = ["must not be in the future"]
        parsed = _checked_lines(lines, problems, required=True)  # rule P2
        if problems:
            raise invalid_fields(problems, "The complaint form is not complete.")

        self.id = new_id()
        self.number = number.strip()
        self.customer_id = customer_id
        # The case's sales clerk: the customer's owner at registration (rule R2 charges a
        # return's difference to them).
        self.owner = owner
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

    # --- rule P3: acceptance --------------------------------------------------
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
        acceptance = self._finish_step("acceptance", now)
        self.timely_acceptance = acceptance is None or now <= acceptance.due_at  # rule P10
        self.promised_days = promised_days
        if promised_days is None:  # rule P10: the closure hours, in working time
            self.due_at = settings.step_due("closure", now)
        else:  # rule P3: the days the customer is told, on the calendar
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
        if not reason or not reason.strip():  # rule P3: the reason is recorded
            raise ReasonRequired(details={"reason": ["required"]})
        acceptance = self._finish_step("acceptance", now)
        self.timely_acceptance = acceptance is None or now <= acceptance.due_at  # rule P10
        self.rejected_reason, self.rejected_at = reason.strip(), now
        self._move("rejected", actor, "rejected", now, reason=self.rejected_reason)
        self._record_event(
            COMPLAINT_REJECTED,
            {**self._event_head(), "reason": self.rejected_reason, "rejected_at": now.isoformat()},
        )

    # --- rule P4: investigation -----------------------------------------------
    def investigate(
        self,
        *,
        findings: str,
        cause: str,
        cause_category: str,
        responsibility: Sequence[Share],
        actor: str,
        now: datetime,
        improvement: str | None = None,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
    ) -> Investigation:
        """rule P4: quality's findings, cause and responsibility shares (sum exactly 1.00)."""
        now = _aware(now)
        self._require("investigated", "accepted")
        problems: dict[str, Any] = {}
        findings = _filled(findings, "findings", problems)
        cause = _filled(cause, "cause", problems)
        shares, seen, by_index = [], set(), {}
        for i, part in enumerate(responsibility):
            errors: dict[str, list[str]] = {}
            department = _filled(part.department, "department", errors)
            person = (part.person or "").strip() or None
            share = part.share  # above 0 and at most 1: the schema's
            if share != share.quantize(RATIO):  # rule P4: shares are kept to four places
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

    # --- rule P7: the customer's answer ---------------------------------------
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

    # --- rule P9: follow-up -----------------------------------------------------
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
        follow = FollowUp(
            complaint_id=self.id,
            round=self.round,
            satisfied=satisfied,
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
