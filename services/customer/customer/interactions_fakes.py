"""The interactions repository in memory (rule C9), apart from ``customer.
interactions_testing`` so that grading's fakes (``customer.grading_testing``) can carry it
too: the grading reads the window's survey scores (rule C6) through ``uow.interactions``."""

from __future__ import annotations

from datetime import datetime

from customer.domain.interactions import Interaction
from servicekit.contracts.customer_interactions_vocabulary import (
    FOLLOW_UP_TYPES,
    FOLLOWED_STATUSES,
    InteractionNotFound,
)
from servicekit.testing import FakeRepository


class FakeInteractionRepository(FakeRepository):
    not_found = InteractionNotFound
    id_key = "interaction_id"

    def _all(self) -> list[Interaction]:
        return sorted(self.items.values(), key=lambda i: (i.at, i.id))

    def of_customer(self, customer_id: str) -> list[Interaction]:
        return [i for i in self._all() if i.customer_id == customer_id]

    def between(self, start: datetime, end: datetime) -> list[Interaction]:
        return [i for i in self._all() if start <= i.at < end]

    def survey_scores(
        self, customer_id: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, int]]:
        return [
            (i.at, i.score)
            for i in self.between(start, end)
            if i.customer_id == customer_id and i.type == "survey" and i.score is not None
        ]

    def followed_customers(self) -> list[dict]:
        rows = []
        for customer in self.uow.customers.items.values():
            if customer.status not in FOLLOWED_STATUSES:
                continue
            follow_ups = [
                i.at
                for i in self.items.values()
                if i.customer_id == customer.id and i.type in FOLLOW_UP_TYPES
            ]
            rows.append(
                {
                    "customer_id": customer.id,
                    "name": customer.name,
                    "owner": customer.owner,
                    "region": customer.region,
                    "pickup": customer.pickup,
                    "status": customer.status,
                    "since": customer.approved_at or customer.created_at,
                    "last_follow_up_at": max(follow_ups, default=None),
                }
            )
        return rows
