"""Notices: rule P10. Each step of a case has a due time; a reminder goes out at the
reminder share and at the due time, an escalation when the case closed late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from complaints.domain.shared import DEFAULT_SETTINGS, ComplaintSettings, Step, _aware, _iso, new_id
from servicekit.contracts.complaints_vocabulary import NOTICE_ISSUED


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


class Notices:
    """rule P10 on ``Complaint``: reminders (催办单) and escalations (治办单)."""

    def next_notice_check(
        self, settings: ComplaintSettings = DEFAULT_SETTINGS, after: datetime | None = None
    ) -> datetime | None:
        """When the notice timer should next look at this case (rule P10).

        The earliest reminder or due time of an open step whose notice is not out yet;
        with ``after`` (the timer's own pass) only times later than it.
        """
        if self.status in ("closed", "rejected"):
            return None
        issued = {(n.step_id, n.kind) for n in self.notices}
        times = []
        for step in self.steps:
            if step.done_at is not None:
                continue
            if (step.id, "due_soon") not in issued:
                times.append(step.reminder_at(settings))
            if (step.id, "overdue") not in issued:
                times.append(step.due_at)
        if after is not None:
            times = [t for t in times if t > after]
        return min(times, default=None)

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
            elif now >= step.reminder_at(settings):
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
