"""Warnings (rule C7: churn, 流失预警; rule C8: risk, 风险预警): each names the person who
owns the account and waits for a remedy (补救措施), which handles it.

``key`` makes a warning once per cause and period (a quarter's purchase fall, a month's
complaint spike, one rise of the risk level): the database holds one per customer and key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicekit.contracts.customer_grading_vocabulary import SYSTEM, WARNING_TYPES, WarningHandled
from servicekit.domain import Aggregate, new_id
from servicekit.errors import invalid_fields


class CustomerWarning(Aggregate):
    entity_type = "customer_warning"

    def __init__(
        self,
        *,
        customer_id: str,
        customer_name: str | None,
        type: str,
        key: str,
        reason: str,
        details: dict[str, Any],
        owner: str | None,
        now: datetime,
    ) -> None:
        if type not in WARNING_TYPES:
            raise ValueError(type)
        self.id = new_id()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.type = type
        self.key = key
        self.reason = reason
        self.details = details
        self.owner = owner
        self.status = "open"
        self.raised_at = now
        self.action: str | None = None
        self.handled_by: str | None = None
        self.handled_at: datetime | None = None
        self._note(SYSTEM, "raised", {"type": type, "reason": reason, "owner": owner}, at=now)

    def refresh(self, reason: str, details: dict[str, Any], now: datetime) -> bool:
        """The same cause seen again with other figures (a late invoice of the quarter):
        an open warning shows the latest; True when it changed."""
        if self.status != "open" or (reason, details) == (self.reason, self.details):
            return False
        self._note(SYSTEM, "updated", {"reason": {"old": self.reason, "new": reason}}, at=now)
        self.reason = reason
        self.details = details
        return True

    def remedy(self, action: str, by: str, now: datetime) -> None:
        """The remedy taken (补救措施): the warning is handled."""
        if self.status != "open":
            raise WarningHandled(details={"status": self.status})
        if not action or not action.strip():
            raise invalid_fields({"action": ["the remedy taken is required"]})
        self.status = "handled"
        self.action = action.strip()
        self.handled_by = by
        self.handled_at = now
        self._note(by, "handled", {"action": self.action}, at=now)
