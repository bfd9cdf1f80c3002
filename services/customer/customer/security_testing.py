"""Fakes of the card-read log (rule C11) for handler tests: ``FakeUnitOfWork({...,
"card_reads": FakeCardReadRepository})``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import count

from customer.domain.security import CardRead
from customer.security_repository import CardReadRepository
from servicekit.testing import FakeRepository


class FakeCardReadRepository(FakeRepository[CardRead]):
    """Reads kept in a list; a rollback of the unit of work drops those added since."""

    not_found = CardReadRepository.not_found

    def __init__(self, *args, **kwargs) -> None:
        self._ids = count()
        super().__init__(*args, **kwargs)

    def add_all(self, reads: Sequence[CardRead]) -> None:
        for read in reads:
            self.add(read)

    def add(self, aggregate: CardRead) -> None:
        self.items[str(next(self._ids))] = aggregate

    def of(self, customer_id: str) -> list[CardRead]:
        return [r for r in self.items.values() if r.customer_id == customer_id]

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        old = [key for key, read in self.items.items() if read.at < cutoff][:limit]
        for key in old:
            del self.items[key]
        return len(old)
