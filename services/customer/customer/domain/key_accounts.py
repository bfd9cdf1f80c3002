"""Key accounts (大客户, rule C7): identified from grade and scale, or designated by a
manager, each with a maintenance plan (seed 001: 维护方式、负责人员、所需费用: how, who,
budget); and the churn warning signals (流失预警): purchases of the last quarter fallen by
``churn_fall_share`` or more against the quarter before, or a complaint spike.

A manager's decision stands: the rule no longer moves an account a manager designated
or removed. A complaint spike is ``complaint_spike_count`` or more complaints in the last
``complaint_spike_days`` days and at least ``complaint_spike_ratio`` times as many as in
the same number of days before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customer.domain.card import Customer, CustomerSettings
from customer.domain.summaries import CustomerSummary, month_key
from servicekit.contracts.customer_grading_vocabulary import SYSTEM, MaintenancePlanRequired
from servicekit.domain import Aggregate


def listed(text: str) -> tuple[str, ...]:
    """A comma-separated setting as its items."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def qualifies(grade: str | None, scale: str | None, settings: CustomerSettings) -> bool:
    """rule C7: a key account by the rule: its grade and its scale are among the listed."""
    return grade in listed(settings.key_account_grades) and scale in listed(
        settings.key_account_scales
    )


@dataclass(frozen=True)
class MaintenancePlan:
    """How the account is looked after, who does it, and what it may cost (seed 001)."""

    how: str
    who: str
    budget: Decimal

    def plain(self) -> dict[str, str]:
        return {"how": self.how, "who": self.who, "budget": str(self.budget)}


class KeyAccount(Aggregate):
    """Whether a customer is a key account, by the rule (``source`` auto) or by a manager,
    with its maintenance plan and the person who owns the account."""

    entity_type = "key_account"

    def __init__(self, customer_id: str, now: datetime) -> None:
        self.id = customer_id
        self.key_account = False
        self.source = "auto"
        self.plan: dict[str, str] | None = None
        self.owner: str | None = None
        self.set_by: str | None = None
        self.set_at: datetime | None = None
        self.created_at = now
        self.updated_at = now

    def follow_rule(self, qualifying: bool, now: datetime) -> bool:
        """rule C7: by the rule, unless a manager decided; True when it changed."""
        if self.source == "manager" or self.key_account == qualifying:
            return False
        self.key_account = qualifying
        self.updated_at = now
        self._note(SYSTEM, "identified" if qualifying else "no_longer_key", {}, at=now)
        return True

    def decide(
        self,
        key_account: bool,
        plan: MaintenancePlan | None,
        owner: str | None,
        by: str,
        now: datetime,
    ) -> None:
        """A manager designates (with a maintenance plan) or removes a key account."""
        if key_account and plan is None and self.plan is None:
            raise MaintenancePlanRequired(details={"plan": ["required for a key account"]})
        changes: dict[str, Any] = {}
        if self.key_account != key_account:
            changes["key_account"] = {"old": self.key_account, "new": key_account}
        if plan is not None and plan.plain() != self.plan:
            changes["plan"] = {"old": self.plan, "new": plan.plain()}
            self.plan = plan.plain()
        if owner is not None and owner != self.owner:
            changes["owner"] = {"old": self.owner, "new": owner}
            self.owner = owner
        if self.source != "manager":
            changes["source"] = {"old": self.source, "new": "manager"}
        self.key_account = key_account
        self.source = "manager"
        self.set_by = by
        self.set_at = now
        self.updated_at = now
        self._note(by, "designated" if key_account else "removed", changes, at=now)


def key_account_card(customer: Customer, account: KeyAccount | None, by: str, now) -> bool:
    """The card's ``key_account`` follows the account; a change goes into its history."""
    value = bool(account and account.key_account)
    if customer.key_account == value:
        return False
    customer.key_account = value
    customer._note(  # the card's own history (card.py's Customer keeps it)
        by, "key_account_changed", {"key_account": {"old": not value, "new": value}}, at=now
    )
    return True


# --- churn warning signals (流失预警) --------------------------------------------------
def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and the last day of a quarter."""
    start = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, following - timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def purchase_fall(last: Decimal, before: Decimal, settings: CustomerSettings) -> Decimal | None:
    """rule C7: the share purchases fell by, when it is ``churn_fall_share`` or more."""
    if before <= 0:
        return None
    fall = (before - last) / before
    if fall >= settings.churn_fall_share:
        return fall.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return None


def complaint_spike(recent: int, previous: int, settings: CustomerSettings) -> bool:
    """rule C7: complaints spike: enough of them, and a jump against the window before."""
    return (
        recent >= settings.complaint_spike_count
        and Decimal(recent) >= settings.complaint_spike_ratio * previous
    )


@dataclass(frozen=True)
class ChurnSignal:
    """A reason to warn of churn; ``key`` makes it one warning per period."""

    key: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def churn_signals(
    summary: CustomerSummary, today: date, settings: CustomerSettings
) -> list[ChurnSignal]:
    """rule C7: the purchase fall of the last completed quarter against the one before,
    and a complaint spike in the last days."""
    signals = []
    last = previous_quarter(*quarter_of(today))
    before = previous_quarter(*last)
    last_amount = summary.purchases_between(*quarter_bounds(*last))
    before_amount = summary.purchases_between(*quarter_bounds(*before))
    fall = purchase_fall(last_amount, before_amount, settings)
    if fall is not None:
        name, earlier = f"{last[0]}Q{last[1]}", f"{before[0]}Q{before[1]}"
        signals.append(
            ChurnSignal(
                f"purchase_fall:{name}",
                f"purchases fell {fall * 100:.2f}% in {name} ({last_amount}) against"
                f" {earlier} ({before_amount})",
                {
                    "quarter": name,
                    "purchases": str(last_amount),
                    "previous_quarter": earlier,
                    "previous_purchases": str(before_amount),
                    "fall": str(fall),
                },
            )
        )
    days = settings.complaint_spike_days
    offset = settings.business_utc_offset_hours
    recent_start = today - timedelta(days=days - 1)
    recent = summary.complaints_between(recent_start, today, offset)
    previous = summary.complaints_between(
        recent_start - timedelta(days=days), recent_start - timedelta(days=1), offset
    )
    if complaint_spike(recent, previous, settings):
        signals.append(
            ChurnSignal(
                f"complaint_spike:{month_key(today)}",
                f"{recent} complaints in the last {days} days against {previous} before",
                {"complaints": recent, "previous_complaints": previous, "days": days},
            )
        )
    return signals
