"""Use cases of interactions (rule C9) and of the composition analysis (rule C10): record
an interaction, reply to an enquiry or suggestion, the follow-ups due, the interaction
report and the year's composition. Each works through the unit of work's repositories
(``uow.interactions``, ``uow.composition``; fakes in ``customer.interactions_testing``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from customer import grading_handlers
from customer.domain import CustomerSettings
from customer.domain.composition import composition
from customer.domain.interactions import (
    FollowUp,
    Interaction,
    ReplyFacts,
    follow_up_of,
    is_due,
    reply_rates,
    survey_average,
)
from customer.domain.summaries import day_start
from customer.interactions_commands import RecordInteraction, ReplyInteraction
from servicekit.contracts.customer_interactions_vocabulary import INTERACTION_TYPES, REPLY_TYPES
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow


def record_interaction(
    uow: UnitOfWork,
    customer_id: str,
    command: RecordInteraction,
    actor: Actor,
    settings: CustomerSettings,
    now: datetime | None = None,
) -> Interaction:
    """A visit, call, care activity, survey, enquiry or suggestion on a customer (404
    when there is no such customer); an enquiry or suggestion gets its reply due time.
    A survey's score is part of the grade's satisfaction (rule C6): the customer is
    reviewed as after an event (``grading_handlers.review_after``) in the same unit of
    work, so the survey and what it changes commit together or not at all."""
    now = now or utcnow()
    with uow:

        def add() -> Interaction:
            interaction = Interaction(
                customer_id=customer_id,
                type=command.type,
                notes=command.notes,
                at=command.at,
                score=command.score,
                by=command.by or actor.username,
                recorded_by=actor.username,
                now=now,
                settings=settings,
            )
            uow.interactions.add(interaction)
            return interaction

        if command.type == "survey":
            interaction = grading_handlers.review_after(uow, settings, customer_id, now, add)
        else:
            uow.customers.get(customer_id)
            interaction = add()
        uow.commit()
        return interaction


def reply_interaction(
    uow: UnitOfWork,
    interaction_id: str,
    command: ReplyInteraction,
    actor: Actor,
    now: datetime | None = None,
) -> Interaction:
    """The reply to an enquiry or suggestion; on time when by its due time."""
    with uow:
        interaction = uow.interactions.get(interaction_id, for_update=True)
        interaction.answer(command.reply, actor.username, now or utcnow())
        uow.commit()
        return interaction


def customer_interactions(uow: UnitOfWork, customer_id: str) -> list[Interaction]:
    with uow:
        uow.customers.get(customer_id)
        return uow.interactions.of_customer(customer_id)


def follow_ups_due(
    uow: UnitOfWork, settings: CustomerSettings, filters: dict[str, Any], now: datetime
) -> list[FollowUp]:
    """rule C9: the customers whose follow-up is due (within the notice days) or, with
    ``overdue``, past due; the longest overdue first."""
    with uow:
        rows = uow.interactions.followed_customers()
    found = []
    for row in rows:
        follow_up = follow_up_of(**row, now=now, settings=settings)
        if not is_due(follow_up, now, settings):
            continue
        if "overdue" in filters and follow_up.overdue != filters["overdue"]:
            continue
        if "owner" in filters and follow_up.owner != filters["owner"]:
            continue
        if "pickup" in filters and follow_up.pickup != filters["pickup"]:
            continue
        found.append(follow_up)
    return sorted(found, key=lambda f: (f.due_at, f.customer_id))


def interaction_report(
    uow: UnitOfWork, settings: CustomerSettings, start: date, end: date, now: datetime
) -> dict[str, Any]:
    """rule C9: interactions on the business days ``start`` to ``end``: counts per type,
    the on-time reply rate of enquiries and suggestions (as of ``now``), surveys' average."""
    offset = settings.business_utc_offset_hours
    with uow:
        found = uow.interactions.between(
            day_start(start, offset), day_start(end + timedelta(days=1), offset)
        )
    counts = {type: sum(1 for i in found if i.type == type) for type in INTERACTION_TYPES}
    replies = [
        ReplyFacts(i.type, i.reply_due_at, i.replied_at) for i in found if i.type in REPLY_TYPES
    ]
    scores = [i.score for i in found if i.type == "survey" and i.score is not None]
    return {
        "from_": start,
        "to": end,
        "as_of": now,
        "counts": counts,
        "replies": reply_rates(replies, now),
        "survey_average": survey_average(scores),
    }


def composition_report(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """rule C10: the year's sales by grade, product and region."""
    with uow:
        sales = uow.composition.sales_between(date(year, 1, 1), date(year, 12, 31))
    return composition(year, sales)


def follow_up_view(follow_up: FollowUp) -> dict[str, Any]:
    return asdict(follow_up)
