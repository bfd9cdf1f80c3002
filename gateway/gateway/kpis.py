"""The departments' KPI report (issue 12.2, CONTRACT "Reports, forms and the console"):
the complaints service's and the customer service's counts over one period put together
into the report's rates. Pure of Flask; rates are decimal strings to four places, None
when nothing counts.

- ``file_completeness_rate`` (客户档案完整率, seed 001): complete cards / cards on file;
- ``timely_acceptance_rate`` (客户投诉受理及时率, seed 001): of the cases registered in
  the period, rejected ones included, those decided by the acceptance due time;
- ``follow_up_rate`` (客户回访率, seed 001): of the cases resolved in the period, those
  called back (rule P9); ``follow_ups`` (客户回访次数): the complaint call-backs and the
  customers' visits, calls and surveys (rule C9) in the period;
- ``resolution_rate`` (客户投诉解决率, seed 003): resolved or closed / registered and not
  rejected;
- ``complaint_rate`` (客户投诉率, seed 003): cases registered / cards on file;
- ``satisfaction`` (客户满意度, seed 003): the average of the complaint call-backs' and the
  surveys' scores (1..5), and the share satisfied (a satisfied call-back, a survey of 4+);
- ``enquiry_reply_on_time_rate`` (客户咨询回复及时率, seed 003);
- ``department_handling_hours`` (seed 000: 查核各部门处理时效): each department's average
  hours on the cases closed in the period;
- ``by_owner``: the same rates per sales person (the card's owner; ``unassigned``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RATE = Decimal("0.0001")
SCORE = Decimal("0.01")
RATES = (
    "file_completeness_rate",
    "timely_acceptance_rate",
    "follow_up_rate",
    "resolution_rate",
    "complaint_rate",
    "enquiry_reply_on_time_rate",
)


def _rate(part: Any, whole: Any, places: Decimal = RATE) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP))


def rates(cases: Mapping[str, Any], cards: Mapping[str, Any]) -> dict[str, Any]:
    """One scope's rates from the complaints' counts ``cases`` and the customers' ``cards``
    (either may be empty: an owner with cards and no case, or the reverse)."""

    def c(key: str) -> int:
        return int(cases.get(key) or 0)

    def k(key: str) -> int:
        return int(cards.get(key) or 0)

    scores = c("scores") + k("surveys")
    return {
        "file_completeness_rate": _rate(k("complete"), k("customers")),
        "timely_acceptance_rate": _rate(c("accepted_on_time"), c("acceptance_counted")),
        "follow_up_rate": _rate(c("followed_up"), c("resolved_in_period")),
        "follow_ups": c("follow_ups") + k("follow_ups"),
        "resolution_rate": _rate(c("resolved"), c("established")),
        "complaint_rate": _rate(c("registered"), k("customers")),
        "satisfaction": {
            "average": _rate(c("score_sum") + k("survey_score_sum"), scores, SCORE),
            "satisfied_share": _rate(c("satisfied") + k("survey_satisfied"), scores),
        },
        "enquiry_reply_on_time_rate": _rate(k("enquiries_on_time"), k("enquiries_counted")),
    }


def kpi_report(period: str, cases: Mapping[str, Any], cards: Mapping[str, Any]) -> dict:
    """The KPI report of ``period`` from the two services' ``kpis`` answers."""
    owners = sorted(set(cases.get("by_owner") or {}) | set(cards.get("by_owner") or {}))
    return {
        "period": period,
        **rates(cases, cards),
        "department_handling_hours": {
            department: figures["hours"]
            for department, figures in (cases.get("department_handling_hours") or {}).items()
        },
        "by_owner": {
            owner: rates(
                (cases.get("by_owner") or {}).get(owner, {}),
                (cards.get("by_owner") or {}).get(owner, {}),
            )
            for owner in owners
        },
    }
