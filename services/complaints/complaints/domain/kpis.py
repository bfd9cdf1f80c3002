"""The complaints desk's part of the departments' KPIs (seed 001: 客户投诉受理及时率,
客户回访率; seed 003: 客户投诉解决率, 客户满意度, 客户投诉率; seed 000: 查核各部门处理时效),
measured over a period: a month (``2026-10``), a quarter (``2026-Q4``) or a year
(``2026``) on the business's calendar.

Pure: what a case contributes is read from ``KpiFacts``; the gateway puts these counts
together with the customer service's (cards, interactions) into the KPI report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from complaints.domain.shared import DEFAULT_SETTINGS, ComplaintSettings
from servicekit import periods

RATE = Decimal("0.0001")
HOURS = Decimal("0.01")
RESOLVED = ("resolved", "closed")
NO_OWNER = "unassigned"


def period_bounds(
    period: str, settings: ComplaintSettings = DEFAULT_SETTINGS
) -> tuple[datetime, datetime]:
    """The period's [start, end) in UTC on the business's calendar (servicekit.periods)."""
    return periods.period_bounds(period, settings.business_tz)


@dataclass(frozen=True)
class KpiFollowUp:
    """rule P9: one call back, with the customer's score 1..5."""

    at: datetime
    score: int
    satisfied: bool


@dataclass(frozen=True)
class KpiStep:
    """rule P10: one step of a case and the department that answered for it."""

    name: str
    department: str
    started_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class KpiFacts:
    """What the KPIs read of one case."""

    owner: str | None
    status: str
    registered_at: datetime
    timely_acceptance: bool | None  # set by acceptance or rejection (rule P10)
    acceptance_due_at: datetime | None  # the open acceptance step's due time, if any
    resolved_at: datetime | None
    closed_at: datetime | None
    follow_ups: tuple[KpiFollowUp, ...] = ()
    steps: tuple[KpiStep, ...] = ()


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` to four places; None when nothing counts."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def _hours(start: datetime, end: datetime) -> Decimal:
    return Decimal((end - start).total_seconds()) / Decimal(3600)


class _Counts:
    """The counts of one scope (all cases, or one owner's)."""

    def __init__(self) -> None:
        self.registered = 0
        self.acceptance_counted = 0
        self.accepted_on_time = 0
        self.established = 0  # registered in the period and not rejected
        self.resolved = 0  # ...of which resolved or closed by now
        self.resolved_in_period = 0
        self.followed_up = 0  # ...of which called back (rule P9)
        self.follow_ups = 0
        self.scores = 0
        self.score_sum = 0
        self.satisfied = 0

    def add(self, case: KpiFacts, start: datetime, end: datetime, now: datetime) -> None:
        if start <= case.registered_at < end:
            self.registered += 1
            if case.timely_acceptance is not None:
                self.acceptance_counted += 1
                self.accepted_on_time += case.timely_acceptance
            elif case.acceptance_due_at is not None and now > case.acceptance_due_at:
                self.acceptance_counted += 1  # undecided past its due time: not timely
            if case.status != "rejected":
                self.established += 1
                self.resolved += case.status in RESOLVED
        if case.resolved_at is not None and start <= case.resolved_at < end:
            self.resolved_in_period += 1
            self.followed_up += any(f.at >= case.resolved_at for f in case.follow_ups)
        for call in case.follow_ups:
            if start <= call.at < end:
                self.follow_ups += 1
                self.scores += 1
                self.score_sum += call.score
                self.satisfied += call.satisfied

    def view(self) -> dict[str, Any]:
        return {
            "registered": self.registered,
            "acceptance_counted": self.acceptance_counted,
            "accepted_on_time": self.accepted_on_time,
            "established": self.established,
            "resolved": self.resolved,
            "resolved_in_period": self.resolved_in_period,
            "followed_up": self.followed_up,
            "follow_ups": self.follow_ups,
            "scores": self.scores,
            "score_sum": self.score_sum,
            "satisfied": self.satisfied,
            "timely_acceptance_rate": rate(self.accepted_on_time, self.acceptance_counted),
            "resolution_rate": rate(self.resolved, self.established),
            "follow_up_rate": rate(self.followed_up, self.resolved_in_period),
        }


def department_handling_hours(
    cases: Iterable[KpiFacts], start: datetime, end: datetime
) -> dict[str, dict[str, Any]]:
    """seed 000 (查核各部门处理时效): of the cases closed in [start, end), each
    department's hours on its steps (start to done, the case-long closure clock left
    out), summed per case and averaged over the cases the department worked on."""
    total: defaultdict[str, Decimal] = defaultdict(Decimal)
    count: defaultdict[str, int] = defaultdict(int)
    for case in cases:
        if case.status != "closed" or case.closed_at is None:
            continue
        if not start <= case.closed_at < end:
            continue
        mine: defaultdict[str, Decimal] = defaultdict(Decimal)
        for step in case.steps:
            if step.name == "closure" or step.done_at is None:
                continue
            mine[step.department] += _hours(step.started_at, step.done_at)
        for department, hours in mine.items():
            total[department] += hours
            count[department] += 1
    return {
        d: {"cases": count[d], "hours": (total[d] / count[d]).quantize(HOURS, ROUND_HALF_UP)}
        for d in sorted(total)
    }


def complaint_kpis(
    period: str,
    cases: Iterable[KpiFacts],
    now: datetime,
    settings: ComplaintSettings = DEFAULT_SETTINGS,
) -> dict[str, Any]:
    """The complaints desk's KPI counts and rates over ``period``, in all and per owner
    (the customer's sales person at registration; ``unassigned`` when it had none).

    - timely acceptance (客户投诉受理及时率, seed 001): of the cases registered in the
      period, rejected ones included, those accepted or rejected by the acceptance due
      time; a case still undecided past it counts as late, one not yet due is left out;
    - resolution (客户投诉解决率, seed 003): of the cases registered in the period and not
      rejected, those resolved or closed by now;
    - follow-up (客户回访率, seed 001): of the cases resolved in the period, those called
      back (rule P9); ``follow_ups`` counts the calls made in the period;
    - satisfaction (客户满意度, seed 003): the scores and the satisfied answers of the
      calls made in the period;
    - ``department_handling_hours`` (seed 000: 查核各部门处理时效): see
      ``department_handling_hours``.
    """
    start, end = period_bounds(period, settings)
    cases = list(cases)
    everyone = _Counts()
    owners: defaultdict[str, _Counts] = defaultdict(_Counts)
    for case in cases:
        everyone.add(case, start, end, now)
        owners[case.owner or NO_OWNER].add(case, start, end, now)
    return {
        "period": period,
        "from": start,
        "to": end,
        **everyone.view(),
        "department_handling_hours": department_handling_hours(cases, start, end),
        "by_owner": {
            owner: counts.view()
            for owner, counts in sorted(owners.items())
            if counts.registered or counts.resolved_in_period or counts.follow_ups
        },
    }


def facts_of(case: Any) -> KpiFacts:
    """What the KPIs read of a ``Complaint`` (the queries read the same columns)."""
    return KpiFacts(
        owner=case.owner,
        status=case.status,
        registered_at=case.registered_at,
        timely_acceptance=case.timely_acceptance,
        acceptance_due_at=case.step_due_at if case.current_step == "acceptance" else None,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        follow_ups=tuple(KpiFollowUp(f.at, f.score, f.satisfied) for f in case.follow_ups),
        steps=tuple(KpiStep(s.name, s.department, s.started_at, s.done_at) for s in case.steps),
    )
