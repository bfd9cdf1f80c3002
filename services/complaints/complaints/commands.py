"""Typed commands of the complaints service: what its schemas
(``servicekit.contracts.complaints``) hand the handlers once a payload is checked.
Standard library only; the values are parsed already (Decimal, date, int, bool), so
the domain checks rules, not shapes. ``of`` builds a command from the schema's output,
nested parts included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Line:
    """A product with its quantity (> 0) and unit price (>= 0, cents): rule P2, rule P5."""

    sku: str
    quantity: int
    unit_price: Decimal
    description: str | None = None


def _lines(lines: Iterable[Mapping[str, Any]]) -> tuple[Line, ...]:
    return tuple(Line(**line) for line in lines)


@dataclass(frozen=True)
class RegisterComplaint:
    """The registration form (rule P1, rule P2)."""

    customer_id: str
    channel: str
    order_no: str
    ship_date: date
    description: str
    request: str
    lines: tuple[Line, ...]

    @classmethod
    def of(cls, lines: Iterable[Mapping[str, Any]], **form: Any) -> RegisterComplaint:
        return cls(lines=_lines(lines), **form)


@dataclass(frozen=True)
class AcceptComplaint:
    """rule P3: the wait promised to the customer, in days."""

    promised_days: int


@dataclass(frozen=True)
class RejectComplaint:
    reason: str


@dataclass(frozen=True)
class Share:
    """rule P4: a department (and person) bearing ``share`` (0 < share <= 1)."""

    department: str
    share: Decimal
    person: str | None = None


@dataclass(frozen=True)
class RecordInvestigation:
    """rule P4: quality's report."""

    findings: str
    cause: str
    cause_category: str
    responsibility: tuple[Share, ...]
    improvement: str | None = None

    @classmethod
    def of(cls, responsibility: Iterable[Mapping[str, Any]], **report: Any) -> RecordInvestigation:
        return cls(responsibility=tuple(Share(**part) for part in responsibility), **report)


@dataclass(frozen=True)
class PlanAction:
    """rule P5: one action of a plan; line actions carry lines, amount actions an amount."""

    type: str
    lines: tuple[Line, ...] = ()
    amount: Decimal | None = None

    @classmethod
    def of(
        cls, type: str, lines: Iterable[Mapping[str, Any]] = (), amount: Decimal | None = None
    ) -> PlanAction:
        return cls(type, _lines(lines), amount)


@dataclass(frozen=True)
class PostPlan:
    """rule P5: the plan's actions; their amount decides who approves it (rule P6)."""

    actions: tuple[PlanAction, ...]

    @classmethod
    def of(cls, actions: Iterable[Mapping[str, Any]]) -> PostPlan:
        return cls(tuple(PlanAction.of(**action) for action in actions))


@dataclass(frozen=True)
class SendBackPlan:
    reason: str


@dataclass(frozen=True)
class RecordCustomerResponse:
    """rule P7: whether the customer accepts the approved plan."""

    accepted: bool
    comment: str | None = None


@dataclass(frozen=True)
class RecordFollowUp:
    """rule P9: the call back, score 1 to 5."""

    satisfied: bool
    score: int
    notes: str | None = None
