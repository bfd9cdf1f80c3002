"""Monthly statistics: rule P11 (客户投诉案件统计表)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from complaints.domain.shared import (
    CENT,
    DEFAULT_SETTINGS,
    RATIO,
    ComplaintSettings,
    _hours,
)
from servicekit.contracts.complaints_vocabulary import IllegalTransition
from servicekit.errors import invalid_fields


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


class Statistics:
    """rule P11 on ``Complaint``: what the monthly statistics need of a closed case."""

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
