"""Which cards a batch of imported rows matches (issue 11.8): ``uow.card_matches``.

Tax numbers are found through their keyed hashes in ``customer_lookups`` (rule C11: they
are encrypted, nothing is decrypted); names, which are not, on ``customers`` itself.
Fake: ``customer.imports_testing``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from customer.domain import Customer
from customer.domain.imports import normal_name
from customer.domain.security import normal_number
from customer.security_keys import digest
from customer.security_models import customer_lookups
from servicekit.repository import Repository

_CHUNK = 500  # values per IN (...)


class CardMatchRepository(Repository[Customer]):
    def __init__(self, uow) -> None:
        self._uow = uow

    def by_tax_no(self, tax_nos: Iterable[str]) -> dict[str, str]:
        """normalised tax number -> the id of a card that has it, for those that exist."""
        hashed = {}
        for value in tax_nos:
            key = normal_number(value)
            if key:
                hashed[digest("tax_no", key)] = key
        found: dict[str, str] = {}
        digests = sorted(hashed)
        for start in range(0, len(digests), _CHUNK):
            rows = self._uow.session.execute(
                select(customer_lookups.c.digest, customer_lookups.c.customer_id).where(
                    customer_lookups.c.kind == "tax_no",
                    customer_lookups.c.digest.in_(digests[start : start + _CHUNK]),
                )
            )
            for row in rows:
                found.setdefault(hashed[row.digest], row.customer_id)
        return found

    def by_name(self, names: Iterable[str]) -> dict[str, str]:
        """normalised name -> the id of a card of that name, for those that exist."""
        wanted = {normal_name(n) for n in names} - {None}
        candidates = {n for n in names if n} | wanted
        found: dict[str, str] = {}
        values = sorted(candidates)
        for start in range(0, len(values), _CHUNK):
            rows = self._uow.session.execute(
                select(Customer.name, Customer.id).where(
                    Customer.name.in_(values[start : start + _CHUNK])
                )
            )
            for name, customer_id in rows:
                key = normal_name(name)
                if key in wanted:
                    found.setdefault(key, customer_id)
        return found
