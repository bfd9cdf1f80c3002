"""The customer service's part of the departments' KPIs (issue 12.2) over a period
(``2026-10``, ``2026-Q4``, ``2026``, months on the business's calendar): read-only.

- file completeness (客户档案完整率, seed 001): of the cards on file at the period's end
  (every status but ``lead``), those with every field the seeds put on a customer card
  (seed 001: 客户资料卡...客户姓名、地址、联系方式、信用情况、交易情况、经营情况; seed 003:
  公司名稱、法定代表人、聯系方式、經營范圍、地址): ``REQUIRED``; read as the cards are now;
- follow-ups (客户回访次数/客户回访率, seed 001; rule C9): visits, calls and surveys in the
  period, and the cards with at least one;
- surveys (客户满意度调查, seed 003): their scores, satisfied at ``SATISFIED_SCORE`` or more;
- replies (客户咨询回复及时率, seed 003): enquiries due in the period, replied on time.

The gateway adds the complaints' counts and makes the report's rates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from customer.models import customers
from servicekit import periods
from servicekit.contracts.customer_interactions_vocabulary import FOLLOW_UP_TYPES
from servicekit.db import UnitOfWork

# seed 001 and seed 003: what a complete customer card holds (contacts: one with a phone
# or an email; credit: the limit; trading: payment method and settlement terms).
REQUIRED = (
    "name",
    "region",
    "industry",
    "address",
    "contacts",
    "legal_representative",
    "business_scope",
    "credit_limit",
    "payment_method",
    "settlement_terms",
    "owner",
)
SATISFIED_SCORE = 4  # a survey's 1..5: 4 (satisfied) and 5 (very satisfied)
NO_OWNER = "unassigned"
ON_FILE = ("pending_approval", "active", "dormant", "lost")


def period_bounds(period: str, offset_hours: int = 8) -> tuple[datetime, datetime]:
    """The period's [start, end) in UTC on the business's calendar (servicekit.periods)."""
    return periods.period_bounds(period, timezone(timedelta(hours=offset_hours)))


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def complete(card: dict[str, Any]) -> bool:
    """Every ``REQUIRED`` field filled; contacts: one with a phone or an email."""
    for name in REQUIRED:
        value = card.get(name)
        if name == "contacts":
            if not any(_filled(c.get("phone")) or _filled(c.get("email")) for c in value or ()):
                return False
        elif not _filled(value):
            return False
    return True


@dataclass(frozen=True)
class Touch:
    """What the KPIs read of one interaction (rule C9)."""

    customer_id: str
    type: str
    at: datetime
    score: int | None = None
    reply_due_at: datetime | None = None
    replied_at: datetime | None = None


def _counts() -> dict[str, int]:
    return dict.fromkeys(
        (
            "customers",
            "complete",
            "followed_customers",
            "follow_ups",
            "surveys",
            "survey_score_sum",
            "survey_satisfied",
            "enquiries_counted",
            "enquiries_on_time",
        ),
        0,
    )


def customer_kpis(
    period: str,
    cards: Iterable[dict[str, Any]],
    touches: Iterable[Touch],
    now: datetime,
    offset_hours: int = 8,
) -> dict[str, Any]:
    """The counts of the period, in all and per owner (the card's sales person).

    Enquiries count once their reply is due within the period and by ``now``: replied by
    the due time -> on time; replied late or not yet -> not."""
    start, end = period_bounds(period, offset_hours)
    everyone = _counts()
    owners: defaultdict[str, dict[str, int]] = defaultdict(_counts)
    owner_of: dict[str, str] = {}

    def add(owner: str, key: str, amount: int = 1) -> None:
        everyone[key] += amount
        owners[owner][key] += amount

    for card in cards:
        if card.get("status") not in ON_FILE or card["created_at"] >= end:
            continue
        owner = card.get("owner") or NO_OWNER
        owner_of[card["id"]] = owner
        add(owner, "customers")
        add(owner, "complete", complete(card))
    followed: set[str] = set()
    for touch in touches:
        owner = owner_of.get(touch.customer_id, NO_OWNER)
        if touch.type in FOLLOW_UP_TYPES and start <= touch.at < end:
            add(owner, "follow_ups")
            if touch.customer_id in owner_of and touch.customer_id not in followed:
                followed.add(touch.customer_id)
                add(owner, "followed_customers")
        if touch.type == "survey" and touch.score is not None and start <= touch.at < end:
            add(owner, "surveys")
            add(owner, "survey_score_sum", touch.score)
            add(owner, "survey_satisfied", touch.score >= SATISFIED_SCORE)
        due = touch.reply_due_at
        if touch.type == "enquiry" and due is not None and start <= due < end and due < now:
            add(owner, "enquiries_counted")
            replied = touch.replied_at
            add(owner, "enquiries_on_time", replied is not None and replied <= due)
    return {
        "period": period,
        "from": start,
        "to": end,
        **everyone,
        "by_owner": dict(sorted(owners.items())),
    }


def kpis(uow: UnitOfWork, settings: Any, period: str, now: datetime) -> dict[str, Any]:
    """The customer service's KPI counts over ``period`` (see ``customer_kpis``)."""
    offset = settings.business_utc_offset_hours
    start, end = period_bounds(period, offset)
    columns = [customers.c[name] for name in ("id", "status", "created_at", *REQUIRED)]
    with uow:
        cards = [dict(row._mapping) for row in uow.session.execute(select(*columns))]
        # enquiries due in the period may have been made before it
        found = uow.interactions.between(start - timedelta(days=60), end)
        touches = [
            Touch(i.customer_id, i.type, i.at, i.score, i.reply_due_at, i.replied_at) for i in found
        ]
    return customer_kpis(period, cards, touches, now, offset)
