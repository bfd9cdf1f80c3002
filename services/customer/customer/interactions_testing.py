"""Fakes for the handler tests of interactions (rule C9) and the composition analysis
(rule C10): the repositories of ``customer.interactions_repository`` in memory, for
``servicekit.testing.FakeUnitOfWork(FAKE_REPOSITORIES)`` (grading's fakes included, so
invoices reach the summaries through grading's own handler)."""

from __future__ import annotations

from datetime import date, datetime

from customer.domain.composition import Sale
from customer.domain.interactions import Interaction
from customer.grading_testing import FAKE_REPOSITORIES as GRADING_FAKES
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


class FakeCompositionRepository(FakeRepository):
    def sales_between(self, start: date, end: date) -> list[Sale]:
        customers = self.uow.customers.items
        sales = []
        for summary in self.uow.summaries.items.values():
            card = customers.get(summary.id)
            for purchase in summary.invoices:
                if start <= purchase.date <= end:
                    grade = card.grade if card else None
                    region = card.region if card else None
                    sales.append(Sale(purchase, grade, region))
        return sales


FAKE_REPOSITORIES = {
    **GRADING_FAKES,
    "interactions": FakeInteractionRepository,
    "composition": FakeCompositionRepository,
}
