"""Interactions with a customer (rule C9): visits (拜访), follow-up calls (回访), care
activities (节日问候, 生日祝福), satisfaction surveys (score 1-5), and enquiries and
suggestions (咨询, 建议) that wait for a reply by a due time (seed 003: 客户咨询回复及时率,
客户反馈意见处理及时率).

Follow-ups: a pick-up customer (自提客户) is followed up at least every
``follow_up_pickup_days`` (quarterly by default), the others every ``follow_up_days``;
the clock starts at the last visit, call or survey, else when the card was approved.

Boundaries: a reply at its due time is on time; an interaction is overdue only after its
due time has passed; a follow-up due at ``now`` is due but not overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customer.domain.summaries import business_date
from servicekit.contracts.customer_interactions_vocabulary import (
    FOLLOW_UP_TYPES,
    INTERACTION_TYPES,
    REPLY_TYPES,
    SURVEY_SCORES,
    InteractionNotReplyable,
    InteractionReplied,
)
from servicekit.domain import Aggregate, new_id
from servicekit.errors import invalid_fields

# How far in the future an interaction's time may lie (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)


def reply_hours(type: str, settings: Any) -> int | None:
    """The hours an enquiry or suggestion waits for its reply (settings); None otherwise."""
    if type == "enquiry":
        return settings.enquiry_reply_hours
    if type == "suggestion":
        return settings.suggestion_reply_hours
    return None


class Interaction(Aggregate):
    entity_type = "customer_interaction"

    def __init__(
        self,
        *,
        customer_id: str,
        type: str,
        notes: str,
        by: str,
        recorded_by: str,
        now: datetime,
        settings: Any,
        at: datetime | None = None,
        score: int | None = None,
    ) -> None:
        at = at or now
        problems: dict[str, list[str]] = {}
        if type not in INTERACTION_TYPES:
            problems["type"] = [f"must be one of {', '.join(INTERACTION_TYPES)}"]
        if type == "survey" and score not in SURVEY_SCORES:
            problems["score"] = ["a survey needs its score (1-5)"]
        if type != "survey" and score is not None:
            problems["score"] = ["only a survey has a score"]
        if at > now + CLOCK_SKEW:
            problems["at"] = ["must not be in the future"]
        if not notes or not notes.strip():
            problems["notes"] = ["required"]
        if problems:
            raise invalid_fields(problems)
        self.id = new_id()
        self.customer_id = customer_id
        self.type = type
        self.at = at
        self.notes = notes.strip()
        self.score = score
        self.by = by
        self.recorded_by = recorded_by
        self.recorded_at = now
        hours = reply_hours(type, settings)
        self.reply_due_at = at + timedelta(hours=hours) if hours is not None else None
        self.reply: str | None = None
        self.replied_at: datetime | None = None
        self.replied_by: str | None = None
        self._note(recorded_by, "recorded", {"type": type, "at": at.isoformat(), "by": by}, at=now)

    def answer(self, reply: str, by: str, now: datetime) -> None:
        """The reply to an enquiry or suggestion (once)."""
        if self.type not in REPLY_TYPES:
            raise InteractionNotReplyable(details={"type": self.type})
        if self.replied_at is not None:
            raise InteractionReplied(details={"replied_at": self.replied_at.isoformat()})
        if not reply or not reply.strip():
            raise invalid_fields({"reply": ["required"]})
        self.reply = reply.strip()
        self.replied_at = now
        self.replied_by = by
        self._note(by, "replied", {"on_time": self.on_time}, at=now)

    @property
    def on_time(self) -> bool | None:
        """Replied by the due time (at it counts); None before a reply or without a due."""
        return on_time(self.reply_due_at, self.replied_at)

    def overdue(self, now: datetime) -> bool:
        return reply_overdue(self.reply_due_at, self.replied_at, now)


def on_time(due_at: datetime | None, replied_at: datetime | None) -> bool | None:
    if due_at is None or replied_at is None:
        return None
    return replied_at <= due_at


def reply_overdue(due_at: datetime | None, replied_at: datetime | None, now: datetime) -> bool:
    """Past its due time (strictly) without a reply."""
    return due_at is not None and replied_at is None and now > due_at


# --- follow-ups ------------------------------------------------------------------
def follow_up_interval(pickup: bool, settings: Any) -> int:
    """Days between follow-ups: pick-up customers at least quarterly (rule C9)."""
    return settings.follow_up_pickup_days if pickup else settings.follow_up_days


@dataclass(frozen=True)
class FollowUp:
    """A customer's next follow-up."""

    customer_id: str
    name: str
    owner: str | None
    region: str | None
    pickup: bool
    status: str
    interval_days: int
    last_follow_up_at: datetime | None
    due_at: datetime
    overdue: bool
    days_overdue: int


def follow_up_of(
    *,
    customer_id: str,
    name: str,
    owner: str | None,
    region: str | None,
    pickup: bool,
    status: str,
    since: datetime,
    last_follow_up_at: datetime | None,
    now: datetime,
    settings: Any,
) -> FollowUp:
    """When the customer's next follow-up falls due: ``interval`` days after the last
    visit, call or survey, or after ``since`` (its approval) when there was none."""
    interval = follow_up_interval(pickup, settings)
    start = last_follow_up_at if last_follow_up_at is not None else since
    due_at = start + timedelta(days=interval)
    overdue = now > due_at
    return FollowUp(
        customer_id=customer_id,
        name=name,
        owner=owner,
        region=region,
        pickup=pickup,
        status=status,
        interval_days=interval,
        last_follow_up_at=last_follow_up_at,
        due_at=due_at,
        overdue=overdue,
        days_overdue=(now - due_at).days if overdue else 0,
    )


def is_due(follow_up: FollowUp, now: datetime, settings: Any) -> bool:
    """Listed as due: overdue, or falling due within ``follow_up_notice_days``."""
    return follow_up.due_at <= now + timedelta(days=settings.follow_up_notice_days)


def counts_as_follow_up(type: str) -> bool:
    return type in FOLLOW_UP_TYPES


# --- the report -------------------------------------------------------------------
@dataclass(frozen=True)
class ReplyFacts:
    """What the report reads of one enquiry or suggestion."""

    type: str
    reply_due_at: datetime | None
    replied_at: datetime | None


def _rate(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def reply_rates(replies: list[ReplyFacts], now: datetime) -> dict[str, dict[str, Any]]:
    """Per reply type: how many, replied on time or late, overdue, still waiting, and
    the on-time rate: replied on time / (replied + overdue without a reply); the ones not
    due yet are left out until they are (seed 003: 及时率)."""
    rates = {}
    for type in REPLY_TYPES:
        mine = [r for r in replies if r.type == type]
        replied = [r for r in mine if r.replied_at is not None]
        timely = sum(1 for r in replied if on_time(r.reply_due_at, r.replied_at))
        overdue = sum(1 for r in mine if reply_overdue(r.reply_due_at, r.replied_at, now))
        rates[type] = {
            "total": len(mine),
            "replied": len(replied),
            "on_time": timely,
            "late": len(replied) - timely,
            "overdue": overdue,
            "waiting": len(mine) - len(replied) - overdue,
            "on_time_rate": _rate(timely, len(replied) + overdue),
        }
    return rates


def survey_average(scores: list[int]) -> Decimal | None:
    if not scores:
        return None
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def in_period(at: datetime, start: date, end: date, offset_hours: int) -> bool:
    """Whether ``at`` falls on the business days ``start`` to ``end``."""
    return start <= business_date(at, offset_hours) <= end
