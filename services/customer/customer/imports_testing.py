"""Fakes for the bulk import's handler tests: ``uow.card_matches`` over the fake
unit of work's ``customers`` (for ``servicekit.testing.FakeUnitOfWork``)."""

from __future__ import annotations

from collections.abc import Iterable

from customer.domain.imports import normal_name
from customer.domain.security import normal_number
from customer.repository import REPOSITORIES
from servicekit.testing import FakeRepository


class FakeCardMatchRepository(FakeRepository):
    def _cards(self):
        return list(self.uow.customers.items.values())

    def by_tax_no(self, tax_nos: Iterable[str]) -> dict[str, str]:
        wanted = {normal_number(t) for t in tax_nos} - {None}
        found: dict[str, str] = {}
        for card in self._cards():
            key = normal_number(card.tax_no)
            if key in wanted:
                found.setdefault(key, card.id)
        return found

    def by_name(self, names: Iterable[str]) -> dict[str, str]:
        wanted = {normal_name(n) for n in names} - {None}
        found: dict[str, str] = {}
        for card in self._cards():
            key = normal_name(card.name)
            if key in wanted:
                found.setdefault(key, card.id)
        return found


FAKE_REPOSITORIES = {**REPOSITORIES, "card_matches": FakeCardMatchRepository}
