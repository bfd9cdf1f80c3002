"""Execution facts: rule P8. An accepted plan's actions are done by what returns and
finance report (their events); the case resolves when every action is done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from complaints.domain.notices import Notice
from complaints.domain.shared import (
    DEFAULT_SETTINGS,
    ActionLine,
    ComplaintSettings,
    _aware,
    new_id,
)
from servicekit.contracts.complaints_vocabulary import (
    AMOUNT_ACTIONS,
    COMPLAINT_RESOLVED,
    CREDITED_ACTIONS,
    GOODS_BACK_ACTIONS,
)


@dataclass(eq=False, kw_only=True)
class Action:
    """rule P5: one part of a plan; its progress comes from returns and finance (rule P8)."""

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


class Execution:
    """rule P8 on ``Complaint``: the facts returns and finance publish move actions along."""

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
        """The return authorization for the goods-back actions exists (returns)."""
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
        """The warehouse signed for the returned goods (returns)."""
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
        """Quality inspected the return (returns): a rework action is done."""
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
        """Finance issued a voucher: return_credit settles the return and
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
            same_amount = [a for a in candidates if amount is not None and a.amount == amount]
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
        """The warehouse shipped goods (returns): a replenishment, or an exchange's replacement."""
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
        """Finance holds a return for a decision: finance gets a reminder (rule P10)."""
        now = _aware(now)
        self._note(
            actor, "reconciliation_exception", {"reconciliation_id": reconciliation_id}, at=now
        )
        step = self._open_step("execution")
        if step is None:
            return []
        return self._issue([self._notice("reminder", "exception", step, "finance", now)], actor)
