"""Fakes of the card-read log (rule C11) for handler tests: ``FakeUnitOfWork({...,
"card_reads": FakeCardReadRepository})``."""

from __future__ import annotations

from collections.abc import Sequence

from customer.domain.security import CardRead
from customer.security_repository import CardReadRepository
from servicekit.testing import FakeRepository


class FakeCardReadRepository(FakeRepository[CardRead]):
    """Reads kept in a list; a rollback of the unit of work drops those added since."""

    not_found = CardReadRepository.not_found

    def add_all(self, reads: Sequence[CardRead]) -> None:
        for read in reads:
            self.add(read)

    def add(self, aggregate: CardRead) -> None:
        self.items[str(len(self.items))] = aggregate

    def of(self, customer_id: str) -> list[CardRead]:
        return [r for r in self.items.values() if r.customer_id == customer_id]
