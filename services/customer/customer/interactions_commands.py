"""Typed commands of interactions (rule C9): what the schemas of
``servicekit.contracts.customer_interactions`` hand the handlers once checked.
Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordInteraction:
    type: str
    notes: str
    at: datetime | None = None
    score: int | None = None
    by: str | None = None


@dataclass(frozen=True)
class ReplyInteraction:
    reply: str
