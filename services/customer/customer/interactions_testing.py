"""Fakes for the handler tests of interactions (rule C9) and the composition analysis
(rule C10): the repositories of ``customer.interactions_repository`` in memory, for
``servicekit.testing.FakeUnitOfWork(FAKE_REPOSITORIES)`` (grading's fakes included, so
invoices reach the summaries through grading's own handler)."""

from __future__ import annotations

from datetime import date

from customer.domain.composition import Sale
from customer.grading_testing import FAKE_REPOSITORIES as GRADING_FAKES
from customer.interactions_fakes import FakeInteractionRepository
from servicekit.testing import FakeRepository


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
