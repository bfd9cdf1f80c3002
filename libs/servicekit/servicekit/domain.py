"""Base for aggregates: record domain events and history, standard library only.

A domain method calls ``self._record_event`` for a fact other services act on
(written to the outbox by the unit of work at commit, rule X2) and
``self._note`` for a history entry (who, when, what; rule X3).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """An aggregate's id: 32 hex characters (the ``String(32)`` id columns)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    """Who asks (loaded from the ``actor`` of every command): history and rank rules
    need the user name and the roles."""

    username: str
    roles: tuple[str, ...] = ()
    department: str | None = None


def money(value: Any) -> Decimal:
    """A Decimal rounded to cents; never goes through float."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class DomainEvent:
    event_type: str
    payload: dict[str, Any]


@dataclass
class HistoryEntry:
    entity_type: str
    entity_id: str
    actor: str
    action: str
    changes: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)


class Aggregate:
    """Mixin for entities that produce events and history.

    The lists are created lazily because ORM-loaded instances skip ``__init__``.
    """

    entity_type = "entity"

    def _pending(self, name: str) -> list:
        pending = self.__dict__.get(name)
        if pending is None:
            pending = []
            self.__dict__[name] = pending
        return pending

    def _record_event(self, event_type: str, payload: dict[str, Any]) -> None:
        self._pending("_events").append(DomainEvent(event_type, payload))

    def _note(
        self,
        actor: str,
        action: str,
        changes: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        """A history entry; ``at`` is the domain's ``now`` when the method was given one."""
        self._pending("_history").append(
            HistoryEntry(
                self.entity_type, str(self.id), actor, action, changes or {}, at or utcnow()
            )
        )

    def pull_events(self) -> list[DomainEvent]:
        events, self.__dict__["_events"] = self._pending("_events"), []
        return events

    def pull_history(self) -> list[HistoryEntry]:
        history, self.__dict__["_history"] = self._pending("_history"), []
        return history
