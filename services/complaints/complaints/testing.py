"""Test data for complaints: one builder takes a case as far along its life as a test
needs, from registration (rule P2) to follow-up (rule P9), so tests state only what
matters to them.

    case = CaseBuilder().accept().investigate().plan().approve().customer_accepts().build()
    closed = closed_case(actions=[allowance("50.00")], close_hour=200)

Every step happens ``hour`` hours after ``start`` (default ``T0``, a Monday 09:00 in
Beijing). The builder drives the domain only, so the unit tests, the contract tests
and the integration tests (which store what it builds) share it. The handler tests
run on ``servicekit.testing.FakeUnitOfWork`` with ``FakeComplaintRepository`` as
``uow.complaints``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from complaints.commands import Line, PlanAction, Share
from complaints.domain import DEFAULT_SETTINGS, Complaint, ComplaintSettings, Plan, complaint_number
from servicekit.contracts.complaints_vocabulary import ComplaintNotFound
from servicekit.domain import money
from servicekit.testing import FakeRepository

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing

REGISTRATION: dict[str, Any] = {
    "number": "TS-2026-000001",
    "customer_id": "cust-1",
    "customer_status": "active",
    "channel": "phone",
    "order_no": "SO-8812",
    "ship_date": date(2026, 2, 20),
    "description": "外箱破损,产品划伤",
    "request": "return",
    "registered_by": "agent1",
    "owner": "li.na",  # the customer's sales clerk (rule R2)
}


def share(department: str, value: str | Decimal, person: str | None = None) -> Share:
    """A department's (and person's) part of the responsibility (rule P4)."""
    return Share(department, Decimal(value), person)


LOGISTICS = (share("logistics", "1.00", "王强"),)


def line(
    sku: str = "PUMP-01",
    quantity: int = 4,
    unit_price: str | Decimal = "250.00",
    description: str | None = None,
) -> Line:
    """A complaint or action line; 4 x 250.00 by default (in cents, as the schema gives)."""
    return Line(sku, quantity, money(unit_price), description)


LINES = (line(description="水泵"), line("SEAL-02", 10, Decimal("3.50")))


def return_action(*lines: Line, type: str = "return") -> PlanAction:
    """A line action (return, exchange, replenishment, rework); one default line."""
    return PlanAction(type, tuple(lines or [line()]))


def allowance(amount: str | Decimal, type: str = "allowance") -> PlanAction:
    """An amount action (allowance or compensation)."""
    return PlanAction(type, amount=money(amount))


class CaseBuilder:
    """A ``Complaint`` built step by step; each step returns the builder."""

    def __init__(
        self,
        start: datetime = T0,
        settings: ComplaintSettings = DEFAULT_SETTINGS,
        lines: Sequence[Line] | None = None,
        **registration: Any,
    ) -> None:
        self.start = start
        self.settings = settings
        self.complaint = Complaint(
            **{**REGISTRATION, **registration},
            lines=list(lines) if lines is not None else list(LINES),
            now=start,
            settings=settings,
        )
        self.plan_id: str | None = None

    def at(self, hour: float) -> datetime:
        return self.start + timedelta(hours=hour)

    def build(self) -> Complaint:
        return self.complaint

    @property
    def current_plan(self) -> Plan:
        return self.complaint.plan(self.plan_id)

    # --- rule P3, rule P4 -------------------------------------------------------------
    def accept(self, days: int | None = 10, hour: float = 1, actor: str = "agent1"):
        self.complaint.accept(days, actor, self.at(hour), self.settings)
        return self

    def reject(self, reason: str = "不属于质量问题", hour: float = 1, actor: str = "agent1"):
        self.complaint.reject(reason, actor, self.at(hour))
        return self

    def investigate(
        self,
        responsibility: Iterable[Share] = LOGISTICS,
        hour: float = 2,
        cause: str = "packaging",
        cause_category: str = "non_sales",
        findings: str = "运输途中挤压",
        improvement: str | None = "加厚外箱",
        actor: str = "quality1",
    ):
        self.complaint.investigate(
            findings=findings,
            cause=cause,
            cause_category=cause_category,
            responsibility=list(responsibility),
            actor=actor,
            now=self.at(hour),
            improvement=improvement,
            settings=self.settings,
        )
        return self

    # --- rule P5, rule P6, rule P7 ---------------------------------------------------------
    def plan(
        self,
        actions: Sequence[PlanAction] | None = None,
        hour: float = 3,
        actor: str = "agent1",
    ):
        plan = self.complaint.post_plan(
            list(actions or [return_action()]), actor, self.at(hour), self.settings
        )
        self.plan_id = plan.id
        return self

    def approve(
        self, hour: float = 4, roles: Iterable[str] = ("cs_manager", "gm"), actor="manager1"
    ):
        self.complaint.approve_plan(self.plan_id, actor, list(roles), self.at(hour), self.settings)
        return self

    def customer_accepts(self, hour: float = 5, actor: str = "agent1", comment=None):
        self.complaint.customer_response(
            self.plan_id, True, actor, self.at(hour), comment, self.settings
        )
        return self

    def customer_declines(self, hour: float = 5, actor: str = "agent1", comment=None):
        self.complaint.customer_response(
            self.plan_id, False, actor, self.at(hour), comment, self.settings
        )
        return self

    # --- rule P8 ------------------------------------------------------------------
    def settle(self, hour: float = 24):
        """Returns and finance report every action of the accepted plan done (rule P8):
        goods back received (and a rework inspected), the return credited, each
        allowance and compensation paid, each replenishment and exchange shipped."""
        complaint, now = self.complaint, self.at(hour)
        actions = [a for a in self.current_plan.actions if a.state == "in_progress"]
        types = {a.type for a in actions}
        if types & {"return", "exchange", "rework"}:
            complaint.return_received("RA-1", now, settings=self.settings)
        if "rework" in types:
            complaint.return_inspected("RA-1", now, settings=self.settings)
        if types & {"return", "exchange"}:
            complaint.voucher_issued("V-RC", "return_credit", now, settings=self.settings)
        for action in actions:
            if action.type in ("allowance", "compensation"):
                complaint.voucher_issued(
                    f"V-{action.id[:12]}",
                    action.type,
                    now,
                    action_id=action.id,
                    amount=action.amount,
                    settings=self.settings,
                )
            if action.type in ("replenishment", "exchange"):
                complaint.replenishment_shipped(
                    f"SH-{action.id[:12]}", now, action_id=action.id, settings=self.settings
                )
        return self

    # --- rule P9 ------------------------------------------------------------------
    def follow_up(
        self,
        satisfied: bool = True,
        score: int = 5,
        hour: float = 40,
        actor: str = "agent1",
        notes: str | None = None,
    ):
        self.complaint.follow_up(satisfied, score, actor, self.at(hour), notes, self.settings)
        return self


def accepted_case(**kwargs: Any) -> CaseBuilder:
    return CaseBuilder(**kwargs).accept()


def investigated_case(responsibility=LOGISTICS, **kwargs: Any) -> CaseBuilder:
    return accepted_case(**kwargs).investigate(responsibility)


def executing_case(actions=None, **kwargs: Any) -> CaseBuilder:
    """A case whose plan (a return of the default line unless ``actions``) the customer
    accepted: approved by cs_manager and gm at hour 4, accepted at hour 5."""
    return investigated_case(**kwargs).plan(actions).approve().customer_accepts()


def resolved_case(actions=None, **kwargs: Any) -> CaseBuilder:
    return executing_case(actions, **kwargs).settle()


def closed_case(actions=None, close_hour: float = 40, score: int = 5, **kwargs) -> CaseBuilder:
    return resolved_case(actions, **kwargs).follow_up(True, score, hour=close_hour)


class FakeComplaintRepository(FakeRepository[Complaint]):
    """``ComplaintRepository`` in memory: case numbers count per year, and ``history``
    reads what the fake unit of work committed."""

    not_found = ComplaintNotFound
    id_key = "complaint_id"

    def __init__(self, aggregates: Iterable[Complaint] = ()) -> None:
        super().__init__(aggregates)
        self.last_numbers: dict[int, int] = {}

    def next_number(self, year: int) -> str:
        self.last_numbers[year] = self.last_numbers.get(year, 0) + 1
        return complaint_number(year, self.last_numbers[year])

    def history(self, complaint_id: str) -> list[dict]:
        return [
            {"at": h.at, "who": h.actor, "action": h.action, "changes": h.changes}
            for h in self.uow.history
            if h.entity_type == "complaint" and h.entity_id == complaint_id
        ]
