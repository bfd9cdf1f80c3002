"""Reads of interactions (rule C9): one, a customer's, and the list with its filters
(type, customer, overdue, replied). No rule is applied here beyond the filters' reading of
the domain's overdue (past the due time, strictly, without a reply)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, not_, select

from customer.domain.interactions import Interaction
from servicekit.db import UnitOfWork
from servicekit.paging import page_of


def interaction_view(interaction: Interaction, now: datetime) -> dict[str, Any]:
    """An interaction as ``InteractionSchema`` dumps it, overdue as of ``now``."""
    return {
        "id": interaction.id,
        "customer_id": interaction.customer_id,
        "type": interaction.type,
        "at": interaction.at,
        "notes": interaction.notes,
        "score": interaction.score,
        "by": interaction.by,
        "recorded_by": interaction.recorded_by,
        "recorded_at": interaction.recorded_at,
        "reply_due_at": interaction.reply_due_at,
        "reply": interaction.reply,
        "replied_at": interaction.replied_at,
        "replied_by": interaction.replied_by,
        "overdue": interaction.overdue(now),
        "on_time": interaction.on_time,
    }


def get_interaction(uow: UnitOfWork, interaction_id: str) -> Interaction:
    with uow:
        return uow.interactions.get(interaction_id)


def list_interactions(
    uow: UnitOfWork, filters: dict, page: int, per_page: int, now: datetime
) -> dict:
    """Interactions, newest first; ``overdue``: past the reply due time without a reply;
    ``replied``: answered (true) or still waiting for a reply (false)."""
    query = select(Interaction)
    for field in ("type", "customer_id"):
        if field in filters:
            query = query.where(getattr(Interaction, field) == filters[field])
    overdue = and_(
        Interaction.reply_due_at.is_not(None),
        Interaction.replied_at.is_(None),
        Interaction.reply_due_at < now,
    )
    if filters.get("overdue") is True:
        query = query.where(overdue)
    elif filters.get("overdue") is False:
        query = query.where(not_(overdue))
    if filters.get("replied") is True:
        query = query.where(Interaction.replied_at.is_not(None))
    elif filters.get("replied") is False:
        query = query.where(Interaction.reply_due_at.is_not(None), Interaction.replied_at.is_(None))
    with uow:
        return page_of(uow.session, query, page, per_page, Interaction.at.desc(), Interaction.id)
