"""Repositories of interactions (rule C9) and of the composition analysis (rule C10), on
the unit of work: ``uow.interactions``, ``uow.composition`` (``customer.repository.
REPOSITORIES`` carries them). Fakes: ``customer.interactions_testing``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from customer.domain import Customer
from customer.domain.composition import Sale
from customer.domain.interactions import Interaction
from customer.domain.summaries import Purchase
from customer.grading_models import summary_invoices
from customer.interactions_models import customer_interactions
from customer.models import customers
from servicekit.contracts.customer_interactions_vocabulary import (
    FOLLOW_UP_TYPES,
    FOLLOWED_STATUSES,
    InteractionNotFound,
)
from servicekit.repository import Repository, SqlRepository


class InteractionRepository(SqlRepository[Interaction]):
    model = Interaction
    not_found = InteractionNotFound
    id_key = "interaction_id"

    def of_customer(self, customer_id: str) -> list[Interaction]:
        """The customer's interactions, oldest first."""
        query = (
            select(Interaction)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.at, Interaction.id)
        )
        return list(self.session.scalars(query))

    def between(self, start: datetime, end: datetime) -> list[Interaction]:
        """Interactions that happened from ``start`` up to (not including) ``end``."""
        query = select(Interaction).where(Interaction.at >= start, Interaction.at < end)
        return list(self.session.scalars(query.order_by(Interaction.at, Interaction.id)))

    def survey_scores(
        self, customer_id: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, int]]:
        """When and how a customer scored its surveys from ``start`` up to (not including)
        ``end`` (rule C6: satisfaction), oldest first."""
        query = (
            select(customer_interactions.c.at, customer_interactions.c.score)
            .where(
                customer_interactions.c.customer_id == customer_id,
                customer_interactions.c.type == "survey",
                customer_interactions.c.score.is_not(None),
                customer_interactions.c.at >= start,
                customer_interactions.c.at < end,
            )
            .order_by(customer_interactions.c.at, customer_interactions.c.id)
        )
        return [(row.at, row.score) for row in self.session.execute(query)]

    def followed_customers(self) -> list[dict]:
        """The customers followed up (rule C9; terms in effect), each with its last visit,
        call or survey."""
        last = (
            select(
                customer_interactions.c.customer_id,
                func.max(customer_interactions.c.at).label("last_at"),
            )
            .where(customer_interactions.c.type.in_(FOLLOW_UP_TYPES))
            .group_by(customer_interactions.c.customer_id)
            .subquery()
        )
        query = (
            select(
                customers.c.id,
                customers.c.name,
                customers.c.owner,
                customers.c.region,
                customers.c.pickup,
                customers.c.status,
                customers.c.approved_at,
                customers.c.created_at,
                last.c.last_at,
            )
            .outerjoin(last, last.c.customer_id == customers.c.id)
            .where(customers.c.status.in_(FOLLOWED_STATUSES))
        )
        return [
            {
                "customer_id": row.id,
                "name": row.name,
                "owner": row.owner,
                "region": row.region,
                "pickup": row.pickup,
                "status": row.status,
                "since": row.approved_at or row.created_at,
                "last_follow_up_at": row.last_at,
            }
            for row in self.session.execute(query)
        ]


class CompositionRepository(Repository[Sale]):
    """The year's invoices from grading's summary (rule X1), with the card's grade and
    region (rule C10). Read only."""

    def __init__(self, uow) -> None:
        self._uow = uow

    def sales_between(self, start: date, end: date) -> list[Sale]:
        session = self._uow.session
        query = (
            select(Purchase, Customer.grade, Customer.region)
            .outerjoin(Customer, Customer.id == summary_invoices.c.customer_id)
            .where(summary_invoices.c.date >= start, summary_invoices.c.date <= end)
            .order_by(summary_invoices.c.date, summary_invoices.c.id)
        )
        return [Sale(purchase, grade, region) for purchase, grade, region in session.execute(query)]


INTERACTION_REPOSITORIES = {
    "interactions": InteractionRepository,
    "composition": CompositionRepository,
}
